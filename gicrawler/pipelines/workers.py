"""Parse workers: child processes that the crawl's event loop drives over two pipes each.

A worker is spawned (the crawl process has threads: no fork), imports the ``warm_up`` modules
(with the ``warm_up_without`` modules made unimportable meanwhile), says it is ready, then runs
the jobs of its jobs pipe one at a time — ``function(argument)``, both pickled, the function by
name — and sends back on its answers pipe, in order, each one's result or exception (with the
worker's traceback as the exception's cause). Its log records travel on the answers pipe too and
are handled by the crawl's logger of the same name. The pool gives a worker several jobs ahead of
the one it is on (``WorkerPool.depth``), so a worker does not idle while the busy crawl process gets
round to sending; a job is written without blocking the event loop (what the pipe does not take
yet waits for it to be writable), into a pipe widened to hold those jobs (``PIPE_BYTES``). A
worker ignores SIGINT (Ctrl-C is the crawl's to handle) and
ends when its jobs pipe closes, or when the crawl process is gone (a watch thread: a worker deep
in a parse does not read its pipe).

Why not ``concurrent.futures.ProcessPoolExecutor``: each of its jobs goes through two more
threads in the crawl process (the pool's manager, its call queue's feeder) and a lock-guarded
multiprocessing queue — measured (benchmarks/crawl.py), about 0.8 ms of the crawl process's CPU
per page, against about 0.13 ms for a pickle written on a pipe whose answer the event loop reads
(``add_reader``). And a worker that dies there breaks the whole pool; here a crash or a time
limit concerns the job in that worker only (those behind it go to another worker).
"""
from __future__ import annotations

import asyncio
import collections
import importlib
import logging
import logging.handlers
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback
from typing import Any, Callable

try:
    import fcntl
except ImportError:  # not on POSIX: pipes keep their size
    fcntl = None

from gicrawler.runner import _main_module_hidden

logger = logging.getLogger(__name__)

_PROTOCOL = pickle.HIGHEST_PROTOCOL
START_TIMEOUT = 120.0   # a new worker's imports; not counted in any job's time limit
_CLOSE_WAIT = 5.0       # at close, how long idle workers get to exit on their own
# Jobs a worker is given at once: the one it is on and those queued in its pipe behind it. The
# crawl's event loop reads an answer and sends the next job only when it gets round to it —
# 1.3 ms after the job ended at the median, 8 ms at the 90th percentile, 30 ms at the 99th
# (a commit, a burst of responses), i.e. several 2.7 ms HTML parses: measured on
# benchmarks/crawl.py's HTML mix, a worker given 2 jobs at once sat ~25% of the crawl with none,
# given 8 almost never. (A job queued behind a slow one waits for it: a PDF's ~0.1 s, once.)
DEPTH = 8
# What a worker's pipes may hold (Linux: F_SETPIPE_SZ; the default is 64 KB): the jobs queued for
# it (an HTML page ~22 KB pickled) wait in the kernel, not for the crawl's loop to write them
# when the worker has read the one before, and its answers (~11 KB) do not block it on a crawl
# process busy elsewhere. Not more: pipe buffers count against a per-user quota
# (/proc/sys/fs/pipe-user-pages-soft, 64 MB), past which Linux gives every new pipe of the user less.
PIPE_BYTES = 256 * 1024


class WorkerDied(RuntimeError):
    """The worker process ended (a crash, a signal, the OOM killer) during its job."""


class WorkerNotStarted(RuntimeError):
    """A worker did not get ready: its imports failed, it died, or it took too long."""


class JobNotStarted(RuntimeError):
    """The worker ended before it started the job (on a job sent before it): run it elsewhere."""


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


def _worker_main(jobs, answers, level: int, crawl_pid: int, warm_up: tuple[str, ...],
                 warm_up_without: tuple[str, ...] = ()) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lock = threading.Lock()

    def send(message: tuple) -> None:
        data = pickle.dumps(message, _PROTOCOL)
        with lock:
            answers.send_bytes(data)

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
                data = jobs.recv_bytes()
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


class _Job:
    """A job sent to a worker: its answer's future, and its time limit once the worker is on it."""

    __slots__ = ("answer", "timeout", "timer", "started")

    def __init__(self, answer: asyncio.Future, timeout: float | None):
        self.answer, self.timeout, self.timer, self.started = answer, timeout, None, False


def _frame(data: bytes) -> list[memoryview]:
    """``data`` framed as ``multiprocessing.Connection.recv_bytes`` reads it (the worker's side)."""
    header = struct.pack("!i", len(data)) if len(data) <= 0x7FFFFFFF else struct.pack("!iQ", -1, len(data))
    return [memoryview(header), memoryview(data)]


