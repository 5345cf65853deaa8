"""Analytic bias-corrected tests: noncentral hypergeometric tails against scipy, the per-gene
targeting probability against enumeration, and the matching report."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats

from exomir._analytic import (
    TermCounts,
    analytic_pvalues,
    conditional_pvalues,
    fisher_noncentral_sf,
    fisher_odds_for_mean,
    matching_report,
    targeting_probability,
    tilt_to_total,
    wallenius_mean,
    wallenius_pvalues,
)
from exomir._null import count_bins, stratify
from exomir._stats import hypergeometric_sf


def small_cases(n_cases: int = 200, total: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    m1 = rng.integers(5, 60, n_cases)
    n = rng.integers(10, 150, n_cases)
    odds = rng.uniform(0.3, 4.0, n_cases)
    return total, m1, n, odds


def test_fisher_tail_matches_scipy():
    total, m1, n, odds = small_cases()
    x = np.random.default_rng(1).integers(0, 40, m1.size)
    ours = fisher_noncentral_sf(x, m1, total - m1, n, odds)
    ref = stats.nchypergeom_fisher.sf(x - 1, total, m1, n, odds)
    # scipy computes the tail as 1 - cdf (absolute error ~3e-16): compare relative where that
    # is negligible, absolute elsewhere.
    big = ref > 1e-6
    np.testing.assert_allclose(ours[big], ref[big], rtol=1e-8)
    assert np.all(np.abs(ours - ref) < 1e-12)


def test_fisher_tail_at_odds_one_is_the_hypergeometric_tail():
    x = np.array([0, 3, 10, 40, 80, 120])
    ours = fisher_noncentral_sf(x, 200, 14_000, 3_000, 1.0)
    np.testing.assert_allclose(ours, hypergeometric_sf(x, 200, 3_000, 14_200), rtol=1e-9)


def test_fisher_tail_far_out_does_not_underflow():
    p = fisher_noncentral_sf(400, 400, 14_000, 2_000, 1.0)
    assert 0 < p < 1e-300 or p == 0  # ~1e-330: below double range
    q = fisher_noncentral_sf(200, 400, 14_000, 2_000, 1.0)
    assert 0 < q < 1e-60
    ref = stats.hypergeom.logsf(199, 14_400, 400, 2_000)
    assert np.log(q) == pytest.approx(ref, rel=1e-9)


def test_fisher_tail_edges_and_bad_input():
    assert fisher_noncentral_sf(0, 10, 10, 5, 2.0) == 1.0
    assert fisher_noncentral_sf(6, 10, 10, 5, 2.0) == 0.0
    assert fisher_noncentral_sf(5, 10, 0, 5, 2.0) == 1.0  # the support is one point
    with pytest.raises(ValueError, match="odds"):
        fisher_noncentral_sf(1, 10, 10, 5, 0.0)
    with pytest.raises(ValueError, match="m1"):
        fisher_noncentral_sf(1, 10, 10, 25, 1.0)


def test_odds_for_mean_inverts_the_fisher_mean():
    total, m1, n, odds = small_cases()
    mean = stats.nchypergeom_fisher.mean(total, m1, n, odds)
    np.testing.assert_allclose(fisher_odds_for_mean(mean, m1, total - m1, n), odds, rtol=1e-8)


def test_wallenius_mean_matches_scipy():
    total, m1, n, odds = small_cases()
    ours = wallenius_mean(m1, total - m1, n, odds)
    ref = stats.nchypergeom_wallenius.mean(total, m1, n, odds)
    assert np.max(np.abs(ours - ref)) < 0.05


@pytest.mark.parametrize("z", [0, 1, 2, 3])
def test_wallenius_tail_approximation_against_scipy(z):
    """Fisher's tail with the Wallenius mean: within a few % at the mean, 25 % at 3 SD."""
    total, m1, n, odds = small_cases()
    mean = stats.nchypergeom_wallenius.mean(total, m1, n, odds)
    sd = np.sqrt(stats.nchypergeom_wallenius.var(total, m1, n, odds))
    x = np.ceil(mean + z * sd).astype(np.int64)
    fisher = fisher_odds_for_mean(wallenius_mean(m1, total - m1, n, odds), m1, total - m1, n)
    ours = fisher_noncentral_sf(x, m1, total - m1, n, fisher)
    ref = stats.nchypergeom_wallenius.sf(x - 1, total, m1, n, odds)
    keep = ref > 1e-8
    ratio = ours[keep] / ref[keep]
    assert ratio.min() > [0.98, 0.95, 0.85, 0.75][z]
    assert ratio.max() < 1.02


