"""The journal (gicrawler/store/spool.py) and the SQLite file check (store/sqlite.py, ``_check``):

- a save journals the record as the store wrote it — the very JSON text of SQLite's column,
  encoded once — and the raw bodies as the store's compressed bytes, in a binary file (no base64);
- replaying a journal restores records as they were written (first_seen, versions), on both
  backends; journals of the earlier format (base64 lines) still replay;
- a journal the disk refuses keeps no torn entry, says so, and the store commits at once;
- a journal file removed mid-crawl comes back: emptied, it is created again; closed with entries,
  they are written out from the open descriptors;
- an SQLite file deleted mid-crawl (or its directory) is rebuilt from the open connection;
  replaced by another file, that file is left alone and the database goes on in a rescue file.
"""
from __future__ import annotations

import base64
import errno
import json
import os
import shutil
import sqlite3
import zlib

import pytest

from gicrawler.store import open_store
from gicrawler.store import spool as spool_module
from gicrawler.store.spool import Spool, bodies_path, read_entries
from tests.test_store import T0, mongomock_server, mongomock_shim, page, store, store_uri  # noqa: F401

BODY = "<html>报告正文 report body</html>".encode() * 40


def test_a_save_journals_the_stored_text_and_compressed_bodies_once(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/s.sqlite3")
    journal = Spool(tmp_path / "spool").open_journal()
    record, raws = page(body=BODY)
    assert store.save(record, raws, T0, journal=journal) == "new"
    store.flush()
    text, = store.db.execute("SELECT record FROM reports").fetchone()
    stored_body, = store.db.execute("SELECT body FROM raw").fetchone()
    line = journal.path.read_bytes()
    assert line.count(b"\n") == 1 and text.encode() in line  # the column's bytes, as they are
    assert base64.b64encode(BODY[:60])[:40] not in line and b"report body" not in line
    assert bodies_path(journal.path).read_bytes() == stored_body  # the same compressed frame
    assert zlib.decompress(stored_body) == BODY
    (entry,) = read_entries(journal.path)
    assert entry.kind == "state" and entry.status == "new" and entry.text == text
    journal.close()
    store.close()


def test_replayed_states_are_the_records_as_written(store, tmp_path):
    spool = Spool(tmp_path / "spool")
    journal = spool.open_journal()
    store.save(*page(body=b"v1"), T0, journal=journal)
    store.save(*page(body=b"v2"), T0.replace(day=2), journal=journal)  # changed: two versions
    store.save(*page(url="http://p.test/other", body=b"o"), None, journal=journal)
    store.take_unflushed()  # the store lost its transaction (a kill, a dropped connection)
    assert store.count() == 0
    kept = journal.close()
    statuses = []
    assert spool.replay(store, on_saved=lambda record, status: statuses.append(status)) == 3
    assert statuses == ["new", "changed", "new"] and not kept.exists()
    record = store.get("http://p.test/r/1.html")
    assert record["first_seen"] == T0 and len(record["versions"]) == 2
    raw = store.get_raw(record["url"], record["raw_hash"])
    assert raw["body"] == b"v2"
    assert list((tmp_path / "spool").iterdir()) == []


def test_a_journal_of_the_earlier_format_still_replays(tmp_path):
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    line = json.dumps({"record": {"url": "http://p.test/old", "portal": "zibo"},
                       "raws": [{"url": "http://p.test/old", "role": "page", "content_type": "text/html",
                                 "body": base64.b64encode(b"old body").decode()}], "crawled_at": None})
    (spool_dir / "spool-20250101T000000-1-abcdef12.jsonl").write_text(line + "\n")
    store = open_store(f"sqlite:///{tmp_path}/s.sqlite3")
    assert Spool(spool_dir).replay(store) == 1
    record = store.get("http://p.test/old")
    assert store.get_raw(record["url"], record["raw_hash"])["body"] == b"old body"
    store.close()


def test_a_journal_the_disk_refuses_keeps_no_torn_entry_and_the_store_commits_at_once(tmp_path, monkeypatch):
    store = open_store(f"sqlite:///{tmp_path}/s.sqlite3")
    journal = Spool(tmp_path / "spool").open_journal()
    store.save(*page(url="http://p.test/1", body=b"one"), None, journal=journal)
    before = (journal.path.read_bytes(), bodies_path(journal.path).read_bytes())
    real_write, calls = os.write, []

    def full(fd, data):  # the disk fills up in the middle of the entry's line
        calls.append(fd)
        if len(calls) == 2:
            real_write(fd, bytes(data)[:10])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(spool_module.os, "write", full)
    assert store.pending_count == 1
    store.save(*page(url="http://p.test/2", body=b"two"), None, journal=journal)
    monkeypatch.setattr(spool_module.os, "write", real_write)
    assert journal.failed is not None and journal.failed.errno == errno.ENOSPC and journal.count == 1
    assert (journal.path.read_bytes(), bodies_path(journal.path).read_bytes()) == before
    assert store.pending_count == 0  # committed at once: safe without the journal
    assert [e[0]["url"] for e in read_entries(journal.path)] == ["http://p.test/1"]
    journal.close()
    store.close()


def test_a_journal_whose_directory_is_removed_comes_back(tmp_path):
    spool = Spool(tmp_path / "spool")
    journal = spool.open_journal()
    journal.append(*page(url="http://p.test/1"), None)
    shutil.rmtree(tmp_path / "spool")
    assert [e[0]["url"] for e in journal.entries()] == ["http://p.test/1"]  # through its descriptors
    journal.clear()  # committed: a new, empty journal at the same path
    assert journal.path.exists() and journal.path.read_bytes() == b""
    journal.append(*page(url="http://p.test/2", body=b"two"), None)
    shutil.rmtree(tmp_path / "spool")
    kept = journal.close()  # closed with an entry: written out again for the next start
    assert kept.exists() and [e[0]["url"] for e in read_entries(kept)] == ["http://p.test/2"]
    store = open_store(f"sqlite:///{tmp_path}/s.sqlite3")
    assert spool.replay(store) == 1 and store.get("http://p.test/2")["raw_hash"]
    store.close()


def test_an_sqlite_file_deleted_mid_crawl_is_rebuilt_from_the_open_connection(tmp_path):
    directory = tmp_path / "data"
    uri = f"sqlite:///{directory}/s.sqlite3"
    store = open_store(uri)
    store.save_run({"portal": "zibo", "finished_at": T0, "stats": {}})  # an earlier run's data
    for n in range(3):
        store.save(*page(url=f"http://p.test/{n}", body=f"b{n}".encode()), None)
    store.flush()
    shutil.rmtree(directory)  # `rm -rf data` while the crawl runs
    for n in range(3, 5):
        store.save(*page(url=f"http://p.test/{n}", body=f"b{n}".encode()), None)
    store.flush()
    assert store.incidents and store.incidents[0][0] is False and "rebuilt" in store.incidents[0][1]
    store.save(*page(url="http://p.test/5", body=b"b5"), None)
    store.close()
    again = open_store(uri)
    assert again.count() == 6 and again.last_run("zibo") is not None
    assert again.get_raw("http://p.test/4", again.get("http://p.test/4")["raw_hash"])["body"] == b"b4"
    again.close()


def test_an_sqlite_file_replaced_mid_crawl_is_left_alone_and_the_database_goes_on_beside_it(tmp_path):
    path = tmp_path / "s.sqlite3"
    store = open_store(f"sqlite:///{path}")
    store.save(*page(url="http://p.test/1", body=b"1"), None)
    store.flush()
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE mine (x)")
    os.replace(other, path)  # someone moved another database over it
    store.save(*page(url="http://p.test/2", body=b"2"), None)
    store.flush()  # the commit finds it
    store.close()
    (lost, message), = store.incidents
    rescue = store.path
    assert lost and "replaced" in message and rescue in message and rescue != str(path)
    with sqlite3.connect(path) as conn:  # untouched
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["mine"]
    rescued = open_store(f"sqlite:///{rescue}")
    assert sorted(r["url"] for r in rescued.find()) == ["http://p.test/1", "http://p.test/2"]
    rescued.close()


def test_sqlite_busy_timeout_in_the_uri(tmp_path):
    from gicrawler.store import StoreError

    store = open_store(f"sqlite:///{tmp_path}/s.sqlite3?timeout=0.5")
    assert store.timeout == 0.5 and store.path == str(tmp_path / "s.sqlite3")
    store.close()
    with pytest.raises(StoreError, match="unknown option"):
        open_store(f"sqlite:///{tmp_path}/s.sqlite3?mode=ro")
