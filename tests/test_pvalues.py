"""p-values below 1/N: the GPD tail, the floor, the testing families and the extension of the
empirical null beyond n_random (against brute force)."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_enrichment import confounded

from exomir._engine import EXTENSION_STREAM, tsv_ready
from exomir._null import RandomSets, ShuffledSets, count_bins
from exomir._pvalues import (
    P_METHODS,
    PRUNE_ALPHA,
    OpenTerms,
    exceedance_lower_bound,
    exceedance_upper_bound,
    family_fdr,
    fit_gpd_tail,
    floor_pvalue,
    gpd_tail_pvalue,
    open_terms,
)
from exomir.enrichment import EnrichmentEngine, NullSettings
from exomir.errors import ConfigError
from exomir.focus import FocusPathway

# ---------------------------------------------------------------------------------------------
# Tail fit on distributions whose tail is known


def top_of(sample: np.ndarray, n: int = 251) -> np.ndarray:
    return np.sort(sample)[-n:]


def test_gpd_tail_is_exact_for_a_pareto_tail():
    # A generalized Pareto sample: the fit is the right model and extrapolates well.
    rng = np.random.default_rng(0)
    n = 100_000
    sample = stats.genpareto.rvs(0.2, size=n, random_state=rng)
    for p_true in (1e-5, 1e-6):
        x = stats.genpareto.isf(p_true, 0.2)
        p = gpd_tail_pvalue(x, top_of(sample), n)
        assert p_true / 2 < p < 2 * p_true


@pytest.mark.parametrize(
    ("draw", "sf", "x"),
    [
        (lambda rng, n: rng.exponential(size=n), stats.expon.sf, 11.0),  # p = 1.7e-5
        (lambda rng, n: rng.normal(size=n), stats.norm.sf, 4.0),  # p = 3.2e-5
    ],
)
def test_gpd_tail_approximates_exponential_and_normal_tails(draw, sf, x):
    # 100,000 null values, the observed value beyond all of them: counting says < 1e-5.
    n = 100_000
    for seed in range(3):
        sample = draw(np.random.default_rng(seed), n)
        p = gpd_tail_pvalue(x, top_of(sample), n)
        assert sf(x) / 3 < p < 3 * sf(x), seed


def test_gpd_tail_of_a_discrete_statistic():
    # Overlap counts are integers: ties are spread over their unit interval.
    n = 100_000
    for seed in range(3):
        sample = np.random.default_rng(seed).poisson(20, size=n)
        for x in (38, 40):  # beyond or at the edge of the sample; exact p 2e-4 .. 5e-5
            exact = stats.poisson.sf(x - 1, 20)
            p = gpd_tail_pvalue(x, top_of(sample), n, discrete=True)
            assert exact / 3 < p < 3 * exact, (seed, x)
    fit = fit_gpd_tail(top_of(sample), n, discrete=True)
    assert fit is not None and fit.discrete and fit.distance <= fit.critical
    # At or below the threshold the tail fit has nothing to say: count instead.
    assert np.isnan(fit.pvalue(fit.threshold))


def test_gpd_tail_refuses_what_it_cannot_fit():
    n = 10_000
    # Three distinct levels: a continuous tail through them says nothing about the next ones.
    few_levels = np.repeat([7, 8, 9], [150, 80, 21])
    assert fit_gpd_tail(few_levels, n, discrete=True) is None
    assert np.isnan(gpd_tail_pvalue(12, few_levels, n, discrete=True))
    # Too few values for a fit at all.
    assert fit_gpd_tail(np.arange(30.0), n) is None
    # Two clusters far apart are no generalized Pareto tail (and a flat top cluster has a shape
    # far below -1/2, where maximum likelihood is not to be trusted).
    rng = np.random.default_rng(1)
    clusters = np.concatenate([rng.uniform(0, 1, 200), rng.uniform(50, 51, 51)])
    assert fit_gpd_tail(clusters, n) is None
    # A bounded tail (shape < 0) ends: beyond its end the fit would say 0, reported NaN.
    bounded = np.random.default_rng(2).beta(1, 3, size=n)  # GPD shape -1/3 at the end, 1
    fit = fit_gpd_tail(top_of(bounded), n)
    assert fit is not None and -0.5 < fit.shape < 0
    assert np.isnan(gpd_tail_pvalue(1.5, top_of(bounded), n))
    with pytest.raises(ValueError, match="cannot come from"):
        fit_gpd_tail(np.arange(300.0), 100)


def test_floor_and_lower_bound():
    assert floor_pvalue(9999) == 1e-4
    assert np.allclose(floor_pvalue(np.array([0, 99])), [1.0, 0.01])
    low = exceedance_lower_bound(np.array([0, 5, 100]), np.array([1000, 1000, 1000]))
    assert low[0] == 0.0
    assert low[1] == pytest.approx(stats.beta.ppf(1e-3, 5, 996))
    assert 0 < low[1] < 0.005 < low[2] < 0.1


# ---------------------------------------------------------------------------------------------
# Testing families


def test_family_fdr_is_bh_within_each_family():
    rng = np.random.default_rng(0)
    p = rng.random(100) ** 4
    families = [np.arange(0, 30), np.arange(30, 100)]
    q = family_fdr(p, families, 100)
    for rows in families:
        assert np.allclose(q[rows], stats.false_discovery_control(p[rows]))
    only = family_fdr(p, [np.array([3, 7, 11])], 100)
    assert np.isnan(np.delete(only, [3, 7, 11])).all()
    assert np.allclose(only[[3, 7, 11]], stats.false_discovery_control(p[[3, 7, 11]]))


def test_open_terms_keeps_only_terms_that_could_pass():
    # Ten decided terms at p = 0.5, two undecided: one whose lower bound could pass, one whose
    # lower bound is far above anything BH could call in a family of 12.
    p = np.array([0.5] * 10 + [1e-4, 0.2])
    lower = np.array([0.5] * 10 + [1e-5, 0.15])
    undecided = np.array([False] * 10 + [True, True])
    family = [np.arange(12)]
    got = open_terms(p, lower, undecided, [family], 0.05)
    assert got.tolist() == [False] * 10 + [True, False]
    # A small family of its own (e.g. the focus family) can keep a term open.
    assert open_terms(p, lower, undecided, [family, [np.array([11])]], 0.2)[11]


def test_terms_that_pass_even_at_their_upper_bound_stop_drawing():
    # Family of 12: ten decided at 0.5 and two undecided terms that BH calls on their point
    # values.  The first is called even at its upper bound (decided), the second only on its
    # lower bound (open).
    p = np.array([0.5] * 10 + [1e-4, 3e-3])
    lower = np.array([0.5] * 10 + [5e-5, 1e-3])
    upper = np.array([0.5] * 10 + [2e-4, 1e-2])
    undecided = np.array([False] * 10 + [True, True])
    family = [np.arange(12)]
    assert open_terms(p, lower, undecided, [family], 0.05).tolist()[10:] == [True, True]
    got = open_terms(p, lower, undecided, [family], 0.05, upper)
    assert got.tolist() == [False] * 11 + [True]
    # Decided in one family, open in another: it draws on.
    wide = [np.arange(12)], [np.array([10])]
    strict = open_terms(p, lower, undecided, [[np.arange(12)], [np.array([10, 11])]], 0.05, upper)
    assert not strict[10]
    assert open_terms(p, np.where(undecided, 1e-6, p), undecided, wide, 1e-4, upper)[10]


@pytest.mark.parametrize(("e", "n"), [(0, 10), (3, 1000), (40, 200_000), (99, 100)])
def test_exceedance_bounds_are_one_sided_clopper_pearson(e, n):
    ci = stats.binomtest(e, n).proportion_ci(confidence_level=1 - 2 * PRUNE_ALPHA)
    assert exceedance_upper_bound(np.array([e]), np.array([n]))[0] == pytest.approx(ci.high)
    assert exceedance_lower_bound(np.array([e]), np.array([n]))[0] == pytest.approx(ci.low)
    assert exceedance_upper_bound(np.array([5]), np.array([5]))[0] == 1.0


@pytest.mark.parametrize("seed", range(40))
def test_open_terms_with_fixed_terms_sorted_once_gives_the_same_answer(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 400))
    # Values from one coarse grid make ties, between fixed and moving terms too, right at the
    # cutoffs; NaN are left out of BH.
    grid = np.array([1e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.05, 0.2, 1.0])
    p = rng.choice(grid, n, p=rng.dirichlet(np.ones(grid.size)))
    p[rng.random(n) < 0.05] = np.nan
    order = rng.permutation(n)
    cuts = np.sort(rng.choice(np.arange(1, n), size=min(3, n - 1), replace=False))
    libraries = np.split(order, cuts)
    focus = [rng.choice(n, size=max(1, n // 10), replace=False)]
    families = (libraries, focus, [np.arange(n)])
    moving = rng.choice(n, size=max(1, n // 20), replace=False)
    checker = OpenTerms(p, moving, families, 0.05)
    for _ in range(5):
        values = rng.choice(grid, moving.size)
        undecided = rng.random(moving.size) < 0.7
        full = p.copy()
        full[moving] = values
        low = full.copy()
        mask = np.zeros(n, dtype=bool)
        mask[moving[undecided]] = True
        expected = open_terms(full, low, mask, families, 0.05)[moving]
        assert checker(values, undecided).tolist() == expected.tolist()
        high = np.minimum(values * rng.choice([1.0, 2.0, 10.0], moving.size), 1.0)
        full_high = full.copy()
        full_high[moving] = high
        expected = open_terms(full, low, mask, families, 0.05, full_high)[moving]
        assert checker(values, undecided, high).tolist() == expected.tolist()


@pytest.mark.parametrize("fdr", [1e-9, 0.5, 1.0])
def test_open_terms_checker_agrees_at_any_fdr(fdr):
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 50)
    p[:5] = [0.0, 1.0, 1e-12, 1e-12, np.nan]
    families = ([np.arange(25), np.arange(25, 50)], [np.arange(50)])
    moving = np.array([1, 3, 30, 49])
    values = np.array([1e-12, 1.0, 0.0, 0.3])
    undecided = np.array([True, True, False, True])
    full = p.copy()
    full[moving] = values
    mask = np.zeros(50, dtype=bool)
    mask[moving[undecided]] = True
    expected = open_terms(full, full, mask, families, fdr)[moving]
    assert OpenTerms(p, moving, families, fdr)(values, undecided).tolist() == expected.tolist()


# ---------------------------------------------------------------------------------------------
# The engine: families, extension, determinism


@pytest.fixture(scope="module")
def themed():
    """A stratified null with a planted theme in T30 (see test_enrichment) and focus terms."""
    edges, gene_sets, studied = confounded(seed=1)
    query = sorted(studied)[:6]
    # Themes of three strengths: each miRNA targets 4, 2 or 1 more genes of T30, T31, T32.
    planted = []
    for term, per in (("T30", 4), ("T31", 2), ("T32", 1)):
        theme = gene_sets.loc[gene_sets["term_id"] == term, "gene"].tolist()
        planted += [(m, g) for i, m in enumerate(query) for g in theme[per * i : per * (i + 1)]]
    extra = pd.DataFrame(planted, columns=["mirna", "gene"])
    second = gene_sets.assign(library="Lib2", term_id=lambda f: f["term_id"] + "b")
    gene_sets = pd.concat([gene_sets, second[second["term_id"] < "T10b"]], ignore_index=True)
    focus = {
        "theme": FocusPathway("theme", "Theme", ("term 30",)),
        "other": FocusPathway("other", "Other", ("T01b", "T02b")),
    }
    engine = EnrichmentEngine(pd.concat([edges, extra]), gene_sets, min_size=5, focus=focus)
    return engine, query


@pytest.mark.parametrize("statistic", ["auto", "mirna_sum"])
def test_families_are_bh_per_library_focus_and_all(themed, statistic):
    engine, query = themed
    result = engine.analyse(
        "q", query, null=NullSettings(n_random=500, seed=2, statistic=statistic)
    )
    table = result.table
    # This set's strata cannot be matched, so auto takes share.
    used = result.params["empirical"]["statistic"]
    assert used == ("share" if statistic == "auto" else "mirna_sum")
    for _, part in table.groupby("library"):
        assert np.allclose(part["fdr_emp"], stats.false_discovery_control(part["p_emp"]))
        assert np.allclose(part["fdr_ora"], stats.false_discovery_control(part["p_ora"]))
    focus = table["focus"] != ""
    assert sorted(table.loc[focus, "term"]) == ["term 1", "term 2", "term 30"]
    assert table.loc[~focus, "fdr_focus"].isna().all()
    assert np.allclose(
        table.loc[focus, "fdr_focus"], stats.false_discovery_control(table.loc[focus, "p_emp"])
    )
    assert np.allclose(table["fdr_all"], stats.false_discovery_control(table["p_emp"]))
    # The effect size: the observed statistic against the null, in null SDs (the share's on the
    # overlap's scale).
    observed = table["mirna_score"] if used == "mirna_sum" else table["overlap"]
    z = (observed - table["null_mean"]) / table["null_sd"]
    assert np.allclose(table["z_emp"], z, equal_nan=True)
    assert set(table["p_method"]) <= set(P_METHODS)
    # Ties in p are ranked by the effect size.
    for _, tied in table.groupby("p_emp", sort=False):
        z_tied = tied["z_emp"].dropna().to_numpy()
        assert np.all(np.diff(z_tied) <= 0)


@pytest.mark.parametrize("statistic", ["overlap", "share", "mirna_sum"])
def test_extension_equals_brute_force_on_the_same_streams(themed, statistic):
    """Every extended term's count is the brute-force count of the same random sets: the first
    N of the seed's stream, then the extension stream, drawn to the end for every term."""
    engine, query = themed
    n, h, limit = 300, 10, 6000
    # score_threshold 1 (every miRNA's whole -ln p): the summed scores then leave this toy set
    # terms undecided after N to extend, as the other statistics do.
    null = NullSettings(
        n_random=n,
        seed=5,
        sequential_stop=h,
        max_draws=limit,
        statistic=statistic,
        score_threshold=1.0,
    )
    first = engine.analyse("q", query, null=replace(null, max_draws=n))
    result = engine.analyse("q", query, null=null)
    before = first.table.set_index(["library", "term_id"])
    after = result.table.set_index(["library", "term_id"]).loc[before.index]
    extended = after["p_method"] != "exceedances"
    assert extended.sum() >= 2
    assert set(after.loc[extended, "p_method"]) <= {"extended", "gpd_tail", "floor"}
    # Terms that were not extended keep their p-value; extended ones drew more than N.
    same = ~extended & (after["p_method"] == before["p_method"])
    assert np.array_equal(after.loc[same, "p_emp"], before.loc[same, "p_emp"])
    assert (after.loc[extended, "n_null"] > n).all()

    # Brute force: every extended term over all draws of both streams, overlap by overlap.
    rows = engine.terms.set_index(["library", "term_id"]).index.get_indexer(after.index[extended])
    q = engine.query("q", query)
    strata = engine.null_strata(q, null)
    seq = np.random.SeedSequence(null.seed, spawn_key=(EXTENSION_STREAM,))
    draws = np.vstack(
        [
            strata.random_sets(np.random.default_rng(null.seed)).take(n),
            strata.random_sets(np.random.default_rng(seq), shuffled=True).take(limit - n),
        ]
    )
    unions = engine.unions.columns(draws).astype(np.int64)
    values = engine.membership[rows] @ unions
    observed = after.loc[extended, "overlap"].to_numpy()
    if statistic == "mirna_sum":  # every miRNA's score for the term, summed over the set
        scores = engine.mirna_scores[:, rows].astype(np.int64)
        values = scores[draws].sum(axis=1).T
        observed = engine.observed_scores(q.index)[rows]
        assert np.allclose(observed / 1000, after.loc[extended, "mirna_score"])
        hits = values >= observed[:, None]
    elif statistic == "overlap":
        hits = values >= observed[:, None]
    else:  # share: x_r / n_r >= x / n, with n_r the random set's targets in the library
        lib = engine.terms["library_index"].to_numpy()[rows]
        n_r = (engine.library_background.T.astype(np.int64) @ unions)[lib]
        n_set = after.loc[extended, "n_targets"].to_numpy()[:, None]
        hits = values * n_set >= observed[:, None] * n_r
    running = np.cumsum(hits, axis=1)
    used = after.loc[extended, "n_null"].to_numpy()
    exceed = running[np.arange(rows.size), used - 1]
    p = after.loc[extended, "p_emp"].to_numpy()
    method = after.loc[extended, "p_method"].to_numpy()
    stopped = exceed >= h
    # Stopped terms: the h-th exceedance is the last draw, p = h / draws (Besag-Clifford).
    assert np.all(running[stopped, used[stopped] - 2] == h - 1)
    assert np.allclose(p[stopped], h / used[stopped])
    counted = ~stopped & (method == "extended")
    assert np.allclose(p[counted], (1 + exceed[counted]) / (1 + used[counted]))
    floor = method == "floor"
    assert np.all(exceed[floor] == 0) and np.allclose(p[floor], 1 / (1 + used[floor]))
    assert np.all(used[floor] == limit)
    tail = method == "gpd_tail"
    assert np.all(exceed[tail] < 10) and np.all(used[tail] == limit)
    # The planted theme is now called within its library and in the focus family.
    t30 = after.loc[("Lib", "T30")]
    assert t30["fdr_emp"] < 0.05 and t30["fdr_focus"] < 0.05


