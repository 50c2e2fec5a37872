"""ISM throughput against plain batched predict for the same model; prints one JSON line.

ratio = (ISM mutants scored per second) / (sequences per second of model.predict), one
ratio per pair of calls made one after the other; the median and the best pair. ISM is
biodl's default, fast ISM (biodl.interpret.fast_ism); ``max_abs_difference_to_plain``
compares its values with plain ISM's (every mutant through the whole network).
"""

import numpy as np
from _timing import emit, load_average, time_calls

from biodl import training

training.configure(seed=0)

from biodl.data.dna import one_hot_encode  # noqa: E402
from biodl.interpret.attribution import ism  # noqa: E402
from biodl.models.cnn1d import build_cnn1d  # noqa: E402

LENGTH, N_ISM, BATCH, REPEATS = 200, 48, 1024, 5


def main() -> None:
    load = load_average()
    rng = np.random.default_rng(0)
    model = build_cnn1d((LENGTH, 4), 3, "multiclass", filters=[64], kernel_sizes=[19], pool_sizes=[1],
                        dense_units=[32])
    x = one_hot_encode(["".join(rng.choice(list("ACGT"), LENGTH)) for _ in range(N_ISM)])
    n_mutants = N_ISM * LENGTH * 3
    x_predict = np.repeat(x, LENGTH * 3, axis=0).astype(np.float32)
    run_ism = lambda: ism(model, x, output=1, batch_size=BATCH)  # noqa: E731
    run_predict = lambda: model.predict(x_predict, batch_size=BATCH, verbose=0)  # noqa: E731
    run_ism(), run_predict()  # tracing, thread pools
    # alternate the two, so each ratio compares calls made under the same machine load
    pairs = [np.concatenate([time_calls(run_ism, 1, warmup=0), time_calls(run_predict, 1, warmup=0)])
             for _ in range(REPEATS)]
    ism_s, predict_s = np.array(pairs).T
    ratios = (n_mutants / ism_s) / (len(x_predict) / predict_s)
    ism_rate, predict_rate = n_mutants / float(np.median(ism_s)), len(x_predict) / float(np.median(predict_s))
    difference = float(np.abs(run_ism() - ism(model, x, output=1, batch_size=BATCH, fast=False)).max())
    emit("ism", "ISM/predict ratio", float(np.median(ratios)), float(ratios.max()), REPEATS, load,
         length=LENGTH, sequences=N_ISM, mutants=n_mutants, ism_mutants_per_s=round(ism_rate),
         predict_seqs_per_s=round(predict_rate), max_abs_difference_to_plain=difference)


if __name__ == "__main__":
    main()
