"""Fixtures of the report tests: seeded synthetic inputs, the rendered pages, file readers.

The inputs are synthetic and seeded (``make_inputs``): name audits, target edges with
per-source evidence, enrichment tables with ORA and empirical columns, calibration and
comparison tables in the result layouts of docs/data-model.md. Gene and term names look like the
real ones so that the rendered pages read like a real run; no real data is involved. The files
under tests/data/report/ were written from the same generator and exercise the file readers
(``read_results``).
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom

from exomir import report as rp
from exomir import tables
from exomir._stats import bh_fdr
from exomir.overlap import overlap_tables

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
        columns=[*tables.NAMES.needed, "note"],
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
    frame["fdr_ora"] = bh_fdr(frame["p_ora"].to_numpy())
    frame["fdr_emp"] = bh_fdr(frame["p_emp"].to_numpy())
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
    return frame[list(tables.ENRICHMENT.needed)].reset_index(drop=True)


def _make_inputs(seed: int = 7, *, sets=SETS, per_mirna: int = 24, n_mirnas: int = 7) -> dict:
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
                "fdr": bh_fdr(np.asarray(p)),
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


def _overlaps(inputs: dict) -> dict[str, pd.DataFrame]:
    """The miRNA and target-gene overlap tables of ``inputs``, as the compare step writes them."""
    mirnas, genes = overlap_tables(inputs["sets"], inputs["names"], inputs["targets"])
    return {"mirnas": mirnas, "targets": genes}


def _signature_outputs(data_dir: Path, sets: Sequence[str] = SETS) -> dict:
    """Signature outputs of small hand-made cargo per set, scored by exomir.signatures itself.

    Curated tables and review rows are the fixtures of tests/data/signatures/; the umbilical-cord
    set represses PTEN (a review says miR-410 does, pro-tumour), the adipose set EGFR.
    """
    from exomir import signatures as sg
    from exomir.enrichment import NullSettings

    data = data_dir / "signatures"
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
    """Parse ``html`` into its start tags and script texts."""
    parser = _Tags()
    parser.feed(html)
    return parser


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def make_inputs() -> Callable[..., dict]:
    """``make_inputs(seed=7, *, sets=..., per_mirna=24, n_mirnas=7)``: keyword arguments for
    :func:`exomir.report.render_report`, built from ``seed``."""
    return _make_inputs


@pytest.fixture(scope="session")
def inputs() -> dict:
    """The default inputs of three sets (``bone_marrow``, ``adipose``, ``umbilical_cord``)."""
    return _make_inputs()


@pytest.fixture(scope="session")
def pages(inputs, tmp_path_factory) -> dict[str, str]:
    """The rendered report of ``inputs``, file name -> HTML text."""
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


#: ``empirical.matching`` of a set whose stratified null could not match it, as the enrichment
#: writes it (:meth:`exomir._analytic.MatchingReport.as_dict`).
UNMATCHED = {
    "target_ratio": 1.634,
    "merged_share": 0.5,
    "widest_stratum_targets": [1285, 6210],
    "calibration_warning": "the stratified null cannot match this set: 50% of its miRNAs sit in "
    "merged target-count strata (widest 1285-6210 targets) and its targets sum to 1.63x a random "
    "set's, so its random sets have fewer targets than it has and empirical p-values of raw "
    "overlaps are too small (see docs/methods/analytic.md); read them as a ranking, not as "
    "calibrated calls",
}


def _empirical(matching: dict | None, statistic: str = "overlap") -> dict:
    """``empirical`` parameters of a stratified run with the extension, ``matching`` as given."""
    out = {
        "n_random": 10000,
        "seed": 42,
        "null": "stratified:10",
        "statistic": statistic,
        "max_draws": 200000,
        "extension": {"max_draws": 200000, "undecided_after_n_random": 4, "extended_terms": 3},
        "p_method": {"exceedances": 30, "extended": 2, "gpd_tail": 1, "floor": 1},
    }
    if matching is not None:
        out["matching"] = matching
    return out


def _matching_inputs() -> dict:
    """The default inputs with the parameters of a newer run: ``adipose`` could not be matched
    on the raw overlap (and its table says per term how p was obtained), ``umbilical_cord``
    could not be matched on the share statistic, ``bone_marrow`` was matched. (The default
    inputs have the older parameters, without ``empirical``.)"""
    inputs = _make_inputs()
    params = {s: dict(p) for s, p in inputs["enrichment_params"].items()}
    params["adipose"]["empirical"] = _empirical(UNMATCHED)
    params["bone_marrow"]["empirical"] = _empirical({**UNMATCHED, "calibration_warning": None})
    params["umbilical_cord"]["empirical"] = _empirical(UNMATCHED, statistic="share")
    enrichment = dict(inputs["enrichment"])
    frame = enrichment["adipose"].copy()
    methods = ["exceedances"] * len(frame)
    methods[:4] = ["floor", "gpd_tail", "extended", "extended"]
    frame["p_method"] = methods
    enrichment["adipose"] = frame
    return {**inputs, "enrichment_params": params, "enrichment": enrichment}


@pytest.fixture(scope="session")
def matching_inputs() -> dict:
    """Inputs where one set (``adipose``) could not be matched by its null; see
    :func:`_matching_inputs`."""
    return _matching_inputs()


@pytest.fixture(scope="session")
def matching_pages(matching_inputs, tmp_path_factory) -> dict[str, str]:
    """The rendered report of ``matching_inputs``, file name -> HTML text."""
    out = tmp_path_factory.mktemp("matching-report") / "report"
    written = rp.render_report(out, **matching_inputs)
    return {p.name: p.read_text(encoding="utf-8") for p in written}


@pytest.fixture
def unmatched() -> dict:
    """``empirical.matching`` of a set the null could not match (a fresh copy)."""
    return dict(UNMATCHED)


@pytest.fixture(scope="session")
def parse_html() -> Callable[[str], _Tags]:
    """``parse_html(html)``: its start tags (``.tags``: name, attributes) and ``.scripts``."""
    return _parse


@pytest.fixture(scope="session")
def read_results(data_dir) -> Callable[..., rp.ReportData]:
    """``read_results(out_dir, root=data_dir, **changes)``: :func:`exomir.report.read_report_data`
    on the result files of ``root/report`` (sets bone_marrow and adipose), ``changes`` replacing
    any of its arguments."""

    def read(out_dir: Path, root: Path | None = None, **changes) -> rp.ReportData:
        folder = (root or data_dir) / "report"
        sets = ["bone_marrow", "adipose"]
        kw = {
            "out_dir": out_dir,
            "sets": sets,
            "names": [folder / "names" / f"{s}.tsv" for s in sets],
            "targets": [folder / "targets" / f"{s}.tsv" for s in reversed(sets)],  # order is free
            "enrichment": [folder / "enrichment" / f"{s}.tsv" for s in sets],
            "enrichment_params": [folder / "enrichment" / f"{s}.json" for s in sets],
            "config": {"enrichment": {"fdr": 0.05}},
            "references": folder / "references.tsv",
            "focus": folder / "focus_pathways.yaml",
            "source_summary": folder / "sources.tsv",
            "msc_sources": {"bone_marrow": "bone_marrow", "adipose": "adipose"},
            "calibration": [
                folder / "calibration" / "pvalues.tsv",
                folder / "calibration" / "summary.tsv",
            ],
            "comparisons": [folder / "compare" / "bone_marrow__vs__adipose.tsv"],
            "generated": "2025-01-01 00:00 UTC",
        }
        kw.update(changes)
        return rp.read_report_data(**kw)

    return read


@pytest.fixture
def result_copy(data_dir, tmp_path) -> Path:
    """A writable copy of tests/data/report under ``tmp_path/data/report``; returns ``data``."""
    dest = tmp_path / "data"
    shutil.copytree(data_dir / "report", dest / "report")
    return dest


@pytest.fixture(scope="session")
def overlaps_of() -> Callable[[dict], dict[str, pd.DataFrame]]:
    """``overlaps_of(inputs)``: the overlap tables of the sets in ``inputs``, by kind."""
    return _overlaps


@pytest.fixture(scope="session")
def signature_outputs(data_dir) -> Callable[..., dict]:
    """``signature_outputs(sets=...)``: set -> :class:`exomir.signatures.SignatureFiles`."""
    return functools.partial(_signature_outputs, data_dir)


@pytest.fixture(scope="session")
def signature_pages(inputs, signature_outputs, tmp_path_factory) -> dict[str, str]:
    """The rendered report of ``inputs`` with the signature outputs of every set."""
    out = tmp_path_factory.mktemp("signature-report") / "report"
    written = rp.render_report(out, signatures=signature_outputs(), **inputs)
    return {p.name: p.read_text(encoding="utf-8") for p in written}
