"""What travels with the report: the full tables it links to, and the significant rows.

The report folder (``results/report/``) is a bundle that can be copied, zipped or mailed on its
own:

* ``tables/<kind>/<file>`` -- copies of every table a page links to for download (targets,
  enrichment, names, signature tables), in the layout of ``results/``, so that no link
  climbs out of the folder (:func:`bundle_links`, written by :func:`copy_bundle`);
* ``significant/<set>.tsv`` -- the lead terms of each set (all significant ones and at least
  the :data:`exomir.report.TOP_TERMS` best), and ``significant_comparisons.tsv`` -- the
  significant terms of every pair of sets (at least the best of each pair): small tables that
  ``snakemake --report`` embeds instead of the full tables (:func:`significant_tables`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from .._io import atomic_path, write_tsv
from ._data import ReportData
from ._derive import _lt, top_terms

#: Folder of the copied tables inside the report folder.
TABLES_DIR = "tables"
#: Folder of the per-set significant rows, and the file of the comparisons' ones.
SIGNIFICANT_DIR = "significant"
SIGNIFICANT_COMPARISONS = "significant_comparisons.tsv"
#: Rows kept per pair of sets when none is significant.
COMPARISON_ROWS = 15


def bundle_links(
    files: Mapping[str, Mapping[str, str | os.PathLike[str]]],
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Download links inside the bundle, and what to copy where.

    ``files`` maps each set to ``{kind: source path}``. Each file is placed at
    ``tables/<folder of the source>/<file name>`` (``tables/enrichment/bone_marrow.tsv``), the
    layout of ``results/``. Returns ``(links, copies)``: set -> kind -> href relative to the
    report folder, and destination (relative) -> source path.
    """
    links: dict[str, dict[str, str]] = {}
    copies: dict[str, str] = {}
    for set_name, kinds in files.items():
        for kind, source in kinds.items():
            path = Path(source)
            dest = f"{TABLES_DIR}/{path.parent.name}/{path.name}"
            if copies.get(dest, str(path)) != str(path):
                raise ValueError(f"two tables would be copied to {dest}")
            copies[dest] = str(path)
            links.setdefault(set_name, {})[kind] = quote(dest)
    return links, dict(sorted(copies.items()))


def copy_bundle(out_dir: str | os.PathLike[str], copies: Mapping[str, str]) -> list[Path]:
    """Copy the linked tables into ``out_dir`` (atomically each); returns the written paths."""
    written = []
    for dest, source in copies.items():
        target = Path(out_dir) / dest
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        written.append(target)
    return written


def significant_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """The small tables for ``snakemake --report``, keyed by path relative to the report folder.

    Per set, the lead terms of :func:`exomir.report.top_terms` (significant leads and at least
    the best ones, ``significant`` saying which) without the list of group members; and, when
    sets were compared, each pair's significant terms, at least its :data:`COMPARISON_ROWS` best.
    """
    out: dict[str, pd.DataFrame] = {}
    for s in data.sets:
        leads = top_terms(data.enrichment[s], fdr=data.fdr)
        out[f"{SIGNIFICANT_DIR}/{s}.tsv"] = leads.drop(columns=["members"]).assign(
            n_members=leads["n_members"].astype(int)
        )
    if data.comparisons:
        parts = []
        for (a, b), frame in data.comparisons.items():
            ordered = frame.sort_values(
                ["p_perm", "library", "term_id"], kind="stable", na_position="last"
            )
            significant = [_lt(v, data.fdr) for v in ordered["fdr"]]
            keep = max(COMPARISON_ROWS, sum(significant))
            part = ordered.assign(significant=significant).head(keep)
            parts.append(part.assign(set_a=a, set_b=b))
        table = pd.concat(parts, ignore_index=True)
        first = ["set_a", "set_b", "significant"]
        out[SIGNIFICANT_COMPARISONS] = table[first + [c for c in table.columns if c not in first]]
    return out


def write_significant(out_dir: str | os.PathLike[str], data: ReportData) -> list[Path]:
    """Write :func:`significant_tables` into ``out_dir``; returns the written paths."""
    written = []
    for name, frame in significant_tables(data).items():
        path = Path(out_dir) / name
        write_tsv(frame, path)
        written.append(path)
    return written
