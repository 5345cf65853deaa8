"""Signature tables as files: the summary of all sets, and reading and checking a set's outputs.

A set's outputs are ``results/signatures/{set}.tsv`` (:data:`exomir.tables.SIGNATURES`),
``{set}.drivers.tsv`` (:data:`exomir.tables.SIGNATURE_DRIVERS`), ``{set}.literature.tsv``
(:data:`exomir.tables.SIGNATURE_LITERATURE`) and ``{set}.json`` (parameters);
``summary.tsv`` (:data:`exomir.tables.SIGNATURE_SUMMARY`) sets all sets side by side.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io import read_delimited, read_text
from ..errors import InputError
from ..tables import SIGNATURE_DRIVERS, SIGNATURE_LITERATURE, SIGNATURE_SUMMARY, SIGNATURES
from ._checks import empty_frame, line_of, numeric_column, text_values
from ._model import DIRECTIONS, KINDS
from ._scoring import P_METHODS


def summarise(
    tables: Mapping[str, pd.DataFrame],
    sources: Mapping[str, str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per set: the scores, the tumour lean and the focus pathways side by side.

    Columns ``set, msc_source, k_mirnas``; for each score and the lean ``<key>`` (the score),
    ``<key>_z`` (standardised against the random sets), ``<key>_p`` (the call's p-value),
    ``<key>_fdr`` (its BH FDR over the set's calls) and ``<key>_call``; for each focus pathway
    the same with the score in ``<key>_score``.  Sets keep the order of ``tables``; the
    pathway columns follow the first table's order.
    """
    sources = sources or {}
    params = params or {}
    keys: list[tuple[str, str]] = []
    for table in tables.values():
        for kind, key in table[["kind", "key"]].to_numpy():
            if kind in ("score", "lean", "pathway") and (kind, key) not in keys:
                keys.append((kind, key))
    rows = []
    for name, table in tables.items():
        indexed = table.set_index("key")
        row: dict[str, Any] = {
            "set": name,
            "msc_source": sources.get(name, ""),
            "k_mirnas": params.get(name, {}).get("k", pd.NA),
        }
        for kind, key in keys:
            score_col = key if kind != "pathway" else f"{key}_score"
            present = key in indexed.index
            for column, source in (
                (score_col, "score"),
                (f"{key}_z", "z"),
                (f"{key}_p", "p_value"),
                (f"{key}_fdr", "fdr"),
            ):
                row[column] = indexed.at[key, source] if present else np.nan
            row[f"{key}_call"] = indexed.at[key, "direction"] if present else ""
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["k_mirnas"] = frame["k_mirnas"].astype("Int64")
    return SIGNATURE_SUMMARY.ordered(frame)


def read_table(path: str | os.PathLike[str], set_name: str | None = None) -> pd.DataFrame:
    """Read and check a signature table (``results/signatures/{set}.tsv``).

    Raises :class:`InputError` naming the file and line for a missing column, a row of another
    set, an unknown kind or direction, or a p-value outside [0, 1].
    """
    frame = read_delimited(path, required=SIGNATURES.needed, what=SIGNATURES.what)
    return check_table(frame, set_name, path=path)


def check_table(
    frame: pd.DataFrame, set_name: str | None = None, *, path: object = None
) -> pd.DataFrame:
    """Check a signature table in memory (see :func:`read_table`)."""
    where = None if path is None else str(path)
    SIGNATURES.require(frame, where)
    frame = frame.reset_index(drop=True).copy()
    for column in ("set", "kind", "key", "label", "direction", "p_method", "drivers"):
        frame[column] = text_values(frame[column])
    for i, (name, kind, direction, method) in enumerate(
        frame[["set", "kind", "direction", "p_method"]].itertuples(index=False)
    ):
        line = None if where is None else line_of(i)
        if set_name is not None and name != set_name:
            raise InputError(
                f"the signature table of set {set_name!r} holds a row of another set",
                path=where,
                line=line,
                value=name,
            )
        if kind not in DIRECTIONS:
            raise InputError(
                "unknown kind of call",
                path=where,
                line=line,
                value=kind,
                hint=f"use one of {', '.join(KINDS)}",
            )
        if direction not in DIRECTIONS[kind]:
            raise InputError(
                f"unknown direction of a {kind} call",
                path=where,
                line=line,
                value=direction,
                hint=f"use one of {', '.join(DIRECTIONS[kind])}",
            )
        if method not in P_METHODS:
            raise InputError(
                "unknown p_method",
                path=where,
                line=line,
                value=method,
                hint=f"use one of {', '.join(P_METHODS)}",
            )
    for column in ("p_up", "p_down", "p_value", "fdr"):
        frame[column] = numeric_column(frame, column, path=path, what=SIGNATURES.what, high=1.0)
    for column in ("score", "null_mean"):
        frame[column] = numeric_column(frame, column, path=path, what=SIGNATURES.what)
    for column in ("z", "null_sd", "n_genes", "n_edges", "n_mirnas"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


@dataclass
class SignatureFiles:
    """A set's signature outputs as the report reads them (see :func:`read_set_files`)."""

    table: pd.DataFrame
    drivers: pd.DataFrame
    literature: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)


