"""Enrichment engine: ORA against reference implementations, backgrounds, the output contract,
the empirical null, redundancy, calibration under a planted target bias, set comparison and the
workflow scripts that run them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import gseapy
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from exomir import _null
from exomir._hypergeom import hypergeom_upper
from exomir._io import read_tsv
from exomir.config import with_defaults
from exomir.enrichment import (
    DEFAULT_STRATA,
    EnrichmentEngine,
    EnrichmentSettings,
    NullSettings,
    bh_fdr,
    build_universe,
    calibrate,
    cluster_terms,
    compare_sets,
    median_set_size,
    protein_coding_genes,
    qq_points,
    read_edge_pairs,
    read_gene_sets,
    read_name_list,
    read_set_mirnas,
)
from exomir.errors import ConfigError, InputError
from exomir.focus import FocusPathway
from exomir.tables import CALIBRATION_PVALUES, CALIBRATION_SUMMARY, COMPARISON, ENRICHMENT


@pytest.fixture
def files(data_dir: Path) -> Path:
    return data_dir / "enrichment"


@pytest.fixture
def small(files: Path):
    """The hand-written edges and libraries (numbers in the comments of the tests)."""
    return read_edge_pairs(files / "edges.tsv"), read_gene_sets(files / "gene_sets.tsv")


def synthetic(seed: int = 0, n_mirnas: int = 60, n_genes: int = 400, n_terms: int = 60):
    """Edges with a planted length bias, and two libraries whose first terms favour the genes
    that many miRNAs target (the "long 3'UTR" genes)."""
    rng = np.random.default_rng(seed)
    genes = [f"G{i:04d}" for i in range(n_genes)]
    mirnas = [f"hsa-miR-{i}-5p" for i in range(n_mirnas)]
    long_utr = np.arange(n_genes) < n_genes // 8
    rate = np.where(long_utr, 0.35, 0.03)
    hit = rng.random((n_mirnas, n_genes)) < rate
    m, g = np.nonzero(hit)
    edges = pd.DataFrame({"mirna": np.array(mirnas)[m], "gene": np.array(genes)[g]})
    rows = []
    for t in range(n_terms):
        size = int(rng.integers(12, 45))
        weights = np.where(long_utr, 6.0, 1.0) if t < n_terms // 3 else np.ones(n_genes)
        chosen = rng.choice(n_genes, size=size, replace=False, p=weights / weights.sum())
        lib = "LibA" if t % 2 else "LibB"
        rows += [(lib, f"T{t:03d}", f"term {t}", genes[c]) for c in chosen]
    # Genes outside every term and never targeted, to exercise the backgrounds.
    rows += [("LibA", "T999", "untargeted", f"U{i}") for i in range(15)]
    return edges, pd.DataFrame(rows, columns=["library", "term_id", "term", "gene"]), mirnas


# ---------------------------------------------------------------------------------------------
# ORA against reference implementations


def test_hypergeom_upper_equals_scipy_to_1e12():
    rng = np.random.default_rng(3)
    n = 30_000
    total = rng.integers(2, 25_000, n)
    good = np.minimum(rng.integers(1, 600, n), total)
    draws = rng.integers(0, total + 1)
    lo = np.maximum(0, draws + good - total)
    hi = np.minimum(good, draws)
    x = lo + (rng.random(n) * (hi - lo + 2)).astype(np.int64)  # whole support, and beyond
    ours = hypergeom_upper(x, total, good, draws)
    ref = stats.hypergeom.sf(x - 1, total, good, draws)
    positive = ref > 0
    assert positive.sum() > n // 2
    assert np.all(np.abs(ours[positive] - ref[positive]) <= 1e-12 * ref[positive])
    assert np.all(ours[~positive] == 0)
    assert hypergeom_upper(0, 10, 3, 4) == 1.0  # X >= 0 is certain
    assert hypergeom_upper(4, 10, 3, 4) == 0.0  # more than the term holds


def test_ora_equals_scipy_hypergeom_and_fisher():
    edges, gene_sets, mirnas = synthetic(seed=1)
    engine = EnrichmentEngine(edges, gene_sets, min_size=5)
    result = engine.analyse("q", mirnas[:6], null=None)
    table = result.table
    background = set(edges["gene"])
    targets = set(edges.loc[edges["mirna"].isin(mirnas[:6]), "gene"])
    for _, row in table.iterrows():
        lib_genes = set(gene_sets.loc[gene_sets["library"] == row["library"], "gene"]) & background
        term = set(gene_sets.loc[gene_sets["term_id"] == row["term_id"], "gene"]) & lib_genes
        hits = targets & lib_genes
        x, size, n_t, bg = len(term & hits), len(term), len(hits), len(lib_genes)
        assert (row["overlap"], row["term_size"], row["n_targets"], row["background_size"]) == (
            x,
            size,
            n_t,
            bg,
        )
        ref = stats.hypergeom.sf(x - 1, bg, size, n_t)
        assert row["p_ora"] == pytest.approx(ref, rel=1e-12, abs=0)
        fisher = stats.fisher_exact(
            [[x, n_t - x], [size - x, bg - size - n_t + x]], alternative="greater"
        ).pvalue
        assert row["p_ora"] == pytest.approx(fisher, rel=1e-9)
        assert row["expected"] == pytest.approx(n_t * size / bg)
        assert row["overlap_genes"] == ";".join(sorted(term & hits))


def test_ora_equals_gseapy_enrich():
    edges, gene_sets, mirnas = synthetic(seed=2)
    engine = EnrichmentEngine(edges, gene_sets, min_size=5)
    table = engine.analyse("q", mirnas[10:18], null=None).table
    targets = set(edges.loc[edges["mirna"].isin(mirnas[10:18]), "gene"])
    background = set(edges["gene"])
    compared = 0
    for lib, rows in table.groupby("library"):
        lib_genes = set(gene_sets.loc[gene_sets["library"] == lib, "gene"]) & background
        sets = {
            t: sorted(set(g) & lib_genes)
            for t, g in gene_sets[gene_sets["term_id"].isin(rows["term_id"])].groupby("term_id")[
                "gene"
            ]
        }
        res = gseapy.enrich(
            gene_list=sorted(targets & lib_genes),
            gene_sets=sets,
            background=sorted(lib_genes),
            outdir=None,
            no_plot=True,
        ).res2d.set_index("Term")
        ours = rows.set_index("term_id")
        tested = ours[ours["overlap"] > 0]  # gseapy leaves out terms without overlap
        assert sorted(res.index) == sorted(tested.index)
        ratio = res.loc[tested.index, "P-value"].to_numpy() / tested["p_ora"].to_numpy()
        assert np.all(np.abs(ratio - 1) < 1e-12)
        compared += len(tested)
    assert compared > 30


def test_bh_equals_scipy_and_runs_within_each_library():
    rng = np.random.default_rng(0)
    p = rng.random(200) ** 3
    assert np.allclose(bh_fdr(p), stats.false_discovery_control(p, method="bh"), rtol=1e-14)
    two_d = rng.random((50, 4))
    for j in range(4):
        assert np.allclose(bh_fdr(two_d)[:, j], stats.false_discovery_control(two_d[:, j]))
    with_nan = np.array([0.01, np.nan, 0.04])
    assert np.isnan(bh_fdr(with_nan)[1])
    assert np.allclose(bh_fdr(with_nan)[[0, 2]], [0.02, 0.04])

    edges, gene_sets, mirnas = synthetic(seed=4)
    table = EnrichmentEngine(edges, gene_sets).analyse("q", mirnas[:4], null=None).table
    assert set(table["library"]) == {"LibA", "LibB"}
    for _, part in table.groupby("library"):
        assert np.allclose(part["fdr_ora"], stats.false_discovery_control(part["p_ora"]))


# ---------------------------------------------------------------------------------------------
# Backgrounds and size limits (numbers from tests/data/enrichment)


def sizes(table: pd.DataFrame) -> dict[str, tuple[int, int, int, int]]:
    return {
        r.term_id: (r.term_size, r.overlap, r.n_targets, r.background_size)
        for r in table.itertuples()
    }


def test_targetable_background_per_library(small):
    edges, gene_sets = small
    engine = EnrichmentEngine(edges, gene_sets, min_size=2)
    result = engine.analyse("bm", ["hsa-miR-21-5p", "hsa-miR-100-5p"], null=None)
    got = sizes(result.table)
    # KEGG: 18 targetable library genes, 7 of the 9 targets; Reactome: 11 and 6.
    assert got["PI3K-Akt signaling pathway"] == (11, 5, 7, 18)
    assert got["mTOR signaling pathway"] == (5, 4, 7, 18)
    assert got["NF-kappa B signaling pathway"] == (5, 1, 7, 18)
    assert got["R-HSA-195721"] == (5, 3, 6, 11)
    assert got["R-HSA-6807070"] == (3, 2, 6, 11)
    assert "Ribosome" not in got  # no targetable gene: size 0 in the background
    assert result.params["background"]["per_library"] == {
        "KEGG_2021_Human": 18,
        "Reactome_2022": 11,
    }
    assert result.background == sorted(result.background)
    assert "GAPDH" not in result.background and "PDCD4" in result.background


def test_library_background(small):
    edges, gene_sets = small
    engine = EnrichmentEngine(edges, gene_sets, background="library", min_size=2)
    got = sizes(engine.analyse("bm", ["hsa-miR-21-5p", "hsa-miR-100-5p"], null=None).table)
    assert got["PI3K-Akt signaling pathway"] == (11, 5, 7, 23)
    assert got["Ribosome"] == (5, 0, 7, 23)
    assert got["R-HSA-195721"] == (6, 3, 6, 13)


def test_user_background_also_filters_targets(small, files):
    edges, gene_sets = small
    genes = read_name_list(files / "background.txt", what="gene", key="k")
    engine = EnrichmentEngine(
        edges, gene_sets, background="user", background_genes=genes, min_size=2
    )
    result = engine.analyse("bm", ["hsa-miR-21-5p", "hsa-miR-100-5p"], null=None)
    got = sizes(result.table)
    # Targets inside the list: PTEN SMAD4 BCL2 MTOR FZD4 (KEGG), PTEN SMAD4 MTOR FZD4 (Reactome).
    assert got["PI3K-Akt signaling pathway"] == (5, 3, 5, 10)
    assert got["Wnt signaling pathway"] == (4, 2, 5, 10)
    assert got["R-HSA-195721"] == (4, 2, 4, 7)
    assert got["R-HSA-9006934"] == (2, 1, 4, 7)
    assert result.params["background"]["kind"] == "user"


def test_protein_coding_background_from_gene_table(small):
    edges, gene_sets = small
    table = pd.DataFrame(
        {
            "symbol": ["PTEN", "AKT1", "MTOR", "MIR21", "HIF1A", "RPS6KB1"],
            "locus_group": ["protein-coding gene"] * 3
            + ["non-coding RNA"]
            + ["protein-coding gene"] * 2,
        }
    )
    genes = protein_coding_genes(table)
    assert genes == ["AKT1", "HIF1A", "MTOR", "PTEN", "RPS6KB1"]
    engine = EnrichmentEngine(
        edges, gene_sets, background="protein_coding", background_genes=genes, min_size=2
    )
    got = sizes(engine.analyse("bm", ["hsa-miR-100-5p"], null=None).table)
    assert got["mTOR signaling pathway"] == (5, 3, 3, 5)
    with pytest.raises(InputError, match="no 'protein-coding gene' rows"):
        protein_coding_genes(table.assign(locus_group="pseudogene"), "genes.parquet")


def test_backgrounds_from_settings_read_their_files(small, files, tmp_path):
    edges, gene_sets = small
    user = EnrichmentSettings(
        background="user", background_genes=str(files / "background.txt"), min_size=2
    )
    engine = EnrichmentEngine.from_settings(edges, gene_sets, user)
    assert dict(zip(engine.libraries, engine.background_sizes.tolist(), strict=True)) == {
        "KEGG_2021_Human": 10,
        "Reactome_2022": 7,
    }
    genes = tmp_path / "genes.parquet"
    pd.DataFrame(
        {
            "symbol": ["PTEN", "AKT1", "MTOR", "MIR21"],
            "locus_group": ["protein-coding gene"] * 3 + ["non-coding RNA"],
        }
    ).to_parquet(genes)
    coding = EnrichmentSettings(background="protein_coding", min_size=2)
    engine = EnrichmentEngine.from_settings(edges, gene_sets, coding, gene_table=genes)
    assert engine.background == ["AKT1", "MTOR", "PTEN"]
    with pytest.raises(InputError, match="gene table lacks column\\(s\\) 'locus_group'") as err:
        pd.DataFrame({"symbol": ["PTEN"]}).to_parquet(genes)
        EnrichmentEngine.from_settings(edges, gene_sets, coding, gene_table=genes)
    assert "genes.parquet" in str(err.value)
    missing = EnrichmentSettings(background="user", background_genes=str(tmp_path / "no.txt"))
    with pytest.raises(ConfigError, match="background gene file not found") as err:
        EnrichmentEngine.from_settings(edges, gene_sets, missing)
    assert "enrichment.background_genes" in str(err.value)


def test_size_limits_are_counted_inside_the_background(small):
    edges, gene_sets = small
    engine = EnrichmentEngine(edges, gene_sets, min_size=4, max_size=6)
    tested = set(engine.terms["term_id"])
    # PTEN Regulation has 4 genes but only 3 targetable; PI3K-Akt has 11.
    assert "R-HSA-6807070" not in tested
    assert "PI3K-Akt signaling pathway" not in tested
    assert {"mTOR signaling pathway", "R-HSA-195721", "Wnt signaling pathway"} <= tested
    assert engine.n_terms_out_of_range == 3  # PI3K-Akt, PTEN Regulation, Ribosome (0)


# ---------------------------------------------------------------------------------------------
# Output contract and determinism


def test_table_layout_sorting_and_files(small, tmp_path):
    edges, gene_sets = small
    focus = {"pi3k": FocusPathway("pi3k", "PI3K", ("pi3k-akt signaling pathway", "R-HSA-6807070"))}
    engine = EnrichmentEngine(edges, gene_sets, min_size=2, focus=focus)
    null = NullSettings(n_random=50, seed=3, sequential_stop=0)
    result = engine.analyse("bm", ["hsa-miR-21-5p", "hsa-miR-100-5p"], null=null)
    table = result.table
    assert list(table.columns) == list(ENRICHMENT.columns)
    # p_emp, then the effect size (largest first), then p_ora, library and term ID
    keys = table.assign(neg_z=-table["z_emp"])
    order = keys.sort_values(
        ["p_emp", "neg_z", "p_ora", "library", "term_id"], kind="stable", na_position="last"
    ).index
    assert list(order) == list(range(len(table)))
    focus_rows = table.set_index("term_id")["focus"]
    assert focus_rows["PI3K-Akt signaling pathway"] == "pi3k"
    assert focus_rows["R-HSA-6807070"] == "pi3k"
    assert focus_rows["Wnt signaling pathway"] == ""
    assert (table["k_mirnas"] == 2).all()

    paths = [tmp_path / n for n in ("bm.tsv", "bm.background.txt", "bm.universe.txt", "bm.json")]
    result.write(*paths)
    back = read_tsv(paths[0])
    assert list(back.columns) == list(ENRICHMENT.columns)
    assert set(back["cluster_lead"].astype(str).str.lower()) <= {"true", "false"}
    raw = paths[0].read_text()
    assert "\tTrue" not in raw and "\tFalse" not in raw
    assert paths[1].read_text().splitlines() == result.background
    assert paths[2].read_text().splitlines() == sorted(edges["mirna"].unique())
    params = json.loads(paths[3].read_text())
    assert params["background"] == {
        "kind": "targetable",
        "size": 20,
        "per_library": {"KEGG_2021_Human": 18, "Reactome_2022": 11},
        "note": params["background"]["note"],
    }
    assert params["universe"]["kind"] == "all" and params["universe"]["size"] == 6
    assert params["empirical"]["n_random"] == 50 and params["empirical"]["seed"] == 3
    emp = params["empirical"]
    assert emp["sequential_stop"] == 0 and emp["stratified_bins"] == DEFAULT_STRATA == 30
    assert emp["null"] == "stratified:30"
    # Six miRNAs cannot hold 30 strata of 5 x 2: every bin merges into one (a uniform null).
    assert emp["strata"] == [{"min_targets": 4, "max_targets": 5, "mirnas": 6, "drawn": 2}]
    assert emp["strata_merged"] >= 1
    assert emp["log10_distinct_random_sets"] == pytest.approx(np.log10(15), abs=1e-3)
    assert params["k"] == 2 and params["mirnas"] == ["hsa-miR-100-5p", "hsa-miR-21-5p"]


def test_same_seed_gives_byte_identical_tables_with_any_thread_count(tmp_path, monkeypatch):
    monkeypatch.setattr(_null, "MIN_THREADED_WORK", 0)  # threads even on tiny data
    edges, gene_sets, mirnas = synthetic(seed=5)
    engine = EnrichmentEngine(edges, gene_sets, min_size=5)
    null = NullSettings(n_random=400, seed=8, sequential_stop=5)
    outputs = []
    for i, threads in enumerate((1, 1, 2)):
        path = tmp_path / f"t{i}.tsv"
        engine.analyse("q", mirnas[:5], null=null, threads=threads).write(path)
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    other = tmp_path / "other.tsv"
    engine.analyse("q", mirnas[:5], null=NullSettings(n_random=400, seed=9)).write(other)
    assert other.read_bytes() != outputs[0]


def test_stratified_null_draws_within_target_count_bins():
    edges, gene_sets, mirnas = synthetic(seed=6, n_mirnas=120)
    engine = EnrichmentEngine(edges, gene_sets, min_size=5)
    query = engine.query("q", mirnas[:6])
    strata = engine.strata(query, 3)
    assert strata.k == 6 and strata.merged == 0 and strata.n_strata == 3
    draws = engine.random_sets(query, np.random.default_rng(0), stratified=3).take(100)
    for stratum, count in strata.need.items():
        assert ((strata.labels[draws] == stratum).sum(axis=1) == count).all()
    # Strata are target-count ranges: every miRNA of a lower stratum has fewer targets.
    counts = engine.target_counts
    for s in range(strata.n_strata - 1):
        assert counts[strata.labels == s].max() <= counts[strata.labels == s + 1].min()
    result = engine.analyse("q", mirnas[:6], null=NullSettings(n_random=100, stratified=3))
    emp = result.params["empirical"]
    assert emp["stratified_bins"] == 3 and emp["null"] == "stratified:3"
    assert sum(s["drawn"] for s in emp["strata"]) == 6
    assert emp["target_count_sum"]["set"] == int(counts[query.index].sum())
    assert result.table["p_emp"].between(1 / 101, 1).all()
    with pytest.raises(ValueError, match="need the set's miRNAs"):
        engine.random_sets(6, np.random.default_rng(0), stratified=3)


def test_tiny_strata_are_merged_and_reported(small, caplog):
    """Bins too small for the set are merged (logged, in the .json); k never changes."""
    edges, gene_sets, _ = synthetic(seed=6, n_mirnas=120)
    engine = EnrichmentEngine(edges, gene_sets, min_size=5)
    # The six most target-rich miRNAs share the top bins, which hold a handful each.
    richest = [
        engine.universe.mirnas[i] for i in np.argsort(-engine.target_counts, kind="stable")[:6]
    ]
    with caplog.at_level(logging.WARNING, logger="exomir.enrichment"):
        result = engine.analyse("q", richest, null=NullSettings(n_random=100, stratified=30))
    emp = result.params["empirical"]
    assert result.params["k"] == 6 and (result.table["k_mirnas"] == 6).all()
    assert emp["strata_merged"] > 0 and sum(s["drawn"] for s in emp["strata"]) == 6
    assert all(s["mirnas"] >= 5 * s["drawn"] for s in emp["strata"])
    assert "set q: " in caplog.text and "merged with a neighbour" in caplog.text
    assert "keeps its 6 miRNAs" in caplog.text
    # A universe of six miRNAs cannot be stratified for two: one stratum, said so.
    caplog.clear()
    edges, gene_sets = small
    engine = EnrichmentEngine(edges, gene_sets, min_size=2)
    with caplog.at_level(logging.WARNING, logger="exomir.enrichment"):
        result = engine.analyse("bm", ["hsa-miR-21-5p", "hsa-miR-100-5p"], null=NullSettings())
    assert "universe (6 miRNAs) holds fewer than 5 times the set's 2 miRNAs" in caplog.text
    assert "draws uniformly from the universe" in caplog.text
    assert "only 15 distinct random sets" in caplog.text
    assert result.params["empirical"]["strata"][0]["mirnas"] == 6


def confounded(seed: int = 0):
    """A universe with a planted study bias, and no biological theme anywhere.

    A tenth of the miRNAs are "well studied": they have many targets, concentrated on a
    "well-studied" tenth of the genes; the rest have few targets spread evenly.  The first half
    of the terms are rich in well-studied genes.  Any set of well-studied miRNAs then hits those
    terms more than random miRNAs do, for no reason but the study bias.
    """
    rng = np.random.default_rng(seed)
    n_mirnas, n_genes = 400, 600
    studied_mirna = np.arange(n_mirnas) < n_mirnas // 10
    studied_gene = np.arange(n_genes) < n_genes // 10
    rate = np.where(
        studied_mirna[:, None],
        np.where(studied_gene[None, :], 0.5, 0.06),
        np.where(studied_gene[None, :], 0.02, 0.02),
    )
    # Target counts vary within both groups, so that strata split them further.
    rate = rate * rng.uniform(0.5, 1.5, size=(n_mirnas, 1))
    m, g = np.nonzero(rng.random((n_mirnas, n_genes)) < rate)
    mirnas = np.array([f"hsa-miR-{i}-5p" for i in range(n_mirnas)])
    genes = np.array([f"G{i:04d}" for i in range(n_genes)])
    edges = pd.DataFrame({"mirna": mirnas[m], "gene": genes[g]})
    rows = []
    for t in range(40):
        weights = np.where(studied_gene, 8.0, 1.0) if t < 20 else np.ones(n_genes)
        chosen = rng.choice(n_genes, size=30, replace=False, p=weights / weights.sum())
        rows += [("Lib", f"T{t:02d}", f"term {t}", genes[c]) for c in chosen]
    gene_sets = pd.DataFrame(rows, columns=["library", "term_id", "term", "gene"])
    return edges, gene_sets, mirnas[studied_mirna].tolist()


def test_stratified_null_removes_a_planted_target_count_confound():
    edges, gene_sets, studied = confounded()
    engine = EnrichmentEngine(edges, gene_sets, min_size=5)
    # The raw-overlap statistic: the one a target-count mismatch fools.
    query = sorted(studied)[:6]  # six well-studied miRNAs: target-rich, no theme
    uniform = engine.analyse(
        "q", query, null=NullSettings(n_random=2000, stratified=0, statistic="overlap")
    ).table
    strat = engine.analyse("q", query, null=NullSettings(n_random=2000, statistic="overlap")).table
    # The uniform null compares target-rich miRNAs with target-poor ones and falls for it.
    rich = uniform["term_id"].str[1:].astype(int) < 20
    assert (uniform.loc[rich, "fdr_emp"] < 0.05).sum() >= 15
    # Matched on target counts, the same set has nothing: the confound is gone.
    assert (strat["fdr_emp"] < 0.05).sum() == 0
    assert (strat["p_emp"] < 0.05).mean() <= 0.15
    # The null's sets now carry as many targets as the set (the uniform null's a few times
    # fewer), and its mean overlaps sit near the observed ones.
    u = engine.analyse("q", query, null=NullSettings(n_random=200, stratified=0)).params
    s = engine.analyse("q", query, null=NullSettings(n_random=200)).params
    ratio_u = (
        u["empirical"]["target_count_sum"]["set"] / u["empirical"]["target_count_sum"]["null_mean"]
    )
    ratio_s = (
        s["empirical"]["target_count_sum"]["set"] / s["empirical"]["target_count_sum"]["null_mean"]
    )
    assert ratio_u > 3 and 0.8 < ratio_s < 1.25
    assert strat["null_mean"].sum() > 2 * uniform["null_mean"].sum()


def test_stratified_null_still_finds_a_real_theme():
    """Stratification removes the study bias, not the signal: a set whose miRNAs target one
    pathway beyond what their target counts explain is still enriched there."""
    edges, gene_sets, studied = confounded(seed=1)
    query = sorted(studied)[:6]
    # Each miRNA of the set targets four more genes of a neutral term, its own four: together
    # they cover the term, as miRNAs of one programme would.
    theme = gene_sets.loc[gene_sets["term_id"] == "T30", "gene"].tolist()
    extra = pd.DataFrame(
        [(m, g) for i, m in enumerate(query) for g in theme[4 * i : 4 * i + 4]],
        columns=["mirna", "gene"],
    )
    engine = EnrichmentEngine(pd.concat([edges, extra]), gene_sets, min_size=5)
    table = engine.analyse("q", query, null=NullSettings(n_random=2000)).table
    significant = table.loc[table["fdr_emp"] < 0.05, "term_id"].tolist()
    assert significant == ["T30"]


# ---------------------------------------------------------------------------------------------
# Universe and query


def test_universe_file_drops_untargeted_and_reports(small, files, caplog):
    edges, gene_sets = small
    with caplog.at_level(logging.WARNING, logger="exomir.enrichment"):
        universe = build_universe(edges, kind="file", source=files / "universe.txt")
    assert universe.mirnas == (
        "hsa-miR-125b-5p",
        "hsa-miR-145-5p",
        "hsa-miR-16-5p",
        "hsa-miR-21-5p",
    )
    assert universe.dropped == ("hsa-miR-9999-5p",)
    assert "hsa-miR-9999-5p" in caplog.text
    engine = EnrichmentEngine(edges, gene_sets, universe=universe, min_size=2)
    with caplog.at_level(logging.WARNING, logger="exomir.enrichment"):
        result = engine.analyse(
            "bm",
            ["hsa-miR-21-5p", "hsa-miR-100-5p", "hsa-miR-1-3p"],
            null=NullSettings(n_random=20),
        )
    assert result.params["k"] == 1
    assert result.params["mirnas_outside_universe"] == ["hsa-miR-100-5p"]
    assert result.params["mirnas_without_targets"] == ["hsa-miR-1-3p"]
    assert result.params["universe"]["dropped_without_targets"] == ["hsa-miR-9999-5p"]
    assert result.universe == list(universe.mirnas)
    assert "hsa-miR-100-5p" in caplog.text


def test_empty_universe_list_is_a_config_error(small, files, tmp_path):
    edges, _ = small
    with pytest.raises(ConfigError, match="lists no names") as err:
        build_universe(edges, kind="file", source=files / "universe_empty.txt")
    assert "universe_empty.txt" in str(err.value) and "universe_file" in str(err.value)
    empty = tmp_path / "zero.txt"
    empty.write_bytes(b"")
    with pytest.raises(ConfigError, match="lists no names"):
        build_universe(edges, kind="file", source=empty)
    with pytest.raises(ConfigError, match="file not found") as err:
        build_universe(edges, kind="file", source=tmp_path / "missing.txt")
    assert "missing.txt" in str(err.value)
    unknown = tmp_path / "unknown.txt"
    unknown.write_text("hsa-miR-1-3p\nhsa-miR-2-3p\n")
    with pytest.raises(ConfigError, match="none of the 2 miRNAs") as err:
        build_universe(edges, kind="file", source=unknown)
    assert "unknown.txt" in str(err.value)
    blank = pd.DataFrame({"mirna": ["hsa-miR-21-5p"], "gene": [" "]})
    with pytest.raises(InputError, match="edge table has no miRNA with a target"):
        build_universe(blank)
    with pytest.raises(ConfigError, match=r"unknown enrichment\.empirical\.universe") as err:
        build_universe(edges, kind="detected")
    assert "'detected'" in str(err.value)


def test_universe_smaller_than_k_is_a_config_error(small):
    edges, gene_sets = small
    engine = EnrichmentEngine(edges, gene_sets, min_size=2)
    with pytest.raises(ConfigError, match="has 6 miRNAs, fewer than the 7") as err:
        engine.random_sets(7, np.random.default_rng(0))
    assert "universe" in str(err.value)
    with pytest.raises(ConfigError, match="query size 9 is larger than the miRNA universe"):
        calibrate(engine, query_size=9, n_queries=5, null=NullSettings(n_random=10))


def test_set_without_targeted_mirnas_is_an_input_error(small):
    edges, gene_sets = small
    engine = EnrichmentEngine(edges, gene_sets, min_size=2)
    with pytest.raises(InputError, match="set 'x': none of its 2 miRNAs has a target") as err:
        engine.analyse("x", ["hsa-miR-1-3p", "hsa-miR-2-3p"])
    assert "hsa-miR-1-3p" in str(err.value)


def test_set_targets_must_come_from_the_same_edges(small, files):
    edges, gene_sets = small
    engine = EnrichmentEngine(edges, gene_sets, min_size=2)
    good = read_tsv(files / "targets_bone_marrow.tsv")
    engine.check_targets(good, files / "targets_bone_marrow.tsv")
    assert read_set_mirnas(files / "targets_bone_marrow.tsv") == ["hsa-miR-100-5p", "hsa-miR-21-5p"]
    bad = files / "targets_mismatch.tsv"
    with pytest.raises(InputError, match="1 edge\\(s\\) of the set's target table") as err:
        engine.check_targets(read_tsv(bad), bad)
    assert "targets_mismatch.tsv" in str(err.value) and "hsa-miR-21-5p -> GAPDH" in str(err.value)


def test_unknown_background_kind_names_the_choices(small):
    edges, gene_sets = small
    with pytest.raises(ConfigError) as err:
        EnrichmentEngine(edges, gene_sets, background="expressed")
    assert "'expressed'" in str(err.value) and "targetable, library, user, protein_coding" in str(
        err.value
    )
    with pytest.raises(ConfigError, match="no gene list was given"):
        EnrichmentEngine(edges, gene_sets, background="user")
    with pytest.raises(ConfigError, match="no gene table or gene list"):
        EnrichmentEngine.from_settings(
            edges, gene_sets, EnrichmentSettings(background="protein_coding")
        )


# ---------------------------------------------------------------------------------------------
# Redundancy


def test_cluster_terms_groups_greedily_by_pvalue():
    table = pd.DataFrame(
        {
            "library": ["K", "R", "K", "R", "K"],
            "term_id": ["a", "b", "c", "d", "e"],
            "p_emp": [0.001, 0.002, 0.003, 0.004, 0.5],
            "fdr_emp": [0.01, 0.01, 0.01, 0.04, 0.6],
            "p_ora": [1e-5] * 5,
            "fdr_ora": [1e-4] * 5,
            "overlap_genes": ["A;B;C;D", "A;B;C", "E;F", "A;B;C;D;E;F;G;H", "A;B;C;D"],
        }
    )
    out = cluster_terms(table, fdr=0.05, jaccard=0.5, method="emp")
    # a leads {a, b (3/4)}; d (4/8 with a) joins a too; c starts its own; e is not significant.
    assert out["cluster"].tolist() == [1, 1, 2, 1, pd.NA]
    assert out["cluster_lead"].tolist() == [True, False, True, False, False]
    assert len(out) == len(table)
    strict = cluster_terms(table, fdr=0.05, jaccard=0.9, method="emp")
    assert strict["cluster"].tolist() == [1, 2, 3, 4, pd.NA]
    by_ora = cluster_terms(table, fdr=0.05, jaccard=0.5, method="ora")
    assert by_ora["cluster"].notna().all()
    with pytest.raises(ConfigError, match="unknown redundancy method"):
        cluster_terms(table, method="gsea")


# ---------------------------------------------------------------------------------------------
# Calibration


@pytest.mark.parametrize(
    ("null", "label"),
    [
        (NullSettings(n_random=999, seed=2, stratified=0, sequential_stop=0), "uniform"),
        (NullSettings(n_random=999, seed=2, stratified=0, sequential_stop=20), "uniform"),
        (NullSettings(n_random=999, seed=2, stratified=4, sequential_stop=20), "stratified:4"),
    ],
)
def test_calibration_planted_bias_breaks_ora_not_the_null(monkeypatch, null, label):
    monkeypatch.setattr(_null, "MIN_THREADED_WORK", 0)  # threads even on tiny data
    edges, gene_sets, _ = synthetic(seed=11, n_terms=45)
    engine = EnrichmentEngine(edges, gene_sets, min_size=8)
    result = calibrate(engine, query_size=5, n_queries=120, null=null, threads=2)
    summary = result.summary.set_index("method")
    assert list(result.summary.columns) == list(CALIBRATION_SUMMARY.columns)
    assert summary["null"].tolist() == ["hypergeometric", label]
    assert result.params["empirical"]["null"] == label
    ora = summary.loc["ora", "fraction_any_fdr05"]
    emp = summary.loc["empirical", "fraction_any_fdr05"]
    assert ora > 0.5  # random miRNA sets look "enriched" under ORA
    # BH over all terms: at most 5 % of queries with a call (120 queries: binomial SD 2 %).
    assert summary.loc["empirical", "fraction_any_fdr05_all"] <= 0.12
    assert summary.loc["empirical", "ci_low_all"] <= 0.05
    # BH within each of the two libraries: up to 5 % per library, 1 - 0.95^2 = 9.75 % for "any".
    assert emp <= 0.2
    assert summary.loc["empirical", "ci_low"] <= 1 - 0.95**2
    assert summary.loc["ora", "fraction_p05"] > 0.1 > summary.loc["empirical", "fraction_p05"]
    pv = result.pvalues
    assert set(pv["method"]) == {"ora", "empirical"}
    for _, group in pv.groupby("method"):
        assert group["expected"].is_monotonic_increasing
        assert group["observed"].is_monotonic_increasing
        assert group["observed"].between(0, 1).all()


def test_calibration_runs_each_query_through_its_own_null(monkeypatch):
    """Per-query nulls are what the run computes: query i against its own stratified null,
    drawn from the i-th spawned seed, with the run's sequential stopping."""
    edges, gene_sets, _ = synthetic(seed=9, n_mirnas=120, n_terms=30)
    engine = EnrichmentEngine(edges, gene_sets, min_size=8)
    null = NullSettings(n_random=300, seed=4, stratified=3, sequential_stop=10, statistic="overlap")
    seen = []
    original = _null.sequential_null

    def spy(membership, observed, sets, *args, **kwargs):
        if kwargs.get("keep") is None:  # the first N draws, not the extension's
            seen.append((sets.take(1)[0].copy(), kwargs["stop_after"]))
        return original(membership, observed, sets, *args, **kwargs)

    monkeypatch.setattr("exomir._engine.sequential_null", spy)
    calibrate(engine, query_size=4, n_queries=6, null=null, threads=1)
    query_seq, null_seq = np.random.SeedSequence(4).spawn(2)
    queries = _null.RandomSets(np.random.default_rng(query_seq), 120, 4).take(6)
    children = null_seq.spawn(6)
    assert len(seen) == 6
    for i, (first_set, stop) in enumerate(seen):
        strata = engine.strata(queries[i], 3)
        expected = strata.random_sets(np.random.default_rng(children[i])).take(1)[0]
        assert np.array_equal(first_set, expected) and stop == 10
        # Every random set keeps the query's count in each of its strata.
        for label, count in strata.need.items():
            assert (strata.labels[first_set] == label).sum() == count


