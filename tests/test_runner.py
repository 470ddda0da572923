"""gicrawler/runner.py: a function in a warm child process, killed past its time limit, and the
per-document limit of ``gicrawler parse`` / ``gicrawler reparse`` built on it."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gicrawler.commands import reparse
from gicrawler.runner import ChildDied, ChildRunner, RunTimeout, parse_timeout
from gicrawler.store import open_store
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_pdf
from tests.test_cli_export import crawl_corpus
from tests.test_store import mongomock_server, mongomock_shim, store_uri  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_004 = "004_ea69d8cda5ce10c7.txt"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:      # a zombie is gone for our purposes
        return fh.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_runs_in_a_warm_child_and_kills_it_past_the_limit():
    with ChildRunner(warm_up=()) as runner:
        first = runner.run(os.getpid)
        assert first != os.getpid() and runner.run(os.getpid) == first     # the same warm child
        with pytest.raises(RunTimeout, match=r"^parsing took over 0.5 s \(GICRAWLER_PARSE_TIMEOUT\)$"):
            runner.run(time.sleep, 30, timeout=0.5)
        assert not _alive(first)                                           # killed, not left running
        second = runner.run(os.getpid, timeout=10)                         # the next job: a new child
        assert second != first and runner.restarts == 1
        with pytest.raises(ValueError, match="invalid literal"):           # its exceptions come back as they were
            runner.run(int, "x")
        with pytest.raises(ChildDied, match="exit status 3"):
            runner.run(os._exit, 3)
        assert runner.run(sum, [1, 2, 3]) == 6
        last = runner.pid
    assert last is not None and not _alive(last)                           # ends with its user


def test_memory_limit():
    with ChildRunner(memory_limit=1 << 30, warm_up=()) as runner:
        with pytest.raises(MemoryError):
            runner.run(bytearray, 2 << 30)
        assert runner.run(len, b"abc") == 3                                # a fresh child after it


def test_unpicklable_answer_is_an_error_not_a_hang():
    with ChildRunner(warm_up=()) as runner:
        with pytest.raises(RuntimeError, match="sending the answer"):
            runner.run(open, os.devnull)
        assert runner.run(len, "ab") == 2


def test_parse_timeout_value(monkeypatch):
    monkeypatch.delenv("GICRAWLER_PARSE_TIMEOUT", raising=False)
    assert parse_timeout() == 300
    monkeypatch.setenv("GICRAWLER_PARSE_TIMEOUT", "7.5")
    assert parse_timeout() == 7.5 and parse_timeout("2") == 2 and parse_timeout(0) == 0
    for bad in ("-1", "soon", "nan"):
        with pytest.raises(ValueError):
            parse_timeout(bad)


# -------------------------------------------------------------------- gicrawler parse

def gicrawler(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gicrawler", *args], capture_output=True, cwd=ROOT,
                          timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def files(tmp_path_factory, samples_dir):
    d = tmp_path_factory.mktemp("timeouts")
    sample = load_sample("003")
    (d / "003.pdf").write_bytes(report_pdf(sample.record, sample.paragraphs, **sample.options))
    (d / SAMPLE_004).write_bytes((samples_dir / SAMPLE_004).read_bytes())
    return d


def test_parse_past_the_limit_is_a_json_line_and_exit_1(files):
    """A limit no parse can meet (1 ms): each file gets its line with parse_error, the run goes
    on to the next file (a fresh child each time), and the exit status says it failed."""
    done = gicrawler("parse", "--timeout", "0.001", str(files / "003.pdf"), str(files / SAMPLE_004))
    assert done.returncode == 1
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [line["source_file"] for line in lines] == [str(files / "003.pdf"), str(files / SAMPLE_004)]
    for line in lines:
        assert line["parse_error"] == "parsing took over 0.001 s (GICRAWLER_PARSE_TIMEOUT)"
        assert line["tables"] is None and line["title"] is None
    err = done.stderr.decode().splitlines()
    assert err == [f"gicrawler parse: {files / '003.pdf'}: parsing took over 0.001 s (GICRAWLER_PARSE_TIMEOUT)",
                   f"gicrawler parse: {files / SAMPLE_004}: parsing took over 0.001 s (GICRAWLER_PARSE_TIMEOUT)"]


def test_parse_limit_from_the_environment_and_within_it(files):
    done = gicrawler("parse", str(files / SAMPLE_004), env={"GICRAWLER_PARSE_TIMEOUT": "0.001"})
    assert done.returncode == 1 and "parse_error" in json.loads(done.stdout)
    done = gicrawler("parse", str(files / "003.pdf"), str(files / SAMPLE_004), env={"GICRAWLER_PARSE_TIMEOUT": "60"})
    assert done.returncode == 0, done.stderr.decode()
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [set(line["tables"]) for line in lines] == [{"active", "applications", "review_litigation"}] * 2
    assert all("parse_error" not in line for line in lines)
    done = gicrawler("parse", "--timeout", "soon", str(files / SAMPLE_004))
    assert done.returncode == 2 and done.stderr.decode().startswith("gicrawler parse: --timeout: ")


# -------------------------------------------------------------------- gicrawler reparse

def _reparse(argv) -> int:
    parser = argparse.ArgumentParser()
    reparse.add_arguments(parser)
    return reparse.run(parser.parse_args(argv))


def test_reparse_past_the_limit_keeps_the_stored_parse(store_uri, capsys):
    urls = crawl_corpus(store_uri)
    store = open_store(store_uri)
    store.set_fields(urls[0], {"tables": {}, "template": None})      # an "older parser"'s record
    stale = store.get(urls[0])
    store.close()
    assert _reparse(["--store", store_uri, "--timeout", "0.001"]) == 1
    out, err = capsys.readouterr()
    assert out.strip() == (f"0 records changed (0 re-parsed, {len(urls)} not re-parsed, over the time limit "
                           f"or crashed: their stored parse is kept)")
    for url in urls:
        assert f"gicrawler reparse: {url}: parsing took over 0.001 s (GICRAWLER_PARSE_TIMEOUT); " \
               f"its stored parse is kept" in err
    store = open_store(store_uri)
    assert store.get(urls[0]) == stale
    store.close()
    assert _reparse(["--store", store_uri, "--timeout", "120"]) == 0      # within the limit: re-parsed
    assert capsys.readouterr().out.strip() == f"1 records changed ({len(urls)} re-parsed)"
    store = open_store(store_uri)
    assert store.get(urls[0])["tables"]
    store.close()
