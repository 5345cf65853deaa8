"""Counts, lead terms, focus pathways and edge ranking computed from the checked tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exomir import report as rp
from exomir import tables


def _enrichment_frame(rows: list[dict]) -> pd.DataFrame:
    base = {c: "" for c in tables.ENRICHMENT.columns}
    base.update(term_size=100, overlap=10, n_targets=500, background_size=10000, expected=5.0,
                fold_enrichment=2.0, null_mean=4.0, null_sd=2.0, n_null=1000, k_mirnas=5,
                set="s", library="L", cluster_lead=False)  # fmt: skip
    frame = pd.DataFrame([{**base, **r} for r in rows])
    return rp.normalise_enrichment(frame, "s")


def test_top_terms_keeps_leads_and_counts_members():
    frame = _enrichment_frame(
        [
            {"term_id": "A", "term": "A", "p_ora": 1e-6, "fdr_ora": 1e-5, "p_emp": 1e-4,
             "fdr_emp": 1e-3, "cluster": "1", "cluster_lead": True},
            {"term_id": "B", "term": "B", "p_ora": 1e-5, "fdr_ora": 1e-4, "p_emp": 2e-4,
             "fdr_emp": 2e-3, "cluster": "1"},
            {"term_id": "C", "term": "C", "p_ora": 0.2, "fdr_ora": 0.3, "p_emp": 0.5,
             "fdr_emp": 0.6},
        ]
    )  # fmt: skip
    top = rp.top_terms(frame, fdr=0.05, limit=10)
    assert top["term_id"].tolist() == ["A", "C"]
    assert top["n_members"].tolist() == [1, 0]
    assert top.loc[0, "members"] == [("L", "B")]
    assert top["significant"].tolist() == [True, False]
    assert len(rp.top_terms(frame, fdr=0.05, limit=1)) == 1  # one significant lead


def test_top_terms_rank_tied_pvalues_by_effect_size_as_the_table_is_written():
    # three terms at the same p (the floor): the larger effect size first, whatever p_ora says
    frame = _enrichment_frame(
        [
            {"term_id": "A", "term": "A", "p_ora": 1e-9, "p_emp": 5e-6, "z_emp": 3.0},
            {"term_id": "B", "term": "B", "p_ora": 1e-3, "p_emp": 5e-6, "z_emp": 7.5},
            {"term_id": "C", "term": "C", "p_ora": 1e-5, "p_emp": 5e-6, "z_emp": 5.0},
            {"term_id": "D", "term": "D", "p_ora": 1e-12, "p_emp": 1e-4, "z_emp": 9.0},
        ]
    )
    frame["fdr_ora"] = frame["fdr_emp"] = 0.01
    top = rp.top_terms(frame, fdr=0.05, limit=10)
    assert top["term_id"].tolist() == ["B", "C", "A", "D"]
    # the engine writes its table in the same order (p_emp, then -z_emp, then p_ora)
    order = np.lexsort((frame["p_ora"], -frame["z_emp"], frame["p_emp"]))
    assert frame["term_id"].iloc[order].tolist() == top["term_id"].tolist()
    # without effect sizes, ties fall back to p_ora
    no_z = frame.assign(z_emp=np.nan)
    assert rp.top_terms(no_z, fdr=0.05, limit=10)["term_id"].tolist() == ["A", "C", "B", "D"]


def test_focus_rows_pick_the_best_term_and_report_untested_pathways():
    frame = _enrichment_frame(
        [
            {"term_id": "T1", "term": "PI3K/AKT/mTOR", "focus": "pi3k_akt;mtor", "p_ora": 0.001,
             "fdr_ora": 0.01, "p_emp": 0.002, "fdr_emp": 0.04},
            {"term_id": "T2", "term": "PI3K-Akt", "focus": "pi3k_akt", "p_ora": 0.1,
             "fdr_ora": 0.2, "p_emp": 0.3, "fdr_emp": 0.4},
            {"term_id": "T3", "term": "other", "focus": "extra", "p_ora": 0.5, "fdr_ora": 0.6,
             "p_emp": 0.5, "fdr_emp": 0.6},
        ]
    )  # fmt: skip
    focus = {"pi3k_akt": "PTEN / PI3K-Akt", "mtor": "mTOR", "wnt": "Wnt"}
    rows = {r["key"]: r for r in rp.focus_rows(frame, focus, fdr=0.05)}
    assert list(rows) == ["pi3k_akt", "mtor", "wnt", "extra"]
    assert rows["pi3k_akt"]["n_terms"] == 2 and rows["pi3k_akt"]["best"]["term_id"] == "T1"
    assert rows["pi3k_akt"]["significant"] and rows["pi3k_akt"]["value"] == pytest.approx(0.04)
    assert rows["mtor"]["n_terms"] == 1
    assert rows["wnt"]["n_terms"] == 0 and rows["wnt"]["best"] is None
    assert rows["extra"]["label"] == "extra" and not rows["extra"]["significant"]


def test_rank_edges_orders_by_evidence():
    frame = pd.DataFrame(
        {
            "set": "s",
            "mirna": ["m1", "m1", "m2", "m2", "m3", "m3"],
            "gene": ["G1", "G2", "G3", "G4", "G5", "G6"],
            "n_sources": [1, 2, 1, 3, 2, 2],
            "sources": ["targetscan", "mirdb;targetscan", "mirtarbase", "a;b;c", "x;y", "x;y"],
            "mirtarbase_tier": ["", "", "weak", "nonfunctional", "strong", ""],
            "mirtarbase_pmids": ["", "", "3", "9", "1", ""],
            "targetscan_context_score": ["-0.5", "-0.1", "", "-0.2", "", "-0.9"],
            "mirdb_score": ["", "90", "", "", "", ""],
        }
    )
    ranked = rp.rank_edges(rp.normalise_targets(frame, "s"))
    # sources first (G4: 3), then tier (G5 strong), PMIDs, TargetScan (G6 -0.9 before G2)
    assert ranked["gene"].tolist() == ["G4", "G5", "G6", "G2", "G3", "G1"]


def test_rank_edges_breaks_ties_by_convergence_and_caps_rows_per_mirna():
    # one miRNA with many equally supported edges must not fill the table in A-Z order
    genes = [f"A{i:02d}" for i in range(20)]
    frame = pd.DataFrame(
        {
            "set": "s",
            "mirna": ["let-7a"] * 20 + ["miR-21", "miR-21", "miR-155"],
            "gene": [*genes, "ZEB1", "PTEN", "ZEB1"],
            "n_sources": 1,
            "sources": "targetscan",
            "confidence": "0.5",
            "weight": [1.0] * 20 + [2.0, 2.0, 1.0],
        }
    )
    ranked = rp.rank_edges(rp.normalise_targets(frame, "s"))
    # ZEB1 is targeted by two of the set's miRNAs: its edges lead; then the heavier miRNA
    assert ranked["gene"].tolist()[:3] == ["ZEB1", "ZEB1", "PTEN"]
    assert ranked["convergence"].tolist()[:3] == [2, 2, 1]
    top = rp.top_edges(ranked, limit=12, per_mirna=5)
    assert (top["mirna"] == "let-7a").sum() == 5 and len(top) == 8
    assert set(top["mirna"]) == {"let-7a", "miR-21", "miR-155"}


def test_rank_edges_puts_policy_confidence_first():
    frame = pd.DataFrame(
        {
            "set": "s",
            "mirna": ["m1", "m2"],
            "gene": ["G1", "G2"],
            "n_sources": [3, 1],
            "sources": ["a;b;c", "a"],
            "mirtarbase_tier": ["strong", ""],
            "confidence": ["0.2", "0.9"],
        }
    )
    ranked = rp.rank_edges(rp.normalise_targets(frame, "s"))
    assert ranked["gene"].tolist() == ["G2", "G1"]


def test_summarise_set_counts(inputs):
    s = "adipose"
    summary = rp.summarise_set(
        s,
        rp.normalise_names(inputs["names"][s], s),
        rp.normalise_targets(inputs["targets"][s], s),
        rp.normalise_enrichment(inputs["enrichment"][s], s),
        fdr=0.05,
    )
    targets = inputs["targets"][s]
    assert summary.inputs == len(inputs["names"][s])
    assert (summary.names_ok, summary.names_ambiguous, summary.names_unknown) == (8, 1, 1)
    assert summary.mirnas == 9 and summary.mirnas_with_targets == 8
    assert summary.mirnas_without_targets == ("hsa-miR-155-3p",)
    assert summary.target_genes == targets["gene"].nunique()
    assert summary.edges == len(targets)
    assert summary.edges_by_source["mirdb"] == targets["sources"].str.contains("mirdb").sum()
    assert summary.terms_tested == len(inputs["enrichment"][s])
    assert summary.significant_emp == int((inputs["enrichment"][s]["fdr_emp"] < 0.05).sum())
    assert summary.method == "emp"


def test_focus_family_calls_are_counted_and_named_when_no_library_call(inputs):
    """A set with calls only in the focus family must not read as "nothing significant"."""
    s = "adipose"
    frame = rp.normalise_enrichment(inputs["enrichment"][s], s).copy()
    frame["fdr_emp"] = 0.5
    frame["fdr_focus"] = np.nan
    focus_rows = frame.index[:3]
    frame.loc[focus_rows, "fdr_focus"] = [0.01, 0.04, 0.2]
    summary = rp.summarise_set(
        s,
        rp.normalise_names(inputs["names"][s], s),
        rp.normalise_targets(inputs["targets"][s], s),
        frame,
        fdr=0.05,
    )
    assert summary.significant_emp == 0 and summary.significant_focus == 2
    legacy = frame.drop(columns="fdr_focus")
    assert (
        rp.summarise_set(
            s,
            rp.normalise_names(inputs["names"][s], s),
            rp.normalise_targets(inputs["targets"][s], s),
            legacy,
            fdr=0.05,
        ).significant_focus
        is None
    )
