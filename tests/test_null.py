"""Empirical miRNA-set null: random sets, target unions, exceedance counts, sequential stopping."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from exomir import _null
from exomir._null import (
    MIN_STRATUM_FACTOR,
    RandomSets,
    TargetUnions,
    count_bins,
    log10_distinct_uniform,
    null_tails,
    overlaps,
    sequential_null,
    stratify,
)
from exomir.enrichment import EnrichmentEngine, NullSettings


def toy(seed: int = 0, n_mirnas: int = 40, n_genes: int = 150, n_terms: int = 30):
    """Random target matrix with a few 'long-UTR' genes that many miRNAs hit, and terms."""
    rng = np.random.default_rng(seed)
    rate = np.where(np.arange(n_genes) < 20, 0.45, 0.06)
    targets = (rng.random((n_mirnas, n_genes)) < rate).astype(np.int8)
    member = np.zeros((n_terms, n_genes), dtype=np.int16)
    for t in range(n_terms):
        size = rng.integers(5, 40)
        member[t, rng.choice(n_genes, size=size, replace=False)] = 1
    return sp.csr_array(targets), sp.csr_array(member)


def brute_overlaps(targets, member, sets):
    """Overlap of every term with the target union of every set, by Python sets."""
    t_sets = [set(np.flatnonzero(row)) for row in targets.toarray()]
    m_sets = [set(np.flatnonzero(row)) for row in member.toarray()]
    out = np.zeros((len(m_sets), len(sets)), dtype=np.int64)
    for j, s in enumerate(sets):
        union = set().union(*(t_sets[i] for i in s))
        for t, genes in enumerate(m_sets):
            out[t, j] = len(genes & union)
    return out


def test_random_sets_are_without_replacement_and_batch_independent():
    a = RandomSets(np.random.default_rng(5), 30, 7)
    b = RandomSets(np.random.default_rng(5), 30, 7)
    whole = a.take(50)
    parts = np.vstack([b.take(13), b.take(1), b.take(36)])
    assert whole.shape == (50, 7)
    assert all(len(set(row)) == 7 for row in whole)
    assert whole.min() >= 0 and whole.max() < 30
    assert np.array_equal(np.sort(whole, axis=1), np.sort(parts, axis=1))


def test_random_sets_are_uniform():
    sets = RandomSets(np.random.default_rng(1), 20, 4).take(20_000)
    freq = np.bincount(sets.ravel(), minlength=20) / 20_000
    # Each miRNA is in a set with probability k / U = 0.2; SD of the estimate ~0.003.
    assert np.abs(freq - 0.2).max() < 0.015


def test_random_sets_stratified_keep_counts_per_stratum():
    strata = np.repeat([0, 1, 2], [10, 5, 15])
    sets = RandomSets(
        np.random.default_rng(2), 30, 0, strata=strata, k_per_stratum={0: 2, 1: 5, 2: 1}
    ).take(200)
    labels = strata[sets]
    assert sets.shape == (200, 8)
    assert ((labels == 0).sum(axis=1) == 2).all()
    assert ((labels == 1).sum(axis=1) == 5).all()  # the whole stratum
    assert ((labels == 2).sum(axis=1) == 1).all()


def test_random_sets_reject_impossible_sizes():
    with pytest.raises(ValueError, match="cannot draw 5 of 4"):
        RandomSets(np.random.default_rng(0), 4, 5)
    with pytest.raises(ValueError, match="universe is empty"):
        RandomSets(np.random.default_rng(0), 0, 1)


def test_random_sets_name_a_stratum_too_small_for_its_draw():
    strata = np.repeat([0, 1], [10, 2])
    with pytest.raises(ValueError, match="cannot draw 3 of 2 miRNAs of stratum 1"):
        RandomSets(np.random.default_rng(0), 12, 0, strata=strata, k_per_stratum={0: 1, 1: 3})


def test_count_bins_are_quantiles_without_gaps():
    counts = np.array([1] * 30 + list(range(2, 72)))  # 100 miRNAs, 30 tied at the bottom
    labels = count_bins(counts, 10)
    # The tied 30 fill the first three deciles, which merge into one bin.
    assert labels.min() == 0 and np.array_equal(np.unique(labels), np.arange(labels.max() + 1))
    assert (labels[:30] == 0).all() and labels.max() == 7
    order = np.argsort(counts, kind="stable")
    assert (np.diff(labels[order]) >= 0).all()  # increasing with count
    assert np.array_equal(count_bins(np.arange(50), 1), np.zeros(50))
    with pytest.raises(ValueError, match="bins must be >= 1"):
        count_bins(counts, 0)


def test_stratify_matches_the_set_per_bin():
    counts = np.arange(1, 201)  # 200 miRNAs, 10 bins of 20
    query = np.array([5, 150, 190, 195])
    strata = stratify(counts, query, 10)
    assert strata.merged == 0 and strata.n_strata == 10 and strata.k == 4
    assert strata.need == {0: 1, 7: 1, 9: 2}
    assert strata.describe() == [
        {"min_targets": 1, "max_targets": 20, "mirnas": 20, "drawn": 1},
        {"min_targets": 141, "max_targets": 160, "mirnas": 20, "drawn": 1},
        {"min_targets": 181, "max_targets": 200, "mirnas": 20, "drawn": 2},
    ]
    assert strata.null_mean_total() == pytest.approx(10.5 + 150.5 + 2 * 190.5)
    assert strata.log10_distinct_sets() == pytest.approx(np.log10(20 * 20 * 190))
    draws = strata.random_sets(np.random.default_rng(1)).take(300)
    assert draws.shape == (300, 4)
    assert ((draws < 20).sum(axis=1) == 1).all() and ((draws >= 180).sum(axis=1) == 2).all()


def test_stratify_merges_a_tiny_stratum_with_its_narrower_neighbour():
    """A bin too small for the set's miRNAs in it is merged, explicitly, and k never changes."""
    # 10 bins of 20: bin 8 spans 161-180, bin 9 spans 181-200; bin 7 (141-160) is far wider in
    # targets than the left neighbour should be -- make it so by stretching its counts.
    counts = np.arange(1, 201).astype(float)
    counts[140:160] = np.linspace(60, 160, 20)  # bin 7 is now 60-160: a wide bin
    counts = np.sort(counts)
    query = np.array([175, 176, 177, 178, 179])  # five miRNAs in bin 8 (20 miRNAs < 5 x 5)
    strata = stratify(counts, query, 10)
    assert strata.k == 5 and strata.merged == 1 and strata.n_strata == 9
    # Merged with bin 9 (161-200: ratio 1.25), not bin 7 (wider), so the stratum holds 40.
    assert strata.describe() == [
        {"min_targets": int(counts[160]), "max_targets": 200, "mirnas": 40, "drawn": 5}
    ]
    assert all(strata.size[s] >= MIN_STRATUM_FACTOR * n for s, n in strata.need.items())
    draws = strata.random_sets(np.random.default_rng(2)).take(200)
    assert draws.shape == (200, 5) and (draws >= 160).all()
    assert all(len(set(row)) == 5 for row in draws)


