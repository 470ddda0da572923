"""Parse workers: child processes that the crawl's event loop drives over one pipe each.

A worker is spawned (the crawl process has threads: no fork), imports the ``warm_up`` modules
(with the ``warm_up_without`` modules made unimportable meanwhile), says it is ready, then runs one job at a time — ``function(argument)``, both pickled, the
function by name — and sends back its result or its exception (with the worker's traceback as
the exception's cause). Its log records travel on the same pipe and are handled by the crawl's
logger of the same name. It ignores SIGINT (Ctrl-C is the crawl's to handle) and ends when its
pipe closes, or when the crawl process is gone (a watch thread: a worker deep in a parse does
not read its pipe).

Why not ``concurrent.futures.ProcessPoolExecutor``: each of its jobs goes through two more
threads in the crawl process (the pool's manager, its call queue's feeder) and a lock-guarded
multiprocessing queue — measured (benchmarks/crawl.py), about 0.8 ms of the crawl process's CPU
per page, against about 0.13 ms for a pickle written on a pipe whose answer the event loop reads
(``add_reader``). And a worker that dies there breaks the whole pool; here a crash or a time
limit concerns the one job in that worker only.
"""
from __future__ import annotations

import asyncio
import importlib
import logging
import logging.handlers
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from typing import Any, Callable

from gicrawler.runner import _main_module_hidden

logger = logging.getLogger(__name__)

_PROTOCOL = pickle.HIGHEST_PROTOCOL
START_TIMEOUT = 120.0   # a new worker's imports; not counted in any job's time limit
_CLOSE_WAIT = 5.0       # at close, how long idle workers get to exit on their own


class WorkerDied(RuntimeError):
    """The worker process ended (a crash, a signal, the OOM killer) during its job."""


class WorkerNotStarted(RuntimeError):
    """A worker did not get ready: its imports failed, it died, or it took too long."""


class PoolClosed(RuntimeError):
    """The pool was closed before the job could start."""


class JobTimeout(TimeoutError):
    """The job ran past its time limit; its worker was killed."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (set as that exception's cause)."""

    def __str__(self) -> str:
        return self.args[0] if self.args else ""


# --------------------------------------------------------------------------- the worker side

class _PipeLogHandler(logging.handlers.QueueHandler):
    """Log records to the crawl process, prepared (message formatted) so that they pickle."""

    def __init__(self, send: Callable[[tuple], None]):
        super().__init__(None)
        self._send = send

    def enqueue(self, record: logging.LogRecord) -> None:
        self._send(("log", record))


