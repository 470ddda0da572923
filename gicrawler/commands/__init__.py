"""The ``gicrawler`` subcommands (see gicrawler.cli)."""
from __future__ import annotations

import argparse
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


def _whole_number(value: str, low: int, high: float = float("inf")) -> int | None:
    """``value`` as an int from ``low`` to ``high``, or None."""
    try:
        n = int(value)
    except ValueError:
        return None
    return n if low <= n <= high else None


def port(value: str) -> int:
    """An argparse type: a TCP port number (0: any free port)."""
    n = _whole_number(value, 0, 65535)
    if n is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0-65535)")
    return n


def at_least(low: int):
    """An argparse type: a whole number, ``low`` or more."""
    def number(value: str) -> int:
        n = _whole_number(value, low)
        if n is None:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least {low}")
        return n
    number.__name__ = f"number >= {low}"
    return number


def one_line_errors(*kinds: type[BaseException]):
    """Decorates a command's ``run``: an exception of ``kinds`` out of it (the store down, locked or
    not a store; a seed list it cannot use …) is one line naming the command, and exit status 2."""
    def decorate(run):
        name = run.__module__.rsplit(".", 1)[-1]

        @functools.wraps(run)
        def checked(args) -> int:
            try:
                return run(args)
            except kinds as exc:
                print(f"gicrawler {name}: {exc}", file=sys.stderr)
                return 2
        return checked
    return decorate


def store_errors(run):
    """``one_line_errors(StoreError)``: the commands that read a store."""
    from gicrawler.store import StoreError

    return one_line_errors(StoreError)(run)
