"""Downloads with checksums: exomir.download against a real local HTTP server."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest
from http_server import HTTP_DATA, LocalServer, unused_url

from exomir.download import (
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
