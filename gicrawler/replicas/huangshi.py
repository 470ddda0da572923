"""黄石 replica: TRS WCM, GBK pages, 瑞数-style anti-bot (docs/families.md, trs; Encodings; Anti-bot).

- Every HTML page is GBK; the charset is declared only in
  ``<meta http-equiv="Content-Type" content="text/html; charset=gbk">`` (the HTTP header says
  just ``text/html``).
- Column ``/xxgk_17/gknr/qt/fzndbg/index.shtml`` in the markup of the real 平潭 column
  (tests/files/trs/pingtan-zfxxgknb-list.html), values changed: a static first page of
  ``PAGE_SIZE`` rows ``<dl><dd><a href="./YYYYMM/tYYYYMMDD_{id}.shtml" title=…></dd><dd>date</dd></dl>``
  (the date in the sibling ``<dd>``), the avalon row template, ``SiteInfo.searchId`` and
  ``require(["list2.trsapi","tools"], … listModel({quickMode:"动静结合", maxStaticIndex:1,
  listArgs:{channelid: SiteInfo.searchId, classsql:"" || "chnlid=…"}, pagebar:{prepage,
  recordCount}}))``. The rest of the column: ``POST /fjdzapp/search`` (channelid, classsql,
  sortfield, page, prepage) → JSON ``{data:[{doctitle, docreltime, chnldocurl, docpuburl}],
  pageCount}`` — the shape public code reads (no real answer exists). ``/images/model.min.js``
  is this replica's own stand-in for the site's require + list2.trsapi (never seen): it renders
  the API's rows and a pager with 下一页, so the Chromium route (seed ``listmodel: browser``)
  can page through it.
- Detail pages of that column in the real 平潭 article markup: title, header line
  ``<span class="article_source">来源：…</span> <span class="article_time">时间：YYYY-MM-DD HH:MM</span>``,
  ``<meta name="ContentSource" content="">`` empty; below it the 4-column label table 黄石 prints
  (padded labels ``索\u3000引\u3000号``, ``文&nbsp;&nbsp;号``, as the stored copy of a real 黄石 page
  and sample 004 show) — except reports without an 索引号, which have the header line only;
  body ``div.article_content`` > ``div.TRS_UEDITOR``; attachments ``./P0…pdf``.
- Column ``/xxgk/fdzdgknr/zfxxgknb/index.shtml`` (武汉 style): rows written by ``document.writeln``
  from ``var url = "./…"; var title = "…";`` in scripts.
- Anti-bot: every path under ``/xxgk/`` needs cookie ``924omrTVcFchP``. Without a valid one the
  answer is HTTP 412 with ``<meta … r='m' content='…'>`` (the 2nd meta), an inline
  ``$_ts=…`` script and ``<script src="/4QbVtADbnLVIc/c.FxJzG50F.js">``; that script computes
  the cookie from the meta content and ``$_ts`` and reloads. A cookie is valid for
  ``COOKIE_TTL`` seconds after its challenge was issued.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import random
import time
from html import escape

from gicrawler.replicas import writers
from gicrawler.replicas.reports import DISTRACTORS, ListItem, from_sample, hexid, numid, variant
from gicrawler.replicas.portal import Portal, Request, Response

COLUMN = "/xxgk_17/gknr/qt/fzndbg/"
WH_COLUMN = "/xxgk/fdzdgknr/zfxxgknb/"
PROTECTED = "/xxgk/"
PAGE_SIZE = 4
SEARCH_ID, CHNL = 210051, 4417          # SiteInfo.searchId and the column's chnlid (listModel)
LIST_API = "/fjdzapp/search"
MODEL_JS = "/images/model.min.js"
COOKIE = "924omrTVcFchP"
COOKIE_TTL = 90
CHALLENGE_JS = "/4QbVtADbnLVIc/c.FxJzG50F.js"
NSD = 48332
SITE = {"site_name": "黄石市人民政府", "site_domain": "www.huangshi.gov.cn", "site_id": "4202000003"}
HTML = "text/html"   # no charset in the header: only the <meta> says gbk


class Huangshi(Portal):
    name = "huangshi"
    region = "湖北省黄石市"
    family = "trs"
    antibot_browser = True
    charset = "gbk"
    page_size = PAGE_SIZE
    column_items: list = []     # the listModel column's rows, newest first (its list API pages them)

    def build(self) -> None:
        self.secret = hexid(f"huangshi/{id(self)}", 32).encode()
        rng = random.Random(4202)
        jx, sf = "黄石市经信局", "黄石市司法局"
        cat = {"category": "市政府部门"}
        specs = [
            from_sample("004", self.name),
            variant(rng, self.name, jx, 2022, size=3, index_prefix="000014349", **cat),
            variant(rng, self.name, jx, 2021, size=2, **cat),       # no 索引号: the header line only
            variant(rng, self.name, sf, 2023, size=40, index_prefix="011070291", error="review_sum", **cat),
            variant(rng, self.name, sf, 2022, size=35, index_prefix="011070291", delivery="html+pdf", **cat),
            variant(rng, self.name, sf, 2020, size=30, **cat),
        ]
        items = [self._report(COLUMN, spec, layout="pingtan") for spec in specs]
        for i, pattern in enumerate(DISTRACTORS[:3]):
            title = pattern.format(agency=sf if i % 2 else jx, year=2023, next=2024)
            date = f"2024-0{i + 3}-1{i + 1}"
            rel = self._rel(date, title)
            page = {"title": title, "published": date, "publisher": jx, "tables": {}}
            self.add_page(COLUMN + rel[2:], lambda p=page, r=rel: self._detail(p, ["现将有关事项公布如下。"], [],
                                                                              COLUMN + r[2:], "pingtan"))
            items.append(ListItem(title, rel, date, "distractor"))
        items.sort(key=lambda it: it.date, reverse=True)
        self.column_items = items
        self.add_page(COLUMN + "index.shtml", lambda: self._listmodel_page(items))
        self.add_page(MODEL_JS, lambda: MODEL.encode(), "application/javascript; charset=utf-8")
        # 武汉-style column behind the anti-bot
        gov = "黄石市人民政府办公室"
        wh_specs = [
            variant(rng, self.name, gov, 2024, size=300, category="综合政务"),
            variant(rng, self.name, gov, 2023, size=280, category="综合政务"),
            variant(rng, self.name, gov, 2022, size=260, category="综合政务", late=True),
        ]
        for n, spec in enumerate(wh_specs):   # 索引号 that a naive date regex reads as a date
            spec.index_number = f"011070001/{spec.year + 1}-0{n + 1}-{numid(spec.title, 5):05d}"
        wh_items = [self._report(WH_COLUMN, spec, layout="li") for spec in wh_specs]
        title = f"{gov}2025年政务公开工作要点"
        rel = self._rel("2025-03-05", title)
        self.add_page(WH_COLUMN + rel[2:], lambda: self._detail(
            {"title": title, "published": "2025-03-05", "publisher": gov, "tables": {}}, ["现印发给你们，请认真贯彻执行。"],
            [], WH_COLUMN + rel[2:]))
        wh_items.append(ListItem(title, rel, "2025-03-05", "distractor"))
        wh_items.sort(key=lambda it: it.date, reverse=True)
        self.add_page(WH_COLUMN + "index.shtml", lambda: self._writeln_list(wh_items))
        self.items = items + wh_items     # every list row (both columns), for tests
        self.add_page(CHALLENGE_JS, lambda: CHALLENGE.encode(), "application/javascript; charset=utf-8")
        self.add_page("/js/createPageHTML.js", lambda: CREATE_PAGE_HTML.encode(), "application/javascript; charset=utf-8")

    def add_page(self, path, render, content_type=None, conditional=False, spec=None) -> None:
        super().add_page(path, render, content_type or HTML, conditional, spec)

    def seed_entries(self) -> list[dict]:
        return [{"name": self.name, "region": self.region, "family": "trs",
                 "index_urls": [self.base + COLUMN + "index.shtml", self.base + WH_COLUMN + "index.shtml"],
                 "allowed_domains": ["127.0.0.1"], "browser": False, "antibot_browser": True, "obey_robots": True,
                 "params": {}}]

    # --- pages
    def _rel(self, date: str, key: str) -> str:
        d = date.replace("-", "")
        return f"./{d[:6]}/t{d}_{numid('hs/' + key, 7)}.shtml"

    def _report(self, column: str, spec, layout: str = "table") -> ListItem:
        rel = self._rel(spec.published, spec.title)
        path = column + rel[2:]
        files = []
        if spec.delivery == "html+pdf":
            d = spec.published.replace("-", "")
            pdf = f"P0{d}{numid('hs/pdf/' + spec.title, 6)}.pdf"
            self.add_page(column + d[:6] + "/" + pdf, lambda: writers.report_pdf(spec.record, spec.body(), **spec.options),
                          "application/pdf", conditional=True, spec=spec)
            files.append((f"./{pdf}", spec.title + ".pdf"))
        self.add_page(path, lambda: self._detail(spec.record, spec.body(), files, path, layout, **spec.options),
                      HTML, conditional=True, spec=spec)
        self.add_report(self.base + path, spec)
        return ListItem(spec.title, rel, spec.published)

    def _detail(self, record: dict, paragraphs, files, path: str, layout: str = "table", **opts) -> bytes:
        if record.get("tables"):
            body = writers.body_html(record, paragraphs, **opts)
        else:
            body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        if files:
            body += "".join(f'\n<p>附件：<a href="{escape(h)}">{escape(t)}</a></p>' for h, t in files)
        nb = "&nbsp;&nbsp;"
        pub = record.get("published") or ""
        e = lambda k: escape(record.get(k) or "")  # noqa: E731
        if layout == "pingtan":
            return self._pingtan_detail(record, body, path)
        if layout == "li":   # 武汉 style: <li>label： value</li>, dates as YYYY年MM月DD日
            cn = f"{pub[:4]}年{pub[5:7]}月{pub[8:10]}日" if pub else ""
            info = (f'<div class="sub"><ul><li>索引号： {e("index_number")}</li><li>发文机构： '
                    f'{e("publisher") or e("agency")}</li><li>发文字号： {e("document_number")}</li><li>主题分类： '
                    f'{e("category")}</li><li>成文日期： {cn}</li><li>发布日期： {cn}</li><li>有效性： 有效</li></ul></div>')
        else:
            info = f'''<table class="table xxgk-table" width="100%" border="0">
<tr><td class="th">索\u3000引\u3000号</td><td class="td">{e("index_number")}</td><td class="th">分{nb}{nb}类</td><td class="td">{e("category")}</td></tr>
<tr><td class="th">发布机构</td><td class="td">{e("publisher") or e("agency")}</td><td class="th">发文日期</td><td class="td">{pub}</td></tr>
<tr><td class="th">文{nb}{nb}号</td><td class="td">{e("document_number") or "无"}</td></tr>
</table>
'''
        html = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset={self.charset}" />
<title>{e("title")}_黄石市人民政府</title>
{writers.meta_tags(record, column="政府信息公开年报", url=path, **SITE)}
</head><body>
<div id="crumb"><a href="/">首页</a> &gt; <a href="../index.shtml">政府信息公开年报</a></div>
{info}
<div class="article-title"><h2>{e("title")}</h2></div>
<div class="view TRS_UEDITOR trs_paper_default trs_web">
{body}
</div>
<!--
页面发布时间
{pub} 09:30:00
-->
</body></html>
"""
        return html.encode(self.charset, "xmlcharrefreplace")

    def _info_table(self, record: dict) -> str:
        """黄石's 4-column label table (padded labels); none for a page without an 索引号."""
        if not record.get("index_number"):
            return ""
        nb = "&nbsp;&nbsp;"
        e = lambda k: escape(record.get(k) or "")  # noqa: E731
        return f'''<table class="table xxgk-table" width="100%" border="0">
<tr><td class="th">索\u3000引\u3000号</td><td class="td">{e("index_number")}</td><td class="th">分{nb}{nb}类</td><td class="td">{e("category")}</td></tr>
<tr><td class="th">发布机构</td><td class="td">{e("publisher") or e("agency")}</td><td class="th">发文日期</td><td class="td">{record.get("published") or ""}</td></tr>
<tr><td class="th">文{nb}{nb}号</td><td class="td">{e("document_number") or "无"}</td></tr>
</table>'''

    def _pingtan_detail(self, record: dict, body: str, path: str) -> bytes:
        """The real 平潭 article page's markup (tests/files/trs/pingtan-detail-*.html), values changed."""
        pub = record.get("published") or ""
        e = lambda k: escape(record.get(k) or "")  # noqa: E731
        metas = writers.meta_tags({**record, "publisher": ""}, column="政府信息公开年报", url=path, **SITE)
        doc_id = path.rsplit("_", 1)[-1].split(".")[0]
        html = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={self.charset}" />
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{e("title")}_政府信息公开年报_黄石市司法局</title>
{metas}
<meta name="DocId" content="{doc_id}"><meta name="ChnlId" content="{CHNL}">
</head>
<body>
<div class="trt-row"><div class="position">当前位置： <a href="/">首页</a> &gt; <a href="../index.shtml">政府信息公开年报</a></div></div>
<div class="article_component" ms-controller="windowRoot">
  <div class="article_title_group">
    <div class="article_title text_align_center">
      {e("title")}
    </div>
  </div>
  <div class="article_extend pad_base pad_base0_sm mar_t_base">
    <div class="trt-row">
      <div class="trt-col-16 trt-col-sm-24">
          <span class="article_source">来源：{e("publisher") or e("agency")}</span>
        <span class="article_time bf-pass">时间：{pub} 00:00</span>
      </div>
      <div class="trt-col-8 function_icon none_sm"><span class="phone_none" onclick="$printDetail()"><i class="trt-iconfont trt-icon-dayin"></i></span></div>
    </div>
  </div>
  {self._info_table(record)}
  <div class="article_content article_content_01">
    <div class="view TRS_UEDITOR trs_paper_default trs_web">
{body}
    </div>
  </div>
