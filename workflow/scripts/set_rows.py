"""The rows of one set, from the run's sheet, as the per-set input of its names and targets.

Params:  rows (the set's rows of the sheet read when the workflow starts: set, msc_source,
         mirna, weight, note, line)
Outputs: rows (results/sets/{set}.rows.tsv)

The rule has no input file: the rows come as params, so Snakemake reruns it (and what follows
from it) only when this set's rows change, not when another set is added to the sheet.
"""

from common import start

start(snakemake)

import logging

import pandas as pd

from exomir._io import write_tsv
from exomir.abundance import SHEET_COLUMNS

rows = pd.DataFrame(list(snakemake.params.rows), columns=list(SHEET_COLUMNS))
write_tsv(rows, snakemake.output.rows)
logging.info("%s: %d miRNAs", snakemake.wildcards.set, len(rows))
