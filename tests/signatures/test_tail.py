"""Tests of the signature p-values below ``1/(N+1)``: the generalized Pareto tail of
:func:`exomir.signatures.resolve_tail`, checked against brute force, its fallbacks to the count,
the two tails of two-sided calls and the determinism of the tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exomir import signatures as sg
from exomir._pvalues import GPD_MAX_EXCEEDANCES, GPD_TAIL_SIZE, fit_gpd_tail
from exomir.tables import SIGNATURES


def resolve(kind: str, observed: float, null: np.ndarray) -> sg.TailPvalue:
    """The resolved p-values of one call, from its counted ones as score_set computes them."""
    up, down = sg.empirical_pvalues(np.array([observed]), np.asarray(null, float)[:, None])
    return sg.resolve_tail(kind, observed, null, up[0], down[0])


def test_the_vocabulary_is_the_enrichments():
    from exomir._pvalues import P_METHODS

    assert sg.P_METHODS == ("exceedances", "gpd_tail", "floor")
    assert set(sg.P_METHODS) <= set(P_METHODS)


# -- agreement with brute force ------------------------------------------------------------------


def test_tail_pvalue_agrees_with_brute_force_beyond_every_random_set():
    # Nulls of N = 1,000 exponential scores, the observed score at the 1e-4 upper quantile
    # (ln 1e4 = 9.21), beyond all 1,000 in each null used: counting can only say p <= 1/1001.
    # The exponential's tail beyond any threshold is exactly a GPD (shape 0), so the tail fit
    # has no model error, only the estimation error of extrapolating from 250 exceedances
    # (the top quarter) by a factor of 2,500 in probability.  That error is large for one null
    # (SD of log p about 3, with a long low tail where the fitted shape is negative), so the
    # test compares the median over 40 independent nulls: over 3,200 nulls (80 groups of 40),
    # the median's ratio to the true p was 0.82 (ML bias) with an SD of log ratio of 0.32
    # (range 0.33 to 1.66).  The brute-force p-value from 1e6 draws has ~100 exceedances, a
    # Monte Carlo error of about 10 %.  Agreement within a factor of 3 is then 2.8 SDs of the
    # median's spread on the low side; the floor (a factor of 10), the lower tail or a wrong
    # exceedance rate (p scaled by n_exceed/N with the wrong N) all fail it.
    n, observed = 1_000, float(np.log(1e4))
    brute = np.random.default_rng(2009).exponential(size=1_000_000)
    brute_p = (1.0 + np.sum(brute >= observed)) / (1.0 + brute.size)
    assert brute_p == pytest.approx(1e-4, rel=0.35)  # the brute force itself, within 3.5 SE

    tails = []
    for seed in range(60):
        null = np.random.default_rng(seed).exponential(size=n)
        if null.max() >= observed:
            continue  # not beyond every random set
        result = resolve("score", observed, null)
        if result.method == "gpd_tail":
            tails.append(result.p_up)
        else:  # no acceptable fit (about 2 % of nulls): the floor, an upper bound
            assert (result.method, result.p_up) == ("floor", pytest.approx(1 / (n + 1)))
        if len(tails) == 40:
            break
    assert len(tails) == 40
    ratio = np.median(tails) / brute_p
    assert 1 / 3 < ratio < 3


def test_tail_pvalue_is_the_fit_of_the_largest_random_scores():
    # Wiring: the p-value is the tail probability of fit_gpd_tail on the GPD_TAIL_SIZE + 1
    # largest random scores out of N, at the observed score.
    null = np.random.default_rng(5).gamma(2.0, 1.0, size=2_000)
    observed = float(null.max() + 1.0)
    result = resolve("score", observed, null)
    fit = fit_gpd_tail(np.sort(null)[-(GPD_TAIL_SIZE + 1) :], null.size)
    assert fit is not None and result.fit == fit
    assert result.method == "gpd_tail"
    assert result.p_up == fit.pvalue(observed) < 1 / (null.size + 1)
    assert result.p_down == 1.0  # the untested tail stays counted


def test_few_exceedances_are_resolved_and_many_are_counted():
    null = np.sort(np.random.default_rng(8).exponential(size=1_000))
    # Five random sets above the score: fewer than GPD_MAX_EXCEEDANCES, the fit replaces the
    # count (Knijnenburg et al.: the count is too coarse there).
    few = float(0.5 * (null[-5] + null[-6]))
    assert resolve("score", few, null).method == "gpd_tail"
    # GPD_MAX_EXCEEDANCES random sets at or above the score: counting is accurate enough.
    many = float(null[-GPD_MAX_EXCEEDANCES])
    result = resolve("score", many, null)
    assert (result.method, result.fit) == ("exceedances", None)
    assert result.p_up == pytest.approx((1 + GPD_MAX_EXCEEDANCES) / 1_001)


# -- fallbacks to the count ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "null"),
    [
        # 97 % of random sets score 0, the others one value: no continuous tail to fit.
        ("atoms", np.repeat([0.0, 0.9], [970, 30])),
        # A uniform null: a bounded tail (shape -1) below the smallest acceptable shape.
        ("bounded", np.random.default_rng(4).uniform(0.0, 1.0, size=1_000)),
        # Too few random sets for any tail of GPD_MIN_EXCEEDANCES exceedances.
        ("small N", np.random.default_rng(4).exponential(size=40)),
    ],
)
def test_a_rejected_fit_reports_the_floor(case, null):
    observed = float(null.max() + 2.0)
    result = resolve("score", observed, null)
    assert (result.method, result.fit) == ("floor", None), case
    assert result.p_up == pytest.approx(1 / (null.size + 1))
    # Two-sided: the same floor, doubled by the call.
    lean = resolve("lean", observed, null)
    assert lean.method == "floor"
    assert sg.call_direction("lean", observed, lean.p_up, lean.p_down, 0.05)[1] == pytest.approx(
        2 / (null.size + 1)
    )


def test_beyond_the_end_of_a_bounded_fitted_tail_is_the_floor():
    # A fitted tail with negative shape ends at threshold + scale / |shape|; beyond it the fit
    # says p = 0, which no finite sample supports: the floor stands.
    null = np.random.default_rng(11).beta(1.0, 3.0, size=2_000)  # GPD tail of shape -1/3
    fit = fit_gpd_tail(np.sort(null)[-(GPD_TAIL_SIZE + 1) :], null.size)
    assert fit is not None and fit.shape < 0
    end = fit.threshold - fit.scale / fit.shape
    result = resolve("score", float(end + 0.1), null)
    assert (result.method, result.p_up) == ("floor", pytest.approx(1 / 2_001))


def test_a_rejected_fit_with_some_exceedances_keeps_the_count():
    null = np.repeat([0.0, 0.9, 2.0], [970, 27, 3])
    result = resolve("score", 1.5, null)
    assert (result.method, result.p_up) == ("exceedances", pytest.approx(4 / 1_001))


# -- two-sided calls: the tail tested ------------------------------------------------------------


def _lean_case(sign: float) -> tuple[float, np.ndarray]:
    """A set far out on the pro-tumour (sign +1) or anti-tumour (-1) side of 1,000 random sets
    with correlated, skewed pro- and anti-tumour scores."""
    rng = np.random.default_rng(21)
    shared = rng.gamma(2.0, 1.0, size=1_000)
    pro = shared + rng.gamma(2.0, 1.0, size=1_000)
    anti = 3.0 * (shared + rng.gamma(2.0, 1.0, size=1_000))
    far, usual = float(pro.max() + 1.0), float(np.median(anti))
    if sign > 0:
        return sg.lean_scores((far, usual), (pro, anti))
    # The same scores with the roles swapped: the lean and its null are negated exactly.
    return sg.lean_scores((usual / 3.0, 3.0 * far), (anti / 3.0, 3.0 * pro))


def test_two_sided_lean_resolves_the_tail_it_lies_in_both_directions():
    pro_lean, pro_null = _lean_case(+1.0)
    anti_lean, anti_null = _lean_case(-1.0)
    assert pro_lean > pro_null.max() and anti_lean < anti_null.min()
    np.testing.assert_allclose(anti_null, -pro_null, atol=1e-12)

    pro = resolve("lean", pro_lean, pro_null)
    anti = resolve("lean", anti_lean, anti_null)
    assert (pro.method, pro.tail, anti.method, anti.tail) == ("gpd_tail", "up", "gpd_tail", "down")
    # The lower tail is the upper tail of the negated scores: the same fit, the same p-value.
    assert anti.p_down == pytest.approx(pro.p_up, rel=1e-6)
    assert pro.p_up < 1 / 1_001
    assert (pro.p_down, anti.p_up) == (1.0, 1.0)
    # ... doubled by the call, which reads the direction off the resolved p-values.
    assert sg.call_direction("lean", pro_lean, pro.p_up, pro.p_down, 0.05) == (
        "pro_tumour",
        pytest.approx(2 * pro.p_up),
    )
    assert sg.call_direction("lean", anti_lean, anti.p_up, anti.p_down, 0.05) == (
        "anti_tumour",
        pytest.approx(2 * anti.p_down),
    )
    # A pathway is two-sided alike; a score tests only its upper tail (here: nothing below).
    assert resolve("pathway", anti_lean, anti_null).p_down == anti.p_down
    assert resolve("score", anti_lean, anti_null).method == "exceedances"


# -- through score_set ---------------------------------------------------------------------------


def _planted(model, random_universe) -> tuple[pd.DataFrame, dict[str, float]]:
    """A noisy universe of 200 miRNAs with random edges to every model gene, plus three miRNAs
    that repress the tumour suppressors hard and two weighted background miRNAs."""
    edges = random_universe(17, 200, model.genes)
    planted = {f"hsa-miR-{900 + i}-5p": {"PTEN": 1.0, "TSC1": 1.0, "TSC2": 1.0} for i in range(3)}
    rows = [(m, g, c) for m, genes in planted.items() for g, c in genes.items()]
    edges = pd.concat([edges, pd.DataFrame(rows, columns=edges.columns)], ignore_index=True)
    mirnas = dict.fromkeys(planted, 1.0) | {"hsa-miR-100-5p": 2.0, "hsa-miR-101-5p": 0.5}
    return edges, mirnas


def test_score_set_resolves_the_tail_and_is_deterministic(model, random_universe, score, tmp_path):
    edges, mirnas = _planted(model, random_universe)
    # The tail fit is opt-in (enrichment.empirical.tail_fit); without it the counts stand.
    counted = score(edges, mirnas, model, n_random=2000).table
    assert "gpd_tail" not in set(counted["p_method"])
    first = score(edges, mirnas, model, n_random=2000, tail_fit=True)
    table = first.table.set_index("key")
    tail = table[table["p_method"] == "gpd_tail"]
    assert {"pro_tumour", "tumour_lean"} <= set(tail.index)
    assert set(table["p_method"]) <= set(sg.P_METHODS)
    # The table's p-values follow the call rules from the resolved tails.
    lean = table.loc["tumour_lean"]
    assert lean["direction"] == "pro_tumour"
    assert lean["p_value"] == pytest.approx(2 * lean["p_up"])
    assert table.at["pro_tumour", "p_value"] == table.at["pro_tumour", "p_up"]
    # ... with their FDR over the set's calls beside them.
    assert (table["fdr"] >= table["p_value"]).all()
    # Every resolved call's fit is in the parameters, and no other.
    fits = first.params["null"]["tail_fits"]
    assert set(fits) == set(tail.index)
    assert fits["pro_tumour"]["tail"] == "up" and fits["pro_tumour"]["n_total"] == 2000
    # Same inputs and seed: byte-identical outputs.
    second = score(edges, mirnas, model, n_random=2000, tail_fit=True)
    for name, result in (("a", first), ("b", second)):
        result.write(tmp_path / f"{name}.tsv", params=tmp_path / f"{name}.json")
    for suffix in ("tsv", "json"):
        assert (tmp_path / f"a.{suffix}").read_bytes() == (tmp_path / f"b.{suffix}").read_bytes()
    # The summary and the table check accept the resolved rows.
    checked = sg.check_table(first.table, set_name="query")
    assert list(checked.columns) == list(SIGNATURES.columns)
    assert "gpd_tail" in set(checked["p_method"])
