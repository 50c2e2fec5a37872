"""The workflow used as snakedeploy sets it up: an empty project folder with its own config
and a workflow/Snakefile that takes every rule of biodl's as a Snakemake module. The results
appear in the project; the clone gains nothing."""

import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from test_workflow import snakemake, write_profile_regions

TEST_CONFIG = ROOT / ".test" / "config" / "config.yaml"
pytestmark = pytest.mark.workflow


def project(folder: Path, config: dict) -> Path:
    """A project as ``snakedeploy deploy-workflow`` writes it, using this clone's workflow."""
    (folder / "config").mkdir(parents=True)
    (folder / "workflow").mkdir()
    (folder / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (folder / "workflow" / "Snakefile").write_text(f'''configfile: "config/config.yaml"


module biodl:
    snakefile:
        "{ROOT / "workflow" / "Snakefile"}"
    config:
        config


use rule * from biodl
''')
    return folder


def test_a_deployed_workflow_plans_every_step_of_the_tiny_config(tmp_path):
    folder = project(tmp_path / "mine", yaml.safe_load(TEST_CONFIG.read_text()))
    write_profile_regions(folder)
    result = snakemake("-n", "--quiet", "rules", cwd=folder, snakefile=folder / "workflow" / "Snakefile")
    assert result.returncode == 0, result.stderr[-3000:]
    for rule in ("simulate_genome", "extract_regions", "modisco", "tomtom", "search_timeseries", "evaluate_omics",
                 "train_profile_bias", "interpret_profiles", "predict_profile_regions", "summarize"):
        assert re.search(rf"\n{rule}\s+\d+\n", result.stdout), rule


def test_a_deployed_workflow_runs_in_its_own_folder(tmp_path):
    config = yaml.safe_load(TEST_CONFIG.read_text())
    config = {"seed": config["seed"], "threads": 1, "omics": config["omics"]}
    config["omics"]["tinyomics"]["search"] = {"enabled": False}
    before = sorted(path.name for path in ROOT.iterdir())
    folder = project(tmp_path / "mine", config)
    result = snakemake("--cores", "2", cwd=folder, snakefile=folder / "workflow" / "Snakefile")
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = yaml.safe_load((folder / "results" / "tinyomics" / "metrics.json").read_text())
    assert {"joint_vae", "joint_vae_supervised", "raw_features"} <= set(metrics["summary"])
    assert "tinyomics" in (folder / "results" / "summary.md").read_text()
    assert (folder / "logs" / "tinyomics" / "train_joint_vae_seed1.log").is_file()
    assert sorted(path.name for path in ROOT.iterdir()) == before  # nothing written into the clone
