"""Every real saved page in tests/files/*/ through the code a crawl runs on it.

For each entry of each ``tests/files/<dir>/expected.json`` (read by hand from the page; the
README beside it says where the page comes from):

- list pages and list-API answers go through the family adapter (``parse_list``, in the state
  the adapter itself gives that request) and discovery's report filter, and must give exactly
  the hand-read entries (url, title, date — titles compared with whitespace folded, the form the
  adapters return), the reports among them, the stated size (``listed``), and the next
  requests: the hand-read ``next`` requests are the first the adapter plans, and for a column's
  first page the adapter plans ``pages - 1`` more;
- detail pages go through the metadata loader (``gicrawler.loaders.extract_metadata``) and the
  report parser (``parse_report``, for the year) and must give the hand-read metadata. ``year``
  is a report's field: expected.json writes ``null`` for a page that is no report, and there the
  test checks instead that discovery does not take the page's title as a report.

A value the code cannot reach is fixed in the code; a misread expectation is corrected in the
file with the reason in its README (tests/files/ucap/README.md, *A corrected reading*).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from parsel import Selector

from gicrawler import discovery
from gicrawler.families import get_adapter, hanweb, trs, ucap
from gicrawler.loaders import extract_metadata
from gicrawler.parsing.document import parse_report
from gicrawler.seeds import Portal

FILES = Path(__file__).parent / "files"

# Which adapter reads a directory's pages, with the seed params a portal of it would carry
# (an entry's own ``family`` overrides it: the Ucap search answer in tests/files/ucap).
# tests/files/ucap: the 甘肃 list is paged by the six-argument createPageHTML (TRS's pager); its
# detail links /c{channel}/{YYYYMM}/{id}.shtml are not TRS's tYYYYMMDD_id, so a seed names them.
READERS = {
    "trs": ("trs", {}),
    "hanweb": ("hanweb", {}),
    "ucap": ("trs", {"link_pattern": r"/c\d+/\d{6}/\d+\.shtml"}),
}


def _entries():
    for expected in sorted(FILES.glob("*/expected.json")):
        for name, exp in json.loads(expected.read_text(encoding="utf-8")).items():
            yield pytest.param(expected.parent.name, name, exp, id=f"{expected.parent.name}/{name}")


ENTRIES = list(_entries())
LISTS = [p for p in ENTRIES if p.values[2]["kind"] in ("list", "list_api")]
DETAILS = [p for p in ENTRIES if p.values[2]["kind"] == "detail"]


def test_every_fixture_file_is_described_and_every_entry_has_its_file():
    for directory in {p.values[0] for p in ENTRIES}:
        described = {p.values[1] for p in ENTRIES if p.values[0] == directory}
        on_disk = {f.name for f in (FILES / directory).iterdir()
                   if f.suffix in (".html", ".htm", ".xml") or f.name.endswith(".json") and "CONSTRUCTED" in f.name}
        assert described <= on_disk, directory
        assert {f for f in on_disk if "CONSTRUCTED" not in f} <= described, directory
    assert len(LISTS) >= 8 and len(DETAILS) >= 4


def _fold(entries):
    return [{"url": e["url"], "title": " ".join((e["title"] or "").split()), "date": e["date"]} for e in entries]


def _request_state(family, params, exp):
    """The state the adapter hands the request that fetched this page (its own first request,
    or for a list-API answer the request it builds from the saved request's fields)."""
    if exp["kind"] == "list":
        portal = Portal(name="fixture", family=family, index_urls=(exp["url"],),
                        allowed_domains=(urlsplit(exp["url"]).hostname,), params=params)
        return exp["url"], get_adapter(family).first_requests(portal)[0].state
    saved = exp["params"]
    if family == "ucap":
        # a site-search answer: the state the adapter's own search_request gives page ``pageNum``
        # (the saved request had no year window, so the state carries none)
        query = saved["query"]
        site = {"site_code": query["siteCode"], "search_url": exp["url"]}
        state = {**ucap.search_request(site, saved["word"], 2024, int(query.get("pageNum", 0))).state,
                 "year": saved["year"]}
        return f"{exp['url']}?{urlencode(query)}", state
    assert family == "hanweb", "list-API fixtures are Hanweb dataproxy or Ucap search answers"
    query = saved["query"]
    request = hanweb.proxy_request(saved["form"], exp["url"], saved["headers"]["Referer"],
                                   query["startrecord"], query["endrecord"], query["perpage"])
    # the adapter asks exactly what the saving script asked
    assert request.method == exp["method"] and request.formdata == saved["form"]
    assert dict(parse_qsl(urlsplit(request.url).query)) == {k: str(v) for k, v in query.items()}
    return request.url, request.state


def _matches(request, want: dict) -> bool:
    split = urlsplit(request.url)
    query = dict(parse_qsl(split.query, keep_blank_values=True))
    if "query" in want:
        if split._replace(query="").geturl() != want["url"] or query != {k: str(v) for k, v in want["query"].items()}:
            return False
    elif request.url != want["url"]:
        return False
    if request.method != want.get("method", "GET"):
        return False
    if "form" in want and request.formdata != want["form"]:
        return False
    return all(request.headers.get(k) == v for k, v in want.get("headers", {}).items())


@pytest.mark.parametrize("directory,name,exp", LISTS)
def test_list_page_through_its_family_adapter(directory, name, exp):
    family, params = (exp["family"], {}) if exp.get("family") else READERS[directory]
    text = (FILES / directory / name).read_text(encoding=exp.get("encoding", "utf-8"))
    url, state = _request_state(family, params, exp)
    page = get_adapter(family).parse_list(text, url, state, params)

    assert _fold(page.entries) == _fold(exp["entries"])
    assert [e["url"] for e in discovery.select_reports(page.entries)] == exp["reports"]
    assert page.listed == exp["listed"]
    planned = list(page.requests)
    wanted = exp.get("next") or []
    assert len(planned) >= len(wanted)
    for request, want in zip(planned, wanted):
        assert _matches(request, want), (request, want)
    if exp["kind"] == "list" and exp.get("pages"):
        assert len(planned) == exp["pages"] - 1


@pytest.mark.parametrize("directory,name,exp", DETAILS)
def test_detail_page_metadata(directory, name, exp):
    raw = (FILES / directory / name).read_bytes()
    text = raw.decode(exp.get("encoding", "utf-8"))
    want = exp["metadata"]
    got = extract_metadata(text)
    for key in ("title", "index_number", "document_number", "publisher", "published"):
        assert got[key] == want[key], key
    record = parse_report(raw, url=exp.get("url"), content_type="text/html; charset=utf-8")
    for key in ("title", "published", "publisher"):
        assert record[key] == want[key], key
    is_report = discovery.is_report_title(want["title"])
    if "report" in exp:
        assert is_report is exp["report"]
    if want["year"] is not None:
        assert is_report and record["year"] == want["year"]
    else:
        assert not is_report     # a page that is no report: no report year to compare


TABLED = [p for p in DETAILS if p.values[2].get("tables")]


def _at(tables: dict, dotted: str):
    value = tables
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


@pytest.mark.parametrize("directory,name,exp", TABLED)
def test_report_page_tables_give_the_hand_read_cells(directory, name, exp):
    """Report pages in the national format: the cells read by hand off the page text (expected.json
    ``tables``: dotted paths of the record's ``tables``) are what parse_report reads, and the
    national cross-checks hold on the real figures."""
    raw = (FILES / directory / name).read_bytes()
    record = parse_report(raw, url=exp.get("url"), content_type="text/html; charset=utf-8")
    assert not record["missing_tables"] and not record["errors"]
    got = {path: _at(record["tables"], path) for path in exp["tables"]}
    assert got == exp["tables"]
    failed = [c["rule"] for c in record["checks"] if c["rule"].startswith(("applications.", "review_litigation.")) and not c["ok"]]
    assert not failed, failed


def test_trs_listmodel_variants_of_the_same_cms():
    """The 制度 column writes listModel with objId, a bare classsql, a double-quoted recordCount
    and 15 rows a page: read like the 年报 columns' single-quoted form."""
    text = (FILES / "trs" / "pingtan-zfxxgkzd-list.html").read_text(encoding="utf-8")
    assert trs.listmodel(text) == {"quickMode": "动静结合", "maxStaticIndex": 1, "channelid": "200210",
                                   "classsql": "chnlid=1822", "sortfield": "-docorderpri,-docreltime",
                                   "prepage": 15, "recordCount": 34}
    dept = (FILES / "trs" / "pingtan-gaj-zfxxgknb-list.html").read_text(encoding="utf-8")
    assert trs.listmodel(dept)["classsql"] == "chnlid=1803" and trs.listmodel(dept)["recordCount"] == 16


SITE_CODED = [p for p in ENTRIES if p.values[2].get("site_code")]


@pytest.mark.parametrize("directory,name,exp", SITE_CODED)
def test_ucap_site_code_and_search_of_the_page(directory, name, exp):
    """Pages with a hand-read SiteIDCode (and search box): the Ucap adapter reads the same and
    plans its year searches on the page's own search path."""
    text = (FILES / directory / name).read_text(encoding=exp.get("encoding", "utf-8"))
    assert ucap.site_code(text) == exp["site_code"]
    if exp.get("search"):
        [req] = ucap.parse_list(text, exp["url"], {"stage": "site"}, {"years": [2024]}).requests
        assert req.url.split("?")[0] == exp["search"]["url"]
        assert dict(parse_qsl(urlsplit(req.url).query))["siteCode"] == exp["search"]["params"]["siteCode"]


# --- the variants, each on its real page ------------------------------------------------------

PINGTAN = FILES / "trs" / "pingtan-zfxxgknb-list.html"
PINGTAN_URL = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"


def test_trs_listmodel_reads_its_arguments_from_the_page():
    model = trs.listmodel(PINGTAN.read_text(encoding="utf-8"))
    assert model == {"quickMode": "动静结合", "maxStaticIndex": 1, "channelid": "200210",
                     "classsql": "chnlid=1813", "sortfield": "-docorderpri,-docreltime",
                     "prepage": 10, "recordCount": 20}


def test_trs_listmodel_browser_route_renders_and_clicks_the_pager():
    """Seed ``listmodel: browser``: page 2 is the column rendered in Chromium with 下一页 clicked once."""
    page = trs.parse_list(PINGTAN.read_text(encoding="utf-8"), PINGTAN_URL, {"page": 0},
                          {"listmodel": "browser"})
    [request] = page.requests
    assert request.url == PINGTAN_URL and request.browser and request.dont_filter and request.method == "GET"
    [(method, (script, (clicks, link, button)))] = request.steps
    assert method == "evaluate" and "click()" in script
    assert clicks == 1 and button == "下一页" and link == trs.DETAIL.pattern
    assert page.listed == 20


def test_trs_listmodel_api_answer_entries_resolve_against_the_column():
    answer = json.dumps({"data": [
        {"doctitle": "平潭综合实验区2015年度政府信息公开工作年度报告", "docreltime": "2016-01-12 16:08",
         "chnldocurl": "./201601/t20160112_80445.htm", "docpuburl": "https://www.pingtan.gov.cn/x.htm"},
        {"doctitle": "平潭县人民政府2011年政府信息公开工作年度报告", "docreltime": 1334707200000,
         "docpuburl": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201204/t20120418_80716.htm"},
    ], "pageCount": 2}, ensure_ascii=False)
    page = trs.parse_list(answer, "https://www.pingtan.gov.cn/fjdzapp/search",
                          {"stage": "listmodel_api", "page": 2, "referer": PINGTAN_URL}, {})
    assert page.entries == [
        {"url": PINGTAN_URL + "201601/t20160112_80445.htm", "title": "平潭综合实验区2015年度政府信息公开工作年度报告",
         "date": "2016-01-12"},
        {"url": PINGTAN_URL + "201204/t20120418_80716.htm", "title": "平潭县人民政府2011年政府信息公开工作年度报告",
         "date": "2012-04-18"},
    ]
    with pytest.raises(ValueError, match="not JSON"):
        trs.parse_list("<html>系统繁忙</html>", "https://www.pingtan.gov.cn/fjdzapp/search",
                       {"stage": "listmodel_api", "referer": PINGTAN_URL}, {})


def test_trs_rows_in_a_comment_are_read_only_when_the_page_has_none():
    text = (FILES / "ucap" / "gansu-jyt-c110634-list.html").read_text(encoding="utf-8")
    params = READERS["ucap"][1]
    url = "https://jyt.gansu.gov.cn/jyt/c110634/zwgklist.shtml"
    assert len(trs.parse_list(text, url, {"page": 0}, params).entries) == 20
    live = text.replace("<body", '<body><ul><li><a href="/jyt/c110634/202601/1.shtml">现行</a> 2026-01-02</li></ul', 1)
    assert [e["url"] for e in trs.parse_list(live, url, {"page": 0}, params).entries] == [
        "https://jyt.gansu.gov.cn/jyt/c110634/202601/1.shtml"]


def test_base_href_is_where_relative_links_resolve():
    """江西's newer template sets <base href="/jxssthjt/">: its relative script and any relative
    row or attachment link resolve under it, in every family (discovery.page_base)."""
    text = (FILES / "hanweb" / "jiangxi-sthjt-col42150-list.html").read_text(encoding="utf-8")
    url = "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html"
    sel = Selector(text=text)
    assert discovery.page_base(sel, url) == "https://sthjt.jiangxi.gov.cn/jxssthjt/"
    [row] = trs.anchor_entries(Selector(text=text.replace(
        '<div id="380055"></div>', '<div id="380055"><li><a href="col/col42150/art/t20250101_1.html">x</a></li></div>')),
        url, trs.DETAIL)
    assert row["url"] == "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/art/t20250101_1.html"
    atts = discovery.find_attachments(Selector(text=text.replace(
        '<div id="380055"></div>', '<div id="380055"><a href="doc/a.pdf">附件</a></div>')), url)
    assert [a["url"] for a in atts] == ["https://sthjt.jiangxi.gov.cn/jxssthjt/doc/a.pdf"]


def test_hanweb_loadpagedata_params_and_querylist_answer():
    text = (FILES / "hanweb" / "jiangxi-sthjt-col42150-list.html").read_text(encoding="utf-8")
    params = hanweb.loadpage_params(text)
    assert params["webSiteCode"] == ["jxssthjt"] and params["channelCode"] == ["col42150"]
    assert params["unitid"] == "380055" and params["perPage"] == "15"
    answer = json.dumps({"data": {"results": [{"source": {
        "title": "江西省生态环境厅2024年政府信息公开工作年度报告", "pubDate": "2025-01-20 10:00",
        "urls": json.dumps({"pc": "/jxssthjt/col/col42150/content/content_1.html"})}}]}}, ensure_ascii=False)
    page = hanweb.parse_list(answer, "https://sthjt.jiangxi.gov.cn/queryList",
                             {"stage": "querylist", "referer": "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html"}, {})
    assert page.entries == [{"url": "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/content/content_1.html",
                             "title": "江西省生态环境厅2024年政府信息公开工作年度报告", "date": "2025-01-20"}]
    with pytest.raises(ValueError, match="data.results"):
        hanweb.parse_list('{"data": null}', "https://x/queryList", {"stage": "querylist"}, {})


def test_hanweb_dataproxy_answer_continues_past_what_was_asked():
    """The real server answers 76 rows to a 25-row window; the next request still starts right
    after the window asked (rows may overlap, none is skipped), up to <totalrecord>."""
    exp = json.loads((FILES / "hanweb" / "expected.json").read_text(encoding="utf-8"))["jiangsu-gxt-dataproxy-p5.xml"]
    url, state = _request_state("hanweb", {}, exp)
    page = hanweb.parse_list((FILES / "hanweb" / "jiangsu-gxt-dataproxy-p5.xml").read_text(encoding="utf-8"),
                             url, state, {})
    starts = [int(dict(parse_qsl(urlsplit(r.url).query))["startrecord"]) for r in page.requests]
    assert starts == list(range(126, 757, 25)) and len(page.entries) == 76


def test_uppercase_tags_read_like_lowercase():
    """丽水's breadcrumb is pre-2012 uppercase markup (<TABLE><TR><TD>); lxml lower-cases tags, so
    the same selectors read an old all-uppercase column."""
    text = (FILES / "hanweb" / "lishui-szf-art_1229283449_2493752.html").read_text(encoding="utf-8")
    assert "<TABLE" in text and "<TD" in text
    sel = Selector(text=text)
    column = re.compile(r"/col/col\d+/index\.html")
    crumbs = trs.anchor_entries(sel.xpath("//table[.//a[contains(@href, '/col/col')]]"), "http://www.lishui.gov.cn/", column)
    assert crumbs and all(column.search(e["url"]) for e in crumbs)
    upper = '<HTML><BODY><UL><LI><A HREF="/art/2010/1/5/art_1_2.html" TITLE="2009年政府信息公开工作年度报告">2009年…</A> 2010-01-05</LI></UL></BODY></HTML>'
    [row] = trs.anchor_entries(Selector(text=upper), "http://www.lishui.gov.cn/", re.compile(r"/art/"))
    assert row == {"url": "http://www.lishui.gov.cn/art/2010/1/5/art_1_2.html",
                   "title": "2009年政府信息公开工作年度报告", "date": "2010-01-05"}


@pytest.mark.parametrize("html,want", [
    # gov.cn style: padded labels in <b> cells, a 4-column table
    ('<table><tr><td><b>索 引 号：</b></td><td>000014349/2024-00094</td><td><b>主题分类：</b></td><td>综合政务</td></tr>'
     '<tr><td><b>发文机关：</b></td><td>国务院办公厅</td><td><b>成文日期：</b></td><td>2024年03月01日</td></tr>'
     '<tr><td><b>标\u3000\u3000题：</b></td><td>国务院办公厅2023年政府信息公开工作年度报告</td></tr>'
     '<tr><td><b>发文字号：</b></td><td></td><td><b>发布日期：</b></td><td>2024年03月05日</td></tr></table>',
     {"index_number": "000014349/2024-00094", "publisher": "国务院办公厅", "published": "2024-03-05",
      "document_number": None, "category": "综合政务", "title": "国务院办公厅2023年政府信息公开工作年度报告"}),
    ('<table><tr><td>索\u3000引\u3000号</td><td>000014349/2026-09781</td><td>分&nbsp;&nbsp;类</td><td>县市区</td></tr></table>',
     {"index_number": "000014349/2026-09781", "category": "县市区"}),
    # header lines (黄石's stored text uses ASCII colons): what the page prints beats <meta>
    ('<meta name="PubDate" content="2026-02-09 10:00"><meta name="ContentSource" content="">'
     '<h1>黄石港区2025年政府信息公开工作年度报告</h1><p>来源:黄石港区政府 时间:2026-01-29</p>',
     {"publisher": "黄石港区政府", "published": "2026-01-29"}),
    ('<div class="info"><span>发布日期：2025-01-16</span>\n<span>信息来源：嘉兴市数据局</span></div>',
     {"publisher": "嘉兴市数据局", "published": "2025-01-16"}),
    # an empty 来源： takes nothing from the next line
    ('<meta name="ContentSource" content="产业处"><p>日期：2025-02-26 11:54 来源：</p><p>分享：</p>',
     {"publisher": "产业处", "published": "2025-02-26"}),
])
def test_metadata_header_lines_and_padded_label_tables(html, want):
    got = extract_metadata(f"<html><head></head><body>{html}<div id='zoom'><p>正文</p></div></body></html>")
    assert {k: got[k] for k in want} == want


def test_gansu_scjg_seed_rests_on_its_real_pages():
    """The built-in 甘肃省市场监督管理局 entry (seeds/gansu.yaml) says what its fixtures show: the
    page's SiteIDCode is the seed's site_code, the page's own search box opens the seed's search
    path, that search answers in rows the adapter reads, and its first answer is a 瑞数 challenge
    the spider meets only with ``antibot_browser``."""
    from gicrawler.middlewares import is_challenge
    from gicrawler.seeds import load_builtin

    [portal] = [p for p in load_builtin("gansu") if p.name == "gansu_scjg"]
    assert portal.family == "ucap" and portal.antibot_browser and portal.verified is False
    assert {e.split()[0] for e in portal.evidence if e.startswith("tests/files/")} <= {
        f"tests/files/ucap/{f.name}" for f in (FILES / "ucap").iterdir()}
    page_url = "http://scjg.gansu.gov.cn/scjg/c110159/202205/2032457.shtml"
    page = (FILES / "ucap" / "gansu-scjg-c110159-2032457.html").read_text(encoding="utf-8")
    assert ucap.site_code(page) == portal.params["site_code"]
    [from_page] = ucap.parse_list(page, page_url, {"stage": "site"}, {"years": [2024]}).requests
    [from_seed] = ucap.first_requests(portal)[:1]
    assert urlsplit(from_page.url).path == urlsplit(from_seed.url).path == urlsplit(portal.index_urls[0]).path
    assert urlsplit(from_seed.url).hostname == urlsplit(page_url).hostname
    answer = (FILES / "ucap" / "gansu-scjg-guestweb4-search.html").read_text(encoding="utf-8")
    rows = ucap.parse_list(answer, from_seed.url, from_seed.state, portal.params).entries
    assert rows and all(portal.allows(r["url"]) for r in rows)
    challenge = (FILES / "ucap" / "gansu-scjg-guestweb4-challenge.html").read_bytes()
    assert is_challenge(412, challenge)