def test_extension_stops_terms_that_cannot_pass(themed):
    engine, query = themed
    table = engine.analyse(
        "q",
        query,
        # A seed whose first draws leave weak terms undecided, so that some are pruned, and a
        # strong one that is called long before the maximum (the plain strata's draws: the
        # tilt would match this toy set and draw others).
        null=NullSettings(
            n_random=300,
            seed=15,
            sequential_stop=10,
            max_draws=20_000,
            statistic="overlap",
            tilt=False,
        ),
    )
    info = table.params["empirical"]["extension"]
    assert info["extended_terms"] >= 1
    # Not every extended term runs to the maximum: the hopeless ones stop early, before their
    # h-th exceedance (p = (1 + e) / (1 + draws) < h / draws), and the others at it.
    extended = table.table[table.table["p_method"] == "extended"]
    early = extended["n_null"] < 20_000
    pruned = early & (extended["p_emp"] < 10 / extended["n_null"])
    assert pruned.any()
    assert info["reached_max_draws"] < info["extended_terms"]
    # Sequential stopping the other way: a term that passes even at the upper bound of its
    # p-value stops too (fewer than h exceedances, before the maximum), and is called.
    decided = pruned & (extended["fdr_emp"] < 0.05) & (extended["fdr_all"] < 0.05)
    assert decided.any()
    assert sum(table.params["empirical"]["p_method"].values()) == len(table.table)


