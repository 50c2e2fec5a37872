import logging

import numpy as np
import pandas as pd
import pytest

from biodl import io
from biodl.omics import OmicPreprocessor, align_samples, preprocess_omics, read_omic


def write(path, text):
    path.write_text(text)
    return path


def test_read_omic_both_orientations(tmp_path):
    rows = read_omic(write(tmp_path / "a.tsv", "sample\tg1\tg2\ns1\t1\t2\ns2\t3\t4\n"))
    cols = read_omic(write(tmp_path / "b.tsv", "feature\ts1\ts2\ng1\t1\t3\ng2\t2\t4\n"), transpose=True)
    pd.testing.assert_frame_equal(rows, cols, check_names=False)
    assert rows.loc["s2", "g1"] == 3.0


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
    read = read_omic(write_h5ad(tmp_path / "x.h5ad", table, layout))
    pd.testing.assert_frame_equal(read, table)


def test_unreadable_h5ad_is_named(tmp_path):
    with pytest.raises(io.InputError, match="bad.h5ad: not a readable .h5ad file"):
        read_omic(write(tmp_path / "bad.h5ad", "not hdf5"))


@pytest.mark.parametrize("text, message", [
    ("sample\tg1\ns1\t1\ns1\t2\n", "duplicated sample ids, e.g. 's1'"),
    ("sample\tg1\tg2\ns1\t1\tabc\n", "sample 's1', feature 'g2': 'abc' is not a number"),
    ("sample\tg1\tg2\ns1\t1\t\ns2\t2\t\n", "1 features have no value in any sample, e.g. 'g2'"),
])
def test_bad_omic_tables(tmp_path, text, message):
    with pytest.raises(io.InputError, match=message):
        read_omic(write(tmp_path / "bad.tsv", text))


def omic(samples, features=3, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(len(samples), features)), index=samples,
                        columns=[f"f{i}" for i in range(features)])


def test_alignment_masks_missing_omics_and_counts(caplog):
    labels = pd.Series(["a", "b", "a", "b"], index=["s1", "s2", "s3", "s4"])
    omics = {"rna": omic(["s1", "s2", "s3", "x9"]), "protein": omic(["s2", "s3"])}
    with caplog.at_level(logging.WARNING):
        samples, mask, report = align_samples(omics, labels)
    assert samples == ["s1", "s2", "s3"]  # s4 has no omic
    assert mask.loc["s1"].tolist() == [True, False]
    assert report["samples_per_omic"] == {"rna": 3, "protein": 2}
    assert report["samples_in_every_omic"] == 2 and report["left_out"] == 1
    assert "1 samples of omic 'rna' have no label" in caplog.text
    complete, _, _ = align_samples(omics, labels, complete_cases=True)
    assert complete == ["s2", "s3"]


def test_omic_with_no_shared_sample_is_an_error():
    labels = pd.Series(["a"], index=["s1"])
    with pytest.raises(io.InputError, match="omic 'rna' shares no sample id"):
        align_samples({"rna": omic(["x1", "x2"])}, labels)


def test_preprocessing_uses_training_samples_only():
    samples = [f"s{i}" for i in range(6)]
    table = omic(samples, features=5)
    table.loc["s5"] = 1000.0  # an outlier in the test split must not move the scaling
    train = np.array([True] * 4 + [False] * 2)
    mask = pd.DataFrame({"rna": [True] * 6}, index=samples)
    arrays = preprocess_omics({"rna": table}, samples, mask, train, {"rna": OmicPreprocessor(top_k=2)})
    assert arrays["rna"].shape == (6, 2)
    np.testing.assert_allclose(arrays["rna"][train].mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(arrays["rna"][train].std(axis=0), 1, atol=1e-5)
    assert arrays["rna"][5].min() > 100


def test_minmax_and_missing_rows_stay_zero():
    samples = ["a", "b", "c"]
    table = pd.DataFrame({"cg1": [0.1, 0.9, 0.5]}, index=samples)
    mask = pd.DataFrame({"meth": [True, True, False]}, index=samples)
    arrays = preprocess_omics({"meth": table.loc[["a", "b"]]}, samples, mask, np.array([True, True, False]),
                              {"meth": OmicPreprocessor(scaling="minmax")})
    np.testing.assert_allclose(arrays["meth"][:, 0], [0, 1, 0])
    with pytest.raises(ValueError, match="scaling must be one of"):
        OmicPreprocessor(scaling="zscore")


def test_prepare_omics_command_refuses_misaligned_ids_and_writes_nothing(tmp_path, capsys):
    from biodl.cli import main

    write(tmp_path / "rna.tsv", "sample\tg1\tg2\nA\t1\t2\nB\t3\t4\n")
    write(tmp_path / "labels.tsv", "sample\tsubtype\nX\tLumA\nY\tBasal\n")
    status = main(["prepare-omics", "--omic", f'{{"name": "rna", "path": "{tmp_path / "rna.tsv"}"}}',
                   "--labels", str(tmp_path / "labels.tsv"), "--label-column", "subtype",
                   "--out", str(tmp_path / "out" / "d.npz"), "--report", str(tmp_path / "out" / "r.json")])
    assert status == 2
    assert "omic 'rna' shares no sample id with the labels" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
