"""The overview page's sections: focus heatmap, calibration, absent steps, overlaps."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from exomir import report as rp


def test_overview_has_the_focus_heatmap_with_every_set_and_pathway(pages, inputs):
    index = pages["index.html"]
    match = re.search(r'<svg[^>]*class="figure-svg".*?</svg>', index, re.S)
    assert match, "no inline figure"
    svg = index[index.index('<section id="focus">') : index.index('<section id="names">')]
    assert 'id="focus-heatmap-' in svg
    for set_name in inputs["sets"]:
        assert f">{set_name}</text>" in svg
    for label in inputs["focus"].values():
        assert f">{label}</text>" in svg.replace("&amp;", "&")


def test_calibration_sentence_is_plain_language(pages):
    sentence = (
        "Of 200 random miRNA sets of size 8, 64% had at least one term at FDR &lt; 0.05 by ORA "
        "and 5.5% by the empirical null."
    )
    assert sentence in pages["index.html"]
    assert 'id="calibration-qq-' in pages["index.html"]
    assert "95% CI 57%\u201371%" in pages["index.html"]


def test_calibration_sentence_with_one_method():
    summary = pd.DataFrame(
        {"method": ["empirical"], "n_queries": [50], "query_size": [12],
         "fraction_any_fdr05": [0.04]}
    )  # fmt: skip
    assert rp.calibration_sentence(summary) == (
        "Of 50 random miRNA sets of size 12, 4.0% had at least one term at FDR < 0.05 by "
        "the empirical null."
    )
    assert rp.calibration_sentence(summary.assign(method="other")) is None


def test_absent_steps_say_they_were_not_run(inputs, tmp_path):
    rp.render_report(
        tmp_path,
        **{
            **inputs,
            "calibration": None,
            "comparisons": None,
            "references": None,
            "source_summary": None,
        },
    )
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Calibration was not run for this report" in html
    assert "No pair of sets was compared in this run" in html
    assert "No reference provenance was passed to the report" in html
    assert 'id="sources"' not in html


def test_without_empirical_null_ora_is_primary_and_said_so(inputs, tmp_path):
    enrichment = {
        s: f.assign(p_emp=np.nan, fdr_emp=np.nan, null_mean=np.nan, null_sd=np.nan, n_null=np.nan)
        for s, f in inputs["enrichment"].items()
    }
    rp.render_report(tmp_path, **{**inputs, "enrichment": enrichment})
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "The empirical miRNA-set null was switched off for this run" in index
    assert "<strong>ORA FDR</strong>" in index and "smallest ORA (hypergeometric) p-value" in index
    page = (tmp_path / "bone_marrow.html").read_text(encoding="utf-8")
    assert "p empirical" not in page


def test_mismatched_checksum_is_flagged(inputs, tmp_path):
    refs = inputs["references"].copy()
    refs.loc[0, "checksum"] = "MISMATCH"
    rp.render_report(tmp_path, **{**inputs, "references": refs})
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<tr class="bad-row">' in html and "chip-bad" in html


def test_overlap_section_shows_upset_plots_counts_and_tables(inputs, tmp_path, overlaps_of):
    overlaps = overlaps_of(inputs)
    written = rp.render_report(tmp_path / "report", overlaps=overlaps, **inputs)
    index = written[0].read_text(encoding="utf-8")
    assert '<section id="overlap">' in index
    assert "Shared and unique miRNAs and targets" in index
    assert '<a href="#overlap">' in index  # listed in the page's table of contents
    for kind in ("mirnas", "targets"):
        assert f'id="upset-{kind}-' in index
        assert f'id="overlap-table-{kind}"' in index
    # the section comes before the set comparisons
    assert index.index('id="overlap"') < index.index('id="comparisons"')
    # one table row per combination, each member once
    section = index[index.index('<section id="overlap">') :]
    section = section[: section.index("</section>")]
    table = section[section.index('id="overlap-table-mirnas"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == len(overlaps["mirnas"]) + 1
    shared = overlaps["mirnas"].loc[overlaps["mirnas"]["n_sets"] == 3, "size"].sum()
    assert f"Shared by all {len(inputs['sets'])} sets" in section
    assert f'<td class="num" data-sort="{float(shared)!r}">{shared}</td>' in section
    # set pages do not repeat it
    assert 'id="overlap"' not in written[1].read_text(encoding="utf-8")


def test_overlap_section_is_left_out_without_tables(pages):
    assert 'id="overlap"' not in pages["index.html"]


def test_overlap_section_with_one_set_says_so(inputs, tmp_path, overlaps_of):
    one = {
        **inputs,
        "sets": ["bone_marrow"],
        "comparisons": None,
        "msc_sources": {"bone_marrow": "bone_marrow"},
    }
    written = rp.render_report(tmp_path / "report", overlaps=overlaps_of(one), **one)
    index = written[0].read_text(encoding="utf-8")
    assert "This run has a single set" in index
    assert 'id="upset-mirnas-' not in index


def test_overlap_caption_sentences_are_spaced(inputs, tmp_path, overlaps_of, monkeypatch):
    import re

    from exomir.report import _overview

    # draw fewer combinations than exist, so the caption says so in a second sentence
    monkeypatch.setattr(_overview, "MAX_UPSET_COLUMNS", 2)
    rp.render_report(tmp_path, overlaps=overlaps_of(inputs), **inputs)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "The 2 largest of" in index
    text = re.sub(r"<[^>]+>", " ", index)
    assert not re.search(r"[a-z]\.[A-Z][a-z]", text.replace("e.g.", "")), re.findall(
        r"\w+\.[A-Z]\w+", text
    )[:5]


def test_methods_state_the_runs_own_stopping_and_draw_limit(pages):
    text = re.sub(r"\s+", " ", pages["index.html"])
    methods = text[text.index('id="methods-null"') : text.index('id="methods-groups"')]
    assert "A term stops drawing after 50 random sets" in methods  # the run's h
    assert "up to a configured maximum" in methods  # parameters without max_draws
    assert "three families" in methods and "fdr_focus" in methods


def test_methods_leave_out_steps_the_run_did_not_take():
    from exomir.report._render import _environment

    template = _environment().get_template("section_methods.html.j2")
    common = {"fdr": 0.05, "jaccard": 0.5, "signatures": None, "families": 0.5, "tilt": True}
    drawn_on = template.render(n_random=10_000, sequential_stop=100, max_draws=200_000, **common)
    drawn_on = re.sub(r"\s+", " ", drawn_on)
    assert "after 100 random sets" in drawn_on and "up to 200,000 random sets" in drawn_on
    plain = template.render(n_random=10_000, sequential_stop=0, max_draws=10_000, **common)
    plain = re.sub(r"\s+", " ", plain)
    assert "stops drawing" not in plain and "draw on beyond" not in plain
    assert "so it is never zero. Where no" in plain
    assert "Jaccard index of at least 0.5 are therefore joined into families" in plain
    assert "a member alone keeps its own scores" in plain
    off = template.render(
        n_random=10_000, sequential_stop=0, max_draws=10_000, **common | {"families": 0}
    )
    off = re.sub(r"\s+", " ", off)
    assert "joined into families" not in off and "<code>families: 0</code>" in off
    unknown = template.render(
        n_random=10_000, sequential_stop=0, max_draws=10_000, **common | {"families": None}
    )
    assert "seed family" not in unknown  # runs that did not record it: no claim either way
    assert "weights (targets + 1)<sup>θ</sup>" in plain
    for tilt in (False, None):  # off, or a run that did not record it
        untilted = template.render(
            n_random=10_000, sequential_stop=0, max_draws=10_000, **common | {"tilt": tilt}
        )
        assert "<sup>θ</sup>" not in untilted


def test_methods_say_which_evidence_the_summed_scores_count():
    from exomir.report._render import _environment

    template = _environment().get_template("section_methods.html.j2")
    common = {"fdr": 0.05, "jaccard": 0.5, "signatures": None, "families": 0.5, "tilt": True}
    common |= {"n_random": 10_000, "sequential_stop": 0, "max_draws": 10_000}
    beyond = re.sub(r"\s+", " ", template.render(**common, score_threshold=0.05))
    assert "ln(0.05/<i>p</i>)" in beyond and "adds nothing" in beyond
    assert "Zaykin" in beyond and "Only the evidence beyond <i>p</i> = 0.05 counts" in beyond
    whole = re.sub(r"\s+", " ", template.render(**common, score_threshold=1.0))
    assert "\u2212ln of the hypergeometric p-value" in whole and "Zaykin" not in whole
    # A run that did not record it (older parameters): the whole -ln p, no claim of a threshold.
    older = re.sub(r"\s+", " ", template.render(**common, score_threshold=None))
    assert "Zaykin" not in older and "adds nothing" not in older
