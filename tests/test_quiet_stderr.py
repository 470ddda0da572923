"""A crawl that works looks like it works: every expected condition is one line on stderr.

Expected conditions: a dead link (404), a host that refuses connections (robots.txt and its
list pages), an anti-bot challenge, a column reached short, a deprecation warning from Scrapy,
scrapy-redis or playwright. Tracebacks are for bugs only (gicrawler/oneline.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import yaml

from tests.crawl_helpers import REPO, run_crawl
from tests.stderr_lines import assert_one_line_each, stray_lines


def test_stray_lines_are_found():
    """The checker itself: a traceback and a warning's source line are caught, log lines are not."""
    good = ("2026-01-01 10:00:00 [reports] WARNING: report http://x/ of zibo failed: HTTP 404\n"
            "serving replicas: zibo http://127.0.0.1:1\n")
    assert stray_lines(good) == []
    bad = good + ("Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
                  "2026-01-01 10:00:00 [py.warnings] WARNING: x.py:3: DeprecationWarning: old\n"
                  "  old_call()\n")
    assert stray_lines(bad) == ["Traceback (most recent call last):", '  File "x.py", line 1, in <module>',
                                "  old_call()"]


WARN_SCRIPT = textwrap.dedent("""
    import warnings
    import gicrawler.settings  # what every crawl process reads first
    from scrapy.exceptions import ScrapyDeprecationWarning
    from scrapy.utils.log import configure_logging
    configure_logging({"LOG_LEVEL": "WARNING"})
    def old_call():
        warnings.warn("Passing a 'spider' argument\\nis deprecated", ScrapyDeprecationWarning, stacklevel=2)
        warnings.warn("playwright: this is deprecated", DeprecationWarning, stacklevel=2)
    old_call()
""")


@pytest.mark.parametrize("route", ["logging", "stderr"])
def test_a_deprecation_warning_is_one_line(route, tmp_path):
    """Through Scrapy's logging (the default) or printed by Python (with -W / PYTHONWARNINGS set,
    Scrapy leaves warnings alone): one line each, without the source line."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "default" if route == "stderr" else ""}
    if route == "logging":
        env.pop("PYTHONWARNINGS")
    argv = [sys.executable, *(["-W", "always::DeprecationWarning"] if route == "logging" else []), "-c", WARN_SCRIPT]
    proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert len([line for line in lines if "ScrapyDeprecationWarning" in line]) == 1, proc.stderr
    assert len([line for line in lines if "DeprecationWarning: playwright" in line]) == 1, proc.stderr
    assert len(lines) == 2, proc.stderr           # no source line, no blank line
    assert "Passing a 'spider' argument is deprecated" in proc.stderr   # its own newline folded too


def _dead_host_entry(replica_seeds) -> dict:
    """A plain-HTTP replica entry moved to a port where nothing listens (127.0.0.1:1)."""
    entry = next(e for e in yaml.safe_load(replica_seeds.read_text(encoding="utf-8"))["portals"]
                 if e["name"] == "jiaxing")
    host = entry["index_urls"][0].split("/")[2]
    return {**entry, "name": "deadhost", "index_urls": [u.replace(host, "127.0.0.1:1") for u in entry["index_urls"]]}


@pytest.mark.browser
@pytest.mark.slow
def test_scrapy_crawl_of_the_replicas_and_a_dead_host_is_one_line_per_condition(replica_seeds, tmp_path):
    """The replicas have a 404 report, a 412 challenge passed through Chromium and a column
    reached short; the dead host refuses robots.txt and every list page."""
    seeds = yaml.safe_load(replica_seeds.read_text(encoding="utf-8"))
    seeds["portals"].append(_dead_host_entry(replica_seeds))
    path = tmp_path / "seeds.yaml"
    path.write_text(yaml.safe_dump(seeds, allow_unicode=True), encoding="utf-8")
    proc = run_crawl(path, f"sqlite:///{tmp_path / 'quiet.sqlite3'}",
                     settings={"LOG_LEVEL": "WARNING", "RETRY_TIMES": "2"},
                     env={"HOME": str(tmp_path)})   # a first run: nothing cached in ~
    assert proc.returncode == 1, proc.stderr[-3000:]      # the dead portal failed, and says so
    assert_one_line_each(proc.stderr)
    assert "Error downloading <GET http://127.0.0.1:1/" in proc.stderr   # the robots.txt failure, one line
    assert " failed: HTTP 404" in proc.stderr                            # the dead link
    assert "listed " in proc.stderr and "reached " in proc.stderr        # the short column
    assert "portal deadhost: every index URL failed" in proc.stderr
