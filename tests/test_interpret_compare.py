import numpy as np
import pandas as pd

from biodl.dna import one_hot_encode, reverse_complement
from biodl.interpret.compare import benjamini_hochberg, fimo_hits, tomtom_matches
from biodl.io.jaspar import fetch_jaspar, jaspar_database
from biodl.pwm import Motif


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
