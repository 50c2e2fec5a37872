"""Allele windows of SNVs, insertions and deletions (the model's length, the variant
centred), the windows that cannot be cut (counted by reason), and the matched null."""

import pandas as pd
from conftest import MOTIF_CHR1 as CHR1

from biodl.data.alleles import WindowMaker, background_variants, genome_chromosome, variant_shapes
from biodl.data.dna import decode


def chunk(*rows):
    return pd.DataFrame([(k + 1, ".", *row) for k, row in enumerate(rows)],
                        columns=["line", "id", "chrom", "pos", "ref", "alt"])


def test_snv_and_indel_windows_keep_the_length_with_the_variant_centred(motif_genome):
    length = 11
    p = 100  # 1-based; 0-based 99
    variants = chunk(("chr1", p, CHR1[p - 1], "A"), ("chr1", p, CHR1[p - 1:p + 2], CHR1[p - 1]),
                     ("chr1", p, CHR1[p - 1], CHR1[p - 1] + "GG"))
    windows = WindowMaker(motif_genome, length)(variants)
    assert windows.status.tolist() == ["ok"] * 3
    ref = decode(windows.ref)
    alt = decode(windows.alt)
    assert ref[0] == CHR1[94:105] and alt[0] == CHR1[94:99] + "A" + CHR1[100:105]
    # a 2 bp deletion: the alternative window extends both flanks by one base
    assert ref[1] == CHR1[95:106] and alt[1] == CHR1[94:100] + CHR1[102:107]
    # a 2 bp insertion: the alternative window trims both flanks by one base
    assert ref[2] == CHR1[94:105] and alt[2] == CHR1[95:100] + "GG" + CHR1[100:104]
    assert all(len(seq) == length for seq in ref + alt)


def test_windows_that_cannot_be_cut_are_counted_by_reason_and_chr_prefixes_are_matched(motif_genome):
    variants = chunk(("1", 100, CHR1[99], "A"), ("chr3", 100, "C", "A"), ("chr1", 3, CHR1[2], "A"),
                     ("chr1", 398, CHR1[397], "A"), ("chr1", 120, "G" if CHR1[119] != "G" else "C", "A"),
                     ("chr1", 150, CHR1[149], "A" * 30))
    maker = WindowMaker(motif_genome, 21)
    windows = maker(variants)
    assert windows.status.tolist() == ["ok", "unknown_chromosome", "chromosome_end", "chromosome_end",
                                       "ref_mismatch", "longer_than_window"]
    assert windows.chrom[0] == "chr1" and maker.renamed == {"1 -> chr1": 1}
    assert not windows.ref[1:].any() and not windows.alt[1:].any()
    assert genome_chromosome("MT", {"chrM": 1}) == "chrM" and genome_chromosome("chrM", {"MT": 1}) == "MT"


def test_the_null_has_the_variants_kinds_of_change_in_the_regions(motif_genome):
    variants = chunk(*[("chr1", 100 + k, CHR1[99 + k], "A") for k in range(30)],
                     ("chr1", 300, CHR1[299:302], CHR1[299]), ("chr1", 310, CHR1[309], CHR1[309] + "AC"))
    shapes = variant_shapes([variants])
    regions = pd.DataFrame({"chrom": ["chr1", "1"], "start": [50, 250], "end": [150, 350]})
    null = background_variants(motif_genome, regions, shapes, 400, length=21, seed=3)
    assert len(null) == 400 and null["id"].is_unique
    assert null.equals(background_variants(motif_genome, regions, shapes, 400, length=21, seed=3))
    starts = null["pos"] - 1
    assert (((starts >= 50) & (starts < 150)) | ((starts >= 250) & (starts < 350))).all()
    assert all(CHR1[p - 1:p - 1 + len(ref)] == ref for p, ref in zip(null["pos"], null["ref"]))
    snv = null.loc[(null["ref"].str.len() == 1) & (null["alt"].str.len() == 1)]
    assert set(zip(snv["ref"], snv["alt"])) <= {key for key in shapes if len(key) == 2}
    deletions = null.loc[null["ref"].str.len() == 3]
    assert len(deletions) > 0 and (deletions["alt"] == deletions["ref"].str[0]).all()
    insertions = null.loc[null["alt"].str.len() == 3]
    assert len(insertions) > 0 and (insertions["alt"].str[0] == insertions["ref"]).all()
    assert 0.85 < len(snv) / 400 * 32 / 30 < 1.15
