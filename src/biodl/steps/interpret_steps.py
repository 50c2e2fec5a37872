"""The interpretation steps (``workflow/rules/interpret.smk``): attributions, filters as
motifs, MoDISco patterns, their JASPAR matches, logos, FIMO sites, motif hits, the in-silico
motif screen and the TF families all of them point to."""

from __future__ import annotations

import inspect

from biodl.data.datasets import EncodedDataset
from biodl.evaluation import plots
from biodl.interpret import attribution, compare, families, filters, hits, screen
from biodl.interpret.attribution import Attributions
from biodl.interpret.modisco import patterns_or_filters
from biodl.io import read_delimited, read_json, write_json, write_table
from biodl.io.files import InputError
from biodl.io.jaspar import motif_database
from biodl.io.meme import read_meme
from biodl.steps.declaration import step
from biodl.steps.shared import dataset_and_model


def motif_database_settings(config, seq_dataset):
    interpret = config["sequences"][seq_dataset]["interpret"]
    return {"database": interpret["database"], "release": config["jaspar_release"],
            "collection": interpret["collection"], "tax_group": interpret["tax_group"]}


def attribute_settings(config, seq_dataset):
    interpret = config["sequences"][seq_dataset]["interpret"]
    keys = ("outputs", "methods", "split", "max_sequences", "ig_steps", "ig_baseline")
    return {**{key: interpret[key] for key in keys}, "seed": config["seed"]}


@step("attribute", attribute_settings,
      "attributions of a sequence model for chosen outputs", attribution.attribute,
      {"data": ".npz from prepare-sequences", "model": ".keras", "attributions": "output .npz",
       "tracks": "output PNG: attribution logos of top sequences",
       "convergence": "output TSV: DeepLIFT's convergence deltas per output"}, tensorflow=True)
def attribute(paths, settings):
    dataset, model = dataset_and_model(paths)
    result = attribution.attribute(model, dataset, **settings)
    result.save(paths.attributions)
    write_table(paths.convergence, result.convergence_table(), index=False)
    plots.plot_attribution_tracks(result.tracks, result.titles, paths.tracks)


SPLIT = {"split": f"train, val or test: the sequences read (default {attribution.EXPLAINED_SPLIT})"}


def filter_motifs_settings(config, seq_dataset):
    interpret = config["sequences"][seq_dataset]["interpret"]
    return {"split": interpret["split"], "threshold": interpret["filter_threshold"],
            "min_sites": interpret["filter_min_sites"], "trim_bits": interpret["filter_trim_bits"],
            "null_networks": interpret["null_networks"],
            "seed": config["seed"]}


@step("filter_motifs", filter_motifs_settings,
      "first-layer convolution filters as PPMs", filters.filter_motifs_with_null,
      {"data": ".npz from prepare-sequences", "model": ".keras", "meme": "output MEME",
       "table": "output TSV: sites, information and influence per filter",
       "null": "output MEME: filters of the untrained network (the null for tomtom)"},
      extra=SPLIT, tensorflow=True)
def filter_motifs(paths, settings):
    dataset, model = dataset_and_model(paths)
    x = dataset.part(settings.pop("split", attribution.EXPLAINED_SPLIT))[0]
    found = filters.filter_motifs_with_null(model, x, outputs=dataset.names, **settings)
    found.write(paths.meme, paths.table, paths.null)


def modisco_settings(config, seq_dataset):
    interpret = config["sequences"][seq_dataset]["interpret"]
    return {"method": interpret["modisco_method"], "max_seqlets": interpret["max_seqlets"]}


@step("modisco", modisco_settings,
      "TF-MoDISco patterns from attributions", patterns_or_filters,
      {"attributions": ".npz from attribute", "filters": "MEME from filter-motifs (stand-ins where MoDISco "
       "finds nothing)", "filter_table": "TSV from filter-motifs (their influence)", "meme": "output MEME",
       "table": "output TSV, one row per pattern", "summary": "output JSON: seqlets and patterns per output"})
def modisco(paths, settings):
    found = patterns_or_filters(Attributions.load(paths.attributions), read_meme(paths.filters, allow_empty=True),
                                read_delimited(paths.filter_table, "filter table", columns=["filter", "n_sites"]
                                               ).set_index("filter"), **settings)
    found.write(paths.meme, paths.table, paths.summary)


