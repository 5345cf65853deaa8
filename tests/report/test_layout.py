"""The pages in a real browser: no horizontal overflow at phone, tablet and desktop widths.

Headless Chromium loads each page at 390, 768 and 1400 px and a script measures, after layout,
whether the document is wider than the window and which elements reach past its edges. Content
may be wider than the window only inside a marked scroll container (``.scroll``: tables, figures
and the page list), which scrolls sideways and shows a cue. Skips where Chromium is not
installed (CI installs it, see .ci/run).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from exomir import report as rp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTHS = (390, 768, 1400)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")

#: Runs after load: writes what it measured into the DOM, which --dump-dom then prints.
_PROBE = """
<script>
window.addEventListener("load", function () {
  var width = document.documentElement.clientWidth;
  var out = {inner: window.innerWidth, client: width,
             scroll: document.documentElement.scrollWidth, overflowing: []};
  document.querySelectorAll("body *").forEach(function (el) {
    if (el.closest(".scroll, .skip, .visually-hidden, script, style")) {
      if (!el.classList.contains("scroll")) return;
    }
    var box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return;
    if (box.right > width + 1 || box.left < -1) {
      out.overflowing.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && el.className.baseVal === undefined ? "." + el.className : "") +
        " right=" + Math.round(box.right));
    }
  });
  out.params = [];
  document.querySelectorAll("#parameters-table > tbody > tr > td").forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return;
    out.params.push([el.className, Math.round(box.left), Math.round(box.right)]);
  });
  // Headers of the small record tables whose words break across lines ("miRNA" / "s").
  out.broken_heads = [];
  document.querySelectorAll("table.mini th").forEach(function (th) {
    var walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      var re = /\\S+/g, m;
      while ((m = re.exec(node.textContent))) {
        var range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (range.getClientRects().length > 1) out.broken_heads.push(m[0]);
      }
    }
  });
  parent.postMessage(JSON.stringify(out), "*");
});
</script>
"""

#: Chromium's headless window is at least 500 px wide, so the page is measured in a frame of
#: the wanted width; the frame posts its measurement up, and the wrapper writes it in its DOM.
_WRAPPER = """<!DOCTYPE html>
<html><body style="margin:0">
<iframe src="{src}" style="width:{width}px;height:1200px;border:0"></iframe>
<script>
window.addEventListener("message", function (event) {{
  var pre = document.createElement("pre");
  pre.id = "layout-probe";
  pre.textContent = event.data;
  document.body.appendChild(pre);
}});
</script>
</body></html>
"""


def measure(page: Path, width: int) -> dict:
    """Load ``page`` at ``width`` px in headless Chromium and return the probe's result."""
    probe = page.with_name(f".probe-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"))
    wrapper = page.with_name(f".frame-{width}-{page.name}")
    wrapper.write_text(_WRAPPER.format(src=probe.name, width=width), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
             f"--window-size={max(width, 500) + 40},1300", "--virtual-time-budget=5000", "--dump-dom",
             wrapper.as_uri()],
            capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, "HOME": profile},
        )  # fmt: skip
    match = re.search(r'<pre id="layout-probe">([^<]*)</pre>', result.stdout)
    assert match, f"Chromium returned no measurement: {result.stderr[-2000:]}"
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture(scope="module")
def written(inputs, signature_outputs, overlaps_of, tmp_path_factory) -> dict[str, Path]:
    """The full report (signatures and overlaps included), written to disk."""
    out = tmp_path_factory.mktemp("layout") / "report"
    paths = rp.render_report(
        out, signatures=signature_outputs(), overlaps=overlaps_of(inputs), **inputs
    )
    return {p.name: p for p in paths}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["index.html", "umbilical_cord.html"])
def test_pages_do_not_overflow_outside_scroll_containers(written, name, width):
    result = measure(written[name], width)
    assert result["inner"] == width
    assert result["scroll"] <= result["client"], result
    assert result["overflowing"] == [], result["overflowing"][:10]


