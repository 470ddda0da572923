"""`scrapy crawl` that exits non-zero when the crawl could not store anything.

Scrapy exits 1 only when a crawl fails to start; a spider closed because its store (or spool)
was unavailable would otherwise look like a success to cron, `gicrawler schedule` and CI.
"""
from __future__ import annotations

from scrapy.commands import crawl

# finish reasons set by gicrawler.pipelines.store.StorePipeline when it refuses to crawl
STORE_FAILURES = frozenset({"store_unavailable", "spool_unavailable"})


class Command(crawl.Command):
    _crawler = None

    def _create_crawler(self, spidercls):
        self._crawler = super()._create_crawler(spidercls)
        return self._crawler

    def run(self, args, opts) -> None:
        super().run(args, opts)
        if self._crawler is not None and self._crawler.stats.get_value("finish_reason") in STORE_FAILURES:
            self.exitcode = 2
