"""Pages: the sections of each page in order, rendering them to HTML and writing the files.

:data:`OVERVIEW_SECTIONS` and :data:`SET_SECTIONS` list the builders in page order;
:func:`build_pages` runs them, :func:`render_pages` renders every page with the templates of
``templates/`` (CSS and script inlined, so each page stands alone) and :func:`write_report`
writes the files atomically. :func:`render_report` checks keyword-argument inputs and does all
of it in one call.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from .. import __version__
from .. import signatures as sg
from .._io import write_text
from ._build import build_report_data
from ._bundle import copy_bundle, write_significant
from ._data import Calibration, ReportData
from ._derive import _common, _param, flatten_params
from ._format import (
    EN_DASH,
    _sort_key,
    _yaml_dump,
    format_bytes,
    format_number,
    format_percent,
    format_pvalue,
)
from ._headline import overview_headline_section
from ._load import _relative_href
from ._overview import (
    methods_section,
    overview_calibration_section,
    overview_comparisons_section,
    overview_focus_section,
    overview_intro_section,
    overview_names_section,
    overview_overlap_section,
    overview_references_section,
    overview_sources_section,
    overview_summary_section,
)
from ._palette import css_variables
from ._sections import Section, _sources_of, parameters_section
from ._set_page import (
    set_focus_section,
    set_names_section,
    set_summary_section,
    set_targets_section,
    set_terms_section,
)
from ._signature_sections import (
    overview_signatures_section,
    set_literature_section,
    set_signatures_section,
)
from ._summary_figure import write_summary_figure


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("exomir.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        pval=format_pvalue,
        num=format_number,
        pct=format_percent,
        size=format_bytes,
        sortkey=_sort_key,
        yaml=_yaml_dump,
    )
    return env


OverviewBuilder = Callable[[ReportData], "Section | None"]
SetBuilder = Callable[[ReportData, str], "Section | None"]

#: Sections of ``index.html``, in page order.
OVERVIEW_SECTIONS: tuple[OverviewBuilder, ...] = (
    overview_headline_section,
    overview_intro_section,
    overview_summary_section,
    overview_focus_section,
    overview_signatures_section,
    overview_names_section,
    overview_calibration_section,
    overview_overlap_section,
    overview_comparisons_section,
    overview_sources_section,
    overview_references_section,
    methods_section,
    parameters_section,
)

#: Sections of each ``{set}.html``, in page order.
SET_SECTIONS: tuple[SetBuilder, ...] = (
    set_summary_section,
    set_terms_section,
    set_focus_section,
    set_signatures_section,
    set_literature_section,
    set_targets_section,
    set_names_section,
    parameters_section,
)


@dataclass(frozen=True)
class Page:
    """One HTML file of the report.

    ``active`` is the navigation key of the page (``index`` or the set name); ``eyebrow`` the
    line above the title that says what kind of page it is.
    """

    filename: str
    title: str
    active: str
    eyebrow: str
    sections: tuple[Section, ...]


def build_pages(data: ReportData) -> list[Page]:
    """The overview page followed by one page per set, in set order."""
    pages = [
        Page(
            "index.html",
            "Overview",
            "index",
            "All miRNA sets",
            tuple(s for b in OVERVIEW_SECTIONS if (s := b(data)) is not None),
        )
    ]
    for name in data.sets:
        source = data.msc_sources.get(name)
        eyebrow = "miRNA set" + (f" · MSC source: {source.replace('_', ' ')}" if source else "")
        pages.append(
            Page(
                f"{name}.html",
                name,
                name,
                eyebrow,
                tuple(s for b in SET_SECTIONS if (s := b(data, name)) is not None),
            )
        )
    return pages


def _run_facts(data: ReportData) -> list[tuple[str, str]]:
    """The header's one-line summary of the run: what a reader needs to interpret the numbers."""
    facts: list[tuple[str, str]] = []
    if data.generated:
        facts.append(("Run", data.generated))
    facts.append(("Sets", str(len(data.sets))))
    sources = _sources_of(data)
    if sources:
        facts.append(("Target sources", ", ".join(sources)))
    libraries = sorted({lib for f in data.enrichment.values() for lib in f["library"]})
    if libraries:
        facts.append(("Libraries", ", ".join(libraries)))
    flat = [flatten_params(data.enrichment_params[s]) for s in data.sets]
    background = _common(
        [_param(f, "background.kind", "background_kind", "background") for f in flat]
    )
    if background is not None:
        facts.append(("Background", str(background)))
    n_random = _common([_param(f, "n_random") for f in flat])
    seed = _common([_param(f, "seed") for f in flat])
    if n_random is not None:
        text = (
            f"{int(n_random):,} random miRNA sets"
            if isinstance(n_random, int | float) and not isinstance(n_random, bool)
            else str(n_random)
        )
        if seed is not None:
            text += f", seed {seed}"
        facts.append(("Empirical null", text))
    facts.append(("Significance", f"FDR < {data.fdr:g} (Benjamini{EN_DASH}Hochberg)"))
    return facts


