"""Focus pathways: the handful of pathways the MSC-exosome literature keeps returning to.

The curated file ``resources/curated/focus_pathways.yaml`` maps a focus key to a label and to the
terms that represent it in each gene-set library::

    pi3k_akt:
      label: PTEN / PI3K-Akt
      terms:
        - PI3K-Akt signaling pathway          # KEGG_2021_Human, by name
        - HALLMARK_PI3K_AKT_MTOR_SIGNALING    # MSigDB Hallmark, by name
        - R-HSA-6807070                       # Reactome "PTEN Regulation", by identifier

Terms are matched exactly but case-insensitively against a term's name *or* its identifier, so
one list serves libraries that name the same pathway differently without any fuzzy matching
(fuzzy matching would silently pull in "negative regulation of ..." terms).  Extra keys in an
entry (a reference, a note) are allowed and ignored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import yaml

from ._io import read_text
from .errors import InputError


@dataclass(frozen=True)
class FocusPathway:
    """One focus pathway.

    Attributes
    ----------
    key
        Short identifier (the YAML key), used in result tables.
    label
        Display name for reports.
    terms
        Term names or identifiers that represent the pathway, as written in the file.
    """

    key: str
    label: str
    terms: tuple[str, ...]


def load_focus_pathways(path: str | os.PathLike[str]) -> dict[str, FocusPathway]:
    """Read the focus-pathway file.

    Returns
    -------
    dict
        Focus key -> :class:`FocusPathway`, in file order.

    Raises
    ------
    InputError
        For a YAML syntax error (with its line), a top level that is not a mapping, an entry
        without a text ``label`` or without a non-empty list of text ``terms``, or a term listed
        twice in one entry.
    """
    text = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"focus-pathway file is not valid YAML ({getattr(exc, 'problem', None) or exc})",
            path=path,
            line=None if mark is None else mark.line + 1,
            hint="check indentation and quoting",
        ) from exc
    if not isinstance(data, Mapping) or not data:
        raise InputError(
            "focus-pathway file must be a mapping of focus keys to {label, terms}",
            path=path,
            value=type(data).__name__,
            hint="see the example at the top of exomir/focus.py",
        )
    result: dict[str, FocusPathway] = {}
    for key, entry in data.items():
        where = f"focus pathway {key!r}"
        if not isinstance(entry, Mapping):
            raise InputError(
                f"{where} must be a mapping with label and terms", path=path, value=entry
            )
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise InputError(
                f"{where} has no text label", path=path, value=label, hint="add label: <name>"
            )
        terms = entry.get("terms")
        if not isinstance(terms, list) or not terms:
            raise InputError(
                f"{where} needs a non-empty list of terms",
                path=path,
                value=terms,
                hint="terms: [exact term names or term IDs]",
            )
        bad = [t for t in terms if not isinstance(t, str) or not t.strip()]
        if bad:
            raise InputError(
                f"{where} has terms that are not text",
                path=path,
                value=bad[0],
                hint="quote term names that YAML reads as numbers or dates",
            )
        seen: dict[str, str] = {}
        for term in terms:
            if term.strip().casefold() in seen:
                raise InputError(
                    f"{where} lists the same term twice (matching ignores case)",
                    path=path,
                    value=(seen[term.strip().casefold()], term),
                    hint="remove one of them",
                )
            seen[term.strip().casefold()] = term
        result[str(key)] = FocusPathway(str(key), label.strip(), tuple(t.strip() for t in terms))
    return result


def flag_focus(table: pd.DataFrame, focus: Mapping[str, FocusPathway] | None) -> pd.Series:
    """Focus keys of every row of a term table.

    Parameters
    ----------
    table
        Any table with ``term_id`` and ``term`` columns.
    focus
        Focus pathways (from :func:`load_focus_pathways`); None or empty flags nothing.

    Returns
    -------
    pandas.Series
        Aligned with ``table``: the matching focus keys, sorted and ``;``-joined (a term can
        represent two focus pathways, e.g. a PI3K/AKT/mTOR hallmark), or ``""``.
    """
    if not focus:
        return pd.Series("", index=table.index, dtype="str", name="focus")
    wanted: dict[str, set[str]] = {}
    for key, pathway in focus.items():
        for term in pathway.terms:
            wanted.setdefault(term.casefold(), set()).add(key)
    by_id = table["term_id"].astype(str).str.casefold()
    by_name = table["term"].astype(str).str.casefold()
    values = [
        ";".join(sorted(wanted.get(i, set()) | wanted.get(n, set())))
        for i, n in zip(by_id, by_name, strict=True)
    ]
    return pd.Series(values, index=table.index, dtype="str", name="focus")
