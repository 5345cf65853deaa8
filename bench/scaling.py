"""Scaling of the empirical null with set size k and number of random sets N.

TargetScan 7.0 pairs and GO BP (propagated, org.Hs.eg.db 3.16) + KEGG + Reactome + Hallmark, as
in bench/null.py.  Sets of k = 1, 10 and 100 miRNAs (k = 10 is the set of bench/null.py; the
others are seeded random draws from the universe), N = 1,000, 10,000 and 100,000 random sets,
2 threads; full runs (every term draws all N sets) and sequential stopping (h = 10).  For each
cell: median wall time of --repeats runs and the peak of the memory allocated during the run
(tracemalloc).  The growth is summarised as log-log slopes: time ~ N^a at fixed k, and how time
changes with k at fixed N.

Cost model of a full run: drawing N sets (N x U random keys), N target unions (k bit-packed rows
ORed per set, then unpacked), and the sparse product terms x genes times genes x N, which is
proportional to (memberships) x N whatever k is.  So the full run grows linearly in N and
only weakly with k; memory is bounded by the batch size, not by N.

    EXOMIR_REFERENCE_DIR=/work/shared/data python bench/scaling.py
"""

from __future__ import annotations

import argparse
import logging
import tracemalloc

import numpy as np
import pandas as pd
from _data import (
    TEN_MIRNAS,
    load_average,
    load_edges,
    load_libraries,
    median_time,
    peak_rss_mib,
    reference_dir,
)

from exomir.enrichment import EnrichmentEngine, NullSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    ref = reference_dir()
    print(load_average())
    edges = load_edges(ref)
    gene_sets = load_libraries(ref, ["GO_BP_propagated", "KEGG", "Reactome", "Hallmark"])
    engine = EnrichmentEngine(edges, gene_sets)
    universe = list(engine.universe.mirnas)
    rng = np.random.default_rng(7)
    sets = {
        1: ["hsa-miR-21-5p"],
        10: TEN_MIRNAS,
        100: sorted(rng.choice(universe, size=100, replace=False).tolist()),
    }
    print(f"{len(engine.terms)} terms, {engine.membership.nnz} memberships, U = {len(universe)}")
    rows = []
    for mode, stop in (("full", 0), ("sequential h=10", 10)):
        for k, mirnas in sets.items():
            for n in (1_000, 10_000, 100_000):
                settings = NullSettings(n_random=n, seed=1, sequential_stop=stop, stratified=0)
                repeats = 1 if n == 100_000 and mode == "full" else args.repeats

                def run(s=settings, m=mirnas):
                    return engine.analyse("s", m, null=s, threads=args.threads)

                t, _, result = median_time(run, repeats)
                tracemalloc.start()
                run()
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                tested = result.table["overlap"].to_numpy() > 0
                rows.append(
                    {
                        "mode": mode,
                        "k": k,
                        "N": n,
                        "seconds": t,
                        "peak_MiB": peak / 2**20,
                        "terms_with_overlap": int(tested.sum()),
                        "mean_draws": result.table["n_null"].to_numpy()[tested].mean(),
                    }
                )
                print(
                    f"  {mode:16s} k={k:3d} N={n:6d}: {t:7.2f} s, {peak / 2**20:5.0f} MiB, "
                    f"mean draws per term {rows[-1]['mean_draws']:.0f}",
                    flush=True,
                )
    table = pd.DataFrame(rows)
    print()
    with pd.option_context("display.width", 140, "display.float_format", "{:.3g}".format):
        print(table.to_string(index=False))
    print("\ngrowth (log-log slope of time against N, from N = 10,000 to 100,000):")
    for (mode, k), g in table.groupby(["mode", "k"], sort=False):
        g = g.set_index("N")["seconds"]
        slope = np.log(g[100_000] / g[10_000]) / np.log(10)
        print(f"  {mode:16s} k={k:3d}: time ~ N^{slope:.2f}")
    print("time against k at N = 10,000:")
    for mode, g in table[table["N"] == 10_000].groupby("mode", sort=False):
        g = g.set_index("k")["seconds"]
        print(
            f"  {mode:16s} k=1: {g[1]:.2f} s, k=10: {g[10]:.2f} s ({g[10] / g[1]:.1f}x), "
            f"k=100: {g[100]:.2f} s ({g[100] / g[1]:.1f}x)"
        )
    print(f"process peak RSS {peak_rss_mib():.0f} MiB; {load_average()}")


if __name__ == "__main__":
    main()
