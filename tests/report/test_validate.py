"""Checks of the input tables and set names: every error names the value and the problem."""

from __future__ import annotations

import pandas as pd
import pytest

from exomir import report as rp
from exomir import tables
from exomir.errors import ConfigError, InputError


def test_set_named_index_is_refused(tmp_path, make_inputs):
    kw = make_inputs(sets=("index", "adipose"), per_mirna=3, n_mirnas=2)
    with pytest.raises(ConfigError, match=r"may not be called 'index'.*value: 'index'"):
        rp.render_report(tmp_path, **kw)


@pytest.mark.parametrize("name", ["../up", "a b", ".hidden", ""])
def test_unsafe_set_names_are_refused(inputs, tmp_path, name):
    with pytest.raises(ConfigError, match="a set name may contain only") as info:
        rp.render_report(tmp_path, **{**inputs, "sets": [name]})
    assert repr(name) in str(info.value)


def test_duplicate_or_missing_sets_are_refused(inputs, tmp_path):
    with pytest.raises(ConfigError, match=r"set listed twice.*'adipose'"):
        rp.render_report(tmp_path, **{**inputs, "sets": ["adipose", "adipose"]})
    with pytest.raises(ConfigError, match="no sets to report"):
        rp.render_report(tmp_path, **{**inputs, "sets": []})


def test_missing_enrichment_column_is_named(inputs, tmp_path):
    enrichment = dict(inputs["enrichment"])
    enrichment["adipose"] = enrichment["adipose"].drop(columns=["p_emp"])
    with pytest.raises(InputError, match=r"enrichment table lacks column\(s\) 'p_emp'"):
        rp.render_report(tmp_path, **{**inputs, "enrichment": enrichment})


def test_bad_status_is_named(inputs, tmp_path):
    names = dict(inputs["names"])
    names["adipose"] = names["adipose"].assign(status="OK?")
    with pytest.raises(InputError, match=r"status must be ok, ambiguous or unknown.*'OK\?'"):
        rp.render_report(tmp_path, **{**inputs, "names": names})


def test_reference_entry_that_is_not_an_object_is_named(inputs, tmp_path):
    with pytest.raises(InputError, match=r"each reference entry must be an object.*'mirbase'"):
        rp.render_report(tmp_path, **{**inputs, "references": {"mirbase": "22.1"}})


def test_comparisons_accept_both_column_spellings(inputs):
    renamed = {
        k: f.rename(columns={v: k2 for k2, v in tables.COMPARISON.aliases.items()})
        for k, f in inputs["comparisons"].items()
    }
    assert "frac_a" in next(iter(renamed.values())).columns
    keys = ("sets", "names", "targets", "enrichment", "enrichment_params", "references",
            "config", "focus")  # fmt: skip
    base = {k: inputs[k] for k in keys}
    a = rp.build_report_data(**base, comparisons=inputs["comparisons"]).comparisons
    b = rp.build_report_data(**base, comparisons=renamed).comparisons
    assert a is not None and b is not None and list(a) == list(b)
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key])


def test_overlap_tables_are_checked(inputs, overlaps_of):
    good = overlaps_of(inputs)["mirnas"]
    cases = [
        (good.drop(columns="members"), r"lacks column\(s\) 'members'"),
        (good.assign(sets="bone_marrow;wharton_jelly"), r"names a set that is not reported"),
        (good.assign(size=good["size"] + 1), r"column 'size' .* does not match the row"),
        (good.assign(n_sets=9), r"column 'n_sets' .* does not match the row"),
        (good.assign(size="many"), r"column 'size' of the overlap table .* must be numeric"),
    ]
    for frame, expected in cases:
        with pytest.raises(InputError, match=expected):
            rp.build_report_data(**{**inputs, "calibration": None}, overlaps={"mirnas": frame})
    with pytest.raises(InputError, match=r"unknown overlap kind\(s\) 'genes'"):
        rp.build_report_data(**inputs, overlaps={"genes": good})


def test_signature_table_of_another_set_or_a_missing_set_is_named(
    inputs, tmp_path, signature_outputs
):
    outputs = signature_outputs()
    outputs["adipose"].table["set"] = "bone_marrow"
    with pytest.raises(InputError, match="signature table of set 'adipose' holds a row"):
        rp.render_report(tmp_path, signatures=outputs, **inputs)
    outputs = signature_outputs(sets=("bone_marrow", "adipose"))
    with pytest.raises(InputError, match=r"no signature table for set.*'umbilical_cord'"):
        rp.render_report(tmp_path, signatures=outputs, **inputs)


def _drop(inputs: dict, kind: str, column: str) -> dict:
    """``inputs`` with ``column`` dropped from the ``kind`` table(s)."""
    value = inputs[kind]
    if kind == "calibration":
        return {
            **inputs,
            kind: {**value, "summary": value["summary"].drop(columns=column, errors="ignore")},
        }
    if isinstance(value, pd.DataFrame):
        return {**inputs, kind: value.drop(columns=column, errors="ignore")}
    return {**inputs, kind: {k: f.drop(columns=column, errors="ignore") for k, f in value.items()}}


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("names", tables.NAMES),
        ("targets", tables.SET_TARGETS),
        ("enrichment", tables.ENRICHMENT),
        ("source_summary", tables.SOURCES),
        ("calibration", tables.CALIBRATION_SUMMARY),
        ("comparisons", tables.COMPARISON),
    ],
)
def test_required_columns_are_those_of_the_table_contract(inputs, kind, spec):
    column = spec.needed[-1]
    with pytest.raises(InputError, match=rf"{spec.what} lacks column\(s\) '{column}'"):
        rp.build_report_data(**_drop(inputs, kind, column))
    optional = [c for c in spec.optional if c in spec.numeric]
    if optional:  # a column the contract does not insist on may be left out
        rp.build_report_data(**_drop(inputs, kind, optional[0]))


def test_probabilities_of_the_contract_are_checked(inputs):
    targets = dict(inputs["targets"])
    targets["adipose"] = targets["adipose"].assign(confidence=1.5)
    with pytest.raises(InputError, match=r"'confidence' of the target table .* outside \[0, 1\]"):
        rp.build_report_data(**{**inputs, "targets": targets})
