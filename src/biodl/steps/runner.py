"""Running one step: the checks before anything is written (settings' names and types,
outputs apart from inputs), TensorFlow's set-up, the output set written all or nothing, and
the exit status of :mod:`biodl.steps.cli`. :func:`run_rule` runs the step of a Snakemake
rule, from ``workflow/scripts/run_step.py``.
"""

from __future__ import annotations

import argparse
import errno
import inspect
import logging
import os
import sys
import types
import typing
from collections import abc
from collections.abc import Mapping
from pathlib import Path

import numba
import threadpoolctl

from biodl.io import InputError
from biodl.io.files import final_name, output_set
from biodl.steps.declaration import STEPS, Step, command_step
from biodl.steps.shared import SEED
from biodl.training import configure

log = logging.getLogger("biodl")


def run(name: str, paths: argparse.Namespace, settings: dict, threads: int | None = None,
        mixed_precision: bool = False, devices: list[str] | None = None, settings_file: str | None = None) -> int:
    """Run command ``name`` on ``paths`` with ``settings``; the exit status (see the module).

    Before anything is written, an output that is one of the inputs (those of ``paths``,
    files named in ``settings`` and the ``settings_file`` they came from) or another output
    is refused; the outputs are then written as one :func:`biodl.io.files.output_set`: all
    of them, or none, and no temporary left behind.
    """
    step = command_step(name)
    try:
        unknown = sorted(set(settings) - set(step.setting_names()) - set(SEED))
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known are {step.setting_names()}")
        check_setting_types(name, settings)
        outputs = check_outputs(step, paths, settings, settings_file)
        takes_seed = "seed" in inspect.signature(step.library).parameters
        seed = settings.get("seed") if takes_seed else settings.pop("seed", None)
        if threads:
            limit_threads(threads)
        if step.tensorflow:
            configure(seed=seed, threads=threads, mixed_precision=mixed_precision, devices=devices)
        with output_set(outputs):
            step.run(paths, settings)
    except (InputError, ValueError) as err:
        log.debug("details", exc_info=True)
        print(f"biodl {name}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        log.debug("details", exc_info=True)
        print(f"biodl {name}: error: {environment_fault(err)}", file=sys.stderr)
        return 2
    return 0


def check_setting_types(name: str, settings: Mapping) -> None:
    """Refuse (``ValueError``, one line) a setting whose value does not fit the type hint of
    the library function's parameter it feeds: ``split: 5`` where a mapping is expected. Hints
    this check cannot read (classes, callables) accept anything."""
    try:
        hints = typing.get_type_hints(command_step(name).library)
    except Exception:  # noqa: BLE001 (a hint that does not resolve outside type checking: no check)
        return
    for key, value in settings.items():
        if key in hints and not _fits(value, hints[key]):
            raise ValueError(f"setting {key!r}: {value!r} ({type(value).__name__}) does not fit "
                             f"{_described(hints[key])}; see biodl {name} --help")


def _fits(value, hint) -> bool:
    """Whether ``value`` (read from YAML or JSON) fits the type ``hint``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any or isinstance(hint, typing.TypeVar):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is os.PathLike:
        return isinstance(value, os.PathLike)
    if hint in (dict, abc.Mapping):
        return isinstance(value, Mapping)
    if hint in (list, tuple, abc.Sequence):
        return isinstance(value, list | tuple)
    if origin in (dict, abc.Mapping):
        return isinstance(value, Mapping) and (len(args) != 2 or all(
            _fits(k, args[0]) and _fits(v, args[1]) for k, v in value.items()))
    if origin in (list, tuple, abc.Sequence):
        element = args[0] if args and (origin is not tuple or len(args) == 2 and args[1] is Ellipsis) else None
        return isinstance(value, list | tuple) and (element is None or all(_fits(v, element) for v in value))
    return True


def _described(hint) -> str:
    text = str(hint).replace("typing.", "").replace("collections.abc.", "").replace("NoneType", "None")
    return text.replace("<class '", "").replace("'>", "")


def _files(values) -> list[Path]:
    return [Path(v) for v in (values if isinstance(values, list | tuple) else [values]) if v]


def _setting_files(settings) -> list[Path]:
    """Every setting value (nested too) that names an existing file or folder: inputs too."""
    if isinstance(settings, dict):
        return [path for value in settings.values() for path in _setting_files(value)]
    if isinstance(settings, list | tuple):
        return [path for value in settings for path in _setting_files(value)]
    if isinstance(settings, str | os.PathLike) and str(settings) and os.path.lexists(settings):
        return [Path(settings)]
    return []


def _entry(path: Path) -> str:
    """The directory entry ``path`` names: its folder resolved, its last part kept as given
    (replacing a link replaces the link, not what it points to)."""
    return os.path.join(os.path.realpath(path.parent), path.name)


def _entries(path: Path) -> set[str]:
    """The entries an input is read through: its own, and those of every link on the way."""
    entries, entry = set(), _entry(path)
    for _ in range(40):
        entries.add(entry)
        if not os.path.islink(entry):
            break
        entry = _entry(Path(os.path.dirname(entry)) / os.readlink(entry))
    return entries | {os.path.realpath(path)}


def check_outputs(step: Step, paths: argparse.Namespace, settings: dict,
                  settings_file: str | None = None) -> list[Path]:
    """The step's output paths, after refusing (:class:`InputError`) an output that is one
    of its inputs (files or folders given as options, named in the settings, or the
    settings file), the same file as another output, or an existing folder where a file is
    written."""
    inputs: dict[str, str] = dict.fromkeys(_entries(Path(settings_file)), f"--settings {settings_file}") \
        if settings_file else {}
    for key in step.paths:
        if key not in step.outputs:
            for path in _files(getattr(paths, key, None)):
                inputs.update(dict.fromkeys(_entries(path), f"--{key.replace('_', '-')} {path}"))
    for path in _setting_files(settings):
        inputs.update(dict.fromkeys(_entries(path), f"the settings' {path}"))
    outputs, seen = [], {}
    for key in step.outputs:
        option = f"--{key.replace('_', '-')}"
        for path in _files(getattr(paths, key, None)):
            entry = _entry(path)
            if entry in inputs:
                raise InputError(f"{option} {path}: is the input {inputs[entry]}; an output never overwrites an "
                                 "input: give another output path")
            if entry in seen:
                raise InputError(f"{option} {path}: is also {seen[entry]}; give each output its own path")
            if key not in step.output_folders and path.is_dir():
                raise InputError(f"{option} {path}: is a directory; expected the path of a file to write")
            seen[entry] = f"{option} {path}"
            outputs.append(path)
    return outputs


_FAULT_ADVICE = {
    errno.EACCES: "check the permissions of the file and its folder, or write elsewhere",
    errno.EPERM: "check the permissions of the file and its folder, or write elsewhere",
    errno.EROFS: "the file system is read-only: write the outputs elsewhere",
    errno.ENOSPC: "the disk is full: free space or write elsewhere, then run again",
    errno.EDQUOT: "the disk quota is used up: free space or write elsewhere, then run again",
    errno.ELOOP: "a symbolic link loop: fix the link",
    errno.ENOENT: "a file or folder on the way does not exist",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a directory where a file was expected",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n)",
    errno.EFBIG: "the file outgrew the size allowed (ulimit -f or the file system's limit)",
}


def environment_fault(err: OSError) -> str:
    """One line for a fault of the machine rather than the data (permissions, a read-only
    or full disk): the file, what happened and what to do. A temporary's name is shown as
    the output it stood for."""
    filename = final_name(err.filename) if err.filename else "a file"
    advice = _FAULT_ADVICE.get(err.errno, "see the log for details")
    return f"{filename}: {err.strerror or type(err).__name__} ({advice})"


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def limit_threads(threads: int) -> None:
    """Keep every thread pool of this process to ``threads``: numba's, the BLAS and OpenMP
    pools already loaded (threadpoolctl), and, through their environment variables, the
    ones loaded later and child processes. TensorFlow's pools are set by
    :func:`biodl.training.configure`."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(threads)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    threadpoolctl.threadpool_limits(limits=threads)


def run_rule(snakemake) -> int:
    """Run the step of a Snakemake rule with the rule's named files and ``params.settings``;
    TensorFlow's output and the log go to the rule's log file. Files that disagree with
    the step (:meth:`biodl.steps.declaration.Step.file_disagreement`) are refused (exit status 2)."""
    with open(snakemake.log[0], "w") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
    log_to_stderr()
    step = STEPS[snakemake.rule]
    inputs, outputs = dict(snakemake.input.items()), dict(snakemake.output.items())
    problem = step.file_disagreement(inputs, outputs)
    if problem:
        print(f"biodl {step.command}: error: rule {step.rule} and its step disagree on {problem}", file=sys.stderr)
        return 2
    named = {**inputs, **outputs}
    paths = argparse.Namespace(**{key: [named[key]] if key in step.several and isinstance(named.get(key), str)
                                  else named.get(key) for key in step.paths})
    return run(step.command, paths, dict(snakemake.params.settings), snakemake.threads,
               snakemake.params.get("mixed_precision", False), snakemake.params.get("devices"))


def log_to_stderr() -> None:
    """Log biodl's INFO messages and above to standard error, with times."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
