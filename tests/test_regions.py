import logging
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from biodl.data.simulate import simulate_genome
from biodl.data.windows import MAX_N_FRACTION, extract, signal_means
from biodl.io import InputError


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("genome")
    simulate_genome(n_chromosomes=2, chromosome_length=40_000, n_peaks=60, seed=2).write(
        folder / "genome.fa", folder / "peaks.narrowPeak", folder / "truth.tsv")
    return folder


@pytest.fixture
def small(tmp_path):
    """chr1: 1000 bp of ACGT repeats with 200 N at 400-600; chr2: 300 bp."""
    rng = np.random.default_rng(0)
    chr1 = "".join(rng.choice(list("ACGT"), 1000))
    chr1 = chr1[:400] + "N" * 200 + chr1[600:]
    chr2 = "".join(rng.choice(list("ACGT"), 300))
    genome = tmp_path / "genome.fa"
    genome.write_text(f">chr1\n{chr1}\n>chr2\n{chr2}\n")
    return genome, chr1


def bed(tmp_path, rows, name="r.bed"):
    path = tmp_path / name
    path.write_text("".join("\t".join(map(str, row)) + "\n" for row in rows))
    return path


def test_windows_are_centred_and_cut_from_the_genome(tmp_path, small, caplog):
    genome, chr1 = small
    regions = bed(tmp_path, [("chr1", 100, 200), ("chr1", 700, 760)])
    result = extract(regions, genome, length=50, gc_matched=0)
    assert result.windows["id"].tolist() == ["chr1:125-175", "chr1:705-755"]
    assert result.sequences == [chr1[125:175], chr1[705:755]]
    assert result.targets == ["peak"] and result.windows["peak"].tolist() == [1, 1]
    with caplog.at_level(logging.INFO, logger="biodl.data.windows"):
        assert extract(regions, genome, gc_matched=0).report["length"] == 80  # the median width
    assert "window length 80 bp: the median width of the 2 regions" in caplog.text


def test_bad_regions_are_counted_not_crashed_on(tmp_path, small, caplog):
    genome, _ = small
    regions = bed(tmp_path, [
        ("chr1", 100, 200),   # kept
        ("chrX", 100, 200),   # not in the genome
        ("chr1", 0, 40),      # its 100 bp window starts before 0
        ("chr2", 250, 300),   # runs off the 300 bp chromosome
        ("chr1", 450, 550),   # all N
        ("chr1", 110, 190),   # the same window as the first
    ])
    with caplog.at_level(logging.WARNING):
        result = extract(regions, genome, length=100, gc_matched=0)
    assert result.report["left_out"] == {"unknown_chromosome": 1, "off_chromosome_end": 2, "blacklisted": 0,
                                         "duplicate_window": 1, "mostly_n": 1}
    assert result.windows["id"].tolist() == ["chr1:100-200"]
    said = caplog.text
    assert "1 regions on chromosomes not in genome" in said and "r.bed:2" in said
    assert "2 100 bp windows running off a chromosome end" in said
    assert f"more than {MAX_N_FRACTION:.0%} N" in said


def test_no_matching_chromosome_is_a_clear_error(tmp_path, small):
    genome, _ = small
    with pytest.raises(InputError, match=r"no region chromosome is in genome .*'1'.*'chr' prefix"):
        extract(bed(tmp_path, [("1", 100, 200)]), genome)


def test_gc_matched_background_avoids_regions_and_blacklist(simulated):
    black = simulated / "black.bed"
    black.write_text("chr2\t0\t20000\n")
    result = extract(simulated / "peaks.narrowPeak", simulated / "genome.fa", length=200, blacklist=black, seed=3)
    windows = result.windows
    regions = windows[windows["source"] == "region"]
    background = windows[windows["source"] == "gc_matched"]
    assert len(background) == len(regions) and result.windows["peak"].sum() == len(regions)
    # same chromosomes in the same numbers, same GC distribution (2 % bins), unlike uniform windows
    assert Counter(background["chrom"]) == Counter(regions["chrom"])
    bins = np.arange(0, 1.02, 0.02)
    assert (np.histogram(background["gc"], bins)[0] == np.histogram(regions["gc"], bins)[0]).all()
    assert abs(regions["gc"].mean() - result.report["gc_mean_uniform_windows"]) > 0.02
    peaks = pd.read_csv(simulated / "peaks.narrowPeak", sep="\t", header=None)
    for _, row in background.iterrows():
        on_chrom = peaks[peaks[0] == row["chrom"]]
        assert not ((on_chrom[1] < row["end"]) & (on_chrom[2] > row["start"])).any()
        assert not (row["chrom"] == "chr2" and row["start"] < 20000)
    assert result.report["left_out"]["blacklisted"] == int(((peaks[0] == "chr2") & (peaks[1] < 20000)).sum()) > 0
    again = extract(simulated / "peaks.narrowPeak", simulated / "genome.fa", length=200, blacklist=black, seed=3)
    pd.testing.assert_frame_equal(again.windows, windows)


