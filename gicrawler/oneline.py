"""One line on stderr for every expected condition; tracebacks only for bugs.

Two sources of multi-line output in a crawl that works:

- **Warnings** (a DeprecationWarning from Scrapy, scrapy-redis or playwright): Python prints
  ``file:line: Category: message`` and then the source line below it; Scrapy routes warnings
  through logging (``py.warnings``), which adds a blank line too. ``install()`` makes
  ``warnings.formatwarning`` give the first line only, and strips the logged copy's newline.
- **A host that does not answer robots.txt** (refused, unknown name, timeout): Scrapy's robots.txt
  middleware logs "Error downloading …" with the full traceback of a network error. The message
  says everything; the filter drops the traceback of network errors (not of anything else).

``install()`` is called where every crawl process starts (gicrawler/settings.py: ``scrapy crawl``,
scrapyd jobs, the demo's crawl) and by the ``gicrawler`` command; calling it again does nothing.
"""
from __future__ import annotations

import logging
import warnings

from scrapy import exceptions as _scrapy_exc
from twisted.internet import error as _twisted_error

# What a host that is down, unknown or slow raises (Scrapy 2.19's download errors and the
# Twisted/OS errors under them): conditions of the network, not bugs.
NETWORK_ERRORS = (
    _scrapy_exc.DownloadConnectionRefusedError, _scrapy_exc.CannotResolveHostError,
    _scrapy_exc.DownloadTimeoutError, _scrapy_exc.DownloadFailedError,
    _scrapy_exc.ResponseDataLossError, _scrapy_exc.DownloadCancelledError,
    _twisted_error.ConnectError, _twisted_error.ConnectionLost, _twisted_error.ConnectionDone,
    _twisted_error.TimeoutError, OSError, TimeoutError,
)
# Loggers that attach a traceback to a network error they also name in their message.
NETWORK_TRACEBACK_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)


def format_warning(message, category, filename, lineno, line=None) -> str:
    """``file:line: Category: message`` on one line (the source line is left out)."""
    text = " ".join(str(message).split())
    return f"{filename}:{lineno}: {category.__name__}: {text}\n"


class _StripWarning(logging.Filter):
    """logging.captureWarnings logs formatwarning's text with its newline: drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            record.args = (record.args[0].rstrip(),) + record.args[1:]
        elif isinstance(record.msg, str):
            record.msg = record.msg.rstrip()
        return True


class NoNetworkTraceback(logging.Filter):
    """Keep the message of a record whose exception is a network error, drop its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


def _add_once(logger: logging.Logger, cls) -> None:
    if not any(isinstance(f, cls) for f in logger.filters):
        logger.addFilter(cls())


def install() -> None:
    warnings.formatwarning = format_warning
    _add_once(logging.getLogger("py.warnings"), _StripWarning)
    for name in NETWORK_TRACEBACK_LOGGERS:
        _add_once(logging.getLogger(name), NoNetworkTraceback)
