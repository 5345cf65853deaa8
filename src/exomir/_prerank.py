"""Weighted prerank of a set's target genes (:func:`target_scores`, :func:`prerank`).

ORA and the empirical null (:mod:`exomir.enrichment`) treat a set's target genes as an
unweighted list. When abundances are known, a gene hit by an abundant miRNA through a
well-supported edge matters more than one hit by a rare miRNA through a weak prediction. The
gene score is

    score(g) = sum over the set's edges (m, g) of  w(m) * confidence(m, g),
    w(m) = weight(m) / sum of the weights of the set's miRNAs that have edges,

so the weights are normalised to sum to one and the scores of different sets are on one scale
(confidence is the target policy's per-edge confidence in [0, 1], see :mod:`exomir.targets`).
All genes that some miRNA can target under the policy (the targetable genes, as in the default
ORA background) are ranked; genes the set does not target score 0. GSEA's pre-ranked test
(gseapy ``prerank``) then runs per library.

Ties are handled explicitly: genes are ordered by score (highest first), then by symbol, and
gseapy receives this order unchanged (``ascending=None``), so the leading edge is reproducible.
The block of genes with score 0 is large; its internal order does not change the enrichment
score, because with GSEA's weight 1 a gene of score 0 adds nothing to the running sum when it
is in the term, and each gene outside the term subtracts the same amount, so the running sum
falls monotonically through the block whatever the order. A term concentrated in the block gets
a negative ES: the set avoids it. Prerank complements, and does not replace, the empirical
null: it carries the same miRNA target bias as ORA (long-3'UTR genes are targetable by many
miRNAs and so score higher).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._schema import require_keys, schema_defaults
from ._settings import check_size_range
from .errors import ConfigError, InputError
from .tables import PRERANK, PRERANK_SCORES, SET_TARGETS, require_columns

_DEFAULTS = schema_defaults("enrichment.prerank")
_SIZES = schema_defaults("enrichment")


@dataclass(frozen=True)
class PrerankSettings:
    """The ``enrichment.prerank`` section of the config.

    ``min_size`` and ``max_size`` bound the number of a term's genes in the ranking; ``None``
    takes ``enrichment.min_size`` / ``enrichment.max_size``, so that ORA and prerank test the
    same terms by default.
    """

    run: bool = _DEFAULTS["run"]
    permutations: int = _DEFAULTS["permutations"]
    seed: int = _DEFAULTS["seed"]
    min_size: int = _SIZES["min_size"]
    max_size: int = _SIZES["max_size"]

    def __post_init__(self) -> None:
        for key, value, low in (("permutations", self.permutations, 1), ("seed", self.seed, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(
                    f"enrichment.prerank.{key} must be a whole number >= {low}", value=value
                )
        check_size_range(self.min_size, self.max_size, "enrichment.prerank")

    @classmethod
    def from_config(cls, enrichment: Mapping[str, Any]) -> PrerankSettings:
        """Build from the validated ``enrichment`` mapping of the config.

        A ``min_size`` or ``max_size`` of null in ``enrichment.prerank`` takes the one of
        ``enrichment``.
        """
        require_keys(enrichment, ("min_size", "max_size", "prerank"), "enrichment")
        section = enrichment["prerank"]
        require_keys(section, _DEFAULTS, "enrichment.prerank")
        sizes = {
            key: enrichment[key] if section[key] is None else section[key]
            for key in ("min_size", "max_size")
        }
        return cls(
            run=bool(section["run"]),
            permutations=section["permutations"],
            seed=section["seed"],
            **sizes,
        )

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain mapping (for rule parameters and logs)."""
        return asdict(self)