def _started(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()  # field 22: start time
    except (OSError, IndexError):
        return None


def _exit_with(crawl_pid: int, interval: float = 1.0) -> None:
    # A worker busy with a long parse reads no EOF from its pipe: without this, a crawl that is
    # SIGKILLed would leave it running until its parse ends.
    started = _started(crawl_pid)
    while True:
        time.sleep(interval)
        try:
            os.kill(crawl_pid, 0)
        except (ProcessLookupError, PermissionError):  # gone, or the pid reused by another user
            os._exit(0)
        if started is not None and _started(crawl_pid) != started:  # pid reused
            os._exit(0)


def _import_without(names: tuple[str, ...], without: tuple[str, ...]) -> None:
    """Import ``names`` while the ``without`` modules cannot be imported (an optional import of
    them finds them absent); afterwards they can be imported again."""
    blocked = [name for name in without if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # (an import of a name mapped to None raises ImportError)
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


def _worker_main(conn, level: int, crawl_pid: int, warm_up: tuple[str, ...],
                 warm_up_without: tuple[str, ...] = ()) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lock = threading.Lock()

    def send(message: tuple) -> None:
        data = pickle.dumps(message, _PROTOCOL)
        with lock:
            conn.send_bytes(data)

    root = logging.getLogger()
    root.handlers[:] = [_PipeLogHandler(send)]
    root.setLevel(level)
    threading.Thread(target=_exit_with, args=(crawl_pid,), name="crawl-watch", daemon=True).start()
    try:
        try:
            _import_without(warm_up, warm_up_without)
        except BaseException as exc:  # noqa: BLE001 - said to the crawl, which gives the pool up
            send(("failed", f"{type(exc).__name__}: {exc}"[:500]))
            return
        send(("ready", os.getpid()))
        while True:
            try:
                data = conn.recv_bytes()
            except (EOFError, OSError):  # the crawl closed the pipe, or is gone
                return
            try:
                function, argument = pickle.loads(data)
                answer = ("ok", function(argument))
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the crawl
                answer = ("error", exc, traceback.format_exc())
            try:
                send(answer)
            except (EOFError, OSError):
                return
            except Exception as exc:  # noqa: BLE001 - a result or an exception that does not pickle
                send(("error", RuntimeError(f"{type(exc).__name__} sending the answer: {exc}"[:500]), ""))
    except (EOFError, OSError):  # the crawl went away while this worker was sending
        return


# --------------------------------------------------------------------------- the crawl side

class _ToLogger(logging.Handler):
    """Hands a worker's log record to the crawl process's own logger of that name."""

    def handle(self, record):
        logger_ = logging.getLogger(record.name)
        if logger_.isEnabledFor(record.levelno):
            logger_.handle(record)
        return True


_TO_LOGGER = _ToLogger()


def _exit_reason(process) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}" if code is not None else "pipe closed"


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


class Worker:
    """One worker process and its pipe; lives on the event loop that started it."""

    def __init__(self, ctx, level: int, warm_up: tuple[str, ...], warm_up_without: tuple[str, ...] = ()):
        self._loop = asyncio.get_event_loop()
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main,
                                   args=(child, level, os.getpid(), warm_up, warm_up_without),
                                   name="gicrawler-parse", daemon=True)
        try:
            with _main_module_hidden():  # spawn would re-import (re-run) the crawl's script
                self.process.start()
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        self.pid = self.process.pid
        self.conn = parent
        self.ready: asyncio.Future = self._loop.create_future()
        self.ready.add_done_callback(_retrieve)
        self._answer: asyncio.Future | None = None
        self.dead = False
        self._loop.add_reader(parent.fileno(), self._readable)

    @property
    def busy(self) -> bool:
        """A job was sent and its answer has not come back."""
        return self._answer is not None

    def _readable(self) -> None:
        # One message per call: the loop calls again while the pipe holds more (and a message,
        # once its first bytes are there, is being written whole by the worker).
        try:
            data = self.conn.recv_bytes()
        except (EOFError, OSError):
            self.process.join(1)  # (it closed its pipe by ending)
            self._gone(_exit_reason(self.process))
            return
        try:
            message = pickle.loads(data)
        except Exception as exc:  # noqa: BLE001 - e.g. an exception class that needs arguments
            message = ("error", RuntimeError(
                f"unreadable answer from the parse worker ({type(exc).__name__}: {exc})"[:500]), "")
        self._handle(message)

    def _handle(self, message: tuple) -> None:
        kind = message[0]
        if kind == "log":
            _TO_LOGGER.handle(message[1])
        elif kind == "ready":
            if not self.ready.done():
                self.ready.set_result(True)
        elif kind == "failed":
            if not self.ready.done():
                self.ready.set_exception(WorkerNotStarted(message[1]))
        else:
            answer, self._answer = self._answer, None
            if answer is None or answer.done():
                return  # (its caller stopped waiting)
            if kind == "ok":
                answer.set_result(message[1])
            else:
                exc, remote = message[1], message[2]
                if remote:
                    exc.__cause__ = RemoteTraceback(remote)
                answer.set_exception(exc)

    def _gone(self, reason: str) -> None:
        """The process ended (or was killed): no more reading, waiters told."""
        if self.dead:
            return
        self.dead = True
        self._loop.remove_reader(self.conn.fileno())
        self.conn.close()
        if not self.ready.done():
            self.ready.set_exception(WorkerNotStarted(f"the worker ended while starting ({reason})"))
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_exception(WorkerDied(f"the parse worker ended during the job ({reason})"))

    async def wait_ready(self, timeout: float) -> None:
        if self.ready.done():
            self.ready.result()  # (raises WorkerNotStarted for a worker that did not start)
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.ready), timeout)
        except asyncio.TimeoutError:
            self.kill()
            raise WorkerNotStarted(f"the worker did not start within {timeout:g} s") from None

    async def call(self, function: Callable[[Any], Any], argument: Any, timeout: float | None = None) -> Any:
        """function(argument) in the worker; its exception is raised here. JobTimeout past
        ``timeout`` seconds (None: no limit), WorkerDied if the process ends meanwhile."""
        if self.dead:
            raise WorkerDied("the parse worker had ended")
        data = pickle.dumps((function, argument), _PROTOCOL)
        self._answer = answer = self._loop.create_future()
        try:
            self.conn.send_bytes(data)  # the worker is idle, reading: a large body does not wait long
        except OSError:
            self.process.join(1)
            self._gone(_exit_reason(self.process))
        if not timeout:
            return await answer
        try:
            return await asyncio.wait_for(answer, timeout)
        except asyncio.TimeoutError:
            if not answer.cancelled():
                raise  # the job's own TimeoutError, not its time limit
            raise JobTimeout(f"parsing took over {timeout:g} s (GICRAWLER_PARSE_TIMEOUT)") from None

    def kill(self) -> None:
        if not self.dead:
            self.process.kill()
            self.process.join(5)
            self._gone("killed")

    def close(self) -> None:
        """Ask an idle worker to end (it sees EOF); ``join`` it afterwards."""
        if not self.dead:
            self._gone("closed")