def _widen(fd: int) -> None:
    """Let the pipe of ``fd`` hold PIPE_BYTES where the system allows it (else as it is)."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsize is not None:
        try:
            fcntl.fcntl(fd, setsize, PIPE_BYTES)
        except OSError:  # over this user's pipe quota, or a lower pipe-max-size: 64 KB still works
            pass


class Worker:
    """One worker process and its two pipes (jobs to it, answers from it); lives on the event
    loop that started it. Jobs queue in its pipe, answered in order: the next ones are there when
    it has answered one, so neither side waits for the other (``call``)."""

    def __init__(self, ctx, level: int, warm_up: tuple[str, ...], warm_up_without: tuple[str, ...] = ()):
        self._loop = asyncio.get_event_loop()
        jobs_in, jobs_out = ctx.Pipe(duplex=False)
        answers_in, answers_out = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_worker_main,
                                   args=(jobs_in, answers_out, level, os.getpid(), warm_up, warm_up_without),
                                   name="gicrawler-parse", daemon=True)
        try:
            with _main_module_hidden():  # spawn would re-import (re-run) the crawl's script
                self.process.start()
        except BaseException:
            jobs_out.close()
            answers_in.close()
            raise
        finally:
            jobs_in.close()
            answers_out.close()
        self.pid = self.process.pid
        self.conn = answers_in
        self._jobs_out = jobs_out
        for conn in (jobs_out, answers_in):
            _widen(conn.fileno())
        os.set_blocking(jobs_out.fileno(), False)  # a large body waits in _unsent, not the event loop
        self._unsent: collections.deque[memoryview] = collections.deque()
        self._writing = False
        self.ready: asyncio.Future = self._loop.create_future()
        self.ready.add_done_callback(_retrieve)
        self._jobs: collections.deque[_Job] = collections.deque()
        self.dead = False
        self.ended_idle = False  # it ended by itself, between jobs
        self.claims = 0          # the pool's jobs given to it, started or waiting for it to be ready
        self._loop.add_reader(answers_in.fileno(), self._readable)

    @property
    def busy(self) -> bool:
        """A job was sent and its answer has not come back."""
        return bool(self._jobs)

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
        elif self._jobs:
            job = self._jobs.popleft()  # answers come in the order the jobs were sent
            if job.timer is not None:
                job.timer.cancel()
            if self._jobs:
                self._start(self._jobs[0])  # (the worker is on it now)
            if job.answer.done():
                return  # (its caller stopped waiting)
            if kind == "ok":
                job.answer.set_result(message[1])
            else:
                exc, remote = message[1], message[2]
                if remote:
                    exc.__cause__ = RemoteTraceback(remote)
                job.answer.set_exception(exc)

    def _start(self, job: _Job) -> None:
        job.started = True
        if job.timeout:
            job.timer = self._loop.call_later(job.timeout, self._timed_out, job)

    def _timed_out(self, job: _Job) -> None:
        if not job.answer.done():
            job.answer.set_exception(
                JobTimeout(f"parsing took over {job.timeout:g} s (GICRAWLER_PARSE_TIMEOUT)"))
        self.kill()  # (the jobs behind it are handed back, not started)

    def _gone(self, reason: str) -> None:
        """The process ended (or was killed): no more reading, waiters told — the job it was
        on that it died (WorkerDied), those behind it that they did not start (JobNotStarted)."""
        if self.dead:
            return
        self.dead = True
        self.ended_idle = not self._jobs and reason not in ("killed", "closed") and self.ready.done() \
            and not self.ready.cancelled() and self.ready.exception() is None
        self._loop.remove_reader(self.conn.fileno())
        self.conn.close()
        if self._writing:
            self._loop.remove_writer(self._jobs_out.fileno())
            self._writing = False
        self._jobs_out.close()
        self._unsent.clear()
        if not self.ready.done():
            self.ready.set_exception(WorkerNotStarted(f"the worker ended while starting ({reason})"))
        jobs, self._jobs = self._jobs, collections.deque()
        for job in jobs:
            if job.timer is not None:
                job.timer.cancel()
            if not job.answer.done():
                job.answer.set_exception(
                    WorkerDied(f"the parse worker ended during the job ({reason})") if job.started
                    else JobNotStarted(f"the parse worker ended before the job ({reason})"))

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
        """function(argument) in the worker, after the jobs sent before it; its exception is
        raised here. JobTimeout past ``timeout`` seconds of the worker's time on it (None: no
        limit), WorkerDied if the process ends during it, JobNotStarted before it."""
        if self.dead:
            raise WorkerDied("the parse worker had ended")
        data = pickle.dumps((function, argument), _PROTOCOL)
        job = _Job(self._loop.create_future(), timeout)
        self._jobs.append(job)
        if len(self._jobs) == 1:
            self._start(job)
        self._unsent.extend(_frame(data))
        self._send()
        try:
            return await job.answer
        except asyncio.CancelledError:
            if job.started:
                self.kill()  # it is on a job nobody waits for; the jobs behind it go elsewhere
            raise            # (one not started yet is parsed when its turn comes, its answer dropped)

    def _send(self) -> None:
        """Write what the pipe takes now; the rest when it is writable again."""
        while self._unsent:
            try:
                written = os.write(self._jobs_out.fileno(), self._unsent[0])
            except BlockingIOError:
                break
            except OSError:  # the worker is gone
                self.process.join(1)
                self._gone(_exit_reason(self.process))
                return
            if written < len(self._unsent[0]):
                self._unsent[0] = self._unsent[0][written:]
            else:
                self._unsent.popleft()
        if self._unsent and not self._writing:
            self._loop.add_writer(self._jobs_out.fileno(), self._send)
            self._writing = True
        elif not self._unsent and self._writing:
            self._loop.remove_writer(self._jobs_out.fileno())
            self._writing = False

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
    """``await pool.run(function, argument, timeout)``: at most ``size`` workers, each warm (its
    imports done before a job's clock starts) and given up to ``depth`` jobs at once — the one it
    is on and those waiting in its pipe. A job's time limit counts from when its worker
    starts it. A worker whose job timed out, was cancelled or crashed it is replaced by a new one;
    the jobs queued behind that job go to another worker (not counted against them)."""

    def __init__(self, size: int, *, warm_up: tuple[str, ...] = ("gicrawler.parsing.document",),
                 warm_up_without: tuple[str, ...] = (), level: int | None = None,
                 start_timeout: float = START_TIMEOUT, depth: int = DEPTH):
        self.size = size
        self.depth = max(1, depth)
        self.warm_up = tuple(warm_up)
        self.warm_up_without = tuple(warm_up_without)
        self.level = logging.getLogger().getEffectiveLevel() if level is None else level
        self.start_timeout = start_timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[Worker] = []  # the pool's workers (a dead one until it is noticed)
        self._all: list[Worker] = []      # … and those not reaped yet, for close()
        self._slots = asyncio.Semaphore(size * self.depth)
        self.closed = False

    def start(self) -> None:
        """Start every worker now (they import while the crawl fetches its lists), not under load."""
        while len(self._workers) < self.size:
            self._workers.append(self._spawn())

    def _spawn(self) -> Worker:
        worker = Worker(self._ctx, self.level, self.warm_up, self.warm_up_without)
        self._all = [w for w in self._all if not (w.dead and w.process.exitcode is not None)] + [worker]
        return worker

    def pids(self) -> list[int]:
        return [w.pid for w in self._all if not w.dead]

    def _pick(self) -> Worker:
        """The least loaded live worker, a new one while there are fewer than ``size``."""
        for worker in [w for w in self._workers if w.dead]:
            if worker.ended_idle:
                logger.warning("parse worker %d ended while idle (%s): starting another",
                               worker.pid, _exit_reason(worker.process))
            self._workers.remove(worker)
        if self._workers:
            worker = min(self._workers, key=lambda w: w.claims)
            if worker.claims < self.depth or len(self._workers) >= self.size:
                return worker
        try:
            worker = self._spawn()
        except (OSError, ValueError, RuntimeError) as exc:  # no processes here (limits…)
            raise WorkerNotStarted(f"no worker process ({type(exc).__name__}: {exc})") from None
        self._workers.append(worker)
        return worker

    async def run(self, function: Callable[[Any], Any], argument: Any, timeout: float | None = None) -> Any:
        if self.closed:
            raise PoolClosed("the worker pool is closed")
        async with self._slots:
            while True:
                if self.closed:
                    raise PoolClosed("the worker pool is closed")
                worker = self._pick()
                worker.claims += 1
                try:
                    try:
                        await worker.wait_ready(self.start_timeout)
                    except WorkerNotStarted:
                        if self.closed:  # closed while this worker was starting
                            raise PoolClosed("the worker pool is closed") from None
                        raise
                    return await worker.call(function, argument, timeout)
                except JobNotStarted:
                    continue  # its worker ended on a job sent before it: another one takes it
                finally:
                    worker.claims -= 1
                    if worker.dead and worker in self._workers:
                        self._workers.remove(worker)
                    elif self.closed and not worker.busy:
                        worker.close()

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
        self._workers.clear()
