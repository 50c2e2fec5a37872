"""Throughput of biodl.data.dna.one_hot_encode on 20,000 random sequences of 1 kb (20 Mbp),
a fresh output array every call, as a user gets it; prints one JSON line."""

import numpy as np
from _timing import emit, load_average, rate, time_calls

from biodl.data.dna import one_hot_encode

N_SEQUENCES, LENGTH, REPEATS = 20_000, 1_000, 30


def main() -> None:
    load = load_average()
    rng = np.random.default_rng(0)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    raw = letters[rng.integers(0, 4, size=N_SEQUENCES * LENGTH)].tobytes().decode()
    sequences = [raw[i * LENGTH:(i + 1) * LENGTH] for i in range(N_SEQUENCES)]
    x = one_hot_encode(sequences)
    assert x.shape == (N_SEQUENCES, LENGTH, 4) and int(x.sum()) == N_SEQUENCES * LENGTH
    del x
    mbp = N_SEQUENCES * LENGTH / 1e6
    seconds = time_calls(lambda: one_hot_encode(sequences), REPEATS, warmup=2)
    median, best = rate(mbp, seconds)
    emit("onehot", "Mbp/s", median, best, REPEATS, load, mbp=mbp, median_s=round(float(np.median(seconds)), 4),
         best_s=round(float(seconds.min()), 4), median_over_best=round(best / median, 2))


if __name__ == "__main__":
    main()
