"""The HTML report: ``index.html`` (overview across sets) and one page per set.

The report is what a user of exomir reads, so it is built to be trusted and to travel:

* **self-contained** — CSS, the small table script and every figure (inline SVG, see
  :mod:`exomir.plots`) are inside each page; nothing is fetched from a network, so a page opens
  on an air-gapped cluster node or from an e-mail attachment. The only outside addresses are
  DOI links to the literature in the methods text;
* **deterministic** — the same inputs give the same bytes (sorted iteration, fixed SVG hash
  salt, the run date is an input), so a re-run that changed nothing shows no difference;
* **honest about what is missing** — a calibration or comparison that was not run, a focus
  pathway with no tested term, a miRNA that resolved but has no target: each is said in words,
  never silently left out.

Structure
---------
A page is a list of :class:`Section` objects, each built by a small function from the run's
:class:`ReportData` and rendered by its own template ``templates/section_<name>.html.j2``.
:data:`OVERVIEW_SECTIONS` and :data:`SET_SECTIONS` list the builders in page order. Adding a
section (for example pathway-direction signatures) takes three steps: add the input to
:class:`ReportData`, write a builder ``(data) -> Section | None`` (overview) or
``(data, set_name) -> Section | None`` (set page) plus its template, and append the builder to
the tuple. A builder that returns ``None`` leaves its section out.

Inputs follow docs/data-model.md: :func:`read_report_data` reads the result files and checks
their columns and values (errors name the file, the line and the fix); :func:`build_report_data`
does the same checks on tables already in memory. :func:`write_report` renders and writes the
pages atomically; :func:`render_report` does both steps from keyword arguments.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import pandas as pd
import yaml
from markupsafe import Markup

from . import __version__
from . import signatures as sg
from ._io import read_delimited, read_text, write_text
from .enrichment import TABLE_COLUMNS
from .errors import ConfigError, InputError
from .focus import load_focus_pathways
from .overlap import OVERLAP_COLUMNS, overlap_summary
from .plots import (
    GridCell,
    HeatmapCell,
    QQSeries,
    SignatureBar,
    focus_heatmap_svg,
    qq_plot_svg,
    signature_bars_svg,
    signature_grid_svg,
    superscript_number,
    upset_svg,
)
from .tables import files_by_set

# --------------------------------------------------------------------------------------------
# Table contracts (docs/data-model.md)
# --------------------------------------------------------------------------------------------

NAMES_COLUMNS = (
    "set",
    "input",
    "resolved",
    "accession",
    "rule",
    "status",
    "candidates",
    "suggestions",
)
#: Optional name-audit column: a free-text remark of the resolver (e.g. the wrong species).
NAMES_OPTIONAL = ("note",)

TARGETS_REQUIRED = ("set", "mirna", "gene", "n_sources", "sources")
#: Evidence columns of the target table; a source that was not configured may leave its
#: columns out or empty.
TARGETS_OPTIONAL = (
    "input_name",
    "mirtarbase_tier",
    "mirtarbase_pmids",
    "mirtarbase_experiments",
    "targetscan_context_score",
    "targetscan_conserved",
    "mirdb_score",
    "libraries",
    "weight",
    "confidence",
)

ENRICHMENT_COLUMNS = TABLE_COLUMNS

CALIBRATION_SUMMARY_COLUMNS = ("method", "n_queries", "query_size", "fraction_any_fdr05")
CALIBRATION_PVALUES_COLUMNS = ("method", "expected", "observed")

COMPARISON_COLUMNS = (
    "set_a",
    "set_b",
    "library",
    "term_id",
    "term",
    "focus",
    "overlap_a",
    "overlap_b",
    "fraction_a",
    "fraction_b",
    "difference",
    "p_perm",
    "fdr",
)
#: Other spellings of comparison columns that are accepted and renamed on reading.
COMPARISON_ALIASES = {
    "frac_a": "fraction_a",
    "frac_b": "fraction_b",
    "diff": "difference",
    "fdr_perm": "fdr",
}

#: Reference provenance (results/references.tsv, see exomir.provenance): one row per file.
REFERENCE_COLUMNS = ("key", "version", "kind", "location", "size", "sha256")
REFERENCE_OPTIONAL = ("section", "name", "role", "file", "checksum", "retrieved_at")

#: Shared and unique members across sets (results/compare/overlap_{mirnas,targets}.tsv), by
#: kind: the file name each kind is read from and how the report names its members.
OVERLAP_FILES = {"mirnas": "overlap_mirnas.tsv", "targets": "overlap_targets.tsv"}
OVERLAP_LABELS = {"mirnas": "miRNAs", "targets": "target genes"}
OVERLAP_TITLES = {"mirnas": "miRNAs", "targets": "Target genes"}
#: Combinations drawn in an UpSet plot; the table below it lists all of them.
MAX_UPSET_COLUMNS = 30

#: Per-source summary of the target step (results/targets/sources.tsv).
SOURCE_SUMMARY_COLUMNS = ("source", "edges", "edges_kept", "edges_combined")

_NUMERIC = {
    "targets": (
        "n_sources",
        "mirtarbase_pmids",
        "targetscan_context_score",
        "mirdb_score",
        "weight",
        "confidence",
    ),
    "enrichment": (
        "term_size",
        "overlap",
        "n_targets",
        "background_size",
        "expected",
        "fold_enrichment",
        "p_ora",
        "fdr_ora",
        "p_emp",
        "fdr_emp",
        "null_mean",
        "null_sd",
        "n_null",
        "k_mirnas",
    ),
    "calibration summary": ("n_queries", "query_size", "fraction_any_fdr05"),
    "calibration p-values": ("expected", "observed"),
    "comparison": (
        "overlap_a",
        "overlap_b",
        "fraction_a",
        "fraction_b",
        "difference",
        "p_perm",
        "fdr",
    ),
    "source summary": (
        "edges",
        "mirnas",
        "genes",
        "edges_kept",
        "mirnas_kept",
        "genes_kept",
        "edges_combined",
    ),
}

#: Columns that hold probabilities and must lie in [0, 1].
_PROBABILITIES = {
    "enrichment": ("p_ora", "fdr_ora", "p_emp", "fdr_emp"),
    "calibration summary": ("fraction_any_fdr05",),
    "calibration p-values": ("expected", "observed"),
    "comparison": ("p_perm", "fdr"),
}

_SET_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")

#: Rows shown by default in the per-set tables; the full tables are linked for download.
TOP_TERMS = 25
MAX_TERMS = 200
TOP_EDGES = 100
TOP_COMPARISON_TERMS = 15

# --------------------------------------------------------------------------------------------
# Input bundle
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Calibration results: ``summary`` (one row per method) and ``pvalues`` (QQ quantiles).

    ``pvalues`` may be ``None`` when only the summary exists; the QQ plot is then left out
    with a sentence saying so.
    """

    summary: pd.DataFrame
    pvalues: pd.DataFrame | None = None


@dataclass(frozen=True)
class ReportData:
    """Everything one report is made from, checked and normalised by :func:`build_report_data`.

    Attributes
    ----------
    sets
        Set names in the order of the sheet; this is the order of the pages and table rows.
    names, targets, enrichment
        Per-set result tables (name audit, target edges, enrichment), numeric columns numeric
        and boolean columns boolean.
    enrichment_params
        Per-set enrichment parameters (the ``{set}.json`` beside each enrichment table).
    references
        Provenance of every reference file, one record per file, sorted by key and role
        (:data:`REFERENCE_COLUMNS`; ``checksum`` says how the bytes were verified).
    config
        The run's full configuration, shown on every page.
    focus
        Focus-pathway key -> display label, in display order.
    msc_sources
        Set -> MSC source (bone_marrow, adipose, ...) from the miRNA-set sheet.
    source_summary
        Edges per target source before and after the policy (:data:`SOURCE_SUMMARY_COLUMNS`).
    calibration, comparisons
        Optional run-level results; ``None`` means the step was not run.
    overlaps
        Exclusive intersections of the sets' miRNAs and target genes, keyed ``mirnas`` and
        ``targets`` (:data:`exomir.overlap.OVERLAP_COLUMNS`); ``None`` leaves the section out.
    signatures
        Set -> its signature outputs (:class:`exomir.signatures.SignatureFiles`: calls,
        drivers, literature comparison, parameters); ``None`` leaves the sections out.
    fdr
        Significance threshold on every FDR column.
    generated
        Run date shown in the header (an input, so that the bytes are reproducible).
    downloads
        Set -> {"targets" | "enrichment" | "names": relative href of the full table}.
    """

    sets: tuple[str, ...]
    names: Mapping[str, pd.DataFrame]
    targets: Mapping[str, pd.DataFrame]
    enrichment: Mapping[str, pd.DataFrame]
    enrichment_params: Mapping[str, Mapping[str, Any]]
    references: tuple[Mapping[str, Any], ...]
    config: Mapping[str, Any]
    focus: Mapping[str, str]
    msc_sources: Mapping[str, str] = field(default_factory=dict)
    source_summary: pd.DataFrame | None = None
    calibration: Calibration | None = None
    comparisons: Mapping[tuple[str, str], pd.DataFrame] | None = None
    overlaps: Mapping[str, pd.DataFrame] | None = None
    signatures: Mapping[str, sg.SignatureFiles] | None = None
    fdr: float = 0.05
    generated: str | None = None
    downloads: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def _at(path: str | os.PathLike[str] | None, row: int | None = None) -> dict[str, Any]:
    """Keyword arguments that make an :class:`InputError` name the file and line of a row.

    ``row`` is the 0-based data row; its line is ``row + 2`` (the header is line 1), which holds
    for the tables exomir writes (no comment or blank lines). Tables passed in memory have no
    file, and the message names the table and set instead.
    """
    if path is None:
        return {}
    return {"path": path} if row is None else {"path": path, "line": row + 2}


def _check_columns(
    frame: pd.DataFrame,
    required: Sequence[str],
    *,
    what: str,
    path: str | os.PathLike[str] | None = None,
) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns) or "none"
        raise InputError(
            f"{what} lacks column(s) {', '.join(repr(m) for m in missing)}; found {found}",
            hint="the table must have the columns listed in docs/data-model.md",
            **_at(path),
        )


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return bool(value is pd.NA) or (isinstance(value, str) and not value.strip())


