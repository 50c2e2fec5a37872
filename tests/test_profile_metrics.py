"""Profile metrics against scipy and by construction: Jensen-Shannon distance, per-window
profile Pearson, count correlations in peaks and overall, the average profile."""

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from biodl.evaluation.profile_metrics import (
    average_profile,
    jensen_shannon_distance,
    kmer_count_baseline,
    profile_metrics,
    softmax_profiles,
)


def test_jensen_shannon_distance_is_scipys_with_zeros_allowed():
    rng = np.random.default_rng(0)
    p = rng.poisson(1.0, size=(5, 30)).astype(float)
    q = rng.random((5, 30))
    expected = [jensenshannon(p[i], q[i]) for i in range(5)]
    np.testing.assert_allclose(jensen_shannon_distance(p, q), expected, rtol=1e-10)
    assert jensen_shannon_distance(p, p) == pytest.approx(np.zeros(5), abs=1e-7)


def test_perfect_profiles_and_counts_score_perfectly_and_shuffled_ones_do_not():
    rng = np.random.default_rng(1)
    observed = rng.poisson(rng.gamma(2.0, 1.0, size=(40, 50, 1)) * rng.gamma(2, 2, size=(40, 1, 1)))
    observed[30:] = rng.poisson(0.05, size=(10, 50, 1))  # background windows: few counts
    is_peak = np.arange(40) < 30
    totals = np.log1p(observed.sum(axis=1))
    perfect = profile_metrics(observed, observed + 1e-9, totals, is_peak, ["t"])
    assert perfect["count_pearson_peaks"] == pytest.approx(1) and perfect["count_spearman_all"] == pytest.approx(1)
    assert perfect["profile_pearson_median"] == pytest.approx(1) and perfect["profile_jsd_median"] < 1e-3
    assert perfect["per_track"]["t"]["peak_windows"] == 30 and perfect["per_track"]["t"]["windows"] == 40
    shuffled = profile_metrics(observed, observed[::-1] + 1e-9, totals[::-1], is_peak, ["t"])
    assert shuffled["profile_jsd_median"] > 0.2 and shuffled["count_pearson_peaks"] < 0.5
    expected_peaks = stats.pearsonr(totals[is_peak, 0], totals[::-1][is_peak, 0])[0]
    assert shuffled["count_pearson_peaks"] == pytest.approx(expected_peaks)


def test_average_profile_weighs_every_peak_window_alike_and_skips_empty_ones():
    observed = np.zeros((3, 4, 1))
    observed[0, 0, 0] = 100
    observed[1, 3, 0] = 1
    profile = average_profile(observed, np.array([True, True, True]))
    np.testing.assert_allclose(profile[:, 0], [0.5, 0, 0, 0.5])
    assert average_profile(observed, np.array([False, True, False]))[3, 0] == 1


def test_softmax_profiles_normalise_per_window_and_track():
    logits = np.random.default_rng(2).normal(size=(2, 7, 3)) * 50
    np.testing.assert_allclose(softmax_profiles(logits).sum(axis=1), 1)


def test_the_kmer_count_baseline_learns_a_count_that_follows_gc():
    rng = np.random.default_rng(3)
    gc = rng.uniform(0.2, 0.8, 300)
    bases = np.where(rng.random((300, 80)) < gc[:, None], rng.integers(1, 3, (300, 80)), rng.choice([0, 3], (300, 80)))
    x = np.eye(4, dtype=np.float32)[bases]
    y = (3 * gc + rng.normal(0, 0.1, 300))[:, None]
    predicted, k = kmer_count_baseline((x[:200], y[:200]), (x[200:250], y[200:250]), x[250:], sizes=(1, 2, 3))
    assert predicted.shape == (50, 1) and k in (1, 2, 3)
    assert np.corrcoef(predicted[:, 0], y[250:, 0])[0, 1] > 0.8
