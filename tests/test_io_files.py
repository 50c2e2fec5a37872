import json

import numpy as np
import pandas as pd
import pytest

from biodl import io


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "sub" / "out.npz"
    with pytest.raises(RuntimeError):
        with io.atomic_output(target) as tmp:
            np.savez(tmp, a=np.arange(3))
            assert tmp.exists() and tmp.suffix == ".npz"
            raise RuntimeError("boom")
    assert list((tmp_path / "sub").iterdir()) == []


def test_writers_round_trip(tmp_path):
    io.write_json(tmp_path / "m.json", {"a": np.float32(0.5), "b": np.arange(2)})
    assert json.loads((tmp_path / "m.json").read_text()) == {"a": 0.5, "b": [0, 1]}
    io.write_table(tmp_path / "t.tsv", pd.DataFrame({"x": [1, 2]}), index=False)
    assert (tmp_path / "t.tsv").read_text() == "x\n1\n2\n"
    io.save_arrays(tmp_path / "a.npz", x=np.eye(2))
    np.testing.assert_array_equal(io.load_arrays(tmp_path / "a.npz")["x"], np.eye(2))


def test_unreadable_arrays_are_named(tmp_path):
    with pytest.raises(io.InputError, match="nope.npz: .npz file not found"):
        io.load_arrays(tmp_path / "nope.npz")
    (tmp_path / "bad.npz").write_text("not an archive")
    with pytest.raises(io.InputError, match="bad.npz: not a readable .npz file"):
        io.load_arrays(tmp_path / "bad.npz")


def test_check_unique_names_the_repeats():
    io.check_unique(["a", "b"], "ids")
    with pytest.raises(io.InputError, match=r"ids: 1 appear more than once, e.g. 'a'"):
        io.check_unique(["a", "b", "a"], "ids")
