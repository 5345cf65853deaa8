"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder of the hand-written fixtures in official layouts."""
    return DATA


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The real reference data named by $EXOMIR_REFERENCE_DIR; skips the test when unset."""
    value = os.environ.get("EXOMIR_REFERENCE_DIR")
    if not value:
        pytest.skip("EXOMIR_REFERENCE_DIR is not set: no real reference data on this machine")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"EXOMIR_REFERENCE_DIR={value} is not a directory")
    return path
