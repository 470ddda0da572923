"""StoreExtension: a crawl's store pipeline, incremental middleware and stats extension share
the one store it opens, which is closed once, after the run has been saved."""
from __future__ import annotations

import pytest
import pytest_twisted
import scrapy
from scrapy import signals
from scrapy.utils.test import get_crawler

from gicrawler.incremental import IncrementalMiddleware
from gicrawler.pipelines.store import StorePipeline
from gicrawler.store import StoreUnavailable, extension, open_store
from gicrawler.store.extension import StoreExtension, crawl_store


@pytest_twisted.ensureDeferred
async def test_one_store_per_crawl_closed_after_the_run_is_saved(tmp_path, monkeypatch):
    opened = []

    def counting_open(uri):
        opened.append(open_store(uri))
        return opened[-1]

    monkeypatch.setattr(extension, "open_store", counting_open)
    uri = f"sqlite:///{tmp_path}/db.sqlite3"
    crawler = get_crawler(settings_dict={
        "STORE_URI": uri, "GICRAWLER_SPOOL_DIR": str(tmp_path / "spool"),
        "EXTENSIONS": {"gicrawler.extensions.PortalStats": 500,
                       "gicrawler.store.extension.StoreExtension": 900}})
    crawler.stats.open_spider()
    spider = scrapy.Spider(name="t")
    spider.portals = ["p"]
    crawler.spider = spider
    pipeline = StorePipeline.from_crawler(crawler)
    await pipeline.open_spider()
    middleware = IncrementalMiddleware.from_crawler(crawler)
    assert middleware._known("p") == {}
    crawler.stats.inc_value("gicrawler/p/reports")
    assert crawl_store(crawler) is pipeline.store
    assert len(opened) == 1
    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
    assert len(opened) == 1                       # the stats extension used the same store …
    assert opened[0]._db is None                  # … which is closed now, once
    with open_store(uri) as store:
        assert store.last_run("p")["stats"]["reports"] == 1   # saved before the close


def test_a_store_down_at_first_use_is_tried_again(tmp_path):
    crawler = get_crawler(settings_dict={"STORE_URI": f"sqlite:///{tmp_path}/missing-dir-is-a-file/x.sqlite3"})
    (tmp_path / "missing-dir-is-a-file").write_text("")
    owner = StoreExtension.from_crawler(crawler)
    assert StoreExtension.from_crawler(crawler) is owner    # one per crawler
    for _ in range(2):                                      # not remembered as failed
        with pytest.raises(StoreUnavailable):
            owner.get()
    assert owner.store is None
