"""Readers of the miRNA-target databases, returning *raw* edges.

Each reader takes one file in its official distribution layout and returns the miRNA and gene
exactly as the database spells them (``mirna_raw``, ``gene_raw``), followed by the evidence the
database gives. Mapping miRNA names to current miRBase names and symbols to approved HGNC symbols
happens later (``exomir.names``, ``exomir.genes``), so that every name those steps cannot map is
reported there, with the name as the database wrote it.

Sources and what they contribute:

* miRTarBase (validated): :func:`read_mirtarbase`, then :func:`collapse_mirtarbase` for one row
  per pair with an evidence tier, distinct PMIDs and experiments.
* TargetScan (predicted): :func:`read_targetscan_family_info`,
  :func:`read_targetscan_context_scores`, :func:`read_targetscan_info`, combined per pair by
  :func:`targetscan_edges` (cumulative weighted context++ score, conservation, site count).
* miRDB (predicted): :func:`read_mirdb` (targets are RefSeq transcripts; mapped to genes later).
* Enrichr-style miRNA->target libraries: :func:`read_mirna_library`.
* Plain two-column pair tables: :func:`read_pairs`.

Every reader raises :class:`~exomir.errors.ReferenceFormatError` naming the file for an empty
file, a truncated gzip stream, a wrong delimiter or missing columns.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ._io import ZIP_MAGIC, is_gzip, read_delimited, read_text
from .errors import ConfigError, InputError, ReferenceFormatError
from .mirbase import SPECIES_NAMES
from .tables import require_columns

__all__ = [
    "MIRTARBASE_ALIASES",
    "MIRTARBASE_COLUMNS",
    "MIRTARBASE_TIERS",
    "collapse_mirtarbase",
    "read_mirdb",
    "read_mirna_library",
    "read_mirtarbase",
    "read_pairs",
    "read_stem_pmids",
    "read_targetscan_context_scores",
    "read_targetscan_family_info",
    "read_targetscan_info",
    "targetscan_edges",
]

PathLike = str | os.PathLike[str]

# ----------------------------------------------------------------------------------- helpers --


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})


def _row_line(index: object, header_lines: int = 1) -> int:
    """1-based file line of data row ``index`` below ``header_lines`` (no blank lines between)."""
    return int(index) + 1 + header_lines  # type: ignore[call-overload]


def _strip_all(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as a stripped string; missing cells (short rows) become empty strings."""
    return frame.apply(lambda col: col.fillna("").astype("str").str.strip())


def _clean_id(value: str) -> str:
    """``"5728.0"`` -> ``"5728"``: spreadsheets turn integer identifiers into floats."""
    value = value.strip()
    return value[:-2] if value.endswith(".0") and value[:-2].isdigit() else value


def _header_key(column: str) -> str:
    """Spelling-independent key of a column name.

    TargetScan's headers changed between releases (``UTR_start``/``UTR start``, ``Gene Tax
    ID``/``Species ID``, ``miR family``/``miR Family``), and copies exported from R replace every
    non-alphanumeric character with ``.`` (``Seed.m8``, ``Family.Conservation.``). Lower-casing
    and collapsing every run of other characters into one space gives one key for all of them.
    """
    return re.sub(r"[^a-z0-9]+", " ", column.lower()).strip()


def _first_line(path: PathLike) -> str | None:
    """The first line of a plain or gzip text file, or None when it cannot be read cheaply."""
    try:
        opener = gzip.open if is_gzip(path) else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:  # type: ignore[operator]
            return handle.readline()
    except (OSError, EOFError):
        return None  # read_delimited / read_text raise the proper error


def _read_any_tsv(path: PathLike, what: str) -> pd.DataFrame:
    """Read a tab-separated table, or the same table as exported by R's ``write.table``.

    R's default export (space-separated, every string quoted, row names as an unnamed first
    column) is how several published copies of TargetScan tables circulate; it holds the same
    content, so it is accepted too.
    """
    first = _first_line(path)
    if first is not None and first.startswith('"') and "\t" not in first and '" "' in first:
        text = read_text(path)
        try:
            frame = pd.read_csv(
                io.StringIO(text), sep=" ", quotechar='"', dtype=str, keep_default_na=False
            )
        except pd.errors.ParserError as exc:
            raise ReferenceFormatError(f"{what} could not be parsed: {exc}", path=path) from exc
        return frame.reset_index(drop=True)
    return read_delimited(path, what=what)


def _resolve_columns(
    frame: pd.DataFrame,
    spec: Mapping[str, tuple[str, ...]],
    *,
    path: PathLike,
    what: str,
    optional: Sequence[str] = (),
) -> pd.DataFrame:
    """Select and rename the columns in ``spec`` (field -> accepted spellings, official first)."""
    by_key = {}
    for column in frame.columns:
        by_key.setdefault(_header_key(column), column)
    chosen: dict[str, str] = {}
    missing: list[str] = []
    for field, spellings in spec.items():
        found = next((by_key[_header_key(s)] for s in spellings if _header_key(s) in by_key), None)
        if found is not None:
            chosen[found] = field
        elif field not in optional:
            missing.append(spellings[0])
    if missing:
        require_columns(
            frame,
            missing,
            what,
            path,
            error=ReferenceFormatError,
            line=1,
            hint="use the file as distributed, with its original header",
        )
    return frame[list(chosen)].rename(columns=chosen)


