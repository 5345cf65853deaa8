"""The set sheet of the run: built from a miRNA count table, or a checked copy of the sheet.

Inputs:  sheet (config mirna_sets), or counts and samples (config abundance.counts/samples)
Params:  abundance (the abundance section of the config), sets (set names known at parse time)
Outputs: sheet (results/sets/mirna_sets.tsv), the run's record of its sets (the per-set rules
         get their rows from rule set_rows)
"""

from common import start

start(snakemake)

import logging

from exomir.abundance import (
    AbundanceSettings,
    build_mirna_sets,
    copy_mirna_sets,
    write_mirna_sets,
)
from exomir.errors import ConfigError
from exomir.sets import set_names

settings = AbundanceSettings.from_config(snakemake.params.abundance)
if settings.enabled:
    sheet = build_mirna_sets(
        settings, counts=snakemake.input.counts, samples=snakemake.input.samples
    )
    write_mirna_sets(sheet, snakemake.output.sheet)
    logging.info(
        "sets built from %s by rule %s (%s)",
        snakemake.input.counts,
        settings.rule,
        f"min_cpm {settings.min_cpm:g}, min_fraction {settings.min_fraction:g}"
        if settings.rule == "cpm"
        else f"top {settings.top_n}",
    )
else:
    sheet = copy_mirna_sets(snakemake.input.sheet, snakemake.output.sheet)
    logging.info("set sheet %s checked and copied", snakemake.input.sheet)
for name in set_names(sheet):
    part = sheet[sheet["set"] == name]
    logging.info(
        "%s (%s): %d miRNAs, weights %g to %g",
        name,
        part["msc_source"].iloc[0],
        len(part),
        part["weight"].min(),
        part["weight"].max(),
    )
expected = list(snakemake.params.sets)
if set_names(sheet) != expected:
    raise ConfigError(
        "the sets changed after the workflow was started",
        value=", ".join(set_names(sheet)),
        hint=f"the run was planned for {', '.join(expected)}; start snakemake again",
    )
