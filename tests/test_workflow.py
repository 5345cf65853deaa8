"""End to end: snakemake on the fixtures in tests/data/workflow, in a temporary directory."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from http_server import LocalServer, unused_url

from exomir._io import read_tsv

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, copy_fixtures, run_snakemake):
    """One complete run on the fixtures, shared by the tests that read its outputs."""
    workdir = copy_fixtures(tmp_path_factory.mktemp("run"))
    run_snakemake(workdir)
    return workdir


def read(workdir: Path, relative: str) -> pd.DataFrame:
    return read_tsv(workdir / relative, strings=True)


def test_names_are_resolved_with_their_rule(finished_run):
    names = read(finished_run, "results/names/bone_marrow.tsv")
    row = names.set_index("input").loc["miR-21"]
    assert (row["resolved"], row["accession"], row["status"]) == (
        "hsa-miR-21-5p",
        "MIMAT0000076",
        "ok",
    )
    assert row["rule"].startswith("alias")
    assert names.set_index("input").loc["MIR-17-5P", "resolved"] == "hsa-miR-17-5p"
    uc = read(finished_run, "results/names/umbilical_cord.tsv").set_index("input")
    assert uc.loc["miR-451", "resolved"] == "hsa-miR-451a"


def test_targets_carry_each_sources_evidence(finished_run):
    targets = read(finished_run, "results/targets/bone_marrow.tsv")
    pten = targets[(targets["mirna"] == "hsa-miR-21-5p") & (targets["gene"] == "PTEN")].iloc[0]
    assert pten["input_name"] == "miR-21"
    assert pten["weight"] == "120"
    assert pten["mirtarbase_tier"] == "strong"
    assert pten["mirtarbase_pmids"] == "2"
    assert "Luciferase reporter assay" in pten["mirtarbase_experiments"]
    # PDCD4 is spelled with a former symbol (H731) and, once, with the former miRNA name
    # hsa-miR-21: both map, and the three records pool into one edge.
    pdcd4 = targets[(targets["mirna"] == "hsa-miR-21-5p") & (targets["gene"] == "PDCD4")].iloc[0]
    assert pdcd4["mirtarbase_pmids"] == "3"
    assert set(targets["targetscan_conserved"]) <= {"true", "false", ""}
    edges = pd.read_parquet(finished_run / "results/targets/all_edges.parquet")
    # hsa-miR-1246 has no target in any source; mouse rows never enter a human run
    assert "hsa-miR-1246" not in set(edges["mirna"])
    assert not edges["mirna"].str.startswith("mmu-").any()
    summary = read(finished_run, "results/targets/sources.tsv").set_index("source")
    assert set(summary.index) == {"mirtarbase", "targetscan", "mirdb", "combined"}
    # the non-functional record and the low miRDB scores fall to the policy
    assert int(summary.loc["mirtarbase", "edges_kept"]) < int(summary.loc["mirtarbase", "edges"])
    assert int(summary.loc["mirdb", "edges_kept"]) < int(summary.loc["mirdb", "edges"])


def test_audits_list_what_fell_out(finished_run):
    audits = list((finished_run / "resources/references/targets").glob("*/*/audit.tsv"))
    frames = pd.concat([read(finished_run, str(p.relative_to(finished_run))) for p in audits])
    species = frames[frames["kind"] == "species"]
    assert "mmu" in set(species["value"])
    genes = read(finished_run, "resources/references/gene_sets/kegg_mini/fixture/audit.tsv")
    assert list(genes.columns)[:3] == ["library", "term_id", "gene"]


def test_enrichment_finds_the_planted_signal(finished_run):
    table = read(finished_run, "results/enrichment/bone_marrow.tsv")
    expected = (
        "set library term_id term focus term_size overlap n_targets background_size expected "
        "fold_enrichment p_ora fdr_ora p_emp p_method fdr_emp fdr_focus fdr_all z_emp mirna_score null_mean "
        "null_sd n_null k_mirnas cluster cluster_lead overlap_genes"
    ).split()
    assert list(table.columns) == expected
    pi3k = table.set_index("term").loc["PI3K-Akt signaling pathway"]
    assert pi3k["focus"] == "pi3k_akt"
    assert float(pi3k["p_ora"]) < 1e-3
    assert float(pi3k["p_emp"]) < 0.05
    assert pi3k["k_mirnas"] == "4"
    params = yaml.safe_load((finished_run / "results/enrichment/bone_marrow.json").read_text())
    assert params["empirical"]["n_random"] == 500
    assert params["empirical"]["seed"] == 7
    background = (finished_run / "results/enrichment/bone_marrow.background.txt").read_text()
    assert "PTEN" in background.split()
    universe = (finished_run / "results/enrichment/bone_marrow.universe.txt").read_text().split()
    assert "hsa-miR-21-5p" in universe
    assert "hsa-miR-1246" not in universe


def test_calibration_and_comparisons(finished_run):
    summary = read(finished_run, "results/calibration/summary.tsv")
    # one row per method and configured query size (enrichment.calibration.query_sizes)
    assert list(zip(summary["method"], summary["query_size"], strict=True)) == [
        ("ora", "3"),
        ("empirical", "3"),
        ("ora", "5"),
        ("empirical", "5"),
    ]
    assert set(summary["n_queries"]) == {"20"}
    pvalues = read(finished_run, "results/calibration/pvalues.tsv")
    assert list(pvalues.columns) == ["method", "query_size", "expected", "observed"]
    assert set(pvalues["query_size"]) == {"3", "5"}
    compare = list((finished_run / "results/compare").glob("*__vs__*.tsv"))
    assert sorted(p.name for p in compare) == [
        "adipose__vs__umbilical_cord.tsv",
        "bone_marrow__vs__adipose.tsv",
        "bone_marrow__vs__umbilical_cord.tsv",
    ]


def test_report_pages(finished_run):
    index = (finished_run / "results/report/index.html").read_text()
    for name in ("bone_marrow", "adipose", "umbilical_cord", "PTEN / PI3K-Akt", "Calibration"):
        assert name in index
    assert "<script src=" not in index
    page = (finished_run / "results/report/bone_marrow.html").read_text()
    assert "PI3K-Akt signaling pathway" in page
    references = read(finished_run, "results/references.tsv")
    assert set(references["checksum"]) == {"local copy"}
    assert all(len(s) == 64 for s in references["sha256"])


def test_rerun_is_byte_identical(finished_run, tmp_path, run_snakemake):
    before = {
        p.name: p.read_bytes()
        for p in sorted((finished_run / "results").rglob("*.tsv"))
        if "report" not in p.parts
    }
    run_snakemake(finished_run, "--forcerun", "enrichment", "calibration", "compare_sets")
    after = {
        p.name: p.read_bytes()
        for p in sorted((finished_run / "results").rglob("*.tsv"))
        if "report" not in p.parts
    }
    assert before == after


def test_unresolved_names_stop_with_a_list_and_the_audit(tmp_path, copy_fixtures, run_snakemake):
    workdir = copy_fixtures(tmp_path / "run")
    with open(workdir / "mirna_sets.tsv", "a") as sheet:
        sheet.write("adipose\tadipose\tmiR-99999\t\tnot a miRNA\n")
        sheet.write("adipose\tadipose\tlet-7\t\ta family\n")
    result = run_snakemake(workdir, "results/targets/adipose.tsv", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    log = (workdir / "logs/targets/adipose.log").read_text()
    for text in ("miR-99999", "let-7", "results/names/adipose.tsv"):
        assert text in log
    assert "UnresolvedNamesError" in output or "unresolved" in output.lower()
    audit = read(workdir, "results/names/adipose.tsv").set_index("input")
    assert audit.loc["miR-99999", "status"] == "unknown"
    assert audit.loc["let-7", "status"] == "ambiguous"
    assert not (workdir / "results/targets/adipose.tsv").exists()

    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["names"]["on_unresolved"] = "warn"
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    run_snakemake(workdir, "results/targets/adipose.tsv")
    targets = read(workdir, "results/targets/adipose.tsv")
    assert "hsa-miR-146b-5p" in set(targets["mirna"])


def test_bad_sheet_stops_before_any_job(tmp_path, copy_fixtures, run_snakemake):
    workdir = copy_fixtures(tmp_path / "run")
    with open(workdir / "mirna_sets.tsv", "a") as sheet:
        sheet.write("adipose\tadipose\tmiR-146b\t\tduplicate row\n")
    result = run_snakemake(workdir, "-n", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "mirna_sets.tsv" in output
    assert "repeats 'miR-146b' of set 'adipose'" in output
    assert not (workdir / "results").exists()


def test_missing_references_without_network_are_listed_in_one_message(
    tmp_path, copy_fixtures, run_snakemake
):
    workdir = copy_fixtures(tmp_path / "run")
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    refs = config["references"]
    # Ports on the loopback interface where nothing listens: every download is refused at once.
    closed = unused_url()
    refs["mirbase"]["files"]["mature"] = {"url": f"{closed}/mature.fa"}
    refs["mirbase"]["files"]["aliases"] = {"url": f"{closed}/aliases.txt"}
    refs["genes"] = {"version": "2024-10", "archive": [f"{closed}/hgnc/archive"]}
    refs["targets"]["mirtarbase"]["files"]["table"] = {
        "url": [f"{closed}/awi/hsa_MTI.csv", f"{unused_url()}/former/hsa_MTI.csv"]
    }
    refs["targets"]["mirdb"]["files"]["table"] = {
        "url": f"{closed}/miRDB_v6.0_prediction_result.txt.gz"
    }
    refs["gene_sets"]["kegg_mini"]["files"]["gmt"] = {"path": str(workdir / "absent.gmt")}
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    result = run_snakemake(workdir, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output and 'File "' not in output
    assert output.count("reference file(s) are neither present nor downloadable") == 1
    assert "6 reference file(s)" in output
    for name in (
        "mature.fa",
        "aliases.txt",
        "hgnc_complete_set_2024-10-01.txt",
        "hsa_MTI.csv",
        "miRDB_v6.0_prediction_result.txt.gz",
    ):
        assert f"  - {name} (references." in output
    assert "references.targets.mirtarbase.files.table: {path: /path/to/hsa_MTI.csv}" in output
    assert f"`references.gene_sets.kegg_mini.files.gmt.path` names {workdir / 'absent.gmt'}" in (
        output
    )
    assert "config/examples/local-references.yaml" in output
    assert "snakemake --cores 1 download_references" in output
    assert not (workdir / "results").exists() and not (workdir / "logs").exists()

    # offline=true: the same list without asking any server
    offline = run_snakemake(workdir, "--config", "offline=true", check=False)
    assert offline.returncode != 0
    assert "(offline=true)" in offline.stderr and "Traceback" not in offline.stderr


def _mirdb_coverage(workdir: Path, run_snakemake) -> dict[str, int]:
    run_snakemake(workdir, "resources/references/targets/mirdb/fixture/audit.tsv")
    audit = read(workdir, "resources/references/targets/mirdb/fixture/audit.tsv")
    rows = audit[audit["kind"] == "refseq_coverage"]
    edges = pd.read_parquet(workdir / "resources/references/targets/mirdb/fixture/edges.parquet")
    assert len(edges) > 0
    return {value: int(n) for value, n in zip(rows["value"], rows["rows"], strict=True)}


def test_mirdb_accessions_outside_hgnc_map_through_gene2refseq(
    tmp_path, copy_fixtures, run_snakemake
):
    """The fixture's miRDB accessions are all transcripts HGNC does not list."""
    workdir = copy_fixtures(tmp_path / "run")
    hgnc = read(workdir, "hgnc_complete_set.txt")
    mirdb = pd.read_csv(workdir / "miRDB_v6.0_prediction_result.txt", sep="\t", header=None)
    accessions = set(mirdb.loc[mirdb[0].str.startswith("hsa-"), 1].str.split(".").str[0])
    assert not set(mirdb[1].str.split(".").str[0]) & set(hgnc["refseq_accession"])
    coverage = _mirdb_coverage(workdir, run_snakemake)
    assert coverage == {
        "mapped accessions": len(accessions),
        "ambiguous accessions": 0,
        "dropped accessions": 0,
    }


