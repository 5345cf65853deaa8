"""Signatures: what a miRNA set pushes the recipient cell towards, and the edges behind each call.

MSC exosomes are a double-edged sword: miR-21 or miR-410 repress PTEN and so switch on
PI3K/Akt, which protects injured tissue and also feeds tumours; miR-146b represses EGFR and
miR-100 mTOR, which restrains tumours.  This module turns "which genes are targeted" into signed
statements about processes and cancer- or repair-related gene classes, each with an empirical
p-value and the miRNA -> gene edges that drive it.  The statements are hypotheses derived from
target annotations, not measurements.

Model
-----
A miRNA represses its targets.  Repressing an inhibitor of a process pushes the process up;
repressing an activator pushes it down.

*Repression of a gene.*  For a set with miRNAs ``m`` and target edges ``m -> g``::

    r_g = sum over the set's edges m -> g of  w_m * c_e

``c_e`` is the edge ``confidence`` of the target policy (:mod:`exomir.targets`: evidence tier,
number of sources).  ``w_m`` is the miRNA's weight (``weight`` of the set sheet, e.g. reads per
million; 1 when empty) divided by the mean weight of the set's analysed miRNAs, so that the
weights average 1: an unweighted set has ``w = 1`` everywhere, and sets whose abundances are in
different units (reads, RPM, fold change) give scores on the same scale.

*Calls.*  Each call has curated genes with an effect ``e_g`` in {-1, +1}: the sign of the change
of the call's score when ``g`` is repressed.  Its score is ``S = sum_g e_g * r_g``.

=========  =========================  ==================================================
kind       key                        genes and effects (``+1`` / ``-1``)
=========  =========================  ==================================================
pathway    the five focus pathways    ``pathway_regulators.tsv``: inhibitor +1,
           (``focus_pathways.yaml``)  activator -1
process    the other processes of     the same
           ``pathway_regulators.tsv``
score      ``pro_tumour``             ``gene_roles.tsv``: tumour_suppressor +1
score      ``anti_tumour``            oncogene +1
score      ``regenerative``           pro_apoptotic, anti_angiogenic, pro_fibrotic +1;
                                      anti_apoptotic, pro_angiogenic, anti_fibrotic -1
score      ``immunomodulatory``       pro_inflammatory +1; anti_inflammatory -1
balance    ``tumour_balance``         tumour_suppressor +1; oncogene -1 (pro - anti)
=========  =========================  ==================================================

Choices, and why:

* The tumour scores use the Cancer Gene Census driver roles only (tumour suppressor,
  oncogene).  Losing pro-apoptotic or anti-angiogenic genes also helps a tumour, but those genes
  already make up the regenerative score; counting them twice would build the overlap of the
  two scores into the model instead of letting the report show it.  The dual role is stated
  next to every result instead: the same cytoprotection and angiogenesis that repair tissue can
  feed a tumour.
* ``regenerative`` and ``immunomodulatory`` are net scores: repressing VEGFA or BCL2 works
  against repair as surely as repressing BAX or THBS1 works for it, so both halves count.
  ``pro_tumour`` and ``anti_tumour`` are shown separately because their coexistence is the
  double-edged sword; ``tumour_balance`` is their difference.
* A gene counts once per call.  When a gene has roles of both signs within one call (e.g. a
  pro-apoptotic, pro-angiogenic gene for ``regenerative``) the signs add up and cancel.  The same
  gene listed as both activator and inhibitor of one process, or as both ``pro_X`` and
  ``anti_X``, is a curation error and is refused.

Null and p-values
-----------------
The null is the one of the enrichment (:mod:`exomir.enrichment`): ``N`` random miRNA sets of the
set's size ``k``, drawn from the same miRNA universe (every miRNA with a target edge in
``all_edges``, or the configured universe file), with the same seed, the same random-set
stream (:class:`exomir._null.RandomSets`) and the same target-count strata
(:func:`exomir._null.stratify`), so that the draws are identical to those of the enrichment of
the same set.  Each random set gets the
query's normalised weight vector in a random order (an independent stream,
``SeedSequence(seed, spawn_key=(1,))``), so that abundance-weighted sets are compared with
random sets weighted alike.  Random miRNAs repress PTEN and other long-3'UTR genes too; the null
carries that bias, so a call says "more than random cargo of this size would".

The computation is vectorised: the universe's sparse miRNA x gene confidence matrix times the
gene x call effect matrix gives each miRNA's contribution to each call (``A``), and the random
sets are one sparse random-set x miRNA weight matrix ``W``: the null scores are ``W @ A``.  No
Python loop runs over random sets; ``N = 10,000`` takes about a second.

By default the draws are stratified on target counts (``enrichment.empirical.stratified``): a
set of heavily studied miRNAs with many validated targets is compared with random miRNAs that
are studied as heavily, which matters here at least as much as for the enrichment, because
the curated cancer genes are exactly the genes such studies validate.

* ``p_up = (1 + #{random S >= S}) / (1 + N)`` and ``p_down = (1 + #{random S <= S}) / (1 + N)``,
  never zero; scores within ``1e-9`` (relative) count as ties.  All ``N`` sets are used
  (sequential stopping does not apply: the null of every call costs the same).
* ``pathway``, ``process``: two-sided ``p_value = min(1, 2 min(p_up, p_down))``; ``direction`` is
  ``up`` when ``p_value <= alpha``, ``p_up < p_down`` and ``S > 0``, ``down`` when
  ``p_value <= alpha``, ``p_down < p_up`` and ``S < 0``, else ``none``.  Both conditions are
  needed: the set must push the process that way in absolute terms (the model's prediction) and
  more than random miRNA sets do (the specificity).
* ``score``: one-sided ``p_value = p_up``; ``direction`` is ``high`` when ``p_value <= alpha``
  and ``S > 0``, else ``none``.
* ``balance``: two-sided like a pathway; ``direction`` is ``pro_tumour`` or ``anti_tumour``.
* ``fdr``: Benjamini-Hochberg over the calls of the set.  Calls use the unadjusted p-value: the
  questions are few and fixed in advance, and each is read on its own; the FDR is there for a
  reader who treats them as one family.

Drivers
-------
Every edge of the set that touches a call contributes ``w_m * c_e * e_g``.  ``drivers`` in the
call table lists the top :data:`TOP_DRIVERS` edges that push the call the way its score points,
by absolute contribution (ties: the gene's total contribution, then miRNA and gene names); the
drivers table holds every contributing edge with the gene's curated role and reference and the
edge's evidence (sources, miRTarBase tier and PMID count, TargetScan, miRDB).

Literature
----------
:func:`literature_comparison` sets the rows of ``msc_exosome_literature.tsv`` beside the data:
the rows of the set's MSC source and those about MSC exosomes whose tissue the review does not
name (``unspecified``), for the set's miRNAs.  Names are compared by their stem (lower case,
without species prefix and arm: ``miR-21`` ~ ``hsa-miR-21-5p``), with arms compared when both
names have one, and also against the set's input spellings (``miR-301`` -> ``hsa-miR-301a-3p``).
Family-level names (``miR-15``) match nothing.  The review's effect is mapped to the call it
predicts (pro_tumour -> tumour balance pro_tumour, anti_apoptotic -> apoptosis down,
anti_inflammatory -> immunomodulatory high, ...), and the row says whether the set's call agrees.
When the review names a target that is a curated regulator of a process it names (PTEN of
PI3K-Akt), the claim also implies a direction for that process, compared in the same way.
Rows with neither a target, a process nor an effect (cargo lists, "lower in EVs than in MSCs")
are left out: there is nothing to compare.

Outputs (docs/data-model.md): ``results/signatures/{set}.tsv`` (:data:`TABLE_COLUMNS`),
``{set}.drivers.tsv`` (:data:`DRIVER_COLUMNS`), ``{set}.literature.tsv``
(:data:`LITERATURE_COLUMNS`), ``{set}.json`` (parameters) and ``summary.tsv`` (all sets side by
side, :func:`summarise`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import __version__
from ._engine import NullSettings, Universe, build_universe
from ._io import read_delimited, read_text, write_json, write_tsv
from ._null import RandomSets, stratify
from ._stats import bh_fdr
from .errors import InputError
from .focus import load_focus_pathways
from .tables import read_table as read_result_table

log = logging.getLogger("exomir.signatures")

#: Significance level of the calls.
ALPHA = 0.05
#: Edges listed in the ``drivers`` column of the call table.
TOP_DRIVERS = 5
#: Relative tolerance within which a random score ties the observed one.
TIE_TOLERANCE = 1e-9

#: Kinds of call, in table order.
KINDS = ("score", "balance", "pathway", "process")

#: Effect on a process of repressing one of its regulators.
REGULATOR_EFFECTS = {"activator": -1, "inhibitor": 1}

#: Roles of ``gene_roles.tsv``.
GENE_ROLES = (
    "tumour_suppressor",
    "oncogene",
    "pro_apoptotic",
    "anti_apoptotic",
    "pro_angiogenic",
    "anti_angiogenic",
    "pro_fibrotic",
    "anti_fibrotic",
    "pro_inflammatory",
    "anti_inflammatory",
)

#: The four scores: key -> (label, {gene role: effect of repressing a gene with that role}).
SCORES: dict[str, tuple[str, dict[str, int]]] = {
    "pro_tumour": ("Pro-tumour", {"tumour_suppressor": 1}),
    "anti_tumour": ("Anti-tumour", {"oncogene": 1}),
    "regenerative": (
        "Regenerative",
        {
            "pro_apoptotic": 1,
            "anti_angiogenic": 1,
            "pro_fibrotic": 1,
            "anti_apoptotic": -1,
            "pro_angiogenic": -1,
            "anti_fibrotic": -1,
        },
    ),
    "immunomodulatory": (
        "Immunomodulatory",
        {"pro_inflammatory": 1, "anti_inflammatory": -1},
    ),
}

#: The net tumour balance: key, label, role effects.
BALANCE: tuple[str, str, dict[str, int]] = (
    "tumour_balance",
    "Tumour balance (pro \u2212 anti)",
    {"tumour_suppressor": 1, "oncogene": -1},
)

#: Directions of each kind of call (the last one is "no call").
DIRECTIONS = {
    "score": ("high", "none"),
    "balance": ("pro_tumour", "anti_tumour", "none"),
    "pathway": ("up", "down", "none"),
    "process": ("up", "down", "none"),
}

#: Effects of ``msc_exosome_literature.tsv``.
EFFECTS = (
    "pro_tumour",
    "anti_tumour",
    "regenerative",
    "pro_angiogenic",
    "anti_angiogenic",
    "anti_inflammatory",
    "anti_apoptotic",
    "anti_fibrotic",
    "immunomodulatory",
    "other",
)

#: The call a review's effect predicts: effect -> (call key, expected direction).
EFFECT_CALLS: dict[str, tuple[str, str]] = {
    "pro_tumour": ("tumour_balance", "pro_tumour"),
    "anti_tumour": ("tumour_balance", "anti_tumour"),
    "regenerative": ("regenerative", "high"),
    "anti_apoptotic": ("apoptosis", "down"),
    "pro_angiogenic": ("angiogenesis", "up"),
    "anti_angiogenic": ("angiogenesis", "down"),
    "anti_fibrotic": ("fibrosis_tgfb", "down"),
    "anti_inflammatory": ("immunomodulatory", "high"),
    "immunomodulatory": ("immunomodulatory", "high"),
}

#: Sign of an expected direction on the call's score.
_DIRECTION_SIGN = {"up": 1, "high": 1, "pro_tumour": 1, "down": -1, "anti_tumour": -1}
_OPPOSITE = {"up": "down", "down": "up", "pro_tumour": "anti_tumour", "anti_tumour": "pro_tumour"}

#: Literature sources that describe MSC exosomes of any tissue.
UNNAMED_SOURCES = ("unspecified", "mixed")

#: Columns of ``results/signatures/{set}.tsv``, in order.
TABLE_COLUMNS = (
    "set",
    "kind",
    "key",
    "label",
    "score",
    "direction",
    "p_up",
    "p_down",
    "p_value",
    "fdr",
    "null_mean",
    "null_sd",
    "n_genes",
    "n_edges",
    "n_mirnas",
    "drivers",
)

#: Evidence columns of a target table copied into the drivers table.
EVIDENCE_COLUMNS = (
    "n_sources",
    "sources",
    "mirtarbase_tier",
    "mirtarbase_pmids",
    "mirtarbase_experiments",
    "targetscan_context_score",
    "targetscan_conserved",
    "mirdb_score",
    "libraries",
)

#: Columns of ``results/signatures/{set}.drivers.tsv``, in order.
DRIVER_COLUMNS = (
    "set",
    "kind",
    "key",
    "rank",
    "mirna",
    "input_name",
    "gene",
    "gene_role",
    "effect",
    "weight",
    "confidence",
    "contribution",
    *EVIDENCE_COLUMNS,
    "role_reference",
)

#: Columns of ``results/signatures/{set}.literature.tsv``, in order.
LITERATURE_COLUMNS = (
    "set",
    "mirna",
    "set_mirnas",
    "msc_source",
    "source_match",
    "target_gene",
    "pathway",
    "effect",
    "context",
    "review",
    "review_ref",
    "pmid",
    "quote",
    "edge",
    "edge_confidence",
    "edge_sources",
    "call_key",
    "expected",
    "set_call",
    "set_p",
    "mirna_contribution",
    "mirna_push",
    "pathway_calls",
    "pathway_expected",
    "pathway_agreement",
    "agreement",
    "data_says",
)

#: Agreement of the set's process calls with the directions a claim implies.
PATHWAY_AGREEMENTS = ("agrees", "disagrees", "mixed", "not significant")

#: Agreement of a literature row with the data (see :func:`literature_comparison`).
AGREEMENTS = (
    "agrees",
    "disagrees",
    "not significant",
    "no evidence",
    "edge found",
    "no edge",
    "not assessed",
)

REGULATOR_COLUMNS = ("process", "process_label", "gene", "role")
ROLE_COLUMNS = ("gene", "role", "reference")
LITERATURE_INPUT_COLUMNS = (
    "mirna",
    "msc_source",
    "target_gene",
    "pathway",
    "context",
    "effect",
    "review",
    "review_ref",
    "pmid",
    "quote",
)

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


# --------------------------------------------------------------------------------------------
# The model: calls, their genes and effects


@dataclass(frozen=True)
class Call:
    """One question the signatures answer.

    Attributes
    ----------
    kind, key, label
        See :data:`KINDS`; ``key`` is a process key or a score key; ``label`` the display name.
    genes
        Curated genes of the call, sorted.
    effects
        Effect of repressing each gene on the call's score (+1 or -1), aligned with ``genes``.
    roles
        The curated role(s) behind each gene's effect (e.g. ``inhibitor``,
        ``pro_apoptotic;anti_angiogenic``), aligned with ``genes``.
    references
        The curated reference(s) of those roles, aligned with ``genes``.
    """

    kind: str
    key: str
    label: str
    genes: tuple[str, ...]
    effects: tuple[int, ...]
    roles: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True)
class SignatureModel:
    """The calls of the signatures, built from the curated tables (:func:`build_model`)."""

    calls: tuple[Call, ...]

    @property
    def genes(self) -> list[str]:
        """Every gene of any call, sorted."""
        return sorted({g for call in self.calls for g in call.genes})

    def effect_matrix(self, genes: Sequence[str]) -> np.ndarray:
        """Gene x call matrix of effects (0 where a gene is not part of a call)."""
        index = {g: i for i, g in enumerate(genes)}
        out = np.zeros((len(genes), len(self.calls)))
        for j, call in enumerate(self.calls):
            for gene, effect in zip(call.genes, call.effects, strict=True):
                if gene in index:
                    out[index[gene], j] = effect
        return out

    def find(self, key: str) -> Call | None:
        """The call with ``key``, or None."""
        for call in self.calls:
            if call.key == key:
                return call
        return None


def _line(row: int) -> int:
    """Line of a 0-based data row in a table with one header line."""
    return row + 2


def _strip(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        if column in frame.columns:
            frame[column] = [str(v).strip() for v in frame[column].tolist()]
    return frame


def read_regulators(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check ``pathway_regulators.tsv``.

    Returns
    -------
    DataFrame
        ``process, process_label, gene, role`` (and the file's other columns), stripped.

    Raises
    ------
    InputError
        For a missing column, an empty or malformed process key, an empty gene, a role that is
        neither ``activator`` nor ``inhibitor``, a process with two labels, or a gene that is
        both activator and inhibitor of one process; the message names the file and line.
    """
    frame = read_delimited(path, required=REGULATOR_COLUMNS, what="pathway-regulator table")
    frame = _strip(frame, frame.columns)
    labels: dict[str, tuple[str, int]] = {}
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for i, row in enumerate(frame[list(REGULATOR_COLUMNS)].itertuples(index=False)):
        process, label, gene, role = row
        if not _KEY.match(process):
            raise InputError(
                "process key must be lower case letters, digits and '_'",
                path=path,
                line=_line(i),
                value=process,
                hint="e.g. pi3k_akt; focus pathways use the keys of focus_pathways.yaml",
            )
        if not gene:
            raise InputError("empty gene", path=path, line=_line(i), hint="give an HGNC symbol")
        if role not in REGULATOR_EFFECTS:
            raise InputError(
                "unknown regulator role",
                path=path,
                line=_line(i),
                value=role,
                hint="use activator or inhibitor",
            )
        if not label:
            raise InputError("empty process_label", path=path, line=_line(i), value=process)
        first = labels.setdefault(process, (label, _line(i)))
        if first[0] != label:
            raise InputError(
                f"process {process!r} has two labels ({first[0]!r} on line {first[1]})",
                path=path,
                line=_line(i),
                value=label,
                hint="use one process_label on all rows of a process",
            )
        other = seen.setdefault((process, gene), (role, _line(i)))
        if other[0] != role:
            raise InputError(
                f"{gene} is both {other[0]} (line {other[1]}) and {role} of {process}",
                path=path,
                line=_line(i),
                value=gene,
                hint="a regulator has one sign per process; drop the row that does not hold",
            )
    return frame