def target_scores(
    targets: pd.DataFrame,
    *,
    set_name: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Abundance- and confidence-weighted score of each target gene of a set.

    ``score(g) = sum over edges (m, g) of w(m) * confidence(m, g)`` with the miRNA weights
    normalised to sum to one over the set's miRNAs that have edges (see the module docstring).

    Parameters
    ----------
    targets
        The set's target table (results/targets/{set}.tsv): ``mirna, gene, weight,
        confidence`` (``set`` too, unless ``set_name`` is given).
    set_name
        Name written in the ``set`` column; taken from the table when omitted.
    path
        The table's file, named in error messages.

    Returns
    -------
    DataFrame
        :data:`exomir.tables.PRERANK_SCORES`: ``set, gene, score, n_mirnas`` (miRNAs targeting the gene) and
        ``mirnas`` (``;``-joined, sorted), ordered by score (highest first), then gene.

    Raises
    ------
    InputError
        For a missing column, a missing, negative or non-numeric weight or confidence (naming
        the line), or a set whose weights are all zero or that has no edges.
    """
    SET_TARGETS.require(targets, path, columns=("mirna", "gene", "weight", "confidence"))
    if set_name is None:
        SET_TARGETS.require(targets, path, columns=("set",))
        found = list(dict.fromkeys(str(s) for s in targets["set"]))
        set_name = found[0] if found else ""
    if targets.empty:
        raise InputError(
            f"set {set_name!r} has no target edges: there is nothing to rank",
            path=path,
            hint="switch enrichment.prerank.run off, or check the set's names and targets",
        )
    frame = targets[["mirna", "gene", "weight", "confidence"]].copy()
    for column in ("weight", "confidence"):
        numbers = pd.to_numeric(frame[column].astype("object"), errors="coerce").astype(float)
        bad = ~np.isfinite(numbers.to_numpy()) | (numbers.to_numpy() < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{column} must be a finite number >= 0",
                path=path,
                line=row + 2 if path is not None else None,
                value=str(targets[column].iloc[row]),
                hint="regenerate the target table with the workflow",
            )
        frame[column] = numbers
    frame["mirna"] = frame["mirna"].astype(str)
    frame["gene"] = frame["gene"].astype(str)
    weights = frame.drop_duplicates("mirna").set_index("mirna")["weight"]
    total = float(weights.sum())
    if not total > 0:
        raise InputError(
            f"the miRNAs of set {set_name!r} all have weight 0: the scores would all be 0",
            path=path,
            hint="give the set's miRNAs positive weights (abundances)",
        )
    frame["contribution"] = frame["mirna"].map(weights / total) * frame["confidence"]
    frame = frame.sort_values(["gene", "mirna"], kind="stable")
    grouped = frame.groupby("gene", sort=True)
    out = pd.DataFrame(
        {
            "set": set_name,
            "gene": list(grouped.groups),
            "score": grouped["contribution"].sum().round(12).to_numpy(),
            "n_mirnas": grouped["mirna"].nunique().to_numpy(),
            "mirnas": grouped["mirna"].agg(lambda m: ";".join(sorted(set(m)))).to_numpy(),
        }
    )
    out = out.sort_values(["score", "gene"], ascending=[False, True], kind="stable")
    return PRERANK_SCORES.ordered(out.reset_index(drop=True))


def ranking(scores: pd.DataFrame, universe: Iterable[str]) -> pd.Series:
    """The ranked gene list of a set: every gene of ``universe`` and of ``scores``.

    Genes without a score get 0. The order is score (highest first), then gene symbol, so ties
    are always broken the same way.
    """
    values = dict(zip(scores["gene"].astype(str), scores["score"].astype(float), strict=True))
    genes = sorted({str(g) for g in universe if str(g)} | set(values))
    score = np.array([values.get(g, 0.0) for g in genes], dtype=float)
    # The genes are in symbol order already; a stable sort by score keeps it within ties.
    order = np.argsort(-score, kind="stable")
    return pd.Series(score[order], index=pd.Index([genes[i] for i in order], dtype=object))


def _library_terms(gene_sets: pd.DataFrame) -> dict[str, list[tuple[str, str, list[str]]]]:
    """Library -> [(term_id, term, sorted unique genes)], libraries and terms sorted."""
    require_columns(gene_sets, ("library", "term_id", "term", "gene"), "gene-set table")
    frame = gene_sets[["library", "term_id", "term", "gene"]].astype(str)
    frame = frame[(frame["gene"].str.strip() != "") & (frame["term_id"].str.strip() != "")]
    names = frame.drop_duplicates(["library", "term_id"]).set_index(["library", "term_id"])["term"]
    members = frame.drop_duplicates(["library", "term_id", "gene"]).sort_values(
        ["library", "term_id", "gene"], kind="stable"
    )
    out: dict[str, list[tuple[str, str, list[str]]]] = {}
    for (library, term_id), part in members.groupby(["library", "term_id"], sort=True):
        out.setdefault(str(library), []).append(
            (str(term_id), str(names[(library, term_id)]), part["gene"].tolist())
        )
    return out


def prerank(
    scores: pd.DataFrame,
    gene_sets: pd.DataFrame,
    universe: Iterable[str],
    *,
    set_name: str,
    permutations: int = 1000,
    seed: int = 1,
    min_size: int = 10,
    max_size: int = 500,
    threads: int = 1,
) -> pd.DataFrame:
    """GSEA pre-ranked test of a set's weighted target scores against gene-set libraries.

    Parameters
    ----------
    scores
        Gene scores of the set (:func:`target_scores`).
    gene_sets
        Normalised libraries in long format (``library, term_id, term, gene``).
    universe
        The genes to rank besides the scored ones (the targetable genes); they score 0.
    set_name
        Written in the ``set`` column.
    permutations, seed
        Gene-set permutations of gseapy and its random seed.
    min_size, max_size
        A term is tested when it has between ``min_size`` and ``max_size`` genes in the ranking
        (and fewer than the whole ranking).
    threads
        Threads of gseapy; the results do not depend on it.

    Returns
    -------
    DataFrame
        :data:`exomir.tables.PRERANK`, one row per tested term: ``term_size`` (genes of the term in
        the ranking), gseapy's ``es``, ``nes``, nominal ``pval``, ``fdr`` (GSEA's FDR q-value,
        within the library) and ``fwer``, and the leading-edge genes (``n_leading``;
        ``leading_genes`` ``;``-joined in rank order, highest score first). A p-value of 0
        means that no permutation reached the observed score (resolution 1/permutations).
        Sorted by ``pval``, ``fdr``, ``|nes|`` (largest first), library and term ID.

    Notes
    -----
    Each library is run on its own, so that its FDR does not depend on the other libraries.
    Genes and terms are handed to gseapy under neutral identifiers (``G000001``, ``T000001``)
    and mapped back, so gseapy never changes the case of a symbol or sorts the ranking itself.
    """
    import gseapy  # imported here: it is slow to import and only this function needs it

    ranked = ranking(scores, universe)
    if not (ranked > 0).any():
        raise InputError(
            f"set {set_name!r} has no gene with a positive score: there is nothing to rank",
            hint="check that the set has target edges with positive weight and confidence",
        )
    symbols = list(ranked.index)
    ids = [f"G{i:06d}" for i in range(len(symbols))]
    id_of = dict(zip(symbols, ids, strict=True))
    symbol_of = dict(zip(ids, symbols, strict=True))
    rnk = pd.Series(ranked.to_numpy(), index=pd.Index(ids, dtype=object), dtype=float)
    rows: list[dict[str, Any]] = []
    for library, terms in _library_terms(gene_sets).items():
        tested: dict[str, list[str]] = {}
        meta: dict[str, tuple[str, str, int]] = {}
        for term_id, term, genes in terms:
            inside = [id_of[g] for g in genes if g in id_of]
            if min_size <= len(inside) <= max_size and len(inside) < len(ids):
                key = f"T{len(tested) + 1:06d}"
                tested[key] = inside
                meta[key] = (term_id, term, len(inside))
        if not tested:
            continue
        with warnings.catch_warnings():
            # gseapy's own pandas deprecation warnings say nothing about this analysis.
            warnings.filterwarnings("ignore", module="gseapy")
            result = gseapy.prerank(
                rnk=rnk,
                gene_sets=tested,
                min_size=min_size,
                max_size=max_size,
                permutation_num=permutations,
                weight=1.0,
                ascending=None,
                threads=max(1, int(threads)),
                seed=seed,
                no_plot=True,
                outdir=None,
                verbose=False,
            ).res2d
        for record in result.to_dict("records"):
            term_id, term, size = meta[str(record["Term"])]
            leading = [symbol_of[g] for g in str(record.get("Lead_genes") or "").split(";") if g]
            rows.append(
                {
                    "set": set_name,
                    "library": library,
                    "term_id": term_id,
                    "term": term,
                    "term_size": size,
                    "es": _float(record["ES"]),
                    "nes": _float(record["NES"]),
                    "pval": _float(record["NOM p-val"]),
                    "fdr": _float(record["FDR q-val"]),
                    "fwer": _float(record.get("FWER p-val")),
                    "n_leading": len(leading),
                    "leading_genes": ";".join(leading),
                }
            )
    table = pd.DataFrame.from_records(rows, columns=list(PRERANK.columns))
    for column in ("es", "nes", "pval", "fdr", "fwer"):
        table[column] = table[column].astype(float)
    table["term_size"] = table["term_size"].astype(np.int64)
    table["n_leading"] = table["n_leading"].astype(np.int64)
    table["_abs_nes"] = -table["nes"].abs()
    table = table.sort_values(
        ["pval", "fdr", "_abs_nes", "library", "term_id"], kind="stable", na_position="last"
    )
    return table.drop(columns="_abs_nes").reset_index(drop=True)


def _float(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan
