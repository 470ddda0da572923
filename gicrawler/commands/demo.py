"""`gicrawler demo`: serve the bundled portal replicas on loopback and crawl them all.

The crawl is the real one (`scrapy crawl reports` with the real spiders, pipelines and store);
only the seed list points at 127.0.0.1.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from gicrawler.commands import port
from gicrawler.settings import PLAYWRIGHT_LAUNCH_OPTIONS

CHROMIUM_PATH = PLAYWRIGHT_LAUNCH_OPTIONS["executable_path"]


def chromium_available() -> bool:
    """Whether the Chromium the crawl's Playwright launches (gicrawler/settings.py) is there."""
    return os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)


help = "serve the bundled replicas on a free loopback port, crawl them into the store, print a summary"

# What this run did with each report (the run's stats, saved with the run by PortalStats).
RUN_COLUMNS = {
    "new": ("stored_new",),
    "changed": ("stored_changed",),
    "unchanged": ("stored_unchanged", "skipped_unchanged", "not_modified"),
}


def add_arguments(parser):
    parser.add_argument("--store", default=None,
                        help="store URI (mongodb://…/db or sqlite:///path); default $GICRAWLER_STORE "
                             "or sqlite:///data/gicrawler.sqlite3")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the portals that need Chromium (JS-rendered lists, anti-bot challenges)")
    parser.add_argument("--port", type=port, default=8741,
                        help="first loopback port to try for the replicas (default 8741; taken → any free port)")
    parser.add_argument("--log-level", default="WARNING", help="Scrapy log level (default WARNING)")
    parser.add_argument("--progress", choices=("auto", "tty", "plain", "off"), default="auto",
                        help="progress per portal on stderr: redrawn in place on a terminal, a line "
                             "every 10 s otherwise (default auto)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--revalidate", action="store_true",
                      help="ask for every known report conditionally (sees a page changed behind an unchanged list entry)")
    mode.add_argument("--full", action="store_true", help="download every report again")
    parser.add_argument("--serve", action="store_true",
                        help="only serve the replicas until interrupted (same as `gicrawler replicas`)")


def summarize(records) -> dict[str, dict[str, int]]:
    """Per portal: reports found (stored), unreachable (dead links), parsed (tables found, no
    parse error), with a failed check."""
    summary: dict[str, dict[str, int]] = defaultdict(
        lambda: {"found": 0, "unreachable": 0, "parsed": 0, "failed_checks": 0})
    for rec in records:
        row = summary[rec.get("portal") or "?"]
        row["found"] += 1
        row["unreachable"] += bool(rec.get("fetch_error"))
        if rec.get("tables") and not rec.get("parse_error") and not rec.get("fetch_error"):
            row["parsed"] += 1
        if any(not check.get("ok") for check in rec.get("checks") or ()):
            row["failed_checks"] += 1
    return dict(summary)


def run_counts(run: dict | None, since: datetime) -> dict[str, int | None]:
    """new / changed / unchanged from a portal's run record, if that run started at ``since`` or
    later (else None each: this crawl saved no run for the portal)."""
    started = (run or {}).get("started_at")
    if isinstance(started, datetime) and started.tzinfo is None:
        started = started.replace(tzinfo=timezone.utc)  # MongoDB gives naive UTC datetimes
    if not isinstance(started, datetime) or started < since:
        return dict.fromkeys(RUN_COLUMNS)
    stats = run.get("stats") or {}
    return {col: sum(int(stats.get(k) or 0) for k in keys) for col, keys in RUN_COLUMNS.items()}


def format_summary(summary: dict[str, dict[str, int]]) -> str:
    def cell(value, width):
        return f"{'-' if value is None else value:>{width}}"

    width = max([15, *(len(portal) for portal in summary)])  # "found" is right-aligned in 7: a gap stays
    lines = [f"{'portal':<{width}}{'found':>7}{'unreachable':>13}{'parsed':>8}{'failed checks':>15}"
             f"{'new':>5}{'changed':>9}{'unchanged':>11}"]
    for portal in sorted(summary):
        row = summary[portal]
        lines.append(f"{portal:<{width}}{row['found']:>7}{row['unreachable']:>13}{row['parsed']:>8}"
                     f"{row['failed_checks']:>15}{cell(row.get('new'), 5)}{cell(row.get('changed'), 9)}"
                     f"{cell(row.get('unchanged'), 11)}")
    return "\n".join(lines)


