"""Probes of issue 8 that cross modules: vanishing libraries in the engine, merged spellings,
local reference copies (missing, checksum, truncated)."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from exomir.errors import InputError


def test_library_without_a_testable_term_stops_the_engine():
    from exomir.enrichment import EnrichmentEngine

    edges = pd.DataFrame(
        {"mirna": ["m1", "m1", "m2", "m2"], "gene": ["A", "B", "C", "D"]}, dtype="str"
    )
    gene_sets = pd.DataFrame(
        {
            "library": ["Big"] * 4 + ["Tiny"] * 2,
            "term_id": ["t1"] * 4 + ["s1", "s2"],
            "term": ["t1"] * 4 + ["s1", "s2"],
            "gene": ["A", "B", "C", "D", "A", "C"],
        },
        dtype="str",
    )
    with pytest.raises(InputError) as err:
        EnrichmentEngine(edges, gene_sets, min_size=2)
    message = str(err.value)
    assert "gene-set library 'Tiny' has no term with 2-" in message
    assert "remove Tiny from references.gene_sets" in message


def test_two_spellings_of_one_mirna_are_a_warning(caplog):
    from exomir.names import note_duplicates

    frame = pd.DataFrame(
        {
            "input": ["miR-21", "hsa-miR-21-5p", "miR-16"],
            "resolved": ["hsa-miR-21-5p", "hsa-miR-21-5p", "hsa-miR-16-5p"],
            "accession": ["MIMAT0000076", "MIMAT0000076", "MIMAT0000016"],
            "rule": ["alias", "exact", "alias"],
            "status": ["ok", "ok", "ok"],
            "note": ["", "", ""],
        }
    )
    with caplog.at_level(logging.WARNING, logger="exomir.names"):
        noted = note_duplicates(frame, what="set 'bm'")
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == [
        "set 'bm': miR-21, hsa-miR-21-5p name one miRNA, hsa-miR-21-5p; it is counted once, "
        "with their weights added (list it once in the sheet to silence this warning)"
    ]
    assert "counted once" in noted.loc[0, "note"]
