"""The package re-exports its public API, loaded on first use."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import exomir


@pytest.mark.parametrize("name", sorted(exomir._EXPORTS))
def test_every_export_resolves_to_its_module(name):
    module = importlib.import_module(f"exomir.{exomir._EXPORTS[name]}")
    assert getattr(exomir, name) is getattr(module, name)
    assert name in dir(exomir)


def test_unknown_name():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        exomir.nope  # noqa: B018


def test_import_is_cheap():
    code = "import sys, exomir; print('matplotlib' in sys.modules, 'jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
