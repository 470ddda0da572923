"""广东 gkmlpt replica (docs/families.md, gkmlpt), built on the documented facts: no real gkmlpt
page or API answer was ever saved (tests/files/gkmlpt/README.md), so every shape here is the
public crawlers' description, unverified.

- ``/gkmlpt/index``: ``window._CONFIG = {SID: '200025', …, TREE: [...], SERVICE_AREA_ID: …}``;
  the 年报 category ``政府信息公开年报`` sits under ``其他``, beside categories with posts that are
  no reports and a ``jump_url`` node that links another site;
- ``/gkmlpt/api/all/{cat}?page={n}&sid={SID}`` (pages from 1, PAGE_SIZE articles):
  ``{"classify": {"id", "name", "post_count"}, "total", "articles": [{id, title, url, post_url,
  date, display_publish_time, created_at, publisher, identifier, document_number, attachment}]}``;
  a wrong ``sid`` gets ``{"error": …}`` with HTTP 400, a page past the end ``articles: []``;
- ``/gkmlpt/content/{id // 10**6}/{id // 1000}/post_{id}.html``: the head's metas, an empty
  ``<div id="app">`` and ``window._CONFIG = {SID, DETAIL: {…, "content": "…"}}`` with Laravel's
  ``@json`` escapes (``\\u003C``, ``\\u0022`` …) — the body exists only in that JSON string;
- the 年报 category also holds a 通知 and a 解读 (distractors), an article on another host
  (offsite), one report whose tables are images (图片版) and one published as a PDF linked only
  inside DETAIL.content.
"""
from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta, timezone
from html import escape

from gicrawler.replicas import writers
from gicrawler.replicas.portal import Portal, Request, Response
from gicrawler.replicas.reports import ListItem, numid, tiny_png, variant

SID = "200025"
NB_CAT, POLICY_CAT, OTHER_CAT = 3749, 3741, 3740
PAGE_SIZE = 4
AGENCY = "广州市人力资源和社会保障局"
SITE = {"site_name": AGENCY, "site_domain": "rsj.gz.gov.cn", "site_id": "4401000025"}
_BEIJING = timezone(timedelta(hours=8))


def laravel_json(value) -> str:
    """JSON as Laravel's ``@json`` writes it into a page (JSON_HEX_TAG|APOS|AMP|QUOT)."""
    text = json.dumps(value, ensure_ascii=False)
    for ch, esc in (("<", "\\u003C"), (">", "\\u003E"), ("'", "\\u0027"), ("&", "\\u0026")):
        text = text.replace(ch, esc)
    return text


def epoch(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(hour=9, minute=30, tzinfo=_BEIJING).timestamp())


