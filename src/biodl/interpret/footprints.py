"""What a base-resolution profile model learned: DeepLIFT of its profile and count heads on
the peak windows, as attributions TF-MoDISco reads (:func:`profile_attributions`), and
marginal footprints, the predicted profile around a motif inserted into shuffled
backgrounds minus that of the backgrounds alone (:func:`marginal_footprints`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from biodl.data.dna import one_hot_encode
from biodl.data.profile_windows import ProfileWindows
from biodl.interpret.attribution import Attributions
from biodl.interpret.deeplift import N_REFERENCES, PROFILE_HEADS, deeplift_profile
from biodl.interpret.experiments import N_BACKGROUNDS, shuffled_backgrounds
from biodl.models.bpnet import LOG_COUNT, NO_BIAS, PROFILE
from biodl.training import predict

log = logging.getLogger(__name__)

MAX_WINDOWS = 20_000
"""Peak windows explained at most (a seeded draw), as for sequence models."""


def explained_bpnet(model):
    """The BPNet to explain: the model itself, or the BPNet without the bias inside
    ChromBPNet's factorised model (ChromBPNet explains that one)."""
    names = {layer.name for layer in model.layers}
    return model.get_layer(NO_BIAS) if NO_BIAS in names else model


def profile_attributions(
    model, data: ProfileWindows, *, heads: Sequence[str] = PROFILE_HEADS, max_windows: int = MAX_WINDOWS,
    n_references: int = N_REFERENCES, seed: int = 1,
) -> Attributions:
    """DeepLIFT hypothetical contributions (:func:`biodl.interpret.deeplift.deeplift_profile`)
    of each head and track on the peak windows of every split (explanations need no
    held-out data; TF-MoDISco needs many).

    Returns
    -------
    Attributions
        One output per head and track, named ``<head>:<track>`` (``profile:tn5``), method
        ``deeplift``, with the convergence check of each; its ``split`` is ``peaks``.
    """
    unknown = sorted(set(heads) - set(PROFILE_HEADS))
    if unknown or not heads:
        raise ValueError(f"heads must be some of {PROFILE_HEADS}, got {list(heads)}")
    bpnet = explained_bpnet(model)
    rng = np.random.default_rng(seed)
    rows = np.flatnonzero(data.windows["source"].to_numpy() == "region")
    if len(rows) > max_windows:
        log.info("explaining %d of the %d peak windows (max_windows)", max_windows, len(rows))
        rows = np.sort(rng.choice(rows, max_windows, replace=False))
    x = data.inputs()[rows] if len(rows) else np.zeros((0, data.input_length, 4), np.float32)
    ids = data.windows["id"].to_numpy()[rows]
    outputs, values, convergence = [], {}, {}
    for head in heads:
        for track_index, track in enumerate(data.tracks):
            j = len(outputs)
            outputs.append(f"{head}:{track}")
            result = deeplift_profile(bpnet, x, head=head, track=track_index, n_references=n_references, seed=seed)
            values[j] = {"deeplift": result.hypothetical}
            convergence[j] = result.convergence()
            log.info("DeepLIFT of %s on %d peak windows: %s", outputs[-1], len(x), convergence[j])
    indices = list(range(len(outputs)))
    return Attributions(outputs, indices, ["deeplift"], {j: x for j in indices}, {j: ids for j in indices}, values,
                        [], [], "peaks", convergence)


def _predicted_counts(model, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected counts per base ``(N, length, tracks)`` and log counts ``(N, tracks)``."""
    outputs = predict(model, x)
    logits = outputs[PROFILE].astype(np.float64)
    shares = np.exp(logits - logits.max(axis=1, keepdims=True))
    shares /= shares.sum(axis=1, keepdims=True)
    return shares * np.expm1(np.maximum(outputs[LOG_COUNT], 0))[:, None, :], outputs[LOG_COUNT]


def marginal_footprints(
    model, data: ProfileWindows, motifs: Mapping[str, str], *, n_backgrounds: int = N_BACKGROUNDS,
    flank: int = 100, seed: int = 1,
) -> pd.DataFrame:
    """The predicted profile around each motif inserted at the centre of dinucleotide-shuffled
    peak windows, minus that of the same backgrounds without it (BPNet's marginal footprints).

    Parameters
    ----------
    model
        A profile model (:func:`biodl.models.bpnet.build_bpnet` or a factorised one; a bias
        model too, whose footprints should be the enzyme's preference, not a factor's).
    data
        The profile windows; the backgrounds are shuffles of its peak windows.
    motifs
        Name -> the sequence inserted (e.g. :func:`biodl.interpret.experiments.motif_sequences`).
    n_backgrounds, seed
        Shuffled backgrounds, and their seed.
    flank
        Bases on either side of the motif's centre reported (at most to the ends of the
        output window).

    Returns
    -------
    pandas.DataFrame
        One row per motif, track and position (``position``: bases from the inserted
        motif's centre): ``with_motif`` and ``without`` (mean expected counts per base over
        the backgrounds), ``footprint`` (their difference), ``sd`` (of the difference over
        backgrounds), and the motif's mean effect on the log count (``log_count_effect``).
    """
    peaks = data.subset(data.windows["source"].to_numpy() == "region")
    if len(peaks) == 0:
        raise ValueError("no peak windows to shuffle for backgrounds")
    backgrounds = shuffled_backgrounds(peaks.inputs(), n_backgrounds, seed)
    without, log_without = _predicted_counts(model, backgrounds)
    centre = data.input_length // 2
    output_centre = data.output_length // 2
    positions = np.arange(max(-flank, -output_centre), min(flank, data.output_length - 1 - output_centre) + 1)
    window = output_centre + positions
    rows = []
    for name, sequence in motifs.items():
        if len(sequence) > data.input_length:
            raise ValueError(f"motif {name}: {len(sequence)} bp do not fit the {data.input_length} bp input")
        start = centre - len(sequence) // 2
        inserted = backgrounds.copy()
        inserted[:, start:start + len(sequence)] = one_hot_encode(sequence).astype(np.float32)
        with_motif, log_with = _predicted_counts(model, inserted)
        difference = with_motif - without
        for t, track in enumerate(data.tracks):
            rows.append(pd.DataFrame({
                "motif": name, "track": track, "position": positions,
                "with_motif": with_motif[:, window, t].mean(axis=0), "without": without[:, window, t].mean(axis=0),
                "footprint": difference[:, window, t].mean(axis=0), "sd": difference[:, window, t].std(axis=0),
                "log_count_effect": float((log_with[:, t] - log_without[:, t]).mean()), "n": len(backgrounds)}))
    return pd.concat(rows, ignore_index=True)


def footprint_depth(footprints: pd.DataFrame, half_width: int = 5, flank: tuple[int, int] = (8, 30)) -> pd.DataFrame:
    """Per motif and track, how deep its footprint is: the mean predicted counts per base
    within ``half_width`` of the motif's centre over the mean on its flanks (``flank``
    bases away on either side), with the motif inserted. Below 1: the site is protected."""
    rows = []
    for (motif, track), group in footprints.groupby(["motif", "track"], sort=False):
        distance = group["position"].abs()
        core = group.loc[distance <= half_width, "with_motif"].mean()
        sides = group.loc[(distance >= flank[0]) & (distance <= flank[1]), "with_motif"].mean()
        rows.append({"motif": motif, "track": track, "centre_over_flanks": float(core / sides) if sides > 0 else
                     float("nan"), "log_count_effect": float(group["log_count_effect"].iloc[0])})
    return pd.DataFrame(rows)
