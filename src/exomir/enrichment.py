"""Pathway enrichment of miRNA sets, corrected for the miRNA target bias.

Why a second test next to ORA
-----------------------------
Over-representation analysis (ORA) asks whether the *genes* targeted by a miRNA set fall in a
pathway more often than random *genes* would.  But miRNA targets are not random genes: genes with
long 3'UTRs and many sites (development, signalling, transcription factors) are targeted by many
miRNAs, so the targets of *any* miRNA set look "enriched" in those pathways (Bleazard, Lamb &
Griffiths-Jones 2015, Bioinformatics 31:1592; Godard & van Eyll 2015).  The remedy is an
empirical null built from random *miRNA sets* of the same size (BUFET; miRNet's "empirical"
mode): a term is enriched when the set hits it more than random miRNA sets do.  exomir reports
both, and shows with :func:`calibrate` that the empirical test holds its nominal error rate where
ORA does not.

Definitions (one row per tested term; all libraries at once)
------------------------------------------------------------
* background of library ``L`` (``background_size``): the chosen background kind (targetable,
  library, user, protein_coding) intersected with ``L``'s genes;
* ``term_size``: the term's genes inside the background; terms outside
  ``[min_size, max_size]`` are not tested;
* ``n_targets``: the set's target genes inside the background; ``overlap``: those in the term;
* ``p_ora``: hypergeometric upper tail ``P(X >= overlap)`` (= one-sided Fisher exact test);
* ``p_emp``: ``(1 + #{random overlap >= overlap}) / (1 + N)`` over ``N`` random sets of the
  set's ``k`` miRNAs drawn without replacement from the miRNA universe (optionally stratified
  on target counts); with sequential stopping (Besag & Clifford 1991) a term stops after ``h``
  exceedances at draw ``L`` and gets ``h / L``; ``n_null`` is the number of draws used; a term
  with overlap 0 has ``p_emp = 1`` without drawing;
* ``fdr_ora``, ``fdr_emp``: Benjamini-Hochberg over all tested terms of all libraries;
* ``expected = n_targets * term_size / background_size``; ``fold_enrichment = overlap /
  expected`` (empty when nothing is expected);
* ``null_mean``, ``null_sd``: mean and SD of the random sets' overlaps over the ``n_null`` draws
  (empty when no draw was needed); ``k_mirnas``: the set's miRNAs in the universe;
* ``focus``: focus-pathway keys of the term (:func:`exomir.focus.flag_focus`), ``;``-joined;
* ``cluster``, ``cluster_lead``: redundancy groups of significant terms (:func:`cluster_terms`);
* ``overlap_genes``: the overlapping genes, sorted, ``;``-joined.

Rows are sorted by ``p_emp``, ``p_ora``, library and term ID (:data:`TABLE_COLUMNS` order).

Files written beside ``results/enrichment/{set}.tsv`` (:meth:`EnrichmentResult.write`):
``{set}.background.txt`` (union of the libraries' backgrounds, one gene per line),
``{set}.universe.txt`` (the miRNA universe, one per line) and ``{set}.json`` (background kind
and sizes per library, universe kind, size and dropped names, N, seed, stratification,
sequential stopping, ``k`` and the analysed, untargeted and out-of-universe miRNAs).

Beyond one set:

* :func:`calibrate` — random query sets through both tests (``results/calibration/``);
* :func:`compare_sets` — per-term difference between two sets, miRNA permutation test
  (``results/compare/{a}__vs__{b}.tsv``).

Building blocks: :class:`EnrichmentEngine` (everything that does not depend on the set, built
once), :class:`EnrichmentSettings` and :class:`NullSettings` (the ``enrichment`` section of
the config, validated), :func:`build_universe`, :func:`hypergeometric_sf`, :func:`bh_fdr`,
:func:`cluster_terms`.  The kernels (sparse term x gene membership times bit-packed target
unions, threads, seeded random-set streams that do not depend on batch sizes or thread
counts) are in :mod:`exomir._null`; the fast hypergeometric tail in :mod:`exomir._hypergeom`.
"""

from __future__ import annotations

from ._calibration import (
    METHODS,
    PVALUE_COLUMNS,
    SUMMARY_COLUMNS,
    CalibrationResult,
    calibrate,
    median_set_size,
    qq_points,
)
from ._compare import COMPARE_COLUMNS, compare_sets
from ._engine import (
    BACKGROUND_KINDS,
    DEFAULT_STRATA,
    TABLE_COLUMNS,
    UNIVERSE_KINDS,
    EnrichmentEngine,
    EnrichmentResult,
    EnrichmentSettings,
    NullSettings,
    Query,
    Universe,
    background_gene_list,
    bh_fdr,
    build_universe,
    clean_edges,
    clean_gene_sets,
    cluster_terms,
    hypergeometric_sf,
    protein_coding_genes,
    read_edges,
    read_gene_sets,
    read_name_list,
    read_set_mirnas,
    tsv_ready,
    write_json,
)

__all__ = [
    "BACKGROUND_KINDS",
    "COMPARE_COLUMNS",
    "DEFAULT_STRATA",
    "METHODS",
    "PVALUE_COLUMNS",
    "SUMMARY_COLUMNS",
    "TABLE_COLUMNS",
    "UNIVERSE_KINDS",
    "CalibrationResult",
    "EnrichmentEngine",
    "EnrichmentResult",
    "EnrichmentSettings",
    "NullSettings",
    "Query",
    "Universe",
    "background_gene_list",
    "bh_fdr",
    "build_universe",
    "calibrate",
    "clean_edges",
    "clean_gene_sets",
    "cluster_terms",
    "compare_sets",
    "hypergeometric_sf",
    "median_set_size",
    "protein_coding_genes",
    "qq_points",
    "read_edges",
    "read_gene_sets",
    "read_name_list",
    "read_set_mirnas",
    "tsv_ready",
    "write_json",
]
