"""TRS WCM lists (黄石, Hubei, 武汉 …) (docs/families.md, trs).

- page 0 is index.shtml; page i is index_i.shtml; the page count is the first argument of
  ``createPageHTML(n, i, "index", "shtml")`` on page 0;
- rows link ``./YYYYMM/tYYYYMMDD_id.shtml`` relative to the list page;
- some lists are written by ``document.writeln`` in scripts (``var url = "./…"; var title = "…"``),
  so the script text is read, not the DOM.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from gicrawler.discovery import parse_date, resolve
from gicrawler.families import ListPage, PageRequest, anchor_entries, clean, link_pattern, planned_pages

DETAIL = re.compile(r"/t\d{8}_\d+\.s?html?(?:$|[?#])")
PAGER = re.compile(r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"'])?")
_VAR_URL = re.compile(r"""\bvar\s+(?:\w*url\w*|href|link)\s*=\s*(["'])(.*?)\1""", re.I)
_VAR_TITLE = re.compile(r"""\bvar\s+\w*title\w*\s*=\s*(["'])(.*?)\1""", re.I)
_WRITELN = re.compile(r"""document\.write(?:ln)?\(\s*(["'])(.*?)\1\s*\)""", re.S)


_PAGE_NAME = re.compile(r"/([\w-]+)\.(s?html?)$")


def first_requests(portal) -> list[PageRequest]:
    # later pages are the same kind of page: rendered too when the seed says so
    return [PageRequest(url, browser=portal.browser, state={"page": 0, "browser": portal.browser})
            for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    sel = Selector(text=text)
    link = link_pattern(params, DETAIL)
    entries = anchor_entries(sel, url, link) + script_entries(sel, url, link)
    requests = []
    if state.get("page", 0) == 0:
        count, name, ext = page_count(text, url)
        browser = bool(state.get("browser"))
        requests = planned_pages(range(1, count), lambda i: PageRequest(
            urljoin(url, f"{name}_{i}.{ext}"), browser=browser, state={"page": i, "browser": browser}))
    return ListPage(entries, requests)


def page_count(text: str, url: str = "") -> tuple[int, str, str]:
    """(pages, page name, extension) from createPageHTML(n, i, "index", "shtml"); 1 page if absent.

    Without name/extension arguments, page i is named after page 0 itself (index.html →
    index_1.html); a column URL ending in "/" falls back to index.shtml.
    """
    own = _PAGE_NAME.search(urlsplit(url).path)
    name, ext = own.groups() if own else ("index", "shtml")
    for m in PAGER.finditer(text):
        return int(m.group(1)), m.group(3) or name, m.group(4) or ext
    return 1, name, ext


def script_entries(sel: Selector, base_url: str, link: re.Pattern) -> list[dict]:
    """Rows written by document.writeln: ``var url=…; var title=…`` blocks, or literal <a> markup."""
    out = []
    for script in sel.xpath("//script[not(@src)]/text()").getall():
        if "document.write" not in script:
            continue
        # one block per `var url =`; title and date are read inside that block
        starts = [m.start() for m in _VAR_URL.finditer(script)]
        for i, start in enumerate(starts):
            block = script[start: starts[i + 1] if i + 1 < len(starts) else len(script)]
            url = resolve(_VAR_URL.search(block).group(2), base_url)
            title = _VAR_TITLE.search(block)
            if url:
                out.append({"url": url, "title": clean(title.group(2) if title else ""), "date": parse_date(block)})
        if not starts:  # literal markup in the written strings
            html = "".join(m.group(2).replace('\\"', '"').replace("\\'", "'") for m in _WRITELN.finditer(script))
            out += anchor_entries(Selector(text=f"<ul>{html}</ul>"), base_url, link)
    return out
