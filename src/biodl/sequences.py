"""DNA datasets, step by step: a labelled FASTA becomes one-hot arrays with splits
(:func:`prepare`), the 1D CNN ``cnn1d`` trains on them (:func:`train`), and its test-split
metrics are set beside a PWM-scan baseline (:func:`evaluate`).

Each function is one workflow rule (``prepare_sequences``, ``train_sequences``,
``evaluate_sequences``); a notebook calling them with the same settings gets the same
results. Their defaults are the workflow's.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from biodl.data import splits
from biodl.data.datasets import EncodedDataset, check_classes_per_split
from biodl.data.dna import one_hot_encode, resolve_length, reverse_complement
from biodl.data.targets import encode_targets
from biodl.evaluation import baselines
from biodl.evaluation.metrics import compute_metrics, predictions_table, validation_metric, write_metrics
from biodl.io.arrays import npz_writer, stored_rows
from biodl.io.fasta import FastaScan, iter_fasta, scan_fasta
from biodl.io.files import InputError, PathLike, write_table, written_path
from biodl.io.jaspar import DEFAULT_RELEASE, fetch_jaspar
from biodl.io.tables import read_table
from biodl.models import build_cnn1d
from biodl.training import TrainingSettings, fit, keyword_settings, predict
from biodl.training.search import SearchResult, search_dataset
from biodl.training.transfer import train_pretrained

log = logging.getLogger(__name__)

MODEL_NAME = "cnn1d"
"""The DNA model's name: its builder (:func:`biodl.models.build_cnn1d`), its results folder
(``results/<dataset>/cnn1d/``) and its key in ``metrics.json``."""


@dataclass(frozen=True)
class SequenceTraining(TrainingSettings):
    """Training settings of the DNA model (``sequences.<name>.training`` in the config).

    Attributes
    ----------
    reverse_complement
        Every epoch also trains on the reverse complement of every training sequence (same
        targets), made per batch in the input pipeline.
    class_weight
        ``auto`` (balanced class weights when the training classes are imbalanced, logged),
        ``balanced`` or ``none`` (:func:`biodl.training.class_weights`).
    """

    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 1e-3
    patience: int = 5
    reverse_complement: bool = False
    class_weight: str = "auto"


def align_ids(
    fasta_ids: Sequence[str], label_ids: Sequence[str], fasta_path: str, labels_path: str
) -> tuple[np.ndarray, dict]:
    """Indices of FASTA records that have labels, and a report of what was left out.

    Records without labels and labels without records are counted and logged with an
    example, never dropped silently.

    Raises
    ------
    InputError
        If no record has a label.
    """
    labelled = set(label_ids)
    keep = np.array([i for i, name in enumerate(fasta_ids) if name in labelled], dtype=np.int64)
    in_fasta = set(fasta_ids)
    unlabelled = len(fasta_ids) - keep.size
    no_sequence = [name for name in label_ids if name not in in_fasta]
    report = {
        "fasta_records": len(fasta_ids), "label_rows": len(label_ids), "used": int(keep.size),
        "fasta_records_without_label": unlabelled, "labels_without_sequence": len(no_sequence),
    }
    if keep.size == 0:
        raise InputError(
            f"no FASTA record in {fasta_path} has a label in {labels_path}: ids do not match "
            f"(FASTA e.g. {fasta_ids[0]!r}, labels e.g. {label_ids[0]!r})"
        )
    if unlabelled:
        example = next(name for name in fasta_ids if name not in labelled)
        log.warning("%d of %d FASTA records in %s have no label in %s and are left out (e.g. %r)",
                    unlabelled, len(fasta_ids), fasta_path, labels_path, example)
    if no_sequence:
        log.warning("%d of %d label rows in %s have no sequence in %s and are left out (e.g. %r)",
                    len(no_sequence), len(label_ids), labels_path, fasta_path, no_sequence[0])
    return keep, report


def prepare(
    fasta: PathLike,
    labels: PathLike,
    *,
    label_columns: Sequence[str] = (),
    task: str = "auto",
    length: int | None = None,
    ambiguous: str = "zeros",
    split: Mapping | None = None,
    seed: int = 1,
    data_path: PathLike | None = None,
) -> EncodedDataset:
    """Read, align, one-hot encode and split a labelled FASTA file.

    Parameters
    ----------
    fasta
        FASTA or gzipped FASTA.
    labels
        TSV with an ``id`` column, label columns and optionally ``split``.
    label_columns, task
        See :func:`biodl.data.targets.encode_targets` (no columns: every column but id and split).
    length, ambiguous
        See :func:`biodl.data.dna.one_hot_encode`.
    split
        Keyword arguments of :func:`biodl.data.splits.assign_splits` (``method``,
        ``val_fraction``, ``test_fraction``, ``test_chromosomes``, ``val_chromosomes``);
        its defaults for those not given.
    seed
        Seeds the split.
    data_path
        Write the dataset to this ``.npz`` while encoding, a chunk of records at a time, and
        return it streamed from there (``EncodedDataset.load(data_path, stream=True)``): memory
        stays flat for any number of sequences. ``None``: encode into memory.

    Raises
    ------
    InputError
        With the file and record at fault, for any unusable input.
    """
    fasta, labels = Path(fasta), Path(labels)
    split = splits.split_settings(split)
    scan = scan_fasta(fasta)
    table = read_table(labels, "id")
    keep, report = align_ids(scan.ids, table.index.tolist(), str(fasta), str(labels))
    keep = _without_empty_records(keep, scan, fasta, report)
    ids = [scan.ids[i] for i in keep]
    lengths = scan.lengths[keep]
    table = table.loc[ids]
    try:  # these messages already name the label file
        targets = encode_targets(table, label_columns, task, source=str(labels))
        assigned = splits.assign_splits(
            ids, given=table["split"] if "split" in table else None, strata=targets.strata, seed=seed,
            source=str(labels), **split,
        )
    except ValueError as err:
        raise InputError(str(err)) from None
    check_classes_per_split(targets.y, targets.task, assigned, str(labels))
    report.update(_identical_sequences(scan.digests[keep], ids, targets.y, assigned, fasta))
    try:
        target = resolve_length(lengths, length)
    except ValueError as err:
        raise InputError(f"{fasta}: {err}") from None
    report.update(
        task=targets.task, outputs=targets.names, length=target,
        lengths_min_max=[int(lengths.min()), int(lengths.max())],
        split_counts={name: int(np.sum(assigned == name)) for name in splits.SPLITS},
    )
    if targets.value_maps:
        report["value_maps"] = targets.value_maps
    shape = (len(ids), target, 4)
    dtype = np.float32 if ambiguous == "fractional" else np.uint8
    dataset = EncodedDataset(None, targets.y, np.array(ids), assigned, targets.task, targets.names, report)
    chunks = _encoded_chunks(fasta, keep, target, ambiguous, chunk=max(1, CHUNK_BYTES // (4 * target)))
    if data_path is None:
        dataset.x = np.empty(shape, dtype)
        for start, encoded in chunks:
            dataset.x[start:start + len(encoded)] = encoded
    else:
        with npz_writer(data_path) as archive:
            with archive.rows("x", shape, dtype) as rows:
                for _, encoded in chunks:
                    rows.write(encoded)
            dataset.save_labels(archive)
        dataset.x = stored_rows(written_path(data_path), "x")
    log.info("prepared %s: %s", fasta, report)
    return dataset


def _without_empty_records(keep: np.ndarray, scan: FastaScan, fasta: Path, report: dict) -> np.ndarray:
    """``keep`` without the records that have no A, C, G or T (all N): they encode as zeros,
    which carry no information; their number goes to ``report`` and the log."""
    empty = keep[~scan.has_bases[keep]]
    report["records_without_bases"] = int(empty.size)
    if empty.size == 0:
        return keep
    if empty.size == keep.size:
        raise InputError(f"{fasta}: no labelled record has an A, C, G or T base (all N?), e.g. {scan.ids[empty[0]]!r}")
    log.warning("%d labelled records of %s have no A, C, G or T base (all N) and are left out (e.g. %r)", empty.size,
                fasta, scan.ids[empty[0]])
    keep = keep[scan.has_bases[keep]]
    report["used"] = int(keep.size)
    return keep


def _identical_sequences(digests: np.ndarray, ids: Sequence[str], y: np.ndarray, split: np.ndarray,
                         fasta: Path) -> dict:
    """Counts of records whose sequence another record repeats: all of them are kept (each is
    a record the user gave), but those with different labels, or in different splits (the
    test split then holds training sequences), are logged with an example."""
    frame = pd.DataFrame({"digest": digests, "label": [row.tobytes() for row in np.asarray(y).reshape(len(y), -1)],
                          "split": split, "id": ids})
    repeated = frame[frame.duplicated("digest", keep=False)]
    groups = repeated.groupby("digest")
    conflicting = repeated[groups["label"].transform("nunique") > 1]
    across = repeated[groups["split"].transform("nunique") > 1]
    counts = {"records_with_a_repeated_sequence": len(repeated),
              "repeated_sequences_with_different_labels": len(conflicting),
              "repeated_sequences_in_different_splits": len(across)}
    for rows, what in ((conflicting, "have different labels"), (across, "lie in different splits")):
        if len(rows):
            example = rows[rows["digest"] == rows["digest"].iloc[0]]["id"].tolist()[:3]
            log.warning("%d records of %s share their sequence with another record and %s (kept; e.g. %s)", len(rows),
                        fasta, what, ", ".join(map(repr, example)))
    return counts


CHUNK_BYTES = 32 << 20
""":func:`prepare` encodes records in chunks of about this many bytes of one-hot output."""


def _encoded_chunks(fasta: Path, keep: np.ndarray, length: int, ambiguous: str, chunk: int):
    """Second pass: ``(first row, one-hot array)`` for the records at file positions ``keep``
    (sorted), ``chunk`` records at a time."""
    wanted = np.zeros(int(keep[-1]) + 1, dtype=bool)
    wanted[keep] = True
    records = (record for position, record in enumerate(iter_fasta(fasta))
               if position < len(wanted) and wanted[position])
    start = 0
    while batch := list(itertools.islice(records, chunk)):
        names, seqs = zip(*batch)
        try:
            yield start, one_hot_encode(seqs, length=length, ambiguous=ambiguous, ids=names)
        except ValueError as err:
            raise InputError(f"{fasta}: {err}") from None
        start += len(batch)


def train(
    dataset: EncodedDataset,
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    init_from: PathLike | None = None,
    transfer: str = "fine_tuning",
    seed: int = 1,
    model_path: PathLike | None = None,
    history_path: PathLike | None = None,
    callbacks: Sequence = (),
):
    """Build the DNA model and train it on the training split, stopping on the validation split.

    Parameters
    ----------
    dataset
        From :func:`prepare`.
    model
        Keyword arguments of :func:`biodl.models.build_cnn1d`; its defaults for the rest.
    training
        Fields of :class:`SequenceTraining`; its defaults for the rest.
    init_from, transfer
        Start from the layers of this trained biodl model (``.keras``) under a new output
        head instead of building one from ``model``: ``feature_extraction`` trains the head
        only, ``fine_tuning`` then every layer at a tenth of the learning rate
        (:mod:`biodl.training.transfer`). Its alphabet must be A, C, G, T; another window length
        works when its layers do not depend on it (global pooling).
    seed
        Seeds the shuffling of the training data (seed TensorFlow with
        :func:`biodl.training.configure` first, for the initial weights).
    model_path, history_path
        Where to write the model (``.keras``) and its per-epoch history (TSV).
    callbacks
        Further Keras callbacks for :func:`biodl.training.fit`.

    Returns
    -------
    model, history
        The trained ``keras.Model`` (weights of the best validation epoch) and the history.
    """

    settings = SequenceTraining(**keyword_settings(SequenceTraining, training, "sequences training"))
    options = dict(task=dataset.task, seed=seed, transformed_copy=reverse_complement if settings.reverse_complement
                   else None, history_path=history_path, model_path=model_path, callbacks=callbacks)
    if init_from is not None:

        return train_pretrained(init_from, dataset, settings, transfer, **options)
    network = build_cnn1d(dataset.x.shape[1:], len(dataset.names), dataset.task,
                          **keyword_settings(build_cnn1d, model, "sequences model"))
    history = fit(network, dataset.part("train"), dataset.part("val"), settings, **options)
    return network, history


COMPOSITION_MARGIN = 0.02
"""The k-mer baseline "matches" the network when its test AUROC (Pearson r for regression)
is at most this far below the network's."""


