"""FASTA files, plain or gzip-compressed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from biodl.io.files import (
    GZIP_ERRORS,
    InputError,
    PathLike,
    check_unique,
    corrupt_gzip,
    open_text,
    require_file,
    text_output,
)


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


@dataclass(frozen=True)
class FastaScan:
    """What the first pass of a two-pass read learns of each record (:func:`scan_fasta`).

    Attributes
    ----------
    ids, lengths
        Record identifiers and sequence lengths, in file order.
    digests
        A 64-bit digest of each upper-case sequence: equal sequences have equal digests.
    has_bases
        Whether each sequence has at least one A, C, G or T (not all N or other codes).
    """

    ids: list[str]
    lengths: np.ndarray
    digests: np.ndarray
    has_bases: np.ndarray


def scan_fasta(path: PathLike) -> FastaScan:
    """Ids, lengths, digests and informativeness of the records of a FASTA file, without
    keeping the sequences: the first pass of a two-pass read (see
    :func:`biodl.sequences.prepare`).

    Raises
    ------
    InputError
        As :func:`read_fasta`.
    """
    ids, lengths, digests, has_bases = [], [], [], []
    for name, seq in iter_fasta(path):
        upper = seq.upper()
        ids.append(name)
        lengths.append(len(seq))
        digests.append(int.from_bytes(hashlib.blake2b(upper.encode(), digest_size=8).digest(), "little"))
        has_bases.append(not _BASES.isdisjoint(upper))
    check_unique(ids, f"{path}: duplicate FASTA identifiers")
    return FastaScan(ids, np.array(lengths, dtype=np.int64), np.array(digests, dtype=np.uint64),
                     np.array(has_bases, dtype=bool))


_BASES = frozenset("ACGT")


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
    """Write records to FASTA, gzip-compressed when ``path`` ends in ``.gz``, atomically;
    the same records give the same bytes (no time or name in the gzip header)."""
    with text_output(path) as handle:
        handle.write("".join(f">{name}\n{seq}\n" for name, seq in zip(ids, sequences, strict=True)))
