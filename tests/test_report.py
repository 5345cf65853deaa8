"""Tests of the HTML report (exomir.report, exomir.plots, workflow/scripts/report.py).

The inputs are synthetic and seeded (:func:`make_inputs`): name audits, target edges with
per-source evidence, enrichment tables with ORA and empirical columns, calibration and
comparison tables in the result layouts of docs/data-model.md. Gene and term names look like the
real ones so that the rendered pages read like a real run; no real data is involved. The files
under tests/data/report/ were written from the same generator and exercise the file readers.
"""

from __future__ import annotations

import json
import re
import runpy
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom

from exomir import report as rp
from exomir import tables
from exomir.errors import ConfigError, InputError
from exomir.report._load import _relative_href
from exomir.report._plots import HeatmapCell, QQSeries, focus_heatmap_svg, qq_plot_svg

SETS = ("bone_marrow", "adipose", "umbilical_cord")

FOCUS = {
    "pi3k_akt": "PTEN / PI3K-Akt",
    "nfkb": "NF-κB",
    "mtor": "mTOR",
    "hif1": "HIF-1",
    "wnt": "Wnt / β-catenin",
}

MIRNAS = (
    ("miR-21", "hsa-miR-21-5p", "MIMAT0000076", "alias"),
    ("miR-146b", "hsa-miR-146b-5p", "MIMAT0002809", "alias"),
    ("hsa-miR-125b-5p", "hsa-miR-125b-5p", "MIMAT0000423", "exact"),
    ("miR-100", "hsa-miR-100-5p", "MIMAT0000098", "alias"),
    ("hsa-miR-16-5p", "hsa-miR-16-5p", "MIMAT0000069", "exact"),
    ("miR-145-5p", "hsa-miR-145-5p", "MIMAT0000437", "exact"),
    ("miR-223", "hsa-miR-223-3p", "MIMAT0000280", "alias"),
    ("hsa-miR-23b-3p", "hsa-miR-23b-3p", "MIMAT0000418", "exact"),
    ("miR-221", "hsa-miR-221-3p", "MIMAT0000278", "alias"),
    ("hsa-miR-31-5p", "hsa-miR-31-5p", "MIMAT0000089", "exact"),
    ("miR-199a-3p", "hsa-miR-199a-3p", "MIMAT0000232", "exact"),
    ("miR-410", "hsa-miR-410-3p", "MIMAT0002171", "alias"),
)

GENES = (
    "PTEN PDCD4 TPM1 RECK SMAD7 TRAF6 IRAK1 NFKB1 RELA MTOR AKT1 PIK3CA PIK3R1 HIF1A VEGFA "
    "CTNNB1 WNT5A LEF1 TCF7 FZD4 GSK3B APC BCL2 MCL1 KRAS NRAS HMGA2 LIN28B CDKN1B CDKN1C "
    "ESR1 IGF1R IRS1 FOXO3 SOCS1 STAT3 TGFBR2 SMAD4 ZEB1 ZEB2 SNAI1 VIM CDH1 MYC CCND1 CDK6 "
    "E2F3 RB1 TP53 BAX CASP3 RHEB RPTOR TSC1 TSC2 DDIT4 EGLN1 EPAS1 ARNT NOTCH1 DLL4 JAG1 "
    "SIRT1 BMPR2 ROCK1 RAC1 CDC42 ITGB3 FN1 COL1A1 MMP2 MMP9 TIMP3 SERPINE1 IL6 CXCL12 "
    "TLR4 MYD88 TNFAIP3 IKBKB CHUK NFKBIA"
).split() + [f"ZNF{n}" for n in range(100, 260)]

LIBRARIES = {
    "KEGG_2021_Human": (
        ("PI3K-Akt signaling pathway", "pi3k_akt"),
        ("NF-kappa B signaling pathway", "nfkb"),
        ("mTOR signaling pathway", "mtor"),
        ("HIF-1 signaling pathway", "hif1"),
        ("Wnt signaling pathway", "wnt"),
        ("Pathways in cancer", ""),
        ("MicroRNAs in cancer", ""),
        ("FoxO signaling pathway", ""),
        ("Apoptosis", ""),
        ("Cell cycle", ""),
        ("p53 signaling pathway", ""),
        ("TGF-beta signaling pathway", ""),
        ("MAPK signaling pathway", ""),
        ("Ras signaling pathway", ""),
        ("Focal adhesion", ""),
        ("Hippo signaling pathway", ""),
    ),
    "GO_Biological_Process_2023": (
        ("Regulation Of Protein Kinase B Signaling (GO:0051896)", "pi3k_akt"),
        ("Canonical NF-kappaB Signal Transduction (GO:0007249)", "nfkb"),
        ("TOR Signaling (GO:0031929)", "mtor"),
        ("Cellular Response To Hypoxia (GO:0071456)", "hif1"),
        ("Canonical Wnt Signaling Pathway (GO:0060070)", "wnt"),
        ("Negative Regulation Of Apoptotic Process (GO:0043066)", ""),
        ("Positive Regulation Of Cell Population Proliferation (GO:0008284)", ""),
        ("Regulation Of Cell Migration (GO:0030334)", ""),
        ("Angiogenesis (GO:0001525)", ""),
        ("Positive Regulation Of Transcription By RNA Polymerase II (GO:0045944)", ""),
        ("Regulation Of Epithelial To Mesenchymal Transition (GO:0010717)", ""),
    ),
    "MSigDB_Hallmark_2020": (
        ("PI3K/AKT/mTOR  Signaling", "pi3k_akt;mtor"),
        ("TNF-alpha Signaling via NF-kB", "nfkb"),
        ("Hypoxia", "hif1"),
        ("Epithelial Mesenchymal Transition", ""),
        ("Apoptosis", ""),
        ("mTORC1 Signaling", "mtor"),
        ("Inflammatory Response", ""),
    ),
}


def _bh(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p, kind="stable")
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(p)
    out[order] = np.minimum(ranked, 1.0)
    return out


def _names(set_name: str, rng: np.random.Generator, n_mirnas: int) -> pd.DataFrame:
    picks = rng.choice(len(MIRNAS), size=n_mirnas, replace=False)
    rows = []
    for index in sorted(picks):
        given, name, acc, rule = MIRNAS[index]
        rows.append([set_name, given, name, acc, rule, "ok", "", "", ""])
    rows.append(
        [
            set_name,
            "let-7",
            "",
            "",
            "family",
            "ambiguous",
            "hsa-let-7a-5p;hsa-let-7b-5p;hsa-let-7c-5p;hsa-let-7d-5p;hsa-let-7e-5p;"
            "hsa-let-7f-5p;hsa-let-7g-5p;hsa-let-7i-5p",
            "",
            "family name: choose a member",
        ]
    )
    rows.append([set_name, "miR-21-5q", "", "", "", "unknown", "", "hsa-miR-21-5p", ""])
    rows.append(
        [
            set_name,
            "hsa-mir-155",
            "hsa-miR-155-5p;hsa-miR-155-3p",
            "MIMAT0000646;MIMAT0004658",
            "precursor",
            "ok",
            "",
            "",
            "",
        ]
    )
    return pd.DataFrame(
        rows,
        columns=[
            "set",
            "input",
            "resolved",
            "accession",
            "rule",
            "status",
            "candidates",
            "suggestions",
            "note",
        ],
    )


