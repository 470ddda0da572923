"""Checks across the store: gicrawler/analysis/crosschecks.py and ``gicrawler checks``."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from gicrawler.analysis import crosschecks
from gicrawler.parsing.checks import STORE_RULES
from gicrawler.store import open_store
from tests.conftest import SAMPLES
from tests.test_store import mongomock_server, mongomock_shim, store_uri  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent
COLS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org")
T0 = datetime(2025, 2, 1, tzinfo=timezone.utc)


def row(*six) -> dict:
    six = list(six) + [0] * (6 - len(six))
    return dict(zip(COLS, six)) | {"total": sum(six)}


def tables(received=(5, 1), carried_over=(0,), carried_forward=(1,), granted=None, review=2):
    rec = row(*received)
    over, fwd = row(*carried_over), row(*carried_forward)
    done = [a + b - c for a, b, c in zip(rec.values(), over.values(), fwd.values())][:6]
    return {"active": {"regulations": {"issued": 1, "repealed": 0, "in_force": 7},
                       "licensing": {"decisions": 120}, "fees": {"amount_10k_yuan": 3.5}},
            "applications": {"received": rec, "carried_over": over, "granted": row(*(granted or done)),
                             "total": row(*done), "carried_forward": fwd},
            "review_litigation": {"review": {"upheld": review, "corrected": 0, "other": 0, "pending": 0,
                                             "total": review}}}


def rec(url, year, t, *, portal="zibo", title=None, publisher="淄博市人民政府", region="山东省淄博市", versions=None):
    return {"url": url, "portal": portal, "region": region, "year": year, "publisher": publisher,
            "title": title or f"淄博市大数据局{year}年政府信息公开工作年度报告", "tables": t,
            "versions": versions or [{"hash": url, "date": T0, "attachments": []}]}


def findings(records, rule, **kw):
    return [f for f in crosschecks.run(iter(records), **kw) if f["rule"] == rule]


# ------------------------------------------------------------------ agency identity
def test_agency_is_the_title_s_body_not_the_site_owner():
    a = rec("u1", 2022, tables(), publisher="淄博市人民政府")
    b = rec("u2", 2023, tables(), publisher=None, title="山东省淄博市大数据局2023年政府信息公开工作年度报告")
    assert crosschecks.agency_of(a) == crosschecks.agency_of(b) == "淄博市大数据局"
    gov = rec("u3", 2020, tables(), title="淄博市2020年政府信息公开工作年度报告")
    assert crosschecks.agency_of(gov) == "淄博市人民政府"
    placeless = rec("u4", 2020, tables(), title="区财政局2020年政府信息公开工作年度报告", region=None)
    assert crosschecks.agency_of(placeless) == "zibo:区财政局"      # known only within its portal


# ------------------------------------------------------------------ store.carried_forward
def test_carried_forward_equals_next_years_carried_over():
    y1 = rec("u1", 2022, tables(carried_forward=(1, 0, 2)))
    y2 = rec("u2", 2023, tables(carried_over=(1, 0, 2)))
    [f] = findings([y1, y2], "store.carried_forward")
    assert f == {"rule": "store.carried_forward", "ok": True, "agency": "淄博市大数据局", "year": 2023,
                 "urls": ["u1", "u2"], "detail": "carried_forward 2022 = carried_over 2023 in all 7 columns"}


def test_carried_forward_mismatch_names_the_columns():
    y1 = rec("u1", 2022, tables(carried_forward=(1, 0, 2)))
    y2 = rec("u2", 2023, tables(carried_over=(1, 1, 2)))
    [f] = findings([y2, y1], "store.carried_forward")          # any order
    assert f["ok"] is False
    assert f["detail"] == ("commercial: carried_forward 2022 = 0 ≠ carried_over 2023 = 1; "
                           "total: carried_forward 2022 = 3 ≠ carried_over 2023 = 4")


def test_carried_forward_needs_both_rows_and_consecutive_years():
    no_b = tables()
    del no_b["applications"]
    assert findings([rec("u1", 2022, tables()), rec("u2", 2023, no_b)], "store.carried_forward") == []
    assert findings([rec("u1", 2021, tables()), rec("u2", 2023, tables())], "store.carried_forward") == []
    # another agency's next year is not this one's
    other = rec("u2", 2023, tables(carried_over=(9,)), title="淄博市教育局2023年政府信息公开工作年度报告")
    assert findings([rec("u1", 2022, tables()), other], "store.carried_forward") == []


# ------------------------------------------------------------------ store.identical_tables
def test_identical_tables_flagged():
    t = tables(received=(40, 3, 1), granted=(30, 2, 1))
    [f] = findings([rec("u1", 2022, t), rec("u2", 2023, copy.deepcopy(t))], "store.identical_tables")
    assert f["ok"] is False and f["year"] == 2023 and f["urls"] == ["u1", "u2"]
    assert f["detail"].startswith("tables active, applications, review_litigation identical to 2022's (")


def test_identical_only_where_stocks_are_is_no_copy():
    t1, t2 = tables(), tables(received=(6, 1))
    t2["active"]["regulations"]["in_force"] = t1["active"]["regulations"]["in_force"]
    [f] = findings([rec("u1", 2022, t1), rec("u2", 2023, t2)], "store.identical_tables")
    assert f["ok"] is True and f["detail"] == "tables differ from 2022's"
    # 现行有效件数 (a stock) changes, every flow stays: still a copy
    t3 = copy.deepcopy(tables(received=(40, 3, 1)))
    t4 = copy.deepcopy(t3)
    t4["active"]["regulations"]["in_force"] = 8
    [f] = findings([rec("u1", 2022, t3), rec("u2", 2023, t4)], "store.identical_tables")
    assert f["ok"] is False


def test_small_identical_tables_are_not_a_copy():
    # one application a year, granted; nothing else: 4 non-zero cells, the same two years running
    small = {"applications": {"received": row(1), "granted": row(1), "total": row(1),
                              "carried_over": row(), "carried_forward": row()}}
    [f] = findings([rec("u1", 2022, small), rec("u2", 2023, copy.deepcopy(small))], "store.identical_tables")
    assert f["ok"] is True and "nearly) all zero" in f["detail"]


# ------------------------------------------------------------------ store.duplicate_reports
def test_duplicate_on_two_portals():
    t = tables()
    same = [rec("u1", 2023, t, portal="zibo"), rec("u2", 2023, copy.deepcopy(t), portal="shandong")]
    [f] = findings(same, "store.duplicate_reports")
    assert f["ok"] is True and f["urls"] == ["u1", "u2"]
    different = [rec("u1", 2023, t, portal="zibo"), rec("u2", 2023, tables(received=(7, 1)), portal="shandong")]
    [f] = findings(different, "store.duplicate_reports")
    assert f["ok"] is False
    assert f["detail"] == ("on zibo and shandong with different numbers in applications "
                           "(received.total 6 vs 8; total.total 5 vs 7)")
    # twice on one portal is not "on different portals"
    assert findings([rec("u1", 2023, t), rec("u2", 2023, tables(received=(7,)))], "store.duplicate_reports") == []


# ------------------------------------------------------------------ store.changed_after_publication
def _versions(*attachments):
    return [{"hash": f"h{i}", "date": T0 + timedelta(days=i), "attachments": list(a)} for i, a in enumerate(attachments)]


def test_changed_after_publication_from_versions():
    one = rec("u1", 2023, tables())
    [f] = findings([one], "store.changed_after_publication")
    assert f["ok"] is True and f["detail"] == "one version, stored 2025-02-01"
    attachment = rec("u2", 2023, tables(), versions=_versions(["a1"], ["a2"]))
    [f] = findings([attachment], "store.changed_after_publication")
    assert f["ok"] is False
    assert f["detail"] == "2 versions (2025-02-01, 2025-02-02): the page and its attachments changed"
    page_only = rec("u3", 2023, tables(), versions=_versions([], []))
    [f] = findings([page_only], "store.changed_after_publication")
    assert f["ok"] is False and "not re-parsed" in f["detail"]
    [f] = findings([page_only], "store.changed_after_publication", verify=lambda r: False)
    assert f["ok"] is True and f["detail"].endswith("around the report; its text and tables are the same")
    [f] = findings([page_only], "store.changed_after_publication", verify=lambda r: True)
    assert f["ok"] is False and "not re-parsed" not in f["detail"]


def test_run_reads_its_records_once():
    records = [rec("u1", 2022, tables()), rec("u2", 2023, tables())]
    seen = []

    def stream():
        for r in records:
            seen.append(r["url"])
            yield r
    out = crosschecks.run(stream())
    assert seen == ["u1", "u2"]
    assert [f["rule"] for f in out] == sorted((f["rule"] for f in out), key=STORE_RULES.index)


def test_findings_shape():
    for f in crosschecks.run([rec("u1", 2022, tables()), rec("u2", 2023, tables())]):
        assert set(f) == {"rule", "ok", "agency", "year", "urls", "detail"} and f["rule"] in STORE_RULES


# ------------------------------------------------------------------ re-parsing a changed page
def _page(extra_head: str = "", extra_body: str = "") -> bytes:
    text = (SAMPLES / "003_053508a99f49d19d.txt").read_text(encoding="utf-8")
    head, sep, rest = text.partition("一、总体情况")
    return (head + extra_head + sep + rest + extra_body).encode("utf-8")


@pytest.mark.parametrize("change,changed", [("page", False), ("report", True)])
def test_page_change_verifier(store_uri, change, changed):
    store = open_store(store_uri)
    url = "http://z.test/003.txt"
    base = {"url": url, "portal": "zibo", "title": "淄博市2020年政府信息公开工作年度报告", "year": 2020,
            "tables": tables()}
    store.save(dict(base), [{"body": _page(), "content_type": "text/plain; charset=utf-8"}], crawled_at=T0)
    body = _page(extra_head="浏览次数：1024\n") if change == "page" else _page(
        extra_body="\n更正说明：本报告部分文字表述于发布后作了更正。\n")
    store.save(dict(base), [{"body": body, "content_type": "text/plain; charset=utf-8"}],
               crawled_at=T0 + timedelta(days=3))
    store.flush()
    record = store.get(url)
    assert len(record["versions"]) == 2
    verify = crosschecks.page_change_verifier(store)
    assert verify(record) is changed
    [f] = [f for f in crosschecks.run([record], verify=verify) if f["rule"] == "store.changed_after_publication"]
    assert f["ok"] is (not changed)
    store.close()


def test_page_change_verifier_cannot_tell_past_the_parse_limit(store_uri):
    """A version whose parse runs past the per-document limit (a hostile page) is "cannot tell"
    (None), not a hung `gicrawler checks` or crawl close: the parse runs in a killable child."""
    store = open_store(store_uri)
    url = "http://z.test/003.txt"
    base = {"url": url, "portal": "zibo", "title": "淄博市2020年政府信息公开工作年度报告", "year": 2020,
            "tables": tables()}
    for day, body in ((0, _page()), (3, _page(extra_body="\n更正说明：本报告部分文字表述于发布后作了更正。\n"))):
        store.save(dict(base), [{"body": body, "content_type": "text/plain; charset=utf-8"}],
                   crawled_at=T0 + timedelta(days=day))
    store.flush()
    record = store.get(url)
    assert crosschecks.page_change_verifier(store, timeout=0.001)(record) is None
    assert crosschecks.page_change_verifier(store, timeout=60)(record) is True
    store.close()


# ------------------------------------------------------------------ gicrawler checks
def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gicrawler", "checks", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd or ROOT)


class _Done:
    def __init__(self, returncode, out):
        self.returncode, self.stdout, self.stderr = returncode, out.out, out.err


def _main(capsys, *args):
    """The command in this process (the mongomock store lives here)."""
    from gicrawler.cli import main
    code = main(["checks", *args])
    return _Done(code, capsys.readouterr())


def test_cli_table_jsonl_and_exit_status(store_uri, capsys):
    store = open_store(store_uri)
    store.save(rec("http://z.test/2022", 2022, tables(carried_forward=(1,))), [{"body": b"a"}], crawled_at=T0)
    store.save(rec("http://z.test/2023", 2023, tables(carried_over=(2,))), [{"body": b"b"}], crawled_at=T0)
    store.close()
    proc = _main(capsys, "--store", store_uri)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["rule", "ok", "agency", "year", "detail"]
    assert lines[1].split()[:4] == ["store.carried_forward", "NO", "淄博市大数据局", "2023"]
    assert "natural_person: carried_forward 2022 = 1 ≠ carried_over 2023 = 2" in lines[1]
    summary = {line.split()[0]: line.split()[1:] for line in lines if line.startswith("store.") and len(line.split()) == 3}
    assert summary["store.carried_forward"] == ["1", "1"] and summary["store.identical_tables"] == ["1", "0"]
    proc = _main(capsys, "--store", store_uri, "--format", "jsonl")
    assert proc.returncode == 1
    found = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {f["rule"] for f in found} == {"store.carried_forward", "store.identical_tables",
                                          "store.changed_after_publication"}
    assert [f["ok"] for f in found if f["rule"] == "store.carried_forward"] == [False]


def test_cli_passes_with_exit_0(store_uri, capsys):
    store = open_store(store_uri)
    store.save(rec("http://z.test/2022", 2022, tables(carried_forward=(1,))), [{"body": b"a"}], crawled_at=T0)
    store.save(rec("http://z.test/2023", 2023, tables(carried_over=(1,), received=(9, 2))), [{"body": b"b"}],
               crawled_at=T0)
    store.close()
    proc = _main(capsys, "--store", store_uri, "--all")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "store.carried_forward            yes" in proc.stdout


def test_cli_runs_as_a_command(tmp_path):
    uri = f"sqlite:///{tmp_path / 's.sqlite3'}"
    store = open_store(uri)
    store.save(rec("http://z.test/2023", 2023, tables()), [{"body": b"b"}], crawled_at=T0)
    store.close()
    proc = _cli("--store", uri, "--format", "jsonl", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["rule"] for line in proc.stdout.splitlines()] == ["store.changed_after_publication"]


def test_cli_bad_store_exits_2(tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database")
    for uri in (f"sqlite:///{bad}", "nosuch://x", f"sqlite:///{tmp_path / 'empty.sqlite3'}"):
        proc = _cli("--store", uri, cwd=tmp_path)
        assert proc.returncode == 2, (uri, proc.stderr)
        assert proc.stderr.startswith("gicrawler checks: ") and "Traceback" not in proc.stderr
