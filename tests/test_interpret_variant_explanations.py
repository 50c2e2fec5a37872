"""Why a variant matters: the top variants of a scoring, the motif each allele matches
across it (lost, gained, weakened), and a figure per variant."""

import numpy as np
import pandas as pd
from conftest import MOTIF_CHR1, motif_model
from test_io_variants import vcf

from biodl.data.dna import one_hot_encode
from biodl.data.pwm import Motif
from biodl.interpret.variant_effects import score_variants
from biodl.interpret.variant_explanations import explain_variants, motif_changes, top_variants

GATTACA = Motif("M1", "GATTACA_factor", one_hot_encode("GATTACA") * 0.97 + 0.0075)


def test_top_variants_by_p_value_then_magnitude_one_row_each_read_in_chunks(tmp_path):
    rows = pd.DataFrame({"line": [1, 1, 2, 3, 4], "id": list("aabcd"), "chrom": "chr1", "pos": [5, 5, 6, 7, 8],
                         "ref": "A", "alt": "C", "output": ["x", "y", "x", "x", "x"],
                         "score": [0.1, -3.0, 2.0, -2.5, 0.2], "p_value": [0.5, 0.01, 0.01, 0.01, np.nan]})
    rows.to_csv(tmp_path / "s.tsv.gz", sep="\t", index=False)
    chosen = top_variants(tmp_path / "s.tsv.gz", top=3, chunk=2)
    assert chosen["id"].tolist() == ["a", "c", "b"] and chosen.loc[0, "output"] == "y"
    assert top_variants(rows, top=10)["id"].tolist() == ["a", "c", "b", "d"]


def test_a_motif_lost_gained_or_weakened_across_the_variant():
    window = "C" * 20 + "GATTACA" + "C" * 20  # variants at index 23: the motif's second T
    ref = one_hot_encode([window, "C" * 47, window])
    alt = one_hot_encode([window[:23] + "C" + window[24:], "C" * 20 + "GATTACA" + "C" * 20, window])
    variants = pd.DataFrame({"ref": ["T", "C", "T"], "alt": ["C", "G", "T"]})
    changes = motif_changes([GATTACA], ref, alt, variants, threshold=1e-3)
    found = changes.set_index("variant")
    assert found.loc[0, "change"] == "lost" and np.isnan(found.loc[0, "alt_p"]) and found.loc[0, "ref_p"] < 1e-3
    assert found.loc[1, "change"] == "gained" and found.loc[2, "change"] in ("weakened", "strengthened")
    assert found.loc[2, "log10_ratio"] == 0


def test_explained_variants_name_the_lost_motif_and_draw_both_alleles(motif_genome, tmp_path):
    model = motif_model(41)
    path = vcf(tmp_path, "chr1\t204\tbreak\tT\tC\t.\t.\t.\nchr1\t190\tnear\tC\tA\t.\t.\t.\n")
    scores = score_variants(model, motif_genome, path, ["bound"], regions=pd.DataFrame(
        {"chrom": ["chr1"], "start": [187], "end": [222]}), n_null=200).scores
    found = explain_variants(model, motif_genome, scores, ["bound"], [GATTACA], top=2, n_references=3,
                             fimo_threshold=1e-3)
    first = found.variants.iloc[0]
    assert first["id"] == "break" and first["rank"] == 1 and first["method"] == "deeplift"
    assert first["motif_name"] == "GATTACA_factor" and first["change"] == "lost"
    assert found.ref.shape == (2, 61, 4) and found.ref[0, 30].sum() > found.alt[0, 30].sum()  # the lost base
    assert MOTIF_CHR1[200:207] == "GATTACA"
    found.write(tmp_path / "top.tsv", tmp_path / "changes.tsv", tmp_path / "figures")
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["001_chr1_204_T_C.png",
                                                                       "002_chr1_190_C_A.png"]
    assert pd.read_csv(tmp_path / "changes.tsv", sep="\t")["id"].tolist()[0] == "break"
