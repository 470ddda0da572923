"""Distributed crawls: several worker processes (on one or many hosts) share one Redis.

Switched on by one setting, ``-s GICRAWLER_REDIS_URL=redis://host:6379/0`` (or scrapyd's
``setting=GICRAWLER_REDIS_URL=…``; ``env:NAME``: the URL is in $NAME, gicrawler/envref.py). Then:

- scrapy-redis holds the request queue and the dupefilter, so every page is fetched once
  across all workers (``SCHEDULER_PERSIST=True``: a worker that stops must not wipe the
  shared keys — the scheduling command clears them at the start of a run instead);
- the seed list comes from Redis (``<spider>:seeds``, pushed by
  ``gicrawler schedule --redis URL SEEDS.yaml``), so workers need no seed file. Every worker
  reads all entries (any worker may get any portal's pages from the shared queue), and
  every worker yields the index requests of every portal: they are ordinary filtered
  requests, so the shared dupefilter lets exactly one of them through (scrapy-redis's own
  ``make_request_from_data`` marks seeds ``dont_filter`` and they get fetched twice);
- ``IdleClose`` keeps an idle worker polling the shared queue and closes it once the queue
  stayed empty for ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds (scrapy-redis only does this for
  its RedisSpider, whose ``start_requests`` Scrapy 2.19 never calls).

Requests travel through Redis pickled (scrapy-redis): callbacks must be spider methods and
meta/cb_kwargs picklable.

Wiring: the add-on in settings.py, ``ADDONS = {"gicrawler.distributed.Distributed": 0}`` (or
``configure(settings)`` from ``Spider.update_settings``), and ``RedisSeeds`` first among the
spider base's bases (``class PortalSpider(RedisSeeds, scrapy.Spider)``).
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from gicrawler import envref

logger = logging.getLogger(__name__)

SETTING = "GICRAWLER_REDIS_URL"
SEEDS_KEY = "%(spider)s:seeds"
QUEUE_KEY = "%(spider)s:requests"        # scrapy-redis defaults, spelled out for push_seeds()
DUPEFILTER_KEY = "%(spider)s:dupefilter"
DEFAULT_MAX_IDLE = 30  # seconds an idle worker waits for other workers to feed the queue


def enabled(settings) -> bool:
    return bool(settings.get(SETTING))


def profile(url: str) -> dict:
    """The scrapy-redis settings of a distributed run."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "REDIS_URL": url,
    }


def configure(settings) -> None:
    """Apply the Redis profile when GICRAWLER_REDIS_URL is set (no-op otherwise)."""
    url = settings.get(SETTING)
    if not url:
        return
    if envref.is_reference(url):  # env:NAME — the URL (and its password) is in $NAME
        url = envref.expand(url, SETTING)
        settings.set(SETTING, url, priority=settings.getpriority(SETTING))
    # The profile outranks settings.py (which sets its own crash-safe SCHEDULER): asking for a
    # distributed run is as explicit as the switch itself. Only an equally explicit setting
    # (e.g. -s SCHEDULER=… next to the switch) is kept.
    priority = settings.getpriority(SETTING)
    for name, value in profile(url).items():
        if (settings.getpriority(name) or 0) < priority:
            settings.set(name, value, priority=priority)
    settings.setdefault("MAX_IDLE_TIME_BEFORE_CLOSE", DEFAULT_MAX_IDLE, priority="addon")
    settings.setdefault_in_component_priority_dict("EXTENSIONS", IdleClose, 0)


class Distributed:
    """Scrapy add-on: ``ADDONS = {"gicrawler.distributed.Distributed": 0}``."""

    def update_settings(self, settings):
        configure(settings)


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)


def keys(spider_name: str) -> dict[str, str]:
    names = {"spider": spider_name}
    return {"seeds": SEEDS_KEY % names, "requests": QUEUE_KEY % names, "dupefilter": DUPEFILTER_KEY % names}


def push_seeds(url: str, entries: list[dict], spider_name: str = "reports") -> int:
    """Start a distributed run: clear the spider's shared keys, then push the seed entries.

    ``entries`` are seed-file entries (the mappings under ``portals:``). Returns how many.
    """
    client = redis_client(url)
    k = keys(spider_name)
    pipe = client.pipeline()
    pipe.delete(*k.values())
    if entries:
        pipe.rpush(k["seeds"], *(json.dumps(e, ensure_ascii=False) for e in entries))
    pipe.execute()
    return len(entries)


def load_portals(settings, spider_name: str):
    """The seed list of the running distributed crawl, as ``gicrawler.seeds.Portal`` objects."""
    from gicrawler.seeds import parse_seeds

    entries = load_entries(settings, spider_name)
    # JSON is YAML: the same validation as a seed file
    return parse_seeds(json.dumps({"portals": entries}, ensure_ascii=False), source=f"redis {spider_name}:seeds")


def load_entries(settings, spider_name: str) -> list[dict]:
    """The seed entries pushed for ``spider_name`` (raises SeedError when there are none)."""
    import redis

    from gicrawler.seeds import SeedError

    key = keys(spider_name)["seeds"]
    try:
        raw = redis_client(settings.get(SETTING)).lrange(key, 0, -1)
    except redis.RedisError as exc:
        raise SeedError(f"cannot read the seed list from Redis ({SETTING}): {exc}") from None
    if not raw:
        raise SeedError(f"no seeds in Redis key {key} — push them first: gicrawler schedule --redis URL SEEDS.yaml")
    return [json.loads(item) for item in raw]


class RedisSeeds:
    """Spider mixin: in a distributed run started without ``-a seeds``, the seed list is the
    one pushed to Redis. It is handed to the spider's own seed loader as a file (JSON is YAML),
    so it is validated exactly like a seed file; the file is removed when the spider closes.
    """

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        if enabled(crawler.settings) and not kwargs.get("seeds"):
            kwargs["seeds"] = _seed_file(crawler, load_entries(crawler.settings, cls.name))
        return super().from_crawler(crawler, *args, **kwargs)


def _seed_file(crawler, entries: list[dict]) -> str:
    fd, path = tempfile.mkstemp(prefix="gicrawler-redis-seeds-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"portals": entries}, f, ensure_ascii=False)

    def remove(spider):
        with contextlib.suppress(OSError):
            os.unlink(path)

    crawler.signals.connect(remove, signal=signals.spider_closed, weak=False)
    return path


class IdleClose:
    """Close an idle worker only after the shared queue stayed empty for a while.

    Another worker may still be parsing a page that will push new requests; closing at the
    first idle moment would leave it to crawl alone.
    """

    def __init__(self, crawler, max_idle: float):
        self.crawler = crawler
        self.max_idle = max_idle
        self.idle_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not enabled(crawler.settings):
            raise NotConfigured
        ext = cls(crawler, crawler.settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", DEFAULT_MAX_IDLE))
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.busy, signal=signals.request_scheduled)
        crawler.signals.connect(ext.busy, signal=signals.response_received)
        return ext

    def busy(self, *args, **kwargs):
        self.idle_since = None

    def spider_idle(self, spider):
        scheduler = self.crawler.engine.scheduler
        if scheduler is not None and scheduler.has_pending_requests():
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.max_idle:
            raise DontCloseSpider
        logger.info("shared queue empty for %.0f s: closing this worker", now - self.idle_since)
