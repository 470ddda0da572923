"""Report bodies that portals ship as JSON, not markup (docs/families.md, gkmlpt and webbuilder).

- gkmlpt detail pages: the body is the string ``content`` of ``window._CONFIG = {… DETAIL: {…}}``
  (JSON with ``\\u003C`` escapes) beside its ``title`` and ``date`` (发布日期, ``YYYY-MM-DD``); the
  label block's values are in ``DETAIL.gkml_data``: ``identifier`` (索引号), ``document_number``
  (文号), ``publisher`` (发布机构), ``date`` (成文日期, epoch seconds) — as on the real pages in
  tests/files/gkmlpt/, whose server also renders the same block and body into the markup;
- WebBuilder REST detail answers: ``{"custom": {"data": {"infocontent": "<p>…", "title": …,
  "pdflist": [{attachname, attachurl}]}}}`` (``custom`` itself, or a JSON string, on some sites).

``embedded_html(text)`` returns a plain HTML document for such a page (the page's ``<head>`` kept,
the JSON's fields as a label block, the body in ``<div id="zoom">``), or None for any other page;
gicrawler/parsing/document.py then reads that document like any report page. DETAIL_LABELS are
read off real pages (tests/files/gkmlpt/README.md); ANSWER_LABELS from public code only (unverified).
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html import escape

# field of the JSON (``a.b``: field b of the object a) → label of the block the metadata parser
# reads (gicrawler/parsing/metadata.py). gkmlpt: the page's own label block prints these values
# (索引号 = gkml_data.identifier …); DETAIL's top-level ``source`` is the issuing office, not
# 发布机构 (a district's 转载 names the city), and the top-level ``date`` is the 发布日期 printed.
DETAIL_LABELS = (("title", "标题"), ("gkml_data.identifier", "索引号"), ("gkml_data.document_number", "文号"),
                 ("gkml_data.publisher", "发布机构"), ("date", "发布日期"), ("display_publish_time", "发布日期"),
                 ("gkml_data.date", "成文日期"))
ANSWER_LABELS = (("title", "标题"), ("infodate", "发布日期"))
_DETAIL = re.compile(r"\bDETAIL\s*:\s*(?=\{)")
_HEAD = re.compile(r"<head\b[^>]*>.*?</head>", re.S | re.I)
_BEIJING = timezone(timedelta(hours=8))


def embedded_html(text: str) -> str | None:
    """An HTML document for a report whose body is JSON (see the module docstring), else None."""
    start = text.lstrip()[:1]
    if start == "{":
        return _answer_html(text)
    if "_CONFIG" in text and "DETAIL" in text:
        return _detail_html(text)
    return None


def _answer_html(text: str) -> str | None:
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    custom = doc.get("custom") if isinstance(doc, dict) else None
    if isinstance(custom, str):
        try:
            custom = json.loads(custom)
        except ValueError:
            return None
    if not isinstance(custom, dict):
        return None
    data = custom.get("data") if isinstance(custom.get("data"), dict) else custom
    body = data.get("infocontent") or data.get("content")
    if not isinstance(body, str):
        return None
    files = data.get("pdflist") or data.get("attachlist") or []
    links = "".join(f'<p><a href="{escape(str(f["attachurl"]))}">{escape(str(f.get("attachname") or ""))}</a></p>'
                    for f in files if isinstance(f, dict) and f.get("attachurl"))
    return _document("", data, ANSWER_LABELS, body + links)


def _detail_html(text: str) -> str | None:
    m = _DETAIL.search(text)
    if not m:
        return None
    try:
        detail, _ = json.JSONDecoder().raw_decode(text, m.end())
    except ValueError:
        return None
    if not isinstance(detail, dict) or not isinstance(detail.get("content"), str):
        return None
    head = _HEAD.search(text)
    return _document(head.group(0) if head else "", detail, DETAIL_LABELS, detail["content"])


def _document(head: str, fields: dict, labels, body: str) -> str:
    rows, done = [], set()
    for key, label in labels:
        value = _value(_field(fields, key))
        if value and label not in done:
            done.add(label)
            rows.append(f"<tr><td>{label}：</td><td>{escape(value)}</td></tr>")
    title = escape(_value(fields.get("title")) or "")
    head = head or f'<head><meta charset="utf-8"><title>{title}</title></head>'
    return (f"<!DOCTYPE html>\n<html>{head}<body>\n<table class=\"embedded-labels\">{''.join(rows)}</table>\n"
            f"<h1>{title}</h1>\n<div id=\"zoom\">\n{body}\n</div>\n</body></html>\n")


def _field(fields: dict, key: str):
    for part in key.split("."):
        fields = fields.get(part) if isinstance(fields, dict) else None
    return fields


def _value(value) -> str | None:
    """A label's text: strings as they are, epoch seconds as a Beijing date."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, _BEIJING).date().isoformat() if value > 0 else None
    text = str(value).strip()
    return text or None
