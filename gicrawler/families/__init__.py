"""Portal family adapters: how a family's list pages are reached and read.

Each adapter module (gongkai, hanweb, jpaas, trs, gkmlpt, govcn, zfxxgknb, ucap, webbuilder)
exposes two pure functions:

    first_requests(portal) -> list[PageRequest]
        the list requests to start a portal with (its index URLs);
    parse_list(text, url, state, params) -> ListPage
        text: the decoded list response; url: its URL; state: the PageRequest.state it was
        requested with; params: the seed entry's params. Returns the entries found
        ({url, title, date}), the next list requests to make and, when the page states it, the
        column's size (``listed``: entries; ``pages``: pages) — the spider compares it with what
        it reached (``listed N, reached M``), so a column read only in part is never silent.

Family behaviour that no real saved page confirms is listed in each adapter's ``VERIFIED``
table (variant → True/False, docs/families.md says which real page shows the True ones).

Nothing here touches Scrapy: the spider turns PageRequest into scrapy.Request. Title filtering
and dedupe happen later (gicrawler.discovery), so adapters return every item of the list.

A pager may claim any number of pages (``createPageHTML(1000000, …)``, ``totalRecord`` 1,000,000):
adapters plan them with ``planned_pages`` (built on demand), and the spider takes at most
GICRAWLER_MAX_LIST_PAGES per column (``PortalSpider.take_list_pages``). No adapter caps pages itself.

An adapter whose report pages are shells (the content comes from a further request the page's
script makes) also has

    detail_requests(text, url, state, params) -> list[PageRequest]
        called on a fetched report page (state {}) and on the answer of every request it
        returned (with that request's state): the requests that bring the report's content.
        The spider fetches them like attachments; their answers are parsed as table sources.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import import_module

from lxml import etree
from parsel import Selector, SelectorList

from gicrawler.discovery import attachment_ext, page_base, parse_date, resolve

_SPACES = re.compile(r"[\s\u3000\xa0]+")


@dataclass
class PageRequest:
    url: str
    method: str = "GET"
    formdata: dict | None = None      # form fields for a POST (application/x-www-form-urlencoded)
    headers: dict = field(default_factory=dict)
    browser: bool = False             # render through scrapy-playwright
    wait_for: str | None = None       # CSS selector that must exist before the rendered HTML is taken
    # browser steps after loading, each (playwright Page method, args), e.g. ("evaluate", (js, arg))
    steps: tuple = ()
    dont_filter: bool = False         # the same URL rendered again (another pager position)
    state: dict = field(default_factory=dict)  # handed back to parse_list with the response


@dataclass
class ListPage:
    entries: list[dict]               # [{url, title, date}] in list order, not yet filtered
    requests: Sequence[PageRequest]   # further list pages (a list, or planned_pages)
    listed: int | None = None         # entries the column says it holds (recordCount, totalRecord …)
    pages: int | None = None          # pages the column says it has, when it states no entry count


class planned_pages(Sequence):
    """The list pages a pager announces, one per number, each built only when asked for.

    ``planned_pages(range(1, n), make)`` costs nothing for n = 1,000,000; ``len()`` says what was
    planned, slicing takes the pages a cap allows. Equal to a list of the same requests.
    """

    def __init__(self, numbers: range, make: Callable[[int], PageRequest]):
        self.numbers, self.make = numbers, make

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return planned_pages(self.numbers[index], self.make)
        return self.make(self.numbers[index])

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"planned_pages({self.numbers!r})"


@lru_cache(maxsize=None)   # asked for every list and report page
def get_adapter(family: str):
    """The adapter module for a seed entry's family (gicrawler.families.<family>)."""
    return import_module(f"{__name__}.{family}")


def link_pattern(params: dict, default: re.Pattern) -> re.Pattern:
    """The seed's params.link_pattern (validated when the seeds load), else the family's own."""
    return re.compile(params["link_pattern"]) if params.get("link_pattern") else default


def clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


# anchor_entries runs these for every link of every list page: compiled once, and run on the lxml
# elements under the parsel Selector (a parsel call per node builds a Selector around each result;
# the results and their order are the same).
_LINKS = etree.XPath(".//a[@href]")
_TEXTS = etree.XPath(".//text()", smart_strings=False)
_ROW = etree.XPath("ancestor::*[self::li or self::tr or self::dd or self::p][1]")
_NEXT_TEXTS = etree.XPath("following-sibling::*[1]//text()", smart_strings=False)
_NEXT_CELL = etree.XPath("following-sibling::*[1][not(.//a)]")