def test_calibration_is_deterministic_and_handles_zero_queries(tmp_path, monkeypatch):
    monkeypatch.setattr(_null, "MIN_THREADED_WORK", 0)  # threads even on tiny data
    edges, gene_sets, _ = synthetic(seed=12, n_terms=20)
    engine = EnrichmentEngine(edges, gene_sets, min_size=8)
    for null in (
        NullSettings(n_random=200, seed=5),
        NullSettings(n_random=200, seed=5, stratified=0, sequential_stop=0),
    ):
        paths = []
        for i, threads in enumerate((1, 2, 1)):
            res = calibrate(engine, query_size=4, n_queries=20, null=null, threads=threads)
            p, s = tmp_path / f"p{i}.tsv", tmp_path / f"s{i}.tsv"
            res.write(p, s, tmp_path / f"c{i}.json")
            paths.append((p.read_bytes(), s.read_bytes(), (tmp_path / f"c{i}.json").read_bytes()))
        assert paths[0] == paths[1] == paths[2]
    other = calibrate(engine, query_size=4, n_queries=20, null=NullSettings(n_random=200, seed=6))
    assert not other.pvalues.equals(res.pvalues)
    empty = calibrate(engine, query_size=4, n_queries=0)
    assert empty.summary.empty
    assert list(empty.pvalues.columns) == list(CALIBRATION_PVALUES.columns)
    assert list(empty.summary.columns) == list(CALIBRATION_SUMMARY.columns)
    with pytest.raises(ConfigError, match="n_queries must be an integer >= 0"):
        calibrate(engine, query_size=4, n_queries=-1)
    with pytest.raises(ConfigError, match="n_random must be an integer >= 1"):
        calibrate(engine, query_size=4, n_queries=3, null=NullSettings(n_random=0))
    with pytest.raises(ConfigError, match="query_size must be an integer >= 1"):
        calibrate(engine, query_size=0)


