"""The README's notebook examples run as written, and docs/architecture.md names every rule
and every module (so it stays true as the code moves)."""

import re
import shutil

from biodl.config import RULE_SETTINGS
from conftest import ROOT

README = (ROOT / "README.md").read_text()
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text()


def notebook_blocks():
    section = README.split("## In a notebook", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_notebook_examples_run(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    namespace = {}
    blocks = notebook_blocks()
    assert len(blocks) == 5  # DNA, regions on a genome, interpretation, time series, multi-omics
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "'cnn1d'" in printed and "'pwm_scan'" in printed and "[64] 60" in printed
    assert namespace["result"].metrics["models"]["pwm_scan"]["auroc"] > 0.9
    assert namespace["windows"].report["windows"]["gc_matched"] == 300
    peaks = namespace["peaks"]
    assert {name.split(":")[0] for name in peaks.ids[peaks.split == "test"]} == {"chr5"}
    table = namespace["matches"].table
    assert (table[table["beyond_null"]]["target_name"] == "CTCF").any()
    assert namespace["explained"].convergence_table()["max_abs_delta"].max() < 1e-3
    assert namespace["evaluation"].metrics["models"]["1nn"]["accuracy_mean"] > 0.85
    assert (tmp_path / "mrna.tsv").is_file() and "balanced_accuracy_mean" in printed


def test_architecture_names_every_rule_and_module():
    for rule in RULE_SETTINGS:
        assert rule in ARCHITECTURE, f"docs/architecture.md does not name rule {rule}"
    for path in sorted((ROOT / "src" / "biodl").rglob("*.py")):
        name = path.relative_to(ROOT / "src" / "biodl").as_posix()
        if path.name in ("__init__.py", "__main__.py"):
            continue
        assert name.rsplit("/", 1)[-1] in ARCHITECTURE, f"docs/architecture.md does not name {name}"
    assert "docs/architecture.md" in README and "../shared" not in README.split("## Layout", 1)[1]


def test_the_documentation_builds_offline_with_warnings_as_errors(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    config_page = (tmp_path / "site" / "config" / "index.html").read_text()
    assert "search.selection" not in config_page and "<code>selection</code>" in config_page  # from the schema
    api = (tmp_path / "site" / "api" / "dna" / "index.html").read_text()
    assert "biodl.sequences.prepare" in api and "Returns" in api  # from the docstrings
    assert "make run" in (tmp_path / "site" / "index.html").read_text()  # the README's section
