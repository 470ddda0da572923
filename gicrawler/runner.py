"""Run a function in a child process under a time limit (and, optionally, a memory limit).

A parse is pure CPU in C libraries (PDFium, lxml, zlib) that no signal can interrupt, so the
only sure stop is a separate process that can be killed. ``ChildRunner`` keeps one warm child
(the heavy parsing imports are paid once, not per document); a job past its deadline has the
child killed and raises ``RunTimeout``, and the next job gets a fresh child. The functions
and their arguments cross by pickle: module-level functions and plain data.

Users: ``gicrawler parse`` and ``gicrawler reparse`` (per-document limit
``GICRAWLER_PARSE_TIMEOUT``, the crawl's setting), and the parser fuzzing tests (which add an
address-space limit, RLIMIT_AS). The crawl's parse workers (pipelines/workers.py) are driven by
its event loop instead, and share ``_main_module_hidden``.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
import types
from typing import Any, Callable

DEFAULT_TIMEOUT = 300.0      # the crawl's default GICRAWLER_PARSE_TIMEOUT (pipelines/parse.py)
TIMEOUT_ENV = "GICRAWLER_PARSE_TIMEOUT"
# The first job waits for the child's imports, which are not the document's fault.
_START_TIMEOUT = 120.0


class RunTimeout(TimeoutError):
    """The job ran past its time limit; its child process was killed."""


class ChildDied(RuntimeError):
    """The child process ended without an answer (a crash, a signal, the memory limit in C code)."""


def parse_timeout(value: float | str | None = None) -> float:
    """The per-document limit in seconds: ``value`` if given, else $GICRAWLER_PARSE_TIMEOUT,
    else the crawl's default; 0 means no limit. Raises ValueError for a malformed value."""
    if value is None:
        value = os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT
    seconds = float(value)
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"a time limit must be 0 (none) or a positive number of seconds, not {value!r}")
    return seconds


def timeout_message(seconds: float) -> str:
    return f"parsing took over {seconds:g} s ({TIMEOUT_ENV})"


def _child_main(conn, memory_limit: int | None, warm_up: tuple[str, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the parent's to handle
    if memory_limit:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    import importlib
    for name in warm_up:
        importlib.import_module(name)
    conn.send(("ready", None))
    while True:
        try:
            function, args, kwargs = conn.recv()
        except (EOFError, OSError):       # the parent is gone
            return
        except Exception as exc:          # noqa: BLE001 - a job that does not unpickle here
            conn.send(("error", RuntimeError(f"the job cannot be run in a child process ({exc})"[:500])))
            continue
        try:
            answer = ("ok", function(*args, **kwargs))
        except BaseException as exc:      # noqa: BLE001 - every failure goes back to the parent
            answer = ("error", exc)
        try:
            conn.send(answer)
        except Exception as exc:          # noqa: BLE001 - unpicklable result/exception, or MemoryError
            conn.send(("error", RuntimeError(f"{type(exc).__name__} sending the answer: {exc}"[:500])))
        if answer[0] == "error" and isinstance(answer[1], MemoryError):
            return      # the heap may be in any state after a MemoryError: start afresh


@contextlib.contextmanager
def _main_module_hidden():
    """spawn re-imports the parent's ``__main__`` in the child; a script without a
    ``__name__ == "__main__"`` guard would run again there. The child needs nothing from it."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


class ChildRunner:
    """``run(function, *args, timeout=…)`` in a warm child process. Not thread-safe: one job
    at a time. Use as a context manager (or call ``close``) so the child ends with its user."""

    def __init__(self, *, memory_limit: int | None = None,
                 warm_up: tuple[str, ...] = ("gicrawler.parsing.document",)):
        self.memory_limit = memory_limit
        self.warm_up = tuple(warm_up)
        self._ctx = multiprocessing.get_context("spawn")   # the parent may have threads: no fork
        self._process = None
        self._conn = None
        self.restarts = 0        # children started after the first (a kill or a death each)

    def __enter__(self) -> "ChildRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _start(self) -> None:
        if self._process is not None:
            self.restarts += 1
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_child_main, args=(child, self.memory_limit, self.warm_up),
                                    name="gicrawler-parse", daemon=True)
        with _main_module_hidden():
            process.start()
        child.close()
        self._process, self._conn = process, parent
        if not parent.poll(_START_TIMEOUT):
            self._kill()
            raise ChildDied(f"the parse process did not start within {_START_TIMEOUT:g} s")
        try:
            parent.recv()
        except (EOFError, OSError):
            code = self._reap()
            raise ChildDied(f"the parse process failed to start ({code})") from None

    def _kill(self) -> None:
        process, conn = self._process, self._conn
        self._conn = None
        if process is not None and process.is_alive():
            process.kill()
        if process is not None:
            process.join(5)
        if conn is not None:
            conn.close()

    def _reap(self) -> str:
        process = self._process
        self._kill()
        code = process.exitcode if process is not None else None
        if code is not None and code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"

    def run(self, function: Callable[..., Any], *args, timeout: float | None = None, **kwargs) -> Any:
        """function(*args, **kwargs) in the child; its exception is raised here as it was.
        RunTimeout past ``timeout`` seconds (None or 0: no limit), ChildDied if the child ends."""
        if self._conn is None:
            self._start()
        conn = self._conn
        # The limit runs from the job's sending: on a loaded machine this process may be descheduled
        # between send and poll while the child finishes; an answer that came too late is still late.
        started = time.monotonic()
        try:
            conn.send((function, args, kwargs))
        except (BrokenPipeError, EOFError, OSError):
            raise ChildDied(f"the parse process ended ({self._reap()})") from None
        if not conn.poll(max(timeout - (time.monotonic() - started), 0) if timeout else None):
            self._kill()
            raise RunTimeout(timeout_message(timeout))
        try:
            status, value = conn.recv()
        except (EOFError, OSError):
            raise ChildDied(f"the parse process ended ({self._reap()})") from None
        except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle here
            raise RuntimeError(f"unreadable answer from the parse process ({type(exc).__name__}: {exc})") from None
        if timeout and time.monotonic() - started > timeout:
            raise RunTimeout(timeout_message(timeout))   # the child is idle again: kept for the next job
        if status == "error":
            if isinstance(value, MemoryError):
                self._reap()
            raise value
        return value

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()     # the child sees EOF and returns
            self._conn = None
        if self._process is not None:
            self._process.join(2)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(2)
            self._process = None
