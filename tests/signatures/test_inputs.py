"""Tests of exomir.signatures._inputs: the edge and target tables scoring reads."""

from __future__ import annotations

import pandas as pd
import pytest

from exomir import signatures as sg
from exomir.errors import InputError

EGFR_MTOR = {"hsa-miR-146b-5p": {"EGFR": 0.9}, "hsa-miR-100-5p": {"MTOR": 0.9}}


def test_scoring_edges_keep_the_highest_confidence_of_a_pair(tmp_path):
    edges = pd.DataFrame(
        {
            "mirna": [" hsa-miR-21-5p", "hsa-miR-21-5p", "hsa-miR-1-3p", ""],
            "gene": ["PTEN", "PTEN ", "BAX", "TP53"],
            "confidence": [0.4, 0.8, 0.5, 0.9],
            "sources": ["a", "b", "c", "d"],
        }
    )
    clean = sg.clean_scoring_edges(edges)
    assert clean.to_dict("list") == {
        "mirna": ["hsa-miR-1-3p", "hsa-miR-21-5p"],
        "gene": ["BAX", "PTEN"],
        "confidence": [0.5, 0.8],
    }
    path = tmp_path / "all_edges.parquet"
    edges.to_parquet(path, index=False)
    pd.testing.assert_frame_equal(sg.read_scoring_edges(path), clean)


def test_scoring_edges_need_a_confidence(tmp_path):
    # The enrichment's edge reader takes mirna and gene alone; scoring weighs every edge.
    path = tmp_path / "all_edges.tsv"
    path.write_text("mirna\tgene\nhsa-miR-21-5p\tPTEN\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"lacks column.*'confidence'") as error:
        sg.read_scoring_edges(path)
    assert str(path) in str(error.value)
    frame = pd.DataFrame({"mirna": ["hsa-miR-21-5p"], "gene": ["PTEN"]})
    with pytest.raises(InputError, match=r"edge table lacks column\(s\) 'confidence'"):
        sg.clean_scoring_edges(frame, path)
    bad = frame.assign(confidence=[1.2])
    with pytest.raises(InputError, match=r"'confidence'.*between 0 and 1"):
        sg.clean_scoring_edges(bad)


def test_normalise_weights_gives_mean_one():
    assert sg.normalise_weights({"a": 3.0, "b": 1.0}) == {"a": 1.5, "b": 0.5}
    assert sg.normalise_weights({}) == {}
    with pytest.raises(InputError, match="every miRNA of the set has weight 0"):
        sg.normalise_weights({"a": 0.0})


def test_target_weights_default_to_one(universe_edges, set_table):
    targets = set_table(universe_edges(EGFR_MTOR), {"hsa-miR-146b-5p": 4.0, "hsa-miR-100-5p": 2.0})
    targets["weight"] = targets["weight"].astype(object)
    targets.loc[0, "weight"] = ""
    checked = sg.check_set_targets(targets.drop(columns="input_name"), "query")
    assert checked["weight"].tolist() == [1.0, 2.0]
    assert checked["input_name"].tolist() == checked["mirna"].tolist()
    checked = sg.check_set_targets(targets.drop(columns="weight"), "query")
    assert checked["weight"].tolist() == [1.0, 1.0]
    with pytest.raises(InputError, match=r"target table lacks column\(s\) 'confidence'"):
        sg.check_set_targets(targets.drop(columns="confidence"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"confidence": "high"}, "line 2.*'confidence'.*value: 'high'"),
        ({"confidence": "1.5"}, "'confidence'.*between 0 and 1"),
        ({"set": "other"}, "line 2: the target table of set 'query' holds a row of another set"),
    ],
)
def test_bad_target_cells_are_named(tmp_path, universe_edges, set_table, change, message):
    edges = universe_edges(EGFR_MTOR)
    targets = set_table(edges, {"hsa-miR-146b-5p": 1.0, "hsa-miR-100-5p": 2.0}).astype(str)
    for column, value in change.items():
        targets.loc[0, column] = value
    path = tmp_path / "query.tsv"
    targets.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match=message) as error:
        sg.read_set_targets(path, "query")
    assert str(path) in str(error.value)


def test_two_weights_for_one_miRNA_and_all_zero_weights_are_refused(
    model, tmp_path, universe_edges, set_table, score
):
    edges = universe_edges({"hsa-miR-410-3p": {"PTEN": 0.9, "EGFR": 0.2}})
    targets = set_table(edges, {"hsa-miR-410-3p": 1.0})
    targets.loc[1, "weight"] = 2.0
    path = tmp_path / "query.tsv"
    targets.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match="hsa-miR-410-3p has more than one weight") as error:
        sg.read_set_targets(path)
    assert "line 2" in str(error.value)
    with pytest.raises(InputError, match="every miRNA of the set has weight 0"):
        score(edges, {"hsa-miR-410-3p": 0.0}, model)