def test_mirdb_accessions_map_through_mygene(tmp_path, copy_fixtures, run_snakemake):
    """references.refseq.source: mygene asks MyGene.info (here a local server), and caches."""
    workdir = copy_fixtures(tmp_path / "run")
    g2r = pd.read_csv(workdir / "gene2refseq", sep="\t", dtype=str)
    human = g2r[(g2r["#tax_id"] == "9606") & (g2r["RNA_nucleotide_accession.version"] != "-")]
    genes = [
        {
            "_id": gene,
            "entrezgene": gene,
            "symbol": rows["Symbol"].iloc[0],
            "taxid": 9606,
            "refseq": {"rna": sorted(rows["RNA_nucleotide_accession.version"])},
        }
        for gene, rows in human.groupby("GeneID")
    ]
    www = tmp_path / "www"
    (www / "mygene").mkdir(parents=True)
    (www / "mygene" / "genes.json").write_text(json.dumps(genes))
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    with LocalServer(www) as server:
        config["references"]["refseq"] = {
            "version": "fixture",
            "source": "mygene",
            "mygene_url": server.url + "/v3",
        }
        (workdir / "config.yaml").write_text(yaml.safe_dump(config))
        coverage = _mirdb_coverage(workdir, run_snakemake)
    assert coverage["mapped accessions"] > 0 and coverage["dropped accessions"] == 0
    assert list((workdir / "resources/references/refseq/mygene").glob("mygene_*.json"))


