import logging

import numpy as np
import pytest
from conftest import write_fasta_text

from biodl import io, sequences
from biodl.data.datasets import EncodedDataset
from biodl.data.simulate import simulate_dna
from biodl.io.arrays import StoredRows


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
    ds = sequences.prepare(fasta, labels, seed=2, split={"val_fraction": 0.2})
    assert ds.x.shape == (40, 20, 4) and ds.task == "binary"
    assert ds.report["split_counts"] == {"train": 24, "val": 8, "test": 8}
    ds.save(tmp_path / "d.npz")
    back = EncodedDataset.load(tmp_path / "d.npz")
    np.testing.assert_array_equal(back.x, ds.x)
    assert back.names == ["bound"] and back.task == "binary" and back.ids.tolist() == ds.ids.tolist()


def test_prepare_streamed_to_a_file_equals_prepare_in_memory(tmp_path, monkeypatch):
    lines = [f"s{i}\t{i % 2}" for i in range(3, 40)]
    fasta, labels = make_inputs(tmp_path, label_lines=lines)
    in_memory = sequences.prepare(fasta, labels, seed=2, length=16)
    monkeypatch.setattr(sequences, "CHUNK_BYTES", 5 * 16 * 4)  # five records per chunk
    streamed = sequences.prepare(fasta, labels, seed=2, length=16, data_path=tmp_path / "d.npz")
    assert isinstance(streamed.x, StoredRows) and streamed.report == in_memory.report
    np.testing.assert_array_equal(np.asarray(streamed.x), in_memory.x)
    back = EncodedDataset.load(tmp_path / "d.npz", stream=True)
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(np.asarray(back.part(split)[0]), in_memory.part(split)[0])
        np.testing.assert_array_equal(back.part(split)[1], in_memory.part(split)[1])
    assert back.ids.tolist() == in_memory.ids.tolist() == [f"s{i}" for i in range(3, 40)]


def test_a_bad_record_late_in_the_file_leaves_no_output(tmp_path, monkeypatch):
    fasta, labels = make_inputs(tmp_path, label_lines=[f"s{i}\t{i % 2}" for i in range(40)] + ["bad\t1"],
                                extra_fasta=">bad\nACGZ\n")
    monkeypatch.setattr(sequences, "CHUNK_BYTES", 5 * 20 * 4)
    with pytest.raises(io.InputError, match=r"seqs.fa: sequence 'bad': invalid character 'Z' at position 4"):
        sequences.prepare(fasta, labels, data_path=tmp_path / "out" / "d.npz")
    assert list((tmp_path / "out").iterdir()) == []


def test_mismatched_ids_are_counted_and_logged(tmp_path, caplog):
    lines = [f"s{i}\t{i % 2}" for i in range(5, 40)] + ["ghost1\t1", "ghost2\t0"]
    fasta, labels = make_inputs(tmp_path, label_lines=lines)
    with caplog.at_level(logging.WARNING):
        ds = sequences.prepare(fasta, labels)
    assert ds.report["fasta_records_without_label"] == 5 and ds.report["labels_without_sequence"] == 2
    assert ds.report["used"] == 35 and len(ds.ids) == 35
    assert "5 of 40 FASTA records" in caplog.text and "2 of 37 label rows" in caplog.text


@pytest.mark.parametrize("label_lines, extra, message", [
    (["x1\t0", "x2\t1"], "", "no FASTA record .* has a label"),
    ([f"s{i}\t1" for i in range(40)], "", "1 distinct values"),
    ([f"s{i}\t{i % 2}" for i in range(40)] + ["bad\t1"], ">bad\nACGZ\n",
     r"seqs.fa: sequence 'bad': invalid character 'Z' at position 4"),
])
def test_bad_input_names_the_file(tmp_path, label_lines, extra, message):
    fasta, labels = make_inputs(tmp_path, label_lines=label_lines, extra_fasta=extra)
    with pytest.raises(io.InputError, match=message):
        sequences.prepare(fasta, labels)


def test_split_missing_a_class_in_test_is_an_error(tmp_path):
    lines = [f"s{i}\t{i % 2}\t{'test' if i % 2 == 0 and i < 10 else 'train'}" for i in range(40)]
    fasta, labels = make_inputs(tmp_path, label_lines=lines)
    (tmp_path / "labels.tsv").write_text("id\tbound\tsplit\n" + "\n".join(lines) + "\n")
    with pytest.raises(io.InputError, match="single class in the test split"):
        sequences.prepare(fasta, labels)


def test_unknown_settings_are_named(tmp_path):
    fasta, labels = make_inputs(tmp_path)
    with pytest.raises(ValueError, match=r"split: unknown settings \['methd'\]"):
        sequences.prepare(fasta, labels, split={"methd": "random"})
    dataset = sequences.prepare(fasta, labels)
    with pytest.raises(ValueError, match=r"sequences model: unknown settings \['filter'\]"):
        sequences.train(dataset, model={"filter": [8]})


def test_train_and_evaluate_beside_the_pwm_scan(tmp_path, keras):
    simulated = simulate_dna({"bg": [], "CTCF": ["MA0139"]}, n_per_class=150, length=60, seed=1)
    simulated.write(tmp_path / "s.fa", tmp_path / "labels.tsv", tmp_path / "truth.tsv")
    dataset = sequences.prepare(tmp_path / "s.fa", tmp_path / "labels.tsv", seed=1)
    assert dataset.task == "binary" and dataset.names == ["class"]
    model, history = sequences.train(dataset, model={"filters": [8], "dense_units": [8]},
                                     training={"epochs": 8, "learning_rate": 0.01, "reverse_complement": True},
                                     model_path=tmp_path / "m.keras")
    assert model.get_layer("conv1").filters == 8 and model.get_layer("conv1").kernel_size == (19,)  # default kept
    assert len(history) <= 8 and (tmp_path / "m.keras").is_file()
    result = sequences.evaluate(dataset, model, baseline_motifs=["MA0139"])
    assert set(result.metrics["models"]) == {"cnn1d", "pwm_scan", "kmer"} and result.metrics["split"] == "test"
    assert result.metrics["kmer_k"] in (2, 3, 4, 5, 6)
    check = result.metrics["composition_check"]
    assert check["metric"] == "auroc" and check["cnn1d"] == result.metrics["models"]["cnn1d"]["auroc"]
    assert check["composition_matches_network"] == (check["kmer"] >= check["cnn1d"] - 0.02)
    assert result.metrics["models"]["pwm_scan"]["auroc"] > 0.9 and result.metrics["models"]["cnn1d"]["n"] == 60
    result.write(tmp_path / "metrics.json", tmp_path / "predictions.tsv")
    predictions = io.read_delimited(tmp_path / "predictions.tsv")
    assert list(predictions.columns) == ["id", "true_class", "cnn1d_class", "pwm_scan_class", "kmer_class"]
    assert len(predictions) == 60


def test_composition_check_warns_when_kmers_match_the_network(caplog):
    models = {"cnn1d": {"auroc": 0.90, "pearson": 0.1}, "kmer": {"auroc": 0.89, "pearson": 0.5}}
    with caplog.at_level(logging.WARNING):
        check = sequences.composition_check(models, "binary")
    assert check["composition_matches_network"] and "solvable from sequence composition alone" in caplog.text
    assert not sequences.composition_check({"cnn1d": {"auroc": 0.95}, "kmer": {"auroc": 0.80}},
                                           "binary")["composition_matches_network"]
    assert sequences.composition_check(models, "regression")["metric"] == "pearson"
