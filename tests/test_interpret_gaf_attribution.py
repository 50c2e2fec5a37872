"""GAF CNN attributions mapped to time points: pixel (i, j) shares between segments i and j,
totals are kept, and a model that only looks at one segment gets attributions there."""

import numpy as np
import pytest


def test_pixels_share_between_their_two_segments_and_totals_are_kept():
    from biodl.interpret.gaf_attribution import to_time_points

    pixels = np.zeros((1, 4, 4, 2))
    pixels[0, 1, 3, 0] = 2.0  # segments 1 and 3 of a 12-point series (3 points each)
    pixels[0, 0, 0, 1] = -3.0  # the diagonal: all to segment 0
    times = to_time_points(pixels, 12)
    np.testing.assert_allclose(times[0], [-1, -1, -1, 1 / 3, 1 / 3, 1 / 3, 0, 0, 0, 1 / 3, 1 / 3, 1 / 3])
    assert times.sum() == pytest.approx(pixels.sum())


@pytest.mark.parametrize("on_the_fly", [False, True])
def test_a_model_of_one_segment_is_explained_there(keras, on_the_fly):
    """The logit of class 1 is the image's diagonal pixel (2, 2), both channels (a dense layer
    with those weights): it involves segment 2 of 4 alone, time points 10-14 of 20."""
    from biodl.data.gaf_images import gaf_images
    from biodl.interpret.gaf_attribution import time_attributions
    from biodl.models.gaf_layers import GramianAngularField

    size, length = 4, 20
    weights = np.zeros((size, size, 2, 2), np.float32)
    weights[2, 2, :, 1] = 1.0
    series = np.random.default_rng(0).normal(size=(6, length, 1)).astype(np.float32)
    images = gaf_images(series, size).astype(np.float32)
    inputs = keras.Input((length, 1) if on_the_fly else (size, size, 2))
    h = GramianAngularField(size)(inputs) if on_the_fly else inputs
    head = keras.layers.Dense(2, activation="softmax", name="output")
    model = keras.Model(inputs, head(keras.layers.Flatten()(h)))
    head.set_weights([weights.reshape(-1, 2), np.zeros(2, np.float32)])
    values = time_attributions(model, series, None if on_the_fly else images, np.ones(6, int), steps=4)
    assert values.shape == (6, length)
    assert np.abs(values[:, :10]).max() < 1e-6 and np.abs(values[:, 15:]).max() < 1e-6
    # integrated gradients of a linear logit from a zero image: the logit itself
    np.testing.assert_allclose(values.sum(axis=1), (images * weights[..., 1]).sum(axis=(1, 2, 3)), rtol=1e-3)


def test_multiscale_pixels_go_to_the_segments_of_their_window():
    from biodl.interpret.gaf_attribution import to_time_points

    # scales (1, 2) of a 16-point series at 4 px, one series channel, two encodings:
    # channels (window 0: whole, window 1: first half, window 2: second half) x (gasf, gadf)
    pixels = np.zeros((1, 4, 4, 6))
    pixels[0, 0, 0, 5] = 4.0  # gadf of the second half, its segment 0: points 8-9
    pixels[0, 3, 3, 0] = 8.0  # gasf of the whole, segment 3: points 12-15
    times = to_time_points(pixels, 16, scales=(1, 2), n_encodings=2)
    expected = np.zeros(16)
    expected[8:10], expected[12:16] = 2.0, 2.0
    np.testing.assert_allclose(times[0], expected)
