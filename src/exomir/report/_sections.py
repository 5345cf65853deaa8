"""Sections: the unit a page is made of, and what the section builders share.

A :class:`Section` is a heading, an anchor, a template under ``templates/`` and the variables of
that template. A builder is a small function ``(data) -> Section | None`` (overview, in
:mod:`._overview`) or ``(data, set_name) -> Section | None`` (set page, in :mod:`._set_page`);
the signature sections of both pages are in :mod:`._signature_sections`, and
:mod:`._render` lists the builders in page order. :func:`parameters_section` is on both pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._data import ReportData
from ._derive import SetSummary, summarise_set
from ._params import grouped, parameter_rows
from ._validate import split_list


@dataclass(frozen=True)
class Section:
    """One section of a page.

    Attributes
    ----------
    key
        HTML id of the section (also its anchor in the page's table of contents).
    title
        Heading shown above the section and in the table of contents.
    template
        Template file under ``exomir/report/templates`` that renders the section body.
    context
        Variables of that template.
    """

    key: str
    title: str
    template: str
    context: Mapping[str, Any]


METHOD_LABELS = {"emp": "empirical miRNA-set null", "ora": "ORA (hypergeometric)"}


def _sources_of(data: ReportData) -> list[str]:
    sources: set[str] = set()
    for frame in data.targets.values():
        for value in frame["sources"]:
            sources.update(split_list(value))
    return sorted(sources)


def _summaries(data: ReportData) -> dict[str, SetSummary]:
    return {
        s: summarise_set(s, data.names[s], data.targets[s], data.enrichment[s], fdr=data.fdr)
        for s in data.sets
    }


def parameters_section(data: ReportData, set_name: str | None = None) -> Section:
    """The enrichment parameters (one column per set, with units and meanings) and the full
    configuration.

    On the overview the parameters of all sets stand side by side, so that a set run with
    different settings stands out; a set page shows its own column only.
    """
    sets = [set_name] if set_name is not None else list(data.sets)
    return Section(
        "parameters",
        "Parameters",
        "section_parameters.html.j2",
        {
            "sets": sets,
            "groups": grouped(parameter_rows(data.enrichment_params, sets)),
            "config": data.config,
            "set_page": set_name is not None,
        },
    )
