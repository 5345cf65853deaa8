"""Shared loading and measuring for the benchmarks (not part of the package).

The real reference files are read in place from ``$EXOMIR_REFERENCE_DIR`` (see
/work/shared/data/PROVENANCE.md for what they are).  exomir's own readers are used
(:func:`exomir.genesets.read_gmt`, :func:`exomir.target_sources.read_pairs`).
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from exomir.genesets import read_gmt
from exomir.target_sources import read_pairs

#: The TargetScan 7.0 pairs of the PTC package: 386 miRNAs, 12,411 genes, no scores.
TARGETSCAN = "targetscan/PTC_TScan_TargetScan7.0_hsa_pairs.tsv.gz"

#: Libraries by short name: Enrichr files (GO BP 2021, KEGG 2021, Reactome 2022, Hallmark 2020,
#: WikiPathways 2024) and GO BP propagated from org.Hs.eg.db 3.16 (15,975 terms; all ancestors).
LIBRARIES = {
    "GO_BP": "gene_sets/enrichr/GO_Biological_Process_2021.gmt.gz",
    "GO_BP_propagated": "gene_sets/go/GO_BP_orgHsEgDb_3.16_propagated.symbols.gmt.gz",
    "KEGG": "gene_sets/enrichr/KEGG_2021_Human.txt.gz",
    "Reactome": "gene_sets/enrichr/Reactome_2022.txt.gz",
    "Hallmark": "gene_sets/enrichr/MSigDB_Hallmark_2020.txt.gz",
    "WikiPathways": "gene_sets/enrichr/WikiPathways_2024_Human.gmt.gz",
}

#: The 10-miRNA set of the null benchmark (4,771 TargetScan target genes).
TEN_MIRNAS = [
    "hsa-miR-21-5p",
    "hsa-miR-146b-5p",
    "hsa-miR-125b-5p",
    "hsa-miR-100-5p",
    "hsa-miR-16-5p",
    "hsa-miR-145-5p",
    "hsa-miR-223-3p",
    "hsa-miR-23b-3p",
    "hsa-miR-410-3p",
    "hsa-miR-133b",
]


def reference_dir() -> Path:
    value = os.environ.get("EXOMIR_REFERENCE_DIR")
    if not value or not Path(value).is_dir():
        sys.exit("set EXOMIR_REFERENCE_DIR to the folder of the real reference data")
    return Path(value)


def load_edges(ref: Path) -> pd.DataFrame:
    pairs = read_pairs(ref / TARGETSCAN, name="TargetScan_7.0")
    return pairs.rename(columns={"mirna_raw": "mirna", "gene_raw": "gene"})[["mirna", "gene"]]


def load_libraries(ref: Path, names: list[str]) -> pd.DataFrame:
    frames = []
    for name in names:
        frame = read_gmt(ref / LIBRARIES[name], library=name)
        frame.attrs = {}  # the audit table in attrs would make concat compare frames
        frames.append(frame[["library", "term_id", "term", "gene"]])
    return pd.concat(frames, ignore_index=True)


def gene_set_dicts(gene_sets: pd.DataFrame, term_ids: dict[str, set[str]]) -> dict[str, dict]:
    """Per library, {term_id: genes} of the given terms: gseapy's input."""
    out: dict[str, dict] = {}
    for lib, frame in gene_sets.groupby("library", sort=True):
        keep = frame[frame["term_id"].isin(term_ids.get(lib, set()))]
        out[lib] = {t: g.tolist() for t, g in keep.groupby("term_id", sort=True)["gene"]}
    return out


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float], Any]:
    """Median wall time of ``repeats`` calls (the machine is shared: the median resists load)."""
    times = []
    result = None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"
