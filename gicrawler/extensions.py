"""Per-portal run statistics: one summary line per portal at close, kept with the run.

Spiders, pipelines and the incremental middleware count into Scrapy stats under
``gicrawler/<portal>/<key>`` (keys in ``SUMMARY_KEYS``). At close ``PortalStats``

- logs one INFO line per portal (``portal zibo: list_pages=3 reports=12 ...``),
- compares with the portal's previous run (``Store.last_run``): a portal that yielded reports
  before and none now almost always means the site changed (new markup, new anti-bot, moved
  column) — that is logged as an ERROR and counted as ``gicrawler/<portal>/zero_reports``
  (not in a distributed run: each worker sees only its share; its run is saved with ``worker``),
- says how much of each column it reached: a column that states its size (gicrawler/reach.py)
  gives ``listed N, reached M`` on the portal's line and in stats (``listed``, ``reached``,
  ``listed_pages``, ``pages_read``); a column with M < N is a WARNING naming it, counted as
  ``gicrawler/<portal>/columns_short`` and kept with the run (``columns``, ``warnings``),
- stores the run with ``Store.save_run`` so the next run (and people) can compare, with the
  portal's coverage (``run["coverage"]``: gicrawler/analysis/coverage.py), worked out from what
  it kept of each record as the crawl's store wrote it (``coverage.Written``, watching the store
  from the spider's opening on), and from the store for the portal's other records.

At open it logs the spider arguments and where gicrawler was loaded from (a scrapyd egg or a
checkout): "my argument did nothing" is the first question about a scheduled job.

Enabled in settings.py: ``EXTENSIONS = {"gicrawler.extensions.PortalStats": 500}``.
"""
from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timezone

from scrapy import signals

import gicrawler
from gicrawler.analysis import coverage
from gicrawler.reach import column_phrase, reach_phrase
from gicrawler.store.extension import crawl_store, opened_store

logger = logging.getLogger(__name__)

PREFIX = "gicrawler/"
SUMMARY_KEYS = (
    "list_pages", "reports", "attachments", "challenges",
    "parse_failures", "failed_checks",
    "stored_new", "stored_changed", "stored_unchanged",
    "skipped_unchanged", "not_modified",
)
# A report the run saw on a list page counts as found whether it was downloaded or skipped
# as unchanged (an incremental re-crawl downloads none of them).
FOUND_KEYS = ("reports", "skipped_unchanged", "not_modified")


def portal_stats(stats: dict, portal: str) -> dict:
    """The ``gicrawler/<portal>/<key>`` entries of a stats dict, keyed by ``<key>``."""
    prefix = f"{PREFIX}{portal}/"
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}


def stats_portals(stats: dict) -> set[str]:
    return {k.split("/")[1] for k in stats if k.startswith(PREFIX) and k.count("/") >= 2}


def reports_found(portal_values: dict) -> int:
    return sum(int(portal_values.get(k) or 0) for k in FOUND_KEYS)


REACH_KEYS = ("listed", "reached", "listed_pages", "pages_read")


def summary_line(portal: str, values: dict) -> str:
    keys = list(SUMMARY_KEYS) + sorted(k for k in values if k not in SUMMARY_KEYS and k not in REACH_KEYS)
    line = f"portal {portal}: " + " ".join(f"{k}={values.get(k, 0)}" for k in keys)
    reach = reach_phrase(values)
    return f"{line}; {reach}" if reach else line


STORE_ERROR_KEY = "gicrawler/store_error"  # set by StorePipeline when the store is down at start


def store_found_down(crawler) -> bool:
    """The store pipeline pinged the store at start and it was down: the crawl is ending, and
    nothing else should ping it again (one Mongo ping waits out its server-selection timeout)."""
    return crawler.stats.get_value(STORE_ERROR_KEY) is not None


def spider_portals(spider) -> set[str]:
    """Portal names the spider was asked to crawl, even those that yielded no stats at all."""
    names = set()
    for portal in getattr(spider, "portals", None) or ():
        name = portal if isinstance(portal, str) else getattr(portal, "name", None)
        if name is None and isinstance(portal, dict):
            name = portal.get("name")
        if name:
            names.add(name)
    return names


