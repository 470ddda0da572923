"""Which links on a list page are annual reports, and which links on a report are attachments.

Pure functions: strings and parsel selectors in, plain values out. No crawler needed.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from parsel import Selector
from w3lib.url import canonicalize_url

# A report title, after t2s conversion and with all whitespace removed:
# 政府信息公开工作年度报告, 政府信息公开年度报告, 信息公开年报, 政府信息公开年度工作报告, 政务公开年报,
# and the bare 政府信息公开报告 (a real 年报 column lists one: tests/files/trs/pingtan-zhz-zfxxgknb-list.html) …
_REPORT = re.compile(r"(信息|政务)公开(工作)?((年度(工作)?)?报告|年报)")
# Items that share the column with the reports and mention the phrase: notices about compiling
# the report, its guide/catalogue, interpretations, statistical forms.
_NOT_REPORT = re.compile(r"通知|要点|指南|目录|报表|编制|解读|意见|方案|制度|公示|征求")
_SPACES = re.compile(r"[\s\u3000\xa0\u200b]+")

ATTACHMENT_EXTS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError:  # degraded: simplified titles still match
        return lambda s: s
    return opencc.OpenCC("t2s").convert


def normalize_title(title: str | None) -> str:
    """Simplified characters, no whitespace: the form titles are matched in."""
    return _t2s()(_SPACES.sub("", title or ""))


def is_report_title(title: str | None) -> bool:
    """True for a 政府信息公开(工作)年度报告 / 年报 title of any year; False for the rest of the column."""
    t = normalize_title(title)
    return bool(_REPORT.search(t)) and not _NOT_REPORT.search(t)


def parse_date(text: str | None) -> str | None:
    """First plausible date in text as ISO YYYY-MM-DD (2024-01-29, 2024年1月29日, 2024/01/29)."""
    if not text:
        return None
    for m in _DATE.finditer(text):
        y, mo, d = (int(x) for x in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


_NOT_WEB = re.compile(r"(?i)(javascript|mailto|tel|data):")


def resolve(href: str | None, base_url: str) -> str | None:
    """Absolute URL of href on a page at base_url; None for javascript:/mailto:/anchors.

    Protocol-relative hrefs (//host/path) take the page's scheme (urljoin does this).
    """
    href = (href or "").strip().replace("\\", "/")
    if not href or href.startswith("#") or _NOT_WEB.match(href):
        return None
    url = urljoin(base_url, href)
    return url if urlsplit(url).scheme in ("http", "https") else None


def page_base(sel: Selector, url: str) -> str:
    """The URL a page's relative links resolve against: its ``<base href>`` (江西's newer Hanweb
    template sets ``<base href="/jxssthjt/">``), else the page's own URL."""
    href = sel.xpath("(//base[@href])[1]/@href").get()
    return urljoin(url, href.strip()) if href and href.strip() else url


@lru_cache(maxsize=4096)   # the same link is keyed by reach, select_reports and the incremental lookup
def canonical(url: str) -> str:
    """Dedupe key: canonical URL without scheme (PC and mobile markup, http/https, param order)."""
    c = canonicalize_url(url, keep_fragments=False)
    return c.split("://", 1)[-1]


def attachment_ext(url: str) -> str | None:
    """File extension if url points at a document (path, or a filename=/file= query value)."""
    parts = urlsplit(url)
    candidates = [unquote(parts.path)] + [v for _, v in parse_qsl(parts.query)]
    for c in candidates:
        ext = PurePosixPath(c.strip().lower()).suffix.lstrip(".")
        if ext in ATTACHMENT_EXTS:
            return ext
    return None


def _viewer_target(url: str) -> str:
    """pdf.js viewers (viewer.html?file=/x.pdf) → the file itself."""
    parts = urlsplit(url)
    if attachment_ext(parts._replace(query="").geturl()) is None:
        for key, value in parse_qsl(parts.query):
            if key.lower() == "file" and attachment_ext(value):
                return urljoin(url, value)
    return url


# Page furniture whose document links are site-wide (指南.pdf in a footer), not the report's files
_FURNITURE = re.compile(r"(^|[\s_-])(foot|footer|nav|navbar|menu|header|top|topbar|bottom|sidebar|side|links?|share)([\s_-]|$)", re.I)


