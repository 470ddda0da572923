"""Coverage (gicrawler/analysis/coverage.py) and ``gicrawler coverage``: agencies × years."""
from __future__ import annotations

import argparse
import csv
import io
import json
import re

import pytest

from gicrawler.analysis import coverage, crosschecks
from gicrawler.commands import coverage as coverage_cmd
from gicrawler.store import open_store
from tests.test_store import mongomock_server, mongomock_shim, store_uri  # noqa: F401  (fixtures)

FULL = {"active": {"regulations": {"issued": 1}}, "applications": {"received": {"total": 3}},
        "review_litigation": {"review": {"total": 0}}}


def rec(url, agency, year, *, tables=FULL, missing=None, checks=(), **extra) -> dict:
    return {"url": url, "portal": extra.pop("portal", "p"), "agency": agency, "year": year, "raw_hash": "x" * 40,
            "tables": tables, "missing_tables": missing or {}, "checks": list(checks), **extra}


def dead(url, title, portal="p") -> dict:
    return {"url": url, "portal": portal, "fetch_error": "HTTP 404", "raw_hash": None, "list_title": title}


RECORDS = [
    rec("u/a19", "甲局", 2019),
    rec("u/a20", "甲局", 2020, checks=[{"rule": "applications.balance", "ok": False, "detail": "d"},
                                      {"rule": "published_on_time", "ok": True, "detail": ""}]),
    rec("u/a20b", "甲局", 2020, tables={"active": FULL["active"]},
        missing={"applications": "image", "review_litigation": "image"}),
    rec("u/b21", "乙局", 2021, tables={"active": FULL["active"], "applications": FULL["applications"]},
        missing={"review_litigation": "not found"}, portal="q"),
    rec("u/b22", "乙局", 2022, tables={}, missing={"applications": "image", "review_litigation": "image",
                                                 "active": "image"}, portal="q"),
    rec("u/b23", "乙局", 2023, tables=None, missing=None, parse_error="boom", portal="q"),
    dead("u/dead", "甲局2021年政府信息公开工作年度报告"),
    dead("u/dead2", "无年份的链接"),   # neither agency nor year: a row of its own, never dropped
]


def by_key(rows):
    return {(r["agency"], r["year"]): r for r in rows}


def test_statuses():
    status = {r["url"]: coverage.status(r) for r in RECORDS}
    assert status == {"u/a19": "parsed", "u/a20": "parsed", "u/a20b": "image-only", "u/b21": "tables missing",
                      "u/b22": "image-only", "u/b23": "tables missing", "u/dead": "unreachable",
                      "u/dead2": "unreachable"}


def test_rows_per_agency_and_year():
    rows = coverage.compute(RECORDS)
    cells = by_key(rows)
    assert list(cells) == [("乙局", 2021), ("乙局", 2022), ("乙局", 2023), ("甲局", 2019), ("甲局", 2020),
                           ("甲局", 2021), (None, None)]
    a20 = cells[("甲局", 2020)]
    assert (a20["found"], a20["parsed"], a20["image_only"], a20["checks_failing"]) == (2, 1, 1, 1)
    assert a20["status"] == "parsed" and a20["failed_rules"] == ["applications.balance"] and a20["portals"] == ["p"]
    # a dead link is counted where its list title says (the page itself never came)
    assert cells[("甲局", 2021)] | {} == {"agency": "甲局", "year": 2021, "status": "unreachable", "found": 1,
                                         "parsed": 0, "tables_missing": 0, "image_only": 0, "unreachable": 1,
                                         "checks_failing": 0, "failed_rules": [], "portals": ["p"]}
    assert cells[("乙局", 2021)]["status"] == "tables missing" and cells[("乙局", 2023)]["tables_missing"] == 1
    assert cells[("乙局", 2022)]["status"] == "image-only"
    assert coverage.totals(rows) == {"found": 8, "parsed": 2, "tables_missing": 2, "image_only": 2,
                                     "unreachable": 2, "checks_failing": 1}


