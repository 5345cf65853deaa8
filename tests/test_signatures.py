"""Tests of exomir.signatures: signed pathway effects, the four scores, the null, the drivers.

Hand-built cases with known answers run against small curated tables in tests/data/signatures/
(the layouts of resources/curated/) and against the real curated tables.  Edge tables are built
here: a universe of background miRNAs that target only genes outside the model, plus query
miRNAs whose targets are chosen so that each call has an answer that can be worked out by hand.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomir import signatures as sg
from exomir.enrichment import EnrichmentEngine, NullSettings, build_universe
from exomir.errors import InputError

REPO = Path(__file__).resolve().parent.parent
CURATED = REPO / "resources" / "curated"


@pytest.fixture(scope="module")
def fixture_dir(data_dir: Path) -> Path:
    return data_dir / "signatures"


@pytest.fixture(scope="module")
def model(fixture_dir: Path) -> sg.SignatureModel:
    return sg.read_model(
        fixture_dir / "pathway_regulators.tsv",
        fixture_dir / "gene_roles.tsv",
        fixture_dir / "focus_pathways.yaml",
    )


@pytest.fixture(scope="module")
def real_model() -> sg.SignatureModel:
    return sg.read_model(
        CURATED / "pathway_regulators.tsv",
        CURATED / "gene_roles.tsv",
        CURATED / "focus_pathways.yaml",
    )


def universe_edges(query: dict[str, dict[str, float]], n_background: int = 99) -> pd.DataFrame:
    """Edges of ``query`` miRNAs plus background miRNAs that hit no gene of any model.

    Each background miRNA targets three filler genes (``FILLER<n>``), so random sets that do not
    contain a query miRNA score exactly 0 on every call.
    """
    rows = [(mirna, gene, conf) for mirna, genes in query.items() for gene, conf in genes.items()]
    for i in range(n_background):
        for j in range(3):
            rows.append((f"hsa-miR-{9000 + i}-5p", f"FILLER{(i + j) % 50}", 0.5))
    return pd.DataFrame(rows, columns=["mirna", "gene", "confidence"])


def set_table(
    edges: pd.DataFrame, mirnas: dict[str, float], set_name: str = "query"
) -> pd.DataFrame:
    """A set's target table (results/targets/{set}.tsv layout) for ``mirnas`` -> weight."""
    rows = edges[edges["mirna"].isin(list(mirnas))].copy()
    rows.insert(0, "set", set_name)
    rows.insert(1, "input_name", rows["mirna"].str.removeprefix("hsa-"))
    rows["weight"] = rows["mirna"].map(mirnas)
    rows["n_sources"] = 1
    rows["sources"] = "mirtarbase"
    rows["mirtarbase_tier"] = "strong"
    rows["mirtarbase_pmids"] = 2
    return rows.reset_index(drop=True)


def score(
    edges: pd.DataFrame,
    mirnas: dict[str, float],
    model: sg.SignatureModel,
    *,
    n_random: int = 2000,
    seed: int = 3,
    stratified: int = 0,
    **kwargs,
) -> sg.SignatureResult:
    """Score ``mirnas`` (miRNA -> weight) of ``edges``; a uniform null unless asked otherwise,
    so that the hand-built answers do not depend on how target-count strata fall."""
    return sg.score_set(
        set_table(edges, mirnas),
        edges,
        model,
        set_name="query",
        null=NullSettings(n_random=n_random, seed=seed, stratified=stratified, **kwargs),
    )


def rows(result: sg.SignatureResult) -> pd.DataFrame:
    return result.table.set_index("key")


PTEN_ONLY = {"hsa-miR-410-3p": {"PTEN": 0.9}}
EGFR_MTOR = {"hsa-miR-146b-5p": {"EGFR": 0.9}, "hsa-miR-100-5p": {"MTOR": 0.9}}


# -- hand-built cases --------------------------------------------------------------------------


