"""Reading inputs and writing outputs: FASTA, label tables, arrays, JSON; atomic writes.

Every writer goes through :func:`atomic_output`, so a failure never leaves a half-written
file behind under the final name.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

PathLike = str | os.PathLike


class InputError(ValueError):
    """An input file is unusable; the message says which file, where and why."""


@contextmanager
def atomic_output(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only on success.

    The temporary name keeps the suffix, so writers that pick a format from it (Keras,
    matplotlib, numpy) behave as for the final name. On any exception it is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _open_text(path: Path):
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt") if gzipped else open(path)


def read_fasta(path: PathLike) -> tuple[list[str], list[str]]:
    """Read a FASTA or gzipped FASTA file with Biopython.

    Parameters
    ----------
    path
        Plain or gzip-compressed FASTA (detected from the content, not the name).

    Returns
    -------
    ids, sequences
        Record identifiers (the first word of each header) and sequences, in file order.

    Raises
    ------
    InputError
        If the file is missing, empty, not FASTA, or has a record with no identifier, no
        sequence, or an identifier used twice.
    """
    from Bio import SeqIO

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: FASTA file not found")
    ids: list[str] = []
    seqs: list[str] = []
    try:
        with _open_text(path) as handle:
            for record in SeqIO.parse(handle, "fasta"):
                ids.append(record.id)
                seqs.append(str(record.seq))
    except (ValueError, UnicodeDecodeError, EOFError, OSError) as err:
        first = _first_content_line(path)
        raise InputError(
            f"{path}: not a readable FASTA file; every record must start with a '>' header "
            f"line (first line with content: {first!r}). Parser said: {str(err).splitlines()[0]}"
        ) from None
    if not ids:
        raise InputError(f"{path}: no FASTA records found (the file is empty or has no '>' line)")
    for i, (name, seq) in enumerate(zip(ids, seqs)):
        if not name:
            raise InputError(f"{path}: record #{i + 1} has an empty header (no identifier after '>')")
        if not seq:
            raise InputError(f"{path}: record {name!r} (#{i + 1}) has no sequence")
    _fail_on_duplicates(ids, f"{path}: duplicate FASTA identifiers")
    return ids, seqs


def _first_content_line(path: Path) -> str:
    try:
        with _open_text(path) as handle:
            for line in handle:
                if line.strip():
                    return line.rstrip()[:60]
    except (UnicodeDecodeError, EOFError, OSError):
        return "<binary or corrupt data>"
    return ""


def _fail_on_duplicates(names: Sequence[str], what: str) -> None:
    counts = Counter(names)
    dups = [name for name, n in counts.items() if n > 1]
    if dups:
        shown = ", ".join(repr(d) for d in dups[:5])
        raise InputError(f"{what}: {len(dups)} appear more than once, e.g. {shown}")


def write_fasta(path: PathLike, ids: Sequence[str], sequences: Sequence[str]) -> None:
    """Write records to FASTA, gzip-compressed when ``path`` ends in ``.gz``."""
    path = Path(path)
    text = "".join(f">{name}\n{seq}\n" for name, seq in zip(ids, sequences, strict=True))
    with atomic_output(path) as tmp:
        if path.suffix == ".gz":
            with gzip.open(tmp, "wt", compresslevel=6) as handle:
                handle.write(text)
        else:
            tmp.write_text(text)


def read_table(path: PathLike, id_column: str) -> pd.DataFrame:
    """Read a TSV (or ``.csv``) table whose column ``id_column`` names each row.

    Raises
    ------
    InputError
        If the file is missing or empty, lacks ``id_column``, or repeats an id.
    """
    path = Path(path)
    table = read_delimited(path, dtype={id_column: str})
    if id_column not in table.columns:
        raise InputError(
            f"{path}: no {id_column!r} column; the first line must be a header naming it "
            f"(found columns: {', '.join(map(str, table.columns[:8]))})"
        )
    if table.empty:
        raise InputError(f"{path}: the table has a header but no rows")
    missing = table[id_column].isna()
    if missing.any():
        line = int(np.flatnonzero(missing)[0]) + 2
        raise InputError(f"{path}: line {line} has an empty {id_column!r}")
    _fail_on_duplicates(table[id_column].tolist(), f"{path}: duplicate {id_column!r} values")
    return table.set_index(id_column)


def read_delimited(path: PathLike, what: str = "table", **options: Any) -> pd.DataFrame:
    """Read a tab-separated file (comma-separated when named ``.csv`` or ``.csv.gz``) with
    :func:`pandas.read_csv` ``options``; a missing or unparsable file raises
    :class:`InputError` naming it, ``what`` saying what it should have been."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    sep = "," if path.suffix.lower() == ".csv" or path.name.lower().endswith(".csv.gz") else "\t"
    try:
        return pd.read_csv(path, sep=sep, **options)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the {what}: {str(err).splitlines()[0]}") from None


def numeric_cells(table: pd.DataFrame, path: PathLike, locate: Callable[[int, int], str]) -> pd.DataFrame:
    """``table`` as float64 (empty cells become NaN). The first cell that is not a number
    raises :class:`InputError`: ``"<path>: <locate(row, column)>: <cell> is not a number"``,
    ``row`` and ``column`` being 0-based positions."""
    values = table.apply(pd.to_numeric, errors="coerce")
    bad = (values.isna() & table.notna()).to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(f"{path}: {locate(row, col)}: {table.iat[row, col]!r} is not a number")
    return values.astype(np.float64)


def write_table(path: PathLike, table: pd.DataFrame, index: bool = True) -> None:
    """Write a tab-separated table atomically."""
    with atomic_output(path) as tmp:
        table.to_csv(tmp, sep="\t", index=index)


def write_json(path: PathLike, data: Any) -> None:
    """Write JSON (indented, keys in insertion order) atomically."""
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def save_arrays(path: PathLike, **arrays: np.ndarray) -> None:
    """Save named arrays to an uncompressed ``.npz`` atomically."""
    with atomic_output(path) as tmp:
        np.savez(tmp, **arrays)


def load_arrays(path: PathLike) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` file into a dict."""
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}
