import numpy as np
import pytest

from biodl import io
from conftest import write_fasta_text


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
    assert io.read_fasta(tmp_path / "o.fa.gz") == (["x", "y"], ["AC", "GT"])


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "sub" / "out.npz"
    with pytest.raises(RuntimeError):
        with io.atomic_output(target) as tmp:
            np.savez(tmp, a=np.arange(3))
            assert tmp.exists() and tmp.suffix == ".npz"
            raise RuntimeError("boom")
    assert list((tmp_path / "sub").iterdir()) == []


def test_read_table_requires_id_column_and_unique_ids(tmp_path):
    (tmp_path / "t.tsv").write_text("name\tlabel\na\t1\n")
    with pytest.raises(io.InputError, match="no 'id' column"):
        io.read_table(tmp_path / "t.tsv", "id")
    (tmp_path / "d.tsv").write_text("id\tlabel\na\t1\na\t0\n")
    with pytest.raises(io.InputError, match="duplicate 'id'"):
        io.read_table(tmp_path / "d.tsv", "id")
    (tmp_path / "h.tsv").write_text("id\tlabel\n")
    with pytest.raises(io.InputError, match="no rows"):
        io.read_table(tmp_path / "h.tsv", "id")


def test_csv_by_suffix(tmp_path):
    (tmp_path / "t.csv").write_text("id,label\na,1\nb,0\n")
    table = io.read_table(tmp_path / "t.csv", "id")
    assert table.loc["b", "label"] == 0
