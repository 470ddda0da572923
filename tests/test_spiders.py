"""Every spider loads from its seeds and yields start requests; the report/attachment flow on
hand-made responses (no network)."""
from __future__ import annotations

import hashlib
import inspect

import pytest
import pytest_twisted
import scrapy
from scrapy.http import HtmlResponse, Request, Response
from scrapy.spiderloader import SpiderLoader
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from gicrawler.items import ReportPage
from gicrawler.seeds import SeedError
from gicrawler.spiders.base import PortalSpider

SETTINGS = get_project_settings()
LOADER = SpiderLoader.from_settings(SETTINGS)
NAMES = LOADER.list()

SEEDS = """
portals:
  - name: alpha
    region: 甲市
    family: trs
    index_urls: [https://www.alpha.gov.cn/nb/index.shtml]
    allowed_domains: [alpha.gov.cn]
    obey_robots: false
  - name: beta
    family: gongkai
    index_urls: [https://www.beta.gov.cn/gongkai/channel_c1/]
    browser: true
"""


def make(name="reports", **args):
    cls = LOADER.load(name)
    crawler = get_crawler(cls, SETTINGS.copy_to_dict())
    return cls.from_crawler(crawler, **args)


def test_loader_has_the_spiders():
    assert {"reports", "zibo", "jiaxing", "huangshi"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest_twisted.ensureDeferred
async def test_every_spider_yields_start_requests(name):
    spider = make(name)
    requests = [r async for r in spider.start()]
    assert requests
    for r in requests:
        info = r.meta["gicrawler"]
        assert info["kind"] == "list" and info["portal"] in spider.by_name
        assert r.callback == spider.parse_list and r.errback == spider.list_failed
        host = r.url.split("/")[2]
        assert any(host == d or host.endswith("." + d) for d in spider.allowed_domains)


@pytest.mark.parametrize("name", NAMES)
def test_no_spider_defines_start_requests(name):
    cls = LOADER.load(name)
    for klass in inspect.getmro(cls):
        if klass.__module__.startswith("gicrawler"):
            assert "start_requests" not in vars(klass), klass
    assert "start" not in inspect.signature(cls.__init__).parameters
    assert not getattr(cls, "start_urls", None)  # start() reads the seeds; start_urls would be ignored


@pytest_twisted.ensureDeferred
async def test_seed_file_argument_portal_filter_and_browser_meta(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    spider = make(seeds=str(path))
    assert spider.allowed_domains == ["alpha.gov.cn", "www.beta.gov.cn"]
    alpha, beta = [r async for r in spider.start()]
    assert alpha.meta.get("dont_obey_robotstxt") is True and "playwright" not in alpha.meta
    assert beta.meta["playwright"] is True and "dont_obey_robotstxt" not in beta.meta
    [wait] = beta.meta["playwright_page_methods"]
    assert wait.method == "wait_for_selector"
    only = make(seeds=str(path), portal="beta", full="1")
    assert [p.name for p in only.portals] == ["beta"] and only.full is True
    with pytest.raises(SeedError, match="gamma"):
        make(seeds=str(path), portal="gamma")


def test_bad_arguments_fail_fast(tmp_path):
    with pytest.raises(ValueError, match="start"):
        make(start="2024-01-01")
    bad = tmp_path / "bad.yaml"
    bad.write_text("portals:\n  - {name: x, family: nope, index_urls: ['http://a.gov.cn/']}\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"bad.yaml.*'family'"):
        make(seeds=str(bad))


# --- the report flow on hand-made responses ---------------------------------------------------

REPORT = """<html><head><meta charset="utf-8"><title>甲市 年报 甲市2023年政府信息公开工作年度报告</title></head>
<body><div id="zoom"><p>一、总体情况</p>
<a href="/files/r.pdf">附件1</a><a href="https://evil.example.com/x.doc">附件2</a><a href="/files/t.xls">附件3</a>
</div></body></html>"""


def report_response(spider, url="https://www.alpha.gov.cn/nb/202401/t20240129_1.shtml"):
    portal = spider.by_name["alpha"]
    entry = {"url": url, "title": "甲市2023年政府信息公开工作年度报告", "date": "2024-01-29"}
    request = spider.report_request(portal, entry, "https://www.alpha.gov.cn/nb/index.shtml")
    assert request.meta["gicrawler"] == {
        "portal": "alpha", "kind": "report", "antibot_browser": False,
        "list_title": entry["title"], "list_date": "2024-01-29",
        "list_url": "https://www.alpha.gov.cn/nb/index.shtml"}
    return request


def test_report_attachments_chained_into_one_item(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    spider = make(seeds=str(path))
    request = report_response(spider)
    page = HtmlResponse(request.url, body=REPORT.encode(), request=request, headers={"ETag": '"v1"'})
    first = spider.parse_report(page)
    assert isinstance(first, Request) and first.url == "https://www.alpha.gov.cn/files/r.pdf"
    assert first.meta["gicrawler"]["kind"] == "attachment" and first.dont_filter
    pdf = Response(first.url, body=b"%PDF-1.4 x", request=first, headers={"Content-Type": "application/pdf"})
    second = spider.parse_attachment(pdf)
    assert second.url == "https://www.alpha.gov.cn/files/t.xls"
    # the xls fails: recorded on the item, the item is still yielded
    failure = Failure(HttpError(Response(second.url, status=500, request=second), "500"))
    failure.request = second
    item = spider.attachment_failed(failure)
    assert isinstance(item, ReportPage)
    assert item["body"] == REPORT.encode() and item["etag"] == '"v1"' and item["list_date"] == "2024-01-29"
    atts = {a["url"]: a for a in item["attachments"]}
    assert atts["https://www.alpha.gov.cn/files/r.pdf"]["size"] == 10
    assert atts["https://www.alpha.gov.cn/files/r.pdf"]["sha1"] == hashlib.sha1(b"%PDF-1.4 x").hexdigest()
    assert atts["https://www.alpha.gov.cn/files/r.pdf"]["body"] == b"%PDF-1.4 x"
    assert atts["https://www.alpha.gov.cn/files/t.xls"]["error"] == "HTTP 500"
    assert "offsite" in atts["https://evil.example.com/x.doc"]["skipped"]  # never requested
    stats = spider.crawler.stats
    assert stats.get_value("gicrawler/alpha/reports") == 1
    assert stats.get_value("gicrawler/alpha/attachments") == 1


IMAGE_REPORT = """<html><head><meta charset="utf-8"><title>甲市2023年政府信息公开工作年度报告</title></head>
<body><div class="header"><img src="/logo.png"></div><div id="zoom"><p>一、总体情况</p><p><img src="photo.jpg"></p>
<p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>0</td></tr></table>
<p>三、收到和处理政府信息公开申请情况</p><p><img src="/files/b.png" alt=""></p>
<p>四、政府信息公开行政复议、行政诉讼情况</p><p><img src='https://evil.example.com/c.gif'></p>
<p>五、存在的主要问题及改进情况</p><p><img src="/files/after.png"></p><a href="/files/r.pdf">附件</a>
</div></body></html>"""


def test_table_section_images_are_fetched_as_capped_attachments(tmp_path):
    """<img> in a table section without an HTML table (图片版): fetched like an attachment,
    size-capped, same allowed-domains rule; images elsewhere (logo, photos, section 五) are not."""
    from gicrawler.parsing.ocr import MAX_BYTES
    path = tmp_path / "s.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    spider = make(seeds=str(path))
    request = report_response(spider)
    page = HtmlResponse(request.url, body=IMAGE_REPORT.encode(), request=request)
    first = spider.parse_report(page)
    assert first.url == "https://www.alpha.gov.cn/files/r.pdf" and "download_maxsize" not in first.meta
    second = spider.parse_attachment(Response(first.url, body=b"%PDF-1.4 x", request=first))
    assert second.url == "https://www.alpha.gov.cn/files/b.png"
    assert second.meta["download_maxsize"] == MAX_BYTES and second.meta["gicrawler"]["kind"] == "attachment"
    item = spider.parse_attachment(Response(second.url, body=b"\x89PNG\r\n\x1a\n...", request=second,
                                            headers={"Content-Type": "image/png"}))
    assert isinstance(item, ReportPage)
    atts = {a["url"]: a for a in item["attachments"]}
    assert atts["https://www.alpha.gov.cn/files/b.png"]["kind"] == "png"
    assert atts["https://www.alpha.gov.cn/files/b.png"]["body"].startswith(b"\x89PNG")
    assert "offsite" in atts["https://evil.example.com/c.gif"]["skipped"]
    assert set(atts) == {"https://www.alpha.gov.cn/files/r.pdf", "https://www.alpha.gov.cn/files/b.png",
                         "https://evil.example.com/c.gif"}


@pytest.mark.parametrize("body", [
    IMAGE_REPORT.encode(),                                        # UTF-8 with images in table sections
    IMAGE_REPORT.replace("<img", "<IMG").encode("gbk"),           # GBK, upper-case tags
    IMAGE_REPORT.encode("utf-16"),                                # UTF-16: no byte test can tell
    IMAGE_REPORT.replace("<img", "<span").encode(),               # no picture at all
])
def test_table_images_skip_decoding_only_when_no_img_can_be_there(body):
    """The spider tests the bytes for <img> before decoding a report page for table_images:
    the same images as table_images on the decoded text, whatever the encoding."""
    from gicrawler import discovery
    from gicrawler.spiders.base import _table_images
    charset = "utf-16" if body[:2] in (b"\xff\xfe", b"\xfe\xff") else "gbk" if b"<IMG" in body else "utf-8"
    page = HtmlResponse("https://www.alpha.gov.cn/nb/t1.shtml", body=body,
                        headers={"Content-Type": f"text/html; charset={charset}"})
    assert _table_images(page) == discovery.table_images(page.text, page.url)
    assert bool(_table_images(page)) == (b"<span" not in body)


def test_pdf_only_report_and_dead_link(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    spider = make(seeds=str(path))
    request = report_response(spider, "https://www.alpha.gov.cn/nb/2023.pdf")
    item = spider.parse_report(Response(request.url, body=b"%PDF-1.7 ...", request=request,
                                        headers={"Content-Type": "application/pdf"}))
    assert isinstance(item, ReportPage)
    assert item["url"].endswith("2023.pdf") and item["body"].startswith(b"%PDF") and item["attachments"] == []
    dead = report_response(spider, "https://www.alpha.gov.cn/nb/gone.shtml")
    failure = Failure(HttpError(Response(dead.url, status=404, request=dead), "404"))
    failure.request = dead
    item = spider.report_failed(failure)
    assert item["fetch_error"] == "HTTP 404" and item["status"] == 404 and item["body"] is None
    assert item["list_title"] == "甲市2023年政府信息公开工作年度报告"
    assert spider.crawler.stats.get_value("gicrawler/alpha/dead_links") == 1


def test_list_page_yields_reports_and_next_pages(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    spider = make(seeds=str(path))
    html = """<ul><li><a href="./202401/t20240129_1.shtml">甲市2023年政府信息公开工作年度报告</a><span>2024-01-29</span></li>
    <li><a href="./202401/t20240129_1.shtml">甲市2023年政府信息公开工作年度报告</a></li>
    <li><a href="./202402/t20240201_2.shtml">甲市2024年政务公开工作要点</a></li></ul>
    <script>createPageHTML(2, 0, "index", "shtml")</script>"""
    req = scrapy.Request("https://www.alpha.gov.cn/nb/index.shtml",
                         meta={"gicrawler": {"portal": "alpha", "kind": "list", "state": {"page": 0}}})
    out = list(spider.parse_list(HtmlResponse(req.url, body=html.encode(), request=req, encoding="utf-8")))
    kinds = [(r.meta["gicrawler"]["kind"], r.url) for r in out]
    assert kinds == [("report", "https://www.alpha.gov.cn/nb/202401/t20240129_1.shtml"),
                     ("list", "https://www.alpha.gov.cn/nb/index_1.shtml")]
    assert spider.crawler.stats.get_value("gicrawler/alpha/list_pages") == 1


def test_base_spider_is_not_registered():
    assert PortalSpider.name is None


# --- downloader middlewares -------------------------------------------------------------------

RS_PAGE = (b"<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
           b"<meta id='9Dhe' content='abc' r='m'><script r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};"
           b"$_ts.nsd=48332;</script></head><body></body></html>")


def test_challenge_detection():
    from gicrawler.middlewares import is_challenge

    assert is_challenge(412, RS_PAGE) and is_challenge(202, RS_PAGE)
    assert not is_challenge(200, RS_PAGE)                      # a page that merely mentions $_ts
    assert not is_challenge(412, b"<html>Precondition Failed</html>")


def _antibot(antibot_browser: bool, **meta):
    from gicrawler.middlewares import AntiBotMiddleware

    crawler = get_crawler(settings_dict={})
    mw = AntiBotMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    req = Request("http://h.gov.cn/xxgk/a.shtml",
                  meta={"gicrawler": {"portal": "hs", "kind": "report", "antibot_browser": antibot_browser}, **meta})
    return mw, crawler.stats, req


def test_antibot_retries_through_browser_then_passes():
    from gicrawler.middlewares import wait_until_passed

    mw, stats, req = _antibot(True)
    retry = mw.process_response(req, HtmlResponse(req.url, status=412, body=RS_PAGE, request=req))
    assert isinstance(retry, Request) and retry.meta["playwright"] is True and retry.dont_filter
    assert retry.meta["playwright_page_methods"][0].method is wait_until_passed
    passed = mw.process_response(retry, HtmlResponse(req.url, status=412, body=b"<html>real</html>", request=retry))
    assert passed.status == 200 and passed.body == b"<html>real</html>"
    assert stats.get_value("gicrawler/hs/challenges") == 1 and stats.get_value("gicrawler/hs/challenges_passed") == 1
    # challenged again inside the browser: a failure, handed on as the 412 it is
    again = mw.process_response(retry, HtmlResponse(req.url, status=412, body=RS_PAGE, request=retry))
    assert again.status == 412 and stats.get_value("gicrawler/hs/challenges_failed") == 1


def test_antibot_host_goes_straight_to_browser_after_a_challenge():
    mw, stats, req = _antibot(True)
    other = Request("http://h.gov.cn/xxgk/b.shtml", meta={"gicrawler": dict(req.meta["gicrawler"])},
                    headers={"If-None-Match": '"v1"'})
    mw.process_request(other)
    assert "playwright" not in other.meta                      # no challenge seen yet: plain HTTP
    mw.process_response(req, HtmlResponse(req.url, status=412, body=RS_PAGE, request=req))
    mw.process_request(other)
    assert "playwright" not in other.meta                      # a revalidation tries plain HTTP (304) first
    retry = mw.process_response(other, HtmlResponse(other.url, status=412, body=RS_PAGE, request=other))
    assert retry.meta["playwright"] is True
    assert b"If-None-Match" not in retry.headers               # Chromium aborts navigations answered 304
    del other.headers[b"If-None-Match"]
    mw.process_request(other)
    assert other.meta["playwright"] is True and other.meta["gicrawler_challenged"] is False
    # the browser solves a fresh challenge on it: counted as seen and passed, status fixed
    out = mw.process_response(other, HtmlResponse(other.url, status=412, body=b"<html>ok</html>", request=other))
    assert out.status == 200
    assert stats.get_value("gicrawler/hs/challenges") == 3 and stats.get_value("gicrawler/hs/challenges_passed") == 1
    pdf = Request("http://h.gov.cn/xxgk/c.pdf", meta={"gicrawler": {**req.meta["gicrawler"], "kind": "attachment"}})
    mw.process_request(pdf)
    assert "playwright" not in pdf.meta                        # files stay plain HTTP
    elsewhere = Request("http://other.gov.cn/a.shtml", meta={"gicrawler": dict(req.meta["gicrawler"])})
    mw.process_request(elsewhere)
    assert "playwright" not in elsewhere.meta


def test_antibot_without_browser_passes_the_412_on():
    mw, stats, req = _antibot(False)
    out = mw.process_response(req, HtmlResponse(req.url, status=412, body=RS_PAGE, request=req))
    assert isinstance(out, Response) and out.status == 412
    assert stats.get_value("gicrawler/hs/challenges_failed") == 1
    ok = HtmlResponse(req.url, status=200, body=b"<html>x</html>", request=req)
    assert mw.process_response(req, ok) is ok


def test_retry_backoff_raises_the_failing_hosts_delay_and_waits_nowhere():
    """A retry comes back at once (nothing awaits in the middleware, which would hold the request in
    the downloader's active set); the failing host's slot delay goes up, another host's does not,
    and good answers bring it back down."""
    from types import SimpleNamespace

    from scrapy.core.downloader import Downloader

    from gicrawler.middlewares import BackoffRetryMiddleware

    crawler = get_crawler(settings_dict={"RETRY_BACKOFF_BASE": 2, "RETRY_BACKOFF_MAX": 5, "RETRY_TIMES": 3,
                                         "DOWNLOAD_DELAY": 0.5})
    crawler.spider = crawler._create_spider("t")
    downloader = Downloader(crawler)
    crawler.engine = SimpleNamespace(downloader=downloader)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    failing, other = Request("http://a.gov.cn/x"), Request("http://b.gov.cn/y")
    slot_a, slot_b = downloader._get_slot(failing)[1], downloader._get_slot(other)[1]

    retry = mw.process_response(failing, Response(failing.url, status=503, request=failing))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1   # a request, not a coroutine
    assert (slot_a.delay, slot_b.delay) == (2, 0.5)
    retry = mw.process_exception(retry, TimeoutError("timed out"))
    assert slot_a.delay == 4
    retry = mw.process_response(retry, Response(failing.url, status=503, request=retry))
    assert slot_a.delay == 5 and slot_b.delay == 0.5                       # capped at RETRY_BACKOFF_MAX
    ok = Response(failing.url, status=200, request=retry)
    assert mw.process_response(retry, ok) is ok and slot_a.delay == 2.5
    mw.process_response(retry, ok)
    assert slot_a.delay == 0.5                                             # back to its own delay
    assert mw.process_response(other, Response(other.url, status=200, request=other)).status == 200
    assert slot_b.delay == 0.5


def test_antibot_leaves_robots_txt_alone():
    """robots.txt (no portal meta) answered by a challenge: no stats under a made-up portal."""
    mw, stats, _ = _antibot(True)
    robots = Request("http://h.gov.cn/robots.txt", meta={"dont_obey_robotstxt": True})
    out = mw.process_response(robots, HtmlResponse(robots.url, status=412, body=RS_PAGE, request=robots))
    assert out.status == 412
    assert not any(k.startswith("gicrawler/") for k in stats.get_stats())


def test_antibot_challenged_attachment_is_not_sent_to_the_browser():
    mw, stats, req = _antibot(True)
    pdf = Request("http://h.gov.cn/xxgk/c.pdf", meta={"gicrawler": {**req.meta["gicrawler"], "kind": "attachment"}})
    out = mw.process_response(pdf, HtmlResponse(pdf.url, status=412, body=RS_PAGE, request=pdf))
    assert isinstance(out, Response) and out.status == 412     # recorded by the errback as a failure
    assert stats.get_value("gicrawler/hs/challenges_failed") == 1


def test_user_agent_is_a_valid_header_value():
    ua = SETTINGS["USER_AGENT"]
    assert ua.isascii() and ua.startswith("gicrawler/") and "+http" in ua


def test_report_forbidden_by_robots_is_counted(tmp_path):
    from scrapy.exceptions import IgnoreRequest

    from gicrawler.incremental import NotModified

    path = tmp_path / "s.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    spider = make(seeds=str(path))
    request = report_response(spider)
    for exc in (IgnoreRequest("Forbidden by robots.txt"), NotModified("304")):
        failure = Failure(exc)
        failure.request = request
        assert spider.report_failed(failure) is None
    assert spider.crawler.stats.get_value("gicrawler/alpha/not_fetched") == 1


def test_unpassed_202_challenge_is_a_recorded_failure_not_content(tmp_path):
    """A 202 is a 2xx: handed on as-is, the challenge page would be parsed as the report."""
    mw, stats, req = _antibot(False)
    with pytest.raises(HttpError) as err:
        mw.process_response(req, HtmlResponse(req.url, status=202, body=RS_PAGE, request=req))
    assert stats.get_value("gicrawler/hs/challenges_failed") == 1
    path = tmp_path / "s.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    spider = make(seeds=str(path))
    request = report_response(spider)
    failure = Failure(HttpError(HtmlResponse(request.url, status=202, body=RS_PAGE, request=request), str(err.value)))
    failure.request = request
    item = spider.report_failed(failure)
    assert item["fetch_error"] == "HTTP 202 (anti-bot challenge)" and item["body"] is None


@pytest_twisted.ensureDeferred
async def test_browser_wait_for_an_unpassable_challenge_does_not_raise():
    """The page is then handed on as the challenge it is (counted as failed), not as a timeout
    that would be retried through the browser three more times."""
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError
    from scrapy.utils.defer import deferred_from_coro

    from gicrawler.middlewares import PASSED_JS, wait_until_passed

    class Page:
        url = "http://h.gov.cn/xxgk/a.shtml"
        calls = []

        async def wait_for_function(self, js, timeout):
            self.calls.append((js, timeout))
            raise PlaywrightTimeoutError("Timeout 20000ms exceeded.")

    page = Page()
    await deferred_from_coro(wait_until_passed(page))
    assert page.calls == [(PASSED_JS, 20_000)]


# --- what is refused is recorded, not dropped (issue 9.2, 9.9) --------------------------------

def _spider(tmp_path, **settings):
    path = tmp_path / "s.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    cls = LOADER.load("reports")
    crawler = get_crawler(cls, {**SETTINGS.copy_to_dict(), **settings})
    spider = cls.from_crawler(crawler, seeds=str(path))
    crawler.spider = spider
    return spider


def test_refused_report_answers_are_records_under_the_listed_url(tmp_path):
    from scrapy.exceptions import IgnoreRequest

    from gicrawler.middlewares import Offsite

    spider = _spider(tmp_path)
    listed = report_response(spider)
    # robots.txt: nothing was fetched, nothing to store
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = listed
    assert spider.report_failed(failure) is None
    # a gzip bomb: fetched (download_latency), refused after decompression → a record
    bombed = listed.replace()
    bombed.meta["download_latency"] = 0.1
    failure = Failure(IgnoreRequest("Ignored response <200 …> … exceeded DOWNLOAD_MAXSIZE during decompression."))
    failure.request = bombed
    item = spider.report_failed(failure)
    assert item["url"] == listed.url and "DOWNLOAD_MAXSIZE" in item["fetch_error"] and item["body"] is None
    # redirected off-site: a record under the listed URL, not the other host's
    away = listed.replace(url="https://evil.example.com/r.html")
    away.meta.update(redirect_urls=[listed.url], download_latency=0.1)
    failure = Failure(Offsite("offsite: https://evil.example.com/r.html (host 'evil.example.com' …)"))
    failure.request = away
    item = spider.report_failed(failure)
    assert item["url"] == listed.url and item["fetch_error"].startswith("offsite: https://evil.example.com")
    assert spider.crawler.stats.get_value("gicrawler/alpha/fetch_errors") == 2


def test_attachments_past_the_cap_are_recorded_as_skipped(tmp_path):
    spider = _spider(tmp_path, GICRAWLER_MAX_ATTACHMENTS=2)
    request = report_response(spider)
    links = "".join(f"<a href='/files/{i}.pdf'>附件{i}</a>" for i in range(5))
    page = HtmlResponse(request.url, body=f"<html><body><div>{links}</div></body></html>".encode(), request=request)
    first = spider.parse_report(page)
    item = first.meta["item"]
    assert [a["url"].rsplit("/", 1)[1] for a in [first.meta["attachment"], *first.meta["pending"]]] == ["0.pdf", "1.pdf"]
    assert [a["skipped"] for a in item["attachments"]] == ["over GICRAWLER_MAX_ATTACHMENTS=2"] * 3
    assert spider.crawler.stats.get_value("gicrawler/alpha/attachments_skipped") == 3


def test_list_pages_capped_per_column_with_a_warning(tmp_path, caplog):
    spider = _spider(tmp_path, GICRAWLER_MAX_LIST_PAGES=4)
    html = '<ul></ul><script>createPageHTML(1000000, 0, "index", "shtml")</script>'
    column = "https://www.alpha.gov.cn/nb/index.shtml"
    spider._list_pages[("alpha", column)] = 1  # what start() counts for the index request
    req = scrapy.Request(column, meta={"gicrawler": {"portal": "alpha", "kind": "list", "state": {"page": 0},
                                                     "column": column, "index": True}})
    out = list(spider.parse_list(HtmlResponse(column, body=html.encode(), request=req, encoding="utf-8")))
    assert [r.url.rsplit("/", 1)[1] for r in out] == ["index_1.shtml", "index_2.shtml", "index_3.shtml"]
    assert all(r.meta["gicrawler"]["column"] == column and "index" not in r.meta["gicrawler"] for r in out)
    assert spider.crawler.stats.get_value("gicrawler/alpha/list_pages_capped") == 1
    warning = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("alpha" in m and column in m and "GICRAWLER_MAX_LIST_PAGES=4" in m for m in warning)
    # a later page planning more of the same column gets nothing
    assert spider.take_list_pages("alpha", column, ["x", "y"]) == []


def test_portal_hosts_middleware_refuses_other_hosts_whatever_dont_filter_says(tmp_path):
    from gicrawler.middlewares import Offsite, PortalHostsMiddleware

    spider = _spider(tmp_path)
    mw = PortalHostsMiddleware.from_crawler(spider.crawler)
    meta = {"gicrawler": {"portal": "alpha", "kind": "attachment"}}
    assert mw.process_request(Request("https://files.alpha.gov.cn/r.pdf", meta=meta, dont_filter=True)) is None
    redirected = Request("https://cdn.example.com/r.pdf", meta={**meta, "redirect_urls": ["https://www.alpha.gov.cn/r.pdf"]},
                         dont_filter=True)
    with pytest.raises(Offsite, match="redirected from https://www.alpha.gov.cn/r.pdf"):
        mw.process_request(redirected)
    # beta's domains (the union Scrapy's filter knows) are not alpha's
    with pytest.raises(Offsite):
        mw.process_request(Request("https://www.beta.gov.cn/r.pdf", meta=meta, dont_filter=True))
    # robots.txt and other requests without a portal: the union of every portal's domains
    assert mw.process_request(Request("https://www.beta.gov.cn/robots.txt")) is None
    with pytest.raises(Offsite):
        mw.process_request(Request("https://elsewhere.example.org/robots.txt"))
