"""Model selection on validation data: a budgeted, resumable hyperparameter search.

Each data type has one entry point (:func:`search_sequences`, :func:`search_timeseries`,
:func:`search_omics`) that trains its model once per trial with settings drawn from a
search space, scores the trial on validation data only (the dataset's validation split,
or k-fold cross-validation inside the training and validation samples when they are few),
and returns a :class:`SearchResult`: the trial table and the chosen settings, ready for
the data type's ``train`` function and as a config snippet to pin. The test split is
never read.

Optuna drives the search: its TPE sampler proposes settings from the trials so far, a
median pruner stops trials whose validation loss falls behind, and its SQLite storage
(``study_path``) lets a killed search continue where it stopped.

A search space maps a dotted setting name to how it is drawn::

    {"model.dropout": {"low": 0.1, "high": 0.5},
     "training.learning_rate": {"low": 3e-4, "high": 3e-3, "log": True},
     "model": {"choices": [{"filters": [64], "kernel_sizes": [19], "pool_sizes": [4]}, ...]}}

``low``/``high`` draw a float (an int when both are ints), ``choices`` pick one value; a
mapping picked for a block (``model``) is merged into it, so settings that must change
together are one choice.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from biodl import omics, sequences, timeseries
from biodl.config import deep_merge
from biodl.evaluate import compute_metrics, embedding_metrics
from biodl.io.files import PathLike, atomic_output, write_json, write_table
from biodl.timeseries import OVERRIDABLE
from biodl.training import keyword_settings, predict

log = logging.getLogger(__name__)

SEQUENCE_SPACE = {
    "model": {"choices": [
        {"filters": [64], "kernel_sizes": [19], "pool_sizes": [4]},
        {"filters": [128, 64], "kernel_sizes": [19, 7], "pool_sizes": [4, 1]},
        {"filters": [128, 128, 64], "kernel_sizes": [19, 9, 7], "pool_sizes": [4, 4, 1]},
        {"filters": [256, 128, 128], "kernel_sizes": [25, 11, 7], "pool_sizes": [4, 4, 4]},
    ]},
    "model.dropout": {"low": 0.1, "high": 0.5},
    "training.learning_rate": {"low": 3e-4, "high": 3e-3, "log": True},
    "training.reverse_complement": {"choices": [False, True]},
}
"""The DNA search: depth and receptive field (one to three convolution blocks, reaching
from 19 bp to several hundred), dropout, learning rate and reverse-complement training."""

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
each as two copies of the training series). :func:`timeseries_space` adds the images."""
IMAGE_SIZES = (16, 24, 32, 48, 64, 96, 128)
"""The image sizes :func:`timeseries_space` draws from."""
PIXEL_BUDGET = 500 * 128 * 128
"""Training series times image pixels per epoch above which :func:`timeseries_space` offers
no larger image: 500 series at 128 x 128 (an epoch then takes about a minute on 2 CPU cores)."""
MULTISCALE_FROM = 256
"""Series at least this long are also offered the multi-scale images ``[1, 4]``."""


def timeseries_space(length: int, n_train: int, image_size: int | None = None) -> dict:
    """:data:`TIMESERIES_SPACE` with image sizes and scales fitted to the series length and
    the number of training series: the GAF CNN's search space.

    Sizes are the :data:`IMAGE_SIZES` no longer than the series (and always the series
    length itself when it is shorter than 64), up to the largest whose pixels over the
    training set stay within :data:`PIXEL_BUDGET`, and the configured ``image_size``
    (bounded by the length), so that the first trial can be the configured settings.
    Series of :data:`MULTISCALE_FROM` points or more may also be encoded as the whole and
    its four quarters (scales ``[1, 4]``; the image size is then lowered to a quarter's
    length where it exceeds it).
    """
    largest = max(IMAGE_SIZES[0], int((PIXEL_BUDGET / max(n_train, 1)) ** 0.5))
    sizes = {size for size in IMAGE_SIZES if size <= min(length, largest)}
    sizes |= {length} if length < 64 else set()
    sizes = sorted(sizes | ({min(image_size, length)} if image_size else set()))
    space = {**TIMESERIES_SPACE, "model.gaf_on_the_fly.image_size": {"choices": sizes}}
    if length >= MULTISCALE_FROM:
        space["model.gaf_on_the_fly.scales"] = {"choices": [[1], [1, 4]]}
    return space


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


