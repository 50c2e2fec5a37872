"""DeepLIFT (rescale rule) with dinucleotide-shuffled references, as DeepSHAP averages it,
for Keras 3 sequence CNNs.

The network is run on the input and on a reference side by side. Linear layers
(convolutions, batch normalisation at inference, dense layers, average pooling) pass
multipliers on as gradients do. At each ReLU the multiplier is the rescale rule's
``(relu(h) - relu(h_ref)) / (h - h_ref)``. At each max pooling window the output difference
lies between the input difference at the input side's winner and at the reference side's
winner; it is shared between those two inputs (multipliers in [0, 1]). The attributions
then sum to the difference of the output logit between input and reference, and
:func:`deeplift` reports how far they miss (the convergence delta: float32 rounding).

Hypothetical contributions (what each base would contribute at each position, the input
TF-MoDISco wants) come from the same multipliers: ``m[i, b] - sum_c m[i, c] ref[i, c]``
averaged over the references.

Supported: every :func:`biodl.models.build_cnn1d` model (a chain of ``Conv1D``,
``BatchNormalization``, ``Activation('relu')``, ``MaxPooling1D``, ``Dropout``, a global
pooling or ``Flatten``, ``Dense`` layers with ReLU or no activation, and the output layer,
explained before its activation), and BPNets (:func:`deeplift_profile`: residual dilated
convolutions, the profile and count heads).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from biodl.data.dna import dinucleotide_shuffles, one_hot_input
from biodl.models.layer_chain import chain_layers

N_REFERENCES = 10
"""Dinucleotide-shuffled references per sequence unless a caller says otherwise."""
_EPSILON = 1e-6


@dataclass
class DeepLiftResult:
    """DeepLIFT of one output on ``N`` sequences.

    Attributes
    ----------
    hypothetical
        ``(N, L, 4)`` hypothetical contributions, averaged over the references; the
        actual contributions are ``hypothetical * x``.
    delta
        ``(N, references)``: sum of the actual contributions minus the logit difference
        between the sequence and each reference (the convergence check; ideally 0).
    logit_difference
        ``(N, references)``: the logit of the sequence minus that of each reference.
    """

    hypothetical: np.ndarray
    delta: np.ndarray
    logit_difference: np.ndarray

    def convergence(self) -> dict[str, float]:
        """Summary of the deltas: mean and largest absolute delta, and the mean absolute
        logit difference they are to be read against."""
        return {"mean_abs_delta": float(np.abs(self.delta).mean()),
                "max_abs_delta": float(np.abs(self.delta).max()),
                "mean_abs_logit_difference": float(np.abs(self.logit_difference).mean())}


_SUPPORTED = {"Conv1D", "BatchNormalization", "Activation", "ReLU", "MaxPooling1D", "Dropout",
              "GlobalMaxPooling1D", "GlobalAveragePooling1D", "Flatten", "Dense"}


def _layer_steps(model) -> list:
    """The model's layers after the input, checked to be a supported chain."""

    layers = chain_layers(model)
    unsupported = [layer for layer in layers or [] if type(layer).__name__ not in _SUPPORTED]
    if layers is None or unsupported:
        found = f"has {type(unsupported[0]).__name__} {unsupported[0].name!r}" if unsupported else "branches"
        raise ValueError(f"deeplift supports chains of {sorted(_SUPPORTED)} (every build_cnn1d model); "
                         f"model {model.name!r} {found}")
    for layer in layers:
        name = type(layer).__name__
        allowed = {"Activation": ("relu",), "Conv1D": ("linear",), "Dense": ("relu", "linear")}.get(name)
        activation = getattr(getattr(layer, "activation", None), "__name__", None)
        if allowed and layer.name != "output" and activation not in allowed:
            raise ValueError(f"deeplift needs {name} layers with activation {' or '.join(allowed)}; "
                             f"{layer.name!r} has {activation}")
    if layers[-1].name != "output":
        raise ValueError(f"model {model.name!r} has no layer named 'output' to explain")
    return layers


