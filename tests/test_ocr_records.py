"""Tables printed as images, end to end through the record: a 图片版 report page whose tables B
and C are pictures (fetched by the crawl as attachments), image-only PDF pages, and the checks."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from gicrawler.parsing import parse_report
from gicrawler.pipelines.record import build_record
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_html
from gicrawler.replicas.render_image import FONT_PATH, table_image, table_png

pytestmark = pytest.mark.skipif(not Path(FONT_PATH).exists(), reason="fonts-wqy-zenhei not installed (.ci/setup)")
IMAGES = ("applications", "review_litigation")
STYLE = {"fullwidth": False}


def _page(tables, record, images=IMAGES, attachments=None) -> dict:
    html = report_html(record, load_sample("003").paragraphs, image_sections=images, style=STYLE,
                       image_src=lambda key: f"/img/{key}.png")
    if attachments is None:
        attachments = [{"url": f"http://p.test/img/{key}.png", "kind": "png", "content_type": "image/png",
                        "body": table_png(key, tables, record["template"], style=STYLE)} for key in images]
    return {"url": "http://p.test/r/1.html", "portal": "zibo", "body": html.encode(),
            "content_type": "text/html; charset=utf-8", "metadata": {}, "attachments": attachments}


def test_picture_tables_of_a_report_page_fill_its_record():
    seed = load_sample("003")
    record, raws = build_record(_page(seed.record["tables"], seed.record))
    assert record["tables"] == seed.record["tables"]
    assert record["missing_tables"] == {}
    assert record["tables_source"] == {key: {"source": "ocr", "url": f"http://p.test/img/{key}.png",
                                             "verified": True, "verified_by": "identities",
                                             "confidence": record["tables_source"][key]["confidence"],
                                             "min_confidence": record["tables_source"][key]["min_confidence"]}
                                       for key in IMAGES}
    checks = {c["rule"]: c for c in record["checks"]}
    assert checks["tables.ocr_verified"]["ok"] is True
    assert checks["applications.balance"]["ok"] and checks["review_litigation.sums"]["ok"]
    assert [r["role"] for r in raws] == ["page", "attachment", "attachment"]    # the pictures are kept raw


def test_a_picture_breaking_an_identity_stays_out_and_fails_a_check():
    seed = load_sample("003")
    tables = {**seed.record["tables"]}
    tables["review_litigation"] = {**tables["review_litigation"],
                                   "review": {**tables["review_litigation"]["review"], "total": 168}}
    record, _ = build_record(_page(tables, seed.record))
    assert "review_litigation" not in record["tables"]
    assert record["tables"]["applications"] == seed.record["tables"]["applications"]
    assert record["missing_tables"]["review_litigation"].startswith("ocr unverified: review_litigation.sums")
    assert record["tables_source"]["review_litigation"]["verified"] is False
    check = next(c for c in record["checks"] if c["rule"] == "tables.ocr_verified")
    assert check["ok"] is False and "review_litigation: ocr unverified" in check["detail"]


def test_unreadable_picture_leaves_the_table_missing_as_an_image():
    seed = load_sample("003")
    from gicrawler.replicas.reports import tiny_png
    atts = [{"url": "http://p.test/img/b.png", "kind": "png", "body": tiny_png("b"), "content_type": "image/png"}]
    record, _ = build_record(_page(seed.record["tables"], seed.record, images=("applications",), attachments=atts))
    assert record["missing_tables"] == {"applications": "image"}
    assert record["attachments"][0]["parse_error"].startswith("UnreadableDocument: image: no text found")
    assert record["tables"]["active"] == seed.record["tables"]["active"]


def test_image_only_pdf_pages_are_rendered_and_read():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    seed = load_sample("003")
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    for key in ("active",) + IMAGES:        # one scanned page per table
        img = table_image(key, seed.record["tables"], seed.record["template"], style=STYLE)
        w = A4[0] - 60
        h = img.height * w / img.width
        pdf.drawImage(ImageReader(img), 30, A4[1] - 40 - h, width=w, height=h)
        pdf.showPage()
    pdf.save()
    result = parse_report(buf.getvalue(), url="http://p.test/r.pdf")
    assert result["format"] == "pdf"
    assert result["tables"] == seed.record["tables"]
    assert result["missing_tables"] == {}
    assert set(result["tables_source"]) == {"active", *IMAGES}
    assert all(s["source"] == "ocr" and s["verified"] for s in result["tables_source"].values())
    # table A has no identity: its numbers were each read twice, alike
    assert result["tables_source"]["active"]["verified_by"] == "second reading"
    assert "unconfirmed_cells" not in result["tables_source"]["active"]


def test_png_attachment_alone_is_a_report_document():
    seed = load_sample("004")
    data = table_png("applications", seed.record["tables"], seed.record["template"], fmt="JPEG")
    result = parse_report(data, filename="表二.jpg")
    assert result["format"] == "image"
    assert result["tables"] == {"applications": seed.record["tables"]["applications"]}
    assert result["errors"] == []


def test_without_the_ocr_engine_a_picture_table_stays_missing_and_says_why(monkeypatch):
    """Python 3.13 without .ci/setup: no rapidocr-onnxruntime (README, OCR) — recorded, not a crash."""
    import sys
    from gicrawler.parsing import ocr
    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)     # import fails as if absent
    seed = load_sample("003")
    record, raws = build_record(_page(seed.record["tables"], seed.record))
    assert record["missing_tables"] == {key: "image" for key in IMAGES}
    assert all(key not in record["tables"] or not record["tables"][key] for key in IMAGES)
    errors = [a.get("parse_error") or "" for a in record["attachments"]]
    assert len(errors) == len(IMAGES) and all("rapidocr-onnxruntime not installed" in e for e in errors)
    assert all("\n" not in e for e in errors)
    assert [r["role"] for r in raws] == ["page", "attachment", "attachment"]    # still kept raw

