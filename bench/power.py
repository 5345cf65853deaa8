"""Calibration at real profile sizes and power on planted themes: which test should be default?

Reads the workflow's own outputs (as bench/strata.py does), built with

    EXOMIR_REFERENCE_DIR=/work/shared/data snakemake --cores 2 \\
        --configfile config/examples/local-references.yaml
    python bench/power.py --quick               # a few minutes on 2 cores
    python bench/power.py                       # the figures of bench/README.md

Methods (each with BH over all terms, within each library, and over the focus family -- the
terms matched by resources/curated/focus_pathways.yaml):

* ``ora``: hypergeometric test of the set's targets;
* ``emp_count``: the stratified empirical null as the engine runs it (30 target-count bins,
  statistic = raw overlap), here with ``--draws`` random sets for every term, no stopping;
* ``emp_share``: the same random sets, statistic = share of the set's targets (in the term's
  library background) that fall in the term -- BUFET's statistic;
* ``conditional`` and ``wallenius``: the analytic tests of :mod:`exomir._analytic` (per-gene
  probability of being targeted by a random set of the same strata; conditional on the set's
  own number of targets).

Parts (``--parts``):

* ``calibration``: random sets with no theme at k = 3, 10, 50, 150, 300, drawn uniformly and
  with probability proportional to target count (target-rich, like sequenced profiles).  Per
  method and k: fraction of sets with any term at FDR < 0.05 (95 % Clopper-Pearson CI) per
  family, the per-test rate at p < 0.05, and how often the strata cannot match the set
  (:func:`exomir._analytic.matching_report`).
* ``sets``: the configured sets (results/targets) through the engine with the old (overlap)
  and the new (share) statistic, N = 10,000, h = 100: calls per family and the best focus terms;
* ``power``: sets of 6 miRNAs with a planted theme.  For a term, every universe miRNA's
  targets are tested against it (hypergeometric); the planted miRNAs are drawn among the top
  5 % *of their own target-count stratum* (with p < 0.01), so the strata cannot explain the
  signal; the rest are uniform random miRNAs.  1, 2 or 3 planted of 6; focus-pathway terms and
  terms of every library in three size classes.  Detection = the planted term at FDR < 0.05.
  Also run: the engine's own uniform and stratified nulls on raw overlaps (N = 10,000,
  h = 100; with BH over all terms the old default), with BH within library and over the focus
  family on the same p_emp.
  ``--seed`` picks the terms and the sets; the figures use seeds never used while developing.
"""

from __future__ import annotations

import argparse
import glob
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _data import load_average
from scipy import stats

from exomir._analytic import (
    TermCounts,
    analytic_pvalues,
    matching_report,
    targeting_probability,
)
from exomir._null import overlaps
from exomir._settings import DEFAULT_STRATA
from exomir._stats import bh_fdr, hypergeometric_sf
from exomir.enrichment import (
    EnrichmentEngine,
    EnrichmentSettings,
    NullSettings,
    read_edges,
    read_gene_sets,
)
from exomir.focus import load_focus_pathways

REPO = Path(__file__).resolve().parent.parent
FAMILIES = ("all", "library", "focus")
ANALYTIC = ("conditional", "wallenius")


def load(results: Path, resources: Path) -> EnrichmentEngine:
    edges = read_edges(results / "targets" / "all_edges.parquet")
    paths = sorted(glob.glob(str(resources / "references" / "gene_sets" / "*" / "*" / "*.parquet")))
    focus = load_focus_pathways(REPO / "resources" / "curated" / "focus_pathways.yaml")
    engine = EnrichmentEngine.from_settings(
        edges, read_gene_sets(paths), EnrichmentSettings(), focus=focus
    )
    print(
        f"universe {len(engine.universe.mirnas)} miRNAs, {len(engine.terms)} terms "
        f"({int((engine.terms['focus'] != '').sum())} focus), {len(engine.genes)} genes"
    )
    return engine


def family_fdr(p: np.ndarray, engine: EnrichmentEngine) -> dict[str, np.ndarray]:
    """BH over all terms, within each library, and over the focus terms (NaN elsewhere)."""
    lib = engine.terms["library_index"].to_numpy()
    within = np.empty_like(p)
    for value in np.unique(lib):
        rows = lib == value
        within[rows] = bh_fdr(p[rows])
    focus = engine.terms["focus"].to_numpy() != ""
    in_focus = np.full(p.shape, np.nan)
    in_focus[focus] = bh_fdr(p[focus])
    return {"all": bh_fdr(p), "library": within, "focus": in_focus}


