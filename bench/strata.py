"""Target-count stratification of the empirical null on the real data: how many bins?

Curated miRNA sets are made of heavily studied miRNAs, which have many validated targets
(miRTarBase) concentrated on heavily studied genes; most miRNAs of the universe are barely
studied and have few.  A uniform null compares the one with the other and calls almost every
pathway enriched.  Stratifying the random sets on target-count quantile bins removes that; this
script measures how many bins it takes.

Inputs are the workflow's own outputs, so run it first with the local references:

    EXOMIR_REFERENCE_DIR=/work/shared/data snakemake --cores 2 \\
        --configfile config/examples/local-references.yaml
    python bench/strata.py                      # all parts, default bins 0,3,5,10,20,30
    python bench/strata.py --parts sets --bins 0,5,20

Parts (``--parts``):

* ``sets``: every configured set through the null with each number of bins (0 = uniform):
  significant terms (FDR_emp < 0.05, and by ORA), KEGG "PI3K-Akt signaling pathway" p_emp,
  and how well the strata match the set -- the set's sum of target counts divided by a random
  set's mean (1 = matched), and the same for the size of the target union (from 2,000 draws);
* ``profile``: the test that decides the bin count.  ``--queries`` random sets are drawn with
  the target-count profile of a real set: each of its miRNAs is replaced by a random miRNA
  among its 21 nearest neighbours in target-count rank.  They have no theme but their target
  counts, so a null that corrects the study bias gives them p < 0.05 in about 5 % of tests,
  and a term at FDR < 0.05 in about 5 % of sets or fewer.  Printed: mean fraction of tests
  with p < 0.05 and p < 0.01 (with the SE over random sets), fraction of sets with a term at
  FDR < 0.05, for the empirical null and ORA;
* ``calibration``: :func:`exomir.enrichment.calibrate` as the workflow runs it (uniform
  random queries of the median set size, N = 10,000, h = 100, all libraries), per null, with
  wall time;
* ``compare``: for every pair in results/compare, the target counts of the miRNAs unique to
  each set and where the observed split lies among random splits of those miRNAs (mean log
  target count): the set-comparison permutation test is only exposed to the study bias when
  that split is extreme.
"""

from __future__ import annotations

import argparse
import glob
import logging
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _data import load_average

from exomir.enrichment import (
    EnrichmentEngine,
    EnrichmentSettings,
    NullSettings,
    calibrate,
    median_set_size,
    read_edges,
    read_gene_sets,
)

REPO = Path(__file__).resolve().parent.parent
PI3K = ("KEGG_2021_Human", "PI3K-Akt signaling pathway")


def load(args: argparse.Namespace) -> tuple[EnrichmentEngine, dict[str, list[str]]]:
    results, resources = Path(args.results), Path(args.resources)
    edges = read_edges(results / "targets" / "all_edges.parquet")
    libraries = sorted(
        glob.glob(str(resources / "references" / "gene_sets" / "*" / "*" / "gene_sets.parquet"))
    )
    gene_sets = read_gene_sets(libraries)
    settings = EnrichmentSettings.from_config({})
    engine = EnrichmentEngine.from_settings(edges, gene_sets, settings)
    sets = {}
    for path in sorted((results / "targets").glob("*.tsv")):
        if path.name == "sources.tsv":
            continue
        sets[path.stem] = engine.mirnas_from_targets(path)
    print(
        f"universe {len(engine.universe.mirnas)} miRNAs, {len(engine.terms)} terms, "
        f"{len(engine.genes)} background genes; sets: "
        + ", ".join(f"{s} (k={engine.query(s, m).k})" for s, m in sets.items())
    )
    return engine, sets


def strata_match(engine: EnrichmentEngine, name: str, mirnas: list[str], bins: int) -> dict:
    """Set vs random sets: sum of target counts (exact) and target-union size (2,000 draws)."""
    query = engine.query(name, mirnas)
    counts = engine.target_counts
    total = float(counts[query.index].sum())
    rng = np.random.default_rng(0)
    if bins:
        strata = engine.strata(query, bins)
        null_total = strata.null_mean_total()
        sets = strata.random_sets(rng)
    else:
        null_total = query.k * float(counts.mean())
        sets = engine.random_sets(query, rng)
    union = float(engine.union_of(query).sum())
    null_union = float(engine.unions.columns(sets.take(2000)).sum(axis=0).mean())
    return {"targets_ratio": total / null_total, "union_ratio": union / null_union}


def part_sets(engine, sets, bins_list, threads) -> None:
    print("\n== real sets (N = 10,000, h = 100, seed 1) ==")
    rows = []
    for name, mirnas in sets.items():
        for bins in bins_list:
            start = time.perf_counter()
            result = engine.analyse(
                name, mirnas, null=NullSettings(stratified=bins), threads=threads
            )
            seconds = time.perf_counter() - start
            table = result.table
            pi3k = table[(table["library"] == PI3K[0]) & (table["term"] == PI3K[1])]
            rows.append(
                {
                    "set": name,
                    "k": result.params["k"],
                    "bins": bins,
                    **{k: round(v, 2) for k, v in strata_match(engine, name, mirnas, bins).items()},
                    "sig_emp": int((table["fdr_emp"] < 0.05).sum()),
                    "sig_ora": int((table["fdr_ora"] < 0.05).sum()),
                    "pi3k_p_emp": float(pi3k["p_emp"].iloc[0]) if len(pi3k) else np.nan,
                    "pi3k_p_ora": float(pi3k["p_ora"].iloc[0]) if len(pi3k) else np.nan,
                    "merged": result.params["empirical"].get("strata_merged", 0),
                    "seconds": round(seconds, 2),
                }
            )
            print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


