"""No listed report is lost between download and store (issue 9.1), in real crawl subprocesses
against a loopback portal (tests/attack/reports_portal.py):

- pages whose parse never ends, one parse worker, GICRAWLER_PARSE_TIMEOUT of 2 s: each is
  stored raw with a ``parse_error`` naming the limit, the pages queued beside them are parsed
  normally, nothing is re-parsed without a time limit (the crawl ends), exit status 0 — before,
  2 of 6 were lost silently (exit 0) and the others were re-parsed inline for ~85 s each;
- a page lost anyway (a pipeline that drops it without a word, as the pool used to): the crawl
  names its URL in an ERROR at close, counts it (``gicrawler/lost``) and exits 1.
"""
from __future__ import annotations

import json

import pytest

from tests.attack.reports_portal import ReportsPortal
from tests.crawl_helpers import crawl_stats, run_crawl, stored_records

pytestmark = pytest.mark.slow

STORE = "gicrawler.pipelines.store.StorePipeline"


def crawl(tmp_path, portal, pipelines: dict, settings=None, env=None, timeout=150):
    seeds = tmp_path / "seeds.yaml"
    portal.write_seeds(seeds)
    uri = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    proc = run_crawl(seeds, uri, settings={"ITEM_PIPELINES": json.dumps(pipelines), **(settings or {})},
                     env=env, timeout=timeout)
    return proc, {r["url"]: r for r in stored_records(uri)}


def test_pages_past_the_parse_time_limit_are_stored_raw_and_none_is_lost(tmp_path):
    slow = {1, 2, 4}
    portal = ReportsPortal(6, slow=slow).start()
    try:
        proc, records = crawl(tmp_path, portal, {"tests.slow_parse.SlowParsePipeline": 300, STORE: 800},
                              settings={"GICRAWLER_PARSE_TIMEOUT": "2", "GICRAWLER_PARSE_WORKERS": "1"})
    finally:
        portal.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = crawl_stats(proc)
    assert sorted(records) == sorted(portal.report_urls)
    assert stats["item_scraped_count"] == 6 and "gicrawler/lost" not in stats
    for number in range(1, 7):
        record = records[portal.report_url(number)]
        if number in slow:
            assert "GICRAWLER_PARSE_TIMEOUT" in record["parse_error"], record["parse_error"]
            assert record["raw_hash"]  # stored raw: `gicrawler reparse` can try again
            assert any("ERROR" in line and portal.report_url(number) in line for line in proc.stderr.splitlines())
        else:  # queued beside a slow page, killed with its worker: parsed again, in full
            assert record["parse_error"] is None and record["title"], record
    assert stats["gicrawler/parse_timeouts"] == len(slow)
    assert stats["gicrawler/faults/parse_failures"] == len(slow)


def test_a_page_lost_between_download_and_store_is_named_and_fails_the_crawl(tmp_path):
    portal = ReportsPortal(6).start()
    try:
        proc, records = crawl(tmp_path, portal, {"gicrawler.pipelines.parse.ParsePipeline": 300,
                                                 "tests.slow_parse.LosingPipeline": 500, STORE: 800},
                              env={"LOSE_REPORTS": "2,5"})
    finally:
        portal.stop()
    lost = [portal.report_url(2), portal.report_url(5)]
    assert sorted(records) == sorted(set(portal.report_urls) - set(lost))
    assert proc.returncode == 1, proc.stderr[-3000:]
    stats = crawl_stats(proc)
    assert stats["gicrawler/lost"] == 2 and stats["gicrawler/faults/lost"] == 2
    errors = [line for line in proc.stderr.splitlines() if "ERROR" in line and "not stored" in line]
    assert errors and all(url in errors[0] for url in lost), proc.stderr[-3000:]
    assert "2 downloaded reports not stored" in proc.stderr.splitlines()[-1]
