"""Run ``scrapy crawl`` as a subprocess (a real crawl, its own reactor) and read what it stored.

    proc = run_crawl(seeds_path, "sqlite:///tmp/x.sqlite3", args=["portal=zibo"])
    stats = crawl_stats(proc)           # the "Dumping Scrapy stats" block, numbers only
    records = stored_records(uri)       # via gicrawler.store.open_store
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]   # where scrapy.cfg is

# Replicas are local: no politeness delays, no retry backoff (tests only; never the defaults).
FAST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "RETRY_BACKOFF_BASE": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
}


# Runs a command and prints the peak RSS of its largest process (the crawl, or one of its parse
# workers) as the last stderr line: RUSAGE_CHILDREN of a process that started nothing else.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print(f'peak_rss_kb={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)
_PEAK = re.compile(r"^peak_rss_kb=(\d+)$", re.M)


def run_crawl(seeds_path, store_uri: str | None, *, spider: str = "reports", args=(), settings=None,
              timeout: float = 240, env: dict | None = None, measure: bool = False,
              prefix=()) -> subprocess.CompletedProcess:
    """``scrapy crawl <spider> -a seeds=… -a <args> -s <settings>`` in the repo root.

    args: "name=value" strings (``portal=zibo``, ``full=1``); settings override FAST_SETTINGS.
    The store's journal (GICRAWLER_SPOOL_DIR) goes next to an sqlite store, not into the repo.
    env: variables for the crawl (None unsets one). measure: also report the peak RSS (bytes)
    of the crawl's largest process as ``proc.peak_rss``. prefix: a command that runs the crawl
    (``setpriv …``, a resource limit), put before it.
    """
    cmd = [*prefix, sys.executable, "-m", "scrapy", "crawl", spider]
    if seeds_path is not None:
        cmd += ["-a", f"seeds={seeds_path}"]
    for arg in args:
        cmd += ["-a", arg]
    merged = {**FAST_SETTINGS, **({"STORE_URI": store_uri} if store_uri else {}), **(settings or {})}
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    run_env = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}  # None: unset
    if store_uri and store_uri.startswith("sqlite:///") and "GICRAWLER_SPOOL_DIR" not in run_env:
        run_env["GICRAWLER_SPOOL_DIR"] = str(Path(store_uri[len("sqlite:///"):]).parent / "spool")
    if measure:
        cmd = [sys.executable, "-c", _MEASURE, *cmd]
    proc = _run_group(cmd, timeout, env=run_env)
    if measure:
        proc.peak_rss = int(_PEAK.findall(proc.stderr)[-1]) * 1024
    return proc


def _run_group(cmd, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run, but a timeout kills the whole process group (the crawl under a wrapper,
    its parse workers), not just the first process."""
    with subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True, **kwargs) as popen:
        try:
            out, err = popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(popen.pid, signal.SIGKILL)
            popen.communicate()
            raise
    return subprocess.CompletedProcess(cmd, popen.returncode, out, err)


_STAT = re.compile(r"^\s*'([^']+)':\s*(-?\d+(?:\.\d+)?),?\s*$", re.M)


def crawl_stats(proc: subprocess.CompletedProcess) -> dict[str, float]:
    """Numeric stats from the crawl's closing "Dumping Scrapy stats" log block."""
    log = proc.stderr
    start = log.rfind("Dumping Scrapy stats")
    if start < 0:
        raise AssertionError("crawl did not finish normally (no stats dump):\n" + log[-4000:])
    block = log[start: log.find("}", start) + 1]
    return {k: (float(v) if "." in v else int(v)) for k, v in _STAT.findall(block)}


def stored_records(store_uri: str, portal: str | None = None) -> list[dict]:
    """Every stored record (optionally of one portal), read through gicrawler.store.open_store."""
    from gicrawler.store import open_store

    store = open_store(store_uri)
    try:
        return list(store.find(portal=portal))
    finally:
        store.close()
