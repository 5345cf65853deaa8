"""Retrieval of reference files, with checksums that pin what was analysed.

Every reference in the config is either a local copy (``path:``) or a download (``url:`` +
``version:`` + optional ``sha256:``).  Downloads happen only in dedicated Snakemake rules that
call :func:`fetch`; analysis code never touches the network, so a run on an offline HPC node
either finds every file in place or stops with one message that says which file is missing,
where to put a copy and which config key names it.

Checksums
    A configured ``sha256:`` is verified on every download.  When none is configured, the first
    download records the digest in a lock file (by default
    ``resources/references/checksums.lock``) and every later download of the same key, URL and
    version must reproduce it.  A file that changed upstream is therefore never analysed
    silently: the run stops with a :class:`~exomir.errors.ChecksumError` that shows both digests
    and how to accept the new file.  The lock file is a small TSV (one row per config key) that
    the report shows with :func:`read_lock`.

Safety
    A download streams into a temporary file beside its destination, is hashed while it streams,
    is checked against ``Content-Length`` and the expected digest, and only then renamed onto the
    destination, so no reader ever sees a partial or unverified file.  Lock-file updates take an
    exclusive ``fcntl`` lock on a sidecar file and rewrite the table atomically, so several
    download jobs may run at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pandas as pd
import requests

from . import __version__
from ._io import read_text, write_json, write_text
from .errors import ChecksumError, ConfigError, DownloadError, InputError, ReferenceFormatError

__all__ = [
    "CURRENT",
    "DEFAULT_LOCK_FILE",
    "LOCK_COLUMNS",
    "REFUSED_STATUSES",
    "FetchResult",
    "expand_path",
    "fetch",
    "local_copy_setting",
    "read_lock",
    "sha256_file",
    "verify_and_install",
    "verify_local_copy",
]

#: Where the rules keep the recorded checksums, relative to the working directory.
DEFAULT_LOCK_FILE = Path("resources/references/checksums.lock")

#: Columns of the lock file, in order.
LOCK_COLUMNS = ("key", "url", "version", "sha256", "size", "retrieved_at")

#: Schemes :func:`fetch` understands.  FTP is deliberately absent: every source exomir uses is
#: served over HTTPS, and a user with an FTP-only mirror can download by hand and use ``path:``.
SUPPORTED_SCHEMES = ("http", "https", "file")

_CHUNK = 1 << 16
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Same variable syntax as os.path.expandvars on POSIX: $name or ${name}.
_VARIABLE = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)
# Statuses worth another attempt: the server is busy or briefly broken, not the request wrong.
_INCOMPLETE = re.compile(r"IncompleteRead\((\d+) bytes read, (\d+) more expected\)")
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Statuses with which a server refuses a scripted client while a browser gets the file (the
#: miRTarBase host answers 403 or 412 to clients it takes for robots).
REFUSED_STATUSES = frozenset({403, 412})
#: A version that names no release: the file as served today.  Its download is recorded in the
#: lock file with its date, but not pinned (the next month's file is a different one).
CURRENT = "current"


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` retrieved.

    Attributes
    ----------
    path
        The destination file, now complete and verified.
    sha256
        Hex SHA-256 digest of its bytes.
    size
        Its size in bytes.
    url
        The URL it came from.
    recorded
        True when this call added or changed the key's row in the lock file (first download, or a
        new URL, version or configured checksum); False when the row was already up to date or no
        lock file was given.
    """

    path: Path
    sha256: str
    size: int
    url: str
    recorded: bool


@dataclass(frozen=True)
class _LockEntry:
    key: str
    url: str
    version: str
    sha256: str
    size: int
    retrieved_at: str


