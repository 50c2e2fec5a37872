"""Base-resolution profile models at scale: a simulated genome of 1 Mbp chromosomes (one
peak per 5 kb, so every peak keeps room for GC-matched background), Tn5 insertion counts
with a footprint of accessibility at each peak, then for 10,000 and 100,000 peaks, each in
its own process:

- ``prepare_s``: :func:`biodl.profiles.prepare` from the FASTA, narrowPeak and bigWig
  (ChromBPNet's 2,114 / 1,000 bp windows, jitter 128, background 0.1);
- training throughput of the default BPNet (64 filters, 8 dilated layers) on 2 CPU threads:
  ``windows_per_s`` per training step (median first), over ``STEPS`` batches of 64 drawn from
  the whole training set by the input pipeline (jitter and reverse complement per batch);
- ``data_wait_share``: the share of those steps' time spent waiting for the next batch
  (the goal: under 10 %);
- ``peak_rss_mb``: the process's peak memory.

The headline is the training throughput with 100,000 peaks. BIODL_PROFILE_SIZES changes the
sizes (e.g. ``10000``).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _timing import emit, load_average

from biodl.io.fasta import write_fasta
from biodl.io.fragments import write_counts_bigwig
from biodl.models.bpnet import LOG_COUNT, PROFILE, build_bpnet, multinomial_nll
from biodl.profiles import prepare
from biodl.training import configure
from biodl.training.pipeline import make_dataset

SIZES = tuple(int(n) for n in os.environ.get("BIODL_PROFILE_SIZES", "10000,100000").split(","))
CHROMOSOME, PEAK_SPACING, SEED, THREADS, BATCH, STEPS = 1_000_000, 5_000, 1, 2, 64, 30


def write_genome(folder: Path, n_peaks: int) -> None:
    """Chromosomes of 1 Mbp (random bases, GC 0.4), ``n_peaks`` summits one per 5 kb, and
    insertion counts: 0.02 per base plus a Gaussian of accessibility (sd 100 bp) at each summit."""
    rng = np.random.default_rng(SEED)
    per_chromosome = CHROMOSOME // PEAK_SPACING - 1
    n_chromosomes = -(-n_peaks // per_chromosome)
    names, sequences, counts, peaks = [], [], {}, []
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    offsets = np.arange(-400, 401)
    shape = 0.5 * np.exp(-0.5 * (offsets / 100) ** 2)
    for k in range(n_chromosomes):
        name = f"chr{k + 1}"
        bases = letters[rng.choice(4, size=CHROMOSOME, p=[0.3, 0.2, 0.2, 0.3])]
        wanted = min(per_chromosome, n_peaks - k * per_chromosome)
        summits = (np.arange(1, wanted + 1) * PEAK_SPACING + rng.integers(-500, 500, wanted))
        rate = np.full(CHROMOSOME, 0.02)
        np.add.at(rate, (summits[:, None] + offsets).ravel(), np.tile(shape, wanted))
        names.append(name), sequences.append(bases.tobytes().decode())
        counts[name] = rng.poisson(rate).astype(np.int32)
        peaks += [f"{name}\t{s - 150}\t{s + 150}\tp\t0\t.\t1\t1\t1\t150\n" for s in summits]
    write_fasta(folder / "genome.fa", names, sequences)
    (folder / "peaks.narrowPeak").write_text("".join(peaks))
    write_counts_bigwig(counts, folder / "cuts.bw")


def run_size(folder: Path) -> dict:
    """Prepare the windows, then train the default BPNet for :data:`STEPS` batches, timing
    the wait for each batch apart from the step."""
    configure(seed=SEED, threads=THREADS)
    start = time.perf_counter()
    data, report = prepare(folder / "peaks.narrowPeak", folder / "genome.fa", {"cuts": folder / "cuts.bw"},
                           split={"test_chromosomes": ["chr1"], "val_chromosomes": ["chr2"]}, seed=SEED)
    prepare_s = time.perf_counter() - start
    train = data.subset(data.split == "train")
    model = build_bpnet(data.input_length, data.output_length, len(data.tracks))
    model.compile(optimizer="adam", loss={PROFILE: multinomial_nll, LOG_COUNT: "mse"},
                  loss_weights={PROFILE: 1.0, LOG_COUNT: 10.0})
    epochs = -(-(STEPS + 1) * BATCH // len(train))
    batches = iter(make_dataset(train, None, BATCH, shuffle=True, seed=SEED, epochs=epochs))
    x, y = next(batches)
    model.train_on_batch(x, y)  # tracing
    waits, steps = [], []
    for _ in range(STEPS):
        start = time.perf_counter()
        x, y = next(batches)
        waited = time.perf_counter() - start
        model.train_on_batch(x, y)
        waits.append(waited)
        steps.append(time.perf_counter() - start)
    steps = np.array(steps)
    return {"peaks": int((data.windows["source"] == "region").sum()), "windows": len(data),
            "training_windows": len(train), "prepare_s": round(prepare_s, 1),
            "windows_per_s": (BATCH / steps).tolist(), "data_wait_share": round(float(np.sum(waits) / steps.sum()), 4),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "left_out": report["left_out"]}


def main() -> None:
    load = load_average()
    results = {}
    for n in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            start = time.perf_counter()
            write_genome(folder, n)
            simulate_s = time.perf_counter() - start
            done = subprocess.run([sys.executable, __file__, "--size", str(folder)], capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"{n} peaks failed: {done.stderr[-2000:]}")
            results[n] = {**json.loads(done.stdout.strip().splitlines()[-1]), "simulate_s": round(simulate_s, 1)}
    largest = results[max(results)]
    rates = np.array(largest["windows_per_s"])
    emit("profiles", "training windows/s", float(np.median(rates)), float(rates.max()), len(rates), load,
         input_length=2114, output_length=1000, batch=BATCH, threads=THREADS,
         sizes={n: {key: value for key, value in r.items() if key != "windows_per_s"}
                | {"windows_per_s_median": round(float(np.median(r["windows_per_s"])), 1)} for n, r in results.items()})


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--size":
        print(json.dumps(run_size(Path(sys.argv[2]))))
    else:
        main()
