"""`gicrawler demo` end to end: serves the replicas, crawls them with the real spiders, prints
the per-portal summary that matches what the replicas publish — quietly (one stderr line per
expected condition) — and on a re-run says what was new, changed and unchanged."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from gicrawler.commands import demo
from gicrawler.replicas import ReplicaSet
from gicrawler.store import open_store
from tests.stderr_lines import assert_one_line_each

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
        rows[name] = [None if n == "-" else int(n) for n in numbers]
    return rows


def _demo(tmp_path, *extra):
    store = f"sqlite:///{tmp_path}/demo.sqlite3"
    home = tmp_path / "home"   # a first run: nothing cached in ~ (tldextract, playwright…)
    home.mkdir()
    proc = subprocess.run([sys.executable, "-m", "gicrawler", "demo", "--store", store, "--port", "0", *extra],
                          cwd=tmp_path, capture_output=True, text=True, timeout=240,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), HOME=str(home)))
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
        found, unreachable, parsed, failed_checks, new, changed, unchanged = rows[portal]
        # every published report parsed; dead links are listed as found but unreachable
        assert (found - unreachable, parsed, failed_checks) == (reports, reports, failing), portal
        assert (new, changed, unchanged) == (found, 0, 0), portal     # a fresh store: all new
    assert f"store: {store}" in proc.stdout
    # a successful run looks successful: the dead link and the short column are one line each,
    # the progress (stderr is not a terminal here) a plain line now and then, no traceback
    assert_one_line_each(proc.stderr)
    assert proc.stderr.startswith("serving replicas: ")
    assert len(proc.stderr.splitlines()) < 12, proc.stderr
    s = open_store(store)
    try:
        assert sum(1 for r in s.find() if not r.get("fetch_error")) == sum(n for n, _ in expected.values())
    finally:
        s.close()


@pytest.mark.slow
def test_demo_without_chromium_skips_the_browser_portals_and_says_so(tmp_path, monkeypatch, replicas):
    """Ubuntu has no chromium deb: the demo still runs what needs no browser, and says what it skipped."""
    needs_browser = {e["name"] for e in replicas.seed_entries() if e.get("browser") or e.get("antibot_browser")}
    expected = {p: v for p, v in _expected_rows().items() if p not in needs_browser}
    assert needs_browser and expected
    monkeypatch.setenv("GICRAWLER_CHROMIUM", str(tmp_path / "no-chromium-here"))
    proc, store = _demo(tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [ln for ln in proc.stderr.splitlines() if "no Chromium at" in ln]
    assert len(line) == 1 and all(p in line[0] for p in needs_browser), proc.stderr
    assert "BrowserType.launch" not in proc.stderr       # nothing was tried in a browser
    rows = _summary(proc.stdout)
    assert set(rows) == set(expected)
    for portal, (reports, failing) in expected.items():
        found, unreachable, parsed, failed_checks, *_ = rows[portal]
        assert (found - unreachable, parsed, failed_checks) == (reports, reports, failing), portal


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


def _run(replicas, store, **kwargs) -> dict[str, list]:
    """One demo crawl of the running replicas, its summary as printed."""
    code, summary = demo.crawl_replicas(replicas, store, progress="off", **kwargs)
    assert code == 0
    return _summary(demo.format_summary(summary) + "\nstore:")


@pytest.mark.slow
def test_a_rerun_says_unchanged_and_a_changed_page_says_changed(tmp_path):
    """The same replicas (same URLs) crawled three times into one store: all new, then all
    unchanged, then — one report edited on the server, a revalidating run — changed=1."""
    store = f"sqlite:///{tmp_path}/rerun.sqlite3"
    with ReplicaSet.start() as rs:
        portals = [e["name"] for e in rs.seed_entries() if not (e.get("browser") or e.get("antibot_browser"))]
        first = _run(rs, store, portals=portals)
        assert set(first) == set(portals)
        for portal, (found, *_rest, new, changed, unchanged) in first.items():
            assert (new, changed, unchanged) == (found, 0, 0), portal

        second = _run(rs, store, portals=portals)
        for portal, row in second.items():
            found, new, changed, unchanged = row[0], *row[-3:]
            assert row[:4] == first[portal][:4], portal          # the table as before …
            assert (new, changed, unchanged) == (0, 0, found), portal   # … but nothing new

        edited = sorted(rs.expected["jiaxing"])[0]
        rs.modify(edited)
        third = _run(rs, store, portals=portals, spider_args={"revalidate": "1"})
        found, new, changed, unchanged = third["jiaxing"][0], *third["jiaxing"][-3:]
        assert (new, changed, unchanged) == (0, 1, found - 1)
        for portal in set(portals) - {"jiaxing"}:
            assert third[portal][-3:] == [0, 0, third[portal][0]], portal
    with open_store(store) as s:
        assert len(s.get(edited)["versions"]) == 2


def test_summary_without_a_run_of_this_crawl_shows_dashes():
    """A portal whose run was not saved by this crawl (the store was down at close, say): its
    new/changed/unchanged are unknown, not zero."""
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    assert demo.run_counts(None, now) == {"new": None, "changed": None, "unchanged": None}
    old = {"started_at": now - timedelta(days=1), "stats": {"stored_new": 3}}
    assert demo.run_counts(old, now) == {"new": None, "changed": None, "unchanged": None}
    this = {"started_at": (now + timedelta(seconds=1)).replace(tzinfo=None),   # naive UTC (MongoDB)
            "stats": {"stored_new": 1, "stored_unchanged": 2, "skipped_unchanged": 3, "not_modified": 4}}
    assert demo.run_counts(this, now) == {"new": 1, "changed": 0, "unchanged": 9}
    row = {"found": 9, "unreachable": 0, "parsed": 9, "failed_checks": 0, **demo.run_counts(None, now)}
    assert demo.format_summary({"zibo": row}).splitlines()[1].split() == ["zibo", "9", "0", "9", "0", "-", "-", "-"]


@pytest.mark.parametrize("argv,stop", [(["replicas"], signal.SIGINT), (["demo", "--serve"], signal.SIGTERM)])
def test_serving_the_replicas_alone_until_interrupted(tmp_path, argv, stop):
    """`gicrawler replicas` (or `demo --serve`): the replicas answer, their seed list is written
    and names them; Ctrl-C or SIGTERM stops them with status 0 and removes the temporary list."""
    from gicrawler.seeds import load_seeds

    proc = subprocess.Popen([sys.executable, "-m", "gicrawler", *argv, "--port", "0"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Ctrl-C"):
                break
        bases = dict(line.split()[2::2] for line in lines if line.startswith("serving replica "))
        seeds = Path(next(line for line in lines if line.startswith("seed list: ")).split(": ", 1)[1])
        assert {p.name for p in load_seeds(seeds)} == set(bases) >= {"zibo", "jiaxing", "huangshi"}
        for portal in load_seeds(seeds):
            assert all(url.startswith(bases[portal.name] + "/") for url in portal.index_urls)
        with urllib.request.urlopen(bases["jiaxing"] + "/robots.txt", timeout=10) as answer:
            assert answer.status == 200
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "replicas stopped" in out and err == ""
    assert not seeds.exists()


@pytest.mark.parametrize("command", ["demo", "replicas"])
def test_a_port_that_is_no_port_is_a_one_line_error(tmp_path, command):
    proc = subprocess.run([sys.executable, "-m", "gicrawler", command, "--port", "99999999"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"gicrawler {command}: error: argument --port: '99999999' is not a port number (0-65535)")


def test_ports_counted_up_past_65535_fall_back_to_free_ones():
    """--port 65533: the replicas' servers take 65533, 65534, 65535 (if free), then any free port
    — not an OverflowError out of bind()."""
    from gicrawler.replicas import ReplicaSet

    rs = ReplicaSet.start(first_port=65533)
    try:
        ports = [int(base.rsplit(":", 1)[1]) for base in rs.bases.values()]
        assert len(set(ports)) >= 8 and all(0 < p <= 65535 for p in ports)
        with urllib.request.urlopen(rs.bases["zibo"] + "/robots.txt", timeout=10) as answer:
            assert answer.status == 200
    finally:
        rs.stop()
