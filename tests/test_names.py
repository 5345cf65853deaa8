"""Tests of exomir.names: miRNA name resolution, strict database mapping, audits."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pandas as pd
import pytest

from exomir import names as names_module
from exomir._io import read_tsv, write_tsv
from exomir.errors import ConfigError, InputError, ReferenceFormatError, UnresolvedNamesError
from exomir.mirbase import MirbaseTables, build_mirbase
from exomir.names import (
    DATABASE_NAME_COLUMNS,
    DUPLICATE_COLUMNS,
    RESOLUTION_COLUMNS,
    MirnaResolver,
    Resolution,
    check_resolutions,
    duplicates,
)

# -- fixture tables ------------------------------------------------------------------------------
# Small excerpts of the normalised miRBase 22 tables (docs/data-model.md), written by hand.

MATURE_ROWS = [
    # human
    ("MIMAT0000062", "hsa-let-7a-5p"),
    ("MIMAT0004481", "hsa-let-7a-3p"),
    ("MIMAT0000063", "hsa-let-7b-5p"),
    ("MIMAT0004482", "hsa-let-7b-3p"),
    ("MIMAT0000064", "hsa-let-7c-5p"),
    ("MIMAT0000065", "hsa-let-7d-5p"),
    ("MIMAT0000066", "hsa-let-7e-5p"),
    ("MIMAT0000067", "hsa-let-7f-5p"),
    ("MIMAT0000414", "hsa-let-7g-5p"),
    ("MIMAT0000415", "hsa-let-7i-5p"),
    ("MIMAT0000068", "hsa-miR-15a-5p"),
    ("MIMAT0004488", "hsa-miR-15a-3p"),
    ("MIMAT0000417", "hsa-miR-15b-5p"),
    ("MIMAT0004586", "hsa-miR-15b-3p"),
    ("MIMAT0000076", "hsa-miR-21-5p"),
    ("MIMAT0004494", "hsa-miR-21-3p"),
    ("MIMAT0000087", "hsa-miR-30a-5p"),
    ("MIMAT0000088", "hsa-miR-30a-3p"),
    ("MIMAT0000420", "hsa-miR-30b-5p"),
    ("MIMAT0000244", "hsa-miR-30c-5p"),
    ("MIMAT0000245", "hsa-miR-30d-5p"),
    ("MIMAT0000692", "hsa-miR-30e-5p"),
    ("MIMAT0004903", "hsa-miR-300"),
    ("MIMAT0000688", "hsa-miR-301a-3p"),
    ("MIMAT0000101", "hsa-miR-103a-3p"),
    ("MIMAT0037306", "hsa-miR-103a-1-5p"),
    ("MIMAT0009196", "hsa-miR-103a-2-5p"),
    ("MIMAT0000104", "hsa-miR-107"),
    ("MIMAT0002809", "hsa-miR-146b-5p"),
    ("MIMAT0004766", "hsa-miR-146b-3p"),
    ("MIMAT0000646", "hsa-miR-155-5p"),
    ("MIMAT0004658", "hsa-miR-155-3p"),
    ("MIMAT0000256", "hsa-miR-181a-5p"),
    ("MIMAT0000257", "hsa-miR-181b-5p"),
    ("MIMAT0000258", "hsa-miR-181c-5p"),
    ("MIMAT0002821", "hsa-miR-181d-5p"),
    ("MIMAT0000267", "hsa-miR-210-3p"),
    ("MIMAT0000278", "hsa-miR-221-3p"),
    ("MIMAT0004568", "hsa-miR-221-5p"),
    ("MIMAT0004692", "hsa-miR-340-5p"),
    ("MIMAT0000750", "hsa-miR-340-3p"),
    ("MIMAT0001631", "hsa-miR-451a"),
    # mouse
    ("MIMAT0000521", "mmu-let-7a-5p"),
    ("MIMAT0000522", "mmu-let-7b-5p"),
    ("MIMAT0000523", "mmu-let-7c-5p"),
    ("MIMAT0000524", "mmu-let-7d-5p"),
    ("MIMAT0000530", "mmu-miR-21a-5p"),
    ("MIMAT0004628", "mmu-miR-21a-3p"),
    ("MIMAT0017248", "mmu-miR-21b"),
    ("MIMAT0000165", "mmu-miR-155-5p"),
    ("MIMAT0016993", "mmu-miR-155-3p"),
    # rat
    ("MIMAT0000774", "rno-let-7a-5p"),
    ("MIMAT0000775", "rno-let-7b-5p"),
    ("MIMAT0000790", "rno-miR-21-5p"),
    ("MIMAT0004711", "rno-miR-21-3p"),
]

ALIAS_ROWS = [
    ("MIMAT0000062", "hsa-let-7a", "history:6"),
    ("MIMAT0000063", "hsa-let-7b", "history:6"),
    ("MIMAT0000076", "hsa-miR-21", "history:6"),
    ("MIMAT0004494", "hsa-miR-21*", "history:10"),
    ("MIMAT0000101", "hsa-miR-103", "history:6"),
    ("MIMAT0002809", "hsa-miR-146b", "history:7.1"),
    ("MIMAT0000646", "hsa-miR-155", "history:8"),
    ("MIMAT0000750", "hsa-miR-340", "history:6"),
    ("MIMAT0004692", "hsa-miR-340", "history:10"),
    ("MIMAT0001631", "hsa-miR-451", "history:8"),
    ("MIMAT0000076", "hsa-miR-21-5p", "history:18"),  # a current name: must be ignored
    ("MIMAT0000676", "hsa-miR-128b", "history:6"),  # an accession miRBase has removed
    ("MIMAT0000530", "mmu-miR-21", "history:6"),  # a mouse alias: not for hsa
    ("MIMAT0000790", "rno-miR-21", "history:6"),
]

PRECURSOR_ROWS = [
    ("MI0000060", "hsa-let-7a-1", "MIMAT0000062"),
    ("MI0000060", "hsa-let-7a-1", "MIMAT0004481"),
    ("MI0000063", "hsa-let-7b", "MIMAT0000063"),
    ("MI0000063", "hsa-let-7b", "MIMAT0004482"),
    ("MI0000077", "hsa-mir-21", "MIMAT0000076"),
    ("MI0000077", "hsa-mir-21", "MIMAT0004494"),
    ("MI0000109", "hsa-mir-103a-1", "MIMAT0000101"),
    ("MI0000109", "hsa-mir-103a-1", "MIMAT0037306"),
    ("MI0000108", "hsa-mir-103a-2", "MIMAT0000101"),
    ("MI0000108", "hsa-mir-103a-2", "MIMAT0009196"),
    ("MI0000114", "hsa-mir-107", "MIMAT0000104"),
    ("MI0000681", "hsa-mir-155", "MIMAT0000646"),
    ("MI0000681", "hsa-mir-155", "MIMAT0004658"),
    ("MI0001729", "hsa-mir-451a", "MIMAT0001631"),
    ("MI0000177", "mmu-mir-155", "MIMAT0000165"),
    ("MI0000177", "mmu-mir-155", "MIMAT0016993"),
    ("", "rno-mir-21", "MIMAT0000790"),  # derived from the names: no precursor accession
    ("", "rno-mir-21", "MIMAT0004711"),
]


def mature_table(rows: list[tuple[str, str]] = MATURE_ROWS) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "accession": [a for a, _ in rows],
            "name": [n for _, n in rows],
            "species": [n.split("-", 1)[0] for _, n in rows],
        }
    )


def alias_table(rows: list[tuple[str, str, str]] = ALIAS_ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["accession", "alias", "source"])


def precursor_table(rows: list[tuple[str, str, str]] = PRECURSOR_ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["precursor_accession", "precursor_name", "mature_accession"])


@pytest.fixture(scope="module")
def hsa() -> MirnaResolver:
    return MirnaResolver(mature_table(), alias_table(), precursor_table(), species="hsa")


@pytest.fixture(scope="module")
def mmu() -> MirnaResolver:
    return MirnaResolver(mature_table(), alias_table(), precursor_table(), species="mmu")


@pytest.fixture(scope="module")
def rno() -> MirnaResolver:
    return MirnaResolver(mature_table(), alias_table(), precursor_table(), species="rno")


# -- rules 1-2: normalisation, accessions, current names ----------------------------------------


@pytest.mark.parametrize(
    ("query", "expected", "rule"),
    [
        ("hsa-miR-21-5p", ("hsa-miR-21-5p",), "exact"),
        ("miR-21-5p", ("hsa-miR-21-5p",), "exact"),
        ("  miR-21-5p\t", ("hsa-miR-21-5p",), "exact"),
        ("HSA-MIR-21-5P", ("hsa-miR-21-5p",), "exact:case-insensitive"),
        ("hsa-mir-21-5p", ("hsa-miR-21-5p",), "exact:case-insensitive"),
        ("Hsa-Let-7A-5P", ("hsa-let-7a-5p",), "exact:case-insensitive"),
        ("let-7a-5p", ("hsa-let-7a-5p",), "exact"),
        ("hsa-miR-107", ("hsa-miR-107",), "exact"),
        ("MIMAT0000076", ("hsa-miR-21-5p",), "accession"),
        ("mimat0004494", ("hsa-miR-21-3p",), "accession"),
        ("MI0000077", ("hsa-miR-21-3p", "hsa-miR-21-5p"), "precursor:accession"),
    ],
)
def test_current_names_and_accessions(
    hsa: MirnaResolver, query: str, expected: tuple[str, ...], rule: str
) -> None:
    result = hsa.resolve(query)
    assert result.status == "ok"
    assert result.names == expected
    assert result.rule == rule
    assert result.input == query
    assert result.candidates == ()


def test_accessions_follow_names(hsa: MirnaResolver) -> None:
    result = hsa.resolve("hsa-mir-21")
    assert result.names == ("hsa-miR-21-3p", "hsa-miR-21-5p")
    assert result.accessions == ("MIMAT0004494", "MIMAT0000076")


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("mmu-miR-21a-5p", "species mmu, config species hsa"),
        ("rno-miR-21-5p", "species rno, config species hsa"),
        ("MMU-miR-155-5p", "species mmu, config species hsa"),
        ("MIMAT0000530", "accession of mmu-miR-21a-5p: species mmu, config species hsa"),
        ("xyz-miR-21", "species xyz, config species hsa (xyz is not a species of the miRBase"),
    ],
)
def test_wrong_species_is_explicit(hsa: MirnaResolver, query: str, note: str) -> None:
    result = hsa.resolve(query)
    assert result.status == "unknown"
    assert result.rule == "species"
    assert result.names == ()
    assert note in result.note


def test_wrong_species_suggests_the_configured_species(hsa: MirnaResolver) -> None:
    result = hsa.resolve("mmu-miR-21a-5p")
    assert result.suggestions[0] == "hsa-miR-21-5p"
    assert all(s.startswith("hsa-") for s in result.suggestions)


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("MIMAT9999999", "MIMAT9999999 is not a mature accession"),
        ("MI9999999", "MI9999999 is not a precursor of species hsa"),
        ("", "empty name"),
        ("   ", "empty name"),
    ],
)
def test_unusable_inputs_are_unknown_with_a_reason(
    hsa: MirnaResolver, query: str, note: str
) -> None:
    result = hsa.resolve(query)
    assert result.status == "unknown"
    assert note in result.note


@pytest.mark.parametrize(
    ("query", "expected", "read_as"),
    [
        ("miR\u201021", ("hsa-miR-21-5p",), "miR-21"),  # U+2010 hyphen from a PDF
        ("miR\u201321-5p", ("hsa-miR-21-5p",), "miR-21-5p"),  # en dash
        ("miR-21\u2217", ("hsa-miR-21-3p",), "miR-21*"),  # asterisk operator
        ("miR21", ("hsa-miR-21-5p",), "miR-21"),
        ("let7a", ("hsa-let-7a-5p",), "let-7a"),
        ("hsa-mir155", ("hsa-miR-155-3p", "hsa-miR-155-5p"), "hsa-mir-155"),
    ],
)
def test_typography_and_missing_hyphens(
    hsa: MirnaResolver, query: str, expected: tuple[str, ...], read_as: str
) -> None:
    result = hsa.resolve(query)
    assert result.status == "ok"
    assert result.names == expected
    assert result.note.startswith(f"read as {read_as}")


def test_hyphen_repair_is_only_a_fallback() -> None:
    # Plant names have no hyphen after miR: they must match as they are.
    resolver = MirnaResolver(mature_table([("MIMAT0000166", "ath-miR156a-5p")]), species="ath")
    result = resolver.resolve("miR156a-5p")
    assert (result.status, result.names, result.note) == ("ok", ("ath-miR156a-5p",), "")


# -- rule 3: precursors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hsa-mir-21", ("hsa-miR-21-3p", "hsa-miR-21-5p")),
        ("hsa-mir-103a-1", ("hsa-miR-103a-1-5p", "hsa-miR-103a-3p")),
        ("hsa-mir-103a-2", ("hsa-miR-103a-2-5p", "hsa-miR-103a-3p")),
        ("hsa-mir-155", ("hsa-miR-155-3p", "hsa-miR-155-5p")),
        ("hsa-mir-107", ("hsa-miR-107",)),
    ],
)
def test_lower_case_mir_is_a_precursor(
    hsa: MirnaResolver, query: str, expected: tuple[str, ...]
) -> None:
    result = hsa.resolve(query)
    assert (result.status, result.rule, result.names) == ("ok", "precursor", expected)
    assert result.note.startswith("precursor hsa-mir-")


@pytest.mark.parametrize(
    ("query", "names", "rule", "note"),
    [
        # No species prefix: the lower-case mir is not trusted to mean the precursor.
        ("mir-21", ("hsa-miR-21-5p",), "alias:case-insensitive", "'mir' without a species"),
        ("mir-155", ("hsa-miR-155-5p",), "alias:case-insensitive", "'mir' without a"),
        # All capitals carry no case: mature first, as for HSA-MIR-21-5P.
        ("HSA-MIR-21", ("hsa-miR-21-5p",), "alias:case-insensitive", "'MIR' carries no case"),
        ("Hsa-Mir-21", ("hsa-miR-21-5p",), "alias:case-insensitive", "'Mir' carries no case"),
    ],
)
def test_sloppy_mir_spellings_read_as_mature_first_with_a_note(
    hsa: MirnaResolver, query: str, names: tuple[str, ...], rule: str, note: str
) -> None:
    result = hsa.resolve(query)
    assert (result.status, result.names, result.rule) == ("ok", names, rule)
    assert result.note.startswith("spelling: ") and note in result.note


def test_sloppy_mir_is_a_precursor_only_when_no_mature_reading_matches(
    hsa: MirnaResolver,
) -> None:
    # hsa-miR-103a-1-5p is a current name once an arm is added: the arm-less reading wins.
    result = hsa.resolve("HSA-MIR-103A-1")
    assert (result.status, result.rule) == ("ok", "armless:both")
    assert "carries no case" in result.note
    # The same name spelled as a precursor yields both products of the precursor.
    assert hsa.resolve("hsa-mir-103a-1").rule == "precursor"


@pytest.mark.parametrize(
    ("name", "kind", "key"),
    [
        ("hsa-mir-21", "precursor", "precursor:hsa-mir-21"),
        ("mmu-mir-21a", "precursor", "precursor:mmu-mir-21a"),
        ("MI0000077", "precursor", "precursor:mi0000077"),
        ("hsa-miR-21", "mature", "mature:hsa-mir-21"),
        ("miR-21-5p", "mature", "mature:mir-21-5p"),
        ("MIMAT0000076", "mature", "mature:mimat0000076"),
        ("HSA-MIR-21", "unmarked", "mature:hsa-mir-21"),
        ("mir-21", "unmarked", "mature:mir-21"),
        ("hsa-let-7a-1", "unmarked", "mature:hsa-let-7a-1"),
        (" hsa\u2010mir\u201021 ", "precursor", "precursor:hsa-mir-21"),
    ],
)
def test_name_kind_and_duplicate_key(name: str, kind: str, key: str) -> None:
    assert names_module.name_kind(name) == kind
    assert names_module.duplicate_key(name) == key


def test_spelling_note_only_for_untrusted_mir() -> None:
    assert names_module.spelling_note("hsa-mir-21") == ""
    assert names_module.spelling_note("hsa-miR-21") == ""
    assert names_module.spelling_note("let-7a") == ""
    assert "without a species prefix" in names_module.spelling_note("mir-21")
    assert "carries no case" in names_module.spelling_note("HSA-MIR-21")


def test_the_typed_case_decides_between_precursor_and_former_name(hsa: MirnaResolver) -> None:
    assert hsa.resolve("hsa-miR-21").names == ("hsa-miR-21-5p",)
    assert hsa.resolve("hsa-miR-21").rule == "alias"
    assert hsa.resolve("hsa-mir-21").names == ("hsa-miR-21-3p", "hsa-miR-21-5p")
    assert hsa.resolve("hsa-mir-21").rule == "precursor"


def test_mir_that_is_no_precursor_falls_back_to_the_former_name(hsa: MirnaResolver) -> None:
    result = hsa.resolve("hsa-mir-451")  # the precursor is hsa-mir-451a
    assert (result.status, result.rule, result.names) == (
        "ok",
        "alias:case-insensitive",
        ("hsa-miR-451a",),
    )


def test_let_names_prefer_the_former_mature_name(hsa: MirnaResolver) -> None:
    # hsa-let-7b is both a precursor and the former name of hsa-let-7b-5p: the spelling cannot
    # tell, the mature reading wins.
    result = hsa.resolve("hsa-let-7b")
    assert (result.rule, result.names) == ("alias", ("hsa-let-7b-5p",))
    # hsa-let-7a-1 was never a mature name: it is read as the precursor.
    result = hsa.resolve("hsa-let-7a-1")
    assert (result.rule, result.names) == ("precursor", ("hsa-let-7a-3p", "hsa-let-7a-5p"))


def test_precursor_of_mouse(mmu: MirnaResolver) -> None:
    result = mmu.resolve("mmu-mir-155")
    assert (result.status, result.rule) == ("ok", "precursor")
    assert result.names == ("mmu-miR-155-3p", "mmu-miR-155-5p")
    assert result.accessions == ("MIMAT0016993", "MIMAT0000165")


def test_precursor_link_derived_from_names(rno: MirnaResolver) -> None:
    result = rno.resolve("rno-mir-21")
    assert result.names == ("rno-miR-21-3p", "rno-miR-21-5p")
    assert result.note == "precursor rno-mir-21 (link derived from the mature names)"


@pytest.mark.parametrize(
    ("species", "query", "expected"),
    [
        ("hsa", "hsa-mir-21", ("hsa-miR-21-3p", "hsa-miR-21-5p")),
        ("hsa", "hsa-mir-103a-1", ("hsa-miR-103a-1-5p", "hsa-miR-103a-3p")),
        ("hsa", "hsa-mir-107", ("hsa-miR-107",)),
        ("mmu", "mmu-mir-155", ("mmu-miR-155-3p", "mmu-miR-155-5p")),
    ],
)
def test_precursor_by_name_without_precursor_table(
    species: str, query: str, expected: tuple[str, ...]
) -> None:
    resolver = MirnaResolver(mature_table(), alias_table(), None, species=species)
    result = resolver.resolve(query)
    assert (result.status, result.rule, result.names) == ("ok", "precursor:by-name", expected)
    assert "derived from the name" in result.note


def test_mature_spelling_is_never_a_precursor(hsa: MirnaResolver) -> None:
    # hsa-miR-103a-1 (mature spelling) is arm-less, not the precursor hsa-mir-103a-1.
    result = hsa.resolve("hsa-miR-103a-1")
    assert (result.rule, result.names) == ("armless:both", ("hsa-miR-103a-1-5p",))


# -- rule 4: former names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected", "rule"),
    [
        ("miR-451", "hsa-miR-451a", "alias"),
        ("hsa-miR-451", "hsa-miR-451a", "alias"),
        ("hsa-miR-21", "hsa-miR-21-5p", "alias"),
        ("miR-21", "hsa-miR-21-5p", "alias"),
        ("miR-21*", "hsa-miR-21-3p", "alias"),
        ("hsa-miR-146b", "hsa-miR-146b-5p", "alias"),
        ("miR-103", "hsa-miR-103a-3p", "alias"),
        ("let-7a", "hsa-let-7a-5p", "alias"),
        ("HSA-MIR-21", "hsa-miR-21-5p", "alias:case-insensitive"),
        ("MIR-451", "hsa-miR-451a", "alias:case-insensitive"),
        ("mir-21*", "hsa-miR-21-3p", "alias:case-insensitive"),
    ],
)
def test_former_names(hsa: MirnaResolver, query: str, expected: str, rule: str) -> None:
    result = hsa.resolve(query)
    assert (result.status, result.names, result.rule) == ("ok", (expected,), rule)


def test_former_name_of_several_accessions_is_ambiguous(hsa: MirnaResolver) -> None:
    result = hsa.resolve("hsa-miR-340")
    assert result.status == "ambiguous"
    assert result.rule == "alias"
    assert result.names == ()
    assert result.candidates == ("hsa-miR-340-3p", "hsa-miR-340-5p")
    assert "hsa-miR-340-3p (MIMAT0000750; history:6)" in result.note
    assert "hsa-miR-340-5p (MIMAT0004692; history:10)" in result.note


def test_former_name_of_a_removed_accession_is_unknown(hsa: MirnaResolver) -> None:
    result = hsa.resolve("hsa-miR-128b")
    assert result.status == "unknown"
    assert "former name of MIMAT0000676, no longer in miRBase" in result.note


def test_current_names_in_the_alias_table_are_ignored() -> None:
    aliases = alias_table([("MIMAT0000076", "hsa-miR-21-5p", "history:18")])
    resolver = MirnaResolver(mature_table(), aliases, species="hsa")
    assert resolver.resolve("hsa-miR-21-5p").rule == "exact"


def test_aliases_belong_to_their_species(hsa: MirnaResolver, mmu: MirnaResolver) -> None:
    # miR-21 is a former name in both species; each resolver uses its own.
    assert hsa.resolve("miR-21").names == ("hsa-miR-21-5p",)
    assert mmu.resolve("miR-21").names == ("mmu-miR-21a-5p",)
    assert mmu.resolve("miR-21").rule == "alias"


# -- rule 5: star names ---------------------------------------------------------------------------


def test_star_without_alias_is_the_opposite_arm(hsa: MirnaResolver) -> None:
    result = hsa.resolve("hsa-miR-146b*")
    assert (result.status, result.rule, result.names) == ("ok", "star", ("hsa-miR-146b-3p",))
    assert result.note == "opposite arm of hsa-miR-146b-5p"
    result = hsa.resolve("miR-155*")
    assert (result.status, result.rule, result.names) == ("ok", "star", ("hsa-miR-155-3p",))


def test_star_of_a_single_arm_mirna_is_unknown(hsa: MirnaResolver) -> None:
    result = hsa.resolve("miR-107*")
    assert (result.status, result.rule) == ("unknown", "star")
    assert "hsa-miR-107: no other arm known in the precursor table" in result.note
    result = hsa.resolve("miR-451*")
    assert result.status == "unknown"
    assert "hsa-miR-451 (hsa-miR-451a)" in result.note


def test_star_of_an_armless_name_uses_the_precursor() -> None:
    # A constructed case: a precursor whose products are an arm-less name and a -3p arm.
    rows = [("MIMAT9000001", "hsa-miR-9001"), ("MIMAT9000002", "hsa-miR-9001-3p")]
    precursors = [("MI9000001", "hsa-mir-9001", a) for a, _ in rows]
    resolver = MirnaResolver(mature_table(rows), None, precursor_table(precursors))
    result = resolver.resolve("miR-9001*")
    assert (result.status, result.rule, result.names) == ("ok", "star", ("hsa-miR-9001-3p",))


def test_star_when_the_base_has_both_arms_is_ambiguous(mmu: MirnaResolver) -> None:
    result = mmu.resolve("miR-155*")
    assert result.status == "ambiguous"
    assert result.candidates == ("mmu-miR-155-3p", "mmu-miR-155-5p")
    assert "which arm is mmu-miR-155* cannot be told" in result.note


def test_star_of_an_ambiguous_name_is_ambiguous(hsa: MirnaResolver) -> None:
    result = hsa.resolve("miR-340*")
    assert result.status == "ambiguous"
    assert result.candidates == ("hsa-miR-340-3p", "hsa-miR-340-5p")


# -- rule 6: arm-less names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "query", "expected", "note"),
    [
        ("both", "miR-21a", ("mmu-miR-21a-3p", "mmu-miR-21a-5p"), ""),
        ("5p", "miR-21a", ("mmu-miR-21a-5p",), ""),
        ("3p", "miR-21a", ("mmu-miR-21a-3p",), ""),
        ("both", "mmu-miR-155", ("mmu-miR-155-3p", "mmu-miR-155-5p"), ""),
        ("both", "mmu-let-7b", ("mmu-let-7b-5p",), "only the -5p arm exists"),
        ("3p", "mmu-let-7b", ("mmu-let-7b-5p",), "no -3p arm; took -5p"),
    ],
)
def test_armless_mouse_names_follow_the_policy(
    policy: str, query: str, expected: tuple[str, ...], note: str
) -> None:
    resolver = MirnaResolver(
        mature_table(), alias_table(), precursor_table(), species="mmu", arm_policy=policy
    )
    result = resolver.resolve(query)
    assert (result.status, result.rule, result.names) == ("ok", f"armless:{policy}", expected)
    assert result.note == note


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("both", ("hsa-miR-103a-3p",)), ("5p", ("hsa-miR-103a-3p",)), ("3p", ("hsa-miR-103a-3p",))],
)
def test_armless_with_one_arm(policy: str, expected: tuple[str, ...]) -> None:
    resolver = MirnaResolver(mature_table(), None, precursor_table(), arm_policy=policy)
    result = resolver.resolve("hsa-miR-103a")
    assert result.names == expected
    assert result.rule == f"armless:{policy}"


def test_former_names_win_over_the_arm_policy() -> None:
    resolver = MirnaResolver(mature_table(), alias_table(), precursor_table(), arm_policy="3p")
    assert resolver.resolve("miR-21").names == ("hsa-miR-21-5p",)


def test_armless_without_alias_table_gives_both_arms() -> None:
    resolver = MirnaResolver(mature_table(), species="hsa")
    result = resolver.resolve("hsa-miR-146b")
    assert (result.rule, result.names) == ("armless:both", ("hsa-miR-146b-3p", "hsa-miR-146b-5p"))


# -- rule 7: families -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "candidates"),
    [
        (
            "let-7",
            (
                "hsa-let-7a-3p",
                "hsa-let-7a-5p",
                "hsa-let-7b-3p",
                "hsa-let-7b-5p",
                "hsa-let-7c-5p",
                "hsa-let-7d-5p",
                "hsa-let-7e-5p",
                "hsa-let-7f-5p",
                "hsa-let-7g-5p",
                "hsa-let-7i-5p",
            ),
        ),
        ("miR-15", ("hsa-miR-15a-3p", "hsa-miR-15a-5p", "hsa-miR-15b-3p", "hsa-miR-15b-5p")),
        (
            "hsa-miR-30",
            (
                "hsa-miR-30a-3p",
                "hsa-miR-30a-5p",
                "hsa-miR-30b-5p",
                "hsa-miR-30c-5p",
                "hsa-miR-30d-5p",
                "hsa-miR-30e-5p",
            ),
        ),
        (
            "miR-181",
            ("hsa-miR-181a-5p", "hsa-miR-181b-5p", "hsa-miR-181c-5p", "hsa-miR-181d-5p"),
        ),
        ("miR-15-3p", ("hsa-miR-15a-3p", "hsa-miR-15b-3p")),
    ],
)
def test_family_names_are_ambiguous(
    hsa: MirnaResolver, query: str, candidates: tuple[str, ...]
) -> None:
    result = hsa.resolve(query)
    assert (result.status, result.rule) == ("ambiguous", "family")
    assert result.candidates == candidates
    assert result.names == ()


def test_family_does_not_extend_numbers(hsa: MirnaResolver) -> None:
    # miR-300 and miR-301a are not members of the miR-30 family.
    result = hsa.resolve("miR-30")
    assert not {"hsa-miR-300", "hsa-miR-301a-3p"} & set(result.candidates)


@pytest.mark.parametrize(
    ("species", "query", "candidates"),
    [
        ("mmu", "let-7", ("mmu-let-7a-5p", "mmu-let-7b-5p", "mmu-let-7c-5p", "mmu-let-7d-5p")),
        ("mmu", "miR-21", ("mmu-miR-21a-3p", "mmu-miR-21a-5p", "mmu-miR-21b")),
        ("rno", "rno-let-7", ("rno-let-7a-5p", "rno-let-7b-5p")),
    ],
)
def test_family_other_species(species: str, query: str, candidates: tuple[str, ...]) -> None:
    # Without former names: mmu-miR-21 is a former name of mmu-miR-21a-5p in the alias table.
    resolver = MirnaResolver(mature_table(), None, precursor_table(), species=species)
    result = resolver.resolve(query)
    assert (result.status, result.candidates) == ("ambiguous", candidates)


# -- rule 8: unknown names ------------------------------------------------------------------------


def test_unknown_name_gets_suggestions(hsa: MirnaResolver) -> None:
    result = hsa.resolve("hsa-miR-21-5q")
    assert (result.status, result.rule) == ("unknown", "none")
    assert result.suggestions[0] == "hsa-miR-21-5p"
    assert 1 <= len(result.suggestions) <= 3
    assert result.names == result.candidates == ()


def test_suggestions_prefer_the_same_mirna_number() -> None:
    # By difflib ratio alone hsa-miR-219a-5p is closer to hsa-miR-21a-5p than hsa-miR-21-5p.
    rows = [
        ("MIMAT0000076", "hsa-miR-21-5p"),
        ("MIMAT0000276", "hsa-miR-219a-5p"),
        ("MIMAT0000275", "hsa-miR-216a-5p"),
    ]
    resolver = MirnaResolver(mature_table(rows))
    assert resolver.resolve("hsa-miR-21a-5p").suggestions == (
        "hsa-miR-21-5p",
        "hsa-miR-216a-5p",
        "hsa-miR-219a-5p",
    )


def test_unknown_name_current_elsewhere_is_noted(hsa: MirnaResolver) -> None:
    result = hsa.resolve("miR-21a-5p")
    assert result.status == "unknown"
    assert result.note == "a current name in mmu"


def test_nonsense_has_no_suggestions(hsa: MirnaResolver) -> None:
    result = hsa.resolve("qqqq")
    assert (result.status, result.suggestions) == ("unknown", ())


# -- rat ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "names"),
    [
        ("rno-miR-21-5p", "ok", ("rno-miR-21-5p",)),
        ("miR-21", "ok", ("rno-miR-21-5p",)),
        ("MIMAT0004711", "ok", ("rno-miR-21-3p",)),
        ("hsa-miR-21-5p", "unknown", ()),
    ],
)
def test_rat(rno: MirnaResolver, query: str, status: str, names: tuple[str, ...]) -> None:
    result = rno.resolve(query)
    assert (result.status, result.names) == (status, names)


# -- construction errors --------------------------------------------------------------------------


def test_bad_arm_policy() -> None:
    with pytest.raises(ConfigError, match=r"unknown arm policy \(value: 'highest'\)"):
        MirnaResolver(mature_table(), arm_policy="highest")


def test_species_without_mirnas() -> None:
    with pytest.raises(ConfigError, match=r"species 'xyz' has no mature miRNA.*hsa, mmu, rno"):
        MirnaResolver(mature_table(), species="xyz")


@pytest.mark.parametrize(
    ("table", "what", "missing"),
    [
        ("mature", "mature", "'species'"),
        ("aliases", "aliases", "'alias'"),
        ("precursors", "precursors", "'precursor_name'"),
    ],
)
def test_missing_columns(table: str, what: str, missing: str) -> None:
    tables = {"mature": mature_table(), "aliases": alias_table(), "precursors": precursor_table()}
    tables[table] = tables[table].drop(columns=[missing.strip("'")])
    with pytest.raises(ReferenceFormatError, match=f"miRBase {what} table lacks column.*{missing}"):
        MirnaResolver(tables["mature"], tables["aliases"], tables["precursors"])


def test_one_accession_with_two_names() -> None:
    rows = [*MATURE_ROWS, ("MIMAT0000076", "hsa-miR-21a-5p")]
    with pytest.raises(ReferenceFormatError, match="MIMAT0000076: hsa-miR-21-5p, hsa-miR-21a-5p"):
        MirnaResolver(mature_table(rows))


def test_missing_values_in_tables_are_skipped() -> None:
    mature = mature_table()
    mature.loc[len(mature)] = [pd.NA, pd.NA, pd.NA]
    aliases = alias_table()
    aliases.loc[len(aliases)] = ["MIMAT0000076", pd.NA, pd.NA]
    resolver = MirnaResolver(mature, aliases, precursor_table())
    assert resolver.resolve("miR-21").names == ("hsa-miR-21-5p",)


def test_resolution_is_frozen(hsa: MirnaResolver) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        hsa.resolve("miR-21").status = "unknown"  # type: ignore[misc]
    assert isinstance(hsa.resolve("miR-21"), Resolution)


# -- resolve_all ----------------------------------------------------------------------------------

SET_NAMES = [
    "miR-21",
    "hsa-mir-21",
    "let-7",
    "hsa-miR-21-5q",
    "mmu-miR-21a-5p",
    "miR-451",
    "hsa-miR-340",
    "MIMAT0000646",
]


def test_resolve_all_columns_and_order(hsa: MirnaResolver) -> None:
    frame = hsa.resolve_all(SET_NAMES)
    assert list(frame.columns) == list(RESOLUTION_COLUMNS)
    assert frame["input"].tolist() == SET_NAMES
    assert frame["status"].tolist() == [
        "ok",
        "ok",
        "ambiguous",
        "unknown",
        "unknown",
        "ok",
        "ambiguous",
        "ok",
    ]
    row = frame.iloc[1]
    assert row["resolved"] == "hsa-miR-21-3p;hsa-miR-21-5p"
    assert row["accession"] == "MIMAT0004494;MIMAT0000076"
    assert frame.at[6, "candidates"] == "hsa-miR-340-3p;hsa-miR-340-5p"
    assert frame.at[3, "suggestions"].split(";")[0] == "hsa-miR-21-5p"
    assert frame.at[4, "note"] == "species mmu, config species hsa"
    assert frame.at[2, "resolved"] == ""
    assert all(str(dtype) == "string" for dtype in frame.dtypes)


def test_resolve_all_missing_values(hsa: MirnaResolver) -> None:
    frame = hsa.resolve_all(pd.Series(["miR-21", None, pd.NA], dtype="object"))
    assert frame["status"].tolist() == ["ok", "unknown", "unknown"]
    assert frame["rule"].tolist() == ["alias", "empty", "empty"]


def test_resolve_all_empty(hsa: MirnaResolver) -> None:
    frame = hsa.resolve_all([])
    assert frame.empty
    assert list(frame.columns) == list(RESOLUTION_COLUMNS)


def test_resolve_all_is_deterministic() -> None:
    first = MirnaResolver(mature_table(), alias_table(), precursor_table()).resolve_all(SET_NAMES)
    shuffled = MirnaResolver(
        mature_table(list(reversed(MATURE_ROWS))),
        alias_table(list(reversed(ALIAS_ROWS))),
        precursor_table(list(reversed(PRECURSOR_ROWS))),
    ).resolve_all(list(reversed(SET_NAMES)))
    pd.testing.assert_frame_equal(first, shuffled.iloc[::-1].reset_index(drop=True))


def test_resolve_all_handles_thousands_of_names() -> None:
    """Thousands of names in one call, repeated names included (its speed: bench/names.py)."""
    queries = [f"miR-{i}" for i in range(1500)] + [n for _, n in MATURE_ROWS] * 20
    resolver = MirnaResolver(mature_table(), alias_table(), precursor_table())
    frame = resolver.resolve_all(queries)
    assert len(frame) == len(queries)
    assert frame["input"].tolist() == queries


# -- duplicates -----------------------------------------------------------------------------------


def test_duplicates_finds_repeated_inputs_and_shared_matures(hsa: MirnaResolver) -> None:
    frame = hsa.resolve_all(["miR-21", "hsa-miR-21-5p", " miR-21", "hsa-mir-21", "let-7"])
    found = duplicates(frame)
    assert list(found.columns) == list(DUPLICATE_COLUMNS)
    assert found.to_dict("records") == [
        {
            "kind": "input",
            "value": "miR-21",
            "accession": "",
            "inputs": "miR-21",
            "rows": "1;3",
            "count": 2,
        },
        {
            "kind": "mature",
            "value": "hsa-miR-21-5p",
            "accession": "MIMAT0000076",
            "inputs": "miR-21;hsa-miR-21-5p;hsa-mir-21",
            "rows": "1;2;3;4",
            "count": 4,
        },
    ]


def test_duplicates_none(hsa: MirnaResolver) -> None:
    found = duplicates(hsa.resolve_all(["miR-21", "miR-155", "let-7", "let-7a-3p"]))
    assert found.empty
    assert list(found.columns) == list(DUPLICATE_COLUMNS)


def test_duplicates_needs_a_resolution_table() -> None:
    with pytest.raises(InputError, match=r"name table lacks column\(s\) 'resolved', 'accession'"):
        duplicates(pd.DataFrame({"input": ["miR-21"], "status": ["ok"]}))


# -- check_resolutions ----------------------------------------------------------------------------


def test_check_resolutions_stop_lists_every_problem(hsa: MirnaResolver) -> None:
    frame = hsa.resolve_all(SET_NAMES)
    with pytest.raises(UnresolvedNamesError) as info:
        check_resolutions(frame, on_unresolved="stop", audit_path="results/names/bm.tsv")
    message = str(info.value)
    assert "4 miRNA name(s) not resolved" in message
    assert "(2 unknown, 2 ambiguous)" in message
    assert "audit table: results/names/bm.tsv" in message
    assert "'hsa-miR-21-5q': unknown; did you mean: hsa-miR-21-5p" in message
    assert "'mmu-miR-21a-5p': unknown (species mmu, config species hsa)" in message
    assert "'let-7': ambiguous (family name" in message
    assert "candidates: hsa-let-7a-3p, hsa-let-7a-5p" in message
    assert "'hsa-miR-340': ambiguous" in message
    assert "on_unresolved: warn" in message
    assert "'miR-451'" not in message


def test_check_resolutions_names_the_set(hsa: MirnaResolver) -> None:
    frame = hsa.resolve_all(["miR-21", "miR-21-5q"])
    frame.insert(0, "set", "adipose")
    with pytest.raises(UnresolvedNamesError, match=r"\[adipose\] 'miR-21-5q': unknown"):
        check_resolutions(frame, audit_path=Path("results/names/adipose.tsv"))


def test_check_resolutions_quotes_sheet_lines(hsa: MirnaResolver, tmp_path: Path) -> None:
    # As the workflow reads it back: the audit TSV with set and sheet line columns.
    frame = hsa.resolve_all(["miR-21", "let-7"])
    frame.insert(0, "set", "bone_marrow")
    frame["line"] = [4, 5]
    audit = tmp_path / "bone_marrow.tsv"
    write_tsv(frame, audit)
    table = read_tsv(audit)  # empty cells come back as NaN
    with pytest.raises(UnresolvedNamesError) as info:
        check_resolutions(table, audit_path=audit)
    message = str(info.value)
    assert "[bone_marrow] line 5: 'let-7': ambiguous" in message
    assert f"audit table: {audit}" in message
    assert "line 4" not in message


def test_check_resolutions_warn(hsa: MirnaResolver, caplog: pytest.LogCaptureFixture) -> None:
    frame = hsa.resolve_all(SET_NAMES)
    with caplog.at_level(logging.WARNING, logger="exomir.names"):
        assert check_resolutions(frame, on_unresolved="warn", audit_path="a.tsv") is None
    assert len(caplog.records) == 1
    text = caplog.records[0].getMessage()
    assert "4 miRNA name(s) not resolved" in text
    assert "audit table: a.tsv" in text
    assert "'let-7': ambiguous" in text


def test_check_resolutions_all_ok(hsa: MirnaResolver, caplog: pytest.LogCaptureFixture) -> None:
    frame = hsa.resolve_all(["miR-21", "hsa-mir-21", "miR-451"])
    with caplog.at_level(logging.WARNING, logger="exomir.names"):
        check_resolutions(frame, on_unresolved="stop", audit_path="a.tsv")
    assert caplog.records == []


def test_check_resolutions_bad_option(hsa: MirnaResolver) -> None:
    with pytest.raises(ConfigError, match=r"on_unresolved \(value: 'ignore'\)"):
        check_resolutions(hsa.resolve_all(["miR-21"]), on_unresolved="ignore", audit_path="a")


# -- strict mapping of database names -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mirna", "rule"),
    [
        ("hsa-miR-21-5p", "hsa-miR-21-5p", "exact"),
        ("HSA-MIR-21-5P", "hsa-miR-21-5p", "exact:case-insensitive"),
        ("MIMAT0000076", "hsa-miR-21-5p", "accession"),
        ("hsa-miR-21", "hsa-miR-21-5p", "alias"),
        ("hsa-miR-21*", "hsa-miR-21-3p", "alias"),
        ("hsa-miR-451", "hsa-miR-451a", "alias"),
        ("hsa-miR-146b", "hsa-miR-146b-5p", "alias"),
        ("HSA-MIR-146B", "hsa-miR-146b-5p", "alias:case-insensitive"),
        ("hsa-miR-340", None, "ambiguous-alias"),
        ("hsa-mir-21", None, "unknown"),
        ("hsa-let-7", None, "unknown"),
        ("hsa-miR-103a", None, "unknown"),
        ("hsa-miR-155*", None, "unknown"),
        ("hsa-miR-128b", None, "retired"),
        ("miR-21", None, "no-species"),
        ("mmu-miR-21a-5p", None, "other-species"),
        ("MIMAT0000530", None, "other-species"),
        ("", None, "empty"),
    ],
)
def test_map_database_name(hsa: MirnaResolver, name: str, mirna: str | None, rule: str) -> None:
    assert hsa.map_database_name(name) == mirna
    frame = hsa.map_database_names([name])
    assert frame["rule"].tolist() == [rule]
    got = frame.at[0, "mirna"]
    assert (got is pd.NA) if mirna is None else (got == mirna)


def test_map_database_names_keeps_rows_and_order(hsa: MirnaResolver) -> None:
    names = ["hsa-miR-21", "mmu-let-7a-5p", "hsa-miR-21", None, "hsa-let-7a-5p"]
    frame = hsa.map_database_names(names)
    assert list(frame.columns) == list(DATABASE_NAME_COLUMNS)
    assert frame["name"].tolist() == [
        "hsa-miR-21",
        "mmu-let-7a-5p",
        "hsa-miR-21",
        "",
        "hsa-let-7a-5p",
    ]
    assert frame["mirna"].fillna("-").tolist() == [
        "hsa-miR-21-5p",
        "-",
        "hsa-miR-21-5p",
        "-",
        "hsa-let-7a-5p",
    ]
    assert frame["rule"].tolist() == ["alias", "other-species", "alias", "empty", "exact"]


def test_map_database_names_maps_each_distinct_name_once(monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = MirnaResolver(mature_table(), alias_table(), precursor_table())
    calls: list[str] = []
    original = MirnaResolver._map_database

    def counting(self: MirnaResolver, text: str) -> tuple[str | None, str]:
        calls.append(text)
        return original(self, text)

    monkeypatch.setattr(MirnaResolver, "_map_database", counting)
    distinct = [n for _, n in MATURE_ROWS] + ["hsa-miR-21", "hsa-miR-340", "nonsense"]
    names = pd.Series(distinct * 2000)
    frame = resolver.map_database_names(names)
    assert len(frame) == len(names)
    assert sorted(calls) == sorted(distinct)
    n_human = sum(name.startswith("hsa-") for _, name in MATURE_ROWS)
    assert frame["mirna"].notna().sum() == 2000 * (n_human + 1)  # + hsa-miR-21
    # A second call is served from the cache.
    resolver.map_database_names(names[:10])
    assert len(calls) == len(distinct)


def test_module_documents_every_rule() -> None:
    doc = names_module.__doc__ or ""
    for rule in (
        "exact",
        "exact:case-insensitive",
        "accession",
        "precursor",
        "precursor:by-name",
        "alias",
        "star",
        "armless:both",
        "family",
        "species",
    ):
        assert f"``{rule}``" in doc, rule


# -- real miRBase data ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_tables(reference_dir: Path) -> MirbaseTables:
    base = reference_dir / "mirbase"
    return build_mirbase(
        base / "mature.fa.gz", history_path=base / "hsa_mature_history_miRBase_v6-v22.tsv.gz"
    )


@pytest.fixture(scope="module")
def real_hsa(real_tables: MirbaseTables) -> MirnaResolver:
    return MirnaResolver(
        real_tables.mature, real_tables.aliases, real_tables.precursors, species="hsa"
    )


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("query", "status", "names", "rule"),
    [
        ("miR-21-5p", "ok", ("hsa-miR-21-5p",), "exact"),
        ("HSA-MIR-21-5P", "ok", ("hsa-miR-21-5p",), "exact:case-insensitive"),
        ("MIMAT0000076", "ok", ("hsa-miR-21-5p",), "accession"),
        ("hsa-mir-21", "ok", ("hsa-miR-21-3p", "hsa-miR-21-5p"), "precursor"),
        ("mir-21", "ok", ("hsa-miR-21-5p",), "alias:case-insensitive"),
        ("hsa-mir-103a-1", "ok", ("hsa-miR-103a-1-5p", "hsa-miR-103a-3p"), "precursor"),
        ("hsa-miR-21", "ok", ("hsa-miR-21-5p",), "alias"),
        ("miR-451", "ok", ("hsa-miR-451a",), "alias"),
        ("miR-21*", "ok", ("hsa-miR-21-3p",), "alias"),
        ("hsa-miR-146b", "ok", ("hsa-miR-146b-5p",), "alias"),
        ("let-7", "ambiguous", (), "family"),
        ("miR-15", "ambiguous", (), "family"),
        ("miR-30", "ambiguous", (), "family"),
        ("miR-181", "ambiguous", (), "family"),
        ("hsa-miR-340", "ambiguous", (), "alias"),
        ("mmu-miR-21a-5p", "unknown", (), "species"),
        ("hsa-miR-21-5q", "unknown", (), "none"),
    ],
)
def test_real_mirbase_examples(
    real_hsa: MirnaResolver, query: str, status: str, names: tuple[str, ...], rule: str
) -> None:
    result = real_hsa.resolve(query)
    assert (result.status, result.names, result.rule) == (status, names, rule)


@pytest.mark.realdata
def test_real_mirbase_families_and_suggestions(real_hsa: MirnaResolver) -> None:
    let7 = real_hsa.resolve("let-7").candidates
    assert {"hsa-let-7a-5p", "hsa-let-7i-5p", "hsa-let-7f-1-3p"} <= set(let7)
    assert all(c.startswith("hsa-let-7") for c in let7)
    assert set(real_hsa.resolve("miR-15").candidates) == {
        "hsa-miR-15a-5p",
        "hsa-miR-15a-3p",
        "hsa-miR-15b-5p",
        "hsa-miR-15b-3p",
    }
    miR_30 = real_hsa.resolve("miR-30").candidates
    assert "hsa-miR-30a-5p" in miR_30
    assert not any(c.startswith(("hsa-miR-300", "hsa-miR-301")) for c in miR_30)
    assert real_hsa.resolve("hsa-miR-21-5q").suggestions[0] == "hsa-miR-21-5p"
    assert real_hsa.map_database_name("hsa-miR-21") == "hsa-miR-21-5p"
    assert real_hsa.map_database_name("hsa-miR-340") is None


@pytest.mark.realdata
def test_real_mirbase_mouse(real_tables: MirbaseTables) -> None:
    mmu = MirnaResolver(
        real_tables.mature, real_tables.aliases, real_tables.precursors, species="mmu"
    )
    assert mmu.resolve("mmu-miR-21a-5p").names == ("mmu-miR-21a-5p",)
    assert mmu.resolve("miR-21a").names == ("mmu-miR-21a-3p", "mmu-miR-21a-5p")
    assert mmu.resolve("let-7").status == "ambiguous"
    assert mmu.resolve("mmu-mir-155").names == ("mmu-miR-155-3p", "mmu-miR-155-5p")
    assert mmu.resolve("hsa-miR-21-5p").note == "species hsa, config species mmu"


@pytest.mark.realdata
def test_real_mirbase_every_current_name_resolves_to_itself(
    real_tables: MirbaseTables, real_hsa: MirnaResolver
) -> None:
    human = real_tables.mature.loc[real_tables.mature["species"] == "hsa", "name"]
    current = real_hsa.resolve_all(human.tolist())
    assert len(current) > 2000
    assert (current["status"] == "ok").all()
    assert (current["resolved"] == current["input"]).all()


@pytest.mark.realdata
def test_real_mirbase_mixed_species(real_tables: MirbaseTables) -> None:
    """Names of many species at once (its speed: bench/names.py): one row per name."""
    resolver = MirnaResolver(real_tables.mature, real_tables.aliases, real_tables.precursors)
    mixed = real_tables.mature["name"].tolist()[:3000]  # mostly other species: unknown
    frame = resolver.resolve_all(mixed)
    assert len(frame) == len(mixed)
    assert frame["input"].tolist() == mixed


def test_note_duplicates_marks_inputs_naming_one_mirna():
    from exomir.names import note_duplicates

    frame = pd.DataFrame(
        {
            "input": ["miR-21", "hsa-miR-21-5p", "miR-16"],
            "resolved": ["hsa-miR-21-5p", "hsa-miR-21-5p", "hsa-miR-16-5p"],
            "accession": ["MIMAT0000076", "MIMAT0000076", "MIMAT0000069"],
            "rule": ["alias", "exact", "alias"],
            "status": ["ok", "ok", "ok"],
            "note": ["", "", ""],
        }
    )
    noted = note_duplicates(frame)
    assert "also named by miR-21, hsa-miR-21-5p" in noted.loc[0, "note"]
    assert noted.loc[0, "note"] == noted.loc[1, "note"]
    assert noted.loc[2, "note"] == ""
    assert frame.loc[0, "note"] == ""
