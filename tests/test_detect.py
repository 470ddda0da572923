"""Family markers (gicrawler/families/detect.py): every real list page among the fixtures is
recognised as its family with the markers and size read by hand (tests/files/*/expected.json);
pages of no known family, anti-bot pages and the families without saved pages (from their
documented markers) — pure functions, no network."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gicrawler.families.detect import (check_page, detect, read_as, seed_entry, stated_size, suggest_name,
                                       year_directories)
from gicrawler.seeds import FAMILIES, Portal, parse_seeds

FILES = Path(__file__).parent / "files"
# fixture folders that are not named after their family, and fixtures filed beside another family
FOLDER_FAMILY = {"beijing": "zfxxgknb"}
FAMILY_OF = {
    # a Gansu platform list: createPageHTML pager (commented out) and TRS-style names; the folder
    # holds it for its SiteIDCode + guestweb4 search box, which detect reports as markers
    "ucap/gansu-jyt-c110634-list.html": "trs",
}
# list-API answers that are no index page of a seed entry: detect must name no family for them
NOT_AN_INDEX = {
    # a Ucap search answer carries no SiteIDCode meta; the adapter starts from a page of the portal
    "ucap/gansu-scjg-guestweb4-search.html",
}
# the names expected.json gives its markers → the names detect prints
MARKER_NAMES = {
    "datastore": "<datastore>", "dataproxy": "dataproxy.jsp", "loadPageData": "loadPageData",
    "listModel": "listModel", "list2.trsapi": "list2.trsapi", "SiteIDCode": "SiteIDCode",
    "guestweb4": "guestweb4/s", "createPageHTML_in_comment": "createPageHTML", "createPageHTML": "createPageHTML",
}


def list_fixtures():
    out = []
    for expected in sorted(FILES.glob("*/expected.json")):
        for name, info in json.loads(expected.read_text(encoding="utf-8")).items():
            if isinstance(info, dict) and info.get("kind") in ("list", "list_api"):
                out.append(pytest.param(expected.parent / name, info, id=f"{expected.parent.name}/{name}"))
    return out


FIXTURES = list_fixtures()


def test_there_are_list_fixtures():
    assert len(FIXTURES) >= 4


@pytest.mark.parametrize("path, info", FIXTURES)
def test_every_list_fixture_is_its_family(path, info):
    key = f"{path.parent.name}/{path.name}"
    if key in NOT_AN_INDEX:
        det = detect(path.read_text(encoding=info.get("encoding") or "utf-8"), info["url"], {}, 200)
        assert det.family is None, (key, det.scores)
        return
    family = FAMILY_OF.get(key) or FOLDER_FAMILY.get(path.parent.name, path.parent.name)
    assert family in FAMILIES, f"{key}: no adapter for {family} (add it to FAMILY_OF)"
    text = path.read_text(encoding=info.get("encoding") or "utf-8")
    det = detect(text, info["url"], {}, 200)
    assert det.family == family, (key, det.scores, [str(m) for m in det.markers])
    seen = {m.name for m in det.markers}
    for marker in info.get("markers", ()):
        if marker in MARKER_NAMES:
            assert MARKER_NAMES[marker] in seen, (key, marker, seen)
    if info.get("listed") is not None:
        assert det.listed == info["listed"]
    if det.pages is not None and info.get("pages") is not None:
        assert det.pages == info["pages"]
    # what that family's adapter reads from the page, as `seeds detect` prints it
    reading = read_as(det, text)
    assert reading.error is None and reading.listed == info.get("listed", reading.listed)
    if info["kind"] == "list" and info.get("entries"):
        assert reading.entries == len(info["entries"])
    # the entry it would write is a valid seed entry of that family
    entry = seed_entry(det, name="x")
    [portal] = parse_seeds(yaml.safe_dump({"portals": [entry]}, allow_unicode=True))
    assert portal.family == family and portal.index_urls == (info["url"],)


def test_the_fixtures_values_that_become_params():
    jiangxi = FILES / "hanweb" / "jiangxi-sthjt-col42150-list.html"
    det = detect(jiangxi.read_text(encoding="utf-8"), "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html")
    assert det.params == {"columnid": "42150", "unitid": "380055"} and det.site_code == "3600000076"
    gansu = FILES / "ucap" / "gansu-jyt-c110634-list.html"
    det = detect(gansu.read_text(encoding="utf-8"), "https://jyt.gansu.gov.cn/jyt/c110634/zwgklist.shtml")
    assert {str(m) for m in det.markers} >= {"SiteIDCode=6200000068", "guestweb4/s", "createPageHTML"}
    assert det.scores["ucap"] < det.scores["trs"]
    proxy = FILES / "hanweb" / "jiangsu-gxt-dataproxy-p1.xml"
    det = detect(proxy.read_text(encoding="utf-8"), "https://gxt.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp")
    assert det.family == "hanweb" and "seed the column page" in det.note


@pytest.mark.parametrize("text", [
    "<html><head><title>某市人民政府</title></head><body><a href='/about.html'>关于我们</a></body></html>",
    # SiteIDCode is printed by every CMS: by itself it names no family
    "<html><head><meta name='SiteIDCode' content='1234000001'></head><body><a href='/x/1.html'>通知</a></body></html>",
    "",
])
def test_a_page_of_no_known_family(text):
    det = detect(text, "https://www.example.gov.cn/zwgk/index.html")
    assert det.family is None and not det.known and det.params == {}
    assert {m.family for m in det.markers} <= {"ucap"}


def test_anti_bot_pages_hide_the_portal():
    rs = ("<html><head><meta id='x' content='abc' r='m'><script r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};"
          "$_ts.nsd=1;</script></head><body></body></html>")
    det = detect(rs, "https://www.huangshi.gov.cn/xxxgk/gknb/", {}, 412)
    assert det.family is None and det.challenge == "瑞数 challenge=HTTP 412"
    assert seed_entry(detect(rs, "https://www.zibo.gov.cn/gongkai/channel_c_1/", {}, 412))["antibot_browser"] is True
    jsl = detect("<script>document.cookie=('__jsl_clearance=1')</script>", "https://www.x.gov.cn/", {}, 521)
    assert jsl.challenge == "加速乐 __jsl_clearance"
    by_cookie = detect("<html></html>", "https://www.x.gov.cn/", {b"Set-Cookie": [b"__jsluid_s=ab; path=/"]}, 200)
    assert by_cookie.challenge == "加速乐 __jsl_clearance"
    assert detect("<html>$_ts=1</html>", "https://www.x.gov.cn/", {}, 200).challenge is None  # a 200 is no challenge


def test_a_malformed_site_code_becomes_no_seed_param():
    """江西省人民政府 prints SiteIDCode 360000000000000: with a search box the page reads as ucap, but its
    entry carries no site_code (the adapter then says the code is malformed instead of searching with it)."""
    text = (FILES / "hanweb" / "jiangxi-szf-art_4975_1510362.html").read_text(encoding="utf-8")
    det = detect(text + '<a href="/guestweb4/s?siteCode=360000000000000">搜索</a>',
                 "http://www.jiangxi.gov.cn/art/2020/2/26/art_4975_1510362.html")
    assert det.family == "ucap" and det.site_code == "360000000000000"
    assert seed_entry(det, name="x")["params"] == {"search": "guestweb4"}


def test_real_rs_challenge_and_the_answer_behind_it():
    """A real 瑞数 first answer and the real answer after the cookie (tests/files/ucap, 甘肃省市场监督管理局):
    both carry the r="m" meta and the inline $_ts script, so only the status makes one a challenge."""
    exp = json.loads((FILES / "ucap" / "expected.json").read_text(encoding="utf-8"))
    challenge = exp["gansu-scjg-guestweb4-challenge.html"]
    text = (FILES / "ucap" / "gansu-scjg-guestweb4-challenge.html").read_text(encoding="utf-8")
    det = detect(text, challenge["url"], {}, challenge["status"])
    assert det.family is None and det.challenge == challenge["challenge"]
    answer = (FILES / "ucap" / "gansu-scjg-guestweb4-search.html").read_text(encoding="utf-8")
    assert 'r="m"' in answer and "$_ts=window['$_ts']" in answer
    assert detect(answer, challenge["url"], {}, 200).challenge is None


@pytest.mark.parametrize("url, text, family, marker", [
    ("https://www.zibo.gov.cn/gongkai/channel_c_5f3a4f3c43aa933a482b9195_n_1605680361.2793/",
     "<div id='app'>加载中…</div>", "gongkai", "/gongkai/channel_"),
    ("https://swj.jiaxing.gov.cn/col/col1497201/index.html",
     "<script src='/AuthorizedRead/unitbuild.js' url='/api-gateway/jpaas-publish-server/front/page/build/unit' "
     "queryData=\"{'webId':'3856','pageId':'1497201','tagId':'信息list','tplSetId':'qs3'}\"></script>",
     "jpaas", "unitbuild"),
    ("https://www.huangshi.gov.cn/xxxgk/gknb/2024_nd/sj/",
     "<ul><li><a href='./202603/t20260305_1311808.html'>黄石市2025年政府信息公开工作年度报告</a></li></ul>"
     "<script>createPageHTML(3, 0, 'index', 'html');</script>", "trs", "createPageHTML"),
    ("https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/", "<script>var countPage = 4;</script>", "govcn", "countPage"),
    ("http://www.sz.gov.cn/gkmlpt/index", "<script>window._CONFIG = {SID: '755001', TREE: []}</script>",
     "gkmlpt", "window._CONFIG"),
    ("https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/",
     "<a href='gknb2025/'>2025年</a><a href='gknb2024/'>2024年</a><a href='gknb2023/'>2023年</a>"
     "<a href='./202401/t20240118_1.html'>x</a>", "zfxxgknb", "year directories"),
    ("https://www.songjiang.gov.cn/govxxgk/SHSJ43/",
     "<a href='/shsj-application-front/showinfo.html?infoGuid=96720749-b930-4182-982f-3ae31d6b686d'>年报</a>"
     "<script src='/js/webBuilderCommon.js'></script>", "webbuilder", "infoGuid"),
    ("https://www.jyt.gansu.gov.cn/", "<meta name='SiteIDCode' content='6200000068'>"
     "<script>window.open('/guestweb4/s?siteCode=6200000068&searchWord='+w)</script>", "ucap", "guestweb4/s"),
    ("https://www.gov.cn/zhengce/xxgk/", "<a href='/zhengce/content/202403/content_1.htm'>x</a>", "govcn", "www.gov.cn"),
    ("http://www.tx.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=330483ZFC00000&fbtime=2016", "<p>年度报告</p>",
     "hanweb_xxgk", "/module/xxgk/"),
    ("https://www.ah.gov.cn/public/column/1681?type=3&action=list", "<div id='list'></div>", "lonsun", "public/column"),
])
def test_documented_markers_of_each_family(url, text, family, marker):
    det = detect(text, url)
    assert marker in {m.name for m in det.markers} and any(m.family == family for m in det.markers)
    if family in FAMILIES:
        assert det.family == family, det.scores
    else:  # reported as a marker, never chosen: no adapter for it (yet)
        assert det.family != family


def test_params_read_from_the_page():
    jpaas = detect("<script src='/AuthorizedRead/unitbuild.js' queryData=\"{'webId':'3856','pageId':'1497201',"
                   "'tagId':'信息list','tplSetId':'qs3'}\"></script>", "https://swj.jiaxing.gov.cn/col/col1497201/index.html")
    assert jpaas.params == {"webId": "3856", "pageId": "1497201", "tplSetId": "qs3", "tagId": "信息list"}
    gongkai = detect("", "https://www.zibo.gov.cn/gongkai/channel_c_1/")
    assert gongkai.browser is True and seed_entry(gongkai)["browser"] is True


def test_stated_sizes():
    assert stated_size("$('#1').jpage({totalRecord:13,perPage:5})") == (13, None)
    assert stated_size("createPageHTML('page_div',10, 1,'zwgklist','shtml',200)") == (200, 10)
    assert stated_size('createPageHTML(25, 0, "index", "shtml")') == (None, 25)
    assert stated_size("<div class='pager'>共 3 页</div>") == (None, 3)
    assert stated_size("<p>nothing</p>") == (None, None)


def test_year_directories_are_folders_under_the_page():
    links = ["https://a.gov.cn/nb/gknb2024/", "https://a.gov.cn/nb/2023n/xzjd13/1/index.html",
             "https://a.gov.cn/nb/202401/t20240118_1.html",      # a TRS month folder, no year
             "https://a.gov.cn/other/gknb2019/", "https://b.gov.cn/nb/gknb2018/"]
    assert year_directories(links, "https://a.gov.cn/nb/") == [2023, 2024]


def test_suggested_names():
    assert suggest_name("https://www.zibo.gov.cn/gongkai/") == "zibo"
    assert suggest_name("https://jyt.gansu.gov.cn/jyt/c1/zwgklist.shtml") == "gansu_jyt"
    assert suggest_name("http://127.0.0.1:8741/col/col1/index.html") == "site_127_0_0_1_8741"


# --- what `seeds check` reads from one page -------------------------------------------------

PINGTAN = (FILES / "trs" / "pingtan-zfxxgknb-list.html").read_text(encoding="utf-8")
PINGTAN_URL = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"


def _portal(family):
    return Portal(name="p", family=family, index_urls=(PINGTAN_URL,), allowed_domains=("pingtan.gov.cn",))


def test_check_page_reads_the_list_with_the_entrys_family():
    result = check_page(_portal("trs"), PINGTAN, PINGTAN_URL)
    assert result.markup_changed is None and result.error is None
    assert result.entries == 10 and len(result.reports) == 10 and result.listed == 20


def test_check_page_says_markup_changed_when_the_familys_markers_are_gone():
    result = check_page(_portal("hanweb"), PINGTAN, PINGTAN_URL)
    assert result.markup_changed.startswith("markup changed: expected hanweb markers, saw listModel, list2.trsapi")
    renamed = PINGTAN.replace("listModel", "lm").replace("list2.trsapi", "l2").replace("t20", "x20")
    assert check_page(_portal("trs"), renamed, PINGTAN_URL).markup_changed.startswith(
        "markup changed: expected trs markers, saw ")
    # a further page (a list API answer) need not show the markers: only index pages are judged
    assert check_page(_portal("hanweb"), PINGTAN, PINGTAN_URL, index=False).markup_changed is None
