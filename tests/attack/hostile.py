"""A hostile portal on loopback, for the attack suite (a test fixture: the product never knows it).

``HostilePortal`` serves three seed entries from one server, each a family gicrawler crawls,
each page an attack on the crawler rather than a government page:

- ``hostile_trs`` (TRS WCM), two columns:
  ``/trs/`` — a pager claiming 1,000,000 pages (``createPageHTML(1000000, …)``) and one report per
  attack: off-site redirects of the page and of its attachment, an off-site attachment, an endless
  body, a slow body, a huge Content-Length, gzip bombs (page and attachment), a redirect loop,
  10,000 attachment links, an XML report page carrying XXE and billion-laughs entities;
  ``/big/`` — one list page of 10,000 links (reports, duplicates, off-site reports, other items);
- ``hostile_hanweb`` (Hanweb JCMS): ``jpage({totalRecord:1000000})``, dataproxy answers carrying
  XXE and billion-laughs DTDs;
- ``hostile_jpaas`` (Hanweb JPaaS): a unit API that never answers an empty page.

A second server (``OffSite``, reached as ``localhost``) stands for every other host: it records
what reaches it, which must be nothing. ``robots.txt`` itself redirects there.

Everything here is synthetic, written for these tests (no saved page of a real portal).
"""
from __future__ import annotations

import json
import re
import threading
import zlib
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

REPORT_TITLE = "{n}号单位2023年政府信息公开工作年度报告"
PAGER_CLAIM = 1_000_000            # pages (TRS) and records (Hanweb) the pagers claim
BIG_LINKS = 10_000                 # links on the /big/ list page
BIG_REPORTS = 100                  # of which distinct on-site reports …
BIG_OFFSITE = 2_500                # … links to reports on another host …
BIG_OTHER = 2_500                  # … items that are no reports; the rest repeat the reports
MANY_ATTACHMENTS = 10_000          # document links on one report page
BOMB_BYTES = 512 << 20             # a gzip bomb expands to this (about 0.5 MB on the wire)


def report_page(n: int, body: str = "") -> bytes:
    title = REPORT_TITLE.format(n=n)
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='article'><h1>{title}</h1><p>一、总体情况</p>{body}</div></body></html>").encode()


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """BOMB_BYTES of zeros, gzip-compressed (built once per test session, ~1 s)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    return b"".join([packer.compress(chunk) for _ in range(BOMB_BYTES >> 20)] + [packer.flush()])


def entity_dtd(secret_path: str) -> str:
    """An XXE entity (a local file) and billion laughs (10 levels, 10^9 'lol' when expanded)."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    return (f'<!DOCTYPE datastore [<!ENTITY xxe SYSTEM "file://{secret_path}">' + "".join(levels) + "]>")


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a crawler hanging up is no server error
        pass


class _Server:
    """A threaded HTTP server on a free loopback port; ``log`` holds (method, path?query) seen."""

    def __init__(self):
        self.log: list[tuple[str, str]] = []
        self.cookies_sent: list[str] = []  # Cookie headers received
        self._lock = threading.Lock()
        self.closing = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                with outer._lock:
                    outer.log.append((self.command, self.path))
                    if self.headers.get("Cookie"):
                        outer.cookies_sent.append(self.headers["Cookie"])
                try:
                    outer.answer(self, urlsplit(self.path), parse_qs(form))
                except (BrokenPipeError, ConnectionResetError):  # the crawler gave up: fine
                    self.close_connection = True

            do_GET = do_POST = do_HEAD = _serve

        self.httpd = _Quiet(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests(self, prefix: str = "") -> list[tuple[str, str]]:
        with self._lock:
            return [r for r in self.log if r[1].startswith(prefix)]

    def reset_log(self):
        with self._lock:
            self.log.clear()

    # --- answers ----------------------------------------------------------------------
    def answer(self, h, url, form):
        raise NotImplementedError

    @staticmethod
    def send(h, body: bytes, ctype="text/html; charset=utf-8", status=200, headers=None):
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)

    def redirect(self, h, location: str, status=302):
        self.send(h, b"", status=status, headers={"Location": location})


class OffSite(_Server):
    """Every other host on the Internet: answers anything, and records it."""

    def answer(self, h, url, form):
        self.send(h, report_page(0, "<p>off-site content</p>"))


