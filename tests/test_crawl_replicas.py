"""Whole crawls (``scrapy crawl reports`` subprocesses) against the local replicas.

The replicas mix reports with distractors (工作要点/指南/目录/通知), off-site links, a dead link,
a page that answers 500 twice, a PDF-only report, GBK pages and a 瑞数-style 412 challenge.
The crawl must store exactly ``replicas.expected`` and nothing else.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.crawl_helpers import crawl_stats, run_crawl, stored_records


def _host_ok(headers: dict, bases: dict) -> bool:
    hosts = {urlsplit(b).netloc for b in bases.values()}
    return (headers.get("Host") or headers.get("host")) in hosts


@pytest.fixture(scope="module")
def full_crawl(replicas, replica_seeds, tmp_path_factory):
    """One crawl of every replica portal (browser included), shared by the tests below."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('crawl-all') / 'store.sqlite3'}"
    # the replica serves its 500s once per server run; another module's crawl may have used them up
    jiaxing = replicas.portals["jiaxing"]
    jiaxing.flaky[urlsplit(jiaxing.flaky_url).path] = 2
    replicas.reset_log()
    proc = run_crawl(replica_seeds, uri, args=["full=1"], timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    records = {r["url"]: r for r in stored_records(uri)}
    return {"proc": proc, "stats": crawl_stats(proc), "records": records,
            "requests": replicas.requests, "uri": uri}


@pytest.mark.browser
def test_exactly_the_expected_reports_are_stored(replicas, full_crawl):
    records = full_crawl["records"]
    stored_ok = {}
    for url, rec in records.items():
        if not rec.get("fetch_error"):
            stored_ok.setdefault(rec["portal"], set()).add(url)
    expected = {portal: set(reports) for portal, reports in replicas.expected.items()}
    assert stored_ok == expected
    # every portal's own count agrees
    for portal, urls in expected.items():
        assert full_crawl["stats"][f"gicrawler/{portal}/reports"] == len(urls), portal


@pytest.mark.browser
def test_distractors_and_offsite_links_never_requested(replicas, full_crawl):
    requests = full_crawl["requests"]
    assert requests
    # everything the servers received was addressed to them (no `localhost:` cross-site link followed)
    assert all(_host_ok(headers, replicas.bases) for _, _, _, headers in requests)
    requested = {path for _, _, path, _ in requests} | {urlsplit(path).path for _, _, path, _ in requests}
    # distractor items (工作要点/指南/目录/通知) are filtered by title: their pages are never opened;
    # nor are the reports outside what a seed asks for (years, siteCode, another body's report)
    items = [it for p in replicas.portals.values()
             for it in getattr(p, "items", []) + getattr(p, "jitems", []) + getattr(p, "eitems", [])]
    distractors = [it for it in items if it.kind in ("distractor", "outside", "other site")]
    assert {it.kind for it in distractors} == {"distractor", "outside", "other site"}
    for it in distractors:
        target = urlsplit(it.url)
        leaf = target.path.rsplit("/", 1)[-1] + (f"?{target.query}" if target.query else "")
        assert leaf and not any(path.endswith("/" + leaf) for path in requested), it
    stats = full_crawl["stats"]
    assert stats.get("offsite/filtered", 0) == 0          # the spider never even asked
    assert stats["gicrawler/jiaxing/offsite_links"] >= 2  # www.gov.cn and the localhost link
    assert "www.gov.cn" not in "".join(line for line in full_crawl["proc"].stderr.splitlines() if "Crawled" in line)


@pytest.mark.browser
def test_page_answering_500_twice_is_retried_and_stored(replicas, full_crawl):
    url = replicas.portals["jiaxing"].flaky_url
    assert not full_crawl["records"][url].get("fetch_error")
    assert full_crawl["stats"]["retry/reason_count/500 Internal Server Error"] >= 2
    path = urlsplit(url).path
    assert sum(1 for _, _, p, _ in full_crawl["requests"] if urlsplit(p).path == path) == 3


@pytest.mark.browser
def test_dead_link_recorded(replicas, full_crawl):
    zibo = replicas.portals["zibo"]
    record = full_crawl["records"][zibo.base + zibo.dead_url]
    assert record["fetch_error"] == "HTTP 404"
    assert record["list_title"] == "淄博市人民政府2019年政府信息公开工作年度报告" and record["list_date"] == "2020-01-20"
    assert full_crawl["stats"]["gicrawler/zibo/dead_links"] == 1


@pytest.mark.browser
def test_antibot_challenge_passed_through_browser(replicas, full_crawl):
    stats = full_crawl["stats"]
    assert stats["gicrawler/huangshi/challenges"] >= 1
    assert stats["gicrawler/huangshi/challenges_passed"] == stats["gicrawler/huangshi/challenges"]
    assert stats.get("gicrawler/huangshi/challenges_failed", 0) == 0
    # the browser solved the challenge: its cookie reached the server
    assert any("924omrTVcFchP=" in (h.get("Cookie") or "") for portal, _, _, h in full_crawl["requests"]
               if portal == "huangshi")
    protected = [u for u in replicas.expected["huangshi"] if urlsplit(u).path.startswith("/xxgk/")]
    assert protected and all(u in full_crawl["records"] for u in protected)


@pytest.mark.browser
def test_zibo_lists_rendered_in_browser(replicas, full_crawl):
    stats = full_crawl["stats"]
    pages = stats["gicrawler/zibo/list_pages"]
    assert pages >= 2                                            # the channel spans several pages
    assert stats["playwright/request_count/navigation"] >= pages
    xhr_pages = {p for portal, _, p, _ in full_crawl["requests"] if portal == "zibo" and "list.json" in p}
    assert len(xhr_pages) == pages                               # each rendered page asked its own JSON once
    assert stats["playwright/page_count/closed"] == stats["playwright/page_count"]  # no page left open


@pytest.mark.browser
def test_pdf_only_report_stored_with_tables(replicas, full_crawl):
    pdf_only = [(u, e) for p in replicas.expected.values() for u, e in p.items() if e["delivery"] == "pdf_only"]
    assert pdf_only
    for url, exp in pdf_only:
        record = full_crawl["records"][url]
        [pdf] = [a for a in record["attachments"] if a.get("kind") == "pdf"]
        assert pdf["size"] > 1000 and len(pdf["sha1"]) == 40
        assert set(record["tables"]) == set(exp["tables"]) and record["tables"]


@pytest.mark.browser
def test_gbk_report_metadata(replicas, full_crawl):
    for url, exp in replicas.expected["huangshi"].items():
        record = full_crawl["records"][url]
        for key in ("title", "publisher", "index_number", "published"):
            assert record[key] == exp[key], (url, key)


@pytest.mark.browser
def test_attachments_downloaded_and_listed(replicas, full_crawl):
    with_files = [r for r in full_crawl["records"].values() if r["portal"] == "jiaxing" and len(r["attachments"]) > 1]
    assert with_files
    kinds = {a["kind"] for a in with_files[0]["attachments"]}
    assert {"docx", "doc", "wps", "xls"} <= kinds
    assert all(a.get("sha1") and a.get("size") and not a.get("error") for a in with_files[0]["attachments"])
    stats = full_crawl["stats"]
    total = sum(len(r["attachments"]) for r in full_crawl["records"].values())
    assert sum(v for k, v in stats.items() if k.endswith("/attachments")) == total


def test_crawl_without_browser_portal(replicas, replica_seeds, tmp_path):
    """Plain-HTTP portals never start Chromium; one portal only with -a portal=."""
    uri = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    proc = run_crawl(replica_seeds, uri, args=["portal=jiaxing,jiaxing_jpaas", "full=1"], timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]
    stats = crawl_stats(proc)
    assert not any(k.startswith("playwright/") for k in stats)
    assert "spider reports arguments: seeds=" in proc.stderr and "portal='jiaxing,jiaxing_jpaas'" in proc.stderr
    stored = {r["url"] for r in stored_records(uri)}
    assert stored == set(replicas.expected["jiaxing"]) | set(replicas.expected["jiaxing_jpaas"])
    # JPaaS: pages requested until the first empty one, paging only inside paramJson
    unit_calls = [p for portal, _, p, _ in replicas.requests if "front/page/build/unit" in p]
    assert unit_calls and all("paramJson" in p and "&pageNo=" not in p for p in unit_calls)


def test_challenge_without_browser_is_a_recorded_failure(replicas, replica_seeds, tmp_path):
    """antibot_browser: false → the 412 is counted and recorded, the crawl goes on (no crash)."""
    seeds = tmp_path / "no-browser.yaml"
    seeds.write_text(replica_seeds.read_text(encoding="utf-8").replace("antibot_browser: true", "antibot_browser: false"),
                     encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    proc = run_crawl(seeds, uri, args=["portal=huangshi", "full=1"], timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]
    stats = crawl_stats(proc)
    assert stats["gicrawler/huangshi/challenges"] >= 1
    assert stats["gicrawler/huangshi/challenges_failed"] == stats["gicrawler/huangshi/challenges"]
    assert not any(k.startswith("playwright/") for k in stats)
    assert "anti-bot challenge (HTTP 412), no browser allowed" in proc.stderr
    # the unprotected column is still crawled completely
    records = {r["url"]: r for r in stored_records(uri)}
    open_ones = {u for u in replicas.expected["huangshi"] if not urlsplit(u).path.startswith("/xxgk/")}
    assert open_ones and open_ones <= {u for u, r in records.items() if not r.get("fetch_error")}


@pytest.mark.parametrize("mode", ["get", "pagenum"])
def test_hanweb_paging_variants(replicas, replica_seeds, tmp_path, mode):
    """params proxy: get → the GET page= form of dataproxy.jsp (the <nextgroup> link);
    proxy: pagenum → the column page's ?uid=&pageNum=. Same reports either way."""
    import yaml

    doc = yaml.safe_load(replica_seeds.read_text(encoding="utf-8"))
    for entry in doc["portals"]:
        if entry["name"] == "jiaxing":
            entry["params"]["proxy"] = mode
    seeds = tmp_path / "get.yaml"
    seeds.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    replicas.reset_log()
    proc = run_crawl(seeds, uri, args=["portal=jiaxing", "full=1"], timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]
    proxy = [(m, p) for portal, m, p, _ in replicas.requests if "dataproxy.jsp" in p]
    if mode == "get":
        assert proxy and all(m == "GET" and "page=" in p for m, p in proxy)
    else:
        assert not proxy
        assert any("pageNum=2" in p for _, _, p, _ in replicas.requests)
    stored = {r["url"] for r in stored_records(uri) if not r.get("fetch_error")}
    assert stored == set(replicas.expected["jiaxing"])


@pytest.mark.browser
def test_trs_listmodel_browser_route(replicas, replica_seeds, tmp_path):
    """Seed ``listmodel: browser``: the 动静结合 column's later pages are the column rendered in
    Chromium with its pager's 下一页 clicked (no list-API request from the crawler itself); the
    same reports are stored, and the column is reached in full (listed N, reached N)."""
    import yaml

    doc = yaml.safe_load(replica_seeds.read_text(encoding="utf-8"))
    for entry in doc["portals"]:
        if entry["name"] == "huangshi":
            entry["params"] = {"listmodel": "browser"}
    seeds = tmp_path / "browser.yaml"
    seeds.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    portal = replicas.portals["huangshi"]
    replicas.reset_log()
    proc = run_crawl(seeds, uri, args=["portal=huangshi", "full=1"], timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    stats = crawl_stats(proc)
    pages = -(-len(portal.column_items) // portal.page_size)
    assert stats["playwright/request_count/navigation"] >= pages - 1
    posts = [p for name, method, p, _ in replicas.requests if name == "huangshi" and p.startswith("/fjdzapp/search")]
    # the API was asked by the page's own script in Chromium (page n: 下一页 clicked n - 1 times),
    # never by the crawler itself
    assert len(posts) == sum(n - 1 for n in range(2, pages + 1))
    assert stats.get("downloader/request_method_count/POST", 0) == 0
    assert stats["gicrawler/huangshi/listed"] == stats["gicrawler/huangshi/reached"]
    assert "gicrawler/huangshi/columns_short" not in stats
    stored = {r["url"] for r in stored_records(uri) if not r.get("fetch_error")}
    assert stored == set(replicas.expected["huangshi"])


@pytest.mark.browser
def test_every_family_has_a_replica_in_the_crawl(replicas, full_crawl):
    from gicrawler.seeds import FAMILIES

    by_family: dict[str, set] = {}
    for entry in replicas.seed_entries():
        by_family.setdefault(entry["family"], set()).add(entry["name"])
    assert set(by_family) == set(FAMILIES)
    stats = full_crawl["stats"]
    for family, portals in by_family.items():   # each family's replica yielded reports
        assert sum(stats.get(f"gicrawler/{p}/reports", 0) for p in portals) > 0, family


@pytest.mark.browser
def test_newer_families_asked_as_documented(replicas, full_crawl):
    from urllib.parse import parse_qs, unquote

    sent = full_crawl["requests"]
    # gkmlpt: the 年报 category only, with the XHR headers; never the policy category nor all posts
    api = [(urlsplit(p).path, h) for portal, _, p, h in sent if portal == "gkmlpt" and "/gkmlpt/api/" in p]
    assert api and {path for path, _ in api} == {"/gkmlpt/api/all/3749"}
    assert all(h.get("X-Requested-With") == "XMLHttpRequest" and h.get("Referer", "").endswith("/gkmlpt/policy")
               for _, h in api)
    # ucap: one search per publication year, the word encoded twice, the page's siteCode
    searches = [parse_qs(urlsplit(p).query) for portal, _, p, _ in sent if portal == "ucap" and "/search4/s" in p]
    assert {q["startTime"][0][:4] for q in searches} == {str(y) for y in range(2019, 2026)}
    assert all(q["siteCode"] == ["6200000068"] and unquote(q["searchWord"][0]) == "年度报告" for q in searches)
    # webbuilder: REST calls are XHR POSTs; every report's content came from its detail answer
    rest = [(m, h) for portal, m, p, h in sent if portal == "webbuilder" and "/rest/" in p]
    assert rest and all(m == "POST" and h.get("X-Requested-With") == "XMLHttpRequest" for m, h in rest)
    for url in replicas.expected["webbuilder"]:
        kinds = [a["kind"] for a in full_crawl["records"][url]["attachments"]]
        assert kinds[0] == "json" and full_crawl["records"][url]["tables"], (url, kinds)
    # zfxxgknb: only directories are followed, and only the years a seed asks for
    beijing = {urlsplit(p).path for portal, _, p, _ in sent if portal == "beijing"}
    assert not any("/gknb2018/" in p or "/gkzn/" in p or "/gkml/" in p for p in beijing)


@pytest.mark.browser
def test_checks_and_agency_kinds_as_the_replicas_expect(replicas, full_crawl):
    """Every stored report fails exactly the rules the replicas' oracle says (reports.failed_checks:
    tables, the deadline of its kind of body, the samples' text checks read by hand)."""
    for portal, reports in replicas.expected.items():
        for url, exp in reports.items():
            record = full_crawl["records"][url]
            assert record["agency_kind"] == exp["agency_kind"], url
            failed = sorted(c["rule"] for c in record["checks"] if not c["ok"])
            assert failed == sorted(exp["failed_checks"]), (url, [c for c in record["checks"] if not c["ok"]])


@pytest.mark.browser
def test_carried_forward_across_years_as_the_published_tables_say(replicas, full_crawl):
    from gicrawler.analysis import crosschecks
    from gicrawler.template import APPLICANT_COLUMNS

    def row(exp, key):
        r = (exp["tables"].get("applications") or {}).get(key)
        return None if r is None else tuple(r.get(c) or 0 for c in APPLICANT_COLUMNS)

    published = {(exp["agency"], exp["year"]): exp for reports in replicas.expected.values() for exp in reports.values()}
    oracle = {(agency, year, row(published[(agency, year - 1)], "carried_forward") == row(exp, "carried_over"))
              for (agency, year), exp in published.items()
              if (agency, year - 1) in published and row(exp, "carried_over") is not None
              and row(published[(agency, year - 1)], "carried_forward") is not None}
    found = {(f["agency"], f["year"], f["ok"]) for f in crosschecks.run(full_crawl["records"].values())
             if f["rule"] == "store.carried_forward"}
    assert oracle and found == oracle


def _expected_coverage(replicas, uri, portal=None) -> list[dict]:
    """What the replicas publish, as coverage rows (computed here from the replicas' own expected
    data and their dead links' list titles, not by gicrawler.analysis.coverage), plus the failing
    findings of the cross-store checks over the stored records (streamed, the changed pages
    re-parsed), each in the cell of its agency and year."""
    import re

    from gicrawler.analysis import crosschecks
    from gicrawler.store import open_store

    store = open_store(uri)
    try:
        findings = [f for f in crosschecks.run(store.find(portal=portal), verify=crosschecks.page_change_verifier(store))
                    if not f["ok"]]
    finally:
        store.close()

    cells: dict = {}

    def cell(agency, year, where):
        c = cells.setdefault((agency, year), {"agency": agency, "year": year, "found": 0, "parsed": 0,
                                               "tables_missing": 0, "image_only": 0, "unreachable": 0,
                                               "checks_failing": 0, "failed_rules": set(), "portals": set()})
        c["found"] += 1
        c["portals"].add(where)
        return c

    for name, reports in replicas.expected.items():
        if portal and name != portal:
            continue
        for exp in reports.values():
            c = cell(exp["agency"], exp["year"], name)
            missing = set(exp["missing_tables"].values())
            c["parsed" if not missing else "image_only" if missing == {"image"} else "tables_missing"] += 1
            c["checks_failing"] += len(exp["failed_checks"])
            c["failed_rules"] |= set(exp["failed_checks"])
    for name, replica in replicas.portals.items():
        if portal and name != portal:
            continue
        for it in getattr(replica, "items", []) + getattr(replica, "jitems", []) + getattr(replica, "eitems", []):
            if it.kind == "dead":
                agency, year = re.match(r"(.+?)(\d{4})年", it.title).groups()
                cell(agency, int(year), name)["unreachable"] += 1
    for f in findings:  # in the cell of their agency-year: one the replicas publish reports for
        key = (f["agency"], f["year"])
        assert key in cells, f"a finding outside every published agency-year: {f}"
        cells[key]["checks_failing"] += 1
        cells[key]["failed_rules"].add(f["rule"])
    order = ("parsed", "tables_missing", "image_only", "unreachable")
    rows = []
    for c in cells.values():
        best = next(k for k in order if c[k])
        rows.append({**c, "status": best.replace("_", " ").replace("image only", "image-only"),
                     "failed_rules": sorted(c["failed_rules"]), "portals": sorted(c["portals"])})
    return sorted(rows, key=lambda r: (r["agency"], r["year"]))


@pytest.mark.browser
def test_coverage_of_the_demo_store_is_what_the_replicas_hold(replicas, full_crawl):
    import json
    import subprocess
    import sys

    from tests.crawl_helpers import REPO

    proc = subprocess.run([sys.executable, "-m", "gicrawler", "coverage", "--store", full_crawl["uri"],
                           "--format", "jsonl"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows == _expected_coverage(replicas, full_crawl["uri"])
    assert {r["status"] for r in rows} >= {"parsed", "image-only", "unreachable"}  # the replicas hold each kind


@pytest.mark.browser
def test_each_run_record_carries_its_portals_coverage(replicas, full_crawl):
    from gicrawler.store import open_store

    store = open_store(full_crawl["uri"])
    try:
        for portal in replicas.expected:
            expected = _expected_coverage(replicas, full_crawl["uri"], portal)
            assert store.last_run(portal)["coverage"] == expected, portal
    finally:
        store.close()
