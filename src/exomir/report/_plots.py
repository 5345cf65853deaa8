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
* the figure keeps its natural width (text at 9 pt or more stays at least 12 px) and the page
  puts it in a horizontal scroll container with a visible cue (``.scroll``), so a phone
  scrolls a figure instead of shrinking its text below legibility.

Colours come from :mod:`._palette`, where each colour has one meaning: a single-hue sequential
scale for the enrichment heatmap and the Okabe-Ito colours (plus distinct marker shapes) for the
methods in the QQ plot. The signature figures are in :mod:`._signature_plots`.
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
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._palette import HEATMAP_CMAP, OKABE_ITO

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
            f'class="figure-svg" role="img" style="width: {width}pt; max-width: none; '
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


def fdr_text(value: float | None) -> str:
    """An FDR as the heatmap writes it, in cells and on the colour bar alike: decimals down to
    0.001 (``0.031``), :func:`superscript_number` below."""
    if value is None or not math.isfinite(value):
        return ""
    if 0.001 <= value < 0.1:
        return f"{float(f'{value:.2g}'):g}"
    return superscript_number(value)


def cell_axes(
    ax, rows: Sequence[str], columns: Sequence[str], *, labelsize: float, gap: float = 2
) -> None:
    """Style ``ax`` as a grid of cells: labels above and at the left, white gaps, no frame."""
    ax.set_xticks(range(len(columns)), labels=list(columns))
    ax.set_yticks(range(len(rows)), labels=list(rows))
    ax.xaxis.tick_top()
    ax.tick_params(length=0, labelsize=labelsize)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(-0.5, len(columns), 1), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows), 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=gap)
    ax.tick_params(which="minor", length=0)


def hatch_cell(ax, i: int, j: int, label: str | None = None, fontsize: float = 9) -> None:
    """Hatch cell ``(i, j)`` grey (nothing to show there), with an optional word on it."""
    ax.add_patch(
        Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#c3ccd6",
                  linewidth=0)
    )  # fmt: skip
    if label:
        ax.text(j, i, label, ha="center", va="center", fontsize=fontsize, color=_MUTED)


def outline_cell(ax, i: int, j: int, linewidth: float) -> None:
    """Outline cell ``(i, j)`` in ink: the mark of a significant result or a call."""
    ax.add_patch(
        Rectangle((j - 0.45, i - 0.42), 0.9, 0.84, fill=False, edgecolor=_TEXT,
                  linewidth=linewidth)
    )  # fmt: skip


@dataclass(frozen=True)
class HeatmapCell:
    """One cell of the set-by-focus-pathway heatmap.

    ``value`` is the FDR shown (``None`` when no term of the pathway was tested for that set);
    ``significant`` marks cells below the report's FDR threshold; ``effect`` is the effect size
    of the same term (``None`` when unknown).
    """

    value: float | None
    significant: bool
    effect: float | None = None


#: FDR values marked on the heatmap's colour bar, labelled as FDRs (not as -log10).
_FDR_TICKS = (1.0, 0.5, 0.2, 0.1, 0.05, 0.01, 0.001, 1e-4, 1e-6, 1e-8)


