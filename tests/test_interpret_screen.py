"""The in-silico motif screen on models whose answers are known: one that sees GATTACA on both
strands, and one that only counts G (composition, no motif)."""

import logging

import numpy as np
import pytest
from conftest import MOTIF, motif_model

from biodl.data.dna import one_hot_encode
from biodl.data.pwm import Motif
from biodl.interpret.screen import SCREEN_COLUMNS, motif_screen, sample_sites, shuffled_sites


def sharp(sequence: str, name: str, family: str = "") -> Motif:
    return Motif(name, name, one_hot_encode(sequence) * 0.97 + 0.0075, family)


@pytest.fixture(scope="module")
def sequences():
    rng = np.random.default_rng(3)
    return one_hot_encode(["".join(rng.choice(list("AC"), 60)) for _ in range(30)])  # no G: no motif anywhere


def g_counter(length: int):
    """A network whose logit is the number of G in the window: composition, no order."""
    import keras

    inputs = keras.Input((length, 4))
    pooled = keras.layers.GlobalAveragePooling1D()(inputs)
    dense = keras.layers.Dense(1, name="output", activation="sigmoid")
    model = keras.Model(inputs, dense(pooled))
    dense.set_weights([np.array([[0.0], [0.0], [float(length)], [0.0]], np.float32), np.zeros(1, np.float32)])
    return model


def test_sites_follow_the_ppm_on_both_strands_and_shuffles_keep_their_bases():
    rng = np.random.default_rng(1)
    ppm = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7]])  # A then T: AT on either strand
    sites = sample_sites(Motif("m", "m", ppm), 4000, rng)
    assert sites.shape == (4000, 2, 4) and (sites.sum(axis=2) == 1).all()
    words = ["".join("ACGT"[i] for i in row.argmax(axis=1)) for row in sites]
    assert 0.45 < np.mean([w == "AT" for w in words]) < 0.55  # 0.49 expected: AT is its own reverse complement
    ppm = np.array([[0.9, 0.1 / 3, 0.1 / 3, 0.1 / 3], [0.1 / 3, 0.9, 0.1 / 3, 0.1 / 3]])  # AC, or GT reversed
    words = ["".join("ACGT"[i] for i in row.argmax(axis=1)) for row in sample_sites(Motif("m", "m", ppm), 4000, rng)]
    assert 0.35 < np.mean([w == "AC" for w in words]) < 0.45 and 0.35 < np.mean([w == "GT" for w in words]) < 0.45
    shuffled = shuffled_sites(sites, rng)
    np.testing.assert_array_equal(shuffled.sum(axis=1), sites.sum(axis=1))
    assert (shuffled != sites).any()


def test_the_seen_motif_ranks_first_beyond_its_shuffled_self(sequences, caplog):
    model = motif_model(60)
    motifs = [sharp("CCACCAC", "c_rich"), sharp(MOTIF, "gattaca", "Tal-related"), sharp("ACATTGA", "anagram"),
              sharp("A" * 61, "too_long")]
    with caplog.at_level(logging.WARNING):
        table = motif_screen(model, sequences, motifs, ["bound"], n_backgrounds=24, seed=2)
    assert "1 of 4 motifs are longer than the model's 60 bp window" in caplog.text
    assert list(table.columns) == SCREEN_COLUMNS and len(table) == 3 and set(table["n"]) == {24}
    first = table.iloc[0]
    assert first["motif_id"] == "gattaca" and first["family"] == "Tal-related"
    assert first["effect_beyond_null"] > 5 and first["q_value"] < 1e-6 and first["fraction_up"] > 0.9
    others = table.set_index("motif_id").loc[["c_rich", "anagram"]]
    assert (others["q_value"] > 0.05).all() and (others["effect_beyond_null"] < first["effect_beyond_null"] / 2).all()
    assert table.iloc[1:]["family"].tolist() == [m.upper() for m in table.iloc[1:]["motif_name"]]  # no annotation
    again = motif_screen(model, sequences, motifs[:3], ["bound"], n_backgrounds=24, seed=2)
    np.testing.assert_allclose(again["effect_beyond_null"], table["effect_beyond_null"])


def test_composition_alone_has_no_effect_beyond_the_null(sequences):
    motifs = [sharp("GGGCGGGGCGGGGGCGGG", "gc_rich_long"), sharp("GGG", "g3")]
    table = motif_screen(g_counter(60), sequences, motifs, ["bound"], n_backgrounds=10, seed=1).set_index("motif_id")
    # raw effect: half a logit per G or C inserted (strands averaged) over the A/C it replaced;
    # beyond the null (the same bases shuffled): none
    assert table.loc["gc_rich_long", "effect"] > 3 and table.loc["g3", "effect"] > 0.4
    np.testing.assert_allclose(table["effect_beyond_null"], 0.0, atol=1e-4)
    assert (table["q_value"] > 0.05).all()


def test_bad_settings_are_refused(sequences):
    model = motif_model(60)
    with pytest.raises(ValueError, match="n_backgrounds must be at least 2"):
        motif_screen(model, sequences, [sharp(MOTIF, "m")], ["bound"], n_backgrounds=1)
    with pytest.raises(ValueError, match=r"outputs \['unbound'\] are not among the model's outputs \['bound'\]"):
        motif_screen(model, sequences, [sharp(MOTIF, "m")], ["bound"], outputs=["unbound"])
