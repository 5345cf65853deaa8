"""Tests of exomir.target_sources: miRTarBase, TargetScan, miRDB, Enrichr libraries, pair tables."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from exomir.errors import ConfigError, InputError, ReferenceFormatError
from exomir.target_sources import (
    MIRTARBASE_ALIASES,
    MIRTARBASE_COLUMNS,
    collapse_mirtarbase,
    read_mirdb,
    read_mirna_library,
    read_mirtarbase,
    read_pairs,
    read_targetscan_context_scores,
    read_targetscan_family_info,
    read_targetscan_info,
    targetscan_edges,
)

RAW_COLUMNS = [
    "mirna_raw",
    "gene_raw",
    "mirtarbase_id",
    "entrez",
    "species_mirna",
    "species_target",
    "experiments",
    "support_type",
    "pmid",
]
CONTEXT = "Predicted_Targets_Context_Scores.default_predictions.txt"
INFO = "Predicted_Targets_Info.default_predictions.txt"


@pytest.fixture(scope="module")
def targets_dir(data_dir: Path) -> Path:
    return data_dir / "targets"


def _gzip_copy(src: Path, dest: Path) -> Path:
    dest.write_bytes(gzip.compress(src.read_bytes(), mtime=0))
    return dest


def _truncated_gzip(src: Path, dest: Path) -> Path:
    packed = gzip.compress(src.read_bytes(), mtime=0)
    dest.write_bytes(packed[: len(packed) // 2])
    return dest


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _rows(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, object]]:
    return {(r["mirna_raw"], r["gene_raw"]): r for r in frame.to_dict("records")}


# ------------------------------------------------------------------------------ miRTarBase --


def test_read_mirtarbase_csv(targets_dir: Path) -> None:
    raw = read_mirtarbase(targets_dir / "hsa_MTI.csv")
    assert list(raw.columns) == RAW_COLUMNS
    assert len(raw) == 16
    first = raw.iloc[0].to_dict()
    assert first == {
        "mirna_raw": "hsa-miR-21-5p",
        "gene_raw": "PTEN",
        "mirtarbase_id": "MIRT000002",
        "entrez": "5728",
        "species_mirna": "Homo sapiens",
        "species_target": "Homo sapiens",
        "experiments": "Luciferase reporter assay//Western blot//qRT-PCR",
        "support_type": "Functional MTI",
        "pmid": "17681183",
    }
    # a quoted field keeps its ';'
    assert raw.loc[1, "experiments"] == "Luciferase reporter assay;Western blot"


@pytest.mark.parametrize(
    ("species", "count", "names"),
    [
        ("hsa", 14, {"Homo sapiens"}),
        ("Homo sapiens", 14, {"Homo sapiens"}),
        ("mmu", 1, {"Mus musculus"}),
        ("rno", 1, {"Rattus norvegicus"}),
        (None, 16, {"Homo sapiens", "Mus musculus", "Rattus norvegicus"}),
    ],
)
def test_read_mirtarbase_species_filter(
    targets_dir: Path, species: str | None, count: int, names: set[str]
) -> None:
    raw = read_mirtarbase(targets_dir / "hsa_MTI.csv", species=species)
    assert len(raw) == count
    assert set(raw["species_mirna"]) == names
    assert list(raw.index) == list(range(count))


def test_read_mirtarbase_unknown_species_prefix(targets_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown miRBase species prefix \(value: 'xyz'\)"):
        read_mirtarbase(targets_dir / "hsa_MTI.csv", species="xyz")


def test_read_mirtarbase_gzip_equals_plain(targets_dir: Path, tmp_path: Path) -> None:
    plain = read_mirtarbase(targets_dir / "hsa_MTI.csv")
    packed = read_mirtarbase(_gzip_copy(targets_dir / "hsa_MTI.csv", tmp_path / "hsa_MTI.csv.gz"))
    pd.testing.assert_frame_equal(plain, packed)


def _xlsx_from_csv(csv_path: Path, dest: Path, *, drop: str | None = None) -> Path:
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    if drop is not None:
        frame = frame.drop(columns=[drop])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(frame.columns))
    for i, row in enumerate(frame.itertuples(index=False)):
        values: list[object] = list(row)
        for j, column in enumerate(frame.columns):
            if column in (*MIRTARBASE_ALIASES, "Target Gene (Entrez Gene ID)", "References (PMID)"):
                # spreadsheets store identifiers as numbers, sometimes as floats
                values[j] = float(values[j]) if i % 2 else int(values[j])
        sheet.append(values)
    workbook.save(dest)
    return dest


def test_read_mirtarbase_xlsx_equals_csv(targets_dir: Path, tmp_path: Path) -> None:
    csv = read_mirtarbase(targets_dir / "hsa_MTI.csv", species="hsa")
    # the file name says nothing: the format is recognised by its zip signature
    xlsx = read_mirtarbase(
        _xlsx_from_csv(targets_dir / "hsa_MTI.csv", tmp_path / "hsa_MTI.data"), species="hsa"
    )
    pd.testing.assert_frame_equal(csv, xlsx)


def test_read_mirtarbase_xlsx_missing_column(targets_dir: Path, tmp_path: Path) -> None:
    path = _xlsx_from_csv(
        targets_dir / "hsa_MTI.csv", tmp_path / "hsa_MTI.xlsx", drop="Support Type"
    )
    with pytest.raises(
        ReferenceFormatError, match=r"hsa_MTI.xlsx, line 1: .*lacks column\(s\) 'Support Type'"
    ):
        read_mirtarbase(path)


def test_read_mirtarbase_corrupt_xlsx(targets_dir: Path, tmp_path: Path) -> None:
    good = _xlsx_from_csv(targets_dir / "hsa_MTI.csv", tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "hsa_MTI.xlsx"
    path.write_bytes(good[: len(good) // 3])
    with pytest.raises(ReferenceFormatError, match=r"hsa_MTI.xlsx: not a readable XLSX workbook"):
        read_mirtarbase(path)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda t: t.replace(",Support Type,", ",Support,", 1),
            r"line 1: miRTarBase table lacks column\(s\) 'Support Type'",
        ),
        (
            lambda t: t.replace(",", "\t"),
            r"line 1: miRTarBase table is not comma-separated: its header looks tab-separated",
        ),
        (
            lambda t: t.replace("Functional MTI,18372920", "Functional,18372920"),
            r"line 5: unknown 'Support Type' \(value: 'Functional'\)",
        ),
        (
            lambda t: t.replace("MIRT000044,hsa-miR-21-5p,", "MIRT000044,,"),
            r"line 6: row has an empty 'mirna_raw'",
        ),
        (lambda t: "", r"file is empty"),
    ],
)
def test_read_mirtarbase_rejects_malformed_csv(
    targets_dir: Path, tmp_path: Path, edit, match: str
) -> None:
    path = _write(tmp_path / "hsa_MTI.csv", edit((targets_dir / "hsa_MTI.csv").read_text()))
    with pytest.raises(ReferenceFormatError, match=match) as info:
        read_mirtarbase(path)
    assert str(path) in str(info.value)


def test_read_mirtarbase_truncated_gzip(targets_dir: Path, tmp_path: Path) -> None:
    path = _truncated_gzip(targets_dir / "hsa_MTI.csv", tmp_path / "hsa_MTI.csv.gz")
    with pytest.raises(ReferenceFormatError, match=r"hsa_MTI.csv.gz: gzip data is truncated"):
        read_mirtarbase(path)


def test_mirtarbase_columns_constant_matches_official_header(targets_dir: Path) -> None:
    header = (targets_dir / "hsa_MTI.csv").read_text().splitlines()[0].split(",")
    assert list(MIRTARBASE_COLUMNS) == header


def test_collapse_mirtarbase_tiers_pmids_experiments(targets_dir: Path) -> None:
    edges = collapse_mirtarbase(read_mirtarbase(targets_dir / "hsa_MTI.csv", species="hsa"))
    assert list(edges.columns) == [
        "mirna_raw",
        "gene_raw",
        "tier",
        "n_pmids",
        "experiments",
        "n_records",
    ]
    rows = _rows(edges)
    # three records, one weak: strong wins; PMID 19956872 is counted once
    assert rows[("hsa-miR-21-5p", "PTEN")] == {
        "mirna_raw": "hsa-miR-21-5p",
        "gene_raw": "PTEN",
        "tier": "strong",
        "n_pmids": 2,
        "experiments": "Luciferase reporter assay;Microarray;Western blot;qRT-PCR",
        "n_records": 3,
    }
    assert rows[("hsa-miR-146b-5p", "EGFR")]["tier"] == "strong"
    assert (
        rows[("hsa-miR-146b-5p", "EGFR")]["experiments"]
        == "CLASH;Luciferase reporter assay;Western blot"
    )
    # ';'-separated experiments are split like '//'-separated ones
    assert rows[("hsa-let-7a-5p", "HMGA2")]["experiments"] == "Microarray;PAR-CLIP;Proteomics"
    assert rows[("hsa-let-7a-5p", "HMGA2")]["tier"] == "weak"
    assert rows[("hsa-let-7a-5p", "HMGA2")]["n_pmids"] == 2
    # non-functional records are removed before collapsing
    assert ("hsa-miR-21-5p", "ACTB") not in rows
    assert rows[("hsa-miR-16-5p", "CCND1")]["n_records"] == 1
    assert rows[("hsa-miR-16-5p", "CCND1")]["experiments"] == "HITS-CLIP"
    assert len(edges) == 8
    keys = list(zip(edges["mirna_raw"], edges["gene_raw"], strict=True))
    assert keys == sorted(keys)
    assert edges["n_pmids"].dtype == "int64" and edges["n_records"].dtype == "int64"


def test_collapse_mirtarbase_including_nonfunctional(targets_dir: Path) -> None:
    raw = read_mirtarbase(targets_dir / "hsa_MTI.csv", species="hsa")
    rows = _rows(collapse_mirtarbase(raw, include_nonfunctional=True))
    assert rows[("hsa-miR-21-5p", "ACTB")]["tier"] == "nonfunctional"
    # weak beats non-functional; the non-functional record is counted
    ccnd1 = rows[("hsa-miR-16-5p", "CCND1")]
    assert (ccnd1["tier"], ccnd1["n_records"], ccnd1["n_pmids"]) == ("weak", 2, 2)
    assert ccnd1["experiments"] == "HITS-CLIP;Luciferase reporter assay"
    assert len(rows) == 9


def test_collapse_mirtarbase_counts_several_pmids_in_a_cell() -> None:
    raw = pd.DataFrame(
        {
            "mirna_raw": ["hsa-miR-21-5p", "hsa-miR-21-5p"],
            "gene_raw": ["PTEN", "PTEN"],
            "experiments": ["Western blot", ""],
            "support_type": ["Functional MTI", "functional mti (weak)"],
            "pmid": ["17681183;19956872", "19956872, 20000001"],
        }
    )
    row = collapse_mirtarbase(raw).iloc[0]
    assert (row["tier"], row["n_pmids"], row["experiments"], row["n_records"]) == (
        "strong",
        3,
        "Western blot",
        2,
    )


def test_collapse_mirtarbase_unknown_support_type_and_empty_input() -> None:
    raw = pd.DataFrame(
        {
            "mirna_raw": ["hsa-miR-21-5p"],
            "gene_raw": ["PTEN"],
            "experiments": ["Western blot"],
            "support_type": ["Maybe"],
            "pmid": ["1"],
        }
    )
    with pytest.raises(InputError, match=r"unknown miRTarBase support type \(value: 'Maybe'\)"):
        collapse_mirtarbase(raw)
    only_nonfunctional = raw.assign(support_type="Non-Functional MTI")
    empty = collapse_mirtarbase(only_nonfunctional)
    assert empty.empty
    assert list(empty.columns) == [
        "mirna_raw",
        "gene_raw",
        "tier",
        "n_pmids",
        "experiments",
        "n_records",
    ]


# ------------------------------------------------------------------------------ TargetScan --


def _r_export(official: Path, dest: Path) -> Path:
    """The table as R's write.table writes it: quoted, space-separated, with row names."""
    frame = pd.read_csv(official, sep="\t", dtype=str)
    header = " ".join(
        f'"{c.replace(" ", ".").replace("+", ".").replace("?", ".")}"' for c in frame.columns
    )
    lines = [header]
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        cells = [f'"{i}"']
        for column, value in zip(frame.columns, row, strict=True):
            numeric = column in ("Species ID", "Family Conservation?")
            cells.append(value if numeric else f'"{value}"')
        lines.append(" ".join(cells))
    dest.write_text("\n".join(lines) + "\n")
    return dest


