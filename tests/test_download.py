"""Downloads with checksums: exomir.download against a real local HTTP server."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest
from http_server import HTTP_DATA, LocalServer, unused_url

import exomir
from exomir.download import (
    CURRENT,
    LOCK_COLUMNS,
    expand_path,
    fetch,
    read_lock,
    sha256_file,
)
from exomir.errors import (
    ChecksumError,
    ConfigError,
    DownloadError,
    InputError,
    ReferenceFormatError,
)
from exomir.genes import hgnc_urls

KEY = "references.mirbase"
MATURE = HTTP_DATA / "files" / "mature.fa"
MATURE_SHA = hashlib.sha256(MATURE.read_bytes()).hexdigest()


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


@pytest.fixture
def upstream(tmp_path):
    """A server whose files the test may change, as an upstream source can."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "data.tsv").write_text("a\tb\n1\t2\n")
    with LocalServer(root) as running:
        yield running


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


# ---------------------------------------------------------------------------------------------
# fetch over HTTP


@pytest.mark.network
def test_first_download_records_checksum_and_second_verifies(server, tmp_path):
    dest = tmp_path / "downloads" / "mature.fa"
    lock = tmp_path / "references" / "checksums.lock"
    url = server.url + "/files/mature.fa"

    first = fetch(url, dest, key=KEY, version="22.1", lock_file=lock, retries=0)

    assert first.recorded is True
    assert first.sha256 == MATURE_SHA
    assert first.size == MATURE.stat().st_size
    assert dest.read_bytes() == MATURE.read_bytes()
    table = read_lock(lock)
    assert list(table.columns) == list(LOCK_COLUMNS)
    row = table.iloc[0]
    assert (row["key"], row["url"], row["version"], row["sha256"], row["size"]) == (
        KEY,
        url,
        "22.1",
        MATURE_SHA,
        MATURE.stat().st_size,
    )
    assert row["retrieved_at"].endswith("Z")
    before = lock.read_bytes()

    second = fetch(url, dest, key=KEY, version="22.1", lock_file=lock, retries=0)

    assert second.recorded is False
    assert second.sha256 == MATURE_SHA
    assert lock.read_bytes() == before  # verified, not rewritten
    assert server.count("/files/mature.fa") == 2
    assert leftovers(dest.parent) == []


@pytest.mark.network
def test_configured_checksum_is_verified(server, tmp_path):
    dest = tmp_path / "mature.fa"
    result = fetch(
        server.url + "/files/mature.fa", dest, key=KEY, sha256=MATURE_SHA.upper(), retries=0
    )
    assert result.sha256 == MATURE_SHA
    assert result.recorded is False  # no lock file given


@pytest.mark.network
def test_configured_checksum_mismatch_names_key_digests_and_fix(server, tmp_path):
    dest = tmp_path / "mature.fa"
    wrong = "0" * 64
    with pytest.raises(ChecksumError) as caught:
        fetch(server.url + "/files/mature.fa", dest, key=KEY, sha256=wrong, retries=0)
    message = str(caught.value)
    assert f"`{KEY}`" in message
    assert wrong in message and MATURE_SHA in message
    assert f"`{KEY}.sha256`" in message and f"`{KEY}.path`" in message
    assert not dest.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.network
def test_file_changed_upstream_is_refused_until_accepted(upstream, tmp_path):
    dest = tmp_path / "data.tsv"
    lock = tmp_path / "checksums.lock"
    url = upstream.url + "/data.tsv"
    first = fetch(url, dest, key="references.table", version="1", lock_file=lock, retries=0)
    (upstream.root / "data.tsv").write_text("a\tb\n1\t3\n")
    new_sha = hashlib.sha256(b"a\tb\n1\t3\n").hexdigest()

    with pytest.raises(ChecksumError) as caught:
        fetch(url, dest, key="references.table", version="1", lock_file=lock, retries=0)

    message = str(caught.value)
    assert "has changed since its checksum was recorded" in message
    assert first.sha256 in message and new_sha in message
    assert str(lock) in message
    assert f"`references.table.sha256: {new_sha}`" in message
    assert dest.read_text() == "a\tb\n1\t2\n"  # the verified file is kept
    assert read_lock(lock)["sha256"].tolist() == [first.sha256]

    # The user accepts the new file by configuring its digest: the lock row follows.
    accepted = fetch(
        url, dest, key="references.table", version="1", sha256=new_sha, lock_file=lock, retries=0
    )
    assert accepted.recorded is True
    assert dest.read_text() == "a\tb\n1\t3\n"
    assert read_lock(lock)["sha256"].tolist() == [new_sha]


