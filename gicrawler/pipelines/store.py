"""Upsert records into the store (STORE_URI); lose none when the store misbehaves.

- ``open_spider`` opens the crawl's store (StoreExtension, gicrawler/store/extension.py), which
  pings it: down at start → ERROR naming it (no credentials) and the spider closes at once with
  reason ``store_unavailable``. The extension closes the store after the spider has closed.
- Every record the store writes is journaled (store.spool) before anything commits it — the
  store's own encoding of it, once for both — and the journal is emptied each time the store has
  committed everything. A crawl killed mid-batch therefore leaves the uncommitted records on
  disk, and the next start replays them. A journal the disk refuses (full) has each record
  committed at once instead (WARNING); a record neither stored nor journaled stops the crawl.
- A store that fails mid-crawl is retried with backoff; if it stays down, records keep going to
  the journal only (checked again after STORE_DOWN_COOLDOWN s) and are replayed when it is back,
  at close, or at the next start.
- At close: the store is checked for what it lost behind the crawl's back (an SQLite file
  deleted or replaced mid-crawl: store/sqlite.py), and the crawl's ledger for pages that never
  reached this pipeline (pipelines/ledger.py). Records lost, refused, or left in the spool are
  counted in stats that make ``scrapy crawl`` exit 1 (scrapy_commands/crawl.py).

Settings: STORE_URI (else $GICRAWLER_STORE, else sqlite:///data/gicrawler.sqlite3),
GICRAWLER_SPOOL_DIR (else the same environment variable, else data/spool), STORE_BATCH_SIZE (50),
STORE_RETRIES (3), STORE_RETRY_DELAY (1 s, doubled each retry), STORE_DOWN_COOLDOWN (30 s).
"""
from __future__ import annotations

import asyncio
import logging
import os
import time

from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from gicrawler.pipelines.ledger import crawl_ledger, report_losses
from gicrawler.pipelines.record import CRAWLED_AT_KEY, RAWS_KEY
from gicrawler.store import StoreError, StoreUnavailable
from gicrawler.store.base import WritesRefused
from gicrawler.store.extension import crawl_store
from gicrawler.store.spool import DEFAULT_SPOOL_DIR, Spool, apply