def test_read_targetscan_family_info(targets_dir: Path, tmp_path: Path) -> None:
    family = read_targetscan_family_info(targets_dir / "miR_Family_Info.txt")
    assert list(family.columns) == [
        "family",
        "seed_m8",
        "species_id",
        "mirna_raw",
        "sequence",
        "family_conservation",
        "accession",
    ]
    assert len(family) == 8
    assert family["species_id"].dtype == "int64"
    assert family.loc[0].to_dict() == {
        "family": "let-7-5p/98-5p",
        "seed_m8": "GAGGUAG",
        "species_id": 9606,
        "mirna_raw": "hsa-let-7a-5p",
        "sequence": "UGAGGUAGUAGGUUGUAUAGUU",
        "family_conservation": 2,
        "accession": "MIMAT0000062",
    }
    exported = read_targetscan_family_info(
        _r_export(targets_dir / "miR_Family_Info.txt", tmp_path / "Human_miR_Family_Info.txt")
    )
    pd.testing.assert_frame_equal(family, exported)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda t: t.replace("MiRBase ID\t", "miRNA\t", 1),
            r"line 1: TargetScan miR_Family_Info table lacks column\(s\) 'MiRBase ID'",
        ),
        (
            lambda t: t.replace("\t9606\thsa-miR-21-5p", "\thuman\thsa-miR-21-5p"),
            r"line 5: 'Species ID' is not a number \(value: 'human'\)",
        ),
        (lambda t: t.splitlines()[0] + "\n", r"TargetScan miR_Family_Info table has no rows"),
    ],
)
def test_read_targetscan_family_info_rejects_malformed(
    targets_dir: Path, tmp_path: Path, edit, match: str
) -> None:
    path = _write(
        tmp_path / "miR_Family_Info.txt", edit((targets_dir / "miR_Family_Info.txt").read_text())
    )
    with pytest.raises(ReferenceFormatError, match=match) as info:
        read_targetscan_family_info(path)
    assert str(path) in str(info.value)


