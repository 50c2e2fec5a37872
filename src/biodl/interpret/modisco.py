"""Motif discovery from attributions: TF-MoDISco (modisco-lite) patterns of each explained
output (:func:`discover_patterns`, the workflow's ``modisco`` step)."""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from biodl.data.pwm import Motif
from biodl.interpret.attribution import Attributions, hypothetical_contributions
from biodl.io.files import PathLike, write_json, write_table
from biodl.io.meme import write_meme

log = logging.getLogger(__name__)

MIN_CLUSTER_SIZE = 20
"""Fewest seqlets a MoDISco pattern is kept with."""
MAX_SEQLETS = 20000
"""Seqlets per metacluster: modisco-lite's own default (``TFMoDISco``)."""
LEIDEN_RUNS = 2
"""Leiden clusterings with different seeds: the ``modisco motifs`` command's default (the
``TFMoDISco`` function's is 50)."""


def run_modisco(
    one_hot: np.ndarray, hypothetical: np.ndarray, prefix: str = "pattern", max_seqlets: int = MAX_SEQLETS,
    window: int = 21, flank: int = 10, trim_fraction: float = 0.3, min_cluster_size: int = MIN_CLUSTER_SIZE,
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
    if not np.any(one_hot * hypothetical):
        return [], []  # no contribution anywhere: nothing to find (and modisco-lite fails on it)
    with _merges_that_end():
        positive, negative = TFMoDISco(
            one_hot, hypothetical, sliding_window_size=window, flank_size=flank,
            max_seqlets_per_metacluster=max_seqlets, final_min_cluster_size=min_cluster_size,
            n_leiden_runs=LEIDEN_RUNS, min_metacluster_size=min(100, max(10, len(one_hot) // 10)), verbose=False,
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


@contextlib.contextmanager
def _merges_that_end() -> Iterator[None]:
    """modisco-lite with one endless loop closed.

    ``SimilarPatternsCollapser`` merges similar patterns until no merge is proposed. When
    polishing a merged pattern leaves nothing (every seqlet of the merge falls off a sequence
    end once flanks are added: short sequences), it keeps both patterns, proposes the same
    merge again and loops forever (modisco-lite 2.2-3.0; 30 windows of 120 bp hit it). Here
    the second identical failure of a merge keeps its larger (parent) pattern, which takes the
    smaller one's place, so the loop ends (counted in the log). A run in which no merge fails
    twice is unchanged. A modisco-lite without these functions runs as it is.
    """
    from modiscolite import aggregator

    merge = getattr(aggregator, "merge_in_seqlets_filledges", None)
    polish = getattr(aggregator, "polish_pattern", None)
    if merge is None or polish is None:  # another modisco-lite: run it as it is
        yield
        return
    parents, failed, kept = {}, set(), [0]

    def from_collapser() -> bool:
        caller = inspect.currentframe().f_back.f_back  # past this function and the wrapper
        return caller is not None and caller.f_code.co_name == "SimilarPatternsCollapser"

    def remembering_merge(parent_pattern, *args, **kwargs):
        merged = merge(parent_pattern, *args, **kwargs)
        if from_collapser():
            parents[id(merged)] = parent_pattern
        return merged

    def ending_polish(pattern, *args, **kwargs):
        polished = polish(pattern, *args, **kwargs)
        parent = parents.pop(id(pattern), None) if from_collapser() else None
        if polished is None and parent is not None:
            key = (id(parent), len(pattern), tuple((s.example_idx, s.start, s.end) for s in pattern.seqlets))
            if key in failed:
                kept[0] += 1
                return parent
            failed.add(key)
        return polished

    aggregator.merge_in_seqlets_filledges, aggregator.polish_pattern = remembering_merge, ending_polish
    try:
        yield
    finally:
        aggregator.merge_in_seqlets_filledges, aggregator.polish_pattern = merge, polish
        if kept[0]:
            log.info("MoDISco: %d merge(s) of similar patterns left nothing after polishing (seqlets at sequence "
                     "ends); the larger pattern was kept for each", kept[0])


@dataclass
class Patterns:
    """MoDISco patterns of every explained output.

    Attributes
    ----------
    motifs
        Patterns as PPMs, ids ``<output>_pos<k>`` / ``<output>_neg<k>``; for an output where
        MoDISco found none, its most influential filters (``<output>_filter<k>``).
    table
        One row per motif: ``motif_id``, ``output``, ``source`` (``modisco`` or
        ``filter``), ``n_seqlets`` (sites for a filter), ``width``.
    summary
        Per output: ``split``, ``sequences``, ``seqlets`` and ``seqlet_threshold`` (MoDISco's
        seqlet calling), ``patterns``, ``fallback_filters``.
    """

    motifs: list[Motif]
    table: pd.DataFrame
    summary: dict[str, dict] = field(default_factory=dict)

    def write(self, meme: PathLike, table: PathLike, summary: PathLike | None = None) -> None:
        """Write the motifs (MEME, with their seqlet counts), the table (TSV) and the
        summary (JSON)."""

        write_meme(meme, self.motifs, nsites=self.table["n_seqlets"].tolist())
        write_table(table, self.table, index=False)
        if summary is not None:
            write_json(summary, self.summary)


def seqlet_count(one_hot: np.ndarray, hypothetical: np.ndarray, window: int = 21, flank: int = 10) -> tuple[int, float]:
    """How many seqlets modisco-lite calls in these contributions, and the contribution
    threshold it calls them at (its defaults: target FDR 0.2, 3-20 % of windows)."""
    from modiscolite.extract_seqlets import extract_seqlets

    scores = (np.asarray(one_hot, dtype=np.float32) * np.asarray(hypothetical, dtype=np.float32)).sum(axis=2)
    if not np.any(scores):
        return 0, float("nan")
    coords, threshold = extract_seqlets(
        attribution_scores=scores, window_size=window, flank=flank, suppress=int(0.5 * window) + flank,
        target_fdr=0.2, min_passing_windows_frac=0.03, max_passing_windows_frac=0.2,
        weak_threshold_for_counting_sign=0.8)
    return len(coords), float(threshold)


FALLBACK_FILTERS = 5
"""Where MoDISco finds no pattern, this many of the most influential filters stand in."""


def discover_patterns(
    attributions: Attributions, *, method: str = "deeplift", max_seqlets: int = MAX_SEQLETS, window: int = 21,
    flank: int = 10, trim_fraction: float = 0.3,
) -> Patterns:
    """Run :func:`run_modisco` on each explained output's sequences, with the ``method``
    attributions as hypothetical contributions; say how many seqlets were called where no
    pattern comes out (see :func:`stand_in_filters` for what to show instead).

    Parameters
    ----------
    attributions
        From :func:`biodl.interpret.attribution.attribute` (or :meth:`Attributions.load`).
    method
        Attributions to use (it must be among the attributions' methods): ``deeplift``
        (hypothetical contributions already), or ``saliency`` / ``ism`` (mean-centred).
    max_seqlets, window, flank, trim_fraction
        See :func:`run_modisco`.
    """
    if method not in attributions.methods:
        raise ValueError(f"the attributions hold {attributions.methods}, not {method!r}; add it to the methods")
    motifs, rows, summary = [], [], {}
    for name, j in zip(attributions.outputs, attributions.output_indices):
        hypothetical = hypothetical_contributions(attributions.values[j][method], method)
        found, counts = run_modisco(
            attributions.x[j], hypothetical, prefix=name,
            max_seqlets=max_seqlets, window=window, flank=flank, trim_fraction=trim_fraction,
        )
        seqlets, threshold = seqlet_count(attributions.x[j], hypothetical, window, flank)
        summary[name] = {"split": attributions.split, "sequences": len(attributions.x[j]), "method": method,
                         "seqlets": seqlets, "seqlet_threshold": threshold, "patterns": len(found),
                         "fallback_filters": []}
        log.info("MoDISco on %d %s-split sequences of output %r (%s): %d seqlets above %.3g, %d patterns",
                 len(attributions.x[j]), attributions.split, name, method, seqlets, threshold, len(found))
        if not found:
            log.warning("MoDISco found no pattern for output %r: %d seqlets were called (contribution threshold "
                        "%.3g); a pattern needs %d seqlets that cluster together", name, seqlets, threshold,
                        MIN_CLUSTER_SIZE)
        motifs += found
        rows += [(m.id, name, "modisco", n, m.width) for m, n in zip(found, counts)]
    return Patterns(motifs, pd.DataFrame(rows, columns=["motif_id", "output", "source", "n_seqlets", "width"]),
                    summary)


def stand_in_filters(patterns: Patterns, filters: Sequence[Motif], sites: Sequence[int],
                     n: int = FALLBACK_FILTERS) -> Patterns:
    """``patterns`` with, for each output that has none, the ``n`` first of ``filters``
    (give them most influential first) as ``<output>_filter<k>``, marked ``source: filter``."""
    motifs, table = list(patterns.motifs), patterns.table
    for name, summary in patterns.summary.items():
        if summary["patterns"] or not filters:
            continue
        stand_ins = [Motif(f"{name}_{m.id}", m.name, m.ppm) for m in filters[:n]]
        log.warning("output %r: the %d most influential filters stand in for MoDISco patterns: %s", name,
                    len(stand_ins), ", ".join(m.name for m in stand_ins))
        summary["fallback_filters"] = [m.name for m in stand_ins]
        motifs += stand_ins
        rows = pd.DataFrame([(m.id, name, "filter", count, m.width) for m, count in zip(stand_ins, sites)],
                            columns=table.columns)
        table = pd.concat([table, rows], ignore_index=True) if len(table) else rows
    return Patterns(motifs, table, patterns.summary)


def patterns_or_filters(
    attributions: Attributions, filters: Sequence[Motif], filter_table: pd.DataFrame, *, method: str = "deeplift",
    max_seqlets: int = MAX_SEQLETS, window: int = 21, flank: int = 10, trim_fraction: float = 0.3,
    stand_ins: int = FALLBACK_FILTERS,
) -> Patterns:
    """The workflow's ``modisco`` step: :func:`discover_patterns`, then, for each output
    without a pattern, its ``stand_ins`` most influential filters (:func:`stand_in_filters`).

    Parameters
    ----------
    attributions
        As :func:`discover_patterns`, whose keyword arguments follow.
    filters, filter_table
        The filters' motifs and their table (:class:`biodl.interpret.filters.FilterMotifs`),
        indexed by filter id: ``n_sites``, and ``influence_rank`` where measured; filters are
        ranked by it, or by their number of sites without it.
    stand_ins
        Filters that stand in for an output without patterns.
    """
    order = filter_table["influence_rank"] if "influence_rank" in filter_table else -filter_table["n_sites"]
    ranked = sorted(filters, key=lambda motif: order[motif.id])
    found = discover_patterns(attributions, method=method, max_seqlets=max_seqlets, window=window, flank=flank,
                              trim_fraction=trim_fraction)
    return stand_in_filters(found, ranked, [int(filter_table.loc[m.id, "n_sites"]) for m in ranked], stand_ins)
