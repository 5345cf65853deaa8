"""Tests of exomir.signatures._scoring: signed pathway effects, the four scores, the null, the
drivers, against hand-built cases whose answers can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exomir import signatures as sg
from exomir.enrichment import EnrichmentEngine, NullSettings, build_universe
from exomir.errors import InputError
from exomir.tables import SIGNATURE_DRIVERS, SIGNATURES

PTEN_ONLY = {"hsa-miR-410-3p": {"PTEN": 0.9}}
EGFR_MTOR = {"hsa-miR-146b-5p": {"EGFR": 0.9}, "hsa-miR-100-5p": {"MTOR": 0.9}}


# -- hand-built cases --------------------------------------------------------------------------


def test_a_set_that_represses_only_pten(model, universe_edges, score):
    edges = universe_edges(PTEN_ONLY)
    table = score(edges, {"hsa-miR-410-3p": 1.0}, model).table.set_index("key")
    # PTEN is a PI3K-Akt inhibitor: repressing it pushes the pathway up.
    assert table.at["pi3k_akt", "score"] == pytest.approx(0.9)
    assert table.at["pi3k_akt", "direction"] == "up"
    assert table.at["pi3k_akt", "kind"] == "pathway"
    # ... a tumour suppressor and pro-apoptotic: pro-tumour, regenerative, less apoptosis.
    assert table.at["pro_tumour", "direction"] == "high"
    assert table.at["regenerative", "direction"] == "high"
    assert table.at["tumour_lean", "direction"] == "pro_tumour"
    assert table.at["apoptosis", "direction"] == "down"
    assert table.at["anti_tumour", "score"] == 0
    assert table.at["anti_tumour", "direction"] == "none"
    assert table.at["mtor", "direction"] == "none"
    # 1 of 100 universe miRNAs: a random set of one hits PTEN with probability 1/100.
    assert 0.003 < table.at["pi3k_akt", "p_up"] < 0.03
    assert table.at["pi3k_akt", "drivers"] == "hsa-miR-410-3p->PTEN"
    assert table.at["pi3k_akt", "n_genes"] == 1


def test_a_set_that_represses_only_egfr_and_mtor(model, universe_edges, score):
    edges = universe_edges(EGFR_MTOR)
    result = score(edges, {"hsa-miR-146b-5p": 1.0, "hsa-miR-100-5p": 1.0}, model)
    table = result.table.set_index("key")
    assert table.at["anti_tumour", "score"] == pytest.approx(1.8)
    assert table.at["anti_tumour", "direction"] == "high"
    assert table.at["pro_tumour", "direction"] == "none"
    # no random set touches a pro-tumour gene (z 0); the anti-tumour score sits far out
    assert table.at["tumour_lean", "score"] == pytest.approx(
        -table.at["anti_tumour", "z"], rel=0.05
    )
    assert table.at["tumour_lean", "score"] < -3
    assert table.at["tumour_lean", "direction"] == "anti_tumour"
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
                "tumour_lean": "pro_tumour",
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
                "tumour_lean": "anti_tumour",
                "pi3k_akt": "down",
                "mtor": "down",
                "hif1": "down",
                "pro_tumour": "none",
            },
        ),
    ],
)
def test_the_hand_built_cases_with_the_real_curated_tables(
    real_model, query, mirnas, expected, universe_edges, score
):
    edges = universe_edges(query)
    table = score(edges, mirnas, real_model).table.set_index("key")
    assert {key: table.at[key, "direction"] for key in expected} == expected
    pathways = table[table["kind"] == "pathway"].index.tolist()
    assert pathways == ["pi3k_akt", "nfkb", "mtor", "hif1", "wnt"]


def test_weights_change_scores_as_documented(model, universe_edges, score):
    edges = universe_edges({"hsa-miR-410-3p": {"PTEN": 0.9}, "hsa-miR-146b-5p": {"EGFR": 0.6}})
    result = score(edges, {"hsa-miR-410-3p": 1.0, "hsa-miR-146b-5p": 1.0}, model)
    even = result.table.set_index("key")
    assert even.at["pro_tumour", "score"] == pytest.approx(0.9)
    assert even.at["anti_tumour", "score"] == pytest.approx(0.6)
    # Weights 3:1 are normalised to mean 1, i.e. 1.5 and 0.5.
    heavy = score(edges, {"hsa-miR-410-3p": 300.0, "hsa-miR-146b-5p": 100.0}, model)
    table = heavy.table.set_index("key")
    assert table.at["pro_tumour", "score"] == pytest.approx(1.5 * 0.9)
    assert table.at["anti_tumour", "score"] == pytest.approx(0.5 * 0.6)
    # the lean is z(pro) - z(anti): the heavier PTEN miRNA leans the set pro-tumour
    assert table.at["tumour_lean", "score"] == pytest.approx(
        table.at["pro_tumour", "z"] - table.at["anti_tumour", "z"], rel=0.05
    )
    assert table.at["tumour_lean", "score"] > 0
    assert heavy.params["weights"] == {"hsa-miR-146b-5p": 0.5, "hsa-miR-410-3p": 1.5}
    # Only ratios matter: the units of the abundances do not change anything.
    same = score(edges, {"hsa-miR-410-3p": 3.0, "hsa-miR-146b-5p": 1.0}, model)
    pd.testing.assert_frame_equal(same.table, heavy.table)
    # Reversing the weights reverses the lean.
    result = score(edges, {"hsa-miR-410-3p": 1.0, "hsa-miR-146b-5p": 3.0}, model)
    light = result.table.set_index("key")
    assert light.at["tumour_lean", "score"] < 0
    # A driver's contribution is weight x confidence x effect.
    drivers = heavy.drivers.set_index(["key", "gene"])
    assert drivers.at[("pi3k_akt", "EGFR"), "contribution"] == pytest.approx(-0.5 * 0.6)
    assert drivers.at[("pi3k_akt", "EGFR"), "weight"] == pytest.approx(0.5)


def test_a_miRNA_with_weight_zero_delivers_nothing(model, universe_edges, score):
    edges = universe_edges({"hsa-miR-410-3p": {"PTEN": 0.9}, "hsa-miR-146b-5p": {"EGFR": 0.6}})
    result = score(edges, {"hsa-miR-410-3p": 0.0, "hsa-miR-146b-5p": 5.0}, model)
    table = result.table.set_index("key")
    assert table.at["pro_tumour", "score"] == 0
    assert table.at["anti_tumour", "score"] == pytest.approx(2 * 0.6)


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
        ("lean", -1.0, 0.99, 0.02, ("anti_tumour", 0.04)),
        ("lean", 1.0, 0.001, 0.999, ("pro_tumour", 0.002)),
    ],
)
def test_direction_rules(kind, score_value, p_up, p_down, expected):
    direction, p_value = sg.call_direction(kind, score_value, p_up, p_down, 0.05)
    assert (direction, pytest.approx(p_value)) == (expected[0], pytest.approx(expected[1]))


# -- the null ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stratified", [0, 3])
def test_null_pvalues_equal_a_brute_force_loop(model, stratified, set_table, random_universe):
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
    brute = {}
    for call in model.calls:
        effects = dict(zip(call.genes, call.effects, strict=True))
        null_scores = []
        for members, ws in zip(sets, set_weights, strict=True):
            total = 0.0
            for j, w in zip(members, ws, strict=True):
                for gene, effect in effects.items():
                    total += w * conf.get((names[j], gene), 0.0) * effect
            null_scores.append(total)
        brute[call.key] = np.array(null_scores)

    def z(values, key):
        # moments over the random sets and the set itself
        pooled = np.append(brute[key], observed[key])
        return (values - pooled.mean()) / pooled.std(ddof=1)

    # the lean: both scores standardised against the same random sets, then differenced
    lean = z(observed["pro_tumour"], "pro_tumour") - z(observed["anti_tumour"], "anti_tumour")
    assert observed["tumour_lean"] == pytest.approx(lean)
    brute["tumour_lean"] = z(brute["pro_tumour"], "pro_tumour") - z(
        brute["anti_tumour"], "anti_tumour"
    )
    for call in model.calls:
        null_scores = brute[call.key]
        s = observed[call.key]
        tol = 1e-9 * max(1.0, abs(s))
        p_up = (1 + np.sum(null_scores >= s - tol)) / (1 + len(null_scores))
        p_down = (1 + np.sum(null_scores <= s + tol)) / (1 + len(null_scores))
        row = result.table.set_index("key").loc[call.key]
        assert row["p_up"] == pytest.approx(p_up), call.key
        assert row["p_down"] == pytest.approx(p_down), call.key
        assert row["null_mean"] == pytest.approx(null_scores.mean(), abs=1e-12), call.key
        if null_scores.std() > 0:
            assert row["z"] == pytest.approx(
                (s - null_scores.mean()) / null_scores.std(ddof=1), abs=1e-9
            ), call.key
    # weights are permuted within random sets: every row carries the query's weights
    assert np.allclose(np.sort(set_weights, axis=1), [4 / 5.5 * 3 * x for x in (0.125, 0.25, 1)])
    assert not np.all(set_weights == set_weights[0])


@pytest.mark.parametrize("stratified", [0, 3])
def test_random_sets_are_those_of_the_enrichment_null(model, stratified, random_universe):
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


def test_a_random_set_equal_to_the_query_ties(model, score):
    # With a universe of the query alone, every random set is the query: p = 1 both ways.
    edges = pd.DataFrame(
        {"mirna": ["hsa-miR-410-3p"] * 2, "gene": ["PTEN", "EGFR"], "confidence": [0.9, 0.3]}
    )
    table = score(edges, {"hsa-miR-410-3p": 1.0}, model, n_random=50).table.set_index("key")
    assert table.at["pi3k_akt", "p_up"] == 1.0
    assert table.at["pi3k_akt", "p_down"] == 1.0
    assert table.at["pi3k_akt", "direction"] == "none"


def test_stratified_and_seeded_runs_are_deterministic(model, tmp_path, score, random_universe):
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


def test_the_null_is_vectorised_and_fast(real_model, score):
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
    result = score(edges, query, real_model, n_random=10_000)
    assert result.null.shape == (10_000, len(real_model.calls))


# -- drivers, table layout ---------------------------------------------------------------------


def test_drivers_are_ranked_by_contribution_with_their_evidence(model, universe_edges, score):
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
    table = result.table.set_index("key")
    # the score is up, so the drivers column lists the edges that push it up
    assert table.at["pi3k_akt", "score"] == pytest.approx(0.9)
    assert table.at["pi3k_akt", "drivers"] == "hsa-miR-21-5p->PTEN;hsa-miR-19a-3p->PTEN"
    assert (table.at["pi3k_akt", "n_genes"], table.at["pi3k_akt", "n_edges"]) == (3, 4)
    assert table.at["pi3k_akt", "n_mirnas"] == 2
    assert list(result.table.columns) == list(SIGNATURES.columns)
    assert list(result.drivers.columns) == list(SIGNATURE_DRIVERS.columns)
    assert result.table["kind"].tolist()[:5] == ["score"] * 4 + ["lean"]
    assert np.all((result.table["fdr"] >= result.table["p_value"]) | result.table["fdr"].isna())


def test_miRNAs_outside_a_file_universe_are_left_out(model, universe_edges, set_table):
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
    assert result.table.set_index("key").at["mtor", "score"] == 0


# -- errors ------------------------------------------------------------------------------------


def test_set_edges_must_be_those_of_the_edge_table(model, tmp_path, universe_edges, set_table):
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


def test_a_set_without_universe_miRNAs_is_refused(model, universe_edges, set_table):
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


# -- real data ---------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_library_mir21_drives_pi3k_akt_through_pten(reference_dir, real_model, score):
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
    result = score(
        edges, {"hsa-miR-21-5p": 1.0}, real_model, n_random=10_000, seed=1, stratified=20
    )
    drivers = result.drivers.set_index(["key", "gene"])
    assert drivers.at[("pi3k_akt", "PTEN"), "effect"] == "up"
    assert drivers.at[("pro_tumour", "PTEN"), "mirna"] == "hsa-miR-21-5p"
    assert drivers.at[("regenerative", "PTEN"), "gene_role"] == "pro_apoptotic"
    assert result.params["universe"]["size"] == edges["mirna"].nunique()


# -- the tumour lean ---------------------------------------------------------------------------


def test_a_planted_pro_tumour_set_leans_pro(model, random_universe, score):
    # A noisy universe (random edges to every model gene), plus three miRNAs that repress the
    # tumour suppressors hard and no oncogene.
    edges = random_universe(17, 60, model.genes)
    planted = {f"hsa-miR-{900 + i}-5p": {"PTEN": 1.0, "TSC1": 1.0, "TSC2": 1.0} for i in range(3)}
    rows = [(m, g, c) for m, genes in planted.items() for g, c in genes.items()]
    edges = pd.concat([edges, pd.DataFrame(rows, columns=edges.columns)], ignore_index=True)
    mirnas = dict.fromkeys(planted, 1.0)
    table = score(edges, mirnas, model, n_random=2000).table.set_index("key")
    lean = table.loc["tumour_lean"]
    assert (lean["kind"], lean["label"]) == ("lean", "Tumour lean")
    assert lean["direction"] == "pro_tumour"
    assert lean["score"] > 2
    assert lean["p_value"] <= 0.01
    assert lean["p_value"] == pytest.approx(2 * lean["p_up"])
    assert lean["null_mean"] == pytest.approx(0, abs=0.05)
    assert lean["z"] == pytest.approx(lean["score"] / lean["null_sd"], rel=0.01)
    # the lean's drivers push it pro-tumour: repressed suppressors
    assert all(d.split("->")[1] in {"PTEN", "TSC1", "TSC2"} for d in lean["drivers"].split(";"))
    # the same miRNAs on the oncogenes lean the other way
    flipped = {m: {"EGFR": 1.0, "MTOR": 1.0, "AKT1": 1.0} for m in planted}
    rows = [(m, g, c) for m, genes in flipped.items() for g, c in genes.items()]
    edges2 = pd.concat(
        [random_universe(17, 60, model.genes), pd.DataFrame(rows, columns=edges.columns)],
        ignore_index=True,
    )
    other = score(edges2, mirnas, model, n_random=2000).table.set_index("key")
    assert other.at["tumour_lean", "direction"] == "anti_tumour"
    assert other.at["tumour_lean", "score"] < -2


def test_lean_of_a_symmetric_null_has_uniform_pvalues():
    # Sets exchangeable with the random sets: the two-sided p-value of the lean is uniform.
    rng = np.random.default_rng(7)
    n, trials = 499, 1500
    pvalues = []
    for _ in range(trials):
        draws = rng.gamma(2.0, 1.0, size=(n + 1, 2)) * [1.0, 3.0]  # different scales
        lean, null = sg.lean_scores((draws[0, 0], draws[0, 1]), (draws[1:, 0], draws[1:, 1]))
        up, down = sg.empirical_pvalues(np.array([lean]), null[:, None])
        pvalues.append(sg.call_direction("lean", lean, up[0], down[0], 0.05)[1])
    pvalues = np.array(pvalues)
    assert 0.03 <= np.mean(pvalues <= 0.05) <= 0.07
    assert 0.45 <= np.mean(pvalues <= 0.5) <= 0.55
    # Kolmogorov distance from the uniform (two-sided p is discrete: compare on a grid)
    grid = np.linspace(0.05, 0.95, 19)
    assert np.max(np.abs([np.mean(pvalues <= g) - g for g in grid])) < 0.05


def test_lean_puts_the_scores_on_one_scale():
    # Scaling one score (more or heavier genes) does not move the lean.
    rng = np.random.default_rng(3)
    pro, anti = rng.normal(size=200), rng.normal(size=200)
    lean, null = sg.lean_scores((2.0, 0.5), (pro, anti))
    scaled, scaled_null = sg.lean_scores((20.0 + 5, 0.5), (10 * pro + 5, anti))
    assert scaled == pytest.approx(lean)
    np.testing.assert_allclose(scaled_null, null)


def test_lean_ties_and_the_floor():
    # Random sets that never touch either score: a set that does not either ties them all.
    zeros = np.zeros(100)
    lean, null = sg.lean_scores((0.0, 0.0), (zeros, zeros))
    assert lean == 0 and not null.any()
    up, down = sg.empirical_pvalues(np.array([lean]), null[:, None])
    assert sg.call_direction("lean", lean, up[0], down[0], 0.05) == ("none", 1.0)
    assert sg.p_method("lean", up[0], down[0], 100) == "exceedances"
    # A set beyond every random set: finite lean, p at the floor, reported as such.
    lean, null = sg.lean_scores((1.0, 0.0), (zeros, zeros))
    assert np.isfinite(lean) and lean > 0
    up, down = sg.empirical_pvalues(np.array([lean]), null[:, None])
    assert up[0] == pytest.approx(1 / 101)
    assert sg.p_method("lean", up[0], down[0], 100) == "floor"
    assert sg.p_method("score", up[0], down[0], 100) == "floor"
    assert sg.p_method("score", 2 / 101, 1.0, 100) == "exceedances"


def test_p_method_and_z_columns(model, universe_edges, score):
    table = score(universe_edges(PTEN_ONLY), {"hsa-miR-410-3p": 1.0}, model).table
    assert set(table["p_method"]) <= set(sg.P_METHODS)
    rows = table.set_index("key")
    # 1 of 100 miRNAs: about 20 of 2,000 random sets reach the set's PI3K-Akt score
    assert rows.at["pi3k_akt", "p_method"] == "exceedances"
    assert rows.at["pi3k_akt", "z"] == pytest.approx(
        (rows.at["pi3k_akt", "score"] - rows.at["pi3k_akt", "null_mean"])
        / rows.at["pi3k_akt", "null_sd"]
    )