def read_gene_roles(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check ``gene_roles.tsv``.

    Raises
    ------
    InputError
        For a missing column, an empty gene, a role outside :data:`GENE_ROLES`, or a gene that
        is both ``pro_X`` and ``anti_X``; the message names the file and line.
    """
    frame = read_delimited(path, required=ROLE_COLUMNS, what="gene-role table")
    frame = _strip(frame, frame.columns)
    roles: dict[str, dict[str, int]] = {}
    for i, (gene, role) in enumerate(frame[["gene", "role"]].itertuples(index=False)):
        if not gene:
            raise InputError("empty gene", path=path, line=_line(i), hint="give an HGNC symbol")
        if role not in GENE_ROLES:
            raise InputError(
                "unknown gene role",
                path=path,
                line=_line(i),
                value=role,
                hint=f"use one of {', '.join(GENE_ROLES)}",
            )
        if role.startswith(("pro_", "anti_")):
            opposite = "anti_" + role[4:] if role.startswith("pro_") else "pro_" + role[5:]
            if opposite in roles.get(gene, {}):
                raise InputError(
                    f"{gene} is both {opposite} (line {roles[gene][opposite]}) and {role}",
                    path=path,
                    line=_line(i),
                    value=gene,
                    hint="a gene cannot push one process both ways; keep the role that holds",
                )
        roles.setdefault(gene, {})[role] = _line(i)
    return frame


def read_literature(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check ``msc_exosome_literature.tsv`` (effects must be in :data:`EFFECTS`)."""
    frame = read_delimited(
        path, required=LITERATURE_INPUT_COLUMNS, what="MSC-exosome literature table"
    )
    frame = _strip(frame, frame.columns)
    for i, (mirna, effect) in enumerate(frame[["mirna", "effect"]].itertuples(index=False)):
        if not mirna:
            raise InputError("empty mirna", path=path, line=_line(i))
        if effect not in EFFECTS:
            raise InputError(
                "unknown effect",
                path=path,
                line=_line(i),
                value=effect,
                hint=f"use one of {', '.join(EFFECTS)}",
            )
    return frame


def _role_call(
    kind: str,
    key: str,
    label: str,
    roles: pd.DataFrame,
    effect_of_role: Mapping[str, int],
) -> Call:
    genes: dict[str, list[tuple[str, int, str]]] = {}
    for gene, role, reference in roles[["gene", "role", "reference"]].itertuples(index=False):
        if role in effect_of_role:
            genes.setdefault(gene, []).append((role, effect_of_role[role], reference))
    return _call(kind, key, label, genes)


def _call(kind: str, key: str, label: str, genes: Mapping[str, list[tuple[str, int, str]]]) -> Call:
    """A call from gene -> [(role, effect, reference)]; a gene's effects add up, then sign."""
    names, effects, roles, refs = [], [], [], []
    for gene in sorted(genes):
        entries = genes[gene]
        net = int(np.sign(sum(e for _, e, _ in entries)))
        if net == 0:
            log.info("%s: roles of %s cancel (%s)", key, gene, ", ".join(r for r, _, _ in entries))
            continue
        names.append(gene)
        effects.append(net)
        roles.append(";".join(r for r, _, _ in entries))
        refs.append(
            ";".join(dict.fromkeys(x for _, _, ref in entries for x in ref.split(";") if x))
        )
    return Call(kind, key, label, tuple(names), tuple(effects), tuple(roles), tuple(refs))


def build_model(
    regulators: pd.DataFrame,
    roles: pd.DataFrame,
    focus: Mapping[str, str] | None = None,
) -> SignatureModel:
    """The calls of the signatures from the curated tables.

    Parameters
    ----------
    regulators
        ``pathway_regulators.tsv`` (:func:`read_regulators`).
    roles
        ``gene_roles.tsv`` (:func:`read_gene_roles`).
    focus
        Focus-pathway key -> label (``focus_pathways.yaml``).  Processes with these keys are of
        kind ``pathway`` and take these labels; the others are of kind ``process``.  A focus key
        without regulators has no call (and is logged).

    Returns
    -------
    SignatureModel
        Calls in table order: the four scores, the balance, the focus pathways (in focus order)
        and the other processes (in the order they first appear in ``regulators``).
    """
    focus = dict(focus or {})
    calls = [_role_call("score", key, label, roles, m) for key, (label, m) in SCORES.items()]
    calls.append(_role_call("balance", BALANCE[0], BALANCE[1], roles, BALANCE[2]))
    by_process: dict[str, dict[str, list[tuple[str, int, str]]]] = {}
    labels: dict[str, str] = {}
    has_reference = "reference" in regulators.columns
    for row in regulators.itertuples(index=False):
        genes = by_process.setdefault(row.process, {})
        labels.setdefault(row.process, row.process_label)
        reference = str(row.reference) if has_reference else ""
        genes.setdefault(row.gene, []).append((row.role, REGULATOR_EFFECTS[row.role], reference))
    for key, label in focus.items():
        if key in by_process:
            calls.append(_call("pathway", key, label, by_process[key]))
        else:
            log.warning("focus pathway %s has no curated regulators: no direction call", key)
    for key, genes in by_process.items():
        if key not in focus:
            calls.append(_call("process", key, labels[key], genes))
    return SignatureModel(tuple(calls))


def read_model(
    regulators: str | os.PathLike[str],
    roles: str | os.PathLike[str],
    focus: str | os.PathLike[str] | None = None,
) -> SignatureModel:
    """:func:`build_model` from the curated files (focus labels from ``focus_pathways.yaml``)."""
    labels = None
    if focus is not None:
        labels = {key: entry.label for key, entry in load_focus_pathways(focus).items()}
    return build_model(read_regulators(regulators), read_gene_roles(roles), labels)


# --------------------------------------------------------------------------------------------
# Inputs: the edge table and a set's targets


def _numeric(
    frame: pd.DataFrame,
    column: str,
    *,
    path: object,
    what: str,
    low: float = -math.inf,
    high: float = math.inf,
) -> np.ndarray:
    """A column as floats; a non-numeric or out-of-range cell raises naming the file and line."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < low) | (values > high)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        bounds = f" between {low:g} and {high:g}" if math.isfinite(high) else f" >= {low:g}"
        raise InputError(
            f"column {column!r} of the {what} must hold finite numbers{bounds}",
            path=None if path is None else str(path),
            line=None if path is None else _line(row),
            value=str(frame[column].iloc[row]),
            hint="rebuild the table with exomir (docs/data-model.md)",
        )
    return values


def read_edges(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read ``results/targets/all_edges.parquet`` (or a TSV): ``mirna, gene, confidence``."""
    frame = read_result_table(path, "edge table", ("mirna", "gene", "confidence"))
    return clean_edges(frame, path)


def clean_edges(edges: pd.DataFrame, path: object = None) -> pd.DataFrame:
    """``mirna, gene, confidence`` of an edge table: names stripped, confidence checked.

    A pair listed twice keeps its highest confidence (exomir writes each pair once).
    """
    missing = [c for c in ("mirna", "gene", "confidence") if c not in edges.columns]
    if missing:
        raise InputError(
            f"edge table lacks column(s) {', '.join(map(repr, missing))}",
            path=None if path is None else str(path),
            hint="use results/targets/all_edges.parquet",
        )
    conf = _numeric(edges, "confidence", path=path, what="edge table", low=0.0, high=1.0)
    out = pd.DataFrame(
        {
            "mirna": [str(m).strip() for m in edges["mirna"].to_numpy(dtype=object)],
            "gene": [str(g).strip() for g in edges["gene"].to_numpy(dtype=object)],
            "confidence": conf,
        }
    )
    out = out[(out["mirna"] != "") & (out["gene"] != "") & (out["gene"] != "nan")]
    out = out.groupby(["mirna", "gene"], as_index=False, sort=True)["confidence"].max()
    return out.reset_index(drop=True)


def read_set_targets(path: str | os.PathLike[str], set_name: str | None = None) -> pd.DataFrame:
    """Read a set's target table (``results/targets/{set}.tsv``); see :func:`check_set_targets`."""
    frame = read_delimited(path, required=("mirna", "gene", "confidence"), what="target table")
    return check_set_targets(frame, set_name, path=path)


def check_set_targets(
    targets: pd.DataFrame, set_name: str | None = None, *, path: object = None
) -> pd.DataFrame:
    """Check a set's target table and give it numeric ``weight`` and ``confidence``.

    ``weight`` is 1 when the column is absent or a cell is empty; it must be one finite number
    >= 0 per miRNA.  Rows of another set, a non-numeric confidence and a miRNA with two weights
    raise :class:`InputError` naming the file, line and value.
    """
    where = {"path": None if path is None else str(path)}
    missing = [c for c in ("mirna", "gene", "confidence") if c not in targets.columns]
    if missing:
        raise InputError(
            f"target table lacks column(s) {', '.join(map(repr, missing))}",
            **where,
            hint="use results/targets/{set}.tsv (docs/data-model.md)",
        )
    frame = targets.reset_index(drop=True).copy()
    text_columns = ["mirna", "gene", "input_name", "set"]
    for column in text_columns:
        if column in frame.columns:
            frame[column] = [
                "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
                for v in frame[column].to_numpy(dtype=object)
            ]
    if set_name is not None and "set" in frame.columns:
        other = np.flatnonzero((frame["set"] != set_name).to_numpy())
        if other.size:
            row = int(other[0])
            raise InputError(
                f"the target table of set {set_name!r} holds a row of another set",
                **where,
                line=None if path is None else _line(row),
                value=frame["set"].iloc[row],
                hint="pass results/targets/{set}.tsv of the same set",
            )
    frame = frame[(frame["mirna"] != "") & (frame["gene"] != "")].reset_index(drop=True)
    frame["confidence"] = _numeric(
        frame, "confidence", path=path, what="target table", low=0.0, high=1.0
    )
    if "weight" in frame.columns:
        blank = frame["weight"].isna() | (frame["weight"].astype("str").str.strip() == "")
        frame["weight"] = frame["weight"].where(~blank, 1.0)
        frame["weight"] = _numeric(frame, "weight", path=path, what="target table", low=0.0)
    else:
        frame["weight"] = 1.0
    per_mirna = frame.groupby("mirna", sort=True)["weight"].nunique()
    if (per_mirna > 1).any():
        mirna = per_mirna[per_mirna > 1].index[0]
        row = int(np.flatnonzero((frame["mirna"] == mirna).to_numpy())[0])
        raise InputError(
            f"miRNA {mirna} has more than one weight in the target table",
            **where,
            line=None if path is None else _line(row),
            value=sorted(frame.loc[frame["mirna"] == mirna, "weight"].unique().tolist()),
            hint="a miRNA has one weight per set; rebuild results/targets",
        )
    if "input_name" not in frame.columns:
        frame["input_name"] = frame["mirna"]
    return frame


def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights divided by their mean, so that they average 1 (see the module docstring).

    Raises :class:`InputError` when every weight is zero: nothing would be delivered.
    """
    values = np.array([float(weights[m]) for m in weights], dtype=float)
    if values.size == 0:
        return {}
    mean = float(values.mean())
    if not mean > 0:
        raise InputError(
            "every miRNA of the set has weight 0",
            value=dict(weights),
            hint="give at least one miRNA a positive weight in the set sheet",
        )
    return {m: float(weights[m]) / mean for m in weights}


# --------------------------------------------------------------------------------------------
# The null: the enrichment's random-set stream, with permuted weights


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
        ``(N, k)`` universe indices, drawn by :class:`exomir._null.RandomSets` from
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
        stream = RandomSets(rng, universe_size, k)
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
    tol = TIE_TOLERANCE * np.maximum(1.0, np.abs(observed))
    n = null.shape[0]
    up = (1.0 + (null >= observed - tol).sum(axis=0)) / (1.0 + n)
    down = (1.0 + (null <= observed + tol).sum(axis=0)) / (1.0 + n)
    return up, down


def call_direction(kind: str, score: float, p_up: float, p_down: float, alpha: float) -> tuple:
    """``(direction, p_value)`` of one call (rules in the module docstring)."""
    if kind == "score":
        return ("high" if p_up <= alpha and score > 0 else "none"), p_up
    p_value = min(1.0, 2.0 * min(p_up, p_down))
    up, down = ("pro_tumour", "anti_tumour") if kind == "balance" else ("up", "down")
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
        One row per call (:data:`TABLE_COLUMNS`).
    drivers
        Every contributing edge of every call (:data:`DRIVER_COLUMNS`).
    params
        Parameters and counts of the run (written as ``{set}.json``).
    null
        The random sets' scores (``N`` x call, in table order); not written.
    literature
        The literature comparison (:data:`LITERATURE_COLUMNS`), when computed.
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
                frame = pd.DataFrame({c: pd.Series(dtype="str") for c in LITERATURE_COLUMNS})
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
        Every edge of the species (``mirna, gene, confidence``; :func:`clean_edges`): the
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
    edges = clean_edges(edges)
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
    p_up, p_down = empirical_pvalues(observed, scores)

    used = targets[targets["mirna"].isin(analysed)].copy()
    used["weight"] = used["mirna"].map(weights).astype(float)
    drivers = _drivers(used, model, set_name)

    rows = []
    for j, call in enumerate(model.calls):
        score = float(observed[j])
        direction, p_value = call_direction(call.kind, score, p_up[j], p_down[j], alpha)
        mine = drivers[drivers["key"] == call.key]
        rows.append(
            {
                "set": set_name,
                "kind": call.kind,
                "key": call.key,
                "label": call.label,
                "score": _clean_zero(score),
                "direction": direction,
                "p_up": float(p_up[j]),
                "p_down": float(p_down[j]),
                "p_value": float(p_value),
                "null_mean": _clean_zero(float(scores[:, j].mean())),
                "null_sd": float(scores[:, j].std(ddof=1)) if scores.shape[0] > 1 else np.nan,
                "n_genes": int(mine["gene"].nunique()),
                "n_edges": len(mine),
                "n_mirnas": int(mine["mirna"].nunique()),
                "drivers": _driver_text(mine, score, top),
            }
        )
    table = pd.DataFrame(rows)
    table["fdr"] = bh_fdr(table["p_value"].to_numpy(float))
    table = table[list(TABLE_COLUMNS)]
    params = _describe(set_name, universe, null, analysed, outside, weights, alpha, model)
    if counts is not None:
        strata = stratify(counts, query_index, null.stratified)
        params["null"]["strata"] = strata.describe()
        params["null"]["strata_merged"] = strata.merged
    return SignatureResult(table, drivers, params, scores)


def _clean_zero(value: float) -> float:
    """Round away the float noise of sums that cancel (-1e-17 would print as a negative)."""
    return 0.0 if abs(value) < 1e-12 else value


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
                line=None if path is None else _line(row),
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
    columns = list(DRIVER_COLUMNS)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    out = pd.concat(parts, ignore_index=True)
    out["set"] = set_name
    for column in EVIDENCE_COLUMNS:
        if column not in out.columns:
            out[column] = pd.NA
    for column in ("mirtarbase_pmids", "n_sources"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    return out[columns].reset_index(drop=True)


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
            "p_value": "(1 + #{random >= observed}) / (1 + N), and <= for p_down",
            "tie_tolerance": TIE_TOLERANCE,
        },
        "alpha": alpha,
        "calls": {
            call.key: {"kind": call.kind, "label": call.label, "genes": len(call.genes)}
            for call in model.calls
        },
    }


def file_checksums(paths: Mapping[str, str | os.PathLike[str]]) -> dict[str, dict[str, str]]:
    """``name -> {file, sha256}`` of the curated tables a run read (for the parameters)."""
    out = {}
    for name, path in sorted(paths.items()):
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        out[name] = {"file": Path(path).name, "sha256": digest}
    return out


# --------------------------------------------------------------------------------------------
# Literature beside data


_ARM = re.compile(r"-(5p|3p)$")


def mirna_stem(name: str) -> tuple[str, str | None]:
    """``(stem, arm)`` of a miRNA name: lower case, no species prefix, arm split off.

    ``hsa-miR-21-5p`` -> ``("mir-21", "5p")``; ``miR-21`` -> ``("mir-21", None)``;
    ``let-7a`` -> ``("let-7a", None)``; ``miR-let-7a`` -> ``("let-7a", None)``.
    """
    text = name.strip().rstrip("*").lower()
    text = re.sub(r"^[a-z]{3,4}-(?=(mir|let|lin)-)", "", text)
    text = re.sub(r"^mir-(?=let-)", "", text)
    match = _ARM.search(text)
    arm = match.group(1) if match else None
    return (_ARM.sub("", text), arm)


def mirna_matches(literature_name: str, mirna: str, inputs: Iterable[str] = ()) -> bool:
    """Whether a review's miRNA name refers to a set miRNA (see the module docstring)."""
    stem, arm = mirna_stem(literature_name)
    own_stem, own_arm = mirna_stem(mirna)
    if stem == own_stem and (arm is None or own_arm is None or arm == own_arm):
        return True
    return any(mirna_stem(i) == (stem, arm) for i in inputs)


def literature_comparison(
    literature: pd.DataFrame,
    result: SignatureResult,
    targets: pd.DataFrame,
    *,
    set_name: str,
    msc_source: str | None,
    model: SignatureModel | None = None,
) -> pd.DataFrame:
    """The review rows about the set's miRNAs and source, each with what the data says.

    Rows are those of ``literature`` whose ``msc_source`` is the set's or one of
    :data:`UNNAMED_SOURCES` (MSC exosomes of a tissue the review does not name), whose miRNA
    matches a set miRNA (:func:`mirna_matches`), and that make a claim (a target gene, a
    process or an effect other than ``other``).

    What the data says, per row:

    * ``edge``: for a named target gene, whether the set has an edge from the matched
      miRNA(s) to it (``present``/``absent``), with its confidence and sources;
    * ``call_key``, ``expected``: the call the review's effect predicts (:data:`EFFECT_CALLS`);
      ``set_call``, ``set_p``: the set's direction and p-value for it;
    * ``mirna_contribution``, ``mirna_push``: the matched miRNA(s)' own contribution to that
      call, and whether it points the review's way (``supports``/``opposes``/``none``);
    * ``pathway_calls``: the set's direction for every process the row names;
    * ``pathway_expected``: with ``model``, the direction the claim implies for each named
      process whose curated regulators include the named target gene (the review says the
      miRNA lowers PTEN, PTEN inhibits PI3K-Akt, so the claim implies PI3K-Akt up), as
      ``key:direction``; ``pathway_agreement``: ``agrees``, ``disagrees``, ``mixed`` or ``not
      significant`` when the set's calls for those processes are compared with it, empty when
      the claim implies no direction;
    * ``agreement``: ``agrees`` (the set's call is the predicted one), ``disagrees`` (the set's
      call is the opposite, or the miRNA's own edges push the opposite way), ``not
      significant`` (the miRNA pushes the review's way but the set's call is not significant),
      ``no evidence`` (the miRNA has no edge to the call's genes); for rows without a predicted
      call, ``edge found``/``no edge`` for a named target, else ``not assessed``;
    * ``data_says``: the same in one sentence.
    """
    table = result.table.set_index("key")
    drivers = result.drivers
    analysed = set(result.params.get("mirnas", []))
    targets = targets[targets["mirna"].isin(analysed)] if analysed else targets
    inputs: dict[str, list[str]] = {}
    for mirna, names in targets[["mirna", "input_name"]].drop_duplicates().to_numpy():
        inputs.setdefault(mirna, []).extend(n for n in str(names).split(";") if n)
    mirnas = sorted(inputs)
    rows = []
    for record in literature.to_dict("records"):
        source = record["msc_source"]
        if source == msc_source:
            match = "same source"
        elif source in UNNAMED_SOURCES:
            match = "MSC, tissue not named"
        else:
            continue
        matched = [m for m in mirnas if mirna_matches(record["mirna"], m, inputs[m])]
        if not matched:
            continue
        effect = record["effect"]
        processes = [p for p in str(record["pathway"]).split(";") if p]
        target = record["target_gene"]
        if effect == "other" and not target and not processes:
            continue
        row = {c: record.get(c, "") for c in LITERATURE_INPUT_COLUMNS}
        row.update(set=set_name, set_mirnas=";".join(matched), source_match=match)
        row.update(_edge_check(targets, matched, target))
        row.update(_call_check(table, drivers, matched, effect))
        row["pathway_calls"] = ";".join(
            f"{p}:{table.at[p, 'direction']}" if p in table.index else f"{p}:not modelled"
            for p in processes
        )
        implied = _implied_directions(model, processes, target, table)
        row["pathway_expected"] = ";".join(f"{p}:{d}" for p, d in implied.items())
        row["pathway_agreement"] = _pathway_agreement(implied, table)
        row["agreement"] = _agreement(row)
        row["data_says"] = _data_says(row, table, processes, implied, drivers, matched)
        rows.append(row)
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in LITERATURE_COLUMNS})
    return pd.DataFrame(rows)[list(LITERATURE_COLUMNS)]


