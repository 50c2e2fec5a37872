"""The variant and in-silico experiment steps (``workflow/rules/variants.smk``): variant
effect scores of each trained DNA model against an empirical null, why the top variants
matter, and motifs inserted into shuffled backgrounds."""

from __future__ import annotations

import pandas as pd

from biodl.evaluation import plots
from biodl.interpret import experiments, variant_effects, variant_explanations
from biodl.io.genome import Genome
from biodl.io.intervals import read_regions
from biodl.io.meme import read_meme
from biodl.io.tables import read_delimited
from biodl.steps.declaration import step
from biodl.steps.interpret_steps import DATABASE, known_motifs, motif_database_settings
from biodl.steps.shared import dataset_and_model


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
    dataset, model = dataset_and_model(paths)
    regions = pd.concat([read_regions(path)[["chrom", "start", "end"]] for path in paths.regions],
                        ignore_index=True) if paths.regions else None
    truth = read_delimited(paths.truth, "table of known answers", columns=["id", "breaks_site"]) if paths.truth \
        else None
    with Genome(paths.genome) as genome:
        result = variant_effects.score_variants(model, genome, paths.variants, dataset.names, regions=regions,
                                                truth=truth, scores_path=paths.scores, **settings)
    result.write(paths.null, paths.unscored, paths.summary)
    plots.plot_variant_scores(result.score_values, result.null, paths.plot)


def explain_variants_settings(config, seq_dataset, seq_model="cnn1d"):
    variants = config["sequences"][seq_dataset]["variants"]
    return {"top": variants["top"], "fimo_threshold": config["sequences"][seq_dataset]["interpret"]["fimo_threshold"],
            "seed": config["seed"], **motif_database_settings(config, seq_dataset)}


@step("explain_variants", explain_variants_settings,
      "attributions and motif changes of the top-scoring variants, a figure each",
      variant_explanations.explain_variants,
      {"data": ".npz from prepare-sequences (the model's output names)", "model": ".keras",
       "genome": "indexed FASTA the variants are on (index-genome)",
       "index": "the genome's .fai (read from beside it; named so that a workflow builds it first)",
       "scores": "TSV(.gz) from score-variants", "table": "output TSV: the top variants and the motif each changes",
       "changes": "output TSV: every motif either allele matches across each top variant",
       "figures": "output folder: one PNG per variant, reference and alternative attributions"},
      optional=("index",), extra=DATABASE, tensorflow=True)
def explain_variants(paths, settings):
    dataset, model = dataset_and_model(paths)
    motifs = known_motifs(settings)
    with Genome(paths.genome) as genome:
        found = variant_explanations.explain_variants(model, genome, paths.scores, dataset.names, motifs, **settings)
    found.write(paths.table, paths.changes, paths.figures)


def insert_motifs_settings(config, seq_dataset, seq_model="cnn1d"):
    settings = config["sequences"][seq_dataset]
    experiments = settings["experiments"]
    return {"motifs": experiments["motifs"] or settings["baseline_motifs"], "pairs": experiments["pairs"],
            "n_backgrounds": experiments["n_backgrounds"], "max_spacing": experiments["max_spacing"],
            "seed": config["seed"], **motif_database_settings(config, seq_dataset)}


@step("insert_motifs", insert_motifs_settings,
      "in-silico experiments: motifs inserted into shuffled backgrounds, alone and in pairs at each spacing",
      experiments.run_experiments,
      {"data": ".npz from prepare-sequences (the backgrounds are shuffles of its sequences)", "model": ".keras",
       "patterns": "MEME of discovered patterns (modisco) the motifs may name",
       "insertions": "output TSV: mean effect and spread per motif and output",
       "insertions_plot": "output PNG", "spacing": "output TSV: the interaction of each pair per spacing",
       "spacing_plot": "output PNG"},
      optional=("patterns",), extra=DATABASE, tensorflow=True)
def insert_motifs(paths, settings):
    dataset, model = dataset_and_model(paths)
    known = known_motifs(settings)
    if paths.patterns:
        known += read_meme(paths.patterns, allow_empty=True)
    found = experiments.run_experiments(model, dataset.x, dataset.names, known=known, **settings)
    found.write(paths.insertions, paths.insertions_plot, paths.spacing, paths.spacing_plot)
