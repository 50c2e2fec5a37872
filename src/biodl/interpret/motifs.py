"""Motif files, discovery and comparison: MEME text format, TF-MoDISco (modisco-lite),
TOMTOM and FIMO (memelite, in-process, no MEME suite binary)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from biodl import io
from biodl.motifs import Motif
from biodl.sequence import ALPHABET


def write_meme(path: io.PathLike, motifs: Sequence[Motif], nsites: Sequence[int] | None = None) -> None:
    """Write motifs as a MEME (minimal) text file, atomically."""
    lines = ["MEME version 4", "", f"ALPHABET= {ALPHABET}", "", "strands: + -", "",
             "Background letter frequencies", "A 0.25 C 0.25 G 0.25 T 0.25", ""]
    for i, motif in enumerate(motifs):
        sites = nsites[i] if nsites is not None else 20
        lines += [f"MOTIF {motif.id} {motif.name}", "",
                  f"letter-probability matrix: alength= 4 w= {motif.width} nsites= {sites} E= 0"]
        lines += ["  " + "  ".join(f"{p:.6f}" for p in row) for row in motif.ppm]
        lines.append("")
    with io.atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")


def read_meme(path: io.PathLike, allow_empty: bool = False) -> list[Motif]:
    """Read every motif of a MEME text file (``allow_empty``: a file with none is fine).

    Raises
    ------
    io.InputError
        Naming the file and line where the format breaks (missing matrix header, wrong
        number of columns or rows, non-numeric values, rows not summing to 1).
    """
    path = Path(path)
    if not path.is_file():
        raise io.InputError(f"{path}: MEME file not found")
    lines = path.read_text().splitlines()
    motifs: list[Motif] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line.startswith("MOTIF"):
            i += 1
            continue
        fields = line.split()
        if len(fields) < 2:
            raise io.InputError(f"{path}: line {i + 1}: MOTIF line without an identifier")
        motif_id = fields[1]
        name = fields[2] if len(fields) > 2 else motif_id
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith("letter-probability"):
            if lines[j].strip().startswith("MOTIF"):
                break
            j += 1
        if j >= len(lines) or not lines[j].strip().startswith("letter-probability"):
            raise io.InputError(f"{path}: line {i + 1}: motif {motif_id!r} has no 'letter-probability matrix' line")
        match = re.search(r"w=\s*(\d+)", lines[j])
        if match is None:
            raise io.InputError(f"{path}: line {j + 1}: letter-probability line lacks 'w= <width>'")
        width = int(match.group(1))
        rows = []
        if j + width >= len(lines):
            raise io.InputError(f"{path}: motif {motif_id!r} ends after {len(lines) - j - 1} of {width} rows")
        for k in range(j + 1, j + 1 + width):
            try:
                row = [float(v) for v in lines[k].split()]
            except ValueError:
                raise io.InputError(f"{path}: line {k + 1}: non-numeric value in motif {motif_id!r}") from None
            if len(row) != 4:
                raise io.InputError(f"{path}: line {k + 1}: motif {motif_id!r} needs {width} rows of 4 "
                                    f"probabilities, found {lines[k].strip()!r}")
            rows.append(row)
        ppm = np.array(rows, dtype=float)
        if not np.allclose(ppm.sum(axis=1), 1, atol=0.02):
            raise io.InputError(f"{path}: motif {motif_id!r}: rows must sum to 1 (probabilities)")
        motifs.append(Motif(motif_id, name, ppm / ppm.sum(axis=1, keepdims=True)))
        i = j + 1 + width
    if not motifs and not allow_empty:
        raise io.InputError(f"{path}: no 'MOTIF' entries found; is this a MEME motif file?")
    return motifs


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
    return pd.DataFrame(rows, columns=["query", "rank", "target_id", "target_name", "p_value", "q_value",
                                       "offset", "overlap", "strand"])


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


def fimo_hits(motifs: Sequence[Motif], x: np.ndarray, ids: Sequence[str], threshold: float = 1e-4) -> pd.DataFrame:
    """Significant motif sites in one-hot sequences (memelite FIMO), both strands.

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
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float32).transpose(0, 2, 1))
    tables = fimo({m.id: m.ppm.T for m in motifs}, x, threshold=threshold)
    hits = []
    for motif, table in zip(motifs, tables):
        if len(table) == 0:
            continue
        table = table.rename(columns={"sequence_name": "sequence_index", "p-value": "p_value"})
        table["motif_id"] = motif.id
        table["sequence_id"] = np.asarray(ids)[table["sequence_index"].astype(int)]
        hits.append(table)
    if not hits:
        return pd.DataFrame(columns=columns)
    return pd.concat(hits)[columns].sort_values(["motif_id", "p_value"]).reset_index(drop=True)
