"""Attributions for sequence models: saliency, gradient x input, integrated gradients,
DeepLIFT/DeepSHAP (:mod:`biodl.interpret.deeplift`), in-silico saturation mutagenesis (ISM)
and hypothetical contributions; and the workflow step that explains chosen outputs
(:func:`attribute`).

Gradients are taken of the output layer's pre-activation (the logit), which does not
saturate the way a sigmoid or softmax probability does. Every method takes one-hot
``(N, L, 4)`` inputs (checked: fractional rows from ``ambiguous: fractional`` are refused)
and returns ``(N, L, 4)`` float32 arrays.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from biodl.data.dna import check_one_hot, dinucleotide_shuffles, one_hot_input
from biodl.interpret.deeplift import deeplift
from biodl.interpret.fast_ism import fast_ism, plan
from biodl.io.files import PathLike, load_arrays, save_arrays
from biodl.training import output_logits, predict

log = logging.getLogger(__name__)

BASELINES = ("zeros", "shuffle")
METHODS = ("saliency", "gradient_x_input", "integrated_gradients", "deeplift", "ism")
IG_STEPS = 32
"""Points on the integrated-gradients path (trapezoid rule), unless a caller says otherwise."""
EXPLAINED_SPLIT = "train"
"""The split whose sequences are explained, read for filter motifs and scanned by FIMO: the
training split, the largest (attributions need no held-out data; MoDISco needs many)."""
MAX_SEQUENCES = 20000
"""Sequences explained per output: every positive one of a ChIP-seq peak set's training
split, up to this many (drawn at random above it)."""
HYPOTHETICAL_METHODS = ("deeplift",)
"""Methods whose values are hypothetical contributions already (the actual ones are the
values times the input)."""

CHECK_CHUNK = 8192
"""Sequences are checked for fractional bases this many at a time (memory stays flat)."""


def _not_one_hot(x, rows: np.ndarray) -> np.ndarray:
    """Those of ``rows`` whose sequence in ``x`` (an array or rows on disk) is not one-hot,
    read and checked :data:`CHECK_CHUNK` at a time."""
    found = [part[check_one_hot(x[part])] for part in
             (rows[i:i + CHECK_CHUNK] for i in range(0, rows.size, CHECK_CHUNK))]
    return np.concatenate(found) if found else rows[:0]


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
    import tensorflow as tf

    logits, _ = output_logits(model)

    @tf.function(reduce_retracing=True)
    def logit(x):
        return logits(x)[:, index]

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
    return _batched(_gradient_function(model, output), one_hot_input(x), batch_size)


def gradient_x_input(model, x: np.ndarray, output: int = 0, batch_size: int = 256) -> np.ndarray:
    """Saliency times the one-hot input: the observed base's gradient at each position."""
    return saliency(model, x, output, batch_size) * np.asarray(x, dtype=np.float32)


