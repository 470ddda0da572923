"""嘉兴 replica: Hanweb JCMS (docs/families.md, hanweb and jpaas).

Classic "jpage" column (seed portal ``jiaxing``):

- ``/col/col{COL}/index.html``: ``<div id="{UNIT}"><script type="text/xml"><datastore><nextgroup>…
  <recordset><record><![CDATA[<li>…]]></record>…`` holding the first ``PER_PAGE`` records, and
  ``$('#{UNIT}').jpage({totalRecord:N,perPage:PER_PAGE,…})``. ``?uid={UNIT}&pageNum=n`` serves
  page n in the same block.
- ``/module/web/jpage/dataproxy.jsp``: POST ``?startrecord=a&endrecord=b&perpage=p`` + form fields
  (col, appid, webid, path, columnid, sourceContentType, unitid, webname, permissiontype) → the
  real answer's shape (tests/files/hanweb/jiangsu-gxt-dataproxy-p*.xml): no XML declaration, no
  ``<nextgroup>``, ``<totalrecord>``/``<totalpage>``, rows ``<li><a target="_blank" href=… title=…>
  text…</a><b readlabel="YYYY-MM-DD">…</b></li>`` (long titles cut with ``...``, the title
  attribute whole), and — like the real server — three screens plus one row from ``a`` whatever
  ``b`` asks. GET ``?page=n&appid&webid&path&columnid&unitid&webname&permissiontype`` → page n of
  PER_PAGE with a ``<nextgroup>`` (a form no real answer shows). Unknown columnid/unitid → an
  empty datastore (as real servers answer).
- detail ``/art/{Y}/{M}/{D}/art_{COL}_{id}.html`` (no zero padding) in the real 丽水 detail markup
  (tests/files/hanweb/lishui-szf-art_…html): uppercase-tag breadcrumb, ``table.xxgk_article``
  (索引号 | … | 文号 | … / 组配分类 | … | 发布机构 | … / 成文日期 | … | 公开方式 | 主动公开), the
  header line ``发布时间：… 浏览次数： 信息来源：…``, body ``div.zoom``; attachments
  ``/module/download/downfile.jsp?classid=0&filename={32hex}.{pdf,docx,doc,wps,xls}``.

Newer-template column ``/{NSITE}/col/col{NCOL}/index.html`` (third index URL of ``jiaxing``), in the
markup of the real 江西 page (tests/files/hanweb/jiangxi-sthjt-col42150-list.html): ``<base href>``,
an empty ``<div id="{NUNIT}">`` and its handlebars template, ``var listData = {articleList: […]}``
with the first ``NEMBED`` items, ``channelsTagSelf.articleCount``, ``var params = {…};
loadPageData(params, '{NUNIT}')``. ``POST /queryList`` (form ``current``, ``pageSize``,
``webSiteCode[]``, ``channelCode[]`` …) → JSON ``{data: {results: [{source: {title, pubDate, urls}}]}}``
(``urls`` a JSON string holding ``pc``) — the shape public code reads; no real answer exists.
- one report only as a PDF attachment; one detail page answers 500 twice, then works; some
  record hrefs are protocol-relative; sample 001 (traditional + pinyin debris) is one report.

Encrypted-params column ``/col/col{ECOL}/index.html`` (second index URL of ``jiaxing``): all
records embedded, ``columnid``/``unitid`` are opaque blobs, ``totalRecord`` claims 3 pages and the
proxy answers those blobs with an empty datastore (research §1.2, nhsa/nrta).

JPaaS column (seed portal ``jiaxing_jpaas``, same server):

- ``/col/col{JCOL}/index.html`` carries ``<script src="/AuthorizedRead/unitbuild.js" url=…
  queryData="{'webId':…}">`` and a pager div ``count rows pageNo unitUrl queryData``; no list in
  the static HTML.
- ``GET /api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic&webId=…
  &tplSetId=…&pageType=column&tagId=…&editType=null&pageId=…&paramJson={"pageNo":n,"pageSize":m}``
  → ``{"success":true,"data":{"html":"<ul>…<li class="wb-data-list">…</ul>"}}``; ``html`` is
  empty past the last page. Detail pages ``/col/col{JCOL}/art/{YYYY}/art_{32hex}.html`` with
  ``<li>索引号：…</li>`` metadata.
"""
from __future__ import annotations

import json
import math
import random
from html import escape
from urllib.parse import quote

