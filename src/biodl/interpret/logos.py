"""Pictures: sequence logos of discovered motifs beside their best JASPAR match, and
attribution tracks of single sequences (logomaker)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from biodl import io
from biodl.evaluate import pyplot, save_figure
from biodl.motifs import Motif
from biodl.sequence import ALPHABET


def _information_frame(ppm: np.ndarray) -> pd.DataFrame:
    p = np.clip(ppm, 1e-9, 1)
    bits = (ppm * np.log2(p / 0.25)).sum(axis=1, keepdims=True)
    return pd.DataFrame(ppm * np.clip(bits, 0, None), columns=list(ALPHABET))


def _draw_logo(ax, frame: pd.DataFrame, title: str, ylabel: str = "bits") -> None:
    import logomaker

    logomaker.Logo(frame, ax=ax, color_scheme="classic", show_spines=False)
    ax.set_title(title, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=7)
    ax.tick_params(labelsize=6)


def plot_motif_matches(
    motifs: Sequence[Motif], matches: pd.DataFrame, database: Mapping[str, Motif], path: io.PathLike,
    max_motifs: int = 24,
) -> None:
    """One row per motif: its logo, then its best TOMTOM match from ``database`` (reverse
    complemented when the match is on the minus strand), with p and q values."""
    plt = pyplot()

    best = matches[matches["rank"] == 1].set_index("query") if len(matches) else pd.DataFrame()
    shown = sorted(motifs, key=lambda m: best.loc[m.id, "p_value"] if m.id in best.index else 1.0)[:max_motifs]
    rows = max(1, len(shown))
    fig, axes = plt.subplots(rows, 2, figsize=(9, 1.4 * rows), squeeze=False)
    for ax_row, motif in zip(axes, shown):
        _draw_logo(ax_row[0], _information_frame(motif.ppm), motif.id)
        if motif.id in best.index:
            hit = best.loc[motif.id]
            target = database[hit["target_id"]]
            ppm = target.ppm[::-1, ::-1] if hit["strand"] == "-" else target.ppm
            title = (f"{hit['target_id']} {hit['target_name']} ({hit['strand']})  "
                     f"p={hit['p_value']:.1e} q={hit['q_value']:.1e}")
            _draw_logo(ax_row[1], _information_frame(ppm), title)
        else:
            ax_row[1].axis("off")
    if not shown:
        axes[0, 0].text(0.5, 0.5, "no motifs", ha="center")
        axes[0, 0].axis("off")
        axes[0, 1].axis("off")
    save_figure(fig, path, dpi=110)


def plot_attribution_tracks(
    tracks: Sequence[np.ndarray], titles: Sequence[str], path: io.PathLike
) -> None:
    """Attribution logos (e.g. gradient x input), one sequence per row."""
    plt = pyplot()

    rows = max(1, len(tracks))
    width = max((len(t) for t in tracks), default=10)
    fig, axes = plt.subplots(rows, 1, figsize=(min(24, 2 + width / 12), 1.6 * rows), squeeze=False)
    for ax, track, title in zip(axes[:, 0], tracks, titles):
        _draw_logo(ax, pd.DataFrame(np.asarray(track, dtype=float), columns=list(ALPHABET)), title,
                   ylabel="attribution")
    save_figure(fig, path, dpi=110)
