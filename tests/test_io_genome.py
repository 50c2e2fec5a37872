import gzip

import pytest

from biodl.io import InputError
from biodl.io.genome import Genome, compression, index_genome

FASTA = ">chrA\nACGTACGTAC\nGGGG\n>chrB\nNNNNACGT\n"


def test_plain_gzip_is_decompressed_once_and_indexed(tmp_path):
    source = tmp_path / "g.fa.gz"
    with gzip.open(source, "wt") as handle:
        handle.write(FASTA)
    assert compression(source) == "gzip"
    with pytest.raises(InputError, match="gzip, not bgzip.*index_genome"):
        Genome(source)
    copy = index_genome(source, tmp_path / "out" / "genome.fa")
    assert (tmp_path / "out" / "genome.fa.fai").is_file() and not copy.is_symlink()
    with Genome(copy) as genome:
        assert genome.chrom_sizes == {"chrA": 14, "chrB": 8}
        assert genome.fetch("chrA", 8, 12) == "ACGG"  # across a line break
        assert genome.chromosome("chrB").tobytes() == b"NNNNACGT"


def test_plain_fasta_is_linked_and_bgzip_read_directly(tmp_path):
    from Bio import bgzf

    plain = tmp_path / "g.fa"
    plain.write_text(FASTA.replace("ACGTACGTAC", "acgtacgtac"))
    linked = index_genome(plain, tmp_path / "out" / "genome.fa")
    assert linked.is_symlink() and linked.resolve() == plain.resolve()
    with Genome(linked) as genome:
        assert genome.fetch("chrA", 0, 4) == "ACGT"  # upper case always
    packed = tmp_path / "g.fa.bgz"
    with bgzf.BgzfWriter(str(packed)) as handle:
        handle.write(FASTA)
    assert compression(packed) == "bgzip"
    with Genome(packed) as genome:
        assert genome.fetch("chrB", 2, 6) == "NNAC"


@pytest.mark.parametrize("text, message", [
    (">chrA\nACGTACGT\nACG\nACGTACGT\n", "not an indexable FASTA"),  # a short line inside a record
    ("", "not an indexable FASTA|no FASTA records"),
])
def test_bad_genomes_are_named(tmp_path, text, message):
    path = tmp_path / "bad.fa"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        index_genome(path, tmp_path / "out" / "genome.fa")
    assert "bad.fa" in str(err.value)


def test_missing_genome(tmp_path):
    with pytest.raises(InputError, match="absent.fa: genome FASTA not found"):
        index_genome(tmp_path / "absent.fa", tmp_path / "genome.fa")
