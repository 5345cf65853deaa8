"""The mirna_sum statistic: per-miRNA scores, exact sums of random sets, and its null."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from test_analytic import toy_engine

from exomir._null import RandomSets
from exomir._scores import (
    GATHER_MAX_K,
    SCORE_CAP,
    SCORE_SCALE,
    ScoreSums,
    mirna_term_scores,
    score_null,
)
from exomir.enrichment import NullSettings


@pytest.fixture(scope="module")
def engine():
    return toy_engine()


def test_scores_are_each_mirnas_own_hypergeometric_p(engine):
    scores = engine.mirna_scores
    assert scores.dtype == np.int32
    assert scores.shape == (len(engine.universe.mirnas), len(engine.terms))
    targets = engine.targets.toarray().astype(np.int64)
    members = engine.membership.toarray().astype(np.int64)
    lib = engine.terms["library_index"].to_numpy()
    in_library = (targets @ engine.library_background.toarray().astype(np.int64))[:, lib]
    overlap = targets @ members.T
    size = engine.terms["term_size"].to_numpy()
    bg = engine.terms["background_size"].to_numpy()
    for m in range(scores.shape[0]):
        for t in range(scores.shape[1]):
            if overlap[m, t] == 0:
                assert scores[m, t] == 0
                continue
            p = stats.hypergeom.sf(overlap[m, t] - 1, bg[t], size[t], in_library[m, t])
            expected = min(-np.log(p), SCORE_CAP) * SCORE_SCALE
            assert abs(scores[m, t] - expected) <= 0.5 + 1e-6 * expected
    assert scores.max() > 0


def test_scores_are_capped():
    # One miRNA whose 40 targets are exactly a 40-gene term among 4,000 genes: p ~ 1e-90.
    import scipy.sparse as sp

    targets = sp.csr_array(np.r_[np.ones(40), np.zeros(3960)][None, :].astype(np.int8))
    membership = targets.copy()
    background = sp.csr_array(np.ones((4000, 1), dtype=np.int8))
    out = mirna_term_scores(targets, membership, background, [0], [40], [4000])
    assert out[0, 0] == SCORE_CAP * SCORE_SCALE


@pytest.mark.parametrize("k", [3, GATHER_MAX_K + 6])
def test_sums_by_gather_and_by_product_are_the_same_integers(k):
    rng = np.random.default_rng(k)
    scores = rng.integers(0, 50_000, size=(80, 13)).astype(np.int32)
    sets = RandomSets(rng, 80, k).take(40)
    expected = scores.astype(np.int64)[sets].sum(axis=1).T
    sums = ScoreSums(scores, k)
    assert sums.gather == (k <= GATHER_MAX_K)
    np.testing.assert_array_equal(sums.sums(sets), expected)
    # The other route gives the same numbers.
    other = ScoreSums(scores, k)
    other.gather = not other.gather
    other.matrix = scores.astype(np.float64)
    np.testing.assert_array_equal(other.sums(sets), expected)
    np.testing.assert_array_equal(sums.restrict(np.array([2, 7])).sums(sets), expected[[2, 7]])


def test_many_terms_use_the_product():
    assert not ScoreSums(np.zeros((2544, 8696), dtype=np.int32), 100).gather
    assert ScoreSums(np.zeros((2544, 20), dtype=np.int32), 100).gather
    assert ScoreSums(np.zeros((2544, 8696), dtype=np.int32), GATHER_MAX_K).gather


def test_large_sums_switch_to_float64_and_stay_exact():
    k = 400  # 400 x 50,000 = 2e7 > 2**24: float32 would round
    rng = np.random.default_rng(1)
    scores = np.full((900, 600), 50_000, dtype=np.int32)
    scores[:, 1] = rng.integers(0, 50_000, size=900)
    sums = ScoreSums(scores, k)
    assert not sums.gather
    assert sums.matrix.dtype == np.float64
    sets = RandomSets(rng, 900, k).take(5)
    np.testing.assert_array_equal(sums.sums(sets), scores.astype(np.int64)[sets].sum(axis=1).T)


@pytest.mark.parametrize("stop_after", [0, 5])
def test_score_null_equals_brute_force(engine, stop_after):
    query = engine.query("q", ["hsa-miR-7", "hsa-miR-20", "hsa-miR-41"])
    observed = engine.observed_scores(query.index)
    rows = np.flatnonzero(observed > 0)
    n_random = 300
    universe = len(engine.universe.mirnas)

    def run(first_batch: int):
        return score_null(
            ScoreSums(engine.mirna_scores[:, rows], query.k),
            observed[rows],
            RandomSets(np.random.default_rng(4), universe, query.k),
            n_random,
            stop_after=stop_after,
            first_batch=first_batch,
            progress=False,
        )

    counts = run(256)
    drawn = RandomSets(np.random.default_rng(4), universe, query.k).take(n_random)
    values = engine.mirna_scores[:, rows].astype(np.int64)[drawn].sum(axis=1).T
    hits = values >= observed[rows][:, None]
    running = np.cumsum(hits, axis=1)
    used = counts.n_drawn
    assert np.array_equal(counts.exceed, running[np.arange(rows.size), used - 1])
    if stop_after == 0:
        assert np.all(used == n_random)
        mean, sd = counts.mean_sd()
        np.testing.assert_allclose(mean, values.mean(axis=1), rtol=1e-12)
        np.testing.assert_allclose(sd, values.std(axis=1, ddof=1), rtol=1e-9)
    else:
        stopped = counts.stopped
        assert stopped.any()
        # A stopped term stops at its h-th exceedance: one draw earlier it had h - 1.
        assert np.all(running[stopped, used[stopped] - 1] == stop_after)
        assert np.all(running[stopped, used[stopped] - 2] == stop_after - 1)
        assert np.all(used[~stopped] == n_random)
        p = counts.pvalues(n_random, stop_after)
        assert np.allclose(p[stopped], stop_after / used[stopped])
    # Batches of any size give the same counts.
    other = run(7)
    assert np.array_equal(other.exceed, counts.exceed)
    assert np.array_equal(other.n_drawn, counts.n_drawn)


def test_mirna_sum_pvalues_are_valid_for_sets_drawn_like_the_null(engine):
    """Uniform random sets against the uniform null: exchangeable, so P(p <= a) <= a."""
    rng = np.random.default_rng(8)
    universe = engine.universe.mirnas
    pvalues = []
    for i in range(40):
        mirnas = [universe[j] for j in rng.choice(len(universe), size=4, replace=False)]
        null = NullSettings(n_random=200, seed=100 + i, stratified=0, max_draws=200)
        pvalues.append(engine.analyse("r", mirnas, null=null).table["p_emp"].to_numpy())
    p = np.concatenate(pvalues)
    for a in (0.05, 0.1, 0.25, 0.5):
        # 480 correlated tests: allow sampling error, but not a systematic excess.
        assert (p <= a).mean() <= a + 0.05
