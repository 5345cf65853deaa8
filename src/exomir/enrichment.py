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

Why the null is stratified on target counts (the default)
---------------------------------------------------------
Validated targets (miRTarBase) follow how much a miRNA has been studied.  Curated sets such as
the MSC-exosome lists are made of heavily studied miRNAs (the bone-marrow set's 8 miRNAs have
292-1,844 targets, median about 1,370, at the 97th percentile of the universe), while half of
the 2,544 miRNAs of the default universe have 103 or fewer.  Random sets drawn uniformly from the
universe therefore have a few times fewer targets than the set (the bone-marrow set's target
counts sum to 9,951, a uniform random set's to 1,774), and nearly every pathway looks enriched:
7,834 of 8,696 terms at FDR < 0.05 for bone marrow, against 1,133 by ORA.  So random sets are
drawn within target-count strata (``enrichment.empirical.stratified``): the universe is cut into
quantile bins of target count, and each random set takes as many miRNAs from each bin as the set
has there.  Heavily studied miRNAs are then compared with heavily studied miRNAs.

The default, 30 bins (:data:`DEFAULT_STRATA`), was chosen with random sets that copy a real
set's target-count profile and have no other theme (bench/README.md): they should get p < 0.05
in 5 % of tests.  Uniform: 82-91 %; 5 bins: 28-41 %; 10 bins: up to 14 %; 20 bins: 0.8-7.8 %
(the top bins are wide in target counts); 30 bins: 4.1-5.6 % for all four profiles; 40-50
bins: 2.0-5.8 % (strata shrink and the set's own miRNAs fill more of them).  With 30 bins four of the
five default sets have nothing at FDR < 0.05 in any family (KEGG PI3K-Akt: p_emp 0.28 for bone
marrow, 0.78 for umbilical cord); msc_unspecified_source has 28 terms within their libraries and
21 in the focus family once its p-values are resolved below ``1 / N`` (docs/methods/enrichment.md).

Strata and small sets.  A stratum holding fewer than 5 times the set's miRNAs in it
(:data:`exomir._null.MIN_STRATUM_FACTOR`) is merged with the neighbouring bin of closer target
counts, so that random sets are not mostly the set itself; the set keeps its ``k`` miRNAs, and
the merge is logged and recorded (``strata_merged`` in the ``.json``).  A universe smaller than
5 ``k`` ends as one stratum, the uniform null, with a warning.  Few miRNAs in narrow strata
allow few distinct random sets -- one miRNA in a bin of 85 has 85 -- and the set itself is one
of them, so its p-values cannot go much below the inverse (about 0.01 for ``k = 1``, 1e-4 to
5e-4 for ``k = 2``); a warning says so when there are fewer distinct sets than ``N``, and the ``.json``
gives ``log10_distinct_random_sets``.  The ``.json`` also lists the strata the set draws from
and compares the set's sum of target counts with a random set's (``target_count_sum``).

Definitions (one row per tested term; all libraries at once)
------------------------------------------------------------
* background of library ``L`` (``background_size``): the chosen background kind (targetable,
  library, user, protein_coding) intersected with ``L``'s genes;
* ``term_size``: the term's genes inside the background; terms outside
  ``[min_size, max_size]`` are not tested;
* ``n_targets``: the set's target genes inside the background; ``overlap``: those in the term;
* ``p_ora``: hypergeometric upper tail ``P(X >= overlap)`` (= one-sided Fisher exact test);
* ``p_emp``: ``(1 + #{random sets at least as extreme}) / (1 + N)`` over ``N`` random sets of
  the set's ``k`` miRNAs; "as extreme" compares, by default (``enrichment.empirical.statistic:
  mirna_sum``, :mod:`exomir._scores`), ``mirna_score``: the sum over the set's miRNAs of each
  one's own ``-ln p`` (hypergeometric) for the term, capped at 50, a family of miRNAs with
  shared targets counted once where several are in the set, with the family's mean scores (``families``,
  :class:`exomir._scores.FamilyCollapse`); or the share of targets in
  the term, ``overlap / n_targets`` (``share``, BUFET's statistic), or the raw overlap
  (``overlap``); docs/methods/analytic.md compares them; random
  sets are drawn without replacement from the miRNA universe, within target-count strata by
  default (see above; ``stratified: false`` draws uniformly); with sequential stopping (Besag &
  Clifford 1991) a term stops after ``h`` exceedances at draw ``L`` and gets ``h / L``; terms
  that could still pass draw on beyond ``N`` up to ``max_draws``, where the count stands or, when
  nothing exceeded, the floor ``1 / (draws + 1)``; with ``tail_fit`` a generalized Pareto tail
  fit replaces counts of fewer than 10 exceedances there (:mod:`exomir._pvalues`; ``p_method``
  says which); ``n_null`` is the number of draws used; a term with overlap 0 has
  ``p_emp = 1`` without drawing;
* ``fdr_ora``, ``fdr_emp``: Benjamini-Hochberg within the term's library (the Enrichr/gseapy
  convention); ``fdr_focus``: over the focus family (the terms flagged ``focus``, of every
  library; empty elsewhere); ``fdr_all``: over all tested terms of all libraries.  Which column
  answers which question: docs/methods/enrichment.md;
* ``z_emp = (mirna_score - null_mean) / null_sd`` (``overlap`` in place of ``mirna_score`` for
  the other statistics): the effect size of the empirical test;
* ``expected = n_targets * term_size / background_size``; ``fold_enrichment = overlap /
  expected`` (empty when nothing is expected);
* ``null_mean``, ``null_sd``: mean and SD of the random sets' ``mirna_score`` (their overlaps,
  or shares times ``n_targets``, for the other statistics) over the first ``N`` draws
  (fewer when sequential stopping ended the term earlier; the extension beyond ``N`` does not
  change them), empty when no draw was needed; ``k_mirnas``: the set's miRNAs in the universe;
