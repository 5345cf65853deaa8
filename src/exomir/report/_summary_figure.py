"""One figure per run, fit for a paper: sets by (tumour lean, regenerative, immunomodulatory,
focus pathways), with significance marks and a legend that reads on its own.

Written next to the report as ``figures/summary.svg`` (vector, text kept as text) and
``figures/summary.png`` (300 dpi), both deterministic. Rows are the sets grouped by MSC source;
each cell's colour is the standardised score (z against random miRNA cargo of the same size) on
the diverging scale of :mod:`._palette` (red pushed up, blue pushed down; for the lean, red
towards pro-tumour); the arrow and stars say the call and its p-value, a dagger that its FDR
over the set's calls is also below the threshold, so the figure reads without colour.
"""

from __future__ import annotations

import io
import math
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .._io import atomic_path
from ._data import ReportData
from ._derive import _finite
from ._headline import HEADLINE_CALLS, LEAN_LABEL, report_rows
from ._palette import DIVERGING_CMAP, PUSH_SYMBOLS, push_of
from ._plots import (
    _MINUS,
    _MUTED,
    _RC,
    _SVG_METADATA,
    _TEXT,
    cell_axes,
    hatch_cell,
    outline_cell,
)

#: Where the figure goes, relative to the report folder.
FIGURE_DIR = "figures"
FIGURE_NAME = "summary"
#: Colour scale limit in standard deviations (beyond it cells keep the darkest colour).
Z_LIMIT = 4.0
#: PNG resolution.
PNG_DPI = 300


def stars(p: float | None) -> str:
    """``***`` p <= 0.001, ``**`` p <= 0.01, ``*`` p <= 0.05, else empty."""
    if p is None or not math.isfinite(p):
        return ""
    return "***" if p <= 0.001 else "**" if p <= 0.01 else "*" if p <= 0.05 else ""


def figure_columns(data: ReportData) -> list[tuple[str, str]]:
    """``(key, label)`` of the figure's columns: lean, the headline calls, focus pathways."""
    columns: dict[str, str] = {}
    for s in data.sets:
        for r in report_rows(data.signatures[s].table):  # type: ignore[index]
            if r["kind"] in ("lean", "balance"):
                columns.setdefault("lean", LEAN_LABEL)
    for key in HEADLINE_CALLS:
        columns[key] = key.capitalize()
    for s in data.sets:
        for r in report_rows(data.signatures[s].table):  # type: ignore[index]
            if r["kind"] == "pathway":
                columns.setdefault(r["key"], r["label"])
    return list(columns.items())


def _rows(data: ReportData) -> list[tuple[str, str]]:
    """``(set, MSC source)`` grouped by source (first appearance), sheet order within."""
    order: dict[str, list[str]] = {}
    for s in data.sets:
        order.setdefault(data.msc_sources.get(s, "") or "unspecified", []).append(s)
    return [(s, source) for source, sets in order.items() for s in sets]