def test_read_targetscan_context_scores(targets_dir: Path) -> None:
    sites = read_targetscan_context_scores(targets_dir / CONTEXT)
    assert list(sites.columns) == [
        "mirna_raw",
        "gene_raw",
        "gene_id",
        "transcript_id",
        "site_type",
        "utr_start",
        "utr_end",
        "context_score",
    ]
    assert len(sites) == 9  # the mouse row is dropped
    assert not sites["mirna_raw"].str.startswith("mmu-").any()
    assert sites["context_score"].dtype == "float64"
    assert sites["context_score"].isna().sum() == 2  # NULL
    assert sites.loc[0, "context_score"] == pytest.approx(-0.300)  # the weighted score
    mouse = read_targetscan_context_scores(targets_dir / CONTEXT, species_id=10090)
    assert mouse[["mirna_raw", "gene_raw"]].values.tolist() == [["mmu-miR-21a-5p", "PTEN"]]


def _release_80(text: str, *, renamed: bool) -> str:
    """The 8.0 spellings: an extra 'Predicted relative KD' column, optionally renamed headers."""
    lines = text.splitlines()
    out = [lines[0] + "\tPredicted relative KD"]
    out += [line + ("\tNULL" if i % 2 else "\t-2.118") for i, line in enumerate(lines[1:])]
    if renamed:
        out[0] = (
            out[0]
            .replace("Gene Tax ID", "Species ID")
            .replace("UTR_start", "UTR start")
            .replace("Site Type", "Site type")
        )
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("renamed", [False, True])
def test_read_targetscan_context_scores_release_80_headers(
    targets_dir: Path, tmp_path: Path, renamed: bool
) -> None:
    expected = read_targetscan_context_scores(targets_dir / CONTEXT)
    path = _write(
        tmp_path / CONTEXT, _release_80((targets_dir / CONTEXT).read_text(), renamed=renamed)
    )
    pd.testing.assert_frame_equal(read_targetscan_context_scores(path), expected)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda t: t.replace("\tweighted context++ score\t", "\tweighted score\t"),
            r"line 1: .*lacks column\(s\) 'weighted context\+\+ score'",
        ),
        (
            lambda t: t.replace("\t", ","),
            r"line 1: .*is not tab-separated: its header looks comma-separated",
        ),
        (
            lambda t: t.replace("-0.100\t51", "strong\t51"),
            r"line 11: 'weighted context\+\+ score' is not a number \(value: 'strong'\)",
        ),
        (
            lambda t: t.replace("\t9606\thsa-miR-146b-5p", "\tHomo sapiens\thsa-miR-146b-5p"),
            r"line 6: 'Gene Tax ID' is not a number",
        ),
        (lambda t: "\n", r"file is empty|has no rows"),
    ],
)
def test_read_targetscan_context_scores_rejects_malformed(
    targets_dir: Path, tmp_path: Path, edit, match: str
) -> None:
    path = _write(tmp_path / CONTEXT, edit((targets_dir / CONTEXT).read_text()))
    with pytest.raises(ReferenceFormatError, match=match) as info:
        read_targetscan_context_scores(path)
    assert str(path) in str(info.value)


