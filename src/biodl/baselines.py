"""Simple baselines that every deep model is shown against, in the same metrics file."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from biodl.pwm import Motif, scan_max


def pwm_features(x: np.ndarray, motifs: Sequence[Motif]) -> np.ndarray:
    """``(N, n_motifs)`` best log-odds score of each motif per sequence, both strands."""
    return np.stack([scan_max(x, motif.pwm()) for motif in motifs], axis=1)


def fit_predict_linear(
    train_features: np.ndarray, train_y: np.ndarray, test_features: np.ndarray, task: str,
    seed: int = 1,
) -> np.ndarray:
    """Fit a standardised logistic (or ridge, for regression) model on the training split
    and return its test-split scores, shaped like a network's outputs."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if task == "regression":
        model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
        return model.fit(train_features, train_y).predict(test_features).reshape(len(test_features), -1)
    if task == "multiclass":
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))
        return model.fit(train_features, train_y).predict_proba(test_features)
    columns = []
    for j in range(train_y.shape[1]):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))
        columns.append(model.fit(train_features, train_y[:, j]).predict_proba(test_features)[:, 1])
    return np.stack(columns, axis=1)


def pwm_scan_baseline(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, task: str,
    motifs: Sequence[Motif], seed: int = 1,
) -> np.ndarray:
    """PWM scan baseline: best match score of each known motif per sequence, turned into
    test-split predictions by a linear model fitted on the training split."""
    return fit_predict_linear(pwm_features(x_train, motifs), y_train, pwm_features(x_test, motifs),
                              task, seed)


def nearest_neighbour(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, n_classes: int) -> np.ndarray:
    """1-nearest-neighbour (Euclidean) class of each test row, as one-hot scores."""
    from sklearn.neighbors import KNeighborsClassifier

    predicted = KNeighborsClassifier(n_neighbors=1).fit(train_x, train_y).predict(test_x)
    return np.eye(n_classes, dtype=np.float32)[predicted.astype(int)]


def pca_embedding(train_x: np.ndarray, all_x: np.ndarray, n_components: int, seed: int = 1) -> np.ndarray:
    """PCA fitted on the training rows only, applied to every row."""
    from sklearn.decomposition import PCA

    n_components = min(n_components, train_x.shape[0], train_x.shape[1])
    return PCA(n_components=n_components, random_state=seed).fit(train_x).transform(all_x)
