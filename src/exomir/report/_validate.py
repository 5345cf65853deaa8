"""Checking the report's input tables and giving their columns one type each.

Each result table is checked against its contract in :mod:`exomir.tables` (required columns,
numeric columns, probabilities in [0, 1]); then numbers become floats (empty cells NaN), flags
booleans and text plain strings ("" for missing), so that the builders of the sections never
meet a mixed column. Every error names the file and line when the table came from a file
(the table and set otherwise), the offending value and the fix.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from .. import signatures as sg
from .. import tables
from ..errors import ConfigError, InputError
from ._data import OVERLAP_LABELS, Calibration


def _at(path: str | os.PathLike[str] | None, row: int | None = None) -> dict[str, Any]:
    """Keyword arguments that make an :class:`InputError` name the file and line of a row.

    ``row`` is the 0-based data row; its line is ``row + 2`` (the header is line 1), which holds
    for the tables exomir writes (no comment or blank lines). Tables passed in memory have no
    file, and the message names the table and set instead.
    """
    if path is None:
        return {}
    return {"path": path} if row is None else {"path": path, "line": row + 2}


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return bool(value is pd.NA) or (isinstance(value, str) and not value.strip())


def _numeric_columns(
    frame: pd.DataFrame,
    columns: Iterable[str],
    *,
    what: str,
    path: str | os.PathLike[str] | None,
    probabilities: Iterable[str] = (),
) -> pd.DataFrame:
    """Convert ``columns`` to float; blank cells become NaN, anything else non-numeric fails."""
    frame = frame.copy()
    prob = set(probabilities)
    for column in columns:
        if column not in frame.columns:
            continue
        original = frame[column]
        text = original.astype("object").where(~original.map(_blank), None)
        values = pd.to_numeric(text, errors="coerce").astype(float)
        bad = values.isna() & text.notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(
                f"column {column!r} of the {what} must be numeric",
                value=str(original.iloc[row]),
                hint="write numbers (or leave the cell empty for 'not available')",
                **_at(path, row),
            )
        if column in prob:
            out = (values < 0) | (values > 1)
            if out.any():
                row = int(out.to_numpy().nonzero()[0][0])
                raise InputError(
                    f"column {column!r} of the {what} holds a probability outside [0, 1]",
                    value=float(values.iloc[row]),
                    hint="p-values, FDRs and fractions must lie between 0 and 1",
                    **_at(path, row),
                )
        frame[column] = values
    return frame


_TRUE = {"true", "1", "yes", "t"}
_FALSE = {"false", "0", "no", "f", ""}


def _boolean_column(
    frame: pd.DataFrame, column: str, *, what: str, path: str | os.PathLike[str] | None
) -> pd.DataFrame:
    if column not in frame.columns:
        return frame
    frame = frame.copy()
    out: list[bool] = []
    for row, value in enumerate(frame[column].tolist()):
        if isinstance(value, bool):
            out.append(value)
            continue
        text = "" if _blank(value) else str(value).strip().lower()
        if text in _TRUE:
            out.append(True)
        elif text in _FALSE:
            out.append(False)
        else:
            raise InputError(
                f"column {column!r} of the {what} must be true or false",
                value=str(value),
                hint="write true/false",
                **_at(path, row),
            )
    frame[column] = pd.Series(out, index=frame.index, dtype=bool)
    return frame


def _text_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Make ``columns`` plain strings with "" for missing, adding absent ones as empty."""
    frame = frame.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
        else:
            frame[column] = ["" if _blank(v) else str(v).strip() for v in frame[column].tolist()]
    return frame


def _check_set_column(
    frame: pd.DataFrame,
    set_name: str,
    *,
    what: str,
    path: str | os.PathLike[str] | None,
) -> None:
    if "set" not in frame.columns:
        return
    for row, value in enumerate(frame["set"].tolist()):
        if not _blank(value) and str(value) != set_name:
            raise InputError(
                f"the {what} of set {set_name!r} holds a row of another set",
                value=str(value),
                hint="each result table must belong to the set its file is named after",
                **_at(path, row),
            )


def _numbers(
    frame: pd.DataFrame, table: tables.Table, *, path: str | os.PathLike[str] | None, what: str
) -> pd.DataFrame:
    """:func:`_numeric_columns` of ``table``'s numeric columns, probabilities checked."""
    return _numeric_columns(
        frame, table.numeric, what=what, path=path, probabilities=table.probabilities
    )


