"""Motif hits over the explained sequences: the stretches where the attributions are
significantly positive (seqlets), each annotated with its best match among the discovered
patterns and the known motifs (as tangermeme's ``annotate_seqlets``), in genome coordinates
when the sequences are windows of a genome, written as BED for a genome browser.

Significance: every window of ``window`` bases gets the sum of its contributions; as in
TF-MoDISco, the negative sums stand for the noise (contributions that lower the output are
not motif sites), taken as symmetric, so a positive sum ``s`` gets the p-value
``(1 + #windows <= -s) / (1 + #windows)`` and the false discovery rate at ``s`` is
``#windows <= -s / #windows >= s``. Windows under ``max_fdr`` are merged into hits.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biodl.data.dna import ALPHABET
from biodl.data.pwm import Motif
from biodl.interpret.attribution import Attributions
from biodl.interpret.compare import best_beyond_null, tomtom_matches
from biodl.io.files import PathLike, atomic_output, write_json, write_table

log = logging.getLogger(__name__)

WINDOW = 10
"""Bases summed per window unless a caller says otherwise."""
MAX_FDR = 0.05
"""Windows at or under this estimated false discovery rate form hits unless a caller says otherwise."""
MAX_MATCH_P = 0.01
"""A hit is named after its best TOMTOM match when the match's p-value is at most this."""
_GENOMIC_ID = re.compile(r"^(?P<chrom>.+):(?P<start>\d+)-(?P<end>\d+)(?P<minus>\(-\))?$")
ACTUAL_FROM_VALUES = ("saliency", "deeplift", "ism")
"""Methods whose values times the input are the actual contributions (the others are already)."""


def contribution_scores(attributions: Attributions, output: int, method: str) -> np.ndarray:
    """``(n, L)`` actual contributions per position of one explained output."""
    values = attributions.values[output][method]
    x = attributions.x[output]
    actual = values * x if method in ACTUAL_FROM_VALUES else values
    return np.asarray(actual, dtype=np.float64).sum(axis=-1)


def call_hits(scores: np.ndarray, window: int = WINDOW, max_fdr: float = MAX_FDR) -> pd.DataFrame:
    """Hits in ``(n, L)`` per-position contributions (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        ``sequence`` (row), ``start``, ``end`` (0-based, end exclusive), ``attribution`` (the
        sum over the hit), ``p_value`` and ``fdr`` of its best window.
    """
    columns = ["sequence", "start", "end", "attribution", "p_value", "fdr"]
    n, length = scores.shape
    if length < window:
        raise ValueError(f"windows of {window} bases do not fit sequences of {length}")
    cumulative = np.concatenate([np.zeros((n, 1)), np.cumsum(scores, axis=1)], axis=1)
    sums = cumulative[:, window:] - cumulative[:, :-window]
    flat = sums.ravel()
    negatives = np.sort(-flat[flat < 0])
    positives = np.sort(flat[flat > 0])
    below = len(negatives) - np.searchsorted(negatives, sums, side="left")  # windows <= -s
    above = len(positives) - np.searchsorted(positives, sums, side="left")  # windows >= s
    fdr = np.where(sums > 0, below / np.maximum(above, 1), np.inf)
    p_value = (1 + below) / (1 + flat.size)
    rows = []
    for k in range(n):
        passing = np.flatnonzero(fdr[k] <= max_fdr)
        if passing.size == 0:
            continue
        breaks = np.flatnonzero(np.diff(passing) > window) + 1
        for group in np.split(passing, breaks):
            start, end = int(group[0]), int(group[-1]) + window
            best = group[np.argmax(sums[k, group])]
            rows.append((k, start, end, float(scores[k, start:end].sum()), float(p_value[k, best]),
                         float(fdr[k, best])))
    return pd.DataFrame(rows, columns=columns)


def _as_motif(one_hot: np.ndarray, name: str) -> Motif:
    return Motif(name, name, 0.9 * np.asarray(one_hot, dtype=float) + 0.025)


