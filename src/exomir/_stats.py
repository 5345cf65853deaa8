"""Shared statistics: the ORA tail probability and Benjamini-Hochberg adjustment."""

from __future__ import annotations

import numpy as np

from ._hypergeom import hypergeom_upper

__all__ = ["bh_fdr", "hypergeometric_sf"]


def hypergeometric_sf(
    overlap: np.ndarray, term_size: np.ndarray, n_targets: np.ndarray, background_size: np.ndarray
) -> np.ndarray:
    """One-sided ORA p-value ``P(X >= overlap)``, vectorised over terms.

    With ``M`` background genes of which ``n`` (``term_size``) are in the term, and the set's
    ``N`` targets (``n_targets``) drawn from the background, the overlap ``X`` is hypergeometric:
    the 2x2 table [[x, N - x], [n - x, M - n - N + x]] of Fisher's exact test with
    ``alternative='greater'``.  Computed by :func:`exomir._hypergeom.hypergeom_upper`, which
    equals ``scipy.stats.hypergeom.sf(x - 1, M, n, N)`` to ~1e-13 relative at a fraction of its
    cost (it matters for calibration, which needs millions of these).
    """
    p = hypergeom_upper(overlap, background_size, term_size, n_targets)
    return np.clip(p, 0.0, 1.0)


def bh_fdr(pvalues: np.ndarray, axis: int = 0) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values along ``axis`` (NaN stays NaN and is not counted).

    The adjustment is monotone in the p-values and capped at 1; ties keep the order of a stable
    sort, so the result does not depend on the input order.
    """
    p = np.asarray(pvalues, dtype=float)
    p = np.moveaxis(p, axis, 0)
    out = np.full(p.shape, np.nan)
    flat = p.reshape(p.shape[0], -1)
    out_flat = out.reshape(flat.shape)
    valid = ~np.isnan(flat)
    m = valid.sum(axis=0)
    filled = np.where(valid, flat, np.inf)
    order = np.argsort(filled, axis=0, kind="stable")
    ranked = np.take_along_axis(filled, order, axis=0)
    rank = np.arange(1, flat.shape[0] + 1)[:, None]
    with np.errstate(invalid="ignore"):  # columns without any p-value: inf * 0
        q = ranked * m[None, :] / rank
    q = np.minimum.accumulate(q[::-1], axis=0)[::-1]
    q = np.minimum(q, 1.0)
    np.put_along_axis(out_flat, order, q, axis=0)
    out_flat[~valid] = np.nan
    return np.moveaxis(out_flat.reshape(p.shape), 0, axis)