@dataclass(frozen=True)
class SearchSettings:
    """The budget and scoring of a search (``<kind>.<name>.search`` in the config).

    Attributes
    ----------
    trials
        Finished trials (completed or pruned) the search stops at, counted over resumptions.
    timeout_minutes
        No trial starts after this much search time, counted over resumptions (the running
        trial finishes).
    folds, cv_below
        Score by ``folds``-fold cross-validation inside the training and validation samples
        when they number fewer than ``cv_below``; otherwise on the validation split.
    pruning
        Stop a trial whose validation loss is worse than the median of earlier trials at
        the same epoch (after the first ``max(3, trials // 4)`` trials and 5 epochs), or,
        for omics, whose score after a fold is below their median.
    selection
        ``"standard_error"``: under cross-validation, keep the configured settings (the
        first trial) unless the best trial beats them by more than one standard error of
        their paired fold differences; with a few samples per fold, the top score is
        often luck. ``"best"``: the top score. On a validation split, always the top score.
    """

    trials: int = 20
    timeout_minutes: float = 60.0
    folds: int = 3
    cv_below: int = 1000
    pruning: bool = True
    selection: str = "standard_error"

    def __post_init__(self):
        if self.selection not in ("standard_error", "best"):
            raise ValueError(f"search.selection must be 'standard_error' or 'best', got {self.selection!r}")


@dataclass
class SearchResult:
    """What a search found.

    Attributes
    ----------
    trials
        One row per trial: number, state, validation score and loss (completed trials),
        the step a pruned trial stopped at (its epoch, counted on over folds; or its fold
        for omics), seconds, and each searched setting.
    summary
        Metric, scoring, budget, counts of trials per state, the chosen trial with its
        ``chosen`` settings and the full ``settings``, whether those are the configured
        settings unchanged (``chosen_is_configured``), search seconds.
    kind
        The config block of the data type: ``sequences``, ``timeseries`` or ``omics``.
    searched
        What was searched, for the snippet's header.
    """

    trials: pd.DataFrame
    summary: dict
    kind: str = "sequences"
    searched: str = "the searched settings"

    @property
    def settings(self) -> dict:
        """The chosen trial's settings over the base ones, for the data type's ``train``."""
        return self.summary["settings"]

    @property
    def chosen(self) -> dict:
        """The searched settings alone (dotted name -> value) of the chosen trial."""
        return self.summary["chosen"]

    def config_keys(self, dataset: str) -> dict:
        """The chosen settings where a config holds them: ``{kind: {dataset: ...}}``. For
        series, the GAF CNN's model keys go to ``gaf_cnn`` and its own training keys
        (:data:`biodl.timeseries.OVERRIDABLE`) to ``training_overrides.gaf_cnn``."""
        chosen = apply({}, self.chosen)
        if self.kind != "timeseries":
            return {self.kind: {dataset: chosen}}
        training = chosen.get("training", {})
        own = {key: value for key, value in training.items() if key in OVERRIDABLE}
        keys = {"gaf_cnn": chosen.get("model", {}), "training_overrides": {"gaf_cnn": own}}
        if len(own) < len(training):
            keys["training"] = {key: value for key, value in training.items() if key not in own}
        return {"timeseries": {dataset: keys}}

    def write(self, trials: PathLike, summary: PathLike, snippet: PathLike, dataset: str = "dataset") -> None:
        """Write the trial table (TSV), the summary (JSON) and :meth:`config_keys` as a YAML
        snippet headed by what was searched and how it was chosen."""
        write_table(trials, self.trials, index=False)
        write_json(summary, self.summary)
        header = (f"# {self.kind}.{dataset}: {self.searched}\n# chosen by biodl's search on {self.summary['scoring']}: "
                  f"trial {self.summary['chosen_trial']}, {self.summary['metric']} {self.summary['chosen_value']:.4f}"
                  f"; {self.summary['selection']}; paste into your config to pin them\n")
        with atomic_output(snippet) as tmp:
            Path(tmp).write_text(header + yaml.safe_dump(json.loads(json.dumps(self.config_keys(dataset))),
                                                         sort_keys=False))


