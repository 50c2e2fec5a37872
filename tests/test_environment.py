"""environment.yml, the rules' conda env and pyproject.toml list the same dependencies."""

import re
import tomllib

import yaml

from conftest import ROOT


def normalise(requirement: str) -> str:
    name, spec = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower().replace("_", "-") + spec.replace(" ", "")


def pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}


def conda_requirements(path) -> set[str]:
    deps = yaml.safe_load(path.read_text())["dependencies"]
    names = [d for d in deps if isinstance(d, str) and not d.startswith(("python", "pip"))]
    names += [d for entry in deps if isinstance(entry, dict) for d in entry.get("pip", [])
              if not d.startswith("-e")]
    return {normalise(d) for d in names}


def test_environment_yml_matches_pyproject():
    assert conda_requirements(ROOT / "environment.yml") == pyproject_requirements()


def test_workflow_env_matches_pyproject():
    assert conda_requirements(ROOT / "workflow" / "envs" / "biodl.yaml") == pyproject_requirements()


def test_gpu_extra_pulls_cuda_tensorflow():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(r.startswith("tensorflow[and-cuda]") for r in project["optional-dependencies"]["gpu"])
