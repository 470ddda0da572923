"""The Store on both backends: SQLite for real, MongoDB against mongomock and, when
GICRAWLER_TEST_MONGO_URI is set, against that server. Every test runs on every backend.

mongomock's ``bulk_write`` breaks with pymongo >= 4.11: pymongo's ``UpdateOne._add_to_bulk``
passes a ``sort`` argument mongomock's bulk builder does not accept (mongomock#912). The test-only
shim below (``mongomock_shim``) lets the builder accept ``sort=None``, so the store's real code
path (pymongo ``UpdateOne`` objects sent with ``bulk_write(ordered=False)``) runs unchanged.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from gicrawler.store import StoreError, StoreUnavailable, mask_uri, open_store
from gicrawler.store.mongo import MongoStore
from gicrawler.store.spool import Spool
from gicrawler.store.sqlite import SQLiteStore

MONGO_URI = os.environ.get("GICRAWLER_TEST_MONGO_URI")
T0 = datetime(2025, 2, 1, 8, 0, tzinfo=timezone.utc)


# -- backends -------------------------------------------------------------------------------------

@pytest.fixture
def mongomock_shim(monkeypatch):
    """Make mongomock's bulk builder accept pymongo >= 4.11's ``sort`` keyword (see module doc)."""
    mongomock = pytest.importorskip("mongomock")
    import mongomock.gridfs
    from mongomock.collection import BulkOperationBuilder

    def accepting_sort(method):
        def wrapper(self, *args, sort=None, **kwargs):
            if sort is not None:
                raise NotImplementedError("mongomock shim: sort in bulk updates")
            return method(self, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(BulkOperationBuilder, "add_update", accepting_sort(BulkOperationBuilder.add_update))
    monkeypatch.setattr(BulkOperationBuilder, "add_replace", accepting_sort(BulkOperationBuilder.add_replace))
    mongomock.gridfs.enable_gridfs_integration()
    return mongomock


@pytest.fixture
def mongomock_server(mongomock_shim, monkeypatch):
    """pymongo.MongoClient → one mongomock client per URI (shared like a server), for code that
    opens stores by URI (open_store, the commands, the pipeline)."""
    clients: dict[str, object] = {}

    def client(uri, **kwargs):
        key = uri.split("?")[0]
        if key not in clients:
            clients[key] = mongomock_shim.MongoClient(uri, tz_aware=True)
        return clients[key]

    monkeypatch.setattr("gicrawler.store.mongo.pymongo.MongoClient", client)
    monkeypatch.setattr(MongoStore, "_close", lambda self: None)  # keep the fake server's data
    return clients


BACKENDS = [
    "sqlite",
    "mongomock",
    pytest.param("mongo", marks=pytest.mark.skipif(not MONGO_URI, reason="GICRAWLER_TEST_MONGO_URI not set")),
]


def _mongo_test_uri() -> str:
    base, _, query = MONGO_URI.partition("?")
    base = base.rstrip("/")
    if base.count("/") > 2:  # a database is named: replace it
        base = base.rsplit("/", 1)[0]
    return f"{base}/gicrawler_test_{uuid.uuid4().hex[:8]}" + (f"?{query}" if query else "")


@pytest.fixture(params=BACKENDS)
def store_uri(request, tmp_path):
    """A store URI for the backend; open_store(uri) gives a working store."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.sqlite3"
    elif request.param == "mongomock":
        request.getfixturevalue("mongomock_server")
        yield "mongodb://localhost:27017/gicrawler_test"
    else:
        uri = _mongo_test_uri()
        yield uri
        import pymongo
        client = pymongo.MongoClient(uri)
        client.drop_database(client.get_default_database().name)
        client.close()


@pytest.fixture
def store(store_uri):
    s = open_store(store_uri)
    yield s
    s.close()


def reopen(store):
    """A second, independent handle on the same data (not the shared instance)."""
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.uri, store.path)
    return MongoStore(store.uri, client=store.client)


def page(url="http://p.test/r/1.html", body=b"<html>report v1</html>", portal="zibo", **fields):
    record = {"url": url, "portal": portal, "title": "2024年度报告", "agency": "淄博市数据局",
              "year": 2024, "tables": {"active": {"licensing": {"decisions": 3}}},
              "attachments": [], "list_title": "年报", "list_date": "2025-01-20", **fields}
    raws = [{"url": url, "body": body, "content_type": "text/html; charset=utf-8", "role": "page"}]
    return record, raws


