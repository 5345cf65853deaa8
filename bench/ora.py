"""ORA: exomir against gseapy.enrich on identical inputs — same p-values, and how much faster.

Inputs (from $EXOMIR_REFERENCE_DIR): the TargetScan 7.0 pairs as the edge table, and the Enrichr
GO BP 2021, KEGG 2021, Reactome 2022, Hallmark 2020 and WikiPathways 2024 libraries.

Sets: the MSC-source sets of config/mirna_sets.tsv.  The sheet's names are resolved minimally
here (this benchmark does not need miRBase): ``hsa-`` is prefixed, and a name without an arm
takes every arm the target source has (miR-100 -> hsa-miR-100-5p); names that still match
nothing are listed and skipped.  Without the sheet, the 10-miRNA set of bench/null.py is used.
A second run uses the reference case: that 10-miRNA set (4,771 target genes)
against GO BP + KEGG + Reactome + Hallmark (gseapy.enrich: about 3.1 s).  A third runs the
reference case the way gseapy is usually called: whole libraries (every term, no size limits)
and no background, which gseapy takes to be the library's genes; exomir then uses
``background="library"`` and no size limits, so the tests are again identical.

For every set, gseapy.enrich runs once per library with exactly exomir's inputs: the set's
target genes, the library's tested terms (within the size limits) and the library's background
(targetable genes of the library), so both compute the same hypergeometric tests.  Times are
medians of --repeats runs; exomir's engine is built once for all sets (its build time is
printed, and the speed-up is given with and without it).

    EXOMIR_REFERENCE_DIR=/work/shared/data python bench/ora.py
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import time
from pathlib import Path

import gseapy
import numpy as np
import pandas as pd
from _data import (
    TEN_MIRNAS,
    gene_set_dicts,
    load_average,
    load_edges,
    load_libraries,
    median_time,
    reference_dir,
)

from exomir.enrichment import EnrichmentEngine

SHEET = Path(__file__).resolve().parent.parent / "config" / "mirna_sets.tsv"
ALL_LIBRARIES = ["GO_BP", "KEGG", "Reactome", "Hallmark", "WikiPathways"]
REFERENCE_LIBRARIES = ["GO_BP", "KEGG", "Reactome", "Hallmark"]


def sheet_sets(universe: set[str]) -> dict[str, list[str]]:
    """Sets of the sheet with minimally resolved names (see the module docstring)."""
    if not SHEET.is_file():
        print(f"{SHEET} not found: using the 10-miRNA set")
        return {"ten_mirnas": TEN_MIRNAS}
    sheet = pd.read_csv(SHEET, sep="\t", comment="#", dtype=str).fillna("")
    sets: dict[str, list[str]] = {}
    unresolved = []
    for set_name, names in sheet.groupby("set", sort=True)["mirna"]:
        resolved = set()
        for name in names:
            full = name if name.startswith("hsa-") else f"hsa-{name}"
            hits = [m for m in (full, f"{full}-5p", f"{full}-3p") if m in universe]
            resolved.update(hits)
            if not hits:
                unresolved.append(name)
        if resolved:
            sets[set_name] = sorted(resolved)
    if unresolved:
        print(
            f"names without TargetScan 7.0 targets (skipped): {', '.join(sorted(set(unresolved)))}"
        )
    return sets


def run_gseapy(
    targets: list[str], dicts: dict[str, dict], backgrounds: dict[str, list[str] | None]
) -> pd.DataFrame:
    frames = []
    for lib, gene_sets in dicts.items():
        with contextlib.redirect_stdout(io.StringIO()):
            res = gseapy.enrich(
                gene_list=targets,
                gene_sets=gene_sets,
                background=backgrounds[lib],
                outdir=None,
                no_plot=True,
            ).res2d
        frames.append(res.assign(library=lib)[["library", "Term", "P-value"]])
    return pd.concat(frames, ignore_index=True)


def compare(
    title: str,
    edges: pd.DataFrame,
    gene_sets: pd.DataFrame,
    sets: dict[str, list[str]],
    repeats: int,
    *,
    gseapy_default: bool = False,
) -> None:
    """With ``gseapy_default``, gseapy gets whole libraries and no background (its default:
    the genes of the library) and exomir the same: background ``library``, no size limits."""
    print(f"\n== {title}")
    start = time.perf_counter()
    if gseapy_default:
        engine = EnrichmentEngine(
            edges, gene_sets, background="library", min_size=1, max_size=100_000
        )
    else:
        engine = EnrichmentEngine(edges, gene_sets)
    build = time.perf_counter() - start
    terms = engine.terms
    print(
        f"engine: {len(terms)} terms tested in {len(engine.libraries)} libraries, "
        f"{len(engine.genes)} background genes, built in {build:.2f} s"
    )
    tested = {lib: set(f["term_id"]) for lib, f in terms.groupby("library")}
    dicts = gene_set_dicts(gene_sets, tested)
    backgrounds = {}
    for j, lib in enumerate(engine.libraries):
        column = engine.library_background[:, [j]].toarray().ravel()
        backgrounds[lib] = None if gseapy_default else list(engine.genes[column > 0])
    target_sets = edges.groupby("mirna")["gene"].agg(lambda g: set(g))

    rows = []
    for name, mirnas in sets.items():
        targets = sorted(set().union(*(target_sets[m] for m in mirnas)))
        t_ours, _, result = median_time(lambda m=mirnas: engine.analyse("x", m, null=None), repeats)
        t_gsea, _, ref = median_time(lambda t=targets: run_gseapy(t, dicts, backgrounds), repeats)
        ours = result.table.set_index(["library", "term_id"])["p_ora"]
        ref = ref.set_index(["library", "Term"])["P-value"]
        common = ref.index.intersection(ours.index)
        rel = np.abs(ours.loc[common].to_numpy() / ref.loc[common].to_numpy() - 1)
        missing = len(ref) - len(common)
        rows.append(
            {
                "set": name,
                "k": len(mirnas),
                "targets": len(targets),
                "terms_compared": len(common),
                "max_rel_diff": rel.max() if rel.size else float("nan"),
                "exomir_s": t_ours,
                "gseapy_s": t_gsea,
                "speedup": t_gsea / t_ours,
                "missing": missing,
            }
        )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.float_format", "{:.3g}".format):
        print(table.to_string(index=False))
    total_ours = table["exomir_s"].sum()
    total_gsea = table["gseapy_s"].sum()
    print(
        f"all sets: exomir {total_ours:.3f} s, gseapy.enrich {total_gsea:.2f} s -> "
        f"{total_gsea / total_ours:.0f}x faster ({total_gsea / (total_ours + build):.1f}x "
        f"counting the engine build); max relative p-value difference "
        f"{table['max_rel_diff'].max():.2e} over {table['terms_compared'].sum()} tests; "
        f"terms gseapy reported that exomir did not: {table['missing'].sum()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    ref = reference_dir()
    print(load_average())
    edges = load_edges(ref)
    gene_sets = load_libraries(ref, ALL_LIBRARIES)
    sets = sheet_sets(set(edges["mirna"]))
    compare(
        "MSC-source sets vs GO BP, KEGG, Reactome, Hallmark, WikiPathways",
        edges,
        gene_sets,
        sets,
        args.repeats,
    )
    compare(
        "reference case: 10 miRNAs (4,771 targets) vs GO BP, KEGG, Reactome, Hallmark",
        edges,
        gene_sets[gene_sets["library"].isin(REFERENCE_LIBRARIES)],
        {"ten_mirnas": TEN_MIRNAS},
        args.repeats,
    )
    compare(
        "reference case with gseapy's defaults: whole libraries, background = library genes",
        edges,
        gene_sets[gene_sets["library"].isin(REFERENCE_LIBRARIES)],
        {"ten_mirnas": TEN_MIRNAS},
        args.repeats,
        gseapy_default=True,
    )
    print(load_average())


if __name__ == "__main__":
    main()
