"""One answer to "which factor does the model see?": transcription factor families ranked by
the evidence of every interpretation line (the workflow's ``motif_families`` step).

Three lines of evidence, each per output, each reduced to one score per family (a family is
JASPAR's structural annotation, :attr:`biodl.data.pwm.Motif.family_name`, except in the
many-zinc-finger families, where each factor is its own answer: :func:`answer_group`):

- **MoDISco**: the seqlets of the positive patterns whose best match beyond the null
  (:func:`biodl.interpret.compare.match_motifs`) is a motif of the family;
- **filters**: the measured influence of the first-layer filters whose best match beyond the
  null is a motif of the family (the sum of influences, not a count of filters);
- **screen**: the largest effect beyond the null among the family's motifs that raise the
  output significantly in the in-silico screen (:func:`biodl.interpret.screen.motif_screen`).

Each line's scores are divided by that line's largest, so each line gives its top family 1;
a family's ``score`` is the mean over the lines that found anything for the output (a line
that found nothing has no say). Families are ranked by it, then by the screen.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biodl.data.pwm import Motif, motifs_by_id
from biodl.evaluation.plots import plot_motif_families
from biodl.interpret.compare import best_beyond_null
from biodl.interpret.experiments import consensus
from biodl.io.files import PathLike, write_json, write_table

log = logging.getLogger(__name__)

LINES = ("modisco", "filters", "screen")
FAMILY_COLUMNS = ["output", "rank", "family", "score", "lines", "motifs", "modisco_share", "filters_share",
                  "screen_share", "modisco_seqlets", "modisco_patterns",
                  "filter_influence", "filters", "screen_motif", "screen_effect", "screen_sd", "screen_q"]
FACTOR_FAMILIES = ("More than 3 adjacent zinc fingers", "Factors with multiple dispersed zinc fingers",
                   "Other factors with up to three adjacent zinc fingers")
"""JASPAR families whose members each read their own, unrelated sequence (CTCF, ZNF454 and
PLAGL2 are all "More than 3 adjacent zinc fingers"): within them every factor is a separate
answer, so a GC-rich zinc finger's evidence is never read as CTCF's."""


def answer_group(motif: Motif) -> str:
    """What a motif counts towards: its family, or ``<family>: <FACTOR>`` in the families of
    :data:`FACTOR_FAMILIES`."""
    family = motif.family_name
    return f"{family}: {motif.name.upper()}" if family in FACTOR_FAMILIES else family


EVIDENCE = {
    "patterns": ("MoDISco pattern table", ["motif_id", "output", "source", "n_seqlets"]),
    "pattern_matches": ("tomtom table of the patterns", ["query", "rank", "target_id", "target_name", "beyond_null"]),
    "filter_matches": ("tomtom table of the filters", ["query", "rank", "target_id", "target_name", "beyond_null"]),
    "filter_table": ("filter table", ["filter"]),
    "screen": ("motif screen", ["motif_id", "motif_name", "family", "output", "effect_beyond_null", "sd", "q_value"]),
}
"""What :func:`rank_families` reads from each evidence table (its argument name): what the
table is and the columns it needs."""
EXPLAINS_LITTLE = 0.5
"""The configured motif explains little when its family is not first and its screen effect
is below this fraction of the top family's."""


def _claimed(matches: pd.DataFrame | None) -> pd.DataFrame:
    """Each query's best match beyond the null (:func:`biodl.interpret.compare.best_beyond_null`);
    none without matches."""
    if matches is None or not len(matches):
        return pd.DataFrame(columns=["query", "target_id", "target_name"])
    return best_beyond_null(matches)


def _positive_patterns(patterns: pd.DataFrame) -> pd.DataFrame:
    """The patterns MoDISco found in positive contributions (not its negative ones, not the
    filters standing in where it found none)."""
    return patterns[(patterns["source"] == "modisco") & patterns["motif_id"].str.contains("_pos")]


def modisco_evidence(patterns: pd.DataFrame | None, matches: pd.DataFrame | None, family_of: Mapping[str, str]
                     ) -> pd.DataFrame:
    """Per output and family: ``modisco_seqlets`` (summed over the positive MoDISco patterns
    whose best match beyond the null is of the family), ``modisco_patterns`` and the
    matched motif names (``modisco_motifs``)."""
    columns = ["output", "family", "modisco_seqlets", "modisco_patterns", "modisco_motifs"]
    best = _claimed(matches)
    if patterns is None or not len(patterns) or not len(best):
        return pd.DataFrame(columns=columns)
    found = _positive_patterns(patterns).merge(best, left_on="motif_id", right_on="query")
    found["family"] = found["target_id"].map(family_of)
    grouped = found.groupby(["output", "family"], sort=False)
    return grouped.agg(modisco_seqlets=("n_seqlets", "sum"), modisco_patterns=("motif_id", "size"),
                       modisco_motifs=("target_name", lambda names: list(dict.fromkeys(names)))).reset_index()


