"""Hanweb JCMS "jpage" lists (嘉兴, Zhejiang, Jiangsu …) (docs/families.md, hanweb).

- the column page ``/col/col{id}/index.html`` embeds page 1 in
  ``<script type="text/xml"><datastore>…<record><![CDATA[<li>…]]></record>``;
- the rest comes from ``/module/web/jpage/dataproxy.jsp``: POST with
  ``?startrecord=&endrecord=&perpage=`` and the form fields webid/columnid/unitid/webname…
  read from the column page (``<nextgroup>`` link, ``param_<unitid>``, ``jpage({totalRecord,perPage})``),
  or (params ``proxy: get``) the GET ``page=N`` form the ``<nextgroup>`` link carries,
  or (params ``proxy: pagenum``) the column page itself with ``?uid={unitid}&pageNum=N``;
- the proxy answers XML ``<datastore><totalrecord/><totalpage/><nextgroup/><recordset>…``
  (real answers of 江苏省工信厅 carry no ``<nextgroup>`` and return three screens plus one row
  whatever ``endrecord`` asks: requests overlap, the spider's dedupe absorbs it);
- the newer template (江西, ``loadPageData(params, unitid)`` filling a handlebars template, with
  ``<base href>``): page 1 is embedded as ``var listData = {articleList: [...]}``, the column's
  size as ``channelsTagSelf.articleCount``; later pages are ``POST {origin}/queryList`` with the
  page's own ``params`` (arrays as ``webSiteCode[]``), answering JSON ``data.results[].source``.
"""
from __future__ import annotations

import html
import json
import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import chompjs
from parsel import Selector
from w3lib.url import add_or_replace_parameter

from gicrawler.discovery import canonical, page_base, parse_date
from gicrawler.families import ListPage, PageRequest, anchor_entries, clean, load_json, planned_pages

# Which of these behaviours a real saved page shows (tests/files/hanweb).
VERIFIED = {
    "dataproxy_answer": True,          # 江苏省工信厅: totalrecord/totalpage/record rows, no <nextgroup>
    "dataproxy_post_fields": False,    # the form: from the saving repository's script, not a capture
    "datastore_column_page": False,    # <datastore> embedded in /col/col…/index.html: no real copy
    "loadpagedata_column_page": True,  # 江西: base href, handlebars, params, listData, articleCount
    "querylist_api": False,            # POST /queryList and its JSON: public code only
    "pagenum_column_pages": False,     # ?uid=&pageNum=: public code only
    "uppercase_tags": True,            # 丽水 detail breadcrumb (lxml lower-cases tags)
}

PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*:\s*['\"]?(\d+)", re.I)
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)
_PER_PAGE = re.compile(r"perPage\s*:\s*['\"]?(\d+)")
_IDS = {
    "webid": re.compile(r"webid\s*[=:]\s*['\"]?(\d+)", re.I),
    "columnid": re.compile(r"columnid\s*[=:]\s*['\"]?(\d+)", re.I),
    "unitid": re.compile(r"unitid\s*[=:]\s*['\"]?(\d+)", re.I),
    "sourceContentType": re.compile(r"sourceContentType\s*[=:]\s*['\"]?(\d+)", re.I),
}
_WEBNAME = re.compile(r"webname\s*[=:]\s*['\"]?([^&'\"<>]+)", re.I)
_UNIT_DIV = re.compile(r"<div[^>]*\bid\s*=\s*['\"]?(\d+)['\"]?[^>]*>\s*<script[^>]*text/xml", re.I)
_COL_IN_URL = re.compile(r"/col/col(\d+)/")
_PROXY_IN_PAGE = re.compile(r"""['"(]\s*((?:https?:)?[^'"()\s<>]*/dataproxy\.jsp)""", re.I)
_SCREENS = 3  # the browser asks for 3 screens per proxy call; do the same (politeness, fewer calls)