def test_a_set_that_represses_only_pten(model):
    edges = universe_edges(PTEN_ONLY)
    table = rows(score(edges, {"hsa-miR-410-3p": 1.0}, model))
    # PTEN is a PI3K-Akt inhibitor: repressing it pushes the pathway up.
    assert table.at["pi3k_akt", "score"] == pytest.approx(0.9)
    assert table.at["pi3k_akt", "direction"] == "up"
    assert table.at["pi3k_akt", "kind"] == "pathway"
    # ... a tumour suppressor and pro-apoptotic: pro-tumour, regenerative, less apoptosis.
    assert table.at["pro_tumour", "direction"] == "high"
    assert table.at["regenerative", "direction"] == "high"
    assert table.at["tumour_balance", "direction"] == "pro_tumour"
    assert table.at["apoptosis", "direction"] == "down"
    assert table.at["anti_tumour", "score"] == 0
    assert table.at["anti_tumour", "direction"] == "none"
    assert table.at["mtor", "direction"] == "none"
    # 1 of 100 universe miRNAs: a random set of one hits PTEN with probability 1/100.
    assert 0.003 < table.at["pi3k_akt", "p_up"] < 0.03
    assert table.at["pi3k_akt", "drivers"] == "hsa-miR-410-3p->PTEN"
    assert table.at["pi3k_akt", "n_genes"] == 1


def test_a_set_that_represses_only_egfr_and_mtor(model):
    edges = universe_edges(EGFR_MTOR)
    table = rows(score(edges, {"hsa-miR-146b-5p": 1.0, "hsa-miR-100-5p": 1.0}, model))
    assert table.at["anti_tumour", "score"] == pytest.approx(1.8)
    assert table.at["anti_tumour", "direction"] == "high"
    assert table.at["pro_tumour", "direction"] == "none"
    assert table.at["tumour_balance", "score"] == pytest.approx(-1.8)
    assert table.at["tumour_balance", "direction"] == "anti_tumour"
    assert table.at["pi3k_akt", "direction"] == "down"
    assert table.at["mtor", "direction"] == "down"
    assert table.at["regenerative", "score"] == 0


@pytest.mark.parametrize(
    ("query", "mirnas", "expected"),
    [
        (
            PTEN_ONLY,
            {"hsa-miR-410-3p": 1.0},
            {
                "pi3k_akt": "up",
                "pro_tumour": "high",
                "regenerative": "high",
                "tumour_balance": "pro_tumour",
                "apoptosis": "down",
                "emt": "up",
                "proliferation": "up",
                "anti_tumour": "none",
            },
        ),
        (
            EGFR_MTOR,
            {"hsa-miR-146b-5p": 1.0, "hsa-miR-100-5p": 1.0},
            {
                "anti_tumour": "high",
                "tumour_balance": "anti_tumour",
                "pi3k_akt": "down",
                "mtor": "down",
                "hif1": "down",
                "pro_tumour": "none",
            },
        ),
    ],
)
def test_the_hand_built_cases_with_the_real_curated_tables(real_model, query, mirnas, expected):
    edges = universe_edges(query)
    table = rows(score(edges, mirnas, real_model))
    assert {key: table.at[key, "direction"] for key in expected} == expected
    pathways = table[table["kind"] == "pathway"].index.tolist()
    assert pathways == ["pi3k_akt", "nfkb", "mtor", "hif1", "wnt"]


def test_weights_change_scores_as_documented(model):
    edges = universe_edges({"hsa-miR-410-3p": {"PTEN": 0.9}, "hsa-miR-146b-5p": {"EGFR": 0.6}})
    even = rows(score(edges, {"hsa-miR-410-3p": 1.0, "hsa-miR-146b-5p": 1.0}, model))
    assert even.at["pro_tumour", "score"] == pytest.approx(0.9)
    assert even.at["anti_tumour", "score"] == pytest.approx(0.6)
    # Weights 3:1 are normalised to mean 1, i.e. 1.5 and 0.5.
    heavy = score(edges, {"hsa-miR-410-3p": 300.0, "hsa-miR-146b-5p": 100.0}, model)
    table = rows(heavy)
    assert table.at["pro_tumour", "score"] == pytest.approx(1.5 * 0.9)
    assert table.at["anti_tumour", "score"] == pytest.approx(0.5 * 0.6)
    assert table.at["tumour_balance", "score"] == pytest.approx(1.5 * 0.9 - 0.5 * 0.6)
    assert heavy.params["weights"] == {"hsa-miR-146b-5p": 0.5, "hsa-miR-410-3p": 1.5}
    # Only ratios matter: the units of the abundances do not change anything.
    same = score(edges, {"hsa-miR-410-3p": 3.0, "hsa-miR-146b-5p": 1.0}, model)
    pd.testing.assert_frame_equal(same.table, heavy.table)
    # Reversing the weights reverses the balance.
    light = rows(score(edges, {"hsa-miR-410-3p": 1.0, "hsa-miR-146b-5p": 3.0}, model))
    assert light.at["tumour_balance", "score"] == pytest.approx(0.5 * 0.9 - 1.5 * 0.6)
    # A driver's contribution is weight x confidence x effect.
    drivers = heavy.drivers.set_index(["key", "gene"])
    assert drivers.at[("pi3k_akt", "EGFR"), "contribution"] == pytest.approx(-0.5 * 0.6)
    assert drivers.at[("pi3k_akt", "EGFR"), "weight"] == pytest.approx(0.5)


