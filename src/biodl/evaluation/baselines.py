"""Simple baselines that every deep model is shown against, in the same metrics file."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

from biodl.data.pwm import Motif, scan_max
from biodl.evaluation.dtw import dtw_distances
from biodl.evaluation.metrics import compute_metrics
from biodl.io.arrays import StoredRows, row_chunks

log = logging.getLogger(__name__)


FEATURE_CHUNK = 4096
"""Baseline features are computed this many sequences at a time (bounded memory; inputs
on disk are read once)."""


def pwm_features(x: np.ndarray | StoredRows, motifs: Sequence[Motif]) -> np.ndarray:
    """``(N, n_motifs)`` best log-odds score of each motif per sequence, both strands."""
    pwms = [motif.pwm() for motif in motifs]
    chunks = [np.stack([scan_max(chunk, pwm) for pwm in pwms], axis=1) for chunk in row_chunks(x, FEATURE_CHUNK)]
    return np.concatenate(chunks) if chunks else np.zeros((0, len(pwms)), dtype=np.float32)


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


KMER_SIZES = (2, 3, 4, 5, 6)
"""The k-mer lengths the k-mer baseline chooses among, on the validation split."""


def _canonical_index(k: int) -> tuple[np.ndarray, int]:
    """Column of every k-mer code (base 4, A=0 C=1 G=2 T=3) once merged with its reverse
    complement, and the number of merged columns."""
    codes = np.arange(4**k)
    digits = (codes[:, None] // 4 ** np.arange(k - 1, -1, -1)) % 4
    reverse = ((3 - digits[:, ::-1]) * 4 ** np.arange(k - 1, -1, -1)).sum(axis=1)
    _, column = np.unique(np.minimum(codes, reverse), return_inverse=True)
    return column, int(column.max()) + 1


def kmer_frequencies(x: np.ndarray | StoredRows, k: int) -> np.ndarray:
    """``(N, n)`` frequency of each k-mer per one-hot sequence, a k-mer counted together
    with its reverse complement (so both strands score alike); k-mers with N are skipped."""
    chunks = [_kmer_frequencies(chunk, k) for chunk in row_chunks(x, FEATURE_CHUNK)]
    return np.concatenate(chunks) if chunks else np.zeros((0, _canonical_index(k)[1]), dtype=np.float32)


def _kmer_frequencies(x: np.ndarray, k: int) -> np.ndarray:
    bases = x.argmax(axis=-1)
    valid = x.max(axis=-1) == 1
    n, length = bases.shape
    if length < k:
        raise ValueError(f"k-mers of {k} bp need sequences of at least {k} bp, got {length}")
    code = np.zeros((n, length - k + 1), dtype=np.int64)
    complete = np.ones((n, length - k + 1), dtype=bool)
    for i in range(k):
        code = code * 4 + bases[:, i:length - k + 1 + i]
        complete &= valid[:, i:length - k + 1 + i]
    column, n_columns = _canonical_index(k)
    rows = np.broadcast_to(np.arange(n)[:, None], code.shape)
    counts = np.bincount((rows * n_columns + column[code])[complete], minlength=n * n_columns)
    counts = counts.reshape(n, n_columns).astype(np.float32)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)


def kmer_baseline(
    train: tuple[np.ndarray, np.ndarray], val: tuple[np.ndarray, np.ndarray], x_test: np.ndarray, task: str,
    names: Sequence[str], sizes: Sequence[int] = KMER_SIZES, seed: int = 1,
) -> tuple[np.ndarray, int]:
    """k-mer spectrum baseline: a linear model of k-mer frequencies
    (:func:`kmer_frequencies`) fitted on the training split, with k chosen among ``sizes``
    by validation AUROC (Pearson r for regression). No validation rows: k = 4.

    Returns
    -------
    scores, k
        Test-split scores, shaped like a network's outputs, and the chosen k.
    """

    (x_train, y_train), (x_val, y_val) = train, val
    best_k, best = 4, -np.inf
    if len(x_val):
        for k in sizes:
            scores = fit_predict_linear(kmer_frequencies(x_train, k), y_train, kmer_frequencies(x_val, k), task, seed)
            value = compute_metrics(y_val, scores, task, names)["pearson" if task == "regression" else "auroc"]
            if value > best:
                best_k, best = k, value
    test_scores = fit_predict_linear(kmer_frequencies(x_train, best_k), y_train, kmer_frequencies(x_test, best_k),
                                     task, seed)
    return test_scores, best_k


def nearest_neighbour(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, n_classes: int) -> np.ndarray:
    """1-nearest-neighbour (Euclidean) class of each test row, as one-hot scores."""
    from sklearn.neighbors import KNeighborsClassifier

    predicted = KNeighborsClassifier(n_neighbors=1).fit(train_x, train_y).predict(test_x)
    return np.eye(n_classes, dtype=np.float32)[predicted.astype(int)]


DTW_WINDOWS = (0.0, 0.05, 0.1, 0.2)
"""Sakoe-Chiba bands (fractions of the length) the 1-NN DTW baseline chooses from by
leave-one-out accuracy on the training series, as in the UCR archive's DTW (learned window)."""


