"""The headline: per set, the tumour lean, the calls, the pathways pushed and their edges."""

from __future__ import annotations

import pandas as pd

from exomir import report as rp
from exomir import signatures as sg
from exomir.report._headline import driving_edges, headline_rows, report_rows, tumour_lean


def _row(kind, key, label, score, direction, p, fdr, mean=0.0, sd=1.0, **extra):
    return {"set": "s", "kind": kind, "key": key, "label": label, "score": score,
            "direction": direction, "p_up": p, "p_down": 1 - p, "p_value": p, "fdr": fdr,
            "null_mean": mean, "null_sd": sd, "n_genes": 3, "n_edges": 4, "n_mirnas": 2,
            "drivers": "", **extra}  # fmt: skip


def _table(lean_row):
    return pd.DataFrame(
        [
            _row("score", "pro_tumour", "Pro-tumour", 3.0, "high", 0.01, 0.04),
            _row("score", "anti_tumour", "Anti-tumour", 2.5, "high", 0.02, 0.05),
            _row("score", "regenerative", "Regenerative", 0.2, "none", 0.4, 0.6),
            _row("score", "immunomodulatory", "Immunomodulatory", 2.2, "high", 0.03, 0.05),
            lean_row,
            _row("pathway", "mtor", "mTOR", -2.4, "down", 0.01, 0.04),
            _row("pathway", "nfkb", "NF-κB", 0.1, "none", 0.8, 0.9),
        ]
    )


def test_lean_is_derived_from_the_balance_row_until_a_lean_row_exists():
    balance = _row("balance", "tumour_balance", "Tumour balance", 1.0, "none", 0.6, 0.8, sd=2.0)
    lean = tumour_lean(_table(balance))
    assert lean.basis == "balance" and lean.direction == "none" and lean.push == "none"
    assert lean.effect == 0.5  # the balance's z: (1 - 0) / 2
    assert (lean.p, lean.fdr, lean.pro_z, lean.anti_z) == (0.6, 0.8, 3.0, 2.5)


def test_lean_row_is_used_when_present():
    row = _row("lean", "tumour_lean", "Tumour lean", 1.8, "pro_tumour", 0.004, 0.02, z=1.8)
    lean = tumour_lean(_table(row))
    assert lean.basis == "lean" and lean.effect == 1.8 and lean.push == "up"
    assert lean.word == "pro-tumour" and lean.key == "tumour_lean"
    rows = report_rows(_table(row))
    assert [r["key"] for r in rows][:3] == ["pro_tumour", "tumour_lean", "anti_tumour"]
    assert rows[1]["z"] == 1.8 and rows[1]["group"] == "Scores"  # its score is already a z


def test_pro_and_anti_tumour_never_stand_side_by_side_without_the_lean():
    balance = _row("balance", "tumour_balance", "Tumour balance", 1.0, "none", 0.6, 0.8)
    keys = [r["key"] for r in report_rows(_table(balance))]
    assert keys[:3] == ["pro_tumour", "tumour_balance", "anti_tumour"]
    assert report_rows(_table(balance))[1]["label"].startswith("Tumour lean")


def test_driving_edges_follow_the_direction_of_the_call():
    drivers = pd.DataFrame(
        {
            "key": ["mtor"] * 4 + ["nfkb"],
            "rank": [1, 2, 3, 4, 1],
            "mirna": ["m1", "m2", "m3", "m4", "m5"],
            "gene": ["RHEB", "TSC1", "DDIT4", "MTOR", "RELA"],
            "effect": ["up", "down", "down", "down", "up"],
        }
    )
    # mTOR is pushed down: its up-pushing edge (rank 1) is not what drives the call
    assert driving_edges(drivers, "mtor", "down") == [
        ("m2", "TSC1"),
        ("m3", "DDIT4"),
        ("m4", "MTOR"),
    ]
    assert driving_edges(drivers, "mtor", "down", limit=2) == [("m2", "TSC1"), ("m3", "DDIT4")]


def test_headline_is_first_and_grouped_by_msc_source(inputs, signature_outputs, tmp_path):
    sources = {"bone_marrow": "bone_marrow", "adipose": "adipose", "umbilical_cord": "adipose"}
    data = rp.build_report_data(
        **{k: v for k, v in inputs.items() if k not in ("msc_sources", "comparisons")},
        msc_sources=sources,
        signatures=signature_outputs(),
    )
    groups = headline_rows(data)
    assert [g for g, _ in groups] == ["bone_marrow", "adipose"]
    assert [r.set for r in groups[1][1]] == ["adipose", "umbilical_cord"]
    index = rp.render_pages(data)["index.html"]
    body = index[index.index("<main") :]
    assert body.index('id="headline"') < body.index('id="about"')
    table = index[index.index('id="headline-table"') :]
    table = table[: table.index("</table>")]
    assert "MSC source: adipose" in table and "Tumour lean" in table
    # the umbilical-cord set represses PTEN through miR-410: its edge is named in the headline
    assert 'miR-410-3p</span> → <span class="mono gene">PTEN' in table
    for s in inputs["sets"]:
        row = table[table.index(f'href="{s}.html#signatures"') :][:3000]
        assert "pro-tumour z" in row  # the two sides of the lean, never one without the other


def test_headline_says_so_without_signatures(pages):
    assert "The signature step was not part of this run" in pages["index.html"]


def test_report_rows_keep_every_call():
    table = _table(_row("balance", "tumour_balance", "Tumour balance", 1.0, "none", 0.6, 0.8))
    assert len(report_rows(table)) == len(sg.report_rows(table))
