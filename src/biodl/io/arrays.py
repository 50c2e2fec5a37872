"""Arrays larger than memory: written row chunk by row chunk into an uncompressed ``.npz``
(:func:`npz_writer`) and read back a batch of rows at a time (:class:`StoredRows`).

The files are ordinary ``.npz`` archives (``numpy.load`` reads them); their members are
stored uncompressed, so each array's rows lie contiguous in the file and any batch of rows
can be read without reading the rest. Rows are read with plain file reads, not a memory
map: the pages read go to the operating system's cache and never count towards the
process's resident memory.
"""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from biodl.io.files import InputError, PathLike, atomic_output, require_file

_ROW_CHUNK_BYTES = 32 << 20
"""Rows are copied between files in chunks of about this many bytes."""


class RowWriter:
    """Writes the rows of one array of known shape, in order, in chunks of any size."""

    def __init__(self, handle, name: str, shape: tuple[int, ...], dtype: np.dtype):
        self.handle, self.name, self.shape, self.dtype = handle, name, tuple(shape), np.dtype(dtype)
        self.written = 0
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": self.shape}
        np.lib.format.write_array_header_2_0(handle, header)

    def write(self, rows: np.ndarray) -> None:
        """Append ``rows`` (shape ``(n, *shape[1:])``)."""
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if rows.shape[1:] != self.shape[1:] or self.written + len(rows) > self.shape[0]:
            raise ValueError(f"{self.name}: rows of shape {rows.shape} after {self.written} rows do not fit an "
                             f"array of shape {self.shape}")
        self.handle.write(memoryview(rows.reshape(-1).view(np.uint8)))
        self.written += len(rows)


class NpzArchive:
    """An ``.npz`` being written (see :func:`npz_writer`)."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive

    def add(self, name: str, array) -> None:
        """Store a whole array: a numpy array, or :class:`StoredRows` copied chunk by chunk."""
        if isinstance(array, StoredRows):
            with self.rows(name, array.shape, array.dtype) as rows:
                for chunk in row_chunks(array, array.rows_per_chunk()):
                    rows.write(chunk)
            return
        with self.archive.open(f"{name}.npy", "w", force_zip64=True) as handle:
            np.lib.format.write_array(handle, np.asanyarray(array), allow_pickle=False)

    @contextmanager
    def rows(self, name: str, shape: tuple[int, ...], dtype) -> Iterator[RowWriter]:
        """A :class:`RowWriter` for an array of ``shape``; every row must be written before
        the block ends."""
        with self.archive.open(f"{name}.npy", "w", force_zip64=True) as handle:
            writer = RowWriter(handle, name, shape, dtype)
            yield writer
            if writer.written != writer.shape[0]:
                raise ValueError(f"{name}: {writer.written} of {writer.shape[0]} rows were written")


@contextmanager
def npz_writer(path: PathLike) -> Iterator[NpzArchive]:
    """Write an uncompressed ``.npz`` atomically: arrays whole (``add``) or in row chunks
    (``rows``). The file appears under ``path`` only when the block ends without error."""
    with atomic_output(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        yield NpzArchive(archive)


class _File:
    """An open file shared by a :class:`StoredRows` and its views; reads are serialised."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = open(path, "rb", buffering=0)
        self.lock = threading.Lock()

    def read_into(self, buffer: np.ndarray, offset: int) -> None:
        view = memoryview(buffer.reshape(-1).view(np.uint8))
        with self.lock:
            self.handle.seek(offset)
            got = self.handle.readinto(view)
        if got != len(view):
            raise InputError(f"{self.path}: file ends early (truncated while being read?)")

    def __del__(self):
        self.handle.close()


