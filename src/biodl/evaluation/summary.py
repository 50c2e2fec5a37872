"""Every dataset's results at a glance: one row per dataset and model with its headline
test metric, the spread over seeds and the strongest baseline beside it, and for DNA the
transcription factor family the network relies on and the model's variant effects.

:func:`summarize` builds the table from the metrics each ``evaluate_*`` step writes;
:func:`write_summary` writes it as TSV, Markdown (what ``make run`` prints) and the HTML
page the Snakemake report shows, with every dataset's full metrics table, the config and
the software versions of the run. Reading JSON and TSV only: no TensorFlow.
"""

from __future__ import annotations

import html
import importlib.metadata
import logging
import platform
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import yaml

from biodl.io.files import PathLike, atomic_output, read_json, write_table

log = logging.getLogger(__name__)

KINDS = {"sequences": "DNA", "timeseries": "time series", "omics": "multi-omics", "profiles": "DNA profiles"}
"""Dataset kind -> the words the tables use for it."""

NETWORKS = re.compile(
    r"^(searched_)?(cnn1d|gaf_cnn|gaf_fusion|fcn|resnet1d|lstm|(joint|early)_(vae|ae)(_supervised)?|bpnet|chrombpnet|bias)(_ensemble)?$|^weighted_ensemble$")
"""Names of biodl's networks; every other model in a metrics file is a baseline."""

COLUMNS = ["dataset", "data", "model", "metric", "value", "spread", "seeds", "n_test", "baseline",
           "baseline_value", "baseline_spread", "chosen_on_validation", "motifs", "variants"]

SOFTWARE = ("biodl", "tensorflow", "keras", "snakemake", "numpy", "pandas", "scikit-learn", "pyts", "optuna",
            "modisco-lite", "memelite", "pyjaspar")


def headline_metric(kind: str, metrics: Mapping) -> str:
    """The metric a dataset is summarised by: AUROC for DNA classification, Pearson r for
    DNA regression, accuracy for time series, balanced accuracy of a classifier on the
    latent for omics, the Pearson r of predicted and observed log counts in test peaks for
    profiles (ChromBPNet's headline)."""
    if kind == "sequences":
        return "pearson" if metrics.get("task") == "regression" else "auroc"
    return {"timeseries": "accuracy", "omics": "balanced_accuracy", "profiles": "count_pearson_peaks"}[kind]


def _scores(kind: str, metrics: Mapping) -> dict[str, dict]:
    """model -> ``{"values": {metric: (mean, sd over seeds or None)}, "seeds": n}`` of one
    metrics file: the one reader of the kinds' layouts."""
    if kind in ("sequences", "profiles"):
        return {name: {"values": {key: (value, None) for key, value in scores.items()
                                  if key != "n" and np.isscalar(value)}, "seeds": 1}
                for name, scores in metrics["models"].items()}
    models = metrics["models"] if kind == "timeseries" else metrics["summary"]
    runs = ({name: scores["seeds"] for name, scores in models.items()} if kind == "timeseries" else
            {name: sum(run["model"] == name for run in metrics["per_seed"]) for name in models})
    return {name: {"values": {key.removesuffix("_mean"): (scores[key], scores[key.replace("_mean", "_std")]
                                                         if runs[name] > 1 else None)
                              for key in scores if key.endswith("_mean")},
                   # an ensemble is one run over its network's seeds: it counts them
                   "seeds": runs.get(name.removesuffix("_ensemble"), runs[name])}
            for name, scores in models.items()}


def _metrics_files(kind: str, metrics: Mapping) -> list[Mapping]:
    """A dataset's metrics files; a DNA model folder's network renamed after the folder
    (every folder's file calls it ``cnn1d``; a profile model's file names it ``model``)."""
    if kind not in ("sequences", "profiles"):
        return [metrics]
    files = []
    for folder, folder_metrics in metrics.items():
        network = folder_metrics.get("model", "cnn1d")
        models = {folder if name == network else name: scores for name, scores in folder_metrics["models"].items()}
        files.append({**folder_metrics, "models": models})
    return files


