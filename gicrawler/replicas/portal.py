"""What a portal replica is made of: requests and responses, static pages, and the ``Portal`` base
class a family module subclasses (zibo.py, jiaxing.py, huangshi.py, scaled.py).

A family module subclasses :class:`Portal`: ``build()`` fills ``self.pages`` (path → ``Page``, the
static resources) and registers reports with :meth:`Portal.add_report`; ``dynamic(req)`` answers
what cannot be a static page (JSON/XML list endpoints). Everything is built once per server run
from seeded random data, so two runs serve the same bytes. server.py serves them.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie
from typing import Callable


@dataclass
class Request:
    method: str
    path: str               # path only, percent-encoded as received
    query: dict[str, str]   # first value of each query parameter
    form: dict[str, str]    # urlencoded POST body
    headers: dict[str, str]
    raw_path: str           # path?query as received

    @property
    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except Exception:  # a garbled cookie header is just no cookie
            return {}
        return {k: m.value for k, m in jar.items()}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None   # set → ETag/Last-Modified headers and 304 answers


@dataclass
class Page:
    """A static resource; ``render`` is called lazily (and cached until the report is modified)."""
    render: Callable[[], bytes]
    content_type: str = "text/html; charset=utf-8"
    conditional: bool = False               # detail pages and attachments: ETag/Last-Modified
    spec: object | None = None              # the ReportSpec it shows (for modify())
    _cache: tuple | None = None

    def body(self) -> bytes:
        revision = getattr(self.spec, "revision", 0)
        if self._cache is None or self._cache[0] != revision:
            self._cache = (revision, self.render())
        return self._cache[1]


ROBOTS = "User-agent: *\nDisallow: /admin/\nDisallow: /jsearchfront/\nDisallow: /igs/\n"


class Portal:
    """One replica site. Subclasses set ``name`` and implement ``build``."""

    name = "portal"
    region = ""
    family = ""
    browser = False
    antibot_browser = False
    charset = "utf-8"

    def __init__(self, rs):     # rs: the server.ReplicaSet serving it (request log, other portals)
        self.rs = rs
        self.base = ""
        self.pages: dict[str, Page] = {}
        self.reports: dict[str, dict] = {}          # portal name → {url: expected}
        self.flaky: dict[str, int] = {}             # path → failures still to serve (500)
        self.lock = threading.Lock()
        self.extra_seeds: list[dict] = []           # more seed entries served by this server

    # --- building
    def build(self) -> None:
        raise NotImplementedError

    def seed_entries(self) -> list[dict]:
        raise NotImplementedError

    def add_page(self, path: str, render: Callable[[], bytes], content_type: str | None = None,
                 conditional: bool = False, spec=None) -> None:
        self.pages[path] = Page(render, content_type or f"text/html; charset={self.charset}", conditional, spec)

    def add_report(self, url: str, spec, portal: str | None = None) -> None:
        self.reports.setdefault(portal or self.name, {})[url] = spec

    def last_modified(self, spec) -> datetime:
        """Deterministic: the publication day at 09:30 Beijing time, one day later per modification."""
        base = datetime.fromisoformat(spec.published).replace(hour=1, minute=30, tzinfo=timezone.utc) \
            if spec is not None else datetime(2024, 1, 1, tzinfo=timezone.utc)
        return base + timedelta(days=getattr(spec, "revision", 0))

    # --- answering
    def dynamic(self, req: Request) -> Response | None:
        return None

    def guard(self, req: Request) -> Response | None:
        """Anti-bot hook: a response here replaces the page (e.g. a 412 challenge)."""
        return None

    def respond(self, req: Request) -> Response:
        if req.path == "/robots.txt":
            return Response(body=ROBOTS.encode(), content_type="text/plain")
        blocked = self.guard(req)
        if blocked is not None:
            return blocked
        with self.lock:
            left = self.flaky.get(req.path, 0)
            if left:
                self.flaky[req.path] = left - 1
        if left:
            return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")
        dyn = self.dynamic(req)
        if dyn is not None:
            return dyn
        page = self.pages.get(req.path)
        if page is None or req.method not in ("GET", "HEAD"):
            return self.not_found()
        resp = Response(body=page.body(), content_type=page.content_type)
        if page.conditional:
            resp.last_modified = self.last_modified(page.spec)
        return resp

    def not_found(self) -> Response:
        return Response(404, "<html><head><title>404</title></head><body>页面不存在</body></html>".encode(self.charset),
                        content_type=f"text/html; charset={self.charset}")
