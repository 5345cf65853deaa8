"""Write the small, synthetic reference files of the end-to-end workflow test.

Every file has the exact layout of its official distribution (miRBase mature.fa and
aliases.txt, the HGNC complete set, miRTarBase CSV, TargetScan 8 default predictions and
miR_Family_Info, miRDB prediction result, NCBI gene2refseq, Enrichr and MSigDB GMT), but the content is made up:
miRNA names and accessions are miRBase's, sequences are random, gene identifiers are in a
synthetic range, and the miRNA -> gene edges are drawn from a seeded generator with one planted
signal (the "bone marrow" miRNAs target the PI3K-Akt term). Run it again to regenerate the
fixtures; the output is identical for the same code.

    python tests/data/workflow/make_fixtures.py
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20261123

HSA = {
    "hsa-let-7a-5p": "MIMAT0000062",
    "hsa-let-7b-5p": "MIMAT0000063",
    "hsa-miR-15a-5p": "MIMAT0000068",
    "hsa-miR-15b-5p": "MIMAT0000417",
    "hsa-miR-16-5p": "MIMAT0000069",
    "hsa-miR-17-5p": "MIMAT0000070",
    "hsa-miR-19a-3p": "MIMAT0000073",
    "hsa-miR-21-5p": "MIMAT0000076",
    "hsa-miR-21-3p": "MIMAT0004494",
    "hsa-miR-23b-3p": "MIMAT0000418",
    "hsa-miR-29a-3p": "MIMAT0000086",
    "hsa-miR-30a-5p": "MIMAT0000087",
    "hsa-miR-92a-3p": "MIMAT0000092",
    "hsa-miR-100-5p": "MIMAT0000098",
    "hsa-miR-125a-5p": "MIMAT0000443",
    "hsa-miR-125b-5p": "MIMAT0000423",
    "hsa-miR-126-3p": "MIMAT0000445",
    "hsa-miR-133b": "MIMAT0000770",
    "hsa-miR-143-3p": "MIMAT0000435",
    "hsa-miR-145-5p": "MIMAT0000437",
    "hsa-miR-146a-5p": "MIMAT0000449",
    "hsa-miR-146b-5p": "MIMAT0002809",
    "hsa-miR-146b-3p": "MIMAT0004766",
    "hsa-miR-155-5p": "MIMAT0000646",
    "hsa-miR-181a-5p": "MIMAT0000256",
    "hsa-miR-199a-3p": "MIMAT0000232",
    "hsa-miR-214-3p": "MIMAT0000271",
    "hsa-miR-221-3p": "MIMAT0000278",
    "hsa-miR-222-3p": "MIMAT0000279",
    "hsa-miR-223-3p": "MIMAT0000280",
    "hsa-miR-320a-3p": "MIMAT0000510",
    "hsa-miR-410-3p": "MIMAT0002171",
    "hsa-miR-451a": "MIMAT0001631",
    "hsa-miR-1246": "MIMAT0005898",
}
MMU = {
    "mmu-miR-21a-5p": "MIMAT0000530",
    "mmu-miR-21a-3p": "MIMAT0004628",
    "mmu-miR-155-5p": "MIMAT0000165",
    "mmu-let-7a-5p": "MIMAT0000521",
}
# Former names (miRBase aliases.txt): accession -> names it had in earlier releases.
ALIASES = {
    "MIMAT0000062": ["hsa-let-7a"],
    "MIMAT0000076": ["hsa-miR-21"],
    "MIMAT0004494": ["hsa-miR-21*"],
    "MIMAT0002809": ["hsa-miR-146b"],
    "MIMAT0004766": ["hsa-miR-146b*"],
    "MIMAT0001631": ["hsa-miR-451"],
    "MIMAT0000098": ["hsa-miR-100"],
    "MIMAT0000423": ["hsa-miR-125b"],
    "MIMAT0000443": ["hsa-miR-125a"],
    "MIMAT0000069": ["hsa-miR-16"],
    "MIMAT0000437": ["hsa-miR-145"],
    "MIMAT0000280": ["hsa-miR-223"],
    "MIMAT0000418": ["hsa-miR-23b"],
    "MIMAT0002171": ["hsa-miR-410"],
    "MIMAT0000510": ["hsa-miR-320", "hsa-miR-320a"],
    "MIMAT0000530": ["mmu-miR-21"],
}

TERMS = {
    # Enrichr-style library (term names as in KEGG_2021_Human)
    "kegg_mini": {
        "PI3K-Akt signaling pathway": "PTEN PIK3CA PIK3CB PIK3R1 AKT1 AKT2 AKT3 PDPK1 MTOR "
        "IRS1 EGFR IGF1R KRAS HRAS GSK3B FOXO3 CDKN1B TSC1 TSC2 RHEB BCL2L11 PHLPP1 INPP4B "
        "VEGFA KDR FGF2 ITGB1 SGK1",
        "mTOR signaling pathway": "MTOR RPTOR RICTOR RHEB TSC1 TSC2 AKT1 PIK3CA EIF4EBP1 "
        "RPS6KB1 ULK1 DDIT4 PRKAA1 STK11 LAMTOR1",
        "HIF-1 signaling pathway": "HIF1A EPAS1 ARNT VHL EGLN1 EGLN3 VEGFA SLC2A1 LDHA PDK1 "
        "HK2 EPO NOS2 TIMP1 SERPINE1",
        "NF-kappa B signaling pathway": "NFKB1 NFKB2 RELA RELB IKBKB CHUK NFKBIA TRAF6 IRAK1 "
        "MYD88 TNFAIP3 TNF IL1B CXCL8 BCL2 TLR4",
        "Wnt signaling pathway": "WNT3A WNT5A FZD1 FZD7 LRP6 CTNNB1 APC AXIN1 AXIN2 GSK3B "
        "DKK1 SFRP1 TCF7L2 LEF1 MYC CCND1",
        "Apoptosis": "BAX BAK1 BCL2 BCL2L1 MCL1 CASP3 CASP8 CASP9 CYCS APAF1 BID BCL2L11 "
        "XIAP FAS TP53",
        "Cell cycle": "CDK1 CDK2 CDK4 CDK6 CCND1 CCNE1 CDKN1A CDKN1B RB1 E2F1 TP53 MYC "
        "CDC25A CHEK1",
        "TGF-beta signaling pathway": "TGFB1 TGFBR1 TGFBR2 SMAD2 SMAD3 SMAD4 SMAD7 BMP2 "
        "BMPR2 ID1 SERPINE1 THBS1",
    },
    # MSigDB-style GMT (HALLMARK names, URL descriptions)
    "hallmark_mini": {
        "HALLMARK_PI3K_AKT_MTOR_SIGNALING": "PTEN PIK3CA PIK3R1 AKT1 MTOR RPTOR RICTOR "
        "PDPK1 TSC2 RHEB EIF4EBP1 RPS6KB1 GSK3B CDKN1B SGK1",
        "HALLMARK_HYPOXIA": "HIF1A VEGFA SLC2A1 LDHA PDK1 HK2 EGLN3 DDIT4 SERPINE1 TIMP1 ADM BNIP3",
        "HALLMARK_TNFA_SIGNALING_VIA_NFKB": "NFKB1 RELA RELB NFKBIA TNFAIP3 TNF IL1B CXCL8 "
        "IL6 CCL2 SOCS3 JUNB",
        "HALLMARK_WNT_BETA_CATENIN_SIGNALING": "WNT3A WNT5A FZD1 LRP6 CTNNB1 AXIN1 AXIN2 "
        "DKK1 TCF7L2 LEF1 MYC",
        "HALLMARK_APOPTOSIS": "BAX BAK1 BCL2 BCL2L1 MCL1 CASP3 CASP8 CASP9 CYCS BID FAS",
        "HALLMARK_EPITHELIAL_MESENCHYMAL_TRANSITION": "VIM CDH2 SNAI1 SNAI2 TWIST1 ZEB1 "
        "ZEB2 FN1 COL1A1 COL1A2 MMP2 TGFB1 ITGB1",
    },
}

# Edges the literature is known for; planted as strong validated edges.
KNOWN = [
    ("hsa-miR-21-5p", "PTEN"),
    ("hsa-miR-21-5p", "PDCD4"),
    ("hsa-miR-410-3p", "PTEN"),
    ("hsa-miR-146b-5p", "EGFR"),
    ("hsa-miR-146a-5p", "TRAF6"),
    ("hsa-miR-146a-5p", "IRAK1"),
    ("hsa-miR-100-5p", "MTOR"),
    ("hsa-miR-16-5p", "VEGFA"),
    ("hsa-miR-125a-5p", "DLL4"),
    ("hsa-miR-125b-5p", "TP53"),
    ("hsa-miR-145-5p", "MYC"),
    ("hsa-miR-223-3p", "NLRP3"),
    ("hsa-miR-133b", "RHOA"),
    ("hsa-let-7a-5p", "KRAS"),
    ("hsa-let-7a-5p", "HRAS"),
]
# Genes an alias of which appears in the sources (old or alternative symbols), to exercise
# symbol harmonisation: alias -> approved.
SYMBOL_ALIASES = {"PDCD4": "H731", "NLRP3": "CIAS1", "CXCL8": "IL8", "DLL4": "hdelta2"}
# An alias two genes share: ambiguous, must be reported and dropped.
SHARED_ALIAS = ("FAKE1", ["RHOA", "RHEB"])

BM_MIRNAS = ["hsa-miR-21-5p", "hsa-miR-410-3p", "hsa-miR-19a-3p", "hsa-miR-17-5p"]
PI3K_GENES = TERMS["kegg_mini"]["PI3K-Akt signaling pathway"].split()

SHEET = """set\tmsc_source\tmirna\tweight\tnote
bone_marrow\tbone_marrow\tmiR-21\t120\tfixture: former name, resolves to hsa-miR-21-5p
bone_marrow\tbone_marrow\thsa-miR-410-3p\t40\tfixture: current name
bone_marrow\tbone_marrow\tmiR-19a-3p\t\tfixture: no species prefix
bone_marrow\tbone_marrow\tMIR-17-5P\t10\tfixture: upper case
adipose\tadipose\tmiR-146b\t80\tfixture: former name of hsa-miR-146b-5p
adipose\tadipose\tmiR-100-5p\t30\tfixture
adipose\tadipose\tmiR-16\t20\tfixture
adipose\tadipose\tmiR-223-3p\t\tfixture
umbilical_cord\tumbilical_cord\tmiR-125a-5p\t\tfixture
umbilical_cord\tumbilical_cord\tmiR-145-5p\t\tfixture
umbilical_cord\tumbilical_cord\tmiR-451\t\tfixture: former name of hsa-miR-451a
umbilical_cord\tumbilical_cord\tmiR-133b\t\tfixture
umbilical_cord\tumbilical_cord\tlet-7a-5p\t\tfixture
"""


def all_genes() -> list[str]:
    genes = {g for lib in TERMS.values() for members in lib.values() for g in members.split()}
    genes |= {g for _, g in KNOWN}
    genes |= {"GAPDH", "ACTB", "TUBB", "RPLP0", "PPIA", "B2M", "HPRT1", "TBP", "YWHAZ", "SDHA"}
    genes |= set(SHARED_ALIAS[1])
    return sorted(genes)


def rna(rng: random.Random, n: int = 22) -> str:
    return "".join(rng.choice("ACGU") for _ in range(n))


def write(name: str, text: str) -> None:
    (HERE / name).write_text(text, encoding="utf-8", newline="\n")


def main() -> None:
    rng = random.Random(SEED)
    genes = all_genes()
    gene_ids = {g: (f"HGNC:9{i:05d}", str(900000 + i), f"NM_9{i:05d}") for i, g in enumerate(genes)}

    # miRBase mature.fa
    lines = []
    species_name = {"hsa": "Homo sapiens", "mmu": "Mus musculus"}
    for name, acc in [*HSA.items(), *MMU.items()]:
        prefix, short = name.split("-", 1)
        lines.append(f">{name} {acc} {species_name[prefix]} {short}")
        lines.append(rna(rng))
    write("mature.fa", "\n".join(lines) + "\n")

    # miRBase aliases.txt: accession, names separated and terminated by ';'
    current = {acc: name for name, acc in [*HSA.items(), *MMU.items()]}
    alias_lines = []
    for acc in sorted(ALIASES):
        names = [*ALIASES[acc], current[acc]]
        alias_lines.append(f"{acc}\t{';'.join(names)};")
    alias_lines.append("MI0000077\thsa-mir-21;")
    write("aliases.txt", "\n".join(alias_lines) + "\n")

    # HGNC complete set (official header, 54 columns; the columns exomir reads are filled)
    header = (
        "hgnc_id symbol name locus_group locus_type status location location_sortable "
        "alias_symbol alias_name prev_symbol prev_name gene_group gene_group_id "
        "date_approved_reserved date_symbol_changed date_name_changed date_modified entrez_id "
        "ensembl_gene_id vega_id ucsc_id ena refseq_accession ccds_id uniprot_ids pubmed_id "
        "mgd_id rgd_id lsdb cosmic omim_id mirbase homeodb snornabase bioparadigms_slc "
        "orphanet pseudogene.org horde_id merops imgt iuphar kznf_gene_catalog mamit-trnadb cd "
        "lncrnadb enzyme_id intermediate_filament_db rna_central_id lncipedia gtrnadb agr "
        "mane_select gencc"
    ).split()
    rows = ["\t".join(header)]
    for g in genes:
        hgnc, entrez, refseq = gene_ids[g]
        aliases = [SYMBOL_ALIASES[g]] if g in SYMBOL_ALIASES else []
        if g in SHARED_ALIAS[1]:
            aliases.append(SHARED_ALIAS[0])
        record = dict.fromkeys(header, "")
        record.update(
            hgnc_id=hgnc,
            symbol=g,
            name=f"{g} (fixture gene)",
            locus_group="protein-coding gene",
            locus_type="gene with protein product",
            status="Approved",
            alias_symbol=("|".join(aliases) if len(aliases) < 2 else '"' + "|".join(aliases) + '"'),
            entrez_id=entrez,
            ensembl_gene_id=f"ENSG9{int(entrez):010d}",
            refseq_accession=refseq,
            date_approved_reserved="2000-01-01",
        )
        rows.append("\t".join(record[h] for h in header))
    write("hgnc_complete_set.txt", "\n".join(rows) + "\n")

    hsa_mirnas = [m for m in HSA if m != "hsa-miR-1246"]  # hsa-miR-1246: no target anywhere
    # miRTarBase CSV: known edges (strong), random weak and non-functional edges, replicates.
    mti = [
        "miRTarBase ID,miRNA,Species (miRNA),Target Gene,Target Gene (Entrez ID),"
        "Species (Target Gene),Experiments,Support Type,References (PMID)"
    ]
    n = 1

    def mti_row(mirna: str, gene: str, experiments: str, support: str, pmid: int) -> None:
        nonlocal n
        symbol = SYMBOL_ALIASES.get(gene, gene)
        entrez = gene_ids[gene][1] if gene in gene_ids else ""
        mti.append(
            f'MIRT{n:06d},{mirna},Homo sapiens,{symbol},{entrez},Homo sapiens,"{experiments}",'
            f"{support},{pmid}"
        )
        n += 1

    for mirna, gene in KNOWN:
        mti_row(
            mirna,
            gene,
            "Luciferase reporter assay//Western blot//qRT-PCR",
            "Functional MTI",
            10000000 + n,
        )
        mti_row(mirna, gene, "Western blot", "Functional MTI", 20000000 + n)
    for mirna in hsa_mirnas:
        for gene in rng.sample(genes, 4):
            mti_row(mirna, gene, "Microarray", "Functional MTI (Weak)", 30000000 + n)
    for mirna in BM_MIRNAS:
        for gene in rng.sample(PI3K_GENES, 6):
            mti_row(mirna, gene, "Luciferase reporter assay", "Functional MTI", 40000000 + n)
    mti_row("hsa-miR-16-5p", "GAPDH", "Luciferase reporter assay", "Non-Functional MTI", 50000000)
    mti_row("hsa-miR-21", "PDCD4", "Western blot", "Functional MTI", 60000000)  # old name
    mti.append(
        f"MIRT{n:06d},mmu-miR-21a-5p,mmu,Pten,19211,mmu,Western blot,Functional MTI,70000000"
    )
    write("hsa_MTI.csv", "\n".join(mti) + "\n")

    # TargetScan 8 miR_Family_Info.txt and the default-prediction files.
    families = {}
    fam_lines = [
        "miR family\tSeed+m8\tSpecies ID\tMiRBase ID\tMature sequence\tFamily Conservation?"
        "\tMiRBase Accession"
    ]
    for name in hsa_mirnas:
        family = name.split("-", 1)[1]
        families[name] = family
        fam_lines.append(f"{family}\t{rna(rng, 7)}\t9606\t{name}\t{rna(rng)}\t2\t{HSA[name]}")
    write("miR_Family_Info.txt", "\n".join(fam_lines) + "\n")
    ctx = [
        "Gene ID\tGene Symbol\tTranscript ID\tSpecies ID\tmiRNA\tSite Type\tUTR_start\t"
        "UTR end\tcontext++ score\tcontext++ score percentile\tweighted context++ score\t"
        "weighted context++ score percentile\tPredicted relative KD"
    ]
    info = [
        "miR Family\tGene ID\tGene Symbol\tTranscript ID\tSpecies ID\tUTR start\tUTR end\t"
        "MSA start\tMSA end\tSeed match\tPCT"
    ]
    for name in hsa_mirnas:
        targets = rng.sample(genes, 18)
        if name in BM_MIRNAS:
            targets = sorted(set(targets) | set(rng.sample(PI3K_GENES, 8)))
        for gene in targets:
            ensg = f"ENSG9{int(gene_ids[gene][1]):010d}.1"
            for t in range(rng.choice([1, 1, 2])):
                enst = f"ENST9{int(gene_ids[gene][1]):010d}.{t + 1}"
                for s in range(rng.choice([1, 1, 2])):
                    start = 100 + 50 * s
                    score = round(-rng.uniform(0.02, 0.6), 3)
                    site = rng.choice(["8mer", "7mer-m8", "7mer-1a"])
                    ctx.append(
                        f"{ensg}\t{gene}\t{enst}\t9606\t{name}\t{site}\t{start}\t{start + 7}\t"
                        f"{score}\t{rng.randint(1, 99)}\t{score}\t{rng.randint(1, 99)}\t"
                        f"{round(rng.uniform(-3, 0), 3)}"
                    )
                    if rng.random() < 0.4:
                        info.append(
                            f"{families[name]}\t{ensg}\t{gene}\t{enst}\t9606\t{start}\t"
                            f"{start + 7}\t{start + 10}\t{start + 17}\t{site}\t"
                            f"{round(rng.uniform(0.1, 0.99), 2)}"
                        )
    write("Predicted_Targets_Context_Scores.default_predictions.txt", "\n".join(ctx) + "\n")
    write("Predicted_Targets_Info.default_predictions.txt", "\n".join(info) + "\n")

    # miRDB prediction result: miRNA, RefSeq accession, score (no header). Like most of the
    # real file's, its accessions are transcripts other than the one HGNC lists (NM_9...):
    # they map to genes only through gene2refseq.
    transcript = {g: f"NM_8{i:05d}.{1 + i % 3}" for i, g in enumerate(genes)}
    mirdb = []
    for name in [*hsa_mirnas, "mmu-miR-21a-5p"]:
        for gene in rng.sample(genes, 10):
            mirdb.append(f"{name}\t{transcript[gene]}\t{rng.randint(50, 100)}")
    write("miRDB_v6.0_prediction_result.txt", "\n".join(mirdb) + "\n")

    # NCBI gene2refseq (16 tab-separated columns, '-' for an absent accession): per gene the
    # HGNC transcript, a second mRNA, a predicted XM_ and a genomic-only row; mouse rows too.
    g2r = [
        "#tax_id\tGeneID\tstatus\tRNA_nucleotide_accession.version\tRNA_nucleotide_gi\t"
        "protein_accession.version\tprotein_gi\tgenomic_nucleotide_accession.version\t"
        "genomic_nucleotide_gi\tstart_position_on_the_genomic_accession\t"
        "end_position_on_the_genomic_accession\torientation\tassembly\t"
        "mature_peptide_accession.version\tmature_peptide_gi\tSymbol"
    ]
    for i, gene in enumerate(genes):
        entrez = gene_ids[gene][1]
        for status, accession in (
            ("REVIEWED", f"{gene_ids[gene][2]}.2"),
            ("VALIDATED", transcript[gene]),
            ("MODEL", f"XM_8{i:05d}.1"),
            ("REVIEWED", "-"),
        ):
            protein = "-" if accession == "-" else f"NP_8{i:05d}.1"
            g2r.append(
                f"9606\t{entrez}\t{status}\t{accession}\t-\t{protein}\t-\tNC_000010.11\t-\t"
                f"{1000 * i}\t{1000 * i + 500}\t+\tReference GRCh38.p14 Primary Assembly\t"
                f"-\t-\t{gene}"
            )
    g2r.append(
        "10090\t19211\tREVIEWED\tNM_008960.2\t-\tNP_032986.1\t-\tNC_000085.7\t-\t32"
        "\t99\t+\tReference GRCm39 C57BL/6J\t-\t-\tPten"
    )
    write("gene2refseq", "\n".join(g2r) + "\n")

    # Gene-set libraries: Enrichr text (empty description, trailing tab) and MSigDB GMT.
    write(
        "kegg_mini.txt",
        "".join(f"{t}\t\t" + "\t".join(g.split()) + "\t\n" for t, g in TERMS["kegg_mini"].items()),
    )
    write(
        "hallmark_mini.gmt",
        "".join(
            f"{t}\thttp://www.gsea-msigdb.org/gsea/msigdb/cards/{t}\t" + "\t".join(g.split()) + "\n"
            for t, g in TERMS["hallmark_mini"].items()
        ),
    )
    write("mirna_sets.tsv", SHEET)


if __name__ == "__main__":
    main()
