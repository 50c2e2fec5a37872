"""Attributions for sequence models: saliency, gradient x input, integrated gradients,
in-silico saturation mutagenesis (ISM) and hypothetical contributions.

Gradients are taken of the output layer's pre-activation (the logit), which does not
saturate the way a sigmoid or softmax probability does. Every function takes one-hot
``(N, L, 4)`` inputs and returns ``(N, L, 4)`` float32 arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BASELINES = ("zeros", "shuffle")


def output_index(model, output: int | str, names: Sequence[str] | None = None) -> int:
    """Column of the model output to explain: an index, or a class / label name."""
    n_outputs = int(model.output_shape[-1])
    if isinstance(output, str):
        if not names or output not in names:
            raise ValueError(f"output {output!r} is not one of the model's outputs {list(names or [])}")
        output = list(names).index(output)
    if not 0 <= int(output) < n_outputs:
        raise ValueError(f"output index {output} out of range for a model with {n_outputs} outputs")
    return int(output)


def _logit_function(model, index: int):
    """A tf.function mapping inputs to the pre-activation of output ``index``."""
    import keras
    import tensorflow as tf

    head = model.get_layer("output")
    body = keras.Model(model.inputs, head.input)
    kernel = tf.convert_to_tensor(head.kernel)[:, index]
    bias = tf.convert_to_tensor(head.bias)[index] if head.use_bias else 0.0

    @tf.function(reduce_retracing=True)
    def logit(x):
        return tf.linalg.matvec(tf.cast(body(x, training=False), tf.float32), kernel) + bias

    return logit


def _gradient_function(model, index: int):
    import tensorflow as tf

    logit = _logit_function(model, index)

    @tf.function(reduce_retracing=True)
    def gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = logit(x)
        return tape.gradient(value, x)

    return gradient


def _batched(function, x: np.ndarray, batch_size: int) -> np.ndarray:
    out = [np.asarray(function(np.asarray(x[i:i + batch_size], dtype=np.float32)))
           for i in range(0, len(x), batch_size)]
    return np.concatenate(out).astype(np.float32)


def saliency(model, x: np.ndarray, output: int = 0, batch_size: int = 256) -> np.ndarray:
    """Gradient of the output's logit with respect to each input base."""
    return _batched(_gradient_function(model, output), x, batch_size)


def gradient_x_input(model, x: np.ndarray, output: int = 0, batch_size: int = 256) -> np.ndarray:
    """Saliency times the one-hot input: the observed base's gradient at each position."""
    return saliency(model, x, output, batch_size) * np.asarray(x, dtype=np.float32)


