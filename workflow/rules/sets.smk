# Sets: the set sheet of the run (from config/mirna_sets.tsv, or built from a count table), each
# set's rows on their own (the input of its names and targets), the weighted prerank of each
# set's targets (optional), and the miRNAs and targets that the sets share or hold alone.


rule build_sets:
    input:
        # The user's sheet, or the count table and sample sheet (abundance.counts/samples).
        unpack(sets_inputs),
    output:
        sheet=SETS_SHEET,
    log:
        "logs/sets/build_sets.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=mem_from_input(1000, 10),
        runtime=5,
    params:
        abundance=ABUNDANCE.as_dict(),
        sets=SETS,
    script:
        "../scripts/build_sets.py"


rule set_rows:
    output:
        rows="results/sets/{set}.rows.tsv",
    log:
        # Not logs/sets/{set}.log: a set may be called build_sets.
        "logs/sets/{set}.rows.log",
    group:
        "per_set"
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        # The set's rows of the sheet read at start-up; no input file, so that the job reruns
        # only when these rows change (Snakemake's params trigger).
        rows=rows_of_set,
    script:
        "../scripts/set_rows.py"


rule prerank:
    input:
        targets="results/targets/{set}.tsv",
        # Every gene some miRNA can target under the policy is ranked (score 0 if untargeted).
        edges="results/targets/all_edges.parquet",
        gene_sets=GENE_SET_TABLES,
    output:
        table="results/prerank/{set}.tsv",
        scores="results/prerank/{set}.scores.tsv",
    log:
        "logs/prerank/{set}.log",
    conda:
        "../envs/exomir.yaml"
    # gseapy's permutations run in parallel; 1,000 of them over GO BP take minutes per thread.
    threads: 4
    resources:
        mem_mb=mem_from_input(2000, 8),
        runtime=120,
    params:
        settings=PRERANK.as_dict(),
    script:
        "../scripts/prerank.py"


rule overlap:
    input:
        names=expand("results/names/{set}.tsv", set=SETS),
        targets=expand("results/targets/{set}.tsv", set=SETS),
    output:
        mirnas="results/compare/overlap_mirnas.tsv",
        targets="results/compare/overlap_targets.tsv",
    log:
        "logs/compare/overlap.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        sets=SETS,
    script:
        "../scripts/overlap.py"
