"""The parse pipeline: every ReportPage item → its record (pipelines/record.py), parsed in
worker processes beside the crawl.

Parsing is CPU-bound and would stall the reactor (downloads, the store) for milliseconds per
report, so the pipeline runs it in parse workers (pipelines/workers.py): setting
``GICRAWLER_PARSE_WORKERS`` (default ``cpu_count - 1``, at least 1; ``0`` = parse inline on the
reactor thread, without a time limit). Workers get plain dicts with bytes bodies and return the
record, with the bodies compressed as the store keeps them (``store.records.pack``: the work is
done beside the crawl, not in it); raws, stats and logging stay in the crawl process (workers'
log records are forwarded to it).

A worker parses one page at a time, with the next ones waiting in its pipe (it does not wait
for the busy crawl process between pages); a page's clock starts when its worker starts it: a
page still parsing after ``GICRAWLER_PARSE_TIMEOUT`` seconds (default 300; 0 = no limit) has its
worker killed and is stored raw with a ``parse_error`` (``gicrawler reparse`` can try again
later); the pages behind it go to another worker, and the pages in the other workers go on. A
worker that crashes (a segfault in C code, the OOM killer) is replaced and its page parsed once
more in a new worker; a page that crashes a worker twice is stored raw
with a ``parse_error``. Nothing is ever re-parsed on the reactor thread after a crash (no time
limit there, and a crash there would end the crawl). Only workers that cannot start at all (no
processes, imports failing: ``MAX_POOL_START_FAILURES`` times) are given up for inline parsing,
with an ERROR.

Every page is entered in the crawl's ledger (pipelines/ledger.py) on arrival; the store
pipeline settles it, and names at close any page that never reached it.
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

from gicrawler.pipelines.record import (CRAWLED_AT_KEY, ITEM_FIELDS, RAWS_KEY, empty_record, error_text,
                                        page_dict, page_raws, parse_page)

logger = logging.getLogger(__name__)

# The item fields a worker needs (bodies included); nothing Scrapy-specific crosses the process boundary.
PAGE_FIELDS = ITEM_FIELDS + ("fetch_error", "body", "content_type", "metadata", "attachments")
# Workers that failed to start (imports broken, no processes) before parsing goes inline.
MAX_POOL_START_FAILURES = 3
# A new worker imports the parser before the first page's clock starts.
POOL_START_TIMEOUT = 120.0
# A page still parsing after this long (a pathological PDF) has its worker killed and is stored
# with a parse_error: otherwise its item, and the crawl's close, would wait forever.
PARSE_TIMEOUT = 300.0
# What a worker imports before it says it is ready: the parser's heavy imports (OpenCC, lxml, pdfplumber…).
WARM_UP = ("gicrawler.parsing.document",)
# … without what parsing does not use and itemloaders' itemadapter imports when installed, for
# the item classes it may be handed (a worker gets plain dicts): Scrapy (~0.15 s of CPU per
# worker start), attrs and pydantic (~0.06 s more; frictionless, for the export, installs it).
# A job's own module may still import them later.
WARM_UP_WITHOUT = ("scrapy", "attr", "pydantic")


# Private key of a worker's record: its page's raw bodies compressed, in ``page_raws`` order
# (None for a body that is not bytes: the store encodes and compresses that one itself).
PACKED_KEY = "_packed"


def _record_in_worker(page: dict) -> dict:
    from gicrawler.store.records import pack
    record = parse_page(page)
    record[PACKED_KEY] = [pack(raw["body"]) if isinstance(raw["body"], bytes) else None
                          for raw in page_raws(page)]
    return record


def default_workers() -> int:
    return max(1, (os.cpu_count() or 2) - 1)


class ParsePipeline:
    # what parses a page dict, in a worker or inline (module level, so workers import it by name)
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
        self.ledger = None
        if crawler is not None:
            from gicrawler.pipelines.ledger import crawl_ledger
            self.ledger = crawl_ledger(crawler)
        self.crashes = 0
        self.start_failures = 0
        self._pool = None      # pipelines.workers.WorkerPool while parsing in workers
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
        from gicrawler.pipelines.workers import WorkerPool
        pool = WorkerPool(self.workers, warm_up=WARM_UP, warm_up_without=WARM_UP_WITHOUT,
                          start_timeout=POOL_START_TIMEOUT)
        try:
            pool.start()  # started now: workers import the parser while lists download
        except (OSError, ValueError, RuntimeError) as exc:  # no processes here (no /dev/shm, limits…)
            pool.close()
            logger.error("parse pool not started (%s): parsing inline, without a time limit", error_text(exc))
            return
        self._pool, self._pooled = pool, True
        logger.info("parsing in %d worker process(es) (GICRAWLER_PARSE_WORKERS)", self.workers)

    def close_spider(self):
        self._pooled = False
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def _start_failed(self, exc: BaseException) -> None:
        self.start_failures += 1
        if self.start_failures >= MAX_POOL_START_FAILURES and self._pooled:
            self._pooled = False
            logger.error("parse pool did not start (%s), %d times: parsing inline from now on, "
                         "without a time limit", error_text(exc), self.start_failures)
        elif self._pooled:
            logger.error("parse pool did not start (%s): trying a new worker", error_text(exc))

    def _crashed(self, exc: BaseException) -> None:
        self.crashes += 1
        if self.stats is not None:
            self.stats.inc_value("gicrawler/parse_worker_crashes")
        logger.error("parse worker crashed (%s): its page is parsed again in a new worker", error_text(exc))

    # -- items ---------------------------------------------------------------------------------

    def process_item(self, item):
        """The record; with the pool running (and a body to parse), an awaitable of it."""
        crawled_at = datetime.now(timezone.utc)
        page = page_dict(item)
        if self.ledger is not None:
            self.ledger.enter(page.get("url"), page.get("portal"))
        if self._pooled and page.get("body") is not None:
            return self._process_pooled(page, crawled_at)
        return self._finish(self._record_inline(page), page, crawled_at)

    async def _process_pooled(self, page: dict, crawled_at: datetime) -> dict:
        from gicrawler.pipelines.workers import JobTimeout, PoolClosed, WorkerDied, WorkerNotStarted

        payload = {key: page.get(key) for key in PAGE_FIELDS}
        crashed = False
        while True:
            pool = self._pool if self._pooled else None
            if pool is None:
                record = self._record_inline(page)
                break
            try:
                record = await pool.run(self.worker_function, payload, self.timeout or None)
            except WorkerDied as exc:
                self._crashed(exc)
                if crashed:  # a second crash, in a worker of its own each time: this page's doing
                    logger.error("parsing %s crashed the parse worker twice: stored raw with a "
                                 "parse_error, for `gicrawler reparse`", page.get("url"))
                    record = self._failed_record(page, RuntimeError(
                        f"the parse worker crashed on this page twice ({exc})"), log=False)
                    break
                crashed = True
                self._inc_total("parse_retries")
                logger.warning("parsing %s again, in a new worker, after a worker crash", page.get("url"))
                continue
            except WorkerNotStarted as exc:
                self._start_failed(exc)
                continue
            except JobTimeout as exc:
                self._inc_total("parse_timeouts")
                logger.error("parsing %s stopped after %g s (GICRAWLER_PARSE_TIMEOUT): stored raw "
                             "with a parse_error, for `gicrawler reparse`", page.get("url"), self.timeout)
                record = self._failed_record(page, TimeoutError(str(exc)), log=False)  # (as stored before)
            except PoolClosed:  # closed meanwhile: parsed inline, as after close
                continue
            except Exception as exc:  # noqa: BLE001 - what parse_page raised in the worker
                record = self._failed_record(page, exc)
            break
        return self._finish(record, page, crawled_at)

    def _record_inline(self, page: dict) -> dict:
        try:
            return self.worker_function(page)
        except Exception as exc:  # a bug here must still not drop the page
            return self._failed_record(page, exc)

    def _failed_record(self, page: dict, exc: BaseException, log: bool = True) -> dict:
        if log:
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
        raws = page_raws(page)
        packed = record.pop(PACKED_KEY, None)
        if packed is not None and len(packed) == len(raws):
            for raw, data in zip(raws, packed):
                if data is not None:
                    raw["packed"] = data
        record[RAWS_KEY] = raws
        record[CRAWLED_AT_KEY] = crawled_at
        return record

    def _inc(self, portal: str, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"gicrawler/{portal}/{key}")

    def _inc_total(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"gicrawler/{key}")
