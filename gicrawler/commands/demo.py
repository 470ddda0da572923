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
from pathlib import Path

help = "serve the bundled replicas on a free loopback port, crawl them into the store, print a summary"


def add_arguments(parser):
    parser.add_argument("--store", default=None,
                        help="store URI (mongodb://…/db or sqlite:///path); default $GICRAWLER_STORE "
                             "or sqlite:///data/gicrawler.sqlite3")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the portals that need Chromium (JS-rendered lists, anti-bot challenges)")
    parser.add_argument("--port", type=int, default=8741,
                        help="first loopback port to try for the replicas (default 8741; taken → any free port)")
    parser.add_argument("--log-level", default="WARNING", help="Scrapy log level (default WARNING)")


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


def format_summary(summary: dict[str, dict[str, int]]) -> str:
    lines = [f"{'portal':<15}{'found':>7}{'unreachable':>13}{'parsed':>8}{'failed checks':>15}"]
    for portal in sorted(summary):
        row = summary[portal]
        lines.append(f"{portal:<15}{row['found']:>7}{row['unreachable']:>13}{row['parsed']:>8}"
                     f"{row['failed_checks']:>15}")
    return "\n".join(lines)


def run(args) -> int:
    from gicrawler.replicas import ReplicaSet
    from gicrawler.seeds import load_seeds
    from gicrawler.store import StoreError, open_store, resolve_uri
    from gicrawler.store.base import mask_uri

    store_uri = resolve_uri(args.store)
    try:
        open_store(store_uri).close()  # fail fast, before serving anything
    except StoreError as exc:  # down, or a URI it cannot use (unknown scheme, no path…)
        print(f"gicrawler demo: {exc}", file=sys.stderr)
        return 2

    replicas = ReplicaSet.start(first_port=args.port)
    try:
        with tempfile.TemporaryDirectory(prefix="gicrawler-demo-") as tmp:
            seeds = Path(tmp) / "replica-seeds.yaml"
            replicas.write_seeds(seeds)
            portals = sorted(p.name for p in load_seeds(seeds) if not (args.no_browser and (p.browser or p.antibot_browser)))
            print("serving replicas: " + ", ".join(f"{p} {replicas.bases[p]}" for p in sorted(replicas.bases)),
                  file=sys.stderr)
            # The replicas are our own loopback servers: no need for polite delays towards them.
            cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"seeds={seeds}",
                   "-s", f"STORE_URI={store_uri}", "-s", f"LOG_LEVEL={args.log_level}",
                   "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"]
            if args.no_browser:
                cmd += ["-a", "portal=" + ",".join(portals)]
            env = dict(os.environ, SCRAPY_SETTINGS_MODULE="gicrawler.settings")
            proc = subprocess.run(cmd, env=env)
            if proc.returncode != 0:
                print(f"gicrawler demo: crawl exited with {proc.returncode}", file=sys.stderr)
            store = open_store(store_uri)
            try:
                bases = tuple(replicas.bases[p] + "/" for p in portals)
                summary = summarize(r for r in store.find() if r["url"].startswith(bases))
            finally:
                store.close()
    finally:
        replicas.stop()
    print(format_summary(summary))
    print(f"store: {mask_uri(store_uri)}")
    return 0 if proc.returncode == 0 and summary else 1
