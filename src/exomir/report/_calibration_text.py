"""The calibration in plain words: what the QQ plot shows, what the null is, and the verdict.

:func:`null_description` says what a null such as ``stratified:30`` means;
:func:`calibration_verdict` whether a test is conservative, at nominal level or liberal on this
run (from the fraction of p-values below 0.05 over all terms of all random sets);
:func:`resolution_floor` the smallest p-value the empirical test can give with its number of
random sets, which is where its QQ curve flattens.
"""

from __future__ import annotations

import math
from typing import Any

from ._derive import _finite
from ._format import format_number, format_percent

#: Tolerance around the nominal 5% within which a test counts as at nominal level: a fraction
#: of p < 0.05 between 4% and 6% (a fifth either side).
NOMINAL_BAND = (0.04, 0.06)


def null_description(null: str) -> str:
    """What a null model string of the enrichment (``stratified:30``, ``uniform``) means."""
    kind, _, bins = str(null).partition(":")
    kind = kind.strip().lower()
    if kind == "stratified":
        count = f"{bins} bins" if bins else "bins"
        return (
            f"{null}: each random set is drawn from the miRNA universe split into {count} by "
            "number of targets, taking as many miRNAs from each bin as the real set has there, "
            "so that random sets have about as many targets as the real one (the target bias "
            "that inflates ORA is matched, not tested)"
        )
    if kind == "uniform":
        return f"{null}: random sets are drawn uniformly from the miRNA universe"
    if kind in ("hypergeometric", "ora"):
        return f"{null}: genes drawn at random from the background (what ORA assumes)"
    return str(null)


def resolution_floor(n_random: object) -> float | None:
    """The smallest empirical p-value with ``n_random`` random sets: 1 / (n_random + 1)."""
    n = _finite(n_random)
    return None if n is None or n < 1 else 1.0 / (n + 1.0)


def calibration_verdict(fraction_p05: object) -> str | None:
    """``conservative``, ``nominal`` or ``liberal`` for the fraction of p < 0.05 under the null
    (``None`` when unknown): a calibrated test gives 5%."""
    value = _finite(fraction_p05)
    if value is None:
        return None
    low, high = NOMINAL_BAND
    if value < low:
        return "conservative"
    if value > high:
        return "liberal"
    return "nominal"


_VERDICT_WORDS = {
    "conservative": (
        "conservative: fewer small p-values than chance gives, so its calls are, if anything, "
        "too few"
    ),
    "nominal": "at nominal level: about as many small p-values as chance gives",
    "liberal": (
        "liberal (anti-conservative): more small p-values than chance gives, so some of its "
        "calls are false positives"
    ),
}


def calibration_notes(records: list[dict[str, Any]], labels: list[str]) -> dict[str, Any]:
    """Plain-language notes on the calibration of each method, for the overview.

    ``records`` are the rows of the calibration summary, ``labels`` their display names.
    Returns ``verdicts`` (label, sentence) per method with a ``fraction_p05``, ``nulls`` (label,
    description) per method, and ``floor`` (the resolution floor of the empirical null as a
    p-value and as ``-log10``, or ``None``).
    """
    verdicts = []
    nulls = []
    floor = None
    for record, label in zip(records, labels, strict=True):
        verdict = calibration_verdict(record.get("fraction_p05"))
        if verdict is not None:
            share = format_percent(record["fraction_p05"])
            verdicts.append((label, f"{share} of p-values below 0.05: {_VERDICT_WORDS[verdict]}"))
        null = str(record.get("null") or "")
        if null:
            nulls.append((label, null_description(null)))
        if str(record.get("method", "")).lower().startswith("emp") and floor is None:
            value = resolution_floor(record.get("n_random"))
            if value is not None:
                floor = {
                    "p": value,
                    "log10": f"{-math.log10(value):.1f}",
                    "n_random": format_number(record["n_random"]),
                }
    return {"verdicts": verdicts, "nulls": nulls, "floor": floor}
