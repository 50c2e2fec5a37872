"""Faults a careful lab meets, by class: an output that is an input, outputs that must
appear together, a full, read-only or forbidden disk, temporaries of killed runs, ids that
must stay text, region files recognised by content, stale genome indexes, conflicting
records, and model files of the wrong kind. Each case ends in the right result, or in one
line naming the file and what to do (exit 2) with nothing written and nothing lost.

The kill test (SIGKILL at random moments, then a rerun) is in ``test_kills.py``."""

import argparse
import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from test_bad_inputs import FASTA, GENOME, LABELS, OMIC, OMIC_LABELS, extract_regions, prepare_sequences, write

from biodl.io import InputError
from biodl.io.files import output_set, remove_stale_temporaries, write_table
from biodl.steps import STEPS, command_step, runner
from biodl.steps.cli import main


def run_cli(args, capsys, log=None):
    """Exit status and last line of standard error of ``biodl ARGS``; the whole of it (the
    log) is appended to the list ``log`` when given."""
    capsys.readouterr()
    status = main([str(a) for a in args])
    err = capsys.readouterr().err.strip()
    if log is not None:
        log.append(err)
    return status, (err.splitlines()[-1] if err else "")


def assert_refused(status, line, command, *expected):
    assert status == 2, line
    assert line.startswith(f"biodl {command}: error: ") and "Traceback" not in line, line
    for text in expected:
        assert text in line, f"{text!r} not in {line!r}"


