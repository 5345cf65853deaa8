"""Gene-set libraries: reading GMT files of every common flavour and harmonising their genes.

A GMT file has one gene set per line: a name, a description and the member genes, separated by
tabs.  The layout is shared, the conventions are not:

=====================  ===============================  =================================
flavour                name / description               members
=====================  ===============================  =================================
MSigDB                 ``HALLMARK_HYPOXIA`` / card URL  symbols
MSigDB via msigdbr     set name / set name again        symbols, may repeat
Enrichr (.txt, .gmt)   term (may end in an ID) / empty  symbols, may carry ``,1.0`` weights;
                                                        lines may end with tabs
Reactome               pathway name / ``R-HSA-…``       symbols (a few viral names)
GO (org.Hs.eg.db)      ``name (GO:nnnnnnn)`` / GO ID    symbols
WikiPathways           ``title%WikiPathways_…%WPn%…``   Entrez Gene IDs
                       / pathway URL
=====================  ===============================  =================================

:func:`read_gmt` turns any of them into the long table of ``docs/data-model.md`` (``library``,
``term_id``, ``term``, ``gene``); :func:`harmonise_gene_sets` maps the members to approved HGNC
symbols through a :class:`~exomir.genes.SymbolMap`; :func:`normalise_library` does both for one
library file, with one audit of both steps, and stops when no member maps to a gene;
:func:`filter_by_size` restricts the sets to an analysis universe and a size range.

How ``term_id`` is chosen
-------------------------
The identifier of a set is taken, per line, from the first of these that applies:

1. the description column, when it holds identifiers.  Decided once per file: every line has a
   description that is a single token (no whitespace), not a URL, not a placeholder such as
   ``NA``, all descriptions are distinct, and at least one differs from its set name.  This
   picks the ``R-HSA-…`` of Reactome and the GO IDs of GO files, and rejects MSigDB card URLs,
   the empty Enrichr column and msigdbr's repeated set names.  ``id_in_description=True`` or
   ``False`` overrides the decision;
2. a ``%``-separated name (``title%source%ID[%species]``, WikiPathways and Bader-lab files):
   the third part is the ID and the first part the display name;
3. an identifier at the end of the name, as Enrichr writes them: ``name (GO:nnnnnnn)``,
   ``name R-HSA-nnn``, ``name WPnnn``, ``name [Homo sapiens] hsa00000`` (KEGG) or
   ``name Homo sapiens Pnnnnn`` (Panther); the ID is removed from the display name;
4. otherwise the name itself (MSigDB standard names, KEGG_2021_Human, BioCarta, …).

``id_in_name=False`` turns rules 2 and 3 off (the name is kept whole); ``id_in_name=True`` makes
them mandatory, so that a line without an identifier is an error.  When two lines end up with
the same ``term_id`` (a repeated set name, for instance), both sets are kept: the later ones get
``#2``, ``#3``, … appended, a :class:`GeneSetWarning` is issued and the renaming is recorded in the
audit.
"""

from __future__ import annotations

import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from ._io import ZIP_MAGIC, read_text
from .errors import ConfigError, InputError, ReferenceFormatError
from .genes import SymbolMap
from .tables import require_columns

__all__ = [
    "AUDIT_COLUMNS",
    "GENE_SET_COLUMNS",
    "SIZE_COLUMNS",
    "GeneSetWarning",
    "detect_id_type",
    "filter_by_size",
    "harmonise_gene_sets",
    "normalise_library",
    "read_gmt",
    "read_gmt_with_audit",
]

#: Columns of a gene-set table (``docs/data-model.md``, "Gene-set libraries").
GENE_SET_COLUMNS: tuple[str, ...] = ("library", "term_id", "term", "gene")

#: Columns of the audit tables of :func:`read_gmt` and :func:`harmonise_gene_sets`.
AUDIT_COLUMNS: tuple[str, ...] = ("library", "term_id", "gene", "status", "reason")

#: Columns of the size table of :func:`filter_by_size`.
SIZE_COLUMNS: tuple[str, ...] = ("library", "term_id", "term", "n_genes", "size", "kept")

#: Share of digit-only members above which ``id_type="auto"`` reads a library as Entrez IDs.
#: Entrez libraries are all digits; symbol libraries have none or a handful of odd entries.
ENTREZ_FRACTION = 0.9


