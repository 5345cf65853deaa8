"""Strata tilted to sets the plain strata cannot match, on the real target counts.

miRTarBase 2017 (the Enrichr library) and KEGG 2021 from $EXOMIR_REFERENCE_DIR; skipped when
unset.  Two sets the matching check flags: a small one holding two of the richest miRNAs, which
the tilt matches and ``auto`` keeps on ``mirna_sum``, and a large target-rich one, most of it in
merged strata, which stays on ``share`` with the tilt's ratio recorded.
"""

from __future__ import annotations

import numpy as np
import pytest

from exomir._analytic import MAX_TARGET_RATIO
from exomir._null import TILT_MAX
from exomir._settings import DEFAULT_STRATA
from exomir.enrichment import EnrichmentEngine, NullSettings

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def engine(mirtarbase_kegg):
    return EnrichmentEngine(*mirtarbase_kegg)


NULL = NullSettings(n_random=300, seed=3, sequential_stop=0, max_draws=300)


def small_rich_set(engine) -> list[str]:
    """Two miRNAs near the top of the richest bin and four of median target count."""
    order = np.argsort(-engine.target_counts, kind="stable")
    median = order[order.size // 2 : order.size // 2 + 4]
    rows = [int(order[2]), int(order[6]), *map(int, median)]
    return [engine.universe.mirnas[i] for i in rows]


def test_a_small_set_of_the_richest_miRNAs_is_tilted_and_keeps_mirna_sum(engine):
    mirnas = small_rich_set(engine)
    index = engine.query("rich6", mirnas).index
    plain = engine.strata(index, DEFAULT_STRATA)
    before = engine.matching(index, plain, "mirna_sum")
    assert before.warning and before.target_ratio > MAX_TARGET_RATIO and plain.merged == 0
    strata = engine.null_strata(index, NULL)
    assert strata.tilt and all(0 < t < TILT_MAX for t in strata.tilt.values())
    counts = engine.target_counts
    for s, expected in strata.expected.items():  # the tilted strata draw the set's counts
        assert expected == pytest.approx(counts[index[strata.labels[index] == s]].sum(), rel=1e-6)
    # The narrow strata, untilted, match within their width.
    total = int(counts[index].sum())
    assert strata.null_mean_total() == pytest.approx(total, rel=0.01)
    draws = strata.random_sets(np.random.default_rng(1)).take(20_000)
    assert counts[draws].sum(axis=1).mean() == pytest.approx(total, rel=0.02)
    chosen, why = engine.resolve_statistic(index, NULL)
    assert chosen.statistic == "mirna_sum" and "tilted" in why
    emp = engine.analyse("rich6", mirnas, null=NULL).params["empirical"]
    assert emp["statistic"] == "mirna_sum" and emp["matching"]["calibration_warning"] is None
    assert emp["matching"]["untilted_ratio"] == pytest.approx(before.target_ratio, abs=1e-3)
    # Without the tilt the same set goes to share, as before.
    off = engine.resolve_statistic(index, NullSettings(**{**vars(NULL), "tilt": False}))[0]
    assert off.statistic == "share"


def test_a_large_target_rich_set_stays_on_share_with_the_tilted_ratio(engine):
    counts = engine.target_counts.astype(float)
    rng = np.random.default_rng(21)
    index = np.sort(rng.choice(counts.size, size=150, replace=False, p=counts / counts.sum()))
    mirnas = [engine.universe.mirnas[i] for i in index]
    plain = engine.strata(index, DEFAULT_STRATA)
    before = engine.matching(index, plain, "mirna_sum")
    assert before.warning and plain.merged > 0 and before.merged_share > 0.2
    strata = engine.null_strata(index, NULL)
    assert strata.tilt
    assert strata.null_mean_total() == pytest.approx(counts[index].sum(), rel=0.02)
    result = engine.analyse("rich150", mirnas, null=NULL)
    emp = result.params["empirical"]
    assert emp["statistic"] == "share" and "even tilted" in emp["statistic_choice"]
    matching = emp["matching"]
    assert matching["calibration_warning"] and "tilted" in matching["calibration_warning"]
    assert matching["target_ratio"] == pytest.approx(1.0, abs=0.02)
    assert matching["untilted_ratio"] == pytest.approx(before.target_ratio, abs=1e-3)
    assert any("tilt" in row for row in emp["strata"])
