"""Dynamic time warping distances with a Sakoe-Chiba band, for the 1-NN DTW baseline.

One numba kernel (:func:`dtw_distances`) fills a distance matrix in parallel over the rows
of its first argument. Multivariate series use dependent DTW: a cell's cost is the squared
Euclidean distance between the two time points over all channels.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _dtw(a: np.ndarray, b: np.ndarray, band: int) -> float:
    length = a.shape[0]
    previous = np.full(length + 1, np.inf)
    current = np.full(length + 1, np.inf)
    previous[0] = 0.0
    for i in range(1, length + 1):
        current[:] = np.inf
        for j in range(max(1, i - band), min(length, i + band) + 1):
            cost = 0.0
            for c in range(a.shape[1]):
                difference = a[i - 1, c] - b[j - 1, c]
                cost += difference * difference
            current[j] = cost + min(previous[j], previous[j - 1], current[j - 1])
        previous, current = current, previous
    return np.sqrt(previous[length])


@numba.njit(cache=True, parallel=True)
def _dtw_matrix(a: np.ndarray, b: np.ndarray, band: int) -> np.ndarray:
    out = np.empty((a.shape[0], b.shape[0]))
    for i in numba.prange(a.shape[0]):
        for j in range(b.shape[0]):
            out[i, j] = _dtw(a[i], b[j], band)
    return out


def dtw_distances(a: np.ndarray, b: np.ndarray, window: float) -> np.ndarray:
    """DTW distance between every series of ``a`` and every series of ``b``.

    Parameters
    ----------
    a, b
        ``(N, T)`` or ``(N, T, C)`` series of one length ``T``.
    window
        Sakoe-Chiba band as a fraction of ``T`` (0: Euclidean distance; 1: unconstrained).

    Returns
    -------
    numpy.ndarray
        ``(len(a), len(b))`` distances.
    """
    a, b = (np.ascontiguousarray(x if x.ndim == 3 else x[:, :, None], dtype=np.float64) for x in (a, b))
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(f"series shapes differ: {a.shape[1:]} and {b.shape[1:]} (time points, channels)")
    if not 0 <= window <= 1:
        raise ValueError(f"window must be a fraction of the length in [0, 1], got {window}")
    return _dtw_matrix(a, b, int(round(window * a.shape[1])))
