"""Weighted prerank of one set: gene scores from abundance and edge confidence, then GSEA.

Inputs:  targets (results/targets/{set}.tsv), edges (all_edges.parquet: the ranked genes),
         gene_sets (normalised libraries)
Params:  settings (enrichment.prerank, sizes resolved)
Outputs: table (results/prerank/{set}.tsv), scores (results/prerank/{set}.scores.tsv)
"""

from common import start

start(snakemake)

import logging

import pandas as pd

from exomir._io import read_tsv, write_tsv
from exomir.abundance import PrerankSettings, prerank, target_scores
from exomir.enrichment import read_gene_sets

set_name = snakemake.wildcards.set
settings = PrerankSettings(**snakemake.params.settings)
scores = target_scores(
    read_tsv(snakemake.input.targets), set_name=set_name, path=snakemake.input.targets
)
universe = pd.read_parquet(snakemake.input.edges, columns=["gene"])["gene"].unique()
logging.info(
    "%s: %d genes scored, %d ranked; ties are ordered by gene symbol before GSEA, so gseapy's "
    "warning about an arbitrary order of tied genes does not apply",
    set_name,
    len(scores),
    len(set(universe) | set(scores["gene"])),
)
table = prerank(
    scores,
    read_gene_sets(snakemake.input.gene_sets),
    universe,
    set_name=set_name,
    permutations=settings.permutations,
    seed=settings.seed,
    min_size=settings.min_size,
    max_size=settings.max_size,
    threads=snakemake.threads,
)
write_tsv(table, snakemake.output.table)
write_tsv(scores, snakemake.output.scores)
if table.empty:
    logging.warning(
        "%s: no term has %d to %d genes in the ranking; nothing was tested",
        set_name,
        settings.min_size,
        settings.max_size,
    )
logging.info(
    "%s: %d terms tested, %d at FDR < 0.25", set_name, len(table), (table["fdr"] < 0.25).sum()
)
