"""Format sniffing, charset decoding and the per-format readers (PDF, DOCX, legacy binaries)."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx
import pytest

from gicrawler.parsing import UnreadableDocument, parse_report
from gicrawler.parsing.decode import OLE2_MAGIC, decode, sniff_format
from gicrawler.parsing.docx import parse_docx
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_html

TITLE = "淄博市2020年政府信息公开工作年度报告"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("data,filename,content_type,fmt", [
    (b"%PDF-1.7\n...", None, None, "pdf"),
    (b"\r\n%PDF-1.4 junk before the header", "a.bin", None, "pdf"),
    (_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b""}), "a.zip", None, "docx"),
    (_zip({"xl/workbook.xml": b"<x/>"}), None, None, "xlsx"),
    (_zip({"a.txt": b"x"}), None, None, "zip"),
    (OLE2_MAGIC + b"\0" * 512 + "WordDocument".encode("utf-16-le"), None, None, "doc"),
    (OLE2_MAGIC + b"\0" * 512 + "Workbook".encode("utf-16-le"), None, None, "xls"),
    (OLE2_MAGIC + b"\0" * 512, "report.wps", None, "wps"),
    (b"\xef\xbb\xbf<!DOCTYPE html><html><body>x</body></html>", None, None, "html"),
    (b"<P>legacy upper-case page", None, None, "html"),
    ("标题: 报告\n索引号: 1".encode(), "a.txt", "text/plain", "text"),
    ("plain words".encode(), "page.shtml", None, "html"),
    (b"words", None, "text/html; charset=utf-8", "html"),
    ("\ufeff<html><p>中文</p>".encode("utf-16-le"), None, None, "html"),
])
def test_sniff_format(data, filename, content_type, fmt):
    assert sniff_format(data, filename, content_type) == fmt


GBK_PAGE = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f'<title>{TITLE}</title></head><body><div id="zoom"><p>一、总体情况</p>'
            '<p>本年度收到申请“三安全一稳定”〔2020〕号。</p></div></body></html>')


def test_decode_charset_evidence_order():
    utf8 = GBK_PAGE.replace("gb2312", "utf-8")
    assert decode(utf8.encode("utf-8"))[1] == utf8
    # declared only in <meta http-equiv>
    enc, text = decode(GBK_PAGE.encode("gbk"))
    assert enc == "gb18030" and text == GBK_PAGE
    # nothing declared: strict UTF-8 fails, GB18030 is the fallback
    bare = GBK_PAGE.replace('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "")
    assert decode(bare.encode("gbk"))[1] == bare
    assert decode(bare.encode("utf-8"))[1] == bare
    # the HTTP header beats the page's own claim; a BOM beats both
    assert decode(GBK_PAGE.replace("gb2312", "utf-8").encode("gbk"), "text/html; charset=GBK")[1] \
        == GBK_PAGE.replace("gb2312", "utf-8")
    assert decode(b"\xef\xbb\xbf" + GBK_PAGE.encode("utf-8"), "text/html; charset=gbk")[1] == GBK_PAGE
    assert decode("\ufeff索引号".encode("utf-16-le"))[1] == "索引号"
    # a server-default Western charset is not believed for a Chinese page
    assert decode(GBK_PAGE.encode("gbk"), "text/html; charset=ISO-8859-1")[1] == GBK_PAGE
    assert decode(bare.encode("utf-8"), "text/html; charset=iso-8859-1")[1] == bare
    # a wrong declaration (GBK bytes served as UTF-8) is overruled by the bytes
    lying = GBK_PAGE.replace("gb2312", "utf-8")
    assert decode(lying.encode("gbk"), "text/html; charset=utf-8") == ("gb18030", lying)


def test_gbk_page_parses_like_utf8():
    sample = load_sample("003")
    html = report_html(sample.record, sample.paragraphs, **sample.options)
    legacy = html.replace('<meta charset="utf-8">',
                          '<META http-equiv="Content-Type" content="text/html; charset=gbk">')
    assert legacy != html
    want = parse_report(html.encode("utf-8"))
    for data in (legacy.encode("gb18030"), html.replace('<meta charset="utf-8">', "").encode("gb18030")):
        got = parse_report(data)
        assert got["title"] == TITLE
        assert got["tables"] == want["tables"] and got["tables"]


def test_page_without_text_is_a_record_with_an_error():
    record = parse_report(b"<html><body><div id='zoom'><img src='report.png'></div></body></html>")
    assert record["format"] == "html" and record["errors"] == ["html: no text found"]


def test_str_input_and_content_type():
    record = parse_report(GBK_PAGE)
    assert record["format"] == "html" and record["title"] == TITLE
    record = parse_report(GBK_PAGE.replace("gb2312", "utf-8").encode("gbk"), content_type="text/html; charset=gbk")
    assert record["title"] == TITLE


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0\xff\xff\xff")) + chunk(b"IEND", b""))


def test_docx_merged_cells_and_image_sections():
    d = docx.Document()
    d.add_paragraph(TITLE)
    d.add_paragraph("二、主动公开政府信息情况")
    table = d.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "信息内容"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "本年新制作数量"
    table.cell(1, 1).text = "1"
    table.cell(2, 0).text = "规章"
    table.cell(2, 2).text = "5"
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    d.add_paragraph().add_run().add_picture(io.BytesIO(_png()))
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    d.add_paragraph("五、存在的主要问题及改进情况")
    buf = io.BytesIO()
    d.save(buf)
    lines, grids, image_sections, errors = parse_docx(buf.getvalue())
    assert grids == [[["信息内容", "本年新制作数量", "本年新制作数量"], ["信息内容", "1", ""], ["规章", "", "5"]]]
    assert image_sections == frozenset({"三"})
    assert lines[0] == TITLE and lines.count("信息内容") == 1      # a merged cell is one text line
    record = parse_report(buf.getvalue(), filename="report.docx")
    assert record["format"] == "docx" and record["title"] == TITLE and record["year"] == 2020
    assert record["missing_tables"].get("applications") == "image"
    assert record["missing_tables"].get("review_litigation") == "not found"


def test_legacy_doc_is_recorded_not_parsed():
    text = f"{TITLE}\r标题\x07{TITLE}\x07\x07发布机构\x07淄博市人民政府\x07\x07"
    data = OLE2_MAGIC + b"\0" * 1024 + "WordDocument".encode("utf-16-le") + b"\0" * 64 + text.encode("utf-16-le") + b"\0" * 512
    record = parse_report(data, filename="年报.doc")
    assert record["format"] == "doc"
    assert record["errors"] and record["errors"][0].startswith("doc: legacy binary format not parsed")
    assert record["tables"] == {}
    assert record["title"] == TITLE and record["year"] == 2020
    empty = parse_report(OLE2_MAGIC + b"\0" * 2048, filename="淄博市2021年政府信息公开工作年度报告.xls")
    assert empty["format"] == "xls" and empty["errors"] == ["xls: legacy binary format not parsed"]
    assert empty["title"] == "淄博市2021年政府信息公开工作年度报告"     # from the file name
    # no file name: the Content-Type, or a file name in the download URL, tells the kind
    assert parse_report(OLE2_MAGIC + b"\0" * 2048, content_type="application/kswps")["format"] == "wps"
    assert parse_report(OLE2_MAGIC + b"\0" * 2048,
                        url="http://x/module/download/downfile.jsp?classid=0&filename=ab12.xls")["format"] == "xls"


def test_pdf_without_text_layer_is_a_record_with_an_error():
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from reportlab.lib.utils import ImageReader
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(_png())), 50, 50, 400, 600)
    c.showPage()
    c.save()
    record = parse_report(buf.getvalue())
    assert record["format"] == "pdf"
    assert "pdf: no text layer (scanned images?)" in record["errors"]
    assert record["missing_tables"] == {"active": "image", "applications": "image", "review_litigation": "image"}


def test_unreadable_raises():
    with pytest.raises(UnreadableDocument, match="pdf"):
        parse_report(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")


def test_pdf_page_cap_records_an_error(monkeypatch):
    from reportlab.pdfgen import canvas
    from gicrawler.parsing import pdf as pdf_module
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(5):
        c.drawString(72, 720, f"page {n + 1}")
        c.showPage()
    c.save()
    monkeypatch.setattr(pdf_module, "MAX_PAGES", 3)
    record = parse_report(buf.getvalue())
    assert record["errors"] == ["pdf: only the first 3 of 5 pages read"]
    assert "page 3" in record["text"] and "page 4" not in record["text"]
