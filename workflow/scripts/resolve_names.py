"""Resolve one set's input names to current miRBase names and write the audit table."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")
# Warnings (two spellings of one miRNA merged) also go to the terminal Snakemake runs in.
screen = logging.StreamHandler(sys.__stderr__)
screen.setLevel(logging.WARNING)
logging.getLogger().addHandler(screen)

import pandas as pd

from exomir._io import write_tsv
from exomir.names import MirnaResolver, note_duplicates
from exomir.sets import read_mirna_sets

set_name = snakemake.wildcards.set
sheet = read_mirna_sets(snakemake.input.sheet)
rows = sheet[sheet["set"] == set_name]
resolver = MirnaResolver(
    pd.read_parquet(snakemake.input.mature),
    pd.read_parquet(snakemake.input.aliases),
    pd.read_parquet(snakemake.input.precursors),
    species=snakemake.params.species,
    arm_policy=snakemake.params.arm_policy,
)
audit = note_duplicates(resolver.resolve_all(rows["mirna"].tolist()), what=f"set {set_name!r}")
audit.insert(0, "set", set_name)
audit["line"] = rows["line"].to_numpy()
write_tsv(audit, snakemake.output.audit)
logging.info("%s: %s", set_name, audit["status"].value_counts().to_dict())
