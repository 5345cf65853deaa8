"""The sections of a set's page: lead terms and the miRNAs the analysis could not use."""

from __future__ import annotations


def test_significant_lead_terms_are_highlighted(pages, inputs):
    for set_name in inputs["sets"]:
        frame = inputs["enrichment"][set_name]
        leads = frame[frame["cluster_lead"] | (frame["cluster"] == "")]
        expected = int((leads["fdr_emp"] < 0.05).sum())
        html = pages[f"{set_name}.html"]
        section = html[html.index('<section id="terms">') : html.index('<section id="focus">')]
        assert section.count('class="hit-row"') == expected, set_name
        grouped = frame[(frame["cluster"] != "") & ~frame["cluster_lead"]]
        for term in grouped["term"]:
            assert f"<li>{term} " in section  # redundant members stay countable and listed


def test_set_page_lists_miRNAs_without_targets_and_unresolved_names(pages):
    html = pages["bone_marrow.html"]
    assert "1 resolved miRNA without any target edge" in html
    assert "hsa-miR-155-3p" in html.split('id="no-targets"')[1][:400]
    names = html[html.index('<section id="names">') :]
    assert names.count('class="warn-row"') == 2
    assert "2 input names did not resolve" in names
