"""The signature model: the calls, their curated genes and effects, and the curated readers.

``pathway_regulators.tsv`` and ``gene_roles.tsv`` (``resources/curated/``) become a
:class:`SignatureModel`: one :class:`Call` per score, the tumour lean, each focus pathway and
each other process, holding the genes whose repression moves it and the sign of that move.  The
model and the choices behind it are described in ``docs/methods/signatures.md``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import read_delimited
from ..errors import InputError
from ..focus import load_focus_pathways
from ._checks import line_of, strip_text

log = logging.getLogger("exomir.signatures")

#: Kinds of call, in table order.
KINDS = ("score", "lean", "pathway", "process")

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

#: The tumour lean: key, label, role effects (for its drivers: repressing a tumour suppressor
#: pushes it pro-tumour, repressing an oncogene anti-tumour). Its score is not the sum of these
#: pushes but ``z(pro_tumour) - z(anti_tumour)``, the two scores standardised against the same
#: random sets (:func:`exomir.signatures.lean_scores`).
LEAN: tuple[str, str, dict[str, int]] = (
    "tumour_lean",
    "Tumour lean",
    {"tumour_suppressor": 1, "oncogene": -1},
)

#: The two scores the lean weighs against each other: (pro, anti).
LEAN_SCORES = ("pro_tumour", "anti_tumour")

#: Directions of each kind of call (the last one is "no call").
DIRECTIONS = {
    "score": ("high", "none"),
    "lean": ("pro_tumour", "anti_tumour", "none"),
    "pathway": ("up", "down", "none"),
    "process": ("up", "down", "none"),
}

#: Sign of each direction on the call's score: +1 raises, -1 lowers, 0 no call.
DIRECTION_SIGN = {
    "up": 1,
    "high": 1,
    "pro_tumour": 1,
    "down": -1,
    "anti_tumour": -1,
    "none": 0,
}

#: Words for directions in sentences and table cells.
DIRECTION_WORDS = {
    "high": "high",
    "none": "no call",
    "up": "up",
    "down": "down",
    "pro_tumour": "pro-tumour",
    "anti_tumour": "anti-tumour",
}

#: Columns of the curated ``pathway_regulators.tsv`` and ``gene_roles.tsv`` the model reads.
REGULATOR_COLUMNS = ("process", "process_label", "gene", "role")
ROLE_COLUMNS = ("gene", "role", "reference")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


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
    frame = strip_text(frame, frame.columns)
    labels: dict[str, tuple[str, int]] = {}
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for i, row in enumerate(frame[list(REGULATOR_COLUMNS)].itertuples(index=False)):
        process, label, gene, role = row
        if not _KEY.match(process):
            raise InputError(
                "process key must be lower case letters, digits and '_'",
                path=path,
                line=line_of(i),
                value=process,
                hint="e.g. pi3k_akt; focus pathways use the keys of focus_pathways.yaml",
            )
        if not gene:
            raise InputError("empty gene", path=path, line=line_of(i), hint="give an HGNC symbol")
        if role not in REGULATOR_EFFECTS:
            raise InputError(
                "unknown regulator role",
                path=path,
                line=line_of(i),
                value=role,
                hint="use activator or inhibitor",
            )
        if not label:
            raise InputError("empty process_label", path=path, line=line_of(i), value=process)
        first = labels.setdefault(process, (label, line_of(i)))
        if first[0] != label:
            raise InputError(
                f"process {process!r} has two labels ({first[0]!r} on line {first[1]})",
                path=path,
                line=line_of(i),
                value=label,
                hint="use one process_label on all rows of a process",
            )
        other = seen.setdefault((process, gene), (role, line_of(i)))
        if other[0] != role:
            raise InputError(
                f"{gene} is both {other[0]} (line {other[1]}) and {role} of {process}",
                path=path,
                line=line_of(i),
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
    frame = strip_text(frame, frame.columns)
    roles: dict[str, dict[str, int]] = {}
    for i, (gene, role) in enumerate(frame[["gene", "role"]].itertuples(index=False)):
        if not gene:
            raise InputError("empty gene", path=path, line=line_of(i), hint="give an HGNC symbol")
        if role not in GENE_ROLES:
            raise InputError(
                "unknown gene role",
                path=path,
                line=line_of(i),
                value=role,
                hint=f"use one of {', '.join(GENE_ROLES)}",
            )
        if role.startswith(("pro_", "anti_")):
            opposite = "anti_" + role[4:] if role.startswith("pro_") else "pro_" + role[5:]
            if opposite in roles.get(gene, {}):
                raise InputError(
                    f"{gene} is both {opposite} (line {roles[gene][opposite]}) and {role}",
                    path=path,
                    line=line_of(i),
                    value=gene,
                    hint="a gene cannot push one process both ways; keep the role that holds",
                )
        roles.setdefault(gene, {})[role] = line_of(i)
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
        Calls in table order: the four scores, the lean, the focus pathways (in focus order)
        and the other processes (in the order they first appear in ``regulators``).
    """
    focus = dict(focus or {})
    calls = [_role_call("score", key, label, roles, m) for key, (label, m) in SCORES.items()]
    calls.append(_role_call("lean", LEAN[0], LEAN[1], roles, LEAN[2]))
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


def file_checksums(paths: Mapping[str, str | os.PathLike[str]]) -> dict[str, dict[str, str]]:
    """``name -> {file, sha256}`` of the curated tables a run read (for the parameters)."""
    out = {}
    for name, path in sorted(paths.items()):
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        out[name] = {"file": Path(path).name, "sha256": digest}
    return out
