"""Kernels of the miRNA-set empirical null: random miRNA sets, target unions, term overlaps.

The statistic of a miRNA set ``S`` for a term ``t`` is the *overlap*: the number of genes of ``t``
(inside the background) that at least one miRNA of ``S`` targets.  Under the null the query is a
random set of the same size drawn from the miRNA universe, so the null distribution of the overlap
keeps whatever makes some genes easy to hit (long 3'UTRs, many sites, heavy study) — the bias that
a gene-level hypergeometric test ignores.

Everything here is vectorised over terms and over random sets:

* :class:`RandomSets` draws random k-subsets of the universe from a seeded
  :class:`numpy.random.Generator`.  Every draw consumes exactly one row of ``U`` uniform keys, so
  the stream of sets does not depend on how many sets are taken at a time (batch sizes, threads).
* :func:`stratify` splits the universe into target-count strata for one set (quantile bins,
  with strata too small for the set merged explicitly, see :data:`MIN_STRATUM_FACTOR`), so that
  random sets draw as many miRNAs from each stratum as the set has there (:class:`Strata`).
* :class:`TargetUnions` keeps the miRNA x gene target matrix bit-packed and returns, for a batch of
  random sets, the 0/1 gene x set matrix of their target unions (a bitwise OR of ``k`` packed rows).
* :func:`overlaps` multiplies the sparse term x gene membership matrix by that gene x set matrix,
  split into row blocks of equal work that run in threads (scipy's sparse kernels release the GIL).
* :func:`sequential_null` counts, per term, random sets whose statistic reaches the observed one,
  optionally stopping a term after ``h`` such exceedances (Besag & Clifford 1991).  The statistic
  is the overlap, or with a :class:`ShareTest` the *share* of each set's targets (in the term's
  library background) that fall in the term (BUFET's statistic).
* :func:`null_tails` records the whole null distribution of every term (for calibration, where
  one null serves many queries of the same size).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
import scipy.sparse as sp
from scipy.optimize import brentq

log = logging.getLogger(__name__)

#: Working-memory budget of one batch of random sets, in bytes.  With ~20,000 genes and ~25,000
#: terms a batch of a few hundred sets fits, and peak memory stays far below 1 GB.
BATCH_BYTES = 160 * 2**20

#: Bytes of working memory per (term, random set) cell of a batch: the int16 overlap, the
#: exceedance flags, their running count (int32), the masked copy and its square (int32).
_BYTES_PER_CELL = 14

#: Random keys drawn at once by :meth:`RandomSets.take` (8 bytes each).
_KEYS_PER_CHUNK = 1 << 22

R = TypeVar("R")


def count_dtype(max_count: int) -> type[np.signedinteger]:
    """Smallest signed integer type that holds overlaps up to ``max_count``.

    int16 halves the memory traffic of the sparse product compared with int32 or float32 and is
    exact for every term of at most 32,767 genes.
    """
    return np.int16 if max_count <= np.iinfo(np.int16).max else np.int32


def batch_size(n_genes: int, n_terms: int, *, budget: int | None = None) -> int:
    """Number of random sets per batch that keeps a batch within ``budget`` bytes
    (default :data:`BATCH_BYTES`); between 32 and 8192."""
    # Per set: the unpacked union (1 byte per gene) and its int16 transpose (2), and the cells.
    per_set = 4 * n_genes + _BYTES_PER_CELL * max(n_terms, 1)
    return int(min(8192, max(32, (BATCH_BYTES if budget is None else budget) // per_set)))


class RandomSets:
    """A seeded stream of random miRNA sets of fixed size, optionally stratified.

    Each set is drawn by giving every universe miRNA a uniform random key and keeping the ``k``
    smallest keys (within each stratum, the ``k_s`` smallest of that stratum): a uniform draw
    without replacement.  One set always consumes one row of ``U`` keys, so the sets taken in
    batches of any size are the same as the sets taken one by one — results do not depend on
    batch sizes or the number of threads.

    Parameters
    ----------
    rng
        The generator (seeded by the caller).
    universe_size
        Number ``U`` of miRNAs in the universe; sets are arrays of indices into it.
    k
        Set size (used when ``strata`` is None).
    strata
        Optional stratum label of every universe miRNA (length ``U``).
    k_per_stratum
        With ``strata``: mapping stratum label -> number of miRNAs to draw from it.
    log_weights
        With ``strata``: optional mapping stratum label -> log-weight of each of its members (in
        universe order), for a weighted draw there (:func:`tilt_strata`): a member's key is then
        an exponential variable of rate ``exp(log_weight)`` (Efraimidis & Spirakis 2006), so the
        ``k_s`` smallest keys are a draw without replacement in which each pick takes a member
        with probability proportional to its weight among those left.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        universe_size: int,
        k: int,
        *,
        strata: np.ndarray | None = None,
        k_per_stratum: dict[int, int] | None = None,
        log_weights: dict[int, np.ndarray] | None = None,
    ) -> None:
        if universe_size < 1:
            raise ValueError("the miRNA universe is empty")
        self.rng = rng
        self.universe_size = int(universe_size)
        self.groups: list[tuple[np.ndarray, int]] = []
        #: Log-weights of the members of each group (None: a uniform draw there).
        self.log_weights: list[np.ndarray | None] = []
        if strata is None:
            if not 1 <= k <= universe_size:
                raise ValueError(f"cannot draw {k} of {universe_size} miRNAs")
            self.groups.append((np.arange(universe_size), int(k)))
            self.log_weights.append(None)
        else:
            strata = np.asarray(strata)
            for label in sorted(k_per_stratum or {}):
                members = np.flatnonzero(strata == label)
                k_s = int(k_per_stratum[label])
                if not 0 <= k_s <= members.size:
                    raise ValueError(
                        f"cannot draw {k_s} of {members.size} miRNAs of stratum {label}"
                    )
                if k_s:
                    self.groups.append((members, k_s))
                    self.log_weights.append(_log_weights_of(log_weights, label, members.size))
        self.k = sum(k_s for _, k_s in self.groups)

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` sets, as an ``(n, k)`` array of universe indices."""
        # Keys are drawn a few million at a time (a large universe times thousands of sets would
        # otherwise need hundreds of MB); row by row, the stream is the same.
        step = max(1, _KEYS_PER_CHUNK // self.universe_size)
        return np.vstack([self._take(min(step, n - i)) for i in range(0, n, step)])

    def _take(self, n: int) -> np.ndarray:
        keys = self.rng.random((n, self.universe_size))
        parts = []
        for (members, k_s), log_w in zip(self.groups, self.log_weights, strict=True):
            sub = keys[:, members] if log_w is None else _weighted_keys(keys[:, members], log_w)
            parts.append(_smallest(members, sub, k_s))
        return np.ascontiguousarray(np.hstack(parts), dtype=np.int64)


class ShuffledSets(RandomSets):
    """The same distribution of random sets as :class:`RandomSets`, from far fewer random numbers.

    Each set consumes ``k`` uniform numbers (one per miRNA drawn) instead of ``U`` keys: in every
    stratum of ``n_s`` members it runs Floyd's algorithm for a uniform ``k_s``-subset (step ``i``
    draws ``t`` uniform in ``[0, n_s - k_s + i]`` and takes ``t``, or ``n_s - k_s + i`` when
    ``t`` is already taken; Bentley & Floyd 1987), all strata side by side.  For a set of 10
    miRNAs in a universe of 2,544 that is about 250 times fewer random numbers, and no array
    over the universe per set, which is what makes a million draws affordable
    (:meth:`exomir._engine.EnrichmentEngine.analyse` extends the null with it).  As with
    :class:`RandomSets`, set ``i`` of the stream is the same whatever the batch sizes; the two
    classes give different streams from the same seed.
    """

    @property
    def _width(self) -> int:
        """Random numbers per set: one per miRNA of a uniform stratum, one per member of a
        weighted one."""
        return sum(
            k_s if log_w is None else members.size
            for (members, k_s), log_w in zip(self.groups, self.log_weights, strict=True)
        )

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` sets, as an ``(n, k)`` array of universe indices."""
        step = max(1, _KEYS_PER_CHUNK // max(self._width, 1))
        if n <= step:
            return self._take(n)
        return np.vstack([self._take(min(step, n - i)) for i in range(0, n, step)])

    def _take(self, n: int) -> np.ndarray:
        # One row of random numbers per set, whatever the batch: the uniform strata's Floyd
        # steps first, then the keys of the weighted strata's members.
        u = self.rng.random((n, self._width))
        if not self.groups:
            return np.zeros((n, 0), dtype=np.int64)
        uniform = [g for g, w in zip(self.groups, self.log_weights, strict=True) if w is None]
        k_uniform = sum(k_s for _, k_s in uniform)
        parts = [_floyd(u[:, :k_uniform], uniform)] if uniform else []
        at = k_uniform
        for (members, k_s), log_w in zip(self.groups, self.log_weights, strict=True):
            if log_w is None:
                continue
            keys = _weighted_keys(u[:, at : at + members.size], log_w)
            at += members.size
            parts.append(_smallest(members, keys, k_s))
        return np.ascontiguousarray(np.hstack(parts), dtype=np.int64)


def _floyd(u: np.ndarray, groups: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """Uniform ``k_s``-subsets of every group, side by side, from ``u`` (sets x sum of k_s):
    Floyd's algorithm (see :class:`ShuffledSets`)."""
    n, k = u.shape
    sizes = np.array([members.size for members, _ in groups], dtype=np.int64)
    need = np.array([k_s for _, k_s in groups], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(need)[:-1]])
    chosen = np.empty((n, k), dtype=np.int64)
    for i in range(int(need.max())):
        going = np.flatnonzero(need > i)
        col = first[going] + i
        top = sizes[going] - need[going] + i
        t = np.minimum((u[:, col] * (top + 1)).astype(np.int64), top)
        if i:
            taken = np.zeros(t.shape, dtype=bool)
            for q in range(i):
                taken |= chosen[:, first[going] + q] == t
            t = np.where(taken, top, t)
        chosen[:, col] = t
    # Positions within each stratum -> universe indices.
    members = np.concatenate([m for m, _ in groups]).astype(np.int64)
    offset = np.repeat(np.concatenate([[0], np.cumsum(sizes)[:-1]]), need)
    return members[offset[None, :] + chosen]


