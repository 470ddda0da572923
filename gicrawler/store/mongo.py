"""MongoDB backend (pymongo), in the shape of the Scrapy docs' MongoPipeline example.

Collections: ``reports`` (unique ``url``; indexes on portal, agency, year), ``raw`` (zlib bodies
keyed by (url, sha1); bodies over 15 MB compressed go to GridFS), ``runs``. Writes are buffered
as ``UpdateOne`` upserts, one per URL, and sent with ``bulk_write(ordered=False)``.
"""
from __future__ import annotations

import copy
import zlib
from typing import Iterator

import bson
import gridfs
import pymongo
from bson.binary import Binary
from bson.errors import BSONError
from pymongo import UpdateOne
from pymongo import errors as mongo_errors
from urllib.parse import parse_qsl, urlsplit

from gicrawler.store import records
from gicrawler.store.base import Store, StoreError, WritesRefused, raw_size

DEFAULT_DB = "gicrawler"
GRIDFS_THRESHOLD = 15 * 1024 * 1024
MAX_DOCUMENT = 16 * 1024 * 1024 - 64 * 1024  # BSON's 16 MB, less room for the update's envelope
DUPLICATE_KEY = 11000
INT64 = (-2 ** 63, 2 ** 63 - 1)
# Fail fast instead of pymongo's 30 s default when nothing answers; a URI option wins.
DEFAULT_TIMEOUTS = {"serverSelectionTimeoutMS": 5000, "connectTimeoutMS": 5000}


