"""The figures as inline SVG: marks, labels, ids and determinism."""

from __future__ import annotations

import re

from exomir.report._plots import HeatmapCell, QQSeries, focus_heatmap_svg, qq_plot_svg, upset_svg
from exomir.report._signature_plots import (
    GridCell,
    SignatureBar,
    signature_bars_svg,
    signature_grid_svg,
)


def test_heatmap_marks_significant_and_untested_cells():
    cells = {
        ("bm", "PI3K"): HeatmapCell(0.001, True, -1.46),
        ("bm", "NF-κB"): HeatmapCell(0.4, False),
        ("ad", "PI3K"): HeatmapCell(0.2, False),
    }
    svg = focus_heatmap_svg(["bm", "ad"], ["PI3K", "NF-κB"], cells, metric_label="FDR",
                            threshold=0.05)  # fmt: skip
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert svg.count("not tested") == 1
    assert ">0.001</text>" in svg and ">0.40</text>" in svg
    assert "z = \u22121.5" in svg  # the effect size, with a typographic minus
    # the outline of the significant cell and the threshold line, in ink, never a push colour
    assert svg.lower().count("stroke: #1f2933; stroke-width: 2.2") == 1
    assert svg.lower().count("stroke: #1f2933; stroke-width: 1.8") == 1
    assert "#d55e00" not in svg.lower() and "#0072b2" not in svg.lower()
    # one unit: the colour bar is labelled in FDR values, not in -log10 units
    assert ">0.05</text>" in svg and "log10" not in svg
    # matplotlib writes bold text as "font-weight: 700" (3.9 on) or "font: 700 ..." (3.8)
    bold = re.findall(r'<text style="[^"]*font(?:-weight)?: 700[^>]*>([^<]*)</text>', svg)
    assert bold[0] == "0.001" and len(bold) == 2  # only the significant cell

    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("focus-heatmap-") for i in ids)
    refs = re.findall(r'href="#([^"]+)"', svg)
    assert all(r in ids for r in refs)


def test_figures_are_deterministic():
    cells = {("a", "x"): HeatmapCell(0.01, True)}
    one = focus_heatmap_svg(["a"], ["x"], cells, metric_label="FDR", threshold=0.05)
    two = focus_heatmap_svg(["a"], ["x"], cells, metric_label="FDR", threshold=0.05)
    assert one == two
    series = [QQSeries("ORA", [0.1, 0.5, 1.0], [0.01, 0.2, 1.0])]
    assert qq_plot_svg(series) == qq_plot_svg(series)
    assert "Date" not in one and "dc:date" not in qq_plot_svg(series)


def test_upset_plot_is_deterministic_and_labelled():
    combos = [
        (["bone_marrow", "adipose", "umbilical_cord"], 12),
        (["umbilical_cord"], 5),
        (["bone_marrow", "adipose"], 3),
        (["adipose"], 1),
    ]
    sets = ["bone_marrow", "adipose", "umbilical_cord"]
    svg = upset_svg(sets, combos, what="miRNAs", name="upset-test")
    assert svg == upset_svg(sets, combos, what="miRNAs", name="upset-test")
    assert svg.startswith("<svg") and "<dc:date>" not in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("upset-test-") for i in ids)
    for text in (*sets, "miRNAs per set", "miRNAs in exactly"):
        assert text in svg
    # set sizes are the sums over the combinations: 15, 16 and 17
    for size in ("15", "16", "17", "12"):
        assert f"<!-- {size} -->" in svg or f">{size}<" in svg
    many = [([sets[i % 3]], 40 - i) for i in range(40)]
    wide = upset_svg(sets, many, what="genes", name="upset-wide", max_columns=10)
    narrow = upset_svg(sets, many[:10], what="genes", name="upset-wide", max_columns=10)
    widths = [re.search(r"width: ([\d.]+)pt", s).group(1) for s in (wide, narrow)]
    assert widths[0] == widths[1]  # only the first max_columns columns are drawn


def test_signature_figures_mark_calls_and_clip_extremes():
    bars = [
        SignatureBar("Pro-tumour", "Scores", 2.5, 1, "high · p = 0.01"),
        SignatureBar("PTEN / PI3K-Akt", "Focus pathways", float("inf"), 1, "up · p = 0.001"),
        SignatureBar("mTOR", "Focus pathways", None, 0, "no call · p = 1"),
    ]
    svg = signature_bars_svg(bars, name="bars-test")
    assert svg == signature_bars_svg(bars, name="bars-test")
    assert "Focus pathways" in svg and "up · p = 0.001" in svg
    assert "\u00bb" in svg  # the infinite bar is clipped and marked
    cells = {("bm", "Pro-tumour"): GridCell(3.0, "\u2191", 0.01, True)}
    grid = signature_grid_svg(["bm", "uc"], ["Pro-tumour"], cells, name="grid-test")
    assert "n/a" in grid  # uc has no such call
    assert 'id="grid-test-' in grid