from gicrawler.replicas import writers
from gicrawler.replicas.reports import DISTRACTORS, ListItem, from_sample, hexid, numid, variant
from gicrawler.replicas.portal import Portal, Request, Response

COL, UNIT, WEBID, WEBNAME = 1229412388, 7654321, 83, "嘉兴市人民政府"
PER_PAGE = 5
JCOL, JWEBID, TPLSET, TAGID = 1497201, 3856, "qs3Pt5ZSPt8UZss6yAknP", "信息列表"
JROWS = 4
ECOL, EUNIT = 1229412390, 7654399
ENC_COL, ENC_UNIT = "L2hNYlFPU3dUZ2dXQmJ2Q1J1dz09", "bWp0Yzh6dE1Za2ZsOGJGZw=="   # encrypted ids (nhsa style)
NSITE, NCOL, NUNIT, NPER, NEMBED = "jxssthj", 51302, 420117, 2, 4     # the newer-template column
QUERY_LIST = "/queryList"
PROXY = "/module/web/jpage/dataproxy.jsp"
UNIT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DOWNFILE = "/module/download/downfile.jsp"
SITE = {"site_name": "嘉兴市人民政府", "site_domain": "www.jiaxing.gov.cn", "site_id": "3304000001"}
MIME = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc": "application/msword", "wps": "application/kswps", "xls": "application/vnd.ms-excel"}


