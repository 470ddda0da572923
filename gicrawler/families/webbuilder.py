"""新点 (Epoint) WebBuilder sites: REST lists and ``showinfo.html?infoGuid=`` shells (docs/families.md,
webbuilder). Built only as far as the documented facts carry: every step is unverified (VERIFIED).

- the index URL is a column page carrying ``var siteInfo = {siteGuid: …, projectName: …}``
  (params ``siteGuid`` / ``project`` otherwise); params ``categorynum`` (and ``deptcode``) name the
  column;
- list ``POST {project}/rest/lightfrontaction/getgovinfolist``, form ``params=<JSON {deptcode,
  categorynum, siteGuid, pageIndex, pageSize}>``, answering ``custom.data[].{infourl, realtitle,
  title, infodate}``; pages from ``pageIndex`` 0 until an empty one;
- reports are shells ``…/showinfo.html?infoGuid=<uuid>``: ``detail_requests`` asks
  ``POST {project}/rest/frontAppNotNeedLoginAction/getGovInfoDetail`` (params ``detail_path``),
  form ``params=<JSON {infoGuid, siteGuid}>``, ``X-Requested-With`` + Referer = the shell; the
  answer ``custom.data.{infocontent, title, infotype, pdflist[]}`` is the report's content
  (gicrawler/parsing/embedded.py), its ``pdflist`` files (``attachurl``) are fetched as well.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from gicrawler.discovery import attachment_ext, parse_date, resolve
from gicrawler.families import ListPage, PageRequest, clean, load_json

# Which of these behaviours a real saved page shows: none (tests/files/webbuilder/README.md); all
# but the last two are from one public file (KIROGOVCOMPARE FilingHtmlImportService.ts).
VERIFIED = {
    "shell_markers": False,         # showinfo.html / ?infoGuid= / a uuid path; info_spnContent, getGovInfoDetail …
    "site_info": False,             # var siteInfo = {siteGuid, projectName}
    "detail_request": False,        # POST {project}/rest/frontAppNotNeedLoginAction/getGovInfoDetail, params=<JSON>
    "detail_answer": False,         # custom.data.{infocontent, title, infotype, pdflist[]}, custom.status "false"
    "list_request": False,          # POST {project}/rest/lightfrontaction/getgovinfolist: notes citing FishShaw
    "list_form_and_paging": False,  # the same params=<JSON> form, pageIndex from 0, infodate on rows: assumption
}

LIST_PATH = "/rest/lightfrontaction/getgovinfolist"
DETAIL_PATH = "/rest/frontAppNotNeedLoginAction/getGovInfoDetail"
PAGE_SIZE = 20
_SITE_INFO = re.compile(r"\bsiteInfo\s*=\s*\{(.*?)\}", re.S)
_FIELD = re.compile(r"""['"]?(\w+)['"]?\s*:\s*['"]([^'"]*)['"]""")
_UUID = r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}"
_GUID = re.compile(rf"(?i)(?:infoGuid|infoid)=({_UUID})|/({_UUID})\.html?(?:$|[?#])")
# what a shell page names (KIROGOVCOMPARE's detection): without one, a page is a page, not a shell
SHELL_MARKERS = ("info_spnContent", "getGovInfoDetail", "webBuilderCommon", "gxhWebBuilderCommon", "shhkZwgk",
                 "webbuilder.get")
XHR = {"X-Requested-With": "XMLHttpRequest"}


