"""Profile windows: the bases and counts cut at the right coordinates, GC-matched background
off the peaks, chromosome splits, jitter and reverse complement drawn per batch (strands of
stranded tracks swapped), fragments in place of a bigWig, the file round trip, and every
kind of bad input."""

import numpy as np
import pandas as pd
import pytest

from biodl.data.dna import one_hot_codes
from biodl.data.profile_windows import extract_profiles, load_profiles
from biodl.data.simulate import simulate_genome, simulate_insertions
from biodl.io.files import InputError, save_arrays
from biodl.io.fragments import write_counts_bigwig

INPUT, OUTPUT, JITTER = 300, 100, 10


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("profiles")
    genome = simulate_genome(n_chromosomes=3, chromosome_length=40_000, n_peaks=45, seed=3)
    genome.write(folder / "genome.fa", folder / "peaks.narrowPeak", folder / "truth.tsv")
    cuts = simulate_insertions(genome, seed=3)
    write_counts_bigwig(cuts, folder / "cuts.bw")
    return folder, genome, cuts


def extract(folder, **settings):
    options = dict(input_length=INPUT, output_length=OUTPUT, jitter=JITTER, background=0.5,
                   test_chromosomes=["chr3"], val_chromosomes=["chr2"])
    return extract_profiles(folder / "peaks.narrowPeak", folder / "genome.fa", {"cuts": folder / "cuts.bw"},
                            **{**options, **settings})


