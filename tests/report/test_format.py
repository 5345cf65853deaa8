"""How values are written on the pages (the Jinja filters)."""

from __future__ import annotations

import pytest

from exomir import report as rp


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.034, "3.4\u00d710<sup>\u22122</sup>"),
        (0.34, "0.34"),
        (0.0996, "0.10"),
        (1.0, "1.0"),
        (1.23e-12, "1.2\u00d710<sup>\u221212</sup>"),
        (0.0, "0"),
        (float("nan"), '<span class="na">\u2013</span>'),
        (None, '<span class="na">\u2013</span>'),
    ],
)
def test_format_pvalue(value, text):
    assert str(rp.format_pvalue(value)) == text
