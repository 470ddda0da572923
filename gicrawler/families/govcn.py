"""gov.cn and the State Council ministries' 年报 columns (docs/families.md, govcn).

TRS WCM pages as the trs adapter reads them (gicrawler/families/trs.py), with what differs as
data here: the pager is ``countPage = N`` in a script (退役军人事务部 …; createPageHTML where a site
has it), pages ``index.html``, ``index_1.html`` … ``index_{N-1}.html``; report links are the
ministries' ``./YYYYMM/tYYYYMMDD_{id}.html`` or gov.cn's ``/zhengce/content/YYYYMM/content_{n}.htm``
(and ``/YYYY-MM/DD/content_{n}.htm``); params ``list_selector`` (e.g. ``.overview_right``) keeps
the rows of the list box only. Details: metas ArticleTitle/PubDate/ContentSource, bodies
``.trs_editor_view`` or gov.cn's ``#UCAP-CONTENT`` with a ``索 引 号`` table.

No real page of this family was saved (tests/files/govcn/README.md): FACTS, unverified. The
gov.cn site search (athena) needs keys that are credentials: not used.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from gicrawler.families import Fact, ListPage, PageRequest, anchor_entries, link_pattern, planned_pages, trs

FACTS = (
    Fact("ministry 年报 columns …/zfxxgknb/index.html with index_{n}.html pages and countPage = N",
         "crawler start URLs and code for 退役军人事务部 (tests/files/govcn/README.md)"),
    Fact("list rows are .overview_right li a", "the 退役军人事务部 crawler (tests/files/govcn/README.md)"),
    Fact("gov.cn details /zhengce/content/YYYYMM/content_NNN.htm, a 索 引 号 table, body #UCAP-CONTENT",
         "crawler code (docs/families.md, gov.cn style)"),
    Fact("ministry details carry ArticleTitle/PubDate/ContentSource metas and a .trs_editor_view body",
         "the 退役军人事务部 crawler (tests/files/govcn/README.md)"),
)

DETAIL = re.compile(r"/t\d{8}_\d+\.s?html?(?:$|[?#])|/content_\d+\.s?html?(?:$|[?#])")
COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")


def first_requests(portal) -> list[PageRequest]:
    return [PageRequest(url, browser=portal.browser, state={"page": 0, "browser": portal.browser})
            for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    sel = Selector(text=text)
    link = link_pattern(params, DETAIL)
    boxes = sel.css(params["list_selector"]) if params.get("list_selector") else [sel]
    entries = [e for box in boxes for e in anchor_entries(box, url, link)] + trs.script_entries(sel, url, link)
    requests = []
    if state.get("page", 0) == 0:
        count, name, ext = page_count(text, url)
        browser = bool(state.get("browser"))
        requests = planned_pages(range(1, count), lambda i: PageRequest(
            urljoin(url, f"{name}_{i}.{ext}"), browser=browser, state={"page": i, "browser": browser}))
    return ListPage(entries, requests)


def page_count(text: str, url: str) -> tuple[int, str, str]:
    """(pages, page name, extension): ``countPage = N`` names the count; the page name and
    extension are page 0's own (``index.html`` → ``index_1.html``), as trs.page_count has them."""
    count, name, ext = trs.page_count(text, url)
    m = COUNT_PAGE.search(text)
    return (int(m.group(1)) if m else count), name, ext