def _smallest(members: np.ndarray, keys: np.ndarray, k: int) -> np.ndarray:
    """The ``members`` with the ``k`` smallest ``keys`` of each row (sets x members)."""
    if k == members.size:
        return np.broadcast_to(members, (keys.shape[0], k))
    return members[np.argpartition(keys, k - 1, axis=1)[:, :k]]


def _weighted_keys(u: np.ndarray, log_weights: np.ndarray) -> np.ndarray:
    """Keys whose ``k`` smallest are a weighted draw without replacement: ``log E - log w`` for
    ``E = -log(1 - u)``, an exponential variable (the log of ``E / w``, kept in logs so that
    extreme weights neither overflow nor tie)."""
    return np.log(-np.log1p(-u)) - log_weights[None, :]


def _log_weights_of(
    log_weights: dict[int, np.ndarray] | None, label: int, size: int
) -> np.ndarray | None:
    if not log_weights or label not in log_weights:
        return None
    w = np.asarray(log_weights[label], dtype=float)
    if w.shape != (size,) or not np.isfinite(w).all():
        raise ValueError(f"stratum {label} needs {size} finite log-weights, one per member")
    return w


#: A stratum that a set draws ``k_s`` miRNAs from must hold at least ``MIN_STRATUM_FACTOR * k_s``
#: miRNAs, or it is merged with a neighbour (:func:`stratify`).  The set's own miRNAs belong to
#: their strata, so a random draw from a stratum of ``n_s`` miRNAs contains on average a fraction
#: ``k_s / n_s`` of the set's own miRNAs there; a stratum of exactly ``k_s`` miRNAs would return
#: the set itself every time (p = 1 everywhere).  Capping that share at a fifth keeps the null
#: informative, while merging as little as possible: every merge widens a stratum and brings back
#: some of the target-count mismatch that stratification removes.  With the default 30 bins a
#: universe of 2,544 miRNAs has bins of 67-106, so up to 13 miRNAs of a set per bin never merge.
MIN_STRATUM_FACTOR = 5


def count_bins(counts: np.ndarray, bins: int) -> np.ndarray:
    """Quantile bin of every miRNA's target count: labels ``0 .. B - 1``, increasing with count.

    Bin edges are the ``bins``-quantiles of ``counts``; tied edges merge, and the labels are
    renumbered without gaps, so there may be fewer than ``bins`` bins (never an empty one).
    """
    counts = np.asarray(counts)
    if bins < 1:
        raise ValueError(f"the number of target-count bins must be >= 1, not {bins}")
    if counts.size == 0:
        return np.zeros(0, dtype=np.int64)
    cuts = np.unique(np.quantile(counts, np.linspace(0, 1, bins + 1)[1:-1]))
    raw = np.searchsorted(cuts, counts, side="right")
    return np.unique(raw, return_inverse=True)[1].astype(np.int64).ravel()


