"""The 开普云 (Ucap) search adapter: the site code read from real saved pages (tests/files), the
search requests and answers as public code describes them (docs/families.md, ucap; unverified)."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from gicrawler.families import ucap
from gicrawler.seeds import Portal

FILES = Path(__file__).parent / "files"

# SiteIDCode of every real saved page that carries one, read by hand (the pages' READMEs)
SITE_CODES = {
    "ucap/gansu-jyt-c110634-list.html": "6200000068",
    "ucap/gansu-fzgg-detail.html": "6200000079",      # its footer still links site_code=3407000003 (铜陵)
    "ucap/gansu-scjg-c110159-2032457.html": "6200000052",   # then a second, misspelt meta (concent=)
    "hanweb/jiangxi-sthjt-col42150-list.html": "3600000076",
    "hanweb/lishui-szf-art_1229283449_2493752.html": "3311000012",
    "trs/pingtan-zfxxgknb-list.html": "3590000001",
    "trs/pingtan-detail-t20141210_80787.html": "3590000001",
}


def page(name: str) -> str:
    return (FILES / name).read_bytes().decode("utf-8")


@pytest.mark.parametrize("name", sorted(SITE_CODES))
def test_site_code_of_real_pages(name):
    assert ucap.site_code(page(name)) == SITE_CODES[name]


def test_site_code_comes_from_the_meta_not_a_stale_jiucuo_link():
    text = page("ucap/gansu-fzgg-detail.html")
    assert "site_code=3407000003" in text
    assert ucap.site_code(text) == "6200000079"
    assert ucap.site_code("<html><head><title>x</title></head></html>") is None


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def test_real_gansu_page_plans_one_search_per_publication_year_on_its_own_search_path():
    url = "https://jyt.gansu.gov.cn/jyt/c110634/zwgklist.shtml"
    result = ucap.parse_list(page("ucap/gansu-jyt-c110634-list.html"), url, {"stage": "site"}, {"years": "2022-2024"})
    assert result.entries == []
    # the page's own search box opens /guestweb4/s?siteCode=6200000068&searchWord=…
    assert {urlsplit(r.url)[:3] for r in result.requests} == {("https", "jyt.gansu.gov.cn", "/guestweb4/s")}
    windows = [(query(r.url)["startTime"], query(r.url)["endTime"]) for r in result.requests]
    assert windows == [(f"{y}-01-01 00:00:00", f"{y}-12-31 23:59:59") for y in (2023, 2024, 2025)]
    q = query(result.requests[0].url)
    assert (q["siteCode"], q["pageNum"], q["pageSize"], q["timeStamp"]) == ("6200000068", "0", "10", "5")
    # the words go out percent-encoded twice: decoding the query once still leaves %XX escapes
    assert q["searchWord"].startswith("%E5") and unquote(q["searchWord"]) == "年度报告"
    assert unquote(q["column"]) == "政务公开" and q["govWorkBean"] == "%7B%7D"


def test_site_code_in_params_skips_the_page_and_search4_is_the_default():
    portal = Portal(name="t", family="ucap", index_urls=("https://www.xinyu.gov.cn/",), allowed_domains=("xinyu.gov.cn",),
                    params={"site_code": "3605000002", "years": [2023]})
    [req] = ucap.first_requests(portal)
    assert req.url.startswith("https://www.xinyu.gov.cn/search4/s?searchWord=%25E5%25B9%25B4")
    q = query(req.url)
    assert (q["siteCode"], q["startTime"], unquote(q["column"]), q["manualWord"]) == (
        "3605000002", "2024-01-01 00:00:00", "全部", q["searchWord"])
    hosted = Portal(name="t", family="ucap", index_urls=("https://www.zgsr.gov.cn/",), allowed_domains=("zgsr.gov.cn", "kaipuyun.cn"),
                    params={"site_code": "3611000001", "years": [2023], "search_url": "https://zs.kaipuyun.cn/search4/s"})
    assert ucap.first_requests(hosted)[0].url.startswith("https://zs.kaipuyun.cn/search4/s?")


def test_a_malformed_site_code_names_no_site():
    """江西省人民政府's pages print SiteIDCode 360000000000000 (15 digits): searching with it would ask
    another index or none, so the page names no site and the error says why."""
    text = page("hanweb/jiangxi-szf-art_4975_1510362.html")
    assert '<meta name="SiteIDCode" content="360000000000000">' in text
    assert ucap.site_code(text) is None
    with pytest.raises(ValueError, match="'360000000000000'.*10-character"):
        ucap.parse_list(text, "http://www.jiangxi.gov.cn/art/2020/2/26/art_4975_1510362.html", {"stage": "site"}, {})
    assert ucap.site_code('<meta name="SiteIDCode" content="bm08000014">') == "bm08000014"


def test_page_without_site_code_is_an_error():
    with pytest.raises(ValueError, match="SiteIDCode"):
        ucap.parse_list("<html><body>首页</body></html>", "https://a.gov.cn/", {"stage": "site"}, {"years": [2023]})


def answer(rows: list[tuple[str, str, str]], total: int) -> str:
    divs = "".join(f"""<div class="wordGuide Residence-permit"><div class="bigTit clearfix">
