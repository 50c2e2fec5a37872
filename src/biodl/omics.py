"""Multi-omics tables: reading, aligning samples across omics, per-omic preprocessing
fitted on the training split only, and masks for samples that lack an omic."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from biodl import io

log = logging.getLogger(__name__)

SCALINGS = ("standard", "minmax", "none")


def read_h5ad(path: io.PathLike) -> pd.DataFrame:
    """The ``X`` matrix of an AnnData ``.h5ad`` file (dense, CSR or CSC) as a samples x
    features table indexed by the ``obs`` and ``var`` names; read with h5py, so AnnData
    itself is not needed."""
    import h5py
    from scipy import sparse

    path = Path(path)
    if not path.is_file():
        raise io.InputError(f"{path}: .h5ad file not found")
    try:
        with h5py.File(path, "r") as handle:
            names = {part: _h5ad_index(handle[part]) for part in ("obs", "var")}
            matrix = handle["X"]
            if isinstance(matrix, h5py.Group):
                kind = matrix.attrs.get("encoding-type", "")
                if kind not in ("csr_matrix", "csc_matrix"):
                    raise io.InputError(f"{path}: X is a {kind or 'unknown'} group; expected a dense, CSR or CSC matrix")
                build = sparse.csr_matrix if kind == "csr_matrix" else sparse.csc_matrix
                values = build((matrix["data"][...], matrix["indices"][...], matrix["indptr"][...]),
                               shape=tuple(matrix.attrs["shape"])).toarray()
            else:
                values = matrix[...]
    except (OSError, KeyError) as err:
        raise io.InputError(f"{path}: not a readable .h5ad file with X, obs and var: {err}") from None
    if values.shape != (len(names["obs"]), len(names["var"])):
        raise io.InputError(f"{path}: X is {values.shape} but obs has {len(names['obs'])} and var "
                            f"{len(names['var'])} names")
    return pd.DataFrame(values, index=names["obs"], columns=names["var"])


def _h5ad_index(frame) -> list[str]:
    column = frame.attrs.get("_index", "_index")
    return [str(name) for name in frame[column].asstr()[...]]


def read_omic(path: io.PathLike, transpose: bool = False) -> pd.DataFrame:
    """Read one omic table: samples in rows, the first column the sample id, features after.

    Parameters
    ----------
    path
        TSV, ``.csv``, or AnnData ``.h5ad`` (its ``X``; ``obs`` names are the samples).
    transpose
        The file has features in rows and samples in columns instead.

    Raises
    ------
    io.InputError
        On a duplicated sample or feature, a non-numeric cell (naming sample and feature),
        or a feature with no value at all.
    """
    path = Path(path)
    if path.suffix.lower() == ".h5ad":
        table = read_h5ad(path)
    else:
        table = io.read_delimited(path, what="omic table", index_col=0)
    if transpose:
        table = table.T
    table.index = table.index.astype(str)
    table.columns = table.columns.astype(str)
    for axis, what in ((table.index, "sample"), (table.columns, "feature")):
        duplicated = axis[axis.duplicated()].unique()
        if len(duplicated):
            raise io.InputError(f"{path}: {len(duplicated)} duplicated {what} ids, e.g. {duplicated[0]!r}")
    if table.empty:
        raise io.InputError(f"{path}: no samples or no features")
    values = io.numeric_cells(
        table, path, lambda row, col: f"sample {table.index[row]!r}, feature {table.columns[col]!r}"
    )
    empty = values.columns[values.isna().all()]
    if len(empty):
        raise io.InputError(f"{path}: {len(empty)} features have no value in any sample, e.g. {empty[0]!r}")
    return values


def align_samples(
    omics: Mapping[str, pd.DataFrame], labels: pd.Series, complete_cases: bool = False
) -> tuple[list[str], pd.DataFrame, dict]:
    """Samples to model, and which omics each of them has.

    A labelled sample is kept when it has at least one omic (every omic with
    ``complete_cases``); missing omics are masked, not imputed into the data.

    Returns
    -------
    samples, mask, report
        Sample ids in label order; a boolean ``samples x omics`` frame; counts per omic, the
        number shared by all omics, and how many labelled samples were left out and why.

    Raises
    ------
    io.InputError
        When an omic shares no sample with the labels, or no sample is left.
    """
    labelled = list(labels.index.astype(str))
    mask = pd.DataFrame({name: pd.Index(labelled).isin(table.index) for name, table in omics.items()},
                        index=labelled)
    for name in omics:
        if not mask[name].any():
            example = omics[name].index[0]
            raise io.InputError(
                f"omic {name!r} shares no sample id with the labels (omic e.g. {example!r}, "
                f"labels e.g. {labelled[0]!r})"
            )
    keep = mask.all(axis=1) if complete_cases else mask.any(axis=1)
    report = {
        "labelled_samples": len(labelled),
        "samples_per_omic": {name: int(mask[name].sum()) for name in omics},
        "samples_in_every_omic": int(mask.all(axis=1).sum()),
        "kept": int(keep.sum()),
        "left_out": int((~keep).sum()),
        "unlabelled_per_omic": {name: int((~table.index.isin(labelled)).sum()) for name, table in omics.items()},
    }
    if not keep.any():
        raise io.InputError("no labelled sample has the omics required; check the sample ids")
    if report["left_out"]:
        reason = "not in every omic (complete_cases)" if complete_cases else "in no omic"
        log.warning("%d of %d labelled samples are %s and left out", report["left_out"], len(labelled), reason)
    for name, count in report["unlabelled_per_omic"].items():
        if count:
            log.warning("%d samples of omic %r have no label and are left out", count, name)
    return list(mask.index[keep]), mask[keep], report


@dataclass
class OmicPreprocessor:
    """Per-omic preprocessing whose statistics come from the training samples only.

    Attributes
    ----------
    log1p
        Apply ``log1p`` first (counts); values must then be > -1.
    top_k
        Keep the ``top_k`` features of highest training variance (``None``: all).
    scaling
        ``standard`` (z-score), ``minmax`` (to [0, 1], for beta values and other
        bounded data) or ``none``.
    """

    log1p: bool = False
    top_k: int | None = None
    scaling: str = "standard"
    features: list[str] = field(default_factory=list)
    center: np.ndarray | None = None
    scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.scaling not in SCALINGS:
            raise ValueError(f"scaling must be one of {SCALINGS}, got {self.scaling!r}")

    def _transform_values(self, table: pd.DataFrame) -> pd.DataFrame:
        if self.log1p:
            if (table.to_numpy() <= -1).any():
                raise ValueError("log1p needs values above -1; the table has smaller ones")
            table = np.log1p(table)
        return table

    def fit(self, train: pd.DataFrame) -> "OmicPreprocessor":
        """Learn the features to keep and the scaling from training samples."""
        values = self._transform_values(train)
        variance = values.var(axis=0, skipna=True).fillna(0)
        keep = variance.sort_values(ascending=False, kind="stable").index
        if self.top_k is not None:
            keep = keep[: self.top_k]
        self.features = [c for c in values.columns if c in set(keep)]
        kept = values[self.features]
        if self.scaling == "standard":
            self.center = kept.mean().to_numpy()
            std = kept.std(ddof=0).to_numpy()
            self.scale = np.where(std > 0, std, 1.0)
        elif self.scaling == "minmax":
            self.center = kept.min().to_numpy()
            span = (kept.max() - kept.min()).to_numpy()
            self.scale = np.where(span > 0, span, 1.0)
        else:
            self.center, self.scale = np.zeros(len(self.features)), np.ones(len(self.features))
        return self

    def transform(self, table: pd.DataFrame) -> np.ndarray:
        """Preprocess samples with the fitted statistics; NaN cells become the training centre."""
        if self.center is None:
            raise RuntimeError("fit the preprocessor on training samples first")
        values = self._transform_values(table)[self.features].to_numpy()
        scaled = (values - self.center) / self.scale
        return np.where(np.isnan(scaled), 0.0 if self.scaling == "standard" else 0.5, scaled).astype(np.float32)


def preprocess_omics(
    omics: Mapping[str, pd.DataFrame], samples: Sequence[str], mask: pd.DataFrame, train: np.ndarray,
    settings: Mapping[str, OmicPreprocessor],
) -> dict[str, np.ndarray]:
    """Fit each omic's preprocessor on its training samples and return ``samples x features``
    arrays; rows of samples that lack the omic are zeros (their mask is False)."""
    arrays = {}
    for name, table in omics.items():
        present = mask[name].to_numpy()
        fitted = settings[name].fit(table.loc[np.asarray(samples)[present & train]])
        block = np.zeros((len(samples), len(fitted.features)), dtype=np.float32)
        block[present] = fitted.transform(table.loc[np.asarray(samples)[present]])
        arrays[name] = block
    return arrays


@dataclass
class OmicsDataset:
    """Preprocessed omics of aligned samples, with masks, targets and splits."""

    arrays: dict[str, np.ndarray]
    features: dict[str, list[str]]
    mask: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    split: np.ndarray
    classes: list[str]
    report: dict = field(default_factory=dict)

    @property
    def omics(self) -> list[str]:
        return list(self.arrays)

    def inputs(self, part: str | None = None) -> dict[str, np.ndarray]:
        """Model inputs (one array per omic and ``mask``), for one split or all samples."""
        rows = slice(None) if part is None else self.split == part
        inputs = {name: values[rows] for name, values in self.arrays.items()}
        inputs["mask"] = self.mask[rows].astype(np.float32)
        return inputs

    def part(self, name: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
        return self.inputs(name), self.y[self.split == name]

    def concatenated(self) -> np.ndarray:
        """All omics side by side (a missing omic is zeros, the training mean after scaling)."""
        return np.concatenate(list(self.arrays.values()), axis=1)

    def save(self, path: io.PathLike) -> None:
        arrays = {f"omic__{k}": v for k, v in self.arrays.items()}
        arrays.update({f"features__{k}": np.array(v) for k, v in self.features.items()})
        io.save_arrays(path, mask=self.mask, y=self.y, ids=self.ids.astype(str), split=self.split.astype(str),
                       classes=np.array(self.classes), omics=np.array(self.omics), **arrays)

    @classmethod
    def load(cls, path: io.PathLike) -> "OmicsDataset":
        data = io.load_arrays(path)
        omics = [str(o) for o in data["omics"]]
        return cls({k: data[f"omic__{k}"] for k in omics}, {k: [str(f) for f in data[f"features__{k}"]] for k in omics},
                   data["mask"], data["y"], data["ids"], data["split"], [str(c) for c in data["classes"]])


def prepare_omics(
    omics: Mapping[str, pd.DataFrame],
    labels: pd.DataFrame,
    label_column: str,
    preprocessors: Mapping[str, OmicPreprocessor],
    *,
    complete_cases: bool = False,
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 1,
    source: str = "labels",
) -> OmicsDataset:
    """Align, split (stratified by class, seeded, or the labels' ``split`` column) and
    preprocess omics, fitting every preprocessing statistic on the training split."""
    from biodl import splits
    from biodl.targets import encode_targets

    if label_column not in labels.columns:
        raise io.InputError(f"{source}: no label column {label_column!r}; columns are {list(labels.columns)}")
    samples, mask, report = align_samples(omics, labels[label_column], complete_cases)
    table = labels.loc[samples]
    try:
        targets = encode_targets(table, [label_column], "multiclass", source=source)
        split = splits.assign_splits(
            samples, given=table["split"] if "split" in table else None, strata=targets.y,
            val_fraction=val_fraction, test_fraction=test_fraction, seed=seed, source=source,
        )
        arrays = preprocess_omics(omics, samples, mask, split == "train", preprocessors)
    except ValueError as err:
        raise io.InputError(f"{source}: {err}") from None
    report.update(classes=targets.names, split_counts={s: int(np.sum(split == s)) for s in splits.SPLITS},
                  features={k: int(v.shape[1]) for k, v in arrays.items()})
    log.info("prepared omics: %s", report)
    features = {k: preprocessors[k].features for k in arrays}
    return OmicsDataset(arrays, features, mask.to_numpy(), targets.y, np.array(samples), split, targets.names,
                        report)