class Jiaxing(Portal):
    name = "jiaxing"
    region = "浙江省嘉兴市"
    family = "hanweb"

    def build(self) -> None:
        self.files: dict[str, tuple] = {}     # downfile filename → (render, mime, spec)
        rng = random.Random(3304)
        data, gov, yb = "嘉兴市数据局", "嘉兴市人民政府办公室", "嘉兴市医疗保障局"
        sample001 = from_sample("001", self.name, publisher=data, published="2025-01-16",
                            index_number="002583441/2025-00031")
        specs = [
            sample001,
            variant(rng, self.name, data, 2023, size=6, index_prefix="002583441", error="balance"),
            variant(rng, self.name, data, 2022, size=5, index_prefix="002583441"),
            variant(rng, self.name, data, 2021, size=3, index_prefix="002583441"),
            variant(rng, self.name, gov, 2019, size=400, index_prefix="002583387", delivery="html+docx"),
            variant(rng, self.name, yb, 2022, size=30, index_prefix="MB1936540", delivery="pdf_only"),
            variant(rng, self.name, yb, 2021, size=25, index_prefix="MB1936540"),
        ]
        items: list[ListItem] = []
        for i, spec in enumerate(specs):
            path = self._art(spec.published, spec.title)
            self._add_detail(path, spec)
            self.add_report(self.base + path, spec)
            href = path if i % 3 else "//" + self.base.split("//", 1)[1] + path   # protocol-relative, like real lists
            items.append(ListItem(spec.title, href, spec.published))
        self.flaky_url = self.base + self._art(specs[-1].published, specs[-1].title)
        self.flaky[self._art(specs[-1].published, specs[-1].title)] = 2
        for i, pattern in enumerate(DISTRACTORS):
            title = pattern.format(agency=data, year=2024, next=2025)
            date = f"2025-0{i + 2}-0{i + 3}"
            path = self._art(date, title)
            self.add_page(path, lambda t=title, d=date, p=path: self._detail(
                {"title": t, "published": d, "publisher": data, "tables": {}}, ["各县（市、区）人民政府，市政府各部门："
                                                                               "现将有关事项通知如下。"], [], p).encode())
            items.append(ListItem(title, path, date, "distractor"))
        items.append(ListItem("国务院办公厅政府信息公开工作年度报告", "http://www.gov.cn/zhengce/xxgk/ndbg.htm",
                              "2025-03-01", "offsite"))
        other = next((p for p in self.rs.portals.values() if p.name == "huangshi"), None)
        if other is not None:
            items.append(ListItem("黄石市政府信息公开年报", f"http://localhost:{other.base.rsplit(':', 1)[1]}/xxgk_17/",
                                  "2025-02-20", "offsite"))
        items.sort(key=lambda it: it.date, reverse=True)
        self.items = items
        self.add_page(f"/col/col{COL}/index.html", lambda: self._column(1))
        self._build_jpaas(rng)
        self._build_encrypted(rng)
        self._build_loadpage(rng)

    def _build_loadpage(self, rng: random.Random) -> None:
        """The newer template (loadPageData): reports of 嘉兴市生态环境局 with a 解读 and a 工作要点."""
        sthj = "嘉兴市生态环境局"
        items = []
        for year in (2024, 2023, 2022):
            spec = variant(rng, self.name, sthj, year, size=9, index_prefix="11330400MB1811206X")
            path = self._content(spec.title)
            self._add_detail(path, spec)
            self.add_report(self.base + path, spec)
            items.append(ListItem(spec.title, path, spec.published))
        for title, date in ((f"{sthj}2024年政府信息公开工作年度报告解读", "2025-01-21"),
                            (f"{sthj}2025年政务公开工作要点", "2025-03-04")):
            path = self._content(title)
            self.add_page(path, lambda t=title, d=date, p=path: self._detail(
                {"title": t, "published": d, "publisher": sthj, "tables": {}}, ["现予公布。"], [], p).encode())
            items.append(ListItem(title, path, date, "distractor"))
        items.sort(key=lambda it: it.date, reverse=True)
        self.litems = items
        self.add_page(f"/{NSITE}/col/col{NCOL}/index.html", self._loadpage_column)

    def _content(self, key: str) -> str:
        return f"/{NSITE}/col/col{NCOL}/content/content_{numid('jx/content/' + key, 19)}.html"

    def _build_encrypted(self, rng: random.Random) -> None:
        """A column whose jpage params are encrypted blobs (nhsa/nrta dialect): every record is in the
        column page, the proxy answers an empty body, although totalRecord claims more."""
        edu = "嘉兴市教育局"
        items = []
        for year in (2024, 2023, 2022, 2021):
            spec = variant(rng, self.name, edu, year, size=12, index_prefix="002583402")
            path = self._art(spec.published, spec.title).replace(f"art_{COL}_", f"art_{ECOL}_")
            self._add_detail(path, spec)
            self.add_report(self.base + path, spec)
            items.append(ListItem(spec.title, path, spec.published))
        for pattern in DISTRACTORS[1:3]:
            title = pattern.format(agency=edu, year=2024, next=2025)
            path = self._art("2025-02-14", title).replace(f"art_{COL}_", f"art_{ECOL}_")
            self.add_page(path, lambda t=title, p=path: self._detail(
                {"title": t, "published": "2025-02-14", "publisher": edu, "tables": {}}, ["现予公布。"], [], p).encode())
            items.append(ListItem(title, path, "2025-02-14", "distractor"))
        items.sort(key=lambda it: it.date, reverse=True)
        self.eitems = items
        self.add_page(f"/col/col{ECOL}/index.html", self._encrypted_column)

    def _encrypted_column(self) -> bytes:
        col, unit = ENC_COL, ENC_UNIT
        records = "\n".join(f"<record><![CDATA[{self._record(it)}]]></record>" for it in self.eitems)
        nextgroup = (f'<a href="{PROXY}?page=2&appid=1&webid={WEBID}&path=/&columnid={col}&unitid={unit}'
                     f'&webname={quote(WEBNAME)}&permissiontype=0"></a>')
        return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>嘉兴市教育局 政府信息公开年报</title>
