"""The 北京 zfxxgknb adapter: its directory names against the real report URLs of stored copies
(tests/files/beijing), the walk root → year → group → pages on pages built from those shapes
(no root or list page was saved: docs/families.md, zfxxgknb)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from gicrawler.families import zfxxgknb

STORED = json.loads((Path(__file__).parent / "files" / "beijing" / "stored-pages.json").read_text(encoding="utf-8"))
# the roots of tests/files/beijing/README.md whose year directories hold the reports
ROOTS = ("https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/", "https://www.bjdx.gov.cn/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/",
         "https://www.bjhr.gov.cn/zfxxgkzl/gknb/", "https://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/",
         "https://www.beijing.gov.cn/gongkai/zfxxgk/zfxxgknb/")


def under_a_root():
    for page in STORED["pages"]:
        url = re.sub(r"^http:", "https:", page["url"])
        root = next((r for r in ROOTS if url.startswith(r)), None)
        if root:
            yield page, url[len(root):].split("/")


def test_real_report_urls_match_the_year_group_and_detail_shapes():
    seen = 0
    for page, parts in under_a_root():
        seen += 1
        assert zfxxgknb.year_of(parts[0], {}) == page["metadata"]["year"], page["url"]
        assert zfxxgknb.DETAIL.search(page["url"]), page["url"]
        if not re.fullmatch(r"\d{6}", parts[1]):      # not a month folder: a group directory
            assert re.fullmatch(zfxxgknb.GROUP_DIRS, parts[1]), page["url"]
            assert not re.fullmatch(zfxxgknb.GROUP_DIRS, parts[2]), page["url"]   # 大兴's …/735093/index.html
    assert seen == 13   # 密云 4, 大兴 2, 怀柔 4, 东城 2, beijing.gov.cn 1


def test_names_that_are_no_year_directory():
    for name in ("gkzn", "2024nb78", "gknb", "xzjd49", "202601", "index.html"):
        assert zfxxgknb.year_of(name, {}) is None, name
    assert zfxxgknb.year_of("2024n78", {"year_pattern": r"(?P<year>\d{4})n\d+"}) == 2024   # 通州's opaque dirs


def listing(links, rows=(), pager=""):
    nav = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links)
    lis = "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>{d}</span></li>' for h, t, d in rows)
    return f"<html><body><ul class=nav>{nav}</ul><ul class=list>{lis}</ul>{pager}</body></html>"


ROOT = "https://www.bjhr.gov.cn/zfxxgkzl/gknb/"


def test_root_follows_its_year_directories_only():
    html = listing([("./2025nb/", "2025年度"), ("2024nb/index.html", "2024年度"), ("./2015nb/", "2015年度"),
                    ("../gkzn/", "政府信息公开指南"), ("../gkml/index.html", "目录"), ("./2025nb/qzf2025/", "区政府"),
                    ("https://www.beijing.gov.cn/gongkai/zfxxgk/zfxxgknb/2025nb/", "市政府"), ("./2025nb/", "again")])
    page = zfxxgknb.parse_list(html, ROOT, {"stage": "root"}, {})
    assert [(r.url, r.state) for r in page.requests] == [
        (ROOT + "2025nb/", {"stage": "year", "year": 2025}), (ROOT + "2024nb/", {"stage": "year", "year": 2024}),
        (ROOT + "2015nb/", {"stage": "year", "year": 2015})]
    kept = zfxxgknb.parse_list(html, ROOT, {"stage": "root"}, {"years": "2024-2025"})
    assert [r.state["year"] for r in kept.requests] == [2025, 2024]


def test_year_directory_groups_entries_and_pages():
    url = ROOT + "2025nb/"
    html = listing([("./qzf2025/", "区政府"), ("./qzfbm2025/", "区政府部门"), ("./zxjd2025/", "街乡镇"),
                    ("../2024nb/", "2024年度"), ("./tjsj/", "统计数据")],
                   [("./202601/t20260119_4447005.html", "怀柔区政府办公室2025年政府信息公开工作年度报告", "2026-01-19")],
                   '<script>createPageHTML(2, 0, "index", "html");</script>')
    page = zfxxgknb.parse_list(html, url, {"stage": "year", "year": 2025}, {})
    assert page.entries == [{"url": url + "202601/t20260119_4447005.html",
                             "title": "怀柔区政府办公室2025年政府信息公开工作年度报告", "date": "2026-01-19"}]
    assert [(r.url, r.state["stage"]) for r in page.requests] == [
        (url + "qzf2025/", "group"), (url + "qzfbm2025/", "group"), (url + "zxjd2025/", "group"),
        (url + "index_1.html", "page")]
    # a group lists and pages, and follows no further directory
    group = zfxxgknb.parse_list(html, url + "qzfbm2025/", {"stage": "group"}, {})
    assert [r.url for r in group.requests] == [url + "qzfbm2025/index_1.html"]
    assert zfxxgknb.parse_list(html, url + "index_1.html", {"stage": "page"}, {}).requests == []


def test_daxing_detail_directories_are_entries_not_groups():
    url = "https://www.bjdx.gov.cn/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/2016n/xzjd49/"
    html = listing([], [("./735093/index.html", "2016年北京市大兴区榆垡镇政府信息公开工作年度报告", "2017-01-20"),
                        ("./735094/index.html", "2016年北京市大兴区礼贤镇政府信息公开工作年度报告", "2017-01-21")])
    page = zfxxgknb.parse_list(html, url, {"stage": "year"}, {})
    assert [e["url"] for e in page.entries] == [url + "735093/index.html", url + "735094/index.html"]
    assert page.requests == []


def test_links_resolve_against_base_href():
    html = '<html><head><base href="/zfxxgkzl/gknb/"></head><body><a href="2025nb/">2025年度</a></body></html>'
    page = zfxxgknb.parse_list(html, ROOT + "index.html", {"stage": "root"}, {})
    assert [r.url for r in page.requests] == [ROOT + "2025nb/"]
