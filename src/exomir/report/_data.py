"""What one report is made from: :class:`ReportData` and its :class:`Calibration`.

These are plain, frozen containers. :func:`exomir.report.build_report_data` fills them from
tables in memory after checking them (:mod:`._validate`); :func:`exomir.report.read_report_data`
reads the result files first (:mod:`._load`). The section builders only ever see a checked
:class:`ReportData`, so they can trust every column's type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import signatures as sg

#: Shared and unique members across sets (results/compare/overlap_{mirnas,targets}.tsv), by
#: kind: the file name each kind is read from and how the report names its members.
OVERLAP_FILES = {"mirnas": "overlap_mirnas.tsv", "targets": "overlap_targets.tsv"}
OVERLAP_LABELS = {"mirnas": "miRNAs", "targets": "target genes"}
OVERLAP_TITLES = {"mirnas": "miRNAs", "targets": "Target genes"}


@dataclass(frozen=True)
class Calibration:
    """Calibration results: ``summary`` (one row per method) and ``pvalues`` (QQ quantiles).

    ``pvalues`` may be ``None`` when only the summary exists; the QQ plot is then left out
    with a sentence saying so.
    """

    summary: pd.DataFrame
    pvalues: pd.DataFrame | None = None


@dataclass(frozen=True)
class ReportData:
    """Everything one report is made from, checked and normalised by :func:`build_report_data`.

    Attributes
    ----------
    sets
        Set names in the order of the sheet; this is the order of the pages and table rows.
    names, targets, enrichment
        Per-set result tables (name audit, target edges, enrichment), numeric columns numeric
        and boolean columns boolean.
    enrichment_params
        Per-set enrichment parameters (the ``{set}.json`` beside each enrichment table).
    references
        Provenance of every reference file, one record per file, sorted by key and role
        (:data:`exomir.tables.REFERENCES`; ``checksum`` says how the bytes were verified).
    config
        The run's full configuration, shown on every page.
    focus
        Focus-pathway key -> display label, in display order.
    msc_sources
        Set -> MSC source (bone_marrow, adipose, ...) from the miRNA-set sheet.
    source_summary
        Edges per target source before and after the policy (:data:`exomir.tables.SOURCES`).
    calibration, comparisons
        Optional run-level results; ``None`` means the step was not run.
    overlaps
        Exclusive intersections of the sets' miRNAs and target genes, keyed ``mirnas`` and
        ``targets`` (:data:`exomir.tables.OVERLAP`); ``None`` leaves the section out.
    signatures
        Set -> its signature outputs (:class:`exomir.signatures.SignatureFiles`: calls,
        drivers, literature comparison, parameters); ``None`` leaves the sections out.
    fdr
        Significance threshold on every FDR column.
    generated
        Run date shown in the header (an input, so that the bytes are reproducible).
    downloads
        Set -> {"targets" | "enrichment" | "names" | ...: relative href of the full table}.
    bundle
        Path inside the report folder -> source file, for the tables copied there when the
        report is written (empty: the links point at the files where they are).
    """

    sets: tuple[str, ...]
    names: Mapping[str, pd.DataFrame]
    targets: Mapping[str, pd.DataFrame]
    enrichment: Mapping[str, pd.DataFrame]
    enrichment_params: Mapping[str, Mapping[str, Any]]
    references: tuple[Mapping[str, Any], ...]
    config: Mapping[str, Any]
    focus: Mapping[str, str]
    msc_sources: Mapping[str, str] = field(default_factory=dict)
    source_summary: pd.DataFrame | None = None
    calibration: Calibration | None = None
    comparisons: Mapping[tuple[str, str], pd.DataFrame] | None = None
    overlaps: Mapping[str, pd.DataFrame] | None = None
    signatures: Mapping[str, sg.SignatureFiles] | None = None
    fdr: float = 0.05
    generated: str | None = None
    downloads: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    bundle: Mapping[str, str] = field(default_factory=dict)
