"""The one spider behind every portal: seed entries in, ReportPage items out.

Flow per portal (what differs between portals is the seed entry and its family adapter):

1. list pages — the family adapter (gicrawler.families.<family>) says which requests to make
   and reads entries ({url, title, date}) and further list pages out of each response;
2. discovery keeps the annual-report entries (title filter, canonical-URL dedupe);
3. each report page is opened (plain HTTP); its attachments are downloaded one after the other
   (chained requests carrying the item) and ONE ReportPage is yielded with all of them.

Every request carries ``meta["gicrawler"] = {"portal", "kind", …}`` (contract); failures are
recorded (stats, log, ``fetch_error`` / attachment ``error``), never raised. What is refused is
recorded too: an attachment off the portal's hosts (PortalHostsMiddleware, redirects included) or
past GICRAWLER_MAX_ATTACHMENTS gets ``skipped``; list pages past GICRAWLER_MAX_LIST_PAGES per
column are not requested (WARNING, stat ``list_pages_capped``). A portal whose every index URL
failed is flagged ``unreachable`` at close (the crawl command then exits non-zero).
"""
from __future__ import annotations

import hashlib
import re

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy_playwright.page import PageMethod

from gicrawler import discovery
from gicrawler.distributed import RedisSeeds
from gicrawler.families import PageRequest, get_adapter
from gicrawler.incremental import NotModified, flag
from gicrawler.items import ReportPage
from gicrawler.middlewares import Offsite, is_challenge
from gicrawler.parsing.ocr import MAX_BYTES as IMAGE_MAXSIZE
from gicrawler.reach import Reach
from gicrawler.seeds import SeedError, load_all_builtin, load_builtin, load_list

BROWSER_WAIT_MS = 20_000
MAX_LIST_PAGES = 200     # GICRAWLER_MAX_LIST_PAGES: list pages per column (index URL), the index included
MAX_ATTACHMENTS = 20     # GICRAWLER_MAX_ATTACHMENTS: documents downloaded per report page
ARGUMENTS = ("seeds", "portal", "full", "revalidate")     # what -a may name (the class docstring)
_DOC_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # PDF, OOXML/zip, OLE (doc/xls/wps)


