import numpy as np
import pytest

from biodl.io.jaspar import fetch_jaspar, jaspar_database, motif_database
from biodl.io.meme import write_meme


def test_fetch_jaspar_offline_gives_probabilities():
    (ctcf,) = fetch_jaspar(["MA0139"], "JASPAR2024")
    assert ctcf.id.startswith("MA0139") and ctcf.name == "CTCF" and ctcf.width == 15
    np.testing.assert_allclose(ctcf.ppm.sum(axis=1), 1.0)


def test_unknown_motif_and_release_are_clear_errors():
    with pytest.raises(ValueError, match="MA9999.1' is not in JASPAR2024"):
        fetch_jaspar(["MA9999.1"])
    with pytest.raises(ValueError, match="JASPAR1990"):
        fetch_jaspar(["MA0139"], "JASPAR1990")


def test_jaspar_selection():
    with pytest.raises(ValueError, match="holds no motifs"):
        jaspar_database(tax_group="martians")
    vertebrates = jaspar_database()
    assert len(vertebrates) > 500 and any(m.name == "CTCF" for m in vertebrates)
    fungi = {m.name.upper() for m in jaspar_database(tax_group="fungi")}
    assert {"REB1", "ABF1"} <= fungi and "CTCF" not in fungi
    assert len(jaspar_database(tax_group="")) > len(vertebrates)  # '' selects every taxon


def test_motif_database_reads_a_meme_file_instead(tmp_path):
    write_meme(tmp_path / "mine.meme", fetch_jaspar(["MA0138"]))
    assert [m.name for m in motif_database(tmp_path / "mine.meme")] == ["REST"]
