"""docs/architecture.md names every rule and every module, so it stays true as the code moves
(the README's notebook examples run in tests/test_package.py, from the installed wheel)."""

from conftest import ROOT

from biodl.steps import STEPS

README = (ROOT / "README.md").read_text()
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text()


def test_architecture_names_every_rule_and_module():
    for rule in STEPS:
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
