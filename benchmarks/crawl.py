"""Crawl cost: the full gicrawler pipeline vs a bare Scrapy spider, same URLs, same replica.

    python benchmarks/crawl.py [--reports 2000] [--runs 3] [--pdf-every 10] [--mix html,pdf]

For each mix — ``html``: the generated replica of N reports (gicrawler.replicas, scale=N), HTML
pages only; ``pdf``: the same replica with every K-th report also shipped as a PDF attachment
(``pdf_every=K``) — it runs, ``--runs`` times in turn:

1. full: ``scrapy crawl reports`` (real spider, parse pool, checks, SQLite store) in a subprocess;
2. bare: a plain scrapy.Spider fetching exactly the URLs the first full run fetched and doing
   nothing with them, same concurrency settings, in a subprocess.

Figures of each run: pages/s (pages = HTTP requests the replica served; time = Scrapy's
``elapsed_time_seconds``) and CPU seconds per page, the CPU being user+sys of the WHOLE process
tree — the crawl process and every descendant (parse workers, a browser if one is started):
this process makes itself the child subreaper (prctl), so a descendant orphaned by its parent
is reaped here too, and takes the difference of its RUSAGE_CHILDREN over the run. CPU is the
primary figure: on a shared machine wall time (and so pages/s) is noisy. The replica servers
run in this process, and their CPU is not counted (all pages are rendered before the first run).
Prints per run, then min/median/max over the runs of each figure and of the full/bare ratios
taken run by run (targets, HTML mix: pages/s >= 0.7 of bare, CPU per page <= 2x bare), the CPU
of parse_report alone over the same pages (in this process, so the crawl around the parse can be
told from the parse itself) and the floor it sets (bare CPU + parse alone: what no full run can
beat), and the full run's peak RSS (per-process peaks summed over the tree, sampled from /proc every 0.1 s).
"""
from __future__ import annotations

import argparse
import ctypes
import os
import re
import resource
import statistics
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
PR_SET_CHILD_SUBREAPER = 36
CLK_TCK = os.sysconf("SC_CLK_TCK")


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


# --------------------------------------------------------------------------- process tree

