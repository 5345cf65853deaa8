"""Shared and unique miRNAs and target genes across sets (UpSet intersections).

Sets from different MSC sources share much of their cargo (miR-21, let-7, miR-100 are in most
exosome preparations) and differ in a few miRNAs. Pairwise Venn diagrams stop being readable at
three sets; an UpSet layout (Lex et al. 2014, IEEE TVCG 20:1983) shows every combination of sets
as one column. Its columns are **exclusive intersections**: for a combination of sets, the
members that are in exactly those sets and in no other. Every member therefore falls in exactly
one combination, so the sizes add up to the size of the union, and the combination of a single
set holds what is unique to it.

Members are

* **miRNAs**: the current miRBase names that a set's input names resolved to (name audit rows
  with status ``ok``; a precursor name counts for each of its arms), so that ``miR-21`` in one
  sheet and ``hsa-miR-21-5p`` in another are the same miRNA;
* **targets**: the genes of the set's target table under the target policy.

Table (``results/compare/overlap_mirnas.tsv``, ``overlap_targets.tsv``), one row per
combination that has members, with the columns :data:`exomir.tables.OVERLAP`:

* ``sets``: the combination, ``;``-joined in the order of the sets (sheet order);
* ``n_sets``: the number of sets in it;
* ``size``: the number of members in exactly these sets;
* ``members``: the members, sorted, ``;``-joined.

Combinations without members are left out (their size is 0). Rows are ordered by size (largest
first), then by the number of sets (fewest first), then by the position of the sets in the
sheet, the usual order of an UpSet plot.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from .errors import InputError
from .tables import NAMES, OVERLAP, SET_TARGETS


def _split(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


def resolved_mirnas(
    names: pd.DataFrame, *, path: str | os.PathLike[str] | None = None
) -> list[str]:
    """The current miRNA names of a set's name audit: ``resolved`` of the ``ok`` rows, sorted."""
    NAMES.require(names, path, columns=("resolved", "status"))
    ok = names[names["status"].astype(str) == "ok"]
    return sorted({m for value in ok["resolved"] for m in _split(value)})


def target_genes(targets: pd.DataFrame, *, path: str | os.PathLike[str] | None = None) -> list[str]:
    """The target genes of a set's target table, sorted."""
    SET_TARGETS.require(targets, path, columns=("gene",))
    return sorted({g for g in (str(v).strip() for v in targets["gene"].dropna()) if g})


def exclusive_intersections(
    members: Mapping[str, Iterable[str]], sets: Sequence[str] | None = None
) -> pd.DataFrame:
    """Exclusive intersections of sets: for each combination, the members in exactly those sets.

    Parameters
    ----------
    members
        Set name -> its members (duplicates count once).
    sets
        Order of the sets (the sheet order); defaults to the order of ``members``. Every set
        of it must be in ``members``.

    Returns
    -------
    DataFrame
        :data:`exomir.tables.OVERLAP`, one row per combination with at least one member, ordered by
        size (largest first), number of sets, then the sets' positions.
    """
    order = list(members) if sets is None else list(sets)
    missing = [s for s in order if s not in members]
    if missing:
        raise InputError(
            f"no members given for set(s) {', '.join(repr(m) for m in missing)}",
            hint="pass the members of every set",
        )
    if len(set(order)) != len(order):
        raise InputError("a set is listed twice", value=", ".join(order))
    combination_of: dict[str, list[int]] = {}
    for index, name in enumerate(order):
        for member in sorted({str(m) for m in members[name]}):
            combination_of.setdefault(member, []).append(index)
    groups: dict[tuple[int, ...], list[str]] = {}
    for member, indices in combination_of.items():
        groups.setdefault(tuple(indices), []).append(member)
    keys = sorted(groups, key=lambda k: (-len(groups[k]), len(k), k))
    return pd.DataFrame(
        {
            "sets": [";".join(order[i] for i in key) for key in keys],
            "n_sets": [len(key) for key in keys],
            "size": [len(groups[key]) for key in keys],
            "members": [";".join(sorted(groups[key])) for key in keys],
        },
        columns=list(OVERLAP.columns),
    ).astype({"n_sets": "int64", "size": "int64"})


def set_sizes(intersections: pd.DataFrame, sets: Sequence[str]) -> dict[str, int]:
    """Members per set, summed over the combinations that contain it (in ``sets`` order)."""
    sizes = dict.fromkeys(sets, 0)
    for combo, size in zip(intersections["sets"], intersections["size"], strict=True):
        for name in _split(combo):
            if name in sizes:
                sizes[name] += int(size)
    return sizes


def overlap_summary(intersections: pd.DataFrame, sets: Sequence[str]) -> pd.DataFrame:
    """Per set: ``set, total, unique, shared_by_all`` from an intersection table.

    ``unique`` counts the members found in this set only; ``shared_by_all`` the members of
    every set (the same number on every row).
    """
    sizes = set_sizes(intersections, sets)
    single = {
        combo: int(size)
        for combo, size, n in zip(
            intersections["sets"], intersections["size"], intersections["n_sets"], strict=True
        )
        if int(n) == 1
    }
    everyone = ";".join(sets)
    shared = int(intersections.loc[intersections["sets"] == everyone, "size"].sum())
    return pd.DataFrame(
        {
            "set": list(sets),
            "total": [sizes[s] for s in sets],
            "unique": [single.get(s, 0) for s in sets],
            "shared_by_all": shared,
        }
    )


def overlap_tables(
    sets: Sequence[str],
    names: Mapping[str, pd.DataFrame],
    targets: Mapping[str, pd.DataFrame],
    *,
    paths: Mapping[tuple[str, str], str | os.PathLike[str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The miRNA and target-gene intersection tables of a run.

    Parameters
    ----------
    sets
        Set names in sheet order.
    names, targets
        Per set: the name audit (results/names/{set}.tsv) and the target table
        (results/targets/{set}.tsv).
    paths
        ``(kind, set) -> file`` with kind ``names`` or ``targets``, for error messages.

    Returns
    -------
    tuple of DataFrame
        ``(mirnas, targets)``, each as :func:`exclusive_intersections` returns it.
    """
    paths = paths or {}
    mirnas = {s: resolved_mirnas(names[s], path=paths.get(("names", s))) for s in sets}
    genes = {s: target_genes(targets[s], path=paths.get(("targets", s))) for s in sets}
    return exclusive_intersections(mirnas, sets), exclusive_intersections(genes, sets)


__all__ = [
    "exclusive_intersections",
    "overlap_summary",
    "overlap_tables",
    "resolved_mirnas",
    "set_sizes",
    "target_genes",
]
