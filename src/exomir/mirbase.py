"""miRBase: mature sequences, former names and precursor links.

miRBase is the naming authority for microRNAs. Every other reference (miRTarBase, TargetScan,
Enrichr libraries) spells miRNAs as some miRBase release did, and the literature that the input
sets come from often uses names that miRBase has since changed (``hsa-miR-21`` became
``hsa-miR-21-5p`` in release 18). This module reads the miRBase files into the three normalised
tables of ``docs/data-model.md``:

``mature``
    ``accession`` (MIMAT…), ``name``, ``species`` (name prefix), ``sequence`` (RNA, upper case),
    from ``mature.fa``. The accession is the stable identifier; names change, accessions do not.
``aliases``
    ``accession``, ``alias``, ``source``: every former name of a mature accession, from
    ``aliases.txt`` and/or a release-history table. Current names are not repeated.
``precursors``
    ``precursor_accession``, ``precursor_name``, ``mature_accession``: which hairpin each mature
    product comes from, so that a precursor name (``hsa-mir-21``) can be resolved to its mature
    products.

:func:`build_mirbase` merges the sources and returns an audit table of every row it dropped.
"""

from __future__ import annotations

import io
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from Bio import SeqIO

from ._io import read_delimited, read_text
from .errors import ReferenceFormatError

__all__ = [
    "ALIAS_COLUMNS",
    "AUDIT_COLUMNS",
    "MATURE_COLUMNS",
    "PRECURSOR_COLUMNS",
    "SPECIES_NAMES",
    "SPECIES_TAXIDS",
    "MirbaseTables",
    "build_mirbase",
    "derive_precursor_links",
    "read_aliases",
    "read_history_table",
    "read_mature_fasta",
    "release_key",
]

MATURE_COLUMNS = ("accession", "name", "species", "sequence")
ALIAS_COLUMNS = ("accession", "alias", "source")
PRECURSOR_COLUMNS = ("precursor_accession", "precursor_name", "mature_accession")
AUDIT_COLUMNS = ("source_file", "item", "action", "reason")

#: miRBase species prefix -> the organism name that miRBase (and miRTarBase) print.
SPECIES_NAMES: dict[str, str] = {
    "hsa": "Homo sapiens",
    "mmu": "Mus musculus",
    "rno": "Rattus norvegicus",
}

#: miRBase species prefix -> NCBI taxonomy ID (TargetScan's "Species ID" / "Gene Tax ID").
SPECIES_TAXIDS: dict[str, int] = {"hsa": 9606, "mmu": 10090, "rno": 10116}

_MATURE_ACC = re.compile(r"^MIMAT\d+$")
_ANY_ACC = re.compile(r"^(MIMAT|MI)\d+$")
_RELEASE = re.compile(r"^\d+(\.\d+)*$")
_ARM = re.compile(r"-(5p|3p)$")

#: Columns of the release-history table derived from miRBaseConverter (one row per release,
#: precursor and mature arm).
HISTORY_FULL_COLUMNS = (
    "mirbase_version",
    "precursor_acc",
    "precursor_id",
    "precursor_status_vs_prev",
    "mature_acc",
    "mature_id",
    "mature_seq",
)
#: Columns of the minimal release-history layout: one row per (accession, release, name).
HISTORY_MINIMAL_COLUMNS = ("accession", "release", "name")


@dataclass(frozen=True)
class MirbaseTables:
    """The normalised miRBase tables (see ``docs/data-model.md``).

    Attributes
    ----------
    mature
        ``accession, name, species, sequence``; one row per mature accession, sorted by accession.
    aliases
        ``accession, alias, source``; one row per (accession, alias), sorted by both.
    precursors
        ``precursor_accession, precursor_name, mature_accession``; ``precursor_accession`` is
        empty for links derived from names (:func:`derive_precursor_links`).
    audit
        ``source_file, item, action, reason``: every input row that was dropped, and why.
    """

    mature: pd.DataFrame
    aliases: pd.DataFrame
    precursors: pd.DataFrame
    audit: pd.DataFrame


def release_key(release: str) -> tuple[int, ...]:
    """Sort key of a miRBase release string: ``"7.1"`` -> ``(7, 1)``, so 7.1 < 10 < 22.1.

    Releases are compared numerically because as strings ``"10" < "7.1"``.
    """
    return tuple(int(part) for part in str(release).split("."))


def _species_of(name: str) -> str:
    return name.split("-", 1)[0]


# --------------------------------------------------------------------------------- mature.fa --


