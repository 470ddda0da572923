"""README's "scrapyd, end to end", run as it says: scrapyd started with deploy/scrapyd.conf in a
directory of its own, `scrapyd-deploy`, `gicrawler replicas`, `gicrawler schedule` of the
replicas, listjobs watched until every job finished, `gicrawler export` of the store.

Two things differ from the README, both of them ports: scrapyd's and the replicas' are free
ones (a ~/.scrapyd.conf in the test's HOME sets http_port; scrapyd reads it after
./scrapyd.conf), so the egg goes to the `remote` target with SCRAPYD_URL (scrapy.cfg). The
project is deployed from a copy of the checkout (tests/test_ops_scrapyd.py), so that runs side
by side do not share build/.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gicrawler.replicas import ReplicaSet
from tests.test_ops_scrapyd import copy_project, free_port, get_json

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.scrapyd, pytest.mark.slow, pytest.mark.browser]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def _tool(name: str) -> list[str]:
    """The environment's console script (as the README types it), else its module."""
    script = BIN / name
    if script.exists():
        return [str(script)]
    modules = {"scrapyd": "scrapyd", "scrapyd-deploy": "scrapyd_client.deploy", "gicrawler": "gicrawler"}
    return [sys.executable, "-m", modules[name]]


def test_the_readme_gives_these_steps():
    """The commands run below are the README's (with its default ports)."""
    for text in (
        "cp deploy/scrapyd.conf ~/gicrawler-scrapyd/",
        "(cd ~/gicrawler-scrapyd && GICRAWLER_STORE=sqlite:///$HOME/gicrawler-scrapyd/gicrawler.sqlite3 scrapyd) &",
        "scrapyd-deploy",
        "gicrawler replicas --seeds ~/gicrawler-scrapyd/replica-seeds.yaml",
        "gicrawler schedule ~/gicrawler-scrapyd/replica-seeds.yaml --scrapyd http://127.0.0.1:6800 "
        "-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=0",
        "curl -s 'http://127.0.0.1:6800/listjobs.json?project=gicrawler'",
        "gicrawler export --store sqlite:///$HOME/gicrawler-scrapyd/gicrawler.sqlite3 --format csv -o reports.csv",
    ):
        assert text in README, text
    conf = (ROOT / "deploy" / "scrapyd.conf").read_text(encoding="utf-8")
    assert re.search(r"^bind_address = 127\.0\.0\.1$", conf, re.M)
    assert re.search(r"^jobstorage += scrapyd\.jobstorage\.SqliteJobStorage$", conf, re.M)


def _wait_scrapyd(url: str, proc, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if get_json(url + "/daemonstatus.json")["status"] == "ok":
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("scrapyd did not start:\n" + log.read_text()[-3000:])
        time.sleep(0.2)


def _expected() -> dict[str, int]:
    with ReplicaSet.start() as rs:   # the replicas publish the same reports every time
        return {portal: len(reports) for portal, reports in rs.expected.items()}


def test_scrapyd_walkthrough(tmp_path):
    before = {p.name for p in ROOT.iterdir()}
    home = tmp_path / "home"
    workdir = home / "gicrawler-scrapyd"
    workdir.mkdir(parents=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HOME": str(home)}
    env.pop("GICRAWLER_STORE", None)
    env.pop("GICRAWLER_SPOOL_DIR", None)     # the jobs' journal: scrapyd's directory (data/spool)
    store = f"sqlite:///{workdir}/gicrawler.sqlite3"

    # 1. scrapyd with the repository's config, in a directory of its own, the store in its environment
    shutil.copy(ROOT / "deploy" / "scrapyd.conf", workdir / "scrapyd.conf")
    (home / ".scrapyd.conf").write_text(f"[scrapyd]\nhttp_port = {port}\n")
    log = open(tmp_path / "scrapyd.out", "wb")
    scrapyd = subprocess.Popen(_tool("scrapyd"), cwd=workdir, env={**env, "GICRAWLER_STORE": store},
                               stdout=log, stderr=subprocess.STDOUT)
    replicas = None
    try:
        _wait_scrapyd(url, scrapyd, tmp_path / "scrapyd.out")

        # 2. scrapyd-deploy from the project (scrapy.cfg's targets)
        (tmp_path / "project").mkdir()
        project = copy_project(tmp_path / "project")
        deployed = subprocess.run([*_tool("scrapyd-deploy"), "remote"], cwd=project, capture_output=True,
                                  text=True, env={**env, "SCRAPYD_URL": url + "/"}, timeout=120)
        assert deployed.returncode == 0, deployed.stderr + deployed.stdout
        assert '"status": "ok"' in deployed.stdout, deployed.stdout

        # 3. the replicas alone, their seed list where the jobs can read it
        seeds = workdir / "replica-seeds.yaml"
        replicas = subprocess.Popen([*_tool("gicrawler"), "replicas", "--port", str(free_port()), "--seeds", str(seeds)],
                                    cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []
        for line in replicas.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        assert f"seed list: {seeds}\n" in lines, lines
        bases = {line.split()[2]: line.split()[4] for line in lines if line.startswith("serving replica ")}

        # 4. one job per portal
        scheduled = subprocess.run([*_tool("gicrawler"), "schedule", str(seeds), "--scrapyd", url,
                                    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"],
                                   cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert scheduled.returncode == 0, scheduled.stderr
        jobs = dict(re.findall(r"^(\w+): scheduled job (\w+) on ", scheduled.stdout, re.M))
        assert set(jobs) == set(bases), scheduled.stdout

        # 5. listjobs: every job pending → running → finished
        deadline = time.monotonic() + 300
        while True:
            listed = get_json(url + "/listjobs.json?project=gicrawler")
            finished = {job["id"] for job in listed["finished"]}
            if finished >= set(jobs.values()):
                break
            assert time.monotonic() < deadline, listed
            time.sleep(1)
        for portal, job in jobs.items():
            joblog = (workdir / "logs" / "gicrawler" / "reports" / f"{job}.log").read_text(encoding="utf-8")
            loaded_from = joblog.split("gicrawler loaded from ", 1)[1].split(";", 1)[0]
            # the deployed egg ran, not the checkout (nor the environment's editable install)
            assert ".egg" in loaded_from and str(ROOT) not in loaded_from, loaded_from
            assert "finish_reason': 'finished'" in joblog, joblog[-3000:]

        # scrapyd's files are in its own directory (the checkout gets none: checked at the end)
        assert {"eggs", "logs", "dbs", "twistd.pid"} <= {p.name for p in workdir.iterdir()}

        # 6. the reports in the store
        exported = subprocess.run([*_tool("gicrawler"), "export", "--store", store, "--format", "csv",
                                   "-o", "reports.csv"], cwd=tmp_path, env=env, capture_output=True, text=True,
                                  timeout=120)
        assert exported.returncode == 0, exported.stderr
        with open(tmp_path / "reports.csv", newline="", encoding="utf-8") as f:
            rows = [row for row in csv.DictReader(f) if not row.get("fetch_error")]
        found = {portal: sum(1 for row in rows if row["portal"] == portal) for portal in bases}
        assert found == _expected()
    finally:
        if replicas is not None:
            replicas.send_signal(signal.SIGINT)
            replicas.communicate(timeout=30)
        scrapyd.terminate()
        scrapyd.wait(30)
        log.close()
    assert replicas.returncode == 0
    assert not {"eggs", "logs", "dbs", "twistd.pid"} & ({p.name for p in ROOT.iterdir()} - before)