def _to_float(
    values: pd.Series,
    *,
    path: PathLike,
    column: str,
    nulls: Sequence[str] = ("", "NULL", "NA"),
    header_lines: int = 1,
) -> pd.Series:
    """Parse numbers; the null spellings become NaN; anything else that is not a number raises."""
    stripped = values.astype("str").str.strip()
    is_null = stripped.isin(list(nulls))
    numbers = pd.to_numeric(stripped.where(~is_null, None), errors="coerce").astype("float64")
    bad = numbers.isna() & ~is_null
    if bad.any():
        index = bad.idxmax()
        raise ReferenceFormatError(
            f"{column!r} is not a number",
            path=path,
            line=_row_line(index, header_lines),
            value=values.loc[index],
        )
    return numbers


def _to_int(values: pd.Series, *, path: PathLike, column: str) -> pd.Series:
    numbers = _to_float(values, path=path, column=column, nulls=())
    fractional = numbers != np.floor(numbers)
    if fractional.any():
        index = fractional.idxmax()
        raise ReferenceFormatError(
            f"{column!r} is not a whole number",
            path=path,
            line=_row_line(index),
            value=values.loc[index],
        )
    return numbers.astype("int64")


def _require_nonempty(frame: pd.DataFrame, columns: Sequence[str], *, path: PathLike) -> None:
    for column in columns:
        empty = frame[column] == ""
        if empty.any():
            index = empty.idxmax()
            raise ReferenceFormatError(
                f"row has an empty {column!r}", path=path, line=_row_line(index)
            )


def _species_name(species: str) -> str:
    """``hsa`` -> ``Homo sapiens``; a full organism name is returned unchanged."""
    if " " in species.strip():
        return species.strip()
    try:
        return SPECIES_NAMES[species]
    except KeyError:
        raise ConfigError(
            "unknown miRBase species prefix",
            value=species,
            hint=f"use one of {', '.join(sorted(SPECIES_NAMES))} or the organism name as "
            "miRTarBase prints it (e.g. 'Homo sapiens')",
        ) from None


# -------------------------------------------------------------------------------- miRTarBase --

#: Official miRTarBase header -> column of the raw table.
MIRTARBASE_COLUMNS: dict[str, str] = {
    "miRTarBase ID": "mirtarbase_id",
    "miRNA": "mirna_raw",
    "Species (miRNA)": "species_mirna",
    "Target Gene": "gene_raw",
    "Target Gene (Entrez Gene ID)": "entrez",
    "Species (Target Gene)": "species_target",
    "Experiments": "experiments",
    "Support Type": "support_type",
    "References (PMID)": "pmid",
}
#: Header spellings of other miRTarBase releases -> the name in :data:`MIRTARBASE_COLUMNS`.
#: Release 9.0 (2022) renamed the Entrez column; 8.0 and earlier write ``Entrez Gene ID``.
MIRTARBASE_ALIASES: dict[str, str] = {
    "Target Gene (Entrez ID)": "Target Gene (Entrez Gene ID)",
}
_MIRTARBASE_RAW = (
    "mirna_raw",
    "gene_raw",
    "mirtarbase_id",
    "entrez",
    "species_mirna",
    "species_target",
    "experiments",
    "support_type",
    "pmid",
)

#: miRTarBase "Support Type" (compared case-insensitively) -> evidence tier of the data model.
#: miRTarBase calls an interaction "Functional MTI" when a strong assay (reporter assay, western
#: blot, qPCR) supports it, "(Weak)" when only high-throughput screens do, and
#: "Non-Functional MTI" when an experiment found no regulation.
MIRTARBASE_TIERS: dict[str, str] = {
    "functional mti": "strong",
    "functional mti (weak)": "weak",
    "non-functional mti": "nonfunctional",
    "non-functional mti (weak)": "nonfunctional",
}
_TIER_RANK = {"strong": 0, "weak": 1, "nonfunctional": 2}


def _support_key(value: str) -> str:
    return " ".join(value.lower().split())