def test_stratify_falls_back_to_one_stratum_in_a_tiny_universe():
    counts = np.arange(1, 13)  # 12 miRNAs cannot hold 5 x 3 in any stratum
    strata = stratify(counts, np.array([0, 6, 11]), 20)
    assert strata.n_strata == 1 and strata.need == {0: 3} and strata.merged >= 1
    assert strata.log10_distinct_sets() == pytest.approx(log10_distinct_uniform(12, 3))
    draws = strata.random_sets(np.random.default_rng(3)).take(500)
    assert draws.shape == (500, 3) and np.unique(draws).size == 12


@pytest.mark.parametrize("k", [1, 2, 3])
def test_stratify_small_sets(k):
    """Sets of one to three miRNAs: each draw keeps k and the strata; the number of distinct
    random sets (the p-value floor) is what the strata allow."""
    counts = np.arange(1, 401)  # 20 bins of 20
    query = np.arange(400 - k, 400)  # the most target-rich miRNAs
    strata = stratify(counts, query, 20)
    assert strata.k == k and strata.merged == 0 and strata.need == {19: k}
    assert 10 ** strata.log10_distinct_sets() == pytest.approx(
        {1: 20, 2: 190, 3: 1140}[k], rel=1e-9
    )
    draws = strata.random_sets(np.random.default_rng(k)).take(400)
    assert draws.shape == (400, k) and (draws >= 380).all()


def test_stratify_rejects_sets_outside_the_universe():
    with pytest.raises(ValueError, match="outside the universe"):
        stratify(np.arange(1, 11), np.array([3, 10]), 2)
    with pytest.raises(ValueError, match="same universe miRNA twice"):
        stratify(np.arange(1, 11), np.array([3, 3]), 2)


def test_target_unions_equal_python_sets():
    targets, _ = toy()
    unions = TargetUnions(targets)
    sets = RandomSets(np.random.default_rng(3), targets.shape[0], 6).take(25)
    cols = unions.columns(sets)
    dense = targets.toarray() > 0
    for j, s in enumerate(sets):
        assert np.array_equal(cols[:, j] == 1, dense[s].any(axis=0))
    assert cols.flags.c_contiguous and cols.dtype == np.int16
    many = RandomSets(np.random.default_rng(4), targets.shape[0], 6).take(300)
    assert np.array_equal(unions.columns(many, threads=3), unions.columns(many))
    keep = np.array([3, 7, 8, 100])
    sub = unions.restrict(keep).columns(sets)
    assert np.array_equal(sub, cols[keep])


