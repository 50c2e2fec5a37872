"""Motif hits: significant stretches of positive contributions against the negative ones as
the null, named by their matches, in genome coordinates, against planted sites."""

import numpy as np
import pandas as pd
import pytest

from biodl.data.dna import one_hot_encode
from biodl.data.pwm import Motif
from biodl.interpret.attribution import Attributions
from biodl.interpret.hits import call_hits, genome_coordinates, motif_hits, pattern_labels
from biodl.io.jaspar import fetch_jaspar


def planted(n=40, length=100, seed=0):
    """Noise contributions with a bump of +1 per base over [40, 55) in every even sequence."""
    rng = np.random.default_rng(seed)
    scores = rng.normal(0, 0.05, (n, length))
    scores[::2, 40:55] += 1.0
    return scores


def test_hits_are_the_planted_bumps_and_noise_rarely_passes():
    found = call_hits(planted())
    in_bumps = found["sequence"] % 2 == 0
    assert set(found.loc[in_bumps, "sequence"]) == set(range(0, 40, 2))
    covering = (found["start"] <= 45) & (found["end"] >= 50)
    assert set(found.loc[covering, "sequence"]) == set(range(0, 40, 2))
    assert (~covering).sum() <= 0.3 * len(found)  # the FDR is of windows, and a bump is many: noise stretches pass
    bumps = found.loc[covering]
    assert (found["fdr"] <= 0.05).all() and (bumps["p_value"] < 0.01).all()
    assert call_hits(planted() * 0 + np.random.default_rng(1).normal(0, 1, (40, 100))).shape[0] <= 3
    with pytest.raises(ValueError, match="windows of 10 bases do not fit sequences of 8"):
        call_hits(np.zeros((2, 8)))


def test_windows_of_a_genome_map_hits_to_its_coordinates_on_either_strand():
    table = genome_coordinates(["chr2:1000-1100", "chr2:1000-1100(-)", "seq7"], np.array([10, 10, 10]),
                               np.array([20, 20, 20]))
    assert table.values.tolist() == [["chr2", 1010, 1020], ["chr2", 1080, 1090], ["seq7", 10, 20]]


def test_planted_ctcf_sites_are_hits_named_ctcf_with_precision_and_recall(tmp_path):
    (ctcf,) = fetch_jaspar(["MA0139"])
    site = "".join("ACGT"[i] for i in ctcf.ppm.argmax(axis=1))
    rng = np.random.default_rng(2)
    seqs = ["".join(rng.choice(list("ACGT"), 100)) for _ in range(30)]
    seqs = [s[:30] + site + s[30 + len(site):] if k % 2 == 0 else s for k, s in enumerate(seqs)]
    x = one_hot_encode(seqs).astype(np.float32)
    hypothetical = np.random.default_rng(3).normal(0, 0.02, x.shape).astype(np.float32)
    hypothetical[::2, 30:30 + len(site)] += 0.3
    ids = np.array([f"chr1:{1000 * k}-{1000 * k + 100}" for k in range(30)])
    attributions = Attributions(["bound"], [0], ["deeplift"], {0: x}, {0: ids}, {0: {"deeplift": hypothetical}},
                                [], [])
    truth = pd.DataFrame({"id": ids[::2], "start": 30, "end": 30 + len(site)})
    found = motif_hits(attributions, [], fetch_jaspar(["MA0139", "MA0138", "MA0103"]), truth=truth)
    counts = found.summary["outputs"]["bound"]
    # every site found and named; the FDR is per window, so a few weak noise stretches pass unnamed
    assert counts["recall"] == 1.0 and counts["precision"] >= 0.6 and counts["named"] == 15
    named = found.table.loc[found.table["name"] != "unannotated"]
    assert set(named["name"]) == {"CTCF"} and set(named["sequence_id"]) == set(ids[::2])
    assert found.table.loc[found.table["name"] == "unannotated", "attribution"].max() < 0.1 * named[
        "attribution"].min()
    bed = found.bed()
    assert bed.columns.tolist() == ["chrom", "start", "end", "name", "score", "strand"]
    assert (bed["chrom"] == "chr1").all() and bed["score"].max() == 1000
    ctcf_rows = bed.loc[bed["name"] == "bound:CTCF"]
    assert ((ctcf_rows["start"] % 1000 <= 30) & (ctcf_rows["end"] % 1000 >= 30 + len(site))).all()
    found.write(tmp_path / "hits.bed", tmp_path / "hits.tsv", tmp_path / "hits.json")
    first = (tmp_path / "hits.bed").read_text().splitlines()[0].split("\t")
    assert len(first) == 6 and first[3] == "bound:CTCF"
    pattern = Motif("p1", "p1", one_hot_encode(site) * 0.9 + 0.025)
    labels = pattern_labels(pd.DataFrame({"query": ["p1", "p1"], "target_name": ["CTCFL", "CTCF"],
                                          "p_value": [1e-5, 1e-9], "finding": [False, True]}))
    by_pattern = motif_hits(attributions, [pattern], fetch_jaspar(["MA0139"]), pattern_labels=labels)
    assert labels == {"p1": "CTCF"}
    assert set(by_pattern.table.loc[by_pattern.table["patterns_match"] != "", "name"]) == {"p1 (CTCF)"}
    with pytest.raises(ValueError, match="no ism attributions"):
        motif_hits(attributions, [], [], method="ism")
