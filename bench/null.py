"""Empirical miRNA-set null at full scale: time, memory, reproducibility, sequential stopping.

The reference case: the 10-miRNA set (hsa-miR-21-5p, -146b-5p, -125b-5p, -100-5p, -16-5p,
-145-5p, -223-3p, -23b-3p, -410-3p, -133b) with the TargetScan 7.0 pairs (221,276 unique pairs,
386 miRNAs, 12,411 genes), 10,000 random miRNA sets, GO BP + KEGG + Reactome + Hallmark, two
threads.  Reference: BUFET took 17.6 s for GO BP alone with 2 threads (33.4 s with 1), 0.56 s
for KEGG, 101 MiB peak; the target is the four libraries together in at most half of that
(8.8 s), under 1 GB.

GO BP is the GO BP propagated from org.Hs.eg.db 3.16 (15,975 terms, every ancestor annotated:
the heavier and more usual choice for a GO null) unless --go enrichr picks Enrichr's GO BP 2021.

Printed:
* load and engine-build times; null times (median of --repeats) with sequential stopping
  (Besag-Clifford, h = 10, the config default, and h = 100) and without (all 10,000 sets for
  every term), with 2 threads and with 1;
* peak memory: the process's peak RSS (ru_maxrss, includes the reference tables), and the
  peak of the arrays allocated during the null (tracemalloc; numpy reports its buffers to it);
* gseapy.enrich on the same target list and libraries in the same run, as a yardstick that
  does not depend on the machine's speed;
* reproducibility: the same seed twice gives byte-identical tables, another seed does not;
* sequential stopping vs the full run, for the terms with full-run p < 0.05: both are Monte
  Carlo estimates of the same p-value; their difference is compared with its standard error
  (h/L has relative SE ~ sqrt((1 - p) / h); the full run adds sqrt(p(1 - p) / N)).

    EXOMIR_REFERENCE_DIR=/work/shared/data python bench/null.py
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import tempfile
import time
import tracemalloc
from pathlib import Path

import gseapy
import numpy as np
from _data import (
    TEN_MIRNAS,
    gene_set_dicts,
    load_average,
    load_edges,
    load_libraries,
    median_time,
    peak_rss_mib,
    reference_dir,
)

from exomir.enrichment import EnrichmentEngine, NullSettings

BUFET_GO_BP_2_THREADS = 17.6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--go", choices=["propagated", "enrichr"], default="propagated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-random", type=int, default=10_000)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    ref = reference_dir()
    print(load_average())

    start = time.perf_counter()
    edges = load_edges(ref)
    go = "GO_BP_propagated" if args.go == "propagated" else "GO_BP"
    libraries = [go, "KEGG", "Reactome", "Hallmark"]
    gene_sets = load_libraries(ref, libraries)
    loaded = time.perf_counter() - start
    print(
        f"edges: {len(edges)} pairs, {edges['mirna'].nunique()} miRNAs, "
        f"{edges['gene'].nunique()} genes; libraries {', '.join(libraries)}: "
        f"{len(gene_sets)} memberships; read in {loaded:.1f} s"
    )
    start = time.perf_counter()
    engine = EnrichmentEngine(edges, gene_sets)
    built = time.perf_counter() - start
    per_lib = engine.terms.groupby("library").size().to_dict()
    print(
        f"engine built in {built:.2f} s: {len(engine.terms)} terms tested {per_lib}, "
        f"{engine.membership.nnz} memberships, {len(engine.genes)} background genes"
    )

    n = args.n_random
    seq = NullSettings(n_random=n, seed=1, sequential_stop=10, stratified=0)
    seq100 = NullSettings(n_random=n, seed=1, sequential_stop=100, stratified=0)
    full = NullSettings(n_random=n, seed=1, sequential_stop=0, stratified=0)

    def run(settings: NullSettings, threads: int):
        return engine.analyse("ten", TEN_MIRNAS, null=settings, threads=threads)

    print(f"\nnull of {len(TEN_MIRNAS)} miRNAs, {n} random sets (times: median of {args.repeats})")
    timings = {}
    for label, settings in (
        ("sequential h=10", seq),
        ("sequential h=100", seq100),
        ("full run", full),
    ):
        for threads in (2, 1):
            t, all_t, _ = median_time(lambda s=settings, th=threads: run(s, th), args.repeats)
            timings[(label, threads)] = t
            print(
                f"  {label:16s} threads={threads}: {t:6.2f} s   "
                f"(runs: {', '.join(f'{x:.2f}' for x in all_t)})"
            )
    tracemalloc.start()
    run(full, 2)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  peak memory: {traced / 2**20:.0f} MiB allocated during the full null; "
        f"process peak RSS {peak_rss_mib():.0f} MiB (includes the loaded tables)"
    )

    targets = sorted(set(edges.loc[edges["mirna"].isin(TEN_MIRNAS), "gene"]))
    tested = {lib: set(f["term_id"]) for lib, f in engine.terms.groupby("library")}
    dicts = gene_set_dicts(gene_sets, tested)
    backgrounds = {}
    for j, lib in enumerate(engine.libraries):
        backgrounds[lib] = list(
            engine.genes[engine.library_background[:, [j]].toarray().ravel() > 0]
        )

    def gsea():
        for lib, sets in dicts.items():
            with contextlib.redirect_stdout(io.StringIO()):
                gseapy.enrich(
                    gene_list=targets,
                    gene_sets=sets,
                    background=backgrounds[lib],
                    outdir=None,
                    no_plot=True,
                )

    t_gsea, _, _ = median_time(gsea, args.repeats)
    t_seq = timings[("sequential h=10", 2)]
    t_full = timings[("full run", 2)]
    print(
        f"\nyardstick: gseapy.enrich (ORA only, {len(targets)} genes, same libraries) "
        f"{t_gsea:.2f} s; null with 2 threads = {t_seq / t_gsea:.2f}x that (sequential), "
        f"{t_full / t_gsea:.2f}x (full run)"
    )
    print(
        f"BUFET, GO BP alone, 2 threads: {BUFET_GO_BP_2_THREADS} s; exomir, four libraries: "
        f"{t_seq:.2f} s sequential ({BUFET_GO_BP_2_THREADS / t_seq:.0f}x less), "
        f"{t_full:.2f} s full ({BUFET_GO_BP_2_THREADS / t_full:.1f}x less); "
        f"target <= {BUFET_GO_BP_2_THREADS / 2:.1f} s"
    )

    # Reproducibility: bytes of the written table.
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (settings, threads) in enumerate(
            (
                (seq, 2),
                (seq, 1),
                (NullSettings(n_random=n, seed=2, sequential_stop=10, stratified=0), 2),
            )
        ):
            path = Path(tmp) / f"t{i}.tsv"
            run(settings, threads).write(path)
            paths.append(path.read_bytes())
    print(
        f"\nreproducible: seed 1 with 2 threads == seed 1 with 1 thread: {paths[0] == paths[1]}; "
        f"seed 2 differs: {paths[0] != paths[2]}"
    )

    # Sequential stopping against the full run.
    a = run(full, 2).table.set_index(["library", "term_id"])
    for h in (10, 100):
        b = run(NullSettings(n_random=n, seed=1, sequential_stop=h, stratified=0), 2).table
        b = b.set_index(["library", "term_id"]).loc[a.index]
        p, q = a["p_emp"].to_numpy(), b["p_emp"].to_numpy()
        drawn = b["n_null"].to_numpy()
        small = p < 0.05
        se = np.sqrt(p * (1 - p) / np.maximum(drawn, 1) + p * (1 - p) / n + p * p * (1 - p) / h)
        z = np.abs(q - p)[small] / se[small]
        calls_a = a["fdr_emp"].to_numpy() < 0.05
        calls_b = b["fdr_emp"].to_numpy() < 0.05
        drawn_all = drawn[a["overlap"].to_numpy() > 0]
        print(
            f"sequential h={h}: {small.sum()} terms with full-run p < 0.05; "
            f"|difference| <= 2 SE for {np.mean(z <= 2):.0%}, <= 3 SE for {np.mean(z <= 3):.0%} "
            f"(max {z.max() if z.size else 0:.1f} SE, max relative difference "
            f"{(np.abs(q - p) / p)[small].max() if small.any() else 0:.2f}); p < 0.05 calls "
            f"agree for {np.mean((q < 0.05) == (p < 0.05)):.2%} of terms; FDR < 0.05: "
            f"{calls_a.sum()} (full) vs {calls_b.sum()} (stopped); mean draws per term "
            f"{drawn_all.mean():.0f} of {n}"
        )
    print(load_average())


if __name__ == "__main__":
    main()
