"""Comparing learned motifs with known ones (TOMTOM) and finding their sites in sequences
(FIMO), both through memelite, in-process (no MEME suite binary)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from biodl.io.arrays import row_chunks
from biodl.pwm import Motif

log = logging.getLogger(__name__)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values along the last axis."""
    p = np.asarray(p_values, dtype=float)
    n = p.shape[-1]
    order = np.argsort(p, axis=-1)
    ranked = np.take_along_axis(p, order, axis=-1) * n / np.arange(1, n + 1)
    ranked = np.minimum.accumulate(ranked[..., ::-1], axis=-1)[..., ::-1]
    q = np.empty_like(ranked)
    np.put_along_axis(q, order, np.minimum(ranked, 1.0), axis=-1)
    return q


def tomtom_matches(queries: Sequence[Motif], targets: Sequence[Motif], top: int = 5) -> pd.DataFrame:
    """TOMTOM (memelite) of each query against all targets; the ``top`` best per query.

    Parameters
    ----------
    queries, targets
        Motifs to match, and the known motifs (e.g. :func:`biodl.io.jaspar.motif_database`).
    top
        Matches kept per query, best first.

    Returns
    -------
    pandas.DataFrame
        ``query``, ``rank``, ``target_id``, ``target_name``, ``p_value``, ``q_value`` (BH
        over all targets of that query), ``offset``, ``overlap``, ``strand``.
    """
    from memelite.tomtom import tomtom

    if not queries:
        return pd.DataFrame(columns=["query", "rank", "target_id", "target_name", "p_value", "q_value",
                                     "offset", "overlap", "strand"])
    p, _, offsets, overlaps, strands = tomtom([q.ppm.T for q in queries], [t.ppm.T for t in targets])
    q = benjamini_hochberg(p)
    rows = []
    for i, query in enumerate(queries):
        for rank, j in enumerate(np.argsort(p[i])[:top], start=1):
            rows.append((query.id, rank, targets[j].id, targets[j].name, float(p[i, j]), float(q[i, j]),
                         int(offsets[i, j]), int(overlaps[i, j]), "+" if strands[i, j] == 0 else "-"))
    table = pd.DataFrame(rows, columns=["query", "rank", "target_id", "target_name", "p_value", "q_value",
                                        "offset", "overlap", "strand"])
    for row in table[table["rank"] == 1].itertuples():
        log.info("%s -> %s %s (p=%.2g, q=%.2g)", row.query, row.target_id, row.target_name, row.p_value, row.q_value)
    return table


FIMO_CHUNK = 8192
""":func:`fimo_hits` scans this many sequences at a time."""


def fimo_hits(motifs: Sequence[Motif], x, ids: Sequence[str], threshold: float = 1e-4) -> pd.DataFrame:
    """Significant motif sites in one-hot sequences (memelite FIMO), both strands.

    Parameters
    ----------
    motifs
        Motifs to scan for.
    x, ids
        ``(N, L, 4)`` one-hot sequences (an array or :class:`~biodl.io.arrays.StoredRows`,
        scanned a chunk at a time) and their ids.
    threshold
        Sites with a p-value below it are reported.

    Returns
    -------
    pandas.DataFrame
        ``motif_id``, ``sequence_id``, ``start``, ``end`` (0-based, end exclusive),
        ``strand``, ``score``, ``p_value``.
    """
    from memelite.fimo import fimo

    columns = ["motif_id", "sequence_id", "start", "end", "strand", "score", "p_value"]
    if not motifs:
        return pd.DataFrame(columns=columns)
    ids = np.asarray(ids)
    ppms = {m.id: m.ppm.T for m in motifs}
    hits = []
    for start, chunk in zip(range(0, len(x), FIMO_CHUNK), row_chunks(x, FIMO_CHUNK)):
        chunk = np.ascontiguousarray(chunk.astype(np.float32).transpose(0, 2, 1))
        for motif, table in zip(motifs, fimo(ppms, chunk, threshold=threshold)):
            if len(table) == 0:
                continue
            table = table.rename(columns={"sequence_name": "sequence_index", "p-value": "p_value"})
            table["motif_id"] = motif.id
            table["sequence_id"] = ids[start + table["sequence_index"].astype(int)]
            hits.append(table)
    if not hits:
        return pd.DataFrame(columns=columns)
    return pd.concat(hits)[columns].sort_values(["motif_id", "p_value"], kind="stable").reset_index(drop=True)
