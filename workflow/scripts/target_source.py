"""Normalise one miRNA -> target source: current miRNA names, approved symbols, one edge a pair.

A stem-level evidence table (format ``stem_pmids``) adds no edges: it joins onto the mature
miRNAs of the species with that stem and is combined with the edge sources later.
"""

from common import start

start(snakemake)

import logging

import pandas as pd

from exomir._io import write_parquet, write_tsv
from exomir.genes import SymbolMap, refseq_coverage
from exomir.names import MirnaResolver
from exomir.targets import normalise_source, normalise_stem_evidence, read_source

name = snakemake.wildcards.name
species = snakemake.params.species
files = {role: getattr(snakemake.input, role) for role in snakemake.params.roles}
raw = read_source(snakemake.params.format, files, name=name, species=species)
logging.info("%s: %d raw rows", name, len(raw))
mature = pd.read_parquet(snakemake.input.mature)
refseq = snakemake.input.get("refseq")
transcripts = pd.read_parquet(refseq) if refseq else None
symbols = SymbolMap.from_genes(pd.read_parquet(snakemake.input.genes), transcripts=transcripts)
if snakemake.params.format == "stem_pmids":
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
if "refseq" in raw.columns:
    coverage = refseq_coverage(
        symbols.map_refseq(raw["refseq"].drop_duplicates()), source=name, transcripts=bool(refseq)
    )
    audit = pd.concat([audit, coverage], ignore_index=True)
    logging.info("%s: %s", name, "; ".join(f"{r.rows} {r.value}" for r in coverage.itertuples()))
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
