"""miRNA -> gene edges: normalising each source, combining sources by policy, per-set tables.

Three steps, each a pure function:

1. :func:`normalise_source` turns a source's *raw* rows (names as the database spells them,
   from :mod:`exomir.target_sources`) into edges between current miRBase names and approved
   gene symbols. Names are mapped strictly (exact, accession, or a former name of exactly one
   accession: :meth:`exomir.names.MirnaResolver.map_database_names`); symbols through the gene
   table (:class:`exomir.genes.SymbolMap`). Everything that falls out is listed in an audit.
   Rows are collapsed *after* mapping, so that two spellings of one miRNA in an old database
   (``hsa-miR-21`` and ``hsa-miR-21-5p``) pool their evidence.
2. :func:`combine_sources` applies the target policy (sources, evidence tiers, score
   thresholds, minimum number of supporting sources) and joins the sources into one wide table
   with each source's evidence side by side.
3. :func:`set_targets` selects the edges of one miRNA set, keeping the input name each edge
   came from and the miRNA's weight.

Edge confidence
---------------
Each edge gets a ``confidence`` in [0, 1] that later stages use to weigh edges:
``1 - prod(1 - c_s)`` over the sources that support it, with per-source confidences

=========================================  =====
miRTarBase strong (Functional MTI)         0.90
miRTarBase weak (Functional MTI (Weak))    0.60
miRNA -> target library, pair table        0.50
TargetScan, conserved site                 0.50
TargetScan, non-conserved sites only       0.30
miRDB, score s                             (s - 50) / 100, i.e. 0 to 0.5
=========================================  =====

Validated evidence dominates; agreement between independent predictions raises confidence
(two predictions at 0.5 give 0.75). The numbers are a documented convention, not a calibrated
probability; they only order edges and scale their contribution.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import target_sources as ts
from .tables import EDGES, SET_TARGETS

TIER_RANK = {"strong": 0, "weak": 1, "nonfunctional": 2, "unknown": 3}
TIER_CONFIDENCE = {"strong": 0.9, "weak": 0.6, "nonfunctional": 0.0, "unknown": 0.6}

AUDIT_COLUMNS = ["source", "kind", "value", "rows", "reason"]


def read_source(fmt: str, files: Mapping[str, str], *, name: str, species: str) -> pd.DataFrame:
    """Read one target source's files into raw rows (``mirna_raw``, ``gene_raw``/``refseq``, ...).

    ``files`` maps the config's file roles (``table``, ``context_scores``, ``info``,
    ``family_info``) to paths.
    """
    if fmt == "mirtarbase":
        # Other species are dropped in normalise_source, where the audit counts them.
        return ts.read_mirtarbase(files["table"])
    if fmt == "targetscan":
        species_id = TAXON_IDS[species]
        scores = info = None
        if "context_scores" in files:
            scores = ts.read_targetscan_context_scores(
                files["context_scores"], species_id=species_id
            )
        if "info" in files:
            family = ts.read_targetscan_family_info(files["family_info"])
            info = ts.read_targetscan_info(files["info"], family, species_id=species_id)
        return ts.targetscan_edges(context_scores=scores, info=info)
    if fmt == "mirdb":
        # The miRDB file covers five species and millions of rows: filter while reading.
        return ts.read_mirdb(files["table"], species=species)
    if fmt == "library":
        return ts.read_mirna_library(files["table"], name=name)
    if fmt == "pairs":
        return ts.read_pairs(files["table"], name=name)
    raise ValueError(f"unknown target source format {fmt!r}")


TAXON_IDS = {"hsa": 9606, "mmu": 10090, "rno": 10116}


def _audit_rows(source: str, kind: str, values: pd.Series, reason: str) -> pd.DataFrame:
    counts = values.value_counts(sort=False)
    return pd.DataFrame(
        {
            "source": source,
            "kind": kind,
            "value": counts.index.astype(str),
            "rows": counts.to_numpy(dtype=np.int64),
            "reason": reason,
        }
    )


def normalise_source(
    raw: pd.DataFrame,
    *,
    fmt: str,
    name: str,
    resolver,
    symbols,
    species: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map a source's raw rows to current miRNA names and approved symbols, then collapse.

    Parameters
    ----------
    raw
        Output of :func:`read_source`.
    fmt, name
        The source's format and config key (used in the audit and in ``library``).
    resolver
        An :class:`exomir.names.MirnaResolver` for the configured species.
    symbols
        An :class:`exomir.genes.SymbolMap`.
    species
        miRBase prefix; rows of other species are dropped (and counted in the audit).

    Returns
    -------
    edges, audit
        ``edges`` has ``mirna``, ``gene`` and the format's evidence columns (see
        docs/data-model.md); ``audit`` has one row per dropped value: ``source, kind, value,
        rows, reason``.
    """
    audits = []
    frame = raw.copy()
    prefix = frame["mirna_raw"].str.split("-", n=1).str[0].str.lower()
    other = prefix != species
    if other.any():
        audits.append(
            _audit_rows(
                name, "species", prefix[other], f"not {species}; config species is {species}"
            )
        )
        frame = frame.loc[~other]
    mapped = resolver.map_database_names(frame["mirna_raw"].drop_duplicates().tolist())
    mirna_of = dict(zip(mapped["name"], mapped["mirna"], strict=True))
    frame["mirna"] = frame["mirna_raw"].map(mirna_of)
    lost = frame["mirna"].isna() | (frame["mirna"] == "")
    if lost.any():
        audits.append(
            _audit_rows(
                name,
                "mirna",
                frame.loc[lost, "mirna_raw"],
                "no current miRBase name (strict mapping)",
            )
        )
        frame = frame.loc[~lost]

    if fmt == "mirdb":
        genes = symbols.map_refseq(frame["refseq"].drop_duplicates().tolist())
        key = "refseq"
    else:
        genes = symbols.harmonise(frame["gene_raw"].drop_duplicates().tolist())
        key = "gene_raw"
    ok = genes[genes["status"] == "ok"]
    gene_of = dict(zip(ok["query"], ok["symbol"], strict=True))
    frame["gene"] = frame[key].map(gene_of)
    lost = frame["gene"].isna()
    if lost.any():
        status = dict(zip(genes["query"], genes["status"], strict=True))
        reasons = frame.loc[lost, key].map(status).fillna("unknown")
        for reason in sorted(reasons.unique()):
            values = frame.loc[lost, key][reasons == reason]
            audits.append(_audit_rows(name, "gene", values, f"symbol {reason} in the gene table"))
        frame = frame.loc[~lost]

    edges = _collapse(frame, fmt=fmt, name=name)
    audit = (
        pd.concat(audits, ignore_index=True)
        if audits
        else pd.DataFrame({c: pd.Series(dtype="object") for c in AUDIT_COLUMNS})
    )
    audit = audit.sort_values(["kind", "value"], kind="stable").reset_index(drop=True)
    return edges, audit