@pytest.mark.network
def test_new_version_in_config_pins_the_new_file(upstream, tmp_path):
    lock = tmp_path / "checksums.lock"
    url = upstream.url + "/data.tsv"
    fetch(url, tmp_path / "v1.tsv", key="references.table", version="1", lock_file=lock)
    (upstream.root / "data.tsv").write_text("changed\n")
    result = fetch(url, tmp_path / "v2.tsv", key="references.table", version="2", lock_file=lock)
    assert result.recorded is True
    table = read_lock(lock)
    assert table["version"].tolist() == ["2"]
    assert table["sha256"].tolist() == [hashlib.sha256(b"changed\n").hexdigest()]


@pytest.mark.network
def test_truncated_transfer_leaves_no_file(server, tmp_path):
    server.truncate("/files/mature.fa", missing_bytes=50)
    dest = tmp_path / "mature.fa"
    lock = tmp_path / "checksums.lock"
    with pytest.raises(DownloadError) as caught:
        fetch(
            server.url + "/files/mature.fa", dest, key=KEY, lock_file=lock, retries=1, backoff=0.01
        )
    message = str(caught.value)
    size = MATURE.stat().st_size
    assert f"truncated: received {size} of {size + 50} bytes" in message
    assert "after 2 attempts" in message
    assert f"`{KEY}: {{path: /path/to/" in message
    assert server.count("/files/mature.fa") == 2
    assert not dest.exists()
    assert not lock.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.network
def test_http_404_is_final_and_names_status(server, tmp_path):
    with pytest.raises(DownloadError) as caught:
        fetch(server.url + "/files/absent.fa", tmp_path / "x.fa", key=KEY, retries=2)
    message = str(caught.value)
    assert "HTTP 404" in message and "absent.fa" in message
    assert f"`{KEY}.url`" in message and f"`{KEY}: {{path: /path/to/" in message
    assert server.count("/files/absent.fa") == 1  # a 404 is not retried


@pytest.mark.network
def test_http_500_is_retried_then_reported(server, tmp_path):
    server.fail("/files/mature.fa", 500)
    with pytest.raises(DownloadError) as caught:
        fetch(server.url + "/files/mature.fa", tmp_path / "m.fa", key=KEY, retries=1, backoff=0.01)
    assert "HTTP 500" in str(caught.value)
    assert "after 2 attempts" in str(caught.value)


@pytest.mark.network
def test_transient_503_is_retried(server, tmp_path):
    server.fail("/files/mature.fa", 503, times=1)
    result = fetch(
        server.url + "/files/mature.fa", tmp_path / "m.fa", key=KEY, retries=1, backoff=0.01
    )
    assert result.sha256 == MATURE_SHA
    assert server.count("/files/mature.fa") == 2


@pytest.mark.network
def test_server_gone_names_missing_file_key_and_local_copy(tmp_path):
    dest = tmp_path / "downloads" / "miRTarBase_MTI.xlsx"
    with pytest.raises(DownloadError) as caught:
        fetch(
            unused_url() + "/cache/miRTarBase_MTI.xlsx",
            dest,
            key="references.mirtarbase",
            timeout=2,
            retries=0,
        )
    message = str(caught.value)
    assert "refused" in message
    assert "download miRTarBase_MTI.xlsx on a machine that has access" in message
    assert str(dest) in message
    assert "`references.mirtarbase: {path: /path/to/miRTarBase_MTI.xlsx}`" in message
    assert not dest.exists()


@pytest.mark.network
def test_stalled_server_times_out(server, tmp_path):
    server.stall("/files/mature.fa", 3)
    with pytest.raises(DownloadError) as caught:
        fetch(server.url + "/files/mature.fa", tmp_path / "m.fa", key=KEY, timeout=0.3, retries=0)
    assert "timed out" in str(caught.value)
    assert f"`{KEY}: {{path: /path/to/" in str(caught.value)


