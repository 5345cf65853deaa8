"""Count tables and sample sheets to miRNA sets (exomir._counts, public in exomir.abundance).

Fixtures (tests/data/abundance/, synthetic): ``counts.tsv`` holds 15 miRNAs in seven samples of
three MSC sources, every sample with exactly 100,000 reads, so that a miRNA's CPM is ten times
its count and every expectation below can be checked by hand.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from exomir import abundance as ab
from exomir.config import with_defaults
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
    assert ab.AbundanceSettings() == ab.AbundanceSettings.from_config(
        with_defaults({}, "abundance")
    )
    assert not ab.AbundanceSettings.from_config(with_defaults({}, "abundance")).enabled
    settings = ab.AbundanceSettings.from_config(
        with_defaults(
            {"counts": "c.tsv", "samples": "s.tsv", "rule": "top_n", "top_n": 20}, "abundance"
        )
    )
    assert settings.enabled and settings.top_n == 20 and settings.min_cpm == 100.0
    with pytest.raises(ConfigError, match=r"abundance.counts is set but abundance.samples is not"):
        ab.AbundanceSettings.from_config(with_defaults({"counts": "c.tsv"}, "abundance"))
    with pytest.raises(ConfigError, match=r"invalid config key abundance.*cutoff"):
        with_defaults({"cutoff": 3}, "abundance")
    with pytest.raises(ConfigError, match=r"abundance lacks key\(s\) format, samples, rule"):
        ab.AbundanceSettings.from_config({"counts": "c.tsv"})


def test_sets_from_config_use_the_counts_or_the_sheet(tmp_path):
    config = {
        "mirna_sets": str(Path(__file__).parent / "data" / "workflow" / "mirna_sets.tsv"),
        "abundance": with_defaults({}, "abundance"),
    }
    from_sheet = ab.mirna_sets_from_config(config)
    assert from_sheet["set"].iloc[0] == "bone_marrow" and from_sheet["mirna"].iloc[0] == "miR-21"
    config["abundance"] = with_defaults(
        {"counts": str(DATA / "counts.tsv"), "samples": str(DATA / "samples.tsv"), "min_cpm": 1500},
        "abundance",
    )
    built = ab.mirna_sets_from_config(config)
    assert "miR-16" in _members(built, "bone_marrow") and "miR-16" not in _members(built, "adipose")
    copied = tmp_path / "copy.tsv"
    sheet = ab.copy_mirna_sets(config["mirna_sets"], copied)
    assert copied.read_bytes() == Path(config["mirna_sets"]).read_bytes()
    assert sheet.equals(from_sheet)


def test_format_cpm():
    assert ab.format_cpm(1234.4) == "1234"
    assert ab.format_cpm(96.666) == "96.7"
    assert ab.format_cpm(0.01234) == "0.0123"
    assert not math.isnan(float(ab.format_cpm(5)))


# -- quantifier layouts (tests/data/quantifiers/, provenance in its README.md) -----------------

QUANT = Path(__file__).parent / "data" / "quantifiers"
EXPECTED = {
    "hsa-let-7a-5p": (120.0, 180.0),
    "hsa-miR-21-3p": (0.0, 12.0),
    "hsa-miR-21-5p": (500.0, 400.0),
}
SRNABENCH = [QUANT / "srnabench" / s / "mature_sense.grouped" for s in ("BM1", "BM2")]


@pytest.mark.parametrize(
    ("fixture", "layout"),
    [
        ("miRNAs_expressed_all_samples_1700000000.csv", "mirdeep2"),
        ("joined_samples_mirtop.tsv", "mirtop"),
        ("mirna.tsv", "plain"),
        ("mature_counts.csv", "edger"),
        ("exceRpt_miRNA_ReadCounts.txt", "excerpt"),
    ],
)
def test_each_quantifier_layout_is_detected_and_gives_the_same_counts(fixture, layout):
    auto = ab.read_counts(QUANT / fixture)
    assert auto.attrs["format"] == layout
    assert list(auto.columns) == ["BM1", "BM2"]
    for mirna, values in EXPECTED.items():
        assert tuple(auto.loc[mirna]) == values, mirna
    forced = ab.read_counts(QUANT / fixture, layout)
    pd.testing.assert_frame_equal(auto, forced)


def test_mirdeep2_keeps_one_count_per_mature_over_its_precursors():
    table = ab.read_counts(QUANT / "miRNAs_expressed_all_samples_1700000000.csv")
    # let-7a-5p is listed for let-7a-1, -2 and -3 with the same reads: counted once, not 3x;
    # the (norm) columns and read_count/total are not samples.
    assert len(table) == 3 and table.loc["hsa-let-7a-5p", "BM1"] == 120.0
    assert "one row per (mature, precursor) pair" in table.attrs["notes"][0]


def test_mirtop_keeps_the_first_row_of_each_uid_and_finds_a_sorted_header(tmp_path):
    table = ab.read_counts(QUANT / "joined_samples_mirtop.tsv")
    # iso-21-0A1B2C3D is listed for let-7a-5p and let-7c-5p: only its first row counts.
    assert "hsa-let-7c-5p" not in table.index
    lines = (QUANT / "joined_samples_mirtop.tsv").read_text().splitlines()
    moved = tmp_path / "joined_samples_mirtop.tsv"
    moved.write_text("\n".join([*lines[1:], lines[0]]) + "\n")  # header sorted last
    pd.testing.assert_frame_equal(
        ab.read_counts(moved).loc[list(EXPECTED)], table.loc[list(EXPECTED)], check_like=True
    )


def test_srnabench_reads_one_sample_per_folder_and_sums_the_adjusted_count(tmp_path):
    table = ab.read_counts([str(p) for p in SRNABENCH])
    assert table.attrs["format"] == "srnabench"
    assert list(table.columns) == ["BM1", "BM2"]
    for mirna, values in EXPECTED.items():
        assert tuple(table.loc[mirna]) == values, mirna
    # The single-assignment file names its columns (SA)/(MA); the (MA) count is read.
    header, *rows = SRNABENCH[0].read_text().splitlines()
    sa = tmp_path / "BM9" / "mature_sense_SA.grouped"
    sa.parent.mkdir()
    sa.write_text(
        "\n".join(
            [
                header.replace(
                    "\tread count\tread count (mult. map. adj.)",
                    "\tread count (SA)\tread count (MA)",
                ),
                *rows,
            ]
        )
        + "\n"
    )
    assert ab.read_counts(sa).loc["hsa-let-7a-5p", "BM9"] == 120.0
    # Trailing cells (coordinateString, RPM_adj ...) may be left out of a row.
    short = tmp_path / "BM8" / "mature_sense.grouped"
    short.parent.mkdir()
    short.write_text(header + "\nhsa-miR-21-5p\t5\t500\t500\t1\t1\n")
    assert ab.read_counts(short).loc["hsa-miR-21-5p", "BM8"] == 500.0
    short.write_text(header + "\nhsa-miR-21-5p\t5\t500\n")
    with pytest.raises(InputError, match=r"line 2: 3 fields but the header has 9"):
        ab.read_counts(short)
    with pytest.raises(InputError, match=r"sample 'BM1' is in two count tables"):
        ab.read_counts([str(SRNABENCH[0]), str(SRNABENCH[0])])


def test_excerpt_splits_read_groups_and_strips_what_follows_a_colon(tmp_path):
    table = ab.read_counts(QUANT / "exceRpt_miRNA_ReadCounts.txt")
    assert tuple(table.loc["hsa-miR-199a-3p"]) == (15.0, 25.0)
    assert tuple(table.loc["hsa-miR-199b-3p"]) == (15.0, 25.0)
    path = tmp_path / "merged.tsv"
    path.write_text("\tS1\nhsa-miR-21-5p:hsa-mir-21\t7\nhsa-miR-16-5p:MIMAT0000069\t3\n")
    table = ab.read_counts(path)
    assert table.attrs["format"] == "excerpt"
    assert list(table.index) == ["hsa-miR-21-5p", "hsa-miR-16-5p"]


def test_edger_hairpin_table_is_refused(tmp_path):
    path = tmp_path / "hairpin_counts.csv"
    path.write_text('"","hsa-mir-21","hsa-let-7a-1"\n"BM1",5,3\n')
    # let-7a-1 carries no precursor mark, so only the mir names are judged.
    assert ab.read_counts(path).attrs["format"] == "edger"
    path.write_text('"","hsa-mir-21","hsa-mir-16-1"\n"BM1",5,3\n')
    with pytest.raises(InputError, match=r"precursor \(hairpin\) name: it is hairpin_counts.csv"):
        ab.read_counts(path)


def test_a_file_in_no_layout_names_the_quantifiers_tried(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_text("miRNA\tread count\tprecursor\nhsa-miR-21-5p\t5\thsa-mir-21\n")
    with pytest.raises(InputError) as err:
        ab.read_counts(path)
    message = str(err.value)
    assert "the count of sample 'precursor' (column 3) is not a number" in message
    for tool in ("miRDeep2", "mirtop", "edgeR", "sRNAbench", "exceRpt"):
        assert tool in message
    assert "'#miRNA, read_count, precursor'" in message
    with pytest.raises(InputError, match=r"not in the miRDeep2 quantifier.pl .* layout"):
        ab.read_counts(QUANT / "mirna.tsv", "mirdeep2")
    with pytest.raises(ConfigError, match=r"unknown count-table layout abundance.format"):
        ab.read_counts(QUANT / "mirna.tsv", "featurecounts")


def test_precursor_and_mature_rows_are_not_duplicates(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_text("miRNA\tS1\nhsa-mir-21\t5\nhsa-miR-21\t7\n")
    assert list(ab.read_counts(path).index) == ["hsa-mir-21", "hsa-miR-21"]
    path.write_text("miRNA\tS1\nhsa-miR-21\t5\nHSA-MIR-21\t7\n")
    with pytest.raises(InputError, match=r"line 3 repeats 'HSA-MIR-21' \(line 2: 'hsa-miR-21'\)"):
        ab.read_counts(path)


def test_settings_pass_the_format_and_several_tables(tmp_path):
    samples = tmp_path / "samples.tsv"
    samples.write_text("sample\tmsc_source\nBM1\tbone_marrow\nBM2\tbone_marrow\n")
    settings = ab.AbundanceSettings(
        counts=[str(p) for p in SRNABENCH], samples=str(samples), format="srnabench", min_cpm=0
    )
    sheet = ab.build_mirna_sets(settings)
    assert set(sheet["mirna"]) == set(EXPECTED)
    with pytest.raises(ConfigError, match=r"unknown count-table layout"):
        ab.AbundanceSettings(counts="c.tsv", samples="s.tsv", format="csv")


def test_schema_lists_exactly_the_layouts():
    from exomir._schema import load_schema

    abundance = load_schema()["properties"]["abundance"]["properties"]
    assert abundance["format"]["enum"] == list(ab.COUNT_FORMATS)
    assert abundance["rule"]["enum"] == list(ab.RULES)


def test_a_csv_with_mirnas_as_rows_is_not_taken_for_the_edger_table(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text('"","BM1","BM2"\n"hsa-miR-21-5p",500,400\n"hsa-let-7a-5p",120,180\n')
    with pytest.raises(InputError, match=r"has the miRNAs as rows"):
        ab.read_counts(path)


def test_the_error_shows_the_header_it_could_not_place(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_text("miRNA\tread count\tprecursor\nhsa-miR-21-5p\t5\thsa-mir-21\n")
    with pytest.raises(InputError, match=r"its header \('miRNA, read count, precursor'\)"):
        ab.read_counts(path)
