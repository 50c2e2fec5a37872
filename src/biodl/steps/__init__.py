"""The workflow-facing layer: each step of the workflow declared once, with its rule, files,
settings from the config and the library function it calls.

Importing this package declares every step (:data:`STEPS`, rule name -> :class:`Step`).
``biodl <command>`` (:mod:`biodl.steps.cli`) and every rule
(``workflow/scripts/run_step.py`` -> :func:`biodl.steps.runner.run_rule`) run them through
:func:`biodl.steps.runner.run`. No TensorFlow is imported here, so a dry run stays fast.
"""

from biodl.steps import (
    interpret_steps,
    omics_steps,
    profile_steps,
    sequence_steps,
    summary_steps,
    timeseries_steps,
    variant_steps,
)
from biodl.steps.declaration import STEPS, Step, check_rule, command_step, rule_settings, settings_param

__all__ = [
           "STEPS",
           "Step",
           "check_rule",
           "command_step",
           "interpret_steps",
           "omics_steps",
           "profile_steps",
           "rule_settings",
           "sequence_steps",
           "settings_param",
           "summary_steps",
           "timeseries_steps",
           "variant_steps",
]
