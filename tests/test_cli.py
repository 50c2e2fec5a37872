"""`biodl <command>`: help that documents settings and defaults, and bad input that ends in
one clear line, exit status 2 and no output left behind."""

import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, write_fasta_text

from biodl.steps import STEPS
from biodl.steps.cli import build_parser, main


def prepare_args(tmp_path, fasta, labels):
    out = tmp_path / "out"
    return ["prepare-sequences", "--fasta", str(fasta), "--labels", str(labels), "--data", str(out / "d.npz"),
            "--splits", str(out / "s.tsv"), "--report", str(out / "r.json")]


def run_prepare(tmp_path, capsys, fasta_text, labels_text, settings=None):
    fasta = write_fasta_text(tmp_path / "in.fa", fasta_text)
    (tmp_path / "labels.tsv").write_text(labels_text)
    args = prepare_args(tmp_path, fasta, tmp_path / "labels.tsv")
    if settings is not None:
        (tmp_path / "settings.yaml").write_text(settings)
        args += ["--settings", str(tmp_path / "settings.yaml")]
    status = main(args)
    err = capsys.readouterr().err
    out_dir = tmp_path / "out"
    return status, err, list(out_dir.iterdir()) if out_dir.exists() else []


GOOD_LABELS = "id\tbound\n" + "".join(f"s{i}\t{i % 2}\n" for i in range(30))
GOOD_FASTA = "".join(f">s{i}\nACGTACGTAC\n" for i in range(30))


def test_good_input_writes_all_outputs_with_the_settings(tmp_path, capsys):
    settings = "length: 6\nsplit: {test_fraction: 0.5}\n"
    status, err, written = run_prepare(tmp_path, capsys, GOOD_FASTA, GOOD_LABELS, settings)
    assert status == 0, err
    assert sorted(p.name for p in written) == ["d.npz", "r.json", "s.tsv"]
    report = yaml.safe_load((tmp_path / "out" / "r.json").read_text())
    assert report["length"] == 6 and report["split_counts"]["test"] == 16


@pytest.mark.parametrize("fasta, labels, settings, message", [
    ("", GOOD_LABELS, None, "in.fa: no FASTA records found"),
    ("just text\n", GOOD_LABELS, None, "not a readable FASTA"),
    (GOOD_FASTA + ">s1\nAAAA\n", GOOD_LABELS, None, "duplicate FASTA identifiers"),
    (GOOD_FASTA.replace("ACGTACGTAC", "ACGTAC?TAC", 1), GOOD_LABELS, None,
     "sequence 's0': invalid character '?' at position 7"),
    (GOOD_FASTA, "id\tbound\n" + "".join(f"s{i}\t1\n" for i in range(30)), None, "'bound' has 1 distinct values (1)"),
    (GOOD_FASTA, "id\tbound\n" + "".join(f"o{i}\t{i % 2}\n" for i in range(30)), None, "ids do not match"),
    (GOOD_FASTA, GOOD_LABELS, "lenght: 6\n", "unknown settings ['lenght']"),
    (GOOD_FASTA, GOOD_LABELS, "- a list\n", "settings must be a mapping"),
])
def test_bad_input_is_one_line_and_leaves_nothing(tmp_path, capsys, fasta, labels, settings, message):
    status, err, written = run_prepare(tmp_path, capsys, fasta, labels, settings)
    assert status == 2 and message in err and written == []
    last = err.strip().splitlines()[-1]
    assert last.startswith("biodl prepare-sequences: error: ") and message in last and "Traceback" not in err


def test_prepare_omics_refuses_misaligned_ids(tmp_path, capsys):
    (tmp_path / "rna.tsv").write_text("sample\tg1\tg2\nA\t1\t2\nB\t3\t4\n")
    (tmp_path / "labels.tsv").write_text("sample\tsubtype\nX\tLumA\nY\tBasal\n")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"omics": {"rna": {"path": str(tmp_path / "rna.tsv")}}}))
    status = main(["prepare-omics", "--labels", str(tmp_path / "labels.tsv"), "--settings", str(tmp_path / "s.yaml"),
                   "--data", str(tmp_path / "out" / "d.npz"), "--report", str(tmp_path / "out" / "r.json")])
    assert status == 2
    assert "omic 'rna' shares no sample id with the labels" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_help_lists_files_settings_and_defaults(capsys):
    for name in (step.command for step in STEPS.values()):
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([name, "--help"])
        assert exit_.value.code == 0
        text = capsys.readouterr().out
        assert "--settings" in text and "defaults shown" in text, name
    with pytest.raises(SystemExit):
        build_parser().parse_args(["attribute", "--help"])
    text = capsys.readouterr().out
    assert "--attributions ATTRIBUTIONS" in text and "ig_steps = 32" in text and "max_sequences = 2000" in text
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["train-sequences"])  # missing files: usage error
    assert exit_.value.code == 2


def test_help_does_not_import_tensorflow():
    code = ("import sys; from biodl.steps.cli import build_parser; build_parser(); "
            "import biodl.sequences, biodl.timeseries, biodl.omics, biodl.training, biodl.config; "
            "sys.exit('tensorflow' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
