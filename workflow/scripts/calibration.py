"""Calibration: random miRNA query sets through ORA and through the empirical null the run uses
(stratified or uniform, with its sequential stopping, as ``enrichment.empirical`` says)."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", force=True
)

from exomir.enrichment import (
    EnrichmentEngine,
    EnrichmentSettings,
    calibrate,
    median_set_size,
    read_edges,
    read_gene_sets,
)
from exomir.focus import load_focus_pathways

config = snakemake.params.enrichment
settings = EnrichmentSettings.from_config(config)
calibration = config.get("calibration") or {}
focus_file = getattr(snakemake.input, "focus", None)
engine = EnrichmentEngine.from_settings(
    read_edges(snakemake.input.edges),
    read_gene_sets(snakemake.input.gene_sets),
    settings,
    gene_table=getattr(snakemake.input, "genes", None),
    focus=load_focus_pathways(focus_file) if focus_file else None,
)
query_size = calibration.get("query_size")
if query_size is None:
    # The median size of the configured sets, counted as the engine analyses them.
    query_size = median_set_size(
        [engine.query(path, engine.mirnas_from_targets(path)).k for path in snakemake.input.targets]
    )
result = calibrate(
    engine,
    query_size=query_size,
    n_queries=calibration.get("n_queries", 200),
    null=settings.null,
    fdr=0.05,
    threads=snakemake.threads,
)
result.write(
    snakemake.output.pvalues, snakemake.output.summary, getattr(snakemake.output, "params", None)
)
