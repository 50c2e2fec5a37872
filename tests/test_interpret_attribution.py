"""Attribution methods on a linear toy model whose answers are known exactly: the logit of
output j is ``sum(x * W_j) + b_j``, so saliency is W_j, integrated gradients from a baseline r
is ``(x - r) * W_j``, and ISM of base b at position p is ``W_j[p, b] - W_j[p, reference]``."""

import logging

import numpy as np
import pytest

from biodl.data.datasets import EncodedDataset
from biodl.data.dna import dinucleotide_shuffles, one_hot_encode

LENGTH, OUTPUTS = 12, 3


@pytest.fixture(scope="module")
def toy(keras):
    inputs = keras.Input((LENGTH, 4))
    head = keras.layers.Dense(OUTPUTS, activation="softmax", name="output")
    model = keras.Model(inputs, head(keras.layers.Flatten()(inputs)))
    weights = np.random.default_rng(0).normal(size=(LENGTH * 4, OUTPUTS)).astype(np.float32)
    head.set_weights([weights, np.array([0.5, -1.0, 2.0], dtype=np.float32)])
    return model, weights.reshape(LENGTH, 4, OUTPUTS)


@pytest.fixture(scope="module")
def x():
    rng = np.random.default_rng(1)
    return one_hot_encode(["".join(rng.choice(list("ACGT"), LENGTH)) for _ in range(6)]).astype(np.float32)


def test_saliency_and_gradient_x_input(toy, x):
    from biodl.interpret import attribution as attr

    model, w = toy
    np.testing.assert_allclose(attr.saliency(model, x, output=2), np.broadcast_to(w[..., 2], x.shape), atol=1e-6)
    np.testing.assert_allclose(attr.gradient_x_input(model, x, output=2), x * w[..., 2], atol=1e-6)
    hypothetical = attr.hypothetical_contributions(attr.saliency(model, x, output=0))
    np.testing.assert_allclose(hypothetical, np.broadcast_to(w[..., 0] - w[..., 0].mean(-1, keepdims=True), x.shape),
                               atol=1e-6)


def test_integrated_gradients_from_zeros_and_from_shuffles(toy, x):
    from biodl.interpret import attribution as attr

    model, w = toy
    np.testing.assert_allclose(attr.integrated_gradients(model, x, output=1, steps=8), x * w[..., 1], atol=1e-5)
    shuffled = attr.integrated_gradients(model, x, output=1, steps=8, baseline="shuffle", n_baselines=2, seed=4)
    rng = np.random.default_rng(4)  # the same draws, in the same order
    expected = [np.mean((seq - dinucleotide_shuffles(seq, 2, rng)) * w[..., 1], axis=0) for seq in x]
    np.testing.assert_allclose(shuffled, expected, atol=1e-5)
    assert not np.allclose(shuffled, x * w[..., 1])


def test_ism_is_the_weight_difference(toy, x):
    from biodl.interpret import attribution as attr

    model, w = toy
    result = attr.ism(model, x, output=0, batch_size=50)
    reference = (x * w[..., 0]).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(result, w[..., 0] - reference, atol=1e-5)
    assert np.all(result[x == 1] == 0)


def test_attributions_refuse_fractional_input(toy):
    from biodl.interpret import attribution as attr
    from biodl.interpret.deeplift import deeplift

    fractional = one_hot_encode(["ACGTNACGTACG"], ambiguous="fractional")
    for method in (attr.saliency, attr.integrated_gradients, attr.ism, deeplift):
        with pytest.raises(ValueError, match="need one-hot sequences"):
            method(toy[0], fractional)
    with pytest.raises(ValueError, match="unknown attribution methods"):
        attr.compute_attributions(toy[0], fractional, 0, ["gradcam"])


def test_output_chosen_by_name(toy):
    from biodl.interpret.attribution import output_index

    assert output_index(toy[0], "b", ["a", "b", "c"]) == 1
    with pytest.raises(ValueError, match="not one of the model's outputs"):
        output_index(toy[0], "z", ["a", "b", "c"])
    with pytest.raises(ValueError, match="out of range"):
        output_index(toy[0], 5)


def test_attribute_explains_positive_sequences_of_each_output(tmp_path, toy, caplog, monkeypatch):
    from biodl.interpret import attribution
    from biodl.interpret.attribution import Attributions, attribute

    monkeypatch.setattr(attribution, "CHECK_CHUNK", 4)  # the 14 sequences of an output in chunks

    model, w = toy
    rng = np.random.default_rng(2)
    seqs = ["".join(rng.choice(list("ACGT"), LENGTH)) for _ in range(40)]
    seqs[0] = seqs[30] = "ACGTRACGTACG"  # an ambiguous base: not explained, and counted in the log
    x = one_hot_encode(seqs, ambiguous="fractional")
    y = np.arange(40) % OUTPUTS
    dataset = EncodedDataset(x, y, np.array([f"s{i}" for i in range(40)]), np.array(["test"] * 40), "multiclass",
                             ["a", "b", "c"])
    with caplog.at_level(logging.WARNING):
        result = attribute(model, dataset, outputs=["a", "c"], methods=["saliency", "ism"], split="test",
                           max_sequences=5, n_tracks=2, seed=3)
    assert "2 of 14 test-split sequences of output 'a' hold fractional" in caplog.text
    assert result.output_indices == [0, 2] and [len(result.ids[j]) for j in (0, 2)] == [5, 5]
    assert all(int(i[1:]) % OUTPUTS == 2 for i in result.ids[2]) and not {"s0", "s30"} & set(result.ids[0])
    np.testing.assert_allclose(result.values[2]["saliency"], np.broadcast_to(w[..., 2], (5, LENGTH, 4)), atol=1e-6)
    assert len(result.tracks) == 4 and result.titles[0].startswith("a: s")
    shown = int(result.titles[0].split()[1][1:])  # the top-scoring sequence: saliency times its one-hot input
    np.testing.assert_allclose(result.tracks[0], x[shown] * w[..., 0], atol=1e-6)
    result.save(tmp_path / "a.npz")
    back = Attributions.load(tmp_path / "a.npz")
    assert back.outputs == ["a", "c"] and back.methods == ["saliency", "ism"]
    np.testing.assert_array_equal(back.values[0]["ism"], result.values[0]["ism"])
    with pytest.raises(ValueError, match="no val-split sequences are positive for output 'a'"):
        attribute(model, dataset, outputs=["a"], split="val")
