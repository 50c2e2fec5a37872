"""Cutting windows from a genome: a simulated 20 Mb genome with 20,000 narrowPeak peaks,
500 bp windows with one GC-matched background window each (biodl.data.windows.extract), after
index_genome decompressed its gzip FASTA. Prints one JSON line: windows per second and
peak memory."""

import resource
import tempfile
import time
from pathlib import Path

from _timing import emit, load_average, rate, time_calls

from biodl.data.simulate import simulate_genome
from biodl.data.windows import extract
from biodl.io.genome import index_genome

N_CHROMOSOMES, CHROMOSOME_LENGTH, N_PEAKS, LENGTH, REPEATS = 10, 2_000_000, 20_000, 500, 5


def main() -> None:
    load = load_average()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        simulate_genome(n_chromosomes=N_CHROMOSOMES, chromosome_length=CHROMOSOME_LENGTH, n_peaks=N_PEAKS,
                        seed=0).write(folder / "genome.fa.gz", folder / "peaks.narrowPeak", folder / "truth.tsv")
        start = time.perf_counter()
        genome = index_genome(folder / "genome.fa.gz", folder / "indexed" / "genome.fa")
        index_s = time.perf_counter() - start
        run = lambda: extract(folder / "peaks.narrowPeak", genome, length=LENGTH, gc_matched=1.0, seed=0)  # noqa: E731
        result = run()
        seconds = time_calls(run, REPEATS, warmup=0)
    windows = len(result.windows)
    median, best = rate(windows, seconds)
    emit("regions", "windows/s", median, best, REPEATS, load,
         genome_mb=N_CHROMOSOMES * CHROMOSOME_LENGTH / 1e6, peaks=N_PEAKS, length=LENGTH, windows=windows,
         index_s=round(index_s, 2), gc_matched_same_bin=result.report["negatives"]["gc_matched_in_same_bin"],
         peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == "__main__":
    main()
