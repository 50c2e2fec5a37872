"""Training survives a kill: `biodl train-sequences` killed with SIGKILL part-way, then run
again with the same command, resumes from its last checkpoint and finishes the epochs."""

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from conftest import write_fasta_text

from biodl.steps.cli import main

EPOCHS = 30


def prepared_data(tmp_path):
    rng = np.random.default_rng(0)
    sequences = ["".join(rng.choice(list("ACGT"), 200)) for _ in range(1500)]
    labels = rng.integers(0, 2, len(sequences))
    sequences = [seq[:90] + ("GGGGCCCC" if label else "TTTTAAAA") + seq[98:] for seq, label in zip(sequences, labels)]
    fasta = write_fasta_text(tmp_path / "in.fa", "".join(f">s{i}\n{s}\n" for i, s in enumerate(sequences)))
    (tmp_path / "labels.tsv").write_text("id\tbound\n" + "".join(f"s{i}\t{y}\n" for i, y in enumerate(labels)))
    data = tmp_path / "data.npz"
    assert main(["prepare-sequences", "--fasta", str(fasta), "--labels", str(tmp_path / "labels.tsv"),
                 "--data", str(data), "--splits", str(tmp_path / "splits.tsv"),
                 "--report", str(tmp_path / "report.json")]) == 0
    return data


def test_killed_training_resumes_and_continues_the_epoch_count(tmp_path):
    data = prepared_data(tmp_path)
    (tmp_path / "settings.yaml").write_text(
        f"model: {{filters: [16], kernel_sizes: [9], pool_sizes: [4], dense_units: [16]}}\n"
        f"training: {{epochs: {EPOCHS}, patience: {EPOCHS}, batch_size: 32}}\nseed: 3\n")
    model, history = tmp_path / "model" / "cnn1d.keras", tmp_path / "model" / "history.tsv"
    command = [sys.executable, "-m", "biodl.steps.cli", "train-sequences", "--data", str(data), "--model", str(model),
               "--history", str(history), "--settings", str(tmp_path / "settings.yaml"), "--threads", "1"]
    state = tmp_path / "model" / "cnn1d.checkpoint" / "state.json"

    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        if state.is_file() and json.loads(state.read_text())["epoch"] >= 3:
            break
        time.sleep(0.02)
    assert first.poll() is None, f"training ended before it could be killed:\n{first.stderr.read()[-2000:]}"
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_after = json.loads(state.read_text())["epoch"]
    assert 3 <= killed_after < EPOCHS and not model.exists() and not history.exists()

    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    assert f"after epoch {killed_after} of {EPOCHS}" in second.stderr
    epochs_run = [int(line.split()[1].split("/")[0]) for line in second.stdout.splitlines()
                  if line.startswith("Epoch ")]
    assert epochs_run == list(range(killed_after + 1, EPOCHS + 1))
    table = pd.read_csv(history, sep="\t")
    assert table["epoch"].tolist() == list(range(1, EPOCHS + 1)) and table["best"].sum() == 1
    assert model.is_file() and not state.parent.exists()