def analytic(engine: EnrichmentEngine, query, overlap, n_targets, strata) -> dict[str, np.ndarray]:
    pi = targeting_probability(engine.targets, strata.labels, strata.need)
    counts = TermCounts(
        overlap=overlap,
        term_size=engine.terms["term_size"].to_numpy(),
        background_size=engine.terms["background_size"].to_numpy(),
        n_targets=n_targets,
        library_of_term=engine.terms["library_index"].to_numpy(),
        membership=engine.membership,
        library_background=engine.library_background,
    )
    return {m: analytic_pvalues(m, counts, pi)[0] for m in ANALYTIC}


def empirical(engine, query, overlap, n_targets, strata, draws, seed, threads):
    """p-values of raw overlap and of target share against the same ``draws`` random sets."""
    sets = strata.random_sets(np.random.default_rng(seed)).take(draws)
    lib = engine.terms["library_index"].to_numpy()
    share = overlap / np.maximum(n_targets, 1)
    ge_count = np.zeros(len(overlap), dtype=np.int64)
    ge_share = np.zeros(len(overlap), dtype=np.int64)
    for a in range(0, draws, 500):
        cols = engine.unions.columns(sets[a : a + 500], threads)
        ov = overlaps(engine.membership, cols, threads).astype(np.int64)
        nt = (engine.library_background.T @ cols.astype(np.int32))[lib].astype(np.int64)
        ge_count += (ov >= overlap[:, None]).sum(axis=1)
        ge_share += (ov / np.maximum(nt, 1) >= share[:, None] - 1e-12).sum(axis=1)
    return {
        "emp_count": (1 + ge_count) / (1 + draws),
        "emp_share": (1 + ge_share) / (1 + draws),
    }


def evaluate(engine, mirnas, draws, seed, threads) -> tuple[dict[str, np.ndarray], dict]:
    query = engine.query("q", mirnas)
    overlap, n_targets, _ = engine.observed(query)
    terms = engine.terms
    out = {
        "ora": hypergeometric_sf(
            overlap, terms["term_size"].to_numpy(), n_targets, terms["background_size"].to_numpy()
        )
    }
    strata = engine.strata(query, DEFAULT_STRATA)
    out.update(analytic(engine, query, overlap, n_targets, strata))
    if draws:
        out.update(empirical(engine, query, overlap, n_targets, strata, draws, seed, threads))
    report = matching_report(
        engine.target_counts,
        query.index,
        strata.labels,
        engine.count_bins(DEFAULT_STRATA),
        strata.need,
    )
    return out, report.as_dict()


def clopper_pearson(x: int, n: int) -> str:
    lo = stats.beta.ppf(0.025, x, n - x + 1) if x else 0.0
    hi = stats.beta.ppf(0.975, x + 1, n - x) if x < n else 1.0
    return f"{x / n:.0%} [{lo:.0%}-{hi:.0%}]"


def part_calibration(engine, kinds, sizes, n_sets, draws, seed, threads) -> pd.DataFrame:
    """Per set and method: any call per family and per library, and the p < 0.05 rate."""
    counts = engine.target_counts.astype(float)
    universe = len(engine.universe.mirnas)
    lib = engine.terms["library_index"].to_numpy()
    records = []
    for kind in kinds:
        for k in sizes:
            rng = np.random.default_rng([seed, k, kind == "target_rich"])
            start = time.perf_counter()
            first = len(records)
            warned, ratios = 0, []
            for i in range(n_sets):
                prob = counts / counts.sum() if kind == "target_rich" else None
                index = rng.choice(universe, size=k, replace=False, p=prob)
                mirnas = [engine.universe.mirnas[j] for j in index]
                pvals, report = evaluate(engine, mirnas, draws, seed * 1000 + i, threads)
                warned += report["calibration_warning"] is not None
                ratios.append(report["target_ratio"])
                for method, p in pvals.items():
                    fdr = family_fdr(p, engine)
                    records.append(
                        {
                            "sets": kind,
                            "k": k,
                            "set": i,
                            "method": method,
                            "warned": report["calibration_warning"] is not None,
                            "p05": float((p < 0.05).mean()),
                            **{f"any_{fam}": bool(np.nanmin(q) < 0.05) for fam, q in fdr.items()},
                            "libraries_with_call": int(np.unique(lib[fdr["library"] < 0.05]).size),
                        }
                    )
            print(
                f"-- {kind} k={k}: {n_sets} sets, {time.perf_counter() - start:.0f} s; target "
                f"ratio set/null median {np.median(ratios):.2f} (max {max(ratios):.2f}); "
                f"matching warning in {warned}/{n_sets} sets",
                flush=True,
            )
            print(summarise(pd.DataFrame(records[first:]), len(engine.libraries)), flush=True)
    return pd.DataFrame(records)