class PortalSpider(RedisSeeds, scrapy.Spider):
    """Crawl the annual-report columns of the portals in a seed list.

    Arguments (``-a NAME=VALUE``, also via scrapyd):
      seeds     path of a seed YAML file, or a built-in list's name (guangdong, zibo; default:
                the spider's built-in list, every built-in list for ``reports``)
      portal    only these portals of the seed list (comma-separated names)
      full      1 = download every report again (disables the incremental middleware)
      revalidate 1 = conditional requests for every known report (incremental middleware)

    In a distributed run (``-s GICRAWLER_REDIS_URL=…``) without ``-a seeds`` the seed list is the
    one pushed to Redis (RedisSeeds, gicrawler.distributed); requests must then stay picklable.
    """

    name: str | None = None
    seed_file: str | None = None   # a built-in list (load_builtin: a file or a city prefix); None = all
    # Scrapy (≥2.13, asyncio) starts CONCURRENT_ITEMS tasks for *every* callback result, however
    # few objects it holds; the default 100 per page cost a third of the crawl's CPU. A callback
    # here yields one item (a report) or a list page's requests: a few at a time is plenty.
    custom_settings = {"CONCURRENT_ITEMS": 8}
    max_list_pages = MAX_LIST_PAGES     # from the settings in from_crawler
    max_attachments = MAX_ATTACHMENTS

    def __init__(self, *args, seeds=None, portal=None, full=None, revalidate=None, portals=None, **kwargs):
        # Scrapy makes any -a NAME an attribute: a mistyped one (revalidat=1) would be a crawl
        # that quietly does something else. scrapyd's own (_job, …) start with "_".
        unknown = sorted(name for name in kwargs if not name.startswith("_"))
        if unknown:
            raise ValueError(f"unknown spider argument {', '.join(unknown)} (the arguments: {', '.join(ARGUMENTS)})")
        super().__init__(*args, **kwargs)
        self.seeds, self.portal = seeds, portal
        self.full, self.revalidate = flag(full, "full"), flag(revalidate, "revalidate")
        if portals is not None:  # Portal objects (from code, not an -a argument: gicrawler seeds detect)
            portals = list(portals)
        elif seeds:  # a file, or a built-in list by name (guangdong, zibo)
            portals = load_list(seeds)
        elif self.seed_file:
            portals = load_builtin(self.seed_file)
        else:
            portals = load_all_builtin()
        if portal:
            wanted = [n.strip() for n in str(portal).split(",") if n.strip()]
            known = {p.name for p in portals}
            missing = [n for n in wanted if n not in known]
            if missing:
                raise SeedError(f"portal {', '.join(missing)} not in the seed list (have: {', '.join(sorted(known))})")
            portals = [p for p in portals if p.name in wanted]
        self.portals = portals
        self.by_name = {p.name: p for p in portals}
        # every portal's domains: what PortalHostsMiddleware allows a request of no portal (robots.txt)
        self.allowed_domains = sorted({d for p in portals for d in p.allowed_domains})
        self._seen = {p.name: set() for p in portals}
        self._list_pages: dict[tuple[str, str], int] = {}   # (portal, column) -> list requests made
        self._capped: set[tuple[str, str]] = set()
        # listed N (what each column states) vs reached M (what its list pages showed): read by
        # the stats extension at close (gicrawler/reach.py)
        self.reach = Reach()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not crawler.settings.frozen and not any(p.browser or p.antibot_browser for p in spider.portals):
            # No seed entry asks for a browser: Scrapy's own handlers, and no Playwright driver
            # process (~240 MB) started for nothing. A crawl freezes its settings only after this
            # (Crawler.crawl); a crawler built already configured (scrapy.utils.test) keeps its own.
            crawler.settings.set("DOWNLOAD_HANDLERS", {}, priority="spider")
            # … nor Playwright's modules (~0.1 s of start-up), which RetryMiddleware would import
            # for the browser's navigation error
            crawler.settings.set("RETRY_EXCEPTIONS", [e for e in crawler.settings.getlist("RETRY_EXCEPTIONS")
                                                      if not str(e).startswith("playwright.")], priority="spider")
        spider.max_list_pages = crawler.settings.getint("GICRAWLER_MAX_LIST_PAGES", MAX_LIST_PAGES)
        spider.max_attachments = crawler.settings.getint("GICRAWLER_MAX_ATTACHMENTS", MAX_ATTACHMENTS)
        return spider

    # --- start --------------------------------------------------------------------------
    async def start(self):
        self.logger.info(
            "spider %s arguments: seeds=%r portal=%r full=%s revalidate=%s; portals: %s",
            self.name, self.seeds, self.portal, self.full, self.revalidate,
            ", ".join(f"{p.name} ({p.family})" for p in self.portals),
        )
        for portal in self.portals:
            for page in get_adapter(portal.family).first_requests(portal):
                self._list_pages[(portal.name, page.url)] = 1
                yield self.list_request(portal, page, column=page.url, index=True)

    # --- requests -----------------------------------------------------------------------
    def _meta(self, portal, kind: str, **info) -> dict:
        meta = {"gicrawler": {"portal": portal.name, "kind": kind,
                              "antibot_browser": portal.antibot_browser, **info}}
        if not portal.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return meta

    def list_request(self, portal, page: PageRequest, column: str, index: bool = False) -> scrapy.Request:
        meta = self._meta(portal, "list", state=page.state, column=column)
        if index:
            meta["gicrawler"]["index"] = True
        if page.browser:
            meta["playwright"] = True
            methods = []
            if page.wait_for:
                methods.append(PageMethod("wait_for_selector", page.wait_for, timeout=BROWSER_WAIT_MS))
            methods += [PageMethod(name, *args) for name, args in page.steps]
            if methods:
                meta["playwright_page_methods"] = methods
        kwargs = dict(meta=meta, headers=page.headers or None, callback=self.parse_list,
                      errback=self.list_failed, dont_filter=page.dont_filter)
        if page.method == "POST":
            return scrapy.FormRequest(page.url, formdata=page.formdata or {}, **kwargs)
        return scrapy.Request(page.url, method=page.method, **kwargs)

    def report_request(self, portal, entry: dict, list_url: str) -> scrapy.Request:
        meta = self._meta(portal, "report", list_title=entry.get("title"), list_date=entry.get("date"),
                          list_url=list_url)
        return scrapy.Request(entry["url"], meta=meta, callback=self.parse_report, errback=self.report_failed)

    # --- list pages ---------------------------------------------------------------------
    def parse_list(self, response):
        info = response.meta["gicrawler"]
        portal = self.by_name[info["portal"]]
        self.crawler.stats.inc_value(f"gicrawler/{portal.name}/list_pages")
        try:
            page = get_adapter(portal.family).parse_list(
                _text(response), response.url, info.get("state") or {}, portal.params)
        except Exception as exc:  # markup we do not understand: record it, keep crawling
            self.logger.exception("list page %s of %s could not be read: %s", response.url, portal.name, exc)
            self.crawler.stats.inc_value(f"gicrawler/{portal.name}/list_errors")
            self._index_failed(portal.name, info)
            return
        column = info.get("column") or response.url
        self.reach.add(portal.name, column, page.entries, page.listed, page.pages)
        for entry in discovery.select_reports(page.entries, self._seen[portal.name]):
            if not portal.allows(entry["url"]):  # a link to another site: not this portal's report
                self.crawler.stats.inc_value(f"gicrawler/{portal.name}/offsite_links")
                self.logger.debug("offsite report link on %s: %s", response.url, entry["url"])
                continue
            yield self.report_request(portal, entry, response.url)
        for nxt in self.take_list_pages(portal.name, column, page.requests):
            yield self.list_request(portal, nxt, column)

    def take_list_pages(self, portal: str, column: str, planned):
        """The planned list pages a column may still request: GICRAWLER_MAX_LIST_PAGES per column
        (index URL) in all, however many a pager claims. Hitting the cap is a WARNING naming the
        portal and the column, and the stat ``gicrawler/<portal>/list_pages_capped`` (columns)."""
        key = (portal, column)
        made = self._list_pages.get(key, 1)
        room = max(0, self.max_list_pages - made)
        taken = planned[:room]
        self._list_pages[key] = made + len(taken)
        if len(planned) > room and key not in self._capped:
            self._capped.add(key)
            self.crawler.stats.inc_value(f"gicrawler/{portal}/list_pages_capped")
            self.logger.warning(
                "portal %s, column %s: list pages capped at GICRAWLER_MAX_LIST_PAGES=%d "
                "(the pager asked for %d more); later pages of this column are not crawled",
                portal, column, self.max_list_pages, len(planned) - room)
        return taken

    def list_failed(self, failure):
        request = failure.request
        info = request.meta["gicrawler"]
        portal = info["portal"]
        self.crawler.stats.inc_value(f"gicrawler/{portal}/list_errors")
        self.logger.error("list page %s of %s failed: %s", request.url, portal, _reason(failure))
        self._index_failed(portal, info)

    def _index_failed(self, portal: str, info: dict) -> None:
        if info.get("index"):
            self.crawler.stats.inc_value(f"gicrawler/{portal}/index_errors")

    def closed(self, reason):
        """A portal none of whose index URLs could be read was not crawled at all: say so, and
        flag it (``gicrawler/<portal>/unreachable``) for the crawl command's exit status."""
        stats = self.crawler.stats
        for portal in self.portals:
            failed = stats.get_value(f"gicrawler/{portal.name}/index_errors", 0)
            if failed and failed >= len(portal.index_urls):
                stats.set_value(f"gicrawler/{portal.name}/unreachable", 1)
                self.logger.error("portal %s: every index URL failed (%d of %d): nothing crawled",
                                  portal.name, failed, len(portal.index_urls))

    # --- report pages -------------------------------------------------------------------
    def parse_report(self, response):
        info = response.meta["gicrawler"]
        portal = self.by_name[info["portal"]]
        item = self._item(portal, response.request, info)
        item.update(
            url=response.url, status=response.status, body=response.body,
            content_type=_header(response, b"Content-Type"), etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )
        if not _is_html(response):
            # the list links straight at a document: the report *is* the attachment
            return self._done(item)
        # item["metadata"] stays empty: the parse pipeline reads it with the same ItemLoader
        # (gicrawler.loaders, via parse_report) from the same page, off the reactor thread.
        pending = []
        # documents linked from the page, then pictures standing in for a table (OCR'd by the parser)
        for att in _attachments(response) + _table_images(response):
            if not portal.allows(att["url"]):
                self._skip_attachment(item, att, "offsite: host not in the seed's allowed_domains")
            elif len(pending) >= self.max_attachments:
                self._skip_attachment(item, att, f"over GICRAWLER_MAX_ATTACHMENTS={self.max_attachments}")
            else:
                pending.append(att)
        if hasattr(get_adapter(portal.family), "detail_requests"):  # (the others need no decoded text)
            pending += self._detail_requests(item, portal, _text(response), response.url, {}, len(pending))
        return self._next_attachment(item, pending, portal)

    def _skip_attachment(self, item, att: dict, reason: str) -> None:
        """An attachment not downloaded on purpose: kept on the record with the reason, never requested."""
        item["attachments"].append({"url": att["url"], "kind": att["ext"], "name": att["name"], "skipped": reason})
        self.crawler.stats.inc_value(f"gicrawler/{item['portal']}/attachments_skipped")

    def _detail_requests(self, item, portal, text: str, url: str, state: dict, queued: int) -> list[dict]:
        """What a shell page's script would fetch for its content (the family's detail_requests,
        families/__init__.py), as attachments carrying the request to make; the same limits as
        the page's own attachments (hosts, GICRAWLER_MAX_ATTACHMENTS with ``queued`` counted)."""
        follow = getattr(get_adapter(portal.family), "detail_requests", None)
        if follow is None:
            return []
        try:
            pages = follow(text, url, state, portal.params)
        except Exception as exc:  # an answer we do not understand: recorded, the report is still stored
            self.crawler.stats.inc_value(f"gicrawler/{portal.name}/detail_errors")
            self.logger.warning("report content of %s could not be requested: %s", url, exc)
            return []
        out = []
        room = self.max_attachments - queued - sum(1 for a in item["attachments"] if "skipped" not in a)
        for page in pages:
            att = {"url": page.url, "ext": page.state.get("kind") or "html", "name": page.state.get("name") or "",
                   "request": page}
            if not portal.allows(page.url):
                self._skip_attachment(item, att, "offsite: host not in the seed's allowed_domains")
            elif len(out) >= room:
                self._skip_attachment(item, att, f"over GICRAWLER_MAX_ATTACHMENTS={self.max_attachments}")
            else:
                out.append(att)
        return out

    def report_failed(self, failure):
        request = failure.request
        info = request.meta["gicrawler"]
        portal = self.by_name[info["portal"]]
        if failure.check(NotModified):
            return None  # 304 to a revalidation: counted and touched by the incremental middleware
        url = request.url
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            if not failure.check(Offsite) and "download_latency" not in request.meta:
                # robots.txt: nothing was fetched, nothing to store; counted per portal so a
                # robots.txt that shuts a column off shows in the run summary
                self.crawler.stats.inc_value(f"gicrawler/{portal.name}/not_fetched")
                self.logger.info("report %s of %s not fetched: %s", request.url, portal.name, _reason(failure))
                return None
            # The listed page answered, but with what is refused: a redirect off the portal's
            # hosts or round in circles, a decompression bomb. A record under the listed URL.
            url = (request.meta.get("redirect_urls") or [request.url])[0]
        item = self._item(portal, request, info)
        response = getattr(failure.value, "response", None)
        item.update(url=url, body=None, fetch_error=_reason(failure),
                    status=response.status if response is not None else None)
        self.crawler.stats.inc_value(f"gicrawler/{portal.name}/fetch_errors")
        if response is not None and response.status in (404, 410):
            self.crawler.stats.inc_value(f"gicrawler/{portal.name}/dead_links")
        self.logger.warning("report %s of %s failed: %s", request.url, portal.name, item["fetch_error"])
        return item

    def _item(self, portal, request, info) -> ReportPage:
        return ReportPage(
            url=request.url, portal=portal.name, region=portal.region, family=portal.family,
            list_url=info.get("list_url"), list_title=info.get("list_title"), list_date=info.get("list_date"),
            status=None, body=None, content_type=None, etag=None, last_modified=None,
            metadata={}, attachments=[], fetch_error=None,
        )

    # --- attachments: one request at a time, the item travels in meta ---------------------
    def _next_attachment(self, item, pending, portal):
        if not pending:
            return self._done(item)
        att, rest = pending[0], pending[1:]
        meta = self._meta(portal, "attachment", report_url=item["url"])
        meta.update(item=item, pending=rest, attachment=att)
        if att.get("table_image"):
            meta["download_maxsize"] = IMAGE_MAXSIZE   # the parser reads no bigger picture
        # dont_filter: two reports may share a file; the chain must not be cut by the dupefilter.
        # dont_filter also lets a request past Scrapy's OffsiteMiddleware: the portal's hosts are
        # enforced by PortalHostsMiddleware instead, on this request and on every redirect of it.
        page = att.get("request")   # a detail request (a REST call with a form, headers)
        kwargs = dict(meta=meta, dont_filter=True, headers=(page.headers if page else None) or None,
                      callback=self.parse_attachment, errback=self.attachment_failed)
        if page is not None and page.method == "POST":
            return scrapy.FormRequest(att["url"], formdata=page.formdata or {}, **kwargs)
        return scrapy.Request(att["url"], **kwargs)

    def parse_attachment(self, response):
        meta = response.meta
        item, att = meta["item"], meta["attachment"]
        body = response.body
        item["attachments"].append({
            "url": response.url, "kind": att["ext"], "name": att["name"],
            "sha1": hashlib.sha1(body).hexdigest(), "size": len(body),
            "content_type": _header(response, b"Content-Type"), "body": body,
        })
        self.crawler.stats.inc_value(f"gicrawler/{item['portal']}/attachments")
        portal, pending = self.by_name[item["portal"]], meta["pending"]
        page = att.get("request")
        if page is not None and not any(body[:8].startswith(m) for m in _DOC_MAGIC):
            # a detail answer may name the report's files in turn (WebBuilder pdflist)
            pending = self._detail_requests(item, portal, _text(response), response.url, page.state,
                                            len(pending)) + list(pending)
        return self._next_attachment(item, pending, portal)

    def attachment_failed(self, failure):
        meta = failure.request.meta
        item, att = meta["item"], meta["attachment"]
        if failure.check(Offsite):  # redirected off the portal's hosts: refused, not failed
            self._skip_attachment(item, att, _reason(failure))
            self.logger.info("attachment %s of %s skipped: %s", att["url"], item["url"], _reason(failure))
        else:
            item["attachments"].append({"url": att["url"], "kind": att["ext"], "name": att["name"],
                                        "error": _reason(failure)})
            self.crawler.stats.inc_value(f"gicrawler/{item['portal']}/attachment_errors")
            self.logger.warning("attachment %s of %s failed: %s", att["url"], item["url"], _reason(failure))
        return self._next_attachment(item, meta["pending"], self.by_name[item["portal"]])

    def _done(self, item):
        self.crawler.stats.inc_value(f"gicrawler/{item['portal']}/reports")
        return item


