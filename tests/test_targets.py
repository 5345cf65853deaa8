"""Target edges: policy filters, combining sources, per-set tables, normalisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exomir.errors import ConfigError, ReferenceFormatError
from exomir.genes import SymbolMap, read_hgnc
from exomir.mirbase import read_mature_fasta
from exomir.tables import EDGES, SET_TARGETS
from exomir.target_sources import read_stem_pmids
from exomir.targets import (
    ConfidenceRule,
    combine_sources,
    filter_source,
    mirnas_without_targets,
    normalise_stem_evidence,
    set_targets,
    source_summary,
    stem_of,
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
    # strong, 12 papers (10 counted): 1 - 0.5^10; TargetScan conserved at context++ -0.45
    # (beyond the full -0.4): 0.5; miRDB 95: 0.5 * 45 / 50 = 0.45.
    assert pten["confidence"] == pytest.approx(1 - 0.5**10 * 0.5 * 0.55, abs=1e-6)
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
    # two tier-less sources at the library default 0.3 each
    assert edges.iloc[0]["confidence"] == pytest.approx(1 - 0.7**2)


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


# ------------------------------------------------------------------------ confidence rule --


def test_default_rule_documented_values():
    """The values docs/methods/edges.md tabulates."""
    rule = ConfidenceRule.from_config(None)
    tiers = pd.Series(["strong", "strong", "weak", "weak", "nonfunctional", "odd"])
    n = pd.Series([1, 3, 1, 75, 4, 1])
    assert rule.mirtarbase(tiers, n) == pytest.approx(
        [0.5, 0.875, 0.2, 1 - 0.8**10, 0.0, 0.3], abs=1e-12
    )
    ts = rule.targetscan(pd.Series([-0.8, -0.2, 0.1, None]), pd.Series([True, True, False, False]))
    assert ts == pytest.approx([0.5, 0.25, 0.0, 0.3])
    assert rule.mirdb(pd.Series([50.0, 80.0, 100.0])) == pytest.approx([0.0, 0.3, 0.5])
    assert rule.papers(np.array([0, 1, 10, 75]), rule.stem_paper) == pytest.approx(
        [0.0, 0.15, 1 - 0.85**10, 1 - 0.85**10]
    )
    lib = rule.of_source("lib", "library", pd.DataFrame({"mirna": ["a"], "gene": ["b"]}))
    assert lib.tolist() == [0.3]


def test_confidence_monotone_in_papers_and_tier():
    rule = ConfidenceRule.from_config(None)
    n = pd.Series(np.arange(1, 16))
    for tier in ("strong", "weak", "unknown"):
        values = rule.mirtarbase(pd.Series([tier] * len(n)), n)
        assert (np.diff(values[: rule.max_papers]) > 0).all()
        assert (np.diff(values[rule.max_papers - 1 :]) == 0).all()  # the cap
    strong = rule.mirtarbase(pd.Series(["strong"] * 15), n)
    weak = rule.mirtarbase(pd.Series(["weak"] * 15), n)
    assert (strong > weak).all()
    # many papers outweigh a single high-throughput record and a library edge
    assert rule.mirtarbase(pd.Series(["weak"]), pd.Series([5]))[0] > rule.library > 0.2


def test_rule_from_config_overrides_and_rejects():
    rule = ConfidenceRule.from_config({"paper": {"strong": 0.7}, "sources": {"ts7": 0.1}})
    assert rule.paper == {"strong": 0.7, "weak": 0.2, "unknown": 0.3}
    frame = pd.DataFrame({"mirna": ["a"], "gene": ["b"]})
    assert rule.of_source("ts7", "pairs", frame).tolist() == [0.1]
    assert rule.of_source("lib", "pairs", frame).tolist() == [0.3]
    with pytest.raises(ConfigError, match="paper"):
        ConfidenceRule.from_config({"paper": {"strong": 1.5}})


def test_policy_confidence_reaches_the_edges(sources):
    edges = combine_sources(
        {"mtb": sources["mirtarbase"]}, {**POLICY, "confidence": {"max_papers": 1}}
    )
    pten = edges.set_index("gene").loc["PTEN"]
    assert pten["confidence"] == pytest.approx(0.5)


# -------------------------------------------------------------------- stem-level evidence --


@pytest.fixture(scope="module")
def stem_edges(data_dir):
    raw = read_stem_pmids(data_dir / "targets" / "mirtarbase_stem.tsv")
    mature = read_mature_fasta(data_dir / "mirbase" / "mature.fa")
    symbols = SymbolMap.from_genes(read_hgnc(data_dir / "genes" / "hgnc_complete_set.txt"))
    return normalise_stem_evidence(raw, name="stem8", mature=mature, symbols=symbols, species="hsa")


def test_stem_of_mature_names():
    assert stem_of("hsa-miR-21-5p") == "mir-21"
    assert stem_of("hsa-miR-210-3p") == "mir-210"
    assert stem_of("hsa-miR-30c-1-3p") == "mir-30"
    assert stem_of("hsa-let-7a-2-3p") == "let-7"
    assert stem_of("hsa-miR-103a-2-5p") == "mir-103"


def test_read_stem_table_keeps_rows(data_dir):
    raw = read_stem_pmids(data_dir / "targets" / "mirtarbase_stem.tsv")
    assert list(raw.columns) == ["stem", "gene_raw", "pmid"]
    assert len(raw) == 13
    assert (raw["stem"] == "").sum() == 1


def test_read_stem_table_rejects_a_bad_pmid(tmp_path):
    path = tmp_path / "stem.tsv"
    path.write_text("miRNA_tarbase\tTarget\tPMID\nmiR-21\tPTEN\t123\nmiR-21\tPTEN\tn/a\n")
    with pytest.raises(ReferenceFormatError, match="PMID") as info:
        read_stem_pmids(path)
    assert "line 3" in str(info.value)


def test_stem_joins_both_arms_of_the_species_and_counts_pmids_once(stem_edges):
    edges, audit = stem_edges
    rows = {(m, g): n for m, g, n in edges[["mirna", "gene", "n_pmids"]].to_numpy()}
    # miR-21 -> both human arms; PTEN papers 111, 222, 333 (repeats and Pten folded); not rno/mmu
    assert rows[("hsa-miR-21-5p", "PTEN")] == 3
    assert rows[("hsa-miR-21-3p", "PTEN")] == 3
    assert rows[("hsa-miR-21-5p", "EGFR")] == 1
    assert not edges["mirna"].str.startswith(("mmu", "rno")).any()
    # miR-103 -> the three human miR-103a matures; miR-210 joins nothing of miR-21
    assert {m for m, g in rows if g == "AKT1"} == {
        "hsa-miR-103a-3p",
        "hsa-miR-103a-1-5p",
        "hsa-miR-103a-2-5p",
    }
    assert sum(1 for m, g in rows if g == "PTEN") == 2
    reasons = dict(zip(audit["value"], audit["reason"], strict=True))
    assert reasons[""] == "empty stem"
    assert reasons["miR-155"] == "no hsa mature miRNA with this stem"
    assert reasons["miR-210"] == "no hsa mature miRNA with this stem"
    assert reasons["miR398"].startswith("not a stem")
    assert reasons["NOTAGENE"].startswith("symbol")


def test_stem_evidence_annotates_edges_without_adding_any(sources, stem_edges):
    stem = stem_edges[0]
    lib = pd.DataFrame(
        {
            "mirna": ["hsa-miR-21-3p", "hsa-miR-16-5p", "hsa-miR-1-3p"],
            "gene": ["PTEN", "VEGFA", "PTEN"],
            "library": "lib",
        }
    )
    given = {**sources, "lib": ("library", lib), "stem8": ("stem_pmids", stem)}
    edges = combine_sources(given, POLICY).set_index(["mirna", "gene"])
    without = combine_sources({**sources, "lib": ("library", lib)}, POLICY)
    assert len(edges) == len(without)  # no edge of its own (EGFR, AKT1 stay out)
    assert edges["n_sources"].tolist() == without["n_sources"].tolist()
    # flagged on both arms; counted only where miRTarBase gives no PMID count
    assert edges.loc[("hsa-miR-21-5p", "PTEN"), "stem_pmids"] == 3
    arm3 = edges.loc[("hsa-miR-21-3p", "PTEN")]
    assert arm3["stem_pmids"] == 3
    assert arm3["confidence"] == pytest.approx(1 - 0.7 * 0.85**3, abs=1e-6)
    before = without.set_index(["mirna", "gene"])
    assert edges.loc[("hsa-miR-21-5p", "PTEN"), "confidence"] == pytest.approx(
        before.loc[("hsa-miR-21-5p", "PTEN"), "confidence"]
    )
    # miR-16-5p -> VEGFA has a miRTarBase count (3): the stem's paper is shown, not counted
    vegfa = edges.loc[("hsa-miR-16-5p", "VEGFA")]
    assert vegfa["stem_pmids"] == 1
    assert vegfa["confidence"] == pytest.approx(
        before.loc[("hsa-miR-16-5p", "VEGFA"), "confidence"]
    )
    assert pd.isna(edges.loc[("hsa-miR-1-3p", "PTEN"), "stem_pmids"])
    summary = source_summary(given, edges.reset_index(), POLICY).set_index("source")
    assert summary.loc["stem8", "edges_combined"] == 3


def test_target_source_script_normalises_a_stem_table(run_script, data_dir, tmp_path):
    mature = read_mature_fasta(data_dir / "mirbase" / "mature.fa")
    genes = read_hgnc(data_dir / "genes" / "hgnc_complete_set.txt")
    mature.to_parquet(tmp_path / "mature.parquet")
    genes.to_parquet(tmp_path / "genes.parquet")
    out = tmp_path / "out"
    run_script(
        "target_source.py",
        input={
            "table": str(data_dir / "targets" / "mirtarbase_stem.tsv"),
            "mature": str(tmp_path / "mature.parquet"),
            "aliases": str(tmp_path / "missing.parquet"),  # not read for stem tables
            "precursors": str(tmp_path / "missing.parquet"),
            "genes": str(tmp_path / "genes.parquet"),
        },
        output={"edges": str(out / "edges.parquet"), "audit": str(out / "audit.tsv")},
        params={"format": "stem_pmids", "species": "hsa", "roles": ["table"]},
        wildcards={"name": "stem8", "version": "8.0"},
        log=tmp_path / "log.txt",
    )
    edges = pd.read_parquet(out / "edges.parquet")
    assert list(edges.columns) == ["mirna", "gene", "stem", "n_pmids"]
    assert edges.set_index(["mirna", "gene"]).at[("hsa-miR-21-3p", "PTEN"), "n_pmids"] == 3


def test_min_sources_counts_edge_sources_only():
    from exomir.config import check_config, with_defaults

    config = {
        "mirna_sets": "sets.tsv",
        "references": {
            "mirbase": {"version": "22", "files": {"mature": {"url": "https://x/mature.fa"}}},
            "genes": {"version": "1", "files": {"hgnc": {"url": "https://x/hgnc.txt"}}},
            "targets": {
                "lib": {
                    "format": "library",
                    "version": "1",
                    "files": {"table": {"url": "https://x/l"}},
                },
                "stem": {
                    "format": "stem_pmids",
                    "version": "8",
                    "files": {"table": {"url": "https://x/s"}},
                },
            },
            "gene_sets": {
                "k": {"format": "gmt", "version": "1", "files": {"gmt": {"url": "https://x/k"}}}
            },
        },
        "targets": {"sources": ["lib", "stem"], "min_sources": 2},
    }
    with pytest.raises(ConfigError, match="only 1 edge source"):
        check_config(with_defaults(config), {})
    config["targets"]["min_sources"] = 1
    check_config(with_defaults(config), {})


def test_combined_edges_are_deterministic(sources, stem_edges):
    given = {**sources, "stem8": ("stem_pmids", stem_edges[0])}
    first = combine_sources(given, POLICY)
    second = combine_sources(dict(reversed(list(given.items()))), POLICY)
    pd.testing.assert_frame_equal(first, combine_sources(given, POLICY))
    # the order of the sources changes nothing but the joined source names' order (sorted)
    pd.testing.assert_frame_equal(first, second)


@pytest.mark.realdata
def test_real_stem_table_joins_mir21_pten_on_both_arms(reference_dir):
    raw = read_stem_pmids(
        reference_dir / "mirtarbase" / "miRetrieve_df_mirtarbase_v8.0_stem.tsv.gz"
    )
    assert (raw["stem"] == "").sum() == 7990
    mature = read_mature_fasta(reference_dir / "mirbase" / "mature.fa.gz")
    symbols = SymbolMap.from_genes(read_hgnc(reference_dir / "hgnc" / "hgnc_complete_set.txt.gz"))
    edges, audit = normalise_stem_evidence(
        raw, name="stem8", mature=mature, symbols=symbols, species="hsa"
    )
    pten = edges[(edges["gene"] == "PTEN") & edges["mirna"].str.match(r"hsa-miR-21-[35]p$")]
    assert pten["n_pmids"].tolist() == [75, 75]
    mir210 = edges["mirna"].str.startswith("hsa-miR-210-")
    assert mir210.any()
    assert (edges.loc[mir210, "stem"] == "mir-210").all()
    assert audit.loc[audit["reason"] == "empty stem", "rows"].sum() == 7990
