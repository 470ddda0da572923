"""Seed lists: built-in files load as package data; bad files fail fast with file/entry/field."""
from __future__ import annotations


import pytest

from gicrawler.seeds import (FAMILIES, SeedError, builtin_names, evidence_kind, load_builtin, load_list, load_seeds,
                             parse_seeds)

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


def test_the_three_cities_resolve_inside_their_province_lists():
    """zibo/jiaxing/huangshi (the city spiders, -a seeds=zibo) are the cities' entries of the
    province lists, not files of their own."""
    assert {"shandong", "zhejiang", "hubei"} <= set(builtin_names())
    assert not {"zibo", "jiaxing", "huangshi"} & set(builtin_names())
    for city, province, family in (("zibo", "shandong", "gongkai"), ("jiaxing", "zhejiang", "hanweb"),
                                   ("huangshi", "hubei", "trs")):
        group = load_builtin(city)
        assert group[0].name == city and group[0].family == family
        assert all(p.name == city or p.name.startswith(city + "_") for p in group)
        assert {p.name for p in group} <= {p.name for p in load_builtin(province)}
        assert all(".gov.cn/" in u for p in group for u in p.index_urls)  # real portals, not replicas
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
    with pytest.raises(SeedError, match="no built-in seed list 'atlantis'"):
        load_builtin("atlantis")
    with pytest.raises(SeedError, match="no built-in seed list"):
        load_builtin("zib")  # a prefix must end at a name boundary: zibo_…, not zib…


def test_seed_error_is_value_error():
    assert issubclass(SeedError, ValueError)
    assert set(FAMILIES) == {"gongkai", "hanweb", "jpaas", "trs", "gkmlpt", "govcn", "zfxxgknb", "ucap", "webbuilder"}


def test_every_family_has_an_adapter():
    from gicrawler.families import get_adapter

    for family in FAMILIES:
        adapter = get_adapter(family)
        assert callable(adapter.first_requests) and callable(adapter.parse_list)


def test_builtin_urls_have_their_family_shape():
    import re

    shapes = {  # the three cities' real 年报 columns (docs/families.md)
        "zibo": r"^https://www\.zibo\.gov\.cn/gongkai/channel_c_5f3a4f3c43aa933a482b9195_n_1605680361\.2793/$",
        "jiaxing": r"^https://www\.jiaxing\.gov\.cn/col/col(1229708661|1229779129|1229849768)/index\.html$",
        "huangshi": r"^https://www\.huangshi\.gov\.cn/xxxgk/gknb/",
    }
    for name, shape in shapes.items():
        portal = next(p for p in load_builtin(name) if p.name == name)
        assert portal.index_urls and all(re.match(shape, u) for u in portal.index_urls), portal.index_urls
    assert len(next(p for p in load_builtin("jiaxing") if p.name == "jiaxing").index_urls) == 3


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


# --- hostile seed files (issue 9.6) ---------------------------------------------------------

