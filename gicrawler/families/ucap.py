"""开普云 (Ucap) hosted site search, keyed by the portal's ``SiteIDCode`` (docs/families.md, ucap).

A discovery route for portals whose 年报 columns moved or cannot be listed: search the site for
年度报告, one publication year at a time.

- the index URL is any page of the portal: its ``<meta name="SiteIDCode" content="…">`` names the
  site (params ``site_code`` instead skips that page); the search path is the one the page's own
  search box opens (``window.open("/guestweb4/s?siteCode=…")``), else params ``search``
  (``search4`` | ``guestweb4``, default search4), on the portal's host or params ``search_url``;
- ``GET /search4/s?searchWord=…&pageSize=10&pageNum={n}&siteCode=…&startTime=Y-01-01 00:00:00
  &endTime=Y-12-31 23:59:59&timeStamp=5…``: ``pageNum`` from 0, the search words percent-encoded
  twice, one window per publication year (report year + 1; params ``years`` are report years);
- answers: HTML rows ``div.wordGuide.Residence-permit`` (``a.titleFont`` href/title,
  ``span.sourceDateFont`` date) and the total ``相关结果 N 个`` (pages = ceil(N / 10)), or the JSON
  shape ``data.middle.listAndBox[].data.{title, url, time}`` (paged until a page is empty).

Real pages (tests/files/ucap, hanweb, trs) show the ``SiteIDCode`` meta and the guestweb4 search
box; one real guestweb4 answer (甘肃省市场监督管理局, tests/files/ucap) shows the HTML rows, the
total and the paging; the adapter's full query (year window, column) was never seen answered.
"""
from __future__ import annotations

import math
import re
from urllib.parse import quote, urlencode, urljoin, urlsplit

from parsel import Selector

from gicrawler.discovery import page_base, parse_date, resolve
from gicrawler.families import ListPage, PageRequest, clean, load_json, planned_pages, report_years

# Which of these behaviours a real saved page shows (tests/files/ucap, hanweb, trs); the rest is
# public crawler code (tests/files/ucap/README.md names it).
VERIFIED = {
    "site_id_code_meta": True,      # <meta name="SiteIDCode">: every page of tests/files/ucap, hanweb, trs
    "search_box_path": True,        # window.open("/guestweb4/s?siteCode=…"): gansu-jyt-c110634-list.html, gansu-scjg-*
    "search4_request": False,       # words encoded twice, pageSize 10: LoveSunday7 crawler (search4 never saved)
    "year_window": False,           # timeStamp=5 + startTime/endTime: same
    "guestweb4_request": False,     # column=政务公开&wordPlace=1…: qingting04 GanSu.py; the saved answer was
                                    # asked with only siteCode/checkHandle/pageSize/left_right_index/searchWord
    "html_answer_rows": True,       # div.wordGuide.Residence-permit, a.titleFont[@title], span.sourceDateFont:
                                    # gansu-scjg-guestweb4-search.html
    "answer_total": True,           # 相关结果<span>N</span>个: same page
    "answer_paging": True,          # pageNum from 0, 10 a page, ceil(total / 10) pages: the same page's own script
    "json_answer": False,           # data.middle.listAndBox[].data.{title, url, time}: stored code (上饶)
}

SEARCH_WORD = "年度报告"
PAGE_SIZE = 10
# The query each search path takes besides searchWord/pageNum/siteCode/window (README of tests/files/ucap).
SEARCHES = {
    "search4": {"path": "/search4/s", "column": "全部", "fixed": {
        "sonSiteCode": "", "checkHandle": "1", "searchSource": "0", "areaSearchFlag": "0",
        "secondSearchWords": "", "topical": "", "docName": "", "label": "", "countKey": "0", "uc": "0",
        "left_right_index": "0", "searchBoxSettingsIndex": "", "isSecondSearch": "undefined",
        "orderBy": "0", "strFileType": "", "wordPlace": "0"}},
    "guestweb4": {"path": "/guestweb4/s", "column": "政务公开", "fixed": {
        "wordPlace": "1", "orderBy": "0", "sonSiteCode": "", "checkHandle": "1", "strFileType": "",
        "govWorkBean": "%7B%7D", "areaSearchFlag": "-1", "secondSearchWords": "", "topical": "",
        "pubName": "", "countKey": "0", "uc": "0", "isSonSite": "false", "left_right_index": "0"}},
}
ROW = "div.wordGuide.Residence-permit"
_SITE_CODE = re.compile(r"""<meta\s[^>]*name\s*=\s*["']?SiteIDCode["']?[^>]*>""", re.I)
_CONTENT = re.compile(r"""content\s*=\s*["']?([0-9A-Za-z]{6,20})""", re.I)
# The 网站标识码 of the 政府网站发展指引: 10 digits, or bm + 8 digits for ministries. A page may print
# another value (江西省人民政府: 15 digits, tests/files/hanweb/jiangxi-s*): that names no site to search.
SITE_ID_CODE = re.compile(r"\d{10}|bm\d{8}", re.I)
_SEARCH_LINK = re.compile(r"""["'(]\s*((?:https?:)?[^"'()\s<>]*/(search4|guestweb4)/s)\?[^"'<>]*siteCode""", re.I)
_TOTAL = re.compile(r"相关结果\s*(\d+)\s*个")