def integrated_gradients(
    model, x: np.ndarray, output: int = 0, steps: int = IG_STEPS, baseline: str = "zeros",
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
    x = one_hot_input(x)
    gradient = _gradient_function(model, output)
    rng = np.random.default_rng(seed)
    alphas = np.linspace(0, 1, steps, dtype=np.float32)
    weights = np.full(steps, 1 / (steps - 1), dtype=np.float32)
    weights[[0, -1]] /= 2
    result = np.zeros_like(x)
    for i, seq in enumerate(x):
        refs = [np.zeros_like(seq)] if baseline == "zeros" else dinucleotide_shuffles(seq, n_baselines, rng)
        for ref in refs:
            path = ref[None] + alphas[:, None, None] * (seq - ref)[None]
            grads = _batched(gradient, path, batch_size)
            result[i] += np.tensordot(weights, grads, axes=1) * (seq - ref)
        result[i] /= len(refs)
    return result


def ism(
    model, x: np.ndarray, output: int = 0, batch_size: int = 1024, progress: bool = False, fast: bool = True,
) -> np.ndarray:
    """In-silico saturation mutagenesis: change in the output's logit for every single-base
    substitution at every position (0 at the reference base).

    With ``fast`` (and a model made of convolution blocks, as every ``build_cnn1d`` model
    is), each mutant is run through a window around its substitution only
    (:func:`biodl.interpret.fast_ism.fast_ism`); the values equal plain ISM up to float32
    rounding. Otherwise the ``3 L`` mutants of several sequences are made at once in NumPy
    and scored in batches of ``batch_size`` by one compiled forward pass.
    """
    import tensorflow as tf

    x = one_hot_input(x)
    if fast:

        ism_plan = plan(model)
        if ism_plan is not None:
            return fast_ism(model, x, output, batch_size, ism_plan)
    logit = _logit_function(model, output)
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


def hypothetical_contributions(values: np.ndarray, method: str = "saliency") -> np.ndarray:
    """What each base would contribute at each position if present (the input TF-MoDISco
    expects beside the actual contributions): DeepLIFT's values as they are, mean-centred
    gradients or ISM changes otherwise."""
    values = np.asarray(values, dtype=np.float32)
    if method in HYPOTHETICAL_METHODS:
        return values
    return values - values.mean(axis=-1, keepdims=True)


def compute_attributions(
    model, x: np.ndarray, output: int, methods: Sequence[str], ig_steps: int = IG_STEPS,
    ig_baseline: str = "zeros", seed: int = 1, batch_size: int = 256, convergence: dict | None = None,
) -> dict[str, np.ndarray]:
    """Run each of ``methods`` (names from :data:`METHODS`) for one output. DeepLIFT's
    convergence summary (:meth:`DeepLiftResult.convergence`) goes into ``convergence``."""

    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f"unknown attribution methods {unknown}; choose from {METHODS}")

    def run_deeplift():
        result = deeplift(model, x, output, seed=seed, batch_size=batch_size)
        if convergence is not None:
            convergence.update(result.convergence())
        return result.hypothetical
    runners = {
        "saliency": lambda: saliency(model, x, output, batch_size),
        "gradient_x_input": lambda: gradient_x_input(model, x, output, batch_size),
        "integrated_gradients": lambda: integrated_gradients(
            model, x, output, steps=ig_steps, baseline=ig_baseline, seed=seed, batch_size=batch_size),
        "deeplift": run_deeplift,
        "ism": lambda: ism(model, x, output, progress=True),
    }
    return {method: runners[method]() for method in methods}


@dataclass
class Attributions:
    """Attributions of chosen model outputs on chosen sequences.

    Attributes
    ----------
    outputs, output_indices
        Explained output names and their columns in the model output.
    methods
        Attribution methods, as in :data:`METHODS`.
    x, ids
        Per output index: the explained ``(n, L, 4)`` sequences and their ids.
    values
        Per output index and method: ``(n, L, 4)`` attributions.
    tracks, titles
        The attribution tracks drawn for the top-scoring sequences of each output (the
        first method; saliency, DeepLIFT and ISM multiplied by the input), and their
        titles. Not saved.
    split
        The split the sequences come from.
    convergence
        Per output index, DeepLIFT's convergence summary (when it ran).
    """

    outputs: list[str]
    output_indices: list[int]
    methods: list[str]
    x: dict[int, np.ndarray]
    ids: dict[int, np.ndarray]
    values: dict[int, dict[str, np.ndarray]]
    tracks: list[np.ndarray]
    titles: list[str]
    split: str = EXPLAINED_SPLIT
    convergence: dict[int, dict[str, float]] = field(default_factory=dict)

    def convergence_table(self):
        """One row per explained output with DeepLIFT: ``output``, ``method``,
        ``n_sequences``, ``mean_abs_delta``, ``max_abs_delta``, ``mean_abs_logit_difference``
        (the deltas are sums of attributions minus logit differences; ideally 0)."""
        import pandas as pd

        rows = [{"output": name, "method": "deeplift", "n_sequences": len(self.x[j]), **self.convergence[j]}
                for name, j in zip(self.outputs, self.output_indices) if j in self.convergence]
        return pd.DataFrame(rows, columns=["output", "method", "n_sequences", "mean_abs_delta", "max_abs_delta",
                                           "mean_abs_logit_difference"])

    def save(self, path: PathLike) -> None:
        """Write one ``.npz``: ``outputs``, ``output_indices``, ``methods``, ``split``, and per output
        index ``j``: ``x_j``, ``ids_j`` and ``<method>_j``."""
        arrays = {"outputs": np.array(self.outputs), "output_indices": np.array(self.output_indices),
                  "methods": np.array(self.methods), "split": np.array(self.split)}
        for j in self.output_indices:
            arrays.update({f"x_{j}": self.x[j], f"ids_{j}": self.ids[j]})
            arrays.update({f"{method}_{j}": values for method, values in self.values[j].items()})
        save_arrays(path, **arrays)

    @classmethod
    def load(cls, path: PathLike) -> "Attributions":
        """Read what :meth:`save` wrote (without the tracks)."""
        arrays = load_arrays(path, required=("outputs", "output_indices", "methods"),
                             what="the attributions of biodl attribute")
        indices = [int(j) for j in arrays["output_indices"]]
        methods = [str(m) for m in arrays["methods"]]
        return cls([str(o) for o in arrays["outputs"]], indices, methods,
                   {j: arrays[f"x_{j}"] for j in indices}, {j: arrays[f"ids_{j}"] for j in indices},
                   {j: {m: arrays[f"{m}_{j}"] for m in methods} for j in indices}, [], [],
                   str(arrays["split"]) if "split" in arrays else EXPLAINED_SPLIT)


