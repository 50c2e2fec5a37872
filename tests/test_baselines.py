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


def test_pca_projects_a_row_lacking_an_omic_from_the_features_it_has():
    rng = np.random.default_rng(1)
    latent = rng.normal(size=(200, 2))
    loadings = rng.normal(size=(2, 30))
    x = latent @ loadings + 0.05 * rng.normal(size=(200, 30))
    observed = np.ones_like(x, dtype=bool)
    observed[150:, 20:] = False  # the last 50 rows lack the third "omic" (columns 20-29)
    observed[:10, :10] = False  # and a few training rows lack the first
    stored = np.where(observed, x, 0.0)
    full = baselines.pca_embedding(x[:150], x, 2)
    masked = baselines.pca_embedding(stored[:150], stored, 2, train_observed=observed[:150],
                                     all_observed=observed)
    zeros = baselines.pca_embedding(stored[:150], stored, 2)
    error = np.abs(masked[150:] - full[150:]).mean()
    assert error < 0.05 * np.abs(full).mean()  # as if the omic were there
    assert np.abs(zeros[150:] - full[150:]).mean() > 5 * error  # zeros read as values drift
    for j in range(2):  # complete rows: the same axes (fitted on the complete training rows only)
        assert abs(np.corrcoef(masked[10:150, j], full[10:150, j])[0, 1]) > 0.999


def test_kmer_frequencies_merge_reverse_complements_and_skip_n():
    x = one_hot_encode(["AACGTN", "ACGTTN"])
    two = baselines.kmer_frequencies(x, 2)
    assert two.shape == (2, 10)  # 16 dinucleotides, 10 up to reverse complement
    np.testing.assert_allclose(two.sum(axis=1), 1.0)
    np.testing.assert_allclose(baselines.kmer_frequencies(one_hot_encode(["GATTACA"]), 3),
                               baselines.kmer_frequencies(one_hot_encode(["TGTAATC"]), 3))  # reverse complement
    one = baselines.kmer_frequencies(one_hot_encode(["AAAA"]), 1)
    assert one.tolist() == [[1.0, 0.0]]  # A/T, C/G


def test_kmer_baseline_picks_k_on_validation_and_separates_composition():
    rng = np.random.default_rng(0)
    at_rich = ["".join(rng.choice(list("ACGT"), 60, p=[0.35, 0.15, 0.15, 0.35])) for _ in range(200)]
    gc_rich = ["".join(rng.choice(list("ACGT"), 60, p=[0.15, 0.35, 0.35, 0.15])) for _ in range(200)]
    x = one_hot_encode(at_rich + gc_rich)
    y = np.repeat([0.0, 1.0], 200)[:, None].astype(np.float32)
    order = rng.permutation(400)
    train, val, test = order[:240], order[240:320], order[320:]
    scores, k = baselines.kmer_baseline((x[train], y[train]), (x[val], y[val]), x[test], "binary", ["gc"])
    assert k in baselines.KMER_SIZES and scores.shape == (80, 1)
    assert evaluate.compute_metrics(y[test], scores, "binary", ["gc"])["auroc"] > 0.95