def anchor_entries(sel: Selector | SelectorList, base_url: str, link: re.Pattern | None = None) -> list[dict]:
    """Entries from the <a href> under sel: title from @title or the link text, date from the
    enclosing row (li/tr/dd/p), else from the element after the link or after its row (平潭:
    ``<dl><dd><a …></dd><dd>2026-03-10</dd></dl>``), the forms every family's list rows take.
    Links resolve against the page's ``<base href>`` when it has one (discovery.page_base).

    link: only hrefs matching this pattern (or pointing at a document) count as list items.
    """
    # sel: a Selector or a SelectorList (the links under each, in turn); a text or attribute
    # selector holds no links (as in parsel)
    roots = [s.root for s in sel] if isinstance(sel, SelectorList) else [sel.root]
    links = [a for root in roots if isinstance(root, etree._Element) for a in _LINKS(root)]
    if not links:
        return []
    base_url = page_base(sel, base_url)
    out = []
    for a in links:
        url = resolve(a.get("href"), base_url)
        if not url:
            continue
        if link is not None and not link.search(url) and attachment_ext(url) is None:
            continue
        text = clean(" ".join(_TEXTS(a)))
        title = clean(a.get("title")) or text
        row = _ROW(a)
        date = parse_date(clean(" ".join(_TEXTS(row[0] if row else a))))
        if date is None:
            date = parse_date(" ".join(_NEXT_TEXTS(a)))
        if date is None and row:
            # the date cell after the link's cell — unless that cell is already the next row
            nxt = _NEXT_CELL(row[0])
            date = parse_date(" ".join(_TEXTS(nxt[0]))) if nxt else None
        out.append({"url": url, "title": _strip_date(title), "date": date})
    return out


def load_json(text: str, what: str):
    """A list API's JSON answer. Fetched through the browser (a host whose anti-bot challenge sent
    its requests to Chromium), JSON arrives as the text of Chromium's viewer page
    (``<pre>{…}</pre>``): read that. ValueError naming ``what`` for anything else."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(Selector(text=text).xpath("string(//body)").get() or "")
    except ValueError:
        raise ValueError(f"{what} answer is not JSON: {text[:120]!r}") from None


_COMMENT_MARKUP = re.compile(r"<!--(.*?)-->", re.S)


def commented_entries(text: str, base_url: str, link: re.Pattern) -> list[dict]:
    """Rows a page keeps inside HTML comments (甘肃: the list and its pager are commented out and
    shown by a script): the <a> markup inside ``<!-- … -->`` read like the page's own rows.
    Adapters use it only when the live markup holds no row (a commented-out old row is no row)."""
    html = "\n".join(c for c in _COMMENT_MARKUP.findall(text) if "<a" in c.lower())
    if not html:
        return []
    return anchor_entries(Selector(text=f"<div>{html}</div>"), page_base(Selector(text=text), base_url), link)


_TRAILING_DATE = re.compile(r"\s*\[?\(?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\)?\]?$")


def _strip_date(title: str) -> str:
    """Drop a trailing list date glued to the link text ('…年度报告 2024-01-29')."""
    return _TRAILING_DATE.sub("", title).strip()


FIRST_REPORT_YEAR = 2008   # the disclosure regulation took effect on 2008-05-01: the first reports


def report_years(params: dict, today: _dt.date | None = None) -> list[int]:
    """The report years a seed asks for: params ``years`` as a list (``[2022, 2023]``) or a range
    string (``"2019-2024"``); by default every year from 2008 to last year."""
    value = params.get("years")
    if value is None:
        last = (today or _dt.date.today()).year - 1
        return list(range(FIRST_REPORT_YEAR, last + 1))
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", value)
        if not m:
            raise ValueError(f"params.years: a year or a range YYYY-YYYY, got {value!r}")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        return list(range(min(first, last), max(first, last) + 1))
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list) and value and all(isinstance(y, int) and not isinstance(y, bool) for y in value):
        return sorted(set(value))
    raise ValueError(f"params.years: a list of years or a range YYYY-YYYY, got {value!r}")