def test_a_miRNA_with_weight_zero_delivers_nothing(model):
    edges = universe_edges({"hsa-miR-410-3p": {"PTEN": 0.9}, "hsa-miR-146b-5p": {"EGFR": 0.6}})
    table = rows(score(edges, {"hsa-miR-410-3p": 0.0, "hsa-miR-146b-5p": 5.0}, model))
    assert table.at["pro_tumour", "score"] == 0
    assert table.at["anti_tumour", "score"] == pytest.approx(2 * 0.6)


def test_roles_of_both_signs_within_a_score_cancel(model):
    regenerative = model.find("regenerative")
    assert "HIF1A" not in regenerative.genes
    assert "THBS1" in regenerative.genes  # anti-angiogenic and pro-fibrotic: counted once
    assert regenerative.roles[regenerative.genes.index("THBS1")] == "anti_angiogenic;pro_fibrotic"
    edges = universe_edges({"hsa-miR-1-3p": {"HIF1A": 0.9, "THBS1": 0.5}})
    table = rows(score(edges, {"hsa-miR-1-3p": 1.0}, model))
    assert table.at["regenerative", "score"] == pytest.approx(0.5)


def test_model_calls_are_in_table_order(model):
    keys = [(c.kind, c.key) for c in model.calls]
    assert keys == [
        ("score", "pro_tumour"),
        ("score", "anti_tumour"),
        ("score", "regenerative"),
        ("score", "immunomodulatory"),
        ("balance", "tumour_balance"),
        ("pathway", "pi3k_akt"),
        ("pathway", "mtor"),
        ("process", "apoptosis"),
        ("process", "angiogenesis"),
    ]
    # wnt is a focus pathway without curated regulators: no call rather than an empty one.
    pi3k = model.find("pi3k_akt")
    assert dict(zip(pi3k.genes, pi3k.effects, strict=True)) == {
        "AKT1": -1,
        "EGFR": -1,
        "PIK3CA": -1,
        "PTEN": 1,
    }


@pytest.mark.parametrize(
    ("kind", "score_value", "p_up", "p_down", "expected"),
    [
        ("pathway", 2.0, 0.01, 0.99, ("up", 0.02)),
        ("pathway", -2.0, 0.99, 0.01, ("down", 0.02)),
        # more than random sets, but the set itself pushes the pathway down: no call
        ("pathway", -0.5, 0.01, 0.99, ("none", 0.02)),
        ("pathway", 2.0, 0.04, 0.97, ("none", 0.08)),
        ("score", 1.0, 0.04, 0.97, ("high", 0.04)),
        ("score", 0.0, 0.01, 1.0, ("none", 0.01)),
        ("balance", -1.0, 0.99, 0.02, ("anti_tumour", 0.04)),
        ("balance", 1.0, 0.001, 0.999, ("pro_tumour", 0.002)),
    ],
)
def test_direction_rules(kind, score_value, p_up, p_down, expected):
    direction, p_value = sg.call_direction(kind, score_value, p_up, p_down, 0.05)
    assert (direction, pytest.approx(p_value)) == (expected[0], pytest.approx(expected[1]))


# -- the null ----------------------------------------------------------------------------------