def composition_check(models: Mapping[str, dict], task: str) -> dict:
    """Whether the k-mer composition baseline does about as well as the network.

    When it does, the task may be solvable from sequence composition alone, and the
    network's explanations may show composition rather than motifs; this is logged as a
    warning and recorded in ``metrics.json``.

    Returns
    -------
    dict
        ``metric``, the network's and the k-mer baseline's values, ``margin`` and
        ``composition_matches_network``.
    """
    metric = "pearson" if task == "regression" else "auroc"
    network, kmer = models[MODEL_NAME][metric], models["kmer"][metric]
    matches = bool(kmer >= network - COMPOSITION_MARGIN)
    if matches:
        log.warning("the k-mer baseline reaches %s %.3f against the network's %.3f: the task may be solvable from "
                    "sequence composition alone, and the network's explanations may show composition rather than "
                    "motifs", metric, kmer, network)
    return {"metric": metric, MODEL_NAME: network, "kmer": kmer, "margin": COMPOSITION_MARGIN,
            "composition_matches_network": matches}


def _at_most(
    dataset: EncodedDataset, split: str, limit: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (read into memory) and targets of ``split``, a random ``limit`` of them when
    there are more."""
    rows = np.flatnonzero(dataset.split == split)
    if rows.size > limit:
        log.info("baselines use %d of the %d %s-split sequences (baseline_max_train)", limit, rows.size, split)
        rows = np.sort(rng.choice(rows, limit, replace=False))
    return np.asarray(dataset.x[rows]), dataset.y[rows]


@dataclass
class SequenceEvaluation:
    """Test-split scores and metrics of the DNA model and its baseline.

    Attributes
    ----------
    metrics
        What ``metrics.json`` holds: task, split, outputs, and per model (``cnn1d``,
        ``pwm_scan``, ``kmer``) the metrics of :func:`biodl.evaluation.metrics.compute_metrics`.
    scores
        Model name -> ``(N_test, outputs)`` scores.
    ids, y
        Test-split ids and targets.
    task, names
        As in the dataset.
    """

    metrics: dict
    scores: dict[str, np.ndarray]
    ids: np.ndarray
    y: np.ndarray
    task: str
    names: list[str]

    def predictions(self) -> pd.DataFrame:
        """One row per test sequence: id, truth, each model's scores."""

        return predictions_table(self.ids, self.y, self.scores, self.task, self.names)

    def write(self, metrics: PathLike, predictions: PathLike) -> None:
        """Write ``metrics.json`` and ``predictions.tsv``."""

        write_metrics(metrics, self.metrics)
        write_table(predictions, self.predictions(), index=False)


def evaluate(
    dataset: EncodedDataset,
    model,
    *,
    baseline_motifs: Sequence[str] = (),
    jaspar_release: str = DEFAULT_RELEASE,
    kmer_baseline: bool = True,
    baseline_max_train: int = 50_000,
    seed: int = 1,
) -> SequenceEvaluation:
    """The model's test-split metrics beside the PWM-scan and k-mer baselines.

    Parameters
    ----------
    dataset, model
        From :func:`prepare` and :func:`train` (or :func:`biodl.training.load_model`).
    baseline_motifs
        JASPAR matrix ids: the baseline is a linear model, fitted on the training split, of
        each motif's best match score per sequence (no ids: no baseline).
    jaspar_release
        JASPAR release the motifs come from (offline, pyjaspar).
    kmer_baseline
        Also report ``kmer``: a linear model of k-mer frequencies, k chosen on the
        validation split (:func:`biodl.evaluation.baselines.kmer_baseline`); ``kmer_k`` records it.
    baseline_max_train
        The baselines are fitted on at most this many training sequences (and choose k on
        at most this many validation sequences): a seeded random draw, logged and recorded
        in ``baseline_train_sequences``, so that their features fit in memory at genome
        scale. The network and every baseline are scored on the whole test split.
    seed
        Seeds the baselines' linear models.
    """

    x_test, y_test = dataset.part("test")
    scores = {MODEL_NAME: predict(model, x_test)}
    motifs = fetch_jaspar(baseline_motifs, jaspar_release) if baseline_motifs else []
    rng = np.random.default_rng(seed)
    train = _at_most(dataset, "train", baseline_max_train, rng)
    if motifs:
        scores["pwm_scan"] = baselines.pwm_scan_baseline(*train, x_test, dataset.task, motifs, seed=seed)
    if kmer_baseline:
        scores["kmer"], k = baselines.kmer_baseline(train, _at_most(dataset, "val", baseline_max_train, rng), x_test,
                                                    dataset.task, dataset.names, seed=seed)
    metrics = {
        "task": dataset.task, "split": "test", "outputs": dataset.names,
        "models": {name: compute_metrics(y_test, s, dataset.task, dataset.names) for name, s in scores.items()},
    }
    if motifs:
        metrics["baseline_motifs"] = [{"id": m.id, "name": m.name} for m in motifs]
    if kmer_baseline:
        metrics["kmer_k"] = k
        metrics["composition_check"] = composition_check(metrics["models"], dataset.task)
    if motifs or kmer_baseline:
        metrics["baseline_train_sequences"] = len(train[1])
    log.info("test metrics: %s", {name: {k: v for k, v in m.items() if k != "per_output"}
                                  for name, m in metrics["models"].items()})
    return SequenceEvaluation(metrics, scores, dataset.ids[dataset.split == "test"], y_test, dataset.task,
                              dataset.names)


SEQUENCE_SPACE = {
    "model": {"choices": [
        {"filters": [64], "kernel_sizes": [19], "pool_sizes": [4]},
        {"filters": [128, 64], "kernel_sizes": [19, 7], "pool_sizes": [4, 1]},
        {"filters": [128, 128, 64], "kernel_sizes": [19, 9, 7], "pool_sizes": [4, 4, 1]},
        {"filters": [256, 128, 128], "kernel_sizes": [25, 11, 7], "pool_sizes": [4, 4, 4]},
    ]},
    "model.dropout": {"low": 0.1, "high": 0.5},
    "training.learning_rate": {"low": 3e-4, "high": 3e-3, "log": True},
    "training.reverse_complement": {"choices": [False, True]},
}
"""The DNA search: depth and receptive field (one to three convolution blocks, reaching
from 19 bp to several hundred), dropout, learning rate and reverse-complement training."""


def search(
    dataset,
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    space: Mapping | None = None,
    budget: Mapping | None = None,
    seed: int = 1,
    study_path: PathLike | None = None,
) -> SearchResult:
    """Search the DNA model's settings, scored by validation AUROC (Pearson r for regression).

    Parameters
    ----------
    dataset
        From :func:`prepare`.
    model, training
        The settings the search starts from (those of :func:`train`).
    space
        The search space (:mod:`biodl.training.search`); ``None``: :data:`SEQUENCE_SPACE`.
    budget
        Fields of :class:`biodl.training.search.SearchSettings`.
    seed, study_path
        See :func:`biodl.training.search.run_search`.
    """
    metric = "pearson" if dataset.task == "regression" else "auroc"
    base = {"model": dict(model or {}), "training": dict(training or {})}
    return search_dataset(dataset, train, validation_metric(metric), base, space or SEQUENCE_SPACE,
                   task=dataset.task, metric=metric, budget=budget, seed=seed, study_path=study_path)
