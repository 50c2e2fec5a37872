"""Delimited tables: label tables, omic tables (TSV, CSV or AnnData ``.h5ad``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from biodl.io.files import GZIP_ERRORS, InputError, PathLike, check_unique, corrupt_gzip, require_file


def read_delimited(path: PathLike, what: str = "table", **options: Any) -> pd.DataFrame:
    """Read a tab-separated file (comma-separated when named ``.csv`` or ``.csv.gz``) with
    :func:`pandas.read_csv` ``options``; a missing or unparsable file raises
    :class:`InputError` naming it, ``what`` saying what it should have been."""
    path = require_file(path, what)
    sep = "," if path.suffix.lower() == ".csv" or path.name.lower().endswith(".csv.gz") else "\t"
    options.setdefault("encoding", "utf-8-sig")  # a byte-order mark is not part of the first column's name
    try:
        return pd.read_csv(path, sep=sep, **options)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the {what} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the {what}: {str(err).splitlines()[0]}") from None
    except GZIP_ERRORS as err:
        raise corrupt_gzip(path, err) from None


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
    check_unique(table[id_column].tolist(), f"{path}: duplicate {id_column!r} values")
    return table.set_index(id_column)


def numeric_cells(table: pd.DataFrame, path: PathLike, locate: Callable[[int, int], str]) -> pd.DataFrame:
    """``table`` as float64 (empty cells become NaN). The first cell that is not a number,
    or is infinite, raises :class:`InputError`: ``"<path>: <locate(row, column)>: <cell> is
    not a (finite) number"``, ``row`` and ``column`` being 0-based positions."""
    values = table.apply(pd.to_numeric, errors="coerce")
    bad = (values.isna() & table.notna()).to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(f"{path}: {locate(row, col)}: {table.iat[row, col]!r} is not a number")
    values = values.astype(np.float64)
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        raise InputError(f"{path}: {locate(row, col)}: {table.iat[row, col]!r} is not a finite number")
    return values


def read_omic(path: PathLike, transpose: bool = False) -> pd.DataFrame:
    """Read one omic table: samples in rows, the first column the sample id, features after.

    Parameters
    ----------
    path
        TSV, ``.csv``, or AnnData ``.h5ad`` (its ``X``; ``obs`` names are the samples).
    transpose
        The file has features in rows and samples in columns instead.

    Raises
    ------
    InputError
        On a duplicated sample or feature, a non-numeric cell (naming sample and feature),
        or a feature with no value at all.
    """
    from biodl.io.h5ad import read_h5ad

    path = Path(path)
    if path.suffix.lower() == ".h5ad":
        table = read_h5ad(path)
    else:
        table = read_delimited(path, what="omic table", index_col=0)
    if transpose:
        table = table.T
    table.index = table.index.astype(str)
    table.columns = table.columns.astype(str)
    for axis, what in ((table.index, "sample"), (table.columns, "feature")):
        duplicated = axis[axis.duplicated()].unique()
        if len(duplicated):
            raise InputError(f"{path}: {len(duplicated)} duplicated {what} ids, e.g. {duplicated[0]!r}")
    if table.empty:
        raise InputError(f"{path}: no samples or no features")
    values = numeric_cells(
        table, path, lambda row, col: f"sample {table.index[row]!r}, feature {table.columns[col]!r}"
    )
    empty = values.columns[values.isna().all()]
    if len(empty):
        raise InputError(f"{path}: {len(empty)} features have no value in any sample, e.g. {empty[0]!r}")
    return values
