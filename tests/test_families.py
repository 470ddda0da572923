"""Family adapters and discovery on saved markup (shapes from docs/families.md), no crawler."""
from __future__ import annotations

import json
from html import escape as html_escape
from urllib.parse import parse_qs, urlsplit

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from gicrawler import discovery
from gicrawler.families import gongkai, hanweb, jpaas, trs
from gicrawler.seeds import Portal


def portal(family, url, **kw):
    return Portal(name="t", family=family, index_urls=(url,), allowed_domains=(urlsplit(url).hostname,), **kw)


# --- discovery ------------------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "淄博市大数据局2023年政府信息公开工作年度报告",
    "嘉兴市数据局2024年度政府信息公开工作 年度报告",
    "宿州市人民政府2019年政府信息公开工作年度报告（图片版）",
    "黄石市经信局2023年政府信息公开年度报告",
    "2022年政府信息公开年报",
    "嘉興市數據局2024年度政府信息公開工作年度報告",
    "政府信息公开工作\u3000年度报告（2021年）",
])
def test_report_titles_kept(title):
    assert discovery.is_report_title(title)


@pytest.mark.parametrize("title", [
    "2024年政务公开工作要点",
    "淄博市人民政府信息公开指南",
    "政府信息公开目录",
    "关于做好2023年政府信息公开工作年度报告编制和发布工作的通知",
    "2023年政府信息公开工作年度报告解读",
    "政府信息公开申请表",
    "",
    None,
])
def test_other_column_items_skipped(title):
    assert not discovery.is_report_title(title)


def test_select_reports_dedupes_pc_and_mobile_and_protocol_relative():
    entries = [
        {"url": "https://a.gov.cn/art/2024/1/29/art_1_2.html?b=1&a=2", "title": "2023年政府信息公开工作年度报告", "date": None},
        {"url": "http://a.gov.cn/art/2024/1/29/art_1_2.html?a=2&b=1", "title": "2023年政府信息公开工作年度报告", "date": None},
        {"url": "https://a.gov.cn/art/2024/1/2/art_1_3.html", "title": "2024年政务公开工作要点", "date": None},
    ]
    seen = set()
    assert [e["url"] for e in discovery.select_reports(entries, seen)] == [entries[0]["url"]]
    assert discovery.select_reports(entries, seen) == []  # seen carries across list pages


def test_resolve_protocol_relative_takes_page_scheme():
    assert discovery.resolve("//x.gov.cn/a.html", "http://y.gov.cn/col/") == "http://x.gov.cn/a.html"
    assert discovery.resolve("//x.gov.cn/a.html", "https://y.gov.cn/col/") == "https://x.gov.cn/a.html"
    assert discovery.resolve("javascript:void(0)", "https://y.gov.cn/") is None


def test_parse_date_skips_index_number():
    assert discovery.parse_date("索引号 000014349/2024-06673 发布 2024年1月29日") == "2024-01-29"
    assert discovery.parse_date("<span>2026-\n01-\n23</span>") == "2026-01-23"


def test_find_attachments_in_body_only():
    html = """<html><body>
    <div id="zoom"><p>正文</p>
      <a href="/module/download/downfile.jsp?classid=0&amp;filename=0123456789abcdef0123456789abcdef.pdf">年报.pdf</a>
      <a href="//ws.zibo.gov.cn/gongkai/channel_c/doc_67a5b11e0c81719cbf7171e4_c40bf8efdc4f89fdb726fece655ac213.pdf">附件</a>
      <a href="files/report.docx">docx</a><a href="files/report.docx">again</a>
      <a href="/art/2024/1/1/art_1_1.html">not a file</a>
    </div>
    <div class="footer"><a href="/guide.pdf">指南</a></div></body></html>"""
    atts = discovery.find_attachments(Selector(text=html), "https://www.zibo.gov.cn/art/2024/1/29/a.html")
    assert [(a["url"], a["ext"]) for a in atts] == [
        ("https://www.zibo.gov.cn/module/download/downfile.jsp?classid=0&filename=0123456789abcdef0123456789abcdef.pdf", "pdf"),
        ("https://ws.zibo.gov.cn/gongkai/channel_c/doc_67a5b11e0c81719cbf7171e4_c40bf8efdc4f89fdb726fece655ac213.pdf", "pdf"),
        ("https://www.zibo.gov.cn/art/2024/1/29/files/report.docx", "docx"),
    ]


