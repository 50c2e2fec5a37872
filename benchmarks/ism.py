"""ISM throughput against plain batched predict for the same model; prints one JSON line.

ratio = (ISM mutants scored per second) / (sequences per second of model.predict).
"""

import json
import time

import numpy as np

from biodl import training

training.configure(seed=0)

from biodl.interpret.attribution import ism  # noqa: E402
from biodl.models.cnn1d import build_cnn1d  # noqa: E402
from biodl.dna import one_hot_encode  # noqa: E402

LENGTH, N_ISM, BATCH = 200, 48, 1024


def best_time(function, repeats=3):
    function()  # warm-up: tracing, thread pools
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    model = build_cnn1d((LENGTH, 4), 3, "multiclass", filters=[64], kernel_sizes=[19], pool_sizes=[1],
                        dense_units=[32])
    x = one_hot_encode(["".join(rng.choice(list("ACGT"), LENGTH)) for _ in range(N_ISM)])
    n_mutants = N_ISM * LENGTH * 3
    x_predict = np.repeat(x, LENGTH * 3, axis=0).astype(np.float32)
    ism_s = best_time(lambda: ism(model, x, output=1, batch_size=BATCH))
    predict_s = best_time(lambda: model.predict(x_predict, batch_size=BATCH, verbose=0))
    ism_rate, predict_rate = n_mutants / ism_s, len(x_predict) / predict_s
    print(json.dumps({
        "benchmark": "ism", "length": LENGTH, "sequences": N_ISM, "mutants": n_mutants,
        "ism_mutants_per_s": round(ism_rate), "predict_seqs_per_s": round(predict_rate),
        "ratio": round(ism_rate / predict_rate, 3),
    }))


if __name__ == "__main__":
    main()
