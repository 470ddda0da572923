"""Downloader middlewares: the portals' hosts, 瑞数-style anti-bot challenges, retries with backoff.

They read the portal from ``request.meta["gicrawler"]`` (set on every spider request).
"""
from __future__ import annotations

import logging
import re

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.httpobj import urlparse_cached
from scrapy_playwright.page import PageMethod

from gicrawler.seeds import host_allowed

logger = logging.getLogger(__name__)


class Offsite(IgnoreRequest):
    """A request, or a redirect, to a host outside its portal's allowed_domains: never sent."""


class PortalHostsMiddleware:
    """Nothing is requested outside the portal's own hosts: whatever ``dont_filter`` says
    (attachments carry it, and Scrapy's OffsiteMiddleware lets such requests through) and after
    every redirect (a redirected request comes through here again before it is sent).

    A portal request must stay within *its* seed entry's allowed_domains (Scrapy's filter knows
    only the union of every portal's); any other request (robots.txt) within that union.
    Refused requests raise ``Offsite``; the spider records them (``skipped`` / ``fetch_error``).
    Scrapy's OffsiteMiddleware is disabled in settings.py: this one does its job on every request.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        info = request.meta.get("gicrawler") or {}
        portal = (getattr(spider, "by_name", None) or {}).get(info.get("portal"))
        domains = portal.allowed_domains if portal is not None else getattr(spider, "allowed_domains", None)
        host = urlparse_cached(request).hostname or ""
        if not domains or host_allowed(host, domains):
            return None
        owner = f"portal {portal.name}" if portal is not None else "any portal"
        self.crawler.stats.inc_value(f"gicrawler/{portal.name}/offsite_refused" if portal is not None
                                     else "gicrawler/offsite_refused")
        via = request.meta.get("redirect_urls")
        raise Offsite(f"offsite: {request.url} (host {host!r} is not in the allowed_domains of {owner})"
                      + (f", redirected from {via[0]}" if via else ""))


CHALLENGE_STATUSES = (412, 202)
PAGE_KINDS = ("list", "report")  # requests the browser may fetch (never attachments)
# 瑞数 (RS): <meta … r='m' content="long blob">, an inline $_ts / $_ss script (docs/families.md, Anti-bot and browsers)
_RS_META = re.compile(rb"<meta\b[^>]*\br\s*=\s*['\"]?m['\"]?[\s/>]", re.I)
_RS_SCRIPT = re.compile(rb"\$_ts\s*=|\$_ss\s*=|\$_ts\.|window\[['\"]\$_ts", re.I)
# In the browser: wait until the challenge script has set its cookie and reloaded the real page.
PASSED_JS = (
    "() => document.readyState === 'complete' && !document.querySelector(\"meta[r='m']\")"
    " && !/\\$_ts\\s*=|\\$_ss\\s*=/.test(document.documentElement.outerHTML)"
)


CHALLENGE_WAIT_MS = 20_000


async def wait_until_passed(page) -> None:
    """Page method: wait for the challenge script to reload the real page. A challenge the browser
    cannot pass must not raise (a timeout would be retried, 20 s each, and recorded as a mere
    timeout): the page is then taken as it is, and process_response sees the challenge and
    records it as one (``challenges_failed``, "HTTP 412 (anti-bot challenge)")."""
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

    try:
        await page.wait_for_function(PASSED_JS, timeout=CHALLENGE_WAIT_MS)
    except PlaywrightTimeoutError:
        logger.debug("anti-bot challenge still there after %d ms: %s", CHALLENGE_WAIT_MS, page.url)


def is_challenge(status: int, body: bytes) -> bool:
    """True for an RS challenge page: HTTP 412/202 carrying the $_ts script or the r='m' meta."""
    if status not in CHALLENGE_STATUSES:
        return False
    head = body[:65536]
    return bool(_RS_SCRIPT.search(head) or _RS_META.search(head))


class AntiBotMiddleware:
    """Detect challenge pages; fetch them through the browser when the seed entry allows it.

    - a challenged plain request is re-sent through the browser (``antibot_browser: true``),
      whose challenge script sets the cookie and reloads the real page;
    - after a host challenged once, its later page requests (list/report, not attachments, not
      conditional revalidations) go straight to the browser, which holds the cookie: one
      request per page instead of two;
    - browser navigations carry no If-None-Match/If-Modified-Since (Chromium aborts a navigation
      answered 304): a challenged revalidation is fetched in full, the store finds it unchanged;
    - without ``antibot_browser`` (or when the browser is challenged too) the 412/202 goes on to
      the spider, whose errback records the failure.

    Stats per portal: ``challenges`` (challenge pages seen), ``challenges_passed`` (of those, the
    browser got through), ``challenges_failed``.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.challenged_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def _browser_meta(request: Request, escalated: bool) -> dict:
        waits = [PageMethod(wait_until_passed)]
        return {**request.meta, "playwright": True, "gicrawler_antibot": True, "gicrawler_challenged": escalated,
                "playwright_page_methods": waits + list(request.meta.get("playwright_page_methods") or ())}

    def process_request(self, request: Request) -> None:
        info = request.meta.get("gicrawler") or {}
        if (info.get("antibot_browser") and info.get("kind") in PAGE_KINDS
                and not request.meta.get("playwright") and not _conditional(request)
                and urlparse_cached(request).netloc in self.challenged_hosts):
            request.meta.update(self._browser_meta(request, escalated=False))  # read by the download handler
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        info = request.meta.get("gicrawler")
        if not info:
            # not a portal request (robots.txt): its 412 is robots' business, not a portal's stat
            return response
        portal = info.get("portal", "unknown")
        if is_challenge(response.status, response.body):
            self.stats.inc_value(f"gicrawler/{portal}/challenges")
            self.challenged_hosts.add(urlparse_cached(request).netloc)
            if request.meta.get("playwright"):
                logger.warning("anti-bot challenge (HTTP %s) not passed by the browser: %s",
                               response.status, request.url)
                self.stats.inc_value(f"gicrawler/{portal}/challenges_failed")
                return _failed(response)
            # pages only: a file through a browser navigation is a download (aborted) or a viewer page
            if info.get("antibot_browser") and info.get("kind") in PAGE_KINDS:
                logger.info("anti-bot challenge (HTTP %s), retrying through the browser: %s",
                            response.status, request.url)
                retry = request.replace(meta=self._browser_meta(request, escalated=True), dont_filter=True)
                _drop_conditional(retry)
                return retry
            logger.warning("anti-bot challenge (HTTP %s), no browser allowed for %s %s: %s",
                           response.status, portal, info.get("kind"), request.url)
            self.stats.inc_value(f"gicrawler/{portal}/challenges_failed")
            return _failed(response)
        if request.meta.get("gicrawler_antibot"):
            # The browser ended on the real page. A 412/202 status is the first navigation's
            # (the challenge it solved, then reloaded); the content is the final page's.
            solved_here = response.status in CHALLENGE_STATUSES
            if solved_here and not request.meta.get("gicrawler_challenged"):
                self.stats.inc_value(f"gicrawler/{portal}/challenges")  # not counted by a plain attempt
            if solved_here or request.meta.get("gicrawler_challenged"):
                self.stats.inc_value(f"gicrawler/{portal}/challenges_passed")
            if solved_here:
                return response.replace(status=200)
        return response


