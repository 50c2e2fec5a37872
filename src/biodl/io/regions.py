"""Genomic intervals from BED, narrowPeak (MACS2/3, ENCODE) or a TSV with label columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from biodl.io.fasta import open_text
from biodl.io.files import InputError, PathLike

REGION_COLUMNS = ("chrom", "start", "end")
_SKIPPED_PREFIXES = ("#", "track", "browser")


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """``(line number, tab-separated fields)`` of every data line."""
    rows = []
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if line.strip() and not line.startswith(_SKIPPED_PREFIXES):
                rows.append((number, line.split("\t")))
    return rows


def _is_integer(text: str) -> bool:
    return text.strip().lstrip("-").isdigit()


def read_regions(path: PathLike) -> pd.DataFrame:
    """Read genomic intervals.

    Three layouts are recognised from the first data line (``#``, ``track`` and
    ``browser`` lines are skipped):

    - BED (3 or more tab-separated columns, no header): ``chrom``, ``start``, ``end``;
    - narrowPeak (10 columns): as BED, plus the summit offset from ``start`` in column 10
      (``-1``: none);
    - a TSV with a header naming ``chrom``, ``start``, ``end``; its other columns are labels.

    Coordinates are 0-based and half-open, as in BED.

    Returns
    -------
    pandas.DataFrame
        ``chrom``, ``start``, ``end``, ``summit`` (absolute position, or -1), ``line`` (the
        file's line number), then any label columns.

    Raises
    ------
    InputError
        Naming the file and line: too few columns, coordinates that are not integers,
        ``start`` below 0 or not below ``end``, a summit outside its interval, or a header
        without the three coordinate columns.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"regions {path}: no such file")
    rows = _rows(path)
    if not rows:
        raise InputError(f"regions {path}: no intervals (only empty, comment or track lines)")
    first_fields = rows[0][1]
    if len(first_fields) >= 2 and not _is_integer(first_fields[1]):
        header = [name.strip() for name in first_fields]
        missing = [name for name in REGION_COLUMNS if name not in header]
        if missing:
            raise InputError(f"{path}:{rows[0][0]}: the header {header} lacks {missing}; a regions table needs "
                             f"columns {list(REGION_COLUMNS)} (or no header, as BED)")
        labels = [name for name in header if name not in REGION_COLUMNS]
        rows = rows[1:]
    else:
        header, labels = None, []
    width = len(header) if header else len(first_fields)
    if width < 3:
        raise InputError(f"{path}:{rows[0][0]}: expected at least 3 tab-separated columns (chrom, start, end), "
                         f"got {width}")
    narrow_peak = header is None and width == 10
    records = []
    for number, fields in rows:
        if len(fields) != width:
            raise InputError(f"{path}:{number}: expected {width} tab-separated columns like the first line, "
                             f"got {len(fields)}")
        named = dict(zip(header, fields, strict=True)) if header else dict(zip(REGION_COLUMNS, fields[:3]))
        start_text, end_text = named["start"].strip(), named["end"].strip()
        if not (_is_integer(start_text) and _is_integer(end_text)):
            raise InputError(f"{path}:{number}: start and end must be integers, got {start_text!r} and {end_text!r}")
        start, end = int(start_text), int(end_text)
        if start < 0 or end <= start:
            raise InputError(f"{path}:{number}: need 0 <= start < end, got start {start}, end {end}")
        summit = -1
        if narrow_peak:
            if not _is_integer(fields[9]):
                raise InputError(f"{path}:{number}: narrowPeak column 10 (summit offset) must be an integer, "
                                 f"got {fields[9]!r}")
            offset = int(fields[9])
            if offset >= 0:
                if offset >= end - start:
                    raise InputError(f"{path}:{number}: summit offset {offset} lies outside the "
                                     f"{end - start} bp interval")
                summit = start + offset
        records.append((named["chrom"].strip(), start, end, summit, number, *(named[name] for name in labels)))
    table = pd.DataFrame.from_records(records, columns=[*REGION_COLUMNS, "summit", "line", *labels])
    for name in labels:
        numeric = pd.to_numeric(table[name], errors="coerce")
        if numeric.notna().all():
            table[name] = numeric
    table["start"] = table["start"].astype(np.int64)
    table["end"] = table["end"].astype(np.int64)
    return table
