"""The parse pipeline: every ReportPage item → its record (pipelines/record.py), parsed in a
process pool beside the crawl.

Parsing is CPU-bound and would stall the reactor (downloads, the store) for milliseconds per
report, so the pipeline runs it in a process pool: setting ``GICRAWLER_PARSE_WORKERS`` (default
``cpu_count - 1``, at least 1; ``0`` = parse inline on the reactor thread). Workers get plain
dicts with bytes bodies and return the record; raws, stats and logging stay in the crawl process
(workers' log records are forwarded to it). A crashed worker costs no item: the items it had are
parsed inline and ``gicrawler/parse_worker_crashes`` is counted; after ``MAX_POOL_CRASHES`` the
pool is given up and the rest of the crawl parses inline. A page still parsing after
``GICRAWLER_PARSE_TIMEOUT`` seconds (default 300; 0 = no limit) has the pool killed and is stored
with a ``parse_error`` (raw kept, for reparse); the items queued behind it are parsed again.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import logging.handlers
import multiprocessing
import os
import sys
import threading
import time
import types
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone

from gicrawler.pipelines.record import (CRAWLED_AT_KEY, ITEM_FIELDS, RAWS_KEY, empty_record, error_text,
                                        page_dict, page_raws, parse_page)

logger = logging.getLogger(__name__)

# The item fields a worker needs (bodies included); nothing Scrapy-specific crosses the process boundary.
PAGE_FIELDS = ITEM_FIELDS + ("fetch_error", "body", "content_type", "metadata", "attachments")
MAX_POOL_CRASHES = 3
# A page still parsing after this long (a pathological PDF) has its worker killed and is stored
# with a parse_error: otherwise its item, and the crawl's close (pool shutdown), would wait forever.
PARSE_TIMEOUT = 300.0
# Items submitted to the pool but not finished, per worker: keeps workers busy, bounds the copies.
IN_FLIGHT_PER_WORKER = 4


def _warm_up() -> None:
    import gicrawler.parsing.document  # noqa: F401  (the heavy imports: OpenCC, lxml, pdfplumber…)


def _record_in_worker(page: dict) -> dict:
    return parse_page(page)


def _worker_init(log_queue, level: int, crawl_pid: int) -> None:
    """Worker logging goes to the crawl process (its handlers, its LOG_LEVEL); the worker ends
    when the crawl process is gone."""
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(log_queue)]
    root.setLevel(level)
    threading.Thread(target=_exit_with, args=(crawl_pid,), name="crawl-watch", daemon=True).start()


def _started(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()  # field 22: start time
    except (OSError, IndexError):
        return None


def _exit_with(crawl_pid: int, interval: float = 1.0) -> None:
    # An idle worker blocks on its task queue, whose both ends it holds, so it never sees EOF:
    # without this, a crawl that is SIGKILLed (or dies without close_spider) leaves it running.
    started = _started(crawl_pid)
    while True:
        time.sleep(interval)
        try:
            os.kill(crawl_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # pid reused by another user's process
            os._exit(0)
        if started is not None and _started(crawl_pid) != started:  # pid reused
            os._exit(0)


class _ToLogger(logging.Handler):
    """Hands a forwarded worker log record to the crawl process's own logger of that name."""

    def handle(self, record):
        logger_ = logging.getLogger(record.name)
        if logger_.isEnabledFor(record.levelno):
            logger_.handle(record)
        return True


