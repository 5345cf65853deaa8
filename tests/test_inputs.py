"""Inputs of the enrichment (exomir._inputs): edge pairs, gene-set libraries, name lists and
background genes, with errors that name the file and the missing column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from exomir.enrichment import (
    clean_edge_pairs,
    clean_gene_sets,
    protein_coding_genes,
    read_edge_pairs,
    read_gene_sets,
    read_name_list,
    read_set_mirnas,
)
from exomir.errors import ConfigError, InputError, ReferenceFormatError


@pytest.fixture
def files(data_dir: Path) -> Path:
    return data_dir / "enrichment"


def test_clean_edge_pairs_strips_dedupes_and_sorts():
    raw = pd.DataFrame(
        {
            "mirna": ["hsa-miR-21-5p ", "hsa-let-7a-5p", "hsa-miR-21-5p", None, "hsa-miR-1"],
            "gene": ["PTEN", "KRAS", "PTEN", "AKT1", ""],
            "confidence": [0.9, 0.5, 0.9, 0.1, 0.3],
        }
    )
    assert clean_edge_pairs(raw).to_dict("list") == {
        "mirna": ["hsa-let-7a-5p", "hsa-miR-21-5p"],
        "gene": ["KRAS", "PTEN"],
    }
    with pytest.raises(InputError, match="edge table lacks column\\(s\\) 'gene'") as err:
        clean_edge_pairs(raw.drop(columns="gene"), "all_edges.parquet")
    assert "all_edges.parquet" in str(err.value)


def test_protein_coding_genes_need_the_locus_group(tmp_path):
    table = pd.DataFrame(
        {"symbol": ["PTEN", "MIR21"], "locus_group": ["protein-coding gene", "non-coding RNA"]}
    )
    assert protein_coding_genes(table) == ["PTEN"]
    with pytest.raises(InputError, match="gene table lacks column\\(s\\) 'locus_group'"):
        protein_coding_genes(table.drop(columns="locus_group"), "genes.parquet")


def test_reference_files_raise_reference_format_errors(tmp_path):
    bad = tmp_path / "gene_sets.tsv"
    bad.write_text("library\tterm\tgene\nL\tt\tPTEN\n")
    with pytest.raises(ReferenceFormatError, match="lacks column\\(s\\) 'term_id'"):
        read_gene_sets(bad)


def test_readers_name_the_file_and_the_missing_column(tmp_path, files):
    bad = tmp_path / "edges.tsv"
    bad.write_text("microRNA\tgene\nhsa-miR-21-5p\tPTEN\n")
    with pytest.raises(InputError, match="edge table lacks column\\(s\\) 'mirna'") as err:
        read_edge_pairs(bad)
    assert "edges.tsv" in str(err.value)
    parquet = tmp_path / "gs.parquet"
    pd.DataFrame({"library": ["L"], "term": ["t"], "gene": ["PTEN"]}).to_parquet(parquet)
    with pytest.raises(InputError, match="lacks column\\(s\\) 'term_id'") as err:
        read_gene_sets([parquet])
    assert "gs.parquet" in str(err.value)
    with pytest.raises(InputError, match="edge table not found"):
        read_edge_pairs(tmp_path / "nope.parquet")
    with pytest.raises(InputError, match="no gene-set library given"):
        read_gene_sets([])
    good = tmp_path / "good.parquet"
    read_gene_sets(files / "gene_sets.tsv").to_parquet(good)
    assert len(read_gene_sets(good)) == 48
    names = read_name_list(files / "universe.txt", what="miRNA universe", key="k")
    assert names[0] == "hsa-miR-125b-5p" and len(names) == 5


def test_unreadable_inputs_name_the_file(tmp_path):
    broken = tmp_path / "all_edges.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match="edge table is not a readable Parquet file") as err:
        read_edge_pairs(broken)
    assert "all_edges.parquet" in str(err.value)
    csv = tmp_path / "targets.tsv"
    csv.write_text("mirna,gene\nhsa-miR-21-5p,PTEN\n")
    with pytest.raises(InputError, match="not tab-separated") as err:
        read_set_mirnas(csv)
    assert "targets.tsv" in str(err.value)
    truncated = tmp_path / "universe.txt.gz"
    truncated.write_bytes(b"\x1f\x8b\x08\x00\x00\x00")
    with pytest.raises(ConfigError, match="miRNA universe file cannot be read") as err:
        read_name_list(truncated, what="miRNA universe", key="enrichment.empirical.universe_file")
    assert "universe.txt.gz" in str(err.value) and "truncated or corrupt" in str(err.value)


def test_clean_gene_sets_strips_dedupes_and_keeps_first_name():
    raw = pd.DataFrame(
        {
            "library": ["L", "L", "L", "L", "L", None],
            "term_id": ["t1", "t1 ", "t1", "t2", "t2", "t3"],
            "term": ["first", "second", "first", "two", "two", "x"],
            "gene": ["A", "A", " B", "A", "", "C"],
        }
    )
    clean = clean_gene_sets(raw)
    with pytest.raises(InputError, match="gene-set table has no membership"):
        clean_gene_sets(raw.assign(gene=""), "gene_sets.parquet")
    assert clean.to_dict("list") == {
        "library": ["L", "L", "L"],
        "term_id": ["t1", "t1", "t2"],
        "term": ["first", "first", "two"],
        "gene": ["A", "B", "A"],
    }
