"""The panel loads clean: pandas dtypes, one column set across templates, reports apart from dead
links, and a Frictionless Data Package that validates (gicrawler/panel.py, docs/panel.md)."""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import frictionless
import pandas as pd
import pyarrow.parquet as pq
import pytest

from gicrawler import panel, template
from gicrawler.commands import export
from gicrawler.parsing.checks import RULES as CHECK_RULES
from gicrawler.store import open_store
from tests.test_cli_export import T0, crawl_corpus, record
from tests.test_store import mongomock_server, mongomock_shim, store_uri  # noqa: F401  (fixtures)

DOCS = Path(__file__).resolve().parent.parent / "docs"
COUNTS = [c.path for c in template.cells() if c.unit == template.COUNT]
AMOUNTS = [c.path for c in template.cells() if c.unit != template.COUNT]


def command(argv) -> int:
    parser = argparse.ArgumentParser()
    export.add_arguments(parser)
    return export.run(parser.parse_args(argv))


@pytest.fixture
def store(store_uri):
    """The corpus reports parsed the way a crawl stores them, two synthetic reports (one per
    template) and a dead link."""
    crawl_corpus(store_uri)
    s = open_store(store_uri)
    s.save(record("http://z.test/1", "zibo", 2023, "2021"), [{"body": b"z1"}], crawled_at=T0)
    s.save(record("http://z.test/2", "zibo", 2019, "2019", received=4, balance_ok=False), [{"body": b"z2"}],
           crawled_at=T0)
    s.save({"url": "http://z.test/404", "portal": "zibo", "fetch_error": "HTTP 404",
            "list_title": "淄博市人民政府2019年政府信息公开工作年度报告", "list_date": "2020-01-20"}, [], crawled_at=T0)
    s.close()
    return store_uri


def stored(uri) -> dict[str, dict]:
    s = open_store(uri)
    try:
        return {r["url"]: r for r in s.find()}
    finally:
        s.close()


def assert_frame_matches_records(df: pd.DataFrame, records: dict[str, dict]) -> None:
    reports = {u: r for u, r in records.items() if not r.get("fetch_error")}
    assert sorted(df["url"]) == sorted(reports)
    for _, row in df.iterrows():
        rec = reports[row["url"]]
        flat = panel.flatten(rec.get("tables") or {})
        assert row["year"] == rec["year"] and row["template"] == rec["template"] and row["agency"] == rec["agency"]
        kind = rec.get("agency_kind")
        assert pd.isna(row["agency_kind"]) if kind is None else row["agency_kind"] == kind, rec["url"]
        for path in COUNTS + AMOUNTS:
            value = row[path]
            if flat.get(path) is None:
                assert pd.isna(value), (rec["url"], path)
            else:
                assert value == flat[path] and not pd.isna(value), (rec["url"], path)
        checks = panel.check_results(rec)
        for rule in CHECK_RULES:
            value = row[f"check.{rule}"]
            assert (pd.isna(value) if rule not in checks else bool(value) is checks[rule]), (rec["url"], rule)


def assert_dtypes(df: pd.DataFrame) -> None:
    assert str(df["year"].dtype) == "Int64"
    assert {str(df[c].dtype) for c in COUNTS} == {"Int64"}
    assert {str(df[c].dtype) for c in AMOUNTS} == {"Float64"}
    assert {str(df[f"check.{r}"].dtype) for r in CHECK_RULES} == {"boolean"}
    assert str(df["first_seen"].dtype).startswith("datetime64") and "UTC" in str(df["first_seen"].dtype)
    assert str(df["agency"].dtype) == "string"


def test_parquet_loads_with_nullable_integers(store, tmp_path):
    out = tmp_path / "panel.parquet"
    assert command(["--store", store, "--format", "parquet", "-o", str(out)]) == 0
    df = pd.read_parquet(out)            # no dtype arguments: the file says what its columns are
    assert_dtypes(df)
    records = stored(store)
    assert_frame_matches_records(df, records)
    assert len(df) == sum(1 for r in records.values() if not r.get("fetch_error")) == 7
    # blank is <NA>, never 0: a 2021 report has no 2019-only cells, a 2019 one no 2021-only cells
    by_url = df.set_index("url")
    assert pd.isna(by_url.loc["http://z.test/1", "active.procurement.projects"])
    assert by_url.loc["http://z.test/2", "active.procurement.projects"] == 2
    assert pd.isna(by_url.loc["http://z.test/2", "applications.other.no_correction.total"])
    dead = pd.read_parquet(tmp_path / "panel.unreachable.parquet")
    assert list(dead["url"]) == ["http://z.test/404"] and str(dead["year"].dtype) == "Int64"
    assert dead.loc[0, "year"] == 2019 and dead.loc[0, "agency"] == "淄博市人民政府"
    # row groups: the writer streamed in batches with one schema
    assert pq.ParquetFile(out).schema_arrow.field("applications.received.total").type == "int64"


