"""First-layer convolution filters as motifs (Basset / DeepBind style).

For each filter, the input windows whose activation exceeds a fraction of the filter's
maximum over the data are stacked into a count matrix, then a position probability
matrix. Filters with too few such windows are reported, not dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biodl.data.pwm import Motif, information_content
from biodl.io.arrays import StoredRows, row_chunks
from biodl.io.files import PathLike, write_table
from biodl.io.meme import write_meme
from biodl.training import predict

log = logging.getLogger(__name__)


@dataclass
class FilterMotifs:
    """PPMs of the first-layer filters and how each was supported.

    Attributes
    ----------
    motifs
        One :class:`biodl.data.pwm.Motif` per filter with at least ``min_sites`` windows,
        named ``filter<k>``.
    n_sites
        Windows above the threshold, per filter (all filters).
    information
        Total information content (bits) per filter; NaN where too few sites.
    min_sites
        Fewest windows that give a filter a PPM.
    influence
        Per filter and output, the mean absolute change of the output when the filter is
        silenced (:func:`filter_influence`), ``(filters, outputs)``; ``None`` when not
        computed.
    null
        The filter motifs of the untrained network (:func:`untrained_filter_motifs`), the
        null for motif matching; ``None`` when not computed.
    """

    motifs: list[Motif]
    n_sites: np.ndarray
    information: np.ndarray
    min_sites: int
    influence: np.ndarray | None = None
    null: list[Motif] | None = None
    outputs: Sequence[str] = ()

    def table(self) -> pd.DataFrame:
        """One row per filter: ``filter``, ``n_sites``, ``information_bits``, ``has_motif``,
        and with influences ``influence`` (the mean over outputs), ``influence_rank`` (1: the
        most influential) and, for a model of several outputs, ``influence:<output>`` (the
        output names :attr:`outputs`, else their indices)."""
        table = pd.DataFrame({
            "filter": [f"filter{k}" for k in range(len(self.n_sites))], "n_sites": self.n_sites,
            "information_bits": self.information, "has_motif": self.n_sites >= self.min_sites,
        })
        if self.influence is not None:
            influence = self.influence.reshape(len(self.n_sites), -1)
            table["influence"] = influence.mean(axis=1)
            table["influence_rank"] = pd.Series(-table["influence"]).rank(method="min").astype(int).to_numpy()
            if influence.shape[1] > 1:
                names = list(self.outputs) or [str(j) for j in range(influence.shape[1])]
                for j, name in enumerate(names):
                    table[f"influence:{name}"] = influence[:, j]
        return table

    def write(self, meme: PathLike, table: PathLike, null: PathLike | None = None) -> None:
        """Write the PPMs (MEME, with their site counts), :meth:`table` (TSV) and, given a
        path, the null motifs (MEME)."""
        sites = dict(zip(self.table()["filter"], self.n_sites))
        write_meme(meme, self.motifs, nsites=[sites[m.id] for m in self.motifs])
        write_table(table, self.table(), index=False)
        if null is not None:
            write_meme(null, self.null or [])


def first_conv_layer(model):
    """The model's first ``Conv1D`` layer, or a clear error when there is none."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv1D):
            return layer
    raise ValueError(
        f"model {model.name!r} has no Conv1D layer; filter motifs need a first-layer "
        "convolution over one-hot DNA"
    )


def first_conv_model(model):
    """The model cut after its first convolution: one-hot sequences -> ``(n, L', F)``
    filter outputs (before normalisation or ReLU), run by :func:`biodl.training.predict`."""
    import keras

    return keras.Model(model.inputs, first_conv_layer(model).output)


ACTIVATION_CHUNK_VALUES = 1 << 26
""":func:`filter_motifs` holds the activations of about this many (sequence, position,
filter) values at a time (256 MB of float32), whatever the number of sequences."""