def billion_laughs(levels: int = 9) -> str:
    """A seed file whose name is 9**levels strings once aliases are expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\nportals:\n  - name: *a{levels}\n    family: trs\n"


def test_yaml_bomb_fails_fast_with_one_short_line(tmp_path):
    """Loading used to hang past 60 s and 1.2 GB (the error repr()'d the expanded name). Run in a
    subprocess so that a regression fails here (timeout) rather than taking the suite down."""
    import subprocess
    import sys

    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    code = ("import sys\nfrom gicrawler.seeds import SeedError, load_seeds\n"
            "try:\n    load_seeds(sys.argv[1])\nexcept SeedError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    message = done.stdout.strip()
    assert "aliases" in message and str(path) in message and "line 2" in message
    assert "\n" not in message and len(message) < 300


def test_an_anchor_without_alias_is_harmless_data():
    assert parse_seeds(GOOD.replace("region: 某市", "region: &r 某市"))[0].region == "某市"


@pytest.mark.parametrize("name", ["zibo\n", "zibo\n\n", "\nzibo", "zibo "])
def test_seed_name_must_be_the_whole_value(name):
    text = f'portals:\n  - name: "{name.encode("unicode_escape").decode()}"\n    family: trs\n' \
           "    index_urls: [https://www.zibo.gov.cn/x/index.shtml]\n"
    with pytest.raises(SeedError, match="field 'name'"):
        parse_seeds(text)


def test_huge_values_are_quoted_short_and_on_one_line():
    huge = "x" * 5_000_000
    with pytest.raises(SeedError) as info:
        parse_seeds(GOOD.replace("family: trs", f"family: {huge}"))
    assert len(str(info.value)) < 400 and "field 'family'" in str(info.value)
    with pytest.raises(SeedError) as info:  # a YAML syntax error's message spans lines in PyYAML
        parse_seeds("portals: [\n  - name: x\n")
    assert "\n" not in str(info.value) and "not valid YAML" in str(info.value)


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,                    # nesting past the recursion limit
    "portals:\n  - {1: x, name: a}\n",                 # a key that is no string
])
def test_malformed_structures_are_seed_errors(text):
    with pytest.raises(SeedError):
        parse_seeds(text)


def test_oversized_seed_file_is_not_parsed(monkeypatch):
    import gicrawler.seeds as seeds_module

    monkeypatch.setattr(seeds_module, "MAX_SEED_BYTES", 1000)
    with pytest.raises(SeedError, match="too large"):
        parse_seeds(GOOD + "#" * 1000)


def test_listmodel_params_are_checked_at_load():
    from gicrawler.seeds import SeedError, parse_seeds

    entry = "portals:\n  - {name: pt, family: trs, index_urls: ['https://www.pingtan.gov.cn/zwgk/'], params: %s}\n"
    assert parse_seeds(entry % "{listmodel: browser, list_api: /fjdzapp/search}")[0].params["listmodel"] == "browser"
    with pytest.raises(SeedError, match="params.listmodel.*one of api, browser"):
        parse_seeds(entry % "{listmodel: chromium}")


# --- provenance: evidence and verified (issue 8.5) -----------------------------------------------

ENTRY = "portals:\n  - name: a\n    family: trs\n    index_urls: [https://www.a.gov.cn/nb/]\n"


def test_a_users_list_needs_no_provenance():
    [p] = parse_seeds(ENTRY)
    assert p.evidence == () and p.verified is False


def test_a_builtin_list_needs_evidence_and_verified():
    with pytest.raises(SeedError, match="field 'evidence': required in a built-in list"):
        parse_seeds(ENTRY, builtin=True)
    with pytest.raises(SeedError, match="field 'verified': required in a built-in list"):
        parse_seeds(ENTRY + "    evidence: [https://www.a.gov.cn/nb/202401/t20240101_1.html]\n", builtin=True)
    with pytest.raises(SeedError, match="field 'evidence'"):
        parse_seeds(ENTRY + "    evidence: []\n    verified: false\n", builtin=True)
    [p] = parse_seeds(ENTRY + "    evidence: [https://www.a.gov.cn/nb/202401/t20240101_1.html (a report)]\n"
                              "    verified: false\n", builtin=True)
    assert p.evidence == ("https://www.a.gov.cn/nb/202401/t20240101_1.html (a report)",)


@pytest.mark.parametrize("item, kind", [
    ("https://www.zibo.gov.cn/gongkai/channel_x/doc_1.html (stored copy)", "page"),
    ("hulelan/china-governance@c7329c22d7bce4fd322a7c26838bcdd5cf2396ce:crawlers/gkmlpt.py SITES['sz']", "repository"),
    ("jas0no7/local_spider_jason@e76aee2:甘肃省/1.html", "repository"),
    ("tests/files/trs/pingtan-zfxxgknb-list.html", "fixture"),
    ("idx:65923844169", None),                       # an index id names no public source
    ("seen somewhere", None),
    ("owner/repo:path.py", None),                    # a repository path without its commit
    ("", None),
])
def test_evidence_sources(item, kind):
    assert evidence_kind(item) == kind


@pytest.mark.parametrize("extra, message", [
    ("    evidence: [idx:123]\n", "each item starts with"),
    ("    evidence: https://www.a.gov.cn/x.html\n    verified: 'yes'\n", "field 'verified': must be true or false"),
    ("    evidence: [https://www.a.gov.cn/x.html]\n    verified: true\n", "true needs the fixture"),
    ("    evidence: {a: 1}\n", "field 'evidence': must be a list"),
    ("    note: [1]\n", "field 'note': must be a string"),
])
def test_bad_provenance_is_a_seed_error(extra, message):
    with pytest.raises(SeedError, match=message):
        parse_seeds(ENTRY + extra)


def test_verified_with_its_fixture():
    [p] = parse_seeds(ENTRY + "    evidence: [tests/files/trs/pingtan-zfxxgknb-list.html]\n    verified: true\n"
                              "    note: the column page itself is saved\n")
    assert p.verified is True and p.note == "the column page itself is saved"


def test_load_list_takes_a_name_or_a_path(tmp_path, monkeypatch):
    assert [p.name for p in load_list("fujian")] == [p.name for p in load_builtin("fujian")]
    path = tmp_path / "mine.yaml"
    path.write_text(ENTRY, encoding="utf-8")
    assert [p.name for p in load_list(path)] == ["a"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fujian").write_text(ENTRY, encoding="utf-8")   # a file that exists wins over a name
    assert [p.name for p in load_list("fujian")] == ["a"]
    with pytest.raises(SeedError, match="cannot read seed file"):
        load_list("no/such/list.yaml")
