import pytest
from conftest import write_fasta_text

from biodl import io


def test_reads_plain_and_gzipped_fasta(tmp_path):
    text = ">a some description\nACGT\nAC\n>b\nGGG\n"
    for name in ("x.fa", "x.fa.gz"):
        ids, seqs = io.read_fasta(write_fasta_text(tmp_path / name, text))
        assert ids == ["a", "b"] and seqs == ["ACGTAC", "GGG"]


def test_empty_fasta(tmp_path):
    with pytest.raises(io.InputError, match="no FASTA records"):
        io.read_fasta(write_fasta_text(tmp_path / "e.fa", ""))


def test_malformed_fasta_names_file_and_first_line(tmp_path):
    path = write_fasta_text(tmp_path / "m.fa", "ACGT\n>a\nACGT\n")
    with pytest.raises(io.InputError, match=r"m.fa: not a readable FASTA.*'ACGT'"):
        io.read_fasta(path)


def test_binary_garbage_is_not_fasta(tmp_path):
    path = tmp_path / "bin.fa"
    path.write_bytes(b"\x00\xff\xfe" * 10)
    with pytest.raises(io.InputError, match="bin.fa"):
        io.read_fasta(path)


def test_duplicate_ids(tmp_path):
    path = write_fasta_text(tmp_path / "d.fa", ">a\nAC\n>b\nAC\n>a\nGG\n")
    with pytest.raises(io.InputError, match=r"duplicate FASTA identifiers: 1 appear more than once, e.g. 'a'"):
        io.read_fasta(path)


def test_record_without_sequence(tmp_path):
    path = write_fasta_text(tmp_path / "n.fa", ">a\n>b\nAC\n")
    with pytest.raises(io.InputError, match=r"record 'a' \(#1\) has no sequence"):
        io.read_fasta(path)


def test_missing_file(tmp_path):
    with pytest.raises(io.InputError, match="not found"):
        io.read_fasta(tmp_path / "nope.fa")


def test_write_fasta_round_trip(tmp_path):
    io.write_fasta(tmp_path / "o.fa.gz", ["x", "y"], ["AC", "GT"])
    assert (tmp_path / "o.fa.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert io.read_fasta(tmp_path / "o.fa.gz") == (["x", "y"], ["AC", "GT"])
