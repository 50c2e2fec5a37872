import numpy as np
import pandas as pd
import pytest

from biodl import io
from biodl.datasets import prepare_timeseries
from biodl.timeseries import (
    fill_missing,
    gaf_images,
    gaf_tensorflow,
    load_pyts_dataset,
    read_channels,
    read_series_table,
    read_ucr,
    read_ucr_split,
    window_slices,
    write_series_tables,
)


@pytest.mark.parametrize("length, size", [(150, 64), (37, 10), (20, 20)])
def test_tensorflow_gaf_equals_pyts(length, size):
    from pyts.image import GramianAngularField

    rng = np.random.default_rng(length)
    series = rng.normal(size=(6, length, 1)).cumsum(axis=1)
    ours = np.asarray(gaf_tensorflow(series, size, ("gasf", "gadf")))
    for k, method in enumerate(("summation", "difference")):
        reference = GramianAngularField(image_size=size, method=method).fit_transform(series[:, :, 0])
        np.testing.assert_allclose(ours[..., k], reference, atol=1e-5)
    np.testing.assert_allclose(gaf_images(series, size).astype(np.float32), ours, atol=2e-3)  # float16 storage


def test_constant_series_give_finite_images():
    images = gaf_images(np.full((3, 30, 2), 4.2), 8, ("gasf", "gadf", "mtf", "recurrence"))
    assert images.shape == (3, 8, 8, 8) and images.dtype == np.float16
    assert np.isfinite(images.astype(np.float32)).all()
    assert np.isfinite(np.asarray(gaf_tensorflow(np.zeros((2, 30, 1)), 8))).all()


def test_missing_values_interpolated_or_refused():
    values = np.array([[[1.0], [np.nan], [3.0], [np.nan]]])
    np.testing.assert_allclose(fill_missing(values)[0, :, 0], [1, 2, 3, 3])
    with pytest.raises(ValueError, match=r"1 series have missing values \(e.g. 's1'\)"):
        fill_missing(values, "error", ["s1"])
    with pytest.raises(ValueError, match="has no values"):
        fill_missing(np.full((1, 3, 1), np.nan))
    with pytest.raises(ValueError, match="fill them first"):
        gaf_images(values, 2)


def test_ragged_table_and_bad_cells(tmp_path):
    (tmp_path / "r.tsv").write_text("id\tlabel\tt0\tt1\tt2\na\tx\t1\t2\t3\nb\ty\t1\t2\n")
    meta, values = read_series_table(tmp_path / "r.tsv")
    assert values.shape == (2, 3) and np.isnan(values[1, 2]) and meta.loc["b", "label"] == "y"
    (tmp_path / "bad.tsv").write_text("id\tlabel\tt0\tt1\na\tx\t1\t2\nb\ty\t1\toops\n")
    with pytest.raises(io.InputError, match=r"bad.tsv: line 3, column 't1': 'oops' is not a number"):
        read_series_table(tmp_path / "bad.tsv")
    (tmp_path / "nolabel.tsv").write_text("id\tt0\na\t1\n")
    with pytest.raises(io.InputError, match="no 'label' column"):
        read_series_table(tmp_path / "nolabel.tsv")


def test_ucr_format(tmp_path):
    (tmp_path / "u.txt").write_text("1  0.5 0.6 0.7\n2,0.1,0.2\n\n")
    labels, values = read_ucr(tmp_path / "u.txt")
    assert labels.tolist() == ["1", "2"] and values.shape == (2, 3) and np.isnan(values[1, 2])
    (tmp_path / "b.txt").write_text("1 0.5 x\n")
    with pytest.raises(io.InputError, match="line 1"):
        read_ucr(tmp_path / "b.txt")
    (tmp_path / "test.txt").write_text("2 0.3 0.4 0.5 0.6\n")
    meta, joined = read_ucr_split(tmp_path / "u.txt", tmp_path / "test.txt")
    assert meta.index.tolist() == ["train_00000", "train_00001", "test_00000"]
    assert meta["split"].tolist() == ["train", "train", "test"] and meta["label"].tolist() == ["1", "2", "2"]
    assert joined.shape == (3, 4, 1) and np.isnan(joined[:2, 3, 0]).all() and joined[2, 3, 0] == 0.6


def test_channel_tables_round_trip_and_must_match(tmp_path):
    meta, values = load_pyts_dataset("basic_motions")
    assert values.shape == (80, 100, 6) and set(meta["split"]) == {"train", "test"}
    paths = write_series_tables(tmp_path / "bm", meta, values)
    back_meta, back = read_channels(paths)
    np.testing.assert_allclose(back, values)
    assert back_meta["split"].tolist() == meta["split"].tolist()
    with pytest.raises(io.InputError, match="ids or labels differ"):
        other = meta.copy()
        other.index = [f"x{i}" for i in range(len(other))]
        read_channels([paths[0], write_series_tables(tmp_path / "other", other, values[:, :, :1])[0]])


