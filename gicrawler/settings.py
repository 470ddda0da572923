"""Scrapy settings for gicrawler.

Defaults are for real government portals: slow, fragile, rate-limited servers. Tests and
one-off runs override with ``-s NAME=VALUE`` (e.g. AUTOTHROTTLE_ENABLED=0 DOWNLOAD_DELAY=0
RETRY_BACKOFF_BASE=0 against the local replicas); scrapyd with ``-d setting=NAME=VALUE``.
"""
import os

from scrapy.settings.default_settings import EXTENSIONS_BASE as _SCRAPY_EXTENSIONS_BASE
from scrapy.settings.default_settings import RETRY_EXCEPTIONS as _SCRAPY_RETRY_EXCEPTIONS

# Nothing leaves the configured hosts: Scrapy's cookies middleware builds a tldextract extractor
# when it is imported, and tldextract would download the Public Suffix List on a first run (and
# log tracebacks where there is no Internet). No URLs = its bundled snapshot, offline. Set here,
# before any middleware is imported; an explicit value (e.g. a local file) is kept.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

# Expected conditions are one line on stderr (a deprecation warning, a host that does not answer
# robots.txt); tracebacks only for bugs: gicrawler/oneline.py. Every crawl process reads this file.
from gicrawler import oneline as _oneline  # noqa: E402

_oneline.install()

BOT_NAME = "gicrawler"
SPIDER_MODULES = ["gicrawler.spiders"]
NEWSPIDER_MODULE = "gicrawler.spiders"
COMMANDS_MODULE = "gicrawler.scrapy_commands"   # `scrapy crawl` exits 2 when the store is unavailable

# --- Identity and manners -----------------------------------------------------------------
# Say who we are and where to complain; site admins block anonymous bots first.
CONTACT_URL = os.environ.get("GICRAWLER_CONTACT", "https://github.com/gicrawler/gicrawler")
# ASCII only: header values travel as bytes, and servers/WAFs answer 400 to non-ASCII ones
USER_AGENT = (
    f"gicrawler/0.1 (+{CONTACT_URL}; collects government information disclosure annual reports "
    "(zhengfu xinxi gongkai niandu baogao) for research; polite: 2 requests at a time per host)"
)
# robots.txt is obeyed; a seed entry with `obey_robots: false` exempts its own requests
# (the spider sets meta dont_obey_robotstxt on them), nothing else.
ROBOTSTXT_OBEY = True

# --- Politeness ---------------------------------------------------------------------------
CONCURRENT_REQUESTS = 8                 # several portals at once …
CONCURRENT_REQUESTS_PER_DOMAIN = 2      # … but never more than 2 in flight per host
DOWNLOAD_DELAY = 1.0                    # starting delay; AutoThrottle adapts it to the server
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60                   # county servers are slow; a minute, then retry
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024     # scanned-PDF attachments run to tens of MB; beyond that, skip
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024

# A pager can claim any number of pages (createPageHTML(1000000, …), totalRecord 1,000,000):
# list pages requested per column (index URL), the index included. Hitting it is a WARNING
# naming the portal and the column, and the stat gicrawler/<portal>/list_pages_capped.
GICRAWLER_MAX_LIST_PAGES = 200
# Documents downloaded per report page (real ones carry 1–3); the rest are recorded as skipped.
GICRAWLER_MAX_ATTACHMENTS = 20

# Retries: 5xx and timeouts are usually transient on these servers. Scrapy retries at once;
# BackoffRetryMiddleware raises the failing host's download delay to RETRY_BACKOFF_BASE * 2**(n-1) s
# (max RETRY_BACKOFF_MAX), that host only, and lowers it again as the host answers.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# a browser navigation that failed or timed out (rendered list pages) is as transient as an HTTP one
RETRY_EXCEPTIONS = [*_SCRAPY_RETRY_EXCEPTIONS, "playwright.async_api.Error"]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0

# Error responses (404 report, 412 challenge) reach the spider's errbacks as HttpError and are
# recorded there (ReportPage.fetch_error / stats); nothing is let through as if it were content.
HTTPERROR_ALLOWED_CODES = []

