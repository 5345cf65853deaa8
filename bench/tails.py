"""Are the empirical p-values valid where the FDR decisions are made, far below 0.05?

"Sets with a call" (bench/power.py, the workflow's calibration) counts rare events, so its
intervals stay wide. This benchmark looks at the same random queries test by test instead: for
random miRNA sets of ``k`` -- uniform (the workflow's calibration queries) or target-rich
(``--kind target_rich``: probability proportional to target count) -- the empirical p-value of
every term is computed exactly as the workflow's calibration computes it (the default null, each
query with its own strata, seed stream, sequential stopping and extension; tail fit as
configured), and the share of tests at ``p <= a`` is compared with ``a`` for ``a`` from 0.05 down
to 2e-5. A valid p-value has ``P(p <= a) <= a``; the extension is what produces p-values below
1e-4, so the small levels check it. Families: all terms, the focus family, each library.

Reads the workflow's outputs, like bench/power.py:

    python bench/tails.py --results <run>/results --resources <run>/resources --k 10 --queries 300

Prints, per family and level: tests at ``p <= a`` and their ratio to the nominal ``tests x a``,
with a 95 % interval from resampling the queries (:func:`bootstrap_ci`), and the queries with a
term at FDR < 0.05 (BH in that family).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from _data import load_average
from power import DEFAULT_STRATA, default_settings, load, random_indices
from scipy import stats

from exomir._calibration import _per_query_pvalues, query_counts
from exomir._null import RandomSets
from exomir._stats import bh_fdr

LEVELS = (0.05, 0.01, 1e-3, 1e-4, 2e-5)


def bootstrap_ci(per_query: np.ndarray, seed: int = 0, reps: int = 2000) -> tuple[float, float]:
    """95 % percentile interval of the total count, resampling queries.

    The tests of one query are correlated (nested and overlapping terms share genes), so an
    interval that treats every test as independent would be too narrow; the queries are
    independent.
    """
    rng = np.random.default_rng(seed)
    totals = per_query[rng.integers(0, per_query.size, (reps, per_query.size))].sum(axis=1)
    low, high = np.quantile(totals, [0.025, 0.975])
    return float(low), float(high)


def flagged_queries(engine, rng, k: int, n_queries: int, kind: str, null) -> np.ndarray:
    """Random queries (``kind`` as in :func:`query_pvalues`) that the matching check flags on
    the plain target-count strata (:meth:`EnrichmentEngine.matching`: the sets the null tilts,
    ``enrichment.empirical.tilt``, or without the tilt tests with ``share``), found by
    rejection.  Prints how many queries were drawn to find them."""
    bins = null.stratified or DEFAULT_STRATA
    found, drawn = [], 0
    while len(found) < n_queries:
        index = np.sort(random_indices(engine, rng, k, kind))
        drawn += 1
        if engine.matching(index, engine.strata(index, bins), "mirna_sum").warning:
            found.append(index)
    print(f"{n_queries} flagged {kind} queries of {k} miRNAs among {drawn} drawn")
    return np.array(found, dtype=np.int64)


def query_pvalues(
    engine,
    k: int,
    n_queries: int,
    null,
    threads: int,
    kind: str = "uniform",
    flagged: bool = False,
) -> np.ndarray:
    """Terms x queries p_emp of random queries, each against its own null as the workflow's
    calibration computes it.  ``uniform`` queries are the calibration's own; ``target_rich``
    ones are drawn with probability proportional to target count (like sequenced profiles:
    the case the strata have to correct).  ``flagged``: only queries the matching check flags
    (:func:`flagged_queries`)."""
    universe = len(engine.universe.mirnas)
    query_seq, null_seq = np.random.SeedSequence(null.seed).spawn(2)
    rng = np.random.default_rng(query_seq)
    if flagged:
        queries = flagged_queries(engine, rng, k, n_queries, kind, null)
    elif kind == "uniform":
        queries = RandomSets(rng, universe, k).take(n_queries)
    else:
        queries = np.array(
            [random_indices(engine, rng, k, kind) for _ in range(n_queries)], dtype=np.int64
        )
    observed, n_targets = query_counts(engine, queries, threads)
    p, _ = _per_query_pvalues(engine, queries, observed, n_targets, null, null_seq, threads)
    return p


def tail_table(p: np.ndarray, engine) -> pd.DataFrame:
    """Per family and level: tests at p <= a against a; queries with a call at FDR < 0.05."""
    terms = engine.terms
    families = {"all terms": np.arange(len(terms))}
    families["focus family"] = np.flatnonzero((terms["focus"] != "").to_numpy())
    for lib in terms["library"].unique():
        families[lib] = np.flatnonzero((terms["library"] == lib).to_numpy())
    rows = []
    for name, index in families.items():
        sub = p[index]
        called = int(((bh_fdr(sub, axis=0) < 0.05).sum(axis=0) > 0).sum())
        ci = stats.binomtest(called, p.shape[1]).proportion_ci(method="exact")
        row = {
            "family": name,
            "terms": index.size,
            "tests": sub.size,
            "queries with a call": f"{called}/{p.shape[1]} [{ci.low:.1%}-{ci.high:.1%}]",
        }
        for a in LEVELS:
            per_query = (sub <= a).sum(axis=0)
            count = int(per_query.sum())
            low, high = bootstrap_ci(per_query)
            if not count:  # nothing to resample: the exact Poisson upper bound of a zero count
                high = float(stats.chi2.ppf(0.975, 2) / 2)
            scale = sub.size * a
            row[f"p<={a:g}"] = (
                f"{count} ({count / scale:.2f} [{low / scale:.2f}-{high / scale:.2f}])"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", required=True)
    parser.add_argument("--resources", required=True)
    parser.add_argument("--k", type=int, default=10, help="miRNAs per random query")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--kind", choices=("uniform", "target_rich"), default="uniform")
    parser.add_argument("--seed", type=int, default=77)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--stratified", type=int, help="target-count bins of the null (default: the schema's)"
    )
    parser.add_argument("--statistic", help="the null's statistic (default: the schema's)")
    parser.add_argument("--save", help="write the terms x queries p-values here (.npy)")
    parser.add_argument(
        "--flagged",
        action="store_true",
        help="only queries the matching check flags on the plain strata (the null tilts "
        "them; with --no-tilt auto runs share on them)",
    )
    parser.add_argument(
        "--no-tilt",
        action="store_true",
        help="draw uniformly within every stratum (enrichment.empirical.tilt: false)",
    )
    parser.add_argument(
        "--score-threshold",
        type=float,
        help="the null's score_threshold (mirna_sum; 1: every miRNA's whole -ln p)",
    )
    parser.add_argument(
        "--families",
        type=float,
        help="count families of Jaccard >= this once (default: the schema's)",
    )
    args = parser.parse_args()
    settings = default_settings()
    null = replace(settings.null, seed=args.seed)
    if args.stratified is not None:
        null = replace(null, stratified=args.stratified)
    if args.statistic is not None:
        null = replace(null, statistic=args.statistic)
    if args.families is not None:
        null = replace(null, families=args.families)
    if args.no_tilt:
        null = replace(null, tilt=False)
    if args.score_threshold is not None:
        null = replace(null, score_threshold=args.score_threshold)
    engine = load(Path(args.results), Path(args.resources), settings)
    print(f"null: {null}")
    start = time.perf_counter()
    p = query_pvalues(engine, args.k, args.queries, null, args.threads, args.kind, args.flagged)
    print(
        f"{args.queries} {args.kind} random queries of {args.k} miRNAs, seed {args.seed}: "
        f"{time.perf_counter() - start:.0f} s; {load_average()}"
    )
    if args.save:
        np.save(args.save, p)
    print(
        "tests at p <= a: count (count / (tests x a) [95 % interval, queries resampled]); 1 = nominal"
    )
    print(tail_table(p, engine).to_string(index=False))


if __name__ == "__main__":
    main()
