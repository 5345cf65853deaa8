# Helper functions shared by the rules. Everything here runs when the workflow is parsed: the
# config and the set sheet are validated before any job starts, so a typo never costs a run.

import json
import sys
import warnings
from pathlib import Path

from snakemake.utils import validate

from exomir.config import (
    DOWNLOAD_ROOT,
    LOCK_FILE,
    REFERENCE_ROOT,
    check_config,
    check_local_copies,
    check_references,
    is_dry_run,
    comparison_pairs,
    reference_files,
    reference_input,
)
from exomir.abundance import (
    SHEET_COLUMNS,
    AbundanceSettings,
    PrerankSettings,
    mirna_sets_from_config,
)
from exomir.errors import ExomirError
from exomir.sets import set_names, set_sources

validate(config, schema="../schemas/config.schema.yaml")
# The sets come from the sheet (mirna_sets) or, when abundance.counts is set, from a count table
# by the configured rule; either way they are known now, before any job runs. The build_sets
# rule writes the same sheet to SETS_SHEET, the run's record of its sets; the per-set rules read
# only their own set's rows (rule set_rows), so adding a set reruns nothing of the others.
# A bad sheet or config value is an expected failure: its message alone, without a traceback.
try:
    ABUNDANCE = AbundanceSettings.from_config(config["abundance"])
    SHEET = mirna_sets_from_config(config)
    validate(SHEET, schema="../schemas/mirna_sets.schema.yaml")
    SETS = set_names(SHEET)
    SOURCES = set_sources(SHEET)
    check_config(config, SOURCES)
    PAIRS = comparison_pairs(config, SOURCES)
    REFERENCE_FILES = reference_files(config)
except ExomirError as error:
    sys.exit(f"{type(error).__name__}: {error}")
SETS_SHEET = "results/sets/mirna_sets.tsv"
# Every reference file that is neither present nor downloadable, in one message; expected
# failures end with that message alone, not with a traceback.
# Only the main Snakemake process checks: a job (e.g. on an offline compute node) is started
# when its inputs exist, and `snakemake --lint` reads the rules only. A dry run gets a warning.
try:
    if workflow.is_main_process and "--lint" not in sys.argv:
        check_references(REFERENCE_FILES, offline=config["offline"] in (True, "true"))
    check_local_copies(REFERENCE_FILES)
except ExomirError as error:
    if not is_dry_run(sys.argv[1:]):
        sys.exit(f"{type(error).__name__}: {error}")
    print(f"Warning (a real run stops here): {error}", file=sys.stderr)
REFS = config["references"]


wildcard_constraints:
    set="|".join(SETS) if SETS else "[A-Za-z0-9_]+",
    a="|".join(SETS) if SETS else "[A-Za-z0-9_]+",
    b="|".join(SETS) if SETS else "[A-Za-z0-9_]+",
    section="mirbase|genes|refseq|targets|gene_sets",
    name="[A-Za-z0-9_.-]+",
    version="[A-Za-z0-9][A-Za-z0-9._-]*",
    role="[A-Za-z0-9_]+",


def ref_file(section, name, role):
    """The path a rule reads for one reference file (local copy or download output)."""
    for ref in REFERENCE_FILES:
        if (ref.section, ref.name, ref.role) == (section, name, role):
            return reference_input(ref)
    raise ValueError(f"no reference file {section}/{name}/{role} in config")


def ref_spec(wildcards):
    """The ReferenceFile behind a download rule's output."""
    for ref in REFERENCE_FILES:
        if (ref.section, ref.name, ref.role, ref.version) == (
            wildcards.section,
            wildcards.name,
            wildcards.role,
            wildcards.version,
        ):
            return ref
    raise ValueError(
        f"no reference {wildcards.section}/{wildcards.name}/{wildcards.role} "
        f"version {wildcards.version} in config"
    )


def files_of(section, name):
    """All files of one reference entry, as {role: path}."""
    return {
        ref.role: reference_input(ref)
        for ref in REFERENCE_FILES
        if (ref.section, ref.name) == (section, name)
    }


# Hand-curated tables ship with the workflow, so they are found beside the Snakefile even when
# Snakemake runs in another working directory (--directory).
CURATED = Path(workflow.basedir) / "resources" / "curated"
FOCUS_PATHWAYS = str(CURATED / "focus_pathways.yaml")


# Normalised reference locations, one directory per database and version.
MIRBASE_DIR = f"{REFERENCE_ROOT}/mirbase/{REFS['mirbase']['version']}"
GENES_DIR = f"{REFERENCE_ROOT}/genes/{REFS['genes']['version']}"
MIRBASE = {
    "mature": f"{MIRBASE_DIR}/mature.parquet",
    "aliases": f"{MIRBASE_DIR}/aliases.parquet",
    "precursors": f"{MIRBASE_DIR}/precursors.parquet",
}
GENES = f"{GENES_DIR}/genes.parquet"
# RefSeq transcript -> gene table (references.refseq), read by miRDB sources; optional.
REFSEQ = (
    f"{REFERENCE_ROOT}/refseq/{REFS['refseq']['version']}/refseq.parquet"
    if "refseq" in REFS
    else None
)


