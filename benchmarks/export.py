"""Peak memory of ``gicrawler export`` against the number of reports in the store.

    python benchmarks/export.py [--reports 1000,8000,32000] [--formats jsonl,csv,parquet,datapackage]

1. Parses a sample report (gicrawler/replicas/data/samples) the way a crawl does and stores it.
2. Grows a temp SQLite store to each size by writing variations of that record (new url, agency,
   year and table numbers; the text and everything else as parsed) straight into the store's
   table — seconds for 32,000 reports, where crawling them would take an hour.
3. Runs ``python -m gicrawler export`` on the store for each format and prints the export
   process's peak RSS (its own VmHWM) and its wall time.

Streaming export keeps the peak RSS flat in the number of reports; holding every record
(the export before streaming) grew by about 34 KB a report.
"""
from __future__ import annotations

import argparse
import copy
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sample_record(store_uri: str) -> dict:
    """One sample report parsed and stored as a crawl stores it; returns the stored record."""
    from gicrawler.items import ReportPage
    from gicrawler.pipelines.parse import ParsePipeline
    from gicrawler.pipelines.record import CRAWLED_AT_KEY, RAWS_KEY
    from gicrawler.store import open_store

    path = sorted((ROOT / "gicrawler" / "replicas" / "data" / "samples").glob("0*.txt"))[3]  # the longest (about 34 KB stored)
    item = ReportPage(url="http://bench.test/0", portal="bench", list_title=path.stem, list_date=None,
                      body=path.read_bytes(), content_type="text/plain; charset=utf-8", metadata={}, attachments=[])
    rec = ParsePipeline().process_item(item)
    store = open_store(store_uri)
    try:
        store.save(rec, rec.pop(RAWS_KEY), rec.pop(CRAWLED_AT_KEY))
        store.flush()
        stored = store.get("http://bench.test/0")
    finally:
        store.close()
    if not (stored and stored.get("tables")):
        raise SystemExit(f"the sample {path.name} did not parse")
    return stored


def _vary(value, rng: random.Random):
    if isinstance(value, dict):
        return {k: _vary(v, rng) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, value + rng.randint(-3, 3))
    return value


def grow(store_uri: str, base: dict, start: int, stop: int) -> None:
    """Reports start..stop-1: variations of ``base`` written straight into the SQLite table."""
    from gicrawler.store import open_store

    rng = random.Random(start)
    store = open_store(store_uri)
    try:
        for i in range(start, stop):
            rec = copy.copy(base)
            rec["url"] = f"http://bench.test/{i:06d}"
            rec["agency"] = f"基准市第{i % 500}局"
            rec["year"] = 2019 + i % 6
            rec["template"] = "2021" if rec["year"] >= 2021 else "2019"
            rec["tables"] = _vary(base["tables"], rng)
            if i % 50 == 0:  # a dead link now and then
                rec = {"url": rec["url"], "portal": "bench", "fetch_error": "HTTP 404", "raw_hash": None,
                       "list_title": f"基准市第{i % 500}局{rec['year']}年政府信息公开工作年度报告",
                       "first_seen": base["first_seen"], "last_crawled": base["last_crawled"]}
            store._write(rec)  # the backend's own row writer: the stored shape, without the lifecycle
        store.db.commit()
    finally:
        store.close()


# The export run in a child that reports its own high-water mark (VmHWM of its address space):
# ru_maxrss from wait4 would also count the pages the child shared with this process before exec.
CHILD = """
import runpy, sys
sys.argv = ["gicrawler", *sys.argv[1:]]
try:
    runpy.run_module("gicrawler", run_name="__main__")
finally:
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    sys.stderr.write("\\nVmHWM-kB " + hwm.split()[1] + "\\n")
"""


def peak_rss(argv: list[str], cwd: str) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of ``gicrawler ARGV`` in a child process."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", CHILD, *argv], cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - started
    if proc.returncode:
        raise SystemExit(f"gicrawler {' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    kb = int(proc.stderr.rsplit("VmHWM-kB ", 1)[1].split()[0])
    return kb / 1024, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", default="1000,8000,32000", help="store sizes, comma-separated")
    parser.add_argument("--formats", default="jsonl,csv,parquet,datapackage")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.reports.split(","))
    formats = args.formats.split(",")

    with tempfile.TemporaryDirectory(prefix="gicrawler-export-") as tmp:
        uri = f"sqlite:///{tmp}/export.sqlite3"
        base = sample_record(uri)
        have = 1
        print(f"{'reports':>8} {'format':<12} {'peak RSS MB':>11} {'seconds':>8}")
        for size in sizes:
            started = time.monotonic()
            grow(uri, base, have, size)
            have = size
            print(f"# store grown to {size} records ({os.path.getsize(f'{tmp}/export.sqlite3') / 1e6:.0f} MB) "
                  f"in {time.monotonic() - started:.1f} s", file=sys.stderr)
            for fmt in formats:
                out = Path(tmp) / ("package" if fmt == "datapackage" else f"out.{fmt}")
                rss, seconds = peak_rss(["export", "--store", uri, "--format", fmt, "-o", str(out)], str(ROOT))
                print(f"{size:>8} {fmt:<12} {rss:>11.1f} {seconds:>8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
