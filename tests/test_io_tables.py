import pandas as pd
import pytest

from biodl import io


def write(path, text):
    path.write_text(text)
    return path


def test_read_table_requires_id_column_and_unique_ids(tmp_path):
    with pytest.raises(io.InputError, match="no 'id' column"):
        io.read_table(write(tmp_path / "t.tsv", "name\tlabel\na\t1\n"), "id")
    with pytest.raises(io.InputError, match="duplicate 'id'"):
        io.read_table(write(tmp_path / "d.tsv", "id\tlabel\na\t1\na\t0\n"), "id")
    with pytest.raises(io.InputError, match="no rows"):
        io.read_table(write(tmp_path / "h.tsv", "id\tlabel\n"), "id")
    with pytest.raises(io.InputError, match="line 3 has an empty 'id'"):
        io.read_table(write(tmp_path / "e.tsv", "id\tlabel\na\t1\n\t0\n"), "id")


def test_csv_by_suffix(tmp_path):
    table = io.read_table(write(tmp_path / "t.csv", "id,label\na,1\nb,0\n"), "id")
    assert table.loc["b", "label"] == 0


def test_read_omic_both_orientations(tmp_path):
    rows = io.read_omic(write(tmp_path / "a.tsv", "sample\tg1\tg2\ns1\t1\t2\ns2\t3\t4\n"))
    cols = io.read_omic(write(tmp_path / "b.tsv", "feature\ts1\ts2\ng1\t1\t3\ng2\t2\t4\n"), transpose=True)
    pd.testing.assert_frame_equal(rows, cols, check_names=False)
    assert rows.loc["s2", "g1"] == 3.0


@pytest.mark.parametrize("text, message", [
    ("sample\tg1\ns1\t1\ns1\t2\n", "duplicated sample ids, e.g. 's1'"),
    ("sample\tg1\tg2\ns1\t1\tabc\n", "sample 's1', feature 'g2': 'abc' is not a number"),
    ("sample\tg1\tg2\ns1\t1\t\ns2\t2\t\n", "1 features have no value in any sample, e.g. 'g2'"),
])
def test_bad_omic_tables(tmp_path, text, message):
    with pytest.raises(io.InputError, match=message):
        io.read_omic(write(tmp_path / "bad.tsv", text))
