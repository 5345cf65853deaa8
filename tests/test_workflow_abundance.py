"""End to end with abundance input: sets built from a count table, weights, prerank, overlaps.

The run uses the references of tests/data/workflow and the count table and sample sheet of
tests/data/abundance (seven samples of three MSC sources, 100,000 reads each, so that a
miRNA's CPM is ten times its count).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from exomir._io import read_tsv
from exomir.abundance import read_counts, read_samples, sets_from_counts
from exomir.sets import read_mirna_sets
from exomir.tables import PRERANK

REPO = Path(__file__).resolve().parent.parent
ABUNDANCE = REPO / "tests" / "data" / "abundance"

pytestmark = pytest.mark.workflow


def read(workdir: Path, relative: str) -> pd.DataFrame:
    return read_tsv(workdir / relative, strings=True)


@pytest.fixture(scope="session")
def abundance_workdir(copy_fixtures):
    """``abundance_workdir(dest, **abundance)``: the workflow fixtures plus the count table,
    with abundance input switched on."""

    def make(dest: Path, **abundance) -> Path:
        workdir = copy_fixtures(dest)
        shutil.copy(ABUNDANCE / "counts.tsv", workdir / "counts.tsv")
        shutil.copy(ABUNDANCE / "samples.tsv", workdir / "samples.tsv")
        config = yaml.safe_load((workdir / "config.yaml").read_text())
        config["abundance"] = {"counts": "counts.tsv", "samples": "samples.tsv", **abundance}
        config["enrichment"]["calibration"] = {"n_queries": 0}
        config["enrichment"]["compare"]["pairs"] = [["bone_marrow", "umbilical_cord"]]
        config["enrichment"]["prerank"] = {"run": True, "permutations": 100, "seed": 3}
        (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        return workdir

    return make


@pytest.fixture(scope="module")
def abundance_run(tmp_path_factory, abundance_workdir, run_snakemake):
    workdir = abundance_workdir(tmp_path_factory.mktemp("abundance"))
    run_snakemake(workdir)
    return workdir


def test_the_sheet_is_built_from_the_counts(abundance_run):
    sheet = read_mirna_sets(abundance_run / "results/sets/mirna_sets.tsv")
    counts = read_counts(ABUNDANCE / "counts.tsv")
    expected = sets_from_counts(counts, read_samples(ABUNDANCE / "samples.tsv", counts))
    pd.testing.assert_frame_equal(sheet, expected, check_dtype=False)
    log = (abundance_run / "logs/sets/build_sets.log").read_text()
    assert "by rule cpm (min_cpm 100, min_fraction 0.5)" in log
    # the name audit's line numbers are those of the built sheet
    names = read(abundance_run, "results/names/umbilical_cord.tsv").set_index("input")
    line = int(names.loc["miR-451", "line"])
    built = (abundance_run / "results/sets/mirna_sets.tsv").read_text().splitlines()
    assert built[line - 1].split("\t")[:3] == ["umbilical_cord", "umbilical_cord", "miR-451"]
    assert names.loc["miR-451", "resolved"] == "hsa-miR-451a"


def test_weights_reach_the_target_tables(abundance_run):
    bm = read(abundance_run, "results/targets/bone_marrow.tsv")
    pten = bm[(bm["mirna"] == "hsa-miR-21-5p") & (bm["gene"] == "PTEN")].iloc[0]
    assert float(pten["weight"]) == 250000.0  # CPM 300,000, 250,000 and 200,000
    adipose = read(abundance_run, "results/targets/adipose.tsv")
    mir146b = adipose[adipose["mirna"] == "hsa-miR-146b-5p"]
    assert not mir146b.empty
    assert set(mir146b["input_name"]) == {"miR-146b"}
    assert set(mir146b["weight"].astype(float)) == {85000.0}  # CPM 80,000 and 90,000
    # miR-410 was detected in one bone-marrow sample of three: not in the set
    assert "hsa-miR-410-3p" not in set(bm["mirna"])


def test_prerank_tables(abundance_run):
    table = read(abundance_run, "results/prerank/bone_marrow.tsv")
    assert list(table.columns) == list(PRERANK.columns)
    assert len(table) > 0 and set(table["library"]) <= {"kegg_mini", "hallmark_mini"}
    scores = read(abundance_run, "results/prerank/bone_marrow.scores.tsv")
    assert list(scores.columns) == ["set", "gene", "score", "n_mirnas", "mirnas"]
    assert "PTEN" in set(scores["gene"])
    values = scores["score"].astype(float)
    assert (values > 0).all() and values.is_monotonic_decreasing


def test_overlap_tables_and_report_section(abundance_run):
    mirnas = read(abundance_run, "results/compare/overlap_mirnas.tsv")
    assert list(mirnas.columns) == ["sets", "n_sets", "size", "members"]
    where = {m: row["sets"] for row in mirnas.to_dict("records") for m in row["members"].split(";")}
    assert where["hsa-miR-146b-5p"] == "adipose"
    assert where["hsa-let-7a-5p"] == "bone_marrow;adipose;umbilical_cord"
    assert where["hsa-miR-19a-3p"] == "bone_marrow"
    targets = read(abundance_run, "results/compare/overlap_targets.tsv")
    assert targets["size"].astype(int).sum() == len(
        set().union(
            *(
                set(read(abundance_run, f"results/targets/{s}.tsv")["gene"])
                for s in ("bone_marrow", "adipose", "umbilical_cord")
            )
        )
    )
    index = (abundance_run / "results/report/index.html").read_text()
    assert "Shared and unique miRNAs and targets" in index
    assert 'id="upset-mirnas-' in index and 'id="upset-targets-' in index


def test_bad_count_table_stops_before_any_job(tmp_path, abundance_workdir, run_snakemake):
    workdir = abundance_workdir(tmp_path / "run")
    with open(workdir / "counts.tsv", "a") as table:
        table.write("hsa-miR-155-5p\t1\t2\tthree\t4\t5\t6\t7\n")
    result = run_snakemake(workdir, "-n", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "counts.tsv, line 17: the count of sample 'BM_3' (column 4) is not a number" in output
    assert not (workdir / "results").exists()


def test_empty_set_stops_before_any_job_naming_the_threshold(
    tmp_path, abundance_workdir, run_snakemake
):
    workdir = abundance_workdir(tmp_path / "run", min_cpm=800000)
    result = run_snakemake(workdir, "-n", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "no miRNA of set 'bone_marrow' (msc_source 'bone_marrow') has CPM >= 800000" in output


def test_example_configuration_plans_a_run(tmp_path, run_snakemake):
    """config/examples/abundance.yaml merged into config/config.yaml gives a valid plan."""
    workdir = tmp_path / "example"
    shutil.copytree(REPO / "config", workdir / "config")
    # A dry run with the example configuration merged into the default one.
    result = run_snakemake(
        workdir,
        "-n",
        configfiles=("config/config.yaml", "config/examples/abundance.yaml"),
        cores=1,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    plan = result.stdout
    for expected in ("build_sets", "prerank", "overlap", "results/prerank/adipose.tsv"):
        assert expected in plan
