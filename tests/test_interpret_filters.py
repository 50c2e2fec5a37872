import numpy as np
import pytest

from biodl.data.dna import one_hot_encode
from biodl.io.jaspar import fetch_jaspar
from biodl.io.meme import read_meme


def test_model_without_conv1d_is_a_clear_error(keras):
    from biodl.interpret.filters import first_conv_layer

    inputs = keras.Input((30, 4))
    dense = keras.Model(inputs, keras.layers.Dense(1, name="output")(keras.layers.Flatten()(inputs)))
    with pytest.raises(ValueError, match="has no Conv1D layer"):
        first_conv_layer(dense)


def motif_filter_model(keras):
    """A model whose first filter is the CTCF PWM (the second all zero), and 100 sequences,
    every second with the CTCF consensus."""
    from biodl.models import build_cnn1d

    (ctcf,) = fetch_jaspar(["MA0139"])
    model = build_cnn1d((60, 4), 1, filters=(2,), kernel_sizes=(ctcf.width,), pool_sizes=(1,), batch_norm=False)
    conv = model.get_layer("conv1")
    kernel = np.zeros(conv.kernel.shape, dtype=np.float32)
    kernel[:, :, 0] = ctcf.pwm()
    conv.set_weights([kernel, np.zeros(2, dtype=np.float32)])
    rng = np.random.default_rng(0)
    consensus = "".join("ACGT"[i] for i in ctcf.ppm.argmax(axis=1))
    seqs = ["".join(rng.choice(list("ACGT"), 60)) for _ in range(100)]
    seqs = [s[:20] + consensus + s[20 + ctcf.width:] if i % 2 else s for i, s in enumerate(seqs)]
    return model, one_hot_encode(seqs), consensus


def test_filter_set_to_a_motif_recovers_it(tmp_path, keras):
    """A filter whose weights are a PWM picks out that motif's sites; an all-zero filter is
    reported, not turned into a motif."""
    from biodl.interpret.filters import filter_motifs

    model, x, consensus = motif_filter_model(keras)
    found = filter_motifs(model, x, threshold=0.6, min_sites=10)
    assert found.n_sites[1] == 0 and len(found.motifs) == 1
    learned = found.motifs[0].ppm
    assert "".join("ACGT"[i] for i in learned.argmax(axis=1)) == consensus
    assert found.information[0] > 10 and np.isnan(found.information[1])
    found.write(tmp_path / "f.meme", tmp_path / "f.tsv")
    assert [m.id for m in read_meme(tmp_path / "f.meme")] == ["filter0"]
    table = found.table()
    assert table["has_motif"].tolist() == [True, False] and table["n_sites"].iloc[0] >= 50
    with pytest.raises(ValueError, match="threshold must be between 0 and 1"):
        filter_motifs(model, x, threshold=1.5)


def test_filters_read_from_disk_in_chunks_give_the_same_motifs(tmp_path, keras, monkeypatch):
    from biodl.interpret import filters
    from biodl.io.arrays import npz_writer, stored_rows

    model, x, _ = motif_filter_model(keras)
    with npz_writer(tmp_path / "x.npz") as archive:
        archive.add("x", x)
    monkeypatch.setattr(filters, "ACTIVATION_CHUNK_VALUES", 7 * 60 * 2)  # 7 sequences per chunk
    for max_sites in (5000, 30):
        with monkeypatch.context() as whole:
            whole.setattr(filters, "ACTIVATION_CHUNK_VALUES", 1 << 26)
            expected = filters.filter_motifs(model, x, threshold=0.6, min_sites=10, max_sites=max_sites)
        chunked = filters.filter_motifs(model, stored_rows(tmp_path / "x.npz", "x"), threshold=0.6, min_sites=10,
                                        max_sites=max_sites)
        assert chunked.n_sites.tolist() == expected.n_sites.tolist()
        np.testing.assert_allclose(chunked.motifs[0].ppm, expected.motifs[0].ppm)
    assert chunked.n_sites[0] == 30