class MongoStore(Store):
    _unavailable_errors = (mongo_errors.ConnectionFailure, mongo_errors.ServerSelectionTimeoutError,
                           mongo_errors.AutoReconnect, mongo_errors.NetworkTimeout,
                           mongo_errors.NotPrimaryError)
    _data_errors = (mongo_errors.PyMongoError, BSONError, OverflowError, TypeError, ValueError)
    gridfs_threshold = GRIDFS_THRESHOLD

    def __init__(self, uri: str, client=None):
        super().__init__(uri)
        options = {k.lower() for k, _ in parse_qsl(urlsplit(uri).query)}
        kwargs = {k: v for k, v in DEFAULT_TIMEOUTS.items() if k.lower() not in options}
        self.client = client if client is not None else pymongo.MongoClient(uri, tz_aware=True, **kwargs)
        self.db = self.client.get_default_database(DEFAULT_DB)
        self.reports = self.db["reports"]
        self.raw = self.db["raw"]
        self.runs = self.db["runs"]
        self._indexed = False
        # url -> {"state": record after the pending writes (None: unknown), "set", "insert"}
        self._pending: dict[str, dict] = {}
        self._pending_raw: dict[tuple[str, str], dict] = {}

    def _ensure_indexes(self) -> None:
        if self._indexed:
            return
        self.reports.create_index("url", unique=True)
        for key in ("portal", "agency", "year"):
            self.reports.create_index(key)
        self.raw.create_index([("url", 1), ("sha1", 1)], unique=True)
        self.runs.create_index([("portal", 1), ("finished_at", -1)])
        self._indexed = True

    def _ping(self) -> None:
        try:
            self.client.admin.command("ping")
            self._ensure_indexes()  # needs write rights: a read-only user is found here
        except mongo_errors.OperationFailure as exc:  # authentication / authorisation
            raise mongo_errors.ConnectionFailure(str(exc)) from None

    def _load(self, url: str) -> dict | None:
        pending = self._pending.get(url)
        if pending is not None and pending["state"] is not None:
            return copy.deepcopy(pending["state"])
        if pending is not None:
            self._commit()
        return self.reports.find_one({"url": url}, {"_id": 0})

    def _persist(self, url, state, changes, on_insert, raws, now) -> None:
        self._ensure_indexes()
        # Checked here, record by record: a document the server would refuse must not reach the
        # batch, where it would fail every later flush too (mongomock accepts all of these).
        state = _storable(state, url)
        changes = {k: state.get(k) for k in changes}
        if "text" in changes and "errors" in state:  # (_storable may have noted a dropped text)
            changes["errors"] = state["errors"]
        entry = self._pending.setdefault(url, {"state": None, "set": {}, "insert": {}})
        entry["state"] = state
        entry["set"].update(changes)
        entry["insert"].update(on_insert)
        for raw in raws:
            key = (raw["url"], raw["sha1"])
            if key not in self._pending_raw:
                self._pending_raw[key] = self._raw_doc(raw, now)

    def _raw_doc(self, raw: dict, now) -> dict:
        doc = {"url": raw["url"], "sha1": raw["sha1"], "fetched_at": now, "role": raw.get("role"),
               "content_type": raw.get("content_type"), "size": raw_size(raw)}
        body = records.packed(raw)
        if len(body) > self.gridfs_threshold:  # a BSON document stops at 16 MB
            existing = self.raw.find_one({"url": raw["url"], "sha1": raw["sha1"]}, {"gridfs_id": 1})
            if existing and existing.get("gridfs_id"):
                doc["gridfs_id"] = existing["gridfs_id"]
            else:
                doc["gridfs_id"] = gridfs.GridFS(self.db, "raw_files").put(
                    body, filename=raw["url"], sha1=raw["sha1"])
        else:
            doc["body"] = Binary(body)
        return doc

    def _update(self, url: str, fields: dict) -> None:
        fields = _storable(fields, url)
        entry = self._pending.setdefault(url, {"state": None, "set": {}, "insert": {}})
        entry["set"].update(fields)
        if entry["state"] is not None:
            entry["state"].update(fields)

    def _commit(self) -> None:
        raw_ops = [UpdateOne({"url": url, "sha1": digest}, {"$setOnInsert": doc}, upsert=True)
                   for (url, digest), doc in self._pending_raw.items()]
        ops, urls = [], []
        for url, entry in self._pending.items():
            update = {"$set": entry["set"]} if entry["set"] else {}
            if entry["insert"]:
                update["$setOnInsert"] = entry["insert"]
            if not update:  # MongoDB refuses an empty update
                continue
            # Only saves create records; a touch of an unknown URL stays a no-op.
            ops.append(UpdateOne({"url": url}, update, upsert=bool(entry["insert"] or entry["state"])))
            urls.append(url)
        refused = []
        if raw_ops:  # a raw body is immutable under (url, sha1): a duplicate is already stored
            refused += self._bulk(self.raw, raw_ops, [key[0] for key in self._pending_raw], retry=False)
        if ops:
            refused += self._bulk(self.reports, ops, urls, retry=True)
        # Everything else is written (ordered=False): a refused write must not be sent again with
        # every later batch, so the buffers are emptied either way and the refusal is raised.
        self._pending_raw.clear()
        self._pending.clear()
        if refused:
            raise WritesRefused(f"store {self.display} refused {len(refused)} write(s): " + "; ".join(refused[:5]))

    @staticmethod
    def _bulk(collection, ops: list, urls: list[str], retry: bool) -> list[str]:
        """bulk_write, unordered; returns "url: reason" for each write the server refused.

        A duplicate-key error means another crawl inserted the same key meanwhile: for a raw body
        (immutable under its key) that is success; a record update is sent once more (``retry``),
        now an update of the existing document."""
        try:
            collection.bulk_write(ops, ordered=False)
            return []
        except mongo_errors.BulkWriteError as exc:
            errors = exc.details.get("writeErrors") or []
            if not errors:  # only a write concern error: not known to be written, try again later
                raise
        duplicates = [e["index"] for e in errors if e.get("code") == DUPLICATE_KEY]
        refused = [f"{urls[e['index']]}: {e.get('errmsg')}" for e in errors if e.get("code") != DUPLICATE_KEY]
        if retry and duplicates:
            try:
                collection.bulk_write([ops[i] for i in duplicates], ordered=False)
            except mongo_errors.BulkWriteError as exc:
                refused += [f"{urls[duplicates[e['index']]]}: {e.get('errmsg')}"
                            for e in exc.details.get("writeErrors") or []]
        return refused

    def _discard(self) -> None:
        self._pending.clear()
        self._pending_raw.clear()

    def _before_read(self) -> None:
        if self._pending or self._pending_raw:
            self.flush()

    @staticmethod
    def _query(portal, year, with_raw_only=False) -> dict:
        query = {}
        if portal is not None:
            query["portal"] = portal
        if year is not None:
            query["year"] = int(year)
        if with_raw_only:
            query["raw_hash"] = {"$ne": None}
        return query

    def _find(self, portal, year, with_raw_only=False) -> Iterator[dict]:
        yield from self.reports.find(self._query(portal, year, with_raw_only), {"_id": 0}).sort("url", 1)

    def _urls(self, portal) -> Iterator[str]:
        return (doc["url"] for doc in self.reports.find(self._query(portal, None, False),
                                                        {"_id": 0, "url": 1}).sort("url", 1))

    def _find_urls(self, urls: list[str]) -> Iterator[dict]:
        return self.reports.find({"url": {"$in": urls}}, {"_id": 0})

    def _known(self, portal) -> Iterator[dict]:
        fields = {key: 1 for key in records.KNOWN_FIELDS}
        return self.reports.find({"portal": portal}, {"_id": 0, "url": 1, **fields})

    def _count(self, portal, year, with_raw_only=False) -> int:
        return self.reports.count_documents(self._query(portal, year, with_raw_only))

    def _load_raw(self, url: str, sha1: str) -> dict | None:
        doc = self.raw.find_one({"url": url, "sha1": sha1}, {"_id": 0})
        if doc is None:
            return None
        if doc.get("gridfs_id") is not None:
            body = gridfs.GridFS(self.db, "raw_files").get(doc.pop("gridfs_id")).read()
        else:
            body = bytes(doc["body"])
        doc["body"] = zlib.decompress(body)
        doc.pop("size", None)
        doc.pop("role", None)
        return doc

    def _save_run(self, run: dict) -> None:
        if run.get("finished_at") is not None and hasattr(run["finished_at"], "tzinfo"):
            run["finished_at"] = records.as_utc(run["finished_at"])
        self.runs.insert_one(run)

    def _last_run(self, portal: str) -> dict | None:
        return self.runs.find_one({"portal": portal}, {"_id": 0}, sort=[("finished_at", -1), ("_id", -1)])

    def _close(self) -> None:
        self.client.close()


def _big_ints_as_floats(value):
    if isinstance(value, dict):
        return {k: _big_ints_as_floats(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_big_ints_as_floats(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
        return float(value)
    return value


def _storable(doc: dict, url: str) -> dict:
    """``doc`` as MongoDB will take it: an integer beyond int64 (a misread ID in a table) becomes
    a float; a document over 16 MB loses its ``text`` (the raw body keeps it, reparse restores it).
    What cannot be stored at all raises StoreError naming the record."""
    try:
        size = len(bson.encode(doc))
    except OverflowError:
        doc = _big_ints_as_floats(doc)
        size = len(bson.encode(doc))
    except BSONError as exc:
        raise StoreError(f"record {url} cannot be stored in MongoDB: {exc}") from None
    if size > MAX_DOCUMENT and doc.get("text"):
        doc = {**doc, "text": None,
               "errors": [*(doc.get("errors") or ()), "text not stored: the record exceeds 16 MB"]}
        size = len(bson.encode(doc))
    if size > MAX_DOCUMENT:
        raise StoreError(f"record {url} cannot be stored in MongoDB: {size} bytes, over 16 MB")
    return doc