def _explainer(model, index: int):
    """A tf.function ``(x, ref) -> (multipliers, logit(x), logit(ref))``."""
    import tensorflow as tf

    layers = _layer_steps(model)
    rescale_relu = _rescale_relu()

    def max_pool(h, h_ref, pool: int | None):
        """Max pooling (global when ``pool`` is None) whose multipliers share each window's
        output difference between the input side's winner and the reference side's."""
        if pool is None:
            pool = int(h.shape[1])
        length, channels = int(h.shape[1]), h.shape[-1]
        padded = -(-length // pool) * pool
        fill = [[0, 0], [0, padded - length], [0, 0]]

        def windows_of(values):
            return tf.reshape(tf.pad(values, fill, constant_values=-1e30), (-1, padded // pool, pool, channels))

        windows, windows_ref = windows_of(h), windows_of(h_ref)
        y, y_ref = tf.reduce_max(windows, axis=2), tf.reduce_max(windows_ref, axis=2)
        winner = tf.one_hot(tf.argmax(windows, axis=2), pool, axis=2, dtype=h.dtype)
        winner_ref = tf.one_hot(tf.argmax(windows_ref, axis=2), pool, axis=2, dtype=h.dtype)
        change = windows - windows_ref
        at_winner, at_winner_ref = tf.reduce_sum(winner * change, axis=2), tf.reduce_sum(winner_ref * change, axis=2)
        # y - y_ref lies between the change at the reference's winner and at the input's:
        # share it between the two so that the multipliers stay in [0, 1] and sum exactly
        gap = at_winner - at_winner_ref
        apart = tf.abs(gap) > _EPSILON
        share = tf.where(apart, (y - y_ref - at_winner_ref) / tf.where(apart, gap, 1.0), 1.0)
        weights = share[:, :, None, :] * winner + (1 - share[:, :, None, :]) * winner_ref

        @tf.custom_gradient
        def pooled(h):
            def gradient(dy):
                return tf.reshape(weights * dy[:, :, None, :], (-1, padded, channels))[:, :length]
            return tf.identity(y), gradient

        return pooled(h), y_ref

    def run(h, h_ref):
        for layer in layers:
            name = type(layer).__name__
            if name == "Dropout":
                continue
            if name in ("Activation", "ReLU"):
                h = rescale_relu(h, h_ref)
                h_ref = tf.nn.relu(h_ref)
            elif name in ("MaxPooling1D", "GlobalMaxPooling1D"):
                pool = int(layer.pool_size[0]) if name == "MaxPooling1D" else None
                h, h_ref = max_pool(h, h_ref, pool)
                if name == "GlobalMaxPooling1D":
                    h, h_ref = h[:, 0], h_ref[:, 0]
            elif name == "Dense":
                kernel, bias = tf.convert_to_tensor(layer.kernel), tf.convert_to_tensor(layer.bias)
                if layer.name == "output":
                    return tf.linalg.matvec(h, kernel[:, index]) + bias[index], \
                        tf.linalg.matvec(h_ref, kernel[:, index]) + bias[index]
                h, h_ref = tf.matmul(h, kernel) + bias, tf.matmul(h_ref, kernel) + bias
                if getattr(layer.activation, "__name__", "") == "relu":
                    h, h_ref = rescale_relu(h, h_ref), tf.nn.relu(h_ref)
            else:  # linear: Conv1D, BatchNormalization (inference), GlobalAveragePooling1D, Flatten
                h = tf.cast(layer(h, training=False), tf.float32)
                h_ref = tf.cast(layer(h_ref, training=False), tf.float32)
        raise AssertionError("the chain ends at the output layer")

    return _traced_explainer(model, run)


def _traced_explainer(model, run):
    """A tf.function ``(x, ref) -> (multipliers, value(x), value(ref))`` from ``run(x, ref)
    -> (value(x), value(ref))``, whose gradient carries DeepLIFT's multipliers."""
    import tensorflow as tf

    spec = tf.TensorSpec((None, *model.inputs[0].shape[1:]), tf.float32)

    @tf.function(input_signature=[spec, spec])
    def explain(x, ref):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value, value_ref = run(x, tf.stop_gradient(ref))
        return tape.gradient(value, x), value, value_ref

    return explain


_EXPLAINERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""model -> output -> its traced explainer, so that calls on few sequences (a variant's two
alleles) do not trace the network again."""


def _cached_explainer(model, index: int):
    per_model = _EXPLAINERS.setdefault(model, {})
    if index not in per_model:
        per_model[index] = _explainer(model, index)
    return per_model[index]


def deeplift(
    model, x: np.ndarray, output: int = 0, n_references: int = N_REFERENCES, seed: int = 1, batch_size: int = 1024,
) -> DeepLiftResult:
    """DeepLIFT-rescale hypothetical contributions of one output's logit, averaged over
    dinucleotide-shuffled references (DeepSHAP).

    Parameters
    ----------
    model
        A sequence CNN (see the module docstring for the layers supported).
    x
        ``(N, L, 4)`` one-hot sequences.
    output
        Column of the model output to explain.
    n_references, seed
        Shuffled references per sequence, and the seed of the shuffles.
    batch_size
        Sequence-reference pairs per call of the network.

    Returns
    -------
    DeepLiftResult
        Hypothetical contributions and the convergence deltas.
    """
    return _deeplift_with(_cached_explainer(model, output), x, n_references, seed, batch_size)


PROFILE_HEADS = ("profile", "count")
"""What :func:`deeplift_profile` explains of a BPNet: the profile (the softmax-weighted,
mean-normalised logits BPNet explains) or the count (the predicted log count)."""


def deeplift_profile(
    model, x: np.ndarray, head: str = "profile", track: int = 0, n_references: int = N_REFERENCES, seed: int = 1,
    batch_size: int = 256,
) -> DeepLiftResult:
    """DeepLIFT of a BPNet's (:func:`biodl.models.bpnet.build_bpnet`) heads, as BPNet and
    ChromBPNet explain them.

    Parameters
    ----------
    model
        A BPNet; for ChromBPNet's factorised model pass its BPNet without the bias
        (``model.get_layer(biodl.models.bpnet.NO_BIAS)``), as ChromBPNet does.
    x
        ``(N, L, 4)`` one-hot sequences.
    head
        ``count``: the predicted log count of ``track``. ``profile``: ``sum_i p_i (z_i -
        mean(z))`` over the positions ``i`` of ``track``'s logits ``z``, with ``p`` the
        predicted profile of the sequence itself (held fixed, so the target is linear in the
        logits and the contributions sum to its difference from each reference).
    track
        The track (profile column) explained.
    n_references, seed, batch_size
        As for :func:`deeplift`.
    """
    if head not in PROFILE_HEADS:
        raise ValueError(f"head must be one of {PROFILE_HEADS}, got {head!r}")
    per_model = _EXPLAINERS.setdefault(model, {})
    if (head, track) not in per_model:
        per_model[(head, track)] = _bpnet_explainer(model, head, track)
    return _deeplift_with(per_model[(head, track)], x, n_references, seed, batch_size)


def _rescale_relu():
    """ReLU whose gradient is DeepLIFT's rescale multiplier between an input and its reference."""
    import tensorflow as tf

    @tf.custom_gradient
    def rescale_relu(h, h_ref):
        y, y_ref = tf.nn.relu(h), tf.nn.relu(h_ref)
        dh = h - h_ref
        apart = tf.abs(dh) > _EPSILON
        slope = tf.where(apart, (y - y_ref) / tf.where(apart, dh, 1.0), tf.cast(h > 0, h.dtype))
        return y, lambda dy: (dy * slope, tf.zeros_like(h_ref))

    return rescale_relu


def _bpnet_explainer(model, head: str, track: int):
    """A tf.function ``(x, ref) -> (multipliers, target(x), target(ref))`` over a BPNet's
    layers: its ReLU convolutions with the rescale rule, the residual sums and crops, and
    the linear heads."""
    import tensorflow as tf

    rescale_relu = _rescale_relu()
    names = [layer.name for layer in model.layers]
    if "conv_first" not in names or "profile_conv" not in names:
        raise ValueError(f"deeplift_profile explains BPNets (biodl.models.bpnet.build_bpnet); model {model.name!r} "
                         f"has layers {names[:6]}... (for a factorised model, pass model.get_layer('bpnet_nobias'))")
    dilated = [model.get_layer(name) for name in names if name.startswith("conv_dilated")]
    output_length = int(model.get_layer("profile").output.shape[1])

    def linear(layer, h):
        return layer.convolution_op(h, layer.kernel) + layer.bias

    def crop(h, length):
        trim = int(h.shape[1]) - length
        return h[:, trim // 2: trim // 2 + length]

    def run(x, ref):
        first = model.get_layer("conv_first")
        h_x, h_r = linear(first, x), linear(first, ref)
        h, h_ref = rescale_relu(h_x, h_r), tf.nn.relu(h_r)
        for layer in dilated:
            y_x, y_r = linear(layer, h), linear(layer, h_ref)
            y, y_ref = rescale_relu(y_x, y_r), tf.nn.relu(y_r)
            h, h_ref = crop(h, int(y.shape[1])) + y, crop(h_ref, int(y.shape[1])) + y_ref
        if head == "count":
            dense = model.get_layer("log_count")
            kernel, bias = tf.convert_to_tensor(dense.kernel)[:, track], tf.convert_to_tensor(dense.bias)[track]
            return (tf.linalg.matvec(tf.reduce_mean(h, axis=1), kernel) + bias,
                    tf.linalg.matvec(tf.reduce_mean(h_ref, axis=1), kernel) + bias)
        conv = model.get_layer("profile_conv")
        logits = crop(linear(conv, h), output_length)[:, :, track]
        logits_ref = crop(linear(conv, h_ref), output_length)[:, :, track]
        weights = tf.stop_gradient(tf.nn.softmax(logits, axis=1))

        def target(z):
            return tf.reduce_sum(weights * (z - tf.reduce_mean(z, axis=1, keepdims=True)), axis=1)

        return target(logits), target(logits_ref)

    return _traced_explainer(model, run)


def _deeplift_with(explain, x: np.ndarray, n_references: int, seed: int, batch_size: int) -> DeepLiftResult:
    """Run a traced explainer over ``x`` and dinucleotide shuffles of it (DeepSHAP)."""
    if n_references < 1:
        raise ValueError(f"n_references must be at least 1, got {n_references}")
    x = one_hot_input(x)
    rng = np.random.default_rng(seed)
    n, length, _ = x.shape
    hypothetical = np.zeros_like(x)
    delta = np.zeros((n, n_references), dtype=np.float32)
    difference = np.zeros((n, n_references), dtype=np.float32)
    per_batch = max(1, batch_size // n_references)
    for start in range(0, n, per_batch):
        seqs = x[start:start + per_batch]
        refs = dinucleotide_shuffles(seqs, n_references, rng).reshape(-1, length, 4)
        repeated = np.repeat(seqs, n_references, axis=0)
        multipliers, logit, logit_ref = (np.asarray(v) for v in explain(repeated, refs))
        contributions = (multipliers * (repeated - refs)).sum(axis=(1, 2))
        hyp = multipliers - (multipliers * refs).sum(axis=2, keepdims=True)
        shape = (len(seqs), n_references)
        hypothetical[start:start + len(seqs)] = hyp.reshape(*shape, length, 4).mean(axis=1)
        difference[start:start + len(seqs)] = (logit - logit_ref).reshape(shape)
        delta[start:start + len(seqs)] = contributions.reshape(shape) - difference[start:start + len(seqs)]
    return DeepLiftResult(hypothetical, delta, difference)
