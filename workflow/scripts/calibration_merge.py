"""The calibration of every query size in one pair of tables, in the order of
``enrichment.calibration.query_sizes``.

Inputs:  pvalues, summary (one table of each per query size, from rule calibration_size)
Outputs: pvalues, summary (their rows one after the other, under one header)
"""

from common import start

start(snakemake)

from exomir._io import concat_tsv

concat_tsv(list(snakemake.input.pvalues), snakemake.output.pvalues)
concat_tsv(list(snakemake.input.summary), snakemake.output.summary)
