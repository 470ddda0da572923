"""The Store interface and the behaviour both backends share (batching, error wrapping, masking).

Backends implement the ``_`` methods (load/persist/commit/...); ``save`` and friends live here so
the lifecycle (store.records) and the batching rules exist once.
"""
from __future__ import annotations

import contextlib
import re
from datetime import datetime
from typing import Iterator
from urllib.parse import unquote, urlsplit

from gicrawler.store import records


def raw_size(raw: dict) -> int:
    body = raw.get("body")
    return len(body) if body is not None else int(raw.get("size") or 0)


class StoreError(RuntimeError):
    """The store refused an operation (bad data); retrying will not help."""


class WritesRefused(StoreError):
    """A flush wrote its batch except the writes the store refused (named in the message)."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or written; the message names it without credentials."""


# Up to the LAST "@" before the path: a password with an unescaped "@" must not leak its tail.
_USERINFO = re.compile(r"(?<=://)[^/\s]*@")
_SECRET_PARAM = re.compile(r"(?i)([?&][^=&\s]*(?:password|secret|token)[^=&\s]*=)[^&\s]*")


def _brief(exc: BaseException) -> str:
    # pymongo appends a whole topology description; the first clause says what happened.
    return f"{type(exc).__name__}: {str(exc).split(', Topology Description')[0]}"


def mask_uri(text: str, uri: str | None = None) -> str:
    """Remove credentials from a URI, or from any message that may quote one."""
    text = _SECRET_PARAM.sub(r"\1***", _USERINFO.sub("***@", str(text)))
    if uri:  # drivers may quote the password alone, outside a URI
        try:
            parts = urlsplit(uri)
            secrets = [parts.password, unquote(parts.password or "")]
        except ValueError:
            secrets = []
        for secret in filter(None, secrets):
            if len(secret) >= 3:
                text = text.replace(secret, "***")
    return text


