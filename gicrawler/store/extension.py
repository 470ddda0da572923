"""The crawl's one store: ``StoreExtension`` opens it once and keeps it on the crawler.

``EXTENSIONS = {"gicrawler.store.extension.StoreExtension": 900}`` (settings.py). The store
pipeline (whose ``open_spider`` is the first to ask, so a store that is down stops the crawl
before anything is fetched), the incremental middleware and the stats extension all call
``crawl_store(crawler)``: one connection and one write transaction per crawl, instead of
components locking each other out of an SQLite file. The store is opened on first use (pinged
then) and closed when the spider has closed; its priority puts its ``spider_closed`` handler
after the stats extension's, which still saves the run there.

A crawler built without the extension (a test's ``get_crawler``) gets one on first use.
"""
from __future__ import annotations

import logging

from scrapy import signals

from gicrawler.store import Store, StoreError, open_store, resolve_uri

logger = logging.getLogger(__name__)

ATTRIBUTE = "gicrawler_store"


class StoreExtension:
    def __init__(self, crawler):
        self.uri = resolve_uri(crawler.settings.get("STORE_URI"))
        self.store: Store | None = None
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return _of(crawler)

    def get(self) -> Store:
        """The crawl's store, opened and pinged on first use (raises StoreError, e.g.
        StoreUnavailable: the next call tries again)."""
        if self.store is None:
            self.store = open_store(self.uri)
        return self.store

    def close(self) -> None:
        store, self.store = self.store, None
        if store is not None:
            try:
                store.close()
            except StoreError as exc:
                logger.error("closing the store: %s", exc)


def _of(crawler) -> StoreExtension:
    owner = getattr(crawler, ATTRIBUTE, None)
    if owner is None:
        owner = StoreExtension(crawler)
        setattr(crawler, ATTRIBUTE, owner)
    return owner


def crawl_store(crawler) -> Store:
    """The store of this crawl (see the module docstring)."""
    return _of(crawler).get()


def opened_store(crawler) -> Store | None:
    """The store of this crawl if it is open already (None: not opened, or it failed to open)."""
    return _of(crawler).store