<meta name="SiteName" content="嘉兴市人民政府"><meta name="ColumnName" content="政府信息公开年报">
</head><body>
<div id="{EUNIT}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>
{records}
</recordset></datastore></script></div>
<script>var param_{EUNIT}={{col:1,webid:'{WEBID}',path:'/',columnid:'{col}',sourceContentType:'1',unitid:'{unit}',webname:'{WEBNAME}',permissiontype:0}};
$('#{EUNIT}').jpage({{dataStore:param_{EUNIT},totalRecord:{3 * len(self.eitems)},perPage:{len(self.eitems)},openCookies:false,proxyUrl:'{PROXY}',barPosition:'bottom'}});</script>
</body></html>
""".encode()

    def _build_jpaas(self, rng: random.Random) -> None:
        sw = "嘉兴市商务局"
        portal = "jiaxing_jpaas"
        specs = [variant(rng, portal, sw, year, size=8, index_prefix="002583500") for year in (2023, 2022, 2021)]
        specs.append(variant(rng, portal, sw, 2020, size=6, index_prefix="002583500"))
        items = []
        for spec in specs:
            path = f"/col/col{JCOL}/art/{spec.published[:4]}/art_{hexid('jx/jpaas/' + spec.title, 32)}.html"
            self._add_detail(path, spec, jpaas=True)
            self.add_report(self.base + path, spec, portal)
            items.append(ListItem(spec.title, path, spec.published))
        for pattern in DISTRACTORS[:3]:
            title = pattern.format(agency=sw, year=2024, next=2025)
            path = f"/col/col{JCOL}/art/2025/art_{hexid('jx/jpaas/' + title, 32)}.html"
            self.add_page(path, lambda t=title, p=path: self._detail(
                {"title": t, "published": "2025-02-10", "publisher": sw, "tables": {}}, ["现予公布。"], [], p,
                jpaas=True).encode())
            items.append(ListItem(title, path, "2025-02-10", "distractor"))
        items.sort(key=lambda it: it.date, reverse=True)
        self.jitems = items
        self.add_page(f"/col/col{JCOL}/index.html", self._jpaas_column)
        self.add_page("/AuthorizedRead/unitbuild.js", lambda: UNITBUILD_JS.encode(),
                      "application/javascript; charset=utf-8")

    def seed_entries(self) -> list[dict]:
        return [
            {"name": self.name, "region": self.region, "family": "hanweb",
             "index_urls": [f"{self.base}/col/col{COL}/index.html", f"{self.base}/col/col{ECOL}/index.html",
                            f"{self.base}/{NSITE}/col/col{NCOL}/index.html"],
             "allowed_domains": ["127.0.0.1"],
             "browser": False, "antibot_browser": False, "obey_robots": True,
             "params": {"webid": WEBID, "columnid": COL, "unitid": UNIT}},
            {"name": "jiaxing_jpaas", "region": "浙江省嘉兴市", "family": "jpaas",
             "index_urls": [f"{self.base}/col/col{JCOL}/index.html"], "allowed_domains": ["127.0.0.1"],
             "browser": False, "antibot_browser": False, "obey_robots": True,
             "params": {"webId": JWEBID, "pageId": JCOL, "tplSetId": TPLSET, "tagId": TAGID}},
        ]

    # --- detail pages and attachments
    def _art(self, date: str, key: str) -> str:
        y, m, d = (int(x) for x in date.split("-"))
        return f"/art/{y}/{m}/{d}/art_{COL}_{numid('jx/art/' + key, 8)}.html"

    def _add_file(self, key: str, ext: str, make, spec) -> str:
        name = f"{hexid(f'jx/file/{key}/{ext}', 32)}.{ext}"
        self.files[name] = (make, MIME[ext], spec)
        return f"{DOWNFILE}?classid=0&filename={name}"

    def _add_detail(self, path: str, spec, jpaas: bool = False) -> None:
        files = []
        if spec.delivery in ("pdf_only", "html+pdf"):
            files.append((self._add_file(path, "pdf", lambda: writers.report_pdf(spec.record, spec.body(),
                                                                                **spec.options), spec),
                          spec.title + ".pdf"))
        if spec.delivery == "html+docx":
            files.append((self._add_file(path, "docx", lambda: writers.report_docx(spec.record, spec.body(),
                                                                                  **spec.options), spec),
                          spec.title + ".docx"))
            # other attachment kinds real columns carry (not reports)
            files.append((self._add_file(path, "doc", lambda: _ole_blob("工作要点"), None), "2020年政务公开工作要点.doc"))
            files.append((self._add_file(path, "wps", lambda: _ole_blob("指南"), None), "政府信息公开指南.wps"))
            files.append((self._add_file(path, "xls", lambda: _ole_blob("目录"), None), "主动公开目录.xls"))
        if spec.delivery == "pdf_only":
            paragraphs = [f"{spec.title}详见附件。"]
            record = {k: v for k, v in spec.record.items() if k != "tables"} | {"tables": {}}
            make = lambda: self._detail(record, paragraphs, files, path, jpaas=jpaas).encode()  # noqa: E731
        else:
            make = lambda: self._detail(spec.record, spec.body(), files, path, jpaas=jpaas,  # noqa: E731
                                        **spec.options).encode()
        self.add_page(path, make, conditional=True, spec=spec)

    def _detail(self, record: dict, paragraphs, files, path: str, jpaas: bool = False, **opts) -> str:
        if record.get("tables"):
            body = writers.body_html(record, paragraphs, **opts)
        else:
            body = "\n".join(f'<p style="text-indent:2em">{escape(p)}</p>' for p in paragraphs)
        if files:
            body += "\n<p>附件：</p>\n" + "\n".join(
                f'<p><a href="{escape(href)}" target="_blank">{escape(label)}</a></p>' for href, label in files)
        title = escape(record["title"])
        pub = record.get("published") or ""
        idx = escape(record.get("index_number") or "")
        publisher = escape(record.get("publisher") or "")
        docno = escape(record.get("document_number") or "")
        if jpaas:
            info = (f'<div class="xxgk-info"><ul><li>索引号： {idx}</li><li>发布机构： {publisher}</li>'
                    f'<li>文件编号： {docno}</li><li>成文日期： {pub.replace("-", "年", 1).replace("-", "月")}日</li>'
                    f'<li>发布日期： {pub}</li><li>有效性： 有效</li></ul></div>')
            container = f'<div id="ivs_content" class="infocontent">\n<!--ZJEG_RSS.content.begin--><meta name="ContentStart">{body}<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->\n</div>'
            art = path.rsplit("_", 1)[-1].split(".")[0]
            return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>嘉兴市人民政府 政府信息公开年报 {title}</title>
{writers.meta_tags(record, column="政府信息公开年报", url=path, **SITE)}
<meta name="i_columnid" content="{JCOL}"><meta name="i_articleid" content="{escape(art)}">
<meta name="Maketime" content="{pub} 10:12:31">
</head><body>
<div class="bt-position">您当前的位置：<a href="/">首页</a> &gt; <a href="/col/col{JCOL}/index.html">政府信息公开年报</a></div>
{info}
<div class="article">
<h1 class="title">{title}</h1>
<div class="source">信息来源：<!--<$[信息来源]>begin-->{publisher}<!--<$[信息来源]>end--> 发布日期：<publishtime>{pub} 10:12</publishtime></div>
{container}
</div>
</body></html>
"""
        return self._lishui_detail(record, body, path)

    def _lishui_detail(self, record: dict, body: str, path: str) -> str:
        """The real 丽水 detail page's markup (tests/files/hanweb/lishui-szf-art_…html), values changed."""
        title = escape(record["title"])
        pub = record.get("published") or ""
        e = lambda k: escape(record.get(k) or "")  # noqa: E731
        col = NCOL if path.startswith(f"/{NSITE}/") else COL
        art = path.rsplit("_", 1)[-1].split(".")[0]
        cell = 'style="background: #f6f6f6; width: 10%;"'
        return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{title}</title>
{writers.meta_tags(record, column="政府信息公开年报", url=path, **SITE)}
<meta name='Maketime' content='{pub} 08:59:12'>
<meta name="i_columnid" content="{col}"><meta name="i_articleid" content="{escape(art)}">
</head>
<body>
	<div>
		<div class="xl_curpage" aria-regiontype="3" aria-label="交互区,当前为当前位置">
			<table><tr>
