"""Configuration helpers: defaults, cross-key checks, and where each reference file comes from.

The JSON schema (``workflow/schemas/config.schema.yaml``) checks each key on its own and owns
every default; the workflow's ``snakemake.utils.validate`` fills them in, and
:func:`with_defaults` does the same for a mapping built by hand. :func:`check_config` is the
one place for what needs two keys at once (a target source that is not defined,
``background: user`` without a gene list, size limits in the wrong order, ...): it builds the
settings objects, whose own checks are those constraints, and adds the ones between sections.
:func:`reference_files` lists every reference file the configuration names, with where it
comes from, so that the workflow can decide for each one between a local copy and a download
rule, and the report can show the provenance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from ._counts import AbundanceSettings
from ._prerank import PrerankSettings
from ._schema import with_defaults
from ._settings import EnrichmentSettings
from .download import expand_path, verify_local_copy
from .errors import ConfigError
from .targets import EVIDENCE_FORMATS

__all__ = [
    "DOWNLOAD_ROOT",
    "LOCAL_DIGESTS",
    "LOCK_FILE",
    "REFERENCE_ROOT",
    "TARGET_FILE_ROLES",
    "ReferenceFile",
    "check_config",
    "check_local_copies",
    "comparison_pairs",
    "reference_files",
    "reference_input",
    "with_defaults",
]

#: File roles each target-source format needs; a tuple of alternatives means "one of these".
TARGET_FILE_ROLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "mirtarbase": (("table",),),
    "targetscan": (("context_scores", "info"),),
    "mirdb": (("table",),),
    "library": (("table",),),
    "pairs": (("table",),),
    "stem_pmids": (("table",),),
}

DOWNLOAD_ROOT = "resources/downloads"
REFERENCE_ROOT = "resources/references"
LOCK_FILE = f"{REFERENCE_ROOT}/checksums.lock"
#: Digests of verified local copies, so that an unchanged file is hashed once.
LOCAL_DIGESTS = f"{REFERENCE_ROOT}/local_copies.json"


@dataclass(frozen=True)
class ReferenceFile:
    """One file of one reference, and where it comes from.

    ``kind`` is ``path`` (a local copy), ``url`` (a download), ``enrichr`` or ``msigdb`` (a
    gene-set library downloaded by name). ``key`` is the dotted config key of the file, used in
    messages (``references.targets.mirtarbase.files.table``).
    """

    section: str
    name: str
    role: str
    version: str
    kind: str
    location: str
    sha256: str | None
    key: str

    @property
    def download_path(self) -> str:
        """Where the download rule writes this file."""
        return f"{DOWNLOAD_ROOT}/{self.section}/{self.name}/{self.version}/{self.role}"

    @property
    def config_key(self) -> str:
        """The config key whose ``path:`` takes a local copy instead of the download."""
        return f"{self.key}.path"


def _sections(config: dict) -> list[tuple[str, str, dict]]:
    refs = config["references"]
    out = [("mirbase", "mirbase", refs["mirbase"]), ("genes", "genes", refs["genes"])]
    out += [("targets", name, entry) for name, entry in refs["targets"].items()]
    out += [("gene_sets", name, entry) for name, entry in refs["gene_sets"].items()]
    return out


def _key(section: str, name: str) -> str:
    if section in ("mirbase", "genes"):
        return f"references.{section}"
    return f"references.{section}.{name}"


def reference_files(config: dict) -> list[ReferenceFile]:
    """Every reference file named by ``config``, in config order."""
    files = []
    for section, name, entry in _sections(config):
        version = str(entry["version"])
        base = _key(section, name)
        fmt = entry.get("format")
        if section == "gene_sets" and fmt in ("enrichr", "msigdb"):
            if fmt == "enrichr":
                location = entry.get("name") or name
            else:
                location = f"{entry.get('category')}|{entry.get('dbver')}"
            files.append(ReferenceFile(section, name, "gmt", version, fmt, location, None, base))
            continue
        for role, spec in entry.get("files", {}).items():
            key = f"{base}.files.{role}"
            if "path" in spec:
                location = str(expand_path(spec["path"], key=f"{key}.path"))
                files.append(
                    ReferenceFile(
                        section, name, role, version, "path", location, spec.get("sha256"), key
                    )
                )
            else:
                files.append(
                    ReferenceFile(
                        section, name, role, version, "url", spec["url"], spec.get("sha256"), key
                    )
                )
    return files


def reference_input(ref: ReferenceFile) -> str:
    """The file a normalising rule reads: the local copy, or the download rule's output."""
    return ref.location if ref.kind == "path" else ref.download_path