def summary_figure(data: ReportData, *, alpha: float = 0.05) -> Figure | None:
    """The summary figure of a run, or ``None`` without signature outputs."""
    if not data.signatures:
        return None
    columns = figure_columns(data)
    rows = _rows(data)
    cells: dict[tuple[int, int], dict] = {}
    for i, (s, _source) in enumerate(rows):
        by_key = {}
        for r in report_rows(data.signatures[s].table):
            by_key["lean" if r["kind"] in ("lean", "balance") else r["key"]] = r
        for j, (key, _label) in enumerate(columns):
            if key in by_key:
                cells[(i, j)] = by_key[key]
    wrapped = [textwrap.fill(label, 13, break_long_words=False) for _, label in columns]
    lines = max(w.count("\n") + 1 for w in wrapped)
    longest = max(len(s) for s, _ in rows)
    cell_w, cell_h = 1.08, 0.46
    label_w = 0.09 * longest + 0.35
    top = 0.25 + 0.17 * lines
    legend_h = 1.6
    fig_w = max(label_w + cell_w * len(columns) + 1.0, 6.5)
    fig_h = top + cell_h * len(rows) + legend_h
    with matplotlib.rc_context({**_RC, "font.size": 8}):
        fig = Figure(figsize=(fig_w, fig_h))
        ax = fig.add_axes(
            (
                label_w / fig_w,
                legend_h / fig_h,
                cell_w * len(columns) / fig_w,
                cell_h * len(rows) / fig_h,
            )
        )
        values = np.full((len(rows), len(columns)), np.nan)
        for (i, j), r in cells.items():
            z = _finite(r["z"])
            if z is not None:
                values[i, j] = max(-Z_LIMIT, min(Z_LIMIT, z))
        image = ax.imshow(
            np.ma.masked_invalid(values),
            cmap=DIVERGING_CMAP.with_extremes(bad="#eef1f4"),
            vmin=-Z_LIMIT,
            vmax=Z_LIMIT,
            aspect="auto",
        )
        cell_axes(ax, [s for s, _ in rows], wrapped, labelsize=8, gap=1.5)
        # The lean is the answer: a rule separates it from the calls that follow.
        ax.axvline(0.5, color=_TEXT, linewidth=1.2)
        _source_brackets(ax, rows)
        for i in range(len(rows)):
            for j in range(len(columns)):
                r = cells.get((i, j))
                if r is None:
                    hatch_cell(ax, i, j)
                    continue
                push = push_of(int(r["sign"]))
                p, fdr = _finite(r["p_value"]), _finite(r.get("fdr"))
                text = PUSH_SYMBOLS[push] if push != "none" else ""
                text += stars(p)
                if push != "none" and fdr is not None and fdr <= alpha:
                    text += "\u2020"
                dark = math.isfinite(values[i, j]) and abs(values[i, j]) > 0.6 * Z_LIMIT
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8.5,
                    fontweight="bold",
                    color="white" if dark else _TEXT,
                )
                if push != "none":
                    outline_cell(ax, i, j, 1.1)
        cax = fig.add_axes(
            (label_w / fig_w, 1.0 / fig_h, min(2.6, cell_w * len(columns)) / fig_w, 0.1 / fig_h)
        )
        bar = fig.colorbar(image, cax=cax, orientation="horizontal")
        bar.outline.set_visible(False)
        bar.set_ticks([-4, -2, 0, 2, 4], labels=[f"{_MINUS}4", f"{_MINUS}2", "0", "2", "4"])
        bar.ax.tick_params(labelsize=7, length=2)
        bar.ax.xaxis.set_label_position("top")
        bar.set_label(
            "z vs random miRNA cargo: red pushed up, blue pushed down", fontsize=7.5, labelpad=2
        )
        fig.text(
            label_w / fig_w,
            0.05 / fig_h,
            _legend_text(alpha),
            fontsize=7,
            color=_MUTED,
            va="bottom",
            ha="left",
            wrap=True,
        )
    return fig


def _source_brackets(ax, rows: Sequence[tuple[str, str]]) -> None:
    """MSC source labels at the right of the rows they group, with a line between groups."""
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][1] != rows[start][1]:
            ax.text(
                len(ax.get_xticks()) - 0.5 + 0.15,
                (start + i - 1) / 2,
                rows[start][1].replace("_", " "),
                ha="left",
                va="center",
                fontsize=7.5,
                color=_MUTED,
                style="italic",
            )
            if i < len(rows):
                ax.axhline(i - 0.5, color=_TEXT, linewidth=0.8)
            start = i


def _legend_text(alpha: float) -> str:
    return "\n".join(
        textwrap.wrap(
            f"Cells: MSC-exosome miRNA sets (rows, grouped by MSC source) against the tumour lean "
            f"(pro-tumour minus anti-tumour), the regenerative and immunomodulatory scores and "
            f"the direction of each focus pathway, from the targets the miRNAs repress. "
            f"\u2191/\u2193 outlined = call (p \u2264 {alpha:g} vs random sets of the same size; "
            f"lean \u2191 = towards pro-tumour); * p \u2264 0.05, ** p \u2264 0.01, "
            f"*** p \u2264 0.001; \u2020 FDR \u2264 {alpha:g} over the set's calls; hatched = "
            f"not scored. Hypotheses from target annotations, not measurements.",
            120,
        )
    )


def write_summary_figure(out_dir: str | os.PathLike[str], data: ReportData) -> list[Path]:
    """Write ``figures/summary.svg`` and ``.png`` into ``out_dir`` (nothing without
    signatures); returns the written paths."""
    alpha = 0.05
    if data.signatures:
        alphas = {f.params.get("alpha", 0.05) for f in data.signatures.values()}
        alpha = float(alphas.pop()) if len(alphas) == 1 else 0.05
    fig = summary_figure(data, alpha=alpha)
    if fig is None:
        return []
    folder = Path(out_dir) / FIGURE_DIR
    written = []
    for fmt, options in (
        ("svg", {"metadata": _SVG_METADATA}),
        ("png", {"dpi": PNG_DPI, "metadata": {"Software": None}}),
    ):
        buffer = io.BytesIO()
        with matplotlib.rc_context({**_RC, "svg.hashsalt": "exomir-summary"}):
            fig.savefig(buffer, format=fmt, bbox_inches="tight", pad_inches=0.08, **options)
        path = folder / f"{FIGURE_NAME}.{fmt}"
        with atomic_path(path) as tmp:
            tmp.write_bytes(buffer.getvalue())
        written.append(path)
    return written