def filter_influence(
    model, x: np.ndarray | StoredRows, n_sequences: int = 2000, seed: int = 1, batch_size: int = 256,
) -> np.ndarray:
    """How much each first-layer filter matters to the predictions (Basset's influence).

    Each filter in turn is silenced: its output is replaced by its mean over the sequences
    (kernel set to zero, the mean put into its bias, or taken off the running mean of the
    batch normalisation right after it). Its influence on an output is the mean absolute
    change of that output over the sequences. The model is left as it was.

    Parameters
    ----------
    x
        ``(N, L, 4)`` one-hot sequences; at most ``n_sequences`` of them, drawn with
        ``seed``, are used.

    Returns
    -------
    numpy.ndarray
        ``(filters, outputs)`` influences, in the units of the model's outputs.
    """

    layer = first_conv_layer(model)
    rows = np.arange(len(x))
    if len(x) > n_sequences:
        rows = np.sort(np.random.default_rng(seed).choice(len(x), n_sequences, replace=False))
    sample = np.asarray(x[rows], dtype=np.float32)
    means = predict(first_conv_model(model), sample, batch_size).mean(axis=(0, 1))
    norm = next((other for other in model.layers if type(other).__name__ == "BatchNormalization"
                 and other.input is layer.output), None)
    if not layer.use_bias and norm is None:
        log.warning("%s has no bias and no batch normalisation after it: silenced filters output 0, not their mean",
                    layer.name)
    reference = predict(model, sample, batch_size).reshape(len(sample), -1)
    weights = layer.get_weights()
    running_mean = np.asarray(norm.moving_mean) if norm is not None else None
    influence = np.zeros((len(means), reference.shape[1]))
    try:
        for k in range(len(means)):
            silenced = [w.copy() for w in weights]
            silenced[0][..., k] = 0
            if layer.use_bias:
                silenced[1][k] = means[k]
            elif norm is not None:
                shifted = running_mean.copy()
                shifted[k] -= means[k]
                norm.moving_mean.assign(shifted)
            layer.set_weights(silenced)
            silenced_outputs = predict(model, sample, batch_size).reshape(len(sample), -1)
            influence[k] = np.abs(silenced_outputs - reference).mean(axis=0)
    finally:
        layer.set_weights(weights)
        if norm is not None:
            norm.moving_mean.assign(running_mean)
    return influence