def _n_test(kind: str, metrics: Mapping) -> int:
    if kind in ("sequences", "profiles"):
        return int(next(iter(metrics["models"].values()))["n"])
    if kind == "timeseries":
        return int(metrics["n_test"])
    return int(np.mean([run["n_test"] for run in metrics["per_seed"]]))


def motif_answer(families: Mapping) -> str:
    """The motif families step's answer for each output (``motif_families.json``), then the
    next two families."""
    parts = []
    for summary in families.values():
        text = summary["answer"]
        if len(summary["top"]) > 1:
            text += f"; then {', '.join(summary['top'][1:])}"
        parts.append(text)
    return " | ".join(parts)


def variant_effects(summary: Mapping) -> str:
    """``N scored, M at p < 0.01`` per output of a ``score_variants`` summary, with the
    known answers' AUROC where the variants have them."""
    parts = []
    known = summary.get("known_answers", {})
    for output, counts in summary["outputs"].items():
        text = f"{counts['scored']:,} scored, {counts['p_below_0.01']:,} at p < 0.01"
        if known.get(output, {}).get("auroc_abs_score") is not None:
            text += f", known answers AUROC {known[output]['auroc_abs_score']:.3f}"
        parts.append(text if len(summary["outputs"]) == 1 else f"{output}: {text}")
    return "; ".join(parts)


def summarize(
    metrics: Mapping[tuple[str, str], Mapping],
    motifs: Mapping[str, Mapping] | None = None,
    variants: Mapping[tuple[str, str], Mapping] | None = None,
) -> pd.DataFrame:
    """The summary table.

    Parameters
    ----------
    metrics
        ``(kind, dataset)`` -> the dataset's metrics (the JSON an ``evaluate_*`` step
        writes); for DNA, a mapping of model folder (``cnn1d``, ``searched_cnn1d``) -> its
        metrics. ``kind`` is one of :data:`KINDS`.
    motifs
        Dataset -> its ``motif_families.json`` (:func:`biodl.interpret.families.rank_families`);
        the answer per output goes in the ``motifs`` column of the configured network's row.
    variants
        ``(dataset, model folder)`` -> the ``summary.json`` of its ``score_variants``; in the
        ``variants`` column of that model's row (:func:`variant_effects`).

    Returns
    -------
    pandas.DataFrame
        One row per dataset and network, with :data:`COLUMNS`: the headline metric on the
        test split (``value``; the mean over seeds when there are several), its standard
        deviation over seeds (``spread``), the best baseline on the same metric, and (time
        series) the model the validation split chooses among networks and baselines.
    """
    motifs, variants = motifs or {}, variants or {}
    rows = []
    for (kind, dataset), files in metrics.items():
        if kind not in KINDS:
            raise ValueError(f"unknown dataset kind {kind!r} for {dataset!r}; expected one of {sorted(KINDS)}")
        for file_metrics in _metrics_files(kind, files):
            metric = headline_metric(kind, file_metrics)
            scores = {name: (*model["values"][metric], model["seeds"])
                      for name, model in _scores(kind, file_metrics).items()}
            baselines = {name: score for name, score in scores.items() if not NETWORKS.match(name)}
            baseline = max(baselines, key=lambda name: baselines[name][0], default=None)
            for name, (value, spread, seeds) in scores.items():
                if name not in baselines:
                    rows.append({
                        "dataset": dataset, "data": KINDS[kind], "model": name, "metric": metric, "value": value,
                        "spread": spread, "seeds": seeds, "n_test": _n_test(kind, file_metrics),
                        "baseline": baseline, "baseline_value": baselines[baseline][0] if baseline else None,
                        "baseline_spread": baselines[baseline][1] if baseline else None,
                        "chosen_on_validation": file_metrics.get("chosen_on_validation", {}).get("model"),
                        "motifs": motif_answer(motifs[dataset]) if dataset in motifs and name == "cnn1d" else None,
                        "variants": variant_effects(variants[(dataset, name)]) if (dataset, name) in variants
                        else None,
                    })
    return pd.DataFrame(rows, columns=COLUMNS)


