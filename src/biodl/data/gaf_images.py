"""Time series as images (Wang & Oates 2015): Gramian angular fields, and Markov transition
fields and recurrence plots as extra channels.

Series are ``(N, T, C)`` float arrays (C channels); images are ``(N, S, S, K)`` with one
channel per (series channel, window, encoding). The windows are the multi-scale encoding of
long series: scale ``k`` cuts each series into ``k`` equal windows and encodes each as its
own image, so ``scales=(1, 4)`` gives the whole series and its four quarters, five images
per channel and encoding, each of ``S`` points rather than one ``S``-point summary.
:func:`gaf_images` encodes through pyts; :func:`gaf_tensorflow` computes the same GASF/GADF
with TensorFlow ops, for the Keras layer :class:`biodl.models.gaf_layers.GramianAngularField` that
makes images inside a model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

log = logging.getLogger(__name__)

ENCODINGS = ("gasf", "gadf", "mtf", "recurrence")
GAF_ENCODINGS = ("gasf", "gadf")
"""The Gramian angular fields: the default encodings, and the only ones
:func:`gaf_tensorflow` computes."""
DEFAULT_IMAGE_SIZE = 64
DEFAULT_SCALES = (1,)


def window_bounds(length: int, scales: Sequence[int] = DEFAULT_SCALES) -> list[tuple[int, int]]:
    """``(start, end)`` of every window, scale by scale: scale ``k`` cuts ``length`` points
    into ``k`` windows at ``linspace(0, length, k + 1)`` (cut to integers).

    Raises
    ------
    ValueError
        On an empty, repeated or non-positive scale, or one with windows of under 2 points.
    """
    scales = [int(k) for k in scales]
    if not scales or min(scales) < 1 or len(set(scales)) != len(scales):
        raise ValueError(f"scales must be distinct positive window counts, e.g. [1, 4]; got {scales}")
    if length // max(scales) < 2:
        raise ValueError(f"scale {max(scales)} cuts {length}-point series into windows of under 2 points")
    bounds = []
    for k in scales:
        edges = np.linspace(0, length, k + 1).astype(np.int64)
        bounds.extend(zip(edges[:-1].tolist(), edges[1:].tolist()))
    return bounds


def image_size_for(length: int, image_size: int = DEFAULT_IMAGE_SIZE, scales: Sequence[int] = DEFAULT_SCALES,
                   setting: str = "image_size") -> int:
    """``image_size`` bounded by the shortest window of ``scales`` (the series ``length`` at
    one scale): PAA cannot make more points than a window has. A lowered size is logged,
    naming the config key ``setting``."""
    if image_size < 1:
        raise ValueError(f"{setting} must be at least 1, got {image_size}")
    shortest = _shortest(window_bounds(length, scales))
    if image_size > shortest:
        span = "the series" if shortest == length else f"the shortest window of scales {list(scales)}"
        log.warning("%s %d is longer than %s (%d points): images of %d x %d instead (set %s to choose)",
                    setting, image_size, span, shortest, shortest, shortest, setting)
        return int(shortest)
    return int(image_size)


def _shortest(bounds: Sequence[tuple[int, int]]) -> int:
    return min(end - start for start, end in bounds)


def paa_matrix(length: int, image_size: int) -> np.ndarray:
    """``(length, image_size)`` matrix M with ``PAA(x) = x @ M`` for pyts's piecewise
    aggregate approximation: segment ``s`` averages the points from ``bounds[s]`` up to
    ``bounds[s + 1]``, with ``bounds = linspace(0, length, image_size + 1)`` cut to integers,
    as pyts segments a series. Computed here rather than by pyts, so the TensorFlow path
    does not import pyts, numba and scikit-learn (about 120 MB)."""
    if not 1 <= image_size <= length:
        raise ValueError(f"image_size must be between 1 and the series length {length}, got {image_size}")
    bounds = np.linspace(0, length, image_size + 1).astype(np.int64)
    segment = np.repeat(np.arange(image_size), np.diff(bounds))
    matrix = np.zeros((length, image_size))
    matrix[np.arange(length), segment] = 1.0 / np.diff(bounds)[segment]
    return matrix


def _windows_of_at_least(length: int, image_size: int, scales: Sequence[int]) -> list[tuple[int, int]]:
    """:func:`window_bounds`, refusing an ``image_size`` above the shortest window."""
    bounds = window_bounds(length, scales)
    shortest = _shortest(bounds)
    if not 1 <= image_size <= shortest:
        raise ValueError(f"image_size must be between 1 and the shortest window's {shortest} points "
                         f"({length}-point series, scales {list(scales)}), got {image_size}")
    return bounds


def window_paa_matrix(length: int, image_size: int, scales: Sequence[int] = DEFAULT_SCALES) -> np.ndarray:
    """``(length, image_size, W)`` matrix: slice ``[:, :, w]`` is :func:`paa_matrix` of window
    ``w`` of :func:`window_bounds`, zero outside it, so ``einsum("t,tsw->sw", x, M)`` is the
    PAA of every window of ``x``."""
    bounds = _windows_of_at_least(length, image_size, scales)
    matrix = np.zeros((length, image_size, len(bounds)))
    for w, (start, end) in enumerate(bounds):
        matrix[start:end, :, w] = paa_matrix(end - start, image_size)
    return matrix


def scale_to_unit(values: np.ndarray, low: np.ndarray | None = None, high: np.ndarray | None = None) -> np.ndarray:
    """Min-max scaling of each row to [-1, 1], by its own range or by the given ``low`` and
    ``high`` (broadcast against ``values``; those of the whole series, for its windows); a
    row of no range becomes all zeros (no NaN)."""
    low = values.min(axis=-1, keepdims=True) if low is None else low
    high = values.max(axis=-1, keepdims=True) if high is None else high
    span = high - low
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, np.clip(2 * (values - low) / safe - 1, -1.0, 1.0), 0.0)


def shares_range(scales: Sequence[int]) -> bool:
    """Whether the windows of ``scales`` are scaled by the range of the whole series (any
    multi-scale encoding: a window scaled on its own would show a flat stretch of noise as
    loudly as the series' peak) rather than each by its own (the one window of ``(1,)``,
    as pyts scales a series)."""
    return [int(k) for k in scales] != [1]


def gaf_images(
    series: np.ndarray, image_size: int = DEFAULT_IMAGE_SIZE, encodings: Sequence[str] = GAF_ENCODINGS,
    mtf_bins: int = 8, scales: Sequence[int] = DEFAULT_SCALES,
) -> np.ndarray:
    """Encode ``(N, T, C)`` series as ``(N, S, S, C * W * len(encodings))`` float16 images,
    ``W`` the number of windows of ``scales`` (:func:`window_bounds`; ``(1,)``: one).

    Each window of each channel is reduced to ``image_size`` points by pyts's PAA, scaled to
    [-1, 1] (constant: 0; by the range of the whole series when there are several windows,
    :func:`shares_range`, so that the windows keep their amplitude), then encoded by pyts:
    ``gasf``/``gadf`` (GramianAngularField), ``mtf`` (MarkovTransitionField, ``mtf_bins``
    quantile bins) and ``recurrence`` (RecurrencePlot, scaled to [0, 1]). Channels are
    ordered series channel, then window, then encoding.
    """
    from pyts.approximation import PiecewiseAggregateApproximation
    from pyts.image import GramianAngularField, MarkovTransitionField, RecurrencePlot

    unknown = sorted(set(encodings) - set(ENCODINGS))
    if unknown or not encodings:
        raise ValueError(f"encodings must be a non-empty subset of {ENCODINGS}, got {list(encodings)}")
    series = np.asarray(series, dtype=np.float64)
    if np.isnan(series).any():
        raise ValueError("series contain NaN; fill them first (fill_missing)")
    paa = PiecewiseAggregateApproximation(window_size=None, output_size=image_size, overlapping=False)
    images = []
    windows = _windows_of_at_least(series.shape[1], image_size, scales)
    ranges = (series.min(axis=1), series.max(axis=1)) if shares_range(scales) else None  # (N, C) each
    for c, (start, end) in ((c, window) for c in range(series.shape[2]) for window in windows):
        bounds = (ranges[0][:, c:c + 1], ranges[1][:, c:c + 1]) if ranges else ()
        reduced = scale_to_unit(paa.fit_transform(series[:, start:end, c]), *bounds)
        for encoding in encodings:
            if encoding in GAF_ENCODINGS:
                method = "summation" if encoding == "gasf" else "difference"
                image = GramianAngularField(image_size=image_size, sample_range=None,
                                            method=method).fit_transform(reduced)
            elif encoding == "mtf":
                jitter = np.arange(image_size) * 1e-9  # constant series get distinct quantiles
                image = MarkovTransitionField(n_bins=mtf_bins, strategy="quantile").fit_transform(reduced + jitter)
            else:
                image = RecurrencePlot().fit_transform(reduced) / 2.0
            images.append(image)
    return np.stack(images, axis=-1).astype(np.float16)


def gaf_tensorflow(series, image_size: int = DEFAULT_IMAGE_SIZE, encodings: Sequence[str] = GAF_ENCODINGS,
                   scales: Sequence[int] = DEFAULT_SCALES):
    """GASF / GADF of ``(N, T, C)`` series with TensorFlow ops (the numbers of
    :func:`gaf_images` within 1e-5, channels in the same order), as float32
    ``(N, S, S, C * W * len(encodings))``.

    PAA, the scaling and the angles run in float64 (float32 PAA sums drift by ~1e-5, as long
    series add many terms); the fields, ``S * S`` values per series and nearly all of the
    work and memory, run in float32, whose rounding (~1e-7) stays far inside the tolerance.
    The fields are built channel-last, so no transposed copy of the images is made.
    """
    import tensorflow as tf

    if set(encodings) - set(GAF_ENCODINGS) or not encodings:
        raise ValueError(f"the TensorFlow path computes {' and '.join(GAF_ENCODINGS)} only, got {list(encodings)}")
    series = tf.cast(tf.convert_to_tensor(series), tf.float64)
    length = int(series.shape[1])
    matrix = tf.constant(window_paa_matrix(length, image_size, scales), dtype=tf.float64)
    reduced = tf.einsum("ntc,tsw->nscw", series, matrix)  # (N, S, C, W)
    if shares_range(scales):
        low = tf.reduce_min(series, axis=1)[:, None, :, None]
        span = tf.reduce_max(series, axis=1)[:, None, :, None] - low
    else:
        low = tf.reduce_min(reduced, axis=1, keepdims=True)
        span = tf.reduce_max(reduced, axis=1, keepdims=True) - low
    scaled = tf.where(span > 0, 2 * (reduced - low) / tf.where(span > 0, span, tf.ones_like(span)) - 1, 0.0)
    scaled = tf.clip_by_value(scaled, -1.0, 1.0)
    # sin in float64 too: near cos = +-1 its slope is steep enough to turn float32 rounding
    # of cos into errors above 1e-5
    cos = tf.cast(scaled, tf.float32)
    sin = tf.cast(tf.sqrt(tf.clip_by_value(1 - scaled * scaled, 0.0, 1.0)), tf.float32)
    rows = lambda a: a[:, :, None]  # noqa: E731  (N, S, 1, C, W)
    columns = lambda a: a[:, None, :]  # noqa: E731  (N, 1, S, C, W)
    fields = {"gasf": lambda: rows(cos) * columns(cos) - rows(sin) * columns(sin),
              "gadf": lambda: rows(sin) * columns(cos) - rows(cos) * columns(sin)}
    images = tf.stack([fields[e]() for e in encodings], axis=-1)  # (N, S, S, C, W, E)
    shape = tf.shape(images)
    return tf.reshape(images, (shape[0], image_size, image_size, -1))
