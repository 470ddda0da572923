"""What a crawl's stderr may hold: one line per log record, the commands' own one-line messages,
and no traceback (those are for bugs). Shared by the tests of quiet runs."""
from __future__ import annotations

import re

# Scrapy's LOG_FORMAT: "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[\w.\-]+\] (DEBUG|INFO|WARNING|ERROR|CRITICAL): \S")
OWN_LINES = (
    re.compile(r"^serving replicas: "),                 # gicrawler demo
    re.compile(r"^progress after \d+ s: "),             # gicrawler/progress.py, plain mode
    re.compile(r"^scrapy crawl \w+: exit \d: \S"),      # gicrawler/scrapy_commands (exit 1 or 2)
)


def stray_lines(stderr: str) -> list[str]:
    """Lines of ``stderr`` that are neither a log record's first line nor a known one-line message:
    a traceback, a warning's source line, a record continued over several lines."""
    return [line for line in stderr.splitlines()
            if line.strip() and not LOG_LINE.match(line) and not any(p.match(line) for p in OWN_LINES)]


def assert_one_line_each(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr[-4000:]
    stray = stray_lines(stderr)
    assert stray == [], "\n".join(stray[:20])
