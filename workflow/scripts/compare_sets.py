"""Differential enrichment of two sets: per-term difference in target overlap, permutation test."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", force=True
)

from exomir._io import write_tsv
from exomir.enrichment import (
    EnrichmentEngine,
    EnrichmentSettings,
    compare_sets,
    read_edges,
    read_gene_sets,
)
from exomir.focus import load_focus_pathways

config = snakemake.params.enrichment
settings = EnrichmentSettings.from_config(config)
compare = config.get("compare") or {}
focus_file = getattr(snakemake.input, "focus", None)
engine = EnrichmentEngine.from_settings(
    read_edges(snakemake.input.edges),
    read_gene_sets(snakemake.input.gene_sets),
    settings,
    gene_table=getattr(snakemake.input, "genes", None),
    focus=load_focus_pathways(focus_file) if focus_file else None,
)
table = compare_sets(
    engine,
    snakemake.wildcards.a,
    engine.mirnas_from_targets(snakemake.input.a),
    snakemake.wildcards.b,
    engine.mirnas_from_targets(snakemake.input.b),
    n_permutations=compare.get("n_permutations", 2000),
    seed=compare.get("seed", 1),
    threads=snakemake.threads,
)
write_tsv(table, snakemake.output.table)