def _proc_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _proc_cpu(pid: int) -> float | None:
    """user+sys seconds of the process itself so far (/proc/PID/stat fields 14, 15)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


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


class TreeSampler:
    """Samples memory and CPU of a process and all its descendants until it exits: the
    per-process split (crawl / parse workers / others) of what rusage counts as one sum."""

    def __init__(self, proc: subprocess.Popen, interval: float = 0.1):
        self.proc, self.interval = proc, interval
        self.hwm_kb: dict[int, int] = {}   # pid -> its own peak RSS (VmHWM)
        self.cpu: dict[int, float] = {}    # pid -> its own CPU seconds at the last sample
        self.names: dict[int, str] = {}
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.proc.poll() is None:
            for p in _tree(self.proc.pid):
                self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), _proc_kb(p, "VmHWM"))
                cpu = _proc_cpu(p)
                if cpu is not None:
                    self.cpu[p] = cpu
                if p not in self.names:
                    try:
                        self.names[p] = Path(f"/proc/{p}/comm").read_text().strip()
                    except OSError:
                        self.names[p] = "?"
            time.sleep(self.interval)

    def split(self, table: dict[int, float]) -> dict[str, float]:
        out = {"crawl": table.get(self.proc.pid, 0.0), "workers": 0.0, "other": 0.0}
        for pid, value in table.items():
            if pid != self.proc.pid:
                out["workers" if self.names.get(pid, "").startswith("python") else "other"] += value
        return out

    def result(self) -> tuple[dict[str, float], dict[str, float], int]:
        self.thread.join()
        mem = {k: v / 1024 for k, v in self.split({p: float(kb) for p, kb in self.hwm_kb.items()}).items()}
        return mem, self.split(self.cpu), len(self.hwm_kb)


def _become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"benchmark: prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}")


def _reap_orphans(deadline: float = 30.0) -> None:
    """Wait for every descendant re-parented to this process (their CPU lands in RUSAGE_CHILDREN)."""
    end = time.monotonic() + deadline
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() > end:
                raise SystemExit("benchmark: descendants of the crawl still running after it ended")
            time.sleep(0.05)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_counted(cmd: list[str], **kwargs):
    """Runs cmd; returns (completed, cpu seconds of its whole tree, sampler)."""
    before = _children_cpu()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs) as proc:
        sampler = TreeSampler(proc)
        stdout, stderr = proc.communicate()
    _reap_orphans()
    cpu = _children_cpu() - before
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr), cpu, sampler


# --------------------------------------------------------------------------- the bare spider

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


# --------------------------------------------------------------------------- runs

def _fmt(values: list[float], spec: str) -> str:
    return "/".join(format(v, spec) for v in (min(values), statistics.median(values), max(values)))


def run_mix(label: str, args, pdf_every: int, env: dict, extra: dict) -> dict:
    from gicrawler.replicas import ReplicaSet

    rs = ReplicaSet.start(scale=args.reports, pdf_every=pdf_every)
    rows: list[dict] = []
    try:
        for portal in rs.portals.values():   # rendered now, so no run pays the server's first renders
            for page in portal.pages.values():
                page.body()
        with tempfile.TemporaryDirectory(prefix="gicrawler-bench-") as tmp:
            seeds = Path(tmp) / "seeds.yaml"
            rs.write_seeds(seeds)
            urls = Path(tmp) / "urls.txt"
            for n in range(args.runs):
                row: dict = {}
                store = Path(tmp) / f"bench-{n}.sqlite3"
                rs.reset_log()
                full, cpu, sampler = run_counted(
                    [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"seeds={seeds}",
                     *_settings_args({"STORE_URI": f"sqlite:///{store}", **extra})],
                    cwd=tmp, env=env)
                if full.returncode:
                    print(full.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(f"benchmark: the full crawl exited {full.returncode}")
                served = [(portal, path) for portal, _method, path, _ in rs.requests
                          if not path.startswith("/robots.txt")]
                outcome: dict[str, int] = {}
                for key, count in OUTCOME.findall(full.stderr):
                    outcome[key] = outcome.get(key, 0) + int(count)
                mem, split, processes = sampler.result()
                row.update(full_pages=len(served), full_time=_elapsed(full.stderr), full_cpu=cpu,
                           outcome=outcome, mem=mem, split=split, processes=processes)
                if n == 0:
                    urls.write_text("\n".join(rs.bases[portal] + path for portal, path in served))
                    pdfs = sum(1 for _, path in served if path.endswith(".pdf"))
                    parse_floor = _parse_alone(rs, served)
                store.unlink(missing_ok=True)

                rs.reset_log()
                bare, cpu, _ = run_counted([sys.executable, __file__, "--bare", str(urls)],
                                           cwd=tmp, env=env)
                if bare.returncode:
                    print(bare.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(f"benchmark: the bare crawl exited {bare.returncode}")
                row.update(bare_pages=len(rs.requests), bare_time=_elapsed(bare.stderr), bare_cpu=cpu)
                rows.append(row)
                _print_run(label, n, row)
    finally:
        rs.stop()
    return {"label": label, "rows": rows, "pdfs": pdfs, "parse_alone": parse_floor}


def _parse_alone(rs, served: list[tuple[str, str]]) -> float:
    """CPU seconds of parse_report alone, in this process, over every page the full run parsed
    (the served pages that show a report: detail pages and attachments), each once. What is left
    of the full run's CPU after it is the crawl around the parse."""
    from gicrawler.parsing import parse_report

    pages = []
    for portal, path in dict.fromkeys(served):
        page = rs.portals[portal].pages.get(path)
        if page is not None and page.spec is not None:
            pages.append((page.body(), page.content_type.split(";")[0], rs.bases[portal] + path))
    start = time.process_time()
    for body, content_type, url in pages:
        parse_report(body, content_type=content_type, url=url)
    return time.process_time() - start


def _print_run(label: str, n: int, r: dict) -> None:
    full_rate, bare_rate = r["full_pages"] / r["full_time"], r["bare_pages"] / r["bare_time"]
    full_ms, bare_ms = 1000 * r["full_cpu"] / r["full_pages"], 1000 * r["bare_cpu"] / r["bare_pages"]
    s = r["split"]
    print(f"[{label} run {n + 1}] full {r['full_pages']} pages {r['full_time']:.1f} s {full_rate:.0f} pages/s, "
          f"CPU {r['full_cpu']:.1f} s = {full_ms:.2f} ms/page (crawl {s['crawl']:.1f} + workers {s['workers']:.1f}"
          f" + other {s['other']:.1f} s sampled) | bare {r['bare_pages']} pages {r['bare_time']:.1f} s "
          f"{bare_rate:.0f} pages/s, CPU {r['bare_cpu']:.1f} s = {bare_ms:.2f} ms/page | "
          f"{', '.join(f'{k} {v}' for k, v in sorted(r['outcome'].items())) or 'nothing stored'}", flush=True)