def leftovers(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


# --- an output is never an input -------------------------------------------------------

def command_paths(step, folder):
    """Every input option of ``step`` a small existing file, every output under ``folder/out``."""
    values = {}
    for key in step.paths:
        if key in step.outputs:
            values[key] = str(folder / "out" / key)
        else:
            path = folder / f"input_{key}"
            path.write_bytes(b"precious input\n")
            values[key] = [str(path)] if key in step.several else str(path)
    return values


@pytest.mark.parametrize("name", sorted(step.command for step in STEPS.values()))
def test_no_command_writes_over_one_of_its_inputs(name, tmp_path, capsys):
    step = command_step(name)
    inputs = [key for key in step.paths if key not in step.outputs]
    assert step.outputs, f"{name} declares no output"
    for output in step.outputs:
        for given in inputs or [None]:
            values = command_paths(step, tmp_path)
            if given is None:  # no input option: two outputs on one path instead
                if len(step.outputs) < 2:
                    continue
                other = next(key for key in step.outputs if key != output)
                values[output] = values[other]
            else:
                values[output] = values[given][0] if key_is_list(values[given]) else values[given]
            capsys.readouterr()
            status = runner.run(name, argparse.Namespace(**values), {})
            err = capsys.readouterr().err.strip().splitlines()[-1]
            assert status == 2 and ("is the input --" in err or "is also --" in err), f"{name} --{output}: {err}"
            for key in inputs:
                for path in values[key] if key_is_list(values[key]) else [values[key]]:
                    assert Path(path).read_bytes() == b"precious input\n", f"{name} changed {path}"
            assert leftovers(tmp_path / "out") == []


def key_is_list(value):
    return isinstance(value, list)


@pytest.mark.parametrize("name", sorted(step.command for step in STEPS.values()))
def test_a_setting_of_the_wrong_type_is_one_line_for_every_command(name, tmp_path, capsys):
    import typing

    step = command_step(name)
    hints = typing.get_type_hints(step.library)
    checked = 0
    for key in step.setting_names():
        wrong = next((value for value in ({"x": 1}, 5, "five") if key in hints
                      and not runner._fits(value, hints[key])), None)
        if wrong is None:
            continue
        capsys.readouterr()
        status = runner.run(name, argparse.Namespace(**command_paths(step, tmp_path)), {key: wrong})
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert status == 2 and err.startswith(f"biodl {name}: error: setting {key!r}: "), err
        assert leftovers(tmp_path / "out") == []
        checked += 1
    assert checked or not any(key in hints for key in step.setting_names()), name


def test_an_output_is_refused_when_it_is_the_settings_file_a_settings_path_or_behind_a_link(tmp_path, capsys):
    args = prepare_sequences()(tmp_path)
    settings = write(tmp_path / "settings.yaml", "seed: 2\n")
    status, line = run_cli([*args, "--settings", settings][:-2] + ["--report", settings, "--settings", settings],
                           capsys)
    assert_refused(status, line, "prepare-sequences", "settings.yaml: is the input --settings")
    assert (tmp_path / "settings.yaml").read_text() == "seed: 2\n"

    omic = write(tmp_path / "rna.tsv", OMIC)
    omics_settings = write(tmp_path / "omics.yaml", yaml.safe_dump({"omics": {"rna": {"path": omic}}}))
    status, line = run_cli(["prepare-omics", "--labels", write(tmp_path / "labels.tsv", OMIC_LABELS), "--settings",
                            omics_settings, "--data", tmp_path / "out" / "d.npz", "--report", omic], capsys)
    assert_refused(status, line, "prepare-omics", "rna.tsv: is the input the settings'")
    assert (tmp_path / "rna.tsv").read_text() == OMIC

    link = tmp_path / "linked.tsv"
    link.symlink_to(tmp_path / "out" / "s.tsv")  # an input read through a link to where an output would go
    args = prepare_sequences(labels_name="real_labels.tsv")(tmp_path)
    (tmp_path / "out").mkdir(exist_ok=True)
    shutil.copy(tmp_path / "real_labels.tsv", tmp_path / "out" / "s.tsv")
    args[args.index("--labels") + 1] = str(link)
    status, line = run_cli(args, capsys)
    assert_refused(status, line, "prepare-sequences", "s.tsv: is the input --labels")
    assert (tmp_path / "out" / "s.tsv").read_text() == LABELS


def test_an_existing_folder_where_a_file_is_written_is_refused_before_anything_is_written(tmp_path, capsys):
    args = prepare_sequences()(tmp_path)
    (tmp_path / "out" / "s.tsv").mkdir(parents=True)
    status, line = run_cli(args, capsys)
    assert_refused(status, line, "prepare-sequences", "--splits", "s.tsv: is a directory")
    assert leftovers(tmp_path / "out") == ["s.tsv"]


# --- one output set ------------------------------------------------------------------------

def test_a_failure_while_writing_the_last_output_leaves_none_of_them(tmp_path, capsys):
    args = prepare_sequences()(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "blocker").write_text("a file where a folder should be")
    args[args.index("--report") + 1] = str(tmp_path / "out" / "blocker" / "r.json")
    status, line = run_cli(args, capsys)
    assert_refused(status, line, "prepare-sequences", "blocker")
    assert leftovers(tmp_path / "out") == ["blocker"]


def test_outputs_in_made_folders_are_removed_with_the_folders(tmp_path):
    with pytest.raises(RuntimeError), output_set([tmp_path / "a" / "b" / "x.tsv", tmp_path / "a" / "y.tsv"]):
        write_table(tmp_path / "a" / "b" / "x.tsv", pd.DataFrame({"v": [1]}))
        raise RuntimeError("the second output failed")
    assert leftovers(tmp_path) == []


def test_a_killed_runs_temporaries_are_removed_by_the_next_run_and_others_kept(tmp_path, capsys):
    args = prepare_sequences()(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".d.tmp4242.npz", out / ".s.tmp77.tsv", out / ".r.tmp1.json"]
    kept = [out / ".other.tmp5.npz", out / "d.npz.bak", out / "notes.txt"]
    for path in stale + kept:
        path.write_text("left over")
    assert run_cli(args, capsys)[0] == 0
    assert leftovers(out) == sorted(["d.npz", "s.tsv", "r.json", *(p.name for p in kept)])
    folder = tmp_path / "tables"
    (folder / "sequences" / "x").mkdir(parents=True)
    (folder / "sequences" / "x" / ".metrics.tmp9.html").write_text("left over")
    assert remove_stale_temporaries([folder]) == 1 and leftovers(folder) == ["sequences", "sequences/x"]


@contextlib.contextmanager
def tmpfs(folder, size="64k", read_only=False):
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, capsys):
    many = "".join(f">s{i}\n{'ACGT' * 50}\n" for i in range(400))
    labels = "id\tbound\n" + "".join(f"s{i}\t{i % 2}\n" for i in range(400))
    args = prepare_sequences(fasta=many, labels=labels)(tmp_path)
    with tmpfs(tmp_path / "out", size="64k") as out:
        status, line = run_cli(args, capsys)
        assert_refused(status, line, "prepare-sequences", "d.npz: No space left on device", "disk is full")
        assert leftovers(out) == []