# --- Middlewares, pipelines, extensions ---------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # every request (attachments, redirects, robots.txt) stays on its portal's allowed_domains;
    # it replaces Scrapy's OffsiteMiddleware, which lets dont_filter requests through and drops a
    # redirect off-site without a word (at scheduling: no errback, the report would be lost)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "gicrawler.middlewares.PortalHostsMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "gicrawler.middlewares.BackoffRetryMiddleware": 550,
    # after HttpCompression (590) has decoded the body, before retries see the status
    "gicrawler.middlewares.AntiBotMiddleware": 580,
    # 304 to a conditional report request → store.touch, request dropped (incremental.py)
    "gicrawler.incremental.NotModifiedMiddleware": 650,
}
SPIDER_MIDDLEWARES = {
    # skip / revalidate report pages already stored (incremental.py); `-a full=1` disables it
    "gicrawler.incremental.IncrementalMiddleware": 550,
}
ITEM_PIPELINES = {
    "gicrawler.pipelines.parse.ParsePipeline": 300,   # ReportPage → record (parse_report)
    "gicrawler.pipelines.store.StorePipeline": 800,   # upsert record + raw bodies
}
EXTENSIONS = {
    "gicrawler.gcfreeze.FreezeStartupObjects": 100,  # start-up objects out of the collector's way (GICRAWLER_GC_FREEZE)
    "gicrawler.extensions.PortalStats": 500,          # per-portal summary + store.save_run
    "gicrawler.progress.Progress": 510,               # progress on stderr, only with GICRAWLER_PROGRESS
    # the crawl's one store (pipelines, incremental middleware, PortalStats); after PortalStats,
    # so that its spider_closed handler (which closes the store) runs after the run is saved
    "gicrawler.store.extension.StoreExtension": 900,
}
# No open port on crawl hosts (TelnetConsole), no HTTP port that runs code nor token files in
# ~/.local/state left by killed crawls (RemoteControl): both are off, and out of Scrapy's base
# list rather than set to None in EXTENSIONS — Scrapy imports every class EXTENSIONS names, even
# to drop it, and the remote control's aiohttp server cost each crawl ~0.1 s of CPU to import.
_PORT_EXTENSIONS = ("scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.remote_control.RemoteControl")
EXTENSIONS_BASE = {k: v for k, v in _SCRAPY_EXTENSIONS_BASE.items() if k not in _PORT_EXTENSIONS}
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Distributed runs: `-s GICRAWLER_REDIS_URL=redis://…` switches the scheduler and dupefilter to
# scrapy-redis and reads the seed list from Redis (gicrawler/distributed.py); no-op otherwise.
ADDONS = {"gicrawler.distributed.Distributed": 0}
# None → open_store's rule: $GICRAWLER_STORE, else sqlite:///data/gicrawler.sqlite3
STORE_URI = None

# --- Browser (scrapy-playwright), only for requests with meta playwright=True ----------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
DOWNLOAD_HANDLERS = {
    # Chinese portals are often plain http: register both schemes
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    # the system Chromium: `playwright install` cannot download browsers here
    "executable_path": os.environ.get("GICRAWLER_CHROMIUM", "/usr/bin/chromium"),
    "headless": True,
    "args": [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync",
    ],
}
PLAYWRIGHT_MAX_CONTEXTS = 1
# Pages are closed by the handler (we never use playwright_include_page); the cap bounds memory.
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 45_000
PLAYWRIGHT_ABORT_REQUEST = "gicrawler.middlewares.playwright_abort_request"  # no images/fonts/media

# --- Misc ---------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# --- Resume (JOBDIR) -----------------------------------------------------------------------
# Scrapy's JOBDIR state is written only at a clean close; after a SIGKILL this scheduler drops
# it and starts again from the index pages (stored reports are skipped): gicrawler/store/jobdir.py
SCHEDULER = "gicrawler.store.jobdir.CrashSafeScheduler"
# A host whose download slot already holds requests back (its delay, a retry backoff) gets no
# more: one slow or failing portal cannot fill CONCURRENT_REQUESTS (gicrawler/scheduling.py)
SCHEDULER_PRIORITY_QUEUE = "gicrawler.scheduling.HostFairPriorityQueue"
