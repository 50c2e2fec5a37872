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


def test_breast_tcga_tables_align(shared_data):
    from biodl.omics import OmicPreprocessor, prepare_omics, read_omic
    from biodl import io

    folder = shared_data / "breast_tcga"
    omics = {name: read_omic(folder / f"{name}.tsv") for name in ("mrna", "mirna", "protein")}
    labels = io.read_table(folder / "subtype.tsv", "sample")
    ds = prepare_omics(omics, labels, "subtype", {k: OmicPreprocessor() for k in omics}, test_fraction=0.3, seed=1)
    assert ds.report["samples_in_every_omic"] == 150 and ds.mask.all()
    assert ds.report["features"] == {"mrna": 200, "mirna": 184, "protein": 142}
    assert ds.classes == ["Basal", "Her2", "LumA"] and ds.report["split_counts"]["test"] == 45
