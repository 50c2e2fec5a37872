"""A two-branch network for time series: the GAF images and the raw series, joined before
the head."""

from __future__ import annotations

from collections.abc import Sequence

from biodl.data.gaf_images import DEFAULT_IMAGE_SIZE, DEFAULT_SCALES, GAF_ENCODINGS
from biodl.models.cnn1d import conv_blocks, residual_series_blocks
from biodl.models.cnn2d import gaf_layer, residual_features
from biodl.models.heads import output_layer


def build_gaf_fusion(
    input_shape: tuple[int, int],
    n_outputs: int,
    task: str = "multiclass",
    image_size: int = DEFAULT_IMAGE_SIZE,
    encodings: Sequence[str] = GAF_ENCODINGS,
    scales: Sequence[int] = DEFAULT_SCALES,
    image_filters: int = 32,
    residual_blocks: int = 3,
    series_filters: Sequence[int] = (128, 256, 128),
    kernel_sizes: Sequence[int] = (8, 5, 3),
    series_branch: str = "fcn",
    dropout: float = 0.5,
    batch_norm_momentum: float = 0.9,
):
    """Raw ``(T, C)`` series -> two branches -> one head.

    The image branch computes the series' Gramian angular fields inside the model
    (:func:`biodl.models.cnn2d.gaf_layer`) and runs the GAF CNN's residual body on them
    (:func:`biodl.models.cnn2d.residual_features`); the series branch is the FCN's
    convolution blocks (:func:`biodl.models.build_fcn`) or the 1D ResNet's residual blocks
    (:func:`biodl.models.build_resnet1d`), with global average pooling. The
    two pooled feature vectors are concatenated, dropped out and fed to the task head, so
    the network can use the images' pairwise structure and the series' local shapes
    together.

    Parameters
    ----------
    input_shape
        ``(T, C)`` of the series.
    n_outputs, task
        Output units and head (:func:`biodl.models.heads.output_layer`).
    image_size, encodings, scales
        The images (:func:`biodl.data.gaf_images.gaf_tensorflow`); an image size above the shortest
        window is lowered to it (logged).
    image_filters, residual_blocks
        Width of the first residual block and the number of blocks (the GAF CNN's
        ``filters[0]`` and ``residual_blocks``).
    series_filters, kernel_sizes
        The series branch: the FCN's convolution blocks (its 128-256-128 of widths 8-5-3,
        one entry each), or with ``series_branch="resnet"`` one residual block per filter
        count, each with a convolution per kernel size (the ResNet's are 64-128-128).
    series_branch
        ``fcn`` or ``resnet``.
    dropout
        On the joined features.
    batch_norm_momentum
        Of every batch norm in both branches (0.9: see :func:`biodl.models.build_cnn2d`).
    """
    import keras

    if series_branch not in ("fcn", "resnet"):
        raise ValueError(f"series_branch must be fcn or resnet, got {series_branch!r}")
    if (series_branch == "fcn" and len(series_filters) != len(kernel_sizes)) or not series_filters:
        raise ValueError(f"series_filters and kernel_sizes need one entry per block, got {list(series_filters)} "
                         f"and {list(kernel_sizes)}")
    if not 0 <= batch_norm_momentum < 1:
        raise ValueError(f"batch_norm_momentum must be in [0, 1), got {batch_norm_momentum}")
    inputs = keras.Input(shape=tuple(input_shape), name="series")
    images = gaf_layer(int(input_shape[0]), {"image_size": image_size, "encodings": list(encodings),
                                             "scales": list(scales)}, "gaf_fusion.image_size")(inputs)
    image_features = residual_features(images, image_filters, residual_blocks, batch_norm_momentum, prefix="image_")
    if series_branch == "resnet":
        h = residual_series_blocks(inputs, series_filters, kernel_sizes, batch_norm_momentum, prefix="series_")
    else:
        h = conv_blocks(inputs, series_filters, kernel_sizes, (1,) * len(series_filters),
                        batch_norm_momentum=batch_norm_momentum, prefix="series_")
    series_features = keras.layers.GlobalAveragePooling1D(name="series_global_pool")(h)
    h = keras.layers.Concatenate(name="joined")([image_features, series_features])
    h = keras.layers.Dropout(dropout, name="dropout")(h)
    return keras.Model(inputs, output_layer(task, n_outputs)(h), name="gaf_fusion")
