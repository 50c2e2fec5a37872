"""``biodl <command>``: one command per workflow step (:mod:`biodl.steps`).

A command takes its input and output files as options and its settings from a YAML or JSON
file (``--settings``): the keyword arguments of the library function its help names, whose
defaults fill what the file leaves out. Each workflow rule runs the command of the same
name with the rule's named files and ``params.settings``.

Exit status: 0 done; 2 bad input or usage (one line naming the file and what is wrong, no
output left behind); 1 anything else. TensorFlow is imported only by the commands that
train or predict, so ``--help`` and the data commands start fast.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

import biodl
from biodl.io import InputError
from biodl.steps import STEPS, command_step
from biodl.steps.runner import log_to_stderr, run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="biodl", epilog="exit status: 0 done, 2 bad input or usage, 1 anything else",
        description="One command per step of the biodl workflow. Files are options; settings come from a YAML "
                    "or JSON file (--settings); each command's --help lists them with their defaults.")
    parser.add_argument("--version", action="version", version=biodl.__version__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for step in STEPS.values():
        defaults = {k: p.default for k, p in inspect.signature(step.library).parameters.items()}
        described = {**_parameter_help(step.library), **step.extra}
        listed = [f"  {key}" + (f" = {defaults[key]!r}" if defaults.get(key, inspect.Parameter.empty)
                                is not inspect.Parameter.empty else "") + f": {described.get(key, '')}"
                  for key in step.setting_names()]
        epilog = (f"settings (--settings FILE, YAML or JSON): the keyword arguments of "
                  f"{step.library.__module__}.{step.library.__qualname__}, defaults shown:\n" + "\n".join(listed))
        p = sub.add_parser(step.command, help=step.help, description=step.help, epilog=epilog,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        for path, text in step.paths.items():
            p.add_argument(f"--{path.replace('_', '-')}", dest=path, nargs="+" if path in step.several else None,
                           required=path not in step.optional, help=text)
        p.add_argument("--settings", help="YAML or JSON file of settings (see below)")
        p.add_argument("--seed", type=int, help="overrides the settings' seed")
        p.add_argument("--threads", type=int, help="TensorFlow threads")
        p.add_argument("--mixed-precision", action="store_true", help="float16 compute on GPU")
        p.add_argument("--devices", type=lambda text: [d for d in text.split(",") if d],
                       help="comma-separated devices, e.g. GPU:0,GPU:1 (several: MirroredStrategy); "
                            "default all GPUs")
    return parser


def _parameter_help(function: Callable) -> dict[str, str]:
    """First sentence of each parameter's description in a numpy-style docstring."""
    text = inspect.getdoc(function) or ""
    if "Parameters\n----------\n" not in text:
        return {}
    section = text.split("Parameters\n----------\n", 1)[1].split("\n\n")
    described, names = {}, []
    for line in "\n".join(part for part in section if not part.strip().endswith("-" * 7)).splitlines():
        if line and not line.startswith(" "):
            names = [n.strip() for n in line.split(",")]
        elif line.strip() and names:
            for n in names:
                described[n] = (described.get(n, "") + " " + line.strip()).strip()
    return {n: re.sub(r":\w+:`~?([^`]+)`", r"\1", d.split(". ")[0].rstrip(".")) for n, d in described.items()}


def _read_settings(path: str | None) -> dict:
    if path is None:
        return {}
    try:
        settings = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as err:
        raise InputError(f"{path}: cannot read the settings: {err}") from None
    if not isinstance(settings or {}, dict):
        raise InputError(f"{path}: settings must be a mapping of names to values")
    return settings or {}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log_to_stderr()
    try:
        settings = _read_settings(args.settings)
    except InputError as err:
        print(f"biodl {args.command}: error: {err}", file=sys.stderr)
        return 2
    if args.seed is not None:
        settings["seed"] = args.seed
    paths = argparse.Namespace(**{key: getattr(args, key) for key in command_step(args.command).paths})
    return run(args.command, paths, settings, args.threads, args.mixed_precision, args.devices, args.settings)


if __name__ == "__main__":
    sys.exit(main())
