"""1D CNNs: the DeepBind / Basset-style network on one-hot DNA (:func:`build_cnn1d`), the
fully convolutional network for raw time series (:func:`build_fcn`) built from it, and the
residual network for raw series (:func:`build_resnet1d`)."""

from __future__ import annotations

from collections.abc import Sequence

from biodl.models.heads import output_layer


def conv_blocks(
    h, filters: Sequence[int], kernel_sizes: Sequence[int], pool_sizes: Sequence[int], *, dropout: float = 0.0,
    batch_norm: bool = True, batch_norm_momentum: float = 0.99, regulariser=None, prefix: str = "",
):
    """Convolution blocks on ``(length, channels)`` tensors ``h``: per block a same-padded
    Conv1D, batch norm (or a bias), ReLU, max pooling when its pool size is above 1, and
    dropout when above 0. Layer names start with ``prefix``."""
    import keras

    for i, (n_filters, width, pool) in enumerate(zip(filters, kernel_sizes, pool_sizes)):
        name = f"{prefix}conv{i + 1}"
        h = keras.layers.Conv1D(n_filters, width, padding="same", kernel_regularizer=regulariser,
                                use_bias=not batch_norm, name=name)(h)
        if batch_norm:
            h = keras.layers.BatchNormalization(momentum=batch_norm_momentum, name=f"{name}_bn")(h)
        h = keras.layers.Activation("relu", name=f"{name}_relu")(h)
        if pool > 1:
            h = keras.layers.MaxPooling1D(pool, padding="same", name=f"{name}_pool")(h)
        if dropout:
            h = keras.layers.Dropout(dropout, name=f"{name}_dropout")(h)
    return h


def build_cnn1d(
    input_shape: tuple[int, int],
    n_outputs: int,
    task: str = "binary",
    filters: Sequence[int] = (64,),
    kernel_sizes: Sequence[int] = (19,),
    pool_sizes: Sequence[int] = (4,),
    global_pool: str = "max",
    dense_units: Sequence[int] = (64,),
    dropout: float = 0.2,
    batch_norm: bool = True,
    batch_norm_momentum: float = 0.99,
    l2: float = 0.0,
    name: str = "cnn1d",
):
    """Build conv -> pool blocks, a global pooling or flatten, dense layers and a task head.

    The defaults are the DNA model of the workflow (``sequences.<name>.model`` in the
    config repeats them).

    Parameters
    ----------
    input_shape
        ``(length, 4)`` of the one-hot input.
    n_outputs
        Units of the output layer (classes for multiclass, labels otherwise).
    task
        binary, multilabel (sigmoid), multiclass (softmax) or regression (linear).
    filters, kernel_sizes, pool_sizes
        One entry per convolution block; the first block's filters are the motif
        detectors that :mod:`biodl.interpret` reads.
    global_pool
        ``"max"`` (DeepBind: position-invariant), ``"avg"`` or ``"flatten"`` (Basset).
    dense_units, dropout, batch_norm, l2
        Fully connected layers and regularisation.
    batch_norm_momentum
        Of the running statistics; 0.9 for tiny training sets that give a few steps per
        epoch (see :func:`biodl.models.cnn2d.build_cnn2d`).
    name
        Name of the Keras model.

    Returns
    -------
    keras.Model
        Uncompiled; compile through :func:`biodl.training.fit`.
    """
    import keras

    if not (len(filters) == len(kernel_sizes) == len(pool_sizes)) or not filters:
        raise ValueError(
            "filters, kernel_sizes and pool_sizes need one entry per convolution block and "
            f"the same length; got {list(filters)}, {list(kernel_sizes)}, {list(pool_sizes)}"
        )
    if not 0 <= batch_norm_momentum < 1:
        raise ValueError(f"batch_norm_momentum must be in [0, 1), got {batch_norm_momentum}")
    if global_pool not in ("max", "avg", "flatten"):
        raise ValueError(f"global_pool must be max, avg or flatten, got {global_pool!r}")
    regulariser = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input(shape=tuple(input_shape), name="sequence")
    h = conv_blocks(inputs, filters, kernel_sizes, pool_sizes, dropout=dropout, batch_norm=batch_norm,
                    batch_norm_momentum=batch_norm_momentum, regulariser=regulariser)
    pooling = {
        "max": keras.layers.GlobalMaxPooling1D, "avg": keras.layers.GlobalAveragePooling1D,
        "flatten": keras.layers.Flatten,
    }[global_pool]
    h = pooling(name="global_pool")(h)
    for i, units in enumerate(dense_units):
        h = keras.layers.Dense(units, activation="relu", kernel_regularizer=regulariser,
                               name=f"dense{i + 1}")(h)
        if dropout:
            h = keras.layers.Dropout(dropout, name=f"dense{i + 1}_dropout")(h)
    outputs = output_layer(task, n_outputs)(h)
    return keras.Model(inputs, outputs, name=name)


