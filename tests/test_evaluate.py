import numpy as np
import pytest

from biodl.evaluation import metrics as evaluate


def test_perfect_binary_scores():
    y = np.array([[0], [1], [0], [1]], dtype=float)
    m = evaluate.compute_metrics(y, np.array([[0.1], [0.9], [0.2], [0.8]]), "binary", ["b"])
    assert m["auroc"] == 1.0 and m["auprc"] == 1.0 and m["accuracy"] == 1.0 and m["f1"] == 1.0
    assert m["n"] == 4


def test_multiclass_uses_argmax_and_macro_averages():
    y = np.array([0, 1, 2, 2])
    scores = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]])
    m = evaluate.compute_metrics(y, scores, "multiclass", ["a", "b", "c"])
    assert m["accuracy"] == 0.75 and set(m["per_output"]) == {"a", "b", "c"}
    assert m["f1"] == pytest.approx(np.mean([2 / 3, 1.0, 2 / 3]))


def test_regression_metrics():
    y = np.arange(10, dtype=float)
    m = evaluate.compute_metrics(y, y * 2 + 1, "regression", ["v"])
    assert m["pearson"] == pytest.approx(1.0) and m["spearman"] == pytest.approx(1.0)
    assert m["r2"] < 0


def test_predictions_table():
    y = np.array([0, 1, 2, 1])
    scores = {"cnn1d": np.eye(3)[[0, 1, 2, 2]], "pwm_scan": np.full((4, 3), 1 / 3)}
    table = evaluate.predictions_table(["a", "b", "c", "d"], y, scores, "multiclass", ["x", "y", "z"])
    assert table["true"].tolist() == ["x", "y", "z", "y"]
    assert table["cnn1d_predicted"].tolist() == ["x", "y", "z", "z"]
    assert table["cnn1d_z"].tolist() == [0, 0, 1, 1]


def test_embedding_metrics_see_separable_classes():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    z = rng.normal(size=(60, 2)) + 6 * y[:, None]
    m = evaluate.embedding_metrics(z[::2], y[::2], z[1::2], y[1::2], 2)
    assert m["balanced_accuracy"] == 1.0 and m["kmeans_ari"] == 1.0 and m["n_test"] == 30
    noise = evaluate.embedding_metrics(z[::2], rng.permutation(y[::2]), z[1::2], rng.permutation(y[1::2]), 2)
    assert noise["kmeans_ari"] < 0.2


def test_spread_over_seeds_is_the_sample_standard_deviation():
    spread = evaluate.summarise_over_seeds([0.9, 1.0, 0.95])
    assert spread["mean"] == pytest.approx(0.95) and spread["n"] == 3
    assert spread["std"] == pytest.approx(0.05)  # ddof = 1; the population value would be 0.0408
    assert evaluate.summarise_over_seeds([0.7]) == {"mean": 0.7, "std": None, "n": 1}
