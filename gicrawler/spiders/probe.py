"""The spider behind ``gicrawler seeds check`` and ``seeds detect``: it fetches a seed entry's index
URLs (or one URL) through the crawl's own downloader — the project's User-Agent, robots.txt,
AutoThrottle, timeouts, retries with backoff, the anti-bot browser — and records what the pages
show (gicrawler.families.detect) instead of crawling on. Nothing is stored.

Results are on the spider once the crawl has run: ``spider.results[portal name]`` is a list of
``PageCheck`` (pages read, gicrawler.families.detect) and ``Failed`` (pages that could not be had).
"""
from __future__ import annotations

from dataclasses import dataclass

import scrapy

from gicrawler.families import get_adapter
from gicrawler.spiders.base import PortalSpider, _reason, _text

# A shell page (JPaaS column, gkmlpt index, a year root, a site search) holds no entries itself, and
# a first page may hold only the column's other items: until a report shows, `check` goes on to the
# pages the adapter plans (depth first, the first FOLLOW of each page), at most EXTRA per index URL.
EXTRA = 8


@dataclass
class Failed:
    url: str
    error: str
    hop: int = 0
    root: str = ""          # the index URL it was reached from


class ProbeSpider(PortalSpider):
    name = "seeds_probe"
    # Fetch and look, nothing else: no store, no pipelines, no incremental skipping. (Switched off
    # one by one in update_settings: a dict in custom_settings would replace the project's whole
    # component dict, anti-bot and retry middlewares included.)
    OFF = {
        "ITEM_PIPELINES": ("gicrawler.pipelines.parse.ParsePipeline", "gicrawler.pipelines.store.StorePipeline"),
        "EXTENSIONS": ("gicrawler.extensions.PortalStats", "gicrawler.store.extension.StoreExtension"),
        "SPIDER_MIDDLEWARES": ("gicrawler.incremental.IncrementalMiddleware",),
        "DOWNLOADER_MIDDLEWARES": ("gicrawler.incremental.NotModifiedMiddleware",),
    }

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        for key, names in cls.OFF.items():
            components = settings.getdict(key)
            components.update(dict.fromkeys(names))
            settings.set(key, components, priority="spider")

    def __init__(self, *args, portals=None, detect_only: bool = False, **kwargs):
        """portals: Portal objects to probe instead of a seed list (``seeds detect``: one made-up
        entry for the URL); otherwise ``seeds``/``portal`` as for a crawl."""
        super().__init__(*args, portals=portals, **kwargs)
        self.detect_only = detect_only
        self.results: dict[str, list] = {p.name: [] for p in self.portals}
        self._frontier: dict[tuple[str, str], list] = {}   # (portal, index URL) -> [(hop, PageRequest)] still to try
        self._left: dict[tuple[str, str], int] = {}        # … -> further pages it may still fetch

    async def start(self):
        for portal in self.portals:
            if self.detect_only:
                for url in portal.index_urls:
                    meta = self._meta(portal, "list", hop=0, root=url)
                    yield scrapy.Request(url, meta=meta, callback=self.parse_detect, errback=self.list_failed,
                                         dont_filter=True)
                continue
            for page in get_adapter(portal.family).first_requests(portal):
                request = self.list_request(portal, page, column=page.url, index=True)
                request.meta["gicrawler"].update(hop=0, root=page.url)
                yield request

    def _record(self, response, result):
        info = response.meta["gicrawler"]
        result.challenged = bool(response.meta.get("gicrawler_antibot"))
        result.hop, result.root = info.get("hop", 0), info.get("root", response.url)
        self.results[info["portal"]].append(result)

    # families.detect is imported where it is used: every crawl loads this module with the other
    # spiders (SPIDER_MODULES), and compiling its ~60 marker patterns costs ~7 ms of each start-up
    def parse_detect(self, response):
        from gicrawler.families.detect import detect, read_as

        text = _text(response)
        result = detect(text, response.url, response.headers, response.status)
        result.reading = read_as(result, text, response.status, response.headers)
        self._record(response, result)

    def parse_list(self, response):
        from gicrawler.families.detect import check_page

        info = response.meta["gicrawler"]
        portal = self.by_name[info["portal"]]
        hop = info.get("hop", 0)
        result = check_page(portal, _text(response), response.url, response.status, response.headers,
                            info.get("state") or {}, index=hop == 0)
        self._record(response, result)
        key = (portal.name, result.root)
        if result.reports:
            self._frontier[key] = []          # this index URL yields reports: enough seen
        else:
            self._frontier[key] = [(hop + 1, page) for page in result.next_requests] + self._frontier.get(key, [])
        yield from self._go_on(portal, result.root)

    def list_failed(self, failure):
        info = failure.request.meta["gicrawler"]
        root = info.get("root", failure.request.url)
        self.results[info["portal"]].append(Failed(failure.request.url, _reason(failure), info.get("hop", 0), root))
        portal = self.by_name.get(info["portal"])
        if portal is not None and not self.detect_only:
            yield from self._go_on(portal, root)    # a failed further page: its siblings may still answer

    def _go_on(self, portal, root: str):
        """The next planned page of this index URL, while the budget lasts (one at a time: polite)."""
        key = (portal.name, root)
        frontier, left = self._frontier.get(key) or [], self._left.get(key, EXTRA)
        if frontier and left > 0:
            hop, page = frontier.pop(0)
            self._left[key] = left - 1
            request = self.list_request(portal, page, column=root)
            request.meta["gicrawler"].update(hop=hop, root=root)
            yield request