class PortalStats:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.distributed = bool(crawler.settings.get("GICRAWLER_REDIS_URL"))
        self.written: coverage.Written | None = None  # what the coverage reads of each record saved
        self._watched = None                            # … by this store

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        # spider arguments (-a / scrapyd) become attributes; show the plain ones
        args = {k: v for k, v in vars(spider).items()
                if isinstance(v, (str, int, float, bool)) and not k.startswith("_")}
        logger.info("gicrawler loaded from %s; spider %s arguments: %s",
                    gicrawler.__path__[0], spider.name, args)
        store = opened_store(self.crawler)  # (by the store pipeline; not opened here if it did not)
        if store is not None:
            self.written, self._watched = coverage.Written(), store
            store.watch(self.written)

    def spider_closed(self, spider, reason):
        all_stats = self.stats.get_stats()
        portals = sorted(stats_portals(all_stats) | spider_portals(spider))
        if not portals:
            return
        finished = datetime.now(timezone.utc)
        store = None
        if store_found_down(self.crawler):
            logger.error("run stats not stored: the store was unavailable at start")
        else:
            try:
                store = crawl_store(self.crawler)  # closed by its extension, after this handler
            except Exception as exc:  # the summary must still be logged when the store is down
                logger.error("run stats not stored: %s", exc)
        for portal in portals:
            self._close_portal(store, spider, reason, portal, finished)

    def _reach(self, spider, portal) -> tuple[list[dict], list[str]]:
        """The portal's listed/reached numbers into stats; a WARNING per column reached short."""
        reach = getattr(spider, "reach", None)
        if reach is None:
            return [], []
        summary = reach.portal(portal)
        for key in REACH_KEYS:
            if summary[key] is not None:
                self.stats.set_value(f"{PREFIX}{portal}/{key}", summary[key])
        warnings = []
        for col in summary["short"]:
            message = (f"portal {portal}, column {col['column']}: {column_phrase(col)} — "
                       "part of the column was not reached (a list request failed, a page cap, or a pager not understood)")
            warnings.append(message)
        if warnings and not self.distributed:   # a worker sees only its share of the pages
            self.stats.set_value(f"{PREFIX}{portal}/columns_short", len(warnings))
            for message in warnings:
                logger.warning(message)
        elif warnings:
            warnings = []
        return summary["columns"], warnings

    def _close_portal(self, store, spider, reason, portal, finished):
        columns, warnings = self._reach(spider, portal)
        values = portal_stats(self.stats.get_stats(), portal)
        found = reports_found(values)
        previous = None
        if store is not None:
            try:
                previous = store.last_run(portal)
            except Exception as exc:
                logger.error("portal %s: cannot read the previous run: %s", portal, exc)
        before = reports_found((previous or {}).get("stats") or {})
        # A worker of a distributed run sees only its share of the portal: no regression check.
        if found == 0 and before > 0 and reason == "finished" and not self.distributed:
            self.stats.set_value(f"{PREFIX}{portal}/zero_reports", 1)
            values["zero_reports"] = 1
            logger.error("portal %s: found 0 reports, the previous run (%s) found %d — "
                         "the site has probably changed", portal, previous.get("finished_at"), before)
        logger.info(summary_line(portal, values))
        if store is None:
            return
        run = {
            "portal": portal,
            "spider": spider.name,
            "job": getattr(spider, "_job", None),  # scrapyd's job id, when run there
            "started_at": self.stats.get_value("start_time"),
            "finished_at": finished,
            "finish_reason": reason,
            "stats": values,
            "columns": columns,      # per index URL: listed, reached, pages, pages_read
            "warnings": warnings,
        }
        if self.distributed:
            run["worker"] = f"{socket.gethostname()}:{os.getpid()}"
        try:  # agencies × years of the portal's stored reports, kept with the run
            run["coverage"] = coverage.of_store(
                store, portal, written=self.written if store is self._watched else None)
        except Exception as exc:
            logger.error("portal %s: coverage not computed: %s", portal, exc)
        try:
            store.save_run(run)
        except Exception as exc:
            logger.error("portal %s: run stats not stored: %s", portal, exc)
