"""Label columns -> model targets, with the task (binary, multi-class, ...) inferred or checked."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

TASKS = ("auto", "binary", "multiclass", "multilabel", "regression")
CLASSIFICATION_TASKS = ("binary", "multiclass", "multilabel")


@dataclass
class Targets:
    """Model targets and what they mean.

    Attributes
    ----------
    y
        ``int64 (N,)`` class indices for multiclass, else ``float32 (N, K)``.
    task
        One of binary, multiclass, multilabel, regression.
    names
        Output names: class names for multiclass, label columns otherwise.
    value_maps
        For binary/multilabel string labels, column -> [negative value, positive value].
    """

    y: np.ndarray
    task: str
    names: list[str]
    value_maps: dict[str, list[str]] = field(default_factory=dict)

    @property
    def n_outputs(self) -> int:
        return len(self.names)

    @property
    def strata(self) -> np.ndarray | None:
        """One stratum per sample for splitting: the class, or the first label."""
        if self.task == "multiclass":
            return self.y
        if self.task in ("binary", "multilabel"):
            return self.y[:, 0].astype(int)
        return None


def _is_binary_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and set(column.unique()) <= {0, 1}


def infer_task(table: pd.DataFrame) -> str:
    """Guess the task from label columns: 0/1 -> binary or multilabel, one text or
    categorical column -> binary (two values) or multiclass, numbers -> regression."""
    numeric = [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    if all(_is_binary_numeric(table[c]) for c in table.columns):
        return "binary" if table.shape[1] == 1 else "multilabel"
    if all(numeric):
        return "regression"
    if table.shape[1] == 1:
        return "binary" if table.iloc[:, 0].nunique() == 2 else "multiclass"
    raise ValueError(
        f"cannot infer the task from label columns {list(table.columns)} (text and several "
        "columns); set task to binary, multiclass, multilabel or regression"
    )


def encode_targets(
    labels: pd.DataFrame, columns: Sequence[str] | None, task: str, source: str = "labels"
) -> Targets:
    """Turn label columns into targets for ``task`` (or the inferred one for ``auto``).

    Parameters
    ----------
    labels
        Table indexed by sample id.
    columns
        Label columns to use; ``None`` or empty means every column except ``split``.
    task
        One of :data:`TASKS`.
    source
        File name for error messages.

    Raises
    ------
    ValueError
        On a missing column, an empty cell, a column with one class, or values that do not
        fit the task; each message names the column and, where it helps, the sample.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    columns = list(columns) if columns else [c for c in labels.columns if c != "split"]
    if not columns:
        raise ValueError(f"{source}: no label columns (only id and split found)")
    missing = [c for c in columns if c not in labels.columns]
    if missing:
        raise ValueError(f"{source}: label columns {missing} not found; columns are {list(labels.columns)}")
    table = labels[columns]
    for column in columns:
        empty = table[column].isna()
        if empty.any():
            raise ValueError(
                f"{source}: column {column!r} is empty for {int(empty.sum())} samples, e.g. "
                f"{table.index[empty][0]!r}; fill them or drop those rows"
            )
    if task == "auto":
        task = infer_task(table)
        log.info("task inferred from %s: %s", source, task)

    if task == "multiclass":
        if len(columns) != 1:
            raise ValueError(f"{source}: multiclass needs one label column, got {columns}")
        values = table[columns[0]].astype(str)
        classes = sorted(values.unique())
        if len(classes) < 2:
            raise ValueError(f"{source}: column {columns[0]!r} has one class ({classes[0]!r}); need at least two")
        y = values.map({c: i for i, c in enumerate(classes)}).to_numpy(np.int64)
        return Targets(y, task, classes)

    if task == "regression":
        converted = table.apply(pd.to_numeric, errors="coerce")
        bad = converted.isna() & table.notna()
        if bad.to_numpy().any():
            col = bad.any().idxmax()
            sample = bad.index[bad[col]][0]
            raise ValueError(
                f"{source}: column {col!r}, sample {sample!r}: {table.loc[sample, col]!r} is not a number"
            )
        infinite = np.isinf(converted.to_numpy(np.float64))
        if infinite.any():
            row, col = np.argwhere(infinite)[0]
            raise ValueError(f"{source}: column {columns[col]!r}, sample {table.index[row]!r}: "
                             f"{str(table.iat[row, col])!r} is not a finite number")
        return Targets(converted.to_numpy(np.float32), task, columns)

    if task == "binary" and len(columns) != 1:
        raise ValueError(f"{source}: binary needs one label column, got {columns}; use multilabel")
    y = np.empty((len(table), len(columns)), dtype=np.float32)
    value_maps: dict[str, list[str]] = {}
    for j, column in enumerate(columns):
        values = table[column]
        distinct = sorted((v.item() if hasattr(v, "item") else v for v in values.unique()), key=str)
        if len(distinct) != 2:
            raise ValueError(
                f"{source}: column {column!r} has {len(distinct)} distinct values "
                f"({', '.join(map(repr, distinct[:5]))}); a {task} label needs exactly two"
            )
        if _is_binary_numeric(values):
            y[:, j] = values.to_numpy(np.float32)
        else:
            negative, positive = (str(v) for v in distinct)
            value_maps[column] = [negative, positive]
            y[:, j] = (values.astype(str) == positive).to_numpy(np.float32)
            log.info("%s: column %r: %r -> 0, %r -> 1", source, column, negative, positive)
    return Targets(y, task, columns, value_maps)
