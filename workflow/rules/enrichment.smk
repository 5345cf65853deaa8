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
    conda:
        "../envs/exomir.yaml"
    threads: 2
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
    threads: 2
    resources:
        mem_mb=mem_from_input(2000, 8),
        runtime=60,
    params:
        enrichment=enrichment_params(),
        set=lambda w: w.set,
    script:
        "../scripts/enrichment.py"


rule calibration:
    input:
        edges="results/targets/all_edges.parquet",
        gene_sets=GENE_SET_TABLES,
        genes=GENES,
        focus=FOCUS_PATHWAYS,
        scores=SCORE_MATRIX,
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
    threads: 2
    resources:
        mem_mb=mem_from_input(2000, 8),
        runtime=120,
    params:
        # What the calibration measures: background, term sizes, the null, and its own
        # section (query_sizes, n_queries); not the sets of the run.
        enrichment=enrichment_params("calibration"),
    script:
        "../scripts/calibration.py"


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
    threads: 2
    resources:
        mem_mb=mem_from_input(2000, 8),
        runtime=60,
    params:
        enrichment=enrichment_params("compare"),
    script:
        "../scripts/compare_sets.py"