def render_pages(data: ReportData) -> dict[str, str]:
    """Render every page to HTML text, keyed by file name (no files are written)."""
    env = _environment()
    css = css_variables() + env.loader.get_source(env, "report.css")[0]  # type: ignore[union-attr]
    script = env.loader.get_source(env, "report.js")[0]  # type: ignore[union-attr]
    page_template = env.get_template("page.html.j2")
    facts = _run_facts(data)
    nav = [("index", "Overview", "index.html")] + [(s, s, f"{s}.html") for s in data.sets]
    out: dict[str, str] = {}
    for page in build_pages(data):
        bodies = [
            (section, Markup(env.get_template(section.template).render(**section.context)))
            for section in page.sections
        ]
        out[page.filename] = page_template.render(
            page=page,
            bodies=bodies,
            nav=nav,
            # "Sets 5" describes the run, not a set: only the overview says it.
            facts=facts if page.active == "index" else [f for f in facts if f[0] != "Sets"],
            css=Markup(css),
            script=Markup(script),
            version=__version__,
        )
    return out


def write_report(out_dir: str | os.PathLike[str], data: ReportData) -> list[Path]:
    """Render the report and write its pages into ``out_dir`` atomically.

    Also copies the linked tables of ``data.bundle`` and writes the significant rows
    (:mod:`._bundle`) and the summary figure (:mod:`._summary_figure`). Returns the written
    pages: ``index.html`` first, then one page per set in set order.
    """
    out_dir = Path(out_dir)
    written = []
    for filename, html in render_pages(data).items():
        path = out_dir / filename
        write_text(html, path)
        written.append(path)
    copy_bundle(out_dir, data.bundle)
    write_significant(out_dir, data)
    write_summary_figure(out_dir, data)
    return written


def render_report(
    out_dir: str | os.PathLike[str],
    *,
    sets: Sequence[str],
    names: Mapping[str, pd.DataFrame],
    targets: Mapping[str, pd.DataFrame],
    enrichment: Mapping[str, pd.DataFrame],
    enrichment_params: Mapping[str, Mapping[str, Any]],
    references: pd.DataFrame | Mapping[str, Mapping[str, Any]] | None,
    config: Mapping[str, Any],
    focus: Mapping[str, str] | None,
    calibration: Calibration | Mapping[str, pd.DataFrame | None] | None = None,
    comparisons: Mapping[tuple[str, str], pd.DataFrame] | None = None,
    msc_sources: Mapping[str, str] | None = None,
    source_summary: pd.DataFrame | None = None,
    fdr: float | None = None,
    generated: str | None = None,
    downloads: Mapping[str, Mapping[str, str | os.PathLike[str]]] | None = None,
    overlaps: Mapping[str, pd.DataFrame] | None = None,
    signatures: Mapping[str, sg.SignatureFiles | pd.DataFrame] | None = None,
) -> list[Path]:
    """Check the inputs, render the report and write it to ``out_dir``.

    ``downloads`` maps each set to the files its page links to (``targets``, ``enrichment``,
    ``names``); paths are turned into links relative to ``out_dir``. See
    :func:`build_report_data` for the other arguments. Returns the written pages, index first.
    """
    links = {
        s: {kind: _relative_href(p, out_dir) for kind, p in sorted(m.items())}
        for s, m in (downloads or {}).items()
    }
    data = build_report_data(
        sets=sets,
        names=names,
        targets=targets,
        enrichment=enrichment,
        enrichment_params=enrichment_params,
        references=references,
        config=config,
        focus=focus,
        calibration=calibration,
        comparisons=comparisons,
        msc_sources=msc_sources,
        source_summary=source_summary,
        fdr=fdr,
        generated=generated,
        downloads=links,
        overlaps=overlaps,
        signatures=signatures,
    )
    return write_report(out_dir, data)
