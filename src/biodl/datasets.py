"""Encoded, labelled and split datasets: the arrays every model trains on.

:func:`prepare_sequences` turns a FASTA file and a label table into a
:class:`EncodedDataset` (one-hot DNA, targets, split per sample), saved as one ``.npz``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from biodl import io, splits
from biodl.sequence import one_hot_encode
from biodl.targets import CLASSIFICATION_TASKS, encode_targets

log = logging.getLogger(__name__)


@dataclass
class EncodedDataset:
    """Model inputs and targets with the split each sample belongs to."""

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

    def save(self, path: io.PathLike) -> None:
        """Write to one ``.npz`` file (atomically)."""
        io.save_arrays(
            path, x=self.x, y=self.y, ids=self.ids.astype(str), split=self.split.astype(str),
            task=np.array(self.task), names=np.array(self.names, dtype=str),
        )

    @classmethod
    def load(cls, path: io.PathLike) -> "EncodedDataset":
        """Read a dataset written by :meth:`save`."""
        arrays = io.load_arrays(path)
        return cls(
            x=arrays["x"], y=arrays["y"], ids=arrays["ids"], split=arrays["split"],
            task=str(arrays["task"]), names=[str(n) for n in arrays["names"]],
        )


def align_ids(
    fasta_ids: Sequence[str], label_ids: Sequence[str], fasta_path: str, labels_path: str
) -> tuple[np.ndarray, dict]:
    """Indices of FASTA records that have labels, and a report of what was left out.

    Records without labels and labels without records are counted and logged with an
    example, never dropped silently.

    Raises
    ------
    io.InputError
        If no record has a label.
    """
    labelled = set(label_ids)
    keep = np.array([i for i, name in enumerate(fasta_ids) if name in labelled], dtype=np.int64)
    in_fasta = set(fasta_ids)
    unlabelled = len(fasta_ids) - keep.size
    no_sequence = [name for name in label_ids if name not in in_fasta]
    report = {
        "fasta_records": len(fasta_ids), "label_rows": len(label_ids), "used": int(keep.size),
        "fasta_records_without_label": unlabelled, "labels_without_sequence": len(no_sequence),
    }
    if keep.size == 0:
        raise io.InputError(
            f"no FASTA record in {fasta_path} has a label in {labels_path}: ids do not match "
            f"(FASTA e.g. {fasta_ids[0]!r}, labels e.g. {label_ids[0]!r})"
        )
    if unlabelled:
        example = next(name for name in fasta_ids if name not in labelled)
        log.warning("%d of %d FASTA records in %s have no label in %s and are left out (e.g. %r)",
                    unlabelled, len(fasta_ids), fasta_path, labels_path, example)
    if no_sequence:
        log.warning("%d of %d label rows in %s have no sequence in %s and are left out (e.g. %r)",
                    len(no_sequence), len(label_ids), labels_path, fasta_path, no_sequence[0])
    return keep, report


def prepare_sequences(
    fasta: io.PathLike,
    labels: io.PathLike,
    *,
    label_columns: Sequence[str] | None = None,
    task: str = "auto",
    length: int | None = None,
    ambiguous: str = "zeros",
    split_method: str = "auto",
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    test_chromosomes: Sequence[str] = (),
    val_chromosomes: Sequence[str] = (),
    seed: int = 1,
) -> EncodedDataset:
    """Read, align, one-hot encode and split a labelled FASTA file.

    Parameters
    ----------
    fasta
        FASTA or gzipped FASTA.
    labels
        TSV with an ``id`` column, label columns and optionally ``split``.
    label_columns, task
        See :func:`biodl.targets.encode_targets`.
    length, ambiguous
        See :func:`biodl.sequence.one_hot_encode`.
    split_method, val_fraction, test_fraction, test_chromosomes, val_chromosomes, seed
        See :func:`biodl.splits.assign_splits`.

    Raises
    ------
    io.InputError
        With the file and record at fault, for any unusable input.
    """
    fasta, labels = Path(fasta), Path(labels)
    ids, seqs = io.read_fasta(fasta)
    table = io.read_table(labels, "id")
    keep, report = align_ids(ids, table.index.tolist(), str(fasta), str(labels))
    ids = [ids[i] for i in keep]
    seqs = [seqs[i] for i in keep]
    table = table.loc[ids]
    try:
        x = one_hot_encode(seqs, length=length, ambiguous=ambiguous, ids=ids)
    except ValueError as err:
        raise io.InputError(f"{fasta}: {err}") from None
    try:  # these messages already name the label file
        targets = encode_targets(table, label_columns, task, source=str(labels))
        split = splits.assign_splits(
            ids, method=split_method, given=table["split"] if "split" in table else None,
            strata=targets.strata, val_fraction=val_fraction, test_fraction=test_fraction,
            test_chromosomes=test_chromosomes, val_chromosomes=val_chromosomes, seed=seed,
            source=str(labels),
        )
    except ValueError as err:
        raise io.InputError(str(err)) from None
    if targets.task in CLASSIFICATION_TASKS:
        _check_classes_per_split(targets.y, targets.task, split, str(labels))
    report.update(
        task=targets.task, outputs=targets.names, length=int(x.shape[1]),
        lengths_min_max=[min(map(len, seqs)), max(map(len, seqs))],
        split_counts={name: int(np.sum(split == name)) for name in splits.SPLITS},
    )
    if targets.value_maps:
        report["value_maps"] = targets.value_maps
    log.info("prepared %s: %s", fasta, report)
    return EncodedDataset(x, targets.y, np.array(ids), split, targets.task, targets.names, report)


def _check_classes_per_split(y: np.ndarray, task: str, split: np.ndarray, source: str) -> None:
    """Training and test data must each hold every class, or metrics are meaningless."""
    for part in ("train", "test"):
        mask = split == part
        if task == "multiclass":
            present = np.unique(y[mask])
            n_classes = int(y.max()) + 1
            if present.size < n_classes:
                raise io.InputError(
                    f"{source}: the {part} split has {present.size} of {n_classes} classes; "
                    "use more samples or a different split"
                )
        else:
            for j in range(y.shape[1]):
                if np.unique(y[mask, j]).size < 2:
                    raise io.InputError(
                        f"{source}: label {j} has a single class in the {part} split; "
                        "use more samples or a different split"
                    )


def table_of_splits(dataset: EncodedDataset) -> pd.DataFrame:
    """One row per sample: id and split."""
    return pd.DataFrame({"id": dataset.ids, "split": dataset.split})


def znormalise(series: np.ndarray) -> np.ndarray:
    """Per series and channel: zero mean, unit variance (a constant series becomes zeros)."""
    mean = series.mean(axis=1, keepdims=True)
    std = series.std(axis=1, keepdims=True)
    return np.where(std > 0, (series - mean) / np.where(std > 0, std, 1.0), 0.0)


def prepare_timeseries(
    meta: pd.DataFrame,
    values: np.ndarray,
    *,
    image_size: int = 64,
    encodings: Sequence[str] = ("gasf", "gadf"),
    missing: str = "interpolate",
    val_fraction: float = 0.2,
    test_fraction: float = 0.3,
    seed: int = 1,
    source: str = "series",
) -> tuple[EncodedDataset, EncodedDataset]:
    """Labelled series -> (z-normalised raw series, Gramian angular field images).

    Parameters
    ----------
    meta
        Indexed by id, with ``label`` and optionally ``split`` (train/test, or
        train/val/test). A given test split is kept; validation samples are drawn,
        stratified and seeded, from the training samples when there are none.
    values
        ``(N, T, C)`` series, NaN where missing.
    image_size, encodings
        See :func:`biodl.timeseries.gaf_images`.
    missing
        ``interpolate`` or ``error`` (:func:`biodl.timeseries.fill_missing`).

    Returns
    -------
    series, images
        Two multi-class datasets (one output per class) with the same ids, targets and
        splits: ``x`` is ``(N, T, C)`` float32
        for the raw-series models and ``(N, S, S, K)`` float16 for the 2D CNN.
    """
    from biodl.timeseries import fill_missing, gaf_images

    ids = np.asarray(meta.index.astype(str))
    try:
        values = fill_missing(values, missing, ids)
        targets = encode_targets(meta, ["label"], "multiclass", source=source)
        split = splits.assign_splits(ids, given=meta.get("split"), strata=targets.strata, val_fraction=val_fraction,
                                     test_fraction=test_fraction, seed=seed, source=source)
        images = gaf_images(values, image_size=image_size, encodings=encodings)
    except ValueError as err:
        raise io.InputError(f"{source}: {err}") from None
    _check_classes_per_split(targets.y, targets.task, split, source)
    report = {
        "series": int(len(ids)), "length": int(values.shape[1]), "channels": int(values.shape[2]),
        "task": targets.task, "classes": targets.names, "image_shape": list(images.shape[1:]),
        "encodings": list(encodings),
        "split_counts": {name: int(np.sum(split == name)) for name in splits.SPLITS},
    }
    series = EncodedDataset(znormalise(values).astype(np.float32), targets.y, ids, split, targets.task,
                            targets.names, report)
    image_set = EncodedDataset(images, targets.y, ids, split, targets.task, targets.names, report)
    return series, image_set