def brute_force_probability(targets: np.ndarray, labels: np.ndarray, need: dict) -> np.ndarray:
    """Share of all stratified random sets whose target union holds each gene."""
    choices = [
        list(itertools.combinations(np.flatnonzero(labels == s).tolist(), k))
        for s, k in sorted(need.items())
    ]
    hits = np.zeros(targets.shape[1])
    count = 0
    for combo in itertools.product(*choices):
        rows = [r for part in combo for r in part]
        hits += targets[rows].any(axis=0)
        count += 1
    return hits / count


def test_targeting_probability_equals_enumeration():
    rng = np.random.default_rng(3)
    targets = (rng.random((9, 12)) < 0.3).astype(np.int8)
    targets[:, 0] = 0  # a gene no miRNA targets
    targets[:, 1] = 1  # a gene every miRNA targets
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2])
    need = {0: 2, 1: 1, 2: 2}
    ours = targeting_probability(sp.csr_array(targets), labels, need)
    np.testing.assert_allclose(ours, brute_force_probability(targets, labels, need), atol=1e-12)
    assert ours[0] == 0 and ours[1] == 1
    with pytest.raises(ValueError, match="fewer than"):
        targeting_probability(sp.csr_array(targets), labels, {2: 3})


def test_tilt_reaches_the_total_and_keeps_order():
    p = np.array([0.0, 0.05, 0.2, 0.5, 0.9, 1.0])
    tilted, shift = tilt_to_total(p, 4.0)
    assert tilted.sum() == pytest.approx(4.0, abs=1e-9)
    assert shift > 0 and tilted[0] == 0 and tilted[-1] == 1
    assert np.all(np.diff(tilted) >= 0)
    lower, shift = tilt_to_total(p, 1.5)
    assert lower.sum() == pytest.approx(1.5, abs=1e-9) and shift < 0


def toy_library(n_genes: int = 400, n_terms: int = 30, seed: int = 5):
    rng = np.random.default_rng(seed)
    membership = sp.csr_array((rng.random((n_terms, n_genes)) < 0.08).astype(np.float64))
    background = sp.csr_array(np.ones((n_genes, 1)))
    sizes = np.asarray(membership.sum(axis=1)).astype(np.int64)
    return membership, background, sizes


def toy_counts(membership, background, sizes, overlap, n_targets):
    """One library: every term's counts for a set with ``n_targets`` targets."""
    return TermCounts(
        overlap=np.asarray(overlap, dtype=np.int64),
        term_size=sizes,
        background_size=np.full(sizes.size, background.shape[0]),
        n_targets=np.full(sizes.size, n_targets),
        library_of_term=np.zeros(sizes.size, dtype=np.int64),
        membership=membership,
        library_background=background,
    )


def test_equal_weights_give_the_hypergeometric_test():
    """With every gene equally likely to be targeted both tests are ORA."""
    membership, background, sizes = toy_library()
    n_genes = background.shape[0]
    overlap = np.random.default_rng(6).integers(0, 12, sizes.size)
    counts = toy_counts(membership, background, sizes, overlap, 90)
    ora = hypergeometric_sf(overlap, sizes, 90, n_genes)
    for method in ("conditional", "wallenius"):
        p, expected = analytic_pvalues(method, counts, np.full(n_genes, 0.1))
        np.testing.assert_allclose(p, ora, rtol=1e-6)
        np.testing.assert_allclose(expected, sizes * 90 / n_genes, rtol=1e-6)
    with pytest.raises(ValueError, match="unknown analytic method"):
        analytic_pvalues("bufet", counts, np.full(n_genes, 0.1))


