import numpy as np
import pytest

from biodl.data.gaf_images import gaf_images, gaf_tensorflow, image_size_for, paa_matrix, window_bounds


@pytest.mark.parametrize("length, size", [(150, 64), (37, 10), (20, 20)])
def test_tensorflow_gaf_equals_pyts(length, size):
    from pyts.image import GramianAngularField

    rng = np.random.default_rng(length)
    series = rng.normal(size=(6, length, 1)).cumsum(axis=1)
    ours = np.asarray(gaf_tensorflow(series, size, ("gasf", "gadf")))
    for k, method in enumerate(("summation", "difference")):
        reference = GramianAngularField(image_size=size, method=method).fit_transform(series[:, :, 0])
        np.testing.assert_allclose(ours[..., k], reference, atol=1e-5)
    np.testing.assert_allclose(gaf_images(series, size).astype(np.float32), ours, atol=2e-3)  # float16 storage


def test_tensorflow_gaf_orders_channels_like_pyts_for_several_series_channels():
    series = np.random.default_rng(1).normal(size=(5, 40, 3)).cumsum(axis=1)
    ours = np.asarray(gaf_tensorflow(series, 12, ("gasf", "gadf")))
    assert ours.shape == (5, 12, 12, 6) and ours.dtype == np.float32
    np.testing.assert_allclose(gaf_images(series, 12).astype(np.float32), ours, atol=2e-3)
    np.testing.assert_allclose(np.asarray(gaf_tensorflow(series, 12, ("gadf",))), ours[..., 1::2], atol=1e-6)


def test_tensorflow_gaf_stays_within_1e5_of_pyts_next_to_the_extremes():
    """Where the scaled series nears +-1 the angle's sine is steep: float32 there would drift."""
    from pyts.image import GramianAngularField

    top = 1 - np.logspace(-12, -4, 30)
    series = np.concatenate([top, -top, np.linspace(-1, 1, 40)])[None, :, None]
    ours = np.asarray(gaf_tensorflow(series, 100))
    for k, method in enumerate(("summation", "difference")):
        reference = GramianAngularField(image_size=100, method=method).fit_transform(series[:, :, 0])
        np.testing.assert_allclose(ours[..., k], reference, atol=1e-5)


@pytest.mark.parametrize("length", [1, 2, 7, 24, 64, 100, 511, 512, 1460])
def test_paa_matrix_equals_pyts_paa(length):
    from pyts.approximation import PiecewiseAggregateApproximation

    for size in sorted({1, 2, 3, 10, 24, 63, 64, length // 2 or 1, length - 1 or 1, length}):
        if size <= length:
            paa = PiecewiseAggregateApproximation(window_size=None, output_size=size, overlapping=False)
            np.testing.assert_allclose(paa_matrix(length, size), paa.fit_transform(np.eye(length)), atol=1e-15,
                                       err_msg=f"length {length}, size {size}")


def test_constant_series_give_finite_images():
    images = gaf_images(np.full((3, 30, 2), 4.2), 8, ("gasf", "gadf", "mtf", "recurrence"))
    assert images.shape == (3, 8, 8, 8) and images.dtype == np.float16
    assert np.isfinite(images.astype(np.float32)).all()
    assert np.isfinite(np.asarray(gaf_tensorflow(np.zeros((2, 30, 1)), 8))).all()


def test_refusals():
    with pytest.raises(ValueError, match="fill them first"):
        gaf_images(np.array([[[1.0], [np.nan], [3.0]]]), 2)
    with pytest.raises(ValueError, match="non-empty subset"):
        gaf_images(np.zeros((1, 10, 1)), 4, ("gasf", "wavelet"))
    with pytest.raises(ValueError, match="computes gasf and gadf only"):
        gaf_tensorflow(np.zeros((1, 10, 1)), 4, ("mtf",))
    with pytest.raises(ValueError, match="between 1 and the series length 10"):
        paa_matrix(10, 24)


def test_window_bounds_cut_each_scale_into_equal_windows():
    assert window_bounds(10, [1, 2]) == [(0, 10), (0, 5), (5, 10)]
    assert window_bounds(1460, [1, 4])[1:] == [(0, 365), (365, 730), (730, 1095), (1095, 1460)]
    assert image_size_for(150, 64, [1, 4]) == 37  # the shortest quarter
    with pytest.raises(ValueError, match="distinct positive"):
        window_bounds(10, [1, 1])
    with pytest.raises(ValueError, match="windows of under 2 points"):
        window_bounds(10, [6])


def test_multiscale_windows_are_encoded_alone_in_both_paths_on_the_whole_series_range():
    series = np.random.default_rng(2).normal(size=(4, 100, 2)).cumsum(axis=1)
    ours = np.asarray(gaf_tensorflow(series, 10, ("gasf", "gadf"), scales=(1, 4)))
    assert ours.shape == (4, 10, 10, 2 * 5 * 2)
    np.testing.assert_allclose(gaf_images(series, 10, scales=(1, 4)).astype(np.float32), ours, atol=2e-3)
    # channel order: series channel, window, encoding; window 3 of scale 4 is points 50-74,
    # its PAA scaled by the whole channel's range
    edges = np.linspace(0, 25, 11).astype(int)
    paa = np.stack([series[:, 50 + a:50 + b, 1].mean(axis=1) for a, b in zip(edges[:-1], edges[1:])], axis=1)
    low, high = series[:, :, 1].min(axis=1, keepdims=True), series[:, :, 1].max(axis=1, keepdims=True)
    cos = 2 * (paa - low) / (high - low) - 1
    sin = np.sqrt(1 - cos**2)
    gasf = cos[:, :, None] * cos[:, None, :] - sin[:, :, None] * sin[:, None, :]
    np.testing.assert_allclose(ours[..., 10 + 3 * 2], gasf, atol=1e-5)
    # the whole series at scale 1 alone keeps its own range, as pyts scales it
    single = np.asarray(gaf_tensorflow(series[..., :1], 10))
    np.testing.assert_allclose(gaf_images(series[..., :1], 10).astype(np.float32), single, atol=2e-3)
    with pytest.raises(ValueError, match="shortest window's 25 points"):
        gaf_images(series, 30, scales=(1, 4))


def test_a_quiet_window_stays_quiet_beside_the_series_peak():
    t = np.arange(200)
    series = (0.01 * np.sin(t / 3) + 5.0 * np.exp(-((t - 150) / 10.0) ** 2))[None, :, None]
    images = gaf_images(series, 16, encodings=("gasf",), scales=(1, 4)).astype(np.float32)
    quiet, peak = images[0, :, :, 1], images[0, :, :, 4]  # first and last quarter
    assert np.ptp(quiet) < 0.05 and np.ptp(peak) > 1.5
