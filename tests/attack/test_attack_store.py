"""The attack suite, store side: real crawls (``scrapy crawl`` subprocesses) of a plain loopback
portal of 30 reports (tests/attack/reports_portal.py) whose SQLite store is attacked while they
run — locked, read-only, deleted, replaced, full — each ending with every listed report in the
store, or with what is not there reported: an ERROR naming it and a non-zero exit; and then a
second, unharmed run storing everything (the spool replayed, the missing reports fetched again).

The attack starts when the portal is asked for report ``AT`` (``on_report``); the crawl fetches
one report at a time and commits every ``BATCH`` records, so some are committed before the
attack and some after. Faults that need privileges the test run lacks (a tmpfs mount) are
skipped, never passed.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.attack.reports_portal import ReportsPortal
from tests.crawl_helpers import crawl_stats, run_crawl, stored_records

pytestmark = pytest.mark.slow

REPORTS, AT, BATCH = 30, 10, 5
SETTINGS = {"CONCURRENT_REQUESTS_PER_DOMAIN": "1", "DOWNLOAD_DELAY": "0.05", "STORE_BATCH_SIZE": str(BATCH),
            "STORE_RETRIES": "2", "STORE_RETRY_DELAY": "0.2", "STORE_DOWN_COOLDOWN": "0.5",
            "GICRAWLER_PARSE_WORKERS": "1"}
PADDING = 8000  # bytes of incompressible text per report: the store grows ~20 KB a report


class Attack:
    """One attacked crawl: a portal, a store in ``data/`` (spool in ``data/spool`` unless told)."""

    def __init__(self, tmp: Path, *, spool: Path | None = None, padding: int = 0, uri_options: str = ""):
        self.tmp = tmp
        self.data = tmp / "data"
        self.db = self.data / "store.sqlite3"
        self.spool = spool or self.data / "spool"
        self.uri = f"sqlite:///{self.db}" + uri_options
        self.fault = None
        self.fault_done = threading.Event()
        self.portal = ReportsPortal(REPORTS, padding=padding, on_report=self._on_report).start()
        self.seeds = tmp / "seeds.yaml"
        self.portal.write_seeds(self.seeds)

    def _on_report(self, number: int) -> None:
        if number == AT and self.fault is not None and not self.fault_done.is_set():
            try:
                self.fault()
            finally:
                self.fault_done.set()

    def crawl(self, fault=None, **kwargs):
        self.fault = fault
        self.fault_done.clear()
        settings = {**SETTINGS, **kwargs.pop("settings", {})}
        proc = run_crawl(self.seeds, self.uri, settings=settings, timeout=kwargs.pop("timeout", 180),
                         env={"GICRAWLER_SPOOL_DIR": str(self.spool), **kwargs.pop("env", {})}, **kwargs)
        self.fault = None
        return proc

    def stored(self, uri: str | None = None) -> Counter:
        return Counter(r["url"] for r in stored_records(uri or self.uri) if r.get("raw_hash"))

    def all_stored_once(self, uri: str | None = None) -> bool:
        return self.stored(uri) == Counter(self.portal.report_urls)

    def stop(self):
        self.portal.stop()


@pytest.fixture
def attack(tmp_path):
    attacks = []

    def make(**kwargs) -> Attack:
        attacks.append(Attack(tmp_path, **kwargs))
        return attacks[-1]

    yield make
    for a in attacks:
        a.stop()


def errors(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if " ERROR: " in line]


def no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[proc.stderr.index("Traceback") - 500:][:3000]


def rerun_stores_everything(attack: Attack) -> None:
    """The attack is over: the next run (same command) ends with every report stored once."""
    again = attack.crawl()
    assert again.returncode == 0, again.stderr[-3000:]
    assert attack.all_stored_once(), sorted(set(attack.portal.report_urls) - set(attack.stored()))
    assert list(attack.spool.glob("*.jsonl")) == []  # the spool replayed


# -- deleted, replaced --------------------------------------------------------------------------

def test_store_directory_removed_mid_crawl_is_rebuilt(attack):
    a = attack()
    proc = a.crawl(lambda: shutil.rmtree(a.data))  # `rm -rf data` (store and spool) mid-crawl
    assert a.fault_done.is_set()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert a.all_stored_once()
    stats = crawl_stats(proc)
    assert stats["gicrawler/store_rebuilt"] == 1 and stats["gicrawler/faults/stored_new"] == REPORTS
    assert any("vanished mid-crawl" in line and "rebuilt" in line for line in proc.stderr.splitlines())
    no_traceback(proc)


def test_store_directory_removed_and_not_recreatable_goes_on_in_a_rescue_file(attack, tmp_path):
    prefix = unprivileged()
    a = attack()
    a.spool = tmp_path / "spool"  # (the spool is not what is attacked here)
    a.data.mkdir()
    os.chmod(tmp_path, 0o755)

    def remove():
        shutil.rmtree(a.data)
        os.chmod(tmp_path, 0o555)  # and data/ cannot be made again

    try:
        proc = a.crawl(remove, prefix=prefix)
    finally:
        os.chmod(tmp_path, 0o755)
    assert proc.returncode == 1, proc.stderr[-3000:]
    (line,) = [l for l in errors(proc) if "vanished mid-crawl" in l]
    rescue = line.split(" goes on in ")[1].split(";")[0]
    assert Path(rescue).exists() and str(tmp_path) not in rescue
    assert a.all_stored_once(f"sqlite:///{rescue}")
    assert "the store lost records" in proc.stderr.splitlines()[-1]
    Path(rescue).unlink()


def test_store_file_replaced_mid_crawl_is_left_alone(attack, tmp_path):
    a = attack()
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE theirs (x)")
        conn.execute("INSERT INTO theirs VALUES (42)")
    proc = a.crawl(lambda: os.replace(other, a.db))
    assert proc.returncode == 1, proc.stderr[-3000:]
    with sqlite3.connect(a.db) as conn:  # the file put there is as it was
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("theirs",)]
        assert conn.execute("SELECT x FROM theirs").fetchall() == [(42,)]
    (line,) = [l for l in errors(proc) if "was replaced by another file" in l]
    rescue = line.split(" goes on in ")[1].split(";")[0]
    assert a.all_stored_once(f"sqlite:///{rescue}")
    assert crawl_stats(proc)["gicrawler/store_lost"] == 1
    no_traceback(proc)


# -- locked ---------------------------------------------------------------------------------------

class Locker:
    """Another process's write lock on the store (BEGIN IMMEDIATE), from the attack until ``release``."""

    def __init__(self, db: Path):
        self.db, self.released = db, threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)
        self.locked = threading.Event()
        self.locked_at = None

    def start(self):  # (not waiting here: the lock comes when the crawl's open batch commits)
        self.thread.start()

    def _hold(self):
        # The crawl keeps a write transaction open between its commits: the lock is taken in
        # the gap after a commit, polled every millisecond (SQLite's own busy handler sleeps up
        # to 100 ms between tries and can miss every gap of a fast crawl until its end).
        conn = sqlite3.connect(self.db, timeout=0, isolation_level=None)
        deadline = time.monotonic() + 60
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.001)
        self.locked_at = time.monotonic()
        self.locked.set()
        self.released.wait(300)
        conn.execute("ROLLBACK")
        conn.close()

    def hold_at_least(self, seconds: float):
        """Until the lock has been held ``seconds`` (a loaded machine may reach report 2 * AT
        before the crawl has tried to write while locked)."""
        if self.locked.wait(60):
            time.sleep(max(0.0, self.locked_at + seconds - time.monotonic()))

    def release(self):
        self.released.set()
        self.thread.join(10)


