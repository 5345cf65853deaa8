"""Reading the result files: matched to sets by name, errors naming file, line and value."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from exomir import report as rp
from exomir._io import write_tsv
from exomir.errors import InputError
from exomir.report._load import _relative_href
from exomir.signatures import SignatureResult


def test_read_report_data_from_files(data_dir, tmp_path, read_results):
    out = tmp_path / "results" / "report"
    data = read_results(out)
    assert data.sets == ("bone_marrow", "adipose")
    assert data.enrichment["adipose"]["p_ora"].dtype == float
    assert data.enrichment["adipose"]["cluster_lead"].dtype == bool
    assert data.targets["adipose"]["set"].eq("adipose").all()
    assert list(data.focus) == ["pi3k_akt", "nfkb", "mtor", "hif1", "wnt"]
    assert [r["key"] for r in data.references] == ["mirbase", "mirtarbase"]
    assert data.references[0]["size"] == 3821004
    assert data.calibration is not None and data.calibration.pvalues is not None
    assert set(data.comparisons) == {("bone_marrow", "adipose")}
    assert data.source_summary["edges"].iloc[-1] == 3_801_020
    href = data.downloads["adipose"]["targets"]
    assert href == _relative_href(data_dir / "report" / "targets" / "adipose.tsv", out)
    written = rp.write_report(out, data)
    assert [p.name for p in written] == ["index.html", "bone_marrow.html", "adipose.html"]


def test_file_of_unknown_set_is_named(data_dir, tmp_path, read_results):
    stray = tmp_path / "umbilical_cord.tsv"
    shutil.copy(data_dir / "report" / "names" / "adipose.tsv", stray)
    names = [data_dir / "report" / "names" / "bone_marrow.tsv", stray]
    with pytest.raises(InputError, match="name audit file belongs to no reported set") as info:
        read_results(tmp_path, names=names)
    assert str(stray) in str(info.value) and "'umbilical_cord'" in str(info.value)


def test_set_file_with_wrong_suffix_or_twice_is_named(data_dir, tmp_path, read_results):
    root = data_dir / "report" / "names"
    odd = tmp_path / "adipose.csv"
    shutil.copy(root / "adipose.tsv", odd)
    with pytest.raises(InputError, match=r"name audit file name does not end in '\.tsv'") as info:
        read_results(tmp_path, names=[root / "bone_marrow.tsv", odd])
    assert str(odd) in str(info.value)
    twice = tmp_path / "again" / "adipose.tsv"
    twice.parent.mkdir()
    shutil.copy(root / "adipose.tsv", twice)
    names = [root / "bone_marrow.tsv", root / "adipose.tsv", twice]
    with pytest.raises(InputError, match="two name audit files for set 'adipose'"):
        read_results(tmp_path, names=names)


def test_missing_set_file_is_named(data_dir, tmp_path, read_results):
    names = [data_dir / "report" / "names" / "bone_marrow.tsv"]
    with pytest.raises(InputError, match=r"no name audit file for set\(s\) 'adipose'"):
        read_results(tmp_path, names=names)


def test_non_numeric_cell_names_file_line_and_value(tmp_path, read_results, result_copy):
    root = result_copy
    path = root / "report" / "enrichment" / "adipose.tsv"
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    fields = lines[2].split("\t")
    fields[header.index("p_ora")] = "n/a"
    lines[2] = "\t".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_results(tmp_path, root, enrichment=[path.parent / "bone_marrow.tsv", path])
    message = str(info.value)
    assert str(path) in message and "line 3" in message
    assert "'p_ora'" in message and "must be numeric" in message and "'n/a'" in message


def test_probability_out_of_range_is_named(tmp_path, read_results, result_copy):
    root = result_copy
    path = root / "report" / "compare" / "bone_marrow__vs__adipose.tsv"
    frame = pd.read_csv(path, sep="\t")
    frame.loc[4, "p_perm"] = 1.7
    frame.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match=r"'p_perm'.*outside \[0, 1\].*value: 1\.7") as info:
        read_results(tmp_path, root, comparisons=[path])
    assert f"{path}, line 6" in str(info.value)


def test_row_of_another_set_is_named(tmp_path, read_results, result_copy):
    root = result_copy
    a = root / "report" / "targets" / "adipose.tsv"
    b = root / "report" / "targets" / "bone_marrow.tsv"
    b.write_text(a.read_text())  # adipose rows in the bone_marrow file
    with pytest.raises(InputError, match=r"target table of set 'bone_marrow' holds a row") as info:
        read_results(tmp_path, root, targets=[a, b])
    assert str(b) in str(info.value) and "'adipose'" in str(info.value)


def test_truncated_parameters_json_is_named(tmp_path, read_results, result_copy):
    root = result_copy
    path = root / "report" / "enrichment" / "adipose.json"
    path.write_text(path.read_text()[:120])
    params = [root / "report" / "enrichment" / "bone_marrow.json", path]
    with pytest.raises(InputError, match=r"enrichment parameters is not valid JSON") as info:
        read_results(tmp_path, root, enrichment_params=params)
    assert str(path) in str(info.value) and "line" in str(info.value)


def test_bad_cluster_lead_is_named(tmp_path, read_results, result_copy):
    root = result_copy
    path = root / "report" / "enrichment" / "adipose.tsv"
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    frame.loc[0, "cluster_lead"] = "maybe"
    frame.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match=r"'cluster_lead'.*true or false.*'maybe'") as info:
        read_results(tmp_path, root, enrichment=[path.parent / "bone_marrow.tsv", path])
    assert f"{path}, line 2" in str(info.value)


def test_reference_json_must_be_an_object(tmp_path, read_results):
    path = tmp_path / "references.json"
    path.write_text(json.dumps([1, 2]))
    with pytest.raises(InputError, match="must be a JSON object keyed by reference") as info:
        read_results(tmp_path, references=path)
    assert str(path) in str(info.value)
    path.write_text(json.dumps({"mirbase": {"kind": "url", "version": "22", "sha256": "ab"}}))
    data = read_results(tmp_path, references=path)
    assert data.references[0]["key"] == "mirbase" and data.references[0]["version"] == "22"


def test_unknown_calibration_file_is_named(data_dir, tmp_path, read_results):
    path = tmp_path / "qq.tsv"
    path.write_text("method\texpected\tobserved\n")
    with pytest.raises(InputError, match="neither the summary nor the p-value table") as info:
        read_results(tmp_path, calibration=[path])
    assert str(path) in str(info.value)
    only_p = [data_dir / "report" / "calibration" / "pvalues.tsv"]
    with pytest.raises(InputError, match="without the calibration summary"):
        read_results(tmp_path, calibration=only_p)


def test_comparison_file_name_is_checked(data_dir, tmp_path, read_results):
    path = tmp_path / "bm-vs-ad.tsv"
    shutil.copy(data_dir / "report" / "compare" / "bone_marrow__vs__adipose.tsv", path)
    with pytest.raises(InputError, match=r"must be <set_a>__vs__<set_b>\.tsv") as info:
        read_results(tmp_path, comparisons=[path])
    assert str(path) in str(info.value)


def test_focus_file_errors_name_the_file(tmp_path, read_results):
    path = tmp_path / "focus.yaml"
    path.write_text("pi3k_akt:\n  terms: [PI3K-Akt signaling pathway]\n")
    with pytest.raises(InputError, match="has no text label") as info:
        read_results(tmp_path, focus=path)
    assert str(path) in str(info.value)


def test_overlap_files_are_read_and_named(tmp_path, read_results, overlaps_of):
    data = read_results(tmp_path / "results" / "report")
    overlaps = {
        "mirnas": tmp_path / "compare" / "overlap_mirnas.tsv",
        "targets": tmp_path / "compare" / "overlap_targets.tsv",
    }
    tables = overlaps_of({"sets": list(data.sets), "names": data.names, "targets": data.targets})
    for kind, path in overlaps.items():
        write_tsv(tables[kind], path)
    read = read_results(tmp_path / "results" / "report", overlaps=list(overlaps.values()))
    assert read.overlaps is not None
    assert read.overlaps["targets"]["size"].sum() == tables["targets"]["size"].sum()
    bad = tmp_path / "compare" / "overlap_sets.tsv"
    bad.write_text("sets\tn_sets\tsize\tmembers\n")
    with pytest.raises(InputError, match=r"overlap_sets.tsv: overlap file is neither"):
        read_results(tmp_path / "out", overlaps=[bad])
    with pytest.raises(InputError, match=r"overlap_mirnas.tsv: two overlap tables of miRNAs"):
        read_results(tmp_path / "out", overlaps=[overlaps["mirnas"], overlaps["mirnas"]])
    broken = tables["mirnas"].copy()
    broken.loc[0, "sets"] = "bone_marrow;umbilical_cord"
    write_tsv(broken, overlaps["mirnas"])
    with pytest.raises(InputError, match=r"overlap_mirnas.tsv, line 2: the overlap table"):
        read_results(tmp_path / "out", overlaps=[overlaps["mirnas"]])


def test_signature_files_are_read_matched_and_linked(tmp_path, read_results, signature_outputs):
    outputs = signature_outputs(sets=("bone_marrow", "adipose"))
    folder = tmp_path / "results" / "signatures"
    files = []
    for s, found in outputs.items():
        paths = [folder / f"{s}{x}" for x in (".tsv", ".drivers.tsv", ".json", ".literature.tsv")]
        SignatureResult(
            found.table, found.drivers, found.params, literature=found.literature
        ).write(*paths)
        files += paths
    summary = folder / "summary.tsv"
    summary.write_text("set\n", encoding="utf-8")
    out = tmp_path / "results" / "report"
    data = read_results(out, signatures=files, signature_summary=summary)
    assert data.signatures["adipose"].params["k"] == 2
    assert data.signatures["adipose"].drivers["contribution"].dtype == float
    assert data.downloads["adipose"]["signature_drivers"] == "../signatures/adipose.drivers.tsv"
    assert data.downloads["bone_marrow"]["signature_summary"] == "../signatures/summary.tsv"
    html = rp.render_pages(data)["adipose.html"]
    assert 'href="../signatures/adipose.drivers.tsv"' in html
    stray = folder / "umbilical_cord.drivers.tsv"
    stray.write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError, match="signature file belongs to no reported set") as error:
        read_results(out, signatures=[*files, stray])
    assert str(stray) in str(error.value)
    with pytest.raises(InputError, match="lack the call table"):
        read_results(out, signatures=[p for p in files if p.name != "adipose.tsv"])
