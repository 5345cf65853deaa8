"""How numbers and values are written on the pages: the Jinja filters of the templates.

p-values in scientific notation with true minus and multiplication signs, counts with
thousands separators, fractions as percentages, file sizes, sort keys for the table script and
the configuration as YAML. A missing value is always an en dash, never "nan".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from markupsafe import Markup

from ._derive import _finite

#: Typographic characters of the pages, spelled as escapes so that the source stays ASCII.
EN_DASH = "\u2013"
MINUS = "\u2212"
TIMES = "\u00d7"


def format_pvalue(value: object) -> Markup:
    """A p-value or FDR with two significant digits, as HTML.

    Values from 0.1 up are plain decimals (``0.34``, ``0.10``); smaller ones are in scientific
    notation (``3.2`` times ten to the ``-4``, with a true multiplication sign, minus sign and
    superscript), so that a column of p-values is read by its exponent. Missing values are
    shown as an en dash.
    """
    number = _finite(value)
    if number is None:
        return Markup(f'<span class="na">{EN_DASH}</span>')
    number = float(f"{number:.2g}")  # round first: 0.0996 is shown as 0.10, not 1.0e-1
    if number == 0:
        return Markup("0")
    if number >= 0.1:
        return Markup(f"{number:.2f}" if number < 1 else f"{number:.1f}")
    mantissa, exponent = f"{number:.1e}".split("e")
    return Markup(f"{mantissa}{TIMES}10<sup>{MINUS}{abs(int(exponent))}</sup>")


def format_number(value: object, digits: int = 0) -> str:
    """A count with thousands separators, or a decimal with ``digits`` decimals.

    Missing values give an en dash, which the table cells grey out.
    """
    number = _finite(value)
    if number is None:
        return EN_DASH
    if digits == 0:
        return f"{round(number):,}"
    return f"{number:,.{digits}f}"


def format_percent(value: object) -> str:
    """A fraction as a percentage: one decimal below 10 %, whole numbers above."""
    number = _finite(value)
    if number is None:
        return EN_DASH
    percent = 100 * number
    return f"{percent:.1f}%" if percent < 10 else f"{percent:.0f}%"


def format_bytes(value: object) -> str:
    """A file size in B, kB, MB or GB (powers of 1000, as file managers show them)."""
    number = _finite(value)
    if number is None:
        return EN_DASH
    for unit in ("B", "kB", "MB", "GB"):
        if number < 1000 or unit == "GB":
            return f"{number:.0f} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1000
    return f"{number:.1f} GB"  # pragma: no cover - loop always returns


def _sort_key(value: object) -> str:
    number = _finite(value)
    return "" if number is None else repr(number)


def _yaml_dump(value: Any) -> str:
    if not value:
        return "(empty)"
    return yaml.safe_dump(
        _plain(value), sort_keys=False, default_flow_style=False, allow_unicode=True, width=96
    ).rstrip()


def _plain(value: Any) -> Any:
    """Turn config values into what yaml.safe_dump accepts (paths and tuples as text/lists)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
