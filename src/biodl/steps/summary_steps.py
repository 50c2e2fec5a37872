"""The summary step (``workflow/rules/summary.smk``): one table of every dataset's headline
results, and the report's tables."""

from __future__ import annotations

from biodl.config import summarized
from biodl.evaluation import summary
from biodl.steps.declaration import step

NAMED_FILES = ("sequence_metrics", "timeseries_metrics", "omics_metrics", "profile_metrics", "motifs",
               "variants")
"""The summary's inputs, each paired in order with the names its settings give."""


def summarize_settings(config):
    return {**summarized(config), "run_config": config}


@step("summarize", summarize_settings,
      "one table of every dataset's headline results, and the report's tables", summary.summarize_run,
      {"sequence_metrics": "metrics.json of each DNA model (evaluate-sequences)",
       "timeseries_metrics": "metrics.json of each time-series dataset", "omics_metrics":
       "metrics.json of each omics dataset", "profile_metrics": "metrics.json of each profile dataset",
       "motifs": "motif_families.json of each interpreted dataset",
       "variants": "summary.json of each DNA model's score-variants",
       "tsv": "output TSV: every number", "markdown": "output Markdown table", "page": "output HTML page",
       "tables": "output folder: <kind>/<dataset>/metrics.html"},
      several=NAMED_FILES, optional=NAMED_FILES,
      extra={"sequence_runs": "[dataset, model folder] of each sequence_metrics file, in order",
             "timeseries_datasets": "the dataset of each timeseries_metrics file, in order",
             "omics_datasets": "the dataset of each omics_metrics file, in order",
             "profile_runs": "[dataset, model folder] of each profile_metrics file, in order",
             "motif_datasets": "the dataset of each motifs file, in order",
             "variant_runs": "[dataset, model folder] of each variants file, in order"})
def summarize(paths, settings):
    names = {key: settings.pop(key, []) for key in ("sequence_runs", "timeseries_datasets", "omics_datasets",
                                                    "profile_runs", "motif_datasets", "variant_runs")}
    results = summary.read_results(**{key: getattr(paths, key) for key in NAMED_FILES}, **names)
    summary.summarize_run(results, paths.tsv, paths.markdown, paths.page, paths.tables, **settings)
