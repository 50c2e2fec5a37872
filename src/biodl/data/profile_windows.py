"""Base-resolution profile data (BPNet, ChromBPNet): windows of a genome around peak summits,
with the count tracks (Tn5 insertions, ChIP-nexus reads per strand, ...) at every base of
each window's centre (:func:`extract_profiles`), and GC-matched background windows for the
count head. :class:`ProfileWindows` holds them with a margin of ``jitter`` bases on both
sides, and hands the training pipeline batches cut at a random offset inside the margin and
reverse-complemented at random (:meth:`ProfileWindows.batch`), so the augmentations are
drawn per batch, never stored as copies.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from biodl.data.dna import one_hot_codes
from biodl.data.splits import chromosome_split
from biodl.data.windows import (
    MAX_N_FRACTION,
    Composition,
    intervals_by_chrom,
    other_assembly,
    sample_gc_matched,
    usable_region_windows,
)
from biodl.io.files import InputError, PathLike, load_arrays, save_arrays
from biodl.io.fragments import TN5_SHIFT, insertion_counts
from biodl.io.genome import Genome
from biodl.io.intervals import read_regions

log = logging.getLogger(__name__)

_BIGWIG_MAGIC = (0x888FFC26).to_bytes(4, "little")
_ARRAYS = ("sequences", "counts", "id", "chrom", "start", "source", "split", "tracks", "strand_pairs", "lengths",
           "genome_chroms", "genome_sizes")


@dataclass
class ProfileWindows:
    """Profile windows with a margin for jitter: inputs and base-resolution targets.

    Attributes
    ----------
    sequences
        ``(n, input_length + 2 * jitter)`` ASCII codes of the bases (one-hot per batch).
    counts
        ``(n, output_length + 2 * jitter, tracks)`` counts per base and track, on the same
        centres as ``sequences``.
    windows
        One row per window: ``id`` (``chrom:start-end`` of the input window without
        jitter), ``chrom``, ``start``, ``source`` (``region`` or ``background``), ``split``.
    tracks
        The name of each track (the last axis of ``counts``).
    strand_pairs
        ``(plus, minus)`` track indices of stranded assays, swapped when a window is
        reverse-complemented; other tracks are only reversed.
    input_length, output_length, jitter
        The model's input and output lengths, and the largest random shift of a window's
        centre in training.
    chrom_sizes
        The genome's chromosome lengths (for tracks of predictions).
    """

    sequences: np.ndarray
    counts: np.ndarray
    windows: pd.DataFrame
    tracks: list[str]
    strand_pairs: list[tuple[int, int]]
    input_length: int
    output_length: int
    jitter: int
    chrom_sizes: dict[str, int]

    def __post_init__(self):
        n = len(self.windows)
        if self.sequences.shape != (n, self.input_length + 2 * self.jitter):
            raise ValueError(f"sequences of shape {self.sequences.shape}; expected ({n}, "
                             f"{self.input_length + 2 * self.jitter}) for input_length {self.input_length} "
                             f"and jitter {self.jitter}")
        if self.counts.shape != (n, self.output_length + 2 * self.jitter, len(self.tracks)):
            raise ValueError(f"counts of shape {self.counts.shape}; expected ({n}, "
                             f"{self.output_length + 2 * self.jitter}, {len(self.tracks)})")
        order = np.arange(len(self.tracks))
        for plus, minus in self.strand_pairs:
            order[plus], order[minus] = minus, plus
        self._swapped_strands = order

    def __len__(self) -> int:
        return len(self.windows)

    def subset(self, rows: np.ndarray | pd.Series) -> ProfileWindows:
        """The windows at ``rows`` (indices or a boolean mask), e.g. ``data.split == "train"``."""
        rows = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows)
        return ProfileWindows(self.sequences[rows], self.counts[rows], self.windows.iloc[rows].reset_index(drop=True),
                              self.tracks, self.strand_pairs, self.input_length, self.output_length, self.jitter,
                              self.chrom_sizes)

    @property
    def output_offset(self) -> int:
        """Where the output window starts in the input window (both centred)."""
        return (self.input_length - self.output_length) // 2

    @property
    def split(self) -> np.ndarray:
        return self.windows["split"].to_numpy()

    def batch(self, rows: np.ndarray, rng: np.random.Generator | None = None) -> tuple[np.ndarray, dict]:
        """Inputs and targets of the windows at ``rows``, as the model reads them.

        Parameters
        ----------
        rows
            Window indices.
        rng
            Draws each window's shift (up to ``jitter`` bases either way) and whether it is
            reverse-complemented (half the windows: the bases reversed and complemented,
            the profiles reversed, the strands of stranded tracks swapped). ``None``: the
            centred forward windows (evaluation and prediction).

        Returns
        -------
        x, targets
            float32 one-hot ``(len(rows), input_length, 4)``; ``profile``: the counts
            ``(len(rows), output_length, tracks)``, ``log_count``: ``log1p`` of their sum
            per track.
        """
        rows = np.asarray(rows, dtype=np.int64)
        if rng is None:
            shift = np.full(len(rows), self.jitter)
        else:
            shift = rng.integers(0, 2 * self.jitter + 1, size=len(rows))
        bases = self.sequences[rows[:, None], shift[:, None] + np.arange(self.input_length)]
        profile = self.counts[rows[:, None], shift[:, None] + np.arange(self.output_length)].astype(np.float32)
        x = one_hot_codes(bases).astype(np.float32)
        if rng is not None:
            flip = rng.random(len(rows)) < 0.5
            x[flip] = x[flip, ::-1, ::-1]
            profile[flip] = profile[flip, ::-1][..., self._swapped_strands]
        return x, {"profile": profile, "log_count": np.log1p(profile.sum(axis=1))}

    def inputs(self) -> CentredInputs:
        """The centred one-hot inputs, cut when sliced (for baselines and interpretation)."""
        return CentredInputs(self)

    def observed(self) -> np.ndarray:
        """The counts of every window's centred output window ``(n, output_length, tracks)``."""
        return self.counts[:, self.jitter:self.jitter + self.output_length]

    def save(self, path: PathLike) -> None:
        """Write every array to one uncompressed ``.npz`` (:func:`load_profiles` reads it)."""
        table = self.windows
        save_arrays(path, sequences=self.sequences, counts=self.counts, id=table["id"].to_numpy(str),
                    chrom=table["chrom"].to_numpy(str), start=table["start"].to_numpy(np.int64),
                    source=table["source"].to_numpy(str), split=table["split"].to_numpy(str),
                    tracks=np.array(self.tracks, dtype=str),
                    strand_pairs=np.array(self.strand_pairs, dtype=np.int64).reshape(-1, 2),
                    lengths=np.array([self.input_length, self.output_length, self.jitter]),
                    genome_chroms=np.array(list(self.chrom_sizes), dtype=str),
                    genome_sizes=np.array(list(self.chrom_sizes.values()), dtype=np.int64))


