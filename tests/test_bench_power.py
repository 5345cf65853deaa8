"""bench/power.py's oracle: the exact law of the number of plant candidates a stratified random
set holds, checked against enumerating every random set; and the sorting of missed planted terms
by cause (``--losses``)."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import power


def stratified_sets(labels: np.ndarray, need: dict[int, int]):
    """Every random set of the stratified null (each equally likely)."""
    per_stratum = [
        list(itertools.combinations(np.flatnonzero(labels == s), n)) for s, n in need.items()
    ]
    for parts in itertools.product(*per_stratum):
        yield np.concatenate(parts)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_oracle_pvalues_equal_the_share_of_random_sets_holding_as_many_candidates(seed):
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1, 2], [6, 5, 7])
    need = {0: 2, 1: 1, 2: 3}
    cand = rng.random((labels.size, 5)) < 0.35
    cand[:, 4] = False  # a term with no candidate at all
    strata = SimpleNamespace(k=6, need=need, labels=labels)
    query = next(stratified_sets(labels, need))
    p = power.oracle_pvalues(query, strata, cand)

    observed = cand[query].sum(axis=0)
    sets = list(stratified_sets(labels, need))
    reached = sum((cand[s].sum(axis=0) >= observed).astype(int) for s in sets)
    np.testing.assert_allclose(p, reached / len(sets), rtol=1e-12, atol=0)
    assert p[4] == 1.0


def test_oracle_pvalues_ignore_strata_the_set_does_not_draw_from():
    labels = np.repeat([0, 1], [4, 4])
    cand = np.zeros((8, 1), dtype=bool)
    cand[[0, 4, 5, 6, 7], 0] = True  # stratum 1 is all candidates, stratum 0 has one
    strata = SimpleNamespace(k=2, need={0: 2}, labels=labels)
    # Both miRNAs from stratum 0, one a candidate: P(X >= 1) = 1 - C(3,2)/C(4,2) = 1/2.
    assert power.oracle_pvalues(np.array([0, 1]), strata, cand)[0] == pytest.approx(0.5)


def test_losses_sorts_planted_sets_by_cause(tmp_path):
    # a and b share their targets (one family at Jaccard 0.5); c, d, e, f do not
    targets = sp.csr_array(
        np.array(
            [
                [1, 1, 1, 0, 0, 0, 0, 0],
                [1, 1, 1, 0, 0, 0, 0, 0],
                [0, 0, 0, 1, 0, 0, 0, 0],
                [0, 0, 0, 0, 1, 0, 0, 0],
                [0, 0, 0, 0, 0, 1, 0, 0],
                [0, 0, 0, 0, 0, 0, 1, 1],
            ]
        )
    )
    engine = SimpleNamespace(targets=targets, universe=SimpleNamespace(mirnas=list("abcdef")))
    rows = [
        # flagged wins over a family pair; a pair of siblings; neither (twice, one detected)
        {"mirnas": "a,b,c", "warned": True, "new|library": False, "oracle|library": True},
        {"mirnas": "a,b,d", "warned": False, "new|library": False, "oracle|library": True},
        {"mirnas": "c,d,e", "warned": False, "new|library": True, "oracle|library": True},
        {"mirnas": "a,d,f", "warned": False, "new|library": False, "oracle|library": False},
    ]
    frame = pd.DataFrame(rows).assign(plant="top 1 %")
    frame.to_csv(tmp_path / "s1_power.tsv", sep="\t", index=False)
    table = power.losses([str(tmp_path / "s1_")], engine, 0.5).set_index("class")
    assert table["sets"].to_dict() == {
        "family counted once": 1,
        "flagged by the check": 1,
        "neither": 2,
    }
    assert table["missed"].to_dict() == {
        "family counted once": 1,
        "flagged by the check": 1,
        "neither": 1,
    }
    assert table.loc["neither", "default"].startswith("1/2 = 50%")
    assert table.loc["neither", "oracle"].startswith("1/2 = 50%")
    assert table.loc["flagged by the check", "oracle"].startswith("1/1 = 100%")
    # families off: the sibling pair counts as neither
    off = power.losses([str(tmp_path / "s1_")], engine, 0).set_index("class")
    assert off["sets"].to_dict() == {"flagged by the check": 1, "neither": 3}
    assert off.loc["neither", "default"].startswith("1/3 = 33%")
