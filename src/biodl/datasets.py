"""The arrays every sequence and time-series model trains on: :class:`EncodedDataset`
(inputs, targets, the split of each sample), saved as one ``.npz``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from biodl.io.files import InputError, PathLike, load_arrays, save_arrays


@dataclass
class EncodedDataset:
    """Model inputs and targets with the split each sample belongs to.

    Attributes
    ----------
    x
        Inputs: ``(N, L, 4)`` one-hot DNA, ``(N, T, C)`` series or ``(N, S, S, K)`` images.
    y
        Targets (see :class:`biodl.targets.Targets`).
    ids, split
        Sample ids, and ``train`` / ``val`` / ``test`` per sample.
    task, names
        The task and the output names (classes for multiclass, label columns otherwise).
    report
        Counts and settings of the preparation, as written to ``report.json``.
    """

    x: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    split: np.ndarray
    task: str
    names: list[str]
    report: dict = field(default_factory=dict)

    def part(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Inputs and targets of one split (``train``, ``val`` or ``test``)."""
        mask = self.split == name
        return self.x[mask], self.y[mask]

    def examples_of(self, output: int, split: str) -> np.ndarray:
        """Indices of the ``split`` samples that are positive for ``output`` (its class, or
        its label = 1); every sample of the split for regression."""
        in_split = self.split == split
        if self.task == "multiclass":
            return np.flatnonzero(in_split & (self.y == output))
        if self.task == "regression":
            return np.flatnonzero(in_split)
        return np.flatnonzero(in_split & (self.y[:, output] == 1))

    def splits_table(self) -> pd.DataFrame:
        """One row per sample: ``id`` and ``split``."""
        return pd.DataFrame({"id": self.ids, "split": self.split})

    def save(self, path: PathLike) -> None:
        """Write to one ``.npz`` file (atomically)."""
        save_arrays(
            path, x=self.x, y=self.y, ids=self.ids.astype(str), split=self.split.astype(str),
            task=np.array(self.task), names=np.array(self.names, dtype=str),
        )

    @classmethod
    def load(cls, path: PathLike) -> "EncodedDataset":
        """Read a dataset written by :meth:`save`."""
        arrays = load_arrays(path)
        return cls(
            x=arrays["x"], y=arrays["y"], ids=arrays["ids"], split=arrays["split"],
            task=str(arrays["task"]), names=[str(n) for n in arrays["names"]],
        )


def check_classes_per_split(y: np.ndarray, task: str, split: np.ndarray, source: str) -> None:
    """Training and test data must each hold every class, or metrics are meaningless.

    Raises
    ------
    InputError
        Naming ``source`` and the split that lacks a class.
    """
    if task not in ("binary", "multiclass", "multilabel"):
        return
    for part in ("train", "test"):
        mask = split == part
        if task == "multiclass":
            present = np.unique(y[mask])
            n_classes = int(y.max()) + 1
            if present.size < n_classes:
                raise InputError(
                    f"{source}: the {part} split has {present.size} of {n_classes} classes; "
                    "use more samples or a different split"
                )
        else:
            for j in range(y.shape[1]):
                if np.unique(y[mask, j]).size < 2:
                    raise InputError(
                        f"{source}: label {j} has a single class in the {part} split; "
                        "use more samples or a different split"
                    )