def random_universe(seed: int, n_mirnas: int, genes: list[str]) -> pd.DataFrame:
    """A small universe with random edges to model genes and random confidences."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_mirnas):
        hit = rng.choice(len(genes), size=rng.integers(1, 6), replace=False)
        for g in sorted(hit):
            rows.append((f"hsa-miR-{100 + i}-5p", genes[g], round(float(rng.uniform(0.2, 1)), 3)))
    return pd.DataFrame(rows, columns=["mirna", "gene", "confidence"])


@pytest.mark.parametrize("stratified", [0, 3])
def test_null_pvalues_equal_a_brute_force_loop(model, stratified):
    edges = random_universe(11, 14, [*model.genes, "FILLER1", "FILLER2"])
    query = {"hsa-miR-101-5p": 4.0, "hsa-miR-105-5p": 1.0, "hsa-miR-108-5p": 0.5}
    null = NullSettings(n_random=400, seed=5, stratified=stratified)
    result = sg.score_set(set_table(edges, query), edges, model, set_name="query", null=null)

    # The same draws, then every random set scored by a plain loop over its edges.
    universe = build_universe(edges)
    names = list(universe.mirnas)
    weights = sg.normalise_weights(query)
    index = np.array([names.index(m) for m in sorted(query)])
    counts = sg.target_counts(sg.clean_scoring_edges(edges), universe)
    sets, set_weights = sg.null_draws(
        len(names), index, np.array([weights[m] for m in sorted(query)]), null, counts
    )
    conf = {(m, g): c for m, g, c in edges.itertuples(index=False)}
    observed = result.table.set_index("key")["score"]
    for call in model.calls:
        effects = dict(zip(call.genes, call.effects, strict=True))
        null_scores = []
        for members, ws in zip(sets, set_weights, strict=True):
            total = 0.0
            for j, w in zip(members, ws, strict=True):
                for gene, effect in effects.items():
                    total += w * conf.get((names[j], gene), 0.0) * effect
            null_scores.append(total)
        null_scores = np.array(null_scores)
        s = observed[call.key]
        tol = 1e-9 * max(1.0, abs(s))
        p_up = (1 + np.sum(null_scores >= s - tol)) / (1 + len(null_scores))
        p_down = (1 + np.sum(null_scores <= s + tol)) / (1 + len(null_scores))
        row = result.table.set_index("key").loc[call.key]
        assert row["p_up"] == pytest.approx(p_up), call.key
        assert row["p_down"] == pytest.approx(p_down), call.key
        assert row["null_mean"] == pytest.approx(null_scores.mean(), abs=1e-12), call.key
    # weights are permuted within random sets: every row carries the query's weights
    assert np.allclose(np.sort(set_weights, axis=1), [4 / 5.5 * 3 * x for x in (0.125, 0.25, 1)])
    assert not np.all(set_weights == set_weights[0])


@pytest.mark.parametrize("stratified", [0, 3])
def test_random_sets_are_those_of_the_enrichment_null(model, stratified):
    edges = random_universe(4, 30, model.genes)
    gene_sets = pd.DataFrame(
        {
            "library": "lib",
            "term_id": ["t1"] * 6 + ["t2"] * 6,
            "term": ["one"] * 6 + ["two"] * 6,
            "gene": model.genes[:12],
        }
    )
    engine = EnrichmentEngine(edges[["mirna", "gene"]], gene_sets, min_size=1)
    query = engine.query("q", ["hsa-miR-103-5p", "hsa-miR-111-5p", "hsa-miR-120-5p"])
    expected = engine.random_sets(query, np.random.default_rng(9), stratified).take(250)
    universe = build_universe(edges)
    counts = sg.target_counts(sg.clean_scoring_edges(edges), universe)
    null = NullSettings(n_random=250, seed=9, stratified=stratified)
    sets, _ = sg.null_draws(len(universe.mirnas), query.index, np.ones(3), null, counts)
    assert universe.mirnas == engine.universe.mirnas
    np.testing.assert_array_equal(sets, expected)


def test_a_random_set_equal_to_the_query_ties(model):
    # With a universe of the query alone, every random set is the query: p = 1 both ways.
    edges = pd.DataFrame(
        {"mirna": ["hsa-miR-410-3p"] * 2, "gene": ["PTEN", "EGFR"], "confidence": [0.9, 0.3]}
    )
    table = rows(score(edges, {"hsa-miR-410-3p": 1.0}, model, n_random=50))
    assert table.at["pi3k_akt", "p_up"] == 1.0
    assert table.at["pi3k_akt", "p_down"] == 1.0
    assert table.at["pi3k_akt", "direction"] == "none"


def test_stratified_and_seeded_runs_are_deterministic(model, tmp_path):
    edges = random_universe(8, 40, model.genes)
    query = {"hsa-miR-101-5p": 2.0, "hsa-miR-110-5p": 1.0, "hsa-miR-131-5p": 1.0}
    written = []
    for run in range(2):
        result = score(edges, query, model, n_random=300, seed=21, stratified=2)
        out = tmp_path / str(run)
        result.write(out / "t.tsv", out / "d.tsv", out / "p.json", out / "l.tsv")
        written.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert written[0] == written[1]
    other = score(edges, query, model, n_random=300, seed=22, stratified=2)
    assert not np.array_equal(other.null, result.null)


def test_the_null_is_vectorised_and_fast(real_model):
    # 2,000 miRNAs x 1,000 genes, 10,000 random sets of 20: well under the time of a loop.
    rng = np.random.default_rng(0)
    genes = real_model.genes + [f"FILLER{i}" for i in range(700)]
    mirnas = [f"hsa-miR-{i}-5p" for i in range(2000)]
    pairs = rng.integers(0, [len(mirnas), len(genes)], size=(120_000, 2))
    edges = pd.DataFrame(
        {
            "mirna": np.array(mirnas)[pairs[:, 0]],
            "gene": np.array(genes)[pairs[:, 1]],
            "confidence": rng.choice([0.5, 0.75], size=len(pairs)),
        }
    ).drop_duplicates(["mirna", "gene"])
    query = dict.fromkeys(mirnas[:20], 1.0)
    start = time.perf_counter()
    result = score(edges, query, real_model, n_random=10_000)
    assert time.perf_counter() - start < 20
    assert result.null.shape == (10_000, len(real_model.calls))


# -- drivers, table layout ---------------------------------------------------------------------


def test_drivers_are_ranked_by_contribution_with_their_evidence(model):
    edges = universe_edges(
        {
            "hsa-miR-21-5p": {"PTEN": 0.9, "AKT1": 0.3, "TSC1": 0.6},
            "hsa-miR-19a-3p": {"PTEN": 0.5, "PIK3CA": 0.2},
        }
    )
    result = score(edges, {"hsa-miR-21-5p": 1.0, "hsa-miR-19a-3p": 1.0}, model)
    pi3k = result.drivers[result.drivers["key"] == "pi3k_akt"]
    assert pi3k[["mirna", "gene", "effect", "rank"]].to_numpy().tolist() == [
        ["hsa-miR-21-5p", "PTEN", "up", 1],
        ["hsa-miR-19a-3p", "PTEN", "up", 2],
        ["hsa-miR-21-5p", "AKT1", "down", 3],
        ["hsa-miR-19a-3p", "PIK3CA", "down", 4],
    ]
    assert pi3k["contribution"].tolist() == pytest.approx([0.9, 0.5, -0.3, -0.2])
    assert set(pi3k["gene_role"]) == {"inhibitor", "activator"}
    assert pi3k["mirtarbase_tier"].tolist() == ["strong"] * 4
    assert pi3k["role_reference"].iloc[0] == "GO:0051898"
    table = rows(result)
    # the score is up, so the drivers column lists the edges that push it up
    assert table.at["pi3k_akt", "score"] == pytest.approx(0.9)
    assert table.at["pi3k_akt", "drivers"] == "hsa-miR-21-5p->PTEN;hsa-miR-19a-3p->PTEN"
    assert (table.at["pi3k_akt", "n_genes"], table.at["pi3k_akt", "n_edges"]) == (3, 4)
    assert table.at["pi3k_akt", "n_mirnas"] == 2
    assert list(result.table.columns) == list(sg.TABLE_COLUMNS)
    assert list(result.drivers.columns) == list(sg.DRIVER_COLUMNS)
    assert result.table["kind"].tolist()[:5] == ["score"] * 4 + ["balance"]
    assert np.all((result.table["fdr"] >= result.table["p_value"]) | result.table["fdr"].isna())


def test_miRNAs_outside_a_file_universe_are_left_out(model):
    edges = universe_edges(EGFR_MTOR)
    universe = build_universe(edges, kind="file", mirnas=["hsa-miR-146b-5p", "hsa-miR-9001-5p"])
    result = sg.score_set(
        set_table(edges, {"hsa-miR-146b-5p": 1.0, "hsa-miR-100-5p": 1.0}),
        edges,
        model,
        set_name="query",
        null=NullSettings(n_random=100, seed=1, stratified=0),
        universe=universe,
    )
    assert result.params["mirnas"] == ["hsa-miR-146b-5p"]
    assert result.params["mirnas_outside_universe"] == ["hsa-miR-100-5p"]
    assert set(result.drivers["mirna"]) == {"hsa-miR-146b-5p"}
    assert rows(result).at["mtor", "score"] == 0


def test_summary_sets_the_sets_side_by_side(model):
    a = score(universe_edges(PTEN_ONLY), {"hsa-miR-410-3p": 1.0}, model)
    b = score(universe_edges(EGFR_MTOR), {"hsa-miR-146b-5p": 1.0, "hsa-miR-100-5p": 1.0}, model)
    summary = sg.summarise(
        {"uc": a.table.assign(set="uc"), "bm": b.table.assign(set="bm")},
        {"uc": "umbilical_cord", "bm": "bone_marrow"},
        {"uc": a.params, "bm": b.params},
    )
    assert summary["set"].tolist() == ["uc", "bm"]
    assert list(summary.columns[:6]) == [
        "set",
        "msc_source",
        "k_mirnas",
        "pro_tumour",
        "pro_tumour_p",
        "pro_tumour_call",
    ]
    assert summary["tumour_balance_call"].tolist() == ["pro_tumour", "anti_tumour"]
    assert summary["pi3k_akt_call"].tolist() == ["up", "down"]
    assert summary["k_mirnas"].tolist() == [1, 2]
    assert "apoptosis_call" not in summary.columns  # processes stay in the per-set tables


# -- literature beside data --------------------------------------------------------------------


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


def test_literature_rows_sit_beside_what_the_data_says(model, fixture_dir):
    edges = universe_edges({"hsa-miR-410-3p": {"PTEN": 0.9}, "hsa-miR-21-5p": {"AKT1": 0.5}})
    targets = set_table(edges, {"hsa-miR-410-3p": 1.0, "hsa-miR-21-5p": 1.0})
    result = sg.score_set(
        targets,
        edges,
        model,
        set_name="query",
        null=NullSettings(n_random=2000, seed=3, stratified=0),
    )
    literature = sg.read_literature(fixture_dir / "msc_exosome_literature.tsv")
    table = sg.literature_comparison(
        literature, result, targets, set_name="query", msc_source="umbilical_cord", model=model
    )
    assert list(table.columns) == list(sg.LITERATURE_COLUMNS)
    # another source, another arm, a family name, not MSC, and a cargo-only row are left out
    assert table[["mirna", "target_gene"]].to_numpy().tolist() == [
        ["miR-410", "PTEN"],
        ["miR-410", "BAX"],
    ]
    pten = table.iloc[0]
    assert pten["source_match"] == "same source"
    assert pten["set_mirnas"] == "hsa-miR-410-3p"
    assert (pten["edge"], pten["edge_confidence"]) == ("present", pytest.approx(0.9))
    assert (pten["call_key"], pten["expected"]) == ("tumour_balance", "pro_tumour")
    assert (pten["set_call"], pten["mirna_push"]) == ("pro_tumour", "supports")
    assert pten["agreement"] == "agrees"
    # PTEN (apoptosis activator) 0.9 down, AKT1 (apoptosis inhibitor, miR-21) 0.5 up
    assert pten["pathway_calls"] == "pi3k_akt:up;apoptosis:down"
    assert (
        "hsa-miR-410-3p \u2192 PTEN: edge present (mirtarbase, confidence 0.90)"
        in pten["data_says"]
    )
    assert "Tumour balance" in pten["data_says"]
    # PTEN inhibits PI3K-Akt and activates apoptosis: the claim implies PI3K-Akt up, apoptosis
    # down; the set calls both that way
    assert pten["pathway_expected"] == "pi3k_akt:up;apoptosis:down"
    assert pten["pathway_agreement"] == "agrees"
    assert "PTEN is an inhibitor of PTEN / PI3K-Akt, so the claim implies up" in pten["data_says"]
    bax = table.iloc[1]
    assert (bax["edge"], bax["agreement"]) == ("absent", "no edge")


def test_literature_agreement_vocabulary(model, fixture_dir):
    # miR-146b represses EGFR only: the review's anti-tumour claim agrees with the set.
    edges = universe_edges({"hsa-miR-146b-5p": {"EGFR": 0.9, "PTEN": 0.2}})
    targets = set_table(edges, {"hsa-miR-146b-5p": 1.0})
    result = sg.score_set(
        targets,
        edges,
        model,
        set_name="query",
        null=NullSettings(n_random=2000, seed=3, stratified=0),
    )
    literature = sg.read_literature(fixture_dir / "msc_exosome_literature.tsv")
    table = sg.literature_comparison(
        literature, result, targets, set_name="query", msc_source="mixed"
    )
    row = table.set_index("mirna").loc["miR-146b"]
    assert row["source_match"] == "MSC, tissue not named"
    assert row["agreement"] == "agrees"
    assert row["mirna_contribution"] == pytest.approx(0.2 - 0.9)
    assert set(table["agreement"]) <= set(sg.AGREEMENTS)
    # the same claim for a set whose miRNA represses PTEN more than EGFR: the miRNA disagrees
    edges = universe_edges({"hsa-miR-146b-5p": {"EGFR": 0.3, "PTEN": 0.9}})
    targets = set_table(edges, {"hsa-miR-146b-5p": 1.0})
    result = sg.score_set(
        targets,
        edges,
        model,
        set_name="query",
        null=NullSettings(n_random=2000, seed=3, stratified=0),
    )
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
    assert rows(result).at["pi3k_akt", "direction"] == "up"
    assert row["pathway_agreement"] == "disagrees"
    assert set(table["pathway_agreement"]) <= {"", *sg.PATHWAY_AGREEMENTS}


# -- errors name the file, the line and the value ----------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


REG_HEADER = "process\tprocess_label\tgene\trole\tevidence\treference\tnote\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("pi3k_akt\tPI3K\tPTEN\trepressor\tgo\tGO:1\tx\n", "line 2: unknown regulator role"),
        ("PI3K\tPI3K\tPTEN\tinhibitor\tgo\tGO:1\tx\n", "line 2: process key must be lower case"),
        ("pi3k_akt\tPI3K\t\tinhibitor\tgo\tGO:1\tx\n", "line 2: empty gene"),
        (
            "pi3k_akt\tPI3K\tPTEN\tinhibitor\tgo\tGO:1\tx\npi3k_akt\tPI3K-Akt\tAKT1\tactivator\tgo\tGO:1\tx\n",
            "line 3: process 'pi3k_akt' has two labels",
        ),
        (
            "pi3k_akt\tPI3K\tPTEN\tinhibitor\tgo\tGO:1\tx\npi3k_akt\tPI3K\tPTEN\tactivator\tgo\tGO:1\tx\n",
            "line 3: PTEN is both inhibitor (line 2) and activator of pi3k_akt",
        ),
    ],
)
def test_bad_regulator_rows_are_named(tmp_path, body, message):
    path = write(tmp_path / "pathway_regulators.tsv", REG_HEADER + body)
    with pytest.raises(InputError) as error:
        sg.read_regulators(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("PTEN\tprotective\tGO:1\t\n", "line 2: unknown gene role (value: 'protective')"),
        ("BAX\tpro_apoptotic\tGO:1\t\nBAX\tanti_apoptotic\tGO:2\t\n", "line 3: BAX is both"),
    ],
)
def test_bad_gene_roles_are_named(tmp_path, body, message):
    path = write(tmp_path / "gene_roles.tsv", "gene\trole\treference\tnote\n" + body)
    with pytest.raises(InputError) as error:
        sg.read_gene_roles(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_missing_column_and_unknown_effect_are_named(tmp_path, fixture_dir):
    path = write(tmp_path / "gene_roles.tsv", "gene\tkind\treference\nPTEN\tts\tCGC\n")
    with pytest.raises(InputError, match=r"lacks column.*'role'") as error:
        sg.read_gene_roles(path)
    assert str(path) in str(error.value)
    text = (fixture_dir / "msc_exosome_literature.tsv").read_text().replace("pro_tumour", "bad")
    path = write(tmp_path / "literature.tsv", text)
    with pytest.raises(InputError, match=r"line 2: unknown effect \(value: 'bad'\)"):
        sg.read_literature(path)


def test_set_edges_must_be_those_of_the_edge_table(model, tmp_path):
    edges = universe_edges(PTEN_ONLY)
    targets = set_table(edges, {"hsa-miR-410-3p": 1.0})
    extra = pd.concat([targets, targets.assign(gene="EGFR")], ignore_index=True)
    path = tmp_path / "query.tsv"
    extra.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError) as error:
        sg.score_set(
            sg.read_set_targets(path, "query"), edges, model, set_name="query", targets_path=path
        )
    text = str(error.value)
    assert str(path) in text and "line 3" in text and "hsa-miR-410-3p -> EGFR" in text
    assert "not in the edge table" in text
    changed = targets.assign(confidence=0.3)
    with pytest.raises(InputError, match="another confidence"):
        sg.score_set(changed, edges, model, set_name="query")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"confidence": "high"}, "line 2.*'confidence'.*value: 'high'"),
        ({"confidence": "1.5"}, "'confidence'.*between 0 and 1"),
        ({"set": "other"}, "line 2: the target table of set 'query' holds a row of another set"),
    ],
)
def test_bad_target_cells_are_named(tmp_path, change, message):
    edges = universe_edges(EGFR_MTOR)
    targets = set_table(edges, {"hsa-miR-146b-5p": 1.0, "hsa-miR-100-5p": 2.0}).astype(str)
    for column, value in change.items():
        targets.loc[0, column] = value
    path = tmp_path / "query.tsv"
    targets.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match=message) as error:
        sg.read_set_targets(path, "query")
    assert str(path) in str(error.value)


def test_two_weights_for_one_miRNA_and_all_zero_weights_are_refused(model, tmp_path):
    edges = universe_edges({"hsa-miR-410-3p": {"PTEN": 0.9, "EGFR": 0.2}})
    targets = set_table(edges, {"hsa-miR-410-3p": 1.0})
    targets.loc[1, "weight"] = 2.0
    path = tmp_path / "query.tsv"
    targets.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match="hsa-miR-410-3p has more than one weight") as error:
        sg.read_set_targets(path)
    assert "line 2" in str(error.value)
    with pytest.raises(InputError, match="every miRNA of the set has weight 0"):
        score(edges, {"hsa-miR-410-3p": 0.0}, model)


def test_a_set_without_universe_miRNAs_is_refused(model):
    edges = universe_edges(EGFR_MTOR)
    universe = build_universe(edges, kind="file", mirnas=["hsa-miR-9001-5p"])
    with pytest.raises(InputError, match="none of its miRNAs has a target in the miRNA universe"):
        sg.score_set(
            set_table(edges, {"hsa-miR-146b-5p": 1.0}),
            edges,
            model,
            set_name="query",
            universe=universe,
        )


def test_signature_tables_are_checked_on_reading(model, tmp_path):
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
    with pytest.raises(InputError, match="holds a row of another set"):
        sg.read_table(tmp_path / "query.tsv", "adipose")


def test_read_set_files_reads_what_write_wrote(model, fixture_dir, tmp_path):
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
    write(paths[2], '{"k": ')
    with pytest.raises(InputError, match="not valid JSON") as error:
        sg.read_set_files(paths[0], "query", params=paths[2])
    assert str(paths[2]) in str(error.value)


# -- real data ---------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_library_mir21_drives_pi3k_akt_through_pten(reference_dir, real_model):
    from exomir.target_sources import read_mirna_library

    raw = read_mirna_library(
        reference_dir / "mirtarbase" / "enrichr_miRTarBase_2017.txt.gz",
        name="miRTarBase_2017",
        species="hsa",
    )
    edges = pd.DataFrame(
        {"mirna": raw["mirna_raw"], "gene": raw["gene_raw"], "confidence": 0.5}
    ).drop_duplicates(["mirna", "gene"])
    assert edges["mirna"].nunique() > 2000
    start = time.perf_counter()
    result = score(
        edges, {"hsa-miR-21-5p": 1.0}, real_model, n_random=10_000, seed=1, stratified=20
    )
    assert time.perf_counter() - start < 30
    drivers = result.drivers.set_index(["key", "gene"])
    assert drivers.at[("pi3k_akt", "PTEN"), "effect"] == "up"
    assert drivers.at[("pro_tumour", "PTEN"), "mirna"] == "hsa-miR-21-5p"
    assert drivers.at[("regenerative", "PTEN"), "gene_role"] == "pro_apoptotic"
    assert result.params["universe"]["size"] == edges["mirna"].nunique()
