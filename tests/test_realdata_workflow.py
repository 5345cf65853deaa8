"""The workflow on the real reference files under $EXOMIR_REFERENCE_DIR.

It runs the default miRNA sets through config/examples/local-references.yaml (local copies of
miRBase 22.1, HGNC, the miRTarBase 2017 library, TargetScan 7.0 pairs and five gene-set
libraries), with fewer random sets than the default to keep the run short, and checks facts that
must hold whatever the release details.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.realdata, pytest.mark.workflow]


@pytest.fixture(scope="module")
def real_run(reference_dir, tmp_path_factory, run_snakemake):
    workdir = tmp_path_factory.mktemp("real")
    (workdir / "config").mkdir()
    shutil.copy(REPO / "config" / "mirna_sets.tsv", workdir / "config" / "mirna_sets.tsv")
    config = yaml.safe_load((REPO / "config" / "examples" / "local-references.yaml").read_text())
    config["enrichment"] = {
        "empirical": {"n_random": 1000, "seed": 1},
        "calibration": {"n_queries": 20, "query_sizes": [10]},
        "compare": {"n_permutations": 200, "pairs": [["bone_marrow", "umbilical_cord"]]},
    }
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    run_snakemake(workdir, env={"EXOMIR_REFERENCE_DIR": str(reference_dir)})
    return workdir


def table(workdir: Path, relative: str) -> pd.DataFrame:
    return pd.read_csv(workdir / relative, sep="\t", keep_default_na=False, dtype=str)


def test_every_default_name_resolves(real_run):
    sheet = table(real_run, "config/mirna_sets.tsv")
    for name in sheet["set"].unique():
        names = table(real_run, f"results/names/{name}.tsv")
        assert set(names["status"]) == {"ok"}, names[names["status"] != "ok"]
    bm = table(real_run, "results/names/bone_marrow.tsv").set_index("input")
    # miR-100 is an arm-less former name: miRBase history maps it to the 5p arm
    assert bm.loc["miR-100", "resolved"] == "hsa-miR-100-5p"


def test_mir21_represses_pten_as_a_validated_edge(real_run):
    targets = table(real_run, "results/targets/msc_unspecified_source.tsv")
    edge = targets[(targets["mirna"] == "hsa-miR-21-5p") & (targets["gene"] == "PTEN")]
    assert len(edge) == 1
    assert "mirtarbase_2017" in edge.iloc[0]["sources"].split(";")


def test_sources_keep_nearly_all_pairs(real_run):
    summary = table(real_run, "results/targets/sources.tsv").set_index("source")
    # 221,276 unique TargetScan 7.0 pairs: names of miRBase 21 and 2016-era symbols map to
    # current names for all but a few percent, and every loss is in the audit.
    assert int(summary.loc["targetscan_7", "edges"]) > 0.97 * 221_276
    assert int(summary.loc["mirtarbase_2017", "mirnas"]) > 2000
    audit = table(real_run, "resources/references/targets/targetscan_7/7.0/audit.tsv")
    lost = audit["rows"].astype(int).sum()
    assert int(summary.loc["targetscan_7", "edges"]) + lost >= 219_000


def test_kegg_pi3k_akt_is_tested_and_flagged(real_run):
    enrichment = table(real_run, "results/enrichment/bone_marrow.tsv")
    row = enrichment[
        (enrichment["library"] == "KEGG_2021_Human")
        & (enrichment["term"] == "PI3K-Akt signaling pathway")
    ]
    assert len(row) == 1
    assert "pi3k_akt" in row.iloc[0]["focus"].split(";")
    assert float(row.iloc[0]["p_ora"]) < 0.05
    flagged = enrichment[enrichment["focus"] != ""]
    focus_keys = {k for value in flagged["focus"] for k in value.split(";")}
    assert focus_keys == {"pi3k_akt", "nfkb", "mtor", "hif1", "wnt"}


def test_report_covers_every_set(real_run):
    index = (real_run / "results/report/index.html").read_text()
    for name in ("bone_marrow", "adipose", "umbilical_cord", "msc_exosome_enriched"):
        assert name in index
        assert (real_run / f"results/report/{name}.html").exists()
    references = table(real_run, "results/references.tsv")
    assert (references["kind"] == "path").all()
