"""The miRNA x term score matrix of the mirna_sum statistic: every universe miRNA's -ln p for
every term (exomir._scores.mirna_term_scores), built once so that the enrichment and calibration
jobs of the run load it instead of each building it again.

Inputs:  edges (all_edges.parquet), gene_sets (normalised libraries), genes (gene table),
         focus (focus pathways)
Params:  enrichment (background, term sizes, universe: what the matrix depends on)
Outputs: scores (.npz with the matrix and the fingerprint of the engine it belongs to; a job
         whose engine has another fingerprint refuses it)
"""

from common import enrichment_engine, start

start(snakemake)

import logging

engine, _ = enrichment_engine(snakemake)
engine.save_mirna_scores(snakemake.output.scores, threads=snakemake.threads)
logging.info(
    "miRNA scores: %d miRNAs x %d terms, fingerprint %s",
    len(engine.universe.mirnas),
    len(engine.terms),
    engine.score_fingerprint[:16],
)