def dtw_nearest_neighbour(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, n_classes: int,
    windows: Sequence[float] = DTW_WINDOWS, train_distances: Mapping[float, np.ndarray] | None = None,
) -> tuple[np.ndarray, float]:
    """1-nearest-neighbour under dynamic time warping, its band chosen on the training
    series (leave-one-out 1-NN accuracy; ties go to the narrower band).

    Parameters
    ----------
    train_x, test_x
        ``(N, T)`` or ``(N, T, C)`` series (dependent DTW over the channels).
    train_y
        Class index of each training series.
    n_classes
        Classes in all.
    windows
        Candidate bands (fractions of ``T``).
    train_distances
        The training series' distances to each other per band, where a caller has them
        (:func:`biodl.evaluation.dtw.dtw_distances`); computed otherwise.

    Returns
    -------
    scores, window
        One-hot ``(len(test_x), n_classes)`` predictions, and the band chosen.
    """

    best_accuracy, best_window = -1.0, windows[0]
    for window in windows:
        distances = (dtw_distances(train_x, train_x, window) if train_distances is None
                     else np.array(train_distances[window], dtype=np.float64))
        np.fill_diagonal(distances, np.inf)
        accuracy = float(np.mean(train_y[distances.argmin(axis=1)] == train_y))
        if accuracy > best_accuracy:
            best_accuracy, best_window = accuracy, window
    nearest = dtw_distances(test_x, train_x, best_window).argmin(axis=1)
    return np.eye(n_classes, dtype=np.float32)[train_y[nearest].astype(int)], best_window


WEASEL_WINDOWS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
"""Window sizes (fractions of the length) of the WEASEL baseline's words."""
WEASEL_WORD_SIZE = 4
"""Fourier coefficients per WEASEL word (fewer for series shorter than that)."""


def weasel_windows(length: int, word_size: int = WEASEL_WORD_SIZE) -> tuple[int, list[int]]:
    """The word size and window sizes (in points) of :data:`WEASEL_WINDOWS` for series of
    ``length``: each window longer than the word (pyts drops each window's mean, its first
    Fourier coefficient) and at most the length, so that short series (24 points: 10 % is 3
    points, under the 4 of a word) still get words."""
    if length < 2:
        raise ValueError(f"WEASEL needs series of at least 2 points, got {length}")
    word = min(word_size, length - 1)
    return word, sorted({min(length, max(word + 1, int(np.ceil(f * length)))) for f in WEASEL_WINDOWS})


def weasel_logistic(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, n_classes: int, seed: int = 1,
) -> np.ndarray:
    """WEASEL bag-of-words features (pyts; word size 4, 4 bins, windows of
    :data:`WEASEL_WINDOWS` fitted to the length by :func:`weasel_windows`; one bag per
    channel) and a logistic regression on them, fitted on the training series; test-set
    class probabilities ``(len(test_x), n_classes)``.

    pyts bins each Fourier coefficient by information gain; with too few series for that
    it raises, and the bins are then cut at quantiles instead (logged)."""
    from pyts.transformation import WEASEL
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    train_x, test_x = (x if x.ndim == 3 else x[:, :, None] for x in (train_x, test_x))
    word, windows = weasel_windows(train_x.shape[1])
    train_features, test_features = [], []
    for channel in range(train_x.shape[2]):
        for strategy in ("entropy", "quantile"):
            weasel = WEASEL(word_size=word, n_bins=4, window_sizes=windows, strategy=strategy, sparse=True)
            try:
                train_features.append(weasel.fit_transform(train_x[:, :, channel], train_y))
                break
            except ValueError as err:
                if strategy == "quantile":
                    raise
                log.info("WEASEL on %d series: %s; bins at quantiles instead", len(train_x), err)
        test_features.append(weasel.transform(test_x[:, :, channel]))
    features = sparse.hstack(train_features).tocsr()
    if features.shape[1] == 0:
        raise ValueError(f"WEASEL kept no word of these {train_x.shape[1]}-point series (none passes its chi2 "
                         "filter): nothing to fit")
    classifier = LogisticRegression(max_iter=5000, random_state=seed)
    classifier.fit(features, train_y)
    probabilities = np.zeros((len(test_x), n_classes), dtype=np.float32)
    probabilities[:, classifier.classes_.astype(int)] = classifier.predict_proba(sparse.hstack(test_features).tocsr())
    return probabilities


def pca_embedding(
    train_x: np.ndarray, all_x: np.ndarray, n_components: int, seed: int = 1,
    train_observed: np.ndarray | None = None, all_observed: np.ndarray | None = None,
) -> np.ndarray:
    """PCA fitted on the training rows only, applied to every row.

    Parameters
    ----------
    train_x, all_x
        Rows to fit on, and rows to project.
    n_components
        Components (at most the training rows and the features).
    seed
        Seeds the solver.
    train_observed, all_observed
        ``(rows, features)`` booleans: False where a row lacks the feature (an omic missing
        for that sample, stored as zeros). PCA is then fitted on the complete training rows
        (all of them when fewer than ``n_components + 1`` are complete), and a row lacking
        features is projected from those it has: the least-squares latent of its observed
        features on the components' loadings, instead of reading its zeros as values.
    """
    from sklearn.decomposition import PCA

    fit_rows = train_x
    if train_observed is not None:
        complete = np.asarray(train_observed, dtype=bool).all(axis=1)
        if complete.sum() > n_components:
            fit_rows = train_x[complete]
    n_components = min(n_components, fit_rows.shape[0], fit_rows.shape[1])
    pca = PCA(n_components=n_components, random_state=seed).fit(fit_rows)
    z = pca.transform(all_x)
    if all_observed is None:
        return z
    observed = np.asarray(all_observed, dtype=bool)
    partial = ~observed.all(axis=1)
    patterns, which = np.unique(observed[partial], axis=0, return_inverse=True)
    rows = np.flatnonzero(partial)
    for k, pattern in enumerate(patterns):
        members = rows[which.ravel() == k]
        loadings = pca.components_[:, pattern]  # (components, observed features)
        centred = all_x[np.ix_(members, np.flatnonzero(pattern))] - pca.mean_[pattern]
        z[members] = np.linalg.lstsq(loadings.T, centred.T, rcond=None)[0].T
    return z