class GeneSetWarning(UserWarning):
    """A GMT file was read, but something in it was changed or left out (see the audit)."""


# -- recognising identifiers ----------------------------------------------------------------

_ID = (
    r"GO:\d{7}"  # Gene Ontology
    r"|R-[A-Z]{3}-\d+(?:\.\d+)?"  # Reactome stable ID (optionally versioned)
    r"|WP\d+"  # WikiPathways
    r"|(?:hsa|mmu|rno|map|ko)\d{5}"  # KEGG pathway
)
_SPECIES = r"(?:Homo sapiens|Mus musculus|Rattus norvegicus)"
_TRAILING_ID = [
    re.compile(rf"^(?P<term>.*?\S)\s+\((?P<id>{_ID})\)$"),
    re.compile(rf"^(?P<term>.*?\S)(?:\s+{_SPECIES})?\s+(?P<id>{_ID})$"),
    re.compile(rf"^(?P<term>.*?\S)\s+{_SPECIES}\s+(?P<id>P\d{{5}})$"),  # Panther
]
_SPECIES_SUFFIX = re.compile(rf"\s+{_SPECIES}$")
_PLACEHOLDERS = frozenset({"", "na", "n/a", "nan", "none", "null", "-", "."})
_NEEDS_CLEANING = re.compile(r"[^\S\t]|,")
_WEIGHT = re.compile(r"^(?P<gene>.+?)\s*,\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_HEADER_WORDS = frozenset(
    {
        "gene", "genes", "gene_symbol", "genesymbol", "symbol", "gene_id", "geneid", "entrez",
        "entrez_id", "entrezid", "entrez_gene", "ensembl", "ensembl_gene_id", "term", "terms",
        "term_id", "term_name", "pathway", "pathway_id", "pathway_name", "gs_name", "gs_id",
        "gs_description", "gene_set", "geneset", "gene_set_name", "set", "set_name", "name",
        "id", "description", "source", "library", "category", "score", "weight",
    }
)  # fmt: skip


def _split_name(name: str) -> tuple[str, str] | None:
    """(display name, ID) from a name carrying an identifier (rules 2 and 3), else None."""
    if name.count("%") >= 2:
        parts = [p.strip() for p in name.split("%")]
        if parts[0] and parts[2]:
            return parts[0], parts[2]
    for pattern in _TRAILING_ID:
        match = pattern.match(name)
        if match:
            return _SPECIES_SUFFIX.sub("", match["term"]), match["id"]
    return None


def _display_name(name: str, term_id: str) -> str:
    """The set name without the identifier it repeats (used when the ID is in column 2)."""
    split = _split_name(name)
    if split is not None and split[1] == term_id:
        return split[0]
    return name


def _descriptions_are_ids(names: list[str], descriptions: list[str]) -> bool:
    """Rule 1 of the module docstring: does the description column hold identifiers?"""
    if not descriptions:
        return False
    for desc in descriptions:
        if desc.lower() in _PLACEHOLDERS or "://" in desc or desc.lower().startswith("www."):
            return False
        if any(ch.isspace() for ch in desc):
            return False
    if len(set(descriptions)) != len(descriptions):
        return False
    return any(d != n for d, n in zip(descriptions, names, strict=True))


# -- recognising files that are not GMT -----------------------------------------------------


def _check_is_gmt(text: str, lines: list[tuple[int, list[str]]], path: object) -> None:
    """Reject files that are something else than a GMT, with a message that says what."""
    head = text.lstrip()[:200].lower()
    if text.startswith(ZIP_MAGIC.decode("latin-1")) or "\x00" in text[:4096]:
        raise ReferenceFormatError(
            "not a GMT file: it is binary (a ZIP archive or spreadsheet?)",
            path=path,
            hint="export the gene sets as a tab-separated .gmt text file",
        )
    if head.startswith(("<!doctype html", "<html", "<?xml")):
        raise ReferenceFormatError(
            "not a GMT file: it is an HTML/XML page (a failed or redirected download?)",
            path=path,
            hint="download the .gmt file again from its source",
        )
    if not lines:
        raise ReferenceFormatError("GMT file has no gene sets", path=path)
    lineno, first = lines[0]
    words = [f.strip().strip('"').lower().replace(" ", "_") for f in first]
    if len(words) >= 2 and words[0] in _HEADER_WORDS and words[1] in _HEADER_WORDS:
        raise ReferenceFormatError(
            "not a GMT file: the first line is a table header "
            f"({', '.join(repr(f) for f in first[:4])}), but a GMT has no header",
            path=path,
            line=lineno,
            hint="a GMT has one gene set per line: name<TAB>description<TAB>gene<TAB>gene...",
        )
    widths = {len(fields) for _, fields in lines}
    if len(lines) > 1 and widths <= {3, 4}:
        names = [fields[0].strip() for _, fields in lines]
        if 2 * len(set(names)) <= len(names):
            raise ReferenceFormatError(
                "not a GMT file: every line has the same few columns and set names repeat, as "
                "in a long table with one gene per line",
                path=path,
                value=names[0],
                hint="convert it to GMT: one line per set, name<TAB>description<TAB>genes",
            )


