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


def test_set_page_header_describes_the_set_not_the_run(pages, inputs):
    # the overview says how many sets the run has; a set page does not ("Sets 3")
    assert "<dt>Sets</dt>" in pages["index.html"]
    for s in inputs["sets"]:
        head = pages[f"{s}.html"].split('<nav class="toc"')[0]
        assert "<dt>Sets</dt>" not in head and "MSC source" in head


def test_edge_table_merges_sources_and_libraries(pages):
    html = pages["bone_marrow.html"]
    table = html[html.index('id="edges-table"') :]
    table = table[: table.index("</table>")]
    heads = table[: table.index("</thead>")]
    assert "Evidence" in heads and "Libraries" not in heads and ">Sources<" not in heads
    assert "Set miRNAs on the gene" in heads


def test_terms_table_shows_the_effect_size_next_to_the_empirical_p(inputs, tmp_path):
    from exomir import report as rp

    enrichment = dict(inputs["enrichment"])
    frame = enrichment["adipose"].copy()
    frame["z_emp"] = (frame["overlap"] - frame["null_mean"]) / frame["null_sd"]
    enrichment["adipose"] = frame
    written = rp.render_report(tmp_path / "report", **{**inputs, "enrichment": enrichment})
    html = {p.name: p.read_text(encoding="utf-8") for p in written}["adipose.html"]
    section = html[html.index('<section id="terms">') : html.index('<section id="focus">')]
    head = section[section.index("<thead>") : section.index("</thead>")]
    assert head.index("p empirical") < head.index("z vs random sets") < head.index("FDR empirical")
    # the first row's z, one decimal, in the cell after its empirical p
    first = rp.top_terms(rp.normalise_enrichment(frame, "adipose"), fdr=0.05).iloc[0]
    row = section[section.index("<tbody>") :]
    row = row[: row.index("</tr>")]
    cells = row.split("<td")
    assert f">{first['z_emp']:.1f}</td>" in cells[7], cells[7]
