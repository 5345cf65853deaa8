"""The weighted GSEA prerank of a set's target genes (exomir._prerank, public in
exomir.abundance).

Fixtures (tests/data/abundance/, synthetic): ``targets.tsv`` and ``gene_sets.tsv`` are a set's
target table and two small libraries in the result layouts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from exomir import abundance as ab
from exomir._io import read_tsv
from exomir.config import with_defaults
from exomir.errors import ConfigError, InputError
from exomir.tables import PRERANK, PRERANK_SCORES

DATA = Path(__file__).parent / "data" / "abundance"


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return read_tsv(DATA / "targets.tsv")


@pytest.fixture(scope="module")
def gene_sets() -> pd.DataFrame:
    return read_tsv(DATA / "gene_sets.tsv", strings=True)


def test_target_scores_weigh_abundance_and_confidence(targets):
    scores = ab.target_scores(targets, path=DATA / "targets.tsv")
    assert list(scores.columns) == list(PRERANK_SCORES.columns)
    by_gene = scores.set_index("gene")
    # weights 600, 300, 100 -> shares 0.6, 0.3, 0.1
    assert by_gene.loc["PTEN", "score"] == pytest.approx(0.6 * 0.9)
    assert by_gene.loc["TRAF6", "score"] == pytest.approx(0.3 * 0.9 + 0.1 * 0.25)
    assert by_gene.loc["TRAF6", "n_mirnas"] == 2
    assert by_gene.loc["TRAF6", "mirnas"] == "hsa-let-7a-5p;hsa-miR-146b-5p"
    assert scores["set"].unique().tolist() == ["bone_marrow"]
    assert scores["score"].tolist() == sorted(scores["score"], reverse=True)
    # PTEN and PDCD4 tie (0.54): symbol order
    genes = scores["gene"].tolist()
    assert genes.index("PDCD4") + 1 == genes.index("PTEN")
    # scaling every weight leaves the normalised scores unchanged
    scaled = ab.target_scores(targets.assign(weight=targets["weight"] * 7))
    pd.testing.assert_frame_equal(scaled, scores)


def test_target_score_errors_name_the_table(targets, tmp_path):
    path = tmp_path / "bone_marrow.tsv"
    bad = targets.astype({"confidence": "object"})
    bad.loc[3, "confidence"] = "high"
    with pytest.raises(InputError, match=r"bone_marrow.tsv, line 5: confidence must be .*'high'"):
        ab.target_scores(bad, path=path)
    with pytest.raises(
        InputError, match=r"bone_marrow.tsv: target table lacks column\(s\) 'weight'"
    ):
        ab.target_scores(targets.drop(columns="weight"), path=path)
    with pytest.raises(InputError, match="all have weight 0"):
        ab.target_scores(targets.assign(weight=0.0), path=path)
    with pytest.raises(InputError, match="has no target edges"):
        ab.target_scores(targets.iloc[:0], set_name="empty", path=path)


def test_ranking_puts_untargeted_genes_last_in_symbol_order():
    scores = pd.DataFrame({"gene": ["B", "A", "C"], "score": [0.5, 0.5, 0.9]})
    ranked = ab.ranking(scores, ["Z", "D", "A", ""])
    assert list(ranked.index) == ["C", "A", "B", "D", "Z"]
    assert ranked.tolist() == [0.9, 0.5, 0.5, 0.0, 0.0]


def _universe(gene_sets: pd.DataFrame) -> list[str]:
    return sorted(set(gene_sets["gene"]))


def test_prerank_columns_and_directions(targets, gene_sets):
    scores = ab.target_scores(targets)
    table = ab.prerank(
        scores,
        gene_sets,
        _universe(gene_sets),
        set_name="bone_marrow",
        permutations=200,
        seed=3,
        min_size=5,
        max_size=50,
    )
    assert list(table.columns) == list(PRERANK.columns)
    assert table["set"].unique().tolist() == ["bone_marrow"]
    # the term with two genes is below min_size; every other term is tested once
    assert "hsa00000" not in set(table["term_id"])
    assert len(table) == 6
    rows = table.set_index("term_id")
    nfkb = rows.loc["hsa04064"]
    assert nfkb["library"] == "kegg_mini" and nfkb["term"] == "NF-kappa B signaling pathway"
    assert nfkb["term_size"] == 10
    assert nfkb["es"] > 0.5 and nfkb["nes"] > 0
    # the leading edge holds targeted genes of the term, in rank order
    leading = nfkb["leading_genes"].split(";")
    assert leading[:3] == ["TRAF6", "IRAK1", "NFKB1"]
    assert nfkb["n_leading"] == len(leading)
    assert set(leading) <= set(scores["gene"])
    # the set targets no olfactory receptor: the term sits at the bottom of the ranking
    assert rows.loc["hsa04740", "es"] < 0
    for column in ("pval", "fdr", "fwer"):
        present = table[column].dropna()
        assert ((present >= 0) & (present <= 1)).all()
    assert table["pval"].tolist() == sorted(table["pval"].tolist())


def test_prerank_is_deterministic_across_processes_and_threads(targets, gene_sets, tmp_path):
    """Same seed, same bytes: in this process, and in a fresh one with another hash seed."""
    kwargs = {"set_name": "bone_marrow", "permutations": 100, "seed": 5, "min_size": 5}
    scores = ab.target_scores(targets)
    first = ab.prerank(scores, gene_sets, _universe(gene_sets), threads=1, **kwargs)
    second = ab.prerank(scores, gene_sets, _universe(gene_sets), threads=2, **kwargs)
    pd.testing.assert_frame_equal(first, second)
    code = (
        "import sys; from exomir import abundance as ab; from exomir._io import read_tsv, "
        "write_tsv; d = sys.argv[1]; g = read_tsv(d + '/gene_sets.tsv', strings=True); "
        "s = ab.target_scores(read_tsv(d + '/targets.tsv')); "
        "write_tsv(ab.prerank(s, g, sorted(set(g['gene'])), set_name='bone_marrow', "
        "permutations=100, seed=5, min_size=5), sys.argv[2])"
    )
    out = tmp_path / "other.tsv"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", code, str(DATA), str(out)], check=True, env=env, timeout=120
    )
    mine = tmp_path / "mine.tsv"
    from exomir._io import write_tsv

    write_tsv(first, mine)
    assert out.read_bytes() == mine.read_bytes()
    other_seed = ab.prerank(
        scores, gene_sets, _universe(gene_sets), **{**kwargs, "seed": 6, "permutations": 100}
    )
    assert not other_seed["pval"].equals(first["pval"]) or not other_seed["fdr"].equals(
        first["fdr"]
    )


def test_prerank_without_testable_terms_is_empty(targets, gene_sets):
    table = ab.prerank(
        ab.target_scores(targets),
        gene_sets,
        _universe(gene_sets),
        set_name="bone_marrow",
        permutations=10,
        min_size=40,
        max_size=50,
    )
    assert table.empty and list(table.columns) == list(PRERANK.columns)


def enrichment(**prerank: object) -> dict:
    """The default ``enrichment`` section with ``prerank`` keys set past the schema's checks."""
    section = with_defaults({}, "enrichment")
    section["prerank"].update(prerank)
    return section


