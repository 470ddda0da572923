"""Coverage: agencies × years — what was found, parsed, and what is missing or failing.

Pure: ``compute(records, findings)`` reads records (any iterable, one pass) and the findings of the
cross-store checks (gicrawler/analysis/crosschecks.py) and returns one row per (agency, year). The
agency is the one the cross-store checks name (``crosschecks.agency_of``: one name across years and
portals, 淄博市 / 淄博市政府 → 淄博市人民政府), so a finding falls in the cell of its agency-year:

- ``found``: report links stored for it; each is exactly one of
  ``parsed`` (all three tables read), ``tables_missing`` (a table not found, unreadable, or the
  page not parsed at all), ``image_only`` (every table it lacks is printed only as an image) and
  ``unreachable`` (the link could not be fetched; agency and year then come from its list title);
- ``checks_failing``: failed checks — the reports' own (``checks``) plus the failing cross-store
  findings of that agency and year — and ``failed_rules``, their rule names;
- ``status``: the best of its reports, in the order of ``STATUSES`` (the report's coverage matrix).

``read_store(store, sink)`` makes one pass over a store: each record to the coverage (or the
report's summary) and, on the way, to ``crosschecks.run`` (which keeps a small summary of each),
with ``crosschecks.page_change_verifier(store)`` re-parsing a changed page's versions. The stats
extension stores the rows of a portal with each crawl run (``run["coverage"]``: ``of_store``
with ``Written``, what it kept of each record the crawl wrote, so that only the portal's other
records are read from the store again); ``gicrawler
coverage`` and ``gicrawler report`` print them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from gicrawler import template
from gicrawler.analysis import crosschecks
from gicrawler.panel import is_unreachable, list_title_agency_year

PARSED, TABLES_MISSING, IMAGE_ONLY, UNREACHABLE = "parsed", "tables missing", "image-only", "unreachable"
STATUSES = (PARSED, TABLES_MISSING, IMAGE_ONLY, UNREACHABLE)  # best first
_COUNT_OF = {PARSED: "parsed", TABLES_MISSING: "tables_missing", IMAGE_ONLY: "image_only", UNREACHABLE: "unreachable"}
COUNTS = ("found", "parsed", "tables_missing", "image_only", "unreachable", "checks_failing")
COLUMNS = ("agency", "year", "status", *COUNTS, "failed_rules", "portals")


def status(record: dict) -> str:
    """What one stored report link amounts to (one of ``STATUSES``)."""
    if is_unreachable(record):
        return UNREACHABLE
    tables = record.get("tables") or {}
    missing = record.get("missing_tables") or {}
    if not record.get("parse_error") and all(tables.get(key) for key in template.TABLE_KEYS):
        return PARSED
    lacking = [key for key in template.TABLE_KEYS if not tables.get(key)]
    if not record.get("parse_error") and lacking and all(missing.get(key) == "image" for key in lacking):
        return IMAGE_ONLY
    return TABLES_MISSING


def failed_rules(record: dict) -> list[str]:
    return [c.get("rule") or "?" for c in record.get("checks") or () if isinstance(c, dict) and not c.get("ok")]


def key_of(record: dict, agency=crosschecks._UNKNOWN) -> tuple[str | None, int | None]:
    """(agency, year) of a record, the agency as the cross-store checks name it
    (``crosschecks.agency_of``, or ``agency`` when the caller has it); a dead link's from its
    list title (its page never came)."""
    if is_unreachable(record):
        agency, year = list_title_agency_year(record)
        return crosschecks.agency_of({**record, "title": record.get("list_title"), "agency": agency}), year
    return crosschecks.agency_of(record) if agency is crosschecks._UNKNOWN else agency, record.get("year")


@dataclass
class Kept:
    """What the coverage reads of one record, worked out once (``keep``): its cell, status,
    portal and failed rules, and what the cross-store checks keep of it."""
    key: tuple
    status: str
    portal: str | None
    failed_rules: list[str]
    checks: crosschecks.Kept


def keep(record: dict) -> Kept:
    checks = crosschecks.keep(record)
    return Kept(key_of(record, checks.agency), status(record), record.get("portal"), failed_rules(record), checks)


class Coverage:
    """The accumulator behind ``compute``: ``add`` records and ``add_finding`` cross-store
    findings in any order, then ``rows()``."""

    def __init__(self):
        self.cells: dict[tuple, dict] = {}

    def _cell(self, agency, year) -> dict:
        key = (agency, year)
        if key not in self.cells:
            self.cells[key] = {"agency": agency, "year": year, **dict.fromkeys(COUNTS, 0),
                               "failed_rules": {}, "portals": set()}
        return self.cells[key]

    def add(self, record: dict) -> str:
        return self._add(key_of(record), status(record), record.get("portal"), failed_rules(record))

    def add_kept(self, kept: Kept) -> str:
        return self._add(kept.key, kept.status, kept.portal, kept.failed_rules)

    def _add(self, key: tuple, kind: str, portal: str | None, rules: list[str]) -> str:
        cell = self._cell(*key)
        cell["found"] += 1
        cell[_COUNT_OF[kind]] += 1
        if portal:
            cell["portals"].add(portal)
        for rule in rules:
            cell["checks_failing"] += 1
            cell["failed_rules"][rule] = None
        return kind

    def add_finding(self, finding: dict) -> None:
        """A failing finding counts once, in the cell of its agency and year (named as
        ``key_of`` names a record's)."""
        if finding.get("ok", True):
            return
        cell = self._cell(finding.get("agency"), finding.get("year"))
        cell["checks_failing"] += 1
        cell["failed_rules"][finding.get("rule") or "?"] = None

    def rows(self) -> list[dict]:
        out = []
        for cell in self.cells.values():
            best = next((s for s in STATUSES if cell[_COUNT_OF[s]]), None)
            out.append({"agency": cell["agency"], "year": cell["year"], "status": best,
                        **{k: cell[k] for k in COUNTS}, "failed_rules": sorted(cell["failed_rules"]),
                        "portals": sorted(cell["portals"])})
        # agencies by name, years ascending; unknown agency or year last
        return sorted(out, key=lambda r: (r["agency"] is None, r["agency"] or "", r["year"] is None, r["year"] or 0))


def compute(records: Iterable[dict], findings: Iterable[dict] = ()) -> list[dict]:
    """Coverage rows of ``records`` (see the module docstring), with the failing ``findings``
    (``{rule, ok, agency, year, urls, detail}``) of the cross-store checks counted in."""
    cov = Coverage()
    for record in records:
        cov.add(record)
    for finding in findings:
        cov.add_finding(finding)
    return cov.rows()


def totals(rows: list[dict]) -> dict:
    """The counts of ``rows`` summed (the last line of the table)."""
    return {k: sum(r[k] for r in rows) for k in COUNTS}


def read_store(store, sink, portal: str | None = None, reparse: bool = True):
    """One pass over the store's records (one portal's, or all): each to ``sink.add`` and on to
    ``crosschecks.run`` (``verify``: ``page_change_verifier(store)``, unless not ``reparse``), then
    each finding to ``sink.add_finding``. ``sink`` is a ``Coverage`` or the report's ``Summary``;
    returned."""
    def records():
        for record in store.find(portal=portal):
            sink.add(record)
            yield record

    verify = crosschecks.page_change_verifier(store) if reparse else None
    for finding in crosschecks.run(records(), verify=verify):
        sink.add_finding(finding)
    return sink


def of_store(store, portal: str | None = None, reparse: bool = True,
             written: "Written | None" = None) -> list[dict]:
    """Coverage rows of a store's records (one portal's, or all), cross-store findings included.
    With ``written`` (a ``Written`` watching the store), the records it kept are not read again."""
    if written is None:
        return read_store(store, Coverage(), portal, reparse).rows()
    urls = store.urls(portal)  # in the order of ``store.find``, which the checks' details follow
    others = {record["url"]: keep(record) for record in store.find_urls(
        [url for url in urls if url not in written.kept])}
    cov = Coverage()
    checks = crosschecks.StoreChecks(crosschecks.page_change_verifier(store) if reparse else None)
    for url in urls:
        kept = written.kept.get(url) or others.get(url)
        if kept is not None:  # (None: removed meanwhile)
            cov.add_kept(kept)
            checks.add_kept(kept.checks)
    for finding in checks.findings():
        cov.add_finding(finding)
    return cov.rows()


class Written:
    """What ``of_store`` reads of each record a store writes, worked out as it is written: a
    store's watcher (``Store.watch``). The crawl's stats extension has one watch the crawl's
    store, so that at the end its coverage reads back from the store only the records the
    crawl did not write (in the store before, or changed by ``touch``), not the whole portal.
    It keeps a few hundred bytes per record written."""

    def __init__(self):
        self.kept: dict[str, Kept] = {}

    def written(self, state: dict) -> None:
        try:
            self.kept[state["url"]] = keep(state)
        except Exception:  # noqa: BLE001 - never the save's failure: read back (and said) at the end
            self.kept.pop(state.get("url"), None)

    def forgotten(self, url: str) -> None:
        self.kept.pop(url, None)