def _collapse(frame: pd.DataFrame, *, fmt: str, name: str) -> pd.DataFrame:
    """Collapse mapped rows to one edge per (mirna, gene), pooling the evidence."""
    if fmt == "mirtarbase":
        renamed = frame.drop(columns=["mirna_raw", "gene_raw"]).rename(
            columns={"mirna": "mirna_raw", "gene": "gene_raw"}
        )
        out = ts.collapse_mirtarbase(renamed, include_nonfunctional=True)
        out = out.rename(columns={"mirna_raw": "mirna", "gene_raw": "gene"})
        cols = ["mirna", "gene", "tier", "n_pmids", "experiments", "n_records"]
    elif fmt == "targetscan":
        out = (
            frame.sort_values("context_score", kind="stable")
            .groupby(["mirna", "gene"], as_index=False, sort=False)
            .agg(
                context_score=("context_score", "min"),
                conserved=("conserved", _any_or_none),
                n_sites=("n_sites", "max"),
            )
        )
        cols = ["mirna", "gene", "context_score", "conserved", "n_sites"]
    elif fmt == "mirdb":
        out = frame.groupby(["mirna", "gene"], as_index=False, sort=False).agg(
            score=("score", "max")
        )
        cols = ["mirna", "gene", "score"]
    elif fmt in ("library", "pairs"):
        out = frame[["mirna", "gene"]].drop_duplicates().assign(library=name)
        cols = ["mirna", "gene", "library"]
    else:
        raise ValueError(f"unknown target source format {fmt!r}")
    return out[cols].sort_values(["mirna", "gene"], kind="stable").reset_index(drop=True)


def filter_source(edges: pd.DataFrame, *, fmt: str, policy: Mapping) -> pd.DataFrame:
    """Apply the target policy's per-source thresholds to one source's edges."""
    if fmt == "mirtarbase":
        tiers = list(policy["mirtarbase_tiers"])
        return edges[edges["tier"].isin(tiers)]
    if fmt == "targetscan":
        keep = pd.Series(True, index=edges.index)
        threshold = policy["targetscan_max_context_score"]
        if threshold is not None:
            keep &= edges["context_score"] <= threshold
        if policy["targetscan_conserved_only"]:
            # Unknown conservation (context scores without a Pct column) is not "conserved".
            keep &= edges["conserved"].astype("boolean").fillna(False).astype(bool)
        return edges[keep]
    if fmt == "mirdb":
        return edges[edges["score"] >= policy["mirdb_min_score"]]
    return edges


