"""The WebBuilder adapter, built only on documented facts (tests/files/webbuilder/README.md: no
page or answer of the platform was saved; ``webbuilder.VERIFIED``): the REST list, the shell's REST
detail call, and the spider fetching what ``detail_requests`` names into one report item."""
from __future__ import annotations

import json

import pytest
from scrapy.http import FormRequest, HtmlResponse, Request, TextResponse
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from gicrawler.families import webbuilder
from gicrawler.parsing import parse_report
from gicrawler.replicas import writers
from gicrawler.replicas.samples import load_sample

SITE = "https://www.songjiang.gov.cn"
GUID = "96720749-b930-4182-982f-3ae31d6b686d"
SITE_INFO = '<script>var siteInfo = {siteGuid: "7eb5f7f1-9041-43ad-8e13-8fcb82ea831a", projectName: "/shsj-application-front"};</script>'
COLUMN = f"<html><head>{SITE_INFO}</head><body><ul id=infolist></ul></body></html>"
SHELL = f'<html><head><title>上海市松江区人民政府</title>{SITE_INFO}</head><body><div id="info_spnContent"></div></body></html>'
SHELL_URL = f"{SITE}/xxgk/showinfo.html?infoGuid={GUID}&categoryNum=001008003"
DETAIL_API = f"{SITE}/shsj-application-front/rest/frontAppNotNeedLoginAction/getGovInfoDetail"


def test_facts_are_unverified():
    assert webbuilder.VERIFIED and not any(webbuilder.VERIFIED.values())


def test_column_page_starts_the_rest_list():
    page = webbuilder.parse_list(COLUMN, SITE + "/xxgk/zfxxgknb/index.html", {"stage": "column"},
                                 {"categorynum": "001008003"})
    [req] = page.requests
    assert (req.url, req.method) == (f"{SITE}/shsj-application-front/rest/lightfrontaction/getgovinfolist", "POST")
    assert json.loads(req.formdata["params"]) == {"deptcode": "", "categorynum": "001008003",
                                                  "siteGuid": "7eb5f7f1-9041-43ad-8e13-8fcb82ea831a",
                                                  "pageIndex": 0, "pageSize": 20}
    assert req.headers == {"X-Requested-With": "XMLHttpRequest", "Referer": SITE + "/xxgk/zfxxgknb/index.html"}
    with pytest.raises(ValueError, match="siteGuid"):
        webbuilder.parse_list("<html></html>", SITE + "/x.html", {"stage": "column"}, {})
    guid = webbuilder.parse_list("<html></html>", SITE + "/x.html", {"stage": "column"},
                                 {"siteGuid": "g-1", "project": "shcm-cms"}).requests[0]
    assert guid.url == f"{SITE}/shcm-cms/rest/lightfrontaction/getgovinfolist"


def test_list_answer_rows_pages_and_end():
    [req] = webbuilder.parse_list(COLUMN, SITE + "/xxgk/zfxxgknb/index.html", {"stage": "column"}, {}).requests
    rows = {"custom": {"data": [{"infourl": f"/xxgk/showinfo.html?infoGuid={GUID}", "title": "上海市松江区2025年…",
                                 "realtitle": "上海市松江区2025年政府信息公开工作年度报告", "infodate": "2026-02-12"}]}}
    page = webbuilder.parse_list(json.dumps(rows, ensure_ascii=False), req.url, req.state, {})
    assert page.entries == [{"url": f"{SITE}/xxgk/showinfo.html?infoGuid={GUID}",
                             "title": "上海市松江区2025年政府信息公开工作年度报告", "date": "2026-02-12"}]
    [nxt] = page.requests
    assert json.loads(nxt.formdata["params"])["pageIndex"] == 1
    assert webbuilder.parse_list(json.dumps(rows, ensure_ascii=False), nxt.url, nxt.state, {}).requests == []  # repeated
    assert webbuilder.parse_list('{"custom": {"data": []}}', nxt.url, nxt.state, {}).requests == []
    with pytest.raises(ValueError, match="refused"):
        webbuilder.parse_list('{"custom": {"status": "false", "text": "x"}}', nxt.url, nxt.state, {})
    with pytest.raises(ValueError, match="not JSON"):
        webbuilder.parse_list("<html>error</html>", nxt.url, nxt.state, {})


def answer(**data) -> str:
    return json.dumps({"custom": {"status": "true", "data": {"title": "上海市松江区2025年政府信息公开工作年度报告",
                                                            "infodate": "2026-02-12", **data}}}, ensure_ascii=False)


