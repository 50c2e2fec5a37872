"""The two-branch network: images computed inside it beside the raw series, joined before
the head; it saves, loads and gives the same outputs."""

import numpy as np
import pytest


def test_two_branches_join_before_the_head_and_survive_saving(keras, tmp_path):
    from biodl.models import build_gaf_fusion

    model = build_gaf_fusion((120, 2), 3, image_size=12, scales=[1, 4], image_filters=4, residual_blocks=2,
                             series_filters=[8, 8], kernel_sizes=[5, 3])
    gaf = model.get_layer("gramian_angular_field")
    assert (gaf.image_size, gaf.scales) == (12, (1, 4)) and gaf.output.shape[1:] == (12, 12, 2 * 5 * 2)
    joined = model.get_layer("joined")
    # the image branch's last block has 4 * 2 filters, the series branch's last block 8
    assert joined.output.shape[-1] == 8 + 8
    assert {layer.name for layer in model.layers} >= {"image_stem", "series_conv1", "image_global_pool",
                                                      "series_global_pool"}
    assert model.output_shape == (None, 3)
    series = np.random.default_rng(0).normal(size=(5, 120, 2)).astype("float32")
    model.save(tmp_path / "fusion.keras")
    again = keras.saving.load_model(tmp_path / "fusion.keras")
    np.testing.assert_allclose(again.predict(series, verbose=0), model.predict(series, verbose=0), atol=1e-6)


def test_an_image_size_above_the_shortest_window_is_lowered(keras, caplog):
    from biodl.models import build_gaf_fusion

    model = build_gaf_fusion((100, 1), 2, image_size=64, scales=[1, 4])
    assert model.get_layer("gramian_angular_field").image_size == 25
    assert "gaf_fusion.image_size 64 is longer than the shortest window of scales [1, 4] (25 points)" in caplog.text
    with pytest.raises(ValueError, match="one entry per block"):
        build_gaf_fusion((100, 1), 2, series_filters=[8], kernel_sizes=[3, 3])


def test_the_series_branch_can_be_the_resnet(keras):
    from biodl.models import build_gaf_fusion

    model = build_gaf_fusion((60, 1), 2, image_size=12, image_filters=4, residual_blocks=1, series_filters=[8, 16],
                             kernel_sizes=[5, 3], series_branch="resnet")
    assert model.get_layer("joined").output.shape[-1] == 4 + 16
    assert {"series_block1_shortcut", "series_block2_add"} <= {layer.name for layer in model.layers}
    with pytest.raises(ValueError, match="series_branch must be fcn or resnet"):
        build_gaf_fusion((60, 1), 2, series_branch="inception")
