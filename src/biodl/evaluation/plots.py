"""Every picture biodl draws, as PNG (matplotlib on the Agg backend, logomaker for logos).

Each ``plot_*`` function writes its PNG atomically and returns the (closed) figure, so
callers and tests can look at what was drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from biodl.data.dna import ALPHABET
from biodl.data.pwm import Motif, information_content
from biodl.evaluation.metrics import as_score_matrix, label_matrix
from biodl.io.files import PathLike, atomic_output


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (no screen on clusters or CI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: PathLike, dpi: int = 120):
    """Lay out (unless the figure has its own layout engine), write atomically as PNG and
    close a matplotlib figure; returns it."""
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=dpi)
    pyplot().close(fig)
    return fig


def plot_performance(
    y_true: np.ndarray, scores: Mapping[str, np.ndarray], task: str, names: Sequence[str], path: PathLike,
):
    """One PNG comparing models on the test split.

    Classification: ROC and precision-recall curves, one line per model and output.
    Regression: predicted against observed values, one panel per model.
    """
    plt = pyplot()
    from sklearn.metrics import precision_recall_curve, roc_curve

    if task == "regression":
        truth = np.asarray(y_true).reshape(len(y_true), -1)
        fig, axes = plt.subplots(1, len(scores), figsize=(4.5 * len(scores), 4.2), squeeze=False)
        for ax, (model_name, values) in zip(axes[0], scores.items()):
            values = as_score_matrix(values)
            for j, name in enumerate(names):
                ax.scatter(truth[:, j], values[:, j], s=4, alpha=0.5, color=f"C{j}", label=name)
            ax.set(xlabel="observed", ylabel="predicted", title=f"{model_name}, test split")
            ax.legend(fontsize=7)
        return save_figure(fig, path)
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(10, 4.8))
    for style, (model_name, values) in zip(("-", "--", ":", "-."), scores.items()):
        values = as_score_matrix(values)
        onehot = label_matrix(y_true, task, values.shape[1])
        for j, name in enumerate(names):
            label = model_name if len(names) == 1 else f"{model_name}: {name}"
            fpr, tpr, _ = roc_curve(onehot[:, j], values[:, j])
            roc_ax.plot(fpr, tpr, style, color=f"C{j}", label=label)
            precision, recall, _ = precision_recall_curve(onehot[:, j], values[:, j])
            pr_ax.plot(recall, precision, style, color=f"C{j}", label=label)
    roc_ax.plot([0, 1], [0, 1], color="grey", lw=0.5)
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC, test split")
    pr_ax.set(xlabel="recall", ylabel="precision", title="Precision-recall, test split")
    roc_ax.legend(fontsize=7, loc="lower right")
    pr_ax.legend(fontsize=7, loc="lower left")
    return save_figure(fig, path)


def plot_history(history: pd.DataFrame, path: PathLike):
    """Training and validation curves per epoch, one panel per logged quantity, the kept
    (best) epoch marked."""
    plt = pyplot()
    metrics = [c for c in history.columns if c not in ("epoch", "best", "phase") and not c.startswith("val_")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.5), squeeze=False)
    best = history.loc[history["best"].astype(bool), "epoch"] if "best" in history else []
    for ax, metric in zip(axes[0], metrics):
        ax.plot(history["epoch"], history[metric], label="train")
        if f"val_{metric}" in history:
            ax.plot(history["epoch"], history[f"val_{metric}"], label="validation")
        for epoch in best:
            ax.axvline(epoch, color="grey", ls=":", lw=1)
        ax.set(xlabel="epoch", ylabel=metric)
        ax.legend(fontsize=8)
    return save_figure(fig, path)


def plot_confusion(y_true: np.ndarray, y_pred: np.ndarray, names: Sequence[str], path: PathLike,
                   title: str = "Confusion matrix, test split"):
    """Counts of true (rows) against predicted (columns) classes."""
    plt = pyplot()
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(y_true, y_pred, labels=range(len(names)))
    fig, ax = plt.subplots(figsize=(1.2 + 0.6 * len(names), 1 + 0.6 * len(names)))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center",
                color="white" if count > matrix.max() / 2 else "black", fontsize=8)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    return save_figure(fig, path)


def plot_latent(z: np.ndarray, labels: Sequence[str], path: PathLike, title: str):
    """Latent space coloured by label: the first two dimensions, and a 2D PCA projection."""
    plt = pyplot()
    from sklearn.decomposition import PCA

    labels = np.asarray(labels)
    projected = PCA(n_components=2).fit_transform(z) if z.shape[1] > 2 else z
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for ax, values, name in ((axes[0], z[:, :2], "latent dims 1-2"), (axes[1], projected, "PCA of the latent")):
        for k, label in enumerate(sorted(set(labels))):
            chosen = labels == label
            ax.scatter(values[chosen, 0], values[chosen, 1] if values.shape[1] > 1 else 0 * values[chosen, 0],
                       s=8, alpha=0.7, color=f"C{k}", label=label)
        ax.set_title(f"{title}: {name}", fontsize=9)
        ax.legend(fontsize=7, markerscale=2)
    return save_figure(fig, path)


def plot_reconstruction(errors: pd.DataFrame, path: PathLike):
    """Test-split reconstruction error per omic and model (bars: mean over seeds) from a
    table with ``omic``, ``model`` and ``error`` columns."""
    plt = pyplot()
    pivot = errors.groupby(["omic", "model"])["error"].mean().unstack("model")
    fig, ax = plt.subplots(figsize=(2 + 1.5 * len(pivot), 3.8))
    pivot.plot.bar(ax=ax, rot=0)
    ax.set(ylabel="reconstruction loss (test)", title="Reconstruction error per omic")
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def plot_gaf_examples(images: np.ndarray, y: np.ndarray, names: Sequence[str], encodings: Sequence[str],
                      path: PathLike):
    """The first image of every class, one row per class, one column per image channel."""
    plt = pyplot()
    n_channels = images.shape[-1]
    labels = [f"{e} ch{c}" for c in range(n_channels // len(encodings)) for e in encodings]
    fig, axes = plt.subplots(len(names), n_channels, figsize=(2.2 * n_channels, 2.2 * len(names)),
                             squeeze=False)
    for row, name in enumerate(names):
        first = int(np.flatnonzero(y == row)[0])
        for col in range(n_channels):
            ax = axes[row, col]
            ax.imshow(images[first, :, :, col].astype(np.float32), cmap="rainbow", origin="lower")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{name}: {labels[col]}", fontsize=8)
    return save_figure(fig, path)


def plot_window_gc(windows: pd.DataFrame, path: PathLike, target: str | None = None,
                   uniform_gc: float | None = None):
    """GC content of region windows beside each kind of negative (``source`` column) and
    the mean GC of uniformly drawn windows, and, for a regression ``target`` column, the
    target per source."""
    plt = pyplot()
    panels = 2 if target else 1
    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 3.6), squeeze=False)
    bins = np.linspace(0, 1, 51)
    for source, group in windows.groupby("source", sort=False):
        filled = source == "region"
        axes[0, 0].hist(group["gc"], bins=bins, histtype="stepfilled" if filled else "step",
                        alpha=0.35 if filled else 1, linewidth=1.5, label=f"{source} (n={len(group)})")
    if uniform_gc is not None:
        axes[0, 0].axvline(uniform_gc, color="grey", linestyle="--", label=f"uniform windows' mean ({uniform_gc:.2f})")
    gc = windows["gc"]
    axes[0, 0].set_xlim(max(0.0, gc.min() - 0.05), min(1.0, gc.max() + 0.05))
    axes[0, 0].set(xlabel="GC fraction of window", ylabel="windows", title="GC content by source")
    axes[0, 0].legend(fontsize=8)
    if target:
        groups = list(windows.groupby("source", sort=False))
        axes[0, 1].boxplot([group[target] for _, group in groups], tick_labels=[name for name, _ in groups])
        axes[0, 1].set(ylabel=target, title=f"{target} by source")
    return save_figure(fig, path)


def _information_frame(ppm: np.ndarray) -> pd.DataFrame:
    bits = information_content(ppm)[:, None]
    return pd.DataFrame(ppm * np.clip(bits, 0, None), columns=list(ALPHABET))


def _draw_logo(ax, frame: pd.DataFrame, title: str, ylabel: str = "bits") -> None:
    import logomaker

    logomaker.Logo(frame, ax=ax, color_scheme="classic", show_spines=False)
    ax.set_title(title, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=7)
    ax.tick_params(labelsize=6)


def plot_motif_matches(
    motifs: Sequence[Motif], matches: pd.DataFrame, database: Mapping[str, Motif], path: PathLike,
    max_motifs: int = 24,
):
    """One row per motif: its logo, then its TOMTOM match from ``database`` (reverse
    complemented when the match is on the minus strand), with p and q values: the finding
    where the table marks one (findings drawn first), else the best match, with why it is
    not a finding."""
    plt = pyplot()
    best = pd.DataFrame()
    if len(matches):
        ranked = matches.assign(order=~matches["finding"] if "finding" in matches else False)
        best = ranked.sort_values(["order", "rank"], kind="stable").drop_duplicates("query").set_index("query")
    shown = sorted(motifs, key=lambda m: (bool(best.loc[m.id, "order"]), best.loc[m.id, "p_value"])
                   if m.id in best.index else (True, 1.0))[:max_motifs]
    rows = max(1, len(shown))
    fig, axes = plt.subplots(rows, 2, figsize=(9, 1.7 * rows), squeeze=False)
    for ax_row, motif in zip(axes, shown):
        _draw_logo(ax_row[0], _information_frame(motif.ppm), motif.id)
        if motif.id in best.index:
            hit = best.loc[motif.id]
            target = database[hit["target_id"]]
            ppm = target.ppm[::-1, ::-1] if hit["strand"] == "-" else target.ppm
            title = (f"{hit['target_id']} {hit['target_name']} ({hit['strand']})  "
                     f"p={hit['p_value']:.1e} q={hit['q_value']:.1e}{_verdict(hit)}")
            _draw_logo(ax_row[1], _information_frame(ppm), title)
        else:
            ax_row[1].axis("off")
    if not shown:
        axes[0, 0].text(0.5, 0.5, "no motifs", ha="center")
        axes[0, 0].axis("off")
        axes[0, 1].axis("off")
    return save_figure(fig, path, dpi=110)


def _verdict(hit: pd.Series) -> str:
    """How a drawn match fared against the null (empty for tables without calibration)."""
    if "finding" not in hit:
        return ""
    if hit["finding"]:
        return "\nfinding"
    if not hit["beyond_null"]:
        return f"\nnot beyond the null: false match rate {hit['false_match_rate']:.2f}, overlap {hit['overlap']}"
    return "\nnot a finding: low influence"


def plot_attribution_tracks(tracks: Sequence[np.ndarray], titles: Sequence[str], path: PathLike):
    """Attribution logos (e.g. gradient x input), one sequence per row."""
    plt = pyplot()
    rows = max(1, len(tracks))
    width = max((len(t) for t in tracks), default=10)
    fig, axes = plt.subplots(rows, 1, figsize=(min(24, 2 + width / 12), 1.6 * rows), squeeze=False)
    for ax, track, title in zip(axes[:, 0], tracks, titles):
        _draw_logo(ax, pd.DataFrame(np.asarray(track, dtype=float), columns=list(ALPHABET)), title,
                   ylabel="attribution")
    return save_figure(fig, path, dpi=110)


def plot_time_attributions(series: np.ndarray, attributions: np.ndarray, y: np.ndarray, names: Sequence[str],
                           path: PathLike, title: str = "", examples: int = 8):
    """Per class, a few series (first channel) drawn as points coloured by their time
    points' attributions, and below them the class's mean attribution per time point."""
    plt = pyplot()
    scale = float(np.percentile(np.abs(attributions), 99)) or 1.0
    fig, axes = plt.subplots(2 * len(names), 1, figsize=(9, 3.4 * len(names)), sharex=True, squeeze=False,
                             gridspec_kw={"height_ratios": [3, 1] * len(names)}, layout="constrained")
    time = np.arange(series.shape[1])
    points = None
    for row, name in enumerate(names):
        ax, mean_ax = axes[2 * row, 0], axes[2 * row + 1, 0]
        members = np.flatnonzero(y == row)
        for k in members[:examples]:
            ax.plot(time, series[k, :, 0], color="0.8", linewidth=0.6, zorder=1)
            points = ax.scatter(time, series[k, :, 0], c=attributions[k], cmap="RdBu_r", vmin=-scale, vmax=scale,
                                s=5, zorder=2)
        ax.set_title(f"{title}class {name}: {members.size} series, {min(examples, members.size)} drawn", fontsize=9)
        ax.set_ylabel("value")
        mean = attributions[members].mean(axis=0) if members.size else np.zeros(len(time))
        mean_ax.bar(time, mean, width=1.0, color=np.where(mean >= 0, "#b2182b", "#2166ac"))
        mean_ax.axhline(0, color="0.3", linewidth=0.5)
        mean_ax.set_ylabel("mean", fontsize=8)
    axes[-1, 0].set_xlabel("time point")
    if points is not None:
        fig.colorbar(points, ax=list(axes[:, 0]), fraction=0.03, pad=0.02, label="attribution (towards the class)")
    return save_figure(fig, path)


def plot_learning_curve(table: pd.DataFrame, path: PathLike):
    """Test score against training-set size per way of training (``mode``: scratch,
    feature extraction, fine-tuning), one panel per source -> target transfer."""
    plt = pyplot()
    pairs = list(table.groupby(["source", "target"], sort=False))
    fig, axes = plt.subplots(1, len(pairs), figsize=(4.8 * len(pairs), 3.6), squeeze=False)
    for ax, ((source, target), rows) in zip(axes[0], pairs):
        ax.set(ylabel=f"test {rows['metric'].iloc[0]}", title=f"{source} -> {target}")
        sizes = sorted(rows["train_samples"].unique())
        if len(sizes) == 1:  # one training set: a bar per mode
            labels = [mode.replace("_", "\n") for mode in rows["mode"]]
            ax.bar(labels, rows["value"], color=[f"C{i}" for i in range(len(rows))])
            ax.set(xlabel=f"{sizes[0]} {target} training samples", ylim=(min(0.5, rows["value"].min() - 0.05), 1.0))
            continue
        for mode, curve in rows.groupby("mode", sort=False):
            ax.plot(curve["train_samples"], curve["value"], marker="o", label=mode.replace("_", " "))
        ax.set_xscale("log")
        ax.set_xticks(sizes, [str(size) for size in sizes], minor=False)
        ax.set_xticks([], minor=True)
        ax.set(xlabel=f"{target} training samples")
        ax.legend(fontsize=8)
    return save_figure(fig, path)



def plot_variant_scores(scores: Mapping[str, np.ndarray], null: pd.DataFrame, path: PathLike, title: str = ""):
    """Per output, the distribution of the variants' scores (alt - ref) beside the null's
    background variants, with the null's two-sided 1 % cut-offs marked."""
    plt = pyplot()
    fig, axes = plt.subplots(1, max(1, len(scores)), figsize=(5 * max(1, len(scores)), 3.6), squeeze=False)
    for ax, (output, values) in zip(axes[0], scores.items()):
        background = null.loc[null["output"] == output, "score"].to_numpy() if len(null) else np.zeros(0)
        both = np.concatenate([values, background])
        bins = np.linspace(both.min(), both.max(), 60) if both.size and both.min() < both.max() else 30
        if values.size:
            ax.hist(values, bins=bins, density=True, alpha=0.6, color="C0", label=f"variants ({values.size:,})")
        if background.size:
            ax.hist(background, bins=bins, density=True, alpha=0.5, color="grey",
                    label=f"null: background variants ({background.size:,})")
            cut = np.quantile(np.abs(background), 0.99)
            for x in (-cut, cut):
                ax.axvline(x, color="C3", lw=0.8, ls="--")
            ax.plot([], [], color="C3", lw=0.8, ls="--", label="null |score| 99th percentile (p = 0.01)")
        ax.set(xlabel="score: alt - ref logit", ylabel="density", title=f"{title} {output}".strip())
        ax.set_yscale("log")
        ax.legend(fontsize=7)
    return save_figure(fig, path)