# --- Hanweb JCMS ------------------------------------------------------------------------------

COLUMN = """<html><body>
<div id="212860"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=33718&unitid=212860&webname=嘉兴市人民政府&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href='/art/2024/1/29/art_33718_1.html' title='嘉兴市2023年政府信息公开工作年度报告'>嘉兴市2023年…</a><span>2024-01-29</span></li>]]></record>
<record><![CDATA[<li><a href='//www.jiaxing.gov.cn/art/2024/1/2/art_33718_2.html' title='2024年政务公开工作要点'>要点</a><span class="time">2024-\n01-\n02</span></li>]]></record>
</recordset></datastore></script></div>
<script>var param_212860={columnid:33718,unitid:'212860'}; $('#212860').jpage({totalRecord:40,perPage:15});</script>
</body></html>"""


def test_hanweb_column_embedded_records_and_post_plan():
    url = "https://www.jiaxing.gov.cn/col/col33718/index.html"
    page = hanweb.parse_list(COLUMN, url, {"stage": "column"}, {})
    assert page.entries == [
        {"url": "https://www.jiaxing.gov.cn/art/2024/1/29/art_33718_1.html", "title": "嘉兴市2023年政府信息公开工作年度报告", "date": "2024-01-29"},
        {"url": "https://www.jiaxing.gov.cn/art/2024/1/2/art_33718_2.html", "title": "2024年政务公开工作要点", "date": "2024-01-02"},
    ]
    # 40 records, 2 embedded: the rest in chunks of 3 screens (45) → one POST for 3..40
    assert len(page.requests) == 1
    req = page.requests[0]
    assert req.method == "POST"
    assert urlsplit(req.url).path == "/module/web/jpage/dataproxy.jsp"
    assert parse_qs(urlsplit(req.url).query) == {"startrecord": ["3"], "endrecord": ["40"], "perpage": ["15"]}
    assert req.formdata["webid"] == "1" and req.formdata["columnid"] == "33718"
    assert req.formdata["unitid"] == "212860" and req.formdata["webname"] == "嘉兴市人民政府"
    assert req.headers["Referer"] == url


def test_hanweb_unit_is_the_datastore_div_when_a_page_has_several_lists():
    sidebar = '<div id="111"><ul></ul></div><script>$("#111").jpage({unitid:111});</script>'
    html = COLUMN.replace("unitid=212860", "").replace("unitid:'212860'", "")
    info = hanweb.jpage_info(sidebar + html, "https://www.jiaxing.gov.cn/col/col33718/index.html", {})
    assert info["unitid"] == "212860" and info["total"] == 40 and info["perpage"] == 15


def test_hanweb_small_total_needs_no_proxy():
    html = COLUMN.replace("totalRecord:40", "totalRecord:2")
    assert hanweb.parse_list(html, "https://x.gov.cn/col/col1/index.html", {"stage": "column"}, {}).requests == []


PROXY = """<?xml version="1.0" encoding="UTF-8"?><datastore>
<totalrecord>100</totalrecord><totalpage>7</totalpage>
<nextgroup><![CDATA[<a href="./dataproxy.jsp?page=2&appid=1&webid=1&path=/&columnid=33718&unitid=212860&webname=x"></a>]]></nextgroup>
<recordset>
<record>
<![CDATA[<li><a href="http://www.jiaxing.gov.cn/art/2020/8/14/art_1_9.html" target="_blank" title="2019年政府信息公开年报"><span>2019年…</span><i>2020-08-14</i></a></li>]]>
</record>
</recordset></datastore>"""


def test_hanweb_proxy_unknown_total_plans_from_totalrecord():
    info = hanweb.jpage_info(COLUMN.replace("totalRecord:40,", ""), "https://www.jiaxing.gov.cn/col/col33718/index.html", {})
    assert info["total"] is None
    state = {"stage": "proxy", "referer": "r", "info": info, "planned": False, "start": 3, "end": 47}
    page = hanweb.parse_list(PROXY, "https://www.jiaxing.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=3",
                             state, {})
    assert page.entries[0]["title"] == "2019年政府信息公开年报" and page.entries[0]["date"] == "2020-08-14"
    starts = [parse_qs(urlsplit(r.url).query)["startrecord"][0] for r in page.requests]
    assert starts == ["48", "93"]
    assert parse_qs(urlsplit(page.requests[-1].url).query)["endrecord"] == ["100"]
    assert all(r.state["planned"] for r in page.requests)