def _source_confidence(edges: pd.DataFrame, fmt: str) -> np.ndarray:
    if fmt == "mirtarbase":
        return edges["tier"].map(TIER_CONFIDENCE).fillna(0.6).to_numpy(float)
    if fmt == "targetscan":
        conserved = edges["conserved"].astype("boolean").fillna(False).to_numpy(bool)
        return np.where(conserved, 0.5, 0.3)
    if fmt == "mirdb":
        return np.clip((edges["score"].to_numpy(float) - 50.0) / 100.0, 0.0, 0.5)
    return np.full(len(edges), 0.5)


def combine_sources(
    sources: Mapping[str, tuple[str, pd.DataFrame]], policy: Mapping
) -> pd.DataFrame:
    """Join the filtered sources into one edge table (columns :data:`exomir.tables.EDGES`).

    ``sources`` maps each source's config key to ``(format, edges)`` in the order the policy
    lists them. Sources of the same format pool their evidence (best tier, highest PMID count,
    lowest context score, highest miRDB score; library names joined).
    """
    parts = []
    for key, (fmt, edges) in sources.items():
        kept = filter_source(edges, fmt=fmt, policy=policy)
        part = pd.DataFrame(
            {
                "mirna": kept["mirna"].to_numpy(),
                "gene": kept["gene"].to_numpy(),
                "source": key,
                "conf": _source_confidence(kept, fmt),
                "mirtarbase_tier": kept["tier"].to_numpy() if fmt == "mirtarbase" else None,
                "mirtarbase_pmids": kept["n_pmids"].to_numpy() if fmt == "mirtarbase" else np.nan,
                "mirtarbase_experiments": (
                    kept["experiments"].to_numpy() if fmt == "mirtarbase" else None
                ),
                "targetscan_context_score": (
                    kept["context_score"].to_numpy() if fmt == "targetscan" else np.nan
                ),
                "targetscan_conserved": (
                    kept["conserved"].astype("boolean").to_numpy(dtype=object, na_value=None)
                    if fmt == "targetscan"
                    else None
                ),
                "mirdb_score": kept["score"].to_numpy() if fmt == "mirdb" else np.nan,
                "libraries": kept["library"].to_numpy() if fmt in ("library", "pairs") else None,
            }
        )
        parts.append(part)
    if not parts or all(p.empty for p in parts):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in EDGES.columns})
    long = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    long["tier_rank"] = long["mirtarbase_tier"].map(TIER_RANK)
    # Built-in aggregations only: a Python function per group would take minutes on the
    # half a million edges of a real run. 1 - prod(1 - c) is 1 - exp(sum(log(1 - c))).
    long["log_miss"] = np.log1p(-np.minimum(long["conf"].to_numpy(float), 1.0 - 1e-12))
    long["conserved_num"] = long["targetscan_conserved"].map(
        lambda v: np.nan if v is None or v is pd.NA else float(bool(v))
    )
    grouped = long.groupby(["mirna", "gene"], sort=True)
    combined = grouped.agg(
        n_sources=("source", "nunique"),
        tier_rank=("tier_rank", "min"),
        mirtarbase_pmids=("mirtarbase_pmids", "max"),
        targetscan_context_score=("targetscan_context_score", "min"),
        conserved_num=("conserved_num", "max"),
        mirdb_score=("mirdb_score", "max"),
        log_miss=("log_miss", "sum"),
    ).reset_index()
    combined["confidence"] = 1.0 - np.exp(combined["log_miss"].to_numpy())
    combined["targetscan_conserved"] = (
        combined["conserved_num"].map(lambda v: pd.NA if np.isnan(v) else bool(v)).astype("boolean")
    )
    keys = pd.MultiIndex.from_frame(combined[["mirna", "gene"]])
    combined["sources"] = _joined(long, "source", keys)
    combined["mirtarbase_experiments"] = _joined(long, "mirtarbase_experiments", keys, split=True)
    combined["libraries"] = _joined(long, "libraries", keys)
    rank_to_tier = {v: k for k, v in TIER_RANK.items()}
    combined["mirtarbase_tier"] = combined["tier_rank"].map(rank_to_tier).fillna("")
    combined["mirtarbase_pmids"] = combined["mirtarbase_pmids"].astype("Int64")
    combined["confidence"] = combined["confidence"].round(6)
    combined = combined[combined["n_sources"] >= policy["min_sources"]]
    return EDGES.ordered(combined).reset_index(drop=True)


