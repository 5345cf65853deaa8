"""Monte Carlo p-values below ``1 / N``: resolution, tail approximation and testing families.

An empirical p-value from ``n`` random draws cannot go below ``1 / (n + 1)``.  When a testing
family holds hundreds of terms, Benjamini-Hochberg needs p-values far below that for anything to
pass, so the enrichment draws more random sets for the terms whose call more draws could still
change (:func:`open_terms`), up to a maximum, and beyond it approximates the tail of the null:

* :func:`gpd_tail_pvalue` fits a generalized Pareto distribution (GPD) to the largest null values
  and reads the p-value of the observed statistic off the fitted tail (Knijnenburg, Wessels,
  Reinders & Shmulevich 2009, Bioinformatics 25:i161).  The fit is accepted only when it passes
  a goodness-of-fit check; otherwise the caller reports the floor;
* :func:`floor_pvalue` is that floor, ``1 / (n + 1)``: an honest upper bound when no draw reached
  the observed value and no tail fit is acceptable;
* :func:`family_fdr` is Benjamini-Hochberg within each testing family (libraries, the focus
  family, all terms).

Everything here is pure (no I/O, no random numbers), so the signature scores can reuse it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._stats import bh_fdr

__all__ = [
    "GPD_MAX_EXCEEDANCES",
    "GPD_MIN_EXCEEDANCES",
    "GPD_TAIL_SIZE",
    "PRUNE_ALPHA",
    "P_METHODS",
    "OpenTerms",
    "TailFit",
    "exceedance_lower_bound",
    "family_fdr",
    "fit_gpd_tail",
    "floor_pvalue",
    "gpd_tail_pvalue",
    "open_terms",
]

#: How a p-value was obtained (the ``p_method`` column of the enrichment table):
#: ``exceedances`` -- counted among the first ``N`` random sets (stopped after ``h``
#: exceedances, or all ``N``); ``extended`` -- counted after drawing more than ``N`` sets;
#: ``gpd_tail`` -- generalized Pareto tail fit (fewer than :data:`GPD_MAX_EXCEEDANCES`
#: exceedances at the maximum number of draws); ``floor`` -- no random set reached the observed
#: value and no acceptable tail fit: ``1 / (draws + 1)``, an upper bound.
P_METHODS = ("exceedances", "extended", "gpd_tail", "floor")

#: Largest null values kept for the tail fit (Knijnenburg et al. start from 250 exceedances).
GPD_TAIL_SIZE = 250
#: Fewest exceedances of the threshold a tail fit may use; the fit steps down from
#: :data:`GPD_TAIL_SIZE` in steps of 10 until one passes the goodness-of-fit check.
GPD_MIN_EXCEEDANCES = 50
#: The tail fit replaces the counted p-value when fewer than this many random sets reached the
#: observed value (Knijnenburg et al.: ``M < 10``); with more, counting is accurate enough.
GPD_MAX_EXCEEDANCES = 10
#: Fewest distinct values among the exceedances of a discrete statistic for a tail fit: a
#: continuous tail through two or three integer levels says nothing about the next ones.
GPD_MIN_LEVELS = 5
#: Smallest acceptable GPD shape (see :func:`_fit`).
MIN_SHAPE = -0.5
#: One-sided level of the confidence bounds that decide whether a term's call is still open
#: (:func:`open_terms`): a term whose p-value is, at this level, above what its families need,
#: or below it even in the pessimistic case, stops drawing.
PRUNE_ALPHA = 1e-3


def floor_pvalue(n_draws: int | np.ndarray) -> float | np.ndarray:
    """``1 / (n_draws + 1)``: the smallest counted p-value, an upper bound when nothing exceeded."""
    return 1.0 / (np.asarray(n_draws, dtype=float) + 1.0)


def exceedance_lower_bound(
    exceed: np.ndarray, n_draws: np.ndarray, alpha: float = PRUNE_ALPHA
) -> np.ndarray:
    """One-sided Clopper-Pearson lower bound of the exceedance probability (0 for no exceedance)."""
    e = np.asarray(exceed, dtype=float)
    n = np.asarray(n_draws, dtype=float)
    with np.errstate(invalid="ignore"):
        low = stats.beta.ppf(alpha, np.maximum(e, 1.0), np.maximum(n - e + 1.0, 1.0))
    return np.where(e > 0, low, 0.0)


def exceedance_upper_bound(
    exceed: np.ndarray, n_draws: np.ndarray, alpha: float = PRUNE_ALPHA
) -> np.ndarray:
    """One-sided Clopper-Pearson upper bound of the exceedance probability (1 when every draw
    exceeded)."""
    e = np.asarray(exceed, dtype=float)
    n = np.asarray(n_draws, dtype=float)
    with np.errstate(invalid="ignore"):
        high = stats.beta.ppf(1.0 - alpha, e + 1.0, np.maximum(n - e, 1.0))
    return np.where(e < n, high, 1.0)


@dataclass(frozen=True)
class TailFit:
    """A generalized Pareto fit to the upper tail of a null distribution.

    ``P(X >= x) = rate * sf_GPD(x - threshold - shift)`` for ``x > threshold``, where
    ``rate = n_exceed / n_total`` and ``shift`` is 1 for a discrete (integer) statistic (the
    exceedances are spread over their unit interval, see :func:`fit_gpd_tail`) and 0 otherwise.

    Attributes
    ----------
    shape, scale
        GPD shape ``xi`` and scale ``sigma`` (scipy's ``genpareto`` ``c`` and ``scale``).
    threshold
        Values above it are the exceedances.
    n_exceed, n_total
        Exceedances used and null values in all.
    distance, critical
        Kolmogorov-Smirnov distance of the fit and the 5 % critical value it was held to.
    discrete
        Whether the statistic is integer-valued.
    """

    shape: float
    scale: float
    threshold: float
    n_exceed: int
    n_total: int
    distance: float
    critical: float
    discrete: bool

    def pvalue(self, observed: float) -> float:
        """Tail probability ``P(X >= observed)``; NaN at or below the threshold (count there)."""
        if not observed > self.threshold:
            return float("nan")
        shift = 1.0 if self.discrete else 0.0
        excess = max(float(observed) - self.threshold - shift, 0.0)
        sf = stats.genpareto.sf(excess, self.shape, scale=self.scale)
        return float(self.n_exceed / self.n_total * sf)


def _spread_ties(levels: np.ndarray) -> np.ndarray:
    """Integer exceedances ``j >= 1`` spread evenly over ``(j - 1, j)``, ties in rank order.

    A discrete statistic ``X`` is the continuous ``X + U`` (``U`` uniform on (-1/2, 1/2))
    rounded; over the threshold ``t + 1/2`` the exceedance of ``X = t + j`` lies in
    ``(j - 1, j)``.  Spreading the ``c`` ties of a level at the midpoints of ``c`` equal parts of
    that interval is the deterministic version of the jitter.
    """
    values, counts = np.unique(levels, return_counts=True)
    parts = [v - 1 + (np.arange(c) + 0.5) / c for v, c in zip(values, counts, strict=True)]
    return np.concatenate(parts)


def fit_gpd_tail(
    null_top: np.ndarray,
    n_total: int,
    *,
    discrete: bool = False,
    min_exceed: int = GPD_MIN_EXCEEDANCES,
    step: int = 10,
) -> TailFit | None:
    """Fit a GPD to the upper tail of a null distribution given its largest values.

    Following Knijnenburg et al. (2009), the threshold starts between the 250th and 251st largest
    values (or whatever ``null_top`` holds) and the number of exceedances shrinks in steps of
    ``step`` until the fit passes the goodness-of-fit check: the Kolmogorov-Smirnov distance
    between the exceedances and the fitted GPD must stay below its 5 % critical value
    ``1.36 / sqrt(n)``.  (With the parameters estimated from the same data this check is lenient;
    the requirement of at least ``min_exceed`` exceedances, and of
    :data:`GPD_MIN_LEVELS` distinct values for a discrete statistic, keeps it from accepting fits
    to a handful of points.)  The parameters are maximum-likelihood estimates with location 0.

    Parameters
    ----------
    null_top
        The largest null values (any order); at least ``min_exceed + 1`` of them.
    n_total
        How many null values there were in all.
    discrete
        The statistic is integer-valued (an overlap count): ties are spread over unit intervals
        (see :func:`_spread_ties`) and the threshold is an integer, exceedances are values above
        it.

    Returns
    -------
    TailFit or None
        The accepted fit with the most exceedances, or None when none is acceptable.
    """
    top = np.sort(np.asarray(null_top, dtype=float))[::-1]
    if n_total < top.size:
        raise ValueError(f"{top.size} largest values cannot come from {n_total} null values")
    n = min(top.size - 1, GPD_TAIL_SIZE)
    while n >= min_exceed:
        if discrete:
            threshold = top[n]  # values above the (n+1)-th largest: ties at it are excluded
            levels = top[top > threshold] - threshold
            n_exc = levels.size
            if n_exc < min_exceed or np.unique(levels).size < GPD_MIN_LEVELS:
                # Fewer distinct levels at smaller n: no point in stepping down further.
                return None
            excess = _spread_ties(levels)
        else:
            threshold = 0.5 * (top[n - 1] + top[n])
            excess = top[:n] - threshold
            n_exc = n
        fit = _fit(excess)
        if fit is not None:
            shape, scale = fit
            distance = stats.kstest(excess, "genpareto", args=(shape, 0.0, scale)).statistic
            critical = 1.36 / np.sqrt(n_exc)
            if distance <= critical:
                return TailFit(
                    float(shape),
                    float(scale),
                    float(threshold),
                    int(n_exc),
                    int(n_total),
                    float(distance),
                    float(critical),
                    discrete,
                )
        n = min(n - step, n_exc - step)
    return None


def _fit(excess: np.ndarray) -> tuple[float, float] | None:
    """Maximum-likelihood GPD shape and scale (location 0); None when the fit is unusable."""
    if excess.size < 2 or not np.ptp(excess) > 0:
        return None
    with np.errstate(all="ignore"):
        shape, _, scale = stats.genpareto.fit(excess, floc=0.0)
    # Below -1/2 the maximum-likelihood estimator loses its regular behaviour (Smith 1985,
    # Biometrika 72:67), and below -1 the likelihood has no maximum at all.
    if not (np.isfinite(shape) and np.isfinite(scale) and scale > 0 and shape > MIN_SHAPE):
        return None
    return float(shape), float(scale)


def gpd_tail_pvalue(
    observed: float, null_top: np.ndarray, n_total: int, *, discrete: bool = False
) -> float:
    """p-value ``P(X >= observed)`` from a GPD fit to the largest null values (:func:`fit_gpd_tail`).

    NaN when no fit is acceptable, when ``observed`` is not above the fit's threshold (count
    instead), or when it lies beyond the end of a bounded fitted tail (the fit would say 0, which
    no finite sample can support): the caller then reports the floor (:func:`floor_pvalue`).
    """
    fit = fit_gpd_tail(null_top, n_total, discrete=discrete)
    if fit is None:
        return float("nan")
    p = fit.pvalue(observed)
    return p if p > 0 else float("nan")


def family_fdr(pvalues: np.ndarray, families: Sequence[np.ndarray], size: int) -> np.ndarray:
    """Benjamini-Hochberg within each family; NaN for entries in no family.

    ``families`` are disjoint index arrays into ``pvalues``; NaN p-values are not counted.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(size, np.nan)
    for rows in families:
        if len(rows):
            out[rows] = bh_fdr(p[rows])
    return out


