"""Parameters as readable tables: names, units, meanings; record lists as small tables."""

from __future__ import annotations

from exomir.report._params import format_parameter, grouped, parameter_rows

PARAMS = {
    "set": "bm",
    "k": 8,
    "fdr": 0.05,
    "background": {"kind": "targetable", "size": 14610, "per_library": {"GO_BP": 14322}},
    "empirical": {
        "null": "stratified:30",
        "n_random": 10000,
        "strata": [
            {"drawn": 1, "max_targets": 315, "min_targets": 262, "mirnas": 87},
            {"drawn": 2, "max_targets": 1279, "min_targets": 783, "mirnas": 85},
        ],
        "target_count_sum": {"null_mean": 9223.0, "set": 9951},
        "families": 0.5,
        "families_in_set": [{"in_set": "hsa-let-7a-5p + hsa-let-7c-5p", "family_size": 3}],
    },
    "terms": {"libraries": ["GO_BP", "KEGG"], "min_size": 10},
    "new_option": True,
}


def test_rows_have_labels_units_and_meanings():
    rows = {r["key"]: r for r in parameter_rows({"bm": PARAMS}, ["bm"])}
    assert rows["empirical.n_random"]["label"] == "Random miRNA sets"
    assert rows["empirical.n_random"]["cells"][0]["text"] == "10,000 sets"
    assert rows["background.size"]["cells"][0]["text"] == "14,610 genes"
    assert "target count" in rows["empirical.null"]["meaning"]
    assert rows["terms.libraries"]["cells"][0]["text"] == "GO_BP, KEGG"
    assert rows["background.per_library"]["cells"][0]["text"] == "GO_BP: 14,322 genes"
    assert rows["empirical.families"]["cells"][0]["text"] == "0.5"
    heads, body = rows["empirical.families_in_set"]["cells"][0]["table"]
    assert heads == ["in the set", "family size"]
    assert body == [["hsa-let-7a-5p + hsa-let-7c-5p", "3"]]
    assert rows["new_option"]["label"] == "New option"  # unknown keys are still shown
    assert rows["new_option"]["cells"][0]["text"] == "yes"
    assert "[{" not in repr([c["text"] for r in rows.values() for c in r["cells"]])


def test_strata_become_a_table_not_json():
    cell = format_parameter(PARAMS["empirical"]["strata"])
    heads, body = cell["table"]
    assert heads == ["fewest targets", "most targets", "miRNAs in bin", "drawn per random set"]
    assert body[0] == ["262", "315", "87", "1"]


def test_a_tilted_stratum_shows_its_theta_and_the_others_a_dash():
    strata = [
        {"min_targets": 103, "max_targets": 110, "mirnas": 83, "drawn": 4},
        {"min_targets": 1285, "max_targets": 3072, "mirnas": 85, "drawn": 2, "tilt": 5.1209},
    ]
    heads, body = format_parameter(strata)["table"]
    assert heads[-1] == "tilt (theta)"
    assert body == [["103", "110", "83", "4", "\u2013"], ["1,285", "3,072", "85", "2", "5.121"]]


def test_large_decimals_keep_their_thousands_separators():
    assert format_parameter(105536.8, "edges")["text"] == "105,537 edges"
    assert format_parameter(4526.2, "edges")["text"] == "4,526 edges"
    assert format_parameter(0.9974)["text"] == "0.9974"
    assert format_parameter(12.5, "genes")["text"] == "12.5 genes"


