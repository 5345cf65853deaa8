"""The HTML report: ``index.html`` (overview across sets) and one page per set.

The report is what a user of exomir reads, so it is built to be trusted and to travel:

* **self-contained** — CSS, the small table script and every figure (inline SVG, see
  :mod:`exomir.report._plots`) are inside each page; nothing is fetched from a network, so a
  page opens on an air-gapped cluster node or from an e-mail attachment. The only outside
  addresses are DOI links to the literature in the methods text;
* **deterministic** — the same inputs give the same bytes (sorted iteration, fixed SVG hash
  salt, the run date is an input), so a re-run that changed nothing shows no difference;
* **honest about what is missing** — a calibration or comparison that was not run, a focus
  pathway with no tested term, a miRNA that resolved but has no target: each is said in words,
  never silently left out.

Structure
---------
A page is a list of :class:`Section` objects, each built by a small function from the run's
:class:`ReportData` and rendered by its own template ``templates/section_<name>.html.j2``.
:data:`OVERVIEW_SECTIONS` and :data:`SET_SECTIONS` list the builders in page order. Adding a
section (for example pathway-direction signatures) takes three steps: add the input to
:class:`ReportData`, write a builder ``(data) -> Section | None`` (overview) or
``(data, set_name) -> Section | None`` (set page) plus its template, and append the builder to
the tuple. A builder that returns ``None`` leaves its section out.

Inputs follow docs/data-model.md: :func:`read_report_data` reads the result files and checks
their columns and values against the contracts of :mod:`exomir.tables` (errors name the file,
the line and the fix); :func:`build_report_data` does the same checks on tables already in
memory. :func:`write_report` renders and writes the pages atomically; :func:`render_report`
does both steps from keyword arguments.

Modules
-------
The package keeps one layer per private module; everything public is re-exported here.

* :mod:`._data` -- :class:`ReportData` and :class:`Calibration`, what a report is made from;
* :mod:`._palette` -- the colours and the one thing each means (the direction of a push);
* :mod:`._validate` -- checks of each input table against its contract in
  :mod:`exomir.tables`, and one type per column;
* :mod:`._build` -- :func:`build_report_data`, the FDR threshold and the run date;
* :mod:`._load` -- :func:`read_report_data`: result files matched to sets by name;
* :mod:`._derive` -- counts, lead terms, focus pathways, ranked edges (no HTML);
* :mod:`._format` -- the Jinja filters (p-values, counts, percentages, sizes);
* :mod:`._headline` -- the overview's first section: per set, the tumour lean, the calls, the
  focus pathways pushed and the edges behind them;
* :mod:`._params` -- the parameters as named rows with units and meanings;
* :mod:`._calibration_text` -- the calibration in plain words (null, floor, verdict);
* :mod:`._null_notes` -- per set, whether the empirical null could match it (the notice beside
  its results) and how its p-values were obtained;
* :mod:`._sections`, :mod:`._overview`, :mod:`._set_page`, :mod:`._signature_sections` --
  the section builders;
* :mod:`._render` -- page order, rendering and writing;
* :mod:`._bundle` -- the tables copied beside the pages and the significant rows;
* :mod:`._plots`, :mod:`._signature_plots` -- the figures as inline SVG;
* :mod:`._summary_figure` -- the run's figure for a paper (SVG and PNG files).
"""

from __future__ import annotations

