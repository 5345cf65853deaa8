"""The miRNA-set sheet: reading and checking ``config/mirna_sets.tsv``.

The sheet is long format, one row per (set, miRNA)::

    set            msc_source      mirna        weight  note
    bone_marrow    bone_marrow     miR-21       12.5    Review A, section 3, ref. 40
    umbilical_cord umbilical_cord  miR-125b-5p          Review B, table 1

``weight`` is optional (an abundance such as reads per million; empty means 1) and ``note`` is
free text. The JSON schema (``workflow/schemas/mirna_sets.schema.yaml``) checks each row's types;
this module checks what a per-row schema cannot: the header, duplicate rows (names compared by
:func:`exomir.names.duplicate_key`: case-insensitively, but the precursor ``hsa-mir-21`` is not
the mature ``hsa-miR-21``), a set mapped to two
MSC sources, a set whose weights are all 0, a set name that would overwrite a fixed result file
(:data:`RESERVED_SET_NAMES`), and an empty sheet, each reported with the sheet's line numbers.

Sheets are tab-separated text: a quote character is part of the cell, never the start of a
quoted field (a note such as ``"Table 2, from review`` must not swallow the lines after it).
Encodings and line ends are those :func:`exomir._io.read_sheet_text` accepts.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

import pandas as pd

from ._io import read_sheet_text
from .errors import InputError
from .names import duplicate_key
from .tables import SETS

REQUIRED_COLUMNS = SETS.needed
OPTIONAL_COLUMNS = SETS.optional
SET_NAME = re.compile(r"^[A-Za-z0-9_]+$")
SOURCE_NAME = re.compile(r"^[a-z0-9_]+$")

#: Set names that are stems of fixed files under ``results/``, next to the per-set files of the
#: same directory: a set of that name would overwrite the file, or be overwritten by it. They
#: are compared case-insensitively, as on macOS and Windows file systems.
RESERVED_SET_NAMES = frozenset(
    {
        "mirna_sets",  # sets/mirna_sets.tsv
        "all_edges",  # targets/all_edges.parquet
        "sources",  # targets/sources.tsv
        "mirna_scores",  # enrichment/mirna_scores.npz
        "pvalues",  # calibration/pvalues.tsv
        "summary",  # calibration/summary.tsv, signatures/summary.tsv
        "overlap_mirnas",  # compare/overlap_mirnas.tsv
        "overlap_targets",  # compare/overlap_targets.tsv
        "references",  # references.tsv
        "index",  # report/index.html
        "significant_comparisons",  # report/significant_comparisons.tsv
        "tables",  # report/tables/ (the tables the report links to)
    }
)
#: Joins two set names in the comparison files (``compare/{a}__vs__{b}.tsv``).
PAIR_SEPARATOR = "__vs__"


def read_mirna_sets(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check a miRNA-set sheet.

    Returns
    -------
    DataFrame
        Columns ``set, msc_source, mirna, weight, note, line``; ``weight`` is a float (1.0 where
        empty) and ``line`` is the row's line number in the sheet, kept for later messages.

    Raises
    ------
    InputError
        For a missing column, an empty sheet, an empty or malformed cell, a negative or
        non-numeric weight, a duplicate (set, miRNA) row (names compared by
        :func:`exomir.names.duplicate_key`),
        a set whose rows name different MSC sources, a set whose weights are all 0, a reserved
        set name (:data:`RESERVED_SET_NAMES`) or one holding ``__vs__``, and a file that is not
        UTF-8 or UTF-16 with a byte-order mark. The message names the sheet and line.
    """
    rows = sheet_rows(path, "miRNA-set sheet", comments=True)
    if not rows:
        raise InputError("the miRNA-set sheet is empty", path=path, hint=_HINT)
    header_line, header = rows[0]
    header = [h.strip() for h in header]
    check_tab_separated(header, path, header_line, "miRNA-set sheet", hint=_HINT)
    check_header(header, REQUIRED_COLUMNS, path, header_line, hint=_HINT)
    records = [
        _check_row(row_values(row, header, path, line), path, line) for line, row in rows[1:]
    ]
    if not records:
        raise InputError("the miRNA-set sheet has a header but no rows", path=path, hint=_HINT)
    frame = pd.DataFrame.from_records(records)
    _check_duplicates(frame, path)
    _check_sources(frame, path)
    _check_weights(frame, path)
    return frame


