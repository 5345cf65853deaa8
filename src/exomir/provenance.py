"""Provenance of the reference files a run used: what, which version, from where, which bytes.

The report shows this table on every page, so that a result can always be traced to the exact
files behind it: the SHA-256 of the file that was read (a local copy or a download), and for
downloads whether it matches the checksum configured or recorded in the lock file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .config import ReferenceFile, reference_input
from .download import read_lock, sha256_file
from .tables import REFERENCES


def reference_provenance(
    files: Iterable[ReferenceFile], *, lock_file: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """One row per reference file (columns :data:`exomir.tables.REFERENCES`).

    ``checksum`` says how the bytes were checked: ``configured`` (matches ``sha256:`` in
    config), ``recorded`` (matches the lock file), ``local copy`` (a ``path:`` entry, not
    checked), or ``MISMATCH`` (should not happen: the download rule refuses such files).
    """
    lock = pd.DataFrame()
    if lock_file is not None and Path(lock_file).exists():
        lock = read_lock(lock_file)
    recorded = (
        {
            row["key"]: (row["sha256"], row.get("retrieved_at", ""), row["url"])
            for _, row in lock.iterrows()
        }
        if not lock.empty
        else {}
    )
    rows = []
    for ref in files:
        path = Path(reference_input(ref))
        digest = sha256_file(path)
        retrieved = ""
        if ref.kind == "path":
            status = "local copy"
        elif ref.sha256:
            status = "configured" if ref.sha256.lower() == digest else "MISMATCH"
            retrieved = recorded.get(ref.key, ("", "", ""))[1]
        else:
            expected, retrieved, _ = recorded.get(ref.key, ("", "", ""))
            status = "recorded" if expected == digest else "MISMATCH"
        rows.append(
            {
                "key": ref.key,
                "section": ref.section,
                "name": ref.name,
                "role": ref.role,
                "version": ref.version,
                "kind": ref.kind,
                # a download's location is the URL that served it (one of a list of mirrors)
                "location": recorded.get(ref.key, ("", "", ref.location))[2]
                if ref.kind != "path"
                else ref.location,
                "file": str(path),
                "size": path.stat().st_size,
                "sha256": digest,
                "checksum": status,
                "retrieved_at": retrieved,
            }
        )
    return pd.DataFrame(rows, columns=list(REFERENCES.columns))
