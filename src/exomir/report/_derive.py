"""What the pages say, computed from the checked tables: pure functions, no HTML.

Counts per set (:func:`summarise_set`), the lead terms of the redundancy groups
(:func:`top_terms`), the best term per focus pathway (:func:`focus_rows`), target edges ranked
by evidence (:func:`rank_edges`) and the parameters flattened for display. The section builders
turn these into template variables; tests check them without rendering a page.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ._validate import _blank, split_list

#: Lead terms shown by default on a set page (at least), and at most; the full table is linked.
TOP_TERMS = 25
MAX_TERMS = 200


def primary_method(enrichment: pd.DataFrame) -> str:
    """``"emp"`` when the table has empirical FDRs, else ``"ora"``.

    The empirical miRNA-set null is the method exomir trusts (it corrects the target bias);
    ORA is primary only when the null was switched off.
    """
    return "emp" if enrichment["fdr_emp"].notna().any() else "ora"


@dataclass(frozen=True)
class SetSummary:
    """Counts that describe one set, for the overview table and the set page."""

    set: str
    inputs: int
    names_ok: int
    names_ambiguous: int
    names_unknown: int
    mirnas: int
    mirnas_with_targets: int
    mirnas_without_targets: tuple[str, ...]
    target_genes: int
    edges: int
    edges_by_source: Mapping[str, int]
    libraries: tuple[str, ...]
    terms_tested: int
    significant_ora: int
    significant_emp: int | None
    significant_focus: int | None
    groups: int
    method: str


def summarise_set(
    set_name: str,
    names: pd.DataFrame,
    targets: pd.DataFrame,
    enrichment: pd.DataFrame,
    *,
    fdr: float,
) -> SetSummary:
    """Count a set's names, targets and significant terms.

    ``mirnas`` counts the distinct current names that the ``ok`` inputs resolved to;
    ``mirnas_without_targets`` lists those of them without a single target edge, so that no
    miRNA leaves the analysis without the report saying so. ``groups`` counts the redundancy
    groups (cluster leads) that are significant by the primary method.
    """
    status = names["status"]
    resolved: set[str] = set()
    for value in names.loc[status == "ok", "resolved"]:
        resolved.update(split_list(value))
    with_targets = set(targets["mirna"].tolist())
    by_source: dict[str, int] = {}
    for value in targets["sources"]:
        for source in split_list(value):
            by_source[source] = by_source.get(source, 0) + 1
    method = primary_method(enrichment)
    has_emp = method == "emp"
    sig_col = "fdr_emp" if has_emp else "fdr_ora"
    significant = enrichment[sig_col] < fdr
    leads = enrichment["cluster_lead"] | (enrichment["cluster"] == "")
    return SetSummary(
        set=set_name,
        inputs=len(names),
        names_ok=int((status == "ok").sum()),
        names_ambiguous=int((status == "ambiguous").sum()),
        names_unknown=int((status == "unknown").sum()),
        mirnas=len(resolved),
        mirnas_with_targets=len(with_targets),
        mirnas_without_targets=tuple(sorted(resolved - with_targets)),
        target_genes=int(targets["gene"].nunique()),
        edges=len(targets),
        edges_by_source=dict(sorted(by_source.items())),
        libraries=tuple(sorted(set(enrichment["library"].tolist()))),
        terms_tested=len(enrichment),
        significant_ora=int((enrichment["fdr_ora"] < fdr).sum()),
        significant_emp=int((enrichment["fdr_emp"] < fdr).sum()) if has_emp else None,
        significant_focus=count_focus_calls(enrichment, fdr) if has_emp else None,
        groups=int((significant & leads).sum()),
        method=method,
    )


def count_focus_calls(enrichment: pd.DataFrame, fdr: float) -> int | None:
    """Focus-family terms at FDR < ``fdr`` (None for tables written before ``fdr_focus``)."""
    if "fdr_focus" not in enrichment.columns:
        return None
    return int((pd.to_numeric(enrichment["fdr_focus"], errors="coerce") < fdr).sum())


def _sort_terms(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    """Best first, as the enrichment table is written: by the primary method's p-value; for
    the empirical null, terms with the same p (often many at the floor ``1 / (draws + 1)``)
    by their effect size ``z_emp``, larger first; then by the other p-value and the term."""
    if method != "emp":
        return frame.sort_values(
            ["p_ora", "p_emp", "library", "term_id"], kind="stable", na_position="last"
        )
    keys = ["p_emp", "p_ora", "library", "term_id"]
    if "z_emp" in frame.columns:
        frame = frame.assign(_by_z=-pd.to_numeric(frame["z_emp"], errors="coerce"))
        keys.insert(1, "_by_z")
    ordered = frame.sort_values(keys, kind="stable", na_position="last")
    return ordered.drop(columns=["_by_z"], errors="ignore")


def top_terms(
    enrichment: pd.DataFrame,
    *,
    fdr: float,
    limit: int = TOP_TERMS,
    max_rows: int = MAX_TERMS,
) -> pd.DataFrame:
    """The lead terms of the set, best first, with their redundant members attached.

    A term is a lead when it is its group's ``cluster_lead`` or belongs to no group (terms
    that were not significant are not grouped). Every significant lead is returned (up to
    ``max_rows``), and at least ``limit`` leads so that a set without significant terms still
    shows its best candidates. Added columns: ``significant`` (by the primary method),
    ``members`` (list of ``(library, term)`` of the other terms of the group, best first) and
    ``n_members``.
    """
    method = primary_method(enrichment)
    ordered = _sort_terms(enrichment, method)
    grouped = ordered[ordered["cluster"] != ""]
    members: dict[str, list[tuple[str, str]]] = {}
    for row in grouped[~grouped["cluster_lead"]].itertuples(index=False):
        members.setdefault(row.cluster, []).append((row.library, row.term))
    leads = ordered[ordered["cluster_lead"] | (ordered["cluster"] == "")].copy()
    sig_col = "fdr_emp" if method == "emp" else "fdr_ora"
    leads["significant"] = leads[sig_col] < fdr
    leads["members"] = [members.get(c, []) if c else [] for c in leads["cluster"].tolist()]
    leads["n_members"] = [len(m) for m in leads["members"]]
    n_show = min(max_rows, max(limit, int(leads["significant"].sum())))
    return leads.head(n_show).reset_index(drop=True)


#: What the focus heatmap can show, best first: (column, label). ``fdr_focus`` is BH over the
#: pre-declared focus family (the focus terms of all libraries); older tables have only the
#: empirical FDR (BH within each library, or over all terms) or, without the null, ORA's.
FOCUS_STATISTICS = (
    ("fdr_focus", "focus-family FDR"),
    ("fdr_emp", "empirical FDR"),
    ("fdr_ora", "ORA FDR"),
)


def focus_statistic(enrichment: pd.DataFrame) -> tuple[str, str]:
    """The FDR column the focus pathways are judged by, and its label.

    The first of :data:`FOCUS_STATISTICS` that the table has with at least one value on a
    focus term (``fdr_focus`` is empty for the others); ``fdr_emp`` is used only when the
    empirical null was run (see :func:`primary_method`).
    """
    focus_terms = enrichment["focus"] != ""
    method = primary_method(enrichment)
    for column, label in FOCUS_STATISTICS:
        if column not in enrichment.columns or (column == "fdr_emp" and method != "emp"):
            continue
        if column == "fdr_ora" or enrichment.loc[focus_terms, column].notna().any():
            return column, label
    return "fdr_ora", "ORA FDR"


def effect_sizes(enrichment: pd.DataFrame) -> tuple[pd.Series, str]:
    """The effect size of each term, and where it came from.

    ``z_emp`` ((observed - null mean) / null SD of the random miRNA sets) when the table has
    it; else the same ratio from the ``overlap``, ``null_mean`` and ``null_sd`` columns; for
    a table without the empirical null, the ORA fold enrichment.
    """
    if "z_emp" in enrichment.columns and enrichment["z_emp"].notna().any():
        return enrichment["z_emp"], "z_emp"
    if enrichment["null_sd"].notna().any():
        sd = enrichment["null_sd"].where(enrichment["null_sd"] > 0)
        return (enrichment["overlap"] - enrichment["null_mean"]) / sd, "z"
    return enrichment["fold_enrichment"], "fold"


def focus_rows(
    enrichment: pd.DataFrame, focus: Mapping[str, str], *, fdr: float
) -> list[dict[str, Any]]:
    """One entry per focus pathway: its tested terms and the best of them.

    A term counts for a pathway when the pathway key is in its ``focus`` cell (``;``-joined
    when a term belongs to several). The best term is the one with the smallest p-value of
    the primary method; the pathway is significant when that term's FDR of
    :func:`focus_statistic` is below ``fdr``. Each entry also carries the best term's effect
    size (:func:`effect_sizes`) as ``effect``. Keys found in the table but missing from
    ``focus`` are listed after the configured ones, labelled with their key.
    """
    method = primary_method(enrichment)
    q_col, q_label = focus_statistic(enrichment)
    effect, effect_kind = effect_sizes(enrichment)
    ordered = _sort_terms(enrichment.assign(_effect=effect), method)
    terms_by_key: dict[str, list[dict[str, Any]]] = {}
    for record in ordered.to_dict("records"):
        for key in split_list(record["focus"]):
            terms_by_key.setdefault(key, []).append(record)
    keys = list(focus) + sorted(k for k in terms_by_key if k not in focus)
    p_col = "p_emp" if method == "emp" else "p_ora"
    rows = []
    for key in keys:
        terms = terms_by_key.get(key, [])
        best = terms[0] if terms else None
        rows.append(
            {
                "key": key,
                "label": focus.get(key, key),
                "terms": terms,
                "n_terms": len(terms),
                "n_significant": sum(1 for t in terms if _lt(t[q_col], fdr)),
                "best": best,
                "value": None if best is None else _finite(best[q_col]),
                "p": None if best is None else _finite(best[p_col]),
                "effect": None if best is None else _finite(best["_effect"]),
                "effect_kind": effect_kind,
                "significant": best is not None and _lt(best[q_col], fdr),
                "method": method,
                "statistic": q_col,
                "statistic_label": q_label,
            }
        )
    return rows


def _finite(value: object) -> float | None:
    if _blank(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def _lt(value: object, threshold: float) -> bool:
    number = _finite(value)
    return number is not None and number < threshold


_TIER_RANK = {"strong": 0, "weak": 1}

#: Edges shown per miRNA on a set page, so that one miRNA with many equally supported edges
#: cannot fill the table; the full table is linked.
EDGES_PER_MIRNA = 10


def rank_edges(targets: pd.DataFrame) -> pd.DataFrame:
    """Order a set's target edges from best to weakest evidence.

    The order is lexicographic, strongest evidence first:

    1. ``confidence`` of the target policy (higher first), when the table has it;
    2. number of sources supporting the edge (more first);
    3. miRTarBase tier: ``strong`` (functional MTI) > ``weak`` > none or non-functional;
    4. number of miRTarBase PMIDs (more first);
    5. TargetScan context++ score (more negative first), then miRDB score (higher first);
    6. convergence: how many of the set's miRNAs target the gene (more first) -- a gene hit by
       several miRNAs of the cargo is repressed more surely than one hit by a single miRNA;
    7. the miRNA's weight in the set (higher first);
    8. gene and miRNA names, so that remaining ties are always broken the same way (gene first,
       so that ties spread over the miRNAs instead of listing one miRNA's targets A to Z).

    The added column ``convergence`` holds item 6.
    """
    frame = targets.copy()
    frame["convergence"] = frame.groupby("gene")["mirna"].transform("nunique").astype(int)
    keys: list[str] = []
    if frame["confidence"].notna().any():
        frame["_conf"] = -frame["confidence"]
        keys.append("_conf")
    frame["_sources"] = -frame["n_sources"]
    keys.append("_sources")
    if "mirtarbase_tier" in frame.columns:
        frame["_tier"] = [_TIER_RANK.get(str(v).lower(), 2) for v in frame["mirtarbase_tier"]]
        keys.append("_tier")
    frame["_pmids"] = -frame["mirtarbase_pmids"]
    frame["_mirdb"] = -frame["mirdb_score"]
    frame["_convergence"] = -frame["convergence"]
    frame["_weight"] = -frame["weight"] if "weight" in frame.columns else 0.0
    keys += ["_pmids", "targetscan_context_score", "_mirdb", "_convergence", "_weight"]
    keys += ["gene", "mirna"]
    frame = frame.sort_values(keys, kind="stable", na_position="last")
    return frame.drop(columns=[c for c in frame.columns if c.startswith("_")]).reset_index(
        drop=True
    )


def top_edges(
    ranked: pd.DataFrame, *, limit: int, per_mirna: int = EDGES_PER_MIRNA
) -> pd.DataFrame:
    """The first ``limit`` edges of :func:`rank_edges` with at most ``per_mirna`` per miRNA."""
    seen = ranked.groupby("mirna", sort=False).cumcount()
    return ranked[seen < per_mirna].head(limit).reset_index(drop=True)


def mirna_target_counts(targets: pd.DataFrame, sources: Sequence[str]) -> list[dict[str, Any]]:
    """Per miRNA of a set: the input name(s), the number of target genes, and edges per source."""
    rows: dict[str, dict[str, Any]] = {}
    for record in targets.to_dict("records"):
        entry = rows.setdefault(
            record["mirna"],
            {"mirna": record["mirna"], "inputs": set(), "genes": set(), "by_source": {}},
        )
        if record.get("input_name"):
            entry["inputs"].update(split_list(record["input_name"]))
        entry["genes"].add(record["gene"])
        for source in split_list(record["sources"]):
            entry["by_source"][source] = entry["by_source"].get(source, 0) + 1
    out = []
    for mirna in sorted(rows, key=lambda m: (-len(rows[m]["genes"]), m)):
        entry = rows[mirna]
        out.append(
            {
                "mirna": mirna,
                "inputs": ", ".join(sorted(entry["inputs"])),
                "targets": len(entry["genes"]),
                "by_source": [entry["by_source"].get(s, 0) for s in sources],
            }
        )
    return out


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Flatten nested parameters to ``(dotted.key, value)`` pairs, keys in their given order."""
    out: list[tuple[str, Any]] = []
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.extend(flatten_params(value, prefix=f"{name}."))
        else:
            out.append((name, value))
    return out


def _param(flat: Sequence[tuple[str, Any]], *names: str) -> Any:
    for wanted in names:
        for key, value in flat:
            if key == wanted or key.endswith("." + wanted):
                return value
    return None


def _common(values: Sequence[Any]) -> Any:
    """The value shared by all sets, ``"varies by set"`` otherwise, ``None`` when unknown."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    first = json.dumps(known[0], sort_keys=True, default=str)
    if all(json.dumps(v, sort_keys=True, default=str) == first for v in known):
        return known[0]
    return "varies by set"