# -- lifecycle ------------------------------------------------------------------------------------

def test_new_record_has_lifecycle_and_hash(store):
    assert store.save(*page(), crawled_at=T0) == "new"
    got = store.get("http://p.test/r/1.html")
    assert got["first_seen"] == got["last_crawled"] == got["last_changed"] == T0
    assert got["raw_hash"] == "%s" % __import__("hashlib").sha1(b"<html>report v1</html>").hexdigest()
    assert [v["hash"] for v in got["versions"]] == [got["raw_hash"]]
    assert got["tables"] == {"active": {"licensing": {"decisions": 3}}}
    assert "_id" not in got


def test_unchanged_page_updates_only_last_crawled(store):
    store.save(*page(), crawled_at=T0)
    record, raws = page(title="a different parse", etag='"abc"', list_title="年报(更新)", list_date="2025-01-21")
    assert store.save(record, raws, crawled_at=T0 + timedelta(days=1)) == "unchanged"
    got = store.get(record["url"])
    assert got["last_crawled"] == T0 + timedelta(days=1)
    assert got["first_seen"] == got["last_changed"] == T0
    assert got["title"] == "2024年度报告"  # content fields untouched
    assert got["etag"] == '"abc"'  # HTTP validators follow the server
    # … and so does the list entry, which incremental runs compare against
    assert (got["list_title"], got["list_date"]) == ("年报(更新)", "2025-01-21")
    assert len(got["versions"]) == 1


def test_changed_page_keeps_previous_raw_and_versions(store):
    store.save(*page(), crawled_at=T0)
    old_hash = store.get("http://p.test/r/1.html")["raw_hash"]
    t1 = T0 + timedelta(days=30)
    assert store.save(*page(body=b"<html>report v2</html>", title="修订"), crawled_at=t1) == "changed"
    got = store.get("http://p.test/r/1.html")
    assert got["title"] == "修订"
    assert got["first_seen"] == T0 and got["last_changed"] == got["last_crawled"] == t1
    assert [(v["hash"], v["date"]) for v in got["versions"]] == [(old_hash, T0), (got["raw_hash"], t1)]
    assert store.get_raw(got["url"], old_hash)["body"] == b"<html>report v1</html>"
    assert store.get_raw(got["url"], got["raw_hash"])["body"] == b"<html>report v2</html>"
    (record, raws), = list(store.iter_raw())
    assert [r["body"] for r in raws] == [b"<html>report v2</html>"]


def test_attachment_change_is_a_change_and_bodies_stay_out_of_the_record(store):
    record, raws = page(attachments=[{"url": "http://p.test/a.pdf", "kind": "pdf", "body": b"%PDF-1"}])
    raws.append({"url": "http://p.test/a.pdf", "body": b"%PDF-1", "content_type": "application/pdf",
                 "role": "attachment"})
    assert store.save(record, raws, crawled_at=T0) == "new"
    got = store.get(record["url"])
    assert got["attachments"] == [{"url": "http://p.test/a.pdf", "kind": "pdf",
                                   "sha1": __import__("hashlib").sha1(b"%PDF-1").hexdigest(), "size": 6}]
    record2, raws2 = page(attachments=[{"url": "http://p.test/a.pdf", "kind": "pdf"}])
    raws2.append({"url": "http://p.test/a.pdf", "body": b"%PDF-2", "content_type": "application/pdf",
                  "role": "attachment"})
    assert store.save(record2, raws2, crawled_at=T0 + timedelta(days=1)) == "changed"
    (stored, stored_raws), = list(store.iter_raw())
    assert {r["role"]: r["body"] for r in stored_raws} == {"page": b"<html>report v1</html>",
                                                           "attachment": b"%PDF-2"}
    assert len(stored["versions"]) == 2


