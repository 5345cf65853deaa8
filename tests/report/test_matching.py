"""A set its empirical null could not match, and how its p-values were obtained.

The run warns on screen when the stratified null cannot match a set's target-count profile
(``empirical.matching.calibration_warning`` of the set's ``.json``); the report says it next to
the set's results and marks the set wherever the overview lists it. Sets without the warning,
and parameters of older runs without ``matching``, show nothing extra.
"""

from __future__ import annotations

import pandas as pd

from exomir.report import matching_notice, pvalue_origin


def _main(html: str) -> str:
    """The page's content, without the stylesheet and the script."""
    return html[html.index("<main") : html.index("</main>")]


def _section(html: str, key: str) -> str:
    start = html.index(f'<section id="{key}">')
    return html[start : html.index("</section>", start)]


# --------------------------------------------------------------------------------------------
# What the parameters say


def test_notice_carries_the_numbers_of_the_run(unmatched):
    notice = matching_notice({"empirical": {"matching": unmatched}})
    assert notice is not None
    assert notice.ratio_text == "1.63\u00d7"
    assert notice.widest_text == "1,285\u20136,210 targets"
    assert notice.merged_text == "50%"
    assert notice.warning == unmatched["calibration_warning"]
    assert "could not be matched on target counts" in notice.short


def test_what_the_notice_means_follows_the_statistic(unmatched):
    share = matching_notice({"empirical": {"matching": unmatched, "statistic": "share"}})
    overlap = matching_notice({"empirical": {"matching": unmatched, "statistic": "overlap"}})
    summed = matching_notice({"empirical": {"matching": unmatched, "statistic": "mirna_sum"}})
    older = matching_notice({"empirical": {"matching": unmatched}})  # before the share statistic
    assert share is not None and overlap is not None and older is not None
    assert not share.anti_conservative and "borderline" in share.consequence
    assert summed is not None and not summed.anti_conservative
    assert summed.consequence == share.consequence
    assert (
        overlap.anti_conservative and overlap.consequence == "empirical p-values may be too small"
    )
    assert older.anti_conservative


def test_no_notice_without_a_warning(unmatched):
    matched = {**unmatched, "calibration_warning": None}
    assert matching_notice({"empirical": {"matching": matched}}) is None
    assert matching_notice({"empirical": {"n_random": 10}}) is None  # older run: no matching
    assert matching_notice({"empirical": None}) is None  # null not run
    assert matching_notice({"null": {"n_random": 10}}) is None  # oldest layout


def test_notice_of_a_tilted_null_gives_both_ratios(unmatched):
    import re

    from exomir.report._render import _environment

    tilted = {**unmatched, "target_ratio": 1.004, "untilted_ratio": 1.851}
    notice = matching_notice({"empirical": {"matching": tilted, "statistic": "share"}})
    assert notice is not None and notice.untilted_text == "1.85\u00d7"
    assert "targets 1.85\u00d7 a random set's, 1.00\u00d7 once random sets were tilted" in (
        notice.short
    )
    assert "50% of its miRNAs in merged strata" in notice.short
    macros = _environment().get_template("macros.html.j2").module
    text = re.sub(r"\s+", " ", str(macros.matching_notice(notice)))
    assert "50% of the set's miRNAs sit in merged strata (the widest spans 1,285" in text
    assert "have 1.85\u00d7 the target edges of a random set drawn uniformly" in text
    assert "which brings that to 1.00\u00d7" in text
    # Without a tilt the notice reads as before.
    plain = matching_notice({"empirical": {"matching": unmatched, "statistic": "share"}})
    assert plain is not None and plain.untilted_text is None
    plain_text = re.sub(r"\s+", " ", str(macros.matching_notice(plain)))
    assert "have 1.63\u00d7 the target edges of a random set (widest" in plain_text
    assert "tilted" not in plain_text and "tilted" not in plain.short


def test_notice_without_the_numbers_still_warns():
    notice = matching_notice({"empirical": {"matching": {"calibration_warning": "cannot match"}}})
    assert notice is not None and notice.warning == "cannot match"
    assert notice.ratio_text is None and notice.widest_text is None and notice.merged_text is None


def _frame(methods: list[str] | None) -> pd.DataFrame:
    frame = pd.DataFrame({"term": [f"t{i}" for i in range(5)]})
    if methods is not None:
        frame["p_method"] = methods
    return frame


def test_pvalue_origin_counts_the_table_column():
    params = {"empirical": {"n_random": 10000, "extension": {"max_draws": 200000}}}
    origin = pvalue_origin(params, _frame(["exceedances"] * 3 + ["extended", "floor"]))
    assert origin is not None
    assert origin.text == (
        "3 counted among up to 10,000 random sets, 1 after drawing up to 200,000, "
        "0 from a tail fit, 1 at the floor 1/(draws + 1)"
    )
    assert origin.floor == 1
    assert origin.statistic is None  # the run does not say


def test_pvalue_origin_names_the_statistic_and_why_auto_chose_it():
    params = {"empirical": {"n_random": 100, "statistic": "mirna_sum"}}
    origin = pvalue_origin(params, _frame(["exceedances"] * 5))
    assert origin.statistic == "the set's summed per-miRNA scores for the term (mirna_score)"
    params["empirical"].update(
        statistic="share",
        statistic_choice="share (auto): the target-count strata cannot match this set, and "
        "summed miRNA scores are too small there",
    )
    origin = pvalue_origin(params, _frame(["exceedances"] * 5))
    assert origin.statistic == (
        "the share of the set's targets that fall in the term, chosen by the setting auto "
        "because the target-count strata cannot match this set, and summed miRNA scores are "
        "too small there"
    )


