"""Delimited tables: label tables, omic tables (TSV, CSV or AnnData ``.h5ad``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from biodl.io.files import GZIP_ERRORS, InputError, PathLike, check_unique, corrupt_gzip, open_text, require_file
from biodl.io.h5ad import read_h5ad

log = logging.getLogger(__name__)


def read_delimited(path: PathLike, what: str = "table", index_col: int | None = None, columns: Sequence[str] = (),
                   **options: Any) -> pd.DataFrame:
    """Read a tab-separated file (comma-separated when named ``.csv`` or ``.csv.gz``) with
    :func:`pandas.read_csv` ``options``; a missing or unparsable file raises
    :class:`InputError` naming it, ``what`` saying what it should have been.

    The header line is checked: a column name given twice is refused (pandas would rename
    the second); a column without a name (a trailing tab) is dropped, logged, when it is
    empty and refused when it holds values. With ``index_col=0`` the first column is the
    index and is read as text, exactly as written (``0001`` stays ``0001``, ``NA`` stays
    ``NA``). A table without every one of ``columns`` is refused, naming the missing ones.
    """
    path = require_file(path, what)
    sep = "," if path.suffix.lower() == ".csv" or path.name.lower().endswith(".csv.gz") else "\t"
    options.setdefault("encoding", "utf-8-sig")  # a byte-order mark is not part of the first column's name
    if index_col == 0:
        options["converters"] = {**options.get("converters", {}), 0: str}
    try:
        table = pd.read_csv(path, sep=sep, index_col=index_col, **options)
        header = _header(path, sep)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the {what} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the {what}: {str(err).splitlines()[0]}") from None
    except GZIP_ERRORS as err:
        raise corrupt_gzip(path, err) from None
    table = _checked_header(table, header, path, index_col)
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputError(f"{path}: the {what} has no column {', '.join(map(repr, missing))} (it has "
                         f"{', '.join(map(str, table.columns))})")
    return table


def _header(path: Path, sep: str) -> list[str]:
    with open_text(path) as handle:
        return [name.strip().strip('"') for name in handle.readline().rstrip("\r\n").split(sep)]


def _checked_header(table: pd.DataFrame, header: list[str], path: Path, index_col: int | None) -> pd.DataFrame:
    """``table`` without the unnamed empty columns of its header line (see :func:`read_delimited`)."""
    named = [name for name in header if name]
    repeated = sorted({name for name in named if named.count(name) > 1})
    if repeated:
        raise InputError(f"{path}: line 1 names column {repeated[0]!r} more than once; give each column its own name")
    offset = 1 if index_col == 0 and len(header) == table.shape[1] + 1 else 0
    unnamed = [position for position, name in enumerate(header) if not name and position >= offset]
    if not unnamed or len(header) != table.shape[1] + offset:
        return table
    empty = [position for position in unnamed if table.iloc[:, position - offset].isna().all()]
    filled = sorted(set(unnamed) - set(empty))
    if filled:
        raise InputError(f"{path}: column {filled[0] + 1} holds values but has no name in the header line; "
                         "name it, or remove it")
    log.warning("%s: %d column(s) without a name and without values left out (tabs at the ends of lines?)", path,
                len(empty))
    return table.drop(columns=table.columns[[position - offset for position in empty]])


NA_WORDS = frozenset({"NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "-", "."})
"""Cells that stand for a missing value in a column of numbers; in a column of text they are
text (a class may be called ``NA``)."""


def read_table(path: PathLike, id_column: str) -> pd.DataFrame:
    """Read a TSV (or ``.csv``) table whose column ``id_column`` names each row.

    Ids are read as text exactly as written; a column whose cells are all numbers (or
    empty, or one of :data:`NA_WORDS`) becomes numbers, those words missing values.
    Ids stay text (``0001`` is not ``1``), and in a column of text ``NA`` is a value.

    Raises
    ------
    InputError
        If the file is missing or empty, lacks ``id_column``, or repeats an id.
    """
    path = Path(path)
    table = _stripped(read_delimited(path, dtype={id_column: str}, keep_default_na=False, na_values=[""]), path)
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
    for column in table.columns.drop(id_column):
        if not pd.api.types.is_numeric_dtype(table[column]):  # columns read as numbers need nothing more
            table[column] = _numbers_or_text(table[column], path)
    return table.set_index(id_column)


def _stripped(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Cells without the spaces around them (``"A "`` is class ``A``; a cell of spaces is
    empty); how many cells had them is logged with an example."""
    text = [column for column in table.columns if not pd.api.types.is_numeric_dtype(table[column])]
    stripped = table.copy()
    stripped[text] = table[text].apply(lambda column: column.str.strip()).replace("", np.nan)
    changed = (stripped != table) & table.notna()
    if changed.to_numpy().any():
        row, column = np.argwhere(changed.to_numpy())[0]
        log.warning("%s: %d cells have spaces around their value, which are removed (e.g. line %d, column %r: %r)",
                    path, int(changed.to_numpy().sum()), row + 2, table.columns[column], table.iat[row, column])
    return stripped


def _numbers_or_text(cells: pd.Series, path: Path) -> pd.Series:
    """A column of numbers (with :data:`NA_WORDS` as missing) when every cell is one, else
    ``cells``; numbers written with a decimal comma are refused (:class:`InputError`)."""
    missing = cells.isna() | cells.isin(NA_WORDS)
    numbers = pd.to_numeric(cells.where(~missing), errors="coerce")
    if numbers.notna().any() and (numbers.notna() | missing).all():
        return numbers
    with_point = pd.to_numeric(cells.where(~missing).str.replace(",", ".", regex=False), errors="coerce")
    if (with_point.notna() | missing).all() and with_point.notna().any():
        example = cells[numbers.isna() & ~missing].iloc[0]
        raise InputError(f"{path}: column {cells.name!r} holds numbers written with a decimal comma (e.g. "
                         f"{example!r}); write them with a decimal point")
    return cells


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

    path = Path(path)
    if path.suffix.lower() == ".h5ad":
        table = read_h5ad(path)
    else:
        table = read_delimited(path, what="omic table", index_col=0)
    if transpose:
        table = table.T
    table.index = table.index.astype(str).str.strip()
    table.columns = table.columns.astype(str).str.strip()
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
