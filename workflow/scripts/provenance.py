"""Record where every reference file came from: version, location, size and SHA-256."""

from common import start

start(snakemake)

import logging

from exomir._io import write_tsv
from exomir.provenance import reference_provenance

table = reference_provenance(snakemake.params.files, lock_file=snakemake.params.lock)
write_tsv(table, snakemake.output[0])
logging.info("%d reference files", len(table))
