"""biodl as an ordinary package: the wheel built from this checkout, installed (not
editable) into a fresh virtual environment, works without the clone: the schema ships
inside it, ``biodl --version`` comes from its metadata, a command runs, and the README's
notebook examples run as written in an empty folder.

The fresh environment takes the dependencies from the test environment, which ``make
install`` installs at their versions in requirements.lock (a path file, so the
dependencies are not installed a second time); biodl itself comes from the wheel only."""

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text()


def notebook_blocks() -> list[str]:
    section = README.split("## In a notebook", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def wheel_python(tmp_path_factory) -> Path:
    """The python of a fresh virtual environment holding biodl from its wheel."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                            "-w", str(folder / "dist"), "-q"], capture_output=True, text=True, cwd=folder)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (folder / "dist").glob("biodl-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder / "env")], check=True)
    python = folder / "env" / "bin" / "python"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                                str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-3000:]
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "locked_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def run(python: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=cwd,
                          timeout=900)


def test_the_wheel_works_without_the_clone(wheel_python, tmp_path):
    result = run(wheel_python, """
        import json, biodl, biodl.config, biodl.steps
        config = biodl.config.validate({"sequences": {"mine": {"fasta": "a.fa", "labels": "l.tsv"}}})
        print(json.dumps({"file": biodl.__file__, "version": biodl.__version__, "steps": len(biodl.steps.STEPS),
                          "epochs": config["sequences"]["mine"]["training"]["epochs"]}))
    """, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    said = json.loads(result.stdout.splitlines()[-1])
    assert "site-packages" in said["file"] and str(ROOT) not in said["file"]
    assert said["version"] == "0.1.0" and said["steps"] >= 26 and said["epochs"] > 0
    biodl = wheel_python.parent / "biodl"
    version = subprocess.run([str(biodl), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.strip() == "0.1.0"
    (tmp_path / "s.yaml").write_text("n_per_subtype: 5\n")
    outputs = {name: tmp_path / f"{name}.tsv" for name in ("labels", "mrna", "mirna", "methylation")}
    done = subprocess.run([str(biodl), "simulate-omics", "--settings", "s.yaml",
                           *[arg for name, path in outputs.items() for arg in (f"--{name}", str(path))]],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert all(path.stat().st_size > 0 for path in outputs.values())


def test_readme_notebook_examples_run_from_the_wheel(wheel_python, tmp_path):
    blocks = notebook_blocks()
    assert len(blocks) == 7  # DNA, regions on a genome, interpretation, variants, time series, multi-omics, profiles
    (tmp_path / "blocks.json").write_text(json.dumps(blocks))
    result = run(wheel_python, """
        import json
        namespace = {}
        for block in json.load(open("blocks.json")):
            exec(compile(block, "README.md", "exec"), namespace)
        table = namespace["matches"].table
        peaks = namespace["peaks"]
        print(json.dumps({
            "pwm_auroc": namespace["result"].metrics["models"]["pwm_scan"]["auroc"],
            "gc_matched": namespace["cut"].report["windows"]["gc_matched"],
            "test_chromosomes": sorted({name.split(":")[0] for name in peaks.ids[peaks.split == "test"]}),
            "ctcf_found": bool((table[table["beyond_null"]]["target_name"] == "CTCF").any()),
            "deeplift_delta": float(namespace["explained"].convergence_table()["max_abs_delta"].max()),
            "known_answers": namespace["effects"].summary["known_answers"]["peak"]["auroc_abs_score"],
            "top_variant_motif": str(namespace["why"].variants.loc[0, "motif_name"]),
            "ctcf_inserted": float(namespace["inserted"].insertions["mean_effect"].iloc[0]),
            "hits": namespace["found"].summary["outputs"]["CTCF"]["hits"],
            "one_nn": namespace["evaluation"].metrics["models"]["1nn"]["accuracy_mean"]}))
    """, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    printed, said = result.stdout, json.loads(result.stdout.splitlines()[-1])
    assert "'cnn1d'" in printed and "'pwm_scan'" in printed and "[64] 30" in printed
    assert said["pwm_auroc"] > 0.9 and said["gc_matched"] == 300 and said["test_chromosomes"] == ["chr5"]
    assert said["ctcf_found"] and said["deeplift_delta"] < 1e-3 and said["one_nn"] > 0.85
    assert said["known_answers"] > 0.8 and said["top_variant_motif"] == "CTCF" and said["ctcf_inserted"] > 0
    assert said["hits"] > 100
    assert (tmp_path / "mrna.tsv").is_file() and "balanced_accuracy_mean" in printed
