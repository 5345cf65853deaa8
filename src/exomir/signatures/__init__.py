"""Signatures: what a miRNA set pushes the recipient cell towards, and the edges behind each call.

A miRNA represses its targets; repressing an inhibitor of a process pushes the process up,
repressing an activator pushes it down.  From curated regulators and gene roles, the
signatures turn a set's target edges into signed calls on the focus pathways, other processes,
four scores (pro-tumour, anti-tumour, regenerative, immunomodulatory) and the tumour lean,
each with an empirical p-value against the enrichment's random miRNA sets and the edges that
drive it, and set them beside what the MSC-exosome literature claims.  The calls are hypotheses
derived from target annotations, not measurements.

The method (model, null, direction rules, drivers, literature matching) is described in
``docs/methods/signatures.md``; the output tables are specified in :mod:`exomir.tables`
(``SIGNATURES``, ``SIGNATURE_DRIVERS``, ``SIGNATURE_LITERATURE``, ``SIGNATURE_SUMMARY``) and
``docs/data-model.md``.

Modules: ``_model`` (calls and curated readers), ``_inputs`` (edge and target tables),
``_scoring`` (scores, null, calls, drivers), ``_literature`` (literature beside data),
``_summary`` (reading, checking and summarising the outputs), ``_display`` (what the report
shows).  Everything public is importable from ``exomir.signatures``.
"""

from __future__ import annotations

from ..tables import SIGNATURE_DRIVERS, SIGNATURE_LITERATURE, SIGNATURES
from ._display import (
    DIRECTION_SYMBOLS,
    KIND_GROUPS,
    REPORT_DRIVERS,
    agreement_counts,
    report_drivers,
    report_rows,
    standardised,
)
from ._inputs import (
    SCORING_COLUMNS,
    check_set_targets,
    clean_scoring_edges,
    normalise_weights,
    read_scoring_edges,
    read_set_targets,
)
from ._literature import (
    AGREEMENTS,
    EFFECT_CALLS,
    EFFECTS,
    LITERATURE_INPUT_COLUMNS,
    PATHWAY_AGREEMENTS,
    UNNAMED_SOURCES,
    literature_comparison,
    mirna_matches,
    mirna_stem,
    read_literature,
)
from ._model import (
    DIRECTION_SIGN,
    DIRECTION_WORDS,
    DIRECTIONS,
    GENE_ROLES,
    KINDS,
    LEAN,
    LEAN_SCORES,
    REGULATOR_COLUMNS,
    REGULATOR_EFFECTS,
    ROLE_COLUMNS,
    SCORES,
    Call,
    SignatureModel,
    build_model,
    file_checksums,
    read_gene_roles,
    read_model,
    read_regulators,
)
from ._scoring import (
    ALPHA,
    P_METHODS,
    TIE_TOLERANCE,
    TOP_DRIVERS,
    SignatureResult,
    TailPvalue,
    call_direction,
    contribution_matrix,
    empirical_pvalues,
    lean_scores,
    null_draws,
    null_moments,
    null_scores,
    p_method,
    resolve_tail,
    score_set,
    standardise,
    target_counts,
    tested_tail,
)
from ._summary import (
    FILE_SUFFIXES,
    SignatureFiles,
    check_table,
    group_files,
    read_set_files,
    read_table,
    summarise,
)

# Column lists of the output tables, for the callers outside this package that still name
# them here (exomir.report, tests/test_workflow.py); the specs in exomir.tables are their home.
TABLE_COLUMNS = SIGNATURES.columns
DRIVER_COLUMNS = SIGNATURE_DRIVERS.columns
LITERATURE_COLUMNS = SIGNATURE_LITERATURE.columns

__all__ = [
    "AGREEMENTS",
    "ALPHA",
    "DIRECTIONS",
    "DIRECTION_SIGN",
    "DIRECTION_SYMBOLS",
    "DIRECTION_WORDS",
    "DRIVER_COLUMNS",
    "EFFECTS",
    "EFFECT_CALLS",
    "FILE_SUFFIXES",
    "GENE_ROLES",
    "KINDS",
    "KIND_GROUPS",
    "LEAN",
    "LEAN_SCORES",
    "LITERATURE_COLUMNS",
    "LITERATURE_INPUT_COLUMNS",
    "PATHWAY_AGREEMENTS",
    "P_METHODS",
    "REGULATOR_COLUMNS",
    "REGULATOR_EFFECTS",
    "REPORT_DRIVERS",
    "ROLE_COLUMNS",
    "SCORES",
    "SCORING_COLUMNS",
    "TABLE_COLUMNS",
    "TIE_TOLERANCE",
    "TOP_DRIVERS",
    "UNNAMED_SOURCES",
    "Call",
    "SignatureFiles",
    "SignatureModel",
    "SignatureResult",
    "TailPvalue",
    "agreement_counts",
    "build_model",
    "call_direction",
    "check_set_targets",
    "check_table",
    "clean_scoring_edges",
    "contribution_matrix",
    "empirical_pvalues",
    "file_checksums",
    "group_files",
    "lean_scores",
    "literature_comparison",
    "mirna_matches",
    "mirna_stem",
    "normalise_weights",
    "null_draws",
    "null_moments",
    "null_scores",
    "p_method",
    "read_gene_roles",
    "read_literature",
    "read_model",
    "read_regulators",
    "read_scoring_edges",
    "read_set_files",
    "read_set_targets",
    "read_table",
    "report_drivers",
    "report_rows",
    "resolve_tail",
    "score_set",
    "standardise",
    "standardised",
    "summarise",
    "target_counts",
    "tested_tail",
]
