"""Transfer learning: the pretrained layers under a new head, frozen or fine-tuned, and the
input checks."""

import numpy as np
import pytest

from biodl import sequences
from biodl.data import simulate
from biodl.models import build_cnn1d
from biodl.training import TrainingSettings, save_model, transfer


def _one_hot(n, length, seed):
    rng = np.random.default_rng(seed)
    return np.eye(4, dtype=np.uint8)[rng.integers(0, 4, size=(n, length))]


def test_transfer_network_keeps_the_body_and_checks_the_inputs(keras):
    pretrained = build_cnn1d((50, 4), 3, "multiclass", filters=[8], kernel_sizes=[5], pool_sizes=[2],
                             dense_units=[6])
    model, body = transfer.transfer_network(pretrained, (50, 4), 1, "binary")
    assert model.output_shape == (None, 1) and model.get_layer("conv1") is pretrained.get_layer("conv1")
    assert {layer.name for layer in body} == {layer.name for layer in pretrained.layers[1:-1]}
    longer, _ = transfer.transfer_network(pretrained, (80, 4), 2, "multiclass")  # global max pooling
    assert longer.input_shape == (None, 80, 4) and longer.get_layer("conv1") is pretrained.get_layer("conv1")
    with pytest.raises(ValueError, match=r"inputs of shape \(50, 4\).*these data are \(50, 5\): transfer needs "
                                         r"the same alphabet"):
        transfer.transfer_network(pretrained, (50, 5), 1, "binary", source="ctcf.keras")
    flat = build_cnn1d((50, 4), 1, filters=[4], kernel_sizes=[5], pool_sizes=[1], global_pool="flatten")
    with pytest.raises(ValueError, match=r"depend on that length; these data are \(80, 4\): give windows of "
                                         r"length 50"):
        transfer.transfer_network(flat, (80, 4), 1, "binary")


def test_feature_extraction_trains_the_head_only_and_fine_tuning_the_rest_but_batch_norm(keras):
    x, y = _one_hot(96, 40, 1), np.random.default_rng(2).integers(0, 2, size=(96, 1)).astype(np.float32)
    settings = TrainingSettings(epochs=3, batch_size=32, learning_rate=0.01, patience=5)
    pretrained = build_cnn1d((40, 4), 2, "multiclass", filters=[8], kernel_sizes=[5], pool_sizes=[1],
                             dense_units=[4], dropout=0.0)
    before = {layer.name: [w.copy() for w in layer.get_weights()] for layer in pretrained.layers}

    def changed(model, name):
        return any(not np.array_equal(a, b) for a, b in zip(before[name], model.get_layer(name).get_weights()))

    model, body = transfer.transfer_network(pretrained, (40, 4), 1, "binary")
    history = transfer.fit_transfer(model, body, (x[:64], y[:64]), (x[64:], y[64:]), settings,
                                    "feature_extraction", task="binary", verbose=0)
    assert not changed(model, "conv1") and not changed(model, "dense1") and not changed(model, "conv1_bn")
    assert (history["phase"] == "feature_extraction").all() and history["best"].sum() == 1

    model, body = transfer.transfer_network(pretrained, (40, 4), 1, "binary")
    history = transfer.fit_transfer(model, body, (x[:64], y[:64]), (x[64:], y[64:]), settings, "fine_tuning",
                                    task="binary", verbose=0)
    assert changed(model, "conv1") and changed(model, "dense1") and not changed(model, "conv1_bn")
    assert history["phase"].tolist() == ["feature_extraction"] * 3 + ["fine_tuning"] * 3
    assert history["epoch"].tolist() == [1, 2, 3, 4, 5, 6]
    assert history["best"].sum() == 1 and history.loc[history["best"], "phase"].item() == "fine_tuning"
    with pytest.raises(ValueError, match="transfer must be one of"):
        transfer.fit_transfer(model, body, (x, y), (x, y), settings, "freeze")


def test_sequences_train_starts_from_a_saved_model(keras, tmp_path):
    simulate.simulate_dna({"CTCF": ["MA0139"], "bg": []}, n_per_class=100, length=60, seed=3).write(
        tmp_path / "s.fa", tmp_path / "s.tsv", tmp_path / "t.tsv")
    dataset = sequences.prepare(tmp_path / "s.fa", tmp_path / "s.tsv", task="multiclass", seed=1)
    pretrained = build_cnn1d((80, 4), 1, "binary", filters=[8], kernel_sizes=[9], pool_sizes=[1], dense_units=[4])
    save_model(pretrained, tmp_path / "pretrained.keras")
    model, history = sequences.train(dataset, init_from=tmp_path / "pretrained.keras", transfer="feature_extraction",
                                     training={"epochs": 2}, model_path=tmp_path / "m.keras",
                                     history_path=tmp_path / "h.tsv")
    assert model.input_shape == (None, 60, 4) and model.output_shape == (None, 2)
    np.testing.assert_array_equal(model.get_layer("conv1").get_weights()[0],
                                  pretrained.get_layer("conv1").get_weights()[0])
    assert (tmp_path / "m.keras").exists() and "phase" in (tmp_path / "h.tsv").read_text()
