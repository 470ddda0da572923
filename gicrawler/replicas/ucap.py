"""开普云 (Ucap) search replica: a 甘肃 provincial department found through its site search
(docs/families.md, ucap).

Pages follow the real 甘肃 pages (tests/files/ucap): ``SiteIDCode`` meta, the search box's
``window.open("/search4/s?siteCode=…&searchWord="+…)`` (the real page opens guestweb4; search4
is the server-rendered form), the 纠错 widget ``sitecode='…'`` and a stale footer 纠错 link with
another site's ``site_code=``; details ``/jyt/{channel}/{YYYYMM}/{id}.shtml`` with the header line
``日期：… 来源：…``, body ``div#detailContent``, files ``{id}/files/{32hex}.pdf``. The 年报
channels the home page's navigation names are gone (404): only the search finds the reports.

``GET /search4/s`` as public code calls it (no search4 answer was ever saved: unverified):
``searchWord`` percent-encoded twice (here once-encoded words find nothing, so the adapter's
double encoding is checked; the one real guestweb4 answer was asked once-encoded), ``siteCode``
(several sites share the search: another site's reports are in the index), ``pageSize=10`` and
``pageNum`` from 0, a window ``timeStamp=5`` + ``startTime``/``endTime``. Answers in the markup of
the real guestweb4 answer (tests/files/ucap/gansu-scjg-guestweb4-search.html): rows
``div.wordGuide.Residence-permit`` with the title in ``a.titleFont/@title`` and each matched
character of the anchor text in its own ``<span>``, ``相关结果<span>N</span>个``. The window the
seed's years imply misses one older report on purpose; one year has more hits than a page holds.
"""
from __future__ import annotations

import random
from html import escape
from urllib.parse import unquote

from gicrawler.replicas import writers
from gicrawler.replicas.portal import Portal, Request, Response
from gicrawler.replicas.reports import ListItem, hexid, numid, variant

SITE_CODE, OTHER_CODE = "6200000068", "6200000079"
AGENCY, OTHER = "甘肃省教育厅", "甘肃省发展和改革委员会"
CHANNEL = "c110634"
PAGE_SIZE = 10
YEARS = "2018-2024"      # the seed's report years: windows 2019 … 2025
SITE = {"site_name": AGENCY, "site_domain": "jyt.gansu.gov.cn", "site_id": SITE_CODE}


