"""Regions on a reference genome become labelled sequence windows (:func:`extract`, the
``extract_regions`` rule): a window of fixed length around each peak summit (or interval
centre), GC-matched background windows drawn from the same chromosomes and/or
dinucleotide shuffles as negatives, and optionally the mean of a bigWig signal per window
as a regression target. Its FASTA and labels feed :func:`biodl.sequences.prepare`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from biodl.data.dna import decode, dinucleotide_shuffles, one_hot_encode, reverse_complement
from biodl.io.fasta import write_fasta
from biodl.io.files import InputError, PathLike, write_json, write_table
from biodl.io.genome import Genome
from biodl.io.intervals import read_regions

log = logging.getLogger(__name__)

MAX_N_FRACTION = 0.5
"""Windows with more than this fraction of N (or other non-ACGT) bases are left out."""
GC_BIN_WIDTH = 0.02
"""Background windows are matched to the positives' GC content in bins this wide."""
_GC_BINS = round(1 / GC_BIN_WIDTH)
_SAMPLING_ROUNDS = 20
_ASCII_GC = np.zeros(256, dtype=bool)
_ASCII_GC[[ord("G"), ord("C")]] = True
_ASCII_ACGT = np.zeros(256, dtype=bool)
_ASCII_ACGT[[ord(base) for base in "ACGT"]] = True


@dataclass
class RegionWindows:
    """Sequence windows cut from a genome, with their targets.

    Attributes
    ----------
    windows
        One row per window: ``id`` (``chrom:start-end``, ``(-)`` added on the minus strand,
        shuffles end in ``_shuf<k>``), ``chrom``, ``start``, ``end``, ``strand``, ``source``
        (``region``, ``gc_matched`` or ``shuffled``), ``gc``, then the target columns.
    sequences
        The windows' bases, in row order.
    targets
        Names of the target columns (the labels :func:`biodl.sequences.prepare` reads).
    report
        Counts of what was read, left out and drawn, and how the negatives match in GC.
    """

    windows: pd.DataFrame
    sequences: list[str]
    targets: list[str]
    report: dict

    def labels(self) -> pd.DataFrame:
        """``id`` and the target columns."""
        return self.windows[["id", *self.targets]]

    def write(self, fasta: PathLike, labels: PathLike, windows: PathLike, report: PathLike) -> None:
        """Write the windows' FASTA, their labels (TSV), the window table (TSV) and the report (JSON)."""
        write_fasta(fasta, self.windows["id"].tolist(), self.sequences)
        write_table(labels, self.labels(), index=False)
        write_table(windows, self.windows, index=False)
        write_json(report, self.report)