def test_weights_move_the_expected_overlap():
    """A term of often-targeted genes expects more overlap, so the same overlap is less
    significant than under ORA; a term of rarely targeted genes the opposite."""
    membership, background, sizes = toy_library()
    n_genes = background.shape[0]
    prob = np.full(n_genes, 0.05)
    hot = membership[[0]].toarray().ravel() > 0
    prob[hot] = 0.6
    overlap = np.ceil(sizes * 90 / n_genes).astype(np.int64) + 3
    counts = toy_counts(membership, background, sizes, overlap, 90)
    ora = hypergeometric_sf(overlap, sizes, 90, n_genes)
    for fn in (conditional_pvalues, wallenius_pvalues):
        p, expected = fn(counts, prob)
        assert expected[0] > sizes[0] * 90 / n_genes
        assert p[0] > ora[0]
        cold = membership @ hot.astype(float) == 0
        assert np.all(p[cold] <= ora[cold] + 1e-12)


def test_conditional_test_is_calibrated_on_weighted_draws():
    """Simulated sets drawn gene by gene with the weights: p < 0.05 in about 5 % of tests."""
    membership, background, sizes = toy_library(n_genes=600, n_terms=40, seed=8)
    n_genes = background.shape[0]
    rng = np.random.default_rng(9)
    prob = rng.beta(0.5, 3.0, n_genes)
    rates = []
    for _ in range(200):
        union = rng.random(n_genes) < prob
        overlap = (membership @ union.astype(float)).astype(np.int64)
        counts = toy_counts(membership, background, sizes, overlap, int(union.sum()))
        p, _ = conditional_pvalues(counts, prob)
        rates.append((p < 0.05).mean())
    # Discreteness and within-term heterogeneity make the test slightly conservative.
    assert 0.02 < np.mean(rates) < 0.06


def test_matching_report_flags_sets_the_strata_cannot_match():
    counts = np.repeat(np.arange(1, 101), 3)  # 300 miRNAs, 1-100 targets
    base = count_bins(counts, 10)
    small = np.array([5, 100, 200])
    strata = stratify(counts, small, 10, base=base)
    report = matching_report(counts, small, strata.labels, base, strata.need)
    assert report.warning is None and report.merged_share == 0
    assert 0.7 < report.target_ratio < 1.3
    rich = np.arange(300 - 60, 300)  # 60 most target-rich miRNAs: the top bins must merge
    strata = stratify(counts, rich, 10, base=base)
    report = matching_report(counts, rich, strata.labels, base, strata.need)
    assert strata.merged > 0
    assert report.merged_share == 1.0 and report.target_ratio > 1.25
    assert "cannot match" in report.warning
    assert report.as_dict()["calibration_warning"] == report.warning
    # The wording follows the statistic.
    assert "share statistic compares" in report.warning
    summed = matching_report(counts, rich, strata.labels, base, strata.need, "mirna_sum")
    assert "mirna_sum statistic scores each miRNA" in summed.warning
    overlap = matching_report(counts, rich, strata.labels, base, strata.need, "overlap")
    assert "too small" in overlap.warning


def toy_engine(min_size: int = 5, seed: int = 11):
    from exomir.enrichment import EnrichmentEngine

    rng = np.random.default_rng(seed)
    genes = [f"G{i:03d}" for i in range(200)]
    edges = pd.DataFrame(
        [
            (f"hsa-miR-{m}", genes[g])
            for m in range(1, 61)
            for g in rng.choice(200, size=2 * m, replace=False)
        ],
        columns=["mirna", "gene"],
    )
    gene_sets = pd.DataFrame(
        [
            ("LIB", f"T{t}", f"term {t}", genes[g])
            for t in range(12)
            for g in rng.choice(200, size=20, replace=False)
        ],
        columns=["library", "term_id", "term", "gene"],
    )
    return EnrichmentEngine(edges, gene_sets, min_size=min_size)