class HostilePortal(_Server):
    def __init__(self, secret_path: str):
        super().__init__()
        self.offsite = OffSite()
        self.secret_path = secret_path

    def start(self):
        gzip_bomb()  # built before the first request: its ~1 s must not count as a slow answer
        self.offsite.start()
        return super().start()

    def stop(self):
        super().stop()
        self.offsite.stop()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def away(self) -> str:
        return f"http://localhost:{self.offsite.port}"

    # --- seeds ------------------------------------------------------------------------
    def seed_entries(self) -> list[dict]:
        return [
            {"name": "hostile_trs", "family": "trs", "region": "攻击测试",
             "index_urls": [f"{self.base}/trs/index.shtml", f"{self.base}/big/index.shtml"],
             "allowed_domains": ["127.0.0.1"], "obey_robots": True},
            {"name": "hostile_hanweb", "family": "hanweb",
             "index_urls": [f"{self.base}/col/col100/index.html"],
             "allowed_domains": ["127.0.0.1"], "obey_robots": False},
            {"name": "hostile_jpaas", "family": "jpaas",
             "index_urls": [f"{self.base}/col/col200/index.html"],
             "allowed_domains": ["127.0.0.1"], "obey_robots": False},
        ]

    trs_cookie_header = "JSESSIONID=4711; Path=/; HttpOnly"

    # The /trs/ column: one report per attack (its number → what the report page does)
    TRS_REPORTS = {
        1: "plain",                 # an ordinary report page: stored
        2: "page_offsite_redirect",  # 302 to another host
        3: "attachment_offsite",     # links a document on another host
        4: "attachment_redirect",    # an on-site document that 302s to another host
        5: "endless",                # chunked body that never ends
        6: "slow",                   # one byte at a time, never finishing in time
        7: "huge_length",            # Content-Length: 1 TB
        8: "gzip_bomb",              # 0.5 MB gzip expanding to 512 MB
        9: "attachment_gzip_bomb",   # a document that is a gzip bomb
        10: "redirect_loop",         # 302 to itself, for ever
        11: "many_attachments",      # 10,000 document links
        12: "xml_entities",          # an XML report page with XXE and billion laughs
    }

    def trs_index(self) -> bytes:
        rows = "".join(
            f"<li><a href='./202401/t20240101_{n}.shtml' title='{REPORT_TITLE.format(n=n)}'>{n}</a>"
            f"<span>2024-01-01</span></li>" for n in self.TRS_REPORTS)
        return (f"<html><head><meta charset='utf-8'></head><body><ul>{rows}</ul>"
                f"<script>createPageHTML({PAGER_CLAIM}, 0, \"index\", \"shtml\");</script></body></html>").encode()

    def big_index(self) -> bytes:
        rows = []
        for i in range(BIG_LINKS):
            if i < BIG_REPORTS:
                n = 1000 + i
                rows.append(f"<li><a href='./202401/t20240102_{n}.shtml'>{REPORT_TITLE.format(n=n)}</a>2024-01-02</li>")
            elif i < BIG_REPORTS + BIG_OFFSITE:
                rows.append(f"<li><a href='{self.away}/202401/t20240102_{i}.shtml'>{REPORT_TITLE.format(n=i)}</a></li>")
            elif i < BIG_REPORTS + BIG_OFFSITE + BIG_OTHER:
                rows.append(f"<li><a href='./202401/t20240103_{i}.shtml'>关于印发{i}号工作要点的通知</a></li>")
            else:  # the same reports again (PC and mobile lists, pasted twice …)
                n = 1000 + i % BIG_REPORTS
                rows.append(f"<li><a href='./202401/t20240102_{n}.shtml'>{REPORT_TITLE.format(n=n)}</a></li>")
        return ("<html><head><meta charset='utf-8'></head><body><ul>" + "".join(rows) + "</ul></body></html>").encode()

    def answer(self, h, url, form):
        path, query = url.path, parse_qs(url.query)
        if path == "/robots.txt":
            return self.redirect(h, f"{self.away}/robots.txt")
        if path == "/trs/index.shtml":  # a session cookie, as TRS and Hanweb sites set (cookie jar → tldextract)
            return self.send(h, self.trs_index(), headers={"Set-Cookie": self.trs_cookie_header})
        if path.startswith("/trs/index_"):  # any page of the million the pager claims
            return self.send(h, b"<html><body><ul></ul></body></html>")
        if path == "/big/index.shtml":
            return self.send(h, self.big_index())
        if path.startswith("/big/202401/"):
            n = int(path.rsplit("_", 1)[1].split(".")[0])
            return self.send(h, report_page(n))
        if path.startswith("/trs/202401/t20240101_"):
            n = int(path.rsplit("_", 1)[1].split(".")[0])
            return self.trs_report(h, n, query)
        if path.startswith("/files/"):
            return self.attachment(h, path)
        if path == "/col/col100/index.html":
            return self.send(h, self.hanweb_column())
        if path == "/module/web/jpage/dataproxy.jsp":
            return self.hanweb_proxy(h, query)
        if path == "/col/col200/index.html":
            return self.send(h, self.jpaas_column())
        if path.startswith("/api-gateway/"):
            return self.jpaas_unit(h, query)
        if "/art/" in path:  # Hanweb and JPaaS report pages
            return self.send(h, report_page(int(re.findall(r"\d+", path)[-1]) % 100_000))
        return self.send(h, b"<html><body>404</body></html>", status=404)

    def trs_report(self, h, n, query):
        kind = self.TRS_REPORTS.get(n)
        if kind == "page_offsite_redirect":
            return self.redirect(h, f"{self.away}/stolen/report{n}.html")
        if kind == "attachment_offsite":
            return self.send(h, report_page(n, f"<p>附件：<a href='{self.away}/files/{n}.pdf'>报告.pdf</a></p>"))
        if kind == "attachment_redirect":
            return self.send(h, report_page(n, f"<p>附件：<a href='/files/redirect-{n}.pdf'>报告.pdf</a></p>"))
        if kind == "endless":
            return self.endless(h)
        if kind == "slow":
            return self.slow(h)
        if kind == "huge_length":
            return self.huge_length(h)
        if kind == "gzip_bomb":
            return self.send(h, gzip_bomb(), headers={"Content-Encoding": "gzip"})
        if kind == "attachment_gzip_bomb":
            return self.send(h, report_page(n, "<p>附件：<a href='/files/bomb.pdf'>报告.pdf</a></p>"))
        if kind == "redirect_loop":
            hop = int(query.get("hop", ["0"])[0]) + 1
            return self.redirect(h, f"/trs/202401/t20240101_{n}.shtml?hop={hop}")
        if kind == "many_attachments":
            links = "".join(f"<a href='/files/many-{i}.pdf'>附件{i}</a> " for i in range(MANY_ATTACHMENTS))
            return self.send(h, report_page(n, f"<p>{links}</p>"))
        if kind == "xml_entities":
            body = (f"<?xml version='1.0' encoding='UTF-8'?>{entity_dtd(self.secret_path)}"
                    f"<datastore><title>{REPORT_TITLE.format(n=n)} &xxe; &lol9;</title></datastore>")
            return self.send(h, body.encode(), ctype="application/xml")
        return self.send(h, report_page(n))

    def attachment(self, h, path):
        if path.startswith("/files/redirect-"):
            return self.redirect(h, f"{self.away}{path}")
        if path == "/files/bomb.pdf":
            return self.send(h, gzip_bomb(), ctype="application/pdf", headers={"Content-Encoding": "gzip"})
        return self.send(h, b"%PDF-1.4\n%%EOF\n", ctype="application/pdf")

    # --- bodies that never end well ----------------------------------------------------
    def endless(self, h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"<p>" + "年度报告".encode() * 4000 + b"</p>"
        frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        while not self.closing.is_set():
            h.wfile.write(frame)

    def slow(self, h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(100000):
            if self.closing.wait(0.2):
                return
            h.wfile.write(b" ")
            h.wfile.flush()

    def huge_length(self, h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(10 ** 12))
        h.end_headers()
        h.wfile.write(b"<html>" + b" " * (1 << 20))
        self.closing.wait(30)

    # --- Hanweb JCMS: a million records, dataproxy answers with entity DTDs -------------
    def hanweb_column(self) -> bytes:
        return (
            "<html><head><meta charset='utf-8'></head><body>"
            "<div id='300'><script type='text/xml'><datastore>"
            "<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/"
            "&columnid=100&unitid=300&webname=x&permissiontype=0\"></a>]]></nextgroup><recordset>"
            f"<record><![CDATA[<li><a href='/art/2024/1/1/art_100_1.html' title='{REPORT_TITLE.format(n=1)}'>1</a>"
            "<span>2024-01-01</span></li>]]></record>"
            "</recordset></datastore></script></div>"
            f"<script>var param_300={{columnid:100,unitid:'300'}}; $('#300').jpage({{totalRecord:{PAGER_CLAIM},perPage:15}});</script>"
            "</body></html>").encode()

    def hanweb_proxy(self, h, query):
        start = int(query.get("startrecord", ["1"])[0])
        n = 100 + start  # one new report per answer
        record = (f"<record><![CDATA[<li><a href='/art/2024/1/1/art_100_{n}.html' title='{REPORT_TITLE.format(n=n)}'>"
                  f"{n}</a><span>2024-01-01</span></li>]]></record>")
        body = (f"<?xml version='1.0' encoding='UTF-8'?>{entity_dtd(self.secret_path)}<datastore>"
                f"<totalrecord>{PAGER_CLAIM}</totalrecord><totalpage>{PAGER_CLAIM // 15}</totalpage>"
                f"<note>&xxe;&lol9;</note><recordset>{record}</recordset></datastore>")
        return self.send(h, body.encode(), ctype="text/xml; charset=utf-8")

    # --- Hanweb JPaaS: a unit API whose pages never run out ------------------------------
    def jpaas_column(self) -> bytes:
        return ("<html><body><script src='/static/AuthorizedRead/unitbuild.js' "
                "url='/api-gateway/jpaas-publish-server/front/page/build/unit' "
                "queryData=\"{'webId':'9','pageId':'200','tplSetId':'t','tagId':'list'}\"></script>"
                "<div class='pager' count='1000000' rows='15' pageNo='1'></div></body></html>").encode()

    def jpaas_unit(self, h, query):
        page = json.loads(query.get("paramJson", ['{"pageNo":1}'])[0]).get("pageNo", 1)
        n = 5000 + int(page)
        html = (f"<ul><li><a href='/col/col200/art/2024/art_{n:032x}.html' title='{REPORT_TITLE.format(n=n)}'>x</a>"
                "<span>2024-01-20</span></li></ul>")
        return self.send(h, json.dumps({"success": True, "data": {"html": html}}).encode(),
                         ctype="application/json")
