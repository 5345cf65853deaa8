"""The sections of the overview page (``index.html``): all sets side by side.

What was run and how to read it, per-set counts, the focus-pathway heatmap, the name audit, the
calibration of the enrichment test on random miRNA sets, shared and unique miRNAs and targets,
the set comparisons, the target sources, the reference data and the methods. A step that was
not run is said in words rather than left out, except where the section would be empty.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from .. import tables
from ..overlap import overlap_summary
from ._calibration_text import calibration_notes
from ._data import OVERLAP_LABELS, OVERLAP_TITLES, ReportData
from ._derive import (
    FOCUS_STATISTICS,
    _common,
    _finite,
    _lt,
    _param,
    flatten_params,
    focus_rows,
    focus_statistic,
)
from ._format import EN_DASH, format_number, format_percent
from ._null_notes import consequences, matching_notices
from ._plots import HeatmapCell, QQSeries, focus_heatmap_svg, qq_plot_svg, upset_svg
from ._sections import METHOD_LABELS, Section, _summaries
from ._signature_sections import _signature_methods
from ._validate import _blank, split_list

#: Most significant terms listed per pair of compared sets.
TOP_COMPARISON_TERMS = 15
#: Combinations drawn in an UpSet plot; the table below it lists all of them.
MAX_UPSET_COLUMNS = 30


def overview_intro_section(data: ReportData) -> Section:
    """What was analysed, and how to read the rest of the page."""
    summaries = _summaries(data)
    methods = {x.method for x in summaries.values()}
    return Section(
        "about",
        "About this run",
        "section_about.html.j2",
        {
            "n_sets": len(data.sets),
            "sets": data.sets,
            "method": "emp" if methods == {"emp"} else ("ora" if methods == {"ora"} else "mixed"),
            "fdr": data.fdr,
        },
    )


def _matching(data: ReportData) -> dict[str, Any]:
    """Template variables of the sets the null could not match: ``matching`` (set -> notice)
    and ``consequence`` (what it means for them, :func:`._null_notes.consequences`)."""
    notices = matching_notices(data.enrichment_params, data.sets)
    return {"matching": notices, "consequence": consequences(notices)}


def overview_summary_section(data: ReportData) -> Section:
    """Per-set counts of names, miRNAs, targets and terms."""
    summaries = _summaries(data)
    sources = sorted({s for x in summaries.values() for s in x.edges_by_source})
    return Section(
        "summary",
        "Sets at a glance",
        "section_overview_summary.html.j2",
        {
            "rows": [summaries[s] for s in data.sets],
            "msc_sources": data.msc_sources,
            "sources": sources,
            "fdr": data.fdr,
            "any_emp": any(x.significant_emp is not None for x in summaries.values()),
            **_matching(data),
        },
    )


def focus_matrix(data: ReportData) -> tuple[list[dict[str, Any]], str]:
    """Set-by-focus-pathway cells for the heatmap, and the method they come from.

    All cells of the figure are on one scale: the best statistic of
    :data:`FOCUS_STATISTICS` that every set has (the focus-family FDR, else the empirical FDR,
    else ORA's); each cell's ``statistic`` names it.
    """
    columns = [c for c, _ in FOCUS_STATISTICS]
    worst = max(columns.index(focus_statistic(data.enrichment[s])[0]) for s in data.sets)
    method = "ora" if columns[worst] == "fdr_ora" else "emp"
    cells = []
    for s in data.sets:
        frame = data.enrichment[s].drop(columns=columns[:worst], errors="ignore")
        if method == "ora":
            frame = frame.assign(fdr_emp=float("nan"), p_emp=float("nan"))
        for row in focus_rows(frame, data.focus, fdr=data.fdr):
            cells.append({"set": s, **row})
    return cells, method


#: How the heatmap names the effect size of each kind (see :func:`effect_sizes`).
EFFECT_LABELS = {
    "z_emp": "z vs random miRNA sets",
    "z": "z vs random miRNA sets (from the null mean and SD)",
    "fold": "ORA fold enrichment",
}


def overview_focus_section(data: ReportData) -> Section:
    """The set-by-focus-pathway heatmap, with its values as a table underneath."""
    cells, method = focus_matrix(data)
    labels: dict[str, str] = {}
    for cell in cells:
        labels.setdefault(cell["key"], cell["label"])
    columns = list(labels)
    statistic = next((c["statistic_label"] for c in cells), "FDR")
    effect_kind = next((c["effect_kind"] for c in cells), "z")
    svg = None
    if columns:
        svg = focus_heatmap_svg(
            list(data.sets),
            [labels[k] for k in columns],
            {
                (c["set"], labels[c["key"]]): HeatmapCell(c["value"], c["significant"], c["effect"])
                for c in cells
                if c["n_terms"]
            },
            metric_label=statistic,
            threshold=data.fdr,
            effect_label="fold" if effect_kind == "fold" else "z",
        )
    return Section(
        "focus",
        "Focus pathways",
        "section_overview_focus.html.j2",
        {
            "svg": None if svg is None else Markup(svg),
            "cells": cells,
            "columns": [(k, labels[k]) for k in columns],
            "sets": data.sets,
            "method": method,
            "method_label": METHOD_LABELS[method],
            "statistic": statistic,
            "focus_family": statistic == "focus-family FDR",
            "effect_label": EFFECT_LABELS[effect_kind],
            "fdr": data.fdr,
            "signatures": bool(data.signatures),
            # with fdr_all beside it, fdr_emp is BH within each library (the newer tables)
            "within_library": all("fdr_all" in data.enrichment[s].columns for s in data.sets),
            # the heatmap is on the empirical scale unless some set has ORA only
            **(_matching(data) if method == "emp" else {"matching": {}}),
        },
    )


def overview_names_section(data: ReportData) -> Section:
    """Name-audit counts per set and every input that did not resolve."""
    rows = []
    problems = []
    for s in data.sets:
        frame = data.names[s]
        rules: dict[str, int] = {}
        for rule in frame["rule"]:
            if rule:
                rules[rule] = rules.get(rule, 0) + 1
        rows.append(
            {
                "set": s,
                "inputs": len(frame),
                "ok": int((frame["status"] == "ok").sum()),
                "ambiguous": int((frame["status"] == "ambiguous").sum()),
                "unknown": int((frame["status"] == "unknown").sum()),
                "rules": sorted(rules.items(), key=lambda kv: (-kv[1], kv[0])),
            }
        )
        for record in frame[frame["status"] != "ok"].to_dict("records"):
            problems.append({**record, "set": s})
    return Section(
        "names",
        "miRNA names",
        "section_overview_names.html.j2",
        {"rows": rows, "problems": problems},
    )


def _method_kind(method: str) -> str | None:
    text = method.strip().lower()
    if text.startswith(("ora", "hypergeom")):
        return "ora"
    if text.startswith("emp"):
        return "emp"
    return None


def calibration_sentence(summary: pd.DataFrame) -> str | None:
    """The plain-language result of the calibration, or ``None`` without an ORA/empirical row.

    "Of 200 random miRNA sets of size 10, 64% had at least one term at FDR < 0.05 by ORA and
    4.5% by the empirical null."
    """
    by_kind: dict[str, dict[str, Any]] = {}
    for record in summary.to_dict("records"):
        kind = _method_kind(record["method"])
        if kind and kind not in by_kind:
            by_kind[kind] = record
    if not by_kind:
        return None
    first = by_kind.get("ora") or by_kind["emp"]
    n = format_number(first["n_queries"])
    k = format_number(first["query_size"])
    clauses = [
        (format_percent(by_kind[kind]["fraction_any_fdr05"]), label)
        for kind, label in (("ora", "ORA"), ("emp", "the empirical null"))
        if kind in by_kind
    ]
    opening = f"Of {n} random miRNA sets of size {k}, {clauses[0][0]} had at least one term"
    if len(clauses) == 2:
        return f"{opening} at FDR < 0.05 by ORA and {clauses[1][0]} by the empirical null."
    return f"{opening} at FDR < 0.05 by {clauses[0][1]}."


_CALIBRATION_LABELS = {
    "n_terms": "Terms per query",
    "n_random": "Random sets in the null",
    "mean_terms_fdr05": "Mean terms at FDR < 0.05",
    "fraction_p05": "Tests with p < 0.05",
    "null": "Null distribution",
}


def _calibration_value(column: str, value: object) -> str:
    """Format an extra calibration column: fractions as percentages, counts as integers."""
    if isinstance(value, str) and not _blank(value):
        try:
            float(value)
        except ValueError:
            return value
    number = _finite(value)
    if number is None:
        return EN_DASH if _blank(value) else str(value)
    if column.startswith("fraction"):
        return format_percent(number)
    if number.is_integer():
        return format_number(number)
    return f"{number:.3g}"


def overview_calibration_section(data: ReportData) -> Section:
    """QQ plot and false-positive fractions of random miRNA sets, or a note that it was not run."""
    calibration = data.calibration
    if calibration is None:
        return Section("calibration", "Calibration", "section_calibration.html.j2", {"run": False})
    svg = None
    if calibration.pvalues is not None and len(calibration.pvalues):
        series = []
        methods = list(dict.fromkeys(calibration.pvalues["method"].tolist()))
        for method in methods:
            part = calibration.pvalues[calibration.pvalues["method"] == method]
            kind = _method_kind(method)
            label = {"ora": "ORA", "emp": "Empirical null"}.get(kind or "", method)
            series.append(QQSeries(label, part["expected"].tolist(), part["observed"].tolist()))
        svg = Markup(qq_plot_svg(series))
    summary = calibration.summary
    records = summary.to_dict("records")
    methods = [
        {"ora": "ORA", "emp": "Empirical null"}.get(_method_kind(r["method"]) or "", r["method"])
        for r in records
    ]
    fractions = []
    for record in records:
        text = format_percent(record["fraction_any_fdr05"])
        low, high = _finite(record.get("ci_low")), _finite(record.get("ci_high"))
        ci = (
            None
            if low is None or high is None
            else (f"95% CI {format_percent(low)}{EN_DASH}{format_percent(high)}")
        )
        fractions.append((text, ci))
    rows = [
        ("Random query sets", [format_number(r["n_queries"]) for r in records]),
        ("miRNAs per query set", [format_number(r["query_size"]) for r in records]),
    ]
    extra = [
        c
        for c in summary.columns
        if c not in tables.CALIBRATION_SUMMARY.needed and c not in ("ci_low", "ci_high")
    ]
    for column in extra:
        label = _CALIBRATION_LABELS.get(column, column.replace("_", " ").capitalize())
        rows.append((label, [_calibration_value(column, r[column]) for r in records]))
    return Section(
        "calibration",
        "Calibration",
        "section_calibration.html.j2",
        {
            "run": True,
            "svg": svg,
            "sentence": calibration_sentence(summary),
            "methods": methods,
            "fractions": fractions,
            "rows": rows,
            **calibration_notes(records, methods),
        },
    )


def overview_comparisons_section(data: ReportData) -> Section:
    """Differential target overlap between pairs of sets, or a note that none was run."""
    if not data.comparisons:
        return Section(
            "comparisons", "Set comparisons", "section_comparisons.html.j2", {"run": False}
        )
    pairs = []
    for (a, b), frame in data.comparisons.items():
        significant = frame["fdr"] < data.fdr
        ordered = frame.sort_values(
            ["p_perm", "library", "term_id"], kind="stable", na_position="last"
        )
        top = ordered.head(TOP_COMPARISON_TERMS).to_dict("records")
        for record in top:
            record["significant"] = _lt(record["fdr"], data.fdr)
        pairs.append(
            {
                "a": a,
                "b": b,
                "tested": len(frame),
                "significant": int(significant.sum()),
                "more_a": int((significant & (frame["difference"] > 0)).sum()),
                "more_b": int((significant & (frame["difference"] < 0)).sum()),
                "top": top,
            }
        )
    return Section(
        "comparisons",
        "Set comparisons",
        "section_comparisons.html.j2",
        {"run": True, "pairs": pairs, "fdr": data.fdr},
    )


def overview_overlap_section(data: ReportData) -> Section | None:
    """Shared and unique miRNAs and target genes: UpSet plots, per-set counts, full tables.

    Left out when the run has no overlap tables (a report built without them).
    """
    if not data.overlaps:
        return None
    blocks = []
    counts: dict[str, dict[str, dict[str, int]]] = {s: {} for s in data.sets}
    shared: dict[str, int] = {}
    for kind, frame in data.overlaps.items():
        label = OVERLAP_LABELS[kind]
        summary = overlap_summary(frame, data.sets)
        for record in summary.to_dict("records"):
            counts[record["set"]][kind] = {"total": record["total"], "unique": record["unique"]}
        shared[kind] = int(summary["shared_by_all"].iloc[0]) if len(summary) else 0
        combos = [
            (split_list(c), int(n)) for c, n in zip(frame["sets"], frame["size"], strict=True)
        ]
        svg = None
        if combos and len(data.sets) > 1:
            svg = Markup(
                upset_svg(
                    list(data.sets),
                    combos,
                    what=label,
                    name=f"upset-{kind}",
                    max_columns=MAX_UPSET_COLUMNS,
                )
            )
        blocks.append(
            {
                "kind": kind,
                "label": label,
                "title": OVERLAP_TITLES[kind],
                "svg": svg,
                "rows": frame.to_dict("records"),
                "n_combinations": len(frame),
                "n_drawn": min(len(frame), MAX_UPSET_COLUMNS),
                "union": int(frame["size"].sum()),
            }
        )
    return Section(
        "overlap",
        "Shared and unique miRNAs and targets",
        "section_overview_overlap.html.j2",
        {
            "blocks": blocks,
            "sets": data.sets,
            "kinds": [(b["kind"], b["label"], b["title"]) for b in blocks],
            "counts": counts,
            "shared": shared,
            "msc_sources": data.msc_sources,
        },
    )


def overview_references_section(data: ReportData) -> Section:
    """Versions, locations and checksums of every reference file the run read."""
    return Section(
        "references",
        "Reference data",
        "section_references.html.j2",
        {"rows": list(data.references)},
    )


def overview_sources_section(data: ReportData) -> Section | None:
    """Edges per target source: in the database, after the policy, in the combined table."""
    if data.source_summary is None:
        return None
    return Section(
        "sources",
        "Target sources",
        "section_sources.html.j2",
        {"rows": data.source_summary.to_dict("records")},
    )


def methods_section(data: ReportData) -> Section:
    """How the numbers were made: ORA, the empirical null, BH, grouping, names."""
    flat = [flatten_params(data.enrichment_params[s]) for s in data.sets]
    return Section(
        "methods",
        "Methods",
        "section_methods.html.j2",
        {
            "fdr": data.fdr,
            "n_random": _common([_param(f, "n_random") for f in flat]),
            "sequential_stop": _common([_param(f, "sequential_stop") for f in flat]),
            "max_draws": _common([_param(f, "max_draws") for f in flat]),
            "families": _common([_param(f, "families") for f in flat]),
            "tilt": _common([_param(f, "tilt") for f in flat]),
            "score_threshold": _common([_param(f, "score_threshold") for f in flat]),
            "jaccard": _common([_param(f, "jaccard") for f in flat]),
            "signatures": _signature_methods(data),
        },
    )