def test_windows_hold_the_bases_and_counts_of_their_coordinates(simulated):
    folder, genome, cuts = simulated
    data, report = extract(folder)
    offset = (INPUT - OUTPUT) // 2
    assert data.sequences.shape == (len(data), INPUT + 2 * JITTER)
    assert data.counts.shape == (len(data), OUTPUT + 2 * JITTER, 1)
    for i in range(len(data)):
        chrom, start = data.windows.loc[i, ["chrom", "start"]]
        bases = genome.chromosomes[chrom][start - JITTER:start + INPUT + JITTER]
        assert data.sequences[i].tobytes().decode() == bases
        np.testing.assert_array_equal(data.counts[i, :, 0], cuts[chrom][start + offset - JITTER:
                                                                         start + offset + OUTPUT + JITTER])
    peaks = genome.peaks.assign(centre=genome.peaks["start"] + genome.peaks["summit"])
    regions = data.windows.loc[data.windows["source"] == "region"]
    expected = sorted(zip(peaks["chrom"], peaks["centre"] - INPUT // 2))
    assert sorted(zip(regions["chrom"], regions["start"])) <= expected and len(regions) >= len(peaks) - 3
    assert report["windows"]["region/train"] == int(((regions["chrom"] == "chr1")).sum())


def test_background_windows_are_gc_matched_off_every_peak_and_split_by_chromosome(simulated):
    folder, genome, _ = simulated
    data, report = extract(folder, background=1.0)
    windows = data.windows
    background = windows.loc[windows["source"] == "background"]
    assert abs(len(background) - (windows["source"] == "region").sum()) <= 3
    peaks = genome.peaks
    for chrom, start in background[["chrom", "start"]].itertuples(index=False):
        on = peaks.loc[peaks["chrom"] == chrom]
        assert not ((on["start"] < start + INPUT + JITTER) & (on["end"] > start - JITTER)).any()

    def gc(rows):
        codes = data.sequences[rows.index]
        return np.isin(codes, [ord("G"), ord("C")]).mean()

    assert abs(gc(background) - gc(windows.loc[windows["source"] == "region"])) < 0.02
    assert set(windows.loc[windows["split"] == "test", "chrom"]) == {"chr3"}
    assert set(windows.loc[windows["split"] == "val", "chrom"]) == {"chr2"}
    assert report["counts_per_window"]["region"]["median"] > 3 * report["counts_per_window"]["background"]["median"]


def test_batches_are_centred_without_a_generator_and_jittered_and_flipped_with_one(simulated):
    folder, _, _ = simulated
    data, _ = extract(folder)
    rows = np.arange(len(data))
    x, targets = data.batch(rows)
    np.testing.assert_array_equal(x, one_hot_codes(data.sequences[:, JITTER:JITTER + INPUT]))
    np.testing.assert_array_equal(targets["profile"], data.counts[:, JITTER:JITTER + OUTPUT])
    np.testing.assert_allclose(targets["log_count"], np.log1p(targets["profile"].sum(axis=1)))
    x, targets = data.batch(rows, np.random.default_rng(0))
    shifts, flips = [], []
    for i in rows:
        for shift in range(2 * JITTER + 1):
            forward = one_hot_codes(data.sequences[i, shift:shift + INPUT])
            counts = data.counts[i, shift:shift + OUTPUT]
            if np.array_equal(x[i], forward) and np.array_equal(targets["profile"][i], counts):
                shifts.append(shift), flips.append(False)
                break
            if np.array_equal(x[i], forward[::-1, ::-1]) and np.array_equal(targets["profile"][i], counts[::-1]):
                shifts.append(shift), flips.append(True)
                break
        else:
            pytest.fail(f"batch row {i} is no shifted or reverse-complemented window of its own")
    assert len(set(shifts)) > 5 and 0.25 < np.mean(flips) < 0.75
    again = data.batch(rows, np.random.default_rng(0))
    np.testing.assert_array_equal(again[0], x)


def test_reverse_complement_swaps_the_strands_of_a_stranded_pair(simulated):
    folder, _, _ = simulated
    data, _ = extract_profiles(folder / "peaks.narrowPeak", folder / "genome.fa",
                               {"plus": folder / "cuts.bw", "minus": folder / "cuts.bw", "other": folder / "cuts.bw"},
                               input_length=INPUT, output_length=OUTPUT, jitter=0, background=0,
                               strand_pairs=[["plus", "minus"]])
    data.counts[..., 1] *= 2
    data.counts[..., 2] *= 3
    _, targets = data.batch(np.arange(len(data)), np.random.default_rng(1))
    centred = data.counts
    for i in range(len(data)):
        profile = targets["profile"][i]
        if np.array_equal(profile, centred[i]):
            continue
        np.testing.assert_array_equal(profile, centred[i, ::-1][:, [1, 0, 2]])


def test_a_fragments_file_gives_the_counts_of_its_insertions(simulated, tmp_path):
    folder, genome, _ = simulated
    rng = np.random.default_rng(0)
    chrom = np.array(["chr1", "chr2", "chr3"])[rng.integers(0, 3, 3000)]
    start = rng.integers(100, 39_000, 3000)
    fragments = pd.DataFrame({"chrom": chrom, "start": start, "end": start + rng.integers(30, 500, 3000)})
    fragments.to_csv(tmp_path / "fragments.bedpe", sep="\t", header=False, index=False)
    from_fragments, _ = extract_profiles(folder / "peaks.narrowPeak", folder / "genome.fa",
                                         {"atac": tmp_path / "fragments.bedpe"}, input_length=INPUT,
                                         output_length=OUTPUT, jitter=JITTER, background=0)
    offset = (INPUT - OUTPUT) // 2
    for i in range(len(from_fragments)):
        c, s = from_fragments.windows.loc[i, ["chrom", "start"]]
        lo, hi = s + offset - JITTER, s + offset + OUTPUT + JITTER
        on = fragments[fragments["chrom"] == c]
        sites = np.concatenate([on["start"] + 4, on["end"] - 5])
        expected = np.bincount(sites[(sites >= lo) & (sites < hi)] - lo, minlength=hi - lo)
        np.testing.assert_array_equal(from_fragments.counts[i, :, 0], expected)


def test_saved_windows_load_identically_and_another_npz_is_refused(simulated, tmp_path):
    folder, _, _ = simulated
    data, _ = extract(folder)
    data.save(tmp_path / "data.npz")
    loaded = load_profiles(tmp_path / "data.npz")
    np.testing.assert_array_equal(loaded.sequences, data.sequences)
    np.testing.assert_array_equal(loaded.counts, data.counts)
    pd.testing.assert_frame_equal(loaded.windows, data.windows)
    assert (loaded.tracks, loaded.input_length, loaded.output_length, loaded.jitter) == (["cuts"], INPUT, OUTPUT,
                                                                                          JITTER)
    assert loaded.chrom_sizes == {"chr1": 40_000, "chr2": 40_000, "chr3": 40_000}
    save_arrays(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(InputError, match=r"other\.npz: not profile windows .*lacks 'sequences'"):
        load_profiles(tmp_path / "other.npz")


def test_bad_inputs_are_refused_in_one_line(simulated, tmp_path):
    folder, genome, cuts = simulated
    peaks, fasta = folder / "peaks.narrowPeak", folder / "genome.fa"
    write_counts_bigwig({f"chrom{k}": values for k, values in enumerate(cuts.values())}, tmp_path / "renamed.bw")
    write_counts_bigwig({"chr1": cuts["chr1"][:30_000]}, tmp_path / "short.bw")
    cases = [
        ({"cuts": tmp_path / "missing.bw"}, {}, InputError, "track cuts: .*missing.bw: no such file"),
        ({"cuts": tmp_path / "renamed.bw"}, {}, InputError, "shares no chromosome with the genome"),
        ({"cuts": tmp_path / "short.bw"}, {}, InputError, "chr1 30000 bp, the genome 40000 bp: another assembly"),
        ({"cuts": folder / "cuts.bw"}, {"strand_pairs": [["cuts", "minus"]]}, ValueError, "strand_pairs"),
        ({"cuts": folder / "cuts.bw"}, {"output_length": 400}, ValueError, "output_length <= input_length"),
        ({"cuts": folder / "cuts.bw"}, {"jitter": -1}, ValueError, "at least 0"),
        ({}, {}, ValueError, "at least one count track"),
    ]
    for tracks, settings, error, message in cases:
        with pytest.raises(error, match=message) as raised:
            extract_profiles(peaks, fasta, tracks, **{"input_length": INPUT, "output_length": OUTPUT, **settings})
        assert "\n" not in str(raised.value)
    (tmp_path / "fragments.bed").write_text("chr1\t10\tx\n")
    with pytest.raises(InputError, match=r"fragments.bed:1: expected chrom, start, end"):
        extract_profiles(peaks, fasta, {"atac": tmp_path / "fragments.bed"}, input_length=INPUT,
                         output_length=OUTPUT)
