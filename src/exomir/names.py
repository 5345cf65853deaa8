"""Resolve miRNA names to current miRBase mature names.

Published lists of exosomal miRNAs use every naming style miRBase ever had: current names
(``hsa-miR-21-5p``), names of older releases (``miR-21``, ``miR-21*``, ``miR-451``), precursor
names (``hsa-mir-21``), family shorthands (``let-7``) and accessions (``MIMAT0000076``).
:class:`MirnaResolver` turns each input name into current mature name(s) of one species and
records *which rule* it applied, so that every decision can be read back in the audit table
(``results/names/<set>.tsv``). Nothing is guessed: a name that could mean several miRNAs is
``ambiguous`` with its candidates listed, and a name that matches nothing is ``unknown`` with up
to three close matches as suggestions.

Rules of :meth:`MirnaResolver.resolve`, applied in this order (the first that matches wins; the
``rule`` column records it):

1. **Normalise.** Surrounding whitespace is removed; typographic dashes and stars as pasted from
   PDFs (hyphen U+2010, en dash U+2013, asterisk operator U+2217, ...) become ``-`` and ``*``.
   ``MIMAT…`` accessions (rule ``accession``) and ``MI…`` precursor accessions (rule
   ``precursor:accession``) are looked up directly. A name without a species prefix gets the
   configured one (``miR-21-5p`` -> ``hsa-miR-21-5p``). A name with another species prefix
   (``mmu-miR-21a-5p`` when the species is ``hsa``) is ``unknown`` with the note ``species mmu,
   config species hsa`` (rule ``species``): a mouse name in a human list is a mistake the user
   must see, not a miss. A name that matches nothing and has the miRNA word glued to its number
   is tried again with the hyphen miRBase uses (``miR21`` -> ``miR-21``, ``let7a`` ->
   ``let-7a``; only as a fallback, because plant names such as ``ath-miR156a`` have no hyphen).
   Whenever the name was read differently from how it was typed, the note says so.
2. **Current name**, case-sensitive first (rule ``exact``), then case-insensitive (rule
   ``exact:case-insensitive``; ``HSA-MIR-21-5P`` is fine: miRBase never has two current names
   that differ only by case).
3. **Precursor name.** miRBase spells precursors ``mir`` and mature miRNAs ``miR``. A name
   spelled with a species prefix and a lower-case ``mir`` that names a precursor
   (``hsa-mir-21``, ``hsa-mir-103a-1``; :func:`name_kind` gives the spelling rules) resolves
   to all mature products of that precursor (rule ``precursor``,
   status ``ok``: a precursor legitimately yields both arms). This reading is tried *before* the
   case-insensitive readings of rules 2 and 4, because the case the user typed is the only thing
   that separates ``hsa-mir-21`` (the precursor: both arms) from ``hsa-miR-21`` (the former name
   of the mature ``hsa-miR-21-5p``). When the precursor table has no row of the species, the
   products are derived from the name (rule ``precursor:by-name``: ``<stem>-5p``/``-3p``, also
   without the copy number, as in ``hsa-mir-103a-1`` -> ``hsa-miR-103a-1-5p`` and
   ``hsa-miR-103a-3p``). Names whose spelling carries no case information (``hsa-let-7a-1``,
   all-capitals ``HSA-MIR-103A-1``, and ``mir-21`` without a species prefix, which sloppy text
   uses for the mature miRNA) are read as precursors only after rules 4-6, so that a
   former mature name such as ``hsa-let-7b`` keeps its mature meaning and an arm-less
   ``mmu-let-7b`` follows ``arm_policy``; a name spelled ``miR`` is never read as a precursor.
   The note of an all-capitals ``MIR`` or an unprefixed ``mir`` says which spelling rule
   applied (:func:`spelling_note`).
4. **Former name** (``aliases`` table), case-sensitive first, then case-insensitive:
   ``miR-451`` -> ``hsa-miR-451a``, ``hsa-miR-21`` -> ``hsa-miR-21-5p``, ``miR-21*`` ->
   ``hsa-miR-21-3p``, ``hsa-miR-146b`` -> ``hsa-miR-146b-5p`` (rules ``alias`` and
   ``alias:case-insensitive``). A former name that several current accessions carried (in
   different releases) is ``ambiguous`` with all of them as candidates; the note says which
   release used it for which. Former names of accessions that miRBase has since removed are
   not a match; if no later rule matches either, the result is ``unknown`` and the note names the
   removed accession.
5. **Star name** without an alias: ``X*`` is the arm opposite to the single arm that ``X``
   resolves to (rule ``star``). When ``X`` resolves to an arm-less mature name, the other mature
   product of its precursor is used. When ``X`` resolves to both arms, which one is the star
   cannot be told: ``ambiguous``.
6. **Arm-less name** that never was a mature name (``mmu-miR-21a``): the arms that exist,
   chosen by ``arm_policy``: ``both`` (default; both arms, status ``ok``, rule
   ``armless:both``), ``5p`` or ``3p`` (that arm when it exists, otherwise the other one; rule
   ``armless:5p`` / ``armless:3p``, the note says when the other arm was taken). Only these
   policies exist because the miRBase tables carry no arm-abundance information that a
   "highest confidence" policy could use.
7. **Family shorthand** (``let-7``, ``miR-15``, ``miR-30``, ``miR-181``): a name that matches
   current miRNAs only once a letter and/or copy-number suffix is added (``hsa-let-7a`` …
   ``hsa-let-7i``, ``hsa-miR-15a``/``15b``, but not ``hsa-miR-300`` for ``miR-30``) is
   ``ambiguous`` with the matching mature names as candidates (rule ``family``), never guessed,
   even when the family has a single member. A family name with an arm (``miR-30-5p``) lists
   only that arm.
8. Otherwise ``unknown`` (rule ``none``) with up to three close matches among the current names
   of the species (:func:`difflib.get_close_matches`, case-insensitive) as suggestions; the note
   says when the name is a current name of another species.

Names found in *reference databases* (miRTarBase, TargetScan, Enrichr libraries written against
older miRBase releases) go through the stricter :meth:`MirnaResolver.map_database_name`: a
current name, an accession, or a former name that exactly one current accession of the species
carried; no precursor, arm or family reading, because a database row names one specific mature
miRNA and expanding it would invent interactions.

:func:`duplicate_key` is the one rule by which two rows of a sheet or count table name the same
miRNA (case-insensitive, but a precursor ``hsa-mir-21`` is not the mature ``hsa-miR-21``);
:func:`duplicates` finds repeated inputs and distinct inputs that resolve to the same mature
miRNA; :func:`check_resolutions` stops (or warns) on unknown and ambiguous names.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from .errors import ConfigError, ReferenceFormatError, UnresolvedNamesError
from .tables import NAMES, require_columns

__all__ = [
    "ARM_POLICIES",
    "DATABASE_NAME_COLUMNS",
    "DUPLICATE_COLUMNS",
    "NAME_KINDS",
    "RESOLUTION_COLUMNS",
    "MirnaResolver",
    "Resolution",
    "check_resolutions",
    "duplicate_key",
    "duplicates",
    "name_kind",
    "spelling_note",
]

logger = logging.getLogger(__name__)

#: Allowed values of ``arm_policy``.
ARM_POLICIES: tuple[str, ...] = ("both", "5p", "3p")

#: Columns of :meth:`MirnaResolver.resolve_all`, in order: the name audit
#: (:data:`exomir.tables.NAMES`) without its ``set`` and ``line``.
RESOLUTION_COLUMNS: tuple[str, ...] = NAMES.columns[1:-1]

#: Columns of :meth:`MirnaResolver.map_database_names`, in order.
DATABASE_NAME_COLUMNS: tuple[str, ...] = ("name", "mirna", "rule")

#: Columns of :func:`duplicates`, in order.
DUPLICATE_COLUMNS: tuple[str, ...] = ("kind", "value", "accession", "inputs", "rows", "count")

Status = Literal["ok", "ambiguous", "unknown"]

# Characters that PDFs and word processors put where miRBase has ASCII "-" and "*".
_TYPOGRAPHY = str.maketrans(
    {
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
        "\ufe63": "-",  # small hyphen-minus
        "\uff0d": "-",  # fullwidth hyphen-minus
        "\u2217": "*",  # asterisk operator
        "\u204e": "*",  # low asterisk
        "\uff0a": "*",  # fullwidth asterisk
    }
)
_MATURE_ACCESSION = re.compile(r"MIMAT\d+", re.IGNORECASE)
_PRECURSOR_ACCESSION = re.compile(r"MI\d+", re.IGNORECASE)
_ARM = re.compile(r"-([35]p)$", re.IGNORECASE)
_COPY = re.compile(r"-\d+$")
# First token of a miRBase name that is a miRNA word rather than a species prefix.
_MIRNA_WORDS = frozenset({"mir", "let", "lin", "lsy", "iab", "bantam", "mirna", "microrna"})
_PREFIX = re.compile(r"[a-z]{3,4}")
# A current mature name split into family base (ends in a digit), member letter(s), copy number
# and arm: hsa-miR-181a-2-3p -> hsa-miR-181 | a | -2 | -3p.
_FAMILY = re.compile(
    r"(?P<base>.+?\d)(?P<letter>[a-z]*)(?P<copy>(?:-\d+)?)(?P<arm>(?:-[35]p)?)", re.IGNORECASE
)
_OPPOSITE = {"5p": "3p", "3p": "5p"}
# A miRNA word glued to its number, as in "miR21" or "let7a" (miRBase: "miR-21", "let-7a").
_GLUED = re.compile(r"(?<![a-z])(mir|let)(\d)", re.IGNORECASE)
_NUMBER = re.compile(r"-(?:mir|let|lin|lsy|iab)-(\d+)", re.IGNORECASE)
#: Names that share the most trigrams with a query and get a full difflib comparison.
_SUGGEST_POOL = 12
#: Lowest difflib ratio of a suggestion (the default of difflib.get_close_matches).
_CUTOFF = 0.6


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one input name.

    Attributes
    ----------
    input
        The name exactly as given.
    names
        Current mature names it resolves to (sorted), empty unless ``status`` is ``ok``.
    accessions
        MIMAT accessions of ``names``, in the same order.
    rule
        The rule that decided (see the module docstring), e.g. ``alias`` or ``armless:both``.
    status
        ``ok``, ``ambiguous`` (several candidates, none chosen) or ``unknown``.
    candidates
        For ``ambiguous``: the current mature names it could mean (sorted).
    suggestions
        For ``unknown``: up to three close current names, best first.
    note
        A human-readable explanation where the rule alone does not say enough.
    """

    input: str
    names: tuple[str, ...] = ()
    accessions: tuple[str, ...] = ()
    rule: str = "none"
    status: Status = "unknown"
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    note: str = ""


