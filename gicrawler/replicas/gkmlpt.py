"""广东 gkmlpt replica (docs/families.md, gkmlpt). Its detail pages follow the three real detail
pages in tests/files/gkmlpt/; the index page and the list API follow public crawler code (no real
copy was ever saved, tests/files/gkmlpt/README.md), so those shapes stay unverified.

- ``/gkmlpt/index``: ``window._CONFIG = {…, SID: '200025', …, TREE: [...], SERVICE_AREA_ID: ''}``
  (laid out as the real posts lay out their _CONFIG); TREE nodes ``{id, name, parent, jump_url,
  children}`` as on the real posts (no ``post_count``): a top-level ``政府信息公开工作年度报告``
  (the 年报 category), ``其他`` › ``政府网站工作年度报表`` (no 年报), ``jump_url`` nodes to other sites;
- ``/gkmlpt/api/all/{cat}?page={n}&sid={SID}`` (pages from 1, PAGE_SIZE articles):
  ``{"classify": {"id", "name", "post_count"}, "total", "articles": [{id, title, url, post_url,
  date, display_publish_time, created_at, publisher, identifier, document_number, attachment}]}``;
  a wrong ``sid`` gets ``{"error": …}`` with HTTP 400, a page past the end ``articles: []``;
- ``/gkmlpt/content/{id // 10**6}/{id // 1000}/post_{id}.html``, as the real posts: the head's
  metas (``ContentSource`` 本网), a site-search form (with a 标题 radio), the server-rendered label
  block ``div.classify`` (索引号 分类 / 发布机构 成文日期 / 名称 / 文号 发布日期 / 主题词), ``h1.title``,
  ``div.date-row`` and the body in ``div.article-content``, and ``window._CONFIG = {…, SID, DETAIL:
  {title, content, source, date, gkml_data: {identifier, document_number, publisher, date …}, …},
  TREE, SERVICE_AREA_ID}`` with Laravel's ``@json`` escapes (``\\u003C``, ``\\u0022`` …);
- the 年报 category also holds a 通知 and a 解读 (distractors), an article on another host
  (offsite), one report whose tables are images (图片版) and one published as a PDF linked from
  the body.
"""
from __future__ import annotations

import json
import math
import random
import re
from datetime import datetime, timedelta, timezone
from html import escape

from gicrawler.replicas import writers
from gicrawler.replicas.portal import Portal, Request, Response
from gicrawler.replicas.reports import ListItem, numid, tiny_png, variant

SID = "200025"
NB_CAT, POLICY_CAT, OTHER_CAT = 3749, 3741, 3740
PAGE_SIZE = 4
AGENCY = "广州市人力资源和社会保障局"
SITE_DOMAIN, SITE_ID = "rsj.gz.gov.cn", "4401000025"
_BEIJING = timezone(timedelta(hours=8))


def laravel_json(value) -> str:
    """JSON as Laravel's ``@json`` writes it into a page (JSON_HEX_TAG|APOS|AMP|QUOT, ASCII only,
    ``\\/``: the real posts' DETAIL)."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
    for ch, esc in (("<", "\\u003C"), (">", "\\u003E"), ("'", "\\u0027"), ("&", "\\u0026")):
        text = text.replace(ch, esc)
    # JSON_HEX_QUOT: a quote inside a string (json's \\") as \\u0022; escapes read pairwise so an
    # escaped backslash before a closing quote stays as it is
    return re.sub(r'\\(.)', lambda m: "\\u0022" if m.group(1) == '"' else m.group(0), text)


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
        publisher = (spec.publisher or spec.agency) if spec else AGENCY
        # as the real posts' DETAIL: the label block's values in gkml_data, the 发布日期 as ``date``
        detail = {"id": post_id, "title": title, "content": content, "source": AGENCY, "category": 0,
                  "first_publish_time": epoch(day), "publish_time": epoch(day), "display_publish_time": 0,
                  "type": "normal", "attachment": [], "json_ext": "[]", "gkml_url": self.base + path,
                  "site": int(SID), "site_domain": SITE_DOMAIN,
                  "gkml_data": {"id": post_id, "identifier": spec.index_number if spec else "",
                                "title": title, "date": epoch(day) - 7 * 86400, "document_number": "",
                                "publisher": publisher, "classify_main": NB_CAT,
                                "classify_main_name": "政府信息公开工作年度报告", "is_expired": 0},
                  "date": day, "related_posts": []}
        self.posts[post_id] = detail
        self.add_page(path, lambda: self._detail(self.posts[post_id]), conditional=spec is not None, spec=spec)
        # the list API's article (public crawler code; no real answer saved)
        article = {"id": post_id, "title": title, "identifier": detail["gkml_data"]["identifier"],
                   "document_number": "", "publisher": publisher, "date": epoch(day),
                   "display_publish_time": epoch(day), "created_at": f"{day} 09:30:00",
                   "classify_main_name": "政府信息公开工作年度报告"}
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

    def _config(self, **fields) -> str:
        """``window._CONFIG`` laid out as on the real posts (one ``KEY: value,`` a line)."""
        rows = {"isMobile": "true", "ACTION": f"'{fields.pop('action')}'", "CSRF": "'replicaCsrfToken0000000000000000000000000'",
                "APP_URL": f"'{self.base}'", "SID": f"'{SID}'", "ENV": "'production'", **fields,
                "TREE": json.dumps(self._tree(), ensure_ascii=True, separators=(",", ":")), "SERVICE_AREA_ID": "''",
                "SEARCH_JSONP_URL": "'//search.gd.gov.cn/jsonp'"}
        body = ",\n".join(f"        {k}: {v}" for k, v in rows.items())
        return f"<script>\n    window._CONFIG = {{\n{body}\n    }};\n</script>"

    def _head(self, title: str, pubdate: str = "") -> str:
        metas = [("ColumnName", "政府信息公开平台"), ("ColumnType", "政府信息公开"), ("ArticleTitle", title),
                 ("PubDate", pubdate), ("ContentSource", "本网"), ("SiteName", f"{AGENCY}网站"),
                 ("SiteDomain", f"http://{SITE_DOMAIN}"), ("SiteIDCode", SITE_ID)]
        tags = "\n".join(f'    <meta name="{k}" content="{escape(v)}">' for k, v in metas if v)
        return (f'<!doctype html>\n<html lang="zh">\n<head>\n    <meta charset="UTF-8">\n'
                f"        <title>{escape(title)}</title>\n{tags}\n")

    # the real posts' site-search form: a 标题 radio the label reader must not take for the title
    SEARCH_FORM = """<div class="search-box"><div class="search-advance">搜索位置
    <span class="radio">&nbsp;&nbsp;标题</span>
    <span class="radio">&nbsp;&nbsp;全文</span> 排序方式 <span>&nbsp;&nbsp;按时间</span> <span>&nbsp;&nbsp;按相关度</span>
