import pytest


def test_lenet_and_resnet(keras):
    from biodl.models import build_cnn2d

    lenet = build_cnn2d((16, 16, 2), 3, "multiclass", architecture="lenet", pool_size=2)
    assert lenet.output_shape == (None, 3) and lenet.get_layer("pool").pool_size == (2, 2)
    resnet = build_cnn2d((16, 16, 2), 3, "multiclass")  # the default
    assert resnet.name == "cnn2d_resnet"
    # running statistics that settle within the few steps a small training set gives
    norms = [layer for layer in resnet.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 7 and {layer.momentum for layer in norms} == {0.9}


def test_bad_settings(keras):
    from biodl.models import build_cnn2d

    with pytest.raises(ValueError, match="batch_norm_momentum"):
        build_cnn2d((16, 16, 2), 3, architecture="resnet", batch_norm_momentum=1.0)
    with pytest.raises(ValueError, match="architecture must be lenet or resnet"):
        build_cnn2d((16, 16, 2), 3, architecture="vgg")
