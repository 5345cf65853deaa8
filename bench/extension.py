"""p-values below 1/N on the real data: what the extension of the null and the testing families
change, what they cost, and whether the extended p-values agree with brute force.

Inputs are the workflow's own outputs, so run it first with the local references:

    EXOMIR_REFERENCE_DIR=/work/shared/data snakemake --cores 2 \\
        --configfile config/examples/local-references.yaml
    python bench/extension.py                    # both parts
    python bench/extension.py --parts sets

Parts (``--parts``):

* ``sets``: every configured set through :meth:`EnrichmentEngine.analyse` with the default null
  twice, without the extension (``max_draws = n_random``, as before) and with it (default
  ``max_draws``): terms at FDR < 0.05 by BH over all terms (the old ``fdr_emp``), within each
  library (the new ``fdr_emp``) and over the focus family (``fdr_focus``), the ``p_method``
  counts, the smallest p-value and the wall time of both runs;
* ``calibration``: :func:`exomir.enrichment.calibrate` as the workflow runs it (``--queries``
  uniform random queries of the median set size, default null) without and with the extension:
  the fraction of queries with a term at FDR < 0.05 per family, and the wall time;
* ``brute``: for the extended terms and the other terms with p < 0.01 of ``--brute-set`` (default
  every set), an independent brute-force null of
  ``--brute-draws`` random sets (another seed, every term drawn to the end, no stopping; the
  default statistic) next to
  the extended p-values: the z-score of their difference under both binomial errors (agreement
  within Monte Carlo error: |z| < 2 for about 95 % of terms), and, for ``gpd_tail`` terms, the
  brute-force p-value beside the tail fit's.
"""

from __future__ import annotations

import argparse
import glob
import logging
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from _data import load_average

from exomir._null import sequential_null
from exomir._scores import score_null
from exomir.config import with_defaults
from exomir.enrichment import (
    EnrichmentEngine,
    EnrichmentSettings,
    calibrate,
    median_set_size,
    read_edges,
    read_gene_sets,
)
from exomir.focus import load_focus_pathways

REPO = Path(__file__).resolve().parent.parent


def default_settings() -> EnrichmentSettings:
    return EnrichmentSettings.from_config(with_defaults({}, "enrichment"))


def load(args: argparse.Namespace) -> tuple[EnrichmentEngine, dict[str, list[str]]]:
    results, resources = Path(args.results), Path(args.resources)
    edges = read_edges(results / "targets" / "all_edges.parquet")
    libraries = sorted(
        glob.glob(str(resources / "references" / "gene_sets" / "*" / "*" / "gene_sets.parquet"))
    )
    settings = default_settings()
    engine = EnrichmentEngine.from_settings(
        edges,
        read_gene_sets(libraries),
        settings,
        focus=load_focus_pathways(REPO / "resources" / "curated" / "focus_pathways.yaml"),
    )
    sets = {}
    for path in sorted((results / "targets").glob("*.tsv")):
        if path.name != "sources.tsv":
            sets[path.stem] = engine.mirnas_from_targets(path)
    n_focus = int((engine.terms["focus"] != "").sum())
    print(
        f"universe {len(engine.universe.mirnas)} miRNAs, {len(engine.terms)} terms "
        f"({n_focus} in the focus family), libraries: "
        + ", ".join(
            f"{lib} {int((engine.terms['library'] == lib).sum())}" for lib in engine.libraries
        )
    )
    return engine, sets


def part_sets(engine: EnrichmentEngine, sets: dict, threads: int) -> dict[str, pd.DataFrame]:
    null = default_settings().null
    before = replace(null, max_draws=null.n_random)
    tables = {}
    rows = []
    for name, mirnas in sets.items():
        start = time.perf_counter()
        old = engine.analyse(name, mirnas, null=before, threads=threads).table
        t_old = time.perf_counter() - start
        start = time.perf_counter()
        new = engine.analyse(name, mirnas, null=null, threads=threads).table
        t_new = time.perf_counter() - start
        tables[name] = new
        methods = new["p_method"].value_counts()
        rows.append(
            {
                "set": name,
                "k": int(new["k_mirnas"].iloc[0]),
                "all_before": int((old["fdr_all"] < 0.05).sum()),
                "lib_before": int((old["fdr_emp"] < 0.05).sum()),
                "focus_before": int((old["fdr_focus"] < 0.05).sum()),
                "all_after": int((new["fdr_all"] < 0.05).sum()),
                "lib_after": int((new["fdr_emp"] < 0.05).sum()),
                "focus_after": int((new["fdr_focus"] < 0.05).sum()),
                "extended": int(methods.get("extended", 0)),
                "gpd_tail": int(methods.get("gpd_tail", 0)),
                "floor": int(methods.get("floor", 0)),
                "min_p": float(new["p_emp"].min()),
                "s_before": round(t_old, 1),
                "s_after": round(t_new, 1),
            }
        )
        print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    print("\n" + pd.DataFrame(rows).to_markdown(index=False))
    return tables


