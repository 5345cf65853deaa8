"""Scoring one set: the observed scores, the null of random miRNA sets, the calls and drivers.

The statistic, the null and the direction rules are described in ``docs/methods/signatures.md``.
The null reuses the enrichment's random-set stream (:class:`exomir._null.ShuffledSets`) and
target-count strata (:func:`exomir._null.stratify`), so that the random sets of a set's
signatures are those of its enrichment.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import __version__
from .._engine import NullSettings, Universe, build_universe
from .._io import write_json, write_tsv
from .._null import ShuffledSets, stratify
from .._pvalues import GPD_MAX_EXCEEDANCES, GPD_TAIL_SIZE, TailFit, fit_gpd_tail
from .._pvalues import P_METHODS as ENRICHMENT_P_METHODS
from .._stats import bh_fdr
from ..errors import InputError
from ..tables import EDGE_EVIDENCE, SIGNATURE_DRIVERS, SIGNATURE_LITERATURE, SIGNATURES
from ._checks import clean_zero, empty_frame, line_of
from ._inputs import check_set_targets, clean_scoring_edges, normalise_weights
from ._model import LEAN_SCORES, SignatureModel

log = logging.getLogger("exomir.signatures")

#: Significance level of the calls.
ALPHA = 0.05
#: Edges listed in the ``drivers`` column of the call table.
TOP_DRIVERS = 5
#: Relative tolerance within which a random score ties the observed one.
TIE_TOLERANCE = 1e-9
#: How a p-value was obtained (:func:`resolve_tail`): the enrichment's vocabulary
#: (:data:`exomir._pvalues.P_METHODS`) without ``extended``, since the signatures count all ``N``
#: random sets and draw no more.
P_METHODS = tuple(m for m in ENRICHMENT_P_METHODS if m != "extended")


def target_counts(edges: pd.DataFrame, universe: Universe) -> np.ndarray:
    """Distinct target genes of each universe miRNA over all edges (the engine's strata basis)."""
    counts = edges.groupby("mirna", sort=True)["gene"].nunique()
    return counts.reindex(list(universe.mirnas), fill_value=0).to_numpy(dtype=np.int64)


def null_draws(
    universe_size: int,
    query_index: np.ndarray,
    weights: np.ndarray,
    null: NullSettings,
    counts: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The random miRNA sets of the null and their weights.

    Parameters
    ----------
    universe_size
        Number of universe miRNAs.
    query_index
        Rows of the set's analysed miRNAs in the universe.
    weights
        Their normalised weights (same order).
    null
        N, seed and stratification (``enrichment.empirical``).
    counts
        Target counts of the universe miRNAs (:func:`target_counts`), for stratified draws:
        the target-count strata of :func:`exomir._null.stratify`, as the enrichment uses them.

    Returns
    -------
    sets, set_weights
        ``(N, k)`` universe indices, drawn by :class:`exomir._null.ShuffledSets` from
        ``default_rng(seed)`` exactly as the enrichment draws them, and ``(N, k)`` weights: each
        row a random permutation of ``weights`` (from ``SeedSequence(seed, spawn_key=(1,))``).
    """
    query_index = np.asarray(query_index, dtype=np.int64)
    k = int(query_index.size)
    rng = np.random.default_rng(null.seed)
    if null.stratified and counts is not None:
        # The enrichment's strata (exomir._null.stratify), so that the draws are the same.
        stream = stratify(np.asarray(counts), query_index, null.stratified).random_sets(rng)
    else:
        stream = ShuffledSets(rng, universe_size, k)
    sets = stream.take(null.n_random)
    weights = np.asarray(weights, dtype=float)
    if weights.size and np.ptp(weights) > 0:
        shuffle = np.random.default_rng(np.random.SeedSequence(null.seed, spawn_key=(1,)))
        order = np.argsort(shuffle.random(sets.shape), axis=1, kind="stable")
        set_weights = weights[order]
    else:
        set_weights = np.broadcast_to(weights, sets.shape).copy()
    return sets, set_weights


def contribution_matrix(
    edges: pd.DataFrame, universe: Universe, model: SignatureModel
) -> np.ndarray:
    """``A``: universe miRNA x call, ``sum_g c_mg * e_g`` (each miRNA's push at weight 1)."""
    genes = model.genes
    gene_pos = pd.Index(genes).get_indexer(edges["gene"])
    row_pos = pd.Index(list(universe.mirnas)).get_indexer(edges["mirna"])
    use = (gene_pos >= 0) & (row_pos >= 0)
    conf = sp.csr_array(
        (edges["confidence"].to_numpy(float)[use], (row_pos[use], gene_pos[use])),
        shape=(len(universe.mirnas), len(genes)),
    )
    return np.asarray(conf @ model.effect_matrix(genes))


def null_scores(sets: np.ndarray, set_weights: np.ndarray, contributions: np.ndarray) -> np.ndarray:
    """Scores of the random sets (``N`` x call): one sparse product ``W @ A``.

    ``W`` is the random-set x universe-miRNA matrix holding each set's weights.
    """
    n, k = sets.shape
    w = sp.csr_array(
        (set_weights.ravel(), sets.ravel(), np.arange(0, n * k + 1, k)),
        shape=(n, contributions.shape[0]),
    )
    return np.asarray(w @ contributions)


def empirical_pvalues(observed: np.ndarray, null: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``p_up`` and ``p_down`` of each call (columns of ``null``), ties within the tolerance."""
    # An infinite score (a lean beyond random sets that never vary) ties only itself.
    tol = TIE_TOLERANCE * np.where(np.isfinite(observed), np.maximum(1.0, np.abs(observed)), 0.0)
    n = null.shape[0]
    up = (1.0 + (null >= observed - tol).sum(axis=0)) / (1.0 + n)
    down = (1.0 + (null <= observed + tol).sum(axis=0)) / (1.0 + n)
    return up, down


def standardise(values: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """``(values - mean) / sd`` column by column; where ``sd`` is 0 (the random sets never
    vary): 0 for a value that ties ``mean`` (within the tolerance), +-inf otherwise."""
    values = np.asarray(values, dtype=float)
    mean = np.broadcast_to(np.asarray(mean, dtype=float), values.shape[-1:])
    sd = np.broadcast_to(np.asarray(sd, dtype=float), values.shape[-1:])
    diff = values - mean
    tied = np.abs(diff) <= TIE_TOLERANCE * np.maximum(1.0, np.abs(values))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, diff / np.where(sd > 0, sd, 1.0), np.sign(diff) * np.inf)
    return np.where((sd > 0) | ~tied, z, 0.0)


def null_moments(null: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation (ddof 1; NaN for fewer than two sets) of each column."""
    mean = null.mean(axis=0)
    if null.shape[0] < 2:
        return mean, np.full(null.shape[1], np.nan)
    return mean, null.std(axis=0, ddof=1)


def lean_scores(
    observed: tuple[float, float], null: tuple[np.ndarray, np.ndarray]
) -> tuple[float, np.ndarray]:
    """The tumour lean of the set and of each random set: ``z(pro) - z(anti)``.

    Both scores are standardised against the same random sets, so that they are on one scale
    whatever the number and weights of their genes; the random sets' own leans, computed the
    same way from the same draws, are the null of the set's lean (docs/methods/signatures.md).
    The mean and standard deviation of each score are taken over the random sets *and the set
    itself* (the convention of the ``+1`` in the p-values): the transformation is then the
    same symmetric function of all ``N + 1`` scores, which keeps the set exchangeable with the
    random sets under the null, and a set beyond every random set gets a finite lean.

    Parameters
    ----------
    observed
        The set's (pro-tumour, anti-tumour) scores.
    null
        The random sets' pro-tumour and anti-tumour scores (length ``N`` each).

    Returns
    -------
    lean, null_lean
        The set's lean and the ``N`` random sets' leans.
    """
    scores = np.vstack(
        [np.asarray(observed, dtype=float), np.column_stack([np.asarray(v, float) for v in null])]
    )
    mean, sd = null_moments(scores)
    z = standardise(scores, mean, np.nan_to_num(sd))
    lean = z[:, 0] - z[:, 1]
    return float(lean[0]), lean[1:]


def p_method(kind: str, p_up: float, p_down: float, n_random: int) -> str:
    """How a counted p-value was obtained: ``floor`` when no random set reached the observed
    score in the tail the call tests (the p-value ``1/(N+1)``, doubled when two-sided, is then an
    upper bound), ``exceedances`` otherwise.  :func:`resolve_tail` replaces either by
    ``gpd_tail`` when a tail fit resolves the p-value."""
    floor = 1.0 / (1.0 + n_random)
    tail = p_up if kind == "score" else min(p_up, p_down)
    return "floor" if tail <= floor * (1 + 1e-12) else "exceedances"


def tested_tail(kind: str, p_up: float, p_down: float) -> str:
    """``"up"`` or ``"down"``: the tail a call's p-value comes from -- the upper one for a
    score (one-sided), the one the score lies in (the smaller p) for two-sided calls."""
    return "up" if kind == "score" or p_up <= p_down else "down"


@dataclass(frozen=True)
class TailPvalue:
    """A call's p-values with the tested tail resolved (:func:`resolve_tail`).

    Attributes
    ----------
    p_up, p_down
        The tail probabilities; the tested one is the tail fit's when ``method`` is
        ``gpd_tail``, both are counted otherwise.
    method
        One of :data:`P_METHODS`.
    tail
        The tested tail (:func:`tested_tail`).
    fit
        The accepted generalized Pareto fit (on the scores negated for the lower tail), or None.
    """

    p_up: float
    p_down: float
    method: str
    tail: str
    fit: TailFit | None = None


def resolve_tail(
    kind: str, observed: float, null: np.ndarray, p_up: float, p_down: float, *, fit: bool = True
) -> TailPvalue:
    """Resolve a call's p-value below ``1/(N+1)`` with the enrichment's generalized Pareto tail.

    The counted p-value of the tested tail (:func:`tested_tail`) is kept when at least
    :data:`exomir._pvalues.GPD_MAX_EXCEEDANCES` random sets reached the score.  With fewer, a
    generalized Pareto distribution is fitted to the ``GPD_TAIL_SIZE + 1`` most extreme random
    scores of that tail (:func:`exomir._pvalues.fit_gpd_tail`, a continuous statistic; the
    scores are negated for the lower tail) and, when the fit passes its goodness-of-fit check, its tail
    probability at the observed score replaces the counted one (``gpd_tail``).  Otherwise the
    count stands: ``exceedances``, or ``floor`` when no random set reached the score (an upper
    bound).  Two-sided calls double the resolved p-value as before (:func:`call_direction`).

    Parameters
    ----------
    kind
        The call's kind (``score`` is one-sided).
    observed
        The set's score.
    null
        The ``N`` random sets' scores of the call.
    p_up, p_down
        The counted p-values (:func:`empirical_pvalues`).
    fit
        Fit the tail at all (``enrichment.empirical.tail_fit``, off by default: the counted
        p-value, or the floor, then stands).
    """
    null = np.asarray(null, dtype=float)
    n = null.size
    p_up, p_down = float(p_up), float(p_down)
    tail = tested_tail(kind, p_up, p_down)
    counted = TailPvalue(p_up, p_down, p_method(kind, p_up, p_down, n), tail)
    # The random sets that reached the score in the tested tail: p = (1 + e) / (1 + N).
    exceed = round((p_up if tail == "up" else p_down) * (n + 1)) - 1
    if (
        not fit
        or exceed >= GPD_MAX_EXCEEDANCES
        or not np.isfinite(observed)
        or not np.isfinite(null).all()
    ):
        return counted
    sign = 1.0 if tail == "up" else -1.0
    top = np.sort(sign * null)[-(GPD_TAIL_SIZE + 1) :]
    fit = fit_gpd_tail(top, n, discrete=False)
    p = np.nan if fit is None else fit.pvalue(sign * float(observed))
    if not p > 0:
        # No acceptable fit, the score not beyond its threshold, or beyond the end of a
        # bounded tail (which no finite sample can support): the count stands.
        return counted
    if tail == "up":
        return TailPvalue(p, p_down, "gpd_tail", tail, fit)
    return TailPvalue(p_up, p, "gpd_tail", tail, fit)


def call_direction(kind: str, score: float, p_up: float, p_down: float, alpha: float) -> tuple:
    """``(direction, p_value)`` of one call (rules in ``docs/methods/signatures.md``)."""
    if kind == "score":
        return ("high" if p_up <= alpha and score > 0 else "none"), p_up
    p_value = min(1.0, 2.0 * min(p_up, p_down))
    up, down = ("pro_tumour", "anti_tumour") if kind == "lean" else ("up", "down")
    if p_value <= alpha and p_up < p_down and score > 0:
        return up, p_value
    if p_value <= alpha and p_down < p_up and score < 0:
        return down, p_value
    return "none", p_value


# --------------------------------------------------------------------------------------------
# Scoring one set


@dataclass
class SignatureResult:
    """Signatures of one set.

    Attributes
    ----------
    table
        One row per call (:data:`exomir.tables.SIGNATURES`).
    drivers
        Every contributing edge of every call (:data:`exomir.tables.SIGNATURE_DRIVERS`).
    params
        Parameters and counts of the run (written as ``{set}.json``).
    null
        The random sets' scores (``N`` x call, in table order); not written.
    literature
        The literature comparison (:data:`exomir.tables.SIGNATURE_LITERATURE`), when computed.
    """

    table: pd.DataFrame
    drivers: pd.DataFrame
    params: dict[str, Any]
    null: np.ndarray | None = None
    literature: pd.DataFrame | None = None

    def write(
        self,
        table: str | os.PathLike[str],
        drivers: str | os.PathLike[str] | None = None,
        params: str | os.PathLike[str] | None = None,
        literature: str | os.PathLike[str] | None = None,
    ) -> None:
        """Write the tables (TSV) and the parameters (JSON) to the paths given."""
        write_tsv(self.table, table)
        if drivers is not None:
            write_tsv(self.drivers, drivers)
        if params is not None:
            write_json(self.params, params)
        if literature is not None:
            frame = self.literature
            if frame is None:
                frame = empty_frame(SIGNATURE_LITERATURE.columns, "str")
            write_tsv(frame, literature)


def score_set(
    targets: pd.DataFrame,
    edges: pd.DataFrame,
    model: SignatureModel,
    *,
    set_name: str,
    null: NullSettings | None = None,
    universe: Universe | None = None,
    alpha: float = ALPHA,
    top: int = TOP_DRIVERS,
    targets_path: object = None,
) -> SignatureResult:
    """Signed pathway effects and the four scores of one set, with the null and the drivers.

    Parameters
    ----------
    targets
        The set's target table (``results/targets/{set}.tsv``; :func:`check_set_targets`).
    edges
        Every edge of the species (``mirna, gene, confidence``; :func:`clean_scoring_edges`): the
        universe and the null are built on it.
    model
        The calls (:func:`build_model`).
    set_name
        The set.
    null
        ``N``, seed, universe and stratification (default :class:`NullSettings`).
    universe
        The miRNA universe; by default built from ``edges`` as ``null`` says.
    alpha
        Significance level of the calls.
    top
        Edges listed in the ``drivers`` column.
    targets_path
        The file ``targets`` came from, named in errors.

    Returns
    -------
    SignatureResult

    Raises
    ------
    InputError
        When the set has no analysed miRNA, or its edges are not those of ``edges`` (another
        target policy would compare the set with the wrong null).
    """
    null = null or NullSettings()
    if not 0 < alpha < 1:
        raise InputError("the significance level must lie between 0 and 1", value=alpha)
    targets = check_set_targets(targets, set_name, path=targets_path)
    edges = clean_scoring_edges(edges)
    if universe is None:
        universe = build_universe(edges, kind=null.universe, source=null.universe_file)
    _check_against_edges(targets, edges, targets_path)

    in_universe = set(universe.mirnas)
    set_mirnas = sorted(set(targets["mirna"]))
    analysed = [m for m in set_mirnas if m in in_universe]
    outside = [m for m in set_mirnas if m not in in_universe]
    if outside:
        log.warning(
            "set %s: %d miRNA(s) are not in the miRNA universe and are left out: %s",
            set_name,
            len(outside),
            ", ".join(outside),
        )
    if not analysed:
        raise InputError(
            f"set {set_name!r}: none of its miRNAs has a target in the miRNA universe",
            path=None if targets_path is None else str(targets_path),
            value=set_mirnas[:5],
            hint="check the target sources and enrichment.empirical.universe",
        )
    raw = targets.drop_duplicates("mirna").set_index("mirna")["weight"]
    weights = normalise_weights({m: float(raw[m]) for m in analysed})
    w = np.array([weights[m] for m in analysed])
    query_index = pd.Index(list(universe.mirnas)).get_indexer(analysed).astype(np.int64)

    contributions = contribution_matrix(edges, universe, model)
    observed = w @ contributions[query_index]
    counts = target_counts(edges, universe) if null.stratified else None
    sets, set_weights = null_draws(len(universe.mirnas), query_index, w, null, counts)
    scores = null_scores(sets, set_weights, contributions)
    keys = [call.key for call in model.calls]
    for j, call in enumerate(model.calls):
        if call.kind == "lean":
            pro, anti = (keys.index(k) for k in LEAN_SCORES)
            observed[j], scores[:, j] = lean_scores(
                (observed[pro], observed[anti]), (scores[:, pro], scores[:, anti])
            )
    counted_up, counted_down = empirical_pvalues(observed, scores)
    tails = [
        resolve_tail(
            call.kind,
            observed[j],
            scores[:, j],
            counted_up[j],
            counted_down[j],
            fit=bool(null.tail_fit),
        )
        for j, call in enumerate(model.calls)
    ]
    null_mean, null_sd = null_moments(scores)
    z = standardise(observed, null_mean, np.nan_to_num(null_sd))

    used = targets[targets["mirna"].isin(analysed)].copy()
    used["weight"] = used["mirna"].map(weights).astype(float)
    drivers = _drivers(used, model, set_name)

    rows = []
    for j, call in enumerate(model.calls):
        score = float(observed[j])
        p = tails[j]
        direction, p_value = call_direction(call.kind, score, p.p_up, p.p_down, alpha)
        mine = drivers[drivers["key"] == call.key]
        rows.append(
            {
                "set": set_name,
                "kind": call.kind,
                "key": call.key,
                "label": call.label,
                "score": clean_zero(score),
                "direction": direction,
                "p_up": float(p.p_up),
                "p_down": float(p.p_down),
                "p_value": float(p_value),
                "p_method": p.method,
                "null_mean": clean_zero(float(null_mean[j])),
                "null_sd": float(null_sd[j]),
                "z": clean_zero(float(z[j])) if np.isfinite(null_sd[j]) else np.nan,
                "n_genes": int(mine["gene"].nunique()),
                "n_edges": len(mine),
                "n_mirnas": int(mine["mirna"].nunique()),
                "drivers": _driver_text(mine, score, top),
            }
        )
    table = pd.DataFrame(rows)
    table["fdr"] = bh_fdr(table["p_value"].to_numpy(float))
    table = SIGNATURES.ordered(table)
    params = _describe(set_name, universe, null, analysed, outside, weights, alpha, model)
    params["null"]["tail_fits"] = {
        call.key: _describe_fit(t.fit, t.tail)
        for call, t in zip(model.calls, tails, strict=True)
        if t.fit is not None
    }
    if counts is not None:
        strata = stratify(counts, query_index, null.stratified)
        params["null"]["strata"] = strata.describe()
        params["null"]["strata_merged"] = strata.merged
    return SignatureResult(table, drivers, params, scores)


def _describe_fit(fit: TailFit, tail: str) -> dict[str, Any]:
    """A call's accepted tail fit, for ``{set}.json`` (the threshold on the score's scale)."""
    return {
        "tail": tail,
        "shape": fit.shape,
        "scale": fit.scale,
        "threshold": fit.threshold if tail == "up" else -fit.threshold,
        "n_exceed": fit.n_exceed,
        "n_total": fit.n_total,
        "ks_distance": fit.distance,
        "ks_critical": fit.critical,
    }


def _check_against_edges(targets: pd.DataFrame, edges: pd.DataFrame, path: object) -> None:
    """The set's edges must be edges of the null's table, with the same confidence."""
    merged = targets[["mirna", "gene", "confidence"]].merge(
        edges, on=["mirna", "gene"], how="left", suffixes=("", "_all")
    )
    absent = merged["confidence_all"].isna().to_numpy()
    differs = ~absent & (np.abs(merged["confidence"] - merged["confidence_all"]) > 1e-6)
    for bad, problem in (
        (absent, "are not in the edge table the null is built on"),
        (differs.to_numpy(), "have another confidence than in the edge table"),
    ):
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{int(bad.sum())} edge(s) of the set's target table {problem}",
                path=None if path is None else str(path),
                line=None if path is None else line_of(row),
                value=f"{merged['mirna'].iloc[row]} -> {merged['gene'].iloc[row]}",
                hint="rebuild results/targets with the same target policy",
            )


def _drivers(targets: pd.DataFrame, model: SignatureModel, set_name: str) -> pd.DataFrame:
    """Every (call, edge) with a non-zero contribution, ranked within each call."""
    parts = []
    for call in model.calls:
        info = pd.DataFrame(
            {
                "gene": list(call.genes),
                "_effect": np.asarray(call.effects, dtype=float),
                "gene_role": list(call.roles),
                "role_reference": list(call.references),
            }
        )
        hit = targets.merge(info, on="gene", how="inner")
        if hit.empty:
            continue
        hit["contribution"] = hit["weight"] * hit["confidence"] * hit["_effect"]
        hit = hit[hit["contribution"] != 0].copy()
        if hit.empty:
            continue
        gene_total = hit.groupby("gene")["contribution"].transform("sum").abs()
        hit["_abs"] = -hit["contribution"].abs()
        hit["_gene"] = -gene_total
        hit = hit.sort_values(["_abs", "_gene", "mirna", "gene"], kind="stable")
        hit["rank"] = np.arange(1, len(hit) + 1)
        hit["effect"] = np.where(hit["_effect"] > 0, "up", "down")
        hit["kind"] = call.kind
        hit["key"] = call.key
        parts.append(hit)
    if not parts:
        return empty_frame(SIGNATURE_DRIVERS.columns, "object")
    out = pd.concat(parts, ignore_index=True)
    out["set"] = set_name
    for column in EDGE_EVIDENCE:
        if column not in out.columns:
            out[column] = pd.NA
    for column in ("mirtarbase_pmids", "n_sources", "stem_pmids"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    return SIGNATURE_DRIVERS.ordered(out).reset_index(drop=True)


def _driver_text(drivers: pd.DataFrame, score: float, top: int) -> str:
    """The top edges that push the call the way its score points, ``;``-joined, best first."""
    if drivers.empty:
        return ""
    sign = np.sign(score)
    mine = drivers if sign == 0 else drivers[np.sign(drivers["contribution"]) == sign]
    return ";".join(f"{m}->{g}" for m, g in mine[["mirna", "gene"]].head(top).to_numpy())


def _describe(
    set_name: str,
    universe: Universe,
    null: NullSettings,
    analysed: Sequence[str],
    outside: Sequence[str],
    weights: Mapping[str, float],
    alpha: float,
    model: SignatureModel,
) -> dict[str, Any]:
    return {
        "exomir_version": __version__,
        "set": set_name,
        "k": len(analysed),
        "mirnas": list(analysed),
        "weights": {m: round(float(weights[m]), 10) for m in analysed},
        "mirnas_outside_universe": list(outside),
        "universe": {
            "kind": universe.kind,
            "size": len(universe.mirnas),
            "file": universe.source,
            "dropped_without_targets": list(universe.dropped),
        },
        "null": {
            "n_random": null.n_random,
            "seed": null.seed,
            "kind": null.label,
            "stratified_bins": null.stratified,
            "generator": "numpy PCG64, the enrichment's random-set stream",
            "weights": "query weights permuted per random set, SeedSequence(seed, spawn_key=(1,))",
            "p_value": "(1 + #{random >= observed}) / (1 + N), and <= for p_down; "
            f"a generalized Pareto tail fit below {GPD_MAX_EXCEEDANCES} exceedances "
            "(p_method gpd_tail, tail_fits)",
            "tie_tolerance": TIE_TOLERANCE,
        },
        "alpha": alpha,
        "calls": {
            call.key: {"kind": call.kind, "label": call.label, "genes": len(call.genes)}
            for call in model.calls
        },
    }