def filter_evidence(matches: pd.DataFrame | None, family_of: Mapping[str, str],
                    filter_table: pd.DataFrame | None = None, output: str | None = None) -> pd.DataFrame:
    """Per family: ``filter_influence`` (summed over the filters whose best match beyond the
    null is of the family), ``filters`` and ``filter_motifs``. The influence is the filter's
    on ``output`` where ``filter_table`` has it (``influence:<output>``, a model of several
    outputs), else the ``influence`` column of the matches."""
    columns = ["family", "filter_influence", "filters", "filter_motifs"]
    best = _claimed(matches)
    column = f"influence:{output}"
    if filter_table is not None and column in filter_table:
        best = best.assign(influence=best["query"].map(filter_table.set_index("filter")[column]))
    if not len(best) or "influence" not in best:
        return pd.DataFrame(columns=columns)
    best = best.assign(family=best["target_id"].map(family_of))
    best = best.sort_values("influence", ascending=False, kind="stable")
    grouped = best.groupby("family", sort=False)
    return grouped.agg(filter_influence=("influence", "sum"), filters=("query", "size"),
                       filter_motifs=("target_name", lambda names: list(dict.fromkeys(names)))).reset_index()


def screen_evidence(screen: pd.DataFrame | None, family_of: Mapping[str, str], max_q: float = 0.05
                    ) -> pd.DataFrame:
    """Per output and family: the motif with the largest effect beyond the null among those
    that raise the output at ``q <= max_q`` (``screen_motif``, ``screen_effect``,
    ``screen_sd``, ``screen_q``); a motif's family is ``family_of`` its id where given, else
    the screen's own column."""
    columns = ["output", "family", "screen_motif", "screen_effect", "screen_sd", "screen_q"]
    if screen is None or not len(screen):
        return pd.DataFrame(columns=columns)
    screen = screen.assign(family=screen["motif_id"].map(family_of).fillna(screen["family"]))
    raised = screen[(screen["q_value"] <= max_q) & (screen["effect_beyond_null"] > 0)]
    best = raised.sort_values("effect_beyond_null", ascending=False, kind="stable").drop_duplicates(
        ["output", "family"])
    best = best.assign(screen_motif=best["motif_name"] + " (" + best["motif_id"] + ")")
    return best.rename(columns={"effect_beyond_null": "screen_effect", "sd": "screen_sd", "q_value": "screen_q"}
                       )[columns]


@dataclass
class MotifFamilies:
    """Families ranked per output (:func:`rank_families`).

    Attributes
    ----------
    table
        :data:`FAMILY_COLUMNS`, one row per output and family with any evidence, ranked.
    summary
        Per output: ``lines`` (the evidence lines that found anything), ``top`` (the first
        three families), ``known`` (the known-motif check, where motifs are configured),
        ``unmatched_patterns`` (:func:`unmatched_patterns`) and ``answer`` (the sentence a
        reader gets).
    """

    table: pd.DataFrame
    summary: dict

    def write(self, table: PathLike, summary: PathLike, plot: PathLike) -> None:
        write_table(table, self.table, index=False)
        write_json(summary, self.summary)
        plot_motif_families(self.table, plot)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _motif_list(row) -> list[str]:
    names = [row.screen_motif.split(" (")[0]] if isinstance(row.screen_motif, str) else []
    for column in ("modisco_motifs", "filter_motifs"):
        value = getattr(row, column)
        names += value if isinstance(value, list) else []
    return list(dict.fromkeys(names))[:3]


def _rank_output(output: str, modisco: pd.DataFrame, filters: pd.DataFrame, screen: pd.DataFrame
                 ) -> tuple[pd.DataFrame, list[str]]:
    table = pd.DataFrame({"family": pd.unique(pd.concat([modisco["family"], filters["family"], screen["family"]]))})
    table = table.merge(modisco.drop(columns="output"), how="left", on="family")
    table = table.merge(filters, how="left", on="family").merge(screen.drop(columns="output"), how="left",
                                                                on="family")
    lines = []
    shares = {}
    for line, column in zip(LINES, ("modisco_seqlets", "filter_influence", "screen_effect")):
        values = table[column].astype(float).fillna(0.0).clip(lower=0.0)
        if values.max() > 0:
            lines.append(line)
            shares[line] = values / values.max()
        table[f"{line}_share"] = shares.get(line, 0.0)
    table["score"] = pd.concat(shares, axis=1).mean(axis=1) if shares else 0.0
    table["lines"] = [",".join(line for line in lines if shares[line].iloc[i] > 0) for i in range(len(table))]
    table["motifs"] = [", ".join(_motif_list(row)) for row in table.itertuples()]
    table["screen_rank_key"] = table["screen_effect"].astype(float).fillna(-np.inf)
    table = table[table["score"] > 0].sort_values(["score", "screen_rank_key"], ascending=False, kind="stable")
    table = table.assign(output=output, rank=np.arange(1, len(table) + 1))
    for column in ("modisco_seqlets", "modisco_patterns", "filters"):
        table[column] = table[column].fillna(0).astype(int)
    table["filter_influence"] = table["filter_influence"].astype(float).fillna(0.0)
    rounded = ["score", "modisco_share", "filters_share", "screen_share", "filter_influence", "screen_effect",
               "screen_sd"]
    table[rounded] = table[rounded].astype(float).round(4)
    return table[FAMILY_COLUMNS], lines