def test_parquet_is_written_in_row_groups(store, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "BATCH", 2)
    monkeypatch.setattr(export, "ROW_GROUP", 4)
    out = tmp_path / "panel.parquet"
    assert command(["--store", store, "--format", "parquet", "-o", str(out)]) == 0
    groups = pq.ParquetFile(out).metadata
    assert [groups.row_group(i).num_rows for i in range(groups.num_row_groups)] == [4, 3]   # 7 reports
    assert_frame_matches_records(pd.read_parquet(out), stored(store))


def test_csv_loads_with_the_documented_dtypes(store, tmp_path):
    out = tmp_path / "panel.csv"
    assert command(["--store", store, "--format", "csv", "-o", str(out)]) == 0
    df = panel.read_csv(out)
    assert_dtypes(df)
    assert_frame_matches_records(df, stored(store))
    # the documented hint without gicrawler: counts come out Int64, not float64
    plain = pd.read_csv(out, dtype_backend="numpy_nullable")
    assert str(plain["year"].dtype) == "Int64" and str(plain["applications.received.total"].dtype) == "Int64"
    dead = panel.read_csv(tmp_path / "panel.unreachable.csv")
    assert list(dead["url"]) == ["http://z.test/404"] and dead.loc[0, "year"] == 2019


def test_datapackage_validates_and_describes_every_field(store, tmp_path):
    out = tmp_path / "package"
    assert command(["--store", store, "--format", "datapackage", "-o", str(out)]) == 0
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) == {"reports", "unreachable"}
    fields = {f["name"]: f for f in resources["reports"]["schema"]["fields"]}
    assert list(fields) == [c.name for c in panel.report_columns()]
    for cell in template.cells():
        f = fields[cell.path]
        assert f["type"] == ("integer" if cell.unit == template.COUNT else "number")
        assert f["title"] == cell.labels[cell.templates[-1]] and f["unit"] == cell.unit
        assert f["templates"] == list(cell.templates) and f["description"].startswith(cell.description)
    assert fields["applications.received.natural_person"]["title"] == "一、本年新收政府信息公开申请数量 · 自然人"
    assert fields["active.licensing.decisions"]["labels"] == {"2019": "行政许可 · 处理决定数量",
                                                             "2021": "行政许可 · 本年处理决定数量"}
    assert fields["year"]["type"] == "integer" and fields["first_seen"]["type"] == "datetime"
    unlabelled = [name for name, f in fields.items() if not (f.get("description") and f.get("title"))]
    assert unlabelled == [], "give these a Chinese label in gicrawler/panel.py (_META_LABELS, _CHECK_LABELS)"
    # the data beside it, read back through frictionless: typed values equal to the records'
    records = stored(store)
    package = frictionless.Package(out / "datapackage.json")
    rows = {row["url"]: row for row in package.get_resource("reports").read_rows()}
    assert set(rows) == {u for u, r in records.items() if not r.get("fetch_error")}
    for url, row in rows.items():
        flat = panel.flatten(records[url].get("tables") or {})
        assert row["year"] == records[url]["year"]
        assert {p: row[p] for p in COUNTS} == {p: flat.get(p) for p in COUNTS}
    [dead] = package.get_resource("unreachable").read_rows()
    assert dead["url"] == "http://z.test/404" and dead["year"] == 2019


def test_a_package_with_a_wrong_cell_does_not_validate(store, tmp_path):
    """The validation above can fail: a fraction in a count column is an error."""
    out = tmp_path / "package"
    assert command(["--store", store, "--format", "datapackage", "-o", str(out)]) == 0
    path = out / "reports.csv"
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    rows[1][rows[0].index("applications.received.total")] = "2.5"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    assert not frictionless.validate(out / "datapackage.json").valid


