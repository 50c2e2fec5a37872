import numpy as np
import pytest

from biodl import io
from biodl.data.datasets import EncodedDataset, check_classes_per_split


def dataset():
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]], dtype=np.float32)
    return EncodedDataset(np.arange(16, dtype=np.uint8).reshape(4, 2, 2), y, np.array(["a", "b", "c", "d"]),
                          np.array(["train", "test", "test", "val"]), "multilabel", ["p", "q"])


def test_round_trip_and_parts(tmp_path):
    ds = dataset()
    ds.save(tmp_path / "d.npz")
    back = EncodedDataset.load(tmp_path / "d.npz")
    np.testing.assert_array_equal(back.x, ds.x)
    assert back.names == ["p", "q"] and back.task == "multilabel" and back.ids.tolist() == ["a", "b", "c", "d"]
    x_test, y_test = back.part("test")
    assert x_test.shape == (2, 2, 2) and y_test.tolist() == [[0, 1], [1, 1]]
    assert back.splits_table().to_dict("list") == {"id": ["a", "b", "c", "d"],
                                                   "split": ["train", "test", "test", "val"]}


def test_examples_of_an_output():
    ds = dataset()
    assert ds.examples_of(1, "test").tolist() == [1, 2]
    assert ds.examples_of(0, "test").tolist() == [2]
    ds.task, ds.y = "multiclass", np.array([0, 1, 1, 0])
    assert ds.examples_of(1, "test").tolist() == [1, 2]


def test_every_class_in_train_and_test():
    split = np.array(["train", "train", "test", "test"])
    check_classes_per_split(np.array([0, 1, 0, 1]), "multiclass", split, "labels.tsv")
    check_classes_per_split(np.array([0.1, 0.1, 0.2, 0.2]), "regression", split, "labels.tsv")
    with pytest.raises(io.InputError, match="labels.tsv: the test split has 1 of 2 classes"):
        check_classes_per_split(np.array([0, 1, 0, 0]), "multiclass", split, "labels.tsv")
    with pytest.raises(io.InputError, match="label 0 has a single class in the train split"):
        check_classes_per_split(np.array([[1.0], [1.0], [0.0], [1.0]]), "binary", split, "labels.tsv")
