"""The parse pipeline: every ReportPage item → its record (pipelines/record.py), parsed in a
process pool beside the crawl.

Parsing is CPU-bound and would stall the reactor (downloads, the store) for milliseconds per
report, so the pipeline runs it in a process pool: setting ``GICRAWLER_PARSE_WORKERS`` (default
``cpu_count - 1``, at least 1; ``0`` = parse inline on the reactor thread, without a time limit).
Workers get plain dicts with bytes bodies and return the record; raws, stats and logging stay in
the crawl process (workers' log records are forwarded to it).

One page per worker at a time, so a page's clock is its own: a page still parsing after
``GICRAWLER_PARSE_TIMEOUT`` seconds (default 300; 0 = no limit) has the pool killed and is
stored raw with a ``parse_error`` (``gicrawler reparse`` can try again later); the pages parsing
beside it in the other workers are parsed again in a new pool. A worker that crashes (a segfault
in C code, the OOM killer) breaks the pool the same way: its pages are parsed again in a new
pool — alone, so that a second crash names the page that causes it, which is then stored raw
with a ``parse_error``. Nothing is ever re-parsed on the reactor thread after a crash (no time
limit there, and a crash there would end the crawl). Only a pool that cannot start at all
(no processes, imports failing) is given up for inline parsing, with an ERROR.

Every page is entered in the crawl's ledger (pipelines/ledger.py) on arrival; the store
pipeline settles it, and names at close any page that never reached it.
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
# Pools that failed to start (their warm-up broke or timed out) before parsing goes inline.
MAX_POOL_START_FAILURES = 3
# A new pool's workers import the parser before the first page's clock starts.
POOL_START_TIMEOUT = 120.0
# A page still parsing after this long (a pathological PDF) has its worker killed and is stored
# with a parse_error: otherwise its item, and the crawl's close (pool shutdown), would wait forever.
PARSE_TIMEOUT = 300.0


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


class _PoolLost(Exception):
    """The pool a page was in ended before the page was parsed (``crashed``: by a crash, not by
    the pipeline killing it for another page's time limit)."""

    def __init__(self, crashed: bool, reason: str):
        super().__init__(reason)
        self.crashed = crashed


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
        self._executor: ProcessPoolExecutor | None = None
        self._warm: asyncio.Future | None = None   # the current pool's warm-up
        self._killed: set[int] = set()              # id() of pools this pipeline killed
        self._slots: asyncio.Semaphore | None = None
        self._solo: asyncio.Lock | None = None
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
        self._slots = asyncio.Semaphore(self.workers)  # one page per worker: its clock is its own
        self._solo = asyncio.Lock()
        try:
            self._ensure_executor()  # started now: workers import the parser while lists download
        except (OSError, ValueError, RuntimeError) as exc:  # no processes here (no /dev/shm, limits…)
            self._pooled = False
            logger.error("parse pool not started (%s): parsing inline, without a time limit", error_text(exc))
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
            executor = ProcessPoolExecutor(
                self.workers, mp_context=ctx, initializer=_worker_init,
                initargs=(self._log_queue, logging.getLogger().getEffectiveLevel(), os.getpid()))
            with _main_module_hidden():  # workers start on submit: all of them now, not under load
                warm_ups = [executor.submit(_warm_up) for _ in range(self.workers)]
            self._executor = executor
            self._warm = asyncio.gather(*(asyncio.wrap_future(f) for f in warm_ups))
            self._warm.add_done_callback(_retrieve)  # a failed warm-up is reported by _ready_executor
        return self._executor

    async def _ready_executor(self) -> ProcessPoolExecutor | None:
        """The pool, its workers started and warm (so a page's clock is its parse alone); None
        when the pool is given up (parse inline)."""
        while self._pooled:
            try:
                executor = self._ensure_executor()
            except (OSError, ValueError, RuntimeError) as exc:
                self._start_failed(None, exc)
                continue
            warm = self._warm
            if warm.done() and not warm.cancelled() and warm.exception() is None:
                return executor
            try:
                await asyncio.wait_for(asyncio.shield(warm), POOL_START_TIMEOUT)
                return executor
            except asyncio.CancelledError:
                if _cancelling() or not warm.cancelled():
                    raise  # this task is cancelled, not the warm-up
                exc: BaseException = BrokenProcessPool("its workers did not start")
            except asyncio.TimeoutError:
                exc = TimeoutError(f"its workers did not start within {POOL_START_TIMEOUT:g} s")
            except Exception as error:  # noqa: BLE001 - BrokenProcessPool, an import error in a worker
                exc = error
            self._start_failed(executor, exc)
        return None

    def _start_failed(self, executor, exc: BaseException) -> None:
        if executor is not None and executor is not self._executor:
            return  # another page reported this pool already
        self._drop(executor, kill=True)
        self.start_failures += 1
        if self.start_failures >= MAX_POOL_START_FAILURES:
            self._pooled = False
            logger.error("parse pool did not start (%s), %d times: parsing inline from now on, "
                         "without a time limit", error_text(exc), self.start_failures)
        else:
            logger.error("parse pool did not start (%s): trying a new one", error_text(exc))

    def _drop(self, executor, kill: bool) -> None:
        """Forget the current pool (a new one is started for the next page); kill its workers
        when they may still be running (a page past its limit, a pool that did not start)."""
        if executor is None:
            return
        if executor is self._executor:
            self._executor = self._warm = None
        if kill:
            self._killed.add(id(executor))
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                process.kill()  # (the executor has no public way to stop a running task)
        executor.shutdown(wait=False, cancel_futures=True)

    def _crashed(self, executor, exc: BaseException) -> None:
        if executor is not self._executor:  # already reported by another page
            return
        self._drop(executor, kill=False)
        self.crashes += 1
        if self.stats is not None:
            self.stats.inc_value("gicrawler/parse_worker_crashes")
        logger.error("parse worker crashed (%s): its pages are parsed again in a new pool", error_text(exc))

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
        payload = {key: page.get(key) for key in PAGE_FIELDS}
        solo = False
        while True:
            try:
                record = await (self._parse_alone(payload) if solo else self._parse_pooled(payload))
            except _PoolLost as lost:
                if not lost.crashed:  # killed for another page's time limit: not this page's doing
                    self._inc_total("parse_retries")
                    continue
                if solo:  # the pool crashed with this page alone in it: this page crashes it
                    logger.error("parsing %s crashed the parse worker twice: stored raw with a "
                                 "parse_error, for `gicrawler reparse`", page.get("url"))
                    record = self._failed_record(page, RuntimeError(
                        f"the parse worker crashed on this page twice ({lost})"), log=False)
                    break
                solo = True
                self._inc_total("parse_retries")
                logger.warning("parsing %s again, alone, after a worker crash", page.get("url"))
                continue
            except _Inline:
                record = self._record_inline(page)
            except TimeoutError as exc:
                self._inc_total("parse_timeouts")
                logger.error("parsing %s stopped after %g s (GICRAWLER_PARSE_TIMEOUT): stored raw "
                             "with a parse_error, for `gicrawler reparse`", page.get("url"), self.timeout)
                record = self._failed_record(page, exc, log=False)
            except Exception as exc:  # noqa: BLE001 - what parse_page raised in the worker
                record = self._failed_record(page, exc)
            break
        return self._finish(record, page, crawled_at)

    async def _parse_alone(self, payload: dict) -> dict:
        """Parse with no other page in the pool (every slot held): a crash is this page's."""
        async with self._solo:
            taken = 0
            try:
                for _ in range(self.workers):
                    await self._slots.acquire()
                    taken += 1
                return await self._parse(payload)
            finally:
                for _ in range(taken):
                    self._slots.release()

    async def _parse_pooled(self, payload: dict) -> dict:
        async with self._slots:
            return await self._parse(payload)

    async def _parse(self, payload: dict) -> dict:
        """The record of one page from the pool. Raises _PoolLost when the pool ended under it,
        _Inline when there is no pool any more, TimeoutError past the limit (pool killed)."""
        executor = await self._ready_executor()
        if executor is None:
            raise _Inline()
        try:
            with _main_module_hidden():  # (submit starts any worker still missing)
                future = executor.submit(self.worker_function, payload)
        except BrokenProcessPool as exc:  # (a RuntimeError, so caught first)
            self._crashed(executor, exc)
            raise _PoolLost(id(executor) not in self._killed, error_text(exc)) from None
        except RuntimeError as exc:  # shut down meanwhile (another page dropped it): a new one
            raise _PoolLost(False, error_text(exc)) from None
        waiting = asyncio.wrap_future(future)
        try:
            return await asyncio.wait_for(waiting, self.timeout or None)
        except BrokenProcessPool as exc:
            if id(executor) in self._killed:
                raise _PoolLost(False, "pool killed for another page's time limit") from None
            self._crashed(executor, exc)
            raise _PoolLost(True, error_text(exc)) from None
        except asyncio.CancelledError:
            if _cancelling() or not future.cancelled():
                raise  # this task is cancelled (the crawl is ending): not the pool's doing
            # the pool was shut down with this page still queued (another page dropped it)
            raise _PoolLost(id(executor) not in self._killed and executor is self._executor,
                            "pool shut down") from None
        except asyncio.TimeoutError:
            if executor is not self._executor or id(executor) in self._killed:
                raise _PoolLost(False, "pool ended") from None  # broke meanwhile: not timed
            exc = TimeoutError(f"parsing took over {self.timeout:g} s (GICRAWLER_PARSE_TIMEOUT)")
            self._drop(executor, kill=True)
            raise exc from None

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
        record[RAWS_KEY] = page_raws(page)
        record[CRAWLED_AT_KEY] = crawled_at
        return record

    def _inc(self, portal: str, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"gicrawler/{portal}/{key}")

    def _inc_total(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"gicrawler/{key}")


class _Inline(Exception):
    """No pool any more: parse this page inline."""


def _cancelling() -> bool:
    """Whether the running task itself is being cancelled (rather than a future it awaits)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()