def first_requests(portal) -> list[PageRequest]:
    return [PageRequest(url, browser=portal.browser, state={"stage": "column", "browser": portal.browser})
            for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    if state.get("stage") == "column":
        if LOAD_PAGE_DATA.search(text):
            return _parse_loadpage(text, url)
        return _parse_column(text, url, params, bool(state.get("browser")))
    if state.get("stage") == "column_page":  # ?uid=&pageNum=n: page n in the same <datastore> block
        return ListPage(records(text, url), [])
    if state.get("stage") == "querylist":
        return ListPage(querylist_entries(text, state.get("referer") or url), [])
    return _parse_proxy(text, url, state, params)


def records(text: str, base_url: str) -> list[dict]:
    """Entries of the <record><![CDATA[<li>…]]></record> items of a datastore."""
    rows = "".join(RECORD.findall(text))
    base_url = page_base(Selector(text=text[:8192]), base_url) if "<base" in text[:8192].lower() else base_url
    return anchor_entries(Selector(text=f"<ul>{rows}</ul>"), base_url) if rows else []


# --- the newer template: loadPageData + handlebars (江西) --------------------------------------
LOAD_PAGE_DATA = re.compile(r"\bloadPageData\s*\(\s*(\w+)\s*,")
QUERY_LIST = "/queryList"


def _js_object(text: str, start: int):
    """The JavaScript object literal beginning at or after ``start`` (chompjs reads unquoted keys,
    single quotes, trailing commas); None when there is none or it does not parse."""
    brace = text.find("{", start)
    if brace < 0:
        return None
    try:
        return chompjs.parse_js_object(text[brace:])
    except ValueError:
        return None


def _js_var(text: str, name: str):
    m = re.search(rf"\bvar\s+{re.escape(name)}\s*=", text)
    return _js_object(text, m.end()) if m else None


def loadpage_params(text: str) -> dict | None:
    """The params object handed to loadPageData(params, unitid) (the variable it names)."""
    m = LOAD_PAGE_DATA.search(text)
    params = _js_var(text, m.group(1)) if m else None
    return params if isinstance(params, dict) else None


def _article_entry(item: dict, base_url: str) -> dict | None:
    """One article of listData.articleList or a queryList result: title, pubDate, urls (a JSON
    string holding ``pc``)."""
    urls = item.get("urls")
    if isinstance(urls, str):
        try:
            urls = json.loads(urls)
        except ValueError:
            urls = {"pc": urls}
    href = (urls or {}).get("pc") if isinstance(urls, dict) else None
    url = urljoin(base_url, href) if href else None
    if not url:
        return None
    return {"url": url, "title": clean(str(item.get("title") or "")), "date": parse_date(str(item.get("pubDate") or ""))}


def _parse_loadpage(text: str, url: str) -> ListPage:
    base = page_base(Selector(text=text), url)
    listing = _js_var(text, "listData")
    articles = listing.get("articleList") if isinstance(listing, dict) else None
    entries = [e for e in (_article_entry(a, base) for a in (articles or []) if isinstance(a, dict)) if e]
    channel = _js_var(text, "channelsTagSelf")
    listed = channel.get("articleCount") if isinstance(channel, dict) else None
    listed = int(listed) if isinstance(listed, (int, str)) and str(listed).isdigit() else None
    params = loadpage_params(text) or {}
    per = int(params.get("perPage") or 15)
    if listed is None or not params:
        return ListPage(entries, [], listed=listed)
    # From page 2 on, although the embedded list may already hold the first pages: whether it is
    # sorted like /queryList is not known (no saved answer), so no page is skipped on that guess.
    pages = math.ceil(listed / per)
    return ListPage(entries, planned_pages(range(2, pages + 1), lambda page: _querylist_request(params, page, per, url)),
                    listed=listed)


def _form_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _querylist_request(params: dict, page: int, per: int, referer: str) -> PageRequest:
    """POST /queryList as the page's script sends it: its params, jQuery-style (``key[]`` for an
    array), with ``current`` = the page and ``pageSize`` = perPage. The API is at the site root,
    not under the page's <base href>."""
    form = {}
    for key, value in {**params, "current": page, "pageSize": per}.items():
        if isinstance(value, list):
            values = [_form_value(v) for v in value]
            form[f"{key}[]"] = values[0] if len(values) == 1 else values
        elif not isinstance(value, dict):
            form[key] = _form_value(value)
    return PageRequest(urljoin(referer, QUERY_LIST), method="POST", formdata=form,
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "X-Requested-With": "XMLHttpRequest", "Referer": referer},
                       state={"stage": "querylist", "page": page, "referer": referer})


