"""Rendering and writing the pages: structure, self-containment, escaping, determinism."""

from __future__ import annotations

import re

from exomir import report as rp


def test_render_writes_index_then_one_page_per_set(inputs, tmp_path):
    written = rp.render_report(tmp_path / "report", **inputs)
    assert [p.name for p in written] == ["index.html", *(f"{s}.html" for s in inputs["sets"])]
    assert all(p.stat().st_size > 10_000 for p in written)
    assert not list((tmp_path / "report").glob(".*.tmp"))  # atomic writes leave no temp files


def test_pages_are_self_contained(pages, parse_html):
    for name, html in pages.items():
        parsed = parse_html(html)
        for tag, attrs in parsed.tags:
            assert tag not in ("link", "img", "iframe", "object", "embed"), (name, tag)
            src = attrs.get("src")
            assert src is None, (name, tag, src)  # no external (or any) script/image sources
            href = attrs.get("href") or ""
            if tag == "a" and re.match(r"(?i)https?:|//", href):
                # only literature links in the methods text may leave the page
                assert href.startswith("https://doi.org/"), (name, href)
            assert not href.startswith(("http://", "https://")) or tag == "a", (name, tag, href)
        assert "@import" not in html and "url(http" not in html, name
        assert "<svg" in html or name != "index.html"


def test_every_page_links_every_set_and_the_overview(pages, inputs, parse_html):
    for name, html in pages.items():
        hrefs = [a.get("href") for t, a in parse_html(html).tags if t == "a"]
        assert "index.html" in hrefs, name
        for set_name in inputs["sets"]:
            assert f"{set_name}.html" in hrefs, (name, set_name)
    index = pages["index.html"]
    for set_name in inputs["sets"]:
        assert f'<a href="{set_name}.html">{set_name}</a>' in index


def test_config_and_parameters_on_every_page(pages):
    for name, html in pages.items():
        assert 'id="parameters"' in html, name
        assert "Full configuration of the run" in html, name
        assert "n_random: 10000" in html, name  # the YAML dump of the config


def test_user_strings_are_escaped(inputs, tmp_path, parse_html):
    evil = "<script>alert(1)</script>"
    names = {s: f.copy() for s, f in inputs["names"].items()}
    first = inputs["sets"][0]
    names[first].loc[0, "note"] = evil
    names[first].loc[1, "input"] = '"><img src=x onerror=alert(2)>'
    enrichment = {s: f.copy() for s, f in inputs["enrichment"].items()}
    enrichment[first].loc[0, "term"] = "<b>bold</b> & co"
    config = {**inputs["config"], "note": "</pre><script>alert(3)</script>"}
    written = rp.render_report(
        tmp_path, **{**inputs, "names": names, "enrichment": enrichment, "config": config}
    )
    for path in written:
        html = path.read_text(encoding="utf-8")
        parsed = parse_html(html)
        assert sum(1 for t, _ in parsed.tags if t == "script") == 1, path.name
        assert not any(t == "img" for t, _ in parsed.tags), path.name
        assert "alert(1)</script>" not in html and "alert(3)</script>" not in html
    page = (tmp_path / f"{first}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(3)" in page


def test_same_inputs_give_identical_bytes(tmp_path, make_inputs):
    first = rp.render_report(tmp_path / "a", **make_inputs(seed=11))
    second = rp.render_report(tmp_path / "b", **make_inputs(seed=11))
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = rp.render_report(tmp_path / "c", **make_inputs(seed=12))
    assert other[1].read_bytes() != first[1].read_bytes()


def test_download_links_are_relative_to_the_report(pages, inputs):
    for set_name in inputs["sets"]:
        html = pages[f"{set_name}.html"]
        assert f'href="../targets/{set_name}.tsv" download' in html
        assert f'href="../enrichment/{set_name}.tsv" download' in html
        assert f'href="../names/{set_name}.tsv" download' in html


def test_header_summarises_the_run(pages):
    head = pages["index.html"].split('<section id="about">')[0]
    assert "2025-03-02 10:30 UTC" in head
    assert "10,000 random miRNA sets, seed 42" in head
    assert "FDR &lt; 0.05" in head
    assert "mirdb, mirtarbase, targetscan" in head
    assert "targetable" in head
