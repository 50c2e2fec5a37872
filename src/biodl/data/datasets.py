"""The arrays every sequence and time-series model trains on: :class:`EncodedDataset`
(inputs, targets, the split of each sample), saved as one ``.npz``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from biodl.io.arrays import StoredRows, npz_writer, stored_rows
from biodl.io.files import InputError, PathLike, load_arrays


@dataclass
class EncodedDataset:
    """Model inputs and targets with the split each sample belongs to.

    Attributes
    ----------
    x
        Inputs: ``(N, L, 4)`` one-hot DNA, ``(N, T, C)`` series or ``(N, S, S, K)`` images;
        a numpy array, or :class:`biodl.io.arrays.StoredRows` read from the file batch by
        batch (``load(path, stream=True)``).
    y
        Targets (see :class:`biodl.data.targets.Targets`).
    ids, split
        Sample ids, and ``train`` / ``val`` / ``test`` per sample.
    task, names
        The task and the output names (classes for multiclass, label columns otherwise).
    report
        Counts and settings of the preparation, as written to ``report.json``.
    """

    x: np.ndarray | StoredRows
    y: np.ndarray
    ids: np.ndarray
    split: np.ndarray
    task: str
    names: list[str]
    report: dict = field(default_factory=dict)

    def part(self, name: str) -> tuple[np.ndarray | StoredRows, np.ndarray]:
        """Inputs and targets of one split (``train``, ``val`` or ``test``); the inputs of a
        streamed dataset stay on disk (a :class:`~biodl.io.arrays.StoredRows` view)."""
        rows = np.flatnonzero(self.split == name)
        x = self.x.take(rows) if isinstance(self.x, StoredRows) else self.x[rows]
        return x, self.y[rows]

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
        """Write to one uncompressed ``.npz`` file (atomically)."""
        with npz_writer(path) as archive:
            archive.add("x", self.x)
            self.save_labels(archive)

    def save_labels(self, archive) -> None:
        """Write everything but ``x`` into an open :func:`~biodl.io.arrays.npz_writer` archive."""
        for name, array in (("y", self.y), ("ids", self.ids.astype(str)), ("split", self.split.astype(str)),
                            ("task", np.array(self.task)), ("names", np.array(self.names, dtype=str))):
            archive.add(name, array)

    @classmethod
    def load(cls, path: PathLike, stream: bool = False) -> "EncodedDataset":
        """Read a dataset written by :meth:`save` (or :func:`biodl.sequences.prepare`).

        Parameters
        ----------
        stream
            Leave the inputs in the file and read them batch by batch when used
            (:class:`~biodl.io.arrays.StoredRows`): memory stays flat however many
            sequences there are. Targets, ids and splits are read whole.
        """
        arrays = load_arrays(path, skip=("x",) if stream else (), required=("x", "y", "ids", "split", "task", "names"),
                             what="a dataset of prepare-sequences or prepare-timeseries")
        return cls(
            x=stored_rows(path, "x") if stream else arrays["x"], y=arrays["y"], ids=arrays["ids"],
            split=arrays["split"], task=str(arrays["task"]), names=[str(n) for n in arrays["names"]],
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
