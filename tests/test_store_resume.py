"""A crawl killed with SIGKILL mid-run and resumed (Scrapy JOBDIR) ends with every report stored
exactly once.

Real ``scrapy crawl reports`` subprocesses against the replicas, with the project's settings.
The first crawl commits in small batches and is killed while some records are committed and
some only journaled (store.spool); the second crawl is the same command with the same JOBDIR.

Two sizes: the bundled replicas (a few dozen requests), and a generated portal of 300 reports,
big enough that Scrapy has already written part of JOBDIR/requests.seen when the kill comes —
the case where a resumed crawl trusts "seen" requests whose queue entries died with the process.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.crawl_helpers import FAST_SETTINGS, REPO, crawl_stats, run_crawl, stored_records

pytestmark = pytest.mark.slow


def crawl_cmd(seeds, store_uri, settings) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"seeds={seeds}"]
    for key, value in {**FAST_SETTINGS, "STORE_URI": store_uri, **settings}.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def committed(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    except sqlite3.Error:  # not created yet / locked for a moment
        return 0


def journaled(spool: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in spool.glob("journal-*.jsonl"))


def seen(job: Path) -> int:
    path = job / "requests.seen"
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def kill_and_resume(seeds, expected: set[str], tmp_path: Path, *, slow: dict, ready) -> dict:
    """Crawl until ``ready(committed, journaled, seen)``, SIGKILL, resume; return the resumed stats."""
    db, spool, job = tmp_path / "resume.sqlite3", tmp_path / "spool", tmp_path / "job"
    uri = f"sqlite:///{db}"
    env = {**os.environ, "GICRAWLER_SPOOL_DIR": str(spool)}
    proc = subprocess.Popen(crawl_cmd(seeds, uri, {"JOBDIR": str(job), **slow}), cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if ready(committed(db), journaled(spool), seen(job)):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl ended before the kill:\n" + proc.stderr.read()[-3000:]
        state = (committed(db), journaled(spool), seen(job))
        assert ready(*state), f"not ready to kill within 120 s: {state}"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc.stderr.close()
    assert 0 < committed(db) < len(expected), "killed mid-run: some reports stored, not all"

    resumed = run_crawl(seeds, uri, settings={"JOBDIR": str(job)}, env={"GICRAWLER_SPOOL_DIR": str(spool)})
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    stats = crawl_stats(resumed)
    assert stats.get("scheduler/unclean_resume") == 1  # the dead run's JOBDIR state was not trusted
    assert not (job / "crawl.running").exists()  # this one closed cleanly

    records = stored_records(uri)
    stored = Counter(r["url"] for r in records)
    content = {r["url"]: r for r in records if not r.get("fetch_error")}
    missing = sorted(expected - set(content))
    assert missing == [], f"{len(missing)} of {len(expected)} reports missing after the resume, e.g. " \
                          f"{missing[:3]}; killed at (committed, journaled, seen)={state}; stats {stats}"
    assert all(stored[url] == 1 for url in expected)
    # once: no report stored again as a new version of itself
    assert [url for url in expected if len(content[url]["versions"]) != 1] == []
    assert list(spool.glob("*.jsonl")) == []  # the killed crawl's journal was replayed
    return stats


@pytest.mark.browser    # the bundled replicas include the portals crawled through Chromium
def test_sigkill_and_resume_bundled_replicas(replicas, replica_seeds, tmp_path):
    expected = {url for reports in replicas.expected.values() for url in reports}
    kill_and_resume(replica_seeds, expected, tmp_path,
                    slow={"DOWNLOAD_DELAY": "0.3", "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "STORE_BATCH_SIZE": "3"},
                    ready=lambda done, journal, _: done >= 3 and journal >= 1)


def test_sigkill_and_resume_after_jobdir_state_was_written(tmp_path):
    from gicrawler.replicas import ReplicaSet

    rs = ReplicaSet.start(scale=300)
    try:
        seeds = tmp_path / "seeds.yaml"
        rs.write_seeds(seeds)
        expected = {url for reports in rs.expected.values() for url in reports}
        kill_and_resume(seeds, expected, tmp_path, slow={"STORE_BATCH_SIZE": "7"},
                        ready=lambda done, journal, seen_: done >= 20 and journal >= 1 and seen_ > 0)
    finally:
        rs.stop()
