"""The headline of the overview: per set, which way the cargo leans, on which pathways, through
which edges.

One row per set, grouped by MSC source: the tumour lean with its effect size and p-value, the
regenerative and immunomodulatory calls, the focus pathways the cargo pushes up or down, and the
two or three edges that drive each call. Everything comes from the signature outputs of
:mod:`exomir.signatures`; this module only picks and orders it.

The lean is read from the ``lean`` row (key ``tumour_lean``: z of pro-tumour minus z of
anti-tumour, two-sided p, FDR over the set's calls) when the signature table has one, and
otherwise derived from the older ``balance`` row (pro minus anti against random sets, its
standardised score as the effect size). :attr:`Lean.basis` records which, and the page says it.
Pro-tumour and anti-tumour are never headlined on their own: they appear only as the two sides
of the lean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import signatures as sg
from ._data import ReportData
from ._derive import _finite
from ._palette import PUSH_LEGEND, PUSH_SYMBOLS, SEMANTIC, push_of
from ._sections import Section

#: Edges named per call in the headline (the set page lists more, the drivers table all).
HEADLINE_EDGES = 3

#: Calls of the headline beside the lean, in column order.
HEADLINE_CALLS = ("regenerative", "immunomodulatory")

#: Key of the lean row, and of the balance row it replaces.
LEAN_KEY = "tumour_lean"
BALANCE_KEY = "tumour_balance"


@dataclass(frozen=True)
class Lean:
    """Which way a set's cargo leans between pro-tumour and anti-tumour.

    Attributes
    ----------
    direction
        ``pro_tumour``, ``anti_tumour`` or ``none`` (no call).
    effect
        Effect size: z(pro-tumour) - z(anti-tumour) from the lean row, or the standardised
        balance score when derived from the balance row; ``None`` when undefined.
    p, fdr
        Two-sided p-value of the lean and its FDR over the set's calls (``None`` if absent).
    pro_z, anti_z
        Standardised pro-tumour and anti-tumour scores, the two sides of the lean.
    basis
        ``"lean"`` (the lean row) or ``"balance"`` (derived from the balance row).
    key
        Key of the row the lean was read from (its drivers are listed under that key).
    """

    direction: str
    effect: float | None
    p: float | None
    fdr: float | None
    pro_z: float | None
    anti_z: float | None
    basis: str
    key: str

    @property
    def push(self) -> str:
        """``up`` (towards pro-tumour), ``down`` (towards anti-tumour) or ``none``."""
        return push_of(self.direction)

    @property
    def word(self) -> str:
        return sg.DIRECTION_WORDS.get(self.direction, self.direction)


def _z(record: Mapping[str, Any]) -> float | None:
    """The row's standardised score: its ``z`` column when present, else computed."""
    z = _finite(record.get("z"))
    if z is not None:
        return z
    value = sg.standardised(record["score"], record["null_mean"], record["null_sd"])
    return None if value is None else float(value)


def tumour_lean(table: pd.DataFrame) -> Lean | None:
    """The tumour lean of one set's call table, or ``None`` when it has neither a lean nor a
    balance row (and so no way to weigh pro- against anti-tumour)."""
    records = {r["key"]: r for r in table.to_dict("records")}
    pro = records.get("pro_tumour")
    anti = records.get("anti_tumour")
    pro_z = None if pro is None else _z(pro)
    anti_z = None if anti is None else _z(anti)
    lean = next((r for r in records.values() if r["kind"] == "lean"), records.get(LEAN_KEY))
    if lean is not None:
        effect, basis = _finite(lean["score"]), "lean"
    else:
        lean = next((r for r in records.values() if r["kind"] == "balance"), None)
        if lean is None:
            return None
        effect, basis = _z(lean), "balance"
    return Lean(
        direction=str(lean["direction"]),
        effect=effect,
        p=_finite(lean["p_value"]),
        fdr=_finite(lean.get("fdr")),
        pro_z=pro_z,
        anti_z=anti_z,
        basis=basis,
        key=str(lean["key"]),
    )


#: How the report labels the lean, whichever row it comes from.
LEAN_LABEL = "Tumour lean (pro \u2212 anti)"


def report_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """:func:`exomir.signatures.report_rows`, with the lean standing between its two sides.

    The lean (or the balance row it replaces) is labelled :data:`LEAN_LABEL` and moved right
    after the pro-tumour score, so that pro-tumour and anti-tumour are never read side by side
    without the lean between them.
    """
    rows = sg.report_rows(table)
    lean = [r for r in rows if r["kind"] in ("lean", "balance")]
    rest = [r for r in rows if r["kind"] not in ("lean", "balance")]
    for r in lean:
        r["label"] = LEAN_LABEL
        r["group"] = sg.KIND_GROUPS["score"]
        if r["kind"] == "lean" and _finite(r.get("score")) is not None:
            r["z"] = _finite(r["score"])  # the lean's score is already a difference of z's
    at = next((i + 1 for i, r in enumerate(rest) if r["key"] == "pro_tumour"), 0)
    return rest[:at] + lean + rest[at:]


