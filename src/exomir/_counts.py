"""Abundance input: miRNA count tables and sample sheets to miRNA sets.

Besides a hand-written set sheet (:mod:`exomir.sets`), exomir accepts what a small-RNA
sequencing experiment of exosomes produces: a **count table** (miRNA x samples) and a
**sample sheet** that says which MSC source, and which set, each sample belongs to. The sets
are then built by a documented rule, and each miRNA's abundance travels on as its ``weight``
(results/targets/{set}.tsv), where the weighted prerank (:mod:`exomir._prerank`) uses it.

Count table
-----------
The file a quantifier wrote, read as it is (:data:`COUNT_LAYOUTS`, ``abundance.format``;
``auto`` recognises the layout from the header): miRDeep2's
``miRNAs_expressed_all_samples_<time>.csv`` (one row per mature x precursor pair), mirtop's
``counts`` table as nf-core/smrnaseq joins it (one row per isomiR), nf-core/smrnaseq's edgeR
``mature_counts.csv`` (samples as rows), sRNAbench's ``mature_sense.grouped`` (one sample per
file; give a list of files) and exceRpt's ``exceRpt_miRNA_ReadCounts.txt`` (read groups
``a|b``). Each layout's ``collapse`` says how rows that are one miRNA are combined, and its
``source`` the repository and file the layout was read from. Anything else is read as a
**plain** table: tab-separated, plain or gzip, one header line, then one line per miRNA::

    miRNA              BM_1   BM_2   AD_1
    hsa-miR-21-5p      15230  9881   20417
    hsa-let-7a-5p      8120   7311   6650

* the first column holds the miRNA names in any spelling the name layer resolves
  (``hsa-miR-21-5p``, ``miR-21``, ``hsa-mir-21``, ``MIMAT0000076``); its header cell is free
  (``miRNA`` or empty);
* a header with one field fewer than the rows (R's ``write.table`` with row names) is read as
  having an empty first header cell;
* counts are integers or decimals (multi-mapping reads are often split into fractions) >= 0;
  write 0 for a miRNA not detected in a sample;
* a miRNA listed twice is an error; names are compared by :func:`exomir.names.duplicate_key`
  (case-insensitively, but the precursor ``hsa-mir-21`` is not the mature ``hsa-miR-21``).

When a file matches no layout and does not read as a plain table either, the error lists every
quantifier layout and what it needs.

Sample sheet
------------
Tab-separated, with columns ``sample`` (a column name of the count table), ``msc_source``
(``bone_marrow``, ``adipose``, ...) and optionally ``set`` (the set the sample contributes to;
empty or absent means the set is named after the MSC source). Other columns (donor, batch, ...)
are allowed and ignored; lines starting with ``#`` and blank lines are skipped. Every sample of
the count table must be listed, and every listed sample must be in the count table, so that no
sample is left out without the user deciding it.

Set-building rules (:func:`sets_from_counts`)
---------------------------------------------
Counts are first scaled to **counts per million (CPM)** by the library size of each sample,
which is the sample's column total in the count table (the reads assigned to miRNAs, the usual
normalisation of miRNA count tables: total sequenced reads include adapters, rRNA and other
small RNAs that vary between exosome preparations for reasons unrelated to the miRNA cargo).
Then, for each set (the samples that the sample sheet assigns to it):

* ``rule="cpm"``: a miRNA is *detected* in a sample when it has reads there and its CPM is at
  least ``min_cpm``; it enters the set when it is detected in at least ``min_fraction`` of the
  set's samples (``detected / n >= min_fraction``). This is the usual filter of small-RNA
  studies ("CPM >= 100 in at least half of the samples") and keeps miRNAs that are abundant
  consistently, not in one sample only.
* ``rule="top_n"``: the ``top_n`` miRNAs with the highest mean CPM over the set's samples
  (only miRNAs with reads); useful when sources are sequenced to very different depths and one
  wants sets of equal size. Ties in mean CPM are broken by name (case-insensitive, then exact),
  so the set is reproducible; the note of each miRNA carries its mean CPM, so that a cut between
  two equally abundant miRNAs is visible.

The ``weight`` of a miRNA is its **mean CPM over all samples of the set** (including samples
where it was not detected), so that it estimates the miRNA's share of the exosomal cargo. Rows
are ordered by set (order of first appearance in the sample sheet), then by weight (highest
first), then by name. The result has exactly the columns of
:func:`exomir.sets.read_mirna_sets`, so the rest of the workflow cannot tell the two inputs
apart; :func:`write_mirna_sets` writes it as a sheet.
"""

from __future__ import annotations

import csv
import logging
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._io import read_sheet_text, write_text, write_tsv
from ._schema import require_keys, schema_defaults
from .errors import ConfigError, InputError
from .names import duplicate_key, name_kind
from .sets import (
    DUPLICATE_RULE,
    SOURCE_NAME,
    check_header,
    check_set_name,
    check_tab_separated,
    numbered_rows,
    read_mirna_sets,
    row_values,
    sheet_rows,
)
from .tables import SETS, require_columns

logger = logging.getLogger(__name__)

