"""Writing outputs atomically (tables, JSON, arrays) and the error every reader raises.

Every writer goes through :func:`atomic_output`, so a failure never leaves a half-written
file behind under the final name. A step with several outputs writes them inside one
:func:`output_set`: they appear together when the step succeeds, or not at all.
"""

from __future__ import annotations

import errno
import glob
import gzip
import io
import json
import logging
import os
import re
import shutil
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PathLike = str | os.PathLike

log = logging.getLogger(__name__)


class InputError(ValueError):
    """An input file is unusable; the message says which file, where and why."""


GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)
"""What reading a corrupt or truncated gzip file raises."""


def corrupt_gzip(path: PathLike, error: BaseException) -> InputError:
    """The :class:`InputError` for a gzip file that cannot be read (one of :data:`GZIP_ERRORS`)."""
    return InputError(f"{path}: not valid gzip data (corrupt or truncated?): {error}")


def open_text(path: PathLike):
    """Open a text file for reading, gunzipping it when its first bytes say gzip; a
    byte-order mark is skipped and Windows line endings read as plain ones."""
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt", encoding="utf-8-sig") if gzipped else open(path, encoding="utf-8-sig")


@contextmanager
def text_output(path: PathLike) -> Iterator:
    """A text handle writing ``path`` atomically, gzip-compressed when it ends in ``.gz``;
    the same text gives the same bytes (no time or name in the gzip header)."""
    path = Path(path)
    with atomic_output(path) as tmp:
        if path.suffix == ".gz":
            with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, filename="",
                                                       mtime=0) as binary, \
                    io.TextIOWrapper(binary, encoding="utf-8", newline="") as handle:
                yield handle
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                yield handle


def require_file(path: PathLike, what: str = "file") -> Path:
    """``path`` as a Path; :class:`InputError` naming it, and why, when it cannot be read
    as a file: missing, a directory, a broken link or a link loop, or not readable."""
    path = Path(path)
    try:
        path.stat()
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InputError(f"{path}: a symbolic link loop; expected a {what}") from None
        if path.is_symlink():
            raise InputError(f"{path}: a symbolic link to {os.readlink(path)}, which does not exist; "
                             f"expected a {what}") from None
        if err.errno in (errno.EACCES, errno.EPERM):
            raise InputError(f"{path}: permission denied (a folder on the way is not readable); "
                             f"expected a {what}") from None
        raise InputError(f"{path}: {what} not found") from None
    if path.is_dir():
        raise InputError(f"{path}: is a directory; expected a {what}")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied (the file is not readable); expected a {what}")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file; expected a {what}")
    return path


INDEX_SUFFIXES = (".fai", ".gzi")
"""Index files written beside an output (a genome's): they belong to its output set."""
_TEMPORARY = re.compile(r"^\.(?P<stem>.+)\.tmp\d+(?P<suffix>(\.[^.]*)?)(?P<companion>"
                        + "|".join(map(re.escape, INDEX_SUFFIXES)) + ")?$")


def temporary_for(path: PathLike) -> Path:
    """The temporary name :func:`atomic_output` writes ``path`` under in this process:
    hidden, beside it, with its suffix (writers choose the format by it)."""
    path = Path(path)
    return path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")


def final_name(path: PathLike) -> Path:
    """The output a temporary of :func:`atomic_output` stands for (``path`` itself when it
    is not one), so that messages name what the user asked for."""
    path = Path(path)
    match = _TEMPORARY.match(path.name)
    if not match:
        return path
    return path.with_name(match["stem"] + match["suffix"] + (match["companion"] or ""))


def remove_stale_temporaries(outputs: Sequence[PathLike]) -> int:
    """Remove the temporaries that an earlier, killed write of ``outputs`` left beside them;
    the number removed (logged)."""
    removed = 0
    for output in map(Path, outputs):
        if output.is_dir():
            for candidate in output.rglob(".*.tmp*"):
                if _TEMPORARY.match(candidate.name):
                    _remove(candidate)
                    removed += 1
        if not output.parent.is_dir():
            continue
        own = {output.name, *(output.name + suffix for suffix in INDEX_SUFFIXES)}
        for candidate in output.parent.glob(f"{glob.escape(f'.{output.stem}.tmp')}*"):
            if _TEMPORARY.match(candidate.name) and final_name(candidate).name in own:
                _remove(candidate)
                removed += 1
    if removed:
        log.info("removed %d temporary files left by an interrupted earlier run (e.g. beside %s)", removed,
                 outputs[0])
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class _OutputSet:
    """The outputs of one :func:`output_set`, their temporaries waiting to be renamed, and
    the folders it made."""

    def __init__(self, outputs: Sequence[PathLike]):
        self.outputs = {Path(path).absolute() for path in outputs}
        self.pending: dict[Path, Path] = {}
        self.made_folders: list[Path] = []

    def holds(self, path: Path) -> bool:
        """Whether ``path`` is one of the outputs, an index beside one, or in an output folder."""
        path = path.absolute()
        return (path in self.outputs or path.with_suffix("") in self.outputs and path.suffix in INDEX_SUFFIXES
                or any(folder in self.outputs for folder in path.parents))