# -- reading --------------------------------------------------------------------------------


def _clean_genes(fields: list[str]) -> list[str]:
    """Member genes of one line: stripped, without Enrichr weights, empty fields dropped."""
    if not _NEEDS_CLEANING.search("\t".join(fields)):
        return [field for field in fields if field]
    genes = []
    for raw in fields:
        gene = raw.strip()
        if not gene:
            continue
        if "," in gene:
            match = _WEIGHT.match(gene)
            if match:
                gene = match["gene"]
        genes.append(gene)
    return genes


def read_gmt(
    path: str | os.PathLike[str],
    *,
    library: str,
    id_in_description: bool | None = None,
    id_in_name: bool | None = None,
) -> pd.DataFrame:
    """Read a GMT file of any common flavour into the long gene-set table.

    The same as :func:`read_gmt_with_audit` without the audit table; what was changed is
    still announced with a :class:`GeneSetWarning`.
    """
    frame, _ = read_gmt_with_audit(
        path, library=library, id_in_description=id_in_description, id_in_name=id_in_name
    )
    return frame


def read_gmt_with_audit(
    path: str | os.PathLike[str],
    *,
    library: str,
    id_in_description: bool | None = None,
    id_in_name: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a GMT file of any common flavour into the long gene-set table, with its audit.

    Parameters
    ----------
    path
        The GMT file, plain or gzipped (``.gmt``, Enrichr ``.txt``).
    library
        Library name written to the ``library`` column (e.g. ``KEGG_2021_Human``).
    id_in_description
        ``None`` (default) decides per file whether the description column holds the set
        identifiers (see the module docstring); ``True`` forces it and makes an empty
        description an error; ``False`` never uses the description.
    id_in_name
        ``None`` (default) takes identifiers written into set names when present; ``False``
        keeps names whole; ``True`` requires an identifier in every name.

    Returns
    -------
    gene_sets : pandas.DataFrame
        One row per membership, sets in file order and genes in first-seen order, with the
        columns :data:`GENE_SET_COLUMNS`.  Genes are as written in the file (not yet
        harmonised), without Enrichr weights; a gene listed twice in a set is kept once.
    audit : pandas.DataFrame
        Every change, with the columns :data:`AUDIT_COLUMNS` (``gene`` empty for whole sets):
        sets without genes (``dropped``), repeated genes (``collapsed``), term IDs made unique
        (``renamed``).  Each change is also announced with a :class:`GeneSetWarning`.

    Raises
    ------
    ReferenceFormatError
        For a missing, empty or truncated (gzip) file; a file that is not a GMT (a table with a
        header, a long table, HTML, a binary file); a line with fewer than three tab-separated
        fields, or without a set name; a missing identifier where one is required.  The message
        names the file and the line.
    """
    if not isinstance(library, str) or not library.strip() or any(c in library for c in "\t\n"):
        raise InputError(
            "gene-set library name must be a non-empty string without tabs or newlines",
            path=path,
            value=library,
        )
    text = read_text(path)
    # Split on line feeds only: str.splitlines() would also split on characters such as
    # U+0085 that can occur inside names of files decoded as Latin-1.
    text_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [
        (number, line.split("\t"))
        for number, line in enumerate(text_lines, start=1)
        if line.strip()
    ]
    _check_is_gmt(text, lines, path)

    numbers: list[int] = []
    names: list[str] = []
    descriptions: list[str] = []
    members: list[list[str]] = []
    audit: list[tuple[str, str, str, str, str]] = []
    for number, fields in lines:
        if len(fields) < 3:
            hint = "fields must be separated by tabs: name<TAB>description<TAB>gene..."
            if len(fields) == 1 and "," in fields[0]:
                hint = "the line looks comma-separated; " + hint
            elif len(fields) == 1 and " " in fields[0].strip():
                hint = "the line looks space-separated; " + hint
            elif len(fields) == 2:
                hint = "a set needs at least one gene after the description column"
            raise ReferenceFormatError(
                f"GMT line has {len(fields)} field(s), at least 3 are needed",
                path=path,
                line=number,
                value=fields[0][:60],
                hint=hint,
            )
        name = fields[0].strip()
        if not name:
            raise ReferenceFormatError("GMT line has no gene-set name", path=path, line=number)
        numbers.append(number)
        names.append(name)
        descriptions.append(fields[1].strip())
        members.append(_clean_genes(fields[2:]))

    use_description = id_in_description
    if use_description is None:
        use_description = _descriptions_are_ids(names, descriptions)
    term_ids: list[str] = []
    terms: list[str] = []
    for number, name, desc in zip(numbers, names, descriptions, strict=True):
        if use_description:
            if not desc:
                raise ReferenceFormatError(
                    "GMT line has an empty description, which was to hold the set identifier",
                    path=path,
                    line=number,
                    value=name,
                    hint="set id_in_description to false for this library",
                )
            term_ids.append(desc)
            terms.append(name if id_in_name is False else _display_name(name, desc))
            continue
        split = None if id_in_name is False else _split_name(name)
        if split is None:
            if id_in_name:
                raise ReferenceFormatError(
                    "gene-set name carries no identifier (GO:…, R-HSA-…, WP…, KEGG, Panther, "
                    "or name%source%ID)",
                    path=path,
                    line=number,
                    value=name,
                    hint="set id_in_name to false or leave it unset for this library",
                )
            split = (name, name)
        terms.append(split[0])
        term_ids.append(split[1])

    term_ids = _unique_ids(term_ids, numbers, library, path, audit)

    kept_ids: list[str] = []
    kept_terms: list[str] = []
    genes: list[str] = []
    counts: list[int] = []
    n_collapsed = 0
    for number, term_id, term, set_genes in zip(numbers, term_ids, terms, members, strict=True):
        if not set_genes:
            audit.append((library, term_id, "", "dropped", f"no genes on line {number}"))
            continue
        distinct = list(dict.fromkeys(set_genes))
        if len(distinct) < len(set_genes):
            repeats = Counter(set_genes)
            for gene in distinct:
                n = repeats[gene]
                if n == 1:
                    continue
                n_collapsed += n - 1
                audit.append(
                    (library, term_id, str(gene), "collapsed",
                     f"listed {n} times in the set on line {number}; kept once")
                )  # fmt: skip
        kept_ids.append(term_id)
        kept_terms.append(term)
        genes.extend(distinct)
        counts.append(len(distinct))

    dropped = sum(1 for row in audit if row[3] == "dropped")
    if dropped:
        warnings.warn(
            f"{path}: {dropped} gene set(s) without genes left out (see the audit)",
            GeneSetWarning,
            stacklevel=3,
        )
    if n_collapsed:
        warnings.warn(
            f"{path}: {n_collapsed} repeated gene(s) within sets collapsed",
            GeneSetWarning,
            stacklevel=3,
        )
    if not genes:
        raise ReferenceFormatError("GMT file has no gene-set members", path=path)

    # Repeat the per-set columns by taking from small string arrays (much faster than
    # converting millions of repeated Python strings).
    which = np.repeat(np.arange(len(counts)), np.asarray(counts, dtype=np.intp))
    frame = pd.DataFrame(
        {
            "library": pd.array([library], dtype="str").take(np.zeros(len(which), dtype=np.intp)),
            "term_id": pd.array(kept_ids, dtype="str").take(which),
            "term": pd.array(kept_terms, dtype="str").take(which),
            "gene": pd.array(genes, dtype="str"),
        },
        columns=list(GENE_SET_COLUMNS),
    )
    return frame, _audit_frame(audit)


def _unique_ids(
    term_ids: list[str],
    numbers: list[int],
    library: str,
    path: object,
    audit: list[tuple[str, str, str, str, str]],
) -> list[str]:
    """Make term IDs unique by appending ``#2``, ``#3``…; record and warn about each change."""
    first_line: dict[str, int] = {}
    used = set(term_ids)
    out: list[str] = []
    renamed: list[str] = []
    for term_id, number in zip(term_ids, numbers, strict=True):
        if term_id not in first_line:
            first_line[term_id] = number
            out.append(term_id)
            continue
        k = 2
        while f"{term_id}#{k}" in used:
            k += 1
        new = f"{term_id}#{k}"
        used.add(new)
        out.append(new)
        audit.append(
            (library, new, "", "renamed",
             f"term ID {term_id!r} of line {number} already used on line "
             f"{first_line[term_id]}; renamed to {new!r}")
        )  # fmt: skip
        renamed.append(f"{term_id!r} (line {number})")
    if renamed:
        warnings.warn(
            f"{path}: repeated term ID(s) made unique: {', '.join(renamed[:5])}"
            + (f" and {len(renamed) - 5} more" if len(renamed) > 5 else ""),
            GeneSetWarning,
            stacklevel=4,
        )
    return out


def _audit_frame(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS)).astype("str")


