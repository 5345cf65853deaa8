"""Enrichment of one miRNA set: ORA and the miRNA-set empirical null (stratified on target counts
unless ``enrichment.empirical.stratified`` is false), all libraries at once."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", force=True
)

from exomir.enrichment import EnrichmentEngine, EnrichmentSettings, read_edges, read_gene_sets
from exomir.focus import load_focus_pathways

settings = EnrichmentSettings.from_config(snakemake.params.enrichment)
focus_file = getattr(snakemake.input, "focus", None)
engine = EnrichmentEngine.from_settings(
    read_edges(snakemake.input.edges),
    read_gene_sets(snakemake.input.gene_sets),
    settings,
    gene_table=getattr(snakemake.input, "genes", None),
    focus=load_focus_pathways(focus_file) if focus_file else None,
)
result = engine.analyse(
    snakemake.params.set,
    engine.mirnas_from_targets(snakemake.input.targets),
    null=settings.null,
    fdr=settings.fdr,
    jaccard=settings.jaccard,
    threads=snakemake.threads,
)
result.write(
    snakemake.output.table,
    snakemake.output.background,
    snakemake.output.universe,
    snakemake.output.params,
)
logging.info(
    "%s: %d terms tested, %d at FDR < %g (empirical, %s null), %d (ORA)",
    snakemake.params.set,
    len(result.table),
    int((result.table["fdr_emp"] < settings.fdr).sum()),
    settings.fdr,
    settings.null.label if settings.null else "no",
    int((result.table["fdr_ora"] < settings.fdr).sum()),
)
