import numpy as np

from biodl import baselines, evaluate
from biodl.dna import one_hot_encode
from biodl.io.jaspar import fetch_jaspar
from biodl.simulate import simulate_dna


def test_pwm_baseline_separates_planted_classes_and_only_with_the_right_motif():
    ids, seqs, labels, _ = simulate_dna({"bg": [], "ctcf": ["MA0139"]}, n_per_class=150, length=100, seed=1)
    x = one_hot_encode(seqs)
    y = (labels["class"] == "ctcf").to_numpy(np.float32)[:, None]
    idx = np.random.default_rng(0).permutation(len(y))
    train, test = idx[:200], idx[200:]

    def auroc(motif_id):
        scores = baselines.pwm_scan_baseline(x[train], y[train], x[test], "binary", fetch_jaspar([motif_id]))
        return evaluate.compute_metrics(y[test], scores, "binary", ["ctcf"])["auroc"]

    assert auroc("MA0139") > 0.95
    assert auroc("MA0138") < 0.7  # REST, not planted: near chance


def test_nearest_neighbour_returns_the_closest_class():
    train = np.array([[0.0, 0.0], [10.0, 10.0]])
    scores = baselines.nearest_neighbour(train, np.array([0, 1]), np.array([[1.0, 0.5], [9.0, 8.0]]), 3)
    np.testing.assert_array_equal(scores, [[1, 0, 0], [0, 1, 0]])


def test_pca_is_fitted_on_the_training_rows_only():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(50, 5)) * np.array([10, 1, 1, 1, 1])
    outlier = np.array([[0, 0, 0, 0, 1000.0]])
    z = baselines.pca_embedding(train, np.vstack([train, outlier]), 1)
    # the main axis is the training rows' first feature; fitted on all rows it would be the
    # outlier's 5th feature, projecting it to about 1000
    assert abs(z[-1, 0]) < 100 and np.corrcoef(z[:50, 0], train[:, 0])[0, 1] ** 2 > 0.99
