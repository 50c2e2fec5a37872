"""Demo data that needs no download: DNA with planted JASPAR motifs (the
``simulate_dna`` step), a small genome with peaks over planted motifs (``simulate_genome``)
and multi-omics tables driven by subtypes (``simulate_omics``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from biodl.data.dna import ALPHABET, reverse_complement
from biodl.data.pwm import Motif, breaking_substitution, sample_bases
from biodl.io.fasta import write_fasta
from biodl.io.files import PathLike, atomic_output, write_table
from biodl.io.fragments import write_counts_bigwig
from biodl.io.jaspar import DEFAULT_RELEASE, fetch_jaspar
from biodl.io.variants import write_vcf

HUMAN_GC = 0.41


class SimulatedDNA(NamedTuple):
    """Simulated sequences: ``ids``, ``sequences``, ``labels`` (``id``, ``class``) and the
    ``truth`` table of planted sites."""

    ids: list[str]
    sequences: list[str]
    labels: pd.DataFrame
    truth: pd.DataFrame

    def write(self, fasta: PathLike, labels: PathLike, truth: PathLike) -> None:
        """Write the FASTA (gzipped for ``.gz``), the labels and the truth table (TSV)."""
        write_fasta(fasta, self.ids, self.sequences)
        write_table(labels, self.labels, index=False)
        write_table(truth, self.truth, index=False)


class SimulatedGenome(NamedTuple):
    """A simulated genome: ``chromosomes`` (name -> bases), ``peaks`` (narrowPeak columns),
    the ``truth`` table of planted sites and ``variants`` with known answers (SNVs that break
    planted sites in peaks and SNVs elsewhere in the same windows)."""

    chromosomes: dict[str, str]
    peaks: pd.DataFrame
    truth: pd.DataFrame
    variants: pd.DataFrame

    def write(self, genome: PathLike, peaks: PathLike, truth: PathLike, variants: PathLike | None = None,
              variant_truth: PathLike | None = None) -> None:
        """Write the genome (FASTA), the peaks (narrowPeak, no header), the truth table
        (TSV), and where given the variants (VCF) and their known answers (TSV)."""
        write_fasta(genome, list(self.chromosomes), list(self.chromosomes.values()))
        with atomic_output(peaks) as tmp:
            self.peaks.to_csv(tmp, sep="\t", header=False, index=False)
        write_table(truth, self.truth, index=False)
        if variants is not None:
            write_vcf(variants, self.variants, {name: len(bases) for name, bases in self.chromosomes.items()})
        if variant_truth is not None:
            write_table(variant_truth, self.variants, index=False)


class SimulatedOmics(NamedTuple):
    """Simulated ``omics`` (name -> samples x features table) and ``labels`` (``sample``,
    ``subtype``)."""

    omics: dict[str, pd.DataFrame]
    labels: pd.DataFrame

    def write(self, labels: PathLike, **omics: PathLike) -> None:
        """Write the labels and each omic to the path given under its name (TSV)."""
        missing = sorted(set(self.omics) - set(omics))
        if missing:
            raise ValueError(f"no path given for the simulated omics {missing}")
        for name, table in self.omics.items():
            write_table(Path(omics[name]), table)
        write_table(labels, self.labels, index=False)


def sample_motif_site(motif: Motif, rng: np.random.Generator) -> str:
    """Draw one binding site from the motif's position probability matrix."""
    return "".join(ALPHABET[i] for i in sample_bases(motif, 1, rng)[0])