DATABASE = {key: f"default {p.default!r}; known motifs, see biodl.io.jaspar.motif_database"
            for key, p in inspect.signature(motif_database).parameters.items()}


def known_motifs(settings: dict) -> list:
    """The known motifs the settings' database keys name (:data:`DATABASE`), taken out of them."""
    return motif_database(**{key: settings.pop(key) for key in DATABASE if key in settings})


def tomtom_settings(config, seq_dataset, motif_source=None):
    interpret = config["sequences"][seq_dataset]["interpret"]
    return {"top": interpret["tomtom_top"], "max_q": interpret["match_max_q"],
            "max_false_match_rate": interpret["max_false_match_rate"], "min_overlap": interpret["min_overlap"],
            "min_influence": interpret["min_influence"],
            "null_shuffles": interpret["null_shuffles"], "seed": config["seed"],
            **motif_database_settings(config, seq_dataset)}


@step("tomtom", tomtom_settings,
      "compare motifs with known motifs (TOMTOM), calibrated on null motifs", compare.match_motifs,
      {"motifs": "MEME file of query motifs", "null": "MEME file of null motifs (default: column-shuffled queries)",
       "filter_table": "TSV from filter-motifs: the queries' influence", "table": "output TSV of the best matches",
       "summary": "output JSON: match rates of queries and null motifs, findings"},
      optional=("null", "filter_table"), extra=DATABASE)
def tomtom(paths, settings):
    database = known_motifs(settings)
    queries = read_meme(paths.motifs, allow_empty=True)
    null = read_meme(paths.null, allow_empty=True) if paths.null else None
    influence = None
    if paths.filter_table:
        table = read_delimited(paths.filter_table, "filter table", columns=["filter", "influence"])
        influence = table.set_index("filter")["influence"]
    matches = compare.match_motifs(queries, database, null, influence, **settings)
    write_table(paths.table, matches.table, index=False)
    write_json(paths.summary, matches.summary)


def logos_settings(config, seq_dataset, motif_source=None):
    return motif_database_settings(config, seq_dataset)


@step("logos", logos_settings,
      "logos of motifs beside their best match", motif_database,
      {"motifs": "MEME file", "matches": "TSV from tomtom", "logos": "output PNG"})
def logos(paths, settings):
    database = {m.id: m for m in motif_database(**settings)}
    found = read_meme(paths.motifs, allow_empty=True)
    matches = read_delimited(paths.matches, "tomtom table", columns=compare.MATCH_COLUMNS)
    plots.plot_motif_matches(found, matches, database, paths.logos)


def fimo_settings(config, seq_dataset):
    interpret = config["sequences"][seq_dataset]["interpret"]
    return {"split": interpret["split"], "threshold": interpret["fimo_threshold"]}


@step("fimo", fimo_settings,
      "scan sequences for motif sites (FIMO)", compare.fimo_hits,
      {"motifs": "MEME file", "data": ".npz from prepare-sequences", "hits": "output TSV"}, extra=SPLIT)
def fimo(paths, settings):
    dataset = EncodedDataset.load(paths.data, stream=True)
    split = settings.pop("split", attribution.EXPLAINED_SPLIT)
    x, _ = dataset.part(split)  # rows stay on disk; fimo_hits reads them a chunk at a time
    hits = compare.fimo_hits(read_meme(paths.motifs, allow_empty=True), x, dataset.ids[dataset.split == split],
                             **settings)
    write_table(paths.hits, hits, index=False)



def motif_hits_settings(config, seq_dataset):
    interpret = config["sequences"][seq_dataset]["interpret"]
    return {"method": interpret["modisco_method"], "window": interpret["hits_window"],
            "max_fdr": interpret["hits_max_fdr"], **motif_database_settings(config, seq_dataset)}


@step("motif_hits", motif_hits_settings,
      "significant attribution stretches named by pattern and JASPAR match, as BED", hits.motif_hits,
      {"attributions": ".npz from attribute", "patterns": "MEME of the discovered patterns (modisco)",
       "pattern_matches": "TSV from tomtom of the patterns: each pattern's JASPAR finding labels its hits",
       "truth": "TSV of planted sites (id, start, end; simulated data): precision and recall",
       "bed": "output BED6 of the hits (genome coordinates for windows named chrom:start-end)",
       "table": "output TSV: every hit with its p-value, FDR and matches", "summary": "output JSON"},
      optional=("truth", "pattern_matches"), extra=DATABASE)
