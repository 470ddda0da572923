"""Progress of a running crawl on stderr (gicrawler/progress.py): redrawn in place on a terminal,
a plain line now and then otherwise, nothing unless asked for."""
from __future__ import annotations

import fcntl
import io
import logging
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from types import SimpleNamespace

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from gicrawler.progress import Progress, block, counts, plain_line
from tests.crawl_helpers import FAST_SETTINGS, REPO

STATS = {
    "response_received_count": 40,
    "gicrawler/zibo/list_pages": 3, "gicrawler/zibo/reports": 8, "gicrawler/zibo/fetch_errors": 1,
    "gicrawler/zibo/stored_new": 9,
    "gicrawler/jiaxing/list_pages": 7, "gicrawler/jiaxing/skipped_unchanged": 13,
    "gicrawler/jiaxing/reports": 1, "gicrawler/jiaxing/stored_changed": 1,
}


def test_counts_found_stored_and_unchanged():
    assert counts({"list_pages": 3, "reports": 8, "fetch_errors": 1, "stored_new": 9}) == \
        {"list_pages": 3, "found": 9, "stored": 9, "unchanged": 0}
    # a re-run: known reports are found on the list pages but not downloaded again
    assert counts({"list_pages": 7, "skipped_unchanged": 13, "not_modified": 1, "reports": 1,
                   "stored_changed": 1}) == {"list_pages": 7, "found": 15, "stored": 1, "unchanged": 14}


def test_block_and_plain_line():
    lines = block(STATS, ["jiaxing", "zibo"], 12.3)
    assert lines[0] == "crawling for 12 s, 40 pages fetched"
    assert re.match(r"^jiaxing +7 list pages +14 reports found +1 stored +13 unchanged", lines[1]), lines[1]
    assert re.match(r"^zibo +3 list pages +9 reports found +9 stored$", lines[2]), lines[2]
    assert block(STATS, ["zibo"], 20, done=True)[0] == "crawled in 20 s, 40 pages fetched"
    assert plain_line(STATS, ["jiaxing", "zibo"], 10) == (
        "progress after 10 s: 10 list pages, 23 reports found, 10 stored, 13 unchanged — jiaxing 1/14, zibo 9/9")


class _Stats:
    def __init__(self, values):
        self.values = values

    def get_stats(self):
        return dict(self.values)


class _TTY(io.StringIO):
    def isatty(self):
        return True


def _progress(mode, stream, settings=None):
    crawler = SimpleNamespace(stats=_Stats(STATS), settings=Settings(settings or {}))
    ext = Progress(crawler, mode, 0, stream=stream)
    ext.spider = SimpleNamespace(portals=[SimpleNamespace(name="zibo"), SimpleNamespace(name="jiaxing")])
    return ext


def test_off_unless_asked_for():
    for value in (None, "", "off", "0"):
        crawler = SimpleNamespace(settings=Settings({"GICRAWLER_PROGRESS": value}))
        with pytest.raises(NotConfigured):
            Progress.from_crawler(crawler)


def test_auto_picks_tty_or_plain_by_the_stream():
    assert _progress("auto", _TTY()).mode == "tty"
    assert _progress("auto", io.StringIO()).mode == "plain"


def test_tty_redraws_in_place_and_a_log_record_clears_the_block_first():
    stream = _TTY()
    ext = _progress("tty", stream)
    ext.draw()
    first = stream.getvalue()
    assert first.count("\n") == 3 and "\x1b[" not in first          # heading + 2 portals, nothing to erase yet
    ext.draw()
    assert stream.getvalue()[len(first):].startswith("\x1b[3A\r\x1b[J")  # up 3 lines, erase, draw again
    # a WARNING printed while the block is on the screen: the block goes first, the record stays
    handler = logging.StreamHandler(stream)
    handler.addFilter(ext.log_filter)
    log = logging.getLogger("test_progress")
    log.addHandler(handler)
    log.propagate = False
    try:
        before = len(stream.getvalue())
        log.warning("report x failed: HTTP 404")
        assert stream.getvalue()[before:] == "\x1b[3A\r\x1b[Jreport x failed: HTTP 404\n"
        ext.draw()        # nothing to erase now: drawn below the record
        assert not stream.getvalue()[before:].split("HTTP 404\n", 1)[1].startswith("\x1b[")
    finally:
        log.removeHandler(handler)


def _crawl_argv(seeds, store_uri, **settings):
    argv = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"seeds={seeds}", "-a", "portal=jiaxing_jpaas"]
    for key, value in {**FAST_SETTINGS, "LOG_LEVEL": "WARNING", "STORE_URI": store_uri, **settings}.items():
        argv += ["-s", f"{key}={value}"]
    return argv


def _env(tmp_path):
    return {**os.environ, "SCRAPY_SETTINGS_MODULE": "gicrawler.settings",
            "GICRAWLER_SPOOL_DIR": str(tmp_path / "spool")}


@pytest.mark.slow
def test_a_crawl_on_a_terminal_draws_its_progress_in_place(replicas, replica_seeds, tmp_path):
    expected = len(replicas.expected["jiaxing_jpaas"])
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))   # a 100-column terminal
    chunks = []
    reader = threading.Thread(target=lambda: _drain(master, chunks), daemon=True)
    reader.start()
    proc = subprocess.run(_crawl_argv(replica_seeds, f"sqlite:///{tmp_path / 'p.sqlite3'}", GICRAWLER_PROGRESS="auto"),
                          cwd=REPO, env=_env(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=slave, timeout=180)
    os.close(slave)
    reader.join(10)
    os.close(master)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, out[-2000:]
    assert "\x1b[2A\r\x1b[J" in out           # redrawn in place (heading + one portal)
    final = out.rsplit("\x1b[J", 1)[-1]       # what stays on the screen
    assert final.splitlines()[0].startswith("crawled in "), final
    assert re.search(rf"jiaxing_jpaas +\d+ list pages +{expected} reports found +{expected} stored", final), final


def _drain(fd, chunks):
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:   # EIO: the other side closed
            return
        if not data:
            return
        chunks.append(data)


@pytest.mark.slow
def test_a_crawl_into_a_pipe_prints_plain_lines(replicas, replica_seeds, tmp_path):
    proc = subprocess.run(_crawl_argv(replica_seeds, f"sqlite:///{tmp_path / 'p.sqlite3'}",
                                      GICRAWLER_PROGRESS="auto", GICRAWLER_PROGRESS_INTERVAL="0.2"),
                          cwd=REPO, env=_env(tmp_path), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "\x1b[" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("progress after ")]
    assert lines and all(re.search(r" — jiaxing_jpaas \d+/\d+$", line) for line in lines), proc.stderr[-2000:]


@pytest.mark.slow
def test_no_progress_unless_asked_for(replicas, replica_seeds, tmp_path):
    proc = subprocess.run(_crawl_argv(replica_seeds, f"sqlite:///{tmp_path / 'p.sqlite3'}",
                                      GICRAWLER_PROGRESS_INTERVAL="0.2"),
                          cwd=REPO, env=_env(tmp_path), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "progress after" not in proc.stderr and "crawling for" not in proc.stderr
