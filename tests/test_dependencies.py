"""The declared dependencies agree with each other and with what is installed.

``pyproject.toml`` declares the minimum versions the code needs (CI also runs the unit tests with
exactly those minimums, see ``.ci/run``); ``workflow/envs/exomir.yaml`` pins the versions the
rules run with under ``--sdm conda``. Every runtime dependency must be pinned in the conda
environment at a version its floor admits.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent

#: conda-forge names of PyPI packages whose names differ there.
CONDA_NAMES = {"snakemake": "snakemake-minimal", "matplotlib": "matplotlib-base"}
#: What an extra of a dependency brings in (``snakemake[reports]`` -> pygments).
EXTRAS = {("snakemake", "reports"): ("pygments",)}


def _requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"]]


def _conda_pins() -> dict[str, Version]:
    env = yaml.safe_load((REPO / "workflow" / "envs" / "exomir.yaml").read_text(encoding="utf-8"))
    pins = {}
    for item in env["dependencies"]:
        if isinstance(item, str) and "==" in item:
            name, _, pinned = item.partition("==")
            pins[name.strip().lower()] = Version(pinned.strip())
    return pins


def _normal(name: str) -> str:
    return name.lower().replace("-", "_")


@pytest.mark.parametrize("requirement", _requirements(), ids=lambda r: r.name)
def test_conda_environment_pins_every_dependency_within_its_floor(requirement):
    pins = {_normal(k): v for k, v in _conda_pins().items()}
    name = _normal(CONDA_NAMES.get(requirement.name.lower(), requirement.name))
    assert name in pins, f"{requirement.name} is not pinned in workflow/envs/exomir.yaml"
    assert requirement.specifier.contains(pins[name]), (
        f"workflow/envs/exomir.yaml pins {requirement.name} {pins[name]}, outside {requirement}"
    )
    for extra in requirement.extras:
        for brought in EXTRAS.get((requirement.name.lower(), extra), ()):
            assert _normal(brought) in pins, f"{brought} ({requirement}) is not pinned"


@pytest.mark.parametrize("requirement", _requirements(), ids=lambda r: r.name)
def test_installed_versions_meet_the_declared_floors(requirement):
    try:
        installed = Version(version(requirement.name))
    except PackageNotFoundError:  # pragma: no cover - pip would have installed it
        pytest.fail(f"{requirement.name} is declared but not installed")
    assert requirement.specifier.contains(installed), f"{requirement.name} {installed}"


def test_every_imported_third_party_module_is_declared():
    """A module the library imports must come from a declared distribution."""
    import ast
    import sys

    declared = {_normal(r.name) for r in _requirements()}
    # import name -> distribution name, where they differ
    provided_by = {"yaml": "pyyaml", "Bio": "biopython", "markupsafe": "jinja2"}
    stdlib = set(sys.stdlib_module_names)
    missing = set()
    for path in (REPO / "src" / "exomir").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in stdlib or top == "exomir":
                    continue
                if _normal(provided_by.get(top, top)) not in declared:
                    missing.add(f"{top} ({path.relative_to(REPO)})")
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"
