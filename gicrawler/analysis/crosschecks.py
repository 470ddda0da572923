"""Checks across the stored records (docs/checks.md, *Across the store*): what one report alone
cannot tell.

``run(records) -> list[finding]``, each finding ``{rule, ok, agency, year, urls, detail}``:

- ``store.carried_forward`` — an agency's 结转下年度继续办理 (carried_forward) for year N equals its
  上年结转 (carried_over) for year N+1, per applicant column;
- ``store.identical_tables`` — an agency's tables for year N are not the same as for year N−1
  (beyond all-zero: the flows compared, stocks such as 现行有效件数 left out);
- ``store.changed_after_publication`` — a report page's content did not change once stored
  (its ``versions``);
- ``store.duplicate_reports`` — one agency-year published on several portals carries the same
  numbers everywhere.

Records stream through once (``store.find()`` is an iterator): of each, only a small summary is
kept (who, which year, a few rows, digests of the tables), so a large store is checked in a
bounded amount of memory per report. ``StoreChecks`` is the accumulator behind ``run``: it also
takes what ``keep`` kept of a record earlier (the coverage of a crawl keeps that of each record
as the crawl's store writes it: analysis/coverage.py, ``Written``). Pure: no store access; ``gicrawler checks`` (commands/checks.py)
passes ``verify`` to re-parse the raw versions of a changed page.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

from gicrawler import template
from gicrawler.parsing.agency import agency_key, reporting_body
from gicrawler.parsing.checks import STORE_RULES

CARRIED_FORWARD, IDENTICAL, CHANGED, DUPLICATES = STORE_RULES
# Columns that hold a stock, not this year's flow: equal from one year to the next by nature.
STOCK_COLUMNS = frozenset({"in_force", "prior_items", "public_total"})
# "Identical" needs this many non-zero flow cells: a body that receives one application a year
# and grants it prints 4 non-zero cells, the same two years running, without copying anything.
MIN_NONZERO = 10
_COLUMNS = template.APPLICANT_COLUMNS


def agency_of(record: dict) -> str | None:
    """The agency a record reports for, as one name across years and portals: the body the title
    names, else the 发布机构, else the record's ``agency``; normalised by ``agency_key`` (parentheses
    and punctuation dropped, 淄博市 / 淄博市政府 → 淄博市人民政府, 市大数据局 completed from the
    portal's region). A name that still carries no place is only known within its portal."""
    name, _ = reporting_body(record.get("publisher"), record.get("title"))
    key = agency_key(name or record.get("agency"), record.get("region"))
    if key and key[0] in "市县区州旗本我":
        key = f"{record.get('portal') or '?'}:{key}"
    return key