def test_a_read_only_output_folder_is_one_line(tmp_path, capsys):
    args = prepare_sequences()(tmp_path)
    with tmpfs(tmp_path / "out", read_only=True):
        status, line = run_cli(args, capsys)
    assert_refused(status, line, "prepare-sequences", "Read-only file system", "write the outputs elsewhere")


def test_permission_denied_is_one_line_for_an_output_folder_and_an_input(tmp_path):
    """Run as root without the capabilities that let root ignore file permissions."""
    if os.geteuid() != 0 or shutil.which("capsh") is None:
        pytest.skip("needs root and capsh (libcap2-bin) to drop the permission-override capabilities")
    args = prepare_sequences()(tmp_path)
    (tmp_path / "out").mkdir(mode=0o555)
    (tmp_path / "out").chmod(0o555)
    command = " ".join([sys.executable, "-m", "biodl.steps.cli", *args])

    def denied():
        done = subprocess.run(["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", command],
                              capture_output=True, text=True, check=False)
        return done.returncode, done.stderr.strip().splitlines()[-1], done.stderr

    status, line, err = denied()
    assert status == 2 and line.startswith("biodl prepare-sequences: error: "), err[-2000:]
    assert "Permission denied" in line and "check the permissions" in line
    (tmp_path / "in.fa").chmod(0o000)
    (tmp_path / "out").chmod(0o755)
    status, line, err = denied()
    assert status == 2 and "in.fa: permission denied (the file is not readable)" in line, err[-2000:]
    assert leftovers(tmp_path / "out") == []


# --- ids are text ---------------------------------------------------------------------------

ZERO_IDS = [f"{i:04d}" for i in range(15)] + [str(1015 + i) for i in range(15)]


def test_omics_sample_ids_keep_their_leading_zeros_in_every_layout(tmp_path, capsys):
    from biodl.io.tables import read_omic

    rows = "".join(f"{s}\t{i}\t{i * 2 % 7}\t{i % 3}\n" for i, s in enumerate(ZERO_IDS))
    write(tmp_path / "rna.tsv", "sample\tg1\tg2\tg3\n" + rows)
    assert read_omic(tmp_path / "rna.tsv").index.tolist() == ZERO_IDS
    table = pd.read_csv(tmp_path / "rna.tsv", sep="\t", dtype=str).set_index("sample").T
    table.to_csv(tmp_path / "rna_t.tsv", sep="\t")
    assert read_omic(tmp_path / "rna_t.tsv", transpose=True).index.tolist() == ZERO_IDS
    labels = write(tmp_path / "labels.tsv", "sample\tsubtype\n" + "".join(f"{s}\t{'AB'[i % 2]}\n"
                                                                          for i, s in enumerate(ZERO_IDS)))
    settings = write(tmp_path / "s.yaml", yaml.safe_dump({"omics": {"rna": {"path": str(tmp_path / "rna.tsv")}}}))
    status, line = run_cli(["prepare-omics", "--labels", labels, "--settings", settings, "--data",
                            tmp_path / "out" / "d.npz", "--report", tmp_path / "out" / "r.json"], capsys)
    assert status == 0, line
    report = json.loads((tmp_path / "out" / "r.json").read_text())
    assert sum(report["split_counts"].values()) == 30, report


def test_h5ad_sample_names_stay_text(tmp_path):
    import h5py

    from biodl.io.tables import read_omic

    with h5py.File(tmp_path / "x.h5ad", "w") as handle:
        handle.create_dataset("X", data=np.arange(60, dtype=float).reshape(30, 2))
        for part, names in (("obs", ZERO_IDS), ("var", ["g1", "g2"])):
            group = handle.create_group(part)
            group.attrs["_index"] = "_index"
            group.create_dataset("_index", data=np.array([name.encode() for name in names]))
    assert read_omic(tmp_path / "x.h5ad").index.tolist() == ZERO_IDS


