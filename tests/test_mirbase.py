"""Tests of exomir.mirbase: mature.fa, aliases.txt, release history, and the merged tables."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from exomir.errors import ReferenceFormatError
from exomir.mirbase import (
    ALIAS_COLUMNS,
    AUDIT_COLUMNS,
    MATURE_COLUMNS,
    PRECURSOR_COLUMNS,
    build_mirbase,
    derive_precursor_links,
    read_aliases,
    read_history_table,
    read_mature_fasta,
    release_key,
)


@pytest.fixture(scope="module")
def mirbase_dir(data_dir: Path) -> Path:
    return data_dir / "mirbase"


def _gzip_copy(src: Path, dest: Path) -> Path:
    dest.write_bytes(gzip.compress(src.read_bytes(), mtime=0))
    return dest


def _links(frame: pd.DataFrame, accession: str) -> set[str]:
    return set(frame.loc[frame["mature_accession"] == accession, "precursor_name"])


# ------------------------------------------------------------------------------ mature.fa --


def test_read_mature_fasta_parses_headers_and_sequences(mirbase_dir: Path) -> None:
    mature = read_mature_fasta(mirbase_dir / "mature.fa")
    assert list(mature.columns) == list(MATURE_COLUMNS)
    assert len(mature) == 19
    row = mature.set_index("accession").loc["MIMAT0000076"]
    assert row["name"] == "hsa-miR-21-5p"
    assert row["species"] == "hsa"
    # the record is wrapped over two lines in the fixture
    assert row["sequence"] == "UAGCUUAUCAGACUGAUGUUGA"
    assert mature["accession"].iloc[0] == "MIMAT0000001"  # file order
    assert mature["species"].value_counts().to_dict() == {"hsa": 14, "mmu": 3, "cel": 1, "rno": 1}


def test_read_mature_fasta_gzip_equals_plain(mirbase_dir: Path, tmp_path: Path) -> None:
    plain = read_mature_fasta(mirbase_dir / "mature.fa")
    packed = read_mature_fasta(_gzip_copy(mirbase_dir / "mature.fa", tmp_path / "mature.fa.gz"))
    pd.testing.assert_frame_equal(plain, packed)


def test_read_mature_fasta_writes_rna_upper_case(tmp_path: Path) -> None:
    path = tmp_path / "mature.fa"
    path.write_text(">hsa-miR-21-5p MIMAT0000076 Homo sapiens miR-21-5p\ntagcttatcagactgatgttga\n")
    assert read_mature_fasta(path)["sequence"].tolist() == ["UAGCUUAUCAGACUGAUGUUGA"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("hsa-miR-21-5p MIMAT0000076\nUAGC\n", r"line 1: not a FASTA file"),
        (
            ">hsa-miR-21-5p MIMAT0000076 Homo sapiens miR-21-5p\nUAGC\n>hsa-miR-16-5p Homo sapiens\nUAGC\n",
            r"line 3: header has no MIMAT accession.*hsa-miR-16-5p Homo sapiens",
        ),
        (
            ">hsa-miR-21-5p MIMAT0000076 Homo sapiens\nUAGC\n>hsa-miR-21 MIMAT0000076 Homo sapiens\nUAGC\n",
            r"line 3: accession occurs twice \(first on line 1\).*MIMAT0000076",
        ),
        (">miR21 MIMAT0000076 Homo sapiens\nUAGC\n", r"line 1: miRNA name has no species prefix"),
        (
            ">hsa-miR-21-5p MIMAT0000076 Homo sapiens\n>hsa-miR-16-5p MIMAT0000069 x\nUAGC\n",
            r"line 1: record has no sequence",
        ),
        ("\n\n   \n", r"has no records"),
    ],
)
def test_read_mature_fasta_rejects_malformed_files(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "mature.fa"
    path.write_text(text)
    with pytest.raises(ReferenceFormatError, match=match) as info:
        read_mature_fasta(path)
    assert str(path) in str(info.value)


def test_read_mature_fasta_empty_and_truncated_files(mirbase_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.fa"
    empty.write_bytes(b"")
    with pytest.raises(ReferenceFormatError, match=r"empty\.fa: file is empty"):
        read_mature_fasta(empty)
    packed = gzip.compress((mirbase_dir / "mature.fa").read_bytes())
    truncated = tmp_path / "mature.fa.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ReferenceFormatError, match=r"mature\.fa\.gz: gzip data is truncated"):
        read_mature_fasta(truncated)
    with pytest.raises(ReferenceFormatError, match="file not found"):
        read_mature_fasta(tmp_path / "missing.fa")


# ---------------------------------------------------------------------------- aliases.txt --


def test_read_aliases_one_row_per_accession_and_name(mirbase_dir: Path) -> None:
    aliases = read_aliases(mirbase_dir / "aliases.txt")
    assert list(aliases.columns) == list(ALIAS_COLUMNS)
    assert set(aliases["source"]) == {"aliases.txt"}
    by_acc = aliases.groupby("accession")["alias"].apply(list).to_dict()
    assert by_acc["MIMAT0000076"] == ["hsa-miR-21", "hsa-miR-21-5p"]
    # hsa-miR-103 is listed twice on its line: kept once
    assert by_acc["MIMAT0000101"] == ["hsa-miR-103", "hsa-miR-103a", "hsa-miR-103a-3p"]
    # precursor rows are read (build_mirbase decides what to keep)
    assert by_acc["MI0000060"] == ["hsa-let-7a-1"]
    assert not aliases.duplicated(["accession", "alias"]).any()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("MIMAT0000076 hsa-miR-21;hsa-miR-21-5p;\n", r"line 1: line is not '<accession><TAB>"),
        (
            "MIMAT0000076\thsa-miR-21;\nhsa-miR-16\thsa-miR-16;\n",
            r"line 2: first field is not a miRBase accession.*hsa-miR-16",
        ),
        ("MIMAT0000076\thsa-miR-21;\nMIMAT0000069\t;;\n", r"line 2: line lists no names"),
        ("\n\n", r"aliases.txt has no rows"),
    ],
)
def test_read_aliases_rejects_malformed_lines(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "aliases.txt"
    path.write_text(text)
    with pytest.raises(ReferenceFormatError, match=match):
        read_aliases(path)


# -------------------------------------------------------------------------- history table --


def test_release_key_orders_releases_numerically() -> None:
    releases = ["22", "7.1", "10", "6", "10.1", "9.2"]
    assert sorted(releases, key=release_key) == ["6", "7.1", "9.2", "10", "10.1", "22"]


def test_read_history_table_full_layout(mirbase_dir: Path) -> None:
    aliases, precursors = read_history_table(mirbase_dir / "hsa_mature_history.tsv")
    assert list(aliases.columns) == list(ALIAS_COLUMNS)
    source = {(a, n): s for a, n, s in aliases.itertuples(index=False)}
    # earliest release, compared as numbers: release 6 before 10 and 17 (as strings "10" < "6")
    assert source[("MIMAT0000076", "hsa-miR-21")] == "history:6"
    assert source[("MIMAT0000076", "hsa-miR-21-5p")] == "history:18"
    # the 7.1 row comes after the release-10 rows in the file and is still the earliest
    assert source[("MIMAT0002809", "hsa-miR-146b")] == "history:7.1"
    assert source[("MIMAT0002809", "hsa-miR-146b-5p")] == "history:10"
    assert source[("MIMAT0004494", "hsa-miR-21*")] == "history:10"
    assert source[("MIMAT0005555", "hsa-miR-1974")] == "history:17"
    assert list(aliases.sort_values(["accession", "alias"]).index) == list(aliases.index)

    assert list(precursors.columns) == list(PRECURSOR_COLUMNS)
    links = set(precursors.itertuples(index=False, name=None))
    # only the latest release (22): the dead hsa-mir-1974 link of release 17 is not there
    assert ("MI0000077", "hsa-mir-21", "MIMAT0000076") in links
    assert ("MI0000061", "hsa-let-7a-2", "MIMAT0010195") in links
    assert not any(name == "hsa-mir-1974" for _, name, _ in links)
    assert len(links) == len(precursors) == 9


def test_read_history_table_minimal_layout(mirbase_dir: Path) -> None:
    aliases, precursors = read_history_table(mirbase_dir / "history_minimal.tsv")
    assert aliases.to_dict("records") == [
        {"accession": "MIMAT0000076", "alias": "hsa-miR-21", "source": "history:6"},
        {"accession": "MIMAT0000076", "alias": "hsa-miR-21-5p", "source": "history:18"},
        {"accession": "MIMAT0001631", "alias": "hsa-miR-451", "source": "history:9.2"},
        {"accession": "MIMAT0001631", "alias": "hsa-miR-451a", "source": "history:17"},
        {"accession": "MIMAT0002809", "alias": "hsa-miR-146b", "source": "history:7.1"},
        {"accession": "MIMAT0002809", "alias": "hsa-miR-146b-5p", "source": "history:10"},
    ]
    assert precursors.empty
    assert list(precursors.columns) == list(PRECURSOR_COLUMNS)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "accession\tversion\tname\nMIMAT0000076\t6\thsa-miR-21\n",
            r"line 1: release-history table has neither the columns",
        ),
        (
            "accession,release,name\nMIMAT0000076,6,hsa-miR-21\n",
            r"line 1: .*is not tab-separated: its header looks comma-separated",
        ),
        (
            "accession\trelease\tname\nMIMAT0000076\t6\thsa-miR-21\nMIMAT0000076\tv7\thsa-miR-21\n",
            r"line 3: release is not a version number.*'v7'",
        ),
        ("accession\trelease\tname\nMIMAT0000076\t6\t\n", r"line 2: row has an empty 'name'"),
        ("accession\trelease\tname\n", r"release-history table has no rows"),
    ],
)
def test_read_history_table_rejects_malformed_tables(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "history.tsv"
    path.write_text(text)
    with pytest.raises(ReferenceFormatError, match=match) as info:
        read_history_table(path)
    assert "history.tsv" in str(info.value)


# ------------------------------------------------------------------- precursors from names --


def test_derive_precursor_links_follows_the_naming_rules(mirbase_dir: Path) -> None:
    links = derive_precursor_links(read_mature_fasta(mirbase_dir / "mature.fa"))
    assert list(links.columns) == list(PRECURSOR_COLUMNS)
    assert set(links["precursor_accession"]) == {""}
    # single hairpin: both arms
    assert _links(links, "MIMAT0000076") == {"hsa-mir-21"}
    assert _links(links, "MIMAT0004494") == {"hsa-mir-21"}
    # numbered copy: the name says which hairpin
    assert _links(links, "MIMAT0037306") == {"hsa-mir-103a-1"}
    assert _links(links, "MIMAT0009196") == {"hsa-mir-103a-2"}
    # un-numbered arm of a multi-copy hairpin: every revealed copy
    assert _links(links, "MIMAT0000101") == {"hsa-mir-103a-1", "hsa-mir-103a-2"}
    # let-7a-2 has its own 3p name, so let-7a-3p comes from the other, unrevealed copies
    assert _links(links, "MIMAT0010195") == {"hsa-let-7a-2"}
    assert _links(links, "MIMAT0004481") == {"hsa-let-7a"}
    assert _links(links, "MIMAT0000062") == {"hsa-let-7a-2"}
    # arm-less names and other species
    assert _links(links, "MIMAT0001631") == {"hsa-mir-451a"}
    assert _links(links, "MIMAT0000165") == {"mmu-mir-155"}
    assert _links(links, "MIMAT0016993") == {"mmu-mir-155"}
    assert _links(links, "MIMAT0000001") == {"cel-let-7"}
    ordered = links.sort_values(["precursor_name", "mature_accession"], kind="stable")
    assert list(ordered.index) == list(links.index)


# ------------------------------------------------------------------------------ build step --


def test_build_mirbase_merges_sources_and_audits_drops(mirbase_dir: Path) -> None:
    tables = build_mirbase(
        mirbase_dir / "mature.fa",
        aliases_path=mirbase_dir / "aliases.txt",
        history_path=mirbase_dir / "hsa_mature_history.tsv",
    )
    assert list(tables.mature["accession"]) == sorted(tables.mature["accession"])

    aliases = tables.aliases
    assert list(aliases.columns) == list(ALIAS_COLUMNS)
    current = set(zip(tables.mature["accession"], tables.mature["name"], strict=True))
    assert not current & set(zip(aliases["accession"], aliases["alias"], strict=True))
    assert not aliases.duplicated(["accession", "alias"]).any()
    assert set(aliases["accession"]) <= set(tables.mature["accession"])
    source = {(a, n): s for a, n, s in aliases.itertuples(index=False)}
    # given by both files: the aliases.txt row is kept
    assert source[("MIMAT0000076", "hsa-miR-21")] == "aliases.txt"
    # only in the history table
    assert source[("MIMAT0004494", "hsa-miR-21*")] == "history:10"
    assert source[("MIMAT0002809", "hsa-miR-146b")] == "aliases.txt"
    assert source[("MIMAT0000062", "hsa-let-7a")] == "aliases.txt"
    assert list(aliases.sort_values(["accession", "alias"]).index) == list(aliases.index)

    audit = tables.audit
    assert list(audit.columns) == list(AUDIT_COLUMNS)
    reasons = {(f, i): r for f, i, _, r in audit.itertuples(index=False)}
    assert reasons[("aliases.txt", "MI0000060 hsa-let-7a-1")].startswith("precursor accession")
    assert reasons[("aliases.txt", "MIMAT0005555 hsa-miR-1974")].startswith(
        "mature accession not in mature.fa"
    )
    assert reasons[("aliases.txt", "MIMAT0000076 hsa-miR-21-5p")] == "alias equals the current name"
    assert reasons[("hsa_mature_history.tsv", "MIMAT0000076 hsa-miR-21")] == (
        "same accession and alias already in aliases.txt"
    )
    assert reasons[("hsa_mature_history.tsv", "hsa-mir-9999 MIMAT0099999")] == (
        "precursor link to a mature accession not in mature.fa"
    )
    assert set(audit["action"]) == {"dropped"}

    precursors = tables.precursors
    # human links from the history table, with accessions
    assert ("MI0000077", "hsa-mir-21", "MIMAT0000076") in set(
        precursors.itertuples(index=False, name=None)
    )
    assert _links(precursors, "MIMAT0000062") == {"hsa-let-7a-1", "hsa-let-7a-2"}
    # accessions the history does not cover get derived links (no precursor accession)
    derived = precursors[precursors["mature_accession"] == "MIMAT0000165"]
    assert derived[["precursor_accession", "precursor_name"]].values.tolist() == [
        ["", "mmu-mir-155"]
    ]
    assert _links(precursors, "MIMAT0000101") == {"hsa-mir-103a-1", "hsa-mir-103a-2"}
    assert set(precursors["mature_accession"]) == set(tables.mature["accession"])


def test_build_mirbase_with_mature_only(mirbase_dir: Path) -> None:
    tables = build_mirbase(mirbase_dir / "mature.fa")
    assert tables.aliases.empty and list(tables.aliases.columns) == list(ALIAS_COLUMNS)
    assert tables.audit.empty and list(tables.audit.columns) == list(AUDIT_COLUMNS)
    expected = derive_precursor_links(tables.mature)
    pd.testing.assert_frame_equal(tables.precursors, expected)


def test_build_mirbase_is_deterministic(mirbase_dir: Path) -> None:
    paths = {
        "aliases_path": mirbase_dir / "aliases.txt",
        "history_path": mirbase_dir / "hsa_mature_history.tsv",
    }
    first = build_mirbase(mirbase_dir / "mature.fa", **paths)
    second = build_mirbase(mirbase_dir / "mature.fa", **paths)
    for name in ("mature", "aliases", "precursors", "audit"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))


# ------------------------------------------------------------------------------- real data --


@pytest.mark.realdata
def test_real_mature_fa(reference_dir: Path) -> None:
    mature = read_mature_fasta(reference_dir / "mirbase" / "mature.fa.gz")
    assert (mature["species"] == "hsa").sum() == 2656
    names = mature.set_index("accession")["name"]
    assert names["MIMAT0000076"] == "hsa-miR-21-5p"
    assert mature["accession"].is_unique


@pytest.mark.realdata
def test_real_history_gives_former_names(reference_dir: Path) -> None:
    tables = build_mirbase(
        reference_dir / "mirbase" / "mature.fa.gz",
        history_path=reference_dir / "mirbase" / "hsa_mature_history_miRBase_v6-v22.tsv.gz",
    )
    pairs = set(zip(tables.aliases["alias"], tables.aliases["accession"], strict=True))
    assert ("hsa-miR-21", "MIMAT0000076") in pairs
    assert ("hsa-miR-146b", "MIMAT0002809") in pairs
    assert _links(tables.precursors, "MIMAT0000076") == {"hsa-mir-21"}
    # every human mature accession has at least one precursor link
    hsa = set(tables.mature.loc[tables.mature["species"] == "hsa", "accession"])
    assert hsa <= set(tables.precursors["mature_accession"])