def test_fetch_error_records(store):
    url = "http://p.test/r/404.html"
    assert store.save({"url": url, "portal": "zibo", "fetch_error": "HTTP 404"}, [], crawled_at=T0) == "new"
    got = store.get(url)
    assert got["fetch_error"] == "HTTP 404" and got["raw_hash"] is None and got["versions"] == []
    assert list(store.iter_raw()) == []
    # a failed re-fetch of a stored page keeps the content
    store.save(*page(), crawled_at=T0)
    assert store.save({"url": "http://p.test/r/1.html", "portal": "zibo", "fetch_error": "timeout"}, [],
                      crawled_at=T0 + timedelta(days=1)) == "unchanged"
    got = store.get("http://p.test/r/1.html")
    assert got["fetch_error"] == "timeout" and got["tables"] and got["raw_hash"]


def test_touch_and_set_fields(store):
    store.save(*page(), crawled_at=T0)
    store.touch("http://p.test/r/1.html", crawled_at=T0 + timedelta(hours=1), etag='"e2"')
    store.touch("http://p.test/r/unknown.html")  # no record, no-op
    store.set_fields("http://p.test/r/1.html", {"template": "2021"})
    got = store.get("http://p.test/r/1.html")
    assert got["last_crawled"] == T0 + timedelta(hours=1) and got["last_changed"] == T0
    assert got["etag"] == '"e2"' and got["template"] == "2021"
    assert store.get("http://p.test/r/unknown.html") is None
    assert store.count() == 1


def test_touch_and_set_fields_leave_the_rest_of_the_record_as_it_was(store):
    """Fields set in place (SQLite's json_set) or through the record: the same record either way."""
    store.save(*page(), crawled_at=T0)
    before = store.get("http://p.test/r/1.html")
    later = T0 + timedelta(days=2, milliseconds=5)
    odd = {"list_title": '年报 "引号" \\ ' + "\u2028", "list_date": None, "last_modified": "Mon, 01 Dec 2026"}
    store.touch("http://p.test/r/1.html", crawled_at=later, **odd)
    store.set_fields("http://p.test/r/1.html", {"tables": {"active": {"x": [1, 2.5, None]}}, "agency": "某某局"})
    store.flush()
    got = store.get("http://p.test/r/1.html")
    assert got == {**before, "last_crawled": later, **odd, "tables": {"active": {"x": [1, 2.5, None]}},
                   "agency": "某某局"}
    assert isinstance(got["last_crawled"], datetime) and got["last_crawled"].tzinfo is not None
    assert [r["url"] for r in store.find(portal=before["portal"])] == ["http://p.test/r/1.html"]
    assert store.count() == 1


def test_find_count_and_known_pages(store):
    for i, (portal, year) in enumerate([("zibo", 2023), ("zibo", 2024), ("jiaxing", 2024)]):
        store.save(*page(url=f"http://p.test/{i}", portal=portal, year=year, body=f"b{i}".encode(),
                         etag=f"e{i}"), crawled_at=T0)
    assert [r["url"] for r in store.find(portal="zibo")] == ["http://p.test/0", "http://p.test/1"]
    assert [r["url"] for r in store.find(year=2024)] == ["http://p.test/1", "http://p.test/2"]
    assert [r["url"] for r in store.find(portal="zibo", year=2024)] == ["http://p.test/1"]
    assert store.count() == 3 and store.count(portal="jiaxing") == 1
    known = store.known_pages("zibo")
    assert set(known) == {"http://p.test/0", "http://p.test/1"}
    assert known["http://p.test/0"] == {"etag": "e0", "last_modified": None, "list_title": "年报",
                                        "list_date": "2025-01-20",
                                        "raw_hash": __import__("hashlib").sha1(b"b0").hexdigest()}


def test_runs(store):
    assert store.last_run("zibo") is None
    store.save_run({"portal": "zibo", "spider": "reports", "finished_at": T0, "stats": {"reports": 3}})
    store.save_run({"portal": "zibo", "spider": "reports", "finished_at": T0 + timedelta(days=1),
                    "stats": {"reports": 5}})
    store.save_run({"portal": "huangshi", "spider": "reports", "finished_at": T0 + timedelta(days=2),
                    "stats": {"reports": 1}})
    last = store.last_run("zibo")
    assert last["stats"] == {"reports": 5} and last["finished_at"] == T0 + timedelta(days=1)


# -- batching and failure -------------------------------------------------------------------------