def plot_variant_alleles(ref: np.ndarray, alt: np.ndarray, ref_length: int, alt_length: int, title: str,
                         path: PathLike):
    """Two attribution logo tracks, the reference allele's window above the alternative's,
    each allele shaded (it starts at the middle column of the ``(2 * flank + 1, 4)`` tracks)."""
    plt = pyplot()
    flank = (len(ref) - 1) // 2
    fig, axes = plt.subplots(2, 1, figsize=(10, 3.6), sharex=True, sharey=True)
    for ax, track, size, name in ((axes[0], ref, ref_length, "reference"), (axes[1], alt, alt_length, "alternative")):
        _draw_logo(ax, pd.DataFrame(np.asarray(track, dtype=float), columns=list(ALPHABET)), "", ylabel=name)
        ax.axvspan(flank - 0.5, flank + min(size, flank + 1) - 0.5, color="C3", alpha=0.15, lw=0)
    axes[1].set_xticks([0, flank, 2 * flank], [f"-{flank}", "variant", f"+{flank}"])
    fig.suptitle(title, fontsize=8)
    return save_figure(fig, path, dpi=110)


def plot_insertions(insertions: pd.DataFrame, path: PathLike):
    """Per output, each inserted motif's mean effect on the logit with its spread (one
    standard deviation over backgrounds)."""
    plt = pyplot()
    outputs = list(dict.fromkeys(insertions["output"])) or [""]
    motifs = list(dict.fromkeys(insertions["motif"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(max(4, 1 + 0.9 * len(motifs)) * len(outputs), 3.6),
                             squeeze=False)
    for ax, output in zip(axes[0], outputs):
        rows = insertions.loc[insertions["output"] == output].set_index("motif").reindex(motifs)
        ax.bar(range(len(motifs)), rows["mean_effect"], yerr=rows["sd"], color="C0", alpha=0.8, capsize=3)
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_xticks(range(len(motifs)), motifs, rotation=30, ha="right", fontsize=7)
        ax.set(ylabel="effect on the logit (mean ± sd)", title=f"inserted at the centre: {output}")
    return save_figure(fig, path)


def plot_spacing(spacing: pd.DataFrame, path: PathLike):
    """Per pair and output, the interaction of two inserted motifs (joint effect minus each
    alone) against the bases between them, both orientations, ± one standard deviation."""
    plt = pyplot()
    panels = list(dict.fromkeys(zip(spacing["pair"], spacing["output"]))) or [("no pairs", "")]
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for ax, (pair, output) in zip(axes[0], panels):
        for k, (orientation, rows) in enumerate(spacing.loc[(spacing["pair"] == pair)
                                                            & (spacing["output"] == output)].groupby("orientation")):
            ax.plot(rows["spacing"], rows["interaction"], color=f"C{k}", label=orientation)
            ax.fill_between(rows["spacing"], rows["interaction"] - rows["interaction_sd"],
                            rows["interaction"] + rows["interaction_sd"], color=f"C{k}", alpha=0.2, lw=0)
        ax.axhline(0, color="grey", lw=0.6)
        ax.set(xlabel="bases between the motifs", ylabel="interaction: joint - each alone (logit)",
               title=f"{pair}: {output}")
        if len(spacing):
            ax.legend(fontsize=7)
    return save_figure(fig, path)


def plot_motif_families(families: pd.DataFrame, path: PathLike, top: int = 10):
    """Per output, the ``top`` ranked TF families: each evidence line's share (MoDISco
    seqlets, filter influence, screen effect, each over its largest) side by side."""
    plt = pyplot()
    outputs = list(dict.fromkeys(families["output"])) or [""]
    fig, axes = plt.subplots(1, len(outputs), figsize=(7.5 * len(outputs), 0.45 * top + 1.4), squeeze=False)
    lines = (("modisco_share", "MoDISco seqlets"), ("filters_share", "filter influence"),
             ("screen_share", "screen effect"))
    for ax, output in zip(axes[0], outputs):
        rows = families.loc[families["output"] == output].head(top).iloc[::-1]
        y = np.arange(len(rows))
        for k, (column, label) in enumerate(lines):
            ax.barh(y + (k - 1) * 0.27, rows[column].astype(float), height=0.27, label=label, color=f"C{k}")
        labels = [f"{row.rank}. {row.family[:52]} ({row.motifs[:30]})" for row in rows.itertuples()]
        ax.set_yticks(y, labels, fontsize=7)
        ax.set(xlim=(0, 1.05), xlabel="share of the line's largest", title=f"TF families: {output}")
        if not len(rows):
            ax.text(0.5, 0.5, "no family has evidence", ha="center", va="center", transform=ax.transAxes)
    axes[0][0].legend(fontsize=7, loc="lower right")
    return save_figure(fig, path)


def plot_profile_example(observed: np.ndarray, predicted: Mapping[str, np.ndarray], title: str, path: PathLike,
                         start: int = 0):
    """Observed counts of one window and each model's predicted counts per base, one panel
    per track and model under the observed one, on the window's genome coordinates."""
    plt = pyplot()
    n_tracks = observed.shape[1]
    fig, axes = plt.subplots(1 + len(predicted), n_tracks, figsize=(9 * n_tracks, 1.6 * (1 + len(predicted)) + 0.6),
                             squeeze=False, sharex=True)
    positions = start + np.arange(observed.shape[0])
    for j in range(n_tracks):
        axes[0, j].bar(positions, observed[:, j], width=1.0, color="0.3")
        axes[0, j].set_ylabel("observed", fontsize=8)
        for row, (name, values) in enumerate(predicted.items(), start=1):
            axes[row, j].fill_between(positions, values[:, j], step="mid", color=f"C{row - 1}")
            axes[row, j].set_ylabel(name, fontsize=8)
        axes[-1, j].set_xlabel("position (bp)")
    fig.suptitle(title, fontsize=10)
    return save_figure(fig, path)


def plot_count_scatter(observed: np.ndarray, predicted: Mapping[str, np.ndarray], is_peak: np.ndarray,
                       path: PathLike):
    """Predicted against observed log(1 + count) of every test window, peaks and background
    apart, one panel per model (first track)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(predicted), figsize=(4.2 * len(predicted), 4), squeeze=False)
    for ax, (name, values) in zip(axes[0], predicted.items(), strict=True):
        for mask, label, colour in ((is_peak, "peaks", "C0"), (~is_peak, "background", "0.6")):
            ax.scatter(observed[mask, 0], values[mask, 0], s=5, alpha=0.5, color=colour, label=label)
        r = np.corrcoef(observed[is_peak, 0], values[is_peak, 0])[0, 1] if is_peak.sum() > 2 else np.nan
        ax.set(xlabel="observed log(1 + count)", ylabel="predicted", title=f"{name} (peaks r = {r:.2f})")
        ax.legend(fontsize=7)
    return save_figure(fig, path)


def plot_footprints(footprints: pd.DataFrame, path: PathLike, title: str = ""):
    """Marginal footprints: per motif (and track), the mean predicted counts per base around
    the inserted motif's centre, with the motif and without it, and the motif's log-count effect."""
    plt = pyplot()
    groups = list(footprints.groupby(["motif", "track"], sort=False)) if len(footprints) else []
    columns = min(max(len(groups), 1), 4)
    rows = max(-(-len(groups) // columns), 1)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.8 * rows), squeeze=False)
    for ax, ((motif, track), group) in zip(axes.ravel(), groups):
        ax.plot(group["position"], group["without"], color="0.6", lw=1, label="backgrounds")
        ax.plot(group["position"], group["with_motif"], color="C0", lw=1.2, label="with motif")
        ax.axvline(0, color="0.8", lw=0.8, ls=":")
        effect = group["log_count_effect"].iloc[0]
        ax.set_title(f"{motif} ({track})\nlog count {effect:+.2f}", fontsize=8)
        ax.set_xlabel("bp from the motif's centre", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(groups):]:
        ax.axis("off")
    if not groups:
        axes[0, 0].text(0.5, 0.5, "no motif to insert", ha="center", va="center")
    axes[0, 0].set_ylabel("predicted counts per base", fontsize=8)
    if groups:
        axes[0, 0].legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return save_figure(fig, path)
