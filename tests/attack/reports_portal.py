"""A plain loopback portal of N report pages (TRS lists), for the tests that attack the crawl's
pipelines and store rather than its spider: slow parses, lost items, store faults.

``ReportsPortal(n)`` serves ``/trs/index.shtml`` listing reports 1…n, each an ordinary report
page (``padding`` bytes of filler text make the store grow fast, for the disk-full attacks).
``on_report(number)`` is called as each report page is requested: a test uses it to break the
store mid-crawl (at report k). Report pages whose number is in ``slow`` carry ``SLOW_MARK``,
which tests/slow_parse.py turns into a parse that never ends.

Everything here is synthetic (no saved page of a real portal).
"""
from __future__ import annotations

import random
from typing import Callable, Iterable

import yaml

from tests.attack.hostile import REPORT_TITLE, _Server, report_page

SLOW_MARK = "SLOW-PARSE-4711"


def filler(seed: int, size: int) -> str:
    """About ``size`` bytes (UTF-8) of CJK text that compresses badly (the store must grow)."""
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(size // 3))


class ReportsPortal(_Server):
    def __init__(self, n: int, *, slow: Iterable[int] = (), padding: int = 0,
                 on_report: Callable[[int], None] | None = None):
        super().__init__()
        self.n, self.slow, self.padding, self.on_report = n, set(slow), padding, on_report

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def report_url(self, number: int) -> str:
        return f"{self.base}/trs/202401/t20240101_{number}.shtml"

    @property
    def report_urls(self) -> list[str]:
        return [self.report_url(number) for number in range(1, self.n + 1)]

    def write_seeds(self, path, name: str = "faults") -> None:
        entry = {"name": name, "family": "trs", "region": "攻击测试",
                 "index_urls": [f"{self.base}/trs/index.shtml"], "allowed_domains": ["127.0.0.1"],
                 "obey_robots": False}
        path.write_text(yaml.safe_dump({"portals": [entry]}, allow_unicode=True), encoding="utf-8")

    def index(self) -> bytes:
        rows = "".join(
            f"<li><a href='./202401/t20240101_{n}.shtml' title='{REPORT_TITLE.format(n=n)}'>{n}</a>"
            f"<span>2024-01-01</span></li>" for n in range(1, self.n + 1))
        return f"<html><head><meta charset='utf-8'></head><body><ul>{rows}</ul></body></html>".encode()

    def answer(self, h, url, form):
        if url.path == "/trs/index.shtml":
            return self.send(h, self.index())
        if url.path.startswith("/trs/202401/t20240101_"):
            number = int(url.path.rsplit("_", 1)[1].split(".")[0])
            if self.on_report is not None:
                self.on_report(number)
            body = f"<p>{SLOW_MARK}</p>" if number in self.slow else ""
            if self.padding:
                body += f"<p>{filler(number, self.padding)}</p>"
            return self.send(h, report_page(number, body))
        return self.send(h, b"<html><body>404</body></html>", status=404)