class CentredInputs:
    """The centred float32 one-hot inputs of :class:`ProfileWindows`, cut when indexed, as
    :class:`biodl.io.arrays.StoredRows` reads rows: ``inputs[a:b]`` is one chunk."""

    def __init__(self, data: ProfileWindows):
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.data), self.data.input_length, 4

    def __getitem__(self, key) -> np.ndarray:
        return self.data.batch(np.atleast_1d(np.arange(len(self.data))[key]))[0]


def load_profiles(path: PathLike) -> ProfileWindows:
    """Read the profile windows that :meth:`ProfileWindows.save` wrote.

    Raises
    ------
    InputError
        If the file is not such a file (another step's ``.npz``), naming what it lacks.
    """
    arrays = load_arrays(path, required=_ARRAYS, what="profile windows (prepare_profiles's data.npz)")
    windows = pd.DataFrame({key: arrays[key] for key in ("id", "chrom", "start", "source", "split")})
    input_length, output_length, jitter = (int(v) for v in arrays["lengths"])
    try:
        return ProfileWindows(arrays["sequences"], arrays["counts"], windows, arrays["tracks"].tolist(),
                              [tuple(pair) for pair in arrays["strand_pairs"].tolist()], input_length, output_length,
                              jitter, dict(zip(arrays["genome_chroms"].tolist(), arrays["genome_sizes"].tolist())))
    except ValueError as err:
        raise InputError(f"{path}: inconsistent profile windows: {err}") from None


def is_bigwig(path: PathLike) -> bool:
    """Whether ``path`` starts with the bigWig magic number (else it is read as fragments)."""
    with open(path, "rb") as handle:
        return handle.read(4) == _BIGWIG_MAGIC


