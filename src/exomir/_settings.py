"""Settings of the enrichment: the ``enrichment`` section of the config, checked.

The JSON schema (``workflow/schemas/config.schema.yaml``) owns every default and checks each key
on its own; the classes here read a validated section (:func:`exomir.config.with_defaults` fills
a partial one) and check what needs two keys at once. :func:`exomir.config.check_config` builds
them, so a bad combination stops the workflow before any job starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._schema import require_keys, schema_defaults
from .errors import ConfigError

#: Background kinds of the over-representation test.
BACKGROUND_KINDS = ("targetable", "library", "user", "protein_coding")
#: miRNA-universe kinds of the empirical null.
UNIVERSE_KINDS = ("all", "file")
#: Test statistics of the empirical null: the summed per-miRNA scores (:mod:`exomir._scores`),
#: the share of the set's targets that fall in the term (BUFET's; :class:`exomir._null.ShareTest`),
#: the raw overlap, or ``auto`` (the default): ``mirna_sum`` where the target-count strata match
#: the set (after tilting them to it where they could not, ``tilt``) and ``share`` where they
#: still cannot (:meth:`EnrichmentEngine.resolve_statistic`).  On the real references
#: ``mirna_sum`` finds planted themes far more often at the same calibration where the strata
#: match, but puts 25 % of tests at p < 0.05 for themeless sets of 150 target-rich miRNAs, which
#: the strata cannot match; ``share`` stays calibrated there, and ``overlap`` does not (13 % and
#: 47 % at 150 and 300; bench/README.md, bench/power.py).
NULL_STATISTICS = ("auto", "mirna_sum", "share", "overlap")
#: Target-count bins of the empirical null by default (``stratified: true`` in config).  Chosen
#: on the real references (miRTarBase 2017 + TargetScan 7.0: 2,544 miRNAs, 8,696 terms; numbers
#: in bench/README.md) with random miRNA sets that copy the target-count profile of each real
#: MSC set and have no other theme: the null should give them p < 0.05 in 5 % of tests.  With 5
#: or 10 bins it gives 28-41 % and up to 14 % (the study bias is left in); with 20, between 0.8 %
#: and 7.8 % depending on where the sets' miRNAs fall in the wide top bins; with 30, 4.1-5.6 % for
#: all four profiles; with 40-50 the strata shrink and it turns conservative (2.0-5.8 %).  With 30
#: bins each holds 1/30 of the universe (67-106 miRNAs here).
DEFAULT_STRATA = 30

#: Default ``max_draws`` as a multiple of ``n_random``: 20 x 10,000 = 200,000 random sets,
#: counted p-values down to 5e-6 (a single call among the 6,158 GO terms needs 8e-6), with the
#: tail fit beyond.  1,000,000 resolves further but costs the calibration 2.5 times its time at
#: 20 miRNAs per query (bench/README.md): every term of a random query with no exceedance in the
#: first N draws has to be resolved, and there is about one per query.
EXTENSION_FACTOR = 20

# Field defaults come from the schema (their one home); from_config reads a validated section.
_NULL_DEFAULTS = schema_defaults("enrichment.empirical")
_NULL_KEYS = tuple(_NULL_DEFAULTS)
_ENRICHMENT_DEFAULTS = schema_defaults("enrichment")
_ENRICHMENT_KEYS = ("background", "background_genes", "min_size", "max_size", "fdr")


def _int_setting(value: Any, key: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(
            f"{key} must be an integer >= {minimum}",
            value=value,
            hint=f"set {key} in config/config.yaml",
        )
    return int(value)


def _fraction_setting(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ConfigError(f"{key} must be a number in (0, 1]", value=value)
    return float(value)


@dataclass(frozen=True)
class NullSettings:
    """Settings of the miRNA-set empirical null (``enrichment.empirical`` in config).

    Attributes
    ----------
    n_random
        Random miRNA sets ``N``; p-values go down to ``1 / (1 + N)``.
    seed
        Seed of the :class:`numpy.random.Generator` (PCG64) that draws them.
    universe
        ``all`` (every miRNA with at least one target edge) or ``file`` (the miRNAs listed in
        ``universe_file`` that have a target edge).
    universe_file
        One miRNA name per line, for ``universe: file``.
    stratified
        Number of target-count quantile bins to stratify the draws on (default
        :data:`DEFAULT_STRATA`); 0 draws uniformly from the universe.  ``True`` means
        :data:`DEFAULT_STRATA` and ``False`` 0, as in config.  Stratification is the default
        because well-studied miRNAs (the ones that end up in curated sets) have many validated
        targets: a uniform null compares them with barely studied, target-poor miRNAs and calls
        almost every pathway "enriched".
    sequential_stop
        Besag-Clifford ``h``: a term stops drawing after ``h`` random sets reach its observed
        overlap; 0 draws all ``N`` sets for every term.
    statistic
        One of :data:`NULL_STATISTICS`: what a random set must reach -- the set's summed
        per-miRNA scores for the term, its share of targets in the term, or its overlap with
        the term; ``auto`` picks ``mirna_sum`` or ``share`` per set.
    max_draws
        Most random sets a term may get: after the first ``N``, the terms that could still pass
        the FDR threshold in one of their testing families go on drawing (from a second stream
        of the seed) up to ``max_draws``, so that p-values can go below ``1 / N`` where that
        decides a call; beyond it the counted p-value, or the floor ``1 / (draws + 1)``.
        Equal to ``n_random``: no extension; None: :data:`EXTENSION_FACTOR` times
        ``n_random`` (:attr:`draw_limit`).
    score_threshold
        For ``mirna_sum``: a miRNA's evidence for a term counts only beyond this p-value of its
        own hypergeometric test, as ``ln(score_threshold / p)`` (:mod:`exomir._scores`); 1
        counts its whole ``-ln p``.
    families
        For ``mirna_sum``: miRNAs whose target sets overlap with Jaccard at least this much
        form a family; two or more members in a set count once, with the family's mean scores
        (:class:`exomir._scores.FamilyCollapse`); 0 counts every miRNA on its own.
    tilt
        Where the target-count strata cannot match a set (the matching check of
        :func:`exomir._analytic.matching_report`), draw the miRNAs of its wide strata with
        weights that give random sets the set's target counts on average
        (:func:`exomir._null.tilt_strata`); False draws uniformly within every stratum.
    tail_fit
        Beyond ``max_draws``, replace counted p-values with fewer than 10 exceedances by a
        generalized Pareto tail fit (:mod:`exomir._pvalues`), for the ``share`` and ``overlap``
        statistics and the signatures (``mirna_sum`` keeps its counts).  Off by default: the fit
        extrapolates, and was optimistic for part of the real terms (bench/README.md).
    """

    n_random: int = _NULL_DEFAULTS["n_random"]
    seed: int = _NULL_DEFAULTS["seed"]
    universe: str = _NULL_DEFAULTS["universe"]
    universe_file: str | None = _NULL_DEFAULTS["universe_file"]
    stratified: int = _NULL_DEFAULTS["stratified"]
    sequential_stop: int = _NULL_DEFAULTS["sequential_stop"]
    statistic: str = _NULL_DEFAULTS["statistic"]
    max_draws: int | None = _NULL_DEFAULTS["max_draws"]
    tail_fit: bool = _NULL_DEFAULTS["tail_fit"]
    families: float = _NULL_DEFAULTS["families"]
    tilt: bool = _NULL_DEFAULTS["tilt"]
    score_threshold: float = _NULL_DEFAULTS["score_threshold"]

    def __post_init__(self) -> None:
        if self.stratified is True or self.stratified is False:
            object.__setattr__(self, "stratified", DEFAULT_STRATA if self.stratified else 0)
        _int_setting(self.n_random, "enrichment.empirical.n_random", 1)
        _int_setting(self.seed, "enrichment.empirical.seed", 0)
        _int_setting(self.sequential_stop, "enrichment.empirical.sequential_stop", 0)
        if self.statistic not in NULL_STATISTICS:
            raise ConfigError(
                "unknown enrichment.empirical.statistic",
                value=self.statistic,
                hint=f"use one of {', '.join(NULL_STATISTICS)}",
            )
        if self.max_draws is not None:
            _int_setting(self.max_draws, "enrichment.empirical.max_draws", 1)
        if (
            isinstance(self.families, bool)
            or not isinstance(self.families, (int, float, np.integer, np.floating))
            or not 0 <= self.families <= 1
        ):
            raise ConfigError(
                "enrichment.empirical.families must be a number from 0 to 1",
                value=self.families,
                hint="write families: 0.5 (seed families counted once) or families: 0 (off)",
            )
        if (
            isinstance(self.score_threshold, bool)
            or not isinstance(self.score_threshold, (int, float, np.integer, np.floating))
            or not 0 < self.score_threshold <= 1
        ):
            raise ConfigError(
                "enrichment.empirical.score_threshold must be a p-value in (0, 1]",
                value=self.score_threshold,
                hint="write score_threshold: 0.05 (evidence beyond p = 0.05 counts) or 1 (all)",
            )
        if not isinstance(self.tilt, (bool, np.bool_)):
            raise ConfigError(
                "enrichment.empirical.tilt must be true or false",
                value=self.tilt,
                hint="write tilt: true (random sets matched to target-rich sets) or tilt: false",
            )
        if not isinstance(self.tail_fit, (bool, np.bool_)):
            raise ConfigError(
                "enrichment.empirical.tail_fit must be true or false",
                value=self.tail_fit,
                hint="write tail_fit: true or tail_fit: false",
            )
        if self.draw_limit < self.n_random:
            raise ConfigError(
                "enrichment.empirical.max_draws is smaller than enrichment.empirical.n_random",
                value=(self.max_draws, self.n_random),
                hint="set max_draws >= n_random (equal: no draws beyond n_random)",
            )
        if self.universe not in UNIVERSE_KINDS:
            raise ConfigError(
                "unknown enrichment.empirical.universe",
                value=self.universe,
                hint=f"use one of {', '.join(UNIVERSE_KINDS)}",
            )
        if self.universe == "file" and not self.universe_file:
            raise ConfigError(
                "enrichment.empirical.universe is 'file' but enrichment.empirical.universe_file is not set",
                hint="name a file with one miRNA per line",
            )
        strat = self.stratified
        if not isinstance(strat, (int, np.integer)) or strat == 1 or strat < 0:
            raise ConfigError(
                "enrichment.empirical.stratified must be false, true or a number of bins >= 2",
                value=strat,
                hint=f"true means {DEFAULT_STRATA} target-count bins; false draws uniformly",
            )
        object.__setattr__(self, "stratified", int(strat))

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> NullSettings:
        """Build from the validated ``enrichment.empirical`` mapping of the config."""
        require_keys(section, _NULL_KEYS, "enrichment.empirical")
        return cls(**{key: section[key] for key in _NULL_KEYS})

    @property
    def draw_limit(self) -> int:
        """Most random sets per term: ``max_draws``, or :data:`EXTENSION_FACTOR` x ``n_random``."""
        if self.max_draws is None:
            return EXTENSION_FACTOR * self.n_random
        return int(self.max_draws)

    @property
    def label(self) -> str:
        """``uniform`` or ``stratified:<bins>`` (the null named in tables and logs)."""
        return f"stratified:{self.stratified}" if self.stratified else "uniform"


@dataclass(frozen=True)
class EnrichmentSettings:
    """Settings of the enrichment of one set (the ``enrichment`` section of the config).

    Attributes
    ----------
    background
        One of :data:`BACKGROUND_KINDS`.
    background_genes
        Gene list file for ``user`` (or ``protein_coding`` without a gene table).
    min_size, max_size
        Terms are tested when their size *inside the background* is within these limits.
    fdr
        Threshold that calls a term significant (for redundancy grouping).
    null
        Empirical-null settings; None runs ORA only.
    jaccard
        Redundancy threshold on the Jaccard index of overlapping genes.
    """

    background: str = _ENRICHMENT_DEFAULTS["background"]
    background_genes: str | None = _ENRICHMENT_DEFAULTS["background_genes"]
    min_size: int = _ENRICHMENT_DEFAULTS["min_size"]
    max_size: int = _ENRICHMENT_DEFAULTS["max_size"]
    fdr: float = _ENRICHMENT_DEFAULTS["fdr"]
    null: NullSettings | None = field(default_factory=NullSettings)
    jaccard: float = schema_defaults("enrichment.redundancy")["jaccard"]

    def __post_init__(self) -> None:
        check_background_kind(self.background)
        check_size_range(self.min_size, self.max_size, "enrichment")
        _fraction_setting(self.fdr, "enrichment.fdr")
        _fraction_setting(self.jaccard, "enrichment.redundancy.jaccard")
        if self.background == "user" and not self.background_genes:
            raise ConfigError(
                "enrichment.background is 'user' but enrichment.background_genes is not set",
                hint="name a file with one gene symbol per line",
            )

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> EnrichmentSettings:
        """Build from the validated ``enrichment`` mapping of the config."""
        require_keys(section, (*_ENRICHMENT_KEYS, "empirical", "redundancy"), "enrichment")
        require_keys(section["redundancy"], ("jaccard",), "enrichment.redundancy")
        return cls(
            **{key: section[key] for key in _ENRICHMENT_KEYS},
            null=NullSettings.from_config(section["empirical"]),
            jaccard=section["redundancy"]["jaccard"],
        )


def check_size_range(min_size: Any, max_size: Any, section: str) -> tuple[int, int]:
    """Check ``<section>.min_size`` and ``max_size``: whole numbers >= 1, in order."""
    low = _int_setting(min_size, f"{section}.min_size", 1)
    high = _int_setting(max_size, f"{section}.max_size", 1)
    if high < low:
        raise ConfigError(
            f"{section}.min_size is larger than {section}.max_size",
            value=(low, high),
        )
    return low, high


def check_background_kind(kind: str) -> str:
    """Return ``kind`` if it is a known background kind, else raise :class:`ConfigError`."""
    if kind not in BACKGROUND_KINDS:
        raise ConfigError(
            "unknown enrichment.background",
            value=kind,
            hint=f"use one of {', '.join(BACKGROUND_KINDS)}",
        )
    return kind
