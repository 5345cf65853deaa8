"""Normalise one gene-set library (GMT) to long format with approved symbols."""

from common import start

start(snakemake)

import logging

import pandas as pd

from exomir._io import write_parquet, write_tsv
from exomir.genes import SymbolMap
from exomir.genesets import normalise_library

library = snakemake.wildcards.name
symbols = SymbolMap.from_genes(pd.read_parquet(snakemake.input.genes))
gene_sets, audit = normalise_library(
    snakemake.input.gmt, library, symbols, id_type=snakemake.params.ids
)
write_parquet(gene_sets, snakemake.output.gene_sets)
write_tsv(audit, snakemake.output.audit)
logging.info(
    "%s: %d terms, %d memberships, %d genes; %d audit rows (renamed or removed)",
    library,
    gene_sets["term_id"].nunique(),
    len(gene_sets),
    gene_sets["gene"].nunique(),
    len(audit),
)
