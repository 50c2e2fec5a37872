"""Malformed inputs of every kind, through the command line as a user meets them: each ends
in one line naming the file and the record or line and what was expected, exit status 2
(see ``biodl --help``), and no output file left behind. A few harmless variants (Windows
line endings, a byte-order mark) are read as intended instead."""

import gzip

import h5py
import numpy as np
import pytest
import yaml

from biodl.steps.cli import main

FASTA = "".join(f">s{i}\nACGTACGTAC\n" for i in range(30))
LABELS = "id\tbound\n" + "".join(f"s{i}\t{i % 2}\n" for i in range(30))
BED = "chr1\t100\t200\nchr1\t400\t500\n"
GENOME = ">chr1\n" + "ACGT" * 250 + "\n"
SERIES = "id\tlabel\tt0\tt1\tt2\tt3\n" + "".join(f"x{i}\t{'ab'[i % 2]}\t{i}\t{i + 1}\t{i % 3}\t0.5\n"
                                                  for i in range(20))
OMIC = "sample\tg1\tg2\tg3\n" + "".join(f"p{i}\t{i}\t{i * 2 % 7}\t{i % 3}\n" for i in range(30))
OMIC_LABELS = "sample\tsubtype\n" + "".join(f"p{i}\t{'AB'[i % 2]}\n" for i in range(30))
MEME = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\n"
        "A 0.25 C 0.25 G 0.25 T 0.25\n\nMOTIF m1\nletter-probability matrix: alength= 4 w= 2\n"
        "0.7 0.1 0.1 0.1\n0.1 0.1 0.1 0.7\n")


def write(path, content):
    """Write text, or bytes; an ``.gz`` name gets the text gzipped (unless given bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif path.suffix == ".gz":
        path.write_bytes(gzip.compress(content.encode()))
    else:
        path.write_text(content)
    return str(path)


def prepare_sequences(fasta=FASTA, labels=LABELS, fasta_name="in.fa", labels_name="labels.tsv"):
    def args(d):
        fasta_path = d / fasta_name
        if fasta is None:
            fasta_path.mkdir()
        else:
            write(fasta_path, fasta)
        labels_path = d / labels_name
        if labels is None:
            labels_path.mkdir()
        else:
            write(labels_path, labels)
        return ["prepare-sequences", "--fasta", str(fasta_path), "--labels", str(labels_path),
                "--data", str(d / "out" / "d.npz"), "--splits", str(d / "out" / "s.tsv"),
                "--report", str(d / "out" / "r.json")]
    return args


def extract_regions(regions=BED, genome=GENOME, regions_name="peaks.bed", signal=None):
    def args(d):
        write(d / "genome.fa", genome)
        (d / "genome.fa.fai").unlink(missing_ok=True)
        extra = []
        if signal is not None:
            extra = ["--signal", signal(d / "signal.bw") if callable(signal) else write(d / "signal.bw", signal)]
        return ["extract-regions", "--regions", write(d / regions_name, regions), "--genome", str(d / "genome.fa"),
                *extra, "--fasta", str(d / "out" / "w.fa.gz"), "--labels", str(d / "out" / "l.tsv"),
                "--windows", str(d / "out" / "w.tsv"), "--report", str(d / "out" / "r.json"),
                "--gc-plot", str(d / "out" / "gc.png"), "--settings", write(d / "s.yaml", "length: 50\n")]
    return args


PROFILE_GENOME = ">chr1\n" + "ACGTTGCA" * 250 + "\n>chr2\n" + "TTGACCAG" * 250 + "\n"
PEAKS = "chr1\t800\t1000\nchr1\t1200\t1300\nchr2\t900\t1100\n"
PROFILE_SETTINGS = ("input_length: 200\noutput_length: 100\njitter: 10\nbackground: 0\ntrack_names: [cuts]\n"
                    "split: {test_chromosomes: [chr2]}\n")


def bigwig(chroms=("chr1", "chr2")):
    """A bigWig of one count per base on ``chroms`` (2,000 bp each)."""
    def build(path):
        from biodl.io.fragments import write_counts_bigwig

        write_counts_bigwig({chrom: np.ones(2000, dtype=np.int32) for chrom in chroms}, path)
        return str(path)
    return build


def prepare_profiles(regions=PEAKS, track=bigwig(), settings=PROFILE_SETTINGS, genome=PROFILE_GENOME):
    def args(d):
        write(d / "genome.fa", genome)
        track_path = track(d / "cuts.bw") if callable(track) else write(d / "fragments.tsv", track)
        return ["prepare-profiles", "--regions", write(d / "peaks.bed", regions), "--genome", str(d / "genome.fa"),
                "--tracks", track_path, "--data", str(d / "out" / "d.npz"), "--report", str(d / "out" / "r.json"),
                "--settings", write(d / "s.yaml", settings)]
    return args


def train_profiles_on_dna_data():
    """train-profiles given another step's .npz: a prepared DNA dataset."""
    def args(d):
        (d / "dna").mkdir()
        assert main(prepare_sequences()(d / "dna")) == 0
        return ["train-profiles", "--data", str(d / "dna" / "out" / "d.npz"), "--model", str(d / "out" / "m.keras"),
                "--history", str(d / "out" / "h.tsv")]
    return args


