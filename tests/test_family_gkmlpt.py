"""The gkmlpt adapter and the JSON-shipped detail bodies (docs/families.md, gkmlpt): the three real
detail pages of tests/files/gkmlpt/ (README.md there), and the index/API shapes public code
documents, for which no real copy exists (``gkmlpt.VERIFIED`` False)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from parsel import Selector

from gicrawler.families import detect, gkmlpt
from gicrawler.loaders import extract_metadata
from gicrawler.parsing import parse_report
from gicrawler.parsing.embedded import embedded_html
from gicrawler.replicas import writers
from gicrawler.replicas.gkmlpt import Gkmlpt, laravel_json
from gicrawler.replicas.samples import load_sample
from gicrawler.seeds import Portal

FILES = Path(__file__).parent / "files" / "gkmlpt"
EXPECTED = json.loads((FILES / "expected.json").read_text(encoding="utf-8"))
REAL = sorted(EXPECTED)


def real(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


def real_detail(text: str) -> dict:
    m = re.search(r"\bDETAIL\s*:\s*(?=\{)", text)
    return json.JSONDecoder().raw_decode(text, m.end())[0]


def test_verified_facts_are_those_the_real_pages_show():
    """What the tests below prove on the real posts is marked verified; the index page, the list
    API and attachments (none on the three posts) stay unverified."""
    assert {k for k, v in gkmlpt.VERIFIED.items() if v} == {
        "detail_config", "tree_nodes", "report_category_name", "detail_json_body", "detail_fields"}
    assert not any(gkmlpt.VERIFIED[k] for k in ("index_config", "api_list", "api_answer", "api_headers",
                                                 "detail_attachments"))


# --- the real posts ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", REAL)
def test_real_post_config_tree_and_its_report_category(name):
    """A post's _CONFIG carries the site's SID and TREE; the TREE's nodes are {id, name, parent,
    jump_url, children} (no post_count), and the default pattern finds the one top-level
    政府信息公开工作年度报告 node — not 政府网站工作年度报表, not a jump_url node."""
    text, exp = real(name), EXPECTED[name]
    sid, tree = gkmlpt.site_config(text)
    assert sid == exp["sid"]
    assert {frozenset(n) for n in tree} == {frozenset({"id", "name", "parent", "jump_url", "children"})}
    assert gkmlpt.report_categories(tree, {}) == exp["report_categories"]
    [node] = [n for n in tree if n["id"] in exp["report_categories"]]
    assert node["name"] == exp["report_category_name"] and not node["jump_url"] and not node["children"]
    # a crawl from this post's site: the API request the adapter makes for that category
    base = gkmlpt.base_url(exp["url"])
    assert base.endswith("/gkmlpt/") and urlsplit(base).path == urlsplit(exp["url"]).path.split("gkmlpt/")[0] + "gkmlpt/"
    assert detect.detect(text, exp["url"]).family == "gkmlpt"


@pytest.mark.parametrize("name", REAL)
def test_real_post_json_body_is_the_rendered_body(name):
    """DETAIL.content (``\\u003C`` escapes) is the body the server also renders into
    div.article-content; the record's text starts with the hand-read first words."""
    text, exp = real(name), EXPECTED[name]
    detail = real_detail(text)
    assert "\\u003Cp" in text and "\\u0022" in text
    fold = lambda html: " ".join(Selector(text=f"<div>{html}</div>").xpath("string()").get().split())  # noqa: E731
    rendered = Selector(text=text).css("div.content div.article-content")[0].get()
    assert fold(detail["content"]) == fold(rendered) and len(fold(rendered)) > 1000
    record = parse_report(text.encode(), url=exp["url"], content_type="text/html; charset=utf-8")
    assert record["text"].split("\n")[:len(exp["body_begins"])] == exp["body_begins"]
    assert not record["errors"]