def crawl_replicas(replicas, store_uri: str, *, portals: list[str] | None = None, log_level: str = "WARNING",
                   progress: str = "auto", spider_args: dict | None = None) -> tuple[int, dict]:
    """Crawl running replicas into ``store_uri`` with the real ``scrapy crawl reports``; returns
    the crawl's exit status and the summary per portal (the store's records under the replicas'
    URLs, and what this run did: new, changed, unchanged)."""
    from gicrawler.seeds import load_seeds
    from gicrawler.store import open_store

    with tempfile.TemporaryDirectory(prefix="gicrawler-demo-") as tmp:
        seeds = Path(tmp) / "replica-seeds.yaml"
        replicas.write_seeds(seeds)
        names = sorted(p.name for p in load_seeds(seeds) if portals is None or p.name in portals)
        # The replicas are our own loopback servers: no need for polite delays towards them.
        cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"seeds={seeds}",
               "-s", f"STORE_URI={store_uri}", "-s", f"LOG_LEVEL={log_level}",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
               "-s", f"GICRAWLER_PROGRESS={progress}"]
        if portals is not None:
            cmd += ["-a", "portal=" + ",".join(names)]
        for key, value in (spider_args or {}).items():
            cmd += ["-a", f"{key}={value}"]
        env = dict(os.environ, SCRAPY_SETTINGS_MODULE="gicrawler.settings")
        since = datetime.now(timezone.utc).replace(microsecond=0)  # stores keep milliseconds at most
        proc = subprocess.run(cmd, env=env)
    store = open_store(store_uri)
    try:
        bases = tuple(replicas.bases[p] + "/" for p in names)
        summary = summarize(r for r in store.find() if r["url"].startswith(bases))
        for portal, row in summary.items():
            row.update(run_counts(store.last_run(portal), since))
    finally:
        store.close()
    return proc.returncode, summary


def run(args) -> int:
    from gicrawler.replicas import ReplicaSet
    from gicrawler.store import StoreError, open_store, resolve_uri
    from gicrawler.store.base import mask_uri

    if args.serve:
        from gicrawler.commands import replicas as replicas_command

        return replicas_command.serve(args.port)

    store_uri = resolve_uri(args.store)
    try:
        open_store(store_uri).close()  # fail fast, before serving anything
    except StoreError as exc:  # down, or a URI it cannot use (unknown scheme, no path…)
        print(f"gicrawler demo: {exc}", file=sys.stderr)
        return 2

    replicas = ReplicaSet.start(first_port=args.port)
    try:
        entries = replicas.seed_entries()
        needs_browser = [e["name"] for e in entries if e.get("browser") or e.get("antibot_browser")]
        skip_browser = args.no_browser or not chromium_available()
        if skip_browser and not args.no_browser:   # Ubuntu: no chromium deb (README, Two commands)
            print(f"gicrawler demo: no Chromium at {CHROMIUM_PATH} (set GICRAWLER_CHROMIUM): skipping the "
                  f"portals that need a browser: {', '.join(needs_browser)}", file=sys.stderr, flush=True)
        portals = [e["name"] for e in entries if e["name"] not in needs_browser] if skip_browser else None
        print("serving replicas: " + ", ".join(f"{p} {replicas.bases[p]}" for p in sorted(replicas.bases)),
              file=sys.stderr, flush=True)
        spider_args = {"revalidate": "1"} if args.revalidate else {"full": "1"} if args.full else {}
        code, summary = crawl_replicas(replicas, store_uri, portals=portals, log_level=args.log_level,
                                       progress=args.progress, spider_args=spider_args)
        if code != 0:
            print(f"gicrawler demo: crawl exited with {code}", file=sys.stderr)
    finally:
        replicas.stop()
    print(format_summary(summary))
    print(f"store: {mask_uri(store_uri)}")
    return 0 if code == 0 and summary else 1