def suggest(trial, space: Mapping[str, Mapping]) -> dict[str, Any]:
    """Draw every setting of ``space`` (see the module docstring) for an Optuna trial.

    Raises
    ------
    ValueError
        Naming a setting whose specification is neither ``low``/``high`` nor ``choices``.
    """
    chosen = {}
    for name, spec in space.items():
        if "choices" in spec:
            encoded = [json.dumps(choice, sort_keys=True) for choice in spec["choices"]]
            chosen[name] = json.loads(trial.suggest_categorical(name, encoded))
        elif {"low", "high"} <= set(spec):
            low, high, log_scale = spec["low"], spec["high"], bool(spec.get("log", False))
            if isinstance(low, int) and isinstance(high, int):
                chosen[name] = trial.suggest_int(name, low, high, log=log_scale)
            else:  # three significant digits: the pinned value is the one trained with
                chosen[name] = float(f"{trial.suggest_float(name, float(low), float(high), log=log_scale):.3g}")
        else:
            raise ValueError(f"search space: {name!r} needs 'choices' or 'low' and 'high', got {dict(spec)}")
    return chosen


def apply(base: Mapping[str, Any], chosen: Mapping[str, Any]) -> dict:
    """``base`` settings with the dotted ``chosen`` settings written in (a mapping chosen for
    a block is merged into it)."""
    settings = copy.deepcopy(dict(base))
    for name, value in chosen.items():
        *parents, key = name.split(".")
        block = settings
        for parent in parents:
            if not isinstance(block.get(parent), Mapping):  # missing, or None for "not given"
                block[parent] = {}
            block = block[parent]
        if isinstance(value, Mapping) and isinstance(block.get(key), Mapping):
            block[key] = deep_merge(block[key], value)
        else:
            block[key] = copy.deepcopy(value)
    return settings


def base_params(space: Mapping[str, Mapping], base: Mapping[str, Any]) -> dict[str, Any]:
    """The given settings as parameters of the space, for those it can express: a choice the
    settings match (a block's choice: every key it sets), or a value inside a range. The
    search tries them first, so it ends at least as good on validation data as what it
    started from."""
    params = {}
    for name, spec in space.items():
        value = base
        for key in name.split("."):
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            continue
        if "choices" in spec:
            for choice in spec["choices"]:
                if _same(choice, value):
                    params[name] = json.dumps(choice, sort_keys=True)
                    break
        elif spec["low"] <= value <= spec["high"]:
            params[name] = value
    return params


def _same(choice: Any, value: Any) -> bool:
    """Whether ``value`` matches a choice: equal, or for a block every key the choice sets."""
    normal = lambda item: json.loads(json.dumps(item, default=list))
    if isinstance(choice, Mapping):
        return isinstance(value, Mapping) and all(normal(value.get(k)) == normal(v) for k, v in choice.items())
    return normal(choice) == normal(value)


