"""``biodl <command>``: thin argument parsing over the library; one command per workflow step.

TensorFlow is imported only by the commands that train or predict, so ``biodl --help``
and the data commands start fast. Bad input ends with one line naming the file and what
is wrong (exit status 2), never a bare traceback.
"""

from __future__ import annotations

import argparse
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


def cmd_train_cnn1d(args: argparse.Namespace) -> None:
    from biodl import training
    from biodl.datasets import EncodedDataset
    from biodl.sequence import add_reverse_complements

    training.configure(seed=args.seed, threads=args.threads, mixed_precision=args.mixed_precision)
    from biodl.models.cnn1d import build_cnn1d

    dataset = EncodedDataset.load(args.data)
    model = build_cnn1d(dataset.x.shape[1:], len(dataset.names), dataset.task, **args.model)
    settings = dict(args.training)
    augment = add_reverse_complements if settings.pop("reverse_complement", False) else None
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

    p = sub.add_parser("train-cnn1d", help="train a 1D CNN on a prepared sequence dataset")
    p.add_argument("--data", required=True, help=".npz from prepare-sequences")
    p.add_argument("--model-out", required=True, help="output .keras")
    p.add_argument("--history", required=True, help="output TSV, one row per epoch")
    p.add_argument("--model", type=_json_object, default={}, help="build_cnn1d arguments (JSON)")
    p.add_argument("--training", type=_json_object, default={}, help="training.fit arguments (JSON)")
    p.add_argument("--mixed-precision", action="store_true", help="float16 compute on GPU")
    _add_runtime(p)
    p.set_defaults(func=cmd_train_cnn1d)

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