def attribute(
    model,
    dataset,
    *,
    outputs: Sequence[str] = (),
    methods: Sequence[str] = ("deeplift", "saliency"),
    split: str = EXPLAINED_SPLIT,
    max_sequences: int = MAX_SEQUENCES,
    ig_steps: int = IG_STEPS,
    ig_baseline: str = "zeros",
    n_tracks: int = 2,
    seed: int = 1,
) -> Attributions:
    """Explain each chosen output on the ``split`` sequences that are positive for it.

    Parameters
    ----------
    model, dataset
        A trained sequence model and its :class:`biodl.data.datasets.EncodedDataset`.
    outputs
        Output (class or label) names to explain; none: all.
    methods
        Attribution methods (:data:`METHODS`); the first is drawn in the tracks.
    split
        Split whose sequences are explained: the training split by default, the largest
        (attributions need no held-out data, and MoDISco needs many sequences); the test
        split shows what the model does on data it never saw.
    max_sequences
        At most this many sequences per output, drawn at random (seeded).
    ig_steps, ig_baseline
        Integrated-gradients path points and baseline (``zeros`` or ``shuffle``).
    n_tracks
        Top-scoring sequences per output whose attributions are drawn.
    seed
        Seeds the draw of sequences and the shuffled baselines.

    Raises
    ------
    ValueError
        On an unknown output or method, or an output with no positive sequence in ``split``.
    """

    outputs = list(outputs) or list(dataset.names)
    indices = [output_index(model, name, dataset.names) for name in outputs]
    result = Attributions(outputs, indices, list(methods), {}, {}, {}, [], [], split)
    rng = np.random.default_rng(seed)
    for name, j in zip(outputs, indices):
        chosen = dataset.examples_of(j, split)
        not_one_hot = _not_one_hot(dataset.x, chosen)
        if not_one_hot.size:
            log.warning("%d of %d %s-split sequences of output %r hold fractional (ambiguous) bases and are "
                        "not explained", not_one_hot.size, chosen.size, split, name)
            chosen = np.setdiff1d(chosen, not_one_hot)
        if chosen.size == 0:
            raise ValueError(f"no {split}-split sequences are positive for output {name!r}")
        if chosen.size > max_sequences:
            chosen = np.sort(rng.choice(chosen, max_sequences, replace=False))
        x = dataset.x[chosen].astype(np.float32)
        convergence = {}
        values = compute_attributions(model, x, j, methods, ig_steps=ig_steps, ig_baseline=ig_baseline, seed=seed,
                                      convergence=convergence)
        if convergence:
            result.convergence[j] = convergence
            log.info("DeepLIFT convergence for output %r: mean |delta| %.2g, max %.2g (mean |logit difference| "
                     "%.3g)", name, convergence["mean_abs_delta"], convergence["max_abs_delta"],
                     convergence["mean_abs_logit_difference"])
        result.x[j], result.ids[j], result.values[j] = x, dataset.ids[chosen], values
        log.info("attributions for output %r on %d %s sequences: %s", name, len(chosen), split, ", ".join(values))
        scores = predict(model, x)[:, j]
        shown = values[methods[0]]
        for k in np.argsort(-scores)[:n_tracks]:
            result.tracks.append(shown[k] * x[k] if methods[0] in ("saliency", "deeplift", "ism") else shown[k])
            result.titles.append(f"{name}: {dataset.ids[chosen][k]} (score {scores[k]:.2f}, {methods[0]})")
    return result
