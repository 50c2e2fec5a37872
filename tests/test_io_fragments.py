"""ATAC fragments as Tn5 insertion counts: the shift, what is left out, every kind of bad line,
the bigWig round trip, and the shared yeast fragments against the shared cuts track."""

import gzip
import logging

import numpy as np
import pytest

from biodl.io.files import InputError
from biodl.io.fragments import insertion_counts, write_counts_bigwig

SIZES = {"chr1": 100, "chr2": 50}


def write(path, text):
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_each_fragment_gives_two_shifted_insertions(tmp_path):
    path = write(tmp_path / "f.bedpe", "chr1\t10\t40\nchr1\t10\t60\nchr2\t0\t20\n")
    counts = insertion_counts(path, SIZES)
    assert set(counts) == {"chr1", "chr2"} and counts["chr1"].dtype == np.int32
    assert {int(p): int(counts["chr1"][p]) for p in np.flatnonzero(counts["chr1"])} == {14: 2, 35: 1, 55: 1}
    assert np.flatnonzero(counts["chr2"]).tolist() == [4, 15] and len(counts["chr2"]) == 50


def test_a_10x_file_with_its_header_barcodes_and_own_shift(tmp_path):
    text = "# id=sample\n# reference_path=/ref\nchr1\t10\t40\tAAAC-1\t3\nchr1\t20\t30\tAAAG-1\t1\n"
    counts = insertion_counts(write(tmp_path / "fragments.tsv.gz", text), SIZES, shift=(0, -1))
    assert np.flatnonzero(counts["chr1"]).tolist() == [10, 20, 29, 39]


@pytest.mark.parametrize("name, encode", [
    ("crlf.bedpe", lambda text: text.replace("\n", "\r\n").encode()),
    ("bom.bedpe", lambda text: b"\xef\xbb\xbf" + text.encode()),
    ("gzip_without_suffix.bedpe", lambda text: gzip.compress(text.encode())),
])
def test_windows_line_endings_a_byte_order_mark_and_unnamed_gzip_read_as_meant(tmp_path, name, encode):
    (tmp_path / name).write_bytes(encode("chr1\t10\t40\nchr1\t10\t60\n"))
    counts = insertion_counts(tmp_path / name, SIZES)
    assert {int(p): int(counts["chr1"][p]) for p in np.flatnonzero(counts["chr1"])} == {14: 2, 35: 1, 55: 1}


def test_fragments_off_the_genome_are_counted_and_left_out(tmp_path, caplog):
    path = write(tmp_path / "f.bedpe", "chrUn\t0\t30\nchrUn\t5\t30\nchr2\t0\t3\nchr2\t40\t60\nchr1\t0\t30\n")
    with caplog.at_level(logging.INFO):
        counts = insertion_counts(path, SIZES, chunk_rows=2)
    assert "2 fragments on 1 chromosomes not in the genome are left out: chrUn (2)" in caplog.text
    # chr2 0-3: the start + 4 lands past end - 5 (fine) but end - 5 is -2; 40-60: end - 5 = 55 > 50
    assert "2 insertions fall off a chromosome's ends" in caplog.text
    assert counts["chr2"].sum() == 2 and counts["chr1"].sum() == 2


@pytest.mark.parametrize("text, where, said", [
    ("chr1\t10\t40\nchr1\tten\t40\n", ":2:", "['chr1', 'ten', '40']"),
    ("# header\nchr1\t10\t40\nchr1\t50\t50\n", ":3:", "0 <= start < end"),
    ("chr1\t-3\t40\n", ":1:", "0 <= start < end"),
    ("chr1\t10\n", "", "expected at least three tab-separated columns"),
    ("", "", "holds no fragments"),
])
def test_bad_lines_name_the_file_and_line(tmp_path, text, where, said):
    path = write(tmp_path / "f.bedpe", text)
    with pytest.raises(InputError) as raised:
        insertion_counts(path, SIZES, chunk_rows=1)
    assert str(raised.value).startswith(f"{path}{where}") and said in str(raised.value)


def test_a_truncated_gzip_is_refused(tmp_path):
    path = tmp_path / "f.bedpe.gz"
    path.write_bytes(gzip.compress(("chr1\t10\t40\n" * 2000).encode())[:60])
    with pytest.raises(InputError, match="not valid gzip"):
        insertion_counts(path, SIZES)


def test_counts_round_trip_through_a_bigwig(tmp_path):
    import pyBigWig

    counts = insertion_counts(write(tmp_path / "f.bedpe", "chr1\t10\t40\nchr1\t10\t60\n"), SIZES)
    write_counts_bigwig(counts, tmp_path / "cuts.bw")
    track = pyBigWig.open(str(tmp_path / "cuts.bw"))
    assert track.chroms() == SIZES
    np.testing.assert_array_equal(np.nan_to_num(track.values("chr1", 0, 100)), counts["chr1"])
    assert track.intervals("chr2") is None


def test_the_shared_yeast_fragments_give_the_shared_cuts_track_exactly(shared_data):
    import pyBigWig

    folder = shared_data / "yeast_atac"
    sizes = {chrom: int(size) for chrom, size in
             (line.split() for line in (folder / "sacCer3.chrom.sizes").read_text().splitlines())}
    counts = insertion_counts(folder / "fragments.bedpe.gz", sizes)
    assert sum(int(c.sum()) for c in counts.values()) == 935_816  # two per fragment, all on the genome
    track = pyBigWig.open(str(folder / "tn5_cuts.bw"))
    for chrom, size in sizes.items():
        np.testing.assert_array_equal(np.nan_to_num(track.values(chrom, 0, size)), counts[chrom], err_msg=chrom)