def _random_bases(n: int, gc: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` i.i.d. bases with GC fraction ``gc`` (as a letter array)."""
    return np.array(list(ALPHABET))[rng.choice(4, size=n, p=[(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2])]


def simulate_dna(
    classes: Mapping[str, Sequence[str]],
    n_per_class: int = 1000,
    length: int = 200,
    sites_per_sequence: int = 1,
    gc: float = HUMAN_GC,
    release: str = DEFAULT_RELEASE,
    seed: int = 1,
) -> SimulatedDNA:
    """Simulate labelled sequences with JASPAR motifs planted per class.

    Each sequence is an i.i.d. background with GC fraction ``gc``; a sequence of a class
    with motifs gets ``sites_per_sequence`` sites, each drawn from one of the class's
    motifs (chosen at random), on a random strand at a random non-overlapping position.

    Parameters
    ----------
    classes
        Class name -> JASPAR matrix ids planted in that class (empty: background only).
    n_per_class, length, sites_per_sequence, gc
        Sizes and background composition.
    release
        JASPAR release to take the matrices from (offline, pyjaspar).
    seed
        Seed for every random draw.

    Returns
    -------
    ids, sequences, labels, truth
        ``labels`` has columns ``id``, ``class``; ``truth`` one row per planted site:
        ``id``, ``class``, ``motif_id``, ``motif_name``, ``start`` (0-based), ``end``,
        ``strand``.
    """
    if len(classes) < 2:
        raise ValueError(f"need at least two classes, got {list(classes)}")
    if not 0 < gc < 1:
        raise ValueError(f"gc must be between 0 and 1, got {gc}")
    rng = np.random.default_rng(seed)
    motifs = {name: fetch_jaspar(ids, release) for name, ids in classes.items()}
    widest = max((m.width for ms in motifs.values() for m in ms), default=0)
    if sites_per_sequence * widest > length:
        raise ValueError(
            f"{sites_per_sequence} sites of up to {widest} bp do not fit in {length} bp sequences"
        )
    ids, seqs, label_rows, truth_rows = [], [], [], []
    for class_name, class_motifs in motifs.items():
        for k in range(n_per_class):
            seq_id = f"{class_name}_{k:05d}"
            seq = list(_random_bases(length, gc, rng))
            if class_motifs:
                # non-overlapping slots: cut the sequence into equal segments, one site each
                segment = length // sites_per_sequence
                for slot in range(sites_per_sequence):
                    motif = class_motifs[rng.integers(len(class_motifs))]
                    site = sample_motif_site(motif, rng)
                    strand = "+" if rng.random() < 0.5 else "-"
                    if strand == "-":
                        site = reverse_complement(site)
                    start = slot * segment + int(rng.integers(0, segment - motif.width + 1))
                    seq[start:start + motif.width] = site
                    truth_rows.append((seq_id, class_name, motif.id, motif.name, start,
                                       start + motif.width, strand))
            ids.append(seq_id)
            seqs.append("".join(seq))
            label_rows.append((seq_id, class_name))
    labels = pd.DataFrame(label_rows, columns=["id", "class"])
    truth = pd.DataFrame(truth_rows, columns=["id", "class", "motif_id", "motif_name", "start",
                                              "end", "strand"])
    return SimulatedDNA(ids, seqs, labels, truth)


def _plant(bases: np.ndarray, position: int, motif: Motif, rng: np.random.Generator) -> str:
    """Write a site of ``motif`` at ``position`` on a random strand; the strand."""
    site = sample_motif_site(motif, rng)
    strand = "+" if rng.random() < 0.5 else "-"
    bases[position:position + motif.width] = list(site if strand == "+" else reverse_complement(site))
    return strand


def simulate_genome(
    motifs: Sequence[str] = ("MA0139",),
    n_chromosomes: int = 5,
    chromosome_length: int = 150_000,
    n_peaks: int = 800,
    peak_width: int = 300,
    gc: float = 0.38,
    peak_gc: float = 0.44,
    decoy_fraction: float = 0.2,
    variant_window: int = 200,
    release: str = DEFAULT_RELEASE,
    seed: int = 1,
) -> SimulatedGenome:
    """Simulate a genome whose peaks sit over planted JASPAR motif sites.

    The background varies in GC from one 5 kb block to the next (standard deviation 0.04
    around ``gc``), so that GC-matched negatives differ from uniform ones. Each peak is a
    ``peak_width`` stretch of GC ``peak_gc`` with one site of a motif (chosen at random)
    near its centre, where its summit is. ``decoy_fraction * n_peaks`` further sites are
    planted outside peaks, so a motif match alone does not make a peak. Chromosome 1 has a
    1 kb run of N.

    Each site in a peak gets two SNVs with known answers (:func:`known_answer_variants`):
    one that breaks it (the most informative base of the site changed to the base the
    motif least expects there) and one at a random position of the ``variant_window``
    centred on the site, at least 10 bp from it.

    Returns
    -------
    chromosomes, peaks, truth, variants
        ``chr1``... -> bases; peaks as narrowPeak (chrom, start, end, name, score, strand,
        signal, p, q, summit offset); one truth row per planted site (chrom, start, end,
        motif_id, motif_name, strand, in_peak); the variants (chrom, pos (1-based), id,
        ref, alt, breaks_site, motif_name).
    """
    if not 0 < gc < 1 or not 0 < peak_gc < 1:
        raise ValueError(f"gc and peak_gc must be between 0 and 1, got {gc} and {peak_gc}")
    slots_per_chromosome = chromosome_length // (2 * peak_width)
    n_sites = round(n_peaks * (1 + decoy_fraction))
    if n_sites > n_chromosomes * (slots_per_chromosome - 2):
        raise ValueError(f"{n_sites} peaks and decoys do not fit {n_chromosomes} chromosomes of "
                         f"{chromosome_length} bp with {peak_width} bp peaks; make the chromosomes longer")
    rng = np.random.default_rng(seed)
    planted = fetch_jaspar(motifs, release)
    chromosomes = {}
    for k in range(n_chromosomes):
        block_gc = np.clip(rng.normal(gc, 0.04, size=-(-chromosome_length // 5000)), 0.2, 0.8)
        chromosomes[f"chr{k + 1}"] = np.concatenate([_random_bases(5000, g, rng) for g in block_gc])[:chromosome_length]
    chromosomes["chr1"][chromosome_length // 2:chromosome_length // 2 + 1000] = "N"
    slots = [(chrom, slot) for chrom in chromosomes for slot in range(1, slots_per_chromosome - 1)
             if not (chrom == "chr1" and abs(slot * 2 * peak_width - chromosome_length // 2) < 2 * peak_width + 1000)]
    chosen = rng.choice(len(slots), size=n_sites, replace=False)
    is_peak = np.zeros(n_sites, dtype=bool)
    is_peak[rng.choice(n_sites, size=n_peaks, replace=False)] = True
    peak_rows, truth_rows = [], []
    for index, in_peak in zip(sorted(chosen), is_peak, strict=True):
        chrom, slot = slots[index]
        bases = chromosomes[chrom]
        motif = planted[rng.integers(len(planted))]
        centre = slot * 2 * peak_width + int(rng.integers(-peak_width // 4, peak_width // 4))
        site = centre - motif.width // 2
        if in_peak:
            start = centre - peak_width // 2 + int(rng.integers(-20, 21))
            bases[start:start + peak_width] = _random_bases(peak_width, peak_gc, rng)
            signal = float(rng.gamma(4.0, 5.0))
            peak_rows.append((chrom, start, start + peak_width, f"peak_{len(peak_rows) + 1}",
                              int(min(1000, 20 * signal)),
                              ".", round(signal, 3), round(signal / 2, 3), round(signal / 2.5, 3), centre - start))
        strand = _plant(bases, site, motif, rng)
        truth_rows.append((chrom, site, site + motif.width, motif.id, motif.name, strand, in_peak))
    peaks = pd.DataFrame(peak_rows, columns=["chrom", "start", "end", "name", "score", "strand", "signal", "p", "q",
                                             "summit"])
    truth = pd.DataFrame(truth_rows, columns=["chrom", "start", "end", "motif_id", "motif_name", "strand", "in_peak"])
    variants = known_answer_variants(chromosomes, truth.loc[truth["in_peak"]], {m.id: m for m in planted},
                                     variant_window, rng)
    return SimulatedGenome({name: "".join(bases) for name, bases in chromosomes.items()}, peaks, truth, variants)


FOOTPRINT_FLANK = 12
"""Bases on either side of a planted site where Tn5 cuts more often (the footprint's shoulders)."""


def simulate_insertions(
    simulated: SimulatedGenome,
    background_rate: float = 0.02,
    peak_rate: float = 0.5,
    accessible_width: int = 150,
    protection: Mapping[str, float] | float = 0.9,
    strength: Mapping[str, float] | float = 1.0,
    seed: int = 1,
) -> dict[str, np.ndarray]:
    """Tn5 insertion counts per base over a simulated genome, with footprints at its peaks'
    planted sites: what an ATAC-seq experiment on it would give.

    Every base is cut at ``background_rate`` (Poisson), times a mild enzyme preference for
    G/C at the cut (as Tn5 has: 1.5 x at G or C). Around each planted site in a peak the rate
    rises by ``peak_rate`` times the factor's ``strength`` (per motif name, or one value: how
    much its binding opens the chromatin) in a Gaussian of standard deviation
    ``accessible_width`` / 2; on
    the site itself the bound factor protects the DNA (the rate times ``1 - protection``,
    per motif name or one value), and on the :data:`FOOTPRINT_FLANK` bases on either side it
    doubles: the footprint a profile model should learn.

    Returns
    -------
    dict
        Chromosome -> ``int32`` insertion counts (write them with
        :func:`biodl.io.fragments.write_counts_bigwig`).
    """
    rng = np.random.default_rng(seed)
    counts = {}
    sites = simulated.truth.loc[simulated.truth["in_peak"]]
    for chrom, bases in simulated.chromosomes.items():
        codes = np.frombuffer(bases.encode("ascii"), dtype=np.uint8)
        rate = background_rate * np.where(np.isin(codes, [ord("G"), ord("C")]), 1.5, 1.0)
        for start, end, name in sites.loc[sites["chrom"] == chrom, ["start", "end", "motif_name"]].itertuples(
                index=False):
            centre = (start + end) // 2
            around = np.arange(max(centre - 3 * accessible_width, 0), min(centre + 3 * accessible_width, len(rate)))
            opening = strength.get(name, 1.0) if isinstance(strength, Mapping) else strength
            rate[around] += peak_rate * opening * np.exp(-0.5 * ((around - centre) / (accessible_width / 2)) ** 2)
            depth = protection.get(name, 0.0) if isinstance(protection, Mapping) else protection
            rate[max(start - FOOTPRINT_FLANK, 0):start] *= 2
            rate[end:end + FOOTPRINT_FLANK] *= 2
            rate[start:end] *= 1 - depth
        counts[chrom] = rng.poisson(rate).astype(np.int32)
    return counts


class SimulatedProfiles(NamedTuple):
    """A simulated genome (:class:`SimulatedGenome`) and the Tn5 ``insertions`` per base
    (chromosome -> counts) an ATAC-seq experiment on it gives (:func:`simulate_insertions`)."""

    genome: SimulatedGenome
    insertions: dict[str, np.ndarray]

    def write(self, genome: PathLike, peaks: PathLike, truth: PathLike, cuts: PathLike) -> None:
        """Write the genome, peaks and truth (:meth:`SimulatedGenome.write`) and the insertions as a bigWig."""
        self.genome.write(genome, peaks, truth)
        write_counts_bigwig(self.insertions, cuts)


def simulate_profiles(genome: Mapping | None = None, insertions: Mapping | None = None,
                      release: str = DEFAULT_RELEASE, seed: int = 1) -> SimulatedProfiles:
    """A demo genome with peaks over planted motifs (:func:`simulate_genome` with the
    settings ``genome``) and the insertion counts with footprints at their sites
    (:func:`simulate_insertions` with ``insertions``)."""
    simulated = simulate_genome(**dict(genome or {}), release=release, seed=seed)
    return SimulatedProfiles(simulated, simulate_insertions(simulated, **dict(insertions or {}), seed=seed))


SITE_MARGIN = 10
"""Control SNVs of :func:`known_answer_variants` lie at least this far from the site."""


def known_answer_variants(chromosomes: Mapping[str, np.ndarray], sites: pd.DataFrame, motifs: Mapping[str, Motif],
                          window: int, rng: np.random.Generator) -> pd.DataFrame:
    """Two SNVs per planted site: one breaking it, one elsewhere in the window around it.

    The breaking SNV is :func:`biodl.data.pwm.breaking_substitution` of the site; the control changes a
    random position of the ``window`` centred on the site, at least :data:`SITE_MARGIN` bp
    from it, to a random other base.

    Returns
    -------
    pandas.DataFrame
        ``chrom``, ``pos`` (1-based), ``id`` (``site<k>_break``, ``site<k>_control``),
        ``ref``, ``alt``, ``breaks_site``, ``motif_name``.
    """
    rows = []
    for k, site in enumerate(sites.itertuples(index=False)):
        bases = chromosomes[site.chrom]
        motif = motifs[site.motif_id]
        offset, alt = breaking_substitution(motif, site.strand)
        position = site.start + offset
        ref = str(bases[position])
        if ref != alt:
            rows.append((site.chrom, position + 1, f"site{k}_break", ref, alt, True, site.motif_name))
        centre = (site.start + site.end) // 2
        lo, hi = max(0, centre - window // 2), min(len(bases), centre + window - window // 2)
        allowed = [p for p in range(lo, hi) if not site.start - SITE_MARGIN <= p < site.end + SITE_MARGIN
                   and bases[p] in ALPHABET]
        if allowed:
            position = int(allowed[rng.integers(len(allowed))])
            ref = str(bases[position])
            alt = [base for base in ALPHABET if base != ref][rng.integers(3)]
            rows.append((site.chrom, position + 1, f"site{k}_control", ref, alt, False, site.motif_name))
    table = pd.DataFrame(rows, columns=["chrom", "pos", "id", "ref", "alt", "breaks_site", "motif_name"])
    return table.sort_values(["chrom", "pos"], kind="stable").reset_index(drop=True)


def simulate_omics(
    n_per_subtype: int = 100,
    n_subtypes: int = 3,
    latent_dim: int = 4,
    features: Mapping[str, int] | None = None,
    noise: Mapping[str, float] | None = None,
    binary_like: Sequence[str] = ("methylation",),
    missing_fraction: float = 0.1,
    seed: int = 1,
) -> SimulatedOmics:
    """Several omics generated from one latent factor model driven by subtypes.

    Each subtype has its own latent mean; a sample's latent is that mean plus unit noise;
    each omic is a random linear map of the latent plus omic-specific noise. Binary-like
    omics (methylation beta values) pass through a logistic function into (0, 1). A
    ``missing_fraction`` of the samples lack one omic (never the first).

    Returns
    -------
    omics, labels
        Omic name -> ``samples x features`` table; labels with ``sample`` and ``subtype``.
    """
    features = dict(features or {"mrna": 200, "mirna": 80, "methylation": 150})
    noise = dict(noise or {"mrna": 1.0, "mirna": 2.0, "methylation": 1.5})
    if n_subtypes < 2:
        raise ValueError(f"need at least two subtypes, got {n_subtypes}")
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(n_subtypes, latent_dim))
    subtype = np.repeat(np.arange(n_subtypes), n_per_subtype)
    latent = centres[subtype] + rng.normal(size=(len(subtype), latent_dim))
    samples = [f"S{i:04d}" for i in range(len(subtype))]
    omics = {}
    for name, width in features.items():
        loadings = rng.normal(size=(latent_dim, width)) / np.sqrt(latent_dim)
        values = latent @ loadings + rng.normal(scale=noise.get(name, 1.0), size=(len(subtype), width))
        if name in binary_like:
            values = 1 / (1 + np.exp(-values))
        omics[name] = pd.DataFrame(values, index=pd.Index(samples, name="sample"),
                                   columns=[f"{name}_{j}" for j in range(width)])
    names = list(omics)
    if len(names) > 1 and missing_fraction > 0:
        lacking = rng.choice(len(samples), size=int(missing_fraction * len(samples)), replace=False)
        for i in lacking:
            omic = names[1 + rng.integers(len(names) - 1)]
            omics[omic] = omics[omic].drop(index=samples[i])
    labels = pd.DataFrame({"sample": samples, "subtype": [f"subtype{k + 1}" for k in subtype]})
    return SimulatedOmics(omics, labels)
