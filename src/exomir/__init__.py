"""exomir: from MSC exosome miRNA sets to targets, bias-corrected enrichment and signatures.

The public functions of the library are importable from the package itself, for example::

    from exomir import MirnaResolver, EnrichmentEngine, score_set

They are loaded on first use, so that ``import exomir`` stays cheap for the workflow's scripts
(the report's plotting stack, for one, is imported only by the report).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name -> module that defines it.
_EXPORTS = {
    # errors
    "ExomirError": "errors",
    "InputError": "errors",
    "ReferenceFormatError": "errors",
    "ConfigError": "errors",
    "DownloadError": "errors",
    "ChecksumError": "errors",
    "UnresolvedNamesError": "errors",
    # inputs and references
    "read_mirna_sets": "sets",
    "sets_from_counts": "abundance",
    "build_mirbase": "mirbase",
    "read_hgnc": "genes",
    "SymbolMap": "genes",
    "read_gmt": "genesets",
    "harmonise_gene_sets": "genesets",
    "fetch": "download",
    "with_defaults": "config",
    # names and targets
    "MirnaResolver": "names",
    "check_resolutions": "names",
    "read_source": "targets",
    "normalise_source": "targets",
    "combine_sources": "targets",
    "ConfidenceRule": "targets",
    "normalise_stem_evidence": "targets",
    "set_targets": "targets",
    # enrichment and signatures
    "EnrichmentEngine": "enrichment",
    "EnrichmentSettings": "enrichment",
    "NullSettings": "enrichment",
    "calibrate": "enrichment",
    "compare_sets": "enrichment",
    "load_focus_pathways": "focus",
    "read_model": "signatures",
    "score_set": "signatures",
    # report
    "render_report": "report",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'exomir' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