_CURRENT_SET: ContextVar[_OutputSet | None] = ContextVar("biodl_output_set", default=None)


@contextmanager
def output_set(outputs: Sequence[PathLike] = ()) -> Iterator[None]:
    """Commit every :func:`atomic_output` of the block together.

    Inside the block each of ``outputs`` (files, or folders of files) is written under its
    temporary name; when the block ends without error they are all renamed to their final
    names, and on any error (or a failed rename) every temporary is removed, any output
    already renamed by this block too, and the folders the block made if they are left
    empty. Other files written through :func:`atomic_output` (a training checkpoint) are
    renamed at once, as outside a set. Temporaries that a killed earlier run left beside
    ``outputs`` are removed first.
    """
    remove_stale_temporaries(outputs)
    current = _OutputSet(outputs)
    token = _CURRENT_SET.set(current)
    try:
        yield
    except BaseException:
        _discard(current, [])
        raise
    finally:
        _CURRENT_SET.reset(token)
    renamed: list[Path] = []
    try:
        for final, tmp in current.pending.items():
            os.replace(tmp, final)
            renamed.append(final)
    except BaseException:
        _discard(current, renamed)
        raise


def _discard(current: _OutputSet, renamed: list[Path]) -> None:
    for path in [*current.pending.values(), *renamed]:
        _remove(path)
    for folder in reversed(current.made_folders):
        try:
            folder.rmdir()
        except OSError:
            pass


def written_path(path: PathLike) -> Path:
    """Where ``path`` can be read back while its :func:`output_set` is still open: its
    temporary when it is written but not yet committed, else ``path``."""
    current = _CURRENT_SET.get()
    path = Path(path)
    return current.pending.get(path.absolute(), path) if current else path


def _make_parent(path: Path, current: _OutputSet | None) -> None:
    missing = [folder for folder in [path.parent, *path.parent.parents] if not folder.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    if current is not None:
        current.made_folders.extend(reversed(missing))


@contextmanager
def atomic_output(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only on success.

    The temporary name keeps the suffix, so writers that pick a format from it (Keras,
    matplotlib, numpy) behave as for the final name. On any exception it is removed.
    Inside an :func:`output_set` the rename waits for the end of the set.
    """
    path = Path(path)
    current = _CURRENT_SET.get()
    current = current if current is not None and current.holds(path) else None
    _make_parent(path, current)
    tmp = temporary_for(path)
    try:
        yield tmp
        if current is None:
            os.replace(tmp, path)
        else:
            current.pending[path.absolute()] = tmp.absolute()
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError) and err.filename is None:  # a failed write: name the output written
            err.filename = str(path)
        raise


def check_unique(names: Sequence[str], what: str) -> None:
    """Raise :class:`InputError` ``"<what>: N appear more than once, e.g. ..."`` on repeats."""
    counts = Counter(names)
    repeated = [name for name, n in counts.items() if n > 1]
    if repeated:
        shown = ", ".join(repr(name) for name in repeated[:5])
        raise InputError(f"{what}: {len(repeated)} appear more than once, e.g. {shown}")


def write_table(path: PathLike, table: pd.DataFrame, index: bool = True) -> None:
    """Write a tab-separated table atomically."""
    with atomic_output(path) as tmp:
        table.to_csv(tmp, sep="\t", index=index)


def read_json(path: PathLike) -> dict:
    """The JSON object in ``path``; :class:`InputError` for a missing file, invalid JSON, or
    JSON that is not an object (a biodl step's summary or metrics)."""
    try:
        data = json.loads(require_file(path, "JSON file").read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not valid JSON (line {err.lineno}: {err.msg})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a JSON text file") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: holds a JSON {type(data).__name__}, not the object a biodl step writes")
    return data


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


def load_arrays(path: PathLike, skip: Sequence[str] = (), required: Sequence[str] = (),
                what: str = ".npz file") -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` file into a dict, except those named in ``skip``.

    Raises
    ------
    InputError
        If the file is missing, not an ``.npz`` archive, or lacks an array of ``required``
        (then it is not ``what``: another step's file, named in the message).
    """
    path = require_file(path, ".npz file")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [name for name in required if name not in data.files]
            if missing:
                raise InputError(f"{path}: not {what} (it lacks {missing[0]!r}; it holds {sorted(data.files)[:6]})")
            return {key: data[key] for key in data.files if key not in skip}
    except (OSError, ValueError) as err:
        if isinstance(err, InputError):
            raise
        raise InputError(f"{path}: not a readable .npz file: {err}") from None
