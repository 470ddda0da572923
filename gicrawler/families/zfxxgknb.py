"""北京 district ``zfxxgknb`` roots: a directory per report year (docs/families.md, zfxxgknb).

- the root (``https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/``) links its year directories, named
  per district (YEAR_DIRS; params ``year_pattern``, a regex with a group ``year``, for others);
  params ``years`` keeps only those report years;
- a year directory lists reports, or group directories first (区政府 / 部门 / 街乡镇: GROUP_DIRS;
  params ``group_pattern``), each listing reports; lists may page TRS-style
  (``createPageHTML(n, …)`` → ``index_1.html`` …, gicrawler/families/trs.py);
- report links: TRS ``…/YYYYMM/tYYYYMMDD_{id}.html`` or 大兴's ``…/{id}/index.html``.

Only directory links are followed, one level per step: the root's other links (指南, 目录, …) and
the years outside ``years`` are never requested. The directory names are from real report URLs
(stored copies, tests/files/beijing/README.md); how the pages link them is unverified (VERIFIED).
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from gicrawler.discovery import page_base, resolve
from gicrawler.families import (ListPage, PageRequest, anchor_entries, link_pattern, planned_pages,
                                report_years, trs)

# Which of these behaviours a real saved page shows: the directory names are those of real report
# URLs (stored copies, tests/files/beijing/stored-pages.json; tests/test_family_zfxxgknb.py);
# no root or list page was saved.
VERIFIED = {
    "year_dir_names": True,         # gknb{Y}/ 密云, {Y}n/ 大兴, {Y}nb/ 怀柔 东城 beijing.gov.cn
    "group_dir_names": True,        # qzf{Y} qzfbm{Y} zxjd{Y} 怀柔, dcqzf{Y} dcqjd{Y} 东城, xzjd<N> 大兴, qzf city
    "root_links_years": False,      # the root page links its year directories (no root page saved)
    "trs_pager": False,             # createPageHTML(n, i, 'index', 'html'): inferred from the TRS t-date URLs
}

# (pattern of a year directory's name, where it is seen); group "year" is the report year
YEAR_DIRS = (
    (r"gknb(?P<year>(?:19|20)\d{2})", "密云 gknb2025/"),
    (r"(?P<year>(?:19|20)\d{2})nb?", "大兴 2019n/, 怀柔 东城 beijing.gov.cn 2024nb/"),
)
# group directories inside a year: 区政府 qzf, 部门 qzfbm, 街乡镇 zxjd (怀柔) / xzjd<N> (大兴), 东城's
# dcqzf / dcqjd (街道); a year suffix or a number may follow
GROUP_DIRS = r"(?:dc)?(?:qzf|qzfbm|zxjd|xzjd|qjd)\d*"
DETAIL = re.compile(r"/t\d{8}_\d+\.s?html?(?:$|[?#])|/\d{5,}/index\.s?html?(?:$|[?#])")
_INDEX = re.compile(r"(?:^|/)(?:index(?:_\d+)?\.s?html?)?$")


def first_requests(portal) -> list[PageRequest]:
    return [PageRequest(url, state={"stage": "root"}) for url in portal.index_urls]


def parse_list(text: str, url: str, state: dict, params: dict) -> ListPage:
    sel = Selector(text=text)
    entries = anchor_entries(sel, url, link_pattern(params, DETAIL))
    stage = state.get("stage")
    if stage == "root":
        wanted = set(report_years(params)) if params.get("years") else None
        return ListPage(entries, [PageRequest(dir_url, state={"stage": "year", "year": year})
                                  for year, dir_url in year_dirs(sel, url, params) if wanted is None or year in wanted])
    if stage not in ("year", "group"):
        return ListPage(entries, [])
    groups = []
    if stage == "year":
        group = re.compile(params.get("group_pattern") or GROUP_DIRS)
        groups = [PageRequest(u, state={"stage": "group", "year": state.get("year")})
                  for name, u in child_dirs(sel, url) if group.fullmatch(name)]
    count, name, ext = trs.page_count(text, url)
    # the groups, then the pages the pager claims (planned lazily: it may claim a million)
    def request(k: int) -> PageRequest:
        if k < len(groups):
            return groups[k]
        return PageRequest(urljoin(url, f"{name}_{k - len(groups) + 1}.{ext}"), state={"stage": "page"})

    return ListPage(entries, planned_pages(range(len(groups) + max(0, count - 1)), request))


def directory(url: str) -> str:
    """The directory a list page stands for: ``…/2024nb/`` for ``…/2024nb/index.html``."""
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def child_dirs(sel: Selector, url: str) -> list[tuple[str, str]]:
    """(name, URL) of the links to a directory one level below this page's directory, in page order."""
    here, base = directory(url), page_base(sel, url)
    out, seen = [], set()
    for href in sel.xpath("//a/@href").getall():
        target = resolve(href, base)
        if not target or not target.startswith(here):
            continue
        rest = urlsplit(target).path[len(urlsplit(here).path):]
        name, _, tail = rest.partition("/")
        if not name or "." in name or not _INDEX.fullmatch("/" + tail if tail else ""):
            continue
        if name not in seen:
            seen.add(name)
            out.append((name, here + name + "/"))
    return out


def year_of(name: str, params: dict) -> int | None:
    """The report year a directory name stands for (``gknb2025`` → 2025), None for other names."""
    patterns = [params["year_pattern"]] if params.get("year_pattern") else [p for p, _ in YEAR_DIRS]
    for pattern in patterns:
        m = re.fullmatch(pattern, name)
        if m:
            return int(m.group("year"))
    return None


def year_dirs(sel: Selector, url: str, params: dict) -> list[tuple[int, str]]:
    """(report year, URL) of the root's year directories."""
    found = ((year_of(name, params), dir_url) for name, dir_url in child_dirs(sel, url))
    return [(year, dir_url) for year, dir_url in found if year is not None]