class StoredRows:
    """Rows of an array stored in an ``.npz``, read from the file when indexed.

    Indexing (an integer, a slice, an integer array or a boolean mask over rows) returns a
    numpy array; :meth:`take` returns a view that reads only the chosen rows;
    ``numpy.asarray`` reads everything. Use :func:`stored_rows` to open one.
    """

    def __init__(self, file: _File, offset: int, shape: tuple[int, ...], dtype: np.dtype,
                 rows: np.ndarray | None = None):
        self._file, self._offset, self._stored_shape, self.dtype = file, offset, tuple(shape), np.dtype(dtype)
        self._rows = rows
        self.row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * self.dtype.itemsize

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self),) + self._stored_shape[1:]

    @property
    def ndim(self) -> int:
        return len(self._stored_shape)

    def __len__(self) -> int:
        return self._stored_shape[0] if self._rows is None else len(self._rows)

    def __repr__(self) -> str:
        return f"StoredRows({self._file.path}, shape={self.shape}, dtype={self.dtype})"

    def rows_per_chunk(self) -> int:
        """How many rows make a read of about 32 MB."""
        return max(1, _ROW_CHUNK_BYTES // max(1, self.row_bytes))

    def _positions(self, key) -> np.ndarray:
        """Stored row numbers of the rows ``key`` selects."""
        n = len(self)
        if isinstance(key, slice):
            index = np.arange(*key.indices(n))
        else:
            index = np.asarray(key)
            if index.dtype == bool:
                if index.shape != (n,):
                    raise IndexError(f"boolean index of shape {index.shape} for {n} rows")
                index = np.flatnonzero(index)
            elif not np.issubdtype(index.dtype, np.integer):
                raise IndexError(f"rows are indexed by integers, slices or boolean masks, not {index.dtype}")
            elif index.size and (index.min() < -n or index.max() >= n):
                raise IndexError(f"row index out of range for {n} rows")
            index = np.where(index < 0, index + n, index)
        return index if self._rows is None else self._rows[index]

    def take(self, key) -> "StoredRows":
        """A view of the rows ``key`` selects (an index array, mask or slice); nothing is read."""
        return StoredRows(self._file, self._offset, self._stored_shape, self.dtype,
                          np.atleast_1d(self._positions(key)))

    def __getitem__(self, key) -> np.ndarray:
        if isinstance(key, tuple):
            return self[key[0]][(slice(None),) + key[1:]]
        positions = self._positions(key)
        if np.ndim(positions) == 0:
            return self._read(np.array([positions]))[0]
        return self._read(positions)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        values = self._read(np.arange(len(self)) if self._rows is None else self._rows)
        return values if dtype is None else values.astype(dtype, copy=False)

    def _read(self, positions: np.ndarray) -> np.ndarray:
        """Rows at stored ``positions``, in that order; runs of consecutive rows are read at once."""
        positions = np.asarray(positions, dtype=np.int64)
        out = np.empty((len(positions),) + self._stored_shape[1:], dtype=self.dtype)
        if not len(positions):
            return out
        order = np.argsort(positions, kind="stable")
        ordered = positions[order]
        target = out if np.all(order[:-1] < order[1:]) else np.empty_like(out)
        starts = np.flatnonzero(np.diff(ordered, prepend=ordered[0] - 2) != 1)
        for begin, end in zip(starts, np.append(starts[1:], len(ordered))):
            self._file.read_into(target[begin:end], self._offset + int(ordered[begin]) * self.row_bytes)
        if target is not out:
            out[order] = target
        return out


def row_chunks(x, rows: int) -> Iterator[np.ndarray]:
    """``x`` (a numpy array or :class:`StoredRows`) as numpy arrays of at most ``rows`` rows each."""
    for start in range(0, len(x), rows):
        yield np.asarray(x[start:start + rows])


def stored_rows(path: PathLike, name: str) -> StoredRows | np.ndarray:
    """Array ``name`` of the ``.npz`` at ``path``, read row by row on demand.

    Returns
    -------
    StoredRows or numpy.ndarray
        A :class:`StoredRows`; the array itself, read whole, when the member is compressed
        (``numpy.savez_compressed``), as compressed rows cannot be read on their own.

    Raises
    ------
    InputError
        If the file is missing, not an ``.npz`` archive, or has no array ``name``.
    """
    path = require_file(path, ".npz file")
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(f"{name}.npy")
            if info.compress_type != zipfile.ZIP_STORED:
                with archive.open(info) as handle:
                    return np.lib.format.read_array(handle, allow_pickle=False)
        with open(path, "rb") as handle:
            handle.seek(info.header_offset)
            local = handle.read(30)
            name_length, extra_length = int.from_bytes(local[26:28], "little"), int.from_bytes(local[28:30], "little")
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            version = np.lib.format.read_magic(handle)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran_order, dtype = read_header(handle)
            offset = handle.tell()
    except KeyError:
        raise InputError(f"{path}: holds no array {name!r}") from None
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise InputError(f"{path}: not a readable .npz file: {err}") from None
    if fortran_order or dtype.hasobject:
        raise InputError(f"{path}: array {name!r} is stored in Fortran order or holds objects; rewrite it with biodl")
    return StoredRows(_File(path), offset, shape, dtype)
