"""The miRNA-set sheet: reading and every way it can be wrong."""

from __future__ import annotations

import pytest

from exomir.errors import InputError
from exomir.sets import read_mirna_sets, set_names, set_sources

HEADER = "set\tmsc_source\tmirna\tweight\tnote\n"


def sheet(tmp_path, body, header=HEADER):
    path = tmp_path / "mirna_sets.tsv"
    path.write_text(header + body)
    return path


def test_reads_rows_weights_and_line_numbers(tmp_path):
    path = sheet(
        tmp_path,
        "bm\tbone_marrow\tmiR-21\t12.5\tref 40\n"
        "# a comment line\n"
        "\n"
        "bm\tbone_marrow\tmiR-146b\t\t\n"
        "uc\tumbilical_cord\tmiR-125b-5p\n",
    )
    frame = read_mirna_sets(path)
    assert list(frame.columns) == ["set", "msc_source", "mirna", "weight", "note", "line"]
    assert frame["weight"].tolist() == [12.5, 1.0, 1.0]
    assert frame["line"].tolist() == [2, 5, 6]
    assert set_names(frame) == ["bm", "uc"]
    assert set_sources(frame) == {"bm": "bone_marrow", "uc": "umbilical_cord"}


def test_default_sheet_is_valid():
    from pathlib import Path

    frame = read_mirna_sets(Path(__file__).parent.parent / "config" / "mirna_sets.tsv")
    assert len(set_names(frame)) >= 3
    assert {"bone_marrow", "adipose", "umbilical_cord"} <= set(frame["msc_source"])


@pytest.mark.parametrize(
    ("body", "header", "message"),
    [
        ("", HEADER, "header but no rows"),
        ("bm\tbone_marrow\tmiR-21\n", "set\tmsc_source\tweight\n", "column(s) mirna missing"),
        ("bm,bone_marrow,miR-21\n", "set,msc_source,mirna\n", "must be tab-separated"),
        ("bm\tbone_marrow\t\t\t\n", HEADER, "line 2: empty 'mirna'"),
        ("b m\tbone_marrow\tmiR-21\t\t\n", HEADER, "set names may contain only"),
        ("bm\tBone Marrow\tmiR-21\t\t\n", HEADER, "msc_source must be lower case"),
        ("bm\tbone_marrow\tmiR-21\tlots\t\n", HEADER, "weight must be a number"),
        ("bm\tbone_marrow\tmiR-21\t-3\t\n", HEADER, "finite number >= 0"),
        ("bm\tbone_marrow\tmiR-21\t1\tnote\textra\n", HEADER, "6 fields but the header has 5"),
        (
            "bm\tbone_marrow\tmiR-21\t\t\nbm\tbone_marrow\tMIR-21\t\t\n",
            HEADER,
            "line 3 repeats 'MIR-21' of set 'bm' (line 2)",
        ),
        (
            "bm\tbone_marrow\tmiR-21\t\t\nbm\tadipose\tmiR-16\t\t\n",
            HEADER,
            "set 'bm' names more than one msc_source",
        ),
    ],
)
def test_bad_sheets_name_file_line_and_fix(tmp_path, body, header, message):
    path = sheet(tmp_path, body, header)
    with pytest.raises(InputError) as err:
        read_mirna_sets(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.tsv"
    path.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_mirna_sets(path)
