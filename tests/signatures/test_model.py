"""Tests of exomir.signatures._model: the calls built from the curated tables, and their readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from exomir import signatures as sg
from exomir.errors import InputError


def test_model_calls_are_in_table_order(model):
    keys = [(c.kind, c.key) for c in model.calls]
    assert keys == [
        ("score", "pro_tumour"),
        ("score", "anti_tumour"),
        ("score", "regenerative"),
        ("score", "immunomodulatory"),
        ("lean", "tumour_lean"),
        ("pathway", "pi3k_akt"),
        ("pathway", "mtor"),
        ("process", "apoptosis"),
        ("process", "angiogenesis"),
    ]
    # wnt is a focus pathway without curated regulators: no call rather than an empty one.
    pi3k = model.find("pi3k_akt")
    assert dict(zip(pi3k.genes, pi3k.effects, strict=True)) == {
        "AKT1": -1,
        "EGFR": -1,
        "PIK3CA": -1,
        "PTEN": 1,
    }
    assert model.find("wnt") is None


def test_roles_of_both_signs_within_a_score_cancel(model, universe_edges, score):
    regenerative = model.find("regenerative")
    assert "HIF1A" not in regenerative.genes
    assert "THBS1" in regenerative.genes  # anti-angiogenic and pro-fibrotic: counted once
    assert regenerative.roles[regenerative.genes.index("THBS1")] == "anti_angiogenic;pro_fibrotic"
    edges = universe_edges({"hsa-miR-1-3p": {"HIF1A": 0.9, "THBS1": 0.5}})
    table = score(edges, {"hsa-miR-1-3p": 1.0}, model).table.set_index("key")
    assert table.at["regenerative", "score"] == pytest.approx(0.5)


def test_effect_matrix_holds_each_call_s_effects(model):
    genes = ["PTEN", "EGFR", "NOT_CURATED"]
    matrix = model.effect_matrix(genes)
    assert matrix.shape == (3, len(model.calls))
    keys = [c.key for c in model.calls]
    assert matrix[:, keys.index("pi3k_akt")].tolist() == [1, -1, 0]
    assert matrix[:, keys.index("pro_tumour")].tolist() == [1, 0, 0]
    assert matrix[2].tolist() == [0] * len(model.calls)


def test_file_checksums_name_each_curated_file(fixture_dir):
    sums = sg.file_checksums({"roles": fixture_dir / "gene_roles.tsv"})
    assert sums["roles"]["file"] == "gene_roles.tsv"
    assert len(sums["roles"]["sha256"]) == 64


# -- errors name the file, the line and the value ----------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


REG_HEADER = "process\tprocess_label\tgene\trole\tevidence\treference\tnote\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("pi3k_akt\tPI3K\tPTEN\trepressor\tgo\tGO:1\tx\n", "line 2: unknown regulator role"),
        ("PI3K\tPI3K\tPTEN\tinhibitor\tgo\tGO:1\tx\n", "line 2: process key must be lower case"),
        ("pi3k_akt\tPI3K\t\tinhibitor\tgo\tGO:1\tx\n", "line 2: empty gene"),
        (
            "pi3k_akt\tPI3K\tPTEN\tinhibitor\tgo\tGO:1\tx\npi3k_akt\tPI3K-Akt\tAKT1\tactivator\tgo\tGO:1\tx\n",
            "line 3: process 'pi3k_akt' has two labels",
        ),
        (
            "pi3k_akt\tPI3K\tPTEN\tinhibitor\tgo\tGO:1\tx\npi3k_akt\tPI3K\tPTEN\tactivator\tgo\tGO:1\tx\n",
            "line 3: PTEN is both inhibitor (line 2) and activator of pi3k_akt",
        ),
    ],
)
def test_bad_regulator_rows_are_named(tmp_path, body, message):
    path = write(tmp_path / "pathway_regulators.tsv", REG_HEADER + body)
    with pytest.raises(InputError) as error:
        sg.read_regulators(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("PTEN\tprotective\tGO:1\t\n", "line 2: unknown gene role (value: 'protective')"),
        ("BAX\tpro_apoptotic\tGO:1\t\nBAX\tanti_apoptotic\tGO:2\t\n", "line 3: BAX is both"),
    ],
)
def test_bad_gene_roles_are_named(tmp_path, body, message):
    path = write(tmp_path / "gene_roles.tsv", "gene\trole\treference\tnote\n" + body)
    with pytest.raises(InputError) as error:
        sg.read_gene_roles(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_a_missing_column_is_named(tmp_path):
    path = write(tmp_path / "gene_roles.tsv", "gene\tkind\treference\nPTEN\tts\tCGC\n")
    with pytest.raises(InputError, match=r"lacks column.*'role'") as error:
        sg.read_gene_roles(path)
    assert str(path) in str(error.value)