# -- harmonising ----------------------------------------------------------------------------


def _require(gene_sets: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    require_columns(
        gene_sets,
        columns,
        what,
        error=ReferenceFormatError,
        hint="read gene sets with exomir.genesets.read_gmt",
    )


def detect_id_type(genes: Iterable[object]) -> Literal["symbol", "entrez"]:
    """``"entrez"`` when more than :data:`ENTREZ_FRACTION` of the distinct genes are digits.

    Gene symbols are never all digits, so a library whose members are (almost) only digit
    strings lists Entrez Gene IDs, as WikiPathways does.
    """
    values = genes if isinstance(genes, pd.Series) else pd.Series(list(genes), dtype="object")
    distinct = pd.Series(values.dropna().astype("str").unique(), dtype="str")
    if distinct.empty:
        return "symbol"
    digits = distinct.str.fullmatch(r"\d+").mean()
    return "entrez" if digits > ENTREZ_FRACTION else "symbol"


def harmonise_gene_sets(
    gene_sets: pd.DataFrame,
    symbol_map: SymbolMap,
    *,
    id_type: Literal["symbol", "entrez", "auto"] = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map the members of gene sets to approved HGNC symbols.

    Parameters
    ----------
    gene_sets
        A table with the columns :data:`GENE_SET_COLUMNS` (see :func:`read_gmt`); it may hold
        several libraries.
    symbol_map
        Built from the gene table with :meth:`exomir.genes.SymbolMap.from_genes`.
    id_type
        ``"symbol"``: members are gene symbols, mapped by the rules of :mod:`exomir.genes`
        (approved, previous, alias, case variant); ``"entrez"``: members are Entrez Gene IDs;
        ``"auto"``: decided per library with :func:`detect_id_type`.

    Returns
    -------
    gene_sets : pandas.DataFrame
        The same columns, ``gene`` now an approved symbol; members that map to no gene or to
        several are removed, and members that map to the same symbol within a set are kept
        once.  Row order follows the input.
    audit : pandas.DataFrame
        Columns :data:`AUDIT_COLUMNS`, one row per membership that was changed or removed,
        ``gene`` as in the input and ``status`` one of ``unknown`` (removed: no such symbol or
        ID), ``ambiguous`` (removed: the name belongs to several genes, listed in
        ``reason``), ``renamed`` (kept under its approved symbol: a previous symbol, an alias,
        a case variant or an Entrez ID in a symbol library) and ``duplicate`` (removed: its
        approved symbol is already in the set).  Entrez IDs translated in an Entrez library
        are not listed: that translation is the expected one.
    """
    _require(gene_sets, GENE_SET_COLUMNS, "gene-set table")
    if id_type not in ("symbol", "entrez", "auto"):
        raise ConfigError(
            "gene-set id_type must be 'symbol', 'entrez' or 'auto'",
            value=id_type,
        )
    frame = gene_sets[list(GENE_SET_COLUMNS)].astype("str").reset_index(drop=True)
    n = len(frame)
    mapped = np.full(n, None, dtype=object)
    status = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)
    library_codes, libraries = pd.factorize(frame["library"])
    for code in range(len(libraries)):
        rows = np.flatnonzero(library_codes == code)
        members = frame["gene"].iloc[rows]
        kind = detect_id_type(members) if id_type == "auto" else id_type
        codes, uniques = pd.factorize(members)
        if kind == "entrez":
            result = symbol_map.map_entrez(uniques)
        else:
            result = symbol_map.harmonise(uniques)
        per_gene_status, per_gene_reason = _reasons(result, kind)
        mapped[rows] = result["symbol"].to_numpy(dtype=object)[codes]
        status[rows] = per_gene_status[codes]
        reason[rows] = per_gene_reason[codes]

    frame["symbol"] = pd.array(mapped, dtype="str")
    frame["audit_status"] = pd.array(status, dtype="str")
    frame["reason"] = pd.array(reason, dtype="str")
    # Within a set, a second member with the same approved symbol is a duplicate.  The member
    # written with the approved symbol itself is kept in preference to one that was renamed.
    has_symbol = frame["symbol"].notna()
    renamed = (frame["gene"] != frame["symbol"]).fillna(True).to_numpy(dtype=np.int8)
    order = np.argsort(renamed, kind="stable")
    codes = pd.DataFrame(
        {c: pd.factorize(frame[c])[0][order] for c in ("library", "term_id", "symbol")}
    )
    in_order = codes.duplicated(keep="first").to_numpy()
    repeated = np.empty(n, dtype=bool)
    repeated[order] = in_order
    duplicate = has_symbol & repeated
    frame.loc[duplicate, "audit_status"] = "duplicate"
    frame.loc[duplicate, "reason"] = (
        "maps to " + frame.loc[duplicate, "symbol"] + ", already a member of the set"
    )
    audit = frame.loc[frame["audit_status"].notna()].rename(columns={"audit_status": "status"})
    audit = audit[list(AUDIT_COLUMNS)].reset_index(drop=True).astype("str")
    keep = has_symbol & ~duplicate
    out = frame.loc[keep, ["library", "term_id", "term", "symbol"]].rename(
        columns={"symbol": "gene"}
    )
    return out.reset_index(drop=True).astype("str"), audit


def normalise_library(
    path: str | os.PathLike[str],
    library: str,
    symbol_map: SymbolMap,
    *,
    id_type: Literal["symbol", "entrez", "auto"] = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one GMT library and map its members to approved symbols, with one audit.

    :func:`read_gmt_with_audit` then :func:`harmonise_gene_sets`; the audit holds the rows of
    both, so that a term ID repeated in the file (``renamed`` to ``…#2``), a set without genes
    (``dropped``) and every member that was renamed or removed are all listed.

    Raises
    ------
    InputError
        When no member of the library maps to a gene of the gene table: the library would
        vanish from every result. The message names the library and the file, counts the
        members and how they were read (symbols or Entrez Gene IDs), and shows a few of them.
    """
    raw, read_audit = read_gmt_with_audit(path, library=library)
    gene_sets, audit = harmonise_gene_sets(raw, symbol_map, id_type=id_type)
    if gene_sets.empty:
        members = list(dict.fromkeys(raw["gene"]))
        kind = detect_id_type(raw["gene"]) if id_type == "auto" else id_type
        read_as = "Entrez Gene IDs" if kind == "entrez" else "gene symbols"
        raise InputError(
            f"no gene of library {library!r} maps to a gene of the gene table: none of its "
            f"{len(members)} distinct members, read as {read_as}, is an approved, previous or "
            f"alias symbol or a known Entrez Gene ID (e.g. {', '.join(members[:5])})",
            path=path,
            hint="is it a library of another species (mouse symbols such as Trp53 are not "
            "human ones)? Are its members Entrez IDs read as symbols, or the other way round "
            f"(set references.gene_sets.{library}.ids)? Otherwise remove it from "
            "references.gene_sets",
        )
    combined = pd.concat([read_audit, audit], ignore_index=True)
    return gene_sets, combined[list(AUDIT_COLUMNS)].astype("str")


def _reasons(result: pd.DataFrame, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Audit status and reason for each harmonised query (missing when nothing to report)."""
    n = len(result)
    status = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)
    query = result["query"].to_numpy(dtype=object)
    symbol = result["symbol"].to_numpy(dtype=object)
    rule = result["rule"].to_numpy(dtype=object)
    state = result["status"].to_numpy(dtype=object)
    candidates = result["candidates"].to_numpy(dtype=object)
    rule_text = {
        "previous": "previous symbol",
        "alias": "alias",
        "case": "different letter case",
        "entrez": "Entrez Gene ID",
    }
    for i in range(n):
        if state[i] == "unknown":
            status[i] = "unknown"
            if kind == "entrez":
                is_id = isinstance(query[i], str) and query[i].strip().isdigit()
                reason[i] = (
                    "Entrez Gene ID not in the gene table" if is_id else "not an Entrez Gene ID"
                )
            else:
                reason[i] = "not an approved, previous or alias symbol of the gene table"
        elif state[i] == "ambiguous":
            status[i] = "ambiguous"
            reason[i] = f"{rule_text.get(rule[i], rule[i])} of several genes: {candidates[i]}"
        elif kind == "symbol" and rule[i] != "approved":
            status[i] = "renamed"
            reason[i] = f"{rule_text.get(rule[i], rule[i])}; approved symbol {symbol[i]}"
    return status, reason


# -- sizes ----------------------------------------------------------------------------------


def filter_by_size(
    gene_sets: pd.DataFrame,
    universe: Iterable[str] | None,
    min_size: int,
    max_size: int | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Restrict gene sets to a universe and keep those whose size there is within bounds.

    An over-representation test only sees the part of a set inside its background: a set of
    300 genes of which 4 are in the universe behaves like a set of 4, so sizes are counted
    after intersecting with the universe, and the bounds apply to that size.

    Parameters
    ----------
    gene_sets
        Table with the columns :data:`GENE_SET_COLUMNS`, genes already harmonised.
    universe
        The genes that can be observed (the analysis background); ``None`` keeps every gene.
    min_size, max_size
        Inclusive bounds on the size within the universe; ``max_size=None`` means no upper bound.

    Returns
    -------
    gene_sets : pandas.DataFrame
        The memberships of the kept sets that lie in the universe (same columns, same order).
    sizes : pandas.DataFrame
        One row per set of the input, in first-seen order, with the columns
        :data:`SIZE_COLUMNS`: ``n_genes`` (distinct genes in the set), ``size`` (of those, in the
        universe) and ``kept`` (``min_size <= size <= max_size``).
    """
    _require(gene_sets, GENE_SET_COLUMNS, "gene-set table")
    if isinstance(min_size, bool) or not isinstance(min_size, (int, np.integer)) or min_size < 1:
        raise ConfigError("minimum gene-set size must be an integer >= 1", value=min_size)
    if max_size is not None and (
        isinstance(max_size, bool)
        or not isinstance(max_size, (int, np.integer))
        or max_size < min_size
    ):
        raise ConfigError(
            f"maximum gene-set size must be an integer >= the minimum size ({min_size})",
            value=max_size,
        )
    frame = gene_sets[list(GENE_SET_COLUMNS)].drop_duplicates(["library", "term_id", "gene"])
    if universe is None:
        inside = pd.Series(True, index=frame.index)
    else:
        members = set(universe) if not isinstance(universe, (set, frozenset)) else universe
        inside = frame["gene"].isin(members)
    keys = ["library", "term_id"]
    grouped = frame.assign(inside=inside).groupby(keys, sort=False)
    group = grouped.ngroup().to_numpy()  # numbered in first-seen order, as the rows of sizes
    sizes = grouped.agg(
        term=("term", "first"), n_genes=("gene", "size"), size=("inside", "sum")
    ).reset_index()
    upper = np.inf if max_size is None else max_size
    sizes["size"] = sizes["size"].astype("int64")
    sizes["n_genes"] = sizes["n_genes"].astype("int64")
    sizes["kept"] = (sizes["size"] >= min_size) & (sizes["size"] <= upper)
    in_kept = sizes["kept"].to_numpy(dtype=bool)[group]
    out = frame.loc[inside.to_numpy(dtype=bool) & in_kept].reset_index(drop=True)
    return out, sizes[list(SIZE_COLUMNS)].reset_index(drop=True)
