"""Inputs that used to cost minutes, gigabytes or a traceback (issue 9.7, 9.9): a huge DOCX
document part, a damaged zip member, a huge legacy .doc, a GBK line among UTF-8 lines. Memory
is measured in a child process (ru_maxrss), never timed."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest

from gicrawler.parsing import UnreadableDocument, parse_report
from gicrawler.parsing import docx as docx_module
from gicrawler.parsing.decode import OLE2_MAGIC, decode
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_docx

TITLE = "淄博市2020年政府信息公开工作年度报告"


@pytest.fixture(scope="module")
def sample_docx():
    sample = load_sample("003")
    return sample, report_docx(sample.record, sample.paragraphs, **sample.options)


def _rezip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
    return out.getvalue()


def _grown(data: bytes, mb: float) -> bytes:
    """The document part's body repeated to about ``mb`` MB (real markup, ordinary ratio)."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    head, rest = xml.split(b"<w:body>", 1)
    body, tail = rest.rsplit(b"<w:sectPr", 1)
    reps = max(1, int(mb * 2**20 / len(body)))
    return _rezip(data, {"word/document.xml": head + b"<w:body>" + body * reps + b"<w:sectPr" + tail})


def test_docx_document_part_over_the_limit_is_refused(sample_docx, monkeypatch):
    _, data = sample_docx
    big = _grown(data, 20)
    info = zipfile.ZipFile(io.BytesIO(big)).getinfo("word/document.xml")
    assert info.file_size > 16 * 2**20 and info.file_size < docx_module.MAX_RATIO * info.compress_size
    with pytest.raises(UnreadableDocument, match=r"^docx: refused, word/document.xml is 2\d MB uncompressed, "
                                                 r"over the 16 MB limit \(GICRAWLER_DOCX_MAX_MB\)$"):
        parse_report(big)
    monkeypatch.setenv("GICRAWLER_DOCX_MAX_MB", "1")
    with pytest.raises(UnreadableDocument, match="over the 1 MB limit"):
        parse_report(_grown(data, 1.5))
    monkeypatch.setenv("GICRAWLER_DOCX_MAX_MB", "64")
    assert set(parse_report(big)["tables"]) == {"active", "applications", "review_litigation"}


def _central_entries(data: bytes) -> dict[bytes, int]:
    """Offsets of the central directory entries, by member name."""
    out, pos = {}, data.find(b"PK\x01\x02")
    while pos >= 0:
        size = int.from_bytes(data[pos + 28: pos + 30], "little")
        out[data[pos + 46: pos + 46 + size]] = pos
        pos = data.find(b"PK\x01\x02", pos + 4)
    return out


def test_docx_reads_the_document_part_only(sample_docx):
    """Other parts are neither needed nor inflated: a member zipfile could not open is only
    noted, and the tables come out as from the whole file."""
    sample, data = sample_docx
    want = parse_report(data)
    assert want["tables"] == sample.record["tables"] and want["errors"] == []
    entries = _central_entries(data)
    raw = bytearray(data)
    raw[entries[b"word/styles.xml"] + 10] = 99            # compression method 99
    record = parse_report(bytes(raw))
    assert record["tables"] == want["tables"]
    assert record["errors"] == ["docx: part word/styles.xml unreadable (compression method 99 not supported); "
                                "not needed"]


def test_byte_flipped_zip_version_gives_a_record(sample_docx):
    """Issue 9.7: a "version needed" field flipped in the central directory made zipfile raise
    NotImplementedError out of parse_report. The document part is read from its local header."""
    sample, data = sample_docx
    for member in (b"word/styles.xml", b"word/document.xml"):
        raw = bytearray(data)
        raw[_central_entries(data)[member] + 6] = 99        # version 9.9
        record = parse_report(bytes(raw))
        assert record["tables"] == sample.record["tables"]
        assert record["errors"] == ["docx: not a readable zip (NotImplementedError: zip file version 9.9); "
                                    "document part read from its local header"]
    raw = bytearray(data)
    raw[_central_entries(data)[b"word/document.xml"] + 10] = 99
    with pytest.raises(UnreadableDocument, match=r"^docx: word/document.xml unreadable \(NotImplementedError"):
        parse_report(bytes(raw))


def test_docx_main_part_named_by_the_package(sample_docx):
    _, data = sample_docx
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            name = info.filename
            if name == "word/document.xml":
                name = "word/document2.xml"
            elif name in ("_rels/.rels", "[Content_Types].xml"):
                body = body.replace(b"/word/document.xml", b"/word/document2.xml").replace(
                    b'"word/document.xml"', b'"word/document2.xml"')
            dst.writestr(name, body)
    record = parse_report(out.getvalue())
    assert record["format"] == "docx" and set(record["tables"]) == {"active", "applications", "review_litigation"}


def _child_rss(code: str, path) -> dict:
    # VmHWM: the peak resident memory of this process image (ru_maxrss would count the
    # pytest process it was forked from)
    script = ("import json, sys\n" + code +
              "\nhwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))"
              "\nprint(json.dumps({**out, 'rss_mb': int(hwm.split()[1]) / 1024}))\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_huge_legacy_doc_is_recorded_in_bounded_memory(tmp_path):
    """21 MB of UTF-16 text in a .doc (1.1-1.4 GB before): the record says what it is, with the
    first LEGACY_MAX_CHARS characters, in a fraction of that memory."""
    para = f"{TITLE}。本年度收到申请人数共计十人，主动公开政府信息。\r"
    body = (f"{TITLE}\r" + para * (21 * 2**20 // (len(para) * 2))).encode("utf-16-le")
    path = tmp_path / "big.doc"
    path.write_bytes(OLE2_MAGIC + b"\0" * 1024 + "WordDocument".encode("utf-16-le") + b"\0" * 64 + body)
    got = _child_rss("from gicrawler.parsing import parse_report\n"
                     "r = parse_report(open(sys.argv[1], 'rb').read(), filename='big.doc')\n"
                     "out = {'errors': r['errors'], 'chars': len(r['text']), 'title': r['title']}", path)
    assert got["errors"] == ["doc: legacy binary format not parsed; text recovered (the first 400,000 characters)"]
    assert got["title"] == TITLE and 300_000 < got["chars"] <= 400_000
    assert got["rss_mb"] < 400


def test_gbk_line_among_utf8_lines_is_read():
    lines = [TITLE, "一、总体情况", "本年度收到申请人数共计十人。"] * 10
    pasted = "这一行是从旧系统复制的GBK文字。"
    data = ("\n".join(lines) + "\n").encode() + pasted.encode("gbk") + ("\n" + "\n".join(lines)).encode()
    encoding, text = decode(data)
    assert pasted in text and TITLE in text and "\ufffd" not in text
    record = parse_report(data, filename="report.txt")
    assert record["format"] == "text" and pasted in record["text"] and record["title"] == TITLE
    # the same mix in an HTML page, with or without a declared charset
    for head in ("", '<meta charset="utf-8">'):
        page = (f"<html><head>{head}</head><body>".encode() + b"".join(
            b"<p>" + ln + b"</p>\n" for ln in data.split(b"\n")) + b"</body></html>")
        assert pasted in decode(page)[1]
    # a whole GBK document is still GB18030, not "mixed"
    assert decode("\n".join(lines).encode("gbk"))[0] == "gb18030"
