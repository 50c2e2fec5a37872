"""The summary table: headline metrics, spreads, baselines and motif matches, and the files
and HTML pages written from it."""

import json

import pandas as pd
import pytest

from biodl.evaluation import summary
from biodl.steps.cli import main

DNA = {"task": "binary", "models": {"cnn1d": {"auroc": 0.95, "accuracy": 0.9, "n": 100},
                                    "pwm_scan": {"auroc": 0.91, "accuracy": 0.8, "n": 100},
                                    "kmer": {"auroc": 0.85, "accuracy": 0.7, "n": 100}}}
SIGNAL = {"task": "regression", "models": {"cnn1d": {"pearson": 0.7, "r2": 0.5, "n": 40},
                                           "kmer": {"pearson": 0.74, "r2": 0.55, "n": 40}}}
SERIES = {"n_test": 50, "models": {
    "gaf_cnn": {"accuracy_mean": 0.9, "accuracy_std": 0.05, "seeds": 3},
    "gaf_cnn_ensemble": {"accuracy_mean": 0.95, "accuracy_std": None, "seeds": 1},
    "1nn": {"accuracy_mean": 0.8, "accuracy_std": 0.0, "seeds": 1}},
    "chosen_on_validation": {"model": "gaf_cnn_ensemble", "validation_accuracy": {"gaf_cnn_ensemble": 1.0}}}
OMICS = {"per_seed": [{"model": m, "seed": s, "n_test": n} for m, n in (("joint_vae", 20), ("pca4", 20))
                      for s in (1, 2)],
         "summary": {"joint_vae": {"balanced_accuracy_mean": 0.8, "balanced_accuracy_std": 0.1},
                     "pca4": {"balanced_accuracy_mean": 0.85, "balanced_accuracy_std": 0.02}}}
FAMILIES = {"peak": {"answer": "peak: the model relies mainly on More than 3 adjacent zinc fingers (CTCF)",
                     "top": ["More than 3 adjacent zinc fingers", "FOX", "AP-2"]},
            "other": {"answer": "other: no family has evidence", "top": []}}


def test_one_row_per_network_with_its_headline_metric_spread_and_strongest_baseline():
    table = summary.summarize({("sequences", "dna"): {"cnn1d": DNA, "searched_cnn1d": DNA},
                               ("sequences", "signal"): {"cnn1d": SIGNAL}, ("timeseries", "ts"): SERIES,
                               ("omics", "om"): OMICS}, {"dna": FAMILIES}).set_index(["dataset", "model"])
    assert list(table.index) == [("dna", "cnn1d"), ("dna", "searched_cnn1d"), ("signal", "cnn1d"),
                                 ("ts", "gaf_cnn"), ("ts", "gaf_cnn_ensemble"), ("om", "joint_vae")]
    assert table.loc[("dna", "cnn1d"), ["metric", "value", "baseline", "baseline_value"]].tolist() == [
        "auroc", 0.95, "pwm_scan", 0.91]
    assert table.loc[("signal", "cnn1d"), ["metric", "baseline"]].tolist() == ["pearson", "kmer"]
    assert table.loc[("ts", "gaf_cnn"), ["value", "spread", "seeds", "n_test"]].tolist() == [0.9, 0.05, 3, 50]
    ensemble = table.loc[("ts", "gaf_cnn_ensemble"), ["value", "spread", "seeds"]].tolist()
    assert ensemble[0] == 0.95 and pd.isna(ensemble[1]) and ensemble[2] == 3  # one run over 3 seeds
    assert set(table.xs("ts")["chosen_on_validation"]) == {"gaf_cnn_ensemble"}
    others = table.index.get_level_values("dataset") != "ts"
    assert table.loc[others, "chosen_on_validation"].isna().all()  # only series datasets choose
    assert table.loc[("om", "joint_vae"), ["value", "spread", "seeds", "baseline"]].tolist() == [0.8, 0.1, 2, "pca4"]
    assert table.loc[("dna", "cnn1d"), "motifs"] == ("peak: the model relies mainly on More than 3 adjacent zinc "
                                                     "fingers (CTCF); then FOX, AP-2 | other: no family has evidence")
    assert pd.isna(table.loc[("dna", "searched_cnn1d"), "motifs"])  # interpretation explains cnn1d only


