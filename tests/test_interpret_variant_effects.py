"""Variant effect scores of a model whose answer is known (it sees one motif, on both
strands): the scores, the null's p-values, streaming, known answers, and the refusals."""

import numpy as np
import pandas as pd
import pytest
from conftest import MOTIF_CHR1 as CHR1
from conftest import motif_model
from test_io_variants import vcf

from biodl.interpret.variant_effects import score_variants
from biodl.io import InputError


def test_a_variant_inside_the_motif_scores_and_passes_the_null_others_score_zero(motif_genome, tmp_path):
    model = motif_model(41)
    inside = 204  # the motif's second T (0-based 203): T>C loses one matching base, gains none
    # elsewhere in the motif's window, changes that neither strand's best match notices
    safe = [*range(188, 200), *range(211, 223)]
    controls = "".join(f"chr1\t{p}\tc{p}{alt}\tC\t{alt}\t.\t.\t.\n" for alt in "AG" for p in safe)
    path = vcf(tmp_path, f"chr1\t{inside}\tbreak\tT\tC\t.\t.\t.\n"
                         f"chr1\t{inside - 15}\tnear\tC\tA\t.\t.\t.\n"
                         f"chr1\t{inside - 1}\tdel\t{CHR1[inside - 2:inside + 1]}\t{CHR1[inside - 2]}\t.\t.\t.\n"
                         "chr1\t2\tend\tC\tT\t.\t.\t.\n" + controls)
    regions = pd.DataFrame({"chrom": ["chr1"], "start": [187], "end": [222]})
    truth = pd.DataFrame({"id": ["break", "near", "c190A"], "breaks_site": [True, False, False]})
    result = score_variants(model, motif_genome, path, ["bound"], regions=regions, n_null=300, chunk_size=2,
                            truth=truth)
    scores = result.scores.set_index("id")
    assert scores.loc["break", "score"] == pytest.approx(-4.0, abs=1e-4)
    assert scores.loc["del", "score"] < -3.9 and scores.loc["del", "class"] == "indel"
    assert scores.loc[["near", *(f"c{p}{alt}" for alt in "AG" for p in safe)], "score"].abs().max() < 1e-5
    null = result.null.loc[result.null["class"] == "snv", "score"].abs().to_numpy()
    assert len(null) > 250
    assert scores.loc["break", "p_value"] == pytest.approx((1 + (null >= 4.0 - 1e-4).sum()) / (1 + len(null)))
    assert scores.loc["break", "p_value"] < 0.1 and scores.loc["c190A", "p_value"] > 0.5
    assert scores.loc["break", "percentile"] > 90
    assert scores.loc["break", "log_ratio"] == pytest.approx(
        np.log(scores.loc["break", "alt_prob"] / scores.loc["break", "ref_prob"]), rel=1e-3)
    assert result.summary["left_out"] == {"chromosome_end": 1}
    assert result.unscored[["line", "reason"]].values.tolist() == [[7, "chromosome_end"]]
    assert result.summary["known_answers"]["bound"] == {"breaking": 1, "others": 2, "auroc_abs_score": 1.0}
    assert set(result.summary["null"]) == {"bound/snv", "bound/indel"}
    streamed = tmp_path / "scores.tsv.gz"
    again = score_variants(model, motif_genome, path, ["bound"], regions=regions, n_null=300, chunk_size=3,
                           scores_path=streamed)
    assert again.scores is None
    read_back = pd.read_csv(streamed, sep="\t")
    assert read_back["id"].tolist() == result.scores["id"].tolist()
    assert np.allclose(read_back["p_value"], result.scores["p_value"], rtol=1e-5)


def test_variants_on_another_assembly_or_no_known_chromosome_are_refused(motif_genome, tmp_path):
    model = motif_model(41)
    wrong = "".join(f"chr1\t{p}\t.\t{'G' if CHR1[p - 1] != 'G' else 'A'}\tT\t.\t.\t.\n" for p in range(50, 60))
    with pytest.raises(InputError, match=r"none of its 10 alleles could be scored .*another assembly"):
        score_variants(model, motif_genome, vcf(tmp_path, wrong), ["bound"], n_null=0)
    many = "".join(f"chr1\t{p}\t.\t{'G' if CHR1[p - 1] != 'G' else 'A'}\tT\t.\t.\t.\n" for p in range(30, 370))
    with pytest.raises(InputError, match=r"REF allele of all of the first 340 variants differs.*line 4"):
        score_variants(model, motif_genome, vcf(tmp_path, many, "many.vcf"), ["bound"], n_null=0)
    with pytest.raises(InputError, match=r"chromosome names match"):
        score_variants(model, motif_genome, vcf(tmp_path, "chrX\t5\t.\tA\tC\t.\t.\t.\n", "x.vcf"), ["bound"],
                       n_null=0)
    with pytest.raises(InputError, match=r"no variant records"):
        score_variants(model, motif_genome, vcf(tmp_path, "", "empty.vcf"), ["bound"], n_null=0)


def test_known_answer_variants_break_each_motif_site_at_its_core_and_add_random_ones(motif_genome):
    from biodl.data.dna import one_hot_encode
    from biodl.data.pwm import Motif
    from biodl.interpret.variant_effects import known_answer_variants

    gattaca = Motif("M1", "GATTACA_factor", one_hot_encode("GATTACA") * 0.97 + 0.0075)
    regions = pd.DataFrame({"chrom": ["1", "chr1"], "start": [150, 300], "end": [260, 380]})
    found = known_answer_variants(motif_genome, regions, [gattaca], n_random=50, fimo_threshold=1e-3, seed=2)
    cores = found.loc[found["breaks_site"]]
    assert len(cores) == 1 and cores.iloc[0]["motif_name"] == "GATTACA_factor"
    position = cores.iloc[0]["pos"] - 1
    assert 200 <= position < 207 and CHR1[position] == cores.iloc[0]["ref"] != cores.iloc[0]["alt"]
    random = found.loc[~found["breaks_site"]]
    assert 45 <= len(random) <= 50 and (random["chrom"] == "chr1").all()
    starts = random["pos"] - 1
    assert (((starts >= 150) & (starts < 260)) | ((starts >= 300) & (starts < 380))).all()
    assert all(CHR1[p - 1] == ref for p, ref in zip(random["pos"], random["ref"]))
