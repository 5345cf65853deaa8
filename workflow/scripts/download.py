"""Download one reference file, verify its checksum, and record it in the lock file."""

from common import start

start(snakemake)

import logging

from exomir.download import fetch
from exomir.webservices import download_enrichr_library, download_msigdb_gmt

ref = snakemake.params.ref
dest = snakemake.output[0]
logging.info("retrieving %s (%s, version %s) -> %s", ref.key, ref.location, ref.version, dest)
if ref.kind == "url":
    result = fetch(
        ref.location,
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
logging.info("done: %s", result)