def open_terms(
    pvalues: np.ndarray,
    lower: np.ndarray,
    undecided: np.ndarray,
    families: Sequence[Sequence[np.ndarray]],
    fdr: float,
    upper: np.ndarray | None = None,
) -> np.ndarray:
    """Undecided terms whose call by Benjamini-Hochberg at ``fdr`` more draws could still change.

    The optimistic case for every family at once: each undecided term takes the lower confidence
    bound ``lower`` of its p-value, the decided ones keep ``pvalues``.  A term could pass a
    family when BH calls it in that case.  Terms the optimistic case cannot call in any family
    will not be called by more draws either (up to the confidence level of ``lower``), so they
    stop drawing.

    With ``upper`` (the upper confidence bound), sequential stopping works the other way too: a
    term that BH calls in a family even in the pessimistic case (every undecided term at its
    upper bound, which can only lower the family's cutoff) is called there whatever more draws
    show.  A term stays open while some family (sets of disjoint index arrays, e.g. the
    libraries, the focus family, all terms) could call it but does not surely call it.
    """
    undecided = np.asarray(undecided, dtype=bool)
    best = np.where(undecided, lower, pvalues)
    worst = None if upper is None else np.where(undecided, upper, pvalues)
    n = best.size
    still = np.zeros(n, dtype=bool)
    for family in families:
        could = family_fdr(best, family, n) <= fdr
        if worst is not None:
            could &= ~(family_fdr(worst, family, n) <= fdr)
        still |= could
    return undecided & still


