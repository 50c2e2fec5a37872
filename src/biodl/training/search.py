"""Model selection on validation data: a budgeted, resumable hyperparameter search.

Each data type has one entry point (:func:`biodl.sequences.search`,
:func:`biodl.timeseries.search`, :func:`biodl.omics.search`, each over
:func:`search_dataset`) that trains its model once per trial with settings drawn from a
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

from biodl.data.splits import cross_validation_splits
from biodl.io.files import PathLike, atomic_output, write_json, write_table
from biodl.training.settings import deep_merge, keyword_settings

log = logging.getLogger(__name__)

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
    config_block
        The chosen settings as the dataset's config block, where the data type arranges
        them otherwise than nested by their dotted names.
    """

    trials: pd.DataFrame
    summary: dict
    kind: str = "sequences"
    searched: str = "the searched settings"
    config_block: dict | None = None

    @property
    def settings(self) -> dict:
        """The chosen trial's settings over the base ones, for the data type's ``train``."""
        return self.summary["settings"]

    @property
    def chosen(self) -> dict:
        """The searched settings alone (dotted name -> value) of the chosen trial."""
        return self.summary["chosen"]

    def config_keys(self, dataset: str) -> dict:
        """The chosen settings where a config holds them: ``{kind: {dataset: block}}``, the
        block being ``config_block``, or the chosen settings nested."""
        block = self.config_block if self.config_block is not None else apply({}, self.chosen)
        return {self.kind: {dataset: block}}

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
    if settings.folds < 2 or np.sum(split != "test") >= settings.cv_below:
        return [np.asarray(split)]
    return cross_validation_splits(split, y, task, settings.folds, seed)


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


def search_dataset(
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
