"""ParsePipeline's worker pool (GICRAWLER_PARSE_WORKERS): the records it gives are those of inline
parsing, on real replica pages and attachments; a crashed worker loses no item; the pool and its
processes are gone after close_spider. Runs on the asyncio reactor (pytest --reactor=asyncio)."""
from __future__ import annotations

import asyncio
import logging
import os
import select
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

import parsel
import pytest
import pytest_twisted
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from gicrawler import discovery
from gicrawler.families import get_adapter
from gicrawler.items import ReportPage
from gicrawler.pipelines.parse import ParsePipeline
from gicrawler.pipelines.record import CRAWLED_AT_KEY, RAWS_KEY, parse_page

PAGES_PER_PORTAL = 3
ROOT = Path(__file__).resolve().parent.parent


def run(coro) -> Deferred:
    return Deferred.fromFuture(asyncio.ensure_future(coro))


def fetch(url: str, page=None) -> tuple[bytes, str | None] | None:
    """GET url, or the request a family's detail_requests made (page: a PageRequest, maybe a POST)."""
    data = urllib.parse.urlencode(page.formdata).encode() if page is not None and page.formdata else None
    request = urllib.request.Request(url, data=data, headers=page.headers if page is not None else {},
                                     method=page.method if page is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.read(), resp.headers.get("Content-Type")
    except OSError:  # e.g. the anti-bot replica's challenge: not a page to compare on
        return None


def replica_items(replicas) -> list[ReportPage]:
    """ReportPages as the spider builds them, from bytes the replicas serve (attachments too)."""
    items = []
    families = {entry["name"]: entry["family"] for entry in replicas.seed_entries()}
    for portal, reports in replicas.expected.items():
        follow = getattr(get_adapter(families[portal]), "detail_requests", None)
        for url in list(reports)[:PAGES_PER_PORTAL]:
            got = fetch(url)
            if got is None:
                continue
            body, content_type = got
            attachments = []
            if b"<html" in body[:2000].lower():
                found = [(att, None) for att in discovery.find_attachments(parsel.Selector(body=body), url)]
                if follow is not None:   # what a shell page's script fetches (the spider does the same)
                    found += [({"url": r.url, "ext": r.state["kind"], "name": ""}, r)
                              for r in follow(body.decode("utf-8"), url, {}, {})]
                while found:
                    att, page = found.pop(0)
                    fetched = fetch(att["url"], page)
                    if fetched is not None:
                        attachments.append({"url": att["url"], "kind": att["ext"], "name": att["name"],
                                            "body": fetched[0], "content_type": fetched[1]})
                        if page is not None and not fetched[0].startswith(b"%PDF"):
                            found += [({"url": r.url, "ext": r.state["kind"], "name": ""}, r)
                                      for r in follow(fetched[0].decode("utf-8"), att["url"], page.state, {})]
            items.append(ReportPage(
                url=url, portal=portal, region="r", family="f", list_url=None, list_title="列表标题",
                list_date="2025-01-01", status=200, body=body, content_type=content_type, etag=None,
                last_modified=None, metadata={}, attachments=attachments, fetch_error=None))
    return items


def pipeline_with(workers: int, cls=ParsePipeline) -> ParsePipeline:
    crawler = get_crawler(settings_dict={"GICRAWLER_PARSE_WORKERS": workers})
    crawler.stats.open_spider()
    return cls.from_crawler(crawler)


async def process(pipeline: ParsePipeline, item) -> dict:
    out = pipeline.process_item(item)
    return await out if asyncio.iscoroutine(out) else out


def comparable(record: dict) -> dict:
    """The record without its crawl time; its raws without the compressed copy of a body that
    the worker may have made (checked to be that body)."""
    raws = []
    for raw in record.get(RAWS_KEY) or ():
        raw = dict(raw)
        packed = raw.pop("packed", None)
        assert packed is None or zlib.decompress(packed) == raw["body"]
        raws.append(raw)
    return {**{k: v for k, v in record.items() if k != CRAWLED_AT_KEY}, RAWS_KEY: raws}


# Worker-side functions for the crash/shutdown tests (module level: the workers import them).
def crash_on_marked(page: dict) -> dict:
    url = page["url"]
    if "crash-once" in url:  # crashes the first time only (a flag file says it did)
        flag = Path(url.split("flag=", 1)[1])
        if not flag.exists():
            flag.touch()
            os._exit(3)
    elif "crash" in url:
        os._exit(3)  # as a segfault or the OOM killer would end it: no exception, no result
    return parse_page(page)


def report_pid(page: dict) -> dict:
    logging.getLogger("gicrawler.test_worker").warning("parsed in worker %d", os.getpid())
    return {**parse_page(page), "worker_pid": os.getpid()}


def hang_on_marked(page: dict) -> dict:
    if "hang" in page["url"]:
        time.sleep(3600)  # a pathological document the parser never finishes
    return parse_page(page)


class HangingPipeline(ParsePipeline):
    worker_function = staticmethod(hang_on_marked)


class CrashingPipeline(ParsePipeline):
    worker_function = staticmethod(crash_on_marked)


class PidPipeline(ParsePipeline):
    worker_function = staticmethod(report_pid)


def simple_page(url: str) -> ReportPage:
    body = ("<html><head><title>某局2024年政府信息公开工作年度报告</title></head><body>"
            "<p>索引号：001/2025-01</p><p>发布机构：某局</p><p>一、总体情况</p></body></html>").encode()
    return ReportPage(url=url, portal="zibo", region="r", family="f", list_url=None, list_title=None,
                      list_date=None, status=200, body=body, content_type="text/html; charset=utf-8",
                      etag=None, last_modified=None, metadata={}, attachments=[], fetch_error=None)


@pytest_twisted.inlineCallbacks
def test_pool_gives_the_records_of_inline_parsing(replicas):
    items = replica_items(replicas)
    portals = {item["portal"] for item in items}
    assert len(portals) >= 3 and any(item["attachments"] for item in items), portals
    inline = pipeline_with(0)
    inline.open_spider()
    pooled = pipeline_with(2)
    pooled.open_spider()
    try:
        assert pooled._pool is not None
        expected = [comparable(inline.process_item(item)) for item in items]
        assert all(not asyncio.iscoroutine(r) for r in expected)
        # all at once, as Scrapy hands them over: results must not be mixed up between items
        got = yield run(asyncio.gather(*(process(pooled, item) for item in items)))
    finally:
        pooled.close_spider()
    assert [comparable(r) for r in got] == expected
    assert all(r["title"] and r["tables"] is not None for r in got)
    # the workers compressed every body (comparable checked each against its body)
    assert all("packed" in raw for r in got for raw in r[RAWS_KEY]) and any(len(r[RAWS_KEY]) > 1 for r in got)
    # the detail page's metadata comes from the parser's ItemLoader (the spider no longer reads it)
    huangshi = [r for r in got if r["portal"] == "huangshi"]
    for record in huangshi:
        exp = replicas.expected["huangshi"][record["url"]]
        assert (record["title"], record["publisher"], record["published"]) == \
            (exp["title"], exp["publisher"], exp["published"])
    assert inline.stats.get_stats() == pooled.stats.get_stats()  # stats counted the same way


@pytest_twisted.inlineCallbacks
def test_a_worker_crash_loses_no_page_and_the_page_that_crashes_it_is_stored_raw():
    pipeline = pipeline_with(1, CrashingPipeline)
    pipeline.open_spider()
    try:
        first = set(pipeline._pool.pids())
        items = [simple_page("http://p.test/ok-1.html"), simple_page("http://p.test/crash.html"),
                 simple_page("http://p.test/ok-2.html")]
        records = yield run(asyncio.gather(*(process(pipeline, item) for item in items)))
        assert [r["url"] for r in records] == [item["url"] for item in items]
        ok = [records[0], records[2]]
        for record, item in zip(ok, [items[0], items[2]]):
            assert comparable(record) == comparable(pipeline_with(0).process_item(item))
            assert record["title"] == "某局2024年政府信息公开工作年度报告" and record["parse_error"] is None
        crashed = records[1]
        assert "crashed on this page twice" in crashed["parse_error"]
        assert [raw["role"] for raw in crashed["_raws"]] == ["page"]  # stored raw, for reparse
        stats = pipeline.stats.get_stats()
        assert stats["gicrawler/parse_worker_crashes"] == 2  # in a worker, then in a new one
        assert stats["gicrawler/zibo/parse_failures"] == 1
        # a new worker takes the next items
        after = yield run(process(pipeline, simple_page("http://p.test/ok-3.html")))
        assert after["parse_error"] is None and pipeline._pool.pids() and not first & set(pipeline._pool.pids())
    finally:
        pipeline.close_spider()


@pytest_twisted.inlineCallbacks
def test_crashes_never_send_parsing_inline(tmp_path):
    pipeline = pipeline_with(1, CrashingPipeline)
    pipeline.open_spider()
    try:
        for n in range(4):
            record = yield run(process(pipeline, simple_page(f"http://p.test/crash-{n}.html")))
            assert "crashed" in record["parse_error"]
        # a page that crashed its worker once (a transient cause): parsed on its second try
        flag = tmp_path / "crashed-once"
        record = yield run(process(pipeline, simple_page(f"http://p.test/crash-once.html?flag={flag}")))
        assert flag.exists() and record["parse_error"] is None and record["title"]
        out = pipeline.process_item(simple_page("http://p.test/ok.html"))
        assert asyncio.iscoroutine(out)  # still the pool: never inline, whatever crashed it
        assert (yield run(out))["parse_error"] is None
        assert pipeline.stats.get_value("gicrawler/parse_worker_crashes") == 9
    finally:
        pipeline.close_spider()


@pytest_twisted.inlineCallbacks
def test_pool_is_shut_down_at_close_and_worker_logs_reach_the_crawl(caplog):
    caplog.set_level(logging.WARNING)
    pipeline = pipeline_with(1, PidPipeline)
    pipeline.open_spider()
    record = yield run(process(pipeline, simple_page("http://p.test/pid.html")))
    pid = record["worker_pid"]
    assert pid != os.getpid() and os.path.exists(f"/proc/{pid}")
    pipeline.close_spider()
    assert pipeline._pool is None
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{pid}")
    assert any(r.name == "gicrawler.test_worker" and f"worker {pid}" in r.getMessage() for r in caplog.records)
    # after close, items are parsed inline (no pool to submit to)
    out = pipeline.process_item(simple_page("http://p.test/after-close.html"))
    assert not asyncio.iscoroutine(out) and out["title"]


@pytest_twisted.inlineCallbacks
def test_a_parse_that_never_ends_is_timed_out_and_the_crawl_can_close():
    pipeline = pipeline_with(1, HangingPipeline)
    pipeline.timeout = 2.0
    pipeline.open_spider()
    try:
        items = [simple_page("http://p.test/hang.html"), simple_page("http://p.test/ok.html")]
        started = time.monotonic()
        hung, ok = yield run(asyncio.gather(*(process(pipeline, item) for item in items)))
        assert time.monotonic() - started < 30
        assert hung["parse_error"].startswith("TimeoutError: parsing took over 2 s")
        assert hung["url"] == "http://p.test/hang.html" and [r["role"] for r in hung["_raws"]] == ["page"]
        assert ok["parse_error"] is None and ok["title"]  # queued behind it: parsed all the same
        assert pipeline.stats.get_value("gicrawler/parse_timeouts") == 1
        assert pipeline.stats.get_value("gicrawler/parse_worker_crashes") is None  # killed, not crashed
    finally:
        started = time.monotonic()
        pipeline.close_spider()  # would wait for the stuck worker forever
        assert time.monotonic() - started < 10


def fail_on_marked(page: dict) -> dict:
    if "fail" in page["url"]:
        raise ValueError("a parser bug on this page")
    return {**parse_page(page), "worker_pid": os.getpid()}


class FailingPipeline(ParsePipeline):
    worker_function = staticmethod(fail_on_marked)


def pid_or_hang(page: dict) -> dict:
    if "hang" in page["url"]:
        time.sleep(3600)
    return {**parse_page(page), "worker_pid": os.getpid()}


class PidOrHangPipeline(ParsePipeline):
    worker_function = staticmethod(pid_or_hang)


@pytest_twisted.inlineCallbacks
def test_a_parser_exception_is_recorded_and_its_worker_goes_on(caplog):
    pipeline = pipeline_with(1, FailingPipeline)
    pipeline.open_spider()
    try:
        before = yield run(process(pipeline, simple_page("http://p.test/ok-1.html")))
        failed = yield run(process(pipeline, simple_page("http://p.test/fail.html")))
        after = yield run(process(pipeline, simple_page("http://p.test/ok-2.html")))
    finally:
        pipeline.close_spider()
    assert failed["parse_error"] == "ValueError: a parser bug on this page"
    assert [raw["role"] for raw in failed["_raws"]] == ["page"]
    assert before["worker_pid"] == after["worker_pid"]  # not a crash: the same warm worker
    assert pipeline.stats.get_value("gicrawler/parse_worker_crashes") is None
    # the worker's traceback is in the crawl's log, as the exception's cause
    logged = [r for r in caplog.records if "building the record of http://p.test/fail.html" in r.getMessage()]
    assert logged and logged[0].exc_info and "fail_on_marked" in str(logged[0].exc_info[1].__cause__)


@pytest_twisted.inlineCallbacks
def test_a_time_limit_stops_only_the_worker_of_that_page():
    pipeline = pipeline_with(2, PidOrHangPipeline)
    # A worker's first job here imports this test module (pytest, twisted): seconds on a loaded
    # machine, so the warm-up pages get a limit that only a hang reaches, the others 2 s.
    pipeline.timeout = 60.0
    pipeline.open_spider()
    try:
        ready = yield run(asyncio.gather(*(process(pipeline, simple_page(f"http://p.test/warm-{n}.html"))
                                           for n in range(2))))
        assert len({r["worker_pid"] for r in ready}) == 2, "each worker warmed by a page of its own"
        pipeline.timeout = 2.0
        hung, *ok = yield run(asyncio.gather(
            process(pipeline, simple_page("http://p.test/hang.html")),
            *(process(pipeline, simple_page(f"http://p.test/ok-{n}.html")) for n in range(3))))
    finally:
        pipeline.close_spider()
    assert hung["parse_error"].startswith("TimeoutError: parsing took over 2 s")
    assert all(r["parse_error"] is None and r["title"] for r in ok)
    warm = {r["worker_pid"] for r in ready}
    assert len({r["worker_pid"] for r in ok} & warm) >= 1  # the other worker went on, not restarted
    stats = pipeline.stats.get_stats()
    assert stats.get("gicrawler/parse_timeouts") == 1
    assert "gicrawler/parse_retries" not in stats and "gicrawler/parse_worker_crashes" not in stats


def test_workers_setting_zero_parses_inline_and_default_is_at_least_one():
    pipeline = pipeline_with(0)
    pipeline.open_spider()
    assert pipeline._pool is None
    out = pipeline.process_item(simple_page("http://p.test/inline.html"))
    assert not asyncio.iscoroutine(out) and out["title"]
    assert ParsePipeline.from_crawler(get_crawler(settings_dict={})).workers == max(1, (os.cpu_count() or 2) - 1)


KILLED_CRAWL = """
import asyncio, sys, time
sys.path.insert(0, %r)
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from twisted.internet import reactor
from scrapy.utils.test import get_crawler
from tests.test_pipeline_parallel import PidPipeline, simple_page

async def main():
    crawler = get_crawler(settings_dict={"GICRAWLER_PARSE_WORKERS": 1})
    crawler.stats.open_spider()
    pipeline = PidPipeline.from_crawler(crawler)
    pipeline.open_spider()
    record = await pipeline.process_item(simple_page("http://p.test/killed.html"))
    assert crawler.stats.get_value("gicrawler/parse_worker_crashes") is None
    print(record["worker_pid"], flush=True)
    time.sleep(60)  # killed here, without close_spider

reactor.callWhenRunning(lambda: asyncio.ensure_future(main()))
reactor.run()
"""


def test_workers_end_when_the_crawl_process_is_killed(tmp_path):
    # a script file without a __main__ guard: workers must not run it again (spawn would)
    script = tmp_path / "unguarded_crawl.py"
    script.write_text(KILLED_CRAWL % str(ROOT))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "no record from the worker pool within 60 s"
        pid = int(proc.stdout.readline())
        assert os.path.exists(f"/proc/{pid}")
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{pid}"), "parse worker outlived its SIGKILLed crawl process"


@pytest.mark.parametrize("links", [
    '<a href="/index.shtml">首页</a><a href="../list.html">列表</a><script>document.write("x")</script>',
    '<a href="/files/报告.PDF">附件</a>',
    '<a href="/viewer.html?file=/f/r%2Edocx">预览</a>',
    '<a href="/f/r&#46;xls">表</a>',
    '<a href="/download.jsp?filename=r.wps">下载</a>',
    '<iframe src="/f/x.ofd"></iframe>',
])
def test_spider_skips_the_tree_only_when_no_document_link_can_be_there(links):
    from scrapy.http import HtmlResponse

    from gicrawler.spiders.base import _attachments
    body = f"<html><body><div class='content'>{links}</div></body></html>".encode()
    response = HtmlResponse("http://p.test/r/1.html", body=body, encoding="utf-8")
    assert _attachments(response) == discovery.find_attachments(parsel.Selector(body=body), response.url)


@pytest_twisted.inlineCallbacks
def test_closing_the_pool_while_a_worker_starts_hands_its_page_back(tmp_path, monkeypatch):
    from gicrawler.pipelines.workers import PoolClosed, WorkerPool

    (tmp_path / "slow_start_module.py").write_text("import time\ntime.sleep(60)\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # (spawned workers get the parent's sys.path)
    pool = WorkerPool(1, warm_up=("slow_start_module",))
    pool.start()
    pid = pool.pids()[0]
    job = asyncio.ensure_future(pool.run(parse_page, {"url": "http://p.test/x.html", "body": b"<html></html>"}))
    yield Deferred.fromFuture(asyncio.ensure_future(asyncio.sleep(0.5)))
    started = time.monotonic()
    pool.close()
    with pytest.raises(PoolClosed):
        yield Deferred.fromFuture(job)
    assert time.monotonic() - started < 30  # not the start time-out (120 s)
    assert not os.path.exists(f"/proc/{pid}")  # ended (killed when it did not leave on its own) and reaped


@pytest_twisted.inlineCallbacks
def test_workers_warm_up_without_scrapy_and_can_still_import_it_later(tmp_path, monkeypatch):
    from gicrawler.pipelines.parse import WARM_UP, WARM_UP_WITHOUT
    from gicrawler.pipelines.workers import WorkerPool

    (tmp_path / "module_probe.py").write_text(
        "import importlib, sys\n"
        "def loaded(names):\n    return [n for n in names if n in sys.modules]\n"
        "def version(name):\n    return importlib.import_module(name).__version__\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # (spawned workers get the parent's sys.path)
    from module_probe import loaded, version
    pool = WorkerPool(1, warm_up=WARM_UP, warm_up_without=WARM_UP_WITHOUT)
    try:
        parsed = yield run(pool.run(parse_page, {"url": "http://p.test/x.html", "body": b"<html><p>x</p></html>"}))
        assert parsed["url"] == "http://p.test/x.html"
        assert (yield run(pool.run(loaded, ["gicrawler.parsing.document", "itemadapter", "scrapy",
                                            "attr", "pydantic"]))) == ["gicrawler.parsing.document", "itemadapter"]
        import scrapy
        assert (yield run(pool.run(version, "scrapy"))) == scrapy.__version__
    finally:
        pool.close()


JOBS_MODULE = '''
import os, time

def job(what):
    action, value = what
    if action == "sleep":
        time.sleep(value)
    elif action == "crash":
        os._exit(3)
    return os.getpid(), len(value) if isinstance(value, bytes) else value
'''


@pytest.fixture
def jobs_module(tmp_path, monkeypatch):
    (tmp_path / "pool_jobs.py").write_text(JOBS_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))  # (spawned workers get the parent's sys.path)
    from pool_jobs import job
    return job


@pytest_twisted.inlineCallbacks
def test_a_busy_worker_has_its_next_job_in_its_pipe_sent_without_blocking_the_crawl(jobs_module):
    from gicrawler.pipelines.workers import WorkerPool

    pool = WorkerPool(1, warm_up=(), depth=2)
    try:
        yield run(pool.run(jobs_module, ("echo", b"warm")))
        first = asyncio.ensure_future(pool.run(jobs_module, ("sleep", 1.0)))
        big = b"x" * (8 << 20)  # far more than a pipe holds while the worker is busy
        second = asyncio.ensure_future(pool.run(jobs_module, ("echo", big)))
        yield run(asyncio.sleep(0.3))
        [worker] = pool._workers
        assert worker.busy and len(worker._jobs) == 2 and worker._unsent  # queued, the rest of it waiting
        (pid1, _), (pid2, size) = yield run(asyncio.gather(first, second))
        assert pid1 == pid2 == worker.pid and size == len(big) and not worker._unsent
    finally:
        pool.close()


@pytest_twisted.inlineCallbacks
def test_the_job_behind_a_crash_or_a_time_limit_runs_in_another_worker(jobs_module):
    from gicrawler.pipelines.workers import JobTimeout, WorkerDied, WorkerPool

    pool = WorkerPool(1, warm_up=(), depth=2)
    try:
        yield run(pool.run(jobs_module, ("echo", b"warm")))
        [first] = pool.pids()
        crash, behind = yield run(asyncio.gather(pool.run(jobs_module, ("crash", None)),
                                                 pool.run(jobs_module, ("echo", b"behind")),
                                                 return_exceptions=True))
        assert isinstance(crash, WorkerDied) and behind[1] == len(b"behind") and behind[0] != first
        hang, behind2 = yield run(asyncio.gather(pool.run(jobs_module, ("sleep", 3600), timeout=1.0),
                                                 pool.run(jobs_module, ("echo", b"again"), timeout=1.0),
                                                 return_exceptions=True))
        assert isinstance(hang, JobTimeout) and behind2[1] == len(b"again") and behind2[0] not in (first, behind[0])
        # a job's clock starts when its worker starts it: the second waits 1.5 s in the pipe, then
        # takes 1.5 s itself, within its 2.5 s
        results = yield run(asyncio.gather(*(pool.run(jobs_module, ("sleep", 1.5), timeout=2.5) for _ in range(2))))
        assert [value for _, value in results] == [1.5, 1.5] and len({pid for pid, _ in results}) == 1
    finally:
        pool.close()