def filter_motifs(
    model, x: np.ndarray | StoredRows, threshold: float = 0.5, min_sites: int = 20, max_sites: int = 5000,
    trim_bits: float = 0.3, batch_size: int = 256, influence_sequences: int = 2000, seed: int = 1,
) -> FilterMotifs:
    """PPMs of first-layer filters from the windows that activate them.

    Parameters
    ----------
    x
        ``(N, L, 4)`` one-hot sequences (e.g. the test or training split), in memory or on
        disk; they are read in chunks, twice (the filters' maxima, then their windows), so
        memory does not grow with their number.
    threshold
        A window counts when its activation is above ``threshold`` times the filter's
        maximum activation over ``x`` (0.5 as in Basset).
    min_sites
        Filters with fewer windows get no PPM (their counts are still reported).
    max_sites
        Keep at most this many of the strongest windows per filter.
    trim_bits
        Trim flanking positions with less information than this (bits) off each PPM, so
        that motif comparison sees the filter's core; the full width is kept if every
        position is below it.
    influence_sequences, seed
        Each filter's influence (:func:`filter_influence`) is measured on at most this many
        sequences of ``x``, drawn with ``seed``; 0: not measured.
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    layer = first_conv_layer(model)
    width = int(layer.kernel_size[0])
    if layer.padding == "same":
        left = (width - 1) // 2
    else:
        left = 0

    conv = first_conv_model(model)

    def activations(rows: np.ndarray) -> np.ndarray:
        return predict(conv, rows, batch_size)

    n_filters = int(layer.filters)
    rows_per_chunk = max(1, ACTIVATION_CHUNK_VALUES // (int(x.shape[1]) * n_filters))
    peaks = np.full(n_filters, -np.inf, dtype=np.float32)
    for rows in row_chunks(x, rows_per_chunk):
        peaks = np.maximum(peaks, activations(rows).max(axis=(0, 1)))
    strongest = _strongest_windows(x, activations, peaks * threshold, max_sites, rows_per_chunk)
    offsets = np.arange(width)
    motifs, n_sites, info = [], [], []
    for k, (seq, pos) in enumerate(strongest):
        if peaks[k] <= 0:
            n_sites.append(0)
            info.append(np.nan)
            continue
        n_sites.append(int(seq.size))
        if seq.size < min_sites:
            info.append(np.nan)
            continue
        chosen, row = np.unique(seq, return_inverse=True)
        padded = np.pad(np.asarray(x[chosen], dtype=np.float32), ((0, 0), (width, width), (0, 0)))
        starts = pos - left + width  # index into the padded sequences
        windows = padded[row[:, None], starts[:, None] + offsets[None, :]]  # (sites, W, 4)
        counts = windows.sum(axis=0)
        totals = counts.sum(axis=1, keepdims=True)
        ppm = np.where(totals > 0, counts / np.maximum(totals, 1e-9), 0.25)
        informative = np.flatnonzero(information_content(ppm) >= trim_bits)
        if informative.size:
            ppm = ppm[informative[0]:informative[-1] + 1]
        motifs.append(Motif(f"filter{k}", f"filter{k}", ppm))
        info.append(float(information_content(ppm).sum()))
    n_sites = np.array(n_sites)
    few = np.flatnonzero(n_sites < min_sites)
    if few.size:
        log.warning("%d of %d filters have fewer than %d activating windows and get no PPM: %s",
                    few.size, n_sites.size, min_sites, ", ".join(f"filter{k}" for k in few[:20]))
    influence = filter_influence(model, x, influence_sequences, seed, batch_size) if influence_sequences else None
    return FilterMotifs(motifs, n_sites, np.array(info), min_sites, influence)


def _strongest_windows(x, activations, cutoffs: np.ndarray, max_sites: int, rows_per_chunk: int):
    """Per filter, ``(sequence, position)`` of the (at most ``max_sites``) strongest windows
    whose activation is above the filter's cutoff, keeping only those while going over ``x``
    a chunk at a time."""
    kept = [(np.zeros(0, np.float32), np.zeros(0, np.int64), np.zeros(0, np.int64)) for _ in cutoffs]
    for start, rows in zip(range(0, len(x), rows_per_chunk), row_chunks(x, rows_per_chunk)):
        act = activations(rows)
        for k, cutoff in enumerate(cutoffs):
            seq, pos = np.nonzero(act[..., k] > cutoff)
            values = np.concatenate([kept[k][0], act[seq, pos, k]])
            seqs, positions = np.concatenate([kept[k][1], seq + start]), np.concatenate([kept[k][2], pos])
            if values.size > max_sites:
                top = np.argpartition(values, -max_sites)[-max_sites:]
                values, seqs, positions = values[top], seqs[top], positions[top]
            kept[k] = (values, seqs, positions)
    return [(seqs, positions) for _, seqs, positions in kept]


NULL_NETWORKS = 3
"""Untrained copies of a network whose filters make the null motifs, unless a caller says otherwise."""


def untrained_filter_motifs(
    model, x: np.ndarray | StoredRows, networks: int = NULL_NETWORKS, max_sequences: int = 10000, seed: int = 1,
    **settings,
) -> list[Motif]:
    """Filter motifs of the same network untrained: the null for motif matching.

    The model is cloned with fresh random weights ``networks`` times (seeded) and its
    filters are turned into PPMs exactly as :func:`filter_motifs` does, on at most
    ``max_sequences`` of ``x`` (drawn with ``seed``). Those PPMs carry the sequences'
    composition and the filters' width but no learned motif, so any database match they
    reach is a false one (see :func:`biodl.interpret.compare.calibrated_matches`).

    Parameters
    ----------
    settings
        Passed to :func:`filter_motifs` (``threshold``, ``min_sites``, ``max_sites``,
        ``trim_bits``, ``batch_size``); influence is not measured on untrained networks.
    """
    import keras

    rows = np.arange(len(x))
    if len(x) > max_sequences:
        rows = np.sort(np.random.default_rng(seed).choice(len(x), max_sequences, replace=False))
    sample = np.asarray(x[rows], dtype=np.float32)
    motifs = []
    for k in range(networks):
        keras.utils.set_random_seed(seed + k)
        untrained = keras.models.clone_model(model)
        found = filter_motifs(untrained, sample, **{**settings, "influence_sequences": 0}).motifs
        motifs += [Motif(f"untrained{k}_{m.id}", m.name, m.ppm) for m in found]
    log.info("%d null motifs from %d untrained copies of the network on %d sequences", len(motifs), networks,
             len(sample))
    return motifs


def filter_motifs_with_null(
    model, x: np.ndarray | StoredRows, *, threshold: float = 0.5, min_sites: int = 20, max_sites: int = 5000,
    trim_bits: float = 0.3, batch_size: int = 256, influence_sequences: int = 2000,
    null_networks: int = NULL_NETWORKS, seed: int = 1, outputs: Sequence[str] = (),
) -> FilterMotifs:
    """The workflow's ``filter_motifs`` step: :func:`filter_motifs` of the trained network,
    with the same of ``null_networks`` untrained copies as its ``null``
    (:func:`untrained_filter_motifs`) and the model's ``outputs`` names (the influence
    columns); the other arguments are :func:`filter_motifs`'s."""
    settings = {"threshold": threshold, "min_sites": min_sites, "max_sites": max_sites, "trim_bits": trim_bits,
                "batch_size": batch_size, "influence_sequences": influence_sequences, "seed": seed}
    found = filter_motifs(model, x, **settings)
    found.null = untrained_filter_motifs(model, x, null_networks, **settings)
    found.outputs = list(outputs)
    return found