</div>
</body>
</html>
"""
        return html.encode(self.charset, "xmlcharrefreplace")

    def _listmodel_page(self, items: list[ListItem]) -> bytes:
        """The column as the real 平潭 "动静结合" page (tests/files/trs/pingtan-zfxxgknb-list.html):
        the first PAGE_SIZE rows static, listModel's arguments for the rest."""
        rows = "\n".join(f"""                                        <dl>
                                            <dd class="trt-col-sm-24 slb-trt-col-24 text_align_left">
                                                <a href="{escape(it.url)}" target="_blank" title="{escape(it.title)}">{escape(it.title)}</a>
                                            </dd>
                                            <dd class="trt-col-4 trt-col-sm-24 slb-trt-col-24 text_align_left">
                                                {it.date}
                                            </dd>
                                        </dl>""" for it in items[:self.page_size])
        html = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={self.charset}" />
<title>政府信息公开年报_黄石市司法局</title>
<meta name="SiteName" content="黄石市司法局"><meta name="SiteDomain" content="sfj.huangshi.gov.cn">
<meta name="SiteIDCode" content="4202000016"><meta name="ColumnName" content="政府信息公开年报">
<meta name="ChnlId" content="{CHNL}">
</head>
<body>
<div class="trt-col-19 trt-col-sm-24 slb-trt-col-24">
  <div class="tabs info_tabs" ms-controller="list">
    <div class="tabs_header"><ul><li class="on"><a class="cur_def" href="javascript:;">政府信息公开年报</a></li></ul></div>
    <div class="rules_tabs_01 none_sm slb_none rules_tabs_no_bg">
      <dl><dt class="trt-col-sm-24 slb-trt-col-24">标题</dt><dt class="trt-col-4 trt-col-sm-24 slb-trt-col-24 text_align_left">发布日期</dt></dl>
    </div>
    <div class="rules_tabs_01 rules_tabs_no_bg" ms-visible="showStatic">
{rows}
    </div>
    <div class="rules_tabs_01 rules_tabs_no_bg" ms-visible="!showStatic" style="display: none">
      <div id="dynamic-list">
        <dl ms-if="list.length>0" ms-repeat="list" ms-if-loop="$index<{self.page_size}">
          <dd class="trt-col-sm-24 slb-trt-col-24 text_align_left">
            <a ms-attr-href="el.chnldocurl" ms-attr-title="el.doctitle" ms-text="el.doctitle|html" target="_blank"></a>
          </dd>
          <dd class="trt-col-4 trt-col-sm-24 slb-trt-col-24 text_align_left" ms-text="el.docreltime|date('yyyy-MM-dd')"></dd>
        </dl>
      </div>
    </div>
    <div class="page_base mar_t_base" ms-controller="list_pagebar" ms-include-src="pgTemp" ms-if="pageCount>0"></div>
  </div>