def test_each_model_that_scored_variants_says_how_many_pass_and_how_well_known_answers_are_told():
    variants = {"scored": 1600, "p_below_0.01": 305, "p_below_0.001": 2}
    one = {"outputs": {"peak": variants}, "known_answers": {"peak": {"auroc_abs_score": 0.98333}}}
    two = {"outputs": {"CTCF": variants, "REST": {**variants, "p_below_0.01": 7}}}
    table = summary.summarize({("sequences", "dna"): {"cnn1d": DNA, "searched_cnn1d": DNA}},
                              variants={("dna", "cnn1d"): one, ("dna", "searched_cnn1d"): two}).set_index("model")
    assert table.loc["cnn1d", "variants"] == "1,600 scored, 305 at p < 0.01, known answers AUROC 0.983"
    assert table.loc["searched_cnn1d", "variants"] == ("CTCF: 1,600 scored, 305 at p < 0.01; "
                                                       "REST: 1,600 scored, 7 at p < 0.01")
    assert "variant effects" in summary.display_table(table.reset_index()).columns


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown dataset kind 'images' for 'x'"):
        summary.summarize({("images", "x"): SERIES})


def test_written_as_tsv_markdown_and_html_pages(tmp_path):
    metrics = {("sequences", "dna"): {"cnn1d": DNA}, ("timeseries", "ts"): SERIES}
    table = summary.summarize(metrics)
    summary.write_summary(table, metrics, tmp_path / "s.tsv", tmp_path / "s.md", tmp_path / "s.html",
                          tmp_path / "tables", run_config={"seed": 7, "timeseries": {"ts": {"image_size": 32}}})
    assert pd.read_csv(tmp_path / "s.tsv", sep="\t")["value"].tolist() == [0.95, 0.9, 0.95]
    markdown = (tmp_path / "s.md").read_text().splitlines()
    assert markdown[0].startswith("| dataset | data | model | test metric | value |") and len(markdown) == 5
    assert "| 0.900 ± 0.050 | 3 | 50 | 1nn | 0.800 |" in markdown[3]
    assert "| gaf_cnn_ensemble | accuracy | 0.950 | 3 | 50 | 1nn | 0.800 | gaf_cnn_ensemble |" in markdown[4]
    page = (tmp_path / "s.html").read_text()
    for text in ("<table>", "dna (DNA)", "ts (time series)", "image_size: 32", "tensorflow", "pwm_scan"):
        assert text in page
    dna_page = (tmp_path / "tables" / "sequences" / "dna" / "metrics.html").read_text()
    assert "<td>kmer</td>" in dna_page and '<td class="num">0.850</td>' in dna_page


def test_the_command_pairs_files_with_datasets_and_says_when_they_do_not(tmp_path, capsys):
    (tmp_path / "dna.json").write_text(json.dumps(DNA))
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "settings.yaml").write_text("sequence_runs: [[dna, cnn1d]]\n")
    outputs = ["--tsv", str(tmp_path / "o.tsv"), "--markdown", str(tmp_path / "o.md"), "--page",
               str(tmp_path / "o.html"), "--tables", str(tmp_path / "tables")]
    assert main(["summarize", "--sequence-metrics", str(tmp_path / "dna.json"), *outputs,
                 "--settings", str(tmp_path / "settings.yaml")]) == 0
    assert (tmp_path / "o.md").read_text().count("\n") == 3
    (tmp_path / "o.tsv").unlink()
    assert main(["summarize", "--sequence-metrics", str(tmp_path / "dna.json"), str(tmp_path / "dna.json"),
                 *outputs, "--settings", str(tmp_path / "settings.yaml")]) == 2
    assert "1 datasets named for 2 sequence metrics files" in capsys.readouterr().err
    assert main(["summarize", "--sequence-metrics", str(tmp_path / "bad.json"), *outputs,
                 "--settings", str(tmp_path / "settings.yaml")]) == 2
    assert "bad.json: not valid JSON (line 1" in capsys.readouterr().err
    assert not (tmp_path / "o.tsv").exists()


def test_every_time_series_network_and_ensemble_is_told_from_the_baselines():
    from biodl import timeseries
    from biodl.evaluation.summary import NETWORKS

    for network in timeseries.NETWORKS:
        assert NETWORKS.match(network) and NETWORKS.match(f"{network}_ensemble"), network
    assert NETWORKS.match(timeseries.WEIGHTED_ENSEMBLE)
    assert not any(NETWORKS.match(baseline) for baseline in timeseries.BASELINES)
