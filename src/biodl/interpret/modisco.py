"""Motif discovery from attributions: TF-MoDISco (modisco-lite) patterns of each explained
output (:func:`discover_patterns`, the workflow's ``modisco`` step)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biodl.interpret.attribution import Attributions, hypothetical_contributions
from biodl.io.files import PathLike, write_table
from biodl.pwm import Motif

log = logging.getLogger(__name__)


def run_modisco(
    one_hot: np.ndarray, hypothetical: np.ndarray, prefix: str = "pattern", max_seqlets: int = 2000,
    window: int = 21, flank: int = 10, trim_fraction: float = 0.3, min_cluster_size: int = 20,
) -> tuple[list[Motif], list[int]]:
    """TF-MoDISco (modisco-lite) patterns from hypothetical contributions.

    Parameters
    ----------
    one_hot, hypothetical
        ``(N, L, 4)`` sequences and hypothetical contributions (e.g. mean-centred
        gradients); actual contributions are their product.
    prefix
        Motif ids become ``<prefix>_pos<k>`` / ``<prefix>_neg<k>``.
    max_seqlets, window, flank, min_cluster_size
        modisco-lite settings (seqlets per metacluster, seqlet core and flank sizes, the
        smallest pattern kept).
    trim_fraction
        Trim each pattern's flanks to the positions whose total absolute contribution is
        at least this fraction of the pattern's maximum.

    Returns
    -------
    motifs, n_seqlets
        Patterns as PPMs, and how many seqlets support each.
    """
    from modiscolite.tfmodisco import TFMoDISco

    one_hot = np.asarray(one_hot, dtype=np.float32)
    hypothetical = np.asarray(hypothetical, dtype=np.float32)
    if one_hot.shape != hypothetical.shape or one_hot.ndim != 3 or one_hot.shape[-1] != 4:
        raise ValueError(f"one_hot {one_hot.shape} and hypothetical {hypothetical.shape} must both be (N, L, 4)")
    positive, negative = TFMoDISco(
        one_hot, hypothetical, sliding_window_size=window, flank_size=flank,
        max_seqlets_per_metacluster=max_seqlets, final_min_cluster_size=min_cluster_size,
        min_metacluster_size=min(100, max(10, len(one_hot) // 10)), verbose=False,
    )
    motifs, counts = [], []
    for sign, patterns in (("pos", positive), ("neg", negative)):
        for k, pattern in enumerate(patterns or []):
            score = np.abs(pattern.contrib_scores).sum(axis=1)
            keep = np.flatnonzero(score >= trim_fraction * score.max())
            ppm = np.asarray(pattern.sequence)[keep[0]:keep[-1] + 1]
            ppm = ppm / ppm.sum(axis=1, keepdims=True)
            motifs.append(Motif(f"{prefix}_{sign}{k}", f"{prefix}_{sign}{k}", ppm))
            counts.append(len(pattern.seqlets))
    return motifs, counts


@dataclass
class Patterns:
    """MoDISco patterns of every explained output.

    Attributes
    ----------
    motifs
        Patterns as PPMs, ids ``<output>_pos<k>`` / ``<output>_neg<k>``.
    table
        One row per pattern: ``motif_id``, ``output``, ``n_seqlets``, ``width``.
    """

    motifs: list[Motif]
    table: pd.DataFrame

    def write(self, meme: PathLike, table: PathLike) -> None:
        """Write the patterns (MEME, with their seqlet counts) and the table (TSV)."""
        from biodl.io.meme import write_meme

        write_meme(meme, self.motifs, nsites=self.table["n_seqlets"].tolist())
        write_table(table, self.table, index=False)


def discover_patterns(
    attributions: Attributions, *, method: str = "saliency", max_seqlets: int = 2000, window: int = 21,
    flank: int = 10, trim_fraction: float = 0.3,
) -> Patterns:
    """Run :func:`run_modisco` on each explained output's sequences, with the mean-centred
    ``method`` attributions as hypothetical contributions.

    Parameters
    ----------
    attributions
        From :func:`biodl.interpret.attribution.attribute` (or :meth:`Attributions.load`).
    method
        Gradient-type attributions to use: ``saliency`` or ``ism``; it must be among the
        attributions' methods.
    max_seqlets, window, flank, trim_fraction
        See :func:`run_modisco`.
    """
    if method not in attributions.methods:
        raise ValueError(f"the attributions hold {attributions.methods}, not {method!r}; add it to the methods")
    motifs, rows = [], []
    for name, j in zip(attributions.outputs, attributions.output_indices):
        found, counts = run_modisco(
            attributions.x[j], hypothetical_contributions(attributions.values[j][method]), prefix=name,
            max_seqlets=max_seqlets, window=window, flank=flank, trim_fraction=trim_fraction,
        )
        if not found:
            log.warning("MoDISco found no pattern for output %r", name)
        motifs += found
        rows += [(m.id, name, n, m.width) for m, n in zip(found, counts)]
    return Patterns(motifs, pd.DataFrame(rows, columns=["motif_id", "output", "n_seqlets", "width"]))
