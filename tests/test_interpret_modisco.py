import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from biodl.data.dna import one_hot_encode
from biodl.interpret.attribution import Attributions
from biodl.interpret.compare import tomtom_matches
from biodl.interpret.modisco import discover_patterns
from biodl.io.jaspar import fetch_jaspar, jaspar_database


def planted_attributions(n=200, length=100, seed=0):
    """Random sequences with REST's consensus at a random place; hypothetical contributions
    that score REST's log-odds at the site and small noise elsewhere (a model that learned
    REST and nothing else)."""
    (rest,) = fetch_jaspar(["MA0138"])
    consensus = "".join("ACGT"[i] for i in rest.ppm.argmax(axis=1))
    rng = np.random.default_rng(seed)
    seqs, starts = [], rng.integers(0, length - rest.width, n)
    for start in starts:
        seq = "".join(rng.choice(list("ACGT"), length))
        seqs.append(seq[:start] + consensus + seq[start + rest.width:])
    x = one_hot_encode(seqs).astype(np.float32)
    hypothetical = rng.normal(scale=0.01, size=x.shape).astype(np.float32)
    for i, start in enumerate(starts):
        hypothetical[i, start:start + rest.width] += rest.pwm()
    return rest, Attributions(["REST"], [0], ["saliency"], {0: x}, {0: np.arange(n).astype(str)},
                              {0: {"saliency": hypothetical}}, [], [])


def test_modisco_recovers_the_planted_motif(tmp_path):
    rest, attributions = planted_attributions()
    patterns = discover_patterns(attributions, method="saliency")
    assert patterns.table["output"].tolist()[0] == "REST" and patterns.table["n_seqlets"].iloc[0] > 30
    best = tomtom_matches(patterns.motifs[:1], jaspar_database(), top=1).iloc[0]
    assert best["target_name"] == "REST" and best["q_value"] < 0.05
    patterns.write(tmp_path / "p.meme", tmp_path / "p.tsv")
    header, first = (tmp_path / "p.tsv").read_text().splitlines()[:2]
    assert header == "motif_id\toutput\tsource\tn_seqlets\twidth" and first.startswith("REST_pos0\tREST\tmodisco\t")


def test_method_must_be_among_the_attributions():
    _, attributions = planted_attributions(n=20)
    with pytest.raises(ValueError, match=r"hold \['saliency'\], not 'ism'"):
        discover_patterns(attributions, method="ism")


def test_influential_filters_stand_in_where_modisco_finds_nothing(tmp_path, caplog):
    import json
    import logging

    from biodl.data.pwm import Motif
    from biodl.interpret.modisco import stand_in_filters

    _, attributions = planted_attributions(n=30)
    attributions.values[0]["saliency"] = np.zeros_like(attributions.x[0])  # a model that learned nothing
    with caplog.at_level(logging.WARNING):
        patterns = discover_patterns(attributions, method="saliency")
    assert not patterns.motifs and "MoDISco found no pattern for output 'REST': 0 seqlets" in caplog.text
    assert patterns.summary["REST"]["sequences"] == 30 and patterns.summary["REST"]["split"] == "train"
    filters = [Motif(f"filter{k}", f"filter{k}", np.full((8, 4), 0.25)) for k in (3, 1)]
    patterns = stand_in_filters(patterns, filters, [40, 25], n=1)
    assert [m.id for m in patterns.motifs] == ["REST_filter3"]
    assert patterns.table[["source", "n_seqlets"]].values.tolist() == [["filter", 40]]
    patterns.write(tmp_path / "p.meme", tmp_path / "p.tsv", tmp_path / "s.json")
    assert json.loads((tmp_path / "s.json").read_text())["REST"]["fallback_filters"] == ["filter3"]


ENDLESS_MERGE = Path(__file__).parent / "data" / "modisco_endless_merge.npz"
"""30 windows of 120 bp and their DeepLIFT hypothetical contributions (float16) from a small
profile model of the tiny workflow, on which modisco-lite's pattern merging loops forever."""


def test_modisco_ends_where_merging_similar_patterns_would_loop_forever():
    # in a child process, so that a return of the endless loop fails here instead of hanging
    code = (
        "import logging, numpy as np\n"
        "from biodl.data.dna import one_hot_encode\n"
        "from biodl.interpret.modisco import run_modisco\n"
        "logging.basicConfig(level=logging.INFO)\n"
        f"data = np.load({str(ENDLESS_MERGE)!r})\n"
        "motifs, counts = run_modisco(one_hot_encode(list(data['sequences'])), data['hypothetical'])\n"
        "print('patterns', len(motifs), counts)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("patterns ")
    assert "1 merge(s) of similar patterns left nothing after polishing" in result.stderr
