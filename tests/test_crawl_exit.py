"""Failure must not look like success (issue 9.10): what `scrapy crawl` (the project's crawl command,
gicrawler/scrapy_commands/crawl.py) and `gicrawler schedule` exit with, and say, when a crawl
could not start or reached nothing."""
from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from gicrawler.scrapy_commands.crawl import exit_status
from tests.attack import hostile
from tests.crawl_helpers import FAST_SETTINGS, REPO, run_crawl
from tests.test_seeds import billion_laughs

QUICK = {"RETRY_TIMES": "0", "DOWNLOAD_TIMEOUT": "5", "LOG_LEVEL": "INFO"}


def last_line(proc) -> str:
    return proc.stderr.strip().splitlines()[-1]


def test_exit_status_from_stats():
    assert exit_status({"finish_reason": "finished", "gicrawler/a/reports": 3}) == (0, [])
    assert exit_status({"finish_reason": "store_unavailable", "gicrawler/store_error": "down"})[0] == 2
    code, problems = exit_status({"finish_reason": "finished", "gicrawler/a/unreachable": 1,
                                  "gicrawler/b/zero_reports": 1, "gicrawler/c/reports": 5})
    assert code == 1 and problems == ["portal a: every index URL failed",
                                      "portal b: found no report where the previous run found some"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    secret = tmp_path_factory.mktemp("exit-secret") / "secret.txt"
    secret.write_text("x")
    srv = hostile.HostilePortal(str(secret)).start()
    try:
        yield srv
    finally:
        srv.stop()


def write_seeds(path, entries):
    path.write_text(yaml.safe_dump({"portals": entries}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", ["yaml_bomb", "unknown_portal", "start_argument", "mistyped_argument", "not_a_flag"])
def test_bad_seeds_or_arguments_end_in_one_line_and_exit_2(tmp_path, case):
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text(billion_laughs() if case == "yaml_bomb" else
                     "portals:\n  - name: zibo\n    family: trs\n    index_urls: [http://127.0.0.1:9/x/index.shtml]\n",
                     encoding="utf-8")
    args = {"yaml_bomb": [], "unknown_portal": ["portal=nope"], "start_argument": ["start=1"],
            "mistyped_argument": ["revalidat=1", "_job=abc"], "not_a_flag": ["full=ture"]}[case]
    proc = run_crawl(seeds, f"sqlite:///{tmp_path / 's.sqlite3'}", args=args, timeout=60)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "Crawler.stats is not set" not in proc.stderr
    line = last_line(proc)
    assert line.startswith("scrapy crawl reports: ")
    assert {"yaml_bomb": "aliases", "unknown_portal": "portal nope not in the seed list",
            "start_argument": "unknown spider argument start (the arguments: seeds, portal, full, revalidate)",
            # a typo is not a crawl quietly doing something else; scrapyd's _job is no typo
            "mistyped_argument": "unknown spider argument revalidat (the arguments: seeds, portal, full, revalidate)",
            "not_a_flag": "full='ture' is not a yes or no (1/0, true/false, yes/no, on/off)"}[case] in line


def test_store_down_at_start_fails_at_once(tmp_path):
    """One ping, not one per component (the incremental middleware and the run stats used to ping
    again, 5 s each), and no 'coroutine … was never awaited' warning."""
    seeds = write_seeds(tmp_path / "seeds.yaml", [{"name": "t", "family": "trs", "allowed_domains": ["127.0.0.1"],
                                                   "index_urls": ["http://127.0.0.1:9/x/index.shtml"]}])
    proc = run_crawl(seeds, "mongodb://crawler:hunter22@127.0.0.1:1/x?serverSelectionTimeoutMS=300", timeout=60)
    assert proc.returncode == 2
    assert "never awaited" not in proc.stderr and "known pages unreadable" not in proc.stderr
    log = [line for line in proc.stderr.splitlines() if line.startswith("20")]
    assert sum("(ping)" in line for line in log) == 1
    assert last_line(proc).startswith("scrapy crawl reports: exit 2: not crawled (store_unavailable)")
    assert "hunter22" not in proc.stderr


def dead_portal(server) -> dict:
    """Every index URL fails: a gzip bomb, an off-site redirect, a closed port."""
    return {"name": "dead", "family": "trs", "allowed_domains": ["127.0.0.1"], "obey_robots": False,
            "index_urls": [f"{server.base}/trs/202401/t20240101_8.shtml", f"{server.base}/trs/202401/t20240101_2.shtml",
                           "http://127.0.0.1:9/closed/index.shtml"]}


def test_a_portal_whose_every_index_url_failed_exits_1_and_schedule_says_so(server, tmp_path):
    seeds = write_seeds(tmp_path / "seeds.yaml", [dead_portal(server)])
    settings = [f"{k}={v}" for k, v in {**FAST_SETTINGS, **QUICK}.items()]
    cmd = [sys.executable, "-m", "gicrawler", "schedule", str(seeds), "--store", f"sqlite:///{tmp_path / 's.sqlite3'}"]
    for setting in settings + [f"GICRAWLER_SPOOL_DIR={tmp_path / 'spool'}"]:
        cmd += ["-s", setting]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "dead: exit 1" in done.stdout
    assert "scrapy crawl reports: exit 1: portal dead: every index URL failed" in done.stderr
    assert "portal dead: every index URL failed (3 of 3)" in done.stderr
    assert server.offsite.requests() == []


def test_a_portal_that_found_nothing_where_it_found_reports_before_exits_1(server, tmp_path):
    """The same column, first with its reports, then answering an empty list: the second crawl
    stored nothing where the store had some (``zero_reports``)."""
    entry = {"name": "shrunk", "family": "trs", "allowed_domains": ["127.0.0.1"], "obey_robots": False,
             "index_urls": [f"{server.base}/big/index.shtml"]}
    uri = f"sqlite:///{tmp_path / 's.sqlite3'}"
    seeds = write_seeds(tmp_path / "seeds.yaml", [entry])
    first = run_crawl(seeds, uri, settings=QUICK, timeout=120)
    assert first.returncode == 0, first.stderr[-3000:]
    entry["index_urls"] = [f"{server.base}/trs/index_1.shtml"]  # the same portal, an empty list now
    second = run_crawl(write_seeds(tmp_path / "seeds.yaml", [entry]), uri, settings=QUICK, timeout=120)
    assert second.returncode == 1, second.stderr[-3000:]
    assert last_line(second) == ("scrapy crawl reports: exit 1: portal shrunk: "
                                 "found no report where the previous run found some")
