"""The script of every rule: runs the biodl command named after the rule on the rule's named
input and output files and its params.settings (biodl.commands.run_rule), logging to log[0]."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))  # the checkout's biodl, as the workflow
from biodl.commands import run_rule  # noqa: E402 (after the path is set)

sys.exit(run_rule(snakemake))  # noqa: F821 (snakemake: the object Snakemake gives every script)