def _number(value, spread=None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = f"{value:.3f}"
    if spread is not None and not (isinstance(spread, float) and np.isnan(spread)):
        text += f" ± {spread:.3f}"
    return text


def display_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as people read it: ``value ± spread``, the baseline beside it."""
    return pd.DataFrame({
        "dataset": summary["dataset"], "data": summary["data"], "model": summary["model"],
        "test metric": summary["metric"],
        "value": [_number(v, s) for v, s in zip(summary["value"], summary["spread"], strict=True)],
        "seeds": summary["seeds"], "n test": summary["n_test"],
        "baseline": summary["baseline"].fillna(""),
        "baseline value": [_number(v, s) for v, s in zip(summary["baseline_value"], summary["baseline_spread"],
                                                         strict=True)],
        "chosen on validation": summary["chosen_on_validation"].fillna(""),
        "motifs (TF family relied on)": summary["motifs"].fillna(""),
        "variant effects": summary["variants"].fillna(""),
    })


def to_markdown(table: pd.DataFrame) -> str:
    """A pipe table (GitHub Markdown), every cell as text."""
    cells = table.astype(str).map(lambda text: text.replace("|", "\\|"))
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells.itertuples(index=False)]
    return "\n".join(lines) + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 100%; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f3f7; } tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td { white-space: nowrap; } td:last-child { white-space: normal; min-width: 16em; }
p.caption { color: #444; max-width: 60em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
"""


def html_table(table: pd.DataFrame, numeric: tuple[str, ...] = ()) -> str:
    """An HTML table that scrolls sideways rather than overflowing; ``numeric`` columns are
    right-aligned."""
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in table.columns)
    body = []
    for row in table.itertuples(index=False):
        cells = [f'<td class="num">{html.escape(str(cell))}</td>' if column in numeric
                 else f"<td>{html.escape(str(cell))}</td>" for column, cell in zip(table.columns, row, strict=True)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def html_page(title: str, sections: list[tuple[str, str, str]]) -> str:
    """A self-contained HTML page: ``(heading, caption, body html)`` sections."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    for heading, caption, body in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>" if heading else "")
        parts.append(f'<p class="caption">{html.escape(caption)}</p>' if caption else "")
        parts.append(body)
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def metrics_table(kind: str, metrics: Mapping) -> pd.DataFrame:
    """One dataset's full test metrics: a row per model (per model folder for DNA), a column
    per metric, ``mean ± sd`` over seeds where there are several; a baseline that failed has
    a row saying why (``failed``)."""
    rows = []
    for file_metrics in _metrics_files(kind, metrics):
        for name, model in _scores(kind, file_metrics).items():
            row = {"model": name, **{metric: _number(*value) for metric, value in model["values"].items()}}
            if kind in ("sequences", "profiles"):
                row["n test"] = _n_test(kind, file_metrics)
            else:
                row["seeds"] = model["seeds"]
            rows.append(row)
        rows += [{"model": name, "failed": reason} for name, reason in file_metrics.get("failed_baselines", {}).items()]
    table = pd.DataFrame(rows).drop_duplicates(subset="model", keep="first")
    return table.fillna("")


METRICS_CAPTION = {
    "sequences": ("Test-split metrics of the DNA network(s) beside the baselines: pwm_scan scores sequences with "
                  "the JASPAR motifs given as baseline_motifs, kmer is a linear model of k-mer frequencies. "
                  "Higher is better for every metric."),
    "timeseries": ("Test accuracy (mean ± sd over seeds) of each network on the test split, of each network's "
                   "ensemble over its seeds (mean class probabilities), and of the classical baselines: "
                   "1-nearest-neighbour with Euclidean distance (1nn) and with DTW (1nn_dtw, band chosen on the "
                   "training series), and WEASEL words with a logistic regression (weasel). gaf_fusion reads "
                   "the images and the raw series in two branches. The model chosen on validation is the one "
                   "of top validation accuracy among the networks' ensembles and the baselines fitted on the "
                   "training split alone (ties: a network, then the lower validation log loss)."),
    "omics": ("Test-split quality of each model's latent space, mean ± sd over seeds (each seed draws its own "
              "split): balanced accuracy and macro F1 of a logistic regression fitted on the training samples' "
              "embeddings, and agreement (ARI, NMI) of k-means clusters with the labels; PCA on the same "
              "preprocessed features and the raw features are the baselines."),
    "profiles": ("Metrics of the base-resolution profile model (bpnet) on the held-out test chromosomes, as "
                 "ChromBPNet reports them: Pearson and Spearman r of predicted and observed log(1 + count) in "
                 "the peaks (_peaks) and over peaks and GC-matched background windows (_all); the median over "
                 "peaks of the per-window profile Pearson r and of the Jensen-Shannon distance between the "
                 "predicted and observed profiles (lower is better). average_profile_kmer predicts every "
                 "profile as the average training peak profile and the count by ridge regression on k-mer "
                 "frequencies. n test counts the test windows."),
}

SUMMARY_CAPTION = (
    "One row per dataset and network. value: the headline metric on the held-out test split (AUROC for DNA "
    "classification, Pearson r for DNA regression, accuracy for time series, balanced accuracy of a classifier "
    "on the latent space for multi-omics, count Pearson r in test peaks for DNA profiles), mean ± standard "
    "deviation over seeds where there are several. "
    "baseline: the strongest simple baseline on the same split and metric. motifs: per explained output, the "
    "transcription factor family the network relies on most (MoDISco patterns, filter influence and the "
    "in-silico motif screen together; motif_families.tsv has the evidence), where the configured motifs' "
    "family ranks, and the next two families. variant effects: the variants the network scored, how many "
    "pass an empirical p < 0.01 against matched background variants, and for simulated variants with known "
    "answers the AUROC of |score| for telling site-breaking variants from the others. searched_ models use the "
    "settings chosen by the search on validation data; an _ensemble averages the class probabilities of its "
    "network's seeds (one run; seeds counts its members).")


def software_versions() -> pd.DataFrame:
    """Versions of Python and of the packages a biodl run depends on (installed metadata
    only: nothing is imported)."""
    rows = [("python", platform.python_version())]
    for package in SOFTWARE:
        try:
            rows.append((package, importlib.metadata.version(package)))
        except importlib.metadata.PackageNotFoundError:
            rows.append((package, "not installed"))
    return pd.DataFrame(rows, columns=["package", "version"])


class Results(NamedTuple):
    """What the summary reads (see :func:`summarize`): ``metrics``, ``motifs``, ``variants``."""

    metrics: dict[tuple[str, str], dict]
    motifs: dict[str, dict]
    variants: dict[tuple[str, str], dict]


def read_results(
    sequence_runs: Sequence[Sequence[str]] = (), sequence_metrics: Sequence[PathLike] = (),
    timeseries_datasets: Sequence[str] = (), timeseries_metrics: Sequence[PathLike] = (),
    omics_datasets: Sequence[str] = (), omics_metrics: Sequence[PathLike] = (),
    profile_runs: Sequence[Sequence[str]] = (), profile_metrics: Sequence[PathLike] = (),
    motif_datasets: Sequence[str] = (), motifs: Sequence[PathLike] = (),
    variant_runs: Sequence[Sequence[str]] = (), variants: Sequence[PathLike] = (),
) -> Results:
    """The metrics, motif tables and variant summaries the workflow wrote, as
    :func:`summarize` takes them: each list of names paired, in order, with its list of files.

    Parameters
    ----------
    sequence_runs, sequence_metrics
        ``[dataset, model folder]`` of each DNA model, and its ``metrics.json``.
    timeseries_datasets, timeseries_metrics, omics_datasets, omics_metrics
        Each dataset and its ``metrics.json``.
    profile_runs, profile_metrics
        ``[dataset, model folder]`` of each profile model (``bpnet``, ``bias``,
        ``chrombpnet``), and its ``metrics.json``.
    motif_datasets, motifs
        Each dataset with interpretation, and its ``motif_families.json``.
    variant_runs, variants
        ``[dataset, model folder]`` of each DNA model that scored variants, and the
        ``summary.json`` of its ``score_variants``.
    """
    def paired(names, files, what):
        files = files or []  # a command given no file of a kind passes None
        if len(names) != len(files):
            raise ValueError(f"{len(names)} datasets named for {len(files)} {what} files")
        return zip(names, files, strict=True)

    metrics: dict[tuple[str, str], dict] = {}
    for kind, runs, files in (("sequences", sequence_runs, sequence_metrics),
                              ("profiles", profile_runs, profile_metrics)):
        for (dataset, model), path in paired(runs, files, f"{kind.removesuffix('s')} metrics"):
            metrics.setdefault((kind, dataset), {})[model] = read_json(path)
    for kind, names, files in (("timeseries", timeseries_datasets, timeseries_metrics),
                               ("omics", omics_datasets, omics_metrics)):
        for dataset, path in paired(names, files, f"{kind} metrics"):
            metrics[(kind, dataset)] = read_json(path)
    families = {dataset: read_json(path) for dataset, path in paired(motif_datasets, motifs, "motif")}
    scored = {(dataset, model): read_json(path)
              for (dataset, model), path in paired(variant_runs, variants, "variant summary")}
    return Results(metrics, families, scored)


def write_summary(
    summary: pd.DataFrame,
    metrics: Mapping[tuple[str, str], Mapping],
    tsv: PathLike,
    markdown: PathLike,
    page: PathLike,
    tables: PathLike,
    run_config: Mapping | None = None,
) -> None:
    """Write the summary in every form a user reads it.

    Parameters
    ----------
    summary, metrics
        From :func:`summarize`, and the metrics it was built from.
    tsv, markdown
        The table with every number (TSV), and as printed by ``make run`` (Markdown).
    page
        The report's summary page (HTML): the table, every dataset's metrics table, the
        software versions and ``run_config``.
    tables
        Folder of one ``<kind>/<dataset>/metrics.html`` per dataset, for the report's
        dataset pages.
    run_config
        The run's config, shown on the page (the workflow passes it with every default
        filled in); None: not shown.
    """
    shown = display_table(summary)
    write_table(tsv, summary, index=False)
    with atomic_output(markdown) as tmp:
        tmp.write_text(to_markdown(shown))
    numeric = ("value", "seeds", "n test", "baseline value")
    sections = [("", SUMMARY_CAPTION, html_table(shown, numeric))]
    for (kind, dataset), dataset_metrics in metrics.items():
        table = metrics_table(kind, dataset_metrics)
        body = html_table(table, tuple(c for c in table.columns if c != "model"))
        sections.append((f"{dataset} ({KINDS[kind]})", METRICS_CAPTION[kind], body))
        with atomic_output(Path(tables) / kind / dataset / "metrics.html") as tmp:
            tmp.write_text(html_page(f"{dataset}: test metrics", [("", METRICS_CAPTION[kind], body)]))
    sections.append(("Software", "Versions installed where the summary was written.",
                     html_table(software_versions())))
    if run_config is not None:
        text = yaml.safe_dump(dict(run_config), sort_keys=False, default_flow_style=None)
        sections.append(("Config", "The run's config, every default filled in.", f"<pre>{html.escape(text)}</pre>"))
    with atomic_output(page) as tmp:
        tmp.write_text(html_page("biodl results", sections))


def summarize_run(results: Results, tsv: PathLike, markdown: PathLike, page: PathLike, tables: PathLike,
                  run_config: Mapping | None = None) -> pd.DataFrame:
    """The workflow's ``summarize`` step: :func:`summarize` the results (as
    :func:`read_results` reads them), :func:`write_summary` every form of it, and log the
    table; returns it."""
    table = summarize(results.metrics, results.motifs, results.variants)
    write_summary(table, results.metrics, tsv, markdown, page, tables, run_config)
    log.info("summary of %d datasets, %d models:\n%s", len(results.metrics), len(table),
             to_markdown(display_table(table)))
    return table
