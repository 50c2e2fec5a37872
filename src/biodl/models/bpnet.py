"""BPNet: base-resolution profile models of DNA (Avsec et al. 2021), in the geometry
ChromBPNet uses: a wide first convolution, a stack of dilated residual convolutions
(dilation doubling per layer), a profile head of per-base logits for each track and a
log-count head (:func:`build_bpnet`); their loss (:func:`multinomial_nll` for the profile,
mean squared error of ``log(1 + total count)`` weighted by :func:`count_loss_weight`); and
ChromBPNet's factorisation (:func:`build_chrombpnet`): a BPNet beside a frozen model of the
enzyme's sequence preference, their profile logits and counts added."""

from __future__ import annotations

import numpy as np

PROFILE = "profile"
"""The profile output: per-base logits ``(N, output_length, tracks)``; the predicted profile
is their softmax over positions, per track."""
LOG_COUNT = "log_count"
"""The count output: predicted ``log(1 + total count)`` of each track ``(N, tracks)``."""


def receptive_length(first_kernel: int = 21, n_dilated: int = 8, dilated_kernel: int = 3,
                     profile_kernel: int = 75) -> int:
    """Input bases that one output base of :func:`build_bpnet` sees: the input is longer than
    the output by this minus one (ChromBPNet's defaults: 1,115, so 2,114 bp in, 1,000 out)."""
    dilated = sum((dilated_kernel - 1) * 2**i for i in range(1, n_dilated + 1))
    return first_kernel + dilated + profile_kernel - 1


