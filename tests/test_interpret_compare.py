import numpy as np
import pandas as pd
import pytest

from biodl.data.dna import one_hot_encode, reverse_complement
from biodl.data.pwm import Motif
from biodl.interpret.compare import benjamini_hochberg, fimo_hits, tomtom_matches
from biodl.io.jaspar import fetch_jaspar, jaspar_database


def test_benjamini_hochberg_matches_scipy():
    from scipy.stats import false_discovery_control

    p = np.random.default_rng(0).random((3, 50)) ** 3
    np.testing.assert_allclose(benjamini_hochberg(p), [false_discovery_control(row) for row in p])
    np.testing.assert_allclose(benjamini_hochberg(np.array([[0.01, 0.04, 0.03, 0.2]])),
                               [[0.04, 0.16 / 3, 0.16 / 3, 0.2]])


def test_tomtom_finds_a_motif_and_its_reverse_complement():
    (rest,) = fetch_jaspar(["MA0138"])
    queries = [rest, Motif("flipped", "flipped", rest.ppm[::-1, ::-1])]
    table = tomtom_matches(queries, jaspar_database(), top=3)
    best = table[table["rank"] == 1].set_index("query")
    assert best.loc[rest.id, "target_name"] == "REST" and best.loc[rest.id, "strand"] == "+"
    assert best.loc["flipped", "target_name"] == "REST" and best.loc["flipped", "strand"] == "-"
    assert (best["q_value"] < 1e-3).all() and len(table) == 6
    assert tomtom_matches([], jaspar_database()).empty


def test_fimo_finds_a_planted_site():
    (ctcf,) = fetch_jaspar(["MA0139"])
    consensus = "".join("ACGT"[i] for i in ctcf.ppm.argmax(axis=1))
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 80)) for _ in range(3)]
    seqs[1] = seqs[1][:30] + reverse_complement(consensus) + seqs[1][45:]
    hits = fimo_hits([ctcf], one_hot_encode(seqs), ["a", "b", "c"], threshold=1e-6)
    assert hits[["sequence_id", "start", "end", "strand"]].values.tolist() == [["b", 30, 45, "-"]]
    assert fimo_hits([], one_hot_encode(seqs), ["a", "b", "c"]).empty


def test_a_short_motifs_best_word_has_the_p_value_of_its_rarity_not_zero():
    (zeb1,) = fetch_jaspar(["MA0103"])  # 6 bp: its consensus occurs by chance once in 4^6 positions
    consensus = "".join("ACGT"[i] for i in zeb1.ppm.argmax(axis=1))
    x = one_hot_encode(["T" * 10 + consensus + "T" * 10])
    hits = fimo_hits([zeb1], x, ["a"], threshold=1e-3)
    assert hits["p_value"].min() == pytest.approx(0.25 ** 6)
    assert fimo_hits([zeb1], x, ["a"], threshold=1e-4).empty


def test_fimo_in_chunks_from_disk_equals_one_scan(tmp_path, monkeypatch):
    from biodl.interpret import compare
    from biodl.io.arrays import npz_writer, stored_rows

    motifs = fetch_jaspar(["MA0139", "MA0138"])
    rng = np.random.default_rng(1)
    seqs = ["".join(rng.choice(list("ACGT"), 300)) for _ in range(40)]
    x, ids = one_hot_encode(seqs), [f"s{i}" for i in range(40)]
    whole = fimo_hits(motifs, x, ids, threshold=1e-3)
    with npz_writer(tmp_path / "x.npz") as archive:
        archive.add("x", x)
    monkeypatch.setattr(compare, "FIMO_CHUNK", 6)
    chunked = fimo_hits(motifs, stored_rows(tmp_path / "x.npz", "x"), ids, threshold=1e-3)
    assert len(whole) > 10 and whole["sequence_id"].nunique() > 6  # hits in several chunks
    pd.testing.assert_frame_equal(chunked, whole)


def flat_motifs(n, width=17, seed=0):
    """Long, low-information PPMs like those of untrained filters."""
    rng = np.random.default_rng(seed)
    return [Motif(f"flat{i}", f"flat{i}", rng.dirichlet([6, 4, 4, 6], size=width)) for i in range(n)]


def test_calibration_keeps_a_real_motif_and_drops_what_null_motifs_match_as_well():
    from biodl.interpret.compare import calibrated_matches, mark_findings, shuffled_columns

    (rest,) = fetch_jaspar(["MA0138"])
    database = jaspar_database()
    queries = [rest] + flat_motifs(3, seed=1)
    null = flat_motifs(60, seed=2) + shuffled_columns([rest], copies=20, seed=1)
    matches = calibrated_matches(queries, database, null, top=3)
    best = matches.table[matches.table["rank"] == 1].set_index("query")
    assert best.loc[rest.id, "target_name"] == "REST" and best.loc[rest.id, "beyond_null"]
    # TOMTOM alone calls matches for low-information motifs; the null does as well
    assert matches.summary["null_significant_rate"] > 0.2
    assert not matches.table[matches.table["query"].str.startswith("flat")]["beyond_null"].any()
    assert matches.summary["null_false_match_rate"] <= 0.05 and matches.summary["beyond_null"] == 1
    assert matches.table["false_match_rate"].between(0, 1).all()
    # a finding needs influence too, where given
    influence = pd.Series({rest.id: 0.01, "flat0": 1.0, "flat1": 0.5, "flat2": 0.0})
    findings = mark_findings(matches, influence, min_influence=0.25).table
    assert findings["finding"].sum() == 0  # REST's query matters too little
    findings = mark_findings(matches, None).table
    assert findings.loc[findings["finding"], "query"].tolist() == [rest.id]
    assert findings.loc[findings["finding"], "rank"].tolist() == [1]


def test_calibration_of_no_queries_is_an_empty_table():
    from biodl.interpret.compare import calibrated_matches

    matches = calibrated_matches([], jaspar_database(), [])
    assert len(matches.table) == 0 and matches.summary["queries"] == 0
    with pytest.raises(ValueError, match="needs null motifs"):
        calibrated_matches(flat_motifs(1), jaspar_database(), [])
