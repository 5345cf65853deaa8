"""The enrichment parameters as a reader wants them: named, with units and meanings.

Each set's enrichment writes its parameters beside its results (``enrichment/{set}.json``).
:func:`parameter_rows` turns them into table rows: a plain label, the dotted key (so a reader can
find it in the file and the configuration), the value with its unit, and one sentence on what
the value means. A list of records (``empirical.strata``) becomes a small table of its own, a
list of names a comma-separated list. Keys not in :data:`PARAMETERS` are still shown, by key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._derive import flatten_params
from ._format import EN_DASH, format_number


@dataclass(frozen=True)
class Parameter:
    """What one parameter is: ``label``, ``unit`` written after numbers, and ``meaning``;
    ``span``: the value is a ``[low, high]`` pair, shown as a range (``1,285`` en dash ``3,072 targets``)."""

    label: str
    unit: str = ""
    meaning: str = ""
    span: bool = False


#: Known parameters by dotted key, in display order within each group.
PARAMETERS: dict[str, Parameter] = {
    "set": Parameter("Set"),
    "k": Parameter("miRNAs tested", "miRNAs", "miRNAs of the set with at least one target"),
    "mirnas": Parameter("miRNAs", "", "the set's miRNAs after name resolution"),
    "mirnas_without_targets": Parameter(
        "miRNAs without targets", "", "resolved, but no target edge under the configured sources"
    ),
    "mirnas_outside_universe": Parameter(
        "miRNAs outside the universe", "", "left out of the random sets' miRNA universe"
    ),
    "fdr": Parameter("FDR threshold", "", "a term is significant below this FDR"),
    "jaccard": Parameter(
        "Redundancy grouping",
        "Jaccard",
        "significant terms whose overlap genes share at least this Jaccard index form one group",
    ),
    "cluster_method": Parameter(
        "Grouping by", "", "the test whose significant terms are grouped (emp = empirical null)"
    ),
    "background.kind": Parameter(
        "Background", "", "which genes could have been hit (targetable: genes with any target)"
    ),
    "background.size": Parameter("Background size", "genes"),
    "background.note": Parameter("Background note"),
    "background.per_library": Parameter(
        "Background per library", "genes", "the background intersected with each library's genes"
    ),
    "terms.libraries": Parameter("Libraries", "", "gene-set libraries tested"),
    "terms.min_size": Parameter("Smallest term", "genes", "smaller terms are not tested"),
    "terms.max_size": Parameter("Largest term", "genes", "larger terms are not tested"),
    "terms.tested": Parameter("Terms tested", "terms"),
    "terms.out_of_size_range": Parameter("Terms outside the size range", "terms", "not tested"),
    "universe.kind": Parameter(
        "miRNA universe",
        "",
        "the miRNAs random sets are drawn from (all: every miRNA with targets)",
    ),
    "universe.size": Parameter("miRNA universe size", "miRNAs"),
    "universe.file": Parameter("miRNA universe file", "", "a user-given universe, if any"),
    "universe.dropped_without_targets": Parameter(
        "Universe miRNAs without targets", "", "dropped from the universe"
    ),
    "empirical.null": Parameter(
        "Null model",
        "",
        "stratified:N = random sets drawn from N bins of miRNAs by target count, as many from "
        "each bin as the set has, so random sets have as many targets as the real one; "
        "uniform = drawn from the whole universe",
    ),
    "empirical.n_random": Parameter(
        "Random miRNA sets", "sets", "size of the empirical null per set"
    ),
    "empirical.seed": Parameter("Seed", "", "same seed and inputs give the same p-values"),
    "empirical.generator": Parameter("Random generator"),
    "empirical.p_value": Parameter("Empirical p-value", "", "how p is computed from the null"),
    "empirical.sequential_stop": Parameter(
        "Early stop",
        "exceedances",
        "a term's sampling stops once this many random sets reach its overlap (its p is then "
        "well estimated and clearly not small)",
    ),
    "empirical.score_threshold": Parameter(
        "Score threshold",
        "",
        "a miRNA's evidence for a term counts beyond this p-value of its own test, as "
        "ln(threshold / p); weaker hits count 0 (1: its whole -ln p)",
    ),
    "empirical.families": Parameter(
        "miRNA families (Jaccard)",
        "",
        "miRNAs whose target sets overlap at least this much form a family; two or more members "
        "in a set count once, with the family's mean scores (0: every miRNA on its own)",
    ),
    "empirical.families_in_set": Parameter(
        "Families of the set's miRNAs",
        "",
        "each counts once, with the mean scores of all the family's members; miRNAs not listed "
        "count on their own",
    ),
    "empirical.tilt": Parameter(
        "Tilt to the set",
        "",
        "where the bins cannot match the set, random sets draw the miRNAs of wide bins with "
        "weights (targets + 1)^theta so that their targets equal the set's on average",
    ),
    "empirical.stratified_bins": Parameter(
        "Target-count bins", "bins", "bins of the miRNA universe by number of targets"
    ),
    "empirical.strata_merged": Parameter(
        "Bins merged", "bins", "bins with too few miRNAs to draw from, merged with a neighbour"
    ),
    "empirical.strata": Parameter(
        "Strata used",
        "",
        "the bins the set's miRNAs fall in: target-count range, miRNAs in the bin, how many "
        "each random set draws from it, and for a tilted bin the exponent theta of its weights "
        "(above 0: its target-rich miRNAs are drawn more often)",
    ),
    "empirical.log10_distinct_random_sets": Parameter(
        "Distinct random sets possible", "log10", "how many different random sets exist"
    ),
    "empirical.target_count_sum.set": Parameter(
        "Target edges of the set", "edges", "sum of the set's miRNAs' target counts"
    ),
    "empirical.target_count_sum.null_mean": Parameter(
        "Target edges of random sets",
        "edges",
        "expected over the random sets (with the tilt where there is one); close to the set's",
    ),
    "empirical.statistic": Parameter(
        "Statistic",
        "",
        "what a random set is compared on (mirna_sum: summed per-miRNA scores; share of the "
        "targets; or overlap)",
    ),
    "empirical.statistic_choice": Parameter(
        "Why this statistic",
        "",
        "auto takes mirna_sum where the target-count bins match the set (tilted if need be) and "
        "share where they cannot; a fixed statistic is used as configured",
    ),
    "empirical.max_draws": Parameter(
        "Most random sets per term",
        "sets",
        "terms whose calls more draws could still change draw on up to this",
    ),
    "empirical.p_method": Parameter(
        "How p was obtained",
        "",
        "terms per method (column p_method); exceedances: counted among the first random sets; "
        "extended: after drawing on; gpd_tail: tail fit; floor: no random set reached the overlap",
    ),
    "empirical.tail_fit": Parameter(
        "Tail fit",
        "",
        "beyond the most random sets, counts of fewer than 10 exceedances replaced by a "
        "generalized Pareto fit to the null's tail (off by default)",
    ),
    "empirical.extension.stream": Parameter(
        "Stream of the extra draws",
        "",
        "how the random sets after the first ones are drawn (fixed by the seed)",
    ),
    "empirical.extension.undecided_after_n_random": Parameter(
        "Undecided after the first random sets", "terms", "fewer exceedances than the early stop"
    ),
    "empirical.extension.extended_terms": Parameter(
        "Terms drawn on",
        "terms",
        "undecided terms whose calls at the FDR threshold more draws could still change",
    ),
    "empirical.extension.draws_beyond_n_random": Parameter(
        "Extra random sets drawn", "sets", "summed over the terms drawn on"
    ),
    "empirical.extension.reached_max_draws": Parameter(
        "Terms at the most random sets", "terms", "tail fit or floor"
    ),
    "empirical.extension.not_extended": Parameter("Not drawn on because"),
    "empirical.matching.target_ratio": Parameter(
        "Target ratio to random sets",
        "",
        "the set's target edges / a random set's (1 = matched); above the limit the run warns",
    ),
    "empirical.matching.untilted_ratio": Parameter(
        "Target ratio before the tilt",
        "",
        "the set's target edges / a random set's drawn uniformly within the bins",
    ),
    "empirical.matching.merged_share": Parameter(
        "miRNAs in merged bins", "", "share of the set's miRNAs in bins merged with a neighbour"
    ),
    "empirical.matching.widest_stratum_targets": Parameter(
        "Widest stratum",
        "targets",
        "fewest and most targets of the widest bin the set draws from",
        span=True,
    ),
    "empirical.matching.calibration_warning": Parameter(
        "Calibration warning",
        "",
        "the run's warning when the null cannot match the set (shown above its results)",
    ),
    "exomir_version": Parameter("exomir version"),
}

#: Keys that repeat another key's value: shown only where the two differ for some set.
DUPLICATES = {"empirical.extension.max_draws": "empirical.max_draws"}

#: Group headings, by the first part of the dotted key.
GROUPS = {
    "": "The set",
    "terms": "Terms and libraries",
    "background": "Background genes",
    "universe": "miRNA universe",
    "empirical": "Empirical null",
}

#: Column headings of the record lists.
_RECORD_COLUMNS = {
    "min_targets": "fewest targets",
    "max_targets": "most targets",
    "mirnas": "miRNAs in bin",
    "drawn": "drawn per random set",
    "tilt": "tilt (theta)",
    "in_set": "in the set",
    "family_size": "family size",
}


def _number(value: float | int, unit: str) -> str:
    # Whole numbers and values of 1,000 or more with thousands separators (a mean of 105,536.8
    # target edges reads 105,537, not 1.055e+05); smaller decimals to 4 significant digits.
    whole = float(value).is_integer() or abs(value) >= 1000
    text = format_number(value) if whole else f"{value:.4g}"
    if not unit or unit == "log10":
        return text
    if value == 1 and unit.endswith("s"):
        unit = unit[:-1]  # 1 term, 1 set, 1 miRNA
    return f"{text} {unit}"


def _flat(params: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys to values, keeping known mappings (``background.per_library``) whole."""
    out: dict[str, Any] = {}
    for key, value in flatten_params(params):
        whole = next((k for k in PARAMETERS if key.startswith(k + ".")), None)
        if whole is not None:
            out.setdefault(whole, {})
            out[whole][key[len(whole) + 1 :]] = value
        else:
            out[key] = value
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def format_parameter(value: Any, unit: str = "", *, span: bool = False) -> dict[str, Any]:
    """A value as a cell: ``text`` always; ``table`` (columns, rows) for a list of records.

    Numbers keep their thousands separators, also in lists; with ``span``, a pair of numbers is
    a range with an en dash and the unit once (``1,285`` en dash ``3,072 targets``).
    """
    if (
        span
        and isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 2
        and all(_is_number(v) for v in value)
    ):
        low, high = (_number(v, "") for v in value)
        return {"text": f"{low}{EN_DASH}{high} {unit}".strip(), "table": None}
    if value is None or value == [] or value == {}:
        return {"text": EN_DASH if value is None else "none", "table": None}
    if isinstance(value, bool):
        return {"text": "yes" if value else "no", "table": None}
    if isinstance(value, int | float):
        return {"text": _number(value, unit), "table": None}
    if isinstance(value, Mapping):
        parts = [f"{k}: {format_parameter(v, unit)['text']}" for k, v in value.items()]
        return {"text": "; ".join(parts), "table": None}
    if isinstance(value, Sequence) and not isinstance(value, str):
        if all(isinstance(v, Mapping) for v in value):
            columns = list(dict.fromkeys(k for v in value for k in v))
            order = [c for c in _RECORD_COLUMNS if c in columns]
            columns = order + [c for c in columns if c not in order]
            rows = [[format_parameter(v.get(c))["text"] for c in columns] for v in value]
            heads = [_RECORD_COLUMNS.get(c, c.replace("_", " ")) for c in columns]
            # Numbers align right, text (miRNA names) left.
            numeric = [
                all(isinstance(v.get(c), int | float | None) for v in value) for c in columns
            ]
            return {"text": f"{len(value)} rows", "table": (heads, rows), "numeric": numeric}
        return {
            "text": ", ".join(_number(v, "") if _is_number(v) else str(v) for v in value),
            "table": None,
        }
    return {"text": str(value), "table": None}


