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
   with each source's evidence side by side. A stem-level evidence table (format
   ``stem_pmids``: miRNA stem, target, PMID; normalised by :func:`normalise_stem_evidence`)
   adds no edge: it joins onto the edges of its stems' mature miRNAs (``stem_pmids``).
3. :func:`set_targets` selects the edges of one miRNA set, keeping the input name each edge
   came from and the miRNA's weight.

Edge confidence
---------------
Each edge gets a ``confidence`` in [0, 1] that later stages use to weigh edges: a noisy-OR
``1 - prod(1 - c_f)`` over independent pieces of evidence ``f`` (:class:`ConfidenceRule`):

- miRTarBase: each of the edge's ``n`` papers (capped) supports it with the per-paper
  probability of its tier, ``1 - (1 - p_tier)^min(n, max_papers)``;
- stem-level PMIDs, only where no miRTarBase source gives the edge a PMID count:
  ``1 - (1 - stem_paper)^min(n, max_papers)``;
- a tier-less library or pair table: one value per source (``library``, or per source key);
- TargetScan: by conservation, scaled by the context++ score; miRDB: by its score.

The rule, its defaults (``targets.confidence`` in the config schema) and why they were chosen
are in ``docs/methods/edges.md``. The numbers are a documented convention, not a calibrated
probability; they order edges and scale their contribution.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import target_sources as ts
from ._schema import with_defaults
from .tables import EDGES, SET_TARGETS

TIER_RANK = {"strong": 0, "weak": 1, "nonfunctional": 2, "unknown": 3}

#: Formats whose rows annotate edges instead of adding them.
EVIDENCE_FORMATS = ("stem_pmids",)