def _targets(
    set_name: str, names: pd.DataFrame, rng: np.random.Generator, per_mirna: int
) -> pd.DataFrame:
    rows = []
    resolved = []
    for record in names[names["status"] == "ok"].itertuples():
        for mirna in record.resolved.split(";"):
            resolved.append((mirna, record.input))
    # the last resolved miRNA (hsa-miR-155-3p) gets no targets: the report must say so
    for mirna, given in resolved[:-1]:
        genes = rng.choice(len(GENES), size=per_mirna, replace=False)
        for gene_index in sorted(genes):
            gene = GENES[gene_index]
            has_mtb = rng.random() < 0.35
            has_ts = rng.random() < 0.7
            has_db = rng.random() < 0.5
            if not (has_mtb or has_ts or has_db):
                has_ts = True
            sources = [
                s
                for s, flag in (("mirdb", has_db), ("mirtarbase", has_mtb), ("targetscan", has_ts))
                if flag
            ]
            tier = str(rng.choice(["strong", "weak", "nonfunctional"], p=[0.3, 0.6, 0.1]))
            conserved = bool(rng.random() < 0.6)
            score = int(rng.integers(50, 100))
            # the target policy's confidence: 1 - prod(1 - c) over the supporting sources
            parts = []
            if has_mtb:
                parts.append({"strong": 0.9, "weak": 0.6, "nonfunctional": 0.0}[tier])
            if has_ts:
                parts.append(0.5 if conserved else 0.3)
            if has_db:
                parts.append((score - 50) / 100)
            confidence = round(1.0 - float(np.prod([1.0 - c for c in parts])), 6)
            rows.append(
                {
                    "set": set_name,
                    "mirna": mirna,
                    "input_name": given,
                    "gene": gene,
                    "n_sources": len(sources),
                    "sources": ";".join(sources),
                    "mirtarbase_tier": tier if has_mtb else "",
                    "mirtarbase_pmids": int(rng.integers(1, 12)) if has_mtb else "",
                    "mirtarbase_experiments": (
                        ";".join(
                            sorted(
                                rng.choice(
                                    [
                                        "Luciferase reporter assay",
                                        "Western blot",
                                        "qRT-PCR",
                                        "Microarray",
                                        "CLIP-seq",
                                    ],
                                    size=int(rng.integers(1, 5)),
                                    replace=False,
                                )
                            )
                        )
                        if has_mtb
                        else ""
                    ),
                    "targetscan_context_score": (
                        round(float(-rng.gamma(2.0, 0.15)), 3) if has_ts else ""
                    ),
                    "targetscan_conserved": ("true" if conserved else "false") if has_ts else "",
                    "mirdb_score": score if has_db else "",
                    "libraries": "",
                    "weight": "",
                    "confidence": confidence,
                }
            )
    frame = pd.DataFrame(rows)
    return frame.sort_values(["mirna", "gene"], kind="stable").reset_index(drop=True)