def _implied_directions(
    model: SignatureModel | None, processes: Sequence[str], target: str, table: pd.DataFrame
) -> dict[str, str]:
    """Direction each named process takes by the model when the named target is repressed."""
    if model is None or not target:
        return {}
    out = {}
    for key in processes:
        call = model.find(key)
        if call is None or key not in table.index or target not in call.genes:
            continue
        effect = call.effects[call.genes.index(target)]
        out[key] = "up" if effect > 0 else "down"
    return out


def _pathway_agreement(implied: Mapping[str, str], table: pd.DataFrame) -> str:
    states = set()
    for key, expected in implied.items():
        call = table.at[key, "direction"]
        if call == expected:
            states.add("agrees")
        elif call == _OPPOSITE[expected]:
            states.add("disagrees")
        else:
            states.add("not significant")
    if not states:
        return ""
    if {"agrees", "disagrees"} <= states:
        return "mixed"
    for state in ("disagrees", "agrees"):
        if state in states:
            return state
    return "not significant"


def _edge_check(targets: pd.DataFrame, matched: Sequence[str], target: str) -> dict[str, Any]:
    if not target:
        return {"edge": "", "edge_confidence": np.nan, "edge_sources": ""}
    hit = targets[targets["mirna"].isin(matched) & (targets["gene"] == target)]
    if hit.empty:
        return {"edge": "absent", "edge_confidence": np.nan, "edge_sources": ""}
    sources = sorted(
        {s for v in hit.get("sources", pd.Series(dtype=str)).dropna() for s in str(v).split(";")}
        - {""}
    )
    return {
        "edge": "present",
        "edge_confidence": float(hit["confidence"].max()),
        "edge_sources": ";".join(sources),
    }


