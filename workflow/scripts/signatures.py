"""Signatures of one set (rule signatures), or all sets side by side (rule signature_summary).

Rule signatures
    input:  targets, edges, regulators, roles, literature, focus
    params: empirical (config enrichment.empirical), set, msc_source
    output: table, drivers, literature, params
Rule signature_summary
    input:  tables, params (per set, matched to sets by file name)
    params: sets, sources
    output: summary
"""

import json
import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", force=True
)

from exomir import signatures as sg
from exomir._io import read_text, write_tsv
from exomir.enrichment import NullSettings
from exomir.tables import files_by_set

if snakemake.rule == "signature_summary":
    sets = list(snakemake.params.sets)
    tables = files_by_set(snakemake.input.tables, sets, suffix=".tsv", what="signature table")
    params = files_by_set(snakemake.input.params, sets, suffix=".json", what="signature parameters")
    summary = sg.summarise(
        {s: sg.read_table(tables[s], s) for s in sets},
        snakemake.params.sources,
        {s: json.loads(read_text(params[s])) for s in sets},
    )
    write_tsv(summary, snakemake.output.summary)
    logging.info("summary of %d sets written to %s", len(sets), snakemake.output.summary)
else:
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
