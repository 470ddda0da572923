"""The ``gicrawler`` subcommands (see gicrawler.cli)."""
from __future__ import annotations

import os
import sys


def reader_gone() -> int:
    """Standard output's reader went away (``gicrawler parse … | head``): not an error to report.

    Python would still try to flush stdout at exit and print a BrokenPipeError traceback, so
    stdout is pointed at /dev/null first (the recipe of the ``signal`` module's docs)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1
