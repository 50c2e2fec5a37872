"""Variant effect scores of a trained DNA model, with an empirical null.

Each variant is scored by the model on its reference and alternative window
(:mod:`biodl.data.alleles`), both strands, averaged: the logits' difference (alt - ref) is
the score. Matched background variants (the same kinds of change at random positions of
the dataset's regions) are scored the same way first, so each variant's ``|score|`` gets a
percentile and an empirical p-value against the null of its class (SNVs against SNVs,
indels against indels): the answer to "which threshold?". Variants are read, cut and
scored a chunk at a time and their rows written as they come, so memory stays flat for
any number of variants.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from biodl.data.alleles import (
    UNSCORED,
    WindowMaker,
    background_variants,
    genome_chromosome,
    variant_class,
    variant_shapes,
)
from biodl.data.dna import ALPHABET, one_hot_encode, reverse_complement
from biodl.data.pwm import breaking_substitution
from biodl.interpret.compare import fimo_hits
from biodl.io.files import InputError, PathLike, text_output, write_json, write_table
from biodl.io.variants import SKIP_REASONS, VariantFile
from biodl.training import output_logits

log = logging.getLogger(__name__)

N_NULL = 10_000
"""Background variants scored for the empirical null unless a caller says otherwise."""
CHUNK = 2048
"""Variants read, cut and scored at a time (four windows each: both alleles, both strands)."""
WINDOWS_PER_CALL = 1024
"""Windows per call of the model (activations of a 1 kb window with 64 filters: ~0.25 MB each)."""
MISMATCH_CHECK = 100
"""When the first chunk holds at least this many alleles on known chromosomes and none
matches the genome, scoring stops early (another assembly) instead of after the whole file."""


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    return x - np.logaddexp.reduce(x, axis=-1, keepdims=True)


class StrandLogits:
    """The model's logits averaged over both strands of each window, a batch of windows per
    call (one traced function for every batch size).

    Parameters
    ----------
    model
        A trained Keras DNA model with an output layer named ``output`` (every biodl model).
    batch_size
        Windows per call of the model.
    """

    def __init__(self, model, batch_size: int = WINDOWS_PER_CALL):
        import tensorflow as tf

        logits, self.activation = output_logits(model)
        self.length = int(model.inputs[0].shape[1])
        self.batch_size = batch_size
        self._call = logits.get_concrete_function(tf.TensorSpec((None, *model.inputs[0].shape[1:]), tf.float32))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``(N, outputs)`` logits of one-hot ``(N, L, 4)`` windows, averaged over strands."""
        both = np.concatenate([x, reverse_complement(x)]).astype(np.float32)
        out = np.concatenate([self._call(both[i:i + self.batch_size]).numpy()
                              for i in range(0, len(both), self.batch_size)])
        return (out[:len(x)] + out[len(x):]) / 2

    def scores(self, x: np.ndarray) -> np.ndarray:
        """The strand-averaged logits of :meth:`__call__`; for a softmax head
        log-probabilities, so that a difference of two is a log-ratio whatever the other
        classes do."""
        out = self(x)
        return _log_softmax(out) if self.activation == "softmax" else out

    def alleles(self, ref: np.ndarray, alt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ref, alt)`` :meth:`scores` of allele windows, each ``(N, outputs)``."""
        out = self.scores(np.concatenate([ref, alt]))
        return out[:len(ref)], out[len(ref):]


def effect_table(variants: pd.DataFrame, ref: np.ndarray, alt: np.ndarray, names: Sequence[str],
                 activation: str) -> pd.DataFrame:
    """One row per variant and output: the variant's columns, ``class`` (snv or indel),
    ``output``, and for a classifier ``ref_logit``, ``alt_logit``, ``ref_prob``, ``alt_prob``,
    ``prob_diff`` and ``log_ratio`` (log of alt over ref probability), for a regression
    ``ref_value`` and ``alt_value``; ``score`` is the difference alt - ref of the logits (the
    values)."""
    k = len(names)
    base = variants.assign(**{"class": variant_class(variants["ref"], variants["alt"])})
    rows = base.loc[base.index.repeat(k)].reset_index(drop=True)
    rows["output"] = np.tile(np.asarray(names, dtype=object), len(variants))
    ref_flat, alt_flat = ref.reshape(-1), alt.reshape(-1)
    if activation == "linear":
        rows["ref_value"], rows["alt_value"] = ref_flat, alt_flat
    else:
        log_p = _log_sigmoid if activation == "sigmoid" else (lambda x: x)
        ref_log_p, alt_log_p = log_p(ref_flat), log_p(alt_flat)
        rows["ref_logit"], rows["alt_logit"] = ref_flat, alt_flat
        rows["ref_prob"], rows["alt_prob"] = np.exp(ref_log_p), np.exp(alt_log_p)
        rows["prob_diff"] = rows["alt_prob"] - rows["ref_prob"]
        rows["log_ratio"] = alt_log_p - ref_log_p
    rows["score"] = alt_flat - ref_flat
    return rows


@dataclass
class NullScores:
    """``|score|`` of the background variants per (output, class), sorted."""

    sorted_abs: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, table: pd.DataFrame) -> "NullScores":
        return cls({key: np.sort(np.abs(group["score"].to_numpy()))
                    for key, group in table.groupby(["output", "class"])})

    def annotate(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` with ``null_size``, ``percentile`` (share of null ``|score|`` below the
        variant's, in %) and ``p_value`` (``(1 + null >= |score|) / (1 + null size)``)."""
        percentile = np.full(len(rows), np.nan)
        p_value = np.full(len(rows), np.nan)
        size = np.zeros(len(rows), dtype=np.int64)
        for (output, kind), index in rows.groupby(["output", "class"]).indices.items():
            null = self.sorted_abs.get((output, kind))
            if null is None or null.size == 0:
                continue
            magnitude = np.abs(rows["score"].to_numpy()[index])
            below = np.searchsorted(null, magnitude, side="left")
            percentile[index] = 100.0 * below / null.size
            p_value[index] = (1 + null.size - below) / (1 + null.size)
            size[index] = null.size
        return rows.assign(null_size=size, percentile=percentile, p_value=p_value)


