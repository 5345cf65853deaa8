"""Calibration at one query size: random miRNA query sets of ``params.size`` miRNAs through ORA
and through the empirical null the run uses (stratified or uniform, with its sequential
stopping, statistic and extension, as ``enrichment.empirical`` says).

Inputs:  edges (all_edges.parquet), gene_sets (normalised libraries), genes (gene table),
         focus (focus pathways: the focus family), scores (the saved score matrix, for the
         statistics that use it)
Params:  enrichment (the enrichment section of the config, with calibration.n_queries),
         size (miRNAs per query set)
Outputs: pvalues (QQ quantiles per method), summary (one row per method)

The query sizes come from ``enrichment.calibration.query_sizes``, not from the sets of the run,
so adding a set to the sheet does not rerun the calibration; rule calibration joins the sizes.
"""

from common import enrichment_engine, start

start(snakemake)

from exomir.enrichment import calibrate

engine, settings = enrichment_engine(snakemake)  # focus: the focus family is calibrated too
result = calibrate(
    engine,
    query_size=snakemake.params.size,
    n_queries=snakemake.params.enrichment["calibration"]["n_queries"],
    null=settings.null,
    fdr=0.05,
    threads=snakemake.threads,
)
result.write(snakemake.output.pvalues, snakemake.output.summary)
