"""Position frequency matrices: the JASPAR database (offline, through pyjaspar), log-odds
PWMs and scanning one-hot sequences for the best match on either strand."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from biodl.sequence import ALPHABET

DEFAULT_RELEASE = "JASPAR2024"


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
    """

    id: str
    name: str
    ppm: np.ndarray

    @property
    def width(self) -> int:
        return int(self.ppm.shape[0])

    def pwm(self, background: Sequence[float] = (0.25,) * 4, pseudocount: float = 0.01) -> np.ndarray:
        """Log2-odds matrix against ``background``; ``pseudocount`` keeps it finite."""
        probs = (self.ppm + pseudocount) / (1 + 4 * pseudocount)
        return np.log2(probs / np.asarray(background, dtype=float)).astype(np.float32)


@lru_cache(maxsize=4)
def _jaspar(release: str):
    from pyjaspar import jaspardb

    available = jaspardb().get_releases()
    if release not in available:
        raise ValueError(f"JASPAR release {release!r} is not shipped with pyjaspar; choose one of {available}")
    return jaspardb(release=release)


def fetch_jaspar(motif_ids: Sequence[str], release: str = DEFAULT_RELEASE) -> list[Motif]:
    """Fetch motifs from the JASPAR database that pyjaspar ships (no network).

    Parameters
    ----------
    motif_ids
        Matrix ids, with version (``MA0139.2``) or without (``MA0139``: the latest version
        in ``release``).
    release
        A JASPAR release pyjaspar knows, e.g. ``JASPAR2024``.

    Raises
    ------
    ValueError
        For an unknown release or a matrix id not in it.
    """
    db = _jaspar(release)
    motifs = []
    for motif_id in motif_ids:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            record = db.fetch_motif_by_id(motif_id)
        if record is None:
            raise ValueError(f"motif {motif_id!r} is not in {release}; check the matrix id")
        motifs.append(_from_jaspar(record))
    return motifs


def jaspar_database(
    release: str = DEFAULT_RELEASE, collection: str = "CORE", tax_group: str | None = "vertebrates"
) -> list[Motif]:
    """Every matrix of a JASPAR release / collection / taxon, offline through pyjaspar.

    Raises
    ------
    ValueError
        If the selection is empty (e.g. a misspelt taxon).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = _jaspar(release).fetch_motifs(collection=collection, tax_group=tax_group)
    if not records:
        raise ValueError(
            f"the JASPAR selection release={release!r}, collection={collection!r}, "
            f"tax_group={tax_group!r} holds no motifs; check the spelling (e.g. 'vertebrates')"
        )
    return [_from_jaspar(record) for record in records]


def _from_jaspar(record) -> Motif:
    counts = np.array([record.counts[base] for base in ALPHABET], dtype=float).T
    return Motif(record.matrix_id, record.name, counts / counts.sum(axis=1, keepdims=True))


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