@dataclass(frozen=True)
class Strata:
    """Target-count strata of the universe for one set (see :func:`stratify`).

    Attributes
    ----------
    labels
        Stratum of every universe miRNA, ``0 .. n - 1``, increasing with target count.
    need
        Stratum -> number of the set's miRNAs in it (only the strata the set occupies).
    bins
        Number of quantile bins asked for.
    low, high, size
        Per stratum: smallest and largest target count, number of miRNAs.
    mean
        Per stratum: mean target count.
    merged
        Quantile bins merged into a neighbour because they were too small for the set.
    log_weights
        Tilted strata (:func:`tilt_strata`) -> log-weight of each member (in universe order);
        the others draw uniformly.
    tilt
        Tilted strata -> the exponent ``theta`` of their weights ``(targets + 1) ** theta``.
    expected
        Tilted strata -> the target counts a random set is expected to draw there.
    """

    labels: np.ndarray
    need: dict[int, int]
    bins: int
    low: np.ndarray
    high: np.ndarray
    size: np.ndarray
    mean: np.ndarray
    merged: int = 0
    log_weights: dict[int, np.ndarray] = field(default_factory=dict)
    tilt: dict[int, float] = field(default_factory=dict)
    expected: dict[int, float] = field(default_factory=dict)

    @property
    def k(self) -> int:
        """Size of the set (sum of ``need``)."""
        return sum(self.need.values())

    @property
    def n_strata(self) -> int:
        """Number of strata after merging."""
        return int(self.size.size)

    def random_sets(self, rng: np.random.Generator, *, shuffled: bool = True) -> RandomSets:
        """Random-set stream drawing ``need[s]`` miRNAs from every stratum ``s``: a
        :class:`ShuffledSets` stream (the nulls' own), or with ``shuffled=False`` the
        key-sorting :class:`RandomSets` stream (the same distribution, ~``U / k`` times more
        random numbers)."""
        kind = ShuffledSets if shuffled else RandomSets
        return kind(
            rng,
            self.labels.size,
            self.k,
            strata=self.labels,
            k_per_stratum=self.need,
            log_weights=self.log_weights,
        )

    def null_mean_total(self, *, tilted: bool = True) -> float:
        """Expected sum of target counts of a random set (the set's own sum is the match);
        ``tilted=False``: of a uniform draw within the same strata, ignoring any tilt."""
        expected = self.expected if tilted else {}
        return float(sum(expected.get(s, n * self.mean[s]) for s, n in self.need.items()))

    def log10_distinct_sets(self) -> float:
        """log10 of the number of distinct random sets, ``prod_s C(size_s, need_s)``.

        The set itself is one of them, so p-values cannot go far below its inverse: a single
        miRNA in a stratum of 85 can reach p = 1/85 at best, whatever ``N`` is.
        """
        return sum(_log10_comb(int(self.size[s]), n) for s, n in self.need.items())

    def describe(self) -> list[dict[str, int | float]]:
        """The strata the set draws from: target-count range, miRNAs in it, miRNAs drawn, and
        for a tilted stratum the exponent of its weights."""
        out: list[dict[str, int | float]] = []
        for s, n in sorted(self.need.items()):
            row: dict[str, int | float] = {
                "min_targets": int(self.low[s]),
                "max_targets": int(self.high[s]),
                "mirnas": int(self.size[s]),
                "drawn": int(n),
            }
            if s in self.tilt:
                row["tilt"] = round(self.tilt[s], 4)
            out.append(row)
        return out


def _log10_comb(n: int, k: int) -> float:
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(10)


def log10_distinct_uniform(universe_size: int, k: int) -> float:
    """log10 of ``C(U, k)``: the distinct random sets of a uniform null."""
    return _log10_comb(int(universe_size), int(k))


def stratify(
    counts: np.ndarray,
    query_index: np.ndarray,
    bins: int,
    *,
    base: np.ndarray | None = None,
    min_factor: int = MIN_STRATUM_FACTOR,
) -> Strata:
    """Target-count strata of the universe for a set, with tiny strata merged explicitly.

    The universe is cut into ``bins`` quantile bins of target count (:func:`count_bins`).  A
    bin that holds ``k_s`` of the set's miRNAs but fewer than ``min_factor * k_s`` miRNAs in
    all is merged with the adjacent bin that keeps the merged target-count range narrowest
    (ratio of largest to smallest count; ties: the lower bin), and this repeats until every
    stratum the set draws from is large enough, or a single stratum is left (the uniform null:
    the universe is then smaller than ``min_factor * k``).  The set keeps its size ``k`` in
    every case: merging only widens the strata it draws from, and ``merged`` records how many
    bins were merged, so callers can report it.

    Parameters
    ----------
    counts
        Target count of every universe miRNA.
    query_index
        The set's rows in the universe (distinct).
    bins
        Number of quantile bins (>= 1).
    base
        Precomputed :func:`count_bins` labels of ``counts`` (for many sets).
    min_factor
        See :data:`MIN_STRATUM_FACTOR`.
    """
    counts = np.asarray(counts)
    query_index = np.asarray(query_index, dtype=np.int64)
    if query_index.size and (query_index.min() < 0 or query_index.max() >= counts.size):
        raise ValueError("set miRNAs outside the universe cannot be stratified")
    if np.unique(query_index).size != query_index.size:
        raise ValueError("a set lists the same universe miRNA twice")
    base = count_bins(counts, bins) if base is None else np.asarray(base, dtype=np.int64)
    n_base = int(base.max()) + 1 if base.size else 0
    size_b = np.bincount(base, minlength=n_base)
    need_b = np.bincount(base[query_index], minlength=n_base)
    low_b = np.full(n_base, np.inf)
    high_b = np.full(n_base, -np.inf)
    np.minimum.at(low_b, base, counts)
    np.maximum.at(high_b, base, counts)
    # Strata as runs [start, stop) of consecutive bins.
    starts = list(range(n_base))
    stops = list(range(1, n_base + 1))
    merged = 0
    while len(starts) > 1:
        sizes = [int(size_b[a:b].sum()) for a, b in zip(starts, stops, strict=True)]
        needs = [int(need_b[a:b].sum()) for a, b in zip(starts, stops, strict=True)]
        small = [
            i for i, (n, k) in enumerate(zip(sizes, needs, strict=True)) if k and n < min_factor * k
        ]
        if not small:
            break
        i = small[0]
        best, best_spread = -1, np.inf
        for j in (i - 1, i + 1):
            if 0 <= j < len(starts):
                a, b = min(starts[i], starts[j]), max(stops[i], stops[j])
                spread = (high_b[a:b].max() + 1) / (low_b[a:b].min() + 1)
                if spread < best_spread:
                    best, best_spread = j, spread
        lo, hi = min(i, best), max(i, best)
        stops[lo] = stops[hi]
        del starts[hi], stops[hi]
        merged += 1
    group_of_bin = np.zeros(n_base, dtype=np.int64)
    for g, (a, b) in enumerate(zip(starts, stops, strict=True)):
        group_of_bin[a:b] = g
    labels = group_of_bin[base]
    n = len(starts)
    size = np.bincount(labels, minlength=n)
    total = np.bincount(labels, weights=counts.astype(float), minlength=n)
    low = np.array([low_b[a:b].min() for a, b in zip(starts, stops, strict=True)])
    high = np.array([high_b[a:b].max() for a, b in zip(starts, stops, strict=True)])
    need = np.bincount(labels[query_index], minlength=n)
    return Strata(
        labels=labels,
        need={int(s): int(c) for s, c in enumerate(need) if c},
        bins=int(bins),
        low=low,
        high=high,
        size=size,
        mean=total / np.maximum(size, 1),
        merged=merged,
    )