def test_sequence_and_series_ids_keep_their_leading_zeros_and_na_is_a_class(tmp_path, capsys):
    fasta = "".join(f">{s}\nACGTACGTAC\n" for s in ZERO_IDS)
    labels = "id\tclass\n" + "".join(f"{s}\t{['NA', 'bound'][i % 2]}\n" for i, s in enumerate(ZERO_IDS))
    status, line = run_cli(prepare_sequences(fasta=fasta, labels=labels)(tmp_path), capsys)
    assert status == 0, line
    splits = pd.read_csv(tmp_path / "out" / "s.tsv", sep="\t", dtype=str)
    assert sorted(splits["id"]) == sorted(ZERO_IDS)
    report = json.loads((tmp_path / "out" / "r.json").read_text())
    assert report["task"] == "binary" and sorted(report["value_maps"]["class"]) == ["NA", "bound"], report
    series = "id\tlabel\tt0\tt1\tt2\tt3\n" + "".join(f"{s}\t{['NA', 'b'][i % 2]}\t{i}\t{i + 1}\t{i % 3}\t0.5\n"
                                                     for i, s in enumerate(ZERO_IDS))
    from biodl.io.series import read_series_tables

    meta, _ = read_series_tables([write(tmp_path / "series.tsv", series)])
    assert meta.index.tolist() == ZERO_IDS and sorted(meta["label"].unique()) == ["NA", "b"]


def test_na_in_a_column_of_numbers_is_a_missing_value(tmp_path, capsys):
    labels = LABELS.replace("s7\t1", "s7\tNA")
    status, line = run_cli(prepare_sequences(labels=labels)(tmp_path), capsys)
    assert_refused(status, line, "prepare-sequences", "labels.tsv", "'bound' is empty", "'s7'")


def test_regions_on_chromosomes_named_with_leading_zeros(tmp_path):
    from biodl.data.windows import extract

    genome = write(tmp_path / "g.fa", ">01\n" + "ACGT" * 100 + "\n>1\n" + "TTTT" * 100 + "\n")
    result = extract(write(tmp_path / "r.bed", "01\t100\t150\n"), genome, length=20, gc_matched=0)
    assert result.windows["chrom"].tolist() == ["01"] and set(result.sequences[0]) == set("ACGT")


# --- region files recognised by content -------------------------------------------------------

GENOME_TEXT = ">chr1\n" + "".join("ACGTTGCAAC"[(i * 7) % 10] for i in range(2000)) + "\n"


def regions_of(tmp_path, text, name="r.bed", **options):
    from biodl.data.windows import extract

    genome = write(tmp_path / "g.fa", GENOME_TEXT)
    return extract(write(tmp_path / name, text), genome, length=20, **{"gc_matched": 0, **options})


