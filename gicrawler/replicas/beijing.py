"""北京 district ``zfxxgknb`` replicas: a directory per report year (docs/families.md, zfxxgknb).

Two districts on one server, shaped after the real report URLs of tests/files/beijing (stored
text copies; no page markup was saved, so the list and root markup is TRS-like and unverified):

- ``beijing_huairou`` (怀柔): root ``/zfxxgkzl/gknb/`` → year dirs ``{Y}nb/`` → groups ``qzf{Y}/``
  (区政府), ``qzfbm{Y}/`` (部门, paged with ``createPageHTML(n, i, "index", "html")``), ``zxjd{Y}/``
  (街乡镇); the 2015 report was re-uploaded in 2020 (``…/202003/t20200317_….html``) while its page
  says 日期 2016-03-13; header lines ``日期:… 来源:…``;
- ``beijing_miyun`` (密云): root ``/zwgk/zfxxgk/zfxxgknb/`` → ``gknb{Y}/`` holding the reports
  directly; header lines ``发布时间: … 来源: …``; the seed asks for 2023–2025 only, so
  ``gknb2018/`` is never requested;
- roots also link the 指南 and 目录 directories and a deep link into a group (not followed); lists
  hold non-reports (通知, 要点).
"""
from __future__ import annotations

import math
import random
from html import escape

from gicrawler.replicas import writers
from gicrawler.replicas.portal import Portal
from gicrawler.replicas.reports import ListItem, numid, variant

HR_ROOT, MY_ROOT = "/zfxxgkzl/gknb/", "/zwgk/zfxxgk/zfxxgknb/"
PAGE_SIZE = 3
MY_YEARS = "2023-2025"


