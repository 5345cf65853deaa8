"""Figures of the HTML report, as inline SVG text.

The report must open offline and give the same bytes for the same inputs, so every figure is
drawn on a bare :class:`matplotlib.figure.Figure` (no pyplot state, no backend switch) and
returned as an ``<svg>`` element that the page embeds directly (no image files, no data URIs):

* text stays text (``svg.fonttype = 'none'``): labels remain selectable and searchable in the
  browser, the SVG stays small, and the page's own font stack is used when DejaVu Sans (the font
  matplotlib measured the labels with) is not installed;
* the creation date and the other RDF metadata are left out and ``svg.hashsalt`` is fixed, so
  the ids matplotlib derives from hashes do not change between runs;
* every ``id`` of a figure is prefixed with the figure's own name, because several figures share
  one HTML document and matplotlib numbers its groups ``figure_1``, ``axes_1``, ... in each of
  them;
* the fixed ``width``/``height`` are replaced by a maximum width, so a figure shrinks with a
  narrow window instead of overflowing it.

Colours come from colour-blind-safe palettes: a single-hue sequential scale for the heatmap and
the Okabe-Ito colours (plus distinct marker shapes) for the methods in the QQ plot.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

#: Okabe & Ito (2008) colours, distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#7A7A7A",
}

#: Sequential single-hue blue scale (ColorBrewer "Blues", light to dark): ordered in lightness,
#: so it reads the same with any colour-vision deficiency and in greyscale print.
_BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"]
HEATMAP_CMAP = LinearSegmentedColormap.from_list("exomir_blues", _BLUES)

_TEXT = "#1f2933"
_MUTED = "#52606d"
_GRID = "#d9e2ec"

_RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.edgecolor": _MUTED,
    "axes.labelcolor": _TEXT,
    "xtick.color": _MUTED,
    "ytick.color": _MUTED,
    "text.color": _TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 72,
}

_SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

#: Typographic characters, spelled as escapes so that the source stays ASCII.
_MINUS = "\u2212"
_TIMES = "\u00d7"
_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def _svg_text(fig: Figure, name: str) -> str:
    """Serialise ``fig`` as an inline ``<svg>`` element with ids prefixed by ``name``."""
    buffer = io.StringIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": f"exomir-{name}"}):
        fig.savefig(buffer, format="svg", metadata=_SVG_METADATA)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", text)
    match = re.search(r'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', text)
    if match:
        width = match.group(1)
        text = text.replace(
            f'width="{match.group(1)}pt" height="{match.group(2)}pt"',
            f'class="figure-svg" role="img" style="max-width: {width}pt; width: 100%; '
            'height: auto"',
            1,
        )
    return text.strip() + "\n"


def superscript_number(value: float) -> str:
    """Format a p-value or FDR compactly for a figure (two significant digits).

    Values of 0.1 and above are written as decimals (``0.34``); smaller ones in scientific
    notation with a multiplication sign and Unicode superscript digits (3.2 times 10 to the
    superscript -4), which DejaVu Sans and every system font render, so that a figure's labels
    match the tables of the page.
    """
    if value is None or not math.isfinite(value):
        return ""
    value = float(f"{value:.2g}")
    if value == 0:
        return "0"
    if value >= 0.1:
        return f"{value:.2f}" if value < 1 else f"{value:.1f}"
    mantissa, exponent = f"{value:.1e}".split("e")
    sup = str(int(exponent)).translate(_SUPERSCRIPT)
    return f"{mantissa}{_TIMES}10{sup}"


@dataclass(frozen=True)
class HeatmapCell:
    """One cell of the set-by-focus-pathway heatmap.

    ``value`` is the q-value or p-value shown (``None`` when no term of the pathway was
    tested for that set); ``significant`` marks cells below the report's FDR threshold.
    """

    value: float | None
    significant: bool


def focus_heatmap_svg(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Mapping[tuple[str, str], HeatmapCell],
    *,
    metric_label: str,
    threshold: float,
    name: str = "focus-heatmap",
) -> str:
    """Draw the set-by-focus-pathway heatmap and return it as inline SVG.

    Colour is ``-log10`` of the cell's value on a fixed-start scale (0 = white), so that sets
    and pathways can be compared at a glance; each cell also carries the value itself, because
    colour alone is hard to read precisely. Cells below ``threshold`` are outlined and bold, a
    mark that survives greyscale printing; cells without a tested term are hatched grey and
    labelled "not tested" rather than shown as "not significant".

    Parameters
    ----------
    rows, columns
        Set names (top to bottom) and focus-pathway labels (left to right).
    cells
        Mapping ``(row, column) -> HeatmapCell``; missing keys are drawn as not tested.
    metric_label
        What the values are, for the colour-bar label (e.g. ``"empirical FDR"``).
    threshold
        Significance threshold on the value (e.g. 0.05).
    name
        Prefix of the SVG element ids; must be unique within a page.
    """
    n_rows, n_cols = len(rows), len(columns)
    scores = np.full((n_rows, n_cols), np.nan)
    for i, row in enumerate(rows):
        for j, col in enumerate(columns):
            cell = cells.get((row, col))
            if cell is not None and cell.value is not None and math.isfinite(cell.value):
                scores[i, j] = -math.log10(max(cell.value, 1e-300))
    finite = scores[np.isfinite(scores)]
    # The scale starts at 0 (value 1) and reaches at least -log10(0.001) = 3, so that a
    # borderline result is never drawn in the darkest colour just because nothing is stronger.
    vmax = max(3.0, float(finite.max()) if finite.size else 0.0)
    # Long pathway labels wrap onto several lines above their column; the top margin grows
    # with the number of lines so that nothing is clipped and no space is wasted.
    wrapped = [textwrap.fill(str(c), 16, break_long_words=False) for c in columns]
    label_lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    label_width = max((len(r) for r in rows), default=4) * 0.075 + 0.3
    cell_w, cell_h = 1.25, 0.52
    top, bottom = 0.2 + 0.18 * label_lines, 0.12
    fig_w = label_width + cell_w * max(n_cols, 1) + 1.3
    fig_h = top + cell_h * max(n_rows, 1) + bottom
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(fig_w, fig_h))
        left = label_width / fig_w
        width = cell_w * max(n_cols, 1) / fig_w
        height = cell_h * max(n_rows, 1) / fig_h
        ax = fig.add_axes((left, bottom / fig_h, width, height))
        cax = fig.add_axes((left + width + 0.25 / fig_w, bottom / fig_h, 0.14 / fig_w, height))
        masked = np.ma.masked_invalid(scores)
        cmap = HEATMAP_CMAP.with_extremes(bad="#eef1f4")
        image = ax.imshow(masked, cmap=cmap, vmin=0.0, vmax=vmax, aspect="auto")
        ax.set_xticks(range(n_cols), labels=wrapped)
        ax.set_yticks(range(n_rows), labels=list(rows))
        ax.xaxis.tick_top()
        ax.tick_params(length=0, labelsize=10)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=2)
        ax.tick_params(which="minor", length=0)
        for i, row in enumerate(rows):
            for j, col in enumerate(columns):
                cell = cells.get((row, col))
                score = scores[i, j]
                if not math.isfinite(score):
                    ax.add_patch(
                        Rectangle(
                            (j - 0.5, i - 0.5),
                            1,
                            1,
                            fill=False,
                            hatch="///",
                            edgecolor="#c3ccd6",
                            linewidth=0,
                        )
                    )
                    ax.text(j, i, "not tested", ha="center", va="center", fontsize=8, color=_MUTED)
                    continue
                dark = score / vmax > 0.55
                significant = bool(cell and cell.significant)
                ax.text(
                    j,
                    i,
                    superscript_number(cell.value if cell else None),
                    ha="center",
                    va="center",
                    fontsize=9.5,
                    fontweight="bold" if significant else "normal",
                    color="white" if dark else _TEXT,
                )
                if significant:
                    ax.add_patch(
                        Rectangle(
                            (j - 0.44, i - 0.40),
                            0.88,
                            0.80,
                            fill=False,
                            edgecolor=OKABE_ITO["vermillion"],
                            linewidth=2.0,
                        )
                    )
        bar = fig.colorbar(image, cax=cax)
        bar.outline.set_visible(False)
        bar.ax.tick_params(labelsize=8, length=2)
        bar.set_label(f"{_MINUS}log10 {metric_label}", fontsize=9)
        line = -math.log10(threshold)
        if line <= vmax:
            bar.ax.axhline(line, color=OKABE_ITO["vermillion"], linewidth=1.5)
    return _svg_text(fig, name)


@dataclass(frozen=True)
class QQSeries:
    """Expected and observed p-value quantiles of one method for the calibration QQ plot."""

    label: str
    expected: Sequence[float]
    observed: Sequence[float]


_QQ_STYLES = (
    (OKABE_ITO["vermillion"], "o"),
    (OKABE_ITO["blue"], "^"),
    (OKABE_ITO["green"], "s"),
    (OKABE_ITO["purple"], "D"),
)


def qq_plot_svg(series: Sequence[QQSeries], *, name: str = "calibration-qq") -> str:
    """Draw a QQ plot of p-values (``-log10`` expected vs observed) and return inline SVG.

    A calibrated test follows the diagonal; points above it mean more small p-values than
    chance gives, which is what ORA shows for random miRNA sets because of the target bias.
    Each method gets an Okabe-Ito colour and its own marker shape, so the lines can be told
    apart without colour.
    """
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(5.2, 4.4))
        ax = fig.add_subplot()
        top = 1.0
        for index, item in enumerate(series):
            expected = np.asarray(item.expected, dtype=float)
            observed = np.asarray(item.observed, dtype=float)
            keep = (expected > 0) & (observed > 0)
            x = -np.log10(expected[keep])
            y = -np.log10(observed[keep])
            order = np.argsort(x, kind="stable")
            x, y = x[order], y[order]
            colour, marker = _QQ_STYLES[index % len(_QQ_STYLES)]
            every = max(1, len(x) // 25)
            ax.plot(
                x,
                y,
                color=colour,
                marker=marker,
                markevery=every,
                markersize=5,
                linewidth=1.6,
                label=item.label,
            )
            if x.size:
                top = max(top, float(x.max()), float(y.max()))
        top = math.ceil(top * 1.05 * 2) / 2
        ax.plot([0, top], [0, top], color=_MUTED, linestyle="--", linewidth=1, label="expected")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel(f"expected {_MINUS}log10 p (uniform)")
        ax.set_ylabel(f"observed {_MINUS}log10 p")
        ax.grid(color=_GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(frameon=False, loc="upper left", fontsize=9)
        fig.tight_layout()
    return _svg_text(fig, name)