@pytest.mark.network
def test_validate_failure_records_nothing(server, tmp_path):
    lock = tmp_path / "checksums.lock"

    def reject(path: Path) -> None:
        raise ReferenceFormatError("not what was expected", path=path)

    with pytest.raises(ReferenceFormatError):
        fetch(
            server.url + "/files/mature.fa",
            tmp_path / "m.fa",
            key=KEY,
            lock_file=lock,
            validate=reject,
        )
    assert not (tmp_path / "m.fa").exists()
    assert not lock.exists()
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# file:// URLs and configuration errors


def test_file_url_is_copied_and_recorded(tmp_path):
    lock = tmp_path / "checksums.lock"
    result = fetch(MATURE.as_uri(), tmp_path / "m.fa", key=KEY, lock_file=lock)
    assert result.sha256 == MATURE_SHA
    assert (tmp_path / "m.fa").read_bytes() == MATURE.read_bytes()
    assert read_lock(lock)["url"].tolist() == [MATURE.as_uri()]


def test_file_url_to_missing_file(tmp_path):
    missing = tmp_path / "nowhere" / "mature.fa"
    with pytest.raises(DownloadError) as caught:
        fetch(missing.as_uri(), tmp_path / "m.fa", key=KEY)
    assert str(missing) in str(caught.value)
    assert f"`{KEY}: {{path: /path/to/" in str(caught.value)


def test_file_url_on_another_host(tmp_path):
    with pytest.raises(ConfigError) as caught:
        fetch("file://fileserver/share/mature.fa", tmp_path / "m.fa", key=KEY)
    assert "another host (fileserver)" in str(caught.value) and f"`{KEY}.path`" in str(caught.value)


def test_unsupported_scheme(tmp_path):
    with pytest.raises(ConfigError) as caught:
        fetch("ftp://mirbase.org/pub/mature.fa", tmp_path / "m.fa", key=KEY)
    assert "'ftp'" in str(caught.value) and f"`{KEY}.url`" in str(caught.value)


def test_malformed_configured_checksum(tmp_path):
    with pytest.raises(ConfigError) as caught:
        fetch(MATURE.as_uri(), tmp_path / "m.fa", key=KEY, sha256="abc123")
    assert f"`{KEY}.sha256`" in str(caught.value) and "'abc123'" in str(caught.value)


def test_negative_retries(tmp_path):
    with pytest.raises(ConfigError, match="retries"):
        fetch(MATURE.as_uri(), tmp_path / "m.fa", key=KEY, retries=-1)


# ---------------------------------------------------------------------------------------------
# concurrent lock-file updates


def _fetch_keys(args: tuple[str, str, list[int]]) -> list[bool]:
    source_dir, lock, numbers = args
    results = []
    for n in numbers:
        source = Path(source_dir) / f"f{n}.txt"
        dest = Path(source_dir) / "out" / f"f{n}.txt"
        results.append(fetch(source.as_uri(), dest, key=f"k{n:02d}", lock_file=lock).recorded)
    return results


def _make_sources(directory: Path, count: int) -> None:
    for n in range(count):
        (directory / f"f{n}.txt").write_text(f"file {n}\n" * (n + 1))


def test_concurrent_threads_record_every_key(tmp_path):
    _make_sources(tmp_path, 16)
    lock = str(tmp_path / "checksums.lock")
    with ThreadPoolExecutor(max_workers=8) as pool:
        done = list(pool.map(_fetch_keys, [(str(tmp_path), lock, [n]) for n in range(16)]))
    assert all(r == [True] for r in done)
    table = read_lock(lock)
    assert table["key"].tolist() == [f"k{n:02d}" for n in range(16)]
    for n, digest in enumerate(table["sha256"]):
        assert digest == sha256_file(tmp_path / f"f{n}.txt")


def test_concurrent_processes_record_every_key(tmp_path):
    _make_sources(tmp_path, 12)
    lock = str(tmp_path / "checksums.lock")
    jobs = [(str(tmp_path), lock, list(range(start, 12, 4))) for start in range(4)]
    with ProcessPoolExecutor(max_workers=4, mp_context=multiprocessing.get_context("fork")) as pool:
        done = list(pool.map(_fetch_keys, jobs))
    assert all(all(r) for r in done)
    assert read_lock(lock)["key"].tolist() == [f"k{n:02d}" for n in range(12)]