@dataclass
class VariantEffects:
    """What :func:`score_variants` found.

    Attributes
    ----------
    summary
        Counts (records, alleles, scored, left out per reason, renamed chromosomes), the
        null's size per class, and per output the score quantiles and how many variants pass
        ``p < 0.01`` and ``p < 0.001``.
    null
        The background variants and their scores (rows as in the scores table).
    unscored
        The alleles read but not scored, with their line and reason.
    scores
        Every variant's rows (:func:`effect_table` plus the null columns), when no
        ``scores_path`` was given; ``None`` when they were written there as they came.
    score_values
        Output name -> every scored variant's score (for the plot).
    """

    summary: dict
    null: pd.DataFrame
    unscored: pd.DataFrame
    scores: pd.DataFrame | None = None
    score_values: dict = field(default_factory=dict)

    def write(self, null: PathLike, unscored: PathLike, summary: PathLike, scores: PathLike | None = None) -> None:
        """Write the null and unscored tables (TSV), the summary (JSON), and the scores when
        held in memory."""
        if scores is not None:
            if self.scores is None:
                raise ValueError("the scores were written while scoring (scores_path); nothing to write")
            write_table(scores, self.scores, index=False)
        write_table(null, self.null, index=False)
        write_table(unscored, self.unscored, index=False)
        write_json(summary, self.summary)


