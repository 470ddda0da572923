"""`gicrawler schedule`: what it posts to scrapyd, what it runs locally, how it fails."""
from __future__ import annotations

import argparse
import base64
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gicrawler.commands import schedule
from gicrawler.seeds import builtin_names, load_builtin


def run_schedule(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    schedule.add_arguments(parser)
    return schedule.run(parser.parse_args(argv))


class Posts(list):
    def __init__(self):
        super().__init__()
        self.auths: list[str | None] = []


@pytest.fixture
def fake_scrapyd():
    """Records schedule.json posts (and their Authorization headers, in ``posts.auths``) and
    answers like scrapyd (status ok + a job id)."""
    posts = Posts()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            posts.auths.append(self.headers.get("Authorization"))
            fields = urllib.parse.parse_qsl(body)
            if self.path != "/schedule.json":
                self.send_response(404)
                self.end_headers()
                return
            posts.append(fields)
            if dict(fields).get("project") != "gicrawler":
                answer = {"status": "error", "message": "project 'x' not found"}
            else:
                answer = {"status": "ok", "jobid": f"job{len(posts)}"}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", posts
    server.shutdown()
    server.server_close()


SEEDS = """\
portals:
  - name: alpha
    family: trs
    index_urls: [http://alpha.example/list/index.shtml]
  - name: beta
    family: hanweb
    index_urls: [http://beta.example/col/col1/index.html]
"""


@pytest.fixture
def seed_file(tmp_path) -> Path:
    path = tmp_path / "two.yaml"
    path.write_text(SEEDS, encoding="utf-8")
    return path


def test_one_scrapyd_job_per_portal_with_arguments_and_store_setting(fake_scrapyd, seed_file, capsys):
    url, posts = fake_scrapyd
    code = run_schedule([str(seed_file), "--scrapyd", url, "--store", "sqlite:////var/lib/g.sqlite3", "--full"])
    assert code == 0
    assert [dict(p)["portal"] for p in posts] == ["alpha", "beta"]
    for fields in posts:
        assert ("project", "gicrawler") in fields and ("spider", "reports") in fields
        assert ("seeds", str(seed_file.resolve())) in fields
        assert ("setting", "STORE_URI=sqlite:////var/lib/g.sqlite3") in fields
        assert ("full", "1") in fields
        assert "revalidate" not in dict(fields)
    out = capsys.readouterr().out
    assert "alpha: scheduled job job1" in out and "beta: scheduled job job2" in out


def test_portal_filter_builtin_seed_name_and_revalidate(fake_scrapyd):
    url, posts = fake_scrapyd
    name = builtin_names()[0]
    portal = load_builtin(name)[0].name
    assert run_schedule([name, "--scrapyd", url, "--portal", portal, "--revalidate"]) == 0
    assert len(posts) == 1
    fields = dict(posts[0])
    # a built-in list needs no file on the scrapyd host: the spider reads the lists in the egg
    assert fields["portal"] == portal and fields["revalidate"] == "1"
    assert "seeds" not in fields and "setting" not in fields and "full" not in fields


def test_errors_are_reported_with_exit_code_2_and_nothing_scheduled(fake_scrapyd, seed_file, capsys, tmp_path):
    url, posts = fake_scrapyd
    assert run_schedule([str(seed_file), "--scrapyd", url, "--portal", "gamma"]) == 2
    assert "unknown portal(s) gamma" in capsys.readouterr().err
    assert run_schedule([str(tmp_path / "missing.yaml"), "--scrapyd", url]) == 2
    assert "not a built-in seed list" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("portals:\n  - name: Bad Name\n    family: trs\n    index_urls: [http://x.example/]\n")
    assert run_schedule([str(bad), "--scrapyd", url]) == 2
    assert "name" in capsys.readouterr().err
    assert posts == []
    # scrapyd refuses (unknown project): the message is shown, the exit code says so
    assert run_schedule([str(seed_file), "--scrapyd", url, "--project", "x"]) == 2
    assert "project 'x' not found" in capsys.readouterr().err
    # nobody listening
    assert run_schedule([str(seed_file), "--scrapyd", "http://127.0.0.1:9"]) == 2
    assert "schedule.json" in capsys.readouterr().err


def test_local_mode_builds_one_scrapy_crawl_per_portal(seed_file, monkeypatch):
    launched = []

    def fake_run_local(commands, jobs, secrets=None):
        launched.extend(commands)
        return 0

    monkeypatch.setattr(schedule, "run_local", fake_run_local)
    assert run_schedule([str(seed_file), "--store", "sqlite:///x.sqlite3", "-s", "LOG_LEVEL=INFO"]) == 0
    assert [label for label, _ in launched] == ["alpha", "beta"]
    cmd = launched[0][1]
    assert cmd[1:5] == ["-m", "scrapy", "crawl", "reports"]
    assert "seeds=" + str(seed_file.resolve()) in cmd and "portal=alpha" in cmd
    assert cmd[cmd.index("STORE_URI=sqlite:///x.sqlite3") - 1] == "-s" and "LOG_LEVEL=INFO" in cmd


def test_run_local_runs_processes_and_returns_the_worst_exit_code(tmp_path):
    import sys

    marker = tmp_path / "ran"
    commands = [
        ("ok", [sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x')"]),
        ("fails", [sys.executable, "-c", "raise SystemExit(3)"]),
        ("ok2", [sys.executable, "-c", f"open({str(marker)!r}, 'a').write('y')"]),
    ]
    assert schedule.run_local(commands, jobs=2) == 3
    assert sorted(marker.read_text()) == ["x", "y"]


def test_sigterm_is_passed_on_to_the_running_crawls_and_starts_no_more(tmp_path):
    """`timeout`/`kill`/a service manager stopping a local schedule: its crawls stop with it (they
    used to crawl on, orphaned), the ones not started yet are not, and the exit status is 143."""
    import signal
    import subprocess

    stopped, second = tmp_path / "stopped", tmp_path / "second"
    crawl = ("import signal, sys, time\n"
             f"signal.signal(signal.SIGTERM, lambda *_: (open({str(stopped)!r}, 'w').write('SIGTERM'), sys.exit(0)))\n"
             "print('crawling', flush=True)\n"
             "time.sleep(60)\n")
    commands = [("first", [sys.executable, "-c", crawl]),
                ("second", [sys.executable, "-c", f"open({str(second)!r}, 'w')"])]
    runner = (f"import sys; from gicrawler.commands import schedule\n"
              f"sys.exit(schedule.run_local({commands!r}, jobs=1))")
    proc = subprocess.Popen([sys.executable, "-c", runner], stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if line.strip() == "crawling":
                break
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 143
    assert stopped.read_text() == "SIGTERM" and not second.exists()
    assert "stopped by SIGTERM: 1 crawl(s) not started" in out and "first: exit 0" in out


def test_jobs_and_workers_are_counts():
    parser = argparse.ArgumentParser()
    schedule.add_arguments(parser)
    for argv in (["zibo", "--jobs", "0"], ["zibo", "--jobs", "x"], ["zibo", "--workers", "-1"]):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)
    assert parser.parse_args(["zibo", "--jobs", "3"]).jobs == 3


@pytest.mark.slow
def test_local_mode_crawls_a_replica_portal_into_the_store(replicas, replica_seeds, tmp_path):
    """The real thing: `gicrawler schedule SEEDS --portal P` runs `scrapy crawl` here."""
    from gicrawler.seeds import load_seeds
    from gicrawler.store import open_store

    portal = next(p.name for p in load_seeds(replica_seeds) if not p.browser)
    store_uri = f"sqlite:///{tmp_path / 'local.sqlite3'}"
    from tests.crawl_helpers import FAST_SETTINGS

    fast = [arg for key, value in FAST_SETTINGS.items() for arg in ("-s", f"{key}={value}")]
    assert run_schedule([str(replica_seeds), "--portal", portal, "--store", store_uri, *fast]) == 0
    with open_store(store_uri) as store:
        assert {r["url"] for r in store.find(portal=portal)} == set(replicas.expected[portal])
        assert store.last_run(portal)["stats"]["reports"] >= 1


def test_scrapyd_credentials_go_in_a_header_and_never_in_the_output(fake_scrapyd, capsys):
    url, posts = fake_scrapyd
    host = url.removeprefix("http://")
    assert run_schedule(["zibo", "--portal", "zibo", "--scrapyd", f"http://admin:s3cr%40t@{host}"]) == 0
    assert posts.auths == ["Basic " + base64.b64encode(b"admin:s3cr@t").decode()]
    # nothing listening: the error names the server, not the password
    assert run_schedule(["zibo", "--scrapyd", "http://admin:s3cret@127.0.0.1:1"]) == 2
    captured = capsys.readouterr()
    assert "s3cr" not in captured.out + captured.err
    assert "scheduled job job1 on http://***@127.0.0.1:" in captured.out
    assert captured.err.startswith("gicrawler schedule: http://***@127.0.0.1:1/schedule.json: ")


def test_local_crawl_commands_are_printed_without_the_store_password(capsys):
    cmd = [sys.executable, "-c", "pass", "-s", "STORE_URI=mongodb://gi:s3cret@db:27017/gicrawler"]
    assert schedule.run_local([("zibo", cmd)], jobs=1) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out and "STORE_URI=mongodb://***@db:27017/gicrawler" in out


# -- secrets: never on a command line (issue 9.8) --------------------------------------------------

STORE_WITH_PASSWORD = "mongodb://gi:s3cret@db:27017/gicrawler"


def test_local_crawls_get_the_store_password_in_their_environment_not_their_arguments(seed_file, monkeypatch):
    launched = []
    monkeypatch.setattr(schedule, "run_local",
                        lambda commands, jobs, secrets=None: launched.append((commands, secrets)) or 0)
    assert run_schedule([str(seed_file), "--store", STORE_WITH_PASSWORD]) == 0
    (commands, secrets), = launched
    for _, cmd in commands:
        assert not any("s3cret" in arg for arg in cmd)
        assert cmd[cmd.index("STORE_URI=env:GICRAWLER_STORE") - 1] == "-s"
    assert secrets == {"GICRAWLER_STORE": STORE_WITH_PASSWORD}


def test_run_local_hands_the_secret_over_by_environment(tmp_path, capsys):
    probe = ("import os, sys; secret = b's3' + b'cret'; args = open('/proc/self/cmdline', 'rb').read(); "
             "sys.exit(0 if secret not in args and secret.decode() in os.environ['GICRAWLER_STORE'] else 5)")
    cmd = [sys.executable, "-c", probe, "-s", "STORE_URI=env:GICRAWLER_STORE"]
    assert schedule.run_local([("zibo", cmd)], jobs=1, secrets={"GICRAWLER_STORE": STORE_WITH_PASSWORD}) == 0
    assert "s3cret" not in capsys.readouterr().out


def test_scrapyd_jobs_get_a_reference_to_the_secret_and_the_user_is_told(fake_scrapyd, seed_file, capsys):
    url, posts = fake_scrapyd
    assert run_schedule([str(seed_file), "--scrapyd", url, "--store", STORE_WITH_PASSWORD]) == 0
    assert all(("setting", "STORE_URI=env:GICRAWLER_STORE") in fields for fields in posts)
    assert "s3cret" not in json.dumps(posts)
    captured = capsys.readouterr()
    assert "s3cret" not in captured.out + captured.err
    assert "$GICRAWLER_STORE" in captured.err and "environment scrapyd runs with" in captured.err
    # an explicit reference, or a URI without a password, is sent as it is, without a word
    assert run_schedule([str(seed_file), "--scrapyd", url, "--store", "env:MY_STORE"]) == 0
    assert ("setting", "STORE_URI=env:MY_STORE") in posts[-1] and capsys.readouterr().err == ""


def test_other_settings_with_credentials_are_warned_about(seed_file, monkeypatch, capsys):
    monkeypatch.setattr(schedule, "run_local", lambda commands, jobs, secrets=None: 0)
    assert run_schedule([str(seed_file), "-s", "FEEDS_URI=s3://key:s3cret@bucket/x"]) == 0
    assert "holds credentials" in capsys.readouterr().err


def test_a_store_reference_is_read_from_the_environment(tmp_path, monkeypatch):
    from gicrawler.store import StoreError, open_store

    monkeypatch.setenv("MY_STORE", f"sqlite:///{tmp_path}/s.sqlite3")
    with open_store("env:MY_STORE") as store:
        assert store.path == str(tmp_path / "s.sqlite3")
    monkeypatch.delenv("MY_STORE")
    with pytest.raises(StoreError, match=r"STORE_URI=env:MY_STORE: \$MY_STORE is not set"):
        open_store("env:MY_STORE")


def test_a_redis_reference_is_read_from_the_environment(monkeypatch):
    from scrapy.settings import Settings

    from gicrawler import distributed

    monkeypatch.setenv("GICRAWLER_REDIS_URL", "redis://:r3dis@127.0.0.1:6379/0")
    settings = Settings({distributed.SETTING: "env:GICRAWLER_REDIS_URL"}, priority="cmdline")
    distributed.configure(settings)
    assert settings["REDIS_URL"] == "redis://:r3dis@127.0.0.1:6379/0" == settings[distributed.SETTING]
    monkeypatch.delenv("GICRAWLER_REDIS_URL")
    with pytest.raises(ValueError, match="is not set"):
        distributed.configure(Settings({distributed.SETTING: "env:GICRAWLER_REDIS_URL"}))


def test_a_redis_password_goes_by_environment_too():
    shown, env = schedule.without_secrets(["GICRAWLER_REDIS_URL=redis://:r3dis@cache:6379/0", "LOG_LEVEL=INFO",
                                           "STORE_URI=sqlite:///plain.sqlite3"])
    assert shown == ["GICRAWLER_REDIS_URL=env:GICRAWLER_REDIS_URL", "LOG_LEVEL=INFO", "STORE_URI=sqlite:///plain.sqlite3"]
    assert env == {"GICRAWLER_REDIS_URL": "redis://:r3dis@cache:6379/0"}


@pytest.mark.slow
def test_a_crawl_whose_store_reference_is_unset_exits_2_with_one_line(tmp_path):
    from tests.crawl_helpers import run_crawl

    seeds = tmp_path / "seeds.yaml"
    seeds.write_text(SEEDS, encoding="utf-8")
    proc = run_crawl(seeds, "env:GICRAWLER_TEST_NOT_SET", env={"GICRAWLER_TEST_NOT_SET": None}, timeout=60)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "STORE_URI=env:GICRAWLER_TEST_NOT_SET: $GICRAWLER_TEST_NOT_SET is not set" in proc.stderr
    assert "Traceback" not in proc.stderr
