"""Resolve one set's input names to current miRBase names and write the audit table.

Inputs:  rows (results/sets/{set}.rows.tsv), mature, aliases, precursors (normalised miRBase)
Params:  species, arm_policy
Outputs: audit (results/names/{set}.tsv)
"""

from common import read_set_rows, start

start(snakemake)

import logging

import pandas as pd

from exomir._io import write_tsv
from exomir.names import MirnaResolver, note_duplicates

set_name = snakemake.wildcards.set
rows = read_set_rows(snakemake.input.rows)
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
