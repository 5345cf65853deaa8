"""Clients of the web services exomir can use: MyGene.info, Enrichr and MSigDB.

MyGene.info
    :class:`MyGeneClient` is the online alternative to the offline HGNC gene table for turning
    gene symbols into approved symbols and Entrez IDs.  It uses the ``mygene`` package (a
    biothings client; the base URL is an attribute of the client, so a mirror or a test server
    can be used) and keeps every answer in an on-disk JSON cache keyed by query and species, so a
    repeated lookup makes no request and works offline.

Enrichr and MSigDB gene-set libraries
    gseapy can fetch both (``gseapy.parser.download_library``, ``gseapy.msigdb.Msigdb.get_gmt``),
    but its fetchers return parsed dictionaries, wait without a timeout and write into a cache
    under the home directory, so the bytes that were analysed could not be checksummed.
    :func:`download_enrichr_library` and :func:`download_msigdb_gmt` therefore request the same
    endpoints that gseapy 1.3 requests (Enrichr's ``geneSetLibrary?mode=text`` and the MSigDB
    release directory) through :func:`exomir.download.fetch`, so retries, timeouts, checksums
    and the lock file apply, and reuse gseapy for what it knows: the organism-to-Enrichr-instance
    table and the MSigDB base URL.  The result is written as GMT
    (``term<TAB>description<TAB>gene...``) for :mod:`exomir.genesets`; the checksum recorded is
    the one of that GMT, the file the analysis reads.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import requests

from ._io import read_text, write_text
from .download import FetchResult, _exclusive, fetch, local_copy_setting, verify_and_install
from .errors import ConfigError, DownloadError, InputError, ReferenceFormatError

__all__ = [
    "ENRICHR_URL",
    "MSIGDB_URL",
    "MYGENE_URL",
    "GeneSetDownload",
    "MyGeneClient",
    "download_enrichr_library",
    "download_msigdb_gmt",
]

#: Host of the Enrichr instances (gseapy builds ``https://maayanlab.cloud/<instance>``).
ENRICHR_URL = "https://maayanlab.cloud"
#: MSigDB release directory, as in ``gseapy.msigdb.Msigdb.url``.
MSIGDB_URL = "https://data.broadinstitute.org/gsea-msigdb/msigdb/release/"
#: MyGene.info API, version 3 (the default of the mygene package).
MYGENE_URL = "https://mygene.info/v3"

_CACHE_FORMAT = "exomir-mygene-cache"
_SYMBOL_FIELDS = "symbol,entrezgene"
_DBVER = re.compile(r"^\d{4}\.\d+\.(Hs|Mm)$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+\-]*$")


# --------------------------------------------------------------------------------------------
# MyGene.info


class MyGeneClient:
    """Gene-symbol lookups on MyGene.info, cached on disk.

    Parameters
    ----------
    url
        Base URL of the MyGene.info API (a mirror or a local server in tests).
    cache_dir
        Directory of the JSON cache; None keeps no cache.  The cache file is
        ``mygene_<species>_<scopes>.json`` and maps each query to the hits it returned, so a
        repeated query makes no request, also when the service cannot be reached.
    species
        Species as MyGene.info understands it (``human``, ``mouse``, or an NCBI taxon ID).
    scopes
        Fields a query is matched against.  ``symbol`` and ``alias`` cover approved, previous
        and alias symbols (MyGene.info lists previous symbols among the aliases); ``retired``
        would match retired Entrez IDs, not symbols.
    timeout
        Seconds to wait for the connection and for the answer.
    delay
        Seconds mygene waits between batches of 1000 queries, to be polite to the public service.
    """

    def __init__(
        self,
        url: str = MYGENE_URL,
        cache_dir: str | os.PathLike[str] | None = None,
        species: str = "human",
        *,
        scopes: tuple[str, ...] = ("symbol", "alias"),
        timeout: float = 30.0,
        delay: float = 1.0,
    ) -> None:
        if not str(species).strip() or not re.fullmatch(r"[A-Za-z0-9_]+", str(species)):
            raise ConfigError(
                "MyGene.info species must be a name such as 'human' or an NCBI taxon ID",
                value=species,
            )
        if not scopes:
            raise ConfigError("MyGene.info scopes cannot be empty", value=scopes)
        self.url = url.rstrip("/")
        self.species = str(species)
        self.scopes = tuple(scopes)
        self.timeout = timeout
        self.delay = delay
        self.cache_dir = None if cache_dir is None else Path(cache_dir)

    @property
    def cache_path(self) -> Path | None:
        """The JSON cache file, or None when no cache directory was given."""
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"mygene_{self.species}_{'-'.join(self.scopes)}.json"

    def query_symbols(self, symbols: Iterable[str]) -> pd.DataFrame:
        """Map gene symbols to approved symbols and Entrez IDs.

        Each distinct query is answered from the cache when it is there; the others are sent to
        MyGene.info in one batched ``querymany`` call and added to the cache.

        Resolution rule, mirroring :class:`exomir.genes.SymbolMap`: a hit whose symbol equals the
        query (ignoring case) wins over alias hits; one remaining gene is ``ok``, several are
        ``ambiguous``, none is ``unknown``.

        Parameters
        ----------
        symbols
            Gene symbols; surrounding blanks are removed and repeats are answered once.

        Returns
        -------
        pandas.DataFrame
            One row per distinct query, in first-seen order, with columns ``query``, ``symbol``,
            ``entrez_id`` (string; empty when unknown or when the gene has none) and ``status``
            (``ok``/``ambiguous``/``unknown``).  For an ambiguous query ``symbol`` and
            ``entrez_id`` list the candidates joined with ``;``, in the same order (by symbol),
            so the two lists stay aligned.

        Raises
        ------
        InputError
            For an empty or non-text symbol, or one containing ``,`` or ``"`` (the batch query
            separates and quotes terms with them).
        DownloadError
            When queries are not cached and the service cannot be reached or answers with an
            error.
        """
        queries = self._clean(symbols)
        cache = self._answers(queries)
        rows = [(q, *_resolve(q, cache[q])) for q in queries]
        return pd.DataFrame(rows, columns=["query", "symbol", "entrez_id", "status"]).astype(
            "string"
        )

    def query_refseq(self, accessions: Iterable[str]) -> pd.DataFrame:
        """Map RefSeq RNA accessions to Entrez Gene IDs: the online alternative to gene2refseq.

        Build the client with ``scopes=("refseq.rna",)``.  Versions are dropped before the
        query (``NM_000314.8`` is asked as ``NM_000314``); answers are cached like symbol
        queries, so a second run, or a run without network after one with it, asks nothing.

        Returns
        -------
        pandas.DataFrame
            ``refseq`` (without version), ``entrez_id``: one row per accession and gene it
            names (an accession of two genes gives two rows; one of none gives no row), sorted,
            the layout of :func:`exomir.genes.read_gene2refseq`.

        Raises
        ------
        ConfigError
            When the client's scopes are not ``("refseq.rna",)``.
        InputError, DownloadError
            As for :meth:`query_symbols`.
        """
        if self.scopes != ("refseq.rna",):
            raise ConfigError(
                "RefSeq lookups need a MyGene.info client with scopes ('refseq.rna',)",
                value=self.scopes,
            )
        if isinstance(accessions, str):
            accessions = [accessions]
        queries = self._clean(
            [a.strip().split(".")[0].upper() if isinstance(a, str) else a for a in accessions]
        )
        cache = self._answers(queries)
        rows = {(q, str(h["entrez_id"])) for q in queries for h in cache[q] if h["entrez_id"]}
        return pd.DataFrame(sorted(rows), columns=["refseq", "entrez_id"]).astype("str")

    def _answers(self, queries: list[str]) -> dict[str, list[dict[str, object]]]:
        """The hits of each query: from the cache, the others asked in one batch and cached."""
        cache = self._load_cache()
        missing = [q for q in queries if q not in cache]
        if missing:
            answered = self._ask_service(missing)
            cache.update(answered)
            self._save_cache(answered)
        return cache

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _clean(symbols: Iterable[str]) -> list[str]:
        if isinstance(symbols, str):
            symbols = [symbols]
        seen: dict[str, None] = {}
        for index, value in enumerate(symbols):
            if not isinstance(value, str) or not value.strip():
                raise InputError(
                    f"gene symbol number {index + 1} is empty or not text",
                    value=value,
                    hint="remove empty entries from the gene list",
                )
            text = value.strip()
            if "," in text or '"' in text:
                raise InputError(
                    "gene symbol contains ',' or '\"', which MyGene.info batch queries use as "
                    "separators",
                    value=value,
                    hint="split the entry into separate symbols",
                )
            seen.setdefault(text, None)
        return list(seen)

    def _ask_service(self, queries: list[str]) -> dict[str, list[dict[str, object]]]:
        import httpx
        import mygene

        client = mygene.MyGeneInfo()
        # mygene 3.2 takes no URL argument; the base URL is the client's `url` attribute.
        client.url = self.url
        # biothings_client disables timeouts; give it a client that has one.
        client.http_client = httpx.Client(timeout=httpx.Timeout(self.timeout))
        client.http_client_setup = True
        client.delay = self.delay
        where = f"MyGene.info at {self.url}"
        try:
            out = client.querymany(
                queries,
                scopes=",".join(self.scopes),
                fields=_SYMBOL_FIELDS,
                species=self.species,
                verbose=False,
            )
        except httpx.HTTPStatusError as exc:
            raise DownloadError(
                f"{where} answered HTTP {exc.response.status_code} to a query for "
                f"{len(queries)} symbol(s). Try again later, or use the offline gene table "
                "(HGNC complete set) for symbol harmonisation"
            ) from exc
        except httpx.HTTPError as exc:
            cached = f" (cache: {self.cache_path})" if self.cache_path else ""
            raise DownloadError(
                f"cannot reach {where}: {_httpx_reason(exc)}. {len(queries)} symbol(s) are "
                f"not in the cache{cached}, e.g. {queries[0]!r}. Without network access, use "
                "the offline gene table (HGNC complete set) for symbol harmonisation, or run the "
                "lookup once where the service is reachable so that the cache answers it"
            ) from exc
        except ValueError as exc:
            raise DownloadError(f"{where} answered with something that is not JSON: {exc}") from exc
        finally:
            client.http_client.close()
        return _collect_hits(queries, out, where)

    def _load_cache(self) -> dict[str, list[dict[str, object]]]:
        path = self.cache_path
        if path is None or not path.exists():
            return {}
        try:
            data = json.loads(read_text(path))
            if data.get("format") != _CACHE_FORMAT or not isinstance(data.get("queries"), dict):
                raise ValueError("not a MyGene.info cache written by exomir")
            queries = data["queries"]
            for hits in queries.values():
                if not isinstance(hits, list) or not all(
                    isinstance(h, dict) and "symbol" in h and "entrez_id" in h for h in hits
                ):
                    raise ValueError("a cached answer is not a list of hits")
        except (ValueError, AttributeError, ReferenceFormatError) as exc:
            raise InputError(
                f"MyGene.info cache is unreadable ({exc})",
                path=path,
                hint="delete the file; it is rebuilt on the next lookup",
            ) from exc
        return queries

    def _save_cache(self, answered: dict[str, list[dict[str, object]]]) -> None:
        path = self.cache_path
        if path is None:
            return
        # Merge under a lock: several jobs may add to the same cache at once.
        with _exclusive(path):
            current = self._load_cache()
            current.update(answered)
            payload = {
                "format": _CACHE_FORMAT,
                "species": self.species,
                "scopes": list(self.scopes),
                "queries": current,
            }
            write_text(json.dumps(payload, sort_keys=True, indent=1) + "\n", path)


def _httpx_reason(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "the connection timed out"
    text = str(exc)
    if "Connection refused" in text or "Errno 111" in text:
        return "the connection was refused (no server listening)"
    if "Name or service not known" in text or "getaddrinfo" in text or "resolve" in text:
        return "the host name could not be resolved (no network or no DNS)"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _collect_hits(
    queries: list[str], out: object, where: str
) -> dict[str, list[dict[str, object]]]:
    if not isinstance(out, list):
        raise DownloadError(f"{where} answered with {type(out).__name__}, expected a list of hits")
    answered: dict[str, list[dict[str, object]]] = {q: [] for q in queries}
    seen: set[str] = set()
    for hit in out:
        if not isinstance(hit, dict) or "query" not in hit:
            raise DownloadError(f"{where} answered with a hit without 'query': {hit!r}")
        query = str(hit["query"])
        if query not in answered:
            raise DownloadError(f"{where} answered for {query!r}, which was not asked")
        seen.add(query)
        if hit.get("notfound"):
            continue
        entrez = hit.get("entrezgene")
        answered[query].append(
            {
                "symbol": str(hit.get("symbol") or ""),
                "entrez_id": "" if entrez is None else str(entrez),
                "score": float(hit.get("_score") or 0.0),
            }
        )
    unanswered = [q for q in queries if q not in seen]
    if unanswered:
        raise DownloadError(
            f"{where} did not answer {len(unanswered)} of {len(queries)} queries, e.g. "
            f"{unanswered[0]!r}"
        )
    return answered


def _resolve(query: str, hits: list[dict[str, object]]) -> tuple[str, str, str]:
    if not hits:
        return "", "", "unknown"
    exact = [h for h in hits if str(h["symbol"]).casefold() == query.casefold()]
    pool = exact or hits
    genes = sorted({(str(h["symbol"]), str(h["entrez_id"])) for h in pool})
    if len(genes) == 1:
        return genes[0][0], genes[0][1], "ok"
    return ";".join(g[0] for g in genes), ";".join(g[1] for g in genes), "ambiguous"


# --------------------------------------------------------------------------------------------
# gene-set libraries


@dataclass(frozen=True)
class GeneSetDownload:
    """A gene-set library written as GMT.

    Attributes
    ----------
    path
        The GMT file written.
    n_sets
        Gene sets written.
    n_genes
        Distinct genes over all sets.
    empty_terms
        Terms the source listed without any gene; they are not written (a set without genes
        cannot be tested) and are reported here so nothing disappears unnoticed.
    download
        The checksum, size and source of the GMT at ``path`` (as recorded in the lock file).
    """

    path: Path
    n_sets: int
    n_genes: int
    empty_terms: tuple[str, ...]
    download: FetchResult


def _enrichr_instance(organism: str) -> str:
    from gseapy.enrichr import EnrichrAPI

    try:
        api = EnrichrAPI(organism)
    except ValueError as exc:
        raise ConfigError(
            f"unknown Enrichr organism {organism!r}",
            value=organism,
            hint="use Human, Mouse, Fly, Yeast, Worm or Fish",
        ) from exc
    # gseapy maps the organism to an instance and builds https://maayanlab.cloud/<instance>.
    return api.base_url.rstrip("/").rsplit("/", 1)[-1]


def _check_name(what: str, value: str, key: str) -> None:
    if not isinstance(value, str) or not _SAFE_NAME.match(value):
        raise ConfigError(
            f"`{key}`: {what} {value!r} is not a valid name (letters, digits, _ . + -)",
            value=value,
        )


def _served_text(path: Path) -> str:
    # read_text rejects empty files with a message about the temporary file; an empty answer is
    # reported by the callers in terms of the library instead.
    return read_text(path) if path.stat().st_size else ""


def _gene_set_records(
    text: str, source: str, *, strip_weights: bool
) -> list[tuple[str, str, list[str]]]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\r\n").split("\t")
        term = fields[0].strip()
        if not term or len(fields) < 2:
            raise ReferenceFormatError(
                "not a gene-set line (expected term<TAB>description<TAB>genes)",
                path=source,
                line=number,
                value=line[:80],
                hint="check the library name and the server; an error page is not a library",
            )
        genes: list[str] = []
        for field in fields[2:]:
            # Enrichr's fuzzy libraries give "GENE,weight"; gseapy keeps the gene only.
            gene = field.split(",")[0].strip() if strip_weights else field.strip()
            if gene and gene not in genes:
                genes.append(gene)
        records.append((term, fields[1].strip(), genes))
    return records


def _gmt_text(records: list[tuple[str, str, list[str]]]) -> tuple[str, list[str], set[str]]:
    lines: list[str] = []
    empty: list[str] = []
    genes: set[str] = set()
    for term, description, members in records:
        if not members:
            empty.append(term)
            continue
        genes.update(members)
        lines.append("\t".join([term, description, *members]))
    return "\n".join(lines) + "\n", empty, genes


def _suggest_libraries(stats_url: str, name: str, timeout: float) -> str:
    try:
        response = requests.get(stats_url, timeout=timeout)
        response.raise_for_status()
        names = [str(s["libraryName"]) for s in response.json().get("statistics", [])]
    except (requests.RequestException, ValueError, KeyError, TypeError, AttributeError):
        return f"see {stats_url} for the library names"
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return f"see {stats_url} for the {len(names)} library names"


def download_enrichr_library(
    name: str,
    dest: str | os.PathLike[str],
    *,
    key: str,
    organism: str = "Human",
    base_url: str = ENRICHR_URL,
    sha256: str | None = None,
    version: str | None = None,
    lock_file: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    retries: int = 2,
) -> GeneSetDownload:
    """Download an Enrichr gene-set library by name and write it as GMT.

    The library is requested from ``<base_url>/<instance>/geneSetLibrary?mode=text&
    libraryName=<name>``, the endpoint gseapy uses, where ``<instance>`` is gseapy's Enrichr
    instance for ``organism`` (``Enrichr`` for human and mouse, ``FlyEnrichr``, ...).  The GMT
    is derived from the answer the way gseapy derives it: ``GENE,weight`` entries keep the gene,
    the (usually empty) description column is kept as served, and trailing tabs are dropped;
    in addition a gene repeated within a set is written once, and a term without genes is left
    out and listed in :attr:`GeneSetDownload.empty_terms`.

    The checksum (configured, or recorded in ``lock_file``) is the one of the GMT written to
    ``dest``, the file the analysis reads.  The conversion is deterministic, so any change of the
    served gene sets changes it, and the report can verify ``dest`` against the lock file.

    Parameters
    ----------
    name
        Enrichr library name, e.g. ``KEGG_2021_Human``.
    dest
        GMT file to write.
    key
        Config key of the library, for error messages and the lock file.
    organism
        Enrichr organism (Human, Mouse, Fly, Yeast, Worm, Fish).
    base_url
        Enrichr host; a mirror or a local server in tests.
    sha256, lock_file, timeout, retries
        As in :func:`exomir.download.fetch`.
    version
        Stored in the lock file; defaults to ``name`` (Enrichr versions libraries by name).

    Returns
    -------
    GeneSetDownload

    Raises
    ------
    ConfigError
        For an unknown organism or a malformed library name.
    DownloadError, ChecksumError
        As in :func:`exomir.download.fetch`.
    ReferenceFormatError
        When the server answers with no gene sets (an unknown library name; the message suggests
        close names from Enrichr's ``datasetStatistics``) or with lines that are not gene sets.
    """
    _check_name("Enrichr library name", name, key)
    dest = Path(dest)
    instance_url = f"{base_url.rstrip('/')}/{_enrichr_instance(organism)}"
    url = f"{instance_url}/geneSetLibrary?mode=text&libraryName={quote(name, safe='')}"

    def validate(path: Path) -> None:
        records = _gene_set_records(_served_text(path), url, strip_weights=True)
        if not any(genes for _, _, genes in records):
            hint = _suggest_libraries(f"{instance_url}/datasetStatistics", name, timeout)
            raise ReferenceFormatError(
                f"Enrichr returned no gene sets for library {name!r} ({organism})",
                path=url,
                value=name,
                hint=f"check `{key}`: {hint}",
            )

    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{dest.name}.", dir=dest.parent) as work:
        served = fetch(
            url,
            Path(work) / "library.txt",
            key=key,
            timeout=timeout,
            retries=retries,
            validate=validate,
            target=dest,
            setting=local_copy_setting(
                key, f"{name}.txt", gene_set_version=name if version is None else version
            ),
        )
        records = _gene_set_records(read_text(served.path), url, strip_weights=True)
        text, empty, genes = _gmt_text(records)
        gmt = Path(work) / "library.gmt"
        gmt.write_text(text, encoding="utf-8", newline="\n")
        result = verify_and_install(
            gmt,
            dest,
            key=key,
            url=url,
            version=name if version is None else version,
            sha256=sha256,
            lock_file=lock_file,
        )
    return GeneSetDownload(
        path=dest,
        n_sets=len(records) - len(empty),
        n_genes=len(genes),
        empty_terms=tuple(empty),
        download=result,
    )


def download_msigdb_gmt(
    category: str,
    dbver: str,
    dest: str | os.PathLike[str],
    *,
    key: str,
    base_url: str = MSIGDB_URL,
    entrez: bool = False,
    sha256: str | None = None,
    version: str | None = None,
    lock_file: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    retries: int = 2,
) -> GeneSetDownload:
    """Download an MSigDB collection as GMT.

    The file is ``<base_url>/<dbver>/<category>.v<dbver>.symbols.gmt`` (``.entrez.gmt`` with
    ``entrez=True``), the URL gseapy's ``Msigdb.get_gmt`` requests.  MSigDB already serves GMT;
    it is written to ``dest`` as served (so the checksum is that of the official file), after
    checking that every line is a gene set.

    Parameters
    ----------
    category
        Collection, e.g. ``h.all`` or ``c2.cp.reactome``.
    dbver
        MSigDB release, e.g. ``2024.1.Hs``; stored as the version in the lock file.
    dest
        GMT file to write.
    key
        Config key of the library, for error messages and the lock file.
    base_url
        MSigDB release directory; a mirror or a local server in tests.
    entrez
        Download the Entrez-ID version instead of the symbol version.
    sha256, lock_file, timeout, retries
        As in :func:`exomir.download.fetch`.
    version
        Stored in the lock file; defaults to ``dbver``.

    Returns
    -------
    GeneSetDownload
        ``empty_terms`` lists sets without genes; they stay in the file as served.

    Raises
    ------
    ConfigError
        For a malformed category or release.
    DownloadError, ChecksumError
        As in :func:`exomir.download.fetch` (an unknown category or release is an HTTP 404).
    ReferenceFormatError
        When the file served is not GMT.
    """
    _check_name("MSigDB category", category, key)
    if not isinstance(dbver, str) or not _DBVER.match(dbver):
        raise ConfigError(
            f"`{key}`: MSigDB release {dbver!r} is not of the form YYYY.N.Hs or YYYY.N.Mm",
            value=dbver,
            hint="e.g. 2024.1.Hs; the releases are listed at " + MSIGDB_URL,
        )
    identifier = "entrez" if entrez else "symbols"
    url = f"{base_url.rstrip('/')}/{dbver}/{category}.v{dbver}.{identifier}.gmt"

    def validate(path: Path) -> None:
        records = _gene_set_records(_served_text(path), url, strip_weights=False)
        if not any(genes for _, _, genes in records):
            raise ReferenceFormatError(
                "MSigDB served no gene sets",
                path=url,
                hint=f"check `{key}`: category {category!r} and release {dbver!r}",
            )

    result = fetch(
        url,
        dest,
        key=key,
        sha256=sha256,
        version=dbver if version is None else version,
        lock_file=lock_file,
        timeout=timeout,
        retries=retries,
        validate=validate,
        setting=local_copy_setting(
            key, url.rsplit("/", 1)[-1], gene_set_version=dbver if version is None else version
        ),
    )
    records = _gene_set_records(read_text(dest), url, strip_weights=False)
    genes = {g for _, _, members in records for g in members}
    return GeneSetDownload(
        path=Path(dest),
        n_sets=sum(1 for r in records if r[2]),
        n_genes=len(genes),
        empty_terms=tuple(r[0] for r in records if not r[2]),
        download=result,
    )