def test_store_locked_for_a_while_mid_crawl_loses_nothing(attack):
    a = attack(uri_options="?timeout=0.5")
    locker = Locker(a.db)
    portal_asked = a.portal.on_report

    def on_report(number):  # the lock is taken at report AT, released at report 2 * AT
        portal_asked(number)
        if number == 2 * AT:
            locker.hold_at_least(4)  # report 2 * AT waits: reports AT… meanwhile parse and meet the lock
            locker.release()

    a.portal.on_report = on_report
    proc = a.crawl(locker.start)
    locker.release()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert a.all_stored_once()
    assert any("database is locked" in line for line in proc.stderr.splitlines())  # felt, and survived
    no_traceback(proc)


def test_store_locked_until_the_crawl_ends_spools_and_exits_1(attack):
    a = attack(uri_options="?timeout=0.5")
    locker = Locker(a.db)
    try:
        proc = a.crawl(locker.start)
    finally:
        locker.release()
    assert proc.returncode == 1, proc.stderr[-3000:]
    stats = crawl_stats(proc)
    assert "kept in the spool" in proc.stderr.splitlines()[-1]
    assert stats["gicrawler/spooled"] + len(a.stored()) == REPORTS  # each one in the store or the spool
    no_traceback(proc)
    rerun_stores_everything(a)


# -- read-only ------------------------------------------------------------------------------------

