"""Metrics and prediction tables for held-out data, and their summary over seeds.

Functions here take arrays of the test split only; nothing in this module trains or
tunes anything. Pictures are in :mod:`biodl.evaluation.plots`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from biodl.io.files import PathLike, write_json
from biodl.training import predict, runtime


def as_score_matrix(scores: np.ndarray) -> np.ndarray:
    """Scores as ``(N, K)``: one column per output (per class for multiclass)."""
    scores = np.asarray(scores, dtype=np.float64)
    return scores.reshape(len(scores), -1)


def label_matrix(y: np.ndarray, task: str, n_outputs: int) -> np.ndarray:
    """Targets as a 0/1 ``(N, K)`` matrix (one column per class for multiclass)."""
    if task == "multiclass":
        return np.eye(n_outputs, dtype=int)[np.asarray(y, dtype=int)]
    return np.asarray(y).reshape(len(y), -1)


def classification_metrics(
    y_true: np.ndarray, scores: np.ndarray, task: str, names: Sequence[str]
) -> dict:
    """AUROC, AUPRC, accuracy and F1 for binary, multi-class or multi-label outputs.

    Multi-class: AUROC and AUPRC are one-vs-rest macro averages, accuracy uses the
    arg-max class and F1 is macro. Multi-label and binary: threshold 0.5; multi-label
    figures are macro averages, with per-label values under ``per_output``.
    """
    from sklearn import metrics as skm

    scores = as_score_matrix(scores)
    onehot = label_matrix(y_true, task, scores.shape[1])
    per_output = {}
    for j, name in enumerate(names):
        per_output[name] = {
            "auroc": float(skm.roc_auc_score(onehot[:, j], scores[:, j])),
            "auprc": float(skm.average_precision_score(onehot[:, j], scores[:, j])),
        }
    result = {
        "auroc": float(np.mean([m["auroc"] for m in per_output.values()])),
        "auprc": float(np.mean([m["auprc"] for m in per_output.values()])),
    }
    if task == "multiclass":
        predicted = scores.argmax(axis=1)
        truth = np.asarray(y_true, dtype=int)
        result["accuracy"] = float(skm.accuracy_score(truth, predicted))
        result["f1"] = float(skm.f1_score(truth, predicted, average="macro"))
    else:
        predicted = (scores >= 0.5).astype(int)
        result["accuracy"] = float(np.mean(predicted == onehot))
        result["f1"] = float(np.mean([skm.f1_score(onehot[:, j], predicted[:, j], zero_division=0)
                                      for j in range(onehot.shape[1])]))
    if len(names) > 1:
        result["per_output"] = per_output
    result["n"] = int(len(scores))
    return result


def regression_metrics(y_true: np.ndarray, predicted: np.ndarray, names: Sequence[str]) -> dict:
    """R2, Pearson and Spearman correlation, averaged over outputs (per output too)."""
    from scipy import stats
    from sklearn.metrics import r2_score

    y_true = np.asarray(y_true, dtype=np.float64).reshape(len(y_true), -1)
    predicted = np.asarray(predicted, dtype=np.float64).reshape(len(predicted), -1)
    per_output = {
        name: {
            "r2": float(r2_score(y_true[:, j], predicted[:, j])),
            "pearson": float(stats.pearsonr(y_true[:, j], predicted[:, j])[0]),
            "spearman": float(stats.spearmanr(y_true[:, j], predicted[:, j])[0]),
        }
        for j, name in enumerate(names)
    }
    result = {key: float(np.mean([m[key] for m in per_output.values()]))
              for key in ("r2", "pearson", "spearman")}
    if len(names) > 1:
        result["per_output"] = per_output
    result["n"] = int(len(y_true))
    return result


def compute_metrics(y_true: np.ndarray, scores: np.ndarray, task: str, names: Sequence[str]) -> dict:
    """Classification or regression metrics, as the task says."""
    if task == "regression":
        return regression_metrics(y_true, scores, names)
    return classification_metrics(y_true, scores, task, names)


def embedding_metrics(
    train_z: np.ndarray, train_y: np.ndarray, test_z: np.ndarray, test_y: np.ndarray, n_classes: int,
    seed: int = 1,
) -> dict:
    """How much of the labels an embedding keeps, judged on the test split only.

    A logistic regression fitted on the training embeddings gives balanced accuracy and
    macro-F1 on the test embeddings; k-means with k = number of classes on the test
    embeddings gives the adjusted Rand index and normalised mutual information.
    """
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import adjusted_rand_score, balanced_accuracy_score, f1_score, normalized_mutual_info_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    predicted = classifier.fit(train_z, train_y).predict(test_z)
    clusters = KMeans(n_clusters=n_classes, n_init=10, random_state=seed).fit_predict(test_z)
    return {
        "balanced_accuracy": float(balanced_accuracy_score(test_y, predicted)),
        "macro_f1": float(f1_score(test_y, predicted, average="macro")),
        "kmeans_ari": float(adjusted_rand_score(test_y, clusters)),
        "kmeans_nmi": float(normalized_mutual_info_score(test_y, clusters)),
        "n_test": int(len(test_y)),
    }


def predictions_table(
    ids: Sequence[str], y_true: np.ndarray, scores: Mapping[str, np.ndarray], task: str,
    names: Sequence[str],
) -> pd.DataFrame:
    """One row per sample: id, true value(s), then each model's score per output."""
    table = pd.DataFrame({"id": np.asarray(ids)})
    if task == "multiclass":
        table["true"] = [names[i] for i in np.asarray(y_true, dtype=int)]
    else:
        truth = np.asarray(y_true).reshape(len(y_true), -1)
        for j, name in enumerate(names):
            table[f"true_{name}"] = truth[:, j]
    for model_name, values in scores.items():
        values = as_score_matrix(values)
        for j, name in enumerate(names):
            table[f"{model_name}_{name}"] = values[:, j]
        if task == "multiclass":
            table[f"{model_name}_predicted"] = [names[i] for i in values.argmax(axis=1)]
    return table


def summarise_over_seeds(values: Sequence[float]) -> dict:
    """Mean and spread of one metric over seeds (or runs): ``mean``, ``std`` (the sample
    standard deviation, ddof = 1, as pandas and R compute it; ``None`` for a single value)
    and ``n``. Every report of spread over seeds uses this one function."""
    values = np.asarray(values, dtype=np.float64)
    std = float(values.std(ddof=1)) if values.size > 1 else None
    return {"mean": float(values.mean()), "std": std, "n": int(values.size)}


def write_metrics(path: PathLike, metrics: Mapping) -> None:
    """Write a ``metrics.json`` atomically, with the ``runtime`` (devices, precision,
    distribution strategy, replicas) that :func:`biodl.training.configure` set."""

    write_json(path, {**metrics, "runtime": runtime()})


def validation_metric(metric: str) -> Callable:
    """``validation_score`` of a supervised model: ``metric`` of its predictions on the
    validation samples (:func:`compute_metrics`)."""
    def validation_score(model, data) -> float:
        x, y = data.part("val")
        return compute_metrics(y, predict(model, x), data.task, data.names)[metric]

    return validation_score
