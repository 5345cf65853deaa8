"""The signature sections: calls with their edges, literature beside data, overview grid."""

from __future__ import annotations

from exomir import report as rp


def test_signature_sections_are_on_every_page(signature_pages, inputs):
    index = signature_pages["index.html"]
    assert 'id="signatures"' in index and 'id="signature-grid-' in index
    assert "not measurements" in index and "cuts both ways" in index
    assert 'id="methods-signatures"' in index
    for s in inputs["sets"]:
        page = signature_pages[f"{s}.html"]
        assert 'id="signatures"' in page and 'id="literature"' in page
        assert 'id="signature-bars-' in page
        assert "PI3K/Akt" in page and "protect injured tissue" in page  # the dual-role caveat
        assert page.index('id="signatures"') < page.index('id="literature"')


def test_signature_panel_shows_calls_and_their_edges(signature_pages):
    page = signature_pages["umbilical_cord.html"]
    # miR-410 -> PTEN: PI3K-Akt up, pro-tumour; its edge is listed with its evidence
    directions = page[page.index('id="signature-directions"') :]
    row = directions[directions.index("PTEN / PI3K-Akt") :][:1500]
    assert "dir-up" in row and "↑ up" in row
    drivers = page[page.index('id="drivers-pi3k_akt"') :][:4000]
    assert "hsa-miR-410-3p" in drivers and ">PTEN<" in drivers and "inhibitor" in drivers
    assert "miRTarBase strong" in drivers
    adipose = signature_pages["adipose.html"]
    scores = adipose[adipose.index('id="signature-scores"') :][:6000]
    assert "anti-tumour" in scores


def test_literature_sits_beside_the_data(signature_pages):
    page = signature_pages["umbilical_cord.html"]
    table = page[page.index('id="literature-table"') :]
    assert "fixture quote about miR-410 and PTEN" in table
    assert "agree agree-agrees" in table and "agree agree-edge-found" in table  # PTEN, BAX
    assert "hsa-miR-410-3p → PTEN: edge present" in table
    assert 'pathway: <span class="agree agree-agrees">agrees</span>' in table
    # the adipose set's miR-146b claim comes from MSC exosomes of an unnamed tissue
    adipose = signature_pages["adipose.html"]
    assert "MSC, tissue not named" in adipose
    # miR-100 of bone marrow lowers VEGFA in the review; this set has no such edge
    bone = signature_pages["bone_marrow.html"]
    assert "hsa-miR-100-5p → VEGFA: no edge under the target policy" in bone
    assert "agree agree-no-evidence" in bone


def test_a_set_without_review_claims_says_so(inputs, tmp_path, signature_outputs):
    outputs = signature_outputs()
    outputs["bone_marrow"].literature = outputs["bone_marrow"].literature.iloc[0:0]
    written = rp.render_report(tmp_path, signatures=outputs, **inputs)
    bone = next(p for p in written if p.name == "bone_marrow.html").read_text(encoding="utf-8")
    assert "make no claim about this set" in bone
    index = written[0].read_text(encoding="utf-8")
    assert "no claim about these miRNAs" in index


def test_overview_compares_all_sources(signature_pages, inputs):
    index = signature_pages["index.html"]
    calls = index[index.index('id="signature-calls"') :][:6000]
    for s in inputs["sets"]:
        assert f'href="{s}.html#signatures"' in calls
    assert "Tumour lean: ↑ pro-tumour" in calls
    assert "Tumour lean: ↓ anti-tumour" in calls


def test_without_signatures_there_are_no_signature_sections(pages):
    for html in pages.values():
        assert 'id="signatures"' not in html
        assert 'id="methods-signatures"' not in html


def test_signature_pages_are_deterministic(inputs, tmp_path, signature_outputs):
    outputs = signature_outputs()
    first = rp.render_report(tmp_path / "a", signatures=outputs, **inputs)
    second = rp.render_report(tmp_path / "b", signatures=signature_outputs(), **inputs)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
