"""Write the conda environments from requirements.lock (run by `make lock`).

environment.yml (users: `conda env create -f environment.yml`) and workflow/envs/biodl.yaml
(the rules' `conda:` environment, `snakemake --sdm conda`) get Python and pip from conda and
every locked package from pip at its locked version, so all three installs are the same set.
tests/test_environment.py checks that they stay in step.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATED = "# Generated from requirements.lock by `make lock` (tools/sync_envs.py); do not edit.\n"
HEADER = {
    "environment.yml": ("# Conda environment for HPC users:\n"
                        "#   conda env create -f environment.yml && conda activate biodl\n"
                        + GENERATED),
    "workflow/envs/biodl.yaml": ("# The environment of every rule's `conda:` directive (snakemake --sdm conda).\n"
                                 + GENERATED
                                 + "# The rules find biodl itself on PYTHONPATH (the Snakefile points it at src/).\n"),
}


def locked_requirements(lock: Path = ROOT / "requirements.lock") -> list[str]:
    """The lock's requirement lines (``name==version`` with any environment marker)."""
    lines = []
    for line in lock.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            lines.append(requirement)
    return lines


def environment(requirements: list[str], editable: bool) -> str:
    pip = [f"      - {requirement!r}" if ";" in requirement else f"      - {requirement}"
           for requirement in requirements]
    if editable:
        pip.append("      - -e .")
    return ("name: biodl\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python=3.11\n  - pip\n"
            "  - pip:\n" + "\n".join(pip) + "\n")


def main() -> None:
    requirements = locked_requirements()
    for name, header in HEADER.items():
        (ROOT / name).write_text(header + environment(requirements, editable=name == "environment.yml"))


if __name__ == "__main__":
    main()
