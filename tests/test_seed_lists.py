"""The built-in seed lists (seeds/<province>.yaml): every one loads, every entry names a family
with an adapter and says where its index URLs were seen; ``verified`` only where the fixture is
that very page; only URLs a source shows (issue 8.5, 11.3)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gicrawler.families import get_adapter
from gicrawler.seeds import FAMILIES, builtin_names, evidence_kind, load_all_builtin, load_builtin

REPO = Path(__file__).resolve().parents[1]
LISTS = builtin_names()
PORTALS = load_all_builtin()


def _source(item: str) -> str:
    return item.split(None, 1)[0]


def _bare(url: str) -> str:
    """host and path, no scheme, no leading www. (stored copies drop or add both)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return host + parts.path + (f"?{parts.query}" if parts.query else "")


def _folder(url: str) -> str:
    bare = _bare(url)
    return bare if bare.endswith("/") else bare.rsplit("/", 1)[0] + "/"


def test_the_lists_are_one_per_province_and_load():
    assert {"shandong", "zhejiang", "hubei", "jiangsu", "fujian"} <= set(LISTS)
    for name in LISTS:
        assert re.fullmatch(r"[a-z]+", name), name        # pinyin file names
        assert load_builtin(name), name
    assert len(PORTALS) >= 50


@pytest.mark.parametrize("portal", PORTALS, ids=lambda p: p.name)
def test_every_entry_has_a_family_adapter_and_evidence(portal):
    assert portal.family in FAMILIES
    adapter = get_adapter(portal.family)
    assert adapter.first_requests(portal)          # the adapter takes the entry's params
    assert portal.evidence and all(evidence_kind(e) for e in portal.evidence)
    # government hosts, and the 开普云 search some of them hand their site search to
    assert all(urlsplit(u).hostname.endswith((".gov.cn", ".kaipuyun.cn")) for u in portal.index_urls)
    for item in portal.evidence:  # a fixture or README cited exists in the repository
        if evidence_kind(item) == "fixture":
            assert (REPO / _source(item)).is_file(), item


@pytest.mark.parametrize("portal", [p for p in PORTALS if p.verified], ids=lambda p: p.name)
def test_verified_means_the_fixture_is_that_very_page(portal):
    pages = set()
    for item in portal.evidence:
        path = REPO / _source(item)
        if evidence_kind(item) == "fixture" and path.suffix != ".md":
            expected = json.loads((path.parent / "expected.json").read_text(encoding="utf-8"))
            pages.add(expected[path.name]["url"])
    assert pages & set(portal.index_urls), (portal.name, pages)


def _seen(url: str, portal) -> bool:
    """An index URL is seen in its evidence: a source page is that URL or lies in its folder (a
    report of the column), a Hanweb report's path carries the column id, a cited fixture's text
    holds the URL, or a public repository file names it (not readable offline: trusted)."""
    col = re.search(r"/col/col(\d+)/", url)
    for item in portal.evidence:
        kind, source = evidence_kind(item), _source(item)
        if kind == "repository":
            return True
        if kind == "page":
            if _bare(source).startswith(_folder(url)) or _bare(source) == _bare(url):
                return True
            if col and f"art_{col.group(1)}_" in source:
                return True
        if kind == "fixture":
            text = (REPO / source).read_text(encoding="utf-8", errors="replace")
            if _bare(url) in text or urlsplit(url).path in text or url in text:
                return True
    return False


@pytest.mark.parametrize("portal", PORTALS, ids=lambda p: p.name)
def test_no_index_url_is_invented(portal):
    unseen = [u for u in portal.index_urls if not _seen(u, portal)]
    assert not unseen, f"{portal.name}: no evidence shows {unseen}"


def test_names_and_urls_are_unique_across_the_lists():
    names = [p.name for p in PORTALS]
    urls = [u for p in PORTALS for u in p.index_urls]
    assert len(names) == len(set(names)) and len(urls) == len(set(urls))


def test_the_three_cities_fixed():
    by_name = {p.name: p for p in PORTALS}
    assert by_name["zibo"].index_urls == (
        "https://www.zibo.gov.cn/gongkai/channel_c_5f3a4f3c43aa933a482b9195_n_1605680361.2793/",)
    assert all("channel_c1534" not in u for p in PORTALS for u in p.index_urls)
    assert {re.search(r"col(\d+)", u).group(1) for u in by_name["jiaxing"].index_urls} == {
        "1229708661", "1229779129", "1229849768"}
    assert by_name["huangshi"].index_urls[0] == "https://www.huangshi.gov.cn/xxxgk/gknb/"
    assert all("fzndbg" not in u for p in PORTALS for u in p.index_urls)
    assert by_name["pingtan"].verified is True


# The entries a saved page of their own index URL verifies (tests/files/trs/README.md: 平潭's main
# column and 15 department / 片区 sub-site columns of the same archive). Any other entry stays
# verified: false until its page is saved.
VERIFIED = {"pingtan"} | {f"pingtan_{s}" for s in (
    "czj", "gaj", "gwh", "jjf", "lyy", "shs", "jtj", "hzs", "zhz", "scj", "nyn", "gyz", "spp", "jsp", "htp", "jjp")}


def test_exactly_the_entries_with_a_saved_page_are_verified():
    assert {p.name for p in PORTALS if p.verified} == VERIFIED


@pytest.mark.parametrize("portal", [p for p in PORTALS if p.name.startswith("pingtan_")], ids=lambda p: p.name)
def test_pingtan_department_seed_reads_its_saved_column(portal):
    """The entry's own first request, run on its saved page, lists the page's rows and asks the
    rest of the column from the list API with the page's ChnlId (the <meta> and listModel agree)."""
    from gicrawler.families import trs

    [path] = [REPO / _source(e) for e in portal.evidence if evidence_kind(e) == "fixture"]
    text = path.read_text(encoding="utf-8")
    chnlid = re.search(r'<meta name="ChnlId" content="(\d+)">', text).group(1)
    assert trs.listmodel(text)["classsql"] == f"chnlid={chnlid}"
    [first] = get_adapter("trs").first_requests(portal)
    page = get_adapter("trs").parse_list(text, first.url, first.state, portal.params)
    assert page.entries and all(portal.allows(e["url"]) and e["url"].startswith(first.url) for e in page.entries)
    assert page.listed == trs.listmodel(text)["recordCount"]
    assert all(dict(r.formdata)["classsql"] == f"chnlid={chnlid}" for r in page.requests)
    assert len(page.requests) == max(0, -(-page.listed // 10) - 1)


@pytest.mark.parametrize("spider, seeds, names", [
    ("reports", "fujian", None),                 # -a seeds=<province>
    ("reports", "zibo", ["zibo", "zibo_eic"]),   # -a seeds=<city>
    ("zibo", None, ["zibo"]),                    # scrapy crawl zibo
    ("jiaxing", None, ["jiaxing"]),
    ("huangshi", None, ["huangshi"]),
])
def test_spiders_take_a_list_by_name(spider, seeds, names):
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings
    from scrapy.utils.test import get_crawler

    settings = get_project_settings()
    cls = SpiderLoader.from_settings(settings).load(spider)
    args = {"seeds": seeds} if seeds else {}
    made = cls.from_crawler(get_crawler(cls, settings.copy_to_dict()), **args)
    got = [p.name for p in made.portals]
    expected = names if seeds != "fujian" else [p.name for p in load_builtin("fujian")]
    assert set(expected) <= set(got)
    if spider != "reports" or seeds == "zibo":
        city = seeds or spider
        assert all(n == city or n.startswith(city + "_") for n in got)
