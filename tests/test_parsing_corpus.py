"""Tables of the real corpus (tests/corpus) against the values read by hand (expected.json).

Every table value listed in expected.json is compared; beyond those, tables the corpus
lists only partly (real/*.txt) must satisfy the report's own arithmetic (勾稽关系), which a
wrongly placed number would break.
"""
from __future__ import annotations

import json

import pytest

from gicrawler.panel import flatten

from gicrawler.parsing.checks import run_checks
from gicrawler.parsing.normalize import normalize_text
from gicrawler.parsing.tables import extract_tables
from tests.conftest import CORPUS, SAMPLES
from tests.table_diff import table_diff

SAMPLE_VALUES = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
REAL = json.loads((CORPUS / "real" / "expected.json").read_text(encoding="utf-8"))
FOLDERS = {"samples": SAMPLES, "real": CORPUS / "real"}


def _extract(folder: str, name: str) -> dict:
    text = normalize_text((FOLDERS[folder] / name).read_text(encoding="utf-8"))
    return extract_tables(text)


@pytest.mark.parametrize("name", sorted(SAMPLE_VALUES))
def test_sample_tables(name):
    exp = SAMPLE_VALUES[name]
    got = _extract("samples", name)
    assert table_diff(exp["tables"], got["tables"]) == []
    assert set(got["tables"]) == set(exp["tables"])          # nothing extra, nothing missing
    assert got["template"] == exp["template"]
    assert sorted(got["missing_tables"]) == sorted(exp.get("missing_tables", []))


@pytest.mark.parametrize("name", sorted(SAMPLE_VALUES))
def test_sample_tables_through_parse_report(name):
    parsing = pytest.importorskip("gicrawler.parsing")
    if not hasattr(parsing, "parse_report"):
        pytest.skip("parse_report not available yet")
    exp = SAMPLE_VALUES[name]
    record = parsing.parse_report((SAMPLES / name).read_bytes(), filename=name)
    assert table_diff(exp["tables"], record["tables"]) == []
    assert record["template"] == exp["template"]
    assert sorted(record["missing_tables"]) == sorted(exp.get("missing_tables", []))


def test_sample_000_missing_tables_reasons():
    # Sections 三 and 四 are headings with nothing after them: plain text alone cannot tell
    # an image from an omission; told that the sections were images, it says so.
    text = normalize_text((SAMPLES / "000_fe8784577c3bb29b.txt").read_text(encoding="utf-8"))
    assert extract_tables(text)["missing_tables"] == {"applications": "not found", "review_litigation": "not found"}
    got = extract_tables(text, image_sections=frozenset({"三", "四"}))
    assert got["missing_tables"] == {"applications": "image", "review_litigation": "image"}
    assert "active" in got["tables"]


def test_sample_003_takes_table_numbers_not_prose():
    got = _extract("samples", "003_053508a99f49d19d.txt")
    active = got["tables"]["active"]
    assert active["procurement"] == {"projects": 3113, "amount_yuan": 6319727378}
    assert isinstance(active["procurement"]["amount_yuan"], int)
    assert active["fees"] == {"prior_items": 100, "change": 38}
    assert active["licensing"]["change"] == -73


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_pdf_text_tables(name):
    got = _extract("real", name)
    assert table_diff(REAL[name]["tables"], got["tables"]) == []
    assert got["missing_tables"] == {}
    assert got["template"] == "2021"


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_pdf_text_tables_through_parse_report(name):
    parsing = pytest.importorskip("gicrawler.parsing")
    if not hasattr(parsing, "parse_report"):
        pytest.skip("parse_report not available yet")
    record = parsing.parse_report((CORPUS / "real" / name).read_bytes(), filename=name)
    assert table_diff(REAL[name]["tables"], record["tables"]) == []


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_tables_are_internally_consistent(name):
    # expected.json lists only key values; every other number of table B is pinned by the
    # table's own identities (a shifted row or column breaks at least one of them).
    got = _extract("real", name)
    checks = {c["rule"]: c for c in run_checks({"tables": got["tables"]})}
    for rule in ("applications.balance", "applications.results_sum", "applications.row_sums"):
        assert checks[rule]["ok"], checks[rule]["detail"]
    assert len(_leaf_rows(got["tables"]["applications"])) == 25


