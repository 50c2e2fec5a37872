"""The steps behind the commands and rules: settings checked against the library function,
rules checked against their steps, and bad input as exit status 2."""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from biodl.data.datasets import EncodedDataset
from biodl.io.jaspar import fetch_jaspar
from biodl.io.meme import write_meme
from biodl.steps import STEPS, check_rule, command_step, settings_param, shared
from biodl.steps.runner import run


def test_settings_are_the_library_functions_keyword_arguments():
    assert command_step("train-sequences").setting_names() == ["model", "training", "init_from", "transfer", "seed"]
    assert command_step("filter-motifs").setting_names()[:2] == ["threshold", "min_sites"]
    assert "split" in command_step("filter-motifs").setting_names()
    assert command_step("simulate-dna").setting_names()[-1] == "classes"  # required, given in extra
    assert all(not name.endswith("_path") for c in STEPS.values() for name in c.setting_names())


def test_fimo_step_with_settings(tmp_path, capsys):
    (ctcf,) = fetch_jaspar(["MA0139"])
    write_meme(tmp_path / "m.meme", [ctcf])
    consensus = "".join("ACGT"[i] for i in ctcf.ppm.argmax(axis=1))
    x = np.zeros((2, 40, 4), dtype=np.uint8)
    x[:, np.arange(40), np.arange(40) % 4] = 1
    x[1, 5:20] = np.eye(4, dtype=np.uint8)[["ACGT".index(b) for b in consensus]]
    EncodedDataset(x, np.array([0, 1]), np.array(["a", "b"]), np.array(["val", "val"]), "multiclass",
                   ["n", "p"]).save(tmp_path / "d.npz")
    paths = argparse.Namespace(motifs=tmp_path / "m.meme", data=tmp_path / "d.npz", hits=tmp_path / "hits.tsv")
    assert run("fimo", paths, {"split": "val", "threshold": 1e-5}) == 0
    hits = (tmp_path / "hits.tsv").read_text().splitlines()
    assert len(hits) == 2 and "\tb\t5\t20\t+\t" in hits[1]
    assert run("fimo", paths, {"split": "val", "threshhold": 1e-5}) == 2
    assert "biodl fimo: error: unknown settings ['threshhold']" in capsys.readouterr().err


def test_runs_must_match_the_model_files(tmp_path, capsys):
    paths = argparse.Namespace(series="s.npz", images="i.npz", models=["a.keras"], history="h.tsv",
                               metrics=tmp_path / "m.json", predictions="p.tsv", confusion="c.png", curves="k.png")
    settings = {"runs": [{"model": "fcn", "seed": 1}, {"model": "fcn", "seed": 2}], "seed": 1}
    assert run("evaluate-timeseries", paths, settings) == 2
    assert "settings list 2 runs for 1 model files" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()


def test_a_searched_model_is_the_configured_one_when_the_search_kept_its_settings(tmp_path, caplog):
    caplog.set_level("INFO", logger="biodl")
    configured = tmp_path / "configured.keras"
    configured.write_bytes(b"model bytes")
    (tmp_path / "configured.tsv").write_text("epoch\tloss\n1\t0.5\n")
    for kept in (True, False):
        summary = tmp_path / f"summary_{kept}.json"
        summary.write_text(json.dumps({"chosen_is_configured": kept, "settings": {"network": "gaf_cnn"}}))
        paths = argparse.Namespace(searched=str(summary), configured_model=str(configured),
                                   configured_history=str(tmp_path / "configured.tsv"),
                                   model=str(tmp_path / f"searched_{kept}.keras"),
                                   history=str(tmp_path / f"searched_{kept}.tsv"))
        trained = []
        shared.train_into(paths, {"network": "fcn", "seed": 1}, lambda data, **settings: trained.append(settings),
                          lambda: "data")
        assert (not trained) is kept  # trained only when the search chose other settings
        if trained:  # then with the search's settings over the given ones
            assert trained[0] == {"network": "gaf_cnn", "seed": 1, "model_path": paths.model,
                                  "history_path": paths.history}
    assert (tmp_path / "searched_True.keras").read_bytes() == b"model bytes"
    assert (tmp_path / "searched_True.tsv").read_text() == (tmp_path / "configured.tsv").read_text()
    assert not (tmp_path / "searched_False.keras").exists()
    assert "the search chose the configured settings" in caplog.text


def test_a_searched_model_trains_from_scratch_and_a_configured_one_from_the_pretrained_file(tmp_path):
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"chosen_is_configured": False, "settings": {"model": {"filters": 32}}}))
    given = {"model": {"filters": 8}, "init_from": "settings.keras", "transfer": "fine_tuning"}
    for searched, pretrained, expected in ((str(summary), "pretrained.keras", None),
                                           (None, "pretrained.keras", "pretrained.keras"),
                                           (None, None, "settings.keras")):
        paths = argparse.Namespace(searched=searched, configured_model=None, configured_history=None,
                                   pretrained=pretrained, model="m.keras", history="h.tsv")
        trained = []
        shared.train_into(paths, given, lambda data, **settings: trained.append(settings), lambda: "data")
        assert trained[0]["init_from"] == expected, (searched, pretrained)
    assert given["init_from"] == "settings.keras"  # the caller's settings are left as they were


def test_a_rule_that_disagrees_with_its_step_is_refused_as_the_workflow_is_read():
    fimo = STEPS["fimo"]
    settings = settings_param(fimo, {})
    check_rule("fimo", ["motifs", "data"], ["hits"], settings)  # as workflow/rules/interpret.smk has it
    for rule, inputs, outputs, given, said in (
            ("fimo_hits", ["motifs"], ["hits"], settings, "no step is declared for it"),
            ("fimo", ["motifs"], ["hits"], settings_param(STEPS["logos"], {}), "settings must be"),
            ("fimo", ["motifs"], ["hits"], lambda wildcards: {}, "settings must be"),
            ("fimo", ["motifs"], ["hits", "table"], settings, "disagree on the outputs"),
            ("fimo", ["motifs", "genome"], ["hits"], settings, "the step reads no ['genome']")):
        with pytest.raises(ValueError, match=re.escape(said)):
            check_rule(rule, inputs, outputs, given)
    # a job knows every input (input functions included): a required one left out is named too
    assert fimo.file_disagreement(["motifs"], ["hits"]) == "the inputs: the step needs ['data']"
    assert fimo.file_disagreement(["motifs", "data"], ["hits"]) is None


def test_a_job_whose_files_disagree_with_its_step_fails_naming_them(tmp_path):
    (tmp_path / "Snakefile").write_text(f'''
rule fimo:
    input:
        unpack(lambda wildcards: {{"motifs": "m.meme", "data": "d.npz", "genome": "g.fa"}}),
    output:
        hits="hits.tsv",
    params:
        settings={{}},
    log:
        "fimo.log",
    script:
        "{ROOT / "workflow" / "scripts" / "run_step.py"}"
''')
    for name in ("m.meme", "d.npz", "g.fa"):
        (tmp_path / name).write_text("input\n")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "hits.tsv"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and not (tmp_path / "hits.tsv").exists()
    said = (tmp_path / "fimo.log").read_text().strip().splitlines()[-1]
    assert said == "biodl fimo: error: rule fimo and its step disagree on the inputs: the step reads no ['genome']"