def _call_check(
    table: pd.DataFrame, drivers: pd.DataFrame, matched: Sequence[str], effect: str
) -> dict[str, Any]:
    empty = {
        "call_key": "",
        "expected": "",
        "set_call": "",
        "set_p": np.nan,
        "mirna_contribution": np.nan,
        "mirna_push": "",
    }
    if effect not in EFFECT_CALLS or EFFECT_CALLS[effect][0] not in table.index:
        return empty
    key, expected = EFFECT_CALLS[effect]
    mine = drivers[(drivers["key"] == key) & drivers["mirna"].isin(matched)]
    total = _clean_zero(float(mine["contribution"].sum())) if not mine.empty else 0.0
    sign = _DIRECTION_SIGN[expected]
    push = "none" if mine.empty or total == 0 else ("supports" if total * sign > 0 else "opposes")
    return {
        "call_key": key,
        "expected": expected,
        "set_call": table.at[key, "direction"],
        "set_p": float(table.at[key, "p_value"]),
        "mirna_contribution": total,
        "mirna_push": push,
    }


def _agreement(row: Mapping[str, Any]) -> str:
    expected = row["expected"]
    if not expected:
        if row["edge"]:
            return "edge found" if row["edge"] == "present" else "no edge"
        return "not assessed"
    call = row["set_call"]
    if call == expected:
        return "agrees"
    if call == _OPPOSITE.get(expected) or row["mirna_push"] == "opposes":
        return "disagrees"
    if row["mirna_push"] == "supports":
        return "not significant"
    return "no evidence"


