"""``gicrawler export`` and ``gicrawler reparse`` on both backends."""
from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from gicrawler import panel, schema, template
from gicrawler.commands import checks, coverage, export, report, reparse
from gicrawler.parsing.checks import RULES as CHECK_RULES
from gicrawler.items import ReportPage
from gicrawler.pipelines.parse import ParsePipeline
from gicrawler.pipelines.record import CRAWLED_AT_KEY, RAWS_KEY
from gicrawler.store import open_store
from tests.conftest import SAMPLES
from tests.test_store import mongomock_server, mongomock_shim, store_uri  # noqa: F401  (fixtures)

T0 = datetime(2025, 2, 1, tzinfo=timezone.utc)
APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def row(n: int) -> dict:
    return {col: n for col in APPLICANTS[:-1]} | {"total": 6 * n}


def record(url, portal, year, template, received=1, balance_ok=True) -> dict:
    applications = {"received": row(received), "carried_over": row(0), "total": row(received),
                    "carried_forward": row(0)}
    if template == "2021":
        applications["other"] = {"no_correction": row(0), "unpaid_fee": row(0), "other": row(0)}
        active = {"regulations": {"issued": 1, "repealed": 0, "in_force": 5}, "fees": {"amount_10k_yuan": 1.5}}
    else:
        applications["other"] = row(0)
        active = {"procurement": {"projects": 2, "amount_yuan": 28231200}}
    return {"url": url, "portal": portal, "year": year, "template": template, "agency": f"{portal}局",
            "title": f"{year}年度报告", "published": f"{year + 1}-01-20",
            "tables": {"active": active, "applications": applications},
            "missing_tables": {"review_litigation": "not found"},
            "checks": [{"rule": "applications.balance", "ok": balance_ok, "detail": ""},
                       {"rule": "published_on_time", "ok": True, "detail": ""}]}


@pytest.fixture
def filled(store_uri):
    store = open_store(store_uri)
    store.save(record("http://z.test/1", "zibo", 2023, "2021"), [{"body": b"z1"}], crawled_at=T0)
    store.save(record("http://z.test/2", "zibo", 2019, "2019", received=4, balance_ok=False),
               [{"body": b"z2"}], crawled_at=T0)
    store.save(record("http://j.test/1", "jiaxing", 2023, "2021", received=7), [{"body": b"j1"}], crawled_at=T0)
    store.save({"url": "http://j.test/404", "portal": "jiaxing", "fetch_error": "HTTP 404"}, [], crawled_at=T0)
    store.close()
    return store_uri


def command(module, argv) -> int:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    return module.run(parser.parse_args(argv))


PANEL_HEADER = list(schema.PANEL_FIELDS) + template.cell_paths() + [f"check.{rule}" for rule in CHECK_RULES]