@pytest.mark.parametrize("name", REAL)
def test_real_post_labels_from_json_are_the_printed_label_block(name):
    """The label block embedded.py builds from DETAIL holds what the page prints in div.classify
    (hand-read in expected.json ``label_block``): 名称 = title, 索引号/文号/发布机构/成文日期 from
    gkml_data, 发布日期 = DETAIL.date; not DETAIL.source (a district's 转载 names the city)."""
    text, exp = real(name), EXPECTED[name]
    printed = exp["label_block"]
    rows = Selector(text=embedded_html(text)).css("table.embedded-labels tr")
    built = {r.css("td::text").getall()[0].rstrip("："): r.css("td::text").getall()[1] for r in rows}
    want = {"标题": printed["名称"], "索引号": printed["索引号"], "文号": printed["文号"],
            "发布机构": printed["发布机构"], "发布日期": printed["发布日期"], "成文日期": printed["成文日期"]}
    assert built == {k: v for k, v in want.items() if v}
    # the markup's own block says the same (read straight off the page)
    cells = [" ".join(c.split()) for c in Selector(text=text).css("div.classify td").xpath("string()").getall()]
    page = dict(zip(cells[0::2], cells[1::2]))
    assert {k.rstrip("："): v for k, v in page.items()} == printed
    # the spider's loader reads the page as parse_report does: not the search form's 标题 radio
    assert extract_metadata(text) == {k: v for k, v in extract_metadata(embedded_html(text)).items()}
    assert extract_metadata(text)["title"] == exp["metadata"]["title"]


@pytest.mark.parametrize("name", REAL)
def test_real_post_files_are_requested_once(name):
    """None of the three posts has a file (DETAIL.attachment [], no link in the body). A file the
    body links is in the markup too, which the spider reads itself: detail_requests leaves it out;
    one linked only inside the JSON is requested."""
    text, exp = real(name), EXPECTED[name]
    assert real_detail(text)["attachment"] == exp["attachments"] == []
    assert gkmlpt.detail_requests(text, exp["url"], {}, {}) == []
    detail = real_detail(text)
    link = '<p><a href="/attachment/0/9/9/1.pdf">附件1.pdf</a></p>'
    only_json = text.replace(laravel_json(detail["content"]), laravel_json(detail["content"] + link), 1)
    assert only_json != text
    [req] = gkmlpt.detail_requests(only_json, exp["url"], {}, {})
    assert urlsplit(req.url).path == "/attachment/0/9/9/1.pdf" and req.state["kind"] == "pdf"
    both = only_json.replace('<div class="article-content">', '<div class="article-content">' + link, 1)
    assert gkmlpt.detail_requests(both, exp["url"], {}, {}) == []


def test_replica_post_is_laid_out_as_the_real_posts():
    """The replica's post: the same _CONFIG keys in the same order, DETAIL and gkml_data fields
    the real posts have, the same printed label block, the body rendered in div.article-content."""
    replica = Gkmlpt("http://127.0.0.1:1")
    replica.build()
    post = next(iter(replica.posts.values()))
    page = replica._detail(post).decode()
    text = real(REAL[0])
    keys = lambda t: re.findall(r"^\s{8}([A-Z_a-z]+):", t.split("window._CONFIG = {", 1)[1].split("\n    };")[0], re.M)  # noqa: E731
    assert [k for k in keys(text) if k in keys(page)] == keys(page)
    assert {"SID", "DETAIL", "TREE", "SERVICE_AREA_ID", "CSRF", "ACTION"} <= set(keys(page))
    mine, theirs = real_detail(page), real_detail(text)
    assert set(mine) <= set(theirs) and set(mine["gkml_data"]) <= set(theirs["gkml_data"])
    assert set(laravel_json(mine)) <= set(text)     # ASCII and escapes as the real JSON
    labels = lambda t: [" ".join(c.split()) for c in Selector(text=t).css("div.classify td:nth-child(odd)").xpath("string()").getall()]  # noqa: E731
    assert labels(page) == labels(text)
    assert Selector(text=page).css("div.content div.article-content").xpath("string()").get().strip()
    _, tree = gkmlpt.site_config(page)
    assert all(set(n) == {"id", "name", "parent", "jump_url", "children"} for n in tree)


def index_page(tree, sid="200001") -> str:
    return (f"<html><body><div id=app></div><script>window._CONFIG = {{SID: '{sid}', SITE_NAME: '广州市', "
            f"TREE: {json.dumps(tree, ensure_ascii=False)}, SERVICE_AREA_ID: '440100'}};</script></body></html>")


def node(id_, name, children=(), jump="", count=3):
    return {"id": id_, "name": name, "children": list(children), "jump_url": jump, "post_count": count}


