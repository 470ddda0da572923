"""The replicas themselves behave like the real portals (docs/families.md) and the renderers
produce real HTML/PDF/DOCX. Own ReplicaSet per module: the injected failures (500 twice) and
modify() must not leak into other owners' session fixture."""
from __future__ import annotations

import io
import json
import re
import time
import urllib.error
import urllib.request
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlencode

import pytest
import yaml
from parsel import Selector

from gicrawler.replicas import ReplicaSet, layouts, samples, writers
from gicrawler.replicas.huangshi import COOKIE, Huangshi


@pytest.fixture(scope="module")
def rs():
    replicas = ReplicaSet.start()
    yield replicas
    replicas.stop()


def fetch(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


# --------------------------------------------------------------------------- render

def _cells(html, text):
    return Selector(text=html).xpath(f"//td[contains(normalize-space(.), '{text}')]")


def test_render_html_tables_have_real_spans():
    sample = samples.load_sample("003")
    assert sample.record["template"] == "2019"
    html = writers.table_html("applications", sample.record["tables"], "2019")
    assert _cells(html, "三、本年度办理结果").attrib["rowspan"] == "20"
    assert _cells(html, "不予公开").attrib["rowspan"] == "8"
    assert _cells(html, "法人或其他组织").attrib["colspan"] == "5"
    assert _cells(html, "申请人情况").attrib["colspan"] == "7"
    html21 = writers.table_html("applications", samples.load_sample("001").record["tables"], "2021")
    assert _cells(html21, "三、本年度办理结果").attrib["rowspan"] == "22"
    assert _cells(html21, "其他处理").attrib["rowspan"] == "3"
    review = writers.table_html("review_litigation", sample.record["tables"], "2019")
    assert "&nbsp;" not in review  # all numbers present
    blank = writers.table_html("active", {"active": {"regulations": {"made": None}}}, "2019")
    assert "&nbsp;" in blank


def test_expanded_grid_carries_the_sample_values():
    sample = samples.load_sample("003")
    grid = layouts.expand_layout(layouts.table_layout("applications", sample.record["tables"], "2019"))
    assert all(len(row) == 10 for row in grid)
    received = next(row for row in grid if row[0].startswith("一、本年新收"))
    assert received[3:] == ["1330", "45", "17", "5", "1", "1", "1399"]
    denied = [row for row in grid if row[1] == "（三）不予公开"]
    assert len(denied) == 8 and denied[4][2] == "5.属于三类内部事务信息" and denied[4][3] == "18"
    active = layouts.expand_layout(layouts.table_layout("active", sample.record["tables"], "2019"))
    assert ["行政事业性收费", "100", "+38", "+38"] in active
    assert ["政府集中采购", "3113", "631972.7378", "631972.7378"] in active


def test_render_pdf_and_docx_parse():
    import docx
    import pdfplumber

    sample = samples.load_sample("003")
    pdf = writers.report_pdf(sample.record, sample.paragraphs, **sample.options)
    assert pdf.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
        tables = [t for page in doc.pages for t in page.extract_tables()]
    assert "淄博市2020年政府信息公开工作年度报告" in text and "326417" in text
    assert any(row and row[0] == "规范性文件" and row[1:] == ["127", "127", "1443"] for t in tables for row in t)
    document = docx.Document(io.BytesIO(writers.report_docx(sample.record, sample.paragraphs, **sample.options)))
    assert len(document.tables) == 3
    apps = document.tables[1]
    assert apps.cell(5, 0).text == apps.cell(24, 0).text == "三、本年度办理结果"   # merged down 20 rows
    assert [apps.cell(3, c).text for c in range(3, 10)] == ["1330", "45", "17", "5", "1", "1", "1399"]


def test_sample_000_shows_tables_as_images_and_001_keeps_debris():
    s0 = samples.load_sample("000")
    html = writers.body_html(s0.record, s0.paragraphs, **s0.options)
    sel = Selector(text=html)
    assert len(sel.css("table")) == 1 and len(sel.css("img")) == 2
    s1 = samples.load_sample("001")
    html1 = writers.body_html(s1.record, s1.paragraphs, **s1.options)
    assert "數(shù)據(jù)" in html1 and "申請(qǐng)人情況" in html1
    assert len(Selector(text=html1).css("table")) == 3


# --------------------------------------------------------------------------- whole set

def test_expected_reports_and_seeds_file(rs, tmp_path):
    expected = rs.expected
    assert set(expected) == {"zibo", "jiaxing", "jiaxing_jpaas", "huangshi", "gkmlpt", "govcn", "govcn_state",
                             "beijing_huairou", "beijing_miyun", "ucap", "webbuilder"}
    reports = [r for portal in expected.values() for r in portal.values()]
    assert len(reports) >= 20
    assert {r["template"] for r in reports} == {"2019", "2021"}
    assert sum(not r["checks_ok"] for r in reports) >= 3
    assert all(re.search(r"\d{4}年度?政府信息公开工作\s*年度报告$", r["title"]) for r in reports)
    assert {r["sample"] for r in reports} >= {"000", "001", "002", "003", "004"}
    data = yaml.safe_load(open(rs.write_seeds(tmp_path / "s.yaml"), encoding="utf-8"))
    entries = {p["name"]: p for p in data["portals"]}
    assert set(entries) == set(expected)
    assert entries["zibo"]["browser"] is True and entries["huangshi"]["antibot_browser"] is True
    for entry in entries.values():
        assert entry["allowed_domains"] == ["127.0.0.1"]
        assert all(u.startswith(rs.bases[entry["name"]]) for u in entry["index_urls"])


def test_same_bytes_every_run(rs):
    other = ReplicaSet.start()
    try:
        ours = {u.split("/", 3)[3]: r["title"] for p in rs.expected.values() for u, r in p.items()}
        theirs = {u.split("/", 3)[3]: r["title"] for p in other.expected.values() for u, r in p.items()}
        assert ours == theirs
        url = next(iter(rs.expected["huangshi"]))
        path = url.split("/", 3)[3]
        assert fetch(url)[2] == fetch(other.bases["huangshi"] + "/" + path)[2]
        pdf_page = next(u for u, r in rs.expected["zibo"].items() if r["delivery"] == "html+pdf")
        pdf = Selector(text=fetch(pdf_page)[2].decode()).css(".doc-files a::attr(href)").get()
        ours_pdf = fetch(pdf_page.rsplit("/", 1)[0] + "/" + pdf)[2]
        theirs_pdf = fetch(pdf_page.rsplit("/", 1)[0].replace(rs.bases["zibo"], other.bases["zibo"]) + "/" + pdf)[2]
        assert ours_pdf.startswith(b"%PDF") and ours_pdf == theirs_pdf
    finally:
        other.stop()


def test_robots_and_request_log(rs):
    rs.reset_log()
    status, headers, body = fetch(rs.bases["zibo"] + "/robots.txt", headers={"User-Agent": "gicrawler-test"})
    assert status == 200 and b"Disallow: /admin/" in body and b"/gongkai" not in body
    (portal, method, path, hdrs), = rs.requests
    assert (portal, method, path) == ("zibo", "GET", "/robots.txt") and hdrs["User-Agent"] == "gicrawler-test"


# --------------------------------------------------------------------------- 淄博 /gongkai/

def test_zibo_shell_and_json_list(rs):
    entry = next(e for e in rs.seed_entries() if e["name"] == "zibo")
    index = entry["index_urls"][0]
    status, headers, shell = fetch(index)
    assert status == 200 and b"doc_" not in shell and b"list.json" in shell
    seen, titles = set(), set()
    page = 1
    while True:
        _, h, body = fetch(index + f"list.json?page={page}&pageSize=6")
        data = json.loads(body)
        assert h["Content-Type"].startswith("application/json")
        if not data["docs"]:
            break
        assert data["pageCount"] == 3
        for doc in data["docs"]:
            seen.add(doc["url"] if doc["url"].startswith("http") else rs.bases["zibo"] + doc["url"])
            titles.add(doc["title"])
        page += 1
    assert page == 4
    assert set(rs.expected["zibo"]) <= seen
    assert any("工作要点" in t for t in titles) and any("指南" in t for t in titles)
    assert any(u.startswith("http://localhost:") for u in seen) and any("www.gov.cn" in u for u in seen)
    dead = [u for u in seen if u.startswith(rs.bases["zibo"]) and "2019年" in u] or [
        rs.bases["zibo"] + rs.portals["zibo"].dead_url]
    assert fetch(dead[0])[0] == 404


def test_zibo_detail_labels_and_attachment(rs):
    url = next(u for u, r in rs.expected["zibo"].items() if r["delivery"] == "html+pdf")
    _, headers, body = fetch(url)
    sel = Selector(text=body.decode("utf-8"))
    assert sel.css("meta[name=ArticleTitle]::attr(content)").get() == rs.expected["zibo"][url]["title"]
    text = " ".join(sel.css(".gk-info ::text").getall())
    for label in ("标题", "索引号", "文号", "发文日期", "发布机构"):
        assert label in text
    pdf = sel.css(".doc-files a::attr(href)").get()
    assert re.fullmatch(r"doc_[0-9a-f]{24}_[0-9a-f]{32}\.pdf", pdf)
    status, h, data = fetch(url.rsplit("/", 1)[0] + "/" + pdf)
    assert status == 200 and data.startswith(b"%PDF") and h["Content-Type"] == "application/pdf" and "ETag" in h


# --------------------------------------------------------------------------- 嘉兴 Hanweb / JPaaS

def _records(xml: str) -> list[str]:
    return re.findall(r"""href=["']([^"']+)["']""", "".join(re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", xml, re.S)))


def test_jiaxing_jpage_column_and_proxy(rs):
    base = rs.bases["jiaxing"]
    entry = next(e for e in rs.seed_entries() if e["name"] == "jiaxing")
    column = fetch(entry["index_urls"][0])[2].decode()
    total = int(re.search(r"totalRecord:(\d+)", column).group(1))
    per = int(re.search(r"perPage:(\d+)", column).group(1))
    assert total >= 11 and len(_records(column)) == per and '<script type="text/xml">' in column
    p = entry["params"]
    form = {"col": 1, "appid": 1, "webid": p["webid"], "path": "/", "columnid": p["columnid"],
            "sourceContentType": 1, "unitid": p["unitid"], "webname": "嘉兴市人民政府", "permissiontype": 0}
    status, headers, body = fetch(f"{base}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord={3 * per}"
                                  f"&perpage={per}", data=urlencode(form).encode())
    xml = body.decode()
    assert status == 200 and f"<totalrecord>{total}</totalrecord>" in xml
    assert f"<totalpage>{-(-total // per)}</totalpage>" in xml
    # the real answer's shape: no declaration, no <nextgroup>, <b readlabel> dates, three screens
    # plus one row whatever endrecord asks
    assert xml.startswith("<datastore>") and "<nextgroup>" not in xml and '<b readlabel="' in xml
    got = _records(xml)
    assert len(got) == min(total, 3 * per + 1)
    asked_less = fetch(f"{base}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=2&perpage={per}",
                       data=urlencode(form).encode())[2].decode()
    assert _records(asked_less) == got
    by_get = []
    for page in range(1, -(-total // per) + 1):
        q = urlencode({"page": page, "appid": 1, "webid": p["webid"], "path": "/", "columnid": p["columnid"],
                       "unitid": p["unitid"], "webname": "嘉兴市人民政府", "permissiontype": 0})
        by_get += _records(fetch(f"{base}/module/web/jpage/dataproxy.jsp?{q}")[2].decode())
    assert len(by_get) == total and by_get[:len(got)] == got
    absolute = {("http:" + u if u.startswith("//") else u if u.startswith("http") else base + u) for u in by_get}
    assert {u for u in rs.expected["jiaxing"] if f"_{p['columnid']}_" in u} <= absolute
    assert any(u.startswith("//127.0.0.1") for u in by_get)      # protocol-relative hrefs
    wrong = dict(form, unitid="1")
    empty = fetch(f"{base}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=15&perpage=5",
                  data=urlencode(wrong).encode())[2].decode()
    assert "<record>" not in empty and "<totalrecord>" not in empty
    paged = fetch(entry["index_urls"][0] + f"?uid={p['unitid']}&pageNum=2")[2].decode()
    assert _records(paged) == by_get[per:2 * per]


def test_jiaxing_encrypted_column_embeds_everything(rs):
    entry = next(e for e in rs.seed_entries() if e["name"] == "jiaxing")
    column = fetch(entry["index_urls"][1])[2].decode()
    hrefs = _records(column)
    assert int(re.search(r"totalRecord:(\d+)", column).group(1)) > len(hrefs)
    nextgroup = re.search(r"<nextgroup><!\[CDATA\[<a href=\"([^\"]+)\"", column).group(1)
    assert "columnid=L2hN" in nextgroup
    status, _, body = fetch(rs.bases["jiaxing"] + nextgroup)
    assert status == 200 and b"<record>" not in body and len(body) < 60
    col = re.search(r"/col/col(\d+)/", entry["index_urls"][1]).group(1)
    assert {rs.bases["jiaxing"] + h for h in hrefs} >= {u for u in rs.expected["jiaxing"] if f"_{col}_" in u}


def test_jiaxing_detail_markers_and_downfile_kinds(rs):
    """Details in the real 丽水 markup (tests/files/hanweb/lishui-…html), values changed."""
    reports = rs.expected["jiaxing"]
    url = next(u for u, r in reports.items() if r["delivery"] == "html+docx")
    assert re.search(r"/art/\d{4}/[1-9]\d?/[1-9]\d?/art_\d+_\d+\.html$", url)
    html = fetch(url)[2].decode()
    assert 'class="xxgk_article"' in html and 'class="zoom"' in html and "<TABLE WIDTH=100%" in html
    assert re.search(r"<td [^>]*>索引号</td>\s*<td [^>]*>[^<]+</td>", html)
    assert "发布时间：" in html and "信息来源：" in html
    links = re.findall(r'href="(/module/download/downfile\.jsp\?classid=0&amp;filename=[0-9a-f]{32}\.(\w+))"', html)
    assert {ext for _, ext in links} == {"docx", "doc", "wps", "xls"}
    docx_link = next(h for h, ext in links if ext == "docx").replace("&amp;", "&")
    status, headers, data = fetch(rs.bases["jiaxing"] + docx_link)
    assert status == 200 and data[:2] == b"PK" and "wordprocessingml" in headers["Content-Type"]
    pdf_only = next(u for u, r in reports.items() if r["delivery"] == "pdf_only")
    page = fetch(pdf_only)[2].decode()
    assert "<table" not in page.split('class="zoom"')[1] and "filename=" in page


def test_jiaxing_newer_template_column_and_querylist(rs):
    """The third column in the real 江西 newer-template markup: <base href>, loadPageData params,
    the first items embedded as listData, the size as articleCount; POST /queryList for the rest."""
    from gicrawler.families import hanweb

    base = rs.bases["jiaxing"]
    entry = next(e for e in rs.seed_entries() if e["name"] == "jiaxing")
    column = fetch(entry["index_urls"][2])[2].decode()
    assert '<base href="/' in column and "text/x-handlebars-template" in column and "loadPageData(params" in column
    params = hanweb.loadpage_params(column)
    count = int(re.search(r'"articleCount": (\d+)', column).group(1))
    embedded = re.findall(r'\\"pc\\": \\"([^\\]+)\\"', column.split("var listData")[1])
    found = list(embedded)
    for current in range(2, -(-count // int(params["perPage"])) + 1):
        form = {"current": current, "pageSize": params["perPage"], "webSiteCode[]": params["webSiteCode"][0],
                "channelCode[]": params["channelCode"][0], "unitid": params["unitid"]}
        answer = json.loads(fetch(base + "/queryList", data=urlencode(form).encode())[2])
        found += [json.loads(r["source"]["urls"])["pc"] for r in answer["data"]["results"]]
    assert len(set(found)) == count > len(embedded)
    mine = {u for u in rs.expected["jiaxing"] if "/content/content_" in u}
    assert mine and {base + u for u in found} >= mine
    wrong = dict(form, **{"channelCode[]": "col1"})
    assert json.loads(fetch(base + "/queryList", data=urlencode(wrong).encode())[2])["data"]["results"] == []


def test_jiaxing_500_twice_then_ok(rs):
    url = rs.portals["jiaxing"].flaky_url
    assert [fetch(url)[0] for _ in range(3)] == [500, 500, 200]
    assert fetch(url)[0] == 200


def test_jpaas_unit_api(rs):
    base = rs.bases["jiaxing_jpaas"]
    entry = next(e for e in rs.seed_entries() if e["name"] == "jiaxing_jpaas")
    column = fetch(entry["index_urls"][0])[2].decode()
    assert "unitbuild.js" in column and "queryData=" in column and "/art_" not in column
    rows = int(re.search(r'rows="(\d+)"', column).group(1))
    p = entry["params"]
    found, page = [], 1
    while True:
        q = {"parseType": "bulidstatic", "webId": p["webId"], "tplSetId": p["tplSetId"], "pageType": "column",
             "tagId": p["tagId"], "editType": "null", "pageId": p["pageId"],
             "paramJson": json.dumps({"pageNo": page, "pageSize": rows})}
        data = json.loads(fetch(f"{base}/api-gateway/jpaas-publish-server/front/page/build/unit?{urlencode(q)}")[2])
        assert data["success"] is True
        if not data["data"]["html"]:
            break
        found += Selector(text=data["data"]["html"]).css("li.wb-data-list a::attr(href)").getall()
        page += 1
    assert page == 3
    assert {base + u for u in found} >= set(rs.expected["jiaxing_jpaas"])
    assert all(re.search(r"/col/col\d+/art/\d{4}/art_[0-9a-f]{32}\.html$", u) for u in rs.expected["jiaxing_jpaas"])
    bare = json.loads(fetch(f"{base}/api-gateway/jpaas-publish-server/front/page/build/unit?webId=1")[2])
    assert bare["success"] is False


# --------------------------------------------------------------------------- 黄石 TRS, GBK, 412

def test_huangshi_trs_column_is_gbk_listmodel_and_its_api(rs):
    """The column in the real 平潭 "动静结合" markup (tests/files/trs/pingtan-zfxxgknb-list.html),
    GBK: a static first page (dates in the sibling <dd>), listModel's arguments, the list API."""
    base = rs.bases["huangshi"]
    status, headers, body = fetch(base + "/xxgk_17/gknr/qt/fzndbg/index.shtml")
    assert headers["Content-Type"] == "text/html"          # charset only in the <meta>
    assert b'charset=gbk' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert 'quickMode: "动静结合"' in text and "list2.trsapi" in text and "createPageHTML" not in text
    total = int(re.search(r"recordCount: '(\d+)'", text).group(1))
    per = int(re.search(r"prepage: (\d+)", text).group(1))
    channel = re.search(r"searchId: (\d+)", text).group(1)
    classsql = re.search(r'classsql: "" \|\| "([^"]+)"', text).group(1)
    sel = Selector(text=text)
    static = sel.xpath("//div[@ms-visible='showStatic']/dl")
    assert len(static) == per < total
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", dl.xpath("normalize-space(dd[2])").get()) for dl in static)
    links = [dl.xpath("dd[1]/a/@href").get() for dl in static]
    for page in range(2, -(-total // per) + 1):
        form = {"channelid": channel, "classsql": classsql, "sortfield": "-docorderpri,-docreltime",
                "page": page, "prepage": per}
        answer = json.loads(fetch(base + "/fjdzapp/search", data=urlencode(form).encode())[2])
        assert answer["pageCount"] == -(-total // per)
        links += [row["chnldocurl"] for row in answer["data"]]
    assert len(links) == total and all(re.fullmatch(r"\./\d{6}/t\d{8}_\d+\.shtml", u) for u in links)
    column = {u for u in rs.expected["huangshi"] if "/xxgk_17/" in u}
    assert {base + "/xxgk_17/gknr/qt/fzndbg/" + u[2:] for u in links} >= column
    wrong = json.loads(fetch(base + "/fjdzapp/search", data=urlencode(dict(form, channelid="1")).encode())[2])
    assert wrong["data"] == []
    # details: the 平潭 article header line, an empty ContentSource; the 4-column table where there is an 索引号
    pages = {u: fetch(u)[2].decode("gbk") for u in sorted(column)}
    for url, detail in pages.items():
        assert '<meta name="ContentSource" content="">' in detail and "TRS_UEDITOR" in detail
        assert '<span class="article_source">来源：' in detail and '<span class="article_time bf-pass">时间：' in detail
        has_table = "索\u3000引\u3000号" in detail
        assert has_table == bool(rs.expected["huangshi"][url]["index_number"])
        if has_table:
            assert "文&nbsp;&nbsp;&nbsp;&nbsp;号" in detail
    assert not all("索\u3000引\u3000号" in d for d in pages.values())


def test_huangshi_412_challenge_and_cookie(rs):
    portal = rs.portals["huangshi"]
    url = rs.bases["huangshi"] + "/xxgk/fdzdgknr/zfxxgknb/index.shtml"
    status, headers, body = fetch(url)
    assert status == 412
    sel = Selector(text=body.decode())
    content = sel.xpath("//meta[2]/@content").get()
    assert sel.xpath("//meta[2]/@r").get() == "m" and len(content) > 40
    script = sel.xpath("//script[not(@src)]/text()").get()
    assert script.startswith("$_ts=") and sel.xpath("//script/@src").get().endswith(".js")
    cd = re.search(r'\$_ts\.cd="(\w+)"', script).group(1)
    cookie = f"{COOKIE}={content}.{Huangshi.token(content, cd)}"
    status, _, body = fetch(url, headers={"Cookie": cookie})
    assert status == 200 and "document.writeln" in body.decode("gbk")
    tampered = cookie[:-1] + ("y" if cookie.endswith("x") else "x")   # base36: never the same char
    assert fetch(url, headers={"Cookie": tampered})[0] == 412
    value = cookie.split("=", 1)[1]
    assert portal.cookie_ok(value) and not portal.cookie_ok(value, now=time.time() + 120)
    assert fetch(rs.bases["huangshi"] + "/xxgk_17/gknr/qt/fzndbg/index.shtml")[0] == 200   # other prefix: open


def _browse(rs) -> tuple[list[str], str]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            page = browser.new_page()
            page.goto(rs.bases["huangshi"] + "/xxgk/fdzdgknr/zfxxgknb/index.shtml")
            page.wait_for_selector("ul.info-list a", timeout=15000)
            titles = page.eval_on_selector_all("ul.info-list a", "els => els.map(e => e.textContent)")
            zibo = next(e for e in rs.seed_entries() if e["name"] == "zibo")["index_urls"][0]
            page.goto(zibo + "?page=3")
            page.wait_for_selector("ul.doc-list a", timeout=15000)
            return titles, page.inner_text(".pager")
        finally:
            browser.close()


@pytest.mark.browser
def test_browser_passes_challenge_and_renders_js_lists(rs):
    from concurrent.futures import ThreadPoolExecutor

    rs.reset_log()
    with ThreadPoolExecutor(1) as pool:   # the sync API needs a thread without the test's asyncio loop
        titles, pager = pool.submit(_browse, rs).result(timeout=60)
    assert any("年度报告" in t for t in titles) and any("工作要点" in t for t in titles)
    assert "共 3 页" in pager
    hs = [(status_path) for portal, _, status_path, _ in rs.requests if portal == "huangshi"]
    assert hs.count("/xxgk/fdzdgknr/zfxxgknb/index.shtml") == 2      # 412, then the real page
    assert any(p.endswith(".js") for p in hs)


# --------------------------------------------------------------------------- conditional GET, modify

def test_etag_last_modified_304_and_modify(rs):
    url = next(iter(rs.expected["jiaxing_jpaas"]))
    status, headers, body = fetch(url)
    etag, lm = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag
    assert fetch(url, headers={"If-None-Match": etag})[0] == 304
    assert fetch(url, headers={"If-Modified-Since": lm})[0] == 304
    earlier = format_datetime(parsedate_to_datetime(lm).replace(year=2000), usegmt=True)
    assert fetch(url, headers={"If-Modified-Since": earlier})[0] == 200
    rs.modify(url)
    status, headers2, body2 = fetch(url, headers={"If-None-Match": etag})
    assert status == 200 and headers2["ETag"] != etag and body2 != body and "更正说明" in body2.decode()
    assert parsedate_to_datetime(headers2["Last-Modified"]) > parsedate_to_datetime(lm)
    assert fetch(url, headers={"If-Modified-Since": lm})[0] == 200
    with pytest.raises(KeyError):
        rs.modify(rs.bases["jiaxing"] + "/no/such/page.html")


# --------------------------------------------------------------------------- scaled

def test_scaled_replica_serves_many_reports():
    big = ReplicaSet.start(scale=300)
    try:
        (name, reports), = big.expected.items()
        assert len(reports) == 300 and set(big.bases) == {name}
        entry, = big.seed_entries()
        first = fetch(entry["index_urls"][0])[2].decode()
        pages = int(re.search(r"createPageHTML\((\d+),", first).group(1))
        assert pages >= 15
        last = fetch(entry["index_urls"][0].replace("index.shtml", f"index_{pages - 1}.shtml"))
        assert last[0] == 200
        url = next(iter(reports))
        status, headers, _ = fetch(url)
        assert status == 200 and fetch(url, headers={"If-None-Match": headers["ETag"]})[0] == 304
        assert fetch(entry["index_urls"][0].replace("index.shtml", f"index_{pages}.shtml"))[0] == 404
    finally:
        big.stop()
