"""Turn the JSON lines of a `make bench` run into a Markdown table.

Usage: python benchmarks/_table.py LINES.jsonl TABLE.md   (prints the table too)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HEADLINE = ("benchmark", "unit", "median", "best", "repeats", "load_1min")


def markdown_table(records: list[dict]) -> str:
    """One row per benchmark: the headline columns, then its other figures as key=value."""
    lines = ["| benchmark | median | best | unit | repeats | load (1 min) | details |",
             "|---|---:|---:|---|---:|---:|---|"]
    for record in records:
        details = ", ".join(f"{key}={value}" for key, value in record.items() if key not in HEADLINE)
        lines.append(f"| {record['benchmark']} | {record['median']:,} | {record['best']:,} | {record['unit']} "
                     f"| {record['repeats']} | {record['load_1min']} | {details} |")
    return "\n".join(lines) + "\n"


def main(source: str, destination: str) -> None:
    records = []
    for number, line in enumerate(Path(source).read_text().splitlines(), start=1):
        if line.strip():
            try:
                record = json.loads(line)
                missing = [key for key in HEADLINE if key not in record]
            except json.JSONDecodeError as error:
                sys.exit(f"{source}, line {number}: not a JSON benchmark line ({error})")
            if missing:
                sys.exit(f"{source}, line {number}: benchmark line lacks {', '.join(missing)}")
            records.append(record)
    table = markdown_table(records)
    target = Path(destination)
    partial = target.with_name(target.name + ".tmp")
    partial.write_text(table)
    partial.replace(target)
    print(table, end="")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    main(*sys.argv[1:])
