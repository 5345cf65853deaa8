"""Enrichment of one miRNA set: ORA and the miRNA-set empirical null (stratified on target counts
unless ``enrichment.empirical.stratified`` is false), all libraries at once."""

from common import enrichment_engine, start

start(snakemake)

import logging

engine, settings = enrichment_engine(snakemake)
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
