"""gov.cn and State Council ministry replicas (docs/families.md, govcn), built on the documented
facts: no real page of this family was saved (tests/files/govcn/README.md), so every shape is
the crawlers' description, unverified.

- ``govcn`` (a ministry, 退役军人事务部-like): column ``/gongkai/zfxxgkpt/zfxxgknb/index.html``,
  ``index_1.html`` …, the page count in ``var countPage = N`` (no createPageHTML), rows
  ``.overview_right li a`` → ``./YYYYMM/tYYYYMMDD_{id}.html``; a ``.overview_left`` box links
  another body's report on the same host (the seed's ``list_selector`` keeps it out); details
  with ArticleTitle/PubDate/ContentSource metas and a ``.trs_editor_view`` body, one report also
  as a PDF;
- ``govcn_state`` (国务院办公厅 on gov.cn): a one-page list of ``/zhengce/content/YYYYMM/content_{n}.htm``
  details with the ``<td><b>索 引 号：</b></td><td>…</td>`` table, ``firstpublishedtime`` /
  ``manuscriptId`` metas and the body in ``#UCAP-CONTENT``.
"""
from __future__ import annotations

import math
import random
from html import escape

from gicrawler.replicas import writers
from gicrawler.replicas.portal import Portal
from gicrawler.replicas.reports import DISTRACTORS, ListItem, numid, variant

COLUMN = "/gongkai/zfxxgkpt/zfxxgknb/"
STATE = "/zhengce/xxgk/gknb/"
PAGE_SIZE = 3
MINISTRY, STATE_OFFICE = "退役军人事务部", "国务院办公厅"


