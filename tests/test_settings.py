"""Enrichment settings (exomir._settings): built from a validated config, their cross-key checks,
and field defaults that are the schema's."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from exomir._settings import DEFAULT_STRATA, check_size_range
from exomir.config import with_defaults
from exomir.enrichment import EnrichmentSettings, NullSettings
from exomir.errors import ConfigError


def enrichment(**changes: object) -> dict:
    """The default ``enrichment`` section with ``changes`` merged in (one level deep).

    The changes bypass the schema on purpose: the settings must catch a bad value even in a
    mapping that was never validated.
    """
    section = with_defaults({}, "enrichment")
    for key, value in changes.items():
        if isinstance(value, dict):
            section[key] = {**section[key], **value}
        else:
            section[key] = value
    return section


def test_field_defaults_are_the_schema_defaults():
    assert EnrichmentSettings() == EnrichmentSettings.from_config(with_defaults({}, "enrichment"))
    assert NullSettings() == NullSettings.from_config(with_defaults({}, "enrichment.empirical"))
    settings = EnrichmentSettings()
    assert settings.background == "targetable" and settings.null == NullSettings()
    assert settings.null.sequential_stop == 100 and settings.null.n_random == 10_000
    # Stratified on target counts unless told otherwise.
    assert settings.null.stratified == DEFAULT_STRATA and settings.null.label == "stratified:30"


def test_settings_from_config_read_every_value():
    for value, bins in ((True, DEFAULT_STRATA), (False, 0), (8, 8)):
        null = EnrichmentSettings.from_config(enrichment(empirical={"stratified": value})).null
        assert null.stratified == bins
    assert NullSettings(stratified=False).label == "uniform"
    assert NullSettings(stratified=np.int64(4)).stratified == 4
    config = with_defaults(
        {
            "background": "library",
            "min_size": 5,
            "max_size": 300,
            "fdr": 0.1,
            "empirical": {"n_random": 500, "seed": 3, "stratified": True, "sequential_stop": 0},
            "redundancy": {"jaccard": 0.4},
        },
        "enrichment",
    )
    settings = EnrichmentSettings.from_config(config)
    assert (settings.background, settings.min_size, settings.max_size) == ("library", 5, 300)
    assert settings.null.stratified == DEFAULT_STRATA and settings.null.sequential_stop == 0
    assert (settings.null.n_random, settings.null.seed) == (500, 3)
    assert settings.jaccard == 0.4 and settings.fdr == 0.1


def test_from_config_of_an_unvalidated_section_says_how_to_fill_it():
    with pytest.raises(ConfigError, match="lacks key\\(s\\) background") as err:
        EnrichmentSettings.from_config({})
    assert "with_defaults" in str(err.value)
    partial = with_defaults({}, "enrichment")
    del partial["empirical"]["seed"]
    with pytest.raises(ConfigError, match=r"enrichment\.empirical lacks key\(s\) seed"):
        EnrichmentSettings.from_config(partial)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"empirical": {"n_random": 0}}, "enrichment.empirical.n_random must be an integer >= 1"),
        ({"empirical": {"n_random": -5}}, "enrichment.empirical.n_random must be an integer >= 1"),
        ({"empirical": {"n_random": 2.5}}, "enrichment.empirical.n_random must be an integer >= 1"),
        (
            {"empirical": {"n_random": True}},
            "enrichment.empirical.n_random must be an integer >= 1",
        ),
        ({"empirical": {"seed": -1}}, "enrichment.empirical.seed must be an integer >= 0"),
        ({"empirical": {"sequential_stop": -1}}, "sequential_stop must be an integer >= 0"),
        ({"empirical": {"universe": "detected"}}, "unknown enrichment.empirical.universe"),
        ({"empirical": {"universe": "file"}}, "universe_file is not set"),
        ({"empirical": {"stratified": 1}}, "stratified must be false, true or a number of bins"),
        ({"empirical": {"stratified": -3}}, "stratified must be false, true or a number of bins"),
        ({"empirical": {"stratified": 2.5}}, "stratified must be false, true or a number of bins"),
        (
            {"empirical": {"stratified": "yes"}},
            "stratified must be false, true or a number of bins",
        ),
        ({"background": "expressed"}, "unknown enrichment.background"),
        ({"background": "user"}, "background_genes is not set"),
        ({"min_size": 0}, "enrichment.min_size must be an integer >= 1"),
        ({"min_size": 50, "max_size": 10}, "min_size is larger than enrichment.max_size"),
        ({"fdr": 0}, "enrichment.fdr must be a number in \\(0, 1\\]"),
        ({"redundancy": {"jaccard": 1.5}}, "jaccard must be a number in \\(0, 1\\]"),
        ({"empirical": {"families": 1.5}}, "families must be a number from 0 to 1"),
        ({"empirical": {"families": -0.1}}, "families must be a number from 0 to 1"),
        ({"empirical": {"families": True}}, "families must be a number from 0 to 1"),
        ({"empirical": {"families": "seed"}}, "families must be a number from 0 to 1"),
    ],
)
def test_bad_config_is_a_clear_config_error(changes, message):
    with pytest.raises(ConfigError, match=message) as err:
        EnrichmentSettings.from_config(enrichment(**changes))
    assert "enrichment." in str(err.value)  # names the config key


@pytest.mark.parametrize(
    "changes",
    [
        {"empirical": {"universe": "file"}},
        {"background": "user"},
        {"min_size": 50, "max_size": 10},
    ],
)
def test_cross_key_constraints_pass_the_schema_and_stop_at_the_settings(changes):
    # The schema checks each key alone, so these pass it; the settings are their one check.
    section = with_defaults(enrichment(**changes), "enrichment")
    with pytest.raises(ConfigError):
        EnrichmentSettings.from_config(section)


def test_size_range_check_names_the_section():
    assert check_size_range(3, 3, "enrichment.prerank") == (3, 3)
    with pytest.raises(ConfigError, match=r"enrichment\.prerank\.min_size is larger than"):
        check_size_range(9, 3, "enrichment.prerank")
    with pytest.raises(ConfigError, match=r"enrichment\.max_size must be an integer >= 1"):
        check_size_range(1, 0, "enrichment")


def test_from_config_does_not_change_the_config():
    section = with_defaults({"min_size": 4}, "enrichment")
    before = copy.deepcopy(section)
    EnrichmentSettings.from_config(section)
    assert section == before
