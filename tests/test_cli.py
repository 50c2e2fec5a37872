"""Bad input through the command line: one clear line, exit status 2, no output left."""

import subprocess
import sys

from biodl.cli import main
from conftest import ROOT, write_fasta_text


def prepare_args(tmp_path, fasta, labels):
    return ["prepare-sequences", "--fasta", str(fasta), "--labels", str(labels),
            "--out", str(tmp_path / "out" / "d.npz"), "--splits", str(tmp_path / "out" / "s.tsv"),
            "--report", str(tmp_path / "out" / "r.json")]


def run_prepare(tmp_path, capsys, fasta_text, labels_text):
    fasta = write_fasta_text(tmp_path / "in.fa", fasta_text)
    (tmp_path / "labels.tsv").write_text(labels_text)
    status = main(prepare_args(tmp_path, fasta, tmp_path / "labels.tsv"))
    err = capsys.readouterr().err
    out_dir = tmp_path / "out"
    leftovers = list(out_dir.iterdir()) if out_dir.exists() else []
    return status, err, leftovers


GOOD_LABELS = "id\tbound\n" + "".join(f"s{i}\t{i % 2}\n" for i in range(30))
GOOD_FASTA = "".join(f">s{i}\nACGTACGTAC\n" for i in range(30))


def test_good_input_writes_all_outputs(tmp_path, capsys):
    status, err, leftovers = run_prepare(tmp_path, capsys, GOOD_FASTA, GOOD_LABELS)
    assert status == 0, err
    assert sorted(p.name for p in leftovers) == ["d.npz", "r.json", "s.tsv"]


def test_empty_fasta(tmp_path, capsys):
    status, err, leftovers = run_prepare(tmp_path, capsys, "", GOOD_LABELS)
    assert status == 2 and "in.fa: no FASTA records found" in err and leftovers == []


def test_malformed_fasta(tmp_path, capsys):
    status, err, leftovers = run_prepare(tmp_path, capsys, "just text\n", GOOD_LABELS)
    assert status == 2 and "not a readable FASTA" in err and leftovers == []


def test_duplicate_ids(tmp_path, capsys):
    status, err, leftovers = run_prepare(tmp_path, capsys, GOOD_FASTA + ">s1\nAAAA\n", GOOD_LABELS)
    assert status == 2 and "duplicate FASTA identifiers" in err and "'s1'" in err and leftovers == []


def test_invalid_character(tmp_path, capsys):
    status, err, leftovers = run_prepare(tmp_path, capsys, GOOD_FASTA.replace("ACGTACGTAC", "ACGTAC?TAC", 1), GOOD_LABELS)
    assert status == 2 and "sequence 's0': invalid character '?' at position 7" in err and leftovers == []


def test_one_class_labels(tmp_path, capsys):
    labels = "id\tbound\n" + "".join(f"s{i}\t1\n" for i in range(30))
    status, err, leftovers = run_prepare(tmp_path, capsys, GOOD_FASTA, labels)
    assert status == 2 and "'bound' has 1 distinct values" in err and leftovers == []


def test_no_matching_ids(tmp_path, capsys):
    labels = "id\tbound\n" + "".join(f"other{i}\t{i % 2}\n" for i in range(30))
    status, err, leftovers = run_prepare(tmp_path, capsys, GOOD_FASTA, labels)
    assert status == 2 and "ids do not match" in err and leftovers == []


def test_help_does_not_import_tensorflow():
    code = ("import sys; from biodl.cli import build_parser; build_parser(); "
            "import biodl.datasets, biodl.evaluate, biodl.training; "
            "sys.exit('tensorflow' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
