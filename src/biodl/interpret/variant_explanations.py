"""Why a variant matters: for the top variants of a scoring, the attributions of the
reference and the alternative window (DeepLIFT; ISM where DeepLIFT does not support the
network) and the known motifs each allele matches across the variant (FIMO): lost, gained,
weakened or strengthened, with their p-values."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from biodl.data.alleles import WindowMaker
from biodl.data.pwm import Motif
from biodl.evaluation.plots import plot_variant_alleles
from biodl.interpret.attribution import ism
from biodl.interpret.compare import fimo_hits
from biodl.interpret.deeplift import N_REFERENCES, deeplift
from biodl.io.files import PathLike, write_table

log = logging.getLogger(__name__)

TOP = 10
"""Variants explained unless a caller says otherwise."""
FIMO_THRESHOLD = 1e-4
"""A motif matches an allele when FIMO's p-value over the variant is at most this."""
SHOWN_FLANK = 30
"""The figures show this many bases on each side of the variant."""


def top_variants(scores: PathLike | pd.DataFrame, top: int = TOP, chunk: int = 200_000) -> pd.DataFrame:
    """The ``top`` variants of a scores table (:func:`biodl.interpret.variant_effects.score_variants`):
    smallest p-value first, then largest ``|score|``; one row per variant (its output with the
    largest ``|score|``). A file is read ``chunk`` rows at a time."""
    parts = [scores] if isinstance(scores, pd.DataFrame) else pd.read_csv(scores, sep="\t", chunksize=chunk)
    best = []
    for part in parts:
        ranked = part.assign(magnitude=part["score"].abs())
        ranked = ranked.sort_values(["p_value", "magnitude"], ascending=[True, False], kind="stable",
                                    na_position="last")
        best.append(ranked.drop_duplicates(["line", "chrom", "pos", "ref", "alt"]).head(top))
    if not best:
        return pd.DataFrame()
    merged = pd.concat(best, ignore_index=True).sort_values(["p_value", "magnitude"], ascending=[True, False],
                                                            kind="stable", na_position="last")
    return merged.drop_duplicates(["line", "chrom", "pos", "ref", "alt"]).head(top).drop(columns="magnitude") \
        .reset_index(drop=True)


def motif_changes(motifs: Sequence[Motif], ref: np.ndarray, alt: np.ndarray, variants: pd.DataFrame,
                  threshold: float = FIMO_THRESHOLD) -> pd.DataFrame:
    """Per variant, the known motifs either allele matches across the variant.

    Parameters
    ----------
    motifs
        The motif collection (JASPAR in use).
    ref, alt
        ``(N, L, 4)`` allele windows (:class:`biodl.data.alleles.WindowMaker`), each allele at
        the centre.
    variants
        Their rows (``ref`` and ``alt`` allele columns), in the same order.
    threshold
        FIMO p-value for a match.

    Returns
    -------
    pandas.DataFrame
        ``variant`` (row number), ``motif_id``, ``motif_name``, ``ref_p``, ``alt_p`` (the best
        p-value of a site overlapping the allele; NaN: none passes), ``change`` (``lost``,
        ``gained``, or, matched by both, ``weakened`` or ``strengthened``), ``log10_ratio``
        (log10 alt_p / ref_p, with the threshold for a missing side), sorted by variant, then
        by ``|log10_ratio|`` times the ``-log10`` of the better p-value (a strong site lost or
        made first).
    """
    names = {motif.id: motif.name for motif in motifs}
    length = ref.shape[1]
    best = {}
    for side, windows, alleles in (("ref", ref, variants["ref"]), ("alt", alt, variants["alt"])):
        hits = fimo_hits(motifs, windows, np.arange(len(windows)), threshold=threshold)
        if hits.empty:
            continue
        size = alleles.str.len().to_numpy()
        start = (length - size) // 2
        row = hits["sequence_id"].astype(int).to_numpy()
        over = (hits["start"].to_numpy() < start[row] + size[row]) & (hits["end"].to_numpy() > start[row])
        for (variant, motif), p in hits.loc[over].groupby([row[over], hits.loc[over, "motif_id"]])["p_value"].min() \
                .items():
            best.setdefault((int(variant), motif), {})[side] = float(p)
    rows = []
    for (variant, motif), found in best.items():
        ref_p, alt_p = found.get("ref", np.nan), found.get("alt", np.nan)
        ratio = np.log10(np.nan_to_num(alt_p, nan=threshold) / np.nan_to_num(ref_p, nan=threshold))  # both > 0
        if found.keys() == {"ref", "alt"}:
            change = "weakened" if ratio > 0 else "strengthened"
        else:
            change = "lost" if "ref" in found else "gained"
        rows.append((variant, motif, names.get(motif, motif), ref_p, alt_p, change, round(float(ratio), 3)))
    table = pd.DataFrame(rows, columns=["variant", "motif_id", "motif_name", "ref_p", "alt_p", "change",
                                        "log10_ratio"])
    strength = -np.log10(np.fmin(table["ref_p"], table["alt_p"]).astype(float))
    order = table["log10_ratio"].abs() * strength
    return table.assign(order=order).sort_values(["variant", "order"], ascending=[True, False], kind="stable") \
        .drop(columns="order").reset_index(drop=True)


