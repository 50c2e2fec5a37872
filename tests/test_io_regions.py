import pytest

from biodl.io import InputError
from biodl.io.intervals import read_regions


def test_bed_narrowpeak_and_labelled_table(tmp_path):
    bed = tmp_path / "a.bed"
    bed.write_text("track name=x\n# comment\nchr1\t10\t20\nchr2\t0\t5\n")
    table = read_regions(bed)
    assert table[["chrom", "start", "end"]].values.tolist() == [["chr1", 10, 20], ["chr2", 0, 5]]
    assert table["summit"].tolist() == [-1, -1] and table["line"].tolist() == [3, 4]
    peaks = tmp_path / "p.narrowPeak"
    peaks.write_text("chrI\t100\t300\tp1\t5\t.\t2.0\t3.0\t1.0\t50\nchrI\t400\t500\tp2\t5\t.\t2.0\t3.0\t1.0\t-1\n")
    assert read_regions(peaks)["summit"].tolist() == [150, -1]
    labelled = tmp_path / "t.tsv"
    labelled.write_text("chrom\tstart\tend\tbound\tcell\nchr1\t1\t9\t1\tk562\nchr1\t20\t30\t0\thepg2\n")
    table = read_regions(labelled)
    assert table["bound"].tolist() == [1, 0] and table["cell"].tolist() == ["k562", "hepg2"]


@pytest.mark.parametrize("text, message", [
    ("chr1\t10\n", r"a.bed:1: expected at least 3 tab-separated columns"),
    ("chr1\t10\t20\nchr1\tten\t20\n", r"a.bed:2: start and end must be integers, got 'ten'"),
    ("chr1\t10\t20\nchr1\t30\t30\n", r"a.bed:2: need 0 <= start < end, got start 30, end 30"),
    ("chr1\t10\t20\nchr1\t30\t40\textra\n", r"a.bed:2: expected 3 tab-separated columns like the first line, got 4"),
    ("chr1\t0\t10\tp\t1\t.\t1\t1\t1\t10\n", r"a.bed:1: summit offset 10 lies outside the 10 bp interval"),
    ("chromosome\tfrom\tto\nchr1\t1\t2\n", r"a.bed:1: the header .* lacks \['chrom', 'start', 'end'\]"),
    ("# only a comment\n", "no intervals"),
])
def test_bad_region_files_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "a.bed"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_regions(path)
