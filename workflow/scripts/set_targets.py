"""The edges of one set; stops on unresolved names unless names.on_unresolved is warn.

Inputs:  edges (all_edges.parquet), names (results/names/{set}.tsv),
         rows (results/sets/{set}.rows.tsv: the set's weights)
Params:  on_unresolved
Outputs: targets (results/targets/{set}.tsv)
"""

from common import read_set_rows, start

start(snakemake)

import logging

import pandas as pd

from exomir._io import read_tsv, write_tsv
from exomir.names import check_resolutions
from exomir.targets import mirnas_without_targets, set_targets

set_name = snakemake.wildcards.set
names = read_tsv(snakemake.input.names, strings=True)
check_resolutions(
    names, on_unresolved=snakemake.params.on_unresolved, audit_path=snakemake.input.names
)
edges = pd.read_parquet(snakemake.input.edges)
table = set_targets(edges, names, read_set_rows(snakemake.input.rows), set_name)
write_tsv(table, snakemake.output.targets)
missing = mirnas_without_targets(names, edges)
if missing:
    logging.warning("%s: no target under the policy for %s", set_name, ", ".join(missing))
logging.info(
    "%s: %d edges, %d miRNAs, %d genes",
    set_name,
    len(table),
    table["mirna"].nunique(),
    table["gene"].nunique(),
)
