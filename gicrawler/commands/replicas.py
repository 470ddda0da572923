"""`gicrawler replicas`: serve the bundled portal replicas on loopback until interrupted.

For trying the crawler by hand — ``scrapy crawl``, ``gicrawler schedule``, scrapyd — against the
same sites ``gicrawler demo`` crawls (same ports, so the same URLs and records). The seed list
pointing at them is written to ``--seeds PATH`` (kept) or to a temporary file removed at exit.
"""
from __future__ import annotations

import signal
import sys
import tempfile
import threading
from pathlib import Path

from gicrawler.commands import port

help = "serve the bundled replicas on loopback until interrupted, and write their seed list"


def add_arguments(parser):
    parser.add_argument("--port", type=port, default=8741,
                        help="first loopback port to try (default 8741, as `gicrawler demo`; taken → any free port)")
    parser.add_argument("--seeds", metavar="PATH",
                        help="write the replicas' seed list here (default: a temporary file, removed at exit)")


def serve(port: int, seeds: str | None = None) -> int:
    from gicrawler.replicas import ReplicaSet

    stop = threading.Event()
    # SIGTERM (kill, a service manager) ends the serving as cleanly as Ctrl-C
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    replicas = ReplicaSet.start(first_port=port)
    try:
        with tempfile.TemporaryDirectory(prefix="gicrawler-replicas-") as tmp:
            path = Path(seeds).resolve() if seeds else Path(tmp) / "replica-seeds.yaml"
            try:
                replicas.write_seeds(path)
            except OSError as exc:
                print(f"gicrawler replicas: cannot write the seed list: {exc}", file=sys.stderr)
                return 2
            for name in sorted(replicas.bases):
                print(f"serving replica {name} at {replicas.bases[name]}")
            print(f"seed list: {path}")
            print(f"try: scrapy crawl reports -a seeds={path}")
            print(f"     gicrawler schedule {path} --scrapyd http://127.0.0.1:6800")
            print("Ctrl-C to stop", flush=True)
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:   # the way to stop it: not an error
                pass
    finally:
        replicas.stop()
        signal.signal(signal.SIGTERM, previous)
    print("replicas stopped", flush=True)
    return 0


def run(args) -> int:
    return serve(args.port, args.seeds)
