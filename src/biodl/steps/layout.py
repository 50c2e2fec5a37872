"""Where the workflow keeps the demo data it simulates, and the input files of a dataset
that follow from it: the one place that knows the workflow's folders for the steps'
settings (``workflow/rules/common.smk`` names the rest)."""

from __future__ import annotations

from collections.abc import Mapping

from biodl.config import SIMULATED_OMICS

SIMULATED = "resources/simulated"
"""The folder of simulated demo data, one subfolder per dataset."""


def simulated(dataset: str, file: str) -> str:
    """The path of a simulated file of ``dataset``."""
    return f"{SIMULATED}/{dataset}/{file}"


def region_files(config: Mapping, dataset: str) -> tuple[list[str], list[str] | None]:
    """Region files of a genome-regions dataset and their class names (``None`` for one
    unnamed file): ``regions`` as a path or as class name -> path, or the simulated peaks."""
    settings = config["sequences"][dataset]
    if "simulate_genome" in settings:
        return [simulated(dataset, "peaks.narrowPeak")], None
    regions = settings["regions"]
    if isinstance(regions, Mapping):
        return [str(path) for path in regions.values()], list(regions)
    return [str(regions)], None


def omics_tables(config: Mapping, dataset: str) -> dict[str, dict]:
    """Omic name -> table settings (``path`` and the rest): the configured tables, or the
    simulated ones."""
    settings = config["omics"][dataset]
    if "simulate" in settings:
        return {name: {"path": simulated(dataset, f"{name}.tsv"), **extra} for name, extra in SIMULATED_OMICS.items()}
    return settings["omics"]
