# exomir: MSC exosome miRNA sets -> names -> targets -> enrichment -> report.
#
# This file is the table of contents. Each stage is one file in workflow/rules/; helper
# functions live in workflow/rules/common.smk. Run with `snakemake --cores N`, or on a cluster
# with `snakemake --workflow-profile profiles/slurm` (see README.md).

from snakemake.utils import min_version

min_version("9.0")


# config/config.yaml is the default. A --configfile given on the command line replaces it
# instead of being merged into it, so that a configuration of local copies (for example
# config/examples/local-references.yaml) does not inherit the default's download URLs.
if not workflow.config_settings.configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/sets.smk"
include: "workflow/rules/references.smk"
include: "workflow/rules/names.smk"
include: "workflow/rules/targets.smk"
include: "workflow/rules/enrichment.smk"
include: "workflow/rules/signatures.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        all_outputs(),
