"""Base-resolution profile datasets, step by step: peaks on a genome and count tracks become
profile windows (:func:`prepare`), a BPNet trains on them (:func:`train`), its held-out
count and profile metrics are set beside the average-profile and k-mer baselines
(:func:`evaluate`), and its predictions become bigWig tracks (:func:`prediction_tracks`).

Each function is one workflow rule (``prepare_profiles``, ``train_profiles``,
``evaluate_profiles``); their defaults are the workflow's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biodl.data.profile_windows import ProfileWindows, extract_profiles
from biodl.evaluation.metrics import write_metrics
from biodl.evaluation.profile_metrics import (
    average_profile,
    jensen_shannon_distance,
    kmer_count_baseline,
    profile_metrics,
    softmax_profiles,
)
from biodl.io.files import PathLike, write_table
from biodl.io.fragments import TN5_SHIFT, write_counts_bigwig
from biodl.models.bpnet import LOG_COUNT, PROFILE, build_bpnet, count_loss_weight, multinomial_nll
from biodl.training import TrainingSettings, fit, keyword_settings, predict

log = logging.getLogger(__name__)

MODEL_NAME = "bpnet"
"""The profile model's name: its results folder and its key in ``metrics.json``."""
BASELINE_NAME = "average_profile_kmer"
"""The baseline: the average training peak profile, scaled by a k-mer ridge count."""


@dataclass(frozen=True)
class ProfileTraining(TrainingSettings):
    """Training settings of the profile model (``profiles.<name>.training`` in the config).

    Attributes
    ----------
    count_weight
        Weight of the count loss (MSE of ``log(1 + total)``) beside the profile's
        multinomial NLL; ``None``: the median total count of the training peaks / 10
        (:func:`biodl.models.bpnet.count_loss_weight`).
    """

    epochs: int = 40
    batch_size: int = 64
    learning_rate: float = 1e-3
    patience: int = 5
    count_weight: float | None = None


def prepare(
    regions: PathLike,
    genome: PathLike,
    tracks: Mapping[str, PathLike],
    *,
    strand_pairs: Sequence[Sequence[str]] = (),
    input_length: int = 2114,
    output_length: int = 1000,
    jitter: int = 128,
    background: float = 0.1,
    blacklist: PathLike | None = None,
    split: Mapping | None = None,
    fragment_shift: Sequence[int] = TN5_SHIFT,
    seed: int = 1,
) -> tuple[ProfileWindows, dict]:
    """Profile windows around the peaks' summits, with GC-matched background windows.

    ``split`` holds ``test_chromosomes`` and ``val_chromosomes`` (whole chromosomes held
    out); the other settings are those of :func:`biodl.data.profile_windows.extract_profiles`.
    """
    split = dict(split or {})
    unknown = sorted(set(split) - {"test_chromosomes", "val_chromosomes"})
    if unknown:
        raise ValueError(f"profile split: unknown settings {unknown}; profiles hold out whole chromosomes "
                         "(test_chromosomes, val_chromosomes)")
    return extract_profiles(regions, genome, tracks, strand_pairs=strand_pairs, input_length=input_length,
                            output_length=output_length, jitter=jitter, background=background, blacklist=blacklist,
                            test_chromosomes=split.get("test_chromosomes", ()),
                            val_chromosomes=split.get("val_chromosomes", ()),
                            fragment_shift=tuple(fragment_shift), seed=seed)


def _peak_totals(data: ProfileWindows) -> np.ndarray:
    return data.observed().sum(axis=(1, 2))[data.windows["source"].to_numpy() == "region"]


def train(
    data: ProfileWindows,
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    seed: int = 1,
    model_path: PathLike | None = None,
    history_path: PathLike | None = None,
    callbacks: Sequence = (),
):
    """Build a BPNet for the data's lengths and tracks and train it on the training
    chromosomes, stopping on the validation chromosomes.

    Parameters
    ----------
    data
        From :func:`prepare`.
    model
        Keyword arguments of :func:`biodl.models.bpnet.build_bpnet` (``filters``,
        ``n_dilated``, kernels); the lengths and tracks come from ``data``.
    training
        Fields of :class:`ProfileTraining`.
    seed
        Seeds the order of the windows and their jitter and strand.
    model_path, history_path, callbacks
        As for :func:`biodl.training.fit`.

    Returns
    -------
    model, history
    """
    settings = ProfileTraining(**keyword_settings(ProfileTraining, training, "profiles training"))
    train_windows, val_windows = data.subset(data.split == "train"), data.subset(data.split == "val")
    weight = settings.count_weight if settings.count_weight is not None else count_loss_weight(
        _peak_totals(train_windows))
    log.info("count loss weight %.3g (%s)", weight, "set" if settings.count_weight is not None else
             "median total count of the training peaks / 10")
    network = build_bpnet(data.input_length, data.output_length, len(data.tracks),
                          **keyword_settings(build_bpnet, model, "profiles model"))
    history = fit(network, (train_windows, None), (val_windows, None), settings,
                  loss={PROFILE: multinomial_nll, LOG_COUNT: "mse"}, loss_weights={PROFILE: 1.0, LOG_COUNT: weight},
                  seed=seed, history_path=history_path, model_path=model_path, callbacks=callbacks)
    history["count_weight"] = weight
    return network, history


