"""The extension of the empirical null on real terms: against brute force at the larger N.

miRTarBase 2017 (the Enrichr library) and KEGG 2021 from $EXOMIR_REFERENCE_DIR; skipped when
unset.  The set is the default sheet's msc_unspecified_source.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from exomir._engine import EXTENSION_STREAM
from exomir._null import sequential_null
from exomir.enrichment import EnrichmentEngine, NullSettings

pytestmark = pytest.mark.realdata

SET = [
    "hsa-miR-221-3p",
    "hsa-miR-19a-3p",
    "hsa-miR-210-3p",
    "hsa-miR-223-3p",
    "hsa-miR-133b",
    "hsa-miR-22-3p",
    "hsa-miR-21-5p",
    "hsa-miR-34a-5p",
    "hsa-miR-146b-5p",
    "hsa-miR-16-5p",
    "hsa-miR-143-3p",
]


@pytest.fixture(scope="module")
def real(mirtarbase_kegg):
    engine = EnrichmentEngine(*mirtarbase_kegg)
    null = NullSettings(
        n_random=1000, seed=7, sequential_stop=50, max_draws=40_000, statistic="overlap"
    )
    result = engine.analyse("real", SET, null=null, threads=2)
    return engine, null, result.table


def test_real_extension_equals_brute_force_on_the_same_streams(real):
    engine, null, table = real
    ext = table[table["p_method"] != "exceedances"]
    assert len(ext) >= 3
    rows = engine.terms.set_index(["library", "term_id"]).index.get_indexer(
        pd.MultiIndex.from_frame(ext[["library", "term_id"]])
    )
    query = engine.query("real", SET)
    strata = engine.strata(query, null.stratified)
    seq = np.random.SeedSequence(null.seed, spawn_key=(EXTENSION_STREAM,))
    streams = [
        (strata.random_sets(np.random.default_rng(null.seed)), null.n_random),
        (strata.random_sets(np.random.default_rng(seq), shuffled=True), null.draw_limit - 1000),
    ]
    observed = ext["overlap"].to_numpy()
    used = ext["n_null"].to_numpy()
    exceed = np.zeros(len(ext), dtype=np.int64)
    drawn = 0
    sub = engine.membership[rows]
    for sets, n in streams:
        for start in range(0, n, 5000):
            values = sub @ engine.unions.columns(sets.take(min(5000, n - start)))
            cols = drawn + np.arange(values.shape[1])
            exceed += ((values >= observed[:, None]) & (cols < used[:, None])).sum(axis=1)
            drawn += values.shape[1]
    p = ext["p_emp"].to_numpy()
    stopped = exceed >= null.sequential_stop
    assert np.allclose(p[stopped], null.sequential_stop / used[stopped])
    counted = ~stopped & (ext["p_method"] == "extended").to_numpy()
    assert np.allclose(p[counted], (1 + exceed[counted]) / (1 + used[counted]))


def test_real_extension_agrees_with_an_independent_brute_force(real):
    engine, null, table = real
    ext = table[table["p_method"] != "exceedances"]
    rows = engine.terms.set_index(["library", "term_id"]).index.get_indexer(
        pd.MultiIndex.from_frame(ext[["library", "term_id"]])
    )
    strata = engine.strata(engine.query("real", SET), null.stratified)
    sets = strata.random_sets(np.random.default_rng(12345), shuffled=True)
    sub = engine.membership[rows]
    used_genes = np.unique(sub.indices)
    draws = null.draw_limit
    counts = sequential_null(
        sp.csr_array(sub[:, used_genes]),
        ext["overlap"].to_numpy(),
        sets,
        engine.unions.restrict(used_genes),
        draws,
        progress=False,
    )
    p_brute = (1.0 + counts.exceed) / (1.0 + draws)
    p = ext["p_emp"].to_numpy()
    n = ext["n_null"].to_numpy()
    se = np.sqrt(p_brute * (1 - p_brute) / draws + p * (1 - p) / n)
    z = (p - p_brute) / se
    # Within Monte Carlo error: no counted term beyond 4 SE, and most within 2.
    counted = (ext["p_method"] != "gpd_tail").to_numpy()
    assert counted.sum() >= 20
    assert np.all(np.abs(z[counted]) < 4), z[counted]
    assert np.mean(np.abs(z[counted]) < 2) >= 0.8
    # Tail-fitted terms had fewer than 10 exceedances in the run's draws: the brute force, with
    # as many draws, finds few too.
    assert np.all(counts.exceed[~counted] <= 25)


def test_real_extension_is_deterministic_across_threads(real):
    engine, null, table = real
    again = engine.analyse("real", SET, null=null, threads=1).table
    pd.testing.assert_frame_equal(table, again)
    # Without the extension the same terms sit at the old resolution.
    first = engine.analyse("real", SET, null=replace(null, max_draws=null.n_random)).table
    assert first["p_emp"].min() >= 1 / (null.n_random + 1) - 1e-15
    assert table["p_emp"].min() < first["p_emp"].min()
