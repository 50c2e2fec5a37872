import numpy as np
import pytest

from biodl.data import splits


def test_random_split_is_stratified_and_seeded():
    strata = np.repeat([0, 1], [800, 200])
    a = splits.assign_splits([str(i) for i in range(1000)], strata=strata, seed=3)
    b = splits.assign_splits([str(i) for i in range(1000)], strata=strata, seed=3)
    c = splits.assign_splits([str(i) for i in range(1000)], strata=strata, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    for value, size in ((0, 800), (1, 200)):
        part = a[strata == value]
        assert np.sum(part == "test") == round(0.2 * size)
        assert np.sum(part == "val") == round(0.1 * size)


def test_chromosome_split():
    ids = ["chr1:1-10", "chr2:5-20_shuf", "chr3:1-5", "chr1:50-60"]
    split = splits.assign_splits(ids, test_chromosomes=["chr1"], val_chromosomes=["chr3"])
    assert split.tolist() == ["test", "train", "val", "test"]


def test_chromosome_names_without_chr_prefix():
    ids = ["I:1-10", "XIV:5-20_shuf1", "2L:3-9", "peak7::I:40-90"]
    split = splits.assign_splits(ids, test_chromosomes=["I"], val_chromosomes=["2L"])
    assert split.tolist() == ["test", "train", "val", "test"]


def test_chromosome_split_needs_genomic_ids():
    with pytest.raises(ValueError, match=r"1 of 2 ids do not look like 'chrN:start-end' \(e.g. 'seq7'\)"):
        splits.assign_splits(["chr1:1-2", "seq7"], method="chromosomes", test_chromosomes=["chr1"])


def test_given_split_column_wins_in_auto():
    split = splits.assign_splits(["a", "b", "c"], given=["Train", "test ", "val"])
    assert split.tolist() == ["train", "test", "val"]


def test_given_train_test_column_draws_validation_from_train():
    given = ["train"] * 8 + ["test"] * 2
    split = splits.assign_splits([str(i) for i in range(10)], given=given, strata=np.array([0, 1] * 5),
                                 val_fraction=0.25, seed=4)
    assert split[8:].tolist() == ["test", "test"]
    assert (split == "val").sum() == 2 and set(np.array([0, 1] * 5)[split == "val"]) == {0, 1}
    again = splits.assign_splits([str(i) for i in range(10)], given=given, strata=np.array([0, 1] * 5),
                                 val_fraction=0.25, seed=4)
    assert again.tolist() == split.tolist()


def test_given_split_column_rejects_other_values():
    with pytest.raises(ValueError, match=r"split column has values \['training'\]"):
        splits.assign_splits(["a", "b"], given=["training", "test"])


def test_empty_test_split_is_an_error():
    with pytest.raises(ValueError, match="no test samples"):
        splits.assign_splits(["a", "b"], given=["train", "val"])


def test_split_settings_refuse_unknown_keys():
    assert splits.split_settings({"method": "random"}) == {"method": "random"}
    with pytest.raises(ValueError, match=r"unknown settings \['val_fractoin'\]"):
        splits.split_settings({"val_fractoin": 0.2})


def test_many_classes_of_two_still_get_a_validation_split(caplog):
    strata = np.concatenate([np.repeat(np.arange(52), 2), np.arange(52)])  # PigCVP: 52 classes, 2 training series each
    given = np.array(["train"] * 104 + ["test"] * 52)
    ids = [f"s{i}" for i in range(156)]
    with caplog.at_level("INFO"):
        split = splits.assign_splits(ids, given=given, strata=strata, val_fraction=0.2, seed=1)
    assert (split == "val").sum() == 21 and (split == "test").sum() == 52  # round(0.2 * 104)
    for value in range(52):  # never a class's last training item
        assert (split[:104][strata[:104] == value] == "train").sum() >= 1
    assert "one item each of 21 of 52 classes is val" in caplog.text
    assert (splits.assign_splits(ids, given=given, strata=strata, val_fraction=0.2, seed=1) == split).all()