def test_hanweb_pagenum_paging():
    url = "https://www.jiaxing.gov.cn/col/col33718/index.html"
    page = hanweb.parse_list(COLUMN, url, {"stage": "column"}, {"proxy": "pagenum"})
    assert [r.url for r in page.requests] == [f"{url}?uid=212860&pageNum={n}" for n in (2, 3)]  # 40 / 15
    again = hanweb.parse_list(COLUMN, page.requests[0].url, page.requests[0].state, {"proxy": "pagenum"})
    assert len(again.entries) == 2 and again.requests == []


def test_hanweb_get_paging_follows_nextgroup():
    url = "https://www.jiaxing.gov.cn/col/col33718/index.html"
    first = hanweb.parse_list(COLUMN, url, {"stage": "column"}, {"proxy": "get"}).requests
    assert len(first) == 1 and first[0].method == "GET"
    assert parse_qs(urlsplit(first[0].url).query)["page"] == ["1"]
    nxt = hanweb.parse_list(PROXY, first[0].url, first[0].state, {"proxy": "get"}).requests
    assert [parse_qs(urlsplit(r.url).query)["page"] for r in nxt] == [["2"]]
    last = dict(first[0].state, page=7)
    assert hanweb.parse_list(PROXY, first[0].url, last, {"proxy": "get"}).requests == []


# --- JPaaS unitbuild ---------------------------------------------------------------------------

JPAAS_COLUMN = """<html><body>
<script src="/static/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit"
 queryData="{'webId':'3856','pageId':'1229743509','tplSetId':'qs3Pt5ZSPt8UZss6yAknP','tagId':'信息list'}"></script>
<div class="pager" count="20" rows="15" pageNo="1"></div></body></html>"""


def test_jpaas_pages_until_empty():
    url = "https://ggzy.jiaxing.gov.cn/col/col1229743509/index.html"
    first = jpaas.parse_list(JPAAS_COLUMN, url, {"stage": "column"}, {})
    assert len(first.requests) == 1
    q = parse_qs(urlsplit(first.requests[0].url).query)
    assert q["parseType"] == ["bulidstatic"] and q["webId"] == ["3856"] and q["pageId"] == ["1229743509"]
    assert json.loads(q["paramJson"][0]) == {"pageNo": 1, "pageSize": 15}
    body = json.dumps({"success": True, "data": {"html": (
        '<ul><li class="wb-data-list"><a href="/col/col1229743509/art/2024/art_87c6b0f561bb4c6ba3bff8c31108a643.html" '
        'title="2023年政府信息公开工作年度报告">x</a><span>2024-01-20</span></li></ul>')}})
    second = jpaas.parse_list(body, first.requests[0].url, first.requests[0].state, {})
    assert second.entries[0]["date"] == "2024-01-20"
    assert json.loads(parse_qs(urlsplit(second.requests[0].url).query)["paramJson"][0])["pageNo"] == 2
    empty = json.dumps({"success": True, "data": {"html": ""}})
    assert jpaas.parse_list(empty, second.requests[0].url, second.requests[0].state, {}).requests == []
    # an API that ignores pageNo and repeats itself stops too
    again = jpaas.parse_list(body, second.requests[0].url, second.requests[0].state, {})
    assert again.requests == []


# --- TRS ---------------------------------------------------------------------------------------