@pytest.mark.parametrize("batch_norm", [False, True])
def test_influence_ranks_the_motif_filter_first_and_leaves_the_model_as_it_was(keras, batch_norm):
    from biodl.interpret.filters import filter_influence, filter_motifs
    from biodl.models import build_cnn1d

    (ctcf,) = fetch_jaspar(["MA0139"])
    model = build_cnn1d((60, 4), 1, filters=(3,), kernel_sizes=(ctcf.width,), pool_sizes=(1,), batch_norm=batch_norm)
    conv = model.get_layer("conv1")
    weights = conv.get_weights()
    weights[0][:] = 0
    weights[0][:, :, 0] = ctcf.pwm()  # filter 0: the motif; filter 1: weak noise; filter 2: silent already
    weights[0][:, :, 1] = np.random.default_rng(0).normal(0, 0.05, weights[0][:, :, 1].shape)
    conv.set_weights(weights)
    _, x, _ = motif_filter_model(keras)
    before = [w.copy() for w in model.get_weights()]
    influence = filter_influence(model, x, n_sequences=60)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert influence.shape == (3, 1)
    influence = influence[:, 0]
    assert influence[2] == pytest.approx(0, abs=1e-7) and influence[0] > influence[1] > influence[2]
    table = filter_motifs(model, x, threshold=0.6, min_sites=10, influence_sequences=60).table()
    assert table["influence_rank"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(table["influence"], influence, rtol=1e-5)


def test_influence_is_measured_per_output(keras):
    """Filter k drives output k alone: each output's influence column names its own filter."""
    from biodl.interpret.filters import FilterMotifs, filter_influence

    _, x, _ = motif_filter_model(keras)
    (ctcf,) = fetch_jaspar(["MA0139"])
    inputs = keras.Input((60, 4))
    conv = keras.layers.Conv1D(2, ctcf.width)
    pooled = keras.layers.GlobalMaxPooling1D()(conv(inputs))
    dense = keras.layers.Dense(2, name="output")
    model = keras.Model(inputs, dense(pooled))
    conv.set_weights([np.stack([ctcf.pwm(), ctcf.pwm()[::-1, ::-1]], axis=-1), np.zeros(2, np.float32)])
    dense.set_weights([np.eye(2, dtype=np.float32), np.zeros(2, np.float32)])
    influence = filter_influence(model, x, n_sequences=60)
    assert influence.shape == (2, 2) and influence[0, 0] > 0 and influence[1, 1] > 0
    np.testing.assert_allclose([influence[0, 1], influence[1, 0]], 0, atol=1e-6)
    table = FilterMotifs([], np.array([30, 30]), np.zeros(2), 10, influence, outputs=["plus", "minus"]).table()
    assert table["influence:plus"].tolist() == influence[:, 0].tolist() and "influence:minus" in table
    np.testing.assert_allclose(table["influence"], influence.mean(axis=1))


def test_untrained_filters_make_seeded_null_motifs_without_touching_the_model(keras):
    from biodl.interpret.filters import untrained_filter_motifs

    model, x, consensus = motif_filter_model(keras)
    before = [w.copy() for w in model.get_weights()]
    null = untrained_filter_motifs(model, x, networks=2, max_sequences=80, seed=4, threshold=0.6, min_sites=10)
    again = untrained_filter_motifs(model, x, networks=2, max_sequences=80, seed=4, threshold=0.6, min_sites=10)
    assert {m.id.split("_")[0] for m in null} == {"untrained0", "untrained1"} and len(null) <= 4
    assert [m.id for m in null] == [m.id for m in again]
    for first, second in zip(null, again):
        np.testing.assert_array_equal(first.ppm, second.ppm)
    # random filters do not find the planted motif
    assert all("".join("ACGT"[i] for i in m.ppm.argmax(axis=1)) != consensus for m in null)
    for was, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(was, now)
