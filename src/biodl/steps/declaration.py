"""How a step is declared: :class:`Step`, the :func:`step` decorator and the registry
:data:`STEPS` that the command line (:mod:`biodl.steps.cli`), the runner
(:mod:`biodl.steps.runner`) and the workflow's rules (``workflow/rules/common.smk``) read.

A step is declared once, in the module of its domain (``biodl.steps.sequence_steps`` and
so on): its rule name, its files, how its settings come from the workflow's config, and the
library function whose keyword arguments those settings are.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    """One step of the workflow, run by its rule and by ``biodl <command>``.

    Attributes
    ----------
    rule
        The workflow rule that runs it; the command is the same name with dashes.
    run
        ``run(paths, settings)``: reads the input files, calls ``library``, writes the outputs.
    help
        One line for ``biodl --help``.
    library
        The library function whose keyword arguments (those with defaults, or keyword-only,
        but not ``*_path`` nor ``callbacks``) are the step's settings.
    paths
        File option -> help; a help starting with "output" marks an output (an "output
        folder" one a folder). Every one is required, but those in ``optional``; those in
        ``several`` take one or more files.
    settings_from
        ``settings_from(config, **wildcards)``: the settings the rule passes, from the
        validated config and the job's wildcards.
    extra
        Settings beyond ``library``'s -> help.
    tensorflow
        The step builds, trains or runs a model (TensorFlow is configured first).
    """

    rule: str
    run: Callable
    help: str
    library: Callable
    paths: dict[str, str]
    settings_from: Callable[..., dict]
    several: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    tensorflow: bool = False

    @property
    def command(self) -> str:
        """The ``biodl`` command: the rule's name with dashes."""
        return self.rule.replace("_", "-")

    @property
    def outputs(self) -> tuple[str, ...]:
        """The file options the step writes (their help starts with "output")."""
        return tuple(name for name, text in self.paths.items() if text.startswith("output"))

    @property
    def output_folders(self) -> tuple[str, ...]:
        """The outputs that are folders of files rather than files."""
        return tuple(name for name in self.outputs if self.paths[name].startswith("output folder"))

    def file_disagreement(self, inputs: Iterable[str], outputs: Iterable[str], complete: bool = True) -> str | None:
        """What a rule naming these ``inputs`` and ``outputs`` disagrees with the step on
        (``None``: nothing): outputs other than the step's, an input the step does not
        read and, when the inputs are ``complete`` (a job's, not only those named before
        input functions run), a required input left out."""
        readable = set(self.paths) - set(self.outputs)
        problems = []
        if set(outputs) != set(self.outputs):
            problems.append(f"the outputs: the rule names {sorted(outputs)}, the step {sorted(self.outputs)}")
        if unknown := sorted(set(inputs) - readable):
            problems.append(f"the inputs: the step reads no {unknown}")
        if complete and (missing := sorted(readable - set(inputs) - set(self.optional))):
            problems.append(f"the inputs: the step needs {missing}")
        return "; ".join(problems) or None

    def setting_names(self) -> list[str]:
        names = [name for name, p in inspect.signature(self.library).parameters.items()
                 if (p.kind == p.KEYWORD_ONLY or p.default is not p.empty)
                 and not name.endswith("_path") and name != "callbacks"]
        return names + [name for name in self.extra if name not in names]


STEPS: dict[str, Step] = {}
"""Rule name -> :class:`Step`, filled as the step modules are imported (:mod:`biodl.steps`)."""


def step(rule: str, settings: Callable[..., dict], help: str, library: Callable, paths: dict[str, str],
         **options: Any) -> Callable[[Callable], Step]:
    """Declare the decorated function as the step of ``rule`` (see :class:`Step`; ``settings``
    is its ``settings_from``); the name then holds the :class:`Step`."""
    def register(run: Callable) -> Step:
        if rule in STEPS:
            raise ValueError(f"step {rule!r} is declared twice")
        declared = Step(rule, run, help, library, paths, settings, **options)
        STEPS[rule] = declared
        return declared
    return register


def command_step(command: str) -> Step:
    """The step of ``biodl <command>``."""
    return STEPS[command.replace("-", "_")]


def rule_settings(config: Mapping, rule: str, **wildcards: Any) -> dict:
    """The settings the workflow rule ``rule`` passes to its step, for the job's wildcards:
    the keyword arguments of the step's library function, so a notebook passing the same
    dictionary gets the same result."""
    return STEPS[rule].settings_from(config, **wildcards)


def settings_param(step: Step, config: Mapping) -> Callable:
    """The ``params.settings`` function of ``step``'s rule: its settings for the job's
    wildcards (``step`` is kept on it for :func:`check_rule`)."""
    def settings(wildcards) -> dict:
        return step.settings_from(config, **dict(wildcards.items()))

    settings.step = step
    return settings


def check_rule(rule: str, inputs: Iterable[str], outputs: Iterable[str], settings: Callable | None) -> None:
    """Refuse (``ValueError`` naming the rule) a rule that disagrees with its step: no step
    of its name, settings of another step, outputs other than the step's, or a named input
    the step does not read. Inputs given by functions are checked when the job runs
    (:func:`biodl.steps.runner.run_rule`)."""
    if rule not in STEPS:
        raise ValueError(f"rule {rule}: no step is declared for it (biodl.steps: @step({rule!r}, ...))")
    declared = STEPS[rule]
    where = f"rule {rule} and its step ({declared.run.__module__}.{declared.run.__name__})"
    given = getattr(settings, "step", None)
    if given is not declared:
        raise ValueError(f"{where}: params.settings must be settings_param({declared.run.__name__}, config); "
                         f"it is {'that of ' + given.rule if given else repr(settings)}")
    problem = declared.file_disagreement(inputs, outputs, complete=False)
    if problem:
        raise ValueError(f"{where} disagree on {problem}")