REFSEQ_SOURCE = REFS["refseq"]["source"] if "refseq" in REFS else None
# The miRDB files whose accessions a MyGene.info lookup asks for.
MIRDB_TABLES = [
    ref_file("targets", name, "table")
    for name, entry in REFS["targets"].items()
    if entry["format"] == "mirdb"
]


def refseq_input(name):
    """{"refseq": table} for a miRDB source when references.refseq is set, else {}."""
    wanted = REFSEQ and REFS["targets"][name]["format"] == "mirdb"
    return {"refseq": REFSEQ} if wanted else {}


def target_source_edges(name):
    version = REFS["targets"][name]["version"]
    return f"{REFERENCE_ROOT}/targets/{name}/{version}/edges.parquet"


def gene_set_table(name):
    version = REFS["gene_sets"][name]["version"]
    return f"{REFERENCE_ROOT}/gene_sets/{name}/{version}/gene_sets.parquet"


SOURCE_EDGES = [target_source_edges(name) for name in config["targets"]["sources"]]
GENE_SET_TABLES = [gene_set_table(name) for name in REFS["gene_sets"]]


def rows_of_set(wildcards):
    """The rows of one set (SHEET_COLUMNS), as plain values: the params of rule set_rows.

    Snakemake compares params between runs, so the rule reruns when these rows change and
    only then.
    """
    rows = SHEET.loc[SHEET["set"] == wildcards.set, list(SHEET_COLUMNS)]
    return json.loads(rows.to_json(orient="records"))


def sets_inputs(wildcards):
    """Inputs of build_sets: the count table and sample sheet, or the user's set sheet."""
    if ABUNDANCE.enabled:
        return {"counts": ABUNDANCE.counts, "samples": ABUNDANCE.samples}
    return {"sheet": config["mirna_sets"]}


# Weighted prerank of each set's targets (enrichment.prerank); off by default.
PRERANK = PrerankSettings.from_config(config["enrichment"])


def all_references():
    """Every normalised reference the analysis uses (target of download_references)."""
    return [
        *MIRBASE.values(),
        GENES,
        *([REFSEQ] if REFSEQ else []),
        *SOURCE_EDGES,
        *GENE_SET_TABLES,
    ]


def enrichment_params(section=None):
    """The enrichment settings of a job: the shared ones, plus its own ``section``.

    The sections of calibration, comparisons and prerank are left out of the other rules'
    params, so that changing one of them reruns only the jobs it concerns.
    """
    own = {"calibration", "compare", "prerank"}
    return {
        k: v for k, v in config["enrichment"].items() if k not in own or k == section
    }


CALIBRATE = config["enrichment"]["calibration"]["n_queries"] > 0
CALIBRATION_SIZES = config["enrichment"]["calibration"]["query_sizes"]


def calibration_params():
    """The settings of one calibration job: the shared enrichment settings and n_queries, not
    the list of query sizes (each size is its own job, which a new size leaves alone).
    """
    params = enrichment_params()
    params["calibration"] = {
        "n_queries": config["enrichment"]["calibration"]["n_queries"]
    }
    return params


# The miRNA x term score matrix of the mirna_sum statistic, written by the mirna_scores job:
# built once and read by the enrichment and calibration jobs (about 90 MB with the default
# references; kept, so that adding a set does not build it again). Only the statistics that use
# it ask for it.
SCORE_MATRIX = (
    ["results/enrichment/mirna_scores.npz"]
    if config["enrichment"]["empirical"]["statistic"] in ("auto", "mirna_sum")
    else []
)


def all_outputs():
    """Everything `snakemake` builds by default."""
    outputs = ["results/report/index.html", SETS_SHEET]
    outputs += expand("results/report/{set}.html", set=SETS)
    outputs += expand("results/enrichment/{set}.tsv", set=SETS)
    outputs += expand("results/signatures/{set}.tsv", set=SETS)
    outputs.append("results/signatures/summary.tsv")
    if CALIBRATE:
        outputs.append("results/calibration/summary.tsv")
    outputs += [f"results/compare/{a}__vs__{b}.tsv" for a, b in PAIRS]
    if PRERANK.run:
        outputs += expand("results/prerank/{set}.tsv", set=SETS)
    return outputs


# input.size_mb in a resource makes Snakemake (8.x-9.x) leave an un-awaited coroutine behind
# whenever it evaluates the resource inside its own event loop (building the DAG, --report):
# harmless, but one "coroutine ... was never awaited" warning per job (snakemake/snakemake#4280).
warnings.filterwarnings(
    "ignore",
    message="coroutine 'InputFiles._predicated_size_files.<locals>.sizes' was never awaited",
    category=RuntimeWarning,
)


def mem_from_input(base_mb, per_input_mb=1.0, cap_mb=16000):
    """A mem_mb resource that grows with the size of a rule's input files."""

    def mem(wildcards, input):
        return int(min(cap_mb, base_mb + per_input_mb * input.size_mb))

    return mem
