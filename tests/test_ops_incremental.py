"""Incremental re-crawls.

First the middlewares on their own (real Store, Scrapy requests/responses, no network), then
real `scrapy crawl` runs against the replicas: an unchanged re-crawl downloads no report page,
a modified report is re-fetched and recorded as a new version, ``full=1`` fetches everything.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from gicrawler.incremental import IncrementalMiddleware, NotModified, NotModifiedMiddleware, flag

LONG_AGO = datetime(2020, 1, 1, tzinfo=timezone.utc)


class Reports(scrapy.Spider):
    name = "reports"


@pytest.fixture
def store_uri(tmp_path):
    from gicrawler.store import open_store

    uri = f"sqlite:///{tmp_path / 'inc.sqlite3'}"
    with open_store(uri) as store:
        for n, etag in ((1, '"e1"'), (2, None), (3, '"e3"')):
            store.save({"url": f"http://p.example/r{n}.html", "portal": "p", "list_title": f"报告{n}",
                        "list_date": f"2024-01-0{n}", "etag": etag,
                        "last_modified": "Mon, 01 Jan 2024 09:30:00 GMT" if n == 3 else None},
                       [{"url": f"http://p.example/r{n}.html", "body": f"<p>report {n}</p>".encode(), "role": "page"}],
                       crawled_at=LONG_AGO)
        # stored, but its fetch failed (no content): must be fetched again, never skipped
        store.save({"url": "http://p.example/r4.html", "portal": "p", "list_title": "报告4",
                    "list_date": "2024-01-04", "fetch_error": "HTTP 500"}, [], crawled_at=LONG_AGO)
    return uri


def middlewares(store_uri, **spider_args):
    crawler = get_crawler(Reports, {"STORE_URI": store_uri})
    spider = Reports(portals=["p"], **spider_args)
    spider.crawler = crawler
    crawler.spider = spider
    spider_mw = IncrementalMiddleware.from_crawler(crawler)
    download_mw = NotModifiedMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    spider_mw.spider_opened(spider)
    return crawler, spider, spider_mw, download_mw


def report(n, title=None, date=None, portal="p"):
    return Request(f"http://p.example/r{n}.html", meta={"gicrawler": {
        "portal": portal, "kind": "report", "list_title": title or f"报告{n}", "list_date": date or f"2024-01-0{n}"}})


def run_output(mw, objs):
    return list(mw.process_spider_output(None, iter(objs)))


def close(crawler, spider):
    crawler.signals.send_catch_log(scrapy.signals.spider_closed, spider=spider, reason="finished")


def test_unchanged_entries_are_skipped_and_touched_changed_ones_become_conditional(store_uri):
    from gicrawler.store import open_store

    crawler, spider, mw, _ = middlewares(store_uri)
    listing = Request("http://p.example/list.html", meta={"gicrawler": {"portal": "p", "kind": "list"}})
    out = run_output(mw, [
        listing,
        report(1), report(2),                       # unchanged entries → skipped
        report(3, title="报告3（修订）"),            # changed title → conditional request
        report(2, date="2024-02-02"),               # changed date, no validators stored → plain re-fetch
        report(4),                                  # stored without content → fetched
        report(9),                                  # new → fetched
        {"an": "item"},
    ])
    urls = [o.url if isinstance(o, Request) else o for o in out]
    assert urls == ["http://p.example/list.html", "http://p.example/r3.html", "http://p.example/r2.html",
                    "http://p.example/r4.html", "http://p.example/r9.html", {"an": "item"}]
    r3, r2 = out[1], out[2]
    assert r3.headers[b"If-None-Match"] == b'"e3"'
    assert r3.headers[b"If-Modified-Since"] == b"Mon, 01 Jan 2024 09:30:00 GMT"
    assert r3.meta["gicrawler"]["conditional"] is True and r3.meta["gicrawler"]["list_title"] == "报告3（修订）"
    assert b"If-None-Match" not in r2.headers and not r2.meta["gicrawler"].get("conditional")
    stats = crawler.stats.get_stats()
    assert stats["gicrawler/p/skipped_unchanged"] == 2 and stats["gicrawler/p/revalidated"] == 1
    close(crawler, spider)
    with open_store(store_uri) as store:
        assert store.get("http://p.example/r1.html")["last_crawled"] > LONG_AGO + timedelta(days=365)
        assert store.get("http://p.example/r3.html")["last_crawled"] == LONG_AGO


def test_304_touches_the_record_and_drops_the_request_200_passes(store_uri):
    from gicrawler.store import open_store

    crawler, spider, mw, dmw = middlewares(store_uri)
    [r3] = run_output(mw, [report(3, title="报告3（修订）")])
    not_modified = HtmlResponse(r3.url, status=304, request=r3, headers={"ETag": '"e3-new"'})
    with pytest.raises(NotModified):
        dmw.process_response(r3, not_modified)
    ok = HtmlResponse(r3.url, status=200, request=r3, body=b"<p>new</p>")
    assert dmw.process_response(r3, ok) is ok
    # a 304 to a request we did not make conditional is not ours to interpret
    plain = report(9)
    odd = HtmlResponse(plain.url, status=304, request=plain)
    assert dmw.process_response(plain, odd) is odd
    assert crawler.stats.get_value("gicrawler/p/not_modified") == 1
    close(crawler, spider)
    with open_store(store_uri) as store:
        record = store.get(r3.url)
        # the new list entry is remembered, so the next run skips it
        assert record["list_title"] == "报告3（修订）" and record["etag"] == '"e3-new"'
        assert record["last_crawled"] > LONG_AGO + timedelta(days=365)
        assert len(record["versions"]) == 1


def test_full_disables_everything_revalidate_conditions_all_known(store_uri):
    crawler, spider, mw, _ = middlewares(store_uri, full="1")
    out = run_output(mw, [report(1), report(3)])
    assert [o.url for o in out] == ["http://p.example/r1.html", "http://p.example/r3.html"]
    assert all(b"If-None-Match" not in o.headers for o in out)
    close(crawler, spider)

    crawler, spider, mw, _ = middlewares(store_uri, revalidate="true")
    out = run_output(mw, [report(1), report(2), report(3)])
    assert [o.url for o in out] == ["http://p.example/r1.html", "http://p.example/r2.html", "http://p.example/r3.html"]
    assert out[0].headers[b"If-None-Match"] == b'"e1"' and out[2].headers[b"If-None-Match"] == b'"e3"'
    assert b"If-None-Match" not in out[1].headers  # no validator stored: a plain re-fetch
    assert not crawler.stats.get_value("gicrawler/p/skipped_unchanged")
    close(crawler, spider)


def test_an_unreadable_store_means_a_full_crawl_not_a_crash(tmp_path, caplog):
    (tmp_path / "file").write_text("not a directory")
    crawler, spider, mw, _ = middlewares(f"sqlite:///{tmp_path / 'file' / 'x.sqlite3'}")
    out = run_output(mw, [report(1), report(2)])
    assert [o.url for o in out] == ["http://p.example/r1.html", "http://p.example/r2.html"]
    assert any("crawling it in full" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


# --- real crawls against the replicas ------------------------------------------------------
# The two plain-HTTP portals (Hanweb JCMS with attachments and a flaky page, JPaaS JSON API)
# keep it quick and independent of the browser; the others pass the same middleware.
NAMES = ("jiaxing", "jiaxing_jpaas")
PORTALS = "portal=" + ",".join(NAMES)


def crawl(seeds, store_uri, *spider_args) -> dict:
    from tests.crawl_helpers import crawl_stats, run_crawl

    proc = run_crawl(seeds, store_uri, args=[PORTALS, *spider_args])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "'finish_reason': 'finished'" in proc.stderr, proc.stderr[-3000:]
    return crawl_stats(proc)


def report_paths(replicas) -> set[str]:
    """Paths of the expected report pages of PORTALS, as the replica servers log them."""
    out = set()
    for portal in NAMES:
        base = replicas.bases[portal]
        out |= {url[len(base):] for url in replicas.expected[portal] if url.startswith(base + "/")}
    return out


def report_requests(replicas, paths) -> list[tuple[str, dict]]:
    return [(path, headers) for _, _, path, headers in replicas.requests if path in paths]


def conditional(headers: dict) -> bool:
    return "If-None-Match" in headers or "If-Modified-Since" in headers


@pytest.mark.slow
def test_recrawl_skips_known_reports_refetches_modified_and_full(replicas, replica_seeds, tmp_path):
    from gicrawler.store import open_store

    store_uri = f"sqlite:///{tmp_path / 'recrawl.sqlite3'}"
    paths = report_paths(replicas)
    assert len(paths) >= 10

    replicas.reset_log()
    crawl(replica_seeds, store_uri)
    first = len(replicas.requests)
    assert {p for p, _ in report_requests(replicas, paths)} == paths

    # 1. nothing changed: list pages are read again, no report page is requested
    replicas.reset_log()
    stats = crawl(replica_seeds, store_uri)
    assert report_requests(replicas, paths) == []
    assert 0 < len(replicas.requests) < first
    skipped = sum(v for k, v in stats.items() if k.endswith("/skipped_unchanged"))
    assert skipped >= len(paths)

    # 2. a report changed on the server, its list entry did not: list-skipping cannot see that,
    #    the (weekly) revalidating run asks every known report conditionally and only the
    #    changed one comes back with a body
    urls = sorted(url for portal in NAMES for url in replicas.expected[portal])
    changed, untouched = urls[0], urls[-1]
    with open_store(store_uri) as store:
        before = {url: len(store.get(url)["versions"]) for url in (changed, untouched)}
    replicas.modify(changed)
    replicas.reset_log()
    stats = crawl(replica_seeds, store_uri, "revalidate=1")
    asked = report_requests(replicas, paths)
    assert {p for p, _ in asked} == paths, sorted(paths - {p for p, _ in asked})
    # every request Scrapy sent itself was conditional (a page behind an anti-bot challenge is
    # then opened in the browser, whose navigation cannot carry the validators)
    direct = [(p, h) for p, h in asked if "Sec-Fetch-Mode" not in h]
    assert {p for p, _ in direct} == paths
    assert all(conditional(h) for _, h in direct), [(p, h) for p, h in direct if not conditional(h)]
    total = lambda key: sum(v for k, v in stats.items() if k.endswith("/" + key))  # noqa: E731
    assert total("stored_changed") == 1
    # the rest: 304, or (a challenged request that failed) kept unchanged
    assert total("not_modified") + total("stored_unchanged") >= len(paths) - 1
    assert total("not_modified") >= len(paths) // 2
    with open_store(store_uri) as store:
        record = store.get(changed)
        assert len(record["versions"]) == before[changed] + 1
        assert record["last_changed"] > record["first_seen"]
        assert len(store.get(untouched)["versions"]) == before[untouched]

    # 3. full=1: every report page is downloaded again, without conditional headers
    replicas.reset_log()
    crawl(replica_seeds, store_uri, "full=1")
    fetched = report_requests(replicas, paths)
    assert {p for p, _ in fetched} == paths and not any(conditional(h) for _, h in fetched)


def test_report_stored_under_its_redirect_target_is_still_known(store_uri):
    """The list links http://…, the server redirected to https://… and the record is keyed by the
    final URL: the next run must find it (skip, or revalidate and touch the stored record)."""
    from gicrawler.store import open_store

    crawler, spider, mw, dmw = middlewares(store_uri)
    old_link = report(1).replace(url="https://p.example/r1.html")
    changed = report(3, title="报告3（修订）").replace(url="https://p.example/r3.html")
    [r3] = run_output(mw, [old_link, changed])
    assert crawler.stats.get_value("gicrawler/p/skipped_unchanged") == 1
    assert r3.headers[b"If-None-Match"] == b'"e3"'
    with pytest.raises(NotModified):
        dmw.process_response(r3, HtmlResponse(r3.url, status=304, request=r3))
    close(crawler, spider)
    with open_store(store_uri) as store:
        assert store.get("http://p.example/r1.html")["last_crawled"] > LONG_AGO + timedelta(days=365)
        assert store.get("http://p.example/r3.html")["list_title"] == "报告3（修订）"
        assert store.get("https://p.example/r1.html") is None


@pytest.mark.parametrize("value,truth", [(None, False), (True, True), (False, False), ("1", True), (" Yes ", True),
                                         ("on", True), ("true", True), ("", False), ("0", False), ("no", False),
                                         ("OFF", False), ("false", False)])
def test_flag_values(value, truth):
    assert flag(value, "full") is truth


@pytest.mark.parametrize("value", ["ture", "2", "y", "enable"])
def test_a_flag_that_is_neither_yes_nor_no_is_refused(value):
    with pytest.raises(ValueError, match=f"full={value!r} is not a yes or no"):
        flag(value, "full")
