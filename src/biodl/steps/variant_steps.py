"""The variant steps (``workflow/rules/variants.smk``): variant effect scores of each trained
DNA model against an empirical null."""

from __future__ import annotations

import pandas as pd

from biodl.data.datasets import EncodedDataset
from biodl.evaluation import plots
from biodl.interpret import variant_effects
from biodl.io.genome import Genome
from biodl.io.intervals import read_regions
from biodl.io.tables import read_delimited
from biodl.steps.declaration import step
from biodl.steps.shared import load_checked_model


def score_variants_settings(config, seq_dataset, seq_model="cnn1d"):
    variants = config["sequences"][seq_dataset]["variants"]
    return {"n_null": variants["n_null"], "chunk_size": variants["chunk_size"], "seed": config["seed"]}


@step("score_variants", score_variants_settings,
      "variant effect scores of a DNA model, against matched background variants",
      variant_effects.score_variants,
      {"data": ".npz from prepare-sequences (the model's output names)", "model": ".keras",
       "genome": "indexed FASTA the variants are on (index-genome)",
       "index": "the genome's .fai (read from beside it; named so that a workflow builds it first)",
       "variants": "VCF, VCF.gz or TSV of chrom, pos, ref, alt",
       "regions": "BED or narrowPeak files where the null is drawn (none: the whole genome)",
       "truth": "TSV of known answers: id, breaks_site (simulate-genome's)",
       "scores": "output TSV (.gz to compress): one row per variant and output",
       "null": "output TSV: the background variants and their scores",
       "unscored": "output TSV: the alleles left out, with line and reason",
       "summary": "output JSON: counts, score quantiles, known answers", "plot": "output PNG: scores beside the null"},
      several=("regions",), optional=("index", "regions", "truth"), tensorflow=True)
def score_variants(paths, settings):
    dataset = EncodedDataset.load(paths.data, stream=True)
    model = load_checked_model(paths.model, paths.data, dataset)
    regions = pd.concat([read_regions(path)[["chrom", "start", "end"]] for path in paths.regions],
                        ignore_index=True) if paths.regions else None
    truth = read_delimited(paths.truth) if paths.truth else None
    with Genome(paths.genome) as genome:
        result = variant_effects.score_variants(model, genome, paths.variants, dataset.names, regions=regions,
                                                truth=truth, scores_path=paths.scores, **settings)
    result.write(paths.null, paths.unscored, paths.summary)
    plots.plot_variant_scores(result.score_values, result.null, paths.plot)