def test_share_statistic_draws_beyond_n_and_fits_its_tail(themed):
    """The share statistic resolves p-values below 1/N: extended counts, and a tail fitted to
    the largest null shares where nothing reached the set at the maximum."""
    engine, query = themed
    result = engine.analyse(
        "q",
        query,
        null=NullSettings(
            n_random=300, seed=5, sequential_stop=10, max_draws=5_000, statistic="share"
        ),
    )
    info = result.params["empirical"]["extension"]
    assert info["extended_terms"] >= 1 and "not_extended" not in info
    table = result.table
    assert (table["n_null"] > 300).any()
    assert "extended" in set(table["p_method"])
    t30 = table.set_index(["library", "term_id"]).loc[("Lib", "T30")]
    assert t30["p_emp"] < 1 / 301
    assert t30["p_method"] in {"extended", "gpd_tail", "floor"}
    if t30["p_method"] == "gpd_tail":
        assert t30["p_emp"] < 1 / 5_001


def test_without_extension_the_floor_is_reported_as_such(themed):
    engine, query = themed
    null = NullSettings(n_random=200, seed=5, max_draws=200)
    table = engine.analyse("q", query, null=null).table
    floor = table["p_method"] == "floor"
    assert floor.any()
    assert np.allclose(table.loc[floor, "p_emp"], 1 / 201)
    assert set(table["p_method"]) <= {"exceedances", "floor"}


