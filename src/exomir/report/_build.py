"""Assembling :class:`ReportData` from tables in memory, and the run-level settings it carries.

:func:`build_report_data` is the one door into a report: it checks the set names (each becomes
a file name), that every set has each per-set table, and every table (:mod:`._validate`);
:func:`significance_threshold` and :func:`run_timestamp` give the FDR threshold and the run
date shown on every page.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .. import signatures as sg
from .. import tables
from ..errors import ConfigError, InputError
from ._data import OVERLAP_FILES, Calibration, ReportData
from ._validate import (
    _at,
    _check_set_names,
    _per_set,
    normalise_calibration,
    normalise_comparison,
    normalise_enrichment,
    normalise_names,
    normalise_overlap,
    normalise_references,
    normalise_signatures,
    normalise_source_summary,
    normalise_targets,
)


def significance_threshold(config: Mapping[str, Any]) -> float:
    """The FDR threshold of the run: ``enrichment.fdr`` in config, 0.05 when absent.

    The report marks rows and heatmap cells below this value; it must be the same threshold
    the enrichment step used for redundancy grouping, hence it is read from the same key.
    """
    section = config.get("enrichment") if isinstance(config, Mapping) else None
    value = section.get("fdr", 0.05) if isinstance(section, Mapping) else 0.05
    try:
        fdr = float(value)
    except (TypeError, ValueError):
        fdr = float("nan")
    if not 0 < fdr < 1:
        raise ConfigError(
            "enrichment.fdr must be a number between 0 and 1",
            value=value,
            hint="set enrichment.fdr in config/config.yaml, e.g. 0.05",
        )
    return fdr


def run_timestamp(environ: Mapping[str, str] | None = None) -> str:
    """The run date shown in the report header, in UTC to the minute.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) fixes it when set, so that a
    rebuilt report can be byte-identical; otherwise the current time is used.
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise ConfigError(
                "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970",
                value=epoch,
                hint="unset it or give e.g. SOURCE_DATE_EPOCH=1700000000",
            ) from exc
    else:
        moment = _dt.datetime.now(tz=_dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def build_report_data(
    *,
    sets: Sequence[str],
    names: Mapping[str, pd.DataFrame],
    targets: Mapping[str, pd.DataFrame],
    enrichment: Mapping[str, pd.DataFrame],
    enrichment_params: Mapping[str, Mapping[str, Any]],
    references: pd.DataFrame | Mapping[str, Mapping[str, Any]] | None,
    config: Mapping[str, Any],
    focus: Mapping[str, str] | None,
    msc_sources: Mapping[str, str] | None = None,
    source_summary: pd.DataFrame | None = None,
    calibration: Calibration | Mapping[str, pd.DataFrame | None] | None = None,
    comparisons: Mapping[tuple[str, str], pd.DataFrame] | None = None,
    fdr: float | None = None,
    generated: str | None = None,
    downloads: Mapping[str, Mapping[str, str]] | None = None,
    paths: Mapping[tuple[str, str], str | os.PathLike[str]] | None = None,
    overlaps: Mapping[str, pd.DataFrame] | None = None,
    signatures: Mapping[str, sg.SignatureFiles | pd.DataFrame] | None = None,
    bundle: Mapping[str, str] | None = None,
) -> ReportData:
    """Check the report inputs and return them as :class:`ReportData`.

    ``references`` is the provenance table (or records, or a mapping key -> record, see
    :func:`normalise_references`). ``calibration`` may be a :class:`Calibration` or a mapping
    with keys ``summary`` and ``pvalues``. ``fdr`` defaults to :func:`significance_threshold`
    of ``config``. ``paths`` maps ``(kind, set)`` to the file a table came from, so that errors
    name it. ``overlaps`` maps ``mirnas`` and/or ``targets`` to the tables of
    :func:`exomir.overlap.exclusive_intersections` (checked by :func:`normalise_overlap`).
    ``signatures`` maps every set to its :class:`exomir.signatures.SignatureFiles` (or just its
    call table), checked by :func:`normalise_signatures`. ``bundle`` maps paths inside the
    report folder to the tables copied there when it is written (:mod:`._bundle`).
    """
    sets = _check_set_names(list(sets))
    paths = paths or {}
    for mapping, what in (
        (names, tables.NAMES.what),
        (targets, tables.SET_TARGETS.what),
        (enrichment, tables.ENRICHMENT.what),
        (enrichment_params, "enrichment parameters"),
    ):
        _per_set(mapping, sets, what)
    names_n = {s: normalise_names(names[s], s, path=paths.get(("names", s))) for s in sets}
    targets_n = {s: normalise_targets(targets[s], s, path=paths.get(("targets", s))) for s in sets}
    enrichment_n = {
        s: normalise_enrichment(enrichment[s], s, path=paths.get(("enrichment", s))) for s in sets
    }
    params_n: dict[str, Mapping[str, Any]] = {}
    for s in sets:
        value = enrichment_params[s]
        if not isinstance(value, Mapping):
            raise InputError(
                f"enrichment parameters of set {s!r} must be a JSON object",
                value=type(value).__name__,
                hint="write the parameters as a JSON object (the {set}.json of the enrichment)",
                **_at(paths.get(("enrichment_params", s))),
            )
        params_n[s] = value
    refs = normalise_references(references, path=paths.get(("references", "")))
    calib: Calibration | None
    if calibration is None or isinstance(calibration, Calibration):
        calib = (
            None
            if calibration is None
            else normalise_calibration(calibration.summary, calibration.pvalues)
        )
    else:
        summary = calibration.get("summary")
        calib = (
            None
            if summary is None
            else normalise_calibration(
                summary,
                calibration.get("pvalues"),
                summary_path=paths.get(("calibration_summary", "")),
                pvalues_path=paths.get(("calibration_pvalues", "")),
            )
        )
    comps: dict[tuple[str, str], pd.DataFrame] | None = None
    if comparisons is not None:
        comps = {}
        for key in sorted(comparisons, key=lambda k: (str(k[0]), str(k[1]))):
            comps[(str(key[0]), str(key[1]))] = normalise_comparison(
                comparisons[key], path=paths.get(("comparison", f"{key[0]}__vs__{key[1]}"))
            )
    overlaps_n: dict[str, pd.DataFrame] | None = None
    if overlaps is not None:
        overlaps_n = {}
        for kind in OVERLAP_FILES:
            if kind in overlaps:
                overlaps_n[kind] = normalise_overlap(
                    overlaps[kind], sets, kind=kind, path=paths.get(("overlap", kind))
                )
        unknown = sorted(set(overlaps) - set(OVERLAP_FILES))
        if unknown:
            raise InputError(
                f"unknown overlap kind(s) {', '.join(map(repr, unknown))}",
                hint="pass overlap tables as {'mirnas': ..., 'targets': ...}",
            )
    return ReportData(
        sets=sets,
        names=names_n,
        targets=targets_n,
        enrichment=enrichment_n,
        enrichment_params=params_n,
        references=refs,
        config=dict(config),
        focus={str(k): str(v) for k, v in (focus or {}).items()},
        msc_sources={str(k): str(v) for k, v in (msc_sources or {}).items()},
        source_summary=None
        if source_summary is None
        else normalise_source_summary(source_summary, path=paths.get(("source_summary", ""))),
        calibration=calib,
        comparisons=comps,
        overlaps=overlaps_n,
        signatures=None if signatures is None else normalise_signatures(signatures, sets, paths),
        fdr=significance_threshold(config) if fdr is None else float(fdr),
        generated=generated,
        downloads={s: dict(v) for s, v in (downloads or {}).items()},
        bundle=dict(bundle or {}),
    )