def test_calibration_logs_progress_of_per_query_nulls(caplog):
    edges, gene_sets, _ = synthetic(seed=12, n_terms=20)
    engine = EnrichmentEngine(edges, gene_sets, min_size=8)
    with caplog.at_level(logging.INFO, logger="exomir.enrichment"):
        calibrate(engine, query_size=3, n_queries=30, null=NullSettings(n_random=100), threads=2)
    progress = [r.getMessage() for r in caplog.records if "random queries (" in r.getMessage()]
    assert 8 <= len(progress) <= 11
    assert progress[-1].startswith("calibration null: 30/30 random queries (100%)")


def test_qq_points_and_median_size():
    expected, observed = qq_points(np.linspace(0.001, 1, 1000), n_points=100)
    assert expected[0] == pytest.approx(0.0005) and observed[0] == pytest.approx(0.001)
    assert np.allclose(expected, observed, atol=0.002)
    assert median_set_size([3, 8, 10, 11]) == 9  # 9.0
    assert median_set_size([3, 4]) == 4  # 3.5 rounds up
    with pytest.raises(ConfigError, match="query_size is null"):
        median_set_size([])


# ---------------------------------------------------------------------------------------------
# Comparison of two sets


def test_compare_sets_matches_a_python_permutation_loop():
    edges, gene_sets, mirnas = synthetic(seed=13, n_terms=24)
    engine = EnrichmentEngine(edges, gene_sets, min_size=8)
    a = mirnas[0:6]
    b = mirnas[4:9]  # two shared
    table = compare_sets(engine, "A", a, "B", b, n_permutations=150, seed=3)
    assert list(table.columns) == list(COMPARISON.columns)
    assert (
        (table["k_a"] == 6).all() and (table["k_b"] == 5).all() and (table["k_shared"] == 2).all()
    )
    assert (table["n_splits"] == 35).all()  # C(7, 4)

    target_sets = edges.groupby("mirna")["gene"].apply(set).to_dict()
    background = set(edges["gene"])
    lib_genes = {lib: set(g) & background for lib, g in gene_sets.groupby("library")["gene"]}
    members = gene_sets.groupby("term_id")["gene"].apply(set).to_dict()

    def fraction(names, term_id, lib):
        targets = set().union(*(target_sets[n] for n in names)) & lib_genes[lib]
        return len(targets & members[term_id]) / len(targets)

    # The same splits: the engine's universe order, shared miRNAs fixed, unique ones reshuffled.
    universe = engine.universe.mirnas
    ia = sorted(universe.index(m) for m in a)
    ib = sorted(universe.index(m) for m in b)
    shared = sorted(set(ia) & set(ib))
    pool = sorted(set(ia) - set(ib)) + sorted(set(ib) - set(ia))
    from exomir._null import RandomSets

    chosen = RandomSets(np.random.default_rng(3), len(pool), 4).take(150)
    for row in table.head(8).itertuples():
        obs = fraction(a, row.term_id, row.library) - fraction(b, row.term_id, row.library)
        assert row.difference == pytest.approx(obs, abs=1e-15)
        null = []
        for pick in chosen:
            to_a = [pool[i] for i in sorted(pick)]
            to_b = [p for p in pool if p not in to_a]
            na = [universe[i] for i in shared + to_a]
            nb = [universe[i] for i in shared + to_b]
            null.append(
                fraction(na, row.term_id, row.library) - fraction(nb, row.term_id, row.library)
            )
        null = np.array(null)
        ge = (null >= obs - 1e-12).sum()
        le = (null <= obs + 1e-12).sum()
        assert row.p_perm == pytest.approx(min(1, 2 * min(1 + ge, 1 + le) / 151), rel=1e-12)
        assert row.null_mean == pytest.approx(null.mean(), abs=1e-12)
        assert row.null_sd == pytest.approx(null.std(ddof=1), rel=1e-9, abs=1e-12)
    assert table["p_perm"].is_monotonic_increasing
    assert np.allclose(table["fdr"], stats.false_discovery_control(table["p_perm"]))


