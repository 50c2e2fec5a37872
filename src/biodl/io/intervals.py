"""Genomic intervals from BED, narrowPeak (MACS2/3, ENCODE) or a TSV with label columns."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from biodl.io.files import InputError, PathLike, open_text

REGION_COLUMNS = ("chrom", "start", "end")
_SKIPPED_PREFIXES = ("#", "track", "browser")

log = logging.getLogger(__name__)


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


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


STRANDS = ("+", "-", ".")
BED_FIELDS = ("chrom", "start", "end", "name", "score", "strand", "thickStart", "thickEnd", "itemRgb", "blockCount",
              "blockSizes", "blockStarts")
"""The BED columns by name: in a table with a header they describe the interval and are
not labels (``strand`` is used, the others are ignored)."""
NARROWPEAK_FIELDS = ("chrom", "start", "end", "name", "score", "strand", "signalValue", "pValue", "qValue", "peak")
"""narrowPeak's columns; ``peak`` is the summit's offset from ``start`` (-1: none)."""


def _narrow_peak_mismatch(fields: list[str]) -> str | None:
    """Why a 10-column line is not narrowPeak (``None`` when its columns have narrowPeak's
    types and ranges: strand ``+``/``-``/``.``, numbers in columns 5 and 7-9, an integer
    summit offset of -1 or more)."""
    if fields[5].strip() not in STRANDS:
        return f"column 6 {fields[5]!r} is not a strand (+, - or .)"
    for column in (4, 6, 7, 8):
        if not _is_number(fields[column]):
            return f"column {column + 1} {fields[column]!r} is not a number"
    if not _is_integer(fields[9]) or int(fields[9]) < -1:
        return f"column 10 {fields[9]!r} is not a summit offset (an integer, -1 for none)"
    return None


def _layout(path: Path, rows: list[tuple[int, list[str]]]) -> tuple[list[str] | None, str]:
    """The header (``None``: none) and the layout: ``table``, ``narrowPeak`` or ``bed``."""
    first_fields = rows[0][1]
    if len(first_fields) >= 2 and not _is_integer(first_fields[1]):
        header = [name.strip() for name in first_fields]
        missing = [name for name in REGION_COLUMNS if name not in header]
        if missing:
            raise InputError(f"{path}:{rows[0][0]}: the header {header} lacks {missing}; a regions table needs "
                             f"columns {list(REGION_COLUMNS)} (or no header, as BED)")
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            raise InputError(f"{path}:{rows[0][0]}: the header names column {repeated[0]!r} more than once")
        return header, "table"
    width = len(first_fields)
    named_narrow_peak = ".narrowpeak" in path.name.lower()
    if named_narrow_peak and width != 10:
        raise InputError(f"{path}:{rows[0][0]}: a narrowPeak file has 10 tab-separated columns, this line has {width}")
    if width != 10:
        return None, "bed"
    mismatches = [(number, reason) for number, fields in rows
                  if len(fields) == 10 and (reason := _narrow_peak_mismatch(fields))]
    if not mismatches:
        return None, "narrowPeak"
    number, reason = mismatches[0]
    if named_narrow_peak:
        raise InputError(f"{path}:{number}: not narrowPeak: {reason}")
    log.warning("%s: 10 columns but not narrowPeak (line %d: %s): read as BED, windows centred on the intervals, "
                "column 10 not used", path, number, reason)
    return None, "bed"


def read_regions(path: PathLike) -> pd.DataFrame:
    """Read genomic intervals.

    The layout is recognised from the content (``#``, ``track`` and ``browser`` lines are
    skipped):

    - a TSV with a header naming ``chrom``, ``start``, ``end``: BED's other column names
      (:data:`BED_FIELDS`, :data:`NARROWPEAK_FIELDS`) describe the interval (``strand`` is
      used, ``peak`` is a summit offset); every other column is a label;
    - narrowPeak (10 columns with narrowPeak's types and ranges, or a file named
      ``.narrowPeak``, whose lines must then have them): the summit offset from ``start``
      in column 10 (``-1``: none) centres the window;
    - BED (3 or more columns, no header): ``chrom``, ``start``, ``end``; column 6 is the
      strand when every line has ``+``, ``-`` or ``.`` there (otherwise it is not used,
      logged). A 10-column file that is not narrowPeak is read as BED (logged).

    Coordinates are 0-based and half-open, as in BED.

    Returns
    -------
    pandas.DataFrame
        ``chrom``, ``start``, ``end``, ``summit`` (absolute position, or -1), ``strand``
        (``+``, ``-`` or ``.``), ``line`` (the file's line number), then any label columns.

    Raises
    ------
    InputError
        Naming the file and line: too few columns, coordinates that are not integers,
        ``start`` below 0 or not below ``end``, a summit offset below -1 or outside its
        interval, a strand other than ``+``, ``-``, ``.`` in a strand column, or a header
        without the three coordinate columns.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"regions {path}: no such file")
    rows = _rows(path)
    if not rows:
        raise InputError(f"regions {path}: no intervals (only empty, comment or track lines)")
    header, layout = _layout(path, rows)
    if header:
        rows = rows[1:]
        if not rows:
            raise InputError(f"regions {path}: a header and no intervals")
    width = len(header) if header else len(rows[0][1])
    if width < 3:
        raise InputError(f"{path}:{rows[0][0]}: expected at least 3 tab-separated columns (chrom, start, end), "
                         f"got {width}")
    names = header or list((NARROWPEAK_FIELDS if layout == "narrowPeak" else BED_FIELDS)[:width])
    names += [f"column{k + 1}" for k in range(len(names), width)]
    labels = [name for name in header if name not in BED_FIELDS + NARROWPEAK_FIELDS] if header else []
    has_strand = "strand" in names
    if has_strand and layout == "bed" and not all(fields[5].strip() in STRANDS for _, fields in rows
                                                  if len(fields) == width):
        log.warning("%s: column 6 is not a strand (+, - or .) on every line: not used", path)
        has_strand = False
    has_summit = layout == "narrowPeak" or (header is not None and "peak" in header)
    records = []
    for number, fields in rows:
        if len(fields) != width:
            raise InputError(f"{path}:{number}: expected {width} tab-separated columns like the first line, "
                             f"got {len(fields)}")
        named = dict(zip(names, fields, strict=True))
        start_text, end_text = named["start"].strip(), named["end"].strip()
        if not (_is_integer(start_text) and _is_integer(end_text)):
            raise InputError(f"{path}:{number}: start and end must be integers, got {start_text!r} and {end_text!r}")
        start, end = int(start_text), int(end_text)
        if start < 0 or end <= start:
            raise InputError(f"{path}:{number}: need 0 <= start < end, got start {start}, end {end}")
        strand = named["strand"].strip() if has_strand else "."
        if strand not in STRANDS:
            raise InputError(f"{path}:{number}: strand {strand!r} is not +, - or .")
        summit = -1
        if has_summit:
            offset_text = named["peak"].strip()
            if not _is_integer(offset_text) or int(offset_text) < -1:
                raise InputError(f"{path}:{number}: the summit offset (narrowPeak column 10) must be an integer, "
                                 f"-1 for none; got {offset_text!r}")
            offset = int(offset_text)
            if offset >= 0:
                if offset >= end - start:
                    raise InputError(f"{path}:{number}: summit offset {offset} lies outside the "
                                     f"{end - start} bp interval")
                summit = start + offset
        records.append((named["chrom"].strip(), start, end, summit, strand, number, *(named[name] for name in labels)))
    table = pd.DataFrame.from_records(records, columns=[*REGION_COLUMNS, "summit", "strand", "line", *labels])
    for name in labels:
        numeric = pd.to_numeric(table[name], errors="coerce")
        if numeric.notna().all():
            table[name] = numeric
    table["start"] = table["start"].astype(np.int64)
    table["end"] = table["end"].astype(np.int64)
    minus = int((table["strand"] == "-").sum())
    if minus:
        log.info("%s: %d of %d intervals on the minus strand: their windows are reverse-complemented", path, minus,
                 len(table))
    return table