</div>
<script>
var SiteInfo = {{
    itpSiteId: 21,
    searchId: {SEARCH_ID}, //默认的文档检索频道的ID
    defaultPgTemp: "pgBar_pt.html"
}};
</script>
<script src="{MODEL_JS}"></script>
<script>
    require(["list2.trsapi", "tools"], function(listModel, tools) {{
        listModel({{
            quickMode: "动静结合",
            maxStaticIndex: 1,
            listArgs: {{
                channelid: SiteInfo.searchId,
                classsql: "" || "chnlid={CHNL}",
                sortfield: "-docorderpri,-docreltime"
            }},
            pagebar: {{
                prepage: {self.page_size},
                recordCount: '{len(items)}',
                pgTemp: "pgBar_xxgk.html",
                pgCountMode: "recordCount",
                displayNum: 2
            }},
            callToPage: function(p) {{}}
        }});
    }});
</script>
</body>
</html>
"""
        return html.encode(self.charset, "xmlcharrefreplace")

    def _list_api(self, req: Request) -> Response:
        """POST /fjdzapp/search: page ``page`` of ``prepage`` rows of the column (JSON, UTF-8)."""
        form = req.form
        try:
            page, per = max(1, int(form.get("page") or 1)), max(1, int(form.get("prepage") or self.page_size))
        except ValueError:
            return Response(400, b'{"error":"bad page"}', "application/json;charset=UTF-8")
        rows = []
        if form.get("channelid") == str(SEARCH_ID) and form.get("classsql") == f"chnlid={CHNL}":
            rows = self.column_items
        chunk = rows[(page - 1) * per: page * per]
        data = [{"doctitle": it.title, "docreltime": f"{it.date} 00:00", "chnldocurl": it.url,
                 "docpuburl": self.base + COLUMN + it.url[2:], "chnlid": CHNL} for it in chunk]
        body = json.dumps({"data": data, "pageCount": math.ceil(len(rows) / per)}, ensure_ascii=False)
        return Response(body=body.encode(), content_type="application/json;charset=UTF-8")

    def dynamic(self, req: Request) -> Response | None:
        if req.path == LIST_API and req.method == "POST":
            return self._list_api(req)
        return None

    def _list(self, items: list[ListItem], n: int, pages: int) -> bytes:
        chunk = items[n * self.page_size:(n + 1) * self.page_size]
        pc = "\n".join(f'<li><a href="{escape(it.url)}" target="_blank" title="{escape(it.title)}">{escape(it.title)}'
                       f'</a><span class="time">{it.date}</span></li>' for it in chunk)
        mobile = "\n".join(f'<li><a href="{escape(it.url)}">{escape(it.title)}</a><em>{it.date}</em></li>' for it in chunk)
        html = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={self.charset}" />
<title>政府信息公开年度报告_黄石市司法局</title>
<meta name="SiteName" content="黄石市司法局"><meta name="SiteDomain" content="sfj.huangshi.gov.cn">
<meta name="SiteIDCode" content="4202000016"><meta name="ColumnName" content="政府信息公开年报">
<script src="/js/createPageHTML.js"></script>
</head><body>
<div id="crumb"><a href="/">首页</a> &gt; 信息公开 &gt; 政府信息公开年报</div>
<div class="list1 pc"><ul>
{pc}
</ul></div>
<ul class="m-list mobile" style="display:none">
{mobile}
</ul>
<div class="page"><script>createPageHTML({pages}, {n}, "index", "shtml");</script></div>
</body></html>
"""
        return html.encode(self.charset, "xmlcharrefreplace")

    def _writeln_list(self, items: list[ListItem]) -> bytes:
        rows = "\n".join(
            f"""<script>
var url = "{it.url}";
var title = "{it.title}";
var FILENUM = "";
document.writeln("<li><a href="+url+" target='_blank' title='"+title+"'>"+title+"</a>");
document.writeln("<span>{it.date} 17:32</span></li>");
</script>""" for it in items)
        html = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={self.charset}" />
