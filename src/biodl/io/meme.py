"""Motif files in the MEME text format (minimal MEME, as JASPAR and the MEME suite write it)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from biodl.data.dna import ALPHABET
from biodl.data.pwm import Motif
from biodl.io.files import InputError, PathLike, atomic_output, require_file


def write_meme(path: PathLike, motifs: Sequence[Motif], nsites: Sequence[int] | None = None) -> None:
    """Write motifs as a MEME (minimal) text file, atomically; ``nsites`` per motif (default 20)."""
    lines = ["MEME version 4", "", f"ALPHABET= {ALPHABET}", "", "strands: + -", "",
             "Background letter frequencies", "A 0.25 C 0.25 G 0.25 T 0.25", ""]
    for i, motif in enumerate(motifs):
        sites = nsites[i] if nsites is not None else 20
        lines += [f"MOTIF {motif.id} {motif.name}", "",
                  f"letter-probability matrix: alength= 4 w= {motif.width} nsites= {sites} E= 0"]
        lines += ["  " + "  ".join(f"{p:.6f}" for p in row) for row in motif.ppm]
        lines.append("")
    with atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")


def read_meme(path: PathLike, allow_empty: bool = False) -> list[Motif]:
    """Read every motif of a MEME text file (``allow_empty``: a file with none is fine).

    Raises
    ------
    InputError
        Naming the file and line where the format breaks (no 'MEME version' first line,
        missing matrix header, wrong number of columns or rows, non-numeric values, rows
        not summing to 1).
    """
    path = require_file(path, "MEME file")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a MEME motif file (binary data, not text)") from None
    start = next((number for number, line in enumerate(lines) if line.strip()), None)
    if start is None and not allow_empty:
        raise InputError(f"{path}: the MEME file is empty")
    if start is not None and not lines[start].strip().startswith("MEME version"):
        raise InputError(f"{path}: line {start + 1}: a MEME motif file starts with 'MEME version <n>', "
                         f"found {lines[start].strip()[:40]!r}")
    motifs: list[Motif] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line.startswith("MOTIF"):
            i += 1
            continue
        fields = line.split()
        if len(fields) < 2:
            raise InputError(f"{path}: line {i + 1}: MOTIF line without an identifier")
        motif_id = fields[1]
        name = fields[2] if len(fields) > 2 else motif_id
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith("letter-probability"):
            if lines[j].strip().startswith("MOTIF"):
                break
            j += 1
        if j >= len(lines) or not lines[j].strip().startswith("letter-probability"):
            raise InputError(f"{path}: line {i + 1}: motif {motif_id!r} has no 'letter-probability matrix' line")
        match = re.search(r"w=\s*(\d+)", lines[j])
        if match is None:
            raise InputError(f"{path}: line {j + 1}: letter-probability line lacks 'w= <width>'")
        width = int(match.group(1))
        if j + width >= len(lines):
            raise InputError(f"{path}: motif {motif_id!r} ends after {len(lines) - j - 1} of {width} rows")
        rows = []
        for k in range(j + 1, j + 1 + width):
            try:
                row = [float(v) for v in lines[k].split()]
            except ValueError:
                raise InputError(f"{path}: line {k + 1}: non-numeric value in motif {motif_id!r}") from None
            if len(row) != 4:
                raise InputError(f"{path}: line {k + 1}: motif {motif_id!r} needs {width} rows of 4 "
                                 f"probabilities, found {lines[k].strip()!r}")
            rows.append(row)
        ppm = np.array(rows, dtype=float)
        if not np.allclose(ppm.sum(axis=1), 1, atol=0.02):
            raise InputError(f"{path}: motif {motif_id!r}: rows must sum to 1 (probabilities)")
        motifs.append(Motif(motif_id, name, ppm / ppm.sum(axis=1, keepdims=True)))
        i = j + 1 + width
    if not motifs and not allow_empty:
        raise InputError(f"{path}: no 'MOTIF' entries found; is this a MEME motif file?")
    return motifs
