"""Pagers of the newer families claiming a million pages: planned (``planned_pages``), not built;
the spider takes what GICRAWLER_MAX_LIST_PAGES allows (gicrawler/families/__init__.py)."""
from __future__ import annotations

import json

import pytest

from gicrawler.families import get_adapter, ucap

YEAR_PAGE = ('<ul><li><a href="./qzf2024/">区政府</a></li><li><a href="./qzfbm2024/">部门</a></li></ul>'
             '<script>createPageHTML(1000000, 0, "index", "html");</script>')
GK_STATE = {"stage": "api", "base": "http://www.gd.gov.cn/gkmlpt/", "sid": "2", "cat": 12, "page": 1}
UCAP_STATE = ucap.search_request({"site_code": "6200000068", "search_url": "https://jyt.gansu.gov.cn/search4/s"},
                                 "年度报告", 2025, 0).state


@pytest.mark.parametrize("family, url, text, state, claimed", [
    ("govcn", "https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/index.html",
     "<script>var countPage = 1000000;</script>", {"page": 0}, 999_999),
    ("zfxxgknb", "https://www.bjhr.gov.cn/zfxxgkzl/gknb/2024nb/", YEAR_PAGE, {"stage": "year", "year": 2024},
     2 + 999_999),
    ("gkmlpt", "http://www.gd.gov.cn/gkmlpt/api/all/12?page=1&sid=2",
     json.dumps({"classify": {"post_count": 2_000_000}, "articles": [{"id": 1, "url": "/a"}, {"id": 2, "url": "/b"}]}),
     GK_STATE, 999_999),
    ("ucap", "https://jyt.gansu.gov.cn/search4/s?pageNum=0",
     '<div class="results-list">相关结果 10000000 个</div>', UCAP_STATE, 999_999),
])
def test_a_million_page_pager_is_planned_not_built(family, url, text, state, claimed):
    requests = get_adapter(family).parse_list(text, url, state, {}).requests
    assert len(requests) == claimed
    built = []
    make = requests.make
    requests.make = lambda n: built.append(n) or make(n)
    first = list(requests[:3])
    assert len(built) == 3 and len({r.url for r in first}) == 3
    assert first == list(requests[:3])