#: Columns of a set sheet as :func:`exomir.sets.read_mirna_sets` returns it: the sheet's
#: columns (:data:`exomir.tables.SETS`) and the line each row was read from.
SHEET_COLUMNS = (*SETS.columns, "line")
#: Columns of a sample sheet as :func:`read_samples` returns it.
SAMPLE_COLUMNS = ("sample", "msc_source", "set", "line")
#: Set-building rules of :func:`sets_from_counts`.
RULES = ("cpm", "top_n")

_COUNTS_HINT = (
    "the count table needs a header (a first cell, then one sample name per column) and one "
    "tab-separated line per miRNA: its name, then one count per sample"
)
_SAMPLES_HINT = "the sample sheet needs tab-separated columns sample, msc_source and optionally set"


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountLayout:
    """One count-table layout that :func:`read_counts` reads (``abundance.format``).

    ``tool`` names the quantifier and file, ``needs`` what ``format: auto`` looks for (it is
    quoted in the error for a file that matches no layout), ``collapse`` how rows that are one
    miRNA are combined, and ``source`` the public repository and file the layout was read from.
    """

    name: str
    tool: str
    needs: str
    collapse: str
    source: str


#: The layouts of :func:`read_counts`, in the order ``format: auto`` tries them; ``plain`` is
#: the fallback for any other tab-separated miRNA x samples table.
COUNT_LAYOUTS: dict[str, CountLayout] = {
    layout.name: layout
    for layout in (
        CountLayout(
            "mirdeep2",
            "miRDeep2 quantifier.pl (miRNAs_expressed_all_samples_<time>.csv)",
            "a tab-separated header starting '#miRNA, read_count, precursor'",
            "one row per (mature, precursor) pair: each sample keeps the largest count of a "
            "mature miRNA over its precursors (the same reads are counted for every precursor)",
            "rajewsky-lab/mirdeep2 src/quantifier.pl (PrintExpressionValuesSamples)",
        ),
        CountLayout(
            "mirtop",
            "mirtop counts / nf-core/smrnaseq joined_samples_mirtop.tsv",
            "a tab-separated header 'UID, Read, miRNA, Variant, iso_..., <samples>'",
            "one row per isomiR sequence: the first row of each UID is kept and the rows of a "
            "miRNA are summed, as nf-core/smrnaseq's collapse_mirtop.r does for mirna.tsv",
            "miRTop/mirtop mirtop/gff/convert.py; nf-core/smrnaseq bin/collapse_mirtop.r",
        ),
        CountLayout(
            "edger",
            "nf-core/smrnaseq edgeR mature_counts.csv (samples as rows)",
            "a comma-separated header with an empty first cell, then one miRNA per column",
            "one row per sample, transposed to one row per miRNA",
            "nf-core/smrnaseq bin/edgeR_miRBase.r (write.csv(t(data)))",
        ),
        CountLayout(
            "srnabench",
            "sRNAbench mature_sense.grouped / mature_sense_SA.grouped (one sample per file)",
            "a tab-separated header 'name, unique reads, ...' with 'read count (mult. map. "
            "adj.)' or 'read count (MA)'",
            "the multiple-mapping adjusted count is read and the rows of one name are summed "
            "(as exceRpt's merge of sRNAbench output does); the sample is the file's folder",
            "bioinfoUGR/sRNAtoolbox exec/sRNAbench.jar (libs/Util getGroupedHeader); "
            "gersteinlab/exceRpt mergePipelineRuns.R (readData)",
        ),
        CountLayout(
            "excerpt",
            "exceRpt merge exceRpt_miRNA_ReadCounts.txt",
            "a tab-separated table with an empty first header cell and miRNA IDs such as "
            "'hsa-miR-21-5p', 'hsa-miR-21-5p:hsa-mir-21' or 'hsa-miR-199a-3p|hsa-miR-199b-3p' "
            "(or a file named exceRpt_*)",
            "an ID 'a:b' is the miRNA before the first ':'; the count of 'a|b' (reads equally "
            "good for several miRNAs) is split equally among them; rows of one miRNA are summed",
            "gersteinlab/exceRpt mergePipelineRuns_functions.R (write.table(exprs.miRNA))",
        ),
        CountLayout(
            "plain",
            "a plain miRNA x samples table (nf-core/smrnaseq mirtop mirna.tsv, or merged by hand)",
            "a tab-separated header (a first cell, then one sample per column) and one line "
            "per miRNA with a count per sample",
            "none: a miRNA listed twice is an error",
            "nf-core/smrnaseq bin/collapse_mirtop.r (mirna.tsv)",
        ),
    )
}
#: Values of ``abundance.format``.
COUNT_FORMATS = ("auto", *COUNT_LAYOUTS)


@dataclass
class _Parsed:
    """A count table as read, before the shared checks of :func:`read_counts`."""

    names: list[str]
    lines: list[int]
    samples: list[str]
    values: np.ndarray
    header_line: int = 1
    notes: list[str] = field(default_factory=list)


