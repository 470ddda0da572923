"""Bad input never crashes parse_report: it returns a record (maybe with errors) or raises
UnreadableDocument — nothing else, in bounded time and memory."""
from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gicrawler.parsing import UnreadableDocument, parse_report
from gicrawler.parsing.docx import MAX_UNCOMPRESSED
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_docx, report_html, report_pdf

RECORD_KEYS = {"title", "index_number", "document_number", "publisher", "published", "category",
               "agency", "agency_kind", "year", "template", "tables", "missing_tables", "checks", "text", "format",
               "errors", "tables_source"}


def outcome(data, **kw):
    """The record, or the UnreadableDocument message; any other exception fails the test."""
    try:
        record = parse_report(data, **kw)
    except UnreadableDocument as exc:
        assert str(exc) and "\n" not in str(exc)
        return exc
    assert set(record) == RECORD_KEYS
    assert isinstance(record["errors"], list) and all(isinstance(e, str) for e in record["errors"])
    assert isinstance(record["tables"], dict) and isinstance(record["missing_tables"], dict)
    assert_numbers(record["tables"])
    json.dumps(record, ensure_ascii=False)          # storable as it is
    return record


def assert_numbers(node):
    for value in node.values():
        if isinstance(value, dict):
            assert_numbers(value)
        else:
            assert value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)), value


@pytest.fixture(scope="module")
def sample003():
    sample = load_sample("003")
    return sample, report_html(sample.record, sample.paragraphs, **sample.options).encode("utf-8")


def test_empty_and_blank_input():
    for data in (b"", b"   \r\n\t ", "", "\n\n"):
        with pytest.raises(UnreadableDocument, match="empty"):
            parse_report(data)


def test_random_bytes():
    rng = random.Random(20240129)
    for size in (1, 7, 100, 5000, 200_000):
        result = outcome(rng.randbytes(size))
        if size >= 100:
            assert isinstance(result, UnreadableDocument)