def part_brute(
    engine: EnrichmentEngine, sets: dict, name: str, table: pd.DataFrame, draws: int, threads: int
) -> pd.DataFrame:
    null = default_settings().null
    # The extended terms, and every other term with p < 0.01 (resolved by sequential stopping).
    ext = table[(table["p_method"] != "exceedances") | (table["p_emp"] < 0.01)]
    if ext.empty:
        print(f"{name}: no term with p < 0.01")
        return pd.DataFrame()
    key = pd.MultiIndex.from_frame(engine.terms[["library", "term_id"]])
    rows = key.get_indexer(pd.MultiIndex.from_frame(ext[["library", "term_id"]]))
    query = engine.query(name, sets[name])
    null, _ = engine.resolve_statistic(query.index, null)  # the statistic auto uses for the set
    strata = engine.null_strata(query, null)
    sets_b = strata.random_sets(np.random.default_rng(null.seed + 1000), shuffled=True)
    sub = engine.membership[rows]
    used = np.unique(sub.indices)
    n_targets = np.zeros(len(engine.terms), dtype=np.int64)
    n_targets[rows] = ext["n_targets"].to_numpy()
    start = time.perf_counter()
    what = f"{name}: brute-force null ({null.statistic} statistic)"
    if null.statistic == "mirna_sum":
        counts = score_null(
            engine.score_sums(rows, query.k),
            engine.observed_scores(query.index)[rows],
            sets_b,
            draws,
            what=what,
        )
    else:
        counts = sequential_null(
            sp.csr_array(sub[:, used]),
            ext["overlap"].to_numpy(),
            sets_b,
            engine.unions.restrict(used),
            draws,
            threads=threads,
            what=what,
            share=engine.share_test(rows, n_targets) if null.statistic == "share" else None,
        )
    seconds = time.perf_counter() - start
    p_b = (1.0 + counts.exceed) / (1.0 + draws)
    p_e = ext["p_emp"].to_numpy()
    n_e = ext["n_null"].to_numpy()
    se = np.sqrt(p_b * (1 - p_b) / draws + p_e * (1 - p_e) / n_e)
    z = (p_e - p_b) / se
    out = pd.DataFrame(
        {
            "term": ext["term"].str.slice(0, 50).to_numpy(),
            "library": ext["library"].to_numpy(),
            "p_method": ext["p_method"].to_numpy(),
            "n_null": n_e,
            "p_emp": p_e,
            "brute_exceed": counts.exceed,
            "p_brute": p_b,
            "z": z,
        }
    )
    counted = out["p_method"] != "gpd_tail"
    print(
        f"\n{name}: {len(out)} extended terms against {draws:,} brute-force draws "
        f"({seconds:.0f} s); counted p-values: |z| < 2 for "
        f"{int((np.abs(out.loc[counted, 'z']) < 2).sum())} of {int(counted.sum())}, "
        f"max |z| {np.abs(out.loc[counted, 'z']).max():.2f}"
    )
    print(out.to_markdown(index=False, floatfmt=".3g"))
    return out.assign(set=name)


def part_calibration(
    engine: EnrichmentEngine, sets: dict, n_queries: int, threads: int, sizes: list[int]
) -> None:
    null = default_settings().null
    sizes = sizes or [median_set_size([engine.query(s, m).k for s, m in sets.items()])]
    rows = []
    for size in sizes:
        for label, settings in (
            ("before", replace(null, max_draws=null.n_random)),
            ("after", null),
        ):
            start = time.perf_counter()
            result = calibrate(
                engine, query_size=size, n_queries=n_queries, null=settings, threads=threads
            )
            seconds = time.perf_counter() - start
            emp = result.params["empirical"]
            summary = result.summary.assign(
                run=label,
                seconds=round(seconds),
                draws_per_term=emp.get("mean_draws_per_term"),
                extended_per_query=emp.get("mean_terms_extended_per_query"),
            )
            rows.append(summary)
            print(summary.to_string(index=False), flush=True)
    table = pd.concat(rows, ignore_index=True)
    columns = [
        "query_size",
        "run",
        "method",
        "fraction_any_fdr05",
        "ci_high",
        "fraction_any_fdr05_focus",
        "ci_high_focus",
        "fraction_any_fdr05_all",
        "ci_high_all",
        "fraction_p05",
        "draws_per_term",
        "extended_per_query",
        "seconds",
    ]
    print(f"\ncalibration: {n_queries} uniform random queries per size")
    print(table[columns].to_markdown(index=False, floatfmt=".3g"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", default=str(REPO / "results"))
    parser.add_argument("--resources", default=str(REPO / "resources"))
    parser.add_argument("--parts", default="sets,brute")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--brute-set", default="all", help="a set's name, or all")
    parser.add_argument("--brute-draws", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sizes", default="", help="query sizes (default: the median set size)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(load_average())
    engine, sets = load(args)
    parts = args.parts.split(",")
    tables = part_sets(engine, sets, args.threads) if "sets" in parts else {}
    if "brute" in parts:
        names = list(sets) if args.brute_set == "all" else [args.brute_set]
        compared = []
        for name in names:
            table = tables.get(name)
            if table is None:
                null = default_settings().null
                table = engine.analyse(name, sets[name], null=null, threads=args.threads).table
            compared.append(part_brute(engine, sets, name, table, args.brute_draws, args.threads))
        out = pd.concat(compared, ignore_index=True)
        counted = out["p_method"] != "gpd_tail"
        z = out.loc[counted, "z"].to_numpy()
        print(
            f"\nall sets: {int(counted.sum())} counted p-values, |z| < 2 for "
            f"{int((np.abs(z) < 2).sum())}, mean z {z.mean():.2f}, SD {z.std(ddof=1):.2f}; "
            f"{int((~counted).sum())} tail fits"
        )
    if "calibration" in parts:
        sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else []
        part_calibration(engine, sets, args.queries, args.threads, sizes)
    print(load_average())


if __name__ == "__main__":
    main()
