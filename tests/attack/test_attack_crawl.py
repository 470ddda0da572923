"""The attack suite, crawl side: one real crawl (``scrapy crawl`` in a subprocess) of the hostile
portal (tests/attack/hostile.py) must end with

- no request reaching another host (pages, attachments, redirects, robots.txt),
- a bounded number of requests (the million-page pagers capped by GICRAWLER_MAX_LIST_PAGES),
- bounded memory (peak RSS of the crawl's largest process, via resource.getrusage),
- every listed report stored, or recorded with what went wrong (``fetch_error``, an attachment's
  ``error`` or ``skipped``), nothing dropped; no secret read through an XML entity,
- exit status 0: every index page was read; the failures are the reports', and recorded;
- and, run in a fresh HOME under a network guard (tests/attack/netguard/sitecustomize.py): no
  name lookup or connection beyond loopback from any process of the crawl (tldextract uses its
  bundled Public Suffix List), no traceback, no RemoteControl job file.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.attack import hostile
from tests.crawl_helpers import crawl_stats, run_crawl, stored_records

pytestmark = pytest.mark.slow

MAX_LIST_PAGES = 10
MAX_ATTACHMENTS = 20
# Stated bound for the crawl's largest process: Scrapy, lxml and the parse pipeline need about
# 150 MB; bodies are cut at DOWNLOAD_MAXSIZE (16 MB here). Without the page cap the crawl
# passed 1 GB (issue 9.4).
PEAK_RSS_BOUND = 320 * 1024 * 1024
NETGUARD = Path(__file__).parent / "netguard"
SETTINGS = {
    "GICRAWLER_MAX_LIST_PAGES": str(MAX_LIST_PAGES),
    "GICRAWLER_MAX_ATTACHMENTS": str(MAX_ATTACHMENTS),
    "DOWNLOAD_MAXSIZE": str(16 * 1024 * 1024),
    "DOWNLOAD_WARNSIZE": "0",
    "DOWNLOAD_TIMEOUT": "3",
    "RETRY_TIMES": "1",
}
SECRET = "SECRET-READ-THROUGH-XXE-4711"


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    secret = tmp_path_factory.mktemp("attack-secret") / "secret.txt"
    secret.write_text(SECRET)
    server = hostile.HostilePortal(str(secret)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def crawl(portal, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attack-crawl")
    seeds = tmp / "seeds.yaml"
    seeds.write_text(yaml.safe_dump({"portals": portal.seed_entries()}, allow_unicode=True), encoding="utf-8")
    uri = f"sqlite:///{tmp / 'store.sqlite3'}"
    home = tmp / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "XDG_STATE_HOME": str(home / ".state"),
           "TLDEXTRACT_CACHE": None, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": None,  # as on a first run
           "PYTHONPATH": str(NETGUARD), "GICRAWLER_NETGUARD_LOG": str(tmp / "netguard.log")}
    proc = run_crawl(seeds, uri, settings=SETTINGS, measure=True, timeout=280, env=env)
    proc.home, proc.netguard_log = home, tmp / "netguard.log"
    records = {r["url"]: r for r in stored_records(uri)}
    return proc, crawl_stats(proc), records


def test_exits_zero_when_every_index_page_was_read(crawl):
    proc, _, _ = crawl
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_nothing_reaches_another_host(portal, crawl):
    proc, _, _ = crawl
    assert portal.offsite.requests() == []
    # … nor leaves loopback at all: the cookie jar's tldextract stays offline (issue 9.12)
    assert "JSESSIONID=4711" in portal.cookies_sent  # the cookie jar (and its tldextract) was used
    assert not proc.netguard_log.exists(), proc.netguard_log.read_text()
    assert "Traceback" not in proc.stderr


def test_no_remote_control_port_nor_job_files(crawl):
    proc, _, _ = crawl
    enabled = proc.stderr[proc.stderr.index("Enabled extensions"):proc.stderr.index("Overridden settings")]
    assert "RemoteControl" not in enabled and "TelnetConsole" not in enabled
    assert not any(p.name == "job_files" for p in proc.home.rglob("*"))


def test_million_page_pagers_are_capped_per_column(portal, crawl):
    proc, stats, _ = crawl
    # a list page that timed out on the loaded machine is asked again (RETRY_TIMES=1): those retries
    # are the only requests allowed beyond the cap
    retries = stats.get("retry/count", 0)
    for prefix in ("/trs/index_", "/module/web/jpage/dataproxy.jsp", "/api-gateway/"):
        assert MAX_LIST_PAGES - 1 <= len(portal.requests(prefix)) <= MAX_LIST_PAGES - 1 + retries, prefix
    for name, column in (("hostile_trs", "/trs/index.shtml"), ("hostile_hanweb", "/col/col100/index.html"),
                         ("hostile_jpaas", "/col/col200/index.html")):
        assert stats[f"gicrawler/{name}/list_pages_capped"] == 1
        assert any("WARNING" in line and name in line and column in line and "GICRAWLER_MAX_LIST_PAGES" in line
                   for line in proc.stderr.splitlines()), name
    # the 10,000-link page is one page: no cap hit there
    assert "/big/index.shtml" not in " ".join(l for l in proc.stderr.splitlines() if "GICRAWLER_MAX_LIST_PAGES" in l)


def test_requests_are_bounded(portal, crawl):
    lists = 4 + 3 * (MAX_LIST_PAGES - 1)
    reports = len(portal.TRS_REPORTS) + hostile.BIG_REPORTS + 2 * MAX_LIST_PAGES
    # a retry each (RETRY_TIMES=1), 21 hops of the redirect loop, the capped attachments
    bound = lists + 2 * reports + 21 + MAX_ATTACHMENTS + 10
    assert len(portal.requests()) <= bound


def test_memory_is_bounded(crawl):
    proc, _, _ = crawl
    assert proc.peak_rss < PEAK_RSS_BOUND, f"peak RSS {proc.peak_rss / 2**20:.0f} MB"


def test_every_listed_report_is_stored_or_recorded_with_its_failure(portal, crawl):
    _, stats, records = crawl
    trs = {n: records.get(f"{portal.base}/trs/202401/t20240101_{n}.shtml") for n in portal.TRS_REPORTS}
    assert [n for n, r in trs.items() if r is None] == []
    kinds = {kind: trs[n] for n, kind in portal.TRS_REPORTS.items()}
    assert kinds["plain"]["fetch_error"] is None
    for kind in ("page_offsite_redirect", "endless", "slow", "huge_length", "gzip_bomb", "redirect_loop"):
        assert kinds[kind]["fetch_error"], kind
    assert "offsite" in kinds["page_offsite_redirect"]["fetch_error"]
    for kind in ("attachment_offsite", "attachment_redirect"):
        (att,) = kinds[kind]["attachments"]
        assert "offsite" in att["skipped"] and not att.get("sha1"), kind
    (bomb,) = kinds["attachment_gzip_bomb"]["attachments"]
    assert bomb.get("error") and not bomb.get("sha1")
    many = kinds["many_attachments"]["attachments"]
    assert len(many) == hostile.MANY_ATTACHMENTS
    assert sum(1 for a in many if a.get("sha1")) == MAX_ATTACHMENTS
    assert all("GICRAWLER_MAX_ATTACHMENTS" in a["skipped"] for a in many if not a.get("sha1"))
    assert kinds["xml_entities"] is not None
    # the 10,000-link list: its distinct on-site reports, once each; off-site ones never requested
    big = [u for u in records if "/big/202401/t20240102_" in u]
    assert len(big) == hostile.BIG_REPORTS
    assert stats["gicrawler/hostile_trs/offsite_links"] == hostile.BIG_OFFSITE
    # what was refused is part of the record format (docs/record.md), not a schema failure
    assert [(u, e) for u, r in records.items() for e in r.get("errors") or () if "schema" in str(e).lower()] == []
    # the capped pagers' reports: one per list page fetched
    assert sum(1 for r in records.values() if r["portal"] == "hostile_hanweb") == MAX_LIST_PAGES
    assert sum(1 for r in records.values() if r["portal"] == "hostile_jpaas") == MAX_LIST_PAGES - 1


def test_no_entity_is_expanded(crawl):
    _, _, records = crawl
    text = json.dumps(list(records.values()), ensure_ascii=False, default=str)
    assert SECRET not in text
    assert "lollollol" not in text