TRS_LIST = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>
<div class="list1"><ul>
<li><a href="./202401/t20240129_1.shtml">黄石市经信局2023年政府信息公开工作年度报告</a><span class="time">2024-01-29</span></li>
<li><a href="./202401/t20240102_2.shtml">关于做好2023年政府信息公开工作年度报告编制工作的通知</a><span class="time">2024-01-02</span></li>
<li><a href="/xxgk/2022.pdf">2021年政府信息公开工作年度报告</a><span class="time">2022-01-10</span></li>
</ul></div>
<div id="nav"><a href="/index.shtml">首页</a></div>
<script>createPageHTML(3, 0, "index", "shtml");</script>
</body></html>"""


def test_trs_gbk_list_pages_and_relative_links():
    url = "https://sfj.huangshi.gov.cn/xxgk_17/gknr/qt/fzndbg/index.shtml"
    # declared only in <meta http-equiv>: HtmlResponse must decode it as GBK
    response = HtmlResponse(url, body=TRS_LIST.encode("gbk"))
    assert response.encoding in ("gb18030", "gbk", "gb2312")
    page = trs.parse_list(response.text, url, {"page": 0}, {})
    assert [e["url"] for e in page.entries] == [
        "https://sfj.huangshi.gov.cn/xxgk_17/gknr/qt/fzndbg/202401/t20240129_1.shtml",
        "https://sfj.huangshi.gov.cn/xxgk_17/gknr/qt/fzndbg/202401/t20240102_2.shtml",
        "https://sfj.huangshi.gov.cn/xxgk/2022.pdf",
    ]
    assert page.entries[0]["title"] == "黄石市经信局2023年政府信息公开工作年度报告"
    assert page.entries[0]["date"] == "2024-01-29"
    assert [r.url.rsplit("/", 1)[1] for r in page.requests] == ["index_1.shtml", "index_2.shtml"]
    # later pages do not plan pages again
    assert trs.parse_list(response.text, url.replace("index", "index_1"), {"page": 1}, {}).requests == []
    kept = discovery.select_reports(page.entries)
    assert [e["date"] for e in kept] == ["2024-01-29", "2022-01-10"]


def test_trs_document_writeln_list():
    html = """<html><body><script>
    var url = "./202602/t20260214_2730572.shtml"
    var title = "武汉市2025年政府信息公开工作年度报告";
    var FILENUM = "武政规〔2026〕4号"
    document.writeln("<li><a href="+url+" target=_blank>"+title+"</a>");
    document.writeln("2026-02-14 17:32");
    var url = "./202601/t20260105_1.shtml"
    var title = "2026年政务公开工作要点";
    document.writeln("<a href="+url+">"+title+"</a>");
    document.writeln("2026-01-05 09:00");
    </script>
    <script>createPageHTML(1, 0, "index", "shtml")</script></body></html>"""
    page = trs.parse_list(html, "http://www.wuhan.gov.cn/zwgk/index.shtml", {"page": 0}, {})
    assert page.entries == [
        {"url": "http://www.wuhan.gov.cn/zwgk/202602/t20260214_2730572.shtml", "title": "武汉市2025年政府信息公开工作年度报告", "date": "2026-02-14"},
        {"url": "http://www.wuhan.gov.cn/zwgk/202601/t20260105_1.shtml", "title": "2026年政务公开工作要点", "date": "2026-01-05"},
    ]
    assert page.requests == []


def test_trs_writeln_literal_markup():
    html = """<script>document.writeln("<li><a href='./202401/t20240129_9.shtml'>2023年政府信息公开工作年度报告</a><span>2024-01-29</span></li>");</script>"""
    page = trs.parse_list(html, "https://a.gov.cn/c/index.shtml", {"page": 0}, {})
    assert page.entries == [{"url": "https://a.gov.cn/c/202401/t20240129_9.shtml",
                             "title": "2023年政府信息公开工作年度报告", "date": "2024-01-29"}]


# --- Shandong /gongkai/ (rendered DOM) ------------------------------------------------------------

RENDERED = """<html><body><div id="app"><ul class="doc-list">
<li><a href="/gongkai/channel_c1534/doc_62a19db8410e00ccde4ed511.html" title="淄博市大数据局2023年政府信息公开工作年度报告">淄博市大数据局2023年…</a><span>2024-01-29</span></li>
<li><a href="/gongkai/channel_c1534/doc_62a19db8410e00ccde4ed512_c40bf8efdc4f89fdb726fece655ac213.pdf">淄博市大数据局2020年政府信息公开工作年度报告</a><span>2021-01-20</span></li>
<li><a href="/gongkai/channel_c1534/doc_62a19db8410e00ccde4ed513.html">淄博市2024年政务公开工作要点</a><span>2024-03-01</span></li>
</ul><div class="pagination"><a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=3">3</a><span>共 3 页</span></div>
<a href="/gongkai/">政府信息公开</a></div></body></html>"""


def test_gongkai_rendered_list_and_browser_paging():
    url = "https://www.zibo.gov.cn/gongkai/channel_c1534/"
    start = gongkai.first_requests(portal("gongkai", url, browser=True))
    assert start[0].browser and start[0].wait_for
    page = gongkai.parse_list(RENDERED, url, start[0].state, {})
    assert len(page.entries) == 3  # the nav link is not a list row
    assert page.entries[1]["url"].endswith(".pdf") and page.entries[1]["date"] == "2021-01-20"
    assert [(r.url, r.browser) for r in page.requests] == [
        (url + "?page=2", True), (url + "?page=3", True)]
    assert gongkai.parse_list(RENDERED, url + "?page=2", page.requests[0].state, {}).requests == []


def test_gongkai_shell_without_render_has_no_entries():
    shell = '<html><body><div id="app"></div><script src="/gongkai/js/app.js"></script></body></html>'
    page = gongkai.parse_list(shell, "https://www.zibo.gov.cn/gongkai/channel_c1534/", {"page": 1}, {})
    assert page.entries == [] and page.requests == []


# --- review fixes: real-site variants the replicas do not all exercise -----------------------------

def test_trs_pages_named_after_page_zero_when_pager_has_no_name():
    html = '<ul><li><a href="./202401/t20240129_1.html">x</a></li></ul><script>createPage(3, 0)</script>'
    url = "http://kjj.huangshi.gov.cn/xxgk/nb/index.html"
    page = trs.parse_list(html, url, {"page": 0}, {})
    assert [r.url for r in page.requests] == [url.replace("index.html", f"index_{i}.html") for i in (1, 2)]
    # with explicit arguments those win
    assert trs.page_count('createPageHTML(2, 0, "list", "shtml")', url) == (2, "list", "shtml")
    assert trs.page_count("", "https://a.gov.cn/nb/") == (1, "index", "shtml")


def test_later_list_pages_rendered_like_the_first():
    """`browser: true|false` in the seed holds for every list page of the portal, not only the first."""
    trs_start = trs.first_requests(portal("trs", "https://a.gov.cn/nb/index.shtml", browser=True))[0]
    nxt = trs.parse_list('<script>createPageHTML(2, 0, "index", "shtml")</script>', trs_start.url,
                         trs_start.state, {}).requests
    assert [r.browser for r in nxt] == [True]
    gk_start = gongkai.first_requests(portal("gongkai", "https://www.zibo.gov.cn/gongkai/channel_c1534/"))[0]
    nxt = gongkai.parse_list(RENDERED, gk_start.url, gk_start.state, {}).requests
    assert nxt and not any(r.browser for r in nxt)
    hw_start = hanweb.first_requests(portal("hanweb", "https://www.jiaxing.gov.cn/col/col33718/index.html",
                                            browser=True))[0]
    nxt = hanweb.parse_list(COLUMN, hw_start.url, hw_start.state, {"proxy": "pagenum"}).requests
    assert nxt and all(r.browser for r in nxt)
    posts = hanweb.parse_list(COLUMN, hw_start.url, hw_start.state, {}).requests
    assert posts and not any(r.browser for r in posts)          # XML proxy answers: never rendered


def test_hanweb_proxy_path_from_the_page_scripts():
    """Older JCMS: no <nextgroup> on the column page, jpage's proxyUrl names the path."""
    html = (COLUMN.replace(NEXTGROUP_LINK, "")
            .replace("jpage({", "jpage({proxyUrl:'/module/jslib/jquery/jpage/dataproxy.jsp',"))
    page = hanweb.parse_list(html, "https://www.jiaxing.gov.cn/col/col33718/index.html", {"stage": "column"}, {})
    assert [urlsplit(r.url).path for r in page.requests] == ["/module/jslib/jquery/jpage/dataproxy.jsp"]