def _in_furniture(node) -> bool:
    for anc in node.xpath("ancestor::*"):
        tag = anc.root.tag if isinstance(anc.root.tag, str) else ""
        if tag in ("header", "footer", "nav"):
            return True
        if _FURNITURE.search(f"{anc.attrib.get('class', '')} {anc.attrib.get('id', '')}"):
            return True
    return False


def find_attachments(sel: Selector, base_url: str) -> list[dict]:
    """Document links of a report page: [{url, name, ext}], deduped, in page order.

    The body container and the attachment list beside it (附件 blocks sit inside or after the
    body, depending on the CMS); links in headers, footers and navigation are not the report's.
    """
    out, seen = [], set()
    base_url = page_base(sel, base_url)
    for node in sel.xpath("//a[@href] | //iframe[@src] | //embed[@src] | //object[@data]"):
        raw = node.attrib.get("href") or node.attrib.get("src") or node.attrib.get("data")
        url = resolve(raw, base_url)
        if not url:
            continue
        url = _viewer_target(url)
        ext = attachment_ext(url)
        key = canonical(url)
        if ext is None or key in seen or _in_furniture(node):
            continue
        seen.add(key)
        name = _SPACES.sub(" ", " ".join(node.xpath(".//text()").getall())).strip()
        out.append({"url": url, "name": name or node.attrib.get("title", ""), "ext": ext})
    return out


def select_reports(entries: list[dict], seen: set[str] | None = None) -> list[dict]:
    """Report entries of a list page, deduped by canonical URL.

    entries: [{url, title, date}] as the family adapters return them. ``seen`` (a set of
    canonical URLs) carries dedupe across list pages; it is updated in place.
    """
    seen = set() if seen is None else seen
    out = []
    for e in entries:
        if not e.get("url") or not is_report_title(e.get("title")):
            continue
        key = canonical(e["url"])
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out


# --- tables printed as images ----------------------------------------------------------------
IMAGE_EXTS = ("png", "jpg", "jpeg", "gif")
MAX_TABLE_IMAGES = 8          # three table sections, a table sometimes cut into two pictures
# Headings of the sections that hold the national tables (二/三/四) and of those after them.
_TABLE_HEADING = re.compile(r"主动公开政府信息(?:的)?情况|收到和处理政府信息公开申请(?:的)?情况|"
                            r"行政复议[、,，和及与]*(?:提起)?行政诉讼(?:的)?情况")
_AFTER_TABLES = re.compile(r"存在的主要问题|存在的问题|其他需要报告的事项")
_IMG_SRC = re.compile(r"""<img\b[^>]*?\s(?:data-src|src)\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s>]+))""", re.I)
_TABLE_TAG = re.compile(r"<table\b", re.I)


def image_ext(url: str) -> str:
    suffix = PurePosixPath(unquote(urlsplit(url).path).lower()).suffix.lstrip(".")
    return suffix if suffix in IMAGE_EXTS else "img"


def table_images(html: str, base_url: str) -> list[dict]:
    """Pictures that stand in for a national table: [{url, name, ext}], in page order.

    An ``<img>`` between the heading of section 二/三/四 (主动公开政府信息情况 …) and the next
    heading, in a section that holds no ``<table>`` (a section with an HTML table has its numbers
    already), like the 图片版 reports. Works on the markup as text (no tree needed): headings and
    tags are found in document order. Data URIs and off-page schemes are skipped."""
    if "<img" not in html and "<IMG" not in html:
        return []
    heads = [(m.start(), True) for m in _TABLE_HEADING.finditer(html)]
    heads += [(m.start(), False) for m in _AFTER_TABLES.finditer(html)]
    heads.sort()
    out, seen = [], set()
    for (start, is_table), (end, _) in zip(heads, heads[1:] + [(len(html), False)]):
        if not is_table:
            continue
        span = html[start:end]
        if _TABLE_TAG.search(span):
            continue
        for m in _IMG_SRC.finditer(span):
            url = resolve(next(g for g in m.groups() if g), base_url)
            if not url or canonical(url) in seen:
                continue
            seen.add(canonical(url))
            out.append({"url": url, "name": "", "ext": image_ext(url), "table_image": True})
            if len(out) >= MAX_TABLE_IMAGES:
                return out
    return out
