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
    assert set(FAMILIES) == {"gongkai", "hanweb", "jpaas", "trs", "gkmlpt", "govcn", "zfxxgknb", "ucap", "webbuilder"}


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