def test_prepare_keeps_official_test_split_and_draws_val_from_train():
    meta, values = load_pyts_dataset("gunpoint")
    series, images = prepare_timeseries(meta, values, image_size=16, seed=2)
    official_test = (meta["split"] == "test").to_numpy()
    assert (series.split[official_test] == "test").all()
    assert set(series.split[~official_test]) == {"train", "val"} and (series.split == "val").sum() == 10
    assert images.x.shape == (200, 16, 16, 2) and series.x.shape == (200, 150, 1)
    assert series.task == "multiclass" and series.names == ["1", "2"]
    np.testing.assert_allclose(series.x.mean(axis=1), 0, atol=1e-5)


def test_one_class_is_refused():
    meta = pd.DataFrame({"label": ["a"] * 10}, index=[f"s{i}" for i in range(10)])
    with pytest.raises(io.InputError, match="has one class"):
        prepare_timeseries(meta, np.random.default_rng(0).normal(size=(10, 20, 1)), image_size=8)


def test_image_models_and_layer():
    from biodl import training

    training.configure(seed=0, threads=2)
    import keras

    from biodl.models import build_cnn2d, build_lstm
    from biodl.models.gaf import GramianAngularField

    for architecture in ("lenet", "resnet"):
        model = build_cnn2d((16, 16, 2), 3, "multiclass", architecture=architecture)
        assert model.output_shape == (None, 3)
    # running statistics that settle within the few steps a small training set gives
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 7 and {layer.momentum for layer in norms} == {0.9}
    with pytest.raises(ValueError, match="batch_norm_momentum"):
        build_cnn2d((16, 16, 2), 3, architecture="resnet", batch_norm_momentum=1.0)
    assert build_lstm((30, 2), 2).output_shape == (None, 2)
    inputs = keras.Input((30, 1))
    on_the_fly = keras.Model(inputs, GramianAngularField(8)(inputs))
    series = np.random.default_rng(0).normal(size=(4, 30, 1))
    np.testing.assert_allclose(on_the_fly.predict(series, verbose=0), np.asarray(gaf_tensorflow(series, 8)), atol=1e-5)


def test_on_the_fly_model_trains_saves_and_loads(tmp_path):
    from biodl import training

    training.configure(seed=0, threads=2)
    from biodl.models import build_cnn2d

    meta, values = load_pyts_dataset("coffee")
    series, images = prepare_timeseries(meta, values, image_size=16)
    model = build_cnn2d(series.x.shape[1:], 2, "multiclass", gaf_on_the_fly={"image_size": 16})
    training.fit(model, series.part("train"), series.part("val"), task="multiclass", epochs=2, verbose=0,
                 model_path=tmp_path / "m.keras")
    loaded = training.load_model(tmp_path / "m.keras")
    x_test = series.part("test")[0]
    np.testing.assert_allclose(training.predict(loaded, x_test), training.predict(model, x_test), atol=1e-5)
    # the layer sees the same images as the stored ones
    import keras

    field = keras.Model(loaded.inputs, loaded.get_layer("gramian_angular_field").output)
    np.testing.assert_allclose(field.predict(x_test[:3], verbose=0), images.x[series.split == "test"][:3].astype(np.float32),
                               atol=2e-3)


def test_window_slices_stretch_a_window_back_to_full_length():
    ramp = np.tile(np.arange(100, dtype="float32")[None, :, None], (3, 1, 2))
    x, y = window_slices(ramp, np.array([0, 1, 2]), copies=2, fraction=0.5, seed=0)
    assert x.shape == (9, 100, 2) and x.dtype == ramp.dtype
    np.testing.assert_array_equal(x[:3], ramp)
    np.testing.assert_array_equal(y, [0, 1, 2] * 3)
    copies = x[3:, :, 0]
    # a half-length window of a unit ramp, stretched to 100 points: slope 49/99, start inside [0, 50]
    np.testing.assert_allclose(np.diff(copies, axis=1), 49 / 99, atol=1e-5)
    assert np.all((copies[:, 0] >= 0) & (copies[:, 0] <= 50)) and np.all(copies[:, -1] <= 99)
    same, _ = window_slices(ramp, np.zeros(3), copies=1, fraction=1.0)
    np.testing.assert_array_equal(same[3:], ramp)


def test_window_slices_refuse_bad_arguments():
    with pytest.raises(ValueError, match="needs \\(N, T, C\\) series"):
        window_slices(np.zeros((4, 10)), np.zeros(4), copies=1)
    with pytest.raises(ValueError, match="0 < fraction <= 1"):
        window_slices(np.zeros((4, 10, 1)), np.zeros(4), copies=1, fraction=1.5)
