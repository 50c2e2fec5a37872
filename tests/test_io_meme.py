import numpy as np
import pytest

from biodl import io
from biodl.io.jaspar import fetch_jaspar
from biodl.io.meme import read_meme, write_meme


def test_meme_round_trip(tmp_path):
    motifs = fetch_jaspar(["MA0139", "MA0138"])
    write_meme(tmp_path / "m.meme", motifs, nsites=[10, 20])
    back = read_meme(tmp_path / "m.meme")
    assert [m.id for m in back] == [m.id for m in motifs] and [m.name for m in back] == ["CTCF", "REST"]
    for a, b in zip(back, motifs):
        np.testing.assert_allclose(a.ppm, b.ppm, atol=1e-5)
    assert "nsites= 20" in (tmp_path / "m.meme").read_text()


def test_empty_file_allowed_only_when_asked(tmp_path):
    write_meme(tmp_path / "none.meme", [])
    assert read_meme(tmp_path / "none.meme", allow_empty=True) == []
    with pytest.raises(io.InputError, match="no 'MOTIF' entries"):
        read_meme(tmp_path / "none.meme")


HEADER = "MEME version 4\n\n"


@pytest.mark.parametrize("text, message", [
    ("hello\n", "line 1: a MEME motif file starts with 'MEME version <n>'"),
    ("\n", "the MEME file is empty"),
    ("MEME version 4\n", "no 'MOTIF' entries"),
    ("MOTIF m1\n\nletter-probability matrix: alength= 4 w= 2\n0.25 0.25 0.25 0.25\n", "ends after 1 of 2 rows"),
    ("MOTIF m1\nletter-probability matrix: alength= 4 w= 1\n0.2 x 0.3 0.3\n", "line 5: non-numeric"),
    ("MOTIF m1\nletter-probability matrix: alength= 4 w= 1\n0.5 0.5 0.5\n", "line 5: motif 'm1' needs 1 rows of 4"),
    ("MOTIF m1\nletter-probability matrix: alength= 4 w= 1\n0.9 0.9 0.9 0.9\n", "rows must sum to 1"),
    ("MOTIF m1\nnothing here\n", "no 'letter-probability matrix'"),
    ("MOTIF m1\nletter-probability matrix: alength= 4\n0.25 0.25 0.25 0.25\n", "lacks 'w= <width>'"),
])
def test_bad_meme_files(tmp_path, text, message):
    (tmp_path / "bad.meme").write_text(text if text.strip() in ("hello", "", "MEME version 4") else HEADER + text)
    with pytest.raises(io.InputError, match=message):
        read_meme(tmp_path / "bad.meme")
