"""ParsePipeline and StorePipeline: records built from ReportPage items, stored on both backends,
failing fast when the store is down at start, losing nothing when it fails mid-crawl or the
crawl process is killed (subprocess crawls with a tiny in-file spider that needs no network)."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import pytest_twisted
from scrapy.exceptions import CloseSpider
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from gicrawler.items import ReportPage
from gicrawler.pipelines import parse as parse_module
from gicrawler.pipelines import record as record_module
from gicrawler.pipelines.parse import ParsePipeline
from gicrawler.pipelines.record import CRAWLED_AT_KEY, RAWS_KEY, build_record
from gicrawler.pipelines.store import StorePipeline
from gicrawler.store import open_store
from gicrawler.store.extension import crawl_store
from tests.conftest import SAMPLES
from tests.test_store import mongomock_server, mongomock_shim, store_uri  # noqa: F401  (fixtures)

NO_TABLES = {"active": "not found", "applications": "not found", "review_litigation": "not found"}


def fake_result(**overrides) -> dict:
    result = {"title": None, "index_number": None, "document_number": None, "publisher": None,
              "published": None, "category": None, "agency": None, "year": None, "template": None,
              "tables": {}, "missing_tables": dict(NO_TABLES), "checks": [], "text": "", "format": "html",
              "errors": []}
    result.update(overrides)
    return result


def report_page(url="http://p.test/r/1.html", body=b"<html>page</html>", **fields) -> ReportPage:
    item = ReportPage(url=url, portal="zibo", region="山东省淄博市", family="gongkai",
                      list_url="http://p.test/list", list_title="2024年报", list_date="2025-01-20",
                      status=200, body=body, content_type="text/html; charset=utf-8", etag='"e1"',
                      last_modified=None, metadata={}, attachments=[], fetch_error=None)
    item.update(fields)
    return item


# -- ParsePipeline --------------------------------------------------------------------------------

def test_page_record_metadata_from_the_loader_wins():
    calls = []

    def parse(data, **kwargs):
        calls.append(kwargs)
        return fake_result(title="parser title", publisher="淄博市数据局", agency="淄博市数据局", year=2024,
                           tables={"active": {"licensing": {"decisions": 2}}},
                           missing_tables={"applications": "image"}, template="2021")

    record, raws = build_record(report_page(metadata={"title": "loader title", "published": "2025-01-25",
                                                      "category": None}), parse)
    assert calls == [{"content_type": "text/html; charset=utf-8", "url": "http://p.test/r/1.html"}]
    assert record["title"] == "loader title" and record["published"] == "2025-01-25"
    assert record["publisher"] == "淄博市数据局" and record["year"] == 2024
    assert (record["portal"], record["url"], record["list_title"], record["list_date"]) == \
        ("zibo", "http://p.test/r/1.html", "2024年报", "2025-01-20")
    assert record["tables_source"] is None and record["parse_error"] is None
    assert [r["role"] for r in raws] == ["page"] and raws[0]["body"] == b"<html>page</html>"
    # checks are redone on the assembled record (published comes from the loader)
    assert {c["rule"]: c["ok"] for c in record["checks"]}.get("published_on_time") is True


def test_tables_from_the_best_attachment():
    def parse(data, **kwargs):
        if data == b"<html>page</html>":
            return fake_result(title="2024年度报告", year=2024)
        if data == b"%PDF-small":
            return fake_result(tables={"active": {"fees": {"amount_10k_yuan": 1}}}, template="2021")
        if data == b"%PDF-full":
            return fake_result(tables={"active": {"licensing": {"decisions": 2}},
                                       "applications": {"received": {"total": 4}, "total": {"total": 4}}},
                               missing_tables={"review_litigation": "not found"}, template="2021")
        raise AssertionError(data)

    attachments = [
        {"url": "http://p.test/a.pdf", "kind": "pdf", "body": b"%PDF-small", "content_type": "application/pdf"},
        {"url": "http://p.test/b.pdf", "kind": "pdf", "body": b"%PDF-full", "content_type": "application/pdf"},
        {"url": "http://p.test/c.doc", "kind": "doc", "error": "HTTP 404"},
    ]
    record, raws = build_record(report_page(attachments=attachments), parse)
    assert record["tables_source"] == {key: {"source": "attachment", "url": "http://p.test/b.pdf"}
                                       for key in ("active", "applications")}
    assert set(record["tables"]) == {"active", "applications"}
    assert record["missing_tables"] == {"review_litigation": "not found"}
    assert record["title"] == "2024年度报告"
    assert [a["url"] for a in record["attachments"]] == [a["url"] for a in attachments]
    assert record["attachments"][2]["error"] == "HTTP 404"
    assert all("body" not in a for a in record["attachments"])
    assert [(r["role"], r["url"]) for r in raws] == [
        ("page", "http://p.test/r/1.html"), ("attachment", "http://p.test/a.pdf"),
        ("attachment", "http://p.test/b.pdf")]


def test_parse_exception_becomes_parse_error_and_raw_is_kept(monkeypatch):
    def parse(data, **kwargs):
        raise ValueError("no text at all")

    monkeypatch.setattr(record_module, "_default_parse", parse)
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    record = ParsePipeline.from_crawler(crawler).process_item(
        report_page(attachments=[{"url": "http://p.test/a.pdf", "body": b"%PDF", "kind": "pdf"}]))
    assert record["parse_error"] == "ValueError: no text at all"
    assert record["attachments"][0]["parse_error"] == "ValueError: no text at all"
    assert [r["body"] for r in record["_raws"]] == [b"<html>page</html>", b"%PDF"]
    assert crawler.stats.get_value("gicrawler/zibo/parse_failures") == 1


def test_fetch_error_item_has_no_raw():
    record, raws = build_record(report_page(body=None, fetch_error="HTTP 404"),
                                lambda *a, **k: pytest.fail("nothing to parse"))
    assert record["fetch_error"] == "HTTP 404" and raws == []


def test_real_parser_on_a_corpus_page():
    body = (SAMPLES / "000_fe8784577c3bb29b.txt").read_bytes()
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    record = ParsePipeline.from_crawler(crawler).process_item(
        report_page(url="http://p.test/000.txt", body=body, content_type="text/plain; charset=utf-8"))
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    expected = next(v for k, v in expected.items() if k.startswith("000")) if isinstance(expected, dict) else None
    assert record["parse_error"] is None
    assert record["year"] == 2023 and record["agency"] == "淄博市大数据局"
    assert record["tables"] and record["template"] in ("2019", "2021")
    if expected and "title" in expected:
        assert record["title"] == expected["title"]
    failed = sum(1 for c in record["checks"] if not c["ok"])
    assert crawler.stats.get_value("gicrawler/zibo/failed_checks") == (1 if failed else None)


# -- StorePipeline in-process ---------------------------------------------------------------------

def run(coro) -> Deferred:
    return Deferred.fromFuture(asyncio.ensure_future(coro))


def store_crawler(uri, tmp_path, **settings):
    crawler = get_crawler(settings_dict={"STORE_URI": uri, "GICRAWLER_SPOOL_DIR": str(tmp_path / "spool"),
                                         "STORE_RETRY_DELAY": 0.01, **settings})
    crawler.stats.open_spider()
    return crawler


def parsed(n: int, version: str = "v1") -> list[dict]:
    pipeline = ParsePipeline()
    return [pipeline.process_item(report_page(url=f"http://p.test/r/{i}.html",
                                              body=f"<html>{i} {version}</html>".encode()))
            for i in range(n)]


@pytest_twisted.inlineCallbacks
def test_store_pipeline_counts_new_changed_unchanged(store_uri, tmp_path, monkeypatch):
    monkeypatch.setattr(record_module, "_default_parse", lambda data, **k: fake_result())
    for records, expected in ((parsed(3), {"new": 3}),
                              (parsed(2) + parsed(3, "v2")[2:], {"unchanged": 2, "changed": 1})):
        crawler = store_crawler(store_uri, tmp_path)
        pipeline = StorePipeline.from_crawler(crawler)
        yield run(pipeline.open_spider())
        for record in records:
            out = yield run(pipeline.process_item(record))
            assert "_raws" not in out and out["url"] == record["url"]
        yield run(pipeline.close_spider())
        counts = {k.rsplit("_", 1)[1]: v for k, v in crawler.stats.get_stats().items()
                  if k.startswith("gicrawler/zibo/stored_")}
        assert counts == expected
    store = open_store(store_uri)
    assert store.count() == 3 and len(store.get("http://p.test/r/2.html")["versions"]) == 2
    store.close()
    assert list((tmp_path / "spool").iterdir()) == []


@pytest_twisted.inlineCallbacks
def test_store_down_at_start_closes_the_spider(tmp_path, caplog):
    uri = "mongodb://crawler:hunter22@127.0.0.1:1/x?serverSelectionTimeoutMS=300"
    crawler = store_crawler(uri, tmp_path)
    pipeline = StorePipeline.from_crawler(crawler)
    with pytest.raises(CloseSpider) as info:
        yield run(pipeline.open_spider())
    assert info.value.reason == "store_unavailable"
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("127.0.0.1:1" in m for m in errors) and not any("hunter22" in m for m in errors)
    yield run(pipeline.close_spider())  # Scrapy still closes the pipeline: must be harmless


class Outage:
    """Makes the store's commits fail (as a dropped connection would) while ``down`` is true."""

    def __init__(self, store, monkeypatch):
        self.down = False
        self.failures = 0
        real = store._commit
        error = sqlite3.OperationalError if store.uri.startswith("sqlite") else __import__(
            "pymongo").errors.AutoReconnect

        def commit():
            if self.down:
                self.failures += 1
                raise error("connection lost (simulated)")
            return real()
        monkeypatch.setattr(store, "_commit", commit)