def _numeric_columns(
    frame: pd.DataFrame,
    columns: Iterable[str],
    *,
    what: str,
    path: str | os.PathLike[str] | None,
    probabilities: Iterable[str] = (),
) -> pd.DataFrame:
    """Convert ``columns`` to float; blank cells become NaN, anything else non-numeric fails."""
    frame = frame.copy()
    prob = set(probabilities)
    for column in columns:
        if column not in frame.columns:
            continue
        original = frame[column]
        text = original.astype("object").where(~original.map(_blank), None)
        values = pd.to_numeric(text, errors="coerce").astype(float)
        bad = values.isna() & text.notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(
                f"column {column!r} of the {what} must be numeric",
                value=str(original.iloc[row]),
                hint="write numbers (or leave the cell empty for 'not available')",
                **_at(path, row),
            )
        if column in prob:
            out = (values < 0) | (values > 1)
            if out.any():
                row = int(out.to_numpy().nonzero()[0][0])
                raise InputError(
                    f"column {column!r} of the {what} holds a probability outside [0, 1]",
                    value=float(values.iloc[row]),
                    hint="p-values, FDRs and fractions must lie between 0 and 1",
                    **_at(path, row),
                )
        frame[column] = values
    return frame


_TRUE = {"true", "1", "yes", "t"}
_FALSE = {"false", "0", "no", "f", ""}


def _boolean_column(
    frame: pd.DataFrame, column: str, *, what: str, path: str | os.PathLike[str] | None
) -> pd.DataFrame:
    if column not in frame.columns:
        return frame
    frame = frame.copy()
    out: list[bool] = []
    for row, value in enumerate(frame[column].tolist()):
        if isinstance(value, bool):
            out.append(value)
            continue
        text = "" if _blank(value) else str(value).strip().lower()
        if text in _TRUE:
            out.append(True)
        elif text in _FALSE:
            out.append(False)
        else:
            raise InputError(
                f"column {column!r} of the {what} must be true or false",
                value=str(value),
                hint="write true/false",
                **_at(path, row),
            )
    frame[column] = pd.Series(out, index=frame.index, dtype=bool)
    return frame


def _text_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Make ``columns`` plain strings with "" for missing, adding absent ones as empty."""
    frame = frame.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
        else:
            frame[column] = ["" if _blank(v) else str(v).strip() for v in frame[column].tolist()]
    return frame


def _check_set_column(
    frame: pd.DataFrame,
    set_name: str,
    *,
    what: str,
    path: str | os.PathLike[str] | None,
) -> None:
    if "set" not in frame.columns:
        return
    for row, value in enumerate(frame["set"].tolist()):
        if not _blank(value) and str(value) != set_name:
            raise InputError(
                f"the {what} of set {set_name!r} holds a row of another set",
                value=str(value),
                hint="each result table must belong to the set its file is named after",
                **_at(path, row),
            )


def normalise_names(
    frame: pd.DataFrame, set_name: str, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a name-audit table and return it with every column a plain string."""
    what = "name audit"
    _check_columns(frame, NAMES_COLUMNS, what=what, path=path)
    _check_set_column(frame, set_name, what=what, path=path)
    frame = _text_columns(frame, (*NAMES_COLUMNS, *NAMES_OPTIONAL))
    for row, status in enumerate(frame["status"].tolist()):
        if status not in ("ok", "ambiguous", "unknown"):
            raise InputError(
                "name-audit status must be ok, ambiguous or unknown",
                value=status,
                hint="regenerate the name audit with exomir",
                **_at(path, row),
            )
    return frame.reset_index(drop=True)