def test_parameters_read_as_blocks_on_a_phone(written):
    # the parameters table is wide (name, value, meaning): on a phone each row becomes a block,
    # so every value and meaning is readable without scrolling the table sideways
    result = measure(written["umbilical_cord.html"], 390)
    cells = result["params"]
    assert {c for c, _, _ in cells} >= {"param-value", "meaning"}
    assert all(left >= 0 and right <= result["client"] for _, left, right in cells), [
        cell for cell in cells if cell[2] > result["client"]
    ][:5]
    # name, value and meaning stack: every cell starts at the table's left edge
    assert len({left for _, left, _ in cells}) == 1


def test_parameters_stay_a_table_on_a_desktop(written):
    cells = measure(written["umbilical_cord.html"], 1400)["params"]
    values = [left for c, left, _ in cells if c == "param-value"]
    meanings = [left for c, left, _ in cells if c == "meaning"]
    assert values and meanings and min(meanings) > max(values) > 100


def test_a_set_pages_parameters_fit_a_tablet_without_scrolling(inputs, tmp_path):
    # at 768 px the three columns (name with its dotted key, value, meaning) fit the window:
    # long keys break at their dots instead of widening the first column. The keys and values
    # of a real run's .json:
    params = copy.deepcopy(inputs["enrichment_params"])
    params["umbilical_cord"]["empirical"] = {
        "extension": {
            "draws_beyond_n_random": 6556,
            "extended_terms": 1,
            "max_draws": 200000,
            "reached_max_draws": 0,
            "stream": "shuffled draws from SeedSequence(seed, spawn_key=(1,))",
            "undecided_after_n_random": 90,
        },
        "families": 0.5,
        "families_in_set": [{"family_size": 11, "in_set": "hsa-let-7a-5p + hsa-let-7c-5p"}],
        "log10_distinct_random_sets": 13.728,
        "strata": [
            {"min_targets": 103, "max_targets": 110, "mirnas": 83, "drawn": 4},
            {"min_targets": 1285, "max_targets": 3072, "mirnas": 85, "drawn": 2, "tilt": 5.1209},
        ],
        "matching": {
            "calibration_warning": None,
            "merged_share": 0.0,
            "target_ratio": 1.079,
            "untilted_ratio": 1.262,
            "widest_stratum_targets": [1285, 3072],
        },
        "p_method": {"exceedances": 8695, "extended": 1},
        "statistic_choice": "mirna_sum (auto): the target-count strata match this set",
        "target_count_sum": {"null_mean": 9223.0, "set": 9951},
    }
    paths = rp.render_report(tmp_path / "report", **{**inputs, "enrichment_params": params})
    page = next(p for p in paths if p.name == "umbilical_cord.html")
    result = measure(page, 768)
    cells = result["params"]
    meanings = [right for c, _, right in cells if c == "meaning"]
    assert meanings and max(meanings) <= result["client"], (max(meanings), cells[:3], page)


def test_small_tables_keep_their_header_words_whole_on_a_phone(inputs, tmp_path):
    # the strata of a tilted set: five columns inside the parameters' value cell
    params = copy.deepcopy(inputs["enrichment_params"])
    params["umbilical_cord"]["empirical"] = {
        "n_random": 10000,
        "statistic": "mirna_sum",
        "tilt": True,
        "strata": [
            {"min_targets": 103, "max_targets": 110, "mirnas": 83, "drawn": 4},
            {"min_targets": 1285, "max_targets": 3072, "mirnas": 85, "drawn": 2, "tilt": 5.1209},
        ],
    }
    paths = rp.render_report(tmp_path / "report", **{**inputs, "enrichment_params": params})
    page = next(p for p in paths if p.name == "umbilical_cord.html")
    for width in (390, 1400):
        result = measure(page, width)
        assert result["broken_heads"] == [], (width, result["broken_heads"])
        assert result["overflowing"] == [], result["overflowing"][:10]


def test_the_probe_sees_overflow(tmp_path):
    # a control: a wide block outside any scroll container is caught, inside one it is not
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">'
        '</head><body><div id="inside" class="scroll" style="overflow-x:auto">'
        '<div style="width:900px">wide but scrolled</div></div>'
        '<div id="outside" style="width:900px">too wide</div></body></html>',
        encoding="utf-8",
    )
    result = measure(page, 390)
    assert result["scroll"] > result["client"]
    assert [o.split(" ")[0] for o in result["overflowing"]] == ["div#outside"]