class Intervals:
    """Merged, sorted intervals of one chromosome, for overlap tests."""

    def __init__(self, starts: np.ndarray, ends: np.ndarray):
        order = np.argsort(starts, kind="stable")
        starts, ends = np.asarray(starts)[order], np.asarray(ends)[order]
        merged_starts, merged_ends = [], []
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if merged_ends and start <= merged_ends[-1]:
                merged_ends[-1] = max(merged_ends[-1], end)
            else:
                merged_starts.append(start)
                merged_ends.append(end)
        self.starts = np.array(merged_starts, dtype=np.int64)
        self.ends = np.array(merged_ends, dtype=np.int64)

    def overlap(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Whether each ``[start, end)`` overlaps any interval."""
        if self.starts.size == 0:
            return np.zeros(len(starts), dtype=bool)
        last_before = np.searchsorted(self.starts, ends, side="left") - 1
        return (last_before >= 0) & (self.ends[np.maximum(last_before, 0)] > starts)


class Composition:
    """GC and ACGT counts of any window of one chromosome in O(1), from running sums.

    The sums are ``uint16`` and wrap around: differences stay exact for windows shorter
    than 65,536 bp at 2 bytes per base instead of 8.
    """

    def __init__(self, codes: np.ndarray):
        zero = np.zeros(1, dtype=np.uint16)
        self.gc = np.concatenate([zero, np.cumsum(_ASCII_GC[codes], dtype=np.uint16)])
        self.acgt = np.concatenate([zero, np.cumsum(_ASCII_ACGT[codes], dtype=np.uint16)])
        self.length = len(codes)

    def of(self, starts: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
        """GC fraction (of the ACGT bases) and non-ACGT fraction of windows ``[start, start + length)``."""
        gc = (self.gc[starts + length] - self.gc[starts]).astype(np.int64)  # uint16 difference: wraps back
        acgt = (self.acgt[starts + length] - self.acgt[starts]).astype(np.int64)
        return gc / np.maximum(acgt, 1), 1 - acgt / length


def _gc_bin(gc: np.ndarray) -> np.ndarray:
    return np.minimum((np.asarray(gc) / GC_BIN_WIDTH).astype(np.int64), _GC_BINS - 1)


def _draw_count(ratio: float, n: int, rng: np.random.Generator) -> int:
    """``ratio * n`` rounded up or down at random in proportion to the fraction."""
    expected = ratio * n
    return int(np.floor(expected) + (rng.random() < expected - np.floor(expected)))


def sample_gc_matched(
    composition: Composition, target_gc: np.ndarray, length: int, excluded: Intervals, rng: np.random.Generator,
) -> tuple[np.ndarray, int]:
    """Starts of background windows on one chromosome (its ``composition``), one per value
    of ``target_gc``, each in the same GC bin (:data:`GC_BIN_WIDTH`) as its target.

    Candidates are drawn uniformly in rounds; those overlapping ``excluded``, more than
    :data:`MAX_N_FRACTION` N, or already drawn are rejected. Targets whose bin stays empty
    after every round take the candidate nearest in GC.

    Returns
    -------
    starts, n_nearest
        The window starts, and how many of them are nearest-GC rather than same-bin matches.
    """
    last_start = composition.length - length
    if len(target_gc) == 0 or last_start < 0:
        return np.zeros(0, dtype=np.int64), 0
    want = np.bincount(_gc_bin(target_gc), minlength=_GC_BINS)
    chosen: list[np.ndarray] = []
    taken = set()
    pool_starts, pool_gc = np.zeros(0, dtype=np.int64), np.zeros(0)
    for _ in range(_SAMPLING_ROUNDS):
        candidates = np.unique(rng.integers(0, last_start + 1, size=max(20 * int(want.sum()), 1000)))
        candidates = candidates[~excluded.overlap(candidates, candidates + length)]
        candidates = candidates[~np.isin(candidates, list(taken))] if taken else candidates
        gc, non_acgt = composition.of(candidates, length)
        order = rng.permutation(np.flatnonzero(non_acgt <= MAX_N_FRACTION))
        candidates, gc = candidates[order], gc[order]
        bins = _gc_bin(gc)
        for b in np.flatnonzero(want):
            in_bin = candidates[bins == b][: want[b]]
            chosen.append(in_bin)
            taken.update(in_bin.tolist())
            want[b] -= in_bin.size
        unused = ~np.isin(candidates, list(taken))
        pool_starts, pool_gc = candidates[unused], gc[unused]
        if want.sum() == 0:
            break
    n_nearest = int(want.sum())
    if n_nearest:
        centres = (np.flatnonzero(want) + 0.5) * GC_BIN_WIDTH
        for centre, count in zip(centres, want[want > 0], strict=True):
            nearest = np.argsort(np.abs(pool_gc - centre), kind="stable")[:count]
            chosen.append(pool_starts[nearest])
            pool_starts, pool_gc = np.delete(pool_starts, nearest), np.delete(pool_gc, nearest)
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64), n_nearest


def other_assembly(track_sizes: Mapping[str, int], chrom_sizes: Mapping[str, int],
                   chroms: Sequence[str] | None = None) -> str | None:
    """Where a track's chromosome lengths disagree with the genome's (among ``chroms``, or
    every shared chromosome): ``"gives chrN <n> bp, the genome <m> bp: another assembly?"``;
    ``None`` where they agree. The bigWig readers' check."""
    wrong = sorted(c for c in (track_sizes if chroms is None else chroms)
                   if c in track_sizes and c in chrom_sizes and track_sizes[c] != chrom_sizes[c])
    if not wrong:
        return None
    return f"gives {wrong[0]} {track_sizes[wrong[0]]} bp, the genome {chrom_sizes[wrong[0]]} bp: another assembly?"


def signal_means(path: PathLike, windows: pd.DataFrame, chrom_sizes: Mapping[str, int] | None = None) -> np.ndarray:
    """Mean of a bigWig track over each window (bases without data count as 0).

    Parameters
    ----------
    path, windows
        The bigWig, and the windows (``chrom``, ``start``, ``end``).
    chrom_sizes
        The genome's chromosome lengths the windows were cut from: a window chromosome of
        another length in the track is refused (another assembly).

    Raises
    ------
    InputError
        If the file is not a bigWig, lacks chromosomes the windows are on, or gives one of
        them another length than ``chrom_sizes``.
    """
    import pyBigWig

    path = Path(path)
    if not path.is_file():
        raise InputError(f"signal {path}: no such file")
    try:
        track = pyBigWig.open(str(path))
    except RuntimeError:
        track = None
    if track is None or not track.isBigWig():
        raise InputError(f"signal {path}: not a bigWig file")
    with track:
        sizes = track.chroms()
        missing = sorted(set(windows["chrom"]) - set(sizes))
        if missing:
            raise InputError(f"signal {path}: no chromosome {missing[0]!r} ({len(missing)} window chromosomes "
                             f"missing; the track has e.g. {sorted(sizes)[:5]})")
        if chrom_sizes and (mismatch := other_assembly(sizes, chrom_sizes, set(windows["chrom"]))):
            raise InputError(f"signal {path}: {mismatch}")
        means = np.empty(len(windows))
        for i, (chrom, start, end) in enumerate(windows[["chrom", "start", "end"]].itertuples(index=False)):
            values = track.values(chrom, int(start), int(min(end, sizes[chrom])), numpy=True)
            means[i] = np.nan_to_num(values, nan=0.0).sum() / (end - start)
    return means


def _read_region_files(regions: Sequence[PathLike], classes: Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """All intervals with a ``class`` column (or the file's label columns) and the label names."""
    if classes is not None and len(classes) != len(regions):
        raise ValueError(f"{len(classes)} class names for {len(regions)} region files; give one name per file")
    tables = []
    for i, path in enumerate(regions):
        table = read_regions(path)
        table["file"] = str(path)
        if classes is not None:
            table["class"] = classes[i]
        tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    base = {"chrom", "start", "end", "summit", "strand", "line", "file", "class"}
    label_columns = [name for name in table.columns if name not in base]
    if label_columns and len(regions) > 1:
        raise InputError(f"regions {list(map(str, regions))}: label columns {label_columns} in a table go with a "
                         "single file; give several BED files as classes, or one table")
    return table, label_columns


def _count(report: dict, key: str, n: int, what: str, example: str | None = None) -> None:
    report["left_out"][key] = int(n)
    if n:
        log.warning("%d %s left out%s", n, what, f" (e.g. {example})" if example else "")


def _where(rows: pd.DataFrame) -> str | None:
    """``file:line`` of the first row, for messages."""
    return None if rows.empty else f"{rows['file'].iloc[0]}:{rows['line'].iloc[0]}"


def intervals_by_chrom(*tables: pd.DataFrame) -> dict[str, Intervals]:
    """Chromosome -> merged ``[start, end)`` intervals of every row of ``tables``."""
    rows = pd.concat([table[["chrom", "start", "end"]] for table in tables], ignore_index=True)
    return {chrom: Intervals(group["start"].to_numpy(), group["end"].to_numpy())
            for chrom, group in rows.groupby("chrom")}


def usable_region_windows(table: pd.DataFrame, length: int, sizes: Mapping[str, int], blacklist: dict[str, Intervals],
                    genome: PathLike, report: dict, labels: Sequence[str]) -> pd.DataFrame:
    """The regions whose ``length`` window (``window_start``) lies on a known chromosome,
    inside it, off the blacklist and not repeated; each loss counted in ``report``. A
    window given twice with different ``labels`` (the class of its file, or the table's
    label columns) is left out, every copy."""
    known = table["chrom"].isin(list(sizes))
    if not known.any():
        raise InputError(
            f"{_where(table) or 'regions'}: no region chromosome is in genome {genome}: regions use e.g. "
            f"{table['chrom'].iloc[0]!r}, the genome "
            f"has {list(sizes)[:5]} (a 'chr' prefix mismatch?)"
        )
    _count(report, "unknown_chromosome", int((~known).sum()), f"regions on chromosomes not in genome {genome}",
           _where(table.loc[~known]))
    table = table.loc[known]
    off_end = (table["window_start"] < 0) | (table["window_start"] + length > table["chrom"].map(sizes))
    _count(report, "off_chromosome_end", int(off_end.sum()), f"{length} bp windows running off a chromosome end",
           _where(table.loc[off_end]))
    table = table.loc[~off_end]
    blacklisted = np.zeros(len(table), dtype=bool)
    starts = table["window_start"].to_numpy()
    for chrom, intervals in blacklist.items():
        on_chrom = (table["chrom"] == chrom).to_numpy()
        blacklisted[on_chrom] = intervals.overlap(starts[on_chrom], starts[on_chrom] + length)
    _count(report, "blacklisted", int(blacklisted.sum()), "region windows overlapping the blacklist",
           _where(table.loc[blacklisted]))
    table = table.loc[~blacklisted]
    same_window = ["chrom", "window_start", "strand"]
    if labels:
        described = table[list(labels)].astype(str).agg(", ".join, axis=1)
        conflicting = described.groupby([table[key] for key in same_window]).transform("nunique").to_numpy() > 1
        example = None
        if conflicting.any():
            rows = table.loc[conflicting].assign(described=described[conflicting])
            first = rows.loc[(rows[same_window] == rows[same_window].iloc[0]).all(axis=1)]
            example = " and ".join(f"{file}:{line} ({text})" for file, line, text
                                   in first[["file", "line", "described"]].itertuples(index=False))
        _count(report, "conflicting_labels", int(conflicting.sum()),
               "region windows given twice with different labels (every copy, as their label is ambiguous)", example)
        table = table.loc[~conflicting]
    duplicated = table.duplicated(same_window, keep="first")
    _count(report, "duplicate_window", int(duplicated.sum()), "region windows identical to an earlier one",
           _where(table.loc[duplicated]))
    table = table.loc[~duplicated]
    if table.empty:
        raise InputError(f"no region window is left from {report['region_files']}: every one was left out "
                         f"({', '.join(f'{key}: {n}' for key, n in report['left_out'].items() if n)})")
    return table


def _cut(codes: np.ndarray, starts: np.ndarray, length: int, minus: np.ndarray | None = None) -> list[str]:
    """The windows' bases; those where ``minus`` is set reverse-complemented."""
    windows = [codes[s:s + length].tobytes().decode("ascii") for s in starts]
    if minus is None:
        return windows
    return [reverse_complement(w) if flip else w for w, flip in zip(windows, minus, strict=True)]


def _windows_of_chromosome(codes: np.ndarray, regions: pd.DataFrame, length: int, gc_matched: float,
                           excluded: Intervals, rng: np.random.Generator
                           ) -> tuple[list[pd.DataFrame], int, np.ndarray]:
    """The region windows of one chromosome and their GC-matched background windows; how
    many of those are nearest-bin matches; and the GC of 1000 uniformly drawn windows (at
    most :data:`MAX_N_FRACTION` N), for comparison only."""
    composition = Composition(codes)
    uniform_gc, uniform_n = composition.of(
        np.random.default_rng(len(codes)).integers(0, len(codes) - length + 1, 1000), length)
    uniform_gc = uniform_gc[uniform_n <= MAX_N_FRACTION]
    starts = regions["window_start"].to_numpy()
    gc, non_acgt = composition.of(starts, length)
    windows = regions.assign(start=starts, end=starts + length, source="region", gc=gc, non_acgt=non_acgt,
                             sequence=_cut(codes, starts, length, regions["strand"].to_numpy() == "-"))
    usable = windows.loc[windows["non_acgt"] <= MAX_N_FRACTION]
    n_background = _draw_count(gc_matched, len(usable), rng)
    if n_background == 0:
        return [windows], 0, uniform_gc
    targets = rng.choice(usable["gc"].to_numpy(), size=n_background, replace=n_background > len(usable))
    background, n_nearest = sample_gc_matched(composition, targets, length, excluded, rng)
    background_gc, _ = composition.of(background, length)
    background = pd.DataFrame({
        "chrom": regions["chrom"].iloc[0], "start": background, "end": background + length, "source": "gc_matched",
        "strand": ".", "gc": background_gc, "non_acgt": 0.0, "sequence": _cut(codes, background, length),
    })
    return [windows, background], n_nearest, uniform_gc


def _add_targets(windows: pd.DataFrame, label_columns: list[str], classes: Sequence[str] | None,
                 signal: PathLike | None, chrom_sizes: Mapping[str, int]) -> list[str]:
    """Add the target columns to ``windows`` (see :func:`extract`); their names."""
    if signal is not None:
        windows["signal"] = np.log1p(signal_means(signal, windows, chrom_sizes))
        return ["signal"]
    if label_columns:
        return label_columns
    if classes is not None and len(classes) > 1:
        windows["class"] = windows["class"].where(windows["source"] == "region", "background")
        return ["class"]
    name = classes[0] if classes else "peak"
    windows[name] = (windows["source"] == "region").astype(int)
    return [name]


def extract(
    regions: PathLike | Sequence[PathLike],
    genome: PathLike,
    *,
    classes: Sequence[str] | None = None,
    length: int | None = None,
    gc_matched: float | None = None,
    shuffled: float = 0.0,
    blacklist: PathLike | None = None,
    signal: PathLike | None = None,
    seed: int = 1,
) -> RegionWindows:
    """Cut labelled windows from a genome around regions, with negatives if asked.

    Parameters
    ----------
    regions
        BED, narrowPeak or a TSV with ``chrom``, ``start``, ``end`` and label columns
        (:func:`biodl.io.intervals.read_regions`); or several BED/narrowPeak files, one per
        class (names in ``classes``).
    genome
        Plain or bgzip FASTA (:class:`biodl.io.genome.Genome`).
    classes
        One class name per region file. Not given: one file is the positive class ``peak``.
    length
        Window length, centred on the narrowPeak summit or else the interval centre.
        ``None``: the median interval width.
    gc_matched
        GC-matched background windows per region window, drawn on the same chromosome
        outside every region and the blacklist, in the GC bins of the region windows. ``None``: 1
        for region files, 0 for a table with its own labels.
    shuffled
        Dinucleotide shuffles of region windows per region window.
    blacklist
        BED of intervals to leave out: regions overlapping it are dropped (counted), and no
        background window is drawn there.
    signal
        bigWig track: the target becomes ``signal``, ``log1p`` of its mean over each window
        (:func:`signal_means`), for every window including the negatives.
    seed
        Seeds the background draws and the shuffles.

    Returns
    -------
    RegionWindows
        Windows with targets: ``peak`` (1 for regions, 0 for negatives) for one file;
        ``class`` (the file's class, ``background`` for negatives) for several; the
        table's label columns; or ``signal``.

    Raises
    ------
    InputError
        For unusable files, or when no window is left, naming the cause.
    """
    region_files = [regions] if isinstance(regions, str | Path) else list(regions)
    if not region_files:
        raise ValueError("no region files given")
    table, label_columns = _read_region_files(region_files, classes)
    if gc_matched is None:
        gc_matched = 0.0 if label_columns else 1.0
    if gc_matched < 0 or shuffled < 0:
        raise ValueError(f"negatives per region must be at least 0; got gc_matched {gc_matched}, shuffled {shuffled}")
    if label_columns and (gc_matched or shuffled) and signal is None:
        raise InputError(f"regions {region_files[0]} has its own label columns {label_columns}: negatives would have "
                         "no label; set gc_matched and shuffled to 0 and give the negatives in the table")
    if length is None:
        length = int(np.median(table["end"] - table["start"]))
        log.info("window length %d bp: the median width of the %d regions (set length to choose)", length,
                 len(table))
    if length < 1:
        raise ValueError(f"window length must be at least 1, got {length}")
    rng = np.random.default_rng(seed)
    report: dict = {"region_files": [str(p) for p in region_files], "regions_read": len(table), "length": length,
                    "centred_on": {"summit": int((table["summit"] >= 0).sum()),
                                   "interval_centre": int((table["summit"] < 0).sum())},
                    "left_out": {}}
    centre = np.where(table["summit"] >= 0, table["summit"], (table["start"] + table["end"]) // 2)
    table["window_start"] = centre - length // 2
    black = [read_regions(blacklist)] if blacklist is not None else []
    region_windows = table.assign(start=table["window_start"], end=table["window_start"] + length)
    excluded = intervals_by_chrom(table, region_windows, *black)  # no background window overlaps these
    parts, n_nearest, uniform_gc = [], 0, []
    with Genome(genome) as reference:
        kept = usable_region_windows(table, length, reference.chrom_sizes, intervals_by_chrom(*black) if black else {},
                               genome, report, label_columns or (["class"] if classes is not None else []))
        for chrom, group in kept.groupby("chrom", sort=False):
            chrom_parts, nearest, uniform = _windows_of_chromosome(reference.chromosome(chrom), group, length,
                                                                   gc_matched, excluded[chrom], rng)
            parts += chrom_parts
            n_nearest += nearest
            uniform_gc.append(uniform)
    report["gc_mean_uniform_windows"] = round(float(np.concatenate(uniform_gc).mean()), 4)
    windows = pd.concat(parts, ignore_index=True)
    mostly_n = (windows["source"] == "region") & (windows["non_acgt"] > MAX_N_FRACTION)
    _count(report, "mostly_n", int(mostly_n.sum()), f"region windows with more than {MAX_N_FRACTION:.0%} N bases",
           _where(windows.loc[mostly_n]))
    windows = windows.loc[~mostly_n].reset_index(drop=True)
    if not (windows["source"] == "region").any():
        raise InputError(f"no region window is left from {report['region_files']}: {report['left_out']}")
    windows["id"] = (windows["chrom"] + ":" + windows["start"].astype(str) + "-" + windows["end"].astype(str)
                     + windows["strand"].map({"-": "(-)"}).fillna(""))
    windows = pd.concat([windows, _shuffled_windows(windows, shuffled, rng)], ignore_index=True)
    targets = _add_targets(windows, label_columns, classes, signal, reference.chrom_sizes)
    report.update(_negatives_report(windows, gc_matched, shuffled, n_nearest))
    log.info("windows: %s", report)
    return RegionWindows(windows[["id", "chrom", "start", "end", "strand", "source", "gc", *targets]].copy(),
                         windows["sequence"].tolist(), targets, report)


def _shuffled_windows(windows: pd.DataFrame, ratio: float, rng: np.random.Generator) -> pd.DataFrame:
    """Dinucleotide shuffles of region windows, ``ratio`` per window, ids ``<id>_shuf<k>``."""
    regions = windows.loc[windows["source"] == "region"]
    n = _draw_count(ratio, len(regions), rng)
    if n == 0:
        return windows.iloc[:0]
    picked = regions.iloc[np.sort(rng.choice(len(regions), size=n, replace=n > len(regions)))]
    encoded = one_hot_encode(picked["sequence"].tolist())
    sequences = decode(dinucleotide_shuffles(encoded, 1, rng)[:, 0])
    copy_number = picked.groupby("id").cumcount() + 1
    return picked.assign(source="shuffled", sequence=sequences, id=picked["id"] + "_shuf" + copy_number.astype(str))


def _negatives_report(windows: pd.DataFrame, gc_matched: float, shuffled: float, n_nearest: int) -> dict:
    counts = windows["source"].value_counts()
    gc_mean = windows.groupby("source")["gc"].mean()
    n_background = int(counts.get("gc_matched", 0))
    return {
        "windows": {source: int(counts.get(source, 0)) for source in ("region", "gc_matched", "shuffled")},
        "negatives": {
            "gc_matched_per_region": gc_matched, "shuffled_per_region": shuffled,
            "how": (f"gc_matched: windows drawn uniformly on the regions' own chromosomes, outside every region "
                    f"and the blacklist, at most {MAX_N_FRACTION:.0%} N, each in the GC bin ({GC_BIN_WIDTH:.0%} "
                    "wide) of a region window drawn at random; shuffled: dinucleotide shuffles of region windows"),
            "gc_matched_in_same_bin": n_background - n_nearest, "gc_matched_nearest_bin": n_nearest,
        },
        "gc_mean": {source: round(float(value), 4) for source, value in gc_mean.items()},
    }

