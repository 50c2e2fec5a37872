"""FASTA files, plain or gzip-compressed."""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from biodl.io.files import GZIP_ERRORS, InputError, PathLike, atomic_output, check_unique, corrupt_gzip, require_file


def open_text(path: PathLike):
    """Open a text file for reading, gunzipping it when its first bytes say gzip; a
    byte-order mark is skipped and Windows line endings read as plain ones."""
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt", encoding="utf-8-sig") if gzipped else open(path, encoding="utf-8-sig")


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
    ids, seqs = map(list, zip(*iter_fasta(path)))
    check_unique(ids, f"{path}: duplicate FASTA identifiers")
    return ids, seqs


def fasta_ids_and_lengths(path: PathLike) -> tuple[list[str], np.ndarray]:
    """Record ids and sequence lengths of a FASTA file, without keeping the sequences: the
    first pass of a two-pass read (see :func:`biodl.sequences.prepare`).

    Raises
    ------
    InputError
        As :func:`read_fasta`.
    """
    ids, lengths = zip(*((name, len(seq)) for name, seq in iter_fasta(path)))
    check_unique(ids, f"{path}: duplicate FASTA identifiers")
    return list(ids), np.array(lengths, dtype=np.int64)


def iter_fasta(path: PathLike) -> Iterator[tuple[str, str]]:
    """``(id, sequence)`` of each record of a FASTA or gzipped FASTA file, one at a time,
    with the checks of :func:`read_fasta` but that of unique ids (the caller's, as it
    sees them all)."""
    from Bio import SeqIO

    path = require_file(path, "FASTA file")
    count = 0
    try:
        with open_text(path) as handle:
            for record in SeqIO.parse(handle, "fasta"):
                count += 1
                if not record.id:
                    raise InputError(f"{path}: record #{count} has an empty header (no identifier after '>')")
                seq = str(record.seq)
                if not seq:
                    raise InputError(f"{path}: record {record.id!r} (#{count}) has no sequence")
                yield record.id, seq
    except InputError:
        raise
    except GZIP_ERRORS as err:
        raise corrupt_gzip(path, err) from None
    except (ValueError, UnicodeDecodeError, OSError) as err:
        first = _first_content_line(path)
        raise InputError(
            f"{path}: not a readable FASTA file; every record must start with a '>' header "
            f"line (first line with content: {first!r}). Parser said: {str(err).splitlines()[0]}"
        ) from None
    if not count:
        raise InputError(f"{path}: no FASTA records found (the file is empty or has no '>' line)")


def _first_content_line(path: Path) -> str:
    try:
        with open_text(path) as handle:
            for line in handle:
                if line.strip():
                    return line.rstrip()[:60]
    except (UnicodeDecodeError, EOFError, OSError):
        return "<binary or corrupt data>"
    return ""


def write_fasta(path: PathLike, ids: Sequence[str], sequences: Sequence[str]) -> None:
    """Write records to FASTA, gzip-compressed when ``path`` ends in ``.gz``, atomically."""
    path = Path(path)
    text = "".join(f">{name}\n{seq}\n" for name, seq in zip(ids, sequences, strict=True))
    with atomic_output(path) as tmp:
        if path.suffix == ".gz":
            with gzip.open(tmp, "wt", compresslevel=6) as handle:
                handle.write(text)
        else:
            tmp.write_text(text)
