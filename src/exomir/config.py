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

import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ._counts import AbundanceSettings
from ._prerank import PrerankSettings
from ._schema import with_defaults
from ._settings import EnrichmentSettings
from .download import expand_path, local_copy_setting, verify_local_copy
from .errors import ConfigError
from .genes import HGNC_ARCHIVES, hgnc_urls
from .targets import EVIDENCE_FORMATS
from .webservices import ENRICHR_URL, MSIGDB_URL

__all__ = [
    "DOWNLOAD_ROOT",
    "LOCAL_DIGESTS",
    "LOCK_FILE",
    "REFERENCE_ROOT",
    "TARGET_FILE_ROLES",
    "ReferenceFile",
    "check_config",
    "check_local_copies",
    "check_references",
    "comparison_pairs",
    "host_reachable",
    "is_dry_run",
    "missing_references",
    "missing_references_message",
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
    #: Every URL of a download, in the order they are tried (``location`` is the first).
    urls: tuple[str, ...] = ()

    @property
    def download_path(self) -> str:
        """Where the download rule writes this file."""
        return f"{DOWNLOAD_ROOT}/{self.section}/{self.name}/{self.version}/{self.role}"

    @property
    def config_key(self) -> str:
        """The config key whose ``path:`` takes a local copy instead of the download."""
        return f"{self.key}.path"

    @property
    def sources(self) -> tuple[str, ...]:
        """The URLs the file is downloaded from (the service's address for a gene-set library)."""
        if self.kind == "url":
            return self.urls or (self.location,)
        if self.kind == "enrichr":
            return (ENRICHR_URL,)
        if self.kind == "msigdb":
            return (MSIGDB_URL,)
        return ()

    @property
    def file_name(self) -> str:
        """The name of the file as distributed (what a user downloads by hand)."""
        if self.kind == "path":
            return Path(self.location).name
        if self.kind == "enrichr":
            return f"{self.location}.txt"
        if self.kind == "msigdb":
            category, dbver = self.location.split("|")
            return f"{category}.v{dbver}.symbols.gmt"
        return Path(unquote(urlsplit(self.sources[0]).path)).name or self.role

    @property
    def local_copy(self) -> str:
        """The config entry, in the form the schema accepts, that names a local copy."""
        if self.kind in ("enrichr", "msigdb"):
            return local_copy_setting(self.key, self.file_name, gene_set_version=self.version)
        return local_copy_setting(self.key, self.file_name)


def _sections(config: dict) -> list[tuple[str, str, dict]]:
    refs = config["references"]
    out = [("mirbase", "mirbase", refs["mirbase"]), ("genes", "genes", refs["genes"])]
    if "refseq" in refs:
        out.append(("refseq", "refseq", refs["refseq"]))
    out += [("targets", name, entry) for name, entry in refs["targets"].items()]
    out += [("gene_sets", name, entry) for name, entry in refs["gene_sets"].items()]
    return out


def _key(section: str, name: str) -> str:
    if section in ("mirbase", "genes", "refseq"):
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
        specs = dict(entry.get("files", {}))
        if section == "genes" and "hgnc" not in specs:
            # No file given: the complete set of the configured month from HGNC's archive.
            archives = entry.get("archive") or HGNC_ARCHIVES
            specs["hgnc"] = {"url": hgnc_urls(version, archives=archives)}
        for role, spec in specs.items():
            key = f"{base}.files.{role}"
            if "path" in spec:
                location = str(expand_path(spec["path"], key=f"{key}.path"))
                files.append(
                    ReferenceFile(
                        section, name, role, version, "path", location, spec.get("sha256"), key
                    )
                )
            else:
                urls = (spec["url"],) if isinstance(spec["url"], str) else tuple(spec["url"])
                files.append(
                    ReferenceFile(
                        section, name, role, version, "url", urls[0], spec.get("sha256"), key, urls
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


def host_reachable(url: str, *, timeout: float = 3.0) -> bool:
    """Whether the server of ``url`` accepts a connection (a ``file://`` URL: the file exists).

    A TCP connection to the host and port, nothing more: fast, and it fails at once without
    network (no DNS, no route, connection refused) or after ``timeout`` seconds behind a
    firewall that drops packets.  It says nothing about the file, which the download checks.
    """
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(url2pathname(unquote(parts.path))).is_file()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def missing_references(
    files: Iterable[ReferenceFile],
    *,
    offline: bool = False,
    reachable: Callable[[str], bool] = host_reachable,
) -> list[ReferenceFile]:
    """The reference files that are neither present nor downloadable, in config order.

    A local copy (``path:``) is missing when the file does not exist. A download is present
    when the download rule's output exists; otherwise it is downloadable when ``offline`` is
    false and ``reachable`` says one of its servers answers (each server is asked once).
    """
    answers: dict[tuple[str, str | None, int | None], bool] = {}

    def answers_for(url: str) -> bool:
        parts = urlsplit(url)
        server = (parts.scheme, parts.hostname, parts.port)
        if parts.scheme == "file":
            return reachable(url)
        if server not in answers:
            answers[server] = reachable(url)
        return answers[server]

    missing = []
    for ref in files:
        if ref.kind == "path":
            if not Path(ref.location).is_file():
                missing.append(ref)
        elif not Path(ref.download_path).is_file() and (
            offline or not any(answers_for(url) for url in ref.sources)
        ):
            missing.append(ref)
    return missing


def missing_references_message(missing: Iterable[ReferenceFile], *, offline: bool) -> str:
    """One message listing every missing reference file: its name, where it goes, the config."""
    missing = list(missing)
    why = "offline=true" if offline else "no connection to their servers"
    lines = [
        f"{len(missing)} reference file(s) are neither present nor downloadable ({why}). "
        "For each, put the file where it is shown, or name your copy in the config:"
    ]
    for ref in missing:
        if ref.kind == "path":
            lines.append(
                f"  - {ref.file_name}: `{ref.config_key}` names {ref.location}, which does not "
                "exist; put the file there or correct the path"
            )
            continue
        lines.append(f"  - {ref.file_name} ({ref.key}, version {ref.version})")
        lines.append(f"      from:     {', '.join(ref.sources)}")
        lines.append(f"      put it at {ref.download_path}")
        lines.append(f"      or set    {ref.local_copy}")
    lines.append(
        "A config with local copies of every reference: config/examples/local-references.yaml. "
        "On a machine with network access, `snakemake --cores 1 download_references` fetches "
        "them all into resources/ (copy that folder to this machine)."
    )
    return "\n".join(lines)


def check_references(
    files: Iterable[ReferenceFile],
    *,
    offline: bool = False,
    reachable: Callable[[str], bool] = host_reachable,
) -> None:
    """Stop before any job starts when a reference file is neither present nor downloadable.

    Raises
    ------
    ConfigError
        With :func:`missing_references_message`, listing every such file at once.
    """
    missing = missing_references(files, offline=offline, reachable=reachable)
    if missing:
        raise ConfigError(missing_references_message(missing, offline=offline))


def is_dry_run(argv: Iterable[str]) -> bool:
    """Whether a Snakemake command line asks for a dry run (``-n``, ``--dry-run``, ``-np``).

    Snakemake learns that only after it has read the workflow, so the preflight looks at the
    command line: a dry run plans and starts no job, and it gets the list of missing reference
    files as a warning instead of stopping.
    """
    for arg in argv:
        if arg in ("--dry-run", "--dryrun", "--just-print"):
            return True
        if arg.startswith("-") and not arg.startswith("--") and arg[1:].isalpha() and "n" in arg:
            return True
    return False


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
    refseq = refs.get("refseq")
    if refseq and refseq.get("source", "gene2refseq") == "gene2refseq" and not refseq.get("files"):
        raise ConfigError(
            "references.refseq (source gene2refseq) needs files: gene2refseq:",
            hint="e.g. files: {gene2refseq: {url: https://ftp.ncbi.nlm.nih.gov/gene/DATA/"
            "gene2refseq.gz}}, or source: mygene",
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
