"""Crawl throughput: the full gicrawler pipeline vs a bare Scrapy spider, same URLs, same run.

    python benchmarks/crawl.py [--reports 2000]

1. Serves a generated replica of N reports on loopback (gicrawler.replicas, scale=N).
2. Full run: `scrapy crawl reports` (real spiders, parsing, checks, SQLite store) in a subprocess.
3. Bare run: a plain scrapy.Spider that fetches exactly the URLs the full run fetched and
   does nothing with them, with the same concurrency settings, in a subprocess.
Prints pages/s of each (pages = HTTP requests the replica served; time = Scrapy's
elapsed_time_seconds), their ratio (target >= 0.7) and the full run's peak RSS (target <= 300 MB).
The full run parses in worker processes (GICRAWLER_PARSE_WORKERS), so memory is measured over
the whole process tree: the crawl process and every descendant are sampled (/proc, every 0.1 s),
and each one's own peak (VmHWM) is summed — an upper bound of the tree's peak. The headline is
the Python processes (crawl + parse workers + their forkserver); scrapy-playwright's node driver,
started at launch even when no page needs a browser, is printed apart, as is the grand total.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Identical for both runs: the comparison is about per-page overhead, not politeness.
COMMON_SETTINGS = {
    "LOG_LEVEL": "INFO",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "ROBOTSTXT_OBEY": "False",
    "HTTPCACHE_ENABLED": "False",
    # gicrawler's spiders set 8 (PortalSpider.custom_settings; checked in main()); Scrapy's default
    # of 100 costs ~1 ms of CPU per response on either side, so the bare spider gets 8 too.
    "CONCURRENT_ITEMS": "8",
}
ELAPSED = re.compile(r"'elapsed_time_seconds': ([0-9.]+)")
# what the full run did with the pages (a fast run that stored nothing would prove nothing)
OUTCOME = re.compile(r"'gicrawler/[a-z0-9_]+/(stored_new|stored_changed|stored_unchanged|parse_failures)': (\d+)")


def _settings_args(extra: dict[str, str]) -> list[str]:
    args = []
    for key, value in {**COMMON_SETTINGS, **extra}.items():
        args += ["-s", f"{key}={value}"]
    return args


def _elapsed(log: str) -> float:
    match = ELAPSED.search(log)
    if not match:
        raise SystemExit("benchmark: no elapsed_time_seconds in the crawl log:\n" + log[-3000:])
    return float(match.group(1))


def _proc_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return pids


class TreeMemory:
    """Samples the memory of a process and all its descendants until it exits."""

    def __init__(self, proc: subprocess.Popen, interval: float = 0.1):
        self.proc, self.interval = proc, interval
        self.hwm_kb: dict[int, int] = {}   # pid -> its own peak RSS (VmHWM)
        self.names: dict[int, str] = {}
        self.peak_sum_kb = 0               # largest sum of current RSS seen at one sample
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.proc.poll() is None:
            pids = _tree(self.proc.pid)
            self.peak_sum_kb = max(self.peak_sum_kb, sum(_proc_kb(p, "VmRSS") for p in pids))
            for p in pids:
                self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), _proc_kb(p, "VmHWM"))
                if p not in self.names:
                    try:
                        self.names[p] = Path(f"/proc/{p}/comm").read_text().strip()
                    except OSError:
                        self.names[p] = "?"
            time.sleep(self.interval)

    def result(self) -> dict[str, float]:
        """MB: crawl process, other Python processes (parse workers, forkserver…), the rest
        (node), the total of per-process peaks, and the largest concurrent sum sampled."""
        self.thread.join()
        out = {"crawl": self.hwm_kb.get(self.proc.pid, 0) / 1024, "workers": 0.0, "other": 0.0}
        for pid, kb in self.hwm_kb.items():
            if pid != self.proc.pid:
                out["workers" if self.names.get(pid, "").startswith("python") else "other"] += kb / 1024
        out["total"] = sum(self.hwm_kb.values()) / 1024
        out["concurrent"] = self.peak_sum_kb / 1024
        out["processes"] = len(self.hwm_kb)
        return out


def _run_sampled(cmd: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, TreeMemory]:
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs) as proc:
        memory = TreeMemory(proc)
        stdout, stderr = proc.communicate()
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr), memory


def bare_crawl(url_file: str) -> None:
    """Child mode: fetch every URL in url_file with a do-nothing spider."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = Path(url_file).read_text().split()

    class Bare(scrapy.Spider):
        name = "bare"
        custom_settings = {"HTTPERROR_ALLOW_ALL": True, "RETRY_ENABLED": False}

        async def start(self):
            for url in urls:
                yield scrapy.Request(url, dont_filter=True)

        def parse(self, response):
            return None

    settings = {k: v for k, v in COMMON_SETTINGS.items()}
    settings["TWISTED_REACTOR"] = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
    process = CrawlerProcess(settings)
    process.crawl(Bare)
    process.start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None,
                        help="GICRAWLER_PARSE_WORKERS for the full run (default: the pipeline's)")
    parser.add_argument("--bare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_crawl(args.bare)
        return 0

    from gicrawler.replicas import ReplicaSet
    from gicrawler.spiders.base import PortalSpider

    if str(PortalSpider.custom_settings.get("CONCURRENT_ITEMS", 100)) != COMMON_SETTINGS["CONCURRENT_ITEMS"]:
        raise SystemExit("benchmark: COMMON_SETTINGS['CONCURRENT_ITEMS'] differs from the spider's")

    extra = {} if args.workers is None else {"GICRAWLER_PARSE_WORKERS": str(args.workers)}
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="gicrawler.settings", PYTHONPATH=str(ROOT))
    rs = ReplicaSet.start(scale=args.reports)
    try:
        with tempfile.TemporaryDirectory(prefix="gicrawler-bench-") as tmp:
            seeds = Path(tmp) / "seeds.yaml"
            rs.write_seeds(seeds)
            rs.reset_log()
            full, memory = _run_sampled(
                [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"seeds={seeds}",
                 *_settings_args({"STORE_URI": f"sqlite:///{tmp}/bench.sqlite3", **extra})],
                cwd=tmp, env=env)
            mem = memory.result()
            if full.returncode:
                print(full.stderr[-3000:], file=sys.stderr)
                return 1
            served = [(portal, path) for portal, method, path, _ in rs.requests if not path.startswith("/robots.txt")]
            full_pages, full_time = len(served), _elapsed(full.stderr)
            outcome: dict[str, int] = {}
            for key, count in OUTCOME.findall(full.stderr):
                outcome[key] = outcome.get(key, 0) + int(count)
            urls = Path(tmp) / "urls.txt"
            urls.write_text("\n".join(rs.bases[portal] + path for portal, path in served))

            rs.reset_log()
            bare = subprocess.run([sys.executable, __file__, "--bare", str(urls)],
                                  cwd=tmp, env=env, capture_output=True, text=True)
            if bare.returncode:
                print(bare.stderr[-3000:], file=sys.stderr)
                return 1
            bare_pages, bare_time = len(rs.requests), _elapsed(bare.stderr)
    finally:
        rs.stop()

    full_rate, bare_rate = full_pages / full_time, bare_pages / bare_time
    print(f"replica: {args.reports} reports; {os.cpu_count()} CPUs; full run settings: {extra or 'defaults'}")
    print(f"full pipeline : {full_pages} pages in {full_time:.1f} s = {full_rate:.0f} pages/s "
          f"({', '.join(f'{k} {v}' for k, v in sorted(outcome.items())) or 'nothing stored'})")
    print(f"bare scrapy   : {bare_pages} pages in {bare_time:.1f} s = {bare_rate:.0f} pages/s")
    print(f"ratio full/bare: {full_rate / bare_rate:.2f} (target >= 0.7)")
    python_mb = mem["crawl"] + mem["workers"]
    print(f"peak RSS of the full crawl, Python processes: {python_mb:.0f} MB (target <= 300 MB) = crawl "
          f"process {mem['crawl']:.0f} MB + parse workers {mem['workers']:.0f} MB")
    print(f"  + playwright driver (node) {mem['other']:.0f} MB = {mem['total']:.0f} MB over {mem['processes']} "
          f"processes (sum of each one's peak; largest concurrent sum sampled {mem['concurrent']:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