def _trigrams(text: str) -> set[str]:
    """Character trigrams of ``text`` padded with spaces (so short names have some)."""
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _number(name: str) -> str | None:
    """The miRNA number of a name (``21`` of ``hsa-miR-21a-5p``, ``7`` of ``let-7``)."""
    match = _NUMBER.search(name)
    return match.group(1) if match else None


def _precursor_note(name: str, accession: str) -> str:
    if accession:
        return f"precursor {name} ({accession})"
    return f"precursor {name} (link derived from the mature names)"


def _natural_key(text: str) -> tuple[object, ...]:
    """Sort key that orders embedded numbers numerically (``history:9.2`` < ``history:17``)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _check_columns(frame: pd.DataFrame, required: Sequence[str], what: str) -> None:
    require_columns(
        frame,
        required,
        f"miRBase {what} table",
        error=ReferenceFormatError,
        hint=f"build it with exomir.mirbase (columns: {', '.join(required)})",
    )


def _clean_strings(values: Iterable[object]) -> list[str]:
    """Strings of a column with missing values as ``""`` (pandas NA is not a str)."""
    return ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in values]


#: What the spelling of a miRNA name says it names (:func:`name_kind`).
NAME_KINDS: tuple[str, ...] = ("precursor", "mature", "unmarked")


def _spelled(name: object) -> tuple[str, str | None, str]:
    """(clean name, species prefix as typed or None, miRNA word as typed) of a name."""
    clean = ("" if name is None else str(name)).strip().translate(_TYPOGRAPHY)
    parts = clean.split("-", 2)
    head = parts[0].lower()
    if len(parts) == 3 and _PREFIX.fullmatch(head) and head not in _MIRNA_WORDS:
        return clean, parts[0], parts[1]
    return clean, None, parts[0] if len(parts) > 1 else ""


def name_kind(name: object) -> str:
    """What a name's spelling says it names: ``precursor``, ``mature`` or ``unmarked``.

    miRBase spells a precursor (hairpin) ``hsa-mir-21`` and a mature miRNA ``hsa-miR-21``;
    only the case of one letter tells them apart, so the case is trusted only where it is
    unmistakable:

    * ``precursor``: a species prefix followed by a lower-case ``mir`` (``hsa-mir-21``,
      ``mmu-mir-21a``), or a precursor accession (``MI0000077``);
    * ``mature``: the word spelled ``miR`` (``hsa-miR-21``, ``miR-21-5p``), or a mature
      accession (``MIMAT0000076``);
    * ``unmarked``: everything else, where the case carries no such information: all
      capitals (``HSA-MIR-21``), ``mir`` without a species prefix (``mir-21``, as sloppy text
      often writes the mature miRNA), ``Mir``, and ``let``/``lin`` names, whose precursors and
      mature miRNAs are spelled alike. :class:`MirnaResolver` reads these as mature names
      first, and as precursors only when no mature name matches.
    """
    clean, prefix, word = _spelled(name)
    if _MATURE_ACCESSION.fullmatch(clean):
        return "mature"
    if _PRECURSOR_ACCESSION.fullmatch(clean):
        return "precursor"
    if word == "miR":
        return "mature"
    if word == "mir" and prefix is not None:
        return "precursor"
    return "unmarked"


def duplicate_key(name: object) -> str:
    """The key under which two names of one list are the same name (a duplicate row).

    Names are compared case-insensitively (``HSA-MIR-21-5P`` repeats ``hsa-miR-21-5p``),
    except that a precursor by :func:`name_kind` never equals a mature or unmarked name:
    ``hsa-mir-21`` (the precursor) and ``hsa-miR-21`` (the mature miRNA) are two rows, while
    ``HSA-MIR-21`` and ``mir-21``, which are read as mature names first, repeat ``hsa-miR-21``
    and ``miR-21``. Spellings that merely resolve to one miRNA (``miR-21`` and
    ``hsa-miR-21-5p``) are not duplicates here; :func:`duplicates` finds those after
    resolution.
    """
    clean = _spelled(name)[0]
    kind = "precursor" if name_kind(clean) == "precursor" else "mature"
    return f"{kind}:{clean.casefold()}"


def spelling_note(name: object) -> str:
    """The audit note on a spelling whose case is not trusted (empty for other names).

    Says which rule of :func:`name_kind` applied to a ``mir`` word that does not mark a
    precursor: all capitals or mixed case (``HSA-MIR-21``), or ``mir`` without a species
    prefix (``mir-21``).
    """
    clean, _, word = _spelled(name)
    if word.lower() != "mir" or name_kind(clean) != "unmarked":
        return ""
    if word == "mir":
        return (
            "spelling: 'mir' without a species prefix does not mark a precursor; read as a "
            "mature name first (give the species prefix, as in hsa-mir-21, for the precursor)"
        )
    return (
        f"spelling: {word!r} carries no case, so no precursor/mature mark; read as a mature "
        "name first, as a precursor only if no mature name matches"
    )


class MirnaResolver:
    """Map miRNA names of one species to current miRBase mature names.

    Parameters
    ----------
    mature
        Normalised miRBase ``mature`` table (``accession``, ``name``, ``species``; see
        docs/data-model.md). May hold every species: the other species are used to recognise
        their accessions and names and to say so, instead of calling them unknown.
    aliases
        ``aliases`` table (``accession``, ``alias``, ``source``): former names. Without it,
        former names such as ``hsa-miR-21`` fall through to the arm-less rule.
    precursors
        ``precursors`` table (``precursor_accession``, ``precursor_name``,
        ``mature_accession``); may be empty, then precursor names are resolved from their
        spelling.
    species
        miRBase species prefix of the input names (``hsa``, ``mmu``, ``rno``, …).
    arm_policy
        ``both``, ``5p`` or ``3p``: arm(s) an arm-less name that never was a mature name
        resolves to (rule 6 of the module docstring).

    Raises
    ------
    ConfigError
        Unknown ``arm_policy``, or a species with no mature miRNA in ``mature``.
    ReferenceFormatError
        A table lacks a required column, or ``mature`` repeats an accession.
    """

    def __init__(
        self,
        mature: pd.DataFrame,
        aliases: pd.DataFrame | None = None,
        precursors: pd.DataFrame | None = None,
        *,
        species: str = "hsa",
        arm_policy: str = "both",
    ) -> None:
        if arm_policy not in ARM_POLICIES:
            raise ConfigError(
                "unknown arm policy",
                value=arm_policy,
                hint=f"use one of {', '.join(ARM_POLICIES)} (names: arm_policy in the config)",
            )
        self.species = str(species).strip().lower()
        self.arm_policy = arm_policy
        self._cache: dict[str, Resolution] = {}
        self._db_cache: dict[str, tuple[str | None, str]] = {}
        self._build_mature(mature)
        self._build_aliases(aliases)
        self._build_precursors(precursors)
        self._build_family()

    # ------------------------------------------------------------------ indexes

    def _build_mature(self, mature: pd.DataFrame) -> None:
        _check_columns(mature, ("accession", "name", "species"), "mature")
        accessions = _clean_strings(mature["accession"])
        names = _clean_strings(mature["name"])
        species = [s.lower() for s in _clean_strings(mature["species"])]
        #: accession -> (name, species) over every species of the table.
        self._all: dict[str, tuple[str, str]] = {}
        for acc, name, sp in zip(accessions, names, species, strict=True):
            if not acc or not name:
                continue
            previous = self._all.get(acc)
            if previous is not None and previous[0] != name:
                raise ReferenceFormatError(
                    "miRBase mature table lists one accession under two names",
                    value=f"{acc}: {previous[0]}, {name}",
                    hint="rebuild the table from mature.fa with exomir.mirbase",
                )
            self._all[acc] = (name, sp or name.split("-", 1)[0].lower())
        self._known_species = frozenset(sp for _, sp in self._all.values())
        own = sorted((name, acc) for acc, (name, sp) in self._all.items() if sp == self.species)
        if not own:
            shown = ", ".join(sorted(self._known_species)[:12])
            raise ConfigError(
                f"species {self.species!r} has no mature miRNA in the miRBase table",
                value=self.species,
                hint=f"use a miRBase species prefix such as {shown}" if shown else None,
            )
        #: accession -> current name, for the configured species.
        self._name_of: dict[str, str] = {acc: name for name, acc in own}
        self._exact: dict[str, str] = {name: acc for name, acc in own}
        self._lower: dict[str, list[str]] = {}
        for name, acc in own:
            self._lower.setdefault(name.lower(), []).append(acc)
        self._lower_names = sorted(self._lower)
        #: lower-case current name -> its spelling, for suggestions.
        self._spelling = {name.lower(): name for name, _ in own}
        # Character trigrams x names (0/1), to pick suggestion candidates quickly.
        self._trigram_ids: dict[str, int] = {}
        cells: list[tuple[int, int]] = []
        for column, low in enumerate(self._lower_names):
            for gram in sorted(_trigrams(low)):
                cells.append((self._trigram_ids.setdefault(gram, len(self._trigram_ids)), column))
        self._trigram_matrix = np.zeros(
            (len(self._trigram_ids), len(self._lower_names)), dtype=np.uint8
        )
        if cells:
            index = np.asarray(cells)
            self._trigram_matrix[index[:, 0], index[:, 1]] = 1
        self._trigram_counts = self._trigram_matrix.sum(axis=0, dtype=np.int32)
        # Name without prefix -> species where it is a current name (for notes on unknowns).
        self._elsewhere: dict[str, set[str]] = {}
        for name, sp in self._all.values():
            if sp != self.species and "-" in name:
                self._elsewhere.setdefault(name.split("-", 1)[1].lower(), set()).add(sp)

    def _build_aliases(self, aliases: pd.DataFrame | None) -> None:
        #: alias -> {current accession: sources}; retired: alias -> {accession: sources}
        self._alias: dict[str, dict[str, set[str]]] = {}
        self._alias_lower: dict[str, dict[str, set[str]]] = {}
        self._retired: dict[str, dict[str, set[str]]] = {}
        self._retired_lower: dict[str, dict[str, set[str]]] = {}
        if aliases is None or len(aliases) == 0:
            return
        _check_columns(aliases, ("accession", "alias"), "aliases")
        sources = (
            _clean_strings(aliases["source"])
            if "source" in aliases.columns
            else [""] * len(aliases)
        )
        rows = zip(
            _clean_strings(aliases["accession"]),
            _clean_strings(aliases["alias"]),
            sources,
            strict=True,
        )
        for acc, alias, source in rows:
            alias = alias.strip()
            if not acc or not alias:
                continue
            if acc in self._name_of:
                if self._name_of[acc] == alias:
                    continue  # current names are not former names
                targets, targets_lower = self._alias, self._alias_lower
            elif acc in self._all:
                continue  # an accession of another species
            elif alias.split("-", 1)[0].lower() == self.species:
                targets, targets_lower = self._retired, self._retired_lower
            else:
                continue
            for table, key in ((targets, alias), (targets_lower, alias.lower())):
                table.setdefault(key, {}).setdefault(acc, set())
                if source:
                    table[key][acc].add(source)

    def _build_precursors(self, precursors: pd.DataFrame | None) -> None:
        #: lower-case precursor name -> (name, accession, mature accessions of the species)
        self._precursor: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        self._precursor_by_acc: dict[str, str] = {}
        #: mature accession -> lower-case names of its precursors
        self._precursors_of: dict[str, list[str]] = {}
        self._has_precursors = False
        if precursors is None or len(precursors) == 0:
            return
        _check_columns(
            precursors, ("precursor_accession", "precursor_name", "mature_accession"), "precursors"
        )
        grouped: dict[str, tuple[str, str, set[str]]] = {}
        rows = zip(
            _clean_strings(precursors["precursor_accession"]),
            _clean_strings(precursors["precursor_name"]),
            _clean_strings(precursors["mature_accession"]),
            strict=True,
        )
        for pacc, pname, macc in rows:
            if not pname or pname.split("-", 1)[0].lower() != self.species:
                continue
            self._has_precursors = True
            entry = grouped.setdefault(pname.lower(), (pname, pacc, set()))
            if macc in self._name_of:
                entry[2].add(macc)
        for key in sorted(grouped):
            pname, pacc, matures = grouped[key]
            ordered = tuple(sorted(matures, key=lambda a: self._name_of[a]))
            self._precursor[key] = (pname, pacc, ordered)
            if pacc:
                self._precursor_by_acc[pacc.upper()] = key
            for macc in ordered:
                self._precursors_of.setdefault(macc, []).append(key)

    def _build_family(self) -> None:
        #: lower-case family base -> current names that extend it by a letter or copy number
        self._family: dict[str, list[str]] = {}
        for name in sorted(self._exact):
            match = _FAMILY.fullmatch(name)
            if match and (match["letter"] or match["copy"]):
                self._family.setdefault(match["base"].lower(), []).append(name)

    # ------------------------------------------------------------------ helpers

    def _ok(self, text: str, accessions: Iterable[str], rule: str, note: str = "") -> Resolution:
        pairs = sorted({(self._name_of[a], a) for a in accessions})
        return Resolution(
            input=text,
            names=tuple(n for n, _ in pairs),
            accessions=tuple(a for _, a in pairs),
            rule=rule,
            status="ok",
            note=note,
        )

    def _ambiguous(
        self, text: str, accessions: Iterable[str], rule: str, note: str = ""
    ) -> Resolution:
        candidates = tuple(sorted({self._name_of[a] for a in accessions}))
        return Resolution(
            input=text, rule=rule, status="ambiguous", candidates=candidates, note=note
        )

    def _suggest(self, query: str, n: int = 3) -> tuple[str, ...]:
        """Up to ``n`` current names close to ``query``, best first.

        Closeness is :class:`difflib.SequenceMatcher`'s ratio (at least 0.6, as in
        :func:`difflib.get_close_matches`), computed only for the 12 names whose character
        trigrams overlap most with the query's (Dice coefficient): comparing every query with
        every current name costs milliseconds per query, too slow for long lists of foreign
        names. Among close names,
        those with the query's miRNA number come first (``hsa-miR-21-5q`` suggests
        ``hsa-miR-21-5p`` before ``hsa-miR-221-5p``): a typo in the arm or the letter is more
        likely than a different miRNA.
        """
        key = query.lower()
        rows = sorted({self._trigram_ids[g] for g in _trigrams(key) if g in self._trigram_ids})
        if not rows:
            return ()
        shared = self._trigram_matrix[rows].sum(axis=0, dtype=np.int32)
        # Dice coefficient of the trigram sets, so long names are not favoured.
        dice = shared / (self._trigram_counts + len(rows))
        top = min(_SUGGEST_POOL, len(shared))
        pool = np.argpartition(-dice, top - 1)[:top]
        number = _number(key)
        matcher = difflib.SequenceMatcher(None)
        matcher.set_seq2(key)  # difflib caches details about the second sequence
        scored = []
        for i in pool.tolist():
            if shared[i] == 0:
                continue
            candidate = self._lower_names[i]
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < _CUTOFF or matcher.quick_ratio() < _CUTOFF:
                continue
            ratio = matcher.ratio()
            if ratio >= _CUTOFF:
                scored.append((number is not None and _number(candidate) == number, ratio, i))
        scored.sort(key=lambda t: (not t[0], -t[1], self._lower_names[t[2]]))
        return tuple(self._spelling[self._lower_names[i]] for _, _, i in scored[:n])

    def _split_prefix(self, text: str) -> tuple[str | None, str]:
        """Return (species prefix or None, rest of the name)."""
        head, sep, rest = text.partition("-")
        if not sep or not rest:
            return None, text
        low = head.lower()
        if low in _MIRNA_WORDS:
            return None, text
        if low in self._known_species or _PREFIX.fullmatch(low):
            return low, rest
        return None, text

    @staticmethod
    def _token(name: str) -> str:
        """The miRNA word of a prefixed name as typed (``mir``, ``miR``, ``let`` …)."""
        parts = name.split("-", 2)
        return parts[1] if len(parts) > 1 else ""

    # ------------------------------------------------------------------ rules

    def _lookup_alias(self, name: str, key: str) -> tuple[dict[str, set[str]] | None, str]:
        hit = self._alias.get(name)
        if hit:
            return hit, "alias"
        hit = self._alias_lower.get(key)
        if hit:
            return hit, "alias:case-insensitive"
        return None, ""

    def _alias_resolution(self, text: str, hit: dict[str, set[str]], rule: str) -> Resolution:
        if len(hit) == 1:
            return self._ok(text, hit, rule)
        parts = []
        for acc in sorted(hit, key=lambda a: self._name_of[a]):
            where = ", ".join(sorted(hit[acc], key=_natural_key))
            parts.append(f"{self._name_of[acc]} ({acc}{'; ' + where if where else ''})")
        note = "former name of several current miRNAs: " + ", ".join(parts)
        return self._ambiguous(text, hit, rule, note)

    def _precursor_resolution(self, text: str, name: str, key: str) -> Resolution | None:
        entry = self._precursor.get(key)
        if entry is not None and entry[2]:
            return self._ok(text, entry[2], "precursor", note=_precursor_note(entry[0], entry[1]))
        if self._has_precursors or self._token(name) != "mir":
            return None
        # No precursor table for this species: derive the products from the spelling.
        prefix, rest = name.split("-", 2)[0], name.split("-", 2)[2]
        stem = f"{prefix}-miR-{rest}".lower()
        stems = [stem]
        if "-" in rest:  # a copy number, as in 103a-1 (not the number itself, as in 21)
            stems.append(_COPY.sub("", stem))
        found: list[str] = []
        for arm in ("5p", "3p"):
            for s in stems:
                accs = self._lower.get(f"{s}-{arm}")
                if accs:
                    found.extend(accs)
                    break
        if not found:
            found.extend(self._lower.get(stem, []))
        if not found:
            return None
        return self._ok(
            text,
            found,
            "precursor:by-name",
            note="no precursor table for this species; products derived from the name",
        )

    def _armless(self, text: str, name: str) -> Resolution | None:
        key = name.lower()
        arms = {arm: self._lower.get(f"{key}-{arm}", []) for arm in ("5p", "3p")}
        present = [arm for arm in ("5p", "3p") if arms[arm]]
        if not present:
            return None
        if self.arm_policy == "both":
            chosen = present
            note = "" if len(present) == 2 else f"only the -{present[0]} arm exists"
        else:
            preferred = self.arm_policy
            chosen = [preferred] if arms[preferred] else [_OPPOSITE[preferred]]
            note = "" if arms[preferred] else f"no -{preferred} arm; took -{chosen[0]}"
        accs = [a for arm in chosen for a in arms[arm]]
        return self._ok(text, accs, f"armless:{self.arm_policy}", note)

    def _family_resolution(self, text: str, name: str) -> Resolution | None:
        key = name.lower()
        arm_match = _ARM.search(key)
        arm = arm_match.group(0) if arm_match else ""
        base = key[: -len(arm)] if arm else key
        members = self._family.get(base)
        if not members:
            return None
        if arm:
            members = [m for m in members if m.lower().endswith(arm)]
            if not members:
                return None
        accs = [self._exact[m] for m in members]
        note = f"family name: {len(members)} current mature miRNA(s) extend {name}"
        return self._ambiguous(text, accs, "family", note)

    def _star(self, text: str, name: str, *, marked: bool = True) -> Resolution | None:
        base = name[:-1]
        inner = self._core(base, base, allow_star=False, marked=marked)
        if inner.status == "unknown":
            return None
        if inner.status == "ambiguous":
            return Resolution(
                input=text,
                rule="star",
                status="ambiguous",
                candidates=inner.candidates,
                note=f"{base} is ambiguous, so {name} is too",
            )
        if len(inner.accessions) > 1:
            return Resolution(
                input=text,
                rule="star",
                status="ambiguous",
                candidates=inner.names,
                note=f"{base} resolves to both arms; which arm is {name} cannot be told",
            )
        acc, resolved = inner.accessions[0], inner.names[0]
        # How the note names the unstarred miRNA: "hsa-miR-107", or "hsa-miR-451 (hsa-miR-451a)".
        what = resolved if base == resolved else f"{base} ({resolved})"
        arm_match = _ARM.search(resolved)
        if arm_match:
            opposite = resolved[: arm_match.start()] + "-" + _OPPOSITE[arm_match.group(1).lower()]
            other = self._exact.get(opposite)
            if other is None:
                return Resolution(
                    input=text,
                    rule="star",
                    status="unknown",
                    note=f"{what}: its opposite arm {opposite} is not in miRBase",
                    suggestions=self._suggest(name),
                )
            return self._ok(text, [other], "star", note=f"opposite arm of {resolved}")
        siblings = sorted(
            {
                m
                for key in self._precursors_of.get(acc, [])
                for m in self._precursor[key][2]
                if m != acc
            }
        )
        if len(siblings) == 1:
            return self._ok(
                text, siblings, "star", note=f"other product of the precursor of {resolved}"
            )
        if len(siblings) > 1:
            return self._ambiguous(
                text, siblings, "star", note=f"precursors of {resolved} have several other products"
            )
        where = "in the precursor table" if self._has_precursors else "(no precursor table)"
        return Resolution(
            input=text,
            rule="star",
            status="unknown",
            note=f"{what}: no other arm known {where}",
            suggestions=self._suggest(name),
        )

    def _core(
        self, text: str, name: str, *, allow_star: bool = True, marked: bool = True
    ) -> Resolution:
        """Rules 2-8 for a name that carries the configured species prefix.

        ``marked`` is false when the user typed no species prefix: a lower-case ``mir`` then
        does not mark a precursor (:func:`name_kind`), and is read like an all-capitals one.
        """
        key = name.lower()
        acc = self._exact.get(name)
        if acc is not None:
            return self._ok(text, [acc], "exact")
        token = self._token(name)
        precursor_first = token == "mir" and marked
        if precursor_first:
            hit = self._precursor_resolution(text, name, key)
            if hit is not None:
                return hit
        accs = self._lower.get(key)
        if accs:
            if len(accs) == 1:
                return self._ok(text, accs, "exact:case-insensitive")
            return self._ambiguous(text, accs, "exact:case-insensitive")
        alias_hit, alias_rule = self._lookup_alias(name, key)
        if alias_hit:
            return self._alias_resolution(text, alias_hit, alias_rule)
        if name.endswith("*"):
            if allow_star:
                hit = self._star(text, name, marked=marked)
                if hit is not None:
                    return hit
        elif not _ARM.search(name):
            hit = self._armless(text, name)
            if hit is not None:
                return hit
        if token != "miR" and not precursor_first:
            # No case to tell precursor from mature (let-7a-1, HSA-MIR-103A-1, mir-21 without
            # a species prefix): the mature readings above come first, the precursor reading
            # only after them.
            hit = self._precursor_resolution(text, name, key)
            if hit is not None:
                return hit
        hit = self._family_resolution(text, name.rstrip("*"))
        if hit is not None:
            return hit
        note = ""
        retired = self._retired.get(name) or self._retired_lower.get(key)
        if retired:
            note = "former name of " + ", ".join(sorted(retired)) + ", no longer in miRBase"
        else:
            rest = name.split("-", 1)[1].lower() if "-" in name else key
            elsewhere = self._elsewhere.get(rest)
            if elsewhere:
                note = "a current name in " + ", ".join(sorted(elsewhere))
        return Resolution(
            input=text, rule="none", status="unknown", suggestions=self._suggest(name), note=note
        )

    def _resolve(self, text: str) -> Resolution:
        stripped = text.strip()
        clean = stripped.translate(_TYPOGRAPHY)
        result = self._resolve_clean(text, clean)
        if result.status == "unknown" and result.rule == "none":
            hyphenated = _GLUED.sub(r"\1-\2", clean)
            if hyphenated != clean:
                retry = self._resolve_clean(text, hyphenated)
                if retry.status != "unknown":
                    clean, result = hyphenated, retry
        if clean != stripped:
            note = f"read as {clean}" + (f"; {result.note}" if result.note else "")
            result = replace(result, note=note)
        spelling = spelling_note(clean)
        if spelling:
            result = replace(result, note=spelling + (f"; {result.note}" if result.note else ""))
        return result

    def _resolve_clean(self, text: str, clean: str) -> Resolution:
        if not clean:
            return Resolution(input=text, rule="empty", status="unknown", note="empty name")
        if _MATURE_ACCESSION.fullmatch(clean):
            acc = clean.upper()
            if acc in self._name_of:
                return self._ok(text, [acc], "accession")
            if acc in self._all:
                name, sp = self._all[acc]
                return Resolution(
                    input=text,
                    rule="species",
                    status="unknown",
                    note=f"accession of {name}: species {sp}, config species {self.species}",
                )
            return Resolution(
                input=text,
                rule="accession",
                status="unknown",
                note=f"{acc} is not a mature accession of this miRBase release",
            )
        if _PRECURSOR_ACCESSION.fullmatch(clean):
            key = self._precursor_by_acc.get(clean.upper())
            if key is not None and self._precursor[key][2]:
                pname, pacc, matures = self._precursor[key]
                return self._ok(
                    text, matures, "precursor:accession", note=_precursor_note(pname, pacc)
                )
            return Resolution(
                input=text,
                rule="precursor:accession",
                status="unknown",
                note=f"{clean.upper()} is not a precursor of species {self.species} "
                "in the precursor table",
            )
        prefix, rest = self._split_prefix(clean)
        if prefix is None:
            name = f"{self.species}-{clean}"
        elif prefix != self.species:
            return Resolution(
                input=text,
                rule="species",
                status="unknown",
                suggestions=self._suggest(f"{self.species}-{rest}"),
                note=f"species {prefix}, config species {self.species}"
                + (
                    f" ({prefix} is not a species of the miRBase table)"
                    if len(self._known_species) > 1 and prefix not in self._known_species
                    else ""
                ),
            )
        else:
            name = f"{self.species}-{rest}"
        return self._core(text, name, marked=prefix is not None)

    # ------------------------------------------------------------------ public API

    def resolve(self, name: str) -> Resolution:
        """Resolve one input name by the rules of the module docstring.

        Parameters
        ----------
        name
            A miRNA name, accession or precursor name as a user wrote it.

        Returns
        -------
        Resolution
            ``input`` is ``name`` unchanged; results are cached per distinct input.
        """
        text = "" if name is None else str(name)
        hit = self._cache.get(text)
        if hit is None:
            hit = self._resolve(text)
            self._cache[text] = hit
        return hit

    def resolve_all(self, names: Iterable[object]) -> pd.DataFrame:
        """Resolve every name; one row per input, input order kept.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`RESOLUTION_COLUMNS`: ``input``, ``resolved`` and ``accession``
            (``;``-joined, same order, empty unless ``ok``), ``rule``, ``status``,
            ``candidates`` (``;``-joined, sorted), ``suggestions`` (``;``-joined, best first),
            ``note``. Every cell is a string; missing inputs become ``""`` (``unknown``).
        """
        rows = [self.resolve(t) for t in _clean_strings(names)]
        data = {
            "input": [r.input for r in rows],
            "resolved": [";".join(r.names) for r in rows],
            "accession": [";".join(r.accessions) for r in rows],
            "rule": [r.rule for r in rows],
            "status": [r.status for r in rows],
            "candidates": [";".join(r.candidates) for r in rows],
            "suggestions": [";".join(r.suggestions) for r in rows],
            "note": [r.note for r in rows],
        }
        return pd.DataFrame(data, columns=list(RESOLUTION_COLUMNS), dtype="string")

    def _map_database(self, text: str) -> tuple[str | None, str]:
        clean = text.strip()
        if not clean:
            return None, "empty"
        if _MATURE_ACCESSION.fullmatch(clean):
            acc = clean.upper()
            if acc in self._name_of:
                return self._name_of[acc], "accession"
            return None, "other-species" if acc in self._all else "unknown"
        prefix, _ = self._split_prefix(clean)
        if prefix is None:
            return None, "no-species"
        if prefix != self.species:
            return None, "other-species"
        acc = self._exact.get(clean)
        if acc is not None:
            return clean, "exact"
        hit = self._alias.get(clean)
        rule = "alias"
        if not hit and self._token(clean) != "mir":
            # A lower-case "mir" names a precursor: never read it as a mature name here.
            key = clean.lower()
            accs = self._lower.get(key)
            if accs and len(accs) == 1:
                return self._name_of[accs[0]], "exact:case-insensitive"
            hit = self._alias_lower.get(key)
            rule = "alias:case-insensitive"
        if hit:
            if len(hit) == 1:
                return self._name_of[next(iter(hit))], rule
            return None, "ambiguous-alias"
        if self._retired.get(clean) or self._retired_lower.get(clean.lower()):
            return None, "retired"
        return None, "unknown"

    def map_database_name(self, name: str) -> str | None:
        """Strictly map a miRNA name from a reference database to a current mature name.

        A current name (also case-insensitively, unless spelled with the precursor ``mir``),
        a MIMAT accession of the species, or a former name that exactly one current accession of
        the species carried. Names without a species prefix, of another species, precursor
        names, arm-less or family names are not mapped: a database row names one mature miRNA,
        and expanding or guessing would invent interactions.

        Returns
        -------
        str or None
            The current mature name, or ``None``.
        """
        return self._map_database_one("" if name is None else str(name))[0]

    def _map_database_one(self, text: str) -> tuple[str | None, str]:
        hit = self._db_cache.get(text)
        if hit is None:
            hit = self._map_database(text)
            self._db_cache[text] = hit
        return hit

    def map_database_names(self, names: Iterable[object]) -> pd.DataFrame:
        """Vectorised :meth:`map_database_name`, evaluated once per distinct name.

        Returns
        -------
        pandas.DataFrame
            One row per input, input order kept, columns :data:`DATABASE_NAME_COLUMNS`:
            ``name`` (as given; missing values become ``""``), ``mirna`` (current name, ``<NA>``
            when unmapped) and ``rule``: ``exact``, ``exact:case-insensitive``, ``accession``,
            ``alias``, ``alias:case-insensitive`` when mapped; ``no-species``,
            ``other-species``, ``ambiguous-alias``, ``retired``, ``unknown`` or ``empty`` when
            not.
        """
        series = pd.Series(_clean_strings(names), dtype="string")
        codes, uniques = pd.factorize(series, sort=False)
        mapped = [self._map_database_one(str(u)) for u in uniques]
        mirna = pd.array([m for m, _ in mapped], dtype="string")
        rules = pd.array([r for _, r in mapped], dtype="string")
        return pd.DataFrame(
            {
                "name": series.to_numpy(),
                "mirna": mirna.take(codes),
                "rule": rules.take(codes),
            },
            columns=list(DATABASE_NAME_COLUMNS),
        )


def duplicates(frame: pd.DataFrame) -> pd.DataFrame:
    """Find repeated inputs and distinct inputs that resolve to the same mature miRNA.

    A set that lists ``miR-21`` twice, or both ``miR-21`` and ``hsa-miR-21-5p``, counts one
    miRNA twice: its weight in target or enrichment statistics would double without anyone
    noticing. The caller reports these rows (or stops).

    Parameters
    ----------
    frame
        Output of :meth:`MirnaResolver.resolve_all` (needs ``input``, ``resolved``,
        ``accession``, ``status``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DUPLICATE_COLUMNS`, one row per duplicated thing: ``kind`` is ``input``
        (the same input, after stripping whitespace, on several rows; ``value`` is that input)
        or ``mature`` (several *different* inputs resolve to one mature miRNA; ``value`` is its
        name, ``accession`` its accession); ``inputs`` the distinct inputs (``;``-joined, in
        input order), ``rows`` the 1-based row numbers in ``frame`` (``;``-joined), ``count``
        the number of rows. Ordered by kind (``input`` first), then first row.
    """
    _check_frame(frame, ("input", "resolved", "accession", "status"))
    inputs = [s.strip() for s in _clean_strings(frame["input"])]
    records: list[tuple[int, int, str, str, str, str, str, int]] = []
    by_input: dict[str, list[int]] = {}
    for i, text in enumerate(inputs):
        if text:
            by_input.setdefault(text, []).append(i)
    for text, positions in by_input.items():
        if len(positions) > 1:
            rows = ";".join(str(p + 1) for p in positions)
            records.append((0, positions[0], "input", text, "", text, rows, len(positions)))
    by_mature: dict[str, tuple[str, list[int]]] = {}
    statuses = _clean_strings(frame["status"])
    resolved = _clean_strings(frame["resolved"])
    accessions = _clean_strings(frame["accession"])
    for i, (status, names, accs) in enumerate(zip(statuses, resolved, accessions, strict=True)):
        if status != "ok" or not accs:
            continue
        for name, acc in zip(names.split(";"), accs.split(";"), strict=True):
            by_mature.setdefault(acc, (name, []))[1].append(i)
    for acc, (name, positions) in by_mature.items():
        distinct = list(dict.fromkeys(inputs[p] for p in positions))
        if len(distinct) > 1:
            rows = ";".join(str(p + 1) for p in positions)
            records.append(
                (1, positions[0], "mature", name, acc, ";".join(distinct), rows, len(positions))
            )
    records.sort(key=lambda r: (r[0], r[1], r[3]))
    return pd.DataFrame([r[2:] for r in records], columns=list(DUPLICATE_COLUMNS)).astype(
        {c: "string" for c in DUPLICATE_COLUMNS if c != "count"} | {"count": "int64"}
    )


def _check_frame(frame: pd.DataFrame, required: Sequence[str]) -> None:
    require_columns(
        frame, required, "name table", hint="pass the output of MirnaResolver.resolve_all"
    )


def check_resolutions(
    frame: pd.DataFrame,
    *,
    on_unresolved: str = "stop",
    audit_path: str | None = None,
) -> None:
    """Stop on (or warn about) every input name that is not ``ok``.

    Parameters
    ----------
    frame
        Output of :meth:`MirnaResolver.resolve_all`, optionally with a ``set`` column and a
        ``line`` column (line of the name in the set sheet); both are quoted in the message.
    on_unresolved
        ``stop`` raises, ``warn`` logs one warning and returns (the caller drops the rows).
    audit_path
        Where the audit table was written; the message points the user there.

    Raises
    ------
    UnresolvedNamesError
        With ``stop``: one line per unknown or ambiguous input, with its suggestions or
        candidates, and the audit path.
    ConfigError
        ``on_unresolved`` is neither ``stop`` nor ``warn``.
    """
    if on_unresolved not in ("stop", "warn"):
        raise ConfigError(
            "unknown value of names: on_unresolved",
            value=on_unresolved,
            hint="use 'stop' or 'warn'",
        )
    _check_frame(frame, ("input", "status", "candidates", "suggestions"))
    bad = frame.loc[frame["status"].astype("string") != "ok"]
    if bad.empty:
        return
    has_set = "set" in frame.columns
    has_line = "line" in frame.columns
    notes = _clean_strings(bad["note"]) if "note" in bad.columns else [""] * len(bad)
    lines = []
    for (_, row), note in zip(bad.iterrows(), notes, strict=True):
        where = f"[{row['set']}] " if has_set else ""
        if has_line and _clean_strings([row["line"]])[0]:
            where += f"line {row['line']}: "
        line = f"  - {where}{str(row['input'])!r}: {row['status']}"
        if note:
            line += f" ({note})"
        candidates = _clean_strings([row["candidates"]])[0]
        suggestions = _clean_strings([row["suggestions"]])[0]
        if candidates:
            line += "; candidates: " + ", ".join(candidates.split(";"))
        elif suggestions:
            line += "; did you mean: " + ", ".join(suggestions.split(";")) + "?"
        lines.append(line)
    n_unknown = int((bad["status"] == "unknown").sum())
    n_ambiguous = len(bad) - n_unknown
    head = (
        f"{len(bad)} miRNA name(s) not resolved to current miRBase names "
        f"({n_unknown} unknown, {n_ambiguous} ambiguous)"
    )
    audit = f"; audit table: {audit_path}" if audit_path is not None else ""
    body = "\n".join(lines)
    if on_unresolved == "warn":
        logger.warning("%s%s; dropping them:\n%s", head, audit, body)
        return
    raise UnresolvedNamesError(
        f"{head}{audit}:\n{body}\nCorrect these names in the miRNA set sheet (use one of the "
        "candidates or suggestions, a current miRBase name, or a MIMAT accession), or set "
        "names: on_unresolved: warn in the config to drop them and continue."
    )


def note_duplicates(frame: pd.DataFrame, *, what: str = "the set") -> pd.DataFrame:
    """Return a copy of an audit table whose ``note`` says which inputs name the same miRNA.

    Two inputs of one set that resolve to one mature miRNA (``miR-21`` and ``hsa-miR-21-5p``)
    are kept: the target table lists that miRNA's edges once, with both input names and the
    weights added. Each such merge is logged as a warning naming ``what`` (e.g. ``set 'bm'``)
    and the spellings, and the note makes it visible in the audit and the report.
    """
    out = frame.copy()
    notes = [str(n) if isinstance(n, str) else "" for n in out.get("note", [""] * len(out))]
    for row in duplicates(frame).itertuples(index=False):
        if row.kind != "mature":
            continue
        spellings = row.inputs.replace(";", ", ")
        logger.warning(
            "%s: %s name one miRNA, %s; it is counted once, with their weights added "
            "(list it once in the sheet to silence this warning)",
            what,
            spellings,
            row.value,
        )
        text = f"{row.value} is also named by {spellings}; counted once"
        for position in str(row.rows).split(";"):
            i = int(position) - 1
            notes[i] = f"{notes[i]}; {text}" if notes[i] else text
    out["note"] = notes
    return out