def driving_edges(
    drivers: pd.DataFrame, key: str, push: str, limit: int = HEADLINE_EDGES
) -> list[tuple[str, str]]:
    """The ``(miRNA, gene)`` edges that drive one call, strongest first.

    The driver table ranks each call's edges by contribution; a called direction keeps only
    the edges that push that way (``effect`` ``up`` or ``down``), so a pro-tumour lean is
    explained by its pro-tumour edges.
    """
    if drivers.empty or "key" not in drivers.columns:
        return []
    mine = drivers[drivers["key"] == key]
    if push in ("up", "down") and "effect" in mine.columns and (mine["effect"] == push).any():
        mine = mine[mine["effect"] == push]
    ranked = mine.assign(_rank=pd.to_numeric(mine["rank"], errors="coerce")).sort_values(
        ["_rank", "mirna", "gene"], kind="stable"
    )
    return [(str(m), str(g)) for m, g in ranked[["mirna", "gene"]].head(limit).to_numpy()]


@dataclass(frozen=True)
class HeadlineCall:
    """One call of the headline (a score or a focus pathway) with its driving edges."""

    key: str
    label: str
    direction: str
    push: str
    z: float | None
    p: float | None
    fdr: float | None
    edges: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def symbol(self) -> str:
        return PUSH_SYMBOLS[self.push]

    @property
    def word(self) -> str:
        return sg.DIRECTION_WORDS.get(self.direction, self.direction)


@dataclass(frozen=True)
class HeadlineRow:
    """The headline of one set."""

    set: str
    source: str
    lean: Lean | None
    lean_edges: tuple[tuple[str, str], ...]
    calls: tuple[HeadlineCall, ...]
    pathways: tuple[HeadlineCall, ...]


def _call(record: Mapping[str, Any], drivers: pd.DataFrame) -> HeadlineCall:
    push = push_of(str(record["direction"]))
    return HeadlineCall(
        key=str(record["key"]),
        label=str(record["label"]),
        direction=str(record["direction"]),
        push=push,
        z=_z(record),
        p=_finite(record["p_value"]),
        fdr=_finite(record.get("fdr")),
        edges=tuple(driving_edges(drivers, str(record["key"]), push)) if push != "none" else (),
    )


def headline_row(set_name: str, source: str, files: sg.SignatureFiles) -> HeadlineRow:
    """The headline of one set from its signature outputs."""
    table, drivers = files.table, files.drivers
    records = {r["key"]: r for r in table.to_dict("records")}
    lean = tumour_lean(table)
    lean_edges: list[tuple[str, str]] = []
    if lean is not None and lean.push != "none":
        lean_edges = driving_edges(drivers, lean.key, lean.push)
        if not lean_edges:
            side = "pro_tumour" if lean.push == "up" else "anti_tumour"
            lean_edges = driving_edges(drivers, side, "up")
    calls = tuple(_call(records[k], drivers) for k in HEADLINE_CALLS if k in records)
    pathways = tuple(
        _call(r, drivers)
        for r in table.to_dict("records")
        if r["kind"] == "pathway" and push_of(str(r["direction"])) != "none"
    )
    return HeadlineRow(set_name, source, lean, tuple(lean_edges), calls, pathways)


def headline_rows(data: ReportData) -> list[tuple[str, list[HeadlineRow]]]:
    """The headline rows grouped by MSC source: groups in order of first appearance in the
    sheet, sets in sheet order within each group (empty without signature outputs)."""
    if not data.signatures:
        return []
    groups: dict[str, list[HeadlineRow]] = {}
    for s in data.sets:
        source = data.msc_sources.get(s, "") or "unspecified"
        groups.setdefault(source, []).append(headline_row(s, source, data.signatures[s]))
    return list(groups.items())


def _bases(groups: Sequence[tuple[str, list[HeadlineRow]]]) -> list[str]:
    return sorted({r.lean.basis for _, rows in groups for r in rows if r.lean is not None})


def overview_headline_section(data: ReportData) -> Section:
    """The first section of the overview: the answer per set, at a glance."""
    groups = headline_rows(data)
    alpha = None
    if data.signatures:
        alphas = {files.params.get("alpha", sg.ALPHA) for files in data.signatures.values()}
        alpha = alphas.pop() if len(alphas) == 1 else None
    return Section(
        "headline",
        "Headline: which way each set's cargo leans",
        "section_overview_headline.html.j2",
        {
            "groups": groups,
            "bases": _bases(groups),
            "alpha": alpha if alpha is not None else sg.ALPHA,
            "semantic": SEMANTIC,
            "legend": [(PUSH_SYMBOLS[k], k, PUSH_LEGEND[k]) for k in ("up", "down", "none")],
            "n_edges": HEADLINE_EDGES,
            "run": bool(data.signatures),
        },
    )
