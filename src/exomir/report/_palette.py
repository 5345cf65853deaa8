"""The report's colours and the one thing each of them means.

Colour in the report means **the direction a set's cargo pushes a score, compared with random
miRNA cargo of the same size**, and nothing else:

* vermillion (:data:`PUSH_COLOURS` ``"up"``): pushed up, drawn ↑ -- a score higher than random
  (``high``), a pathway or process pushed up, and the tumour lean towards *pro-tumour*
  (the lean is pro-tumour minus anti-tumour, so a positive lean is an upward push);
* blue (``"down"``): pushed down, drawn ↓ -- a pathway pushed down, a lean towards
  *anti-tumour*;
* grey (``"none"``): no call.

So "Anti-tumour ↑ high" is vermillion because the anti-tumour score is pushed *up*; whether that
is good or bad for a patient is said in words, never by colour. The enrichment heatmap, which
measures whether a pathway is *hit* more than random cargo would (no direction), uses a
single-hue sequential scale (:data:`HEATMAP_CMAP`) that shares no hue with the push colours.

Every colour is from a colour-blind-safe palette (Okabe & Ito 2008, ColorBrewer), and every
colour has a word or symbol beside it, so the figures also read in greyscale. The page styles
take their direction colours from :func:`css_variables`, so the HTML and the figures cannot
drift apart; ``tests/report/test_palette.py`` checks the palette against this semantic.
"""

from __future__ import annotations

from matplotlib.colors import LinearSegmentedColormap

from .. import signatures as sg

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

#: Fill colour of each push: up (vermillion), down (blue), none (light grey).
PUSH_COLOURS = {
    "up": OKABE_ITO["vermillion"],
    "down": OKABE_ITO["blue"],
    "none": "#c3ccd6",
}

#: Text colour of each push: the same hues, darkened to 4.5:1 contrast on white for small text.
PUSH_TEXT = {"up": "#b34700", "down": "#0a5a94", "none": "#7b8794"}

#: Symbol of each push, written beside every colour.
PUSH_SYMBOLS = {"up": "\u2191", "down": "\u2193", "none": "\u00b7"}

#: What each push means, for the legends of the figures and the page.
PUSH_LEGEND = {
    "up": "pushed up vs random (lean: pro-tumour)",
    "down": "pushed down vs random (lean: anti-tumour)",
    "none": "no call",
}

#: The semantic in one sentence, for captions.
SEMANTIC = (
    "Colour is the direction of the push compared with random miRNA cargo: vermillion = pushed "
    "up (\u2191), blue = pushed down (\u2193), grey = no call. The tumour lean is pro-tumour "
    "minus anti-tumour, so a lean towards pro-tumour is \u2191 vermillion and one towards "
    "anti-tumour \u2193 blue."
)

#: Sequential single-hue blue scale (ColorBrewer "Blues", light to dark) of the enrichment
#: heatmap: ordered in lightness, so it reads with any colour-vision deficiency and in print.
_BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"]
HEATMAP_CMAP = LinearSegmentedColormap.from_list("exomir_blues", _BLUES)

#: Diverging scale of standardised signature scores (ColorBrewer "RdBu"): blue below random
#: cargo, red above -- the same sides as :data:`PUSH_COLOURS`.
_RDBU = [
    "#2166ac",
    "#4393c3",
    "#92c5de",
    "#d1e5f0",
    "#f7f7f7",
    "#fddbc7",
    "#f4a582",
    "#d6604d",
    "#b2182b",
]
DIVERGING_CMAP = LinearSegmentedColormap.from_list("exomir_rdbu", _RDBU)


def push_of(direction: str | int | None) -> str:
    """``"up"``, ``"down"`` or ``"none"`` for a call's direction word or sign.

    Directions are those of :data:`exomir.signatures.DIRECTION_SIGN` (``high``, ``up``,
    ``pro_tumour`` push up; ``down``, ``anti_tumour`` push down); a sign may be given instead.
    """
    if isinstance(direction, int) and not isinstance(direction, bool):
        sign = direction
    else:
        sign = sg.DIRECTION_SIGN.get(str(direction or "none"), 0)
    return "up" if sign > 0 else ("down" if sign < 0 else "none")


def css_variables() -> str:
    """The ``:root`` custom properties that the page styles use for the push colours."""
    lines = [f"  --push-{key}: {PUSH_TEXT[key]};" for key in PUSH_TEXT]
    lines += [f"  --push-{key}-fill: {PUSH_COLOURS[key]};" for key in PUSH_COLOURS]
    return ":root {\n" + "\n".join(lines) + "\n}\n"