NEXTGROUP_LINK = ('<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/'
                  '&columnid=33718&unitid=212860&webname=嘉兴市人民政府&permissiontype=0"></a>]]></nextgroup>')


def test_hanweb_list_shown_twice_still_pages():
    """PC table + mobile list of the same 15 rows: 15 listed of 20, the proxy still asked for 16-20."""
    rows = "".join(f"<li><a href='/art/2024/1/{i}/art_1_{i}.html'>r{i}</a></li>" for i in range(1, 16))
    html = (f"<table>{rows}</table><ul class='mobile'>{rows}</ul>"
            "<script>var param_9={columnid:1,unitid:'9'}; $('#9').jpage({totalRecord:20,perPage:15});</script>")
    page = hanweb.parse_list(html, "https://www.jiangsu.gov.cn/col/col1/index.html", {"stage": "column"}, {})
    assert len(page.entries) == 30
    assert [parse_qs(urlsplit(r.url).query)["startrecord"] for r in page.requests] == [["16"]]


def test_jpaas_bad_answers_are_errors_not_an_empty_list():
    url = "https://ggzy.jiaxing.gov.cn/col/col1229743509/index.html"
    req = jpaas.parse_list(JPAAS_COLUMN, url, {"stage": "column"}, {}).requests[0]
    with pytest.raises(ValueError, match="not JSON"):
        jpaas.parse_list("<html><body>系统繁忙</body></html>", req.url, req.state, {})
    with pytest.raises(ValueError, match="refused"):
        jpaas.parse_list('{"success":false,"message":"unit not found","data":null}', req.url, req.state, {})
    # rendered by the browser (host under anti-bot): the JSON inside the viewer page is read
    answer = json.dumps({"success": True, "data": {"html": (
        '<li><a href="/art/2024/1/2/art_1_2.html" title="2023年政府信息公开工作年度报告">x</a></li>')}})
    body = f"<html><head></head><body><pre>{html_escape(answer, quote=False)}</pre></body></html>"
    page = jpaas.parse_list(body, req.url, req.state, {})
    assert [e["url"] for e in page.entries] == ["https://ggzy.jiaxing.gov.cn/art/2024/1/2/art_1_2.html"]
    # the end of the list: an empty page or an empty body
    assert jpaas.parse_list("", req.url, dict(req.state, page=3), {}).requests == []


