"""Back off per host (issue 9.11): a host answering 503 gets a longer download delay, and nothing
else waits for it. The middleware used to sleep in process_response, holding its request in the
downloader's active set: as many backing-off requests as CONCURRENT_REQUESTS stopped every portal;
and retries waiting out a slot delay count against it too, unless the scheduler's queue keeps
them few (gicrawler/scheduling.py).

Ordering, not timing, is asserted: every request to the healthy host arrives before the failing
host's first retry (which its backoff puts RETRY_BACKOFF_BASE seconds later).
"""
from __future__ import annotations

import threading

import yaml

from tests.attack.hostile import REPORT_TITLE, _Server, report_page
from tests.crawl_helpers import run_crawl

REPORTS = 10


class Host(_Server):
    """One host of a two-host crawl; arrivals are appended to a log shared by both hosts."""

    def __init__(self, name: str, arrivals: list, lock: threading.Lock, failing: bool):
        super().__init__()
        self.name, self.arrivals, self.shared_lock, self.failing = name, arrivals, lock, failing

    def answer(self, h, url, form):
        with self.shared_lock:
            self.arrivals.append((self.name, url.path))
        if self.failing:
            return self.send(h, b"<html><body>503 Service Unavailable</body></html>", status=503)
        if url.path == "/nb/index.shtml":
            # answered a little late, as a real list is: the failing host's requests are all
            # scheduled by then, and nothing else is pending to be preferred over them
            self.closing.wait(0.5)
            rows = "".join(f"<li><a href='./202401/t20240101_{n}.shtml'>{REPORT_TITLE.format(n=n)}</a></li>"
                           for n in range(REPORTS))
            return self.send(h, f"<html><body><ul>{rows}</ul></body></html>".encode())
        return self.send(h, report_page(int(url.path.rsplit("_", 1)[1].split(".")[0])))


def test_a_failing_host_does_not_slow_another(tmp_path):
    arrivals, lock = [], threading.Lock()
    failing = Host("failing", arrivals, lock, failing=True).start()
    healthy = Host("healthy", arrivals, lock, failing=False).start()
    try:
        seeds = tmp_path / "seeds.yaml"
        seeds.write_text(yaml.safe_dump({"portals": [
            {"name": "down", "family": "trs", "allowed_domains": ["127.0.0.1"], "obey_robots": False,
             "index_urls": [f"http://127.0.0.1:{failing.port}/nb{i}/index.shtml" for i in (1, 2, 3, 4)]},
            {"name": "up", "family": "trs", "allowed_domains": ["localhost"], "obey_robots": False,
             "index_urls": [f"http://localhost:{healthy.port}/nb/index.shtml"]},
        ]}), encoding="utf-8")
        proc = run_crawl(seeds, f"sqlite:///{tmp_path / 's.sqlite3'}", timeout=120, settings={
            "RETRY_BACKOFF_BASE": "2", "RETRY_TIMES": "1", "CONCURRENT_REQUESTS": "4",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "2"})
    finally:
        failing.stop()
        healthy.stop()
    assert proc.returncode == 1 and "portal down: every index URL failed" in proc.stderr  # (9.10)
    to_failing = [path for host, path in arrivals if host == "failing"]
    assert sorted(to_failing) == sorted(2 * [f"/nb{i}/index.shtml" for i in (1, 2, 3, 4)])  # each tried twice
    order = [(host, path) for host, path in arrivals]
    first_retry = next(i for i, (host, path) in enumerate(order)
                       if host == "failing" and (host, path) in order[:i])
    healthy_seen = [i for i, (host, _) in enumerate(order) if host == "healthy"]
    assert len(healthy_seen) == 1 + REPORTS
    assert max(healthy_seen) < first_retry, order