class CountTracks:
    """Count tracks read one chromosome at a time: bigWigs (missing bases are 0) and
    fragment files (turned into Tn5 insertion counts, :func:`biodl.io.fragments.insertion_counts`,
    once for the whole genome)."""

    def __init__(self, tracks: Mapping[str, PathLike], chrom_sizes: Mapping[str, int],
                 shift: tuple[int, int] = TN5_SHIFT):
        if not tracks:
            raise ValueError("give at least one count track (name -> bigWig or fragments file)")
        self.names = list(tracks)
        self.paths = {name: Path(path) for name, path in tracks.items()}
        self._fragments: dict[str, dict[str, np.ndarray]] = {}
        for name, path in self.paths.items():
            if not path.is_file():
                raise InputError(f"track {name}: {path}: no such file")
            if not is_bigwig(path):
                self._fragments[name] = insertion_counts(path, chrom_sizes, shift)
        self._check_bigwig_chromosomes(chrom_sizes)

    def _check_bigwig_chromosomes(self, chrom_sizes: Mapping[str, int]) -> None:
        import pyBigWig

        for name, path in self.paths.items():
            if name in self._fragments:
                continue
            with pyBigWig.open(str(path)) as track:
                sizes = track.chroms()
            if not set(sizes) & set(chrom_sizes):
                raise InputError(f"track {name}: {path} shares no chromosome with the genome (it has e.g. "
                                 f"{sorted(sizes)[:3]}, the genome {list(chrom_sizes)[:3]}; a 'chr' prefix mismatch?)")
            if mismatch := other_assembly(sizes, chrom_sizes):
                raise InputError(f"track {name}: {path} {mismatch}")

    def chromosome(self, chrom: str, length: int) -> np.ndarray:
        """``(length, tracks)`` float32 counts of ``chrom`` (0 where a bigWig has no data)."""
        import pyBigWig

        values = np.zeros((length, len(self.names)), dtype=np.float32)
        for j, name in enumerate(self.names):
            if name in self._fragments:
                values[:, j] = self._fragments[name][chrom]
                continue
            with pyBigWig.open(str(self.paths[name])) as track:
                if chrom in track.chroms():
                    values[:, j] = np.nan_to_num(track.values(chrom, 0, length, numpy=True), nan=0.0)
        return values


