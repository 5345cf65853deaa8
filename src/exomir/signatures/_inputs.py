"""The scoring inputs: the species' edge table and one set's target table, checked.

Both tables come from the target stage (``results/targets/``).  The signatures need each edge's
``confidence`` (the enrichment's edge reader, :func:`exomir.enrichment.read_edges`, does not),
and a set's miRNA weights, normalised to mean 1 (``docs/methods/signatures.md``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._io import read_delimited
from ..errors import InputError
from ..tables import EDGES, SET_TARGETS, read_table
from ._checks import line_of, numeric_column, text_values

#: Columns of an edge or target table that scoring needs.
SCORING_COLUMNS = ("mirna", "gene", "confidence")


def read_scoring_edges(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read ``results/targets/all_edges.parquet`` (or a TSV) for scoring: ``mirna, gene,
    confidence`` (:func:`clean_scoring_edges`)."""
    frame = read_table(path, EDGES.what, SCORING_COLUMNS)
    return clean_scoring_edges(frame, path)


def clean_scoring_edges(edges: pd.DataFrame, path: object = None) -> pd.DataFrame:
    """``mirna, gene, confidence`` of an edge table: names stripped, confidence checked.

    A pair listed twice keeps its highest confidence (exomir writes each pair once).  Unlike
    the enrichment's ``clean_edges``, ``confidence`` is required: it weighs every edge.
    """
    EDGES.require(edges, path, SCORING_COLUMNS)
    conf = numeric_column(edges, "confidence", path=path, what=EDGES.what, low=0.0, high=1.0)
    out = pd.DataFrame(
        {
            "mirna": [str(m).strip() for m in edges["mirna"].to_numpy(dtype=object)],
            "gene": [str(g).strip() for g in edges["gene"].to_numpy(dtype=object)],
            "confidence": conf,
        }
    )
    out = out[(out["mirna"] != "") & (out["gene"] != "") & (out["gene"] != "nan")]
    out = out.groupby(["mirna", "gene"], as_index=False, sort=True)["confidence"].max()
    return out.reset_index(drop=True)


def read_set_targets(path: str | os.PathLike[str], set_name: str | None = None) -> pd.DataFrame:
    """Read a set's target table (``results/targets/{set}.tsv``); see :func:`check_set_targets`."""
    frame = read_delimited(path, required=SCORING_COLUMNS, what=SET_TARGETS.what)
    return check_set_targets(frame, set_name, path=path)


def check_set_targets(
    targets: pd.DataFrame, set_name: str | None = None, *, path: object = None
) -> pd.DataFrame:
    """Check a set's target table and give it numeric ``weight`` and ``confidence``.

    ``weight`` is 1 when the column is absent or a cell is empty; it must be one finite number
    >= 0 per miRNA.  Rows of another set, a non-numeric confidence and a miRNA with two weights
    raise :class:`InputError` naming the file, line and value.
    """
    where = {"path": None if path is None else str(path)}
    SET_TARGETS.require(targets, where["path"], SCORING_COLUMNS)
    frame = targets.reset_index(drop=True).copy()
    for column in ("mirna", "gene", "input_name", "set"):
        if column in frame.columns:
            frame[column] = text_values(frame[column])
    if set_name is not None and "set" in frame.columns:
        other = np.flatnonzero((frame["set"] != set_name).to_numpy())
        if other.size:
            row = int(other[0])
            raise InputError(
                f"the target table of set {set_name!r} holds a row of another set",
                **where,
                line=None if path is None else line_of(row),
                value=frame["set"].iloc[row],
                hint="pass results/targets/{set}.tsv of the same set",
            )
    frame = frame[(frame["mirna"] != "") & (frame["gene"] != "")].reset_index(drop=True)
    frame["confidence"] = numeric_column(
        frame, "confidence", path=path, what=SET_TARGETS.what, low=0.0, high=1.0
    )
    if "weight" in frame.columns:
        blank = frame["weight"].isna() | (frame["weight"].astype("str").str.strip() == "")
        frame["weight"] = frame["weight"].where(~blank, 1.0)
        frame["weight"] = numeric_column(frame, "weight", path=path, what=SET_TARGETS.what, low=0.0)
    else:
        frame["weight"] = 1.0
    per_mirna = frame.groupby("mirna", sort=True)["weight"].nunique()
    if (per_mirna > 1).any():
        mirna = per_mirna[per_mirna > 1].index[0]
        row = int(np.flatnonzero((frame["mirna"] == mirna).to_numpy())[0])
        raise InputError(
            f"miRNA {mirna} has more than one weight in the target table",
            **where,
            line=None if path is None else line_of(row),
            value=sorted(frame.loc[frame["mirna"] == mirna, "weight"].unique().tolist()),
            hint="a miRNA has one weight per set; rebuild results/targets",
        )
    if "input_name" not in frame.columns:
        frame["input_name"] = frame["mirna"]
    return frame


def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights divided by their mean, so that they average 1 (``docs/methods/signatures.md``).

    Raises :class:`InputError` when every weight is zero: nothing would be delivered.
    """
    values = np.array([float(weights[m]) for m in weights], dtype=float)
    if values.size == 0:
        return {}
    mean = float(values.mean())
    if not mean > 0:
        raise InputError(
            "every miRNA of the set has weight 0",
            value=dict(weights),
            hint="give at least one miRNA a positive weight in the set sheet",
        )
    return {m: float(weights[m]) / mean for m in weights}