def read_set_files(
    table: str | os.PathLike[str],
    set_name: str,
    *,
    drivers: str | os.PathLike[str] | None = None,
    literature: str | os.PathLike[str] | None = None,
    params: str | os.PathLike[str] | None = None,
) -> SignatureFiles:
    """Read one set's signature table and, when given, its drivers, literature and parameters."""
    frame = read_table(table, set_name)
    driver_frame = empty_frame(SIGNATURE_DRIVERS.columns, "object")
    if drivers is not None:
        driver_frame = read_delimited(
            drivers, required=SIGNATURE_DRIVERS.needed, what=SIGNATURE_DRIVERS.what
        )
        for column in SIGNATURE_DRIVERS.numeric:
            driver_frame[column] = pd.to_numeric(driver_frame[column], errors="coerce")
    lit_frame = empty_frame(SIGNATURE_LITERATURE.columns, "str")
    if literature is not None:
        text = read_text(literature) if Path(literature).stat().st_size else ""
        if text.strip().count("\n") >= 1:
            lit_frame = read_delimited(
                literature, required=SIGNATURE_LITERATURE.needed, what=SIGNATURE_LITERATURE.what
            )
            for column in SIGNATURE_LITERATURE.numeric:
                lit_frame[column] = pd.to_numeric(lit_frame[column], errors="coerce")
    loaded: dict[str, Any] = {}
    if params is not None:
        try:
            loaded = json.loads(read_text(params))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"signature parameters are not valid JSON ({exc.msg})",
                path=str(params),
                line=exc.lineno,
                hint="rerun the signatures rule",
            ) from exc
    return SignatureFiles(frame, driver_frame, lit_frame, loaded)


#: Suffixes of a set's signature files, longest first (``{set}<suffix>``).
FILE_SUFFIXES = (
    ("drivers", ".drivers.tsv"),
    ("literature", ".literature.tsv"),
    ("params", ".json"),
    ("table", ".tsv"),
)


def group_files(
    paths: Iterable[str | os.PathLike[str]], sets: Sequence[str]
) -> dict[str, dict[str, Path]]:
    """Match signature files to sets and kinds by name (``{set}.tsv``, ``{set}.drivers.tsv``,
    ``{set}.literature.tsv``, ``{set}.json``).

    Raises :class:`InputError` naming the file when it belongs to no set or repeats a kind, and
    naming the set when a set has files but no table.
    """
    found: dict[str, dict[str, Path]] = {}
    for item in paths:
        path = Path(item)
        match = next(
            (
                (path.name[: -len(suffix)], kind)
                for kind, suffix in FILE_SUFFIXES
                if path.name.endswith(suffix) and path.name[: -len(suffix)] in sets
            ),
            None,
        )
        if match is None:
            raise InputError(
                "signature file belongs to no reported set",
                path=str(path),
                hint=f"name it <set>.tsv, .drivers.tsv, .literature.tsv or .json; sets: "
                f"{', '.join(sets)}",
            )
        owner, kind = match
        if kind in found.setdefault(owner, {}):
            raise InputError(f"two signature {kind} files for set {owner!r}", path=str(path))
        found[owner][kind] = path
    lacking = [s for s in found if "table" not in found[s]]
    if lacking:
        raise InputError(
            f"signature files of set(s) {', '.join(map(repr, lacking))} lack the call table",
            hint="pass results/signatures/{set}.tsv as well",
        )
    return found