_CALL_WORDS = {
    "high": "high",
    "none": "no call",
    "up": "up",
    "down": "down",
    "pro_tumour": "pro-tumour",
    "anti_tumour": "anti-tumour",
}


_TOWARDS = {
    "high": "up",
    "up": "up",
    "down": "down",
    "pro_tumour": "towards pro-tumour",
    "anti_tumour": "towards anti-tumour",
}


def _p_text(value: float) -> str:
    return "p = " + (f"{value:.2g}" if value >= 0.001 else f"{value:.1e}")


def _data_says(
    row: Mapping[str, Any],
    table: pd.DataFrame,
    processes: Sequence[str],
    implied: Mapping[str, str],
    drivers: pd.DataFrame,
    matched: Sequence[str],
) -> str:
    parts = []
    mirnas = row["set_mirnas"].replace(";", ", ")
    if row["edge"] == "present":
        parts.append(
            f"{mirnas} \u2192 {row['target_gene']}: edge present "
            f"({row['edge_sources'].replace(';', ', ') or 'sources not given'}, "
            f"confidence {row['edge_confidence']:.2f})."
        )
    elif row["edge"] == "absent":
        parts.append(f"{mirnas} \u2192 {row['target_gene']}: no edge under the target policy.")
    if row["call_key"]:
        label = table.at[row["call_key"], "label"]
        call = _CALL_WORDS.get(row["set_call"], row["set_call"])
        expected = _CALL_WORDS.get(row["expected"], row["expected"])
        push = {
            "supports": f"the miRNA's own edges push it {_TOWARDS[row['expected']]}",
            "opposes": "the miRNA's own edges push it the other way",
            "none": "the miRNA has no edge to the genes of this call",
        }[row["mirna_push"]]
        parts.append(
            f"{label} of the set: {call} ({_p_text(row['set_p'])}; the review implies "
            f"{expected}); {push}."
        )
    for key, expected in implied.items():
        if key == row["call_key"]:
            continue  # already said above, with the miRNA's own push
        mine = drivers[(drivers["key"] == key) & drivers["mirna"].isin(matched)]
        total = _clean_zero(float(mine["contribution"].sum())) if not mine.empty else 0.0
        own = (
            "has no edge to its genes"
            if total == 0
            else f"pushes it {'up' if total > 0 else 'down'}"
        )
        parts.append(
            f"{row['target_gene']} is {'an inhibitor' if expected == 'up' else 'an activator'} "
            f"of {table.at[key, 'label']}, so the claim implies {expected}; the set: "
            f"{_CALL_WORDS.get(table.at[key, 'direction'])} "
            f"({_p_text(float(table.at[key, 'p_value']))}), the miRNA alone {own}."
        )
    listed = [
        p for p in processes if p in table.index and p != row["call_key"] and p not in implied
    ]
    if listed:
        calls = ", ".join(
            f"{table.at[p, 'label']}: {_CALL_WORDS.get(table.at[p, 'direction'])} "
            f"({_p_text(float(table.at[p, 'p_value']))})"
            for p in listed
        )
        parts.append(f"Processes the review names: {calls}.")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# All sets side by side


