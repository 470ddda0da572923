"""ReportPage item → stored record (docs/record.md), by ``gicrawler.parsing.parse_report``.

``build_record`` is a plain function (the ``reparse`` command uses it on stored raw pages; the
parse pipeline runs ``parse_page`` in its worker processes). A page that cannot be parsed is
still returned, with ``parse_error`` set and its raw body attached, so it is stored and can be
re-parsed later; nothing is dropped here. Every record is checked against the record schema
(gicrawler/schema.py): a record that does not fit keeps going, with the failure in ``errors``.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping

from gicrawler.schema import ITEM_FIELDS, METADATA_FIELDS, PARSED_FIELDS, validate

# Fields a table source (page or attachment) brings as one block.
TABLE_FIELDS = ("tables", "template", "missing_tables", "checks")
ATTACHMENT_FIELDS = ("url", "kind", "sha1", "size", "content_type", "error", "skipped")
# Private keys carrying the raw bodies and the crawl time to the store pipeline (which pops them).
RAWS_KEY, CRAWLED_AT_KEY = "_raws", "_crawled_at"


def _default_parse(data, **kwargs) -> dict:
    from gicrawler.parsing import parse_report  # late: parsing imports are heavy (pdfplumber, OpenCC)
    return parse_report(data, **kwargs)


def _agency_kind(publisher, title) -> str | None:
    from gicrawler.parsing.agency import agency_kind  # late, like the parser itself
    return agency_kind(publisher, title)


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


def page_dict(item) -> dict:
    """A plain (shallow) dict of the item's fields: bodies are bytes, attachments plain dicts."""
    if isinstance(item, Mapping):  # dicts and scrapy Items
        return dict(item)
    from itemadapter import ItemAdapter  # late: it imports scrapy, which a parse worker does not need
    return dict(ItemAdapter(item).items())


def page_raws(page: Mapping) -> list[dict]:
    """The raw bodies of a page and its attachments, page first, as the store keeps them."""
    raws = [{"url": att.get("url"), "body": att.get("body"), "content_type": att.get("content_type"),
             "role": "attachment"} for att in page.get("attachments") or () if att.get("body") is not None]
    if page.get("body") is not None:
        raws.insert(0, {"url": page.get("url"), "body": page.get("body"),
                        "content_type": page.get("content_type"), "role": "page"})
    return raws


def build_record(item, parse: Callable[..., dict] | None = None) -> tuple[dict, list[dict]]:
    """Parse a ReportPage (or any mapping with its fields): returns (record, raws)."""
    page = page_dict(item)
    return parse_page(page, parse), page_raws(page)


def empty_record(page: Mapping) -> dict:
    """The record of a page before parsing: every key present, parsed fields None, attachments
    listed (without bodies) so the store can find their raw bodies again for a reparse."""
    record: dict = {key: page.get(key) for key in ITEM_FIELDS}
    record.update({key: None for key in PARSED_FIELDS})
    record["fetch_error"] = page.get("fetch_error")
    record["attachments"] = [{k: att.get(k) for k in ATTACHMENT_FIELDS if att.get(k) is not None}
                             for att in page.get("attachments") or ()]
    return record


def parse_page(page: Mapping, parse: Callable[..., dict] | None = None) -> dict:
    """The record of a page (a plain dict with the item's fields): the part that parses."""
    parse = parse or _default_parse
    record = empty_record(page)
    parsed_attachments = []
    for att, entry in zip(page.get("attachments") or (), record["attachments"]):
        body = att.get("body")
        if body is not None:
            try:
                result = parse(body, content_type=att.get("content_type"), url=att.get("url"),
                               filename=att.get("filename"))
                parsed_attachments.append((entry, result))
            except Exception as exc:  # a broken attachment must not lose the page
                entry["parse_error"] = error_text(exc)

    body = page.get("body")
    if body is None:
        if not record["fetch_error"]:
            record["fetch_error"] = "no body"
        return record

    result: dict = {}
    metadata = page.get("metadata") or {}
    try:
        result = parse(body, content_type=page.get("content_type"), url=page.get("url"))
    except Exception as exc:
        record["parse_error"] = error_text(exc)
        if not metadata:  # the spider leaves metadata to the parser: still say what the page is
            metadata = _fallback_metadata(body, page.get("content_type"))
    record.update({key: result.get(key) for key in PARSED_FIELDS if key in result})

    # Metadata a spider's loader already read (the same extractor) wins where present.
    for key, value in metadata.items():
        if key in METADATA_FIELDS and value not in (None, ""):
            record[key] = value

    checked_text = _tables_from_attachments(record, parsed_attachments)
    if record.get("title") != result.get("title") or record.get("publisher") != result.get("publisher"):
        record["agency_kind"] = _agency_kind(record.get("publisher"), record.get("title"))
    # Checks depend on the tables, the text and `published`/`year`/`agency_kind`, which may now
    # come from elsewhere; when none of them changed, the parser's checks stand (running them
    # again costs ~10% of a parse). Text checks read the document the tables came from.
    if (record.get("tables") is not None or result) and (
            "checks" not in result or checked_text != record.get("text")
            or any(record.get(k) != result.get(k) for k in CHECKED_FIELDS)):
        try:
            checks = _run_checks({**record, "text": checked_text})
        except Exception as exc:  # keep the parser's own checks, say why they were not redone
            record["errors"] = list(record.get("errors") or ()) + [f"checks: {error_text(exc)}"]
        else:
            if checks is not None:
                record["checks"] = checks
    return checked(record)


