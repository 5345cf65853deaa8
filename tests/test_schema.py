"""The config schema as the one home of defaults (exomir._schema, public as
exomir.config.with_defaults): the same defaults as Snakemake's validate, filled without side
effects, and errors that name the key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

from exomir._schema import SCHEMA, schema_defaults
from exomir.config import with_defaults
from exomir.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent
MINIMAL = {
    "mirna_sets": "s.tsv",
    "references": {
        "mirbase": {"version": "22.1", "files": {"mature": {"path": "m.fa"}}},
        "genes": {"version": "1", "files": {"hgnc": {"path": "h.txt"}}},
        "targets": {"a": {"format": "pairs", "version": "1", "files": {"table": {"path": "p"}}}},
        "gene_sets": {"g": {"format": "gmt", "version": "1", "files": {"gmt": {"path": "g"}}}},
    },
    "targets": {"sources": ["a"]},
}


def test_the_schema_is_the_workflows():
    assert REPO / "workflow" / "schemas" / "config.schema.yaml" == SCHEMA


@pytest.mark.parametrize("name", ["minimal", "default"])
def test_with_defaults_fills_what_snakemake_validate_fills(name):
    if name == "minimal":
        config = copy.deepcopy(MINIMAL)
    else:
        config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    by_snakemake = copy.deepcopy(config)
    validate(by_snakemake, str(SCHEMA))
    filled = with_defaults(config)
    assert filled == by_snakemake
    assert filled["enrichment"]["empirical"]["n_random"] == 10000
    assert filled["enrichment"]["prerank"]["min_size"] is None


def test_with_defaults_leaves_its_input_and_the_schema_alone():
    section = {"empirical": {"n_random": 50}}
    filled = with_defaults(section, "enrichment")
    assert section == {"empirical": {"n_random": 50}}
    assert filled["empirical"] == {**schema_defaults("enrichment.empirical"), "n_random": 50}
    filled["redundancy"]["jaccard"] = 0.9
    filled["compare"]["pairs"] = [["a", "b"]]
    again = with_defaults({}, "enrichment")
    assert again["redundancy"]["jaccard"] == 0.5 and again["compare"]["pairs"] is None


def test_invalid_values_name_the_key():
    with pytest.raises(ConfigError, match=r"invalid config key enrichment\.empirical\.n_random"):
        with_defaults({"n_random": 0}, "enrichment.empirical")
    with pytest.raises(ConfigError, match=r"invalid config key enrichment\.empirical\.n_random"):
        with_defaults({"empirical": {"n_random": "many"}}, "enrichment")
    with pytest.raises(ConfigError, match="is a required property"):
        with_defaults({"mirna_sets": "s.tsv"})
    with pytest.raises(ValueError, match=r"no section 'enrichment\.nothing'"):
        with_defaults({}, "enrichment.nothing")


def test_schema_defaults_of_a_section():
    assert schema_defaults("enrichment.empirical") == {
        "n_random": 10000,
        "seed": 1,
        "universe": "all",
        "universe_file": None,
        "stratified": True,
        "sequential_stop": 100,
        "statistic": "auto",
        "families": 0.5,
        "tilt": True,
        "score_threshold": 0.05,
        "max_draws": None,
        "tail_fit": False,
    }
    assert "sources" not in schema_defaults("targets")  # required, no default