def normalise_targets(
    frame: pd.DataFrame, set_name: str, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a target-edge table; evidence columns become numeric, text columns strings."""
    what = "target table"
    _check_columns(frame, TARGETS_REQUIRED, what=what, path=path)
    _check_set_column(frame, set_name, what=what, path=path)
    numeric = _NUMERIC["targets"]
    frame = _numeric_columns(frame, numeric, what=what, path=path)
    frame = _text_columns(
        frame, [c for c in (*TARGETS_REQUIRED, *TARGETS_OPTIONAL) if c not in numeric]
    )
    for column in numeric:
        if column not in frame.columns:
            frame[column] = float("nan")
    return frame.reset_index(drop=True)


def normalise_enrichment(
    frame: pd.DataFrame, set_name: str, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check an enrichment table (all columns of the contract; values in range)."""
    what = "enrichment table"
    _check_columns(frame, ENRICHMENT_COLUMNS, what=what, path=path)
    _check_set_column(frame, set_name, what=what, path=path)
    frame = _numeric_columns(
        frame,
        _NUMERIC["enrichment"],
        what=what,
        path=path,
        probabilities=_PROBABILITIES["enrichment"],
    )
    frame = _boolean_column(frame, "cluster_lead", what=what, path=path)
    frame = _text_columns(
        frame, ("set", "library", "term_id", "term", "focus", "cluster", "overlap_genes")
    )
    return frame.reset_index(drop=True)


def normalise_calibration(
    summary: pd.DataFrame,
    pvalues: pd.DataFrame | None,
    *,
    summary_path: str | os.PathLike[str] | None = None,
    pvalues_path: str | os.PathLike[str] | None = None,
) -> Calibration:
    """Check the calibration summary and QQ quantiles."""
    _check_columns(
        summary, CALIBRATION_SUMMARY_COLUMNS, what="calibration summary", path=summary_path
    )
    # Descriptive text columns (which null was calibrated) stay text; the rest are numbers.
    text = [c for c in ("method", "null") if c in summary.columns]
    summary = _numeric_columns(
        summary,
        [c for c in summary.columns if c not in text],
        what="calibration summary",
        path=summary_path,
        probabilities=_PROBABILITIES["calibration summary"],
    )
    summary = _text_columns(summary, text)
    if pvalues is not None:
        _check_columns(
            pvalues, CALIBRATION_PVALUES_COLUMNS, what="calibration p-values", path=pvalues_path
        )
        pvalues = _numeric_columns(
            pvalues,
            _NUMERIC["calibration p-values"],
            what="calibration p-values",
            path=pvalues_path,
            probabilities=_PROBABILITIES["calibration p-values"],
        )
        pvalues = _text_columns(pvalues, ["method"])
    return Calibration(summary.reset_index(drop=True), pvalues)


def normalise_comparison(
    frame: pd.DataFrame, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a set-comparison table."""
    what = "comparison table"
    renames = {old: new for old, new in COMPARISON_ALIASES.items() if old in frame.columns}
    if renames:
        frame = frame.rename(columns=renames)
    _check_columns(frame, COMPARISON_COLUMNS, what=what, path=path)
    frame = _numeric_columns(
        frame,
        _NUMERIC["comparison"],
        what=what,
        path=path,
        probabilities=_PROBABILITIES["comparison"],
    )
    frame = _text_columns(frame, ("set_a", "set_b", "library", "term_id", "term", "focus"))
    return frame.reset_index(drop=True)


def normalise_overlap(
    frame: pd.DataFrame,
    sets: Sequence[str],
    *,
    kind: str = "mirnas",
    path: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Check an overlap table (one row per combination of sets, :data:`OVERLAP_COLUMNS`).

    Every set of a combination must be a reported set, ``n_sets`` must count them and ``size``
    must count the members, so that the figure and the table behind it cannot disagree.
    """
    what = f"overlap table of {OVERLAP_LABELS.get(kind, kind)}"
    _check_columns(frame, OVERLAP_COLUMNS, what=what, path=path)
    frame = _numeric_columns(frame, ("n_sets", "size"), what=what, path=path)
    frame = _text_columns(frame, ("sets", "members"))
    known = set(sets)
    for row, record in enumerate(frame.to_dict("records")):
        combo = split_list(record["sets"])
        unknown = [s for s in combo if s not in known]
        if not combo or unknown:
            raise InputError(
                f"the {what} names a set that is not reported",
                value=record["sets"],
                hint=f"reported sets: {', '.join(sets)}; regenerate the overlap tables",
                **_at(path, row),
            )
        for column, expected in (
            ("n_sets", len(combo)),
            ("size", len(split_list(record["members"]))),
        ):
            if record[column] != expected:
                raise InputError(
                    f"column {column!r} of the {what} does not match the row ({expected} "
                    f"{'sets' if column == 'n_sets' else 'members'} listed)",
                    value=record[column],
                    hint="regenerate the overlap tables",
                    **_at(path, row),
                )
    frame["n_sets"] = frame["n_sets"].astype("int64")
    frame["size"] = frame["size"].astype("int64")
    return frame.reset_index(drop=True)


def normalise_signatures(
    signatures: Mapping[str, sg.SignatureFiles | pd.DataFrame],
    sets: Sequence[str],
    paths: Mapping[tuple[str, str], str | os.PathLike[str]] | None = None,
) -> dict[str, sg.SignatureFiles]:
    """Check every set's signature outputs (:func:`exomir.signatures.check_table`).

    A bare call table stands for outputs without drivers, literature or parameters.
    """
    _per_set(signatures, sets, "signature table")
    out = {}
    for s in sets:
        value = signatures[s]
        files = (
            value
            if isinstance(value, sg.SignatureFiles)
            else sg.SignatureFiles(
                value,
                pd.DataFrame(columns=list(sg.DRIVER_COLUMNS)),
                pd.DataFrame(columns=list(sg.LITERATURE_COLUMNS)),
            )
        )
        table = sg.check_table(files.table, s, path=(paths or {}).get(("signatures", s)))
        out[s] = sg.SignatureFiles(table, files.drivers, files.literature, dict(files.params))
    return out


def normalise_references(
    references: pd.DataFrame | Mapping[str, Mapping[str, Any]] | Sequence[Mapping[str, Any]] | None,
    *,
    path: str | os.PathLike[str] | None = None,
) -> tuple[dict[str, Any], ...]:
    """Reference provenance as records sorted by key and role.

    Accepts the provenance table (one row per file, :data:`REFERENCE_COLUMNS`), a list of such
    records, or a mapping ``key -> record``. Sizes become numbers, other fields text.
    """
    what = "reference provenance"
    if references is None:
        return ()
    if isinstance(references, pd.DataFrame):
        frame = references
    elif isinstance(references, Mapping):
        records = []
        for key, record in references.items():
            if not isinstance(record, Mapping):
                raise InputError(
                    "each reference entry must be an object of provenance fields",
                    value=str(key),
                    hint="expected kind, version, location, sha256, size, retrieved_at",
                    **_at(path),
                )
            records.append({**record, "key": str(key)})
        frame = pd.DataFrame(records, columns=None)
    else:
        frame = pd.DataFrame(list(references))
    if frame.empty:
        return ()
    _check_columns(frame, ("key",), what=what, path=path)
    frame = _numeric_columns(frame, ("size",), what=what, path=path)
    text = [c for c in (*REFERENCE_COLUMNS, *REFERENCE_OPTIONAL) if c != "size"]
    frame = _text_columns(frame, text)
    if "size" not in frame.columns:
        frame["size"] = float("nan")
    frame = frame.sort_values(["key", "role", "file"], kind="stable")
    return tuple(frame.to_dict("records"))


def normalise_source_summary(
    frame: pd.DataFrame, *, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check the per-source summary of the target step."""
    what = "target-source summary"
    _check_columns(frame, SOURCE_SUMMARY_COLUMNS, what=what, path=path)
    frame = _numeric_columns(frame, _NUMERIC["source summary"], what=what, path=path)
    return _text_columns(frame, ("source", "format")).reset_index(drop=True)


def significance_threshold(config: Mapping[str, Any]) -> float:
    """The FDR threshold of the run: ``enrichment.fdr`` in config, 0.05 when absent.

    The report marks rows and heatmap cells below this value; it must be the same threshold
    the enrichment step used for redundancy grouping, hence it is read from the same key.
    """
    section = config.get("enrichment") if isinstance(config, Mapping) else None
    value = section.get("fdr", 0.05) if isinstance(section, Mapping) else 0.05
    try:
        fdr = float(value)
    except (TypeError, ValueError):
        fdr = float("nan")
    if not 0 < fdr < 1:
        raise ConfigError(
            "enrichment.fdr must be a number between 0 and 1",
            value=value,
            hint="set enrichment.fdr in config/config.yaml, e.g. 0.05",
        )
    return fdr


def run_timestamp(environ: Mapping[str, str] | None = None) -> str:
    """The run date shown in the report header, in UTC to the minute.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) fixes it when set, so that a
    rebuilt report can be byte-identical; otherwise the current time is used.
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise ConfigError(
                "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970",
                value=epoch,
                hint="unset it or give e.g. SOURCE_DATE_EPOCH=1700000000",
            ) from exc
    else:
        moment = _dt.datetime.now(tz=_dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _check_set_names(sets: Sequence[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    for name in sets:
        if not isinstance(name, str) or not _SET_NAME.match(name):
            raise ConfigError(
                "a set name may contain only letters, digits, '_', '-' and '.' (not first)",
                value=name,
                hint="rename the set in config/mirna_sets.tsv",
            )
        if name == "index":
            raise ConfigError(
                "a set may not be called 'index': its page would overwrite the overview page",
                value=name,
                hint="rename the set in config/mirna_sets.tsv",
            )
        if name in seen:
            raise ConfigError("set listed twice", value=name)
        seen.add(name)
    if not sets:
        raise ConfigError("no sets to report", hint="list at least one set in the sheet")
    return tuple(sets)


def _per_set(mapping: Mapping[str, Any], sets: Sequence[str], what: str) -> None:
    missing = [s for s in sets if s not in mapping]
    if missing:
        raise InputError(
            f"no {what} for set(s) {', '.join(repr(m) for m in missing)}",
            hint=f"pass one {what} per set",
        )


def build_report_data(
    *,
    sets: Sequence[str],
    names: Mapping[str, pd.DataFrame],
    targets: Mapping[str, pd.DataFrame],
    enrichment: Mapping[str, pd.DataFrame],
    enrichment_params: Mapping[str, Mapping[str, Any]],
    references: pd.DataFrame | Mapping[str, Mapping[str, Any]] | None,
    config: Mapping[str, Any],
    focus: Mapping[str, str] | None,
    msc_sources: Mapping[str, str] | None = None,
    source_summary: pd.DataFrame | None = None,
    calibration: Calibration | Mapping[str, pd.DataFrame | None] | None = None,
    comparisons: Mapping[tuple[str, str], pd.DataFrame] | None = None,
    fdr: float | None = None,
    generated: str | None = None,
    downloads: Mapping[str, Mapping[str, str]] | None = None,
    paths: Mapping[tuple[str, str], str | os.PathLike[str]] | None = None,
    overlaps: Mapping[str, pd.DataFrame] | None = None,
    signatures: Mapping[str, sg.SignatureFiles | pd.DataFrame] | None = None,
) -> ReportData:
    """Check the report inputs and return them as :class:`ReportData`.

    ``references`` is the provenance table (or records, or a mapping key -> record, see
    :func:`normalise_references`). ``calibration`` may be a :class:`Calibration` or a mapping
    with keys ``summary`` and ``pvalues``. ``fdr`` defaults to :func:`significance_threshold`
    of ``config``. ``paths`` maps ``(kind, set)`` to the file a table came from, so that errors
    name it. ``overlaps`` maps ``mirnas`` and/or ``targets`` to the tables of
    :func:`exomir.overlap.exclusive_intersections` (checked by :func:`normalise_overlap`).
    ``signatures`` maps every set to its :class:`exomir.signatures.SignatureFiles` (or just its
    call table), checked by :func:`normalise_signatures`.
    """
    sets = _check_set_names(list(sets))
    paths = paths or {}
    for mapping, what in (
        (names, "name audit"),
        (targets, "target table"),
        (enrichment, "enrichment table"),
        (enrichment_params, "enrichment parameters"),
    ):
        _per_set(mapping, sets, what)
    names_n = {s: normalise_names(names[s], s, path=paths.get(("names", s))) for s in sets}
    targets_n = {s: normalise_targets(targets[s], s, path=paths.get(("targets", s))) for s in sets}
    enrichment_n = {
        s: normalise_enrichment(enrichment[s], s, path=paths.get(("enrichment", s))) for s in sets
    }
    params_n: dict[str, Mapping[str, Any]] = {}
    for s in sets:
        value = enrichment_params[s]
        if not isinstance(value, Mapping):
            raise InputError(
                f"enrichment parameters of set {s!r} must be a JSON object",
                value=type(value).__name__,
                hint="write the parameters as a JSON object (the {set}.json of the enrichment)",
                **_at(paths.get(("enrichment_params", s))),
            )
        params_n[s] = value
    refs = normalise_references(references, path=paths.get(("references", "")))
    calib: Calibration | None
    if calibration is None or isinstance(calibration, Calibration):
        calib = (
            None
            if calibration is None
            else normalise_calibration(calibration.summary, calibration.pvalues)
        )
    else:
        summary = calibration.get("summary")
        calib = (
            None
            if summary is None
            else normalise_calibration(
                summary,
                calibration.get("pvalues"),
                summary_path=paths.get(("calibration_summary", "")),
                pvalues_path=paths.get(("calibration_pvalues", "")),
            )
        )
    comps: dict[tuple[str, str], pd.DataFrame] | None = None
    if comparisons is not None:
        comps = {}
        for key in sorted(comparisons, key=lambda k: (str(k[0]), str(k[1]))):
            comps[(str(key[0]), str(key[1]))] = normalise_comparison(
                comparisons[key], path=paths.get(("comparison", f"{key[0]}__vs__{key[1]}"))
            )
    overlaps_n: dict[str, pd.DataFrame] | None = None
    if overlaps is not None:
        overlaps_n = {}
        for kind in OVERLAP_FILES:
            if kind in overlaps:
                overlaps_n[kind] = normalise_overlap(
                    overlaps[kind], sets, kind=kind, path=paths.get(("overlap", kind))
                )
        unknown = sorted(set(overlaps) - set(OVERLAP_FILES))
        if unknown:
            raise InputError(
                f"unknown overlap kind(s) {', '.join(map(repr, unknown))}",
                hint="pass overlap tables as {'mirnas': ..., 'targets': ...}",
            )
    return ReportData(
        sets=sets,
        names=names_n,
        targets=targets_n,
        enrichment=enrichment_n,
        enrichment_params=params_n,
        references=refs,
        config=dict(config),
        focus={str(k): str(v) for k, v in (focus or {}).items()},
        msc_sources={str(k): str(v) for k, v in (msc_sources or {}).items()},
        source_summary=None
        if source_summary is None
        else normalise_source_summary(source_summary, path=paths.get(("source_summary", ""))),
        calibration=calib,
        comparisons=comps,
        overlaps=overlaps_n,
        signatures=None if signatures is None else normalise_signatures(signatures, sets, paths),
        fdr=significance_threshold(config) if fdr is None else float(fdr),
        generated=generated,
        downloads={s: dict(v) for s, v in (downloads or {}).items()},
    )


# --------------------------------------------------------------------------------------------
# Reading the result files
# --------------------------------------------------------------------------------------------


def _read_json(path: str | os.PathLike[str], what: str) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} is not valid JSON ({exc.msg})",
            path=path,
            line=exc.lineno,
            hint="regenerate the file; it was probably cut short",
        ) from exc


def _relative_href(target: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> str:
    rel = os.path.relpath(os.path.abspath(target), os.path.abspath(out_dir))
    return quote(Path(rel).as_posix())


def _comparison_key(path: Path) -> tuple[str, str]:
    stem = path.name.removesuffix(".tsv")
    parts = stem.split("__vs__")
    if len(parts) != 2 or not all(parts):
        raise InputError(
            "comparison file name must be <set_a>__vs__<set_b>.tsv",
            path=path,
            hint="use the files written by the comparison step",
        )
    return parts[0], parts[1]


def _calibration_files(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[Path | None, Path | None]:
    """Tell the calibration summary from the QQ quantiles by file name."""
    summary = pvalues = None
    for item in paths:
        path = Path(item)
        if path.name.endswith("summary.tsv"):
            summary = path
        elif path.name.endswith("pvalues.tsv"):
            pvalues = path
        else:
            raise InputError(
                "calibration file is neither the summary nor the p-value table",
                path=path,
                hint="pass results/calibration/summary.tsv and results/calibration/pvalues.tsv",
            )
    if pvalues is not None and summary is None:
        raise InputError(
            "calibration p-values given without the calibration summary",
            path=pvalues,
            hint="pass results/calibration/summary.tsv as well",
        )
    return summary, pvalues


def _overlap_files(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Path]:
    """Tell the miRNA overlap table from the target-gene one by file name."""
    found: dict[str, Path] = {}
    for item in paths:
        path = Path(item)
        kinds = [k for k, name in OVERLAP_FILES.items() if path.name.endswith(name)]
        if not kinds:
            raise InputError(
                "overlap file is neither the miRNA nor the target-gene table",
                path=path,
                hint="pass results/compare/overlap_mirnas.tsv and overlap_targets.tsv",
            )
        if kinds[0] in found:
            raise InputError(f"two overlap tables of {OVERLAP_LABELS[kinds[0]]}", path=path)
        found[kinds[0]] = path
    return found


def _read_references(path: str | os.PathLike[str]) -> pd.DataFrame | Mapping[str, Any]:
    if Path(path).suffix == ".json":
        document = _read_json(path, "reference provenance")
        if not isinstance(document, Mapping):
            raise InputError(
                "reference provenance must be a JSON object keyed by reference",
                path=path,
                hint='e.g. {"mirbase": {"kind": "url", "version": "22.1", ...}}',
            )
        return document
    return read_delimited(path, required=REFERENCE_COLUMNS, what="reference provenance")


def read_report_data(
    *,
    out_dir: str | os.PathLike[str],
    sets: Sequence[str],
    names: Iterable[str | os.PathLike[str]],
    targets: Iterable[str | os.PathLike[str]],
    enrichment: Iterable[str | os.PathLike[str]],
    enrichment_params: Iterable[str | os.PathLike[str]],
    config: Mapping[str, Any],
    references: str | os.PathLike[str] | None = None,
    focus: str | os.PathLike[str] | None = None,
    source_summary: str | os.PathLike[str] | None = None,
    msc_sources: Mapping[str, str] | None = None,
    calibration: Iterable[str | os.PathLike[str]] = (),
    comparisons: Iterable[str | os.PathLike[str]] = (),
    generated: str | None = None,
    overlaps: Iterable[str | os.PathLike[str]] = (),
    signatures: Iterable[str | os.PathLike[str]] = (),
    signature_summary: str | os.PathLike[str] | None = None,
) -> ReportData:
    """Read the result files of a run into :class:`ReportData`.

    Per-set files are matched to sets by name (:func:`files_by_set`); the calibration files
    by name too (``summary.tsv``, ``pvalues.tsv``); comparison files are named
    ``<set_a>__vs__<set_b>.tsv``. ``references`` is the provenance table written by
    :func:`exomir.provenance.reference_provenance` (or a JSON object keyed by reference);
    ``focus`` is ``focus_pathways.yaml``, read with :func:`exomir.focus.load_focus_pathways`.
    The download links of each set page point at its ``targets``, ``enrichment`` and ``names``
    files relative to ``out_dir``, so the report folder can be moved together with ``results/``.
    ``overlaps`` are ``overlap_mirnas.tsv`` and ``overlap_targets.tsv``, told apart by name.
    ``signatures`` are the files of ``results/signatures/`` per set (``{set}.tsv``,
    ``.drivers.tsv``, ``.literature.tsv``, ``.json``; :func:`exomir.signatures.group_files`);
    ``signature_summary`` (``summary.tsv``) is only linked for download.
    """
    sets = _check_set_names(list(sets))
    names_p = files_by_set(names, sets, suffix=".tsv", what="name audit")
    targets_p = files_by_set(targets, sets, suffix=".tsv", what="target table")
    enrich_p = files_by_set(enrichment, sets, suffix=".tsv", what="enrichment table")
    params_p = files_by_set(enrichment_params, sets, suffix=".json", what="enrichment parameters")
    paths: dict[tuple[str, str], str | os.PathLike[str]] = {}
    for kind, mapping in (
        ("names", names_p),
        ("targets", targets_p),
        ("enrichment", enrich_p),
        ("enrichment_params", params_p),
    ):
        for s, p in mapping.items():
            paths[(kind, s)] = p
    names_t = {
        s: read_delimited(p, required=NAMES_COLUMNS, what="name audit") for s, p in names_p.items()
    }
    targets_t = {
        s: read_delimited(p, required=TARGETS_REQUIRED, what="target table")
        for s, p in targets_p.items()
    }
    enrich_t = {
        s: read_delimited(p, required=ENRICHMENT_COLUMNS, what="enrichment table")
        for s, p in enrich_p.items()
    }
    params = {s: _read_json(p, "enrichment parameters") for s, p in params_p.items()}
    refs = None
    if references is not None:
        paths[("references", "")] = references
        refs = _read_references(references)
    summary_t = None
    if source_summary is not None:
        paths[("source_summary", "")] = source_summary
        summary_t = read_delimited(
            source_summary, required=SOURCE_SUMMARY_COLUMNS, what="target-source summary"
        )
    calibration_data = None
    summary_path, pvalues_path = _calibration_files(calibration)
    if summary_path is not None:
        paths[("calibration_summary", "")] = summary_path
        calibration_data = {
            "summary": read_delimited(
                summary_path, required=CALIBRATION_SUMMARY_COLUMNS, what="calibration summary"
            ),
            "pvalues": None,
        }
        if pvalues_path is not None:
            paths[("calibration_pvalues", "")] = pvalues_path
            calibration_data["pvalues"] = read_delimited(
                pvalues_path, required=CALIBRATION_PVALUES_COLUMNS, what="calibration p-values"
            )
    comps: dict[tuple[str, str], pd.DataFrame] | None = None
    comparison_files = [Path(p) for p in comparisons]
    if comparison_files:
        comps = {}
        for path in comparison_files:
            key = _comparison_key(path)
            paths[("comparison", f"{key[0]}__vs__{key[1]}")] = path
            comps[key] = read_delimited(path, what="comparison table")
    overlap_tables: dict[str, pd.DataFrame] | None = None
    overlap_files = _overlap_files(overlaps)
    if overlap_files:
        overlap_tables = {}
        for kind, path in overlap_files.items():
            paths[("overlap", kind)] = path
            overlap_tables[kind] = read_delimited(
                path, required=OVERLAP_COLUMNS, what=f"overlap table of {OVERLAP_LABELS[kind]}"
            )
    downloads = {
        s: {
            "targets": _relative_href(targets_p[s], out_dir),
            "enrichment": _relative_href(enrich_p[s], out_dir),
            "names": _relative_href(names_p[s], out_dir),
        }
        for s in sets
    }
    signature_data: dict[str, sg.SignatureFiles] | None = None
    signature_paths = sg.group_files(signatures, sets)
    if signature_paths:
        signature_data = {}
        for s, found in signature_paths.items():
            paths[("signatures", s)] = found["table"]
            signature_data[s] = sg.read_set_files(
                found["table"],
                s,
                drivers=found.get("drivers"),
                literature=found.get("literature"),
                params=found.get("params"),
            )
            for kind, path in found.items():
                downloads[s][f"signature_{kind}"] = _relative_href(path, out_dir)
        if signature_summary is not None:
            for s in sets:
                downloads[s]["signature_summary"] = _relative_href(signature_summary, out_dir)
    focus_labels = None
    if focus is not None:
        focus_labels = {key: entry.label for key, entry in load_focus_pathways(focus).items()}
    return build_report_data(
        sets=sets,
        names=names_t,
        targets=targets_t,
        enrichment=enrich_t,
        enrichment_params=params,
        references=refs,
        config=config,
        focus=focus_labels,
        msc_sources=msc_sources,
        source_summary=summary_t,
        calibration=calibration_data,
        comparisons=comps,
        generated=generated,
        downloads=downloads,
        paths=paths,
        overlaps=overlap_tables,
        signatures=signature_data,
    )


# --------------------------------------------------------------------------------------------
# Summaries (pure functions on the normalised tables)
# --------------------------------------------------------------------------------------------


def split_list(value: object) -> list[str]:
    """Split a ``;``-joined cell into its non-empty items."""
    if _blank(value):
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


def primary_method(enrichment: pd.DataFrame) -> str:
    """``"emp"`` when the table has empirical FDRs, else ``"ora"``.

    The empirical miRNA-set null is the method exomir trusts (it corrects the target bias);
    ORA is primary only when the null was switched off.
    """
    return "emp" if enrichment["fdr_emp"].notna().any() else "ora"


@dataclass(frozen=True)
class SetSummary:
    """Counts that describe one set, for the overview table and the set page."""

    set: str
    inputs: int
    names_ok: int
    names_ambiguous: int
    names_unknown: int
    mirnas: int
    mirnas_with_targets: int
    mirnas_without_targets: tuple[str, ...]
    target_genes: int
    edges: int
    edges_by_source: Mapping[str, int]
    libraries: tuple[str, ...]
    terms_tested: int
    significant_ora: int
    significant_emp: int | None
    groups: int
    method: str


def summarise_set(
    set_name: str,
    names: pd.DataFrame,
    targets: pd.DataFrame,
    enrichment: pd.DataFrame,
    *,
    fdr: float,
) -> SetSummary:
    """Count a set's names, targets and significant terms.

    ``mirnas`` counts the distinct current names that the ``ok`` inputs resolved to;
    ``mirnas_without_targets`` lists those of them without a single target edge, so that no
    miRNA leaves the analysis without the report saying so. ``groups`` counts the redundancy
    groups (cluster leads) that are significant by the primary method.
    """
    status = names["status"]
    resolved: set[str] = set()
    for value in names.loc[status == "ok", "resolved"]:
        resolved.update(split_list(value))
    with_targets = set(targets["mirna"].tolist())
    by_source: dict[str, int] = {}
    for value in targets["sources"]:
        for source in split_list(value):
            by_source[source] = by_source.get(source, 0) + 1
    method = primary_method(enrichment)
    has_emp = method == "emp"
    sig_col = "fdr_emp" if has_emp else "fdr_ora"
    significant = enrichment[sig_col] < fdr
    leads = enrichment["cluster_lead"] | (enrichment["cluster"] == "")
    return SetSummary(
        set=set_name,
        inputs=len(names),
        names_ok=int((status == "ok").sum()),
        names_ambiguous=int((status == "ambiguous").sum()),
        names_unknown=int((status == "unknown").sum()),
        mirnas=len(resolved),
        mirnas_with_targets=len(with_targets),
        mirnas_without_targets=tuple(sorted(resolved - with_targets)),
        target_genes=int(targets["gene"].nunique()),
        edges=len(targets),
        edges_by_source=dict(sorted(by_source.items())),
        libraries=tuple(sorted(set(enrichment["library"].tolist()))),
        terms_tested=len(enrichment),
        significant_ora=int((enrichment["fdr_ora"] < fdr).sum()),
        significant_emp=int((enrichment["fdr_emp"] < fdr).sum()) if has_emp else None,
        groups=int((significant & leads).sum()),
        method=method,
    )


def _sort_terms(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    first, second = ("p_emp", "p_ora") if method == "emp" else ("p_ora", "p_emp")
    return frame.sort_values(
        [first, second, "library", "term_id"], kind="stable", na_position="last"
    )


def top_terms(
    enrichment: pd.DataFrame,
    *,
    fdr: float,
    limit: int = TOP_TERMS,
    max_rows: int = MAX_TERMS,
) -> pd.DataFrame:
    """The lead terms of the set, best first, with their redundant members attached.

    A term is a lead when it is its group's ``cluster_lead`` or belongs to no group (terms
    that were not significant are not grouped). Every significant lead is returned (up to
    ``max_rows``), and at least ``limit`` leads so that a set without significant terms still
    shows its best candidates. Added columns: ``significant`` (by the primary method),
    ``members`` (list of ``(library, term)`` of the other terms of the group, best first) and
    ``n_members``.
    """
    method = primary_method(enrichment)
    ordered = _sort_terms(enrichment, method)
    grouped = ordered[ordered["cluster"] != ""]
    members: dict[str, list[tuple[str, str]]] = {}
    for row in grouped[~grouped["cluster_lead"]].itertuples(index=False):
        members.setdefault(row.cluster, []).append((row.library, row.term))
    leads = ordered[ordered["cluster_lead"] | (ordered["cluster"] == "")].copy()
    sig_col = "fdr_emp" if method == "emp" else "fdr_ora"
    leads["significant"] = leads[sig_col] < fdr
    leads["members"] = [members.get(c, []) if c else [] for c in leads["cluster"].tolist()]
    leads["n_members"] = [len(m) for m in leads["members"]]
    n_show = min(max_rows, max(limit, int(leads["significant"].sum())))
    return leads.head(n_show).reset_index(drop=True)


def focus_rows(
    enrichment: pd.DataFrame, focus: Mapping[str, str], *, fdr: float
) -> list[dict[str, Any]]:
    """One entry per focus pathway: its tested terms and the best of them.

    A term counts for a pathway when the pathway key is in its ``focus`` cell (``;``-joined
    when a term belongs to several). The best term is the one with the smallest p-value of
    the primary method; the pathway is significant when that term's FDR is below ``fdr``.
    Keys found in the table but missing from ``focus`` are listed after the configured ones,
    labelled with their key.
    """
    method = primary_method(enrichment)
    ordered = _sort_terms(enrichment, method)
    terms_by_key: dict[str, list[dict[str, Any]]] = {}
    for record in ordered.to_dict("records"):
        for key in split_list(record["focus"]):
            terms_by_key.setdefault(key, []).append(record)
    keys = list(focus) + sorted(k for k in terms_by_key if k not in focus)
    q_col = "fdr_emp" if method == "emp" else "fdr_ora"
    p_col = "p_emp" if method == "emp" else "p_ora"
    rows = []
    for key in keys:
        terms = terms_by_key.get(key, [])
        best = terms[0] if terms else None
        rows.append(
            {
                "key": key,
                "label": focus.get(key, key),
                "terms": terms,
                "n_terms": len(terms),
                "n_significant": sum(1 for t in terms if _lt(t[q_col], fdr)),
                "best": best,
                "value": None if best is None else _finite(best[q_col]),
                "p": None if best is None else _finite(best[p_col]),
                "significant": best is not None and _lt(best[q_col], fdr),
                "method": method,
            }
        )
    return rows


def _finite(value: object) -> float | None:
    if _blank(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def _lt(value: object, threshold: float) -> bool:
    number = _finite(value)
    return number is not None and number < threshold


_TIER_RANK = {"strong": 0, "weak": 1}


def rank_edges(targets: pd.DataFrame) -> pd.DataFrame:
    """Order a set's target edges from best to weakest evidence.

    The order is lexicographic, strongest evidence first:

    1. ``confidence`` of the target policy (higher first), when the table has it;
    2. miRTarBase tier: ``strong`` (functional MTI) > ``weak`` > none or non-functional;
    3. number of sources supporting the edge (more first);
    4. number of miRTarBase PMIDs (more first);
    5. TargetScan context++ score (more negative first);
    6. miRDB score (higher first);
    7. miRNA and gene names, so that ties are always broken the same way.
    """
    frame = targets.copy()
    keys: list[str] = []
    ascending: list[bool] = []
    if frame["confidence"].notna().any():
        frame["_conf"] = -frame["confidence"]
        keys.append("_conf")
        ascending.append(True)
    if "mirtarbase_tier" in frame.columns:
        frame["_tier"] = [_TIER_RANK.get(str(v).lower(), 2) for v in frame["mirtarbase_tier"]]
        keys.append("_tier")
        ascending.append(True)
    frame["_sources"] = -frame["n_sources"]
    frame["_pmids"] = -frame["mirtarbase_pmids"]
    frame["_mirdb"] = -frame["mirdb_score"]
    keys += ["_sources", "_pmids", "targetscan_context_score", "_mirdb", "mirna", "gene"]
    ascending += [True] * 6
    frame = frame.sort_values(keys, ascending=ascending, kind="stable", na_position="last")
    return frame.drop(columns=[c for c in frame.columns if c.startswith("_")]).reset_index(
        drop=True
    )


def mirna_target_counts(targets: pd.DataFrame, sources: Sequence[str]) -> list[dict[str, Any]]:
    """Per miRNA of a set: the input name(s), the number of target genes, and edges per source."""
    rows: dict[str, dict[str, Any]] = {}
    for record in targets.to_dict("records"):
        entry = rows.setdefault(
            record["mirna"],
            {"mirna": record["mirna"], "inputs": set(), "genes": set(), "by_source": {}},
        )
        if record.get("input_name"):
            entry["inputs"].update(split_list(record["input_name"]))
        entry["genes"].add(record["gene"])
        for source in split_list(record["sources"]):
            entry["by_source"][source] = entry["by_source"].get(source, 0) + 1
    out = []
    for mirna in sorted(rows, key=lambda m: (-len(rows[m]["genes"]), m)):
        entry = rows[mirna]
        out.append(
            {
                "mirna": mirna,
                "inputs": ", ".join(sorted(entry["inputs"])),
                "targets": len(entry["genes"]),
                "by_source": [entry["by_source"].get(s, 0) for s in sources],
            }
        )
    return out


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Flatten nested parameters to ``(dotted.key, value)`` pairs, keys in their given order."""
    out: list[tuple[str, Any]] = []
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.extend(flatten_params(value, prefix=f"{name}."))
        else:
            out.append((name, value))
    return out


def _param(flat: Sequence[tuple[str, Any]], *names: str) -> Any:
    for wanted in names:
        for key, value in flat:
            if key == wanted or key.endswith("." + wanted):
                return value
    return None


def _common(values: Sequence[Any]) -> Any:
    """The value shared by all sets, ``"varies by set"`` otherwise, ``None`` when unknown."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    first = json.dumps(known[0], sort_keys=True, default=str)
    if all(json.dumps(v, sort_keys=True, default=str) == first for v in known):
        return known[0]
    return "varies by set"


# --------------------------------------------------------------------------------------------
# Formatting (Jinja filters)
# --------------------------------------------------------------------------------------------

#: Typographic characters of the pages, spelled as escapes so that the source stays ASCII.
EN_DASH = "\u2013"
MINUS = "\u2212"
TIMES = "\u00d7"


def format_pvalue(value: object) -> Markup:
    """A p-value or FDR with two significant digits, as HTML.

    Values from 0.1 up are plain decimals (``0.34``, ``0.10``); smaller ones are in scientific
    notation (``3.2`` times ten to the ``-4``, with a true multiplication sign, minus sign and
    superscript), so that a column of p-values is read by its exponent. Missing values are
    shown as an en dash.
    """
    number = _finite(value)
    if number is None:
        return Markup(f'<span class="na">{EN_DASH}</span>')
    number = float(f"{number:.2g}")  # round first: 0.0996 is shown as 0.10, not 1.0e-1
    if number == 0:
        return Markup("0")
    if number >= 0.1:
        return Markup(f"{number:.2f}" if number < 1 else f"{number:.1f}")
    mantissa, exponent = f"{number:.1e}".split("e")
    return Markup(f"{mantissa}{TIMES}10<sup>{MINUS}{abs(int(exponent))}</sup>")


def format_number(value: object, digits: int = 0) -> str:
    """A count with thousands separators, or a decimal with ``digits`` decimals.

    Missing values give an en dash, which the table cells grey out.
    """
    number = _finite(value)
    if number is None:
        return EN_DASH
    if digits == 0:
        return f"{round(number):,}"
    return f"{number:,.{digits}f}"


def format_percent(value: object) -> str:
    """A fraction as a percentage: one decimal below 10 %, whole numbers above."""
    number = _finite(value)
    if number is None:
        return EN_DASH
    percent = 100 * number
    return f"{percent:.1f}%" if percent < 10 else f"{percent:.0f}%"


def format_bytes(value: object) -> str:
    """A file size in B, kB, MB or GB (powers of 1000, as file managers show them)."""
    number = _finite(value)
    if number is None:
        return EN_DASH
    for unit in ("B", "kB", "MB", "GB"):
        if number < 1000 or unit == "GB":
            return f"{number:.0f} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1000
    return f"{number:.1f} GB"  # pragma: no cover - loop always returns


def _sort_key(value: object) -> str:
    number = _finite(value)
    return "" if number is None else repr(number)


def _yaml_dump(value: Any) -> str:
    if not value:
        return "(empty)"
    return yaml.safe_dump(
        _plain(value), sort_keys=False, default_flow_style=False, allow_unicode=True, width=96
    ).rstrip()


def _plain(value: Any) -> Any:
    """Turn config values into what yaml.safe_dump accepts (paths and tuples as text/lists)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("exomir", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        pval=format_pvalue,
        num=format_number,
        pct=format_percent,
        size=format_bytes,
        sortkey=_sort_key,
        yaml=_yaml_dump,
    )
    return env


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One section of a page.

    Attributes
    ----------
    key
        HTML id of the section (also its anchor in the page's table of contents).
    title
        Heading shown above the section and in the table of contents.
    template
        Template file under ``exomir/templates`` that renders the section body.
    context
        Variables of that template.
    """

    key: str
    title: str
    template: str
    context: Mapping[str, Any]


METHOD_LABELS = {"emp": "empirical miRNA-set null", "ora": "ORA (hypergeometric)"}


def _sources_of(data: ReportData) -> list[str]:
    sources: set[str] = set()
    for frame in data.targets.values():
        for value in frame["sources"]:
            sources.update(split_list(value))
    return sorted(sources)


def _summaries(data: ReportData) -> dict[str, SetSummary]:
    return {
        s: summarise_set(s, data.names[s], data.targets[s], data.enrichment[s], fdr=data.fdr)
        for s in data.sets
    }


def overview_intro_section(data: ReportData) -> Section:
    """What was analysed, and how to read the rest of the page."""
    summaries = _summaries(data)
    methods = {x.method for x in summaries.values()}
    return Section(
        "about",
        "About this run",
        "section_about.html.j2",
        {
            "n_sets": len(data.sets),
            "sets": data.sets,
            "method": "emp" if methods == {"emp"} else ("ora" if methods == {"ora"} else "mixed"),
            "fdr": data.fdr,
        },
    )


def overview_summary_section(data: ReportData) -> Section:
    """Per-set counts of names, miRNAs, targets and terms."""
    summaries = _summaries(data)
    sources = sorted({s for x in summaries.values() for s in x.edges_by_source})
    return Section(
        "summary",
        "Sets at a glance",
        "section_overview_summary.html.j2",
        {
            "rows": [summaries[s] for s in data.sets],
            "msc_sources": data.msc_sources,
            "sources": sources,
            "fdr": data.fdr,
            "any_emp": any(x.significant_emp is not None for x in summaries.values()),
        },
    )


def focus_matrix(data: ReportData) -> tuple[list[dict[str, Any]], str]:
    """Set-by-focus-pathway cells for the heatmap, and the metric they show.

    The metric is the empirical FDR when every set has one, else the ORA FDR, so that all
    cells of the figure are on one scale.
    """
    methods = {primary_method(data.enrichment[s]) for s in data.sets}
    method = "emp" if methods == {"emp"} else "ora"
    cells = []
    for s in data.sets:
        frame = data.enrichment[s]
        if method == "ora" and primary_method(frame) == "emp":
            frame = frame.assign(fdr_emp=float("nan"), p_emp=float("nan"))
        for row in focus_rows(frame, data.focus, fdr=data.fdr):
            cells.append({"set": s, **row})
    return cells, method


def overview_focus_section(data: ReportData) -> Section:
    """The set-by-focus-pathway heatmap, with its values as a table underneath."""
    cells, method = focus_matrix(data)
    labels: dict[str, str] = {}
    for cell in cells:
        labels.setdefault(cell["key"], cell["label"])
    columns = list(labels)
    svg = None
    if columns:
        svg = focus_heatmap_svg(
            list(data.sets),
            [labels[k] for k in columns],
            {
                (c["set"], labels[c["key"]]): HeatmapCell(c["value"], c["significant"])
                for c in cells
                if c["n_terms"]
            },
            metric_label=("empirical FDR" if method == "emp" else "ORA FDR"),
            threshold=data.fdr,
        )
    return Section(
        "focus",
        "Focus pathways",
        "section_overview_focus.html.j2",
        {
            "svg": None if svg is None else Markup(svg),
            "cells": cells,
            "columns": [(k, labels[k]) for k in columns],
            "sets": data.sets,
            "method": method,
            "method_label": METHOD_LABELS[method],
            "fdr": data.fdr,
        },
    )


def overview_names_section(data: ReportData) -> Section:
    """Name-audit counts per set and every input that did not resolve."""
    rows = []
    problems = []
    for s in data.sets:
        frame = data.names[s]
        rules: dict[str, int] = {}
        for rule in frame["rule"]:
            if rule:
                rules[rule] = rules.get(rule, 0) + 1
        rows.append(
            {
                "set": s,
                "inputs": len(frame),
                "ok": int((frame["status"] == "ok").sum()),
                "ambiguous": int((frame["status"] == "ambiguous").sum()),
                "unknown": int((frame["status"] == "unknown").sum()),
                "rules": sorted(rules.items(), key=lambda kv: (-kv[1], kv[0])),
            }
        )
        for record in frame[frame["status"] != "ok"].to_dict("records"):
            problems.append({**record, "set": s})
    return Section(
        "names",
        "miRNA names",
        "section_overview_names.html.j2",
        {"rows": rows, "problems": problems},
    )


def _method_kind(method: str) -> str | None:
    text = method.strip().lower()
    if text.startswith(("ora", "hypergeom")):
        return "ora"
    if text.startswith("emp"):
        return "emp"
    return None


def calibration_sentence(summary: pd.DataFrame) -> str | None:
    """The plain-language result of the calibration, or ``None`` without an ORA/empirical row.

    "Of 200 random miRNA sets of size 10, 64% had at least one term at FDR < 0.05 by ORA and
    4.5% by the empirical null."
    """
    by_kind: dict[str, dict[str, Any]] = {}
    for record in summary.to_dict("records"):
        kind = _method_kind(record["method"])
        if kind and kind not in by_kind:
            by_kind[kind] = record
    if not by_kind:
        return None
    first = by_kind.get("ora") or by_kind["emp"]
    n = format_number(first["n_queries"])
    k = format_number(first["query_size"])
    clauses = [
        (format_percent(by_kind[kind]["fraction_any_fdr05"]), label)
        for kind, label in (("ora", "ORA"), ("emp", "the empirical null"))
        if kind in by_kind
    ]
    opening = f"Of {n} random miRNA sets of size {k}, {clauses[0][0]} had at least one term"
    if len(clauses) == 2:
        return f"{opening} at FDR < 0.05 by ORA and {clauses[1][0]} by the empirical null."
    return f"{opening} at FDR < 0.05 by {clauses[0][1]}."


_CALIBRATION_LABELS = {
    "n_terms": "Terms per query",
    "n_random": "Random sets in the null",
    "mean_terms_fdr05": "Mean terms at FDR < 0.05",
    "fraction_p05": "Tests with p < 0.05",
    "null": "Null distribution",
}


def _calibration_value(column: str, value: object) -> str:
    """Format an extra calibration column: fractions as percentages, counts as integers."""
    if isinstance(value, str) and not _blank(value):
        try:
            float(value)
        except ValueError:
            return value
    number = _finite(value)
    if number is None:
        return EN_DASH if _blank(value) else str(value)
    if column.startswith("fraction"):
        return format_percent(number)
    if number.is_integer():
        return format_number(number)
    return f"{number:.3g}"


def overview_calibration_section(data: ReportData) -> Section:
    """QQ plot and false-positive fractions of random miRNA sets, or a note that it was not run."""
    calibration = data.calibration
    if calibration is None:
        return Section("calibration", "Calibration", "section_calibration.html.j2", {"run": False})
    svg = None
    if calibration.pvalues is not None and len(calibration.pvalues):
        series = []
        methods = list(dict.fromkeys(calibration.pvalues["method"].tolist()))
        for method in methods:
            part = calibration.pvalues[calibration.pvalues["method"] == method]
            kind = _method_kind(method)
            label = {"ora": "ORA", "emp": "Empirical null"}.get(kind or "", method)
            series.append(QQSeries(label, part["expected"].tolist(), part["observed"].tolist()))
        svg = Markup(qq_plot_svg(series))
    summary = calibration.summary
    records = summary.to_dict("records")
    methods = [
        {"ora": "ORA", "emp": "Empirical null"}.get(_method_kind(r["method"]) or "", r["method"])
        for r in records
    ]
    fractions = []
    for record in records:
        text = format_percent(record["fraction_any_fdr05"])
        low, high = _finite(record.get("ci_low")), _finite(record.get("ci_high"))
        ci = (
            None
            if low is None or high is None
            else (f"95% CI {format_percent(low)}{EN_DASH}{format_percent(high)}")
        )
        fractions.append((text, ci))
    rows = [
        ("Random query sets", [format_number(r["n_queries"]) for r in records]),
        ("miRNAs per query set", [format_number(r["query_size"]) for r in records]),
    ]
    extra = [
        c
        for c in summary.columns
        if c not in CALIBRATION_SUMMARY_COLUMNS and c not in ("ci_low", "ci_high")
    ]
    for column in extra:
        label = _CALIBRATION_LABELS.get(column, column.replace("_", " ").capitalize())
        rows.append((label, [_calibration_value(column, r[column]) for r in records]))
    return Section(
        "calibration",
        "Calibration",
        "section_calibration.html.j2",
        {
            "run": True,
            "svg": svg,
            "sentence": calibration_sentence(summary),
            "methods": methods,
            "fractions": fractions,
            "rows": rows,
        },
    )


def overview_comparisons_section(data: ReportData) -> Section:
    """Differential target overlap between pairs of sets, or a note that none was run."""
    if not data.comparisons:
        return Section(
            "comparisons", "Set comparisons", "section_comparisons.html.j2", {"run": False}
        )
    pairs = []
    for (a, b), frame in data.comparisons.items():
        significant = frame["fdr"] < data.fdr
        ordered = frame.sort_values(
            ["p_perm", "library", "term_id"], kind="stable", na_position="last"
        )
        top = ordered.head(TOP_COMPARISON_TERMS).to_dict("records")
        for record in top:
            record["significant"] = _lt(record["fdr"], data.fdr)
        pairs.append(
            {
                "a": a,
                "b": b,
                "tested": len(frame),
                "significant": int(significant.sum()),
                "more_a": int((significant & (frame["difference"] > 0)).sum()),
                "more_b": int((significant & (frame["difference"] < 0)).sum()),
                "top": top,
            }
        )
    return Section(
        "comparisons",
        "Set comparisons",
        "section_comparisons.html.j2",
        {"run": True, "pairs": pairs, "fdr": data.fdr},
    )


def overview_overlap_section(data: ReportData) -> Section | None:
    """Shared and unique miRNAs and target genes: UpSet plots, per-set counts, full tables.

    Left out when the run has no overlap tables (a report built without them).
    """
    if not data.overlaps:
        return None
    blocks = []
    counts: dict[str, dict[str, dict[str, int]]] = {s: {} for s in data.sets}
    shared: dict[str, int] = {}
    for kind, frame in data.overlaps.items():
        label = OVERLAP_LABELS[kind]
        summary = overlap_summary(frame, data.sets)
        for record in summary.to_dict("records"):
            counts[record["set"]][kind] = {"total": record["total"], "unique": record["unique"]}
        shared[kind] = int(summary["shared_by_all"].iloc[0]) if len(summary) else 0
        combos = [
            (split_list(c), int(n)) for c, n in zip(frame["sets"], frame["size"], strict=True)
        ]
        svg = None
        if combos and len(data.sets) > 1:
            svg = Markup(
                upset_svg(
                    list(data.sets),
                    combos,
                    what=label,
                    name=f"upset-{kind}",
                    max_columns=MAX_UPSET_COLUMNS,
                )
            )
        blocks.append(
            {
                "kind": kind,
                "label": label,
                "title": OVERLAP_TITLES[kind],
                "svg": svg,
                "rows": frame.to_dict("records"),
                "n_combinations": len(frame),
                "n_drawn": min(len(frame), MAX_UPSET_COLUMNS),
                "union": int(frame["size"].sum()),
            }
        )
    return Section(
        "overlap",
        "Shared and unique miRNAs and targets",
        "section_overview_overlap.html.j2",
        {
            "blocks": blocks,
            "sets": data.sets,
            "kinds": [(b["kind"], b["label"], b["title"]) for b in blocks],
            "counts": counts,
            "shared": shared,
            "msc_sources": data.msc_sources,
        },
    )


def overview_references_section(data: ReportData) -> Section:
    """Versions, locations and checksums of every reference file the run read."""
    return Section(
        "references",
        "Reference data",
        "section_references.html.j2",
        {"rows": list(data.references)},
    )


def overview_sources_section(data: ReportData) -> Section | None:
    """Edges per target source: in the database, after the policy, in the combined table."""
    if data.source_summary is None:
        return None
    return Section(
        "sources",
        "Target sources",
        "section_sources.html.j2",
        {"rows": data.source_summary.to_dict("records")},
    )


def methods_section(data: ReportData) -> Section:
    """How the numbers were made: ORA, the empirical null, BH, grouping, names."""
    flat = [flatten_params(data.enrichment_params[s]) for s in data.sets]
    return Section(
        "methods",
        "Methods",
        "section_methods.html.j2",
        {
            "fdr": data.fdr,
            "n_random": _common([_param(f, "n_random") for f in flat]),
            "jaccard": _common([_param(f, "jaccard") for f in flat]),
            "signatures": _signature_methods(data),
        },
    )


def _param_text(value: Any) -> str:
    if value is None:
        return EN_DASH
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | Mapping):
        return json.dumps(_plain(value), ensure_ascii=False)
    return str(value)


def parameters_section(data: ReportData, set_name: str | None = None) -> Section:
    """The enrichment parameters (one column per set) and the full configuration.

    On the overview the parameters of all sets stand side by side, so that a set run with
    different settings stands out; a set page shows its own column only.
    """
    sets = [set_name] if set_name is not None else list(data.sets)
    flat = {s: dict(flatten_params(data.enrichment_params[s])) for s in sets}
    keys = list(dict.fromkeys(k for s in sets for k in flat[s]))
    rows = []
    for key in keys:
        values = [_param_text(flat[s].get(key)) for s in sets]
        rows.append({"key": key, "cells": values, "varies": len(set(values)) > 1})
    return Section(
        "parameters",
        "Parameters",
        "section_parameters.html.j2",
        {"sets": sets, "rows": rows, "config": data.config, "set_page": set_name is not None},
    )


def set_summary_section(data: ReportData, set_name: str) -> Section:
    """Headline counts of one set."""
    summary = summarise_set(
        set_name,
        data.names[set_name],
        data.targets[set_name],
        data.enrichment[set_name],
        fdr=data.fdr,
    )
    return Section(
        "summary",
        "Summary",
        "section_set_summary.html.j2",
        {
            "s": summary,
            "fdr": data.fdr,
            "method_label": METHOD_LABELS[summary.method],
        },
    )


def set_terms_section(data: ReportData, set_name: str) -> Section:
    """The best term of each redundancy group, significant ones highlighted."""
    frame = data.enrichment[set_name]
    method = primary_method(frame)
    terms = top_terms(frame, fdr=data.fdr)
    n_leads = int((frame["cluster_lead"] | (frame["cluster"] == "")).sum())
    return Section(
        "terms",
        "Enriched terms",
        "section_set_terms.html.j2",
        {
            "rows": terms.to_dict("records"),
            "n_significant": int(terms["significant"].sum()),
            "n_terms": len(frame),
            "n_leads": n_leads,
            "n_grouped": int((frame["cluster"] != "").sum()),
            "method": method,
            "method_label": METHOD_LABELS[method],
            "fdr": data.fdr,
            "focus": data.focus,
            "download": data.downloads.get(set_name, {}).get("enrichment"),
        },
    )


def set_focus_section(data: ReportData, set_name: str) -> Section:
    """The focus pathways of one set, each with its best term and the others in an expander."""
    frame = data.enrichment[set_name]
    return Section(
        "focus",
        "Focus pathways",
        "section_set_focus.html.j2",
        {
            "rows": focus_rows(frame, data.focus, fdr=data.fdr),
            "fdr": data.fdr,
            "method_label": METHOD_LABELS[primary_method(frame)],
        },
    )


_EDGE_COLUMNS = (
    ("sources", "Sources", "tags"),
    ("mirtarbase_tier", "miRTarBase tier", "text"),
    ("mirtarbase_pmids", "PMIDs", "int"),
    ("mirtarbase_experiments", "Experiments", "list"),
    ("targetscan_context_score", "TargetScan context++", "score"),
    ("targetscan_conserved", "Conserved site", "flag"),
    ("mirdb_score", "miRDB score", "int"),
    ("libraries", "Libraries", "list"),
    ("weight", "Weight", "score"),
    ("confidence", "Confidence", "score"),
)


def set_targets_section(data: ReportData, set_name: str) -> Section:
    """Top target edges by evidence, miRNAs by target count, and miRNAs without targets."""
    targets = data.targets[set_name]
    ranked = rank_edges(targets)
    columns = []
    for column, label, kind in _EDGE_COLUMNS:
        if column not in ranked.columns:
            continue
        values = ranked[column]
        present = values.notna() & (values.astype(str) != "")
        if present.any():
            columns.append((column, label, kind))
    sources = sorted({s for v in targets["sources"] for s in split_list(v)})
    summary = summarise_set(
        set_name, data.names[set_name], targets, data.enrichment[set_name], fdr=data.fdr
    )
    return Section(
        "targets",
        "Target genes",
        "section_set_targets.html.j2",
        {
            "edges": ranked.head(TOP_EDGES).to_dict("records"),
            "n_edges": len(ranked),
            "columns": columns,
            "mirnas": mirna_target_counts(targets, sources),
            "sources": sources,
            "without": summary.mirnas_without_targets,
            "download": data.downloads.get(set_name, {}).get("targets"),
        },
    )


def set_names_section(data: ReportData, set_name: str) -> Section:
    """Every input name of the set with its resolution; unresolved ones highlighted."""
    frame = data.names[set_name]
    return Section(
        "names",
        "Name audit",
        "section_set_names.html.j2",
        {
            "rows": frame.to_dict("records"),
            "n_problems": int((frame["status"] != "ok").sum()),
            "has_note": bool((frame["note"] != "").any()),
            "download": data.downloads.get(set_name, {}).get("names"),
        },
    )


# -- signatures ---------------------------------------------------------------------------


def _signature_note(row: Mapping[str, Any]) -> str:
    """The text beside a bar of the signature chart: direction and the call's p-value."""
    p = _finite(row["p_value"])
    return f"{row['word']} \u00b7 p = {superscript_number(p) if p is not None else EN_DASH}"


def _signature_methods(data: ReportData) -> dict[str, Any] | None:
    """Parameters quoted by the methods text of the signatures (None: not run)."""
    if not data.signatures:
        return None
    params = [files.params for files in data.signatures.values()]
    return {
        "n_random": _common([p.get("null", {}).get("n_random") for p in params]),
        "seed": _common([p.get("null", {}).get("seed") for p in params]),
        "null": _common([p.get("null", {}).get("kind") for p in params]),
        "alpha": _common([p.get("alpha") for p in params]) or sg.ALPHA,
        "top": sg.TOP_DRIVERS,
    }


def set_signatures_section(data: ReportData, set_name: str) -> Section | None:
    """Scores, directions of the focus pathways and processes, and the edges behind each call."""
    if not data.signatures or set_name not in data.signatures:
        return None
    files = data.signatures[set_name]
    rows = sg.report_rows(files.table)
    bars = [
        SignatureBar(r["label"], r["group"], r["z"], r["sign"], _signature_note(r)) for r in rows
    ]
    weights = files.params.get("weights") or {}
    present = {r["key"] for r in rows}
    return Section(
        "signatures",
        "Signatures",
        "section_set_signatures.html.j2",
        {
            "scores": [r for r in rows if r["kind"] in ("score", "balance")],
            "pathways": [r for r in rows if r["kind"] == "pathway"],
            "processes": [r for r in rows if r["kind"] == "process"],
            "drivers": sg.report_drivers(files.drivers, files.table),
            "n_drivers": sg.REPORT_DRIVERS,
            "svg": Markup(signature_bars_svg(bars, name="signature-bars")) if bars else None,
            "k": files.params.get("k"),
            "n_random": files.params.get("null", {}).get("n_random"),
            "alpha": files.params.get("alpha", sg.ALPHA),
            "weighted": len({round(float(w), 9) for w in weights.values()}) > 1,
            "weights": sorted(weights.items(), key=lambda item: (-item[1], item[0])),
            "outside": files.params.get("mirnas_outside_universe", []),
            "untested_focus": [label for key, label in data.focus.items() if key not in present],
            "downloads": data.downloads.get(set_name, {}),
        },
    )


def set_literature_section(data: ReportData, set_name: str) -> Section | None:
    """The review claims about the set's miRNAs and source, beside what the data says."""
    if not data.signatures or set_name not in data.signatures:
        return None
    literature = data.signatures[set_name].literature
    return Section(
        "literature",
        "Literature says, data says",
        "section_set_literature.html.j2",
        {
            "rows": literature.to_dict("records"),
            "counts": sg.agreement_counts(literature),
            "msc_source": data.msc_sources.get(set_name, ""),
            "download": data.downloads.get(set_name, {}).get("signature_literature"),
        },
    )


def overview_signatures_section(data: ReportData) -> Section | None:
    """All sets at a glance: the scores, the balance and the focus pathways side by side."""
    if not data.signatures:
        return None
    columns: dict[str, str] = {}
    processes: dict[str, str] = {}
    rows_by_set = {s: sg.report_rows(data.signatures[s].table) for s in data.sets}
    for rows in rows_by_set.values():
        for r in rows:
            target = processes if r["kind"] == "process" else columns
            target.setdefault(r["key"], r["label"])
    cells = {}
    grid = {}
    for s, rows in rows_by_set.items():
        for r in rows:
            grid[(s, r["key"])] = r
            if r["key"] in columns:
                cells[(s, columns[r["key"]])] = GridCell(
                    r["z"], r["symbol"], _finite(r["p_value"]), r["sign"] != 0
                )
    svg = signature_grid_svg(list(data.sets), list(columns.values()), cells)
    agreement = {s: sg.agreement_counts(data.signatures[s].literature) for s in data.sets}
    return Section(
        "signatures",
        "Signatures",
        "section_overview_signatures.html.j2",
        {
            "svg": Markup(svg),
            "sets": data.sets,
            "columns": list(columns.items()),
            "processes": list(processes.items()),
            "grid": grid,
            "called": {s: [r for r in rows if r["sign"]] for s, rows in rows_by_set.items()},
            "alpha": _common([data.signatures[s].params.get("alpha") for s in data.sets])
            or sg.ALPHA,
            "agreement": agreement,
            "agreements": [a for a in sg.AGREEMENTS if any(a in c for c in agreement.values())],
            "msc_sources": data.msc_sources,
            "summary": next(
                (
                    d["signature_summary"]
                    for d in data.downloads.values()
                    if "signature_summary" in d
                ),
                None,
            ),
        },
    )


OverviewBuilder = Callable[[ReportData], "Section | None"]
SetBuilder = Callable[[ReportData, str], "Section | None"]

#: Sections of ``index.html``, in page order.
OVERVIEW_SECTIONS: tuple[OverviewBuilder, ...] = (
    overview_intro_section,
    overview_summary_section,
    overview_focus_section,
    overview_signatures_section,
    overview_names_section,
    overview_calibration_section,
    overview_overlap_section,
    overview_comparisons_section,
    overview_sources_section,
    overview_references_section,
    methods_section,
    parameters_section,
)

#: Sections of each ``{set}.html``, in page order.
SET_SECTIONS: tuple[SetBuilder, ...] = (
    set_summary_section,
    set_terms_section,
    set_focus_section,
    set_signatures_section,
    set_literature_section,
    set_targets_section,
    set_names_section,
    parameters_section,
)


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One HTML file of the report.

    ``active`` is the navigation key of the page (``index`` or the set name); ``eyebrow`` the
    line above the title that says what kind of page it is.
    """

    filename: str
    title: str
    active: str
    eyebrow: str
    sections: tuple[Section, ...]


def build_pages(data: ReportData) -> list[Page]:
    """The overview page followed by one page per set, in set order."""
    pages = [
        Page(
            "index.html",
            "Overview",
            "index",
            "All miRNA sets",
            tuple(s for b in OVERVIEW_SECTIONS if (s := b(data)) is not None),
        )
    ]
    for name in data.sets:
        source = data.msc_sources.get(name)
        eyebrow = "miRNA set" + (f" · MSC source: {source.replace('_', ' ')}" if source else "")
        pages.append(
            Page(
                f"{name}.html",
                name,
                name,
                eyebrow,
                tuple(s for b in SET_SECTIONS if (s := b(data, name)) is not None),
            )
        )
    return pages


def _run_facts(data: ReportData) -> list[tuple[str, str]]:
    """The header's one-line summary of the run: what a reader needs to interpret the numbers."""
    facts: list[tuple[str, str]] = []
    if data.generated:
        facts.append(("Run", data.generated))
    facts.append(("Sets", str(len(data.sets))))
    sources = _sources_of(data)
    if sources:
        facts.append(("Target sources", ", ".join(sources)))
    libraries = sorted({lib for f in data.enrichment.values() for lib in f["library"]})
    if libraries:
        facts.append(("Libraries", ", ".join(libraries)))
    flat = [flatten_params(data.enrichment_params[s]) for s in data.sets]
    background = _common(
        [_param(f, "background.kind", "background_kind", "background") for f in flat]
    )
    if background is not None:
        facts.append(("Background", str(background)))
    n_random = _common([_param(f, "n_random") for f in flat])
    seed = _common([_param(f, "seed") for f in flat])
    if n_random is not None:
        text = (
            f"{int(n_random):,} random miRNA sets"
            if isinstance(n_random, int | float) and not isinstance(n_random, bool)
            else str(n_random)
        )
        if seed is not None:
            text += f", seed {seed}"
        facts.append(("Empirical null", text))
    facts.append(("Significance", f"FDR < {data.fdr:g} (Benjamini{EN_DASH}Hochberg)"))
    return facts


def render_pages(data: ReportData) -> dict[str, str]:
    """Render every page to HTML text, keyed by file name (no files are written)."""
    env = _environment()
    css = env.loader.get_source(env, "report.css")[0]  # type: ignore[union-attr]
    script = env.loader.get_source(env, "report.js")[0]  # type: ignore[union-attr]
    page_template = env.get_template("page.html.j2")
    facts = _run_facts(data)
    nav = [("index", "Overview", "index.html")] + [(s, s, f"{s}.html") for s in data.sets]
    out: dict[str, str] = {}
    for page in build_pages(data):
        bodies = [
            (section, Markup(env.get_template(section.template).render(**section.context)))
            for section in page.sections
        ]
        out[page.filename] = page_template.render(
            page=page,
            bodies=bodies,
            nav=nav,
            facts=facts,
            css=Markup(css),
            script=Markup(script),
            version=__version__,
        )
    return out


def write_report(out_dir: str | os.PathLike[str], data: ReportData) -> list[Path]:
    """Render the report and write its pages into ``out_dir`` atomically.

    Returns the written paths: ``index.html`` first, then one page per set in set order.
    """
    out_dir = Path(out_dir)
    written = []
    for filename, html in render_pages(data).items():
        path = out_dir / filename
        write_text(html, path)
        written.append(path)
    return written


def render_report(
    out_dir: str | os.PathLike[str],
    *,
    sets: Sequence[str],
    names: Mapping[str, pd.DataFrame],
    targets: Mapping[str, pd.DataFrame],
    enrichment: Mapping[str, pd.DataFrame],
    enrichment_params: Mapping[str, Mapping[str, Any]],
    references: pd.DataFrame | Mapping[str, Mapping[str, Any]] | None,
    config: Mapping[str, Any],
    focus: Mapping[str, str] | None,
    calibration: Calibration | Mapping[str, pd.DataFrame | None] | None = None,
    comparisons: Mapping[tuple[str, str], pd.DataFrame] | None = None,
    msc_sources: Mapping[str, str] | None = None,
    source_summary: pd.DataFrame | None = None,
    fdr: float | None = None,
    generated: str | None = None,
    downloads: Mapping[str, Mapping[str, str | os.PathLike[str]]] | None = None,
    overlaps: Mapping[str, pd.DataFrame] | None = None,
    signatures: Mapping[str, sg.SignatureFiles | pd.DataFrame] | None = None,
) -> list[Path]:
    """Check the inputs, render the report and write it to ``out_dir``.

    ``downloads`` maps each set to the files its page links to (``targets``, ``enrichment``,
    ``names``); paths are turned into links relative to ``out_dir``. See
    :func:`build_report_data` for the other arguments. Returns the written pages, index first.
    """
    links = {
        s: {kind: _relative_href(p, out_dir) for kind, p in sorted(m.items())}
        for s, m in (downloads or {}).items()
    }
    data = build_report_data(
        sets=sets,
        names=names,
        targets=targets,
        enrichment=enrichment,
        enrichment_params=enrichment_params,
        references=references,
        config=config,
        focus=focus,
        calibration=calibration,
        comparisons=comparisons,
        msc_sources=msc_sources,
        source_summary=source_summary,
        fdr=fdr,
        generated=generated,
        downloads=links,
        overlaps=overlaps,
        signatures=signatures,
    )
    return write_report(out_dir, data)


__all__ = [
    "CALIBRATION_PVALUES_COLUMNS",
    "CALIBRATION_SUMMARY_COLUMNS",
    "COMPARISON_ALIASES",
    "COMPARISON_COLUMNS",
    "ENRICHMENT_COLUMNS",
    "NAMES_COLUMNS",
    "OVERLAP_FILES",
    "OVERLAP_LABELS",
    "OVERVIEW_SECTIONS",
    "REFERENCE_COLUMNS",
    "SET_SECTIONS",
    "SOURCE_SUMMARY_COLUMNS",
    "TARGETS_OPTIONAL",
    "TARGETS_REQUIRED",
    "Calibration",
    "Page",
    "ReportData",
    "Section",
    "SetSummary",
    "build_pages",
    "build_report_data",
    "calibration_sentence",
    "files_by_set",
    "flatten_params",
    "focus_matrix",
    "focus_rows",
    "format_number",
    "format_percent",
    "format_pvalue",
    "mirna_target_counts",
    "normalise_calibration",
    "normalise_comparison",
    "normalise_enrichment",
    "normalise_names",
    "normalise_overlap",
    "normalise_references",
    "normalise_source_summary",
    "normalise_targets",
    "primary_method",
    "rank_edges",
    "read_report_data",
    "render_pages",
    "render_report",
    "run_timestamp",
    "significance_threshold",
    "split_list",
    "summarise_set",
    "top_terms",
    "write_report",
]