def motif_hits(paths, settings):
    known = known_motifs(settings)
    truth = read_delimited(paths.truth, "table of planted sites", columns=["id", "start", "end"]) if paths.truth \
        else None
    labels = None
    if paths.pattern_matches:
        labels = hits.pattern_labels(read_delimited(paths.pattern_matches, "tomtom table",
                                                    columns=["query", "target_name", "p_value"]))
    found = hits.motif_hits(Attributions.load(paths.attributions), read_meme(paths.patterns, allow_empty=True), known,
                            pattern_labels=labels, truth=truth, **settings)
    found.write(paths.bed, paths.table, paths.summary)


def motif_screen_settings(config, seq_dataset):
    interpret = config["sequences"][seq_dataset]["interpret"]
    return {"outputs": interpret["outputs"], "n_backgrounds": interpret["screen_backgrounds"],
            "seed": config["seed"], **motif_database_settings(config, seq_dataset)}


@step("motif_screen", motif_screen_settings,
      "in-silico screen: every known motif inserted into shuffled backgrounds, its effect beyond its shuffled site",
      screen.motif_screen,
      {"data": ".npz from prepare-sequences (the backgrounds are shuffles of its sequences)", "model": ".keras",
       "screen": "output TSV: effect, effect beyond the null and its q-value per motif and output"},
      extra=DATABASE, tensorflow=True)
def motif_screen(paths, settings):
    dataset, model = dataset_and_model(paths)
    table = screen.motif_screen(model, dataset.x, known_motifs(settings), dataset.names, **settings)
    write_table(paths.screen, table, index=False)


def motif_families_settings(config, seq_dataset):
    settings = config["sequences"][seq_dataset]
    interpret = settings["interpret"]
    return {"outputs": interpret["outputs"], "configured": settings["baseline_motifs"],
            "max_q": interpret["match_max_q"], **motif_database_settings(config, seq_dataset)}


@step("motif_families", motif_families_settings,
      "TF families ranked by MoDISco seqlets, filter influence and the motif screen, with the known-motif check",
      families.rank_families,
      {"patterns": "TSV from modisco (seqlets per pattern)", "pattern_matches": "TSV from tomtom of the patterns",
       "pattern_motifs": "MEME from modisco (names a large pattern no family claims by its consensus)",
       "filter_matches": "TSV from tomtom of the filters (with their influence)",
       "filter_table": "TSV from filter-motifs (influence per output)", "screen": "TSV from motif-screen",
       "metrics": "metrics.json of the model (its and the motif scan's test scores, quoted in the check)",
       "table": "output TSV: families ranked per output, the evidence of each line",
       "summary": "output JSON: per output the lines, the top families, the known-motif check and the answer",
       "plot": "output PNG: each line's share for the top families"},
      optional=("patterns", "pattern_matches", "pattern_motifs", "filter_matches", "filter_table", "screen",
                "metrics"),
      extra=DATABASE)
def motif_families(paths, settings):
    def table(name):
        path = getattr(paths, name)
        return read_delimited(path, families.EVIDENCE[name][0], columns=families.EVIDENCE[name][1]) if path else None

    outputs = settings.get("outputs", ())
    scores = None
    if paths.metrics:
        metrics = read_json(paths.metrics)
        if not isinstance(metrics.get("models"), dict) or "outputs" not in metrics:
            raise InputError(f"{paths.metrics}: not the metrics.json of a DNA model (it needs 'models' and 'outputs')")
        scores = families.held_out_scores(metrics, outputs)
    evidence = {name: table(name) for name in families.EVIDENCE}
    pattern_motifs = read_meme(paths.pattern_motifs, allow_empty=True) if paths.pattern_motifs else ()
    found = families.rank_families(known_motifs(settings), **evidence, pattern_motifs=pattern_motifs, scores=scores,
                                   **settings)
    found.write(paths.table, paths.summary, paths.plot)
