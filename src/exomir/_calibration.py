"""Calibration: how often does each method call random miRNA sets "enriched"?

A random set of miRNAs has, by construction, no biological theme.  Any term it "enriches" at
FDR < 0.05 is a false positive, so the fraction of random query sets with at least one such term
is the family-wise false-positive rate of the method, which should sit near (at most) 5 %.  The
hypergeometric test (ORA) treats genes as exchangeable, and genes with long 3'UTRs are hit by
almost any miRNA set, so ORA's rate is far above 5 %; the empirical miRNA-set null keeps that
bias in the null and stays near the nominal rate.

The empirical method is calibrated as the run uses it (:class:`~exomir.enrichment.NullSettings`):

* stratified null (the default): every random query gets the null of its own target-count
  strata, drawn with sequential stopping exactly as :meth:`EnrichmentEngine.analyse` would
  draw it for that query, from its own seed stream (``SeedSequence(seed)`` spawns one stream
  for the queries and one per query for the nulls, so results do not depend on the order in
  which queries run or on threads).  Queries run in ``threads`` threads, one each.
* uniform null with sequential stopping: the same per-query nulls, without strata.
* uniform null without stopping: every query of size ``k`` has the same null, so one null is
  drawn and kept as a per-term histogram (:func:`exomir._null.null_tails`); each query's
  p-value is a look-up in it (one null plus ``R`` overlaps).

What this calibration can and cannot show: the random queries are drawn uniformly from the
universe, so under the uniform null they are exchangeable with the null's sets and its error
rate is nominal by construction.  The study bias that stratification removes (real sets are
made of heavily studied, target-rich miRNAs) only shows with queries that share that profile;
bench/README.md measures it with random queries matched to the real sets' target counts.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._engine import EXTENSION_STREAM, EnrichmentEngine
from ._io import write_json, write_tsv
from ._null import RandomSets, ShuffledSets, null_tails, overlaps
from ._settings import NullSettings
from ._stats import bh_fdr, hypergeometric_sf
from .errors import ConfigError
from .tables import CALIBRATION_PVALUES, CALIBRATION_SUMMARY

log = logging.getLogger("exomir.enrichment")

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
        One row per method (:data:`exomir.tables.CALIBRATION_SUMMARY`): ``null`` names the null that was
        calibrated (``hypergeometric`` for ORA, ``uniform`` or ``stratified:<bins>``);
        ``fraction_any_fdr05`` is the fraction of random query sets with at least one term at
        FDR < 0.05 within its library (BH per library, as ``fdr_emp``: a query counts when any
        library has a call), with its 95 % Clopper-Pearson interval (``ci_low``, ``ci_high``);
        ``mean_terms_fdr05`` the mean number of such terms per query;
        ``fraction_any_fdr05_focus`` and ``fraction_any_fdr05_all`` (with ``ci_low_focus`` ...)
        the same for the focus family (NaN without focus terms) and for BH over all terms;
        ``fraction_p05`` the fraction of single tests with p < 0.05.
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
    null: NullSettings | None = None,
    fdr: float = 0.05,
    threads: int = 1,
) -> CalibrationResult:
    """Run random query sets through ORA and through the empirical null the run uses.

    Parameters
    ----------
    engine
        The enrichment engine (libraries, background, universe).
    query_size
        ``k``, the size of the random query sets (typically the median size of the real sets).
    n_queries
        ``R`` random query sets; 0 returns empty tables.
    null
        The empirical null of the run (``N``, seed, stratification, sequential stopping);
        default :class:`NullSettings` ``()``.  The seed spawns independent streams (one for
        the queries, one per query for its null), so a query is never compared with itself.
    fdr
        Threshold for the "any term significant" fraction (0.05 for the column names).
    threads
        Threads: queries run in parallel (per-query nulls) or the sparse products do (the
        shared null).

    Returns
    -------
    CalibrationResult
        ``summary`` has one row per method (:data:`exomir.tables.CALIBRATION_SUMMARY`); its ``null`` column names
        the null that was calibrated (``hypergeometric`` for ORA, ``uniform`` or
        ``stratified:<bins>`` for the empirical method).

    Raises
    ------
    ConfigError
        For ``n_queries < 0``, ``query_size < 1`` or a query size larger than the miRNA
        universe.
    """
    null = NullSettings() if null is None else null
    if isinstance(n_queries, bool) or not isinstance(n_queries, int) or n_queries < 0:
        raise ConfigError(
            "enrichment.calibration.n_queries must be an integer >= 0", value=n_queries
        )
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
            hint="lower enrichment.calibration.query_sizes or widen the universe",
        )
    per_query = bool(null.stratified or null.sequential_stop or null.statistic != "overlap")
    params: dict[str, Any] = {
        "n_queries": n_queries,
        "query_size": query_size,
        "n_random": null.n_random,
        "seed": null.seed,
        "fdr": fdr,
        **{k: v for k, v in engine.describe(None, None).items() if k != "empirical"},
        "empirical": {
            "null": null.label,
            "stratified_bins": null.stratified,
            "sequential_stop": null.sequential_stop,
            "statistic": null.statistic,
            "queries": "uniform random miRNA sets of the universe",
            "nulls": "one per query (its own strata and seed stream), as the run draws it"
            if per_query
            else "one uniform null shared by all queries (all N sets for every term)",
        },
    }
    if n_queries == 0:
        empty_p = pd.DataFrame({c: pd.Series(dtype=float) for c in CALIBRATION_PVALUES.columns[1:]})
        empty_p.insert(0, "method", pd.Series(dtype="str"))
        empty_p["query_size"] = empty_p["query_size"].astype("int64")
        return CalibrationResult(
            empty_p, pd.DataFrame(columns=list(CALIBRATION_SUMMARY.columns)), params
        )

    query_seq, null_seq = np.random.SeedSequence(null.seed).spawn(2)
    queries = RandomSets(np.random.default_rng(query_seq), universe, query_size).take(n_queries)
    observed, n_targets = query_counts(engine, queries, threads)
    terms = engine.terms
    size = terms["term_size"].to_numpy()[:, None]
    bg = terms["background_size"].to_numpy()[:, None]
    log.info(
        "calibration: %d random queries of %d miRNAs, %d terms; empirical null %s (%s)",
        n_queries,
        query_size,
        len(terms),
        null.label,
        "one per query" if per_query else "shared",
    )
    p_ora = hypergeometric_sf(observed, size, n_targets, bg)

    if per_query:
        p_emp, info = _per_query_pvalues(
            engine, queries, observed, n_targets, null, null_seq, threads, fdr
        )
        params["empirical"].update(info)
    else:
        shared = null_tails(
            engine.membership,
            size.ravel(),
            RandomSets(np.random.default_rng(null_seq), universe, query_size),
            engine.unions,
            null.n_random,
            threads=threads,
            what="calibration null",
        )
        p_emp = shared.pvalues(observed)

    libraries, focus, every = engine.families()
    qq_rows = []
    summary_rows = []
    for method, p in zip(METHODS, (p_ora, p_emp), strict=True):
        # Per family: random queries with a term at FDR < fdr (BH within each family of it).
        hits = {
            name: sum(
                ((bh_fdr(p[rows], axis=0) < fdr).sum(axis=0) for rows in family if rows.size),
                np.zeros(n_queries, dtype=np.int64),
            )
            for name, family in (("library", libraries), ("focus", focus), ("all", every))
        }
        row: dict[str, Any] = {
            "method": method,
            "null": "hypergeometric" if method == "ora" else null.label,
            "n_queries": n_queries,
            "query_size": query_size,
            "n_terms": len(terms),
            "n_focus_terms": int(focus[0].size),
            "n_random": null.n_random,
        }
        for name, suffix in (("library", ""), ("focus", "_focus"), ("all", "_all")):
            count = hits[name]
            any_hit = int((count > 0).sum())
            ci = stats.binomtest(any_hit, n_queries).proportion_ci(method="exact")
            empty = name == "focus" and not focus[0].size
            row[f"fraction_any_fdr05{suffix}"] = np.nan if empty else any_hit / n_queries
            row[f"ci_low{suffix}"] = np.nan if empty else ci.low
            row[f"ci_high{suffix}"] = np.nan if empty else ci.high
            if name == "library":
                row["mean_terms_fdr05"] = float(count.mean())
        row["fraction_p05"] = float((p < 0.05).mean())
        summary_rows.append(row)
        expected, observed_q = qq_points(p)
        qq_rows.append(
            pd.DataFrame(
                {
                    "method": method,
                    "query_size": query_size,
                    "expected": expected,
                    "observed": observed_q,
                }
            )
        )
        log.info(
            "calibration %s (%s null): random queries with a term at FDR < %g: %.1f%% within "
            "its library (mean %.2f terms), %s in the focus family, %.1f%% over all terms",
            method,
            row["null"],
            fdr,
            100 * row["fraction_any_fdr05"],
            row["mean_terms_fdr05"],
            "-"
            if np.isnan(row["fraction_any_fdr05_focus"])
            else f"{100 * row['fraction_any_fdr05_focus']:.1f}%",
            100 * row["fraction_any_fdr05_all"],
        )
    pvalues = CALIBRATION_PVALUES.ordered(pd.concat(qq_rows, ignore_index=True))
    summary = CALIBRATION_SUMMARY.ordered(pd.DataFrame(summary_rows))
    return CalibrationResult(pvalues, summary, params)


def query_counts(
    engine: EnrichmentEngine, queries: np.ndarray, threads: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Overlap with every term and targets in the term's library background (terms x queries)
    of each query set (rows of ``queries``: universe indices)."""
    cols = engine.unions.columns(queries, threads)
    observed = overlaps(engine.membership, cols, threads).astype(np.int64)
    per_library = (engine.library_background.T @ cols.astype(np.int64)).astype(np.int64)
    return observed, per_library[engine.terms["library_index"].to_numpy()]