def _read_xlsx(path: PathLike) -> tuple[list[str], list[list[str]]]:
    """Header and rows (as strings) of the first sheet of an XLSX workbook."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    # A file object, not the path: openpyxl would otherwise insist on an .xlsx file name, and
    # the format has already been recognised by content.
    with open(path, "rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = [[cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
        except (
            zipfile.BadZipFile,
            InvalidFileException,
            KeyError,
            OSError,
            ValueError,
            EOFError,
        ) as exc:
            raise ReferenceFormatError(
                f"not a readable XLSX workbook ({exc})",
                path=path,
                hint="the download may be truncated; fetch the file again",
            ) from exc
    rows = [row for row in rows if any(row)]
    if not rows:
        raise ReferenceFormatError("miRTarBase workbook has no rows", path=path)
    return rows[0], rows[1:]


def _species_value(value: str) -> str:
    """A species cell as an organism name: miRTarBase writes ``Homo sapiens`` or ``hsa``."""
    return SPECIES_NAMES.get(value, value)


def read_mirtarbase(path: PathLike, *, species: str | None = None) -> pd.DataFrame:
    """Read the official miRTarBase table (CSV, or XLSX as on the download page).

    The format is recognised by content: a file that starts with the zip signature is an XLSX
    workbook (read with openpyxl, first sheet); anything else is read as comma-separated text,
    plain or gzip. The header must contain ``miRTarBase ID, miRNA, Species (miRNA), Target Gene,
    Target Gene (Entrez Gene ID), Species (Target Gene), Experiments, Support Type, References
    (PMID)``; releases 9.0 and 10.0 name the Entrez column ``Target Gene (Entrez ID)``
    (:data:`MIRTARBASE_ALIASES`), and both spellings are read. The species columns may hold the
    organism name (``Homo sapiens``) or the miRBase prefix (``hsa``); prefixes are written as
    organism names in the result.

    Parameters
    ----------
    path
        ``hsa_MTI.csv``, ``hsa_MTI.xlsx``, ``miRTarBase_MTI.xlsx`` or a gzip copy of the CSV.
    species
        Keep only rows whose ``Species (miRNA)`` is this organism: a miRBase prefix (``hsa``,
        ``mmu``, ``rno``) or the organism name as miRTarBase prints it. None keeps all rows.

    Returns
    -------
    pandas.DataFrame
        One row per record, in file order: ``mirna_raw, gene_raw, mirtarbase_id, entrez,
        species_mirna, species_target, experiments, support_type, pmid`` (all strings; Entrez
        IDs and PMIDs that a spreadsheet stored as numbers are written as integers).

    Raises
    ------
    ReferenceFormatError
        Unreadable workbook, empty file, wrong delimiter, missing columns, a row without miRNA or
        target gene, or a ``Support Type`` outside :data:`MIRTARBASE_TIERS`.
    ConfigError
        ``species`` is an unknown prefix.
    """
    if not Path(path).is_file():
        read_text(path)  # raises the standard 'file not found' / 'is a directory' error
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == ZIP_MAGIC:
        header, rows = _read_xlsx(path)
        width = len(header)
        frame = pd.DataFrame([(row + [""] * width)[:width] for row in rows], columns=header)
        what = "miRTarBase workbook"
    else:
        frame = read_delimited(path, sep=",", what="miRTarBase table")
        what = "miRTarBase table"
    frame = frame.rename(columns=MIRTARBASE_ALIASES)
    require_columns(
        frame,
        MIRTARBASE_COLUMNS,
        what,
        path,
        error=ReferenceFormatError,
        line=1,
        hint="use the file as distributed, with its original header",
    )
    frame = frame[list(MIRTARBASE_COLUMNS)].rename(columns=MIRTARBASE_COLUMNS)
    frame = _strip_all(frame)
    for column in ("species_mirna", "species_target"):
        frame[column] = frame[column].map(_species_value)
    frame["entrez"] = frame["entrez"].map(_clean_id)
    frame["pmid"] = frame["pmid"].map(_clean_id)
    _require_nonempty(frame, ["mirna_raw", "gene_raw"], path=path)
    unknown = ~frame["support_type"].map(_support_key).isin(MIRTARBASE_TIERS.keys())
    if unknown.any():
        index = unknown.idxmax()
        raise ReferenceFormatError(
            "unknown 'Support Type'",
            path=path,
            line=_row_line(index),
            value=frame.at[index, "support_type"],
            hint="expected Functional MTI, Functional MTI (Weak) or Non-Functional MTI",
        )
    if species is not None:
        frame = frame[frame["species_mirna"] == _species_name(species)]
    return frame[list(_MIRTARBASE_RAW)].reset_index(drop=True)


def _split_long(frame: pd.DataFrame, column: str, pattern: str) -> pd.DataFrame:
    """(mirna_raw, gene_raw, value) for every non-empty piece of ``column`` split by ``pattern``."""
    pieces = frame[column].str.split(pattern, regex=True)
    long = frame[["mirna_raw", "gene_raw"]].assign(value=pieces).explode("value")
    long["value"] = long["value"].fillna("").str.strip()
    return long[long["value"] != ""].drop_duplicates()


def collapse_mirtarbase(raw: pd.DataFrame, *, include_nonfunctional: bool = False) -> pd.DataFrame:
    """One row per (miRNA, gene) pair from the records of :func:`read_mirtarbase`.

    * ``tier``: the best tier over the pair's records, strong > weak > nonfunctional (a pair
      with one reporter-assay record is a strong pair, whatever else was reported).
    * ``n_pmids``: distinct PMIDs over the records (a cell holding several, separated by ``;``,
      ``,`` or spaces, counts each).
    * ``experiments``: distinct experiment names, sorted and ``;``-joined; miRTarBase separates
      several experiments in one cell with ``//`` or ``;``.
    * ``n_records``: records collapsed into the row.

    Parameters
    ----------
    raw
        Output of :func:`read_mirtarbase` (at least ``mirna_raw, gene_raw, experiments,
        support_type, pmid``).
    include_nonfunctional
        False (default) removes Non-Functional records *before* collapsing: they report that
        the miRNA does not regulate the gene, so they neither create a pair nor add PMIDs or
        experiments to one. True keeps them; a pair then has tier ``nonfunctional`` only when
        all its records are non-functional, and its counts include those records.

    Returns
    -------
    pandas.DataFrame
        ``mirna_raw, gene_raw, tier, n_pmids, experiments, n_records``, sorted by miRNA and gene.

    Raises
    ------
    InputError
        A ``support_type`` outside :data:`MIRTARBASE_TIERS`.
    """
    columns = ["mirna_raw", "gene_raw", "tier", "n_pmids", "experiments", "n_records"]
    tiers = raw["support_type"].map(lambda v: MIRTARBASE_TIERS.get(_support_key(str(v))))
    if tiers.isna().any():
        value = raw.loc[tiers.isna().idxmax(), "support_type"]
        raise InputError(
            "unknown miRTarBase support type",
            value=value,
            hint="expected Functional MTI, Functional MTI (Weak) or Non-Functional MTI",
        )
    frame = raw[["mirna_raw", "gene_raw", "experiments", "pmid"]].assign(
        rank=tiers.map(_TIER_RANK).astype("int64")
    )
    if not include_nonfunctional:
        frame = frame[frame["rank"] < _TIER_RANK["nonfunctional"]]
    if frame.empty:
        out = _empty(columns)
        return out.astype({"n_pmids": "int64", "n_records": "int64"})
    frame = frame.astype({"experiments": "str", "pmid": "str"})
    keys = ["mirna_raw", "gene_raw"]
    grouped = frame.groupby(keys, sort=True)
    out = grouped.agg(rank=("rank", "min"), n_records=("rank", "size")).reset_index()
    pmids = _split_long(frame, "pmid", r"[;,\s]+")
    n_pmids = pmids.groupby(keys, sort=True).size().rename("n_pmids").reset_index()
    experiments = _split_long(frame, "experiments", r"//|;").sort_values(
        [*keys, "value"], kind="stable"
    )
    # One pass over the sorted pieces; a pandas per-group join is ~30x slower at full scale.
    pieces: dict[tuple[str, str], list[str]] = {}
    for key, value in zip(
        zip(experiments["mirna_raw"].tolist(), experiments["gene_raw"].tolist(), strict=True),
        experiments["value"].tolist(),
        strict=True,
    ):
        pieces.setdefault(key, []).append(value)
    out = out.merge(n_pmids, on=keys, how="left")
    out["n_pmids"] = out["n_pmids"].fillna(0).astype("int64")
    out["experiments"] = pd.Series(
        [
            ";".join(pieces.get(key, ()))
            for key in zip(out["mirna_raw"].tolist(), out["gene_raw"].tolist(), strict=True)
        ],
        index=out.index,
        dtype="str",
    )
    rank_to_tier = {rank: tier for tier, rank in _TIER_RANK.items()}
    out["tier"] = out["rank"].map(rank_to_tier).astype("str")
    out["n_records"] = out["n_records"].astype("int64")
    return out[columns].reset_index(drop=True)


# -------------------------------------------------------------------------------- TargetScan --

_FAMILY_SPEC = {
    "family": ("miR family",),
    "seed_m8": ("Seed+m8",),
    "species_id": ("Species ID",),
    "mirna_raw": ("MiRBase ID",),
    "sequence": ("Mature sequence",),
    "family_conservation": ("Family Conservation?",),
    "accession": ("MiRBase Accession",),
}


def read_targetscan_family_info(path: PathLike) -> pd.DataFrame:
    """Read TargetScan ``miR_Family_Info.txt``: which mature miRNAs make up each seed family.

    TargetScan's site files name miRNA *families* (``miR-17-5p/20-5p/93-5p/106-5p/519-3p``);
    this table expands a family to its mature miRBase names per species. Accepted layouts: the
    official tab-separated file of releases 7.x and 8.0 (``miR family, Seed+m8, Species ID,
    MiRBase ID, Mature sequence, Family Conservation?, MiRBase Accession``), and the same table
    exported by R's ``write.table`` (``miR.family``, ``Seed.m8``, …).

    Returns
    -------
    pandas.DataFrame
        ``family, seed_m8, species_id`` (int), ``mirna_raw`` (the MiRBase ID), ``sequence``,
        ``family_conservation`` (int: 2 broadly conserved, 1 conserved among mammals, 0 poorly
        conserved, -1 other annotations, as TargetScan codes it), ``accession``; file order.
    """
    what = "TargetScan miR_Family_Info table"
    frame = _resolve_columns(_read_any_tsv(path, what), _FAMILY_SPEC, path=path, what=what)
    if frame.empty:
        raise ReferenceFormatError(f"{what} has no rows", path=path)
    frame = _strip_all(frame)
    _require_nonempty(frame, ["family", "mirna_raw"], path=path)
    frame["species_id"] = _to_int(frame["species_id"], path=path, column="Species ID")
    frame["family_conservation"] = _to_int(
        frame["family_conservation"], path=path, column="Family Conservation?"
    )
    frame["sequence"] = frame["sequence"].str.upper()
    return frame[list(_FAMILY_SPEC)].reset_index(drop=True)


_CONTEXT_SPEC = {
    "gene_id": ("Gene ID",),
    "gene_raw": ("Gene Symbol",),
    "transcript_id": ("Transcript ID",),
    "tax_id": ("Gene Tax ID", "Species ID"),
    "mirna_raw": ("miRNA",),
    "site_type": ("Site Type",),
    "utr_start": ("UTR_start", "UTR start"),
    "utr_end": ("UTR end", "UTR_end"),
    "context_score": ("weighted context++ score",),
    "pct": ("Pct", "PCT"),
}


def read_targetscan_context_scores(path: PathLike, *, species_id: int = 9606) -> pd.DataFrame:
    """Read TargetScan ``Predicted_Targets_Context_Scores.default_predictions.txt`` (one site a row).

    Headers of 7.x (``Gene ID, Gene Symbol, Transcript ID, Gene Tax ID, miRNA, Site Type,
    UTR_start, UTR end, context++ score, context++ score percentile, weighted context++ score,
    weighted context++ score percentile``) and 8.0 (the same plus ``Predicted relative KD``) are
    read, as are the spellings ``Species ID`` and ``UTR start``. The file holds the sites of
    conserved miRNA families, both conserved and nonconserved sites, for several species; rows of
    other species than ``species_id`` are dropped. It has no conservation flag; a ``Pct`` column,
    when a copy of the file has one, is kept and read as one (a number = conserved site).

    Parameters
    ----------
    species_id
        NCBI taxonomy ID to keep (9606 human, 10090 mouse, 10116 rat).

    Returns
    -------
    pandas.DataFrame
        ``mirna_raw, gene_raw, gene_id, transcript_id, site_type, utr_start, utr_end,
        context_score`` (the *weighted* context++ score, float; ``NULL`` -> NaN) and ``pct``
        (float, only when the file has a Pct column); file order.
    """
    what = "TargetScan context++ score table"
    frame = _resolve_columns(
        _read_any_tsv(path, what), _CONTEXT_SPEC, path=path, what=what, optional=("pct",)
    )
    if frame.empty:
        raise ReferenceFormatError(f"{what} has no rows", path=path)
    frame = _strip_all(frame)
    taxa = _to_int(frame["tax_id"], path=path, column="Gene Tax ID")
    frame = frame[taxa == species_id].copy()
    _require_nonempty(frame, ["mirna_raw", "gene_raw", "transcript_id"], path=path)
    frame["context_score"] = _to_float(
        frame["context_score"], path=path, column="weighted context++ score"
    )
    columns = [
        "mirna_raw",
        "gene_raw",
        "gene_id",
        "transcript_id",
        "site_type",
        "utr_start",
        "utr_end",
        "context_score",
    ]
    if "pct" in frame.columns:
        frame["pct"] = _to_float(frame["pct"], path=path, column="Pct")
        columns.append("pct")
    return frame[columns].reset_index(drop=True)


_INFO_SPEC = {
    "family": ("miR Family", "miR family"),
    "gene_id": ("Gene ID",),
    "gene_raw": ("Gene Symbol",),
    "transcript_id": ("Transcript ID",),
    "species_id": ("Species ID",),
    "utr_start": ("UTR start", "UTR_start"),
    "utr_end": ("UTR end", "UTR_end"),
    "pct": ("PCT", "Pct"),
}


def read_targetscan_info(
    path: PathLike, family_info: pd.DataFrame, *, species_id: int = 9606
) -> pd.DataFrame:
    """Read TargetScan ``Predicted_Targets_Info.default_predictions.txt`` as miRNA-level sites.

    That file lists the *conserved* sites of conserved miRNA families, one row per site and
    species (``miR Family, Gene ID, Gene Symbol, Transcript ID, Species ID, UTR start, UTR end,
    MSA start, MSA end, Seed match, PCT``). Rows of ``species_id`` are kept and each family is
    expanded to its mature miRNAs of that species through ``family_info``
    (:func:`read_targetscan_family_info`), because a site for the seed family is a site for
    every member.

    A family with no member of ``species_id`` in ``family_info`` keeps its family name as
    ``mirna_raw``: the name mapping then reports it as unmapped instead of the sites vanishing.

    Returns
    -------
    pandas.DataFrame
        ``mirna_raw, gene_raw, family, gene_id, transcript_id, utr_start, utr_end, pct``
        (float; ``NULL`` -> NaN), ordered by file row then member name.
    """
    what = "TargetScan Predicted_Targets_Info table"
    frame = _resolve_columns(_read_any_tsv(path, what), _INFO_SPEC, path=path, what=what)
    if frame.empty:
        raise ReferenceFormatError(f"{what} has no rows", path=path)
    frame = _strip_all(frame)
    species = _to_int(frame["species_id"], path=path, column="Species ID")
    frame = frame[species == species_id].copy()
    _require_nonempty(frame, ["family", "gene_raw", "transcript_id"], path=path)
    frame["pct"] = _to_float(frame["pct"], path=path, column="PCT")

    members = family_info.loc[family_info["species_id"] == species_id, ["family", "mirna_raw"]]
    members = members.drop_duplicates().sort_values(["family", "mirna_raw"], kind="stable")
    frame["row"] = np.arange(len(frame))
    merged = frame.merge(members, on="family", how="left")
    merged["mirna_raw"] = merged["mirna_raw"].fillna(merged["family"]).astype("str")
    merged = merged.sort_values(["row", "mirna_raw"], kind="stable")
    columns = [
        "mirna_raw",
        "gene_raw",
        "family",
        "gene_id",
        "transcript_id",
        "utr_start",
        "utr_end",
        "pct",
    ]
    return merged[columns].reset_index(drop=True)


def targetscan_edges(
    context_scores: pd.DataFrame | None = None, info: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Combine TargetScan sites into one row per (miRNA, gene) pair.

    ``context_score``
        TargetScan ranks a gene by the *cumulative weighted context++ score* of its
        representative transcript: the sum of the weighted context++ scores of all sites of the
        miRNA in that transcript's 3' UTR (more negative = stronger predicted repression). Here
        the sites are summed per transcript, and per gene the transcript with the lowest sum is
        kept, so a gene with several transcripts counts once, by its best-targeted UTR. Sites
        whose score is ``NULL`` count as sites but add nothing to the sum; a transcript with only
        such sites has no score (NaN).
    ``conserved``
        True when the pair has a conserved site in any transcript: a row in
        ``Predicted_Targets_Info`` (which lists conserved sites only) or a numeric Pct in the
        context scores (PCT, the probability of conserved targeting, is only computed for
        conserved sites). False when ``info`` was given or the context scores have a Pct column
        and neither shows a conserved site. Unknown (``<NA>``) when only context scores without a
        Pct column were given: that file mixes conserved and nonconserved sites without saying
        which is which.
    ``n_sites``
        Number of sites in the chosen transcript (context scores), or, for pairs known only from
        ``info``, the number of conserved sites in the transcript that has most.

    Either input alone works; with both, the pairs are the union (a pair found only in ``info``
    has a NaN ``context_score``).

    Parameters
    ----------
    context_scores
        Output of :func:`read_targetscan_context_scores`.
    info
        Output of :func:`read_targetscan_info`.

    Returns
    -------
    pandas.DataFrame
        ``mirna_raw, gene_raw, context_score`` (float), ``conserved`` (nullable boolean),
        ``n_sites`` (int), sorted by miRNA and gene.
    """
    if context_scores is None and info is None:
        raise InputError(
            "TargetScan edges need the context++ score table, the site info table, or both"
        )
    keys = ["mirna_raw", "gene_raw"]
    parts: list[pd.DataFrame] = []
    if context_scores is not None:
        grouped = context_scores.groupby([*keys, "transcript_id"], sort=True)["context_score"]
        per_tx = pd.concat(
            [grouped.sum(min_count=1), grouped.size().rename("n_sites")], axis=1
        ).reset_index()
        best = per_tx.sort_values(
            [*keys, "context_score", "transcript_id"], na_position="last", kind="stable"
        ).drop_duplicates(keys, keep="first")
        ctx = best[[*keys, "context_score", "n_sites"]]
        if "pct" in context_scores.columns:
            pct_pairs = (
                context_scores[keys]
                .assign(has_pct=context_scores["pct"].notna())
                .groupby(keys, sort=True)["has_pct"]
                .any()
            )
            ctx = ctx.merge(pct_pairs.rename("pct_conserved").reset_index(), on=keys, how="left")
        parts.append(ctx)
    if info is not None:
        per_tx = info.groupby([*keys, "transcript_id"], sort=True).size().rename("n").reset_index()
        info_pairs = (
            per_tx.groupby(keys, sort=True)["n"].max().rename("n_info").reset_index()
        ).assign(in_info=True)
        parts.append(info_pairs)

    edges = parts[0].merge(parts[1], on=keys, how="outer") if len(parts) == 2 else parts[0]
    if "context_score" not in edges.columns:
        edges["context_score"] = np.nan
    if "n_sites" not in edges.columns:
        edges["n_sites"] = edges["n_info"]
    elif "n_info" in edges.columns:
        edges["n_sites"] = edges["n_sites"].fillna(edges["n_info"])

    known = info is not None or (context_scores is not None and "pct" in context_scores.columns)
    conserved = pd.Series(False, index=edges.index)
    if "in_info" in edges.columns:
        conserved |= edges["in_info"].fillna(False).astype(bool)
    if "pct_conserved" in edges.columns:
        conserved |= edges["pct_conserved"].fillna(False).astype(bool)
    edges["conserved"] = (
        conserved.astype("boolean")
        if known
        else pd.Series(pd.NA, index=edges.index, dtype="boolean")
    )
    edges["context_score"] = edges["context_score"].astype("float64")
    edges["n_sites"] = edges["n_sites"].astype("int64")
    edges = edges.sort_values(keys, kind="stable").reset_index(drop=True)
    return edges[[*keys, "context_score", "conserved", "n_sites"]]