<title>政府信息公开年报_黄石市人民政府</title>
<meta name="SiteName" content="黄石市人民政府"><meta name="ColumnName" content="政府信息公开年报">
<script src="/js/createPageHTML.js"></script>
</head><body>
<div class="sub"><ul class="info-list" id="list">
{rows}
</ul></div>
<div class="page"><script>createPageHTML(1, 0, "index", "shtml");</script></div>
</body></html>
"""
        return html.encode(self.charset, "xmlcharrefreplace")

    # --- anti-bot
    def _cd(self, content: str) -> str:
        return hmac.new(self.secret, content.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def token(content: str, cd: str, nsd: int = NSD) -> str:
        """What the challenge script computes (the same arithmetic, in Python)."""
        h = nsd
        for ch in content:
            h = (h * 31 + ord(ch)) % 2147483647
        for ch in cd:
            h = (h * 17 + ord(ch)) % 2147483647
        return _base36(h)

    def cookie_ok(self, value: str | None, now: float | None = None) -> bool:
        if not value or "." not in value:
            return False
        content, tok = value.rsplit(".", 1)
        try:
            issued = int(base64.urlsafe_b64decode(content.encode() + b"==").decode().split(":")[0])
        except (ValueError, UnicodeDecodeError):
            return False
        now = time.time() if now is None else now
        return 0 <= now - issued <= COOKIE_TTL and hmac.compare_digest(tok, self.token(content, self._cd(content)))

    def guard(self, req: Request) -> Response | None:
        if not req.path.startswith(PROTECTED) or self.cookie_ok(req.cookies.get(COOKIE)):
            return None
        issued = int(time.time())
        nonce = hexid(f"{issued}/{time.perf_counter_ns()}", 24)
        content = base64.urlsafe_b64encode(f"{issued}:{nonce}:{'q' * 40}".encode()).decode().rstrip("=")
        body = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta id="9DhefwqGPrzJ" content="{content}" r='m'>
<script type="text/javascript" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd={NSD};$_ts.cd="{self._cd(content)}";</script>
<script type="text/javascript" charset="utf-8" src="{CHALLENGE_JS}" r='m'></script>
</head><body></body></html>
"""
        return Response(412, body.encode(), "text/html; charset=utf-8",
                        headers={"Set-Cookie": f"924omrTVcFchO={nonce}; Path=/; HttpOnly", "Cache-Control": "no-cache"})


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