def _leaf_rows(table):
    out = []
    for v in table.values():
        if "natural_person" in v:
            out.append(v)
        else:
            out += _leaf_rows(v)
    return out


def test_real_hongze_2023_full_values():
    # Read by hand from the printed PDF (pdfplumber text interleaves some labels and numbers).
    got = _extract("real", "hongze-2023-pdfplumber.txt")["tables"]
    app = got["applications"]
    assert app["partially_granted"]["total"] == 4
    assert app["denied"]["state_secret"]["natural_person"] == 1
    assert app["denied"]["process_info"]["total"] == 1
    assert app["denied"]["enforcement_files"]["total"] == 1
    assert app["unable"]["not_held"]["total"] == 10
    assert app["unable"]["needs_creation"]["total"] == 3
    assert app["not_processed"]["petition_complaint"]["total"] == 1
    # the report prints a single (六)其他处理 row of zeros under a 2021 table A
    assert app["other"]["no_correction"]["total"] == 0
    # table C as printed (its totals contradict its parts; the check reports that)
    assert got["review_litigation"]["review"] == {"upheld": 10, "corrected": 1, "other": 0, "pending": 0, "total": 0}
    assert got["review_litigation"]["litigation_after_review"]["upheld"] == 5
    checks = {c["rule"]: c for c in run_checks({"tables": got})}
    assert checks["review_litigation.sums"]["ok"] is False


def test_real_hongze_2024_pdfminer_column_major():
    # pdfminer: labels first, numbers column by column, the 总计 column out of place.
    got = _extract("real", "hongze-2024-pdfminer.txt")["tables"]
    app = got["applications"]
    assert app["partially_granted"] == {"natural_person": 9, "commercial": 0, "research": 0, "social_org": 0,
                                        "legal_service": 0, "other_org": 0, "total": 9}
    assert app["unable"]["not_held"]["total"] == 31
    assert app["unable"]["needs_creation"]["natural_person"] == 1
    assert app["not_processed"]["petition_complaint"]["total"] == 1
    assert got["active"]["normative_documents"] == {"issued": 3, "repealed": 0, "in_force": 8}
    assert got["review_litigation"]["litigation_after_review"] == {
        "upheld": 2, "corrected": 0, "other": 1, "pending": 0, "total": 3}


def test_real_huaian_full_row():
    got = _extract("real", "huaian-2024-pypdf.txt")["tables"]["applications"]
    assert got["received"] == {"natural_person": 3001, "commercial": 53, "research": 0, "social_org": 0,
                               "legal_service": 61, "other_org": 4, "total": 3119}
    assert got["other"]["no_correction"]["total"] == 71
    assert got["other"]["unpaid_fee"]["total"] == 6
    assert got["other"]["other"]["total"] == 110
    assert got["unable"]["needs_creation"]["total"] == 11      # across a page break


@pytest.mark.parametrize("folder,name", [("samples", n) for n in sorted(SAMPLE_VALUES)] + [("real", n) for n in sorted(REAL)])
def test_damaged_text_never_gives_wrong_values(folder, name):
    # Delete each line of the table sections in turn (a lost row, a lost cell, a lost
    # label): whatever is still extracted must equal the undamaged extraction.
    text = normalize_text((FOLDERS[folder] / name).read_text(encoding="utf-8"))
    full = {k: flatten(v) for k, v in extract_tables(text)["tables"].items()}
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if "主动公开政府信息情况" in ln and "二" in ln)
    wrong = []
    for i in range(start + 1, len(lines)):
        if not lines[i].strip() or "万元" in lines[i]:
            continue            # (a lost unit header loses the unit: not detectable)
        damaged = "\n".join(lines[:i] + lines[i + 1:])
        for key, table in extract_tables(damaged)["tables"].items():
            for path, value in flatten(table).items():
                if value is not None and full.get(key, {}).get(path, "<absent>") != value:
                    wrong.append(f"line {i} {lines[i][:30]!r}: {key}.{path} = {value!r}, "
                                 f"undamaged {full.get(key, {}).get(path, '<absent>')!r}")
    assert wrong == []
