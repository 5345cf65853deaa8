"""miRNAs and target genes that the sets share or hold alone (UpSet intersections).

Inputs:  names (results/names/{set}.tsv), targets (results/targets/{set}.tsv)
Params:  sets (set names in sheet order)
Outputs: mirnas (results/compare/overlap_mirnas.tsv), targets (overlap_targets.tsv)
"""

from common import start

start(snakemake)

import logging

from exomir._io import read_tsv, write_tsv
from exomir.overlap import overlap_summary, overlap_tables
from exomir.tables import files_by_set

sets = list(snakemake.params.sets)
names_p = files_by_set(snakemake.input.names, sets, suffix=".tsv", what="name audit")
targets_p = files_by_set(snakemake.input.targets, sets, suffix=".tsv", what="target table")
paths = {("names", s): p for s, p in names_p.items()}
paths.update({("targets", s): p for s, p in targets_p.items()})
mirnas, genes = overlap_tables(
    sets,
    {s: read_tsv(p, strings=True) for s, p in names_p.items()},
    {s: read_tsv(p, strings=True) for s, p in targets_p.items()},
    paths=paths,
)
write_tsv(mirnas, snakemake.output.mirnas)
write_tsv(genes, snakemake.output.targets)
for what, table in (("miRNAs", mirnas), ("target genes", genes)):
    for row in overlap_summary(table, sets).itertuples(index=False):
        logging.info(
            "%s %s: %d, %d unique, %d shared by all sets",
            row.set,
            what,
            row.total,
            row.unique,
            row.shared_by_all,
        )