def test_shuffled_negatives_keep_dinucleotides(simulated):
    result = extract(simulated / "peaks.narrowPeak", simulated / "genome.fa", length=100, gc_matched=0,
                     shuffled=2.0)
    windows = result.windows
    shuffled = windows[windows["source"] == "shuffled"]
    assert len(shuffled) == 2 * (windows["source"] == "region").sum() and (shuffled["peak"] == 0).all()
    sequence = dict(zip(windows["id"], result.sequences, strict=True))
    one = shuffled.iloc[0]
    source_seq, shuffled_seq = sequence[one["id"].rsplit("_shuf", 1)[0]], sequence[one["id"]]
    def pairs(seq):
        return Counter(seq[i:i + 2] for i in range(len(seq) - 1))

    assert pairs(source_seq) == pairs(shuffled_seq) and source_seq != shuffled_seq
    assert windows["id"].is_unique


def test_one_file_per_class_gets_a_background_class(tmp_path, simulated):
    peaks = pd.read_csv(simulated / "peaks.narrowPeak", sep="\t", header=None)
    first = bed(tmp_path, peaks.iloc[:30, :3].values, "a.bed")
    second = bed(tmp_path, peaks.iloc[30:, :3].values, "b.bed")
    result = extract([first, second], simulated / "genome.fa", classes=["a", "b"], length=100, gc_matched=0.5)
    assert result.targets == ["class"]
    counts = Counter(result.windows["class"])
    # 0.5 background windows per region, rounded per chromosome
    assert counts["a"] == counts["b"] == 30 and abs(counts["background"] - 30) <= 2
    with pytest.raises(ValueError, match="2 class names for 1 region files"):
        extract([first], simulated / "genome.fa", classes=["a", "b"])


def test_a_labelled_table_keeps_its_labels_and_refuses_unlabelled_negatives(tmp_path, small):
    genome, _ = small
    table = tmp_path / "t.tsv"
    table.write_text("chrom\tstart\tend\tbound\nchr1\t100\t200\t1\nchr1\t700\t800\t0\n")
    result = extract(table, genome)
    assert result.labels().to_dict("list") == {"id": ["chr1:100-200", "chr1:700-800"], "bound": [1, 0]}
    with pytest.raises(InputError, match="own label columns .*'bound'.* would have no label"):
        extract(table, genome, gc_matched=1.0)


def test_signal_targets_are_window_means(tmp_path, small):
    import pyBigWig

    genome, _ = small
    track = tmp_path / "s.bw"
    with pyBigWig.open(str(track), "w") as bw:
        bw.addHeader([("chr1", 1000), ("chr2", 300)])
        bw.addEntries("chr1", [100, 150], values=[2.0, 4.0], span=50)  # 100-150: 2, 150-200: 4, rest no data
    regions = bed(tmp_path, [("chr1", 100, 200), ("chr1", 125, 225), ("chr1", 700, 800)])
    result = extract(regions, genome, length=100, gc_matched=0, signal=track)
    assert result.targets == ["signal"]
    np.testing.assert_allclose(result.windows["signal"], np.log1p([3.0, (25 * 2 + 50 * 4) / 100, 0.0]))
    other = tmp_path / "other.bw"
    with pyBigWig.open(str(other), "w") as bw:
        bw.addHeader([("chrZ", 1000)])
        bw.addEntries("chrZ", [0], values=[1.0], span=10)
    with pytest.raises(InputError, match=r"other.bw: no chromosome 'chr1'"):
        signal_means(other, result.windows)
    (tmp_path / "fake.bw").write_text("not a bigwig")
    with pytest.raises(InputError, match="not a bigWig"):
        signal_means(tmp_path / "fake.bw", result.windows)