def first_requests(portal) -> list[PageRequest]:
    params = portal.params
    if params.get("site_code"):
        site = {"site_code": str(params["site_code"]), "search_url": _search_url(portal.index_urls[0], params)}
        return search_requests(site, params, browser=portal.browser)
    return [PageRequest(url, state={"stage": "site", "browser": portal.browser}) for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    if state.get("stage") == "site":
        code = site_code(text)
        if code is None:
            printed = _printed_code(text)
            if printed:
                raise ValueError(f"<meta name=SiteIDCode content={printed!r}> on {url} is no 10-character "
                                 f"网站标识码 (params.site_code names the site)")
            raise ValueError(f"no <meta name=SiteIDCode> on {url} (params.site_code names the site)")
        found = _SEARCH_LINK.search(text)
        search = _search_url(url, params, urljoin(url, found.group(1)) if found else None)
        return ListPage([], search_requests({"site_code": code, "search_url": search}, params,
                                            browser=bool(state.get("browser"))))
    return _parse_answer(text, url, state)


def site_code(text: str) -> str | None:
    """The SiteIDCode meta of a page (not the 纠错 widget's ``site_code=``: templates leave stale ones),
    if it is a well-formed 网站标识码; None for a page without one."""
    for tag in _SITE_CODE.findall(text):
        m = _CONTENT.search(tag)
        if m and SITE_ID_CODE.fullmatch(m.group(1)):
            return m.group(1)
    return None


def _printed_code(text: str) -> str | None:
    """Whatever the page's SiteIDCode meta says, well-formed or not (for the error message)."""
    for tag in _SITE_CODE.findall(text):
        m = re.search(r"""content\s*=\s*["']?([^"'\s>]*)""", tag, re.I)
        if m:
            return m.group(1)
    return None


def _search_url(page_url: str, params: dict, found: str | None = None) -> str:
    if params.get("search_url"):
        return params["search_url"]
    if params.get("search"):
        return urljoin(page_url, SEARCHES[params["search"]]["path"])
    return found or urljoin(page_url, SEARCHES["search4"]["path"])


def _kind(search_url: str) -> str:
    return "guestweb4" if "/guestweb4/" in urlsplit(search_url).path else "search4"


def search_requests(site: dict, params: dict, browser: bool = False) -> list[PageRequest]:
    """Page 0 of one search per publication year (report year + 1)."""
    years = sorted({y + 1 for y in report_years(params)})
    word = params.get("search_word") or SEARCH_WORD
    return [search_request(site, word, year, 0, browser) for year in years]


def search_request(site: dict, word: str, year: int, page: int, browser: bool = False) -> PageRequest:
    spec = SEARCHES[_kind(site["search_url"])]
    twice = lambda s: quote(quote(s, safe=""), safe="")  # noqa: E731 - the search's own double encoding
    head = f"searchWord={twice(word)}&column={twice(spec['column'])}&manualWord={twice(word)}"
    query = urlencode({"pageSize": PAGE_SIZE, "pageNum": page, "siteCode": site["site_code"],
                       "startTime": f"{year}-01-01 00:00:00", "endTime": f"{year}-12-31 23:59:59",
                       "timeStamp": 5, **spec["fixed"]}, quote_via=quote)
    return PageRequest(f"{site['search_url']}?{head}&{query}", browser=browser,
                       wait_for=ROW if browser else None,
                       state={"stage": "search", "site": site, "word": word, "year": year, "page": page,
                              "browser": browser})


def _parse_answer(text: str, url: str, state: dict) -> ListPage:
    if text.lstrip()[:1] in ("{", "["):
        entries, total = json_rows(load_json(text, "Ucap search"), url), None
    else:
        sel = Selector(text=text)
        entries = html_rows(sel, url)
        m = _TOTAL.search(clean(" ".join(sel.xpath("//body//text()").getall())))
        total = int(m.group(1)) if m else None
        if not entries and total is None and not sel.css("div.results-list, div.wordGuide"):
            raise ValueError(f"not a Ucap search answer: {text[:120]!r}")
    page, requests = state["page"], []
    again = lambda n: search_request(state["site"], state["word"], state["year"], n,  # noqa: E731
                                     bool(state.get("browser")))
    if total is not None:
        if page == 0:
            requests = planned_pages(range(1, math.ceil(total / PAGE_SIZE)), again)
    elif entries and sorted(e["url"] for e in entries) != state.get("last"):
        nxt = again(page + 1)
        nxt.state["last"] = sorted(e["url"] for e in entries)
        requests = [nxt]
    return ListPage(entries, requests)


def html_rows(sel: Selector, base_url: str) -> list[dict]:
    base_url = page_base(sel, base_url)
    out = []
    for row in sel.css(ROW):
        a = row.css("a.titleFont") or row.xpath(".//a[@href]")
        href = a.attrib.get("href") if a else None
        url = resolve(href or "", base_url)
        if not url:
            continue
        title = clean(a[0].attrib.get("title")) or clean(" ".join(a[0].xpath(".//text()").getall()))
        date = parse_date(" ".join(row.css("span.sourceDateFont ::text").getall()))
        out.append({"url": url, "title": title, "date": date})
    return out


def json_rows(doc, base_url: str) -> list[dict]:
    middle = (doc.get("data") or {}).get("middle") if isinstance(doc, dict) else None
    boxes = (middle or {}).get("listAndBox") if isinstance(middle, dict) else None
    out = []
    for box in boxes or ():
        data = box.get("data") if isinstance(box, dict) else None
        if not isinstance(data, dict):
            continue
        url = resolve(str(data.get("url") or ""), base_url)
        if url:
            title = clean(Selector(text=f"<p>{data.get('title') or ''}</p>").xpath("string(//p)").get())
            out.append({"url": url, "title": title, "date": parse_date(str(data.get("time") or ""))})
    return out