def querylist_entries(text: str, base_url: str) -> list[dict]:
    """Entries of a /queryList answer, JSON ``data.results[].source`` (UNVERIFIED: public code)."""
    doc = load_json(text, "queryList")
    data = doc.get("data") if isinstance(doc, dict) else None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise ValueError(f"queryList answer has no data.results: {text[:120]!r}")
    out = []
    for row in results:
        source = row.get("source") if isinstance(row, dict) else None
        entry = _article_entry(source, base_url) if isinstance(source, dict) else None
        if entry:
            out.append(entry)
    return out


def jpage_info(text: str, url: str, params: dict) -> dict:
    """The proxy's form fields, totals and path, read from a column page (params as fallback)."""
    nextgroup = NEXTGROUP.search(text)
    next_href = None
    if nextgroup:
        m = re.search(r"href\s*=\s*['\"]([^'\"]+)", nextgroup.group(1))
        next_href = html.unescape(m.group(1)) if m else None
    query = dict(parse_qsl(urlsplit(next_href).query)) if next_href else {}
    # the unit is the element wrapping the datastore script (a page may carry several jpage lists)
    unit = _UNIT_DIV.search(text)
    info = {}
    for key, rx in _IDS.items():
        m = rx.search(text)
        found = unit.group(1) if key == "unitid" and unit else None
        info[key] = query.get(key) or found or _param(params, key) or (m.group(1) if m else None)
    if not info["columnid"]:
        m = _COL_IN_URL.search(url)
        info["columnid"] = m.group(1) if m else None
    m = _WEBNAME.search(text)
    info["webname"] = query.get("webname") or (html.unescape(m.group(1)) if m else "") or params.get("webname", "")
    total = _TOTAL_RECORD.search(text)
    info["total"] = int(total.group(1) or total.group(2)) if total else None
    per = _PER_PAGE.search(text)
    info["perpage"] = int(per.group(1)) if per else int(params.get("perpage", 15))
    # the proxy's path differs by JCMS version (docs/families.md, hanweb): the <nextgroup> link's, else
    # one the page's scripts name (jpage's proxyUrl), else the current default
    named = _PROXY_IN_PAGE.search(text)
    proxy = (params.get("proxy_path") or (urlsplit(next_href).path if next_href else None)
             or (html.unescape(named.group(1)) if named else None) or PROXY_PATH)
    info["proxy_url"] = urljoin(url, proxy)
    info["next_href"] = urljoin(url, next_href) if next_href else None
    return info


def _param(params, key):
    value = params.get(key)
    return str(value) if value is not None else None


