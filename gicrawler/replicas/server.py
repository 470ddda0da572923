"""Serving the portal replicas (portal.py: what a replica is): one HTTP server per site on
127.0.0.1 (request log, conditional GET) and the ``ReplicaSet`` API tests, benchmarks and
``gicrawler demo`` use.
"""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from gicrawler.replicas import beijing, gkmlpt, govcn, huangshi, jiaxing, scaled, ucap, webbuilder, zibo
from gicrawler.replicas.portal import Portal, Request, Response


# the replicas of the families added for seed lists beyond the first three portals
NEW_FAMILIES = (gkmlpt.Gkmlpt, govcn.Govcn, beijing.Beijing, ucap.Ucap, webbuilder.Webbuilder)


def _etag(body: bytes) -> str:
    return '"%s"' % hashlib.sha1(body).hexdigest()[:20]


def _not_modified(req: Request, etag: str, last_modified: datetime) -> bool:
    inm = req.headers.get("If-None-Match")
    if inm is not None:
        return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims = req.headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return last_modified.replace(microsecond=0) <= since
    return False


def make_handler(portal: Portal):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "nginx"
        disable_nagle_algorithm = True   # TCP_NODELAY (socketserver.StreamRequestHandler.setup)
        sys_version = ""
        timeout = 30

        def log_message(self, *args):  # quiet: the ReplicaSet keeps its own log
            pass

        def _serve(self):
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            form = {}
            if raw and "urlencoded" in (self.headers.get("Content-Type") or ""):
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
            req = Request(self.command, split.path,
                          {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()},
                          form, dict(self.headers.items()), self.path)
            portal.rs._log(portal.name, req)
            try:
                resp = portal.respond(req)
            except Exception as exc:  # a replica bug must show as a 500, not a hung socket
                resp = Response(500, f"replica error: {exc!r}".encode(), "text/plain")
            headers = dict(resp.headers)
            if resp.last_modified is not None and resp.status == 200:
                etag = _etag(resp.body)
                headers["ETag"] = etag
                headers["Last-Modified"] = format_datetime(resp.last_modified, usegmt=True)
                if _not_modified(req, etag, resp.last_modified):
                    resp = Response(304, b"", resp.content_type)
            self.send_response(resp.status)
            if resp.status != 304:
                self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            for k, v in headers.items():
                self.send_header(k, v)
            # Headers and body in one write (end_headers would send the headers alone): a small
            # second send waits for the client's delayed ACK of the first, ~40 ms per keep-alive
            # request, and a crawl measured against these servers would mostly measure that.
            self._headers_buffer.append(b"\r\n")
            if self.command != "HEAD":
                self._headers_buffer.append(resp.body)
            self.flush_headers()

        do_GET = do_POST = do_HEAD = _serve

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        import sys
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # clients hanging up are normal
            super().handle_error(request, client_address)


def _bind(port: int, handler) -> "_Server":
    try:
        return _Server(("127.0.0.1", port), handler)
    except (OSError, OverflowError):  # taken (or past 65535, counting up from --port): any free port will do
        return _Server(("127.0.0.1", 0), handler)


