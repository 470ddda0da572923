"""The gkmlpt adapter and the JSON-shipped detail bodies, on the shapes public code documents
(docs/families.md, gkmlpt): no real gkmlpt page or API answer exists (tests/files/gkmlpt/README.md),
so every page here is built from those facts; ``gkmlpt.VERIFIED`` says each is unverified."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from gicrawler.families import gkmlpt
from gicrawler.parsing import parse_report
from gicrawler.replicas import writers
from gicrawler.replicas.gkmlpt import laravel_json
from gicrawler.replicas.samples import load_sample
from gicrawler.seeds import Portal


def test_every_fact_is_marked_unverified():
    assert gkmlpt.VERIFIED and not any(gkmlpt.VERIFIED.values())


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
    detail = {"id": 4688997, "title": "广东省人民政府2024年政府信息公开工作年度报告", "identifier": "006939748/2025-00084",
              "publisher": "广东省人民政府", "document_number": "", "date": LATE, "content": content, **fields}
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
