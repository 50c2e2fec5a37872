# biodl workflow: `snakemake --cores all` runs config/config.yaml;
# `snakemake --cores all --configfile my.yaml` runs my.yaml instead (not merged with the default).
import shlex
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")


# A --configfile replaces the default config instead of being merged into it, so that a
# run on your own data does not also run the demo datasets.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")

# Rules run `python -m biodl` from this checkout's src/, in whichever environment runs
# them (.venv, conda --sdm, a cluster node), so the code always matches the workflow.
shell.prefix(
    "set -euo pipefail; export PYTHONPATH="
    + shlex.quote(str(Path(workflow.basedir) / "src"))
    + '${{PYTHONPATH:+:$PYTHONPATH}}; export TF_CPP_MIN_LOG_LEVEL=2; '
)


include: "workflow/rules/common.smk"
include: "workflow/rules/sequences.smk"
include: "workflow/rules/motifs.smk"
include: "workflow/rules/timeseries.smk"
include: "workflow/rules/multiomics.smk"


rule all:
    input:
        all_targets(),
    default_target: True