def validation_splits(split: np.ndarray, y: np.ndarray, task: str, settings: SearchSettings,
                      seed: int) -> list[np.ndarray]:
    """The splits a trial is scored on: the given one, or one per fold with the training
    and validation samples redrawn (stratified by class) and the test samples left out.

    Returns
    -------
    list of numpy.ndarray
        ``split`` arrays (``train`` / ``val`` / ``test`` per sample).
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    inside = np.flatnonzero(split != "test")
    if settings.folds < 2 or inside.size >= settings.cv_below:
        return [np.asarray(split)]
    labels = None
    if task in ("binary", "multiclass"):
        labels = np.asarray(y)[inside].reshape(inside.size, -1)[:, 0]
        if np.bincount(labels.astype(int)).min(initial=inside.size) < settings.folds:
            labels = None
    splitter = (StratifiedKFold if labels is not None else KFold)(settings.folds, shuffle=True, random_state=seed)
    folds = []
    for _, held_out in splitter.split(inside, labels):
        fold = np.where(split == "test", "test", "train")
        fold[inside[held_out]] = "val"
        folds.append(fold)
    return folds


def _study_name(space: Mapping, base: Mapping, scoring: Mapping) -> str:
    """A study per space, base settings and scoring: a changed search starts afresh in the
    same storage instead of mixing its trials with another's."""
    text = json.dumps({"space": space, "base": base, "scoring": scoring}, sort_keys=True, default=str)
    return "biodl-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _pruning_callback(trial, step_offset: int):
    """A Keras callback that reports minus the validation loss of every epoch to the trial
    and stops the trial when the pruner says so."""
    import keras
    import optuna

    class Pruning(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            loss = (logs or {}).get("val_loss")
            if loss is None or not np.isfinite(loss):
                return
            trial.report(-float(loss), step_offset + epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"validation loss {loss:.4f} at epoch {epoch + 1}")

    return Pruning()


Scorer = Callable[[dict, np.ndarray, list], tuple[float, float]]
"""``(settings, split, callbacks) -> (validation score, validation loss)`` of one training."""


def run_search(
    score: Scorer,
    space: Mapping[str, Mapping],
    base: Mapping[str, Any],
    splits: list[np.ndarray],
    *,
    metric: str,
    settings: SearchSettings,
    seed: int,
    study_path: PathLike | None = None,
    epoch_pruning: bool = True,
) -> SearchResult:
    """Run the trials of a search (the engine behind the ``search_*`` functions).

    Parameters
    ----------
    score
        Trains with one trial's settings on one split and scores it on that split's
        validation samples (:data:`Scorer`); higher is better.
    space, base
        Search space and the settings it changes.
    splits
        From :func:`validation_splits`; a trial's score is the mean over them.
    metric
        Name of the score, for the tables.
    settings
        Budget and pruning.
    seed
        Seeds the sampler (anew before each trial from the seed and the trial number, so a
        resumed search proposes what an uninterrupted one would) and every training.
    study_path
        SQLite file of the Optuna study: trials already there count, and a search killed
        part-way continues from them (a trial cut off by the kill is run again). ``None``:
        in memory.
    epoch_pruning
        Report each epoch's validation loss for pruning (the loss must be comparable across
        trials); otherwise only each fold's score is reported.
    """
    import keras
    import optuna
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    startup = max(3, settings.trials // 4)
    pruner = (optuna.pruners.MedianPruner(n_startup_trials=startup, n_warmup_steps=5 if epoch_pruning else 0)
              if settings.pruning else optuna.pruners.NopPruner())
    storage = None
    if study_path is not None:
        Path(study_path).parent.mkdir(parents=True, exist_ok=True)
        storage = optuna.storages.RDBStorage(f"sqlite:///{Path(study_path).resolve()}")
    scoring = {"metric": metric, "splits": len(splits), "seed": seed}
    study = optuna.create_study(study_name=_study_name(space, base, scoring), storage=storage,
                                load_if_exists=True, direction="maximize", pruner=pruner)
    for stale in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):  # only a stored study has any
        study_id = storage.get_study_id_from_name(study.study_name)
        storage.set_trial_state_values(storage.get_trial_id_from_study_id_trial_number(study_id, stale.number),
                                       TrialState.FAIL)
        study.enqueue_trial(stale.params, user_attrs={"configured": stale.user_attrs.get("configured", False)})
        log.warning("trial %d was cut off (the search was killed); it runs again", stale.number)
    if not study.trials and (configured := base_params(space, base)):
        study.enqueue_trial(configured, user_attrs={"configured": True})
        log.info("trial 0 tries the settings given (%s); the search keeps them unless it finds better",
                 sorted(configured))
    finished = (TrialState.COMPLETE, TrialState.PRUNED)
    epochs = int(base.get("training", {}).get("epochs", 1000))

    def spent() -> float:
        return sum(t.duration.total_seconds() for t in study.get_trials(deepcopy=False, states=finished))

    resumed = len(study.get_trials(deepcopy=False, states=finished))
    if resumed:
        log.info("search resumes with %d finished trials (%.0f s)", resumed, spent())
    while (done := len(study.get_trials(deepcopy=False, states=finished))) < settings.trials:
        if spent() >= 60 * settings.timeout_minutes:
            log.warning("time budget of %.1f min spent after %d of %d trials", settings.timeout_minutes, done,
                        settings.trials)
            break
        study.sampler = optuna.samplers.TPESampler(seed=seed + done, n_startup_trials=startup)
        trial = study.ask()
        chosen = suggest(trial, space)
        trial.set_user_attr("chosen", chosen)
        trial_settings = apply(base, chosen)
        values, losses = [], []
        try:
            for k, split in enumerate(splits):
                keras.utils.set_random_seed(seed)
                callbacks = [_pruning_callback(trial, k * epochs)] if epoch_pruning and settings.pruning else []
                value, loss = score(trial_settings, split, callbacks)
                values.append(value)
                losses.append(loss)
                if not epoch_pruning and len(splits) > 1:
                    trial.report(float(np.mean(values)), k)
                    if trial.should_prune():
                        raise optuna.TrialPruned(f"mean {metric} {np.mean(values):.4f} after fold {k + 1}")
        except optuna.TrialPruned as pruned:
            study.tell(trial, state=TrialState.PRUNED)
            log.info("trial %d pruned (%s): %s", trial.number, pruned, chosen)
            continue
        trial.set_user_attr("loss", float(np.mean(losses)))
        trial.set_user_attr("fold_values", [float(v) for v in values])
        study.tell(trial, float(np.mean(values)))
        log.info("trial %d: %s %.4f (validation loss %.4f): %s", trial.number, metric, np.mean(values),
                 np.mean(losses), chosen)
    return _result(study, base, metric, settings, scoring)


def _result(study, base, metric, settings, scoring) -> SearchResult:
    from optuna.trial import TrialState

    rows = []
    for t in study.get_trials(deepcopy=False):
        scored = t.state == TrialState.COMPLETE  # a pruned trial's value is its last report, not a score
        row = {"trial": t.number, "state": t.state.name.lower(), metric: t.value if scored else None,
               "validation_loss": t.user_attrs.get("loss"),
               "pruned_at_step": max(t.intermediate_values, default=-1) + 1 if t.state == TrialState.PRUNED else None,
               "seconds": t.duration.total_seconds() if t.duration else None}
        row.update({name: value if np.isscalar(value) else json.dumps(value)
                    for name, value in t.user_attrs.get("chosen", {}).items()})
        rows.append(row)
    trials = pd.DataFrame(rows)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        raise RuntimeError(f"no trial completed within the budget ({settings.trials} trials, "
                           f"{settings.timeout_minutes} min): raise search.timeout_minutes or search.trials")
    picked, selection = _select(complete, settings.selection)
    chosen = picked.user_attrs["chosen"]
    chosen_settings = apply(base, chosen)
    counts = trials["state"].value_counts().to_dict()
    summary = {
        "metric": metric, "scoring": "validation split" if scoring["splits"] == 1 else
        f"{scoring['splits']}-fold cross-validation inside the training and validation samples",
        "budget": dataclasses.asdict(settings), "trials": counts, "chosen_trial": picked.number,
        "chosen_value": picked.value, "chosen_validation_loss": picked.user_attrs["loss"],
        "fold_values": picked.user_attrs["fold_values"], "selection": selection, "chosen": chosen,
        "settings": chosen_settings, "chosen_is_configured": _same(chosen_settings, base),
        "search_seconds": round(float(trials["seconds"].fillna(0).sum()), 1),
    }
    log.info("chosen trial %d: %s %.4f with %s (%s)", picked.number, metric, picked.value, chosen, selection)
    return SearchResult(trials, summary)


def _select(complete: list, rule: str) -> tuple[Any, str]:
    """The chosen trial among the completed ones, and why (``SearchSettings.selection``)."""
    # ties on the score (frequent for accuracy on a few samples) go to the lower validation loss
    top = max(complete, key=lambda t: (t.value, -t.user_attrs["loss"]))
    configured = next((t for t in complete if t.user_attrs.get("configured")), None)
    differences = (np.subtract(top.user_attrs["fold_values"], configured.user_attrs["fold_values"])
                   if configured is not None else np.zeros(0))
    if rule == "best" or configured is None or configured is top or differences.size < 2:
        return top, "the top validation score"
    gain = top.value - configured.value
    standard_error = float(differences.std(ddof=1) / np.sqrt(differences.size))
    if gain <= standard_error + 1e-9:  # one fold better, the others equal: gain == SE exactly; not consistent
        return configured, (f"the configured settings (trial {configured.number}), kept: the top trial "
                            f"{top.number} scored {gain:+.4f} higher, within one standard error of the paired "
                            f"fold differences ({standard_error:.4f})")
    return top, (f"the top validation score: {gain:+.4f} over the configured settings (trial "
                 f"{configured.number}), more than one standard error of the paired fold differences "
                 f"({standard_error:.4f})")


def _search(
    dataset,
    train: Callable,
    validation_score: Callable,
    base: Mapping[str, Any],
    space: Mapping[str, Mapping],
    *,
    task: str,
    metric: str,
    budget: Mapping | None,
    seed: int,
    study_path: PathLike | None,
    epoch_pruning: bool = True,
) -> SearchResult:
    """The search of one data type: each trial trains with ``train(data, **settings, seed,
    callbacks)`` on the dataset with a validation split's (or fold's) samples marked ``val``,
    and ``validation_score(model, data)`` scores it; the best validation loss of the
    training breaks ties."""
    settings = SearchSettings(**keyword_settings(SearchSettings, budget, "search"))

    def score(trial_settings, split, callbacks):
        data = dataclasses.replace(dataset, split=split)
        model, history = train(data, **trial_settings, seed=seed, callbacks=callbacks)
        return validation_score(model, data), float(history["val_loss"].min())

    splits = validation_splits(dataset.split, dataset.y, task, settings, seed)
    return run_search(score, space, base, splits, metric=metric, settings=settings, seed=seed,
                      study_path=study_path, epoch_pruning=epoch_pruning)


def _validation_metric(metric: str) -> Callable:
    """``validation_score`` of a supervised model: ``metric`` of its predictions on the
    validation samples (:func:`biodl.evaluate.compute_metrics`)."""
    def validation_score(model, data) -> float:

        x, y = data.part("val")
        return compute_metrics(y, predict(model, x), data.task, data.names)[metric]

    return validation_score


def search_sequences(
    dataset,
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    space: Mapping | None = None,
    budget: Mapping | None = None,
    seed: int = 1,
    study_path: PathLike | None = None,
) -> SearchResult:
    """Search the DNA model's settings, scored by validation AUROC (Pearson r for regression).

    Parameters
    ----------
    dataset
        From :func:`biodl.sequences.prepare`.
    model, training
        The settings the search starts from (those of :func:`biodl.sequences.train`).
    space
        The search space (module docstring); ``None``: :data:`SEQUENCE_SPACE`.
    budget
        Fields of :class:`SearchSettings`.
    seed, study_path
        See :func:`run_search`.
    """
    metric = "pearson" if dataset.task == "regression" else "auroc"
    base = {"model": dict(model or {}), "training": dict(training or {})}
    return _search(dataset, sequences.train, _validation_metric(metric), base, space or SEQUENCE_SPACE,
                   task=dataset.task, metric=metric, budget=budget, seed=seed, study_path=study_path)


def search_timeseries(
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
        ``prepare(...).series`` (:func:`biodl.timeseries.prepare`).
    model, training, training_overrides
        The GAF CNN's builder settings and its training settings
        (:func:`biodl.timeseries.network_training`) the search starts from.
    image_size, encodings, scales
        The dataset's images, the start of ``gaf_on_the_fly``.
    space, budget, seed, study_path
        As in :func:`search_sequences`; ``None`` space: :func:`timeseries_space` of the
        series length and the training and validation series.
    """
    model = dict(model or {})
    model["gaf_on_the_fly"] = deep_merge({"image_size": image_size, "encodings": list(encodings),
                                          "scales": list(scales)}, model.get("gaf_on_the_fly"))
    resolved = timeseries.network_training("gaf_cnn", training, training_overrides)
    base = {"network": "gaf_cnn", "model": model, "training": dataclasses.asdict(resolved), "training_overrides": {}}
    space = space or timeseries_space(int(series.x.shape[1]), int(np.sum(series.split != "test")),
                                      model["gaf_on_the_fly"]["image_size"])
    result = _search(series, timeseries.train, _validation_metric("accuracy"), base, space,
                     task=series.task, metric="accuracy", budget=budget, seed=seed, study_path=study_path)
    return dataclasses.replace(result, kind="timeseries", searched="the GAF CNN")


def search_omics(
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
    ones), as :func:`biodl.omics.evaluate` scores the test split.

    Settings that do not apply to the model are left out of the space: ``beta`` for plain
    autoencoders, ``classifier_weight`` for unsupervised ones. Trials are pruned between
    folds (an autoencoder's validation loss depends on ``beta``, so losses are not
    compared).

    Parameters
    ----------
    dataset
        One seed's :func:`biodl.omics.prepare`; its test samples are never read.
    name
        The model (:func:`biodl.omics.model_kind`).
    model, training, space, budget, seed, study_path
        As in :func:`search_sequences`; ``None`` space: :data:`OMICS_SPACE`.
    """
    kind = omics.model_kind(name)
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
    result = _search(dataset, omics.train, latent_balanced_accuracy, base, space, task="multiclass",
                     metric="balanced_accuracy", budget=budget, seed=seed, study_path=study_path, epoch_pruning=False)
    return dataclasses.replace(result, kind="omics", searched=f"{name}, chosen inside seed {seed}'s split (each "
                               "seed's test samples differ, so each seed has its own search)")