TREE = [node(1, "机构职能", [node(2, "机构概况")]),
        node(10, "其他", [node(11, "政府信息公开年报", [node(12, "2024年"), node(13, "2023年"), node(14, "2008年", count=0)]),
                        node(15, "年度报告专栏", jump="http://www.gz.gov.cn/zfxxgknb/")]),
        node(20, "政府信息公开年度报告")]


def test_index_finds_the_report_categories_and_keeps_the_path_prefix():
    url = "http://www.foshan.gov.cn/fscczrzyj/gkmlpt/index"
    page = gkmlpt.parse_list(index_page(TREE, "757013"), url, {"stage": "index"}, {})
    assert page.entries == []
    # leaves of the matched node (not its empty year), not the jump_url node, and the second match
    assert [r.url for r in page.requests] == [
        f"http://www.foshan.gov.cn/fscczrzyj/gkmlpt/api/all/{cat}?page=1&sid=757013" for cat in (12, 13, 20)]
    assert page.requests[0].headers == {"X-Requested-With": "XMLHttpRequest",
                                        "Referer": "http://www.foshan.gov.cn/fscczrzyj/gkmlpt/policy"}


def test_categories_from_params_or_all_posts_when_the_tree_names_none():
    url = "http://www.gd.gov.cn/gkmlpt/index"
    ids = lambda page: [parse_qs(urlsplit(r.url).query)["sid"][0] + ":" + urlsplit(r.url).path.rsplit("/", 1)[1]  # noqa: E731
                        for r in page.requests]
    assert ids(gkmlpt.parse_list(index_page(TREE, "2"), url, {"stage": "index"}, {"categories": [3749]})) == ["2:3749"]
    assert ids(gkmlpt.parse_list(index_page(TREE, "2"), url, {"stage": "index"},
                                 {"category_pattern": "机构"})) == ["2:2"]
    none = [node(1, "政策文件"), node(2, "规划计划")]
    assert ids(gkmlpt.parse_list(index_page(none, "2"), url, {"stage": "index"}, {})) == ["2:0"]
    with pytest.raises(ValueError, match="_CONFIG"):
        gkmlpt.parse_list("<html>维护中</html>", url, {"stage": "index"}, {})


def api_state(url="http://www.gd.gov.cn/gkmlpt/api/all/12?page=1&sid=2"):
    [req] = gkmlpt.parse_list(index_page([node(12, "年报")], "2"), "http://www.gd.gov.cn/gkmlpt/index",
                              {"stage": "index"}, {}).requests
    return req


# 2025-03-31 00:30 in Beijing is still 2025-03-30 in UTC: the day must be Beijing's
LATE = int(datetime(2025, 3, 30, 16, 30, tzinfo=timezone.utc).timestamp())


def answer(ids, count=None, total=None):
    arts = [{"id": i, "title": f"广东省人民政府{2020 + i % 5}年政府信息公开工作年度报告",
             "url": f"http://www.gd.gov.cn/gkmlpt/content/{i // 10**6}/{i // 1000}/post_{i}.html",
             "post_url": f"/gkmlpt/content/0/0/post_{i}.html", "date": LATE, "display_publish_time": LATE,
             "created_at": "2025-03-31 09:00:00"} for i in ids]
    doc = {"articles": arts}
    if count is not None:
        doc["classify"] = {"id": 12, "name": "年报", "post_count": count}
    if total is not None:
        doc["total"] = total
    return json.dumps(doc, ensure_ascii=False)


def test_api_answer_entries_and_pages_planned_from_the_count():
    req = api_state()
    page = gkmlpt.parse_list(answer([4688997, 4688998], count=5), req.url, req.state, {})
    assert page.entries[0] == {"url": "http://www.gd.gov.cn/gkmlpt/content/4/4688/post_4688997.html",
                               "title": "广东省人民政府2022年政府信息公开工作年度报告", "date": "2025-03-31"}
    assert [parse_qs(urlsplit(r.url).query)["page"] for r in page.requests] == [["2"], ["3"]]
    assert page.listed == 5                     # the category's size: the spider's listed/reached
    nxt = page.requests[0]
    assert gkmlpt.parse_list(answer([1, 2], count=5), nxt.url, nxt.state, {}).requests == []
    # the top-level total counts when classify does not
    assert len(gkmlpt.parse_list(answer([1, 2], total=6), req.url, req.state, {}).requests) == 2


