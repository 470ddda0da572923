"""淄博 replica: the Shandong ``/gongkai/`` disclosure platform (docs/families.md, gongkai).

- ``/gongkai/channel_{24hex}/`` (also ``?page=N``): a JavaScript shell. The static HTML has no
  report link; its script reads ``page`` from the page URL and fetches the list endpoint

      GET /gongkai/channel_{24hex}/list.json?page=N&pageSize=M      (defaults 1 and 15)
      → {"total": T, "pageCount": P, "page": N, "pageSize": M,
         "docs": [{"title": …, "url": "/gongkai/channel_…/doc_{24hex}.html", "date": "YYYY-MM-DD"}]}

  then renders ``<ul class="doc-list"><li><a href=…>title</a><span class="date">…</span></li>``
  and a pager ``<div class="pager">共 P 页 <a href="?page=2">2</a> … 下一页</div>``. The page asks
  for ``pageSize=6`` (so the channel spans 3 pages); a page past the end has ``docs: []``.
- detail ``/gongkai/channel_{24hex}/doc_{24hex}.html``: label lines 标题/索引号/文号/发文日期/
  发布机构 (seeds 000/003), full ``<meta>`` set, body ``div#zoom``; attachments
  ``doc_{24hex}_{32hex}.pdf|.docx`` beside it; 图片版 tables as ``images/doc_…_{key}.png``.
- the list mixes reports with 工作要点/指南/目录/通知, an off-site link (www.gov.cn), a link to
  another replica through ``localhost`` (outside allowed_domains) and a dead doc link (404).
"""
from __future__ import annotations

import json
import math
import random
from html import escape

from gicrawler.replicas import writers
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.reports import DISTRACTORS, ListItem, from_sample, hexid, tiny_png, variant
from gicrawler.replicas.portal import Portal, Request, Response

PAGE_SIZE = 6
SITE = {"site_name": "淄博市人民政府", "site_domain": "www.zibo.gov.cn", "site_id": "3703000001"}