def test_signatures_per_set_and_side_by_side(finished_run, run_snakemake):
    from exomir import signatures as sg

    table = read(finished_run, "results/signatures/bone_marrow.tsv")
    assert list(table.columns) == list(sg.TABLE_COLUMNS)
    assert table["kind"].tolist()[:5] == ["score"] * 4 + ["lean"]
    pathways = table.loc[table["kind"] == "pathway", "key"].tolist()
    assert pathways == ["pi3k_akt", "nfkb", "mtor", "hif1", "wnt"]
    assert set(table["direction"]) <= {"high", "up", "down", "pro_tumour", "anti_tumour", "none"}
    drivers = read(finished_run, "results/signatures/bone_marrow.drivers.tsv")
    assert list(drivers.columns) == list(sg.DRIVER_COLUMNS)
    # miR-21 -> PTEN (miRTarBase, strong) pushes PI3K-Akt up: PTEN is its inhibitor
    pten = drivers[
        (drivers["key"] == "pi3k_akt")
        & (drivers["mirna"] == "hsa-miR-21-5p")
        & (drivers["gene"] == "PTEN")
    ].iloc[0]
    assert (pten["effect"], pten["gene_role"], pten["mirtarbase_tier"]) == (
        "up",
        "inhibitor",
        "strong",
    )
    params = yaml.safe_load((finished_run / "results/signatures/bone_marrow.json").read_text())
    assert (params["null"]["n_random"], params["null"]["seed"]) == (500, 7)
    # sheet weights 120, 40, 10 and one empty (1), normalised to mean 1
    assert params["weights"]["hsa-miR-21-5p"] == pytest.approx(120 / (171 / 4))
    assert float(pten["weight"]) == pytest.approx(120 / (171 / 4))
    literature = read(finished_run, "results/signatures/bone_marrow.literature.tsv")
    assert list(literature.columns) == list(sg.LITERATURE_COLUMNS)
    assert set(literature["agreement"]) <= set(sg.AGREEMENTS)
    summary = read(finished_run, "results/signatures/summary.tsv")
    assert summary["set"].tolist() == ["bone_marrow", "adipose", "umbilical_cord"]
    assert list(summary.columns[:8]) == [
        "set",
        "msc_source",
        "k_mirnas",
        "pro_tumour",
        "pro_tumour_z",
        "pro_tumour_p",
        "pro_tumour_fdr",
        "pro_tumour_call",
    ]
    assert "pi3k_akt_call" in summary.columns
    assert {"tumour_lean", "tumour_lean_p", "tumour_lean_fdr", "tumour_lean_call"} <= set(
        summary.columns
    )
    index = (finished_run / "results/report/index.html").read_text()
    assert 'id="signatures"' in index and 'id="methods-signatures"' in index
    page = (finished_run / "results/report/bone_marrow.html").read_text()
    assert 'id="literature"' in page and "hsa-miR-21-5p" in page
    before = {p.name: p.read_bytes() for p in (finished_run / "results/signatures").iterdir()}
    run_snakemake(
        finished_run,
        "--forcerun",
        "signatures",
        "signature_summary",
        "--",
        "results/signatures/summary.tsv",
    )
    after = {p.name: p.read_bytes() for p in (finished_run / "results/signatures").iterdir()}
    assert before == after