def _parse_column(text: str, url: str, params: dict, browser: bool = False) -> ListPage:
    entries = records(text, url)
    if not entries:
        # some Hanweb sites server-render the list (Shandong province: /art/ links in the HTML)
        entries = anchor_entries(Selector(text=text), url, re.compile(r"/art/\d{4}/"))
    info = jpage_info(text, url, params)
    # a page may carry its list twice (PC table + mobile list): count each report once
    listed = len({canonical(e["url"]) for e in entries})
    total = info["total"]
    if not info["unitid"] or (total is not None and total <= listed):
        return ListPage(entries, [], listed=total)  # a single page, or no jpage list on this column
    if params.get("proxy") == "pagenum":
        # server-side page switching, for sites whose dataproxy.jsp answers nothing
        pages = -(-info["total"] // info["perpage"]) if info["total"] else 1
        base = add_or_replace_parameter(url, "uid", info["unitid"])
        # the column page again: rendered like the first one (proxy answers are XML, never rendered)
        return ListPage(entries, planned_pages(range(2, pages + 1), lambda n: PageRequest(
            add_or_replace_parameter(base, "pageNum", str(n)), browser=browser,
            state={"stage": "column_page", "page": n})), listed=total)
    if params.get("proxy") == "get":
        if not info["next_href"]:  # no <nextgroup> link here: build the GET form it would carry
            info["next_href"] = _get_href(info)
        page = int(dict(parse_qsl(urlsplit(info["next_href"]).query)).get("page") or 1)
        return ListPage(entries, [_get_request(info, url, page)], listed=total)
    state = {"stage": "proxy", "referer": url, "info": info, "planned": info["total"] is not None}
    if info["total"] is None:  # unknown size: ask one chunk, plan the rest from <totalrecord>
        return ListPage(entries, [_post_request(info, url, listed + 1, state)])
    return ListPage(entries, _plan_posts(info, url, listed + 1, info["total"], state), listed=total)


def _parse_proxy(text: str, url: str, state: dict, params: dict) -> ListPage:
    head = text[:4096].lower()
    if text.strip() and "<datastore" not in head and "<record" not in head:
        # an error or WAF page instead of the XML: a recorded list error, not a silently short list
        # (an empty body is the proxy's own "nothing more", seen with encrypted <nextgroup> ids)
        raise ValueError(f"dataproxy answer is not a <datastore>: {text[:120]!r}")
    entries = records(text, url)
    info = dict(state["info"])
    requests = []
    total = _TOTAL_RECORD.search(text)
    listed = int(total.group(1) or total.group(2)) if total else None
    pages = _TOTAL_PAGE.search(text)
    if state.get("method") == "get":
        # follow the response's own <nextgroup> (page=N); stop at an empty page or the last one
        page = state.get("page", 1)
        total_pages = _TOTAL_PAGE.search(text)
        nxt = jpage_info(text, url, params)["next_href"]
        nxt_page = int(dict(parse_qsl(urlsplit(nxt).query)).get("page") or 0) if nxt else page + 1
        if entries and nxt_page > page and (total_pages is None or page < int(total_pages.group(1))):
            requests.append(_get_request({**info, "next_href": nxt or info["next_href"]}, state["referer"], nxt_page))
    elif not state.get("planned"):
        if listed and entries:
            # the rest, asked the way this answer was asked (its startrecord…endrecord window)
            start, end = int(state["start"]), int(state["end"])
            requests = _plan_posts(info, state["referer"], end + 1, listed, {**state, "planned": True},
                                   chunk=end - start + 1)
    return ListPage(entries, requests, listed=listed, pages=None if listed else
                    (int(pages.group(1)) if pages else None))


def _plan_posts(info, referer, first, total, state, chunk=None) -> planned_pages:
    chunk = chunk or info["perpage"] * _SCREENS
    return planned_pages(range(first, total + 1, chunk),
                         lambda start: _post_request(info, referer, start, state, min(start + chunk - 1, total)))


def proxy_request(form: dict, proxy_url: str, referer: str, start: int, end: int, perpage: int) -> PageRequest:
    """The dataproxy POST for records start..end with the column's form fields (what
    _parse_column plans; also how a saved answer's request is rebuilt in tests)."""
    info = {"webid": form.get("webid"), "columnid": form.get("columnid"), "unitid": form.get("unitid"),
            "webname": form.get("webname", ""), "sourceContentType": form.get("sourceContentType"),
            "perpage": int(perpage), "proxy_url": proxy_url, "next_href": None, "total": None}
    return _post_request(info, referer, start, {"stage": "proxy", "referer": referer, "info": info,
                                                "planned": False}, end)


def _post_request(info, referer, start, state, end=None) -> PageRequest:
    end = end or start + info["perpage"] * _SCREENS - 1
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": info["perpage"]})
    form = {
        "col": "1", "appid": "1", "webid": info["webid"] or "1", "path": "/",
        "columnid": info["columnid"] or "", "sourceContentType": info.get("sourceContentType") or "1",
        "unitid": info["unitid"],
        "webname": info["webname"], "permissiontype": "0",
    }
    return PageRequest(f"{info['proxy_url']}?{query}", method="POST", formdata=form,
                       headers={"Referer": referer}, state={**state, "start": start, "end": end})


def _get_href(info) -> str:
    query = urlencode({"page": 1, "appid": 1, "webid": info["webid"] or "1", "path": "/",
                       "columnid": info["columnid"] or "", "unitid": info["unitid"],
                       "webname": info["webname"], "permissiontype": 0})
    return f"{info['proxy_url']}?{query}"


def _get_request(info, referer, page) -> PageRequest:
    url = add_or_replace_parameter(info["next_href"], "page", str(page))
    return PageRequest(url, headers={"Referer": referer},
                       state={"stage": "proxy", "method": "get", "page": page, "referer": referer, "info": info})
