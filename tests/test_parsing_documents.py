"""parse_report on whole documents: the sample corpus, and sample 003 as HTML / PDF / DOCX / text."""
from __future__ import annotations

import pytest

from gicrawler.parsing import parse_report
from gicrawler.parsing.docx import parse_docx
from gicrawler.parsing.html import parse_html
from gicrawler.parsing.normalize import normalize_text
from gicrawler.parsing.pdf import parse_pdf
from gicrawler.replicas.layouts import expand_layout, table_layout
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_docx, report_html, report_pdf

RECORD_KEYS = {"title", "index_number", "document_number", "publisher", "published", "category",
               "agency", "agency_kind", "year", "template", "tables", "missing_tables", "checks", "text", "format",
               "errors", "tables_source"}
METADATA = ("title", "index_number", "document_number", "published", "publisher", "agency", "year")
SEEDS = ("000_fe8784577c3bb29b.txt", "001_011fde16aa22de90.txt", "002_30fde63b7d2b0111.txt",
         "003_053508a99f49d19d.txt", "004_ea69d8cda5ce10c7.txt")


@pytest.mark.parametrize("name", SEEDS)
def test_sample_metadata(name, samples_dir, sample_expected):
    record = parse_report((samples_dir / name).read_bytes(), filename=name)
    assert set(record) == RECORD_KEYS
    assert record["format"] == "text" and record["errors"] == []
    expected = sample_expected[name]
    got = {key: record[key] for key in METADATA}
    want = {key: expected.get(key) for key in METADATA}
    assert got == want


@pytest.fixture(scope="module")
def sample003():
    sample = load_sample("003")
    return sample, {
        "html": report_html(sample.record, sample.paragraphs, **sample.options).encode("utf-8"),
        "pdf": report_pdf(sample.record, sample.paragraphs, **sample.options),
        "docx": report_docx(sample.record, sample.paragraphs, **sample.options),
    }


def _expected_grids(sample):
    opts = {k: v for k, v in sample.options.items() if k in ("style", "label")}
    grids = [expand_layout(table_layout(key, sample.record["tables"], sample.record["template"], **opts))
             for key in ("active", "applications", "review_litigation")]
    return [[[" ".join(normalize_text(c).split()) for c in row] for row in g] for g in grids]


def test_every_reader_expands_the_same_grids(sample003):
    """rowspan/colspan (HTML), merged cells (DOCX) and ruled cells split over a page (PDF)
    all come out as the same expanded grids."""
    sample, docs = sample003
    want = _expected_grids(sample)
    html_grids = parse_html(docs["html"].decode("utf-8")).grids
    pdf_grids = parse_pdf(docs["pdf"])[1]
    docx_grids = parse_docx(docs["docx"])[1]
    for grids in (html_grids, pdf_grids, docx_grids):
        got = [[[" ".join(normalize_text(c).split()) for c in row] for row in g] for g in grids]
        assert got == want


def test_same_tables_from_every_format(sample003, samples_dir):
    sample, docs = sample003
    text = (samples_dir / "003_053508a99f49d19d.txt").read_bytes()
    records = {fmt: parse_report(data, filename=f"report.{fmt}") for fmt, data in docs.items()}
    records["text"] = parse_report(text, filename="003.txt")
    for fmt, record in records.items():
        assert record["format"] == fmt, fmt
        assert record["errors"] == [], (fmt, record["errors"])
        assert record["template"] == "2019", fmt
        assert set(record["tables"]) == {"active", "applications", "review_litigation"}, fmt
    tables = {fmt: r["tables"] for fmt, r in records.items()}
    assert tables["html"] == tables["pdf"] == tables["docx"] == tables["text"]
    assert tables["html"] == sample.record["tables"]
    html = records["html"]
    assert html["title"] == "淄博市2020年政府信息公开工作年度报告"
    assert html["published"] == "2021-03-09" and html["year"] == 2020
    assert {c["rule"] for c in html["checks"]} >= {"applications.balance", "published_on_time"}


def test_image_only_sections_are_reported_as_images():
    sample = load_sample("000")       # 图片版: tables B and C are <img> on the page
    html = report_html(sample.record, sample.paragraphs, **sample.options)
    doc = parse_html(html)
    assert doc.image_sections == frozenset({"三", "四"})
    record = parse_report(html.encode("utf-8"))
    assert set(record["tables"]) == {"active"}
    assert record["missing_tables"] == {"applications": "image", "review_litigation": "image"}
    assert record["index_number"] == "11370300MB28560647/2024-5426716"


def _page(body: str, chrome: str = "") -> str:
    return (f'<html><head><meta charset="utf-8"><title>x</title></head><body>'
            f'<div class="nav">首页 政务公开 {chrome}</div>{body}'
            f'<div class="footer">主办单位：某市人民政府办公室 网站标识码3704000001</div></body></html>')


BODY = "<p>一、总体情况</p><p>本年度，我局认真贯彻落实条例。</p><p>二、主动公开政府信息情况</p>"


@pytest.mark.parametrize("wrapper", [
    '<div class="main"><div id="zoom">{}</div></div>',
    '<div id="ivs_content" class="infocontent"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">'
    '{}<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>',
    '<div class="view TRS_UEDITOR trs_paper_default">{}</div>',
    '<div class="TRS_Editor">{}</div>',
    '<div id="UCAP-CONTENT">{}</div>',
    '<div class="article">{}</div>',
    '<div class="content-wrap"><div class="left">相关链接</div><div class="con">{}</div></div>',   # fallback
    '<table><tr><td>导航</td></tr><tr><td>{}<table><tr><td>数据</td></tr></table></td></tr></table>',  # layout table
    '<div id="zoom"><a>大</a> <a>中</a> <a>小</a></div><div class="TRS_Editor">{}</div>',   # tiny #zoom widget
])
def test_body_container(wrapper):
    doc = parse_html(_page(wrapper.format(BODY)))
    assert doc.lines[0] == "一、总体情况"
    assert "二、主动公开政府信息情况" in doc.lines
    assert not any("主办单位" in line or "首页" in line for line in doc.lines)


def test_text_lines_per_block_and_cell():
    html = _page('<div id="zoom"><P>第一段<BR>第二行<SPAN>同一行</SPAN></P>'
                 '<TABLE><TR><TD ROWSPAN=2>甲</TD><TD>1</TD></TR><TR><TD>&nbsp;</TD></TR></TABLE></div>')
    doc = parse_html(html)
    assert doc.lines == ["第一段", "第二行同一行", "甲", "1"]
    assert doc.grids == [[["甲", "1"], ["甲", ""]]]


def test_colspan_and_rowspan_expansion_keeps_positions():
    html = _page('<div id="zoom"><table>'
                 '<tr><td rowspan="3">A</td><td colspan="2">B</td><td rowspan="2">C</td></tr>'
                 '<tr><td>1</td><td></td></tr>'
                 '<tr><td>2</td><td>3</td><td>4</td></tr>'
                 '<tr><td colspan="99999">wide</td></tr>'
                 '</table></div>')
    grid = parse_html(html).grids[0]
    assert grid[:3] == [["A", "B", "B", "C"], ["A", "1", "", "C"], ["A", "2", "3", "4"]]
    assert len(grid[3]) == len(grid[0]) and all(c == "wide" for c in grid[3][:4])