class WorkerPool:
    """``await pool.run(function, argument, timeout)``: at most ``size`` jobs at once, one per
    worker, each in a worker that is warm (its imports done before the job's clock starts). A
    worker whose job timed out, was cancelled or crashed it is replaced by a new one."""

    def __init__(self, size: int, *, warm_up: tuple[str, ...] = ("gicrawler.parsing.document",),
                 warm_up_without: tuple[str, ...] = (), level: int | None = None,
                 start_timeout: float = START_TIMEOUT):
        self.size = size
        self.warm_up = tuple(warm_up)
        self.warm_up_without = tuple(warm_up_without)
        self.level = logging.getLogger().getEffectiveLevel() if level is None else level
        self.start_timeout = start_timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list[Worker] = []
        self._all: list[Worker] = []
        self._slots = asyncio.Semaphore(size)
        self.closed = False

    def start(self) -> None:
        """Start every worker now (they import while the crawl fetches its lists), not under load."""
        while len(self._idle) < self.size:
            self._idle.append(self._spawn())

    def _spawn(self) -> Worker:
        worker = Worker(self._ctx, self.level, self.warm_up, self.warm_up_without)
        self._all = [w for w in self._all if not (w.dead and w.process.exitcode is not None)] + [worker]
        return worker

    def pids(self) -> list[int]:
        return [w.pid for w in self._all if not w.dead]

    async def run(self, function: Callable[[Any], Any], argument: Any, timeout: float | None = None) -> Any:
        if self.closed:
            raise PoolClosed("the worker pool is closed")
        async with self._slots:
            if self.closed:
                raise PoolClosed("the worker pool is closed")
            worker = None
            while self._idle and worker is None:
                worker = self._idle.pop()
                if worker.dead and worker.ready.done() and worker.ready.exception() is None:
                    logger.warning("parse worker %d ended while idle (%s): starting another",
                                   worker.pid, _exit_reason(worker.process))
                    worker = None
            if worker is None:
                try:
                    worker = self._spawn()
                except (OSError, ValueError, RuntimeError) as exc:  # no processes here (limits…)
                    raise WorkerNotStarted(f"no worker process ({type(exc).__name__}: {exc})") from None
            try:
                try:
                    await worker.wait_ready(self.start_timeout)
                except WorkerNotStarted:
                    if self.closed:  # closed while this worker was starting
                        raise PoolClosed("the worker pool is closed") from None
                    raise
                return await worker.call(function, argument, timeout)
            finally:
                if worker.dead or worker.busy:  # crashed, timed out, or its caller was cancelled
                    worker.kill()
                elif self.closed:
                    worker.close()
                else:
                    self._idle.append(worker)

    def close(self) -> None:
        """End every worker: idle ones are asked to (EOF), any still busy is killed; all are
        joined (killed after a few seconds)."""
        self.closed = True
        for worker in self._all:
            if worker.busy:
                worker.kill()
            else:
                worker.close()
        deadline = time.monotonic() + _CLOSE_WAIT
        for worker in self._all:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join(5)
        self._idle.clear()
