"""Base-resolution profile datasets, step by step: peaks on a genome and count tracks become
profile windows (:func:`prepare`), a BPNet trains on them (:func:`train`), its held-out
count and profile metrics are set beside the average-profile and k-mer baselines
(:func:`evaluate`), and its predictions become bigWig tracks (:func:`prediction_tracks`).

Each function is one workflow rule (``prepare_profiles``, ``train_profiles``,
``evaluate_profiles``); their defaults are the workflow's.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from biodl.data.dna import one_hot_encode
from biodl.data.profile_windows import ProfileWindows, extract_profiles
from biodl.evaluation.metrics import write_metrics
from biodl.evaluation.profile_metrics import (
    average_profile,
    jensen_shannon_distance,
    kmer_count_baseline,
    profile_metrics,
    softmax_profiles,
)
from biodl.interpret import compare, modisco
from biodl.interpret.attribution import Attributions
from biodl.interpret.compare import CalibratedMatches
from biodl.interpret.deeplift import N_REFERENCES, PROFILE_HEADS
from biodl.interpret.experiments import N_BACKGROUNDS, motif_sequences
from biodl.interpret.footprints import MAX_WINDOWS, footprint_depth, marginal_footprints, profile_attributions
from biodl.interpret.modisco import Patterns
from biodl.io.files import PathLike, write_json, write_table
from biodl.io.fragments import TN5_SHIFT, write_counts_bigwig
from biodl.io.genome import Genome
from biodl.io.intervals import read_regions
from biodl.io.jaspar import DEFAULT_RELEASE, motif_database
from biodl.models.bpnet import (
    BIAS,
    BIAS_MODEL,
    LOG_COUNT,
    NO_BIAS,
    PROFILE,
    bpnet_settings,
    build_bpnet,
    build_chrombpnet,
    count_loss_weight,
    multinomial_nll,
    pretrained_bpnet,
)
from biodl.training import TrainingSettings, fit, keyword_settings, load_model, predict
from biodl.training.search import SearchResult, SearchSettings, run_search
from biodl.training.transfer import fit_transfer

log = logging.getLogger(__name__)

MODEL_NAME = "bpnet"
"""The profile model's name: its results folder and its key in ``metrics.json``."""
FACTORISED_NAME = "chrombpnet"
"""The BPNet trained beside a frozen bias model (:func:`biodl.models.bpnet.build_chrombpnet`)."""
BIAS_THRESHOLD_FACTOR = 0.5
"""The bias model trains on background windows with fewer counts than this times the fewest
counts of a training peak (ChromBPNet's ``bias_threshold_factor``)."""
MIN_BIAS_WINDOWS = 100
"""Fewer background windows than this under the threshold: the bias model takes the
half of the background windows with the fewest counts instead (logged)."""
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
    bias_path: PathLike | None = None,
    init_from: PathLike | None = None,
    transfer: str = "fine_tuning",
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
    bias_path
        A bias model (``.keras``, from :func:`train_bias`): the BPNet trains beside it,
        frozen, and the model returned is ChromBPNet's factorised one
        (:func:`biodl.models.bpnet.build_chrombpnet`).
    init_from, transfer
        A trained profile model (``.keras``: a BPNet, or a factorised model whose main BPNet
        is taken) to start from instead of ``model``'s settings
        (:func:`biodl.models.bpnet.pretrained_bpnet`: other window lengths are fine; other
        tracks get new heads), and how (:mod:`biodl.training.transfer`):
        ``feature_extraction`` trains the heads only, ``fine_tuning`` then every layer at a
        tenth of the learning rate.
    seed
        Seeds the order of the windows and their jitter and strand.
    model_path, history_path, callbacks
        As for :func:`biodl.training.fit`.

    Returns
    -------
    model, history
    """
    settings = keyword_settings(build_bpnet, model, "profiles model")
    shape = (data.input_length, data.output_length, len(data.tracks))
    main, body = None, None
    if init_from is not None:
        main, body = pretrained_bpnet(load_model(init_from), *shape, source=str(init_from),
                                      name=MODEL_NAME if bias_path is None else NO_BIAS)
        log.info("transfer (%s) from %s: its layers replace the model settings %s", transfer, init_from,
                 bpnet_settings(main))
    if bias_path is None:
        network = main if main is not None else build_bpnet(*shape, **settings)
    else:
        network = build_chrombpnet(load_model(bias_path), *shape, main=main, **settings)
    return _fit_profiles(network, data, data.split == "train", data.split == "val", training, seed, model_path,
                         history_path, callbacks, body=body, transfer=transfer)


def _fit_profiles(network, data: ProfileWindows, train_rows: np.ndarray, val_rows: np.ndarray,
                  training: Mapping | None, seed: int, model_path, history_path, callbacks, body=None,
                  transfer: str = "fine_tuning"):
    """Fit ``network`` on the windows at ``train_rows`` with the profile loss, stopping on
    those at ``val_rows``; the count loss weight from the training peaks unless set. With
    ``body`` (pretrained layers), by :func:`biodl.training.transfer.fit_transfer`."""
    settings = ProfileTraining(**keyword_settings(ProfileTraining, training, "profiles training"))
    train_windows, val_windows = data.subset(train_rows), data.subset(val_rows)
    weight = settings.count_weight if settings.count_weight is not None else count_loss_weight(
        _peak_totals(data.subset(data.split == "train")))
    log.info("count loss weight %.3g (%s); %d training and %d validation windows", weight,
             "set" if settings.count_weight is not None else "median total count of the training peaks / 10",
             len(train_windows), len(val_windows))
    options = {"loss": {PROFILE: multinomial_nll, LOG_COUNT: "mse"},
               "loss_weights": {PROFILE: 1.0, LOG_COUNT: weight}, "seed": seed, "history_path": history_path,
               "model_path": model_path, "callbacks": callbacks}
    if body is None:
        history = fit(network, (train_windows, None), (val_windows, None), settings, **options)
    else:
        history = fit_transfer(network, body, (train_windows, None), (val_windows, None), settings, transfer,
                               **options)
    history["count_weight"] = weight
    return network, history


PROFILE_SPACE = {
    "training.learning_rate": {"low": 3e-4, "high": 3e-3, "log": True},
    "model.filters": {"choices": [32, 64, 128]},
}
"""The default search space of :func:`search`: the learning rate and the width of every
convolution (depth and kernels stay: they set the input length a model needs). The count
loss weight stays too, so that validation losses compare across trials."""
SEARCH_METRIC = "count_pearson_peaks"
"""What a search scores: count Pearson in the validation peaks (the summary's headline)."""


def search(
    data: ProfileWindows,
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    bias_path: PathLike | None = None,
    space: Mapping | None = None,
    budget: Mapping | None = None,
    seed: int = 1,
    study_path: PathLike | None = None,
) -> SearchResult:
    """Search the profile model's settings on the validation chromosomes (the test
    chromosomes are never read), scored by :data:`SEARCH_METRIC`; the validation loss (the
    profile NLL plus the weighted count loss) prunes trials and breaks ties.

    Parameters
    ----------
    data
        From :func:`prepare`.
    model, training, bias_path
        The settings the search starts from (those of :func:`train`); with ``bias_path``,
        every trial is the factorised model beside that bias model.
    space
        The search space (:mod:`biodl.training.search`); ``None``: :data:`PROFILE_SPACE`.
    budget
        Fields of :class:`biodl.training.search.SearchSettings` (the folds are not used:
        windows of one chromosome are not independent, so trials score on the validation
        chromosomes).
    seed, study_path
        See :func:`biodl.training.search.run_search`.
    """
    settings = SearchSettings(**keyword_settings(SearchSettings, budget, "search"))
    base = {"model": dict(model or {}), "training": dict(training or {})}
    val = data.subset(data.split == "val")
    if len(val) == 0:
        raise ValueError("no validation windows: give split.val_chromosomes that hold peaks to search on")
    is_peak = val.windows["source"].to_numpy() == "region"

    def score(trial_settings, split, callbacks):
        network, history = train(data, **trial_settings, bias_path=bias_path, seed=seed, callbacks=callbacks)
        outputs = predict(network, val)
        metrics = profile_metrics(val.observed(), softmax_profiles(outputs[PROFILE]), outputs[LOG_COUNT], is_peak,
                                  val.tracks)
        return float(metrics[SEARCH_METRIC]), float(history["val_loss"].min())

    space = space or PROFILE_SPACE
    result = run_search(score, space, base, [data.split], metric=SEARCH_METRIC, settings=settings, seed=seed,
                        study_path=study_path)
    return dataclasses.replace(result, kind="profiles", searched=", ".join(space))


def bias_windows(data: ProfileWindows, split: str, threshold_factor: float = BIAS_THRESHOLD_FACTOR) -> np.ndarray:
    """Which windows of ``split`` a bias model learns from: background windows with fewer
    counts than ``threshold_factor`` times the fewest of a training peak (ChromBPNet's rule,
    so the bias model sees the enzyme's preference, not accessibility); when fewer than
    :data:`MIN_BIAS_WINDOWS` of them pass, and fewer than half of that split's background,
    that half with the fewest counts (logged)."""
    totals = data.observed().sum(axis=(1, 2))
    is_background = data.windows["source"].to_numpy() == "background"
    training_peaks = (~is_background) & (data.split == "train")
    threshold = threshold_factor * totals[training_peaks].min() if training_peaks.any() else np.inf
    candidates = np.flatnonzero(is_background & (data.split == split))
    if len(candidates) == 0:
        raise ValueError(f"no background windows on the {split} chromosomes for the bias model: raise background")
    rows = is_background & (data.split == split) & (totals < threshold)
    half = max(len(candidates) // 2, 1)
    if rows.sum() >= min(MIN_BIAS_WINDOWS, half):
        log.info("bias model, %s: %d background windows with fewer than %.1f counts (%.2f x the fewest of a training "
                 "peak)", split, rows.sum(), threshold, threshold_factor)
        return rows
    kept = candidates[np.argsort(totals[candidates], kind="stable")[:half]]
    log.warning("bias model, %s: only %d background windows have fewer than %.1f counts (%.2f x the fewest of a "
                "training peak); it learns from the %d with the fewest counts instead", split, rows.sum(), threshold,
                threshold_factor, len(kept))
    rows = np.zeros(len(data), dtype=bool)
    rows[kept] = True
    return rows


def train_bias(
    data: ProfileWindows,
    *,
    model: Mapping | None = None,
    training: Mapping | None = None,
    threshold_factor: float = BIAS_THRESHOLD_FACTOR,
    seed: int = 1,
    model_path: PathLike | None = None,
    history_path: PathLike | None = None,
    callbacks: Sequence = (),
):
    """Train a bias model: a small BPNet on background windows only (:func:`bias_windows`),
    whose profile is the enzyme's sequence preference (ChromBPNet's first step).

    Parameters
    ----------
    model
        Settings of :func:`biodl.models.bpnet.build_bpnet` over
        :data:`biodl.models.bpnet.BIAS_MODEL` (32 filters, 4 dilated layers).
    training, seed, model_path, history_path, callbacks
        As for :func:`train`.
    threshold_factor
        See :func:`bias_windows`.
    """
    settings = {**BIAS_MODEL, **keyword_settings(build_bpnet, model, "profiles bias model")}
    network = build_bpnet(data.input_length, data.output_length, len(data.tracks), **{**settings, "name": BIAS})
    return _fit_profiles(network, data, bias_windows(data, "train", threshold_factor),
                         bias_windows(data, "val", threshold_factor), training, seed, model_path, history_path,
                         callbacks)


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

    def is_peak(self) -> np.ndarray:
        return self.windows["source"].to_numpy() == "region"

    def observed_log_counts(self) -> np.ndarray:
        """``log(1 + total count)`` of every test window and track."""
        return np.log1p(self.observed.sum(axis=1))

    def predicted_counts(self, window: int) -> dict[str, np.ndarray]:
        """Model name -> its expected counts per base of one test window ``(length, tracks)``."""
        at = slice(window, window + 1)
        return {name: predicted_counts(self.profiles[name][at], self.log_counts[name][at])[0] for name in self.profiles}

    def example_window(self, quantile: float = 0.9) -> tuple[int, str]:
        """A test peak to show: the one at ``quantile`` of the peaks' observed counts (strong
        but typical, not the single largest), and a title that describes it."""
        totals = self.observed.sum(axis=(1, 2))
        peaks = np.flatnonzero(self.is_peak())
        order = peaks[np.argsort(totals[peaks], kind="stable")]
        window = int(order[min(int(quantile * len(order)), len(order) - 1)])
        predicted = {name: float(np.expm1(self.log_counts[name][window]).sum()) for name in self.profiles}
        text = ", ".join(f"{name} {value:.0f}" for name, value in predicted.items())
        return window, (f"test peak {self.windows['id'].iloc[window]}: observed {totals[window]:.0f} counts; "
                        f"predicted {text}")

    def write(self, metrics: PathLike, predictions: PathLike) -> None:
        write_metrics(metrics, self.metrics)
        write_table(predictions, self.predictions(), index=False)


def evaluate(data: ProfileWindows, model, *, name: str = MODEL_NAME, kmer_baseline: bool = True,
             seed: int = 1) -> ProfileEvaluation:
    """The model's metrics on the test chromosomes beside the average-profile baseline.

    ``name`` is the model's key in the metrics (``bpnet``, ``chrombpnet``, ``bias``).

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
    profiles = {name: softmax_profiles(outputs[PROFILE])}
    log_counts = {name: outputs[LOG_COUNT]}
    train_windows, val_windows = data.subset(data.split == "train"), data.subset(data.split == "val")
    train_observed = train_windows.observed()
    train_counts = np.log1p(train_observed.sum(axis=1))
    mean_profile = average_profile(train_observed, train_windows.windows["source"] == "region")
    profiles[BASELINE_NAME] = np.broadcast_to(mean_profile, observed.shape)
    metrics: dict = {"task": "profile", "split": "test", "model": name, "tracks": test.tracks,
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
                      model: str | None = None) -> None:
    """Write the predicted counts per base of the test windows as one bigWig per track
    (``paths``: track -> file), for a genome browser beside the observed track
    (:func:`write_prediction_tracks`). ``model``: the evaluated model unless named."""
    model = model or evaluation.metrics["model"]
    write_prediction_tracks(predicted_counts(evaluation.profiles[model], evaluation.log_counts[model]),
                            evaluation.windows["chrom"].to_numpy(),
                            evaluation.windows["start"].to_numpy() + data.output_offset, data.chrom_sizes,
                            evaluation.tracks, paths)


def write_prediction_tracks(counts: np.ndarray, chroms: Sequence[str], output_starts: Sequence[int],
                            chrom_sizes: Mapping[str, int], tracks: Sequence[str],
                            paths: Mapping[str, PathLike]) -> None:
    """Predicted counts ``(N, output_length, tracks)`` of windows whose output starts at
    ``output_starts`` on ``chroms``, as one bigWig per track: where windows overlap, a base
    gets the mean of their predictions; bases outside every window have no value."""
    length = counts.shape[1]
    for j, track in enumerate(tracks):
        sums = {chrom: np.zeros(size, dtype=np.float64) for chrom, size in chrom_sizes.items()}
        covered = {chrom: np.zeros(size, dtype=np.int32) for chrom, size in chrom_sizes.items()}
        for i, (chrom, start) in enumerate(zip(chroms, output_starts, strict=True)):
            sums[chrom][start:start + length] += counts[i, :, j]
            covered[chrom][start:start + length] += 1
        means = {chrom: np.divide(sums[chrom], covered[chrom], out=np.zeros_like(sums[chrom]),
                                  where=covered[chrom] > 0).astype(np.float32) for chrom in sums}
        write_counts_bigwig(means, paths[track])


def predict_regions(model, genome: PathLike, regions: PathLike, tracks: Sequence[str],
                    paths: Mapping[str, PathLike], *, chunk: int = 512) -> dict:
    """Predicted counts per base over every region a user gives (BED or narrowPeak), as
    one bigWig per track (``paths``): each region is tiled by the model's output windows
    (the last one reaching past its end), each read with its centred input window.

    Returns
    -------
    dict
        ``regions``, ``windows`` predicted, and windows left out because their input runs
        off a chromosome end or the region's chromosome is not in the genome (counted, logged).
    """
    input_length = int(model.input_shape[1])
    output_length = int(model.get_layer(PROFILE).output.shape[1])
    if len(tracks) != int(model.get_layer(PROFILE).output.shape[2]):
        raise ValueError(f"{len(tracks)} track names {list(tracks)} for a model of "
                         f"{model.get_layer(PROFILE).output.shape[2]} tracks")
    table = read_regions(regions)
    margin = (input_length - output_length) // 2
    report = {"regions": len(table), "windows": 0, "off_chromosome_end": 0, "unknown_chromosome": 0}
    chroms, starts, predictions = [], [], []
    with Genome(genome) as reference:
        sizes = reference.chrom_sizes
        tiles = []
        for chrom, start, end in table[["chrom", "start", "end"]].itertuples(index=False):
            if chrom not in sizes:
                report["unknown_chromosome"] += 1
                continue
            for tile in range(int(start), int(end), output_length):
                if tile - margin < 0 or tile - margin + input_length > sizes[chrom]:
                    report["off_chromosome_end"] += 1
                else:
                    tiles.append((chrom, tile))
        for first in range(0, len(tiles), chunk):
            batch = tiles[first:first + chunk]
            x = one_hot_encode([reference.fetch(c, t - margin, t - margin + input_length) for c, t in batch]
                               ).astype(np.float32)
            outputs = predict(model, x)
            predictions.append(predicted_counts(softmax_profiles(outputs[PROFILE]), outputs[LOG_COUNT]))
            chroms += [c for c, _ in batch]
            starts += [t for _, t in batch]
        report["windows"] = len(tiles)
        counts = np.concatenate(predictions) if predictions else np.zeros((0, output_length, len(tracks)))
        write_prediction_tracks(counts, chroms, starts, sizes, tracks, paths)
    left = report["off_chromosome_end"] + report["unknown_chromosome"]
    if left:
        log.warning("%d windows of %s left out: %d run off a chromosome end, %d on chromosomes not in %s", left,
                    regions, report["off_chromosome_end"], report["unknown_chromosome"], genome)
    log.info("predicted %d windows over %d regions of %s", report["windows"], report["regions"], regions)
    return report


@dataclass
class ProfileInterpretation:
    """What a profile model learned (:func:`interpret`).

    Attributes
    ----------
    attributions
        DeepLIFT of each head and track on the peak windows.
    patterns
        TF-MoDISco patterns of each head and track.
    matches
        The patterns' JASPAR matches beyond the null (column-shuffled patterns).
    footprints, depth
        Marginal footprints of the motifs inserted into shuffled peak windows, and how
        deep each is (:func:`biodl.interpret.footprints.footprint_depth`).
    database
        The known motifs matched against (for logos).
    """

    attributions: Attributions
    patterns: Patterns
    matches: CalibratedMatches
    footprints: pd.DataFrame
    depth: pd.DataFrame
    database: list

    def write(self, attributions: PathLike, convergence: PathLike, patterns: PathLike, pattern_table: PathLike,
              pattern_summary: PathLike, tomtom: PathLike, tomtom_summary: PathLike, footprints: PathLike,
              depth: PathLike) -> None:
        self.attributions.save(attributions)
        write_table(convergence, self.attributions.convergence_table(), index=False)
        self.patterns.write(patterns, pattern_table, pattern_summary)
        write_table(tomtom, self.matches.table, index=False)
        write_json(tomtom_summary, self.matches.summary)
        write_table(footprints, self.footprints, index=False)
        write_table(depth, self.depth, index=False)


def interpret(
    data: ProfileWindows,
    model,
    *,
    heads: Sequence[str] = PROFILE_HEADS,
    max_windows: int = MAX_WINDOWS,
    n_references: int = N_REFERENCES,
    max_seqlets: int = modisco.MAX_SEQLETS,
    database: PathLike | None = None,
    release: str = DEFAULT_RELEASE,
    collection: str = "CORE",
    tax_group: str | None = "vertebrates",
    footprint_motifs: Sequence[str] = (),
    n_backgrounds: int = N_BACKGROUNDS,
    seed: int = 1,
) -> ProfileInterpretation:
    """DeepLIFT of the profile and count heads on the peak windows, TF-MoDISco on those
    contributions, the patterns' JASPAR matches beyond the null of their column-shuffled
    copies, and the marginal footprints of ``footprint_motifs``.

    Parameters
    ----------
    data, model
        From :func:`prepare` and :func:`train` (or :func:`train_bias`: a bias model's
        patterns should be the enzyme's preference); a factorised model is explained
        without its bias model, as ChromBPNet does.
    heads, max_windows, n_references
        See :func:`biodl.interpret.footprints.profile_attributions`.
    max_seqlets
        See :func:`biodl.interpret.modisco.run_modisco`.
    database, release, collection, tax_group
        The known motifs (:func:`biodl.io.jaspar.motif_database`).
    footprint_motifs
        JASPAR ids (their consensus is inserted) or sequences of A, C, G, T, for the
        marginal footprints; none: the consensus of the positive MoDISco patterns of the first
        head (at most 8).
    n_backgrounds, seed
        Shuffled backgrounds of the footprints, and the seed of every draw.
    """
    attributions = profile_attributions(model, data, heads=heads, max_windows=max_windows,
                                        n_references=n_references, seed=seed)
    patterns = modisco.discover_patterns(attributions, max_seqlets=max_seqlets)
    known = motif_database(database, release, collection, tax_group)
    matches = compare.match_motifs(patterns.motifs, known, seed=seed)
    if footprint_motifs:
        inserted = motif_sequences(footprint_motifs, known)
    else:
        first = attributions.outputs[0]
        inserted = motif_sequences([m.id for m in patterns.motifs if m.id.startswith(f"{first}_pos")][:8],
                                   patterns.motifs)
    footprints = marginal_footprints(model, data, inserted, n_backgrounds=n_backgrounds, seed=seed) if inserted \
        else pd.DataFrame(columns=["motif", "track", "position", "with_motif", "without", "footprint", "sd",
                                   "log_count_effect", "n"])
    return ProfileInterpretation(attributions, patterns, matches, footprints, footprint_depth(footprints), known)