* ``focus``: focus-pathway keys of the term (:func:`exomir.focus.flag_focus`), ``;``-joined;
* ``cluster``, ``cluster_lead``: redundancy groups of significant terms (:func:`cluster_terms`);
* ``overlap_genes``: the overlapping genes, sorted, ``;``-joined.

Rows are sorted by ``p_emp``, ``z_emp`` (largest first), ``p_ora``, library and term ID (columns in :data:`exomir.tables.ENRICHMENT` order).

Files written beside ``results/enrichment/{set}.tsv`` (:meth:`EnrichmentResult.write`):
``{set}.background.txt`` (union of the libraries' backgrounds, one gene per line),
``{set}.universe.txt`` (the miRNA universe, one per line) and ``{set}.json`` (background kind
and sizes per library, universe kind, size and dropped names, N, seed, the null
(``uniform`` or ``stratified:<bins>``) with the set's strata, sequential stopping, ``k`` and the
analysed, untargeted and out-of-universe miRNAs).

Beyond one set:

* :func:`calibrate` — random query sets through both tests (``results/calibration/``), the
  empirical one with the run's null (per-query stratified nulls by default);
* :func:`compare_sets` — per-term difference between two sets, miRNA permutation test
  (``results/compare/{a}__vs__{b}.tsv``).

Where things live (this module re-exports them): the engine -- :class:`EnrichmentEngine`
(everything that does not depend on the set, built once), :func:`build_universe`,
:func:`cluster_terms` and the result files -- in :mod:`exomir._engine`; the settings
(:class:`EnrichmentSettings`, :class:`NullSettings`: the ``enrichment`` section of a validated
config, defaults from the schema) in :mod:`exomir._settings`; the input readers
(:func:`read_edge_pairs`, :func:`read_gene_sets`, :func:`read_name_list`, ...) in
:mod:`exomir._inputs`; :func:`calibrate` in :mod:`exomir._calibration`; :func:`compare_sets` in
:mod:`exomir._compare`.  The kernels (sparse term x gene membership times bit-packed target
unions, threads, seeded random-set streams that do not depend on batch sizes or thread
counts) are in :mod:`exomir._null`; the fast hypergeometric tail in :mod:`exomir._hypergeom`;
:func:`hypergeometric_sf` and :func:`bh_fdr` in :mod:`exomir._stats`.  The column lists
(:data:`TABLE_COLUMNS` and the others) are the specs of :mod:`exomir.tables`.
"""

from __future__ import annotations

from ._calibration import METHODS, CalibrationResult, calibrate, median_set_size, qq_points
from ._compare import compare_sets
from ._engine import (
    EnrichmentEngine,
    EnrichmentResult,
    Query,
    Universe,
    build_universe,
    cluster_terms,
    tsv_ready,
)
from ._inputs import (
    background_gene_list,
    clean_edge_pairs,
    clean_gene_sets,
    protein_coding_genes,
    read_edge_pairs,
    read_gene_sets,
    read_name_list,
    read_set_mirnas,
)
from ._io import write_json
from ._settings import (
    BACKGROUND_KINDS,
    DEFAULT_STRATA,
    UNIVERSE_KINDS,
    EnrichmentSettings,
    NullSettings,
)
from ._stats import bh_fdr, hypergeometric_sf
from .tables import CALIBRATION_PVALUES, CALIBRATION_SUMMARY, COMPARISON, ENRICHMENT

#: Columns of ``results/enrichment/{set}.tsv`` (:data:`exomir.tables.ENRICHMENT`).
TABLE_COLUMNS = ENRICHMENT.columns
#: Columns of ``results/compare/{a}__vs__{b}.tsv`` (:data:`exomir.tables.COMPARISON`).
COMPARE_COLUMNS = COMPARISON.columns
#: Columns of ``results/calibration/pvalues.tsv`` (:data:`exomir.tables.CALIBRATION_PVALUES`).
PVALUE_COLUMNS = CALIBRATION_PVALUES.columns
#: Columns of ``results/calibration/summary.tsv`` (:data:`exomir.tables.CALIBRATION_SUMMARY`).
SUMMARY_COLUMNS = CALIBRATION_SUMMARY.columns
#: Former names of :func:`read_edge_pairs` and :func:`clean_edge_pairs`.
read_edges = read_edge_pairs
clean_edges = clean_edge_pairs

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
    "clean_edge_pairs",
    "clean_edges",
    "clean_gene_sets",
    "cluster_terms",
    "compare_sets",
    "hypergeometric_sf",
    "median_set_size",
    "protein_coding_genes",
    "qq_points",
    "read_edge_pairs",
    "read_edges",
    "read_gene_sets",
    "read_name_list",
    "read_set_mirnas",
    "tsv_ready",
    "write_json",
]
