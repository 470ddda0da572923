"""Incremental re-crawl cost: requests of an unchanged re-crawl ÷ requests of the first crawl.

    python benchmarks/recrawl.py [--reports 2000] [--revalidate]

1. Serves a generated replica of N reports on loopback (gicrawler.replicas, scale=N).
2. First crawl: `scrapy crawl reports` of every portal into a temp SQLite store.
3. Second crawl, nothing changed on the servers: list pages are re-read, known reports whose
   list entry is unchanged are skipped (gicrawler.incremental).
Prints both request counts (what the replica servers received, and Scrapy's
downloader/request_count), the skipped/not-modified counts and the ratio (target <= 0.10).
With --revalidate the second crawl sends conditional requests for every known report instead.
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def crawl(seeds: Path, store_uri: str, tmp: str, env: dict, extra_args=()) -> dict:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"seeds={seeds}", *extra_args]
    for key, value in {**SETTINGS, "STORE_URI": store_uri}.items():
        cmd += ["-s", f"{key}={value}"]
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"crawl failed ({result.returncode}):\n{result.stderr[-3000:]}")
    match = STATS_DUMP.search(result.stderr)
    if not match:
        raise SystemExit("no stats dump in the crawl log:\n" + result.stderr[-3000:])
    # the dump is a pprint'ed dict; datetimes are the only non-literals in it
    text = re.sub(r"datetime\.datetime\([^)]*\)", "None", match.group(1))
    stats = ast.literal_eval(text)
    stats["_seconds"] = time.monotonic() - started
    return stats


def total(stats: dict, suffix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith("gicrawler/") and k.endswith("/" + suffix))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--revalidate", action="store_true", help="second crawl with -a revalidate=1")
    args = parser.parse_args()

    from gicrawler.replicas import ReplicaSet

    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="gicrawler.settings", PYTHONPATH=str(ROOT))
    rs = ReplicaSet.start(scale=args.reports)
    try:
        with tempfile.TemporaryDirectory(prefix="gicrawler-recrawl-") as tmp:
            seeds = Path(tmp) / "seeds.yaml"
            rs.write_seeds(seeds)
            store_uri = f"sqlite:///{tmp}/recrawl.sqlite3"

            rs.reset_log()
            first = crawl(seeds, store_uri, tmp, env)
            first_served = len(rs.requests)

            rs.reset_log()
            second = crawl(seeds, store_uri, tmp, env, ["-a", "revalidate=1"] if args.revalidate else [])
            second_served = len(rs.requests)
    finally:
        rs.stop()

    ratio = second_served / first_served if first_served else float("nan")
    print(f"replica: {args.reports} reports, portals: {', '.join(sorted(rs.bases))}")
    for label, served, stats in (("first crawl ", first_served, first), ("re-crawl    ", second_served, second)):
        print(f"{label}: {served} requests served, downloader/request_count="
              f"{stats.get('downloader/request_count', 0)}, reports={total(stats, 'reports')}, "
              f"skipped_unchanged={total(stats, 'skipped_unchanged')}, "
              f"not_modified={total(stats, 'not_modified')}, {stats['_seconds']:.1f} s")
    if args.revalidate:  # every known report is asked again, but answered with a bodiless 304
        print(f"ratio revalidating re-crawl / first crawl: {ratio:.3f} requests, "
              f"{second['_seconds'] / first['_seconds']:.2f} time")
    else:
        print(f"ratio unchanged re-crawl / first crawl: {ratio:.3f} (target <= 0.10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
