"""The in-silico motif screen: ask a trained DNA model about every motif of a database.

Each motif is sampled from its PPM (one site per background, on a random strand) and written
at the centre of dinucleotide-shuffled backgrounds of the dataset (the insertion experiments
of :mod:`biodl.interpret.experiments`). Its null is the same site with its bases shuffled,
at the same place in the same background: the same length and composition without the
motif's order. The effect beyond the null is what the order of the motif's bases does to the
prediction, so a long GC-rich matrix does not rank high for a model that merely likes GC.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from biodl.data.pwm import Motif, sample_bases
from biodl.interpret.compare import benjamini_hochberg
from biodl.interpret.experiments import N_BACKGROUNDS, shuffled_backgrounds
from biodl.interpret.variant_effects import StrandLogits

log = logging.getLogger(__name__)

SCREEN_BACKGROUNDS = N_BACKGROUNDS
"""Backgrounds each motif is inserted into unless a caller says otherwise: as many as an
insertion experiment's (100); with 32, effects of a fifth of a logit (yeast ATAC's REB1)
stayed short of q 0.05 over the 178 fungal motifs."""
ROUNDING = 1e-4
"""Differences of scores smaller than this are float32 rounding (the same bases summed in
another order), counted as none."""
WINDOWS_PER_BATCH = 4096
"""Windows (motif and null) built and scored at a time."""

SCREEN_COLUMNS = ["motif_id", "motif_name", "family", "width", "output", "effect", "null_effect",
                  "effect_beyond_null", "sd", "sem", "n", "t", "p_value", "q_value", "fraction_up"]


def sample_sites(motif: Motif, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` sites drawn from a motif's PPM (:func:`biodl.data.pwm.sample_bases`), each on a
    random strand, one-hot ``(n, W, 4)``."""
    sites = np.eye(4, dtype=np.float32)[sample_bases(motif, n, rng)]
    minus = rng.random(n) < 0.5
    sites[minus] = sites[minus, ::-1, ::-1]
    return sites


