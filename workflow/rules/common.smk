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


wildcard_constraints:
    seq_dataset=_names_pattern(SEQUENCE_DATASETS),


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
    return " ".join(f"--class {shlex.quote(name + '=' + ','.join(ids))}" for name, ids in classes.items())


def optional_flag(flag, value):
    """``--flag value`` when a value is set, else nothing."""
    return "" if value in (None, "", []) else f"{flag} {shlex.quote(str(value))}"


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
    return targets
