"""Shandong ``/gongkai/`` disclosure platform (淄博, 聊城, Jinan districts) (docs/families.md, gongkai).

Channel pages ``/gongkai/channel_…/`` are JavaScript shells: the list exists only after the
browser ran the page, so list pages are requested with ``browser=True`` and read from the
rendered DOM (the XHR behind them is UNVERIFIED on the real site). Rows link
``doc_{24hex}.html`` (or an attachment ``doc_{24hex}_{32hex}.pdf``); the page count is read from
the rendered pager, later pages are ``?page=N`` (also rendered). Detail pages are static.
"""
from __future__ import annotations

import re

from parsel import Selector
from w3lib.url import add_or_replace_parameter

from gicrawler.families import ListPage, PageRequest, anchor_entries, clean, link_pattern, planned_pages

DETAIL = re.compile(r"/doc_[0-9a-f]{24}(?:_[0-9a-f]{32})?\.\w+")
WAIT_FOR = "a[href*='doc_']"
_TOTAL_PAGES = re.compile(r"共\s*(\d+)\s*页|/\s*(\d+)\s*页|page\s+\d+\s*(?:/|of)\s*(\d+)", re.I)
_PAGE_PARAM = re.compile(r"[?&]page=(\d+)")
# No real list page, list answer or detail DOM was saved (tests/files/gongkai/README.md).
VERIFIED = {"rendered_channel_list": False, "page_param": False, "detail_label_block": False}


def first_requests(portal) -> list[PageRequest]:
    wait = portal.params.get("list_selector", WAIT_FOR)
    # later pages are rendered the same way as the first (the seed's `browser`)
    return [PageRequest(url, browser=portal.browser, wait_for=wait, state={"page": 1, "browser": portal.browser})
            for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    sel = Selector(text=text)
    link = link_pattern(params, DETAIL)
    entries = anchor_entries(sel, url, link)
    requests, pages = [], None
    if state.get("page", 1) == 1:
        wait = params.get("list_selector", WAIT_FOR)
        browser = state.get("browser", True)
        pages = page_count(sel)
        requests = planned_pages(range(2, pages + 1), lambda n: PageRequest(
            add_or_replace_parameter(url, "page", str(n)), browser=browser, wait_for=wait,
            state={"page": n, "browser": browser}))
    return ListPage(entries, requests, pages=pages)


def page_count(sel: Selector) -> int:
    """Pages in the rendered pager: '共 N 页' text, or the highest ?page=N / numbered pager link."""
    best = 1
    # a wrapper whose class merely contains "pag" (pageBody, page-main) holds the list itself, and
    # its digits (view counts, years) are no page numbers: only elements without report links count
    pager = [n for n in sel.css(".pagination, .pager, .page, .pages, #page, [class*=pag]")
             if not any(DETAIL.search(h) for h in n.xpath(".//a/@href").getall())]
    text = clean(" ".join(t for n in (pager or [sel]) for t in n.xpath(".//text()").getall()))
    for m in _TOTAL_PAGES.finditer(text):
        best = max(best, int(next(g for g in m.groups() if g)))
    for href in sel.xpath("//a/@href").getall():
        m = _PAGE_PARAM.search(href)
        if m:
            best = max(best, int(m.group(1)))
    for node in pager:
        for t in node.xpath(".//a/text() | .//button/text() | .//li/text() | .//span/text()").getall():
            if t.strip().isdigit():
                best = max(best, int(t.strip()))
    return best
