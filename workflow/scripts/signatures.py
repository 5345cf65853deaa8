"""Signatures of one set: pathway and process scores with their drivers, and the literature.

Inputs:  targets, edges, regulators, roles, literature, focus
Params:  empirical (config enrichment.empirical), set, msc_source
Outputs: table, drivers, literature, params
"""

from common import start

start(snakemake)

import logging

from exomir import signatures as sg
from exomir.enrichment import NullSettings

name = snakemake.params.set
model = sg.read_model(snakemake.input.regulators, snakemake.input.roles, snakemake.input.focus)
targets = sg.read_set_targets(snakemake.input.targets, name)
result = sg.score_set(
    targets,
    sg.read_scoring_edges(snakemake.input.edges),
    model,
    set_name=name,
    null=NullSettings.from_config(snakemake.params.empirical),
    targets_path=snakemake.input.targets,
)
result.literature = sg.literature_comparison(
    sg.read_literature(snakemake.input.literature),
    result,
    targets,
    set_name=name,
    msc_source=snakemake.params.msc_source,
    model=model,
)
result.params["msc_source"] = snakemake.params.msc_source
result.params["curated"] = sg.file_checksums(
    {
        "pathway_regulators": snakemake.input.regulators,
        "gene_roles": snakemake.input.roles,
        "msc_exosome_literature": snakemake.input.literature,
        "focus_pathways": snakemake.input.focus,
    }
)
result.write(
    snakemake.output.table,
    snakemake.output.drivers,
    snakemake.output.params,
    snakemake.output.literature,
)
calls = result.table[result.table["direction"] != "none"]
logging.info(
    "%s: %d of %d calls significant: %s",
    name,
    len(calls),
    len(result.table),
    ", ".join(f"{k} {d}" for k, d in calls[["key", "direction"]].to_numpy()) or "none",
)
