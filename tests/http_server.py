"""A small threaded HTTP server on 127.0.0.1 for tests that exercise real client code.

The clients under test (requests in :mod:`exomir.download`, httpx inside mygene, the Enrichr and
MSigDB endpoints) talk to this server over a real socket; nothing is mocked.  It serves:

* static files from a root directory (``GET /some/file``), with ``Content-Length``;
* the MyGene.info batch query, ``POST /v3/query`` (form fields ``q``, ``scopes``, ``fields``,
  ``species``), answered from a small gene table, ``<root>/mygene/genes.json``: a term matches a
  gene whose ``symbol`` (scope ``symbol``) or one of whose ``alias`` entries (scope ``alias``)
  equals it, ignoring case, within the requested species; scope ``refseq.rna`` matches an
  accession (with or without version) of the gene's ``refseq.rna`` list;
* Enrichr's ``GET /<instance>/geneSetLibrary?mode=text&libraryName=NAME``, answered from
  ``<root>/enrichr/<instance>/NAME.txt``; a name without a file is answered with an empty body;
* Enrichr's ``GET /<instance>/datasetStatistics`` from ``<root>/enrichr/<instance>/
  datasetStatistics.json``;
* MSigDB release files as static files (``<root>/msigdb/release/<dbver>/<file>.gmt``).

Behaviours can be programmed per path: a truncated body (``Content-Length`` larger than what is
sent), an HTTP status (always or for the first *n* requests), or a stall before the answer.
"Server gone" is :func:`unused_url`: a port on which nothing listens.

Use it as a context manager::

    with LocalServer(root) as server:
        fetch(server.url + "/file.txt", ...)
        assert server.count("/file.txt") == 1
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

#: Fixture files of the server, in the layouts the real services answer with.
HTTP_DATA = Path(__file__).parent / "data" / "http"

_TAXIDS = {"human": 9606, "mouse": 10090, "rat": 10116}


@dataclass
class _Behaviour:
    kind: str  # "truncate", "status" or "stall"
    status: int = 200
    times: int | None = None  # how many requests it applies to; None = all
    missing_bytes: int = 0
    seconds: float = 0.0


def unused_url() -> str:
    """Return ``http://127.0.0.1:<port>`` for a port on which nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The socket is closed without listen(): connecting to the port is refused.
    return f"http://127.0.0.1:{port}"