logger = logging.getLogger(__name__)


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor  # late: the crawler installs its reactor first
    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.spool = Spool(settings.get("GICRAWLER_SPOOL_DIR")
                           or os.environ.get("GICRAWLER_SPOOL_DIR") or DEFAULT_SPOOL_DIR)
        self.batch_size = settings.getint("STORE_BATCH_SIZE", 50)
        self.retries = settings.getint("STORE_RETRIES", 3)
        self.retry_delay = settings.getfloat("STORE_RETRY_DELAY", 1.0)
        self.cooldown = settings.getfloat("STORE_DOWN_COOLDOWN", 30.0)
        self.store = None
        self.journal = None
        self.ledger = crawl_ledger(crawler)
        self._uncounted: list[str | None] = []  # per journal entry: portal whose status is still to count
        self._down_until = 0.0
        self._recovering = False
        self._journal_failing = False
        self._stopping = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # -- lifecycle -----------------------------------------------------------------------------

    async def open_spider(self):
        # async: raised while Scrapy awaits the pipelines' open_spider together, not while it is
        # still creating their coroutines (which then leaked as "never awaited")
        try:
            self.store = crawl_store(self.crawler)  # opened (and pinged) by the first to ask
        except StoreError as exc:
            logger.error("store unavailable, not crawling: %s", exc)
            self.crawler.stats.set_value("gicrawler/store_error", str(exc))
            raise CloseSpider("store_unavailable") from None
        self.store.batch_size = self.batch_size
        self._discards = self.store.discards
        try:
            replayed = self.spool.replay(self.store, on_saved=self._count)
        except StoreError as exc:
            logger.error("spooled records not replayed (kept in %s): %s", self.spool.directory, exc)
        else:
            if replayed:
                logger.info("replayed %d spooled records from %s into %s",
                            replayed, self.spool.directory, self.store.display)
        try:
            self.journal = self.spool.open_journal()
        except OSError as exc:  # no journal, no guarantee: refuse to crawl rather than lose records
            logger.error("spool directory %s unusable, not crawling: %s", self.spool.directory, exc)
            self.store = None
            raise CloseSpider("spool_unavailable") from None

    async def process_item(self, item):
        if not isinstance(item, dict) or RAWS_KEY not in item:
            raise TypeError("StorePipeline expects the records of ParsePipeline (enable it before this one)")
        raws = item.pop(RAWS_KEY)
        crawled_at = item.pop(CRAWLED_AT_KEY, None)
        portal = item.get("portal") or "unknown"
        if self._recovering or time.monotonic() < self._down_until:
            self._journal_record(item, raws, crawled_at)  # saved when the store is back
            return item
        journaled = self.journal.count
        try:
            if self._down_until or self.store.discards != self._discards:
                # down, or another holder of this shared store dropped its buffer (ours too)
                self._journal_record(item, raws, crawled_at)
                self._resave_journal()
            else:
                status = self.store.save(item, raws, crawled_at, journal=self.journal)
                if self.journal.count > journaled:
                    self._uncounted.append(None)  # counted now
                self.ledger.settle(item.get("url"))  # journaled, or committed at once
                self._count(item, status)
                self._journal_state()
                self._committed_if_flushed()
        except StoreUnavailable as exc:
            if self.journal.count > journaled:  # written and journaled; the commit failed
                self._uncounted.append(portal)
                self.ledger.settle(item.get("url"))
            else:  # the save failed before writing anything: journaled as it came
                self._journal_record(item, raws, crawled_at)
            await self._recover(exc)
        except WritesRefused as exc:  # this item's save was fine; the batch flush named what was refused
            self.ledger.settle(item.get("url"))
            self._writes_refused(exc)
        except StoreError as exc:
            self._refused(item, exc)
        return item

    async def close_spider(self):
        if self.store is None:
            return
        try:
            if self._down_until or self._recovering:
                self._resave_journal()
            else:
                self.store.flush()
                self._committed_if_flushed()
            self.store.check()
        except StoreUnavailable as exc:
            await self._recover(exc, final=True)
        except WritesRefused as exc:
            self._writes_refused(exc)
        except StoreError as exc:
            logger.error("final flush failed: %s", exc)
        finally:
            kept = self.journal.close() if self.journal is not None else None
            if kept is not None:
                logger.error("store %s unavailable: %d records kept in %s, replayed at the next start",
                             self.store.display, self.journal.count, kept)
                self.crawler.stats.set_value("gicrawler/spooled", self.journal.count)
            self._report_incidents()
            report_losses(self.crawler, logger)

    # -- helpers -------------------------------------------------------------------------------

    def _journal_record(self, record: dict, raws: list[dict], crawled_at) -> bool:
        """Journal a record the store did not take; False (and the crawl stopped) when the
        journal cannot take it either: the record is then lost, named at close."""
        if self.journal.append(record, raws, crawled_at):
            self._uncounted.append(record.get("portal") or "unknown")
            self.ledger.settle(record.get("url"))
            return True
        logger.error("record %s neither stored nor journaled (%s: %s)%s", record.get("url"), self.journal.path,
                     self.journal.failed, "" if self._stopping else ": stopping the crawl")
        self._stop("store_and_spool_unwritable")
        return False

    def _journal_state(self) -> None:
        """Say once when the journal starts, or stops, refusing writes (the disk is full)."""
        failing = self.journal.failed is not None
        if failing and not self._journal_failing:
            logger.warning("journal %s unwritable (%s): each record is committed at once until it is "
                           "writable again", self.journal.path, self.journal.failed)
            self.crawler.stats.inc_value("gicrawler/journal_failures")
        elif self._journal_failing and not failing:
            logger.info("journal %s writable again", self.journal.path)
        self._journal_failing = failing

    def _stop(self, reason: str) -> None:
        if self._stopping is None and self.crawler.engine is not None:
            self._stopping = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason=reason))

    def _report_incidents(self) -> None:
        for lost, _ in self.store.incidents:  # (logged by the store when found)
            self.crawler.stats.inc_value("gicrawler/store_lost" if lost else "gicrawler/store_rebuilt")
        if self.store.spool_dropped:
            self.crawler.stats.set_value("gicrawler/spool_dropped", self.store.spool_dropped)

    def _refused(self, record: dict, exc: StoreError) -> None:
        # Bad data, not a bad store: retrying cannot help, so it is said loudly and counted.
        logger.error("record %s not stored: %s", record.get("url"), exc)
        self.crawler.stats.inc_value(f"gicrawler/{record.get('portal') or 'unknown'}/store_errors")

    def _writes_refused(self, exc: WritesRefused) -> None:
        # The rest of the batch is committed: the journal must not replay it all again.
        logger.error("%s", exc)
        self.crawler.stats.inc_value("gicrawler/store_refused_flushes")
        self._committed_if_flushed()

    def _count(self, record: dict, status: str) -> None:
        portal = record.get("portal") or "unknown"
        self.crawler.stats.inc_value(f"gicrawler/{portal}/stored_{status}")

    def _committed_if_flushed(self) -> None:
        if self.store.pending_count == 0:
            self.journal.clear()
            self._uncounted.clear()

    def _resave_journal(self) -> None:
        """Save everything journaled (the store's own buffer is dropped first), then commit."""
        self.store.take_unflushed()
        self._discards = self.store.discards
        entries = list(self.journal.entries())
        statuses = []
        for entry in entries:
            try:
                statuses.append(apply(self.store, entry))
            except StoreUnavailable:
                raise
            except StoreError as exc:
                self._refused(entry[0], exc)
                statuses.append(None)
        self.store.flush()
        for entry, status, portal in zip(entries, statuses, self._uncounted):
            if portal is not None and status is not None:  # not counted when first saved
                self._count(entry[0], status)
        self.journal.clear()
        self._uncounted.clear()
        if self._down_until:
            logger.info("store %s is back: %d journaled records saved", self.store.display, len(entries))
        self._down_until = 0.0

    async def _recover(self, exc: StoreError, final: bool = False) -> None:
        self._recovering = True
        try:
            attempts = 1 if final else self.retries
            for attempt in range(attempts):
                delay = self.retry_delay * 2 ** attempt
                logger.warning("%s; retry %d/%d in %.1fs", exc, attempt + 1, attempts, delay)
                await _sleep(delay)
                try:
                    self._resave_journal()
                    return
                except StoreUnavailable as again:
                    exc = again
            self._down_until = time.monotonic() + self.cooldown
            self.store.take_unflushed()
            self._discards = self.store.discards
            self.crawler.stats.inc_value("gicrawler/store_outages")
            logger.error("%s; records go to %s until it is back", exc, self.journal.path)
        finally:
            self._recovering = False