class Store:
    """What every backend offers (docs/architecture.md, store). ``save`` is buffered: records are
    written in batches of ``batch_size`` and on ``flush``/``close``; ``pending_count`` tells how
    many saves are not committed yet, ``take_unflushed`` hands them back when the store went away."""

    batch_size = 50
    batch_bytes = 32 * 1024 * 1024  # raw bodies held for one batch: scanned PDFs run to tens of MB
    find_page = 200  # records read per query while iterating
    _unavailable_errors: tuple[type[BaseException], ...] = ()
    _data_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, uri: str):
        self.uri = uri
        self.display = mask_uri(uri)
        self._unflushed: list[tuple[dict, list[dict], datetime]] = []
        self._pending_ops = 0
        self._pending_bytes = 0
        self.discards = 0  # how many times uncommitted saves were given up (take_unflushed)
        # What the store found and dealt with behind its users' back, for the crawl to report:
        # (lost, message), lost = True when records are not where the URI says.
        self.incidents: list[tuple[bool, str]] = []
        self.spool_dropped = 0  # spooled records refused at replay (store.spool)
        self._watchers: list = []

    def watch(self, watcher) -> None:
        """Have ``watcher.written(state)`` called with each record as this store writes it, and
        ``watcher.forgotten(url)`` when a record may no longer be as written (changed by
        ``touch``/``set_fields``, or its write given up or refused)."""
        self._watchers.append(watcher)

    def _written(self, state: dict) -> None:
        for watcher in self._watchers:
            watcher.written(state)

    def _forgotten(self, urls) -> None:
        for watcher in self._watchers:
            for url in urls:
                watcher.forgotten(url)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.display}>"

    def missing(self) -> str | None:
        """Why there is no database behind the URI to read from, or None (a backend that makes
        its database on first write — MongoDB — has one always: empty until something is stored)."""
        return None

    @contextlib.contextmanager
    def _errors(self, what: str):
        try:
            yield
        except StoreError:
            raise
        except self._unavailable_errors as exc:
            raise StoreUnavailable(
                f"store {self.display} unavailable ({what}): {mask_uri(_brief(exc), self.uri)}"
            ) from None
        except self._data_errors as exc:
            raise StoreError(
                f"store {self.display} refused {what}: {mask_uri(_brief(exc), self.uri)}"
            ) from None

    # -- the interface -------------------------------------------------------------------------

    def ping(self) -> None:
        with self._errors("ping"):
            self._ping()

    def save(self, record: dict, raws: list[dict], crawled_at: datetime | None = None, *,
             journal=None) -> str:
        """Save (buffered) and return "new", "changed" or "unchanged". With a ``journal``
        (store.spool.Journal), the record as written is journaled before anything commits it;
        a journal that cannot be written has the batch committed at once instead."""
        now = records.as_utc(crawled_at) if crawled_at else records.utcnow()
        with self._errors("save"):
            record, raws = records.prepare(record, raws)
            prev = self._load(record["url"])
            status, state, changes, on_insert = records.merge(prev, record, now)
            # An unchanged page's raw bodies are stored already under the same (url, sha1).
            kept = [] if status == records.UNCHANGED else raws
            text = self._persist(record["url"], state, changes, on_insert, kept, now)
        self._written(state)
        self._unflushed.append((record, raws, now))
        self._pending_bytes += sum(raw_size(raw) for raw in raws)
        if journal is not None and not journal.append_state(
                text if text is not None else records.dumps(state), kept, now, status):
            self.flush()
        elif self.pending_count >= self.batch_size or self._pending_bytes >= self.batch_bytes:
            self.flush()
        return status

    def restore(self, state: dict, raws: list[dict], crawled_at: datetime | None = None, *,
                text: str | None = None) -> None:
        """Write a record as an earlier ``save`` wrote it (a journal's state entry), no merge:
        ``raws`` as journaled (``packed`` bodies), ``text`` the stored JSON when the backend keeps one."""
        now = records.as_utc(crawled_at) if crawled_at else records.utcnow()
        with self._errors("restore"):
            if not state.get("url"):
                raise ValueError("a record needs a url")
            self._restore(state, raws, now, text)
        self._written(state)
        self._unflushed.append((state, raws, now))
        self._pending_bytes += sum(raw_size(raw) for raw in raws)
        if self.pending_count >= self.batch_size or self._pending_bytes >= self.batch_bytes:
            self.flush()

    def check(self) -> None:
        """Look for what the backend may have lost behind the store's back (an SQLite file
        deleted mid-crawl …); what was found is in ``incidents``."""
        with self._errors("check"):
            self._check()

    def touch(self, url: str, crawled_at: datetime | None = None, **fields) -> None:
        now = records.as_utc(crawled_at) if crawled_at else records.utcnow()
        self._forgotten([url])
        with self._errors("touch"):
            self._update(url, {"last_crawled": now, **fields})
        self._pending_ops += 1
        if self.pending_count >= self.batch_size:
            self.flush()

    def set_fields(self, url: str, fields: dict) -> None:
        """Rewrite fields of a stored record without touching its lifecycle (used by reparse)."""
        self._forgotten([url])
        with self._errors("update"):
            self._update(url, dict(fields))
        self._pending_ops += 1
        if self.pending_count >= self.batch_size:
            self.flush()

    @property
    def pending_count(self) -> int:
        return len(self._unflushed) + self._pending_ops

    def flush(self) -> None:
        if not self.pending_count:
            return
        try:
            with self._errors("flush"):
                self._commit()
        except WritesRefused:
            # The backend wrote the rest of the batch; the refused writes are named in the error.
            # Kept, they would be sent again with every later batch and fail every flush too.
            self._forgotten([record["url"] for record, _, _ in self._unflushed])
            self._unflushed.clear()
            self._pending_ops = self._pending_bytes = 0
            raise
        self._unflushed.clear()
        self._pending_ops = self._pending_bytes = 0

    def take_unflushed(self) -> list[tuple[dict, list[dict], datetime]]:
        """Give up the uncommitted saves (the store went away): the caller spools them."""
        taken, self._unflushed, self._pending_ops, self._pending_bytes = self._unflushed, [], 0, 0
        self._forgotten([record["url"] for record, _, _ in taken])
        self.discards += 1
        with contextlib.suppress(Exception):
            self._discard()
        return taken

    def get(self, url: str) -> dict | None:
        with self._errors("get"):
            self._before_read()
            return self._load(url)

    def find(self, portal: str | None = None, year: int | None = None) -> Iterator[dict]:
        with self._errors("find"):
            self._before_read()
            yield from self._find(portal, year)

    def urls(self, portal: str | None = None) -> list[str]:
        """The URLs of the records ``find(portal)`` yields, in its order."""
        with self._errors("urls"):
            self._before_read()
            return list(self._urls(portal))

    def find_urls(self, urls: list[str]) -> Iterator[dict]:
        """The records of ``urls`` that are stored (in no particular order)."""
        with self._errors("find"):
            self._before_read()
            for start in range(0, len(urls), self.find_page):
                yield from self._find_urls(urls[start:start + self.find_page])

    def count(self, portal: str | None = None, year: int | None = None, *, with_raw_only: bool = False) -> int:
        """How many records ``find`` (or, ``with_raw_only``, ``iter_raw``) yields."""
        with self._errors("count"):
            self._before_read()
            return self._count(portal, year, with_raw_only)

    def known_pages(self, portal: str) -> dict[str, dict]:
        with self._errors("known_pages"):
            self._before_read()
            return {r["url"]: records.known_page(r) for r in self._known(portal)}

    def iter_raw(self, portal: str | None = None) -> Iterator[tuple[dict, list[dict]]]:
        with self._errors("iter_raw"):
            self._before_read()
            for record in self._find(portal, None, with_raw_only=True):
                wanted = [(record["url"], record["raw_hash"], "page")]
                wanted += [(a["url"], a["sha1"], "attachment")
                           for a in record.get("attachments") or () if a.get("url") and a.get("sha1")]
                raws = []
                for url, digest, role in wanted:
                    raw = self._load_raw(url, digest)
                    if raw is not None:
                        raws.append({**raw, "role": role})
                yield record, raws

    def get_raw(self, url: str, sha1: str) -> dict | None:
        """One stored raw body (any version): {"url","sha1","fetched_at","content_type","body"}."""
        with self._errors("get_raw"):
            self._before_read()
            return self._load_raw(url, sha1)

    def save_run(self, run: dict) -> None:
        with self._errors("save_run"):
            self._save_run(dict(run))

    def last_run(self, portal: str) -> dict | None:
        with self._errors("last_run"):
            return self._last_run(portal)

    def close(self) -> None:
        """Flush, then close the connection."""
        try:
            self.flush()
        finally:
            with contextlib.suppress(Exception):
                self._close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- backend hooks ---------------------------------------------------------------------------

    def _ping(self) -> None: raise NotImplementedError
    def _load(self, url: str) -> dict | None: raise NotImplementedError
    def _persist(self, url, state, changes, on_insert, raws, now) -> str | None:
        """Write a record (and its raws' ``records.packed`` bodies); the JSON text written, if any."""
        raise NotImplementedError

    def _restore(self, state, raws, now, text) -> None:
        self._persist(state["url"], state, {k: v for k, v in state.items() if k != "first_seen"},
                      {"first_seen": state.get("first_seen") or now}, raws, now)

    def _check(self) -> None: pass
    def _update(self, url: str, fields: dict) -> None: raise NotImplementedError
    def _commit(self) -> None: raise NotImplementedError
    def _discard(self) -> None: raise NotImplementedError
    def _before_read(self) -> None: pass
    def _find(self, portal, year, with_raw_only=False) -> Iterator[dict]: raise NotImplementedError
    def _count(self, portal, year, with_raw_only=False) -> int: raise NotImplementedError
    def _urls(self, portal) -> Iterator[str]: raise NotImplementedError
    def _find_urls(self, urls: list[str]) -> Iterator[dict]: raise NotImplementedError
    def _known(self, portal) -> Iterator[dict]: return self._find(portal, None)
    def _load_raw(self, url: str, sha1: str) -> dict | None: raise NotImplementedError
    def _save_run(self, run: dict) -> None: raise NotImplementedError
    def _last_run(self, portal: str) -> dict | None: raise NotImplementedError
    def _close(self) -> None: pass
