"""How a set's empirical null went, in plain words: did it match the set, where did p come from.

The enrichment of each set writes beside its table (``enrichment/{set}.json``, see
:meth:`exomir._engine.EnrichmentEngine.describe`):

* ``empirical.matching`` -- whether the stratified null could match the set's target-count
  profile (:func:`exomir._analytic.matching_report`): the ratio of the set's target edges to a
  random set's, the share of its miRNAs in merged strata, the widest stratum it draws from and,
  when matching failed, ``calibration_warning``;
* ``empirical.p_method`` and ``empirical.extension`` -- how many p-values were counted among
  the first random sets, after drawing on, from a tail fit or at the floor (the enrichment
  table's ``p_method`` column says it per term).

The run prints the calibration warning on screen; :func:`matching_notice` brings it to the
report, next to the set's results, and :func:`pvalue_origin` says in one line how the set's
p-values were obtained. Parameters of older runs lack these keys: both functions then return
``None`` and the pages show nothing extra.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ._derive import _finite, _param, flatten_params
from ._format import EN_DASH, TIMES, format_number, format_percent

#: How an empirical p-value was obtained (the ``p_method`` column), in the order the pages list
#: them: the words of the set's one-line summary (``{n_random}`` and ``{max_draws}`` filled in)
#: and the tooltip of a p-value obtained that way in the terms table.
P_METHODS = {
    "exceedances": "counted among up to {n_random} random sets",
    "extended": "after drawing up to {max_draws}",
    "gpd_tail": "from a tail fit",
    "floor": "at the floor 1/(draws + 1)",
}
P_METHOD_TITLES = {
    "exceedances": "random sets reaching the overlap, counted among the first random sets",
    "extended": "counted after drawing on beyond the first random sets, until the term's calls "
    "were settled (n_null says how many it rests on)",
    "gpd_tail": "from a generalized Pareto fit to the largest random overlaps: too few random "
    "sets reached the overlap to count",
    "floor": "no random set reached the overlap: p is at most 1/(draws + 1)",
}

#: What a random set had to reach, by ``empirical.statistic``.
STATISTIC_WORDS = {
    "mirna_sum": "the set's summed per-miRNA scores for the term (mirna_score)",
    "share": "the share of the set's targets that fall in the term",
    "overlap": "the set's overlap with the term",
}

#: Methods that only the extension beyond ``n_random`` can give.
EXTENSION_METHODS = ("extended", "gpd_tail")


def _empirical(params: Mapping[str, Any]) -> Mapping[str, Any]:
    value = params.get("empirical")
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class MatchingNotice:
    """A set whose random miRNA sets could not be matched to it on target counts.

    Attributes
    ----------
    target_ratio
        The set's target edges / a random set's on average (1 = matched); ``None`` if absent.
    merged_share
        Share of the set's miRNAs in target-count strata merged with a neighbour.
    widest
        ``(fewest, most)`` targets of the widest stratum the set draws from, or ``None``.
    warning
        The run's own sentence, as printed on screen and written to the ``.json``.
    statistic
        What the null compared (``empirical.statistic``): with the raw ``overlap`` an unmatched
        null makes p-values too small; ``mirna_sum`` (each miRNA scored against its own target
        count) and the ``share`` of the set's own targets stayed calibrated for such sets in the
        benchmarks, but their match is no longer exact (docs/methods/analytic.md). Parameters
        without the key are of runs before the share statistic existed, so ``overlap``.
    untilted_ratio
        With random sets tilted to the set's target counts (``enrichment.empirical.tilt``): the
        ratio before the tilt, to uniform draws within the strata; ``target_ratio`` is then the
        ratio to the tilted draws.  ``None`` without a tilt.
    """

    target_ratio: float | None
    merged_share: float | None
    widest: tuple[int, int] | None
    warning: str
    statistic: str = "overlap"
    untilted_ratio: float | None = None

    @property
    def anti_conservative(self) -> bool:
        """The empirical p-values are too small (the raw-overlap statistic)."""
        return self.statistic == "overlap"

    @property
    def consequence(self) -> str:
        """What it means for the set's empirical results, in a few words."""
        if self.anti_conservative:
            return "empirical p-values may be too small"
        return "the match is not exact, so read borderline calls with care"

    @property
    def ratio_text(self) -> str | None:
        """``1.42`` and a multiplication sign, or ``None`` when the ratio is unknown."""
        return None if self.target_ratio is None else f"{self.target_ratio:.2f}{TIMES}"

    @property
    def untilted_text(self) -> str | None:
        """The ratio before the tilt, like :attr:`ratio_text`; ``None`` without a tilt."""
        return None if self.untilted_ratio is None else f"{self.untilted_ratio:.2f}{TIMES}"

    @property
    def widest_text(self) -> str | None:
        """``120`` to ``3,072 targets`` with an en dash, or ``None`` when the stratum is unknown."""
        if self.widest is None:
            return None
        low, high = self.widest
        return f"{format_number(low)}{EN_DASH}{format_number(high)} targets"

    @property
    def merged_text(self) -> str | None:
        """``40%``, or ``None`` when unknown or no miRNA sits in a merged stratum."""
        if not self.merged_share:
            return None
        return format_percent(self.merged_share)

    @property
    def short(self) -> str:
        """One sentence for a tooltip or a list of sets."""
        if self.untilted_text and self.ratio_text:
            detail = (
                f" (targets {self.untilted_text} a random set's, {self.ratio_text} once random "
                "sets were tilted to the set"
                + (
                    f"; {self.merged_text} of its miRNAs in merged strata"
                    if self.merged_text
                    else ""
                )
                + ")"
            )
        elif self.ratio_text:
            detail = f" (targets {self.ratio_text} a random set's)"
        else:
            detail = ""
        return f"random sets could not be matched on target counts{detail}; {self.consequence}"


