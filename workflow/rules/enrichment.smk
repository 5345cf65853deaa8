# Enrichment: the miRNA x term scores of the mirna_sum statistic (once per run); per set,
# over-representation (ORA) and the miRNA-set empirical null over all libraries at once;
# calibration of both methods on random query sets of the configured sizes; pairwise comparisons.


rule mirna_scores:
    input:
        edges="results/targets/all_edges.parquet",
        gene_sets=GENE_SET_TABLES,
        genes=GENES,
        focus=FOCUS_PATHWAYS,
    output:
        scores="results/enrichment/mirna_scores.npz",
    log:
        "logs/enrichment/mirna_scores.log",
    # On the longest path of a run (scores, then the calibration): started first.
    priority: 20
    conda:
        "../envs/exomir.yaml"
    # One thread: a job that waits for two free cores would start late.
    threads: 1
    resources:
        mem_mb=mem_from_input(2000, 8),
        runtime=30,
    params:
        enrichment=enrichment_params(),
    script:
        "../scripts/mirna_scores.py"


rule enrichment:
    input:
        targets="results/targets/{set}.tsv",
        edges="results/targets/all_edges.parquet",
        gene_sets=GENE_SET_TABLES,
        genes=GENES,
        focus=FOCUS_PATHWAYS,
        scores=SCORE_MATRIX,
    output:
        table="results/enrichment/{set}.tsv",
        background="results/enrichment/{set}.background.txt",
        universe="results/enrichment/{set}.universe.txt",
        params="results/enrichment/{set}.json",
    log:
        "logs/enrichment/{set}.log",
    conda:
        "../envs/exomir.yaml"
    # One thread: the sets' jobs run side by side (the null of one set is mostly serial).
    threads: 1
    resources:
        mem_mb=mem_from_input(2000, 8),
        runtime=60,
    params:
        enrichment=enrichment_params(),
        set=lambda w: w.set,
    script:
        "../scripts/enrichment.py"


rule calibration_size:
    input:
        edges="results/targets/all_edges.parquet",
        gene_sets=GENE_SET_TABLES,
        genes=GENES,
        focus=FOCUS_PATHWAYS,
        scores=SCORE_MATRIX,
    output:
        pvalues="results/calibration/size_{size}/pvalues.tsv",
        summary="results/calibration/size_{size}/summary.tsv",
    log:
        "logs/calibration/size_{size}.log",
    wildcard_constraints:
        size=r"[1-9][0-9]*",
    priority: 10
    conda:
        "../envs/exomir.yaml"
    # One process per query size: the sizes run side by side, and beside the other jobs.
    threads: 1
    resources:
        mem_mb=mem_from_input(2000, 8),
        runtime=120,
    params:
        # What the calibration measures: background, term sizes, the null, and n_queries;
        # not the sets of the run, nor the other query sizes.
        enrichment=calibration_params(),
        size=lambda w: int(w.size),
    script:
        "../scripts/calibration.py"


rule calibration:
    input:
        pvalues=expand(
            "results/calibration/size_{size}/pvalues.tsv", size=CALIBRATION_SIZES
        ),
        summary=expand(
            "results/calibration/size_{size}/summary.tsv", size=CALIBRATION_SIZES
        ),
    output:
        pvalues="results/calibration/pvalues.tsv",
        summary=report(
            "results/calibration/summary.tsv",
            caption="../report/calibration.rst",
            category="Calibration",
        ),
    log:
        "logs/calibration.log",
    conda:
        "../envs/exomir.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/calibration_merge.py"


rule compare_sets:
    input:
        a="results/targets/{a}.tsv",
        b="results/targets/{b}.tsv",
        edges="results/targets/all_edges.parquet",
        gene_sets=GENE_SET_TABLES,
        genes=GENES,
        focus=FOCUS_PATHWAYS,
    output:
        table="results/compare/{a}__vs__{b}.tsv",
    log:
        "logs/compare/{a}__vs__{b}.log",
    conda:
        "../envs/exomir.yaml"
    threads: 1
    resources:
        mem_mb=mem_from_input(2000, 8),
        runtime=60,
    params:
        enrichment=enrichment_params("compare"),
    script:
        "../scripts/compare_sets.py"
