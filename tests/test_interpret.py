"""Attributions, filter motifs, MEME files and motif comparison."""

import numpy as np
import pytest

from biodl import io, training
from biodl.sequence import one_hot_encode

training.configure(seed=0, threads=2)

import keras  # noqa: E402

from biodl.interpret import attribution as attr  # noqa: E402
from biodl.interpret.filters import filter_motifs, first_conv_layer  # noqa: E402
from biodl.interpret.motifs import benjamini_hochberg, read_meme, write_meme  # noqa: E402
from biodl.models.cnn1d import build_cnn1d  # noqa: E402
from biodl.motifs import Motif, fetch_jaspar, jaspar_database  # noqa: E402


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(3)
    return build_cnn1d((30, 4), 3, "multiclass", filters=(6,), kernel_sizes=(5,), pool_sizes=(1,),
                       dense_units=(4,), batch_norm=False, dropout=0.0)


@pytest.fixture(scope="module")
def x():
    rng = np.random.default_rng(1)
    return one_hot_encode(["".join(rng.choice(list("ACGT"), 30)) for _ in range(5)]).astype(np.float32)


def logits(model, x, j):
    return np.asarray(attr._logit_function(model, j)(x.astype(np.float32)))


def test_ism_equals_explicit_mutation(model, x):
    result = attr.ism(model, x[:2], output=1, batch_size=50)
    assert result.shape == (2, 30, 4)
    assert np.all(result[x[:2] == 1] == 0)  # reference bases
    mutant = x[:1].copy()
    mutant[0, 7] = 0
    base = int(np.flatnonzero(x[0, 7] == 0)[0])
    mutant[0, 7, base] = 1
    expected = logits(model, mutant, 1)[0] - logits(model, x[:1], 1)[0]
    assert result[0, 7, base] == pytest.approx(expected, abs=1e-5)


def test_integrated_gradients_complete(model, x):
    ig = attr.integrated_gradients(model, x[:2], output=2, steps=64)
    gap = logits(model, x[:2], 2) - logits(model, np.zeros_like(x[:2]), 2)
    np.testing.assert_allclose(ig.sum(axis=(1, 2)), gap, rtol=0.05, atol=0.02)


def test_shuffled_baseline_runs_and_differs(model, x):
    ig = attr.integrated_gradients(model, x[:1], output=0, steps=8, baseline="shuffle", n_baselines=2)
    assert ig.shape == (1, 30, 4) and np.isfinite(ig).all()


def test_dinucleotide_shuffle_keeps_dinucleotide_counts():
    rng = np.random.default_rng(0)
    seq = one_hot_encode("".join(rng.choice(list("ACGT"), 200)))
    shuffled = attr.dinucleotide_shuffle(seq, rng)

    def counts(onehot):
        idx = onehot.argmax(axis=1)
        return np.bincount(idx[:-1] * 4 + idx[1:], minlength=16)

    np.testing.assert_array_equal(counts(shuffled), counts(seq))
    assert not np.array_equal(shuffled, seq)
    assert shuffled[0].argmax() == seq[0].argmax() and shuffled[-1].argmax() == seq[-1].argmax()


def test_saliency_methods_and_hypothetical(model, x):
    grads = attr.saliency(model, x, output=0)
    np.testing.assert_allclose(attr.gradient_x_input(model, x, output=0), grads * x, atol=1e-6)
    hyp = attr.hypothetical_contributions(grads)
    np.testing.assert_allclose(hyp.sum(axis=-1), 0, atol=1e-5)


def test_output_chosen_by_name(model):
    assert attr.output_index(model, "b", ["a", "b", "c"]) == 1
    with pytest.raises(ValueError, match="not one of the model's outputs"):
        attr.output_index(model, "z", ["a", "b", "c"])
    with pytest.raises(ValueError, match="out of range"):
        attr.output_index(model, 5)
    with pytest.raises(ValueError, match="unknown attribution methods"):
        attr.compute_attributions(model, np.zeros((1, 30, 4)), 0, ["deeplift"])


