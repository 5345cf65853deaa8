"""Fixtures of the signature tests: the curated models and hand-built edge and target tables.

Hand-built cases with known answers run against small curated tables in tests/data/signatures/
(the layouts of resources/curated/) and against the real curated tables.  Edge tables are built
here: a universe of background miRNAs that target only genes outside the model, plus query
miRNAs whose targets are chosen so that each call has an answer that can be worked out by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomir import signatures as sg
from exomir.enrichment import NullSettings

CURATED = Path(__file__).resolve().parents[2] / "resources" / "curated"


@pytest.fixture(scope="session")
def fixture_dir(data_dir: Path) -> Path:
    """The small curated tables of tests/data/signatures/."""
    return data_dir / "signatures"


@pytest.fixture(scope="session")
def model(fixture_dir: Path) -> sg.SignatureModel:
    """The model of the small curated tables."""
    return sg.read_model(
        fixture_dir / "pathway_regulators.tsv",
        fixture_dir / "gene_roles.tsv",
        fixture_dir / "focus_pathways.yaml",
    )


@pytest.fixture(scope="session")
def real_model() -> sg.SignatureModel:
    """The model of the curated tables the workflow uses (resources/curated/)."""
    return sg.read_model(
        CURATED / "pathway_regulators.tsv",
        CURATED / "gene_roles.tsv",
        CURATED / "focus_pathways.yaml",
    )


def _universe_edges(query: dict[str, dict[str, float]], n_background: int = 99) -> pd.DataFrame:
    rows = [(mirna, gene, conf) for mirna, genes in query.items() for gene, conf in genes.items()]
    for i in range(n_background):
        for j in range(3):
            rows.append((f"hsa-miR-{9000 + i}-5p", f"FILLER{(i + j) % 50}", 0.5))
    return pd.DataFrame(rows, columns=["mirna", "gene", "confidence"])


def _set_table(
    edges: pd.DataFrame, mirnas: dict[str, float], set_name: str = "query"
) -> pd.DataFrame:
    rows = edges[edges["mirna"].isin(list(mirnas))].copy()
    rows.insert(0, "set", set_name)
    rows.insert(1, "input_name", rows["mirna"].str.removeprefix("hsa-"))
    rows["weight"] = rows["mirna"].map(mirnas)
    rows["n_sources"] = 1
    rows["sources"] = "mirtarbase"
    rows["mirtarbase_tier"] = "strong"
    rows["mirtarbase_pmids"] = 2
    return rows.reset_index(drop=True)


def _score(
    edges: pd.DataFrame,
    mirnas: dict[str, float],
    model: sg.SignatureModel,
    *,
    n_random: int = 2000,
    seed: int = 3,
    stratified: int = 0,
    **kwargs,
) -> sg.SignatureResult:
    return sg.score_set(
        _set_table(edges, mirnas),
        edges,
        model,
        set_name="query",
        null=NullSettings(n_random=n_random, seed=seed, stratified=stratified, **kwargs),
    )


def _random_universe(seed: int, n_mirnas: int, genes: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_mirnas):
        hit = rng.choice(len(genes), size=rng.integers(1, 6), replace=False)
        for g in sorted(hit):
            rows.append((f"hsa-miR-{100 + i}-5p", genes[g], round(float(rng.uniform(0.2, 1)), 3)))
    return pd.DataFrame(rows, columns=["mirna", "gene", "confidence"])


@pytest.fixture(scope="session")
def universe_edges() -> Callable[..., pd.DataFrame]:
    """``universe_edges(query, n_background=99)``: edges of ``query`` miRNAs (miRNA -> gene ->
    confidence) plus background miRNAs that hit no gene of any model.

    Each background miRNA targets three filler genes (``FILLER<n>``), so random sets that do not
    contain a query miRNA score exactly 0 on every call.
    """
    return _universe_edges


@pytest.fixture(scope="session")
def set_table() -> Callable[..., pd.DataFrame]:
    """``set_table(edges, mirnas, set_name="query")``: a set's target table
    (results/targets/{set}.tsv layout) for ``mirnas`` (miRNA -> weight) of ``edges``."""
    return _set_table


@pytest.fixture(scope="session")
def score() -> Callable[..., sg.SignatureResult]:
    """``score(edges, mirnas, model, n_random=2000, seed=3, stratified=0, **null)``: the set
    ``mirnas`` (miRNA -> weight) of ``edges`` scored; a uniform null unless asked otherwise, so
    that the hand-built answers do not depend on how target-count strata fall."""
    return _score


@pytest.fixture(scope="session")
def random_universe() -> Callable[..., pd.DataFrame]:
    """``random_universe(seed, n_mirnas, genes)``: a small universe with seeded random edges to
    ``genes`` and random confidences."""
    return _random_universe
