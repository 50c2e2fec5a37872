"""The reference and alternative window of each variant, one-hot, and matched background
variants for an empirical null.

A window has the model's length and the variant at its centre. An allele of ``a`` bases
starting at 0-based position ``p`` sits after ``(length - a) // 2`` bases of the genome
before ``p``, and the genome after the reference allele fills the rest: an insertion trims,
and a deletion extends, both flanks by half its length each, so both windows keep the
model's length and the variant stays centred (the ChromBPNet variant scorer's practice).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biodl.data.dna import ALPHABET, one_hot_codes
from biodl.io.variants import COLUMNS

log = logging.getLogger(__name__)

UNSCORED = {
    "unknown_chromosome": "alleles on a chromosome the genome does not have",
    "chromosome_end": "alleles whose window runs off a chromosome end",
    "longer_than_window": "alleles longer than the model's window",
    "ref_mismatch": "alleles whose REF differs from the genome",
}
"""Why a readable allele gets no window, and how the log says it."""


def genome_chromosome(name: str, sizes: Mapping[str, int]) -> str | None:
    """The genome's name for chromosome ``name``: itself, or with the ``chr`` prefix added
    or removed (``chrM`` and ``MT`` too) when only that form is in ``sizes``; ``None`` when
    neither is."""
    if name in sizes:
        return name
    other = name[3:] if name.startswith("chr") else f"chr{name}"
    other = {"M": "MT", "chrMT": "chrM"}.get(other, other)
    return other if other in sizes else None


@dataclass
class AlleleWindows:
    """One-hot reference and alternative windows of a chunk of variants.

    Attributes
    ----------
    ref, alt
        ``(N, length, 4)`` ``uint8``; all zeros where ``status`` is not ``"ok"``.
    status
        ``"ok"`` or a key of :data:`UNSCORED`, per variant.
    chrom
        The genome's name of each variant's chromosome (``chr`` prefix as the genome has it).
    """

    ref: np.ndarray
    alt: np.ndarray
    status: np.ndarray
    chrom: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        return self.status == "ok"


class WindowMaker:
    """Cuts allele windows from a genome, one chromosome's bases in memory at a time.

    Parameters
    ----------
    genome
        A :class:`biodl.io.genome.Genome`.
    length
        The model's input length.
    """

    def __init__(self, genome, length: int):
        if length < 1:
            raise ValueError(f"length must be at least 1, got {length}")
        self.genome, self.length = genome, int(length)
        self.renamed = Counter()
        self._chrom, self._codes = None, None

    def codes(self, chrom: str) -> np.ndarray:
        if chrom != self._chrom:
            self._chrom, self._codes = chrom, self.genome.chromosome(chrom)
        return self._codes

    def __call__(self, variants: pd.DataFrame) -> AlleleWindows:
        """Windows of ``variants`` (columns of :data:`biodl.io.variants.COLUMNS`)."""
        n, length = len(variants), self.length
        ref = np.zeros((n, length, 4), dtype=np.uint8)
        alt = np.zeros((n, length, 4), dtype=np.uint8)
        status = np.full(n, "ok", dtype=object)
        named = variants["chrom"].map(lambda name: genome_chromosome(name, self.genome.chrom_sizes))
        renamed = named.notna() & (named != variants["chrom"])
        if renamed.any():
            self.renamed.update(variants.loc[renamed, "chrom"] + " -> " + named[renamed])
        status[named.isna().to_numpy()] = "unknown_chromosome"
        for chrom, rows in variants.groupby(named, sort=False).indices.items():
            self._fill(chrom, variants.iloc[rows], rows, ref, alt, status)
        return AlleleWindows(ref, alt, status, named.fillna("").to_numpy(dtype=object))

    def _fill(self, chrom: str, variants: pd.DataFrame, rows: np.ndarray, ref: np.ndarray, alt: np.ndarray,
              status: np.ndarray) -> None:
        codes, length = self.codes(chrom), self.length
        size = len(codes)
        start = variants["pos"].to_numpy(dtype=np.int64) - 1
        ref_len = variants["ref"].str.len().to_numpy()
        alt_len = variants["alt"].str.len().to_numpy()
        longest, shortest = np.maximum(ref_len, alt_len), np.minimum(ref_len, alt_len)
        # the shorter allele has the longer flanks: its window reaches farthest both ways
        left = start - (length - shortest) // 2
        right = start + ref_len + (length - shortest) - (length - shortest) // 2
        problem = np.where(longest > length, "longer_than_window",
                           np.where((left < 0) | (right > size), "chromosome_end", ""))
        snv = (ref_len == 1) & (alt_len == 1) & (problem == "")
        for kind, take in (("snv", snv), ("other", ~snv & (problem == ""))):
            if not take.any():
                continue
            if kind == "snv":
                window_start = start[take] - (length - 1) // 2
                bases = codes[window_start[:, None] + np.arange(length)]
                genome_ref = bases[:, (length - 1) // 2].copy()
                mismatch = genome_ref != np.frombuffer("".join(variants["ref"][take]).encode(), dtype=np.uint8)
                alt_bases = bases.copy()
                alt_bases[:, (length - 1) // 2] = np.frombuffer("".join(variants["alt"][take]).encode(),
                                                                dtype=np.uint8)
            else:
                bases, alt_bases, mismatch = self._indel_windows(codes, start[take], variants["ref"][take].tolist(),
                                                                 variants["alt"][take].tolist())
            problem[np.flatnonzero(take)[mismatch]] = "ref_mismatch"
            good = ~mismatch
            ref[rows[take][good]] = one_hot_codes(bases[good])
            alt[rows[take][good]] = one_hot_codes(alt_bases[good])
        bad = problem != ""
        status[rows[bad]] = problem[bad]

    def _indel_windows(self, codes: np.ndarray, starts: np.ndarray, refs: list[str], alts: list[str]):
        length = self.length
        ref_windows = np.empty((len(refs), length), dtype=np.uint8)
        alt_windows = np.empty((len(refs), length), dtype=np.uint8)
        mismatch = np.zeros(len(refs), dtype=bool)
        for k, (p, ref_allele, alt_allele) in enumerate(zip(starts, refs, alts)):
            end = p + len(ref_allele)
            mismatch[k] = codes[p:end].tobytes().decode("ascii") != ref_allele
            for out, allele in ((ref_windows, ref_allele), (alt_windows, alt_allele)):
                left = (length - len(allele)) // 2
                right = length - len(allele) - left
                out[k] = np.concatenate([codes[p - left:p], np.frombuffer(allele.encode(), dtype=np.uint8),
                                         codes[end:end + right]])
        return ref_windows, alt_windows, mismatch


def variant_class(ref: pd.Series, alt: pd.Series) -> np.ndarray:
    """``"snv"`` or ``"indel"`` (any allele other than one base for one base) per variant."""
    return np.where((ref.str.len() == 1) & (alt.str.len() == 1), "snv", "indel")


def variant_shapes(chunks: Iterable[pd.DataFrame]) -> Counter:
    """How often each kind of change occurs: ``(ref base, alt base)`` for SNVs, and
    ``(ref length, alt length, anchored)`` for the others, ``anchored`` when both alleles
    share their first base (the VCF padding base)."""
    shapes = Counter()
    for chunk in chunks:
        snv = (chunk["ref"].str.len() == 1) & (chunk["alt"].str.len() == 1)
        shapes.update(zip(chunk.loc[snv, "ref"], chunk.loc[snv, "alt"]))
        others = chunk.loc[~snv]
        shapes.update(zip(others["ref"].str.len(), others["alt"].str.len(),
                          others["ref"].str[0] == others["alt"].str[0]))
    return shapes


def background_variants(genome, regions: pd.DataFrame, shapes: Counter, n: int, length: int,
                        seed: int = 1) -> pd.DataFrame:
    """``n`` variants at random positions of ``regions`` with the kinds of change of
    ``shapes`` in the same proportions: the matched null of variant effect scores.

    An SNV ``a>b`` goes to a random position whose genome base is ``a``; an indel of ``r``
    reference and ``a`` alternative bases replaces the ``r`` genome bases at a random
    position by its first base (when ``anchored``) and random bases. Positions keep a
    window of ``length`` inside the chromosome.

    Parameters
    ----------
    genome
        A :class:`biodl.io.genome.Genome`.
    regions
        ``chrom``, ``start``, ``end`` (0-based); chromosome names as in the genome or with the
        ``chr`` prefix toggled.
    shapes
        From :func:`variant_shapes`.
    n, length, seed
        How many, the model's window length, the seed of every draw.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`biodl.io.variants.COLUMNS` (``line`` 0, ids ``null_<k>``).

    Raises
    ------
    ValueError
        When no region lies on the genome, or no shape is given.
    """
    if not shapes:
        raise ValueError("no variants to match: the null needs the kinds of change of at least one variant")
    rng = np.random.default_rng(seed)
    sizes = genome.chrom_sizes
    table = regions.assign(chrom=regions["chrom"].map(lambda name: genome_chromosome(str(name), sizes)))
    table = table.dropna(subset=["chrom"])
    margin = length + max(max(shape[0], shape[1]) if len(shape) == 3 else 1 for shape in shapes)
    table = table.assign(start=np.maximum(table["start"], margin),
                         end=np.minimum(table["end"], table["chrom"].map(sizes) - margin))
    table = table.loc[table["end"] > table["start"]]
    if table.empty:
        raise ValueError("no region lies on the genome at least a window from a chromosome end; the null "
                         "variants are drawn in the regions")
    kinds = sorted(shapes, key=repr)  # the same draws however the variants were read in chunks
    weights = np.array([shapes[kind] for kind in kinds], dtype=float)
    drawn = rng.choice(len(kinds), size=n, p=weights / weights.sum())
    widths = (table["end"] - table["start"]).to_numpy()
    rows = []
    by_chrom: dict[str, list[tuple[int, int]]] = {}
    region = rng.choice(len(table), size=n, p=widths / widths.sum())
    for k, (index, which) in enumerate(zip(region, drawn)):
        by_chrom.setdefault(table["chrom"].iloc[index], []).append((k, which))
    letters = np.array(list(ALPHABET))
    for chrom, wanted in by_chrom.items():
        codes = genome.chromosome(chrom)
        on_chrom = table.loc[table["chrom"] == chrom]
        starts, ends = on_chrom["start"].to_numpy(), on_chrom["end"].to_numpy()
        spans = ends - starts
        for k, which in wanted:
            kind = kinds[which]
            for _ in range(1000):
                r = rng.choice(len(spans), p=spans / spans.sum())
                p = int(starts[r] + rng.integers(spans[r]))
                genome_ref = codes[p:p + (1 if len(kind) == 2 else kind[0])].tobytes().decode("ascii")
                if "N" in genome_ref or not set(genome_ref) <= set(ALPHABET):
                    continue
                if len(kind) == 2:
                    if genome_ref == kind[0]:
                        rows.append((k, p, genome_ref, kind[1]))
                        break
                    continue
                _, alt_len, anchored = kind
                tail = "".join(letters[rng.integers(4, size=alt_len - int(anchored))])
                alt = genome_ref[0] + tail if anchored else tail
                if alt != genome_ref:
                    rows.append((k, p, genome_ref, alt))
                    break
            else:
                raise ValueError(f"no position of the regions on {chrom} takes a null variant of kind {kind}")
            rows[-1] = (k, chrom, *rows[-1][1:])
    rows.sort()
    return pd.DataFrame([(0, f"null_{k}", chrom, p + 1, ref, alt) for k, chrom, p, ref, alt in rows],
                        columns=COLUMNS)
