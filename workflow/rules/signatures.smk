# Signatures: per set, the signed push of its targets on the focus pathways and processes, the
# pro-/anti-tumour, regenerative and immunomodulatory scores with the edges that drive them, and
# the review claims beside the data; then all sets side by side.


rule signatures:
    input:
        targets="results/targets/{set}.tsv",
        edges="results/targets/all_edges.parquet",
        regulators=str(CURATED / "pathway_regulators.tsv"),
        roles=str(CURATED / "gene_roles.tsv"),
        literature=str(CURATED / "msc_exosome_literature.tsv"),
        focus=FOCUS_PATHWAYS,
    output:
        table=report(
            "results/signatures/{set}.tsv",
            caption="../report/signatures.rst",
            category="Signatures",
            subcategory="{set}",
        ),
        drivers="results/signatures/{set}.drivers.tsv",
        literature="results/signatures/{set}.literature.tsv",
        params="results/signatures/{set}.json",
    log:
        "logs/signatures/{set}.log",
    conda:
        "../envs/exomir.yaml"
    # Single-threaded numpy: the 10,000 random sets of the null take about a second.
    threads: 1
    resources:
        mem_mb=mem_from_input(1000, 8),
        runtime=15,
    params:
        # The same random miRNA sets as the enrichment null: N, seed, universe, strata.
        empirical=config["enrichment"]["empirical"],
        set=lambda w: w.set,
        msc_source=lambda w: SOURCES[w.set],
    script:
        "../scripts/signatures.py"


rule signature_summary:
    input:
        tables=expand("results/signatures/{set}.tsv", set=SETS),
        params=expand("results/signatures/{set}.json", set=SETS),
    output:
        summary=report(
            "results/signatures/summary.tsv",
            caption="../report/signatures.rst",
            category="Signatures",
        ),
    log:
        "logs/signatures/summary.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        sets=SETS,
        sources=SOURCES,
    script:
        "../scripts/signature_summary.py"