@dataclass
class VariantExplanations:
    """The explained variants.

    Attributes
    ----------
    variants
        The top variants (their scores' row) with ``rank``, the attributions' ``method`` and
        the strongest motif change in the direction of the variant's effect (``motif_id``,
        ``motif_name``, ``change``, ``motif_ref_p``, ``motif_alt_p``).
    changes
        Every motif change (:func:`motif_changes`), with the variant's ``rank`` and ``id``.
    ref, alt
        ``(top, 2 * SHOWN_FLANK + 1, 4)`` actual contributions around the variant.
    """

    variants: pd.DataFrame
    changes: pd.DataFrame
    ref: np.ndarray = field(repr=False)
    alt: np.ndarray = field(repr=False)

    def write(self, table: PathLike, changes: PathLike, figures: PathLike) -> None:
        """Write both tables (TSV) and one figure per variant into the folder ``figures``
        (``<rank>_<chrom>_<pos>_<ref>_<alt>.png``)."""
        write_table(table, self.variants, index=False)
        write_table(changes, self.changes, index=False)
        if self.variants.empty:
            Path(figures).mkdir(parents=True, exist_ok=True)  # an empty folder says: nothing to draw
        for k, row in self.variants.iterrows():
            label = f"{row['motif_name']} {row['change']}" if isinstance(row["motif_name"], str) else "no motif match"
            title = (f"#{row['rank']} {row['chrom']}:{row['pos']} {row['ref']}>{row['alt']}  {row['output']}: "
                     f"score {row['score']:+.3f}, p {row['p_value']:.2g}  ({label})")
            name = f"{row['rank']:03d}_{row['chrom']}_{row['pos']}_{row['ref'][:10]}_{row['alt'][:10]}.png"
            plot_variant_alleles(self.ref[k], self.alt[k], len(row["ref"]), len(row["alt"]), title,
                                 Path(figures) / name)


def _contributions(model, x: np.ndarray, output: int, n_references: int, seed: int) -> tuple[np.ndarray, str]:
    """Actual contributions of ``output`` for one-hot ``x``: DeepLIFT, or ISM when DeepLIFT
    does not support the network."""
    try:
        return deeplift(model, x, output=output, n_references=n_references, seed=seed).hypothetical * x, "deeplift"
    except ValueError as err:
        log.info("DeepLIFT does not support the model (%s); ISM instead", err)
        return ism(model, x, output=output) * x, "ism"


def explain_variants(
    model,
    genome,
    scores: PathLike | pd.DataFrame,
    names: Sequence[str],
    motifs: Sequence[Motif],
    *,
    top: int = TOP,
    n_references: int = N_REFERENCES,
    fimo_threshold: float = FIMO_THRESHOLD,
    seed: int = 1,
) -> VariantExplanations:
    """Attributions and motif changes of the ``top`` variants of a scoring.

    Parameters
    ----------
    model, genome, names
        As for :func:`biodl.interpret.variant_effects.score_variants`.
    scores
        Its scores table (a path or the table).
    motifs
        The known motifs to scan both alleles with (e.g. :func:`biodl.io.jaspar.motif_database`).
    top
        How many variants (smallest p-value, then largest ``|score|``).
    n_references, seed
        DeepLIFT's shuffled references per window, and their seed.
    fimo_threshold
        FIMO p-value for a motif match.
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    chosen = top_variants(scores, top)
    length = int(model.inputs[0].shape[1])
    flank = SHOWN_FLANK
    if chosen.empty:
        empty = np.zeros((0, 2 * flank + 1, 4), np.float32)
        return VariantExplanations(chosen, pd.DataFrame(), empty, empty)
    windows = WindowMaker(genome, length)(chosen[["line", "id", "chrom", "pos", "ref", "alt"]])
    ref, alt = windows.ref.astype(np.float32), windows.alt.astype(np.float32)
    outputs = [list(names).index(name) for name in chosen["output"]]
    ref_contributions, alt_contributions = np.zeros_like(ref), np.zeros_like(alt)
    method = "deeplift"
    for index in sorted(set(outputs)):
        rows = np.flatnonzero(np.array(outputs) == index)
        ref_contributions[rows], method = _contributions(model, ref[rows], index, n_references, seed)
        alt_contributions[rows], _ = _contributions(model, alt[rows], index, n_references, seed)
    changes = motif_changes(motifs, ref, alt, chosen, fimo_threshold)
    # the motif named for a variant: the strongest change in the direction of its effect
    # (a site weakened or lost for a negative score, made or strengthened for a positive one)
    agrees = np.sign(changes["log10_ratio"].to_numpy()) == -np.sign(chosen["score"].to_numpy()[changes["variant"]])
    strongest = changes.assign(agrees=agrees).sort_values(["variant", "agrees"], ascending=[True, False],
                                                          kind="stable").drop_duplicates("variant").set_index("variant")
    table = chosen.assign(rank=np.arange(1, len(chosen) + 1), method=method)
    for column, source in (("motif_id", "motif_id"), ("motif_name", "motif_name"), ("change", "change"),
                           ("motif_ref_p", "ref_p"), ("motif_alt_p", "alt_p")):
        table[column] = [strongest[source].get(k, np.nan) if len(strongest) else np.nan for k in range(len(table))]
    changes = changes.assign(rank=changes["variant"] + 1, id=table["id"].to_numpy()[changes["variant"]]) \
        .drop(columns="variant")
    centre = [(length - len(allele)) // 2 for allele in table["ref"]]
    centre_alt = [(length - len(allele)) // 2 for allele in table["alt"]]

    def around(values: np.ndarray, starts: list[int]) -> np.ndarray:
        return np.stack([np.pad(v, ((flank, flank), (0, 0)))[s:s + 2 * flank + 1] for v, s in zip(values, starts)])

    return VariantExplanations(table, changes, around(ref_contributions, centre), around(alt_contributions,
                                                                                         centre_alt))