def test_engine_reports_a_set_the_strata_cannot_match(caplog):
    from exomir.enrichment import NullSettings

    engine = toy_engine()
    null = NullSettings(n_random=50, stratified=10, sequential_stop=0)
    rich = [f"hsa-miR-{m}" for m in range(49, 61)]  # the 12 most target-rich of 60
    with caplog.at_level("WARNING", logger="exomir.enrichment"):
        result = engine.analyse("rich", rich, null=null)
    matching = result.params["empirical"]["matching"]
    assert matching["merged_share"] == 1.0
    assert "cannot match" in matching["calibration_warning"]
    assert any("cannot match" in r.getMessage() for r in caplog.records)
    caplog.clear()
    spread = ["hsa-miR-3", "hsa-miR-30", "hsa-miR-58"]
    with caplog.at_level("WARNING", logger="exomir.enrichment"):
        result = engine.analyse("spread", spread, null=null)
    assert result.params["empirical"]["matching"]["calibration_warning"] is None
    assert not any("cannot match" in r.getMessage() for r in caplog.records)


def brute_force_share(engine, query, overlap, n_targets, sets):
    """Share-statistic exceedances, one random set at a time."""
    lib = engine.terms["library_index"].to_numpy()
    exceed = np.zeros(overlap.size, dtype=np.int64)
    for row in sets:
        union = engine.unions.union(row).astype(np.int64)
        x_r = engine.membership.astype(np.int64) @ union
        n_r = (engine.library_background.T.astype(np.int64) @ union)[lib]
        exceed += x_r * n_targets >= overlap * n_r
    return exceed