def summarise(records: pd.DataFrame, n_libraries: int) -> str:
    """Calibration table: per kind, k and method.

    ``any_<family>``: sets with a term at FDR < 0.05 (95 % CI).  With BH within each library
    that is a union of ``n_libraries`` families, so ``per_library`` also gives the mean share of
    sets with a call in one library (the rate each family's BH controls).
    """
    rows = []
    for (kind, k, method), g in records.groupby(["sets", "k", "method"], sort=False):
        n = len(g)
        rows.append(
            {
                "sets": kind,
                "k": k,
                "method": method,
                **{
                    f"any_{fam}": clopper_pearson(int(g[f"any_{fam}"].sum()), n) for fam in FAMILIES
                },
                "per_library": f"{g['libraries_with_call'].sum() / (n * n_libraries):.1%}",
                "tests_p05": f"{g['p05'].mean():.3f}",
                "range": f"{g['p05'].min():.3f}-{g['p05'].max():.3f}",
            }
        )
    return pd.DataFrame(rows).to_string(index=False)


def pick_terms(engine, rng, per_class, n_focus) -> list[int]:
    """``n_focus`` focus terms plus ``per_class`` random terms per library and size class."""
    terms = engine.terms
    focus = np.flatnonzero(terms["focus"].to_numpy() != "")
    chosen = list(rng.choice(focus, size=min(n_focus, focus.size), replace=False))
    size = terms["term_size"].to_numpy()
    for lib in np.unique(terms["library_index"]):
        for lo, hi in ((10, 30), (30, 100), (100, 500)):
            pool = np.flatnonzero((terms["library_index"] == lib) & (size >= lo) & (size <= hi))
            pool = np.setdiff1d(pool, chosen)
            if pool.size:
                chosen.extend(rng.choice(pool, size=min(per_class, pool.size), replace=False))
    return sorted(int(t) for t in chosen)


def planted_candidates(engine, term: int, bins) -> np.ndarray:
    """miRNAs whose targets concentrate in the term: top 5 % of their stratum, p < 0.01."""
    terms = engine.terms
    lib = int(terms["library_index"].iloc[term])
    member = engine.membership[[term]].toarray().ravel().astype(np.int64)
    bg = engine.library_background[:, [lib]].toarray().ravel().astype(np.int64)
    t = engine.targets.astype(np.int64)
    ov, n = t @ member, t @ bg
    p = hypergeometric_sf(
        ov, int(terms["term_size"].iloc[term]), n, int(terms["background_size"].iloc[term])
    )
    keep = []
    for s in np.unique(bins):
        rows = np.flatnonzero(bins == s)
        cut = np.quantile(p[rows], 0.05)
        keep.extend(rows[(p[rows] <= cut) & (p[rows] < 0.01) & (ov[rows] >= 2)].tolist())
    return np.array(sorted(keep), dtype=np.int64)


