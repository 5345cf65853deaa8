"""Cell-level helpers shared by the signature readers: line numbers, text, numbers, empty tables."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import InputError


def line_of(row: int) -> int:
    """Line of a 0-based data row in a table with one header line."""
    return row + 2


def text_values(values: pd.Series) -> list[str]:
    """Cells as stripped text; a missing cell (None, NaN) becomes ``""``."""
    return [
        "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
        for v in values.to_numpy(dtype=object)
    ]


def strip_text(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` whose ``columns`` (those present) hold stripped text."""
    frame = frame.copy()
    for column in columns:
        if column in frame.columns:
            frame[column] = text_values(frame[column])
    return frame


def numeric_column(
    frame: pd.DataFrame,
    column: str,
    *,
    path: object,
    what: str,
    low: float = -math.inf,
    high: float = math.inf,
) -> np.ndarray:
    """A column as floats; a non-numeric or out-of-range cell raises naming the file and line."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < low) | (values > high)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        bounds = f" between {low:g} and {high:g}" if math.isfinite(high) else f" >= {low:g}"
        raise InputError(
            f"column {column!r} of the {what} must hold finite numbers{bounds}",
            path=None if path is None else str(path),
            line=None if path is None else line_of(row),
            value=str(frame[column].iloc[row]),
            hint="rebuild the table with exomir (docs/data-model.md)",
        )
    return values


def clean_zero(value: float) -> float:
    """Round away the float noise of sums that cancel (-1e-17 would print as a negative)."""
    return 0.0 if abs(value) < 1e-12 else value


def empty_frame(columns: Iterable[str], dtype: str) -> pd.DataFrame:
    """A table with ``columns`` of ``dtype`` and no rows (what a set without rows writes)."""
    return pd.DataFrame({c: pd.Series(dtype=dtype) for c in columns})