def test_prerank_settings_from_config():
    settings = ab.PrerankSettings.from_config(
        with_defaults(
            {"min_size": 3, "max_size": 400, "prerank": {"run": True, "min_size": None}},
            "enrichment",
        )
    )
    assert (settings.run, settings.min_size, settings.max_size) == (True, 3, 400)
    assert settings.permutations == 1000 and settings.seed == 1
    default = ab.PrerankSettings.from_config(with_defaults({}, "enrichment"))
    assert default == ab.PrerankSettings() and default.run is False
    with pytest.raises(ConfigError, match=r"enrichment.prerank.permutations .* \(value: 0\)"):
        ab.PrerankSettings.from_config(enrichment(permutations=0))
    with pytest.raises(
        ConfigError, match=r"prerank\.min_size is larger than enrichment\.prerank\.max"
    ):
        ab.PrerankSettings.from_config(enrichment(min_size=50, max_size=10))
    with pytest.raises(ConfigError, match=r"enrichment lacks key\(s\) min_size, max_size"):
        ab.PrerankSettings.from_config({"prerank": {}})


@pytest.mark.realdata
def test_prerank_finds_a_planted_hallmark_on_real_libraries(reference_dir):
    """Targets planted in the Hypoxia hallmark come out on top against the real libraries."""
    import numpy as np

    from exomir.genesets import read_gmt

    hallmark = read_gmt(
        reference_dir / "gene_sets/enrichr/MSigDB_Hallmark_2020.txt.gz", library="Hallmark"
    )
    kegg = read_gmt(reference_dir / "gene_sets/enrichr/KEGG_2021_Human.txt.gz", library="KEGG")
    gene_sets = pd.concat([hallmark, kegg], ignore_index=True)
    universe = sorted(set(gene_sets["gene"]))
    hypoxia = sorted(set(hallmark.loc[hallmark["term"] == "Hypoxia", "gene"]))
    rng = np.random.default_rng(11)
    others = rng.choice(sorted(set(universe) - set(hypoxia)), 300, replace=False)
    targets = pd.DataFrame(
        {
            "set": "planted",
            "mirna": [f"hsa-miR-{i % 3}" for i in range(len(hypoxia))] + ["hsa-miR-9"] * 300,
            "gene": hypoxia + sorted(others),
            "weight": [1000.0] * len(hypoxia) + [100.0] * 300,
            "confidence": [0.9] * len(hypoxia) + [0.3] * 300,
        }
    )
    table = ab.prerank(
        ab.target_scores(targets),
        gene_sets,
        universe,
        set_name="planted",
        permutations=200,
        seed=1,
        min_size=15,
        max_size=500,
        threads=2,
    )
    assert set(table["library"]) == {"Hallmark", "KEGG"}
    top = table.iloc[0]
    assert (top["library"], top["term"]) == ("Hallmark", "Hypoxia")
    assert top["nes"] > 0 and top["fdr"] < 0.05
    assert set(top["leading_genes"].split(";")) <= set(hypoxia)