def dinucleotide_shuffle(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Shuffle one one-hot sequence keeping its dinucleotide counts (Altschul-Erickson).

    A random Eulerian path through the dinucleotide graph: the last outgoing edge of every
    base is chosen by a random arborescence into the final base, the others are shuffled.
    """
    seq = np.asarray(x).argmax(axis=-1)
    if len(seq) < 3:
        return np.asarray(x).copy()
    edges: dict[int, list[int]] = {b: [] for b in range(4)}
    for a, b in zip(seq[:-1], seq[1:]):
        edges[int(a)].append(int(b))
    last = int(seq[-1])
    # random arborescence towards `last`: each other base keeps one edge for its final exit
    while True:
        final_exit: dict[int, int] = {}
        for base, targets in edges.items():
            if base != last and targets:
                final_exit[base] = targets[rng.integers(len(targets))]
        if all(_reaches(base, last, final_exit) for base in final_exit):
            break
    walk = {}
    for base, targets in edges.items():
        rest = list(targets)
        if base in final_exit:
            rest.remove(final_exit[base])
        order = [rest[i] for i in rng.permutation(len(rest))]
        walk[base] = order + ([final_exit[base]] if base in final_exit else [])
    out = [int(seq[0])]
    for _ in range(len(seq) - 1):
        out.append(walk[out[-1]].pop(0))
    return np.eye(4, dtype=np.float32)[out] * (np.asarray(x).sum(axis=-1, keepdims=True) > 0)


def _reaches(base: int, last: int, final_exit: dict[int, int]) -> bool:
    seen = set()
    while base != last:
        if base in seen or base not in final_exit:
            return False
        seen.add(base)
        base = final_exit[base]
    return True


def integrated_gradients(
    model, x: np.ndarray, output: int = 0, steps: int = 50, baseline: str = "zeros",
    n_baselines: int = 1, seed: int = 1, batch_size: int = 256,
) -> np.ndarray:
    """Integrated gradients (Sundararajan et al. 2017) from a zero or shuffled baseline.

    Parameters
    ----------
    steps
        Points on the straight path from baseline to input (Riemann trapezoid rule).
    baseline
        ``"zeros"`` or ``"shuffle"`` (dinucleotide-shuffled copies of each sequence,
        ``n_baselines`` of them, attributions averaged).
    """
    if baseline not in BASELINES:
        raise ValueError(f"baseline must be one of {BASELINES}, got {baseline!r}")
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    gradient = _gradient_function(model, output)
    x = np.asarray(x, dtype=np.float32)
    rng = np.random.default_rng(seed)
    alphas = np.linspace(0, 1, steps, dtype=np.float32)
    weights = np.full(steps, 1 / (steps - 1), dtype=np.float32)
    weights[[0, -1]] /= 2
    result = np.zeros_like(x)
    for i, seq in enumerate(x):
        refs = ([np.zeros_like(seq)] if baseline == "zeros"
                else [dinucleotide_shuffle(seq, rng) for _ in range(n_baselines)])
        for ref in refs:
            path = ref[None] + alphas[:, None, None] * (seq - ref)[None]
            grads = _batched(gradient, path, batch_size)
            result[i] += np.tensordot(weights, grads, axes=1) * (seq - ref)
        result[i] /= len(refs)
    return result


def ism(
    model, x: np.ndarray, output: int = 0, batch_size: int = 1024, progress: bool = False
) -> np.ndarray:
    """In-silico saturation mutagenesis: change in the output's logit for every single-base
    substitution at every position (0 at the reference base).

    The ``3 L`` mutants of several sequences are made at once in NumPy and scored in
    batches of ``batch_size`` by one compiled forward pass, so the model is the bottleneck.
    """
    import tensorflow as tf

    logit = _logit_function(model, output)
    x = np.asarray(x, dtype=np.float32)
    n, length, _ = x.shape
    result = np.zeros((n, length, 4), dtype=np.float32)
    reference = _batched(logit, x, batch_size)
    per_batch = max(1, batch_size // (3 * length))
    starts = range(0, n, per_batch)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc="ISM", unit="batch")
    for start in starts:
        chunk = x[start:start + per_batch]
        seq, pos, base = np.nonzero(chunk == 0)  # every substitution away from the reference
        mutants = chunk[seq]
        rows = np.arange(len(seq))
        mutants[rows, pos, :] = 0
        mutants[rows, pos, base] = 1
        scores = np.concatenate([
            logit(tf.constant(mutants[i:i + batch_size])).numpy()
            for i in range(0, len(mutants), batch_size)
        ])
        result[start + seq, pos, base] = scores - reference[start + seq]
    return result


def hypothetical_contributions(gradients: np.ndarray) -> np.ndarray:
    """Mean-centred gradients per position: what each base would contribute if present
    (the input TF-MoDISco expects beside the actual contributions)."""
    gradients = np.asarray(gradients, dtype=np.float32)
    return gradients - gradients.mean(axis=-1, keepdims=True)


METHODS = ("saliency", "gradient_x_input", "integrated_gradients", "ism")


def compute_attributions(
    model, x: np.ndarray, output: int, methods: Sequence[str], ig_steps: int = 32,
    ig_baseline: str = "zeros", seed: int = 1, batch_size: int = 256,
) -> dict[str, np.ndarray]:
    """Run each of ``methods`` (names from :data:`METHODS`) for one output."""
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f"unknown attribution methods {unknown}; choose from {METHODS}")
    runners = {
        "saliency": lambda: saliency(model, x, output, batch_size),
        "gradient_x_input": lambda: gradient_x_input(model, x, output, batch_size),
        "integrated_gradients": lambda: integrated_gradients(
            model, x, output, steps=ig_steps, baseline=ig_baseline, seed=seed, batch_size=batch_size),
        "ism": lambda: ism(model, x, output, progress=True),
    }
    return {method: runners[method]() for method in methods}


__all__ = [
    "output_index", "saliency", "gradient_x_input", "integrated_gradients", "ism",
    "hypothetical_contributions", "dinucleotide_shuffle", "compute_attributions", "METHODS",
]