@pytest_twisted.inlineCallbacks
def test_store_dropping_mid_crawl_loses_nothing(store_uri, tmp_path, monkeypatch):
    monkeypatch.setattr(record_module, "_default_parse", lambda data, **k: fake_result())
    crawler = store_crawler(store_uri, tmp_path, STORE_BATCH_SIZE=3, STORE_RETRIES=2, STORE_DOWN_COOLDOWN=0.2)
    pipeline = StorePipeline.from_crawler(crawler)
    yield run(pipeline.open_spider())
    outage = Outage(pipeline.store, monkeypatch)
    records = parsed(10)
    for record in records[:4]:
        yield run(pipeline.process_item(record))
    outage.down = True
    for record in records[4:8]:
        yield run(pipeline.process_item(record))
    assert outage.failures >= 3  # tried, retried, gave up
    assert crawler.stats.get_value("gicrawler/store_outages") == 1
    outage.down = False
    yield run(asyncio.sleep(0.25))  # past the cooldown: the next item brings the journal back
    for record in records[8:]:
        yield run(pipeline.process_item(record))
    yield run(pipeline.close_spider())
    store = open_store(store_uri)
    assert sorted(r["url"] for r in store.find()) == sorted(r["url"] for r in records)
    store.close()
    assert crawler.stats.get_value("gicrawler/zibo/stored_new") == 10
    assert list((tmp_path / "spool").iterdir()) == []


