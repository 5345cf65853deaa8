"""Literature beside data: review claims about a set's miRNAs, each with what the set's data says.

:func:`literature_comparison` sets the rows of ``msc_exosome_literature.tsv`` (read by
:func:`read_literature`) about a set's miRNAs and MSC source beside the set's calls and edges;
the matching rules and the agreement classes are described in ``docs/methods/signatures.md``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._io import read_delimited
from ..errors import InputError
from ..tables import SIGNATURE_LITERATURE
from ._checks import clean_zero, empty_frame, line_of, strip_text
from ._model import DIRECTION_SIGN, DIRECTION_WORDS, SignatureModel
from ._scoring import SignatureResult

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
    "pro_tumour": ("tumour_lean", "pro_tumour"),
    "anti_tumour": ("tumour_lean", "anti_tumour"),
    "regenerative": ("regenerative", "high"),
    "anti_apoptotic": ("apoptosis", "down"),
    "pro_angiogenic": ("angiogenesis", "up"),
    "anti_angiogenic": ("angiogenesis", "down"),
    "anti_fibrotic": ("fibrosis_tgfb", "down"),
    "anti_inflammatory": ("immunomodulatory", "high"),
    "immunomodulatory": ("immunomodulatory", "high"),
}

#: Literature sources that describe MSC exosomes of any tissue.
UNNAMED_SOURCES = ("unspecified", "mixed")

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

#: Columns of ``msc_exosome_literature.tsv`` the comparison reads.
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

_OPPOSITE = {"up": "down", "down": "up", "pro_tumour": "anti_tumour", "anti_tumour": "pro_tumour"}


def read_literature(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check ``msc_exosome_literature.tsv`` (effects must be in :data:`EFFECTS`)."""
    frame = read_delimited(
        path, required=LITERATURE_INPUT_COLUMNS, what="MSC-exosome literature table"
    )
    frame = strip_text(frame, frame.columns)
    for i, (mirna, effect) in enumerate(frame[["mirna", "effect"]].itertuples(index=False)):
        if not mirna:
            raise InputError("empty mirna", path=path, line=line_of(i))
        if effect not in EFFECTS:
            raise InputError(
                "unknown effect",
                path=path,
                line=line_of(i),
                value=effect,
                hint=f"use one of {', '.join(EFFECTS)}",
            )
    return frame


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
    """Whether a review's miRNA name refers to a set miRNA (docs/methods/signatures.md)."""
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
        return empty_frame(SIGNATURE_LITERATURE.columns, "str")
    return SIGNATURE_LITERATURE.ordered(pd.DataFrame(rows))


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
    total = clean_zero(float(mine["contribution"].sum())) if not mine.empty else 0.0
    sign = DIRECTION_SIGN[expected]
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
        call = DIRECTION_WORDS.get(row["set_call"], row["set_call"])
        expected = DIRECTION_WORDS.get(row["expected"], row["expected"])
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
        total = clean_zero(float(mine["contribution"].sum())) if not mine.empty else 0.0
        own = (
            "has no edge to its genes"
            if total == 0
            else f"pushes it {'up' if total > 0 else 'down'}"
        )
        parts.append(
            f"{row['target_gene']} is {'an inhibitor' if expected == 'up' else 'an activator'} "
            f"of {table.at[key, 'label']}, so the claim implies {expected}; the set: "
            f"{DIRECTION_WORDS.get(table.at[key, 'direction'])} "
            f"({_p_text(float(table.at[key, 'p_value']))}), the miRNA alone {own}."
        )
    listed = [
        p for p in processes if p in table.index and p != row["call_key"] and p not in implied
    ]
    if listed:
        calls = ", ".join(
            f"{table.at[p, 'label']}: {DIRECTION_WORDS.get(table.at[p, 'direction'])} "
            f"({_p_text(float(table.at[p, 'p_value']))})"
            for p in listed
        )
        parts.append(f"Processes the review names: {calls}.")
    return " ".join(parts)
