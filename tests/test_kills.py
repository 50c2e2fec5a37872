"""A step killed with SIGKILL at a random moment, then run again, ends with the outputs of
an uninterrupted run, byte for byte, and leaves no temporary behind: 22 kills over
prepare-sequences, extract-regions, train-sequences and evaluate-sequences. Every other
kill falls at a random moment of the whole run (imports included); the others at a random
moment after the step's first file appeared, while it writes."""

import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from biodl.data.simulate import simulate_genome

KILLS = {"train-sequences": 4, "extract-regions": 7, "evaluate-sequences": 4, "prepare-sequences": 7}
SETTINGS = ("model: {filters: [8], kernel_sizes: [9], pool_sizes: [4], dense_units: [8], dropout: 0.2}\n"
            "training: {epochs: 8, patience: 8, batch_size: 64}\nseed: 4\n")


def commands(inputs: Path, out: Path) -> dict[str, list[str]]:
    """The four commands, each writing under ``out`` from the reference run's inputs."""
    data = inputs / "ref" / "prepared"
    return {
        "extract-regions": ["extract-regions", "--regions", inputs / "peaks.narrowPeak", "--genome",
                            inputs / "genome.fa", "--fasta", out / "w.fa.gz", "--labels", out / "l.tsv", "--windows",
                            out / "w.tsv", "--report", out / "r.json", "--gc-plot", out / "gc.png",
                            "--settings", inputs / "extract.yaml"],
        "prepare-sequences": ["prepare-sequences", "--fasta", inputs / "seqs.fa", "--labels", inputs / "labels.tsv",
                              "--data", out / "d.npz", "--splits", out / "s.tsv", "--report", out / "r.json"],
        "train-sequences": ["train-sequences", "--data", data / "d.npz", "--model", out / "m.keras", "--history",
                            out / "h.tsv", "--settings", inputs / "train.yaml", "--threads", "1"],
        "evaluate-sequences": ["evaluate-sequences", "--data", data / "d.npz", "--model",
                               inputs / "ref" / "trained" / "m.keras", "--history",
                               inputs / "ref" / "trained" / "h.tsv", "--metrics", out / "m.json", "--predictions",
                               out / "p.tsv", "--performance", out / "p.png", "--curves", out / "c.png",
                               "--threads", "1"],
    }


REFERENCE_FOLDERS = {"extract-regions": "extracted", "prepare-sequences": "prepared", "train-sequences": "trained",
                     "evaluate-sequences": "evaluated"}


def start(args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "biodl.steps.cli", *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def first_file_and_end(args, out: Path) -> tuple[float, float]:
    """Run to the end: seconds until the first file appeared under ``out``, and until the end."""
    began, first = time.monotonic(), None
    process = start(args)
    while process.poll() is None:
        if first is None and out.exists() and any(out.iterdir()):
            first = time.monotonic() - began
        time.sleep(0.01)
    assert process.returncode == 0, process.stderr.read()[-3000:]
    end = time.monotonic() - began
    return first or end, end


def run(args) -> None:
    done = subprocess.run([sys.executable, "-m", "biodl.steps.cli", *map(str, args)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def kill_and_rerun(name: str, inputs: Path, timing: tuple[float, float], seed: int) -> tuple[list[str], list[str]]:
    """Kill ``name`` ``KILLS[name]`` times (a run that ends first does not count), rerunning
    it after each kill; what differs from the reference run, and what each kill left."""
    rng = np.random.default_rng(seed)
    first, end = timing
    reference = files(inputs / "ref" / REFERENCE_FOLDERS[name])
    out = inputs / f"kill-{name}"
    args = [str(a) for a in commands(inputs, out)[name]]
    problems, left = [], []
    for attempt in range(3 * KILLS[name]):
        if len(left) == KILLS[name]:
            break
        victim, began = start(args), time.monotonic()
        while_writing = attempt % 2 == 1
        if while_writing:
            while victim.poll() is None and not (out.exists() and any(out.iterdir())):
                time.sleep(0.005)
        moment = rng.uniform(0, end - first) if while_writing else rng.uniform(0, end)
        try:
            victim.wait(timeout=moment)
        except subprocess.TimeoutExpired:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            left.append(f"{name} at {time.monotonic() - began:.1f} s"
                        f"{' (while writing)' if while_writing else ''}: {sorted(files(out)) if out.exists() else []}")
        run(args)
        got = files(out)
        if got != reference:
            differing = sorted(set(got) ^ set(reference) | {f for f in set(got) & set(reference)
                                                              if got[f] != reference[f]})
            problems.append(f"{name} after {left[-1] if left else 'no kill'}: {differing}")
        shutil.rmtree(out)
    return problems, left


def test_killed_steps_rerun_to_the_outputs_of_an_uninterrupted_run(tmp_path):
    simulate_genome(n_chromosomes=2, chromosome_length=60_000, n_peaks=120, seed=5).write(
        tmp_path / "genome.fa", tmp_path / "peaks.narrowPeak", tmp_path / "truth.tsv")
    (tmp_path / "extract.yaml").write_text("length: 200\nshuffled: 0.5\n")
    rng = np.random.default_rng(0)
    sequences = ["".join(rng.choice(list("ACGT"), 200)) for _ in range(3000)]
    labels = rng.integers(0, 2, len(sequences))
    sequences = [s[:90] + ("GGGGCCCC" if y else "TTTTAAAA") + s[98:] for s, y in zip(sequences, labels)]
    (tmp_path / "seqs.fa").write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(sequences)))
    (tmp_path / "labels.tsv").write_text("id\tbound\n" + "".join(f"s{i}\t{y}\n" for i, y in enumerate(labels)))
    (tmp_path / "train.yaml").write_text(SETTINGS)
    timings = {}
    for name, folder in REFERENCE_FOLDERS.items():
        timings[name] = first_file_and_end(commands(tmp_path, tmp_path / "ref" / folder)[name],
                                           tmp_path / "ref" / folder)
    with ThreadPoolExecutor(max_workers=2) as pool:  # two steps killed at a time, on the two cores
        results = list(pool.map(lambda item: kill_and_rerun(item[1], tmp_path, timings[item[1]], item[0]),
                                enumerate(KILLS)))
    problems = [problem for found, _ in results for problem in found]
    kills = [kill for _, left in results for kill in left]
    print("\n".join(["kills, and the files each left:", *kills]))
    assert problems == [], problems
    assert len(kills) == sum(KILLS.values()) >= 20, kills
    assert sum(".tmp" in kill or ".checkpoint" in kill for kill in kills) >= 5, "too few kills caught a step writing"
