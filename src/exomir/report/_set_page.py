"""The sections of a set's page (``{set}.html``): one miRNA set in detail.

Headline counts, the lead term of each redundancy group, the focus pathways with their best
term, the target edges ranked by evidence (with the miRNAs that have none), and the name audit.
The signature sections of the page are in :mod:`._signature_sections`.
"""

from __future__ import annotations

from ._data import ReportData
from ._derive import (
    EDGES_PER_MIRNA,
    count_focus_calls,
    focus_rows,
    mirna_target_counts,
    primary_method,
    rank_edges,
    summarise_set,
    top_edges,
    top_terms,
)
from ._null_notes import P_METHOD_TITLES, matching_notice, pvalue_origin
from ._sections import METHOD_LABELS, Section
from ._validate import split_list

#: Target edges shown on a set page, best evidence first; the full table is linked.
TOP_EDGES = 100


def set_summary_section(data: ReportData, set_name: str) -> Section:
    """Headline counts of one set."""
    summary = summarise_set(
        set_name,
        data.names[set_name],
        data.targets[set_name],
        data.enrichment[set_name],
        fdr=data.fdr,
    )
    return Section(
        "summary",
        "Summary",
        "section_set_summary.html.j2",
        {
            "s": summary,
            "fdr": data.fdr,
            "method_label": METHOD_LABELS[summary.method],
            "matching": matching_notice(data.enrichment_params[set_name]),
        },
    )


def set_terms_section(data: ReportData, set_name: str) -> Section:
    """The best term of each redundancy group, significant ones highlighted.

    Above the table: the notice when the random sets could not be matched to the set on target
    counts, and one line on how the empirical p-values were obtained (:mod:`._null_notes`).
    """
    frame = data.enrichment[set_name]
    params = data.enrichment_params[set_name]
    method = primary_method(frame)
    terms = top_terms(frame, fdr=data.fdr)
    n_leads = int((frame["cluster_lead"] | (frame["cluster"] == "")).sum())
    return Section(
        "terms",
        "Enriched terms",
        "section_set_terms.html.j2",
        {
            "rows": terms.to_dict("records"),
            "n_significant": int(terms["significant"].sum()),
            "n_focus_calls": count_focus_calls(frame, data.fdr) if method == "emp" else None,
            "n_terms": len(frame),
            "n_leads": n_leads,
            "n_grouped": int((frame["cluster"] != "").sum()),
            "method": method,
            "method_label": METHOD_LABELS[method],
            "fdr": data.fdr,
            "focus": data.focus,
            "download": data.downloads.get(set_name, {}).get("enrichment"),
            "matching": matching_notice(params) if method == "emp" else None,
            "origin": pvalue_origin(params, frame) if method == "emp" else None,
            "p_titles": P_METHOD_TITLES,
        },
    )


def set_focus_section(data: ReportData, set_name: str) -> Section:
    """The focus pathways of one set, each with its best term and the others in an expander."""
    frame = data.enrichment[set_name]
    return Section(
        "focus",
        "Focus pathways",
        "section_set_focus.html.j2",
        {
            "rows": focus_rows(frame, data.focus, fdr=data.fdr),
            "fdr": data.fdr,
            "method_label": METHOD_LABELS[primary_method(frame)],
            "matching": matching_notice(data.enrichment_params[set_name]),
        },
    )


#: Columns of the edge table: (column, heading, kind). ``sources`` also shows the edge's gene-set
#: libraries when they differ from its sources (one evidence column, not two that repeat).
_EDGE_COLUMNS = (
    ("sources", "Evidence", "evidence"),
    ("confidence", "Confidence", "score"),
    ("mirtarbase_tier", "miRTarBase tier", "text"),
    ("mirtarbase_pmids", "PMIDs", "int"),
    ("mirtarbase_experiments", "Experiments", "list"),
    ("targetscan_context_score", "TargetScan context++", "score"),
    ("targetscan_conserved", "Conserved site", "flag"),
    ("mirdb_score", "miRDB score", "int"),
    ("convergence", "Set miRNAs on the gene", "int"),
    ("weight", "miRNA weight", "score"),
)


def set_targets_section(data: ReportData, set_name: str) -> Section:
    """Top target edges by evidence, miRNAs by target count, and miRNAs without targets."""
    targets = data.targets[set_name]
    ranked = rank_edges(targets)
    columns = []
    for column, label, kind in _EDGE_COLUMNS:
        if column not in ranked.columns:
            continue
        values = ranked[column]
        present = values.notna() & (values.astype(str) != "")
        if present.any():
            columns.append((column, label, kind))
    sources = sorted({s for v in targets["sources"] for s in split_list(v)})
    summary = summarise_set(
        set_name, data.names[set_name], targets, data.enrichment[set_name], fdr=data.fdr
    )
    return Section(
        "targets",
        "Target genes",
        "section_set_targets.html.j2",
        {
            "edges": top_edges(ranked, limit=TOP_EDGES).to_dict("records"),
            "n_edges": len(ranked),
            "per_mirna": EDGES_PER_MIRNA,
            "columns": columns,
            "mirnas": mirna_target_counts(targets, sources),
            "sources": sources,
            "without": summary.mirnas_without_targets,
            "download": data.downloads.get(set_name, {}).get("targets"),
        },
    )


def set_names_section(data: ReportData, set_name: str) -> Section:
    """Every input name of the set with its resolution; unresolved ones highlighted."""
    frame = data.names[set_name]
    return Section(
        "names",
        "Name audit",
        "section_set_names.html.j2",
        {
            "rows": frame.to_dict("records"),
            "n_problems": int((frame["status"] != "ok").sum()),
            "has_note": bool((frame["note"] != "").any()),
            "download": data.downloads.get(set_name, {}).get("names"),
        },
    )