def _failed(response: Response) -> Response:
    """An unpassed challenge goes on as the failure it is. A 412 does by itself (HttpError in the
    spider's errback); a 202 is a 2xx and would reach the callback as if the challenge page were
    the list or the report, so it is raised as the same HttpError here."""
    if 200 <= response.status < 300:
        raise HttpError(response, f"anti-bot challenge (HTTP {response.status}) not passed")
    return response


def _conditional(request: Request) -> bool:
    """A revalidation (incremental re-crawl): try plain HTTP first, a 304 is the cheapest answer."""
    return b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers


def _drop_conditional(request: Request) -> None:
    """A browser navigation cannot use a 304 (Chromium aborts it): fetch the page in full; the
    store then finds it unchanged. (Conditional headers come from the incremental middleware.)"""
    for name in (b"If-None-Match", b"If-Modified-Since"):
        request.headers.pop(name, None)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, backing off per host: each retry raises the failing host's
    download-slot delay to RETRY_BACKOFF_BASE * 2**(attempt-1) s (capped at RETRY_BACKOFF_MAX),
    and every answer of that host that needs no retry halves it back towards the delay it had.

    Nothing waits here: a middleware that awaited would keep its request in the downloader's
    active set (CONCURRENT_REQUESTS), so a few backing-off requests would stall every portal.
    The slot delay holds back that host only — its retries and its other queued requests; the
    scheduler's queue (gicrawler.scheduling.HostFairPriorityQueue) gives a host no more requests
    while its slot holds some back, so those waiting cannot fill CONCURRENT_REQUESTS either.
    (AutoThrottle, when on, never lowers a slot's delay on an error answer, and lowers it
    gradually on good ones.)
    """

    def __init__(self, settings):
        super().__init__(settings)  # from_crawler (inherited) sets self.crawler
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.normal_delay: dict[str, float] = {}   # slot key -> its delay before backing off

    def backoff(self, attempt: int) -> float:
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))

    def _slot(self, request: Request):
        engine = getattr(self.crawler, "_engine", None)  # (Crawler.engine raises before the crawl)
        downloader = getattr(engine, "downloader", None)
        if downloader is None:
            return None, None
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def _after(self, request: Request, result):
        """result: what RetryMiddleware made of the answer (a retry Request, the Response, None)."""
        key, slot = self._slot(request)
        if slot is None or self.backoff_base <= 0:
            return result
        if isinstance(result, Request):  # a retry: this host gets a breather
            self.normal_delay.setdefault(key, slot.delay)
            slot.delay = max(slot.delay, self.backoff(result.meta.get("retry_times", 1)))
            logger.debug("host %s failing: download delay now %.1fs", key, slot.delay)
        elif (key in self.normal_delay and isinstance(result, Response)
              and result.status not in self.retry_http_codes):  # the host answers again: recover step by step
            normal = self.normal_delay[key]
            slot.delay /= 2
            if slot.delay < max(normal, self.backoff_base):
                slot.delay = self.normal_delay.pop(key)
        return result

    def process_response(self, request, response):
        return self._after(request, super().process_response(request, response))

    def process_exception(self, request, exception):
        return self._after(request, super().process_exception(request, exception))


def playwright_abort_request(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: lists need scripts and XHR, not images, fonts or video."""
    return request.resource_type in ("image", "media", "font")
