"""Tests of exomir.signatures._display: what the report shows of the calls, drivers and claims."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from exomir import signatures as sg


@pytest.mark.parametrize(
    ("score", "mean", "sd", "expected"),
    [
        (3.0, 1.0, 0.5, 4.0),
        (-1.0, 1.0, 2.0, -1.0),
        (1.0, 1.0, 0.0, 0.0),  # neither the set nor the random sets differ
        (2.0, 1.0, 0.0, math.inf),  # the random sets never vary, the set does
        (0.0, 1.0, 0.0, -math.inf),
        (1.0, 1.0, math.nan, None),  # one random set: no spread
    ],
)
def test_standardised_score(score, mean, sd, expected):
    assert sg.standardised(score, mean, sd) == expected


def test_report_rows_carry_marks_words_and_grouped_drivers(model, universe_edges, score):
    edges = universe_edges(
        {"hsa-miR-21-5p": {"PTEN": 0.9, "AKT1": 0.3}, "hsa-miR-19a-3p": {"PTEN": 0.5}}
    )
    result = score(edges, {"hsa-miR-21-5p": 1.0, "hsa-miR-19a-3p": 1.0}, model)
    rows = {r["key"]: r for r in sg.report_rows(result.table)}
    pi3k = rows["pi3k_akt"]
    assert (pi3k["direction"], pi3k["sign"], pi3k["symbol"], pi3k["word"]) == (
        "up",
        1,
        "\u2191",
        "up",
    )
    assert pi3k["group"] == "Focus pathways"
    assert pi3k["driver_list"] == ["hsa-miR-21-5p->PTEN", "hsa-miR-19a-3p->PTEN"]
    assert pi3k["driver_groups"] == [("hsa-miR-21-5p", ["PTEN"]), ("hsa-miR-19a-3p", ["PTEN"])]
    expected_z = (pi3k["score"] - pi3k["null_mean"]) / pi3k["null_sd"]
    assert pi3k["z"] == pytest.approx(expected_z)
    mtor = rows["mtor"]  # no edge to its genes: no call, no drivers
    assert (mtor["sign"], mtor["symbol"], mtor["word"]) == (0, "\u00b7", "no call")
    assert mtor["driver_list"] == [] and mtor["driver_groups"] == []
    assert rows["pro_tumour"]["group"] == rows["tumour_lean"]["group"] == "Scores"
    assert rows["apoptosis"]["group"] == "Processes"


def test_report_drivers_take_the_first_by_rank_with_missing_evidence_as_none(
    model, universe_edges, score
):
    edges = universe_edges({"hsa-miR-21-5p": {"PTEN": 0.9, "AKT1": 0.3, "PIK3CA": 0.2}})
    result = score(edges, {"hsa-miR-21-5p": 1.0}, model, n_random=50)
    drivers = result.drivers.sample(frac=1.0, random_state=1)  # rank, not row order, counts
    shown = sg.report_drivers(drivers, result.table, limit=2)
    assert set(shown) == set(result.table["key"])
    assert [d["gene"] for d in shown["pi3k_akt"]] == ["PTEN", "AKT1"]
    assert shown["pi3k_akt"][0]["targetscan_context_score"] is None
    assert shown["angiogenesis"] == []
    empty = sg.report_drivers(result.drivers.iloc[:0], result.table)
    assert empty == {key: [] for key in result.table["key"]}


def test_agreement_counts_follow_the_agreement_order():
    literature = pd.DataFrame({"agreement": ["no edge", "agrees", "no edge", "disagrees"]})
    counts = sg.agreement_counts(literature)
    assert counts == {"agrees": 1, "disagrees": 1, "no edge": 2}
    assert list(counts) == ["agrees", "disagrees", "no edge"]
    assert sg.agreement_counts(literature.iloc[:0]) == {}
