"""Hanweb JPaaS "unitbuild" lists (newer Zhejiang template, 嘉兴 sub-sites) (docs/families.md, jpaas).

The column page carries ``<script … unitbuild.js url="…" queryData="{'webId':…}">`` or a pager
div with ``count rows pageNo unitUrl queryData`` attributes. Pages come from

    GET /api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic&webId=…
        &tplSetId=…&pageType=column&tagId=…&editType=null&pageId=…&paramJson={"pageNo":n,"pageSize":rows}

(``bulidstatic`` is the real, misspelt value; paging works only inside paramJson) answering
``{"success":true,"data":{"html":"<ul>…</ul>"}}``. Stop at the first page with nothing in it.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode, urljoin

from parsel import Selector

from gicrawler.families import ListPage, PageRequest, anchor_entries, link_pattern, load_json

# No real page or answer of this family was saved (tests/files/jpaas/README.md): all of it is
# from public code and notes.
VERIFIED = {"unitbuild_column_page": False, "unit_api": False, "pager_count": False}

UNIT_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
# detail links: /art/YYYY/M/D/art_… (classic) or /col/col…/art/YYYY/art_{32hex}.html (JPaaS)
DETAIL = re.compile(r"/art/\d{4}/|/art_[0-9a-f]{32}\.html")


def first_requests(portal) -> list[PageRequest]:
    return [PageRequest(url, browser=portal.browser, state={"stage": "column"}) for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    link = link_pattern(params, DETAIL)
    if state.get("stage") == "column":
        sel = Selector(text=text)
        entries = anchor_entries(sel, url, link)
        unit = unit_config(sel, url, params)
        if unit is None:
            return ListPage(entries, [])
        return ListPage(entries, [_request(unit, url, 1)], listed=unit["count"])
    page = state["page"]
    entries = unit_entries(text, url, link, first=page == 1)
    urls = sorted(e["url"] for e in entries)
    # stop at the first empty page, or when the API ignores pageNo and repeats the last page
    # (an API that never runs dry is stopped by the spider's page cap)
    if not entries or urls == state.get("last"):
        return ListPage(entries, [])
    nxt = _request(state["unit"], state["referer"], page + 1)
    nxt.state["last"] = urls
    return ListPage(entries, [nxt])


def unit_entries(text: str, base_url: str, link: re.Pattern, first: bool = False) -> list[dict]:
    """Entries of a unitbuild JSON answer (data.html); [] for an empty page (the end of the list).

    ValueError (recorded by the spider as a list error) for an answer that is not the API's JSON
    (an error or WAF page) and for a refusal (``success: false``) of the first page, which means
    the unit's ids were read wrong; a refusal further on ends the list like an empty page.
    """
    if not text.strip():
        return []
    doc = load_json(text, "JPaaS unit")
    if first and isinstance(doc, dict) and doc.get("success") is False:
        raise ValueError(f"JPaaS unit refused the first page: {text[:200]!r}")
    data = doc.get("data") if isinstance(doc, dict) else None
    markup = data.get("html") if isinstance(data, dict) else data if isinstance(data, str) else None
    if not markup or not markup.strip():
        return []
    return anchor_entries(Selector(text=markup), base_url, link)


def query_data(raw: str | None) -> dict:
    """queryData attributes are single-quoted JSON: {'webId':'3185','pageId':'…'}."""
    if not raw:
        return {}
    try:
        return json.loads(raw.replace("'", '"'))
    except ValueError:
        return dict(re.findall(r"['\"]?(\w+)['\"]?\s*:\s*['\"]([^'\"]*)['\"]", raw))


def unit_config(sel: Selector, url: str, params: dict) -> dict | None:
    """webId/pageId/tplSetId/tagId, rows and the unit URL from the column page (params as fallback)."""
    # the unitbuild <script> and the pager div both carry queryData; merge their attributes
    attrs = {}
    for node in sel.xpath("//*[@querydata]"):
        for k, v in node.attrib.items():
            attrs.setdefault(k.lower(), v)
        if "unitbuild" in node.attrib.get("src", "") and node.attrib.get("url"):
            attrs["uniturl"] = node.attrib["url"]
    q = query_data(attrs.get("querydata"))
    unit = {
        "url": urljoin(url, attrs.get("uniturl") or params.get("unit_url") or UNIT_PATH),
        "webId": q.get("webId") or params.get("webId"),
        "pageId": q.get("pageId") or params.get("pageId"),
        "tplSetId": q.get("tplSetId") or params.get("tplSetId"),
        "tagId": q.get("tagId") or params.get("tagId") or "list",
        "rows": int(attrs.get("rows") or params.get("rows") or 15),
        # the pager's record count: the column's stated size
        "count": int(attrs["count"]) if str(attrs.get("count", "")).isdigit() else None,
    }
    if not (unit["webId"] and unit["pageId"]):
        return None
    return unit


def _request(unit: dict, referer: str, page: int) -> PageRequest:
    query = {
        "parseType": "bulidstatic", "webId": unit["webId"], "tplSetId": unit["tplSetId"] or "",
        "pageType": "column", "tagId": unit["tagId"], "editType": "null", "pageId": unit["pageId"],
        "paramJson": json.dumps({"pageNo": page, "pageSize": unit["rows"]}, separators=(",", ":")),
    }
    return PageRequest(f"{unit['url']}?{urlencode(query)}", headers={"Referer": referer},
                       state={"stage": "unit", "page": page, "unit": unit, "referer": referer})