def test_ten_columns_that_are_not_narrowpeak_are_read_as_bed_centred_on_the_interval(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        result = regions_of(tmp_path, "chr1\t100\t200\tpeak1\t0\t+\tx\ty\tz\t50\n")
    assert result.windows["start"].tolist() == [140]  # the interval centre, not 100 + 50
    assert "not narrowPeak" in caplog.text and "column 7" in caplog.text
    narrow = regions_of(tmp_path, "chr1\t100\t200\tp\t0\t.\t5.1\t3.2\t-1\t70\n", name="p.bed")
    assert narrow.windows["start"].tolist() == [160]  # a real narrowPeak: the summit


def test_a_file_named_narrowpeak_must_be_narrowpeak(tmp_path):
    with pytest.raises(InputError, match=r"r.narrowPeak:1: not narrowPeak: column 6 'x' is not a strand"):
        regions_of(tmp_path, "chr1\t100\t200\tp\t0\tx\t5\t3\t2\t50\n", name="r.narrowPeak")
    with pytest.raises(InputError, match=r"r.narrowPeak:1: a narrowPeak file has 10 .* columns, this line has 3"):
        regions_of(tmp_path, "chr1\t100\t200\n", name="r.narrowPeak")


def test_a_negative_summit_other_than_minus_one_is_an_error_with_its_line(tmp_path):
    with pytest.raises(InputError, match=r"r.narrowPeak:2: not narrowPeak: column 10 '-5' is not a summit offset"):
        regions_of(tmp_path, "chr1\t100\t200\tp\t0\t.\t5\t3\t2\t50\nchr1\t300\t400\tq\t0\t.\t5\t3\t2\t-5\n",
                   name="r.narrowPeak")


def test_a_bed_header_names_columns_and_the_bed_ones_are_not_labels(tmp_path):
    text = "chrom\tstart\tend\tname\tscore\tstrand\nchr1\t100\t200\tp1\t5\t+\nchr1\t600\t700\tp2\t9\t+\n"
    result = regions_of(tmp_path, text, gc_matched=1.0)
    assert result.targets == ["peak"]
    assert sorted(result.windows["source"].unique()) == ["gc_matched", "region"]


def test_the_minus_strand_is_reverse_complemented(tmp_path):
    result = regions_of(tmp_path, "chr1\t100\t200\tp\t0\t-\nchr1\t300\t400\tq\t0\t+\n")
    plus = GENOME_TEXT.split("\n")[1]
    complement = str.maketrans("ACGT", "TGCA")
    assert result.windows["id"].tolist() == ["chr1:140-160(-)", "chr1:340-360"]
    assert result.sequences == [plus[140:160].translate(complement)[::-1], plus[340:360]]
    assert result.windows["strand"].tolist() == ["-", "+"]


def test_a_strand_column_with_other_values_is_refused_in_a_table_and_ignored_in_bed(tmp_path, caplog):
    with pytest.raises(InputError, match=r"r.tsv:3: strand '\?' is not \+, - or \."):
        regions_of(tmp_path, "chrom\tstart\tend\tstrand\nchr1\t100\t200\t+\nchr1\t300\t400\t?\n", name="r.tsv")
    with caplog.at_level(logging.WARNING):
        result = regions_of(tmp_path, "chr1\t100\t200\tp\t0\tgene\n")
    assert result.windows["strand"].tolist() == ["."] and "column 6 is not a strand" in caplog.text


# --- genome indexes ------------------------------------------------------------------------------

def test_an_index_older_than_its_fasta_is_rebuilt(tmp_path, caplog):
    from biodl.io.genome import Genome

    fasta = write(tmp_path / "g.fa", ">chr1\nAAAACCCCGG\n>chr2\nTTTT\n")
    Genome(fasta).close()
    old = os.stat(f"{fasta}.fai").st_mtime
    write(tmp_path / "g.fa", ">chr0\nGG\n>chr1\nAAAACCCCGG\n>chr2\nTTTT\n")
    os.utime(f"{fasta}.fai", (old - 100, old - 100))
    with caplog.at_level(logging.WARNING), Genome(fasta) as genome:
        assert genome.fetch("chr1", 0, 10) == "AAAACCCCGG" and genome.chrom_sizes["chr0"] == 2
    assert "is older than the FASTA" in caplog.text and "rebuilding" in caplog.text


def test_an_index_that_does_not_match_its_fasta_is_rebuilt_or_refused_when_read_only(tmp_path, caplog):
    from biodl.io.genome import Genome

    fasta = write(tmp_path / "g.fa", ">chr1\nAAAACCCCGG\n>chr2\nTTTT\n")
    Genome(fasta).close()
    index = (tmp_path / "g.fa.fai").read_text()
    write(tmp_path / "g.fa", ">chr1\nAAAACCCCGGAAAACCCCGG\n>chr2\nTTTT\n")
    (tmp_path / "g.fa.fai").write_text(index)  # newer than the FASTA, but stale
    with caplog.at_level(logging.WARNING), Genome(fasta) as genome:
        assert genome.fetch("chr2", 0, 4) == "TTTT"
    assert "chr2" in caplog.text and "not the start of its sequence" in caplog.text
    read_only = tmp_path / "ro"
    read_only.mkdir()
    shutil.copy(fasta, read_only / "g.fa")
    (read_only / "g.fa.fai").write_text(index)
    with tmpfs(tmp_path / "mounted", size="1m") as mounted:
        shutil.copy(read_only / "g.fa", mounted / "g.fa")
        shutil.copy(read_only / "g.fa.fai", mounted / "g.fa.fai")
        subprocess.run(["mount", "-o", "remount,ro", str(mounted)], check=True)
        with pytest.raises(InputError, match=r"its index .*g.fa.fai places record 'chr2'.*read-only.*index_genome"):
            Genome(mounted / "g.fa")


def test_extract_regions_rebuilds_a_stale_index_through_the_command(tmp_path, capsys):
    args = extract_regions(regions="chr1\t100\t200\n")(tmp_path)
    assert run_cli(args, capsys)[0] == 0
    first = (tmp_path / "out" / "w.tsv").read_text()
    genome = GENOME.replace("ACGT" * 250, "TTTT" + "ACGT" * 249)
    fai = (tmp_path / "genome.fa.fai").read_text()
    (tmp_path / "genome.fa").write_text(">chr0\nAAAA\n" + genome)
    (tmp_path / "genome.fa.fai").write_text(fai)
    assert run_cli(args, capsys)[0] == 0
    assert (tmp_path / "out" / "w.tsv").read_text() == first  # the same window, read at the right offset


# --- conflicts said out loud -----------------------------------------------------------------------

def test_a_window_with_two_labels_is_left_out_and_counted_with_both_lines(tmp_path, caplog):
    from biodl.data.windows import extract

    genome = write(tmp_path / "g.fa", GENOME_TEXT)
    a = write(tmp_path / "a.bed", "chr1\t100\t200\nchr1\t500\t600\n")
    b = write(tmp_path / "b.bed", "chr1\t900\t1000\nchr1\t100\t200\n")
    with caplog.at_level(logging.WARNING):
        result = extract([a, b], genome, classes=["A", "B"], length=20, gc_matched=0)
    assert result.windows["class"].tolist() == ["A", "B"] and result.report["left_out"]["conflicting_labels"] == 2
    assert "a.bed:1 (A) and" in caplog.text and "b.bed:2 (B)" in caplog.text
    table = write(tmp_path / "t.tsv", "chrom\tstart\tend\tbound\nchr1\t100\t200\t1\nchr1\t300\t400\t0\n"
                                     "chr1\t100\t200\t0\nchr1\t300\t400\t0\n")
    result = extract(table, genome, length=20)
    assert result.windows["bound"].tolist() == [0] and result.report["left_out"]["conflicting_labels"] == 2
    assert result.report["left_out"]["duplicate_window"] == 1


def test_identical_sequences_with_different_labels_and_all_n_records_are_counted(tmp_path, capsys):
    fasta = FASTA.replace(">s1\nACGTACGTAC", ">s1\nNNNNNNNNNN")
    log = []
    status, line = run_cli(prepare_sequences(fasta=fasta)(tmp_path), capsys, log)
    assert status == 0, line
    report = json.loads((tmp_path / "out" / "r.json").read_text())
    assert report["records_without_bases"] == 1 and report["used"] == 29
    assert report["records_with_a_repeated_sequence"] == 29 and report["repeated_sequences_with_different_labels"] == 29
    assert "1 labelled records of" in log[0] and "no A, C, G or T base (all N) and are left out (e.g. 's1')" in log[0]
    assert "have different labels (kept; e.g. 's0'" in log[0]
    assert "s1" not in (tmp_path / "out" / "s.tsv").read_text().split()


def test_empty_omics_cells_filled_in_are_counted(tmp_path, capsys):
    omic = OMIC.replace("p5\t5\t", "p5\t\t").replace("p6\t6\t", "p6\tNA\t")
    settings = write(tmp_path / "s.yaml", yaml.safe_dump({"omics": {"rna": {"path": write(tmp_path / "rna.tsv",
                                                                                          omic)}}}))
    log = []
    status, line = run_cli(["prepare-omics", "--labels", write(tmp_path / "labels.tsv", OMIC_LABELS), "--settings",
                            settings, "--data", tmp_path / "out" / "d.npz", "--report", tmp_path / "out" / "r.json"],
                           capsys, log)
    assert status == 0, line
    assert json.loads((tmp_path / "out" / "r.json").read_text())["missing_cells_filled"] == {"rna": 2}
    assert "2 of 90 cells are empty" in log[0] and "sample 'p5', feature 'g1'" in log[0]


# --- unclear messages that are clear now -------------------------------------------------------------

def test_a_trailing_tab_is_dropped_and_a_nameless_column_with_values_refused(tmp_path, capsys):
    labels = "".join(line + "\t\n" for line in LABELS.splitlines())
    log = []
    status, line = run_cli(prepare_sequences(labels=labels)(tmp_path / "a"), capsys, log)
    assert status == 0, line
    assert "1 column(s) without a name and without values left out" in log[0]
    labels = LABELS.replace("id\tbound\n", "id\tbound\t\n").replace("s3\t1\n", "s3\t1\t7\n")
    labels = "".join(line if line.count("\t") == 2 else line.rstrip("\n") + "\t\n" for line in
                     labels.splitlines(keepends=True))
    status, line = run_cli(prepare_sequences(labels=labels)(tmp_path / "b"), capsys)
    assert_refused(status, line, "prepare-sequences", "labels.tsv: column 3 holds values but has no name")


def test_a_column_named_twice_is_refused(tmp_path, capsys):
    labels = LABELS.replace("id\tbound\n", "id\tbound\tbound\n").replace("\n", "\t1\n")
    labels = labels.replace("id\tbound\tbound\t1\n", "id\tbound\tbound\n")
    status, line = run_cli(prepare_sequences(labels=labels)(tmp_path), capsys)
    assert_refused(status, line, "prepare-sequences", "labels.tsv: line 1 names column 'bound' more than once")


def test_symlinks_that_lead_nowhere_are_named_as_such(tmp_path, capsys):
    args = prepare_sequences()(tmp_path)
    (tmp_path / "in.fa").unlink()
    (tmp_path / "in.fa").symlink_to(tmp_path / "in.fa")
    status, line = run_cli(args, capsys)
    assert_refused(status, line, "prepare-sequences", "in.fa: a symbolic link loop")
    (tmp_path / "in.fa").unlink()
    (tmp_path / "in.fa").symlink_to(tmp_path / "gone.fa")
    status, line = run_cli(args, capsys)
    assert_refused(status, line, "prepare-sequences", "in.fa: a symbolic link to", "gone.fa, which does not exist")


def test_a_blacklist_over_every_window_says_so(tmp_path, capsys):
    args = extract_regions(regions="chr1\t100\t200\nchr1\t400\t500\n")(tmp_path)
    args += ["--blacklist", write(tmp_path / "black.bed", "chr1\t0\t1000\n")]
    status, line = run_cli(args, capsys)
    assert_refused(status, line, "extract-regions", "no region window is left", "blacklisted: 2")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A prepared DNA dataset, a DNA model trained on it, and an omics model."""
    folder = tmp_path_factory.mktemp("trained")
    assert main(prepare_sequences()(folder)) == 0
    settings = write(folder / "t.yaml", "model: {filters: [4], kernel_sizes: [3], pool_sizes: [1], dense_units: [4]}\n"
                                        "training: {epochs: 1}\n")
    assert main(["train-sequences", "--data", str(folder / "out" / "d.npz"), "--model", str(folder / "dna.keras"),
                 "--history", str(folder / "h.tsv"), "--settings", settings]) == 0
    omics = write(folder / "o.yaml", yaml.safe_dump({"omics": {"rna": {"path": write(folder / "rna.tsv", OMIC)}}}))
    assert main(["prepare-omics", "--labels", write(folder / "ol.tsv", OMIC_LABELS), "--settings", omics, "--data",
                 str(folder / "omics.npz"), "--report", str(folder / "omics.json")]) == 0
    assert main(["train-omics", "--data", str(folder / "omics.npz"), "--model", str(folder / "vae.keras"),
                 "--history", str(folder / "vh.tsv"), "--settings",
                 write(folder / "v.yaml", "training: {epochs: 1}\n")]) == 0
    return folder


def evaluate_args(folder, model, out):
    return ["evaluate-sequences", "--data", folder / "out" / "d.npz", "--model", model, "--history", folder / "h.tsv",
            "--metrics", out / "m.json", "--predictions", out / "p.tsv", "--performance", out / "p.png",
            "--curves", out / "c.png"]


def test_model_files_of_the_wrong_kind_are_named(trained, tmp_path, capsys):
    out = tmp_path / "out"
    status, line = run_cli(evaluate_args(trained, trained / "vae.keras", out), capsys)
    assert_refused(status, line, "evaluate-sequences", "vae.keras: a model of other data", "(10, 4)",
                   "give the model trained on this dataset")
    with zipfile.ZipFile(tmp_path / "photos.keras", "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    status, line = run_cli(evaluate_args(trained, tmp_path / "photos.keras", out), capsys)
    assert_refused(status, line, "evaluate-sequences", "photos.keras: a zip archive but not a Keras model")
    broken = tmp_path / "broken.keras"
    with zipfile.ZipFile(trained / "dna.keras") as source, zipfile.ZipFile(broken, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(info, b"{not json" if info.filename == "config.json" else data)
    status, line = run_cli(evaluate_args(trained, broken, out), capsys)
    assert_refused(status, line, "evaluate-sequences", "broken.keras: Keras cannot build a model from it")
    assert leftovers(out) == []


def test_a_text_file_as_init_from_is_named(trained, tmp_path, capsys):
    notes = write(tmp_path / "notes.txt", "not a model\n")
    settings = write(tmp_path / "s.yaml", yaml.safe_dump({"init_from": notes, "training": {"epochs": 1}}))
    status, line = run_cli(["train-sequences", "--data", trained / "out" / "d.npz", "--model", tmp_path / "m.keras",
                            "--history", tmp_path / "h.tsv", "--settings", settings], capsys)
    assert_refused(status, line, "train-sequences", "notes.txt: not a Keras model file")


def test_cells_are_read_without_the_spaces_around_them(tmp_path, capsys):
    labels = "id\tclass\n" + "".join(f"s{i} \t{['A', 'A ', ' B'][i % 3] if i % 2 else 'B'}\n" for i in range(30))
    log = []
    status, line = run_cli(prepare_sequences(labels=labels)(tmp_path), capsys, log)
    assert status == 0, line
    report = json.loads((tmp_path / "out" / "r.json").read_text())
    assert report["used"] == 30 and report["value_maps"]["class"] == ["A", "B"], report
    assert "cells have spaces around their value, which are removed (e.g. line 2, column 'id': 's0 ')" in log[0]
    from biodl.io.tables import read_omic

    write(tmp_path / "rna.tsv", OMIC.replace("\np1\t", "\n p1 \t"))
    assert "p1" in read_omic(tmp_path / "rna.tsv").index


@pytest.mark.parametrize(("cell", "message"), [("inf", "'s3': 'inf' is not a finite number"),
                                               ("0,5", "column 'signal' holds numbers written with a decimal comma")])
def test_numbers_that_are_not_usable_are_refused(cell, message, tmp_path, capsys):
    labels = "id\tsignal\n" + "".join(f"s{i}\t{cell if i == 3 else f'0.{i}'}\n" for i in range(30))
    status, line = run_cli(prepare_sequences(labels=labels)(tmp_path), capsys)
    assert_refused(status, line, "prepare-sequences", "labels.tsv", message)


def test_a_json_that_is_not_an_object_is_named(tmp_path, capsys):
    metrics = write(tmp_path / "m.json", "[1, 2]")
    settings = write(tmp_path / "s.yaml", "sequence_runs: [[a, cnn1d]]\n")
    out = tmp_path / "out"
    status, line = run_cli(["summarize", "--sequence-metrics", metrics, "--tsv", out / "s.tsv", "--markdown",
                            out / "s.md", "--page", out / "s.html", "--tables", out / "tables", "--settings",
                            settings], capsys)
    assert_refused(status, line, "summarize", "m.json: holds a JSON list")
    assert leftovers(out) == []


def test_an_npz_of_another_step_is_named_by_every_reader(trained, tmp_path, capsys):
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, a=np.arange(3))
    out = tmp_path / "out"
    status, line = run_cli(["modisco", "--attributions", wrong, "--filters", write(tmp_path / "f.meme", ""),
                            "--filter-table", write(tmp_path / "f.tsv", "filter\tn_sites\n"), "--meme",
                            out / "m.meme", "--table", out / "t.tsv", "--summary", out / "s.json"], capsys)
    assert_refused(status, line, "modisco", "wrong.npz: not the attributions of biodl attribute", "it lacks")
    status, line = run_cli(["train-sequences", "--data", wrong, "--model", out / "m.keras", "--history",
                            out / "h.tsv"], capsys)
    assert_refused(status, line, "train-sequences", "wrong.npz: not a dataset of prepare-sequences")
    status, line = run_cli(["train-omics", "--data", trained / "out" / "d.npz", "--model", out / "m.keras",
                            "--history", out / "h.tsv"], capsys)
    assert_refused(status, line, "train-omics", "d.npz: not a dataset of prepare-omics")
    assert leftovers(out) == []

