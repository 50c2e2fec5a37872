"""The base-resolution profile steps (``workflow/rules/profiles.smk``): a demo genome with
simulated Tn5 insertions, profile windows around peaks, the BPNet, and its held-out
evaluation with the predicted tracks."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from biodl import profiles
from biodl.config import profile_tracks
from biodl.data import simulate
from biodl.data.profile_windows import load_profiles
from biodl.evaluation import plots
from biodl.io import read_delimited, write_json
from biodl.steps.declaration import step
from biodl.steps.shared import (
    PRETRAINED_FILE,
    SEARCH,
    SEARCH_OUTPUTS,
    SEARCHED_FILES,
    checked_model,
    search_into,
    search_keys,
    train_into,
)
from biodl.training import load_model


def simulate_profiles_settings(config, prof_dataset):
    settings = config["profiles"][prof_dataset]
    return {"genome": settings["simulate_genome"], "insertions": settings["simulate_insertions"],
            "release": config["jaspar_release"], "seed": config["seed"]}


@step("simulate_profiles", simulate_profiles_settings,
      "a demo genome with peaks over planted motifs and Tn5 insertions with footprints", simulate.simulate_profiles,
      {"genome": "output FASTA", "peaks": "output narrowPeak", "truth": "output TSV of planted sites",
       "cuts": "output bigWig of insertion counts per base"})
def simulate_profiles(paths, settings):
    simulate.simulate_profiles(**settings).write(paths.genome, paths.peaks, paths.truth, paths.cuts)


def prepare_profiles_settings(config, prof_dataset):
    settings = config["profiles"][prof_dataset]
    keys = ("strand_pairs", "input_length", "output_length", "jitter", "background", "split", "fragment_shift")
    return {"track_names": profile_tracks(settings), **{key: settings[key] for key in keys}, "seed": config["seed"]}


@step("prepare_profiles", prepare_profiles_settings,
      "profile windows around peaks, with GC-matched background, from count tracks", profiles.prepare,
      {"regions": "narrowPeak or BED of peaks", "genome": "FASTA",
       "index": "the genome's .fai (read from beside it; named so that a workflow builds it first)",
       "tracks": "bigWig of counts per base, or a fragments file, per track (in the order of track_names)",
       "blacklist": "BED of intervals no window may overlap",
       "data": "output .npz of the windows", "report": "output JSON: windows, counts, what was left out"},
      several=("tracks",), optional=("index", "blacklist"),
      extra={"track_names": "the name of each tracks file, in order"})
def prepare_profiles(paths, settings):
    names = settings.pop("track_names")
    if len(names) != len(paths.tracks):
        raise ValueError(f"{len(names)} track names {names} for {len(paths.tracks)} track files; give one name each")
    data, report = profiles.prepare(paths.regions, paths.genome, dict(zip(names, paths.tracks, strict=True)),
                                    blacklist=paths.blacklist, **settings)
    data.save(paths.data)
    write_json(paths.report, report)


def train_profiles_settings(config, prof_dataset, prof_model="bpnet"):
    settings = config["profiles"][prof_dataset]
    return {"model": settings["model"], "training": settings["training"], "init_from": settings["init_from"],
            "transfer": settings["transfer"], "seed": config["seed"]}


@step("train_profiles", train_profiles_settings,
      "train the profile model (bpnet; chrombpnet beside a frozen bias model) on prepared profile windows",
      profiles.train,
      {"data": ".npz from prepare-profiles", "bias": "a bias model (.keras from train-profile-bias): train "
       "ChromBPNet's factorised model", "model": "output .keras", "history": "output TSV, one row per epoch",
       **SEARCHED_FILES, **PRETRAINED_FILE},
      optional=("bias", *SEARCHED_FILES, *PRETRAINED_FILE), tensorflow=True)
def train_profiles(paths, settings):
    train_into(paths, settings, partial(profiles.train, bias_path=paths.bias), lambda: load_profiles(paths.data))


def search_profiles_settings(config, prof_dataset):
    settings = config["profiles"][prof_dataset]
    return {"model": settings["model"], "training": settings["training"], "seed": config["seed"],
            **search_keys(settings, prof_dataset)}


@step("search_profiles", search_profiles_settings,
      "choose the profile model's settings on the validation chromosomes", profiles.search,
      {"data": ".npz from prepare-profiles", "bias": "a bias model (.keras): search the factorised model",
       **SEARCH_OUTPUTS}, optional=("bias",), extra=SEARCH, tensorflow=True)
def search_profiles(paths, settings):
    search_into(paths, settings, partial(profiles.search, bias_path=paths.bias), lambda: load_profiles(paths.data))


def train_profile_bias_settings(config, prof_dataset):
    bias = config["profiles"][prof_dataset]["bias"]
    return {"model": bias["model"], "training": bias["training"], "threshold_factor": bias["threshold_factor"],
            "seed": config["seed"]}


@step("train_profile_bias", train_profile_bias_settings,
      "train a bias model (the enzyme's preference) on background windows", profiles.train_bias,
      {"data": ".npz from prepare-profiles", "model": "output .keras", "history": "output TSV, one row per epoch"},
      tensorflow=True)
def train_profile_bias(paths, settings):
    profiles.train_bias(load_profiles(paths.data), **settings, model_path=paths.model, history_path=paths.history)


def evaluate_profiles_settings(config, prof_dataset, prof_model="bpnet"):
    return {"name": prof_model, "kmer_baseline": config["profiles"][prof_dataset]["kmer_baseline"],
            "seed": config["seed"]}


@step("evaluate_profiles", evaluate_profiles_settings,
      "held-out count and profile metrics beside the baseline, and the predicted tracks", profiles.evaluate,
      {"data": ".npz from prepare-profiles", "model": ".keras", "history": "TSV from train-profiles",
       "metrics": "output JSON", "predictions": "output TSV: one row per test window and track",
       "tracks": "output folder: <track>.bw, the predicted counts per base of the test windows",
       "example": "output PNG: observed and predicted profiles of a test peak",
       "counts": "output PNG: predicted against observed counts", "curves": "output PNG: training curves"},
      tensorflow=True)
def evaluate_profiles(paths, settings):
    data = load_profiles(paths.data)
    model = checked_model(paths.model, [(data.input_length, 4)], f"the profile windows in {paths.data}")
    result = profiles.evaluate(data, model, **settings)
    result.write(paths.metrics, paths.predictions)
    profiles.prediction_tracks(result, data, {track: Path(paths.tracks) / f"{track}.bw" for track in data.tracks})
    window, title = result.example_window()
    plots.plot_profile_example(result.observed[window], result.predicted_counts(window), title, paths.example,
                               start=int(result.windows["start"].iloc[window]) + data.output_offset)
    plots.plot_count_scatter(result.observed_log_counts(), result.log_counts, result.is_peak(), paths.counts)
    plots.plot_history(read_delimited(paths.history, "training history", columns=["epoch"]), paths.curves)


def interpret_profiles_settings(config, prof_dataset, prof_model="bpnet"):
    interpret = config["profiles"][prof_dataset]["interpret"]
    keys = ("heads", "max_windows", "n_references", "max_seqlets", "database", "collection", "tax_group",
            "footprint_motifs", "n_backgrounds")
    return {**{key: interpret[key] for key in keys}, "release": config["jaspar_release"], "seed": config["seed"]}


@step("interpret_profiles", interpret_profiles_settings,
      "what a profile model learned: DeepLIFT of both heads, MoDISco, JASPAR matches, marginal footprints",
      profiles.interpret,
      {"data": ".npz from prepare-profiles", "model": ".keras",
       "attributions": "output .npz: explained peak windows and their hypothetical contributions per head",
       "convergence": "output TSV: DeepLIFT's convergence per head", "patterns": "output MEME of MoDISco patterns",
       "pattern_table": "output TSV: pattern, head, seqlets", "pattern_summary": "output JSON: seqlets per head",
       "tomtom": "output TSV: the patterns' JASPAR matches", "tomtom_summary": "output JSON: match rates",
       "logos": "output PNG: patterns beside their matches",
       "footprints": "output TSV: marginal footprints", "depth": "output TSV: depth of each footprint",
       "footprint_plot": "output PNG: marginal footprints"}, tensorflow=True)
def interpret_profiles(paths, settings):
    data = load_profiles(paths.data)
    model = checked_model(paths.model, [(data.input_length, 4)], f"the profile windows in {paths.data}")
    found = profiles.interpret(data, model, **settings)
    found.write(paths.attributions, paths.convergence, paths.patterns, paths.pattern_table, paths.pattern_summary,
                paths.tomtom, paths.tomtom_summary, paths.footprints, paths.depth)
    plots.plot_motif_matches(found.patterns.motifs, found.matches.table, {m.id: m for m in found.database},
                             paths.logos)
    plots.plot_footprints(found.footprints, paths.footprint_plot, title=f"{model.name}: marginal footprints")


def predict_profile_regions_settings(config, prof_dataset, prof_model="bpnet"):
    return {"track_names": profile_tracks(config["profiles"][prof_dataset])}


@step("predict_profile_regions", predict_profile_regions_settings,
      "a profile model's predicted counts per base over any regions, as bigWigs", profiles.predict_regions,
      {"model": ".keras", "genome": "FASTA", "index": "the genome's .fai (read from beside it)",
       "regions": "BED or narrowPeak of the regions to predict",
       "tracks": "output folder: <track>.bw, the predicted counts per base",
       "report": "output JSON: regions, windows predicted and left out"}, optional=("index",),
      extra={"track_names": "the model's tracks, in order"})
def predict_profile_regions(paths, settings):
    model = load_model(paths.model)
    names = settings.pop("track_names")
    report = profiles.predict_regions(model, paths.genome, paths.regions, names,
                                      {track: Path(paths.tracks) / f"{track}.bw" for track in names}, **settings)
    write_json(paths.report, report)
