"""2D CNNs on image-encoded time series (Gramian angular fields)."""

from __future__ import annotations

from collections.abc import Mapping

from biodl.data.gaf_images import DEFAULT_IMAGE_SIZE, DEFAULT_SCALES, image_size_for
from biodl.models.heads import output_layer


def gaf_layer(length: int, images: Mapping, setting: str):
    """The :class:`biodl.models.gaf_layers.GramianAngularField` layer of ``images``
    (``{image_size, encodings, scales}``, each optional) for ``length``-point series; an
    image size above the shortest window is lowered to it (logged, naming ``setting``)."""
    from biodl.models.gaf_layers import GramianAngularField

    scales = images.get("scales") or DEFAULT_SCALES
    image_size = image_size_for(length, images.get("image_size") or DEFAULT_IMAGE_SIZE, scales, setting)
    return GramianAngularField(**{**images, "image_size": image_size, "scales": scales},
                               name="gramian_angular_field")


def residual_features(h, width: int, blocks: int, batch_norm_momentum: float, prefix: str = ""):
    """The residual network's body on images ``h``: a stem convolution, ``blocks`` blocks of
    two 3x3 convolutions with batch norm and an identity (or 1x1 projection) shortcut,
    doubling ``width`` and halving size from the second block, then global average
    pooling. Layer names start with ``prefix``."""
    import keras

    h = keras.layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"{prefix}stem")(h)
    h = keras.layers.BatchNormalization(momentum=batch_norm_momentum, name=f"{prefix}stem_bn")(h)
    h = keras.layers.Activation("relu", name=f"{prefix}stem_relu")(h)
    for block in range(blocks):
        stride = 1 if block == 0 else 2
        filters = width * 2 ** block
        name = f"{prefix}block{block}"
        shortcut = h
        h = keras.layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False, name=f"{name}_conv1")(h)
        h = keras.layers.BatchNormalization(momentum=batch_norm_momentum, name=f"{name}_bn1")(h)
        h = keras.layers.Activation("relu", name=f"{name}_relu1")(h)
        h = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv2")(h)
        h = keras.layers.BatchNormalization(momentum=batch_norm_momentum, name=f"{name}_bn2")(h)
        if stride != 1 or shortcut.shape[-1] != filters:
            shortcut = keras.layers.Conv2D(filters, 1, strides=stride, use_bias=False, name=f"{name}_project")(shortcut)
        h = keras.layers.Activation("relu", name=f"{name}_out")(keras.layers.Add(name=f"{name}_add")([h, shortcut]))
    return keras.layers.GlobalAveragePooling2D(name=f"{prefix}global_pool")(h)


def build_cnn2d(
    input_shape: tuple[int, int, int],
    n_outputs: int,
    task: str = "multiclass",
    architecture: str = "resnet",
    filters: tuple[int, int] = (32, 64),
    dense_units: int = 128,
    pool_size: int = 4,
    dropout: float = 0.5,
    residual_blocks: int = 3,
    batch_norm_momentum: float = 0.9,
    gaf_on_the_fly: dict | None = None,
):
    """Build a small residual (default) or LeNet-style 2D CNN.

    The defaults are the workflow's GAF CNN (``timeseries.<name>.gaf_cnn`` in the config
    repeats them).

    Parameters
    ----------
    input_shape
        ``(height, width, channels)`` of the images.
    n_outputs, task
        Output units and head (see :func:`biodl.models.heads.output_layer`).
    architecture
        ``"lenet"``: Conv(filters[0]) -> Conv(filters[1]) -> max-pool(pool_size) -> dropout ->
        dense(dense_units) -> dropout -> output. ``"resnet"``: a stem convolution, then
        ``residual_blocks`` blocks of two 3x3 convolutions with batch norm and an identity
        (or 1x1 projection) shortcut, doubling filters and halving size from the second
        block, global average pooling, dropout, output. ``dense_units`` and
        ``pool_size`` are LeNet's only, ``residual_blocks`` and ``batch_norm_momentum`` the
        residual network's.
    batch_norm_momentum
        Of the residual network's running statistics. Keras's 0.99 needs hundreds of steps to
        forget its initial values, and a 50-series training set gives 3 steps per epoch: at
        0.99 the network scores 0.73 in cross-validation on GunPoint's training series,
        at 0.9 it scores 0.99.
    gaf_on_the_fly
        ``{"image_size": S, "encodings": [...], "scales": [...]}`` to take raw ``(T, C)``
        series as input and compute the images inside the model (:func:`gaf_layer`)
        instead of reading stored ones; ``input_shape`` is then the series shape.
    """
    import keras

    if architecture not in ("lenet", "resnet"):
        raise ValueError(f"architecture must be lenet or resnet, got {architecture!r}")
    if not 0 <= batch_norm_momentum < 1:
        raise ValueError(f"batch_norm_momentum must be in [0, 1), got {batch_norm_momentum}")
    if gaf_on_the_fly:
        inputs = keras.Input(shape=tuple(input_shape), name="series")
        images = gaf_layer(int(input_shape[0]), gaf_on_the_fly, "gaf_cnn.gaf_on_the_fly.image_size")(inputs)
    else:
        inputs = images = keras.Input(shape=tuple(input_shape), name="image")
    h = images
    if architecture == "lenet":
        h = keras.layers.Conv2D(filters[0], 3, activation="relu", name="conv1")(h)
        h = keras.layers.Conv2D(filters[1], 3, activation="relu", name="conv2")(h)
        h = keras.layers.MaxPooling2D(pool_size, name="pool")(h)
        h = keras.layers.Dropout(dropout, name="conv_dropout")(h)
        h = keras.layers.Flatten(name="flatten")(h)
        h = keras.layers.Dense(dense_units, activation="relu", name="dense1")(h)
        h = keras.layers.Dropout(dropout, name="dense_dropout")(h)
    else:
        h = residual_features(h, filters[0], residual_blocks, batch_norm_momentum)
        h = keras.layers.Dropout(dropout, name="dropout")(h)
    return keras.Model(inputs, output_layer(task, n_outputs)(h), name=f"cnn2d_{architecture}")
