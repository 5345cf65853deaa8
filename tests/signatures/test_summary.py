"""Tests of exomir.signatures._summary: the summary of all sets, and reading a set's outputs."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from exomir import signatures as sg
from exomir.enrichment import NullSettings
from exomir.errors import InputError
from exomir.tables import SIGNATURE_SUMMARY

PTEN_ONLY = {"hsa-miR-410-3p": {"PTEN": 0.9}}
EGFR_MTOR = {"hsa-miR-146b-5p": {"EGFR": 0.9}, "hsa-miR-100-5p": {"MTOR": 0.9}}


def test_summary_sets_the_sets_side_by_side(model, universe_edges, score):
    a = score(universe_edges(PTEN_ONLY), {"hsa-miR-410-3p": 1.0}, model)
    b = score(universe_edges(EGFR_MTOR), {"hsa-miR-146b-5p": 1.0, "hsa-miR-100-5p": 1.0}, model)
    summary = sg.summarise(
        {"uc": a.table.assign(set="uc"), "bm": b.table.assign(set="bm")},
        {"uc": "umbilical_cord", "bm": "bone_marrow"},
        {"uc": a.params, "bm": b.params},
    )
    assert summary["set"].tolist() == ["uc", "bm"]
    assert list(summary.columns[:8]) == [
        "set",
        "msc_source",
        "k_mirnas",
        "pro_tumour",
        "pro_tumour_z",
        "pro_tumour_p",
        "pro_tumour_fdr",
        "pro_tumour_call",
    ]
    assert summary["tumour_lean_call"].tolist() == ["pro_tumour", "anti_tumour"]
    # each call's FDR over its set's calls sits next to its p-value
    for name, result in (("uc", a), ("bm", b)):
        own = result.table.set_index("key")
        row = summary.set_index("set").loc[name]
        for key in ("tumour_lean", "pro_tumour", "pi3k_akt"):
            assert row[f"{key}_fdr"] == own.at[key, "fdr"]
            assert row[f"{key}_p"] <= row[f"{key}_fdr"]
    assert summary["tumour_lean_z"].notna().all()
    assert summary["pi3k_akt_call"].tolist() == ["up", "down"]
    assert summary["k_mirnas"].tolist() == [1, 2]
    assert "apoptosis_call" not in summary.columns  # processes stay in the per-set tables
    assert list(summary.columns[:3]) == list(SIGNATURE_SUMMARY.columns)


def test_signature_tables_are_checked_on_reading(model, tmp_path, universe_edges, score):
    result = score(universe_edges(PTEN_ONLY), {"hsa-miR-410-3p": 1.0}, model, n_random=100)
    path = tmp_path / "query.tsv"
    result.write(path)
    back = sg.read_table(path, "query")
    pd.testing.assert_series_equal(back["score"], result.table["score"], check_exact=False)
    bad = result.table.copy()
    bad.loc[6, "direction"] = "sideways"
    bad.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match=r"line 8: unknown direction of a pathway call"):
        sg.read_table(path, "query")
    bad = result.table.copy()
    bad.loc[0, "p_up"] = 1.5
    bad.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match=r"line 2.*'p_up'"):
        sg.read_table(path, "query")
    bad = result.table.copy()
    bad.loc[2, "p_method"] = "guess"
    bad.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match=r"line 4: unknown p_method"):
        sg.read_table(path, "query")
    result.write(path)
    with pytest.raises(InputError, match="holds a row of another set"):
        sg.read_table(tmp_path / "query.tsv", "adipose")


def test_read_set_files_reads_what_write_wrote(
    model, fixture_dir, tmp_path, universe_edges, set_table
):
    edges = universe_edges(PTEN_ONLY)
    targets = set_table(edges, {"hsa-miR-410-3p": 1.0})
    result = sg.score_set(targets, edges, model, set_name="query", null=NullSettings(n_random=99))
    result.literature = sg.literature_comparison(
        sg.read_literature(fixture_dir / "msc_exosome_literature.tsv"),
        result,
        targets,
        set_name="query",
        msc_source="umbilical_cord",
    )
    paths = [tmp_path / n for n in ("q.tsv", "q.drivers.tsv", "q.json", "q.literature.tsv")]
    result.write(*paths)
    files = sg.read_set_files(
        paths[0], "query", drivers=paths[1], params=paths[2], literature=paths[3]
    )
    assert files.params["null"]["n_random"] == 99
    assert json.loads(paths[2].read_text())["k"] == 1
    assert files.drivers["contribution"].tolist() == pytest.approx(
        result.drivers["contribution"].tolist()
    )
    assert files.literature["agreement"].tolist() == result.literature["agreement"].tolist()
    paths[2].write_text('{"k": ', encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as error:
        sg.read_set_files(paths[0], "query", params=paths[2])
    assert str(paths[2]) in str(error.value)


def test_a_table_without_a_column_is_named(model, universe_edges, score):
    result = score(universe_edges(PTEN_ONLY), {"hsa-miR-410-3p": 1.0}, model, n_random=20)
    with pytest.raises(InputError, match=r"signature table lacks column\(s\) 'p_up'") as error:
        sg.check_table(result.table.drop(columns="p_up"), "query", path="query.tsv")
    assert "query.tsv" in str(error.value)


def test_group_files_matches_files_to_sets_by_name(tmp_path):
    names = ["bm.tsv", "bm.drivers.tsv", "bm.literature.tsv", "bm.json", "uc.tsv"]
    found = sg.group_files([tmp_path / n for n in names], ["bm", "uc"])
    assert {s: {k: p.name for k, p in kinds.items()} for s, kinds in found.items()} == {
        "bm": {
            "table": "bm.tsv",
            "drivers": "bm.drivers.tsv",
            "literature": "bm.literature.tsv",
            "params": "bm.json",
        },
        "uc": {"table": "uc.tsv"},
    }
    with pytest.raises(InputError, match="belongs to no reported set") as error:
        sg.group_files([tmp_path / "adipose.tsv"], ["bm"])
    assert "adipose.tsv" in str(error.value)
    with pytest.raises(InputError, match="two signature table files for set 'bm'"):
        sg.group_files([tmp_path / "bm.tsv", tmp_path / "sub" / "bm.tsv"], ["bm"])
    with pytest.raises(InputError, match="set\\(s\\) 'bm' lack the call table"):
        sg.group_files([tmp_path / "bm.json"], ["bm"])