def test_compare_identical_sets_and_bad_permutations():
    edges, gene_sets, mirnas = synthetic(seed=14, n_terms=12)
    engine = EnrichmentEngine(edges, gene_sets, min_size=8)
    same = compare_sets(engine, "A", mirnas[:4], "B", mirnas[:4], n_permutations=20)
    assert (same["difference"] == 0).all() and (same["p_perm"] == 1).all()
    assert (same["null_sd"] == 0).all() and (same["n_splits"] == 1).all()
    for bad in (0, -3, 1.5):
        with pytest.raises(ConfigError, match="n_permutations must be an integer >= 1"):
            compare_sets(engine, "A", mirnas[:4], "B", mirnas[4:8], n_permutations=bad)


# ---------------------------------------------------------------------------------------------
# Workflow scripts (run as Snakemake runs them: a `snakemake` object in their globals)


@pytest.fixture
def pipeline_inputs(small, tmp_path):
    edges, gene_sets = small
    edges_path = tmp_path / "all_edges.parquet"
    edges.to_parquet(edges_path)
    libs = []
    for lib, frame in gene_sets.groupby("library"):
        path = tmp_path / lib / "v1" / "gene_sets.parquet"
        path.parent.mkdir(parents=True)
        frame.to_parquet(path)
        libs.append(str(path))
    config = with_defaults(
        {
            "min_size": 2,
            "empirical": {"n_random": 99, "sequential_stop": 10},
            "calibration": {"n_queries": 10, "query_sizes": [2]},
            "compare": {"n_permutations": 50},
        },
        "enrichment",
    )
    return edges_path, libs, config