def annotate_hits(hits: pd.DataFrame, x: np.ndarray, sources: Mapping[str, Sequence[Motif]],
                  max_p: float = MAX_MATCH_P) -> pd.DataFrame:
    """``hits`` with the best TOMTOM match of each hit's bases in each source of motifs
    (``<source>_match``, ``<source>_p``, ``<source>_strand``; empty when none reaches
    ``max_p``) and ``sequence_text``."""
    hits = hits.copy()
    queries = [_as_motif(x[row.sequence, row.start:row.end], f"hit{k}") for k, row in enumerate(hits.itertuples())]
    hits["sequence_text"] = ["".join(ALPHABET[i] if onehot.max() > 0 else "N" for i, onehot in
                                     zip(q.ppm.argmax(axis=1), x[row.sequence, row.start:row.end]))
                             for q, row in zip(queries, hits.itertuples())]
    for source, motifs in sources.items():
        with warnings.catch_warnings():  # a handful of discovered patterns: TOMTOM warns its p-values lean on them
            warnings.filterwarnings("ignore", message="tomtom was given", category=UserWarning)
            matches = tomtom_matches(queries, list(motifs), top=1) if queries and motifs else pd.DataFrame()
        best = matches.set_index("query") if len(matches) else pd.DataFrame(
            columns=["target_name", "target_id", "p_value", "strand"])
        found = [best.loc[q.id] if q.id in best.index and best.loc[q.id, "p_value"] <= max_p else None
                 for q in queries]
        hits[f"{source}_match"] = [f"{m['target_name']}" if m is not None else "" for m in found]
        hits[f"{source}_id"] = [f"{m['target_id']}" if m is not None else "" for m in found]
        hits[f"{source}_p"] = [float(m["p_value"]) if m is not None else np.nan for m in found]
        hits[f"{source}_strand"] = [m["strand"] if m is not None else "." for m in found]
    return hits


def genome_coordinates(ids: Sequence[str], starts: np.ndarray, ends: np.ndarray) -> pd.DataFrame:
    """``chrom``, ``start``, ``end`` of stretches ``[start, end)`` of sequences with these ids:
    genome coordinates for windows named ``chrom:start-end`` (``(-)``: cut from the minus
    strand), else the id as the chromosome and the stretch as it is."""
    rows = []
    for name, start, end in zip(ids, starts, ends):
        found = _GENOMIC_ID.match(str(name))
        if found is None:
            rows.append((str(name), int(start), int(end)))
        elif found["minus"]:
            rows.append((found["chrom"], int(found["end"]) - int(end), int(found["end"]) - int(start)))
        else:
            rows.append((found["chrom"], int(found["start"]) + int(start), int(found["start"]) + int(end)))
    return pd.DataFrame(rows, columns=["chrom", "start", "end"])


@dataclass
class MotifHits:
    """Hits of every explained output.

    Attributes
    ----------
    table
        One row per hit: ``output``, ``sequence_id``, ``start``, ``end`` (in the sequence),
        ``chrom``, ``chrom_start``, ``chrom_end`` (genome coordinates, see
        :func:`genome_coordinates`), ``attribution``, ``p_value``, ``fdr``, the best matches
        (:func:`annotate_hits`) and ``name``: the discovered pattern it matches (with its
        JASPAR label), else its best JASPAR match, else ``unannotated``. Patterns first: a
        pattern is the model's own motif, averaged over many seqlets, while a single hit's
        bases (with their flanks) match some known motif of similar composition by chance.
    summary
        Per output: sequences, hits, sequences with a hit, the window and FDR, and against
        planted sites (when given) precision and recall.
    """

    table: pd.DataFrame
    summary: dict

    def bed(self) -> pd.DataFrame:
        """BED6: chrom, start, end, name (``output:name``), score (0-1000, by attribution
        within the output), strand of the naming match."""
        table = self.table
        if table.empty:
            return pd.DataFrame(columns=["chrom", "start", "end", "name", "score", "strand"])
        top = table.groupby("output")["attribution"].transform("max")
        strand = np.where(table["patterns_match"] != "", table["patterns_strand"], table["known_strand"])
        return pd.DataFrame({"chrom": table["chrom"], "start": table["chrom_start"], "end": table["chrom_end"],
                             "name": table["output"] + ":" + table["name"],
                             "score": np.clip((1000 * table["attribution"] / top).round(), 0, 1000).astype(int),
                             "strand": strand}).sort_values(["chrom", "start"], kind="stable")

    def write(self, bed: PathLike, table: PathLike, summary: PathLike) -> None:
        with atomic_output(bed) as tmp:
            self.bed().to_csv(tmp, sep="\t", header=False, index=False)
        write_table(table, self.table, index=False)
        write_json(summary, self.summary)


