"""The Snakemake workflow: lint, a fast dry run, config errors, and a tiny real run of
.test/config/config.yaml (the snakemake-workflows convention)."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT

TEST_CONFIG = ROOT / ".test" / "config" / "config.yaml"


def snakemake(*args, cwd=ROOT, timeout=600, snakefile=ROOT / "workflow" / "Snakefile"):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run([sys.executable, "-m", "snakemake", "-s", str(snakefile), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_config(tmp_path, change=None, name="c.yaml") -> Path:
    """The test config with ``change(config)`` applied, written to ``tmp_path / name``, with
    the regions its profile dataset predicts (``predict_regions``) beside it."""
    write_profile_regions(tmp_path)
    config = yaml.safe_load(TEST_CONFIG.read_text())
    if change:
        change(config)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


test_config.__test__ = False  # a helper, not a test


def write_profile_regions(folder: Path) -> None:
    """The regions file the tiny config's profile dataset names (relative to where it runs)."""
    (folder / "profile_regions.bed").write_text("chr1\t2000\t2100\nchr2\t5000\t5200\n")


def test_lint_is_clean():
    result = snakemake("--lint")
    assert result.returncode == 0, result.stdout + result.stderr


def slurm_plugin_probe_seconds() -> float:
    """Seconds that importing snakemake-executor-plugin-slurm takes here. Snakemake imports every
    installed executor plugin, and this one runs `scontrol show config` at import: where SLURM is
    installed but its controller is down, that waits for the plugin's 10 s timeout. Not biodl's time."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import snakemake_executor_plugin_slurm"], capture_output=True)
    return time.perf_counter() - start


def test_dry_run_of_default_config_is_fast(tmp_path):
    # in an empty folder, so that results of an earlier `make run` do not shorten the plan
    start = time.perf_counter()
    result = snakemake("-n", "--quiet", "rules", "--configfile", str(ROOT / "config" / "config.yaml"), cwd=tmp_path)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    assert seconds - slurm_plugin_probe_seconds() < 10  # the issue's goal is < 5 s; margin for slow CI
    assert re.search(r"train_timeseries\s+6\n", result.stdout)  # the demo's 2 networks x 3 seeds
    assert re.search(r"extract_regions\s+1\n", result.stdout)  # demo_genome


def test_config_errors_are_named(tmp_path):
    typo = test_config(tmp_path, lambda c: c["sequences"]["tiny"].update(trainig={"epochs": 1}))
    result = snakemake("-n", "--configfile", str(typo), cwd=tmp_path)
    said = result.stdout + result.stderr
    assert result.returncode != 0 and "config: sequences.tiny: " in said and "'trainig' was unexpected" in said
    wrong = test_config(tmp_path, lambda c: c["sequences"]["tiny"]["training"].update(epochs="many"))
    result = snakemake("-n", "--configfile", str(wrong), cwd=tmp_path)
    said = result.stdout + result.stderr
    assert result.returncode != 0 and "sequences.tiny.training.epochs: 'many' is not of type 'integer'" in said


def test_configfile_replaces_the_default_datasets(tmp_path):
    result = snakemake("-n", "--configfile", str(test_config(tmp_path)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "results/tiny/cnn1d/metrics.json" in result.stdout and "demo_dna" not in result.stdout


@pytest.mark.workflow
def test_tiny_end_to_end_run(tmp_path):
    config = test_config(tmp_path, name="config.yaml")
    result = snakemake("--cores", "2", "--configfile", str(config), cwd=tmp_path, timeout=2400)
    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp_path / "results" / "tiny"
    metrics = json.loads((out / "cnn1d" / "metrics.json").read_text())
    assert metrics["split"] == "test" and metrics["task"] == "multiclass"
    assert set(metrics["models"]) == {"cnn1d", "pwm_scan", "kmer"}
    assert metrics["models"]["pwm_scan"]["auroc"] > 0.9 and metrics["models"]["cnn1d"]["auroc"] > 0.8
    assert metrics["models"]["cnn1d"]["n"] == 180  # 20% of 900
    for name in ("model.keras", "history.tsv", "predictions.tsv", "performance.png", "training_curves.png"):
        assert (out / "cnn1d" / name).stat().st_size > 0
    for name in ("attribution_tracks.png", "filters/logos.png", "modisco/logos.png", "modisco/fimo_hits.tsv"):
        assert (out / "interpret" / name).stat().st_size > 0
    for rule in ("simulate_dna", "prepare_sequences", "train_cnn1d", "evaluate_cnn1d", "attribute",
                 "filter_motifs", "modisco", "tomtom_filters", "tomtom_modisco", "fimo", "logos_modisco",
                 "motif_screen", "motif_families"):
        assert (tmp_path / "logs" / "tiny" / f"{rule}.log").exists()
        assert (tmp_path / "benchmarks" / "rules" / "tiny" / f"{rule}.tsv").exists()
    assert "biodl.training.session: TensorFlow" in (tmp_path / "logs" / "tiny" / "train_cnn1d.log").read_text()
    # every planted motif's factor is the best significant JASPAR match of a learned motif, both
    # ways (by factor: JASPAR also holds longer CTCF matrices, MA1929/MA1930, that may win)
    truth = pd.read_csv(tmp_path / "resources" / "simulated" / "tiny" / "truth.tsv", sep="\t")
    planted = set(truth["motif_name"])
    assert planted == {"CTCF", "REST"}
    for source in ("filters", "modisco"):
        matches = pd.read_csv(out / "interpret" / source / "tomtom.tsv", sep="\t")
        findings = matches[matches["finding"]]
        assert planted <= set(findings["target_name"]), (source, matches[["query", "target_name", "q_value"]])
        assert (findings["false_match_rate"] == 0).all() and (findings["q_value"] <= 0.05).all()
        summary = json.loads((out / "interpret" / source / "tomtom_summary.json").read_text())
        assert summary["findings"] == len(findings) and 0 <= summary["null_false_match_rate"] <= 1
    # one answer per output: the planted motif's JASPAR family first, the configured motif in it
    families = pd.read_csv(out / "interpret" / "motif_families.tsv", sep="\t")
    answers = json.loads((out / "interpret" / "motif_families.json").read_text())
    for output, family in (("CTCF", "More than 3 adjacent zinc fingers: CTCF"),
                           ("REST", "Factors with multiple dispersed zinc fingers: REST")):
        assert families[families["output"] == output].iloc[0]["family"] == family
        assert "is of that family" in answers[output]["answer"] and answers[output]["top"][0] == family
    screen = pd.read_csv(out / "interpret" / "screen.tsv", sep="\t")
    assert len(screen) == 2 * 879 and set(screen["n"]) == {100}  # JASPAR CORE vertebrates, both outputs
    convergence = pd.read_csv(out / "interpret" / "convergence.tsv", sep="\t")
    assert convergence["output"].tolist() == ["CTCF", "REST"] and convergence["max_abs_delta"].max() < 1e-3
    seqlets = json.loads((out / "interpret" / "modisco" / "summary.json").read_text())
    assert {name: entry["split"] for name, entry in seqlets.items()} == {"CTCF": "train", "REST": "train"}
    genome_windows = json.loads((tmp_path / "results" / "tinygenome" / "data" / "windows.json").read_text())
    assert genome_windows["windows"] == {"region": 90, "gc_matched": 90, "shuffled": 45}
    genome_metrics = json.loads((tmp_path / "results" / "tinygenome" / "cnn1d" / "metrics.json").read_text())
    assert genome_metrics["task"] == "binary" and genome_metrics["outputs"] == ["peak"]
    test_ids = pd.read_csv(tmp_path / "results" / "tinygenome" / "cnn1d" / "predictions.tsv", sep="\t")["id"]
    assert test_ids.str.startswith("chr3:").all() and len(test_ids) == genome_metrics["models"]["cnn1d"]["n"]
    assert (tmp_path / "results" / "tinygenome" / "data" / "window_gc.png").stat().st_size > 0
    ts_metrics = json.loads((tmp_path / "results" / "tinyts" / "metrics.json").read_text())
    assert set(ts_metrics["models"]) == {"gaf_cnn", "fcn", "resnet1d", "lstm", "gaf_fusion", "searched_gaf_cnn",
                                         "1nn", "1nn_dtw", "weasel", "minirocket", "weighted_ensemble"}
    assert ts_metrics["chosen_on_validation"]["model"] in ts_metrics["chosen_on_validation"]["validation_accuracy"]
    assert ts_metrics["n_test"] == 28 and ts_metrics["split"] == "test"  # Coffee's official test split
    assert ts_metrics["models"]["1nn"]["accuracy_mean"] > 0.8
    for name in ("confusion.png", "training_curves.png", "data/examples.png", "gaf_cnn/time_attributions.png"):
        assert (tmp_path / "results" / "tinyts" / name).stat().st_size > 0
    times = pd.read_csv(tmp_path / "results" / "tinyts" / "gaf_cnn" / "time_attributions.tsv", sep="\t")
    assert len(times) == 28 and times.shape[1] == 2 + 286  # id, class, Coffee's 286 time points
    for model in ("gaf_cnn", "fcn", "resnet1d", "lstm", "gaf_fusion"):
        log = (tmp_path / "logs" / "tinyts" / f"train_{model}_seed1.log").read_text()
        kept, augmented = map(int, re.search(r"augmentation .*: (\d+) -> (\d+) training series", log).groups())
        assert augmented == 2 * kept and kept > 15
    omics_metrics = json.loads((tmp_path / "results" / "tinyomics" / "metrics.json").read_text())
    assert {row["model"] for row in omics_metrics["per_seed"]} == {"joint_vae", "joint_vae_supervised",
                                                                   "searched_joint_vae", "pca2", "raw_features"}
    assert omics_metrics["split"] == "test" and omics_metrics["per_seed"][0]["n_test"] == 18  # 20% of 90
    table = pd.read_csv(tmp_path / "results" / "tinyomics" / "table.tsv", sep="\t", index_col=0)
    assert "balanced_accuracy_mean" in table.columns and "joint_vae" in table.index
    # base-resolution profiles: held-out chromosome, both models scored, a predicted track per track
    profile_metrics = json.loads((tmp_path / "results" / "tinyprofiles" / "bpnet" / "metrics.json").read_text())
    assert set(profile_metrics["models"]) == {"bpnet", "average_profile_kmer"} and profile_metrics["split"] == "test"
    profile_windows = json.loads((tmp_path / "results" / "tinyprofiles" / "data" / "report.json").read_text())
    assert profile_metrics["models"]["bpnet"]["n"] == sum(n for key, n in profile_windows["windows"].items()
                                                          if key.endswith("/test"))
    profile_predictions = pd.read_csv(tmp_path / "results" / "tinyprofiles" / "bpnet" / "predictions.tsv", sep="\t")
    assert profile_predictions["id"].str.startswith("chr3:").all()
    for model in ("bpnet", "bias", "chrombpnet"):
        for name in ("predicted_tracks/cuts.bw", "profile_example.png", "counts.png", "training_curves.png",
                     "interpret/footprints.png", "interpret/modisco/logos.png", "interpret/convergence.tsv"):
            assert (tmp_path / "results" / "tinyprofiles" / model / name).stat().st_size > 0
    footprints = pd.read_csv(tmp_path / "results" / "tinyprofiles" / "bpnet" / "interpret" / "footprints.tsv",
                             sep="\t")
    assert set(footprints["motif"]) == {"MA0139.2 CTCF"} and set(footprints["n"]) == {10}
    predicted = json.loads((tmp_path / "results" / "tinyprofiles" / "chrombpnet" / "predicted_regions.json")
                           .read_text())
    assert predicted == {"regions": 2, "windows": 2 + 4, "off_chromosome_end": 0, "unknown_chromosome": 0}
    # searches: trials scored inside the training samples, the chosen settings pinned and trained
    for dataset, search in (("tinygenome", "search"), ("tinyts", "search"), ("tinyprofiles", "search"),
                            ("tinyomics", "search/seed1")):
        folder = tmp_path / "results" / dataset / search
        summary = json.loads((folder / "summary.json").read_text())
        assert sum(summary["trials"].values()) == 2 and summary["trials"].get("complete", 0) >= 1
        trials = pd.read_csv(folder / "trials.tsv", sep="\t")
        chosen = trials.set_index("trial").loc[summary["chosen_trial"], summary["metric"]]
        assert len(trials) == 2 and summary["chosen_value"] == chosen and summary["selection"]
        snippet = yaml.safe_load((folder / "settings.yaml").read_text())
        assert list(snippet) == [{"tinygenome": "sequences", "tinyts": "timeseries", "tinyomics": "omics",
                                  "tinyprofiles": "profiles"}[dataset]]
    assert summary["scoring"].startswith("3-fold cross-validation")  # 72 omics samples outside the test split
    searched = json.loads((tmp_path / "results" / "tinygenome" / "searched_cnn1d" / "metrics.json").read_text())
    assert searched["split"] == "test" and searched["models"]["cnn1d"]["n"] == genome_metrics["models"]["cnn1d"]["n"]
    assert "the search chose" in (tmp_path / "logs" / "tinygenome" / "train_searched_cnn1d.log").read_text()
    searched = json.loads((tmp_path / "results" / "tinyprofiles" / "searched_chrombpnet" / "metrics.json").read_text())
    assert searched["model"] == "searched_chrombpnet" and searched["models"]["searched_chrombpnet"]["n"] == \
        profile_metrics["models"]["bpnet"]["n"]
    # the summary: a row per dataset and network, its baseline beside it, the demo's motifs named
    table = pd.read_csv(tmp_path / "results" / "summary.tsv", sep="\t").set_index(["dataset", "model"])
    assert {("tiny", "cnn1d"), ("tinygenome", "searched_cnn1d"), ("tinyts", "gaf_cnn"), ("tinyomics", "joint_vae"),
            ("tinyomics", "searched_joint_vae"), ("tinyprofiles", "bpnet")} <= set(table.index)
    assert table["baseline_value"].notna().all() and table.loc[("tinyts", "gaf_cnn"), "seeds"] >= 1
    assert "CTCF: the model relies mainly on More than 3 adjacent zinc fingers: CTCF" in table.loc[
        ("tiny", "cnn1d"), "motifs"]
    assert (tmp_path / "results" / "summary.md").read_text().startswith("| dataset |")
    assert (tmp_path / "results" / "tables" / "omics" / "tinyomics" / "metrics.html").is_file()
    # the report holds the summary and each dataset's metrics table; where Chromium is installed, it
    # renders them as a person sees them (tools/screenshot_report.py)
    report = snakemake("--configfile", str(config), "--report", "report.html", cwd=tmp_path)
    assert report.returncode == 0, report.stderr[-3000:]
    html = (tmp_path / "report.html").read_text()
    assert "results/summary.html" in html and "results/tables/timeseries/tinyts/metrics.html" in html
    if shutil.which("chromium"):
        shots = subprocess.run([sys.executable, str(ROOT / "tools" / "screenshot_report.py"), "report.html", "shots",
                                "tinyts"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert shots.returncode == 0, shots.stderr[-2000:]
        from PIL import Image

        for name in ("summary.png", "tinyts_metrics.png", "tinyts_plot.png"):
            pixels = np.asarray(Image.open(tmp_path / "shots" / name).convert("L"))
            assert pixels.shape == (1000, 1500) and pixels.std() > 10, name  # drawn, not blank
    steps_called_from_a_notebook_write_what_the_rules_wrote(tmp_path, config)
    # rerunning does nothing: outputs are complete and up to date
    again = snakemake("--cores", "2", "--configfile", str(config), "-n", cwd=tmp_path)
    assert "Nothing to be done" in again.stdout + again.stderr

    # a changed model setting retrains that model only, not the data preparation before it
    def change(c):
        c["timeseries"]["tinyts"]["gaf_cnn"] = {"dropout": 0.3}
        c["timeseries"]["tinyts"]["training_overrides"] = {"fcn": {"patience": 7}}
        c["sequences"]["tiny"]["model"]["dense_units"] = [8]

    plan = snakemake("-n", "--configfile", str(test_config(tmp_path, change, "changed.yaml")), cwd=tmp_path)
    jobs = plan.stdout + plan.stderr
    # the GAF CNN's search starts from its settings, so it runs again, and its searched model
    assert re.search(r"train_timeseries\s+3\n", jobs) and re.search(r"train_sequences\s+1\n", jobs), jobs
    assert re.search(r"search_timeseries\s+1\n", jobs) and "search_sequences" not in jobs, jobs
    assert "prepare_timeseries" not in jobs and "prepare_sequences" not in jobs and "prepare_omics" not in jobs
    shutil.rmtree(tmp_path / ".snakemake", ignore_errors=True)


def steps_called_from_a_notebook_write_what_the_rules_wrote(run: Path, config_path: Path) -> None:
    """The library functions behind the steps whose work spans several calls, called as a
    notebook would with the rule's settings (biodl.steps.rule_settings) on the rule's
    inputs, write byte for byte what the rule wrote."""
    from biodl import config
    from biodl.data.datasets import EncodedDataset
    from biodl.evaluation import summary
    from biodl.interpret import compare, filters, modisco
    from biodl.interpret.attribution import Attributions
    from biodl.io import read_delimited, write_json, write_table
    from biodl.io.jaspar import motif_database
    from biodl.io.meme import read_meme
    from biodl.steps import rule_settings
    from biodl.training import configure, load_model

    cfg = config.load(config_path)
    interpret, mine = run / "results" / "tiny" / "interpret", run / "notebook"
    mine.mkdir()

    def same(theirs: Path, ours: Path) -> None:
        assert ours.read_bytes() == theirs.read_bytes(), theirs

    for source in ("filters", "modisco"):
        settings = rule_settings(cfg, "tomtom", seq_dataset="tiny", motif_source=source)
        database = motif_database(**{key: settings.pop(key) for key in ("database", "release", "collection",
                                                                            "tax_group")})
        null = read_meme(interpret / "filters" / "null_motifs.meme") if source == "filters" else None
        influence = read_delimited(interpret / "filters" / "filters.tsv").set_index("filter")["influence"] \
            if source == "filters" else None
        matches = compare.match_motifs(read_meme(interpret / source / "motifs.meme", allow_empty=True), database,
                                       null, influence, **settings)
        write_table(mine / f"{source}_tomtom.tsv", matches.table, index=False)
        write_json(mine / f"{source}_tomtom.json", matches.summary)
        same(interpret / source / "tomtom.tsv", mine / f"{source}_tomtom.tsv")
        same(interpret / source / "tomtom_summary.json", mine / f"{source}_tomtom.json")
    patterns = modisco.patterns_or_filters(Attributions.load(interpret / "attributions.npz"),
                                           read_meme(interpret / "filters" / "motifs.meme"),
                                           read_delimited(interpret / "filters" / "filters.tsv").set_index("filter"),
                                           **rule_settings(cfg, "modisco", seq_dataset="tiny"))
    patterns.write(mine / "patterns.meme", mine / "patterns.tsv", mine / "patterns.json")
    for theirs, ours in (("motifs.meme", "patterns.meme"), ("patterns.tsv", "patterns.tsv"),
                         ("summary.json", "patterns.json")):
        same(interpret / "modisco" / theirs, mine / ours)
    settings = rule_settings(cfg, "filter_motifs", seq_dataset="tiny")
    configure(seed=settings["seed"], threads=1)
    dataset = EncodedDataset.load(run / "results" / "tiny" / "data" / "encoded.npz")
    x = dataset.part(settings.pop("split"))[0]
    found = filters.filter_motifs_with_null(load_model(run / "results" / "tiny" / "cnn1d" / "model.keras"), x,
                                            outputs=dataset.names, **settings)
    found.write(mine / "filters.meme", mine / "filters.tsv", mine / "null.meme")
    for theirs, ours in (("motifs.meme", "filters.meme"), ("filters.tsv", "filters.tsv"),
                         ("null_motifs.meme", "null.meme")):
        same(interpret / "filters" / theirs, mine / ours)
    settings = rule_settings(cfg, "summarize")
    files = {"sequence_metrics": [run / "results" / name / model / "metrics.json"
                                  for name, model in settings["sequence_runs"]],
             "timeseries_metrics": [run / "results" / name / "metrics.json"
                                    for name in settings["timeseries_datasets"]],
             "omics_metrics": [run / "results" / name / "metrics.json" for name in settings["omics_datasets"]],
             "profile_metrics": [run / "results" / name / model / "metrics.json"
                                 for name, model in settings["profile_runs"]],
             "motifs": [run / "results" / name / "interpret" / "motif_families.json"
                        for name in settings["motif_datasets"]],
             "variants": [run / "results" / name / model / "variants" / "summary.json"
                          for name, model in settings["variant_runs"]]}
    names = {key: settings.pop(key) for key in ("sequence_runs", "timeseries_datasets", "omics_datasets",
                                                "profile_runs", "motif_datasets", "variant_runs")}
    results = summary.read_results(**files, **names)
    summary.summarize_run(results, mine / "summary.tsv", mine / "summary.md", mine / "summary.html",
                          mine / "tables", **settings)
    same(run / "results" / "summary.tsv", mine / "summary.tsv")
    same(run / "results" / "summary.md", mine / "summary.md")


def test_slurm_profile_names_existing_rules():
    from biodl.steps import STEPS

    profile = yaml.safe_load((ROOT / "workflow" / "profiles" / "slurm" / "config.yaml").read_text())
    assert set(profile["set-resources"]) <= set(STEPS)
    assert {"train_sequences", "train_timeseries", "attribute"} <= set(profile["set-resources"])


def test_a_profile_search_and_a_pretrained_model_are_planned_and_their_steps_read_them(tmp_path):
    from biodl.steps import STEPS

    pretrained = tmp_path / "pretrained.keras"
    pretrained.write_bytes(b"a model")  # a dry run only needs it to exist

    def change(c):
        c["profiles"]["tinyprofiles"].update(search={"enabled": True, "trials": 2}, init_from=str(pretrained))
        c["sequences"]["tiny"]["init_from"] = str(pretrained)

    plan = snakemake("-n", "--configfile", str(test_config(tmp_path, change)), cwd=tmp_path)
    jobs = plan.stdout + plan.stderr
    assert plan.returncode == 0, jobs[-3000:]
    # bpnet, chrombpnet and the searched factorised model train; the searched one is evaluated, not explained
    assert re.search(r"search_profiles\s+1\n", jobs) and re.search(r"train_profiles\s+3\n", jobs), jobs
    assert re.search(r"evaluate_profiles\s+4\n", jobs) and re.search(r"interpret_profiles\s+3\n", jobs), jobs
    assert "results/tinyprofiles/searched_chrombpnet/metrics.json" in jobs
    trainings = {re.search(r"output: results/(\w+/\w+)/", job).group(1): re.search(r"input: (.*)", job).group(1)
                 for job in re.findall(r"rule train_(?:profiles|sequences):\n((?: {4}.*\n)+)", jobs)}
    starting = {model for model, inputs in trainings.items() if str(pretrained) in inputs}
    assert starting == {"tiny/cnn1d", "tinyprofiles/bpnet", "tinyprofiles/chrombpnet"}, trainings
    assert "tinyprofiles/searched_chrombpnet" in trainings
    for rule, inputs in (("train_profiles", ["data", "bias"]), ("train_sequences", ["data"]),
                         ("train_timeseries", ["data"])):
        given = [*inputs, "pretrained", "searched", "configured_model", "configured_history"]
        assert STEPS[rule].file_disagreement(given, ["model", "history"]) is None, rule
