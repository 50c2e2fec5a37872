"""The in-silico motif screen (biodl.interpret.screen.motif_screen) of the whole JASPAR CORE
vertebrates collection; prints one JSON line.

motifs/s = JASPAR CORE vertebrates motifs screened per second, each sampled into 100 shuffled
backgrounds beside its shuffled site, both strands of every window scored (the step's
default). Two models: the headline one reads 200 bp (conv 64x19, max-pool 4, conv 64x7, dense
32: the size of a ChIP-seq peak model), and ``motifs_per_s_1kb`` a 1 kb one of the same layers
(an ATAC window). ``collection_s`` is the whole collection's time at the median call.
"""

import os

import numpy as np
from _timing import emit, load_average, rate, time_calls

from biodl import training

training.configure(seed=0)

from biodl.interpret.screen import SCREEN_BACKGROUNDS, motif_screen  # noqa: E402
from biodl.io.jaspar import jaspar_database  # noqa: E402
from biodl.models.cnn1d import build_cnn1d  # noqa: E402

REPEATS = 3


def screen_seconds(length: int, motifs, repeats: int) -> np.ndarray:
    model = build_cnn1d((length, 4), 1, "binary", filters=[64, 64], kernel_sizes=[19, 7], pool_sizes=[4, 1],
                        dense_units=[32])
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (500, length))]
    return time_calls(lambda: motif_screen(model, x, motifs, ["y"]), repeats)


def main() -> None:
    load = load_average()
    motifs = jaspar_database()
    seconds = screen_seconds(200, motifs, REPEATS)
    median, best = rate(len(motifs), seconds)
    long = screen_seconds(1000, motifs, 1)
    emit("motif_screen", "motifs/s", median, best, REPEATS, load, motifs=len(motifs),
         backgrounds=SCREEN_BACKGROUNDS, windows_per_motif=4 * SCREEN_BACKGROUNDS,
         collection_s=round(float(np.median(seconds)), 1), motifs_per_s_1kb=round(len(motifs) / float(long[0]), 1),
         collection_s_1kb=round(float(long[0]), 1), cpus=os.cpu_count())


if __name__ == "__main__":
    main()