def read_counts(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], format: str = "auto"
) -> pd.DataFrame:
    """Read a miRNA count table (miRNA x samples) in one of :data:`COUNT_LAYOUTS`.

    Parameters
    ----------
    path
        The table, plain or gzip; or several tables (e.g. one sRNAbench file per sample),
        joined on the miRNA name (a miRNA missing from one table counts 0 there).
    format
        ``auto`` (detect the layout from the header; module docstring) or a layout name.

    Returns
    -------
    DataFrame
        One row per miRNA (index ``mirna``, names as written), one float column per sample
        (column index ``sample``), both in file order. ``attrs`` keeps ``path``, ``format``
        (the layout read) and ``notes`` (what collapsing rows did) for later messages.

    Raises
    ------
    InputError
        For a missing or empty file, a file that matches no layout (naming the layouts
        tried and what each needs), a header without sample columns, an empty or duplicate
        sample name, a line with the wrong number of fields, an empty miRNA name, a count that
        is not a finite number (naming the line, the sample and its column) or is negative, a
        miRNA listed twice (:func:`exomir.names.duplicate_key`), or no miRNA lines.
    ConfigError
        For an unknown ``format``.
    """
    if format not in COUNT_FORMATS:
        raise ConfigError(
            "unknown count-table layout abundance.format",
            value=format,
            hint=f"use one of {', '.join(COUNT_FORMATS)}",
        )
    if not isinstance(path, str | os.PathLike):
        return _join_tables([read_counts(p, format) for p in path])
    text = read_sheet_text(path, "count table")
    layout = _detect(text, path)
    if format != "auto" and layout != format and format not in ("plain", "excerpt"):
        wanted = COUNT_LAYOUTS[format]
        raise InputError(
            f"the count table is not in the {wanted.tool} layout, which needs {wanted.needs}",
            path=path,
            hint=f"check the file, or set abundance.format: auto (it reads as {layout!r})",
        )
    layout = layout if format == "auto" else format
    try:
        parsed = _READERS[layout](text, path)
    except InputError as exc:
        if format != "auto" or layout != "plain":
            raise
        raise InputError(
            exc.problem,
            path=exc.path,
            line=exc.line,
            value=exc.value,
            hint=(exc.hint + "; " if exc.hint else "")
            + "the file was read as a plain miRNA x samples table because its header ("
            + _header_text(text)
            + ") matches none of the quantifier layouts: "
            + _tried(),
        ) from None
    frame = _checked(parsed, path)
    frame.attrs["format"] = layout
    for note in parsed.notes:
        logger.info("%s: %s", path, note)
    return frame


def _header_text(text: str, limit: int = 8) -> str:
    """The first line's cells, quoted, for a message."""
    rows = numbered_rows(text, comments=False)
    cells = [cell.strip() for cell in rows[0][1]] if rows else []
    shown = ", ".join(cells[:limit]) + (", ..." if len(cells) > limit else "")
    return f"'{shown}'"


def _tried() -> str:
    return "; ".join(
        f"{layout.tool} (format {layout.name}) needs {layout.needs}"
        for layout in COUNT_LAYOUTS.values()
        if layout.name != "plain"
    )


def _detect(text: str, path: str | os.PathLike[str]) -> str:
    """The layout of a count table, from its first line (and its name, for exceRpt)."""
    rows = numbered_rows(text, comments=False)
    if not rows:
        raise InputError("the count table is empty", path=path, hint=_COUNTS_HINT)
    header = [cell.strip() for cell in rows[0][1]]
    if len(header) == 1 and "," in header[0]:
        first = next(csv.reader([text.lstrip().split("\n", 1)[0]]))
        if len(first) > 1 and not first[0].strip():
            return "edger"
        raise InputError(
            "the count table must be tab-separated; its header has no tab, and a "
            "comma-separated table is read only as "
            + COUNT_LAYOUTS["edger"].tool
            + ", which needs "
            + COUNT_LAYOUTS["edger"].needs,
            path=path,
            line=rows[0][0],
            hint="save the count table as tab-separated text",
        )
    if header[:3] == ["#miRNA", "read_count", "precursor"]:
        return "mirdeep2"
    if header and header[0] == "name" and _SRNABENCH_COUNTS & set(header):
        return "srnabench"
    if any(row[1][:4] == list(_MIRTOP_HEADER) for row in rows):
        return "mirtop"
    if Path(path).name.startswith("exceRpt_") or (
        header and not header[0] and any(set(row[1][0]) & {"|", ":"} for row in rows[1:])
    ):
        return "excerpt"
    return "plain"


