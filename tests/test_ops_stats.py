"""PortalStats: per-portal summary at close, run stored, zero-report regressions flagged.

Runs real (in-process) crawls of a spider that only sets stats, so the extension is wired by
Scrapy exactly as in production (EXTENSIONS setting, signals, the real sqlite Store).
"""
from __future__ import annotations

import logging

import pytest
import pytest_twisted
import scrapy
from scrapy.utils.test import get_crawler

from gicrawler.extensions import summary_line


class StatsOnly(scrapy.Spider):
    """Sets the stats a crawl would have counted, makes no request."""

    name = "reports"

    async def start(self):
        for key, value in self.counts.items():
            self.crawler.stats.set_value(key, value)
        return
        yield


def crawler_for(store_uri: str, **settings):
    return get_crawler(StatsOnly, {
        "STORE_URI": store_uri,
        "EXTENSIONS": {"gicrawler.extensions.PortalStats": 500},
        "LOG_LEVEL": "INFO",
        **settings,
    })


@pytest.fixture
def store_uri(tmp_path):
    return f"sqlite:///{tmp_path / 'stats.sqlite3'}"


def summary_lines(caplog, portal):
    return [r for r in caplog.records
            if r.name == "gicrawler.extensions" and r.getMessage().startswith(f"portal {portal}: list_pages=")]


@pytest_twisted.inlineCallbacks
def test_summary_per_portal_and_run_saved(store_uri, caplog):
    from gicrawler.store import open_store

    caplog.set_level(logging.INFO)
    crawler = crawler_for(store_uri)
    yield crawler.crawl(portals=["zibo", "jiaxing"], counts={
        "gicrawler/zibo/list_pages": 3, "gicrawler/zibo/reports": 5, "gicrawler/zibo/failed_checks": 2,
        "gicrawler/jiaxing/list_pages": 1, "gicrawler/jiaxing/reports": 1,
        "gicrawler/jiaxing/stored_new": 1,
    })
    zibo = summary_lines(caplog, "zibo")
    assert len(zibo) == 1 and len(summary_lines(caplog, "jiaxing")) == 1
    assert "list_pages=3 reports=5 " in zibo[0].getMessage()
    assert "failed_checks=2" in zibo[0].getMessage() and "challenges=0" in zibo[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    store = open_store(store_uri)
    try:
        run = store.last_run("zibo")
        assert run["spider"] == "reports" and run["finish_reason"] == "finished"
        assert run["stats"]["reports"] == 5 and run["stats"]["list_pages"] == 3
        assert store.last_run("jiaxing")["stats"]["stored_new"] == 1
        assert store.last_run("huangshi") is None
    finally:
        store.close()


@pytest_twisted.inlineCallbacks
def test_zero_reports_after_a_run_with_reports_is_an_error(store_uri, caplog):
    caplog.set_level(logging.INFO)
    yield crawler_for(store_uri).crawl(portals=["zibo", "jiaxing"], counts={
        "gicrawler/zibo/reports": 4, "gicrawler/jiaxing/reports": 2})
    caplog.clear()

    # zibo: list pages read, no report links found (markup changed); jiaxing: nothing at all
    # was counted (the portal appears only in the spider's portal list); huangshi: new portal.
    crawler = crawler_for(store_uri)
    yield crawler.crawl(portals=["zibo", "jiaxing", "huangshi"], counts={
        "gicrawler/zibo/list_pages": 2, "gicrawler/zibo/reports": 0})
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2, errors
    assert any(m.startswith("portal zibo: found 0 reports") and "found 4" in m for m in errors)
    assert any(m.startswith("portal jiaxing: found 0 reports") for m in errors)
    stats = crawler.stats.get_stats()
    assert stats["gicrawler/zibo/zero_reports"] == 1 and stats["gicrawler/jiaxing/zero_reports"] == 1
    assert "gicrawler/huangshi/zero_reports" not in stats  # no previous run to compare with
    assert len(summary_lines(caplog, "huangshi")) == 1


@pytest_twisted.inlineCallbacks
def test_unchanged_recrawl_counts_skipped_reports_as_found(store_uri, caplog):
    caplog.set_level(logging.INFO)
    yield crawler_for(store_uri).crawl(portals=["zibo"], counts={"gicrawler/zibo/reports": 4})
    caplog.clear()
    yield crawler_for(store_uri).crawl(portals=["zibo"], counts={
        "gicrawler/zibo/list_pages": 2, "gicrawler/zibo/skipped_unchanged": 4})
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest_twisted.inlineCallbacks
def test_a_distributed_worker_saves_its_share_without_the_regression_check(store_uri, caplog):
    from gicrawler.store import open_store

    caplog.set_level(logging.INFO)
    yield crawler_for(store_uri).crawl(portals=["zibo"], counts={"gicrawler/zibo/reports": 4})
    caplog.clear()
    # the other worker happened to get all of zibo's report pages
    yield crawler_for(store_uri, GICRAWLER_REDIS_URL="redis://127.0.0.1:1/0").crawl(
        portals=["zibo"], counts={"gicrawler/zibo/list_pages": 1})
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    with open_store(store_uri) as store:
        assert store.last_run("zibo")["worker"]


@pytest_twisted.inlineCallbacks
def test_summary_is_logged_even_when_the_store_is_down(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    bad_uri = f"sqlite:///{tmp_path / 'no-such-dir' / 'x' / 'stats.sqlite3'}"
    (tmp_path / "no-such-dir").write_text("a file where a directory should be")
    yield crawler_for(bad_uri).crawl(portals=["zibo"], counts={"gicrawler/zibo/reports": 1})
    assert len(summary_lines(caplog, "zibo")) == 1
    assert any("run stats not stored" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


def test_summary_line_lists_known_keys_first_then_extras():
    line = summary_line("zibo", {"reports": 2, "zeta": 1, "alpha": 3})
    assert line.startswith("portal zibo: list_pages=0 reports=2 attachments=0 challenges=0 ")
    assert line.endswith("not_modified=0 alpha=3 zeta=1")