def summarise(mix: dict, targets: bool) -> None:
    rows = mix["rows"]
    full_rate = [r["full_pages"] / r["full_time"] for r in rows]
    bare_rate = [r["bare_pages"] / r["bare_time"] for r in rows]
    full_ms = [1000 * r["full_cpu"] / r["full_pages"] for r in rows]
    bare_ms = [1000 * r["bare_cpu"] / r["bare_pages"] for r in rows]
    rate_ratio = [f / b for f, b in zip(full_rate, bare_rate)]
    cpu_ratio = [f / b for f, b in zip(full_ms, bare_ms)]
    r0 = rows[0]
    print(f"== {mix['label']}: {r0['full_pages']} pages ({mix['pdfs']} PDF attachments), "
          f"{len(rows)} runs, min/median/max")
    print(f"  full pipeline : {_fmt(full_rate, '.0f')} pages/s, {_fmt(full_ms, '.2f')} ms CPU/page")
    print(f"  bare scrapy   : {_fmt(bare_rate, '.0f')} pages/s, {_fmt(bare_ms, '.2f')} ms CPU/page")
    print(f"  full/bare     : pages/s {_fmt(rate_ratio, '.2f')}{' (target >= 0.7)' if targets else ''}; "
          f"CPU/page {_fmt(cpu_ratio, '.2f')}{' (target <= 2)' if targets else ''}")
    alone_ms = 1000 * mix["parse_alone"] / r0["full_pages"]
    print(f"  parse alone   : {alone_ms:.2f} ms CPU/page (parse_report in one process over the pages the "
          f"crawl parsed, per page served); the crawl around it: {statistics.median(full_ms) - alone_ms:.2f} "
          f"ms/page (median), bare {statistics.median(bare_ms):.2f}")
    # What no crawl can beat: fetching as bare Scrapy does, plus parsing every page once.
    floor_ms = statistics.median(bare_ms) + alone_ms
    print(f"  floor         : bare + parse alone = {floor_ms:.2f} ms CPU/page = "
          f"{floor_ms / statistics.median(bare_ms):.2f}x bare; the full run spends "
          f"{statistics.median(full_ms) - floor_ms:.2f} ms/page above it")
    python_mb = [r["mem"]["crawl"] + r["mem"]["workers"] for r in rows]
    print(f"  peak RSS of the full crawl, Python processes: {_fmt(python_mb, '.0f')} MB "
          f"(crawl process + parse workers, each one's peak summed; others {r0['mem']['other']:.0f} MB, "
          f"{r0['processes']} processes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3, help="full+bare pairs per mix")
    parser.add_argument("--pdf-every", type=int, default=10,
                        help="pdf mix: every K-th report also ships as a PDF attachment")
    parser.add_argument("--mix", default="html,pdf", help="comma-separated: html, pdf")
    parser.add_argument("--workers", type=int, default=None,
                        help="GICRAWLER_PARSE_WORKERS for the full run (default: the pipeline's)")
    parser.add_argument("--bare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_crawl(args.bare)
        return 0

    from gicrawler.spiders.base import PortalSpider

    if str(PortalSpider.custom_settings.get("CONCURRENT_ITEMS", 100)) != COMMON_SETTINGS["CONCURRENT_ITEMS"]:
        raise SystemExit("benchmark: COMMON_SETTINGS['CONCURRENT_ITEMS'] differs from the spider's")
    mixes = [m.strip() for m in args.mix.split(",") if m.strip()]
    if not mixes or set(mixes) - {"html", "pdf"}:
        raise SystemExit("benchmark: --mix takes html, pdf")
    _become_subreaper()
    extra = {} if args.workers is None else {"GICRAWLER_PARSE_WORKERS": str(args.workers)}
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="gicrawler.settings", PYTHONPATH=str(ROOT))
    print(f"replica: {args.reports} reports; {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; full run settings: {extra or 'defaults'}", flush=True)
    results = [run_mix(m, args, args.pdf_every if m == "pdf" else 0, env, extra) for m in mixes]
    for mix in results:
        summarise(mix, targets=mix["label"] == "html")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