@pytest_twisted.inlineCallbacks
def test_store_down_until_the_end_spools_and_replays_next_start(store_uri, tmp_path, monkeypatch):
    monkeypatch.setattr(record_module, "_default_parse", lambda data, **k: fake_result())
    crawler = store_crawler(store_uri, tmp_path, STORE_BATCH_SIZE=2, STORE_RETRIES=1)
    pipeline = StorePipeline.from_crawler(crawler)
    yield run(pipeline.open_spider())
    outage = Outage(pipeline.store, monkeypatch)
    outage.down = True
    records = parsed(5)
    for record in records:
        yield run(pipeline.process_item(record))
    yield run(pipeline.close_spider())
    assert crawler.stats.get_value("gicrawler/spooled") == 5
    spooled = sorted(p.name for p in (tmp_path / "spool").iterdir())
    assert len(spooled) == 2 and spooled[1].startswith("spool-")  # its lines, and its bodies file
    assert spooled[0] == "bodies-" + spooled[1].removeprefix("spool-").replace(".jsonl", ".bin")
    outage.down = False  # the store is back (the next start opens a new connection anyway)
    crawler = store_crawler(store_uri, tmp_path)
    pipeline = StorePipeline.from_crawler(crawler)
    yield run(pipeline.open_spider())  # replays
    assert crawler.stats.get_value("gicrawler/zibo/stored_new") == 5
    yield run(pipeline.close_spider())
    store = open_store(store_uri)
    assert store.count() == 5
    assert all(raws[0]["body"] for _, raws in store.iter_raw())
    store.close()
    assert list((tmp_path / "spool").iterdir()) == []


