"""The result-table contracts (exomir.tables): the helpers, and docs/data-model.md held to the
specs."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from exomir.errors import InputError, ReferenceFormatError
from exomir.tables import (
    COMPARISON,
    ENRICHMENT,
    SIGNATURE_SUMMARY,
    TABLES,
    Table,
    files_by_set,
    read_table,
    require_columns,
)

DATA_MODEL = Path(__file__).resolve().parent.parent / "docs" / "data-model.md"


def documented_tables() -> dict[str, list[str]]:
    """``results/<path>`` -> the columns listed under its heading in docs/data-model.md."""
    text = DATA_MODEL.read_text(encoding="utf-8")
    results = text[text.index("\n## Results") :]
    tables: dict[str, list[str]] = {}
    current = None
    for line in results.splitlines():
        heading = re.match(r"^### (results/\S+)\s*$", line)
        if heading:
            current = heading.group(1)
            assert current not in tables, f"{current} is documented twice"
            tables[current] = []
        elif line.startswith("#"):
            current = None
        elif current is not None:
            row = re.match(r"^\| `([^`]+)` \|", line)
            if row:
                tables[current].append(row.group(1))
    return tables


def test_the_data_model_documents_every_result_table_and_no_other():
    documented = documented_tables()
    specified = {f"results/{table.path}" for table in TABLES.values()}
    assert sorted(documented) == sorted(specified)


@pytest.mark.parametrize("table", list(TABLES.values()), ids=list(TABLES))
def test_the_data_model_lists_each_tables_columns_in_order(table):
    columns = documented_tables()[f"results/{table.path}"]
    fixed = [c for c in columns if not c.startswith("<")]
    assert fixed == list(table.columns)
    if table.dynamic:
        # Run-dependent columns (placeholders such as <key>) follow the fixed ones.
        assert columns[: len(fixed)] == fixed and len(columns) > len(fixed)
    else:
        assert columns == fixed


def test_every_table_key_matches_its_entry():
    assert all(key == table.key for key, table in TABLES.items())
    assert len({table.path for table in TABLES.values()}) == len(TABLES)


def test_require_columns_names_the_missing_and_the_found():
    frame = pd.DataFrame({"mirna": ["a"], "score": [1.0]})
    require_columns(frame, ("mirna",), "edge table")
    with pytest.raises(InputError) as err:
        require_columns(frame, ("mirna", "gene", "confidence"), "edge table", "e.tsv", line=1)
    assert str(err.value).startswith(
        "e.tsv, line 1: edge table lacks column(s) 'gene', 'confidence'; found 'mirna', 'score'"
    )
    assert "see docs/data-model.md" in str(err.value).lower()
    with pytest.raises(ReferenceFormatError, match="found none") as err:
        require_columns(pd.DataFrame(), ("gene",), "gene table", error=ReferenceFormatError)
    with pytest.raises(InputError) as err:
        require_columns(frame, ("gene",), "t", hint="build it with x")
    assert "Build it with x" in str(err.value) and "data-model" not in str(err.value)


def test_table_specs_reject_unknown_and_inconsistent_columns():
    with pytest.raises(ValueError, match="required names unknown column"):
        Table("t", "t.tsv", "t", ("a",), required=("b",))
    with pytest.raises(ValueError, match="numeric names unknown column"):
        Table("t", "t.tsv", "t", ("a",), numeric=("b",))
    with pytest.raises(ValueError, match="every probability column must be numeric"):
        Table("t", "t.tsv", "t", ("a", "p"), numeric=("a",), probabilities=("p",))
    table = Table("t", "t.tsv", "t table", ("a", "b", "c"), required=("a",), numeric=("b",))
    assert table.needed == ("a",) and table.optional == ("b", "c")
    # Tables of runs before the testing families lack these and stay readable.
    assert ENRICHMENT.optional == ("p_method", "fdr_focus", "fdr_all", "z_emp", "mirna_score")


def test_ordered_and_require_and_aliases():
    frame = pd.DataFrame({"c": [3], "a": [1], "b": [2], "extra": [0]})
    table = Table("t", "t.tsv", "t table", ("a", "b", "c"), required=("a",))
    assert list(table.ordered(frame).columns) == ["a", "b", "c"]
    with pytest.raises(InputError, match="t table lacks column\\(s\\) 'b'"):
        table.ordered(frame.drop(columns="b"))
    table.require(frame.drop(columns="b"), "t.tsv")  # b is optional
    with pytest.raises(InputError, match=r"t\.tsv: t table lacks column\(s\) 'a'"):
        table.require(frame.drop(columns="a"), "t.tsv")
    with pytest.raises(InputError, match="lacks column\\(s\\) 'z'"):
        table.require(frame, columns=("z",))
    summary = pd.DataFrame({"k_mirnas": [2], "set": ["s"], "msc_source": ["m"], "pi3k": [1.0]})
    assert list(SIGNATURE_SUMMARY.ordered(summary).columns) == [
        "set",
        "msc_source",
        "k_mirnas",
        "pi3k",
    ]
    old = pd.DataFrame({"frac_a": [0.1], "diff": [0.2], "difference": [0.3]})
    renamed = COMPARISON.rename_aliases(old)
    assert list(renamed.columns) == ["fraction_a", "diff", "difference"]  # current name wins


def test_read_table_reads_parquet_and_tsv_and_names_the_file(tmp_path):
    frame = pd.DataFrame({"mirna": ["hsa-miR-21-5p"], "gene": ["PTEN"]})
    parquet = tmp_path / "edges.parquet"
    frame.to_parquet(parquet)
    assert read_table(parquet, "edge table", ("mirna",)).equals(frame)
    tsv = tmp_path / "edges.tsv"
    tsv.write_text("mirna\tgene\nhsa-miR-21-5p\tPTEN\n")
    assert read_table(tsv, "edge table", ("mirna", "gene"))["gene"].tolist() == ["PTEN"]
    with pytest.raises(InputError, match="edge table not found") as err:
        read_table(tmp_path / "missing.parquet", "edge table")
    assert "missing.parquet" in str(err.value)
    with pytest.raises(InputError, match="edge table lacks column\\(s\\) 'confidence'") as err:
        read_table(parquet, "edge table", ("confidence",))
    assert "edges.parquet" in str(err.value)
    with pytest.raises(InputError, match="edge table lacks column\\(s\\) 'confidence'"):
        read_table(tsv, "edge table", ("confidence",))
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        read_table(broken, "edge table")


@pytest.mark.parametrize("kind", ["parquet", "tsv"])
def test_read_table_can_read_only_the_required_columns(tmp_path, kind):
    frame = pd.DataFrame({"mirna": ["hsa-miR-21-5p"], "gene": ["PTEN"], "sources": ["a;b"]})
    path = tmp_path / f"edges.{kind}"
    if kind == "parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, sep="\t", index=False)
    got = read_table(path, "edge table", ("gene", "mirna"), only_required=True)
    assert list(got.columns) == ["gene", "mirna"] and got["gene"].tolist() == ["PTEN"]
    # a missing column is named, with every column the file has
    with pytest.raises(InputError, match="lacks column\\(s\\) 'confidence'") as err:
        read_table(path, "edge table", ("mirna", "confidence"), only_required=True)
    assert "'sources'" in str(err.value) and f"edges.{kind}" in str(err.value)
    if kind == "parquet":
        path.write_bytes(b"PAR1 not really")
        with pytest.raises(InputError, match="not a readable Parquet file"):
            read_table(path, "edge table", ("mirna",), only_required=True)


def test_files_by_set_matches_by_name_not_position(tmp_path):
    paths = [tmp_path / "b.tsv", tmp_path / "a.tsv"]
    assert files_by_set(paths, ["a", "b"], suffix=".tsv", what="target table") == {
        "b": paths[0],
        "a": paths[1],
    }
    with pytest.raises(InputError, match=r"does not end in '\.json'"):
        files_by_set(paths, ["a", "b"], suffix=".json", what="parameter")
    with pytest.raises(InputError, match="belongs to no reported set"):
        files_by_set(paths, ["a"], suffix=".tsv", what="target table")
    with pytest.raises(InputError, match="two target table files for set 'a'"):
        files_by_set(
            [*paths, tmp_path / "x" / "a.tsv"], ["a", "b"], suffix=".tsv", what="target table"
        )
    with pytest.raises(InputError, match="no target table file for set\\(s\\) 'c'"):
        files_by_set(paths, ["a", "b", "c"], suffix=".tsv", what="target table")
