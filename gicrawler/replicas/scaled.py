"""The big replica for benchmarks: ``ReplicaSet.start(scale=N)`` serves one TRS portal ``bigtrs``
with N generated reports (UTF-8, no anti-bot, no browser needed).

- column ``/xxgk_17/gknr/qt/ndbg/index.shtml``, ``index_1.shtml`` … (``PAGE_SIZE`` rows each,
  ``createPageHTML(pages, i, "index", "shtml")``), plus one distractor row every 40 reports;
- detail pages as in the 黄石 replica (4-column metadata table, ``.TRS_UEDITOR`` body with the
  national tables), with ETag/Last-Modified and 304 answers, so ``benchmarks/recrawl.py`` can
  measure an incremental re-crawl; ``rs.modify(url)`` works as everywhere;
- ``pdf_every=K`` (``ReplicaSet.start(scale=N, pdf_every=K)``): every K-th report is published
  as its page plus the same report as a PDF attachment (``delivery="html+pdf"``, as in 黄石), so
  ``benchmarks/crawl.py`` can measure a mix with PDFs; 0 (the default) = HTML pages only.

Specs are generated up front (seeded); pages render on first request and stay cached.
"""
from __future__ import annotations

import math
import random

from gicrawler.replicas.huangshi import HTML, Huangshi
from gicrawler.replicas.reports import ListItem, variant

COLUMN = "/xxgk_17/gknr/qt/ndbg/"
PAGE_SIZE = 20
AGENCIES = [f"{city}{dept}" for city in ("滨江市", "青川市", "临水县", "云台区", "北湖区")
            for dept in ("人民政府办公室", "发展和改革局", "教育局", "公安局", "民政局", "司法局", "财政局",
                         "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局",
                         "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局",
                         "审计局", "市场监督管理局", "统计局", "医疗保障局", "数据局", "信访局", "城市管理局")]


class BigTrs(Huangshi):
    name = "bigtrs"
    region = "测试省滨江市"
    charset = "utf-8"
    antibot_browser = False
    page_size = PAGE_SIZE

    def __init__(self, rs, scale: int, pdf_every: int = 0):
        super().__init__(rs)
        self.scale = scale
        self.pdf_every = pdf_every

    def build(self) -> None:
        rng = random.Random(20000 + self.scale)
        items: list[ListItem] = []
        years = range(2024, 2014, -1)
        for i in range(self.scale):
            agency = AGENCIES[i % len(AGENCIES)]
            year = years[(i // len(AGENCIES)) % len(years)]
            if (i // (len(AGENCIES) * len(years))) > 0:   # more reports than agency×year: a 补充 version
                agency = f"{agency}（第{i // (len(AGENCIES) * len(years)) + 1}批）"
            spec = variant(rng, self.name, agency, year, size=rng.choice([3, 8, 20, 60]),
                           index_prefix=f"0110{i % 97:05d}", category="政府部门",
                           error="row_sum" if i % 50 == 7 else None,
                           delivery="html+pdf" if self.pdf_every and i % self.pdf_every == 3 else "html")
            items.append(self._report(COLUMN, spec))
            if i % 40 == 39:
                title = f"{agency}{year + 1}年政务公开工作要点"
                rel = self._rel(spec.published, title)
                page = {"title": title, "published": spec.published, "publisher": agency, "tables": {}}
                self.add_page(COLUMN + rel[2:], lambda p=page, r=rel: self._detail(p, ["现予印发。"], [],
                                                                                  COLUMN + r[2:]))
                items.append(ListItem(title, rel, spec.published, "distractor"))
        items.sort(key=lambda it: it.date, reverse=True)
        pages = math.ceil(len(items) / self.page_size)
        for n in range(pages):
            name = "index.shtml" if n == 0 else f"index_{n}.shtml"
            self.add_page(COLUMN + name, lambda n=n: self._list(items, n, pages))

    def guard(self, req):
        return None

    def seed_entries(self) -> list[dict]:
        return [{"name": self.name, "region": self.region, "family": "trs",
                 "index_urls": [self.base + COLUMN + "index.shtml"], "allowed_domains": ["127.0.0.1"],
                 "browser": False, "antibot_browser": False, "obey_robots": True, "params": {}}]


__all__ = ["BigTrs", "HTML"]