def build_bpnet(
    input_length: int = 2114,
    output_length: int = 1000,
    n_tracks: int = 1,
    filters: int = 64,
    first_kernel: int = 21,
    n_dilated: int = 8,
    dilated_kernel: int = 3,
    profile_kernel: int = 75,
    name: str = "bpnet",
):
    """Build a BPNet: one-hot DNA in, per-base profile logits and total log counts out.

    Every convolution is unpadded ("valid"), so no output base sees padding: the residual
    input of each dilated layer is cropped to the layer's output, the profile head is
    cropped to the central ``output_length`` bases, and the count head averages the last
    layer over its whole length (ChromBPNet's design).

    Parameters
    ----------
    input_length, output_length
        Bases read and predicted (centred). ``input_length`` must be at least
        ``output_length + receptive_length(...) - 1``.
    n_tracks
        Profiles predicted per window (tracks, strands of stranded tracks).
    filters
        Channels of every convolution (BPNet: 64; ChromBPNet: 512, for GPUs).
    first_kernel, n_dilated, dilated_kernel, profile_kernel
        Width of the first convolution; dilated layers (dilation 2, 4, ..., ``2**n_dilated``)
        and their width; width of the profile head's convolution.
    name
        Model name.

    Returns
    -------
    keras.Model
        Input ``(input_length, 4)``; outputs :data:`PROFILE` ``(output_length, n_tracks)``
        logits and :data:`LOG_COUNT` ``(n_tracks,)``.

    Raises
    ------
    ValueError
        If ``input_length`` is too short for the receptive field, naming the length needed.
    """
    import keras

    needed = output_length + receptive_length(first_kernel, n_dilated, dilated_kernel, profile_kernel) - 1
    if output_length < 1 or input_length < needed:
        raise ValueError(f"a BPNet with these layers needs input_length >= output_length + {needed - output_length} "
                         f"= {needed} for output_length {output_length}; got input_length {input_length} (fewer "
                         "dilated layers or narrower kernels shorten it)")
    inputs = keras.Input((input_length, 4), name="sequence")
    h = keras.layers.Conv1D(filters, first_kernel, activation="relu", name="conv_first")(inputs)
    for i in range(1, n_dilated + 1):
        conv = keras.layers.Conv1D(filters, dilated_kernel, dilation_rate=2**i, activation="relu",
                                   name=f"conv_dilated{i}")(h)
        trim = (dilated_kernel - 1) * 2**i
        h = keras.layers.Add(name=f"residual{i}")([keras.layers.Cropping1D((trim // 2, trim - trim // 2))(h), conv])
    profile = keras.layers.Conv1D(n_tracks, profile_kernel, name="profile_conv")(h)
    extra = input_length - needed
    profile = keras.layers.Cropping1D((extra // 2, extra - extra // 2), name=PROFILE)(profile)
    pooled = keras.layers.GlobalAveragePooling1D(name="pool")(h)
    log_count = keras.layers.Dense(n_tracks, name=LOG_COUNT)(pooled)
    return keras.Model(inputs, {PROFILE: profile, LOG_COUNT: log_count}, name=name)


NO_BIAS = "bpnet_nobias"
"""The name of the main BPNet inside a factorised model: ``model.get_layer(NO_BIAS)`` is the
model of the sequence features that are not the enzyme's preference."""
BIAS = "bias"
"""The name of the frozen bias model inside a factorised model."""
BIAS_MODEL = {"filters": 32, "n_dilated": 4}
"""The bias model's settings beside :func:`build_bpnet`'s defaults: few dilated layers, so its
receptive field (155 bp) covers the enzyme's preference but not the arrangement of motifs."""


def build_chrombpnet(bias_model, input_length: int = 2114, output_length: int = 1000, n_tracks: int = 1,
                     name: str = "chrombpnet", main=None, **bpnet):
    """ChromBPNet's factorised model: a BPNet (:func:`build_bpnet` with ``bpnet`` settings,
    named :data:`NO_BIAS`) and ``bias_model``, frozen, read the same input; the profile
    logits are added and the counts summed (``log(exp(a) + exp(b))``), so the BPNet learns
    what the enzyme's preference does not explain.

    Parameters
    ----------
    bias_model
        A trained BPNet of the same input, output and tracks (e.g. trained on background
        windows only, and named :data:`BIAS`); it is frozen here.
    input_length, output_length, n_tracks, name
        As for :func:`build_bpnet`.
    main
        The main BPNet, already built for these lengths and tracks (e.g. by
        :func:`pretrained_bpnet`); ``None``: a new one with the ``bpnet`` settings.
    bpnet
        Further settings of a new main BPNet.

    Raises
    ------
    ValueError
        If the bias model reads or predicts other shapes.
    """
    import keras

    from biodl.models.profile_layers import AddedLogCounts

    expected = ((None, input_length, 4), (None, output_length, n_tracks))
    given = (tuple(bias_model.input_shape), tuple(bias_model.get_layer(PROFILE).output.shape))
    if given != expected:
        raise ValueError(f"the bias model reads {given[0][1:]} and predicts profiles {given[1][1:]}; this model "
                         f"needs {expected[0][1:]} and {expected[1][1:]}: train the bias model on the same windows")
    bias_model.trainable = False
    inputs = keras.Input((input_length, 4), name="sequence")
    if main is None:
        main = build_bpnet(input_length, output_length, n_tracks, name=NO_BIAS, **bpnet)
    elif main.name != NO_BIAS:
        raise ValueError(f"the main BPNet of a factorised model is named {NO_BIAS!r}, not {main.name!r}")
    predicted, bias = main(inputs), bias_model(inputs)
    profile = keras.layers.Add(name=PROFILE)([predicted[PROFILE], bias[PROFILE]])
    log_count = AddedLogCounts(name=LOG_COUNT)([predicted[LOG_COUNT], bias[LOG_COUNT]])
    return keras.Model(inputs, {PROFILE: profile, LOG_COUNT: log_count}, name=name)


def bpnet_settings(model) -> dict:
    """The :func:`build_bpnet` settings (widths, kernels, depth) a built BPNet has."""
    first, profile = model.get_layer("conv_first"), model.get_layer("profile_conv")
    dilated = [layer for layer in model.layers if layer.name.startswith("conv_dilated")]
    return {"filters": first.filters, "first_kernel": first.kernel_size[0], "n_dilated": len(dilated),
            "dilated_kernel": dilated[0].kernel_size[0] if dilated else 3, "profile_kernel": profile.kernel_size[0]}


def pretrained_bpnet(pretrained, input_length: int, output_length: int, n_tracks: int, source: str = "the model",
                     name: str = "bpnet"):
    """A BPNet for new windows and tracks that starts from a trained one (transfer learning).

    The network is built anew with the pretrained one's widths, kernels and depth for
    ``input_length``, ``output_length`` and ``n_tracks`` (every convolution is unpadded and
    the count head averages over positions, so no weight depends on the lengths), and
    every weight is copied; the heads too when the number of tracks is the same, otherwise
    they start afresh.

    Parameters
    ----------
    pretrained
        A BPNet from :func:`build_bpnet`, or a factorised model (:func:`build_chrombpnet`),
        whose main BPNet is taken (its bias model is left behind).
    input_length, output_length, n_tracks
        Of the new windows.
    source
        Names the pretrained model in messages (its file).
    name
        The new model's name (:data:`NO_BIAS` for the main model of a factorised one).

    Returns
    -------
    model, body
        The new BPNet and its layers below the heads (what feature extraction freezes).

    Raises
    ------
    ValueError
        If ``pretrained`` is not a BPNet, or the new input is too short for its layers.
    """
    if NO_BIAS in [layer.name for layer in pretrained.layers]:
        pretrained = pretrained.get_layer(NO_BIAS)
    names = {layer.name for layer in pretrained.layers}
    if not {"conv_first", "profile_conv", LOG_COUNT} <= names:
        raise ValueError(f"{source} is not a BPNet (no layers conv_first, profile_conv, log_count): a profile model "
                         "starts from a profile model biodl trained")
    model = build_bpnet(input_length, output_length, n_tracks, name=name, **bpnet_settings(pretrained))
    heads = {"profile_conv", LOG_COUNT}
    body = [layer for layer in model.layers if layer.name.startswith("conv_")]
    same_tracks = pretrained.get_layer(LOG_COUNT).units == n_tracks
    for layer in body + ([model.get_layer(name) for name in heads] if same_tracks else []):
        layer.set_weights(pretrained.get_layer(layer.name).get_weights())
    return model, body


def multinomial_nll(counts, logits):
    """Negative log-likelihood of the observed ``counts`` ``(N, length, tracks)`` under a
    multinomial over positions with probabilities ``softmax(logits)`` per track, given their
    total; summed over tracks, one value per window. Windows without counts contribute 0."""
    import tensorflow as tf

    counts = tf.cast(counts, tf.float32)
    log_probabilities = tf.nn.log_softmax(tf.cast(logits, tf.float32), axis=1)
    total = tf.reduce_sum(counts, axis=1)
    log_likelihood = (tf.math.lgamma(total + 1) - tf.reduce_sum(tf.math.lgamma(counts + 1), axis=1)
                      + tf.reduce_sum(counts * log_probabilities, axis=1))
    return -tf.reduce_sum(log_likelihood, axis=-1)


def count_loss_weight(totals: np.ndarray) -> float:
    """The weight of the count loss: the median total count of the training peak windows
    over 10 (ChromBPNet's rule; BPNet's reasoning: the profile loss grows with the counts,
    the count loss does not), at least 1."""
    totals = np.asarray(totals, dtype=float)
    return max(float(np.median(totals)) / 10, 1.0) if totals.size else 1.0
