"""Calibration: how often does each method call random miRNA sets "enriched"?

A random set of miRNAs has, by construction, no biological theme.  Any term it "enriches" at
FDR < 0.05 is a false positive, so the fraction of random query sets with at least one such term
is the family-wise false-positive rate of the method, which should sit near (at most) 5 %.  The
hypergeometric test (ORA) treats genes as exchangeable, and genes with long 3'UTRs are hit by
almost any miRNA set, so ORA's rate is far above 5 %; the empirical miRNA-set null keeps that
bias in the null and stays near the nominal rate.

Cost: ``R`` queries of the same size ``k`` share one null.  The null's overlaps are kept as a
per-term histogram (:func:`exomir._null.null_tails`), and each query's empirical p-value is a
look-up in it, so calibration costs about one full null plus ``R`` overlaps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._engine import EnrichmentEngine, bh_fdr, hypergeometric_sf, write_json
from ._io import write_tsv
from ._null import RandomSets, null_tails, overlaps
from .errors import ConfigError

log = logging.getLogger("exomir.enrichment")

PVALUE_COLUMNS = ("method", "expected", "observed")
SUMMARY_COLUMNS = (
    "method",
    "n_queries",
    "query_size",
    "n_terms",
    "n_random",
    "fraction_any_fdr05",
    "ci_low",
    "ci_high",
    "mean_terms_fdr05",
    "fraction_p05",
)
METHODS = ("ora", "empirical")


@dataclass
class CalibrationResult:
    """Outcome of :func:`calibrate`.

    Attributes
    ----------
    pvalues
        QQ-plot points per method: ``expected`` and ``observed`` quantiles of the p-values of
        every (random query, term) test.
    summary
        One row per method (:data:`SUMMARY_COLUMNS`): ``fraction_any_fdr05`` is the fraction of
        random query sets with at least one term at FDR < 0.05 (BH over all terms of all
        libraries), with its 95 % Clopper-Pearson interval; ``mean_terms_fdr05`` the mean number
        of such terms per query; ``fraction_p05`` the fraction of single tests with p < 0.05.
    params
        Parameters of the run.
    """

    pvalues: pd.DataFrame
    summary: pd.DataFrame
    params: dict[str, Any]

    def write(self, pvalues: str, summary: str, params: str | None = None) -> None:
        """Write both tables (TSV) and optionally the parameters (JSON)."""
        write_tsv(self.pvalues, pvalues)
        write_tsv(self.summary, summary)
        if params is not None:
            write_json(self.params, params)


def qq_points(pvalues: np.ndarray, n_points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Expected and observed quantiles of ``pvalues`` at about ``n_points`` ranks.

    The ``i``-th smallest of ``n`` p-values is plotted against ``(i - 0.5) / n``.  Ranks are
    spaced logarithmically (the small p-values are what a -log10 QQ plot shows) plus an even
    grid, so the table stays small for millions of tests.
    """
    p = np.sort(np.asarray(pvalues, dtype=float).ravel())
    n = p.size
    if n == 0:
        return np.zeros(0), np.zeros(0)
    ranks = np.concatenate(
        [np.geomspace(1, n, n_points // 2), np.linspace(1, n, n_points // 2), [1, n]]
    )
    ranks = np.unique(np.clip(np.round(ranks).astype(np.int64), 1, n))
    return (ranks - 0.5) / n, p[ranks - 1]


def calibrate(
    engine: EnrichmentEngine,
    *,
    query_size: int,
    n_queries: int = 200,
    n_random: int = 10_000,
    seed: int = 1,
    fdr: float = 0.05,
    threads: int = 1,
) -> CalibrationResult:
    """Run random query sets through ORA and through the empirical null.

    Parameters
    ----------
    engine
        The enrichment engine (libraries, background, universe).
    query_size
        ``k``, the size of the random query sets (typically the median size of the real sets).
    n_queries
        ``R`` random query sets; 0 returns empty tables.
    n_random
        Random sets of the shared null.
    seed
        Seeds two independent streams (:class:`numpy.random.SeedSequence` spawns): one for
        the queries and one for the null, so a query is never compared with itself.
    fdr
        Threshold for the "any term significant" fraction (0.05 for the column names).
    threads
        Threads for the sparse products.

    Raises
    ------
    ConfigError
        For ``n_queries < 0``, ``n_random < 1``, ``query_size < 1`` or a query size larger
        than the miRNA universe.
    """
    if isinstance(n_queries, bool) or not isinstance(n_queries, int) or n_queries < 0:
        raise ConfigError(
            "enrichment.calibration.n_queries must be an integer >= 0", value=n_queries
        )
    if isinstance(n_random, bool) or not isinstance(n_random, int) or n_random < 1:
        raise ConfigError("enrichment.empirical.n_random must be an integer >= 1", value=n_random)
    if isinstance(query_size, bool) or not isinstance(query_size, int) or query_size < 1:
        raise ConfigError(
            "enrichment.calibration.query_size must be an integer >= 1", value=query_size
        )
    universe = len(engine.universe.mirnas)
    if query_size > universe:
        raise ConfigError(
            f"calibration query size {query_size} is larger than the miRNA universe "
            f"({universe} miRNAs)",
            value=query_size,
            hint="lower enrichment.calibration.query_size or widen the universe",
        )
    params = {
        "n_queries": n_queries,
        "query_size": query_size,
        "n_random": n_random,
        "seed": seed,
        "fdr": fdr,
        "empirical": "uniform random miRNA sets (not stratified), one null shared by all queries",
        **{k: v for k, v in engine.describe(None, None).items() if k != "empirical"},
    }
    if n_queries == 0:
        empty_p = pd.DataFrame({c: pd.Series(dtype=float) for c in PVALUE_COLUMNS[1:]})
        empty_p.insert(0, "method", pd.Series(dtype="str"))
        return CalibrationResult(empty_p, pd.DataFrame(columns=list(SUMMARY_COLUMNS)), params)

    query_seq, null_seq = np.random.SeedSequence(seed).spawn(2)
    queries = RandomSets(np.random.default_rng(query_seq), universe, query_size).take(n_queries)
    cols = engine.unions.columns(queries, threads)
    observed = overlaps(engine.membership, cols, threads).astype(np.int64)
    terms = engine.terms
    size = terms["term_size"].to_numpy()[:, None]
    bg = terms["background_size"].to_numpy()[:, None]
    per_library = (engine.library_background.T @ cols.astype(np.int64)).astype(np.int64)
    n_targets = per_library[terms["library_index"].to_numpy()]
    log.info(
        "calibration: %d random queries of %d miRNAs, %d terms", n_queries, query_size, len(terms)
    )
    p_ora = hypergeometric_sf(observed, size, n_targets, bg)

    null = null_tails(
        engine.membership,
        size.ravel(),
        RandomSets(np.random.default_rng(null_seq), universe, query_size),
        engine.unions,
        n_random,
        threads=threads,
        what="calibration null",
    )
    p_emp = null.pvalues(observed)

    qq_rows = []
    summary_rows = []
    for method, p in zip(METHODS, (p_ora, p_emp), strict=True):
        q = bh_fdr(p, axis=0)
        hits = (q < fdr).sum(axis=0)
        any_hit = int((hits > 0).sum())
        ci = stats.binomtest(any_hit, n_queries).proportion_ci(method="exact")
        expected, observed_q = qq_points(p)
        qq_rows.append(
            pd.DataFrame({"method": method, "expected": expected, "observed": observed_q})
        )
        summary_rows.append(
            {
                "method": method,
                "n_queries": n_queries,
                "query_size": query_size,
                "n_terms": len(terms),
                "n_random": n_random,
                "fraction_any_fdr05": any_hit / n_queries,
                "ci_low": ci.low,
                "ci_high": ci.high,
                "mean_terms_fdr05": float(hits.mean()),
                "fraction_p05": float((p < 0.05).mean()),
            }
        )
        log.info(
            "calibration %s: %.1f%% of random queries have a term at FDR < %g (mean %.2f terms)",
            method,
            100 * any_hit / n_queries,
            fdr,
            hits.mean(),
        )
    pvalues = pd.concat(qq_rows, ignore_index=True)
    summary = pd.DataFrame(summary_rows, columns=list(SUMMARY_COLUMNS))
    return CalibrationResult(pvalues, summary, params)


def median_set_size(sizes: list[int]) -> int:
    """Median of the sets' sizes, rounded half up (the default calibration query size)."""
    if not sizes:
        raise ConfigError(
            "enrichment.calibration.query_size is null and there are no sets to take it from",
            hint="set enrichment.calibration.query_size",
        )
    return int(np.floor(np.median(sizes) + 0.5))
