"""``env:NAME`` as a setting's value: the value is in the environment variable NAME.

Secrets (a store URI or a Redis URL with a password) given as a setting show wherever the
setting does — a process's command line (``ps``), scrapyd's job list and log. As ``env:NAME``
only the variable's name travels; the crawl reads the value where it runs (on a scrapyd host:
the environment scrapyd was started with, which it passes to every job). Used for
``STORE_URI`` (gicrawler/store) and ``GICRAWLER_REDIS_URL`` (gicrawler/distributed.py).
"""
from __future__ import annotations

import os
import re

PREFIX = "env:"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_reference(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def expand(value: str, setting: str) -> str:
    """``value``, or the variable it names; ValueError (one line) when that is unset or empty."""
    if not is_reference(value):
        return value
    name = value[len(PREFIX):]
    if not _NAME.fullmatch(name):
        raise ValueError(f"{setting}={value}: not the name of an environment variable")
    found = os.environ.get(name)
    if not found:
        raise ValueError(f"{setting}={value}: ${name} is not set in this process's environment")
    return found
