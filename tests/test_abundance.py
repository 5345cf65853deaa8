"""Tests of exomir.abundance: count tables and sample sheets, set-building rules, prerank.

Fixtures (tests/data/abundance/, synthetic): ``counts.tsv`` holds 15 miRNAs in seven samples of
three MSC sources, every sample with exactly 100,000 reads, so that a miRNA's CPM is ten times
its count and every expectation below can be checked by hand. ``targets.tsv`` and
``gene_sets.tsv`` are a set's target table and two small libraries in the result layouts.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from exomir import abundance as ab
from exomir._io import read_tsv
from exomir.errors import ConfigError, InputError
from exomir.sets import read_mirna_sets

DATA = Path(__file__).parent / "data" / "abundance"
SAMPLES = ["BM_1", "BM_2", "BM_3", "AD_1", "AD_2", "UC_1", "UC_2"]


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return ab.read_counts(DATA / "counts.tsv")


@pytest.fixture(scope="module")
def samples(counts) -> pd.DataFrame:
    return ab.read_samples(DATA / "samples.tsv", counts)


def _members(sheet: pd.DataFrame, set_name: str) -> list[str]:
    return sheet.loc[sheet["set"] == set_name, "mirna"].tolist()


# --------------------------------------------------------------------------------------------
# Count table


def test_read_counts_keeps_names_samples_and_values(counts):
    assert list(counts.columns) == SAMPLES
    assert counts.index.name == "mirna"
    assert counts.index[0] == "hsa-miR-21-5p" and "miR-410" in counts.index
    assert counts.loc["hsa-miR-21-5p", "BM_1"] == 30000.0
    # a fractional count (a multi-mapping read split in two) is kept as it is
    assert counts.loc["hsa-miR-223-3p", "BM_2"] == 0.5
    assert counts.sum().tolist() == [100000.0] * 7
    assert counts.attrs["path"].endswith("counts.tsv")


def test_read_counts_accepts_gzip_and_r_style_headers(tmp_path):
    import gzip

    packed = tmp_path / "counts.tsv.gz"
    packed.write_bytes(gzip.compress((DATA / "counts.tsv").read_bytes()))
    assert ab.read_counts(packed).equals(ab.read_counts(DATA / "counts.tsv"))
    r_style = ab.read_counts(DATA / "counts_r_style.tsv")
    assert list(r_style.columns) == ["S1", "S2"]
    assert r_style.loc["hsa-miR-21-5p", "S2"] == 30.5


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "counts_non_numeric.tsv",
            r"counts_non_numeric.tsv, line 3: the count of sample 'S2' \(column 3\) is not a "
            r"number \(value: 'n/a'\)",
        ),
        (
            "counts_negative.tsv",
            r"counts_negative.tsv, line 3: the count of sample 'S2' \(column 3\) is negative "
            r"\(value: '-2'\)",
        ),
        (
            "counts_duplicate_mirna.tsv",
            r"counts_duplicate_mirna.tsv: miRNA\(s\) listed twice: line 4 repeats "
            r"'HSA-MIR-21-5P' \(line 2: 'hsa-miR-21-5p'\)",
        ),
        (
            "counts_duplicate_sample.tsv",
            r"counts_duplicate_sample.tsv, line 1: duplicate sample column\(s\): 'S1' "
            r"\(columns 2 and 4\)",
        ),
        ("counts_header_only.tsv", r"counts_header_only.tsv: the count table has a header but no"),
        ("counts_comma.csv", r"counts_comma.csv, line 1: the count table must be tab-separated"),
        ("counts_ragged.tsv", r"counts_ragged.tsv, line 3: 2 fields but the header has 3"),
    ],
)
def test_bad_count_tables_are_named(fixture, expected):
    with pytest.raises(InputError, match=expected):
        ab.read_counts(DATA / fixture)


def test_count_table_edge_cases_are_named(tmp_path):
    path = tmp_path / "counts.tsv"
    cases = {
        "miRNA\n": "no sample columns",
        "miRNA\tS1\t\nhsa-miR-21-5p\t1\t2\n": "column 3 of the header has no sample name",
        "miRNA\tS1\n\t5\n": "line 2: empty miRNA name",
        "miRNA\tS1\nmiR-16\tinf\n": r"is not a number \(value: 'inf'\)",
        "miRNA\tS1\nmiR-16\t\n": r"is not a number \(value: ''\)",
    }
    for text, expected in cases.items():
        path.write_text(text)
        with pytest.raises(InputError, match=expected):
            ab.read_counts(path)
    path.write_text("")
    with pytest.raises(InputError, match="file is empty"):
        ab.read_counts(path)
    with pytest.raises(InputError, match="file not found"):
        ab.read_counts(tmp_path / "missing.tsv")


# --------------------------------------------------------------------------------------------
# Sample sheet


def test_read_samples(samples):
    assert list(samples.columns) == list(ab.SAMPLE_COLUMNS)
    assert samples["sample"].tolist() == SAMPLES
    # an empty set cell means the set is named after the MSC source
    assert samples.set_index("sample").loc["AD_1", "set"] == "adipose"
    # the comment line and the blank line keep the file's line numbering
    assert samples.set_index("sample").loc["BM_1", "line"] == 3
    assert samples.set_index("sample").loc["UC_1", "line"] == 9


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "samples_unknown.tsv",
            r"samples_unknown.tsv: sample\(s\) 'S9' of the sample sheet are not columns of "
            r".*counts_r_style.tsv",
        ),
        (
            "samples_missing.tsv",
            r"samples_missing.tsv: sample\(s\) 'S2' of .*counts_r_style.tsv are not in the "
            r"sample sheet",
        ),
        (
            "samples_duplicate.tsv",
            r"samples_duplicate.tsv, line 4: sample 'S1' is listed twice \(line 2 and line 4\)",
        ),
        (
            "samples_two_sources.tsv",
            r"samples_two_sources.tsv, line 3: set 'pooled' has samples of two MSC sources: "
            r"'bone_marrow' \(line 2\) and 'adipose' \(line 3\)",
        ),
        (
            "samples_bad_source.tsv",
            r"samples_bad_source.tsv, line 2: msc_source must be lower case.*'Bone Marrow'",
        ),
        (
            "samples_no_source_column.tsv",
            r"samples_no_source_column.tsv, line 1: column\(s\) msc_source missing",
        ),
    ],
)
def test_bad_sample_sheets_are_named(fixture, expected):
    counts = ab.read_counts(DATA / "counts_r_style.tsv")  # samples S1 and S2
    with pytest.raises(InputError, match=expected):
        ab.read_samples(DATA / fixture, counts)


def test_sample_sheet_edge_cases_are_named(tmp_path):
    path = tmp_path / "samples.tsv"
    cases = {
        "# only a comment\n": "the sample sheet is empty",
        "sample\tmsc_source\n": "has a header but no samples",
        "sample\tmsc_source\nS1\t\n": r"line 2: empty 'msc_source'",
        "sample\tmsc_source\tset\nS1\tadipose\tfat-1\n": r"line 2: set names may.*'fat-1'",
        "sample\tmsc_source\nS1\tadipose\textra\n": "line 2: 3 fields but the header has 2",
    }
    for text, expected in cases.items():
        path.write_text(text)
        with pytest.raises(InputError, match=expected):
            ab.read_samples(path)


# --------------------------------------------------------------------------------------------
# Building sets


def test_cpm_is_per_million_of_each_samples_total(counts):
    cpm = ab.counts_per_million(counts)
    assert cpm.loc["hsa-miR-21-5p", "BM_1"] == pytest.approx(300000.0)
    assert cpm.loc["hsa-miR-223-3p", "BM_2"] == pytest.approx(5.0)
    assert cpm.sum().tolist() == pytest.approx([1e6] * 7)


def test_cpm_rule_keeps_consistently_abundant_mirnas(counts, samples):
    sheet = ab.sets_from_counts(counts, samples, rule="cpm", min_cpm=100, min_fraction=0.5)
    assert list(sheet.columns) == list(ab.SHEET_COLUMNS)
    assert list(dict.fromkeys(sheet["set"])) == ["bone_marrow", "adipose", "umbilical_cord"]
    bm = _members(sheet, "bone_marrow")
    # miR-410: CPM 400, 50, 0 = 1 of 3 samples, below half; miR-17-5p: 100, 100, 90 = 2 of 3
    assert "miR-410" not in bm and "hsa-miR-17-5p" in bm
    assert "hsa-miR-223-3p" not in bm and "hsa-miR-125a-5p" not in bm
    # two adipose samples: one is half; miR-17-5p has CPM 20 and 300
    assert "hsa-miR-17-5p" in _members(sheet, "adipose")
    uc = _members(sheet, "umbilical_cord")
    # miR-133b: CPM 90 and 110; miR-19a-3p: 80 and 90 (never at 100)
    assert "hsa-miR-133b" in uc and "hsa-miR-19a-3p" not in uc
    assert sorted(uc) == sorted(
        [
            "hsa-miR-21-5p",
            "hsa-miR-100-5p",
            "miR-16",
            "hsa-miR-125a-5p",
            "hsa-miR-145-5p",
            "miR-451",
            "hsa-miR-133b",
            "let-7a-5p",
            "hsa-let-7b-5p",
            "hsa-miR-1246",
        ]
    )


def test_weight_is_the_mean_cpm_over_all_samples_of_the_set(counts, samples):
    sheet = ab.sets_from_counts(counts, samples).set_index(["set", "mirna"])
    assert sheet.loc[("bone_marrow", "hsa-miR-21-5p"), "weight"] == 250000.0
    # miR-17-5p in adipose: CPM 20 and 300; the sample without detection counts in the mean
    assert sheet.loc[("adipose", "hsa-miR-17-5p"), "weight"] == 160.0
    assert sheet.loc[("umbilical_cord", "hsa-miR-133b"), "weight"] == 100.0
    note = sheet.loc[("bone_marrow", "hsa-miR-17-5p"), "note"]
    assert note == "mean CPM 96.7; CPM >= 100 in 2/3 samples"
    assert sheet.loc[("umbilical_cord", "hsa-miR-133b"), "note"] == (
        "mean CPM 100; CPM >= 100 in 1/2 samples"
    )


def test_stricter_fraction_removes_partly_detected_mirnas(counts, samples):
    sheet = ab.sets_from_counts(counts, samples, min_cpm=100, min_fraction=1.0)
    assert "hsa-miR-17-5p" not in _members(sheet, "bone_marrow")
    assert "hsa-miR-17-5p" not in _members(sheet, "adipose")
    assert "hsa-miR-133b" not in _members(sheet, "umbilical_cord")
    higher = ab.sets_from_counts(counts, samples, min_cpm=2000, min_fraction=0.5)
    assert _members(higher, "umbilical_cord") == [
        "hsa-miR-1246",
        "hsa-miR-125a-5p",
        "hsa-miR-145-5p",
        "miR-451",
        "hsa-let-7b-5p",
        "let-7a-5p",
        "miR-16",  # CPM 3000 and 2500: detected in both samples
    ]


def test_rows_are_ordered_by_weight_then_name_and_lines_follow(counts, samples):
    sheet = ab.sets_from_counts(counts, samples)
    for _, part in sheet.groupby("set", sort=False):
        weights = part["weight"].tolist()
        assert weights == sorted(weights, reverse=True)
    bm = _members(sheet, "bone_marrow")
    # let-7a-5p and hsa-let-7b-5p have the same CPM everywhere: name order, case-insensitive
    assert bm.index("hsa-let-7b-5p") + 1 == bm.index("let-7a-5p")
    assert sheet["line"].tolist() == list(range(2, len(sheet) + 2))


def test_top_n_takes_the_most_abundant_and_breaks_ties_by_name(counts, samples):
    sheet = ab.sets_from_counts(counts, samples, rule="top_n", top_n=5)
    assert sheet.groupby("set", sort=False).size().tolist() == [5, 5, 5]
    assert _members(sheet, "umbilical_cord") == [
        "hsa-miR-1246",
        "hsa-miR-125a-5p",
        "hsa-miR-145-5p",
        "miR-451",
        "hsa-let-7b-5p",  # CPM 3000, tied with let-7a-5p, which the name order leaves out
    ]
    assert (
        sheet.iloc[0]["note"] == "mean CPM 737045; rank 1 of the top 5 by mean CPM over 3 samples"
    )
    # a large N takes every miRNA with reads, never one without
    everything = ab.sets_from_counts(counts, samples, rule="top_n", top_n=100)
    assert "miR-146b" not in _members(everything, "bone_marrow")
    assert len(_members(everything, "umbilical_cord")) == 11


def test_the_built_sheet_is_a_valid_sheet_and_round_trips(counts, samples, tmp_path):
    sheet = ab.sets_from_counts(counts, samples)
    dest = tmp_path / "results" / "sets" / "mirna_sets.tsv"
    ab.write_mirna_sets(sheet, dest)
    back = read_mirna_sets(dest)
    pd.testing.assert_frame_equal(
        back.reset_index(drop=True), sheet.reset_index(drop=True), check_dtype=False
    )
    ab.write_mirna_sets(sheet, tmp_path / "again.tsv")
    assert (tmp_path / "again.tsv").read_bytes() == dest.read_bytes()


def test_empty_set_names_the_set_and_the_threshold(counts, samples):
    with pytest.raises(InputError) as info:
        ab.sets_from_counts(counts, samples, min_cpm=800000, min_fraction=0.5)
    message = str(info.value)
    assert "set 'bone_marrow' (msc_source 'bone_marrow')" in message
    assert "CPM >= 800000 in at least 0.5 of its 3 sample(s)" in message
    assert "samples.tsv" in message
    assert "Lower abundance.min_cpm or abundance.min_fraction" in message


def test_a_sample_without_reads_is_named(counts):
    zero = counts.copy()
    zero["EMPTY_1"] = 0.0
    samples = pd.DataFrame(
        {
            "sample": [*SAMPLES, "EMPTY_1"],
            "msc_source": ["bone_marrow"] * 7 + ["adipose"],
            "set": ["all"] * 7 + ["empty"],
            "line": range(2, 10),
        }
    )
    with pytest.raises(InputError, match=r"sample\(s\) 'EMPTY_1' have no reads"):
        ab.sets_from_counts(zero, samples, rule="top_n")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"rule": "rpm"}, r"unknown set-building rule abundance.rule \(value: 'rpm'\)"),
        ({"min_cpm": -1}, r"abundance.min_cpm must be a number >= 0 \(value: -1\)"),
        ({"min_fraction": 0}, r"abundance.min_fraction must be .* \(value: 0\)"),
        ({"min_fraction": 1.5}, r"abundance.min_fraction must be .* \(value: 1.5\)"),
        ({"top_n": 0}, r"abundance.top_n must be a whole number >= 1 \(value: 0\)"),
    ],
)
def test_bad_rule_settings_name_the_key(counts, samples, kwargs, expected):
    with pytest.raises(ConfigError, match=expected):
        ab.sets_from_counts(counts, samples, **kwargs)


def test_samples_and_counts_must_agree_in_memory(counts, samples):
    with pytest.raises(InputError, match=r"sample\(s\) 'AD_2' of .*counts.tsv are not in the"):
        ab.sets_from_counts(counts, samples[samples["sample"] != "AD_2"])


def test_settings_from_config():
    assert not ab.AbundanceSettings.from_config({"counts": None, "samples": None}).enabled
    settings = ab.AbundanceSettings.from_config(
        {"counts": "c.tsv", "samples": "s.tsv", "rule": "top_n", "top_n": 20}
    )
    assert settings.enabled and settings.top_n == 20 and settings.min_cpm == 100.0
    with pytest.raises(ConfigError, match=r"abundance.counts is set but abundance.samples is not"):
        ab.AbundanceSettings.from_config({"counts": "c.tsv"})
    with pytest.raises(ConfigError, match=r"unknown key.*cutoff"):
        ab.AbundanceSettings.from_config({"cutoff": 3})


def test_sets_from_config_use_the_counts_or_the_sheet(tmp_path):
    config = {
        "mirna_sets": str(Path(__file__).parent / "data" / "workflow" / "mirna_sets.tsv"),
        "abundance": {"counts": None, "samples": None},
    }
    from_sheet = ab.mirna_sets_from_config(config)
    assert from_sheet["set"].iloc[0] == "bone_marrow" and from_sheet["mirna"].iloc[0] == "miR-21"
    config["abundance"] = {
        "counts": str(DATA / "counts.tsv"),
        "samples": str(DATA / "samples.tsv"),
        "min_cpm": 1500,
    }
    built = ab.mirna_sets_from_config(config)
    assert "miR-16" in _members(built, "bone_marrow") and "miR-16" not in _members(built, "adipose")
    copied = tmp_path / "copy.tsv"
    sheet = ab.copy_mirna_sets(config["mirna_sets"], copied)
    assert copied.read_bytes() == Path(config["mirna_sets"]).read_bytes()
    assert sheet.equals(from_sheet)


# --------------------------------------------------------------------------------------------
# Weighted prerank


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return read_tsv(DATA / "targets.tsv")


@pytest.fixture(scope="module")
def gene_sets() -> pd.DataFrame:
    return read_tsv(DATA / "gene_sets.tsv", strings=True)


def test_target_scores_weigh_abundance_and_confidence(targets):
    scores = ab.target_scores(targets, path=DATA / "targets.tsv")
    assert list(scores.columns) == list(ab.SCORE_COLUMNS)
    by_gene = scores.set_index("gene")
    # weights 600, 300, 100 -> shares 0.6, 0.3, 0.1
    assert by_gene.loc["PTEN", "score"] == pytest.approx(0.6 * 0.9)
    assert by_gene.loc["TRAF6", "score"] == pytest.approx(0.3 * 0.9 + 0.1 * 0.25)
    assert by_gene.loc["TRAF6", "n_mirnas"] == 2
    assert by_gene.loc["TRAF6", "mirnas"] == "hsa-let-7a-5p;hsa-miR-146b-5p"
    assert scores["set"].unique().tolist() == ["bone_marrow"]
    assert scores["score"].tolist() == sorted(scores["score"], reverse=True)
    # PTEN and PDCD4 tie (0.54): symbol order
    genes = scores["gene"].tolist()
    assert genes.index("PDCD4") + 1 == genes.index("PTEN")
    # scaling every weight leaves the normalised scores unchanged
    scaled = ab.target_scores(targets.assign(weight=targets["weight"] * 7))
    pd.testing.assert_frame_equal(scaled, scores)


def test_target_score_errors_name_the_table(targets, tmp_path):
    path = tmp_path / "bone_marrow.tsv"
    bad = targets.astype({"confidence": "object"})
    bad.loc[3, "confidence"] = "high"
    with pytest.raises(InputError, match=r"bone_marrow.tsv, line 5: confidence must be .*'high'"):
        ab.target_scores(bad, path=path)
    with pytest.raises(InputError, match=r"bone_marrow.tsv: the target table lacks column"):
        ab.target_scores(targets.drop(columns="weight"), path=path)
    with pytest.raises(InputError, match="all have weight 0"):
        ab.target_scores(targets.assign(weight=0.0), path=path)
    with pytest.raises(InputError, match="has no target edges"):
        ab.target_scores(targets.iloc[:0], set_name="empty", path=path)


def test_ranking_puts_untargeted_genes_last_in_symbol_order():
    scores = pd.DataFrame({"gene": ["B", "A", "C"], "score": [0.5, 0.5, 0.9]})
    ranked = ab.ranking(scores, ["Z", "D", "A", ""])
    assert list(ranked.index) == ["C", "A", "B", "D", "Z"]
    assert ranked.tolist() == [0.9, 0.5, 0.5, 0.0, 0.0]


def _universe(gene_sets: pd.DataFrame) -> list[str]:
    return sorted(set(gene_sets["gene"]))


def test_prerank_columns_and_directions(targets, gene_sets):
    scores = ab.target_scores(targets)
    table = ab.prerank(
        scores,
        gene_sets,
        _universe(gene_sets),
        set_name="bone_marrow",
        permutations=200,
        seed=3,
        min_size=5,
        max_size=50,
    )
    assert list(table.columns) == list(ab.PRERANK_COLUMNS)
    assert table["set"].unique().tolist() == ["bone_marrow"]
    # the term with two genes is below min_size; every other term is tested once
    assert "hsa00000" not in set(table["term_id"])
    assert len(table) == 6
    rows = table.set_index("term_id")
    nfkb = rows.loc["hsa04064"]
    assert nfkb["library"] == "kegg_mini" and nfkb["term"] == "NF-kappa B signaling pathway"
    assert nfkb["term_size"] == 10
    assert nfkb["es"] > 0.5 and nfkb["nes"] > 0
    # the leading edge holds targeted genes of the term, in rank order
    leading = nfkb["leading_genes"].split(";")
    assert leading[:3] == ["TRAF6", "IRAK1", "NFKB1"]
    assert nfkb["n_leading"] == len(leading)
    assert set(leading) <= set(scores["gene"])
    # the set targets no olfactory receptor: the term sits at the bottom of the ranking
    assert rows.loc["hsa04740", "es"] < 0
    for column in ("pval", "fdr", "fwer"):
        present = table[column].dropna()
        assert ((present >= 0) & (present <= 1)).all()
    assert table["pval"].tolist() == sorted(table["pval"].tolist())


def test_prerank_is_deterministic_across_processes_and_threads(targets, gene_sets, tmp_path):
    """Same seed, same bytes: in this process, and in a fresh one with another hash seed."""
    kwargs = {"set_name": "bone_marrow", "permutations": 100, "seed": 5, "min_size": 5}
    scores = ab.target_scores(targets)
    first = ab.prerank(scores, gene_sets, _universe(gene_sets), threads=1, **kwargs)
    second = ab.prerank(scores, gene_sets, _universe(gene_sets), threads=2, **kwargs)
    pd.testing.assert_frame_equal(first, second)
    code = (
        "import sys; from exomir import abundance as ab; from exomir._io import read_tsv, "
        "write_tsv; d = sys.argv[1]; g = read_tsv(d + '/gene_sets.tsv', strings=True); "
        "s = ab.target_scores(read_tsv(d + '/targets.tsv')); "
        "write_tsv(ab.prerank(s, g, sorted(set(g['gene'])), set_name='bone_marrow', "
        "permutations=100, seed=5, min_size=5), sys.argv[2])"
    )
    out = tmp_path / "other.tsv"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", code, str(DATA), str(out)], check=True, env=env, timeout=120
    )
    mine = tmp_path / "mine.tsv"
    from exomir._io import write_tsv

    write_tsv(first, mine)
    assert out.read_bytes() == mine.read_bytes()
    other_seed = ab.prerank(
        scores, gene_sets, _universe(gene_sets), **{**kwargs, "seed": 6, "permutations": 100}
    )
    assert not other_seed["pval"].equals(first["pval"]) or not other_seed["fdr"].equals(
        first["fdr"]
    )


def test_prerank_without_testable_terms_is_empty(targets, gene_sets):
    table = ab.prerank(
        ab.target_scores(targets),
        gene_sets,
        _universe(gene_sets),
        set_name="bone_marrow",
        permutations=10,
        min_size=40,
        max_size=50,
    )
    assert table.empty and list(table.columns) == list(ab.PRERANK_COLUMNS)


def test_prerank_settings_from_config():
    settings = ab.PrerankSettings.from_config(
        {"min_size": 3, "max_size": 400, "prerank": {"run": True, "min_size": None}}
    )
    assert (settings.run, settings.min_size, settings.max_size) == (True, 3, 400)
    assert settings.permutations == 1000 and settings.seed == 1
    assert ab.PrerankSettings.from_config({}).run is False
    with pytest.raises(ConfigError, match=r"enrichment.prerank.permutations .* \(value: 0\)"):
        ab.PrerankSettings.from_config({"prerank": {"permutations": 0}})
    with pytest.raises(ConfigError, match="min_size is larger than max_size"):
        ab.PrerankSettings.from_config({"prerank": {"min_size": 50, "max_size": 10}})


def test_format_cpm():
    assert ab.format_cpm(1234.4) == "1234"
    assert ab.format_cpm(96.666) == "96.7"
    assert ab.format_cpm(0.01234) == "0.0123"
    assert not math.isnan(float(ab.format_cpm(5)))


@pytest.mark.realdata
def test_prerank_finds_a_planted_hallmark_on_real_libraries(reference_dir):
    """Targets planted in the Hypoxia hallmark come out on top against the real libraries."""
    import numpy as np

    from exomir.genesets import read_gmt

    hallmark = read_gmt(
        reference_dir / "gene_sets/enrichr/MSigDB_Hallmark_2020.txt.gz", library="Hallmark"
    )
    kegg = read_gmt(reference_dir / "gene_sets/enrichr/KEGG_2021_Human.txt.gz", library="KEGG")
    gene_sets = pd.concat([hallmark, kegg], ignore_index=True)
    universe = sorted(set(gene_sets["gene"]))
    hypoxia = sorted(set(hallmark.loc[hallmark["term"] == "Hypoxia", "gene"]))
    rng = np.random.default_rng(11)
    others = rng.choice(sorted(set(universe) - set(hypoxia)), 300, replace=False)
    targets = pd.DataFrame(
        {
            "set": "planted",
            "mirna": [f"hsa-miR-{i % 3}" for i in range(len(hypoxia))] + ["hsa-miR-9"] * 300,
            "gene": hypoxia + sorted(others),
            "weight": [1000.0] * len(hypoxia) + [100.0] * 300,
            "confidence": [0.9] * len(hypoxia) + [0.3] * 300,
        }
    )
    table = ab.prerank(
        ab.target_scores(targets),
        gene_sets,
        universe,
        set_name="planted",
        permutations=200,
        seed=1,
        min_size=15,
        max_size=500,
        threads=2,
    )
    assert set(table["library"]) == {"Hallmark", "KEGG"}
    top = table.iloc[0]
    assert (top["library"], top["term"]) == ("Hallmark", "Hypoxia")
    assert top["nes"] > 0 and top["fdr"] < 0.05
    assert set(top["leading_genes"].split(";")) <= set(hypoxia)