def test_overlaps_match_brute_force_with_threads():
    targets, member = toy()
    sets = RandomSets(np.random.default_rng(4), targets.shape[0], 5).take(40)
    cols = TargetUnions(targets).columns(sets)
    expected = brute_overlaps(targets, member, sets)
    assert np.array_equal(overlaps(member, cols, threads=1), expected)
    assert np.array_equal(overlaps(member, cols, threads=3), expected)


@pytest.mark.parametrize("stop_after", [0, 3])
def test_sequential_null_matches_a_python_loop(stop_after):
    targets, member = toy(seed=7)
    k, n_random, seed = 5, 300, 11
    query = np.arange(k)
    observed = brute_overlaps(targets, member, [query])[:, 0]
    counts = sequential_null(
        member,
        observed,
        RandomSets(np.random.default_rng(seed), targets.shape[0], k),
        TargetUnions(targets),
        n_random,
        stop_after=stop_after,
    )
    # Same seed, same draws, counted one random set at a time in plain Python.
    draws = RandomSets(np.random.default_rng(seed), targets.shape[0], k).take(n_random)
    null = brute_overlaps(targets, member, draws)
    for t in range(member.shape[0]):
        exceed, used, stopped = 0, n_random, False
        for j in range(n_random):
            exceed += null[t, j] >= observed[t]
            if stop_after and exceed == stop_after:
                used, stopped = j + 1, True
                break
        assert counts.exceed[t] == exceed
        assert counts.n_drawn[t] == used
        assert counts.stopped[t] == stopped
        p = stop_after / used if stopped else (1 + exceed) / (1 + n_random)
        assert counts.pvalues(n_random, stop_after)[t] == pytest.approx(p, rel=1e-15)
        values = null[t, :used]
        mean, sd = counts.mean_sd()
        assert mean[t] == pytest.approx(values.mean(), rel=1e-12)
        assert sd[t] == pytest.approx(values.std(ddof=1), rel=1e-9, abs=1e-12)


def test_sequential_null_does_not_depend_on_batches_or_threads(monkeypatch):
    targets, member = toy(seed=3)
    observed = brute_overlaps(targets, member, [np.arange(4)])[:, 0]

    def run(threads):
        sets = RandomSets(np.random.default_rng(9), targets.shape[0], 4)
        return sequential_null(
            member, observed, sets, TargetUnions(targets), 700, stop_after=5, threads=threads
        )

    reference = run(1)
    monkeypatch.setattr(_null, "BATCH_BYTES", 1)  # the smallest batches (32 sets)
    monkeypatch.setattr(_null, "MIN_THREADED_WORK", 0)  # threads even for tiny batches
    for result in (run(1), run(2)):
        for field in ("exceed", "n_drawn", "stopped", "total", "total_sq"):
            assert np.array_equal(getattr(result, field), getattr(reference, field)), field


def test_sequential_stopping_agrees_with_the_full_run():
    """Terms with p < 0.05 in a full run get the same p within Monte Carlo error when stopped."""
    targets, member = toy(seed=21, n_terms=80)
    observed = brute_overlaps(targets, member, [np.arange(3)])[:, 0] + 1
    n_random, h = 4000, 10

    def run(stop):
        sets = RandomSets(np.random.default_rng(5), targets.shape[0], 3)
        counts = sequential_null(
            member, observed, sets, TargetUnions(targets), n_random, stop_after=stop
        )
        return counts.pvalues(n_random, stop), counts.n_drawn

    full, _ = run(0)
    seq, drawn = run(h)
    small = full < 0.05
    assert small.sum() >= 5
    # Besag-Clifford: relative SE of h/L is about sqrt((1 - p) / h); the full run adds its own.
    se = np.sqrt(full * (1 - full) / drawn + full * (1 - full) / n_random + full**2 / h)
    assert np.all(np.abs(seq[small] - full[small]) <= 3 * se[small])
    # Large p-values stop early: the point of stopping.
    assert drawn[full > 0.5].max() < n_random / 10


