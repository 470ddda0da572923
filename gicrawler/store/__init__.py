"""Where records and raw pages are kept: ``open_store(uri)`` gives a Store for
``mongodb://…/dbname`` (MongoDB, pymongo) or ``sqlite:///path[?timeout=SECONDS]`` (stdlib sqlite3).

The URI comes from the argument, else ``$GICRAWLER_STORE``, else ``sqlite:///data/gicrawler.sqlite3``
(relative to the working directory); ``env:NAME`` names the environment variable holding it. Both backends share the lifecycle in ``store.records``.
"""
from __future__ import annotations

import os
from urllib.parse import parse_qsl

from gicrawler import envref
from gicrawler.store.base import Store, StoreError, StoreUnavailable, mask_uri

DEFAULT_STORE_URI = "sqlite:///data/gicrawler.sqlite3"
ENV_VAR = "GICRAWLER_STORE"

__all__ = ["DEFAULT_STORE_URI", "Store", "StoreError", "StoreUnavailable", "mask_uri",
           "open_store", "resolve_uri"]


def resolve_uri(uri: str | None = None) -> str:
    return uri or os.environ.get(ENV_VAR) or DEFAULT_STORE_URI


def open_store(uri: str | None = None, *, check: bool = True, create: bool = True) -> Store:
    """A Store for ``uri``, pinged first unless ``check=False`` (raises StoreUnavailable).

    ``create=False``, for the commands that read what a crawl stored: a database that is not there
    (a mistyped SQLite path) is a StoreError saying so — not a new, empty one, its directories
    made, to report nothing from.

    Each call opens its own connection; a crawl's components share the one its StoreExtension
    opened (gicrawler/store/extension.py)."""
    store = _create(resolve_uri(uri))
    if not create and (why := store.missing()):
        raise StoreError(f"store {store.display}: {why}")
    if check:
        try:
            store.ping()
        except Exception:
            store.close()
            raise
    return store


def _create(uri: str) -> Store:
    try:
        uri = envref.expand(uri, "STORE_URI")  # env:NAME — the URI is in $NAME (gicrawler/envref.py)
    except ValueError as exc:
        raise StoreError(str(exc)) from None
    scheme = uri.split(":", 1)[0].lower()
    if scheme in ("mongodb", "mongodb+srv"):
        from gicrawler.store.mongo import MongoStore
        try:
            return MongoStore(uri)
        except Exception as exc:  # invalid URI or options: a configuration error, said plainly
            raise StoreError(f"store {mask_uri(uri)}: {mask_uri(str(exc), uri)}") from None
    if scheme == "sqlite":
        from gicrawler.store.sqlite import BUSY_TIMEOUT, SQLiteStore
        if not uri.startswith("sqlite:///"):
            raise StoreError(f"store {mask_uri(uri)}: expected sqlite:///relative/path or sqlite:////absolute/path")
        path, _, query = uri[len("sqlite:///"):].partition("?")
        if not path:
            raise StoreError(f"store {uri}: no database path")
        options = dict(parse_qsl(query, keep_blank_values=True))
        unknown = sorted(set(options) - {"timeout"})
        try:
            if unknown:
                raise ValueError(f"unknown option(s) {', '.join(unknown)} (sqlite knows: timeout)")
            timeout = float(options.get("timeout", BUSY_TIMEOUT))
            if not timeout >= 0:
                raise ValueError("timeout must be 0 or more seconds")
        except ValueError as exc:
            raise StoreError(f"store {uri}: {exc}") from None
        return SQLiteStore(uri, path if path == ":memory:" else os.path.abspath(path), timeout)
    raise StoreError(f"store {mask_uri(uri)}: unknown scheme (use mongodb://host/dbname or sqlite:///path)")