class Zibo(Portal):
    name = "zibo"
    region = "山东省淄博市"
    family = "gongkai"
    browser = True

    def build(self) -> None:
        self.channel = hexid("zibo/channel/ndbg", 24)
        self.prefix = f"/gongkai/channel_{self.channel}/"
        rng = random.Random(3703)
        gov, big = "淄博市人民政府", "淄博市大数据局"
        specs = [
            from_sample("003", self.name),
            from_sample("000", self.name),
            from_sample("002", self.name, publisher=big, index_number="11370300MB28560647/2021-0000213",
                      published="2021-01-26", delivery="html+docx"),
            variant(rng, self.name, gov, 2021, size=1500, index_prefix="11370300004224423Q", delivery="html+pdf"),
            variant(rng, self.name, gov, 2022, size=1300, index_prefix="11370300004224423Q"),
            variant(rng, self.name, gov, 2023, size=1200, index_prefix="11370300004224423Q", error="row_sum"),
            variant(rng, self.name, big, 2021, size=4, index_prefix="11370300MB28560647"),
            variant(rng, self.name, big, 2022, size=5, index_prefix="11370300MB28560647"),
        ]
        items: list[ListItem] = []
        for spec in specs:
            url = self._doc(spec.title)
            self._add_detail(url, spec)
            self.add_report(self.base + url, spec)
            items.append(ListItem(spec.title, url, spec.published))
        for i, pattern in enumerate(DISTRACTORS):
            title = pattern.format(agency=gov if i % 2 else big, year=2023, next=2024)
            url = self._doc(title)
            date = f"2024-0{i + 2}-1{i}"
            plain = load_sample("003").record | {"title": title, "published": date, "tables": {}}
            self.add_page(url, lambda p=plain: self._detail_html(p, ["为进一步做好政务公开工作，现将有关事项通知如下。"]))
            items.append(ListItem(title, url, date, "distractor"))
        items.append(ListItem("国务院办公厅2023年政府信息公开工作年度报告",
                              "http://www.gov.cn/zhengce/xxgk/2024-03/29/content_6942000.htm", "2024-03-29", "offsite"))
        other = next((p for p in self.rs.portals.values() if p is not self), None)
        if other is not None:
            port = other.base.rsplit(":", 1)[1]
            items.append(ListItem("嘉兴市政府信息公开年报专栏", f"http://localhost:{port}/", "2024-02-01", "offsite"))
        self.dead_url = self._doc("淄博市人民政府2019年政府信息公开工作年度报告")   # listed, never served
        items.append(ListItem("淄博市人民政府2019年政府信息公开工作年度报告", self.dead_url, "2020-01-20", "dead"))
        items.sort(key=lambda it: it.date, reverse=True)
        self.items = items
        self.add_page(self.prefix, self._shell)

    def seed_entries(self) -> list[dict]:
        return [{"name": self.name, "region": self.region, "family": self.family,
                 "index_urls": [self.base + self.prefix], "allowed_domains": ["127.0.0.1"],
                 "browser": True, "antibot_browser": False, "obey_robots": True,
                 "params": {"channel": self.channel}}]

    # --- pages
    def _doc(self, key: str) -> str:
        return f"{self.prefix}doc_{hexid('zibo/doc/' + key, 24)}.html"

    def _add_detail(self, path: str, spec) -> None:
        stem = path[:-5]
        attachments = []
        if spec.delivery in ("html+pdf", "pdf_only"):
            name = f"{stem}_{hexid(stem + '/pdf', 32)}.pdf"
            self.add_page(name, lambda s=spec: writers.report_pdf(s.record, s.body(), **s.options),
                          "application/pdf", conditional=True, spec=spec)
            attachments.append((name, spec.title + ".pdf"))
        if spec.delivery == "html+docx":
            name = f"{stem}_{hexid(stem + '/docx', 32)}.docx"
            self.add_page(name, lambda s=spec: writers.report_docx(s.record, s.body(), **s.options),
                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          conditional=True, spec=spec)
            attachments.append((name, spec.title + ".docx"))
        images = spec.options.get("image_sections") or ()
        for key in images:
            self.add_page(f"{self.prefix}images/{stem.rsplit('/', 1)[1]}_{key}.png",
                          lambda k=key: tiny_png(k), "image/png")
        opts = dict(spec.options)
        opts["image_src"] = lambda key: f"images/{stem.rsplit('/', 1)[1]}_{key}.png"
        opts["layout"] = "cell" if spec.sample is None and spec.agency == "淄博市大数据局" else "lines"
        self.add_page(path, lambda: self._detail_html(spec.record, spec.body(), attachments, path, **opts).encode(),
                      conditional=True, spec=spec)

    def _detail_html(self, record: dict, paragraphs, attachments=(), path="", layout="lines",
                     **opts) -> str | bytes:
        body = writers.body_html(record, paragraphs, **opts) if record.get("tables") or opts else "".join(
            f"<p>{escape(p)}</p>" for p in paragraphs)
        title = escape(record["title"])
        files = "".join(f'<li><a href="{escape(href.rsplit("/", 1)[1])}">{escape(label)}</a></li>'
                        for href, label in attachments)
        docno = escape(record.get("document_number") or "无文号")
        idx, pub = escape(record.get("index_number") or ""), escape(record.get("published") or "")
        org = escape(record.get("publisher") or record.get("agency") or "")
        if layout == "cell":   # label and value in one cell (the platform's department template)
            info = (f'<div class="gk-info"><table><tr><td colspan="2">标\u3000\u3000题：{title}</td></tr>'
                    f'<tr><td>索 引 号：{idx}</td><td>文\u3000\u3000号：{docno}</td></tr>'
                    f'<tr><td>发文日期：{pub}</td><td>发布机构：{org}</td></tr></table></div>')
        else:                  # seeds 000/003: label cell | value cell
            info = (f'<div class="gk-info"><table>\n<tr><td class="lbl">标题:</td><td colspan="3">{title}</td></tr>\n'
                    f'<tr><td class="lbl">索引号:</td><td>{idx}</td><td class="lbl">文号:</td><td>{docno}</td></tr>\n'
                    f'<tr><td class="lbl">发文日期:</td><td>{pub}</td><td class="lbl">发布机构:</td><td>{org}</td></tr>\n'
                    '</table></div>')
        html = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}-淄博市人民政府</title>
{writers.meta_tags(record, column="政府信息公开年度报告", url=path, **SITE)}
<link rel="stylesheet" href="/gongkai/static/css/detail.css">
</head><body>
<div class="crumb">首页 &gt; 政务公开 &gt; 政府信息公开 &gt; 政务公开组织管理 &gt; 政府信息公开年度报告</div>
{info}
<ul class="tab"><li>标题</li><li>正文</li><li>手机</li><li>解读</li></ul>
<div class="doc">
<h1 class="doc-title">{title}</h1>
<div class="doc-date">发布日期:{escape(record.get("published") or "")}<ul class="tools"><li>字号:</li><li>|</li><li>打印</li></ul></div>
<div class="doc-bar">电子书 | H5 | 语音播报 | 图片解读</div>
<div class="doc-content" id="zoom">
{body}
</div>
{f'<div class="doc-files"><p>附件:</p><ul>{files}</ul></div>' if files else ''}
</div>
</body></html>
"""
        return html if path else html.encode()

    def _shell(self) -> bytes:
        # The real platform renders lists client-side; this shell is the only static HTML.
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政府信息公开年度报告-淄博市人民政府</title>
<meta name="SiteName" content="淄博市人民政府"><meta name="SiteDomain" content="www.zibo.gov.cn">
<meta name="SiteIDCode" content="3703000001"><meta name="ColumnName" content="政府信息公开年度报告">
<meta name="ColumnType" content="政府信息公开年报">
</head><body>
<div class="crumb">首页 &gt; 政务公开 &gt; 政府信息公开 &gt; 政府信息公开年度报告</div>
<div id="app"><div class="loading">加载中…</div></div>
<script>
(function () {{
  var m = /[?&]page=(\\d+)/.exec(location.search);
  var page = m ? parseInt(m[1], 10) : 1;
  function esc(s) {{ return String(s).replace(/[&<>"]/g, function (c) {{
    return {{"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}}[c]; }}); }}
  var xhr = new XMLHttpRequest();
  xhr.open("GET", "list.json?page=" + page + "&pageSize={PAGE_SIZE}");
  xhr.onload = function () {{
    var d = JSON.parse(xhr.responseText), h = ['<ul class="doc-list">'];
    d.docs.forEach(function (doc) {{
      h.push('<li><a href="' + esc(doc.url) + '" target="_blank" title="' + esc(doc.title) + '">' + esc(doc.title) +
             '</a><span class="date">' + esc(doc.date) + '</span></li>');
    }});
    h.push('</ul><div class="pager">共 ' + d.pageCount + ' 页 ');
    for (var i = 1; i <= d.pageCount; i++) {{
      h.push(i === d.page ? '<span class="current">' + i + '</span> ' : '<a href="?page=' + i + '">' + i + '</a> ');
    }}
    if (d.page < d.pageCount) h.push('<a class="next" href="?page=' + (d.page + 1) + '">下一页</a>');
    h.push('</div>');
    document.getElementById("app").innerHTML = h.join("");
  }};
  xhr.send();
}})();
</script>
</body></html>
""".encode()

    def dynamic(self, req: Request) -> Response | None:
        if req.path != self.prefix + "list.json":
            return None
        try:
            page = max(1, int(req.query.get("page") or 1))
            size = min(100, max(1, int(req.query.get("pageSize") or 15)))
        except ValueError:
            return Response(400, b'{"error":"bad page"}', "application/json; charset=utf-8")
        count = max(1, math.ceil(len(self.items) / size))
        chunk = self.items[(page - 1) * size: page * size]
        data = {"total": len(self.items), "pageCount": count, "page": page, "pageSize": size,
                "docs": [{"title": it.title, "url": it.url, "date": it.date} for it in chunk]}
        return Response(body=json.dumps(data, ensure_ascii=False).encode(), content_type="application/json; charset=utf-8")
