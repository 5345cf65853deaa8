"""All sets' signatures side by side (results/signatures/summary.tsv).

Inputs:  tables, params (results/signatures/{set}.tsv and .json, matched to sets by file name)
Params:  sets (set names in sheet order), sources (set -> MSC source)
Outputs: summary
"""

from common import start

start(snakemake)

import json
import logging

from exomir import signatures as sg
from exomir._io import read_text, write_tsv
from exomir.tables import files_by_set

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
