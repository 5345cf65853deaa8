"""Configuration: the JSON schema, cross-key checks and where reference files come from."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from exomir.config import check_config, comparison_pairs, reference_files, reference_input
from exomir.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent
SCHEMA = str(REPO / "workflow" / "schemas" / "config.schema.yaml")
SOURCES = {"bone_marrow": "bone_marrow", "adipose": "adipose", "uc": "umbilical_cord"}


@pytest.fixture
def config():
    with open(REPO / "config" / "config.yaml") as handle:
        data = yaml.safe_load(handle)
    validate(data, SCHEMA)
    return data


def test_default_config_is_valid_and_complete(config):
    check_config(config, SOURCES)
    assert config["enrichment"]["empirical"]["n_random"] == 10000
    assert config["names"]["on_unresolved"] == "stop"


def test_example_configs_are_valid(monkeypatch, tmp_path):
    monkeypatch.setenv("EXOMIR_REFERENCE_DIR", str(tmp_path))
    for path in [
        REPO / "config" / "examples" / "local-references.yaml",
        REPO / "tests" / "data" / "workflow" / "config.yaml",
    ]:
        with open(path) as handle:
            data = yaml.safe_load(handle)
        validate(data, SCHEMA)
        monkeypatch.setenv("EXOMIR_FIXTURES", str(tmp_path))
        check_config(data, SOURCES)
        assert all(ref.kind == "path" for ref in reference_files(data))


def test_schema_fills_defaults():
    minimal = {
        "mirna_sets": "s.tsv",
        "references": {
            "mirbase": {"version": "22.1", "files": {"mature": {"path": "m.fa"}}},
            "genes": {"version": "1", "files": {"hgnc": {"path": "h.txt"}}},
            "targets": {
                "a": {"format": "pairs", "version": "1", "files": {"table": {"path": "p"}}}
            },
            "gene_sets": {"g": {"format": "gmt", "version": "1", "files": {"gmt": {"path": "g"}}}},
        },
        "targets": {"sources": ["a"]},
    }
    validate(minimal, SCHEMA)
    assert minimal["species"] == "hsa"
    assert minimal["names"]["arm_policy"] == "both"
    assert minimal["enrichment"]["empirical"]["n_random"] == 10000
    assert minimal["enrichment"]["calibration"]["n_queries"] == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(species="xyz"), "xyz"),
        (lambda c: c["enrichment"]["empirical"].update(n_random=0), "n_random"),
        (lambda c: c["names"].update(on_unresolved="ignore"), "ignore"),
        (
            lambda c: c["references"]["mirbase"]["files"]["mature"].update(path="/x"),
            "mature",
        ),
        (lambda c: c["references"]["genes"].update(version="a b"), "version"),
        (lambda c: c["targets"].update(mirtarbase_tiers=["gold"]), "gold"),
    ],
)
def test_schema_rejects_bad_values(config, change, message):
    bad = copy.deepcopy(config)
    change(bad)
    with pytest.raises(WorkflowError) as err:
        validate(bad, SCHEMA)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["targets"].update(sources=["nope"]), "targets.sources names 'nope'"),
        (lambda c: c["targets"].update(min_sources=4), "min_sources is 4"),
        (lambda c: c["enrichment"].update(min_size=600), "min_size is larger"),
        (lambda c: c["enrichment"].update(background="user"), "background_genes is not set"),
        (
            lambda c: c["enrichment"]["empirical"].update(universe="file"),
            "universe_file is not set",
        ),
        (
            lambda c: c["enrichment"]["prerank"].update(min_size=600),
            "enrichment.prerank.min_size is larger than enrichment.prerank.max_size",
        ),
        (
            lambda c: c["abundance"].update(counts="counts.tsv"),
            "abundance.counts is set but abundance.samples is not",
        ),
        (
            lambda c: c["enrichment"]["compare"].update(pairs=[["bone_marrow", "liver"]]),
            "names set 'liver'",
        ),
        (
            lambda c: c["references"]["targets"]["targetscan"]["files"].pop("family_info"),
            "needs files: family_info",
        ),
        (
            lambda c: c["references"]["targets"]["mirdb"].update(files={}),
            "needs a file table",
        ),
    ],
)
def test_cross_key_checks(config, change, message):
    bad = copy.deepcopy(config)
    change(bad)
    with pytest.raises(ConfigError) as err:
        check_config(bad, SOURCES)
    assert message in str(err.value)


def test_reference_files_and_inputs(config, monkeypatch, tmp_path):
    files = reference_files(config)
    keys = [f.key for f in files]
    assert "references.mirbase.files.mature" in keys
    assert "references.targets.mirtarbase.files.table" in keys
    mature = next(f for f in files if f.role == "mature")
    assert mature.kind == "url"
    assert reference_input(mature) == "resources/downloads/mirbase/mirbase/22.1/mature"
    kegg = next(f for f in files if f.name == "KEGG_2021_Human")
    assert (kegg.kind, kegg.location, kegg.role) == ("enrichr", "KEGG_2021_Human", "gmt")

    monkeypatch.setenv("MY_REFS", str(tmp_path))
    config["references"]["genes"]["files"]["hgnc"] = {"path": "$MY_REFS/hgnc.txt"}
    hgnc = next(f for f in reference_files(config) if f.role == "hgnc")
    assert reference_input(hgnc) == str(tmp_path / "hgnc.txt")


def test_unset_variable_names_variable_and_key(config, monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    config["references"]["genes"]["files"]["hgnc"] = {"path": "$NOT_SET_ANYWHERE/hgnc.txt"}
    with pytest.raises(ConfigError) as err:
        reference_files(config)
    assert "$NOT_SET_ANYWHERE" in str(err.value)
    assert "references.genes.files.hgnc.path" in str(err.value)


def test_comparison_pairs(config):
    assert comparison_pairs(config, SOURCES) == [
        ("bone_marrow", "adipose"),
        ("bone_marrow", "uc"),
        ("adipose", "uc"),
    ]
    same = {"a": "bone_marrow", "b": "bone_marrow", "c": "adipose"}
    assert comparison_pairs(config, same) == [("a", "c"), ("b", "c")]
    config["enrichment"]["compare"]["pairs"] = [["uc", "adipose"]]
    assert comparison_pairs(config, SOURCES) == [("uc", "adipose")]


def _defaults_set(schema: dict, config: dict, where: str = "") -> list[tuple[str, object, object]]:
    """(key, value in config, schema default) of every defaulted key the config spells out."""
    found = []
    for key, spec in schema.get("properties", {}).items():
        if key not in config:
            continue
        name = f"{where}{key}"
        if "default" in spec:
            found.append((name, config[key], spec["default"]))
        if isinstance(config[key], dict) and "properties" in spec:
            found += _defaults_set(spec, config[key], f"{name}.")
    return found


def test_config_yaml_spells_out_the_schema_defaults_unchanged():
    """config/config.yaml lists the tuning keys for users to see and edit; the values it ships
    with are the schema's defaults, so that a default changed in the schema (its one home) is
    the default run's value too."""
    schema = yaml.safe_load(Path(SCHEMA).read_text())
    with open(REPO / "config" / "config.yaml") as handle:
        shipped = yaml.safe_load(handle)
    listed = _defaults_set(schema, shipped)
    assert len(listed) > 30
    differing = [
        (key, value, default)
        for key, value, default in listed
        if value != default and not isinstance(default, dict)
    ]
    assert differing == []