# --- small helpers (pure) -----------------------------------------------------------------
def _text(response) -> str:
    text = getattr(response, "text", None)
    if text is not None:
        return text
    return response.body.decode("utf-8", errors="replace")


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _is_html(response) -> bool:
    if any(response.body[:8].startswith(m) for m in _DOC_MAGIC):
        return False
    return isinstance(response, HtmlResponse)


# discovery.find_attachments only keeps links whose URL ends in a document suffix (.pdf, .docx …, in
# the path or a file= value). Markup holding no such suffix (dot literal, %2E or &#46;) has none, so
# building its lxml tree just to find that out — the spider's largest cost per page — is skipped.
# One pattern per separator: each starts with a literal the regex engine scans for quickly; one
# pattern starting with the alternation (.|%2e|&#…) tried every position, ~4x slower on a report.
_DOC_EXT = rb"(?:" + "|".join(discovery.ATTACHMENT_EXTS).encode() + rb")(?![a-z0-9])"
_DOC_SUFFIX = (re.compile(rb"(?i)\." + _DOC_EXT), re.compile(rb"(?i)%2e" + _DOC_EXT),
               re.compile(rb"(?i)&#(?:0*46|x0*2e);" + _DOC_EXT))


def _ascii_compatible(body: bytes) -> bool:
    """Markup whose ASCII characters are ASCII bytes (UTF-8, GBK, Big5 …): byte tests for tags and
    suffixes then say what the decoded text would. UTF-16 (NULs in its ASCII) is not."""
    return b"\x00" not in body[:4096]


def _attachments(response) -> list[dict]:
    body = response.body
    if _ascii_compatible(body) and not any(p.search(body) for p in _DOC_SUFFIX):
        return []
    # a local Selector, not response.selector: that one is cached on the response and its lxml
    # tree (~1 MB) would live as long as the item waits in the parse pipeline
    return discovery.find_attachments(scrapy.Selector(response), response.url)


_IMG_TAG = re.compile(rb"<(?:img|IMG)")   # what table_images looks for first ("<img", "<IMG")


def _table_images(response) -> list[dict]:
    body = response.body
    if _ascii_compatible(body) and not _IMG_TAG.search(body):
        return []   # table_images' own first test, without decoding the page for it
    return discovery.table_images(_text(response), response.url)


def _reason(failure) -> str:
    if failure.check(Offsite):
        return str(failure.value)
    if failure.check(HttpError):
        response = failure.value.response
        status = response.status
        if is_challenge(status, response.body):
            return f"HTTP {status} (anti-bot challenge)"
        return f"HTTP {status}"
    message = failure.getErrorMessage()
    return f"{failure.type.__name__}: {message}" if message else failure.type.__name__