def test_read_targetscan_context_scores_gzip(targets_dir: Path, tmp_path: Path) -> None:
    expected = read_targetscan_context_scores(targets_dir / CONTEXT)
    packed = _gzip_copy(targets_dir / CONTEXT, tmp_path / (CONTEXT + ".gz"))
    pd.testing.assert_frame_equal(read_targetscan_context_scores(packed), expected)
    truncated = _truncated_gzip(targets_dir / CONTEXT, tmp_path / "cut.txt.gz")
    with pytest.raises(ReferenceFormatError, match=r"cut.txt.gz: gzip data is truncated"):
        read_targetscan_context_scores(truncated)


def test_read_targetscan_info_expands_families(targets_dir: Path) -> None:
    family = read_targetscan_family_info(targets_dir / "miR_Family_Info.txt")
    sites = read_targetscan_info(targets_dir / INFO, family)
    assert list(sites.columns) == [
        "mirna_raw",
        "gene_raw",
        "family",
        "gene_id",
        "transcript_id",
        "utr_start",
        "utr_end",
        "pct",
    ]
    pairs = list(zip(sites["mirna_raw"], sites["gene_raw"], strict=True))
    assert pairs == [
        ("hsa-miR-21-5p", "PTEN"),
        ("hsa-let-7a-5p", "KRAS"),
        ("hsa-let-7b-5p", "KRAS"),
        ("hsa-miR-146a-5p", "EGFR"),
        ("hsa-miR-146b-5p", "EGFR"),
        ("hsa-miR-21-5p", "SPRY1"),
        ("hsa-miR-21-5p", "SPRY1"),
        ("hsa-miR-21-5p", "SPRY1"),
        # no human member: the family name is kept so that the name mapping reports it
        ("miR-7000-3p", "CAV1"),
    ]
    assert sites.loc[0, "pct"] == pytest.approx(0.91)
    assert math.isnan(sites.loc[8, "pct"])
    mouse = read_targetscan_info(targets_dir / INFO, family, species_id=10090)
    assert mouse[["mirna_raw", "gene_raw"]].values.tolist() == [["mmu-miR-21a-5p", "PTEN"]]


