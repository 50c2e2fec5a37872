"""Throughput of biodl.sequence.one_hot_encode on 20 Mbp; prints one JSON line."""

import json
import time

import numpy as np

from biodl.dna import one_hot_encode

N_SEQUENCES, LENGTH, REPEATS = 20_000, 1_000, 10


def main() -> None:
    rng = np.random.default_rng(0)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    raw = letters[rng.integers(0, 4, size=N_SEQUENCES * LENGTH)].tobytes().decode()
    sequences = [raw[i * LENGTH:(i + 1) * LENGTH] for i in range(N_SEQUENCES)]
    one_hot_encode(sequences)  # compile the kernel and start its threads
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        x = one_hot_encode(sequences)
        times.append(time.perf_counter() - start)
    assert x.shape == (N_SEQUENCES, LENGTH, 4) and int(x.sum()) == N_SEQUENCES * LENGTH
    mbp = N_SEQUENCES * LENGTH / 1e6
    print(json.dumps({
        "benchmark": "onehot", "mbp": mbp, "best_s": round(min(times), 4),
        "median_s": round(float(np.median(times)), 4),
        "mbp_per_s": round(mbp / min(times), 1), "median_mbp_per_s": round(mbp / float(np.median(times)), 1),
    }))


if __name__ == "__main__":
    main()