def index_genome(genome, name="genome.fa"):
    def args(d):
        return ["index-genome", "--source", write(d / name, genome), "--genome", str(d / "out" / "genome.fa")]
    return args


def prepare_timeseries(table=SERIES, name="series.tsv", settings="image_size: 4\n"):
    def args(d):
        return ["prepare-timeseries", "--tables", write(d / name, table), "--series", str(d / "out" / "s.npz"),
                "--images", str(d / "out" / "i.npz"), "--report", str(d / "out" / "r.json"),
                "--examples", str(d / "out" / "e.png"), "--settings", write(d / "s.yaml", settings)]
    return args


def prepare_ucr(train, test="1,0.1,0.2,0.3\n2,0.3,0.2,0.1\n"):
    def args(d):
        return ["prepare-timeseries", "--ucr-train", write(d / "X_TRAIN.txt", train), "--ucr-test",
                write(d / "X_TEST.txt", test), "--series", str(d / "out" / "s.npz"), "--images",
                str(d / "out" / "i.npz"), "--report", str(d / "out" / "r.json"), "--examples",
                str(d / "out" / "e.png"), "--settings", write(d / "s.yaml", "image_size: 3\n")]
    return args


def prepare_omics(omic=OMIC, labels=OMIC_LABELS, name="rna.tsv", h5ad=None):
    def args(d):
        if h5ad is not None:
            path = d / "rna.h5ad"
            h5ad(path)
        else:
            path = d / name
            write(path, omic)
        settings = {"omics": {"rna": {"path": str(path)}}}
        return ["prepare-omics", "--labels", write(d / "labels.tsv", labels), "--settings",
                write(d / "s.yaml", yaml.safe_dump(settings)), "--data", str(d / "out" / "d.npz"),
                "--report", str(d / "out" / "r.json")]
    return args


def tomtom(meme, as_database=False):
    """TOMTOM of ``meme`` against JASPAR, or (``as_database``) of a good motif against ``meme``."""
    def args(d):
        motifs = write(d / ("good.meme" if as_database else "motifs.meme"), MEME if as_database else meme)
        settings = {"database": write(d / "motifs.meme", meme)} if as_database else {}
        return ["tomtom", "--motifs", motifs, "--table", str(d / "out" / "t.tsv"), "--summary",
                str(d / "out" / "s.json"), "--settings", write(d / "s.yaml", yaml.safe_dump(settings))]
    return args


def tomtom_with_filter_table(table):
    """TOMTOM of a good motif, weighed by a filter table (the ``influence`` column)."""
    def args(d):
        return ["tomtom", "--motifs", write(d / "motifs.meme", MEME), "--filter-table", write(d / "filters.tsv", table),
                "--table", str(d / "out" / "t.tsv"), "--summary", str(d / "out" / "s.json")]
    return args


def logos(matches):
    """Logos of a good motif beside the matches of a tomtom table."""
    def args(d):
        return ["logos", "--motifs", write(d / "motifs.meme", MEME), "--matches", write(d / "tomtom.tsv", matches),
                "--logos", str(d / "out" / "l.png")]
    return args