def profile_queries(
    engine: EnrichmentEngine, mirnas: list[str], n: int, rng: np.random.Generator
) -> list[list[str]]:
    """Random sets with the target-count profile of ``mirnas`` (+-10 ranks per miRNA)."""
    counts = engine.target_counts
    order = np.argsort(counts, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    query = engine.query("profile", mirnas)
    out = []
    for _ in range(n):
        chosen: list[int] = []
        for r in rank[query.index]:
            window = [int(i) for i in order[max(0, r - 10) : r + 11] if int(i) not in chosen]
            chosen.append(window[int(rng.integers(len(window)))])
        out.append([engine.universe.mirnas[i] for i in chosen])
    return out


def part_profile(engine, sets, bins_list, threads, n_queries, profiles) -> None:
    print(f"\n== random sets with a real set's target-count profile ({n_queries} each) ==")
    rows = []
    for name in profiles:
        queries = profile_queries(engine, sets[name], n_queries, np.random.default_rng(123))
        for bins in bins_list:
            start = time.perf_counter()
            p05, p01, any_emp, any_ora = [], [], 0, 0
            for i, mirnas in enumerate(queries):
                null = NullSettings(stratified=bins, seed=1000 + i)
                table = engine.analyse(f"r{i}", mirnas, null=null, threads=threads).table
                p = table["p_emp"].to_numpy()
                p05.append(float((p < 0.05).mean()))
                p01.append(float((p < 0.01).mean()))
                any_emp += bool((table["fdr_emp"] < 0.05).any())
                any_ora += bool((table["fdr_ora"] < 0.05).any())
            se = np.std(p05, ddof=1) / np.sqrt(len(p05))
            rows.append(
                {
                    "profile": name,
                    "bins": bins,
                    "p05": f"{np.mean(p05):.3f} +- {se:.3f}",
                    "p01": f"{np.mean(p01):.4f}",
                    "any_fdr05_emp": any_emp / n_queries,
                    "any_fdr05_ora": any_ora / n_queries,
                    "seconds": round(time.perf_counter() - start),
                }
            )
            print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


def part_calibration(engine, sets, bins_list, threads, n_queries) -> None:
    size = median_set_size([engine.query(s, m).k for s, m in sets.items()])
    print(f"\n== calibration: {n_queries} uniform random queries of {size} miRNAs ==")
    for bins in bins_list:
        for th in sorted({1, threads}, reverse=True):
            start = time.perf_counter()
            result = calibrate(
                engine,
                query_size=size,
                n_queries=n_queries,
                null=NullSettings(stratified=bins),
                threads=th,
            )
            seconds = time.perf_counter() - start
            print(f"-- {NullSettings(stratified=bins).label}, {th} thread(s): {seconds:.1f} s")
            print(result.summary.to_string(index=False))
            print(
                {
                    k: v
                    for k, v in result.params["empirical"].items()
                    if "draw" in k or "strata" in k
                }
            )


def part_compare(engine, sets, results: Path) -> None:
    """Target-count balance of the compared pairs: is the permutation test exposed?"""
    print("\n== set comparisons: target counts of the miRNAs unique to each set ==")
    logs = np.log10(engine.target_counts.astype(float))
    rows = []
    for path in sorted((results / "compare").glob("*__vs__*.tsv")):
        a, b = path.stem.split("__vs__")
        ia = set(engine.query(a, sets[a]).index.tolist())
        ib = set(engine.query(b, sets[b]).index.tolist())
        only_a, only_b = sorted(ia - ib), sorted(ib - ia)
        pool = np.array(only_a + only_b)
        observed = logs[only_a].mean() - logs[only_b].mean()
        rng = np.random.default_rng(0)
        split = np.array(
            [
                logs[perm[: len(only_a)]].mean() - logs[perm[len(only_a) :]].mean()
                for perm in (rng.permutation(pool) for _ in range(5000))
            ]
        )
        table = pd.read_csv(path, sep="\t")
        rows.append(
            {
                "pair": f"{a} vs {b}",
                "shared": len(ia & ib),
                "unique": f"{len(only_a)}/{len(only_b)}",
                "median_targets": f"{np.median(10 ** logs[only_a]):.0f}/"
                f"{np.median(10 ** logs[only_b]):.0f}",
                "split_percentile": round(
                    float((split < observed).mean() + 0.5 * (split == observed).mean()), 3
                ),
                "splits": math.comb(pool.size, len(only_a)),
                "terms_fdr05": int((table["fdr"] < 0.05).sum()),
                "min_p": float(table["p_perm"].min()),
            }
        )
    print(pd.DataFrame(rows).to_string(index=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=str(REPO / "results"))
    parser.add_argument("--resources", default=str(REPO / "resources"))
    parser.add_argument("--parts", default="sets,profile,calibration,compare")
    parser.add_argument("--bins", default="0,3,5,10,20,30")
    parser.add_argument("--profiles", default="bone_marrow,umbilical_cord")
    parser.add_argument("--queries", type=int, default=100, help="random sets per profile")
    parser.add_argument("--calibration-queries", type=int, default=200)
    parser.add_argument("--calibration-bins", default="20,0")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(load_average())
    engine, sets = load(args)
    bins_list = [int(b) for b in args.bins.split(",")]
    parts = args.parts.split(",")
    if "sets" in parts:
        part_sets(engine, sets, bins_list, args.threads)
    if "profile" in parts:
        part_profile(engine, sets, bins_list, args.threads, args.queries, args.profiles.split(","))
    if "compare" in parts:
        part_compare(engine, sets, Path(args.results))
    if "calibration" in parts:
        cal_bins = [int(b) for b in args.calibration_bins.split(",")]
        part_calibration(engine, sets, cal_bins, args.threads, args.calibration_queries)
    print(load_average())


if __name__ == "__main__":
    main()
