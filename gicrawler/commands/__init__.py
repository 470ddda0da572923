"""The ``gicrawler`` subcommands (see gicrawler.cli)."""
from __future__ import annotations

import functools
import os
import sys


def reader_gone() -> int:
    """Standard output's reader went away (``gicrawler parse … | head``): not an error to report.

    Python would still try to flush stdout at exit and print a BrokenPipeError traceback, so
    stdout is pointed at /dev/null first (the recipe of the ``signal`` module's docs)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


def store_errors(run):
    """Decorates a command's ``run``: a StoreError out of it (the store down, locked, not a store)
    is one line naming the command, and exit status 2 — instead of a try block in every command."""
    from gicrawler.store import StoreError

    name = run.__module__.rsplit(".", 1)[-1]

    @functools.wraps(run)
    def checked(args) -> int:
        try:
            return run(args)
        except StoreError as exc:
            print(f"gicrawler {name}: {exc}", file=sys.stderr)
            return 2
    return checked
