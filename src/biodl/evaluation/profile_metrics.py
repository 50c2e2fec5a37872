"""Held-out metrics of base-resolution profile models, as ChromBPNet reports them, and the
baselines they stand beside: count Pearson and Spearman (in peaks, and over peaks and
background), median per-window profile Pearson and Jensen-Shannon distance
(:func:`profile_metrics`); the average training profile (:func:`average_profile`) and a k-mer
ridge regression of the total count (:func:`kmer_count_baseline`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from biodl.evaluation.baselines import KMER_SIZES, fit_predict_linear, kmer_frequencies


def softmax_profiles(logits: np.ndarray) -> np.ndarray:
    """Per-track probabilities over positions of profile logits ``(N, length, tracks)``."""
    logits = np.asarray(logits, dtype=np.float64)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def jensen_shannon_distance(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen-Shannon distance (natural log, as ``scipy.spatial.distance.jensenshannon``
    and ChromBPNet's reports) between distributions over axis 1, for every other index."""
    p = p / p.sum(axis=1, keepdims=True)
    q = q / q.sum(axis=1, keepdims=True)
    m = (p + q) / 2

    def divergence(a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(a > 0, a * np.log(a / m), 0.0).sum(axis=1)

    return np.sqrt(np.maximum((divergence(p) + divergence(q)) / 2, 0.0))


def _rowwise_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r over axis 1 for every other index; NaN where either side is constant."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    denominator = np.sqrt((a**2).sum(axis=1) * (b**2).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, (a * b).sum(axis=1) / denominator, np.nan)


def _count_correlations(observed: np.ndarray, predicted: np.ndarray) -> dict:
    from scipy import stats

    if len(observed) < 3 or np.ptp(observed) == 0 or np.ptp(predicted) == 0:  # undefined: a constant side
        return {"pearson": float("nan"), "spearman": float("nan"), "n": len(observed)}
    return {"pearson": float(stats.pearsonr(observed, predicted)[0]),
            "spearman": float(stats.spearmanr(observed, predicted)[0]), "n": int(len(observed))}


def profile_metrics(
    observed: np.ndarray, profile: np.ndarray, log_count: np.ndarray, is_peak: np.ndarray,
    tracks: Sequence[str],
) -> dict:
    """Count and profile metrics of predictions on held-out windows.

    Parameters
    ----------
    observed
        Observed counts ``(N, length, tracks)``.
    profile
        Predicted profile probabilities ``(N, length, tracks)`` (any positive weights: they
        are normalised per window and track).
    log_count
        Predicted ``log(1 + total count)`` ``(N, tracks)``.
    is_peak
        Whether each window is a peak (else background).
    tracks
        Track names.

    Returns
    -------
    dict
        Per track: ``count_pearson_peaks``, ``count_spearman_peaks``, ``count_pearson_all``,
        ``count_spearman_all`` (observed ``log1p`` totals against ``log_count``),
        ``profile_pearson_median`` and ``profile_jsd_median`` over the peak windows with
        at least one count (``profile_windows`` of them); the same figures averaged over
        tracks at the top level, with ``n``, the number of windows.
    """
    observed = np.asarray(observed, dtype=np.float64)
    is_peak = np.asarray(is_peak, dtype=bool)
    totals = np.log1p(observed.sum(axis=1))
    per_track = {}
    for j, name in enumerate(tracks):
        peaks = _count_correlations(totals[is_peak, j], log_count[is_peak, j])
        everything = _count_correlations(totals[:, j], log_count[:, j])
        covered = is_peak & (observed[:, :, j].sum(axis=1) > 0)
        truth, predicted = observed[covered, :, j], np.asarray(profile, dtype=np.float64)[covered, :, j]
        per_track[name] = {
            "count_pearson_peaks": peaks["pearson"], "count_spearman_peaks": peaks["spearman"],
            "count_pearson_all": everything["pearson"], "count_spearman_all": everything["spearman"],
            "profile_pearson_median": float(np.nanmedian(_rowwise_pearson(truth, predicted))) if len(truth) else
            float("nan"),
            "profile_jsd_median": float(np.median(jensen_shannon_distance(truth, predicted))) if len(truth) else
            float("nan"),
            "peak_windows": int(is_peak.sum()), "windows": int(len(is_peak)), "profile_windows": int(covered.sum()),
        }
    figures = ("count_pearson_peaks", "count_spearman_peaks", "count_pearson_all", "count_spearman_all",
               "profile_pearson_median", "profile_jsd_median")
    summary = {key: float(np.mean([values[key] for values in per_track.values()])) for key in figures}
    return {**summary, "n": int(len(is_peak)), "per_track": per_track}


def average_profile(observed: np.ndarray, is_peak: np.ndarray) -> np.ndarray:
    """The mean normalised profile ``(length, tracks)`` of the peak windows with counts:
    every window's profile divided by its total first, so each window weighs the same."""
    observed = np.asarray(observed, dtype=np.float64)[np.asarray(is_peak, dtype=bool)]
    totals = observed.sum(axis=1, keepdims=True)
    shares = np.divide(observed, totals, out=np.zeros_like(observed), where=totals > 0)
    covered = (totals[:, 0] > 0).sum(axis=0)
    return shares.sum(axis=0) / np.maximum(covered, 1)


def kmer_count_baseline(
    train: tuple, val: tuple, test_inputs, sizes: Sequence[int] = KMER_SIZES, seed: int = 1,
) -> tuple[np.ndarray, int]:
    """Ridge regression of ``log(1 + total count)`` on k-mer frequencies of the input
    window (both strands counted together), k chosen by validation Pearson.

    Parameters
    ----------
    train, val
        ``(inputs, log_counts)``: one-hot inputs (an array, or anything sliced in chunks
        like :class:`biodl.data.profile_windows.CentredInputs`) and ``(N, tracks)`` targets.
    test_inputs
        Inputs of the held-out windows.

    Returns
    -------
    predictions, k
        Predicted log counts ``(N_test, tracks)`` and the chosen k.
    """
    (x_train, y_train), (x_val, y_val) = train, val
    best_k, best = sizes[len(sizes) // 2], -np.inf
    features = {}
    if len(x_val) >= 3:
        for k in sizes:
            features[k] = kmer_frequencies(x_train, k)
            predicted = fit_predict_linear(features[k], y_train, kmer_frequencies(x_val, k), "regression", seed)
            value = np.mean([np.corrcoef(y_val[:, j], predicted[:, j])[0, 1] for j in range(y_val.shape[1])])
            if value > best:
                best_k, best = k, value
    train_features = features.get(best_k)
    if train_features is None:
        train_features = kmer_frequencies(x_train, best_k)
    predictions = fit_predict_linear(train_features, y_train, kmer_frequencies(test_inputs, best_k), "regression",
                                     seed)
    return predictions, best_k