def first_requests(portal) -> list[PageRequest]:
    return [PageRequest(url, state={"stage": "column"}) for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    if state.get("stage") == "column":
        site = site_info(text, url, params)
        return ListPage([], [_list_request(site, params, url, 0)])
    data = _custom(load_json(text, "WebBuilder list")).get("data")
    rows = data if isinstance(data, list) else []
    entries = []
    for row in rows:
        if isinstance(row, dict):
            link = resolve(str(row.get("infourl") or ""), state["referer"])
            if link:
                title = clean(str(row.get("realtitle") or row.get("title") or ""))
                entries.append({"url": link, "title": title, "date": parse_date(str(row.get("infodate") or ""))})
    urls = sorted(e["url"] for e in entries)
    if not entries or urls == state.get("last"):  # the end, or an API that ignores pageIndex
        return ListPage(entries, [])
    nxt = _list_request(state["site"], params, state["referer"], state["page"] + 1)
    nxt.state["last"] = urls
    return ListPage(entries, [nxt])


def site_info(text: str, url: str, params: dict) -> dict:
    """siteGuid and the project path (``/shsj-application-front``) from ``var siteInfo``, params first."""
    found = dict(_FIELD.findall(m.group(1))) if (m := _SITE_INFO.search(text)) else {}
    guid = params.get("siteGuid") or found.get("siteGuid")
    project = params.get("project") or found.get("projectName") or ""
    if not guid:
        raise ValueError(f"no siteInfo.siteGuid on {url} (params.siteGuid names the site)")
    project = "/" + project.strip("/") if project.strip("/") else ""
    return {"siteGuid": guid, "project": urljoin(url, project + "/") if project else urljoin(url, "/")}


def _api(site: dict, path: str) -> str:
    return urljoin(site["project"], path.lstrip("/"))


def _list_request(site: dict, params: dict, referer: str, page: int) -> PageRequest:
    body = {"deptcode": str(params.get("deptcode") or ""), "categorynum": str(params.get("categorynum") or ""),
            "siteGuid": site["siteGuid"], "pageIndex": page, "pageSize": int(params.get("rows") or PAGE_SIZE)}
    return PageRequest(_api(site, params.get("list_path") or LIST_PATH), method="POST",
                       formdata={"params": json.dumps(body, ensure_ascii=False, separators=(",", ":"))},
                       headers={**XHR, "Referer": referer},
                       state={"stage": "list", "site": site, "page": page, "referer": referer})


def detail_requests(text: str, url: str, state: dict, params: dict) -> list[PageRequest]:
    """The shell's REST detail call; on its answer, the PDF files it lists (``pdflist``)."""
    if state.get("stage") == "detail":
        custom = _custom(load_json(text, "WebBuilder detail"))
        data = custom.get("data") if isinstance(custom.get("data"), dict) else custom
        files = (data.get("pdflist") or data.get("attachlist") or []) if isinstance(data, dict) else []
        out = []
        for f in files:
            link = resolve(str(f.get("attachurl") or ""), state["shell"]) if isinstance(f, dict) else None
            if link:
                out.append(PageRequest(link, state={"stage": "file", "kind": attachment_ext(link) or "pdf",
                                                    "name": clean(str(f.get("attachname") or ""))}))
        return out
    guid = _GUID.search(url)
    if not guid or not any(marker in text for marker in SHELL_MARKERS):
        return []
    site = site_info(text, url, params)
    body = {"infoGuid": guid.group(1) or guid.group(2), "siteGuid": site["siteGuid"]}
    return [PageRequest(_api(site, params.get("detail_path") or DETAIL_PATH), method="POST",
                        formdata={"params": json.dumps(body, separators=(",", ":"))},
                        headers={**XHR, "Referer": url},
                        state={"stage": "detail", "kind": "json", "shell": url, "name": "getGovInfoDetail"})]


def _custom(doc) -> dict:
    custom = doc.get("custom") if isinstance(doc, dict) else None
    if isinstance(custom, str):  # some Epoint answers carry custom as a JSON string
        try:
            custom = json.loads(custom)
        except ValueError:
            custom = None
    if not isinstance(custom, dict):
        raise ValueError("WebBuilder answer without a custom object")
    if str(custom.get("status", "")).lower() == "false":
        raise ValueError(f"WebBuilder answer refused: {str(custom)[:120]}")
    return custom
