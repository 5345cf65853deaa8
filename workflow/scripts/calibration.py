"""Calibration: random miRNA query sets of each configured size through ORA and through the
empirical null the run uses (stratified or uniform, with its sequential stopping, as
``enrichment.empirical`` says).

Inputs:  edges (all_edges.parquet), gene_sets (normalised libraries), genes (gene table),
         focus (focus pathways: the focus family)
Params:  enrichment (the enrichment section of the config, without compare and prerank)
Outputs: pvalues (QQ quantiles per method and query size), summary (one row per method and size)

The query sizes come from ``enrichment.calibration.query_sizes``, not from the sets of the run,
so adding a set to the sheet does not rerun the calibration.
"""

from common import enrichment_engine, start

start(snakemake)

import pandas as pd

from exomir._io import write_tsv
from exomir.enrichment import calibrate

engine, settings = enrichment_engine(snakemake)  # focus: the focus family is calibrated too
calibration = snakemake.params.enrichment["calibration"]
pvalues, summaries = [], []
for query_size in calibration["query_sizes"]:
    result = calibrate(
        engine,
        query_size=query_size,
        n_queries=calibration["n_queries"],
        null=settings.null,
        fdr=0.05,
        threads=snakemake.threads,
    )
    pvalues.append(result.pvalues)
    summaries.append(result.summary)
write_tsv(pd.concat(pvalues, ignore_index=True), snakemake.output.pvalues)
write_tsv(pd.concat(summaries, ignore_index=True), snakemake.output.summary)
