"""The govcn adapter (gov.cn and the ministries' 年报 columns): TRS pages with a ``countPage``
pager and gov.cn detail links. No real page of this family was saved (tests/files/govcn/README.md):
the pages below follow the crawlers' description, and ``govcn.VERIFIED`` says each is unverified."""
from __future__ import annotations

from gicrawler import discovery
from gicrawler.families import govcn

URL = "https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/index.html"
COLUMN = """<html><body>
<div class="overview_left"><ul><li><a href="/gongkai/zfxxgkpt/xfj/202501/t20250120_1.html">国家信访局2024年政府信息公开工作年度报告</a></li></ul></div>
<div class="overview_right"><ul>
<li><a href="./202501/t20250124_461231.html" target="_blank" title="退役军人事务部2024年政府信息公开工作年度报告">退役军人事务部2024年…</a><span>2025-01-24</span></li>
<li><a href="./202401/t20240126_426789.html" target="_blank">退役军人事务部2023年政府信息公开工作年度报告</a><span>2024-01-26</span></li>
<li><a href="/gongkai/zfxxgkpt/zfxxgkzn/">政府信息公开指南</a></li>
</ul><div id="page"></div>
<script>var currentPage = 0; var countPage = 4; </script></div>
</body></html>"""


def test_facts_are_unverified():
    assert govcn.VERIFIED and not any(govcn.VERIFIED.values())


def test_ministry_column_rows_of_the_list_box_and_count_page_pager():
    page = govcn.parse_list(COLUMN, URL, {"page": 0}, {"list_selector": ".overview_right"})
    assert page.entries == [
        {"url": "https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/202501/t20250124_461231.html",
         "title": "退役军人事务部2024年政府信息公开工作年度报告", "date": "2025-01-24"},
        {"url": "https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/202401/t20240126_426789.html",
         "title": "退役军人事务部2023年政府信息公开工作年度报告", "date": "2024-01-26"}]
    assert [r.url.rsplit("/", 1)[1] for r in page.requests] == ["index_1.html", "index_2.html", "index_3.html"]
    assert (page.pages, page.listed) == (4, None)
    assert govcn.parse_list(COLUMN, URL.replace("index", "index_1"), page.requests[0].state, {}).requests == []


def test_without_a_list_selector_the_whole_page_counts():
    page = govcn.parse_list(COLUMN, URL, {"page": 0}, {})
    assert len(page.entries) == 3          # the side box's link to another body's report too
    assert len(discovery.select_reports(page.entries)) == 3


def test_gov_cn_content_links_and_a_create_page_html_pager():
    html = """<div class="list"><ul>
    <li><h4><a href="/zhengce/content/202503/content_7015862.htm">国务院办公厅2024年政府信息公开工作年度报告</a><span class="date">2025-03-28</span></h4></li>
    <li><h4><a href="https://www.gov.cn/zhengce/2024-03/29/content_6942000.htm">国务院办公厅2023年政府信息公开工作年度报告</a></h4></li>
    <li><h4><a href="/zhengce/zhengceku/">政策库</a></h4></li></ul></div>
    <script>createPageHTML(2, 0, "index", "htm");</script>"""
    page = govcn.parse_list(html, "https://www.gov.cn/zhengce/xxgk/gknb/index.htm", {"page": 0}, {})
    assert [e["url"] for e in page.entries] == ["https://www.gov.cn/zhengce/content/202503/content_7015862.htm",
                                                "https://www.gov.cn/zhengce/2024-03/29/content_6942000.htm"]
    assert page.entries[0]["date"] == "2025-03-28"
    assert [r.url for r in page.requests] == ["https://www.gov.cn/zhengce/xxgk/gknb/index_1.htm"]
    assert govcn.page_count("<script>var countPage = 7</script>", URL) == (7, "index", "html")
    assert govcn.page_count("", "https://www.mohrss.gov.cn/xxgk2020/zfxxgknb/") == (1, "index", "shtml")
