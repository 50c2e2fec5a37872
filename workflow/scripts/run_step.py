"""The script of every rule: runs the step declared under the rule's name in biodl.steps on
the rule's named input and output files and its params.settings
(biodl.steps.runner.run_rule), logging to log[0]."""

import sys
from pathlib import Path

# the biodl of the workflow's checkout where there is one (as the Snakefile does)
SOURCE = Path(snakemake.scriptdir).parents[1] / "src"  # noqa: F821 (snakemake: the object Snakemake gives every script)
if (SOURCE / "biodl").is_dir():
    sys.path.insert(0, str(SOURCE))
from biodl.steps.runner import run_rule  # noqa: E402 (after the path is set)

sys.exit(run_rule(snakemake))  # noqa: F821
