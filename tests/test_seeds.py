"""Seed lists: built-in files load as package data; bad files fail fast with file/entry/field."""
from __future__ import annotations


import pytest

from gicrawler.seeds import FAMILIES, SeedError, builtin_names, load_builtin, load_seeds, parse_seeds

GOOD = """
portals:
  - name: demo_1
    region: 某市
    family: trs
    index_urls: [https://www.demo.gov.cn/zfxxgknb/index.shtml]
    allowed_domains: [demo.gov.cn]
    browser: false
    antibot_browser: true
    obey_robots: false
    params: {columnid: 12}
"""


def test_builtin_seed_files_are_the_three_cities():
    assert {"zibo", "jiaxing", "huangshi"} <= set(builtin_names())
    families = {}
    for name in ("zibo", "jiaxing", "huangshi"):
        [portal] = load_builtin(name)
        assert portal.name == name
        families[name] = portal.family
        # real portals, not replicas
        assert all(".gov.cn" in u for u in portal.index_urls)
    assert families == {"zibo": "gongkai", "jiaxing": "hanweb", "huangshi": "trs"}
    assert load_builtin("zibo")[0].browser is True
    assert load_builtin("huangshi")[0].antibot_browser is True


def test_builtin_read_as_package_data_not_by_path(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no seeds/ folder here
    assert load_builtin("jiaxing")[0].name == "jiaxing"


def test_good_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD, encoding="utf-8")
    [p] = load_seeds(path)
    assert (p.name, p.family, p.index_urls, p.allowed_domains) == (
        "demo_1", "trs", ("https://www.demo.gov.cn/zfxxgknb/index.shtml",), ("demo.gov.cn",))
    assert (p.browser, p.antibot_browser, p.obey_robots, p.params) == (False, True, False, {"columnid": 12})


def test_defaults():
    [p] = parse_seeds("portals:\n  - {name: a, family: hanweb, index_urls: ['http://x.gov.cn/col/col1/index.html']}")
    assert p.allowed_domains == ("x.gov.cn",) and p.obey_robots is True and p.browser is False


@pytest.mark.parametrize("change, field", [
    (("family: trs", "family: wordpress"), "family"),
    (("name: demo_1", "name: Demo-1"), "name"),
    (("https://www.demo.gov.cn/zfxxgknb/index.shtml", "/zfxxgknb/index.shtml"), "index_urls"),
    (("https://www.demo.gov.cn/zfxxgknb/index.shtml", "ftp://www.demo.gov.cn/x"), "index_urls"),
    (("browser: false", "browser: 'no'"), "browser"),
    (("obey_robots: false", "obey_robots: 0"), "obey_robots"),
    (("allowed_domains: [demo.gov.cn]", "allowed_domains: [other.gov.cn]"), "allowed_domains"),
    (("allowed_domains: [demo.gov.cn]", "allowed_domains: [https://demo.gov.cn/]"), "allowed_domains"),
    (("params: {columnid: 12}", "params: [1, 2]"), "params"),
    (("region: 某市", "regoin: 某市"), "regoin"),
    (("params: {columnid: 12}", "params: {link_pattern: 'art_(\\d+'}"), "params.link_pattern"),
    (("params: {columnid: 12}", "params: {proxy: jsonp}"), "params.proxy"),
    (("params: {columnid: 12}", "params: {perpage: fifteen}"), "params.perpage"),
])
def test_invalid_entry_names_file_entry_and_field(tmp_path, change, field):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(SeedError) as err:
        load_seeds(path)
    msg = str(err.value)
    assert str(path) in msg and "portals[0]" in msg and f"'{field}'" in msg


def test_duplicate_names(tmp_path):
    path = tmp_path / "dup.yaml"
    entry = GOOD.split("portals:\n", 1)[1]
    path.write_text("portals:\n" + entry + entry, encoding="utf-8")
    with pytest.raises(SeedError, match=r"portals\[1\].*'name'.*duplicate"):
        load_seeds(path)


@pytest.mark.parametrize("text", ["", "portals: []", "- a\n- b", "portals: [1]", "portals: {a: 1}", "x: [unclosed"])
def test_not_a_seed_list(text):
    with pytest.raises(SeedError, match="<seeds>"):
        parse_seeds(text)


def test_missing_file_and_missing_builtin(tmp_path):
    with pytest.raises(SeedError, match="nope.yaml"):
        load_seeds(tmp_path / "nope.yaml")
    with pytest.raises(SeedError, match="no built-in seed file atlantis.yaml"):
        load_builtin("atlantis")


def test_seed_error_is_value_error():
    assert issubclass(SeedError, ValueError)
    assert set(FAMILIES) == {"gongkai", "hanweb", "jpaas", "trs"}


def test_every_family_has_an_adapter():
    from gicrawler.families import get_adapter

    for family in FAMILIES:
        adapter = get_adapter(family)
        assert callable(adapter.first_requests) and callable(adapter.parse_list)


def test_builtin_urls_have_their_family_shape():
    import re

    shapes = {
        "zibo": r"^https://www\.zibo\.gov\.cn/gongkai/channel_[\w.]+/$",
        "jiaxing": r"^https://www\.jiaxing\.gov\.cn/col/col\d+/index\.html$",
        "huangshi": r"^https://\w+\.huangshi\.gov\.cn/.+/index\.shtml$",
    }
    for name, shape in shapes.items():
        [portal] = load_builtin(name)
        assert all(re.match(shape, u) for u in portal.index_urls), portal.index_urls


def test_valid_params_accepted():
    [p] = parse_seeds("portals:\n  - {name: a, family: hanweb, index_urls: ['http://x.gov.cn/col/col1/index.html'],"
                      " params: {link_pattern: '/art/\\\\d{4}/', proxy: get, perpage: '20', webname: 某站}}")
    assert p.params["proxy"] == "get" and p.params["perpage"] == "20"


def test_index_url_shared_by_two_portals_is_an_error():
    text = ("portals:\n"
            "  - {name: a, family: trs, index_urls: ['https://x.gov.cn/nb/index.shtml']}\n"
            "  - {name: b, family: trs, index_urls: ['https://x.gov.cn/nb/index.shtml']}\n")
    with pytest.raises(SeedError, match=r"portals\[1\] \(b\).*'index_urls'.*already an index URL of a"):
        parse_seeds(text)
