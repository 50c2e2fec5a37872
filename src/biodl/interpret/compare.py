"""Comparing learned motifs with known ones (TOMTOM) and finding their sites in sequences
(FIMO), both through memelite, in-process (no MEME suite binary)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biodl.data.pwm import Motif
from biodl.io.arrays import row_chunks

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


MATCH_COLUMNS = ["query", "rank", "target_id", "target_name", "p_value", "q_value", "offset", "overlap", "strand"]


def _tomtom(queries: Sequence[Motif], targets: Sequence[Motif]):
    from memelite.tomtom import tomtom

    p, _, offsets, overlaps, strands = tomtom([q.ppm.T for q in queries], [t.ppm.T for t in targets])
    return np.asarray(p, dtype=float), offsets, overlaps, strands


def _best_matches(queries, targets, p, offsets, overlaps, strands, top: int) -> pd.DataFrame:
    q = benjamini_hochberg(p)
    rows = []
    for i, query in enumerate(queries):
        for rank, j in enumerate(np.argsort(p[i])[:top], start=1):
            rows.append((query.id, rank, targets[j].id, targets[j].name, float(p[i, j]), float(q[i, j]),
                         int(offsets[i, j]), int(overlaps[i, j]), "+" if strands[i, j] == 0 else "-"))
    return pd.DataFrame(rows, columns=MATCH_COLUMNS)


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
    if not queries:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    table = _best_matches(queries, targets, *_tomtom(queries, targets), top)
    for row in table[table["rank"] == 1].itertuples():
        log.info("%s -> %s %s (p=%.2g, q=%.2g)", row.query, row.target_id, row.target_name, row.p_value, row.q_value)
    return table


NULL_SHUFFLES = 10
"""Column-shuffled copies per motif in :func:`shuffled_columns`, unless a caller says otherwise."""


def shuffled_columns(motifs: Sequence[Motif], copies: int = NULL_SHUFFLES, seed: int = 1) -> list[Motif]:
    """``copies`` column-shuffled copies of each motif: the same columns (composition and
    information) in a random order, a null for motif matching."""
    rng = np.random.default_rng(seed)
    return [Motif(f"{m.id}_shuffle{k}", m.name, m.ppm[rng.permutation(m.width)])
            for m in motifs for k in range(copies)]


@dataclass
class CalibratedMatches:
    """TOMTOM matches with an empirical false match rate from null motifs.

    Attributes
    ----------
    table
        :func:`tomtom_matches`'s columns plus ``false_match_rate`` (the fraction of null
        motifs that match the same target at least as well) and ``beyond_null``
        (``q_value <= max_q``, ``false_match_rate <= max_false_match_rate`` and
        ``overlap >= min_overlap``).
    summary
        ``queries``, ``null_motifs``, ``significant`` (queries whose best match has
        ``q <= max_q``), ``null_significant_rate`` (the same fraction among the null motifs:
        how often TOMTOM's q-value alone calls a match on motifs that mean nothing),
        ``beyond_null`` (queries with a match beyond the null), ``null_false_match_rate``
        (the fraction of null motifs that pass the same rule against the other null motifs),
        and the thresholds.
    """

    table: pd.DataFrame
    summary: dict


def calibrated_matches(
    queries: Sequence[Motif], targets: Sequence[Motif], null: Sequence[Motif], *, top: int = 5,
    max_q: float = 0.05, max_false_match_rate: float = 0.0, min_overlap: int = 5,
) -> CalibratedMatches:
    """TOMTOM matches that count only beyond what null motifs reach.

    TOMTOM's p-values assume motifs unlike those a network learns: long, low-information
    PPMs match long database motifs (CTCF's 31-33 bp matrices most of all) at q < 1e-6 by
    their uninformative columns alone. Null motifs made the same way (the filters of the
    untrained network, or column-shuffled copies of the queries) set a per-target bar: a
    match of target ``t`` at p-value ``p`` has false match rate ``f`` when a fraction ``f``
    of the null motifs match ``t`` with a p-value of ``p`` or lower.

    Parameters
    ----------
    queries, targets
        Motifs to match and the known motifs.
    null
        Null motifs (e.g. :func:`shuffled_columns` of the queries, or the untrained
        network's filters from :func:`biodl.interpret.filters.untrained_filter_motifs`).
    top
        Matches kept per query.
    max_q, max_false_match_rate, min_overlap
        A match is beyond the null when its q-value, its false match rate and the number of
        aligned columns pass all three.
    """
    summary = {"queries": len(queries), "null_motifs": len(null), "max_q": max_q,
               "max_false_match_rate": max_false_match_rate, "min_overlap": min_overlap, "significant": 0,
               "beyond_null": 0}
    if not queries:
        return CalibratedMatches(pd.DataFrame(columns=MATCH_COLUMNS + ["false_match_rate", "beyond_null"]), summary)
    if not null:
        raise ValueError("calibrated_matches needs null motifs (e.g. shuffled_columns(queries))")
    def beyond_null(q, rate, overlap):
        return (q <= max_q) & (rate <= max_false_match_rate) & (overlap >= min_overlap)

    p_null, _, overlaps_null, _ = _tomtom(null, targets)
    q_null = benjamini_hochberg(p_null)
    ranked_null = np.sort(p_null, axis=0)  # per target, the null p-values in order
    summary["null_significant_rate"] = float((q_null.min(axis=1) <= max_q).mean())
    # the rule applied to each null motif's best match, against the other null motifs
    rows, best = np.arange(len(null)), p_null.argmin(axis=1)
    rate = _rate(ranked_null, best, p_null[rows, best], leave_one_out=True)
    summary["null_false_match_rate"] = float(beyond_null(q_null[rows, best], rate, overlaps_null[rows, best]).mean())
    p, offsets, overlaps, strands = _tomtom(queries, targets)
    table = _best_matches(queries, targets, p, offsets, overlaps, strands, top)
    target_index = {t.id: j for j, t in enumerate(targets)}
    columns = table["target_id"].map(target_index).to_numpy()
    table["false_match_rate"] = _rate(ranked_null, columns, table["p_value"].to_numpy())
    table["beyond_null"] = beyond_null(table["q_value"], table["false_match_rate"], table["overlap"])
    best_rows = table[table["rank"] == 1]
    summary["significant"] = int((best_rows["q_value"] <= max_q).sum())
    summary["beyond_null"] = int(table.groupby("query")["beyond_null"].any().sum())
    log.info("%d of %d motifs match at q <= %g (null motifs: %.0f %%); %d beyond the null (false match rate <= %g; "
             "null motifs passing the same rule: %.1f %%)", summary["significant"], len(queries), max_q,
             100 * summary["null_significant_rate"], summary["beyond_null"], max_false_match_rate,
             100 * summary["null_false_match_rate"])
    for row in best_beyond_null(table).itertuples():
        log.info("%s -> %s %s (p=%.2g, q=%.2g, false match rate %.3g)", row.query, row.target_id, row.target_name,
                 row.p_value, row.q_value, row.false_match_rate)
    return CalibratedMatches(table, summary)


def best_beyond_null(matches: pd.DataFrame) -> pd.DataFrame:
    """Each query's best match beyond the null: its first row by ``rank`` among the rows of a
    :class:`CalibratedMatches` table with ``beyond_null`` (none for a query without one)."""
    beyond = matches[matches["beyond_null"].astype(bool)]
    return beyond.sort_values(["query", "rank"], kind="stable").drop_duplicates("query")


MIN_INFLUENCE = 0.25
"""A filter is a finding only if its influence is at least this fraction of the largest."""


def mark_findings(matches: CalibratedMatches, influence: pd.Series | None = None,
                  min_influence: float = MIN_INFLUENCE) -> CalibratedMatches:
    """Add ``influence`` and ``finding`` columns: a finding is a query's best match beyond
    the null, made by a query that matters (influence at least ``min_influence`` times the
    largest, where influences are given, as for filters; Basset's silencing).

    Parameters
    ----------
    influence
        Per query id, e.g. the ``influence`` column of filters.tsv; ``None`` for motifs
        without one (MoDISco patterns: their seqlets already carry the contributions).
    """
    table = matches.table.copy()  # rows run by query, best rank first
    first = table.index.isin(best_beyond_null(table).index)
    influential = pd.Series(True, index=table.index)
    if influence is not None and len(influence):
        table["influence"] = table["query"].map(influence)
        influential = table["influence"] >= min_influence * float(influence.max())
    table["finding"] = first & influential
    summary = {**matches.summary, "min_influence": min_influence if influence is not None else None,
               "findings": int(table["finding"].sum()),
               "finding_targets": table.loc[table["finding"], "target_name"].value_counts().to_dict()}
    log.info("%d findings: %s", summary["findings"],
             ", ".join(f"{name} x{n}" for name, n in summary["finding_targets"].items()) or "none")
    return CalibratedMatches(table, summary)


def match_motifs(queries: Sequence[Motif], targets: Sequence[Motif], null: Sequence[Motif] | None = None,
                 influence: pd.Series | None = None, *, top: int = 5, max_q: float = 0.05,
                 max_false_match_rate: float = 0.0, min_overlap: int = 5, null_shuffles: int = NULL_SHUFFLES,
                 seed: int = 1, min_influence: float = MIN_INFLUENCE) -> CalibratedMatches:
    """The workflow's ``tomtom`` step: :func:`calibrated_matches` of ``queries`` against the
    known motifs, then :func:`mark_findings`.

    Parameters
    ----------
    queries, targets
        Motifs to match (filters or MoDISco patterns) and the known motifs
        (:func:`biodl.io.jaspar.motif_database`).
    null
        Null motifs made the way the queries are (the untrained network's filters), or
        none. ``null_shuffles`` column-shuffled copies of each query (:func:`shuffled_columns`
        with ``seed``) are always added: they keep each query's composition, so a GC-rich
        query's match to a long GC-rich target (CTCF, zinc fingers) counts only where it beats
        what the same composition in another order reaches.
    influence
        Per query id, the filters' influence (``None`` for MoDISco patterns).
    top, max_q, max_false_match_rate, min_overlap
        As :func:`calibrated_matches`.
    null_shuffles, seed
        The shuffled copies per query, and their seed.
    min_influence
        As :func:`mark_findings`.

    Returns
    -------
    CalibratedMatches
        Its summary also names the null used (``null``).
    """
    source = f"{null_shuffles} column shuffles per motif"
    if null:
        source = f"filters of the untrained network and {source}"
    null = list(null or []) + shuffled_columns(queries, null_shuffles, seed)
    matches = mark_findings(calibrated_matches(queries, targets, null, top=top, max_q=max_q,
                                               max_false_match_rate=max_false_match_rate, min_overlap=min_overlap),
                            influence, min_influence)
    matches.summary["null"] = source
    return matches


def _rate(ranked_null: np.ndarray, columns: np.ndarray, p: np.ndarray, leave_one_out: bool = False) -> np.ndarray:
    """Per (target column, p-value): the fraction of null motifs whose p-value for that
    target is at most ``p`` (``ranked_null`` holds each target's null p-values sorted);
    with ``leave_one_out``, ``p`` is one of the null motifs' own and is not counted."""
    n = ranked_null.shape[0]
    counts = np.array([np.searchsorted(ranked_null[:, j], value, side="right") for j, value in zip(columns, p)])
    if leave_one_out:
        return (counts - 1) / max(n - 1, 1)
    return counts / n


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
        Sites with a p-value below it are reported. A site's p-value is at least ``4^-width``
        (memelite reports 0 for a motif's best words, which no word of ``width`` bases can be
        under a uniform background): short motifs cannot pass a threshold below that.

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
            # memelite gives a motif's best possible words p = 0; no word of w bases is rarer than 4^-w
            table["p_value"] = np.maximum(table["p_value"], 0.25 ** motif.width)
            table = table.loc[table["p_value"] < threshold]
            table["motif_id"] = motif.id
            table["sequence_id"] = ids[start + table["sequence_index"].astype(int)]
            hits.append(table)
    if not hits:
        return pd.DataFrame(columns=columns)
    return pd.concat(hits)[columns].sort_values(["motif_id", "p_value"], kind="stable").reset_index(drop=True)
