"""The multi-omics steps (``workflow/rules/omics.smk``): demo tables, alignment and
preprocessing, the autoencoders, the search and the embedding evaluation."""

from __future__ import annotations

from biodl import omics
from biodl.config import SEARCHED, SIMULATED_OMICS, runs, searched_model
from biodl.data import simulate
from biodl.evaluation import plots
from biodl.io import write_json
from biodl.steps.declaration import step
from biodl.steps.layout import omics_tables
from biodl.steps.shared import (
    RUNS,
    SEARCH,
    SEARCH_OUTPUTS,
    SEARCHED_FILES,
    SEED,
    check_runs,
    checked_model,
    search_into,
    search_keys,
    train_into,
)


def simulate_omics_settings(config, omics_dataset):
    return {**config["omics"][omics_dataset]["simulate"], "seed": config["seed"]}


@step("simulate_omics", simulate_omics_settings,
      "demo omics from a latent factor model with subtypes", simulate.simulate_omics,
      {"labels": "output TSV: sample, subtype", **{name: f"output TSV of {name}" for name in SIMULATED_OMICS}})
def simulate_omics(paths, settings):
    simulate.simulate_omics(**settings).write(paths.labels, **{name: getattr(paths, name) for name in SIMULATED_OMICS})


def prepare_omics_settings(config, omics_dataset, seed):
    settings = config["omics"][omics_dataset]
    reading_and_preprocessing = ("path", "transpose", "log1p", "top_k", "scaling")
    omics = {name: {k: v for k, v in spec.items() if k in reading_and_preprocessing}
             for name, spec in omics_tables(config, omics_dataset).items()}
    keys = ("sample_column", "label_column", "complete_cases", "val_fraction", "test_fraction")
    return {"omics": omics, **{key: settings[key] for key in keys}, "seed": int(seed)}


@step("prepare_omics", prepare_omics_settings,
      "align, split and preprocess omic tables", omics.prepare,
      {"labels": "TSV: sample, label column(s), optional split",
       "tables": "the omic tables, as named in the settings (given so that a workflow tracks them)",
       "data": "output .npz", "report": "output JSON"},
      several=("tables",), optional=("tables",),
      extra={"omics": "omic name -> {path, transpose, log1p, top_k, scaling}"})
def prepare_omics(paths, settings):
    named = sorted(str(spec["path"]) for spec in settings.get("omics", {}).values())
    if paths.tables is not None and sorted(map(str, paths.tables)) != named:
        raise ValueError(f"--tables {' '.join(map(str, paths.tables))}: the settings' omics read {named}")
    dataset = omics.prepare(labels=paths.labels, **settings)
    dataset.save(paths.data)
    write_json(paths.report, dataset.report)


def train_omics_settings(config, omics_dataset, omics_model, seed):
    settings = config["omics"][omics_dataset]
    tables = omics_tables(config, omics_dataset)
    model = {**settings["model"], "latent_dim": settings["latent_dim"],
             "likelihoods": {name: spec["likelihood"] for name, spec in tables.items() if "likelihood" in spec},
             "loss_weights": {name: spec["weight"] for name, spec in tables.items() if "weight" in spec}}
    return {"name": omics_model.removeprefix(SEARCHED), "model": model, "training": settings["training"],
            "seed": int(seed)}


@step("train_omics", train_omics_settings,
      "train a multi-omics autoencoder or VAE", omics.train,
      {"data": ".npz from prepare-omics", "model": "output .keras", "history": "output TSV, one row per epoch",
       **SEARCHED_FILES}, optional=tuple(SEARCHED_FILES), extra={"name": "(joint|early)_(vae|ae)[_supervised]"},
      tensorflow=True)
def train_omics(paths, settings):
    train_into(paths, settings, omics.train, lambda: omics.OmicsDataset.load(paths.data))


def search_omics_settings(config, omics_dataset, seed):
    settings = config["omics"][omics_dataset]
    return {**train_omics_settings(config, omics_dataset, searched_model("omics", settings), seed),
            **search_keys(settings, omics_dataset)}


@step("search_omics", search_omics_settings,
      "choose an autoencoder's settings inside one seed's split", omics.search,
      {"data": ".npz from prepare-omics", **SEARCH_OUTPUTS}, extra=SEARCH, tensorflow=True)
def search_omics(paths, settings):
    search_into(paths, settings, omics.search, lambda: omics.OmicsDataset.load(paths.data))


def evaluate_omics_settings(config, omics_dataset):
    settings = config["omics"][omics_dataset]
    return {"runs": [{"model": m, "seed": s} for m, s in runs(settings, "omics")], "seeds": settings["seeds"],
            "seed": config["seed"]}


@step("evaluate_omics", evaluate_omics_settings,
      "embeddings on the test split, beside PCA and the raw features", omics.evaluate,
      {"data": ".npz from prepare-omics, one per seed", "models": "trained .keras files",
       "metrics": "output JSON", "table": "output TSV: model x metric", "embeddings": "output TSV",
       "importance": "output TSV", "latent": "output PNG", "reconstruction": "output PNG"},
      several=("data", "models"), extra={**RUNS, "seeds": "the seed of each data file, in the same order", **SEED},
      tensorflow=True)
def evaluate_omics(paths, settings):
    seeds, runs = settings.pop("seeds"), settings.pop("runs")
    if len(seeds) != len(paths.data):
        raise ValueError(f"settings list {len(seeds)} seeds for {len(paths.data)} data files")
    check_runs(runs, paths.models)
    datasets = {int(seed): omics.OmicsDataset.load(path) for seed, path in zip(seeds, paths.data, strict=True)}
    what = f"the omics in {', '.join(map(str, paths.data))}"
    models = {(run["model"], int(run["seed"])): checked_model(
        path, [{name: values.shape[1:] for name, values in datasets[int(run["seed"])].arrays.items()}], what)
        for run, path in zip(runs, paths.models, strict=True)}
    result = omics.evaluate(datasets, models, **settings)
    result.write(paths.metrics, paths.table, paths.embeddings, paths.importance)
    plots.plot_latent(*result.test_embedding(), paths.latent, "{} (seed {}), test split".format(*result.first_run))
    plots.plot_reconstruction(result.reconstruction_table(), paths.reconstruction)

