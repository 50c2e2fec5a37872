"""Variant effect scoring (biodl.interpret.variant_effects.score_variants) against plain
batched predict for the same model; prints one JSON line.

ratio = (windows per second while scoring variants: four per SNV, both alleles and both
strands) / (windows per second of model.predict), one ratio per pair of calls made one after
the other; the median and the best pair. The model reads 1 kb (conv 64x19, max-pool, dense
32); the VCF has SNVs at random positions of a 2 Mb random genome, the null off (n_null 0:
the null is the same scoring of n_null more variants). ``peak_rss_mb_1m_snvs``: the peak
memory of a separate process scoring a VCF of 1,000,000 SNVs (a 200 bp model, as memory does
not grow with the model's reads), beside its peak after 10,000 (streamed: the two are close).
"""

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from _timing import emit, load_average, time_calls

from biodl import training

training.configure(seed=0)

from biodl.interpret.variant_effects import score_variants  # noqa: E402
from biodl.io.genome import Genome  # noqa: E402
from biodl.models.cnn1d import build_cnn1d  # noqa: E402

LENGTH, N_VARIANTS, GENOME_BP, REPEATS, MILLION = 1000, 3000, 2_000_000, 3, 1_000_000


def write_inputs(folder: Path, n_variants: int, seed: int = 0) -> tuple[Path, Path]:
    """A random genome (one chromosome) and a VCF of SNVs at sorted random positions on it."""
    rng = np.random.default_rng(seed)
    bases = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(4, size=GENOME_BP)]
    genome = folder / "genome.fa"
    with open(genome, "wb") as handle:
        handle.write(b">chr1\n" + bases.tobytes() + b"\n")
    positions = np.sort(rng.choice(np.arange(LENGTH, GENOME_BP - LENGTH), n_variants, replace=False))
    lookup = np.frombuffer(b"ACGT", dtype=np.uint8)
    alts = lookup[(np.searchsorted(lookup, bases[positions]) + rng.integers(1, 4, n_variants)) % 4]
    vcf = folder / "variants.vcf"
    with open(vcf, "w") as handle:
        handle.write(f"##fileformat=VCFv4.2\n##contig=<ID=chr1,length={GENOME_BP}>\n"
                     "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        handle.writelines(f"chr1\t{p + 1}\t.\t{chr(r)}\t{chr(a)}\t.\t.\t.\n"
                          for p, r, a in zip(positions, bases[positions], alts))
    return genome, vcf


def peak_memory_of_a_million() -> dict:
    """Run in a fresh process: score 10,000 SNVs (tracing, thread pools, the null), then
    1,000,000; the peak memory after each (the peak only grows)."""
    with tempfile.TemporaryDirectory() as folder:
        model = build_cnn1d((200, 4), 1, "binary", filters=[16], kernel_sizes=[19], dense_units=[16])
        peaks = {}
        for n in (10_000, MILLION):
            genome_path, vcf = write_inputs(Path(folder), n, seed=1)
            with Genome(genome_path) as genome:
                score_variants(model, genome, vcf, ["y"], n_null=10_000, scores_path=Path(folder) / "scores.tsv.gz")
            peaks[n] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"peak_rss_mb_10k_snvs": round(peaks[10_000]), "peak_rss_mb_1m_snvs": round(peaks[MILLION])}


def main() -> None:
    if sys.argv[1:] == ["--memory"]:
        print(json.dumps(peak_memory_of_a_million()))
        return
    load = load_average()
    model = build_cnn1d((LENGTH, 4), 1, "binary", filters=[64], kernel_sizes=[19], dense_units=[32])
    with tempfile.TemporaryDirectory() as folder:
        genome_path, vcf = write_inputs(Path(folder), N_VARIANTS)
        x_predict = np.random.default_rng(2).integers(0, 2, (4 * N_VARIANTS, LENGTH, 4)).astype(np.float32)
        with Genome(genome_path) as genome:
            run_scores = lambda: score_variants(model, genome, vcf, ["y"], n_null=0)  # noqa: E731
            run_predict = lambda: model.predict(x_predict, batch_size=1024, verbose=0)  # noqa: E731
            run_scores(), run_predict()  # tracing, thread pools
            pairs = [np.concatenate([time_calls(run_scores, 1, warmup=0), time_calls(run_predict, 1, warmup=0)])
                     for _ in range(REPEATS)]
    score_s, predict_s = np.array(pairs).T
    ratios = predict_s / score_s
    memory = json.loads(subprocess.run([sys.executable, __file__, "--memory"], capture_output=True, text=True,
                                       check=True).stdout.splitlines()[-1])
    emit("variants", "scoring/predict ratio (windows per second)", float(np.median(ratios)), float(ratios.max()),
         REPEATS, load, length=LENGTH, variants=N_VARIANTS,
         variants_per_s=round(N_VARIANTS / float(np.median(score_s))),
         predict_windows_per_s=round(4 * N_VARIANTS / float(np.median(predict_s))), **memory)


if __name__ == "__main__":
    main()
