"""Checks on the real data in ../shared/data (skipped when it is absent)."""

import numpy as np
import yaml
from conftest import ROOT

from biodl import config, omics, sequences
from biodl.evaluation import baselines
from biodl.evaluation import metrics as evaluate
from biodl.io.jaspar import fetch_jaspar
from biodl.steps import rule_settings


def test_ctcf_example_prepares_and_pwm_baseline_is_informative(shared_data):
    example = yaml.safe_load((ROOT / "config" / "examples" / "ctcf.yaml").read_text())["sequences"]["ctcf"]
    folder = shared_data / "ctcf_chipseq"
    ds = sequences.prepare(folder / "sequences.fa.gz", folder / "labels.tsv", task="binary", split=example["split"])
    assert ds.x.shape == (20544, 101, 4)
    assert int(ds.y.sum()) == 10323
    test_ids = ds.ids[ds.split == "test"]
    assert all(i.startswith(("chr1:", "chr8:")) for i in test_ids)
    x_test, y_test = ds.part("test")
    scores = baselines.pwm_scan_baseline(*ds.part("train"), x_test, "binary", fetch_jaspar(["MA0139"]))
    auroc = evaluate.compute_metrics(y_test, scores, "binary", ["bound"])["auroc"]
    assert 0.88 < auroc < 0.96  # the data README: a PWM scan gives about 0.93
    assert np.isin(ds.split, ["train", "val", "test"]).all()


def test_breast_tcga_tables_align_with_the_example_settings(shared_data):
    example = config.load(ROOT / "config" / "examples" / "breast_tcga.yaml")
    settings = rule_settings(example, "prepare_omics", omics_dataset="breast_tcga", seed="1")
    settings["omics"] = {name: {**spec, "path": shared_data / spec["path"].removeprefix("../shared/data/")}
                         for name, spec in settings["omics"].items()}
    ds = omics.prepare(labels=shared_data / "breast_tcga" / "subtype.tsv", **settings)
    assert ds.report["samples_in_every_omic"] == 150 and ds.mask.all()
    assert ds.report["features"] == {"mrna": 200, "mirna": 184, "protein": 142}
    assert ds.classes == ["Basal", "Her2", "LumA"] and ds.report["split_counts"]["test"] == 45


def test_yeast_example_cuts_gc_matched_windows_on_held_out_chromosomes(shared_data, tmp_path):
    from biodl.data import windows as regions
    from biodl.io.genome import index_genome

    example = config.load(ROOT / "config" / "examples" / "yeast_atac.yaml")
    settings = rule_settings(example, "extract_regions", seq_dataset="yeast_atac")
    folder = shared_data / "yeast_atac"
    genome = index_genome(folder / "sacCer3.fa.gz", tmp_path / "genome.fa")  # plain gzip, as shipped
    result = regions.extract([folder / "peaks.narrowPeak"], genome,
                             blacklist=ROOT / "config" / "examples" / "sacCer3_blacklist.bed", **settings)
    report = result.report
    assert report["regions_read"] == 1411 and report["left_out"]["blacklisted"] > 0
    assert report["windows"]["region"] == report["windows"]["gc_matched"] > 1300
    gc = report["gc_mean"]
    assert abs(gc["region"] - gc["gc_matched"]) < 0.005 < gc["region"] - report["gc_mean_uniform_windows"]
    labels = tmp_path / "labels.tsv"
    result.write(tmp_path / "w.fa.gz", labels, tmp_path / "windows.tsv", tmp_path / "report.json")
    prepare = rule_settings(example, "prepare_sequences", seq_dataset="yeast_atac")
    ds = sequences.prepare(tmp_path / "w.fa.gz", labels, **prepare)
    assert ds.task == "binary" and ds.x.shape[1] == 500
    test_ids = ds.ids[ds.split == "test"]
    assert all(i.startswith(("chrIV:", "chrXV:")) for i in test_ids) and len(test_ids) > 400