def test_workflow_scripts_write_their_outputs(pipeline_inputs, files, tmp_path, run_script):
    edges_path, libs, config = pipeline_inputs
    focus = files.parent / "focus" / "focus_pathways.yaml"
    out = tmp_path / "results"
    run_script(
        "enrichment.py",
        input={
            "targets": str(files / "targets_bone_marrow.tsv"),
            "edges": str(edges_path),
            "gene_sets": libs,
            "focus": str(focus),
        },
        output={
            "table": str(out / "enrichment" / "bm.tsv"),
            "background": str(out / "enrichment" / "bm.background.txt"),
            "universe": str(out / "enrichment" / "bm.universe.txt"),
            "params": str(out / "enrichment" / "bm.json"),
        },
        params={"enrichment": config, "set": "bm"},
        wildcards={"set": "bm"},
        log=tmp_path / "logs" / "enrichment.log",
        threads=2,
    )
    table = read_tsv(out / "enrichment" / "bm.tsv")
    assert list(table.columns) == list(ENRICHMENT.columns)
    assert table.set_index("term_id").loc["PI3K-Akt signaling pathway", "focus"] == "pi3k_akt"
    params = json.loads((out / "enrichment" / "bm.json").read_text())
    assert params["k"] == 2 and params["empirical"]["null"] == "stratified:30"
    log_text = (tmp_path / "logs" / "enrichment.log").read_text()
    assert "empirical null" in log_text and "stratified:30 null" in log_text

    # The score matrix once, then one calibration job per query size, then the join.
    run_script(
        "mirna_scores.py",
        input={"edges": str(edges_path), "gene_sets": libs},
        output={"scores": str(out / "enrichment" / "mirna_scores.npz")},
        params={"enrichment": config},
        log=tmp_path / "logs" / "mirna_scores.log",
        threads=2,
    )
    for size in (2, 3):
        run_script(
            "calibration.py",
            input={
                "edges": str(edges_path),
                "gene_sets": libs,
                "scores": [str(out / "enrichment" / "mirna_scores.npz")],
            },
            output={
                "pvalues": str(out / "calibration" / f"size_{size}" / "pvalues.tsv"),
                "summary": str(out / "calibration" / f"size_{size}" / "summary.tsv"),
            },
            params={"enrichment": config, "size": size},
            log=tmp_path / "logs" / f"calibration_{size}.log",
        )
    run_script(
        "calibration_merge.py",
        input={
            kind: [str(out / "calibration" / f"size_{s}" / f"{kind}.tsv") for s in (2, 3)]
            for kind in ("pvalues", "summary")
        },
        output={
            "pvalues": str(out / "calibration" / "pvalues.tsv"),
            "summary": str(out / "calibration" / "summary.tsv"),
        },
        log=tmp_path / "logs" / "calibration.log",
    )
    summary = read_tsv(out / "calibration" / "summary.tsv")
    assert summary["method"].tolist() == ["ora", "empirical"] * 2
    assert summary["null"].tolist() == ["hypergeometric", "stratified:30"] * 2
    assert summary["query_size"].tolist() == [2, 2, 3, 3]
    assert set(read_tsv(out / "calibration" / "pvalues.tsv")["query_size"]) == {2, 3}
    assert "miRNA scores" in (tmp_path / "logs" / "mirna_scores.log").read_text()

    run_script(
        "compare_sets.py",
        input={
            "a": str(files / "targets_bone_marrow.tsv"),
            "b": str(files / "targets_bone_marrow.tsv"),
            "edges": str(edges_path),
            "gene_sets": libs,
        },
        output={"table": str(out / "compare" / "bm__vs__bm.tsv")},
        params={"enrichment": config},
        wildcards={"a": "bm", "b": "bm"},
        log=tmp_path / "logs" / "compare.log",
    )
    compared = read_tsv(out / "compare" / "bm__vs__bm.tsv")
    assert list(compared.columns) == list(COMPARISON.columns)
    assert (compared["p_perm"] == 1).all()


def test_workflow_script_stops_on_bad_config(pipeline_inputs, files, tmp_path, run_script):
    edges_path, libs, config = pipeline_inputs
    config = {**config, "empirical": {**config["empirical"], "n_random": 0}}
    with pytest.raises(ConfigError, match="n_random must be an integer >= 1"):
        run_script(
            "enrichment.py",
            input={
                "targets": str(files / "targets_bone_marrow.tsv"),
                "edges": str(edges_path),
                "gene_sets": libs,
            },
            output={"table": str(tmp_path / "t.tsv")},
            params={"enrichment": config, "set": "bm"},
            wildcards={"set": "bm"},
            log=tmp_path / "e.log",
        )
    assert not (tmp_path / "t.tsv").exists()
