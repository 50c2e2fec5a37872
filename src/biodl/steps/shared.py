"""What several steps share: loading a model checked against the data it is applied to,
training a configured or searched model, reading a step's JSON, and the settings and files
that recur in step declarations."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from biodl.config import SEARCH_BUDGET
from biodl.data.datasets import EncodedDataset
from biodl.io.files import atomic_output, read_json
from biodl.training import check_model_inputs, check_model_outputs, load_model

log = logging.getLogger("biodl")

SEED = {"seed": "seeds TensorFlow (biodl.training.configure)"}
SEARCH = {"dataset": "the dataset's name in the config snippet"}
SEARCHED_FILES = {"searched": "summary JSON of a search step: the settings it chose replace the given ones",
            "configured_model": "with searched: the model trained with the configured settings (copied when "
                                "the search kept them)", "configured_history": "its history TSV"}
PRETRAINED_FILE = {"pretrained": "the trained model to start from (.keras): replaces the init_from setting; the "
                                 "workflow names it so that a training waits for it"}
SEARCH_OUTPUTS = {"trials": "output TSV, one row per trial", "summary": "output JSON: scoring, budget, best trial",
                  "snippet": "output YAML: the chosen settings as a config snippet"}
RUNS = {"runs": "one {model, seed} per model file, in the same order"}


def load_checked_model(path, data_path, *datasets: EncodedDataset):
    """The model at ``path``, checked to read the inputs of one of ``datasets`` (loaded from
    ``data_path``) and to have one output per output of the first."""
    return checked_model(path, [dataset.x.shape[1:] for dataset in datasets], f"the data in {data_path}",
                         len(datasets[0].names))


def dataset_and_model(paths):
    """The prepared dataset of ``paths.data`` (streamed) and the model of ``paths.model``,
    checked to read it."""
    dataset = EncodedDataset.load(paths.data, stream=True)
    return dataset, load_checked_model(paths.model, paths.data, dataset)


def checked_model(path, layouts: Sequence, what: str, n_outputs: int | None = None):
    """The model at ``path``, refused unless it reads one of the input ``layouts`` (and has
    ``n_outputs`` outputs, when given): :func:`biodl.training.check_model_inputs`."""
    model = load_model(path)
    check_model_inputs(model, layouts, str(path), what)
    if n_outputs is not None:
        check_model_outputs(model, n_outputs, str(path), what)
    return model


def check_runs(runs: Sequence[dict], paths: Sequence[str]) -> None:
    """Refuse settings whose ``runs`` do not pair one to one with the model files."""
    if len(runs) != len(paths):
        raise ValueError(f"settings list {len(runs)} runs for {len(paths)} model files; give one run per file")


def trained_models(runs: Sequence[dict], paths: Sequence[str], data_path: str, *datasets: EncodedDataset) -> dict:
    """``(model, seed)`` -> model, from the settings' ``runs`` and the model files (matched
    by :func:`check_runs` before the data are read), in order, each checked as
    :func:`load_checked_model` does."""
    return {(run["model"], int(run["seed"])): load_checked_model(path, data_path, *datasets)
            for run, path in zip(runs, paths, strict=True)}


def train_into(paths, settings: dict, train: Callable, data: Callable) -> None:
    """Train with ``train(data(), **settings)`` into ``paths.model`` and ``paths.history``,
    starting from ``paths.pretrained`` when given (the ``init_from`` setting).
    Given a search's summary (``paths.searched``), its chosen settings replace the given
    ones and the model trains from scratch, as the search's trials did; when they are the
    configured settings unchanged, the configured model (``paths.configured_model`` and
    ``configured_history``) is copied instead of trained a second time, which would differ
    from it by run-to-run noise only."""
    if paths.searched is not None:
        searched = read_json(paths.searched)
        if searched.get("chosen_is_configured") and paths.configured_model is not None:
            for source, target in ((paths.configured_model, paths.model), (paths.configured_history, paths.history)):
                with atomic_output(target) as tmp:
                    shutil.copyfile(source, tmp)
            log.info("the search chose the configured settings (%s): the model is %s, copied", paths.searched,
                     paths.configured_model)
            return
        log.info("training with the settings the search chose (%s): %s", paths.searched, searched["settings"])
        settings = {**settings, **searched["settings"]}
        if "init_from" in settings:  # a searched model trains from scratch, as its trials did
            settings["init_from"] = None
    elif getattr(paths, "pretrained", None) is not None:
        settings = {**settings, "init_from": paths.pretrained}
    train(data(), **settings, model_path=paths.model, history_path=paths.history)


def search_keys(settings: Mapping, dataset: str) -> dict:
    """The settings every search step takes from a dataset's config block: the search
    ``space``, its ``budget`` and the dataset's name (for the snippet)."""
    return {"space": settings["search"]["space"], "budget": {key: settings["search"][key] for key in SEARCH_BUDGET},
            "dataset": dataset}


def search_into(paths, settings: dict, search: Callable, data: Callable) -> None:
    """Run ``search(data(), **settings)`` and write its trials, summary and config snippet
    (named after the settings' ``dataset``). Its Optuna storage, ``study.db`` beside the
    summary, is not a declared output: it stays when a job is killed, and the rerun
    continues from it."""
    name = settings.pop("dataset", "dataset")
    result = search(data(), **settings, study_path=Path(paths.summary).with_name("study.db"))
    result.write(paths.trials, paths.summary, paths.snippet, name)
