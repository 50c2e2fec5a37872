"""Each plot function returns its figure: the tests look at what was drawn, and at the PNG."""

import numpy as np
import pandas as pd
from matplotlib.image import imread

from biodl.evaluation import plots
from biodl.io.jaspar import fetch_jaspar


def png_shape(path):
    image = imread(path)
    assert image.std() > 0.01  # not blank
    return image.shape[:2]


def test_performance_draws_one_curve_per_model_and_class(tmp_path):
    y = np.array([0, 1, 2, 1])
    scores = {"cnn1d": np.eye(3)[[0, 1, 2, 2]], "pwm_scan": np.full((4, 3), 1 / 3)}
    fig = plots.plot_performance(y, scores, "multiclass", ["x", "y", "z"], tmp_path / "p.png")
    roc, pr = fig.axes
    assert len(roc.lines) == 2 * 3 + 1 and len(pr.lines) == 2 * 3  # + the diagonal
    assert {line.get_label() for line in pr.lines} >= {"cnn1d: x", "pwm_scan: z"}
    assert png_shape(tmp_path / "p.png") == (576, 1200)  # 10 x 4.8 in at 120 dpi
    fig = plots.plot_performance(np.arange(5.0), {"cnn1d": np.arange(5.0)}, "regression", ["v"], tmp_path / "r.png")
    assert fig.axes[0].get_xlabel() == "observed" and len(fig.axes[0].collections) == 1


def test_history_marks_the_kept_epoch(tmp_path):
    history = pd.DataFrame({"epoch": [1, 2, 3], "loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.8],
                            "best": [False, True, False]})
    fig = plots.plot_history(history, tmp_path / "h.png")
    (ax,) = fig.axes
    train, validation, kept = ax.lines
    assert validation.get_ydata().tolist() == [1.1, 0.7, 0.8] and kept.get_xdata()[0] == 2
    png_shape(tmp_path / "h.png")


def test_confusion_counts(tmp_path):
    fig = plots.plot_confusion(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), ["a", "b"], tmp_path / "c.png")
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "1", "1", "2"]


def test_latent_reconstruction_and_gaf_examples(tmp_path):
    z = np.random.default_rng(0).normal(size=(30, 3))
    fig = plots.plot_latent(z, np.repeat(["a", "b", "c"], 10), tmp_path / "l.png", "model")
    assert [len(ax.collections) for ax in fig.axes] == [3, 3]
    errors = pd.DataFrame({"omic": ["m", "m", "r"], "model": ["ae", "vae", "ae"], "error": [1.0, 2.0, 3.0]})
    fig = plots.plot_reconstruction(errors, tmp_path / "e.png")
    assert len(fig.axes[0].patches) == 4  # 2 omics x 2 models (one bar empty)
    images = np.random.default_rng(1).normal(size=(4, 8, 8, 2)).astype(np.float16)
    fig = plots.plot_gaf_examples(images, np.array([0, 1, 0, 1]), ["p", "q"], ["gasf", "gadf"], tmp_path / "g.png")
    assert [ax.get_title() for ax in fig.axes] == ["p: gasf ch0", "p: gadf ch0", "q: gasf ch0", "q: gadf ch0"]


def test_motif_logos_beside_their_match(tmp_path):
    ctcf, rest = fetch_jaspar(["MA0139", "MA0138"])
    matches = pd.DataFrame([{"query": "found", "rank": 1, "target_id": ctcf.id, "target_name": "CTCF",
                             "p_value": 1e-9, "q_value": 1e-7, "strand": "-"}])
    found = type(ctcf)("found", "found", ctcf.ppm[::-1, ::-1])
    fig = plots.plot_motif_matches([found, rest], matches, {ctcf.id: ctcf}, tmp_path / "m.png")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:2] == ["found", f"{ctcf.id} CTCF (-)  p=1.0e-09 q=1.0e-07"] and titles[2] == rest.id
    assert not fig.axes[3].axison  # no match for REST: an empty panel
    # calibrated tables: the finding is drawn (not the better-p match that is not one), findings first
    calibrated = pd.DataFrame([
        {"query": "found", "rank": 1, "target_id": "MA9", "target_name": "X", "p_value": 1e-10, "q_value": 1e-8,
         "strand": "+", "overlap": 12, "false_match_rate": 0.3, "beyond_null": False, "finding": False},
        {"query": "found", "rank": 2, "target_id": ctcf.id, "target_name": "CTCF", "p_value": 1e-9, "q_value": 1e-7,
         "strand": "-", "overlap": 15, "false_match_rate": 0.0, "beyond_null": True, "finding": True},
        {"query": rest.id, "rank": 1, "target_id": ctcf.id, "target_name": "CTCF", "p_value": 1e-12,
         "q_value": 1e-9, "strand": "+", "overlap": 6, "false_match_rate": 0.2, "beyond_null": False,
         "finding": False}])
    fig = plots.plot_motif_matches([rest, found], calibrated, {ctcf.id: ctcf}, tmp_path / "c.png")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "found" and titles[1].endswith("q=1.0e-07\nfinding") and titles[2] == rest.id
    assert titles[3].endswith("not beyond the null: false match rate 0.20, overlap 6")
    fig = plots.plot_attribution_tracks([np.eye(4)[[0, 1, 2, 3, 0]]], ["seq"], tmp_path / "t.png")
    assert fig.axes[0].get_title() == "seq" and fig.axes[0].get_ylabel() == "attribution"