class Govcn(Portal):
    name = "govcn"
    region = "国务院部门"
    family = "govcn"

    def build(self) -> None:
        rng = random.Random(1000)
        self.items: list[ListItem] = []
        specs = [variant(rng, self.name, MINISTRY, y, size=200 + y % 10 * 13)
                 for y in (2024, 2023, 2022, 2021, 2020, 2019)]
        specs[3].delivery = "html+pdf"
        rows = [self._ministry_report(spec) for spec in specs]
        for pattern in DISTRACTORS[:2]:
            title = pattern.format(agency=MINISTRY, year=2024, next=2025)
            rows.append(self._ministry_page(title, "2025-02-20", None))
        rows.sort(key=lambda it: it.date, reverse=True)
        pages = math.ceil(len(rows) / PAGE_SIZE)
        # a related-links box beside the list: another body's report, not this column's
        other = variant(rng, self.name, "国家信访局", 2024, size=90)
        side = self._ministry_page(other.title, other.published, other, folder="/gongkai/zfxxgkpt/xfjnb/",
                                   kind="outside")
        for n in range(pages):
            chunk = rows[n * PAGE_SIZE:(n + 1) * PAGE_SIZE]
            self.add_page(COLUMN + ("index.html" if n == 0 else f"index_{n}.html"),
                          lambda c=chunk, n=n: self._column(c, n, pages, side))
        state_specs = [variant(rng, "govcn_state", STATE_OFFICE, y, size=1200 + y % 10 * 37, index_prefix="000014349")
                       for y in (2024, 2023, 2022)]
        state_rows = [self._state_report(spec) for spec in state_specs]
        title = f"关于做好{2024}年政府信息公开工作年度报告编制和发布工作的通知"
        state_rows.append(self._state_page(title, "2025-01-03", None))
        self.add_page(STATE + "index.htm", lambda: self._state_list(state_rows))

    def seed_entries(self) -> list[dict]:
        common = lambda: {"region": self.region, "family": self.family, "allowed_domains": ["127.0.0.1"],  # noqa: E731
                          "browser": False, "antibot_browser": False, "obey_robots": True}   # fresh lists: no YAML aliases
        return [{"name": "govcn", **common(), "index_urls": [self.base + COLUMN + "index.html"],
                 "params": {"list_selector": ".overview_right"}},
                {"name": "govcn_state", **common(), "index_urls": [self.base + STATE + "index.htm"], "params": {}}]

    # --- the ministry column
    def _ministry_report(self, spec) -> ListItem:
        item = self._ministry_page(spec.title, spec.published, spec)
        self.add_report(self.base + COLUMN + item.url[2:], spec, "govcn")
        return item

    def _ministry_page(self, title: str, day: str, spec, folder: str = COLUMN, kind: str | None = None) -> ListItem:
        d = day.replace("-", "")
        rel = f"./{d[:6]}/t{d}_{numid('govcn/' + title, 6)}.html"
        path = folder + rel[2:]
        files = []
        if spec is not None and spec.delivery == "html+pdf":
            pdf = f"P0{d}{numid('govcn/pdf/' + title, 6)}.pdf"
            self.add_page(folder + d[:6] + "/" + pdf, lambda: writers.report_pdf(spec.record, spec.body(), **spec.options),
                          "application/pdf", conditional=True, spec=spec)
            files.append((f"./{pdf}", title + ".pdf"))
        record = spec.record if spec else {"title": title, "published": day, "publisher": MINISTRY, "tables": {}}
        paragraphs = spec.body if spec else (lambda: ["现将有关事项通知如下。"])
        self.add_page(path, lambda: self._ministry_detail(record, paragraphs(), files, path,
                                                          **(spec.options if spec else {})),
                      conditional=spec is not None, spec=spec)
        item = ListItem(title, rel, day, kind or ("report" if spec else "distractor"))
        self.items.append(ListItem(title, path, day, item.kind))
        return item

    def _ministry_detail(self, record, paragraphs, files, path, **opts) -> bytes:
        body = writers.body_html(record, paragraphs, **opts) if record.get("tables") else "".join(
            f"<p>{escape(p)}</p>" for p in paragraphs)
        body += "".join(f'<p>附件：<a href="{escape(h)}">{escape(t)}</a></p>' for h, t in files)
        title = escape(record["title"])
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_{MINISTRY}</title>
{writers.meta_tags(record, column="政府信息公开年报", url=path, site_name=MINISTRY, site_domain="www.mva.gov.cn", site_id="bm22000001")}
</head><body>
<div class="position">当前位置：<a href="/">首页</a> &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<div class="detail"><h1>{title}</h1>
<div class="pages-date">{record.get("published") or ""} 09:30 来源：{escape(record.get("publisher") or "")}</div>
<div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">
{body}
</div></div>
</body></html>
""".encode()

    def _column(self, rows, n: int, pages: int, side: ListItem) -> bytes:
        lis = "\n".join(f'<li><a href="{escape(it.url)}" target="_blank" title="{escape(it.title)}">{escape(it.title)}</a>'
                        f"<span>{it.date}</span></li>" for it in rows)
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报_{MINISTRY}</title>
<meta name="SiteName" content="{MINISTRY}"><meta name="ColumnName" content="政府信息公开年报">
</head><body>
<div class="overview_left"><h3>相关链接</h3><ul>
<li><a href="/gongkai/zfxxgkpt/xfjnb/{side.url[2:]}" title="{escape(side.title)}">{escape(side.title)}</a><span>{side.date}</span></li>
</ul></div>
<div class="overview_right"><ul>
{lis}
</ul>
<div id="page"></div>
<script>var currentPage = {n}; var countPage = {pages};
function goPage(i) {{ location.href = i == 0 ? "index.html" : "index_" + i + ".html"; }}</script>
</div>
</body></html>
""".encode()

    # --- gov.cn
    def _state_report(self, spec) -> ListItem:
        item = self._state_page(spec.title, spec.published, spec)
        self.add_report(self.base + item.url, spec, "govcn_state")
        return item

    def _state_page(self, title: str, day: str, spec) -> ListItem:
        path = f"/zhengce/content/{day[:7].replace('-', '')}/content_{numid('govcn/state/' + title, 7)}.htm"
        record = spec.record if spec else {"title": title, "published": day, "publisher": STATE_OFFICE, "tables": {}}
        paragraphs = spec.body if spec else (lambda: ["各省、自治区、直辖市人民政府，国务院各部委、各直属机构："])
        self.add_page(path, lambda: self._state_detail(record, paragraphs(), path, **(spec.options if spec else {})),
                      conditional=spec is not None, spec=spec)
        item = ListItem(title, path, day, "report" if spec else "distractor")
        self.items.append(item)
        return item

    def _state_detail(self, record, paragraphs, path, **opts) -> bytes:
        body = writers.body_html(record, paragraphs, **opts) if record.get("tables") else "".join(
            f"<p>{escape(p)}</p>" for p in paragraphs)
        pub = record.get("published") or ""
        e = lambda k: escape(record.get(k) or "")  # noqa: E731
        cn = f"{pub[:4]}年{int(pub[5:7])}月{int(pub[8:10])}日" if pub else ""
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{e("title")}_{STATE_OFFICE}_中国政府网</title>
<meta name="manuscriptId" content="{path.rsplit('_', 1)[1].split('.')[0]}">
<meta name="firstpublishedtime" content="{pub}-09:30:00">
<meta name="lanmu" content="政府信息公开"><meta name="catalog" content="政府信息公开年报">
</head><body>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/zhengce/">政策</a> &gt; 政府信息公开</div>
<table class="policyLibraryOverview_header" cellspacing="0" cellpadding="0">
<tr><td><b>索 引 号：</b></td><td>{e("index_number")}</td><td><b>主题分类：</b></td><td>综合政务\\其他</td></tr>
<tr><td><b>发文机关：</b></td><td>{e("publisher")}</td><td><b>成文日期：</b></td><td>{cn}</td></tr>
<tr><td><b>标\u3000\u3000题：</b></td><td colspan="3">{e("title")}</td></tr>
<tr><td><b>发文字号：</b></td><td></td><td><b>发布日期：</b></td><td>{cn}</td></tr>
</table>
<div class="pages_content" id="UCAP-CONTENT">
{body}
</div>
</body></html>
""".encode()

    def _state_list(self, rows) -> bytes:
        lis = "\n".join(f'<li><h4><a href="{escape(it.url)}" target="_blank">{escape(it.title)}</a>'
                        f'<span class="date">{it.date}</span></h4></li>' for it in sorted(rows, key=lambda r: r.date, reverse=True))
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报_中国政府网</title></head><body>
<div class="list list_1 list_2"><ul>
{lis}
</ul></div>
</body></html>
""".encode()
