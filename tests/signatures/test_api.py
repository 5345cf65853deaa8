"""Tests of exomir.signatures/__init__.py: the public API the report and the workflow use."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import exomir.signatures as sg
from exomir import tables

#: What exomir.report and workflow/scripts/signatures.py take from the package.
USED_OUTSIDE = (
    "AGREEMENTS",
    "ALPHA",
    "REPORT_DRIVERS",
    "SignatureFiles",
    "TOP_DRIVERS",
    "agreement_counts",
    "check_table",
    "group_files",
    "read_set_files",
    "report_drivers",
    "report_rows",
    "read_model",
    "read_set_targets",
    "read_scoring_edges",
    "score_set",
    "literature_comparison",
    "read_literature",
    "file_checksums",
    "summarise",
    "read_table",
)


@pytest.mark.parametrize("name", sorted(sg.__all__))
def test_every_public_name_resolves(name):
    assert getattr(sg, name) is not None


def test_the_names_used_outside_are_public():
    assert set(USED_OUTSIDE) <= set(sg.__all__)


def _defined(path: Path) -> list[str]:
    """Names a module defines at top level: functions, classes and assigned constants."""
    names = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return [n for n in names if not n.startswith("_") and n != "log"]


def test_every_public_definition_of_a_module_is_re_exported():
    for info in pkgutil.iter_modules(sg.__path__):
        if info.name == "_checks":
            continue  # cell helpers shared by the modules, not part of the API
        module = importlib.import_module(f"exomir.signatures.{info.name}")
        for name in _defined(Path(module.__file__)):
            assert name in sg.__all__, f"{info.name}.{name} is not re-exported"
            assert getattr(sg, name) is getattr(module, name)


def test_column_lists_are_those_of_the_table_specs():
    assert tables.SIGNATURES.columns == sg.TABLE_COLUMNS
    assert tables.SIGNATURE_DRIVERS.columns == sg.DRIVER_COLUMNS
    assert tables.SIGNATURE_LITERATURE.columns == sg.LITERATURE_COLUMNS


def test_edge_readers_do_not_share_the_enrichment_s_names():
    # exomir.enrichment.read_edges/clean_edges need no confidence; scoring's readers do.
    assert not hasattr(sg, "read_edges") and not hasattr(sg, "clean_edges")