def test_writes_are_committed_in_batches_and_on_flush(store):
    store.batch_size = 3
    other = reopen(store)
    for i in range(2):
        store.save(*page(url=f"http://p.test/{i}", body=f"b{i}".encode()))
    assert store.pending_count == 2
    assert other.get("http://p.test/0") is None  # not committed yet
    store.save(*page(url="http://p.test/2", body=b"b2"))
    assert store.pending_count == 0
    assert other.count() == 3
    store.save(*page(url="http://p.test/3", body=b"b3"))
    store.flush()
    assert other.get("http://p.test/3") is not None


def test_same_url_twice_in_one_batch(store):
    store.batch_size = 10
    store.save(*page(), crawled_at=T0)
    assert store.save(*page(body=b"v2"), crawled_at=T0 + timedelta(days=1)) == "changed"
    store.flush()
    got = reopen(store).get("http://p.test/r/1.html")
    assert len(got["versions"]) == 2 and got["first_seen"] == T0


def test_take_unflushed_hands_back_uncommitted_saves(store):
    store.batch_size = 10
    store.save(*page(url="http://p.test/a", body=b"a"))
    store.save(*page(url="http://p.test/b", body=b"b"))
    taken = store.take_unflushed()
    assert [record["url"] for record, raws, at in taken] == ["http://p.test/a", "http://p.test/b"]
    assert [raws[0]["body"] for record, raws, at in taken] == [b"a", b"b"]
    assert store.pending_count == 0
    store.flush()
    assert store.count() == 0


def test_mongo_store_down_fails_fast_without_credentials():
    uri = "mongodb://reporter:s3cr3t-pw@127.0.0.1:1/x?serverSelectionTimeoutMS=300"
    started = datetime.now()
    with pytest.raises(StoreUnavailable) as info:
        open_store(uri)
    assert (datetime.now() - started).total_seconds() < 5
    assert "s3cr3t-pw" not in str(info.value) and "reporter" not in str(info.value)
    assert "127.0.0.1:1" in str(info.value)
    assert "s3cr3t-pw" not in repr(MongoStore(uri))


def test_sqlite_store_in_uncreatable_place(tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="a-file"):
        open_store(f"sqlite:///{tmp_path}/a-file/db.sqlite3")


def test_store_uri_errors_are_clear():
    with pytest.raises(StoreError, match="unknown scheme"):
        open_store("postgres://u:pw123@h/db")
    with pytest.raises(StoreError) as info:
        open_store("postgres://u:pw123@h/db")
    assert "pw123" not in str(info.value)


def test_mask_uri():
    assert mask_uri("mongodb://u:p%40ss@h:27017/db?authSource=admin") == "mongodb://***@h:27017/db?authSource=admin"
    assert mask_uri("failed for pa55word!", "mongodb://u:pa55word!@h/db") == "failed for ***"
    assert mask_uri("mongodb://h/db?tlsCertificateKeyFilePassword=xyz") == \
        "mongodb://h/db?tlsCertificateKeyFilePassword=***"
    # an unescaped "@" in the password (pymongo refuses the URI, and the error names it)
    assert mask_uri("mongodb://u:p@ss@host:1/db") == "mongodb://***@host:1/db"
    with pytest.raises(StoreError) as info:
        open_store("mongodb://admin:s3cr@tpw@127.0.0.1:1/db")
    assert "tpw" not in str(info.value) and "s3cr" not in str(info.value)


