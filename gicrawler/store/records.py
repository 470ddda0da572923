"""Record lifecycle, shared by every backend: backends only persist what this module decides.

A report is identified by its URL. What makes it "changed" is its content fingerprint: the sha1
of the page body plus the sha1s of its attachments. Nothing is overwritten without a trace: each
distinct fingerprint is appended to ``versions`` and every raw body stays stored under
(url, sha1), so an older version can always be re-parsed.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from datetime import datetime, timezone

from gicrawler import schema

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
# What the parser produces; reparse rewrites exactly these (plus nothing about the crawl).
PARSED_FIELDS = schema.PARSED_FIELDS
# HTTP validators may change while the body does not; they are refreshed on unchanged pages.
VALIDATORS = ("etag", "last_modified")
# Crawl bookkeeping, not content: follows the server and the list page even when the page is
# unchanged, so the next incremental run can recognise the list entry and skip the page.
REFRESHED = (*VALIDATORS, "list_title", "list_date", "list_url")
# What the incremental middleware needs to decide whether to re-fetch a page.
KNOWN_FIELDS = ("etag", "last_modified", "list_title", "list_date", "raw_hash")


_DATE_KEY = "$date"


def _encode(value):
    if isinstance(value, datetime):
        return {_DATE_KEY: as_utc(value).isoformat()}
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _decode(obj: dict):
    if len(obj) == 1 and _DATE_KEY in obj:
        return datetime.fromisoformat(obj[_DATE_KEY])
    return obj


# json.dumps with these arguments builds this encoder on every call; a record is encoded once a save
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_encode, sort_keys=True)


def dumps(doc: dict) -> str:
    """A record as JSON text, dates as {"$date": ISO} (SQLite's column, the journal)."""
    return _ENCODER.encode(doc)


def loads(text: str) -> dict:
    return json.loads(text, object_hook=_decode)


def utcnow() -> datetime:
    return as_utc(datetime.now(timezone.utc))


def as_utc(value: datetime) -> datetime:
    """Aware UTC, millisecond precision: what MongoDB keeps, so both backends agree."""
    if value.tzinfo is timezone.utc and not value.microsecond % 1000:
        return value                 # so already (the store's own dates): no copies made
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def sha1(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


def prepare(record: dict, raws: list[dict] | None) -> tuple[dict, list[dict]]:
    """Copy the record and raws into their stored shape: hashes filled in, no bodies in the record."""
    if not record.get("url"):
        raise ValueError("a record needs a url")
    record = {k: v for k, v in record.items() if not k.startswith("_")}
    clean_raws = []
    for raw in raws or ():
        body = raw.get("body")
        if body is None and raw.get("packed") is not None:  # from a journal: compressed already
            body = zlib.decompress(raw["packed"])
        if body is None:
            continue
        if isinstance(body, str):
            body = body.encode("utf-8")
        clean = {
            "url": raw.get("url") or record["url"],
            "sha1": sha1(body),
            "body": bytes(body),
            "content_type": raw.get("content_type"),
            "role": raw.get("role") or "page",
        }
        if raw.get("packed") is not None:
            clean["packed"] = raw["packed"]
        clean_raws.append(clean)
    page = next((r for r in clean_raws if r["role"] == "page"), None)
    if page is not None:
        record["raw_hash"] = page["sha1"]
    else:
        record.setdefault("raw_hash", None)
    attachments = []
    for att in record.get("attachments") or ():
        att = {k: v for k, v in att.items() if k != "body"}
        attachments.append(att)
    for att in attachments:  # sha1/size of the body actually stored, so raws can be found again
        raw = next((r for r in clean_raws if r["role"] == "attachment" and r["url"] == att.get("url")), None)
        if raw is not None:
            att["sha1"], att["size"] = raw["sha1"], len(raw["body"])
    record["attachments"] = attachments
    return record, clean_raws


def pack(body: bytes) -> bytes:
    """A raw body as the stores keep it (zlib)."""
    return zlib.compress(body)


def packed(raw: dict) -> bytes:
    """A raw body as the stores keep it, compressed once for the store and the journal (or
    already, by the parse worker that had the body)."""
    data = raw.get("packed")
    if data is None:
        data = raw["packed"] = pack(raw["body"])
    return data


def fingerprint(record: dict) -> tuple:
    return (record.get("raw_hash"),
            tuple(sorted(a["sha1"] for a in record.get("attachments") or () if a.get("sha1"))))


def _version(record: dict, now: datetime) -> dict:
    return {"hash": record.get("raw_hash"), "date": now,
            "attachments": list(fingerprint(record)[1])}


def merge(prev: dict | None, record: dict, now: datetime) -> tuple[str, dict, dict, dict]:
    """Decide what saving ``record`` (prepared) at ``now`` does to the stored ``prev``.

    Returns (status, state, changes, on_insert): ``state`` is the whole record after the save,
    ``changes`` the fields to set on the stored one, ``on_insert`` fields only a new record gets.
    """
    # No copy needed: ``record`` comes from prepare() (a fresh dict) and nothing below mutates a
    # nested value, it only builds new top-level dicts.
    if prev is None:
        state = {**record, "first_seen": now, "last_crawled": now, "last_changed": now,
                 "versions": [_version(record, now)] if record.get("raw_hash") else []}
        changes = {k: v for k, v in state.items() if k != "first_seen"}
        return NEW, state, changes, {"first_seen": now}

    prev_has_content = bool(prev.get("raw_hash"))
    if record.get("fetch_error") and prev_has_content:
        # A failed re-fetch (404, timeout) says nothing about the content: keep it, note the failure.
        changes = {"last_crawled": now, "fetch_error": record["fetch_error"]}
    elif fingerprint(prev) == fingerprint(record):
        changes = {"last_crawled": now}
        changes.update({k: record.get(k) for k in REFRESHED if record.get(k) is not None})
        if prev.get("fetch_error") and not record.get("fetch_error"):
            changes["fetch_error"] = None
    else:
        versions = list(prev.get("versions") or [])
        if record.get("raw_hash"):
            versions.append(_version(record, now))
        state = {**prev, **record, "first_seen": prev.get("first_seen") or now,
                 "last_crawled": now, "last_changed": now, "versions": versions}
        changes = {k: v for k, v in state.items() if k not in ("first_seen", "_id")}
        return CHANGED, state, changes, {}
    state = {**prev, **changes}
    return UNCHANGED, state, changes, {}


def known_page(record: dict) -> dict:
    return {k: record.get(k) for k in KNOWN_FIELDS}
