"""TRS WCM lists (黄石, Hubei, 武汉, Fujian's 平潭 …) (docs/families.md, trs).

Three ways a TRS column is paged, each read from the column page itself:

- ``createPageHTML(n, i, "index", "shtml")``: static pages index.shtml, index_1 … index_{n-1}
  (n pages, i the 0-based current page); the six-argument form
  ``createPageHTML('page_div', n, i, 'zwgklist', 'shtml', total)`` counts from 1 (page 1 is
  zwgklist.shtml, page k is zwgklist_k.shtml) and states the column's size (total);
- "动静结合" (``require(["list2.trsapi"], … listModel({quickMode: "动静结合", maxStaticIndex,
  listArgs: {channelid, classsql, sortfield}, pagebar: {prepage, recordCount}}))``): the first
  ``maxStaticIndex`` pages are static, the rest come from the list API the module calls,
  ``POST {site}/fjdzapp/search`` with channelid (``SiteInfo.searchId``), classsql, sortfield,
  page, prepage; the answer is JSON ``data[]`` of ``{doctitle, docreltime, chnldocurl,
  docpuburl}``. The module's source and a real answer were never seen (``VERIFIED``), so the
  seed may instead say ``listmodel: browser``: the column page is rendered in Chromium and its
  pager's 下一页 clicked once per page (``PAGER_JS``);
- lists written by ``document.writeln`` in scripts (``var url = "./…"; var title = "…"``,
  武汉), read from the script text, not the DOM.

Rows link ``./YYYYMM/tYYYYMMDD_id.shtml`` (or ``.htm``) relative to the list page; the date
may sit in the element after the link's cell (平潭 ``<dd>``); rows and pager may sit inside an
HTML comment (甘肃), read when the live markup has no row.
"""
from __future__ import annotations

import math
import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from gicrawler.discovery import parse_date, resolve
from gicrawler.families import (ListPage, PageRequest, anchor_entries, clean, commented_entries,
                                link_pattern, load_json, planned_pages)

# Which of these behaviours a real saved page shows (tests/files/trs, tests/files/ucap).
VERIFIED = {
    "listmodel_static_page": True,        # 平潭 column page: rows, recordCount, prepage, maxStaticIndex
    "listmodel_api_request": False,       # POST /fjdzapp/search fields: from public crawler code only
    "listmodel_api_answer": False,        # data[] {doctitle, docreltime, chnldocurl}: no real answer saved
    "listmodel_browser_pager": False,     # the rendered pager's 下一页: list2.trsapi's markup never seen
    "date_in_sibling_cell": True,         # 平潭 <dd>
    "create_page_html_4": False,          # createPageHTML(n, i, "index", "shtml"): quoted in code only
    "create_page_html_6": True,           # 甘肃: the call and its count (its page names: public code)
    "rows_in_comment": True,              # 甘肃
    "document_writeln": False,            # 武汉: quoted in crawler code only
}

DETAIL = re.compile(r"/t\d{8}_\d+\.s?html?(?:$|[?#])")
PAGER = re.compile(r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"'])?")
# the six-argument form: createPageHTML('page_div', pages, current (1-based), name, ext, total)
PAGER6 = re.compile(r"createPageHTML\(\s*['\"][\w-]+['\"]\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"](\w+)['\"]\s*,"
                    r"\s*['\"](\w+)['\"]\s*,\s*(\d+)\s*\)")
_VAR_URL = re.compile(r"""\bvar\s+(?:\w*url\w*|href|link)\s*=\s*(["'])(.*?)\1""", re.I)
_VAR_TITLE = re.compile(r"""\bvar\s+\w*title\w*\s*=\s*(["'])(.*?)\1""", re.I)
_WRITELN = re.compile(r"""document\.write(?:ln)?\(\s*(["'])(.*?)\1\s*\)""", re.S)
_PAGE_NAME = re.compile(r"/([\w-]+)\.(s?html?)$")

LIST_API = "/fjdzapp/search"
_LISTMODEL = re.compile(r"\blistModel\s*\(\s*\{")
_LISTMODEL_SPAN = 4000   # the call's arguments: a few hundred characters on real pages
_STR = r"""(?:"[^"]*"|'[^']*')"""
_FIELD = {
    "quickMode": re.compile(rf"quickMode\s*:\s*({_STR})"),
    "maxStaticIndex": re.compile(r"maxStaticIndex\s*:\s*['\"]?(\d+)"),
    "channelid": re.compile(r"channelid\s*:\s*(SiteInfo\.searchId|['\"]?\d+['\"]?)"),
    "classsql": re.compile(rf"classsql\s*:\s*({_STR}(?:\s*\|\|\s*{_STR})*)"),
    "sortfield": re.compile(rf"sortfield\s*:\s*({_STR})"),
    "prepage": re.compile(r"prepage\s*:\s*['\"]?(\d+)"),
    "recordCount": re.compile(r"recordCount\s*:\s*['\"]?(\d+)"),
}
_SEARCH_ID = re.compile(r"searchId\s*:\s*['\"]?(\d+)")
# Click the pager's 下一页 `times` times, each time waiting until the visible list links change.
PAGER_JS = """async ([times, link, next]) => {
  const rx = new RegExp(link);
  const rows = () => Array.from(document.querySelectorAll('a[href]'))
    .filter(a => rx.test(a.href) && a.offsetParent !== null).map(a => a.href).join('|');
  for (let i = 0; i < times; i++) {
    const before = rows();
    const button = Array.from(document.querySelectorAll('a, span, li, button'))
      .find(e => e.textContent.trim() === next && e.offsetParent !== null);
    if (!button) throw new Error('pager has no ' + next + ' after ' + i + ' clicks');
    button.click();
    for (let t = 0; rows() === before; t++) {
      if (t > 200) throw new Error('list did not change after clicking ' + next);
      await new Promise(r => setTimeout(r, 100));
    }
  }
}"""
NEXT_TEXT = "下一页"