def score_variants(
    model,
    genome,
    variants: PathLike,
    names: Sequence[str],
    *,
    regions: pd.DataFrame | None = None,
    n_null: int = N_NULL,
    chunk_size: int = CHUNK,
    seed: int = 1,
    scores_path: PathLike | None = None,
    truth: pd.DataFrame | None = None,
) -> VariantEffects:
    """Score every variant of a VCF or TSV with a trained DNA model, against a matched null.

    Parameters
    ----------
    model
        A trained biodl DNA model (``cnn1d``, ``searched_cnn1d``, ...).
    genome
        The reference genome (:class:`biodl.io.genome.Genome`) the variants are on.
    variants
        VCF, VCF.gz (bgzip, tabix-indexed or not) or TSV of ``chrom pos ref alt``
        (:class:`biodl.io.variants.VariantFile`).
    names
        The model's output names.
    regions
        ``chrom``, ``start``, ``end`` of the dataset's regions, where the null variants are
        drawn; ``None``: the whole genome.
    n_null
        Background variants scored for the null (0: no null, so no percentiles or p-values).
    chunk_size
        Variants read, cut and scored at a time.
    seed
        Seeds the null's draws.
    scores_path
        Write the scores there (TSV; gzip when it ends in ``.gz``) as they come instead of
        keeping them in memory.
    truth
        Known answers: ``id`` and ``breaks_site`` (bool) of variants of the file (the
        simulated genome's); the summary then holds the AUROC of ``|score|`` for telling the
        breaking variants from the others, per output.

    Raises
    ------
    InputError
        For an unreadable variants file (with its line), or when no allele on a known
        chromosome matches the genome's REF (another assembly?).
    """
    if len(names) != int(model.outputs[0].shape[-1]):
        raise ValueError(f"{len(names)} output names for a model with {model.outputs[0].shape[-1]} outputs")
    scorer = StrandLogits(model)
    maker = WindowMaker(genome, scorer.length)
    reader = VariantFile(variants, chunk_size=chunk_size)
    shapes = variant_shapes(reader)
    if reader.records == 0:
        raise InputError(f"{variants}: no variant records (a VCF's records follow its #CHROM line; a TSV has "
                         "chrom, pos, ref, alt per line)")
    null = pd.DataFrame()
    if regions is None:
        regions = pd.DataFrame({"chrom": list(genome.chrom_sizes), "start": 0,
                                "end": list(genome.chrom_sizes.values())})
    if n_null > 0 and shapes:
        drawn = background_variants(genome, regions, shapes, n_null, scorer.length, seed=seed)
        windows = maker(drawn)
        null = effect_table(drawn.loc[windows.ok].reset_index(drop=True), *scorer.alleles(windows.ref[windows.ok],
                            windows.alt[windows.ok]), names, scorer.activation)
    null_scores = NullScores.of(null) if len(null) else NullScores()
    unscored, status, tally, kept = [], Counter(), _Tally(names, truth), []
    with text_output(scores_path) if scores_path is not None else nullcontext() as handle:
        for number, chunk in enumerate(reader):
            windows = maker(chunk)
            status.update(windows.status)
            if number == 0:
                _check_first_chunk(windows.status, variants, chunk)
            if not windows.ok.all():
                unscored.append(chunk.loc[~windows.ok].assign(reason=windows.status[~windows.ok]))
            if not windows.ok.any():
                continue
            ok = chunk.loc[windows.ok].assign(chrom=windows.chrom[windows.ok]).reset_index(drop=True)
            logits = scorer.alleles(windows.ref[windows.ok], windows.alt[windows.ok])
            rows = null_scores.annotate(effect_table(ok, *logits, names, scorer.activation))
            tally.add(rows)
            if handle is None:
                kept.append(rows)
            else:
                rows.to_csv(handle, sep="\t", index=False, header=not tally.header_written, float_format="%.6g")
                tally.header_written = True
        if handle is not None and not tally.header_written:
            handle.write("\t".join(effect_table(reader.skipped_table().iloc[:0], np.zeros((0, len(names))),
                                                np.zeros((0, len(names))), names, scorer.activation).columns) + "\n")
    unscored_table = pd.concat([reader.skipped_table(), *unscored], ignore_index=True)
    left_out = {**dict(reader.skipped), **{reason: n for reason, n in status.items() if reason != "ok"}}
    _log_unscored(variants, unscored_table, maker.renamed)
    scored = int(status.get("ok", 0))
    read = scored + sum(left_out.values())
    if read and not scored:
        first = unscored_table.iloc[0]
        raise InputError(f"{variants}: none of its {read} alleles could be scored ({_describe(left_out)}; e.g. line "
                         f"{first['line']}: {first['chrom']}:{first['pos']} {first['ref']}>{first['alt']})"
                         + _likely_cause(left_out))
    summary = {
        "variants_file": str(variants), "records": reader.records, "alleles": read, "scored": scored,
        "left_out": left_out, "renamed_chromosomes": dict(maker.renamed), "window": scorer.length,
        "activation": scorer.activation,
        "null": {f"{output}/{kind}": int(values.size) for (output, kind), values in null_scores.sorted_abs.items()},
        "outputs": tally.summary(),
    }
    if truth is not None:
        summary["known_answers"] = tally.known_answers()
    scores = None if scores_path is not None else (pd.concat(kept, ignore_index=True) if kept else pd.DataFrame())
    return VariantEffects(summary, null, unscored_table, scores, tally.values())


