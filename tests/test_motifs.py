import numpy as np
import pandas as pd

from biodl import baselines, evaluate
from biodl.motifs import fetch_jaspar, scan_max
from biodl.sequence import one_hot_encode, reverse_complement
from biodl.simulate import simulate_dna


def test_fetch_jaspar_offline_gives_probabilities():
    (ctcf,) = fetch_jaspar(["MA0139"], "JASPAR2024")
    assert ctcf.id.startswith("MA0139") and ctcf.name == "CTCF" and ctcf.width == 15
    np.testing.assert_allclose(ctcf.ppm.sum(axis=1), 1.0)


def test_unknown_motif_and_release_are_clear_errors():
    import pytest

    with pytest.raises(ValueError, match="MA9999.1' is not in JASPAR2024"):
        fetch_jaspar(["MA9999.1"])
    with pytest.raises(ValueError, match="JASPAR1990"):
        fetch_jaspar(["MA0139"], "JASPAR1990")


def test_scan_finds_consensus_on_both_strands():
    (ctcf,) = fetch_jaspar(["MA0139"])
    consensus = "".join("ACGT"[i] for i in ctcf.ppm.argmax(axis=1))
    background = "T" * 60
    forward = background[:20] + consensus + background[20 + ctcf.width:]
    reverse = background[:30] + reverse_complement(consensus) + background[30 + ctcf.width:]
    scores = scan_max(one_hot_encode([background, forward, reverse]), ctcf.pwm())
    best = ctcf.pwm().max(axis=1).sum()
    np.testing.assert_allclose(scores[1:], best, rtol=1e-5)
    assert scores[0] < 0


def test_simulated_sites_are_where_the_truth_table_says():
    ids, seqs, labels, truth = simulate_dna({"bg": [], "ctcf": ["MA0139"]}, n_per_class=30, length=80, seed=5)
    assert labels["class"].value_counts().to_dict() == {"bg": 30, "ctcf": 30}
    assert len(truth) == 30 and set(truth["class"]) == {"ctcf"}
    (ctcf,) = fetch_jaspar(["MA0139"])
    by_id = dict(zip(ids, seqs))
    site_scores = [
        scan_max(one_hot_encode([by_id[row.id][row.start:row.end]]), ctcf.pwm())[0]
        for row in truth.itertuples()
    ]
    assert np.median(site_scores) > 10  # planted sites score far above random 19-mers


def test_pwm_baseline_separates_simulated_classes():
    ids, seqs, labels, _ = simulate_dna({"bg": [], "ctcf": ["MA0139"]}, n_per_class=150, length=100, seed=1)
    x = one_hot_encode(seqs)
    y = (labels["class"] == "ctcf").to_numpy(np.float32)[:, None]
    idx = np.random.default_rng(0).permutation(len(y))
    train, test = idx[:200], idx[200:]
    scores = baselines.pwm_scan_baseline(x[train], y[train], x[test], "binary", fetch_jaspar(["MA0139"]))
    assert evaluate.compute_metrics(y[test], scores, "binary", ["ctcf"])["auroc"] > 0.95
    assert isinstance(labels, pd.DataFrame)
