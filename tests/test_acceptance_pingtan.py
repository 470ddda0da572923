"""Acceptance: the real saved 平潭 政府信息公开年报 column, served on loopback at its original
paths, crawled by the real spider from a seed entry (``scrapy crawl reports`` in a subprocess).

What is served (tests/files/trs, the real files untouched):

- ``/zwgk/zfxxgk/zfxxgknb/`` — the real static column page (10 of its 20 documents, and
  ``listModel({quickMode: "动静结合", … recordCount: '20'})`` for the rest);
- ``POST /fjdzapp/search`` with the page's own listModel arguments and ``page=2`` — the
  CONSTRUCTED answer (no real one exists: tests/files/trs/README.md, *The page-2 API answer*);
- the two saved detail pages at their original paths; every other detail page answers 404
  (it was not saved), so it must end as a record with ``fetch_error``, never silently lost.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from tests.crawl_helpers import crawl_stats, run_crawl, stored_records

TRS = Path(__file__).parent / "files" / "trs"
COLUMN = "/zwgk/zfxxgk/zfxxgknb/"
PAGES = {
    COLUMN: TRS / "pingtan-zfxxgknb-list.html",
    COLUMN + "201402/t20140225_80774.htm": TRS / "pingtan-detail-t20140225_80774.html",
    COLUMN + "201412/t20141210_80787.htm": TRS / "pingtan-detail-t20141210_80787.html",
}
ANSWER = json.loads((TRS / "pingtan-fjdzapp-search-page2.CONSTRUCTED.json").read_text(encoding="utf-8"))
LETTER = COLUMN + "201412/t20141210_80787.htm"        # 关于2014年政府信息公开工作要点落实情况的函
SAVED_REPORT = COLUMN + "201402/t20140225_80774.htm"


class Column:
    """The saved column on 127.0.0.1 (a free port), with a request log and an API switch."""

    def __init__(self, pages=None, answer=ANSWER):
        self.requests: list[tuple[str, str, dict]] = []
        self.api_up = answer is not None
        pages = PAGES if pages is None else pages
        column = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body=b"", ctype="text/html; charset=utf-8"):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = urlsplit(self.path).path
                column.requests.append(("GET", path, {}))
                page = pages.get(path)
                if page is None:
                    return self._answer(404, "<html><body>404 页面不存在</body></html>".encode())
                self._answer(200, page.read_bytes())

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                path = urlsplit(self.path).path
                column.requests.append(("POST", path, form))
                if column.api_up and path == answer["request"]["path"] and form == answer["request"]["form"]:
                    body = {"data": answer["data"], "pageCount": answer["pageCount"]}
                    return self._answer(200, json.dumps(body, ensure_ascii=False).encode(), "application/json;charset=UTF-8")
                self._answer(404, b"<html><body>404</body></html>")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def column():
    served = Column()
    yield served
    served.stop()


def _seeds(tmp_path, base) -> Path:
    path = tmp_path / "pingtan.yaml"
    path.write_text(yaml.safe_dump({"portals": [{
        "name": "pingtan", "region": "福建省平潭综合实验区", "family": "trs",
        "index_urls": [base + COLUMN], "allowed_domains": ["127.0.0.1"],
    }]}, allow_unicode=True), encoding="utf-8")
    return path


def _reports_in_column():
    """The column's 19 reports (its 20 documents less the letter): the static page's rows plus the
    API page's, by their paths."""
    from parsel import Selector
    static = Selector(text=PAGES[COLUMN].read_text(encoding="utf-8")).xpath(
        "//div[@ms-visible='showStatic']//a/@href").getall()
    api = [row["chnldocurl"] for row in ANSWER["data"]]
    return {COLUMN + href[2:] for href in static + api} - {LETTER}


