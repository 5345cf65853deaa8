"""Differential enrichment of two miRNA sets (e.g. bone-marrow vs umbilical-cord MSC exosomes).

Statistic.  For set ``X`` and term ``t``, ``fraction_X = overlap_X / n_targets_X``: the share of
the set's targets (inside the library's background) that fall in the term.  The statistic is
``difference = fraction_A - fraction_B``.  Dividing by each set's own number of targets keeps a
large set from looking "more enriched" everywhere just because it targets more genes.

Null.  miRNAs in both sets stay in both.  The miRNAs found in only one set are exchangeable under
the null, so they are reshuffled between the two sets (keeping the two sets' sizes) ``N`` times
with a seeded generator, and the difference is recomputed for every term.  The two-sided p-value
is ``min(1, 2 * min(1 + #{d* >= d}, 1 + #{d* <= d}) / (1 + N))`` — doubling the smaller tail,
which is valid for the asymmetric null distributions that sets of unequal size give.  BH over all
tested terms.  With few unique miRNAs there are few distinct splits (``C(u_A + u_B, u_A)``), which
bounds the smallest attainable p-value; ``n_splits`` in the table says how many exist.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._engine import EnrichmentEngine
from ._null import RandomSets, _progress, batch_size, map_row_blocks
from ._stats import bh_fdr
from .errors import ConfigError
from .tables import COMPARISON

log = logging.getLogger("exomir.enrichment")

#: Tolerance of the tie test between a permuted and the observed difference (both are ratios of
#: small integers, so genuinely different values differ by far more).
_TIE = 1e-12


def _fractions(overlap: np.ndarray, n_targets: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_targets > 0, overlap / np.maximum(n_targets, 1), 0.0)


def compare_sets(
    engine: EnrichmentEngine,
    name_a: str,
    mirnas_a: Iterable[str],
    name_b: str,
    mirnas_b: Iterable[str],
    *,
    n_permutations: int = 2000,
    seed: int = 1,
    threads: int = 1,
) -> pd.DataFrame:
    """Per-term difference in target overlap between two sets, with a miRNA permutation test.

    Returns
    -------
    pandas.DataFrame
        :data:`exomir.tables.COMPARISON`, one row per tested term, sorted by ``p_perm``, library,
        term ID.  ``null_mean``/``null_sd`` describe the permuted differences.
    """
    if (
        isinstance(n_permutations, bool)
        or not isinstance(n_permutations, int)
        or n_permutations < 1
    ):
        raise ConfigError(
            "enrichment.compare.n_permutations must be an integer >= 1", value=n_permutations
        )
    qa = engine.query(name_a, mirnas_a)
    qb = engine.query(name_b, mirnas_b)
    set_a, set_b = set(qa.index.tolist()), set(qb.index.tolist())
    shared = np.array(sorted(set_a & set_b), dtype=np.int64)
    only_a = sorted(set_a - set_b)
    pool = np.array(only_a + sorted(set_b - set_a), dtype=np.int64)
    n_only_a = len(only_a)
    # As a float: with many unique miRNAs the count exceeds any integer column.
    n_splits = float(math.comb(pool.size, n_only_a))

    terms = engine.terms
    lib = terms["library_index"].to_numpy()
    membership = engine.membership
    unions = engine.unions
    background = engine.library_background.T

    def stats_of(cols: np.ndarray, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        ov = (membership[a:b] @ cols).astype(np.int64)
        per_lib = (background @ cols.astype(np.int64)).astype(np.int64)
        return ov, per_lib[lib[a:b]]

    ov_a, n_a, _ = engine.observed(qa)
    ov_b, n_b, _ = engine.observed(qb)
    frac_a, frac_b = _fractions(ov_a, n_a), _fractions(ov_b, n_b)
    observed = frac_a - frac_b

    n_terms = len(terms)
    ge = np.zeros(n_terms, dtype=np.int64)
    le = np.zeros(n_terms, dtype=np.int64)
    s1 = np.zeros(n_terms)
    s2 = np.zeros(n_terms)
    rng = np.random.default_rng(seed)
    splitter = RandomSets(rng, pool.size, n_only_a) if 0 < n_only_a < pool.size else None
    cap = batch_size(unions.n_genes, 2 * n_terms)
    done = 0
    mark = n_permutations / 10
    log.info(
        "compare %s vs %s: %d shared miRNAs, %d only in %s, %d only in %s, %d terms",
        name_a,
        name_b,
        shared.size,
        n_only_a,
        name_a,
        pool.size - n_only_a,
        name_b,
        n_terms,
    )
    while done < n_permutations:
        c = min(cap, n_permutations - done)
        if splitter is None:  # one possible split: the observed one
            to_a = np.zeros((c, pool.size), dtype=bool)
            to_a[:, :n_only_a] = True
        else:
            chosen = splitter.take(c)
            to_a = np.zeros((c, pool.size), dtype=bool)
            np.put_along_axis(to_a, chosen, True, axis=1)
        pool_a = np.broadcast_to(pool, (c, pool.size))[to_a].reshape(c, n_only_a)
        pool_b = np.broadcast_to(pool, (c, pool.size))[~to_a].reshape(c, pool.size - n_only_a)
        sets_a = np.hstack([np.broadcast_to(shared, (c, shared.size)), pool_a])
        sets_b = np.hstack([np.broadcast_to(shared, (c, shared.size)), pool_b])
        cols_a = unions.columns(sets_a, threads)
        cols_b = unions.columns(sets_b, threads)

        def block(a: int, b: int, cols_a=cols_a, cols_b=cols_b) -> tuple:
            oa, na = stats_of(cols_a, a, b)
            ob, nb = stats_of(cols_b, a, b)
            # Deviations from the observed difference: exceedances are their signs, and sums
            # of deviations keep the null's variance free of cancellation.
            dev = _fractions(oa, na) - _fractions(ob, nb) - observed[a:b, None]
            return (
                (dev >= -_TIE).sum(axis=1),
                (dev <= _TIE).sum(axis=1),
                dev.sum(axis=1),
                (dev * dev).sum(axis=1),
            )

        for a, b, (g, lo, t1, t2) in map_row_blocks(membership, block, threads, columns=c):
            ge[a:b] += g
            le[a:b] += lo
            s1[a:b] += t1
            s2[a:b] += t2
        done += c
        mark = _progress(f"compare {name_a} vs {name_b}", done, n_permutations, mark)

    n = float(n_permutations)
    p = np.minimum(1.0, 2.0 * np.minimum(1 + ge, 1 + le) / (1.0 + n))
    shift = s1 / n
    mean = observed + shift
    sd = (
        np.sqrt(np.maximum(s2 - n * shift * shift, 0.0) / (n - 1))
        if n > 1
        else np.full(n_terms, np.nan)
    )
    table = pd.DataFrame(
        {
            "set_a": name_a,
            "set_b": name_b,
            "library": terms["library"].to_numpy(),
            "term_id": terms["term_id"].to_numpy(),
            "term": terms["term"].to_numpy(),
            "focus": terms["focus"].to_numpy(),
            "term_size": terms["term_size"].to_numpy(),
            "background_size": terms["background_size"].to_numpy(),
            "k_a": qa.k,
            "k_b": qb.k,
            "k_shared": int(shared.size),
            "overlap_a": ov_a,
            "n_targets_a": n_a,
            "fraction_a": frac_a,
            "overlap_b": ov_b,
            "n_targets_b": n_b,
            "fraction_b": frac_b,
            "difference": observed,
            "null_mean": mean,
            "null_sd": sd,
            "p_perm": p,
            "fdr": bh_fdr(p),
            "n_perm": n_permutations,
            "n_splits": n_splits,
        }
    )
    table = table.sort_values(["p_perm", "library", "term_id"], kind="stable").reset_index(
        drop=True
    )
    return COMPARISON.ordered(table)
