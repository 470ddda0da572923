"""Incremental re-crawl cost: requests and time of re-crawls against those of the first crawl.

    python benchmarks/recrawl.py [--reports 2000] [--runs 2] [--modify 100]

1. Serves a generated replica of N reports on loopback (gicrawler.replicas, scale=N).
2. first: ``scrapy crawl reports`` of the portal into a new SQLite store;
3. unchanged: the same crawl again, nothing changed on the server: list pages are re-read,
   known reports whose list entry is unchanged are skipped (gicrawler.incremental);
4. revalidate: ``-a revalidate=1``, still nothing changed: every known report is asked with a
   conditional request (If-None-Match / If-Modified-Since) and answered 304;
5. changed: ``--modify`` reports are changed on the server (``ReplicaSet.modify``: new text,
   later Last-Modified, new ETag), then ``-a revalidate=1`` again: those answer 200 and are
   parsed and stored again as changed, the others 304.

For each crawl: requests the server received, Scrapy's downloader/request_count, the
incremental stats (skipped_unchanged, not_modified, stored_new/changed/unchanged) and its time —
CPU seconds of the whole process tree (crawl process and parse workers: benchmarks/crawl.py's
accounting), the primary figure on a shared machine, and wall seconds of the process — and the
ratios to the first crawl: requests (target for the unchanged re-crawl <= 0.10) and time.
With --runs > 1 the whole sequence is repeated on a new store and min/median/max are printed.
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl import _become_subreaper, run_counted  # noqa: E402  (benchmarks/crawl.py)

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {
    "LOG_LEVEL": "INFO",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "HTTPCACHE_ENABLED": "False",
}
STATS_DUMP = re.compile(r"Dumping Scrapy stats:\n(\{.*?\})\n", re.S)
STEPS = ("first", "unchanged", "revalidate", "changed")
COUNTED = ("skipped_unchanged", "revalidated", "not_modified", "stored_new", "stored_changed", "stored_unchanged")


def crawl(seeds: Path, store_uri: str, tmp: str, env: dict, extra_args=()) -> dict:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"seeds={seeds}", *extra_args]
    for key, value in {**SETTINGS, "STORE_URI": store_uri}.items():
        cmd += ["-s", f"{key}={value}"]
    started = time.monotonic()
    result, cpu, _ = run_counted(cmd, cwd=tmp, env=env)
    wall = time.monotonic() - started
    if result.returncode:
        raise SystemExit(f"crawl failed ({result.returncode}):\n{result.stderr[-3000:]}")
    match = STATS_DUMP.search(result.stderr)
    if not match:
        raise SystemExit("no stats dump in the crawl log:\n" + result.stderr[-3000:])
    # the dump is a pprint'ed dict; datetimes are the only non-literals in it
    text = re.sub(r"datetime\.datetime\([^)]*\)", "None", match.group(1))
    stats = ast.literal_eval(text)
    stats["_cpu"], stats["_wall"] = cpu, wall
    return stats


def total(stats: dict, suffix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith("gicrawler/") and k.endswith("/" + suffix))


def one_sequence(rs, args, env: dict, tmp: str, n: int) -> dict:
    seeds = Path(tmp) / "seeds.yaml"
    rs.write_seeds(seeds)
    store_uri = f"sqlite:///{tmp}/recrawl-{n}.sqlite3"
    out = {}
    for step in STEPS:
        if step == "changed":
            urls = sorted(url for reports in rs.expected.values() for url in reports)
            for url in urls[n::max(1, len(urls) // args.modify)][:args.modify]:
                rs.modify(url)
        rs.reset_log()
        stats = crawl(seeds, store_uri, tmp, env, ["-a", "revalidate=1"] if step in ("revalidate", "changed") else [])
        stats["_served"] = len(rs.requests)
        out[step] = stats
        print(f"[run {n + 1}] {step:10s}: {stats['_served']} requests served, downloader/request_count="
              f"{stats.get('downloader/request_count', 0)}, "
              + ", ".join(f"{k}={total(stats, k)}" for k in COUNTED)
              + f"; CPU {stats['_cpu']:.1f} s, wall {stats['_wall']:.1f} s", flush=True)
    return out


def _fmt(values: list[float], spec: str) -> str:
    return "/".join(format(v, spec) for v in (min(values), statistics.median(values), max(values)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=2, help="sequences, each on a new store")
    parser.add_argument("--modify", type=int, default=100, help="reports changed before the last crawl")
    args = parser.parse_args()

    from gicrawler.replicas import ReplicaSet

    _become_subreaper()
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="gicrawler.settings", PYTHONPATH=str(ROOT))
    print(f"replica: {args.reports} reports; {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    sequences = []
    for n in range(args.runs):
        rs = ReplicaSet.start(scale=args.reports)   # new server: every report as generated
        try:
            for portal in rs.portals.values():      # rendered before the first crawl
                for page in portal.pages.values():
                    page.body()
            with tempfile.TemporaryDirectory(prefix="gicrawler-recrawl-") as tmp:
                sequences.append(one_sequence(rs, args, env, tmp, n))
        finally:
            rs.stop()

    print(f"== {len(sequences)} run(s), min/median/max; ratios to the first crawl of the same run")
    for step in STEPS:
        runs = [seq[step] for seq in sequences]
        served = [r["_served"] for r in runs]
        cpu = [r["_cpu"] for r in runs]
        wall = [r["_wall"] for r in runs]
        line = f"  {step:10s}: {_fmt(served, '.0f')} requests, CPU {_fmt(cpu, '.1f')} s, wall {_fmt(wall, '.1f')} s"
        if step != "first":
            req_ratio = [r["_served"] / seq["first"]["_served"] for r, seq in zip(runs, sequences)]
            cpu_ratio = [r["_cpu"] / seq["first"]["_cpu"] for r, seq in zip(runs, sequences)]
            wall_ratio = [r["_wall"] / seq["first"]["_wall"] for r, seq in zip(runs, sequences)]
            line += (f"; ratio requests {_fmt(req_ratio, '.3f')}{' (target <= 0.10)' if step == 'unchanged' else ''}"
                     f", CPU {_fmt(cpu_ratio, '.2f')}, wall {_fmt(wall_ratio, '.2f')}")
        print(line)
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