def _crawl(column, tmp_path):
    uri = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    column.requests.clear()
    proc = run_crawl(_seeds(tmp_path, column.base), uri, args=["full=1"], timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc, {urlsplit(r["url"]).path: r for r in stored_records(uri)}, uri


def test_every_reachable_report_found_none_lost_no_letter_taken(column, tmp_path):
    proc, records, uri = _crawl(column, tmp_path)
    reports = _reports_in_column()
    assert len(reports) == 19
    assert set(records) == reports                       # 19 records: every report, nothing else

    saved = records[SAVED_REPORT]
    assert not saved["fetch_error"]
    assert (saved["published"], saved["year"], saved["publisher"]) == ("2014-02-25", 2013, "平潭县人民政府")
    assert saved["title"] == "平潭综合实验区地方税务局2013年信息公开年度报告"
    # not saved → a record with the failure and what the list said, never silently lost
    for path in reports - {SAVED_REPORT}:
        assert records[path]["fetch_error"] == "HTTP 404", path
        assert records[path]["list_title"] and records[path]["list_date"], path
    assert records[COLUMN + "202603/t20260313_105587.htm"]["list_date"] == "2026-03-10"   # the sibling <dd>
    assert records[COLUMN + "201601/t20160112_80445.htm"]["list_date"] == "2016-01-12"    # the API's docreltime

    # the letter in the 年报 column is never even requested
    assert LETTER not in {path for _, path, _ in column.requests}
    # page 2 came from the list API, asked with the page's own listModel arguments
    assert [form for method, path, form in column.requests if method == "POST"] == [ANSWER["request"]["form"]]

    stats = crawl_stats(proc)
    assert stats["gicrawler/pingtan/listed"] == 20 and stats["gicrawler/pingtan/reached"] == 20
    assert "gicrawler/pingtan/columns_short" not in stats
    assert "portal pingtan: list_pages=2 " in proc.stderr and "; listed 20, reached 20" in proc.stderr


def test_api_unavailable_is_a_warning_listed_20_reached_10(column, tmp_path):
    from gicrawler.store import open_store

    column.api_up = False
    try:
        proc, records, uri = _crawl(column, tmp_path)
    finally:
        column.api_up = True
    assert len(records) == 10                            # the static page's reports only
    stats = crawl_stats(proc)
    assert stats["gicrawler/pingtan/listed"] == 20 and stats["gicrawler/pingtan/reached"] == 10
    assert stats["gicrawler/pingtan/columns_short"] == 1 and stats["gicrawler/pingtan/list_errors"] == 1
    warning = [line for line in proc.stderr.splitlines() if "WARNING" in line and "listed 20, reached 10" in line]
    assert warning and f"column {column.base}{COLUMN}" in warning[0]
    assert "; listed 20, reached 10" in proc.stderr      # on the portal's summary line too

    store = open_store(uri)
    try:
        run = store.last_run("pingtan")
    finally:
        store.close()
    assert run["stats"]["listed"] == 20 and run["stats"]["reached"] == 10
    assert run["columns"] == [{"column": column.base + COLUMN, "listed": 20, "reached": 10,
                               "pages": None, "pages_read": 1}]
    assert len(run["warnings"]) == 1 and "listed 20, reached 10" in run["warnings"][0]


def test_a_capped_column_shows_as_listed_20_reached_10(column, tmp_path):
    """GICRAWLER_MAX_LIST_PAGES=1: page 2 is never asked; the column says so like any shortfall."""
    uri = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    column.requests.clear()
    proc = run_crawl(_seeds(tmp_path, column.base), uri, args=["full=1"], timeout=180,
                     settings={"GICRAWLER_MAX_LIST_PAGES": "1"})
    assert proc.returncode == 0, proc.stderr[-4000:]
    stats = crawl_stats(proc)
    assert not [m for m, _, _ in column.requests if m == "POST"]
    assert stats["gicrawler/pingtan/list_pages_capped"] == 1 and stats["gicrawler/pingtan/columns_short"] == 1
    assert stats["gicrawler/pingtan/listed"] == 20 and stats["gicrawler/pingtan/reached"] == 10
    assert "; listed 20, reached 10" in proc.stderr


# --- two department 年报 columns of the same site (real pages; no list-API answer exists) --------

CZJ = "/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqczj/zfxxgknb/"
GAJ = "/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqgaj/zfxxgknb/"
DEPT_PAGES = {
    CZJ: TRS / "pingtan-czj-zfxxgknb-list.html",
    CZJ + "202601/t20260116_104656.htm": TRS / "pingtan-czj-detail-t20260116_104656.html",
    GAJ: TRS / "pingtan-gaj-zfxxgknb-list.html",
    GAJ + "202501/t20250120_96806.htm": TRS / "pingtan-gaj-detail-t20250120_96806.html",
}
NOT_REPORTS = {CZJ + "201801/t20180108_80497.htm",        # 关于做好政务公开财政牵头任务落实情况的自查报告
               GAJ + "201901/t20190130_80544.htm",        # 2018年政务公开工作要点落实情况
               GAJ + "201801/t20180102_80511.htm"}        # 关于报送《…2017年政府信息公开工作情况》的函


def test_department_columns_reports_parsed_non_reports_untouched_shortfall_logged(tmp_path):
    """The 财政金融局 and 公安局 columns served at their original paths, their list API down (no real
    answer of it exists): every report of the static pages becomes a record, the two saved ones with
    date, year, publisher and tables right, the three non-reports are never requested, and each
    column says listed N, reached 10."""
    served = Column(DEPT_PAGES, answer=None)
    try:
        seeds = tmp_path / "pingtan_bm.yaml"
        seeds.write_text(yaml.safe_dump({"portals": [{
            "name": "pingtan_bm", "region": "福建省平潭综合实验区", "family": "trs",
            "index_urls": [served.base + CZJ, served.base + GAJ], "allowed_domains": ["127.0.0.1"],
        }]}, allow_unicode=True), encoding="utf-8")
        uri = f"sqlite:///{tmp_path / 'store.sqlite3'}"
        proc = run_crawl(seeds, uri, args=["full=1"], timeout=180)
        assert proc.returncode == 0, proc.stderr[-4000:]
        records = {urlsplit(r["url"]).path: r for r in stored_records(uri)}
    finally:
        served.stop()

    from parsel import Selector
    rows = set()
    for column in (CZJ, GAJ):
        hrefs = Selector(text=DEPT_PAGES[column].read_text(encoding="utf-8")).xpath(
            "//div[@ms-visible='showStatic']//a/@href").getall()
        rows |= {column + href[2:] for href in hrefs}
    assert len(rows) == 20
    assert set(records) == rows - NOT_REPORTS                          # 17 reports, nothing else
    assert not NOT_REPORTS & {path for _, path, _ in served.requests}

    czj = records[CZJ + "202601/t20260116_104656.htm"]
    assert (czj["published"], czj["year"], czj["publisher"]) == ("2026-01-16", 2025, "区财政金融局")
    assert czj["tables"]["applications"]["received"]["total"] == 2
    gaj = records[GAJ + "202501/t20250120_96806.htm"]
    assert (gaj["published"], gaj["year"], gaj["publisher"], gaj["index_number"]) == (
        "2025-01-20", 2024, "区公安局", "PZ00106-2500-2025-00085")
    assert gaj["tables"]["applications"]["partially_granted"]["total"] == 1
    for path in set(records) - {CZJ + "202601/t20260116_104656.htm", GAJ + "202501/t20250120_96806.htm"}:
        assert records[path]["fetch_error"] == "HTTP 404" and records[path]["list_date"], path

    stats = crawl_stats(proc)
    assert stats["gicrawler/pingtan_bm/listed"] == 36 and stats["gicrawler/pingtan_bm/reached"] == 20
    assert stats["gicrawler/pingtan_bm/columns_short"] == 2
    assert any("WARNING" in line and "listed 20, reached 10" in line for line in proc.stderr.splitlines())
    assert any("WARNING" in line and "listed 16, reached 10" in line for line in proc.stderr.splitlines())