SCREEN = ("motif_id\tmotif_name\tfamily\toutput\teffect_beyond_null\tsd\tq_value\n"
          "MA0139.2\tCTCF\tMore than 3 adjacent zinc fingers\tpeak\t1.5\t0.3\t1e-5\n")
PATTERNS = "motif_id\toutput\tsource\tn_seqlets\twidth\npeak_pos0\tpeak\tmodisco\t120\t15\n"


def motif_families(screen=SCREEN, patterns=PATTERNS, metrics='{"outputs": ["peak"], "models": {}}'):
    """The families of a screen, a pattern table and a metrics file (each replaceable)."""
    def args(d):
        settings = {"configured": ["MA0139"], "tax_group": "vertebrates"}
        return ["motif-families", "--screen", write(d / "screen.tsv", screen), "--patterns",
                write(d / "patterns.tsv", patterns), "--metrics", write(d / "metrics.json", metrics),
                "--table", str(d / "out" / "f.tsv"), "--summary", str(d / "out" / "f.json"), "--plot",
                str(d / "out" / "f.png"), "--settings", write(d / "s.yaml", yaml.safe_dump(settings))]
    return args


def evaluate_with_model(model_bytes):
    def args(d):
        prepared = prepare_sequences()(d)
        assert main(prepared) == 0
        data = d / "prepared.npz"
        (d / "out" / "d.npz").rename(data)
        for leftover in (d / "out").iterdir():
            leftover.unlink()
        write(d / "history.tsv", "epoch\tloss\tval_loss\n1\t0.5\t0.6\n")
        return ["evaluate-sequences", "--data", str(data), "--model", write(d / "model.keras", model_bytes),
                "--history", str(d / "history.tsv"), "--metrics", str(d / "out" / "m.json"), "--predictions",
                str(d / "out" / "p.tsv"), "--performance", str(d / "out" / "p.png"), "--curves",
                str(d / "out" / "c.png")]
    return args


VCF_HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
VCF = VCF_HEADER + "chr1\t101\t.\tA\tG\t.\t.\t.\n"  # GENOME is ACGT repeated: A at 1, 5, ..., 101


def score_variants(variants, name="v.vcf"):
    """score-variants of ``variants`` with an untrained 10 bp model on GENOME."""
    def args(d):
        from biodl.models import build_cnn1d
        from biodl.training import save_model

        assert main(prepare_sequences()(d)) == 0
        data = d / "prepared.npz"
        (d / "out" / "d.npz").rename(data)
        for leftover in (d / "out").iterdir():
            leftover.unlink()
        save_model(build_cnn1d((10, 4), 1, "binary", filters=[4], kernel_sizes=[3], dense_units=[4]), d / "m.keras")
        out = d / "out"
        return ["score-variants", "--data", str(data), "--model", str(d / "m.keras"), "--genome",
                write(d / "genome.fa", GENOME), "--variants", write(d / name, variants), "--scores",
                str(out / "s.tsv.gz"), "--null", str(out / "n.tsv"), "--unscored", str(out / "u.tsv"),
                "--summary", str(out / "s.json"), "--plot", str(out / "p.png"),
                "--settings", write(d / "s.yaml", "n_null: 50\n")]
    return args


def h5ad_without_x(path):
    with h5py.File(path, "w") as handle:
        handle.create_group("obs")


def h5ad_with_inf(path):
    values = np.arange(60, dtype=float).reshape(30, 2)
    values[0, 1] = np.inf
    with h5py.File(path, "w") as handle:
        handle.create_dataset("X", data=values)
        for part, names in (("obs", [f"p{i}" for i in range(30)]), ("var", ["g1", "g2"])):
            group = handle.create_group(part)
            group.attrs["_index"] = "_index"
            group.create_dataset("_index", data=np.array([name.encode() for name in names]))


