"""Reading a run's result files into :class:`ReportData`.

The workflow passes the report its inputs as lists of files; :func:`read_report_data` matches
them to sets and kinds by file name (never by position), reads each with the required columns
of its contract in :mod:`exomir.tables`, records which file every table came from (so that a
bad cell is reported with its file and line) and hands the tables to
:func:`exomir.report.build_report_data`. The download links of the pages are made here too,
relative to the report folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from .. import signatures as sg
from .. import tables
from .._io import read_text
from ..errors import InputError
from ..focus import load_focus_pathways
from ..tables import files_by_set
from ._build import build_report_data
from ._bundle import bundle_links
from ._data import OVERLAP_FILES, OVERLAP_LABELS, ReportData
from ._validate import _check_set_names


def _read(
    path: str | os.PathLike[str], table: tables.Table, what: str | None = None
) -> pd.DataFrame:
    """A result table with the required columns of its contract (TSV or Parquet)."""
    return tables.read_table(path, what or table.what, table.needed)


def _read_json(path: str | os.PathLike[str], what: str) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} is not valid JSON ({exc.msg})",
            path=path,
            line=exc.lineno,
            hint="regenerate the file; it was probably cut short",
        ) from exc


def _relative_href(target: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> str:
    rel = os.path.relpath(os.path.abspath(target), os.path.abspath(out_dir))
    return quote(Path(rel).as_posix())


def _comparison_key(path: Path) -> tuple[str, str]:
    stem = path.name.removesuffix(".tsv")
    parts = stem.split("__vs__")
    if len(parts) != 2 or not all(parts):
        raise InputError(
            "comparison file name must be <set_a>__vs__<set_b>.tsv",
            path=path,
            hint="use the files written by the comparison step",
        )
    return parts[0], parts[1]


def _calibration_files(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[Path | None, Path | None]:
    """Tell the calibration summary from the QQ quantiles by file name."""
    summary = pvalues = None
    for item in paths:
        path = Path(item)
        if path.name.endswith("summary.tsv"):
            summary = path
        elif path.name.endswith("pvalues.tsv"):
            pvalues = path
        else:
            raise InputError(
                "calibration file is neither the summary nor the p-value table",
                path=path,
                hint="pass results/calibration/summary.tsv and results/calibration/pvalues.tsv",
            )
    if pvalues is not None and summary is None:
        raise InputError(
            "calibration p-values given without the calibration summary",
            path=pvalues,
            hint="pass results/calibration/summary.tsv as well",
        )
    return summary, pvalues


def _overlap_files(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Path]:
    """Tell the miRNA overlap table from the target-gene one by file name."""
    found: dict[str, Path] = {}
    for item in paths:
        path = Path(item)
        kinds = [k for k, name in OVERLAP_FILES.items() if path.name.endswith(name)]
        if not kinds:
            raise InputError(
                "overlap file is neither the miRNA nor the target-gene table",
                path=path,
                hint="pass results/compare/overlap_mirnas.tsv and overlap_targets.tsv",
            )
        if kinds[0] in found:
            raise InputError(f"two overlap tables of {OVERLAP_LABELS[kinds[0]]}", path=path)
        found[kinds[0]] = path
    return found


def _read_references(path: str | os.PathLike[str]) -> pd.DataFrame | Mapping[str, Any]:
    if Path(path).suffix == ".json":
        document = _read_json(path, "reference provenance")
        if not isinstance(document, Mapping):
            raise InputError(
                "reference provenance must be a JSON object keyed by reference",
                path=path,
                hint='e.g. {"mirbase": {"kind": "url", "version": "22.1", ...}}',
            )
        return document
    return _read(path, tables.REFERENCES)


def read_report_data(
    *,
    out_dir: str | os.PathLike[str],
    sets: Sequence[str],
    names: Iterable[str | os.PathLike[str]],
    targets: Iterable[str | os.PathLike[str]],
    enrichment: Iterable[str | os.PathLike[str]],
    enrichment_params: Iterable[str | os.PathLike[str]],
    config: Mapping[str, Any],
    references: str | os.PathLike[str] | None = None,
    focus: str | os.PathLike[str] | None = None,
    source_summary: str | os.PathLike[str] | None = None,
    msc_sources: Mapping[str, str] | None = None,
    calibration: Iterable[str | os.PathLike[str]] = (),
    comparisons: Iterable[str | os.PathLike[str]] = (),
    generated: str | None = None,
    overlaps: Iterable[str | os.PathLike[str]] = (),
    signatures: Iterable[str | os.PathLike[str]] = (),
    signature_summary: str | os.PathLike[str] | None = None,
    bundle: bool = False,
) -> ReportData:
    """Read the result files of a run into :class:`ReportData`.

    Per-set files are matched to sets by name (:func:`files_by_set`); the calibration files
    by name too (``summary.tsv``, ``pvalues.tsv``); comparison files are named
    ``<set_a>__vs__<set_b>.tsv``. ``references`` is the provenance table written by
    :func:`exomir.provenance.reference_provenance` (or a JSON object keyed by reference);
    ``focus`` is ``focus_pathways.yaml``, read with :func:`exomir.focus.load_focus_pathways`.
    The download links of each set page point at its ``targets``, ``enrichment`` and ``names``
    files (and its signature tables).
    ``overlaps`` are ``overlap_mirnas.tsv`` and ``overlap_targets.tsv``, told apart by name.
    ``signatures`` are the files of ``results/signatures/`` per set (``{set}.tsv``,
    ``.drivers.tsv``, ``.literature.tsv``, ``.json``; :func:`exomir.signatures.group_files`);
    ``signature_summary`` (``summary.tsv``) is only linked for download.

    With ``bundle`` the linked tables are copied into the report folder when it is written
    (``tables/...``, see :mod:`._bundle`) and the links point at the copies, so the folder
    works on its own; without it the links point at the files where they are.
    """
    sets = _check_set_names(list(sets))
    names_p = files_by_set(names, sets, suffix=".tsv", what=tables.NAMES.what)
    targets_p = files_by_set(targets, sets, suffix=".tsv", what=tables.SET_TARGETS.what)
    enrich_p = files_by_set(enrichment, sets, suffix=".tsv", what=tables.ENRICHMENT.what)
    params_p = files_by_set(enrichment_params, sets, suffix=".json", what="enrichment parameters")
    paths: dict[tuple[str, str], str | os.PathLike[str]] = {}
    for kind, mapping in (
        ("names", names_p),
        ("targets", targets_p),
        ("enrichment", enrich_p),
        ("enrichment_params", params_p),
    ):
        for s, p in mapping.items():
            paths[(kind, s)] = p
    names_t = {s: _read(p, tables.NAMES) for s, p in names_p.items()}
    targets_t = {s: _read(p, tables.SET_TARGETS) for s, p in targets_p.items()}
    enrich_t = {s: _read(p, tables.ENRICHMENT) for s, p in enrich_p.items()}
    params = {s: _read_json(p, "enrichment parameters") for s, p in params_p.items()}
    refs = None
    if references is not None:
        paths[("references", "")] = references
        refs = _read_references(references)
    summary_t = None
    if source_summary is not None:
        paths[("source_summary", "")] = source_summary
        summary_t = _read(source_summary, tables.SOURCES)
    calibration_data = None
    summary_path, pvalues_path = _calibration_files(calibration)
    if summary_path is not None:
        paths[("calibration_summary", "")] = summary_path
        calibration_data = {
            "summary": _read(summary_path, tables.CALIBRATION_SUMMARY),
            "pvalues": None,
        }
        if pvalues_path is not None:
            paths[("calibration_pvalues", "")] = pvalues_path
            calibration_data["pvalues"] = _read(pvalues_path, tables.CALIBRATION_PVALUES)
    comps: dict[tuple[str, str], pd.DataFrame] | None = None
    comparison_files = [Path(p) for p in comparisons]
    if comparison_files:
        comps = {}
        for path in comparison_files:
            key = _comparison_key(path)
            paths[("comparison", f"{key[0]}__vs__{key[1]}")] = path
            comps[key] = tables.read_table(path, tables.COMPARISON.what)
    overlap_tables: dict[str, pd.DataFrame] | None = None
    overlap_files = _overlap_files(overlaps)
    if overlap_files:
        overlap_tables = {}
        for kind, path in overlap_files.items():
            paths[("overlap", kind)] = path
            overlap_tables[kind] = _read(
                path, tables.OVERLAP, f"{tables.OVERLAP.what} of {OVERLAP_LABELS[kind]}"
            )
    linked: dict[str, dict[str, str | os.PathLike[str]]] = {
        s: {"targets": targets_p[s], "enrichment": enrich_p[s], "names": names_p[s]} for s in sets
    }
    signature_data: dict[str, sg.SignatureFiles] | None = None
    signature_paths = sg.group_files(signatures, sets)
    if signature_paths:
        signature_data = {}
        for s, found in signature_paths.items():
            paths[("signatures", s)] = found["table"]
            signature_data[s] = sg.read_set_files(
                found["table"],
                s,
                drivers=found.get("drivers"),
                literature=found.get("literature"),
                params=found.get("params"),
            )
            for kind, path in found.items():
                linked[s][f"signature_{kind}"] = path
        if signature_summary is not None:
            for s in sets:
                linked[s]["signature_summary"] = signature_summary
    copies: dict[str, str] = {}
    if bundle:
        downloads, copies = bundle_links(linked)
    else:
        downloads = {
            s: {kind: _relative_href(p, out_dir) for kind, p in kinds.items()}
            for s, kinds in linked.items()
        }
    focus_labels = None
    if focus is not None:
        focus_labels = {key: entry.label for key, entry in load_focus_pathways(focus).items()}
    return build_report_data(
        sets=sets,
        names=names_t,
        targets=targets_t,
        enrichment=enrich_t,
        enrichment_params=params,
        references=refs,
        config=config,
        focus=focus_labels,
        msc_sources=msc_sources,
        source_summary=summary_t,
        calibration=calibration_data,
        comparisons=comps,
        generated=generated,
        downloads=downloads,
        paths=paths,
        overlaps=overlap_tables,
        signatures=signature_data,
        bundle=copies,
    )