def first_requests(portal) -> list[PageRequest]:
    # later pages are the same kind of page: rendered too when the seed says so
    return [PageRequest(url, browser=portal.browser, state={"page": 0, "browser": portal.browser})
            for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    link = link_pattern(params, DETAIL)
    if state.get("stage") == "listmodel_api":
        return _parse_api(text, url, state, link)
    sel = Selector(text=text)
    entries = anchor_entries(sel, url, link) + script_entries(sel, url, link)
    if not entries:
        entries = commented_entries(text, url, link)
    if state.get("page", 0) != 0:
        return ListPage(entries, [])
    model = listmodel(text)
    if model is not None:
        return _plan_listmodel(model, entries, url, state, params, link)
    browser = bool(state.get("browser"))
    six = PAGER6.search(text)
    if six:
        pages, current, name, ext, total = (int(six.group(1)), int(six.group(2)), six.group(3),
                                            six.group(4), int(six.group(5)))
        requests = planned_pages(range(current + 1, pages + 1), lambda k: PageRequest(
            urljoin(url, f"{name}_{k}.{ext}"), browser=browser, state={"page": k, "browser": browser}))
        return ListPage(entries, requests, listed=total, pages=pages)
    count, name, ext = page_count(text, url)
    requests = planned_pages(range(1, count), lambda i: PageRequest(
        urljoin(url, f"{name}_{i}.{ext}"), browser=browser, state={"page": i, "browser": browser}))
    return ListPage(entries, requests, pages=count if PAGER.search(text) else None)


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


def listmodel(text: str) -> dict | None:
    """The listModel({...}) call of a "动静结合" page: quickMode, maxStaticIndex, channelid (the
    literal, or ``SiteInfo.searchId`` looked up in the page), classsql (``"" || "chnlid=N"``: the
    first non-empty literal), sortfield, prepage, recordCount. None when the page has none."""
    m = _LISTMODEL.search(text)
    if not m or "list2.trsapi" not in text:
        return None
    body, out = text[m.end(): m.end() + _LISTMODEL_SPAN], {}
    for key, rx in _FIELD.items():
        found = rx.search(body)
        out[key] = found.group(1) if found else None
    if out["channelid"] == "SiteInfo.searchId":
        sid = _SEARCH_ID.search(text)
        out["channelid"] = sid.group(1) if sid else None
    elif out["channelid"]:
        out["channelid"] = out["channelid"].strip("'\"")
    for key in ("quickMode", "sortfield"):
        out[key] = out[key][1:-1] if out[key] else None
    if out["classsql"]:
        literals = [s[1:-1] for s in re.findall(_STR, out["classsql"])]
        out["classsql"] = next((s for s in literals if s), "")
    for key in ("maxStaticIndex", "prepage", "recordCount"):
        out[key] = int(out[key]) if out[key] else None
    return out


def _plan_listmodel(model, entries, url, state, params, link) -> ListPage:
    total, per = model["recordCount"], model["prepage"] or len(entries) or 1
    pages = math.ceil(total / per) if total else 1
    static = max(1, model["maxStaticIndex"] or 1)
    if params.get("listmodel") == "browser":
        # the page's own script pages it: render the column, click 下一页 (page - 1) times
        def make(page):
            return PageRequest(url, browser=True, dont_filter=True,
                               steps=(("evaluate", (PAGER_JS, [page - 1, link.pattern, NEXT_TEXT])),),
                               state={"page": page, "browser": True})
    else:
        api = urljoin(url, params.get("list_api") or LIST_API)
        form = {"channelid": model["channelid"] or "", "classsql": model["classsql"] or "",
                "sortfield": model["sortfield"] or "", "prepage": str(per)}

        def make(page):
            return PageRequest(api, method="POST", formdata={**form, "page": str(page)},
                               headers={"Referer": url, "X-Requested-With": "XMLHttpRequest"},
                               state={"stage": "listmodel_api", "page": page, "referer": url})
    # planned, not built: a recordCount of millions costs nothing (the spider caps pages per column)
    requests = planned_pages(range(static + 1, pages + 1), make)
    return ListPage(entries, requests, listed=total)


def _parse_api(text: str, url: str, state: dict, link: re.Pattern) -> ListPage:
    """One answer of the listModel API: JSON ``data[]`` (UNVERIFIED shape, from public code).
    Links are ``chnldocurl`` — the field the page's own row template binds (``ms-attr-href=
    "el.chnldocurl"``) — resolved against the column page, else ``docpuburl``."""
    doc = load_json(text, "list API")
    rows = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise ValueError(f"list API answer has no data[]: {text[:120]!r}")
    referer = state.get("referer") or url
    entries = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        href = resolve(str(row.get("chnldocurl") or row.get("docpuburl") or ""), referer)
        if not href:
            continue
        entries.append({"url": href, "title": clean(str(row.get("doctitle") or row.get("docpeople") or "")),
                        "date": _api_date(row.get("docreltime") or row.get("pubdate"))})
    return ListPage(entries, [])


def _api_date(value) -> str | None:
    """docreltime: '2014-02-25 00:00' or a millisecond timestamp (both seen in public code)."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit() and len(value) >= 12):
        from datetime import datetime, timedelta, timezone
        stamp = datetime.fromtimestamp(int(value) / 1000, tz=timezone(timedelta(hours=8)))
        return stamp.date().isoformat()
    return parse_date(str(value)) if value else None


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