def test_a_value_that_does_not_fit_is_blank_and_reported(store_uri, tmp_path, capsys):
    s = open_store(store_uri)
    rec = record("http://z.test/odd", "zibo", 2023, "2021")
    rec["tables"]["applications"]["received"]["natural_person"] = 2.5   # a count read wrong somewhere
    rec["checks"].append({"rule": "some.future_rule", "ok": False, "detail": ""})
    s.save(rec, [{"body": b"odd"}], crawled_at=T0)
    s.close()
    out = tmp_path / "panel.parquet"
    assert command(["--store", store_uri, "--format", "parquet", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "1 × applications.received.natural_person: not a integer, left blank" in err
    assert "http://z.test/odd applications.received.natural_person: 2.5" in err
    assert "check.some.future_rule: not a rule of gicrawler.parsing.checks.RULES" in err
    df = pd.read_parquet(out)
    assert pd.isna(df.loc[0, "applications.received.natural_person"])
    assert df.loc[0, "applications.received.commercial"] == 1


def test_stdout_csv_says_what_it_left_out(store, capsys):
    assert command(["--store", store, "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert "http://z.test/404" not in out
    assert "1 unreachable links left out (-o FILE writes them to FILE.unreachable.csv)" in err


def test_datapackage_needs_a_directory(store, capsys):
    assert command(["--store", store, "--format", "datapackage"]) == 2
    assert "needs -o DIR" in capsys.readouterr().err


# -- the column set, declared once ------------------------------------------------------------------

def test_every_row_and_column_of_the_template_is_described_in_english():
    rows = [f"active.{r.key}" for r in template.ACTIVE_ROWS] + \
        [f"applications.{r.key}" for r in template.APPLICATION_ROWS] + \
        [f"review_litigation.{g.key}" for g in template.REVIEW_GROUPS]
    assert set(rows) == set(template.ROW_EN)
    columns = {f"active.{c.key}" for r in template.ACTIVE_ROWS for cols in r.columns.values() for c in cols} | \
        {f"applications.{c}" for c in template.APPLICANT_COLUMNS} | \
        {f"review_litigation.{c}" for c in template.REVIEW_COLUMNS}
    assert columns == set(template.COLUMN_EN)


def test_one_column_per_cell_shared_where_both_templates_print_it():
    cells = {c.path: c for c in template.cells()}
    assert list(cells) == template.cell_paths()
    assert cells["applications.received.total"].templates == ("2019", "2021")
    assert cells["active.licensing.decisions"].templates == ("2019", "2021")
    assert cells["active.regulations.made"].templates == ("2019",)
    assert cells["active.regulations.issued"].templates == ("2021",)
    assert cells["applications.other.total"].templates == ("2019",)
    assert cells["applications.other.no_correction.total"].templates == ("2021",)
    assert cells["active.fees.amount_10k_yuan"].unit == template.TEN_THOUSAND_YUAN
    # every cell of each template's own layout is a column that names that template
    for year in template.YEARS:
        for row, cols in template.active_columns(year).items():
            for col in cols:
                assert year in cells[f"active.{row}.{col}"].templates
        for row in template.application_rows(year):
            assert all(year in cells[f"applications.{row}.{c}"].templates for c in template.APPLICANT_COLUMNS)


def test_panel_md_is_generated_from_the_panel():
    assert (DOCS / "panel.md").read_text(encoding="utf-8") == panel.markdown(), \
        "docs/panel.md is stale: python -m gicrawler.panel > docs/panel.md"


# -- streaming --------------------------------------------------------------------------------------

def test_sqlite_find_streams_in_pages_and_tolerates_writes(tmp_path, monkeypatch):
    from gicrawler.store.sqlite import SQLiteStore

    uri = f"sqlite:///{tmp_path}/pages.sqlite3"
    s = open_store(uri)
    urls = [f"http://p.test/{i:02d}" for i in range(7)]
    for url in reversed(urls):
        s.save(record(url, "zibo", 2023, "2021"), [{"body": url.encode()}])
    s.flush()
    monkeypatch.setattr(SQLiteStore, "find_page", 2)
    seen = []
    for rec in s.find():
        seen.append(rec["url"])
        s.set_fields(rec["url"], {"title": "rewritten"})   # reparse writes while it iterates
    assert seen == urls
    assert [r["title"] for r in s.find(portal="zibo", year=2023)] == ["rewritten"] * 7
    s.close()


def test_crawl_help_says_what_a_feed_export_holds():
    import subprocess
    import sys

    from tests.crawl_helpers import REPO

    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "-h"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    help_text = " ".join(proc.stdout.split())
    assert "-O FILE" in help_text
    assert help_text.count("on a re-crawl only NEW or CHANGED reports are items") == 2   # -o and -O
    assert "`gicrawler export` gives every stored record" in help_text


def test_tables_source_is_one_readable_cell():
    record = {"url": "http://p.test/r", "tables_source": {
        "applications": {"source": "ocr", "confidence": 0.95, "verified": True, "url": "http://p.test/b.png"},
        "review_litigation": {"source": "ocr", "confidence": 0.61, "verified": False, "url": "http://p.test/c.png"},
        "active": {"source": "attachment", "url": "http://p.test/r.pdf"}}}
    rows = panel.Panel(panel.report_columns())
    assert rows.row(record)["tables_source"] == (
        "active:attachment http://p.test/r.pdf;applications:ocr 0.95 http://p.test/b.png;"
        "review_litigation:ocr 0.61 unverified http://p.test/c.png")
    assert rows.row({"url": "u", "tables_source": None})["tables_source"] is None
    assert rows.problems == {}
