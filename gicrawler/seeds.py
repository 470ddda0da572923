"""Seed lists: which portals to crawl and how (one YAML entry per portal).

The built-in lists live in the top-level ``seeds/`` folder, shipped as the package
``gicrawler.seedfiles`` (also inside the scrapyd egg), so they are read with
importlib.resources, never by path. ``load_seeds(path)`` reads any other file;
``load_list(spec)`` takes either (``-a seeds=guangdong`` or ``-a seeds=my.yaml``).

A built-in list is named by its file (``guangdong`` = seeds/guangdong.yaml) or by a city prefix:
``zibo`` is every built-in entry named ``zibo`` or ``zibo_…`` (淄博's entries in shandong.yaml), so
the city spiders and seed names of before the province lists keep working.

Every built-in entry says where it comes from: ``evidence`` (where its index URL and its structure
were seen — ``owner/repo@commit:path``, a stored page's ``https://…`` URL, or a fixture
``tests/files/<dir>/<file>``; a free note may follow the source after a space) and ``verified``
(true only when a real page of that very URL is a fixture, which its evidence then names). A
user's own list may leave both out (``verified`` is then false).

A bad seed file fails fast with a ``SeedError``: one line naming the file, the entry and the
field. Seed files are plain data: YAML aliases (``*name``, the "billion laughs" bomb) are refused
before anything is built, files over MAX_SEED_BYTES are not parsed, and messages quote values
shortened (``_short``), never a whole expanded value.
"""
from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import yaml

# family name -> adapter module in gicrawler.families (kept here so validation needs no import)
FAMILIES = ("gongkai", "hanweb", "jpaas", "trs", "gkmlpt", "govcn", "zfxxgknb", "ucap", "webbuilder")

_NAME = re.compile(r"[a-z0-9_]+")   # fullmatch: "zibo\n" is not a name ($ would allow it)
MAX_SEED_BYTES = 8 * 1024 * 1024     # a national list of ~3,000 portals is under 1 MB
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present (10x faster)
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlist = _REPR.maxdict = 4
_REPR.maxlevel = 2


def _short(value) -> str:
    """repr() of a value quoted in an error, bounded (a seed value may be huge)."""
    return _REPR.repr(value)


_KEYS = {
    "name", "region", "family", "index_urls", "allowed_domains",
    "browser", "antibot_browser", "obey_robots", "params", "evidence", "verified", "note",
}
# the source an evidence item starts with (the rest of the item is a note)
_EVIDENCE = {
    "fixture": re.compile(r"tests/files/[\w.+-]+/\S+"),
    "repository": re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{7,40}:\S+"),
    "page": re.compile(r"https?://[^\s/]+\S*"),
}


class SeedError(ValueError):
    """A seed file is unreadable or an entry is invalid."""


@dataclass(frozen=True)
class Portal:
    name: str
    family: str
    index_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    region: str = ""
    browser: bool = False
    antibot_browser: bool = False
    obey_robots: bool = True
    params: dict = field(default_factory=dict, hash=False, compare=False)
    evidence: tuple[str, ...] = ()
    verified: bool = False
    note: str = ""

    def allows(self, url: str) -> bool:
        """True if url's host is one of allowed_domains or a subdomain of one."""
        return host_allowed(urlsplit(url).hostname or "", self.allowed_domains)


def host_allowed(host: str, domains) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def builtin_names() -> list[str]:
    """Names of the seed files shipped in gicrawler.seedfiles (without .yaml)."""
    files = resources.files("gicrawler.seedfiles")
    return sorted(p.name[:-5] for p in files.iterdir() if p.name.endswith(".yaml"))


def _builtin_file(name: str) -> list[Portal]:
    resource = resources.files("gicrawler.seedfiles") / f"{name}.yaml"
    text = resource.read_text(encoding="utf-8")
    return parse_seeds(text, source=f"gicrawler.seedfiles/{name}.yaml", builtin=True)


def load_all_builtin() -> list[Portal]:
    """Every built-in entry. Names and index URLs are unique across the files too: a crawl of
    all lists keys its stats by name, and the dupefilter would drop a second request of a URL."""
    portals, where = [], {}
    for name in builtin_names():
        for portal in _builtin_file(name):
            for key in (portal.name, *portal.index_urls):
                if key in where:
                    raise SeedError(f"gicrawler.seedfiles/{name}.yaml ({portal.name}): {key} is already "
                                    f"in gicrawler.seedfiles/{where[key]}.yaml")
                where[key] = name
            portals.append(portal)
    return portals


