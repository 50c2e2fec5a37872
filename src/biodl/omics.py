"""Multi-omics datasets, step by step: omic tables aligned by sample (masks where a
sample lacks an omic), split, and preprocessed with statistics of the training split only
(:func:`prepare`); an autoencoder or VAE embeds them (:func:`train`); the embeddings are
judged on the test split beside PCA of the same size and the raw features (:func:`evaluate`).

Each function is one workflow rule (``prepare_omics``, ``train_omics``, ``evaluate_omics``);
their defaults are the workflow's. Omic tables are read by :func:`biodl.io.read_omic`.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from biodl.data import splits
from biodl.data.targets import encode_targets
from biodl.evaluation.baselines import pca_embedding
from biodl.evaluation.metrics import embedding_metrics, summarise_over_seeds, write_metrics
from biodl.io.files import InputError, PathLike, load_arrays, save_arrays, write_table
from biodl.io.tables import read_omic, read_table
from biodl.training import TrainingSettings, fit, keyword_settings, predict
from biodl.training.search import SearchResult, search_dataset

log = logging.getLogger(__name__)

SCALINGS = ("standard", "minmax", "none")
MODEL_NAME = re.compile(r"^(?P<integration>joint|early)_(?P<kind>vae|ae)(?P<supervised>_supervised)?$")
"""Model names: ``joint_vae``, ``early_ae``, ``joint_vae_supervised``, ..."""


@dataclass(frozen=True)
class OmicsTraining(TrainingSettings):
    """Training settings of the multi-omics models (``omics.<name>.training``)."""

    epochs: int = 300
    batch_size: int = 16
    learning_rate: float = 1e-3
    patience: int = 20


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
    InputError
        When an omic shares no sample with the labels, or no sample is left.
    """
    labelled = list(labels.index.astype(str))
    mask = pd.DataFrame({name: pd.Index(labelled).isin(table.index) for name, table in omics.items()},
                        index=labelled)
    for name in omics:
        if not mask[name].any():
            example = omics[name].index[0]
            raise InputError(
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
        raise InputError("no labelled sample has the omics required; check the sample ids")
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

    def observed_features(self) -> np.ndarray:
        """``(samples, features)`` booleans beside :meth:`concatenated`: False in the
        columns of an omic the sample lacks."""
        widths = [values.shape[1] for values in self.arrays.values()]
        return np.repeat(self.mask.astype(bool), widths, axis=1)

    def save(self, path: PathLike) -> None:
        arrays = {f"omic__{k}": v for k, v in self.arrays.items()}
        arrays.update({f"features__{k}": np.array(v) for k, v in self.features.items()})
        save_arrays(path, mask=self.mask, y=self.y, ids=self.ids.astype(str), split=self.split.astype(str),
                       classes=np.array(self.classes), omics=np.array(self.omics), **arrays)

    @classmethod
    def load(cls, path: PathLike) -> "OmicsDataset":
        data = load_arrays(path, required=("omics", "mask", "y", "ids", "split", "classes"),
                           what="a dataset of prepare-omics")
        omics = [str(o) for o in data["omics"]]
        return cls({k: data[f"omic__{k}"] for k in omics}, {k: [str(f) for f in data[f"features__{k}"]] for k in omics},
                   data["mask"], data["y"], data["ids"], data["split"], [str(c) for c in data["classes"]])


PREPROCESSING = ("log1p", "top_k", "scaling")
"""Per-omic preprocessing settings (:class:`OmicPreprocessor`)."""
READING = ("path", "transpose")
"""Per-omic reading settings (:func:`biodl.io.read_omic`)."""


def prepare(
    omics: Mapping[str, Mapping],
    labels: PathLike,
    *,
    sample_column: str = "sample",
    label_column: str = "subtype",
    complete_cases: bool = False,
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 1,
) -> OmicsDataset:
    """Read omic tables and labels, align, split and preprocess them.

    Parameters
    ----------
    omics
        Omic name -> ``{"path": ..., "transpose": ..., "log1p": ..., "top_k": ...,
        "scaling": ...}`` (:func:`biodl.io.read_omic` and :class:`OmicPreprocessor`; their
        defaults for keys not given).
    labels
        Table of samples: ``sample_column``, ``label_column``, optionally ``split``.
    label_column
        The class of each sample.
    complete_cases
        Keep only samples that have every omic (default: those with at least one; missing
        omics are masked).
    val_fraction, test_fraction, seed
        Seeded split, stratified by class (a ``split`` column in the labels wins).

    Raises
    ------
    InputError
        Naming the file and what is wrong.
    """

    tables, preprocessors = {}, {}
    for name, spec in omics.items():
        unknown = sorted(set(spec) - set(READING) - set(PREPROCESSING))
        if unknown:
            raise ValueError(f"omic {name!r}: unknown settings {unknown}; known are {list(READING + PREPROCESSING)}")
        tables[name] = read_omic(**{k: spec[k] for k in READING if k in spec})
        preprocessors[name] = OmicPreprocessor(**{k: spec[k] for k in PREPROCESSING if k in spec})
    return build_dataset(tables, read_table(labels, sample_column), preprocessors, label_column=label_column,
                         complete_cases=complete_cases, val_fraction=val_fraction, test_fraction=test_fraction,
                         seed=seed, source=str(labels))


def build_dataset(
    tables: Mapping[str, pd.DataFrame],
    labels: pd.DataFrame,
    preprocessors: Mapping[str, OmicPreprocessor],
    *,
    label_column: str,
    complete_cases: bool,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    source: str = "labels",
) -> OmicsDataset:
    """:func:`prepare` on tables already in memory: ``tables`` (samples x features each) and
    ``labels`` indexed by sample. Every preprocessing statistic is fitted on the training
    split."""
    if label_column not in labels.columns:
        raise InputError(f"{source}: no label column {label_column!r}; columns are {list(labels.columns)}")
    samples, mask, report = align_samples(tables, labels[label_column], complete_cases)
    table = labels.loc[samples]
    try:
        targets = encode_targets(table, [label_column], "multiclass", source=source)
        split = splits.assign_splits(
            samples, given=table["split"] if "split" in table else None, strata=targets.y,
            val_fraction=val_fraction, test_fraction=test_fraction, seed=seed, source=source,
        )
        arrays = preprocess_omics(tables, samples, mask, split == "train", preprocessors)
    except ValueError as err:
        raise InputError(f"{source}: {err}") from None
    report.update(classes=targets.names, split_counts={s: int(np.sum(split == s)) for s in splits.SPLITS},
                  features={k: int(v.shape[1]) for k, v in arrays.items()},
                  missing_cells_filled=_filled_cells(tables, samples, mask, preprocessors))
    log.info("prepared omics: %s", report)
    features = {k: preprocessors[k].features for k in arrays}
    return OmicsDataset(arrays, features, mask.to_numpy(), targets.y, np.array(samples), split, targets.names,
                        report)


def _filled_cells(tables: Mapping[str, pd.DataFrame], samples: Sequence[str], mask: pd.DataFrame,
                  preprocessors: Mapping[str, OmicPreprocessor]) -> dict[str, int]:
    """Per omic, the empty cells of the kept features in the samples that have the omic,
    which :meth:`OmicPreprocessor.transform` fills; logged with an example."""
    filled = {}
    for name, table in tables.items():
        cells = table.loc[np.asarray(samples)[mask[name].to_numpy()], preprocessors[name].features]
        empty = cells.isna().to_numpy()
        filled[name] = int(empty.sum())
        if filled[name]:
            row, column = np.argwhere(empty)[0]
            log.warning("omic %r: %d of %d cells are empty and are filled with their feature's training centre "
                        "(the mean; mid-range under minmax scaling), e.g. sample %r, feature %r", name, filled[name],
                        empty.size, cells.index[row], cells.columns[column])
    return filled


def model_kind(name: str) -> dict:
    """``integration``, ``variational`` and ``supervised`` of a model name such as
    ``joint_vae_supervised`` (:data:`MODEL_NAME`)."""
    match = MODEL_NAME.match(name)
    if match is None:
        raise ValueError(f"omics model {name!r}: expected (joint|early)_(vae|ae), optionally with _supervised")
    return {"integration": match["integration"], "variational": match["kind"] == "vae",
            "supervised": bool(match["supervised"])}


def train(
    dataset: OmicsDataset,
    name: str = "joint_vae",
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    seed: int = 1,
    model_path: PathLike | None = None,
    history_path: PathLike | None = None,
    callbacks: Sequence = (),
):
    """Build the autoencoder ``name`` and train it on the training split, stopping on the
    validation split.

    Parameters
    ----------
    dataset
        From :func:`prepare`.
    name
        ``(joint|early)_(vae|ae)``, with ``_supervised`` for a classifier head on the latent.
    model
        Keyword arguments of :class:`biodl.models.autoencoder.MultiOmicsAutoencoder`
        (``latent_dim``, ``hidden``, ``likelihoods``, ...), its defaults for the rest;
        integration, variational and classes come from ``name``.
    training
        Fields of :class:`OmicsTraining`; its defaults for the rest.
    seed
        Seeds the shuffling (seed TensorFlow with :func:`biodl.training.configure` first).
    model_path, history_path
        Where to write the model (``.keras``) and its per-epoch history (TSV).
    callbacks
        Further Keras callbacks for :func:`biodl.training.fit`.

    Returns
    -------
    model, history
    """
    from biodl.models.autoencoder import MultiOmicsAutoencoder, build_multiomics_autoencoder

    kind = model_kind(name)
    settings = OmicsTraining(**keyword_settings(OmicsTraining, training, "omics training"))
    model_settings = keyword_settings(MultiOmicsAutoencoder, model, "omics model")
    fixed = sorted({"input_dims", "integration", "variational", "n_classes"} & set(model_settings))
    if fixed:
        raise ValueError(f"omics model: {fixed} follow from the data and the model name {name!r}; do not set them")
    network = build_multiomics_autoencoder(
        {k: v.shape[1] for k, v in dataset.arrays.items()},
        n_classes=len(dataset.classes) if kind["supervised"] else 0,
        integration=kind["integration"], variational=kind["variational"], **model_settings,
    )
    history = fit(network, dataset.part("train"), dataset.part("val"), settings, seed=seed,
                  history_path=history_path, model_path=model_path, callbacks=callbacks)
    return network, history


EMBEDDING_METRICS = ("balanced_accuracy", "macro_f1", "kmeans_ari", "kmeans_nmi")


@dataclass
class OmicsEvaluation:
    """Test-split judgement of every model's embedding, beside PCA and the raw features.

    Attributes
    ----------
    per_seed
        One row per model (``pca<k>`` and ``raw_features`` included) and seed:
        :func:`biodl.evaluation.metrics.embedding_metrics`.
    reconstruction
        One row per model, seed and omic: mean test-split reconstruction loss over the
        samples that have the omic.
    latent_dim
        Size of the models' latent space, and of the PCA baseline.
    embeddings
        The first model and seed's embedding of every sample (``sample``, ``split``,
        ``label``, ``z1``...).
    importance
        The first model's most important features per omic, their rank in the other seeds'
        models of that kind, and each omic's rank correlation across seeds
        (:func:`importance_across_seeds`).
    first_run
        ``(model, seed)`` of the embedding shown.
    """

    per_seed: list[dict]
    reconstruction: list[dict]
    latent_dim: int
    embeddings: pd.DataFrame
    importance: pd.DataFrame
    first_run: tuple[str, int]

    def summary(self) -> pd.DataFrame:
        """Per model: mean and sample standard deviation over seeds of each metric
        (:func:`biodl.evaluation.metrics.summarise_over_seeds`), rounded to 4 digits."""

        table = pd.DataFrame(self.per_seed)
        rows = {}
        for model, runs in table.groupby("model", sort=False):
            rows[model] = {}
            for metric in EMBEDDING_METRICS:
                spread = summarise_over_seeds(runs[metric])
                rows[model].update({f"{metric}_mean": spread["mean"], f"{metric}_std": spread["std"]})
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model").astype(float).round(4)

    @property
    def metrics(self) -> dict:
        """What ``metrics.json`` holds."""
        summary = self.summary().astype(object).where(self.summary().notna(), None)
        return {"split": "test", "latent_dim": self.latent_dim, "per_seed": self.per_seed,
                "summary": summary.to_dict(orient="index"), "reconstruction_error": self.reconstruction}

    def test_embedding(self) -> tuple[np.ndarray, np.ndarray]:
        """The shown embedding of the test samples, and their labels."""
        test = self.embeddings["split"] == "test"
        latent = [c for c in self.embeddings.columns if c.startswith("z")]
        return self.embeddings.loc[test, latent].to_numpy(), self.embeddings.loc[test, "label"].to_numpy()

    def reconstruction_table(self) -> pd.DataFrame:
        """:attr:`reconstruction` as a table: ``model``, ``seed``, ``omic``, ``error``."""
        return pd.DataFrame(self.reconstruction)

    def write(self, metrics: PathLike, table: PathLike, embeddings: PathLike, importance: PathLike) -> None:
        """Write ``metrics.json``, ``table.tsv`` (the summary), ``embeddings.tsv`` and
        ``feature_importance.tsv``."""
        write_table(table, self.summary())

        write_metrics(metrics, self.metrics)
        write_table(embeddings, self.embeddings, index=False)
        write_table(importance, self.importance, index=False)


def importance_across_seeds(runs: Mapping[int, tuple[object, OmicsDataset]], shown_seed: int,
                            top_features: int = 20) -> pd.DataFrame:
    """The ``top_features`` most important features per omic of the ``shown_seed`` model,
    with their rank in every seed's model of the same kind and the omic's stability.

    Parameters
    ----------
    runs
        Seed -> (trained model, its dataset); importances are taken on each test split
        (:meth:`~biodl.models.autoencoder.MultiOmicsAutoencoder.feature_importance`).

    Returns
    -------
    pandas.DataFrame
        ``omic``, ``feature``, ``importance`` (shown seed), ``rank_seed<s>`` per seed (1: the
        most important), and ``rank_correlation``: the omic's mean Spearman correlation of
        the importances between every two seeds (NaN with one seed), over the features they
        share.
    """
    from scipy.stats import spearmanr

    per_seed = {}
    for seed, (model, dataset) in runs.items():
        values = model.feature_importance(dataset.inputs("test"))
        per_seed[seed] = {omic: pd.Series(v, index=dataset.features[omic]) for omic, v in values.items()
                          if v is not None}
    rows = []
    for omic, shown in per_seed[shown_seed].items():
        present = {seed: values[omic] for seed, values in per_seed.items() if omic in values}
        seeds = sorted(present)
        correlations = []
        for a, other in enumerate(seeds):
            for b in seeds[a + 1:]:
                shared = present[other].index.intersection(present[b].index)
                correlations.append(spearmanr(present[other][shared], present[b][shared]).statistic)
        stability = float(np.mean(correlations)) if correlations else float("nan")
        log.info("feature importance of %s across %d seeds: mean Spearman %.3f", omic, len(seeds), stability)
        ranks = {seed: present[seed].rank(ascending=False, method="min") for seed in seeds}
        for feature in shown.sort_values(ascending=False).index[:top_features]:
            rows.append({"omic": omic, "feature": feature, "importance": float(shown[feature]),
                         **{f"rank_seed{seed}": ranks[seed].get(feature, np.nan) for seed in seeds},
                         "rank_correlation": stability})
    return pd.DataFrame(rows)


def evaluate(
    datasets: Mapping[int, OmicsDataset], models: Mapping[tuple[str, int], object], *, top_features: int = 20,
) -> OmicsEvaluation:
    """Judge embeddings on the test split: a logistic regression fitted on the training and
    validation embeddings, k-means on the test embeddings; PCA of the models' latent size
    (fitted on the non-test samples) and the raw features are scored the same way.

    Parameters
    ----------
    datasets
        Seed -> the dataset prepared with that seed's split.
    models
        ``(model name, seed)`` -> a trained model on that seed's dataset.
    top_features
        Features listed per omic in ``importance``.
    """

    def scored(name: str, seed: int, dataset: OmicsDataset, z: np.ndarray) -> dict:
        train, test = dataset.split != "test", dataset.split == "test"  # embeddings: fit on train+val
        return {"model": name, "seed": seed, **embedding_metrics(
            z[train], dataset.y[train], z[test], dataset.y[test], len(dataset.classes), seed)}

    per_seed, reconstruction, first = [], [], None
    for (name, seed), model in models.items():
        dataset = datasets[seed]
        z = predict(model, dataset.inputs())
        first = first or (name, seed, model, z)
        per_seed.append(scored(name, seed, dataset, z))
        test = dataset.split == "test"
        for omic, values in model.reconstruction_errors(dataset.inputs("test")).items():
            present = dataset.mask[test][:, dataset.omics.index(omic)] > 0
            reconstruction.append({"model": name, "seed": seed, "omic": omic, "error": float(values[present].mean())})
    first_name, first_seed, first_model, z = first
    latent_dim = int(first_model.settings["latent_dim"])
    for seed in sorted(datasets):
        dataset = datasets[seed]
        x, observed = dataset.concatenated(), dataset.observed_features()
        fit = dataset.split != "test"
        pca = pca_embedding(x[fit], x, latent_dim, seed, train_observed=observed[fit], all_observed=observed)
        for name, values in ((f"pca{latent_dim}", pca), ("raw_features", x)):
            per_seed.append(scored(name, seed, dataset, values))
    dataset = datasets[first_seed]
    embedding = pd.DataFrame(z, columns=[f"z{j + 1}" for j in range(z.shape[1])])
    embedding.insert(0, "label", np.array(dataset.classes)[dataset.y])
    embedding.insert(0, "split", dataset.split)
    embedding.insert(0, "sample", dataset.ids)
    top = importance_across_seeds(
        {seed: (model, datasets[seed]) for (name, seed), model in models.items() if name == first_name},
        first_seed, top_features)
    evaluation = OmicsEvaluation(per_seed, reconstruction, latent_dim, embedding, top, (first_name, first_seed))
    log.info("test split, mean over seeds:\n%s", evaluation.summary().round(3).to_string())
    return evaluation


OMICS_SPACE = {
    "model.hidden": {"choices": [[], [64], [256, 64]]},
    "model.input_dropout": {"low": 0.0, "high": 0.8},
    "model.dropout": {"low": 0.0, "high": 0.5},
    "model.beta": {"low": 0.1, "high": 4.0, "log": True},
    "model.classifier_weight": {"low": 1.0, "high": 300.0, "log": True},
    "training.learning_rate": {"low": 3e-4, "high": 3e-3, "log": True},
}
"""The autoencoder search: encoder depth, input and hidden dropout, the KL weight ``beta``
(variational models only) and how strongly the labels shape the latent
(``classifier_weight``, supervised models only), learning rate."""


def search(
    dataset,
    name: str = "joint_vae",
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    space: Mapping | None = None,
    budget: Mapping | None = None,
    seed: int = 1,
    study_path: PathLike | None = None,
) -> SearchResult:
    """Search an autoencoder's settings, scored by the balanced accuracy of a logistic
    regression on the latent (fitted on the training samples, scored on the validation
    ones), as :func:`evaluate` scores the test split.

    Settings that do not apply to the model are left out of the space: ``beta`` for plain
    autoencoders, ``classifier_weight`` for unsupervised ones. Trials are pruned between
    folds (an autoencoder's validation loss depends on ``beta``, so losses are not
    compared).

    Parameters
    ----------
    dataset
        One seed's :func:`prepare`; its test samples are never read.
    name
        The model (:func:`model_kind`).
    model, training, space, budget, seed, study_path
        As in :func:`biodl.sequences.search`; ``None`` space: :data:`OMICS_SPACE`.
    """
    kind = model_kind(name)
    if space is None:
        space = {key: spec for key, spec in OMICS_SPACE.items()
                 if (key != "model.beta" or kind["variational"])
                 and (key != "model.classifier_weight" or kind["supervised"])}

    def latent_balanced_accuracy(model, data) -> float:
        z = predict(model, data.inputs())
        train, val = data.split == "train", data.split == "val"
        return embedding_metrics(z[train], data.y[train], z[val], data.y[val], len(data.classes),
                                 seed)["balanced_accuracy"]

    base = {"name": name, "model": dict(model or {}), "training": dict(training or {})}
    result = search_dataset(dataset, train, latent_balanced_accuracy, base, space, task="multiclass",
                     metric="balanced_accuracy", budget=budget, seed=seed, study_path=study_path, epoch_pruning=False)
    return dataclasses.replace(result, kind="omics", searched=f"{name}, chosen inside seed {seed}'s split (each "
                               "seed's test samples differ, so each seed has its own search)")