def read_mature_fasta(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read miRBase ``mature.fa`` (plain or gzip) into ``accession, name, species, sequence``.

    Each record header has the miRBase layout ``>hsa-miR-21-5p MIMAT0000076 Homo sapiens
    miR-21-5p``: the name, then the accession, then the organism and the name without prefix.
    The species is the name's prefix before the first ``-`` (``hsa``), which is how miRBase
    encodes the organism in every name. Sequences are returned upper case with ``T`` written as
    ``U``, so that DNA-alphabet copies of the file give the same table as the original.

    Parameters
    ----------
    path
        ``mature.fa`` or ``mature.fa.gz`` (gzip is recognised by content, not by name).

    Returns
    -------
    pandas.DataFrame
        One row per record, in file order.

    Raises
    ------
    ReferenceFormatError
        Empty file, text that is not FASTA, a header without a ``MIMAT`` accession, a name
        without a species prefix, a record without sequence, or an accession that occurs twice
        (each message names the line).
    """
    text = read_text(path)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ReferenceFormatError("miRBase mature.fa has no records", path=path)
    if not lines[first].startswith(">"):
        raise ReferenceFormatError(
            "not a FASTA file: the first line is not a '>' header",
            path=path,
            line=first + 1,
            value=lines[first][:80],
            hint="give miRBase mature.fa (or mature.fa.gz) as distributed",
        )
    header_lines = [i + 1 for i, line in enumerate(lines) if line.startswith(">")]
    records = list(SeqIO.parse(io.StringIO(text), "fasta"))
    if len(records) != len(header_lines):  # pragma: no cover - Biopython splits on '>' lines
        raise ReferenceFormatError("FASTA records could not be delimited", path=path)

    rows: list[tuple[str, str, str, str]] = []
    seen: dict[str, int] = {}
    for record, line_no in zip(records, header_lines, strict=True):
        tokens = record.description.split()
        if not tokens:
            raise ReferenceFormatError("empty FASTA header", path=path, line=line_no)
        name = tokens[0]
        accession = tokens[1] if len(tokens) > 1 else ""
        if not _MATURE_ACC.match(accession):
            raise ReferenceFormatError(
                "header has no MIMAT accession after the name",
                path=path,
                line=line_no,
                value=record.description,
                hint="expected the miRBase layout '>hsa-miR-21-5p MIMAT0000076 Homo sapiens "
                "miR-21-5p'",
            )
        if "-" not in name:
            raise ReferenceFormatError(
                "miRNA name has no species prefix (such as 'hsa-')",
                path=path,
                line=line_no,
                value=name,
            )
        sequence = str(record.seq).strip().upper().replace("T", "U")
        if not sequence:
            raise ReferenceFormatError(
                "record has no sequence", path=path, line=line_no, value=name
            )
        if accession in seen:
            raise ReferenceFormatError(
                f"accession occurs twice (first on line {seen[accession]})",
                path=path,
                line=line_no,
                value=accession,
                hint="mature.fa lists each accession once; the file may be a concatenation",
            )
        seen[accession] = line_no
        rows.append((accession, name, _species_of(name), sequence))
    return pd.DataFrame(rows, columns=list(MATURE_COLUMNS))


# ------------------------------------------------------------------------------ aliases.txt --


def read_aliases(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read miRBase ``aliases.txt`` into ``accession, alias, source``.

    Each line is an accession, a tab, and every name that accession has had, ``;``-separated
    and ``;``-terminated (``MIMAT0000062<TAB>hsa-let-7a;hsa-let-7a-5p;``). Lines of precursor
    accessions (``MI…``) are read as well; :func:`build_mirbase` keeps only mature accessions.
    The current name is part of each list here: it is removed by :func:`build_mirbase`, which
    knows the current names from ``mature.fa``.

    Returns
    -------
    pandas.DataFrame
        One row per distinct (accession, alias) in file order; ``source`` is ``aliases.txt``.

    Raises
    ------
    ReferenceFormatError
        Empty file, a line that is not tab-separated, an accession that is neither ``MIMAT…``
        nor ``MI…``, or a line without names (each message names the line).
    """
    text = read_text(path)
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) < 2:
            raise ReferenceFormatError(
                "line is not '<accession><TAB><name>;<name>;…'",
                path=path,
                line=line_no,
                value=line[:80],
                hint="give miRBase aliases.txt as distributed (tab-separated)",
            )
        accession = fields[0].strip()
        if not _ANY_ACC.match(accession):
            raise ReferenceFormatError(
                "first field is not a miRBase accession (MIMAT… or MI…)",
                path=path,
                line=line_no,
                value=accession,
            )
        names = [n.strip() for field in fields[1:] for n in field.split(";") if n.strip()]
        if not names:
            raise ReferenceFormatError("line lists no names", path=path, line=line_no)
        for name in names:
            key = (accession, name)
            if key not in seen:
                seen.add(key)
                rows.append(key)
    if not rows:
        raise ReferenceFormatError("miRBase aliases.txt has no rows", path=path)
    frame = pd.DataFrame(rows, columns=["accession", "alias"])
    frame["source"] = "aliases.txt"
    return frame