#: Only strata whose target counts span more than this factor (``(largest + 1) / (smallest + 1)``)
#: are tilted by :func:`tilt_strata`.  With 30 quantile bins of the real references that is the
#: top two bins (783-1,279 and 1,285-3,072 targets), the bottom one (4-16) and every merged
#: stratum; the others span less than 1.35 and already match a set's counts closely.
TILT_MIN_SPAN = 1.5
#: Bound on the exponent of the tilt's weights ``(targets + 1) ** theta``: at 12, the top
#: stratum's richest miRNA weighs 30,000 times its poorest.  A set beyond that reach (its
#: stratum's very richest miRNAs) is left with the tilt at the bound, and its matching report
#: still flags it.
TILT_MAX = 12.0


def inclusion_probabilities(log_weights: np.ndarray, k: int) -> np.ndarray:
    """Probability that each member is in a weighted draw of ``k`` without replacement.

    The draw keeps the ``k`` smallest of independent exponential keys of rates ``w_i``
    (:class:`RandomSets`); its inclusion probabilities are ``1 - exp(-w_i tau)`` with ``tau``
    such that they sum to ``k``: Rosén's approximation for such "successive sampling" (Rosén
    1997, J Stat Plan Inference 62:135), which is close for strata of dozens of members and
    more (tests/test_tilt.py checks it against simulated draws).
    """
    log_w = np.asarray(log_weights, dtype=float)
    n = log_w.size
    if not 0 <= k <= n:
        raise ValueError(f"cannot draw {k} of {n} members")
    if k == n:
        return np.ones(n)
    if k == 0:
        return np.zeros(n)

    def excess(log_tau: float) -> float:
        return float(-np.expm1(-np.exp(log_w + log_tau)).sum() - k)

    # excess rises from -k to n - k; the bracket covers every member from far below 1 to 1.
    lo, hi = -60.0 - float(log_w.max()), 60.0 - float(log_w.min())
    log_tau = brentq(excess, lo, hi, xtol=1e-12, maxiter=500)
    return -np.expm1(-np.exp(log_w + log_tau))


def _tilt_one(counts: np.ndarray, k: int, target: float) -> tuple[float, np.ndarray, float]:
    """``theta``, log-weights and expected count sum of a ``k``-draw from members with target
    ``counts`` whose expected count sum is ``target`` (or as near as ``TILT_MAX`` allows)."""
    x = np.log1p(counts.astype(float))
    x = x - x.mean()

    def expected(theta: float) -> float:
        return float(inclusion_probabilities(theta * x, k) @ counts)

    if expected(TILT_MAX) <= target:
        theta = TILT_MAX
    elif expected(-TILT_MAX) >= target:
        theta = -TILT_MAX
    else:
        theta = float(
            brentq(lambda t: expected(t) - target, -TILT_MAX, TILT_MAX, xtol=1e-9, maxiter=500)
        )
    return theta, theta * x, expected(theta)


def tilt_strata(
    strata: Strata,
    counts: np.ndarray,
    query_index: np.ndarray,
    *,
    min_span: float = TILT_MIN_SPAN,
) -> Strata:
    """The strata with their wide ones tilted to the set's own target counts.

    Stratification matches a set's target counts bin by bin, but not inside a wide stratum: the
    top quantile bin spans 1,285-3,072 targets on the real references, and a target-rich set
    holds its richest members, while a uniform draw from it averages 1,580.  Merged strata
    (large sets) are wider still.  In every stratum wider than ``min_span`` the random sets
    then draw with weights ``(targets + 1) ** theta`` (a weighted draw without replacement,
    :class:`RandomSets`), ``theta`` chosen so that the expected target counts drawn there
    equal the set's own (:func:`inclusion_probabilities`).  That is the draw closest to a
    uniform one (an exponential tilt) whose target counts match the set's on average; a set at
    a stratum's mean gets ``theta = 0``, the uniform draw.  The choice depends on the set's
    target counts only, never on its terms.
    """
    counts = np.asarray(counts)
    index = np.asarray(query_index, dtype=np.int64)
    log_weights: dict[int, np.ndarray] = {}
    tilt: dict[int, float] = {}
    expected: dict[int, float] = {}
    for s, k_s in sorted(strata.need.items()):
        members = np.flatnonzero(strata.labels == s)
        c = counts[members]
        if k_s == members.size or (c.max() + 1) / (c.min() + 1) <= min_span:
            continue
        target = float(counts[index[strata.labels[index] == s]].sum())
        theta, log_w, mean = _tilt_one(c, k_s, target)
        log_weights[s], tilt[s], expected[s] = log_w, theta, mean
    return replace(strata, log_weights=log_weights, tilt=tilt, expected=expected)