from ..tables import files_by_set
from ._build import build_report_data, run_timestamp, significance_threshold
from ._data import OVERLAP_FILES, OVERLAP_LABELS, OVERLAP_TITLES, Calibration, ReportData
from ._derive import (
    MAX_TERMS,
    TOP_TERMS,
    SetSummary,
    flatten_params,
    focus_rows,
    mirna_target_counts,
    primary_method,
    rank_edges,
    summarise_set,
    top_edges,
    top_terms,
)
from ._format import format_bytes, format_number, format_percent, format_pvalue
from ._headline import Lean, headline_rows, overview_headline_section, tumour_lean
from ._load import read_report_data
from ._null_notes import (
    P_METHODS,
    MatchingNotice,
    PValueOrigin,
    matching_notice,
    matching_notices,
    pvalue_origin,
)
from ._overview import (
    MAX_UPSET_COLUMNS,
    TOP_COMPARISON_TERMS,
    calibration_sentence,
    focus_matrix,
    methods_section,
    overview_calibration_section,
    overview_comparisons_section,
    overview_focus_section,
    overview_intro_section,
    overview_names_section,
    overview_overlap_section,
    overview_references_section,
    overview_sources_section,
    overview_summary_section,
)
from ._palette import PUSH_COLOURS, SEMANTIC, push_of
from ._params import parameter_rows
from ._render import (
    OVERVIEW_SECTIONS,
    SET_SECTIONS,
    OverviewBuilder,
    Page,
    SetBuilder,
    build_pages,
    render_pages,
    render_report,
    write_report,
)
from ._sections import METHOD_LABELS, Section, parameters_section
from ._set_page import (
    TOP_EDGES,
    set_focus_section,
    set_names_section,
    set_summary_section,
    set_targets_section,
    set_terms_section,
)
from ._signature_sections import (
    overview_signatures_section,
    set_literature_section,
    set_signatures_section,
)
from ._summary_figure import summary_figure, write_summary_figure
from ._validate import (
    normalise_calibration,
    normalise_comparison,
    normalise_enrichment,
    normalise_names,
    normalise_overlap,
    normalise_references,
    normalise_signatures,
    normalise_source_summary,
    normalise_targets,
    split_list,
)

__all__ = [
    "MAX_TERMS",
    "MAX_UPSET_COLUMNS",
    "METHOD_LABELS",
    "OVERLAP_FILES",
    "OVERLAP_LABELS",
    "OVERLAP_TITLES",
    "OVERVIEW_SECTIONS",
    "PUSH_COLOURS",
    "P_METHODS",
    "SEMANTIC",
    "SET_SECTIONS",
    "TOP_COMPARISON_TERMS",
    "TOP_EDGES",
    "TOP_TERMS",
    "Calibration",
    "Lean",
    "MatchingNotice",
    "OverviewBuilder",
    "PValueOrigin",
    "Page",
    "ReportData",
    "Section",
    "SetBuilder",
    "SetSummary",
    "build_pages",
    "build_report_data",
    "calibration_sentence",
    "files_by_set",
    "flatten_params",
    "focus_matrix",
    "focus_rows",
    "format_bytes",
    "format_number",
    "format_percent",
    "format_pvalue",
    "headline_rows",
    "matching_notice",
    "matching_notices",
    "methods_section",
    "mirna_target_counts",
    "normalise_calibration",
    "normalise_comparison",
    "normalise_enrichment",
    "normalise_names",
    "normalise_overlap",
    "normalise_references",
    "normalise_signatures",
    "normalise_source_summary",
    "normalise_targets",
    "overview_calibration_section",
    "overview_comparisons_section",
    "overview_focus_section",
    "overview_headline_section",
    "overview_intro_section",
    "overview_names_section",
    "overview_overlap_section",
    "overview_references_section",
    "overview_signatures_section",
    "overview_sources_section",
    "overview_summary_section",
    "parameter_rows",
    "parameters_section",
    "primary_method",
    "push_of",
    "pvalue_origin",
    "rank_edges",
    "read_report_data",
    "render_pages",
    "render_report",
    "run_timestamp",
    "set_focus_section",
    "set_literature_section",
    "set_names_section",
    "set_signatures_section",
    "set_summary_section",
    "set_targets_section",
    "set_terms_section",
    "significance_threshold",
    "split_list",
    "summarise_set",
    "summary_figure",
    "top_edges",
    "top_terms",
    "tumour_lean",
    "write_report",
    "write_summary_figure",
]
