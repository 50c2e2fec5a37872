"""Reference genomes with random access (pyfaidx), and the FASTA copy the workflow indexes.

pyfaidx is the reader: a pure-Python wheel that installs wherever biodl does (pysam has no
Windows wheels), reads plain and bgzip FASTA, and builds the ``.fai`` index itself. A
plain-gzip genome (as UCSC and many labs ship it) cannot be read at random, so
:func:`index_genome` writes a decompressed copy once.
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path
from typing import Self

import numpy as np

from biodl.io.files import GZIP_ERRORS, InputError, PathLike, atomic_output, corrupt_gzip

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
    each record, unique names) before the call returns.

    Raises
    ------
    InputError
        If ``source`` is missing or not a FASTA pyfaidx can index, naming the problem.
    """
    source, destination = Path(source), Path(destination)
    if not source.is_file():
        raise InputError(f"genome {source}: no such file")
    destination.parent.mkdir(parents=True, exist_ok=True)
    _remove_copy(destination)
    try:
        if compression(source) == "plain":
            os.symlink(source.resolve(), destination)
        else:
            with atomic_output(destination) as tmp, gzip.open(source, "rb") as raw, open(tmp, "wb") as out:
                shutil.copyfileobj(raw, out, length=1 << 22)
        Genome(destination, source_name=str(source)).close()
    except BaseException as err:  # no link, copy or index of a genome that cannot be read is left
        _remove_copy(destination)
        if isinstance(err, GZIP_ERRORS):
            raise corrupt_gzip(source, err) from None
        raise
    return destination


def _remove_copy(destination: Path) -> None:
    """Remove an earlier (or partial) :func:`index_genome` output: the link or copy, its index."""
    for path in (destination, Path(f"{destination}.fai")):
        if path.is_symlink() or path.exists():
            path.unlink()


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