class _AttemptFailed(Exception):
    """One download attempt failed; ``retry`` says whether another attempt may succeed."""

    def __init__(
        self, reason: str, *, retry: bool, offline: bool = False, refused: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.offline = offline
        self.refused = refused


# --------------------------------------------------------------------------------------------
# paths and digests


def expand_path(value: str, *, key: str | None = None) -> Path:
    """Expand ``$VARS``, ``${VARS}`` and ``~`` in a path taken from the config.

    :func:`os.path.expandvars` leaves an unset variable in place, which would turn a forgotten
    ``export`` into a confusing "file not found: $REFDIR/mature.fa" much later.  Here every
    variable must be set, and the error names the variable and the config key.

    Parameters
    ----------
    value
        The path as written in the config.
    key
        The config key it came from (e.g. ``references.mirtarbase.path``), named in errors.

    Returns
    -------
    Path
        The expanded path (relative paths stay relative to the working directory).

    Raises
    ------
    ConfigError
        For an empty value, an unset or empty-named variable, or ``~user`` of an unknown user.
    """
    where = f"`{key}`" if key else "a path in the config"
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{where} is empty", value=value, hint="write the path of a file, e.g. /data/x.tsv"
        )
    for match in _VARIABLE.finditer(value):
        name = match.group(1).strip("{}")
        if not name:
            raise ConfigError(
                f"{where} contains an empty variable reference '{match.group(0)}'",
                value=value,
                hint="write ${NAME} with the name of an environment variable",
            )
        if name not in os.environ:
            raise ConfigError(
                f"{where} uses the environment variable ${name}, which is not set",
                value=value,
                hint=f"export {name}=... before running snakemake, or write the path in full",
            )
    expanded = os.path.expanduser(os.path.expandvars(value))
    if expanded.startswith("~"):
        user = expanded[1:].split("/", 1)[0]
        raise ConfigError(
            f"{where} starts with ~{user}, but there is no user {user!r} on this machine",
            value=value,
            hint="write the path in full",
        )
    return Path(expanded)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 digest of a file, read in chunks (files may be gigabytes).

    Raises
    ------
    InputError
        When the file does not exist or is a directory.
    """
    path = Path(path)
    if not path.is_file():
        problem = "is a directory, expected a file" if path.is_dir() else "file not found"
        raise InputError(problem, path=path)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _normalise_sha256(value: str, key: str) -> str:
    text = str(value).strip().lower()
    if not _SHA256.match(text):
        raise ConfigError(
            f"`{key}.sha256` is not a SHA-256 digest (64 hexadecimal characters)",
            value=value,
            hint="copy the digest printed by `sha256sum FILE`, or remove the key to record it "
            "on the first download",
        )
    return text


def verify_local_copy(
    path: str | os.PathLike[str],
    sha256: str,
    *,
    key: str,
    digests: str | os.PathLike[str] | None = None,
) -> str:
    """Check that a local copy (``<key>.path``) has the SHA-256 configured in ``<key>.sha256``.

    Hashing a reference of a few gigabytes takes seconds, and the workflow checks local copies
    whenever it is parsed, so the digest of each verified file is kept in ``digests`` (a JSON
    file) together with its size and modification time; an unchanged file is not hashed again.

    Returns
    -------
    str
        The file's digest.

    Raises
    ------
    ChecksumError
        When the digests differ; the message names the file, both digests and the config key.
    ConfigError
        When ``sha256`` is not a SHA-256 digest.
    InputError
        When the file does not exist or is a directory.
    """
    expected = _normalise_sha256(sha256, key)
    path = Path(path)
    cache: dict[str, dict] = {}
    if digests is not None and Path(digests).is_file():
        try:
            cache = json.loads(Path(digests).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}  # a damaged cache only costs one more hash
    name = str(path.resolve())
    stat = path.stat() if path.is_file() else None
    entry = cache.get(name) or {}
    fresh = stat is None or (entry.get("size"), entry.get("mtime_ns")) != (
        stat.st_size,
        stat.st_mtime_ns,
    )
    digest = sha256_file(path) if fresh else str(entry.get("sha256"))
    if digest != expected:
        raise ChecksumError(
            f"the local copy {path} named by `{key}.path` does not have the checksum in "
            f"`{key}.sha256`: expected sha256 {expected}, got {digest}. Replace the file with "
            f"the verified copy, or, if this file is the one you mean to use, set "
            f"`{key}.sha256: {digest}`"
        )
    if digests is not None and fresh:
        stat = path.stat()
        cache[name] = {"sha256": digest, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        write_json(cache, digests)
    return digest


def _check_field(name: str, value: str, key: str) -> None:
    if any(c in value for c in "\t\r\n"):
        raise ConfigError(
            f"the {name} of `{key}` contains a tab or line break",
            value=value,
            hint="remove the control character from the config",
        )


# --------------------------------------------------------------------------------------------
# lock file


def _flock_path(lock_file: Path) -> Path:
    # The table itself is replaced by rename on every update, so the fcntl lock must live on a
    # file that is never replaced, or two writers could hold locks on different inodes.
    return lock_file.with_name(f".{lock_file.name}.flock")


@contextlib.contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(_flock_path(lock_file), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read_entries(lock_file: Path) -> dict[str, _LockEntry]:
    if not lock_file.exists() or lock_file.stat().st_size == 0:
        return {}
    lines = read_text(lock_file).splitlines()
    header = lines[0].split("\t") if lines else []
    if tuple(header) != LOCK_COLUMNS:
        raise ReferenceFormatError(
            f"checksum lock file has header {header!r}, expected {list(LOCK_COLUMNS)!r}",
            path=lock_file,
            line=1,
            hint="delete the file; checksums are recorded again on the next download",
        )
    entries: dict[str, _LockEntry] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(LOCK_COLUMNS):
            raise ReferenceFormatError(
                f"checksum lock row has {len(fields)} fields, expected {len(LOCK_COLUMNS)}",
                path=lock_file,
                line=number,
                value=line,
                hint="delete the row (it is recorded again on the next download)",
            )
        key, url, version, digest, size, retrieved_at = fields
        if not _SHA256.match(digest):
            raise ReferenceFormatError(
                f"checksum lock row for `{key}` has an invalid SHA-256 digest",
                path=lock_file,
                line=number,
                value=digest,
                hint="delete the row (it is recorded again on the next download)",
            )
        if not size.isdigit():
            raise ReferenceFormatError(
                f"checksum lock row for `{key}` has an invalid size",
                path=lock_file,
                line=number,
                value=size,
                hint="delete the row (it is recorded again on the next download)",
            )
        if key in entries:
            raise ReferenceFormatError(
                f"checksum lock file lists `{key}` twice",
                path=lock_file,
                line=number,
                value=key,
                hint="keep one of the two rows",
            )
        entries[key] = _LockEntry(key, url, version, digest, int(size), retrieved_at)
    return entries


def _write_entries(lock_file: Path, entries: dict[str, _LockEntry]) -> None:
    rows = ["\t".join(LOCK_COLUMNS)]
    for key in sorted(entries):
        e = entries[key]
        rows.append("\t".join([e.key, e.url, e.version, e.sha256, str(e.size), e.retrieved_at]))
    write_text("\n".join(rows) + "\n", lock_file)


def read_lock(lock_file: str | os.PathLike[str] = DEFAULT_LOCK_FILE) -> pd.DataFrame:
    """Return the recorded checksums, one row per config key, sorted by key.

    Columns: ``key``, ``url``, ``version``, ``sha256``, ``size`` (bytes, integer),
    ``retrieved_at`` (UTC, ISO 8601).  A lock file that does not exist yet gives an empty table
    with these columns, so the report can always show the section.

    Raises
    ------
    ReferenceFormatError
        When the file exists but is not a lock file written by :func:`fetch`.
    """
    entries = _read_entries(Path(lock_file))
    frame = pd.DataFrame(
        [[getattr(entries[k], c) for c in LOCK_COLUMNS] for k in sorted(entries)],
        columns=list(LOCK_COLUMNS),
    )
    return frame.astype(
        {c: "int64" if c == "size" else "string" for c in LOCK_COLUMNS}
    ).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# transfers


def _describe_connection_error(exc: requests.RequestException) -> str:
    text = str(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return "the connection timed out"
    if isinstance(exc, requests.ReadTimeout) or "Read timed out" in text:
        return "the server stopped answering (read timed out)"
    if any(s in text for s in ("NameResolution", "Name or service not known", "getaddrinfo")):
        return "the host name could not be resolved (no network or no DNS)"
    if "Connection refused" in text or "Errno 111" in text:
        return "the connection was refused (no server listening)"
    if "Network is unreachable" in text or "Errno 101" in text:
        return "the network is unreachable"
    return f"the connection failed ({type(exc).__name__})"


def _http_attempt(
    session: requests.Session, url: str, tmp: Path, timeout: float
) -> tuple[str, int]:
    digest = hashlib.sha256()
    received = 0
    announced: str | None = None
    try:
        with session.get(url, stream=True, timeout=(timeout, timeout)) as response:
            if response.status_code >= 400:
                status = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
                raise _AttemptFailed(
                    f"the server answered {status}",
                    retry=response.status_code in _RETRY_STATUSES,
                    refused=response.status_code in REFUSED_STATUSES,
                )
            announced = response.headers.get("Content-Length")
            with open(tmp, "wb") as out:
                for chunk in response.iter_content(chunk_size=_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    received += len(chunk)
            # Compare with the bytes read from the wire, which are the bytes Content-Length
            # counts even when the server compressed the body on the fly.
            on_wire = response.raw.tell() if response.raw is not None else received
    except requests.exceptions.ChunkedEncodingError as exc:
        # urllib3 reports "IncompleteRead(<read> bytes read, <missing> more expected)".
        counts = _INCOMPLETE.search(str(exc))
        if counts:
            got, more = int(counts.group(1)), int(counts.group(2))
            detail = f"received {got} of {got + more} bytes"
        else:
            detail = f"received {received} of {announced or 'an unknown number of'} bytes"
        raise _AttemptFailed(f"the transfer was truncated: {detail}", retry=True) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        if received:
            reason = _describe_connection_error(exc)
            raise _AttemptFailed(
                f"the transfer broke off after {received} bytes: {reason}", retry=True
            ) from exc
        raise _AttemptFailed(_describe_connection_error(exc), retry=True, offline=True) from exc
    except requests.RequestException as exc:
        raise _AttemptFailed(f"the request failed: {exc}", retry=False) from exc
    if announced is not None and announced.isdigit() and int(announced) != on_wire:
        raise _AttemptFailed(
            f"the transfer was truncated: received {on_wire} of {announced} bytes",
            retry=True,
        )
    return digest.hexdigest(), received


def _file_copy(url: str, tmp: Path, key: str) -> tuple[str, int]:
    """Copy a ``file://`` source; a missing source is an attempt that failed (not retried)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ConfigError(
            f"`{key}.url` names a file on another host ({parts.netloc})",
            value=url,
            hint="use file:///absolute/path for a file on this machine, or set "
            f"`{key}.path` instead",
        )
    source = Path(url2pathname(unquote(parts.path)))
    if not source.is_file():
        raise _AttemptFailed(f"the local file {source} does not exist", retry=False)
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as src, open(tmp, "wb") as out:
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def local_copy_setting(key: str, file_name: str, *, gene_set_version: str | None = None) -> str:
    """The config entry that replaces the download of ``key`` by a local copy of ``file_name``.

    ``key`` is the dotted key of one reference file (``references.targets.mirtarbase.files.
    table``); its ``path:`` takes the place of ``url:`` (the schema accepts one of the two).
    A gene-set library downloaded by name (``format: enrichr`` or ``msigdb``, ``key`` the
    library's entry) becomes a GMT file: pass its ``gene_set_version`` to get the whole entry in
    the form the schema accepts (``format: gmt`` with ``files: {gmt: {path: ...}}``).
    """
    if gene_set_version is not None:
        return (
            f'{key}: {{format: gmt, version: "{gene_set_version}", '
            f"files: {{gmt: {{path: /path/to/{file_name}}}}}}}"
        )
    return f"{key}: {{path: /path/to/{file_name}}}"


