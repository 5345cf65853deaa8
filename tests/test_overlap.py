"""Tests of exomir.overlap: exclusive intersections of miRNAs and targets across sets."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from exomir.errors import InputError
from exomir.overlap import (
    exclusive_intersections,
    overlap_summary,
    overlap_tables,
    resolved_mirnas,
    set_sizes,
    target_genes,
)
from exomir.tables import OVERLAP

# Hand-made sets: miR-21 and let-7a are everywhere, miR-146b is shared by two sets, and each set
# has something of its own (umbilical cord two miRNAs).
MEMBERS = {
    "bone_marrow": ["hsa-miR-21-5p", "hsa-let-7a-5p", "hsa-miR-146b-5p", "hsa-miR-410-3p"],
    "adipose": ["hsa-miR-21-5p", "hsa-let-7a-5p", "hsa-miR-146b-5p", "hsa-miR-223-3p"],
    "umbilical_cord": [
        "hsa-let-7a-5p",
        "hsa-miR-21-5p",
        "hsa-miR-125a-5p",
        "hsa-miR-451a",
        "hsa-miR-21-5p",  # listed twice: counts once
    ],
}
SETS = ["bone_marrow", "adipose", "umbilical_cord"]


def test_exclusive_intersections_by_hand():
    table = exclusive_intersections(MEMBERS, SETS)
    assert list(table.columns) == list(OVERLAP.columns)
    assert table.to_dict("records") == [
        {
            "sets": "umbilical_cord",
            "n_sets": 1,
            "size": 2,
            "members": "hsa-miR-125a-5p;hsa-miR-451a",
        },
        {
            "sets": "bone_marrow;adipose;umbilical_cord",
            "n_sets": 3,
            "size": 2,
            "members": "hsa-let-7a-5p;hsa-miR-21-5p",
        },
        {"sets": "bone_marrow", "n_sets": 1, "size": 1, "members": "hsa-miR-410-3p"},
        {"sets": "adipose", "n_sets": 1, "size": 1, "members": "hsa-miR-223-3p"},
        {"sets": "bone_marrow;adipose", "n_sets": 2, "size": 1, "members": "hsa-miR-146b-5p"},
    ]


def test_every_member_is_counted_once_in_exactly_its_sets():
    table = exclusive_intersections(MEMBERS, SETS)
    union = set().union(*map(set, MEMBERS.values()))
    assert table["size"].sum() == len(union)
    seen = [m for cell in table["members"] for m in cell.split(";")]
    assert sorted(seen) == sorted(union)
    for record in table.to_dict("records"):
        inside = set(record["sets"].split(";"))
        for member in record["members"].split(";"):
            assert {s for s in SETS if member in MEMBERS[s]} == inside
    # no combination is listed twice and every listed one has members
    assert table["sets"].is_unique and (table["size"] > 0).all()


def test_set_sizes_and_summary_follow_from_the_table():
    table = exclusive_intersections(MEMBERS, SETS)
    assert set_sizes(table, SETS) == {"bone_marrow": 4, "adipose": 4, "umbilical_cord": 4}
    summary = overlap_summary(table, SETS)
    assert summary.to_dict("records") == [
        {"set": "bone_marrow", "total": 4, "unique": 1, "shared_by_all": 2},
        {"set": "adipose", "total": 4, "unique": 1, "shared_by_all": 2},
        {"set": "umbilical_cord", "total": 4, "unique": 2, "shared_by_all": 2},
    ]


def test_order_follows_size_then_degree_then_sheet_position():
    members = {"c": ["x", "y"], "a": ["x", "z"], "b": ["y", "w"]}
    table = exclusive_intersections(members, ["a", "b", "c"])
    # four combinations of one member each: single sets first, in the given order of sets
    assert table["sets"].tolist() == ["a", "b", "a;c", "b;c"]
    reordered = exclusive_intersections(members, ["c", "b", "a"])
    assert reordered["sets"].tolist() == ["b", "a", "c;b", "c;a"]


def test_result_does_not_depend_on_input_order():
    shuffled = {s: list(reversed(v)) for s, v in reversed(list(MEMBERS.items()))}
    pd.testing.assert_frame_equal(
        exclusive_intersections(shuffled, SETS), exclusive_intersections(MEMBERS, SETS)
    )


def test_all_combinations_of_four_sets():
    sets = ["s1", "s2", "s3", "s4"]
    members: dict[str, list[str]] = {s: [] for s in sets}
    # one member per combination, k members for combinations of k sets
    for k in range(1, 5):
        for combo in itertools.combinations(sets, k):
            for i in range(k):
                for s in combo:
                    members[s].append(f"{'+'.join(combo)}#{i}")
    table = exclusive_intersections(members, sets)
    assert len(table) == 15
    assert table.iloc[0]["sets"] == "s1;s2;s3;s4" and table.iloc[0]["size"] == 4
    assert table.iloc[-1]["sets"] == "s4" and table.iloc[-1]["size"] == 1
    assert (table["size"] == table["n_sets"]).all()


def test_empty_and_missing_sets():
    table = exclusive_intersections({"a": ["x"], "b": []}, ["a", "b"])
    assert table["sets"].tolist() == ["a"]
    assert set_sizes(table, ["a", "b"]) == {"a": 1, "b": 0}
    empty = exclusive_intersections({"a": [], "b": []})
    assert empty.empty and list(empty.columns) == list(OVERLAP.columns)
    with pytest.raises(InputError, match=r"no members given for set\(s\) 'c'"):
        exclusive_intersections({"a": ["x"]}, ["a", "c"])
    with pytest.raises(InputError, match="a set is listed twice"):
        exclusive_intersections({"a": ["x"]}, ["a", "a"])


def _names(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "set": "bone_marrow",
            "input": [f"in{i}" for i in range(len(rows))],
            "resolved": [r for r, _ in rows],
            "status": [s for _, s in rows],
        }
    )


def test_resolved_mirnas_take_ok_rows_and_every_arm():
    names = _names(
        [
            ("hsa-miR-21-5p", "ok"),
            ("hsa-miR-146b-5p;hsa-miR-146b-3p", "ok"),  # a precursor name: both arms
            ("hsa-miR-21-5p", "ok"),  # two spellings of one miRNA
            ("", "unknown"),
            ("hsa-let-7a-5p;hsa-let-7b-5p", "ambiguous"),
        ]
    )
    assert resolved_mirnas(names) == ["hsa-miR-146b-3p", "hsa-miR-146b-5p", "hsa-miR-21-5p"]


def test_missing_columns_name_the_file(tmp_path):
    with pytest.raises(InputError, match=r"names/adipose.tsv: name audit lacks column"):
        resolved_mirnas(pd.DataFrame({"input": ["x"]}), path=tmp_path / "names" / "adipose.tsv")
    with pytest.raises(InputError, match=r"adipose.tsv: target table lacks column.*gene"):
        target_genes(pd.DataFrame({"mirna": ["x"]}), path=tmp_path / "adipose.tsv")


def test_overlap_tables_of_a_run():
    names = {
        "bone_marrow": _names([("hsa-miR-21-5p", "ok"), ("hsa-miR-410-3p", "ok")]),
        "adipose": _names([("hsa-miR-21-5p", "ok"), ("", "unknown")]),
    }
    targets = {
        "bone_marrow": pd.DataFrame(
            {"mirna": ["hsa-miR-21-5p"] * 2 + ["hsa-miR-410-3p"], "gene": ["PTEN", "PDCD4", "PTEN"]}
        ),
        "adipose": pd.DataFrame({"mirna": ["hsa-miR-21-5p"] * 2, "gene": ["PTEN", "PDCD4"]}),
    }
    mirnas, genes = overlap_tables(["bone_marrow", "adipose"], names, targets)
    assert mirnas.to_dict("records") == [
        {"sets": "bone_marrow", "n_sets": 1, "size": 1, "members": "hsa-miR-410-3p"},
        {"sets": "bone_marrow;adipose", "n_sets": 2, "size": 1, "members": "hsa-miR-21-5p"},
    ]
    assert genes.to_dict("records") == [
        {"sets": "bone_marrow;adipose", "n_sets": 2, "size": 2, "members": "PDCD4;PTEN"},
    ]
    with pytest.raises(InputError, match=r"targets/adipose.tsv: target table lacks"):
        overlap_tables(
            ["bone_marrow", "adipose"],
            names,
            {**targets, "adipose": pd.DataFrame({"mirna": []})},
            paths={("targets", "adipose"): "results/targets/adipose.tsv"},
        )