@dataclass
class ProfileEvaluation:
    """Held-out predictions and metrics of the profile model and its baseline.

    Attributes
    ----------
    metrics
        What ``metrics.json`` holds: per model, :func:`biodl.evaluation.profile_metrics.profile_metrics`.
    windows
        The test windows (id, chrom, start, source).
    observed
        Their observed counts ``(N, output_length, tracks)``.
    profiles, log_counts
        Model name -> predicted profile probabilities and ``log(1 + count)``.
    tracks
        Track names.
    """

    metrics: dict
    windows: pd.DataFrame
    observed: np.ndarray
    profiles: dict[str, np.ndarray]
    log_counts: dict[str, np.ndarray]
    tracks: list[str]

    def predictions(self) -> pd.DataFrame:
        """One row per test window and track: observed and predicted ``log(1 + count)``,
        and each model's profile Jensen-Shannon distance (empty for a window without counts)."""
        rows = []
        totals = self.observed.sum(axis=1)
        for j, track in enumerate(self.tracks):
            table = self.windows[["id", "source"]].assign(track=track, observed_log_count=np.log1p(totals[:, j]))
            covered = totals[:, j] > 0
            for name in self.profiles:
                table[f"{name}_log_count"] = self.log_counts[name][:, j]
                distance = np.full(len(table), np.nan)
                distance[covered] = jensen_shannon_distance(self.observed[covered, :, j],
                                                            self.profiles[name][covered, :, j])
                table[f"{name}_jsd"] = distance
            rows.append(table)
        return pd.concat(rows, ignore_index=True)

    def write(self, metrics: PathLike, predictions: PathLike) -> None:
        write_metrics(metrics, self.metrics)
        write_table(predictions, self.predictions(), index=False)


def evaluate(data: ProfileWindows, model, *, kmer_baseline: bool = True, seed: int = 1) -> ProfileEvaluation:
    """The model's metrics on the test chromosomes beside the average-profile baseline.

    The baseline predicts every test window's profile as the average normalised profile of
    the training peaks, and its count by ridge regression on k-mer frequencies of the input
    (k chosen on the validation chromosomes); without ``kmer_baseline``, by the mean training
    log count.
    """
    test = data.subset(data.split == "test")
    if len(test) == 0:
        raise ValueError("no test windows: give split.test_chromosomes that hold peaks")
    outputs = predict(model, test)
    is_peak = test.windows["source"].to_numpy() == "region"
    observed = test.observed()
    profiles = {MODEL_NAME: softmax_profiles(outputs[PROFILE])}
    log_counts = {MODEL_NAME: outputs[LOG_COUNT]}
    train_windows, val_windows = data.subset(data.split == "train"), data.subset(data.split == "val")
    train_counts = np.log1p(train_windows.observed().sum(axis=1))
    mean_profile = average_profile(train_windows.observed(), train_windows.windows["source"] == "region")
    profiles[BASELINE_NAME] = np.broadcast_to(mean_profile, observed.shape)
    metrics: dict = {"task": "profile", "split": "test", "tracks": test.tracks,
                     "lengths": {"input": data.input_length, "output": data.output_length}}
    if kmer_baseline:
        log_counts[BASELINE_NAME], metrics["kmer_k"] = kmer_count_baseline(
            (train_windows.inputs(), train_counts),
            (val_windows.inputs(), np.log1p(val_windows.observed().sum(axis=1))), test.inputs(), seed=seed)
    else:
        log_counts[BASELINE_NAME] = np.broadcast_to(train_counts.mean(axis=0), (len(test), len(test.tracks)))
    metrics["models"] = {name: profile_metrics(observed, profiles[name], log_counts[name], is_peak, test.tracks)
                         for name in profiles}
    log.info("test metrics: %s", {name: {k: round(v, 4) for k, v in m.items() if k != "per_track"}
                                  for name, m in metrics["models"].items()})
    return ProfileEvaluation(metrics, test.windows, observed, profiles, log_counts, test.tracks)


def predicted_counts(profiles: np.ndarray, log_counts: np.ndarray) -> np.ndarray:
    """Expected counts per base: each profile's probabilities times its predicted total."""
    return profiles * np.expm1(np.maximum(log_counts, 0))[:, None, :]


def prediction_tracks(evaluation: ProfileEvaluation, data: ProfileWindows, paths: Mapping[str, PathLike],
                      model: str = MODEL_NAME) -> None:
    """Write the predicted counts per base of the test windows as one bigWig per track
    (``paths``: track -> file), for a genome browser beside the observed track. Where
    windows overlap, a base gets the mean of their predictions; bases outside every
    test window have no value."""
    counts = predicted_counts(evaluation.profiles[model], evaluation.log_counts[model])
    offset = (data.input_length - data.output_length) // 2
    for j, track in enumerate(evaluation.tracks):
        sums = {chrom: np.zeros(size, dtype=np.float64) for chrom, size in data.chrom_sizes.items()}
        covered = {chrom: np.zeros(size, dtype=np.int32) for chrom, size in data.chrom_sizes.items()}
        for i, (chrom, start) in enumerate(evaluation.windows[["chrom", "start"]].itertuples(index=False)):
            where = slice(start + offset, start + offset + data.output_length)
            sums[chrom][where] += counts[i, :, j]
            covered[chrom][where] += 1
        means = {chrom: np.divide(sums[chrom], covered[chrom], out=np.zeros_like(sums[chrom]),
                                  where=covered[chrom] > 0).astype(np.float32) for chrom in sums}
        write_counts_bigwig(means, paths[track])
