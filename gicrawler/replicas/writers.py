"""Write an annual report (政府信息公开工作年度报告) with the national tables as HTML, PDF and DOCX.

The replicas build their pages and attachments with these functions; parser tests use them
too (``samples.load_sample("003")`` + ``report_pdf(...)`` gives sample 003 as a real ruled PDF).

``record``: a dict shaped like a stored record (docs/record.md): ``title``, ``agency``, ``year``,
``published`` (ISO date), ``publisher``, ``index_number``, ``document_number``, ``category``,
``template`` ("2019" | "2021") and ``tables`` with any of ``active`` / ``applications`` /
``review_litigation``. A value that is ``None`` (or missing) is printed as a blank cell
(``&nbsp;`` in HTML).

``paragraphs``: the body, a list of strings in reading order. A string ``"{{table:KEY}}"``
(see :func:`table_marker`) places table KEY there; when the list holds no marker at all, each
table goes right after the paragraph that starts its section (二、 / 三、 / 四、), or at the end.

Every writer accepts ``image_sections`` (table keys shown as an ``<img>`` (HTML) or an "[图片]"
line (PDF/DOCX) instead of a table, like the 图片版 reports (sample 000); ``image_src``
(``key -> url``) gives the img src, default ``"images/{key}.png"``), and the layouts' ``style`` and
``label`` (layouts.py).

- ``table_html(key, tables, template, **opts)``: one ``<table>`` element.
- ``body_html(record, paragraphs, **opts)``: paragraphs + tables (inner HTML of the body container).
- ``report_html(record, paragraphs, **opts)``: a complete, plain report page (UTF-8, government
  ``<meta>`` set, label lines above the body). The portal replicas wrap :func:`body_html` in their
  own family chrome instead.
- ``report_pdf(record, paragraphs, **opts) -> bytes``: A4 PDF (reportlab, CID font ``STSong-Light``,
  ruled tables with SPAN).
- ``report_docx(record, paragraphs, **opts) -> bytes``: DOCX (python-docx, merged cells).
"""
from __future__ import annotations

import io
import re
from functools import lru_cache
from html import escape
from typing import Callable, Iterable

from gicrawler.replicas.layouts import place, table_layout
from gicrawler.template import SECTION_OF, TABLE_KEYS

_MARK = re.compile(r"^\{\{table:(\w+)\}\}$")


def table_marker(key: str) -> str:
    """A body paragraph that places table ``key`` there."""
    return "{{table:%s}}" % key


def heading_number(p: str) -> str | None:
    """The section numeral (一 … 六) a paragraph starts with, as in 二、主动公开政府信息情况."""
    m = re.match(r"\s*([一二三四五六])[、,，]", p)
    return m.group(1) if m else None


# --------------------------------------------------------------------------- HTML

def table_html(key: str, tables: dict, template: str | None, *, style: dict | None = None,
               label: Callable[[str], str] | None = None, **_ignored) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">',
           "<tbody>"]
    for row in table_layout(key, tables, template, style, label):
        out.append("<tr>")
        for cell in row:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            text = escape(cell.text) if cell.text else "&nbsp;"
            # Real reports wrap every cell in <p><span> (Word paste); headers are just bold-ish.
            style_attr = ' style="text-align:center"' if not cell.header else ""
            out.append(f'<td{attrs}{style_attr}><p><span>{text}</span></p></td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def body_blocks(record: dict, paragraphs: Iterable[str], image_sections: Iterable[str] = ()) -> list[tuple[str, str]]:
    """[(kind, value)] with kind "p" | "h" | "table" | "image" — the body in reading order."""
    paragraphs = list(paragraphs)
    tables = record.get("tables") or {}
    images = set(image_sections)
    wanted = [k for k in TABLE_KEYS if k in tables or k in images]
    if not any(_MARK.match(p.strip()) for p in paragraphs):
        placed: list[str] = []
        done: set[str] = set()
        for p in paragraphs:
            placed.append(p)
            for key in wanted:
                if key not in done and heading_number(p) == SECTION_OF[key]:
                    placed.append(table_marker(key))
                    done.add(key)
        placed += [table_marker(k) for k in wanted if k not in done]
        paragraphs = placed
    blocks: list[tuple[str, str]] = []
    for p in paragraphs:
        m = _MARK.match(p.strip())
        if m:
            key = m.group(1)
            if key in images:
                blocks.append(("image", key))
            elif key in tables:
                blocks.append(("table", key))
        elif p.strip():
            blocks.append(("h" if heading_number(p) and len(p.strip()) <= 40 else "p", p.strip()))
    return blocks


def body_html(record: dict, paragraphs: Iterable[str], *, image_sections: Iterable[str] = (),
              image_src: Callable[[str], str] | None = None, style: dict | None = None,
              label: Callable[[str], str] | None = None) -> str:
    out = []
    for kind, value in body_blocks(record, paragraphs, image_sections):
        if kind == "table":
            out.append(table_html(value, record["tables"], record.get("template"), style=style, label=label))
        elif kind == "image":
            src = image_src(value) if image_src else f"images/{value}.png"
            out.append(f'<p style="text-align:center"><img src="{escape(src)}" alt="" border="0"></p>')
        elif kind == "h":
            out.append(f'<p style="text-indent:2em"><strong>{escape(value)}</strong></p>')
        else:
            out.append(f'<p style="text-indent:2em">{escape(value)}</p>')
    return "\n".join(out)


def meta_tags(record: dict, *, site_name: str = "", site_domain: str = "", site_id: str = "",
              column: str = "", url: str = "") -> str:
    """The 政府网站发展指引 <meta> set of an article page."""
    pub = record.get("published") or ""
    pairs = [("SiteName", site_name), ("SiteDomain", site_domain), ("SiteIDCode", site_id),
             ("ColumnName", column), ("ColumnType", "政府信息公开年报"),
             ("ArticleTitle", record.get("title") or ""), ("PubDate", f"{pub} 09:30" if pub else ""),
             ("ContentSource", record.get("publisher") or ""), ("Keywords", "政府信息公开,年度报告"),
             ("Author", ""), ("Description", record.get("title") or ""), ("Url", url)]
    return "\n".join(f'<meta name="{k}" content="{escape(v)}">' for k, v in pairs)


def report_html(record: dict, paragraphs: Iterable[str], **opts) -> str:
    title = escape(record.get("title") or "")
    labels = [("标题", record.get("title")), ("索引号", record.get("index_number")),
              ("文号", record.get("document_number") or "无"), ("发文日期", record.get("published")),
              ("发布机构", record.get("publisher"))]
    lines = "\n".join(f"<li><b>{k}：</b>{escape(str(v))}</li>" for k, v in labels if v)
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>\n'
            f"{meta_tags(record)}\n</head><body>\n<ul class=\"meta\">\n{lines}\n</ul>\n"
            f'<h1>{title}</h1>\n<div id="zoom">\n{body_html(record, paragraphs, **opts)}\n</div>\n'
            "</body></html>\n")