def test_pvalue_origin_leaves_out_the_tail_fit_when_the_run_had_it_off():
    params = {
        "empirical": {"n_random": 10000, "tail_fit": False, "extension": {"max_draws": 200000}}
    }
    origin = pvalue_origin(params, _frame(["exceedances"] * 3 + ["extended", "floor"]))
    assert origin is not None
    assert origin.text == (
        "3 counted among up to 10,000 random sets, 1 after drawing up to 200,000, "
        "1 at the floor 1/(draws + 1)"
    )
    # a run with the fit on lists it, also at 0
    params["empirical"]["tail_fit"] = True
    assert "0 from a tail fit" in pvalue_origin(params, _frame(["floor"] * 5)).text


def test_pvalue_origin_from_the_parameters_when_the_table_has_no_column():
    params = {
        "empirical": {
            "n_random": 1000,
            "p_method": {"exceedances": 8695, "floor": 1},
            "extension": {
                "max_draws": 200000,
                "not_extended": "the share statistic is counted over the first n_random draws only",
            },
        }
    }
    origin = pvalue_origin(params, _frame(None))
    assert origin is not None
    # the run did not draw on: the two methods of the extension are not listed as "0"
    assert origin.text == (
        "8,695 counted among up to 1,000 random sets, 1 at the floor 1/(draws + 1); no term "
        "drew on further: the share statistic is counted over the first 1,000 draws only"
    )


def test_pvalue_origin_finds_the_settings_of_older_parameters():
    origin = pvalue_origin({"null": {"n_random": 500}}, _frame(["exceedances"] * 5))
    assert origin is not None
    assert origin.text == "5 counted among up to 500 random sets, 0 at the floor 1/(draws + 1)"


def test_no_pvalue_origin_from_an_older_run():
    assert pvalue_origin({"null": {"n_random": 10}}, _frame(None)) is None
    assert pvalue_origin({"empirical": None}, _frame([""] * 5)) is None


# --------------------------------------------------------------------------------------------
# The pages


def test_set_page_shows_the_notice_above_its_enriched_terms(matching_pages):
    html = matching_pages["adipose.html"]
    terms = _section(html, "terms")
    assert 'id="matching"' in terms
    notice = terms[terms.index('id="matching"') : terms.index("</div>")]
    assert "Random sets could not be matched on target counts" in notice
    assert "1.63\u00d7 the" in notice and "1,285\u20136,210 targets" in notice
    assert "50% of the set" in notice and "may be too" in notice and "anti-conservative" in notice
    assert terms.index('id="matching"') < terms.index('id="terms-table"')
    # the summary card and the focus pathways point at it
    assert 'href="#matching"' in _section(html, "summary")
    assert 'href="#matching"' in _section(html, "focus")


def test_set_page_says_how_each_pvalue_was_obtained(matching_pages):
    terms = _section(matching_pages["adipose.html"], "terms")
    assert (
        "Empirical p-values: 30 counted among up to 10,000 random sets, 2 after drawing up to "
        "200,000, 1 from a tail fit, 1 at the floor 1/(draws + 1)."
    ) in terms
    table = terms[terms.index('id="terms-table"') :]
    assert table.count('<span class="bound">\u2264</span>') == 1  # the floor is an upper bound
    assert "generalized Pareto" in table


def test_on_the_share_statistic_the_notice_asks_for_care(matching_pages):
    terms = _section(matching_pages["umbilical_cord.html"], "terms")
    notice = terms[terms.index('id="matching"') : terms.index("</div>")]
    assert "read borderline calls with care" in notice and "anti-conservative" not in notice
    assert "read borderline calls with care" in _section(
        matching_pages["umbilical_cord.html"], "summary"
    )


def test_matched_and_older_sets_show_nothing_extra(matching_pages, pages):
    for html in (
        matching_pages["bone_marrow.html"],  # matched
        *pages.values(),  # every page of the default inputs (parameters of an older run)
    ):
        html = _main(html)
        assert 'id="matching"' not in html and 'class="flag-warn"' not in html
        assert "could not be matched" not in html and "may be too small" not in html
    assert "Empirical p-values:" in _section(matching_pages["bone_marrow.html"], "terms")
    assert "Empirical p-values:" not in _section(pages["umbilical_cord.html"], "terms")


def test_overview_marks_the_unmatched_set_where_sets_are_listed(matching_pages):
    index = matching_pages["index.html"]
    summary = _section(index, "summary")
    rows = {
        s: summary[summary.index(f'<a href="{s}.html">{s}</a>') :].split("</tr>")[0]
        for s in ("bone_marrow", "adipose", "umbilical_cord")
    }
    for s in ("adipose", "umbilical_cord"):
        assert f'class="flag-warn" href="{s}.html#matching"' in rows[s]
        assert "could not be matched on target counts" in rows[s]  # the tooltip
    assert "flag-warn" not in rows["bone_marrow"]
    assert "For 2 sets (" in summary
    assert "empirical p-values may be too small; or the match is not exact" in summary
    focus = _section(index, "focus")
    assert (
        'href="adipose.html#matching"' in focus and 'href="umbilical_cord.html#matching"' in focus
    )
    assert 'href="bone_marrow.html#matching"' not in focus
