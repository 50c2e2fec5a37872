"""Variants from VCF (plain, gzip, bgzip) and TSV files: multi-allelic records split, alleles
that are not DNA counted with their line, malformed lines refused with file:line."""

import gzip
import logging

import pandas as pd
import pytest

from biodl.io import InputError
from biodl.io.variants import VariantFile

HEADER = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=400>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
from conftest import MOTIF_CHR1 as CHR1


def records(path, **kwargs):
    reader = VariantFile(path, **kwargs)
    return pd.concat(list(reader), ignore_index=True), reader


def vcf(tmp_path, body, name="v.vcf"):
    path = tmp_path / name
    text = HEADER + body
    path.write_bytes(gzip.compress(text.encode())) if name.endswith(".gz") else path.write_text(text)
    return path


# --- reading -------------------------------------------------------------------------------

def test_multi_allelic_records_split_and_every_allele_that_is_not_dna_counted_with_its_line(tmp_path, caplog):
    body = ("chr1\t10\trs1\tC\tT\t.\t.\t.\n"
            "chr1\t20\t.\tCT\tC,CTT,<DEL>\t.\t.\t.\n"
            "chr1\t30\t.\tC\t.\t.\t.\t.\n"
            "chr1\t40\t.\tC\tT]chr2:100]\t.\t.\t.\n"
            "chr1\t50\t.\tC\t*\t.\t.\t.\n"
            "chr1\t60\t.\tc\tt\t.\t.\t.\n")
    with caplog.at_level(logging.WARNING):
        table, reader = records(vcf(tmp_path, body), chunk_size=2)
    assert table[["line", "pos", "ref", "alt"]].values.tolist() == [
        [4, 10, "C", "T"], [5, 20, "CT", "C"], [5, 20, "CT", "CTT"], [9, 60, "C", "T"]]
    assert table["id"].tolist()[:2] == ["rs1", "."]
    assert reader.records == 6 and reader.alleles == 4
    assert reader.skipped == {"symbolic": 3, "no_alt": 1}
    assert reader.skipped_table()["line"].tolist() == [5, 6, 7, 8]
    assert "1 records without an alternative allele (ALT '.') left out (e.g. line 6" in caplog.text


@pytest.mark.parametrize("compress", ["plain", "gzip", "bgzip"])
def test_plain_gzip_and_bgzip_tabix_indexed_vcfs_read_alike(compress, tmp_path):
    body = "".join(f"chr1\t{p}\t.\t{CHR1[p - 1]}\tA\t.\t.\t.\n" for p in (5, 50, 150))
    if compress == "bgzip":
        import pysam

        path = tmp_path / "v.vcf.gz"
        pysam.tabix_index(str(vcf(tmp_path, body)), preset="vcf")  # bgzip, then the .tbi index beside it
        assert path.read_bytes()[12:14] == b"BC" and (tmp_path / "v.vcf.gz.tbi").is_file()
    else:
        path = vcf(tmp_path, body, "v.vcf.gz" if compress == "gzip" else "v.vcf")
    table, _ = records(path)
    assert table["pos"].tolist() == [5, 50, 150] and set(table["alt"]) == {"A"}


def test_a_tsv_with_or_without_header_and_with_an_id_column(tmp_path):
    plain = tmp_path / "v.tsv"
    plain.write_text("chr1\t10\tC\tT\nchr1\t20\tC\tA,G\n")
    table, _ = records(plain)
    assert table[["line", "pos", "alt"]].values.tolist() == [[1, 10, "T"], [2, 20, "A"], [2, 20, "G"]]
    named = tmp_path / "named.tsv"
    named.write_text("id\tCHROM\tpos\tref\talt\nv1\tchr1\t10\tc\tt\n")
    table, _ = records(named)
    assert table[["line", "id", "chrom", "ref", "alt"]].values.tolist() == [[2, "v1", "chr1", "C", "T"]]


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("v.vcf", HEADER + "chr1\t10\t.\tC\tT\t.\t.\t.\nchr1\tten\t.\tC\tT\t.\t.\t.\n", ["v.vcf:5", "not a VCF record"]),
    ("v.vcf", HEADER + "chr1\t10\t.\tC\n", ["v.vcf:4", "not a VCF record"]),
    ("v.tsv", "chr1\t10\tC\n", ["v.tsv:1", "chrom, pos, ref, alt", "3 field(s)"]),
    ("v.tsv", "chr1\t10\tC\tT\nchr1\t-5\tC\tT\n", ["v.tsv:2", "'-5'", "positive integer"]),
    ("v.tsv", "chrom\tposition\tref\talt\n", ["v.tsv:1", "header", "['pos']"]),
    ("v.vcf.gz", gzip.compress((HEADER + "chr1\t10\t.\tC\tT\n").encode())[:50], ["v.vcf.gz", "not valid gzip"]),
    ("v.tsv", b"\x89PNG\r\n\x1a\n\x00\xff\xfe", ["v.tsv", "not a text file"]),
])
def test_a_malformed_variants_file_is_refused_with_its_line(name, content, expected, tmp_path):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as caught:
        records(path)
    message = str(caught.value)
    assert "\n" not in message and all(text in message for text in expected), message




def test_a_plain_gzip_vcf_is_decompressed_once_however_often_it_is_read(tmp_path, caplog):
    import logging

    path = vcf(tmp_path, "chr1\t5\t.\tC\tA\t.\t.\t.\n", "v.vcf.gz")
    reader = VariantFile(path)
    with caplog.at_level(logging.INFO, logger="biodl.io.variants"):
        first, second = pd.concat(list(reader)), pd.concat(list(reader))
    assert first.equals(second) and caplog.text.count("read from a decompressed copy") == 1
