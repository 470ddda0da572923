"""``gicrawler report``: one self-contained HTML page, rendered in Chromium (gicrawler/analysis/report.py)."""
from __future__ import annotations

import argparse
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from gicrawler.analysis import coverage, report
from gicrawler.commands import report as report_cmd
from gicrawler.store import open_store
from tests.test_cli_export import T0, record, row

T1 = datetime(2025, 3, 1, tzinfo=timezone.utc)


def command(argv) -> int:
    parser = argparse.ArgumentParser()
    report_cmd.add_arguments(parser)
    return report_cmd.run(parser.parse_args(argv))


@pytest.fixture
def store(tmp_path):
    """Three agencies over 2019–2023 with every status, a failed check, a changed report, a dead link."""
    uri = f"sqlite:///{tmp_path}/report.sqlite3"
    s = open_store(uri)
    for agency, years in (("甲市人民政府", (2019, 2020, 2021, 2023)), ("乙局", (2021, 2022)), ("丙局", (2022,))):
        for year in years:
            rec = record(f"http://r.test/{agency}/{year}", "p", year, "2021" if year >= 2021 else "2019",
                         received=year - 2015, balance_ok=(agency, year) != ("乙局", 2022))
            rec["agency"] = agency
            rec["tables"]["applications"]["granted"] = row((year - 2015) // 2)
            rec["tables"]["review_litigation"] = {"review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0,
                                                             "total": 0}}
            rec["missing_tables"] = {}
            if (agency, year) == ("丙局", 2022):
                rec["tables"] = {"active": rec["tables"]["active"]}
                rec["missing_tables"] = {"applications": "image", "review_litigation": "image"}
            if (agency, year) == ("甲市人民政府", 2023):
                del rec["tables"]["review_litigation"]
                rec["missing_tables"] = {"review_litigation": "not found"}
            s.save(rec, [{"body": f"{agency}{year}".encode()}], crawled_at=T0)
    changed = record("http://r.test/乙局/2021", "p", 2021, "2021", received=6)
    changed["agency"] = "乙局"
    changed["tables"]["review_litigation"] = {"review": {"total": 0}}
    changed["missing_tables"] = {}
    s.save(changed, [{"body": "乙局2021 corrected".encode()}], crawled_at=T1)   # a second version
    s.save({"url": "http://r.test/dead", "portal": "p", "fetch_error": "HTTP 404",
            "list_title": "甲市人民政府2022年政府信息公开工作年度报告"}, [], crawled_at=T0)
    s.close()
    return uri


def test_summary_and_page(store, tmp_path):
    s = open_store(store)
    summary = report.summarize(s.find())
    s.close()
    rows = summary.coverage.rows()
    assert {(r["agency"], r["year"]): r["status"] for r in rows} == {
        ("丙局", 2022): "image-only", ("乙局", 2021): "parsed", ("乙局", 2022): "parsed",
        ("甲市人民政府", 2019): "parsed", ("甲市人民政府", 2020): "parsed", ("甲市人民政府", 2021): "parsed",
        ("甲市人民政府", 2022): "unreachable", ("甲市人民政府", 2023): "tables missing"}
    assert [(f["agency"], f["year"], f["rule"]) for f in summary.failed] == [("乙局", 2022, "applications.balance")]
    assert [(c["agency"], c["year"], c["versions"]) for c in summary.changed] == [("乙局", 2021, 2)]
    # received per year summed across agencies (table B's received.total is 6 × (year − 2015))
    assert [(y["year"], y["agencies"], y["received"]) for y in summary.per_year()] == [
        (2019, 1, 24), (2020, 1, 30), (2021, 2, 72), (2022, 1, 42), (2023, 1, 48)]
    # granted ÷ handled: 6 × (received // 2) of 6 × received, per agency; 乙局 2021 (changed) has no granted row now
    assert [(y["year"], y["granted"], y["handled"]) for y in summary.per_year()] == [
        (2019, 12, 24), (2020, 12, 30), (2021, 18, 72), (2022, 18, 42), (2023, 24, 48)]
    page = report.render(summary, store="sqlite:///x")
    # self-contained: no script, stylesheet, image or font fetched from anywhere
    assert not re.search(r"<script|<link|<img|@import|url\(", page)
    assert page.count('<td class="cell') == 3 * 5   # three agencies × 2019..2023
    assert "natural_person" in page or "applications.balance" in page


def test_command_writes_the_page(store, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert command(["--store", store, "-o", str(out)]) == 0
    assert "8 report links, 1 failed checks, 1 changed after publication" in capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    assert 'id="coverage-matrix"' in html and "Changed after publication (1)" in html
    open_store(f"sqlite:///{tmp_path}/empty.sqlite3").close()      # a store with nothing in it
    assert command(["--store", f"sqlite:///{tmp_path}/empty.sqlite3", "-o", str(out)]) == 1
    assert command(["--store", store, "-o", str(tmp_path / "no" / "dir" / "r.html")]) == 2
    assert "cannot write" in capsys.readouterr().err


def _render(path, shot) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            matrix = page.locator("#coverage-matrix")
            matrix.wait_for(state="visible", timeout=10000)
            statuses = page.eval_on_selector_all("#coverage-matrix td.cell",
                                                 "els => els.map(e => e.dataset.status || 'none')")
            box = matrix.bounding_box()
            plots = page.locator("svg.plot").count()
            page.screenshot(path=str(shot), full_page=True)
            matrix.screenshot(path=str(shot.with_name("matrix.png")))
            return {"requests": requests, "statuses": statuses, "box": box, "plots": plots}
        finally:
            browser.close()


@pytest.mark.browser
def test_report_renders_in_chromium(store, tmp_path):
    from PIL import Image

    out = tmp_path / "report.html"
    assert command(["--store", store, "-o", str(out)]) == 0
    shot = tmp_path / "report.png"
    with ThreadPoolExecutor(1) as pool:   # the sync API needs a thread without the test's asyncio loop
        seen = pool.submit(_render, out, shot).result(timeout=90)
    assert seen["requests"] == [out.as_uri()]           # nothing but the page itself was loaded
    assert len(seen["statuses"]) == 3 * 5 and seen["box"]["width"] > 100 and seen["box"]["height"] > 60
    assert sorted(seen["statuses"]) == sorted(["none"] * 7 + ["parsed"] * 5 + ["image-only", "unreachable",
                                                                            "tables missing"])
    assert seen["plots"] == 2
    page = Image.open(shot).convert("RGB")
    pixels = list(page.get_flattened_data())
    ink = sum(1 for px in pixels if sum(px) < 720) / len(pixels)
    assert ink > 0.03, f"the screenshot is nearly blank ({ink:.1%} non-white)"
    matrix = Image.open(shot.with_name("matrix.png")).convert("RGB")
    colours = set(matrix.get_flattened_data())
    for status in ("parsed", "image-only", "unreachable", "tables missing"):
        rgb = tuple(int(report.COLOURS[status][i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, f"no {status} cell visible in the matrix"


def test_matrix_marks_years_without_reports():
    rows = coverage.compute([{"url": "a", "agency": "甲", "year": 2019, "raw_hash": "x", "tables": {}},
                             {"url": "b", "agency": "甲", "year": 2022, "raw_hash": "y", "tables": {}}])
    html = report._matrix(rows)
    assert html.count('<td class="cell') == 4 and html.count('class="cell none"') == 2   # 2020, 2021 gaps
