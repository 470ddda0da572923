"""Incremental re-crawls: list pages are always re-read, known report pages are not re-downloaded.

An annual report appears once a year and rarely changes, so a nightly re-crawl should cost
little more than the list pages. For every report request (``meta["gicrawler"]["kind"] ==
"report"``) ``IncrementalMiddleware`` looks the URL up in ``Store.known_pages(portal)`` (read
once per portal) and

- URL unknown → request it;
- known, list entry (``list_title`` + ``list_date``) unchanged → drop the request,
  ``store.touch(url)`` (bumps ``last_crawled``), stat ``gicrawler/<portal>/skipped_unchanged``;
- known, list entry changed → send it as a conditional request (``If-None-Match`` /
  ``If-Modified-Since`` from the stored ``etag`` / ``last_modified``; stat ``revalidated``).
  ``NotModifiedMiddleware`` turns a 304 into ``store.touch`` (stat ``not_modified``) and drops
  it; a 200 goes through the normal pipeline, which records the change.

Spider arguments (every spider):

- ``-a full=1``: no skipping, no conditional headers — fetch everything again.
- ``-a revalidate=1``: no skipping; every known report gets a conditional request. Trade-off:
  list-skipping cannot see a report that was edited on the server while its list entry
  (title, date) stayed the same. Run a revalidating crawl weekly to catch those; on servers
  that send no ETag/Last-Modified it costs a full download of each report.

Settings (settings.py)::

    SPIDER_MIDDLEWARES = {"gicrawler.incremental.IncrementalMiddleware": 550}
    DOWNLOADER_MIDDLEWARES = {"gicrawler.incremental.NotModifiedMiddleware": 650}
"""
from __future__ import annotations

import logging

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest

from gicrawler.discovery import canonical
from gicrawler.extensions import spider_portals, store_found_down
from gicrawler.store.extension import crawl_store

logger = logging.getLogger(__name__)

TRUE = {"1", "true", "yes", "on"}
FALSE = {"", "0", "false", "no", "off"}


def flag(value, name: str = "flag") -> bool:
    """A spider argument's truth: -a full=1|true|yes|on, 0|false|no|off (strings from the command
    line / scrapyd). Anything else is a ValueError: a typo (``full=ture``) must not be a quiet no."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise ValueError(f"{name}={value!r} is not a yes or no (1/0, true/false, yes/no, on/off)")


def spider_flag(spider, name: str) -> bool:
    return flag(getattr(spider, name, None))


def list_entry_unchanged(known: dict, info: dict) -> bool:
    """Same title and date on the list page as when the report was stored."""
    def norm(value):
        return " ".join(str(value).split()) if value is not None else None

    return (norm(known.get("list_title")) == norm(info.get("list_title"))
            and norm(known.get("list_date")) == norm(info.get("list_date")))


def conditional_headers(known: dict) -> dict:
    headers = {}
    if known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known.get("last_modified"):
        headers["If-Modified-Since"] = known["last_modified"]
    return headers


class NotModified(IgnoreRequest):
    """The server answered 304 to a conditional report request: nothing to do."""


def _touch(crawler, url: str, **fields) -> None:
    try:
        crawl_store(crawler).touch(url, **fields)
    except Exception as exc:  # only last_crawled is lost; the record itself is intact
        logger.error("could not mark %s as crawled: %s", url, exc)


class IncrementalMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.known: dict[str, dict[str, dict]] = {}
        # canonical URL without scheme -> stored URL: a report stored under the URL it redirected
        # to (http → https) is still found from the list's link to it
        self.stored_urls: dict[str, dict[str, str]] = {}
        self.configured = False
        self.full = False
        self.revalidate = False

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider):
        self.configured = True
        self.full = spider_flag(spider, "full")
        self.revalidate = spider_flag(spider, "revalidate")
        mode = "full" if self.full else "revalidate" if self.revalidate else "skip unchanged"
        logger.info("incremental mode: %s", mode)
        if not self.full and not store_found_down(self.crawler):  # (down: the crawl is closing)
            for name in sorted(spider_portals(spider)):
                self._known(name)

    def _known(self, portal: str) -> dict[str, dict]:
        if portal not in self.known:
            try:
                self.known[portal] = crawl_store(self.crawler).known_pages(portal)
                logger.info("portal %s: %d known report pages", portal, len(self.known[portal]))
            except Exception as exc:  # no store, no skipping: fetch everything rather than nothing
                logger.error("portal %s: known pages unreadable, crawling it in full: %s", portal, exc)
                self.known[portal] = {}
        return self.known[portal]

    def _lookup(self, portal: str, url: str) -> tuple[str, dict | None]:
        """(stored URL, known page) for a report link; (url, None) when it was never stored."""
        known = self._known(portal)
        if url in known:
            return url, known[url]
        if portal not in self.stored_urls:
            self.stored_urls[portal] = {canonical(u): u for u in known}
        stored = self.stored_urls[portal].get(canonical(url))
        return (stored, known[stored]) if stored else (url, None)

    # Scrapy spider-middleware hooks (sync and async output, start requests).
    async def process_start(self, start):
        async for obj in start:
            obj = self._process(obj)
            if obj is not None:
                yield obj

    def process_spider_output(self, response, result, spider=None):
        for obj in result:
            obj = self._process(obj)
            if obj is not None:
                yield obj

    async def process_spider_output_async(self, response, result, spider=None):
        async for obj in result:
            obj = self._process(obj)
            if obj is not None:
                yield obj

    def _process(self, obj):
        if not self.configured:  # never decide before the spider's arguments are known
            self.spider_opened(self.crawler.spider)
        if self.full or not isinstance(obj, Request):
            return obj
        info = obj.meta.get("gicrawler") or {}
        portal = info.get("portal")
        if info.get("kind") != "report" or not portal:
            return obj
        stored_url, known = self._lookup(portal, obj.url)
        if known is None or not known.get("raw_hash"):
            return obj  # new, or stored without content (its fetch failed): fetch it
        if not self.revalidate and list_entry_unchanged(known, info):
            self.stats.inc_value(f"gicrawler/{portal}/skipped_unchanged")
            _touch(self.crawler, stored_url)
            return None
        headers = conditional_headers(known)
        if not headers:
            return obj  # nothing to validate against: download it again
        self.stats.inc_value(f"gicrawler/{portal}/revalidated")
        request = obj.replace(meta={**obj.meta, "gicrawler": {**info, "conditional": True, "stored_url": stored_url}})
        for name, value in headers.items():
            request.headers[name] = value
        return request


class NotModifiedMiddleware:
    """304 to a conditional report request → touch the stored record, drop the response."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        info = request.meta.get("gicrawler") or {}
        if response.status != 304 or not info.get("conditional"):
            return response
        portal = info.get("portal")
        self.crawler.stats.inc_value(f"gicrawler/{portal}/not_modified")
        fields = {"list_title": info.get("list_title"), "list_date": info.get("list_date")}
        for header, field in ((b"ETag", "etag"), (b"Last-Modified", "last_modified")):
            if response.headers.get(header):
                fields[field] = response.headers[header].decode("latin-1")
        _touch(self.crawler, info.get("stored_url") or request.url, **fields)
        raise NotModified(f"304 Not Modified: {request.url}")
