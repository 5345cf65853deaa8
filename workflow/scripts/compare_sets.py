"""Differential enrichment of two sets: per-term difference in target overlap, permutation test.

Target-count (study) bias.  The enrichment of one set needs a null stratified on target counts
(``enrichment.empirical.stratified``) because its random sets come from the whole universe,
mostly barely studied miRNAs with few validated targets, while curated sets are made of heavily
studied, target-rich ones.  This test does not draw from the universe: it only reshuffles the
miRNAs found in one set but not the other between the two sets, so every permuted set is made
of the same curated miRNAs and the comparison is matched on the pooled target-count profile
without strata.  It stays exact under its null (the unique miRNAs of both sets are
exchangeable), and the statistic divides each overlap by the set's own number of targets, so a
target-rich set does not win everywhere by its size.

What it cannot separate is a difference in how well studied the two sets' own miRNAs are: if
one set's unique miRNAs are target-rich and the other's target-poor, the observed split is an
extreme one in target counts, and a term difference may reflect study depth (studied miRNAs
have validated targets among studied, often cancer-related, genes) rather than biology.  On the
real references (miRTarBase 2017 + TargetScan 7.0) the configured pairs are balanced (the
observed split lies at the 25th-90th percentile of random splits in mean log target count)
except those with ``msc_exosome_enriched``, whose unique miRNAs have a median of 216 targets
against 1,019-1,368 (92nd-99th percentile); no term of any pair reaches FDR < 0.05.  Stratifying
the permutations would not help here: with 3-11 unique miRNAs per set there are only 20 to
19,448 distinct splits, and strata would leave almost none.  Read differences between sets of
unequal study depth with that in mind (bench/README.md).
"""

from common import enrichment_engine, start

start(snakemake)

from exomir._io import write_tsv
from exomir.enrichment import compare_sets

engine, settings = enrichment_engine(snakemake)
compare = snakemake.params.enrichment["compare"]
table = compare_sets(
    engine,
    snakemake.wildcards.a,
    engine.mirnas_from_targets(snakemake.input.a),
    snakemake.wildcards.b,
    engine.mirnas_from_targets(snakemake.input.b),
    n_permutations=compare["n_permutations"],
    seed=compare["seed"],
    threads=snakemake.threads,
)
write_tsv(table, snakemake.output.table)