def summarise(
    tables: Mapping[str, pd.DataFrame],
    sources: Mapping[str, str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per set: the scores, the balance and the focus pathways side by side.

    Columns ``set, msc_source, k_mirnas``; for each score and the balance ``<key>``,
    ``<key>_p`` (the call's p-value) and ``<key>_call``; for each focus pathway
    ``<key>_score``, ``<key>_p`` and ``<key>_call``.  Sets keep the order of ``tables``; the
    pathway columns follow the first table's order.
    """
    sources = sources or {}
    params = params or {}
    keys: list[tuple[str, str]] = []
    for table in tables.values():
        for kind, key in table[["kind", "key"]].to_numpy():
            if kind in ("score", "balance", "pathway") and (kind, key) not in keys:
                keys.append((kind, key))
    rows = []
    for name, table in tables.items():
        indexed = table.set_index("key")
        row: dict[str, Any] = {
            "set": name,
            "msc_source": sources.get(name, ""),
            "k_mirnas": params.get(name, {}).get("k", pd.NA),
        }
        for kind, key in keys:
            score_col = key if kind != "pathway" else f"{key}_score"
            present = key in indexed.index
            row[score_col] = indexed.at[key, "score"] if present else np.nan
            row[f"{key}_p"] = indexed.at[key, "p_value"] if present else np.nan
            row[f"{key}_call"] = indexed.at[key, "direction"] if present else ""
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["k_mirnas"] = frame["k_mirnas"].astype("Int64")
    return frame


def read_table(path: str | os.PathLike[str], set_name: str | None = None) -> pd.DataFrame:
    """Read and check a signature table (``results/signatures/{set}.tsv``).

    Raises :class:`InputError` naming the file and line for a missing column, a row of another
    set, an unknown kind or direction, or a p-value outside [0, 1].
    """
    frame = read_delimited(path, required=TABLE_COLUMNS, what="signature table")
    return check_table(frame, set_name, path=path)


def check_table(
    frame: pd.DataFrame, set_name: str | None = None, *, path: object = None
) -> pd.DataFrame:
    """Check a signature table in memory (see :func:`read_table`)."""
    where = None if path is None else str(path)
    missing = [c for c in TABLE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"signature table lacks column(s) {', '.join(map(repr, missing))}",
            path=where,
            hint="use results/signatures/{set}.tsv (docs/data-model.md)",
        )
    frame = frame.reset_index(drop=True).copy()
    for column in ("set", "kind", "key", "label", "direction", "drivers"):
        frame[column] = [
            "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
            for v in frame[column].to_numpy(dtype=object)
        ]
    for i, (name, kind, direction) in enumerate(
        frame[["set", "kind", "direction"]].itertuples(index=False)
    ):
        line = None if where is None else _line(i)
        if set_name is not None and name != set_name:
            raise InputError(
                f"the signature table of set {set_name!r} holds a row of another set",
                path=where,
                line=line,
                value=name,
            )
        if kind not in DIRECTIONS:
            raise InputError(
                "unknown kind of call",
                path=where,
                line=line,
                value=kind,
                hint=f"use one of {', '.join(KINDS)}",
            )
        if direction not in DIRECTIONS[kind]:
            raise InputError(
                f"unknown direction of a {kind} call",
                path=where,
                line=line,
                value=direction,
                hint=f"use one of {', '.join(DIRECTIONS[kind])}",
            )
    for column in ("p_up", "p_down", "p_value", "fdr"):
        frame[column] = _numeric(frame, column, path=path, what="signature table", high=1.0)
    for column in ("score", "null_mean"):
        frame[column] = _numeric(frame, column, path=path, what="signature table")
    for column in ("null_sd", "n_genes", "n_edges", "n_mirnas"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


@dataclass
class SignatureFiles:
    """A set's signature outputs as the report reads them (see :func:`read_set_files`)."""

    table: pd.DataFrame
    drivers: pd.DataFrame
    literature: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)


def read_set_files(
    table: str | os.PathLike[str],
    set_name: str,
    *,
    drivers: str | os.PathLike[str] | None = None,
    literature: str | os.PathLike[str] | None = None,
    params: str | os.PathLike[str] | None = None,
) -> SignatureFiles:
    """Read one set's signature table and, when given, its drivers, literature and parameters."""
    frame = read_table(table, set_name)
    driver_frame = pd.DataFrame({c: pd.Series(dtype="object") for c in DRIVER_COLUMNS})
    if drivers is not None:
        driver_frame = read_delimited(drivers, required=DRIVER_COLUMNS, what="driver table")
        for column in ("rank", "weight", "confidence", "contribution", "mirtarbase_pmids"):
            driver_frame[column] = pd.to_numeric(driver_frame[column], errors="coerce")
    lit_frame = pd.DataFrame({c: pd.Series(dtype="str") for c in LITERATURE_COLUMNS})
    if literature is not None:
        text = read_text(literature) if Path(literature).stat().st_size else ""
        if text.strip().count("\n") >= 1:
            lit_frame = read_delimited(
                literature, required=LITERATURE_COLUMNS, what="literature comparison"
            )
            for column in ("edge_confidence", "set_p", "mirna_contribution"):
                lit_frame[column] = pd.to_numeric(lit_frame[column], errors="coerce")
    loaded: dict[str, Any] = {}
    if params is not None:
        try:
            loaded = json.loads(read_text(params))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"signature parameters are not valid JSON ({exc.msg})",
                path=str(params),
                line=exc.lineno,
                hint="rerun the signatures rule",
            ) from exc
    return SignatureFiles(frame, driver_frame, lit_frame, loaded)


#: Suffixes of a set's signature files, longest first (``{set}<suffix>``).
FILE_SUFFIXES = (
    ("drivers", ".drivers.tsv"),
    ("literature", ".literature.tsv"),
    ("params", ".json"),
    ("table", ".tsv"),
)


def group_files(
    paths: Iterable[str | os.PathLike[str]], sets: Sequence[str]
) -> dict[str, dict[str, Path]]:
    """Match signature files to sets and kinds by name (``{set}.tsv``, ``{set}.drivers.tsv``,
    ``{set}.literature.tsv``, ``{set}.json``).

    Raises :class:`InputError` naming the file when it belongs to no set or repeats a kind, and
    naming the set when a set has files but no table.
    """
    found: dict[str, dict[str, Path]] = {}
    for item in paths:
        path = Path(item)
        match = next(
            (
                (path.name[: -len(suffix)], kind)
                for kind, suffix in FILE_SUFFIXES
                if path.name.endswith(suffix) and path.name[: -len(suffix)] in sets
            ),
            None,
        )
        if match is None:
            raise InputError(
                "signature file belongs to no reported set",
                path=str(path),
                hint=f"name it <set>.tsv, .drivers.tsv, .literature.tsv or .json; sets: "
                f"{', '.join(sets)}",
            )
        owner, kind = match
        if kind in found.setdefault(owner, {}):
            raise InputError(f"two signature {kind} files for set {owner!r}", path=str(path))
        found[owner][kind] = path
    lacking = [s for s in found if "table" not in found[s]]
    if lacking:
        raise InputError(
            f"signature files of set(s) {', '.join(map(repr, lacking))} lack the call table",
            hint="pass results/signatures/{set}.tsv as well",
        )
    return found


# --------------------------------------------------------------------------------------------
# What the report shows (plain data; exomir.report renders it)

#: Sign of each direction on the call's score: +1 raises, -1 lowers, 0 no call.
DIRECTION_SIGN = {
    "up": 1,
    "high": 1,
    "pro_tumour": 1,
    "down": -1,
    "anti_tumour": -1,
    "none": 0,
}

#: Direction marks of the report: an arrow up for every call that raises its score (up, high,
#: pro-tumour balance), down for one that lowers it, a dot for no call.
DIRECTION_SYMBOLS = {
    "up": "\u2191",
    "high": "\u2191",
    "down": "\u2193",
    "pro_tumour": "\u2191",
    "anti_tumour": "\u2193",
    "none": "\u00b7",
}

#: Words for directions in sentences and table cells.
DIRECTION_WORDS = _CALL_WORDS

#: Kinds of call as the report groups them.
KIND_GROUPS = {
    "score": "Scores",
    "balance": "Scores",
    "pathway": "Focus pathways",
    "process": "Processes",
}

#: Drivers listed per call on a set page (all are in the drivers table).
REPORT_DRIVERS = 12


def standardised(score: float, mean: float, sd: float) -> float | None:
    """``(score - mean) / sd`` of the random sets; +-inf when they never vary but the set
    does, 0 when neither does, None when the null is missing."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (score, mean, sd)):
        return None
    if sd > 0:
        return (score - mean) / sd
    if abs(score - mean) <= TIE_TOLERANCE * max(1.0, abs(score)):
        return 0.0
    return math.copysign(math.inf, score - mean)


def report_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The calls of a set as records for the report, with ``z``, ``sign``, ``symbol``,
    ``word`` and ``group`` added and ``drivers`` split into a list."""
    out = []
    for record in table.to_dict("records"):
        direction = record["direction"]
        record["z"] = standardised(record["score"], record["null_mean"], record["null_sd"])
        record["sign"] = DIRECTION_SIGN.get(direction, 0)
        record["symbol"] = DIRECTION_SYMBOLS.get(direction, direction)
        record["word"] = DIRECTION_WORDS.get(direction, direction)
        record["group"] = KIND_GROUPS.get(record["kind"], record["kind"])
        record["driver_list"] = [d for d in str(record.get("drivers") or "").split(";") if d]
        record["driver_groups"] = _group_drivers(record["driver_list"])
        out.append(record)
    return out


def _group_drivers(drivers: Sequence[str]) -> list[tuple[str, list[str]]]:
    """``miRNA->GENE`` items grouped by miRNA, in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for item in drivers:
        mirna, _, gene = item.partition("->")
        groups.setdefault(mirna, []).append(gene)
    return list(groups.items())


def report_drivers(
    drivers: pd.DataFrame, table: pd.DataFrame, limit: int = REPORT_DRIVERS
) -> dict[str, list[dict[str, Any]]]:
    """Per call key, its first ``limit`` drivers by rank (records of the drivers table)."""
    out: dict[str, list[dict[str, Any]]] = {}
    if drivers.empty:
        return {key: [] for key in table["key"]}
    ranked = drivers.assign(_rank=pd.to_numeric(drivers["rank"], errors="coerce"))
    for key in table["key"]:
        mine = ranked[ranked["key"] == key].sort_values("_rank", kind="stable")
        records = mine.drop(columns="_rank").head(limit).to_dict("records")
        # Missing evidence (pd.NA, NaN) becomes None, which templates can test plainly.
        out[key] = [{k: None if _missing(v) else v for k, v in r.items()} for r in records]
    return out


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def agreement_counts(literature: pd.DataFrame) -> dict[str, int]:
    """How many literature rows fall in each agreement class, in :data:`AGREEMENTS` order."""
    counts = literature["agreement"].value_counts() if len(literature) else pd.Series(dtype=int)
    return {a: int(counts.get(a, 0)) for a in AGREEMENTS if counts.get(a, 0)}


__all__ = [
    "AGREEMENTS",
    "ALPHA",
    "BALANCE",
    "DIRECTIONS",
    "DIRECTION_SIGN",
    "DIRECTION_SYMBOLS",
    "DIRECTION_WORDS",
    "DRIVER_COLUMNS",
    "EFFECTS",
    "EFFECT_CALLS",
    "GENE_ROLES",
    "KINDS",
    "KIND_GROUPS",
    "LITERATURE_COLUMNS",
    "PATHWAY_AGREEMENTS",
    "SCORES",
    "TABLE_COLUMNS",
    "TOP_DRIVERS",
    "Call",
    "SignatureFiles",
    "SignatureModel",
    "SignatureResult",
    "agreement_counts",
    "build_model",
    "call_direction",
    "check_set_targets",
    "check_table",
    "clean_edges",
    "contribution_matrix",
    "empirical_pvalues",
    "file_checksums",
    "group_files",
    "literature_comparison",
    "mirna_matches",
    "mirna_stem",
    "normalise_weights",
    "null_draws",
    "null_scores",
    "read_edges",
    "read_gene_roles",
    "read_literature",
    "read_model",
    "read_regulators",
    "read_set_files",
    "read_set_targets",
    "read_table",
    "report_drivers",
    "report_rows",
    "score_set",
    "standardised",
    "summarise",
    "target_counts",
]