def _cut(array: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Rows ``array[start:start + length]`` for every start, stacked."""
    return array[starts[:, None] + np.arange(length)]


def extract_profiles(
    regions: PathLike,
    genome: PathLike,
    tracks: Mapping[str, PathLike],
    *,
    strand_pairs: Sequence[Sequence[str]] = (),
    input_length: int = 2114,
    output_length: int = 1000,
    jitter: int = 128,
    background: float = 0.1,
    blacklist: PathLike | None = None,
    test_chromosomes: Sequence[str] = (),
    val_chromosomes: Sequence[str] = (),
    fragment_shift: tuple[int, int] = TN5_SHIFT,
    seed: int = 1,
) -> tuple[ProfileWindows, dict]:
    """Cut profile windows around peak summits and GC-matched background windows.

    Parameters
    ----------
    regions
        Peaks: narrowPeak (centred on the summit) or BED (on the interval centre).
    genome
        Plain or bgzip FASTA (:class:`biodl.io.genome.Genome`).
    tracks
        Track name -> a bigWig of counts per base, or a fragments file (BEDPE, 10x
        ``fragments.tsv.gz``) turned into Tn5 insertion counts with ``fragment_shift``.
    strand_pairs
        ``[plus, minus]`` track names of stranded assays (swapped on reverse complement).
    input_length, output_length
        Bases the model reads and predicts, both centred on the summit.
    jitter
        Largest shift of a window's centre in training: ``jitter`` bases are kept on both
        sides of every window.
    background
        GC-matched background windows per peak (ChromBPNet's 0.1), drawn on the peaks'
        chromosomes outside every peak window and the blacklist, matched on the GC of the
        input window; they teach the count head what low accessibility looks like.
    blacklist
        BED of intervals no window may overlap.
    test_chromosomes, val_chromosomes
        Held-out chromosomes; the rest is training.
    fragment_shift
        Insertion sites of a fragment (start + first, end + second) for fragment tracks.
    seed
        Seeds the background draws.

    Returns
    -------
    ProfileWindows, dict
        The windows, and a report of what was read, left out (counted) and drawn.

    Raises
    ------
    InputError
        For unusable files, or when no window is left, naming the cause.
    """
    if output_length < 1 or input_length < output_length:
        raise ValueError(f"need 1 <= output_length <= input_length; got output_length {output_length}, "
                         f"input_length {input_length}")
    if jitter < 0 or background < 0:
        raise ValueError(f"jitter and background must be at least 0; got {jitter} and {background}")
    names = list(tracks)
    unknown = sorted({name for pair in strand_pairs for name in pair} - set(names))
    if unknown or any(len(pair) != 2 for pair in strand_pairs):
        raise ValueError(f"strand_pairs must be [plus, minus] pairs of track names {names}; got {list(strand_pairs)}")
    pairs = [(names.index(plus), names.index(minus)) for plus, minus in strand_pairs]
    span = input_length + 2 * jitter
    table = read_regions(regions).assign(file=str(regions))
    centre = np.where(table["summit"] >= 0, table["summit"], (table["start"] + table["end"]) // 2)
    table["window_start"] = centre - span // 2
    report: dict = {"region_files": [str(regions)], "regions_read": len(table), "left_out": {}}
    black = [read_regions(blacklist)] if blacklist is not None else []
    rng = np.random.default_rng(seed)
    sequences, counts, rows = [], [], []
    with Genome(genome) as reference:
        sizes = reference.chrom_sizes
        kept = usable_region_windows(table.assign(strand="."), span, sizes,
                                     intervals_by_chrom(*black) if black else {}, genome, report, [])
        excluded = intervals_by_chrom(table.assign(start=table["window_start"], end=table["window_start"] + span),
                                      *black)
        count_tracks = CountTracks(tracks, sizes, fragment_shift)
        offset = (input_length - output_length) // 2  # the output window's start in the input window
        mostly_n = 0
        for chrom, group in kept.groupby("chrom", sort=False):
            codes = reference.chromosome(chrom)
            composition = Composition(codes)
            starts = group["window_start"].to_numpy()
            gc, non_acgt = composition.of(starts, span)
            usable = non_acgt <= MAX_N_FRACTION
            starts, gc = starts[usable], gc[usable]
            mostly_n += int((~usable).sum())
            n_background = int(np.floor(background * len(starts) + rng.random()))
            targets = rng.choice(gc, size=n_background) if len(starts) else []
            background_starts, _ = sample_gc_matched(composition, np.asarray(targets), span, excluded[chrom], rng)
            values = count_tracks.chromosome(chrom, len(codes))
            for source, chosen in (("region", np.sort(starts)), ("background", background_starts)):
                sequences.append(_cut(codes, chosen, span))
                counts.append(_cut(values, chosen + offset, output_length + 2 * jitter))
                rows.append(pd.DataFrame({"chrom": chrom, "start": chosen + jitter, "source": source}))
    report["left_out"]["mostly_n"] = mostly_n
    if mostly_n:
        log.warning("%d peak windows with more than %.0f%% N bases left out", mostly_n, 100 * MAX_N_FRACTION)
    windows = pd.concat(rows, ignore_index=True)
    if not (windows["source"] == "region").any():
        raise InputError(f"no peak window is left from {regions}: {report['left_out']}")
    windows["id"] = (windows["chrom"] + ":" + windows["start"].astype(str) + "-"
                     + (windows["start"] + input_length).astype(str))
    windows["split"] = (chromosome_split(windows["id"].tolist(), test_chromosomes, val_chromosomes)
                        if test_chromosomes else "train")
    data = ProfileWindows(np.concatenate(sequences), np.concatenate(counts).astype(np.float32),
                          windows[["id", "chrom", "start", "source", "split"]], names, pairs, input_length,
                          output_length, jitter, dict(sizes))
    report.update(_profile_report(data))
    log.info("profile windows: %s", report)
    return data, report


def _profile_report(data: ProfileWindows) -> dict:
    """Windows per source and split, and the counts in the centred output windows."""
    totals = data.observed().sum(axis=1)
    table = data.windows.assign(total=totals.sum(axis=1))
    windows = table.groupby(["source", "split"]).size()
    return {
        "windows": {f"{source}/{split}": int(n) for (source, split), n in windows.items()},
        "counts_per_window": {source: {"median": float(group["total"].median()), "mean": float(group["total"].mean())}
                              for source, group in table.groupby("source")},
        "tracks": data.tracks,
        "lengths": {"input": data.input_length, "output": data.output_length, "jitter": data.jitter},
    }