# -- real crawl processes -------------------------------------------------------------------------

SPIDER = textwrap.dedent('''
    import asyncio, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from gicrawler.items import ReportPage

    class Items(scrapy.Spider):
        """Yields report pages straight from start(): no network needed."""
        name = "items"

        def __init__(self, count=0, hold=0, **kwargs):
            super().__init__(**kwargs)
            self.count, self.hold = int(count), float(hold)

        async def start(self):
            for i in range(self.count):
                yield ReportPage(url=f"http://p.test/r/{i}.html", portal="zibo", list_title=f"r{i}",
                                 list_date=None, body=f"<html><body>report {i}</body></html>".encode(),
                                 content_type="text/html; charset=utf-8", metadata={}, attachments=[])
            await asyncio.sleep(self.hold)  # still running: to be killed

    store, spool, count, hold = sys.argv[1:5]
    process = CrawlerProcess(settings={
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ITEM_PIPELINES": {"gicrawler.pipelines.parse.ParsePipeline": 300,
                           "gicrawler.pipelines.store.StorePipeline": 800},
        "STORE_URI": store, "GICRAWLER_SPOOL_DIR": spool, "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
    })
    process.crawl(Items, count=count, hold=hold)
    process.start()
''')


def crawl_cmd(tmp_path, store, count, hold=0):
    script = tmp_path / "items_crawl.py"
    script.write_text(SPIDER)
    return [sys.executable, str(script), store, str(tmp_path / "spool"), str(count), str(hold)]


def test_crawl_exits_quickly_when_the_store_is_down(tmp_path):
    uri = "mongodb://crawler:hunter22@127.0.0.1:1/x?serverSelectionTimeoutMS=500"
    started = time.monotonic()
    proc = subprocess.run(crawl_cmd(tmp_path, uri, 3), capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parent.parent)
    assert time.monotonic() - started < 30
    log = proc.stderr
    assert "'finish_reason': 'store_unavailable'" in log
    assert "ERROR" in log and "127.0.0.1:1" in log and "hunter22" not in log
    assert "gicrawler/zibo/stored_new" not in log


def test_crawl_killed_mid_batch_loses_nothing(tmp_path):
    db = tmp_path / "crawl.sqlite3"
    uri = f"sqlite:///{db}"
    proc = subprocess.Popen(crawl_cmd(tmp_path, uri, 30, hold=120), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=Path(__file__).parent.parent)
    try:
        deadline = time.monotonic() + 60
        journaled = 0
        while time.monotonic() < deadline and journaled < 30:
            time.sleep(0.2)
            journaled = sum(len(p.read_bytes().splitlines()) for p in (tmp_path / "spool").glob("journal-*"))
        assert journaled == 30, "the crawl never reached the pipeline"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    # 30 < the batch of 50: nothing was committed to the database
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    subprocess.run(crawl_cmd(tmp_path, uri, 0), check=True, capture_output=True, timeout=60,
                   cwd=Path(__file__).parent.parent)
    store = open_store(uri)
    assert sorted(r["url"] for r in store.find()) == sorted(f"http://p.test/r/{i}.html" for i in range(30))
    assert all(len(r["versions"]) == 1 for r in store.find())
    store.close()
    assert list((tmp_path / "spool").iterdir()) == []


@pytest_twisted.inlineCallbacks
def test_pipeline_survives_another_holder_discarding_the_shared_buffer(tmp_path, monkeypatch):
    """The crawl's components share one store (StoreExtension); another holder giving up the
    store's buffer (as after an outage) must not lose what the pipeline had buffered."""
    monkeypatch.setattr(record_module, "_default_parse", lambda data, **k: fake_result())
    uri = f"sqlite:///{tmp_path}/shared.sqlite3"
    crawler = store_crawler(uri, tmp_path, STORE_BATCH_SIZE=10)
    pipeline = StorePipeline.from_crawler(crawler)
    yield run(pipeline.open_spider())
    shared = crawl_store(crawler)
    assert pipeline.store is shared
    records = parsed(3)
    for record in records[:2]:
        yield run(pipeline.process_item(record))
    shared.take_unflushed()  # what another holder's recovery does
    yield run(pipeline.process_item(records[2]))
    yield run(pipeline.close_spider())
    store = open_store(uri)
    assert store.count() == 3
    store.close()