# The TRS template pager (docs/families.md, trs), as the real sites serve it.
CREATE_PAGE_HTML = r"""function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var nCurrIndex = _nCurrIndex || 0;
  document.write("共" + _nPageCount + "页&nbsp;");
  if (nCurrIndex == 0) document.write("首页&nbsp;上一页&nbsp;");
  else {
    document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">首页</a>&nbsp;");
    document.write("<a href=\"" + (nCurrIndex == 1 ? _sPageName : _sPageName + "_" + (nCurrIndex - 1)) + "." + _sPageExt + "\">上一页</a>&nbsp;");
  }
  if (nCurrIndex == _nPageCount - 1) document.write("下一页&nbsp;尾页");
  else {
    document.write("<a href=\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\">下一页</a>&nbsp;");
    document.write("<a href=\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\">尾页</a>");
  }
}
"""

# The replica's stand-in for the site's require.js + list2.trsapi (their source was never seen):
# listModel shows the static rows, and on 下一页 posts the page's listArgs to the list API and
# writes its rows (chnldocurl, doctitle, docreltime) where the avalon template sits.
MODEL = r"""(function () {
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }
  function listModel(cfg) {
    var shown = document.querySelector("[ms-visible='showStatic']");
    var box = document.getElementById("dynamic-list");
    var pager = document.querySelector(".page_base");
    var per = cfg.pagebar.prepage, pages = Math.ceil(parseInt(cfg.pagebar.recordCount, 10) / per), current = 1;
    function bar() {
      pager.innerHTML = "<span>共" + pages + "页</span> <span>第" + current + "页</span> " +
        (current < pages ? '<a href="javascript:;" class="next">下一页</a>' : "");
    }
    function load(page) {
      var body = new URLSearchParams({channelid: cfg.listArgs.channelid, classsql: cfg.listArgs.classsql,
                                      sortfield: cfg.listArgs.sortfield, page: page, prepage: per});
      fetch("/fjdzapp/search", {method: "POST", body: body, headers: {"X-Requested-With": "XMLHttpRequest"}})
        .then(function (r) { return r.json(); })
        .then(function (d) {
          box.innerHTML = d.data.map(function (el) {
            return '<dl><dd><a href="' + esc(el.chnldocurl) + '" target="_blank" title="' + esc(el.doctitle) + '">' +
              esc(el.doctitle) + "</a></dd><dd>" + esc(el.docreltime).slice(0, 10) + "</dd></dl>";
          }).join("");
          shown.style.display = "none";
          box.parentNode.style.display = "";
          current = page;
          bar();
        });
    }
    pager.addEventListener("click", function (e) {
      if (e.target.className === "next") { load(current + 1); }
    });
    bar();
  }
  var modules = {"list2.trsapi": listModel, "tools": {}};
  window.require = function (deps, fn) {
    var run = function () { fn.apply(null, deps.map(function (d) { return modules[d]; })); };
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); } else { run(); }
  };
})();
"""

CHALLENGE = r"""(function () {
  var metas = document.getElementsByTagName("meta"), content = "";
  for (var i = 0; i < metas.length; i++) { if (metas[i].getAttribute("r") === "m") content = metas[i].getAttribute("content"); }
  var h = $_ts.nsd, cd = $_ts.cd;
  for (var j = 0; j < content.length; j++) { h = (h * 31 + content.charCodeAt(j)) % 2147483647; }
  for (var k = 0; k < cd.length; k++) { h = (h * 17 + cd.charCodeAt(k)) % 2147483647; }
  document.cookie = "924omrTVcFchP=" + content + "." + h.toString(36) + "; path=/";
  location.reload();
})();
"""
