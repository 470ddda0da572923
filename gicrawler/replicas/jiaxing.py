"""嘉兴 replica: Hanweb JCMS (docs/families.md, hanweb and jpaas).

Classic "jpage" column (seed portal ``jiaxing``):

- ``/col/col{COL}/index.html``: ``<div id="{UNIT}"><script type="text/xml"><datastore><nextgroup>…
  <recordset><record><![CDATA[<li>…]]></record>…`` holding the first ``PER_PAGE`` records, and
  ``$('#{UNIT}').jpage({totalRecord:N,perPage:PER_PAGE,…})``. ``?uid={UNIT}&pageNum=n`` serves
  page n in the same block.
- ``/module/web/jpage/dataproxy.jsp``: POST ``?startrecord=a&endrecord=b&perpage=p`` + form fields
  (col, appid, webid, path, columnid, sourceContentType, unitid, webname, permissiontype) → records
  a..b; GET ``?page=n&appid&webid&path&columnid&unitid&webname&permissiontype`` → page n of
  PER_PAGE. XML ``<datastore><totalrecord/><totalpage/><nextgroup/><recordset>``. Unknown
  columnid/unitid → an empty datastore (as real servers answer).
- detail ``/art/{Y}/{M}/{D}/art_{COL}_{id}.html`` (no zero padding), metadata rows
  ``<td>索引号：</td><td>…</td>``, body ``div#zoom`` inside ``ZJEG_RSS.content`` markers;
  attachments ``/module/download/downfile.jsp?classid=0&filename={32hex}.{pdf,docx,doc,wps,xls}``.
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
             "index_urls": [f"{self.base}/col/col{COL}/index.html", f"{self.base}/col/col{ECOL}/index.html"],
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
            col = JCOL
        else:
            info = (f'<table class="xxgk_table" width="100%"><tr><td>索引号：</td><td>{idx}</td><td>组配分类：</td>'
                    f'<td>政府信息公开年报</td></tr><tr><td>发布机构：</td><td>{publisher}</td><td>生成日期：</td>'
                    f'<td>{pub}</td></tr><tr><td>文件编号：</td><td>{docno}</td><td>统一编号：</td><td></td></tr>'
                    f'<tr><td>有效性：</td><td>有效</td><td></td><td></td></tr></table>')
            container = (f'<div class="main-txt" id="zoom">\n<!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin-->'
                         f'<meta name="ContentStart">{body}<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->'
                         f'<!--<$[信息内容]>end-->\n</div>')
            col = COL
        art = path.rsplit("_", 1)[-1].split(".")[0]
        return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>嘉兴市人民政府 政府信息公开年报 {title}</title>
{writers.meta_tags(record, column="政府信息公开年报", url=path, **SITE)}
<meta name="i_columnid" content="{col}"><meta name="i_articleid" content="{escape(art)}">
<meta name="Maketime" content="{pub} 10:12:31">
</head><body>
<div class="bt-position">您当前的位置：<a href="/">首页</a> &gt; <a href="/col/col{col}/index.html">政府信息公开年报</a></div>
{info}
<div class="article">
<h1 class="title">{title}</h1>
<div class="source">信息来源：<!--<$[信息来源]>begin-->{publisher}<!--<$[信息来源]>end--> 发布日期：<publishtime>{pub} 10:12</publishtime></div>
{container}
</div>
</body></html>
"""

    # --- lists
    def _record(self, it: ListItem) -> str:
        return (f"<li class=\"clearfix\"><a href='{escape(it.url)}' target=\"_blank\" title='{escape(it.title)}'>"
                f"{escape(it.title)}</a><span class=\"bt-right\">{it.date}</span></li>")

    def _nextgroup(self, page: int) -> str:
        return (f'<a href="{PROXY}?page={page}&appid=1&webid={WEBID}&path=/&columnid={COL}&unitid={UNIT}'
                f'&webname={quote(WEBNAME)}&permissiontype=0"></a>')

    def _datastore(self, items: list[ListItem], next_page: int, totals: bool) -> str:
        head = ""
        if totals:
            pages = math.ceil(len(self.items) / PER_PAGE)
            head = f"<totalrecord>{len(self.items)}</totalrecord>\n<totalpage>{pages}</totalpage>\n"
        records = "\n".join(f"<record><![CDATA[{self._record(it)}]]></record>" for it in items)
        return (f"<datastore>\n{head}<nextgroup><![CDATA[{self._nextgroup(next_page)}]]></nextgroup>\n"
                f"<recordset>\n{records}\n</recordset>\n</datastore>")

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
                end = int(req.query.get("endrecord") or start + PER_PAGE - 1)
                chunk = self.items[start - 1:min(end, start + 299)]   # real servers cap big perpage
                next_page = (end // max(1, int(req.query.get("perpage") or PER_PAGE))) + 1
            else:
                page = max(1, int(fields.get("page") or 1))
                chunk = self.items[(page - 1) * PER_PAGE: page * PER_PAGE]
                next_page = page + 1
        except ValueError:
            return Response(body=b"<datastore></datastore>", content_type=xml_type)
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + self._datastore(chunk, next_page, True)
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

    def dynamic(self, req: Request) -> Response | None:
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