def _per_query_pvalues(
    engine: EnrichmentEngine,
    queries: np.ndarray,
    observed: np.ndarray,
    n_targets: np.ndarray,
    null: NullSettings,
    seeds: np.random.SeedSequence,
    threads: int,
    fdr: float = 0.05,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Empirical p-values (terms x queries), each query against its own null.

    Query ``i`` draws from ``default_rng(seeds.spawn(R)[i])``, stratified on its own target
    counts when the null is, with the run's sequential stopping: what
    :meth:`EnrichmentEngine.analyse` computes for that query, from the query's own seed stream
    (one shared seed would correlate the queries' nulls).  Queries run in ``threads`` threads (one
    thread per null: with stopping most batches are small, and whole nulls side by side use the
    cores better than splitting each product); results are stored by query, so they do not
    depend on the order of completion.  When the null draws beyond ``n_random``
    (``max_draws``), each query's terms that could still pass at ``fdr`` draw on as in the run
    (:meth:`EnrichmentEngine.extend_null`), from a stream of the query's own seed.
    """
    n_terms, n_queries = observed.shape
    universe = len(engine.universe.mirnas)
    children = seeds.spawn(n_queries)
    # Built once, before any thread reads them.
    engine.share_test(np.zeros(0, dtype=np.int64), np.zeros(n_terms, dtype=np.int64))
    if null.stratified:
        engine.count_bins(null.stratified)
    p_emp = np.ones((n_terms, n_queries))
    draws = np.zeros(n_queries, dtype=np.int64)
    merged = np.zeros(n_queries, dtype=np.int64)
    n_strata = np.zeros(n_queries, dtype=np.int64)
    extended = np.zeros(n_queries, dtype=np.int64)
    families = engine.families()

    if null.statistic in ("auto", "mirna_sum"):
        engine.use_score_threshold(null.score_threshold)
        engine.count_families(null.families)
        engine.summed_scores  # noqa: B018 - built once, before any thread reads it
    chosen = np.full(n_queries, "", dtype=object)

    def run(i: int) -> None:
        strata = engine.null_strata(queries[i], null) if null.stratified else None
        qnull, _ = engine.resolve_statistic(queries[i], null, strata)
        chosen[i] = qnull.statistic
        summed = qnull.statistic == "mirna_sum"
        obs = observed[:, i]
        score = engine.observed_scores(queries[i]) if summed else None
        active = np.flatnonzero((score if summed else obs) > 0)
        rng = np.random.default_rng(children[i])
        if strata is not None:
            sets = strata.random_sets(rng)
            merged[i], n_strata[i] = strata.merged, len(strata.need)
        else:
            sets = ShuffledSets(rng, universe, queries.shape[1])
        counts = engine.first_null(
            active, obs, n_targets[:, i], sets, qnull, threads=1, progress=False, score=score
        )
        p = np.ones(n_terms)
        p[active] = counts.pvalues(qnull.n_random, qnull.sequential_stop)
        exceed = np.zeros(n_terms, dtype=np.int64)
        exceed[active] = counts.exceed
        n_null = np.zeros(n_terms, dtype=np.int64)
        n_null[active] = counts.n_drawn
        child = children[i]
        info = engine.extend_null(
            f"random query {i}",
            queries.shape[1],
            strata,
            qnull,
            obs,
            exceed,
            n_null,
            p,
            np.full(n_terms, "exceedances", dtype=object),
            families,
            fdr,
            1,
            seed=np.random.SeedSequence(
                child.entropy, spawn_key=(*child.spawn_key, EXTENSION_STREAM)
            ),
            progress=False,
            n_targets=n_targets[:, i],
            score=score,
        )
        p_emp[:, i] = p
        draws[i] = int(n_null.sum())
        extended[i] = info["extended_terms"]

    start = time.perf_counter()
    workers = max(1, min(int(threads), n_queries))
    mark = n_queries / 10
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, future in enumerate(
            as_completed([pool.submit(run, i) for i in range(n_queries)])
        ):
            future.result()
            if done + 1 >= mark:
                log.info(
                    "calibration null: %d/%d random queries (%d%%), %.0f s",
                    done + 1,
                    n_queries,
                    100 * (done + 1) // n_queries,
                    time.perf_counter() - start,
                )
                while mark <= done + 1:
                    mark += n_queries / 10
    active_tests = int((observed > 0).sum())
    info: dict[str, Any] = {
        "mean_draws_per_term": round(float(draws.sum()) / max(active_tests, 1), 1),
        "max_draws": null.draw_limit,
        "mean_terms_extended_per_query": round(float(extended.mean()), 2),
    }
    if null.statistic == "auto":
        names, counts = np.unique(chosen.astype(str), return_counts=True)
        info["statistic_per_query"] = {str(k): int(v) for k, v in zip(names, counts, strict=True)}
    if null.stratified:
        info["queries_with_merged_strata"] = int((merged > 0).sum())
        info["mean_strata_per_query"] = round(float(n_strata.mean()), 2)
        if merged.any():
            log.warning(
                "calibration: %d of %d random queries had target-count bins merged (too few "
                "miRNAs for the query in them)",
                int((merged > 0).sum()),
                n_queries,
            )
    return p_emp, info


def median_set_size(sizes: list[int]) -> int:
    """Median of the sets' sizes, rounded half up (the default calibration query size)."""
    if not sizes:
        raise ConfigError(
            "enrichment.calibration.query_size is null and there are no sets to take it from",
            hint="set enrichment.calibration.query_size",
        )
    return int(np.floor(np.median(sizes) + 0.5))
