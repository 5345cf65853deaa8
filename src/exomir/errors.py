"""Exceptions raised by exomir.

Every error a user can cause (a bad input file, a config value out of range, a failed download)
is an :class:`ExomirError` whose message names *what* is wrong (the file, the line or the
value) and *how to fix it*.  Workflow scripts let these propagate: Snakemake prints the message,
marks the job as failed and removes its incomplete outputs.
"""

from __future__ import annotations

from os import PathLike


class ExomirError(Exception):
    """Base class of every error exomir raises on purpose."""


class InputError(ExomirError):
    """A user-supplied file or value is malformed.

    Parameters
    ----------
    problem
        What is wrong, as a sentence.
    path
        The file the problem is in, when there is one.
    line
        1-based line number in ``path``, when known.
    value
        The offending value, when there is one.
    hint
        What would fix it.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = None if path is None else str(path)
        self.line = line
        self.value = value
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f", line {self.line}"
            where += ": "
        text = where + self.problem
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if self.hint:
            text += f". {self.hint[0].upper()}{self.hint[1:]}"
        return text


class ReferenceFormatError(InputError):
    """A reference file does not have the layout of its official distribution."""


class ConfigError(InputError):
    """A configuration value is invalid or inconsistent with another one."""


class DownloadError(ExomirError):
    """A reference could not be retrieved (no network, HTTP error, truncated transfer)."""


class ChecksumError(DownloadError):
    """A retrieved file does not have the expected SHA-256 checksum."""


class UnresolvedNamesError(ExomirError):
    """Input miRNA names that could not be mapped to exactly one current miRBase entry."""