SCAN_MODEL = "pwm_scan"
"""The baseline of a DNA metrics file that scans the configured motifs."""


def held_out_scores(metrics: Mapping, outputs: Sequence[str] = (), model: str = "cnn1d") -> dict[str, dict]:
    """Per output, the test ``metric`` (AUROC, or Pearson r for regression) of ``model`` and
    of the configured motifs' scan (``scan``; ``None`` without one), from a DNA
    ``metrics.json``."""
    metric = "pearson" if metrics.get("task") == "regression" else "auroc"
    models = metrics["models"]
    scores = {}
    for output in outputs or metrics["outputs"]:
        # a single-output file has its figures at the top, not under per_output
        per_output = {name: models[name].get("per_output", {}).get(output, models[name])
                      for name in (model, SCAN_MODEL) if name in models}
        scores[output] = {"metric": metric, "model": per_output.get(model, {}).get(metric),
                          "scan": per_output.get(SCAN_MODEL, {}).get(metric)}
    return scores


def known_motif_check(output: str, ranked: pd.DataFrame, screen: pd.DataFrame | None, known: Sequence[Motif],
                      scores: Mapping[str, float] | None = None) -> list[dict]:
    """Where each configured motif's family ranks in ``ranked`` (one output's families), its
    own screen effect beside the top family's, and (``scores``: ``metric``, ``model``,
    ``scan``) the motif scan's test score beside the model's."""
    top = ranked.iloc[0] if len(ranked) else None
    checks = []
    for motif in known:
        family = answer_group(motif)
        rank = ranked.loc[ranked["family"] == family, "rank"]
        own = None
        if screen is not None and len(screen):
            rows = screen[(screen["output"] == output) & (screen["motif_id"] == motif.id)]
            own = float(rows["effect_beyond_null"].iloc[0]) if len(rows) else None
        check = {"motif": f"{motif.name} ({motif.id})", "family": family,
                 "family_rank": int(rank.iloc[0]) if len(rank) else None, "families_ranked": len(ranked),
                 "screen_effect": own,
                 "top_family": top["family"] if top is not None else None,
                 "top_screen_effect": float(top["screen_effect"]) if top is not None and
                 pd.notna(top["screen_effect"]) else None}
        check.update(scores or {})
        checks.append(check)
    return checks


def unmatched_patterns(output: str, patterns: pd.DataFrame | None, matches: pd.DataFrame | None,
                       motifs: Sequence[Motif] = ()) -> list[dict]:
    """The output's positive MoDISco patterns that match no known motif beyond the null,
    most seqlets first: ``pattern``, ``seqlets`` and ``consensus`` (where ``motifs`` holds
    the pattern). A large one is a signal no family accounts for (composition, such as
    poly(dA:dT), or a motif the database lacks)."""
    if patterns is None or not len(patterns):
        return []
    claimed = set(_claimed(matches)["query"])
    rows = _positive_patterns(patterns)
    rows = rows[(rows["output"] == output) & ~rows["motif_id"].isin(claimed)]
    by_id = {motif.id: motif for motif in motifs}
    return [{"pattern": row.motif_id, "seqlets": int(row.n_seqlets),
             "consensus": consensus(by_id[row.motif_id]) if row.motif_id in by_id else None}
            for row in rows.sort_values("n_seqlets", ascending=False, kind="stable").itertuples()]


def _answer(output: str, ranked: pd.DataFrame, checks: list[dict], unmatched: list[dict]) -> str:
    text = _family_answer(output, ranked, checks)
    matched = int(ranked["modisco_seqlets"].max()) if len(ranked) else 0
    if unmatched and unmatched[0]["seqlets"] > matched:
        largest = unmatched[0]
        text += (f"; the largest MoDISco pattern ({largest['consensus'] or largest['pattern']}, "
                 f"{largest['seqlets']} seqlets) matches no known motif beyond the null")
    return text


