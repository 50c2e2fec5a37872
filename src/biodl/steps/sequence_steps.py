"""The DNA steps (``workflow/rules/sequences.smk``): demo data, windows cut from a genome,
one-hot encoding, training, the search and the test-split evaluation."""

from __future__ import annotations

from pathlib import Path

from biodl import sequences
from biodl.data import simulate, windows
from biodl.data.datasets import EncodedDataset
from biodl.evaluation import plots
from biodl.io import genome, read_delimited, write_json, write_table
from biodl.steps.declaration import step
from biodl.steps.layout import region_files
from biodl.steps.shared import (
    PRETRAINED_FILE,
    SEARCH,
    SEARCH_OUTPUTS,
    SEARCHED_FILES,
    load_checked_model,
    search_into,
    search_keys,
    train_into,
)


def simulate_dna_settings(config, seq_dataset):
    return {**config["sequences"][seq_dataset]["simulate"], "release": config["jaspar_release"], "seed": config["seed"]}


@step("simulate_dna", simulate_dna_settings,
      "demo DNA with planted JASPAR motifs", simulate.simulate_dna,
      {"fasta": "output FASTA (.gz to compress)", "labels": "output TSV: id, class", "truth": "output TSV of sites"},
      extra={"classes": "class name -> JASPAR ids planted in it ([] for background only)"})
def simulate_dna(paths, settings):
    simulate.simulate_dna(**settings).write(paths.fasta, paths.labels, paths.truth)


def simulate_genome_settings(config, seq_dataset):
    settings = config["sequences"][seq_dataset]
    # the known-answer variants' controls lie in the model's window around each site
    window = settings["length"] or settings["simulate_genome"]["peak_width"]
    return {**settings["simulate_genome"], "variant_window": window, "release": config["jaspar_release"],
            "seed": config["seed"]}


@step("simulate_genome", simulate_genome_settings,
      "a demo genome with peaks over planted JASPAR motifs", simulate.simulate_genome,
      {"genome": "output FASTA", "peaks": "output narrowPeak", "truth": "output TSV of planted sites",
       "variants": "output VCF: SNVs breaking planted sites and SNVs elsewhere in their windows",
       "variant_truth": "output TSV: the variants' known answers (breaks_site)"})
def simulate_genome(paths, settings):
    simulate.simulate_genome(**settings).write(paths.genome, paths.peaks, paths.truth, paths.variants,
                                               paths.variant_truth)


def index_genome_settings(config, genome_dataset):
    return {}


@step("index_genome", index_genome_settings,
      "a plain, indexed copy (or link) of a reference FASTA", genome.index_genome,
      {"source": "FASTA: plain, gzip or bgzip", "genome": "output plain FASTA (its .fai is written beside it)",
       "index": "output .fai index: <genome>.fai, where it is always written (optional to name)"},
      optional=("index",))
def index_genome(paths, settings):
    if paths.index is not None and Path(paths.index) != Path(f"{paths.genome}.fai"):
        raise ValueError(f"--index {paths.index}: the index is written beside the genome, as {paths.genome}.fai")
    genome.index_genome(paths.source, paths.genome)


def extract_regions_settings(config, seq_dataset):
    settings = config["sequences"][seq_dataset]
    return {"classes": region_files(config, seq_dataset)[1], "length": settings["length"],
            **settings["background"], "seed": config["seed"]}


@step("extract_regions", extract_regions_settings,
      "windows around regions on a genome, with negatives and targets", windows.extract,
      {"regions": "BED / narrowPeak / TSV of intervals (several: one per class)", "genome": "FASTA",
       "index": "the genome's .fai (read from beside it; named so that a workflow builds it first)",
       "blacklist": "BED of intervals to avoid", "signal": "bigWig of a signal track (regression target)",
       "fasta": "output FASTA of windows (.gz to compress)", "labels": "output TSV: id, target(s)",
       "windows": "output TSV: id, chrom, start, end, source, gc, target(s)", "report": "output JSON",
       "gc_plot": "output PNG: GC content of regions and negatives"},
      several=("regions",), optional=("index", "blacklist", "signal"))
