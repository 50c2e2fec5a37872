"""Training settings: :class:`TrainingSettings` (the one set of ``fit`` options), the loss of
each task, class weights, and :func:`keyword_settings` (a config block checked against the
keyword arguments it feeds)."""

from __future__ import annotations

import copy
import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


LOSSES = {
    "binary": "binary_crossentropy",
    "multilabel": "binary_crossentropy",
    "multiclass": "sparse_categorical_crossentropy",
    "regression": "mse",
}


@dataclass(frozen=True)
class TrainingSettings:
    """How :func:`fit` trains: Adam at ``learning_rate`` on batches of ``batch_size`` for at
    most ``epochs``, stopping after ``patience`` epochs without a lower validation loss.

    Each data type subclasses it with its defaults and augmentation settings
    (:class:`biodl.sequences.SequenceTraining`, :class:`biodl.timeseries.TimeseriesTraining`,
    :class:`biodl.omics.OmicsTraining`).
    """

    epochs: int
    batch_size: int
    learning_rate: float
    patience: int


CLASS_WEIGHTS = ("auto", "balanced", "none")
IMBALANCE_RATIO = 1.5
"""With ``class_weight: auto``, training labels whose largest class outnumbers the smallest
by more than this get balanced class weights."""


def class_weights(y: np.ndarray, task: str, policy: str = "auto") -> dict[int, float] | None:
    """Keras class weights for the training labels of a binary or multiclass task:
    ``n / (classes * count)`` per class (``balanced``), ``None`` (``none``), or balanced only
    when the classes are imbalanced beyond :data:`IMBALANCE_RATIO` (``auto``). Logged when used.
    """
    if policy not in CLASS_WEIGHTS:
        raise ValueError(f"class_weight must be one of {CLASS_WEIGHTS}, got {policy!r}")
    if policy == "none" or task not in ("binary", "multiclass"):
        return None
    labels = np.asarray(y).reshape(len(y), -1)[:, 0].astype(int)
    counts = np.bincount(labels)
    present = counts[counts > 0]
    if policy == "auto" and present.max() <= IMBALANCE_RATIO * present.min():
        return None
    weights = {int(c): float(len(labels) / (len(present) * counts[c])) for c in np.flatnonzero(counts)}
    log.info("class weights %s for training classes of %s examples (class_weight: %s)",
             {c: round(w, 3) for c, w in weights.items()}, counts[counts > 0].tolist(), policy)
    return weights


def keyword_settings(target: Callable, values: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    """``values`` as keyword arguments of ``target`` (a function or a settings class).

    Raises
    ------
    ValueError
        Naming ``what`` and the unknown keys, and listing the known ones.
    """
    values = dict(values or {})
    known = [name for name, p in inspect.signature(target).parameters.items()
             if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"{what}: unknown settings {unknown}; known are {known}")
    return values


def deep_merge(defaults: Mapping, override: Mapping | None) -> dict:
    """``defaults`` with ``override`` merged in, nested mappings key by key."""
    merged = copy.deepcopy(dict(defaults))
    for key, value in (override or {}).items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
