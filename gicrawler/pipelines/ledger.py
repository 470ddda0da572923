"""The crawl's account of its report pages between download and store.

The parse pipeline (the first of the item pipelines) enters every page it is handed; the store
pipeline settles a page once its record is saved or journaled (on disk, replayed later). What is
still open when the store pipeline closes was lost on the way — by a pipeline that dropped it
without a word, a cancelled task, a bug — and is reported there: an ERROR naming the URLs,
``gicrawler/lost`` and ``gicrawler/<portal>/lost``, and exit status 1 (scrapy_commands/crawl.py).

Only pages in flight are kept (a count per URL), so the ledger stays as small as the pipelines'
concurrency, whatever the crawl's size.
"""
from __future__ import annotations

from collections import Counter

ATTRIBUTE = "gicrawler_ledger"
SHOWN = 20   # URLs named in the closing ERROR (all are counted)


class Ledger:
    def __init__(self):
        self._open: Counter[str] = Counter()
        self._portal: dict[str, str] = {}

    def enter(self, url: str | None, portal: str | None) -> None:
        url = url or ""
        self._open[url] += 1
        self._portal[url] = portal or "unknown"

    def settle(self, url: str | None) -> None:
        url = url or ""
        if self._open[url] > 1:
            self._open[url] -= 1
        else:
            self._open.pop(url, None)
            self._portal.pop(url, None)

    def unsettled(self) -> list[tuple[str, str]]:
        """(url, portal) of every page entered and not settled, once per time it was entered."""
        return [(url, self._portal[url]) for url, count in sorted(self._open.items()) for _ in range(count)]


def crawl_ledger(crawler) -> Ledger:
    ledger = getattr(crawler, ATTRIBUTE, None)
    if ledger is None:
        ledger = Ledger()
        setattr(crawler, ATTRIBUTE, ledger)
    return ledger


def report_losses(crawler, logger) -> int:
    """At the store pipeline's close: log, count and return the pages never settled."""
    lost = crawl_ledger(crawler).unsettled()
    if not lost:
        return 0
    stats = crawler.stats
    stats.set_value("gicrawler/lost", len(lost))
    for _, portal in lost:
        stats.inc_value(f"gicrawler/{portal}/lost")
    shown = ", ".join(url for url, _ in lost[:SHOWN]) + (f" … and {len(lost) - SHOWN} more" if len(lost) > SHOWN else "")
    logger.error("%d downloaded report(s) not stored (lost between download and store): %s", len(lost), shown)
    return len(lost)
