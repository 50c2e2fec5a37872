import numpy as np
import pandas as pd
import pytest

from biodl import evaluate


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


def test_regression_metrics():
    y = np.arange(10, dtype=float)
    m = evaluate.compute_metrics(y, y * 2 + 1, "regression", ["v"])
    assert m["pearson"] == pytest.approx(1.0) and m["spearman"] == pytest.approx(1.0)
    assert m["r2"] < 0


def test_predictions_table_and_plots(tmp_path):
    y = np.array([0, 1, 2, 1])
    scores = {"cnn": np.eye(3)[[0, 1, 2, 2]], "pwm_scan": np.full((4, 3), 1 / 3)}
    table = evaluate.predictions_table(["a", "b", "c", "d"], y, scores, "multiclass", ["x", "y", "z"])
    assert table["true"].tolist() == ["x", "y", "z", "y"]
    assert table["cnn_predicted"].tolist() == ["x", "y", "z", "z"]
    evaluate.plot_performance(y, scores, "multiclass", ["x", "y", "z"], tmp_path / "p.png")
    history = pd.DataFrame({"epoch": [1, 2], "loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "best": [False, True]})
    evaluate.plot_history(history, tmp_path / "h.png")
    evaluate.plot_performance(np.arange(5.0), {"cnn": np.arange(5.0)}, "regression", ["v"], tmp_path / "r.png")
    for name in ("p.png", "h.png", "r.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