def load_builtin(name: str) -> list[Portal]:
    """A built-in list: ``seeds/<name>.yaml``, else every built-in entry named ``name`` or
    ``name_…`` (a city: ``zibo``, ``shenzhen``)."""
    if name in builtin_names():
        return _builtin_file(name)
    if _NAME.fullmatch(name):
        group = [p for p in load_all_builtin() if p.name == name or p.name.startswith(name + "_")]
        if group:
            return group
    raise SeedError(f"no built-in seed list {_short(name)}: neither seeds/{name}.yaml nor a portal name prefix "
                    f"(files: {', '.join(builtin_names())})")


def load_seeds(path: str | Path) -> list[Portal]:
    """Portals of any seed file on disk (``-a seeds=PATH``)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{path}: cannot read seed file: {exc}") from None
    return parse_seeds(text, source=str(path))


def load_list(spec: str | Path) -> list[Portal]:
    """``-a seeds=SPEC``: a seed file's path, or a built-in list's name (a file that exists wins)."""
    path = Path(spec)
    if path.is_file() or not _NAME.fullmatch(str(spec)):
        return load_seeds(path)
    return load_builtin(str(spec))


def _load_yaml(text: str, source: str):
    if len(text) > MAX_SEED_BYTES:
        raise SeedError(f"{source}: seed file too large ({len(text)} characters, limit {MAX_SEED_BYTES})")
    try:
        for event in yaml.parse(text, Loader=_Loader):  # events only: nothing is built yet
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
                raise SeedError(f"{source}: YAML aliases (*{_short(event.anchor)[1:-1]}) are not allowed "
                                f"in seed files{where}; write the value out")
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise SeedError(f"{source}: not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise SeedError(f"{source}: not a seed file: nested too deeply") from None


def parse_seeds(text: str, *, source: str = "<seeds>", builtin: bool = False) -> list[Portal]:
    """builtin: a list shipped with gicrawler, whose entries must carry evidence and verified."""
    doc = _load_yaml(text, source)
    if not isinstance(doc, dict) or not isinstance(doc.get("portals"), list) or not doc["portals"]:
        raise SeedError(f"{source}: expected a mapping with a non-empty list 'portals'")
    portals, seen, index_of = [], set(), {}
    for i, entry in enumerate(doc["portals"]):
        portal = _portal(entry, f"{source}: portals[{i}]", builtin)
        if portal.name in seen:
            raise SeedError(f"{source}: portals[{i}] ({portal.name}): field 'name': duplicate name")
        seen.add(portal.name)
        for url in portal.index_urls:
            # the dupefilter would drop the second request: that portal would silently get nothing
            if url in index_of and index_of[url] != portal.name:
                raise SeedError(f"{source}: portals[{i}] ({portal.name}): field 'index_urls': {url} "
                                f"is already an index URL of {index_of[url]}")
            index_of[url] = portal.name
        portals.append(portal)
    return portals


def _portal(entry, where: str, builtin: bool = False) -> Portal:
    if not isinstance(entry, dict):
        raise SeedError(f"{where}: an entry must be a mapping, got {type(entry).__name__}")
    name = entry.get("name")
    if isinstance(name, str):
        where = f"{where} ({name[:60]})"

    def fail(key, msg):
        raise SeedError(f"{where}: field '{key}': {msg}")

    unknown = sorted(str(k) for k in set(entry) - _KEYS)  # (keys need not be strings)
    if unknown:
        fail(unknown[0][:60], f"unknown field (allowed: {', '.join(sorted(_KEYS))})")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        fail("name", f"required, lowercase [a-z0-9_]+, got {_short(name)}")
    family = entry.get("family")
    if family not in FAMILIES:
        fail("family", f"unknown family {_short(family)} (known: {', '.join(FAMILIES)})")
    region = entry.get("region", "")
    if not isinstance(region, str):
        fail("region", f"must be a string, got {_short(region)}")

    urls = entry.get("index_urls")
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not urls:
        fail("index_urls", "required, a non-empty list of URLs")
    for url in urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
            fail("index_urls", f"not an absolute http(s) URL: {_short(url)}")

    domains = entry.get("allowed_domains")
    if domains is None:  # default: the hosts of the index URLs
        domains = sorted({urlsplit(u).hostname for u in urls})
    if not isinstance(domains, list) or not domains or not all(isinstance(d, str) and d for d in domains):
        fail("allowed_domains", "must be a non-empty list of host names")
    for d in domains:
        if "/" in d or ":" in d:
            fail("allowed_domains", f"a host name without scheme/port/path, got {_short(d)}")
    for url in urls:
        host = urlsplit(url).hostname
        if not host_allowed(host, domains):
            fail("allowed_domains", f"index URL host {_short(host)} is not in allowed_domains")

    flags = {}
    for key, default in (("browser", False), ("antibot_browser", False), ("obey_robots", True)):
        value = entry.get(key, default)
        if not isinstance(value, bool):
            fail(key, f"must be true or false, got {_short(value)}")
        flags[key] = value
    params = entry.get("params") or {}
    if not isinstance(params, dict):
        fail("params", f"must be a mapping, got {_short(params)}")
    problem = _params_problem(params)
    if problem:
        fail(f"params.{problem[0]}", problem[1])
    note = entry.get("note", "")
    if not isinstance(note, str):
        fail("note", f"must be a string, got {_short(note)}")
    evidence, verified = _provenance(entry, builtin, fail)

    return Portal(
        name=name, family=family, region=region, index_urls=tuple(urls),
        allowed_domains=tuple(domains), params=dict(params), evidence=evidence, verified=verified,
        note=note, **flags,
    )


def evidence_kind(item: str) -> str | None:
    """'fixture', 'repository' or 'page': what the evidence item's source is (None: not one)."""
    source = item.split(None, 1)[0] if item.strip() else ""
    return next((kind for kind, rx in _EVIDENCE.items() if rx.fullmatch(source)), None)


