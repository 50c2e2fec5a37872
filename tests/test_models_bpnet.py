"""BPNet: ChromBPNet's lengths, each output base sees exactly its receptive field, the
multinomial NLL against scipy's, and the count loss weight from the data."""

import numpy as np
import pytest
from scipy import stats

from biodl.models.bpnet import LOG_COUNT, PROFILE, build_bpnet, count_loss_weight, multinomial_nll, receptive_length


def test_the_defaults_are_chrombpnets_lengths():
    assert receptive_length() == 1115
    assert 1000 + receptive_length() - 1 == 2114


def test_outputs_and_a_clear_error_for_an_input_too_short(keras):
    model = build_bpnet(input_length=130, output_length=40, n_tracks=2, filters=8, first_kernel=5, n_dilated=3,
                        profile_kernel=7)
    outputs = model.predict(np.zeros((3, 130, 4), np.float32), verbose=0)
    assert {name: value.shape for name, value in outputs.items()} == {PROFILE: (3, 40, 2), LOG_COUNT: (3, 2)}
    needed = 40 + receptive_length(5, 3, 3, 7) - 1
    with pytest.raises(ValueError, match=f"input_length >= output_length \\+ {needed - 40} = {needed}"):
        build_bpnet(input_length=needed - 1, output_length=40, filters=8, first_kernel=5, n_dilated=3,
                    profile_kernel=7)


def test_each_profile_base_sees_exactly_its_receptive_field(keras):
    first, n_dilated, profile_kernel, output = 5, 3, 7, 20
    field = receptive_length(first, n_dilated, 3, profile_kernel)
    length = output + field - 1 + 10  # 10 bases more than needed: the profile is cropped centrally
    model = build_bpnet(input_length=length, output_length=output, filters=8, first_kernel=first,
                        n_dilated=n_dilated, profile_kernel=profile_kernel)
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (1, length))]
    base = model.predict(x, verbose=0)[PROFILE][0, 0, 0]
    seen = []
    for position in range(length):
        changed = x.copy()
        changed[0, position] = np.roll(changed[0, position], 1)
        seen.append(abs(model.predict(changed, verbose=0)[PROFILE][0, 0, 0] - base) > 1e-6)
    first_seen = np.flatnonzero(seen)
    assert first_seen[0] == 5 and first_seen[-1] == 5 + field - 1


def test_multinomial_nll_is_the_negative_log_pmf_summed_over_tracks(keras):
    rng = np.random.default_rng(1)
    counts = rng.poisson(2.0, size=(3, 12, 2)).astype(np.float32)
    logits = rng.normal(size=(3, 12, 2)).astype(np.float32)
    loss = np.asarray(multinomial_nll(counts, logits))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = [-sum(stats.multinomial.logpmf(counts[i, :, t], counts[i, :, t].sum(), probabilities[i, :, t])
                     for t in range(2)) for i in range(3)]
    np.testing.assert_allclose(loss, expected, rtol=1e-4)
    assert np.asarray(multinomial_nll(np.zeros((1, 12, 1)), logits[:1, :, :1]))[0] == pytest.approx(0, abs=1e-5)


def test_count_loss_weight_is_a_tenth_of_the_median_total_and_at_least_one():
    assert count_loss_weight(np.array([100, 300, 200])) == 20
    assert count_loss_weight(np.array([2, 3])) == 1
    assert count_loss_weight(np.array([])) == 1


def test_the_factorised_model_adds_the_frozen_bias_models_logits_and_counts(keras, tmp_path):
    from biodl.models.bpnet import NO_BIAS, build_chrombpnet
    from biodl.training import load_model, save_model

    small = {"filters": 4, "first_kernel": 5, "n_dilated": 1, "profile_kernel": 5}
    bias = build_bpnet(input_length=80, output_length=40, name="bias", **small)
    model = build_chrombpnet(bias, input_length=80, output_length=40, **small)
    assert not any(variable.path.startswith("bias") for variable in model.trainable_variables)
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 80))]
    outputs, alone, main = model.predict(x, verbose=0), bias.predict(x, verbose=0), \
        model.get_layer(NO_BIAS).predict(x, verbose=0)
    np.testing.assert_allclose(outputs[PROFILE], alone[PROFILE] + main[PROFILE], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outputs[LOG_COUNT], np.logaddexp(alone[LOG_COUNT], main[LOG_COUNT]), rtol=1e-5)
    save_model(model, tmp_path / "chrombpnet.keras")
    loaded = load_model(tmp_path / "chrombpnet.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0)[PROFILE], outputs[PROFILE], rtol=1e-6)
    with pytest.raises(ValueError, match=r"the bias model reads \(80, 4\).*needs \(90, 4\)"):
        build_chrombpnet(bias, input_length=90, output_length=40, **small)


def test_a_pretrained_bpnet_is_rebuilt_for_other_windows_and_tracks_with_its_weights(keras):
    from biodl.models.bpnet import NO_BIAS, bpnet_settings, build_chrombpnet, pretrained_bpnet

    small = {"filters": 4, "first_kernel": 5, "n_dilated": 2, "profile_kernel": 5}
    trained = build_bpnet(input_length=80, output_length=40, n_tracks=2, **small)
    model, body = pretrained_bpnet(trained, 120, 60, 2)
    assert bpnet_settings(model) == {**small, "dilated_kernel": 3}
    assert model.output[PROFILE].shape[1:] == (60, 2) and {layer.name for layer in body} == {
        "conv_first", "conv_dilated1", "conv_dilated2"}
    for name in ("conv_first", "conv_dilated2", "profile_conv", LOG_COUNT):
        for new, old in zip(model.get_layer(name).get_weights(), trained.get_layer(name).get_weights(), strict=True):
            np.testing.assert_array_equal(new, old)
    # the same network on the central 80 bases: the same counts' logits at the same bases
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (2, 120))]
    wide, narrow = model.predict(x, verbose=0), trained.predict(x[:, 20:100], verbose=0)
    np.testing.assert_allclose(wide[PROFILE][:, 10:50], narrow[PROFILE], rtol=1e-5, atol=1e-6)

    one_track, _ = pretrained_bpnet(trained, 80, 40, 1)  # another number of tracks: new heads
    assert one_track.get_layer(LOG_COUNT).units == 1
    np.testing.assert_array_equal(one_track.get_layer("conv_first").get_weights()[0],
                                  trained.get_layer("conv_first").get_weights()[0])
    factorised = build_chrombpnet(build_bpnet(80, 40, 2, name="bias", **small), 80, 40, 2, **small)
    main, _ = pretrained_bpnet(factorised, 80, 40, 2, name=NO_BIAS)  # the main BPNet, not the bias model
    np.testing.assert_array_equal(main.get_layer("conv_first").get_weights()[0],
                                  factorised.get_layer(NO_BIAS).get_layer("conv_first").get_weights()[0])
    assert build_chrombpnet(build_bpnet(80, 40, 2, name="bias", **small), 80, 40, 2, main=main).get_layer(
        NO_BIAS) is main
    with pytest.raises(ValueError, match=r"needs input_length >= output_length \+ 20 = 60"):
        pretrained_bpnet(trained, 50, 40, 2)
    cnn = keras.Sequential([keras.Input((80, 4)), keras.layers.Conv1D(2, 3, name="conv")])
    with pytest.raises(ValueError, match=r"cnn.keras is not a BPNet \(no layers conv_first"):
        pretrained_bpnet(cnn, 80, 40, 1, source="cnn.keras")
