"""Target edges: policy filters, combining sources, per-set tables, normalisation."""

from __future__ import annotations

import pandas as pd
import pytest

from exomir.tables import EDGES, SET_TARGETS
from exomir.targets import (
    combine_sources,
    filter_source,
    mirnas_without_targets,
    set_targets,
    source_summary,
)

POLICY = {
    "mirtarbase_tiers": ["strong", "weak"],
    "targetscan_max_context_score": None,
    "targetscan_conserved_only": False,
    "mirdb_min_score": 80,
    "min_sources": 1,
}


@pytest.fixture
def sources():
    mirtarbase = pd.DataFrame(
        {
            "mirna": ["hsa-miR-21-5p", "hsa-miR-21-5p", "hsa-miR-16-5p", "hsa-miR-16-5p"],
            "gene": ["PTEN", "PDCD4", "VEGFA", "GAPDH"],
            "tier": ["strong", "weak", "strong", "nonfunctional"],
            "n_pmids": [12, 1, 3, 1],
            "experiments": ["Luciferase reporter assay;Western blot", "Microarray", "qRT-PCR", "x"],
            "n_records": [14, 1, 3, 1],
        }
    )
    targetscan = pd.DataFrame(
        {
            "mirna": ["hsa-miR-21-5p", "hsa-miR-16-5p", "hsa-miR-16-5p"],
            "gene": ["PTEN", "VEGFA", "CCND1"],
            "context_score": [-0.45, -0.05, -0.30],
            "conserved": [True, False, True],
            "n_sites": [2, 1, 1],
        }
    )
    mirdb = pd.DataFrame(
        {
            "mirna": ["hsa-miR-21-5p", "hsa-miR-16-5p"],
            "gene": ["PTEN", "CCND1"],
            "score": [95.0, 70.0],
        }
    )
    return {
        "mirtarbase": ("mirtarbase", mirtarbase),
        "targetscan": ("targetscan", targetscan),
        "mirdb": ("mirdb", mirdb),
    }


def test_filters_follow_the_policy(sources):
    mtb = sources["mirtarbase"][1]
    assert filter_source(mtb, fmt="mirtarbase", policy=POLICY)["gene"].tolist() == [
        "PTEN",
        "PDCD4",
        "VEGFA",
    ]
    strong = {**POLICY, "mirtarbase_tiers": ["strong"]}
    assert filter_source(mtb, fmt="mirtarbase", policy=strong)["gene"].tolist() == ["PTEN", "VEGFA"]
    ts = sources["targetscan"][1]
    strict = {**POLICY, "targetscan_max_context_score": -0.2, "targetscan_conserved_only": True}
    assert filter_source(ts, fmt="targetscan", policy=strict)["gene"].tolist() == ["PTEN", "CCND1"]
    assert filter_source(sources["mirdb"][1], fmt="mirdb", policy=POLICY)["gene"].tolist() == [
        "PTEN"
    ]


def test_combine_joins_evidence_side_by_side(sources):
    edges = combine_sources(sources, POLICY)
    assert list(edges.columns) == list(EDGES.columns)
    pten = edges[(edges["mirna"] == "hsa-miR-21-5p") & (edges["gene"] == "PTEN")].iloc[0]
    assert pten["n_sources"] == 3
    assert pten["sources"] == "mirdb;mirtarbase;targetscan"
    assert pten["mirtarbase_tier"] == "strong"
    assert pten["mirtarbase_pmids"] == 12
    assert pten["targetscan_context_score"] == pytest.approx(-0.45)
    assert bool(pten["targetscan_conserved"]) is True
    assert pten["mirdb_score"] == 95
    # 1 - (1 - 0.9)(1 - 0.5)(1 - 0.45)
    assert pten["confidence"] == pytest.approx(1 - 0.1 * 0.5 * 0.55)
    # the non-functional GAPDH edge and the low-scoring miRDB edge are gone
    assert "GAPDH" not in set(edges["gene"])
    ccnd1 = edges[edges["gene"] == "CCND1"].iloc[0]
    assert ccnd1["sources"] == "targetscan"
    assert ccnd1["mirtarbase_tier"] == ""
    # sorted, one row per pair
    assert not edges.duplicated(["mirna", "gene"]).any()
    assert edges[["mirna", "gene"]].values.tolist() == sorted(
        edges[["mirna", "gene"]].values.tolist()
    )


def test_min_sources(sources):
    edges = combine_sources(sources, {**POLICY, "min_sources": 2})
    assert sorted(map(tuple, edges[["mirna", "gene"]].values.tolist())) == [
        ("hsa-miR-16-5p", "VEGFA"),
        ("hsa-miR-21-5p", "PTEN"),
    ]


def test_two_libraries_pool(sources):
    lib = pd.DataFrame({"mirna": ["hsa-miR-21-5p"], "gene": ["PTEN"], "library": ["lib_a"]})
    lib_b = pd.DataFrame({"mirna": ["hsa-miR-21-5p"], "gene": ["PTEN"], "library": ["lib_b"]})
    edges = combine_sources({"lib_a": ("library", lib), "lib_b": ("pairs", lib_b)}, POLICY)
    assert edges.iloc[0]["libraries"] == "lib_a;lib_b"
    assert edges.iloc[0]["n_sources"] == 2
    assert edges.iloc[0]["confidence"] == pytest.approx(0.75)


def test_summary_counts(sources):
    edges = combine_sources(sources, POLICY)
    summary = source_summary(sources, edges, POLICY).set_index("source")
    assert summary.loc["mirtarbase", "edges"] == 4
    assert summary.loc["mirtarbase", "edges_kept"] == 3
    assert summary.loc["mirdb", "edges_kept"] == 1
    assert summary.loc["combined", "edges"] == len(edges)


def test_set_targets_keeps_inputs_and_weights(sources):
    edges = combine_sources(sources, POLICY)
    names = pd.DataFrame(
        {
            "input": ["miR-21", "hsa-mir-21", "miR-16", "let-7"],
            "resolved": ["hsa-miR-21-5p", "hsa-miR-21-5p;hsa-miR-21-3p", "hsa-miR-16-5p", ""],
            "status": ["ok", "ok", "ok", "ambiguous"],
        }
    )
    sheet = pd.DataFrame(
        {
            "set": ["bm"] * 4,
            "mirna": ["miR-21", "hsa-mir-21", "miR-16", "let-7"],
            "weight": [10.0, 5.0, 2.0, 1.0],
        }
    )
    table = set_targets(edges, names, sheet, "bm")
    assert list(table.columns) == list(SET_TARGETS.columns)
    pten = table[table["gene"] == "PTEN"].iloc[0]
    assert pten["input_name"] == "miR-21;hsa-mir-21"
    assert pten["weight"] == 15.0
    assert set(table["mirna"]) == {"hsa-miR-21-5p", "hsa-miR-16-5p"}
    assert mirnas_without_targets(names, edges) == ["hsa-miR-21-3p"]


def test_empty_sources_give_empty_table():
    empty = pd.DataFrame({"mirna": [], "gene": [], "library": []})
    edges = combine_sources({"x": ("library", empty)}, POLICY)
    assert edges.empty
    assert list(edges.columns) == list(EDGES.columns)
