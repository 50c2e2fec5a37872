"""ATAC-seq fragments (paired-end BEDPE as MACS3 takes it, or 10x ``fragments.tsv.gz``) as
Tn5 insertion counts per base, per chromosome, and those counts as a bigWig."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from biodl.io.files import GZIP_ERRORS, InputError, PathLike, atomic_output, corrupt_gzip, open_text, require_file

log = logging.getLogger(__name__)

TN5_SHIFT = (4, -5)
"""Where Tn5 inserted, from a fragment's ends: its start + 4 and its (exclusive) end - 5,
the shift of ATAC-seq read alignments (ChromBPNet, ArchR). A 10x Cell Ranger
``fragments.tsv.gz`` is shifted already: use ``(0, -1)``."""
CHUNK_ROWS = 1_000_000
"""Fragments read at a time."""


def _header_lines(path: Path) -> int:
    """Lines at the top of the file starting with ``#`` (a 10x file's header)."""
    count = 0
    with open_text(path) as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            count += 1
    return count


def insertion_counts(
    path: PathLike, chrom_sizes: Mapping[str, int], shift: tuple[int, int] = TN5_SHIFT,
    chunk_rows: int = CHUNK_ROWS,
) -> dict[str, np.ndarray]:
    """Tn5 insertion counts per base of each chromosome: two per fragment, one at each end.

    Parameters
    ----------
    path
        Fragments, plain or gzipped, tab-separated, one per line; the first three columns
        are the fragment's chromosome, start and end (0-based, end exclusive), further
        columns (a 10x barcode and duplicate count) are ignored; ``#`` lines at the top are
        a header.
    chrom_sizes
        Chromosome -> length: the genome the counts are on.
    shift
        Insertion sites as (start + ``shift[0]``, end + ``shift[1]``); see :data:`TN5_SHIFT`.
    chunk_rows
        Fragments read at a time (memory stays at one chunk plus the counts).

    Returns
    -------
    dict
        Chromosome -> ``int32`` counts of its length, for every chromosome of
        ``chrom_sizes``. Fragments on other chromosomes and insertions off a chromosome's
        ends are left out and counted in the log.

    Raises
    ------
    InputError
        For an unreadable file, a line without three columns, a start or end that is not an
        integer, or an end not after its start, naming the file and line.
    """
    path = require_file(path, "fragments file")
    counts = {chrom: np.zeros(int(size), dtype=np.int32) for chrom, size in chrom_sizes.items()}
    skipped = _header_lines(path)
    unknown, off_ends, fragments = {}, 0, 0
    try:
        with open_text(path) as handle:
            for chunk in pd.read_csv(handle, sep="\t", header=None, usecols=[0, 1, 2], dtype=str, skiprows=skipped,
                                     chunksize=chunk_rows, na_filter=False):
                off_ends += _add_insertions(chunk, counts, shift, unknown, path, skipped + fragments)
                fragments += len(chunk)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: holds no fragments") from None
    except InputError:
        raise
    except ValueError as err:
        if "usecols" in str(err).lower():
            raise InputError(f"{path}: expected at least three tab-separated columns (chrom, start, end)") from None
        raise InputError(f"{path}: cannot read the fragments: {str(err).splitlines()[0]}") from None
    except GZIP_ERRORS as err:
        raise corrupt_gzip(path, err) from None
    if fragments == 0:
        raise InputError(f"{path}: holds no fragments")
    total = sum(int(c.sum()) for c in counts.values())
    log.info("%s: %d fragments -> %d insertions (shift %+d / %+d)", path, fragments, total, *shift)
    if unknown:
        log.warning("%d fragments on %d chromosomes not in the genome are left out: %s", sum(unknown.values()),
                    len(unknown), ", ".join(f"{c} ({n})" for c, n in sorted(unknown.items())[:10]))
    if off_ends:
        log.warning("%d insertions fall off a chromosome's ends after the shift and are left out", off_ends)
    return counts


def _add_insertions(chunk: pd.DataFrame, counts: dict[str, np.ndarray], shift: tuple[int, int],
                    unknown: dict[str, int], path: Path, lines_before: int) -> int:
    """Add a chunk of fragments' insertions to ``counts`` and the fragments on chromosomes
    it lacks to ``unknown``; the number of insertions off a chromosome's ends."""
    starts, ends = (pd.to_numeric(chunk[k], errors="coerce") for k in (1, 2))
    bad = starts.isna() | ends.isna() | (ends <= starts) | (starts < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{path}:{lines_before + row + 1}: expected chrom, start, end with 0 <= start < end "
                         f"(integers), got {chunk.iloc[row].tolist()}")
    off_ends = 0
    sites = np.concatenate([starts.to_numpy(np.int64) + shift[0], ends.to_numpy(np.int64) + shift[1]])
    chroms = np.concatenate([chunk[0].to_numpy(), chunk[0].to_numpy()])
    for chrom in pd.unique(chroms):
        at = sites[chroms == chrom]
        if chrom not in counts:
            unknown[chrom] = unknown.get(chrom, 0) + len(at) // 2
            continue
        inside = (at >= 0) & (at < len(counts[chrom]))
        off_ends += int((~inside).sum())
        counts[chrom] += np.bincount(at[inside], minlength=len(counts[chrom])).astype(np.int32)
    return off_ends


def write_counts_bigwig(counts: Mapping[str, np.ndarray], path: PathLike) -> None:
    """Write per-base counts (chromosome -> array) as a bigWig, zero runs left out; the
    file appears complete or not at all."""
    import pyBigWig

    with atomic_output(path) as tmp:
        track = pyBigWig.open(str(tmp), "w")
        try:
            track.addHeader([(chrom, len(values)) for chrom, values in counts.items()])
            for chrom, values in counts.items():
                positions = np.flatnonzero(values)
                if positions.size:
                    track.addEntries(chrom, positions.tolist(), values=values[positions].astype(float).tolist(),
                                     span=1)
        finally:
            track.close()
