"""The focus heatmap: the focus-family statistic when it exists, an effect size, one unit."""

from __future__ import annotations

import numpy as np

from exomir import report as rp
from exomir.report._derive import effect_sizes, focus_statistic


def _with_focus_family(frame):
    """The enrichment table as issue 9 writes it: fdr_focus on focus terms, z_emp, fdr_all."""
    focus = frame["focus"] != ""
    out = frame.assign(
        fdr_focus=np.where(focus, 0.01, np.nan),
        z_emp=np.where(focus, 3.25, 0.0),
        fdr_all=frame["fdr_emp"],
        p_method="exceedances",
    )
    return out


def test_statistic_falls_back_and_says_which(inputs):
    frame = rp.normalise_enrichment(inputs["enrichment"]["adipose"], "adipose")
    assert focus_statistic(frame) == ("fdr_emp", "empirical FDR")
    effect, kind = effect_sizes(frame)
    assert kind == "z"  # computed from overlap, null mean and SD
    row = frame.iloc[0]
    assert effect.iloc[0] == (row["overlap"] - row["null_mean"]) / row["null_sd"]
    newer = rp.normalise_enrichment(_with_focus_family(inputs["enrichment"]["adipose"]), "adipose")
    assert focus_statistic(newer) == ("fdr_focus", "focus-family FDR")
    assert effect_sizes(newer)[1] == "z_emp"
    ora = frame.assign(fdr_emp=np.nan, p_emp=np.nan)
    assert focus_statistic(ora) == ("fdr_ora", "ORA FDR")


def test_focus_rows_carry_the_statistic_and_effect(inputs):
    frame = rp.normalise_enrichment(_with_focus_family(inputs["enrichment"]["adipose"]), "adipose")
    rows = rp.focus_rows(frame, inputs["focus"], fdr=0.05)
    tested = [r for r in rows if r["n_terms"]]
    assert tested and all(r["value"] == 0.01 and r["significant"] for r in tested)
    assert all(r["effect"] == 3.25 and r["statistic"] == "fdr_focus" for r in tested)


def test_heatmap_uses_one_statistic_for_all_sets(inputs, tmp_path):
    newer = dict(inputs["enrichment"])
    newer["adipose"] = _with_focus_family(newer["adipose"])
    rp.render_report(tmp_path / "mixed", **{**inputs, "enrichment": newer})
    index = (tmp_path / "mixed" / "index.html").read_text(encoding="utf-8")
    # not every set has the focus family: all cells fall back to the empirical FDR, and say so
    assert "<strong>empirical FDR</strong>" in index and "carry no focus-family FDR" in index
    every = {s: _with_focus_family(f) for s, f in inputs["enrichment"].items()}
    rp.render_report(tmp_path / "all", **{**inputs, "enrichment": every})
    index = (tmp_path / "all" / "index.html").read_text(encoding="utf-8")
    assert "<strong>focus-family FDR</strong>" in index
    assert "carry no focus-family FDR" not in index
    heatmap = index[index.index('id="focus-heatmap-') :]
    heatmap = heatmap[: heatmap.index("</svg>")]
    assert ">z = 3.2</text>" in heatmap or ">z = 3.3</text>" in heatmap
    assert "focus-family FDR" in heatmap and "log10" not in heatmap
    # the sentence that tells the two views apart
    assert "whether a pathway is <em>hit</em>" in index and "<em>direction</em>" in index