# ------------------------------------------------------------------------------------ miRDB --


def read_mirdb(path: PathLike, *, species: str | None = "hsa") -> pd.DataFrame:
    """Read the miRDB prediction result (``miRDB_v6.0_prediction_result.txt.gz``).

    The file has no header and three tab-separated columns: miRNA name, RefSeq accession of the
    target transcript, target score (50-100; higher = more confident). Targets stay RefSeq
    accessions here; they are mapped to genes through the gene table later.

    Parameters
    ----------
    species
        Keep miRNAs whose name starts with ``<species>-`` (the file covers human, mouse, rat, dog
        and chicken). None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``mirna_raw, refseq, score`` (float), file order.
    """
    what = "miRDB prediction table"
    first = _first_line(path)
    if first is not None and first.strip():
        fields = first.rstrip("\r\n").split("\t")
        if len(fields) != 3:
            detail = (
                "is not tab-separated"
                if len(fields) == 1
                else f"has {len(fields)} tab-separated fields, expected 3"
            )
            raise ReferenceFormatError(
                f"{what} {detail}",
                path=path,
                line=1,
                value=first.strip()[:80],
                hint="expected three tab-separated columns: miRNA, RefSeq accession, score",
            )
    frame = read_delimited(path, what=what, header=None, names=["mirna_raw", "refseq", "score"])
    frame = _strip_all(frame)
    _require_nonempty_headerless(frame, ["mirna_raw", "refseq", "score"], path=path)
    scores = _to_float(frame["score"], path=path, column="score", nulls=(), header_lines=0)
    frame["score"] = scores
    if species is not None:
        frame = frame[frame["mirna_raw"].str.startswith(f"{species}-")]
    return frame.reset_index(drop=True)


