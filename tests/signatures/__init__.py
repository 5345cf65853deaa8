"""Tests of exomir.signatures, one module per module of the package."""