def checked(record: dict) -> dict:
    """The record, with a schema failure (if any) added to its ``errors``."""
    failure = validate(record)
    if failure is not None:
        record["errors"] = list(record.get("errors") or ()) + [failure]
    return record


CHECKED_FIELDS = ("tables", "published", "year", "agency_kind", "template", "text", "tables_source")
TABLE_KEYS = ("active", "applications", "review_litigation")


def _source(att: Mapping, result: Mapping, key: str) -> dict:
    """Where table ``key`` came from: the attachment, and how its parser read it (OCR)."""
    own = (result.get("tables_source") or {}).get(key) or {}
    return {"source": "attachment", **own, "url": att.get("url")}


def _tables_from_attachments(record: dict, parsed: list) -> str | None:
    """Tables the page does not hold, from its attachments (``record`` is updated in place);
    returns the text of the document the tables are in, which the text checks read.

    A page without any table takes all its table fields from the attachment with the most
    numbers (a report published as PDF/DOCX, or as pictures). A page with some tables takes each
    missing one from the attachment holding the most numbers of it (a 图片版 page: table A in
    HTML, tables B and C as images). ``tables_source`` names, per table taken, the attachment's
    URL and its parser's own account (``{"source": "ocr", "confidence": …}`` for a picture); a
    table an attachment read but did not trust (``ocr unverified``) stays missing, with its reason."""
    own_sources = dict(record.get("tables_source") or {})
    checked_text = record.get("text")
    if not record.get("tables"):
        with_tables = [(att, res) for att, res in parsed if res.get("tables")]
        if with_tables:
            att, best = max(with_tables, key=lambda pair: (_cells(pair[1]["tables"]), len(pair[1]["tables"])))
            record.update({key: best.get(key) for key in TABLE_FIELDS})
            checked_text = best.get("text") or checked_text    # the document the tables are in
            own_sources = {key: _source(att, best, key) for key in {**(best.get("tables_source") or {}),
                                                                     **best["tables"]}}
            for key in ("agency", "year", "text") + METADATA_FIELDS:  # what the page did not say
                if record.get(key) in (None, "") and best.get(key) not in (None, ""):
                    record[key] = best[key]
    tables = dict(record.get("tables") or {})
    missing = dict(record.get("missing_tables") or {})
    for key in TABLE_KEYS:
        if key in tables:
            continue
        having = [(att, res) for att, res in parsed if key in (res.get("tables") or {})]
        if having:
            att, res = max(having, key=lambda pair: _cells(pair[1]["tables"][key]))
            tables[key] = res["tables"][key]
            missing.pop(key, None)
            own_sources[key] = _source(att, res, key)
            if not record.get("template") and res.get("template"):
                record["template"] = res["template"]
            continue
        untrusted = [(att, res) for att, res in parsed if key in (res.get("tables_source") or {})]
        if untrusted and key not in own_sources:
            att, res = untrusted[0]
            own_sources[key] = _source(att, res, key)
            missing[key] = (res.get("missing_tables") or {}).get(key) or "ocr unverified"
    if tables or record.get("tables") is not None:
        record["tables"] = tables
    if missing or record.get("missing_tables") is not None:
        record["missing_tables"] = missing
    record["tables_source"] = own_sources or None
    return checked_text
_HTML_START = re.compile(r"<\s*(?:!doctype|html|head|body|meta|title)[\s>/]", re.I)


def _fallback_metadata(body: bytes, content_type: str | None) -> dict:
    """The loader's metadata of a page the parser failed on (best effort; {} when unreadable)."""
    try:
        from gicrawler.loaders import extract_metadata
        from gicrawler.parsing.decode import decode
        _, text = decode(body, content_type) if isinstance(body, (bytes, bytearray)) else (None, body)
        if not _HTML_START.search(text[:4096]):  # lines of a broken PDF/doc would give junk titles
            return {}
        return extract_metadata(text) or {}
    except Exception:  # noqa: BLE001 - the parse error is already recorded; this is a bonus
        return {}