def _require_nonempty_headerless(
    frame: pd.DataFrame, columns: Sequence[str], *, path: PathLike
) -> None:
    for column in columns:
        empty = frame[column] == ""
        if empty.any():
            raise ReferenceFormatError(
                f"row has no {column!r} field",
                path=path,
                line=int(empty.idxmax()) + 1,
                hint="expected three tab-separated columns: miRNA, RefSeq accession, score",
            )


# --------------------------------------------------------------- Enrichr-style libraries --


def read_mirna_library(path: PathLike, *, name: str, species: str | None = None) -> pd.DataFrame:
    """Read an Enrichr-style miRNA->target library (GMT-like text).

    Each line is a term (the miRNA name, e.g. ``hsa-miR-21-5p``), a description that Enrichr
    leaves empty, then the target genes, all tab-separated; lines may end with a tab. Enrichr's
    text export may append a weight to each gene (``PTEN,1.0``); the weight is removed.

    Parameters
    ----------
    name
        Library name written into the ``library`` column (e.g. ``miRTarBase_2017``).
    species
        Keep terms whose name starts with ``<species>-``; None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``mirna_raw, gene_raw, library``; one row per distinct pair, sorted by miRNA and gene.

    Raises
    ------
    ReferenceFormatError
        Empty file, or a line that is not tab-separated (names the line).
    """
    text = read_text(path)
    mirnas: list[str] = []
    genes: list[str] = []
    n_lines = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        n_lines += 1
        fields = line.split("\t")
        if len(fields) < 2:
            raise ReferenceFormatError(
                "line is not tab-separated '<miRNA><TAB><description><TAB><gene>…'",
                path=path,
                line=line_no,
                value=line[:80],
                hint="give the library in Enrichr/GMT text layout",
            )
        term = fields[0].strip()
        if not term:
            raise ReferenceFormatError("line has an empty term name", path=path, line=line_no)
        if species is not None and not term.startswith(f"{species}-"):
            continue
        for field in fields[2:]:
            gene = field.split(",", 1)[0].strip()
            if gene:
                mirnas.append(term)
                genes.append(gene)
    if n_lines == 0:
        raise ReferenceFormatError("miRNA library has no lines", path=path)
    frame = pd.DataFrame({"mirna_raw": mirnas, "gene_raw": genes}, dtype="str")
    frame = frame.drop_duplicates().sort_values(["mirna_raw", "gene_raw"], kind="stable")
    frame["library"] = name
    return frame.astype("str").reset_index(drop=True)