def test_agency_is_the_one_the_cross_store_checks_name():
    """淄博市 (a title), 淄博市人民政府 (a publisher, another portal) and a dead link titled 淄博市 are
    one agency: a finding of the cross-store checks falls in a cell the records are in."""
    from tests.test_crosschecks import rec as cross_rec, tables

    records = [
        cross_rec("u/z19", 2019, tables(carried_forward=(1,)), title="淄博市2019年政府信息公开工作年度报告",
                  publisher=None),
        cross_rec("u/z20", 2020, tables(carried_over=(2,)), portal="shandong",
                  title="淄博市人民政府2020年政府信息公开工作年度报告"),
        dead("u/z21", "淄博市2021年政府信息公开工作年度报告"),
    ]
    records[2]["region"] = "山东省淄博市"
    findings = crosschecks.run(iter(records))
    assert [(f["agency"], f["year"]) for f in findings if not f["ok"]] == [("淄博市人民政府", 2020)]
    cells = by_key(coverage.compute(records, findings))
    assert list(cells) == [("淄博市人民政府", 2019), ("淄博市人民政府", 2020), ("淄博市人民政府", 2021)]
    assert cells[("淄博市人民政府", 2020)]["failed_rules"] == ["store.carried_forward"]
    assert cells[("淄博市人民政府", 2020)]["checks_failing"] == 1 and cells[("淄博市人民政府", 2019)]["checks_failing"] == 0
    assert cells[("淄博市人民政府", 2021)]["status"] == "unreachable"
    assert all(c["found"] for c in cells.values())   # no cell of a finding alone


class CountingStore:
    """A real store whose ``find`` calls are counted."""

    def __init__(self, store):
        self.store, self.finds = store, 0

    def find(self, **kw):
        self.finds += 1
        return self.store.find(**kw)

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_read_store_is_one_pass_and_reparses_a_changed_page(tmp_path):
    """``of_store`` reads the store once (coverage and cross-store checks in the same pass) and
    re-parses a changed page's versions: a page that changed only around the report (a view
    counter) is no failing finding; judged by its versions alone, it is."""
    from datetime import timedelta

    from tests.test_crosschecks import T0, _page, tables

    s = open_store(f"sqlite:///{tmp_path}/changed.sqlite3")
    base = {"url": "http://z.test/003.txt", "portal": "zibo", "region": "山东省淄博市",
            "title": "淄博市2020年政府信息公开工作年度报告", "year": 2020, "tables": tables()}
    s.save(dict(base), [{"body": _page(), "content_type": "text/plain; charset=utf-8"}], crawled_at=T0)
    s.save(dict(base), [{"body": _page(extra_head="浏览次数：1024\n"), "content_type": "text/plain; charset=utf-8"}],
           crawled_at=T0 + timedelta(days=3))
    s.flush()
    store = CountingStore(s)
    try:
        [row] = coverage.of_store(store)
        assert store.finds == 1
        assert (row["agency"], row["year"], row["checks_failing"]) == ("淄博市人民政府", 2020, 0)
        [row] = coverage.of_store(store, reparse=False)
        assert row["failed_rules"] == ["store.changed_after_publication"] and row["checks_failing"] == 1
    finally:
        s.close()