def test_extended_results_are_byte_identical_across_runs_and_threads(themed):
    engine, query = themed
    null = NullSettings(
        n_random=300, seed=9, sequential_stop=10, max_draws=5000, statistic="overlap"
    )

    def tsv(threads: int) -> str:
        buffer = io.StringIO()
        table = engine.analyse("q", query, null=null, threads=threads).table
        tsv_ready(table).to_csv(buffer, sep="\t", index=False)
        return buffer.getvalue()

    one = tsv(1)
    assert "extended" in one
    assert one == tsv(1) == tsv(2)


def test_max_draws_below_n_random_is_refused():
    with pytest.raises(ConfigError, match="max_draws"):
        NullSettings(n_random=1000, max_draws=999)
    assert NullSettings(n_random=1000).draw_limit == 20_000
    assert NullSettings(n_random=1000, max_draws=1000).draw_limit == 1000


# ---------------------------------------------------------------------------------------------
# The shuffled stream


def test_shuffled_sets_are_batch_independent_and_match_the_strata():
    counts = np.arange(300) % 97
    labels = count_bins(counts, 5)
    need = {0: 2, 3: 4, 4: 1}

    def stream(seed: int = 4) -> ShuffledSets:
        return ShuffledSets(
            np.random.default_rng(seed), labels.size, 7, strata=labels, k_per_stratum=need
        )

    whole = stream().take(1000)
    s = stream()
    pieces = np.vstack([s.take(1), s.take(333), s.take(666)])
    assert np.array_equal(whole, pieces)
    for row in whole[:200]:
        assert len(set(row)) == 7
        assert {s: int((labels[row] == s).sum()) for s in need} == need
    # Same distribution as RandomSets: every member of a stratum equally likely.
    many = stream(5).take(20_000)
    members = np.flatnonzero(labels == 3)
    freq = np.bincount(many.ravel(), minlength=labels.size)[members]
    expected = 20_000 * 4 / members.size
    chi2 = ((freq - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, members.size - 1) > 1e-4
    ref = RandomSets(np.random.default_rng(5), labels.size, 7, strata=labels, k_per_stratum=need)
    assert not np.array_equal(ref.take(5), stream(5).take(5))  # another stream, same law


def test_shuffled_sets_draw_every_subset_of_a_stratum_equally_often():
    # Strata of 6 and 5 miRNAs, 3 and 2 drawn (one of them whole when k_s = n_s): 20 x 10
    # subsets, all equally likely and independent between strata.
    labels = np.array([0] * 6 + [1] * 5 + [2] * 2)
    sets = ShuffledSets(
        np.random.default_rng(8), 13, 7, strata=labels, k_per_stratum={0: 3, 1: 2, 2: 2}
    ).take(100_000)
    assert (np.sort(sets[:, 5:], axis=1) == [11, 12]).all()
    first = np.sort(sets[:, :3], axis=1) @ [100, 10, 1]
    second = np.sort(sets[:, 3:5], axis=1) @ [10, 1]
    joint = np.unique(first * 1000 + second, return_counts=True)[1]
    assert joint.size == 200
    expected = 100_000 / 200
    assert stats.chi2.sf(((joint - expected) ** 2 / expected).sum(), 199) > 1e-4


# ---------------------------------------------------------------------------------------------
# Calibration per family


def test_calibration_reports_every_family(themed):
    from exomir.enrichment import calibrate
    from exomir.tables import CALIBRATION_SUMMARY

    engine, _ = themed
    null = NullSettings(
        n_random=200, seed=3, sequential_stop=10, max_draws=2000, statistic="overlap"
    )
    result = calibrate(engine, query_size=4, n_queries=12, null=null, threads=2)
    summary = result.summary.set_index("method")
    assert list(result.summary.columns) == list(CALIBRATION_SUMMARY.columns)
    assert (summary["n_focus_terms"] == 3).all()
    for suffix in ("", "_focus", "_all"):
        frac = summary[f"fraction_any_fdr05{suffix}"]
        assert frac.between(0, 1).all()
        assert (summary[f"ci_low{suffix}"] <= frac).all() and (
            frac <= summary[f"ci_high{suffix}"]
        ).all()
    assert result.params["empirical"]["max_draws"] == 2000
    # The same run again gives the same table (extension streams are per query and seeded).
    again = calibrate(engine, query_size=4, n_queries=12, null=null, threads=1)
    pd.testing.assert_frame_equal(result.summary, again.summary)
    # Without focus pathways the focus family is empty, and says so.
    plain = EnrichmentEngine(engine.edges, themed_gene_sets(engine), min_size=5)
    none = calibrate(plain, query_size=4, n_queries=3, null=null).summary
    assert (none["n_focus_terms"] == 0).all() and none["fraction_any_fdr05_focus"].isna().all()


def themed_gene_sets(engine: EnrichmentEngine) -> pd.DataFrame:
    """The engine's libraries back in long format (terms x genes)."""
    m = engine.membership.tocoo()
    terms = engine.terms
    return pd.DataFrame(
        {
            "library": terms["library"].to_numpy()[m.row],
            "term_id": terms["term_id"].to_numpy()[m.row],
            "term": terms["term"].to_numpy()[m.row],
            "gene": engine.genes[m.col],
        }
    )


def test_tail_fit_is_opt_in(themed):
    """Beyond max_draws the counted p-value (or the floor) stands unless tail_fit is on; with it,
    terms with fewer than 10 exceedances at the limit get the generalized Pareto estimate."""
    engine, query = themed
    null = NullSettings(
        n_random=300, seed=3, sequential_stop=10, max_draws=20_000, statistic="overlap"
    )
    # A strict FDR keeps the strongest terms undecided up to the limit (their upper bound
    # stays above what a call at 1e-3 needs), which is where the fit applies.
    counted = engine.analyse("q", query, null=null, fdr=1e-3).table
    counted = counted.set_index(["library", "term_id"])
    fitted = engine.analyse("q", query, null=replace(null, tail_fit=True), fdr=1e-3).table
    fitted = fitted.set_index(["library", "term_id"]).loc[counted.index]
    assert "gpd_tail" not in set(counted["p_method"])
    tail = fitted["p_method"] == "gpd_tail"
    assert tail.any()
    # The fit replaces only counts at the limit: floors (no exceedance) or a few exceedances.
    assert set(counted.loc[tail, "p_method"]) <= {"floor", "extended"}
    assert (counted.loc[tail, "n_null"] == 20_000).all()
    assert np.array_equal(fitted.loc[~tail, "p_emp"], counted.loc[~tail, "p_emp"])


def test_tail_fit_setting_must_be_boolean():
    with pytest.raises(ConfigError, match="tail_fit"):
        NullSettings(tail_fit="yes")
