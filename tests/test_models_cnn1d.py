import numpy as np
import pytest


@pytest.mark.parametrize(
    "task, n_outputs, activation",
    [("binary", 1, "sigmoid"), ("multilabel", 3, "sigmoid"), ("multiclass", 3, "softmax"),
     ("regression", 2, "linear")],
)
def test_head_follows_task(keras, task, n_outputs, activation):
    from biodl.models import build_cnn1d

    model = build_cnn1d((50, 4), n_outputs, task, filters=(8,), kernel_sizes=(5,), pool_sizes=(2,))
    assert model.get_layer("output").activation.__name__ == activation
    assert model.output_shape == (None, n_outputs)
    assert model.get_layer("conv1").filters == 8 and model.name == "cnn1d"


def test_block_settings_must_line_up(keras):
    from biodl.models import build_cnn1d

    with pytest.raises(ValueError, match="one entry per convolution block"):
        build_cnn1d((50, 4), 1, filters=(8, 16), kernel_sizes=(5,), pool_sizes=(2,))
    with pytest.raises(ValueError, match="global_pool must be"):
        build_cnn1d((50, 4), 1, global_pool="sum")


def test_fcn_is_three_batch_normed_blocks_without_pooling(keras):
    from biodl.models import build_fcn

    model = build_fcn((150, 2), 3)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert [(c.filters, c.kernel_size[0]) for c in convs] == [(128, 8), (256, 5), (128, 3)]
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert {n.momentum for n in norms} == {0.9} and len(norms) == 3
    assert not any(isinstance(layer, keras.layers.MaxPooling1D) for layer in model.layers)
    assert isinstance(model.get_layer("global_pool"), keras.layers.GlobalAveragePooling1D)
    assert model.name == "fcn" and model.output_shape == (None, 3)


def test_resnet1d_is_residual_blocks_with_shortcuts_where_the_width_changes(keras, tmp_path):
    from biodl.models import build_resnet1d

    model = build_resnet1d((50, 2), 3)
    names = {layer.name for layer in model.layers}
    assert {"block1_shortcut", "block2_shortcut", "block3_add", "global_pool"} <= names
    assert "block3_shortcut" not in names  # 128 -> 128: the identity, batch-normed
    assert [model.get_layer(f"block{b}_conv1").filters for b in (1, 2, 3)] == [64, 128, 128]
    assert [model.get_layer(f"block1_conv{i}").kernel_size for i in (1, 2, 3)] == [(8,), (5,), (3,)]
    assert model.output_shape == (None, 3) and model.layers[-1].activation.__name__ == "softmax"
    series = np.random.default_rng(0).normal(size=(4, 50, 2)).astype("float32")
    model.save(tmp_path / "resnet.keras")
    again = keras.saving.load_model(tmp_path / "resnet.keras")
    np.testing.assert_allclose(again.predict(series, verbose=0), model.predict(series, verbose=0), atol=1e-6)
    with pytest.raises(ValueError, match="at least one block"):
        build_resnet1d((50, 2), 3, filters=[])
