"""The summary step (``workflow/rules/summary.smk``): one table of every dataset's headline
results, and the report's tables."""

from __future__ import annotations

from biodl.config import summarized
from biodl.evaluation import summary
from biodl.steps.declaration import step


def summarize_settings(config):
    return {**summarized(config), "run_config": config}


@step("summarize", summarize_settings,
      "one table of every dataset's headline results, and the report's tables", summary.summarize_run,
      {"sequence_metrics": "metrics.json of each DNA model (evaluate-sequences)",
       "timeseries_metrics": "metrics.json of each time-series dataset", "omics_metrics":
       "metrics.json of each omics dataset", "motifs": "tomtom.tsv of each dataset's MoDISco motifs",
       "tsv": "output TSV: every number", "markdown": "output Markdown table", "page": "output HTML page",
       "tables": "output folder: <kind>/<dataset>/metrics.html"},
      several=("sequence_metrics", "timeseries_metrics", "omics_metrics", "motifs"),
      optional=("sequence_metrics", "timeseries_metrics", "omics_metrics", "motifs"),
      extra={"sequence_runs": "[dataset, model folder] of each sequence_metrics file, in order",
             "timeseries_datasets": "the dataset of each timeseries_metrics file, in order",
             "omics_datasets": "the dataset of each omics_metrics file, in order",
             "motif_datasets": "the dataset of each motifs file, in order"})
def summarize(paths, settings):
    names = {key: settings.pop(key, []) for key in ("sequence_runs", "timeseries_datasets", "omics_datasets",
                                                    "motif_datasets")}
    metrics, motifs = summary.read_results(sequence_metrics=paths.sequence_metrics,
                                           timeseries_metrics=paths.timeseries_metrics,
                                           omics_metrics=paths.omics_metrics, motifs=paths.motifs,
                                           **names)
    summary.summarize_run(metrics, motifs, paths.tsv, paths.markdown, paths.page, paths.tables, **settings)