<a class="titleFont permitT titleSelf" href="{href}" target="_blank" title="{title}">{title.replace('年度报告', '<em>年度报告</em>')}</a></div>
<div class="sourceTime"><a class="sourceDateFont permitU">某局</a><span class="sourceDateFont">{date}</span></div></div>"""
                   for href, title, date in rows)
    return f'<html><body><div class="results-list">相关结果 {total} 个</div>{divs}</body></html>'


def test_html_answer_rows_and_pages_from_the_total():
    site = {"site_code": "6200000068", "search_url": "https://jyt.gansu.gov.cn/search4/s"}
    first = ucap.search_request(site, "年度报告", 2025, 0)
    rows = [("https://jyt.gansu.gov.cn/jyt/c250121/202501/174.shtml", "甘肃省教育厅2024年政府信息公开工作年度报告", "2025-01-20"),
            ("/jyt/c1/202502/175.shtml", "兰州大学2024年度本科教学质量年度报告", "2025-02-11")]
    result = ucap.parse_list(answer(rows, 23), first.url, first.state, {})
    assert result.entries == [
        {"url": rows[0][0], "title": rows[0][1], "date": "2025-01-20"},
        {"url": "https://jyt.gansu.gov.cn/jyt/c1/202502/175.shtml", "title": rows[1][1], "date": "2025-02-11"}]
    assert [query(r.url)["pageNum"] for r in result.requests] == ["1", "2"]     # 23 hits, 10 a page
    later = ucap.parse_list(answer(rows, 23), result.requests[0].url, result.requests[0].state, {})
    assert later.requests == []
    assert ucap.parse_list(answer([], 0), first.url, first.state, {}).requests == []


def test_json_answer_pages_until_empty_and_bad_answers_are_errors():
    site = {"site_code": "3611000001", "search_url": "https://zs.kaipuyun.cn/search4/s"}
    first = ucap.search_request(site, "年度报告", 2024, 0)
    doc = {"data": {"middle": {"listAndBox": [{"data": {"title": "上饶市<em>2023</em>年政府信息公开工作年度报告",
                                                        "url": "/art/2024/1/2/art_1_1.html", "time": "2024-01-02 10:00:00"}}]}}}
    result = ucap.parse_list(json.dumps(doc), first.url, first.state, {})
    assert result.entries == [{"url": "https://zs.kaipuyun.cn/art/2024/1/2/art_1_1.html",
                               "title": "上饶市2023年政府信息公开工作年度报告", "date": "2024-01-02"}]
    [nxt] = result.requests
    assert query(nxt.url)["pageNum"] == "1"
    assert ucap.parse_list(json.dumps(doc), nxt.url, nxt.state, {}).requests == []   # the same page again: stop
    assert ucap.parse_list('{"data": {"middle": {"listAndBox": []}}}', nxt.url, nxt.state, {}).requests == []
    with pytest.raises(ValueError, match="not a Ucap search answer"):
        ucap.parse_list("<html><body>访问过于频繁</body></html>", first.url, first.state, {})


REAL_ANSWER = "ucap/gansu-scjg-guestweb4-search.html"   # 甘肃省市场监督管理局, searchWord 保健食品备案


def test_real_guestweb4_answer_rows_total_and_pages():
    """A real answer (tests/files/ucap/README.md): the total sits in a <span> (相关结果<span>4</span>个)
    and each matched character of a title in its own <span>, so titles come from @title; 4 hits
    are one page. The same page stating 23 hits plans pageNum 1 and 2, as its own pager would
    (pageNum from 0, ten a page: Math.ceil(searchCount / 10))."""
    text = page(REAL_ANSWER)
    assert "相关结果<span>4</span>个" in text and 'var pageNum = "0";' in text
    site = {"site_code": "6200000052", "search_url": "https://scjg.gansu.gov.cn/guestweb4/s"}
    first = ucap.search_request(site, "保健食品备案", 2023, 0)
    result = ucap.parse_list(text, first.url, first.state, {})
    assert [e["title"] for e in result.entries][:2] == ["甘肃省市场监督管理局国产保健食品备案信息查询",
                                                        "甘肃省市场监督管理局关于保健食品备案的通告（2020年第1期）"]
    assert len(result.entries) == 4 and result.requests == []
    more = ucap.parse_list(text.replace("相关结果<span>4</span>个", "相关结果<span>23</span>个"), first.url, first.state, {})
    assert [query(r.url)["pageNum"] for r in more.requests] == ["1", "2"]