def test_read_targetscan_info_missing_column(targets_dir: Path, tmp_path: Path) -> None:
    family = read_targetscan_family_info(targets_dir / "miR_Family_Info.txt")
    text = (targets_dir / INFO).read_text().replace("\tTranscript ID\t", "\tTranscript\t", 1)
    path = _write(tmp_path / INFO, text)
    with pytest.raises(ReferenceFormatError, match=r"line 1: .*lacks column\(s\) 'Transcript ID'"):
        read_targetscan_info(path, family)


def test_targetscan_edges_from_context_scores_only(targets_dir: Path) -> None:
    edges = targetscan_edges(read_targetscan_context_scores(targets_dir / CONTEXT))
    assert list(edges.columns) == ["mirna_raw", "gene_raw", "context_score", "conserved", "n_sites"]
    rows = _rows(edges)
    # PTEN: sites summed per transcript (-0.30 + -0.25), the lowest transcript kept over -0.40
    assert rows[("hsa-miR-21-5p", "PTEN")]["context_score"] == pytest.approx(-0.55)
    assert rows[("hsa-miR-21-5p", "PTEN")]["n_sites"] == 2
    # a NULL site counts as a site and adds nothing; only-NULL sites give no score
    assert rows[("hsa-let-7a-5p", "KRAS")]["context_score"] == pytest.approx(-0.305)
    assert rows[("hsa-let-7a-5p", "KRAS")]["n_sites"] == 2
    assert math.isnan(rows[("hsa-let-7b-5p", "HMGA2")]["context_score"])
    # without site info or Pct, conservation is unknown
    assert edges["conserved"].isna().all()
    assert str(edges["conserved"].dtype) == "boolean"
    assert len(edges) == 6


def test_targetscan_edges_from_info_only(targets_dir: Path) -> None:
    family = read_targetscan_family_info(targets_dir / "miR_Family_Info.txt")
    edges = targetscan_edges(info=read_targetscan_info(targets_dir / INFO, family))
    rows = _rows(edges)
    assert edges["conserved"].all()
    assert edges["context_score"].isna().all()
    # SPRY1: 2 conserved sites on one transcript, 1 on another -> 2
    assert rows[("hsa-miR-21-5p", "SPRY1")]["n_sites"] == 2
    assert set(rows) == {
        ("hsa-let-7a-5p", "KRAS"),
        ("hsa-let-7b-5p", "KRAS"),
        ("hsa-miR-146a-5p", "EGFR"),
        ("hsa-miR-146b-5p", "EGFR"),
        ("hsa-miR-21-5p", "PTEN"),
        ("hsa-miR-21-5p", "SPRY1"),
        ("miR-7000-3p", "CAV1"),
    }


