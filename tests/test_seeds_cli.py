"""`gicrawler seeds check|detect|add` against the loopback replicas and small test servers: real
fetches through Scrapy with the project's settings (robots.txt, User-Agent), in a subprocess."""
from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from gicrawler.seeds import load_seeds

REPO = Path(__file__).resolve().parents[1]
# loopback servers: no politeness delays or retry pauses (tests only; never the defaults)
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_BACKOFF_BASE=0"]


def seeds(*args, timeout=240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gicrawler", "seeds", *args, *FAST], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def blocks(out: str) -> dict[str, str]:
    """check's output per portal (a portal's lines start at its unindented name line)."""
    found, name = {}, None
    for line in out.splitlines():
        if line and not line.startswith(" ") and not line.startswith("checked "):
            name = line.split(" ", 1)[0]
            found[name] = ""
        elif name:
            found[name] += line + "\n"
    return found


@pytest.fixture
def site():
    """A small site: pages by path, robots.txt, and the (path, User-Agent) of each request."""
    pages = {"/robots.txt": ("text/plain", "User-agent: *\nDisallow: /private/\n")}
    agents = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            agents.append((self.path, self.headers.get("User-Agent", "")))
            kind, body = pages.get(self.path, ("text/html", "<html><body>404</body></html>"))
            data = body.encode("utf-8")
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages, agents
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_check_every_replica_portal(replicas, replica_seeds):
    done = seeds("check", str(replica_seeds))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    found = blocks(done.stdout)
    assert set(found) == {e["name"] for e in replicas.seed_entries()}
    for name, text in found.items():
        assert "reports seen" in text and "NO REPORT" not in text, (name, text)
        assert "list entries" in text and "pages planned" in text and "listed" in text
    assert "<datastore>" in found["jiaxing"] and "unitbuild" in found["jiaxing_jpaas"]
    assert "createPageHTML" in found["huangshi"] and "anti-bot challenge passed in the browser" in found["huangshi"]
    assert "doc_{24hex} links" in found["zibo"]
    assert f"checked {len(found)} portals: {len(found)} yield reports" in done.stdout


def test_check_reports_changed_markup_not_an_empty_column(replicas, replica_seeds, monkeypatch):
    """The replica's Hanweb columns serve their list with the markers renamed (a site redesign):
    check must say so and fail, not report an empty column as fine."""
    portal = replicas.portals["jiaxing"]
    respond = portal.respond

    renamed = {b"datastore": b"itemstore", b"<record>": b"<item>", b"dataproxy.jsp": b"itemproxy.do",
               b"jpage(": b"pager(", b"loadPageData": b"fillList", b"webSiteCode": b"site", b"channelCode": b"chan"}

    def redesigned(req):
        resp = respond(req)
        if resp.status == 200:   # the whole site: pages and list answers
            for old, new in renamed.items():
                resp.body = resp.body.replace(old, new)
        return resp

    monkeypatch.setattr(portal, "respond", redesigned)
    done = seeds("check", str(replica_seeds), "--portal", "jiaxing")
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    text = blocks(done.stdout)["jiaxing"]
    columns = next(e for e in replicas.seed_entries() if e["name"] == "jiaxing")["index_urls"]
    assert text.count("\n    markup changed: expected hanweb markers, saw /col/col{id}/") == len(columns) > 1
    assert "→ NO REPORT: markup changed: expected hanweb markers" in text
    assert "checked 1 portals: 0 yield reports, 1 do not (jiaxing)" in done.stdout


def test_check_unreachable_and_no_report(tmp_path, site):
    base, pages, _ = site
    pages["/nb/index.shtml"] = ("text/html", "<ul><li><a href='./202401/t20240101_1.shtml'>2023年工作要点</a></li></ul>"
                                             "<script>createPageHTML(1, 0, 'index', 'shtml');</script>")
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()   # nothing listens there now
    path = tmp_path / "s.yaml"
    path.write_text(f"portals:\n  - {{name: gone, family: trs, index_urls: ['http://127.0.0.1:{port}/nb/index.shtml']}}\n"
                    f"  - {{name: quiet, family: trs, index_urls: ['{base}/nb/index.shtml']}}\n", encoding="utf-8")
    done = seeds("check", str(path), "-s", "RETRY_TIMES=0")
    assert done.returncode == 1
    found = blocks(done.stdout)
    assert "/nb/index.shtml: unreachable: " in found["gone"] and "ConnectionRefusedError" in found["gone"] and "→ NO REPORT: unreachable" in found["gone"]
    assert "list entries 1, reports among them 0, listed 1 page, pages planned 1" in found["quiet"]
    assert "→ NO REPORT: no report among 1 list entries" in found["quiet"]
    bad = seeds("check", str(path), "--portal", "nope")
    assert bad.returncode == 2 and "portal nope not in the seed list" in bad.stderr


def test_detect_prints_a_valid_entry_and_add_appends_it(replicas, tmp_path):
    column = replicas.seed_entries()[1]["index_urls"][0]         # jiaxing's Hanweb column
    done = seeds("detect", column, "--name", "jx")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith(f"# {column}: family hanweb; markers: <datastore>, dataproxy.jsp")
    assert "\n# the hanweb adapter reads 5 list entries here, 2 reports among them, listed 13" in done.stdout
    [entry] = yaml.safe_load(done.stdout)
    assert entry["family"] == "hanweb" and entry["index_urls"] == [column] and entry["verified"] is False
    target = tmp_path / "mine.yaml"
    target.write_text("# my portals (a comment that must stay)\nportals:\n"
                      "  - name: jx\n    family: trs\n    index_urls: [https://www.a.gov.cn/nb/]  # a note\n",
                      encoding="utf-8")
    added = seeds("add", column, "--to", str(target), "--name", "jx")
    assert added.returncode == 0, added.stderr[-3000:]
    assert "added jx_2 (hanweb)" in added.stdout          # the name was taken: a free one
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# my portals (a comment that must stay)\n") and "# a note" in text
    assert [p.name for p in load_seeds(target)] == ["jx", "jx_2"]
    again = seeds("add", column, "--to", str(target))
    assert again.returncode == 1 and "is already in" in again.stderr
    assert [p.name for p in load_seeds(target)] == ["jx", "jx_2"]


def test_detect_no_known_family_robots_and_user_agent(site, tmp_path):
    base, pages, agents = site
    pages["/plain.html"] = ("text/html", "<html><head><meta name='SiteIDCode' content='1234000001'></head>"
                                         "<body><a href='/news/1.html'>新闻</a></body></html>")
    pages["/private/nb.html"] = ("text/html", "<script>createPageHTML(2, 0, 'nb', 'html');</script>")
    done = seeds("detect", f"{base}/plain.html", "--no-browser")
    assert done.returncode == 1
    assert "markers: SiteIDCode=1234000001" in done.stdout and "no known family" in done.stderr
    assert agents and all(agent.startswith("gicrawler/") for _, agent in agents)   # the project's User-Agent
    blocked = seeds("detect", f"{base}/private/nb.html", "--no-browser")
    assert blocked.returncode == 1 and "robots.txt" in blocked.stderr
    assert not any(path.startswith("/private/") for path, _ in agents)
    target = tmp_path / "new.yaml"
    nothing = seeds("add", f"{base}/plain.html", "--to", str(target), "--no-browser")
    assert nothing.returncode == 1 and not target.exists()


def test_reports_past_a_changed_index_page_do_not_count():
    """An index page without its family's markers whose further page still shows reports (an
    adapter's fallback guess, another column's list): reported, not counted as the portal's."""
    from gicrawler.commands.seeds import format_check
    from gicrawler.families.detect import Detection, PageCheck
    from gicrawler.seeds import Portal

    portal = Portal(name="p", family="hanweb", index_urls=("https://www.a.gov.cn/col/col1/index.html",),
                    allowed_domains=("a.gov.cn",))
    root = portal.index_urls[0]
    index = PageCheck(root, 200, Detection(root, None), markup_changed="markup changed: expected hanweb markers, saw none",
                      root=root)
    further = PageCheck("https://www.a.gov.cn/module/web/jpage/dataproxy.jsp", 200, Detection(root, "hanweb"),
                        entries=1, reports=[{"url": "https://www.a.gov.cn/art/2024/1/2/art_9_1.html"}], hop=1, root=root)
    lines, ok = format_check(portal, [index, further])
    assert not ok and lines[-1] == ("  → NO REPORT: markup changed: expected hanweb markers, saw none "
                                    "(1 reports reached past it not counted)")
    lines, ok = format_check(portal, [PageCheck(root, 200, Detection(root, "hanweb"), root=root), further])
    assert ok and lines[-1] == "  → 1 reports seen"
