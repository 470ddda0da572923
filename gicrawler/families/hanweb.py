"""Hanweb JCMS "jpage" lists (嘉兴, Zhejiang, Jiangsu …) (docs/families.md, hanweb).

- the column page ``/col/col{id}/index.html`` embeds page 1 in
  ``<script type="text/xml"><datastore>…<record><![CDATA[<li>…]]></record>``;
- the rest comes from ``/module/web/jpage/dataproxy.jsp``: POST with
  ``?startrecord=&endrecord=&perpage=`` and the form fields webid/columnid/unitid/webname…
  read from the column page (``<nextgroup>`` link, ``param_<unitid>``, ``jpage({totalRecord,perPage})``),
  or (params ``proxy: get``) the GET ``page=N`` form the ``<nextgroup>`` link carries,
  or (params ``proxy: pagenum``) the column page itself with ``?uid={unitid}&pageNum=N``;
- the proxy answers XML ``<datastore><totalrecord/><totalpage/><nextgroup/><recordset>…``.
"""
from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector
from w3lib.url import add_or_replace_parameter

from gicrawler.discovery import canonical
from gicrawler.families import ListPage, PageRequest, anchor_entries, planned_pages

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
        return _parse_column(text, url, params, bool(state.get("browser")))
    if state.get("stage") == "column_page":  # ?uid=&pageNum=n: page n in the same <datastore> block
        return ListPage(records(text, url), [])
    return _parse_proxy(text, url, state, params)


def records(text: str, base_url: str) -> list[dict]:
    """Entries of the <record><![CDATA[<li>…]]></record> items of a datastore."""
    rows = "".join(RECORD.findall(text))
    return anchor_entries(Selector(text=f"<ul>{rows}</ul>"), base_url) if rows else []


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
    if not info["unitid"] or (info["total"] is not None and info["total"] <= listed):
        return ListPage(entries, [])  # a single page, or no jpage list on this column
    if params.get("proxy") == "pagenum":
        # server-side page switching, for sites whose dataproxy.jsp answers nothing
        pages = -(-info["total"] // info["perpage"]) if info["total"] else 1
        base = add_or_replace_parameter(url, "uid", info["unitid"])
        # the column page again: rendered like the first one (proxy answers are XML, never rendered)
        return ListPage(entries, planned_pages(range(2, pages + 1), lambda n: PageRequest(
            add_or_replace_parameter(base, "pageNum", str(n)), browser=browser,
            state={"stage": "column_page", "page": n})))
    if params.get("proxy") == "get":
        if not info["next_href"]:  # no <nextgroup> link here: build the GET form it would carry
            info["next_href"] = _get_href(info)
        page = int(dict(parse_qsl(urlsplit(info["next_href"]).query)).get("page") or 1)
        return ListPage(entries, [_get_request(info, url, page)])
    state = {"stage": "proxy", "referer": url, "info": info, "planned": info["total"] is not None}
    if info["total"] is None:  # unknown size: ask one chunk, plan the rest from <totalrecord>
        return ListPage(entries, [_post_request(info, url, listed + 1, state)])
    return ListPage(entries, _plan_posts(info, url, listed + 1, info["total"], state))


def _parse_proxy(text: str, url: str, state: dict, params: dict) -> ListPage:
    head = text[:4096].lower()
    if text.strip() and "<datastore" not in head and "<record" not in head:
        # an error or WAF page instead of the XML: a recorded list error, not a silently short list
        # (an empty body is the proxy's own "nothing more", seen with encrypted <nextgroup> ids)
        raise ValueError(f"dataproxy answer is not a <datastore>: {text[:120]!r}")
    entries = records(text, url)
    info = dict(state["info"])
    requests = []
    if state.get("method") == "get":
        # follow the response's own <nextgroup> (page=N); stop at an empty page or the last one
        page = state.get("page", 1)
        total_pages = _TOTAL_PAGE.search(text)
        nxt = jpage_info(text, url, params)["next_href"]
        nxt_page = int(dict(parse_qsl(urlsplit(nxt).query)).get("page") or 0) if nxt else page + 1
        if entries and nxt_page > page and (total_pages is None or page < int(total_pages.group(1))):
            requests.append(_get_request({**info, "next_href": nxt or info["next_href"]}, state["referer"], nxt_page))
    elif not state.get("planned"):
        total = _TOTAL_RECORD.search(text)
        if total and entries:
            start = int(state["end"]) + 1
            requests = _plan_posts(info, state["referer"], start, int(total.group(1) or total.group(2)),
                                   {**state, "planned": True})
    return ListPage(entries, requests)


def _plan_posts(info, referer, first, total, state) -> planned_pages:
    chunk = info["perpage"] * _SCREENS
    return planned_pages(range(first, total + 1, chunk),
                         lambda start: _post_request(info, referer, start, state, min(start + chunk - 1, total)))


def _post_request(info, referer, start, state, end=None) -> PageRequest:
    end = end or start + info["perpage"] * _SCREENS - 1
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": info["perpage"]})
    form = {
        "col": "1", "appid": "1", "webid": info["webid"] or "1", "path": "/",
        "columnid": info["columnid"] or "", "sourceContentType": "1", "unitid": info["unitid"],
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
