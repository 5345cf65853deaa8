# References: one download rule for every remote file, and one rule per database that turns
# the official distribution files into normalised Parquet under resources/references/.
#
# Downloads run on the machine that starts Snakemake (localrules): compute nodes of many
# clusters have no network, and the login node does.


localrules:
    download_reference,
    download_references,


rule download_references:
    input:
        all_references(),
    output:
        touch(f"{REFERENCE_ROOT}/.complete"),


rule download_reference:
    output:
        f"{DOWNLOAD_ROOT}/{{section}}/{{name}}/{{version}}/{{role}}",
    log:
        "logs/download/{section}/{name}/{version}/{role}.log",
    retries: 1
    conda:
        "../envs/exomir.yaml"
    params:
        ref=ref_spec,
        lock=LOCK_FILE,
    script:
        "../scripts/download.py"


rule mirbase:
    input:
        unpack(lambda w: files_of("mirbase", "mirbase")),
    output:
        mature=f"{REFERENCE_ROOT}/mirbase/{{version}}/mature.parquet",
        aliases=f"{REFERENCE_ROOT}/mirbase/{{version}}/aliases.parquet",
        precursors=f"{REFERENCE_ROOT}/mirbase/{{version}}/precursors.parquet",
        audit=f"{REFERENCE_ROOT}/mirbase/{{version}}/audit.tsv",
    log:
        "logs/references/mirbase/{version}.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=mem_from_input(1000, 20),
        runtime=10,
    script:
        "../scripts/mirbase.py"


rule gene_table:
    input:
        hgnc=lambda w: ref_file("genes", "genes", "hgnc"),
    output:
        genes=f"{REFERENCE_ROOT}/genes/{{version}}/genes.parquet",
    log:
        "logs/references/genes/{version}.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=mem_from_input(1000, 20),
        runtime=10,
    script:
        "../scripts/gene_table.py"


if REFSEQ_SOURCE == "mygene":

    # MyGene.info needs the network: this rule runs where Snakemake runs, like the downloads.
    rule refseq_mygene:
        input:
            mirdb=MIRDB_TABLES,
        output:
            refseq=f"{REFERENCE_ROOT}/refseq/{{version}}/refseq.parquet",
        log:
            "logs/references/refseq/{version}.log",
        localrule: True
        conda:
            "../envs/exomir.yaml"
        params:
            url=REFS["refseq"]["mygene_url"],
            cache=f"{REFERENCE_ROOT}/refseq/mygene",
        script:
            "../scripts/refseq_table.py"

else:

    rule refseq_table:
        input:
            gene2refseq=lambda w: ref_file("refseq", "refseq", "gene2refseq"),
        output:
            refseq=f"{REFERENCE_ROOT}/refseq/{{version}}/refseq.parquet",
        log:
            "logs/references/refseq/{version}.log",
        conda:
            "../envs/exomir.yaml"
        resources:
            mem_mb=4000,
            runtime=60,
        script:
            "../scripts/refseq_table.py"


rule target_source:
    input:
        unpack(lambda w: files_of("targets", w.name)),
        unpack(lambda w: refseq_input(w.name)),
        mature=MIRBASE["mature"],
        aliases=MIRBASE["aliases"],
        precursors=MIRBASE["precursors"],
        genes=GENES,
    output:
        edges=f"{REFERENCE_ROOT}/targets/{{name}}/{{version}}/edges.parquet",
        audit=f"{REFERENCE_ROOT}/targets/{{name}}/{{version}}/audit.tsv",
    log:
        "logs/references/targets/{name}/{version}.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        # Raw miRTarBase and TargetScan tables expand about tenfold in memory.
        mem_mb=mem_from_input(2000, 12),
        runtime=30,
    params:
        format=lambda w: REFS["targets"][w.name]["format"],
        species=config["species"],
        roles=lambda w: sorted(files_of("targets", w.name)),
    script:
        "../scripts/target_source.py"


rule gene_set_library:
    input:
        gmt=lambda w: ref_file("gene_sets", w.name, "gmt"),
        genes=GENES,
    output:
        gene_sets=f"{REFERENCE_ROOT}/gene_sets/{{name}}/{{version}}/gene_sets.parquet",
        audit=f"{REFERENCE_ROOT}/gene_sets/{{name}}/{{version}}/audit.tsv",
    log:
        "logs/references/gene_sets/{name}/{version}.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=mem_from_input(1000, 20),
        runtime=10,
    params:
        ids=lambda w: REFS["gene_sets"][w.name]["ids"],
    script:
        "../scripts/gene_set_library.py"


rule reference_provenance:
    input:
        [reference_input(ref) for ref in REFERENCE_FILES],
    output:
        "results/references.tsv",
    log:
        "logs/references/provenance.log",
    conda:
        "../envs/exomir.yaml"
    resources:
        mem_mb=500,
        runtime=10,
    params:
        files=REFERENCE_FILES,
        lock=LOCK_FILE,
    script:
        "../scripts/provenance.py"