def test_targetscan_edges_from_both(targets_dir: Path) -> None:
    family = read_targetscan_family_info(targets_dir / "miR_Family_Info.txt")
    edges = targetscan_edges(
        read_targetscan_context_scores(targets_dir / CONTEXT),
        read_targetscan_info(targets_dir / INFO, family),
    )
    table = [
        (
            r["mirna_raw"],
            r["gene_raw"],
            None if math.isnan(r["context_score"]) else round(r["context_score"], 3),
            bool(r["conserved"]),
            r["n_sites"],
        )
        for r in edges.to_dict("records")
    ]
    assert table == [
        ("hsa-let-7a-5p", "KRAS", -0.305, True, 2),
        ("hsa-let-7b-5p", "HMGA2", None, False, 1),
        ("hsa-let-7b-5p", "KRAS", None, True, 1),
        ("hsa-miR-146a-5p", "EGFR", -0.199, True, 1),
        ("hsa-miR-146b-5p", "EGFR", -0.201, True, 1),
        ("hsa-miR-21-5p", "ACTB", -0.1, False, 1),
        ("hsa-miR-21-5p", "PTEN", -0.55, True, 2),
        ("hsa-miR-21-5p", "SPRY1", None, True, 2),
        ("miR-7000-3p", "CAV1", None, True, 1),
    ]
    assert edges["n_sites"].dtype == "int64"


def test_targetscan_edges_conserved_from_pct_column(targets_dir: Path, tmp_path: Path) -> None:
    lines = (targets_dir / CONTEXT).read_text().splitlines()
    lines[0] += "\tconserved branch length\tPct"
    for i in range(1, len(lines)):
        lines[i] += "\t2.31\t0.91" if i == 2 else "\t0.42\tNULL"
    path = _write(tmp_path / CONTEXT, "\n".join(lines) + "\n")
    sites = read_targetscan_context_scores(path)
    assert "pct" in sites.columns
    rows = _rows(targetscan_edges(sites))
    assert rows[("hsa-miR-21-5p", "PTEN")]["conserved"] is True
    assert rows[("hsa-miR-21-5p", "ACTB")]["conserved"] is False
    assert rows[("hsa-let-7a-5p", "KRAS")]["conserved"] is False


def test_targetscan_edges_needs_an_input() -> None:
    with pytest.raises(InputError, match="context\\+\\+ score table, the site info table, or both"):
        targetscan_edges()


# ----------------------------------------------------------------------------------- miRDB --


def test_read_mirdb(targets_dir: Path, tmp_path: Path) -> None:
    path = targets_dir / "miRDB_v6.0_prediction_result.txt"
    hsa = read_mirdb(path)
    assert list(hsa.columns) == ["mirna_raw", "refseq", "score"]
    assert len(hsa) == 6
    assert hsa.loc[0].to_dict() == {
        "mirna_raw": "hsa-miR-21-5p",
        "refseq": "NM_000314",
        "score": pytest.approx(95.3412131),
    }
    assert hsa["score"].dtype == "float64"
    assert len(read_mirdb(path, species=None)) == 8
    assert read_mirdb(path, species="mmu")["refseq"].tolist() == ["NM_008960"]
    packed = read_mirdb(_gzip_copy(path, tmp_path / "miRDB_v6.0_prediction_result.txt.gz"))
    pd.testing.assert_frame_equal(hsa, packed)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("hsa-miR-21-5p,NM_000314,95.3\n", r"line 1: miRDB prediction table is not tab-separated"),
        (
            "hsa-miR-21-5p\tNM_000314\n",
            r"line 1: miRDB prediction table has 2 tab-separated fields, expected 3",
        ),
        (
            "hsa-miR-21-5p\tNM_000314\t95.3\nhsa-miR-21-5p\tNM_014456\t99.8\nhsa-let-7a-5p\tNM_004985\thigh\n",
            r"line 3: 'score' is not a number \(value: 'high'\)",
        ),
        (
            "hsa-miR-21-5p\tNM_000314\t95.3\nhsa-miR-21-5p\tNM_014456\n",
            r"line 2: row has no 'score' field",
        ),
        ("", r"file is empty"),
    ],
)
def test_read_mirdb_rejects_malformed(tmp_path: Path, text: str, match: str) -> None:
    path = _write(tmp_path / "miRDB.txt", text)
    with pytest.raises(ReferenceFormatError, match=match) as info:
        read_mirdb(path)
    assert str(path) in str(info.value)


def test_read_mirdb_truncated_gzip(targets_dir: Path, tmp_path: Path) -> None:
    path = _truncated_gzip(
        targets_dir / "miRDB_v6.0_prediction_result.txt", tmp_path / "miRDB.txt.gz"
    )
    with pytest.raises(ReferenceFormatError, match=r"miRDB.txt.gz: gzip data is truncated"):
        read_mirdb(path)


# ------------------------------------------------------------------------ Enrichr libraries --


