"""gov.cn and the State Council ministries' 年报 columns (docs/families.md, govcn).

TRS WCM pages as the trs adapter reads them (gicrawler/families/trs.py), with what differs as
data here: the pager is ``countPage = N`` in a script (退役军人事务部 …; createPageHTML where a site
has it), pages ``index.html``, ``index_1.html`` … ``index_{N-1}.html``; report links are the
ministries' ``./YYYYMM/tYYYYMMDD_{id}.html`` or gov.cn's ``/zhengce/content/YYYYMM/content_{n}.htm``
(and ``/YYYY-MM/DD/content_{n}.htm``); params ``list_selector`` (e.g. ``.overview_right``) keeps
the rows of the list box only. Details: metas ArticleTitle/PubDate/ContentSource, bodies
``.trs_editor_view`` or gov.cn's ``#UCAP-CONTENT`` with a ``索 引 号`` table.

No real page of this family was saved (tests/files/govcn/README.md): VERIFIED says so. The
gov.cn site search (athena) needs keys that are credentials: not used.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from gicrawler.families import ListPage, PageRequest, anchor_entries, link_pattern, planned_pages, trs

# Which of these behaviours a real saved page shows: none (tests/files/govcn/README.md); each is
# from crawler code and start URLs.
VERIFIED = {
    "ministry_column": False,       # …/zfxxgknb/index.html, index_{n}.html, countPage = N: the mva crawler
    "list_box": False,              # .overview_right li a: same
    "ministry_detail": False,       # ArticleTitle/PubDate/ContentSource metas, .trs_editor_view: same
    "govcn_detail": False,          # /zhengce/content/YYYYMM/content_NNN.htm, 索 引 号 table, #UCAP-CONTENT
}

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
    requests, pages = [], None
    if state.get("page", 0) == 0:
        count, name, ext = page_count(text, url)
        pages = count if COUNT_PAGE.search(text) or trs.PAGER.search(text) else None
        browser = bool(state.get("browser"))
        requests = planned_pages(range(1, count), lambda i: PageRequest(
            urljoin(url, f"{name}_{i}.{ext}"), browser=browser, state={"page": i, "browser": browser}))
    return ListPage(entries, requests, pages=pages)


def page_count(text: str, url: str) -> tuple[int, str, str]:
    """(pages, page name, extension): ``countPage = N`` names the count; the page name and
    extension are page 0's own (``index.html`` → ``index_1.html``), as trs.page_count has them."""
    count, name, ext = trs.page_count(text, url)
    m = COUNT_PAGE.search(text)
    return (int(m.group(1)) if m else count), name, ext