def test_every_key_of_a_real_run_has_a_label_and_a_repeated_key_is_shown_once():
    empirical = {
        "max_draws": 200000,
        "statistic": "mirna_sum",
        "statistic_choice": "mirna_sum (auto): the target-count strata match this set",
        "tail_fit": False,
        "extension": {"max_draws": 200000, "stream": "shuffled draws", "extended_terms": 1},
    }
    rows = {r["key"]: r for r in parameter_rows({"bm": {"empirical": empirical}}, ["bm"])}
    assert "empirical.extension.max_draws" not in rows
    assert rows["empirical.max_draws"]["cells"][0]["text"] == "200,000 sets"
    for key in ("statistic_choice", "tail_fit", "extension.stream"):
        assert rows[f"empirical.{key}"]["meaning"], key
    assert rows["empirical.extension.extended_terms"]["cells"][0]["text"] == "1 term"
    # Where the two differ, both are shown.
    other = {**empirical, "extension": {**empirical["extension"], "max_draws": 10000}}
    rows = {r["key"] for r in parameter_rows({"bm": {"empirical": other}}, ["bm"])}
    assert "empirical.extension.max_draws" in rows


def test_one_of_a_unit_is_singular():
    assert format_parameter(1, "terms")["text"] == "1 term"
    assert format_parameter(1, "miRNAs")["text"] == "1 miRNA"
    assert format_parameter(0, "terms")["text"] == "0 terms"
    assert format_parameter(1, "Jaccard")["text"] == "1 Jaccard"


def test_the_widest_stratum_reads_as_a_range_with_separators():
    params = {**PARAMS, "empirical": {"matching": {"widest_stratum_targets": [1285, 3072]}}}
    rows = {r["key"]: r for r in parameter_rows({"bm": params}, ["bm"])}
    cell = rows["empirical.matching.widest_stratum_targets"]["cells"][0]
    assert cell["text"] == "1,285\u20133,072 targets"
    # Without span, a list of numbers still keeps its separators; a pair that is not two
    # numbers is listed as it is.
    assert format_parameter([1285, 3072])["text"] == "1,285, 3,072"
    assert format_parameter(["a", "b"], "targets", span=True)["text"] == "a, b"
    assert format_parameter([True, 3], "targets", span=True)["text"] == "True, 3"


def test_rows_are_grouped_and_mark_differences_between_sets():
    other = {**PARAMS, "k": 5}
    rows = parameter_rows({"a": PARAMS, "b": other}, ["a", "b"])
    groups = [g for g, _ in grouped(rows)]
    assert groups[0] == "The set" and "Empirical null" in groups
    varies = {r["key"] for r in rows if r["varies"]}
    assert varies == {"k"}


def test_parameters_section_renders_tables(pages):
    page = pages["bone_marrow.html"]
    section = page[page.index('id="parameters-table"') :]
    section = section[: section.index("</table>\n</div>")]
    assert "Meaning" in section and 'class="group-head"' in section
    assert '{"' not in section and "[{" not in section


def test_matching_and_pvalue_origin_are_labelled_rows():
    empirical = {
        **PARAMS["empirical"],
        "p_method": {"exceedances": 30, "floor": 1},
        "matching": {"target_ratio": 1.634, "calibration_warning": None},
    }
    rows = {r["key"]: r for r in parameter_rows({"bm": {**PARAMS, "empirical": empirical}}, ["bm"])}
    assert rows["empirical.p_method"]["cells"][0]["text"] == "exceedances: 30; floor: 1"
    assert rows["empirical.matching.target_ratio"]["label"] == "Target ratio to random sets"
    assert rows["empirical.matching.calibration_warning"]["cells"][0]["text"] == "\u2013"


def test_record_tables_align_text_left_and_numbers_right():
    import re

    from exomir.report._render import _environment

    rows = parameter_rows({"bm": PARAMS}, ["bm"])
    html = (
        _environment()
        .get_template("section_parameters.html.j2")
        .render(groups=grouped(rows), sets=["bm"], set_page=True, config={})
    )
    families = html[html.index("empirical.<wbr>families_in_set") :]
    families = families[: families.index("</table>")]
    assert '<th scope="col" class="text">in the set</th>' in families
    assert '<td class="text">hsa-let-7a-5p + hsa-let-7c-5p</td><td class="num">3</td>' in families
    strata = html[html.index("empirical.<wbr>strata<") :]
    assert re.search(r'<td class="num">262</td><td class="num">315</td>', strata)
