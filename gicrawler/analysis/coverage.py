"""Coverage: agencies × years — what was found, parsed, and what is missing or failing.

Pure: ``compute(records, findings)`` reads records (any iterable, one pass) and the findings of the
cross-store checks (gicrawler/analysis/crosschecks.py, when present) and returns one row per
(agency, year):

- ``found``: report links stored for it; each is exactly one of
  ``parsed`` (all three tables read), ``tables_missing`` (a table not found, unreadable, or the
  page not parsed at all), ``image_only`` (every table it lacks is printed only as an image) and
  ``unreachable`` (the link could not be fetched; agency and year then come from its list title);
- ``checks_failing``: failed checks — the reports' own (``checks``) plus the cross-store findings
  on its reports (by url; else by the finding's agency and year) — and ``failed_rules``, their
  rule names;
- ``status``: the best of its reports, in the order of ``STATUSES`` (the report's coverage matrix).

The stats extension stores the rows of a portal with each crawl run (``run["coverage"]``);
``gicrawler coverage`` and ``gicrawler report`` print them.
"""
from __future__ import annotations

import importlib
from typing import Iterable

from gicrawler import template
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


def key_of(record: dict) -> tuple[str | None, int | None]:
    """(agency, year) of a record; a dead link's from its list title."""
    return list_title_agency_year(record)


class Coverage:
    """The accumulator behind ``compute``: ``add`` records and ``add_finding`` cross-store
    findings in any order, then ``rows()``."""

    def __init__(self):
        self.cells: dict[tuple, dict] = {}
        self._key_of_url: dict[str, tuple] = {}  # a finding names reports by url: their cells

    def _cell(self, agency, year) -> dict:
        key = (agency, year)
        if key not in self.cells:
            self.cells[key] = {"agency": agency, "year": year, **dict.fromkeys(COUNTS, 0),
                               "failed_rules": {}, "portals": set()}
        return self.cells[key]

    def add(self, record: dict) -> str:
        key = key_of(record)
        cell = self._cell(*key)
        if record.get("url"):
            self._key_of_url[record["url"]] = key
        kind = status(record)
        cell["found"] += 1
        cell[_COUNT_OF[kind]] += 1
        if record.get("portal"):
            cell["portals"].add(record["portal"])
        for rule in failed_rules(record):
            cell["checks_failing"] += 1
            cell["failed_rules"][rule] = None
        return kind

    def add_finding(self, finding: dict) -> None:
        """A failing finding counts once in the cell of each agency-year its reports (``urls``)
        are in — the checks name agencies their own way (one name across portals) — else in
        the cell of its own ``agency`` and ``year``."""
        if finding.get("ok", True):
            return
        keys = dict.fromkeys(self._key_of_url[u] for u in finding.get("urls") or () if u in self._key_of_url)
        for key in keys or [(finding.get("agency"), finding.get("year"))]:
            cell = self._cell(*key)
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


def cross_findings(records: Iterable[dict]) -> list[dict]:
    """The findings of the cross-store checks (gicrawler/analysis/crosschecks.py: carried-forward
    against next year's carried-over, identical tables, changed after publication, duplicates
    across portals) over ``records``; none while that module is not installed."""
    try:
        crosschecks = importlib.import_module("gicrawler.analysis.crosschecks")
    except ModuleNotFoundError as exc:
        if exc.name != "gicrawler.analysis.crosschecks":
            raise
        return []
    return list(crosschecks.run(records))  # it reads the records once, as they come


def light(record: dict) -> dict:
    # the body text is most of a record and no cross-store check reads it
    return {k: v for k, v in record.items() if k != "text"}


def of_store(store, portal: str | None = None) -> list[dict]:
    """Coverage rows of a store's records (one portal's, or all), cross-store findings included."""
    findings = cross_findings(light(r) for r in store.find(portal=portal))
    return compute(store.find(portal=portal), findings)
