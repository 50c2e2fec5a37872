"""Genome scale: encode, train one epoch and predict on 10k, 100k and 1M regions of 1 kb,
each size in its own process, streamed from disk as the workflow runs it
(biodl.sequences.prepare writing the .npz while it encodes, EncodedDataset.load(stream=True)).

Per size: seconds per stage, microseconds per region (all stages over all regions) and the
process's peak RSS. On the 100k set, one epoch is also trained with the inputs in memory:
``streamed_vs_memory`` is the streamed throughput over the in-memory one. Prints one JSON
line; the headline is the time per region at the largest size.

The sizes can be changed with BIODL_SCALING_SIZES (e.g. ``10000,100000``).
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

from biodl.data.datasets import EncodedDataset
from biodl.sequences import prepare, train
from biodl.training import configure, predict

SIZES = tuple(int(n) for n in os.environ.get("BIODL_SCALING_SIZES", "10000,100000,1000000").split(","))
LENGTH, SEED, THREADS = 1000, 1, 2
MOTIF = "CCGCGNGGNGGCAG".replace("N", "A")  # CTCF core consensus, planted in the positive half
TRAINING = {"epochs": 1, "batch_size": 64}


def write_regions(folder: Path, n: int, chunk: int = 50_000) -> tuple[Path, Path]:
    """``n`` random 1 kb sequences, every second one with the motif in its middle, and labels."""
    rng = np.random.default_rng(SEED)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    motif = np.frombuffer(MOTIF.encode(), dtype=np.uint8)
    start = (LENGTH - motif.size) // 2
    fasta, labels = folder / "regions.fa", folder / "labels.tsv"
    with open(fasta, "w") as out, open(labels, "w") as table:
        table.write("id\tbound\n")
        for first in range(0, n, chunk):
            count = min(chunk, n - first)
            bases = letters[rng.integers(0, 4, size=(count, LENGTH))]
            bound = (np.arange(first, first + count) % 2).astype(bool)
            bases[bound, start:start + motif.size] = motif
            ids = [f"r{i}" for i in range(first, first + count)]
            out.write("".join(f">{name}\n{row.tobytes().decode()}\n" for name, row in zip(ids, bases)))
            table.write("".join(f"{name}\t{int(b)}\n" for name, b in zip(ids, bound)))
    return fasta, labels


def run_size(folder: Path, mode: str) -> dict:
    """One size in this process: ``streamed`` (encode, train, predict) or ``memory`` (train
    on the inputs held in memory)."""
    configure(seed=SEED, threads=THREADS)
    data = folder / "data.npz"
    seconds = {}
    start = time.perf_counter()
    if mode == "streamed":
        dataset = prepare(folder / "regions.fa", folder / "labels.tsv", length=LENGTH, seed=SEED, data_path=data)
        seconds["encode"] = time.perf_counter() - start
    else:
        dataset = EncodedDataset.load(data)
        seconds["load"] = time.perf_counter() - start
    start = time.perf_counter()
    model, _ = train(dataset, training=TRAINING, seed=SEED)
    seconds["train_epoch"] = time.perf_counter() - start
    if mode == "streamed":
        start = time.perf_counter()
        scores = predict(model, dataset.x)
        seconds["predict"] = time.perf_counter() - start
        assert len(scores) == len(dataset.ids)
    n_train = int(np.sum(dataset.split == "train"))
    return {"regions": len(dataset.ids), "train_regions": n_train,
            "seconds": {k: round(v, 1) for k, v in seconds.items()},
            "train_regions_per_s": round(n_train / seconds["train_epoch"], 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def in_child(folder: Path, mode: str) -> dict:
    """:func:`run_size` in a fresh process, so that each peak RSS is its own."""
    done = subprocess.run([sys.executable, __file__, str(folder), mode], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"scaling {folder} {mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    load = load_average()
    sizes, ratio = [], None
    for n in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            write_regions(folder, n)
            result = in_child(folder, "streamed")
            result["us_per_region"] = round(1e6 * sum(result["seconds"].values()) / n, 1)
            sizes.append(result)
            if n == 100_000 or (ratio is None and n == SIZES[-1]):
                memory = in_child(folder, "memory")
                ratio = round(result["train_regions_per_s"] / memory["train_regions_per_s"], 3)
                result["in_memory"] = memory
    per_region = sizes[-1]["us_per_region"]
    steps = [round(b["us_per_region"] / a["us_per_region"], 3) for a, b in zip(sizes, sizes[1:])]
    emit("scaling", "us/region", per_region, per_region, 1, load, length=LENGTH, threads=THREADS,
         sizes=sizes, time_per_region_ratio_to_previous_size=steps, streamed_vs_memory=ratio,
         peak_rss_mb_largest=sizes[-1]["peak_rss_mb"])


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(run_size(Path(sys.argv[1]), sys.argv[2])))
    else:
        main()
