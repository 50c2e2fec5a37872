# biodl workflow: `snakemake --cores all` runs config/config.yaml;
# `snakemake --cores all --configfile my.yaml` runs my.yaml instead (not merged with the default).
# Every rule runs the biodl command of the same name (workflow/scripts/run_step.py) with its
# named files and params.settings; docs/architecture.md draws the rule graph.
import sys
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")


# A --configfile replaces the default config instead of being merged into it, so that a
# run on your own data does not also run the demo datasets.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


# The workflow uses the biodl of this checkout (src/), in whichever environment runs it.
sys.path.insert(0, str(Path(workflow.basedir) / "src"))
import biodl.config  # plain Python, no TensorFlow: a dry run stays instant

# Schema check with every default filled in, nested blocks merged over theirs, then the
# checks across keys (workflow/schemas/config.schema.yaml, biodl.config).
biodl.config.check(biodl.config.validate(config))


# With --sdm apptainer, every rule runs in this image (containers/ builds it from the lock).
if config["container"]:

    container: config["container"]


include: "workflow/rules/common.smk"
include: "workflow/rules/sequences.smk"
include: "workflow/rules/interpret.smk"
include: "workflow/rules/timeseries.smk"
include: "workflow/rules/omics.smk"
include: "workflow/rules/summary.smk"


rule all:
    input:
        all_targets(),
    default_target: True