def test_csv_panel_has_every_cell_of_both_templates(filled, tmp_path):
    out = tmp_path / "panel.csv"
    assert command(export, ["--store", filled, "--format", "csv", "-o", str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert header == PANEL_HEADER
    cells = template.cell_paths()
    for column in ("applications.received.total", "active.regulations.issued", "active.regulations.made",
                   "active.procurement.amount_yuan", "applications.other.total",
                   "applications.other.no_correction.total", "applications.denied.state_secret.natural_person",
                   "review_litigation.litigation_after_review.pending"):
        assert column in cells
    assert len(cells) == len(set(cells)) == 226  # 29 in table A, 26 rows × 7 in B, 15 in C
    by_url = {r[0]: dict(zip(header, r)) for r in body}
    assert set(by_url) == {"http://z.test/1", "http://z.test/2", "http://j.test/1"}  # reports only
    z2 = by_url["http://z.test/2"]
    assert z2["applications.received.total"] == "24" and z2["active.procurement.amount_yuan"] == "28231200"
    assert z2["applications.other.total"] == "0" and z2["applications.other.other.total"] == ""
    assert z2["check.applications.balance"] == "false" and z2["check.published_on_time"] == "true"
    assert z2["check.review_litigation.sums"] == ""
    assert z2["missing_tables"] == "review_litigation:not found"
    assert z2["first_seen"] == "2025-02-01T00:00:00.000+00:00"
    z1 = by_url["http://z.test/1"]
    assert z1["check.applications.balance"] == "true" and z1["active.fees.amount_10k_yuan"] == "1.5"
    # the dead link is a row of its own file, beside the panel
    [dead] = list(csv.DictReader(open(tmp_path / "panel.unreachable.csv", encoding="utf-8")))
    assert dead["url"] == "http://j.test/404" and dead["fetch_error"] == "HTTP 404" and dead["portal"] == "jiaxing"
    assert list(dead) == list(panel.UNREACHABLE_FIELDS)


def test_filters(filled, tmp_path):
    out = tmp_path / "p.csv"
    command(export, ["--store", filled, "--format", "csv", "--portal", "zibo", "-o", str(out)])
    assert [r["url"] for r in csv.DictReader(open(out, encoding="utf-8"))] == ["http://z.test/1", "http://z.test/2"]
    command(export, ["--store", filled, "--format", "csv", "--year", "2023", "-o", str(out)])
    assert [r["url"] for r in csv.DictReader(open(out, encoding="utf-8"))] == ["http://j.test/1", "http://z.test/1"]
    command(export, ["--store", filled, "--format", "csv", "--year", "2023", "--portal", "jiaxing", "-o", str(out)])
    assert [r["url"] for r in csv.DictReader(open(out, encoding="utf-8"))] == ["http://j.test/1"]


def test_jsonl_is_the_stored_records(filled, capsys):
    assert command(export, ["--store", filled, "--format", "jsonl", "--portal", "zibo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["url"] for r in records] == ["http://z.test/1", "http://z.test/2"]
    assert records[1]["tables"]["active"]["procurement"]["amount_yuan"] == 28231200
    assert records[1]["last_crawled"] == "2025-02-01T00:00:00+00:00"
    assert records[1]["versions"][0]["date"] == "2025-02-01T00:00:00+00:00"
    assert "_id" not in records[0]


def test_parquet_panel(filled, tmp_path):
    out = tmp_path / "panel.parquet"
    assert command(export, ["--store", filled, "--format", "parquet", "--year", "2023", "-o", str(out)]) == 0
    table = pq.read_table(out)
    assert table.column_names == PANEL_HEADER
    rows = {r["url"]: r for r in table.to_pylist()}
    assert set(rows) == {"http://z.test/1", "http://j.test/1"}
    assert rows["http://j.test/1"]["applications.received.total"] == 42
    assert rows["http://z.test/1"]["check.applications.balance"] is True
    assert str(table.schema.field("applications.received.total").type) == "int64"
    assert str(table.schema.field("active.fees.amount_10k_yuan").type) == "double"
    assert str(table.schema.field("year").type) == "int64"


def test_parquet_needs_an_output_file(filled):
    assert command(export, ["--store", filled, "--format", "parquet"]) == 2


@pytest.mark.parametrize("module", [export, reparse, checks, coverage, report], ids=lambda m: m.__name__)
def test_store_down_is_a_clear_error(module, capsys, tmp_path):
    uri = "mongodb://u:topsecret@127.0.0.1:1/x?serverSelectionTimeoutMS=200"
    argv = ["--store", uri] + (["-o", str(tmp_path / "r.html")] if module is report else [])
    assert command(module, argv) == 2
    err = capsys.readouterr().err.splitlines()
    name = module.__name__.rsplit(".", 1)[-1]
    assert len(err) == 1 and err[0].startswith(f"gicrawler {name}: ")
    assert "127.0.0.1:1" in err[0] and "topsecret" not in err[0]


@pytest.mark.parametrize("module", [export, reparse, checks, coverage, report], ids=lambda m: m.__name__)
def test_not_a_store_is_a_clear_error(module, capsys, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not an SQLite database" * 100)
    argv = ["--store", f"sqlite:///{junk}"] + (["-o", str(tmp_path / "r.html")] if module is report else [])
    assert command(module, argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"gicrawler {module.__name__.rsplit('.', 1)[-1]}: "), err


@pytest.mark.parametrize("module", [export, reparse, checks, coverage, report], ids=lambda m: m.__name__)
def test_a_store_that_is_not_there_is_a_clear_error(module, capsys, tmp_path):
    """A mistyped SQLite path is said so — not a new empty database (and its directories) made to
    report 0 records from, with exit status 0."""
    missing = tmp_path / "no" / "such" / "gicrawler.sqlite3"
    argv = ["--store", f"sqlite:///{missing}"] + (["-o", str(tmp_path / "r.html")] if module is report else [])
    assert command(module, argv) == 2
    err = capsys.readouterr().err.splitlines()
    name = module.__name__.rsplit(".", 1)[-1]
    assert len(err) == 1 and err[0].startswith(f"gicrawler {name}: ") and f"no database at {missing}" in err[0], err
    assert not (tmp_path / "no").exists()


# -- reparse --------------------------------------------------------------------------------------

def crawl_corpus(store_uri) -> list[str]:
    """Store the corpus pages the way a crawl would (ParsePipeline → Store)."""
    pipeline = ParsePipeline()
    store = open_store(store_uri)
    urls = []
    for path in sorted(SAMPLES.glob("*.txt")):
        url = f"http://corpus.test/{path.name}"
        item = ReportPage(url=url, portal="corpus", list_title=path.stem, list_date=None, body=path.read_bytes(),
                          content_type="text/plain; charset=utf-8", metadata={}, attachments=[])
        rec = pipeline.process_item(item)
        store.save(rec, rec.pop(RAWS_KEY), rec.pop(CRAWLED_AT_KEY))
        urls.append(url)
    store.close()
    return urls


def test_reparse_restores_what_the_parser_finds(store_uri, capsys):
    urls = crawl_corpus(store_uri)
    store = open_store(store_uri)
    before = {u: store.get(u) for u in urls}
    # records parsed by an "older parser": tables lost on two of them
    store.set_fields(urls[0], {"tables": {}, "template": None})
    store.set_fields(urls[2], {"title": "wrong", "checks": []})
    store.close()
    assert command(reparse, ["--store", store_uri]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == f"2 records changed ({len(urls)} re-parsed)"
    assert "reparse" in captured.err  # the progress bar
    store = open_store(store_uri)
    for url in urls:
        after = store.get(url)
        assert after == before[url]  # parsed fields back, lifecycle untouched
    store.close()
    assert command(reparse, ["--store", store_uri, "--portal", "corpus"]) == 0
    assert capsys.readouterr().out.strip() == f"0 records changed ({len(urls)} re-parsed)"


def test_cli_entry_point(tmp_path):
    uri = f"sqlite:///{tmp_path}/cli.sqlite3"
    crawl_corpus(uri)
    proc = subprocess.run([sys.executable, "-m", "gicrawler", "export", "--store", uri, "--format", "csv"],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == len(list(SAMPLES.glob("*.txt")))
    assert "exported" in proc.stderr


def test_unwritable_output_is_a_one_line_error(filled, tmp_path, capsys):
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / "missing-dir" / f"panel.{fmt}"
        assert command(export, ["--store", filled, "--format", fmt, "-o", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"gicrawler export: cannot write {out}") and "\n" not in err


def test_reparse_counts_only_what_it_could_reparse(store_uri, capsys):
    urls = crawl_corpus(store_uri)
    store = open_store(store_uri)
    store.save({"url": "http://corpus.test/404", "portal": "corpus", "fetch_error": "HTTP 404"}, [])
    # a record whose raw page is not in the store (e.g. raw rows pruned): nothing to re-parse
    store.set_fields(urls[1], {"raw_hash": "0" * 40})
    assert store.count(with_raw_only=True) == len(urls) and store.count() == len(urls) + 1
    store.close()
    assert command(reparse, ["--store", store_uri]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"0 records changed ({len(urls) - 1} re-parsed, 1 without their raw page in the store)"
    assert f"{len(urls)}/{len(urls)}" in err  # the progress bar's total is what iter_raw yields
