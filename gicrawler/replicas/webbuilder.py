"""新点 WebBuilder replica (a Shanghai district) (docs/families.md, webbuilder), built only on the
documented facts: no page, list answer or REST answer of this platform was ever saved
(tests/files/webbuilder/README.md), so every shape here is unverified.

- column ``/xxgk/zfxxgknb/index.html``: ``var siteInfo = {siteGuid, projectName}``, an empty list
  box the page's script fills from
  ``POST {project}/rest/lightfrontaction/getgovinfolist`` (form ``params=<JSON {deptcode,
  categorynum, siteGuid, pageIndex, pageSize}>``) → ``{"custom": {"data": [{infourl, title,
  realtitle, infodate}], "total": N}}``; pages from ``pageIndex`` 0, an empty ``data`` past the end;
- reports are shells ``/xxgk/showinfo.html?infoGuid=<uuid>&categoryNum=…`` (``#info_spnContent``
  empty); their content comes from ``POST {project}/rest/frontAppNotNeedLoginAction/getGovInfoDetail``
  (form ``params=<JSON {infoGuid, siteGuid}>``, ``X-Requested-With`` required) →
  ``{"custom": {"status": "true", "data": {title, infodate, infotype, infocontent, pdflist}}}``;
  an unknown guid gets ``custom.status: "false"``; one report is ``infotype: "pdf"`` with the
  tables only in its ``pdflist`` file.
"""
from __future__ import annotations

import json
import math
import random
import uuid
from html import escape

from gicrawler.replicas import writers
from gicrawler.replicas.portal import Portal, Request, Response
from gicrawler.replicas.reports import DISTRACTORS, ListItem, hexid, variant

PROJECT = "/shsj-application-front"
SITE_GUID = "7eb5f7f1-9041-43ad-8e13-8fcb82ea831a"
CATEGORY = "001008003"
COLUMN = "/xxgk/zfxxgknb/index.html"
PAGE_SIZE = 4
AGENCY = "上海市松江区人民政府"
JSON_TYPE = "application/json; charset=utf-8"


