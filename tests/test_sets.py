"""The miRNA-set sheet: reading and every way it can be wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exomir.errors import InputError
from exomir.sets import RESERVED_SET_NAMES, read_mirna_sets, set_names, set_sources

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


# -- robustness (issue 8) ----------------------------------------------------------------------


def test_unclosed_quote_in_a_note_keeps_every_later_row(tmp_path):
    path = sheet(
        tmp_path,
        "bm\tbone_marrow\tmiR-21\t\tReview A\n"
        'bm\tbone_marrow\tmiR-146b\t\t"Table 2, from review\n'
        "bm\tbone_marrow\tmiR-16\t\tReview A\n"
        "uc\tumbilical_cord\tmiR-125b-5p\t\t\n",
    )
    frame = read_mirna_sets(path)
    assert frame["mirna"].tolist() == ["miR-21", "miR-146b", "miR-16", "miR-125b-5p"]
    assert frame["line"].tolist() == [2, 3, 4, 5]
    assert frame["note"].tolist()[1] == '"Table 2, from review'


def test_cells_wholly_in_quotes_lose_the_quotes(tmp_path):
    path = sheet(tmp_path, 'bm\tbone_marrow\t"miR-21"\t\t"Review A, ""Table"" 2"\n')
    frame = read_mirna_sets(path)
    assert frame["mirna"].tolist() == ["miR-21"]
    assert frame["note"].tolist() == ['Review A, "Table" 2']


def test_sample_sheet_keeps_quotes_as_text(tmp_path):
    from exomir.abundance import read_samples

    path = tmp_path / "samples.tsv"
    path.write_text(
        "sample\tmsc_source\tset\tnote\n"
        'BM_1\tbone_marrow\tbm\t"first batch\n'
        "BM_2\tbone_marrow\tbm\tsecond batch\n"
    )
    frame = read_samples(path)
    assert frame["sample"].tolist() == ["BM_1", "BM_2"]
    assert frame["line"].tolist() == [2, 3]


@pytest.mark.parametrize("name", [*sorted(RESERVED_SET_NAMES), "Summary", "INDEX"])
def test_reserved_set_names_are_refused_naming_line_and_list(tmp_path, name):
    path = sheet(tmp_path, f"bm\tbone_marrow\tmiR-21\t\t\n{name}\tadipose\tmiR-16\t\t\n")
    with pytest.raises(InputError) as err:
        read_mirna_sets(path)
    message = str(err.value)
    assert f"{path}, line 3: the set name {name!r} is reserved" in message
    assert ", ".join(sorted(RESERVED_SET_NAMES)) in message


def test_set_names_may_not_hold_the_pair_separator(tmp_path):
    path = sheet(tmp_path, "bm__vs__uc\tbone_marrow\tmiR-21\t\t\n")
    with pytest.raises(InputError, match=r"line 2: set names may not contain '__vs__'"):
        read_mirna_sets(path)


def test_sample_sheet_refuses_reserved_set_names(tmp_path):
    from exomir.abundance import read_samples

    path = tmp_path / "samples.tsv"
    path.write_text("sample\tmsc_source\tset\nBM_1\tbone_marrow\tsources\n")
    with pytest.raises(InputError, match=r"line 2: the set name 'sources' is reserved"):
        read_samples(path)


def _fixed_result_stems() -> set[str]:
    """Stems of every fixed file under results/: the tables without placeholders in their
    path, the overlap tables of each kind the rules write, and the report's index page."""
    from pathlib import PurePosixPath

    from exomir.tables import TABLES

    stems = set()
    for table in TABLES.values():
        if "{" not in table.path:
            stems.add(PurePosixPath(table.path).name.split(".")[0])
        elif table.path.startswith("compare/overlap_"):
            stems |= {f"overlap_{kind}" for kind in ("mirnas", "targets")}
    rules = (Path(__file__).parent.parent / "workflow" / "rules").glob("*.smk")
    for text in (p.read_text() for p in rules):
        for found in re.findall(r'"results/([^"{}]+)"', text):
            stems.add(PurePosixPath(found).name.split(".")[0])
    return stems


def test_every_fixed_result_file_is_a_reserved_set_name():
    stems = _fixed_result_stems()
    assert {"summary", "sources", "all_edges", "index", "mirna_sets", "pvalues"} <= stems
    assert stems <= RESERVED_SET_NAMES, stems - RESERVED_SET_NAMES


def test_a_set_with_every_weight_zero_is_named_when_read(tmp_path):
    path = sheet(
        tmp_path,
        "bm\tbone_marrow\tmiR-21\t3\t\nuc\tumbilical_cord\tmiR-16\t0\t\n"
        "uc\tumbilical_cord\tmiR-125b-5p\t0\t\n",
    )
    with pytest.raises(InputError) as err:
        read_mirna_sets(path)
    assert "every miRNA of set 'uc' has weight 0 (line(s) 3, 4)" in str(err.value)
    assert str(path) in str(err.value)


def test_weight_zero_keeps_the_mirna_in_the_sheet_and_out_of_the_signatures(tmp_path):
    from exomir.signatures import normalise_weights

    path = sheet(tmp_path, "bm\tbone_marrow\tmiR-21\t4\t\nbm\tbone_marrow\tmiR-16\t0\t\n")
    frame = read_mirna_sets(path)
    assert frame["mirna"].tolist() == ["miR-21", "miR-16"]  # both enter the enrichment
    weights = normalise_weights(dict(zip(frame["mirna"], frame["weight"], strict=True)))
    assert weights == {"miR-21": 2.0, "miR-16": 0.0}  # miR-16 delivers nothing to signatures


def test_precursor_and_mature_names_are_two_rows(tmp_path):
    # miRBase: hsa-mir-21 is the precursor, hsa-miR-21 the mature miRNA.
    path = sheet(tmp_path, "bm\tbone_marrow\thsa-mir-21\t\t\nbm\tbone_marrow\thsa-miR-21\t\t\n")
    assert list(read_mirna_sets(path)["mirna"]) == ["hsa-mir-21", "hsa-miR-21"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("hsa-miR-21", "HSA-MIR-21"),  # all capitals: no case, read as the mature name
        ("miR-21", "mir-21"),  # no species prefix: 'mir' does not mark a precursor
        ("hsa-mir-21", "HSA-mir-21"),  # the prefix's case does not matter
    ],
)
def test_sloppy_spellings_of_one_name_are_duplicates(tmp_path, first, second):
    path = sheet(tmp_path, f"bm\tbone_marrow\t{first}\t\t\nbm\tbone_marrow\t{second}\t\t\n")
    with pytest.raises(InputError) as err:
        read_mirna_sets(path)
    assert f"line 3 repeats {second!r} of set 'bm' (line 2)" in str(err.value)
    assert "lower-case 'mir' (hsa-mir-21) names the precursor" in str(err.value)