def unprivileged() -> list[str]:
    """A prefix that runs the crawl without root's right to write anywhere (file modes apply);
    the test is skipped where that cannot be done (root without setpriv or CAP_SETPCAP)."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable", "--"]
    if not shutil.which("setpriv") or subprocess.run([*prefix, "true"], capture_output=True).returncode:
        pytest.skip("running as root and cannot drop the capabilities that ignore file modes")
    return prefix


def test_store_read_only_at_start_crawls_nothing_and_exits_2(attack):
    prefix = unprivileged()
    a = attack()
    first = a.crawl()
    assert first.returncode == 0 and a.all_stored_once()
    a.portal.reset_log()
    for path in [a.db, *a.data.glob("store.sqlite3-*")]:
        os.chmod(path, 0o444)
    os.chmod(a.data, 0o555)
    try:
        proc = a.crawl(prefix=prefix, settings={"GICRAWLER_SPOOL_DIR": str(a.tmp / "spool")})
    finally:
        os.chmod(a.data, 0o755)
        for path in [a.db, *a.data.glob("store.sqlite3-*")]:
            os.chmod(path, 0o644)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "store unavailable, not crawling" in proc.stderr
    assert a.portal.requests("/trs/202401/") == []  # nothing fetched, so nothing to lose
    assert a.all_stored_once()


def test_store_made_read_only_mid_crawl_loses_nothing(attack):
    # An open SQLite file keeps being written: the modes are checked when a file is opened.
    prefix = unprivileged()
    a = attack()
    a.spool = a.tmp / "spool"

    def read_only():
        for path in [a.db, *a.data.glob("store.sqlite3-*")]:
            os.chmod(path, 0o444)
        os.chmod(a.data, 0o555)

    try:
        proc = a.crawl(read_only, prefix=prefix)
    finally:
        os.chmod(a.data, 0o755)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert a.all_stored_once()


# -- full -----------------------------------------------------------------------------------------

FSIZE_LIMITER = ("import os, resource, sys; limit = int(sys.argv[1]); "
                 "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)); os.execv(sys.argv[2], sys.argv[2:])")


def file_size_limit(limit: int) -> list[str]:
    """A prefix that runs the crawl with RLIMIT_FSIZE: no file it writes grows past ``limit``."""
    return [sys.executable, "-c", FSIZE_LIMITER, str(limit)]


def test_store_full_mid_crawl_spools_the_rest_and_exits_1(attack):
    """RLIMIT_FSIZE: the database (and its WAL) stop growing at 256 KB; the journal has room."""
    a = attack(padding=PADDING)
    proc = a.crawl(prefix=file_size_limit(256 * 1024))
    assert proc.returncode == 1, proc.stderr[-3000:]
    stats = crawl_stats(proc)
    assert stats["gicrawler/spooled"] > 0 and "gicrawler/lost" not in stats
    assert "kept in the spool" in proc.stderr.splitlines()[-1]
    assert len(a.stored()) + stats["gicrawler/spooled"] >= REPORTS
    no_traceback(proc)
    rerun_stores_everything(a)


def test_store_and_spool_full_stops_the_crawl_names_what_is_lost_and_exits_1(attack):
    """RLIMIT_FSIZE of 128 KB: the database is full at its first batch, the journal soon after."""
    a = attack(padding=PADDING)
    # downloads paced (0.25 s) so that the store and journal fill up — and the crawl can stop —
    # well before the 30th report, however fast the parse workers answer on this machine
    proc = a.crawl(prefix=file_size_limit(128 * 1024), settings={"DOWNLOAD_DELAY": "0.25"})
    assert proc.returncode == 1, proc.stderr[-3000:]
    stats = crawl_stats(proc)
    assert "'finish_reason': 'store_and_spool_unwritable'" in proc.stderr
    lost = stats["gicrawler/lost"]
    (named,) = [l for l in errors(proc) if "not stored (lost between download and store)" in l]
    assert named.split(": ", 1)[1].count("http://") == min(lost, 20)
    assert "downloaded reports not stored" in proc.stderr.splitlines()[-1]
    # the crawl stopped instead of fetching every remaining report to drop it
    assert len(a.portal.requests("/trs/202401/")) < REPORTS
    no_traceback(proc)
    rerun_stores_everything(a)


@pytest.fixture
def tiny_tmpfs(tmp_path):
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_crawl_names_what_is_lost_and_exits_1(attack, tiny_tmpfs):
    """ENOSPC: store and spool on a 512 KB tmpfs."""
    a = attack(padding=PADDING)
    a.data = tiny_tmpfs / "data"
    a.db = a.data / "store.sqlite3"
    a.spool = a.data / "spool"
    a.uri = f"sqlite:///{a.db}"
    proc = a.crawl()
    assert proc.returncode == 1, proc.stderr[-3000:]
    stats = crawl_stats(proc)
    assert stats.get("gicrawler/lost", 0) + stats.get("gicrawler/spooled", 0) > 0
    no_traceback(proc)
    subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_tmpfs)], check=True)  # room again
    rerun_stores_everything(a)


def test_the_file_size_limit_holds(tmp_path):
    # the premise of the RLIMIT_FSIZE attacks: a write past the limit fails (EFBIG), the writer lives
    code = f"open({str(tmp_path / 'big')!r}, 'wb').write(b'x' * 200000)"
    done = subprocess.run([*file_size_limit(100000), sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1 and "File too large" in done.stderr