def _join_tables(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Tables of the same miRNAs side by side (outer join on the name; missing = 0)."""
    seen: dict[str, str] = {}
    for frame in frames:
        for sample in frame.columns:
            if sample in seen:
                raise InputError(
                    f"sample {sample!r} is in two count tables: {seen[sample]} and "
                    f"{frame.attrs['path']}",
                    hint="give each sample one table (sRNAbench: one output folder per sample)",
                )
            seen[sample] = frame.attrs["path"]
    joined = pd.concat(frames, axis=1, join="outer", sort=False).fillna(0.0)
    joined.index.name, joined.columns.name = "mirna", "sample"
    joined.attrs["path"] = ", ".join(str(f.attrs["path"]) for f in frames)
    joined.attrs["format"] = ", ".join(dict.fromkeys(f.attrs["format"] for f in frames))
    joined.attrs["notes"] = [note for f in frames for note in f.attrs.get("notes", [])]
    return joined


def _checked(parsed: _Parsed, path: object) -> pd.DataFrame:
    """The checks every layout shares: sample names, miRNA names and duplicates."""
    samples = parsed.samples
    if not samples:
        raise InputError(
            "the count table has no sample columns",
            path=path,  # type: ignore[arg-type]
            line=parsed.header_line,
            hint=_COUNTS_HINT,
        )
    for column, sample in enumerate(samples, start=2):
        if not sample:
            raise InputError(
                f"column {column} of the header has no sample name",
                path=path,  # type: ignore[arg-type]
                line=parsed.header_line,
                hint="give every count column a sample name",
            )
    seen_samples: dict[str, int] = {}
    repeated = []
    for column, sample in enumerate(samples, start=2):
        if sample in seen_samples:
            repeated.append(f"{sample!r} (columns {seen_samples[sample]} and {column})")
        else:
            seen_samples[sample] = column
    if repeated:
        raise InputError(
            "duplicate sample column(s): " + ", ".join(repeated),
            path=path,  # type: ignore[arg-type]
            line=parsed.header_line,
            hint="each sample needs its own, unique column name",
        )
    if not parsed.names:
        raise InputError("the count table has a header but no miRNA lines", path=path)  # type: ignore[arg-type]
    first_line: dict[str, tuple[int, str]] = {}
    duplicates = []
    for line, name in zip(parsed.lines, parsed.names, strict=True):
        if not name:
            raise InputError("empty miRNA name in the first column", path=path, line=line)  # type: ignore[arg-type]
        key = duplicate_key(name)
        if key in first_line:
            duplicates.append(
                f"line {line} repeats {name!r} (line {first_line[key][0]}: {first_line[key][1]!r})"
            )
        else:
            first_line[key] = (line, name)
    if duplicates:
        raise InputError(
            "miRNA(s) listed twice: " + "; ".join(duplicates),
            path=path,  # type: ignore[arg-type]
            hint="list each miRNA once (add the counts of rows that are the same miRNA); "
            + DUPLICATE_RULE,
        )
    frame = pd.DataFrame(
        parsed.values,
        index=pd.Index(parsed.names, name="mirna", dtype=object),
        columns=pd.Index(samples, name="sample", dtype=object),
    )
    frame.attrs["path"] = str(path)
    frame.attrs["notes"] = list(parsed.notes)
    return frame


def _read_plain(text: str, path: object) -> _Parsed:
    rows = numbered_rows(text, comments=False)
    if not rows:
        raise InputError("the count table is empty", path=path, hint=_COUNTS_HINT)  # type: ignore[arg-type]
    header_line, header = rows[0]
    header = [cell.strip() for cell in header]
    check_tab_separated(header, path, header_line, "count table")
    data = rows[1:]
    if data and len(data[0][1]) == len(header) + 1:
        # R's write.table(row.names = TRUE) leaves the row-name column without a header cell.
        header = ["", *header]
    samples = header[1:]
    values = np.empty((len(data), len(samples)), dtype=float)
    names, lines = [], []
    for i, (line, row) in enumerate(data):
        _check_width(row, header, path, line)
        names.append(row[0].strip())
        lines.append(line)
        for j, cell in enumerate(row[1:]):
            values[i, j] = _count(cell, path=path, line=line, sample=samples[j], column=j + 2)
    return _Parsed(names, lines, samples, values, header_line)


def _check_width(row: list[str], header: list[str], path: object, line: int) -> None:
    if len(row) != len(header):
        raise InputError(
            f"{len(row)} fields but the header has {len(header)}",
            path=path,  # type: ignore[arg-type]
            line=line,
            hint="each line needs a miRNA name and one count per sample, tab-separated",
        )


def _columns(
    rows: list[tuple[int, list[str]]],
    header: list[str],
    columns: list[int],
    path: object,
    name_column: int = 0,
    *,
    strict: bool = True,
) -> tuple[list[str], list[int], np.ndarray]:
    """Names (cell ``name_column``), line numbers and the counts of ``columns`` of each row.

    ``strict``: every row has as many fields as the header; otherwise a row only needs to
    reach the last column read (sRNAbench leaves trailing cells out).
    """
    names, lines = [], []
    values = np.empty((len(rows), len(columns)), dtype=float)
    needed = max([name_column, *columns]) + 1
    for i, (line, row) in enumerate(rows):
        if strict or len(row) < needed:
            _check_width(row, header, path, line)
        names.append(row[name_column].strip())
        lines.append(line)
        for j, column in enumerate(columns):
            values[i, j] = _count(
                row[column], path=path, line=line, sample=header[column], column=column + 1
            )
    return names, lines, values


def _combine(
    names: list[str], lines: list[int], values: np.ndarray, how: str
) -> tuple[list[str], list[int], np.ndarray, list[str]]:
    """Rows of the same (exact) name combined by ``how`` (``max`` or ``sum``), first-seen
    order; also the names that had several rows."""
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        groups.setdefault(name, []).append(i)
    combine = np.max if how == "max" else np.sum
    out = (
        np.vstack([combine(values[rows], axis=0) for rows in groups.values()])
        if groups
        else (values[:0])
    )
    merged = [name for name, rows in groups.items() if len(rows) > 1]
    return list(groups), [lines[rows[0]] for rows in groups.values()], out, merged


def _merged_note(merged: list[str], what: str) -> list[str]:
    if not merged:
        return []
    return [f"{len(merged)} row name(s) combined ({_listed(merged, 5)}): {what}"]


def _read_mirdeep2(text: str, path: object) -> _Parsed:
    rows = numbered_rows(text, comments=False)
    header_line, header = rows[0][0], [cell.strip() for cell in rows[0][1]]
    first = 4 if len(header) > 3 and header[3] == "total" else 3
    columns = [c for c in range(first, len(header)) if not header[c].endswith("(norm)")]
    names, lines, values = _columns(rows[1:], header, columns, path)
    names, lines, values, merged = _combine(names, lines, values, "max")
    notes = _merged_note(merged, COUNT_LAYOUTS["mirdeep2"].collapse)
    return _Parsed(names, lines, [header[c] for c in columns], values, header_line, notes)


_MIRTOP_HEADER = ("UID", "Read", "miRNA", "Variant")


def _read_mirtop(text: str, path: object) -> _Parsed:
    rows = numbered_rows(text, comments=False)
    # joined_samples_mirtop.tsv is sorted with the header, which a locale may put anywhere.
    at = next(i for i, row in enumerate(rows) if row[1][:4] == list(_MIRTOP_HEADER))
    header_line, header = rows[at][0], [cell.strip() for cell in rows[at][1]]
    columns = [c for c in range(4, len(header)) if not header[c].startswith("iso_")]
    kept, seen = [], set()
    for line, row in rows[:at] + rows[at + 1 :]:
        if row[0].strip() not in seen:  # the first row of each UID, as collapse_mirtop.r
            seen.add(row[0].strip())
            kept.append((line, row))
    names, lines, values = _columns(kept, header, columns, path, name_column=2)
    names, lines, values, merged = _combine(names, lines, values, "sum")
    notes = _merged_note(merged, COUNT_LAYOUTS["mirtop"].collapse)
    return _Parsed(names, lines, [header[c] for c in columns], values, header_line, notes)


def _read_edger(text: str, path: object) -> _Parsed:
    records = [
        (index + 1, row)
        for index, row in enumerate(csv.reader(text.split("\n")))
        if any(cell.strip() for cell in row)
    ]
    header_line, header = records[0][0], [cell.strip() for cell in records[0][1]]
    mirnas = header[1:]
    rows_named = [row[0] for _, row in records[1:] if row]
    if not any(map(_MIRNA_LIKE.search, mirnas)) and any(map(_MIRNA_LIKE.search, rows_named)):
        raise InputError(
            "this comma-separated table has the miRNAs as rows; only nf-core/smrnaseq's edgeR "
            "table (samples as rows, miRNAs as columns) is read comma-separated",
            path=path,  # type: ignore[arg-type]
            line=header_line,
            hint="save a miRNA x samples table as tab-separated text",
        )
    samples, values = [], np.empty((len(mirnas), len(records) - 1), dtype=float)
    for j, (line, row) in enumerate(records[1:]):
        _check_width(row, header, path, line)
        samples.append(row[0].strip())
        for i, cell in enumerate(row[1:]):
            values[i, j] = _count(cell, path=path, line=line, sample=row[0], column=i + 2)
    if mirnas and all(name_kind(m) == "precursor" for m in mirnas):
        raise InputError(
            "every column of this edgeR table is a precursor (hairpin) name: it is "
            "hairpin_counts.csv",
            path=path,  # type: ignore[arg-type]
            line=header_line,
            hint="give nf-core/smrnaseq's mature_counts.csv (mature miRNAs) in abundance.counts",
        )
    return _Parsed(mirnas, [header_line] * len(mirnas), samples, values, header_line)


#: A cell that looks like a miRNA name or accession (to tell rows from columns in a CSV).
_MIRNA_LIKE = re.compile(r"(?:^|-)(?:mir|let|lin)-?\d|^MIMAT\d", re.IGNORECASE)
_SRNABENCH_COUNTS = frozenset({"read count (mult. map. adj.)", "read count (MA)"})


def _read_srnabench(text: str, path: object) -> _Parsed:
    rows = numbered_rows(text, comments=False)
    header_line, header = rows[0][0], [cell.strip() for cell in rows[0][1]]
    column = next(c for c, name in enumerate(header) if name in _SRNABENCH_COUNTS)
    names, lines, values = _columns(rows[1:], header, [column], path, strict=False)
    names, lines, values, merged = _combine(names, lines, values, "sum")
    notes = _merged_note(merged, COUNT_LAYOUTS["srnabench"].collapse)
    sample = Path(os.fspath(path)).absolute().parent.name  # type: ignore[arg-type]
    return _Parsed(names, lines, [sample], values, header_line, notes)


def _read_excerpt(text: str, path: object) -> _Parsed:
    table = _read_plain(text, path)
    names, lines, rows = [], [], []
    split = []
    for name, line, counts in zip(table.names, table.lines, table.values, strict=True):
        members = list(dict.fromkeys(part.split(":", 1)[0].strip() for part in name.split("|")))
        if len(members) > 1:
            split.append(name)
        for member in members:
            names.append(member)
            lines.append(line)
            rows.append(counts / len(members))
    values = np.vstack(rows) if rows else table.values
    names, lines, values, merged = _combine(names, lines, values, "sum")
    notes = _merged_note(sorted(set(merged) | set(split)), COUNT_LAYOUTS["excerpt"].collapse)
    return _Parsed(names, lines, table.samples, values, table.header_line, notes)


_READERS = {
    "plain": _read_plain,
    "mirdeep2": _read_mirdeep2,
    "mirtop": _read_mirtop,
    "edger": _read_edger,
    "srnabench": _read_srnabench,
    "excerpt": _read_excerpt,
}


def _count(cell: str, *, path: object, line: int, sample: str, column: int) -> float:
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(
            f"the count of sample {sample!r} (column {column}) is not a number",
            path=path,  # type: ignore[arg-type]
            line=line,
            value=cell,
            hint="write counts as numbers, and 0 for a miRNA not detected in a sample",
        )
    if value < 0:
        raise InputError(
            f"the count of sample {sample!r} (column {column}) is negative",
            path=path,  # type: ignore[arg-type]
            line=line,
            value=cell,
            hint="counts are read numbers >= 0; give raw or normalised counts, not log ratios",
        )
    return value


def read_samples(path: str | os.PathLike[str], counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read a sample sheet, and check it against the count table when one is given.

    Parameters
    ----------
    path
        Tab-separated sheet with columns ``sample``, ``msc_source`` and optionally ``set``.
    counts
        The count table (:func:`read_counts`); when given, every sample of the sheet must be a
        column of it and every column must be in the sheet.

    Returns
    -------
    DataFrame
        Columns ``sample, msc_source, set, line`` in file order; ``set`` is the MSC source where
        the sheet leaves it empty, ``line`` is the line number in the sheet.

    Raises
    ------
    InputError
        For a missing column, an empty sheet, an empty cell, a malformed MSC source or set
        name, a sample listed twice, a set whose samples name different MSC sources, or samples
        that are missing from the count table or from the sheet (all of them named).
    """
    rows = sheet_rows(path, "sample sheet", comments=True)
    if not rows:
        raise InputError("the sample sheet is empty", path=path, hint=_SAMPLES_HINT)
    header_line, header = rows[0]
    header = [cell.strip() for cell in header]
    check_tab_separated(header, path, header_line, "sample sheet")
    check_header(header, ("sample", "msc_source"), path, header_line, hint=_SAMPLES_HINT)
    records = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        values = row_values(row, header, path, line)
        sample = values.get("sample", "")
        source = values.get("msc_source", "")
        if not sample or not source:
            empty = "sample" if not sample else "msc_source"
            raise InputError(f"empty {empty!r}", path=path, line=line, hint=_SAMPLES_HINT)
        if not SOURCE_NAME.match(source):
            raise InputError(
                "msc_source must be lower case letters, digits and '_' (e.g. bone_marrow)",
                path=path,
                line=line,
                value=source,
            )
        set_name = values.get("set", "") or source
        check_set_name(set_name, path, line)
        if sample in seen:
            raise InputError(
                f"sample {sample!r} is listed twice (line {seen[sample]} and line {line})",
                path=path,
                line=line,
                hint="list each sample once",
            )
        seen[sample] = line
        records.append({"sample": sample, "msc_source": source, "set": set_name, "line": line})
    if not records:
        raise InputError("the sample sheet has a header but no samples", path=path)
    frame = pd.DataFrame.from_records(records, columns=list(SAMPLE_COLUMNS))
    frame.attrs["path"] = str(path)
    _check_set_sources(frame, path)
    if counts is not None:
        check_samples(frame, counts, samples_path=path)
    return frame


def _check_set_sources(frame: pd.DataFrame, path: object) -> None:
    first: dict[str, tuple[str, int]] = {}
    for row in frame.itertuples(index=False):
        if row.set not in first:
            first[row.set] = (row.msc_source, row.line)
        elif first[row.set][0] != row.msc_source:
            source, line = first[row.set]
            raise InputError(
                f"set {row.set!r} has samples of two MSC sources: {source!r} (line {line}) and "
                f"{row.msc_source!r} (line {row.line})",
                path=path,  # type: ignore[arg-type]
                line=row.line,
                hint="a set is the cargo of one MSC source; give each source its own set",
            )


def _listed(values: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def check_samples(
    samples: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    samples_path: str | os.PathLike[str] | None = None,
) -> None:
    """Check that the sample sheet and the count table name the same samples.

    Raises
    ------
    InputError
        Naming the samples of the sheet that the count table lacks, or the count-table columns
        that the sheet does not list (with the files they were looked for in).
    """
    columns = [str(c) for c in counts.columns]
    listed = [str(s) for s in samples["sample"]]
    counts_path = counts.attrs.get("path", "the count table")
    unknown = [s for s in listed if s not in set(columns)]
    if unknown:
        raise InputError(
            f"sample(s) {_listed(unknown)} of the sample sheet are not columns of {counts_path}",
            path=samples_path,
            hint=f"the count table has the samples {_listed(columns)}; check the spelling",
        )
    unlisted = [c for c in columns if c not in set(listed)]
    if unlisted:
        raise InputError(
            f"sample(s) {_listed(unlisted)} of {counts_path} are not in the sample sheet",
            path=samples_path,
            hint="list every sample with its msc_source, or remove its column from the table",
        )


# --------------------------------------------------------------------------------------------
# Building sets
# --------------------------------------------------------------------------------------------


def counts_per_million(counts: pd.DataFrame) -> pd.DataFrame:
    """Scale each sample's counts to counts per million of the sample's column total.

    Raises
    ------
    InputError
        When a sample has no reads at all (its CPM is undefined), naming the sample.
    """
    library = counts.sum(axis=0)
    empty = [str(s) for s, total in library.items() if not total > 0]
    if empty:
        raise InputError(
            f"sample(s) {_listed(empty)} have no reads in the count table",
            path=counts.attrs.get("path"),
            hint="remove the empty samples from the count table and the sample sheet",
        )
    return counts.div(library, axis=1) * 1e6


def _check_rule(rule: str, min_cpm: float, min_fraction: float, top_n: int) -> None:
    if rule not in RULES:
        raise ConfigError(
            "unknown set-building rule abundance.rule",
            value=rule,
            hint=f"use one of {', '.join(RULES)}",
        )
    if not (isinstance(min_cpm, int | float) and math.isfinite(min_cpm) and min_cpm >= 0):
        raise ConfigError("abundance.min_cpm must be a number >= 0", value=min_cpm)
    if not (isinstance(min_fraction, int | float) and 0 < min_fraction <= 1):
        raise ConfigError(
            "abundance.min_fraction must be a fraction of the samples in (0, 1]",
            value=min_fraction,
            hint="e.g. 0.5: detected in at least half of the source's samples",
        )
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ConfigError("abundance.top_n must be a whole number >= 1", value=top_n)


def format_cpm(value: float) -> str:
    """A CPM for a note: whole numbers from 100 up, three significant digits below."""
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"


def _significant(value: float, digits: int = 10) -> float:
    """``value`` rounded to the precision exomir writes floats with, so a sheet round-trips."""
    return float(f"{value:.{digits}g}")


def sets_from_counts(
    counts: pd.DataFrame,
    samples: pd.DataFrame,
    *,
    rule: str = "cpm",
    min_cpm: float = 100.0,
    min_fraction: float = 0.5,
    top_n: int = 50,
) -> pd.DataFrame:
    """Build miRNA sets from a count table by a documented rule (see the module docstring).

    Parameters
    ----------
    counts
        Count table (:func:`read_counts`).
    samples
        Sample sheet (:func:`read_samples`): which set and MSC source each sample belongs to.
    rule
        ``"cpm"`` (CPM >= ``min_cpm`` in at least ``min_fraction`` of the set's samples) or
        ``"top_n"`` (the ``top_n`` miRNAs with the highest mean CPM).
    min_cpm, min_fraction
        Thresholds of the ``cpm`` rule.
    top_n
        Size of the sets under the ``top_n`` rule.

    Returns
    -------
    DataFrame
        Exactly the layout of :func:`exomir.sets.read_mirna_sets`: ``set, msc_source, mirna,
        weight, note, line``. ``weight`` is the mean CPM over the set's samples (rounded to
        10 significant digits, the precision of the written sheet); ``note`` says why the miRNA
        is in (e.g. ``mean CPM 1234; CPM >= 100 in 3/3 samples``); ``line`` is the row's line
        in the sheet :func:`write_mirna_sets` writes, so the frame equals that sheet read back.

    Raises
    ------
    ConfigError
        For an unknown rule or a threshold out of range.
    InputError
        When the sample sheet and the count table disagree on the samples, a sample has no
        reads, or a set ends up empty (naming the set, its MSC source and the threshold that
        emptied it).
    """
    _check_rule(rule, min_cpm, min_fraction, top_n)
    check_samples(samples, counts)
    cpm = counts_per_million(counts)
    names = pd.Series([str(n) for n in counts.index], index=range(len(counts)), dtype=str)
    records: list[dict[str, Any]] = []
    for set_name in dict.fromkeys(samples["set"]):
        members = samples[samples["set"] == set_name]
        source = str(members["msc_source"].iloc[0])
        columns = list(members["sample"])
        n = len(columns)
        values = cpm[columns].to_numpy()
        mean = values.mean(axis=1)
        detected = ((values >= min_cpm) & (counts[columns].to_numpy() > 0)).sum(axis=1)
        order = pd.DataFrame(
            {
                "mirna": names,
                "mean": mean,
                "detected": detected,
                "folded": names.str.casefold(),
            }
        ).sort_values(["mean", "folded", "mirna"], ascending=[False, True, True], kind="stable")
        if rule == "cpm":
            # detected / n >= min_fraction, in integers so that 0.5 of 3 samples means 2.
            needed = max(1, math.ceil(min_fraction * n - 1e-9))
            kept = order[order["detected"] >= needed]
            if kept.empty:
                raise InputError(
                    f"no miRNA of set {set_name!r} (msc_source {source!r}) has CPM >= "
                    f"{min_cpm:g} in at least {min_fraction:g} of its {n} sample(s) "
                    f"({needed} of {n}): the set would be empty",
                    path=samples.attrs.get("path"),
                    value=f"min_cpm={min_cpm:g}, min_fraction={min_fraction:g}",
                    hint="lower abundance.min_cpm or abundance.min_fraction, or use rule top_n",
                )
            notes = [
                f"mean CPM {format_cpm(r.mean)}; CPM >= {min_cpm:g} in {r.detected}/{n} samples"
                for r in kept.itertuples(index=False)
            ]
        else:
            # Every sample has reads (counts_per_million checks), so some miRNA has mean > 0.
            kept = order[order["mean"] > 0].head(top_n)
            notes = [
                f"mean CPM {format_cpm(r.mean)}; rank {rank} of the top {top_n} by mean CPM "
                f"over {n} samples"
                for rank, r in enumerate(kept.itertuples(index=False), start=1)
            ]
        for row, note in zip(kept.itertuples(index=False), notes, strict=True):
            records.append(
                {
                    "set": str(set_name),
                    "msc_source": source,
                    "mirna": row.mirna,
                    "weight": _significant(float(row.mean)),
                    "note": note,
                }
            )
    frame = pd.DataFrame.from_records(records, columns=list(SETS.columns))
    frame["weight"] = frame["weight"].astype(float)
    frame["line"] = np.arange(2, len(frame) + 2, dtype=np.int64)
    return frame


def write_mirna_sets(sheet: pd.DataFrame, dest: str | os.PathLike[str]) -> None:
    """Write a set sheet (``set, msc_source, mirna, weight, note``) atomically, tab-separated.

    The file is a valid sheet for :func:`exomir.sets.read_mirna_sets`: a header and one row
    per (set, miRNA), in the frame's order.
    """
    require_columns(
        sheet,
        SETS.columns,
        "the set sheet to write",
        hint="build it with sets_from_counts or read_mirna_sets",
    )
    write_tsv(SETS.ordered(sheet), dest)


def copy_mirna_sets(src: str | os.PathLike[str], dest: str | os.PathLike[str]) -> pd.DataFrame:
    """Check a user's set sheet and copy it verbatim to ``dest``; return the sheet.

    The copy keeps the user's lines (comments included), so the line numbers that the name
    audit reports are those of the user's own file.
    """
    sheet = read_mirna_sets(src)
    write_text(read_sheet_text(src, "miRNA-set sheet"), dest)
    return sheet


_DEFAULTS = schema_defaults("abundance")


@dataclass(frozen=True)
class AbundanceSettings:
    """The ``abundance`` section of the config.

    ``counts`` is the count table (or a list of tables, e.g. one sRNAbench file per sample),
    ``format`` its layout (:data:`COUNT_FORMATS`), ``samples`` the sample sheet; when ``counts``
    is ``None`` (the default) the sets come from the set sheet (``mirna_sets``) instead.
    """

    counts: str | list[str] | None = _DEFAULTS["counts"]
    samples: str | None = _DEFAULTS["samples"]
    format: str = _DEFAULTS["format"]
    rule: str = _DEFAULTS["rule"]
    min_cpm: float = _DEFAULTS["min_cpm"]
    min_fraction: float = _DEFAULTS["min_fraction"]
    top_n: int = _DEFAULTS["top_n"]

    def __post_init__(self) -> None:
        _check_rule(self.rule, self.min_cpm, self.min_fraction, self.top_n)
        if self.format not in COUNT_FORMATS:
            raise ConfigError(
                "unknown count-table layout abundance.format",
                value=self.format,
                hint=f"use one of {', '.join(COUNT_FORMATS)}",
            )
        if self.counts and not self.samples:
            raise ConfigError(
                "abundance.counts is set but abundance.samples is not",
                value=self.counts,
                hint="name a sample sheet (columns sample, msc_source, set) in abundance.samples",
            )

    @property
    def enabled(self) -> bool:
        """True when the sets are built from the count table."""
        return bool(self.counts)

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> AbundanceSettings:
        """Build from the validated ``abundance`` mapping of the config."""
        require_keys(section, _DEFAULTS, "abundance")
        return cls(**{key: section[key] for key in _DEFAULTS})

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain mapping (for rule parameters and logs)."""
        return asdict(self)


def build_mirna_sets(
    settings: AbundanceSettings,
    *,
    mirna_sets: str | os.PathLike[str] | None = None,
    counts: str | os.PathLike[str] | None = None,
    samples: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """The set sheet of a run: from the count table when abundance input is on, else the sheet.

    ``counts`` and ``samples`` default to the paths in ``settings``; ``mirna_sets`` is the
    user's sheet, used when ``settings.enabled`` is false.
    """
    if not settings.enabled:
        if mirna_sets is None:
            raise ConfigError("no miRNA-set sheet given", hint="set mirna_sets in config")
        return read_mirna_sets(mirna_sets)
    table = read_counts(
        counts if counts is not None else settings.counts,  # type: ignore[arg-type]
        settings.format,
    )
    sheet = read_samples(samples if samples is not None else settings.samples, table)  # type: ignore[arg-type]
    return sets_from_counts(
        table,
        sheet,
        rule=settings.rule,
        min_cpm=settings.min_cpm,
        min_fraction=settings.min_fraction,
        top_n=settings.top_n,
    )


def mirna_sets_from_config(config: Mapping[str, Any]) -> pd.DataFrame:
    """The set sheet named by a (validated) config: ``abundance`` input, or ``mirna_sets``."""
    settings = AbundanceSettings.from_config(config["abundance"])
    return build_mirna_sets(settings, mirna_sets=config["mirna_sets"])
