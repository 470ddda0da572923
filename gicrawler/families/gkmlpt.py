"""Guangdong 政府信息公开目录管理平台 ``gkmlpt`` (every 广东 agency) (docs/families.md, gkmlpt).

- index ``{base}/gkmlpt/index`` (some sites under a path prefix, ``/fscczrzyj/gkmlpt/index``):
  ``window._CONFIG = {… SID: '<digits>', … TREE: [...], SERVICE_AREA_ID …}``, TREE nodes
  ``{id, name, parent, children, jump_url}`` (public code also reads a ``post_count``; the real
  TREEs carry none);
- the 年报 categories: the TREE nodes whose name matches params ``category_pattern`` (default
  ``年报|年度报告``; the real TREEs have a top-level ``政府信息公开工作年度报告``; a matched node's
  leaves when it has children), or params ``categories`` (ids);
  a TREE without one → category 0 (every post; discovery keeps the reports by title);
- lists ``GET {base}/gkmlpt/api/all/{cat}?page={n}&sid={SID}``, pages from 1, headers
  ``X-Requested-With: XMLHttpRequest`` and ``Referer: {base}/gkmlpt/policy``, answering JSON
  ``{classify: {post_count}, total, articles: [{id, title, url, post_url, date, …}]}``; page 1's
  count and size plan the rest; without a count, pages follow until one is empty;
- details ``…/gkmlpt/content/{a}/{b}/post_{id}.html``: ``window._CONFIG = {…, SID, DETAIL: {…},
  TREE: [...], SERVICE_AREA_ID}``; the body is the JSON string ``DETAIL.content`` (read by
  gicrawler/parsing/embedded.py), and the server renders the same body and label block into the
  markup too (``div.classify`` 索引号 … 主题词, ``div.article-content``).

Three real detail pages (tests/files/gkmlpt/) confirm the detail page, its ``_CONFIG`` and the
TREE nodes; the index page and the API answer are still from public crawler code only (VERIFIED).
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from gicrawler.discovery import find_attachments, parse_date, resolve
from gicrawler.families import ListPage, PageRequest, clean, load_json, planned_pages
from gicrawler.parsing.embedded import embedded_html

# Which of these behaviours a real saved page shows (tests/files/gkmlpt/README.md): True where one
# of the three real detail pages there shows it; the rest from public crawler code, named beside it.
VERIFIED = {
    "index_config": False,          # /gkmlpt/index's window._CONFIG: no index page saved (china-governance
                                    # discover_site); the detail pages' _CONFIG has SID, TREE, SERVICE_AREA_ID
    "detail_config": True,          # window._CONFIG {SID: '200035', DETAIL, TREE, SERVICE_AREA_ID} on a post
    "tree_nodes": True,             # id, name, parent, children, jump_url; no post_count on the real TREEs
    "report_category_name": True,   # a top-level node 政府信息公开工作年度报告 in each real TREE (564, 6396, 6812)
    "api_list": False,              # /gkmlpt/api/all/{cat}?page={n}&sid=, pages from 1, cat 0 = all: china-governance
    "api_answer": False,            # classify.post_count, total, articles[]: china-governance store_gkmlpt_document
    "api_headers": False,           # X-Requested-With, Referer /gkmlpt/policy: ABSXDIVY/Crawler gz_rsj_crawler
    "detail_json_body": True,       # DETAIL.content with \u003C escapes = the rendered div.article-content
    "detail_fields": True,          # DETAIL.gkml_data {identifier, document_number, publisher, date}, DETAIL.date
    "detail_attachments": False,    # DETAIL.attachment is [] on all three real pages: how files are listed, unseen
}

CATEGORY_PATTERN = r"年报|年度报告"
ALL_POSTS = 0
_SID = re.compile(r"""\bSID\s*:\s*['"]?(\d+)""")
_TREE = re.compile(r"\bTREE\s*:\s*(?=\[)")
_BEIJING = timezone(timedelta(hours=8))


def first_requests(portal) -> list[PageRequest]:
    return [PageRequest(url, state={"stage": "index"}) for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    if state.get("stage") == "index":
        return _parse_index(text, url, params)
    return _parse_api(text, url, state)


def base_url(url: str) -> str:
    """``…/gkmlpt/`` of any gkmlpt URL (the index, mindex, an API call), prefix kept."""
    parts = urlsplit(url)
    path = parts.path
    cut = path.find("/gkmlpt/")
    prefix = path[:cut] if cut >= 0 else path.rsplit("/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{prefix}/gkmlpt/"


def site_config(text: str) -> tuple[str, list]:
    """(SID, TREE) of an index page's ``window._CONFIG``; ValueError if the page has none."""
    sid = _SID.search(text)
    tree = _TREE.search(text)
    if not sid or not tree:
        raise ValueError("gkmlpt index without window._CONFIG SID/TREE")
    try:
        nodes, _ = json.JSONDecoder().raw_decode(text, tree.end())
    except ValueError as exc:
        raise ValueError(f"gkmlpt TREE is not JSON: {exc}") from None
    return sid.group(1), nodes if isinstance(nodes, list) else []


def report_categories(tree: list, params: dict) -> list[int]:
    """Category ids to list: params ``categories``, else the TREE nodes named like a 年报 column
    (their leaves, nodes with a ``jump_url`` left out), else [0] (all posts)."""
    if params.get("categories"):
        return [int(c) for c in params["categories"]]
    pattern = re.compile(params.get("category_pattern") or CATEGORY_PATTERN)
    found: list[int] = []

    def leaves(node):
        kids = [k for k in node.get("children") or () if isinstance(k, dict) and not k.get("jump_url")]
        if not kids:
            return [node]
        return [leaf for k in kids for leaf in leaves(k)]

    def walk(nodes):
        for node in nodes:
            if not isinstance(node, dict) or node.get("jump_url"):
                continue
            if pattern.search(str(node.get("name") or "")):
                for leaf in leaves(node):
                    # an empty category costs a request for nothing
                    if leaf.get("post_count") != 0 and leaf.get("id") is not None and int(leaf["id"]) not in found:
                        found.append(int(leaf["id"]))
            else:
                walk(node.get("children") or ())

    walk(tree)
    return found or [ALL_POSTS]


def _parse_index(text: str, url: str, params: dict) -> ListPage:
    sid, tree = site_config(text)
    base = base_url(url)
    return ListPage([], [_api_request(base, sid, cat, 1) for cat in report_categories(tree, params)])


def _api_request(base: str, sid: str, cat: int, page: int, **state) -> PageRequest:
    return PageRequest(urljoin(base, f"api/all/{cat}?page={page}&sid={sid}"),
                       headers={"X-Requested-With": "XMLHttpRequest", "Referer": urljoin(base, "policy")},
                       state={"stage": "api", "base": base, "sid": sid, "cat": cat, "page": page, **state})


def _parse_api(text: str, url: str, state: dict) -> ListPage:
    doc = load_json(text, "gkmlpt API")
    articles = doc.get("articles") if isinstance(doc, dict) else None
    if articles is None:
        raise ValueError(f"gkmlpt API answer without articles: {text[:120]!r}")
    entries = [e for e in (article_entry(a, state["base"]) for a in articles if isinstance(a, dict)) if e]
    page, requests = state["page"], []
    count = post_count(doc)
    if page == 1 and count is not None and articles:
        pages = math.ceil(count / len(articles))
        requests = planned_pages(range(2, pages + 1), lambda n: _api_request(
            state["base"], state["sid"], state["cat"], n, planned=True))
    elif not state.get("planned") and articles:
        # no count: the next page, until an empty one (or one that repeats this one)
        urls = sorted(e["url"] for e in entries)
        if urls != state.get("last"):
            requests = [_api_request(state["base"], state["sid"], state["cat"], page + 1, last=urls)]
    # the category's stated size (the spider's listed/reached; a TREE of several 年报 categories
    # shows the largest of them)
    return ListPage(entries, requests, listed=count if page == 1 else None)


def post_count(doc: dict) -> int | None:
    classify = doc.get("classify") if isinstance(doc.get("classify"), dict) else {}
    for value in (classify.get("post_count"), doc.get("total")):
        if isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def article_entry(article: dict, base: str) -> dict | None:
    """{url, title, date} of one API article: its gkmlpt ``url`` (else ``post_url``)."""
    url = resolve(str(article.get("url") or article.get("post_url") or ""), base)
    if not url:
        return None
    return {"url": url, "title": clean(str(article.get("title") or "")), "date": article_date(article)}


def article_date(article: dict) -> str | None:
    """The publication day: ``display_publish_time`` / ``date`` are epoch seconds (Beijing days)."""
    for key in ("display_publish_time", "date"):
        value = article.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return datetime.fromtimestamp(value, _BEIJING).date().isoformat()
    return parse_date(str(article.get("created_at") or ""))


def detail_requests(text: str, url: str, state: dict, params: dict) -> list[PageRequest]:
    """A post's files linked in its JSON body that the page's markup does not link: the real
    server renders the body into the markup as well, whose links the spider takes already."""
    if state:   # the files themselves name nothing further
        return []
    html = embedded_html(text)
    if html is None:
        return []
    linked = find_attachments(Selector(text=html), url)
    if not linked:
        return []
    in_markup = {att["url"] for att in find_attachments(Selector(text=text), url)}
    return [PageRequest(att["url"], state={"kind": att["ext"], "name": att["name"]})
            for att in linked if att["url"] not in in_markup]
