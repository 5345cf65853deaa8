# Report: results/report/index.html (all sets) and one page per set, self-contained HTML; the
# summary figure, the significant rows (what `snakemake --report` embeds) and copies of the
# linked tables, so that results/report/ works on its own.


rule report:
    input:
        names=expand("results/names/{set}.tsv", set=SETS),
        targets=expand("results/targets/{set}.tsv", set=SETS),
        enrichment=expand("results/enrichment/{set}.tsv", set=SETS),
        enrichment_params=expand("results/enrichment/{set}.json", set=SETS),
        sources="results/targets/sources.tsv",
        references="results/references.tsv",
        focus=FOCUS_PATHWAYS,
        calibration=(
            ["results/calibration/summary.tsv", "results/calibration/pvalues.tsv"]
            if CALIBRATE
            else []
        ),
        compare=[f"results/compare/{a}__vs__{b}.tsv" for a, b in PAIRS],
        overlaps=[
            "results/compare/overlap_mirnas.tsv",
            "results/compare/overlap_targets.tsv",
        ],
        signatures=expand(
            "results/signatures/{set}{suffix}",
            set=SETS,
            suffix=[".tsv", ".drivers.tsv", ".literature.tsv", ".json"],
        ),
        signature_summary="results/signatures/summary.tsv",
    output:
        index=report(
            "results/report/index.html",
            caption="../report/index.rst",
            category="Report",
        ),
        pages=report(
            expand("results/report/{set}.html", set=SETS),
            caption="../report/pages.rst",
            category="Report",
        ),
        figure=report(
            multiext("results/report/figures/summary", ".svg", ".png"),
            caption="../report/figure.rst",
            category="Report",
        ),
        significant=report(
            expand("results/report/significant/{set}.tsv", set=SETS),
            caption="../report/enrichment.rst",
            category="Enrichment",
        ),
        significant_comparisons=report(
            "results/report/significant_comparisons.tsv",
            caption="../report/comparison.rst",
            category="Comparisons",
        ),
        tables=directory("results/report/tables"),
    log:
        "logs/report.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        sets=SETS,
        sources=SOURCES,
        config=config,
    script:
        "../scripts/report.py"
