"""Focus pathways: loading the curated YAML and flagging terms in result tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from exomir.errors import InputError
from exomir.focus import FocusPathway, flag_focus, load_focus_pathways

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def focus_dir(data_dir: Path) -> Path:
    return data_dir / "focus"


def test_load_focus_pathways(focus_dir):
    focus = load_focus_pathways(focus_dir / "focus_pathways.yaml")
    assert list(focus) == ["pi3k_akt", "mtor", "nfkb"]  # file order
    assert focus["pi3k_akt"] == FocusPathway(
        "pi3k_akt",
        "PTEN / PI3K-Akt",
        ("PI3K-Akt signaling pathway", "HALLMARK_PI3K_AKT_MTOR_SIGNALING", "R-HSA-6807070"),
    )
    assert focus["nfkb"].label == "NF-κB"  # UTF-8, extra keys ignored


def test_the_curated_file_loads():
    focus = load_focus_pathways(REPO / "resources" / "curated" / "focus_pathways.yaml")
    assert {"pi3k_akt", "nfkb", "mtor", "hif1", "wnt"} <= set(focus)
    assert all(p.terms for p in focus.values())


@pytest.mark.parametrize(
    ("name", "message", "value"),
    [
        ("bad_syntax.yaml", "not valid YAML", None),
        ("bad_list.yaml", "must be a mapping of focus keys", "'list'"),
        ("bad_entry.yaml", "focus pathway 'mtor' must be a mapping", "'mTOR signaling pathway'"),
        ("bad_no_label.yaml", "focus pathway 'wnt' has no text label", "label:"),
        ("bad_empty_terms.yaml", "focus pathway 'tgfb' needs a non-empty list of terms", "[]"),
        ("bad_number_term.yaml", "focus pathway 'hif1' has terms that are not text", "1234"),
        ("bad_duplicate_term.yaml", "lists the same term twice", "'mtor signaling pathway'"),
    ],
)
def test_bad_focus_files_name_the_file_and_the_problem(focus_dir, name, message, value):
    with pytest.raises(InputError, match=message) as err:
        load_focus_pathways(focus_dir / name)
    text = str(err.value)
    assert name in text
    if value is not None:
        assert value in text


def test_syntax_error_names_the_line(focus_dir):
    with pytest.raises(InputError) as err:
        load_focus_pathways(focus_dir / "bad_syntax.yaml")
    assert err.value.line == 5


def test_missing_or_empty_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_focus_pathways(tmp_path / "focus.yaml")
    blank = tmp_path / "blank.yaml"
    blank.write_text("# nothing yet\n")
    with pytest.raises(InputError, match="must be a mapping") as err:
        load_focus_pathways(blank)
    assert "blank.yaml" in str(err.value)


def test_flag_focus_matches_names_and_ids_ignoring_case(focus_dir):
    focus = load_focus_pathways(focus_dir / "focus_pathways.yaml")
    table = pd.DataFrame(
        {
            "term_id": [
                "hsa04151",
                "R-HSA-6807070",
                "HALLMARK_PI3K_AKT_MTOR_SIGNALING",
                "GO:0043123",
                "x",
            ],
            "term": [
                "pi3k-akt SIGNALING pathway",
                "PTEN Regulation",
                "HALLMARK_PI3K_AKT_MTOR_SIGNALING",
                "positive regulation of NF-kappaB signaling",
                "negative regulation of mTOR signaling pathway",
            ],
        },
        index=[10, 11, 12, 13, 14],
    )
    flags = flag_focus(table, focus)
    assert flags.index.tolist() == [10, 11, 12, 13, 14]
    assert flags.tolist() == ["pi3k_akt", "pi3k_akt", "mtor;pi3k_akt", "nfkb", ""]
    assert flag_focus(table, None).tolist() == [""] * 5