def test_same_key_fetched_at_once_is_recorded_once(tmp_path):
    _make_sources(tmp_path, 1)
    lock = tmp_path / "checksums.lock"
    start = threading.Barrier(6)
    source = (tmp_path / "f0.txt").as_uri()

    def one(i: int) -> bool:
        start.wait()
        return fetch(source, tmp_path / "out" / f"copy{i}.txt", key="k", lock_file=lock).recorded

    with ThreadPoolExecutor(max_workers=6) as pool:
        recorded = list(pool.map(one, range(6)))
    assert recorded.count(True) == 1
    assert len(read_lock(lock)) == 1


# ---------------------------------------------------------------------------------------------
# lock file format


def test_read_lock_of_missing_file_is_empty(tmp_path):
    table = read_lock(tmp_path / "absent.lock")
    assert table.empty and list(table.columns) == list(LOCK_COLUMNS)


HEADER = "\t".join(LOCK_COLUMNS)
GOOD = f"k\thttps://x/y\t1\t{'a' * 64}\t10\t2024-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ("key\turl\tsha256\n", 1, "header"),
        (f"{HEADER}\nk\thttps://x/y\t1\n", 2, "fields"),
        (f"{HEADER}\n{GOOD.replace('a' * 64, 'xyz')}\n", 2, "invalid SHA-256"),
        (f"{HEADER}\n{GOOD.replace(chr(9) + '10' + chr(9), chr(9) + 'ten' + chr(9))}\n", 2, "size"),
        (f"{HEADER}\n{GOOD}\n{GOOD}\n", 3, "twice"),
    ],
)
def test_malformed_lock_file(tmp_path, content, line, fragment):
    lock = tmp_path / "checksums.lock"
    lock.write_text(content)
    with pytest.raises(ReferenceFormatError) as caught:
        read_lock(lock)
    message = str(caught.value)
    assert str(lock) in message and f"line {line}" in message and fragment in message
    with pytest.raises(ReferenceFormatError):  # fetch refuses to extend a broken lock file
        fetch(MATURE.as_uri(), tmp_path / "m.fa", key=KEY, lock_file=lock)
    assert not (tmp_path / "m.fa").exists()


# ---------------------------------------------------------------------------------------------
# paths and digests


def test_expand_path_expands_variables_and_home(monkeypatch):
    monkeypatch.setenv("EXOMIR_TEST_REFS", "/data/refs")
    assert expand_path("$EXOMIR_TEST_REFS/mature.fa") == Path("/data/refs/mature.fa")
    assert expand_path("${EXOMIR_TEST_REFS}/x") == Path("/data/refs/x")
    assert expand_path("~/x.tsv") == Path(os.path.expanduser("~")) / "x.tsv"
    assert expand_path("relative/x.tsv") == Path("relative/x.tsv")


def test_expand_path_unset_variable_names_variable_and_key(monkeypatch):
    monkeypatch.delenv("EXOMIR_TEST_UNSET", raising=False)
    with pytest.raises(ConfigError) as caught:
        expand_path("$EXOMIR_TEST_UNSET/mirtarbase.xlsx", key="references.mirtarbase.path")
    message = str(caught.value)
    assert "$EXOMIR_TEST_UNSET" in message and "not set" in message
    assert "`references.mirtarbase.path`" in message
    assert "export exomir_test_unset=" in message.lower()


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("", "empty"), ("${}/x", "empty variable"), ("~exomir_no_such_user/x", "no user")],
)
def test_expand_path_rejects(value, fragment):
    with pytest.raises(ConfigError) as caught:
        expand_path(value, key="references.genes.path")
    assert fragment in str(caught.value) and "`references.genes.path`" in str(caught.value)


def test_sha256_file(tmp_path):
    assert sha256_file(MATURE) == MATURE_SHA
    with pytest.raises(InputError) as caught:
        sha256_file(tmp_path / "absent.fa")
    assert "absent.fa" in str(caught.value) and "not found" in str(caught.value)


# ---------------------------------------------------------------------------------------------
# several URLs per reference: mirrors, fallback hosts, refused downloads


@pytest.fixture
def mirtarbase_hosts(tmp_path):
    """Two servers as the new and the former miRTarBase host, both serving hsa_MTI.csv."""
    table = (Path(__file__).parent / "data" / "targets" / "hsa_MTI_10.0.csv").read_bytes()
    roots = []
    for name in ("awi", "former"):
        root = tmp_path / name / "~miRTarBase" / "miRTarBase_2025" / "cache" / "download" / "10.0"
        root.mkdir(parents=True)
        (root / "hsa_MTI.csv").write_bytes(table)
        roots.append(tmp_path / name)
    with LocalServer(roots[0]) as new, LocalServer(roots[1]) as former:
        yield new, former, hashlib.sha256(table).hexdigest()


