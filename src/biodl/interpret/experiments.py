"""In-silico experiments (the "marginalisation" of tangermeme and gReLU): what inserting a
motif into background sequences does to each output of the model, and how two motifs act
together at each spacing and orientation (a cooperativity curve).

Backgrounds are dinucleotide shuffles of the dataset's own sequences, so they keep its
composition but lose its motifs; a motif is written as its consensus (JASPAR matrices and
discovered patterns) or as the sequence given. Every effect is a difference of logits
(averaged over both strands of the window) from the same background, so its spread over
backgrounds is the spread of the effect, not of the backgrounds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biodl.data.dna import ALPHABET, dinucleotide_shuffles, one_hot_encode, reverse_complement
from biodl.data.pwm import Motif, motifs_by_id
from biodl.evaluation.plots import plot_insertions, plot_spacing
from biodl.interpret.variant_effects import StrandLogits
from biodl.io.files import PathLike, write_table

log = logging.getLogger(__name__)

N_BACKGROUNDS = 100
"""Shuffled backgrounds each insertion is averaged over unless a caller says otherwise."""
MAX_SPACING = 30
"""Spacings of a pair tried unless a caller says otherwise: 0 to this many bases between them."""
_SEQUENCE = re.compile(r"^[ACGTN]+$")


def consensus(motif: Motif) -> str:
    """The most probable base of each column of a motif."""
    return "".join(ALPHABET[i] for i in motif.ppm.argmax(axis=1))


def motif_sequences(specs: Sequence[str], known: Sequence[Motif] = ()) -> dict[str, str]:
    """Name -> inserted sequence for each of ``specs``: a motif of ``known`` by id (a JASPAR
    id with or without its version, or a discovered pattern's name) gives its consensus; a
    string of A, C, G, T (and N) is inserted as given.

    Raises
    ------
    ValueError
        For a spec that is neither, naming the ids it could have been.
    """
    by_id = motifs_by_id(known)
    out = {}
    for spec in specs:
        if spec in by_id:
            motif = by_id[spec]
            out[f"{motif.id} {motif.name}".strip() if motif.name and motif.name != motif.id else motif.id] = \
                consensus(motif)
        elif _SEQUENCE.match(spec.upper()):
            out[spec.upper()] = spec.upper()
        else:
            raise ValueError(f"motif {spec!r} is neither a known motif id (e.g. {sorted(by_id)[:3]}) nor a sequence of "
                             "A, C, G, T")
    return out


def shuffled_backgrounds(x, n: int = N_BACKGROUNDS, seed: int = 1) -> np.ndarray:
    """``n`` dinucleotide shuffles of randomly chosen sequences of ``x`` (an array or rows on
    disk), float32 ``(n, L, 4)``."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(x), size=n, replace=n > len(x)))
    chosen = np.asarray(x[rows], dtype=np.float32)
    return dinucleotide_shuffles(chosen, 1, rng)[:, 0]


def _insert(backgrounds: np.ndarray, sequence: str, start: int) -> np.ndarray:
    out = backgrounds.copy()
    out[:, start:start + len(sequence)] = one_hot_encode(sequence).astype(np.float32)
    return out


@dataclass
class Experiments:
    """Results of :func:`run_experiments`.

    Attributes
    ----------
    insertions
        Per motif and output: ``mean_effect`` (logit with the motif - without), ``sd``,
        ``sem``, ``n`` backgrounds, and ``fraction_up`` (backgrounds where it raised the logit).
    spacing
        Per pair, orientation (``same``: both on the plus strand; ``opposite``: the second
        reverse complemented), spacing (bases between them) and output: ``joint`` (the effect
        of both), ``first`` and ``second`` (each alone, at its place), ``interaction`` =
        joint - first - second, and ``interaction_sd`` over backgrounds.
    """

    insertions: pd.DataFrame
    spacing: pd.DataFrame

    def write(self, insertions: PathLike, insertions_plot: PathLike, spacing: PathLike,
              spacing_plot: PathLike) -> None:
        write_table(insertions, self.insertions, index=False)
        plot_insertions(self.insertions, insertions_plot)
        write_table(spacing, self.spacing, index=False)
        plot_spacing(self.spacing, spacing_plot)


def insertion_effects(model, backgrounds: np.ndarray, motifs: Mapping[str, str], names: Sequence[str]
                      ) -> pd.DataFrame:
    """The effect of each motif inserted at the centre of every background (see
    :class:`Experiments`)."""
    logits = StrandLogits(model)
    base = logits(backgrounds)
    length = backgrounds.shape[1]
    rows = []
    for name, sequence in motifs.items():
        if len(sequence) > length:
            raise ValueError(f"motif {name} ({len(sequence)} bp) is longer than the model's {length} bp window")
        effect = logits(_insert(backgrounds, sequence, (length - len(sequence)) // 2)) - base
        for j, output in enumerate(names):
            values = effect[:, j]
            rows.append((name, sequence, output, float(values.mean()), float(values.std(ddof=1)),
                         float(values.std(ddof=1) / np.sqrt(len(values))), len(values), float((values > 0).mean())))
    return pd.DataFrame(rows, columns=["motif", "sequence", "output", "mean_effect", "sd", "sem", "n",
                                       "fraction_up"])


def spacing_effects(model, backgrounds: np.ndarray, first: tuple[str, str], second: tuple[str, str],
                    names: Sequence[str], max_spacing: int = MAX_SPACING) -> pd.DataFrame:
    """Two motifs side by side at 0 to ``max_spacing`` bases apart, in both orientations,
    around the centre of every background (see :class:`Experiments`)."""
    logits = StrandLogits(model)
    base = logits(backgrounds)
    length = backgrounds.shape[1]
    (name_a, a), (name_b, b) = first, second
    rows = []
    for orientation, placed_b in (("same", b), ("opposite", reverse_complement(b))):
        for spacing in range(max_spacing + 1):
            total = len(a) + spacing + len(b)
            if total > length:
                break
            start_a = (length - total) // 2
            start_b = start_a + len(a) + spacing
            alone_a = logits(_insert(backgrounds, a, start_a)) - base
            alone_b = logits(_insert(backgrounds, placed_b, start_b)) - base
            joint = logits(_insert(_insert(backgrounds, a, start_a), placed_b, start_b)) - base
            interaction = joint - alone_a - alone_b
            for j, output in enumerate(names):
                rows.append((f"{name_a} + {name_b}", orientation, spacing, output, float(joint[:, j].mean()),
                             float(alone_a[:, j].mean()), float(alone_b[:, j].mean()),
                             float(interaction[:, j].mean()), float(interaction[:, j].std(ddof=1))))
    return pd.DataFrame(rows, columns=["pair", "orientation", "spacing", "output", "joint", "first", "second",
                                       "interaction", "interaction_sd"])


def run_experiments(
    model,
    x,
    names: Sequence[str],
    *,
    motifs: Sequence[str] = (),
    pairs: Sequence[Sequence[str]] = (),
    known: Sequence[Motif] = (),
    n_backgrounds: int = N_BACKGROUNDS,
    max_spacing: int = MAX_SPACING,
    seed: int = 1,
) -> Experiments:
    """Insert each motif, and each pair at every spacing, into shuffled backgrounds.

    Parameters
    ----------
    model, names
        A trained DNA model and its output names.
    x
        The dataset's one-hot sequences (an array or rows on disk): the backgrounds are
        dinucleotide shuffles of ``n_backgrounds`` of them.
    motifs, pairs
        What to insert alone, and which two together (:func:`motif_sequences` specs).
    known
        Motifs the specs may name by id: JASPAR, discovered patterns.
    max_spacing, seed
        The largest spacing of a pair (0 to it, both orientations); the seed of the
        backgrounds.
    """
    if n_backgrounds < 2:
        raise ValueError(f"n_backgrounds must be at least 2 (a spread needs two), got {n_backgrounds}")
    backgrounds = shuffled_backgrounds(x, n_backgrounds, seed)
    insertions = insertion_effects(model, backgrounds, motif_sequences(motifs, known), names)
    curves = []
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"a pair names two motifs, got {list(pair)}")
        (first,), (second,) = (motif_sequences([spec], known).items() for spec in pair)
        curves.append(spacing_effects(model, backgrounds, first, second, names, max_spacing))
    spacing = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(
        columns=["pair", "orientation", "spacing", "output", "joint", "first", "second", "interaction",
                 "interaction_sd"])
    return Experiments(insertions, spacing)