def test_what_the_crawl_wrote_is_not_read_again_and_gives_the_same_rows(store_uri):
    """``of_store(..., written=)``, as the stats extension calls it at a crawl's end, reads from
    the store only the records it did not see written (there before, or touched since) and
    gives the rows of a whole read: findings across old and new records, a changed page
    re-parsed, a record written twice counted once."""
    from datetime import timedelta

    from tests.test_crosschecks import T0, _page, rec as cross_rec, tables

    store = open_store(store_uri)
    page = {"content_type": "text/plain; charset=utf-8"}
    try:
        before = [cross_rec("u/z18", 2018, tables(carried_forward=(2,))),
                  cross_rec("u/z19", 2019, tables(carried_over=(2,), carried_forward=(1,))),
                  *({k: v for k, v in r.items() if k != "raw_hash"} for r in RECORDS)]
        for r in before:
            store.save({k: v for k, v in r.items() if k != "versions"}, [{"body": r["url"].encode()}], T0)
        store.flush()
        written = coverage.Written()
        store.watch(written)
        changed = {"url": "http://z.test/003.txt", "portal": "zibo", "region": "山东省淄博市",
                   "title": "淄博市2020年政府信息公开工作年度报告", "year": 2020, "tables": tables()}
        for extra, days in (("", 0), ("浏览次数：1024\n", 3)):  # changed around the report only
            store.save(dict(changed), [{"body": _page(extra_head=extra), **page}], T0 + timedelta(days=days))
        new = [cross_rec("u/z20", 2020, tables(carried_over=(3,))),  # ≠ 2019's carried_forward
               rec("u/c21", "丙局", 2021, portal="q"), dead("u/dead3", "丙局2022年政府信息公开工作年度报告")]
        for r in new:
            store.save({k: v for k, v in r.items() if k not in ("versions", "raw_hash")},
                       [] if r.get("fetch_error") else [{"body": r["url"].encode()}], T0 + timedelta(days=5))
        store.save(dict(before[1]) | {"tables": tables(carried_over=(1,))}, [{"body": b"v2"}], T0 + timedelta(days=6))
        store.touch("u/dead", list_title="乙局2021年政府信息公开工作年度报告")  # written before, changed now
        store.save(dict(new[1]), [{"body": b"u/c21"}], T0 + timedelta(days=7))  # unchanged
        store.touch("u/c21", list_title="丙局报告")  # written this run, then changed
        store.flush()
        assert set(written.kept) == {changed["url"], "u/z20", "u/dead3", "u/z19"}

        read = []
        find_urls = store.find_urls
        store.find_urls = lambda urls: read.extend(urls) or find_urls(urls)
        for portal in ("zibo", "p", "q", None):
            for reparse in (True, False):
                assert coverage.of_store(store, portal, reparse, written=written) \
                    == coverage.of_store(store, portal, reparse)
        assert set(read) == {r["url"] for r in before} - {"u/z19"} | {"u/c21"}
        failing = {r["agency"]: r["failed_rules"] for r in coverage.of_store(store, "zibo", written=written)
                   if r["year"] == 2020}
        # 2019's carried_forward (rewritten this run) ≠ 2020's carried_over; the page that changed
        # around its report only is no failure
        assert failing == {"淄博市大数据局": ["store.carried_forward"], "淄博市人民政府": []}
    finally:
        store.close()


def test_a_record_the_coverage_cannot_read_is_still_saved(tmp_path):
    """The watcher never fails a save: a record it cannot read (tables that are not tables) is
    stored, and left for the end's read of the store, which says so as before."""
    store = open_store(f"sqlite:///{tmp_path}/odd.sqlite3")
    written = coverage.Written()
    store.watch(written)
    try:
        assert store.save(rec("u/odd", "甲局", 2020, tables={"applications": "not a table"}),
                          [{"body": b"x"}]) == "new"
        assert store.get("u/odd") and "u/odd" not in written.kept
        with pytest.raises(AttributeError):
            coverage.of_store(store, "p", written=written)
    finally:
        store.close()


# -- the command ----------------------------------------------------------------------------------

def command(argv) -> int:
    parser = argparse.ArgumentParser()
    coverage_cmd.add_arguments(parser)
    return coverage_cmd.run(parser.parse_args(argv))


@pytest.fixture
def store(tmp_path):
    uri = f"sqlite:///{tmp_path}/cov.sqlite3"
    s = open_store(uri)
    for r in RECORDS:
        s.save({k: v for k, v in r.items() if k != "raw_hash"},
               [] if r.get("fetch_error") else [{"body": r["url"].encode()}])
    s.close()
    return uri


def test_command_formats(store, capsys):
    assert command(["--store", store, "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == coverage.compute(RECORDS)
    assert command(["--store", store, "--format", "csv", "--portal", "q"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["agency"], r["year"], r["status"]) for r in table] == [
        ("乙局", "2021", "tables missing"), ("乙局", "2022", "image-only"), ("乙局", "2023", "tables missing")]
    assert command(["--store", store]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["agency", "year", "status", "found"]
    assert lines[-1].split()[:3] == ["total", "8", "2"]
    # CJK agency names take two columns each: the numbers stay aligned
    assert len({coverage_cmd._width(line[:re.search(r"\d{4}", line).end()]) for line in lines[1:7]}) == 1


def test_empty_store_and_store_down(tmp_path, capsys):
    open_store(f"sqlite:///{tmp_path}/empty.sqlite3").close()      # a store with nothing in it
    assert command(["--store", f"sqlite:///{tmp_path}/empty.sqlite3"]) == 1
    assert "no records" in capsys.readouterr().err
    assert command(["--store", f"sqlite:///{tmp_path}/missing.sqlite3"]) == 2      # no store at all
    assert "no database at" in capsys.readouterr().err
    assert command(["--store", "mongodb://127.0.0.1:1/x?serverSelectionTimeoutMS=200"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gicrawler coverage: ") and "\n" not in err