@contextlib.contextmanager
def _main_module_hidden():
    """While workers are started: spawn makes each one re-import the crawl's ``__main__`` — a
    crawl started from a script without an ``if __name__ == "__main__"`` guard would start
    itself again in every worker. The workers need nothing from it (their functions live in
    importable modules), so it is hidden from multiprocessing's preparation data meanwhile."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def default_workers() -> int:
    return max(1, (os.cpu_count() or 2) - 1)


class ParsePipeline:
    # what a worker runs on a page dict (module level, so workers can import it by name)
    worker_function = staticmethod(_record_in_worker)

    def __init__(self, crawler=None, workers: int | None = None):
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        if workers is None:
            workers = (crawler.settings.getint("GICRAWLER_PARSE_WORKERS", default_workers())
                       if crawler is not None else default_workers())
        self.workers = max(0, workers)
        self.timeout = (crawler.settings.getfloat("GICRAWLER_PARSE_TIMEOUT", PARSE_TIMEOUT)
                        if crawler is not None else PARSE_TIMEOUT)
        self.crashes = 0
        self._executor: ProcessPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self._log_queue = self._log_listener = None
        self._pooled = False   # set by open_spider: without it (plain calls, tests) parsing is inline

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # -- lifecycle -----------------------------------------------------------------------------

    def open_spider(self):
        if self.workers == 0:
            return
        from scrapy.utils.reactor import is_asyncio_reactor_installed
        if not is_asyncio_reactor_installed():
            logger.info("parse pool off (needs the asyncio reactor): parsing inline")
            return
        self._pooled = True
        self._slots = asyncio.Semaphore(self.workers * IN_FLIGHT_PER_WORKER)
        try:
            self._ensure_executor()  # started now: workers import the parser while lists download
        except (OSError, ValueError, RuntimeError) as exc:  # no processes here (no /dev/shm, limits…)
            self._pooled = False
            logger.error("parse pool not started (%s): parsing inline", error_text(exc))
        else:
            logger.info("parsing in %d worker process(es) (GICRAWLER_PARSE_WORKERS)", self.workers)

    def close_spider(self):
        self._pooled = False
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if self._log_listener is not None:
            self._log_listener.stop()
            self._log_listener = self._log_queue = None

    def _ensure_executor(self) -> ProcessPoolExecutor | None:
        if self._executor is None and self._pooled:
            # spawn, not fork: the crawl process has threads (playwright, sqlite, this pool's own);
            # nor forkserver: one more process (~70 MB) to save a worker's imports once per crawl
            ctx = multiprocessing.get_context("spawn")
            if self._log_queue is None:
                self._log_queue = ctx.Queue()
                self._log_listener = logging.handlers.QueueListener(self._log_queue, _ToLogger())
                self._log_listener.start()
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=ctx, initializer=_worker_init,
                initargs=(self._log_queue, logging.getLogger().getEffectiveLevel(), os.getpid()))
            with _main_module_hidden():  # workers start on submit: all of them now, not under load
                for _ in range(self.workers):
                    self._executor.submit(_warm_up)
        return self._executor

    def _crashed(self, executor: ProcessPoolExecutor, exc: BaseException) -> None:
        if executor is None or executor is not self._executor:  # already reported by another item
            return
        self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)
        self.crashes += 1
        if self.stats is not None:
            self.stats.inc_value("gicrawler/parse_worker_crashes")
        if self.crashes >= MAX_POOL_CRASHES:
            self._pooled = False
            logger.error("parse worker crashed (%s), %d times: parsing inline from now on", exc, self.crashes)
        else:
            logger.error("parse worker crashed (%s): its items are parsed inline, new pool started", exc)

    # -- items ---------------------------------------------------------------------------------

    def process_item(self, item):
        """The record; with the pool running (and a body to parse), an awaitable of it."""
        crawled_at = datetime.now(timezone.utc)
        page = page_dict(item)
        if self._pooled and page.get("body") is not None:
            return self._process_pooled(page, crawled_at)
        return self._finish(self._record_inline(page), page, crawled_at)

    async def _process_pooled(self, page: dict, crawled_at: datetime) -> dict:
        payload = {key: page.get(key) for key in PAGE_FIELDS}
        async with self._slots:
            executor = None
            try:
                executor = self._ensure_executor()
                if executor is not None:
                    with _main_module_hidden():  # (submit starts any worker still missing)
                        future = executor.submit(self.worker_function, payload)
            except BrokenProcessPool as exc:  # (a RuntimeError, so caught first)
                return self._finish(self._after_crash(executor, exc, page), page, crawled_at)
            except (OSError, ValueError, RuntimeError) as exc:  # no new pool, or shut down meanwhile
                logger.error("parse pool unusable (%s): parsing inline", error_text(exc))
                self._pooled, executor = False, None
            if executor is None:  # the pool was given up
                return self._finish(self._record_inline(page), page, crawled_at)
            try:
                record = await asyncio.wait_for(asyncio.wrap_future(future), self.timeout or None)
            except BrokenProcessPool as exc:
                record = self._after_crash(executor, exc, page)
            except asyncio.TimeoutError:
                if executor is not self._executor:
                    # Queued behind a page that timed out first and had the pool killed: a victim.
                    record = self._after_crash(executor, BrokenProcessPool("pool ended"), page)
                else:
                    # Not parsed inline (it would stall the reactor instead): the pool is killed,
                    # which breaks it, so the other items it held are parsed again, as after a crash.
                    exc = TimeoutError(f"parsing took over {self.timeout:g} s (GICRAWLER_PARSE_TIMEOUT)")
                    for process in list((getattr(executor, "_processes", None) or {}).values()):
                        process.kill()  # (the executor has no public way to stop a running task)
                    self._crashed(executor, exc)
                    record = self._failed_record(page, exc)
            except Exception as exc:  # noqa: BLE001 - what parse_page raised in the worker
                record = self._failed_record(page, exc)
        return self._finish(record, page, crawled_at)

    def _after_crash(self, executor, exc: BaseException, page: dict) -> dict:
        self._crashed(executor, exc)
        if self.stats is not None:
            self.stats.inc_value("gicrawler/parse_inline_fallbacks")
        logger.warning("parsing %s inline after a worker crash", page.get("url"))
        return self._record_inline(page)

    def _record_inline(self, page: dict) -> dict:
        try:
            return parse_page(page)
        except Exception as exc:  # a bug here must still not drop the page
            return self._failed_record(page, exc)

    def _failed_record(self, page: dict, exc: BaseException) -> dict:
        logger.error("building the record of %s failed: %s", page.get("url"), error_text(exc),
                     exc_info=(type(exc), exc, exc.__traceback__))
        record = empty_record(page)
        record["parse_error"] = error_text(exc)
        return record

    def _finish(self, record: dict, page: dict, crawled_at: datetime) -> dict:
        portal = record.get("portal") or "unknown"
        if record.get("parse_error"):
            self._inc(portal, "parse_failures")
            logger.warning("parse failure %s: %s", record.get("url"), record["parse_error"])
        if any(not check.get("ok", True) for check in record.get("checks") or ()):
            self._inc(portal, "failed_checks")
        record[RAWS_KEY] = page_raws(page)
        record[CRAWLED_AT_KEY] = crawled_at
        return record

    def _inc(self, portal: str, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"gicrawler/{portal}/{key}")
