"""Normalise the HGNC complete set to the gene table."""

from common import start

start(snakemake)

import logging

from exomir._io import write_parquet
from exomir.genes import read_hgnc

genes = read_hgnc(snakemake.input.hgnc)
write_parquet(genes, snakemake.output.genes)
logging.info("%d approved genes", len(genes))
