import numpy as np
import pandas as pd
import pytest

from biodl import io


def write_h5ad(path, table, layout):
    """A minimal AnnData file as anndata writes it: X dense or CSR, obs/var name indexes."""
    import h5py
    from scipy import sparse

    strings = h5py.string_dtype()
    with h5py.File(path, "w") as handle:
        handle.attrs.update({"encoding-type": "anndata", "encoding-version": "0.1.0"})
        if layout == "dense":
            handle["X"] = table.to_numpy()
        else:
            matrix = sparse.csr_matrix(table.to_numpy())
            group = handle.create_group("X")
            group.attrs.update({"encoding-type": "csr_matrix", "encoding-version": "0.1.0", "shape": matrix.shape})
            for name in ("data", "indices", "indptr"):
                group[name] = getattr(matrix, name)
        for part, names in (("obs", table.index), ("var", table.columns)):
            group = handle.create_group(part)
            group.attrs.update({"encoding-type": "dataframe", "_index": "_index", "column-order": []})
            group.create_dataset("_index", data=np.array(names, dtype=object), dtype=strings)
    return path


@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_read_omic_from_h5ad(tmp_path, layout):
    table = pd.DataFrame([[0.0, 2.5, 0.0], [1.0, 0.0, 3.0]], index=["s1", "s2"], columns=["g1", "g2", "g3"])
    read = io.read_omic(write_h5ad(tmp_path / "x.h5ad", table, layout))
    pd.testing.assert_frame_equal(read, table)


def test_unreadable_h5ad_is_named(tmp_path):
    (tmp_path / "bad.h5ad").write_text("not hdf5")
    with pytest.raises(io.InputError, match="bad.h5ad: not a readable .h5ad file"):
        io.read_omic(tmp_path / "bad.h5ad")