def _failure(
    key: str,
    failures: list[tuple[str, _AttemptFailed, int]],
    *,
    file_name: str,
    target: Path,
    setting: str,
) -> str:
    tried = "; ".join(
        f"{url}: {failed.reason}" + (f" (after {attempts} attempts)" if attempts > 1 else "")
        for url, failed, attempts in failures
    )
    text = f"cannot download `{key}` ({file_name}) from {tried}. "
    refused = [url for url, failed, _ in failures if failed.refused]
    if refused:
        return text + (
            f"The server refuses downloads by scripts. Open {refused[0]} in a web browser, save "
            f"the file, and set `{setting}` in the config, with the path of the saved file"
        )
    if all(failed.offline for _, failed, _ in failures):
        return text + (
            f"Without network access (e.g. on an offline cluster node), download {file_name} "
            f"on a machine that has access, copy it to this machine (e.g. to {target}) and set "
            f"`{setting}` in the config, with the path of the copy"
        )
    if any("HTTP 4" in failed.reason for _, failed, _ in failures):
        return text + (
            f"Check `{key}.url` (and the version it names) in the config; if the file has moved, "
            f"download it by hand and set `{setting}`, with the path of the copy"
        )
    return text + (
        f"Try again later; if it keeps failing, download {file_name} by hand and set "
        f"`{setting}` in the config, with the path of the copy"
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def fetch(
    url: str | Sequence[str],
    dest: str | os.PathLike[str],
    *,
    key: str,
    sha256: str | None = None,
    version: str | None = None,
    lock_file: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    retries: int = 2,
    backoff: float = 1.0,
    validate: Callable[[Path], None] | None = None,
    target: str | os.PathLike[str] | None = None,
    setting: str | None = None,
) -> FetchResult:
    """Download ``url`` to ``dest``, verified, and record its checksum.

    The body streams into a temporary file beside ``dest`` while its SHA-256 is computed; the
    size is checked against ``Content-Length``; the digest is checked against ``sha256`` or,
    when that is not given, against the digest recorded for ``key`` in ``lock_file``.  Only a
    complete, verified file is renamed onto ``dest``; on any failure ``dest`` is left as it was
    and the temporary file is removed.

    Parameters
    ----------
    url
        ``http://``, ``https://`` or ``file://`` URL, or several (mirrors, or the names a file
        may have), tried in order until one serves the file.  A failed transfer or an HTTP
        error moves on to the next URL; a checksum mismatch does not.
    dest
        Destination file; parent directories are created.
    key
        Config key of the reference (e.g. ``references.mirtarbase``).  Errors tell the user to
        set ``<key>.path`` for a local copy, and the lock file is keyed by it.
    sha256
        Expected digest from the config.  Takes precedence over a recorded one; when it differs
        from the lock file's row (the user accepted a new file), the row is updated.
    version
        The configured version, stored in the lock file.  A recorded digest only applies to the
        same version and to a URL of the same list: changing either in the config pins the new
        file on its first download.  The version :data:`CURRENT` is recorded but never pinned.
    lock_file
        TSV of recorded checksums (see :func:`read_lock`); None disables recording.  Its ``url``
        column records the URL that served the file.
    timeout
        Seconds to wait for the connection and for each read.
    retries
        Further attempts after a failure that may be transient (network, timeout, truncated
        transfer, HTTP 408/429/5xx); HTTP 4xx is final at once.
    backoff
        Seconds before the first retry; doubled before each further one.
    validate
        Called with the temporary file before it is accepted (e.g. to check that a "gene set
        library" is not an HTML error page).  Whatever it raises propagates, and nothing is
        recorded or renamed.
    target
        The file the analysis reads, named in errors as where a copy may go (default ``dest``;
        differs when ``dest`` is an intermediate file).
    setting
        The config entry that replaces the download by a local copy, quoted in errors (default
        :func:`local_copy_setting` for ``key``).

    Returns
    -------
    FetchResult

    Raises
    ------
    DownloadError
        No network, DNS failure, refused connection, timeout, HTTP error (403/412: the message
        says to fetch the file in a browser), truncated transfer, or a missing ``file://``
        source, for every URL; the message names the key, each URL and its failure, the file
        and the config entry for a local copy.
    ChecksumError
        The digest differs from the configured or the recorded one.
    ConfigError
        Malformed ``sha256``, unsupported URL scheme, no URL, or negative ``retries``.
    """
    dest = Path(dest)
    urls = [url] if isinstance(url, str) else list(url)
    version = "" if version is None else str(version)
    expected = None if sha256 is None or sha256 == "" else _normalise_sha256(sha256, key)
    if not urls:
        raise ConfigError(f"`{key}` names no URL", hint="give url: or path:")
    for name, value in (("key", key), ("version", version), *(("url", u) for u in urls)):
        _check_field(name, value, key)
    for each in urls:
        scheme = urlsplit(each).scheme.lower()
        if scheme not in SUPPORTED_SCHEMES:
            raise ConfigError(
                f"`{key}.url` has the unsupported scheme {scheme or '(none)'!r}",
                value=each,
                hint="use an https:// or file:// URL, or download the file by hand and set "
                f"`{key}.path`",
            )
    if retries < 0:
        raise ConfigError("the number of retries cannot be negative", value=retries)
    file_name = Path(unquote(urlsplit(urls[0]).path)).name or dest.name
    target = dest if target is None else Path(target)

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    failures: list[tuple[str, _AttemptFailed, int]] = []
    try:
        for each in urls:
            try:
                if urlsplit(each).scheme.lower() == "file":
                    digest, size = _file_copy(each, tmp, key)
                else:
                    digest, size = _download(each, tmp, timeout, retries, backoff)
            except _AttemptFailed as failed:
                failures.append((each, failed, getattr(failed, "attempts", 1)))
                continue
            if expected is not None and digest != expected:
                raise _configured_mismatch(key, each, expected, digest)
            if validate is not None:
                validate(tmp)
            return _install(
                tmp,
                dest,
                key=key,
                url=each,
                urls=urls,
                version=version,
                expected=expected,
                digest=digest,
                size=size,
                lock_file=lock_file,
            )
        raise DownloadError(
            _failure(
                key,
                failures,
                file_name=file_name,
                target=target,
                setting=setting or local_copy_setting(key, file_name),
            )
        )
    finally:
        tmp.unlink(missing_ok=True)


def _download(url: str, tmp: Path, timeout: float, retries: int, backoff: float) -> tuple[str, int]:
    session = requests.Session()
    # Ask for the bytes as stored: the checksum is of the file, not of a re-encoding of it.
    # The client names itself: a server that refuses scripts is answered by a browser download.
    session.headers.update({"User-Agent": f"exomir/{__version__}", "Accept-Encoding": "identity"})
    attempts = retries + 1
    try:
        for attempt in range(attempts):
            try:
                return _http_attempt(session, url, tmp, timeout)
            except _AttemptFailed as failed:
                if not failed.retry or attempt == attempts - 1:
                    failed.attempts = attempt + 1  # type: ignore[attr-defined]
                    raise
                time.sleep(backoff * 2**attempt)
    finally:
        session.close()
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def verify_and_install(
    tmp: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    key: str,
    url: str,
    version: str | None = None,
    sha256: str | None = None,
    lock_file: str | os.PathLike[str] | None = None,
) -> FetchResult:
    """Accept a file made from a download: verify its checksum, move it onto ``dest``, record it.

    :func:`fetch` does this for the file as served.  A file derived from a download (e.g. an
    Enrichr library turned into GMT) goes through the same checks here, so that the checksum in
    the lock file is the one of the file the analysis reads at ``dest``.

    Parameters
    ----------
    tmp
        The finished file, in the directory of ``dest`` (it is renamed, not copied).
    dest, key, url, version, sha256, lock_file
        As in :func:`fetch`; ``url`` is the source the file was made from.

    Returns
    -------
    FetchResult

    Raises
    ------
    ChecksumError
        The digest differs from the configured or the recorded one; ``tmp`` is removed and
        ``dest`` left as it was.
    """
    tmp, dest = Path(tmp), Path(dest)
    version = "" if version is None else str(version)
    expected = None if sha256 is None or sha256 == "" else _normalise_sha256(sha256, key)
    for name, value in (("key", key), ("url", url), ("version", version)):
        _check_field(name, value, key)
    try:
        return _install(
            tmp,
            dest,
            key=key,
            url=url,
            version=version,
            expected=expected,
            urls=[url],
            digest=sha256_file(tmp),
            size=tmp.stat().st_size,
            lock_file=lock_file,
        )
    finally:
        tmp.unlink(missing_ok=True)


def _configured_mismatch(key: str, url: str, expected: str, digest: str) -> ChecksumError:
    return ChecksumError(
        f"`{key}`: the file retrieved from {url} does not have the configured checksum: "
        f"expected sha256 {expected}, got {digest}. If the source has legitimately changed, "
        f"update `{key}.sha256` in the config to the new digest; otherwise point `{key}.path` "
        "at a verified local copy"
    )


def _install(
    tmp: Path,
    dest: Path,
    *,
    key: str,
    url: str,
    urls: Sequence[str],
    version: str,
    expected: str | None,
    digest: str,
    size: int,
    lock_file: str | os.PathLike[str] | None,
) -> FetchResult:
    if expected is not None and digest != expected:
        raise _configured_mismatch(key, url, expected, digest)
    recorded = False
    if lock_file is None:
        os.replace(tmp, dest)
    else:
        recorded = _verify_and_record(
            Path(lock_file),
            tmp,
            dest,
            key=key,
            url=url,
            urls=urls,
            version=version,
            digest=digest,
            size=size,
            configured=expected is not None,
        )
    return FetchResult(path=dest, sha256=digest, size=size, url=url, recorded=recorded)


def _verify_and_record(
    lock_file: Path,
    tmp: Path,
    dest: Path,
    *,
    key: str,
    url: str,
    urls: Sequence[str],
    version: str,
    digest: str,
    size: int,
    configured: bool,
) -> bool:
    # Check, rename and record under one lock, so that two jobs fetching the same key at once
    # cannot both "record first" different files.
    with _exclusive(lock_file):
        entries = _read_entries(lock_file)
        previous = entries.get(key)
        # A mirror of the same list serves the same file; "current" is a new file every month.
        same_source = (
            previous is not None
            and previous.url in urls
            and previous.version == version
            and version != CURRENT
        )
        if same_source and not configured and previous.sha256 != digest:
            raise ChecksumError(
                f"`{key}`: the file at {url} has changed since its checksum was recorded on "
                f"{previous.retrieved_at} in {lock_file}: recorded sha256 {previous.sha256} "
                f"({previous.size} bytes), now {digest} ({size} bytes). If the source has "
                f"legitimately changed, set `{key}.sha256: {digest}` in the config (or delete "
                f"the `{key}` row of {lock_file}); otherwise point `{key}.path` at a verified "
                "local copy"
            )
        os.replace(tmp, dest)
        if same_source and previous.sha256 == digest and previous.url == url:
            return False
        entries[key] = _LockEntry(key, url, version, digest, size, _now())
        _write_entries(lock_file, entries)
        return True
