"""The benchmarks (make bench) import what they measure from where the library keeps it, and
their lines become the Markdown table make bench writes."""

import ast

import numpy as np
import pytest
from conftest import ROOT


@pytest.mark.parametrize("script", sorted((ROOT / "benchmarks").glob("*.py")), ids=lambda p: p.name)
def test_benchmark_imports_exist(script):
    import importlib

    for node in ast.walk(ast.parse(script.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("biodl"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(f"{node.module}.{alias.name}"), (
                    f"{script.name}: {node.module} has no {alias.name}")


def _benchmark_module(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_benchmark_prints_median_best_repeats_and_load_through_emit():
    for script in sorted((ROOT / "benchmarks").glob("[!_]*.py")):
        source = script.read_text()
        assert "from _timing import" in source and "emit(" in source and "load_average()" in source, script.name


def test_timing_reports_the_median_call_as_headline(capsys):
    import json

    timing = _benchmark_module("_timing")
    seconds = timing.time_calls(lambda: sum(range(1000)), repeats=7)
    assert seconds.shape == (7,) and (seconds > 0).all()
    median, best = timing.rate(10.0, np.array([1.0, 2.0, 4.0]))
    assert (median, best) == (5.0, 10.0)
    timing.emit("demo", "things/s", median, best, 3, timing.load_average(), size=12)
    line = json.loads(capsys.readouterr().out)
    assert line["median"] == 5.0 and line["best"] == 10.0 and line["repeats"] == 3 and line["size"] == 12
    assert isinstance(line["load_1min"], float)


def test_table_has_one_row_per_line_and_refuses_a_line_without_the_headline(tmp_path):
    table = _benchmark_module("_table")
    lines = tmp_path / "latest.jsonl"
    lines.write_text('{"benchmark": "onehot", "unit": "Mbp/s", "median": 2400.5, "best": 2600.0, "repeats": 30, '
                     '"load_1min": 0.4, "mbp": 20.0}\n{"benchmark": "gaf", "unit": "images/s", "median": 46000, '
                     '"best": 49000, "repeats": 5, "load_1min": 0.6}\n')
    table.main(str(lines), str(tmp_path / "latest.md"))
    rows = (tmp_path / "latest.md").read_text().splitlines()
    assert rows[0].startswith("| benchmark | median | best |") and len(rows) == 4
    assert rows[2] == "| onehot | 2,400.5 | 2,600.0 | Mbp/s | 30 | 0.4 | mbp=20.0 |"
    lines.write_text('{"benchmark": "onehot", "best": 1}\n')
    with pytest.raises(SystemExit, match=r"latest.jsonl, line 1: benchmark line lacks unit, median"):
        table.main(str(lines), str(tmp_path / "other.md"))
    assert not (tmp_path / "other.md").exists()
