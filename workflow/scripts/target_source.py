"""Normalise one miRNA -> target source: current miRNA names, approved symbols, one edge a pair."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")

import pandas as pd

from exomir._io import write_parquet, write_tsv
from exomir.genes import SymbolMap
from exomir.names import MirnaResolver
from exomir.targets import normalise_source, normalise_stem_evidence, read_source

name = snakemake.wildcards.name
species = snakemake.params.species
files = {role: getattr(snakemake.input, role) for role in snakemake.params.roles}
raw = read_source(snakemake.params.format, files, name=name, species=species)
logging.info("%s: %d raw rows", name, len(raw))
mature = pd.read_parquet(snakemake.input.mature)
symbols = SymbolMap.from_genes(pd.read_parquet(snakemake.input.genes))
if snakemake.params.format == "stem_pmids":
    # Evidence by miRNA stem: joins onto the mature miRNAs of the species with that stem.
    edges, audit = normalise_stem_evidence(
        raw, name=name, mature=mature, symbols=symbols, species=species
    )
else:
    resolver = MirnaResolver(
        mature,
        pd.read_parquet(snakemake.input.aliases),
        pd.read_parquet(snakemake.input.precursors),
        species=species,
    )
    edges, audit = normalise_source(
        raw,
        fmt=snakemake.params.format,
        name=name,
        resolver=resolver,
        symbols=symbols,
        species=species,
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
