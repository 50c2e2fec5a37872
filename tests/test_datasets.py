import logging

import numpy as np
import pytest

from biodl import io
from biodl.datasets import EncodedDataset, prepare_sequences
from conftest import write_fasta_text


def make_inputs(tmp_path, n=40, label_lines=None, extra_fasta=""):
    rng = np.random.default_rng(0)
    fasta = "".join(f">s{i}\n{''.join(rng.choice(list('ACGT'), 20))}\n" for i in range(n)) + extra_fasta
    write_fasta_text(tmp_path / "seqs.fa", fasta)
    if label_lines is None:
        label_lines = [f"s{i}\t{i % 2}" for i in range(n)]
    (tmp_path / "labels.tsv").write_text("id\tbound\n" + "\n".join(label_lines) + "\n")
    return tmp_path / "seqs.fa", tmp_path / "labels.tsv"


def test_prepare_encodes_splits_and_round_trips(tmp_path):
    fasta, labels = make_inputs(tmp_path)
    ds = prepare_sequences(fasta, labels, seed=2)
    assert ds.x.shape == (40, 20, 4) and ds.task == "binary"
    assert set(ds.split) == {"train", "val", "test"}
    ds.save(tmp_path / "d.npz")
    back = EncodedDataset.load(tmp_path / "d.npz")
    np.testing.assert_array_equal(back.x, ds.x)
    assert back.names == ["bound"] and back.task == "binary"
    assert back.ids.tolist() == ds.ids.tolist()


def test_mismatched_ids_are_counted_and_logged(tmp_path, caplog):
    lines = [f"s{i}\t{i % 2}" for i in range(5, 40)] + ["ghost1\t1", "ghost2\t0"]
    fasta, labels = make_inputs(tmp_path, label_lines=lines)
    with caplog.at_level(logging.WARNING):
        ds = prepare_sequences(fasta, labels)
    assert ds.report["fasta_records_without_label"] == 5
    assert ds.report["labels_without_sequence"] == 2
    assert ds.report["used"] == 35 and len(ds.ids) == 35
    assert "5 of 40 FASTA records" in caplog.text and "2 of 37 label rows" in caplog.text


def test_no_shared_ids_is_an_error(tmp_path):
    fasta, labels = make_inputs(tmp_path, label_lines=["x1\t0", "x2\t1"])
    with pytest.raises(io.InputError, match="no FASTA record .* has a label"):
        prepare_sequences(fasta, labels)


def test_label_with_one_class(tmp_path):
    fasta, labels = make_inputs(tmp_path, label_lines=[f"s{i}\t1" for i in range(40)])
    with pytest.raises(io.InputError, match="1 distinct values"):
        prepare_sequences(fasta, labels)


def test_invalid_character_names_file_and_record(tmp_path):
    fasta, labels = make_inputs(tmp_path, n=40, extra_fasta=">bad\nACGZ\n",
                                label_lines=[f"s{i}\t{i % 2}" for i in range(40)] + ["bad\t1"])
    with pytest.raises(io.InputError, match=r"seqs.fa: sequence 'bad': invalid character 'Z' at position 4"):
        prepare_sequences(fasta, labels)


def test_split_missing_a_class_in_test_is_an_error(tmp_path):
    lines = [f"s{i}\t{i % 2}\t{'test' if i % 2 == 0 and i < 10 else 'train'}" for i in range(40)]
    fasta, labels = make_inputs(tmp_path, label_lines=lines)
    (tmp_path / "labels.tsv").write_text("id\tbound\tsplit\n" + "\n".join(lines) + "\n")
    with pytest.raises(io.InputError, match="single class in the test split"):
        prepare_sequences(fasta, labels)