class Beijing(Portal):
    name = "beijing"
    region = "北京市"
    family = "zfxxgknb"

    def build(self) -> None:
        rng = random.Random(1100)
        self.items: list[ListItem] = []
        self.dirs: dict[str, str] = {}          # directory path → what it is (for tests)
        hr, my = "北京市怀柔区", "北京市密云区"
        self._root(HR_ROOT, "怀柔区政府信息公开年度报告", {f"{y}nb/": f"{y}年度" for y in (2024, 2023, 2015)},
                   deep=f"{HR_ROOT}2024nb/qzfbm2024/")
        groups = {
            2024: {"qzf2024/": [f"{hr}人民政府"], "qzfbm2024/": [f"{hr}{d}" for d in (
                "发展和改革委员会", "经济和信息化局", "教育委员会", "财政局", "民政局")], "zxjd2024/": [f"{hr}怀柔镇人民政府",
                                                                               f"{hr}泉河街道办事处"]},
            2023: {"qzf2023/": [f"{hr}人民政府"], "qzfbm2023/": [f"{hr}司法局", f"{hr}审计局"]},
            2015: {"qzf2015/": [f"{hr}人民政府"]},
        }
        for year, by_group in groups.items():
            year_dir = f"{HR_ROOT}{year}nb/"
            self._dir_page(year_dir, f"{year}年度政府信息公开工作年度报告",
                           links=[(g, {"qzf": "区政府", "qzfbm": "区政府部门", "zxjd": "街乡镇"}[g.rstrip("/0123456789")])
                                  for g in by_group], items=[])
            for group, agencies in by_group.items():
                items = []
                for agency in agencies:
                    spec = variant(rng, "beijing_huairou", agency, year, size=30 + len(agency))
                    day = spec.published
                    if year == 2015:    # re-uploaded in 2020: the URL's date is not the publication date
                        spec.published, day = "2016-03-13", "2020-03-17"
                    items.append(self._report(year_dir + group, spec, day, "beijing_huairou", header="hr"))
                if group.startswith("qzfbm"):
                    items.append(self._other(year_dir + group, f"关于做好{year}年政府信息公开工作年度报告编制工作的通知",
                                             f"{year + 1}-01-05", "hr"))
                self._list(year_dir + group, items)
        self._root(MY_ROOT, "密云区政府信息公开年度报告", {f"gknb{y}/": f"{y}年" for y in (2025, 2024, 2023, 2018)})
        for year, agencies in {2025: [f"{my}大城子镇人民政府", f"{my}人民政府办公室"],
                               2024: [f"{my}大城子镇人民政府", f"{my}人民政府办公室"],
                               2023: [f"{my}大城子镇人民政府"], 2018: [f"{my}人民政府办公室"]}.items():
            folder = f"{MY_ROOT}gknb{year}/"
            items = [self._report(folder, variant(rng, "beijing_miyun", a, year, size=20 + len(a)), None,
                                  "beijing_miyun" if year >= 2023 else None, header="my") for a in agencies]
            if year == 2024:
                items.append(self._other(folder, f"{my}2025年政务公开工作要点", "2025-03-02", "my"))
            self._list(folder, items)

    def seed_entries(self) -> list[dict]:
        common = lambda: {"region": self.region, "family": self.family, "allowed_domains": ["127.0.0.1"],  # noqa: E731
                          "browser": False, "antibot_browser": False, "obey_robots": True}   # fresh lists: no YAML aliases
        return [{"name": "beijing_huairou", **common(), "index_urls": [self.base + HR_ROOT], "params": {}},
                {"name": "beijing_miyun", **common(), "index_urls": [self.base + MY_ROOT], "params": {"years": MY_YEARS}}]

    # --- pages
    def _rel(self, day: str, key: str) -> str:
        d = day.replace("-", "")
        return f"{d[:6]}/t{d}_{numid('bj/' + key, 7)}.html"

    def _report(self, folder: str, spec, day: str | None, portal: str | None, header: str) -> ListItem:
        day = day or spec.published
        path = folder + self._rel(day, spec.title)
        self.add_page(path, lambda: self._detail(spec.record, spec.body(), path, header, **spec.options),
                      conditional=True, spec=spec)
        if portal:   # None: a report outside the seed's years, never requested
            self.add_report(self.base + path, spec, portal)
        item = ListItem(spec.title, "./" + self._rel(day, spec.title), day, "report" if portal else "outside")
        self.items.append(ListItem(spec.title, path, day, item.kind))
        return item

    def _other(self, folder: str, title: str, day: str, header: str) -> ListItem:
        path = folder + self._rel(day, title)
        record = {"title": title, "published": day, "publisher": "", "tables": {}}
        self.add_page(path, lambda: self._detail(record, ["现将有关事项通知如下。"], path, header))
        self.items.append(ListItem(title, path, day, "distractor"))
        return ListItem(title, "./" + self._rel(day, title), day, "distractor")

    def _detail(self, record: dict, paragraphs, path: str, header: str, **opts) -> bytes:
        body = writers.body_html(record, paragraphs, **opts) if record.get("tables") else "".join(
            f"<p>{escape(p)}</p>" for p in paragraphs)
        pub, source = record.get("published") or "", escape(record.get("publisher") or "")
        line = (f"<span>发布时间: {pub} 09:30</span> <span>来源: {source}</span> <span>字体</span>" if header == "my"
                else f"<span>日期:{pub} 09:30</span>&nbsp;&nbsp;&nbsp;&nbsp;<span>来源:{source}</span>")
        title = escape(record["title"])
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
{writers.meta_tags(record, column="政府信息公开年报", url=path, site_name="北京市人民政府", site_id="1100000088")}
</head><body>
<div class="crumb"><a href="/">首页</a> &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<div class="article"><h1 class="title">{title}</h1>
<div class="info">{line}</div>
<div class="TRS_UEDITOR TRS_WEB">
{body}
</div></div>
</body></html>
""".encode()

    def _root(self, root: str, title: str, years: dict[str, str], deep: str | None = None) -> None:
        links = [(d, label) for d, label in years.items()]
        self.dirs.update({root + d: "year" for d in years})
        others = [("../gkzn/", "政府信息公开指南"), ("../gkml/index.html", "政府信息公开目录")]
        if deep:
            others.append((deep[len(root):], "区政府部门年报"))
        self.dirs.update({root + "../gkzn/": "other", root + "../gkml/": "other"})
        self._dir_page(root, title, links + others, [])

    def _dir_page(self, path: str, title: str, links, items) -> None:
        nav = "".join(f'<li><a href="{escape(h if "/" in h.rstrip("/") or h.startswith("..") else "./" + h)}">'
                      f"{escape(label)}</a></li>" for h, label in links)
        self.add_page(path, lambda: self._list_html(title, nav, items, 0, 1).encode())

    def _list(self, folder: str, items: list[ListItem]) -> None:
        items.sort(key=lambda it: it.date, reverse=True)
        pages = max(1, math.ceil(len(items) / PAGE_SIZE))
        for n in range(pages):
            chunk = items[n * PAGE_SIZE:(n + 1) * PAGE_SIZE]
            page = folder + ("" if n == 0 else f"index_{n}.html")
            render = lambda c=chunk, n=n: self._list_html("政府信息公开年度报告", "", c, n, pages).encode()  # noqa: E731
            self.add_page(page, render)
            if n == 0:
                self.add_page(folder + "index.html", render)

    def _list_html(self, title: str, nav: str, items, n: int, pages: int) -> str:
        rows = "\n".join(f'<li><a href="{escape(it.url)}" target="_blank" title="{escape(it.title)}">'
                         f'{escape(it.title)}</a><span>{it.date}</span></li>' for it in items)
        pager = f'<script>createPageHTML({pages}, {n}, "index", "html");</script>' if pages > 1 else ""
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="SiteName" content="北京市人民政府"><meta name="ColumnName" content="{escape(title)}">
</head><body>
<div class="crumb"><a href="/">首页</a> &gt; 政府信息公开 &gt; {escape(title)}</div>
<div class="left"><ul class="nav">{nav}</ul></div>
<div class="list"><ul>
{rows}
</ul><div class="page">{pager}</div></div>
</body></html>
"""