def sheet_rows(
    path: str | os.PathLike[str], what: str, *, comments: bool
) -> list[tuple[int, list[str]]]:
    """The rows of a tab-separated sheet (:func:`numbered_rows` of its text).

    The text is read by :func:`exomir._io.read_sheet_text`, so an empty file, an encoding
    other than UTF-8 or UTF-16 with a byte-order mark, or a truncated archive is an error
    naming the file (as ``what``).
    """
    return numbered_rows(read_sheet_text(path, what), comments=comments)


def numbered_rows(text: str, *, comments: bool) -> list[tuple[int, list[str]]]:
    """Tab-separated rows with their 1-based line numbers; blank (and ``#`` comment) lines
    skipped, so that line numbers stay those of the file.

    Cells are split on tabs only, and a line is always one row: a quote character is text,
    so an unmatched ``"`` in a note cannot join the lines after it into one cell. A cell that
    is wholly enclosed in double quotes, as R's ``write.table`` and some spreadsheets write
    them, loses the enclosing pair (and ``""`` inside it becomes ``"``).
    """
    out = []
    for index, line in enumerate(text.split("\n")):
        row = [_unquote(cell) for cell in line.split("\t")]
        if not any(cell.strip() for cell in row):
            continue
        if comments and row[0].lstrip().startswith("#"):
            continue
        out.append((index + 1, row))
    return out


def _unquote(cell: str) -> str:
    stripped = cell.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped[1:-1].replace('""', '"')
    return cell


def check_set_name(name: str, path: object, line: int) -> None:
    """A set name is a file name: letters, digits and ``_``, not reserved, no ``__vs__``."""
    if not SET_NAME.match(name):
        raise InputError(
            "set names may contain only letters, digits and '_'",
            path=path,  # type: ignore[arg-type]
            line=line,
            value=name,
            hint="the set name becomes a file name",
        )
    if name.lower() in RESERVED_SET_NAMES:
        raise InputError(
            f"the set name {name!r} is reserved: the results already hold a file of that name",
            path=path,  # type: ignore[arg-type]
            line=line,
            hint="rename the set; reserved names are " + ", ".join(sorted(RESERVED_SET_NAMES)),
        )
    if PAIR_SEPARATOR in name:
        raise InputError(
            f"set names may not contain {PAIR_SEPARATOR!r}, which joins two set names in the "
            "comparison files",
            path=path,  # type: ignore[arg-type]
            line=line,
            value=name,
            hint="rename the set",
        )


def check_tab_separated(
    header: list[str], path: object, line: int, what: str, *, hint: str | None = None
) -> None:
    """A header that is one field holding commas or semicolons: the file is not tab-separated."""
    if len(header) == 1 and any(sep in header[0] for sep in (",", ";")):
        raise InputError(
            f"the {what} must be tab-separated; its header has no tab",
            path=path,  # type: ignore[arg-type]
            line=line,
            hint=hint or f"save the {what} as tab-separated text",
        )


def check_header(
    header: list[str], required: tuple[str, ...], path: object, line: int, *, hint: str
) -> None:
    """Every ``required`` column is in ``header``, or an error listing the missing and found."""
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"column(s) {', '.join(missing)} missing from the header; found {', '.join(header)}",
            path=path,  # type: ignore[arg-type]
            line=line,
            hint=hint,
        )


