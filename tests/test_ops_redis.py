"""Distributed crawls: a real redis-server on loopback, two real worker processes on the replicas."""
from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest
from scrapy.settings import Settings

from gicrawler import distributed
from tests.crawl_helpers import FAST_SETTINGS

pytestmark = pytest.mark.redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("redis")
    port = free_port()
    proc = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(home)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = distributed.redis_client(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


def test_profile_only_when_the_redis_url_is_set():
    plain = Settings({"SCHEDULER": "scrapy.core.scheduler.Scheduler"})
    distributed.configure(plain)
    assert plain["SCHEDULER"] == "scrapy.core.scheduler.Scheduler" and not plain.get("REDIS_URL")

    # the project's own scheduler (settings.py) gives way to the shared one
    settings = Settings({"SCHEDULER": "gicrawler.store.jobdir.CrashSafeScheduler"}, priority="project")
    settings.set(distributed.SETTING, "redis://127.0.0.1:1/0", priority="cmdline")
    distributed.Distributed().update_settings(settings)
    assert settings["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST") is True
    assert settings["REDIS_URL"] == "redis://127.0.0.1:1/0"
    assert settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE") > 0
    assert distributed.IdleClose in settings.getdict("EXTENSIONS")


def test_schedule_redis_clears_the_run_keys_and_pushes_the_seeds(redis_url, replica_seeds, capsys):
    from gicrawler.commands import schedule
    from gicrawler.seeds import load_seeds

    client = distributed.redis_client(redis_url)
    keys = distributed.keys("reports")
    client.rpush(keys["seeds"], '{"stale": 1}')
    client.sadd(keys["dupefilter"], "stale-fingerprint")
    client.zadd(keys["requests"], {"stale-request": 0})

    parser = argparse.ArgumentParser()
    schedule.add_arguments(parser)
    assert schedule.run(parser.parse_args([str(replica_seeds), "--redis", redis_url])) == 0
    assert "pushed" in capsys.readouterr().out
    assert not client.exists(keys["dupefilter"]) and not client.exists(keys["requests"])
    pushed = distributed.load_portals(Settings({distributed.SETTING: redis_url}), "reports")
    assert pushed == load_seeds(replica_seeds)
    assert [p.params for p in pushed] == [p.params for p in load_seeds(replica_seeds)]


def test_load_portals_without_pushed_seeds_says_what_to_do(redis_url):
    from gicrawler.seeds import SeedError

    distributed.redis_client(redis_url).delete(distributed.keys("nothing")["seeds"])
    with pytest.raises(SeedError, match="gicrawler schedule --redis"):
        distributed.load_portals(Settings({distributed.SETTING: redis_url}), "nothing")


@pytest.mark.slow
@pytest.mark.browser   # the bundled replicas include the portals crawled through Chromium
def test_two_workers_share_the_crawl_and_fetch_every_page_once(redis_url, replicas, replica_seeds, tmp_path):
    from gicrawler.commands import schedule
    from gicrawler.store import open_store

    # pages the replica answers with 500 a few more times (a shared session may have used them up)
    flaky = {(name, path): left for name, portal in replicas.portals.items() for path, left in portal.flaky.items()}
    store_uri = f"sqlite:///{tmp_path / 'distributed.sqlite3'}"
    replicas.reset_log()
    parser = argparse.ArgumentParser()
    schedule.add_arguments(parser)
    args = parser.parse_args([
        str(replica_seeds), "--redis", redis_url, "--workers", "0", "--store", store_uri])
    assert schedule.run(args) == 0

    # A small fixed delay makes one worker's crawl outlast the other's start-up, however loaded
    # the machine, so that both take part (all replica hosts are one download slot: 127.0.0.1).
    settings = {**FAST_SETTINGS, "STORE_URI": store_uri, distributed.SETTING: redis_url,
                "MAX_IDLE_TIME_BEFORE_CLOSE": "3", "DOWNLOAD_DELAY": "0.2",
                "RANDOMIZE_DOWNLOAD_DELAY": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    common = [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "gicrawler.settings",
           "GICRAWLER_SPOOL_DIR": str(tmp_path / "spool")}
    workers = [subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "reports", *common],
                                cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    logs = []
    started = time.monotonic()
    for worker in workers:
        try:
            _, err = worker.communicate(timeout=150)
        except subprocess.TimeoutExpired:
            for w in workers:
                w.kill()
            pytest.fail("a worker did not exit when the queue stayed empty")
        logs.append(err)
        (tmp_path / f"worker{len(logs)}.log").write_text(err)
        assert worker.returncode == 0, err[-3000:]
    assert time.monotonic() - started < 150
    for log in logs:
        assert "'finish_reason': 'finished'" in log, log[-2000:]
        assert "shared queue empty" in log
    # both took part: each dequeued requests from the shared Redis queue
    dequeued = [int(m.group(1)) for log in logs for m in re.finditer(r"'scheduler/dequeued/redis': (\d+)", log)]
    assert len(dequeued) == 2 and all(n > 0 for n in dequeued), dequeued

    # Count what Scrapy requested: its own downloads, and the pages it opened in the browser
    # (top-level navigations). What a page then loads or reloads by script (a challenge's
    # script, list JS/XHR) is the browser's own business, once per worker.
    counts = collections.Counter()
    forms = iter(form for _, _, form in replicas.posts)   # a list API's pages differ only in the form
    for portal, method, path, headers in replicas.requests:
        if method == "POST":
            path = f"{path} {sorted(next(forms).items())}"
        if "Sec-Fetch-Mode" not in headers:
            counts[(portal, method, path, "http")] += 1
        elif headers.get("Sec-Fetch-User"):
            counts[(portal, method, path, "browser")] += 1
    assert sum(n for key, n in counts.items() if key[3] == "browser") > 0  # the browser path is covered
    twice = {key: n for key, n in counts.items()
             if n > 1 and not key[2].startswith("/robots.txt") and (key[0], key[2].split("?")[0]) not in flaky}
    assert not twice, twice
    robots = [n for key, n in counts.items() if key[2].startswith("/robots.txt")]
    assert robots and all(n <= 2 for n in robots)  # at most once per worker per host
    for (portal, path), left in flaky.items():  # each 500 retried by one worker, then one 200
        assert counts[(portal, "GET", path, "http")] == left + 1

    with open_store(store_uri) as store:
        for portal, expected in replicas.expected.items():
            stored = {r["url"] for r in store.find(portal=portal)}
            assert set(expected) <= stored, (portal, sorted(set(expected) - stored))


def test_schedule_redis_workers_locally_or_on_scrapyd(redis_url, replica_seeds, monkeypatch):
    from gicrawler.commands import schedule

    launched = []
    monkeypatch.setattr(schedule, "run_local", lambda commands, jobs, secrets=None: launched.extend(commands) or 0)
    posted = []
    monkeypatch.setattr(schedule, "scrapyd_schedule",
                        lambda url, project, spider, arguments, settings: posted.append((arguments, settings)) or "j")
    parser = argparse.ArgumentParser()
    schedule.add_arguments(parser)

    assert schedule.run(parser.parse_args([str(replica_seeds), "--redis", redis_url, "--workers", "2", "--full"])) == 0
    assert len(launched) == 2
    for _, cmd in launched:  # workers get no seed file: they read the pushed seeds
        assert f"{distributed.SETTING}={redis_url}" in cmd and "full=1" in cmd
        assert not any(arg.startswith("seeds=") for arg in cmd)

    assert schedule.run(parser.parse_args(
        [str(replica_seeds), "--redis", redis_url, "--workers", "3", "--scrapyd", "http://scrapyd:6800"])) == 0
    assert len(posted) == 3
    assert all(arguments == {} and f"{distributed.SETTING}={redis_url}" in settings for arguments, settings in posted)