MTI_PATH = "/~miRTarBase/miRTarBase_2025/cache/download/10.0/hsa_MTI.csv"
MTI_KEY = "references.targets.mirtarbase.files.table"


@pytest.mark.network
def test_first_host_serves_and_is_recorded(mirtarbase_hosts, tmp_path):
    new, former, digest = mirtarbase_hosts
    lock = tmp_path / "checksums.lock"
    urls = [new.url + MTI_PATH, former.url + MTI_PATH]
    result = fetch(urls, tmp_path / "table", key=MTI_KEY, version="10.0", lock_file=lock)
    assert (result.url, result.sha256) == (urls[0], digest)
    assert former.count(MTI_PATH) == 0
    assert read_lock(lock)["url"].tolist() == [urls[0]]
    # the client names itself; it does not pose as a browser
    assert new.user_agents == [f"exomir/{exomir.__version__}"]


@pytest.mark.network
@pytest.mark.parametrize("failure", ["gone", 404, 503])
def test_fallback_host_serves_when_the_first_fails(mirtarbase_hosts, tmp_path, failure):
    new, former, digest = mirtarbase_hosts
    lock = tmp_path / "checksums.lock"
    first = unused_url() + MTI_PATH if failure == "gone" else new.url + MTI_PATH
    if failure != "gone":
        new.fail(MTI_PATH, failure)
    urls = [first, former.url + MTI_PATH]
    result = fetch(
        urls, tmp_path / "table", key=MTI_KEY, version="10.0", lock_file=lock, backoff=0.01
    )
    assert (result.url, result.sha256) == (former.url + MTI_PATH, digest)
    assert read_lock(lock)["url"].tolist() == [former.url + MTI_PATH]  # which host served
    # The next download from the first host verifies against the same recorded checksum.
    new.clear()
    again = fetch(
        [new.url + MTI_PATH, former.url + MTI_PATH],
        tmp_path / "table",
        key=MTI_KEY,
        version="10.0",
        lock_file=lock,
    )
    assert again.sha256 == digest and again.recorded is True
    assert read_lock(lock)["url"].tolist() == [new.url + MTI_PATH]


@pytest.mark.network
def test_mirror_with_a_different_file_is_refused(mirtarbase_hosts, tmp_path):
    new, former, _ = mirtarbase_hosts
    lock = tmp_path / "checksums.lock"
    urls = [new.url + MTI_PATH, former.url + MTI_PATH]
    fetch(urls, tmp_path / "table", key=MTI_KEY, version="10.0", lock_file=lock)
    (former.root / MTI_PATH.lstrip("/")).write_text("miRTarBase ID\n")
    new.fail(MTI_PATH, 404)
    with pytest.raises(ChecksumError, match="has changed since its checksum was recorded"):
        fetch(urls, tmp_path / "table", key=MTI_KEY, version="10.0", lock_file=lock)


@pytest.mark.network
@pytest.mark.parametrize("status", [403, 412])
def test_refused_download_says_to_use_a_browser_and_names_the_path_key(
    mirtarbase_hosts, tmp_path, status
):
    new, former, _ = mirtarbase_hosts
    new.fail(MTI_PATH, status)
    former.fail(MTI_PATH, status)
    dest = tmp_path / "table"
    with pytest.raises(DownloadError) as caught:
        fetch([new.url + MTI_PATH, former.url + MTI_PATH], dest, key=MTI_KEY, retries=2)
    message = str(caught.value)
    assert f"HTTP {status}" in message
    assert new.url + MTI_PATH in message and former.url + MTI_PATH in message
    assert f"Open {new.url + MTI_PATH} in a web browser" in message
    assert f"`{MTI_KEY}: {{path: /path/to/hsa_MTI.csv}}`" in message
    assert new.count(MTI_PATH) == former.count(MTI_PATH) == 1  # a refusal is not retried
    assert not dest.exists() and leftovers(tmp_path) == []


def test_fetch_without_url(tmp_path):
    with pytest.raises(ConfigError, match="names no URL"):
        fetch([], tmp_path / "x", key=KEY)


# ---------------------------------------------------------------------------------------------
# HGNC: the monthly archive, and today's file