def matching_notice(params: Mapping[str, Any]) -> MatchingNotice | None:
    """The set's :class:`MatchingNotice` when its run warned that the null cannot match it.

    Reads ``empirical.matching`` of the set's enrichment parameters; ``None`` when the run gave
    no ``calibration_warning`` (matched, uniform null, no null, or a ``.json`` of an older run).
    """
    matching = _empirical(params).get("matching")
    if not isinstance(matching, Mapping):
        return None
    warning = matching.get("calibration_warning")
    if not isinstance(warning, str) or not warning.strip():
        return None
    widest = matching.get("widest_stratum_targets")
    span = None
    if isinstance(widest, list | tuple) and len(widest) == 2:
        low, high = (_finite(v) for v in widest)
        if low is not None and high is not None:
            span = (int(low), int(high))
    statistic = _empirical(params).get("statistic")
    return MatchingNotice(
        target_ratio=_finite(matching.get("target_ratio")),
        merged_share=_finite(matching.get("merged_share")),
        widest=span,
        warning=warning.strip(),
        statistic=statistic if isinstance(statistic, str) and statistic else "overlap",
        untilted_ratio=_finite(matching.get("untilted_ratio")),
    )


def matching_notices(
    params: Mapping[str, Mapping[str, Any]], sets: list[str] | tuple[str, ...]
) -> dict[str, MatchingNotice]:
    """Set -> :class:`MatchingNotice`, for the sets (in order) whose null could not match."""
    out = {}
    for s in sets:
        notice = matching_notice(params[s])
        if notice is not None:
            out[s] = notice
    return out


def consequences(notices: Mapping[str, MatchingNotice]) -> str:
    """What the notices mean together: their distinct :attr:`MatchingNotice.consequence`."""
    return "; or ".join(dict.fromkeys(n.consequence for n in notices.values()))


