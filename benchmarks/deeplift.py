"""DeepLIFT / DeepSHAP throughput (biodl.interpret.deeplift) in sequences explained per
second; prints one JSON line.

The shape of the comparison in issue 28: 128 sequences of 200 bp, 10 dinucleotide-shuffled
references each, a network of conv 64x19 -> max-pool 4 -> dense 32 -> 3 outputs; one output
explained. tangermeme's ``deep_lift_shap`` (PyTorch, the same shape and references) ran at
98-118 sequences per second on this machine (measured in its own environment; it is not a
biodl dependency). ``shuffle_share``: the part of the time spent making the references;
``first_call_s``: the first call on a model, which also traces the network (later calls on
the same model and output reuse the trace).
"""

import time

import numpy as np
from _timing import emit, load_average, rate, time_calls

from biodl import training

training.configure(seed=0)

from biodl.data.dna import dinucleotide_shuffles, one_hot_encode  # noqa: E402
from biodl.interpret.deeplift import deeplift  # noqa: E402
from biodl.models.cnn1d import build_cnn1d  # noqa: E402

N, LENGTH, REFERENCES, REPEATS = 128, 200, 10, 5


def main() -> None:
    load = load_average()
    rng = np.random.default_rng(0)
    model = build_cnn1d((LENGTH, 4), 3, "multiclass", filters=[64], kernel_sizes=[19], pool_sizes=[4],
                        dense_units=[32], batch_norm=False)
    x = one_hot_encode(["".join(rng.choice(list("ACGT"), LENGTH)) for _ in range(N)])
    start = time.perf_counter()
    deeplift(model, x, output=1, n_references=REFERENCES)  # the first call traces the network
    first_call_s = time.perf_counter() - start
    seconds = time_calls(lambda: deeplift(model, x, output=1, n_references=REFERENCES), REPEATS)
    start = time.perf_counter()
    dinucleotide_shuffles(x, REFERENCES, np.random.default_rng(1))
    shuffle_s = time.perf_counter() - start
    median, best = rate(N, seconds)
    emit("deeplift", "sequences/s", median, best, REPEATS, load, sequences=N, length=LENGTH, references=REFERENCES,
         shuffle_share=round(shuffle_s / float(np.median(seconds)), 3), first_call_s=round(first_call_s, 2),
         tangermeme_sequences_per_s="98-118")


if __name__ == "__main__":
    main()