def test_truncated_html_keeps_what_was_read(sample003):
    _, html = sample003
    for cut in (200, 3000, len(html) // 2, len(html) - 500):
        record = outcome(html[:cut])
        assert isinstance(record, dict) and record["format"] == "html"
    record = outcome(html[: len(html) - 500])
    assert {"active", "applications"} <= set(record["tables"])


def test_corrupt_pdf(sample003):
    sample, _ = sample003
    pdf = report_pdf(sample.record, sample.paragraphs, **sample.options)
    for data in (pdf[: len(pdf) // 3], b"%PDF-1.4\n" + random.Random(1).randbytes(3000), pdf[:20]):
        with pytest.raises(UnreadableDocument, match="^pdf: "):
            parse_report(data)
    damaged = bytearray(pdf)
    damaged[len(pdf) // 2: len(pdf) // 2 + 400] = b"\0" * 400     # one damaged stream
    outcome(bytes(damaged))


def test_corrupt_docx(sample003):
    sample, _ = sample003
    data = report_docx(sample.record, sample.paragraphs, **sample.options)
    # cut after its document part (the central directory lost): read through the local header
    record = outcome(data[: len(data) // 2])
    assert record["tables"] == sample.record["tables"]
    assert record["errors"][0].endswith("document part read from its local header")
    # cut inside it: what was there up to the last whole paragraph, said so
    part = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    start = part.header_offset
    record = outcome(data[: start + part.compress_size * 85 // 100])
    assert record["errors"][0].endswith("(cut short: what was there is read)")
    assert record["tables"] and set(record["tables"]) < {"active", "applications", "review_litigation"}
    with pytest.raises(UnreadableDocument, match="^docx: "):
        parse_report(data[: start + 100])
    with pytest.raises(UnreadableDocument, match="^docx: "):
        parse_report(_zip_with("word/document.xml", b"<not xml"))


def _zip_with(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr(name, data)
    return buf.getvalue()


def test_docx_zip_bomb_declared_size():
    """A member that declares 1 GB is refused before anything is inflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("word/document.xml", b"<w:document/>")
        z.getinfo("word/document.xml").file_size = 2 ** 30     # central directory now claims 1 GB
    with pytest.raises(UnreadableDocument, match="zip bomb"):
        parse_report(buf.getvalue(), filename="bomb.docx")


def test_docx_zip_bomb_ratio():
    """A real highly compressible member: 64 MB of zeros streamed in chunks (~64 KB zipped)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):
                member.write(chunk)
    data = buf.getvalue()
    assert len(data) < 1_000_000
    with pytest.raises(UnreadableDocument, match="zip bomb"):
        parse_report(data)
    assert MAX_UNCOMPRESSED == 200 * 1024 * 1024


def test_huge_page_bounded_time_and_memory(sample003, tmp_path):
    """A 20 MB page parses in a child process; its peak memory is reported back and bounded."""
    _, html = sample003
    filler = ("<p>" + "政府信息公开工作报告正文段落，" * 30 + "</p>\n").encode("utf-8") * 15000
    big = html.replace(b'<div id="zoom">', b'<div id="zoom">' + filler, 1)
    assert len(big) > 20_000_000
    path = tmp_path / "big.html"
    path.write_bytes(big)
    script = (
        "import json, resource, sys\n"
        "from gicrawler.parsing import parse_report\n"
        "r = parse_report(open(sys.argv[1], 'rb').read())\n"
        "print(json.dumps({'tables': sorted(r['tables']), 'title': r['title'],"
        " 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["tables"] == ["active", "applications", "review_litigation"]
    assert result["title"] == "淄博市2020年政府信息公开工作年度报告"
    assert result["rss_mb"] < 1500


def test_pathological_markup():
    deep = "<div>" * 20000 + "一、总体情况" + "</div>" * 10
    outcome(deep.encode())
    many_tables = "<table>" * 3000 + "<tr><td>1</td></tr>"
    outcome(("<html><body>" + many_tables).encode())
    outcome(b"<html><body><table><tr><td rowspan='999999' colspan='-5'>x</td></tr>" * 50)
    outcome("<?xml version='1.0' encoding='gbk'?><html><body>标题：报告</body></html>")
    outcome(b"<html>\x00\x00<body>\x00</body>")


# --------------------------------------------------------------------- property test

SAMPLE_FILES = ("000_fe8784577c3bb29b.txt", "001_011fde16aa22de90.txt", "002_30fde63b7d2b0111.txt",
              "003_053508a99f49d19d.txt", "004_ea69d8cda5ce10c7.txt")


@pytest.fixture(scope="module")
def documents(samples_dir, sample003):
    docs = [(samples_dir / name).read_bytes() for name in SAMPLE_FILES]
    docs.append(sample003[1])
    sample0 = load_sample("000")
    docs.append(report_html(sample0.record, sample0.paragraphs, **sample0.options).encode("utf-8"))
    return docs


def mutate(data: bytes, draw) -> bytes:
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 12))):
        op = draw(st.sampled_from(("delete", "insert", "flip", "duplicate")))
        pos = draw(st.integers(0, max(len(buf) - 1, 0)))
        if op == "delete":
            del buf[pos: pos + draw(st.integers(1, 2000))]
        elif op == "insert":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=40) | st.sampled_from(
                [b"<td rowspan=3>", b"</table>", b"<table><tr>", "一、".encode(), "三、".encode(),
                 b"<img src=x>", "|".encode(), "索引号:".encode(), b"\xff\xfe", b"%PDF-", b"PK\x03\x04"]))
        elif op == "flip" and buf:
            buf[pos] ^= draw(st.integers(1, 255))
        elif op == "duplicate":
            buf[pos:pos] = buf[pos: pos + draw(st.integers(1, 3000))]
    return bytes(buf)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.data())
def test_mutated_reports_give_a_record_or_unreadable(documents, data):
    source = data.draw(st.sampled_from(documents))
    mutated = mutate(source, data.draw)
    outcome(mutated)
    if data.draw(st.booleans()):
        outcome(mutated.decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def binaries(sample003):
    sample, _ = sample003
    return [report_pdf(sample.record, sample.paragraphs, **sample.options),
            report_docx(sample.record, sample.paragraphs, **sample.options)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.data())
def test_mutated_pdf_and_docx_give_a_record_or_unreadable(binaries, data):
    outcome(mutate(data.draw(st.sampled_from(binaries)), data.draw))


def test_parse_from_several_threads(sample003):
    """Pipelines may parse off the reactor thread: no shared parser state between threads."""
    from concurrent.futures import ThreadPoolExecutor
    _, html = sample003
    want = parse_report(html)
    with ThreadPoolExecutor(4) as pool:
        assert all(r == want for r in pool.map(lambda _: parse_report(html), range(16)))