class Ucap(Portal):
    name = "ucap"
    region = "甘肃省"
    family = "ucap"

    def build(self) -> None:
        rng = random.Random(6200)
        specs = [variant(rng, self.name, AGENCY, y, size=60 + y % 7 * 9, index_prefix="")
                 for y in (2024, 2023, 2022, 2021, 2020)]
        specs[2].delivery = "html+pdf"
        self.docs: list[dict] = []     # the search index: {site, title, url, date, column}
        self.items: list[ListItem] = []
        for spec in specs:
            url = self._detail(spec.title, spec.published, spec=spec)
            self.add_report(self.base + url, spec)
            self._index(SITE_CODE, spec.title, url, spec.published, "report")
        # older than the seed's window: in the index, never requested
        old = variant(rng, self.name, AGENCY, 2017, size=40)
        self.too_old = self._detail(old.title, old.published, spec=old)
        self._index(SITE_CODE, old.title, self.too_old, old.published, "outside")
        # hits of the same word that are not reports; 2024 has more than a page holds
        for i, school in enumerate(("兰州大学", "西北师范大学", "兰州理工大学", "甘肃农业大学", "兰州交通大学",
                                    "西北民族大学", "甘肃政法大学", "兰州财经大学", "天水师范学院", "河西学院")):
            title = f"{school}2024年度本科教学质量年度报告"
            self._index(SITE_CODE, title, self._detail(title, f"2025-0{1 + i % 3}-{10 + i}"), f"2025-0{1 + i % 3}-{10 + i}",
                        "distractor")
        for title, day in (("关于做好2024年政府信息公开工作年度报告编制工作的通知", "2025-01-08"),
                           (f"{AGENCY}2023年政府信息公开工作年度报告解读", "2024-01-25")):
            self._index(SITE_CODE, title, self._detail(title, day), day, "distractor")
        # another site of the same search: its report is found only with its own siteCode
        other = variant(rng, self.name, OTHER, 2024, size=80)
        self._index(OTHER_CODE, other.title, f"/fzgg/c106166/{other.published[:7].replace('-', '')}/"
                    f"{numid('ucap/' + other.title, 9)}.shtml", other.published, "other site")
        self.add_page("/jyt/index.shtml", self._home)

    def seed_entries(self) -> list[dict]:
        return [{"name": self.name, "region": self.region, "family": self.family,
                 "index_urls": [self.base + "/jyt/index.shtml"], "allowed_domains": ["127.0.0.1"],
                 "browser": False, "antibot_browser": False, "obey_robots": True, "params": {"years": YEARS}}]

    # --- documents
    def _index(self, site: str, title: str, url: str, date: str, kind: str) -> None:
        self.docs.append({"site": site, "title": title, "url": url, "date": date})
        self.items.append(ListItem(title, url, date, kind))

    def _detail(self, title: str, day: str, spec=None) -> str:
        doc_id = numid("ucap/" + title, 9)
        path = f"/jyt/{CHANNEL}/{day[:7].replace('-', '')}/{doc_id}.shtml"
        files = []
        if spec is not None and spec.delivery == "html+pdf":
            pdf = f"{doc_id}/files/{hexid('ucap/pdf/' + title, 32)}.pdf"
            self.add_page(path.rsplit("/", 1)[0] + "/" + pdf,
                          lambda: writers.report_pdf(spec.record, spec.body(), **spec.options),
                          "application/pdf", conditional=True, spec=spec)
            files.append((pdf, f"《{title}》"))
        record = spec.record if spec else {"title": title, "published": day, "publisher": AGENCY, "tables": {}}
        self.add_page(path, lambda: self._page(record, spec.body() if spec else [f"{title}。"], files, path,
                                               **(spec.options if spec else {})),
                      conditional=spec is not None, spec=spec)
        return path

    def _page(self, record: dict, paragraphs, files, path: str, **opts) -> bytes:
        body = writers.body_html(record, paragraphs, **opts) if record.get("tables") else "".join(
            f"<p>{escape(p)}</p>" for p in paragraphs)
        body += "".join(f'<p><a href="{escape(h)}" target="_blank">{escape(t)}</a></p>' for h, t in files)
        title = escape(record["title"])
        source = escape(record.get("publisher") or "")
        return f"""<!DOCTYPE html>
<html>
<head>
    <meta charset="UTF-8">
    <meta name="channelId" content="{hexid('ucap/channel', 32)}">
{writers.meta_tags(record, column="政府信息公开年报", url=path, **SITE)}
    <title>{title}</title>
</head>
<body>
        <div class="BreadcrumbNav main mt20">
            <p><a href='/jyt/index.shtml' target="_parent">首页</a>><a href='/jyt/{CHANNEL}/zwgklist.shtml'><span>政府信息公开年报</span></a></p>
        </div>
        <div class="main mt8">
            <h1>{title}</h1>
            <div class="info clearbox zcinfos">
                <p class="">日期：{record.get("published") or ""} 09:30 来源：{source}</p>
            </div>
            <div class="detailContent" id="detailContent">
{body}
            </div>
        </div>
        <script id="_jiucuo_" sitecode='{SITE_CODE}' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>
</body>
</html>
""".encode()

    def _home(self) -> bytes:
        years = "".join(f'<li><a href="/jyt/c{250121 - i}/zwgklist.shtml">{2024 - i}年</a></li>' for i in range(5))
        return f"""<!DOCTYPE html>
<html>
<head>
    <meta charset="UTF-8">
    <meta name="SiteName" content="{AGENCY}"/>
    <meta name="SiteDomain" content="jyt.gansu.gov.cn"/>
    <meta name="SiteIDCode" content="{SITE_CODE}"/>
    <meta name="ColumnName" content="首页"/>
    <title>{AGENCY}</title>
</head>
<body>
    <div class="search"><input id="keyword" type="text"><button onclick="searchKey()">搜索</button></div>
    <script>
        function searchKey() {{
            var keyword = document.getElementById("keyword").value;
            window.open("/search4/s?siteCode={SITE_CODE}&searchWord="+encodeURIComponent(keyword));
        }}
    </script>
    <div class="left-nav"><h3>政府信息公开年报</h3><ul>{years}</ul></div>
    <div class="footer">
        <a class="jiucuo" href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3407000003&url=https%3A%2F%2Fwww.tl.gov.cn%2F">纠错</a>
        <script id="_jiucuo_" sitecode='{SITE_CODE}' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>
    </div>
</body>
</html>
""".encode()

    # --- the search
    def dynamic(self, req: Request) -> Response | None:
        if req.path != "/search4/s":
            return None
        q = req.query
        word = q.get("searchWord", "")
        # the page encodes twice: decoded once by the server, the word still has its %XX escapes
        hits = []
        if "%" in word:
            word = unquote(word)
            start, end = q.get("startTime", ""), q.get("endTime", "")
            windowed = q.get("timeStamp") == "5" and start and end
            hits = [d for d in self.docs if d["site"] == q.get("siteCode") and word and word in d["title"]
                    and (not windowed or start[:10] <= d["date"] <= end[:10])]
        hits.sort(key=lambda d: d["date"], reverse=True)
        try:
            size = max(1, min(50, int(q.get("pageSize") or PAGE_SIZE)))
            page = max(0, int(q.get("pageNum") or 0))
        except ValueError:
            size, page = PAGE_SIZE, 0
        chunk = hits[page * size:(page + 1) * size]
        # the real answer wraps each matched character of a title in a <span> (the full title is @title)
        mark = lambda t: escape(t).replace(escape(word), "".join(f"<span>{escape(c)}</span>" for c in word)) if word else escape(t)  # noqa: E731
        rows = "\n".join(f"""<div class="wordGuide Residence-permit" id="{i}">
    <div class="bigTit clearfix">
        <span class="fl columnLabel styleColor" style="width: 102px">政府信息公开 </span>
        <a href="{escape(self.base + d['url'])}" target="_blank"
           class="fl titleFont permitT titleSelf" style="width: 487px;white-space: nowrap" title="{escape(d['title'])}">{mark(d['title'])}</a>
    </div>
    <div class="listInfoCon clearfix ">
        <div class="listIntro wh100 fl">
            <p class="summaryFont">……{mark(d['title'])}……</p>
            <p class="time">
                <a class="sourceDateFont permitU" href="{escape(self.base + d['url'])}" target="_blank">{AGENCY}</a>
                <span class="sourceDateFont">{d['date']}</span>
            </p>
        </div>
    </div>
</div>""" for i, d in enumerate(chunk))
        html = f"""<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>{AGENCY}</title></head><body>
<div class="results-list clearfix"><p class="fl">相关结果<span>{len(hits)}</span>个</p></div>
{rows}
<div id="pageInfo"></div>
<input type="text" style="display: none" value="{page}" id="pageNum">
<input type="text" style="display: none" value="{size}" id="pageSize">
<input type="text" style="display: none" value="{len(hits)}" id="totalDataNum">
<input type="text" style="display: none" value="{q.get('siteCode', '')}" id="siteCode">
</body></html>
"""
        return Response(body=html.encode())