CASES = {
    # FASTA
    "fasta empty": (prepare_sequences(fasta=""), ["in.fa", "no FASTA records"]),
    "fasta gzip truncated": (prepare_sequences(fasta=gzip.compress(FASTA.encode())[:40], fasta_name="in.fa.gz"),
                             ["in.fa.gz", "not valid gzip"]),
    "fasta not fasta": (prepare_sequences(fasta="just text\n"), ["in.fa", "FASTA"]),
    "fasta duplicate id": (prepare_sequences(fasta=FASTA + ">s3\nACGT\n"), ["in.fa", "duplicate", "s3"]),
    "fasta invalid base": (prepare_sequences(fasta=FASTA.replace("ACGTACGTAC", "ACGT?CGTAC", 1)),
                           ["in.fa", "'s0'", "'?'", "position 5"]),
    "fasta empty record": (prepare_sequences(fasta=">s0\n\n" + FASTA.split("\n", 2)[2]),
                           ["in.fa", "'s0'", "no sequence"]),
    "fasta is a directory": (prepare_sequences(fasta=None), ["in.fa", "directory"]),
    "fasta binary": (prepare_sequences(fasta=b"\x89PNG\r\n\x1a\n\x00\x00\x00"), ["in.fa"]),
    # labels
    "labels empty": (prepare_sequences(labels=""), ["labels.tsv", "empty"]),
    "labels for ids not in the FASTA": (prepare_sequences(labels=LABELS.replace("\ts", "\tq").replace("\ns", "\nq")),
                                        ["labels.tsv", "in.fa", "ids"]),
    "labels single class": (prepare_sequences(labels="id\tbound\n" + "".join(f"s{i}\t1\n" for i in range(30))),
                            ["labels.tsv", "'bound'", "1 distinct value"]),
    "labels duplicate id": (prepare_sequences(labels=LABELS + "s4\t1\n"), ["labels.tsv", "duplicate 'id'", "'s4'"]),
    "labels missing value": (prepare_sequences(labels=LABELS.replace("s7\t1", "s7\t")), ["labels.tsv", "s7"]),
    "labels without id column": (prepare_sequences(labels=LABELS.replace("id\t", "name\t", 1)),
                                 ["labels.tsv", "'id'"]),
    "labels is a directory": (prepare_sequences(labels=None), ["labels.tsv", "directory"]),
    "labels gzip corrupt": (prepare_sequences(labels=b"\x1f\x8b" + b"garbage" * 20, labels_name="labels.tsv.gz"),
                            ["labels.tsv.gz", "not valid gzip"]),
    # regions on a genome
    "regions start not a number": (extract_regions(regions=BED + "chr1\t1x0\t200\n"), ["peaks.bed:3"]),
    "regions end before start": (extract_regions(regions=BED + "chr1\t300\t250\n"), ["peaks.bed:3", "start < end"]),
    "regions empty": (extract_regions(regions=""), ["peaks.bed", "no intervals"]),
    "regions too few columns": (extract_regions(regions="chr1\t100\n"), ["peaks.bed:1", "3 tab-separated"]),
    "regions on no chromosome of the genome": (extract_regions(regions=BED.replace("chr1", "1")),
                                               ["peaks.bed:1", "genome.fa", "chromosome"]),
    "regions signal not bigwig": (extract_regions(signal=b"not a bigwig"), ["signal.bw"]),
    "regions signal of another assembly": (extract_regions(signal=bigwig(("chr1",))),
                                           ["signal.bw", "chr1 2000 bp, the genome 1000 bp", "another assembly"]),
    "genome empty": (index_genome(""), ["genome.fa"]),
    "genome gzip truncated": (index_genome(gzip.compress(GENOME.encode())[:30], name="genome.fa.gz"),
                              ["genome.fa.gz", "not valid gzip"]),
    "genome not fasta": (index_genome("chr1 ACGT\n"), ["genome.fa", "FASTA"]),
    "genome duplicate chromosome": (index_genome(GENOME + GENOME), ["genome.fa", "chr1"]),
    # series tables
    "series empty": (prepare_timeseries(table=""), ["series.tsv", "empty"]),
    "series text value": (prepare_timeseries(table=SERIES.replace("x3\tb\t3", "x3\tb\tthree")),
                          ["series.tsv", "x3", "three"]),
    "series infinite value": (prepare_timeseries(table=SERIES.replace("x4\ta\t4", "x4\ta\tinf")),
                              ["series.tsv", "x4", "inf"]),
    "series without label column": (prepare_timeseries(table=SERIES.replace("\tlabel", "\tclass", 1)),
                                    ["series.tsv", "label"]),
    "series duplicate id": (prepare_timeseries(table=SERIES + "x2\ta\t1\t2\t3\t4\n"), ["series.tsv", "x2"]),
    "series single class": (prepare_timeseries(table=SERIES.replace("\tb\t", "\ta\t")), ["series.tsv", "class"]),
    "ucr text value": (prepare_ucr("1,0.1,0.2,0.3\n2,0.3,abc,0.1\n"), ["X_TRAIN.txt", "line 2"]),
    "ucr empty": (prepare_ucr(""), ["X_TRAIN.txt"]),
    # omics tables
    "omics text value": (prepare_omics(omic=OMIC.replace("p5\t5", "p5\tfive")), ["rna.tsv", "p5", "five"]),
    "omics infinite value": (prepare_omics(omic=OMIC.replace("p6\t6", "p6\tinf")), ["rna.tsv", "p6", "inf"]),
    "omics duplicate sample": (prepare_omics(omic=OMIC + "p3\t1\t2\t3\n"), ["rna.tsv", "p3"]),
    "omics empty": (prepare_omics(omic=""), ["rna.tsv", "empty"]),
    "omics labels single class": (prepare_omics(labels=OMIC_LABELS.replace("\tB", "\tA")), ["labels.tsv", "class"]),
    "omics no shared sample": (prepare_omics(labels=OMIC_LABELS.replace("\np", "\nq")),
                               ["'rna'", "shares no sample"]),
    "h5ad not hdf5": (prepare_omics(omic="not hdf5", name="rna.h5ad"), ["rna.h5ad"]),
    "h5ad without X": (prepare_omics(h5ad=h5ad_without_x), ["rna.h5ad", "X"]),
    "h5ad with inf": (prepare_omics(h5ad=h5ad_with_inf), ["rna.h5ad", "'p0'", "'g2'", "finite"]),
    # MEME files
    "meme database without motifs": (tomtom(MEME.split("MOTIF")[0], as_database=True),
                                     ["motifs.meme", "no 'MOTIF' entries"]),
    "meme database empty": (tomtom("", as_database=True), ["motifs.meme", "empty"]),
    "meme not meme": (tomtom("hello\n"), ["motifs.meme", "line 1", "MEME version"]),
    "meme row of three": (tomtom(MEME.replace("0.1 0.1 0.1 0.7", "0.1 0.1 0.8")), ["motifs.meme", "m1", "line"]),
    "meme row not summing to 1": (tomtom(MEME.replace("0.7 0.1 0.1 0.1", "0.7 0.7 0.1 0.1")),
                                  ["motifs.meme", "m1"]),
    "meme text probability": (tomtom(MEME.replace("0.7 0.1", "x 0.1", 1)), ["motifs.meme", "m1"]),
    # variants
    "variants vcf record with a text position": (score_variants(VCF_HEADER + "chr1\t1x\t.\tA\tG\t.\t.\t.\n"),
                                                  ["v.vcf:3", "not a VCF record"]),
    "variants vcf record of four columns": (score_variants(VCF_HEADER + "chr1\t101\t.\tA\n"),
                                            ["v.vcf:3", "not a VCF record"]),
    "variants vcf record without alt": (score_variants(VCF_HEADER + "chr1\t101\t.\tA\t.\t.\t.\t.\n"),
                                        ["v.vcf", "without an alternative allele", "line 3"]),
    "variants tsv of three columns": (score_variants("chr1\t101\tA\n", "v.tsv"), ["v.tsv:1", "chrom, pos, ref, alt"]),
    "variants tsv position zero": (score_variants("chr1\t101\tA\tG\nchr1\t0\tA\tG\n", "v.tsv"),
                                   ["v.tsv:2", "'0'", "positive integer"]),
    "variants tsv header without ref": (score_variants("chrom\tpos\treference\talt\n", "v.tsv"),
                                        ["v.tsv:1", "header", "['ref']"]),
    "variants no record": (score_variants(VCF_HEADER), ["v.vcf", "no variant records"]),
    "variants gzip truncated": (score_variants(gzip.compress(VCF.encode())[:30], "v.vcf.gz"),
                                ["v.vcf.gz", "not valid gzip"]),
    "variants every ref differs from the genome": (
        score_variants(VCF_HEADER + "".join(f"chr1\t{p}\t.\tT\tG\t.\t.\t.\n" for p in range(101, 140, 4))),
        ["v.vcf", "none of its 10 alleles", "REF differs", "another assembly"]),
    "variants on no chromosome of the genome": (score_variants(VCF_HEADER + "chrX\t101\t.\tA\tG\t.\t.\t.\n"),
                                                ["v.vcf", "chromosome names"]),
    # tables one step hands the next
    "filter table without influence": (tomtom_with_filter_table("filter\tn_sites\nm1\t30\n"),
                                       ["filters.tsv", "filter table", "no column 'influence'"]),
    "tomtom table without q-values": (logos("query\trank\ttarget_id\ttarget_name\tp_value\n"
                                            "m1\t1\tMA0139.2\tCTCF\t0.001\n"),
                                      ["tomtom.tsv", "no column 'q_value'"]),
    # evidence tables of the motif families
    "screen without q-values": (motif_families(screen=SCREEN.replace("\tq_value", "\tq")),
                                ["screen.tsv", "motif screen", "no column 'q_value'"]),
    "screen empty": (motif_families(screen=""), ["screen.tsv", "empty"]),
    "patterns without seqlet counts": (motif_families(patterns=PATTERNS.replace("n_seqlets", "seqlets")),
                                       ["patterns.tsv", "no column 'n_seqlets'"]),
    "metrics not of a model": (motif_families(metrics='{"task": "binary"}'), ["metrics.json", "'models'"]),
    "metrics not json": (motif_families(metrics="{"), ["metrics.json", "not valid JSON"]),
    # profile datasets
    "profiles fragments text coordinate": (prepare_profiles(track="chr1\t10\tx\n"),
                                           ["fragments.tsv:1", "chrom, start, end"]),
    "profiles track on other chromosomes": (prepare_profiles(track=bigwig(("1", "2"))),
                                            ["cuts.bw", "shares no chromosome"]),
    "profiles regions on no chromosome of the genome": (prepare_profiles(regions=PEAKS.replace("chr", "")),
                                                        ["peaks.bed", "genome.fa", "chromosome"]),
    "profiles two names for one track": (prepare_profiles(settings=PROFILE_SETTINGS.replace("[cuts]", "[a, b]")),
                                         ["2 track names", "1 track files"]),
    "profiles output longer than input": (prepare_profiles(settings=PROFILE_SETTINGS.replace("output_length: 100",
                                                                                              "output_length: 300")),
                                          ["output_length <= input_length"]),
    "profiles data not profile windows": (train_profiles_on_dna_data(), ["d.npz", "not profile windows",
                                                                          "'sequences'"]),
    # model files
    "model not a keras file": (evaluate_with_model(b"not a zip"), ["model.keras"]),
    "model empty file": (evaluate_with_model(b""), ["model.keras"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_one_line_naming_file_and_record_exit_2_and_no_output(name, tmp_path, capsys):
    build, expected = CASES[name]
    args = build(tmp_path)
    capsys.readouterr()
    status = main(args)
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1] if err.strip() else ""
    assert status == 2, f"{name}: exit {status}\n{err[-2000:]}"
    assert last.startswith(f"biodl {args[0]}: error: ") and "Traceback" not in err, err[-2000:]
    for text in expected:
        assert text in last, f"{name}: {text!r} not in {last!r}"
    out = tmp_path / "out"
    assert not out.exists() or not list(out.iterdir()), f"{name}: left {list(out.iterdir())}"


def test_windows_line_endings_and_a_byte_order_mark_are_read_as_meant(tmp_path, capsys):
    fasta = "\ufeff" + FASTA.replace("\n", "\r\n")
    labels = "\ufeff" + LABELS.replace("\n", "\r\n")
    args = prepare_sequences(fasta=fasta, labels=labels)(tmp_path)
    assert main(args) == 0, capsys.readouterr().err
    splits = (tmp_path / "out" / "s.tsv").read_text()
    assert "\r" not in splits and "\ufeff" not in splits
    assert {line.split("\t")[0] for line in splits.splitlines()[1:]} == {f"s{i}" for i in range(30)}


def test_at_least_forty_malformed_inputs_across_every_kind():
    kinds = {name.split()[0] for name in CASES}
    assert len(CASES) >= 40
    assert {"fasta", "labels", "regions", "genome", "series", "ucr", "omics", "h5ad", "meme", "model",
            "variants", "profiles"} <= kinds


def test_a_config_value_of_the_wrong_type_names_the_key():
    from biodl.config import validate

    with pytest.raises(ValueError, match=r"threads.*'two'.*integer"):
        validate({"threads": "two"})
    with pytest.raises(ValueError, match=r"sequences.x.training.epochs"):
        validate({"sequences": {"x": {"fasta": "a.fa", "labels": "l.tsv", "training": {"epochs": 1.5}}}})



def _model_commands():
    from biodl.steps import STEPS

    return sorted(step.command for step in STEPS.values()
                  if {"data", "model"} <= set(step.paths) and "model" not in step.outputs)


@pytest.mark.parametrize("command", _model_commands())
def test_every_command_that_reads_a_model_refuses_a_file_that_is_not_one(command, tmp_path, capsys):
    """Each command that reads a trained model beside its data, given a prepared dataset,
    placeholders for its other inputs and a model file that is not a Keras archive: one line
    naming the model file, exit 2, no output."""
    from biodl.steps import STEPS

    step = next(step for step in STEPS.values() if step.command == command)
    prepare = prepare_profiles() if command.endswith("-profiles") else prepare_sequences()
    assert main(prepare(tmp_path)) == 0
    data = tmp_path / "prepared.npz"
    (tmp_path / "out" / "d.npz").rename(data)
    for leftover in (tmp_path / "out").iterdir():
        leftover.unlink()
    args = [command]
    for name in step.paths:
        flag = f"--{name.replace('_', '-')}"
        if name == "data":
            args += [flag, str(data)]
        elif name == "model":
            args += [flag, write(tmp_path / "model.keras", b"not a zip")]
        elif name in step.outputs:
            args += [flag, str(tmp_path / "out" / name)]
        elif name not in step.optional:
            args += [flag, write(tmp_path / f"{name}.txt", "placeholder\n")]
    capsys.readouterr()
    status = main(args)
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert status == 2 and last.startswith(f"biodl {command}: error: ") and "model.keras" in last, last
    assert not list((tmp_path / "out").iterdir())


def _commands_that_start_from_a_model():
    from biodl.steps import STEPS

    return sorted(step.command for step in STEPS.values() if "pretrained" in step.paths)


@pytest.mark.parametrize("command", _commands_that_start_from_a_model())
def test_every_training_given_a_pretrained_file_that_is_not_a_model_names_it(command, tmp_path, capsys):
    """Each train command given, as the model to start from, a text file: one line naming
    it, exit 2, no model or history written."""
    prepared = {"train-sequences": (prepare_sequences(), "d.npz", "training: {epochs: 1}\n"),
                "train-profiles": (prepare_profiles(), "d.npz", "training: {epochs: 1}\n"),
                "train-timeseries": (prepare_timeseries(), "i.npz", "network: gaf_cnn\ntraining: {epochs: 1}\n")}
    prepare, data, settings = prepared[command]
    assert main(prepare(tmp_path)) == 0
    notes = write(tmp_path / "notes.txt", "not a model\n")
    out = tmp_path / "trained"
    capsys.readouterr()
    status = main([command, "--data", str(tmp_path / "out" / data), "--pretrained", notes,
                   "--model", str(out / "m.keras"), "--history", str(out / "h.tsv"),
                   "--settings", write(tmp_path / "train.yaml", settings)])
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert status == 2 and last.startswith(f"biodl {command}: error: ") and "notes.txt" in last, last
    assert not out.exists() or not list(out.iterdir())
