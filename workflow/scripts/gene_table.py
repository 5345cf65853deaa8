"""Normalise the HGNC complete set to the gene table."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")

from exomir._io import write_parquet
from exomir.genes import read_hgnc

genes = read_hgnc(snakemake.input.hgnc)
write_parquet(genes, snakemake.output.genes)
logging.info("%d approved genes", len(genes))