def test_snakemake_report_with_captions(finished_run, run_snakemake):
    report = finished_run / "snakemake-report.html"
    run_snakemake(finished_run, "--report", str(report))
    text = report.read_text(errors="replace")
    assert report.stat().st_size > 100_000
    for caption in ("Lead terms of one set", "results/report/index.html", "Summary figure"):
        assert caption in text


def planned_jobs(output: str) -> dict[str, int]:
    """The job counts of a dry run's "Job stats" table."""
    table = output[output.index("Job stats:") :].split("\n\n")[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}


def test_adding_a_set_plans_only_its_jobs(finished_run, run_snakemake):
    """A new set reruns its own jobs and those over all sets; nothing of the other sets."""
    sheet = finished_run / "mirna_sets.tsv"
    text, stat = sheet.read_text(), sheet.stat()
    try:
        with open(sheet, "a") as handle:
            for mirna in ("miR-21", "miR-145-5p", "miR-16"):
                handle.write(f"wharton\twharton_jelly\t{mirna}\t\tadded\n")
        plan = run_snakemake(finished_run, "-n").stdout
    finally:
        sheet.write_text(text)
        os.utime(sheet, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert planned_jobs(plan) == {
        # the new set
        "set_rows": 1,
        "resolve_names": 1,
        "set_targets": 1,
        "enrichment": 1,
        "signatures": 1,
        # its comparisons with the three sets of other MSC sources
        "compare_sets": 3,
        # what spans all sets
        "build_sets": 1,
        "overlap": 1,
        "signature_summary": 1,
        "report": 1,
        "all": 1,
        "total": 13,
    }
    assert "wildcards: set=wharton" in plan
    for other in ("bone_marrow", "adipose", "umbilical_cord"):
        assert f"wildcards: set={other}" not in plan
    assert "Nothing to be done" in run_snakemake(finished_run, "-n").stdout
