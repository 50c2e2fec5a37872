"""AnnData ``.h5ad`` matrices, read with h5py (AnnData itself is not needed)."""

from __future__ import annotations

import pandas as pd

from biodl.io.files import InputError, PathLike, require_file


def read_h5ad(path: PathLike) -> pd.DataFrame:
    """The ``X`` matrix of an AnnData ``.h5ad`` file (dense, CSR or CSC) as a samples x
    features table indexed by the ``obs`` and ``var`` names.

    Raises
    ------
    InputError
        If the file is missing, not HDF5, lacks ``X``/``obs``/``var``, or their sizes differ.
    """
    import h5py
    from scipy import sparse

    path = require_file(path, ".h5ad file")
    try:
        with h5py.File(path, "r") as handle:
            names = {part: _index(handle[part]) for part in ("obs", "var")}
            matrix = handle["X"]
            if isinstance(matrix, h5py.Group):
                kind = matrix.attrs.get("encoding-type", "")
                if kind not in ("csr_matrix", "csc_matrix"):
                    raise InputError(f"{path}: X is a {kind or 'unknown'} group; expected a dense, CSR or CSC matrix")
                build = sparse.csr_matrix if kind == "csr_matrix" else sparse.csc_matrix
                values = build((matrix["data"][...], matrix["indices"][...], matrix["indptr"][...]),
                               shape=tuple(matrix.attrs["shape"])).toarray()
            else:
                values = matrix[...]
    except (OSError, KeyError) as err:
        raise InputError(f"{path}: not a readable .h5ad file with X, obs and var: {err}") from None
    if values.shape != (len(names["obs"]), len(names["var"])):
        raise InputError(f"{path}: X is {values.shape} but obs has {len(names['obs'])} and var "
                         f"{len(names['var'])} names")
    return pd.DataFrame(values, index=names["obs"], columns=names["var"])


def _index(frame) -> list[str]:
    column = frame.attrs.get("_index", "_index")
    return [str(name) for name in frame[column].asstr()[...]]