def test_default_uri_env_and_independent_instances(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GICRAWLER_STORE", raising=False)
    default = open_store()
    assert isinstance(default, SQLiteStore)
    assert (tmp_path / "data" / "gicrawler.sqlite3").exists()
    again = open_store("sqlite:///data/gicrawler.sqlite3")
    assert again is not default  # no process-wide sharing: a crawl shares its own (StoreExtension)
    again.close()
    default.save(*page())  # closing the other one leaves this one open
    default.close()
    assert open_store("sqlite:///data/gicrawler.sqlite3").count() == 1
    monkeypatch.setenv("GICRAWLER_STORE", f"sqlite:///{tmp_path}/env.sqlite3")
    env_store = open_store()
    assert env_store is not default and env_store.path == f"{tmp_path}/env.sqlite3"
    env_store.close()


# -- backend specifics ----------------------------------------------------------------------------

def test_mongo_indexes_and_big_raw_in_gridfs(store_uri):
    if not store_uri.startswith("mongodb"):
        pytest.skip("MongoDB only")
    store = open_store(store_uri)
    store.gridfs_threshold = 1000  # instead of 15 MB, to keep the test small
    big = os.urandom(5000)  # incompressible
    record, raws = page()
    record["attachments"] = [{"url": "http://p.test/big.pdf", "kind": "pdf"}]
    raws.append({"url": "http://p.test/big.pdf", "body": big, "content_type": "application/pdf",
                 "role": "attachment"})
    store.save(record, raws)
    store.flush()
    doc = store.raw.find_one({"url": "http://p.test/big.pdf"})
    assert "body" not in doc and doc["gridfs_id"] is not None
    assert store.get_raw("http://p.test/big.pdf", doc["sha1"])["body"] == big
    assert store.raw.find_one({"url": record["url"]})["body"]  # small page: inline
    unique = [ix for ix in store.reports.index_information().values() if ix.get("unique")]
    assert [ix["key"] for ix in unique] == [[("url", 1)]]
    keys = {ix["key"][0][0] for ix in store.reports.index_information().values()}
    assert {"portal", "agency", "year"} <= keys
    store.close()


# -- spool ----------------------------------------------------------------------------------------

def test_spool_journal_and_replay(store, tmp_path):
    spool = Spool(tmp_path / "spool")
    journal = spool.open_journal()
    journal.append(*page(url="http://p.test/s1", body=b"s1"), T0)
    journal.append(*page(url="http://p.test/s2", body=b"s2"), None)
    other = Spool(tmp_path / "spool")
    assert other.replay(store) == 0  # a live journal belongs to its process
    kept = journal.close()
    assert kept.name.startswith("spool-")
    with open(kept, "ab") as fh:
        fh.write(b'{"record": {"url": "torn')  # a process killed mid-write
    statuses = []
    assert other.replay(store, on_saved=lambda record, status: statuses.append(status)) == 2
    assert statuses == ["new", "new"]
    assert store.get("http://p.test/s1")["first_seen"] == T0
    assert store.get_raw("http://p.test/s2", store.get("http://p.test/s2")["raw_hash"])["body"] == b"s2"
    assert spool.files() == []


def test_empty_journal_leaves_nothing(tmp_path):
    spool = Spool(tmp_path / "spool")
    journal = spool.open_journal()
    journal.append(*page(), None)
    journal.clear()
    assert journal.close() is None
    assert spool.files() == []


def test_large_raw_bodies_flush_the_batch_early(store):
    store.batch_size, store.batch_bytes = 50, 1000
    store.save(*page(url="http://p.test/small", body=b"x" * 400))
    assert store.pending_count == 1
    store.save(*page(url="http://p.test/big", body=b"y" * 700))
    assert store.pending_count == 0 and reopen(store).count() == 2


# -- what a real MongoDB server refuses (mongomock accepts it all) ---------------------------------

@pytest.fixture
def mongo_store(mongomock_server):
    store = open_store("mongodb://localhost:27017/gicrawler_refusals")
    yield store
    store.close()


def test_mongo_values_beyond_bson_do_not_poison_the_batch(mongo_store, monkeypatch):
    import decimal

    import bson

    huge = 123456789012345678901234  # an ID misread as a count: over int64, OverflowError in pymongo
    record, raws = page(url="http://p.test/huge")
    record["tables"] = {"active": {"regulations": {"issued": huge, "repealed": 0}}}
    assert mongo_store.save(record, raws) == "new"
    record, raws = page(url="http://p.test/decimal", body=b"d")
    record["tables"] = {"active": {"fees": {"amount_10k_yuan": decimal.Decimal("1.5")}}}
    with pytest.raises(StoreError, match="http://p.test/decimal"):
        mongo_store.save(record, raws)
    monkeypatch.setattr("gicrawler.store.mongo.MAX_DOCUMENT", 4000)
    record, raws = page(url="http://p.test/long", body=b"l", text="长" * 5000, errors=[])
    mongo_store.save(record, raws)
    mongo_store.flush()
    for doc in mongo_store.reports.find({}, {"_id": 0}):
        bson.encode(doc)  # what a real server would have refused at insert
    issued = mongo_store.get("http://p.test/huge")["tables"]["active"]["regulations"]
    assert issued == {"issued": float(huge), "repealed": 0}
    long = mongo_store.get("http://p.test/long")
    assert long["text"] is None and long["errors"] == ["text not stored: the record exceeds 16 MB"]
    assert mongo_store.get("http://p.test/decimal") is None and mongo_store.pending_count == 0


def test_mongo_bulk_write_errors(mongo_store, monkeypatch):
    from pymongo.errors import BulkWriteError

    real = type(mongo_store.reports).bulk_write
    failures = []  # per call: the write errors the "server" reports for it (ops at those indexes are not applied)

    def bulk_write(self, ops, ordered=True):
        errors = failures.pop(0) if failures else []
        real(self, [op for i, op in enumerate(ops) if i not in {e["index"] for e in errors}], ordered=ordered)
        if errors:
            raise BulkWriteError({"writeErrors": errors, "nInserted": 0})

    monkeypatch.setattr(type(mongo_store.reports), "bulk_write", bulk_write)
    # Another crawl inserted the same URL meanwhile (upsert race): retried, then stored.
    failures[:] = [[], [{"index": 1, "code": 11000, "errmsg": "E11000 duplicate key"}]]  # raw ok, reports dup
    mongo_store.save(*page(url="http://p.test/a"))
    mongo_store.save(*page(url="http://p.test/b", body=b"b"))
    mongo_store.flush()
    assert mongo_store.get("http://p.test/b")["raw_hash"] and mongo_store.count() == 2
    # One write refused (e.g. a validator): the rest is written, the error names it, and the refused
    # write does not come back with every later batch.
    failures[:] = [[], [{"index": 0, "code": 121, "errmsg": "Document failed validation"}]]
    mongo_store.save(*page(url="http://p.test/c", body=b"c"))
    mongo_store.save(*page(url="http://p.test/d", body=b"d"))
    with pytest.raises(StoreError, match=r"http://p.test/c: Document failed validation"):
        mongo_store.flush()
    assert mongo_store.pending_count == 0 and mongo_store.get("http://p.test/d") is not None
    mongo_store.save(*page(url="http://p.test/e", body=b"e"))
    mongo_store.flush()
    assert mongo_store.count() == 4


def test_replay_of_a_batch_with_a_refused_write_is_not_repeated_forever(mongo_store, tmp_path, monkeypatch):
    from pymongo.errors import BulkWriteError

    spool = Spool(tmp_path / "spool")
    journal = spool.open_journal()
    journal.append(*page(url="http://p.test/r1", body=b"r1"), T0)
    journal.append(*page(url="http://p.test/r2", body=b"r2"), T0)
    journal.close()
    real = type(mongo_store.reports).bulk_write

    def bulk_write(self, ops, ordered=True):  # the server refuses the first record (a validator, say)
        real(self, ops[1:], ordered=ordered)
        raise BulkWriteError({"writeErrors": [{"index": 0, "code": 121, "errmsg": "failed validation"}]})

    monkeypatch.setattr(type(mongo_store.reports), "bulk_write", bulk_write)
    assert spool.replay(mongo_store) == 2
    assert spool.files() == [] and mongo_store.get("http://p.test/r2") is not None


def test_sqlite_store_opened_by_several_crawls_at_once(tmp_path):
    # Distributed or --jobs runs start several crawls on one new file at the same moment.
    import subprocess
    import sys

    uri = f"sqlite:///{tmp_path}/shared.sqlite3"
    import time

    n = 12
    # every process imports first, then opens the store at the same instant
    code = ("import sys, time; from gicrawler.store import open_store; "
            "time.sleep(max(0, float(sys.argv[3]) - time.time())); s = open_store(sys.argv[1]); "
            "s.save({'url': 'http://p.test/' + sys.argv[2], 'portal': 'p'}, [], None); s.close()")
    at = str(time.time() + 4)
    procs = [subprocess.Popen([sys.executable, "-c", code, uri, str(i), at], stderr=subprocess.PIPE, text=True)
             for i in range(n)]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * n, errors
    from gicrawler.store import open_store
    store = open_store(uri)
    assert sorted(r["url"] for r in store.find()) == sorted(f"http://p.test/{i}" for i in range(n))
    store.close()
