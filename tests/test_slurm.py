"""The tiny workflow on a real SLURM cluster through workflow/profiles/slurm and
snakemake-executor-plugin-slurm. Skipped where there is no cluster: on a Debian machine,
as root, `apt-get install slurm-wlm munge && tests/slurm/start_cluster.sh` makes one."""

import json
import os
import re
import shutil
import subprocess

import pytest
from conftest import ROOT
from test_workflow import snakemake, test_config


def cluster_up() -> bool:
    if not shutil.which("sbatch") or not shutil.which("squeue"):
        return False
    sinfo = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True)
    return sinfo.returncode == 0 and bool(re.search(r"idle|mix|alloc", sinfo.stdout))


pytestmark = [
    pytest.mark.slurm,
    # .ci/run starts a cluster and sets BIODL_REQUIRE_SLURM: there the test runs, and fails if it is down
    pytest.mark.skipif(not cluster_up() and not os.environ.get("BIODL_REQUIRE_SLURM"),
                       reason="no SLURM cluster (sbatch, squeue and an idle node); see tests/slurm/start_cluster.sh"),
]


def test_tiny_workflow_runs_through_slurm(tmp_path):
    pytest.importorskip("snakemake_executor_plugin_slurm")
    config = test_config(tmp_path, name="config.yaml")
    result = snakemake("--profile", str(ROOT / "workflow" / "profiles" / "slurm"), "--configfile", str(config),
                       "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "5",
                       "--slurm-keep-successful-logs", "--slurm-logdir", str(tmp_path / "slurm_logs"),
                       cwd=tmp_path, timeout=1500)
    said = result.stdout + result.stderr
    assert result.returncode == 0, said[-4000:]
    metrics = json.loads((tmp_path / "results" / "tiny" / "cnn1d" / "metrics.json").read_text())
    assert metrics["split"] == "test" and metrics["models"]["cnn1d"]["accuracy"] > 0.5
    assert (tmp_path / "results" / "tinyts" / "metrics.json").exists()
    assert (tmp_path / "results" / "tinyomics" / "metrics.json").exists()

    job_ids = set(re.findall(r"SLURM jobid (\d+)", said))
    assert len(job_ids) >= 20, said[-4000:]  # every step of the tiny run is its own job
    queue = subprocess.run(["squeue", "-h", "-t", "all", "-o", "%i %T %j"], capture_output=True, text=True).stdout
    states = {job: state for job, state, _ in (line.split(maxsplit=2) for line in queue.splitlines())}
    assert {states.get(job) for job in job_ids} == {"COMPLETED"}, (job_ids, queue)
    logs = list((tmp_path / "slurm_logs").rglob("*.log"))
    assert {path.stem for path in logs} >= job_ids
    assert any("rule_train_sequences" in str(path) for path in logs)
    assert "biodl.training.session: TensorFlow" in (tmp_path / "logs" / "tiny" / "train_cnn1d.log").read_text()
