"""SQLite backend (stdlib sqlite3): one JSON document per report, raw bodies zlib-compressed.

WAL mode; writes go into one open transaction that is committed every ``batch_size`` saves and on
flush/close, so a killed process loses at most that batch (the pipeline journals it, see spool).
"""
from __future__ import annotations

import json
import sqlite3
import time
import zlib
from datetime import datetime
from pathlib import Path
from typing import Iterator

from gicrawler.store import records
from gicrawler.store.base import Store, StoreUnavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    url TEXT PRIMARY KEY, portal TEXT, agency TEXT, year INTEGER, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reports_portal ON reports (portal);
CREATE INDEX IF NOT EXISTS reports_agency ON reports (agency);
CREATE INDEX IF NOT EXISTS reports_year ON reports (year);
CREATE TABLE IF NOT EXISTS raw (
    url TEXT NOT NULL, sha1 TEXT NOT NULL, fetched_at TEXT, content_type TEXT, role TEXT,
    size INTEGER, body BLOB NOT NULL, PRIMARY KEY (url, sha1));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, portal TEXT, spider TEXT, finished_at TEXT, run TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS runs_portal ON runs (portal, finished_at);
"""
_DATE_KEY = "$date"


def _encode(value):
    if isinstance(value, datetime):
        return {_DATE_KEY: records.as_utc(value).isoformat()}
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _decode(obj: dict):
    if len(obj) == 1 and _DATE_KEY in obj:
        return datetime.fromisoformat(obj[_DATE_KEY])
    return obj


def dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, default=_encode, sort_keys=True)


def loads(text: str) -> dict:
    return json.loads(text, object_hook=_decode)


def _year(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _open(path: str, attempts: int = 40) -> sqlite3.Connection:
    """Connect, switch to WAL and create the schema. Switching the journal mode takes a lock
    that SQLite does not wait for (no busy handler), so two crawls opening one new file at the
    same moment would see "database is locked": retry for a while instead."""
    for attempt in range(attempts):
        db = sqlite3.connect(path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            return db
        except sqlite3.OperationalError as exc:
            db.close()
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


class SQLiteStore(Store):
    _unavailable_errors = (sqlite3.OperationalError, OSError)
    _data_errors = (sqlite3.Error, TypeError, ValueError)

    def __init__(self, uri: str, path: str):
        super().__init__(uri)
        self.path = path
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                if self.path != ":memory:":
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                db = _open(self.path)
            except (sqlite3.Error, OSError) as exc:
                raise StoreUnavailable(
                    f"store {self.display} unavailable (open): {type(exc).__name__}: {exc}") from None
            self._db = db
        return self._db

    def _ping(self) -> None:
        # A write, so that a read-only file or a full disk is found before the crawl starts.
        self.db.execute("CREATE TABLE IF NOT EXISTS ping (at TEXT)")
        self.db.execute("DELETE FROM ping")
        self.db.commit()

    def _load(self, url: str) -> dict | None:
        row = self.db.execute("SELECT record FROM reports WHERE url = ?", (url,)).fetchone()
        return loads(row[0]) if row else None

    def _write(self, state: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO reports (url, portal, agency, year, record) VALUES (?, ?, ?, ?, ?)",
            (state["url"], state.get("portal"), state.get("agency"), _year(state.get("year")), dumps(state)))

    def _persist(self, url, state, changes, on_insert, raws, now) -> None:
        self._write(state)
        for raw in raws:
            self.db.execute(
                "INSERT OR IGNORE INTO raw (url, sha1, fetched_at, content_type, role, size, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (raw["url"], raw["sha1"], now.isoformat(), raw.get("content_type"), raw.get("role"),
                 len(raw["body"]), zlib.compress(raw["body"])))

    def _update(self, url: str, fields: dict) -> None:
        state = self._load(url)
        if state is not None:
            state.update(fields)
            self._write(state)

    def _commit(self) -> None:
        self.db.commit()

    def _discard(self) -> None:
        if self._db is not None:
            self._db.rollback()

    def _where(self, portal, year, with_raw_only=False) -> tuple[str, list]:
        clauses, params = [], []
        if portal is not None:
            clauses.append("portal = ?"); params.append(portal)
        if year is not None:
            clauses.append("year = ?"); params.append(int(year))
        if with_raw_only:
            clauses.append("json_extract(record, '$.raw_hash') IS NOT NULL")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    find_page = 200  # records read per query while iterating

    def _find(self, portal, year, with_raw_only=False) -> Iterator[dict]:
        where, params = self._where(portal, year, with_raw_only)
        # Pages of records in url order, each query read to its end before anything is yielded:
        # callers may write while iterating (reparse), which a live cursor would see, and memory
        # stays one page whatever the store's size (export streams).
        after = " AND url > ?" if where else " WHERE url > ?"
        last = ""
        while True:
            rows = self.db.execute(f"SELECT url, record FROM reports{where}{after} ORDER BY url LIMIT ?",
                                   [*params, last, self.find_page]).fetchall()
            for url, text in rows:
                yield loads(text)
            if len(rows) < self.find_page:
                return
            last = rows[-1][0]

    def _known(self, portal) -> Iterator[dict]:
        fields = ", ".join(f"json_extract(record, '$.{key}')" for key in records.KNOWN_FIELDS)
        for url, *values in self.db.execute(f"SELECT url, {fields} FROM reports WHERE portal = ?", (portal,)):
            yield {"url": url, **dict(zip(records.KNOWN_FIELDS, values))}

    def _count(self, portal, year, with_raw_only=False) -> int:
        where, params = self._where(portal, year, with_raw_only)
        return self.db.execute(f"SELECT count(*) FROM reports{where}", params).fetchone()[0]

    def _load_raw(self, url: str, sha1: str) -> dict | None:
        row = self.db.execute(
            "SELECT fetched_at, content_type, body FROM raw WHERE url = ? AND sha1 = ?", (url, sha1)).fetchone()
        if row is None:
            return None
        return {"url": url, "sha1": sha1, "fetched_at": datetime.fromisoformat(row[0]) if row[0] else None,
                "content_type": row[1], "body": zlib.decompress(row[2])}

    def _save_run(self, run: dict) -> None:
        finished = run.get("finished_at")
        finished = records.as_utc(finished).isoformat() if isinstance(finished, datetime) else finished
        self.db.execute("INSERT INTO runs (portal, spider, finished_at, run) VALUES (?, ?, ?, ?)",
                        (run.get("portal"), run.get("spider"), finished, dumps(run)))
        self.db.commit()

    def _last_run(self, portal: str) -> dict | None:
        row = self.db.execute(
            "SELECT run FROM runs WHERE portal = ? ORDER BY finished_at DESC, id DESC LIMIT 1",
            (portal,)).fetchone()
        return loads(row[0]) if row else None

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
