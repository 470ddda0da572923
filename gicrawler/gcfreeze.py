"""Garbage collection in the crawl process: the objects of start-up are not scanned again.

Python's cyclic collector traverses every tracked object on each full (generation 2) collection.
By the time a crawl's engine starts, the process holds a few hundred thousand long-lived objects
— Scrapy, Twisted, lxml wrappers, the seed list, the spider — and each full collection walked
them all again: measured on the 2,000-report benchmark (benchmarks/crawl.py), the collector took
~0.9 s of the crawl process's ~6 s of CPU. ``gc.freeze()`` at ``engine_started`` moves them to
the permanent generation, which collections skip; the young generation's threshold is raised
too, so the many short-lived containers of each response are collected in far fewer passes.
Nothing is leaked by either: garbage made after start-up is collected as before; frozen objects
are those start-up keeps anyway (imports, settings, the spider).

``GICRAWLER_GC_FREEZE`` (default on; 0 = Python's defaults). Enabled in settings.py (EXTENSIONS).
"""
from __future__ import annotations

import gc

from scrapy import signals
from scrapy.exceptions import NotConfigured

# Generation 0 is collected after this many allocations (Python's default: 700); 1 and 2 as Python's.
# A young collection walks what is alive and young at that moment — the crawl's records and
# requests in flight, whatever the threshold — so its cost is per collection, not per object
# allocated: measured on the 2,000-report benchmark (benchmarks/crawl.py, HTML mix), at 10,000
# the ~12 collections after start-up took ~0.28 s of the crawl process's CPU, at 100,000 one
# took ~0.03 s. What it holds back meanwhile is only cyclic garbage (refcounting frees the rest).
YOUNG_THRESHOLD = 100_000


class FreezeStartupObjects:
    def __init__(self):
        self._thresholds = gc.get_threshold()

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("GICRAWLER_GC_FREEZE", True):
            raise NotConfigured
        ext = cls()
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self):
        gc.freeze()
        _, middle, old = self._thresholds
        gc.set_threshold(max(YOUNG_THRESHOLD, self._thresholds[0]), middle, old)

    def engine_stopped(self):
        # another crawl in the same process (tests, CrawlerProcess with several) starts afresh
        gc.set_threshold(*self._thresholds)
        gc.unfreeze()
