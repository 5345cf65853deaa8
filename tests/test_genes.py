"""Tests of exomir.genes: the HGNC gene table and symbol harmonisation."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomir.errors import InputError, ReferenceFormatError
from exomir.genes import (
    GENE2REFSEQ_COLUMNS,
    GENE_COLUMNS,
    HARMONISE_COLUMNS,
    SymbolMap,
    protein_coding,
    read_gene2refseq,
    read_hgnc,
    read_hgnc_with_audit,
    refseq_coverage,
)


@pytest.fixture(scope="module")
def hgnc_path(data_dir: Path) -> Path:
    return data_dir / "genes" / "hgnc_complete_set.txt"


@pytest.fixture(scope="module")
def genes(hgnc_path: Path) -> pd.DataFrame:
    return read_hgnc(hgnc_path)


@pytest.fixture(scope="module")
def symbol_map(genes: pd.DataFrame) -> SymbolMap:
    return SymbolMap.from_genes(genes)


def _one(result: pd.DataFrame) -> dict[str, object]:
    assert len(result) == 1
    row = result.iloc[0]
    return {c: (None if pd.isna(row[c]) else row[c]) for c in result.columns}


def _gene_table(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """A minimal gene table: (symbol, prev_symbols, alias_symbols)."""
    return pd.DataFrame(rows, columns=["symbol", "prev_symbols", "alias_symbols"], dtype="str")


def _edit_fixture(hgnc_path: Path, tmp_path: Path, edit) -> Path:
    lines = hgnc_path.read_text().splitlines()
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:]]
    edit(header, rows)
    out = tmp_path / "hgnc_complete_set.txt"
    out.write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n")
    return out


# -- read_hgnc --------------------------------------------------------------------------------


def test_read_hgnc_columns_and_values(genes: pd.DataFrame) -> None:
    assert tuple(genes.columns) == GENE_COLUMNS
    assert len(genes) == 15  # 16 data rows, one withdrawn
    assert genes["symbol"].tolist() == sorted(genes["symbol"].tolist())
    pten = genes.set_index("symbol").loc["PTEN"]
    assert pten["hgnc_id"] == "HGNC:9588"
    assert pten["entrez_id"] == "5728"
    assert pten["locus_type"] == "gene with protein product"
    assert pten["alias_symbols"] == "MMAC1;PTEN1;TEP1"  # quoted "MMAC1|TEP1|PTEN1", sorted
    assert pten["prev_symbols"] == "BZS;MHAM"
    # refseq_accession NM_000314 and MANE NM_000314.8 collapse to one accession without version
    assert pten["refseq_accessions"] == "NM_000314"
    assert pten["ensembl_gene_id"] == "ENSG00000171862"
    akt1 = genes.set_index("symbol").loc["AKT1"]
    assert akt1["refseq_accessions"] == "NM_001382430;NM_005163"
    assert all(dtype == "str" for dtype in genes.dtypes)


def test_read_hgnc_keeps_only_approved(hgnc_path: Path, genes: pd.DataFrame) -> None:
    assert "CDKN2~withdrawn" not in set(genes["symbol"])
    genes_again, audit = read_hgnc_with_audit(hgnc_path)
    pd.testing.assert_frame_equal(genes_again, genes)
    assert audit["reason"].tolist() == ["status is not Approved"]
    assert audit["symbol"].tolist() == ["CDKN2~withdrawn"]
    assert audit["status"].tolist() == ["Entry Withdrawn"]


def test_read_hgnc_missing_values(genes: pd.DataFrame) -> None:
    linc = genes.set_index("symbol").loc["LINC09999"]
    assert pd.isna(linc["entrez_id"])
    assert pd.isna(linc["ensembl_gene_id"])
    assert linc["alias_symbols"] == ""
    assert linc["refseq_accessions"] == ""


def test_read_hgnc_gzip_gives_same_table(hgnc_path: Path, tmp_path: Path, genes) -> None:
    gz = tmp_path / "hgnc_complete_set.txt.gz"
    gz.write_bytes(gzip.compress(hgnc_path.read_bytes()))
    pd.testing.assert_frame_equal(read_hgnc(gz), genes)


def test_read_hgnc_entrez_written_as_float(hgnc_path: Path, tmp_path: Path) -> None:
    def edit(header, rows):
        col = header.index("entrez_id")
        for row in rows:
            if row[col]:
                row[col] += ".0"

    genes = read_hgnc(_edit_fixture(hgnc_path, tmp_path, edit))
    assert genes.set_index("symbol").loc["PTEN", "entrez_id"] == "5728"


def test_read_hgnc_missing_column(hgnc_path: Path, tmp_path: Path) -> None:
    def edit(header, rows):
        col = header.index("prev_symbol")
        for r in [header, *rows]:
            del r[col]

    path = _edit_fixture(hgnc_path, tmp_path, edit)
    with pytest.raises(ReferenceFormatError, match="prev_symbol") as err:
        read_hgnc(path)
    assert str(path) in str(err.value)


def test_read_hgnc_comma_separated(hgnc_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "hgnc.csv"
    path.write_text(hgnc_path.read_text().replace("\t", ","))
    with pytest.raises(ReferenceFormatError, match="comma-separated") as err:
        read_hgnc(path)
    assert str(path) in str(err.value)


def test_read_hgnc_no_approved_rows(hgnc_path: Path, tmp_path: Path) -> None:
    def edit(header, rows):
        col = header.index("status")
        for row in rows:
            row[col] = "Symbol Withdrawn"

    path = _edit_fixture(hgnc_path, tmp_path, edit)
    with pytest.raises(ReferenceFormatError, match="no row with status 'Approved'") as err:
        read_hgnc(path)
    assert str(path) in str(err.value) and "Symbol Withdrawn" in str(err.value)


def test_read_hgnc_duplicate_symbol(hgnc_path: Path, tmp_path: Path) -> None:
    def edit(header, rows):
        rows.append(list(rows[-1]))

    path = _edit_fixture(hgnc_path, tmp_path, edit)
    with pytest.raises(ReferenceFormatError, match="occurs on several lines") as err:
        read_hgnc(path)
    message = str(err.value)
    assert str(path) in message and "'LINC09999'" in message and "17, 18" in message


def test_read_hgnc_bad_hgnc_id(hgnc_path: Path, tmp_path: Path) -> None:
    def edit(header, rows):
        rows[2][header.index("hgnc_id")] = "30931"

    path = _edit_fixture(hgnc_path, tmp_path, edit)
    with pytest.raises(ReferenceFormatError, match="malformed HGNC ID") as err:
        read_hgnc(path)
    assert "line 4" in str(err.value) and "'30931'" in str(err.value)


def test_read_hgnc_bad_entrez(hgnc_path: Path, tmp_path: Path) -> None:
    def edit(header, rows):
        rows[0][header.index("entrez_id")] = "207;208"

    path = _edit_fixture(hgnc_path, tmp_path, edit)
    with pytest.raises(ReferenceFormatError, match="malformed Entrez Gene ID") as err:
        read_hgnc(path)
    assert "line 2" in str(err.value) and "'207;208'" in str(err.value)


def test_read_hgnc_empty_symbol(hgnc_path: Path, tmp_path: Path) -> None:
    def edit(header, rows):
        rows[1][header.index("symbol")] = ""

    path = _edit_fixture(hgnc_path, tmp_path, edit)
    with pytest.raises(ReferenceFormatError, match="without a symbol") as err:
        read_hgnc(path)
    assert "line 3" in str(err.value) and "HGNC:32017" in str(err.value)


def test_read_hgnc_empty_and_truncated(hgnc_path: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ReferenceFormatError, match="empty") as err:
        read_hgnc(empty)
    assert str(empty) in str(err.value)
    truncated = tmp_path / "hgnc_complete_set.txt.gz"
    truncated.write_bytes(gzip.compress(hgnc_path.read_bytes())[:-30])
    with pytest.raises(ReferenceFormatError, match="truncated or corrupt") as err:
        read_hgnc(truncated)
    assert str(truncated) in str(err.value)


def test_protein_coding(genes: pd.DataFrame) -> None:
    coding = protein_coding(genes)
    assert coding == sorted(coding)
    assert "PTEN" in coding and "C9orf72" in coding
    assert "MIR21" not in coding and "LINC09999" not in coding
    assert len(coding) == 13


def test_protein_coding_needs_locus_type() -> None:
    with pytest.raises(InputError, match="locus_type"):
        protein_coding(pd.DataFrame({"symbol": ["PTEN"]}))


# -- SymbolMap: the rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "symbol", "rule"),
    [
        ("PTEN", "PTEN", "approved"),
        ("MLL", "KMT2A", "previous"),  # previous symbol of KMT2A only
        ("FRAP1", "MTOR", "previous"),
        ("MMAC1", "PTEN", "alias"),
        ("HRX", "KMT2A", "alias"),
        ("TEP1", "TEP1", "approved"),  # also an alias of PTEN: approved wins
        ("5728", "PTEN", "entrez"),
        ("pten", "PTEN", "case"),
        ("Pten", "PTEN", "case"),
        ("C9ORF72", "C9orf72", "case"),  # upper-cased by many tools
        ("mll", "KMT2A", "case"),  # previous symbol, other case
        ("  EGFR\t", "EGFR", "approved"),  # surrounding whitespace
    ],
)
def test_harmonise_ok(symbol_map: SymbolMap, query: str, symbol: str, rule: str) -> None:
    row = _one(symbol_map.harmonise([query]))
    assert row == {
        "query": query,
        "symbol": symbol,
        "rule": rule,
        "status": "ok",
        "candidates": None,
    }


@pytest.mark.parametrize(
    ("query", "rule", "candidates"),
    [
        ("MLL4", "alias", "KMT2B;KMT2D"),  # alias of two genes
        ("ACSM2", "previous", "ACSM2A;ACSM2B"),  # previous symbol of two genes
        ("acsm2", "case", "ACSM2A;ACSM2B"),
    ],
)
def test_harmonise_ambiguous(symbol_map: SymbolMap, query: str, rule: str, candidates: str) -> None:
    row = _one(symbol_map.harmonise([query]))
    assert row["status"] == "ambiguous"
    assert row["symbol"] is None
    assert row["rule"] == rule
    assert row["candidates"] == candidates


@pytest.mark.parametrize("query", ["NOTAGENE", "", "mmac1", "999999999", "PTEN-1"])
def test_harmonise_unknown(symbol_map: SymbolMap, query: str) -> None:
    # 'mmac1': aliases are not matched case-insensitively
    row = _one(symbol_map.harmonise([query]))
    assert row == {
        "query": query,
        "symbol": None,
        "rule": None,
        "status": "unknown",
        "candidates": None,
    }


def test_harmonise_keeps_order_duplicates_and_missing(symbol_map: SymbolMap) -> None:
    queries = ["VEGF", "PTEN", None, "VEGF", np.nan, "MLL4", "PTEN"]
    result = symbol_map.harmonise(queries)
    assert tuple(result.columns) == HARMONISE_COLUMNS
    assert result["status"].tolist() == [
        "ok",
        "ok",
        "unknown",
        "ok",
        "unknown",
        "ambiguous",
        "ok",
    ]
    assert result["symbol"].tolist()[:2] == ["VEGFA", "PTEN"]
    assert result["query"].isna().tolist() == [False, False, True, False, True, False, False]


def test_harmonise_accepts_series_and_single_string(symbol_map: SymbolMap) -> None:
    assert symbol_map.harmonise(pd.Series(["EGFR"], index=[7]))["symbol"].tolist() == ["EGFR"]
    assert symbol_map.harmonise("EGFR")["symbol"].tolist() == ["EGFR"]
    assert symbol_map.harmonise([]).shape == (0, len(HARMONISE_COLUMNS))


def test_previous_of_one_gene_that_is_approved_elsewhere_is_approved() -> None:
    genes = _gene_table([("AAA", "BBB", ""), ("BBB", "", ""), ("CCC", "", "AAA;DDD")])
    m = SymbolMap.from_genes(genes)
    result = m.harmonise(["BBB", "AAA", "DDD"])
    assert result["symbol"].tolist() == ["BBB", "AAA", "CCC"]
    assert result["rule"].tolist() == ["approved", "approved", "alias"]


def test_unique_previous_beats_alias_of_another_gene() -> None:
    genes = _gene_table([("AAA", "OLD", ""), ("CCC", "", "OLD")])
    row = _one(SymbolMap.from_genes(genes).harmonise(["OLD"]))
    assert (row["symbol"], row["rule"], row["status"]) == ("AAA", "previous", "ok")


def test_ambiguous_previous_is_not_rescued_by_alias() -> None:
    # 'OLD' is the previous symbol of two genes and the alias of a third: ambiguous, and the
    # candidates list every gene the name refers to.
    genes = _gene_table([("AAA", "OLD", ""), ("BBB", "OLD", ""), ("CCC", "", "OLD")])
    row = _one(SymbolMap.from_genes(genes).harmonise(["OLD"]))
    assert row["status"] == "ambiguous"
    assert row["rule"] == "previous"
    assert row["candidates"] == "AAA;BBB;CCC"


def test_case_rules_follow_precedence_and_skip_aliases() -> None:
    # 'Abc1' folds to ABC1, the approved symbol of one gene and the alias 'aBC1' of another:
    # aliases are not case-folded, so it maps to the approved symbol.  'old' folds to the
    # previous symbol of two genes: ambiguous.  'bbb' matches only an alias: unknown.
    genes = _gene_table(
        [("ABC1", "", ""), ("XYZ", "OLD", "aBC1;BBB"), ("Q9orf1", "Old", ""), ("ZZZ", "", "")]
    )
    m = SymbolMap.from_genes(genes)
    result = m.harmonise(["Abc1", "aBC1", "Q9ORF1", "old", "OLD", "bbb"])
    assert result["status"].tolist() == ["ok", "ok", "ok", "ambiguous", "ok", "unknown"]
    assert result["symbol"].tolist()[:3] == ["ABC1", "XYZ", "Q9orf1"]
    assert result["rule"].tolist()[:5] == ["case", "alias", "case", "case", "previous"]
    assert result["candidates"].iloc[3] == "Q9orf1;XYZ"


def test_from_genes_needs_columns() -> None:
    with pytest.raises(InputError, match="alias_symbols") as err:
        SymbolMap.from_genes(pd.DataFrame({"symbol": ["A"], "prev_symbols": [""]}))
    assert "read_hgnc" in str(err.value)


def test_to_dict(symbol_map: SymbolMap) -> None:
    mapping = symbol_map.to_dict()
    assert mapping["MLL"] == "KMT2A" and mapping["PTEN"] == "PTEN"
    assert "MLL4" not in mapping


# -- Entrez and RefSeq ------------------------------------------------------------------------


def test_map_entrez(symbol_map: SymbolMap) -> None:
    result = symbol_map.map_entrez([5728, "1956", "7422.0", " 2475 ", "999999999", "PTEN", None])
    assert tuple(result.columns) == HARMONISE_COLUMNS
    assert result["symbol"].tolist()[:4] == ["PTEN", "EGFR", "VEGFA", "MTOR"]
    assert result["rule"].tolist()[:4] == ["entrez"] * 4
    assert result["status"].tolist() == ["ok"] * 4 + ["unknown"] * 3
    assert result["query"].tolist()[:2] == ["5728", "1956"]


@pytest.mark.parametrize(
    ("accession", "symbol"),
    [
        ("NM_000314.8", "PTEN"),  # MANE Select, versioned
        ("NM_000314", "PTEN"),
        ("nm_000314.6", "PTEN"),  # other version, lower case
        ("NM_005228.5", "EGFR"),
        ("NM_001382430.1", "AKT1"),  # only in mane_select
        ("NR_029493", "MIR21"),
    ],
)
def test_map_refseq(symbol_map: SymbolMap, accession: str, symbol: str) -> None:
    row = _one(symbol_map.map_refseq([accession]))
    assert (row["query"], row["symbol"], row["rule"], row["status"]) == (
        accession,
        symbol,
        "refseq",
        "ok",
    )


def test_map_refseq_unknown(symbol_map: SymbolMap) -> None:
    result = symbol_map.map_refseq(["NM_999999.1", "PTEN", ""])
    assert result["status"].tolist() == ["unknown"] * 3
    assert result["symbol"].isna().all()


def test_map_refseq_shared_accession_is_ambiguous() -> None:
    genes = _gene_table([("AAA", "", ""), ("BBB", "", "")])
    genes["refseq_accessions"] = ["NM_000001;NM_000002", "NM_000002"]
    row = _one(SymbolMap.from_genes(genes).map_refseq(["NM_000002.3"]))
    assert (row["status"], row["candidates"]) == ("ambiguous", "AAA;BBB")


def test_harmonise_half_a_million_queries(symbol_map: SymbolMap) -> None:
    """Half a million queries in one call (its speed: bench/names.py)."""
    rng = np.random.default_rng(7)
    pool = np.array(["PTEN", "mll", "MLL4", "5728", "HRX", "NOPE"] + [f"X{i}" for i in range(5000)])
    queries = rng.choice(pool, size=500_000)
    result = symbol_map.harmonise(queries)
    assert len(result) == 500_000
    expected = {"PTEN": "PTEN", "mll": "KMT2A", "5728": "PTEN", "HRX": "KMT2A"}
    got = result.loc[result["query"].isin(list(expected))].drop_duplicates("query")
    assert dict(zip(got["query"], got["symbol"], strict=True)) == expected


# -- real data --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_genes(reference_dir: Path) -> pd.DataFrame:
    return read_hgnc(reference_dir / "hgnc" / "hgnc_complete_set.txt.gz")


@pytest.mark.realdata
def test_real_hgnc(real_genes: pd.DataFrame) -> None:
    assert len(real_genes) > 40_000
    assert real_genes["symbol"].is_unique
    pten = real_genes.set_index("symbol").loc["PTEN"]
    assert pten["entrez_id"] == "5728"
    assert pten["hgnc_id"] == "HGNC:9588"
    assert "MMAC1" in pten["alias_symbols"].split(";")
    coding = protein_coding(real_genes)
    assert 19_000 < len(coding) < 20_500
    assert {"PTEN", "EGFR", "MTOR", "VEGFA"} <= set(coding)


@pytest.mark.realdata
def test_real_symbol_map(real_genes: pd.DataFrame) -> None:
    m = SymbolMap.from_genes(real_genes)
    result = m.harmonise(["PTEN", "MLL", "MLL4", "mtor", "SEPT9", "5728"]).set_index("query")
    assert result.loc["PTEN", "rule"] == "approved"
    assert (result.loc["MLL", "symbol"], result.loc["MLL", "rule"]) == ("KMT2A", "previous")
    assert result.loc["MLL4", "status"] == "ambiguous"
    assert set(result.loc["MLL4", "candidates"].split(";")) >= {"KMT2B", "KMT2D"}
    assert (result.loc["mtor", "symbol"], result.loc["mtor", "rule"]) == ("MTOR", "case")
    assert result.loc["SEPT9", "symbol"] == "SEPTIN9"
    assert result.loc["5728", "symbol"] == "PTEN"
    assert m.map_refseq(["NM_000314.8"])["symbol"].tolist() == ["PTEN"]
    # Every approved symbol maps to itself.
    every = m.harmonise(real_genes["symbol"])
    assert (every["symbol"] == real_genes["symbol"].reset_index(drop=True)).all()


@pytest.mark.realdata
def test_real_harmonise_half_a_million(real_genes: pd.DataFrame) -> None:
    m = SymbolMap.from_genes(real_genes)
    names = pd.concat(
        [
            real_genes["symbol"],
            real_genes["alias_symbols"].str.split(";").explode().replace("", None),
            real_genes["symbol"].str.lower(),
        ]
    ).dropna()
    queries = np.random.default_rng(1).choice(names.to_numpy(dtype=object), size=500_000)
    result = m.harmonise(queries)
    assert (result["status"] == "ok").mean() > 0.95


# ------------------------------------------------------------------------ gene2refseq (NCBI) --


@pytest.fixture(scope="module")
def transcripts(data_dir: Path) -> pd.DataFrame:
    return read_gene2refseq(data_dir / "genes" / "gene2refseq")


def test_gene2refseq_layout_of_the_fixture(data_dir: Path) -> None:
    header = (data_dir / "genes" / "gene2refseq").read_text().splitlines()[0].split("\t")
    assert header[:4] == list(GENE2REFSEQ_COLUMNS)
    assert len(header) == 16 and header[-1] == "Symbol"


def test_read_gene2refseq_keeps_human_rna_accessions(transcripts: pd.DataFrame) -> None:
    assert list(transcripts.columns) == ["refseq", "entrez_id"]
    pairs = set(zip(transcripts["refseq"], transcripts["entrez_id"], strict=True))
    assert ("NM_001304717", "5728") in pairs  # version dropped
    assert ("XM_047425140", "5728") in pairs  # predicted transcripts too
    assert not any(r == "-" for r, _ in pairs)  # genomic-only rows give no accession
    assert "NM_008960" not in set(transcripts["refseq"])  # mouse
    assert len(pairs) == len(transcripts)  # the repeated EGFR row once
    assert list(transcripts["refseq"]) == sorted(transcripts["refseq"])
    mouse = read_gene2refseq(Path(__file__).parent / "data" / "genes" / "gene2refseq", tax_id=10090)
    assert set(mouse["refseq"]) == {"NM_008960", "NM_177096"}


def test_read_gene2refseq_gzip_and_chunks_equal_plain(
    data_dir: Path, tmp_path: Path, transcripts: pd.DataFrame
) -> None:
    packed = tmp_path / "gene2refseq.gz"
    packed.write_bytes(gzip.compress((data_dir / "genes" / "gene2refseq").read_bytes()))
    pd.testing.assert_frame_equal(read_gene2refseq(packed), transcripts)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda t: t.replace("RNA_nucleotide_accession.version", "RNA"), r"line 1: .*lacks"),
        (lambda t: t.replace("9606\t5728\tMODEL", "9606\tPTEN\tMODEL"), r"line 9: .*not a number"),
        (lambda t: t.replace("9606\t", "9913\t"), r"no RNA accession of tax_id 9606"),
    ],
)
def test_read_gene2refseq_rejects(data_dir: Path, tmp_path: Path, edit, match: str) -> None:
    path = tmp_path / "gene2refseq"
    path.write_text(edit((data_dir / "genes" / "gene2refseq").read_text()))
    with pytest.raises(ReferenceFormatError, match=match):
        read_gene2refseq(path)


def test_read_gene2refseq_truncated_gzip(data_dir: Path, tmp_path: Path) -> None:
    packed = gzip.compress((data_dir / "genes" / "gene2refseq").read_bytes())
    path = tmp_path / "gene2refseq.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ReferenceFormatError, match="gene2refseq cannot be read"):
        read_gene2refseq(path)


def test_transcripts_map_every_refseq_of_a_gene(genes: pd.DataFrame, transcripts) -> None:
    queries = [
        "NM_000314.8",
        "NM_001304717.5",
        "NM_201282",
        "XM_047425140.1",
        "NR_999990.1",
        "NM_999999.1",
        "NM_123456.1",
    ]
    hgnc_only = SymbolMap.from_genes(genes).map_refseq(queries)
    assert hgnc_only["status"].tolist() == ["ok"] + ["unknown"] * 6
    both = SymbolMap.from_genes(genes, transcripts=transcripts).map_refseq(queries)
    assert both["symbol"].tolist()[:4] == ["PTEN", "PTEN", "EGFR", "PTEN"]
    assert both["status"].tolist() == ["ok"] * 4 + ["ambiguous", "unknown", "unknown"]
    assert both.loc[4, "candidates"] == "KMT2A;KMT2B"
    # NM_999999: a gene HGNC does not know; NM_123456: in neither table
    coverage = refseq_coverage(both, source="mirdb", transcripts=True)
    assert list(coverage.columns) == ["source", "kind", "value", "rows", "reason"]
    assert dict(zip(coverage["value"], coverage["rows"], strict=True)) == {
        "mapped accessions": 4,
        "ambiguous accessions": 1,
        "dropped accessions": 2,
    }
    assert set(coverage["kind"]) == {"refseq_coverage"}
