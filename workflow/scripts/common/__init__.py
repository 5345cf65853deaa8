"""Glue shared by the workflow scripts: one log set-up, and the objects several rules build.

Snakemake puts the directory of a local script on ``sys.path`` (after the other entries), so a
script in workflow/scripts imports this package as ``common``. Every script starts with

    from common import start
    start(snakemake)

before its other imports, so that an import error lands in the job's log too. Logic belongs in
the library (src/exomir); what stays here only unpacks ``snakemake`` objects.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

#: The one log format of the workflow's job logs.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("exomir.workflow")


def _process_age() -> float | None:
    """Seconds since this process started (Linux /proc), or None where that is unknown."""
    try:
        with open("/proc/self/stat") as stat:
            # Field 22 (starttime, in clock ticks since boot) follows the command name, which
            # is in parentheses and may hold spaces: count from the closing parenthesis.
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime") as uptime:
            since_boot = float(uptime.read().split()[0])
        return since_boot - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def start(snakemake: Any) -> None:
    """Send stderr and logging of this job to its log file, in the workflow's one format.

    Warnings also go to the terminal Snakemake runs in (``sys.__stderr__``), so that what a
    user should act on (two spellings of one miRNA merged, a null that cannot match a set) is
    seen without opening the log. The first line of every log gives the job's start-up: the seconds from the start of the
    process (interpreter, Snakemake's script preamble, this import) to here. bench/rerun.py
    reads it to tell start-up from work.
    """
    startup = _process_age()
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # stays open for the job
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format=LOG_FORMAT, force=True)
    screen = logging.StreamHandler(sys.__stderr__)
    screen.setLevel(logging.WARNING)
    screen.setFormatter(logging.Formatter("WARNING %(name)s: %(message)s"))
    logging.getLogger().addHandler(screen)
    if startup is not None:
        log.info("start-up %.2f s", startup)


def enrichment_engine(snakemake: Any, *, focus: bool = True):
    """The enrichment engine and settings of a rule, from its inputs and ``params.enrichment``.

    Inputs: ``edges`` (all_edges.parquet), ``gene_sets`` (normalised libraries), optional
    ``genes`` (gene table, for the protein-coding background), ``focus`` (focus pathways,
    flagged in the tables) and ``scores`` (the saved score matrix of rule mirna_scores).
    Returns ``(engine, settings)``.
    """
    from exomir.enrichment import (
        EnrichmentEngine,
        EnrichmentSettings,
        read_edges,
        read_gene_sets,
    )
    from exomir.focus import load_focus_pathways

    settings = EnrichmentSettings.from_config(snakemake.params.enrichment)
    focus_file = getattr(snakemake.input, "focus", None) if focus else None
    engine = EnrichmentEngine.from_settings(
        read_edges(snakemake.input.edges),
        read_gene_sets(snakemake.input.gene_sets),
        settings,
        gene_table=getattr(snakemake.input, "genes", None),
        focus=load_focus_pathways(focus_file) if focus_file else None,
    )
    scores = getattr(snakemake.input, "scores", None)
    if scores:  # the score matrix of rule mirna_scores, for the statistics that use it
        engine.load_mirna_scores(scores if isinstance(scores, str) else scores[0])
    return engine, settings


def read_set_rows(path: str | os.PathLike[str]):
    """The rows of one set as rule set_rows wrote them (results/sets/{set}.rows.tsv).

    Columns ``set, msc_source, mirna, weight, note, line``: the sheet's rows of the set, with
    ``line`` their line in the run's sheet (results/sets/mirna_sets.tsv), for the name audit.
    """
    from exomir._io import read_tsv

    rows = read_tsv(path, strings=True)
    rows["weight"] = rows["weight"].astype(float)
    rows["line"] = rows["line"].astype(int)
    return rows