</div><a class="search-btn">搜索</a></div>"""

    def _detail(self, detail: dict) -> bytes:
        detail = dict(detail)
        render = detail.pop("_render", None)
        if render is not None:
            detail["content"] = render()
        gk, title = detail["gkml_data"], detail["title"]
        made = datetime.fromtimestamp(gk["date"], _BEIJING).date().isoformat()
        cell = lambda v: f"<span>{escape(v)}</span>"   # noqa: E731
        return f"""{self._head(title, datetime.fromtimestamp(detail["first_publish_time"], _BEIJING).strftime("%Y-%m-%d %H:%M"))}
{self._config(action="content", DETAIL=laravel_json(detail))}
<link href="/gkmlpt/gkml/pc/css/content.css" rel="stylesheet"></head>
<body style='visibility: hidden'>
<div class="header"><div class="header__content">{escape(AGENCY)} {self.SEARCH_FORM}</div></div>
<h1 class="print-title">{escape(AGENCY)}政府信息公开</h1>
<div class="content-wrapper">
    <div class="content-box" wzades="信息公开内容索引信息" style="padding: 0 20px">
        <div class="classify">
            <table>
                <tr><td class="first">索引号：</td><td class="td-value-xl"><span title="{escape(gk['identifier'])}">{escape(gk['identifier'])}</span></td>
                    <td class="second">分类：</td><td class="td-value"><span></span></td></tr>
                <tr><td class="first">发布机构：</td><td class="td-value-xl">{cell(gk['publisher'])}</td>
                    <td class="second">成文日期：<i></i></td><td class="td-value">{cell(made)}</td></tr>
                <tr><td class="all" style="vertical-align: top">名称：</td>
                    <td class="td-value" colspan="3"><span class="document-number" title="{escape(title)}">{escape(title)}</span></td></tr>
                <tr><td class="first">文号：</td><td class="td-value-xl"><span class="document-number">{escape(gk['document_number'])}</span></td>
                    <td class="second">发布日期：</td><td class="td-value">{cell(detail['date'])}</td></tr>
                <tr class='last-tr'><td class="all">主题词：</td><td class="td-value first-value" colspan='3'><span></span></td></tr>
            </table>
        </div>
        <div class="content" style="margin-top: 30px" wzades="信息公开内容正文详情" >
            <h1 class="title document-number">{escape(title)}</h1>
            <div class="date-row">
                发布日期：{detail['date']}&nbsp;&nbsp;浏览次数：<span id="post-visit">-</span>
            </div>
            <div class="article-content">
                {detail['content']}
                <br>
            </div>
            <div class="article-content policy-article-content" style="width: 700px"></div>
        </div>
    </div>
</div>
<script src="/gkmlpt/gkml/pc/js/content.js"></script></body>
</html>
""".encode()

    # --- index and API
    def _tree(self) -> list:
        node = lambda i, n, parent=0, jump=None, kids=(): {  # noqa: E731
            "id": i, "name": n, "parent": parent, "jump_url": jump, "children": list(kids)}
        return [
            node(3730, "政府信息公开指南"),
            node(3731, "政府信息依申请公开", jump="https://ysq.gz.gov.cn/businessflow/applyPublication"),
            node(NB_CAT, "政府信息公开工作年度报告"),
            node(3732, "组织机构", kids=[node(3733, "机构职能", 3732)]),
            node(POLICY_CAT, "政策文件"),
            node(OTHER_CAT, "其他", kids=[node(3750, "政府网站工作年度报表", OTHER_CAT),
                                        node(3751, "年度报告专栏", OTHER_CAT,
                                             jump="http://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/")]),
        ]

    def _index(self) -> bytes:
        # no real index page saved: its _CONFIG laid out as the real posts' (ACTION assumed)
        return f"""{self._head(f"政府信息公开-{AGENCY}")}
{self._config(action="index")}
</head>
<body style='visibility: hidden'>
<div class="header"><div class="header__content">{escape(AGENCY)} {self.SEARCH_FORM}</div></div>
<div class="content-wrapper"><div class="content-wrapper__router"></div></div>
<script src="/gkmlpt/gkml/pc/js/index.js"></script></body>
</html>
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
