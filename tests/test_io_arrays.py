import zipfile

import numpy as np
import pytest

from biodl.io import InputError
from biodl.io.arrays import StoredRows, npz_writer, row_chunks, stored_rows


def written(tmp_path, x, chunk=3):
    path = tmp_path / "a.npz"
    with npz_writer(path) as archive:
        with archive.rows("x", x.shape, x.dtype) as rows:
            for start in range(0, len(x), chunk):
                rows.write(x[start:start + chunk])
        archive.add("y", np.arange(len(x)))
    return path


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_rows_written_in_chunks_read_back_by_any_index(tmp_path, dtype):
    x = np.random.default_rng(0).integers(0, 5, size=(20, 7, 4)).astype(dtype)
    path = written(tmp_path, x)
    with np.load(path) as plain:  # an ordinary .npz
        np.testing.assert_array_equal(plain["x"], x)
        np.testing.assert_array_equal(plain["y"], np.arange(20))
    rows = stored_rows(path, "x")
    assert isinstance(rows, StoredRows) and rows.shape == x.shape and rows.dtype == x.dtype and len(rows) == 20
    np.testing.assert_array_equal(np.asarray(rows), x)
    for key in (5, -1, slice(3, 11), slice(None, None, -3), np.array([9, 2, 2, 17, 3]), x[:, 0, 0] > 1,
                np.array([], dtype=int)):
        np.testing.assert_array_equal(rows[key], x[key])
    np.testing.assert_array_equal(rows[np.array([4, 1]), 2:5], x[np.array([4, 1]), 2:5])
    view = rows.take(np.array([15, 3, 8]))
    assert view.shape == (3, 7, 4)
    np.testing.assert_array_equal(view[np.array([2, 0])], x[[8, 15]])
    np.testing.assert_array_equal(np.asarray(view.take(slice(1, None))), x[[3, 8]])
    np.testing.assert_array_equal(np.concatenate(list(row_chunks(view, 2))), x[[15, 3, 8]])
    with pytest.raises(IndexError, match="out of range for 20 rows"):
        rows[np.array([20])]
    with pytest.raises(IndexError, match="boolean index"):
        rows[np.ones(3, dtype=bool)]


def test_stored_rows_copied_into_another_archive(tmp_path):
    x = np.arange(60, dtype=np.uint8).reshape(5, 3, 4)
    rows = stored_rows(written(tmp_path, x), "x").take(np.array([4, 0]))
    with npz_writer(tmp_path / "b.npz") as archive:
        archive.add("x", rows)
    with np.load(tmp_path / "b.npz") as copy:
        np.testing.assert_array_equal(copy["x"], x[[4, 0]])


def test_a_failed_write_leaves_no_file(tmp_path):
    path = tmp_path / "a.npz"
    with pytest.raises(ValueError, match="3 of 4 rows were written"):
        with npz_writer(path) as archive, archive.rows("x", (4, 2), np.uint8) as rows:
            rows.write(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="do not fit"):
        with npz_writer(path) as archive, archive.rows("x", (4, 2), np.uint8) as rows:
            rows.write(np.zeros((3, 5)))
    assert list(tmp_path.iterdir()) == []


def test_compressed_members_are_read_whole_and_errors_name_the_file(tmp_path):
    np.savez_compressed(tmp_path / "c.npz", x=np.eye(3))
    np.testing.assert_array_equal(stored_rows(tmp_path / "c.npz", "x"), np.eye(3))
    with pytest.raises(InputError, match="c.npz: holds no array 'z'"):
        stored_rows(tmp_path / "c.npz", "z")
    (tmp_path / "bad.npz").write_text("not a zip")
    with pytest.raises(InputError, match="bad.npz: not a readable .npz"):
        stored_rows(tmp_path / "bad.npz", "x")
    with pytest.raises(InputError, match="missing.npz: .npz file not found"):
        stored_rows(tmp_path / "missing.npz", "x")
    x = np.ones((4, 100), dtype=np.uint8)
    path = written(tmp_path, x)
    rows = stored_rows(path, "x")
    with zipfile.ZipFile(path) as archive:
        end = archive.getinfo("x.npy").header_offset + 200
    with open(path, "r+b") as handle:
        handle.truncate(end)
    with pytest.raises(InputError, match="a.npz: file ends early"):
        rows[3]
