"""workflow/scripts/report.py: the rule's inputs read by name, the pages it declares checked."""

from __future__ import annotations

import pytest

from exomir._io import write_tsv
from exomir.errors import ConfigError

SETS = ["bone_marrow", "adipose"]


def _inputs(root, **extra) -> dict:
    """The report rule's per-set inputs for the result files under ``root``."""
    return {
        "names": [str(root / "names" / f"{s}.tsv") for s in SETS],
        "targets": [str(root / "targets" / f"{s}.tsv") for s in SETS],
        "enrichment": [str(root / "enrichment" / f"{s}.tsv") for s in SETS],
        "enrichment_params": [str(root / "enrichment" / f"{s}.json") for s in SETS],
        **extra,
    }


def _run(run_script, tmp_path, input: dict, *, extra_pages=(), sources=None, **outputs):
    out = tmp_path / "results" / "report"
    pages = [str(out / f"{s}.html") for s in SETS] + [str(out / p) for p in extra_pages]
    run_script(
        "report.py",
        input=input,
        output={"index": str(out / "index.html"), "pages": pages, **outputs},
        params={"sets": SETS, "sources": sources or {}, "config": {"enrichment": {"fdr": 0.05}}},
        log=tmp_path / "logs" / "report.log",
    )
    return out


@pytest.fixture
def full_input(data_dir) -> dict:
    """Every input of the rule, optional ones included, from tests/data/report."""
    root = data_dir / "report"
    return _inputs(
        root,
        sources=str(root / "sources.tsv"),
        references=str(root / "references.tsv"),
        focus=str(root / "focus_pathways.yaml"),
        calibration=[
            str(root / "calibration" / "summary.tsv"),
            str(root / "calibration" / "pvalues.tsv"),
        ],
        compare=[str(root / "compare" / "bone_marrow__vs__adipose.tsv")],
    )


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_workflow_script_renders_the_report(run_script, full_input, tmp_path):
    sources = {s: s for s in SETS}
    out = _run(run_script, tmp_path, full_input, sources=sources)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2023-11-14 22:13 UTC" in index
    assert "bone marrow MSC" in index and 'id="sources"' in index
    assert (out / "adipose.html").exists()
    assert "wrote 3 report pages" in (tmp_path / "logs" / "report.log").read_text()


def test_workflow_script_refuses_pages_of_no_set(run_script, full_input, tmp_path):
    with pytest.raises(ConfigError, match="declares outputs that the report did not write") as info:
        _run(run_script, tmp_path, full_input, extra_pages=["wharton_jelly.html"])
    assert "wharton_jelly.html" in str(info.value)


def test_workflow_script_passes_the_overlap_tables(
    run_script, data_dir, read_results, overlaps_of, tmp_path
):
    data = read_results(tmp_path / "x")
    tables = overlaps_of({"sets": SETS, "names": data.names, "targets": data.targets})
    overlaps = [str(tmp_path / "compare" / f"overlap_{kind}.tsv") for kind in tables]
    for path, table in zip(overlaps, tables.values(), strict=True):
        write_tsv(table, path)
    out = _run(run_script, tmp_path, _inputs(data_dir / "report", overlaps=overlaps))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="upset-mirnas-' in index and 'id="upset-targets-' in index


def test_workflow_script_bundles_the_linked_tables(run_script, full_input, tmp_path):
    out = tmp_path / "results" / "report"
    significant = [str(out / "significant" / f"{s}.tsv") for s in SETS]
    _run(
        run_script,
        tmp_path,
        full_input,
        tables=str(out / "tables"),
        significant=significant,
        significant_comparisons=str(out / "significant_comparisons.tsv"),
    )
    page = (out / "bone_marrow.html").read_text(encoding="utf-8")
    # every download link stays inside the report folder, and its file is there
    links = [h for h in _hrefs(page) if h.endswith(".tsv")]
    assert links and all(h.startswith("tables/") for h in links)
    for href in links:
        assert (out / href).read_bytes() == (full_input_path(full_input, href)).read_bytes()
    assert "../" not in "".join(links)
    lead = (out / "significant" / "bone_marrow.tsv").read_text(encoding="utf-8")
    assert lead.startswith("set\tlibrary\tterm_id") and "significant" in lead.split("\n")[0]
    pairs = (out / "significant_comparisons.tsv").read_text(encoding="utf-8")
    assert pairs.startswith("set_a\tset_b\tsignificant")


def _hrefs(html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"#]+)"', html)


def full_input_path(full_input: dict, href: str):
    """The source file of a bundled link ``tables/<folder>/<file>``."""
    from pathlib import Path

    _, folder, name = href.split("/")
    sources = [Path(p) for v in full_input.values() for p in ([v] if isinstance(v, str) else v)]
    return next(p for p in sources if p.parent.name == folder and p.name == name)