def pattern_labels(matches: pd.DataFrame) -> dict[str, str]:
    """Pattern id -> the target name of its finding in a TOMTOM table of the patterns
    (:func:`biodl.interpret.compare.match_motifs`; the best match beyond the null where
    there is no ``finding`` column)."""
    if matches.empty:
        return {}
    if "finding" in matches:
        chosen = matches.loc[matches["finding"]]
    else:
        chosen = best_beyond_null(matches) if "beyond_null" in matches else matches
    return chosen.sort_values("p_value", kind="stable").drop_duplicates("query").set_index("query")[
        "target_name"].astype(str).to_dict()


def _pattern_name(pattern: str, labels: Mapping[str, str] | None) -> str:
    label = (labels or {}).get(pattern)
    return f"{pattern} ({label})" if label else pattern


def _recovery(hits: pd.DataFrame, ids: np.ndarray, truth: pd.DataFrame) -> dict:
    """Precision (hits overlapping a planted site of their sequence) and recall (planted sites
    of the explained sequences overlapped by a hit)."""
    sites = truth.loc[truth["id"].isin(set(ids))]
    if sites.empty:
        return {}
    by_id = {name: group[["start", "end"]].to_numpy() for name, group in sites.groupby("id")}
    overlaps = [any(s < row.end and row.start < e for s, e in by_id.get(row.sequence_id, []))
                for row in hits.itertuples()]
    by_hit = {name: group[["start", "end"]].to_numpy() for name, group in hits.groupby("sequence_id")}
    found = [any(s < e2 and s2 < e for s2, e2 in by_hit.get(row.id, [])) for row in sites.itertuples()
             for s, e in [(row.start, row.end)]]
    return {"planted_sites": len(sites), "precision": round(float(np.mean(overlaps)), 4) if len(hits) else None,
            "recall": round(float(np.mean(found)), 4)}


def motif_hits(
    attributions: Attributions,
    patterns: Sequence[Motif],
    known: Sequence[Motif],
    *,
    method: str = "deeplift",
    window: int = WINDOW,
    max_fdr: float = MAX_FDR,
    pattern_labels: Mapping[str, str] | None = None,
    truth: pd.DataFrame | None = None,
) -> MotifHits:
    """Hits of every explained output, annotated with discovered patterns and known motifs.

    Parameters
    ----------
    attributions
        From :func:`biodl.interpret.attribution.attribute`.
    patterns, known
        Discovered patterns (MoDISco) and known motifs (JASPAR) to name the hits by.
    method
        Which attributions to read.
    window, max_fdr
        See :func:`call_hits`.
    pattern_labels
        Pattern id -> what it is (its JASPAR finding, :func:`pattern_labels`): a hit named by
        a pattern reads ``<pattern> (<label>)``.
    truth
        Planted sites (``id``, ``start``, ``end``; the simulated data's truth table): the
        summary then holds precision and recall.
    """
    if method not in attributions.methods:
        raise ValueError(f"no {method} attributions (the file has {attributions.methods})")
    parts, summary = [], {"method": method, "window": window, "max_fdr": max_fdr, "outputs": {}}
    for name, j in zip(attributions.outputs, attributions.output_indices):
        x = attributions.x[j]
        ids = np.asarray(attributions.ids[j]).astype(str)
        hits = annotate_hits(call_hits(contribution_scores(attributions, j, method), window, max_fdr), x,
                             {"patterns": patterns, "known": known})
        hits.insert(0, "output", name)
        hits.insert(1, "sequence_id", ids[hits["sequence"].to_numpy()] if len(hits) else [])
        hits = hits.drop(columns="sequence")
        coordinates = genome_coordinates(hits["sequence_id"], hits["start"].to_numpy(), hits["end"].to_numpy())
        hits["chrom"], hits["chrom_start"], hits["chrom_end"] = (coordinates[c].to_numpy() for c in coordinates)
        pattern_names = hits["patterns_id"].map(lambda pattern: _pattern_name(pattern, pattern_labels))
        hits["name"] = np.where(hits["patterns_match"] != "", pattern_names,
                                np.where(hits["known_match"] != "", hits["known_match"], "unannotated"))
        counts = {"sequences": len(ids), "hits": len(hits), "sequences_with_a_hit": int(hits["sequence_id"].nunique()),
                  "named": int((hits["name"] != "unannotated").sum())}
        if truth is not None:
            counts.update(_recovery(hits, ids, truth))
        summary["outputs"][name] = counts
        log.info("motif hits of output %r: %s", name, counts)
        parts.append(hits)
    return MotifHits(pd.concat(parts, ignore_index=True), summary)