def _family_answer(output: str, ranked: pd.DataFrame, checks: list[dict]) -> str:
    if not len(ranked):
        return f"{output}: no family has evidence (no pattern or filter matches beyond the null, no motif raises it " \
               "in the screen)"
    top = ranked.iloc[0]
    text = f"{output}: the model relies mainly on {top['family']} ({top['motifs']})"
    if not checks:
        return text
    # of several configured motifs (one per output of a multi-class model), the best ranked
    # is this output's
    check = min(checks, key=lambda check: check["family_rank"] or np.inf)
    rank = check["family_rank"]
    if rank == 1:
        return text + f"; the configured motif {check['motif']} is of that family"
    where = f"ranks {_ordinal(rank)} of {check['families_ranked']}" if rank else "has no evidence"
    text += f"; the configured motif {check['motif']} ({check['family']}) {where}"
    details = []
    if check["screen_effect"] is not None and check["top_screen_effect"]:
        details.append(f"screen effect {check['screen_effect']:.2f} vs {check['top_screen_effect']:.2f}")
    if check.get("scan") is not None and check.get("model") is not None:
        details.append(f"scan {check['metric']} {check['scan']:.2f} vs the model's {check['model']:.2f}")
    if details:
        text += f" ({'; '.join(details)})"
    weak = check["screen_effect"] is not None and check["top_screen_effect"] and \
        check["screen_effect"] < EXPLAINS_LITTLE * check["top_screen_effect"]
    if rank is None or rank > 3 or weak:
        text += ": it explains little of what the model uses"
    return text


def rank_families(
    known: Sequence[Motif],
    *,
    patterns: pd.DataFrame | None = None,
    pattern_matches: pd.DataFrame | None = None,
    pattern_motifs: Sequence[Motif] = (),
    filter_matches: pd.DataFrame | None = None,
    filter_table: pd.DataFrame | None = None,
    screen: pd.DataFrame | None = None,
    outputs: Sequence[str] = (),
    configured: Sequence[str] = (),
    scores: Mapping[str, Mapping[str, float]] | None = None,
    max_q: float = 0.05,
) -> MotifFamilies:
    """Rank TF families per output by MoDISco, filter and screen evidence together.

    Parameters
    ----------
    known
        The known motifs every table's ids refer to (the JASPAR selection), which give each
        id its family.
    patterns, pattern_matches, pattern_motifs
        The MoDISco patterns' table (``motif_id``, ``output``, ``source``, ``n_seqlets``),
        their calibrated TOMTOM matches (``query``, ``rank``, ``target_id``,
        ``target_name``, ``beyond_null``) and their PPMs (to name a large pattern no family
        claims by its consensus: :func:`unmatched_patterns`).
    filter_matches, filter_table
        The filters' calibrated TOMTOM matches, with their ``influence``, and the filters'
        table (:class:`biodl.interpret.filters.FilterMotifs`), whose per-output influences
        replace it for a model of several outputs.
    screen
        :func:`biodl.interpret.screen.motif_screen`'s table.
    outputs
        The outputs ranked; none: every output the patterns and the screen name.
    configured
        Ids of the motifs the user named (``baseline_motifs``), for the known-motif check.
    scores
        Per output: ``metric``, ``model`` and ``scan`` (the test score of the model and of
        the configured motifs' scan), quoted in the check.
    max_q
        The screen's q-value a motif needs to count.
    """
    family_of = {motif.id: answer_group(motif) for motif in known}
    by_id = motifs_by_id(known)
    missing = [motif_id for motif_id in configured if motif_id not in by_id]
    if missing:
        raise ValueError(f"configured motifs {missing} are not among the {len(known)} known motifs")
    configured_motifs = [by_id[motif_id] for motif_id in configured]
    modisco = modisco_evidence(patterns, pattern_matches, family_of)
    screened = screen_evidence(screen, family_of, max_q)
    if not outputs:
        named = [frame["output"] for frame in (patterns, screen) if frame is not None and len(frame)]
        outputs = list(dict.fromkeys(pd.concat(named))) if named else []
    tables, summary = [], {}
    for output in outputs:
        filters = filter_evidence(filter_matches, family_of, filter_table, output)
        ranked, lines = _rank_output(output, modisco[modisco["output"] == output], filters,
                                     screened[screened["output"] == output])
        checks = known_motif_check(output, ranked, screen, configured_motifs, (scores or {}).get(output))
        unmatched = unmatched_patterns(output, patterns, pattern_matches, pattern_motifs)
        answer = _answer(output, ranked, checks, unmatched)
        log.info("%s", answer)
        summary[output] = {"lines": lines, "top": ranked["family"].head(3).tolist(), "known": checks,
                           "unmatched_patterns": unmatched, "answer": answer}
        tables.append(ranked)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=FAMILY_COLUMNS)
    return MotifFamilies(table, summary)
