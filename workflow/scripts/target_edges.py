"""Filter every chosen source by the target policy and join them into one edge table."""

from common import start

start(snakemake)

import logging

import pandas as pd

from exomir._io import write_parquet, write_tsv
from exomir.targets import combine_sources, source_summary

sources = {
    name: (fmt, pd.read_parquet(path))
    for (name, fmt), path in zip(snakemake.params.sources, snakemake.input.sources, strict=True)
}
edges = combine_sources(sources, snakemake.params.policy)
write_parquet(edges, snakemake.output.edges)
summary = source_summary(sources, edges, snakemake.params.policy)
write_tsv(summary, snakemake.output.summary)
logging.info(
    "%d edges, %d miRNAs, %d genes", len(edges), edges["mirna"].nunique(), edges["gene"].nunique()
)