class _Tally:
    """Per output: every variant's score (float32, for quantiles and the plot), the p-value
    passes, and the scores of the variants with known answers."""

    def __init__(self, names: Sequence[str], truth: pd.DataFrame | None):
        self.scores = {name: [] for name in names}
        self.passing = {name: Counter() for name in names}
        self.header_written = False
        self.truth = None if truth is None else truth.set_index("id")["breaks_site"].astype(bool)
        self.known = []

    def add(self, rows: pd.DataFrame) -> None:
        for output, group in rows.groupby("output", sort=False):
            self.scores[output].append(group["score"].to_numpy(dtype=np.float32))
            for cut in P_VALUE_CUTS:
                self.passing[output][cut] += int((group["p_value"] < cut).sum())
        if self.truth is not None:
            self.known.append(rows.loc[rows["id"].isin(self.truth.index), ["id", "output", "score"]])

    def values(self) -> dict[str, np.ndarray]:
        return {output: np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
                for output, parts in self.scores.items()}

    def known_answers(self) -> dict:
        """Per output: the AUROC of ``|score|`` for the breaking variants against the others."""
        from sklearn.metrics import roc_auc_score

        rows = pd.concat(self.known, ignore_index=True) if self.known else pd.DataFrame(columns=["id", "output"])
        out = {}
        for output, group in rows.groupby("output", sort=False):
            breaks = self.truth.loc[group["id"]].to_numpy()
            both = 0 < breaks.sum() < len(breaks)
            out[output] = {"breaking": int(breaks.sum()), "others": int((~breaks).sum()),
                           "auroc_abs_score": round(float(roc_auc_score(breaks, group["score"].abs())), 4)
                           if both else None}
        return out

    def summary(self) -> dict:
        out = {}
        for output, values in self.values().items():
            quantiles = np.quantile(values, QUANTILES).round(4).tolist() if values.size else []
            out[output] = {"scored": int(values.size), "score_quantiles": dict(zip(map(str, QUANTILES), quantiles)),
                           **{f"p_below_{cut:g}": self.passing[output][cut] for cut in P_VALUE_CUTS}}
        return out


P_VALUE_CUTS = (0.01, 0.001)
QUANTILES = (0.001, 0.01, 0.5, 0.99, 0.999)


def _check_first_chunk(status: np.ndarray, variants: PathLike, chunk: pd.DataFrame) -> None:
    """Stop early when a large first chunk on known chromosomes matches the genome nowhere."""
    known = status != "unknown_chromosome"
    if known.sum() >= MISMATCH_CHECK and (status[known] == "ref_mismatch").all():
        example = chunk.loc[known].iloc[0]
        raise InputError(f"{variants}: the REF allele of all of the first {int(known.sum())} variants differs from "
                         f"the genome (e.g. line {example['line']}: {example['chrom']}:{example['pos']} "
                         f"REF {example['ref']}){_likely_cause({'ref_mismatch': 1})}")


def _describe(counts: dict) -> str:
    reasons = {**UNSCORED, **SKIP_REASONS}
    return ", ".join(f"{n} {reasons.get(reason, reason)}" for reason, n in counts.items() if n)