@dataclass(frozen=True)
class ConfidenceRule:
    """How evidence becomes an edge's confidence (``targets.confidence``; docs/methods/edges.md).

    Build it with :meth:`from_config`, which takes the defaults from the config schema.

    Attributes
    ----------
    paper
        Per-paper probability by miRTarBase tier (``strong``, ``weak``, ``unknown``);
        ``nonfunctional`` records give no support.
    stem_paper
        Per-paper probability of a stem-level PMID (arm and species unknown).
    max_papers
        Papers counted at most (papers on one edge are not independent).
    library
        Confidence of an edge of a tier-less library or pair table.
    sources
        Per source key, a confidence that replaces ``library`` for that source.
    targetscan_conserved, targetscan_nonconserved
        TargetScan edge with / without a conserved site, at full context++ strength.
    targetscan_full_context_score
        Context++ score at (or below) which a TargetScan edge counts fully; above it the
        confidence shrinks linearly to 0 at a score of 0.
    mirdb_max
        miRDB edge of score 100; a score ``s`` gives ``mirdb_max * (s - 50) / 50``.
    """

    paper: Mapping[str, float]
    stem_paper: float
    max_papers: int
    library: float
    sources: Mapping[str, float]
    targetscan_conserved: float
    targetscan_nonconserved: float
    targetscan_full_context_score: float
    mirdb_max: float

    @classmethod
    def from_config(cls, section: Mapping | None) -> ConfidenceRule:
        """The rule of a ``targets.confidence`` mapping (missing keys take the schema defaults;
        ``None`` gives the default rule)."""
        filled = with_defaults(dict(section or {}), "targets.confidence")
        return cls(
            paper=dict(filled["paper"]),
            stem_paper=float(filled["stem_paper"]),
            max_papers=int(filled["max_papers"]),
            library=float(filled["library"]),
            sources=dict(filled["sources"]),
            targetscan_conserved=float(filled["targetscan_conserved"]),
            targetscan_nonconserved=float(filled["targetscan_nonconserved"]),
            targetscan_full_context_score=float(filled["targetscan_full_context_score"]),
            mirdb_max=float(filled["mirdb_max"]),
        )

    def papers(self, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
        """``1 - (1 - p)^min(n, max_papers)``; ``n`` below 1 counts as no paper."""
        count = np.clip(np.nan_to_num(np.asarray(n, dtype=float)), 0, self.max_papers)
        return 1.0 - np.power(1.0 - np.asarray(p, dtype=float), count)

    def mirtarbase(self, tier: pd.Series, n_pmids: pd.Series) -> np.ndarray:
        """One miRTarBase edge per row: its tier's per-paper probability over its papers."""
        p = tier.map({**dict(self.paper), "nonfunctional": 0.0}).fillna(self.paper["unknown"])
        n = pd.to_numeric(n_pmids, errors="coerce").fillna(1).clip(lower=1)
        return self.papers(n.to_numpy(float), p.to_numpy(float))

    def targetscan(self, context_score: pd.Series, conserved: pd.Series) -> np.ndarray:
        """TargetScan edges: by conservation, scaled by the context++ score when known."""
        cons = conserved.astype("boolean").fillna(False).to_numpy(bool)
        base = np.where(cons, self.targetscan_conserved, self.targetscan_nonconserved)
        score = pd.to_numeric(context_score, errors="coerce").to_numpy(float)
        scale = np.clip(score / self.targetscan_full_context_score, 0.0, 1.0)
        return base * np.where(np.isnan(score), 1.0, scale)

    def mirdb(self, score: pd.Series) -> np.ndarray:
        """miRDB edges: ``mirdb_max * (s - 50) / 50``, clipped to [0, mirdb_max]."""
        s = score.to_numpy(float)
        return np.clip(self.mirdb_max * (s - 50.0) / 50.0, 0.0, self.mirdb_max)

    def of_source(self, key: str, fmt: str, edges: pd.DataFrame) -> np.ndarray:
        """Confidence of each edge of one (filtered) source."""
        if fmt == "mirtarbase":
            return self.mirtarbase(edges["tier"], edges["n_pmids"])
        if fmt == "targetscan":
            return self.targetscan(edges["context_score"], edges["conserved"])
        if fmt == "mirdb":
            return self.mirdb(edges["score"])
        return np.full(len(edges), float(self.sources.get(key, self.library)))


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
    if fmt == "stem_pmids":
        return ts.read_stem_pmids(files["table"])
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


_STEM = re.compile(r"^(mir|let|lin)-(\d+)$")
_MATURE_STEM = re.compile(r"^(mir|let|lin)-(\d+)(?!\d)")


def stem_of(name: str) -> str | None:
    """The stem of a mature miRNA name, as stem-level tables spell it (lower case).

    ``hsa-miR-21-5p`` -> ``mir-21``; ``hsa-miR-30c-1-3p`` -> ``mir-30``; ``hsa-let-7a-5p`` ->
    ``let-7``. ``None`` for a name without a ``miR-<number>`` core.
    """
    core = str(name).split("-", 1)[1] if "-" in str(name) else str(name)
    match = _MATURE_STEM.match(core.lower())
    return None if match is None else f"{match.group(1)}-{match.group(2)}"


def stem_members(mature: pd.DataFrame, species: str) -> pd.DataFrame:
    """Stem -> current mature names of ``species`` (``stem``, ``mirna``), from the miRBase table.

    ``mature`` is the normalised miRBase mature table (``name``, ``species``).
    """
    own = mature.loc[mature["species"].astype(str).str.lower() == species, "name"].astype(str)
    names = sorted(set(own))
    frame = pd.DataFrame({"mirna": names, "stem": [stem_of(n) for n in names]})
    return frame.dropna(subset=["stem"])[["stem", "mirna"]].reset_index(drop=True)


def normalise_stem_evidence(
    raw: pd.DataFrame, *, name: str, mature: pd.DataFrame, symbols, species: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map a stem-level evidence table onto the mature miRNAs of ``species``.

    Each stem (``miR-21``) stands for every current mature miRNA of the configured species
    with that stem (``hsa-miR-21-5p`` and ``hsa-miR-21-3p``; ``miR-30`` for miR-30a to e, both
    arms), from the miRBase ``mature`` table; targets are mapped to approved symbols (mouse
    and rat symbols fold onto the human ones, as the table mixes species). PMIDs are
    de-duplicated per edge after mapping, so repeated records and two spellings of one gene
    count a paper once.

    Returns
    -------
    edges, audit
        ``edges``: ``mirna, gene, stem, n_pmids`` (distinct PMIDs); ``audit`` as
        :func:`normalise_source` (empty stems, stems without a mature miRNA of the species,
        unmapped genes).
    """
    audits = []
    frame = raw.assign(key=raw["stem"].astype(str).str.strip().str.lower())
    empty = frame["key"] == ""
    if empty.any():
        audits.append(_audit_rows(name, "stem", frame.loc[empty, "key"], "empty stem"))
    frame = frame.loc[~empty]
    members = stem_members(mature, species)
    form = frame["key"].str.fullmatch(_STEM.pattern)
    known = frame["key"].isin(set(members["stem"]))
    for lost, reason in (
        (~form, "not a stem of the form miR-<number>"),
        (form & ~known, f"no {species} mature miRNA with this stem"),
    ):
        if lost.any():
            audits.append(_audit_rows(name, "stem", frame.loc[lost, "stem"], reason))
    frame = frame.loc[known]
    genes = symbols.harmonise(frame["gene_raw"].drop_duplicates().tolist())
    ok = genes[genes["status"] == "ok"]
    gene_of = dict(zip(ok["query"], ok["symbol"], strict=True))
    frame = frame.assign(gene=frame["gene_raw"].map(gene_of))
    lost = frame["gene"].isna()
    if lost.any():
        status = dict(zip(genes["query"], genes["status"], strict=True))
        reasons = frame.loc[lost, "gene_raw"].map(status).fillna("unknown")
        for reason in sorted(reasons.unique()):
            values = frame.loc[lost, "gene_raw"][reasons == reason]
            audits.append(_audit_rows(name, "gene", values, f"symbol {reason} in the gene table"))
        frame = frame.loc[~lost]
    pairs = frame[["key", "gene", "pmid"]].drop_duplicates()
    pairs = pairs.merge(members.rename(columns={"stem": "key"}), on="key", how="inner")
    edges = (
        pairs.groupby(["mirna", "gene"], as_index=False, sort=True)
        .agg(stem=("key", "first"), n_pmids=("pmid", "nunique"))
        .astype({"n_pmids": "int64"})
    )
    audit = (
        pd.concat(audits, ignore_index=True)
        if audits
        else pd.DataFrame({c: pd.Series(dtype="object") for c in AUDIT_COLUMNS})
    )
    audit = audit.sort_values(["kind", "value"], kind="stable").reset_index(drop=True)
    return edges[["mirna", "gene", "stem", "n_pmids"]], audit


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


def combine_sources(
    sources: Mapping[str, tuple[str, pd.DataFrame]], policy: Mapping
) -> pd.DataFrame:
    """Join the filtered sources into one edge table (columns :data:`exomir.tables.EDGES`).

    ``sources`` maps each source's config key to ``(format, edges)`` in the order the policy
    lists them. Sources of the same format pool their evidence (best tier, highest PMID count,
    lowest context score, highest miRDB score; library names joined). Sources of an evidence
    format (:data:`EVIDENCE_FORMATS`) add no edge and do not count in ``n_sources``: their PMID
    counts join onto the edges the other sources give (``stem_pmids``, the highest over such
    sources). ``policy["confidence"]`` (``targets.confidence``) sets the
    :class:`ConfidenceRule`.
    """
    rule = ConfidenceRule.from_config(policy.get("confidence"))
    parts = []
    stems = []
    for key, (fmt, edges) in sources.items():
        if fmt in EVIDENCE_FORMATS:
            stems.append(edges[["mirna", "gene", "n_pmids"]])
            continue
        kept = filter_source(edges, fmt=fmt, policy=policy)
        part = pd.DataFrame(
            {
                "mirna": kept["mirna"].to_numpy(),
                "gene": kept["gene"].to_numpy(),
                "source": key,
                "conf": rule.of_source(key, fmt, kept),
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
    combined["stem_pmids"] = _stem_pmids(combined, stems)
    # Stem-level PMIDs count only where no miRTarBase source gives the edge a PMID count.
    stem_n = combined["stem_pmids"].where(combined["mirtarbase_pmids"].isna(), 0)
    stem_conf = rule.papers(stem_n.fillna(0).to_numpy(float), rule.stem_paper)
    log_miss = combined["log_miss"].to_numpy() + np.log1p(-np.minimum(stem_conf, 1.0 - 1e-12))
    combined["confidence"] = 1.0 - np.exp(log_miss)
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


def _stem_pmids(combined: pd.DataFrame, stems: list[pd.DataFrame]) -> pd.Series:
    """Per edge of ``combined``: the highest stem-level PMID count over the evidence sources."""
    if not stems:
        return pd.Series(pd.NA, index=combined.index, dtype="Int64")
    best = pd.concat(stems, ignore_index=True).groupby(["mirna", "gene"], sort=False)["n_pmids"]
    keyed = best.max()
    index = pd.MultiIndex.from_frame(combined[["mirna", "gene"]])
    return pd.Series(keyed.reindex(index).to_numpy(), index=combined.index).astype("Int64")


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
        if fmt in EVIDENCE_FORMATS:
            # Evidence joins onto the combined edges: count those it annotates.
            hits = combined[["mirna", "gene"]].merge(kept[["mirna", "gene"]], how="inner")
            in_combined = pd.Series(True, index=range(len(hits)))
        else:
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
