"""The result tables' contracts: one spec per table, read by producers, readers and the report.

Every table a stage writes under ``results/`` is declared here once: its path, its columns in
order, which of them are numeric and which are probabilities. Producers order their output by
:attr:`Table.columns`; readers check what they need with :meth:`Table.require` (or
:func:`require_columns` for an input that is not a result table); the report converts and checks
values with :attr:`Table.numeric` and :attr:`Table.probabilities`; ``docs/data-model.md`` lists
the same columns, and a test holds it to these specs. Adding a column means adding it here and
in the producer and describing it in the data model; nothing else repeats the list.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ._io import read_delimited
from .errors import InputError

__all__ = [
    "CALIBRATION_PVALUES",
    "CALIBRATION_SUMMARY",
    "COMPARISON",
    "EDGES",
    "EDGE_EVIDENCE",
    "ENRICHMENT",
    "NAMES",
    "OVERLAP",
    "PRERANK",
    "PRERANK_SCORES",
    "REFERENCES",
    "SETS",
    "SET_ROWS",
    "SET_TARGETS",
    "SIGNATURES",
    "SIGNATURE_DRIVERS",
    "SIGNATURE_LITERATURE",
    "SIGNATURE_SUMMARY",
    "SOURCES",
    "TABLES",
    "Table",
    "files_by_set",
    "read_table",
    "require_columns",
]


def require_columns(
    frame: pd.DataFrame,
    columns: Iterable[str],
    what: str,
    path: str | os.PathLike[str] | None = None,
    *,
    error: type[InputError] = InputError,
    line: int | None = None,
    hint: str | None = "see docs/data-model.md",
) -> None:
    """Raise ``error`` naming ``what`` (and ``path``) when ``frame`` lacks any of ``columns``.

    The message lists the missing columns and those found, so that a file with a wrong header
    (or one written by another tool) is recognised at a glance.
    """
    present = {str(c) for c in frame.columns}
    missing = [c for c in columns if c not in present]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns) or "none"
        raise error(
            f"{what} lacks column(s) {', '.join(map(repr, missing))}; found {found}",
            path=path,
            line=line,
            hint=hint,
        )


@dataclass(frozen=True)
class Table:
    """The contract of one result table.

    Attributes
    ----------
    key
        Short identifier, e.g. ``"enrichment"``.
    path
        Location under ``results/`` (``{set}``, ``{a}``, ``{b}`` are placeholders).
    what
        How messages name the table, e.g. ``"enrichment table"``.
    columns
        Every column, in the order the producer writes them.
    required
        The columns a reader cannot do without; the others may be absent in a table from an
        older run or a source that was not configured. Defaults to :attr:`columns`.
    numeric
        Columns holding numbers (empty cells are missing values).
    probabilities
        Numeric columns whose values must lie in [0, 1].
    aliases
        Former spellings of columns, renamed on reading.
    dynamic
        True when further columns follow :attr:`columns` whose names depend on the run (the
        signature summary's per-call columns).
    """

    key: str
    path: str
    what: str
    columns: tuple[str, ...]
    required: tuple[str, ...] | None = None
    numeric: tuple[str, ...] = ()
    probabilities: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    dynamic: bool = False

    def __post_init__(self) -> None:
        known = set(self.columns)
        for name, group in (
            ("required", self.required or ()),
            ("numeric", self.numeric),
            ("probabilities", self.probabilities),
        ):
            unknown = [c for c in group if c not in known]
            if unknown:
                raise ValueError(f"table {self.key}: {name} names unknown column(s) {unknown}")
        if not set(self.probabilities) <= set(self.numeric):
            raise ValueError(f"table {self.key}: every probability column must be numeric")

    @property
    def needed(self) -> tuple[str, ...]:
        """The required columns (all columns unless :attr:`required` says otherwise)."""
        return self.columns if self.required is None else self.required

    @property
    def optional(self) -> tuple[str, ...]:
        """Columns a reader accepts but does not insist on."""
        needed = set(self.needed)
        return tuple(c for c in self.columns if c not in needed)

    def require(
        self,
        frame: pd.DataFrame,
        path: str | os.PathLike[str] | None = None,
        columns: Sequence[str] | None = None,
    ) -> None:
        """Check that ``frame`` has the required columns (or ``columns``, when given)."""
        require_columns(frame, self.needed if columns is None else columns, self.what, path)

    def ordered(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with exactly :attr:`columns`, in order (a missing column is an error)."""
        require_columns(frame, self.columns, self.what, hint=None)
        extra = [] if not self.dynamic else [c for c in frame.columns if c not in self.columns]
        return frame.loc[:, [*self.columns, *extra]]

    def rename_aliases(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with former column spellings renamed (the current name wins)."""
        renames = {
            old: new
            for old, new in self.aliases.items()
            if old in frame.columns and new not in frame.columns
        }
        return frame.rename(columns=renames) if renames else frame


def files_by_set(
    paths: Iterable[str | os.PathLike[str]], sets: Sequence[str], *, suffix: str, what: str
) -> dict[str, Path]:
    """Match result files to sets by their file name (``<set><suffix>``).

    Snakemake passes inputs as lists; matching by name rather than by position means a
    reordered rule input can never attach one set's table to another set's page.
    """
    found: dict[str, Path] = {}
    for item in paths:
        path = Path(item)
        if not path.name.endswith(suffix):
            raise InputError(
                f"{what} file name does not end in {suffix!r}",
                path=path,
                hint=f"name it <set>{suffix}",
            )
        stem = path.name[: -len(suffix)]
        if stem not in sets:
            raise InputError(
                f"{what} file belongs to no reported set",
                path=path,
                value=stem,
                hint=f"reported sets: {', '.join(sets)}",
            )
        if stem in found:
            raise InputError(f"two {what} files for set {stem!r}", path=path)
        found[stem] = path
    missing = [s for s in sets if s not in found]
    if missing:
        raise InputError(
            f"no {what} file for set(s) {', '.join(repr(m) for m in missing)}",
            hint=f"expected files named <set>{suffix}",
        )
    return found


def _parquet_names(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    return pq.read_schema(path).names


def _parquet(path: Path, what: str, read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``read()``, with pyarrow's several unrelated error types as one InputError naming ``path``."""
    try:
        return read()
    except Exception as exc:
        raise InputError(f"{what} is not a readable Parquet file ({exc})", path=path) from exc


def read_table(
    path: str | os.PathLike[str],
    what: str,
    required: Sequence[str] = (),
    *,
    only_required: bool = False,
) -> pd.DataFrame:
    """Read a table an earlier stage wrote: Parquet (recognised by its magic bytes) or TSV.

    With ``only_required`` just the ``required`` columns are returned, and a Parquet file reads
    only those (an edge table's two name columns load about eight times faster than all
    thirteen).  Errors name the file: missing, unreadable Parquet, a TSV that is empty or not
    tab-separated, or a missing required column.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} not found", path=path, hint="run the stage that writes it")
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == b"PAR1":
        if only_required:
            # Checked on the file's schema, so that the error lists all of its columns.
            schema = _parquet(path, what, lambda: pd.DataFrame(columns=_parquet_names(path)))
            require_columns(schema, required, what, path)
        columns = list(required) if only_required else None
        frame = _parquet(path, what, lambda: pd.read_parquet(path, columns=columns))
        require_columns(frame, required, what, path)
        return frame
    frame = read_delimited(path, required=required, what=what)
    return frame[list(required)] if only_required else frame


# --------------------------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------------------------


def _all_but(columns: tuple[str, ...], *text: str) -> tuple[str, ...]:
    """The columns of a table except its text columns ``text``: its numeric columns."""
    return tuple(c for c in columns if c not in text)


#: Evidence of one miRNA -> gene edge, as combined from the target sources; carried unchanged
#: into the set target tables and the signature drivers.
EDGE_EVIDENCE = (
    "n_sources",
    "sources",
    "mirtarbase_tier",
    "mirtarbase_pmids",
    "mirtarbase_experiments",
    "targetscan_context_score",
    "targetscan_conserved",
    "mirdb_score",
    "libraries",
    "stem_pmids",
)
_EVIDENCE_NUMERIC = (
    "n_sources",
    "mirtarbase_pmids",
    "targetscan_context_score",
    "mirdb_score",
    "stem_pmids",
)

SETS = Table(
    key="sets",
    path="sets/mirna_sets.tsv",
    what="set sheet",
    columns=("set", "msc_source", "mirna", "weight", "note"),
    required=("set", "msc_source", "mirna"),
    numeric=("weight",),
)

SET_ROWS = Table(
    key="set_rows",
    path="sets/{set}.rows.tsv",
    what="set rows",
    columns=(*SETS.columns, "line"),
    numeric=(*SETS.numeric, "line"),
)

NAMES = Table(
    key="names",
    path="names/{set}.tsv",
    what="name audit",
    columns=(
        "set",
        "input",
        "resolved",
        "accession",
        "rule",
        "status",
        "candidates",
        "suggestions",
        "note",
        "line",
    ),
    required=(
        "set",
        "input",
        "resolved",
        "accession",
        "rule",
        "status",
        "candidates",
        "suggestions",
    ),
)

EDGES = Table(
    key="edges",
    path="targets/all_edges.parquet",
    what="edge table",
    columns=("mirna", "gene", *EDGE_EVIDENCE, "confidence"),
    required=("mirna", "gene"),
    numeric=(*_EVIDENCE_NUMERIC, "confidence"),
    probabilities=("confidence",),
)

SOURCES = Table(
    key="sources",
    path="targets/sources.tsv",
    what="target source summary",
    columns=(
        "source",
        "format",
        "edges",
        "mirnas",
        "genes",
        "edges_kept",
        "mirnas_kept",
        "genes_kept",
        "edges_combined",
    ),
    required=("source", "edges", "edges_kept", "edges_combined"),
    numeric=(
        "edges",
        "mirnas",
        "genes",
        "edges_kept",
        "mirnas_kept",
        "genes_kept",
        "edges_combined",
    ),
)

SET_TARGETS = Table(
    key="set_targets",
    path="targets/{set}.tsv",
    what="target table",
    columns=("set", "input_name", "mirna", "weight", "gene", *EDGE_EVIDENCE, "confidence"),
    required=("set", "mirna", "gene", "n_sources", "sources"),
    numeric=(*_EVIDENCE_NUMERIC, "weight", "confidence"),
    probabilities=("confidence",),
)

#: Columns added with the testing families and the extended null; tables of earlier runs lack
#: them and stay readable.
_ENRICHMENT_FAMILY_COLUMNS = ("p_method", "fdr_focus", "fdr_all", "z_emp", "mirna_score")
#: Columns of text (names, labels, gene lists) and groups; every other column is a number.
_ENRICHMENT_TEXT_COLUMNS = (
    "set",
    "library",
    "term_id",
    "term",
    "focus",
    "p_method",
    "cluster",
    "cluster_lead",
    "overlap_genes",
)
_ENRICHMENT_COLUMNS = (
    "set",
    "library",
    "term_id",
    "term",
    "focus",
    "term_size",
    "overlap",
    "n_targets",
    "background_size",
    "expected",
    "fold_enrichment",
    "p_ora",
    "fdr_ora",
    "p_emp",
    "p_method",
    "fdr_emp",
    "fdr_focus",
    "fdr_all",
    "z_emp",
    "mirna_score",
    "null_mean",
    "null_sd",
    "n_null",
    "k_mirnas",
    "cluster",
    "cluster_lead",
    "overlap_genes",
)

ENRICHMENT = Table(
    key="enrichment",
    path="enrichment/{set}.tsv",
    what="enrichment table",
    columns=_ENRICHMENT_COLUMNS,
    required=tuple(c for c in _ENRICHMENT_COLUMNS if c not in _ENRICHMENT_FAMILY_COLUMNS),
    numeric=tuple(c for c in _ENRICHMENT_COLUMNS if c not in _ENRICHMENT_TEXT_COLUMNS),
    probabilities=("p_ora", "fdr_ora", "p_emp", "fdr_emp", "fdr_focus", "fdr_all"),
)

CALIBRATION_PVALUES = Table(
    key="calibration_pvalues",
    path="calibration/pvalues.tsv",
    what="calibration p-value table",
    columns=("method", "query_size", "expected", "observed"),
    required=("method", "expected", "observed"),
    numeric=("query_size", "expected", "observed"),
    probabilities=("expected", "observed"),
)

_CALIBRATION_SUMMARY_COLUMNS = (
    "method",
    "null",
    "n_queries",
    "query_size",
    "n_terms",
    "n_focus_terms",
    "n_random",
    "fraction_any_fdr05",
    "ci_low",
    "ci_high",
    "mean_terms_fdr05",
    "fraction_any_fdr05_focus",
    "ci_low_focus",
    "ci_high_focus",
    "fraction_any_fdr05_all",
    "ci_low_all",
    "ci_high_all",
    "fraction_p05",
)

CALIBRATION_SUMMARY = Table(
    key="calibration_summary",
    path="calibration/summary.tsv",
    what="calibration summary",
    columns=_CALIBRATION_SUMMARY_COLUMNS,
    required=("method", "n_queries", "query_size", "fraction_any_fdr05"),
    numeric=_CALIBRATION_SUMMARY_COLUMNS[2:],
    probabilities=tuple(
        c for c in _CALIBRATION_SUMMARY_COLUMNS if c.startswith(("fraction_", "ci_"))
    ),
)

_COMPARISON_COLUMNS = (
    "set_a",
    "set_b",
    "library",
    "term_id",
    "term",
    "focus",
    "term_size",
    "background_size",
    "k_a",
    "k_b",
    "k_shared",
    "overlap_a",
    "n_targets_a",
    "fraction_a",
    "overlap_b",
    "n_targets_b",
    "fraction_b",
    "difference",
    "null_mean",
    "null_sd",
    "p_perm",
    "fdr",
    "n_perm",
    "n_splits",
)

COMPARISON = Table(
    key="comparison",
    path="compare/{a}__vs__{b}.tsv",
    what="comparison table",
    columns=_COMPARISON_COLUMNS,
    required=(
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
    ),
    numeric=_all_but(_COMPARISON_COLUMNS, "set_a", "set_b", "library", "term_id", "term", "focus"),
    probabilities=("p_perm", "fdr"),
    aliases={
        "frac_a": "fraction_a",
        "frac_b": "fraction_b",
        "diff": "difference",
        "fdr_perm": "fdr",
    },
)

OVERLAP = Table(
    key="overlap",
    path="compare/overlap_{kind}.tsv",
    what="overlap table",
    columns=("sets", "n_sets", "size", "members"),
    numeric=("n_sets", "size"),
)

PRERANK_SCORES = Table(
    key="prerank_scores",
    path="prerank/{set}.scores.tsv",
    what="prerank score table",
    columns=("set", "gene", "score", "n_mirnas", "mirnas"),
    numeric=("score", "n_mirnas"),
)

PRERANK = Table(
    key="prerank",
    path="prerank/{set}.tsv",
    what="prerank table",
    columns=(
        "set",
        "library",
        "term_id",
        "term",
        "term_size",
        "es",
        "nes",
        "pval",
        "fdr",
        "fwer",
        "n_leading",
        "leading_genes",
    ),
    numeric=("term_size", "es", "nes", "pval", "fdr", "fwer", "n_leading"),
    probabilities=("pval", "fdr", "fwer"),
)

SIGNATURES = Table(
    key="signatures",
    path="signatures/{set}.tsv",
    what="signature table",
    columns=(
        "set",
        "kind",
        "key",
        "label",
        "score",
        "z",
        "direction",
        "p_up",
        "p_down",
        "p_value",
        "p_method",
        "fdr",
        "null_mean",
        "null_sd",
        "n_genes",
        "n_edges",
        "n_mirnas",
        "drivers",
    ),
    numeric=(
        "score",
        "z",
        "p_up",
        "p_down",
        "p_value",
        "fdr",
        "null_mean",
        "null_sd",
        "n_genes",
        "n_edges",
        "n_mirnas",
    ),
    probabilities=("p_up", "p_down", "p_value", "fdr"),
)

SIGNATURE_DRIVERS = Table(
    key="signature_drivers",
    path="signatures/{set}.drivers.tsv",
    what="signature driver table",
    columns=(
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
        *EDGE_EVIDENCE,
        "role_reference",
    ),
    numeric=("rank", "weight", "confidence", "contribution", *_EVIDENCE_NUMERIC),
    probabilities=("confidence",),
)

SIGNATURE_LITERATURE = Table(
    key="signature_literature",
    path="signatures/{set}.literature.tsv",
    what="literature comparison table",
    columns=(
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
    ),
    numeric=("edge_confidence", "set_p", "mirna_contribution"),
    probabilities=("edge_confidence", "set_p"),
)

SIGNATURE_SUMMARY = Table(
    key="signature_summary",
    path="signatures/summary.tsv",
    what="signature summary",
    columns=("set", "msc_source", "k_mirnas"),
    numeric=("k_mirnas",),
    dynamic=True,
)

REFERENCES = Table(
    key="references",
    path="references.tsv",
    what="reference provenance table",
    columns=(
        "key",
        "section",
        "name",
        "role",
        "version",
        "kind",
        "location",
        "file",
        "size",
        "sha256",
        "checksum",
        "retrieved_at",
    ),
    required=("key", "version", "kind", "location", "size", "sha256"),
    numeric=("size",),
)

#: Every result table, by key.
TABLES: dict[str, Table] = {
    table.key: table
    for table in (
        SETS,
        SET_ROWS,
        NAMES,
        EDGES,
        SOURCES,
        SET_TARGETS,
        ENRICHMENT,
        CALIBRATION_PVALUES,
        CALIBRATION_SUMMARY,
        COMPARISON,
        OVERLAP,
        PRERANK_SCORES,
        PRERANK,
        SIGNATURES,
        SIGNATURE_DRIVERS,
        SIGNATURE_LITERATURE,
        SIGNATURE_SUMMARY,
        REFERENCES,
    )
}