<td>当前位置：<a href="/index.html" class="bt_link">首页</a></td>
<td><TABLE WIDTH=100% CELLSPACING=0 CELLPADDING=0 BORDER=0>
<TR>
<TD> >> <a href="/col/col1229012345/index.html" class="bt_link">政务公开</a></TD><TD> >> <a href="/col/col{col}/index.html" class="bt_link">政府信息公开年报</a></TD>
</TR></TABLE></td>
</tr></table>
		</div>
		<div class="xl_con" aria-regiontype="6" aria-label="正文区,当前为文章正文">
<table class="xxgk_article" align="center" style="border:1px solid #e6e6e6; text-align: left;">
    <tbody><tr>
    <td {cell}>索引号</td>
    <td style=" width: 40%;">{e("index_number")}</td>
	<td {cell}>文号</td>
	<td style=" width: 40%;">{e("document_number")}</td>
    </tr>
  <tr>
    <td {cell}>组配分类</td>
    <td style=" width: 40%;">政府信息公开年报</td>
    <td {cell}>发布机构</td>
    <td style=" width: 40%;">{e("publisher")}</td>
  </tr>
  <tr>
    <td {cell}>成文日期</td>
    <td style=" width: 40%;">{pub}</td>
    <td {cell}>公开方式</td>
    <td style=" width: 40%;">主动公开</td>
  </tr>
</tbody></table>
<div class="xl_title" style="font-size:30px;line-height:60px;">
    {title}