def test_null_tails_give_the_same_pvalues_as_the_full_run(monkeypatch):
    monkeypatch.setattr(_null, "MIN_THREADED_WORK", 0)
    targets, member = toy(seed=13)
    k, n_random = 4, 500
    sizes = np.asarray(member.sum(axis=1)).ravel()
    tails = null_tails(
        member,
        sizes,
        RandomSets(np.random.default_rng(3), targets.shape[0], k),
        TargetUnions(targets),
        n_random,
        threads=2,
    )
    queries = [np.arange(k), np.arange(10, 10 + k)]
    observed = brute_overlaps(targets, member, queries)
    for q in range(2):
        counts = sequential_null(
            member,
            observed[:, q],
            RandomSets(np.random.default_rng(3), targets.shape[0], k),
            TargetUnions(targets),
            n_random,
        )
        assert np.array_equal(tails.exceedances(observed)[:, q], counts.exceed)
        assert np.allclose(tails.pvalues(observed)[:, q], counts.pvalues(n_random, 0), rtol=1e-15)
    # Past the largest possible overlap nothing exceeds; at 0 everything does.
    assert (tails.exceedances((sizes + 1)[:, None]) == 0).all()
    assert (tails.exceedances(np.zeros((len(sizes), 1), dtype=int)) == n_random).all()


def test_progress_is_logged_about_every_ten_percent(caplog, monkeypatch):
    targets, member = toy()
    monkeypatch.setattr(_null, "BATCH_BYTES", 1)
    with caplog.at_level(logging.INFO, logger="exomir._null"):
        sequential_null(
            member,
            np.ones(member.shape[0], dtype=int),
            RandomSets(np.random.default_rng(0), targets.shape[0], 3),
            TargetUnions(targets),
            640,
            what="toy null",
        )
    messages = [r.getMessage() for r in caplog.records if "toy null" in r.getMessage()]
    assert 8 <= len(messages) <= 11
    assert messages[-1].startswith("toy null: 640/640 random sets (100%)")


@pytest.mark.parametrize("stratified", [0, 3])
def test_engine_empirical_pvalues_match_a_python_loop(stratified):
    """End to end: the table's p_emp equals counting random miRNA sets one by one, drawn
    uniformly or within the set's target-count strata."""
    rng = np.random.default_rng(17)
    mirnas = [f"hsa-miR-{i}" for i in range(25)]
    genes = [f"G{i:03d}" for i in range(80)]
    rate = np.where(np.arange(80) < 10, 0.5, 0.08)
    edges = pd.DataFrame(
        [(m, g) for m in mirnas for g, r in zip(genes, rate, strict=True) if rng.random() < r],
        columns=["mirna", "gene"],
    )
    sets = []
    for t in range(12):
        for g in rng.choice(80, size=int(rng.integers(6, 25)), replace=False):
            sets.append(("L", f"T{t:02d}", f"term {t}", genes[g]))
    gene_sets = pd.DataFrame(sets, columns=["library", "term_id", "term", "gene"])
    engine = EnrichmentEngine(edges, gene_sets, min_size=3)
    query = ["hsa-miR-3", "hsa-miR-7", "hsa-miR-11"]
    null = NullSettings(
        n_random=200, seed=4, sequential_stop=0, stratified=stratified, statistic="overlap"
    )
    table = engine.analyse("q", query, null=null).table.set_index("term_id")

    target_sets = edges.groupby("mirna")["gene"].apply(set).to_dict()
    background = set(edges["gene"])
    members = gene_sets.groupby("term_id")["gene"].apply(lambda s: set(s) & background).to_dict()
    if stratified:
        # The null's own strata (tilted to the set where the plain ones cannot match it).
        strata = engine.null_strata(engine.query("q", query), null)
        draws = strata.random_sets(np.random.default_rng(4)).take(200)
        labels = strata.labels[draws]
        for label, count in strata.need.items():
            assert ((labels == label).sum(axis=1) == count).all()
    else:
        draws = engine.random_sets(3, np.random.default_rng(4)).take(200)
    universe = engine.universe.mirnas

    def union(names):
        return set().union(*(target_sets[n] for n in names))

    observed = union(query)
    for term_id, row in table.iterrows():
        genes_in = members[term_id]
        obs = len(genes_in & observed)
        assert row["overlap"] == obs
        if obs == 0:
            assert row["p_emp"] == 1.0 and row["n_null"] == 0
            continue
        null_values = [len(genes_in & union([universe[i] for i in d])) for d in draws]
        exceed = sum(v >= obs for v in null_values)
        assert row["p_emp"] == pytest.approx((1 + exceed) / 201, rel=1e-15)
        assert row["null_mean"] == pytest.approx(np.mean(null_values), rel=1e-12)
        assert row["n_null"] == 200


def test_popcount_rows_counts_set_bits_with_and_without_bitwise_count(monkeypatch):
    from exomir import _null as null_module

    words = np.random.default_rng(3).integers(0, 2**63, size=(7, 5), dtype=np.uint64)
    expected = np.unpackbits(words.view(np.uint8), axis=1).sum(axis=1)
    assert np.array_equal(null_module._popcount_rows(words), expected)
    # The byte table that numpy < 2 uses gives the same counts.
    monkeypatch.delattr(np, "bitwise_count", raising=False)
    assert np.array_equal(null_module._popcount_rows(words), expected)
