"""In-silico experiments on a model whose answer is known (it sees GATTACA on both strands):
inserting the motif raises the output, other sequences do not, and two copies of the motif
interact the same way at every spacing (the network takes a maximum over positions)."""

import numpy as np
import pytest
from conftest import MOTIF, motif_model

from biodl.data.dna import one_hot_encode
from biodl.data.pwm import Motif
from biodl.interpret.experiments import consensus, motif_sequences, run_experiments, shuffled_backgrounds
from biodl.io.jaspar import fetch_jaspar


@pytest.fixture(scope="module")
def sequences():
    rng = np.random.default_rng(3)
    return one_hot_encode(["".join(rng.choice(list("AC"), 60)) for _ in range(30)])  # no G: no motif anywhere


def test_motifs_are_named_by_jaspar_id_pattern_name_or_sequence():
    (ctcf,) = fetch_jaspar(["MA0139"])
    pattern = Motif("pattern_0", "pattern_0", one_hot_encode("GATTACA") * 0.9 + 0.025)
    found = motif_sequences(["MA0139", "pattern_0", "gattaca"], [ctcf, pattern])
    assert list(found.values()) == [consensus(ctcf), "GATTACA", "GATTACA"]
    assert list(found) == [f"{ctcf.id} CTCF", "pattern_0", "GATTACA"] and len(consensus(ctcf)) == ctcf.width
    assert motif_sequences([ctcf.id], [ctcf]) == {f"{ctcf.id} CTCF": consensus(ctcf)}
    with pytest.raises(ValueError, match="'MA9999' is neither a known motif id"):
        motif_sequences(["MA9999"], [ctcf])


def test_backgrounds_are_shuffles_of_the_datasets_sequences(sequences):
    backgrounds = shuffled_backgrounds(sequences, 12, seed=2)
    assert backgrounds.shape == (12, 60, 4) and backgrounds.dtype == np.float32
    assert not backgrounds[:, :, 2].any()  # shuffles keep composition: still no G
    np.testing.assert_array_equal(backgrounds, shuffled_backgrounds(sequences, 12, seed=2))


def test_the_motif_raises_its_output_other_sequences_do_nothing_and_the_spacing_curve_is_flat(sequences):
    model = motif_model(60)
    found = run_experiments(model, sequences, ["bound"], motifs=[MOTIF, "CCCCCCC"], pairs=[[MOTIF, MOTIF]],
                            n_backgrounds=20, max_spacing=10, seed=1)
    effects = found.insertions.set_index("motif")
    # background: best matches of 2-3 bases per strand; the motif: 7 on one strand, 3 on the other
    assert effects.loc[MOTIF, "mean_effect"] > 10 and effects.loc[MOTIF, "fraction_up"] == 1.0
    assert abs(effects.loc["CCCCCCC", "mean_effect"]) < 4.5 and effects.loc[MOTIF, "n"] == 20
    curve = found.spacing
    assert set(curve["orientation"]) == {"same", "opposite"} and curve["spacing"].max() == 10
    # the network's maximum over positions: a second copy on the same strand adds about nothing
    # (interaction = minus its own effect), one on the other strand fills the other filter's
    # maximum (interaction about 0); flat over spacing either way, up to junction matches
    one_copy = effects.loc[MOTIF, "mean_effect"]
    same, opposite = (curve.loc[curve["orientation"] == side] for side in ("same", "opposite"))
    assert np.all(np.abs(same["interaction"] + same["second"]) < 0.15 * one_copy)
    assert np.all(np.abs(opposite["interaction"]) < 0.15 * one_copy)
    for rows in (same, opposite):
        assert rows["interaction"].max() - rows["interaction"].min() < 0.15 * one_copy
    with pytest.raises(ValueError, match="n_backgrounds must be at least 2"):
        run_experiments(model, sequences, ["bound"], motifs=[MOTIF], n_backgrounds=1)
    with pytest.raises(ValueError, match="longer than the model's 60 bp window"):
        run_experiments(model, sequences, ["bound"], motifs=["A" * 61], n_backgrounds=3)