class Gkmlpt(Portal):
    name = "gkmlpt"
    region = "广东省广州市"
    family = "gkmlpt"

    def build(self) -> None:
        rng = random.Random(4401)
        specs = [
            variant(rng, self.name, AGENCY, 2024, size=900, index_prefix="007482775"),
            variant(rng, self.name, AGENCY, 2023, size=850, index_prefix="007482775",
                    options={"image_sections": ("applications",)}),
            variant(rng, self.name, AGENCY, 2022, size=800, index_prefix="007482775", delivery="pdf_only"),
            variant(rng, self.name, AGENCY, 2021, size=700, index_prefix="007482775", error="balance"),
        ]
        self.posts: dict[int, dict] = {}          # post id → DETAIL
        self.files: dict[str, object] = {}        # attachment path → spec
        articles = [self._report(spec) for spec in specs]
        for title, day, kind in (("关于做好2024年政府信息公开工作年度报告编制和发布工作的通知", "2025-01-06", "distractor"),
                                 (f"{AGENCY}2023年政府信息公开工作年度报告解读", "2024-01-30", "distractor")):
            articles.append(self._post(title, day, f"<p>{escape(title)}。</p>", kind))
        # a report the category lists on another host (the city portal's copy): never requested
        offsite = {"id": 9100001, "title": "广州市人民政府2024年政府信息公开工作年度报告", "date": epoch("2025-01-20"),
                   "url": "http://www.gz.gov.cn/gkmlpt/content/9/9100/post_9100001.html"}
        articles.append(offsite)
        articles.sort(key=lambda a: -a["date"])
        self.categories = {NB_CAT: articles,
                           POLICY_CAT: [self._post(f"{AGENCY}关于印发2025年政务公开工作要点的通知", "2025-03-01",
                                                   "<p>现印发给你们。</p>", "distractor")]}
        self.items = [ListItem(a["title"], a["url"], _day(a["date"]), a.get("_kind", "offsite")) for a in articles]
        self.items += [ListItem(a["title"], a["url"], _day(a["date"]), "distractor") for a in self.categories[POLICY_CAT]]
        self.add_page("/gkmlpt/index", self._index)
        self.add_page("/gkmlpt/policy", self._index)

    def seed_entries(self) -> list[dict]:
        return [{"name": self.name, "region": self.region, "family": self.family,
                 "index_urls": [self.base + "/gkmlpt/index"], "allowed_domains": ["127.0.0.1"],
                 "browser": False, "antibot_browser": False, "obey_robots": True, "params": {}}]

    # --- posts
    def _path(self, post_id: int) -> str:
        return f"/gkmlpt/content/{post_id // 10**6}/{post_id // 1000}/post_{post_id}.html"

    def _post(self, title: str, day: str, content: str, kind: str = "report", spec=None) -> dict:
        post_id = numid("gkmlpt/" + title, 7)
        path = self._path(post_id)
        detail = {"id": post_id, "title": title, "identifier": spec.index_number if spec else "",
                  "document_number": "", "publisher": spec.publisher or spec.agency if spec else AGENCY,
                  "date": epoch(day), "display_publish_time": epoch(day), "created_at": f"{day} 09:30:00",
                  "classify_main_name": "政府信息公开年报", "content": content, "attachment": []}
        self.posts[post_id] = detail
        record = {"title": title, "published": day, "publisher": detail["publisher"]}
        self.add_page(path, lambda: self._detail(self.posts[post_id], spec, record, path),
                      conditional=spec is not None, spec=spec)
        article = {k: detail[k] for k in ("id", "title", "identifier", "document_number", "publisher", "date",
                                          "display_publish_time", "created_at", "classify_main_name")}
        article.update(url=self.base + path, post_url=self.base + path, is_expired=0, is_abolished=0,
                       attachment=[], _kind=kind)
        return article

    def _report(self, spec) -> dict:
        post_id = numid("gkmlpt/" + spec.title, 7)
        if spec.delivery == "pdf_only":
            pdf = f"/attachment/0/{post_id // 1000}/{post_id}/{numid('gkmlpt/pdf/' + spec.title, 7)}.pdf"
            self.add_page(pdf, lambda: writers.report_pdf(spec.record, spec.body(), **spec.options),
                          "application/pdf", conditional=True, spec=spec)
            content = f'<p>{escape(spec.title)}详见附件。</p><p><a href="{pdf}">{escape(spec.title)}.pdf</a></p>'
        else:
            opts = dict(spec.options, image_src=lambda key: f"/attachment/0/{post_id // 1000}/{post_id}/{key}.png")
            for key in spec.options.get("image_sections") or ():
                self.add_page(opts["image_src"](key), lambda k=key: tiny_png(k), "image/png")
            content = writers.body_html(spec.record, spec.body(), **opts)
        article = self._post(spec.title, spec.published, content, spec=spec)
        if spec.delivery != "pdf_only":   # the body changes with ReplicaSet.modify(): render it per request
            self.posts[post_id]["_render"] = lambda: writers.body_html(spec.record, spec.body(), **opts)
        self.add_report(article["url"], spec)
        return article

    def _detail(self, detail: dict, spec, record: dict, path: str) -> bytes:
        detail = dict(detail)
        render = detail.pop("_render", None)
        if render is not None:
            detail["content"] = render()
        config = laravel_json({k: v for k, v in detail.items()})
        title = escape(detail["title"])
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}-{AGENCY}</title>
{writers.meta_tags(record, column="政府信息公开年报", url=path, **SITE)}
<link rel="stylesheet" href="/gkmlpt/static/css/detail.css">
</head><body>
<div id="app"></div>
<script>window._CONFIG = {{SID: '{SID}', SERVICE_AREA_ID: '440100', DETAIL: {config}, PLATFORM: 'gkmlpt'}};</script>
<script src="/gkmlpt/static/js/detail.js"></script>
</body></html>
""".encode()

    # --- index and API
    def _tree(self) -> list:
        leaf = lambda i, n, c: {"id": i, "name": n, "children": [], "jump_url": "", "post_count": c}  # noqa: E731
        return [
            {"id": 3730, "name": "机构职能", "children": [leaf(3731, "机构概况", 0)], "jump_url": "", "post_count": 0},
            {"id": POLICY_CAT, "name": "政策文件", "children": [], "jump_url": "",
             "post_count": len(self.categories[POLICY_CAT])},
            {"id": OTHER_CAT, "name": "其他", "jump_url": "", "post_count": len(self.categories[NB_CAT]),
             "children": [leaf(NB_CAT, "政府信息公开年报", len(self.categories[NB_CAT])),
                          {"id": 3750, "name": "年度报告专栏", "children": [], "post_count": 3,
                           "jump_url": "http://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/"}]},
        ]

    def _index(self) -> bytes:
        tree = json.dumps(self._tree(), ensure_ascii=False)
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政府信息公开-{AGENCY}</title>
<meta name="SiteName" content="{AGENCY}"><meta name="SiteIDCode" content="{SITE['site_id']}">
</head><body><div id="app"></div>
<script>window._CONFIG = {{SID: '{SID}', SITE_NAME: '{AGENCY}', TREE: {tree}, SERVICE_AREA_ID: '440100', PLATFORM: 'gkmlpt'}};</script>
<script src="/gkmlpt/static/js/index.js"></script>
</body></html>
""".encode()

    def dynamic(self, req: Request) -> Response | None:
        if not req.path.startswith("/gkmlpt/api/all/"):
            return None
        json_type = "application/json; charset=utf-8"
        try:
            cat, page = int(req.path.rsplit("/", 1)[1]), int(req.query.get("page") or 1)
        except ValueError:
            return Response(400, b'{"error":"bad request"}', json_type)
        if req.query.get("sid") != SID:
            return Response(400, b'{"error":"site not found"}', json_type)
        posts = ([a for arts in self.categories.values() for a in arts] if cat == 0 else self.categories.get(cat, []))
        chunk = posts[(page - 1) * PAGE_SIZE: page * PAGE_SIZE] if page >= 1 else []
        body = {"classify": {"id": cat, "name": "政府信息公开年报" if cat == NB_CAT else "", "post_count": len(posts)},
                "total": len(posts), "articles": [{k: v for k, v in a.items() if not k.startswith("_")} for a in chunk],
                "page": page, "pages": max(1, math.ceil(len(posts) / PAGE_SIZE))}
        return Response(body=json.dumps(body, ensure_ascii=False).encode(), content_type=json_type)


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, _BEIJING).date().isoformat()