def _provenance(entry: dict, builtin: bool, fail) -> tuple[tuple[str, ...], bool]:
    evidence = entry.get("evidence")
    if evidence is None:
        if builtin:
            fail("evidence", "required in a built-in list: where the index URL and its structure were seen")
        evidence = []
    if isinstance(evidence, str):
        evidence = [evidence]
    if not isinstance(evidence, list) or (builtin and not evidence):
        fail("evidence", f"must be a list of sources, got {_short(evidence)}")
    for item in evidence:
        if not isinstance(item, str) or evidence_kind(item) is None:
            fail("evidence", "each item starts with owner/repo@commit:path, a page's http(s) URL or "
                             f"tests/files/<dir>/<file>, got {_short(item)}")
    if builtin and "verified" not in entry:
        fail("verified", "required in a built-in list: true only when a real page of the index URL is a fixture")
    verified = entry.get("verified", False)
    if not isinstance(verified, bool):
        fail("verified", f"must be true or false, got {_short(verified)}")
    if verified and not any(evidence_kind(e) == "fixture" for e in evidence):
        fail("verified", "true needs the fixture (tests/files/…) holding a real page of the index URL in evidence")
    return tuple(evidence), verified


PROXY_MODES = ("post", "get", "pagenum")
LISTMODEL_MODES = ("api", "browser")     # trs "动静结合" columns: the list API or the rendered pager


def _params_problem(params: dict) -> tuple[str, str] | None:
    """The params the family adapters read, checked here: a typo must stop the crawl at load,
    not fail every list page of the portal (adapters compile link_pattern per page)."""
    pattern = params.get("link_pattern")
    if pattern is not None:
        if not isinstance(pattern, str):
            return "link_pattern", f"must be a regular expression string, got {_short(pattern)}"
        try:
            re.compile(pattern)
        except re.error as exc:
            return "link_pattern", f"not a valid regular expression ({exc}): {_short(pattern)}"
    if "proxy" in params and params["proxy"] not in PROXY_MODES:
        return "proxy", f"one of {', '.join(PROXY_MODES)}, got {_short(params['proxy'])}"
    if "listmodel" in params and params["listmodel"] not in LISTMODEL_MODES:
        return "listmodel", f"one of {', '.join(LISTMODEL_MODES)}, got {_short(params['listmodel'])}"
    for key in ("perpage", "rows"):
        value = params.get(key)
        if value is not None and (isinstance(value, bool) or not str(value).isdigit() or int(value) < 1):
            return key, f"must be a positive integer, got {_short(value)}"
    for key in ("list_selector", "proxy_path", "unit_url", "webname", "list_api"):
        value = params.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            return key, f"must be a non-empty string, got {_short(value)}"
    return None
