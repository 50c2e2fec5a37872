"""Cutting windows from a genome: a simulated 20 Mb genome with 20,000 narrowPeak peaks,
500 bp windows with one GC-matched background window each (biodl.regions.extract), after
index_genome decompressed its gzip FASTA. Prints one JSON line: windows per second and peak memory."""

import json
import resource
import tempfile
import time
from pathlib import Path

from biodl.io.genome import index_genome
from biodl.regions import extract
from biodl.simulate import simulate_genome

N_CHROMOSOMES, CHROMOSOME_LENGTH, N_PEAKS, LENGTH = 10, 2_000_000, 20_000, 500


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        simulate_genome(n_chromosomes=N_CHROMOSOMES, chromosome_length=CHROMOSOME_LENGTH, n_peaks=N_PEAKS,
                        seed=0).write(folder / "genome.fa.gz", folder / "peaks.narrowPeak", folder / "truth.tsv")
        start = time.perf_counter()
        genome = index_genome(folder / "genome.fa.gz", folder / "indexed" / "genome.fa")
        index_s = time.perf_counter() - start
        start = time.perf_counter()
        result = extract(folder / "peaks.narrowPeak", genome, length=LENGTH, gc_matched=1.0, seed=0)
        extract_s = time.perf_counter() - start
    windows = len(result.windows)
    print(json.dumps({
        "benchmark": "regions", "genome_mb": N_CHROMOSOMES * CHROMOSOME_LENGTH / 1e6, "peaks": N_PEAKS,
        "length": LENGTH, "windows": windows, "index_s": round(index_s, 2), "extract_s": round(extract_s, 2),
        "windows_per_s": round(windows / extract_s),
        "gc_matched_same_bin": result.report["negatives"]["gc_matched_in_same_bin"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main()