@pytest.mark.parametrize("stop_after", [0, 5])
def test_share_null_equals_brute_force(stop_after):
    from exomir._null import RandomSets, sequential_null

    engine = toy_engine()
    query = engine.query("q", ["hsa-miR-7", "hsa-miR-20", "hsa-miR-41"])
    overlap, n_targets, _ = engine.observed(query)
    n_random = 300
    sets = RandomSets(np.random.default_rng(4), len(engine.universe.mirnas), query.k)
    rows = np.arange(overlap.size)
    counts = sequential_null(
        engine.membership,
        overlap,
        sets,
        engine.unions,
        n_random,
        stop_after=stop_after,
        share=engine.share_test(rows, n_targets),
    )
    lib = engine.terms["library_index"].to_numpy()
    drawn = RandomSets(np.random.default_rng(4), len(engine.universe.mirnas), query.k).take(
        n_random
    )
    if stop_after == 0:
        np.testing.assert_array_equal(
            counts.exceed, brute_force_share(engine, query, overlap, n_targets, drawn)
        )
        assert np.all(counts.n_drawn == n_random)
    else:
        for t in range(overlap.size):
            used = counts.n_drawn[t]
            got = brute_force_share(engine, query, overlap, n_targets, drawn[:used])[t]
            assert got == counts.exceed[t]
            if counts.stopped[t]:
                assert got == stop_after
                # the stop is at the h-th exceedance: one draw fewer has h - 1
                assert (
                    brute_force_share(engine, query, overlap, n_targets, drawn[: used - 1])[t]
                    == stop_after - 1
                )
            else:
                assert used == n_random
    # the null mean of the overlap is the random sets' mean overlap, the statistic's their share
    mean, _ = counts.mean_sd()
    assert np.all(np.isfinite(mean))
    share_mean, share_sd = counts.statistic_mean_sd()
    if stop_after == 0:
        union = np.stack([engine.unions.union(row) for row in drawn]).astype(np.int64)
        x_r = union @ engine.membership.T.astype(np.int64)
        n_r = (union @ engine.library_background.astype(np.int64))[:, lib]
        shares = x_r / np.maximum(n_r, 1)
        np.testing.assert_allclose(share_mean, shares.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(share_sd, shares.std(axis=0, ddof=1), rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(mean, x_r.mean(axis=0), rtol=1e-12)


def test_engine_statistic_default_is_mirna_sum_and_each_is_recorded():
    from exomir.enrichment import NullSettings

    assert NullSettings().statistic == "auto"
    engine = toy_engine()
    mirnas = ["hsa-miR-7", "hsa-miR-20", "hsa-miR-41"]
    results = {
        statistic: engine.analyse(
            "s", mirnas, null=NullSettings(n_random=200, stratified=10, statistic=statistic)
        )
        for statistic in ("mirna_sum", "share", "overlap")
    }
    for statistic, result in results.items():
        assert result.params["empirical"]["statistic"] == statistic
        # Only mirna_sum fills its observed statistic.
        assert result.table["mirna_score"].notna().any() == (statistic == "mirna_sum")
    assert not results["share"].table["p_emp"].equals(results["overlap"].table["p_emp"])
    assert not results["share"].table["p_emp"].equals(results["mirna_sum"].table["p_emp"])
    # auto: mirna_sum for a set the strata match, recorded with the reason.
    again = engine.analyse("s", mirnas, null=NullSettings(n_random=200, stratified=10))
    pd.testing.assert_frame_equal(results["mirna_sum"].table, again.table)
    assert again.params["empirical"]["statistic"] == "mirna_sum"
    assert "strata match" in again.params["empirical"]["statistic_choice"]
    assert "statistic_choice" not in results["share"].params["empirical"]


def test_auto_statistic_takes_share_where_the_strata_cannot_match():
    from exomir.enrichment import NullSettings

    engine = toy_engine()
    rich = [f"hsa-miR-{m}" for m in range(49, 61)]  # the 12 most target-rich of 60
    null = NullSettings(n_random=100, stratified=10, sequential_stop=0)
    auto = engine.analyse("rich", rich, null=null)
    share = engine.analyse("rich", rich, null=NullSettings(**{**vars(null), "statistic": "share"}))
    assert auto.params["empirical"]["statistic"] == "share"
    assert "cannot match" in auto.params["empirical"]["statistic_choice"]
    pd.testing.assert_frame_equal(auto.table, share.table)
    # Without strata there is nothing to match: share.
    flat = engine.analyse(
        "u", ["hsa-miR-3", "hsa-miR-30"], null=NullSettings(n_random=50, stratified=0)
    )
    assert flat.params["empirical"]["statistic"] == "share"
    # The choice is the engine's, from target counts only.
    chosen, why = engine.resolve_statistic(engine.query("r", rich).index, null)
    assert chosen.statistic == "share" and why
    same, none = engine.resolve_statistic([0, 1], NullSettings(statistic="overlap"))
    assert same.statistic == "overlap" and none == ""


def test_unknown_statistic_is_a_config_error():
    from exomir.enrichment import NullSettings
    from exomir.errors import ConfigError

    with pytest.raises(ConfigError, match="statistic"):
        NullSettings(statistic="ratio")


def test_calibration_uses_the_runs_statistic(monkeypatch):
    """With statistic: share every calibration query is tested as the run tests a set."""
    import exomir._calibration as calibration
    from exomir.enrichment import NullSettings, calibrate

    engine = toy_engine()
    calls = []
    original = calibration.EnrichmentEngine.first_null

    def spy(self, *args, **kwargs):
        calls.append(args[-1].statistic)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(calibration.EnrichmentEngine, "first_null", spy)
    null = NullSettings(n_random=100, stratified=0, sequential_stop=0)
    result = calibrate(engine, query_size=3, n_queries=4, null=null)
    # auto: the uniform calibration null has no strata, so every query takes share.
    assert calls == ["share"] * 4
    assert result.params["empirical"]["statistic"] == "auto"
    assert result.params["empirical"]["statistic_per_query"] == {"share": 4}
    p = result.pvalues
    assert len(p) and p.drop(columns="method").notna().all().all()
