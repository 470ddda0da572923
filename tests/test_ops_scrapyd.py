"""scrapyd end to end: a real scrapyd on loopback, the real scrapyd-deploy, schedule.json, a crawl.

The project is copied to a temp dir first so that the egg build (build/, *.egg-info) leaves
no debris in the checkout and runs can proceed side by side.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.crawl_helpers import FAST_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.scrapyd, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def copy_project(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info", "dist")
    for name in ("scrapy.cfg", "setup.py", "pyproject.toml", "README.md"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    for name in ("gicrawler", "seeds"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"http_port = {port}\nbind_address = 127.0.0.1\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\njobstorage = scrapyd.jobstorage.SqliteJobStorage\n"
        "poll_interval = 0.5\nmax_proc = 4\n"
    )
    log = open(home / "scrapyd.out", "wb")
    # jobs inherit this environment: the store's journal goes to the temp dir, not the cwd
    env = {**os.environ, "GICRAWLER_SPOOL_DIR": str(home / "spool")}
    proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if get_json(url + "/daemonstatus.json")["status"] == "ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("scrapyd did not start:\n" + (home / "scrapyd.out").read_text()[-3000:])
        time.sleep(0.2)
    yield {"url": url, "home": home}
    proc.terminate()
    proc.wait(10)
    log.close()


@pytest.fixture(scope="module")
def deployed(scrapyd, tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("project"))
    # the scrapyd-deploy console script, or the same entry point run by this Python
    deploy = [shutil.which("scrapyd-deploy")] if shutil.which("scrapyd-deploy") else \
        [sys.executable, "-m", "scrapyd_client.deploy"]
    result = subprocess.run(
        [*deploy, "remote", "-v", "r1"], cwd=project, capture_output=True, text=True,
        env={**os.environ, "SCRAPYD_URL": scrapyd["url"] + "/"}, timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == "ok", answer
    return {**scrapyd, "deploy": answer}


def test_deploy_uploads_an_egg_with_every_subpackage_and_the_seed_files(deployed):
    assert deployed["deploy"]["spiders"] >= 1  # scrapyd loaded the egg and listed its spiders
    egg = deployed["home"] / "eggs" / "gicrawler" / "r1.egg"
    assert egg.is_file(), sorted(p.name for p in (deployed["home"] / "eggs").rglob("*"))
    names = set(zipfile.ZipFile(egg).namelist())
    packages = sorted(str(p.parent.relative_to(ROOT)) for p in (ROOT / "gicrawler").rglob("__init__.py")
                      if "__pycache__" not in p.parts)
    for package in packages:
        assert f"{package}/__init__.py" in names, f"{package} missing from the egg"
    seed_files = sorted(p.name for p in (ROOT / "seeds").glob("*.yaml"))
    assert seed_files, "no built-in seed files in seeds/"
    for name in seed_files:
        assert f"gicrawler/seedfiles/{name}" in names
    data = [p for p in (ROOT / "gicrawler" / "replicas" / "data").rglob("*") if p.is_file()]
    for path in data:
        assert str(path.relative_to(ROOT)) in names, f"{path} missing from the egg"
    entry_points = zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()
    assert "settings = gicrawler.settings" in entry_points
    # nothing outside the package (tests, top-level seeds/ as its own package) is shipped
    assert {n.split("/")[0] for n in names} == {"EGG-INFO", "gicrawler"}


def test_listspiders_sees_the_reports_spider(deployed):
    answer = get_json(deployed["url"] + "/listspiders.json?project=gicrawler")
    assert answer["status"] == "ok", answer
    assert "reports" in answer["spiders"]


def wait_finished(url: str, job: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = get_json(url + "/listjobs.json?project=gicrawler")
        for entry in jobs.get("finished", []):
            if entry["id"] == job:
                return entry
        time.sleep(0.5)
    pytest.fail(f"job {job} not finished after {timeout} s: {jobs}")


def test_schedule_command_runs_a_replica_crawl_on_scrapyd(deployed, replicas, replica_seeds, tmp_path, capsys):
    from gicrawler.commands import schedule
    from gicrawler.store import open_store

    portal = _plain_http_portal(replica_seeds)
    store_uri = f"sqlite:///{tmp_path / 'scrapyd.sqlite3'}"
    parser = argparse.ArgumentParser()
    schedule.add_arguments(parser)
    fast = [arg for key, value in FAST_SETTINGS.items() for arg in ("-s", f"{key}={value}")]
    code = schedule.run(parser.parse_args(
        [str(replica_seeds), "--scrapyd", deployed["url"], "--portal", portal, "--store", store_uri, *fast]))
    out = capsys.readouterr().out
    assert code == 0, out
    job = out.split("scheduled job ")[1].split()[0]

    entry = wait_finished(deployed["url"], job)
    log = (deployed["home"] / "logs" / "gicrawler" / "reports" / f"{job}.log").read_text(encoding="utf-8")
    # the job ran the deployed egg (not the checkout), with the arguments it was given
    assert "r1.egg" in log.split("gicrawler loaded from", 1)[1].splitlines()[0], log[:3000]
    assert f"'portal': '{portal}'" in log
    assert "finish_reason': 'finished'" in log, log[-3000:]
    assert entry.get("log_url")

    store = open_store(store_uri)
    try:
        stored = {record["url"] for record in store.find(portal=portal)}
        assert stored == set(replicas.expected[portal]), (sorted(stored), log[-3000:])
        assert store.last_run(portal)["stats"]["reports"] >= len(replicas.expected[portal])
    finally:
        store.close()


def _plain_http_portal(seed_path) -> str:
    """A replica portal that needs no browser (keeps this test fast and Chromium-free)."""
    from gicrawler.seeds import load_seeds

    return next(p.name for p in load_seeds(seed_path) if not p.browser)