# --------------------------------------------------------------------------- PDF

_FONT = "STSong-Light"


@lru_cache(maxsize=1)
def _pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    return _FONT


def report_pdf(record: dict, paragraphs: Iterable[str], *, image_sections: Iterable[str] = (),
               style: dict | None = None, label: Callable[[str], str] | None = None, **_ignored) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, firstLineIndent=21, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=11)
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=24, alignment=TA_CENTER,
                                 wordWrap="CJK", spaceAfter=12)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=record.get("title") or "", invariant=True,
                            author=record.get("publisher") or record.get("agency") or "")
    width = A4[0] - 30 * mm
    story = [Paragraph(escape(record.get("title") or ""), title_style)]
    for kind, value in body_blocks(record, paragraphs, image_sections):
        if kind == "table":
            story += [_pdf_table(value, record, width, style, label, Table, TableStyle, Paragraph,
                                 ParagraphStyle, colors, font), Spacer(1, 6)]
        elif kind == "image":
            story.append(Paragraph("[图片]", body))
        else:
            story.append(Paragraph(escape(value), head if kind == "h" else body))
    doc.build(story)
    return buf.getvalue()


def _pdf_table(key, record, width, style, label, Table, TableStyle, Paragraph, ParagraphStyle, colors, font):
    layout = table_layout(key, record["tables"], record.get("template"), style, label)
    placed, nrows, ncols = place(layout)
    size = 6.5 if ncols > 10 else 7.5
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=size, leading=size + 2, wordWrap="CJK",
                                alignment=1)
    data = [[""] * ncols for _ in range(nrows)]
    commands = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), size)]
    for r, c, cell in placed:
        data[r][c] = Paragraph(escape(cell.text), cell_style) if cell.text else ""
        if cell.rowspan > 1 or cell.colspan > 1:
            commands.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    if key == "applications":
        widths = [width * 0.08, width * 0.13, width * 0.19] + [width * 0.6 / 7] * 7
    else:
        widths = [width / ncols] * ncols
        if key == "active":
            widths = [width * 0.34] + [width * 0.22] * 3
    table = Table(data, colWidths=widths, repeatRows=0)
    table.setStyle(TableStyle(commands))
    return table


# --------------------------------------------------------------------------- DOCX

def report_docx(record: dict, paragraphs: Iterable[str], *, image_sections: Iterable[str] = (),
                style: dict | None = None, label: Callable[[str], str] | None = None, **_ignored) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(record.get("title") or "")
    run.bold = True
    for kind, value in body_blocks(record, paragraphs, image_sections):
        if kind == "table":
            layout = table_layout(value, record["tables"], record.get("template"), style, label)
            placed, nrows, ncols = place(layout)
            table = document.add_table(rows=nrows, cols=ncols)
            table.style = "Table Grid"
            for r, c, cell in placed:
                target = table.cell(r, c)
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
                target.text = cell.text
        elif kind == "image":
            document.add_paragraph("[图片]")
        else:
            para = document.add_paragraph()
            para.add_run(value).bold = kind == "h"
    props = document.core_properties
    props.title = record.get("title") or ""
    props.author = record.get("publisher") or record.get("agency") or ""
    buf = io.BytesIO()
    document.save(buf)
    return _stable_zip(buf.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same zip with fixed member timestamps, so a DOCX renders to the same bytes every run."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
