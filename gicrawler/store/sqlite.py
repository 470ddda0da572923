"""SQLite backend (stdlib sqlite3): one JSON document per report, raw bodies zlib-compressed.

WAL mode; writes go into one open transaction that is committed every ``batch_size`` saves and on
flush/close, so a killed process loses at most that batch (the pipeline journals it, see spool).
``sqlite:///path?timeout=SECONDS``: how long a write waits for another process's lock (30 s).

After every commit and at close the file at the path must still be the one the connection
writes (``_check``): deleted mid-crawl, it is rebuilt from the open connection; replaced by
another file, the database goes on in a rescue file beside it, reported as an incident.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import tempfile
import time
import zlib
from datetime import datetime
from pathlib import Path
from typing import Iterator

from gicrawler.store import records
from gicrawler.store.records import dumps, loads  # noqa: F401  (the stored JSON text)
from gicrawler.store.base import Store, StoreUnavailable, raw_size

logger = logging.getLogger(__name__)
# How long a write waits for another connection's lock (``?timeout=`` in the URI)
BUSY_TIMEOUT = 30.0

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
# record fields the reports table keeps in columns too: an update of one rewrites the row
_COLUMNS = frozenset({"url", "portal", "agency", "year"})
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")   # a JSON path label as is


def _year(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _identity(path: str, missing_ok: bool = False) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise
    return st.st_ino, st.st_dev


_SIDECARS = ("-wal", "-shm")


def _rescue_path(path: str, directory: str | None = None) -> str:
    name = Path(path).name + f".rescued-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.sqlite3"
    return str(Path(directory or Path(path).parent) / name)


def _open(path: str, attempts: int = 40, timeout: float = 30) -> sqlite3.Connection:
    """Connect, switch to WAL and create the schema. Switching the journal mode takes a lock
    that SQLite does not wait for (no busy handler), so two crawls opening one new file at the
    same moment would see "database is locked": retry for a while instead."""
    for attempt in range(attempts):
        db = sqlite3.connect(path, timeout=timeout)
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

    def __init__(self, uri: str, path: str, timeout: float = BUSY_TIMEOUT):
        super().__init__(uri)
        self.path = path
        self.timeout = timeout
        self._db: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None   # (inode, device) of the file opened
        self._sidecars: dict[str, tuple[int, int] | None] = {}  # … and of its -wal and -shm

    def missing(self) -> str | None:
        if self.path == ":memory:" or os.path.exists(self.path):
            return None
        return f"no database at {self.path} (a crawl or `gicrawler demo` makes it)"

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                if self.path != ":memory:":
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                db = _open(self.path, timeout=self.timeout)
                if self.path != ":memory:":
                    self._identity = _identity(self.path)
                    self._sidecars = {suffix: _identity(self.path + suffix, missing_ok=True)
                                      for suffix in _SIDECARS}
            except (sqlite3.Error, OSError) as exc:
                raise StoreUnavailable(
                    f"store {self.display} unavailable (open): {type(exc).__name__}: {exc}") from None
            self._db = db
        return self._db

    # -- the file behind the connection ----------------------------------------------------------

    def _check(self) -> None:
        """The file at ``path`` must still be the one this connection writes: a file deleted
        (or its directory removed) while open takes every write with it when the connection
        closes. Rebuilt at its path from the open connection, which still reads it all; a file
        replaced by another is left alone and the database goes on in a rescue file beside it
        (an incident that fails the crawl). Either way this connection's WAL files are removed
        from beside the path: SQLite would apply them to whatever file is there next."""
        if self._db is None or self._identity is None or self._db.in_transaction:
            return  # (run again after the commit: a backup cannot copy an open transaction)
        now = _identity(self.path, missing_ok=True)
        if now == self._identity:
            self._sidecars = {suffix: _identity(self.path + suffix, missing_ok=True) for suffix in _SIDECARS}
            return
        original = self.path
        reports = self._db.execute("SELECT count(*) FROM reports").fetchone()[0]
        away = tempfile.gettempdir()
        if now is None:
            target = self._copy_to([original, _rescue_path(original, away)])
            what = "vanished mid-crawl (deleted, or its directory removed)"
        else:
            target = self._copy_to([_rescue_path(original), _rescue_path(original, away)])
            what = "was replaced by another file mid-crawl (left alone)"
        if target == original:
            self._incident(False, f"store file {original} {what}: rebuilt there from the open database "
                                  f"({reports} reports)")
        elif target is None:
            self._incident(True, f"store file {original} {what}, and no copy could be written: "
                                 f"{reports} reports are lost when the crawl ends")
        else:
            self._incident(True, f"store file {original} {what}: the database ({reports} reports, this "
                                 f"crawl's included) goes on in {target}; move it back or merge it")

    def _copy_to(self, candidates: list[str]) -> str | None:
        """Back the open database up into the first candidate path that takes it, and go on
        there; None (the connection kept as it is) when none does."""
        for target in candidates:
            part = target + ".part"
            try:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                copy = sqlite3.connect(part, timeout=self.timeout)
                try:
                    self._db.backup(copy)
                finally:
                    copy.close()  # (checkpoints the copy's own WAL into it)
            except (sqlite3.Error, OSError) as exc:
                logger.warning("store %s: no copy in %s: %s", self.display, target, exc)
                with contextlib.suppress(OSError):
                    os.unlink(part)
                continue
            break
        else:
            return None
        old, self._db = self._db, None
        with contextlib.suppress(sqlite3.Error):
            old.close()
        for suffix, identity in self._sidecars.items():  # ours, beside the old path: not for the next file
            if identity is not None and _identity(self.path + suffix, missing_ok=True) == identity:
                with contextlib.suppress(OSError):
                    os.unlink(self.path + suffix)
        try:
            os.replace(part, target)
        except OSError:
            target = part
        self.path = target
        self._db = _open(target, timeout=self.timeout)
        self._identity = _identity(target)
        return target

    def _incident(self, lost: bool, message: str) -> None:
        (logger.error if lost else logger.warning)("%s", message)
        self.incidents.append((lost, message))

    def _ping(self) -> None:
        # A write, so that a read-only file or a full disk is found before the crawl starts.
        self.db.execute("CREATE TABLE IF NOT EXISTS ping (at TEXT)")
        self.db.execute("DELETE FROM ping")
        self.db.commit()

    def _load(self, url: str) -> dict | None:
        row = self.db.execute("SELECT record FROM reports WHERE url = ?", (url,)).fetchone()
        return loads(row[0]) if row else None

    def _write(self, state: dict, text: str | None = None) -> str:
        text = dumps(state) if text is None else text
        self.db.execute(
            "INSERT OR REPLACE INTO reports (url, portal, agency, year, record) VALUES (?, ?, ?, ?, ?)",
            (state["url"], state.get("portal"), state.get("agency"), _year(state.get("year")), text))
        return text

    def _persist(self, url, state, changes, on_insert, raws, now, text: str | None = None) -> str:
        text = self._write(state, text)
        for raw in raws:
            self.db.execute(
                "INSERT OR IGNORE INTO raw (url, sha1, fetched_at, content_type, role, size, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (raw["url"], raw["sha1"], now.isoformat(), raw.get("content_type"), raw.get("role"),
                 raw_size(raw), records.packed(raw)))
        return text

    def _restore(self, state, raws, now, text) -> None:
        self._persist(state["url"], state, None, None, raws, now, text)  # the journaled text, as is

    def _update(self, url: str, fields: dict) -> None:
        if fields and not _COLUMNS.intersection(fields) and all(map(_PLAIN_KEY.fullmatch, fields)):
            # set in place by SQLite (a re-crawl touches every unchanged report: decoding and
            # re-encoding its whole record here was most of that run's store time)
            paths = [arg for key, value in fields.items() for arg in (f"$.{key}", dumps(value))]
            self.db.execute(f"UPDATE reports SET record = json_set(record{', ?, json(?)' * len(fields)}) "
                            "WHERE url = ?", (*paths, url))
            return
        state = self._load(url)
        if state is not None:
            state.update(fields)
            self._write(state)

    def _commit(self) -> None:
        self.db.commit()
        self._check()

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

    def _urls(self, portal) -> Iterator[str]:
        where, params = self._where(portal, None)
        return (url for url, in self.db.execute(f"SELECT url FROM reports{where} ORDER BY url", params).fetchall())

    def _find_urls(self, urls: list[str]) -> Iterator[dict]:
        rows = self.db.execute(f"SELECT record FROM reports WHERE url IN ({', '.join('?' * len(urls))})",
                               urls).fetchall()
        return (loads(text) for text, in rows)

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
            try:
                self._check()
            finally:
                self._db.close()
                self._db = None