def build_fcn(
    input_shape: tuple[int, int],
    n_outputs: int,
    task: str = "multiclass",
    filters: Sequence[int] = (128, 256, 128),
    kernel_sizes: Sequence[int] = (8, 5, 3),
    dropout: float = 0.0,
    batch_norm_momentum: float = 0.9,
):
    """The fully convolutional network of Wang et al. (2017) for raw ``(T, C)`` series:
    convolution blocks with batch norm and ReLU, no pooling, global average pooling, the
    task head. Built by :func:`build_cnn1d`.

    Parameters
    ----------
    filters, kernel_sizes
        One entry per convolution block (the paper's 128-256-128 filters of widths 8-5-3).
    dropout
        After each block (the paper has none).
    batch_norm_momentum
        0.9, so that the running statistics settle within the few steps per epoch that a
        small training set gives (Keras's 0.99 does not; see :func:`build_cnn2d`).
    """
    return build_cnn1d(
        input_shape, n_outputs, task, filters=filters, kernel_sizes=kernel_sizes, pool_sizes=(1,) * len(filters),
        global_pool="avg", dense_units=(), dropout=dropout, batch_norm=True,
        batch_norm_momentum=batch_norm_momentum, name="fcn",
    )


def residual_series_blocks(h, filters: Sequence[int], kernel_sizes: Sequence[int], batch_norm_momentum: float = 0.9,
                           prefix: str = ""):
    """Residual blocks on ``(length, channels)`` tensors (Wang et al. 2017; Fawaz et al.
    2019): per block of ``filters[b]`` channels, a same-padded Conv1D, batch norm and ReLU
    for each of ``kernel_sizes`` (no ReLU after the last), plus a shortcut (a 1 x 1
    convolution where the width changes), then ReLU."""
    import keras

    for b, n_filters in enumerate(filters):
        name = f"{prefix}block{b + 1}"
        shortcut = h
        for i, width in enumerate(kernel_sizes):
            h = keras.layers.Conv1D(n_filters, width, padding="same", use_bias=False, name=f"{name}_conv{i + 1}")(h)
            h = keras.layers.BatchNormalization(momentum=batch_norm_momentum, name=f"{name}_conv{i + 1}_bn")(h)
            if i < len(kernel_sizes) - 1:
                h = keras.layers.Activation("relu", name=f"{name}_conv{i + 1}_relu")(h)
        if shortcut.shape[-1] != n_filters:
            shortcut = keras.layers.Conv1D(n_filters, 1, use_bias=False, name=f"{name}_shortcut")(shortcut)
        shortcut = keras.layers.BatchNormalization(momentum=batch_norm_momentum, name=f"{name}_shortcut_bn")(shortcut)
        h = keras.layers.Activation("relu", name=f"{name}_relu")(keras.layers.Add(name=f"{name}_add")([h, shortcut]))
    return h


def build_resnet1d(
    input_shape: tuple[int, int],
    n_outputs: int,
    task: str = "multiclass",
    filters: Sequence[int] = (64, 128, 128),
    kernel_sizes: Sequence[int] = (8, 5, 3),
    dropout: float = 0.0,
    batch_norm_momentum: float = 0.9,
):
    """The residual network for raw ``(T, C)`` series of Wang et al. (2017), the best deep
    model of Fawaz et al.'s (2019) comparison on the UCR archive: three residual blocks of
    64, 128 and 128 filters, each three convolutions of widths 8, 5 and 3
    (:func:`residual_series_blocks`), global average pooling, the task head.

    Parameters
    ----------
    filters
        One entry per residual block.
    kernel_sizes
        The convolutions of every block.
    dropout
        Before the head (the paper has none).
    batch_norm_momentum
        0.9, as for :func:`build_fcn`.
    """
    import keras

    if not filters or not kernel_sizes:
        raise ValueError(f"need at least one block and one convolution; got filters {list(filters)}, "
                         f"kernel_sizes {list(kernel_sizes)}")
    if not 0 <= batch_norm_momentum < 1:
        raise ValueError(f"batch_norm_momentum must be in [0, 1), got {batch_norm_momentum}")
    inputs = keras.Input(shape=tuple(input_shape), name="series")
    h = residual_series_blocks(inputs, filters, kernel_sizes, batch_norm_momentum)
    h = keras.layers.GlobalAveragePooling1D(name="global_pool")(h)
    if dropout:
        h = keras.layers.Dropout(dropout, name="dropout")(h)
    return keras.Model(inputs, output_layer(task, n_outputs)(h), name="resnet1d")
