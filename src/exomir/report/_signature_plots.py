"""Figures of the signatures, as inline SVG: one set's calls as bars, all sets as a grid.

Drawn like the other figures of :mod:`._plots` (bare matplotlib figures, text kept as text,
fixed ids). Colours follow the one semantic of :mod:`._palette`: vermillion pushed up, blue
pushed down, grey no call; each figure carries that legend itself.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ._palette import DIVERGING_CMAP, PUSH_COLOURS, PUSH_LEGEND, PUSH_SYMBOLS, push_of
from ._plots import (
    _GRID,
    _MINUS,
    _MUTED,
    _RC,
    _TEXT,
    _svg_text,
    cell_axes,
    hatch_cell,
    outline_cell,
    superscript_number,
)

#: Standardised scores are drawn up to this many standard deviations; beyond, they are clipped
#: and marked, so that one extreme call does not flatten all the others.
SIGNATURE_CLIP = 8.0


@dataclass(frozen=True)
class SignatureBar:
    """One call of the per-set signature chart.

    ``value`` is the standardised score (score minus the random sets' mean, over their SD;
    ``None`` when undefined); ``sign`` is +1 for a call that raises (up, high, pro-tumour), -1
    for one that lowers (down, anti-tumour), 0 for no call; ``note`` is the text at the right
    (the direction and p-value); ``group`` the heading the bar is listed under.
    """

    label: str
    group: str
    value: float | None
    sign: int
    note: str


def _clip(value: float) -> float:
    return max(-SIGNATURE_CLIP, min(SIGNATURE_CLIP, value))


def signature_bars_svg(bars: Sequence[SignatureBar], *, name: str = "signature-bars") -> str:
    """Draw the calls of one set as horizontal diverging bars and return inline SVG.

    Each bar is the call's standardised score, so calls measured on different numbers of genes
    share one axis, and zero is what random miRNA cargo of the same size does. Only called bars
    are coloured (vermillion raises, blue lowers; the direction is also written at the right,
    so colour is never the only cue); the others are light grey. Bars are grouped under their
    heading (scores, focus pathways, processes) in the order given.
    """
    rows: list[tuple[str, SignatureBar | None]] = []
    for bar in bars:
        if not rows or (rows[-1][1] is not None and rows[-1][1].group != bar.group):
            rows.append((bar.group, None))
        rows.append((bar.label, bar))
    values = [
        min(abs(b.value), SIGNATURE_CLIP)
        for _, b in rows
        if b is not None and b.value is not None and not math.isnan(b.value)
    ]
    limit = max(3.0, float(math.ceil(max(values, default=0.0))))
    row_h = 0.27
    # The label column grows with the longest label (about 0.075 in per character at 9 pt).
    label_w = max((len(label) for label, _ in rows), default=10) * 0.075 + 0.3
    note_w = 2.0
    fig_w = label_w + 3.6 + note_w
    fig_h = 1.05 + row_h * max(len(rows), 1)
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(fig_w, fig_h))
        ax = fig.add_axes(
            (label_w / fig_w, 0.85 / fig_h, (fig_w - label_w - note_w) / fig_w, 1 - 1.0 / fig_h)
        )
        ys = list(range(len(rows)))
        for y, (_label, bar) in zip(ys, rows, strict=True):
            if bar is None or bar.value is None or math.isnan(bar.value):
                continue
            value = _clip(bar.value)
            ax.barh(y, value, height=0.62, color=PUSH_COLOURS[push_of(bar.sign)], zorder=2)
            if abs(bar.value) > SIGNATURE_CLIP:
                ax.text(
                    value,
                    y,
                    " \u00bb" if value > 0 else "\u00ab ",
                    ha="left" if value > 0 else "right",
                    va="center",
                    fontsize=9,
                    color=_TEXT,
                )
        for y, (_label, bar) in zip(ys, rows, strict=True):
            if bar is not None:
                ax.text(
                    1.02,
                    y,
                    bar.note,
                    transform=ax.get_yaxis_transform(),
                    ha="left",
                    va="center",
                    fontsize=8.5,
                    fontweight="bold" if bar.sign else "normal",
                    color=_TEXT if bar.sign else _MUTED,
                )
        ax.axvline(0, color=_MUTED, linewidth=0.9, zorder=3)
        ax.set_xlim(-limit * 1.05, limit * 1.05)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_yticks(ys, labels=[label for label, _ in rows])
        for tick, (_label, bar) in zip(ax.get_yticklabels(), rows, strict=True):
            if bar is None:
                tick.set_fontweight("bold")
                tick.set_color(_TEXT)
        ax.tick_params(axis="y", length=0, labelsize=9)
        ax.tick_params(axis="x", labelsize=8.5)
        ax.grid(axis="x", color=_GRID, linewidth=0.6, zorder=0)
        ax.set_axisbelow(True)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(
            f"standardised score: (score {_MINUS} mean of random sets) / SD of random sets",
            fontsize=8.5,
        )
        _push_legend(fig)
    return _svg_text(fig, name)


def _push_legend(fig: Figure, extra: Sequence[Patch] = ()) -> None:
    """The colour semantic of :mod:`._palette` as a legend along the bottom of ``fig``."""
    handles = [
        Patch(color=PUSH_COLOURS[key], label=f"{PUSH_SYMBOLS[key]} {PUSH_LEGEND[key]}")
        for key in ("up", "down", "none")
    ]
    fig.legend(
        handles=[*handles, *extra],
        loc="lower left",
        bbox_to_anchor=(0.0, 0.0),
        ncol=len(handles) + len(extra),
        frameon=False,
        fontsize=8.5,
        handlelength=1.2,
        columnspacing=1.2,
    )


@dataclass(frozen=True)
class GridCell:
    """One cell of the set-by-call signature grid.

    ``value`` is the standardised score (``None`` when the set has no such call); ``symbol``
    the direction mark written in the cell; ``p`` the call's p-value; ``called`` outlines it.
    """

    value: float | None
    symbol: str
    p: float | None
    called: bool


def signature_grid_svg(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Mapping[tuple[str, str], GridCell],
    *,
    name: str = "signature-grid",
) -> str:
    """Draw the set-by-call grid of standardised scores and return inline SVG.

    Colour runs from blue (pushed below random cargo) through white to red (above), the sides of
    :data:`._palette.PUSH_COLOURS`; every cell also carries its direction mark and p-value, and
    called cells are outlined, so that the figure reads without colour. Cells of calls a set
    does not have are hatched grey. The legend along the bottom states the semantic.
    """
    n_rows, n_cols = max(len(rows), 1), max(len(columns), 1)
    values = np.full((n_rows, n_cols), np.nan)
    for i, row in enumerate(rows):
        for j, col in enumerate(columns):
            cell = cells.get((row, col))
            if cell is not None and cell.value is not None and not math.isnan(cell.value):
                values[i, j] = _clip(cell.value)
    finite = np.abs(values[np.isfinite(values)])
    vmax = max(3.0, float(finite.max()) if finite.size else 0.0)
    wrapped = [textwrap.fill(str(c), 14, break_long_words=False) for c in columns]
    label_lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    label_width = max((len(r) for r in rows), default=4) * 0.075 + 0.3
    # Wide enough for the longest label line at 9.5 pt ("Immunomodulatory").
    longest = max((len(line) for w in wrapped for line in w.split("\n")), default=8)
    cell_w, cell_h = max(1.0, longest * 0.075 + 0.1), 0.56
    top, bottom = 0.2 + 0.18 * label_lines, 0.5
    fig_w = max(label_width + cell_w * n_cols + 1.5, 6.4)
    fig_h = top + cell_h * n_rows + bottom
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(fig_w, fig_h))
        left = label_width / fig_w
        width = cell_w * n_cols / fig_w
        height = cell_h * n_rows / fig_h
        ax = fig.add_axes((left, bottom / fig_h, width, height))
        cax = fig.add_axes((left + width + 0.25 / fig_w, bottom / fig_h, 0.14 / fig_w, height))
        cmap = DIVERGING_CMAP.with_extremes(bad="#eef1f4")
        image = ax.imshow(
            np.ma.masked_invalid(values), cmap=cmap, vmin=-vmax, vmax=vmax, aspect="auto"
        )
        cell_axes(ax, list(rows), wrapped, labelsize=9.5)
        for i, row in enumerate(rows):
            for j, col in enumerate(columns):
                cell = cells.get((row, col))
                if cell is None or not math.isfinite(values[i, j]):
                    hatch_cell(ax, i, j, "n/a")
                    continue
                dark = abs(values[i, j]) / vmax > 0.6
                text = cell.symbol
                if cell.p is not None and math.isfinite(cell.p):
                    text += "\n" + superscript_number(cell.p)
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=9,
                    linespacing=1.1,
                    fontweight="bold" if cell.called else "normal",
                    color="white" if dark else _TEXT,
                )
                if cell.called:
                    outline_cell(ax, i, j, 1.6)
        bar = fig.colorbar(image, cax=cax)
        bar.outline.set_visible(False)
        bar.ax.tick_params(labelsize=8, length=2)
        bar.set_label("z: SDs from random sets", fontsize=8.5)
        _push_legend(fig, [Patch(facecolor="white", edgecolor=_TEXT, linewidth=1.6, label="call")])
    return _svg_text(fig, name)