def _joined(long: pd.DataFrame, column: str, keys: pd.MultiIndex, *, split: bool = False) -> list:
    """Per (mirna, gene) of ``keys``: the distinct values of ``column``, sorted, ``;``-joined.

    Pairs with a single value (the common case) take it directly; only pairs with several
    values are joined in Python.
    """
    values = long[["mirna", "gene", column]].dropna(subset=[column])
    values = values[values[column].astype(str) != ""]
    if split:
        values = values.assign(**{column: values[column].astype(str).str.split(";")}).explode(
            column
        )
        values = values[values[column] != ""]
    values = values.drop_duplicates().sort_values(["mirna", "gene", column], kind="stable")
    counts = values.groupby(["mirna", "gene"], sort=False)[column].transform("size")
    single = values[counts == 1].set_index(["mirna", "gene"])[column]
    multi = values[counts > 1].groupby(["mirna", "gene"], sort=False)[column].agg(";".join)
    joined = pd.concat([single.astype(str), multi])
    return joined.reindex(keys).fillna("").tolist()


def _any_or_none(values: pd.Series) -> object:
    present = values.dropna()
    if present.empty:
        return pd.NA
    return bool(present.astype(bool).any())


def set_targets(
    edges: pd.DataFrame, names: pd.DataFrame, sheet: pd.DataFrame, set_name: str
) -> pd.DataFrame:
    """The edges of one set's miRNAs.

    Parameters
    ----------
    edges
        The combined edge table (:func:`combine_sources`).
    names
        The set's name audit (``input``, ``resolved``, ``status``, ...): only ``ok`` rows are
        used; ``resolved`` may hold several ``;``-joined names (both arms of a precursor).
    sheet
        The set sheet (:func:`exomir.sets.read_mirna_sets`), for the weights.
    set_name
        The set.

    Returns
    -------
    DataFrame
        Columns :data:`exomir.tables.SET_TARGETS`, sorted by miRNA then gene. When two inputs resolve
        to the same miRNA, its edges appear once, with the input names ``;``-joined and the
        weights added.
    """
    rows = sheet[sheet["set"] == set_name]
    weight_of = dict(zip(rows["mirna"], rows["weight"], strict=True))
    ok = names[names["status"] == "ok"]
    links: dict[str, tuple[list[str], float]] = {}
    for row in ok.itertuples(index=False):
        for mirna in str(row.resolved).split(";"):
            if not mirna:
                continue
            inputs, weight = links.get(mirna, ([], 0.0))
            links[mirna] = ([*inputs, row.input], weight + float(weight_of.get(row.input, 1.0)))
    link = pd.DataFrame(
        {
            "mirna": list(links),
            "input_name": [";".join(v[0]) for v in links.values()],
            "weight": [v[1] for v in links.values()],
        }
    )
    out = edges.merge(link, on="mirna", how="inner")
    out.insert(0, "set", set_name)
    return (
        SET_TARGETS.ordered(out)
        .sort_values(["mirna", "gene"], kind="stable")
        .reset_index(drop=True)
    )


def mirnas_without_targets(names: pd.DataFrame, edges: pd.DataFrame) -> list[str]:
    """Resolved miRNAs of a set that have no edge under the policy (for the audit)."""
    have = set(edges["mirna"])
    resolved = [
        m for r in names.loc[names["status"] == "ok", "resolved"] for m in str(r).split(";") if m
    ]
    return sorted(dict.fromkeys(m for m in resolved if m not in have))


def source_summary(
    sources: Mapping[str, tuple[str, pd.DataFrame]], combined: pd.DataFrame, policy: Mapping
) -> pd.DataFrame:
    """Per source: edges before and after the policy's thresholds, and in the combined table.

    Columns ``source, format, edges, mirnas, genes, edges_kept, mirnas_kept, genes_kept,
    edges_combined``; a last row ``combined`` describes the joined table.
    """
    rows = []
    for key, (fmt, edges) in sources.items():
        kept = filter_source(edges, fmt=fmt, policy=policy)
        in_combined = combined["sources"].str.split(";").apply(lambda s, k=key: k in s)
        rows.append(
            {
                "source": key,
                "format": fmt,
                "edges": len(edges),
                "mirnas": edges["mirna"].nunique(),
                "genes": edges["gene"].nunique(),
                "edges_kept": len(kept),
                "mirnas_kept": kept["mirna"].nunique(),
                "genes_kept": kept["gene"].nunique(),
                "edges_combined": int(in_combined.sum()),
            }
        )
    rows.append(
        {
            "source": "combined",
            "format": "",
            "edges": len(combined),
            "mirnas": combined["mirna"].nunique(),
            "genes": combined["gene"].nunique(),
            "edges_kept": len(combined),
            "mirnas_kept": combined["mirna"].nunique(),
            "genes_kept": combined["gene"].nunique(),
            "edges_combined": len(combined),
        }
    )
    return pd.DataFrame(rows)