def check_local_copies(
    files: Iterable[ReferenceFile], *, digests: str | None = LOCAL_DIGESTS
) -> None:
    """Every local copy (``path:``) exists and, where ``sha256:`` is given, has that digest.

    Called when the workflow is parsed, so that a wrong path or a changed file stops the run
    before any job starts, naming the config key (Snakemake's own message for a missing input
    names neither the key nor where the path came from).

    Raises
    ------
    ConfigError
        For a path that does not exist or is a directory.
    ChecksumError
        For a file whose digest differs from the configured ``sha256:``
        (:func:`exomir.download.verify_local_copy`).
    """
    for ref in files:
        if ref.kind != "path":
            continue
        path = Path(ref.location)
        if not path.exists() or path.is_dir():
            problem = "is a directory, not a file" if path.is_dir() else "does not exist"
            raise ConfigError(
                f"`{ref.config_key}` names {path}, which {problem}",
                hint="correct the path (a relative path is read from the directory snakemake "
                "runs in), or replace `path:` by `url:` to download the file",
            )
        if ref.sha256:
            verify_local_copy(path, ref.sha256, key=ref.key, digests=digests)


def check_config(config: dict, set_sources: dict[str, str]) -> None:
    """Check constraints between keys that the JSON schema cannot express.

    ``config`` is validated (defaults filled in); ``set_sources`` maps set names (from the
    sheet) to MSC sources, for the comparison pairs. The constraints inside one section are the
    settings classes' own checks (:class:`~exomir.enrichment.EnrichmentSettings`,
    :class:`~exomir.abundance.PrerankSettings`, :class:`~exomir.abundance.AbundanceSettings`);
    building them here stops a bad combination before any job starts.
    """
    refs = config["references"]
    targets = config["targets"]
    for source in targets["sources"]:
        if source not in refs["targets"]:
            raise ConfigError(
                f"targets.sources names {source!r}, which is not defined under references.targets",
                value=source,
                hint=f"use one of {', '.join(refs['targets'])}",
            )
    # Evidence-only sources (stem_pmids) annotate edges and do not count as edge sources.
    edge_sources = [
        s for s in targets["sources"] if refs["targets"][s]["format"] not in EVIDENCE_FORMATS
    ]
    if targets["min_sources"] > len(edge_sources):
        raise ConfigError(
            f"targets.min_sources is {targets['min_sources']} but only "
            f"{len(edge_sources)} edge source(s) are chosen (stem_pmids sources add no edges)",
            hint="lower min_sources or add sources",
        )
    for name, entry in refs["targets"].items():
        roles = set(entry.get("files", {}))
        for alternatives in TARGET_FILE_ROLES[entry["format"]]:
            if not roles.intersection(alternatives):
                raise ConfigError(
                    f"references.targets.{name} (format {entry['format']}) needs a file "
                    f"{' or '.join(alternatives)} under files:",
                    hint=f"found {', '.join(sorted(roles)) or 'no files'}",
                )
        if entry["format"] == "targetscan" and "info" in roles and "family_info" not in roles:
            raise ConfigError(
                f"references.targets.{name}: the TargetScan Predicted_Targets_Info file names "
                "miRNA families, so it needs files: family_info (miR_Family_Info.txt) too"
            )
    for name, entry in refs["gene_sets"].items():
        fmt = entry["format"]
        if fmt == "gmt" and "gmt" not in entry.get("files", {}):
            raise ConfigError(f"references.gene_sets.{name} (format gmt) needs files: gmt:")
        if fmt == "msigdb" and not (entry.get("category") and entry.get("dbver")):
            raise ConfigError(
                f"references.gene_sets.{name} (format msigdb) needs category: and dbver:",
                hint="e.g. category: h.all, dbver: 2024.1.Hs",
            )
    EnrichmentSettings.from_config(config["enrichment"])
    PrerankSettings.from_config(config["enrichment"])
    AbundanceSettings.from_config(config["abundance"])
    for pair in comparison_pairs(config, set_sources):
        for name in pair:
            if name not in set_sources:
                raise ConfigError(
                    f"enrichment.compare.pairs names set {name!r}, which is not in the sheet",
                    value=name,
                    hint=f"sets are {', '.join(set_sources)}",
                )


def comparison_pairs(config: dict, set_sources: dict[str, str]) -> list[tuple[str, str]]:
    """Pairs of sets to compare: the configured ones, or all pairs of different MSC sources."""
    pairs = config["enrichment"]["compare"]["pairs"]
    if pairs is not None:
        return [(a, b) for a, b in pairs]
    names = list(set_sources)
    return [(a, b) for a, b in combinations(names, 2) if set_sources[a] != set_sources[b]]
