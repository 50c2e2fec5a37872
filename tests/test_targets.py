import numpy as np
import pandas as pd
import pytest

from biodl.data.targets import encode_targets


def table(**columns):
    n = len(next(iter(columns.values())))
    return pd.DataFrame(columns, index=[f"s{i}" for i in range(n)])


def test_binary_numeric():
    t = encode_targets(table(bound=[0, 1, 1]), None, "auto")
    assert t.task == "binary" and t.y.shape == (3, 1) and t.y[:, 0].tolist() == [0, 1, 1]


def test_binary_text_maps_sorted_values():
    t = encode_targets(table(state=["open", "closed", "open"]), None, "auto")
    assert t.task == "binary" and t.value_maps == {"state": ["closed", "open"]}
    assert t.y[:, 0].tolist() == [1, 0, 1]


def test_multiclass_and_split_column_ignored():
    t = encode_targets(table(cls=["b", "a", "c", "a"], split=["train"] * 4), None, "auto")
    assert t.task == "multiclass" and t.names == ["a", "b", "c"] and t.y.tolist() == [1, 0, 2, 0]


def test_multilabel_and_regression():
    assert encode_targets(table(a=[0, 1], b=[1, 0]), None, "auto").task == "multilabel"
    t = encode_targets(table(expr=[0.5, 2.0, 3.5]), None, "auto")
    assert t.task == "regression" and t.y.dtype == np.float32


def test_one_class_is_an_error():
    with pytest.raises(ValueError, match=r"column 'bound' has 1 distinct values"):
        encode_targets(table(bound=[1, 1, 1]), None, "binary")
    with pytest.raises(ValueError, match="has one class"):
        encode_targets(table(cls=["x", "x"]), None, "multiclass")


def test_empty_label_cell_names_sample():
    with pytest.raises(ValueError, match=r"column 'y' is empty for 1 samples, e.g. 's1'"):
        encode_targets(table(y=[1.0, None, 0.0]), None, "auto")


def test_non_numeric_regression_value_named():
    with pytest.raises(ValueError, match=r"sample 's1': 'high' is not a number"):
        encode_targets(table(y=["1.5", "high"]), None, "regression")


def test_missing_label_column():
    with pytest.raises(ValueError, match=r"label columns \['nope'\] not found"):
        encode_targets(table(y=[0, 1]), ["nope"], "auto")
