"""Progress of a running crawl on stderr: per portal, list pages read, reports found, stored.

Off unless ``GICRAWLER_PROGRESS`` is set (``gicrawler demo`` sets ``auto``;
``scrapy crawl … -s GICRAWLER_PROGRESS=auto`` works too):

- ``auto``: ``tty`` when stderr is a terminal, else ``plain``;
- ``tty``: a block of one line per portal, redrawn in place every 0.5 s
  (``GICRAWLER_PROGRESS_INTERVAL``); a log record (a WARNING) first clears the block, so it is
  printed above it, and the block is drawn again below; at close the block is drawn once more
  with the final numbers and left on the screen;
- ``plain`` (a pipe, a log file): a line every 10 s, the totals and each portal's stored/found
  (``GICRAWLER_PROGRESS_INTERVAL``), nothing at close (the run's summary follows).

The numbers are the run's stats (``gicrawler/<portal>/…``, gicrawler/extensions.py): reports found
= downloaded + failed + known and unchanged (not downloaded again); stored = records the store
pipeline saved (new, changed or unchanged).
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from gicrawler.extensions import portal_stats, reports_found, spider_portals, stats_portals

MODES = ("auto", "tty", "plain")
INTERVALS = {"tty": 0.5, "plain": 10.0}
UNCHANGED_KEYS = ("skipped_unchanged", "not_modified")
STORED_KEYS = ("stored_new", "stored_changed", "stored_unchanged")


def counts(values: dict) -> dict[str, int]:
    """A portal's progress numbers from its ``gicrawler/<portal>/…`` stats."""
    def total(keys):
        return sum(int(values.get(k) or 0) for k in keys)

    return {
        "list_pages": int(values.get("list_pages") or 0),
        "found": reports_found(values) + int(values.get("fetch_errors") or 0),
        "stored": total(STORED_KEYS),
        "unchanged": total(UNCHANGED_KEYS),
    }


def portal_line(portal: str, c: dict[str, int], width: int = 15) -> str:
    line = (f"{portal:<{width}}{c['list_pages']:>4} list pages{c['found']:>6} reports found"
            f"{c['stored']:>6} stored")
    if c["unchanged"]:
        line += f"{c['unchanged']:>6} unchanged (not downloaded again)"
    return line


def block(stats: dict, portals: list[str], elapsed: float, done: bool = False) -> list[str]:
    """The lines drawn on a terminal: a heading and one line per portal."""
    width = max([15, *(len(p) + 2 for p in portals)])
    fetched = int(stats.get("response_received_count") or 0)
    heading = f"crawled in {elapsed:.0f} s" if done else f"crawling for {elapsed:.0f} s"
    lines = [f"{heading}, {fetched} pages fetched"]
    lines += [portal_line(p, counts(portal_stats(stats, p)), width) for p in portals]
    return lines


def plain_line(stats: dict, portals: list[str], elapsed: float) -> str:
    """One line for a log: the totals, then each portal's ``stored/found``."""
    per = {portal: counts(portal_stats(stats, portal)) for portal in portals}
    total = {key: sum(c[key] for c in per.values()) for key in ("list_pages", "found", "stored", "unchanged")}
    line = (f"progress after {elapsed:.0f} s: {total['list_pages']} list pages, {total['found']} reports found, "
            f"{total['stored']} stored")
    if total["unchanged"]:
        line += f", {total['unchanged']} unchanged"
    return line + " — " + ", ".join(f"{portal} {c['stored']}/{c['found']}" for portal, c in per.items())


class _ClearBeforeLog(logging.Filter):
    """On the root logger's handlers: a record about to be written clears the block first."""

    def __init__(self, progress: "Progress"):
        super().__init__()
        self.progress = progress

    def filter(self, record: logging.LogRecord) -> bool:
        self.progress.clear()
        return True


class Progress:
    def __init__(self, crawler, mode: str, interval: float, stream=None):
        self.crawler = crawler
        self.stats = crawler.stats
        self.stream = stream if stream is not None else sys.stderr
        if mode == "auto":
            mode = "tty" if _isatty(self.stream) else "plain"
        self.mode = mode
        self.interval = interval or INTERVALS[mode]
        self.drawn = 0          # lines of the block now on the screen (tty)
        self.started = time.monotonic()
        self.spider = None
        self.task = None
        self.log_filter = _ClearBeforeLog(self)

    @classmethod
    def from_crawler(cls, crawler):
        mode = (crawler.settings.get("GICRAWLER_PROGRESS") or "").strip().lower()
        if mode in ("", "0", "off", "false", "no"):
            raise NotConfigured
        if mode in ("1", "on", "true", "yes"):
            mode = "auto"
        if mode not in MODES:
            raise NotConfigured(f"GICRAWLER_PROGRESS={mode!r}: use one of {', '.join(MODES)}")
        ext = cls(crawler, mode, crawler.settings.getfloat("GICRAWLER_PROGRESS_INTERVAL", 0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def portals(self) -> list[str]:
        return sorted(spider_portals(self.spider) | stats_portals(self.stats.get_stats()))

    def spider_opened(self, spider):
        self.spider = spider
        self.started = time.monotonic()
        if self.mode == "tty":
            for handler in logging.getLogger().handlers:
                handler.addFilter(self.log_filter)
        self.task = create_looping_call(self.tick)
        self.task.start(self.interval, now=self.mode == "tty")

    def spider_closed(self, spider, reason):
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.mode == "tty":
            self.draw(done=True)
            self.drawn = 0      # the final block stays on the screen
            for handler in logging.getLogger().handlers:
                handler.removeFilter(self.log_filter)

    def tick(self):
        if self.mode == "tty":
            self.draw()
        elif self.portals():
            self._write(plain_line(self.stats.get_stats(), self.portals(), self.elapsed()) + "\n")

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def draw(self, done: bool = False):
        columns = _columns(self.stream)
        # cut to the terminal's width: a wrapped line would break the redraw in place
        lines = [line[:max(columns - 1, 20)]
                 for line in block(self.stats.get_stats(), self.portals(), self.elapsed(), done)]
        self.clear()
        self._write("".join(line + "\n" for line in lines))
        self.drawn = len(lines)

    def clear(self):
        if self.drawn:
            self._write(f"\x1b[{self.drawn}A\r\x1b[J")   # up to the block's first line, erase below
            self.drawn = 0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):   # stderr closed (the reader went away): progress is optional
            pass


def _columns(stream) -> int:
    """The width of the terminal the block is drawn on (stderr's, even when stdout is a pipe)."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0
    return columns or shutil.get_terminal_size().columns   # 0: a terminal that never said its size


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