class LocalServer:
    """Threaded HTTP server on an ephemeral port of 127.0.0.1.

    Parameters
    ----------
    root
        Directory the static files and service fixtures are read from.
    """

    def __init__(self, root: Path = HTTP_DATA) -> None:
        self.root = Path(root)
        self._behaviours: dict[str, _Behaviour] = {}
        self._requests: list[tuple[str, str]] = []
        self._agents: list[str] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> LocalServer:
        handler = type("Handler", (_Handler,), {"app": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:43123`` (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # -- behaviours ----------------------------------------------------------------------------
    def truncate(self, path: str, *, missing_bytes: int = 100) -> None:
        """Announce ``missing_bytes`` more than is sent for ``path``, then close the connection."""
        self._behaviours[path] = _Behaviour("truncate", missing_bytes=missing_bytes)

    def fail(self, path: str, status: int, *, times: int | None = None) -> None:
        """Answer ``path`` with HTTP ``status``: always, or for the first ``times`` requests."""
        self._behaviours[path] = _Behaviour("status", status=status, times=times)

    def stall(self, path: str, seconds: float) -> None:
        """Wait ``seconds`` before answering ``path`` (for client timeouts)."""
        self._behaviours[path] = _Behaviour("stall", seconds=seconds)

    def clear(self) -> None:
        """Forget every programmed behaviour."""
        self._behaviours.clear()

    # -- bookkeeping ---------------------------------------------------------------------------
    @property
    def requests(self) -> list[tuple[str, str]]:
        """Every request seen so far, as ``(method, path-with-query)``."""
        with self._lock:
            return list(self._requests)

    def count(self, path: str) -> int:
        """Number of requests whose path (without query string) is ``path``."""
        return sum(1 for _, p in self.requests if urlsplit(p).path == path)

    @property
    def user_agents(self) -> list[str]:
        """The ``User-Agent`` header of every request seen so far."""
        with self._lock:
            return list(self._agents)

    def _log(self, method: str, path: str, agent: str = "") -> None:
        with self._lock:
            self._requests.append((method, path))
            self._agents.append(agent)

    def _behaviour(self, path: str) -> _Behaviour | None:
        with self._lock:
            found = self._behaviours.get(path)
            if found is None:
                return None
            if found.times is not None:
                if found.times <= 0:
                    return None
                found.times -= 1
            return found


class _Handler(BaseHTTPRequestHandler):
    app: LocalServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        return

    # -- dispatch ------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        try:
            self._dispatch(method)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a timeout test): nothing left to answer.
            self.close_connection = True

    def _dispatch(self, method: str) -> None:
        self.app._log(method, self.path, self.headers.get("User-Agent", ""))
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        body = b""
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
        behaviour = self.app._behaviour(path)
        if behaviour is not None and behaviour.kind == "status":
            self._send(behaviour.status, HTTPStatus(behaviour.status).phrase.encode())
            return
        if behaviour is not None and behaviour.kind == "stall":
            time.sleep(behaviour.seconds)
        if method == "POST" and path.rstrip("/").endswith("/query"):
            status, payload, ctype = self._mygene_query(body)
        elif method == "GET" and path.endswith("/geneSetLibrary"):
            status, payload, ctype = self._enrichr_library(path, parse_qs(parts.query))
        elif method == "GET" and path.endswith("/datasetStatistics"):
            instance = path.strip("/").split("/")[0]
            status, payload, ctype = self._static(
                f"enrichr/{instance}/datasetStatistics.json", "application/json"
            )
        elif method == "GET":
            status, payload, ctype = self._static(path.lstrip("/"), "application/octet-stream")
        else:
            status, payload, ctype = 405, b"method not allowed", "text/plain"
        if behaviour is not None and behaviour.kind == "truncate" and status == 200:
            self._send_truncated(payload, behaviour.missing_bytes, ctype)
            return
        self._send(status, payload, ctype)

    # -- answers -------------------------------------------------------------------------------
    def _send(self, status: int, payload: bytes, ctype: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _send_truncated(self, payload: bytes, missing: int, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload) + missing))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()
        self.close_connection = True

    def _static(self, relative: str, ctype: str) -> tuple[int, bytes, str]:
        root = self.app.root.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return 404, b"not found", "text/plain"
        return 200, target.read_bytes(), ctype

    def _enrichr_library(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        instance = path.strip("/").split("/")[0]
        if query.get("mode") != ["text"] or "libraryName" not in query:
            return 400, b"mode=text and libraryName are required", "text/plain"
        name = query["libraryName"][0]
        if "/" in name:
            return 400, b"bad library name", "text/plain"
        status, payload, ctype = self._static(f"enrichr/{instance}/{name}.txt", "text/plain")
        if status == 404:
            return 200, b"", "text/plain"
        return status, payload, ctype

    def _mygene_query(self, body: bytes) -> tuple[int, bytes, str]:
        form = parse_qs(body.decode("utf-8"))
        terms = [t.strip().strip('"') for t in form.get("q", [""])[0].split(",") if t.strip()]
        scopes = form.get("scopes", ["_id"])[0].split(",")
        fields = form.get("fields", ["symbol,entrezgene,name,taxid"])[0].split(",")
        species = form.get("species", ["all"])[0]
        genes = json.loads((self.app.root / "mygene" / "genes.json").read_text("utf-8"))
        wanted: set[int] | None = None
        if species != "all":
            wanted = {
                _TAXIDS[s] if s in _TAXIDS else int(s) for s in species.split(",") if s.strip()
            }
        answer: list[dict[str, object]] = []
        for term in terms:
            hits = []
            for gene in genes:
                if wanted is not None and gene["taxid"] not in wanted:
                    continue
                score = 0.0
                if "symbol" in scopes and gene["symbol"].casefold() == term.casefold():
                    score = 90.0
                elif "alias" in scopes and any(
                    a.casefold() == term.casefold() for a in gene.get("alias", [])
                ):
                    score = 20.0
                elif "refseq.rna" in scopes and any(
                    r.split(".")[0].casefold() == term.split(".")[0].casefold()
                    for r in gene.get("refseq", {}).get("rna", [])
                ):
                    score = 50.0
                if score:
                    hit: dict[str, object] = {"query": term, "_id": gene["_id"], "_score": score}
                    hit.update({f: gene[f] for f in fields if f in gene})
                    hits.append(hit)
            hits.sort(key=lambda h: (-float(h["_score"]), str(h["_id"])))
            answer.extend(hits or [{"query": term, "notfound": True}])
        return 200, json.dumps(answer).encode(), "application/json"