class Webbuilder(Portal):
    name = "webbuilder"
    region = "上海市松江区"
    family = "webbuilder"

    def build(self) -> None:
        rng = random.Random(3100)
        bodies = ["上海市松江区人民政府", "上海市松江区泖港镇人民政府", "上海市松江区发展和改革委员会"]
        specs = [variant(rng, self.name, bodies[0], 2025, size=500), variant(rng, self.name, bodies[1], 2025, size=20),
                 variant(rng, self.name, bodies[0], 2024, size=480, delivery="pdf_only"),
                 variant(rng, self.name, bodies[2], 2024, size=60)]
        self.infos: dict[str, dict] = {}       # infoGuid → {title, date, spec | text}
        rows = []
        for spec in specs:
            guid = self._info(spec.title, spec.published, spec)
            self.add_report(self.base + self._shell_path(guid), spec)
            rows.append(ListItem(spec.title, self._shell_path(guid), spec.published))
        for pattern in DISTRACTORS[:3]:
            title = pattern.format(agency=AGENCY, year=2025, next=2026)
            rows.append(ListItem(title, self._shell_path(self._info(title, "2026-02-03", None)), "2026-02-03", "distractor"))
        rows.sort(key=lambda it: it.date, reverse=True)
        self.items = rows
        self.add_page(COLUMN, self._column)
        self.add_page("/xxgk/showinfo.html", self._shell)

    def seed_entries(self) -> list[dict]:
        return [{"name": self.name, "region": self.region, "family": self.family,
                 "index_urls": [self.base + COLUMN], "allowed_domains": ["127.0.0.1"],
                 "browser": False, "antibot_browser": False, "obey_robots": True,
                 "params": {"categorynum": CATEGORY}}]

    # --- documents
    def _shell_path(self, guid: str) -> str:
        return f"/xxgk/showinfo.html?infoGuid={guid}&categoryNum={CATEGORY}"

    def _info(self, title: str, day: str, spec) -> str:
        guid = str(uuid.UUID(hexid("webbuilder/" + title, 32)))
        info = {"title": title, "date": day, "spec": spec}
        if spec is not None and spec.delivery == "pdf_only":
            path = f"{PROJECT}/WebBuilderDS/ZwgkFile/{day[:7].replace('-', '')}/{hexid('wb/pdf/' + title, 32)}.pdf"
            self.add_page(path, lambda: writers.report_pdf(spec.record, spec.body(), **spec.options),
                          "application/pdf", conditional=True, spec=spec)
            info["pdf"] = path
        self.infos[guid] = info
        return guid

    def _detail(self, guid: str) -> dict:
        info = self.infos[guid]
        spec = info["spec"]
        data = {"infoid": guid, "title": info["title"], "infodate": info["date"], "infotype": "html",
                "infocontent": f"<p>{escape(info['title'])}。</p>", "pdflist": []}
        if spec is not None and "pdf" in info:
            data.update(infotype="pdf", infocontent="<p>详见附件。</p>",
                        pdflist=[{"attachname": info["title"] + ".pdf", "attachtype": "pdf", "attachurl": info["pdf"]}])
        elif spec is not None:
            data["infocontent"] = writers.body_html(spec.record, spec.body(), **spec.options)
        return {"custom": {"status": "true", "data": data}, "status": {"code": 200, "text": ""}}

    # --- pages
    def _site_info(self) -> str:
        return (f'<script>var siteInfo = {{siteGuid: "{SITE_GUID}", projectName: "{PROJECT}", '
                f'siteName: "{AGENCY}", pageSize: {PAGE_SIZE}}};</script>')

    def _column(self) -> bytes:
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报_{AGENCY}</title>
<meta name="SiteName" content="{AGENCY}"><meta name="ColumnName" content="政府信息公开年报">
{self._site_info()}
<script src="/js/webBuilderCommon.js"></script>
</head><body>
<div class="crumb">首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<ul id="infolist" data-categorynum="{CATEGORY}"></ul><div id="pager"></div>
<script>webbuilder.get("{PROJECT}/rest/lightfrontaction/getgovinfolist", {{categorynum: "{CATEGORY}"}}, "#infolist");</script>
</body></html>
""".encode()

    def _shell(self) -> bytes:
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{AGENCY}</title>
{self._site_info()}
<script src="/js/webBuilderCommon.js"></script>
</head><body>
<div class="crumb">首页 &gt; 政府信息公开</div>
<h2 id="info_title"></h2><div id="info_spnContent"></div><div id="info_files"></div>
<script>webbuilder.get("{PROJECT}/rest/frontAppNotNeedLoginAction/getGovInfoDetail", {{infoGuid: getQueryString("infoGuid")}});</script>
</body></html>
""".encode()

    def dynamic(self, req: Request) -> Response | None:
        if req.path == "/xxgk/showinfo.html":   # any infoGuid: the same shell (its script reads the query)
            return Response(body=self._shell()) if req.query.get("infoGuid") in self.infos else self.not_found()
        if req.path not in (PROJECT + "/rest/lightfrontaction/getgovinfolist",
                            PROJECT + "/rest/frontAppNotNeedLoginAction/getGovInfoDetail"):
            return None
        if req.method != "POST" or req.headers.get("X-Requested-With") != "XMLHttpRequest":
            return Response(403, b'{"custom":{"status":"false","text":"forbidden"}}', JSON_TYPE)
        try:
            params = json.loads(req.form.get("params") or "")
        except ValueError:
            params = None
        if not isinstance(params, dict) or params.get("siteGuid") != SITE_GUID:
            return Response(body=b'{"custom":{"status":"false","text":"site"}}', content_type=JSON_TYPE)
        if req.path.endswith("getGovInfoDetail"):
            guid = params.get("infoGuid")
            if guid not in self.infos:
                return Response(body=b'{"custom":{"status":"false","text":"no info"}}', content_type=JSON_TYPE)
            body = self._detail(guid)
        else:
            try:
                page, size = int(params.get("pageIndex", 0)), int(params.get("pageSize", PAGE_SIZE))
            except (TypeError, ValueError):
                page, size = 0, PAGE_SIZE
            rows = self.items if params.get("categorynum") == CATEGORY else []
            chunk = rows[page * size:(page + 1) * size] if page >= 0 and size > 0 else []
            body = {"custom": {"total": len(rows), "pages": math.ceil(len(rows) / max(1, size)), "data": [
                {"infourl": it.url, "title": it.title[:18] + "…" if len(it.title) > 18 else it.title,
                 "realtitle": it.title, "infodate": it.date} for it in chunk]}}
        return Response(body=json.dumps(body, ensure_ascii=False).encode(), content_type=JSON_TYPE)
