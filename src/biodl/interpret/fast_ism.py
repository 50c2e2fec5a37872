"""Fast in-silico mutagenesis for convolutional sequence models (Keras 3).

A substitution at position ``p`` changes the first convolution's output only within its
kernel's reach of ``p``, the next layers only within theirs, and so on up to the global
pooling. :func:`fast_ism` therefore runs the convolution blocks on a short window around
each substitution, taking everything outside the window from the reference sequence's
activations, and finishes the global pooling from precomputed reference summaries
(prefix and suffix maxima, sums, or the first dense layer's pre-activation). The layers
after the pooling run as usual. The result equals plain ISM up to float32 rounding; the
work per mutant shrinks by about the sequence length over the window length.

Supported: a chain of ``Conv1D`` (stride 1, no dilation, ``same`` or ``valid``),
``BatchNormalization``, ``Activation`` / ``ReLU``, ``MaxPooling1D`` (stride = pool size)
and ``Dropout`` layers, then ``GlobalMaxPooling1D``, ``GlobalAveragePooling1D`` or
``Flatten`` (followed by a ``Dense``), then ``Dense`` and ``Dropout`` up to the output
layer: every :func:`biodl.models.build_cnn1d` model. :func:`plan` returns ``None`` for
other models, and callers fall back to plain ISM.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from biodl.models.layer_chain import chain_layers
from biodl.training import predict

_ELEMENTWISE = ("BatchNormalization", "Activation", "ReLU", "Dropout")

SEQUENCE_CHUNK = 512
""":func:`fast_ism` keeps the reference activations of this many sequences at a time."""


@dataclass(frozen=True)
class _Step:
    """One local layer: its geometry on the position axis."""

    layer: object
    kind: str  # conv, pool or elementwise
    length_in: int
    length_out: int
    pad_left: int = 0
    width: int = 1  # kernel or pool size (= stride for pools)

    def affected(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Output positions that inputs ``[lo, hi]`` can change (unclipped)."""
        if self.kind == "conv":
            return lo - self.width + 1 + self.pad_left, hi + self.pad_left
        if self.kind == "pool":
            return (lo + self.pad_left) // self.width, (hi + self.pad_left) // self.width
        return lo, hi

    def needed(self, start: int, size: int) -> tuple[int, int]:
        """Input window ``(start, size)`` that output window ``(start, size)`` reads."""
        if self.kind == "conv":
            return start - self.pad_left, size + self.width - 1
        if self.kind == "pool":
            return start * self.width - self.pad_left, size * self.width
        return start, size


@dataclass
class Plan:
    """How :func:`fast_ism` runs a model: the local steps and their windows, the pooling,
    the tail, and the compiled pass over a batch of mutant windows."""

    local_model: object  # input -> last local activations (the reference)
    steps: list[_Step]
    pooling: str  # max, avg or flatten
    tail: list  # layers after the pooling, up to (not including) the output layer
    head: object  # the output layer

    @cached_property
    def windows(self) -> list[tuple[int, int]]:
        """Per step, its input window: offset (to ``scale * J``) and size."""
        return _windows(self.steps, self.span)

    @cached_property
    def span(self) -> int:
        """Size of the last step's output window: every output one substitution changes."""
        return _span(self.steps)

    @cached_property
    def scale(self) -> list[int]:
        """Per step, the product of the pool sizes from it on."""
        return [int(np.prod([s.width for s in self.steps[i:] if s.kind == "pool"])) for i in range(len(self.steps))]

    @cached_property
    def window_logits(self):
        return _window_function(self)


_PLANS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def plan(model) -> Plan | None:
    """The fast-ISM plan of ``model``, or ``None`` when its layers are not a supported chain
    (made once per model and kept while the model lives)."""
    if model not in _PLANS:
        _PLANS[model] = _make_plan(model)
    return _PLANS[model]


