"""The mirna_sum statistic: per-miRNA scores, exact sums of random sets, and its null."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_analytic import toy_engine

from exomir._null import RandomSets
from exomir._scores import (
    GATHER_MAX_K,
    SCORE_CAP,
    SCORE_SCALE,
    SCORE_THRESHOLD,
    FamilyCollapse,
    ScoreSums,
    mirna_term_scores,
    score_null,
    target_families,
)
from exomir.enrichment import NullSettings
from exomir.errors import ConfigError, InputError


@pytest.fixture(scope="module")
def engine():
    # Every miRNA's whole -ln p: the densest score matrix, so that the sums and the null's
    # bookkeeping below are checked on as many nonzero scores as possible.
    engine = toy_engine()
    engine.use_score_threshold(1.0)
    return engine


@pytest.mark.parametrize("threshold", [1.0, SCORE_THRESHOLD, 0.2])
def test_scores_are_each_mirnas_own_hypergeometric_p_beyond_the_threshold(threshold):
    engine = toy_engine()
    engine.use_score_threshold(threshold)
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
            # ln(threshold / p) where p < threshold, else 0 (threshold 1: -ln p)
            expected = max(min(-np.log(p), SCORE_CAP) + np.log(threshold), 0.0) * SCORE_SCALE
            assert abs(scores[m, t] - expected) <= 0.5 + 1e-6 * expected
    assert scores.max() > 0
    if threshold < 1:
        # Terms a miRNA hits only weakly (p >= threshold) score nothing.
        assert np.count_nonzero(scores) < np.count_nonzero(overlap)


def test_a_new_threshold_rebuilds_the_scores_and_changes_the_fingerprint():
    engine = toy_engine()
    engine.use_score_threshold(1.0)
    whole, first = engine.mirna_scores.copy(), engine.score_fingerprint
    engine.use_score_threshold(0.05)
    assert engine.score_threshold == 0.05
    assert engine.score_fingerprint != first
    beyond = engine.mirna_scores
    assert (beyond <= whole).all() and (beyond < whole).any()
    with pytest.raises(ValueError, match="threshold"):
        mirna_term_scores(
            engine.targets, engine.membership, engine.library_background, [0], [1], [1], threshold=0
        )


def test_scores_are_capped():
    # One miRNA whose 40 targets are exactly a 40-gene term among 4,000 genes: p ~ 1e-90.
    import scipy.sparse as sp

    targets = sp.csr_array(np.r_[np.ones(40), np.zeros(3960)][None, :].astype(np.int8))
    membership = targets.copy()
    background = sp.csr_array(np.ones((4000, 1), dtype=np.int8))
    out = mirna_term_scores(targets, membership, background, [0], [40], [4000], threshold=1)
    assert out[0, 0] == SCORE_CAP * SCORE_SCALE
    # The cap applies to -ln p; the threshold is taken off after it.
    out = mirna_term_scores(targets, membership, background, [0], [40], [4000])
    assert out[0, 0] == round((SCORE_CAP + np.log(SCORE_THRESHOLD)) * SCORE_SCALE)


@pytest.mark.parametrize("k", [3, 46])
def test_sums_by_gather_and_by_product_are_the_same_integers(k):
    rng = np.random.default_rng(k)
    scores = rng.integers(0, 50_000, size=(80, 13)).astype(np.int32)
    sets = RandomSets(rng, 80, k).take(40)
    expected = scores.astype(np.int64)[sets].sum(axis=1).T
    sums = ScoreSums(scores, k)
    assert sums.gather  # few terms
    np.testing.assert_array_equal(sums.sums(sets), expected)
    # The other route gives the same numbers.
    other = ScoreSums(scores, k, route="product" if sums.gather else "gather")
    assert other.gather != sums.gather
    np.testing.assert_array_equal(other.sums(sets), expected)
    for route in (sums, other):
        np.testing.assert_array_equal(route.restrict(np.array([2, 7])).sums(sets), expected[[2, 7]])


def test_the_route_depends_on_the_set_size_and_the_number_of_terms_only():
    for n_terms in (1, 20, 8696):
        scores = np.zeros((2544, n_terms), dtype=np.int32)
        assert ScoreSums(scores, GATHER_MAX_K).gather
    assert not ScoreSums(np.zeros((2544, 8696), dtype=np.int32), 300).gather
    assert not ScoreSums(np.zeros((2544, 200), dtype=np.int32), 300).gather
    # A few terms of a large set: adding rows is cheaper than building the indicators.
    assert ScoreSums(np.zeros((2544, 3), dtype=np.int32), 300).gather


def test_a_selection_gives_the_sums_of_its_terms_with_or_without_a_copy():
    rng = np.random.default_rng(4)
    scores = rng.integers(0, 50_000, size=(70, 20)).astype(np.int32)
    for k, route in ((4, "gather"), (50, "gather"), (4, "product"), (50, "product")):
        sets = RandomSets(rng, 70, k).take(9)
        full = ScoreSums(scores, k, route=route).sums(sets)
        most, few = np.arange(1, 20), np.array([3, 11])
        big = ScoreSums(scores, k, route=route, select=most)
        assert big.select is not None  # 19 of 20 columns: summed in place
        np.testing.assert_array_equal(big.sums(sets), full[most])
        small = big.restrict(np.array([2, 10]))
        assert small.select is None and small.gather == big.gather  # 2 of 20: copied
        np.testing.assert_array_equal(small.sums(sets), full[few])


def test_restricting_the_product_keeps_its_converted_columns():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 50_000, size=(60, 9)).astype(np.int32)
    sums = ScoreSums(scores, 30, route="product")
    part = sums.restrict(np.array([1, 4, 8]))
    assert part.rows is not None and part.rows.dtype == np.float32
    np.testing.assert_array_equal(part.rows, scores[:, [1, 4, 8]].T)
    sets = RandomSets(rng, 60, 30).take(7)
    np.testing.assert_array_equal(part.sums(sets), sums.sums(sets)[[1, 4, 8]])


def test_batches_stay_within_the_memory_cap():
    few = ScoreSums(np.zeros((2544, 5), dtype=np.int32), 3)
    many = ScoreSums(np.zeros((2544, 8696), dtype=np.int32), 100)
    assert 16 <= many.batch_size() < few.batch_size() <= 65_536
    assert many.batch_size() * 8696 <= 8_000_000


def test_large_sums_switch_to_float64_and_stay_exact():
    k = 400  # 400 x 50,000 = 2e7 > 2**24: float32 would round
    rng = np.random.default_rng(1)
    scores = np.full((900, 600), 50_000, dtype=np.int32)
    scores[:, 1] = rng.integers(0, 50_000, size=900)
    sums = ScoreSums(scores, k)
    assert not sums.gather
    assert sums.rows is not None and sums.rows.dtype == np.float64
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


# ---------------------------------------------------------------------------------------------
# The saved score matrix (rule mirna_scores)


def test_a_saved_score_matrix_gives_the_same_results(engine, tmp_path):
    path = tmp_path / "mirna_scores.npz"
    built = toy_engine()
    built.save_mirna_scores(path, threads=2)
    assert not list(tmp_path.glob(".*tmp"))  # written under a temporary name, then renamed
    loaded = toy_engine()
    loaded.load_mirna_scores(path)
    np.testing.assert_array_equal(loaded.mirna_scores, engine.mirna_scores)
    null = NullSettings(n_random=200, seed=3, sequential_stop=10, statistic="mirna_sum")
    mirnas = ["hsa-miR-7", "hsa-miR-20", "hsa-miR-41"]
    a = loaded.analyse("q", mirnas, null=null).table
    b = toy_engine().analyse("q", mirnas, null=null).table
    pd.testing.assert_frame_equal(a, b)


def test_threads_do_not_change_the_scores(engine):
    args = (
        engine.targets,
        engine.membership,
        engine.library_background,
        engine.terms["library_index"].to_numpy(),
        engine.terms["term_size"].to_numpy(),
        engine.terms["background_size"].to_numpy(),
    )
    one = mirna_term_scores(*args, chunk=3)
    np.testing.assert_array_equal(mirna_term_scores(*args, chunk=3, threads=3), one)
    np.testing.assert_array_equal(one, engine.mirna_scores)


def test_a_score_matrix_of_other_settings_is_refused(tmp_path):
    path = tmp_path / "mirna_scores.npz"
    toy_engine().save_mirna_scores(path)
    other = toy_engine(seed=12)  # other targets and terms, the same shape
    assert other.mirna_scores.shape == toy_engine().mirna_scores.shape
    with pytest.raises(InputError, match="other targets, gene sets or enrichment settings") as err:
        other.load_mirna_scores(path)
    assert str(path) in str(err.value) and "Delete the file" in str(err.value)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", b"not a numpy file"])
def test_an_unreadable_score_matrix_names_the_file(tmp_path, content):
    path = tmp_path / "mirna_scores.npz"
    path.write_bytes(content)
    with pytest.raises(InputError, match="cannot read the saved miRNA score matrix") as err:
        toy_engine().load_mirna_scores(path)
    assert str(path) in str(err.value)


# ---------------------------------------------------------------------------------------------
# Families of miRNAs with shared targets, counted once


def family_engine():
    """60 random miRNAs, plus miR-61 to miR-66: copies of miR-50 to miR-55 with one target
    swapped (Jaccard about 0.9), so six families of two."""
    from exomir.enrichment import EnrichmentEngine

    rng = np.random.default_rng(21)
    genes = [f"G{i:03d}" for i in range(200)]
    targets = {
        f"hsa-miR-{m}": list(rng.choice(200, size=2 * m, replace=False)) for m in range(1, 61)
    }
    for copy, original in zip(range(61, 67), range(50, 56), strict=True):
        own = list(targets[f"hsa-miR-{original}"])
        spare = sorted(set(range(200)) - set(own))
        targets[f"hsa-miR-{copy}"] = [*own[1:], spare[0]]
    edges = pd.DataFrame(
        [(m, genes[g]) for m, gs in targets.items() for g in gs], columns=["mirna", "gene"]
    )
    gene_sets = pd.DataFrame(
        [
            ("LIB", f"T{t}", f"term {t}", genes[g])
            for t in range(12)
            for g in rng.choice(200, size=20, replace=False)
        ],
        columns=["library", "term_id", "term", "gene"],
    )
    return EnrichmentEngine(edges, gene_sets, min_size=5)


def test_families_are_the_components_of_target_overlap_at_the_threshold():
    import scipy.sparse as sp

    # Target sets: 0 = {0,1,2,3}; 1 = {0,1,2} (J 3/4 with 0); 2 = {2,3,4,5} (J 2/6 with 0);
    # 3 = {4,5,6} (J 2/5 with 2); 4 = {} ; 5 = {4,5,6,7} (J 3/4 with 3, J 2/6 with 2).
    rows = [[0, 1, 2, 3], [0, 1, 2], [2, 3, 4, 5], [4, 5, 6], [], [4, 5, 6, 7]]
    dense = np.zeros((6, 8), dtype=np.int8)
    for i, genes in enumerate(rows):
        dense[i, genes] = 1
    targets = sp.csr_array(dense)
    np.testing.assert_array_equal(target_families(targets, 0.75), [0, 0, 1, 2, 3, 2])
    # Exactly at the threshold joins (3/4 >= 0.75); just above it does not.
    np.testing.assert_array_equal(target_families(targets, 0.76), [0, 1, 2, 3, 4, 5])
    # Lower: 2-3 (0.4) joins and chains 2, 3 and 5 into one family; numbered by first member.
    np.testing.assert_array_equal(target_families(targets, 0.4), [0, 0, 1, 1, 2, 1])
    np.testing.assert_array_equal(target_families(targets, 1 / 3), [0, 0, 0, 0, 1, 0])
    for bad in (0, -0.1, 1.5):
        with pytest.raises(ValueError, match="min_jaccard"):
            target_families(targets, bad)


def test_two_members_of_a_family_count_once_with_the_mean_of_all_its_members():
    collapse = FamilyCollapse(np.array([0, 0, 1, 2, 0, 2]))
    scores = np.array([[10, 0], [20, 3], [5, 5], [7, 0], [31, 1], [8, 2]], dtype=np.int32)
    extended = collapse.extend(scores)
    # Own rows, then the means of families 0 ({0,1,4}: 61/3, 4/3) and 2 ({3,5}), then zeros.
    np.testing.assert_array_equal(
        extended, [[10, 0], [20, 3], [5, 5], [7, 0], [31, 1], [8, 2], [20, 1], [8, 1], [0, 0]]
    )
    sets = np.array([[0, 1, 2], [2, 3, 5], [4, 2, 3], [1, 4, 0]])
    # Two or three members of a family: its mean row once, zeros for the others; a member alone
    # keeps its own row.
    np.testing.assert_array_equal(collapse.rows(sets), [[6, 8, 2], [2, 7, 8], [4, 2, 3], [6, 8, 8]])
    np.testing.assert_array_equal(collapse.rows(np.array([3, 2])), [3, 2])
    with pytest.raises(ValueError, match="5 score rows for 6 miRNAs"):
        collapse.extend(scores[:5])


def _rows_by_loop(collapse, sets):
    """Brute force of FamilyCollapse.rows: set by set, member by member."""
    out = np.array(sets, dtype=np.int64)
    for i, members in enumerate(sets):
        seen = set()
        for j, m in enumerate(members):
            family = collapse.family_of[m]
            if collapse.size[family] < 2:
                continue
            present = int(np.sum(collapse.family_of[members] == family))
            if present < 2:
                continue
            out[i, j] = collapse.zero_row if family in seen else collapse.mean_row[family]
            seen.add(family)
    return out


@pytest.mark.parametrize("k", [1, 2, 5, 40])
def test_family_rows_equal_a_loop_over_every_member(k):
    rng = np.random.default_rng(k)
    # 60 miRNAs in 37 families of one to six members.
    family_of = rng.permutation(np.repeat(np.arange(37), [6, 5, 4, 4, 3, 3, 2, 2, 2, 2] + [1] * 27))
    collapse = FamilyCollapse(family_of)
    assert collapse.n_multi == 10
    sets = np.stack([rng.choice(60, size=k, replace=False) for _ in range(300)])
    np.testing.assert_array_equal(collapse.rows(sets), _rows_by_loop(collapse, sets))
    np.testing.assert_array_equal(collapse.rows(sets[7]), _rows_by_loop(collapse, sets[7:8])[0])
    # No family of several members: every set is its own rows.
    lone = FamilyCollapse(np.arange(60))
    np.testing.assert_array_equal(lone.rows(sets), sets)


def _family_sums(engine, sets):
    """Brute force: per set, each family present twice or more adds its mean scores (over all
    its members) once; every other miRNA adds its own scores."""
    collapse = engine.collapse
    scores = engine.mirna_scores.astype(np.int64)
    out = np.zeros((len(engine.terms), len(sets)), dtype=np.int64)
    for j, members in enumerate(sets):
        families = collapse.family_of[members]
        for family in sorted(set(families.tolist())):
            present = members[families == family]
            if present.size == 1:
                out[:, j] += scores[present[0]]
                continue
            everyone = np.flatnonzero(collapse.family_of == family)
            out[:, j] += np.rint(scores[everyone].mean(axis=0)).astype(np.int64)
    return out


@pytest.mark.parametrize("k", [4, 20])
def test_families_are_counted_once_in_the_set_and_in_every_random_set(k):
    engine = family_engine()
    engine.count_families(0.5)
    collapse = engine.collapse
    assert collapse.n_multi == 6 and collapse.n_families == 60
    universe = engine.universe.mirnas
    pairs = [universe.index(f"hsa-miR-{m}") for m in (50, 61, 51, 62)]
    rng = np.random.default_rng(k)
    sets = RandomSets(rng, len(universe), k).take(60)
    sets[0, :4] = pairs  # two whole families in one set
    expected = _family_sums(engine, sets)
    columns = np.arange(len(engine.terms))
    for route in ("gather", "product"):
        sums = ScoreSums(engine.summed_scores, k, route=route, select=columns, collapse=collapse)
        np.testing.assert_array_equal(sums.sums(sets), expected)
        np.testing.assert_array_equal(sums.restrict(np.array([1, 5])).sums(sets), expected[[1, 5]])
    np.testing.assert_array_equal(engine.score_sums(columns, k).sums(sets), expected)
    np.testing.assert_array_equal(engine.observed_scores(sets[0]), expected[:, 0])
    # A member alone keeps its own scores; with its sibling, the pair counts once, with its mean.
    scores = engine.mirna_scores.astype(np.int64)
    np.testing.assert_array_equal(engine.observed_scores([pairs[0]]), scores[pairs[0]])
    np.testing.assert_array_equal(
        engine.observed_scores(pairs[:2]), np.rint(scores[pairs[:2]].mean(axis=0))
    )
    # Off again: every miRNA on its own.
    engine.count_families(0)
    assert engine.collapse is None
    np.testing.assert_array_equal(
        engine.observed_scores(sets[0]), engine.mirna_scores[sets[0]].sum(axis=0)
    )


def test_the_null_of_the_family_statistic_equals_brute_force():
    engine = family_engine()
    engine.count_families(0.5)
    universe = engine.universe.mirnas
    query = engine.query("q", ["hsa-miR-50", "hsa-miR-61", "hsa-miR-30", "hsa-miR-12"])
    observed = engine.observed_scores(query.index)
    rows = np.flatnonzero(observed > 0)
    counts = score_null(
        engine.score_sums(rows, query.k),
        observed[rows],
        RandomSets(np.random.default_rng(6), len(universe), query.k),
        400,
        progress=False,
    )
    drawn = RandomSets(np.random.default_rng(6), len(universe), query.k).take(400)
    values = _family_sums(engine, drawn)[rows]
    np.testing.assert_array_equal(counts.exceed, (values >= observed[rows][:, None]).sum(axis=1))


def test_the_family_setting_reaches_the_analysis_and_its_pvalues_stay_valid():
    engine = family_engine()
    mirnas = ["hsa-miR-50", "hsa-miR-61", "hsa-miR-30"]
    # The family's weak overlaps give p-values above 0.05: scored whole (score_threshold 1) so
    # that counting the family once shows in the p-values.
    base = dict(
        n_random=300,
        seed=5,
        stratified=0,
        max_draws=300,
        statistic="mirna_sum",
        score_threshold=1.0,
    )
    off = engine.analyse("q", mirnas, null=NullSettings(**base, families=0)).table
    assert engine.collapse is None
    on = engine.analyse("q", mirnas, null=NullSettings(**base, families=0.5)).table
    assert engine.collapse is not None
    assert not np.array_equal(off["p_emp"].to_numpy(), on["p_emp"].to_numpy())
    # Uniform sets against the uniform null are exchangeable with its random sets, families or
    # not: P(p <= a) <= a up to sampling error.
    rng = np.random.default_rng(9)
    universe = engine.universe.mirnas
    pvalues = []
    for i in range(40):
        picked = [universe[j] for j in rng.choice(len(universe), size=5, replace=False)]
        null = NullSettings(**{**base, "seed": 200 + i}, families=0.5)
        pvalues.append(engine.analyse("r", picked, null=null).table["p_emp"].to_numpy())
    p = np.concatenate(pvalues)
    for a in (0.05, 0.1, 0.25, 0.5):
        assert (p <= a).mean() <= a + 0.05


def test_a_set_lists_the_families_its_mirnas_stand_for():
    engine = family_engine()
    mirnas = ["hsa-miR-50", "hsa-miR-61", "hsa-miR-51", "hsa-miR-30"]
    null = NullSettings(n_random=50, seed=5, stratified=0, max_draws=50, statistic="mirna_sum")
    params = engine.analyse("q", mirnas, null=null).params["empirical"]
    assert params["families"] == 0.5
    # Only families with two or more members in the set are counted together.
    assert params["families_in_set"] == [{"in_set": "hsa-miR-50 + hsa-miR-61", "family_size": 2}]
    off = engine.analyse("q", mirnas, null=replace(null, families=0)).params["empirical"]
    assert off["families"] == 0.0 and "families_in_set" not in off


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, True, "0.05"])
def test_the_score_threshold_must_be_a_pvalue(bad):
    with pytest.raises(ConfigError, match=r"enrichment\.empirical\.score_threshold must be a p"):
        NullSettings(score_threshold=bad)


def test_the_score_threshold_reaches_the_analysis_and_its_record():
    engine = toy_engine()
    query = ["hsa-miR-7", "hsa-miR-20", "hsa-miR-41"]
    base = dict(n_random=200, seed=3, statistic="mirna_sum", max_draws=200)
    whole = engine.analyse("q", query, null=NullSettings(**base, score_threshold=1.0))
    assert engine.score_threshold == 1.0
    beyond = engine.analyse("q", query, null=NullSettings(**base))
    assert engine.score_threshold == SCORE_THRESHOLD
    assert beyond.params["empirical"]["score_threshold"] == SCORE_THRESHOLD
    assert whole.params["empirical"]["score_threshold"] == 1.0
    # Only evidence beyond p = 0.05 is summed: the set's scores shrink, never grow.
    a = whole.table.set_index(["library", "term_id"])["mirna_score"]
    b = beyond.table.set_index(["library", "term_id"])["mirna_score"].loc[a.index]
    a, b = a.to_numpy(), b.to_numpy()
    assert (b <= a + 1e-9).all() and (b < a).any()
