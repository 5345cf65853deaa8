"""Render the HTML report: results/report/index.html and one page per set.

Inputs (named; per-set lists are matched to sets by file name, not by position):
    names, targets, enrichment    results/{names,targets,enrichment}/{set}.tsv
    enrichment_params             results/enrichment/{set}.json
    sources (optional)            results/targets/sources.tsv (edges per target source)
    references (optional)         results/references.tsv (reference provenance)
    focus (optional)              resources/curated/focus_pathways.yaml
    calibration (optional)        results/calibration/summary.tsv and pvalues.tsv
    compare (optional)            results/compare/{a}__vs__{b}.tsv
    signatures (optional)         results/signatures/{set}.tsv, .drivers.tsv, .literature.tsv, .json
    signature_summary (optional)  results/signatures/summary.tsv (linked for download)
    overlaps (optional)           results/compare/overlap_mirnas.tsv and overlap_targets.tsv
Params:
    sets                          set names in sheet order
    sources                       set -> MSC source
    config                        the run's configuration (shown on every page)
Outputs:
    index                         results/report/index.html
    pages                         results/report/{set}.html
    figure (optional)             results/report/figures/summary.svg and .png
    significant (optional)        results/report/significant/{set}.tsv
    significant_comparisons (opt) results/report/significant_comparisons.tsv
    tables (optional)             results/report/tables/ (copies of the linked tables; when
                                  declared, the pages link to these copies)
"""

from common import start

start(snakemake)

import logging
from pathlib import Path

from exomir.errors import ConfigError
from exomir.report import read_report_data, run_timestamp, write_report


def _files(name):
    """The named input as a list of paths (empty when the rule did not declare it)."""
    value = snakemake.input.get(name)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _file(name):
    files = _files(name)
    return files[0] if files else None


out_dir = Path(snakemake.output.index).parent
data = read_report_data(
    out_dir=out_dir,
    sets=list(snakemake.params.sets),
    names=_files("names"),
    targets=_files("targets"),
    enrichment=_files("enrichment"),
    enrichment_params=_files("enrichment_params"),
    config=snakemake.params.config,
    references=_file("references"),
    focus=_file("focus"),
    source_summary=_file("sources"),
    msc_sources=snakemake.params.get("sources"),
    calibration=_files("calibration"),
    comparisons=_files("compare"),
    overlaps=_files("overlaps"),
    signatures=_files("signatures"),
    signature_summary=_file("signature_summary"),
    generated=run_timestamp(),
    bundle=snakemake.output.get("tables") is not None,
)
written = write_report(out_dir, data)
declared = [snakemake.output.index]
for name in ("pages", "figure", "significant", "significant_comparisons"):
    value = snakemake.output.get(name)
    if value is not None:
        declared += [value] if isinstance(value, str) else list(value)
if snakemake.output.get("tables") is not None:
    declared.append(snakemake.output.tables)
missing = sorted(str(p) for p in declared if not Path(p).exists())
if missing:
    raise ConfigError(
        "the report rule declares outputs that the report did not write",
        value=", ".join(missing),
        hint="pages are results/report/{set}.html for the sets in params.sets; the summary "
        "figure needs the signature inputs; the other outputs keep their documented paths",
    )
logging.info("wrote %d report pages to %s", len(written), out_dir)