def test_read_mirna_library(targets_dir: Path, tmp_path: Path) -> None:
    path = targets_dir / "miRTarBase_2017_library.txt"
    edges = read_mirna_library(path, name="miRTarBase_2017")
    assert list(edges.columns) == ["mirna_raw", "gene_raw", "library"]
    assert set(edges["library"]) == {"miRTarBase_2017"}
    pairs = list(zip(edges["mirna_raw"], edges["gene_raw"], strict=True))
    assert pairs == sorted(set(pairs))  # sorted, the repeated PTEN collapsed
    assert len(pairs) == 11
    # ',1.0' weights are removed; trailing tabs give no empty gene
    assert ("hsa-miR-146b-5p", "EGFR") in pairs and ("hsa-miR-146b-5p", "TRAF6") in pairs
    assert "" not in set(edges["gene_raw"])
    hsa = read_mirna_library(path, name="miRTarBase_2017", species="hsa")
    assert len(hsa) == 9 and hsa["mirna_raw"].str.startswith("hsa-").all()
    packed = read_mirna_library(_gzip_copy(path, tmp_path / "lib.txt.gz"), name="miRTarBase_2017")
    pd.testing.assert_frame_equal(edges, packed)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("hsa-miR-21-5p\t\tPTEN\nhsa-miR-16-5p BCL2 CCND1\n", r"line 2: line is not tab-separated"),
        ("hsa-miR-21-5p\t\tPTEN\n\t\tBCL2\n", r"line 2: line has an empty term name"),
        ("\n \n", r"miRNA library has no lines"),
    ],
)
def test_read_mirna_library_rejects_malformed(tmp_path: Path, text: str, match: str) -> None:
    path = _write(tmp_path / "lib.txt", text)
    with pytest.raises(ReferenceFormatError, match=match) as info:
        read_mirna_library(path, name="lib")
    assert str(path) in str(info.value)


def test_read_mirna_library_truncated_gzip(targets_dir: Path, tmp_path: Path) -> None:
    path = _truncated_gzip(targets_dir / "miRTarBase_2017_library.txt", tmp_path / "lib.txt.gz")
    with pytest.raises(ReferenceFormatError, match=r"lib.txt.gz: gzip data is truncated"):
        read_mirna_library(path, name="lib")


# ----------------------------------------------------------------------------- pair tables --


def test_read_pairs_tab_and_comma(targets_dir: Path, tmp_path: Path) -> None:
    path = targets_dir / "TargetScan7.0_pairs.tsv"
    pairs = read_pairs(path, name="TargetScan_7.0")
    assert list(pairs.columns) == ["mirna_raw", "gene_raw", "library"]
    assert pairs[["mirna_raw", "gene_raw"]].values.tolist() == [
        ["hsa-let-7a-5p", "HMGA2"],
        ["hsa-let-7a-5p", "KRAS"],
        ["hsa-miR-146b-5p", "EGFR"],
        ["hsa-miR-21-5p", "PDCD4"],
        ["hsa-miR-21-5p", "PTEN"],
    ]
    assert set(pairs["library"]) == {"TargetScan_7.0"}
    comma = _write(tmp_path / "pairs.csv", path.read_text().replace("\t", ","))
    pd.testing.assert_frame_equal(read_pairs(comma, name="TargetScan_7.0"), pairs)
    packed = _gzip_copy(path, tmp_path / "pairs.tsv.gz")
    pd.testing.assert_frame_equal(read_pairs(packed, name="TargetScan_7.0"), pairs)


def test_read_pairs_named_columns(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "pairs.tsv",
        "gene\tscore\tmirna\nPTEN\t0.9\thsa-miR-21-5p\nEGFR\t0.4\thsa-miR-146b-5p\n",
    )
    pairs = read_pairs(path, name="custom", mirna_column="mirna", gene_column="gene")
    assert pairs[["mirna_raw", "gene_raw"]].values.tolist() == [
        ["hsa-miR-146b-5p", "EGFR"],
        ["hsa-miR-21-5p", "PTEN"],
    ]


@pytest.mark.parametrize(
    ("text", "kwargs", "match"),
    [
        (
            "miRNA\tgene\nhsa-miR-21-5p\tPTEN\n",
            {"mirna_column": "mirna"},
            r"line 1: miRNA-gene pair table lacks column\(s\) 'mirna'",
        ),
        (
            "miRNA;gene\nhsa-miR-21-5p;PTEN\n",
            {},
            r"line 1: miRNA-gene pair table header is neither tab- nor comma-separated",
        ),
        (
            "miRNA\tgene\nhsa-miR-21-5p\tPTEN\nhsa-miR-16-5p\t\n",
            {},
            r"line 3: row has an empty 'gene_raw'",
        ),
        ("", {}, r"file is empty"),
    ],
)
def test_read_pairs_rejects_malformed(
    tmp_path: Path, text: str, kwargs: dict[str, str], match: str
) -> None:
    path = _write(tmp_path / "pairs.tsv", text)
    with pytest.raises(ReferenceFormatError, match=match) as info:
        read_pairs(path, name="x", **kwargs)
    assert str(path) in str(info.value)


