"""Strata tilted to a set's target counts: weighted draws, their inclusion probabilities, the
tilt itself, and what the engine does with a set the plain strata cannot match."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exomir._analytic import matching_report
from exomir._null import (
    TILT_MAX,
    TILT_MIN_SPAN,
    RandomSets,
    ShuffledSets,
    count_bins,
    inclusion_probabilities,
    stratify,
    tilt_strata,
)
from exomir.enrichment import EnrichmentEngine, NullSettings


def weighted(cls, seed, labels, need, log_weights):
    return cls(
        np.random.default_rng(seed),
        labels.size,
        0,
        strata=labels,
        k_per_stratum=need,
        log_weights=log_weights,
    )


@pytest.mark.parametrize("cls", [ShuffledSets, RandomSets])
def test_a_weighted_draw_of_one_picks_in_proportion_to_weight(cls):
    # With one miRNA drawn, successive sampling is exact: P(i) = w_i / sum(w).
    log_w = np.log(np.arange(1, 11, dtype=float))
    labels = np.zeros(10, dtype=np.int64)
    draws = weighted(cls, 2, labels, {0: 1}, {0: log_w}).take(60_000)
    freq = np.bincount(draws.ravel(), minlength=10) / 60_000
    expected = np.arange(1, 11) / 55
    sd = np.sqrt(expected * (1 - expected) / 60_000)
    assert np.all(np.abs(freq - expected) < 4.5 * sd)


@pytest.mark.parametrize("cls", [ShuffledSets, RandomSets])
def test_weighted_draws_follow_their_inclusion_probabilities(cls):
    log_w = np.linspace(-2.0, 2.0, 60)
    labels = np.zeros(60, dtype=np.int64)
    pi = inclusion_probabilities(log_w, 8)
    assert pi.sum() == pytest.approx(8.0)
    assert np.all(np.diff(pi) > 0)  # heavier members are drawn more often
    draws = weighted(cls, 3, labels, {0: 8}, {0: log_w}).take(40_000)
    assert all(len(set(row)) == 8 for row in draws[:500])
    freq = np.bincount(draws.ravel(), minlength=60) / 40_000
    # Rosen's approximation is within 0.01 here; the Monte Carlo SD is at most 0.0025.
    assert np.abs(freq - pi).max() < 0.02


def test_equal_weights_draw_uniformly():
    pi = inclusion_probabilities(np.zeros(30), 6)
    assert np.allclose(pi, 0.2)
    labels = np.zeros(30, dtype=np.int64)
    draws = weighted(ShuffledSets, 1, labels, {0: 6}, {0: np.zeros(30)}).take(20_000)
    assert np.abs(np.bincount(draws.ravel(), minlength=30) / 20_000 - 0.2).max() < 0.015


@pytest.mark.parametrize("cls", [ShuffledSets, RandomSets])
def test_weighted_streams_do_not_depend_on_batches(cls):
    labels = np.repeat([0, 1, 2], [20, 15, 25])
    need = {0: 3, 1: 2, 2: 4}
    log_w = {2: np.linspace(0.0, 3.0, 25)}  # stratum 1 and 0 stay uniform
    whole = weighted(cls, 9, labels, need, log_w).take(50)
    stream = weighted(cls, 9, labels, need, log_w)
    parts = np.vstack([stream.take(13), stream.take(1), stream.take(36)])
    assert np.array_equal(whole, parts)
    for label, count in need.items():
        assert ((labels[whole] == label).sum(axis=1) == count).all()
    assert all(len(set(row)) == 9 for row in whole)


def test_unweighted_strata_keep_their_stream():
    labels = np.repeat([0, 1], [20, 30])
    plain = ShuffledSets(np.random.default_rng(4), 50, 0, strata=labels, k_per_stratum={0: 2, 1: 3})
    empty = weighted(ShuffledSets, 4, labels, {0: 2, 1: 3}, {})
    assert np.array_equal(plain.take(100), empty.take(100))


def test_inclusion_probabilities_at_the_edges():
    assert np.array_equal(inclusion_probabilities(np.zeros(5), 0), np.zeros(5))
    assert np.array_equal(inclusion_probabilities(np.array([0.0, 9.0, -9.0]), 3), np.ones(3))
    extreme = inclusion_probabilities(np.array([40.0, 0.0, 0.0, 0.0]), 1)
    assert extreme[0] == pytest.approx(1.0) and extreme[1:].max() < 1e-12
    with pytest.raises(ValueError, match="cannot draw 4 of 3"):
        inclusion_probabilities(np.zeros(3), 4)


def test_log_weights_must_fit_their_stratum():
    labels = np.repeat([0, 1], [5, 5])
    with pytest.raises(ValueError, match="stratum 1 needs 5 finite log-weights"):
        weighted(ShuffledSets, 0, labels, {1: 2}, {1: np.zeros(4)})
    with pytest.raises(ValueError, match="finite"):
        weighted(RandomSets, 0, labels, {1: 2}, {1: np.array([0, 0, np.inf, 0, 0])})


def heavy_counts() -> np.ndarray:
    """90 miRNAs in narrow bins of target counts, then 10 spanning 60-600."""
    return np.r_[np.repeat(np.arange(10, 19), 10), np.linspace(60, 600, 10).round()].astype(int)


def test_tilt_matches_a_target_rich_set_in_its_wide_stratum():
    counts = heavy_counts()
    query = np.array([3, 45, 96, 99])  # two ordinary miRNAs and two of the richest
    strata = stratify(counts, query, 10)
    top = strata.labels[99]
    assert (counts[strata.labels == top].max() + 1) / (counts[strata.labels == top].min() + 1) > (
        TILT_MIN_SPAN
    )
    tilted = tilt_strata(strata, counts, query)
    # Only the wide stratum is tilted, towards its richest members.
    assert set(tilted.tilt) == {top} and tilted.tilt[top] > 0
    assert tilted.expected[top] == pytest.approx(counts[[96, 99]].sum(), rel=1e-6)
    assert tilted.null_mean_total() == pytest.approx(counts[query].sum(), rel=1e-6)
    assert strata.null_mean_total() < 0.8 * counts[query].sum()  # what the plain strata give
    draws = tilted.random_sets(np.random.default_rng(5)).take(20_000)
    assert counts[draws].sum(axis=1).mean() == pytest.approx(counts[query].sum(), rel=0.02)
    rows = tilted.describe()
    assert [r.get("tilt") for r in rows] == [None, None, round(tilted.tilt[top], 4)]
    # The plain strata are left as they were.
    assert strata.tilt == {} and strata.log_weights == {}


def test_tilt_goes_both_ways_and_is_flat_at_the_mean():
    counts = heavy_counts()
    poor = tilt_strata(stratify(counts, np.array([90, 91]), 10), counts, np.array([90, 91]))
    assert next(iter(poor.tilt.values())) < 0
    # A pair whose counts average the stratum's mean: no tilt needed.
    top = counts[90:]
    i, j = 92, 97  # 180 + 480 = 2 x 330, the mean of 60..600
    assert counts[i] + counts[j] == 2 * top.mean()
    flat = tilt_strata(stratify(counts, np.array([i, j]), 10), counts, np.array([i, j]))
    assert abs(next(iter(flat.tilt.values()))) < 0.05


def test_tilt_stops_at_its_bound_for_the_richest_miRNA():
    counts = heavy_counts()
    query = np.array([99])  # alone at the very top: no draw of one can average 600
    tilted = tilt_strata(stratify(counts, query, 10), counts, query)
    assert tilted.tilt == {tilted.labels[99]: TILT_MAX}
    # The richest miRNA is then drawn most of the time, but not always.
    assert 0.9 * 600 < tilted.null_mean_total() < 600


def test_tilt_leaves_narrow_and_whole_strata_alone():
    counts = heavy_counts()
    narrow = np.array([5, 15, 25])
    assert tilt_strata(stratify(counts, narrow, 10), counts, narrow).tilt == {}
    whole = np.arange(90, 100)  # the set is its whole stratum (after merging)
    strata = stratify(counts, whole, 10, min_factor=1)
    assert tilt_strata(strata, counts, whole).tilt == {}


def test_matching_report_against_the_tilted_draws():
    counts = heavy_counts()
    query = np.array([3, 45, 96, 99])
    strata = stratify(counts, query, 10)
    base = count_bins(counts, 10)
    plain = matching_report(counts, query, strata.labels, base, strata.need, "mirna_sum")
    assert plain.warning and plain.target_ratio > 1.25 and plain.untilted_ratio is None
    assert "untilted_ratio" not in plain.as_dict()
    tilted = tilt_strata(strata, counts, query)
    report = matching_report(
        counts,
        query,
        strata.labels,
        base,
        strata.need,
        "mirna_sum",
        tilted_total=tilted.null_mean_total(),
    )
    assert report.warning is None and report.target_ratio == pytest.approx(1.0, rel=1e-6)
    assert report.untilted_ratio == pytest.approx(plain.target_ratio)
    assert report.as_dict()["untilted_ratio"] == round(plain.target_ratio, 3)


def rich_engine() -> EnrichmentEngine:
    """40 miRNAs: 30 with 10-18 targets, 10 with 60-600; terms of 30 genes."""
    rng = np.random.default_rng(8)
    counts = np.r_[np.repeat(np.arange(10, 19, 3), 10), np.linspace(60, 600, 10).round()]
    genes = [f"G{i:03d}" for i in range(700)]
    edges = pd.DataFrame(
        [
            (f"hsa-miR-{m}", genes[g])
            for m, c in enumerate(counts.astype(int))
            for g in rng.choice(700, size=c, replace=False)
        ],
        columns=["mirna", "gene"],
    )
    gene_sets = pd.DataFrame(
        [
            ("LIB", f"T{t}", f"term {t}", genes[g])
            for t in range(15)
            for g in rng.choice(700, size=30, replace=False)
        ],
        columns=["library", "term_id", "term", "gene"],
    )
    return EnrichmentEngine(edges, gene_sets, min_size=5)


def test_engine_tilts_a_set_of_the_richest_miRNAs_and_keeps_mirna_sum(caplog):
    engine = rich_engine()
    mirnas = ["hsa-miR-2", "hsa-miR-15", "hsa-miR-36", "hsa-miR-39"]
    null = NullSettings(n_random=300, stratified=4, sequential_stop=0, seed=3)
    index = engine.query("s", mirnas).index
    plain = engine.strata(index, 4)
    assert engine.matching(index, plain, "mirna_sum").warning  # the plain strata cannot match
    with caplog.at_level("INFO", logger="exomir.enrichment"):
        result = engine.analyse("s", mirnas, null=null)
    emp = result.params["empirical"]
    assert emp["statistic"] == "mirna_sum" and "tilted" in emp["statistic_choice"]
    assert emp["tilt"] is True
    assert emp["matching"]["calibration_warning"] is None
    assert emp["matching"]["target_ratio"] == pytest.approx(1.0, abs=1e-3)
    assert emp["matching"]["untilted_ratio"] > 1.25
    assert sum("tilt" in row for row in emp["strata"]) == 1
    assert emp["target_count_sum"]["null_mean"] == pytest.approx(
        emp["target_count_sum"]["set"], abs=0.1
    )
    assert "random sets tilted to the set's target counts" in caplog.text
    # Without the tilt the same set is tested with share, as before.
    off = engine.analyse("s", mirnas, null=NullSettings(**{**vars(null), "tilt": False}))
    assert off.params["empirical"]["statistic"] == "share"
    assert "tilt" not in str(off.params["empirical"]["strata"])
    assert off.params["empirical"]["matching"]["calibration_warning"]
    # Same inputs and seed, same table.
    again = engine.analyse("s", mirnas, null=null)
    pd.testing.assert_frame_equal(result.table, again.table)


def test_engine_leaves_a_set_the_strata_match_alone():
    engine = rich_engine()
    mirnas = ["hsa-miR-2", "hsa-miR-15", "hsa-miR-25"]
    null = NullSettings(n_random=100, stratified=4, sequential_stop=0)
    strata = engine.null_strata(engine.query("s", mirnas), null)
    assert strata.tilt == {}
    emp = engine.analyse("s", mirnas, null=null).params["empirical"]
    assert emp["statistic"] == "mirna_sum" and "untilted_ratio" not in emp["matching"]


def test_tilt_must_be_a_boolean():
    from exomir.errors import ConfigError

    with pytest.raises(ConfigError, match=r"enrichment\.empirical\.tilt must be true or false"):
        NullSettings(tilt="yes")
