"""Assembling ReportData: one table per set, the FDR threshold and the run date."""

from __future__ import annotations

import re

import pytest

from exomir import report as rp
from exomir.errors import ConfigError, InputError


def test_missing_table_for_a_set_is_named(inputs, tmp_path):
    targets = {k: v for k, v in inputs["targets"].items() if k != "adipose"}
    with pytest.raises(InputError, match=r"no target table for set\(s\) 'adipose'"):
        rp.render_report(tmp_path, **{**inputs, "targets": targets})


def test_parameters_that_are_not_an_object_are_named(inputs, tmp_path):
    params = {**inputs["enrichment_params"], "adipose": [1, 2]}
    with pytest.raises(
        InputError, match=r"parameters of set 'adipose' must be a JSON object.*'list'"
    ):
        rp.render_report(tmp_path, **{**inputs, "enrichment_params": params})


def test_bad_fdr_in_config_is_named():
    with pytest.raises(ConfigError, match=r"enrichment.fdr must be a number.*value: 1\.5"):
        rp.significance_threshold({"enrichment": {"fdr": 1.5}})
    assert rp.significance_threshold({}) == 0.05
    assert rp.significance_threshold({"enrichment": {"fdr": 0.1}}) == 0.1


def test_run_timestamp_honours_source_date_epoch():
    assert rp.run_timestamp({"SOURCE_DATE_EPOCH": "1700000000"}) == "2023-11-14 22:13 UTC"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", rp.run_timestamp({}))
    with pytest.raises(ConfigError, match=r"SOURCE_DATE_EPOCH must be.*'soon'"):
        rp.run_timestamp({"SOURCE_DATE_EPOCH": "soon"})
