"""Configuration: the JSON schema, cross-key checks and where reference files come from."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from exomir.config import (
    check_config,
    check_references,
    comparison_pairs,
    host_reachable,
    is_dry_run,
    missing_references,
    reference_files,
    reference_input,
)
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
    assert minimal["enrichment"]["calibration"]["n_queries"] == 100


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
        (
            lambda c: c["references"]["refseq"].pop("files"),
            "references.refseq (source gene2refseq) needs files: gene2refseq:",
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
    config["references"]["genes"]["files"] = {"hgnc": {"path": "$MY_REFS/hgnc.txt"}}
    hgnc = next(f for f in reference_files(config) if f.role == "hgnc")
    assert reference_input(hgnc) == str(tmp_path / "hgnc.txt")


def test_unset_variable_names_variable_and_key(config, monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    config["references"]["genes"]["files"] = {"hgnc": {"path": "$NOT_SET_ANYWHERE/hgnc.txt"}}
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


# ---------------------------------------------------------------- reference sources and preflight


def test_default_references_mirtarbase_hosts_and_hgnc_month(config):
    files = {f.key: f for f in reference_files(config)}
    mti = files["references.targets.mirtarbase.files.table"]
    assert [u.split("/")[2] for u in mti.sources] == ["awi.cuhk.edu.cn", "mirtarbase.cuhk.edu.cn"]
    assert mti.location == mti.sources[0]
    assert mti.file_name == "hsa_MTI.csv"
    hgnc = files["references.genes.files.hgnc"]
    assert hgnc.version == config["references"]["genes"]["version"] == "2025-11"
    assert hgnc.sources[:2] == (
        "https://storage.googleapis.com/public-download-files/hgnc/archive/archive/monthly/tsv/"
        "hgnc_complete_set_2025-11-01.txt",
        "https://storage.googleapis.com/public-download-files/hgnc/archive/archive/monthly/tsv/"
        "hgnc_complete_set_2025-11-01.tsv",
    )
    assert hgnc.local_copy == (
        "references.genes.files.hgnc: {path: /path/to/hgnc_complete_set_2025-11-01.txt}"
    )


def test_hgnc_archive_and_current_in_config(config):
    config["references"]["genes"] = {"version": "current"}
    validate(config, SCHEMA)
    (hgnc,) = [f for f in reference_files(config) if f.role == "hgnc"]
    assert hgnc.sources == (
        "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt",
    )
    config["references"]["genes"] = {"version": "2024-10", "archive": ["http://127.0.0.1:1/a"]}
    validate(config, SCHEMA)
    (hgnc,) = [f for f in reference_files(config) if f.role == "hgnc"]
    assert hgnc.sources == (
        "http://127.0.0.1:1/a/hgnc_complete_set_2024-10-01.txt",
        "http://127.0.0.1:1/a/hgnc_complete_set_2024-10-01.tsv",
    )


@pytest.mark.parametrize("url", [[], ["ftp://x/y"], "mirtarbase.cuhk.edu.cn/hsa_MTI.csv", [1]])
def test_schema_rejects_bad_url_lists(config, url):
    config["references"]["targets"]["mirtarbase"]["files"]["table"] = {"url": url}
    with pytest.raises(WorkflowError):
        validate(config, SCHEMA)


def test_every_suggested_local_copy_is_accepted_by_the_schema(config):
    """The config entry each preflight line suggests is one the schema accepts."""
    for ref in reference_files(config):
        key, _, value = ref.local_copy.partition(": ")
        changed = copy.deepcopy(config)
        parts = key.split(".")[1:]
        node = changed["references"]
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = yaml.safe_load(value)
        validate(changed, SCHEMA)
        (local,) = [
            f
            for f in reference_files(changed)
            if (f.section, f.name, f.role) == (ref.section, ref.name, ref.role)
        ]
        assert (local.kind, local.location) == ("path", f"/path/to/{ref.file_name}")


def test_preflight_lists_every_missing_file_once(config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = reference_files(config)
    asked = []

    def unreachable(url):
        asked.append(url.split("/")[2])
        return False

    missing = missing_references(files, reachable=unreachable)
    assert missing == files  # nothing is present, no server answers
    assert len(asked) == len(set(asked))  # each server is asked once
    with pytest.raises(ConfigError) as caught:
        check_references(files, reachable=unreachable)
    message = str(caught.value)
    assert message.startswith(f"{len(files)} reference file(s) are neither present nor ")
    for ref in files:
        assert f"  - {ref.file_name} ({ref.key}, version {ref.version})" in message
        assert f"put it at {ref.download_path}" in message
        assert f"or set    {ref.local_copy}" in message
    assert "config/examples/local-references.yaml" in message
    assert "`snakemake --cores 1 download_references`" in message
    assert "hsa_MTI.csv" in message and "miRDB_v6.0_prediction_result.txt.gz" in message
    assert "KEGG_2021_Human.txt" in message
    assert (
        'references.gene_sets.KEGG_2021_Human: {format: gmt, version: "2021", files: {gmt: '
        in message
    )


def test_preflight_counts_downloads_in_place_and_reachable_servers(config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = reference_files(config)
    mature = next(f for f in files if f.role == "mature")
    Path(mature.download_path).parent.mkdir(parents=True)
    Path(mature.download_path).write_text(">x\nA\n")
    missing = missing_references(files, reachable=lambda url: "mirdb.org" in url)
    keys = {f.key for f in missing}
    assert mature.key not in keys  # already downloaded
    assert "references.targets.mirdb.files.table" not in keys  # its server answers
    assert "references.targets.mirtarbase.files.table" in keys
    # offline: nothing is downloadable, and no server is asked
    offline = missing_references(files, offline=True, reachable=lambda url: pytest.fail(url))
    assert [f.key for f in offline] == [f.key for f in files if f is not mature]


def test_preflight_lists_missing_local_copies_with_their_key(config, tmp_path):
    config["references"]["genes"]["files"] = {"hgnc": {"path": str(tmp_path / "hgnc.txt")}}
    files = [f for f in reference_files(config) if f.role == "hgnc"]
    with pytest.raises(ConfigError) as caught:
        check_references(files, offline=True)
    message = str(caught.value)
    assert f"`references.genes.files.hgnc.path` names {tmp_path / 'hgnc.txt'}" in message
    (tmp_path / "hgnc.txt").write_text("x")
    check_references(files, offline=True)


def test_host_reachable_on_the_loopback_interface(tmp_path):
    from http_server import LocalServer, unused_url

    with LocalServer(tmp_path) as server:
        assert host_reachable(server.url + "/any/file")
    assert not host_reachable(unused_url() + "/file", timeout=5)
    assert not host_reachable("https://no-such-host.invalid/file", timeout=5)
    (tmp_path / "f.txt").write_text("x")
    assert host_reachable((tmp_path / "f.txt").as_uri())
    assert not host_reachable((tmp_path / "absent.txt").as_uri())


def test_refseq_reference_gene2refseq_or_mygene(config):
    (g2r,) = [f for f in reference_files(config) if f.section == "refseq"]
    assert (g2r.key, g2r.role, g2r.file_name) == (
        "references.refseq.files.gene2refseq",
        "gene2refseq",
        "gene2refseq.gz",
    )
    assert config["references"]["refseq"]["source"] == "gene2refseq"
    config["references"]["refseq"] = {"version": "2025-11", "source": "mygene"}
    validate(config, SCHEMA)
    check_config(config, SOURCES)
    assert config["references"]["refseq"]["mygene_url"] == "https://mygene.info/v3"
    assert not [f for f in reference_files(config) if f.section == "refseq"]


@pytest.mark.parametrize(
    ("argv", "dry"),
    [
        (["--cores", "1", "-n"], True),
        (["-np", "--cores", "1"], True),
        (["--dry-run"], True),
        (["--cores", "1"], False),
        (["-s", "Snakefile", "--configfile", "n.yaml"], False),
        (["--config", "offline=true", "-p"], False),
    ],
)
def test_is_dry_run(argv, dry):
    assert is_dry_run(argv) is dry
