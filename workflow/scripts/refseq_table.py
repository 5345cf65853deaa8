"""Normalise NCBI's gene2refseq to the human RefSeq transcript -> Entrez Gene ID table."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")

from exomir._io import write_parquet
from exomir.genes import read_gene2refseq

table = read_gene2refseq(snakemake.input.gene2refseq)
write_parquet(table, snakemake.output.refseq)
logging.info(
    "%d human RefSeq RNA accessions of %d genes",
    table["refseq"].nunique(),
    table["entrez_id"].nunique(),
)
