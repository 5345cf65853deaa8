"""Download one reference file, verify its checksum, and record it in the lock file."""

from common import start

start(snakemake)

import logging
import sys

from exomir.download import fetch
from exomir.errors import ExomirError
from exomir.webservices import download_enrichr_library, download_msigdb_gmt

ref = snakemake.params.ref
dest = snakemake.output[0]
logging.info("retrieving %s (%s, version %s) -> %s", ref.key, ref.sources, ref.version, dest)
try:
    if ref.kind == "url":
        result = fetch(
            list(ref.sources),
            dest,
            sha256=ref.sha256,
            key=ref.key,
            version=ref.version,
            lock_file=snakemake.params.lock,
        )
    elif ref.kind == "enrichr":
        result = download_enrichr_library(
            ref.location, dest, key=ref.key, version=ref.version, lock_file=snakemake.params.lock
        )
    elif ref.kind == "msigdb":
        category, dbver = ref.location.split("|")
        result = download_msigdb_gmt(
            category, dbver, dest, key=ref.key, version=ref.version, lock_file=snakemake.params.lock
        )
    else:
        raise ValueError(f"{ref.key} is a local file ({ref.location}); nothing to download")
except ExomirError as error:
    # An expected failure (no network, refused download, changed checksum): its message, once,
    # in the log and on the console, without a traceback.
    message = f"{type(error).__name__}: {error}"
    logging.error(message)
    print(message, file=sys.__stderr__)
    sys.exit(1)
logging.info("done: %s", result)
