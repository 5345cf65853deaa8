"""The *mirna_sum* statistic: each miRNA's own evidence for a term, summed over the set.

For a miRNA ``m`` and a term ``t``, the score ``s(m, t)`` is ``-ln p`` of the hypergeometric test
of ``m``'s targets against ``t`` in ``t``'s library background (the ORA of that one miRNA),
capped at :data:`SCORE_CAP` nats.  The statistic of a set ``S`` is ``T(S, t) = sum of s(m, t)
over m in S``: how strongly the set's miRNAs, one by one, point at the term.  It is what
DIANA-miRPath calls "pathways union", but tested against random miRNA sets of the same
target-count strata (:mod:`exomir._null`) instead of a chi-square law that assumes independent,
unbiased miRNAs.

Why it is the default: a cargo with a theme holds a few miRNAs whose targets concentrate in a
term, mixed with miRNAs that have nothing to do with it.  The pooled statistics (the overlap of
the set's target union, or its share of the union) dilute those few miRNAs in the others'
hundreds of targets; the sum keeps each one's evidence.  On the real references, with 3 of 6
miRNAs planted for a term, it detects the planted term far more often at the same calibration
(bench/power.py, bench/README.md).  Each score conditions on its own miRNA's target count
(the hypergeometric), and the strata match the set's target-count profile, so target-rich
miRNAs are compared with target-rich ones.

Scores are stored as integers (:data:`SCORE_SCALE` per nat), so sums are exact, do not depend on
the order of summation, and ties between a random set and the set are real ties.  Random sets'
sums are gathered row by row for small sets and by a matrix product with the 0/1 set
indicators for large ones; both are exact (the products stay below ``2**24`` in float32, or run
in float64), so the choice never changes a count.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from ._null import NullCounts, RandomSets, _progress, log_early_end, stop_at_hth
from ._stats import hypergeometric_sf

#: Integer units per nat of a score.
SCORE_SCALE = 1000
#: Largest score of one miRNA for one term, in nats (p = 2e-22): one miRNA with an extreme
#: p-value counts as strong evidence, not as unbounded evidence.
SCORE_CAP = 50.0
#: Sets of at most this many miRNAs always sum their rows directly.
GATHER_MAX_K = 24
#: Larger sets use a matrix product with their 0/1 indicators unless few terms are left: the
#: product costs about the universe size per set to build plus the universe size per term over
#: this speed-up of the matrix product; summing rows costs ``k`` per term.
_PRODUCT_SPEEDUP = 48
#: Cells (random sets x terms) of one batch's sums, to bound memory.
_BATCH_CELLS = 8_000_000
#: float32 holds every integer below 2**24 exactly.
_FLOAT32_EXACT = 2**24


def mirna_term_scores(
    targets: sp.csr_array | sp.spmatrix,
    membership: sp.csr_array | sp.spmatrix,
    library_background: sp.csr_array | sp.spmatrix,
    library_of_term: np.ndarray,
    term_size: np.ndarray,
    background_size: np.ndarray,
    *,
    chunk: int = 1024,
) -> np.ndarray:
    """Score of every miRNA for every term: ``round(min(-ln p, SCORE_CAP) * SCORE_SCALE)``.

    Parameters
    ----------
    targets
        miRNA x gene 0/1 matrix (the null's universe rows, the enrichment background's genes).
    membership
        Term x gene 0/1 matrix.
    library_background
        Gene x library 0/1 matrix: each library's background.
    library_of_term, term_size, background_size
        Per term: its library (column of ``library_background``), its size and its library's
        background size.
    chunk
        Terms per block (memory).

    Returns
    -------
    numpy.ndarray
        miRNAs x terms, int32.  A miRNA with no target in a term scores 0 there.
    """
    t = sp.csr_array(targets, dtype=np.int64)
    members = sp.csr_array(membership, dtype=np.int64)
    n_mirnas, n_terms = t.shape[0], members.shape[0]
    per_library = (t @ sp.csr_array(library_background, dtype=np.int64)).toarray()
    library_of_term = np.asarray(library_of_term, dtype=np.int64)
    term_size = np.asarray(term_size, dtype=np.int64)
    background_size = np.asarray(background_size, dtype=np.int64)
    out = np.zeros((n_mirnas, n_terms), dtype=np.int32)
    for a in range(0, n_terms, chunk):
        b = min(n_terms, a + chunk)
        overlap = (t @ members[a:b].T).tocoo()
        rows, cols, x = overlap.row, overlap.col, overlap.data
        keep = x > 0
        rows, cols, x = rows[keep], cols[keep], x[keep]
        terms = cols + a
        p = hypergeometric_sf(
            x,
            term_size[terms],
            per_library[rows, library_of_term[terms]],
            background_size[terms],
        )
        with np.errstate(divide="ignore"):
            score = np.minimum(-np.log(p), SCORE_CAP)
        out[rows, terms] = np.rint(np.maximum(score, 0.0) * SCORE_SCALE).astype(np.int32)
    return out


class ScoreSums:
    """Exact sums of the scores of random sets, for the terms (columns) of ``scores``.

    Both routes give the same integers, so the choice (by the set size and the number of
    terms, never by the data) only changes the time.

    Parameters
    ----------
    scores
        miRNAs x terms int32 scores (a column subset of :func:`mirna_term_scores`).
    k
        Size of the random sets.
    """

    def __init__(self, scores: np.ndarray, k: int) -> None:
        self.scores = np.ascontiguousarray(scores, dtype=np.int32)
        self.k = int(k)
        n_mirnas, n_terms = self.scores.shape
        product = n_mirnas * (1 + n_terms / _PRODUCT_SPEEDUP)
        self.gather = self.k <= GATHER_MAX_K or self.k * n_terms <= product
        if not self.gather:
            largest = int(self.scores.max(initial=0)) * self.k
            dtype = np.float32 if largest < _FLOAT32_EXACT else np.float64
            self.matrix = self.scores.astype(dtype)

    @property
    def n_terms(self) -> int:
        return self.scores.shape[1]

    def batch_size(self) -> int:
        """Random sets per batch that keep one batch's sums within the memory cap."""
        per_set = self.n_terms * (self.k if self.gather else 1) + self.scores.shape[0]
        return max(16, _BATCH_CELLS // max(per_set, 1))

    def sums(self, sets: np.ndarray) -> np.ndarray:
        """Sum of each random set's scores per term: terms x sets, int64."""
        sets = np.asarray(sets)
        if self.gather:
            return self.scores[sets].sum(axis=1, dtype=np.int64).T
        indicator = np.zeros((sets.shape[0], self.scores.shape[0]), dtype=self.matrix.dtype)
        np.put_along_axis(indicator, sets, 1, axis=1)
        return np.rint(self.matrix.T @ indicator.T).astype(np.int64)

    def restrict(self, columns: np.ndarray) -> ScoreSums:
        """The same sums for the terms ``columns`` only."""
        return ScoreSums(self.scores[:, columns], self.k)


def score_null(
    sums: ScoreSums,
    observed: np.ndarray,
    sets: RandomSets,
    n_random: int,
    *,
    stop_after: int = 0,
    what: str = "empirical null",
    progress: bool = True,
    keep: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None,
    first_batch: int = 256,
    exceed_start: np.ndarray | None = None,
) -> NullCounts:
    """Count random sets whose summed score reaches the observed one, per term.

    The same contract as :func:`exomir._null.sequential_null` (sequential stopping at the exact
    draw of the ``h``-th exceedance, ``keep`` between batches of a fixed schedule that starts at
    ``first_batch`` sets and doubles, ``exceed_start`` to continue an earlier stream); ``total``
    and ``total_sq`` of the result are sums over the draws of the summed score (float64, in
    :data:`SCORE_SCALE` units).  No tail values are kept: the tail fit is not offered for this
    statistic.
    """
    observed = np.asarray(observed, dtype=np.int64)
    n_terms = observed.size
    if sums.n_terms != n_terms:
        raise ValueError(f"{sums.n_terms} score columns for {n_terms} observed values")
    exceed = np.zeros(n_terms, dtype=np.int64)
    if exceed_start is not None:
        exceed += np.asarray(exceed_start, dtype=np.int64)
    n_drawn = np.zeros(n_terms, dtype=np.int64)
    stopped = np.zeros(n_terms, dtype=bool)
    closed = np.zeros(n_terms, dtype=bool)
    total = np.zeros(n_terms)
    total_sq = np.zeros(n_terms)
    active = np.arange(n_terms)
    current = sums
    cap = sums.batch_size()
    size = min(cap, first_batch) if stop_after > 0 or keep is not None else cap
    drawn = 0
    mark = n_random / 10
    while drawn < n_random and active.size:
        c = min(size, n_random - drawn)
        batch = sets.take(c)
        values = current.sums(batch)
        obs = observed[active]
        hits = values >= obs[:, None]
        gained = np.count_nonzero(hits, axis=1).astype(np.int64)
        used = np.full(active.size, c, dtype=np.int64)
        reached = np.zeros(active.size, dtype=bool)
        fvalues = values.astype(float)
        s1 = fvalues.sum(axis=1)
        s2 = np.square(fvalues).sum(axis=1)
        if stop_after > 0:
            reached, rows, before = stop_at_hth(hits, stop_after - exceed[active], gained, used)
            if rows.size:
                kept = np.where(before, fvalues[rows], 0.0)
                s1[rows] = kept.sum(axis=1)
                s2[rows] = np.square(kept).sum(axis=1)
        exceed[active] += gained
        n_drawn[active] += used
        stopped[active] = reached
        total[active] += s1
        total_sq[active] += s2
        drawn += c
        if keep is not None and drawn < n_random:
            going = np.zeros(n_terms, dtype=bool)
            going[active] = ~stopped[active]
            closed |= going & ~np.asarray(keep(exceed, n_drawn, going), dtype=bool)
        still = np.flatnonzero(~stopped[active] & ~closed[active])
        if still.size < active.size:
            active = active[still]
            current = sums.restrict(active)
            cap = current.batch_size()
        if progress:
            detail = f", {active.size} of {n_terms} terms still drawing" if stop_after > 0 else ""
            mark = _progress(what, drawn, n_random, mark, detail)
        size = min(cap, size * 2)
    if progress:
        log_early_end(what, stop_after, keep is not None, drawn, n_random, active.size)
    return NullCounts(
        exceed,
        n_drawn,
        stopped,
        total,
        total_sq,
        closed if keep is not None else None,
    )