# ----------------------------------------------------------------------------- pair tables --


def read_pairs(
    path: PathLike,
    *,
    name: str,
    mirna_column: str | None = None,
    gene_column: str | None = None,
) -> pd.DataFrame:
    """Read a miRNA/gene pair table with a header row (tab- or comma-separated).

    Example: the TargetScan 7.0 pairs of the PTC package (``miRNA_miRBase_v21``,
    ``target_symbol``). The delimiter is taken from the header line (tab if it has one, else
    comma). Exact duplicate pairs collapse to one row.

    Parameters
    ----------
    name
        Source name written into the ``library`` column.
    mirna_column, gene_column
        Header names of the two columns; default the first and the second column.

    Returns
    -------
    pandas.DataFrame
        ``mirna_raw, gene_raw, library``; one row per distinct pair, sorted by miRNA and gene.

    Raises
    ------
    ReferenceFormatError
        Empty file, a header with neither tab nor comma, a named column that is absent, or a row
        with an empty miRNA or gene (names the line).
    """
    what = "miRNA-gene pair table"
    first = _first_line(path)
    sep = "\t"
    if first is not None and first.strip():
        if "\t" in first:
            sep = "\t"
        elif "," in first:
            sep = ","
        else:
            raise ReferenceFormatError(
                f"{what} header is neither tab- nor comma-separated",
                path=path,
                line=1,
                value=first.strip()[:80],
                hint="save the table with a header and tab or comma between the columns",
            )
    required = [c for c in (mirna_column, gene_column) if c is not None]
    # The header holds the delimiter, so the table has at least two columns.
    frame = read_delimited(path, sep=sep, required=required, what=what)
    mcol = mirna_column if mirna_column is not None else frame.columns[0]
    gcol = gene_column if gene_column is not None else frame.columns[1]
    pairs = pd.DataFrame(
        {
            "mirna_raw": frame[mcol].astype("str").str.strip(),
            "gene_raw": frame[gcol].astype("str").str.strip(),
        }
    )
    _require_nonempty(pairs, ["mirna_raw", "gene_raw"], path=path)
    pairs = pairs.drop_duplicates().sort_values(["mirna_raw", "gene_raw"], kind="stable")
    pairs["library"] = name
    return pairs.astype("str").reset_index(drop=True)


