"""ReportPage item → stored record (report-format.md), by ``gicrawler.parsing.parse_report``.

``build_record`` is a plain function (the ``reparse`` command uses it on stored raw pages); the
pipeline adds stats. A page that cannot be parsed is still returned, with ``parse_error`` set and
its raw body attached, so it is stored and can be re-parsed later; nothing is dropped here.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Callable, Mapping

from itemadapter import ItemAdapter

from gicrawler.store.records import PARSED_FIELDS

logger = logging.getLogger(__name__)

METADATA_FIELDS = ("title", "index_number", "document_number", "published", "publisher", "category")
# Fields a table source (page or attachment) brings as one block.
TABLE_FIELDS = ("tables", "template", "missing_tables", "checks")
# Item fields copied onto the record as they are.
ITEM_FIELDS = ("url", "portal", "region", "list_url", "list_title", "list_date", "etag", "last_modified")
ATTACHMENT_FIELDS = ("url", "kind", "sha1", "size", "content_type", "error")
# Private keys carrying the raw bodies and the crawl time to the store pipeline (which pops them).
RAWS_KEY, CRAWLED_AT_KEY = "_raws", "_crawled_at"


def _default_parse(data, **kwargs) -> dict:
    from gicrawler.parsing import parse_report  # late: parsing imports are heavy (pdfplumber, OpenCC)
    return parse_report(data, **kwargs)


def _run_checks(record: dict) -> list[dict] | None:
    try:
        from gicrawler.parsing.checks import run_checks
    except ImportError:
        return None
    return run_checks(record)


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _cells(tables: Mapping | None) -> int:
    """How many numbers a set of tables holds: the measure for choosing among attachments."""
    def count(value) -> int:
        if isinstance(value, Mapping):
            return sum(count(v) for v in value.values())
        return int(isinstance(value, (int, float)) and not isinstance(value, bool))
    return count(tables or {})


def build_record(item, parse: Callable[..., dict] | None = None) -> tuple[dict, list[dict]]:
    """Parse a ReportPage (or any mapping with its fields): returns (record, raws)."""
    parse = parse or _default_parse
    page = ItemAdapter(item).asdict() if not isinstance(item, dict) else dict(item)
    record: dict = {key: page.get(key) for key in ITEM_FIELDS}
    record.update({key: None for key in PARSED_FIELDS})
    record["fetch_error"] = page.get("fetch_error")
    raws: list[dict] = []

    attachments, parsed_attachments = [], []
    for att in page.get("attachments") or ():
        entry = {k: att.get(k) for k in ATTACHMENT_FIELDS if att.get(k) is not None}
        body = att.get("body")
        if body is not None:
            raws.append({"url": att.get("url"), "body": body, "content_type": att.get("content_type"),
                         "role": "attachment"})
            try:
                result = parse(body, content_type=att.get("content_type"), url=att.get("url"),
                               filename=att.get("filename"))
                parsed_attachments.append((entry, result))
            except Exception as exc:  # a broken attachment must not lose the page
                entry["parse_error"] = error_text(exc)
        attachments.append(entry)
    record["attachments"] = attachments

    body = page.get("body")
    if body is None:
        if not record["fetch_error"]:
            record["fetch_error"] = "no body"
        return record, raws
    raws.insert(0, {"url": page.get("url"), "body": body, "content_type": page.get("content_type"),
                    "role": "page"})

    result: dict = {}
    try:
        result = parse(body, content_type=page.get("content_type"), url=page.get("url"))
    except Exception as exc:
        record["parse_error"] = error_text(exc)
    record.update({key: result.get(key) for key in PARSED_FIELDS if key in result})

    # The spider's loader ran the same extractor on the same page: its values win where present.
    for key, value in (page.get("metadata") or {}).items():
        if key in METADATA_FIELDS and value not in (None, ""):
            record[key] = value

    if not record.get("tables"):
        with_tables = [(att, res) for att, res in parsed_attachments if res.get("tables")]
        if with_tables:
            att, best = max(with_tables, key=lambda pair: (_cells(pair[1]["tables"]), len(pair[1]["tables"])))
            record.update({key: best.get(key) for key in TABLE_FIELDS})
            record["tables_source"] = att.get("url")
            for key in ("agency", "year", "text") + METADATA_FIELDS:  # what the page did not say
                if record.get(key) in (None, "") and best.get(key) not in (None, ""):
                    record[key] = best[key]
    # Checks depend on the tables and on `published`, which may now come from elsewhere.
    if record.get("tables") is not None or result:
        try:
            checks = _run_checks(record)
        except Exception as exc:  # keep the parser's own checks, say why they were not redone
            record["errors"] = list(record.get("errors") or ()) + [f"checks: {error_text(exc)}"]
        else:
            if checks is not None:
                record["checks"] = checks
    return record, raws


class ParsePipeline:
    def __init__(self, crawler=None):
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        crawled_at = datetime.now(timezone.utc)
        try:
            record, raws = build_record(item)
        except Exception as exc:  # a bug here must still not drop the page
            logger.exception("building the record of %s failed", ItemAdapter(item).get("url"))
            page = ItemAdapter(item)
            record = {key: page.get(key) for key in ITEM_FIELDS}
            record["parse_error"] = error_text(exc)
            raws = ([{"url": page.get("url"), "body": page.get("body"),
                      "content_type": page.get("content_type"), "role": "page"}]
                    if page.get("body") is not None else [])
        portal = record.get("portal") or "unknown"
        if record.get("parse_error"):
            self._inc(portal, "parse_failures")
            logger.warning("parse failure %s: %s", record.get("url"), record["parse_error"])
        if any(not check.get("ok", True) for check in record.get("checks") or ()):
            self._inc(portal, "failed_checks")
        record[RAWS_KEY] = raws
        record[CRAWLED_AT_KEY] = crawled_at
        return record

    def _inc(self, portal: str, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"gicrawler/{portal}/{key}")
