"""Probes of issue 8 that cross modules: vanishing libraries in the engine, merged spellings,
local reference copies (missing, checksum, truncated)."""

from __future__ import annotations

import copy
import gzip
import hashlib
import logging
from pathlib import Path

import pandas as pd
import pytest
import yaml
from snakemake.utils import validate

from exomir._io import read_text
from exomir.config import check_local_copies, reference_files
from exomir.errors import ChecksumError, ConfigError, InputError, ReferenceFormatError

REPO = Path(__file__).resolve().parent.parent


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

    columns = ["input", "resolved", "accession", "rule", "status", "note"]
    rows = [
        ["miR-21", "hsa-miR-21-5p", "MIMAT0000076", "alias", "ok", ""],
        ["hsa-miR-21-5p", "hsa-miR-21-5p", "MIMAT0000076", "exact", "ok", ""],
    ]
    frame = pd.DataFrame(rows, columns=columns)
    with caplog.at_level(logging.WARNING, logger="exomir.names"):
        noted = note_duplicates(frame, what="set 'bm'")
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == [
        "set 'bm': miR-21, hsa-miR-21-5p name one miRNA, hsa-miR-21-5p; it is counted once, "
        "with their weights added (list it once in the sheet to silence this warning)"
    ]
    assert "counted once" in noted.loc[0, "note"]


# -- local copies of references (items 9 and 12) ----------------------------------------------


@pytest.fixture
def local_config(tmp_path):
    """The default config with the HGNC table read from a local copy in tmp_path."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    validate(config, str(REPO / "workflow" / "schemas" / "config.schema.yaml"))
    hgnc = tmp_path / "hgnc.txt"
    hgnc.write_text("hgnc_id\tsymbol\nHGNC:1\tA1BG\n")
    config["references"]["genes"]["files"] = {"hgnc": {"path": str(hgnc)}}
    return config, hgnc


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_local_copy_names_the_config_key(local_config, tmp_path):
    config, hgnc = local_config
    hgnc.unlink()
    with pytest.raises(ConfigError) as err:
        check_local_copies(reference_files(config), digests=None)
    message = str(err.value)
    assert f"`references.genes.files.hgnc.path` names {hgnc}, which does not exist" in message
    assert "replace `path:` by `url:`" in message
    config["references"]["genes"]["files"]["hgnc"] = {"path": str(tmp_path)}
    with pytest.raises(ConfigError, match="which is a directory, not a file"):
        check_local_copies(reference_files(config), digests=None)


def test_sha256_of_a_local_copy_is_checked(local_config, tmp_path):
    config, hgnc = local_config
    wrong = "0" * 64
    config["references"]["genes"]["files"]["hgnc"]["sha256"] = wrong
    validate(config, str(REPO / "workflow" / "schemas" / "config.schema.yaml"))
    with pytest.raises(ChecksumError) as err:
        check_local_copies(reference_files(config), digests=None)
    message = str(err.value)
    assert str(hgnc) in message
    assert f"expected sha256 {wrong}, got {_digest(hgnc)}" in message
    assert "`references.genes.files.hgnc.sha256`" in message
    assert "`references.genes.files.hgnc.path`" in message

    config["references"]["genes"]["files"]["hgnc"]["sha256"] = _digest(hgnc).upper()
    check_local_copies(reference_files(config), digests=None)  # the right digest passes


def test_verified_local_copy_is_hashed_once_until_it_changes(local_config, tmp_path):
    config, hgnc = local_config
    config["references"]["genes"]["files"]["hgnc"]["sha256"] = _digest(hgnc)
    digests = tmp_path / "local_copies.json"
    check_local_copies(reference_files(config), digests=str(digests))
    assert _digest(hgnc) in digests.read_text()
    hgnc.write_text("hgnc_id\tsymbol\nHGNC:2\tA2M\n")  # changed since it was verified
    with pytest.raises(ChecksumError, match=f"got {_digest(hgnc)}"):
        check_local_copies(reference_files(copy.deepcopy(config)), digests=str(digests))


def test_truncated_gzip_local_copy_says_replace_it(tmp_path):
    path = tmp_path / "hgnc_complete_set.txt.gz"
    path.write_bytes(gzip.compress(b"hgnc_id\tsymbol\n" * 5000)[:-40])
    with pytest.raises(ReferenceFormatError) as err:
        read_text(path)
    message = str(err.value)
    assert f"{path}: gzip data is truncated or corrupt" in message
    assert "if it is a local copy named by a `path:` in the config" in message
    assert "replace the file at that path with an intact copy" in message


@pytest.mark.workflow
def test_workflow_stops_at_parse_time_on_a_missing_local_copy(
    tmp_path, run_snakemake, copy_fixtures
):
    workdir = copy_fixtures(tmp_path / "run")
    (workdir / "hgnc_complete_set.txt").unlink()
    result = run_snakemake(workdir, "-n", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "`references.genes.files.hgnc.path` names" in output
    assert "hgnc_complete_set.txt, which does not exist" in output