@pytest.fixture
def hgnc_archive(tmp_path):
    """An archive holding the October file as .txt and the November file as .tsv."""
    complete_set = (Path(__file__).parent / "data" / "genes" / "hgnc_complete_set.txt").read_bytes()
    root = tmp_path / "www"
    monthly = root / "archive" / "monthly" / "tsv"
    monthly.mkdir(parents=True)
    (monthly / "hgnc_complete_set_2024-10-01.txt").write_bytes(complete_set)
    (monthly / "hgnc_complete_set_2024-11-01.tsv").write_bytes(complete_set)
    (root / "hgnc_complete_set.txt").write_bytes(complete_set)
    with LocalServer(root) as server:
        yield server, complete_set


@pytest.mark.network
@pytest.mark.parametrize(
    ("month", "served"),
    [
        ("2024-10", "hgnc_complete_set_2024-10-01.txt"),
        ("2024-11", "hgnc_complete_set_2024-11-01.tsv"),
    ],
)
def test_hgnc_month_from_the_archive_as_txt_or_tsv(hgnc_archive, tmp_path, month, served):
    server, complete_set = hgnc_archive
    urls = hgnc_urls(month, archives=[unused_url() + "/gone", server.url + "/archive/monthly/tsv"])
    lock = tmp_path / "checksums.lock"
    result = fetch(
        urls, tmp_path / "hgnc", key="references.genes.files.hgnc", version=month, lock_file=lock
    )
    assert result.url == f"{server.url}/archive/monthly/tsv/{served}"
    assert (tmp_path / "hgnc").read_bytes() == complete_set
    row = read_lock(lock).iloc[0]
    assert (row["version"], row["url"]) == (month, result.url)


@pytest.mark.network
def test_hgnc_month_missing_from_the_archive_lists_both_names(hgnc_archive, tmp_path):
    server, _ = hgnc_archive
    urls = hgnc_urls("2024-12", archives=[server.url + "/archive/monthly/tsv"])
    with pytest.raises(DownloadError) as caught:
        fetch(urls, tmp_path / "hgnc", key="references.genes.files.hgnc", version="2024-12")
    message = str(caught.value)
    assert "hgnc_complete_set_2024-12-01.txt: the server answered HTTP 404" in message
    assert "hgnc_complete_set_2024-12-01.tsv: the server answered HTTP 404" in message


@pytest.mark.network
def test_hgnc_current_is_recorded_with_its_date_but_not_pinned(hgnc_archive, tmp_path):
    server, complete_set = hgnc_archive
    lock = tmp_path / "checksums.lock"
    urls = hgnc_urls(CURRENT, current=server.url + "/hgnc_complete_set.txt")
    assert urls == [server.url + "/hgnc_complete_set.txt"]
    key = "references.genes.files.hgnc"
    fetch(urls, tmp_path / "hgnc", key=key, version=CURRENT, lock_file=lock)
    row = read_lock(lock).iloc[0]
    assert row["version"] == CURRENT
    assert row["retrieved_at"][:10] == dt.datetime.now(dt.UTC).date().isoformat()
    # Next month's file differs: taken and recorded, not refused as a changed upstream file.
    (server.root / "hgnc_complete_set.txt").write_bytes(complete_set + b"\n")
    again = fetch(urls, tmp_path / "hgnc", key=key, version=CURRENT, lock_file=lock)
    assert again.recorded is True
    assert read_lock(lock)["sha256"].tolist() == [again.sha256]


@pytest.mark.parametrize("version", ["2024", "2024-13", "Nov 2024", "fixture"])
def test_hgnc_version_must_be_a_month(version):
    with pytest.raises(ConfigError, match="names no month of the HGNC archive"):
        hgnc_urls(version)


def test_hgnc_urls_of_a_month_and_a_date():
    urls = hgnc_urls("2025-11", archives=["https://a/x/", "https://b/y"])
    assert urls == [
        "https://a/x/hgnc_complete_set_2025-11-01.txt",
        "https://a/x/hgnc_complete_set_2025-11-01.tsv",
        "https://b/y/hgnc_complete_set_2025-11-01.txt",
        "https://b/y/hgnc_complete_set_2025-11-01.tsv",
    ]
    assert hgnc_urls("2025-11-15", archives=["https://a"])[0].endswith("_2025-11-15.txt")