def _enrichment(set_name: str, targets: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    target_genes = sorted(set(targets["gene"]))
    background = 12000
    n_targets = len(target_genes) * 9
    rows = []
    k_mirnas = targets["mirna"].nunique()
    for library, terms in LIBRARIES.items():
        for index, (term, focus) in enumerate(terms):
            term_id = term
            if "(GO:" in term:
                term_id = term[term.index("(GO:") + 1 : -1]
            term_size = int(rng.integers(40, 420))
            expected = n_targets * term_size / background
            boost = rng.choice([1.0, 1.3, 1.8], p=[0.5, 0.3, 0.2])
            overlap = int(min(term_size, max(0, rng.poisson(expected * boost))))
            p_ora = float(hypergeom.sf(overlap - 1, background, term_size, n_targets))
            null_mean = expected * float(rng.uniform(1.05, 1.5))
            null_sd = max(1.0, np.sqrt(null_mean) * 1.2)
            z = (overlap - null_mean) / null_sd
            p_emp = float(np.clip(np.exp(-(max(z, 0) ** 2) / 2) * rng.uniform(0.3, 1.0), 1e-4, 1))
            genes = sorted(
                rng.choice(target_genes, size=min(overlap, len(target_genes)), replace=False)
            )
            rows.append(
                {
                    "set": set_name,
                    "library": library,
                    "term_id": term_id,
                    "term": term,
                    "focus": focus,
                    "term_size": term_size,
                    "overlap": overlap,
                    "n_targets": n_targets,
                    "background_size": background,
                    "expected": expected,
                    "fold_enrichment": overlap / expected if expected else np.nan,
                    "p_ora": p_ora,
                    "p_emp": round(p_emp, 4),
                    "null_mean": null_mean,
                    "null_sd": null_sd,
                    "n_null": 10000 if p_emp < 0.05 else int(rng.integers(200, 10000)),
                    "k_mirnas": k_mirnas,
                    "overlap_genes": ";".join(genes),
                    "_index": index,
                }
            )
    frame = pd.DataFrame(rows)
    frame["fdr_ora"] = _bh(frame["p_ora"].to_numpy())
    frame["fdr_emp"] = _bh(frame["p_emp"].to_numpy())
    frame = frame.sort_values(["p_emp", "p_ora", "library", "term_id"], kind="stable")
    # greedy grouping of significant terms by Jaccard of overlap genes, as the engine does
    frame["cluster"] = ""
    frame["cluster_lead"] = False
    sig = frame.index[frame["fdr_emp"] < 0.05].tolist()
    gene_sets = {i: set(frame.at[i, "overlap_genes"].split(";")) for i in sig}
    cluster = 0
    assigned: set[int] = set()
    for lead in sig:
        if lead in assigned:
            continue
        cluster += 1
        frame.at[lead, "cluster"] = str(cluster)
        frame.at[lead, "cluster_lead"] = True
        assigned.add(lead)
        for other in sig:
            if other in assigned:
                continue
            a, b = gene_sets[lead], gene_sets[other]
            if len(a & b) / max(1, len(a | b)) >= 0.3:
                frame.at[other, "cluster"] = str(cluster)
                assigned.add(other)
    columns = [
        "set", "library", "term_id", "term", "focus", "term_size", "overlap", "n_targets",
        "background_size", "expected", "fold_enrichment", "p_ora", "fdr_ora", "p_emp",
        "fdr_emp", "null_mean", "null_sd", "n_null", "k_mirnas", "cluster", "cluster_lead",
        "overlap_genes",
    ]  # fmt: skip
    return frame[columns].reset_index(drop=True)


def make_inputs(seed: int = 7, *, sets=SETS, per_mirna: int = 24, n_mirnas: int = 7) -> dict:
    """Keyword arguments for :func:`exomir.report.render_report`, built from ``seed``."""
    rng = np.random.default_rng(seed)
    names, targets, enrichment, params = {}, {}, {}, {}
    for set_name in sets:
        names[set_name] = _names(set_name, rng, n_mirnas)
        targets[set_name] = _targets(set_name, names[set_name], rng, per_mirna)
        enrichment[set_name] = _enrichment(set_name, targets[set_name], rng)
        mirnas = sorted(set(targets[set_name]["mirna"]))
        params[set_name] = {
            "exomir_version": "0.1.0",
            "background": {
                "kind": "targetable",
                "size": 12000,
                "per_library": {lib: 12000 - 900 * i for i, lib in enumerate(LIBRARIES)},
            },
            "universe": {"kind": "all", "size": 386, "file": None, "dropped_without_targets": []},
            "terms": {"min_size": 10, "max_size": 500, "libraries": list(LIBRARIES)},
            "null": {
                "n_random": 10000,
                "seed": 42,
                "generator": "numpy PCG64",
                "stratified_bins": 0,
                "sequential_stop": 50,
            },
            "set": set_name,
            "k": len(mirnas),
            "mirnas": mirnas,
            "fdr": 0.05,
            "jaccard": 0.5,
            "cluster_method": "emp",
        }
    q = np.linspace(0.5 / 400, 1 - 0.5 / 400, 400)
    pvalues = pd.DataFrame(
        {
            "method": ["ora"] * 400 + ["empirical"] * 400,
            "expected": np.concatenate([q, q]),
            "observed": np.concatenate([q**2.2, np.clip(q * 1.05, 0, 1)]),
        }
    )
    summary = pd.DataFrame(
        {
            "method": ["ora", "empirical"],
            "n_queries": [200, 200],
            "query_size": [8, 8],
            "n_terms": [34, 34],
            "n_random": [10000, 10000],
            "fraction_any_fdr05": [0.645, 0.055],
            "ci_low": [0.574, 0.028],
            "ci_high": [0.712, 0.096],
            "mean_terms_fdr05": [3.21, 0.06],
            "fraction_p05": [0.213, 0.049],
        }
    )
    comparisons = {}
    for a, b in ((sets[0], sets[1]), (sets[0], sets[-1])):
        joined = enrichment[a].merge(
            enrichment[b], on=["library", "term_id"], how="inner", suffixes=("_a", "_b")
        )
        frac_a = joined["overlap_a"] / joined["n_targets_a"]
        frac_b = joined["overlap_b"] / joined["n_targets_b"]
        p = np.clip(
            np.exp(-np.abs(frac_a - frac_b) * 30) * rng.uniform(0.2, 1, len(joined)), 1e-4, 1
        )
        comparisons[(a, b)] = pd.DataFrame(
            {
                "set_a": a,
                "set_b": b,
                "library": joined["library"],
                "term_id": joined["term_id"],
                "term": joined["term_a"],
                "focus": joined["focus_a"],
                "term_size": joined["term_size_a"],
                "overlap_a": joined["overlap_a"],
                "n_targets_a": joined["n_targets_a"],
                "fraction_a": frac_a,
                "overlap_b": joined["overlap_b"],
                "n_targets_b": joined["n_targets_b"],
                "fraction_b": frac_b,
                "difference": frac_a - frac_b,
                "p_perm": p,
                "fdr": _bh(np.asarray(p)),
                "n_perm": 1000,
            }
        )
    references = pd.DataFrame(
        [
            {
                "key": "mirbase",
                "section": "mirbase",
                "name": "mirbase",
                "role": "mature",
                "version": "22.1",
                "kind": "url",
                "location": "https://mirbase.example/ftp/22.1/mature.fa.gz",
                "file": "resources/downloads/mirbase/22.1/mature.fa.gz",
                "size": 3821004,
                "sha256": "3f1c2a9d0e4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f",
                "checksum": "configured",
                "retrieved_at": "2025-03-02T10:14:00Z",
            },
            {
                "key": "mirtarbase",
                "section": "targets",
                "name": "mirtarbase",
                "role": "table",
                "version": "9.0",
                "kind": "path",
                "location": "/data/shared/mirtarbase/hsa_MTI.csv",
                "file": "/data/shared/mirtarbase/hsa_MTI.csv",
                "size": 95102334,
                "sha256": "a0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddeeff",
                "checksum": "local copy",
                "retrieved_at": "",
            },
        ]
    )
    source_summary = pd.DataFrame(
        {
            "source": ["mirtarbase", "targetscan", "mirdb", "combined"],
            "format": ["mirtarbase", "targetscan", "mirdb", ""],
            "edges": [502_113, 221_276, 3_375_741, 3_801_020],
            "mirnas": [2_599, 386, 2_656, 2_731],
            "genes": [15_064, 12_411, 29_092, 29_640],
            "edges_kept": [380_100, 221_276, 1_266_005, 1_790_031],
            "mirnas_kept": [2_580, 386, 2_601, 2_709],
            "genes_kept": [14_870, 12_411, 23_340, 24_981],
            "edges_combined": [380_100, 221_276, 1_266_005, 1_790_031],
        }
    )
    config = {
        "species": "hsa",
        "sets": "config/mirna_sets.tsv",
        "targets": {"sources": ["mirtarbase", "targetscan", "mirdb"], "policy": "any"},
        "enrichment": {
            "libraries": list(LIBRARIES),
            "background": "targetable",
            "fdr": 0.05,
            "null": {"n_random": 10000, "seed": 42},
        },
    }
    return {
        "sets": list(sets),
        "names": names,
        "targets": targets,
        "enrichment": enrichment,
        "enrichment_params": params,
        "references": references,
        "config": config,
        "focus": dict(FOCUS),
        "calibration": {"summary": summary, "pvalues": pvalues},
        "comparisons": comparisons,
        "msc_sources": {name: name for name in sets},
        "source_summary": source_summary,
        "generated": "2025-03-02 10:30 UTC",
    }


# --------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture(scope="module")
def inputs() -> dict:
    return make_inputs()


@pytest.fixture(scope="module")
def pages(inputs, tmp_path_factory) -> dict[str, str]:
    """The rendered report of :func:`make_inputs`, file name -> HTML text."""
    out = tmp_path_factory.mktemp("report") / "results" / "report"
    downloads = {
        s: {
            "targets": out.parent / "targets" / f"{s}.tsv",
            "enrichment": out.parent / "enrichment" / f"{s}.tsv",
            "names": out.parent / "names" / f"{s}.tsv",
        }
        for s in inputs["sets"]
    }
    written = rp.render_report(out, downloads=downloads, **inputs)
    return {p.name: p.read_text(encoding="utf-8") for p in written}


class _Tags(HTMLParser):
    """Collects every start tag with its attributes, and the text of <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def _with(inputs: dict, **changes) -> dict:
    """A shallow copy of ``inputs`` with some entries replaced."""
    return {**inputs, **changes}


# --------------------------------------------------------------------------------------------
# Pages: structure, self-containment, escaping, determinism


def test_render_writes_index_then_one_page_per_set(inputs, tmp_path):
    written = rp.render_report(tmp_path / "report", **inputs)
    assert [p.name for p in written] == ["index.html", *(f"{s}.html" for s in inputs["sets"])]
    assert all(p.stat().st_size > 10_000 for p in written)
    assert not list((tmp_path / "report").glob(".*.tmp"))  # atomic writes leave no temp files


def test_pages_are_self_contained(pages):
    for name, html in pages.items():
        parsed = _parse(html)
        for tag, attrs in parsed.tags:
            assert tag not in ("link", "img", "iframe", "object", "embed"), (name, tag)
            src = attrs.get("src")
            assert src is None, (name, tag, src)  # no external (or any) script/image sources
            href = attrs.get("href") or ""
            if tag == "a" and re.match(r"(?i)https?:|//", href):
                # only literature links in the methods text may leave the page
                assert href.startswith("https://doi.org/"), (name, href)
            assert not href.startswith(("http://", "https://")) or tag == "a", (name, tag, href)
        assert "@import" not in html and "url(http" not in html, name
        assert "<svg" in html or name != "index.html"


def test_every_page_links_every_set_and_the_overview(pages, inputs):
    for name, html in pages.items():
        hrefs = [a.get("href") for t, a in _parse(html).tags if t == "a"]
        assert "index.html" in hrefs, name
        for set_name in inputs["sets"]:
            assert f"{set_name}.html" in hrefs, (name, set_name)
    index = pages["index.html"]
    for set_name in inputs["sets"]:
        assert f'<a href="{set_name}.html">{set_name}</a>' in index


def test_overview_has_the_focus_heatmap_with_every_set_and_pathway(pages, inputs):
    index = pages["index.html"]
    match = re.search(r'<svg[^>]*class="figure-svg".*?</svg>', index, re.S)
    assert match, "no inline figure"
    svg = index[index.index('<section id="focus">') : index.index('<section id="names">')]
    assert 'id="focus-heatmap-' in svg
    for set_name in inputs["sets"]:
        assert f">{set_name}</text>" in svg
    for label in inputs["focus"].values():
        assert f">{label}</text>" in svg.replace("&amp;", "&")


def test_config_and_parameters_on_every_page(pages):
    for name, html in pages.items():
        assert 'id="parameters"' in html, name
        assert "Full configuration of the run" in html, name
        assert "n_random: 10000" in html, name  # the YAML dump of the config


def test_user_strings_are_escaped(inputs, tmp_path):
    evil = "<script>alert(1)</script>"
    names = {s: f.copy() for s, f in inputs["names"].items()}
    first = inputs["sets"][0]
    names[first].loc[0, "note"] = evil
    names[first].loc[1, "input"] = '"><img src=x onerror=alert(2)>'
    enrichment = {s: f.copy() for s, f in inputs["enrichment"].items()}
    enrichment[first].loc[0, "term"] = "<b>bold</b> & co"
    config = {**inputs["config"], "note": "</pre><script>alert(3)</script>"}
    written = rp.render_report(
        tmp_path, **_with(inputs, names=names, enrichment=enrichment, config=config)
    )
    for path in written:
        html = path.read_text(encoding="utf-8")
        parsed = _parse(html)
        assert sum(1 for t, _ in parsed.tags if t == "script") == 1, path.name
        assert not any(t == "img" for t, _ in parsed.tags), path.name
        assert "alert(1)</script>" not in html and "alert(3)</script>" not in html
    page = (tmp_path / f"{first}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(3)" in page


def test_same_inputs_give_identical_bytes(tmp_path):
    first = rp.render_report(tmp_path / "a", **make_inputs(seed=11))
    second = rp.render_report(tmp_path / "b", **make_inputs(seed=11))
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = rp.render_report(tmp_path / "c", **make_inputs(seed=12))
    assert other[1].read_bytes() != first[1].read_bytes()


def test_download_links_are_relative_to_the_report(pages, inputs):
    for set_name in inputs["sets"]:
        html = pages[f"{set_name}.html"]
        assert f'href="../targets/{set_name}.tsv" download' in html
        assert f'href="../enrichment/{set_name}.tsv" download' in html
        assert f'href="../names/{set_name}.tsv" download' in html


def test_header_summarises_the_run(pages):
    head = pages["index.html"].split('<section id="about">')[0]
    assert "2025-03-02 10:30 UTC" in head
    assert "10,000 random miRNA sets, seed 42" in head
    assert "FDR &lt; 0.05" in head
    assert "mirdb, mirtarbase, targetscan" in head
    assert "targetable" in head


# --------------------------------------------------------------------------------------------
# Sections: content


def test_significant_lead_terms_are_highlighted(pages, inputs):
    for set_name in inputs["sets"]:
        frame = inputs["enrichment"][set_name]
        leads = frame[frame["cluster_lead"] | (frame["cluster"] == "")]
        expected = int((leads["fdr_emp"] < 0.05).sum())
        html = pages[f"{set_name}.html"]
        section = html[html.index('<section id="terms">') : html.index('<section id="focus">')]
        assert section.count('class="hit-row"') == expected, set_name
        grouped = frame[(frame["cluster"] != "") & ~frame["cluster_lead"]]
        for term in grouped["term"]:
            assert f"<li>{term} " in section  # redundant members stay countable and listed


def test_set_page_lists_miRNAs_without_targets_and_unresolved_names(pages):
    html = pages["bone_marrow.html"]
    assert "1 resolved miRNA without any target edge" in html
    assert "hsa-miR-155-3p" in html.split('id="no-targets"')[1][:400]
    names = html[html.index('<section id="names">') :]
    assert names.count('class="warn-row"') == 2
    assert "2 input names did not resolve" in names


def test_calibration_sentence_is_plain_language(pages):
    sentence = (
        "Of 200 random miRNA sets of size 8, 64% had at least one term at FDR &lt; 0.05 by ORA "
        "and 5.5% by the empirical null."
    )
    assert sentence in pages["index.html"]
    assert 'id="calibration-qq-' in pages["index.html"]
    assert "95% CI 57%\u201371%" in pages["index.html"]


def test_absent_steps_say_they_were_not_run(inputs, tmp_path):
    rp.render_report(
        tmp_path,
        **_with(inputs, calibration=None, comparisons=None, references=None, source_summary=None),
    )
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Calibration was not run for this report" in html
    assert "No pair of sets was compared in this run" in html
    assert "No reference provenance was passed to the report" in html
    assert 'id="sources"' not in html


def test_comparisons_accept_both_column_spellings(inputs):
    renamed = {
        k: f.rename(columns={v: k2 for k2, v in tables.COMPARISON.aliases.items()})
        for k, f in inputs["comparisons"].items()
    }
    assert "frac_a" in next(iter(renamed.values())).columns
    keys = ("sets", "names", "targets", "enrichment", "enrichment_params", "references",
            "config", "focus")  # fmt: skip
    base = {k: inputs[k] for k in keys}
    a = rp.build_report_data(**base, comparisons=inputs["comparisons"]).comparisons
    b = rp.build_report_data(**base, comparisons=renamed).comparisons
    assert a is not None and b is not None and list(a) == list(b)
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key])


def test_without_empirical_null_ora_is_primary_and_said_so(inputs, tmp_path):
    enrichment = {
        s: f.assign(p_emp=np.nan, fdr_emp=np.nan, null_mean=np.nan, null_sd=np.nan, n_null=np.nan)
        for s, f in inputs["enrichment"].items()
    }
    rp.render_report(tmp_path, **_with(inputs, enrichment=enrichment))
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "The empirical miRNA-set null was switched off for this run" in index
    assert "best ORA (hypergeometric) FDR" in index
    page = (tmp_path / "bone_marrow.html").read_text(encoding="utf-8")
    assert "p empirical" not in page


def test_mismatched_checksum_is_flagged(inputs, tmp_path):
    refs = inputs["references"].copy()
    refs.loc[0, "checksum"] = "MISMATCH"
    rp.render_report(tmp_path, **_with(inputs, references=refs))
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<tr class="bad-row">' in html and "chip-bad" in html


# --------------------------------------------------------------------------------------------
# Summaries


def _enrichment_frame(rows: list[dict]) -> pd.DataFrame:
    base = {c: "" for c in tables.ENRICHMENT.columns}
    base.update(term_size=100, overlap=10, n_targets=500, background_size=10000, expected=5.0,
                fold_enrichment=2.0, null_mean=4.0, null_sd=2.0, n_null=1000, k_mirnas=5,
                set="s", library="L", cluster_lead=False)  # fmt: skip
    frame = pd.DataFrame([{**base, **r} for r in rows])
    return rp.normalise_enrichment(frame, "s")


def test_top_terms_keeps_leads_and_counts_members():
    frame = _enrichment_frame(
        [
            {"term_id": "A", "term": "A", "p_ora": 1e-6, "fdr_ora": 1e-5, "p_emp": 1e-4,
             "fdr_emp": 1e-3, "cluster": "1", "cluster_lead": True},
            {"term_id": "B", "term": "B", "p_ora": 1e-5, "fdr_ora": 1e-4, "p_emp": 2e-4,
             "fdr_emp": 2e-3, "cluster": "1"},
            {"term_id": "C", "term": "C", "p_ora": 0.2, "fdr_ora": 0.3, "p_emp": 0.5,
             "fdr_emp": 0.6},
        ]
    )  # fmt: skip
    top = rp.top_terms(frame, fdr=0.05, limit=10)
    assert top["term_id"].tolist() == ["A", "C"]
    assert top["n_members"].tolist() == [1, 0]
    assert top.loc[0, "members"] == [("L", "B")]
    assert top["significant"].tolist() == [True, False]
    assert len(rp.top_terms(frame, fdr=0.05, limit=1)) == 1  # one significant lead


def test_focus_rows_pick_the_best_term_and_report_untested_pathways():
    frame = _enrichment_frame(
        [
            {"term_id": "T1", "term": "PI3K/AKT/mTOR", "focus": "pi3k_akt;mtor", "p_ora": 0.001,
             "fdr_ora": 0.01, "p_emp": 0.002, "fdr_emp": 0.04},
            {"term_id": "T2", "term": "PI3K-Akt", "focus": "pi3k_akt", "p_ora": 0.1,
             "fdr_ora": 0.2, "p_emp": 0.3, "fdr_emp": 0.4},
            {"term_id": "T3", "term": "other", "focus": "extra", "p_ora": 0.5, "fdr_ora": 0.6,
             "p_emp": 0.5, "fdr_emp": 0.6},
        ]
    )  # fmt: skip
    focus = {"pi3k_akt": "PTEN / PI3K-Akt", "mtor": "mTOR", "wnt": "Wnt"}
    rows = {r["key"]: r for r in rp.focus_rows(frame, focus, fdr=0.05)}
    assert list(rows) == ["pi3k_akt", "mtor", "wnt", "extra"]
    assert rows["pi3k_akt"]["n_terms"] == 2 and rows["pi3k_akt"]["best"]["term_id"] == "T1"
    assert rows["pi3k_akt"]["significant"] and rows["pi3k_akt"]["value"] == pytest.approx(0.04)
    assert rows["mtor"]["n_terms"] == 1
    assert rows["wnt"]["n_terms"] == 0 and rows["wnt"]["best"] is None
    assert rows["extra"]["label"] == "extra" and not rows["extra"]["significant"]


def test_rank_edges_orders_by_evidence():
    frame = pd.DataFrame(
        {
            "set": "s",
            "mirna": ["m1", "m1", "m2", "m2", "m3", "m3"],
            "gene": ["G1", "G2", "G3", "G4", "G5", "G6"],
            "n_sources": [1, 2, 1, 3, 2, 2],
            "sources": ["targetscan", "mirdb;targetscan", "mirtarbase", "a;b;c", "x;y", "x;y"],
            "mirtarbase_tier": ["", "", "weak", "nonfunctional", "strong", ""],
            "mirtarbase_pmids": ["", "", "3", "9", "1", ""],
            "targetscan_context_score": ["-0.5", "-0.1", "", "-0.2", "", "-0.9"],
            "mirdb_score": ["", "90", "", "", "", ""],
        }
    )
    ranked = rp.rank_edges(rp.normalise_targets(frame, "s"))
    assert ranked["gene"].tolist() == ["G5", "G3", "G4", "G6", "G2", "G1"]


def test_rank_edges_puts_policy_confidence_first():
    frame = pd.DataFrame(
        {
            "set": "s",
            "mirna": ["m1", "m2"],
            "gene": ["G1", "G2"],
            "n_sources": [3, 1],
            "sources": ["a;b;c", "a"],
            "mirtarbase_tier": ["strong", ""],
            "confidence": ["0.2", "0.9"],
        }
    )
    ranked = rp.rank_edges(rp.normalise_targets(frame, "s"))
    assert ranked["gene"].tolist() == ["G2", "G1"]


def test_summarise_set_counts(inputs):
    s = "adipose"
    summary = rp.summarise_set(
        s,
        rp.normalise_names(inputs["names"][s], s),
        rp.normalise_targets(inputs["targets"][s], s),
        rp.normalise_enrichment(inputs["enrichment"][s], s),
        fdr=0.05,
    )
    targets = inputs["targets"][s]
    assert summary.inputs == len(inputs["names"][s])
    assert (summary.names_ok, summary.names_ambiguous, summary.names_unknown) == (8, 1, 1)
    assert summary.mirnas == 9 and summary.mirnas_with_targets == 8
    assert summary.mirnas_without_targets == ("hsa-miR-155-3p",)
    assert summary.target_genes == targets["gene"].nunique()
    assert summary.edges == len(targets)
    assert summary.edges_by_source["mirdb"] == targets["sources"].str.contains("mirdb").sum()
    assert summary.terms_tested == len(inputs["enrichment"][s])
    assert summary.significant_emp == int((inputs["enrichment"][s]["fdr_emp"] < 0.05).sum())
    assert summary.method == "emp"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.034, "3.4\u00d710<sup>\u22122</sup>"),
        (0.34, "0.34"),
        (0.0996, "0.10"),
        (1.0, "1.0"),
        (1.23e-12, "1.2\u00d710<sup>\u221212</sup>"),
        (0.0, "0"),
        (float("nan"), '<span class="na">\u2013</span>'),
        (None, '<span class="na">\u2013</span>'),
    ],
)
def test_format_pvalue(value, text):
    assert str(rp.format_pvalue(value)) == text


def test_calibration_sentence_with_one_method():
    summary = pd.DataFrame(
        {"method": ["empirical"], "n_queries": [50], "query_size": [12],
         "fraction_any_fdr05": [0.04]}
    )  # fmt: skip
    assert rp.calibration_sentence(summary) == (
        "Of 50 random miRNA sets of size 12, 4.0% had at least one term at FDR < 0.05 by "
        "the empirical null."
    )
    assert rp.calibration_sentence(summary.assign(method="other")) is None


# --------------------------------------------------------------------------------------------
# Figures


def test_heatmap_marks_significant_and_untested_cells():
    cells = {
        ("bm", "PI3K"): HeatmapCell(0.001, True),
        ("bm", "NF-κB"): HeatmapCell(0.4, False),
        ("ad", "PI3K"): HeatmapCell(0.2, False),
    }
    svg = focus_heatmap_svg(["bm", "ad"], ["PI3K", "NF-κB"], cells, metric_label="FDR",
                            threshold=0.05)  # fmt: skip
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert svg.count("not tested") == 1
    assert "1.0\u00d710\u207b\u00b3" in svg and ">0.40</text>" in svg
    assert svg.lower().count("stroke: #d55e00") == 2  # the outline and the threshold line
    bold = re.findall(r'<text style="font-weight: 700;[^>]*>([^<]*)</text>', svg)
    assert bold == ["1.0\u00d710\u207b\u00b3"]  # only the significant cell is bold
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("focus-heatmap-") for i in ids)
    refs = re.findall(r'href="#([^"]+)"', svg)
    assert all(r in ids for r in refs)


def test_figures_are_deterministic():
    cells = {("a", "x"): HeatmapCell(0.01, True)}
    one = focus_heatmap_svg(["a"], ["x"], cells, metric_label="FDR", threshold=0.05)
    two = focus_heatmap_svg(["a"], ["x"], cells, metric_label="FDR", threshold=0.05)
    assert one == two
    series = [QQSeries("ORA", [0.1, 0.5, 1.0], [0.01, 0.2, 1.0])]
    assert qq_plot_svg(series) == qq_plot_svg(series)
    assert "Date" not in one and "dc:date" not in qq_plot_svg(series)


# --------------------------------------------------------------------------------------------
# Bad inputs: every error names the file or value and the problem


def test_set_named_index_is_refused(inputs, tmp_path):
    kw = make_inputs(sets=("index", "adipose"), per_mirna=3, n_mirnas=2)
    with pytest.raises(ConfigError, match=r"may not be called 'index'.*value: 'index'"):
        rp.render_report(tmp_path, **kw)


@pytest.mark.parametrize("name", ["../up", "a b", ".hidden", ""])
def test_unsafe_set_names_are_refused(inputs, tmp_path, name):
    with pytest.raises(ConfigError, match="a set name may contain only") as info:
        rp.render_report(tmp_path, **_with(inputs, sets=[name]))
    assert repr(name) in str(info.value)


def test_missing_enrichment_column_is_named(inputs, tmp_path):
    enrichment = dict(inputs["enrichment"])
    enrichment["adipose"] = enrichment["adipose"].drop(columns=["p_emp"])
    with pytest.raises(InputError, match=r"enrichment table lacks column\(s\) 'p_emp'"):
        rp.render_report(tmp_path, **_with(inputs, enrichment=enrichment))


def test_missing_table_for_a_set_is_named(inputs, tmp_path):
    targets = {k: v for k, v in inputs["targets"].items() if k != "adipose"}
    with pytest.raises(InputError, match=r"no target table for set\(s\) 'adipose'"):
        rp.render_report(tmp_path, **_with(inputs, targets=targets))


def test_bad_status_is_named(inputs, tmp_path):
    names = dict(inputs["names"])
    names["adipose"] = names["adipose"].assign(status="OK?")
    with pytest.raises(InputError, match=r"status must be ok, ambiguous or unknown.*'OK\?'"):
        rp.render_report(tmp_path, **_with(inputs, names=names))


def test_duplicate_or_missing_sets_are_refused(inputs, tmp_path):
    with pytest.raises(ConfigError, match=r"set listed twice.*'adipose'"):
        rp.render_report(tmp_path, **_with(inputs, sets=["adipose", "adipose"]))
    with pytest.raises(ConfigError, match="no sets to report"):
        rp.render_report(tmp_path, **_with(inputs, sets=[]))


def test_parameters_that_are_not_an_object_are_named(inputs, tmp_path):
    params = {**inputs["enrichment_params"], "adipose": [1, 2]}
    with pytest.raises(
        InputError, match=r"parameters of set 'adipose' must be a JSON object.*'list'"
    ):
        rp.render_report(tmp_path, **_with(inputs, enrichment_params=params))


def test_reference_entry_that_is_not_an_object_is_named(inputs, tmp_path):
    with pytest.raises(InputError, match=r"each reference entry must be an object.*'mirbase'"):
        rp.render_report(tmp_path, **_with(inputs, references={"mirbase": "22.1"}))


def test_bad_fdr_in_config_is_named():
    with pytest.raises(ConfigError, match=r"enrichment.fdr must be a number.*value: 1\.5"):
        rp.significance_threshold({"enrichment": {"fdr": 1.5}})
    assert rp.significance_threshold({}) == 0.05
    assert rp.significance_threshold({"enrichment": {"fdr": 0.1}}) == 0.1


def test_run_timestamp_honours_source_date_epoch():
    assert rp.run_timestamp({"SOURCE_DATE_EPOCH": "1700000000"}) == "2023-11-14 22:13 UTC"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", rp.run_timestamp({}))
    with pytest.raises(ConfigError, match=r"SOURCE_DATE_EPOCH must be.*'soon'"):
        rp.run_timestamp({"SOURCE_DATE_EPOCH": "soon"})


# --------------------------------------------------------------------------------------------
# Reading the result files


def _read(data_dir: Path, out_dir: Path, **changes) -> rp.ReportData:
    root = data_dir / "report"
    sets = ["bone_marrow", "adipose"]
    kw = {
        "out_dir": out_dir,
        "sets": sets,
        "names": [root / "names" / f"{s}.tsv" for s in sets],
        "targets": [root / "targets" / f"{s}.tsv" for s in reversed(sets)],  # order is free
        "enrichment": [root / "enrichment" / f"{s}.tsv" for s in sets],
        "enrichment_params": [root / "enrichment" / f"{s}.json" for s in sets],
        "config": {"enrichment": {"fdr": 0.05}},
        "references": root / "references.tsv",
        "focus": root / "focus_pathways.yaml",
        "source_summary": root / "sources.tsv",
        "msc_sources": {"bone_marrow": "bone_marrow", "adipose": "adipose"},
        "calibration": [root / "calibration" / "pvalues.tsv", root / "calibration" / "summary.tsv"],
        "comparisons": [root / "compare" / "bone_marrow__vs__adipose.tsv"],
        "generated": "2025-01-01 00:00 UTC",
    }
    kw.update(changes)
    return rp.read_report_data(**kw)


def _copy_fixtures(data_dir: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(data_dir / "report", dest / "report")
    return dest


def test_read_report_data_from_files(data_dir, tmp_path):
    out = tmp_path / "results" / "report"
    data = _read(data_dir, out)
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


def test_file_of_unknown_set_is_named(data_dir, tmp_path):
    stray = tmp_path / "umbilical_cord.tsv"
    shutil.copy(data_dir / "report" / "names" / "adipose.tsv", stray)
    names = [data_dir / "report" / "names" / "bone_marrow.tsv", stray]
    with pytest.raises(InputError, match="name audit file belongs to no reported set") as info:
        _read(data_dir, tmp_path, names=names)
    assert str(stray) in str(info.value) and "'umbilical_cord'" in str(info.value)


def test_set_file_with_wrong_suffix_or_twice_is_named(data_dir, tmp_path):
    root = data_dir / "report" / "names"
    odd = tmp_path / "adipose.csv"
    shutil.copy(root / "adipose.tsv", odd)
    with pytest.raises(InputError, match=r"name audit file name does not end in '\.tsv'") as info:
        _read(data_dir, tmp_path, names=[root / "bone_marrow.tsv", odd])
    assert str(odd) in str(info.value)
    twice = tmp_path / "again" / "adipose.tsv"
    twice.parent.mkdir()
    shutil.copy(root / "adipose.tsv", twice)
    names = [root / "bone_marrow.tsv", root / "adipose.tsv", twice]
    with pytest.raises(InputError, match="two name audit files for set 'adipose'"):
        _read(data_dir, tmp_path, names=names)


def test_missing_set_file_is_named(data_dir, tmp_path):
    names = [data_dir / "report" / "names" / "bone_marrow.tsv"]
    with pytest.raises(InputError, match=r"no name audit file for set\(s\) 'adipose'"):
        _read(data_dir, tmp_path, names=names)


def test_non_numeric_cell_names_file_line_and_value(data_dir, tmp_path):
    root = _copy_fixtures(data_dir, tmp_path)
    path = root / "report" / "enrichment" / "adipose.tsv"
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    fields = lines[2].split("\t")
    fields[header.index("p_ora")] = "n/a"
    lines[2] = "\t".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        _read(root, tmp_path, enrichment=[path.parent / "bone_marrow.tsv", path])
    message = str(info.value)
    assert str(path) in message and "line 3" in message
    assert "'p_ora'" in message and "must be numeric" in message and "'n/a'" in message


def test_probability_out_of_range_is_named(data_dir, tmp_path):
    root = _copy_fixtures(data_dir, tmp_path)
    path = root / "report" / "compare" / "bone_marrow__vs__adipose.tsv"
    frame = pd.read_csv(path, sep="\t")
    frame.loc[4, "p_perm"] = 1.7
    frame.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match=r"'p_perm'.*outside \[0, 1\].*value: 1\.7") as info:
        _read(root, tmp_path, comparisons=[path])
    assert f"{path}, line 6" in str(info.value)


def test_row_of_another_set_is_named(data_dir, tmp_path):
    root = _copy_fixtures(data_dir, tmp_path)
    a = root / "report" / "targets" / "adipose.tsv"
    b = root / "report" / "targets" / "bone_marrow.tsv"
    b.write_text(a.read_text())  # adipose rows in the bone_marrow file
    with pytest.raises(InputError, match=r"target table of set 'bone_marrow' holds a row") as info:
        _read(root, tmp_path, targets=[a, b])
    assert str(b) in str(info.value) and "'adipose'" in str(info.value)


def test_truncated_parameters_json_is_named(data_dir, tmp_path):
    root = _copy_fixtures(data_dir, tmp_path)
    path = root / "report" / "enrichment" / "adipose.json"
    path.write_text(path.read_text()[:120])
    params = [root / "report" / "enrichment" / "bone_marrow.json", path]
    with pytest.raises(InputError, match=r"enrichment parameters is not valid JSON") as info:
        _read(root, tmp_path, enrichment_params=params)
    assert str(path) in str(info.value) and "line" in str(info.value)


def test_bad_cluster_lead_is_named(data_dir, tmp_path):
    root = _copy_fixtures(data_dir, tmp_path)
    path = root / "report" / "enrichment" / "adipose.tsv"
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    frame.loc[0, "cluster_lead"] = "maybe"
    frame.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match=r"'cluster_lead'.*true or false.*'maybe'") as info:
        _read(root, tmp_path, enrichment=[path.parent / "bone_marrow.tsv", path])
    assert f"{path}, line 2" in str(info.value)


def test_reference_json_must_be_an_object(tmp_path, data_dir):
    path = tmp_path / "references.json"
    path.write_text(json.dumps([1, 2]))
    with pytest.raises(InputError, match="must be a JSON object keyed by reference") as info:
        _read(data_dir, tmp_path, references=path)
    assert str(path) in str(info.value)
    path.write_text(json.dumps({"mirbase": {"kind": "url", "version": "22", "sha256": "ab"}}))
    data = _read(data_dir, tmp_path, references=path)
    assert data.references[0]["key"] == "mirbase" and data.references[0]["version"] == "22"


def test_unknown_calibration_file_is_named(data_dir, tmp_path):
    path = tmp_path / "qq.tsv"
    path.write_text("method\texpected\tobserved\n")
    with pytest.raises(InputError, match="neither the summary nor the p-value table") as info:
        _read(data_dir, tmp_path, calibration=[path])
    assert str(path) in str(info.value)
    only_p = [data_dir / "report" / "calibration" / "pvalues.tsv"]
    with pytest.raises(InputError, match="without the calibration summary"):
        _read(data_dir, tmp_path, calibration=only_p)


def test_comparison_file_name_is_checked(data_dir, tmp_path):
    path = tmp_path / "bm-vs-ad.tsv"
    shutil.copy(data_dir / "report" / "compare" / "bone_marrow__vs__adipose.tsv", path)
    with pytest.raises(InputError, match=r"must be <set_a>__vs__<set_b>\.tsv") as info:
        _read(data_dir, tmp_path, comparisons=[path])
    assert str(path) in str(info.value)


def test_focus_file_errors_name_the_file(data_dir, tmp_path):
    path = tmp_path / "focus.yaml"
    path.write_text("pi3k_akt:\n  terms: [PI3K-Akt signaling pathway]\n")
    with pytest.raises(InputError, match="has no text label") as info:
        _read(data_dir, tmp_path, focus=path)
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------------------------
# The workflow script


class _Named(list):
    """A stand-in for Snakemake's named lists: list access, attributes, and .get()."""

    def __init__(self, items=(), **named):
        super().__init__(items)
        self._named = named
        for key, value in named.items():
            setattr(self, key, value)

    def get(self, key, default=None):
        return self._named.get(key, default)


def _run_script(data_dir: Path, tmp_path: Path, monkeypatch, *, extra_pages=()) -> Path:
    root = data_dir / "report"
    sets = ["bone_marrow", "adipose"]
    out = tmp_path / "results" / "report"
    log = tmp_path / "logs" / "report.log"
    log.parent.mkdir(parents=True)
    fake = type("Snakemake", (), {})()
    fake.input = _Named(
        names=[str(root / "names" / f"{s}.tsv") for s in sets],
        targets=[str(root / "targets" / f"{s}.tsv") for s in sets],
        enrichment=[str(root / "enrichment" / f"{s}.tsv") for s in sets],
        enrichment_params=[str(root / "enrichment" / f"{s}.json") for s in sets],
        sources=str(root / "sources.tsv"),
        references=str(root / "references.tsv"),
        focus=str(root / "focus_pathways.yaml"),
        calibration=[str(root / "calibration" / "summary.tsv"),
                     str(root / "calibration" / "pvalues.tsv")],
        compare=[str(root / "compare" / "bone_marrow__vs__adipose.tsv")],
    )  # fmt: skip
    pages = [str(out / f"{s}.html") for s in sets] + [str(out / p) for p in extra_pages]
    fake.output = _Named(index=str(out / "index.html"), pages=pages)
    fake.params = _Named(
        sets=sets,
        sources={"bone_marrow": "bone_marrow", "adipose": "adipose"},
        config={"enrichment": {"fdr": 0.05}},
    )
    fake.log = [str(log)]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(sys, "stderr", sys.stderr)  # the script redirects stderr to its log
    script = Path(__file__).resolve().parent.parent / "workflow" / "scripts" / "report.py"
    try:
        runpy.run_path(str(script), init_globals={"snakemake": fake})
    finally:
        if getattr(sys.stderr, "name", "") == str(log):
            sys.stderr.close()
    return out


def test_workflow_script_renders_the_report(data_dir, tmp_path, monkeypatch):
    out = _run_script(data_dir, tmp_path, monkeypatch)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2023-11-14 22:13 UTC" in index
    assert "bone marrow MSC" in index and 'id="sources"' in index
    assert (out / "adipose.html").exists()
    assert "wrote 3 report pages" in (tmp_path / "logs" / "report.log").read_text()


def test_workflow_script_refuses_pages_of_no_set(data_dir, tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="declares pages that no set produces") as info:
        _run_script(data_dir, tmp_path, monkeypatch, extra_pages=["wharton_jelly.html"])
    assert "wharton_jelly.html" in str(info.value)


# --------------------------------------------------------------------------------------------
# Shared and unique miRNAs and targets (overlap section)


def _overlaps(inputs: dict) -> dict[str, pd.DataFrame]:
    from exomir.overlap import overlap_tables

    mirnas, genes = overlap_tables(inputs["sets"], inputs["names"], inputs["targets"])
    return {"mirnas": mirnas, "targets": genes}


def test_overlap_section_shows_upset_plots_counts_and_tables(inputs, tmp_path):
    overlaps = _overlaps(inputs)
    written = rp.render_report(tmp_path / "report", overlaps=overlaps, **inputs)
    index = written[0].read_text(encoding="utf-8")
    assert '<section id="overlap">' in index
    assert "Shared and unique miRNAs and targets" in index
    assert '<a href="#overlap">' in index  # listed in the page's table of contents
    for kind in ("mirnas", "targets"):
        assert f'id="upset-{kind}-' in index
        assert f'id="overlap-table-{kind}"' in index
    # the section comes before the set comparisons
    assert index.index('id="overlap"') < index.index('id="comparisons"')
    # one table row per combination, each member once
    section = index[index.index('<section id="overlap">') :]
    section = section[: section.index("</section>")]
    table = section[section.index('id="overlap-table-mirnas"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == len(overlaps["mirnas"]) + 1
    shared = overlaps["mirnas"].loc[overlaps["mirnas"]["n_sets"] == 3, "size"].sum()
    assert f"Shared by all {len(inputs['sets'])} sets" in section
    assert f'<td class="num" data-sort="{float(shared)!r}">{shared}</td>' in section
    # set pages do not repeat it
    assert 'id="overlap"' not in written[1].read_text(encoding="utf-8")


def test_overlap_section_is_left_out_without_tables(pages):
    assert 'id="overlap"' not in pages["index.html"]


def test_overlap_section_with_one_set_says_so(inputs, tmp_path):
    one = {
        **inputs,
        "sets": ["bone_marrow"],
        "comparisons": None,
        "msc_sources": {"bone_marrow": "bone_marrow"},
    }
    written = rp.render_report(tmp_path / "report", overlaps=_overlaps(one), **one)
    index = written[0].read_text(encoding="utf-8")
    assert "This run has a single set" in index
    assert 'id="upset-mirnas-' not in index


def test_overlap_tables_are_checked(inputs):
    good = _overlaps(inputs)["mirnas"]
    cases = [
        (good.drop(columns="members"), r"lacks column\(s\) 'members'"),
        (good.assign(sets="bone_marrow;wharton_jelly"), r"names a set that is not reported"),
        (good.assign(size=good["size"] + 1), r"column 'size' .* does not match the row"),
        (good.assign(n_sets=9), r"column 'n_sets' .* does not match the row"),
        (good.assign(size="many"), r"column 'size' of the overlap table .* must be numeric"),
    ]
    for frame, expected in cases:
        with pytest.raises(InputError, match=expected):
            rp.build_report_data(**_with(inputs, calibration=None), overlaps={"mirnas": frame})
    with pytest.raises(InputError, match=r"unknown overlap kind\(s\) 'genes'"):
        rp.build_report_data(**inputs, overlaps={"genes": good})


def test_overlap_files_are_read_and_named(data_dir, tmp_path):
    from exomir._io import write_tsv

    data = _read(data_dir, tmp_path / "results" / "report")
    overlaps = {
        "mirnas": tmp_path / "compare" / "overlap_mirnas.tsv",
        "targets": tmp_path / "compare" / "overlap_targets.tsv",
    }
    tables = _overlaps({"sets": list(data.sets), "names": data.names, "targets": data.targets})
    for kind, path in overlaps.items():
        write_tsv(tables[kind], path)
    read = _read(data_dir, tmp_path / "results" / "report", overlaps=list(overlaps.values()))
    assert read.overlaps is not None
    assert read.overlaps["targets"]["size"].sum() == tables["targets"]["size"].sum()
    bad = tmp_path / "compare" / "overlap_sets.tsv"
    bad.write_text("sets\tn_sets\tsize\tmembers\n")
    with pytest.raises(InputError, match=r"overlap_sets.tsv: overlap file is neither"):
        _read(data_dir, tmp_path / "out", overlaps=[bad])
    with pytest.raises(InputError, match=r"overlap_mirnas.tsv: two overlap tables of miRNAs"):
        _read(data_dir, tmp_path / "out", overlaps=[overlaps["mirnas"], overlaps["mirnas"]])
    broken = tables["mirnas"].copy()
    broken.loc[0, "sets"] = "bone_marrow;umbilical_cord"
    write_tsv(broken, overlaps["mirnas"])
    with pytest.raises(InputError, match=r"overlap_mirnas.tsv, line 2: the overlap table"):
        _read(data_dir, tmp_path / "out", overlaps=[overlaps["mirnas"]])


def test_upset_plot_is_deterministic_and_labelled():
    from exomir.report._plots import upset_svg

    combos = [
        (["bone_marrow", "adipose", "umbilical_cord"], 12),
        (["umbilical_cord"], 5),
        (["bone_marrow", "adipose"], 3),
        (["adipose"], 1),
    ]
    sets = ["bone_marrow", "adipose", "umbilical_cord"]
    svg = upset_svg(sets, combos, what="miRNAs", name="upset-test")
    assert svg == upset_svg(sets, combos, what="miRNAs", name="upset-test")
    assert svg.startswith("<svg") and "<dc:date>" not in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("upset-test-") for i in ids)
    for text in (*sets, "miRNAs per set", "miRNAs in exactly"):
        assert text in svg
    # set sizes are the sums over the combinations: 15, 16 and 17
    for size in ("15", "16", "17", "12"):
        assert f"<!-- {size} -->" in svg or f">{size}<" in svg
    many = [([sets[i % 3]], 40 - i) for i in range(40)]
    wide = upset_svg(sets, many, what="genes", name="upset-wide", max_columns=10)
    narrow = upset_svg(sets, many[:10], what="genes", name="upset-wide", max_columns=10)
    widths = [re.search(r"max-width: ([\d.]+)pt", s).group(1) for s in (wide, narrow)]
    assert widths[0] == widths[1]  # only the first max_columns columns are drawn


def test_workflow_script_passes_the_overlap_tables(data_dir, tmp_path, monkeypatch):
    from exomir._io import write_tsv

    root = data_dir / "report"
    sets = ["bone_marrow", "adipose"]
    data = _read(data_dir, tmp_path / "x")
    tables = _overlaps({"sets": sets, "names": data.names, "targets": data.targets})
    overlaps = [str(tmp_path / "compare" / f"overlap_{kind}.tsv") for kind in tables]
    for path, table in zip(overlaps, tables.values(), strict=True):
        write_tsv(table, path)
    out = tmp_path / "results" / "report"
    log = tmp_path / "logs" / "report.log"
    log.parent.mkdir(parents=True)
    fake = type("Snakemake", (), {})()
    fake.input = _Named(
        names=[str(root / "names" / f"{s}.tsv") for s in sets],
        targets=[str(root / "targets" / f"{s}.tsv") for s in sets],
        enrichment=[str(root / "enrichment" / f"{s}.tsv") for s in sets],
        enrichment_params=[str(root / "enrichment" / f"{s}.json") for s in sets],
        overlaps=overlaps,
    )
    fake.output = _Named(
        index=str(out / "index.html"), pages=[str(out / f"{s}.html") for s in sets]
    )
    fake.params = _Named(sets=sets, sources={}, config={"enrichment": {"fdr": 0.05}})
    fake.log = [str(log)]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    script = Path(__file__).resolve().parent.parent / "workflow" / "scripts" / "report.py"
    try:
        runpy.run_path(str(script), init_globals={"snakemake": fake})
    finally:
        if getattr(sys.stderr, "name", "") == str(log):
            sys.stderr.close()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="upset-mirnas-' in index and 'id="upset-targets-' in index


# --------------------------------------------------------------------------------------------
# Signatures: per-set panel, literature beside data, overview grid, methods


def _signature_outputs(sets=SETS) -> dict:
    """Signature outputs of small hand-made cargo per set, scored by exomir.signatures itself.

    Curated tables and review rows are the fixtures of tests/data/signatures/; the umbilical-cord
    set represses PTEN (a review says miR-410 does, pro-tumour), the adipose set EGFR.
    """
    from exomir import signatures as sg
    from exomir.enrichment import NullSettings

    data = Path(__file__).parent / "data" / "signatures"
    model = sg.read_model(
        data / "pathway_regulators.tsv", data / "gene_roles.tsv", data / "focus_pathways.yaml"
    )
    literature = sg.read_literature(data / "msc_exosome_literature.tsv")
    cargo = {
        "bone_marrow": {"hsa-miR-100-5p": {"MTOR": 0.9, "TSC1": 0.3}},
        "adipose": {"hsa-miR-146b-5p": {"EGFR": 0.9}, "hsa-miR-16-5p": {"VEGFA": 0.6}},
        "umbilical_cord": {"hsa-miR-410-3p": {"PTEN": 0.9, "BAX": 0.2}},
    }
    rows = [
        (m, g, c)
        for genes_of in cargo.values()
        for m, genes in genes_of.items()
        for g, c in genes.items()
    ]
    rows += [(f"hsa-miR-{9000 + i}-5p", f"FILLER{i % 40}", 0.5) for i in range(120)]
    edges = pd.DataFrame(rows, columns=["mirna", "gene", "confidence"])
    out = {}
    for s in sets:
        targets = edges[edges["mirna"].isin(list(cargo[s]))].assign(
            set=s, weight=1.0, n_sources=1, sources="mirtarbase", mirtarbase_tier="strong"
        )
        targets["input_name"] = targets["mirna"].str.removeprefix("hsa-")
        result = sg.score_set(
            targets,
            edges,
            model,
            set_name=s,
            null=NullSettings(n_random=999, seed=2, stratified=0),
        )
        review = sg.literature_comparison(
            literature, result, targets, set_name=s, msc_source=s, model=model
        )
        out[s] = sg.SignatureFiles(result.table, result.drivers, review, result.params)
    return out


@pytest.fixture(scope="module")
def signature_pages(inputs, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("signature-report") / "report"
    written = rp.render_report(out, signatures=_signature_outputs(), **inputs)
    return {p.name: p.read_text(encoding="utf-8") for p in written}


def test_signature_sections_are_on_every_page(signature_pages):
    index = signature_pages["index.html"]
    assert 'id="signatures"' in index and 'id="signature-grid-' in index
    assert "not measurements" in index and "cuts both ways" in index
    assert 'id="methods-signatures"' in index
    for s in SETS:
        page = signature_pages[f"{s}.html"]
        assert 'id="signatures"' in page and 'id="literature"' in page
        assert 'id="signature-bars-' in page
        assert "PI3K/Akt" in page and "protect injured tissue" in page  # the dual-role caveat
        assert page.index('id="signatures"') < page.index('id="literature"')


def test_signature_panel_shows_calls_and_their_edges(signature_pages):
    page = signature_pages["umbilical_cord.html"]
    # miR-410 -> PTEN: PI3K-Akt up, pro-tumour; its edge is listed with its evidence
    directions = page[page.index('id="signature-directions"') :]
    row = directions[directions.index("PTEN / PI3K-Akt") :][:1500]
    assert "dir-up" in row and "↑ up" in row
    drivers = page[page.index('id="drivers-pi3k_akt"') :][:4000]
    assert "hsa-miR-410-3p" in drivers and ">PTEN<" in drivers and "inhibitor" in drivers
    assert "miRTarBase strong" in drivers
    adipose = signature_pages["adipose.html"]
    scores = adipose[adipose.index('id="signature-scores"') :][:6000]
    assert "anti-tumour" in scores


def test_literature_sits_beside_the_data(signature_pages):
    page = signature_pages["umbilical_cord.html"]
    table = page[page.index('id="literature-table"') :]
    assert "fixture quote about miR-410 and PTEN" in table
    assert "agree agree-agrees" in table and "agree agree-edge-found" in table  # PTEN, BAX
    assert "hsa-miR-410-3p → PTEN: edge present" in table
    assert 'pathway: <span class="agree agree-agrees">agrees</span>' in table
    # the adipose set's miR-146b claim comes from MSC exosomes of an unnamed tissue
    adipose = signature_pages["adipose.html"]
    assert "MSC, tissue not named" in adipose
    # miR-100 of bone marrow lowers VEGFA in the review; this set has no such edge
    bone = signature_pages["bone_marrow.html"]
    assert "hsa-miR-100-5p → VEGFA: no edge under the target policy" in bone
    assert "agree agree-no-evidence" in bone


def test_a_set_without_review_claims_says_so(inputs, tmp_path):
    outputs = _signature_outputs()
    outputs["bone_marrow"].literature = outputs["bone_marrow"].literature.iloc[0:0]
    written = rp.render_report(tmp_path, signatures=outputs, **inputs)
    bone = next(p for p in written if p.name == "bone_marrow.html").read_text(encoding="utf-8")
    assert "make no claim about this set" in bone
    index = written[0].read_text(encoding="utf-8")
    assert "no claim about these miRNAs" in index


def test_overview_compares_all_sources(signature_pages):
    index = signature_pages["index.html"]
    calls = index[index.index('id="signature-calls"') :][:6000]
    for s in SETS:
        assert f'href="{s}.html#signatures"' in calls
    assert "Tumour balance: pro-tumour" in calls
    assert "Tumour balance: anti-tumour" in calls


def test_without_signatures_there_are_no_signature_sections(pages):
    for html in pages.values():
        assert 'id="signatures"' not in html
        assert 'id="methods-signatures"' not in html


def test_signature_pages_are_deterministic(inputs, tmp_path):
    outputs = _signature_outputs()
    first = rp.render_report(tmp_path / "a", signatures=outputs, **inputs)
    second = rp.render_report(tmp_path / "b", signatures=_signature_outputs(), **inputs)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_signature_table_of_another_set_or_a_missing_set_is_named(inputs, tmp_path):
    outputs = _signature_outputs()
    outputs["adipose"].table["set"] = "bone_marrow"
    with pytest.raises(InputError, match="signature table of set 'adipose' holds a row"):
        rp.render_report(tmp_path, signatures=outputs, **inputs)
    outputs = _signature_outputs(sets=("bone_marrow", "adipose"))
    with pytest.raises(InputError, match=r"no signature table for set.*'umbilical_cord'"):
        rp.render_report(tmp_path, signatures=outputs, **inputs)


def test_signature_files_are_read_matched_and_linked(data_dir, tmp_path):
    from exomir.signatures import SignatureResult

    outputs = _signature_outputs(sets=("bone_marrow", "adipose"))
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
    data = _read(data_dir, out, signatures=files, signature_summary=summary)
    assert data.signatures["adipose"].params["k"] == 2
    assert data.signatures["adipose"].drivers["contribution"].dtype == float
    assert data.downloads["adipose"]["signature_drivers"] == "../signatures/adipose.drivers.tsv"
    assert data.downloads["bone_marrow"]["signature_summary"] == "../signatures/summary.tsv"
    html = rp.render_pages(data)["adipose.html"]
    assert 'href="../signatures/adipose.drivers.tsv"' in html
    stray = folder / "umbilical_cord.drivers.tsv"
    stray.write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError, match="signature file belongs to no reported set") as error:
        _read(data_dir, out, signatures=[*files, stray])
    assert str(stray) in str(error.value)
    with pytest.raises(InputError, match="lack the call table"):
        _read(data_dir, out, signatures=[p for p in files if p.name != "adipose.tsv"])


def test_signature_figures_mark_calls_and_clip_extremes():
    from exomir.report._plots import GridCell, SignatureBar, signature_bars_svg, signature_grid_svg

    bars = [
        SignatureBar("Pro-tumour", "Scores", 2.5, 1, "high · p = 0.01"),
        SignatureBar("PTEN / PI3K-Akt", "Focus pathways", float("inf"), 1, "up · p = 0.001"),
        SignatureBar("mTOR", "Focus pathways", None, 0, "no call · p = 1"),
    ]
    svg = signature_bars_svg(bars, name="bars-test")
    assert svg == signature_bars_svg(bars, name="bars-test")
    assert "Focus pathways" in svg and "up · p = 0.001" in svg
    assert "\u00bb" in svg  # the infinite bar is clipped and marked
    cells = {("bm", "Pro-tumour"): GridCell(3.0, "\u2191", 0.01, True)}
    grid = signature_grid_svg(["bm", "uc"], ["Pro-tumour"], cells, name="grid-test")
    assert "n/a" in grid  # uc has no such call
    assert 'id="grid-test-' in grid
