"""MiniRocket (Dempster, Schmidt & Webb, KDD 2021): a fixed set of convolution kernels whose
proportions of positive values (PPV) feed a ridge classifier, the strong, fast baseline of
time-series classification.

The transform is written here in numba rather than taken from pyts, whose ``ROCKET`` draws
10,000 random kernels (two features each) and is several times slower for the same accuracy;
sktime's MiniRocket would add a large dependency for one transform.

What makes it MiniRocket:

- 84 kernels of length 9, weights -1 with 2 at three of the nine positions (every choice of
  three), so the kernels are fixed and a fitted transform depends on the data only through
  its biases;
- dilations spaced exponentially from 1 up to ``(T - 1) / 8``, at most
  :data:`MAX_DILATIONS`, features shared out among them;
- each bias a quantile of one kernel's output on one randomly chosen training series, the
  quantiles a low-discrepancy sequence (fractional parts of multiples of the golden ratio);
- zero padding for every other kernel-dilation pair, the rest scored only where the kernel
  fits;
- multivariate series (``C > 1``): each kernel-dilation pair sums its convolutions over a
  random subset of 1 to 9 channels.

:func:`fit_minirocket` returns a :class:`MiniRocket` whose :meth:`~MiniRocket.transform`
gives ``(N, n_features)`` PPV features; :func:`minirocket_ridge` is the baseline.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numba
import numpy as np

KERNEL_LENGTH = 9
KERNELS = np.array(list(itertools.combinations(range(KERNEL_LENGTH), 3)), dtype=np.int64)
"""``(84, 3)``: the positions of weight 2 in each kernel (the other six weigh -1)."""
N_FEATURES = 10_000
"""Features asked for; the transform gives the largest multiple of 84 not above it."""
MAX_DILATIONS = 32
"""Most dilations per kernel."""
MAX_CHANNELS = 9
"""Most channels a kernel-dilation pair sums over (multivariate series)."""
RIDGE_ALPHAS = np.logspace(-3, 3, 10)
"""Regularisation strengths the ridge classifier chooses among by leave-one-out CV."""


@dataclass(frozen=True)
class MiniRocket:
    """A fitted MiniRocket transform.

    Attributes
    ----------
    length, channels
        The series shape it was fitted on.
    dilations, features_per_dilation
        ``(D,)`` each dilation and how many features (biases) each kernel gets at it.
    biases
        ``(n_features,)`` in the order of the features: dilation, then kernel, then bias.
    channel_counts, channel_indices
        ``(D * 84,)`` how many channels each kernel-dilation pair sums over, and their
        indices, concatenated in the same order.
    """

    length: int
    channels: int
    dilations: np.ndarray
    features_per_dilation: np.ndarray
    biases: np.ndarray
    channel_counts: np.ndarray
    channel_indices: np.ndarray

    @property
    def n_features(self) -> int:
        return int(self.biases.size)

    def transform(self, x: np.ndarray) -> np.ndarray:
        """``(N, T, C)`` series -> ``(N, n_features)`` float32 PPV features (in parallel
        over series).

        Raises
        ------
        ValueError
            When the series' length or channels differ from those it was fitted on.
        """
        x = _checked(x)
        if x.shape[1:] != (self.length, self.channels):
            raise ValueError(f"MiniRocket was fitted on series of shape (T, C) = ({self.length}, {self.channels}), "
                             f"got {x.shape[1:]}")
        starts = np.concatenate([[0], np.cumsum(self.channel_counts)[:-1]]).astype(np.int64)
        return _transform(x, self.dilations, self.features_per_dilation, self.biases, starts,
                          self.channel_counts, self.channel_indices)


def _checked(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[1] < 1 or x.shape[2] < 1:
        raise ValueError(f"MiniRocket needs (N, T, C) series, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("MiniRocket needs finite series (fill missing values first)")
    return np.ascontiguousarray(x, dtype=np.float32)


def dilations_for(length: int, n_features: int = N_FEATURES, max_dilations: int = MAX_DILATIONS
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The dilations (exponentially spaced from 1 to ``(length - 1) / 8``) and the number of
    features each kernel gets at each, summing to ``n_features // 84`` per kernel."""
    per_kernel = max(1, n_features // len(KERNELS))
    n_dilations = min(per_kernel, max_dilations)
    largest = np.log2(max(length - 1, 1) / (KERNEL_LENGTH - 1))
    dilations, counts = np.unique(np.floor(np.logspace(0, max(largest, 0.0), n_dilations, base=2)).astype(np.int64),
                                  return_counts=True)
    per_dilation = (counts * per_kernel / n_dilations).astype(np.int64)
    for i in range(per_kernel - int(per_dilation.sum())):
        per_dilation[i % len(per_dilation)] += 1
    return dilations, per_dilation


def bias_quantiles(n: int) -> np.ndarray:
    """The first ``n`` terms of the low-discrepancy sequence ``(k * golden ratio) mod 1``."""
    return (np.arange(1, n + 1) * ((np.sqrt(5.0) + 1) / 2)) % 1


def fit_minirocket(x: np.ndarray, n_features: int = N_FEATURES, max_dilations: int = MAX_DILATIONS,
                   seed: int = 0) -> MiniRocket:
    """Fit MiniRocket's biases (and, for several channels, its channel subsets) on training
    series.

    Parameters
    ----------
    x
        ``(N, T, C)`` training series, finite.
    n_features
        Features asked for (rounded down to a multiple of 84).
    max_dilations
        Most dilations per kernel.
    seed
        Seeds the series each bias is drawn from and the channel subsets.
    """
    x = _checked(x)
    n, length, channels = x.shape
    dilations, per_dilation = dilations_for(length, n_features, max_dilations)
    rng = np.random.default_rng(seed)
    pairs = len(dilations) * len(KERNELS)
    most = min(channels, MAX_CHANNELS)
    counts = np.floor(2 ** rng.uniform(0, np.log2(most + 1), size=pairs)).astype(np.int64)
    indices = np.concatenate([rng.choice(channels, count, replace=False) for count in counts]).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    quantiles = bias_quantiles(int(per_dilation.sum()) * len(KERNELS))
    examples = rng.integers(0, n, size=pairs)
    biases, feature = [], 0
    for pair in range(pairs):
        n_biases = per_dilation[pair // len(KERNELS)]
        output = _pair_output(x[examples[pair]], dilations[pair // len(KERNELS)], pair % len(KERNELS),
                              indices[starts[pair]:starts[pair] + counts[pair]])
        biases.append(np.quantile(output, quantiles[feature:feature + n_biases]))
        feature += n_biases
    return MiniRocket(length, channels, dilations, per_dilation, np.concatenate(biases).astype(np.float32),
                      counts, indices)


@numba.njit(cache=True, nogil=True)
def _shift(series: np.ndarray, dilation: int, shifted: np.ndarray, negated_sum: np.ndarray) -> None:
    """Fill ``shifted[c, j]`` with channel ``c`` of a ``(T, C)`` series read ``(j - 4) * dilation``
    points ahead (zero outside it), and ``negated_sum[c]`` with minus their sum over ``j``."""
    length, channels = series.shape
    centre = KERNEL_LENGTH // 2
    shifted[:] = 0
    for c in range(channels):
        for j in range(KERNEL_LENGTH):
            shift = (j - centre) * dilation
            for t in range(max(0, -shift), min(length, length - shift)):
                shifted[c, j, t] = series[t + shift, c]
        for t in range(length):
            total = np.float32(0.0)
            for j in range(KERNEL_LENGTH):
                total += shifted[c, j, t]
            negated_sum[c, t] = -total


@numba.njit(cache=True, nogil=True)
def _kernel_output(shifted: np.ndarray, negated_sum: np.ndarray, kernel: int, channels: np.ndarray,
                   output: np.ndarray) -> None:
    """One kernel's zero-padded output, summed over ``channels``, into ``output``: minus the
    nine shifted inputs plus three times the three it weighs 2 (:func:`_shift`)."""
    output[:] = 0
    for c in channels:
        for t in range(output.size):
            output[t] += negated_sum[c, t]
        for p in range(3):
            j = KERNELS[kernel, p]
            for t in range(output.size):
                output[t] += 3 * shifted[c, j, t]


@numba.njit(cache=True, nogil=True)
def _pair_output(series: np.ndarray, dilation: int, kernel: int, channels: np.ndarray) -> np.ndarray:
    """One kernel's zero-padded output at one dilation on one ``(T, C)`` series, summed over
    ``channels``: what its biases are quantiles of."""
    length = series.shape[0]
    shifted = np.zeros((series.shape[1], KERNEL_LENGTH, length), dtype=np.float32)
    negated_sum = np.empty((series.shape[1], length), dtype=np.float32)
    output = np.empty(length, dtype=np.float32)
    _shift(series, dilation, shifted, negated_sum)
    _kernel_output(shifted, negated_sum, kernel, channels, output)
    return output


@numba.njit(cache=True, parallel=True)
def _transform(x, dilations, per_dilation, biases, starts, counts, indices):
    n, length, channels = x.shape
    n_kernels = KERNELS.shape[0]
    features = np.empty((n, biases.size), dtype=np.float32)
    for i in numba.prange(n):
        shifted = np.zeros((channels, KERNEL_LENGTH, length), dtype=np.float32)
        negated_sum = np.empty((channels, length), dtype=np.float32)
        output = np.empty(length, dtype=np.float32)
        feature = 0
        for d in range(dilations.size):
            padding = (KERNEL_LENGTH - 1) * dilations[d] // 2
            _shift(x[i], dilations[d], shifted, negated_sum)
            for k in range(n_kernels):
                pair = d * n_kernels + k
                _kernel_output(shifted, negated_sum, k, indices[starts[pair]:starts[pair] + counts[pair]], output)
                first, last = (0, length) if (d + k) % 2 == 0 else (padding, length - padding)
                if last <= first:
                    first, last = 0, length
                for b in range(per_dilation[d]):
                    bias = biases[feature]
                    positive = 0
                    for t in range(first, last):
                        if output[t] > bias:
                            positive += 1
                    features[i, feature] = positive / (last - first)
                    feature += 1
    return features


def minirocket_ridge(x_fit: np.ndarray, y_fit: np.ndarray, x_score: np.ndarray, n_classes: int, seed: int = 0
                     ) -> tuple[np.ndarray, dict]:
    """The MiniRocket baseline: fit the transform on ``x_fit``, a standardised ridge
    classifier on its features with the strength chosen among :data:`RIDGE_ALPHAS` by
    leave-one-out cross-validation, and score ``x_score``.

    Returns
    -------
    scores, chosen
        ``(N_score, n_classes)`` softmax of the ridge decision values (columns of classes
        absent from ``y_fit`` stay 0), and ``{"minirocket_alpha": alpha}``.
    """
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    transform = fit_minirocket(x_fit, seed=seed)
    model = make_pipeline(StandardScaler(), RidgeClassifierCV(alphas=RIDGE_ALPHAS))
    model.fit(transform.transform(x_fit), y_fit)
    decision = model.decision_function(transform.transform(x_score))
    if decision.ndim == 1:
        decision = np.stack([-decision, decision], axis=1)
    decision = decision - decision.max(axis=1, keepdims=True)
    probabilities = np.exp(decision) / np.exp(decision).sum(axis=1, keepdims=True)
    scores = np.zeros((len(x_score), n_classes))
    scores[:, model.classes_] = probabilities
    return scores, {"minirocket_alpha": float(model[-1].alpha_)}
