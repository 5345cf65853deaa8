"""Abundance input: miRNA count tables to miRNA sets, and a weighted prerank of the targets.

Besides a hand-written set sheet (:mod:`exomir.sets`), exomir accepts what a small-RNA
sequencing experiment of exosomes produces: a count table (miRNA x samples) and a sample sheet.
Two private modules do the work, and this module is their public face:

* :mod:`exomir._counts` -- count tables in the layouts of the common quantifiers
  (:data:`COUNT_LAYOUTS`: miRDeep2, mirtop, nf-core/smrnaseq edgeR, sRNAbench, exceRpt, plain)
  and sample sheets to miRNA sets by a documented rule (:func:`read_counts`,
  :func:`read_samples`, :func:`sets_from_counts`, :class:`AbundanceSettings`); each miRNA's
  mean CPM becomes its ``weight``;
* :mod:`exomir._prerank` -- the weighted GSEA pre-ranked test of a set's target genes, scored by
  miRNA weight x edge confidence (:func:`target_scores`, :func:`prerank`,
  :class:`PrerankSettings`).

Their docstrings give the file formats, the rules and the statistics.
"""

from __future__ import annotations

from ._counts import (
    COUNT_FORMATS,
    COUNT_LAYOUTS,
    RULES,
    SAMPLE_COLUMNS,
    SHEET_COLUMNS,
    AbundanceSettings,
    CountLayout,
    build_mirna_sets,
    check_samples,
    copy_mirna_sets,
    counts_per_million,
    format_cpm,
    mirna_sets_from_config,
    read_counts,
    read_samples,
    sets_from_counts,
    write_mirna_sets,
)
from ._prerank import PrerankSettings, prerank, ranking, target_scores
from .tables import PRERANK, PRERANK_SCORES

#: Columns of ``results/prerank/{set}.scores.tsv`` (:data:`exomir.tables.PRERANK_SCORES`).
SCORE_COLUMNS = PRERANK_SCORES.columns
#: Columns of ``results/prerank/{set}.tsv`` (:data:`exomir.tables.PRERANK`).
PRERANK_COLUMNS = PRERANK.columns

__all__ = [
    "COUNT_FORMATS",
    "COUNT_LAYOUTS",
    "PRERANK_COLUMNS",
    "RULES",
    "SAMPLE_COLUMNS",
    "SCORE_COLUMNS",
    "SHEET_COLUMNS",
    "AbundanceSettings",
    "CountLayout",
    "PrerankSettings",
    "build_mirna_sets",
    "check_samples",
    "copy_mirna_sets",
    "counts_per_million",
    "format_cpm",
    "mirna_sets_from_config",
    "prerank",
    "ranking",
    "read_counts",
    "read_samples",
    "sets_from_counts",
    "target_scores",
    "write_mirna_sets",
]
