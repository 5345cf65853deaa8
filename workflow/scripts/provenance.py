"""Record where every reference file came from: version, location, size and SHA-256."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")

from exomir._io import write_tsv
from exomir.provenance import reference_provenance

table = reference_provenance(snakemake.params.files, lock_file=snakemake.params.lock)
write_tsv(table, snakemake.output[0])
logging.info("%d reference files", len(table))