def test_replay_skips_a_refused_record(tmp_path):
    from gicrawler.store.spool import Spool

    spool = Spool(tmp_path / "spool")
    journal = spool.open_journal()
    journal.append({"portal": "zibo", "title": "no url"}, [], None)  # refused: records need a url
    journal.append({"url": "http://p.test/ok", "portal": "zibo"}, [{"body": b"ok"}], None)
    journal.close()
    store = open_store(f"sqlite:///{tmp_path}/db.sqlite3")
    assert spool.replay(store) == 1
    assert store.get("http://p.test/ok")["raw_hash"] and spool.files() == []
    store.close()


def test_record_of_a_failed_build_keeps_its_attachments_for_reparse(monkeypatch, tmp_path):
    """A bug while building the record (not a parse error) still gives a full record: every key,
    and the attachments listed, so the stored attachment bodies are found again by reparse."""
    def broken(page, parse=None):
        raise KeyError("bug")

    monkeypatch.setattr(parse_module, "parse_page", broken)
    record = ParsePipeline(workers=0).process_item(
        report_page(attachments=[{"url": "http://p.test/a.pdf", "body": b"%PDF", "kind": "pdf"}]))
    assert record["parse_error"] == "KeyError: 'bug'"
    assert {"title", "tables", "missing_tables", "checks", "year", "fetch_error"} <= set(record)
    assert record["attachments"] == [{"url": "http://p.test/a.pdf", "kind": "pdf"}]
    store = open_store(f"sqlite:///{tmp_path}/s.sqlite3")
    store.save(record, record.pop(RAWS_KEY), record.pop(CRAWLED_AT_KEY))
    [(stored, raws)] = list(store.iter_raw())
    store.close()
    assert sorted((r["role"], r["body"]) for r in raws) == [("attachment", b"%PDF"), ("page", b"<html>page</html>")]


@pytest_twisted.inlineCallbacks
def test_a_write_the_server_refuses_does_not_blame_the_item_nor_replay_the_batch(
        mongomock_server, tmp_path, monkeypatch):
    from pymongo.errors import BulkWriteError

    from gicrawler.store.mongo import MongoStore

    monkeypatch.setattr(record_module, "_default_parse", lambda data, **k: fake_result())
    real = MongoStore._bulk
    refuse = {"http://p.test/r/0.html"}

    def bulk(collection, ops, urls, retry):  # the server refuses one record's write (a validator…)
        if collection.name != "reports":
            return real(collection, ops, urls, retry)
        kept = [(op, url) for op, url in zip(ops, urls) if url not in refuse]
        real(collection, [op for op, _ in kept], [url for _, url in kept], retry)
        return [f"{url}: failed validation" for url in urls if url in refuse]

    monkeypatch.setattr(MongoStore, "_bulk", staticmethod(bulk))
    crawler = store_crawler("mongodb://localhost:27017/refusing", tmp_path, STORE_BATCH_SIZE=2)
    pipeline = StorePipeline.from_crawler(crawler)
    yield run(pipeline.open_spider())
    for record in parsed(3):
        yield run(pipeline.process_item(record))
    yield run(pipeline.close_spider())
    stats = crawler.stats.get_stats()
    assert stats["gicrawler/store_refused_flushes"] == 1 and "gicrawler/zibo/store_errors" not in stats
    assert list((tmp_path / "spool").iterdir()) == []  # nothing left to replay
    store = open_store("mongodb://localhost:27017/refusing")
    assert store.count() == 2
    store.close()


def test_scrapy_crawl_exits_non_zero_when_the_store_is_down(tmp_path):
    from tests.crawl_helpers import run_crawl

    seeds = tmp_path / "seeds.yaml"
    seeds.write_text("portals:\n  - name: t\n    family: trs\n"
                     "    index_urls: [http://127.0.0.1:9/x/index.shtml]\n    allowed_domains: [127.0.0.1]\n")
    proc = run_crawl(seeds, "mongodb://crawler:hunter22@127.0.0.1:1/x?serverSelectionTimeoutMS=300", timeout=60)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "store unavailable, not crawling" in proc.stderr and "hunter22" not in proc.stderr
