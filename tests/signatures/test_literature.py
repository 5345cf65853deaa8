"""Tests of exomir.signatures._literature: review claims set beside what the set's data says."""

from __future__ import annotations

from pathlib import Path

import pytest

from exomir import signatures as sg
from exomir.errors import InputError
from exomir.tables import SIGNATURE_LITERATURE


@pytest.mark.parametrize(
    ("review", "mirna", "inputs", "expected"),
    [
        ("miR-21", "hsa-miR-21-5p", (), True),
        ("miR-21-5p", "hsa-miR-21-5p", (), True),
        ("miR-21-3p", "hsa-miR-21-5p", (), False),
        ("let-7a", "hsa-let-7a-5p", (), True),
        ("miR-let-7a", "hsa-let-7a-5p", (), True),
        ("miR-15", "hsa-miR-15a-5p", (), False),
        ("miR-301", "hsa-miR-301a-3p", ("miR-301",), True),
        ("MiR-302A", "hsa-miR-302a-3p", (), True),
        ("miR-451", "hsa-miR-451a", (), False),
    ],
)
def test_review_names_match_set_miRNAs_by_stem(review, mirna, inputs, expected):
    assert sg.mirna_matches(review, mirna, inputs) is expected


def test_literature_rows_sit_beside_what_the_data_says(
    model, fixture_dir, universe_edges, set_table, score
):
    # Twenty other miRNAs of the universe also repress AKT1, so random sets often reach the
    # set's anti-tumour score but rarely its pro-tumour one (PTEN): the set leans pro-tumour
    # whatever the draws (with AKT1 as rare as PTEN the sign of the lean would be a coin toss).
    query = {"hsa-miR-410-3p": {"PTEN": 0.9}, "hsa-miR-21-5p": {"AKT1": 0.5}}
    query |= {f"hsa-miR-{700 + i}-5p": {"AKT1": 0.5} for i in range(20)}
    edges = universe_edges(query)
    targets = set_table(edges, {"hsa-miR-410-3p": 1.0, "hsa-miR-21-5p": 1.0})
    result = score(edges, {"hsa-miR-410-3p": 1.0, "hsa-miR-21-5p": 1.0}, model)
    literature = sg.read_literature(fixture_dir / "msc_exosome_literature.tsv")
    table = sg.literature_comparison(
        literature, result, targets, set_name="query", msc_source="umbilical_cord", model=model
    )
    assert list(table.columns) == list(SIGNATURE_LITERATURE.columns)
    # another source, another arm, a family name, not MSC, and a cargo-only row are left out
    assert table[["mirna", "target_gene"]].to_numpy().tolist() == [
        ["miR-410", "PTEN"],
        ["miR-410", "BAX"],
    ]
    pten = table.iloc[0]
    assert pten["source_match"] == "same source"
    assert pten["set_mirnas"] == "hsa-miR-410-3p"
    assert (pten["edge"], pten["edge_confidence"]) == ("present", pytest.approx(0.9))
    assert (pten["call_key"], pten["expected"]) == ("tumour_lean", "pro_tumour")
    assert (pten["set_call"], pten["mirna_push"]) == ("pro_tumour", "supports")
    assert pten["agreement"] == "agrees"
    # PTEN (apoptosis activator) 0.9 down, AKT1 (apoptosis inhibitor, miR-21) 0.5 up
    assert pten["pathway_calls"] == "pi3k_akt:up;apoptosis:down"
    assert (
        "hsa-miR-410-3p \u2192 PTEN: edge present (mirtarbase, confidence 0.90)"
        in pten["data_says"]
    )
    assert "Tumour lean" in pten["data_says"]
    # PTEN inhibits PI3K-Akt and activates apoptosis: the claim implies PI3K-Akt up, apoptosis
    # down; the set calls both that way
    assert pten["pathway_expected"] == "pi3k_akt:up;apoptosis:down"
    assert pten["pathway_agreement"] == "agrees"
    assert "PTEN is an inhibitor of PTEN / PI3K-Akt, so the claim implies up" in pten["data_says"]
    bax = table.iloc[1]
    assert (bax["edge"], bax["agreement"]) == ("absent", "no edge")


def test_literature_agreement_vocabulary(model, fixture_dir, universe_edges, set_table, score):
    # miR-146b represses EGFR only: the review's anti-tumour claim agrees with the set.
    edges = universe_edges({"hsa-miR-146b-5p": {"EGFR": 0.9}})
    targets = set_table(edges, {"hsa-miR-146b-5p": 1.0})
    result = score(edges, {"hsa-miR-146b-5p": 1.0}, model)
    literature = sg.read_literature(fixture_dir / "msc_exosome_literature.tsv")
    table = sg.literature_comparison(
        literature, result, targets, set_name="query", msc_source="mixed"
    )
    row = table.set_index("mirna").loc["miR-146b"]
    assert row["source_match"] == "MSC, tissue not named"
    assert row["agreement"] == "agrees"
    assert row["mirna_contribution"] == pytest.approx(-0.9)
    assert set(table["agreement"]) <= set(sg.AGREEMENTS)
    # the same claim for a set whose miRNA represses PTEN more than EGFR: the miRNA disagrees
    edges = universe_edges({"hsa-miR-146b-5p": {"EGFR": 0.3, "PTEN": 0.9}})
    targets = set_table(edges, {"hsa-miR-146b-5p": 1.0})
    result = score(edges, {"hsa-miR-146b-5p": 1.0}, model)
    table = sg.literature_comparison(
        literature, result, targets, set_name="query", msc_source="mixed"
    )
    row = table.set_index("mirna").loc["miR-146b"]
    assert (row["mirna_push"], row["agreement"]) == ("opposes", "disagrees")
    # EGFR activates PI3K-Akt: the claim implies PI3K-Akt down, but the set pushes it up
    table = sg.literature_comparison(
        literature, result, targets, set_name="query", msc_source="mixed", model=model
    )
    row = table.set_index("mirna").loc["miR-146b"]
    assert row["pathway_expected"] == "pi3k_akt:down"
    assert result.table.set_index("key").at["pi3k_akt", "direction"] == "up"
    assert row["pathway_agreement"] == "disagrees"
    assert set(table["pathway_agreement"]) <= {"", *sg.PATHWAY_AGREEMENTS}


def test_a_set_without_matching_claims_gets_an_empty_table(
    model, fixture_dir, universe_edges, set_table, score
):
    # miR-9999 is in no review row: the table keeps its columns and has no row.
    edges = universe_edges({"hsa-miR-9999-5p": {"PTEN": 0.9}})
    targets = set_table(edges, {"hsa-miR-9999-5p": 1.0})
    result = score(edges, {"hsa-miR-9999-5p": 1.0}, model, n_random=50)
    table = sg.literature_comparison(
        sg.read_literature(fixture_dir / "msc_exosome_literature.tsv"),
        result,
        targets,
        set_name="query",
        msc_source="umbilical_cord",
    )
    assert table.empty
    assert list(table.columns) == list(SIGNATURE_LITERATURE.columns)


def test_an_unknown_effect_is_named(tmp_path: Path, fixture_dir):
    text = (fixture_dir / "msc_exosome_literature.tsv").read_text().replace("pro_tumour", "bad")
    path = tmp_path / "literature.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: unknown effect \(value: 'bad'\)") as error:
        sg.read_literature(path)
    assert str(path) in str(error.value)