def test_shell_asks_the_detail_and_the_answer_its_files():
    [req] = webbuilder.detail_requests(SHELL, SHELL_URL, {}, {})
    assert (req.url, req.method, req.state["kind"]) == (DETAIL_API, "POST", "json")
    assert json.loads(req.formdata["params"]) == {"infoGuid": GUID, "siteGuid": "7eb5f7f1-9041-43ad-8e13-8fcb82ea831a"}
    assert req.headers["Referer"] == SHELL_URL and req.headers["X-Requested-With"] == "XMLHttpRequest"
    body = answer(infotype="pdf", infocontent="<p>详见附件。</p>",
                  pdflist=[{"attachname": "年报.pdf", "attachurl": "/shsj-application-front/WebBuilderDS/a.pdf"}])
    [pdf] = webbuilder.detail_requests(body, req.url, req.state, {})
    assert (pdf.url, pdf.method, pdf.state["kind"]) == (f"{SITE}/shsj-application-front/WebBuilderDS/a.pdf", "GET", "pdf")
    assert webbuilder.detail_requests("<html>not a shell</html>", SITE + "/xxgk/a.html", {}, {}) == []
    # a uuid in the path names the info too; a page without the shell's markers is a page, not a shell
    path_url = f"{SITE}/govxxgk/SHSJ43/2026-02-12/{GUID}.html"
    [by_path] = webbuilder.detail_requests(SHELL, path_url, {}, {})
    assert json.loads(by_path.formdata["params"])["infoGuid"] == GUID
    static = f"<html><head>{SITE_INFO}</head><body><div id=zoom>一、总体情况</div></body></html>"
    assert webbuilder.detail_requests(static, path_url, {}, {}) == []


def test_detail_answer_is_parsed_as_the_report():
    sample = load_sample("004")
    body = answer(infocontent=writers.body_html(sample.record, sample.paragraphs, **sample.options))
    record = parse_report(body.encode(), content_type="application/json;charset=utf-8", url=DETAIL_API)
    assert (record["title"], record["published"], record["format"]) == (
        "上海市松江区2025年政府信息公开工作年度报告", "2026-02-12", "html")
    assert record["tables"] == sample.record["tables"]
    # an answer of another shape is left to the text reader
    assert parse_report(b'{"data": [1, 2]}', content_type="application/json")["format"] == "text"


SEEDS = f"""
portals:
  - name: sj
    family: webbuilder
    index_urls: [{SITE}/xxgk/zfxxgknb/index.html]
    allowed_domains: [songjiang.gov.cn]
"""


def test_spider_fetches_the_detail_requests_into_one_item(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    cls = SpiderLoader.from_settings(get_project_settings()).load("reports")
    crawler = get_crawler(cls, get_project_settings().copy_to_dict())
    spider = cls.from_crawler(crawler, seeds=str(path))
    portal = spider.by_name["sj"]
    request = spider.report_request(portal, {"url": SHELL_URL, "title": "t", "date": None}, SITE + "/xxgk/")
    rest = spider.parse_report(HtmlResponse(SHELL_URL, body=SHELL.encode(), request=request))
    assert isinstance(rest, FormRequest) and rest.url == DETAIL_API and rest.method == "POST"
    assert rest.headers[b"X-Requested-With"] == b"XMLHttpRequest" and b"params=" in rest.body
    body = answer(infotype="pdf", infocontent="<p>详见附件。</p>",
                  pdflist=[{"attachname": "年报.pdf", "attachurl": "/WebBuilderDS/a.pdf"}]).encode()
    pdf = spider.parse_attachment(TextResponse(DETAIL_API, body=body, request=rest,
                                               headers={"Content-Type": "application/json"}))
    assert isinstance(pdf, Request) and pdf.url == SITE + "/WebBuilderDS/a.pdf" and pdf.method == "GET"
    item = spider.parse_attachment(TextResponse(pdf.url, body=b"%PDF-1.4 x", request=pdf))
    assert item["url"] == SHELL_URL and item["body"] == SHELL.encode()
    assert [(a["url"], a["kind"], a["size"]) for a in item["attachments"]] == [
        (DETAIL_API, "json", len(body)), (SITE + "/WebBuilderDS/a.pdf", "pdf", 10)]
    state = rest.meta["attachment"]["request"].state
    # a refused answer: recorded in the stats, the report item still comes
    failed = spider._detail_requests(item, portal, '{"custom": {"status": "false"}}', DETAIL_API, state, 0)
    assert failed == [] and crawler.stats.get_value("gicrawler/sj/detail_errors") == 1
    # files an answer names count against GICRAWLER_MAX_ATTACHMENTS with what the item has already
    many = answer(pdflist=[{"attachurl": f"/f/{n}.pdf"} for n in range(30)] + [{"attachurl": "https://evil.example.com/x.pdf"}])
    item["attachments"] = item["attachments"][:1]
    queued = spider._detail_requests(item, portal, many, DETAIL_API, state, 0)
    assert len(queued) == spider.max_attachments - 1
    skipped = [a["skipped"] for a in item["attachments"] if "skipped" in a]
    assert len(skipped) == 31 - len(queued) and sum("offsite" in s for s in skipped) == 1
