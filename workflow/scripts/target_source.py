"""Normalise one miRNA -> target source: current miRNA names, approved symbols, one edge a pair."""

from common import start

start(snakemake)

import logging

import pandas as pd

from exomir._io import write_parquet, write_tsv
from exomir.genes import SymbolMap
from exomir.names import MirnaResolver
from exomir.targets import normalise_source, read_source

name = snakemake.wildcards.name
species = snakemake.params.species
files = {role: snakemake.input[role] for role in snakemake.params.roles}
raw = read_source(snakemake.params.format, files, name=name, species=species)
logging.info("%s: %d raw rows", name, len(raw))
resolver = MirnaResolver(
    pd.read_parquet(snakemake.input.mature),
    pd.read_parquet(snakemake.input.aliases),
    pd.read_parquet(snakemake.input.precursors),
    species=species,
)
symbols = SymbolMap.from_genes(pd.read_parquet(snakemake.input.genes))
edges, audit = normalise_source(
    raw, fmt=snakemake.params.format, name=name, resolver=resolver, symbols=symbols, species=species
)
write_parquet(edges, snakemake.output.edges)
write_tsv(audit, snakemake.output.audit)
logging.info(
    "%s: %d edges, %d miRNAs, %d genes; %d dropped values (see %s)",
    name,
    len(edges),
    edges["mirna"].nunique(),
    edges["gene"].nunique(),
    len(audit),
    snakemake.output.audit,
)