</div>
<div class="xl_doc" style="">
    <span>发布时间：{pub}  08:59
    </span><span>浏览次数：
        <script language='javascript' src="/module/visitcount/articlehits.jsp?colid={col}&artid={escape(art)}" >
 </script>
    </span>

    <span>信息来源：
        {e("publisher")}
    </span>

    <div id="share-2" class="fr"></div>
</div>
<div class="zoom" style="padding:20px">
{body}
</div>
		</div>
	</div>
</body>
</html>
"""

    # --- lists
    def _record(self, it: ListItem) -> str:
        # as the real answers print rows: long titles cut in the link text, whole in @title
        shown = it.title if len(it.title) <= 24 else it.title[:22] + "..."
        return (f'<li><a target="_blank" href="{escape(it.url)}" title="{escape(it.title)}">{escape(shown)}</a>'
                f'<b readlabel="{it.date}">{it.date}</b></li>')

    def _nextgroup(self, page: int) -> str:
        return (f'<a href="{PROXY}?page={page}&appid=1&webid={WEBID}&path=/&columnid={COL}&unitid={UNIT}'
                f'&webname={quote(WEBNAME)}&permissiontype=0"></a>')

    def _datastore(self, items: list[ListItem], next_page: int | None, totals: bool) -> str:
        head = ""
        if totals:
            pages = math.ceil(len(self.items) / PER_PAGE)
            head = f"<totalrecord>{len(self.items)}</totalrecord><totalpage>{pages}</totalpage>"
        records = "".join(f"<record><![CDATA[{self._record(it)}]]></record>" for it in items)
        nextgroup = f"<nextgroup><![CDATA[{self._nextgroup(next_page)}]]></nextgroup>" if next_page else ""
        return f"<datastore>{head}{nextgroup}<recordset>{records}</recordset></datastore>"

    def _column(self, page: int) -> bytes:
        chunk = self.items[(page - 1) * PER_PAGE: page * PER_PAGE]
        return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>嘉兴市人民政府 政府信息公开年报</title>
<meta name="SiteName" content="嘉兴市人民政府"><meta name="SiteDomain" content="www.jiaxing.gov.cn">
<meta name="SiteIDCode" content="3304000001"><meta name="ColumnName" content="政府信息公开年报">
<meta name="ColumnType" content=""><meta name="HtmlGenerateTime" content="2025-03-02 11:38:50">
<script src="/module/jslib/jquery/jquery.js"></script><script src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
</head><body>
<div class="bt-position">您当前的位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
<div class="bt-box"><div id="{UNIT}"><script type="text/xml">{self._datastore(chunk, 1, False)}</script></div>
<script>var param_{UNIT}={{col:1,webid:'{WEBID}',path:'/',columnid:'{COL}',sourceContentType:'1',unitid:'{UNIT}',webname:'{WEBNAME}',permissiontype:0}};
$('#{UNIT}').jpage({{dataStore:param_{UNIT},totalRecord:{len(self.items)},perPage:{PER_PAGE},openCookies:false,proxyUrl:'{PROXY}',barPosition:'bottom',showMode:'full'}});</script>
</div>
</body></html>
""".encode()

    def _proxy(self, req: Request) -> Response:
        fields = {**req.query, **req.form}
        xml_type = "text/xml; charset=utf-8"
        if fields.get("columnid") == ENC_COL:     # encrypted dialect: deep paging gives an empty body
            return Response(body=b"<datastore>\n<recordset>\n</recordset>\n</datastore>\n", content_type=xml_type)
        if str(fields.get("columnid")) != str(COL) or str(fields.get("unitid")) != str(UNIT):
            return Response(body=b"<datastore><nextgroup><![CDATA[]]></nextgroup><recordset></recordset></datastore>",
                            content_type=xml_type)
        try:
            if "startrecord" in req.query and req.method == "POST":
                start = max(1, int(req.query["startrecord"]))
                perpage = max(1, int(req.query.get("perpage") or PER_PAGE))
                # the real server: three screens and one row from startrecord, whatever endrecord says
                chunk = self.items[start - 1:start - 1 + 3 * perpage + 1]
                return Response(body=self._datastore(chunk, None, True).encode(), content_type=xml_type)
            page = max(1, int(fields.get("page") or 1))
            chunk = self.items[(page - 1) * PER_PAGE: page * PER_PAGE]
        except ValueError:
            return Response(body=b"<datastore></datastore>", content_type=xml_type)
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + self._datastore(chunk, page + 1, True)
        return Response(body=body.encode(), content_type=xml_type)

    def _jpaas_column(self) -> bytes:
        query = (f"{{'webId':'{JWEBID}','pageId':'{JCOL}','tagId':'{TAGID}','tplSetId':'{TPLSET}',"
                 f"'pageType':'column','editType':'null'}}")
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>嘉兴市商务局 政府信息公开年报</title>
<meta name="SiteName" content="嘉兴市商务局"><meta name="SiteDomain" content="swj.jiaxing.gov.cn">
<meta name="SiteIDCode" content="3304000013"><meta name="ColumnName" content="政府信息公开年报"><meta name="ColId" content="{JCOL}">
</head><body>
<div class="crumb">首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<div class="list-box" id="unit-list"></div>
<script type="text/javascript" src="/AuthorizedRead/unitbuild.js" url="{UNIT_API}" target="unit-list" queryData="{query}"></script>
<div class="pagination" count="{len(self.jitems)}" rows="{JROWS}" pageNo="1" unitUrl="{UNIT_API}" queryData="{query}"></div>
</body></html>
""".encode()

    def _unit(self, req: Request) -> Response:
        q = req.query
        ok = (q.get("parseType") == "bulidstatic" and q.get("webId") == str(JWEBID) and q.get("pageId") == str(JCOL)
              and q.get("tplSetId") == TPLSET and q.get("tagId") == TAGID)
        try:
            params = json.loads(q.get("paramJson") or "{}")
            page, size = int(params.get("pageNo", 1)), int(params.get("pageSize", 15))
        except (ValueError, TypeError, AttributeError):
            return Response(body=b'{"success":false,"message":"paramJson"}', content_type="application/json")
        if not ok:
            return Response(body=b'{"success":false,"message":"unit not found","data":null}',
                            content_type="application/json")
        chunk = self.jitems[(page - 1) * size: page * size] if page >= 1 and size >= 1 else []
        html = ""
        if chunk:
            html = "<ul class=\"wb-data-list-box\">" + "".join(
                f'<li class="wb-data-list"><div class="wb-data-item"><a href="{escape(it.url)}" target="_blank" '
                f'title="{escape(it.title)}">{escape(it.title)}</a></div><span class="wb-data-date">{it.date}</span></li>'
                for it in chunk) + "</ul>"
        body = json.dumps({"success": True, "data": {"html": html}}, ensure_ascii=False)
        return Response(body=body.encode(), content_type="application/json; charset=utf-8")

    def _article(self, it: ListItem) -> dict:
        return {"title": it.title, "pubDate": f"{it.date} 09:30", "urls": json.dumps({"pc": it.url}),
                "contentSource": "嘉兴市生态环境局", "metadata": {}, "id": it.url.rsplit("_", 1)[-1][:-5]}

    def _loadpage_column(self) -> bytes:
        listing = json.dumps({"articleList": [self._article(it) for it in self.litems[:NEMBED]]}, ensure_ascii=False)
        channel = json.dumps({"code": f"col{NCOL}", "showName": "政府信息公开年报", "channelType": "0", "childCount": 0,
                              "articleCount": len(self.litems), "urls": json.dumps({"pc": f"/{NSITE}/col/col{NCOL}/index.html"})},
                             ensure_ascii=False)
        return f"""<!DOCTYPE html>