def test_gongkai_page_count_ignores_digits_of_a_wrapper_that_holds_the_list():
    html = RENDERED.replace('<div id="app">', '<div id="app" class="pageBody"><span>浏览</span><span>2024</span>')
    assert gongkai.page_count(Selector(text=html)) == 3
    huge = '<div class="pagination"><a href="?page=99999">末页</a></div>'
    assert gongkai.page_count(Selector(text=huge)) == 99999  # the spider caps what is fetched


@pytest.mark.parametrize("family, url, text, state", [
    ("trs", "https://www.hs.gov.cn/nb/index.shtml",
     '<script>createPageHTML(1000000, 0, "index", "shtml");</script>', {"page": 0}),
    ("gongkai", "https://www.zibo.gov.cn/gongkai/channel_c1/",
     '<div class="pagination"><a href="?page=1000000">末页</a></div>', {"page": 1}),
    ("hanweb", "https://www.jiaxing.gov.cn/col/col33718/index.html",
     COLUMN.replace("totalRecord:40", "totalRecord:44999957"), {"stage": "column"}),
])
def test_a_million_page_pager_is_planned_not_built(family, url, text, state):
    """len() tells the spider how many pages the pager claims (Hanweb: POSTs of 45 records after
    the 2 embedded); only the pages taken are built."""
    built = []
    adapter = {"trs": trs, "gongkai": gongkai, "hanweb": hanweb}[family]
    requests = adapter.parse_list(text, url, state, {}).requests
    assert len(requests) == 999_999
    make = requests.make
    requests.make = lambda n: built.append(n) or make(n)
    first = list(requests[:3])
    assert len(built) == 3 and len({r.url for r in first}) == 3
    assert requests[:3] == first  # equal to the list of the same requests



def test_hanweb_get_paging_without_nextgroup_builds_the_get_form():
    url = "https://www.jiaxing.gov.cn/col/col33718/index.html"
    [req] = hanweb.parse_list(COLUMN.replace(NEXTGROUP_LINK, ""), url, {"stage": "column"}, {"proxy": "get"}).requests
    assert req.method == "GET" and urlsplit(req.url).path == "/module/web/jpage/dataproxy.jsp"
    q = parse_qs(urlsplit(req.url).query)
    assert (q["page"], q["columnid"], q["unitid"]) == (["1"], ["33718"], ["212860"])


def test_hanweb_proxy_error_page_is_an_error_not_the_end_of_the_list():
    url = "https://www.jiaxing.gov.cn/col/col33718/index.html"
    [req] = hanweb.parse_list(COLUMN, url, {"stage": "column"}, {}).requests
    with pytest.raises(ValueError, match="datastore"):
        hanweb.parse_list("<html><body>访问过于频繁</body></html>", req.url, req.state, {})
    assert hanweb.parse_list("", req.url, req.state, {}).entries == []
    assert hanweb.parse_list(PROXY, req.url, req.state, {}).entries
