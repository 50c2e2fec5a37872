"""The known answer: a network trained on a GC-rich genome-like background with a GC-rich
zinc-finger motif (SP1) and a forkhead motif (FOXA2) planted names their families first, and
CTCF (the long GC-rich matrix that used to match any GC-rich filter) nowhere near the top."""

import pytest

from biodl import sequences
from biodl.data.simulate import simulate_dna
from biodl.interpret.attribution import attribute
from biodl.interpret.compare import match_motifs
from biodl.interpret.families import rank_families
from biodl.interpret.filters import filter_motifs_with_null
from biodl.interpret.modisco import discover_patterns
from biodl.interpret.screen import motif_screen
from biodl.io.jaspar import jaspar_database
from biodl.training import configure

PLANTED = {"SP1": ["MA0079"], "FOXA2": ["MA0047"], "bg": []}


@pytest.fixture(scope="module")
def families(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gc_rich")
    simulate_dna(PLANTED, n_per_class=400, length=100, gc=0.62, seed=2).write(
        folder / "s.fa", folder / "labels.tsv", folder / "truth.tsv")
    dataset = sequences.prepare(folder / "s.fa", folder / "labels.tsv", seed=1)
    configure(seed=1)
    model, _ = sequences.train(dataset, model={"filters": [32], "kernel_sizes": [15], "pool_sizes": [1],
                                               "dense_units": [16], "batch_norm": False},
                               training={"epochs": 25, "learning_rate": 0.003, "reverse_complement": True})
    outputs = ["SP1", "FOXA2"]
    known = jaspar_database()
    patterns = discover_patterns(attribute(model, dataset, outputs=outputs, methods=["deeplift"]))
    x = dataset.part("train")[0]
    filters = filter_motifs_with_null(model, x, outputs=dataset.names, null_networks=2)
    table = filters.table()
    return known, rank_families(
        known, patterns=patterns.table, pattern_matches=match_motifs(patterns.motifs, known).table,
        filter_matches=match_motifs(filters.motifs, known, filters.null, table.set_index("filter")["influence"]).table,
        filter_table=table, screen=motif_screen(model, x, known, dataset.names, outputs=outputs),
        outputs=outputs, configured=["MA0079", "MA0047"])


def test_the_planted_families_rank_first_and_ctcf_is_not_in_the_top_five(families):
    known, found = families
    family = {m.name: m.family_name for m in known}
    for output in ("SP1", "FOXA2"):
        ranked = found.table[found.table["output"] == output]
        assert ranked.iloc[0]["family"] == family[output], ranked.head(5)
        assert not ranked.head(5)["family"].str.contains("CTCF").any(), ranked.head(5)
        assert not ranked.head(5)["motifs"].str.contains("CTCF").any(), ranked.head(5)
        assert found.summary[output]["known"][0]["family_rank"] == 1 or found.summary[output]["known"][1][
            "family_rank"] == 1
        assert "is of that family" in found.summary[output]["answer"]
