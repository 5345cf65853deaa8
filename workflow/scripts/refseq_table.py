"""The human RefSeq transcript -> Entrez Gene ID table: from gene2refseq or MyGene.info."""

import logging
import sys

console = sys.stderr
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")

import pandas as pd

from exomir._io import write_parquet
from exomir.errors import ExomirError
from exomir.genes import read_gene2refseq
from exomir.target_sources import read_mirdb
from exomir.webservices import MyGeneClient

try:
    if snakemake.input.get("gene2refseq"):
        table = read_gene2refseq(snakemake.input.gene2refseq)
    else:
        accessions = pd.concat([read_mirdb(path)["refseq"] for path in snakemake.input.mirdb])
        client = MyGeneClient(
            url=snakemake.params.url, cache_dir=snakemake.params.cache, scopes=("refseq.rna",)
        )
        table = client.query_refseq(accessions.drop_duplicates().tolist())
except ExomirError as error:
    # An expected failure (no network, a damaged file): its message once, without a traceback.
    message = f"{type(error).__name__}: {error}"
    logging.error(message)
    print(message, file=console)
    sys.exit(1)
write_parquet(table, snakemake.output.refseq)
logging.info(
    "%d human RefSeq RNA accessions of %d genes",
    table["refseq"].nunique(),
    table["entrez_id"].nunique(),
)