@dataclass(frozen=True)
class PValueOrigin:
    """How a set's empirical p-values were obtained.

    ``parts`` are ``(method, terms, words)`` in :data:`P_METHODS` order; ``not_extended`` is
    the run's reason why no term drew on beyond ``n_random`` (the share statistic), if any;
    ``statistic`` says in words what a random set had to reach (:data:`STATISTIC_WORDS`), with
    the reason when ``auto`` chose it.
    """

    parts: tuple[tuple[str, int, str], ...]
    not_extended: str | None = None
    statistic: str | None = None

    @property
    def floor(self) -> int:
        """Terms whose p-value is the floor (an upper bound)."""
        return sum(n for method, n, _ in self.parts if method == "floor")

    @property
    def text(self) -> str:
        """``8,512 counted among up to 10,000 random sets, 30 after drawing up to ...``."""
        line = ", ".join(f"{format_number(n)} {words}" for _, n, words in self.parts)
        return (
            f"{line}; no term drew on further: {self.not_extended}" if self.not_extended else line
        )


def _counts(enrichment: pd.DataFrame, empirical: Mapping[str, Any]) -> dict[str, int]:
    """Terms per ``p_method``: from the table's column when it has one, else the ``.json``."""
    if "p_method" in enrichment.columns:
        column = enrichment["p_method"].astype(str)
        column = column[column != ""]
        if len(column):
            return {str(k): int(v) for k, v in column.value_counts(sort=False).items()}
    counts = empirical.get("p_method")
    if not isinstance(counts, Mapping):
        return {}
    return {str(k): int(n) for k, v in counts.items() if (n := _finite(v)) is not None}


def pvalue_origin(params: Mapping[str, Any], enrichment: pd.DataFrame) -> PValueOrigin | None:
    """How the set's empirical p-values were obtained, or ``None`` when the run does not say.

    Counts terms per ``p_method`` (the enrichment table's column, or ``empirical.p_method`` of
    the parameters). Methods that did not occur are listed with 0 when the run could have used
    them, so that "0 at the floor" is said; the extension's two methods are left out when the
    run did not extend (``empirical.extension.not_extended``, whose reason is kept), and the tail
    fit when the run had it switched off (``empirical.tail_fit: false``).
    """
    empirical = _empirical(params)
    counts = _counts(enrichment, empirical)
    if not counts:
        return None
    extension = empirical.get("extension")
    extension = extension if isinstance(extension, Mapping) else {}
    reason = extension.get("not_extended")
    # Older parameters keep the null's settings elsewhere (``null.n_random``).
    flat = flatten_params(params)
    n_random = _finite(_param(flat, "n_random"))
    max_draws = _finite(extension.get("max_draws", _param(flat, "max_draws")))
    fill = {
        "n_random": EN_DASH if n_random is None else format_number(n_random),
        "max_draws": EN_DASH if max_draws is None else format_number(max_draws),
    }
    # The run's reason names the setting (n_random); the page gives its value.
    not_extended = (
        reason.replace("n_random", fill["n_random"]) if isinstance(reason, str) and reason else None
    )
    # Runs that record ``tail_fit: false`` could not fit a tail: "0 from a tail fit" is noise.
    no_fit = empirical.get("tail_fit") is False
    parts = []
    for method, words in P_METHODS.items():
        n = counts.get(method, 0)
        if not n and method in EXTENSION_METHODS and (not_extended or max_draws is None):
            continue
        if not n and method == "gpd_tail" and no_fit:
            continue
        parts.append((method, n, words.format(**fill)))
    parts += [(m, n, f"by {m}") for m, n in sorted(counts.items()) if m not in P_METHODS]
    statistic = STATISTIC_WORDS.get(str(empirical.get("statistic")))
    choice = empirical.get("statistic_choice")
    if statistic and isinstance(choice, str) and ": " in choice:
        statistic += f", chosen by the setting auto because {choice.split(': ', 1)[1]}"
    return PValueOrigin(tuple(parts), not_extended, statistic)
