import numpy as np
import pytest

from biodl.data.dna import one_hot_encode
from biodl.data.simulate import simulate_dna
from biodl.evaluation import baselines
from biodl.evaluation import metrics as evaluate
from biodl.io.jaspar import fetch_jaspar


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


def _slow_dtw(a, b, band):
    """Textbook DTW (full cost matrix), to check the numba kernel against."""
    n = len(a)
    cost = np.full((n + 1, n + 1), np.inf)
    cost[0, 0] = 0
    for i in range(1, n + 1):
        for j in range(max(1, i - band), min(n, i + band) + 1):
            cost[i, j] = np.sum((a[i - 1] - b[j - 1]) ** 2) + min(cost[i - 1, j], cost[i - 1, j - 1], cost[i, j - 1])
    return np.sqrt(cost[n, n])


def test_dtw_matches_the_textbook_recursion_and_is_euclidean_without_a_band():
    from biodl.evaluation.dtw import dtw_distances

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 20, 2)), rng.normal(size=(4, 20, 2))
    for window in (0.0, 0.1, 0.5, 1.0):
        expected = [[_slow_dtw(x, y, round(window * 20)) for y in b] for x in a]
        assert np.allclose(dtw_distances(a, b, window), expected)
    euclidean = np.sqrt(((a[:, None] - b[None]) ** 2).sum(axis=(2, 3)))
    assert np.allclose(dtw_distances(a, b, 0.0), euclidean)
    shifted = np.roll(np.sin(np.linspace(0, 6, 50)), 3)[None]  # a small shift costs DTW little, Euclid a lot
    original = np.sin(np.linspace(0, 6, 50))[None]
    assert dtw_distances(original, shifted, 0.1)[0, 0] < 0.5 * dtw_distances(original, shifted, 0.0)[0, 0]
    with pytest.raises(ValueError, match="series shapes differ"):
        dtw_distances(a, b[:, :10], 0.1)


def test_dtw_nearest_neighbour_learns_its_band_on_the_training_series():
    from biodl.evaluation.dtw import dtw_distances

    rng = np.random.default_rng(1)
    t = np.linspace(0, 1, 60)
    y = np.repeat([0, 1], 30)  # a narrow or a wide bump, anywhere
    x = np.stack([np.exp(-(((t - rng.uniform(0.25, 0.75)) / (0.03 if c == 0 else 0.09)) ** 2)) for c in y])
    x += rng.normal(scale=0.05, size=x.shape)
    train, test = np.arange(60) % 2 == 0, np.arange(60) % 2 == 1
    scores, window = baselines.dtw_nearest_neighbour(x[train], y[train], x[test], 2)
    leave_one_out = []
    for candidate in baselines.DTW_WINDOWS:
        distances = dtw_distances(x[train], x[train], candidate)
        np.fill_diagonal(distances, np.inf)
        leave_one_out.append(np.mean(y[train][distances.argmin(axis=1)] == y[train]))
    assert window == baselines.DTW_WINDOWS[int(np.argmax(leave_one_out))] and window > 0
    euclidean = baselines.nearest_neighbour(x[train], y[train], x[test], 2)
    dtw_accuracy = (scores.argmax(axis=1) == y[test]).mean()
    assert dtw_accuracy >= 0.9 and dtw_accuracy > (euclidean.argmax(axis=1) == y[test]).mean()
    probabilities = baselines.weasel_logistic(x[train], y[train], x[test], 2)
    assert probabilities.shape == (30, 2) and np.allclose(probabilities.sum(axis=1), 1)
    given = {w: dtw_distances(x[train], x[train], w) for w in baselines.DTW_WINDOWS}
    kept = {w: d.copy() for w, d in given.items()}
    same, same_window = baselines.dtw_nearest_neighbour(x[train], y[train], x[test], 2, train_distances=given)
    assert same_window == window and np.array_equal(same, scores)
    assert all(np.array_equal(given[w], kept[w]) for w in given)  # the caller's matrices are left as they were


def test_weasel_on_too_few_series_for_its_entropy_bins_cuts_them_at_quantiles(caplog):
    import logging

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(6, 60)), np.array([0, 1, 2, 0, 1, 2])
    with caplog.at_level(logging.INFO, logger="biodl.evaluation.baselines"):
        probabilities = baselines.weasel_logistic(x, y, x[:4], 3)
    assert "bins at quantiles instead" in caplog.text
    assert probabilities.shape == (4, 3) and np.allclose(probabilities.sum(axis=1), 1)


@pytest.mark.parametrize("length", [3, 8, 24, 40])
def test_weasel_fits_any_series_length_the_24_point_sets_included(length):
    word, windows = baselines.weasel_windows(length)
    assert word == min(4, length - 1) and min(windows) > word and max(windows) <= length
    assert windows == sorted(set(windows))
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1], 20)
    t = np.linspace(0, 1, length)
    x = np.sin(2 * np.pi * np.where(y[:, None] == 1, 5, 1) * t + rng.uniform(0, 6, (40, 1)))  # slow or fast waves
    x = x + rng.normal(0, 0.3, x.shape)
    try:
        probabilities = baselines.weasel_logistic(x[::2], y[::2], x[1::2], 2)
    except ValueError as err:  # the words of very short series may all fail WEASEL's chi2 filter: said so
        assert length < 24 and f"WEASEL kept no word of these {length}-point series" in str(err)
        return
    assert probabilities.shape == (20, 2) and np.allclose(probabilities.sum(axis=1), 1)
    if length >= 24:
        assert (probabilities.argmax(axis=1) == y[1::2]).mean() > 0.7
    with pytest.raises(ValueError, match="at least 2 points"):
        baselines.weasel_windows(1)