<html>
<head>
  <base href="/{NSITE}/" />
  <meta charset="UTF-8">
  <title>政府信息公开年报 嘉兴市生态环境局</title>
  <meta name="SiteName" content="嘉兴市生态环境局"><meta name="SiteIDCode" content="3304000021">
  <meta name="ColumnName" content="政府信息公开年报">
  <script src="commonfiles/jquery.min.js"></script>
  <script>
      var channelsTagSelf = {channel};
      var listData = {{
        articleList: {json.dumps(json.loads(listing)["articleList"], ensure_ascii=False)}
      }};
    </script>
</head>
<body>
  <div class="box03_con clearfix" style="margin-bottom: 25px; height: auto">
    <div id="{NUNIT}"></div>
    <script id="div{NUNIT}" type="text/x-handlebars-template">
      <ul class='List_list'>
        {{{{#each data}}}}{{{{#with this}}}}<li>
              <a href='{{{{pcUrl}}}}' target='_blank' title='{{{{title}}}}'>{{{{title}}}}</a><span class='list_span'>{{{{formatDate pubDate 'YYYY'}}}}-{{{{formatDate pubDate 'MM'}}}}-{{{{formatDate pubDate 'DD'}}}}</span>
            </li>{{{{/with}}}}{{{{/each}}}}
      </ul>
    </script>
    <script src="commonfiles/jquery.jpage.js"></script>
    <script>
      var params = {{
        current: 1,
        unitid: '{NUNIT}',
        webSiteCode: ['{NSITE}'],
        channelCode: ['col{NCOL}'],
        dataBefore: '',
        dataAfter: '',
        perPage: '{NPER}',
        notReturnContent:false,
        showMode: 'normal',
        groupSize: 1,
        barPosition: 'bottom',
        titleMax: '34',
        templateContainerId: 'div{NUNIT}',
        themeName: 'lucidity',
      }};

      loadPageData(params, '{NUNIT}');
    </script>
  </div>
</body>
</html>
""".encode()

    def _query_list(self, req: Request) -> Response:
        form = req.form
        rows = []
        if form.get("webSiteCode[]") == NSITE and form.get("channelCode[]") == f"col{NCOL}":
            rows = self.litems
        try:
            page, size = max(1, int(form.get("current") or 1)), max(1, int(form.get("pageSize") or NPER))
        except ValueError:
            return Response(400, b'{"code":400}', "application/json;charset=UTF-8")
        chunk = rows[(page - 1) * size: page * size]
        body = {"code": 200, "data": {"total": len(rows), "results": [{"source": self._article(it)} for it in chunk]}}
        return Response(body=json.dumps(body, ensure_ascii=False).encode(), content_type="application/json;charset=UTF-8")

    def dynamic(self, req: Request) -> Response | None:
        if req.path == QUERY_LIST and req.method == "POST":
            return self._query_list(req)
        if req.path == PROXY:
            return self._proxy(req)
        if req.path == UNIT_API:
            return self._unit(req)
        if req.path == DOWNFILE:
            entry = self.files.get(req.query.get("filename", ""))
            if entry is None:
                return self.not_found()
            make, mime, spec = entry
            key = (req.query.get("filename"), getattr(spec, "revision", 0))
            cache = self.__dict__.setdefault("_file_cache", {})
            if key not in cache:
                cache[key] = make()
            return Response(body=cache[key], content_type=mime, last_modified=self.last_modified(spec),
                            headers={"Content-Disposition": "attachment"})
        if req.path == f"/col/col{COL}/index.html" and req.query.get("pageNum"):
            if req.query.get("uid") != str(UNIT):
                return Response(body=self._column(1))
            try:
                return Response(body=self._column(max(1, int(req.query["pageNum"]))))
            except ValueError:
                return Response(body=self._column(1))
        return None


def _ole_blob(word: str) -> bytes:
    """Bytes that start like a legacy Office file (OLE2) — a kind the crawl meets but cannot read."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24 + word.encode("utf-16-le") * 64


UNITBUILD_JS = r"""/* JPaaS unit builder: fetches the column unit and injects its html */
(function () {
  var s = document.currentScript;
  document.addEventListener("DOMContentLoaded", function () { build(s); });
  function build(s) {
  var url = s.getAttribute("url"), target = s.getAttribute("target");
  var q = JSON.parse(s.getAttribute("queryData").replace(/'/g, '"'));
  var pager = document.querySelector(".pagination"), rows = parseInt(pager.getAttribute("rows"), 10);
  var m = /[?&]pageNo=(\d+)/.exec(location.search), pageNo = m ? parseInt(m[1], 10) : 1;
  var qs = "parseType=bulidstatic&webId=" + q.webId + "&tplSetId=" + q.tplSetId + "&pageType=column&tagId=" +
    encodeURIComponent(q.tagId) + "&editType=null&pageId=" + q.pageId + "&paramJson=" +
    encodeURIComponent(JSON.stringify({pageNo: pageNo, pageSize: rows}));
  var xhr = new XMLHttpRequest();
  xhr.open("GET", url + "?" + qs);
  xhr.onload = function () {
    var d = JSON.parse(xhr.responseText);
    document.getElementById(target).innerHTML = (d.data && d.data.html) || "";
    var count = parseInt(pager.getAttribute("count"), 10), pages = Math.ceil(count / rows), h = [];
    for (var i = 1; i <= pages; i++) h.push('<a href="?pageNo=' + i + '">' + i + '</a>');
    pager.innerHTML = h.join(" ");
  };
  xhr.send();
  }
})();
"""