class OpenTerms:
    """:func:`open_terms` for repeated calls in which only a few terms change their p-value.

    While the null of a set draws on beyond its first random sets, only the terms still drawing
    (``moving``) change; the others keep ``pvalues``.  Benjamini-Hochberg calls a term at
    ``fdr`` exactly when its p-value is at most the family's cutoff: the largest ranked p-value
    ``p_(j)`` with ``p_(j) m / j <= fdr`` (``j`` counting every p-value up to and including
    ``p_(j)``, so ties take their last rank, as the step-up does).  The fixed p-values of each
    family are sorted once here; a call merges the few moving ones into them by binary search,
    instead of sorting all terms of every family again, and gives the same answer as
    :func:`open_terms` (the same float operations, ``p * m / j``).

    Parameters
    ----------
    pvalues
        p-values of all terms; those of ``moving`` are ignored.
    moving
        Indices of the terms whose values change between calls.
    families, fdr
        As for :func:`open_terms`.  The p-values lie in ``[0, 1]``, so BH's cap of its adjusted
        values at 1 never decides a call and the cutoff alone does, for any ``fdr``.
    """

    def __init__(
        self,
        pvalues: np.ndarray,
        moving: np.ndarray,
        families: Sequence[Sequence[np.ndarray]],
        fdr: float,
    ) -> None:
        p = np.asarray(pvalues, dtype=float)
        self.moving = np.asarray(moving, dtype=np.int64)
        self.fdr = float(fdr)
        is_moving = np.zeros(p.size, dtype=bool)
        is_moving[self.moving] = True
        position = np.full(p.size, -1, dtype=np.int64)
        position[self.moving] = np.arange(self.moving.size)
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for family in families:
            for rows in family:
                rows = np.asarray(rows, dtype=np.int64)
                mine = rows[is_moving[rows]]
                if not mine.size:
                    continue  # nothing that moves: no answer needed from this family
                fixed = p[rows[~is_moving[rows]]]
                fixed = np.sort(fixed[~np.isnan(fixed)])
                self._parts.append(
                    (position[mine], fixed, np.searchsorted(fixed, fixed, side="right"))
                )

    def __call__(
        self, values: np.ndarray, undecided: np.ndarray, upper: np.ndarray | None = None
    ) -> np.ndarray:
        """Which moving terms are still open: ``values`` are their p-values for the optimistic
        case (the lower bound for those still ``undecided``), ``upper`` for the pessimistic
        case (see :func:`open_terms`), all arrays in the order of ``moving``."""
        values = np.asarray(values, dtype=float)
        still = np.zeros(self.moving.size, dtype=bool)
        for index, fixed, fixed_rank in self._parts:
            v = values[index]
            could = v <= self._cutoff(v, fixed, fixed_rank)
            if upper is not None:
                w = np.asarray(upper, dtype=float)[index]
                could &= ~(w <= self._cutoff(w, fixed, fixed_rank))
            still[index] |= could
        return np.asarray(undecided, dtype=bool) & still

    def _cutoff(self, v: np.ndarray, fixed: np.ndarray, fixed_rank: np.ndarray) -> float:
        """The family's BH cutoff with the moving terms at ``v`` (-inf: nothing is called)."""
        mine = np.sort(v[~np.isnan(v)])
        m = fixed.size + mine.size
        cutoff = -np.inf
        if fixed.size:
            rank = fixed_rank + np.searchsorted(mine, fixed, side="right")
            passing = fixed * m / rank <= self.fdr
            if passing.any():
                cutoff = fixed[passing][-1]
        if mine.size:
            rank = np.searchsorted(fixed, mine, side="right") + np.searchsorted(
                mine, mine, side="right"
            )
            passing = mine * m / rank <= self.fdr
            if passing.any():
                cutoff = max(cutoff, mine[passing][-1])
        return float(cutoff)