def test_model_without_conv1d_is_a_clear_error():
    inputs = keras.Input((30, 4))
    dense = keras.Model(inputs, keras.layers.Dense(1, name="output")(keras.layers.Flatten()(inputs)))
    with pytest.raises(ValueError, match="has no Conv1D layer"):
        first_conv_layer(dense)


def test_filter_set_to_a_motif_recovers_it():
    """A filter whose weights are a PWM picks out that motif's sites."""
    (ctcf,) = fetch_jaspar(["MA0139"])
    keras.utils.set_random_seed(0)
    model = build_cnn1d((60, 4), 1, filters=(2,), kernel_sizes=(ctcf.width,), pool_sizes=(1,),
                        batch_norm=False)
    conv = model.get_layer("conv1")
    kernel = np.zeros(conv.kernel.shape, dtype=np.float32)
    kernel[:, :, 0] = ctcf.pwm()
    conv.set_weights([kernel, np.zeros(2, dtype=np.float32)])
    rng = np.random.default_rng(0)
    consensus = "".join("ACGT"[i] for i in ctcf.ppm.argmax(axis=1))
    seqs = ["".join(rng.choice(list("ACGT"), 60)) for _ in range(100)]
    seqs = [s[:20] + consensus + s[20 + ctcf.width:] if i % 2 else s for i, s in enumerate(seqs)]
    found = filter_motifs(model, one_hot_encode(seqs), threshold=0.6, min_sites=10)
    assert found.n_sites[1] == 0 and len(found.motifs) == 1  # the all-zero filter is reported, not used
    learned = found.motifs[0].ppm
    assert "".join("ACGT"[i] for i in learned.argmax(axis=1)) == consensus
    assert found.information[0] > 10


def test_meme_round_trip(tmp_path):
    motifs = fetch_jaspar(["MA0139", "MA0138"])
    write_meme(tmp_path / "m.meme", motifs, nsites=[10, 20])
    back = read_meme(tmp_path / "m.meme")
    assert [m.id for m in back] == [m.id for m in motifs] and [m.name for m in back] == ["CTCF", "REST"]
    for a, b in zip(back, motifs):
        np.testing.assert_allclose(a.ppm, b.ppm, atol=1e-5)


@pytest.mark.parametrize("text, message", [
    ("hello\n", "no 'MOTIF' entries"),
    ("MOTIF m1\n\nletter-probability matrix: alength= 4 w= 2\n0.25 0.25 0.25 0.25\n", "ends after 1 of 2 rows"),
    ("MOTIF m1\nletter-probability matrix: alength= 4 w= 1\n0.2 x 0.3 0.3\n", "line 3: non-numeric"),
    ("MOTIF m1\nletter-probability matrix: alength= 4 w= 1\n0.5 0.5 0.5\n", "line 3: motif 'm1' needs 1 rows of 4"),
    ("MOTIF m1\nletter-probability matrix: alength= 4 w= 1\n0.9 0.9 0.9 0.9\n", "rows must sum to 1"),
    ("MOTIF m1\nnothing here\n", "no 'letter-probability matrix'"),
])
def test_bad_meme_files(tmp_path, text, message):
    (tmp_path / "bad.meme").write_text(text)
    with pytest.raises(io.InputError, match=message):
        read_meme(tmp_path / "bad.meme")


def test_jaspar_selection_that_selects_nothing():
    with pytest.raises(ValueError, match="holds no motifs"):
        jaspar_database(tax_group="martians")
    assert len(jaspar_database()) > 500


def test_benjamini_hochberg_matches_scipy():
    from scipy.stats import false_discovery_control

    p = np.random.default_rng(0).random((3, 50)) ** 3
    np.testing.assert_allclose(benjamini_hochberg(p), [false_discovery_control(row) for row in p])
    np.testing.assert_allclose(benjamini_hochberg(np.array([[0.01, 0.04, 0.03, 0.2]])),
                               [[0.04, 0.16 / 3, 0.16 / 3, 0.2]])


def test_uniform_motif_has_zero_log_odds():
    np.testing.assert_allclose(Motif("a", "b", np.full((2, 4), 0.25)).pwm(), 0, atol=1e-6)