def part_power(
    engine, n_terms, n_focus, reps, seed, draws, threads, with_engine=True
) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 7])
    bins = engine.count_bins(DEFAULT_STRATA)
    term_list = pick_terms(engine, rng, n_terms, n_focus)
    universe = len(engine.universe.mirnas)
    rows = []
    start = time.perf_counter()
    for t in term_list:
        cand = planted_candidates(engine, t, bins)
        if cand.size < 3:
            continue
        for planted in (1, 2, 3):
            for r in range(reps):
                chosen = list(rng.choice(cand, size=planted, replace=False))
                others = np.setdiff1d(np.arange(universe), cand)
                chosen += list(rng.choice(others, size=6 - planted, replace=False))
                mirnas = [engine.universe.mirnas[j] for j in chosen]
                pvals, _ = evaluate(engine, mirnas, draws, seed * 7919 + r, threads)
                engine_nulls = (("engine_uniform", 0), ("engine_stratified", DEFAULT_STRATA))
                for label, bins_ in engine_nulls if with_engine else ():
                    null = NullSettings(
                        stratified=bins_, seed=seed * 104729 + r, statistic="overlap"
                    )
                    res = engine.analyse("q", mirnas, null=null, threads=threads)
                    table = res.table.set_index(["library", "term_id"])
                    key = tuple(engine.terms[["library", "term_id"]].iloc[t])
                    order = engine.terms.set_index(["library", "term_id"]).index
                    pvals[label] = table.loc[order, "p_emp"].to_numpy()
                    assert float(table.loc[key, "p_emp"]) == pvals[label][t]
                row = {
                    "term": int(t),
                    "library": engine.terms["library"].iloc[t],
                    "size": int(engine.terms["term_size"].iloc[t]),
                    "focus": engine.terms["focus"].iloc[t] != "",
                    "planted": planted,
                }
                for method, p in pvals.items():
                    row[f"p_{method}"] = float(p[t])
                    for fam, q in family_fdr(p, engine).items():
                        row[f"{method}|{fam}"] = bool(q[t] < 0.05)
                rows.append(row)
        print(
            f"  term {t} ({engine.terms['library'].iloc[t]}, "
            f"{engine.terms['term'].iloc[t][:40]}): {cand.size} candidates; "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
    frame = pd.DataFrame(rows)
    detect = [c for c in frame.columns if "|" in c]
    table = frame.groupby("planted")[detect].mean().T
    table.index.name = "method|family"
    print(f"\n== power: detection at FDR < 0.05, {frame['term'].nunique()} terms x {reps} sets ==")
    print(table.round(3).to_string())
    floor = 1 / (1 + draws)
    for method in ("emp_count", "emp_share"):
        at_floor = frame.groupby("planted")[f"p_{method}"].apply(lambda p: (p <= floor).mean())
        print(
            f"{method}: planted term at the floor p = 1/{draws + 1}: {at_floor.round(3).to_dict()}"
        )
    print("\nfocus terms only:")
    print(frame[frame["focus"]].groupby("planted")[detect].mean().T.round(3).to_string())
    return frame


def part_sets(engine, results: Path, threads) -> pd.DataFrame:
    """The configured sets' focus-family calls with the old (overlap) and new (share) statistic."""
    focus = engine.terms["focus"].to_numpy() != ""
    rows = []
    for path in sorted((results / "targets").glob("*.tsv")):
        if path.name == "sources.tsv":
            continue
        mirnas = engine.mirnas_from_targets(path)
        for statistic in ("overlap", "share"):
            res = engine.analyse(
                path.stem, mirnas, null=NullSettings(statistic=statistic), threads=threads
            )
            table = res.table.set_index(["library", "term_id"])
            order = engine.terms.set_index(["library", "term_id"]).index
            p = table.loc[order, "p_emp"].to_numpy()
            fdr = family_fdr(p, engine)
            best = np.flatnonzero(focus)[np.argsort(p[focus], kind="stable")[:3]]
            rows.append(
                {
                    "set": path.stem,
                    "k": res.params["k"],
                    "statistic": statistic,
                    "calls_all": int((fdr["all"] < 0.05).sum()),
                    "calls_library": int((fdr["library"] < 0.05).sum()),
                    "calls_focus": int((fdr["focus"] < 0.05).sum()),
                    "tests_p05": round(float((p < 0.05).mean()), 3),
                    "best_focus": "; ".join(
                        f"{engine.terms['term'].iloc[t][:28]} p={p[t]:.2g} q={fdr['focus'][t]:.2g}"
                        for t in best
                    ),
                }
            )
            print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    print("\n== configured sets: calls before (overlap) and after (share) ==")
    print(frame.to_string(index=False))
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=str(REPO / "results"))
    parser.add_argument("--resources", default=str(REPO / "resources"))
    parser.add_argument("--parts", default="calibration,power")
    parser.add_argument("--sizes", default="3,10,50,150,300")
    parser.add_argument("--kinds", default="target_rich,uniform", help="random-set kinds")
    parser.add_argument("--sets", type=int, default=40, help="random sets per kind and k")
    parser.add_argument("--draws", type=int, default=2000, help="random sets per empirical test")
    parser.add_argument("--terms", type=int, default=2, help="power: terms per library and size")
    parser.add_argument("--focus-terms", type=int, default=8, help="power: focus terms")
    parser.add_argument("--reps", type=int, default=4, help="power: sets per term and ratio")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--no-engine", action="store_true", help="power: skip the engine's N = 10,000 nulls"
    )
    parser.add_argument(
        "--quick", action="store_true", help="10 sets, 500 draws, 1+4 terms, 2 reps"
    )
    parser.add_argument("--out", help="write the calibration and power tables here (TSV prefix)")
    args = parser.parse_args()
    if args.quick:
        args.sets, args.draws, args.terms, args.focus_terms, args.reps = 10, 500, 1, 4, 2
    logging.disable(logging.WARNING)
    print(load_average())
    engine = load(Path(args.results), Path(args.resources))
    parts = args.parts.split(",")
    if "calibration" in parts:
        sizes = [int(k) for k in args.sizes.split(",")]
        cal = part_calibration(
            engine, args.kinds.split(","), sizes, args.sets, args.draws, args.seed, args.threads
        )
        print("\n== calibration ==")
        print(summarise(cal, len(engine.libraries)))
        if args.out:
            cal.to_csv(f"{args.out}calibration.tsv", sep="\t", index=False)
    if "sets" in parts:
        part_sets(engine, Path(args.results), args.threads)
    if "power" in parts:
        power = part_power(
            engine,
            args.terms,
            args.focus_terms,
            args.reps,
            args.seed,
            args.draws,
            args.threads,
            not args.no_engine,
        )
        if args.out:
            power.to_csv(f"{args.out}power.tsv", sep="\t", index=False)
    print(load_average())


if __name__ == "__main__":
    main()
