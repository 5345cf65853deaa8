"""Colour means one thing everywhere: the direction of the push against random cargo."""

from __future__ import annotations

import itertools
import re

import numpy as np
from matplotlib.colors import to_rgb

from exomir import signatures as sg
from exomir.report import _palette as pal
from exomir.report._plots import HeatmapCell, focus_heatmap_svg
from exomir.report._signature_plots import SignatureBar, signature_bars_svg, signature_grid_svg


def _luminance(colour: str) -> float:
    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def test_every_direction_has_one_push():
    pushes = {d: pal.push_of(d) for d in sg.DIRECTION_SIGN}
    assert pushes == {
        "up": "up",
        "high": "up",
        "pro_tumour": "up",  # the lean is pro minus anti: towards pro-tumour is an upward push
        "down": "down",
        "anti_tumour": "down",
        "none": "none",
    }
    assert pal.push_of(1) == "up" and pal.push_of(-1) == "down" and pal.push_of(0) == "none"


def test_push_colours_are_okabe_ito_and_their_text_variants_read_on_white():
    assert pal.PUSH_COLOURS["up"] == pal.OKABE_ITO["vermillion"]
    assert pal.PUSH_COLOURS["down"] == pal.OKABE_ITO["blue"]
    for key in ("up", "down"):
        contrast = (1.05) / (_luminance(pal.PUSH_TEXT[key]) + 0.05)
        assert contrast >= 4.5, key  # WCAG AA for small text
        # the text colour keeps the hue of the fill (same dominant channel)
        fill, text = to_rgb(pal.PUSH_COLOURS[key]), to_rgb(pal.PUSH_TEXT[key])
        assert int(np.argmax(fill)) == int(np.argmax(text))


def test_diverging_scale_puts_up_on_the_vermillion_side():
    low, high = pal.DIVERGING_CMAP(0.0), pal.DIVERGING_CMAP(1.0)
    assert high[0] > high[2] and low[2] > low[0]  # red above random, blue below
    # the enrichment heatmap has no direction: one hue, getting darker, none of the push hues
    steps = [pal.HEATMAP_CMAP(x) for x in np.linspace(0, 1, 6)]
    assert all(_luminance(a) > _luminance(b) for a, b in itertools.pairwise(steps))


def test_pages_take_the_direction_colours_from_the_palette(signature_pages):
    page = signature_pages["umbilical_cord.html"]
    css = page[page.index("<style>") : page.index("</style>")]
    for key, colour in pal.PUSH_TEXT.items():
        assert f"--push-{key}: {colour};" in css
    assert ".dir-up { color: var(--push-up); }" in css
    assert not re.search(r"\.dir-(up|down) \{ color: #", css)  # no second definition
    assert pal.SEMANTIC in page  # the captions state the semantic


def test_figures_colour_calls_by_push_and_carry_the_legend():
    bars = [
        SignatureBar("Anti-tumour", "Scores", 2.5, 1, "high"),  # pushed up: vermillion
        SignatureBar("mTOR", "Focus pathways", -2.0, -1, "down"),
        SignatureBar("NF-κB", "Focus pathways", 0.5, 0, "no call"),
    ]
    svg = signature_bars_svg(bars, name="palette-bars").lower()
    for key in ("up", "down", "none"):
        assert pal.PUSH_COLOURS[key].lower() in svg
    for text in pal.PUSH_LEGEND.values():
        assert text in signature_bars_svg(bars, name="palette-bars")
    grid = signature_grid_svg(["a"], ["x"], {}, name="palette-grid")
    assert pal.PUSH_LEGEND["up"] in grid
    heat = focus_heatmap_svg(
        ["a"], ["x"], {("a", "x"): HeatmapCell(0.01, True, 2.0)}, metric_label="FDR",
        threshold=0.05,
    ).lower()  # fmt: skip
    assert pal.PUSH_COLOURS["up"].lower() not in heat
    assert pal.PUSH_COLOURS["down"].lower() not in heat


def test_method_colours_are_not_push_colours():
    from exomir.report._plots import QQSeries, qq_plot_svg

    svg = qq_plot_svg([QQSeries("ORA", [0.1, 1.0], [0.01, 1.0]), QQSeries("emp", [0.1], [0.2])])
    assert pal.PUSH_COLOURS["up"].lower() not in svg.lower()
    assert pal.PUSH_COLOURS["down"].lower() not in svg.lower()
