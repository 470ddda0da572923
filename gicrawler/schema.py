"""The stored record, declared once: every field, who sets it, its JSON Schema.

One record per report page (docs/record.md describes it; tests/test_docs.py keeps the two
in step). The field lists the code needs — what the parser returns, what a spider's item brings,
what ``gicrawler export`` puts in its panel — are views of ``FIELDS``. The tables' part of the
schema is built from the national template (gicrawler/template.py).

``validate(record)`` is what the parse pipeline runs on every record it builds; a record that
fails is still stored, with the failure added to its ``errors`` (never dropped).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gicrawler import template

CRAWL, PARSER, PIPELINE, STORE = "crawl", "parser", "pipeline", "store"


@dataclass(frozen=True)
class Field:
    name: str
    source: str                 # crawl (the spider's item) | parser | pipeline | store
    schema: dict                # JSON Schema of the value
    doc: str
    panel: bool = True          # a column of the csv/parquet panel (gicrawler export)
    metadata: bool = False      # read from the page's label block (a spider's loader reads it too)
    planned: bool = False       # in the format, not produced yet: allowed, not in the views


def _text(nullable: bool = True) -> dict:
    return {"type": ["string", "null"]} if nullable else {"type": "string"}


_DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}"}
_TIME = {"description": "a UTC datetime (BSON date in MongoDB, ISO string in exports)"}
_CHECK = {"type": "object", "required": ["rule", "ok"], "additionalProperties": False,
          "properties": {"rule": {"type": "string"}, "ok": {"type": "boolean"}, "detail": {"type": "string"}}}
_ATTACHMENT = {"type": "object", "required": ["url"], "properties": {
    "url": {"type": "string"}, "kind": _text(), "sha1": _text(), "size": {"type": ["integer", "null"]},
    "content_type": _text(), "error": _text(), "skipped": _text(), "parse_error": _text()},
    "additionalProperties": False}
_VERSION = {"type": "object", "properties": {"hash": _text(), "date": _TIME, "attachments": {"type": "array"}}}
MISSING_REASONS = ("not found", "image", "unreadable", "parser error", "ocr unverified", "ambiguous")
# The first four are the whole reason; the last two are followed by ": <what failed>".
_MISSING_PATTERN = r"^(?:not found|image|unreadable|parser error)$|^(?:ocr unverified|ambiguous)(?:: .*)?$"
_TABLE_SOURCE = {"type": "object", "required": ["source"], "additionalProperties": False, "properties": {
    "source": {"enum": ["ocr", "attachment"]}, "url": _text(),
    "confidence": {"type": ["number", "null"]}, "min_confidence": {"type": ["number", "null"]},
    "verified": {"type": "boolean"}, "verified_by": {"enum": ["identities", "second reading"]},
    "failed": {"type": "array", "items": {"type": "string"}}, "unconfirmed_cells": {"type": "integer"}}}
AGENCY_KINDS = ("government", "department", "township", "other")


def _cells(columns) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {c: {"type": ["number", "null"]} for c in columns}}


def tables_schema() -> dict:
    """JSON Schema of ``tables``, from the template (both years' rows and columns allowed)."""
    active = {}
    for row in template.ACTIVE_ROWS:
        active[row.key] = _cells(dict.fromkeys(c.key for cols in row.columns.values() for c in cols))
    row = _cells(template.APPLICANT_COLUMNS)
    applications: dict = {}
    groups: dict = {}
    for r in template.APPLICATION_ROWS:
        group, _, sub = r.key.partition(".")
        if sub:
            groups.setdefault(group, {})[sub] = row
        else:
            applications[group] = row
    for group, subs in groups.items():
        nested = {"type": "object", "additionalProperties": False, "properties": subs}
        # "other" is one row in the 2019 template, the group of three rows in the 2021 one
        applications[group] = {"anyOf": [applications[group], nested]} if group in applications else nested
    review = {g: _cells(template.REVIEW_COLUMNS) for g in template.REVIEW_GROUP_KEYS}
    return {"type": ["object", "null"], "additionalProperties": False, "properties": {
        "active": {"type": "object", "additionalProperties": False, "properties": active},
        "applications": {"type": "object", "additionalProperties": False, "properties": applications},
        "review_litigation": {"type": "object", "additionalProperties": False, "properties": review}}}


FIELDS = (
    Field("url", CRAWL, {"type": "string"}, "final URL of the report page (of the attachment, for a report "
          "published only as an attachment); the record's unique key"),
    Field("portal", CRAWL, _text(), "seed entry name, e.g. `zibo`"),
    Field("region", CRAWL, _text(), "the seed entry's region, e.g. `山东省淄博市`"),
    Field("agency", PARSER, _text(), "who reports: `publisher`, else the title's text before the year"),
    Field("agency_kind", PARSER, {"enum": [*AGENCY_KINDS, None]},
          "government, department, township or other (null: no name to tell): the kind of the body the "
          "title names, else of the 发布机构 (docs/checks.md, *Agency kind*); which deadline "
          "`published_on_time` applies"),
    Field("year", PARSER, {"type": ["integer", "null"]}, "the year the report covers (not the publication "
          "year): the title; else the body (统计期限, `2023年度…年度报告`); else the publication year − 1"),
    Field("title", PARSER, _text(), "标题 / `<meta ArticleTitle>` / the page heading; simplified characters, "
          "whitespace folded (and removed between two CJK characters)", metadata=True),
    Field("published", PARSER, _DATE, "发文日期 / 发布日期 / `<meta PubDate>`, ISO date `YYYY-MM-DD`", metadata=True),
    Field("publisher", PARSER, _text(), "发布机构 / `<meta ContentSource>`", metadata=True),
    Field("index_number", PARSER, _text(), "索引号, as printed", metadata=True),
    Field("document_number", PARSER, _text(), "文号; `null` for 无, 无文号, `〔〕号`, empty", metadata=True),
    Field("category", PARSER, _text(), "分类 / 主题分类", metadata=True),
    Field("template", PARSER, {"enum": [*template.YEARS, None]},
          "which national template the tables follow: `\"2019\"` or `\"2021\"`"),
    Field("list_title", CRAWL, _text(), "the report's title as shown on the list page"),
    Field("list_date", CRAWL, _text(), "the date shown on the list page (ISO), or `null`"),
    Field("tables_source", PARSER, {"type": ["object", "null"], "additionalProperties": False, "properties": {
        key: _TABLE_SOURCE for key in template.TABLE_KEYS}},
          "table key → where the table was read when not from the page's own text: `{\"source\": \"ocr\" | "
          "\"attachment\", \"url\", \"confidence\", \"min_confidence\", \"verified\", \"verified_by\", "
          "\"failed\"}` (the parser names pictures it read by OCR, the pipeline the attachment a table came "
          "from); `null` when every table comes from the page itself"),
    Field("missing_tables", PARSER, {"type": ["object", "null"], "additionalProperties": False, "properties": {
        key: {"type": "string", "pattern": _MISSING_PATTERN} for key in template.TABLE_KEYS}},
          "table key → why it is not in `tables`: `not found`, `image`, `unreadable` (table-like numbers "
          "that could not be mapped safely), `ocr unverified: …` (read from a picture, but its identities "
          "fail), `ambiguous: …` (glued digits that split more than one way), `parser error`"),
    Field("parse_error", PIPELINE, _text(), "why the page could not be parsed at all (it is stored raw)"),
    Field("fetch_error", PIPELINE, _text(), "why the page could not be fetched (e.g. `HTTP 404`); no content then"),
    Field("raw_hash", STORE, _text(), "sha1 of the raw page body (the raw bodies are stored beside the record)"),
    Field("first_seen", STORE, _TIME, "when the page was first stored"),
    Field("last_crawled", STORE, _TIME, "when a crawl last saw the page (an unchanged re-crawl moves only this)"),
    Field("last_changed", STORE, _TIME, "when the page's content (page or attachments) last changed"),
    Field("list_url", CRAWL, _text(), "the list page the report was found on", panel=False),
    Field("etag", CRAWL, _text(), "the page's `ETag` (for conditional re-crawls)", panel=False),
    Field("last_modified", CRAWL, _text(), "the page's `Last-Modified`", panel=False),
    Field("tables", PARSER, tables_schema(), "tables A/B/C: `active`, `applications`, `review_litigation` "
          "(docs/template.md); a blank cell is `null`, not 0", panel=False),
    Field("checks", PARSER, {"type": ["array", "null"], "items": _CHECK},
          "the 勾稽 and compliance checks, each `{rule, ok, detail}`", panel=False),
    Field("text", PARSER, _text(), "the normalised body text", panel=False),
    Field("format", PARSER, _text(), "what the document was read as: html, text, pdf, docx, doc, wps, xls …",
          panel=False),
    Field("errors", PARSER, {"type": ["array", "null"], "items": {"type": "string"}},
          "what went wrong while reading the document, one line each (the record is kept)", panel=False),
    Field("attachments", PIPELINE, {"type": ["array", "null"], "items": _ATTACHMENT},
          "the report's attachments: `url`, `kind`, `sha1`, `size`, `content_type`, `error` | `parse_error`",
          panel=False),
    Field("versions", STORE, {"type": "array", "items": _VERSION},
          "one entry per distinct content: `hash`, `date`, `attachments` (their sha1s)", panel=False),
)
BY_NAME = {f.name: f for f in FIELDS}


def names(*sources: str, panel: bool | None = None) -> tuple[str, ...]:
    """The fields set by ``sources`` (all when none is given), in record order."""
    return tuple(f.name for f in FIELDS if not f.planned and (not sources or f.source in sources)
                 and (panel is None or f.panel == panel))


# What parse_report returns, in its order.
PARSER_FIELDS = names(PARSER)
# What parsing a page gives its record; reparse rewrites exactly these.
PARSED_FIELDS = PARSER_FIELDS + ("parse_error",)
# The metadata block (a spider's loader reads the same, and wins where present).
METADATA_FIELDS = tuple(f.name for f in FIELDS if f.metadata)
# Item fields copied onto the record as they are.
ITEM_FIELDS = names(CRAWL)
# The panel's metadata columns (gicrawler export), in order.
PANEL_FIELDS = names(panel=True)


def record_schema() -> dict:
    """JSON Schema of a record as the pipeline hands it to the store (the store's own fields, set
    later, are not constrained here)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "gicrawler record",
            "type": "object", "required": ["url"], "additionalProperties": False,
            "properties": {f.name: (True if f.source == STORE else f.schema) for f in FIELDS}}


@lru_cache(maxsize=1)
def _validator():
    import fastjsonschema  # compiled once: a few microseconds a record
    return fastjsonschema.compile(record_schema())


def validate(record: dict) -> str | None:
    """None when the record fits the schema, else one line saying where it does not."""
    import fastjsonschema
    try:
        _validator()({k: v for k, v in record.items() if not k.startswith("_")})
    except fastjsonschema.JsonSchemaValueException as exc:
        return f"schema: {exc.message}"
    return None