def parameter_rows(
    params: Mapping[str, Mapping[str, Any]], sets: Sequence[str]
) -> list[dict[str, Any]]:
    """Rows of the parameters table: one per parameter, one cell per set, grouped.

    Each row has ``group`` (heading), ``key`` (dotted), ``label``, ``meaning``, ``cells`` (see
    :func:`format_parameter`) and ``varies`` (the sets' values differ). Known parameters come
    in :data:`PARAMETERS` order, others after them by key, within their group.
    """
    flat = {s: _flat(params[s]) for s in sets}
    keys = [
        k
        for k in dict.fromkeys(k for s in sets for k in flat[s])
        if not (
            k in DUPLICATES
            and all(
                DUPLICATES[k] in flat[s] and flat[s].get(k) == flat[s][DUPLICATES[k]] for s in sets
            )
        )
    ]
    known = list(PARAMETERS)
    keys.sort(key=lambda k: (known.index(k) if k in known else len(known), k))
    rows = []
    for key in keys:
        info = PARAMETERS.get(key, Parameter(key.rsplit(".", 1)[-1].replace("_", " ").capitalize()))
        group = key.split(".", 1)[0] if "." in key else ""
        cells = [format_parameter(flat[s].get(key), info.unit, span=info.span) for s in sets]
        texts = {repr((c["text"], c["table"])) for c in cells}
        rows.append(
            {
                "group": GROUPS.get(group, group.replace("_", " ").capitalize()),
                "key": key,
                "label": info.label,
                "meaning": info.meaning,
                "cells": cells,
                "varies": len(texts) > 1,
            }
        )
    order = list(GROUPS.values())
    rows.sort(key=lambda r: order.index(r["group"]) if r["group"] in order else len(order))
    return rows


def grouped(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """:func:`parameter_rows` as ``(group, rows)`` pairs, groups in order of first row."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["group"], []).append(row)
    return list(out.items())
