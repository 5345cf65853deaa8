"""What the report shows of the signatures, as plain data (:mod:`exomir.report` renders it).

Call rows with their standardised score, direction mark and word; the top drivers per call;
the literature rows counted by agreement class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._literature import AGREEMENTS
from ._model import DIRECTION_SIGN, DIRECTION_WORDS
from ._scoring import standardise

#: Direction marks of the report: an arrow up for every call that raises its score (up, high,
#: pro-tumour lean), down for one that lowers it, a dot for no call.
DIRECTION_SYMBOLS = {
    "up": "\u2191",
    "high": "\u2191",
    "down": "\u2193",
    "pro_tumour": "\u2191",
    "anti_tumour": "\u2193",
    "none": "\u00b7",
}

#: Kinds of call as the report groups them.
KIND_GROUPS = {
    "score": "Scores",
    "lean": "Scores",
    "pathway": "Focus pathways",
    "process": "Processes",
}

#: Drivers listed per call on a set page (all are in the drivers table).
REPORT_DRIVERS = 12


def standardised(score: float, mean: float, sd: float) -> float | None:
    """``(score - mean) / sd`` of the random sets (:func:`exomir.signatures.standardise`):
    +-inf when they never vary but the set does, 0 when neither does, None when the null is
    missing."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (score, mean, sd)):
        return None
    return float(standardise(np.array([score]), np.array([mean]), np.array([sd]))[0])


def report_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The calls of a set as records for the report, with ``z``, ``sign``, ``symbol``,
    ``word`` and ``group`` added and ``drivers`` split into a list."""
    out = []
    for record in table.to_dict("records"):
        direction = record["direction"]
        record["z"] = standardised(record["score"], record["null_mean"], record["null_sd"])
        record["sign"] = DIRECTION_SIGN.get(direction, 0)
        record["symbol"] = DIRECTION_SYMBOLS.get(direction, direction)
        record["word"] = DIRECTION_WORDS.get(direction, direction)
        record["group"] = KIND_GROUPS.get(record["kind"], record["kind"])
        record["driver_list"] = [d for d in str(record.get("drivers") or "").split(";") if d]
        record["driver_groups"] = _group_drivers(record["driver_list"])
        out.append(record)
    return out


def _group_drivers(drivers: Sequence[str]) -> list[tuple[str, list[str]]]:
    """``miRNA->GENE`` items grouped by miRNA, in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for item in drivers:
        mirna, _, gene = item.partition("->")
        groups.setdefault(mirna, []).append(gene)
    return list(groups.items())


def report_drivers(
    drivers: pd.DataFrame, table: pd.DataFrame, limit: int = REPORT_DRIVERS
) -> dict[str, list[dict[str, Any]]]:
    """Per call key, its first ``limit`` drivers by rank (records of the drivers table)."""
    out: dict[str, list[dict[str, Any]]] = {}
    if drivers.empty:
        return {key: [] for key in table["key"]}
    ranked = drivers.assign(_rank=pd.to_numeric(drivers["rank"], errors="coerce"))
    for key in table["key"]:
        mine = ranked[ranked["key"] == key].sort_values("_rank", kind="stable")
        records = mine.drop(columns="_rank").head(limit).to_dict("records")
        # Missing evidence (pd.NA, NaN) becomes None, which templates can test plainly.
        out[key] = [{k: None if _missing(v) else v for k, v in r.items()} for r in records]
    return out


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def agreement_counts(literature: pd.DataFrame) -> dict[str, int]:
    """How many literature rows fall in each agreement class, in :data:`AGREEMENTS` order."""
    counts = literature["agreement"].value_counts() if len(literature) else pd.Series(dtype=int)
    return {a: int(counts.get(a, 0)) for a in AGREEMENTS if counts.get(a, 0)}