class TargetUnions:
    """Target unions of miRNA sets, computed on a bit-packed miRNA x gene matrix.

    Parameters
    ----------
    targets
        Sparse 0/1 matrix, one row per universe miRNA, one column per gene.
    dtype
        Integer type of the returned 0/1 matrices (see :func:`count_dtype`).
    """

    def __init__(
        self, targets: sp.spmatrix | sp.sparray | np.ndarray, dtype: type = np.int16
    ) -> None:
        dense = targets.toarray() if sp.issparse(targets) else np.asarray(targets)
        if dense.dtype != bool:
            dense = dense != 0
        self.n_genes = dense.shape[1]
        # Kept (1 byte per miRNA and gene) so that restrict() is a column selection, not an
        # unpacking of the whole matrix every time a null narrows down to fewer genes.
        self.dense = dense
        packed = np.packbits(dense, axis=1)
        pad = (-packed.shape[1]) % 8
        if pad:
            packed = np.pad(packed, ((0, 0), (0, pad)))
        # 64-bit words make the OR over k rows eight times fewer operations.
        self.words = np.ascontiguousarray(packed).view(np.uint64)
        self.dtype = dtype

    def columns(self, sets: np.ndarray, threads: int = 1) -> np.ndarray:
        """0/1 matrix ``(n_genes, n_sets)``: gene ``g`` is targeted by a miRNA of set ``j``.

        The layout (genes x sets, C order) is the one scipy's sparse-times-dense kernel reads
        contiguously, so the product needs no further copy.  With ``threads`` > 1 the sets are
        split between threads (numpy releases the GIL in these loops).
        """
        sets = np.asarray(sets)
        out = np.empty((self.n_genes, sets.shape[0]), dtype=self.dtype)

        def fill(a: int, b: int) -> None:
            acc = self.words[sets[a:b, 0]].copy()
            for j in range(1, sets.shape[1]):
                np.bitwise_or(acc, self.words[sets[a:b, j]], out=acc)
            # Unpacking along the contiguous axis and transposing on assignment is several
            # times faster than unpacking along axis 0.
            out[:, a:b] = np.unpackbits(acc.view(np.uint8), axis=1, count=self.n_genes).T

        n = sets.shape[0]
        parts = max(1, min(int(threads), n // 64))
        cuts = np.linspace(0, n, parts + 1).astype(int)
        if parts == 1:
            fill(0, n)
        else:
            with ThreadPoolExecutor(max_workers=parts) as pool:
                for f in [pool.submit(fill, a, b) for a, b in itertools.pairwise(cuts)]:
                    f.result()
        return out

    def restrict(self, genes: np.ndarray) -> TargetUnions:
        """The same unions over a subset of the genes (columns ``genes``, in that order).

        Once sequential stopping has closed most terms, the remaining ones touch few genes; the
        unions are then computed over those genes only.
        """
        return TargetUnions(self.dense[:, genes], self.dtype)

    def union(self, rows: Sequence[int]) -> np.ndarray:
        """0/1 vector over genes: the target union of the miRNAs ``rows``."""
        if len(rows) == 0:
            return np.zeros(self.n_genes, dtype=self.dtype)
        return self.columns(np.asarray([list(rows)]))[:, 0]


def _sum_squares(values: np.ndarray) -> np.ndarray:
    """Row sums of squares, exact, without an int64 copy of the whole matrix."""
    wide = np.int32 if values.dtype == np.int16 else np.int64
    return np.square(values, dtype=wide).sum(axis=1, dtype=np.int64)


def _row_blocks(matrix: sp.csr_array, parts: int) -> list[tuple[int, int]]:
    """Split the rows of ``matrix`` into at most ``parts`` contiguous blocks of similar nnz."""
    n = matrix.shape[0]
    if parts <= 1 or n < 2:
        return [(0, n)]
    targets = np.linspace(0, matrix.nnz, parts + 1)[1:-1]
    cuts = np.searchsorted(matrix.indptr, targets, side="left")
    edges = np.unique(np.concatenate([[0], np.clip(cuts, 0, n), [n]]))
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


#: Below this many (membership x random set) products a batch runs in one thread: starting
#: threads costs more than it saves.
MIN_THREADED_WORK = 5_000_000


def map_row_blocks(
    matrix: sp.csr_array, fn: Callable[[int, int], R], threads: int, *, columns: int | None = None
) -> list[tuple[int, int, R]]:
    """Apply ``fn(start, stop)`` to row blocks of ``matrix`` in ``threads`` threads, in order.

    With ``columns`` (random sets in the batch), small batches stay in one thread.
    """
    if columns is not None and matrix.nnz * columns < MIN_THREADED_WORK:
        threads = 1
    blocks = _row_blocks(matrix, max(1, int(threads)))
    if len(blocks) == 1:
        a, b = blocks[0]
        return [(a, b, fn(a, b))]
    with ThreadPoolExecutor(max_workers=len(blocks)) as pool:
        futures = [pool.submit(fn, a, b) for a, b in blocks]
        return [(a, b, f.result()) for (a, b), f in zip(blocks, futures, strict=True)]


def overlaps(membership: sp.csr_array, columns: np.ndarray, threads: int = 1) -> np.ndarray:
    """Overlap of every term with every target union: ``membership @ columns`` (terms x sets)."""
    if membership.shape[0] == 0:
        return np.zeros((0, columns.shape[1]), dtype=columns.dtype)
    parts = map_row_blocks(membership, lambda a, b: membership[a:b] @ columns, threads)
    if len(parts) == 1:
        return parts[0][2]
    return np.vstack([p for _, _, p in parts])


#: Set bits of every byte value (popcount without :func:`numpy.bitwise_count`, numpy < 2).
_POPCOUNT8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def _popcount_rows(words: np.ndarray) -> np.ndarray:
    """Set bits per row of a 2-D uint64 array, as int64."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words).sum(axis=1, dtype=np.int64)
    return _POPCOUNT8[words.view(np.uint8)].sum(axis=1, dtype=np.int64)


@dataclass(frozen=True)
class ShareTest:
    """The *share* statistic's comparison, for :func:`sequential_null`.

    The statistic of a set for a term is the share ``x / n`` of its ``n`` targets in the term's
    library background that fall in the term (``x``, the overlap).  A random set with ``n_r``
    targets there and overlap ``x_r`` reaches the set's share when ``x_r n >= x n_r``: integers,
    no rounding.  A random set's ``n_r`` counts its whole target union inside the library
    background, so it is computed here from the full bit-packed target rows, whatever genes the
    overlaps are restricted to once most terms have stopped.

    Attributes
    ----------
    n_targets
        The set's targets in the term's library background, per term.
    library_of_term
        Library index of each term (row of ``library_words``).
    words
        The full bit-packed miRNA x gene target matrix (:attr:`TargetUnions.words`).
    library_words
        Bit-packed library x gene background masks, in the same gene order.
    """

    n_targets: np.ndarray
    library_of_term: np.ndarray
    words: np.ndarray
    library_words: np.ndarray

    @classmethod
    def build(
        cls,
        unions: TargetUnions,
        library_background: sp.csr_array | sp.spmatrix,
        n_targets: np.ndarray,
        library_of_term: np.ndarray,
    ) -> ShareTest:
        """From the full (unrestricted) unions and the gene x library background matrix."""
        background = sp.csr_array(library_background)
        if background.shape[0] != unions.n_genes:
            raise ValueError(
                f"library background has {background.shape[0]} genes, the unions {unions.n_genes}"
            )
        return cls(
            np.asarray(n_targets, dtype=np.int64),
            np.asarray(library_of_term, dtype=np.int64),
            unions.words,
            TargetUnions(background.T.toarray()).words,
        )

    def subset(self, rows: np.ndarray) -> ShareTest:
        """The same test for the terms ``rows`` only."""
        return ShareTest(
            self.n_targets[rows], self.library_of_term[rows], self.words, self.library_words
        )

    def library_targets(self, sets: np.ndarray) -> np.ndarray:
        """Targets of each random set inside each library background: libraries x sets.

        Only the libraries of this test's terms are counted (the rows of the others are 0):
        once sequential stopping has closed most terms, the few still drawing often belong to
        one or two libraries.
        """
        sets = np.asarray(sets)
        acc = self.words[sets[:, 0]].copy()
        for j in range(1, sets.shape[1]):
            np.bitwise_or(acc, self.words[sets[:, j]], out=acc)
        out = np.zeros((self.library_words.shape[0], sets.shape[0]), dtype=np.int64)
        present = np.bincount(self.library_of_term, minlength=self.library_words.shape[0])
        for lib in np.flatnonzero(present):
            out[lib] = _popcount_rows(acc & self.library_words[lib])
        return out


class NullTop:
    """The largest null values of each term (for a tail fit of a statistic with many levels)."""

    def __init__(self, n_terms: int, size: int) -> None:
        self.size = int(size)
        self.values = np.full((n_terms, self.size), -np.inf)

    def add(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Merge ``values`` (len(rows) x sets) into the terms ``rows``."""
        if not values.size:
            return
        merged = np.concatenate([self.values[rows], values.astype(float)], axis=1)
        self.values[rows] = -np.partition(-merged, self.size - 1, axis=1)[:, : self.size]

    def top(self, term: int, n: int) -> np.ndarray:
        """The ``n`` largest null values of ``term`` (fewer if fewer were drawn), descending."""
        values = np.sort(self.values[term])[::-1][:n]
        return values[np.isfinite(values)]


@dataclass
class NullHistogram:
    """Per-term counts of the null overlaps: ``counts[offsets[t] + v]`` random sets had overlap
    ``v`` with term ``t`` (``0 <= v <= max_overlap[t]``)."""

    counts: np.ndarray
    offsets: np.ndarray
    max_overlap: np.ndarray

    @classmethod
    def empty(cls, max_overlap: np.ndarray) -> NullHistogram:
        """All-zero counts for overlaps up to ``max_overlap`` per term."""
        max_overlap = np.asarray(max_overlap, dtype=np.int64)
        width = max_overlap + 1
        offsets = np.concatenate([[0], np.cumsum(width)[:-1]]).astype(np.int64)
        return cls(np.zeros(int(width.sum()), dtype=np.int64), offsets, max_overlap)

    def add(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Count ``values`` (len(rows) x sets) into the terms ``rows``."""
        if not values.size:
            return
        flat = (values.astype(np.int64) + self.offsets[rows][:, None]).ravel()
        low = int(self.offsets[rows].min())
        high = int((self.offsets[rows] + self.max_overlap[rows]).max()) + 1
        self.counts[low:high] += np.bincount(flat - low, minlength=high - low)

    def top(self, term: int, n: int) -> np.ndarray:
        """The ``n`` largest null overlaps of ``term`` (fewer if fewer were drawn), descending."""
        a = int(self.offsets[term])
        counts = self.counts[a : a + int(self.max_overlap[term]) + 1][::-1]
        values = np.arange(int(self.max_overlap[term]), -1, -1)
        keep = np.minimum(counts, np.maximum(n - np.concatenate([[0], np.cumsum(counts)[:-1]]), 0))
        return np.repeat(values, keep)


@dataclass
class NullCounts:
    """Per-term result of :func:`sequential_null`.

    Attributes
    ----------
    exceed
        Random sets whose overlap was at least the observed overlap (at most ``h`` when
        sequential stopping is on).
    n_drawn
        Random sets used for the term.
    stopped
        True where the term stopped early after ``h`` exceedances.
    total, total_sq
        Sum and sum of squares of the null overlaps over the sets used (exact integers).
    closed
        True where ``keep`` of :func:`sequential_null` stopped the term (None without ``keep``).
    histogram
        The largest null values of the statistic of every term (with ``tail``): overlaps
        counted per value (:class:`NullHistogram`), or shares (:class:`NullTop`).
    share_total, share_total_sq
        Sum and sum of squares of the null shares over the sets used (with a
        :class:`ShareTest`; None otherwise).
    """

    exceed: np.ndarray
    n_drawn: np.ndarray
    stopped: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray
    closed: np.ndarray | None = None
    histogram: NullHistogram | NullTop | None = None
    share_total: np.ndarray | None = None
    share_total_sq: np.ndarray | None = None

    def pvalues(self, n_random: int, stop_after: int) -> np.ndarray:
        """Empirical p-values.

        Without stopping, ``(1 + exceed) / (1 + N)`` (Davison & Hinkley; never zero).  A term that
        stopped after its ``h``-th exceedance at draw ``L`` gets ``h / L`` (Besag & Clifford 1991),
        which is a valid p-value for the same null; a term that never reached ``h`` is a full run.
        """
        full = (1.0 + self.exceed) / (1.0 + n_random)
        if stop_after <= 0:
            return full
        with np.errstate(divide="ignore", invalid="ignore"):
            seq = stop_after / self.n_drawn.astype(float)
        return np.where(self.stopped, seq, full)

    def mean_sd(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation (n - 1) of the null overlaps; NaN where undefined."""
        return _mean_sd(self.total, self.total_sq, self.n_drawn)

    def statistic_mean_sd(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of the tested statistic: the share with a
        :class:`ShareTest`, else the overlap."""
        if self.share_total is None or self.share_total_sq is None:
            return self.mean_sd()
        return _mean_sd(self.share_total, self.share_total_sq, self.n_drawn)


def _mean_sd(
    total: np.ndarray, total_sq: np.ndarray, n_drawn: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation (n - 1) from sums; NaN where undefined."""
    n = n_drawn.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        var = (total_sq - np.asarray(total, dtype=float) * mean) / (n - 1)
        sd = np.where(n > 1, np.sqrt(np.maximum(var, 0.0)), np.nan)
    return mean, sd


def _progress(what: str, done: int, total: int, next_mark: float, extra: str = "") -> float:
    """Log ``done/total`` when it passes ``next_mark`` (every 10 %); return the next mark."""
    if total <= 0 or done < next_mark:
        return next_mark
    log.info("%s: %d/%d random sets (%d%%)%s", what, done, total, 100 * done // total, extra)
    step = total / 10
    while next_mark <= done:
        next_mark += step
    return next_mark


def stop_at_hth(
    hits: np.ndarray, need: np.ndarray, gained: np.ndarray, used: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequential stopping inside one batch (terms x draws ``hits``).

    The terms whose ``gained`` exceedances reach the ``need`` still missing stop at the draw of
    their ``need``-th one: their ``gained`` and ``used`` (draws counted) are set to it, in place.
    Returns the mask of stopped terms, their rows and, per row, the mask of the draws counted.
    """
    reached = gained >= need
    rows = np.flatnonzero(reached)
    running = np.cumsum(hits[rows], axis=1, dtype=np.int32)
    first = np.argmax(running >= need[rows, None], axis=1)
    used[rows] = first + 1
    gained[rows] = need[rows]
    return reached, rows, np.arange(hits.shape[1]) <= first[:, None]


def log_early_end(
    what: str, stop_after: int, keep: bool, drawn: int, n_random: int, still_open: int
) -> None:
    """Log that every term stopped before ``n_random`` draws (after ``h`` exceedances, or as
    closed by a ``keep`` rule)."""
    if stop_after > 0 and not still_open and drawn < n_random:
        log.info(
            "%s: every term reached %d exceedances%s after %d random sets",
            what,
            stop_after,
            " or can no longer pass" if keep else "",
            drawn,
        )


def sequential_null(
    membership: sp.csr_array,
    observed: np.ndarray,
    sets: RandomSets,
    unions: TargetUnions,
    n_random: int,
    *,
    stop_after: int = 0,
    threads: int = 1,
    what: str = "empirical null",
    progress: bool = True,
    keep: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None,
    tail: int | None = None,
    first_batch: int = 256,
    exceed_start: np.ndarray | None = None,
    share: ShareTest | None = None,
) -> NullCounts:
    """Count random sets whose statistic reaches the observed one, per term, with optional
    sequential stopping.

    Parameters
    ----------
    membership
        Term x gene 0/1 matrix (CSR) of the terms to test.  Only terms with an observed overlap of
        at least 1 need to be passed: for the others every random set ties or exceeds.
    observed
        Observed overlap per term (row of ``membership``).
    sets, unions
        The random-set stream and the target-union kernel.
    n_random
        Maximum number ``N`` of random sets.
    stop_after
        ``h`` of Besag & Clifford: a term stops drawing once ``h`` random sets reached its
        observed statistic; ``0`` draws all ``N`` sets for every term.  The exact draw at which
        the ``h``-th exceedance happened is found inside each batch, so the result is the same
        for any batch size.
    threads
        Threads for the sparse products.
    what
        Label of the progress messages.
    progress
        Log progress about every 10 % (off for the many small nulls of calibration, which
        report their own progress).
    keep
        Optional rule that closes terms between batches: ``keep(exceed, n_drawn, open)`` gets the
        counts so far and the mask of terms still drawing, and returns the mask of those that
        go on (see :func:`exomir._pvalues.open_terms`).  Batches follow a fixed schedule
        (``first_batch`` sets, doubling up to the memory cap), so the rule sees the same counts
        whatever the thread count.
    tail
        Keep the ``tail`` largest null values of the statistic of every term
        (:attr:`NullCounts.histogram`), e.g. for a tail fit.
    first_batch
        Size of the first batch with sequential stopping or ``keep``.
    exceed_start
        Exceedances already counted per term (an earlier stream of draws that this one
        continues): ``exceed`` starts there, so sequential stopping counts both, while
        ``n_drawn`` and the sums count this stream's draws only.
    share
        Test the share of each set's targets instead of the raw overlap (:class:`ShareTest`,
        one entry per row of ``membership``).
    """
    n_terms = membership.shape[0]
    observed = np.asarray(observed)
    exceed = np.zeros(n_terms, dtype=np.int64)
    if exceed_start is not None:
        exceed += np.asarray(exceed_start, dtype=np.int64)
    n_drawn = np.zeros(n_terms, dtype=np.int64)
    stopped = np.zeros(n_terms, dtype=bool)
    total = np.zeros(n_terms, dtype=np.int64)
    total_sq = np.zeros(n_terms, dtype=np.int64)
    share_total = np.zeros(n_terms) if share is not None else None
    share_total_sq = np.zeros(n_terms) if share is not None else None
    closed = np.zeros(n_terms, dtype=bool)
    hist: NullHistogram | NullTop | None = None
    if tail is not None and share is not None:
        hist = NullTop(n_terms, tail)
    elif tail is not None:
        hist = NullHistogram.empty(np.diff(membership.indptr))
    active = np.arange(n_terms)
    cap = batch_size(unions.n_genes, n_terms)
    if share is not None:  # the int64 products and the float shares: about 3x the cells' bytes
        cap = max(32, cap // 3)
    size = min(cap, first_batch) if stop_after > 0 or keep is not None else cap
    drawn = 0
    mark = n_random / 10
    sub = membership
    while drawn < n_random and active.size:
        c = min(size, n_random - drawn)
        batch = sets.take(c)
        cols = unions.columns(batch, threads)
        obs = observed[active]
        prior = exceed[active]
        test = None if share is None else share.subset(active)
        per_library = None if test is None else test.library_targets(batch)

        def block(
            a: int, b: int, sub=sub, obs=obs, prior=prior, cols=cols, c=c, test=test, nr=per_library
        ) -> tuple:
            values = sub[a:b] @ cols
            shares = None
            if test is None:
                hits = values >= obs[a:b, None]
            else:
                n_r = nr[test.library_of_term[a:b]]
                hits = values.astype(np.int64) * test.n_targets[a:b, None] >= obs[a:b, None] * n_r
                shares = values / np.maximum(n_r, 1)
            gained = np.count_nonzero(hits, axis=1).astype(np.int64)
            used = np.full(b - a, c, dtype=np.int64)
            reached = np.zeros(b - a, dtype=bool)
            s1 = values.sum(axis=1, dtype=np.int64)
            s2 = _sum_squares(values)
            if shares is not None:
                sh1, sh2 = shares.sum(axis=1), np.square(shares).sum(axis=1)
            if stop_after > 0:
                reached, rows, before = stop_at_hth(hits, stop_after - prior[a:b], gained, used)
                if rows.size:
                    kept = np.where(before, values[rows], 0)
                    s1[rows] = kept.sum(axis=1, dtype=np.int64)
                    s2[rows] = _sum_squares(kept)
                    if shares is not None:
                        kept_share = np.where(before, shares[rows], 0.0)
                        sh1[rows] = kept_share.sum(axis=1)
                        sh2[rows] = np.square(kept_share).sum(axis=1)
            extra = None if shares is None else (sh1, sh2)
            kept_values = None if hist is None else (values if shares is None else shares)
            return gained, used, reached, s1, s2, extra, kept_values

        for a, b, (gained, used, reached, s1, s2, extra, values) in map_row_blocks(
            sub, block, threads, columns=c
        ):
            rows = active[a:b]
            exceed[rows] += gained
            n_drawn[rows] += used
            stopped[rows] = reached
            total[rows] += s1
            total_sq[rows] += s2
            if extra is not None:
                share_total[rows] += extra[0]
                share_total_sq[rows] += extra[1]
            if hist is not None:
                hist.add(rows, values)
        drawn += c
        if keep is not None and drawn < n_random:
            going = np.zeros(n_terms, dtype=bool)
            going[active] = ~stopped[active]
            closed |= going & ~np.asarray(keep(exceed, n_drawn, going), dtype=bool)
        still = np.flatnonzero(~stopped[active] & ~closed[active])
        if still.size < active.size:
            active = active[still]
            sub = sub[still]
            # The open terms touch fewer genes: unions over those genes only are cheaper.  (A
            # share test counts the random sets' whole target unions from its own full rows.)
            genes = np.unique(sub.indices)
            if genes.size <= 0.5 * sub.shape[1]:
                sub = sp.csr_array(sub[:, genes])
                unions = unions.restrict(genes)
        detail = f", {active.size} of {n_terms} terms still drawing" if stop_after > 0 else ""
        if progress:
            mark = _progress(what, drawn, n_random, mark, detail)
        size = min(cap, size * 2)
    if active.size and drawn < n_random:  # pragma: no cover - loop ends only when done
        raise RuntimeError("null loop ended early")
    if progress:
        log_early_end(what, stop_after, keep is not None, drawn, n_random, active.size)
    return NullCounts(
        exceed,
        n_drawn,
        stopped,
        total,
        total_sq,
        closed if keep is not None else None,
        hist,
        share_total,
        share_total_sq,
    )


@dataclass
class NullTails:
    """Whole null distribution of every term, as upper-tail counts.

    ``counts[offsets[t] + v]`` is the number of random sets whose overlap with term ``t`` is at
    least ``v`` (``0 <= v <= max_overlap[t] + 1``).
    """

    counts: np.ndarray
    offsets: np.ndarray
    max_overlap: np.ndarray
    n_random: int

    def exceedances(self, observed: np.ndarray) -> np.ndarray:
        """Random sets with overlap >= ``observed`` for each term; ``observed`` is terms x q."""
        obs = np.minimum(np.asarray(observed), self.max_overlap[:, None] + 1)
        return self.counts[self.offsets[:, None] + obs]

    def pvalues(self, observed: np.ndarray) -> np.ndarray:
        """Empirical p-values ``(1 + #{null >= observed}) / (1 + N)``, terms x queries."""
        return (1.0 + self.exceedances(observed)) / (1.0 + self.n_random)


def null_tails(
    membership: sp.csr_array,
    max_overlap: np.ndarray,
    sets: RandomSets,
    unions: TargetUnions,
    n_random: int,
    *,
    threads: int = 1,
    what: str = "shared null",
) -> NullTails:
    """Null distribution of the overlap of every term, from ``n_random`` random sets.

    One such table answers the empirical p-value of any number of queries of the same size, which
    is what makes calibration (hundreds of random queries) cost about one null.
    """
    max_overlap = np.asarray(max_overlap, dtype=np.int64)
    width = max_overlap + 2
    offsets = np.concatenate([[0], np.cumsum(width)[:-1]]).astype(np.int64)
    hist = np.zeros(int(width.sum()), dtype=np.int64)
    cap = batch_size(unions.n_genes, membership.shape[0])
    drawn = 0
    mark = n_random / 10
    while drawn < n_random:
        c = min(cap, n_random - drawn)
        cols = unions.columns(sets.take(c), threads)

        def block(a: int, b: int, cols=cols) -> np.ndarray:
            values = (membership[a:b] @ cols).astype(np.int64)
            flat = (values + (offsets[a:b] - offsets[a])[:, None]).ravel()
            return np.bincount(flat, minlength=int(offsets[b - 1] + width[b - 1] - offsets[a]))

        for a, _b, counts in map_row_blocks(membership, block, threads, columns=c):
            hist[offsets[a] : offsets[a] + counts.size] += counts
        drawn += c
        mark = _progress(what, drawn, n_random, mark)
    # Upper tails inside each term's segment, without a loop over terms: with rest[i] the sum of
    # hist[i:], the tail of position i is rest[i] - rest[end of i's segment].
    rest = np.concatenate([np.cumsum(hist[::-1])[::-1], [0]])
    segment_end = np.repeat(offsets + width, width)
    tails = rest[:-1] - rest[segment_end]
    return NullTails(tails, offsets, max_overlap, n_random)
