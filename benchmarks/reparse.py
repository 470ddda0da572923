"""Peak memory of ``gicrawler reparse`` against the number of reports in the store.

    python benchmarks/reparse.py [--reports 1000,8000,32000]

1. Parses a sample report (gicrawler/replicas/data/samples) the way a crawl does and stores it
   with its raw page.
2. Grows a temp SQLite store to each size by writing copies of that record and of its raw page
   under new URLs straight into the store's tables (a crawl of 32,000 reports would take hours).
   Every other copy has its tables cut down, so reparse finds half the records changed and
   writes them back.
3. Runs ``python -m gicrawler reparse`` on the store and prints the reparse process's peak RSS
   (its own VmHWM), that of its parse process (gicrawler/runner.py, sampled), the wall time,
   and the command's summary line.

Streaming keeps both peaks flat in the number of reports.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "001"  # a short HTML-free sample that parses in a few milliseconds


def sample(store_uri: str) -> tuple[dict, dict]:
    """The sample report parsed and stored as a crawl stores it: (stored record, raw row)."""
    from gicrawler.items import ReportPage
    from gicrawler.pipelines.parse import ParsePipeline
    from gicrawler.pipelines.record import CRAWLED_AT_KEY, RAWS_KEY
    from gicrawler.store import open_store

    path = next((ROOT / "gicrawler" / "replicas" / "data" / "samples").glob(f"{SAMPLE}_*.txt"))
    item = ReportPage(url="http://bench.test/0", portal="bench", list_title=path.stem, list_date=None,
                      body=path.read_bytes(), content_type="text/plain; charset=utf-8", metadata={}, attachments=[])
    record = ParsePipeline(workers=0).process_item(item)
    store = open_store(store_uri)
    try:
        store.save(record, record.pop(RAWS_KEY), record.pop(CRAWLED_AT_KEY))
        store.flush()
        stored = store.get("http://bench.test/0")
        raw = store.get_raw(stored["url"], stored["raw_hash"])
    finally:
        store.close()
    if not stored.get("tables"):
        raise SystemExit(f"the sample {path.name} did not parse")
    return stored, raw


def grow(store_uri: str, base: dict, raw: dict, start: int, stop: int) -> None:
    from gicrawler.store import open_store

    body = zlib.compress(raw["body"])
    store = open_store(store_uri)
    try:
        for i in range(start, stop):
            url = f"http://bench.test/{i:06d}"
            record = {**base, "url": url}
            if i % 2:  # a stale parse: reparse writes this one back
                record["tables"] = {key: {} for key in base["tables"]}
            store._write(record)
            store.db.execute("INSERT OR IGNORE INTO raw (url, sha1, fetched_at, content_type, role, size, body)"
                             " VALUES (?, ?, NULL, ?, 'page', ?, ?)",
                             (url, base["raw_hash"], raw["content_type"], len(raw["body"]), body))
        store.db.commit()
    finally:
        store.close()


# The reparse run in a child that reports its own high-water mark (VmHWM) and that of its
# parse process, sampled every 0.2 s (ru_maxrss would count pages shared before exec).
CHILD = """
import os, runpy, sys, threading, time

def hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            return int(next(l for l in fh if l.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration):
        return 0

peak = [0]
def sample():
    me = os.getpid()
    while True:
        for task in os.listdir(f"/proc/{me}/task"):
            try:
                kids = open(f"/proc/{me}/task/{task}/children").read().split()
            except OSError:
                continue
            for kid in kids:
                peak[0] = max(peak[0], hwm(kid))
        time.sleep(0.2)

threading.Thread(target=sample, daemon=True).start()
sys.argv = ["gicrawler", *sys.argv[1:]]
try:
    runpy.run_module("gicrawler", run_name="__main__")
finally:
    sys.stderr.write(f"\\nVmHWM-kB {hwm(os.getpid())} {peak[0]}\\n")
"""


def run_reparse(store_uri: str) -> tuple[float, float, float, str]:
    """(reparse peak MB, parse process peak MB, seconds, summary line)."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", CHILD, "reparse", "--store", store_uri], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - started
    if proc.returncode:
        raise SystemExit(f"gicrawler reparse failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    own, child = proc.stderr.rsplit("VmHWM-kB ", 1)[1].split()[:2]
    return int(own) / 1024, int(child) / 1024, seconds, proc.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", default="1000,8000,32000", help="store sizes, comma-separated")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.reports.split(","))
    with tempfile.TemporaryDirectory(prefix="gicrawler-reparse-") as tmp:
        uri = f"sqlite:///{tmp}/reparse.sqlite3"
        base, raw = sample(uri)
        have = 1
        print(f"{'reports':>8} {'reparse MB':>10} {'parse MB':>9} {'seconds':>8}  summary")
        for size in sizes:
            grow(uri, base, raw, have, size)
            have = size
            print(f"# store grown to {size} records ({os.path.getsize(f'{tmp}/reparse.sqlite3') / 1e6:.0f} MB)",
                  file=sys.stderr)
            own, child, seconds, summary = run_reparse(uri)
            print(f"{size:>8} {own:>10.1f} {child:>9.1f} {seconds:>8.1f}  {summary}", flush=True)
            grow(uri, base, raw, 1, size)  # stale again for the next size (INSERT OR REPLACE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