def shuffled_sites(sites: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each site with its positions in a random order: the same bases, not the motif."""
    order = np.argsort(rng.random(sites.shape[:2]), axis=1)
    return np.take_along_axis(sites, order[..., None], axis=1)


def motif_screen(
    model,
    x,
    motifs: Sequence[Motif],
    names: Sequence[str],
    *,
    outputs: Sequence[str] = (),
    n_backgrounds: int = SCREEN_BACKGROUNDS,
    seed: int = 1,
) -> pd.DataFrame:
    """Insert every motif into shuffled backgrounds and measure its effect beyond its null.

    Parameters
    ----------
    model, names
        A trained DNA model and its output names.
    x
        The dataset's one-hot sequences (an array or rows on disk); the backgrounds are
        dinucleotide shuffles of ``n_backgrounds`` of them.
    motifs
        The motifs screened (e.g. a whole JASPAR collection). Motifs longer than the model's
        window cannot be inserted; they are left out with a logged count.
    outputs
        Output names reported; none: all.
    n_backgrounds, seed
        Backgrounds per motif (each motif gets its own sampled site in each), and the seed
        of the backgrounds, the sites and the shuffles.

    Returns
    -------
    pandas.DataFrame
        One row per motif and output (:data:`SCREEN_COLUMNS`): ``effect`` (mean score with
        the site minus without; a score is the strand-averaged logit, a log-probability for
        a softmax head), ``null_effect`` (the same with the site's bases shuffled),
        ``effect_beyond_null`` (their mean paired difference), its ``sd`` and ``sem`` over
        backgrounds, ``t``, a one-sided ``p_value`` (the motif raises the score beyond its
        null), ``q_value`` (Benjamini-Hochberg over the motifs of an output) and
        ``fraction_up`` (backgrounds where the motif beat its null). Rows are ordered by
        output, then ``effect_beyond_null``, largest first.
    """
    if n_backgrounds < 2:
        raise ValueError(f"n_backgrounds must be at least 2 (a spread needs two), got {n_backgrounds}")
    unknown = sorted(set(outputs) - set(names))
    if unknown:
        raise ValueError(f"outputs {unknown} are not among the model's outputs {list(names)}")
    columns = [list(names).index(name) for name in outputs] if outputs else list(range(len(names)))
    logits = StrandLogits(model)
    length = logits.length
    fitting = [m for m in motifs if m.width <= length]
    if len(fitting) < len(motifs):
        log.warning("%d of %d motifs are longer than the model's %d bp window and are not screened: %s",
                    len(motifs) - len(fitting), len(motifs), length,
                    ", ".join(m.id for m in motifs if m.width > length))
    if not fitting:
        return pd.DataFrame(columns=SCREEN_COLUMNS)
    rng = np.random.default_rng(seed)
    backgrounds = shuffled_backgrounds(x, n_backgrounds, seed)
    base = logits.scores(backgrounds)[:, columns]
    per_batch = max(1, WINDOWS_PER_BATCH // (2 * n_backgrounds))
    effects, nulls = [], []
    for first in range(0, len(fitting), per_batch):
        group = fitting[first:first + per_batch]
        with_site = np.tile(backgrounds, (2 * len(group), 1, 1))
        for k, motif in enumerate(group):
            start = (length - motif.width) // 2
            sites = sample_sites(motif, n_backgrounds, rng)
            rows = slice(2 * k * n_backgrounds, (2 * k + 1) * n_backgrounds)
            with_site[rows, start:start + motif.width] = sites
            rows = slice((2 * k + 1) * n_backgrounds, (2 * k + 2) * n_backgrounds)
            with_site[rows, start:start + motif.width] = shuffled_sites(sites, rng)
        scores = logits.scores(with_site)[:, columns].reshape(len(group), 2, n_backgrounds, len(columns))
        effects.append(scores[:, 0] - base)
        nulls.append(scores[:, 1] - base)
    chosen = [names[j] for j in columns]
    effect, null = np.concatenate(effects), np.concatenate(nulls)  # (motifs, backgrounds, outputs)
    return _screen_table(fitting, chosen, effect, null)


def _screen_table(motifs: Sequence[Motif], outputs: Sequence[str], effect: np.ndarray, null: np.ndarray
                  ) -> pd.DataFrame:
    from scipy import stats

    difference = effect - null
    difference[np.abs(difference) < ROUNDING] = 0.0
    n = difference.shape[1]
    mean, sd = difference.mean(axis=1), difference.std(axis=1, ddof=1)
    sem = sd / np.sqrt(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(sem > 0, mean / sem, np.sign(mean) * np.inf)
    t = np.nan_to_num(t, nan=0.0, posinf=np.inf, neginf=-np.inf)
    p = stats.t.sf(t, df=n - 1)
    q = benjamini_hochberg(p.T).T
    tables = []
    for j, output in enumerate(outputs):
        tables.append(pd.DataFrame({
            "motif_id": [m.id for m in motifs], "motif_name": [m.name for m in motifs],
            "family": [m.family_name for m in motifs], "width": [m.width for m in motifs], "output": output,
            "effect": effect[:, :, j].mean(axis=1), "null_effect": null[:, :, j].mean(axis=1),
            "effect_beyond_null": mean[:, j], "sd": sd[:, j], "sem": sem[:, j], "n": n, "t": t[:, j],
            "p_value": p[:, j], "q_value": q[:, j], "fraction_up": (difference[:, :, j] > 0).mean(axis=1),
        }).sort_values("effect_beyond_null", ascending=False, kind="stable"))
    table = pd.concat(tables, ignore_index=True)
    for output in outputs:
        top = table[table["output"] == output].head(5)
        log.info("screen, output %r: %s", output, ", ".join(
            f"{row.motif_name} ({row.family}) {row.effect_beyond_null:+.3f} q={row.q_value:.2g}"
            for row in top.itertuples()))
    return table[SCREEN_COLUMNS]