# ------------------------------------------------------------- stem-level evidence tables --

#: Columns of a stem-level evidence table (field -> accepted header spellings, official first):
#: the miRTarBase 8.0 stem table of the miRetrieve package (``miRNA_tarbase``, ``Target``,
#: ``PMID``).
_STEM_SPEC = {
    "stem": ("miRNA_tarbase", "stem", "mirna_stem"),
    "gene_raw": ("Target", "gene", "target_gene"),
    "pmid": ("PMID", "pubmed_id"),
}


def read_stem_pmids(path: PathLike) -> pd.DataFrame:
    """Read a stem-level evidence table: miRNA stem, target gene, PMID, one row a record.

    Example: the miRTarBase 8.0 table of the miRetrieve package, whose stems carry no arm and
    no species (``miR-21`` stands for every miR-21 of every species), whose targets mix the
    species' symbols, and whose rows repeat one record per experiment. Rows are kept as they
    are (empty stems too): the mapping to mature miRNAs, the audit of what does not map and
    the de-duplication of PMIDs happen in :func:`exomir.targets.normalise_stem_evidence`.

    Returns
    -------
    pandas.DataFrame
        ``stem, gene_raw, pmid`` (strings; ``pmid`` digits only).

    Raises
    ------
    ReferenceFormatError
        Empty file, a missing column, or a row whose PMID is empty or not a number (names the
        line).
    """
    what = "stem-level evidence table"
    frame = _strip_all(_read_any_tsv(path, what))
    frame = _resolve_columns(frame, _STEM_SPEC, path=path, what=what)
    frame["pmid"] = frame["pmid"].map(_clean_id)
    bad = ~frame["pmid"].str.fullmatch(r"\d+")
    if bad.any():
        row = bad.idxmax()
        raise ReferenceFormatError(
            "PMID is not a number",
            path=path,
            line=_row_line(row),
            value=frame.at[row, "pmid"],
            hint="expected columns miRNA stem, target gene, PubMed ID (digits)",
        )
    return frame[list(_STEM_SPEC)].reset_index(drop=True)