def test_api_without_a_count_pages_until_empty_or_repeated():
    req = api_state()
    [nxt] = gkmlpt.parse_list(answer([1, 2]), req.url, req.state, {}).requests
    assert parse_qs(urlsplit(nxt.url).query)["page"] == ["2"]
    assert gkmlpt.parse_list(answer([1, 2]), nxt.url, nxt.state, {}).requests == []     # page 2 repeats page 1
    assert gkmlpt.parse_list(answer([]), nxt.url, nxt.state, {}).requests == []
    with pytest.raises(ValueError, match="not JSON"):
        gkmlpt.parse_list("<html>502 Bad Gateway</html>", nxt.url, nxt.state, {})
    with pytest.raises(ValueError, match="without articles"):
        gkmlpt.parse_list('{"error": "site not found"}', nxt.url, nxt.state, {})


def test_article_url_falls_back_to_post_url_and_dates_to_created_at():
    assert gkmlpt.article_entry({"post_url": "/gkmlpt/content/1/1000/post_1000001.html", "title": " 年报 ",
                                 "created_at": "2024-02-01 08:00:00"}, "http://a.gd.gov.cn/gkmlpt/") == {
        "url": "http://a.gd.gov.cn/gkmlpt/content/1/1000/post_1000001.html", "title": "年报", "date": "2024-02-01"}
    assert gkmlpt.article_entry({"title": "x"}, "http://a.gd.gov.cn/gkmlpt/") is None
    assert gkmlpt.base_url("http://drc.gd.gov.cn/gkmlpt/content/4/4662/post_4662348.html?jump=true") == \
        "http://drc.gd.gov.cn/gkmlpt/"


def detail_page(content: str, **fields) -> str:
    # DETAIL as on the real posts: the label block's values in gkml_data
    detail = {"id": 4688997, "title": "广东省人民政府2024年政府信息公开工作年度报告", "source": "广东省人民政府办公厅",
              "date": "2025-03-31", "content": content, "attachment": [],
              "gkml_data": {"identifier": "006939748/2025-00084", "publisher": "广东省人民政府",
                            "document_number": "", "date": LATE}, **fields}
    return (f'<html><head><meta charset="utf-8"><title>广东省人民政府门户网站</title></head><body><div id="app"></div>'
            f"<script>window._CONFIG = {{SID: '2', DETAIL: {laravel_json(detail)}}};</script></body></html>")


def test_detail_body_shipped_as_json_is_parsed_like_a_page():
    sample = load_sample("004")
    text = detail_page(writers.body_html(sample.record, sample.paragraphs, **sample.options))
    assert "\\u003Ctable" in text and "<table" not in text   # the body exists only as the JSON string
    record = parse_report(text.encode(), content_type="text/html; charset=utf-8",
                          url="http://www.gd.gov.cn/gkmlpt/content/4/4688/post_4688997.html")
    assert (record["title"], record["index_number"], record["publisher"], record["published"]) == (
        "广东省人民政府2024年政府信息公开工作年度报告", "006939748/2025-00084", "广东省人民政府", "2025-03-31")
    assert record["tables"] == sample.record["tables"]


def test_detail_requests_are_the_files_linked_inside_the_json_body():
    url = "http://www.gd.gov.cn/gkmlpt/content/4/4688/post_4688997.html"
    text = detail_page('<p>详见附件。</p><p><a href="/attachment/0/4688/4688997/9012.pdf">年度报告.pdf</a></p>')
    [req] = gkmlpt.detail_requests(text, url, {}, {})
    assert (req.url, req.state["kind"]) == ("http://www.gd.gov.cn/attachment/0/4688/4688997/9012.pdf", "pdf")
    assert gkmlpt.detail_requests(b"%PDF-1.4".decode(), req.url, req.state, {}) == []
    assert gkmlpt.detail_requests("<html><body>普通页面</body></html>", url, {}, {}) == []


def test_first_requests_are_the_index_pages():
    portal = Portal(name="t", family="gkmlpt", index_urls=("http://www.gz.gov.cn/gkmlpt/index",),
                    allowed_domains=("gz.gov.cn",))
    assert [(r.url, r.state) for r in gkmlpt.first_requests(portal)] == [
        ("http://www.gz.gov.cn/gkmlpt/index", {"stage": "index"})]
