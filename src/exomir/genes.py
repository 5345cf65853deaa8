"""Human gene table (HGNC) and harmonisation of gene symbols and identifiers.

Every source that exomir combines names genes its own way: miRTarBase and the Enrichr libraries
use the symbols that were current when they were built, WikiPathways uses Entrez Gene IDs, miRDB
uses RefSeq transcripts.  Before two sources can be compared, every gene has to be expressed as one
*current approved HGNC symbol*.  This module reads the HGNC complete set into the gene table of
``docs/data-model.md`` and builds a :class:`SymbolMap` that applies the harmonisation rules of that
page and says, for every input, which rule was applied and whether the answer is unique.

The rules, in order of precedence:

1. an approved symbol maps to itself (``rule="approved"``);
2. a previous symbol maps when it is the previous symbol of exactly one gene and not itself an
   approved symbol (``"previous"``);
3. an alias maps when it is the alias of exactly one gene and neither an approved nor a previous
   symbol (``"alias"``);
4. a string of digits that is not a symbol is read as an Entrez Gene ID (``"entrez"``);
5. when nothing matches exactly, rules 1 and 2 are applied again to the upper-cased input and
   the upper-cased approved and previous symbols (``"case"``), so ``pten``, ``Kpnb1`` (mouse
   style) and ``C9ORF72`` (upper-cased by many tools) still resolve, and a case-insensitive
   previous symbol of several genes is ambiguous.  Aliases are not case-folded because their
   case often carries meaning (``uS11`` is an alias of RPS14, ``US11`` a herpesvirus gene).
   Case-folding cannot tell a lower-case viral or bacterial gene (``tat``, ``msrA``) from a
   human symbol typed in lower case; such names are reported with ``rule="case"`` so that they
   can be reviewed.

A name that matches at some level but points to more than one gene is ``ambiguous`` and lists the
genes in ``candidates``; it is never guessed.  A name that matches nothing is ``unknown``.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._io import read_delimited
from .download import CURRENT
from .errors import ConfigError, ReferenceFormatError
from .tables import require_columns

__all__ = [
    "GENE2REFSEQ_COLUMNS",
    "GENE_COLUMNS",
    "HARMONISE_COLUMNS",
    "HGNC_ARCHIVES",
    "HGNC_CURRENT_URL",
    "SymbolMap",
    "hgnc_urls",
    "protein_coding",
    "read_gene2refseq",
    "read_hgnc",
    "read_hgnc_with_audit",
    "refseq_coverage",
]

#: Columns of the gene table, in the order of ``docs/data-model.md``.
GENE_COLUMNS: tuple[str, ...] = (
    "symbol",
    "hgnc_id",
    "entrez_id",
    "name",
    "locus_group",
    "locus_type",
    "alias_symbols",
    "prev_symbols",
    "refseq_accessions",
    "ensembl_gene_id",
)

#: Today's HGNC complete set (it changes every month; ``version: current``).
HGNC_CURRENT_URL = (
    "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt"
)
#: HGNC's monthly archive of the complete set, and its EBI mirror, tried in this order.  The
#: files are named by the first day of the month, ``hgnc_complete_set_2024-10-01.txt``; some
#: months are stored as ``.tsv`` instead, so both names are tried.
HGNC_ARCHIVES: tuple[str, ...] = (
    "https://storage.googleapis.com/public-download-files/hgnc/archive/archive/monthly/tsv",
    "https://ftp.ebi.ac.uk/pub/databases/genenames/hgnc/archive/monthly/tsv",
)
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?")


def hgnc_urls(
    version: str,
    *,
    archives: Iterable[str] = HGNC_ARCHIVES,
    current: str = HGNC_CURRENT_URL,
) -> list[str]:
    """Where to download the HGNC complete set of ``version``, in the order to try.

    Parameters
    ----------
    version
        A month, ``YYYY-MM`` (the archive's file of the first of that month) or ``YYYY-MM-DD``
        (that date's file), or ``current`` (today's file; the download is recorded with its
        date, see :data:`exomir.download.CURRENT`).
    archives
        Base URLs of the monthly archive (``<base>/hgnc_complete_set_<date>.txt`` or ``.tsv``).
    current
        URL of today's file.

    Raises
    ------
    ConfigError
        When ``version`` is neither a month, a date nor ``current``.
    """
    if version == CURRENT:
        return [current]
    match = _MONTH.fullmatch(version)
    if match is None:
        raise ConfigError(
            "`references.genes.version` names no month of the HGNC archive",
            value=version,
            hint="write the month of the release, e.g. 2025-11, or `current` for today's file",
        )
    year, month, day = match.groups()
    date = f"{year}-{month}-{day or '01'}"
    return [
        f"{base.rstrip('/')}/hgnc_complete_set_{date}.{suffix}"
        for base in archives
        for suffix in ("txt", "tsv")
    ]


#: The columns of NCBI's ``gene2refseq`` that :func:`read_gene2refseq` reads (the file has 16).
GENE2REFSEQ_COLUMNS: tuple[str, ...] = (
    "#tax_id",
    "GeneID",
    "status",
    "RNA_nucleotide_accession.version",
)


def read_gene2refseq(path: str | os.PathLike[str], *, tax_id: int = 9606) -> pd.DataFrame:
    """RefSeq RNA accession -> Entrez Gene ID, from NCBI's ``gene2refseq`` (all transcripts).

    HGNC lists one curated RefSeq accession per gene (and its MANE Select transcript); miRDB
    predicts targets on every RefSeq transcript, so most of its accessions are not in HGNC.
    ``gene2refseq`` (https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene2refseq.gz) links every RefSeq
    to its gene. The file is tab-separated with the header ``#tax_id GeneID status
    RNA_nucleotide_accession.version RNA_nucleotide_gi protein_accession.version ...``, one
    row per genomic/RNA/protein set, ``-`` for an absent accession, all species in one file
    (about 2 GB compressed): it is read in chunks, plain or gzip, keeping rows of ``tax_id``.
    A copy already filtered to one species (with the header) is read the same way.

    Returns
    -------
    pandas.DataFrame
        ``refseq`` (RNA accession without version, e.g. ``NM_000314``), ``entrez_id`` (string),
        one row per distinct pair, sorted; predicted (``XM_``/``XR_``) accessions included.

    Raises
    ------
    ReferenceFormatError
        Missing columns, a non-numeric tax_id or GeneID, or no row of ``tax_id``.
    InputError
        The file does not exist.
    """
    if not os.path.isfile(path):
        read_delimited(path)  # raises the standard 'file not found' / 'is a directory' error
    with open(path, "rb") as probe:
        packed = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if packed else open
    pieces = []
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            header = handle.readline().rstrip("\r\n").split("\t")
            require_columns(
                pd.DataFrame(columns=header),
                GENE2REFSEQ_COLUMNS,
                "gene2refseq",
                path,
                error=ReferenceFormatError,
                line=1,
                hint="use NCBI's gene2refseq as distributed (tab-separated, with its header)",
            )
            wanted = [header.index(c) for c in GENE2REFSEQ_COLUMNS]
            chunks = pd.read_csv(
                handle,
                sep="\t",
                header=None,
                usecols=wanted,
                dtype=str,
                keep_default_na=False,
                chunksize=1_000_000,
            )
            for start, chunk in _numbered(chunks):
                chunk = chunk[wanted]
                chunk.columns = ["tax_id", "entrez_id", "status", "refseq"]
                bad = ~chunk["tax_id"].str.fullmatch(r"\d+") | ~chunk["entrez_id"].str.fullmatch(
                    r"\d+"
                )
                if bad.any():
                    row = int(np.flatnonzero(bad.to_numpy())[0])
                    raise ReferenceFormatError(
                        "gene2refseq row has a tax_id or GeneID that is not a number",
                        path=path,
                        line=start + row + 2,
                        value="\t".join(chunk.iloc[row][["tax_id", "entrez_id"]]),
                    )
                keep = (chunk["tax_id"] == str(tax_id)) & (chunk["refseq"] != "-")
                pieces.append(chunk.loc[keep, ["refseq", "entrez_id"]])
    except (EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise ReferenceFormatError(
            f"gene2refseq cannot be read ({exc})",
            path=path,
            hint="the download may be truncated; fetch the file again",
        ) from exc
    pairs = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
    if pairs.empty:
        raise ReferenceFormatError(
            f"gene2refseq has no RNA accession of tax_id {tax_id}",
            path=path,
            hint="use the complete file, or a copy filtered to this species",
        )
    pairs["refseq"] = pairs["refseq"].str.replace(_VERSION.pattern, "", regex=True).str.upper()
    pairs = pairs.drop_duplicates().sort_values(["refseq", "entrez_id"], kind="stable")
    return pairs.reset_index(drop=True).astype("str")


def refseq_coverage(mapped: pd.DataFrame, *, source: str, transcripts: bool) -> pd.DataFrame:
    """Audit rows that count a source's RefSeq accessions by outcome.

    ``mapped`` is :meth:`SymbolMap.map_refseq` of the source's distinct accessions; the rows
    (columns ``source, kind, value, rows, reason`` of a target-source audit, ``kind`` =
    ``refseq_coverage``) give how many map to one gene, to several, or to none.
    """
    through = "HGNC and gene2refseq" if transcripts else "HGNC's curated RefSeq and MANE Select"
    counts = mapped["status"].value_counts()
    rows = [
        ("mapped accessions", "ok", f"map to one gene through {through}"),
        ("ambiguous accessions", "ambiguous", "name several genes; dropped"),
        ("dropped accessions", "unknown", f"not found in {through}; dropped"),
    ]
    return pd.DataFrame(
        {
            "source": source,
            "kind": "refseq_coverage",
            "value": [value for value, _, _ in rows],
            "rows": [int(counts.get(status, 0)) for _, status, _ in rows],
            "reason": [reason for _, _, reason in rows],
        }
    )


def _numbered(chunks: Iterable[pd.DataFrame]) -> Iterable[tuple[int, pd.DataFrame]]:
    """Each chunk with the number of data rows before it."""
    start = 0
    for chunk in chunks:
        yield start, chunk
        start += len(chunk)


#: Columns of every table returned by :class:`SymbolMap`.
HARMONISE_COLUMNS: tuple[str, ...] = ("query", "symbol", "rule", "status", "candidates")

#: Columns of ``hgnc_complete_set.txt`` that :func:`read_hgnc` needs.  ``mane_select`` is used
#: when present (it adds the versioned MANE RefSeq transcript) but older releases lack it.
HGNC_REQUIRED: tuple[str, ...] = (
    "hgnc_id",
    "symbol",
    "name",
    "locus_group",
    "locus_type",
    "status",
    "alias_symbol",
    "prev_symbol",
    "entrez_id",
    "ensembl_gene_id",
    "refseq_accession",
)

PROTEIN_CODING_LOCUS_TYPE = "gene with protein product"

_HGNC_ID = re.compile(r"^HGNC:\d+$")
_INT_LIKE = re.compile(r"^(\d+)(?:\.0+)?$")
_REFSEQ = re.compile(r"^[ANWXYZ][CGMPRTW]_\d+(?:\.\d+)?$")
_VERSION = re.compile(r"\.\d+$")

# Levels of the harmonisation rules; a lower number takes precedence.
_APPROVED, _PREVIOUS, _ALIAS = 0, 1, 2
_LEVEL_RULE = {_APPROVED: "approved", _PREVIOUS: "previous", _ALIAS: "alias"}


def _split_list(value: object) -> list[str]:
    """Split an HGNC list cell (``A|B``, possibly still quoted) into sorted distinct items."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return []
    items = {item.strip().strip('"').strip() for item in str(value).strip().strip('"').split("|")}
    items.discard("")
    return sorted(items)


def _refseq_items(refseq: object, mane: object) -> list[str]:
    """RefSeq accessions of one gene without version: ``refseq_accession`` plus MANE Select.

    HGNC lists one curated RefSeq accession per gene without a version; the ``mane_select``
    column adds the versioned MANE Select transcript (``ENST…|NM_….v``), which is often the
    accession that other resources (miRDB, MANE-based tables) use.
    """
    items = set(_split_list(refseq)) | {m for m in _split_list(mane) if _REFSEQ.match(m)}
    return sorted({_VERSION.sub("", item) for item in items})


def read_hgnc(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the HGNC complete set into the gene table (:func:`read_hgnc_with_audit` without
    the audit)."""
    genes, _ = read_hgnc_with_audit(path)
    return genes


def read_hgnc_with_audit(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the HGNC complete set into the gene table of ``docs/data-model.md``.

    Parameters
    ----------
    path
        ``hgnc_complete_set.txt`` as distributed by HGNC (tab-separated, one header line, list
        fields ``|``-separated and quoted when they hold several items), plain or gzipped.

    Returns
    -------
    genes : pandas.DataFrame
        One row per gene with status ``Approved``, sorted by symbol, with the columns
        :data:`GENE_COLUMNS`: ``symbol``, ``hgnc_id``, ``entrez_id`` (a string, missing when
        HGNC gives none), ``name``, ``locus_group``, ``locus_type``, ``alias_symbols``,
        ``prev_symbols``, ``refseq_accessions`` (the three list columns ``;``-joined, sorted,
        empty string when empty; RefSeq accessions without version, including the MANE Select
        transcript), ``ensembl_gene_id``.
    audit : pandas.DataFrame
        The rows that were left out (withdrawn entries, which older releases of the file
        include), with the columns ``hgnc_id``, ``symbol``, ``status``, ``reason``.

    Raises
    ------
    ReferenceFormatError
        When a required column is missing, no row is ``Approved``, an approved row has no
        symbol or a malformed HGNC ID or Entrez ID, or an approved symbol occurs twice.  The
        message names the file, the line and the value.
    """
    raw = read_delimited(path, required=HGNC_REQUIRED, what="HGNC complete set")
    # Line numbers in messages: one header line, then one line per row (the distributed file
    # has no blank or comment lines).
    lines = np.arange(len(raw)) + 2
    status = raw["status"].str.strip()
    keep = (status == "Approved").to_numpy()
    dropped = raw.loc[~keep, ["hgnc_id", "symbol"]].copy()
    dropped["status"] = status[~keep]
    dropped["reason"] = "status is not Approved"
    if not keep.any():
        found = sorted(set(status))
        raise ReferenceFormatError(
            "HGNC complete set has no row with status 'Approved'",
            path=path,
            value=", ".join(found[:5]),
            hint="use hgnc_complete_set.txt from genenames.org, not the withdrawn-symbols file",
        )
    table = raw.loc[keep].reset_index(drop=True)
    lines = lines[keep]

    symbols = table["symbol"].str.strip()
    empty = np.flatnonzero((symbols == "").to_numpy())
    if empty.size:
        i = int(empty[0])
        raise ReferenceFormatError(
            "approved gene without a symbol",
            path=path,
            line=int(lines[i]),
            value=table["hgnc_id"].iloc[i],
        )
    duplicated = symbols.duplicated(keep=False).to_numpy()
    if duplicated.any():
        first = int(np.flatnonzero(duplicated)[0])
        where = [int(n) for n in lines[(symbols == symbols.iloc[first]).to_numpy()]]
        raise ReferenceFormatError(
            f"approved symbol occurs on several lines ({', '.join(map(str, where))})",
            path=path,
            line=where[0],
            value=symbols.iloc[first],
            hint="the file is not an HGNC complete set or was edited",
        )
    hgnc_ids = table["hgnc_id"].str.strip()
    bad = ~hgnc_ids.str.match(_HGNC_ID.pattern).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ReferenceFormatError(
            "malformed HGNC ID, expected 'HGNC:<digits>'",
            path=path,
            line=int(lines[i]),
            value=hgnc_ids.iloc[i],
        )
    entrez = table["entrez_id"].str.strip()
    # Tables that passed through R or a spreadsheet may carry integer IDs as '5728.0'.
    entrez_clean = entrez.str.extract(_INT_LIKE.pattern, expand=False)
    bad = ((entrez != "") & entrez_clean.isna()).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ReferenceFormatError(
            "malformed Entrez Gene ID, expected digits",
            path=path,
            line=int(lines[i]),
            value=entrez.iloc[i],
        )
    mane = table["mane_select"] if "mane_select" in table.columns else [None] * len(table)
    ensembl = table["ensembl_gene_id"].str.strip()
    genes = pd.DataFrame(
        {
            "symbol": symbols,
            "hgnc_id": hgnc_ids,
            "entrez_id": entrez_clean,
            "name": table["name"].str.strip(),
            "locus_group": table["locus_group"].str.strip(),
            "locus_type": table["locus_type"].str.strip(),
            "alias_symbols": [";".join(_split_list(v)) for v in table["alias_symbol"]],
            "prev_symbols": [";".join(_split_list(v)) for v in table["prev_symbol"]],
            "refseq_accessions": [
                ";".join(_refseq_items(r, m))
                for r, m in zip(table["refseq_accession"], mane, strict=True)
            ],
            "ensembl_gene_id": ensembl.where(ensembl != ""),
        },
        columns=list(GENE_COLUMNS),
    ).astype("str")
    genes = genes.sort_values("symbol", kind="stable").reset_index(drop=True)
    return genes, dropped.reset_index(drop=True).astype("str")


def protein_coding(genes: pd.DataFrame) -> list[str]:
    """Approved symbols of protein-coding genes, sorted.

    Protein-coding means HGNC locus type ``gene with protein product``; this is the usual
    background for target and pathway analyses, since the gene-set libraries and the miRNA
    target databases are built almost entirely from such genes.
    """
    _require_gene_columns(genes, ("symbol", "locus_type"))
    mask = genes["locus_type"] == PROTEIN_CODING_LOCUS_TYPE
    return sorted(genes.loc[mask, "symbol"].astype("str").tolist())


def _require_gene_columns(genes: pd.DataFrame, columns: Iterable[str]) -> None:
    require_columns(
        genes,
        columns,
        "gene table",
        error=ReferenceFormatError,
        hint="build it with exomir.genes.read_hgnc",
    )


def _explode(genes: pd.DataFrame, column: str) -> pd.DataFrame:
    """Pairs (key, symbol) from a ``;``-joined list column; empty cells give no pair."""
    values = genes[column].fillna("").astype("str")
    pairs = pd.DataFrame({"key": values.str.split(";"), "symbol": genes["symbol"].astype("str")})
    pairs = pairs.explode("key")
    pairs["key"] = pairs["key"].astype("str").str.strip()
    return pairs.loc[pairs["key"].notna() & (pairs["key"] != "")].reset_index(drop=True)


_RESOLVED_COLUMNS = ["symbol", "rule", "status", "candidates"]


def _resolve(pairs: pd.DataFrame, *, rule: str | None, max_level: int = _ALIAS) -> pd.DataFrame:
    """Resolution table, indexed by key, from a frame of ``key``, ``symbol``, ``level`` rows.

    For each key the lowest level present decides (approved before previous before alias): one
    distinct symbol at that level gives ``ok``; several give ``ambiguous``, with every symbol
    the key names as candidates.  ``rule`` overrides the rule name (``"case"`` for the
    case-folded table, ``"entrez"``/``"refseq"`` for identifier tables).  Names above
    ``max_level`` are left out.
    """
    pairs = pairs.loc[pairs["level"] <= max_level, ["key", "symbol", "level"]].drop_duplicates()
    top = pairs.groupby("key", sort=False)["level"].transform("min")
    winners = pairs.loc[pairs["level"] == top]
    grouped = winners.groupby("key", sort=True)
    table = pd.DataFrame(
        {
            "symbol": grouped["symbol"].first(),
            "level": grouped["level"].min(),
            "n": grouped["symbol"].nunique(),
        }
    )
    ambiguous = table["n"] > 1
    named = pairs.loc[pairs["key"].isin(table.index[ambiguous]), ["key", "symbol"]]
    named = named.drop_duplicates().sort_values(["key", "symbol"], kind="stable")
    candidates = named.groupby("key", sort=True)["symbol"].agg(";".join)
    rules = table["level"].map(_LEVEL_RULE) if rule is None else rule
    out = pd.DataFrame(
        {
            "symbol": table["symbol"].where(~ambiguous),
            "rule": rules,
            "status": np.where(ambiguous, "ambiguous", "ok"),
            "candidates": candidates.reindex(table.index),
        },
        index=table.index,
        columns=_RESOLVED_COLUMNS,
    ).astype("str")
    out.index = pd.Index(out.index, dtype="str", name="key")
    return out


def _normalise_queries(values: Iterable[object]) -> tuple[pd.Series, pd.Series]:
    """The queries as strings (original spelling; missing stays missing) and their lookup keys.

    A single string is treated as one query, not as an iterable of characters.
    """
    if isinstance(values, str):
        values = [values]
    text = pd.Series(list(values), dtype="object").astype("str")
    return text, text.str.strip()


def _positions(index: pd.Index, keys: pd.Index, offset: int) -> np.ndarray:
    """Row numbers of ``keys`` in ``index`` shifted by ``offset``; -1 where absent."""
    found = index.get_indexer(keys)
    return np.where(found < 0, -1, found + offset)


@dataclass(frozen=True, eq=False)
class SymbolMap:
    """Maps gene symbols, Entrez Gene IDs and RefSeq accessions to approved HGNC symbols.

    Build it once with :meth:`from_genes` and reuse it.  The rules are applied once, at build
    time, to every name the gene table knows; a lookup is then a hash join of the queries with
    these precomputed tables, so half a million queries take a fraction of a second.

    Every lookup method returns one row per query, in input order, with the columns
    :data:`HARMONISE_COLUMNS`:

    ``query``
        the input as given (converted to a string);
    ``symbol``
        the approved symbol when ``status`` is ``ok``, missing otherwise;
    ``rule``
        ``approved``, ``previous``, ``alias``, ``entrez``, ``case`` or ``refseq``: the rule that
        matched, also for ambiguous queries; missing for unknown ones;
    ``status``
        ``ok``, ``ambiguous`` or ``unknown``;
    ``candidates``
        for ambiguous queries, the ``;``-joined sorted approved symbols the query could mean;
        missing otherwise.

    Attributes
    ----------
    exact, folded, entrez, refseq
        Resolution tables indexed by lookup key (a name as written, an upper-cased name, an
        Entrez ID, a RefSeq accession without version), with columns ``symbol``, ``rule``,
        ``status``, ``candidates``.
    """

    exact: pd.DataFrame = field(repr=False)
    folded: pd.DataFrame = field(repr=False)
    entrez: pd.DataFrame = field(repr=False)
    refseq: pd.DataFrame = field(repr=False)
    _combined: pd.DataFrame = field(init=False, repr=False)
    _offsets: dict[str, int] = field(init=False, repr=False)

    def __repr__(self) -> str:
        return (
            f"SymbolMap({len(self.exact)} names, {len(self.entrez)} Entrez IDs, "
            f"{len(self.refseq)} RefSeq accessions)"
        )

    def __post_init__(self) -> None:
        # One table to take result rows from; lookups compute row numbers into it.
        parts = [self.exact, self.entrez, self.folded, self.refseq]
        offsets = np.cumsum([0] + [len(p) for p in parts[:-1]])
        combined = pd.concat([p[_RESOLVED_COLUMNS] for p in parts], ignore_index=True)
        object.__setattr__(self, "_combined", combined.astype("str"))
        object.__setattr__(
            self,
            "_offsets",
            {
                k: int(o)
                for k, o in zip(("exact", "entrez", "folded", "refseq"), offsets, strict=True)
            },
        )

    @classmethod
    def from_genes(
        cls, genes: pd.DataFrame, *, transcripts: pd.DataFrame | None = None
    ) -> SymbolMap:
        """Build the resolution tables from a gene table (see :func:`read_hgnc`).

        Needs the columns ``symbol``, ``prev_symbols`` and ``alias_symbols``; ``entrez_id`` and
        ``refseq_accessions`` are used when present.  ``transcripts`` (``refseq``,
        ``entrez_id``; :func:`read_gene2refseq`) adds every RefSeq transcript of a gene, mapped
        through the gene's Entrez ID; an accession that names two genes is ambiguous.
        """
        _require_gene_columns(genes, ("symbol", "prev_symbols", "alias_symbols"))
        symbols = genes["symbol"].astype("str")
        names = pd.concat(
            [
                pd.DataFrame({"key": symbols, "symbol": symbols}).assign(level=_APPROVED),
                _explode(genes, "prev_symbols").assign(level=_PREVIOUS),
                _explode(genes, "alias_symbols").assign(level=_ALIAS),
            ],
            ignore_index=True,
        )
        exact = _resolve(names, rule=None)
        # Case-insensitive matches: only against approved and previous symbols.  Aliases are
        # left out because their letter case often carries meaning (uS11 is RPS14, US11 a
        # herpesvirus gene; gH a viral glycoprotein, GH an alias of GH1).
        folded = _resolve(
            names.assign(key=names["key"].str.upper()), rule="case", max_level=_PREVIOUS
        )
        empty = pd.DataFrame(
            {
                "key": pd.Series([], dtype="str"),
                "symbol": pd.Series([], dtype="str"),
                "level": pd.Series([], dtype="int64"),
            }
        )
        entrez = empty
        if "entrez_id" in genes.columns:
            ids = genes["entrez_id"].astype("str").str.strip()
            has = (ids.notna() & (ids != "")).to_numpy()
            entrez = pd.DataFrame({"key": ids[has], "symbol": symbols[has], "level": 0})
        refseq = empty
        if "refseq_accessions" in genes.columns:
            refseq = _explode(genes, "refseq_accessions").assign(level=0)
            keys = refseq["key"].str.replace(_VERSION.pattern, "", regex=True).str.upper()
            refseq = refseq.assign(key=keys)
        if transcripts is not None:
            _require_gene_columns(genes, ("entrez_id",))
            symbol_of = pd.DataFrame(
                {"entrez_id": genes["entrez_id"].astype("str").str.strip(), "symbol": symbols}
            )
            linked = (
                transcripts[["refseq", "entrez_id"]]
                .astype("str")
                .merge(symbol_of[symbol_of["entrez_id"] != ""], on="entrez_id", how="inner")
            )
            keys = linked["refseq"].str.replace(_VERSION.pattern, "", regex=True).str.upper()
            linked = pd.DataFrame({"key": keys, "symbol": linked["symbol"], "level": 0})
            refseq = pd.concat([refseq, linked], ignore_index=True).drop_duplicates()
        return cls(
            exact=exact,
            folded=folded,
            entrez=_resolve(entrez, rule="entrez"),
            refseq=_resolve(refseq, rule="refseq"),
        )

    # -- lookups -----------------------------------------------------------------------------

    def harmonise(self, symbols: Iterable[object]) -> pd.DataFrame:
        """Map gene symbols (or Entrez IDs given as digit strings) to approved symbols.

        Surrounding whitespace is ignored.  An exact match takes precedence over an Entrez
        ID, and both over a case-insensitive match, so a query is only case-folded when it
        matches nothing as written.
        """
        text, keys = _normalise_queries(symbols)
        codes, uniques = pd.factorize(keys, use_na_sentinel=True)
        uniques = pd.Index(uniques, dtype="str")
        pos = _positions(self.exact.index, uniques, self._offsets["exact"])
        missing = pos < 0
        if missing.any():
            candidates = np.flatnonzero(missing)
            digits = np.asarray(uniques[candidates].str.fullmatch(r"\d+"), dtype=bool)
            use = candidates[digits]
            pos[use] = _positions(self.entrez.index, uniques[use], self._offsets["entrez"])
            use = np.flatnonzero(pos < 0)
            folded = uniques[use].str.upper()
            pos[use] = _positions(self.folded.index, folded, self._offsets["folded"])
        return self._finish(text, codes, pos)

    def map_entrez(self, ids: Iterable[object]) -> pd.DataFrame:
        """Map Entrez Gene IDs (strings or integers; ``'5728.0'`` is read as 5728)."""
        text, keys = _normalise_queries(ids)
        keys = keys.str.extract(_INT_LIKE.pattern, expand=False)
        codes, uniques = pd.factorize(keys, use_na_sentinel=True)
        uniques = pd.Index(uniques, dtype="str")
        pos = _positions(self.entrez.index, uniques, self._offsets["entrez"])
        return self._finish(text, codes, pos)

    def map_refseq(self, accessions: Iterable[object]) -> pd.DataFrame:
        """Map RefSeq accessions, with or without version (``NM_000314.8`` and ``NM_000314``).

        The gene table holds the curated RefSeq accession of each gene and its MANE Select
        transcript; other transcripts of a gene are ``unknown`` here.
        """
        text, keys = _normalise_queries(accessions)
        keys = keys.str.replace(_VERSION.pattern, "", regex=True).str.upper()
        codes, uniques = pd.factorize(keys, use_na_sentinel=True)
        uniques = pd.Index(uniques, dtype="str")
        pos = _positions(self.refseq.index, uniques, self._offsets["refseq"])
        return self._finish(text, codes, pos)

    def to_dict(self) -> Mapping[str, str]:
        """Exact names that resolve uniquely, as ``{name: approved symbol}``."""
        ok = self.exact.loc[self.exact["status"] == "ok", "symbol"]
        return dict(zip(ok.index, ok, strict=True))

    def _finish(self, text: pd.Series, codes: np.ndarray, pos: np.ndarray) -> pd.DataFrame:
        """One row per query from row numbers per unique key; no row means ``unknown``."""
        rows = np.full(len(codes), -1, dtype=np.intp)
        valid = codes >= 0
        rows[valid] = pos[codes[valid]]
        out = {"query": text.reset_index(drop=True)}
        for column in _RESOLVED_COLUMNS:
            taken = self._combined[column].array.take(rows, allow_fill=True)
            out[column] = pd.Series(taken, dtype="str")
        frame = pd.DataFrame(out, columns=list(HARMONISE_COLUMNS))
        frame["status"] = frame["status"].fillna("unknown")
        return frame
