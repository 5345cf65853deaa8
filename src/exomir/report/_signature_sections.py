"""The signature sections: calls and their edges, literature beside data, the overview grid.

Per set, the calls with the edges behind them and the review claims beside what the data says;
on the overview, the grid of all sets; and the parameters quoted by the methods text.

The calls themselves are computed by :mod:`exomir.signatures`; its ``report_rows``,
``report_drivers`` and ``agreement_counts`` shape them for display, and these builders only
add the figures and the page context. Without signature outputs every section is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from .. import signatures as sg
from ._data import ReportData
from ._derive import _common, _finite
from ._format import EN_DASH
from ._headline import report_rows
from ._palette import SEMANTIC
from ._plots import superscript_number
from ._sections import Section
from ._signature_plots import GridCell, SignatureBar, signature_bars_svg, signature_grid_svg


def _signature_note(row: Mapping[str, Any]) -> str:
    """The text beside a bar of the signature chart: direction and the call's p-value."""
    p = _finite(row["p_value"])
    return f"{row['word']} \u00b7 p = {superscript_number(p) if p is not None else EN_DASH}"


def _signature_methods(data: ReportData) -> dict[str, Any] | None:
    """Parameters quoted by the methods text of the signatures (None: not run)."""
    if not data.signatures:
        return None
    params = [files.params for files in data.signatures.values()]
    return {
        "n_random": _common([p.get("null", {}).get("n_random") for p in params]),
        "seed": _common([p.get("null", {}).get("seed") for p in params]),
        "null": _common([p.get("null", {}).get("kind") for p in params]),
        "alpha": _common([p.get("alpha") for p in params]) or sg.ALPHA,
        "top": sg.TOP_DRIVERS,
    }


def set_signatures_section(data: ReportData, set_name: str) -> Section | None:
    """Scores, directions of the focus pathways and processes, and the edges behind each call."""
    if not data.signatures or set_name not in data.signatures:
        return None
    files = data.signatures[set_name]
    rows = report_rows(files.table)
    bars = [
        SignatureBar(r["label"], r["group"], r["z"], r["sign"], _signature_note(r)) for r in rows
    ]
    weights = files.params.get("weights") or {}
    present = {r["key"] for r in rows}
    return Section(
        "signatures",
        "Signatures",
        "section_set_signatures.html.j2",
        {
            "scores": [r for r in rows if r["kind"] in ("score", "balance", "lean")],
            "semantic": SEMANTIC,
            "fdr_weak": [
                r["label"]
                for r in rows
                if r["sign"] and (_finite(r["fdr"]) or 1.0) > files.params.get("alpha", sg.ALPHA)
            ],
            "pathways": [r for r in rows if r["kind"] == "pathway"],
            "processes": [r for r in rows if r["kind"] == "process"],
            "drivers": sg.report_drivers(files.drivers, files.table),
            "n_drivers": sg.REPORT_DRIVERS,
            "svg": Markup(signature_bars_svg(bars, name="signature-bars")) if bars else None,
            "k": files.params.get("k"),
            "n_random": files.params.get("null", {}).get("n_random"),
            "alpha": files.params.get("alpha", sg.ALPHA),
            "weighted": len({round(float(w), 9) for w in weights.values()}) > 1,
            "weights": sorted(weights.items(), key=lambda item: (-item[1], item[0])),
            "outside": files.params.get("mirnas_outside_universe", []),
            "untested_focus": [label for key, label in data.focus.items() if key not in present],
            "downloads": data.downloads.get(set_name, {}),
        },
    )


def set_literature_section(data: ReportData, set_name: str) -> Section | None:
    """The review claims about the set's miRNAs and source, beside what the data says."""
    if not data.signatures or set_name not in data.signatures:
        return None
    literature = data.signatures[set_name].literature
    return Section(
        "literature",
        "Literature says, data says",
        "section_set_literature.html.j2",
        {
            "rows": literature.to_dict("records"),
            "counts": sg.agreement_counts(literature),
            "msc_source": data.msc_sources.get(set_name, ""),
            "download": data.downloads.get(set_name, {}).get("signature_literature"),
        },
    )


def _called(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The calls of a set for the overview's list; the lean is kept (even without a call)
    whenever pro-tumour or anti-tumour is called, so they are never listed without it."""
    tumour = any(r["sign"] for r in rows if r["key"] in ("pro_tumour", "anti_tumour"))
    return [r for r in rows if r["sign"] or (tumour and r["kind"] in ("lean", "balance"))]


def overview_signatures_section(data: ReportData) -> Section | None:
    """All sets at a glance: the scores, the balance and the focus pathways side by side."""
    if not data.signatures:
        return None
    columns: dict[str, str] = {}
    processes: dict[str, str] = {}
    rows_by_set = {s: report_rows(data.signatures[s].table) for s in data.sets}
    for rows in rows_by_set.values():
        for r in rows:
            target = processes if r["kind"] == "process" else columns
            target.setdefault(r["key"], r["label"])
    cells = {}
    grid = {}
    for s, rows in rows_by_set.items():
        for r in rows:
            grid[(s, r["key"])] = r
            if r["key"] in columns:
                cells[(s, columns[r["key"]])] = GridCell(
                    r["z"], r["symbol"], _finite(r["p_value"]), r["sign"] != 0
                )
    svg = signature_grid_svg(list(data.sets), list(columns.values()), cells)
    agreement = {s: sg.agreement_counts(data.signatures[s].literature) for s in data.sets}
    return Section(
        "signatures",
        "Signatures",
        "section_overview_signatures.html.j2",
        {
            "svg": Markup(svg),
            "sets": data.sets,
            "columns": list(columns.items()),
            "processes": list(processes.items()),
            "grid": grid,
            "called": {s: _called(rows) for s, rows in rows_by_set.items()},
            "semantic": SEMANTIC,
            "alpha": _common([data.signatures[s].params.get("alpha") for s in data.sets])
            or sg.ALPHA,
            "agreement": agreement,
            "agreements": [a for a in sg.AGREEMENTS if any(a in c for c in agreement.values())],
            "msc_sources": data.msc_sources,
            "summary": next(
                (
                    d["signature_summary"]
                    for d in data.downloads.values()
                    if "signature_summary" in d
                ),
                None,
            ),
        },
    )
