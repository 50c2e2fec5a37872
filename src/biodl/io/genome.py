"""Reference genomes with random access (pyfaidx), and the FASTA copy the workflow indexes.

pyfaidx is the reader: a pure-Python wheel that installs wherever biodl does (pysam has no
Windows wheels), reads plain and bgzip FASTA, and builds the ``.fai`` index itself. A
plain-gzip genome (as UCSC and many labs ship it) cannot be read at random, so
:func:`index_genome` writes a decompressed copy once.
"""

from __future__ import annotations

import gzip
import logging
import os
import shutil
from pathlib import Path
from typing import Self

import numpy as np

from biodl.io.files import GZIP_ERRORS, InputError, PathLike, atomic_output, corrupt_gzip, require_file

log = logging.getLogger(__name__)

_GZIP_MAGIC = b"\x1f\x8b"
_BGZF_EXTRA = b"BC"


def compression(path: PathLike) -> str:
    """``"plain"``, ``"bgzip"`` or ``"gzip"``, from the file's first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(18)
    if head[:2] != _GZIP_MAGIC:
        return "plain"
    has_extra = len(head) > 3 and head[3] & 4
    return "bgzip" if has_extra and head[12:14] == _BGZF_EXTRA else "gzip"


def index_genome(source: PathLike, destination: PathLike) -> Path:
    """Make ``destination`` a plain FASTA of ``source`` with its ``.fai`` index beside it.

    A plain FASTA is linked (absolute symlink, no copy); a gzip or bgzip one is
    decompressed. The index is built and the FASTA checked (equal line lengths within
    each record, unique names) under temporary names, and both appear together (an
    earlier copy and index are replaced) only when that succeeded.

    Raises
    ------
    InputError
        If ``source`` is missing or not a FASTA pyfaidx can index, naming the problem.
    """
    source, destination = require_file(source, "genome FASTA"), Path(destination)
    try:
        with atomic_output(destination) as tmp, atomic_output(f"{destination}.fai") as tmp_index:
            built_index = Path(f"{tmp}.fai")
            try:
                if compression(source) == "plain":
                    os.symlink(source.resolve(), tmp)
                else:
                    with gzip.open(source, "rb") as raw, open(tmp, "wb") as out:
                        shutil.copyfileobj(raw, out, length=1 << 22)
                Genome(tmp, source_name=str(source)).close()
                os.replace(built_index, tmp_index)
            finally:
                built_index.unlink(missing_ok=True)
    except GZIP_ERRORS as err:
        raise corrupt_gzip(source, err) from None
    return destination


def index_problem(fasta: PathLike, index: PathLike) -> str | None:
    """Why the ``.fai`` ``index`` does not describe ``fasta`` (``None`` when it does): older
    than the FASTA, or a record whose offset is not just after its own header line or
    whose bases run past the end of the file (checked for plain FASTA)."""
    fasta, index = Path(fasta), Path(index)
    if index.stat().st_mtime < fasta.stat().st_mtime:
        return "is older than the FASTA (the FASTA was changed after it was indexed)"
    if compression(fasta) != "plain":
        return None
    size = fasta.stat().st_size
    with open(index) as lines, open(fasta, "rb") as handle:
        for number, line in enumerate(lines, start=1):
            fields = line.rstrip("\n").split("\t")
            try:
                name, length, offset, line_bases, line_width = fields[0], *map(int, fields[1:5])
            except ValueError:
                return f"line {number} is not a .fai line (name, length, offset, line bases, line width)"
            handle.seek(max(0, offset - 4096))
            before = handle.read(offset - max(0, offset - 4096))
            header = before[:-1].rstrip(b"\r").rsplit(b"\n", 1)[-1]
            if not before.endswith(b"\n") or not header.startswith(b">") or header[1:].split()[:1] != [name.encode()]:
                return f"places record {name!r} at byte {offset}, which is not the start of its sequence"
            lines_spanned = -(-length // max(line_bases, 1))
            if offset + length + (lines_spanned - 1) * (line_width - line_bases) > size:
                return f"gives record {name!r} {length} bases, more than the file holds after byte {offset}"
    return None


class Genome:
    """A reference genome opened for random access.

    Parameters
    ----------
    path
        Plain or bgzip FASTA. Its ``.fai`` (and ``.gzi``) index is built beside it when
        missing, which needs a writable folder; :func:`index_genome` makes a copy that has one.
    source_name
        How messages name the genome (default: ``path``).

    Raises
    ------
    InputError
        For a plain-gzip file, an unindexable FASTA, or an index that cannot be written.
    """

    def __init__(self, path: PathLike, source_name: str | None = None):
        import pyfaidx

        self.path = Path(path)
        self.name = source_name or str(path)
        if not self.path.is_file():
            raise InputError(f"genome {self.name}: no such file")
        if compression(self.path) == "gzip":
            raise InputError(
                f"genome {self.name} is gzip, not bgzip, so it cannot be read at random; decompress it, "
                "recompress it with bgzip, or call biodl.io.genome.index_genome(source, 'genome.fa')"
            )
        index = Path(f"{self.path}.fai")
        if index.is_file() and (problem := index_problem(self.path, index)):
            if not os.access(index.parent, os.W_OK):
                raise InputError(f"genome {self.name}: its index {index} {problem}, and its folder is read-only, so "
                                 "it cannot be rebuilt; call biodl.io.genome.index_genome(source, 'genome.fa') to "
                                 "make an indexed copy")
            log.warning("genome %s: its index %s %s; rebuilding it", self.name, index, problem)
            index.unlink()
        try:
            self._fasta = pyfaidx.Fasta(str(self.path), as_raw=True, sequence_always_upper=True,
                                        rebuild=False, build_index=True)
        except (pyfaidx.FastaIndexingError, ValueError) as err:
            raise InputError(f"genome {self.name}: not an indexable FASTA ({err})") from None
        except PermissionError:
            raise InputError(
                f"genome {self.name}: no .fai index beside it and its folder is read-only; call "
                "biodl.io.genome.index_genome(source, 'genome.fa') to make an indexed copy"
            ) from None
        self.chrom_sizes = {name: len(record) for name, record in self._fasta.records.items()}
        if not self.chrom_sizes:
            raise InputError(f"genome {self.name}: no FASTA records")

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Bases ``[start, end)`` (0-based) of ``chrom``, upper case."""
        return self._fasta[chrom][start:end]

    def chromosome(self, chrom: str) -> np.ndarray:
        """The whole of ``chrom`` as upper-case ASCII codes (``uint8``)."""
        return np.frombuffer(self._fasta[chrom][:].encode("ascii"), dtype=np.uint8)

    def close(self) -> None:
        self._fasta.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