class ReplicaSet:
    """The running replicas (one ThreadingHTTPServer per site on 127.0.0.1, free ports).

    - ``ReplicaSet.start(scale=None)``: 淄博 + 嘉兴 (+ its JPaaS column) + 黄石, and one replica of
      each newer family: gkmlpt (广州), govcn (+ govcn_state), beijing_huairou + beijing_miyun
      (zfxxgknb), ucap (甘肃), webbuilder (松江); ``scale=N``: one generated TRS portal ``bigtrs``
      with N reports (benchmarks; ``pdf_every=K``: every K-th also as a PDF attachment).
    - ``rs.bases``: seed-portal name → base URL (``jiaxing`` and ``jiaxing_jpaas`` share a server).
    - ``rs.expected``: portal → {url: expected record} (``ReportSpec.expected``: title, year, agency,
      publisher, published, index_number, template, tables, missing_tables, has_tables, delivery
      "html" | "pdf_only" | "html+pdf" | "html+docx", failed_checks, checks_ok, sample).
    - ``rs.requests``: [(portal, method, path?query, headers)] as received; ``rs.posts``: the POSTs
      with their forms; ``rs.reset_log()``.
    - ``rs.write_seeds(path)`` / ``rs.seed_entries()``: the seeds YAML for these servers.
    - ``rs.modify(url)``: the report at ``url`` (page and attachments) changes: one more paragraph,
      Last-Modified one day later, new ETag.
    - ``rs.portals[name]``: the ``Portal`` objects; for tests: ``portals["zibo"].dead_url`` (a listed
      doc path answering 404), ``portals["jiaxing"].flaky_url`` (500 twice per server run, then 200),
      ``.items`` / ``.jitems`` / ``.eitems`` (every list row with its ``kind``:
      report | distractor | offsite | dead).
    - ``rs.stop()`` (or use the set as a context manager).
    """

    def __init__(self):
        self._servers: list[tuple[_Server, threading.Thread]] = []
        self._lock = threading.Lock()
        self._entries: list[tuple] = []
        self.portals: dict[str, Portal] = {}
        self.scale = None

    @classmethod
    def start(cls, scale: int | None = None, first_port: int = 0, pdf_every: int = 0) -> "ReplicaSet":
        """``first_port``: try first_port, first_port+1, … (one per site), else any free port;
        stable ports keep the replicas' URLs, and so the stored records, the same across runs.
        ``pdf_every`` (with ``scale``): every K-th generated report also ships as a PDF attachment."""
        rs = cls()
        rs.scale = scale
        families = [scaled.BigTrs] if scale else [zibo.Zibo, jiaxing.Jiaxing, huangshi.Huangshi, *NEW_FAMILIES]
        servers = []
        try:
            for i, family in enumerate(families):
                portal = family(rs) if not scale else family(rs, scale, pdf_every)
                server = _bind(first_port + i if first_port else 0, make_handler(portal))
                portal.base = f"http://127.0.0.1:{server.server_address[1]}"
                rs.portals[portal.name] = portal
                servers.append(server)
            for portal in rs.portals.values():   # after binding: pages may link to the other servers
                portal.build()
        except BaseException:
            for server in servers:
                server.server_close()
            raise
        for server in servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                                      name=f"replica-{server.server_address[1]}")
            thread.start()
            rs._servers.append((server, thread))
        return rs

    def stop(self) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self._servers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- what tests read
    @property
    def bases(self) -> dict[str, str]:
        out = {}
        for portal in self.portals.values():
            for entry in portal.seed_entries():
                out[entry["name"]] = portal.base
        return out

    @property
    def expected(self) -> dict[str, dict[str, dict]]:
        out: dict[str, dict[str, dict]] = {}
        for portal in self.portals.values():
            for name, reports in portal.reports.items():
                out.setdefault(name, {}).update({url: spec.expected(url) for url, spec in reports.items()})
        return out

    @property
    def requests(self) -> list[tuple]:
        with self._lock:
            return [entry[:4] for entry in self._entries]

    @property
    def posts(self) -> list[tuple]:
        """[(portal, path?query, form)] of the POSTs received: list APIs (/queryList,
        /fjdzapp/search) are one URL whose pages differ only in the form."""
        with self._lock:
            return [(e[0], e[2], e[4]) for e in self._entries if e[1] == "POST"]

    def _log(self, portal: str, req: Request) -> None:
        with self._lock:
            self._entries.append((portal, req.method, req.raw_path, req.headers, dict(req.form)))

    def reset_log(self) -> None:
        with self._lock:
            self._entries.clear()

    def portal_of(self, url: str) -> Portal:
        for portal in self.portals.values():
            if url.startswith(portal.base + "/"):
                return portal
        raise KeyError(f"no replica serves {url}")

    def modify(self, url: str) -> None:
        """Change report ``url`` (its page and attachments): new text, later Last-Modified, new ETag."""
        portal = self.portal_of(url)
        for reports in portal.reports.values():
            spec = reports.get(url)
            if spec is not None:
                spec.revision += 1
                return
        raise KeyError(f"{url} is not a report page")

    def seed_entries(self) -> list[dict]:
        return [entry for portal in self.portals.values() for entry in portal.seed_entries()]

    def write_seeds(self, path) -> str:
        import yaml
        from pathlib import Path

        text = yaml.safe_dump({"portals": self.seed_entries()}, allow_unicode=True, sort_keys=False)
        Path(path).write_text(text, encoding="utf-8")
        return str(path)