def normalise_names(
    frame: pd.DataFrame, set_name: str, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a name-audit table and return it with every column a plain string."""
    what = tables.NAMES.what
    tables.NAMES.require(frame, path)
    _check_set_column(frame, set_name, what=what, path=path)
    frame = _text_columns(frame, tables.NAMES.columns)
    for row, status in enumerate(frame["status"].tolist()):
        if status not in ("ok", "ambiguous", "unknown"):
            raise InputError(
                "name-audit status must be ok, ambiguous or unknown",
                value=status,
                hint="regenerate the name audit with exomir",
                **_at(path, row),
            )
    return frame.reset_index(drop=True)


def normalise_targets(
    frame: pd.DataFrame, set_name: str, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a target-edge table; evidence columns become numeric, text columns strings.

    Evidence columns of a source that was not configured may be absent; they are added empty.
    """
    spec = tables.SET_TARGETS
    spec.require(frame, path)
    _check_set_column(frame, set_name, what=spec.what, path=path)
    frame = _numbers(frame, spec, what=spec.what, path=path)
    frame = _text_columns(frame, [c for c in spec.columns if c not in spec.numeric])
    for column in spec.numeric:
        if column not in frame.columns:
            frame[column] = float("nan")
    return frame.reset_index(drop=True)


#: Optional numeric columns of an enrichment table: BH over the focus family, BH over all terms,
#: and the effect size (observed - null mean) / null SD.
ENRICHMENT_OPTIONAL = ("fdr_focus", "fdr_all", "z_emp")


def normalise_enrichment(
    frame: pd.DataFrame, set_name: str, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check an enrichment table (all columns of the contract; values in range).

    The statistics added later (:data:`ENRICHMENT_OPTIONAL`: the focus-family and all-terms
    FDRs, the effect size ``z_emp``) are checked as numbers when present; older tables lack
    them and the report says what it used instead.
    """
    spec = tables.ENRICHMENT
    spec.require(frame, path)
    _check_set_column(frame, set_name, what=spec.what, path=path)
    frame = _numbers(frame, spec, what=spec.what, path=path)
    frame = _numeric_columns(
        frame,
        [c for c in ENRICHMENT_OPTIONAL if c in frame.columns],
        what=spec.what,
        path=path,
        probabilities=("fdr_focus", "fdr_all"),
    )
    if "p_method" in frame.columns:
        frame = _text_columns(frame, ["p_method"])
    frame = _boolean_column(frame, "cluster_lead", what=spec.what, path=path)
    frame = _text_columns(
        frame, [c for c in spec.columns if c not in spec.numeric and c != "cluster_lead"]
    )
    return frame.reset_index(drop=True)


def normalise_calibration(
    summary: pd.DataFrame,
    pvalues: pd.DataFrame | None,
    *,
    summary_path: str | os.PathLike[str] | None = None,
    pvalues_path: str | os.PathLike[str] | None = None,
) -> Calibration:
    """Check the calibration summary and QQ quantiles.

    Columns of the summary beyond its contract are numbers too; the overview lists them.
    """
    spec = tables.CALIBRATION_SUMMARY
    spec.require(summary, summary_path)
    # Descriptive text columns (which null was calibrated) stay text; the rest are numbers.
    text = [c for c in spec.columns if c not in spec.numeric and c in summary.columns]
    summary = _numeric_columns(
        summary,
        [c for c in summary.columns if c not in text],
        what=spec.what,
        path=summary_path,
        probabilities=spec.probabilities,
    )
    summary = _text_columns(summary, text)
    if pvalues is not None:
        spec = tables.CALIBRATION_PVALUES
        spec.require(pvalues, pvalues_path)
        pvalues = _numbers(pvalues, spec, what=spec.what, path=pvalues_path)
        pvalues = _text_columns(pvalues, ["method"])
    return Calibration(summary.reset_index(drop=True), pvalues)


def normalise_comparison(
    frame: pd.DataFrame, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a set-comparison table; former column spellings are renamed first."""
    spec = tables.COMPARISON
    frame = spec.rename_aliases(frame)
    spec.require(frame, path)
    frame = _numbers(frame, spec, what=spec.what, path=path)
    frame = _text_columns(frame, [c for c in spec.columns if c not in spec.numeric])
    return frame.reset_index(drop=True)


def normalise_overlap(
    frame: pd.DataFrame,
    sets: Sequence[str],
    *,
    kind: str = "mirnas",
    path: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Check an overlap table (one row per combination of sets, :data:`exomir.tables.OVERLAP`).

    Every set of a combination must be a reported set, ``n_sets`` must count them and ``size``
    must count the members, so that the figure and the table behind it cannot disagree.
    """
    spec = tables.OVERLAP
    what = f"{spec.what} of {OVERLAP_LABELS.get(kind, kind)}"
    tables.require_columns(frame, spec.needed, what, path)
    frame = _numbers(frame, spec, what=what, path=path)
    frame = _text_columns(frame, [c for c in spec.columns if c not in spec.numeric])
    known = set(sets)
    for row, record in enumerate(frame.to_dict("records")):
        combo = split_list(record["sets"])
        unknown = [s for s in combo if s not in known]
        if not combo or unknown:
            raise InputError(
                f"the {what} names a set that is not reported",
                value=record["sets"],
                hint=f"reported sets: {', '.join(sets)}; regenerate the overlap tables",
                **_at(path, row),
            )
        for column, expected in (
            ("n_sets", len(combo)),
            ("size", len(split_list(record["members"]))),
        ):
            if record[column] != expected:
                raise InputError(
                    f"column {column!r} of the {what} does not match the row ({expected} "
                    f"{'sets' if column == 'n_sets' else 'members'} listed)",
                    value=record[column],
                    hint="regenerate the overlap tables",
                    **_at(path, row),
                )
    frame["n_sets"] = frame["n_sets"].astype("int64")
    frame["size"] = frame["size"].astype("int64")
    return frame.reset_index(drop=True)


def normalise_signatures(
    signatures: Mapping[str, sg.SignatureFiles | pd.DataFrame],
    sets: Sequence[str],
    paths: Mapping[tuple[str, str], str | os.PathLike[str]] | None = None,
) -> dict[str, sg.SignatureFiles]:
    """Check every set's signature outputs (:func:`exomir.signatures.check_table`).

    A bare call table stands for outputs without drivers, literature or parameters.
    """
    _per_set(signatures, sets, "signature table")
    out = {}
    for s in sets:
        value = signatures[s]
        files = (
            value
            if isinstance(value, sg.SignatureFiles)
            else sg.SignatureFiles(
                value,
                pd.DataFrame(columns=list(tables.SIGNATURE_DRIVERS.columns)),
                pd.DataFrame(columns=list(tables.SIGNATURE_LITERATURE.columns)),
            )
        )
        table = sg.check_table(files.table, s, path=(paths or {}).get(("signatures", s)))
        out[s] = sg.SignatureFiles(table, files.drivers, files.literature, dict(files.params))
    return out


def normalise_references(
    references: pd.DataFrame | Mapping[str, Mapping[str, Any]] | Sequence[Mapping[str, Any]] | None,
    *,
    path: str | os.PathLike[str] | None = None,
) -> tuple[dict[str, Any], ...]:
    """Reference provenance as records sorted by key and role.

    Accepts the provenance table (one row per file, :data:`exomir.tables.REFERENCES`), a list
    of such records, or a mapping ``key -> record``. Only ``key`` is required here; sizes
    become numbers, other fields text.
    """
    spec = tables.REFERENCES
    if references is None:
        return ()
    if isinstance(references, pd.DataFrame):
        frame = references
    elif isinstance(references, Mapping):
        records = []
        for key, record in references.items():
            if not isinstance(record, Mapping):
                raise InputError(
                    "each reference entry must be an object of provenance fields",
                    value=str(key),
                    hint="expected kind, version, location, sha256, size, retrieved_at",
                    **_at(path),
                )
            records.append({**record, "key": str(key)})
        frame = pd.DataFrame(records, columns=None)
    else:
        frame = pd.DataFrame(list(references))
    if frame.empty:
        return ()
    spec.require(frame, path, columns=("key",))
    frame = _numbers(frame, spec, what=spec.what, path=path)
    frame = _text_columns(frame, [c for c in spec.columns if c not in spec.numeric])
    for column in spec.numeric:
        if column not in frame.columns:
            frame[column] = float("nan")
    frame = frame.sort_values(["key", "role", "file"], kind="stable")
    return tuple(frame.to_dict("records"))


def normalise_source_summary(
    frame: pd.DataFrame, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check the per-source summary of the target step."""
    spec = tables.SOURCES
    spec.require(frame, path)
    frame = _numbers(frame, spec, what=spec.what, path=path)
    return _text_columns(frame, [c for c in spec.columns if c not in spec.numeric]).reset_index(
        drop=True
    )


def split_list(value: object) -> list[str]:
    """Split a ``;``-joined cell into its non-empty items."""
    if _blank(value):
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


_SET_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _check_set_names(sets: Sequence[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    for name in sets:
        if not isinstance(name, str) or not _SET_NAME.match(name):
            raise ConfigError(
                "a set name may contain only letters, digits, '_', '-' and '.' (not first)",
                value=name,
                hint="rename the set in config/mirna_sets.tsv",
            )
        if name == "index":
            raise ConfigError(
                "a set may not be called 'index': its page would overwrite the overview page",
                value=name,
                hint="rename the set in config/mirna_sets.tsv",
            )
        if name in seen:
            raise ConfigError("set listed twice", value=name)
        seen.add(name)
    if not sets:
        raise ConfigError("no sets to report", hint="list at least one set in the sheet")
    return tuple(sets)


def _per_set(mapping: Mapping[str, Any], sets: Sequence[str], what: str) -> None:
    missing = [s for s in sets if s not in mapping]
    if missing:
        raise InputError(
            f"no {what} for set(s) {', '.join(repr(m) for m in missing)}",
            hint=f"pass one {what} per set",
        )