def _make_plan(model) -> Plan | None:
    import keras

    layers = chain_layers(model)
    if layers is None:
        return None
    steps, length = [], int(model.inputs[0].shape[1])
    index = 0
    for index, layer in enumerate(layers):
        name = type(layer).__name__
        if name == "Conv1D":
            if layer.strides != (1,) or layer.dilation_rate != (1,) or layer.padding not in ("same", "valid") \
                    or layer.groups != 1:
                return None
            width = int(layer.kernel_size[0])
            same = layer.padding == "same"
            out = length if same else length - width + 1
            steps.append(_Step(layer, "conv", length, out, (width - 1) // 2 if same else 0, width))
        elif name == "MaxPooling1D":
            size = int(layer.pool_size[0])
            if int(layer.strides[0]) != size or layer.padding not in ("same", "valid"):
                return None
            out = -(-length // size) if layer.padding == "same" else (length - size) // size + 1
            pad = max((out - 1) * size + size - length, 0) // 2 if layer.padding == "same" else 0
            steps.append(_Step(layer, "pool", length, out, pad, size))
        elif name in _ELEMENTWISE:
            steps.append(_Step(layer, "elementwise", length, length))
        else:
            break
        length = steps[-1].length_out
    pooling = {"GlobalMaxPooling1D": "max", "GlobalAveragePooling1D": "avg", "Flatten": "flatten"}.get(
        type(layers[index]).__name__)
    if pooling is None or not steps or steps[0].kind != "conv":
        return None
    tail = layers[index + 1:]
    if not tail or tail[-1].name != "output" or type(tail[-1]).__name__ != "Dense":
        return None
    if any(type(layer).__name__ not in ("Dense", "Dropout") for layer in tail[:-1]):
        return None
    if pooling == "flatten" and type(tail[0]).__name__ != "Dense":
        return None
    return Plan(keras.Model(model.inputs, layers[index - 1].output), steps, pooling, tail[:-1], tail[-1])


def _span(steps: list[_Step]) -> int:
    """The most outputs of the last step that one substitution changes, wherever it is (the
    pools make it depend on the position modulo their sizes)."""
    positions = np.arange(int(np.prod([s.width for s in steps if s.kind == "pool"])))
    lo, hi = positions, positions
    for step in steps:
        lo, hi = step.affected(lo, hi)
    return int((hi - lo).max()) + 1


def _windows(steps: list[_Step], span: int) -> list[tuple[int, int]]:
    """Per step, the input window ``(offset, size)`` that the last step's output window of
    ``span`` read: it starts at ``scale * J + offset`` for a last window starting at ``J``."""
    windows, start, size = [], 0, span
    for step in reversed(steps):
        start, size = step.needed(start, size)
        windows.append((start, size))
    return windows[::-1]


def fast_ism(model, x: np.ndarray, output: int = 0, batch_size: int = 1024, ism_plan: Plan | None = None):
    """Change in the output's logit for every single-base substitution (see
    :func:`biodl.interpret.attribution.ism`), computed window by window.

    Parameters
    ----------
    model
        A supported model (:func:`plan`).
    x
        ``(N, L, 4)`` float32 one-hot sequences.
    output
        Index of the explained output.
    batch_size
        Mutants per forward pass.

    Returns
    -------
    numpy.ndarray
        ``(N, L, 4)``: 0 at the reference base.

    Raises
    ------
    ValueError
        If the model is not supported.
    """
    import tensorflow as tf


    ism_plan = ism_plan or plan(model)
    if ism_plan is None:
        raise ValueError(f"model {model.name!r} is not a chain of convolution blocks that fast ISM supports")
    if len(x) > SEQUENCE_CHUNK:  # the reference activations of a chunk at a time
        return np.concatenate([fast_ism(model, x[i:i + SEQUENCE_CHUNK], output, batch_size, ism_plan)
                               for i in range(0, len(x), SEQUENCE_CHUNK)])
    steps, windows, span, scale = ism_plan.steps, ism_plan.windows, ism_plan.span, ism_plan.scale
    n, length, _ = x.shape
    reference_local = predict(ism_plan.local_model, x)
    summary = _reference_summary(ism_plan, reference_local)
    kernel = tf.convert_to_tensor(ism_plan.head.kernel)[:, output]
    bias = tf.convert_to_tensor(ism_plan.head.bias)[output] if ism_plan.head.use_bias else tf.constant(0.0)
    margin = length + windows[0][1] + abs(windows[0][0]) + scale[0] * span  # every window stays inside
    padded = np.pad(x, ((0, 0), (margin, margin), (0, 0)))

    reference = _after_pooling(ism_plan, tf.constant(summary.pooled), kernel, bias).numpy()
    result = np.zeros((n, length, 4), dtype=np.float32)
    seq, pos, base = np.nonzero(x == 0)
    first_positions = _first_affected(steps, pos)
    offsets0 = scale[0] * first_positions + windows[0][0]
    for begin in range(0, len(seq), batch_size):
        s, p, b = seq[begin:begin + batch_size], pos[begin:begin + batch_size], base[begin:begin + batch_size]
        first, start = first_positions[begin:begin + batch_size], offsets0[begin:begin + batch_size]
        index = start[:, None] + np.arange(windows[0][1])[None, :] + margin
        inputs = padded[s[:, None], index]
        rows = np.arange(len(s))
        inputs[rows, p - start, :] = 0
        inputs[rows, p - start, b] = 1
        if ism_plan.pooling == "max":  # needs only the reference maxima outside the window
            seq_local = np.zeros(1, np.float32)
        else:  # the reference activations the window replaces
            window = np.clip(first[:, None] + np.arange(span), 0, steps[-1].length_out - 1)
            seq_local = reference_local[s[:, None], window]
        extra = summary.extra(s, first, span)
        logits = ism_plan.window_logits(tf.constant(inputs), tf.constant(first.astype(np.int32)),
                                        tf.constant(seq_local), tf.constant(extra), kernel, bias).numpy()
        result[s, p, b] = logits - reference[s]
    return result


def _window_function(ism_plan: Plan):
    """The compiled forward pass of a batch of mutant windows to the explained logit."""
    import tensorflow as tf

    steps = ism_plan.steps
    windows, span, scale = ism_plan.windows, ism_plan.span, ism_plan.scale

    @tf.function(reduce_retracing=True)
    def window_logits(inputs, first, seq_local, extra, kernel, bias):
        h = inputs
        for i, step in enumerate(steps):
            start = scale[i] * first + windows[i][0]
            if step.kind in ("conv", "pool"):
                positions = start[:, None] + tf.range(windows[i][1])[None, :]
                inside = (positions >= 0) & (positions < step.length_in)
                pad_value = 0.0 if step.kind == "conv" else -np.inf
                h = tf.where(inside[:, :, None], h, tf.cast(pad_value, h.dtype))
            if step.kind == "conv":
                h = tf.nn.conv1d(h, tf.cast(step.layer.kernel, h.dtype), 1, "VALID")
                if step.layer.use_bias:
                    h = h + tf.cast(step.layer.bias, h.dtype)
                if step.layer.activation is not None:
                    h = step.layer.activation(h)
            elif step.kind == "pool":
                h = tf.nn.max_pool1d(h, step.width, step.width, "VALID")
            else:
                h = step.layer(h, training=False)
        h = tf.cast(h, tf.float32)
        positions = first[:, None] + tf.range(span)[None, :]
        inside = ((positions >= 0) & (positions < steps[-1].length_out))[:, :, None]
        if ism_plan.pooling == "max":
            pooled = tf.maximum(tf.reduce_max(tf.where(inside, h, -np.inf), axis=1), extra)
        elif ism_plan.pooling == "avg":
            pooled = extra + tf.reduce_sum(tf.where(inside, h - seq_local, 0.0), axis=1) / steps[-1].length_out
        else:  # the first dense layer's pre-activation changes by the window's change times its rows
            dense = ism_plan.tail[0]
            dense_kernel = tf.reshape(tf.cast(dense.kernel, tf.float32), (steps[-1].length_out, -1, dense.units))
            rows = tf.gather(dense_kernel, tf.clip_by_value(positions, 0, steps[-1].length_out - 1))
            pooled = extra + tf.einsum("npc,npcu->nu", tf.where(inside, h - seq_local, 0.0), rows)
        return _after_pooling(ism_plan, pooled, kernel, bias)

    return window_logits


def _after_pooling(ism_plan: Plan, pooled, kernel, bias):
    """The explained logit from the pooled vector (for ``flatten``: the first dense layer's
    pre-activation) through the layers after the pooling."""
    import tensorflow as tf

    hidden = pooled
    for j, layer in enumerate(ism_plan.tail):
        hidden = layer.activation(hidden) if j == 0 and ism_plan.pooling == "flatten" else layer(hidden, training=False)
    return tf.linalg.matvec(tf.cast(hidden, tf.float32), kernel) + bias


def _first_affected(steps: list[_Step], positions: np.ndarray) -> np.ndarray:
    lo = hi = positions.astype(np.int64)
    for step in steps:
        lo, hi = step.affected(lo, hi)
    return lo


@dataclass
class _Summary:
    """What the pooling needs of the reference activations outside a window, and the
    reference's own pooled vector."""

    pooling: str
    pooled: np.ndarray  # the reference's pooled vector (flatten: the first dense pre-activation)
    prefix: np.ndarray | None = None  # max pooling: max over [0, i)
    suffix: np.ndarray | None = None  # max pooling: max over [i, L)

    def extra(self, seq: np.ndarray, first: np.ndarray, span: int) -> np.ndarray:
        """Max pooling: the reference maximum outside each window; else the reference's pooled vector."""
        if self.pooling != "max":
            return self.pooled[seq]
        length = self.prefix.shape[1] - 1
        before = self.prefix[seq, np.clip(first, 0, length)]
        after = self.suffix[seq, np.clip(first + span, 0, length)]
        return np.maximum(before, after)


def _reference_summary(ism_plan: Plan, local: np.ndarray) -> _Summary:
    if ism_plan.pooling == "max":
        n, length, channels = local.shape
        fill = np.full((n, 1, channels), -np.inf, dtype=np.float32)
        prefix = np.concatenate([fill, np.maximum.accumulate(local, axis=1)], axis=1)
        suffix = np.concatenate([np.maximum.accumulate(local[:, ::-1], axis=1)[:, ::-1], fill], axis=1)
        return _Summary("max", local.max(axis=1), prefix, suffix)
    if ism_plan.pooling == "avg":
        return _Summary("avg", local.mean(axis=1))
    dense = ism_plan.tail[0]
    pre = local.reshape(len(local), -1) @ np.asarray(dense.kernel, dtype=np.float32)
    return _Summary("flatten", (pre + (np.asarray(dense.bias) if dense.use_bias else 0.0)).astype(np.float32))