def _flows(table: dict, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for key in sorted(table):
        value = table[key]
        if isinstance(value, dict):
            out.extend(_flows(value, f"{prefix}{key}."))
        elif key not in STOCK_COLUMNS:
            out.append((prefix + key, value))
    return out


# json.dumps with these arguments builds this encoder on every call (3 a record the crawl stores)
_CELLS_JSON = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _digest(cells: list) -> str:
    return hashlib.sha1(_CELLS_JSON(cells).encode()).hexdigest()[:16]


def _row(tables: dict, key: str) -> tuple | None:
    row = (tables.get("applications") or {}).get(key)
    if not isinstance(row, dict) or all(row.get(c) is None for c in _COLUMNS):
        return None
    return tuple(row.get(c) or 0 for c in _COLUMNS)


@dataclass
class Summary:
    """What the checks keep of one record."""
    url: str
    portal: str | None
    agency: str
    year: int
    carried_over: tuple | None
    carried_forward: tuple | None
    flows: dict = field(default_factory=dict)      # table key → digest of its flow cells
    nonzero: dict = field(default_factory=dict)    # table key → how many flow cells are not 0
    headline: dict = field(default_factory=dict)   # a few totals, for the details


_HEADLINE = (("applications", "received", "total"), ("applications", "total", "total"),
             ("applications", "carried_forward", "total"), ("review_litigation", "review", "total"))


_UNKNOWN = object()  # (an agency not worked out yet: agency_of may say None)


def summarize(record: dict, agency=_UNKNOWN) -> Summary | None:
    """The summary of a record, or None when it names no agency or year (or was not fetched).
    ``agency``: the record's ``agency_of``, when the caller has it already."""
    if record.get("fetch_error") and not record.get("tables"):
        return None
    agency, year = agency_of(record) if agency is _UNKNOWN else agency, record.get("year")
    if not agency or not isinstance(year, int):
        return None
    tables = record.get("tables") or {}
    s = Summary(record["url"], record.get("portal"), agency, year,
                _row(tables, "carried_over"), _row(tables, "carried_forward"))
    for key in template.TABLE_KEYS:
        table = tables.get(key)
        if isinstance(table, dict) and table:
            cells = _flows(table)
            s.flows[key] = _digest(cells)
            s.nonzero[key] = sum(1 for _, v in cells if v not in (None, 0))
    for path in _HEADLINE:
        node = tables
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            s.headline[".".join(path[1:])] = node
    return s


def _finding(rule: str, ok: bool, agency: str, year: int, urls, detail: str) -> dict:
    return {"rule": rule, "ok": ok, "agency": agency, "year": year, "urls": sorted(set(urls)), "detail": detail}


def _fmt_date(value) -> str:
    return str(value)[:10] if value is not None else "?"


def check_changed(record: dict, verify: Callable[[dict], bool | None] | None = None,
                  agency=_UNKNOWN) -> dict | None:
    """``store.changed_after_publication`` for one record: several versions of its content.

    ``verify(record)``, when given, says whether the report itself changed (True), or only the
    page around it (False: same text and tables), or cannot tell (None). ``agency``: as in
    ``summarize``."""
    versions = record.get("versions") or []
    if not versions:
        return None
    agency, year = agency_of(record) if agency is _UNKNOWN else agency, record.get("year")
    dates = ", ".join(_fmt_date(v.get("date")) for v in versions)
    if len(versions) == 1:
        return _finding(CHANGED, True, agency, year, [record["url"]], f"one version, stored {dates}")
    what = []
    if versions[-1].get("hash") != versions[-2].get("hash"):
        what.append("the page")
    if sorted(versions[-1].get("attachments") or ()) != sorted(versions[-2].get("attachments") or ()):
        what.append("its attachments")
    changed = None if what == ["the page"] and verify is None else True
    if what == ["the page"] and verify is not None:
        changed = verify(record)
    detail = f"{len(versions)} versions ({dates}): {' and '.join(what) or 'the content'} changed"
    if changed is False:
        return _finding(CHANGED, True, agency, year, [record["url"]],
                        f"{detail} around the report; its text and tables are the same")
    if changed is None:
        detail += " (not re-parsed: the report's text and tables may be the same)"
    return _finding(CHANGED, False, agency, year, [record["url"]], detail)


def _distinct(summaries: list[Summary], attr: str):
    values = {getattr(s, attr) for s in summaries if getattr(s, attr) is not None}
    return values.pop() if len(values) == 1 else None


def check_carried_forward(agency: str, year: int, before: list[Summary], after: list[Summary]) -> dict | None:
    forward, over = _distinct(before, "carried_forward"), _distinct(after, "carried_over")
    if forward is None or over is None:
        return None     # absent, or several reports of one year disagree (store.duplicate_reports)
    urls = [s.url for s in before + after]
    failures = [f"{col}: carried_forward {year - 1} = {a} ≠ carried_over {year} = {b}"
                for col, a, b in zip(_COLUMNS, forward, over) if a != b]
    if failures:
        return _finding(CARRIED_FORWARD, False, agency, year, urls, "; ".join(failures))
    return _finding(CARRIED_FORWARD, True, agency, year, urls,
                    f"carried_forward {year - 1} = carried_over {year} in all {len(_COLUMNS)} columns")


def check_identical(agency: str, year: int, before: list[Summary], after: list[Summary]) -> dict | None:
    pairs = [(b, a) for b in before for a in after]
    common = [(b, a, sorted(set(b.flows) & set(a.flows))) for b, a in pairs]
    common = [(b, a, keys) for b, a, keys in common if keys]
    if not common:
        return None
    for b, a, keys in common:
        nonzero = sum(a.nonzero[k] for k in keys)
        if all(b.flows[k] == a.flows[k] for k in keys) and nonzero >= MIN_NONZERO:
            return _finding(IDENTICAL, False, agency, year, [b.url, a.url],
                            f"tables {', '.join(keys)} identical to {year - 1}'s ({nonzero} non-zero cells)")
    b, a, keys = common[0]
    return _finding(IDENTICAL, True, agency, year, [s.url for s in before + after],
                    f"tables differ from {year - 1}'s" if any(b.flows[k] != a.flows[k] for k in keys)
                    else f"tables equal {year - 1}'s only where (nearly) all zero (< {MIN_NONZERO} non-zero cells)")


def check_duplicates(agency: str, year: int, summaries: list[Summary]) -> dict | None:
    portals = {s.portal for s in summaries}
    with_tables = [s for s in summaries if s.flows]
    if len(portals) < 2 or len({s.portal for s in with_tables}) < 2:
        return None
    urls = [s.url for s in with_tables]
    first = with_tables[0]
    for other in with_tables[1:]:
        if other.portal == first.portal:
            continue
        keys = sorted(set(first.flows) & set(other.flows))
        differ = [k for k in keys if first.flows[k] != other.flows[k]]
        if differ:
            shown = {k: (first.headline.get(k), other.headline.get(k)) for k in first.headline
                     if first.headline.get(k) != other.headline.get(k)}
            numbers = "; ".join(f"{k} {x} vs {y}" for k, x, y in ((k, *v) for k, v in shown.items()))
            return _finding(DUPLICATES, False, agency, year, urls,
                            f"on {first.portal} and {other.portal} with different numbers in {', '.join(differ)}"
                            + (f" ({numbers})" if numbers else ""))
    return _finding(DUPLICATES, True, agency, year, urls,
                    f"on {len({s.portal for s in with_tables})} portals ({', '.join(sorted(p or '?' for p in portals))}) "
                    "with the same numbers")


@dataclass
class Kept:
    """What the checks read of one record, worked out once (``keep``): its agency, the fields of
    its ``store.changed_after_publication`` finding (made at the end: it may ``verify``), and
    its summary."""
    agency: str | None
    versioned: dict | None
    summary: Summary | None


_VERSIONED_FIELDS = ("url", "year", "versions")


def keep(record: dict) -> Kept:
    agency = agency_of(record)
    versioned = {key: record.get(key) for key in _VERSIONED_FIELDS} if record.get("url") else None
    return Kept(agency, versioned, summarize(record, agency))


class StoreChecks:
    """The accumulator behind ``run``: ``add`` records (or what ``keep`` kept of them) in the
    store's order, then ``findings()``."""

    def __init__(self, verify: Callable[[dict], bool | None] | None = None):
        self.verify = verify
        self.by_agency: dict[str, dict[int, list[Summary]]] = defaultdict(lambda: defaultdict(list))
        self.changed: list[dict] = []

    def add(self, record: dict) -> None:
        self.add_kept(keep(record))

    def add_kept(self, kept: Kept) -> None:
        if kept.versioned is not None:
            changed = check_changed(kept.versioned, self.verify, kept.agency)
            if changed and changed["agency"] and changed["year"] is not None:
                self.changed.append(changed)
        s = kept.summary
        if s is not None:
            self.by_agency[s.agency][s.year].append(s)

    def findings(self) -> list[dict]:
        """All findings, by rule, agency and year."""
        findings = list(self.changed)
        for agency, years in self.by_agency.items():
            for year, summaries in years.items():
                before = years.get(year - 1)
                if before:
                    for r in (check_carried_forward(agency, year, before, summaries),
                              check_identical(agency, year, before, summaries)):
                        if r:
                            findings.append(r)
                r = check_duplicates(agency, year, summaries)
                if r:
                    findings.append(r)
        order = {rule: i for i, rule in enumerate(STORE_RULES)}
        findings.sort(key=lambda f: (order[f["rule"]], f["agency"] or "", f["year"] or 0, f["urls"]))
        return findings


def run(records: Iterable[dict], verify: Callable[[dict], bool | None] | None = None) -> list[dict]:
    """All findings over ``records`` (any iterable, read once), by rule, agency and year."""
    checks = StoreChecks(verify)
    for record in records:
        checks.add(record)
    return checks.findings()


def page_change_verifier(store, timeout: float | None = None) -> Callable[[dict], bool | None]:
    """A ``verify`` for ``run``: re-parses the last two stored versions of a page whose body
    changed (attachments unchanged) and says whether the report changed — its tables, or its
    text from the first section heading on (what surrounds the report, navigation or counters,
    is not the report). None when a version's raw body is not in the store, does not parse, or
    takes longer than the per-document limit (``timeout``, else $GICRAWLER_PARSE_TIMEOUT: the
    parse runs in a child process, gicrawler/runner.py, started on the first changed page)."""
    from gicrawler.parsing import parse_report
    from gicrawler.parsing.outline import find_sections
    from gicrawler.runner import ChildRunner, parse_timeout

    limit = parse_timeout(timeout)
    runner = ChildRunner() if limit else None

    def content(url: str, sha1: str | None):
        raw = store.get_raw(url, sha1) if sha1 else None
        if raw is None:
            return None
        options = {"content_type": raw.get("content_type"), "url": url}
        try:
            parsed = (runner.run(parse_report, raw["body"], timeout=limit, **options) if runner
                      else parse_report(raw["body"], **options))
        except Exception:  # noqa: BLE001 - an unparsable old version, or one past the limit: cannot tell
            return None
        text = parsed.get("text") or ""
        sections = find_sections(text)
        start = min((s.start for s in sections.values()), default=0)
        return parsed.get("tables"), text[start:]

    def verify(record: dict) -> bool | None:
        versions = record.get("versions") or []
        before, after = (content(record["url"], v.get("hash")) for v in versions[-2:])
        if before is None or after is None:
            return None
        return before != after

    return verify
