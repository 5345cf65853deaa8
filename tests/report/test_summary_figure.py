"""The paper figure: SVG and PNG beside the report, marks and a legend that reads on its own."""

from __future__ import annotations

import re

from exomir import report as rp
from exomir.report._summary_figure import figure_columns, stars


def test_stars():
    assert [stars(p) for p in (0.0005, 0.005, 0.04, 0.2, None)] == ["***", "**", "*", "", ""]


def test_summary_figure_is_written_deterministically(inputs, signature_outputs, tmp_path):
    rp.render_report(tmp_path / "a", signatures=signature_outputs(), **inputs)
    rp.render_report(tmp_path / "b", signatures=signature_outputs(), **inputs)
    for suffix in ("svg", "png"):
        one = (tmp_path / "a" / "figures" / f"summary.{suffix}").read_bytes()
        two = (tmp_path / "b" / "figures" / f"summary.{suffix}").read_bytes()
        assert one == two and len(one) > 1000
    png = (tmp_path / "a" / "figures" / "summary.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    svg = (tmp_path / "a" / "figures" / "summary.svg").read_text(encoding="utf-8")
    # columns: the lean first, then the headline calls, then the focus pathways
    for text in ("Tumour lean", "Regenerative", "Immunomodulatory", "PTEN /"):
        assert text in svg
    for s in inputs["sets"]:
        assert s in svg
    # the legend says what every mark means, without the page around it (lines joined)
    words = " ".join(re.findall(r">([^<]+)</text>", svg))
    for text in ("p ≤ 0.05", "*** p ≤ 0.001", "FDR ≤ 0.05", "towards pro-tumour",
                 "not measurements", "red pushed up, blue pushed down"):  # fmt: skip
        assert text in words, text
    assert "↑" in svg  # umbilical cord: PI3K-Akt pushed up through miR-410 -> PTEN


def test_columns_put_the_lean_first(inputs, signature_outputs):
    data = rp.build_report_data(
        **{k: v for k, v in inputs.items() if k != "comparisons"}, signatures=signature_outputs()
    )
    keys = [k for k, _ in figure_columns(data)]
    assert keys[:3] == ["lean", "regenerative", "immunomodulatory"]


def test_no_figure_without_signatures(pages, tmp_path, inputs):
    rp.render_report(tmp_path, **inputs)
    assert not (tmp_path / "figures").exists()
