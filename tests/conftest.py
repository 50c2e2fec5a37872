import gzip
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def write_fasta_text(path: Path, text: str) -> Path:
    if path.suffix == ".gz":
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def keras():
    """TensorFlow set up once for the session (seeded, 2 threads, deterministic), as the
    commands do before any TensorFlow work; tests that build models ask for it."""
    from biodl import training

    training.configure(seed=0, threads=2)
    import keras

    return keras


MOTIF = "GATTACA"
MOTIF_CHR1 = "C" * 200 + MOTIF + "C" * 193
"""A chromosome with the motif once (0-based 200) on a background that matches it nowhere well."""


@pytest.fixture
def motif_genome(tmp_path):
    """An opened genome: chr1 is :data:`MOTIF_CHR1`, chr2 the same reversed."""
    from biodl.io.genome import Genome

    path = tmp_path / "genome.fa"
    path.write_text(f">chr1\n{MOTIF_CHR1}\n>chr2\n{MOTIF_CHR1[::-1]}\n")
    with Genome(path) as opened:
        yield opened


def motif_model(length: int):
    """A network that sees one motif on both strands: its logit is 4 x (the best match of
    GATTACA + the best match of its reverse complement, in matching bases) - 50, the same
    for a sequence and its reverse complement."""
    import keras
    import numpy as np

    from biodl.data.dna import one_hot_encode, reverse_complement

    inputs = keras.Input((length, 4))
    conv = keras.layers.Conv1D(2, len(MOTIF), use_bias=False)
    pooled = keras.layers.GlobalMaxPooling1D()(keras.layers.Activation("relu")(conv(inputs)))
    dense = keras.layers.Dense(1, name="output", activation="sigmoid")
    model = keras.Model(inputs, dense(pooled))
    kernel = np.stack([one_hot_encode(MOTIF), one_hot_encode(reverse_complement(MOTIF))], axis=-1)
    conv.set_weights([kernel.astype(np.float32)])
    dense.set_weights([np.full((2, 1), 4.0, np.float32), np.array([-50.0], np.float32)])
    return model