def _likely_cause(left_out: dict) -> str:
    if left_out.get("ref_mismatch"):
        return ": are the variants on another assembly than the genome (e.g. hg19 against hg38), or 0-based?"
    if left_out.get("unknown_chromosome"):
        return ": do the variants' chromosome names match the genome's?"
    return ""


def _log_unscored(variants: PathLike, unscored: pd.DataFrame, renamed: Counter) -> None:
    for reason, rows in unscored.groupby("reason", sort=False):
        if reason in UNSCORED:
            first = rows.iloc[0]
            log.warning("%s: %d %s left out (e.g. line %d: %s:%d %s>%s)", variants, len(rows), UNSCORED[reason],
                        first["line"], first["chrom"], first["pos"], first["ref"], first["alt"])
    if renamed:
        log.info("%s: chromosome names changed to the genome's: %s", variants,
                 ", ".join(f"{pair} ({n} alleles)" for pair, n in renamed.items()))


def known_answer_variants(genome, regions: pd.DataFrame, motifs: Sequence, n_random: int = 10_000,
                          fimo_threshold: float = 1e-4, seed: int = 1) -> pd.DataFrame:
    """Variants whose answer is known, on any genome: an SNV at the core of every FIMO site of
    ``motifs`` in ``regions`` (:func:`biodl.data.pwm.breaking_substitution`), and ``n_random``
    SNVs at random positions of the regions.

    Write them with :func:`biodl.io.variants.write_vcf` and give the table as ``truth`` to
    :func:`score_variants`: its summary then says how well ``|score|`` tells the site cores
    from the random SNVs.

    Returns
    -------
    pandas.DataFrame
        ``chrom``, ``pos`` (1-based), ``id``, ``ref``, ``alt``, ``breaks_site``,
        ``motif_name``, sorted by position.
    """
    rng = np.random.default_rng(seed)
    table = regions.assign(chrom=regions["chrom"].map(lambda name: genome_chromosome(str(name), genome.chrom_sizes)))
    table = table.dropna(subset=["chrom"]).reset_index(drop=True)
    seqs = [genome.fetch(row.chrom, int(row.start), int(row.end)) for row in table.itertuples()]
    longest = max(map(len, seqs))
    hits = fimo_hits(list(motifs), one_hot_encode(seqs, length=longest), np.arange(len(seqs)), fimo_threshold)
    by_id = {motif.id: motif for motif in motifs}
    rows = []
    for hit in hits.itertuples():
        k = int(hit.sequence_id)
        motif = by_id[hit.motif_id]
        column, alt = breaking_substitution(motif, hit.strand)
        inside = hit.start - (longest - len(seqs[k])) // 2 + column  # one_hot_encode centres shorter regions
        if not 0 <= inside < len(seqs[k]) or seqs[k][inside] not in ALPHABET or seqs[k][inside] == alt:
            continue
        position = int(table.loc[k, "start"]) + inside
        rows.append((table.loc[k, "chrom"], position + 1, f"{motif.name}_core_{len(rows)}", seqs[k][inside], alt, True,
                     motif.name))
    widths = (table["end"] - table["start"]).to_numpy()
    for n, k in enumerate(rng.choice(len(table), size=n_random, p=widths / widths.sum())):
        inside = int(rng.integers(widths[k]))
        ref = seqs[k][inside]
        if ref not in ALPHABET:
            continue
        alt = [base for base in ALPHABET if base != ref][rng.integers(3)]
        position = int(table.loc[k, "start"]) + inside
        rows.append((table.loc[k, "chrom"], position + 1, f"random_{n}", ref, alt, False, ""))
    found = pd.DataFrame(rows, columns=["chrom", "pos", "id", "ref", "alt", "breaks_site", "motif_name"])
    found = found.drop_duplicates(["chrom", "pos", "ref", "alt"])
    return found.sort_values(["chrom", "pos"], kind="stable").reset_index(drop=True)
