"""Checks on the real CTCF ChIP-seq data in ../shared/data (skipped when it is absent)."""

import numpy as np
import yaml

from biodl import baselines, evaluate
from biodl.datasets import prepare_sequences
from biodl.motifs import fetch_jaspar
from conftest import ROOT


def test_ctcf_example_prepares_and_pwm_baseline_is_informative(shared_data):
    config = yaml.safe_load((ROOT / "config" / "examples" / "ctcf.yaml").read_text())["sequences"]["ctcf"]
    folder = shared_data / "ctcf_chipseq"
    ds = prepare_sequences(folder / "sequences.fa.gz", folder / "labels.tsv", task="binary",
                           split_method="chromosomes", **{k: config["split"][k] for k in
                                                          ("test_chromosomes", "val_chromosomes")})
    assert ds.x.shape == (20544, 101, 4)
    assert int(ds.y.sum()) == 10323
    test_ids = ds.ids[ds.split == "test"]
    assert all(i.startswith(("chr1:", "chr8:")) for i in test_ids)
    x_test, y_test = ds.part("test")
    scores = baselines.pwm_scan_baseline(*ds.part("train"), x_test, "binary", fetch_jaspar(["MA0139"]))
    auroc = evaluate.compute_metrics(y_test, scores, "binary", ["bound"])["auroc"]
    assert 0.88 < auroc < 0.96  # the data README: a PWM scan gives about 0.93
    assert np.isin(ds.split, ["train", "val", "test"]).all()
