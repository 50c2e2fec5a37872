"""Writing outputs atomically (tables, JSON, arrays) and the error every reader raises.

Every writer goes through :func:`atomic_output`, so a failure never leaves a half-written
file behind under the final name.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PathLike = str | os.PathLike


class InputError(ValueError):
    """An input file is unusable; the message says which file, where and why."""


GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)
"""What reading a corrupt or truncated gzip file raises."""


def corrupt_gzip(path: PathLike, error: BaseException) -> InputError:
    """The :class:`InputError` for a gzip file that cannot be read (one of :data:`GZIP_ERRORS`)."""
    return InputError(f"{path}: not valid gzip data (corrupt or truncated?): {error}")


def require_file(path: PathLike, what: str = "file") -> Path:
    """``path`` as a Path; :class:`InputError` naming it when it is missing or a directory."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory; expected a {what}")
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    return path


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


def load_arrays(path: PathLike, skip: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` file into a dict, except those named in ``skip``.

    Raises
    ------
    InputError
        If the file is missing or not an ``.npz`` archive.
    """
    path = require_file(path, ".npz file")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files if key not in skip}
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: not a readable .npz file: {err}") from None
