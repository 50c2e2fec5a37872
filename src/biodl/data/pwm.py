"""Motif matrices: position probability matrices, their information content, log-odds
PWMs, and scanning one-hot sequences for the best match on either strand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Motif:
    """A motif as a position probability matrix.

    Attributes
    ----------
    id
        Database identifier with version, e.g. ``MA0139.2``.
    name
        Transcription factor name, e.g. ``CTCF``.
    ppm
        ``(width, 4)`` base probabilities in A, C, G, T order; rows sum to 1.
    family
        The structural family of the factor (JASPAR's annotation, e.g. ``Ets-related``);
        empty where the source has none (a MEME file). :attr:`family_name` falls back.
    """

    id: str
    name: str
    ppm: np.ndarray
    family: str = ""

    @property
    def family_name(self) -> str:
        """:attr:`family`, or the factor's name in capitals where there is none (a motif
        without an annotation is a family of its own)."""
        return self.family or self.name.upper()

    @property
    def width(self) -> int:
        return int(self.ppm.shape[0])

    def pwm(self, background: Sequence[float] = (0.25,) * 4, pseudocount: float = 0.01) -> np.ndarray:
        """Log2-odds matrix against ``background``; ``pseudocount`` keeps it finite."""
        probs = (self.ppm + pseudocount) / (1 + 4 * pseudocount)
        return np.log2(probs / np.asarray(background, dtype=float)).astype(np.float32)


def information_content(ppm: np.ndarray) -> np.ndarray:
    """Bits per position of a ``(width, 4)`` PPM against a uniform background."""
    ppm = np.asarray(ppm)
    return (ppm * np.log2(np.clip(ppm, 1e-9, 1) / 0.25)).sum(axis=1)


def motifs_by_id(motifs: Sequence[Motif]) -> dict[str, Motif]:
    """Id -> motif, each also under its id without the version (``MA0139`` for
    ``MA0139.2``) where that is not another motif's full id; of several versions, the last."""
    by_id = {motif.id.split(".")[0]: motif for motif in motifs}
    by_id.update({motif.id: motif for motif in motifs})
    return by_id


def sample_bases(motif: Motif, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` sites drawn from a motif's PPM, each column independently: ``(n, width)`` base
    indices in A, C, G, T order."""
    cumulative = np.cumsum(motif.ppm, axis=1)
    draws = rng.random((n, motif.width, 1))
    return np.minimum((draws > cumulative[None]).sum(axis=2), 3)


def breaking_substitution(motif: Motif, strand: str = "+") -> tuple[int, str]:
    """The SNV that breaks a site of ``motif`` most: its most informative column changed to
    the base the motif least expects there. Returns the column's offset from the site's
    start on the genome and that base, both on the plus strand (for a ``-`` site the column
    counts from the site's end and the base is complemented)."""
    column = int(np.argmax(information_content(motif.ppm)))
    least = int(np.argmin(motif.ppm[column]))
    if strand == "+":
        return column, "ACGT"[least]
    return motif.width - 1 - column, "ACGT"[3 - least]


def scan_max(x: np.ndarray, pwm: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """Best PWM score of each one-hot sequence over all positions and both strands.

    Parameters
    ----------
    x
        ``(N, L, 4)`` one-hot sequences (any numeric dtype).
    pwm
        ``(W, 4)`` log-odds matrix, ``W <= L``.

    Returns
    -------
    numpy.ndarray
        ``(N,)`` float32 scores.
    """
    x = np.asarray(x)
    width, length = pwm.shape[0], x.shape[1]
    if width > length:
        raise ValueError(f"motif of width {width} is longer than the sequences ({length} bp)")
    both = np.stack([pwm, pwm[::-1, ::-1]], axis=-1).astype(np.float32)  # (W, 4, 2)
    n_windows = length - width + 1
    best = np.empty(x.shape[0], dtype=np.float32)
    for start in range(0, x.shape[0], batch_size):
        chunk = x[start:start + batch_size].astype(np.float32)
        scores = np.zeros((chunk.shape[0], n_windows, 2), dtype=np.float32)
        for k in range(width):
            scores += chunk[:, k:k + n_windows, :] @ both[k]
        best[start:start + batch_size] = scores.max(axis=(1, 2))
    return best
