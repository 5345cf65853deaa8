# Targets: every configured source filtered by the policy and joined into one edge table for
# the whole species (the miRNA universe of the enrichment null), then the edges of each set.


rule target_edges:
    input:
        sources=SOURCE_EDGES,
    output:
        edges="results/targets/all_edges.parquet",
        summary="results/targets/sources.tsv",
    log:
        "logs/targets/all_edges.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=mem_from_input(2000, 15),
        runtime=15,
    params:
        sources=[
            (name, REFS["targets"][name]["format"])
            for name in config["targets"]["sources"]
        ],
        policy=config["targets"],
    script:
        "../scripts/target_edges.py"


rule set_targets:
    input:
        edges="results/targets/all_edges.parquet",
        names="results/names/{set}.tsv",
        rows="results/sets/{set}.rows.tsv",
    output:
        targets="results/targets/{set}.tsv",
    log:
        "logs/targets/{set}.log",
    group:
        "per_set"
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=mem_from_input(1000, 10),
        runtime=5,
    params:
        on_unresolved=config["names"]["on_unresolved"],
    script:
        "../scripts/set_targets.py"