def extract_regions(paths, settings):
    result = windows.extract(paths.regions, paths.genome, blacklist=paths.blacklist, signal=paths.signal, **settings)
    result.write(paths.fasta, paths.labels, paths.windows, paths.report)
    plots.plot_window_gc(result.windows, paths.gc_plot, target="signal" if "signal" in result.targets else None,
                         uniform_gc=result.report["gc_mean_uniform_windows"])


def prepare_sequences_settings(config, seq_dataset):
    settings = config["sequences"][seq_dataset]
    keys = ("label_columns", "task", "length", "ambiguous", "split")
    return {**{key: settings[key] for key in keys}, "seed": config["seed"]}


@step("prepare_sequences", prepare_sequences_settings,
      "read, one-hot encode and split a labelled FASTA", sequences.prepare,
      {"fasta": "FASTA or gzipped FASTA", "labels": "TSV: id, label column(s), optional split",
       "data": "output .npz", "splits": "output TSV: id, split", "report": "output JSON: counts, task, lengths"})
def prepare_sequences(paths, settings):
    dataset = sequences.prepare(paths.fasta, paths.labels, **settings, data_path=paths.data)
    write_table(paths.splits, dataset.splits_table(), index=False)
    write_json(paths.report, dataset.report)


def train_sequences_settings(config, seq_dataset, seq_model="cnn1d"):
    settings = config["sequences"][seq_dataset]
    return {"model": settings["model"], "training": settings["training"], "init_from": settings["init_from"],
            "transfer": settings["transfer"], "seed": config["seed"]}


@step("train_sequences", train_sequences_settings,
      "train the DNA model (cnn1d) on a prepared dataset", sequences.train,
      {"data": ".npz from prepare-sequences", "model": "output .keras", "history": "output TSV, one row per epoch",
       **SEARCHED_FILES, **PRETRAINED_FILE}, optional=(*SEARCHED_FILES, *PRETRAINED_FILE), tensorflow=True)
def train_sequences(paths, settings):
    train_into(paths, settings, sequences.train, lambda: EncodedDataset.load(paths.data, stream=True))


def search_sequences_settings(config, seq_dataset):
    settings = config["sequences"][seq_dataset]
    return {"model": settings["model"], "training": settings["training"], "seed": config["seed"],
            **search_keys(settings, seq_dataset)}


@step("search_sequences", search_sequences_settings,
      "choose the DNA model's settings on validation data", sequences.search,
      {"data": ".npz from prepare-sequences", **SEARCH_OUTPUTS}, extra=SEARCH, tensorflow=True)
def search_sequences(paths, settings):
    search_into(paths, settings, sequences.search, lambda: EncodedDataset.load(paths.data, stream=True))


def evaluate_sequences_settings(config, seq_dataset, seq_model="cnn1d"):
    settings = config["sequences"][seq_dataset]
    return {"baseline_motifs": settings["baseline_motifs"], "kmer_baseline": settings["kmer_baseline"],
            "baseline_max_train": settings["baseline_max_train"],
            "jaspar_release": config["jaspar_release"], "seed": config["seed"]}


@step("evaluate_sequences", evaluate_sequences_settings,
      "test-split metrics and plots, cnn1d beside the PWM scan", sequences.evaluate,
      {"data": ".npz from prepare-sequences", "model": ".keras", "history": "TSV from train-sequences",
       "metrics": "output JSON", "predictions": "output TSV", "performance": "output PNG: ROC/PR or scatter",
       "curves": "output PNG: training curves"}, tensorflow=True)
def evaluate_sequences(paths, settings):
    dataset = EncodedDataset.load(paths.data, stream=True)
    result = sequences.evaluate(dataset, load_checked_model(paths.model, paths.data, dataset), **settings)
    result.write(paths.metrics, paths.predictions)
    plots.plot_performance(result.y, result.scores, result.task, result.names, paths.performance)
    plots.plot_history(read_delimited(paths.history, "training history", columns=["epoch"]), paths.curves)

