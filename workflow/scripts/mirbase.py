"""Normalise miRBase release files (mature.fa, aliases.txt, release history) to Parquet."""

from common import start

start(snakemake)

import logging

from exomir._io import write_parquet, write_tsv
from exomir.mirbase import build_mirbase

tables = build_mirbase(
    snakemake.input.mature,
    aliases_path=snakemake.input.get("aliases"),
    history_path=snakemake.input.get("history"),
)
write_parquet(tables.mature, snakemake.output.mature)
write_parquet(tables.aliases, snakemake.output.aliases)
write_parquet(tables.precursors, snakemake.output.precursors)
write_tsv(tables.audit, snakemake.output.audit)
logging.info(
    "%d mature miRNAs, %d former names, %d precursor links, %d audit rows",
    len(tables.mature),
    len(tables.aliases),
    len(tables.precursors),
    len(tables.audit),
)