def test_read_pairs_truncated_gzip(targets_dir: Path, tmp_path: Path) -> None:
    path = _truncated_gzip(targets_dir / "TargetScan7.0_pairs.tsv", tmp_path / "pairs.tsv.gz")
    with pytest.raises(ReferenceFormatError, match=r"pairs.tsv.gz: gzip data is truncated"):
        read_pairs(path, name="x")


# ------------------------------------------------------------------------------- real data --


@pytest.mark.realdata
def test_real_enrichr_mirtarbase_library(reference_dir: Path) -> None:
    edges = read_mirna_library(
        reference_dir / "mirtarbase" / "enrichr_miRTarBase_2017.txt.gz",
        name="miRTarBase_2017",
        species="hsa",
    )
    assert ((edges["mirna_raw"] == "hsa-miR-21-5p") & (edges["gene_raw"] == "PTEN")).any()
    assert edges["mirna_raw"].str.startswith("hsa-").all()


@pytest.mark.realdata
def test_real_targetscan_70_pairs(reference_dir: Path) -> None:
    pairs = read_pairs(
        reference_dir / "targetscan" / "PTC_TScan_TargetScan7.0_hsa_pairs.tsv.gz",
        name="TargetScan_7.0",
    )
    assert len(pairs) == 221_276
    assert pairs["mirna_raw"].nunique() == 386
    assert pairs["gene_raw"].nunique() == 12_411


@pytest.mark.realdata
def test_real_targetscan_family_info_r_export(reference_dir: Path) -> None:
    family = read_targetscan_family_info(
        reference_dir / "targetscan" / "Human_miR_Family_Info_8.0.txt.gz"
    )
    assert len(family) == 2606
    assert set(family["species_id"]) == {9606}
    let7 = family[family["mirna_raw"] == "hsa-let-7a-5p"].iloc[0]
    assert (let7["family"], let7["accession"]) == ("let-7-5p/98-5p", "MIMAT0000062")


# --------------------------------------------------- miRTarBase 9.0/10.0 layout (Entrez ID) --


def test_read_mirtarbase_release_10_layout(targets_dir: Path) -> None:
    """Releases 9.0 and 10.0 write `Target Gene (Entrez ID)` and may write `hsa` for the species."""
    header = (targets_dir / "hsa_MTI_10.0.csv").read_text().splitlines()[0]
    assert "Target Gene (Entrez ID)" in header
    assert "Target Gene (Entrez Gene ID)" not in header
    raw = read_mirtarbase(targets_dir / "hsa_MTI_10.0.csv", species="hsa")
    assert list(raw.columns) == RAW_COLUMNS
    assert len(raw) == 5
    assert raw.loc[0, "entrez"] == "5728"
    assert set(raw["species_mirna"]) == {"Homo sapiens"}
    assert set(raw["species_target"]) == {"Homo sapiens"}
    mouse = read_mirtarbase(targets_dir / "hsa_MTI_10.0.csv", species="Mus musculus")
    assert list(mouse["gene_raw"]) == ["Pten"]
    assert mouse.loc[0, "species_mirna"] == "Mus musculus"


def test_release_10_layout_collapses_like_release_8(targets_dir: Path) -> None:
    new = collapse_mirtarbase(read_mirtarbase(targets_dir / "hsa_MTI_10.0.csv", species="hsa"))
    old = collapse_mirtarbase(read_mirtarbase(targets_dir / "hsa_MTI.csv", species="hsa"))
    pten_new = _rows(new)[("hsa-miR-21-5p", "PTEN")]
    pten_old = _rows(old)[("hsa-miR-21-5p", "PTEN")]
    assert pten_new["tier"] == pten_old["tier"] == "strong"


def test_read_mirtarbase_release_10_xlsx(targets_dir: Path, tmp_path: Path) -> None:
    csv = read_mirtarbase(targets_dir / "hsa_MTI_10.0.csv")
    xlsx = read_mirtarbase(_xlsx_from_csv(targets_dir / "hsa_MTI_10.0.csv", tmp_path / "a.xlsx"))
    pd.testing.assert_frame_equal(csv, xlsx)


def test_read_mirtarbase_without_any_entrez_column(targets_dir: Path, tmp_path: Path) -> None:
    text = (targets_dir / "hsa_MTI_10.0.csv").read_text()
    path = _write(tmp_path / "hsa_MTI.csv", text.replace("Target Gene (Entrez ID)", "Entrez"))
    with pytest.raises(ReferenceFormatError, match=r"lacks column\(s\) 'Target Gene \(Entrez"):
        read_mirtarbase(path)
