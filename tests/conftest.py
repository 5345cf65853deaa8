"""Shared pytest fixtures."""

from __future__ import annotations

import logging
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder of the hand-written fixtures in official layouts."""
    return DATA


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The real reference data named by $EXOMIR_REFERENCE_DIR; skips the test when unset."""
    value = os.environ.get("EXOMIR_REFERENCE_DIR")
    if not value:
        pytest.skip("EXOMIR_REFERENCE_DIR is not set: no real reference data on this machine")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"EXOMIR_REFERENCE_DIR={value} is not a directory")
    return path


@pytest.fixture(scope="session")
def mirtarbase_kegg(reference_dir):
    """Real edges and terms for engine tests: miRTarBase 2017 (Enrichr's library, mature names
    as terms) as ``mirna, gene`` and KEGG 2021 as ``library, term_id, term, gene``."""
    from exomir.genesets import read_gmt

    library = read_gmt(reference_dir / "mirtarbase" / "enrichr_miRTarBase_2017.txt.gz", library="m")
    edges = library.rename(columns={"term": "mirna"})[["mirna", "gene"]]
    kegg = read_gmt(
        reference_dir / "gene_sets" / "enrichr" / "KEGG_2021_Human.txt.gz", library="KEGG"
    )
    kegg.attrs = {}
    return edges, kegg[["library", "term_id", "term", "gene"]]


# --------------------------------------------------------------------------------------------
# Running the workflow and its scripts


FIXTURES = REPO / "tests" / "data" / "workflow"
SCRIPTS = REPO / "workflow" / "scripts"
# Snakemake puts a script's own directory on sys.path, where the scripts find their shared glue
# (workflow/scripts/common); scripts run by the tests find it the same way.
sys.path.append(str(SCRIPTS))


def _run_snakemake(
    workdir: Path,
    *args: str,
    env: dict | None = None,
    check: bool = True,
    configfiles: tuple[str, ...] = ("config.yaml",),
    cores: int = 2,
    timeout: float = 3600,
) -> subprocess.CompletedProcess:
    """Run the workflow in ``workdir`` and return the completed process.

    ``configfiles`` are relative to ``workdir`` (the fixture config by default). ``timeout`` is
    a safety net against a hung run, never a statement about speed.
    """
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        *(str(workdir / f) for f in configfiles),
        "--cores",
        str(cores),
        *args,
    ]
    environment = {**os.environ, "EXOMIR_FIXTURES": str(workdir), **(env or {})}
    result = subprocess.run(
        command, capture_output=True, text=True, env=environment, timeout=timeout
    )
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}")
    return result


def _copy_fixtures(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for path in FIXTURES.iterdir():
        if path.is_file() and path.suffix != ".py":
            shutil.copy(path, dest / path.name)
    return dest


@pytest.fixture(scope="session")
def run_snakemake():
    """``run_snakemake(workdir, *args, env=, check=, configfiles=, cores=)``: the workflow in a
    directory, as a user runs it (``python -m snakemake``)."""
    return _run_snakemake


@pytest.fixture(scope="session")
def copy_fixtures():
    """``copy_fixtures(dest)``: the workflow fixtures (tests/data/workflow) copied into ``dest``."""
    return _copy_fixtures


class Named(list):
    """A stand-in for Snakemake's named lists: positional items, attributes and ``.get()``.

    Keyword values that are lists stay out of the positional items, as in Snakemake, where a
    named list input is reachable by its name only through the attribute.
    """

    def __init__(self, items=(), **named):
        super().__init__([*items, *(v for v in named.values() if not isinstance(v, list))])
        self._named = named
        for key, value in named.items():
            setattr(self, key, value)

    def get(self, key, default=None):
        return self._named.get(key, default)


def _run_script(
    name: str,
    *,
    input: dict | None = None,
    output: dict | None = None,
    params: dict | None = None,
    wildcards: dict | None = None,
    log: str | os.PathLike[str],
    threads: int = 1,
    rule: str | None = None,
) -> None:
    """Run ``workflow/scripts/<name>`` as Snakemake would, with a stand-in ``snakemake`` object.

    The script redirects ``sys.stderr`` to its log and configures logging; both are restored
    afterwards so that one script's set-up does not leak into the next test.
    """
    snakemake = SimpleNamespace(
        input=Named(**(input or {})),
        output=Named(**(output or {})),
        params=Named(**(params or {})),
        wildcards=Named(**(wildcards or {})),
        log=Named([str(log)]),
        threads=threads,
        rule=rule or Path(name).stem,
    )
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    saved_stderr = sys.stderr
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        runpy.run_path(str(SCRIPTS / name), init_globals={"snakemake": snakemake})
    finally:
        if sys.stderr is not saved_stderr:
            sys.stderr.close()
        sys.stderr = saved_stderr
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture(scope="session")
def run_script():
    """``run_script(name, input=, output=, params=, wildcards=, log=, threads=, rule=)``: one
    workflow script run in this process with a stand-in ``snakemake`` object."""
    return _run_script