# ---------------------------------------------------------------------------- history table --


def read_history_table(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a miRBase release-history table into former names and precursor links.

    Two tab-separated layouts are accepted, recognised by their header:

    * the per-release table derived from miRBaseConverter (columns ``mirbase_version,
      precursor_acc, precursor_id, precursor_status_vs_prev, mature_acc, mature_id,
      mature_seq``; one row per release, precursor and mature product);
    * a minimal table ``accession, release, name`` (one row per name an accession had in a
      release).

    Every name an accession had in any release becomes an alias whose source is
    ``history:<release>``, with the *earliest* release the name appeared in: that is the release
    a reader of an old paper would have used. The current name is included; :func:`build_mirbase`
    removes it.

    Returns
    -------
    (aliases, precursors)
        ``aliases``: ``accession, alias, source`` sorted by accession and alias.
        ``precursors``: ``precursor_accession, precursor_name, mature_accession`` of the latest
        release in the table (empty for the minimal layout, which has no precursors).

    Raises
    ------
    ReferenceFormatError
        Empty file, wrong delimiter, a header that matches neither layout, a release that is not
        a version number, or a row without accession or name.
    """
    frame = read_delimited(path, what="miRBase release-history table")
    columns = set(frame.columns)
    if set(HISTORY_FULL_COLUMNS) <= columns:
        acc_col, rel_col, name_col = "mature_acc", "mirbase_version", "mature_id"
    elif set(HISTORY_MINIMAL_COLUMNS) <= columns:
        acc_col, rel_col, name_col = "accession", "release", "name"
    else:
        raise ReferenceFormatError(
            "release-history table has neither the columns "
            f"{', '.join(HISTORY_FULL_COLUMNS)} nor the columns "
            f"{', '.join(HISTORY_MINIMAL_COLUMNS)}; found {', '.join(frame.columns)}",
            path=path,
            line=1,
        )
    if frame.empty:
        raise ReferenceFormatError("release-history table has no rows", path=path)
    frame = frame.apply(lambda col: col.fillna("").astype("str").str.strip())
    # Line numbers assume no blank lines, which the distributed tables do not have.
    for col in (acc_col, rel_col, name_col):
        empty = frame.index[frame[col] == ""]
        if len(empty):
            raise ReferenceFormatError(
                f"row has an empty {col!r}", path=path, line=int(empty[0]) + 2
            )
    bad = frame.index[~frame[rel_col].str.fullmatch(_RELEASE.pattern)]
    if len(bad):
        raise ReferenceFormatError(
            "release is not a version number such as '21' or '7.1'",
            path=path,
            line=int(bad[0]) + 2,
            value=frame.at[bad[0], rel_col],
        )

    releases = sorted(frame[rel_col].unique(), key=release_key)
    rank = {r: i for i, r in enumerate(releases)}
    names = pd.DataFrame(
        {
            "accession": frame[acc_col],
            "alias": frame[name_col],
            "rank": frame[rel_col].map(rank).astype("int64"),
        }
    )
    earliest = names.groupby(["accession", "alias"], sort=True, as_index=False)["rank"].min()
    aliases = pd.DataFrame(
        {
            "accession": earliest["accession"],
            "alias": earliest["alias"],
            "source": ["history:" + releases[i] for i in earliest["rank"]],
        }
    )

    if acc_col == "mature_acc":
        latest = frame[frame[rel_col] == releases[-1]]
        precursors = (
            pd.DataFrame(
                {
                    "precursor_accession": latest["precursor_acc"],
                    "precursor_name": latest["precursor_id"],
                    "mature_accession": latest["mature_acc"],
                }
            )
            .drop_duplicates()
            .sort_values(["precursor_name", "mature_accession"], kind="stable")
            .reset_index(drop=True)
        )
    else:
        precursors = pd.DataFrame({c: pd.Series([], dtype="str") for c in PRECURSOR_COLUMNS})
    return aliases.reset_index(drop=True), precursors


# ----------------------------------------------------------------------- precursors by name --


def _precursor_stem(name: str) -> tuple[str, str | None]:
    """``hsa-miR-103a-1-5p`` -> (``hsa-mir-103a-1``, ``5p``); ``hsa-let-7a`` -> (itself, None)."""
    match = _ARM.search(name)
    arm = match.group(1) if match else None
    stem = name[: match.start()] if match else name
    parts = stem.split("-")
    if len(parts) > 1 and parts[1] == "miR":
        parts[1] = "mir"
    return "-".join(parts), arm


def _copy_base(stem: str) -> str | None:
    """The stem without its copy number (``hsa-mir-103a-1`` -> ``hsa-mir-103a``), or None."""
    parts = stem.split("-")
    if len(parts) >= 4 and parts[-1].isdigit():
        return "-".join(parts[:-1])
    return None


def derive_precursor_links(mature: pd.DataFrame) -> pd.DataFrame:
    """Precursor links inferred from mature names alone (miRBase nomenclature).

    Used when no source gives the real links. The rule, per mature name:

    1. Remove the arm suffix (``-5p``/``-3p``) and write ``miR`` as ``mir``: the *stem*
       (``hsa-miR-21-5p`` -> ``hsa-mir-21``). miRBase names a hairpin like its mature products,
       in lower case ``mir``; ``let``/``lin`` names keep their spelling (``hsa-let-7a``).
    2. A stem that ends in a copy number (four or more ``-``-separated parts, the last one all
       digits: ``hsa-mir-103a-1``) is itself the precursor name: ``hsa-miR-103a-1-5p`` comes
       from ``hsa-mir-103a-1``.
    3. A stem without copy number links to every copy that other mature names of the table
       reveal (``hsa-miR-103a-3p`` -> ``hsa-mir-103a-1`` and ``hsa-mir-103a-2``, because
       ``hsa-miR-103a-1-5p`` and ``hsa-miR-103a-2-5p`` exist), except a copy whose same arm has
       a name of its own (``hsa-let-7a-2-3p`` exists, so ``hsa-let-7a-3p`` does not come from
       ``hsa-let-7a-2``).
    4. Otherwise the stem itself is the precursor name (``hsa-mir-21``). When a hairpin has
       copies that no mature name reveals (``hsa-mir-1-1``/``-2``), this stem stands for all of
       them; it is the name a reader would use for "the precursor of miR-1".

    On miRBase 22 human names this reproduces 88% of the release-22 links exactly; the rest are
    rule-4 stems of multi-copy hairpins. ``precursor_accession`` is empty for every derived link,
    which marks it as derived.

    Parameters
    ----------
    mature
        A table with ``accession`` and ``name`` (the ``mature`` table).

    Returns
    -------
    pandas.DataFrame
        ``precursor_accession`` (empty), ``precursor_name``, ``mature_accession``, sorted by
        precursor name and mature accession.
    """
    stems = [
        (acc, *_precursor_stem(name))
        for acc, name in zip(mature["accession"], mature["name"], strict=True)
    ]
    copies: dict[str, set[str]] = defaultdict(set)
    named_arms: set[tuple[str, str | None]] = set()
    for _, stem, arm in stems:
        base = _copy_base(stem)
        if base is not None:
            copies[base].add(stem)
            named_arms.add((stem, arm))
    links: set[tuple[str, str]] = set()
    for acc, stem, arm in stems:
        if _copy_base(stem) is not None:
            links.add((stem, acc))
            continue
        revealed = [c for c in copies.get(stem, ()) if (c, arm) not in named_arms]
        if revealed:
            links.update((c, acc) for c in revealed)
        else:
            links.add((stem, acc))
    ordered = sorted(links)
    return pd.DataFrame(
        {
            "precursor_accession": [""] * len(ordered),
            "precursor_name": [p for p, _ in ordered],
            "mature_accession": [a for _, a in ordered],
        },
        columns=list(PRECURSOR_COLUMNS),
    )


# -------------------------------------------------------------------------------- build step --


def _audit(source: str, items: pd.Series, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"source_file": source, "item": items.to_numpy(), "action": "dropped", "reason": reason},
        columns=list(AUDIT_COLUMNS),
    )


def build_mirbase(
    mature_path: str | os.PathLike[str],
    aliases_path: str | os.PathLike[str] | None = None,
    history_path: str | os.PathLike[str] | None = None,
) -> MirbaseTables:
    """Build the normalised miRBase tables from ``mature.fa`` and optional name sources.

    Steps, each loss recorded in ``audit``:

    * aliases from ``aliases.txt`` and from the history table are pooled; ``aliases.txt`` rows
      come first, so when both give the same (accession, alias) the ``aliases.txt`` row is kept
      and the history row is audited as a duplicate;
    * aliases of accessions that are not in ``mature.fa`` are dropped: precursor accessions
      (``MI…``; their links are in ``precursors``) and mature accessions that the release no
      longer has (dead entries);
    * an alias equal to the accession's current name is dropped (current names live in
      ``mature``);
    * precursor links come from the history table for the mature accessions it covers (those
      of the latest release it contains), and links to mature accessions absent from
      ``mature.fa`` are dropped; every other mature accession gets links derived from names
      (:func:`derive_precursor_links`, with an empty ``precursor_accession``).

    An alias that is the current name of *another* accession is kept: deciding between a current
    name and a former one is the name resolver's job, and it needs to see both.

    Returns
    -------
    MirbaseTables
        Sorted deterministically: mature by accession, aliases by (accession, alias),
        precursors by (precursor_name, mature_accession).
    """
    mature = (
        read_mature_fasta(mature_path)
        .sort_values("accession", kind="stable")
        .reset_index(drop=True)
    )
    current = dict(zip(mature["accession"], mature["name"], strict=True))
    audits: list[pd.DataFrame] = []

    pooled: list[pd.DataFrame] = []
    history_precursors: pd.DataFrame | None = None
    if aliases_path is not None:
        frame = read_aliases(aliases_path)
        frame["file"] = Path(aliases_path).name
        pooled.append(frame)
    if history_path is not None:
        frame, history_precursors = read_history_table(history_path)
        frame["file"] = Path(history_path).name
        pooled.append(frame)

    if pooled:
        aliases = pd.concat(pooled, ignore_index=True)
        item = aliases["accession"] + " " + aliases["alias"]
        in_mature = aliases["accession"].isin(current.keys())
        is_precursor = aliases["accession"].str.startswith("MI") & ~aliases[
            "accession"
        ].str.startswith("MIMAT")
        for mask, reason in (
            (is_precursor, "precursor accession: precursor names are kept in precursors"),
            (~in_mature & ~is_precursor, "mature accession not in mature.fa (dead or removed)"),
        ):
            for file, rows in aliases[mask].groupby("file", sort=False):
                audits.append(_audit(str(file), item[rows.index], reason))
        aliases = aliases[in_mature]
        item = item[aliases.index]
        is_current = aliases["alias"] == aliases["accession"].map(current)
        for file, rows in aliases[is_current].groupby("file", sort=False):
            audits.append(_audit(str(file), item[rows.index], "alias equals the current name"))
        aliases = aliases[~is_current]
        duplicate = aliases.duplicated(["accession", "alias"], keep="first")
        for file, rows in aliases[duplicate].groupby("file", sort=False):
            audits.append(
                _audit(
                    str(file), item[rows.index], "same accession and alias already in aliases.txt"
                )
            )
        aliases = (
            aliases[~duplicate][list(ALIAS_COLUMNS)]
            .sort_values(["accession", "alias"], kind="stable")
            .reset_index(drop=True)
        )
    else:
        aliases = pd.DataFrame({c: pd.Series([], dtype="str") for c in ALIAS_COLUMNS})

    links: list[pd.DataFrame] = []
    covered: set[str] = set()
    if history_precursors is not None and not history_precursors.empty:
        known = history_precursors["mature_accession"].isin(current.keys())
        if (~known).any():
            dropped = history_precursors[~known]
            audits.append(
                _audit(
                    Path(history_path).name,  # type: ignore[arg-type]
                    dropped["precursor_name"] + " " + dropped["mature_accession"],
                    "precursor link to a mature accession not in mature.fa",
                )
            )
        links.append(history_precursors[known])
        covered = set(history_precursors.loc[known, "mature_accession"])
    rest = mature[~mature["accession"].isin(covered)]
    if not rest.empty:
        links.append(derive_precursor_links(rest))
    if links:
        precursors = pd.concat(links, ignore_index=True)
    else:
        precursors = pd.DataFrame({c: pd.Series([], dtype="str") for c in PRECURSOR_COLUMNS})
    precursors = (
        precursors[list(PRECURSOR_COLUMNS)]
        .drop_duplicates()
        .sort_values(["precursor_name", "mature_accession", "precursor_accession"], kind="stable")
        .reset_index(drop=True)
    )

    if audits:
        audit = pd.concat(audits, ignore_index=True)
    else:
        audit = pd.DataFrame({c: pd.Series([], dtype="str") for c in AUDIT_COLUMNS})
    return MirbaseTables(mature=mature, aliases=aliases, precursors=precursors, audit=audit)
