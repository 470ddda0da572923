"""Family markers: which portal family a fetched page belongs to, read from the page itself.

``detect(text, url, headers, status)`` is a pure function (no network, no Scrapy): it lists the
markers the page shows (docs/families.md, *Markers*), scores the families they point to, and says
which family and params a seed entry for that URL would use. ``seed_entry`` turns the answer into
the entry ``gicrawler seeds detect`` prints; ``check_page`` is what ``gicrawler seeds check``
reports for one fetched list page of an existing entry.

A marker has a weight: 3 = a list mechanism of one family (``<datastore>``, ``createPageHTML``,
``unitbuild``), 2 = a strong sign (``doc_{24hex}`` links, ``jpage(``), 1 = a hint shared by many
sites (``SiteIDCode``, a ``/col/col…/`` URL). The family with the highest score of at least 2
wins; ties go to the more specific family (``PRIORITY``). Anti-bot challenges are markers of no
family: the page then says nothing about the portal behind it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from parsel import Selector

# the more specific family first: a JPaaS page also carries Hanweb traces, a Beijing year root TRS ones
PRIORITY = ("hanweb_xxgk", "gkmlpt", "jpaas", "webbuilder", "lonsun", "gongkai", "govcn",
            "zfxxgknb", "hanweb", "trs", "ucap")
KNOWN_AT = 2   # the least score that names a family


@dataclass(frozen=True)
class Marker:
    name: str                # as printed: "<datastore>", "createPageHTML", "SiteIDCode"
    family: str | None       # the family it is a sign of; None: anti-bot or shared
    weight: int
    source: str              # "text" | "url" | "links" | "headers" | "status"
    value: str | None = None

    def __str__(self) -> str:
        return f"{self.name}={self.value}" if self.value else self.name


@dataclass(frozen=True)
class _Rule:
    name: str
    family: str | None
    weight: int
    source: str
    pattern: re.Pattern


def _r(name, family, weight, source, pattern, flags=0) -> _Rule:
    return _Rule(name, family, weight, source, re.compile(pattern, flags))


_I = re.I
RULES = (
    # Hanweb JCMS (docs/families.md, hanweb)
    _r("<datastore>", "hanweb", 3, "text", r"<datastore\b", _I),
    _r("dataproxy.jsp", "hanweb", 3, "text", r"dataproxy\.jsp", _I),
    _r("dataproxy.jsp", "hanweb", 3, "url", r"/dataproxy\.jsp", _I),
    _r("jpage(", "hanweb", 2, "text", r"\.jpage\s*\(|\bjpage\s*\(\s*\{", _I),
    _r("loadPageData", "hanweb", 2, "text", r"\bloadPageData\s*\("),
    _r("webSiteCode", "hanweb", 1, "text", r"\bwebSiteCode\b"),
    _r("channelCode", "hanweb", 1, "text", r"\bchannelCode\b"),
    _r("/col/col{id}/", "hanweb", 1, "url", r"/col/col\d+/"),
    _r("/art/{Y}/…/art_{col}_{id}.html links", "hanweb", 1, "links", r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"),
    # Hanweb's xxgk module: one annual-report page per agency and year
    _r("/module/xxgk/", "hanweb_xxgk", 4, "url", r"/module/xxgk/", _I),
    _r("xxgkAnnualReport.jsp", "hanweb_xxgk", 1, "text", r"xxgkAnnualReport\.jsp", _I),
    # Hanweb JPaaS (docs/families.md, jpaas)
    _r("unitbuild", "jpaas", 4, "text", r"unitbuild(?:\.js)?\b", _I),
    _r("jpaas-publish-server", "jpaas", 2, "text", r"jpaas-publish-server", _I),
    # TRS WCM (docs/families.md, trs)
    _r("createPageHTML", "trs", 3, "text", r"\bcreatePageHTML\s*\("),
    _r("listModel", "trs", 3, "text", r"\blistModel\s*\(\s*\{"),
    _r("list2.trsapi", "trs", 3, "text", r"list2\.trsapi"),
    _r("countPage", "trs", 2, "text", r"\bcountPage\s*=\s*\d+"),
    # … which the ministries' TRS columns page by (the govcn adapter reads it; trs reads createPageHTML)
    _r("countPage", "govcn", 4, "text", r"\bcountPage\s*=\s*['\"]?\d+"),
    _r("./YYYYMM/tYYYYMMDD_{id} links", "trs", 2, "links", r"/\d{6}/t\d{8}_\d+\.s?html?(?:$|[?#])"),
    _r("TRS editor body", "trs", 1, "text", r"\bTRS_(?:UEDITOR|Editor)\b|\btrs_editor_view\b"),
    _r("ta.trs.cn", "trs", 1, "text", r"ta\.trs\.cn"),
    _r("_trs_uv cookie", "trs", 1, "headers", r"_trs_uv="),
    # Guangdong gkmlpt
    _r("/gkmlpt/", "gkmlpt", 3, "url", r"/gkmlpt/"),
    _r("/gkmlpt/ links", "gkmlpt", 2, "text", r"/gkmlpt/(?:index|content|api|policy|mindex)"),
    _r("window._CONFIG", "gkmlpt", 2, "text", r"window\._CONFIG\s*="),
    # Shandong /gongkai/ platform
    _r("/gongkai/channel_", "gongkai", 3, "url", r"/gongkai/(?:site_\w+/)?channel_"),
    _r("/gongkai/channel_ links", "gongkai", 2, "text", r"/gongkai/(?:site_\w+/)?channel_"),
    _r("doc_{24hex} links", "gongkai", 2, "links", r"/doc_[0-9a-f]{24}(?:_[0-9a-f]{32})?\.\w+"),
    # 开普云 (Ucap) site search, keyed by SiteIDCode: needs the search route on the page too
    _r("search4/s", "ucap", 1, "text", r"/search4/s\b"),
    _r("guestweb4/s", "ucap", 1, "text", r"/guestweb[45]/(?:s\b|html/)"),
    # 新点 WebBuilder
    _r("infoGuid", "webbuilder", 3, "text", r"\binfoGuid\b|showinfo\.html\?info"),
    _r("infoGuid", "webbuilder", 3, "url", r"[?&]infoGuid=|/showinfo\.html"),
    _r("WebBuilder scripts", "webbuilder", 2, "text", r"webBuilderCommon|EpointWebBuilder|getGovInfoDetail"),
    _r("siteInfo.siteGuid", "webbuilder", 2, "text", r"\bsiteInfo\s*=\s*\{[^}]*\bsiteGuid\b"),
    # 龙讯 LonSun
    _r("public/column", "lonsun", 3, "url", r"/public/column/\d+"),
    _r("public/column links", "lonsun", 3, "text", r"/public/column/\d+"),
    # gov.cn (the State Council's own site)
    _r("www.gov.cn", "govcn", 3, "url", r"^https?://www\.gov\.cn(?::\d+)?/"),
    _r("/zhengce/content/…/content_{n}.htm links", "govcn", 3, "links",
       r"/zhengce/content/(?:\d{6}|\d{4}-\d{2}/\d{2})/content_\d+\.s?html?"),
    _r("UCAP-CONTENT", "govcn", 1, "text", r"id=[\"']?UCAP-CONTENT"),
    # 加速乐 anti-bot (瑞数 is read by middlewares.is_challenge, see below)
    _r("加速乐 __jsl_clearance", None, 0, "text", r"__jsl_clearance|__jsluid_"),
    _r("加速乐 __jsl_clearance", None, 0, "headers", r"__jsl_clearance|__jsluid_"),
)

_SITE_ID = re.compile(r"<meta[^>]+name\s*=\s*[\"']?SiteIDCode[\"']?[^>]*content\s*=\s*[\"']?([\w-]+)", re.I)
_SITE_ID_REV = re.compile(r"<meta[^>]+content\s*=\s*[\"']?([\w-]+)[\"']?[^>]*name\s*=\s*[\"']?SiteIDCode", re.I)
_SITE_NAME = re.compile(r"<meta[^>]+name\s*=\s*[\"']?SiteName[\"']?[^>]*content\s*=\s*[\"']([^\"']+)", re.I)
# a year directory under a 年报 root: gknb2017/, 2023n/, 2023nb/, 2024_nd/, nb_2022n/ (docs/families.md)
# (a TRS month folder 202401/ is none: a year with digits after it needs an n/nb/nd between)
_YEAR_DIR = re.compile(r"(?:gknb|nb_?|ndbg)((?:19|20)\d\d)\w*|((?:19|20)\d\d)(?:_?nd|nb|n)\w*|((?:19|20)\d\d)", re.I)
_STATED = (  # the column's stated size: records (?P<rec>) and/or pages (?P<pg>)
    re.compile(r"<totalrecord>\s*(?P<rec>\d+)|totalRecord\s*:\s*['\"]?(?P<rec2>\d+)", re.I),
    re.compile(r"recordCount\s*:\s*['\"]?(?P<rec>\d+)"),
    re.compile(r"articleCount['\"]?\s*:\s*['\"]?(?P<rec>\d+)"),
    re.compile(r"post_count['\"]?\s*:\s*(?P<rec>\d+)"),
    re.compile(r"<totalpage>\s*(?P<pg>\d+)", re.I),
    re.compile(r"\bcountPage\s*=\s*(?P<pg>\d+)"),
    # createPageHTML('page_div', pages, current, 'name', 'ext', records) — the six-argument form
    re.compile(r"createPageHTML\(\s*['\"][\w-]+['\"]\s*,\s*(?P<pg>\d+)\s*,\s*\d+\s*,\s*['\"]\w+['\"]\s*,"
               r"\s*['\"]\w+['\"]\s*,\s*(?P<rec>\d+)"),
    re.compile(r"createPageHTML\(\s*(?P<pg>\d+)"),
    re.compile(r"<div[^>]*\bcount\s*=\s*[\"'](?P<rec>\d+)[\"'][^>]*\brows\s*="),   # JPaaS pager div
    re.compile(r"共\s*(?P<rec>\d+)\s*条"),
    re.compile(r"共\s*(?P<pg>\d+)\s*页"),
)


@dataclass
class Detection:
    url: str
    family: str | None                       # None: no family known from these markers
    params: dict = field(default_factory=dict)
    markers: list[Marker] = field(default_factory=list)
    scores: dict = field(default_factory=dict)
    challenge: str | None = None             # an anti-bot page, not the portal's
    browser: bool = False                    # the list is rendered by JavaScript
    site_code: str | None = None
    site_name: str | None = None
    listed: int | None = None                # the size the page states (records)
    pages: int | None = None                 # … or its page count
    note: str = ""
    challenged: bool = False                 # fetched through the browser past a challenge
    hop: int = 0
    root: str = ""
    reading: "PageCheck | None" = None       # what the family's adapter reads from the page (read_as)

    @property
    def known(self) -> bool:
        return self.family is not None

    def shown(self, family: str | None = None) -> str:
        """The markers as printed (each name once; only ``family``'s when given), or 'none'."""
        names = dict.fromkeys(str(m) for m in self.markers if family is None or m.family == family)
        return ", ".join(names) or "none"

    def markers_of(self, family: str, sources=("text", "links", "headers"), weight: int = 1) -> list[Marker]:
        return [m for m in self.markers if m.family == family and m.source in sources and m.weight >= weight]


def detect(text: str, url: str, headers: dict | None = None, status: int = 200) -> Detection:
    """The markers of one fetched page, the family they point to and its seed params."""
    from gicrawler.middlewares import is_challenge

    text = text or ""
    head = _header_text(headers)
    links = _links(text, url)
    markers: list[Marker] = []
    seen = set()

    def add(marker: Marker):
        if (marker.name, marker.family) not in seen:
            seen.add((marker.name, marker.family))
            markers.append(marker)

    if is_challenge(status, text.encode("utf-8", "replace")):
        add(Marker("瑞数 challenge", None, 0, "status", f"HTTP {status}"))
    for rule in RULES:
        if rule.source == "text":
            hit = rule.pattern.search(text)
        elif rule.source == "url":
            hit = rule.pattern.search(url)
        elif rule.source == "headers":
            hit = rule.pattern.search(head)
        else:
            hit = next((m for m in map(rule.pattern.search, links) if m), None)
        if hit:
            add(Marker(rule.name, rule.family, rule.weight, rule.source))
    site_code = _first(_SITE_ID, text) or _first(_SITE_ID_REV, text)
    if site_code:
        add(Marker("SiteIDCode", "ucap", 1, "text", site_code))
    years = year_directories(links, url)
    if len(years) >= 2:
        add(Marker("year directories", "zfxxgknb", 5 if len(years) >= 3 else 3, "links",
                   ",".join(str(y) for y in years)))

    scores: dict[str, int] = {}
    for m in markers:
        if m.family:
            scores[m.family] = scores.get(m.family, 0) + m.weight
    challenge = next((str(m) for m in markers if m.family is None), None)
    family = _winner(scores)
    listed, pages = stated_size(text)
    det = Detection(url, family, markers=markers, scores=scores, challenge=challenge,
                    site_code=site_code, site_name=_first(_SITE_NAME, text), listed=listed, pages=pages)
    if family:
        det.params, det.browser, det.note = _params(family, text, url, det)
        if family in ("trs", "govcn"):
            _own_link_shape(det, links, url)
    return det


# report links in a date folder with a numeric name (…/202511/174240943.shtml: 甘肃's platform),
# where a TRS-style list has no ./YYYYMM/tYYYYMMDD_id links
_DATED_LINK = re.compile(r"/\d{6}/\d+\.s?html?$")
_TRS_LINK = re.compile(r"/t\d{8}_\d+\.s?html?(?:$|[?#])")


def _own_link_shape(det: Detection, links: list[str], url: str) -> None:
    """A list whose rows are not the family's default link shape: the entry's link_pattern is the
    shape the page's own links have (three or more of them), so the adapter reads the rows."""
    host = urlsplit(url).hostname
    if any(_TRS_LINK.search(link) for link in links) or "link_pattern" in det.params:
        return
    dated = {link for link in links if urlsplit(link).hostname == host and _DATED_LINK.search(urlsplit(link).path)}
    if len(dated) >= 3:
        det.params["link_pattern"] = _DATED_LINK.pattern
        det.note = (det.note + "; " if det.note else "") + (
            f"link_pattern: the shape of the page's {len(dated)} list links (…/YYYYMM/{{id}}.shtml)")


def _winner(scores: dict[str, int]) -> str | None:
    """The family a seed entry would name: only families gicrawler has an adapter for (FAMILIES);
    the markers of the others (Hanweb's xxgk module, LonSun) are reported, never chosen."""
    from gicrawler.seeds import FAMILIES

    known = {f: s for f, s in scores.items() if f in FAMILIES}
    best = max(known.values(), default=0)
    if best < KNOWN_AT:
        return None
    return next(f for f in PRIORITY if known.get(f) == best)


def _first(rx: re.Pattern, text: str) -> str | None:
    m = rx.search(text)
    return m.group(1).strip() if m else None


def _header_text(headers) -> str:
    if not headers:
        return ""
    out = []
    for key, value in dict(headers).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
            out.append(f"{k}: {v.decode('latin-1') if isinstance(v, bytes) else v}")
    return "\n".join(out)


def _links(text: str, url: str) -> list[str]:
    """Every href of the page, the datastore's CDATA rows and scripted 'var url = …' ones included."""
    from gicrawler.discovery import resolve

    hrefs = re.findall(r"""href\s*=\s*["']([^"']+)["']""", text, re.I)
    hrefs += re.findall(r"""\burl\s*=\s*["'](\.{0,2}/[^"']+)["']""", text)
    return [u for u in (resolve(h, url) for h in hrefs) if u]


def year_directories(links: list[str], url: str) -> list[int]:
    """Report years of the year folders linked below the page's own folder (gknb2017/, 2023n/ …)."""
    own = urlsplit(url)
    base = own.path if own.path.endswith("/") else own.path.rsplit("/", 1)[0] + "/"
    years = set()
    for link in links:
        parts = urlsplit(link)
        if parts.hostname != own.hostname or not parts.path.startswith(base):
            continue
        first, slash, _ = parts.path[len(base):].partition("/")
        m = _YEAR_DIR.fullmatch(first) if slash else None
        if m:
            years.add(int(next(g for g in m.groups() if g)))
    return sorted(years)


def stated_size(text: str) -> tuple[int | None, int | None]:
    """(records, pages) a list page states (jpage totalRecord, listModel recordCount, <totalpage>,
    createPageHTML's page count …); None where it states nothing."""
    records = pages = None
    for rx in _STATED:
        m = rx.search(text)
        if not m:
            continue
        found = {k: int(v) for k, v in m.groupdict().items() if v}
        rec = found.get("rec") or found.get("rec2")
        if records is None and rec is not None:
            records = rec
        if pages is None and "pg" in found:
            pages = found["pg"]
    return records, pages


def _params(family: str, text: str, url: str, det: Detection) -> tuple[dict, bool, str]:
    """(params, browser, note) a seed entry of this family would carry; the adapters read most
    identifiers from the page itself, so params hold only what they cannot find there."""
    params: dict = {}
    browser, note = False, ""
    if family == "hanweb":
        from gicrawler.families.hanweb import jpage_info

        info = jpage_info(text, url, {})
        params = {k: info[k] for k in ("webid", "columnid", "unitid") if info.get(k) and info[k].isdigit()}
        if re.search(r"/dataproxy\.jsp", url, re.I):
            note = "a dataproxy.jsp answer: seed the column page (/col/col{id}/index.html) that calls it"
    elif family == "jpaas":
        from gicrawler.families.jpaas import unit_config

        unit = unit_config(Selector(text=text), url, {}) or {}
        params = {k: unit[k] for k in ("webId", "pageId", "tplSetId", "tagId") if unit.get(k)}
    elif family == "gongkai":
        browser = True  # channel pages are JavaScript shells (docs/families.md, gongkai)
    elif family == "ucap":  # the search the page's own search box opens
        from gicrawler.families.ucap import SITE_ID_CODE

        # a malformed code names no site: the entry then fails with a clear error, not a wrong search
        params = {"site_code": det.site_code} if det.site_code and SITE_ID_CODE.fullmatch(det.site_code) else {}
        if re.search(r"/guestweb4/s\b", text):
            params["search"] = "guestweb4"
        elif re.search(r"/search4/s\b", text):
            params["search"] = "search4"
    elif family == "hanweb_xxgk":
        query = dict(parse_qsl(urlsplit(url).query))
        params = {k: query[k] for k in ("area", "fbtime") if query.get(k)}
    elif family == "webbuilder":  # the column the page's list call names (siteGuid/project: read from the page)
        column = re.search(r"""categorynum["']?\s*[:=]\s*["'](\d+)""", text, re.I)
        if column:
            params = {"categorynum": column.group(1)}
    elif family == "lonsun":
        organ = re.search(r"/public/column/(\d+)", url) or re.search(r"/public/column/(\d+)", text)
        if organ:
            params = {"organ_id": organ.group(1)}
    return params, browser, note


# --- the seed entry `gicrawler seeds detect` prints ---------------------------------------------

def suggest_name(url: str) -> str:
    """A seed name from the host: www.zibo.gov.cn → zibo, jyt.gansu.gov.cn → gansu_jyt."""
    host = (urlsplit(url).hostname or "site").lower()
    if re.fullmatch(r"[\d.]+", host):
        labels = ["site"] + host.split(".")
    else:
        labels = [p for p in host.split(".") if p not in ("www", "gov", "cn", "com", "org", "net")]
        labels = list(reversed(labels)) or ["site"]
    port = urlsplit(url).port
    name = "_".join(labels + ([str(port)] if port else []))
    return re.sub(r"[^a-z0-9_]", "_", name)


def allowed_domain(url: str) -> str:
    """The host without a leading www. (a city's departments sit on sub-domains of it)."""
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") and host.count(".") >= 2 else host


def seed_entry(det: Detection, name: str | None = None, region: str | None = None,
               challenged: bool = False) -> dict:
    """The seed entry for the detected page (family known), in the order seed files write it."""
    entry = {
        "name": name or suggest_name(det.url),
        "region": region if region is not None else (det.site_name or ""),
        "family": det.family,
        "index_urls": [det.url],
        "allowed_domains": [allowed_domain(det.url)],
        "browser": det.browser,
        "antibot_browser": challenged or det.challenge is not None,
        "obey_robots": True,
    }
    if det.params:
        entry["params"] = dict(det.params)
    entry["evidence"] = [f"{det.url} (fetched by gicrawler seeds detect; markers: {det.shown(det.family)})"]
    entry["verified"] = False
    if det.note:
        entry["note"] = det.note
    return entry


# --- what `gicrawler seeds check` says about one list page of an entry ---------------------------

FOLLOW = 3   # further list requests of a page `seeds check` may go on to (the first ones planned)

@dataclass
class PageCheck:
    url: str
    status: int | None
    detection: Detection
    entries: int = 0
    reports: list = field(default_factory=list)   # report entries ({url, title, date})
    listed: int | None = None                     # records the column states …
    pages: int | None = None                      # … or pages
    planned: int = 0                              # further list pages the adapter asks for
    error: str | None = None                      # the adapter could not read the page
    next_requests: list = field(default_factory=list)   # the first few further list requests (PageRequest)
    markup_changed: str | None = None
    hop: int = 0                                  # 0: an index URL; n: n requests after one
    root: str = ""                                # the index URL it was reached from
    challenged: bool = False                      # fetched through the browser past a challenge


def check_page(portal, text: str, url: str, status: int = 200, headers=None, state=None,
               index: bool = True) -> PageCheck:
    """One fetched list page of a seed entry: its markers, what the family adapter reads from it,
    and — for an index page — whether it still shows its family's markers."""
    from gicrawler import discovery
    from gicrawler.families import get_adapter

    det = detect(text, url, headers, status)
    out = PageCheck(url, status, det, listed=det.listed, pages=det.pages)
    # the page itself must still show its family (markers worth KNOWN_AT): a URL shape or one
    # stray link of the family's form says nothing about what the page serves now
    shown = sum(m.weight for m in det.markers_of(portal.family))
    if index and shown < KNOWN_AT and det.challenge is None:
        out.markup_changed = f"markup changed: expected {portal.family} markers, saw {det.shown()}"
    try:
        page = get_adapter(portal.family).parse_list(text, url, state or {}, portal.params)
    except Exception as exc:  # the same failure the crawl would record as a list error
        out.error = f"{type(exc).__name__}: {exc}"
        return out
    out.entries = len(page.entries)
    out.reports = discovery.select_reports(page.entries, set())
    # the adapter's own reading of the column's size (gicrawler/reach.py uses it too), else the markers'
    out.listed = page.listed if page.listed is not None else det.listed
    out.pages = page.pages if page.pages is not None else det.pages
    out.planned = len(page.requests)
    out.next_requests = list(page.requests[:FOLLOW])
    return out


def read_as(det: Detection, text: str, status: int = 200, headers=None) -> PageCheck | None:
    """What the detected family's adapter reads from the page, as for a seed entry of it (the
    entry ``seed_entry`` writes): list entries, reports, stated size, further pages."""
    from gicrawler.families import get_adapter
    from gicrawler.seeds import Portal

    if not det.family:
        return None
    portal = Portal(name="detect", family=det.family, index_urls=(det.url,),
                    allowed_domains=(allowed_domain(det.url),), params=dict(det.params), browser=det.browser)
    try:
        state = get_adapter(det.family).first_requests(portal)[0].state
    except Exception:  # an adapter that cannot start from this page alone (it needs params)
        state = {}
    return check_page(portal, text, det.url, status, headers, state)
