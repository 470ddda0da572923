"""`gicrawler demo` end to end: serves the replicas, crawls them with the real spiders, prints
the per-portal summary that matches what the replicas publish."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gicrawler.replicas import ReplicaSet
from gicrawler.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def _expected_rows() -> dict[str, tuple[int, int]]:
    with ReplicaSet.start() as rs:
        return {portal: (len(reports), sum(1 for r in reports.values() if r["failed_checks"]))
                for portal, reports in rs.expected.items()}


def _summary(stdout: str) -> dict[str, list[int]]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("portal"))
    rows = {}
    for line in lines[start + 1:]:
        if line.startswith("store:"):
            break
        name, *numbers = line.split()
        rows[name] = [int(n) for n in numbers]
    return rows


def _demo(tmp_path, *extra):
    store = f"sqlite:///{tmp_path}/demo.sqlite3"
    proc = subprocess.run([sys.executable, "-m", "gicrawler", "demo", "--store", store, "--port", "0", *extra],
                          cwd=tmp_path, capture_output=True, text=True, timeout=240,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return proc, store


@pytest.mark.browser
@pytest.mark.slow
def test_demo_crawls_every_replica_report(tmp_path):
    expected = _expected_rows()
    proc, store = _demo(tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = _summary(proc.stdout)
    assert set(rows) == set(expected)
    for portal, (reports, failing) in expected.items():
        found, unreachable, parsed, failed_checks = rows[portal]
        # every published report parsed; dead links are listed as found but unreachable
        assert (found - unreachable, parsed, failed_checks) == (reports, reports, failing), portal
    assert f"store: {store}" in proc.stdout
    s = open_store(store)
    try:
        assert sum(1 for r in s.find() if not r.get("fetch_error")) == sum(n for n, _ in expected.values())
    finally:
        s.close()


def test_demo_fails_fast_on_a_store_that_is_down(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "gicrawler", "demo", "--store",
                           "mongodb://user:s3cret@127.0.0.1:1/gi?serverSelectionTimeoutMS=500"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 2
    assert "s3cret" not in proc.stderr + proc.stdout
    assert "127.0.0.1:1" in proc.stderr


def test_demo_with_a_store_uri_it_cannot_use_is_a_one_line_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "gicrawler", "demo", "--store", "postgres://u:s3cret@db/gi"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "s3cret" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "gicrawler demo: store postgres://***@db/gi: unknown scheme (use mongodb://host/dbname or sqlite:///path)"]