def focus_heatmap_svg(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Mapping[tuple[str, str], HeatmapCell],
    *,
    metric_label: str,
    threshold: float,
    effect_label: str = "z",
    name: str = "focus-heatmap",
) -> str:
    """Draw the set-by-focus-pathway heatmap and return it as inline SVG.

    One unit throughout: the cell text and the colour bar both speak FDR. The colour grows with
    ``-log10 FDR`` (white = FDR 1) on a fixed-start scale, but the colour bar is labelled with
    FDR values (1, 0.1, 0.05, 0.01, ...), so the reader never converts. Each cell prints the FDR
    and, below it, the effect size of the same term (``effect_label``, e.g. ``z = 2.4``).
    Cells below ``threshold`` are outlined and bold, a mark that survives greyscale printing;
    cells without a tested term are hatched grey and labelled "not tested" rather than shown
    as "not significant". Text is at least 9 pt (12 px at the figure's natural size).

    Parameters
    ----------
    rows, columns
        Set names (top to bottom) and focus-pathway labels (left to right).
    cells
        Mapping ``(row, column) -> HeatmapCell``; missing keys are drawn as not tested.
    metric_label
        What the values are, for the colour-bar label (e.g. ``"focus-family FDR"``).
    threshold
        Significance threshold on the value (e.g. 0.05).
    effect_label
        How the effect size is written in a cell (``"z"`` or ``"fold"``).
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
    # The scale starts at 0 (FDR 1) and reaches at least FDR 0.001, so that a borderline
    # result is never drawn in the darkest colour just because nothing is stronger.
    vmax = max(3.0, float(finite.max()) if finite.size else 0.0)
    # Long pathway labels wrap onto several lines above their column; the top margin grows
    # with the number of lines so that nothing is clipped and no space is wasted.
    wrapped = [textwrap.fill(str(c), 16, break_long_words=False) for c in columns]
    label_lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    label_width = max((len(r) for r in rows), default=4) * 0.085 + 0.3
    cell_w, cell_h = 1.3, 0.62
    top, bottom = 0.25 + 0.2 * label_lines, 0.12
    fig_w = label_width + cell_w * max(n_cols, 1) + 1.4
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
        cell_axes(ax, list(rows), wrapped, labelsize=10)
        for i, row in enumerate(rows):
            for j, col in enumerate(columns):
                cell = cells.get((row, col))
                score = scores[i, j]
                if cell is None or not math.isfinite(score):
                    hatch_cell(ax, i, j, "not tested")
                    continue
                dark = score / vmax > 0.55
                text = fdr_text(cell.value)
                if cell.effect is not None and math.isfinite(cell.effect):
                    text += f"\n{effect_label} = {_signed(cell.effect)}"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=9,
                    linespacing=1.15,
                    fontweight="bold" if cell.significant else "normal",
                    color="white" if dark else _TEXT,
                )
                if cell.significant:
                    outline_cell(ax, i, j, 2.2)
        bar = fig.colorbar(image, cax=cax)
        bar.outline.set_visible(False)
        ticks = [t for t in _FDR_TICKS if -math.log10(t) <= vmax]
        bar.set_ticks([-math.log10(t) for t in ticks], labels=[fdr_text(t) for t in ticks])
        bar.ax.tick_params(labelsize=8.5, length=2)
        bar.set_label(metric_label, fontsize=9)
        line = -math.log10(threshold)
        if line <= vmax:
            bar.ax.axhline(line, color=_TEXT, linewidth=1.8)
    return _svg_text(fig, name)


def _signed(value: float) -> str:
    """A number with one decimal and a typographic minus (``-1.5`` -> "\u22121.5")."""
    text = f"{value:.1f}"
    return text.replace("-", _MINUS)


@dataclass(frozen=True)
class QQSeries:
    """Expected and observed p-value quantiles of one method for the calibration QQ plot."""

    label: str
    expected: Sequence[float]
    observed: Sequence[float]


#: Method colours of the QQ plot: Okabe-Ito hues that are not the push colours of
#: :mod:`._palette` (vermillion and blue mean a direction everywhere else), plus marker shapes.
_QQ_STYLES = (
    (OKABE_ITO["green"], "o"),
    (OKABE_ITO["purple"], "^"),
    (OKABE_ITO["grey"], "s"),
    (OKABE_ITO["orange"], "D"),
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


def upset_svg(
    sets: Sequence[str],
    combinations: Sequence[tuple[Sequence[str], int]],
    *,
    what: str,
    name: str = "upset",
    max_columns: int = 30,
) -> str:
    """Draw an UpSet plot of exclusive set intersections and return it as inline SVG.

    An UpSet plot (Lex et al. 2014) replaces a Venn diagram when there are more than two or
    three sets: each column is one combination of sets, marked by the filled dots below it
    (joined by a line), and its bar counts the members found in exactly those sets. The bars at
    the left give each set's size. Exclusive intersections count every member once, so a
    member shared by all sets is not also counted as shared by each pair.

    Parameters
    ----------
    sets
        Set names, top to bottom (the sheet order).
    combinations
        ``(sets of the combination, size)`` in display order (largest first, as
        :func:`exomir.overlap.exclusive_intersections` orders them). Set sizes are the sums of
        the sizes of the combinations that contain each set, so pass every combination even
        when only the first ``max_columns`` are drawn.
    what
        What the members are, for the axis labels (``"miRNAs"``, ``"target genes"``).
    name
        Prefix of the SVG element ids; must be unique within a page.
    max_columns
        Most combinations drawn (the largest ones); the caller says how many were left out.
    """
    sets = list(sets)
    index = {s: i for i, s in enumerate(sets)}
    sizes = [0] * len(sets)
    for combo, size in combinations:
        for member_set in combo:
            sizes[index[member_set]] += int(size)
    shown = list(combinations)[:max_columns]
    n_rows, n_cols = max(len(sets), 1), max(len(shown), 1)
    col_w, row_h = 0.38, 0.30
    label_w = max((len(s) for s in sets), default=4) * 0.085 + 0.25
    sizes_w, bar_h, gap = 1.25, 1.9, 0.06
    left, right, top, bottom = 0.15, 0.25, 0.3, 0.5
    matrix_w, matrix_h = col_w * n_cols, row_h * n_rows
    fig_w = left + sizes_w + label_w + matrix_w + right
    fig_h = bottom + matrix_h + gap + bar_h + top
    bar_colour, dot_on, dot_off = _MUTED, _TEXT, "#d5dce4"
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(fig_w, fig_h))
        x0 = (left + sizes_w + label_w) / fig_w
        mat = fig.add_axes((x0, bottom / fig_h, matrix_w / fig_w, matrix_h / fig_h))
        bars = fig.add_axes(
            (x0, (bottom + matrix_h + gap) / fig_h, matrix_w / fig_w, bar_h / fig_h), sharex=mat
        )
        side = fig.add_axes(
            (left / fig_w, bottom / fig_h, (sizes_w - 0.1) / fig_w, matrix_h / fig_h),
            sharey=mat,
        )
        # Dot matrix: light bands on every other row guide the eye from a set name to its dots.
        for i in range(0, len(sets), 2):
            mat.axhspan(i - 0.5, i + 0.5, color="#f3f5f8", zorder=0, linewidth=0)
        for j, (combo, _size) in enumerate(shown):
            rows = sorted(index[s] for s in combo)
            off = [i for i in range(len(sets)) if i not in rows]
            mat.scatter([j] * len(off), off, s=48, color=dot_off, zorder=2, linewidths=0)
            mat.scatter([j] * len(rows), rows, s=48, color=dot_on, zorder=3, linewidths=0)
            if len(rows) > 1:
                mat.plot([j, j], [rows[0], rows[-1]], color=dot_on, linewidth=2, zorder=2)
        mat.set_xlim(-0.6, n_cols - 0.4)
        mat.set_ylim(n_rows - 0.5, -0.5)
        mat.set_yticks(range(len(sets)), labels=sets)
        mat.set_xticks([])
        mat.tick_params(length=0, labelsize=10)
        for spine in mat.spines.values():
            spine.set_visible(False)
        # Intersection sizes above the matrix, each bar labelled with its count.
        heights = [int(size) for _combo, size in shown]
        top_value = max(heights, default=0) or 1
        bars.bar(range(len(shown)), heights, width=0.62, color=bar_colour, zorder=2)
        for j, height in enumerate(heights):
            bars.text(
                j,
                height + top_value * 0.02,
                f"{height:,}",
                ha="center",
                va="bottom",
                fontsize=8.5,
                color=_TEXT,
            )
        bars.set_ylim(0, top_value * 1.18)
        bars.set_ylabel(f"{what} in exactly\nthese sets", fontsize=9.5)
        bars.tick_params(axis="x", length=0, labelbottom=False)
        bars.tick_params(axis="y", labelsize=8.5)
        bars.spines["bottom"].set_visible(False)
        bars.grid(axis="y", color=_GRID, linewidth=0.6, zorder=0)
        bars.set_axisbelow(True)
        # Set sizes at the left, growing towards the set names.
        biggest = max(sizes, default=0) or 1
        side.barh(range(len(sets)), sizes, height=0.55, color=OKABE_ITO["grey"], zorder=2)
        for i, size in enumerate(sizes):
            side.text(
                size + biggest * 0.04,
                i,
                f"{size:,}",
                ha="right",
                va="center",
                fontsize=8.5,
                color=_TEXT,
            )
        side.set_xlim(biggest * 1.45, 0)
        side.set_xlabel(f"{what} per set", fontsize=9)
        # The bars carry their numbers, so the axis needs no ticks.
        side.tick_params(axis="y", left=False, labelleft=False)
        side.set_xticks([])
        for key in ("left", "top", "right"):
            side.spines[key].set_visible(False)
    return _svg_text(fig, name)