def row_values(row: list[str], header: list[str], path: object, line: int) -> dict[str, str]:
    """One row as {column: stripped value}; more fields than the header is an error."""
    if len(row) > len(header):
        raise InputError(
            f"{len(row)} fields but the header has {len(header)}",
            path=path,  # type: ignore[arg-type]
            line=line,
            hint="remove the extra tab(s)",
        )
    return dict(zip(header, (c.strip() for c in row), strict=False))


_HINT = "the sheet needs tab-separated columns set, msc_source, mirna and optionally weight, note"


def _check_row(values: dict[str, str], path: str | os.PathLike[str], line: int) -> dict:
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            raise InputError(f"empty {column!r}", path=path, line=line, hint=_HINT)
    name = values["set"]
    check_set_name(name, path, line)
    source = values["msc_source"]
    if not SOURCE_NAME.match(source):
        raise InputError(
            "msc_source must be lower case letters, digits and '_' (e.g. bone_marrow)",
            path=path,
            line=line,
            value=source,
        )
    raw_weight = values.get("weight", "")
    weight = 1.0
    if raw_weight:
        try:
            weight = float(raw_weight)
        except ValueError:
            raise InputError(
                "weight must be a number (e.g. reads per million) or empty",
                path=path,
                line=line,
                value=raw_weight,
            ) from None
        if not weight >= 0 or weight == float("inf"):
            raise InputError(
                "weight must be a finite number >= 0", path=path, line=line, value=raw_weight
            )
    return {
        "set": name,
        "msc_source": source,
        "mirna": values["mirna"],
        "weight": weight,
        "note": values.get("note", ""),
        "line": line,
    }


#: How the duplicate checks of the set sheet and the count table compare miRNA names.
DUPLICATE_RULE = (
    "names are compared case-insensitively, except that a species prefix with a lower-case "
    "'mir' (hsa-mir-21) names the precursor, which is not the mature miRNA (hsa-miR-21)"
)


def _check_duplicates(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    seen: dict[tuple[str, str], int] = {}
    problems = []
    for row in frame.itertuples(index=False):
        key = (row.set, duplicate_key(row.mirna))
        if key in seen:
            problems.append(
                f"line {row.line} repeats {row.mirna!r} of set {row.set!r} (line {seen[key]})"
            )
        else:
            seen[key] = row.line
    if problems:
        raise InputError(
            "duplicate rows: " + "; ".join(problems),
            path=path,
            hint="list each miRNA once per set (add weights together if they are replicates); "
            + DUPLICATE_RULE,
        )


def _check_sources(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    sources: dict[str, dict[str, int]] = defaultdict(dict)
    for row in frame.itertuples(index=False):
        sources[row.set].setdefault(row.msc_source, row.line)
    for name, found in sources.items():
        if len(found) > 1:
            listed = ", ".join(f"{s!r} (line {ln})" for s, ln in found.items())
            raise InputError(
                f"set {name!r} names more than one msc_source: {listed}",
                path=path,
                hint="a set is the cargo of one MSC source; give each source its own set",
            )


def _check_weights(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """A set whose weights are all 0 would deliver nothing: its signatures cannot be scored."""
    for name, rows in frame.groupby("set", sort=False):
        if not (rows["weight"] > 0).any():
            lines = ", ".join(str(n) for n in rows["line"])
            raise InputError(
                f"every miRNA of set {name!r} has weight 0 (line(s) {lines})",
                path=path,
                hint="give at least one miRNA of the set a positive weight, or leave the weight "
                "column empty (weight 1); a weight of 0 keeps a miRNA in the enrichment but "
                "takes it out of the signatures",
            )


def set_names(frame: pd.DataFrame) -> list[str]:
    """Set names in the order they first appear in the sheet."""
    return list(dict.fromkeys(frame["set"]))


def set_sources(frame: pd.DataFrame) -> dict[str, str]:
    """Map each set to its MSC source."""
    return dict(zip(frame["set"], frame["msc_source"], strict=True))
