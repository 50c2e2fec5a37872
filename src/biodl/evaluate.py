"""Metrics, prediction tables and plots for held-out data.

Functions here take arrays of the test split only; nothing in this module trains or
tunes anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from biodl import io


def as_score_matrix(scores: np.ndarray) -> np.ndarray:
    """Scores as ``(N, K)``: one column per output (per class for multiclass)."""
    scores = np.asarray(scores, dtype=np.float64)
    return scores.reshape(len(scores), -1)


def _label_matrix(y: np.ndarray, task: str, n_outputs: int) -> np.ndarray:
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
    onehot = _label_matrix(y_true, task, scores.shape[1])
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


def plot_latent(z: np.ndarray, labels: Sequence[str], path: io.PathLike, title: str) -> None:
    """Latent space coloured by label: the first two dimensions, and a 2D PCA projection."""
    plt = pyplot()
    from sklearn.decomposition import PCA

    labels = np.asarray(labels)
    projected = PCA(n_components=2).fit_transform(z) if z.shape[1] > 2 else z
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for ax, values, name in ((axes[0], z[:, :2], "latent dims 1-2"), (axes[1], projected, "PCA of the latent")):
        for k, label in enumerate(sorted(set(labels))):
            chosen = labels == label
            ax.scatter(values[chosen, 0], values[chosen, 1] if values.shape[1] > 1 else 0 * values[chosen, 0],
                       s=8, alpha=0.7, color=f"C{k}", label=label)
        ax.set_title(f"{title}: {name}", fontsize=9)
        ax.legend(fontsize=7, markerscale=2)
    save_figure(fig, path)


def plot_reconstruction(errors: pd.DataFrame, path: io.PathLike) -> None:
    """Test-split reconstruction error per omic and model (bars: mean over seeds)."""
    plt = pyplot()

    pivot = errors.groupby(["omic", "model"])["error"].mean().unstack("model")
    fig, ax = plt.subplots(figsize=(2 + 1.5 * len(pivot), 3.8))
    pivot.plot.bar(ax=ax, rot=0)
    ax.set(ylabel="reconstruction loss (test)", title="Reconstruction error per omic")
    ax.legend(fontsize=7)
    save_figure(fig, path)


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


def plot_performance(
    y_true: np.ndarray, scores: Mapping[str, np.ndarray], task: str, names: Sequence[str],
    path: io.PathLike,
) -> None:
    """One PNG comparing models on the test split.

    Classification: ROC and precision-recall curves, one line per model and output.
    Regression: predicted against observed values, one panel per model.
    """
    plt = pyplot()
    from sklearn.metrics import precision_recall_curve, roc_curve

    if task == "regression":
        truth = np.asarray(y_true).reshape(len(y_true), -1)
        fig, axes = plt.subplots(1, len(scores), figsize=(4.5 * len(scores), 4.2), squeeze=False)
        for ax, (model_name, values) in zip(axes[0], scores.items()):
            values = as_score_matrix(values)
            for j, name in enumerate(names):
                ax.scatter(truth[:, j], values[:, j], s=4, alpha=0.5, color=f"C{j}", label=name)
            ax.set(xlabel="observed", ylabel="predicted", title=f"{model_name}, test split")
            ax.legend(fontsize=7)
        save_figure(fig, path)
        return
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(10, 4.8))
    for style, (model_name, values) in zip(("-", "--", ":", "-."), scores.items()):
        values = as_score_matrix(values)
        onehot = _label_matrix(y_true, task, values.shape[1])
        for j, name in enumerate(names):
            label = model_name if len(names) == 1 else f"{model_name}: {name}"
            fpr, tpr, _ = roc_curve(onehot[:, j], values[:, j])
            roc_ax.plot(fpr, tpr, style, color=f"C{j}", label=label)
            precision, recall, _ = precision_recall_curve(onehot[:, j], values[:, j])
            pr_ax.plot(recall, precision, style, color=f"C{j}", label=label)
    roc_ax.plot([0, 1], [0, 1], color="grey", lw=0.5)
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC, test split")
    pr_ax.set(xlabel="recall", ylabel="precision", title="Precision-recall, test split")
    roc_ax.legend(fontsize=7, loc="lower right")
    pr_ax.legend(fontsize=7, loc="lower left")
    save_figure(fig, path)


def plot_confusion(y_true: np.ndarray, y_pred: np.ndarray, names: Sequence[str], path: io.PathLike,
                   title: str = "Confusion matrix, test split") -> None:
    """Counts of true (rows) against predicted (columns) classes."""
    plt = pyplot()
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(y_true, y_pred, labels=range(len(names)))
    fig, ax = plt.subplots(figsize=(1.2 + 0.6 * len(names), 1 + 0.6 * len(names)))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center",
                color="white" if count > matrix.max() / 2 else "black", fontsize=8)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    save_figure(fig, path)


def plot_history(history: pd.DataFrame, path: io.PathLike) -> None:
    """Training and validation curves per epoch, best epoch marked."""
    plt = pyplot()

    metrics = [c for c in history.columns if c not in ("epoch", "best") and not c.startswith("val_")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.5), squeeze=False)
    best = history.loc[history["best"].astype(bool), "epoch"] if "best" in history else []
    for ax, metric in zip(axes[0], metrics):
        ax.plot(history["epoch"], history[metric], label="train")
        if f"val_{metric}" in history:
            ax.plot(history["epoch"], history[f"val_{metric}"], label="validation")
        for epoch in best:
            ax.axvline(epoch, color="grey", ls=":", lw=1)
        ax.set(xlabel="epoch", ylabel=metric)
        ax.legend(fontsize=8)
    save_figure(fig, path)


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (no screen on clusters or CI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: io.PathLike, dpi: int = 120) -> None:
    """Lay out, write atomically as PNG and close a matplotlib figure."""
    plt = pyplot()

    fig.tight_layout()
    with io.atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=dpi)
    plt.close(fig)
