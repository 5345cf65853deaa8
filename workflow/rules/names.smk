# Names: each input name -> current miRBase mature name(s), with an audit row per input.


rule resolve_names:
    input:
        rows="results/sets/{set}.rows.tsv",
        mature=MIRBASE["mature"],
        aliases=MIRBASE["aliases"],
        precursors=MIRBASE["precursors"],
    output:
        audit=report(
            "results/names/{set}.tsv",
            caption="../report/names.rst",
            category="Names",
            subcategory="{set}",
        ),
    log:
        "logs/names/{set}.log",
    group:
        "per_set"
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        species=config["species"],
        arm_policy=config["names"]["arm_policy"],
    script:
        "../scripts/resolve_names.py"
