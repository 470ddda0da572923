"""Render an annual report (政府信息公开工作年度报告) with the national tables as HTML, PDF and DOCX.

The replicas build their pages and attachments with these functions; parser tests can use them
too (``load_seed("003")`` + ``report_pdf(...)`` gives seed 003 as a real ruled PDF).

Inputs
------
``record``: a dict shaped like a stored record (../shared/docs/report-format.md): ``title``,
``agency``, ``year``, ``published`` (ISO date), ``publisher``, ``index_number``,
``document_number``, ``category``, ``template`` ("2019" | "2021") and ``tables`` with any of
``active`` / ``applications`` / ``review_litigation`` in the report-format shape. A value that
is ``None`` (or missing) is printed as a blank cell (``&nbsp;`` in HTML).

``paragraphs``: the body, a list of strings in reading order. A string ``"{{table:KEY}}"``
(see :func:`table_marker`) places table KEY there; when the list holds no marker at all, each
table goes right after the paragraph that starts its section (二、 / 三、 / 四、), or at the end.

Common keyword options (every renderer accepts them):

- ``image_sections``: table keys shown as an ``<img>`` (HTML) or an "[图片]" line (PDF/DOCX)
  instead of a table, like the 图片版 reports (seed 000). ``image_src`` (``key -> url``)
  gives the img src; default ``"images/{key}.png"``.
- ``style``: dict of layout variations: ``procurement`` = ``"wan_header"`` (default; header
  ``采购总金额（万元）``, cell in 万元) | ``"wan_suffix"`` (header ``采购总金额``, cell
  ``2823.12万``) | ``"yuan"`` (header ``采购总金额（元）``); ``plus_sign`` (default True:
  a positive 本年增/减 is printed ``+38``); ``fullwidth`` (default True: ``（一）`` rather than
  ``(一)`` in labels).
- ``label``: a function ``str -> str`` applied to every label cell (e.g. traditional characters
  with pinyin debris, see :func:`debris_labeler`).

Functions
---------
- ``table_layout(key, tables, template, style=None, label=None) -> list[list[Cell]]``: the table
  as HTML-style rows (each row lists the cells that *start* in it, with rowspan/colspan).
- ``expand_layout(layout) -> list[list[str]]``: the same table with spans expanded by repeating
  the text into every covered slot (the ``grids`` shape ``parsing.tables.extract_tables`` takes).
- ``table_html(key, tables, template, **opts) -> str``: one ``<table>`` element.
- ``body_html(record, paragraphs, **opts) -> str``: paragraphs + tables (inner HTML of the body
  container).
- ``report_html(record, paragraphs, **opts) -> str``: a complete, plain report page (UTF-8,
  government ``<meta>`` set, label lines above the body). The portal replicas wrap
  :func:`body_html` in their own family chrome instead.
- ``report_pdf(record, paragraphs, **opts) -> bytes``: A4 PDF (reportlab, CID font
  ``STSong-Light``, ruled tables with SPAN).
- ``report_docx(record, paragraphs, **opts) -> bytes``: DOCX (python-docx, merged cells).
- ``load_seed(name) -> SeedReport``: seed report ``name`` ("000" … "004" or a file name) from the
  bundled corpus copy (data/seeds): ``.record`` (metadata + expected tables),
  ``.paragraphs`` (the seed's own body text with its table text replaced by markers),
  ``.options`` (image_sections / label / style to reproduce the seed's shape).
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Callable, Iterable

TABLE_KEYS = ("active", "applications", "review_litigation")
SECTION_OF = {"active": "二", "applications": "三", "review_litigation": "四"}
APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")
_MARK = re.compile(r"^\{\{table:(\w+)\}\}$")


def table_marker(key: str) -> str:
    return "{{table:%s}}" % key


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


# --------------------------------------------------------------------------- layouts

def _fmt(value, *, sign: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
    else:
        text = str(value)
    if sign and isinstance(value, (int, float)) and value > 0:
        text = "+" + text
    return text


def _get(tables: dict, *path):
    node = tables
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


class _Labels:
    def __init__(self, style: dict, label: Callable[[str], str] | None):
        self.fullwidth = style.get("fullwidth", True)
        self.fn = label

    def __call__(self, text: str) -> str:
        if not self.fullwidth:
            text = text.replace("（", "(").replace("）", ")").replace("：", ":")
        return self.fn(text) if self.fn else text


def _active_layout(t: dict, template: str, style: dict, L: _Labels) -> list[list[Cell]]:
    H = lambda s, **kw: Cell(L(s), header=True, **kw)  # noqa: E731
    V = lambda v, **kw: Cell(_fmt(v, sign=kw.pop("sign", False)), **kw)  # noqa: E731
    sign = style.get("plus_sign", True)
    rows: list[list[Cell]] = []

    def item(no):
        rows.append([H(f"第二十条第（{no}）项", colspan=4)])

    if template == "2021":
        item("一")
        rows.append([H("信息内容"), H("本年制发件数"), H("本年废止件数"), H("现行有效件数")])
        for key, name in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
            rows.append([H(name)] + [V(_get(t, key, c)) for c in ("issued", "repealed", "in_force")])
        item("五")
        rows.append([H("信息内容"), H("本年处理决定数量", colspan=3)])
        rows.append([H("行政许可"), V(_get(t, "licensing", "decisions"), colspan=3)])
        item("六")
        rows.append([H("信息内容"), H("本年处理决定数量", colspan=3)])
        rows.append([H("行政处罚"), V(_get(t, "punishment", "decisions"), colspan=3)])
        rows.append([H("行政强制"), V(_get(t, "enforcement", "decisions"), colspan=3)])
        item("八")
        rows.append([H("信息内容"), H("本年收费金额（单位：万元）", colspan=3)])
        rows.append([H("行政事业性收费"), V(_get(t, "fees", "amount_10k_yuan"), colspan=3)])
        return rows
    item("一")
    rows.append([H("信息内容"), H("本年新制作数量"), H("本年新公开数量"), H("对外公开总数量")])
    for key, name in (("regulations", "规章"), ("normative_documents", "规范性文件")):
        rows.append([H(name)] + [V(_get(t, key, c)) for c in ("made", "published", "public_total")])
    for no, pairs in (("五", (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
                      ("六", (("punishment", "行政处罚"), ("enforcement", "行政强制")))):
        item(no)
        rows.append([H("信息内容"), H("上一年项目数量"), H("本年增/减"), H("处理决定数量")])
        for key, name in pairs:
            rows.append([H(name), V(_get(t, key, "prior_items")), V(_get(t, key, "change"), sign=sign),
                         V(_get(t, key, "decisions"))])
    item("八")
    rows.append([H("信息内容"), H("上一年项目数量"), H("本年增/减", colspan=2)])
    rows.append([H("行政事业性收费"), V(_get(t, "fees", "prior_items")),
                 V(_get(t, "fees", "change"), sign=sign, colspan=2)])
    item("九")
    amount = _get(t, "procurement", "amount_yuan")
    mode = style.get("procurement", "wan_header")
    if mode == "yuan":
        head, cell = "采购总金额（元）", _fmt(amount)
    elif mode == "wan_suffix":
        head, cell = "采购总金额", ("" if amount is None else _fmt(_wan(amount)) + "万")
    else:
        head, cell = "采购总金额（万元）", ("" if amount is None else _fmt(_wan(amount)))
    rows.append([H("信息内容"), H("采购项目数量"), H(head, colspan=2)])
    rows.append([H("政府集中采购"), V(_get(t, "procurement", "projects")), Cell(cell, colspan=2)])
    return rows


def _wan(amount_yuan) -> float | int:
    value = amount_yuan / 10000
    return int(value) if float(value).is_integer() else round(value, 4)


_DENIED = (("state_secret", "1.属于国家秘密"), ("prohibited_by_law", "2.其他法律行政法规禁止公开"),
           ("security_stability", "3.危及“三安全一稳定”"), ("third_party_rights", "4.保护第三方合法权益"),
           ("internal_affairs", "5.属于三类内部事务信息"), ("process_info", "6.属于四类过程性信息"),
           ("enforcement_files", "7.属于行政执法案卷"), ("administrative_query", "8.属于行政查询事项"))
_UNABLE = (("not_held", "1.本机关不掌握相关政府信息"), ("needs_creation", "2.没有现成信息需要另行制作"),
           ("unclear_after_correction", "3.补正后申请内容仍不明确"))
_NOT_PROCESSED = (("petition_complaint", "1.信访举报投诉类申请"), ("duplicate", "2.重复申请"),
                  ("publication", "3.要求提供公开出版物"), ("excessive", "4.无正当理由大量反复申请"),
                  ("confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"))
_OTHER_2021 = (("no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
               ("unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
               ("other", "3.其他"))


def _applications_layout(t: dict, template: str, style: dict, L: _Labels) -> list[list[Cell]]:
    H = lambda s, **kw: Cell(L(s), header=True, **kw)  # noqa: E731

    def values(*path):
        return [Cell(_fmt(_get(t, *path, col))) for col in APPLICANTS]

    rows = [
        [H("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
         H("申请人情况", colspan=7)],
        [H("自然人", rowspan=2), H("法人或其他组织", colspan=5), H("总计", rowspan=2)],
        [H("商业企业"), H("科研机构"), H("社会公益组织"), H("法律服务机构"), H("其他")],
        [H("一、本年新收政府信息公开申请数量", colspan=3)] + values("received"),
        [H("二、上年结转政府信息公开申请数量", colspan=3)] + values("carried_over"),
    ]
    other = _OTHER_2021 if template == "2021" else ()
    result_rows = 1 + 1 + len(_DENIED) + len(_UNABLE) + len(_NOT_PROCESSED) + max(1, len(other)) + 1
    rows.append([H("三、本年度办理结果", rowspan=result_rows), H("（一）予以公开", colspan=2)] + values("granted"))
    rows.append([H("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2)]
                + values("partially_granted"))
    for group, head, subs in (("denied", "（三）不予公开", _DENIED), ("unable", "（四）无法提供", _UNABLE),
                              ("not_processed", "（五）不予处理", _NOT_PROCESSED), ("other", "（六）其他处理", other)):
        if not subs:
            rows.append([H(head, colspan=2)] + values(group))
            continue
        for i, (key, name) in enumerate(subs):
            lead = [H(head, rowspan=len(subs))] if i == 0 else []
            rows.append(lead + [H(name)] + values(group, key))
    rows.append([H("（七）总计", colspan=2)] + values("total"))
    rows.append([H("四、结转下年度继续办理", colspan=3)] + values("carried_forward"))
    return rows


def _review_layout(t: dict, template: str, style: dict, L: _Labels) -> list[list[Cell]]:
    H = lambda s, **kw: Cell(L(s), header=True, **kw)  # noqa: E731
    heads = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    return [
        [H("行政复议", colspan=5), H("行政诉讼", colspan=10)],
        [H(h, rowspan=2) for h in heads] + [H("未经复议直接起诉", colspan=5), H("复议后起诉", colspan=5)],
        [H(h) for h in heads] * 2,
        [Cell(_fmt(_get(t, group, col))) for group in ("review", "litigation_direct", "litigation_after_review")
         for col in REVIEW_COLS],
    ]


_LAYOUTS = {"active": _active_layout, "applications": _applications_layout, "review_litigation": _review_layout}


def table_layout(key: str, tables: dict, template: str | None, style: dict | None = None,
                 label: Callable[[str], str] | None = None) -> list[list[Cell]]:
    """The national table ``key`` filled from ``tables[key]`` (rows of starting cells)."""
    style = style or {}
    return _LAYOUTS[key]((tables or {}).get(key) or {}, template or "2021", style, _Labels(style, label))


def place(layout: list[list[Cell]]) -> tuple[list[tuple[int, int, Cell]], int, int]:
    """Absolute (row, col, cell) positions of an HTML-style layout; returns (placed, nrows, ncols)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    ncols = 0
    for r, row in enumerate(layout):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            ncols = max(ncols, c)
    nrows = max((r for r, _ in taken), default=-1) + 1
    return placed, nrows, ncols


def expand_layout(layout: list[list[Cell]]) -> list[list[str]]:
    placed, nrows, ncols = place(layout)
    grid = [[""] * ncols for _ in range(nrows)]
    for r, c, cell in placed:
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                grid[r + dr][c + dc] = cell.text
    return grid


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
                if key not in done and _heading_no(p) == SECTION_OF[key]:
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
            blocks.append(("h" if _heading_no(p) and len(p.strip()) <= 40 else "p", p.strip()))
    return blocks


def _heading_no(p: str) -> str | None:
    m = re.match(r"\s*([一二三四五六])[、,，]", p)
    return m.group(1) if m else None


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


# --------------------------------------------------------------------------- seeds

@dataclass
class SeedReport:
    name: str
    record: dict
    paragraphs: list[str]
    options: dict = field(default_factory=dict)   # image_sections / label / style for the renderers
    raw_text: str = ""


_HEADING = re.compile(
    r"^\s*(?:[一二三四五六][、,，]+\s*)?(?:总体情况|主动公开政府信息情况|收到和处理政府信息公开(?:申请)?情况|"
    r"政府信息公开(?:申请)?行政复议、?行政诉讼情况|(?:工作)?存在的(?:主要)?问题|其他需要报告的事项)")
_TABLE_START = (("active", re.compile(r"^\s*第二十条")),
                ("applications", re.compile(r"^\s*[（(]本列数据")),
                ("review_litigation", re.compile(r"^\s*行政复议\s*$")))
# Lines before the body (title and label lines, page toolbars) of each seed.
_BODY_AFTER = {"000": "图片解读", "001": None, "002": "工作年度报告", "003": "• 打印", "004": "文号 |"}


def _data(*parts: str):
    return resources.files("gicrawler.replicas").joinpath("data", *parts)


@lru_cache(maxsize=None)
def seed_names() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in _data("seeds").iterdir() if p.name.endswith(".txt")))


@lru_cache(maxsize=None)
def _seed_expected() -> dict:
    return json.loads(_data("seeds", "expected.json").read_text(encoding="utf-8"))


def load_seed(name: str) -> SeedReport:
    """Seed ``name`` ("003" or "003_053508a99f49d19d.txt") as record + body paragraphs."""
    fname = next((n for n in seed_names() if n == name or n.startswith(f"{name}_")), None)
    if fname is None:
        raise KeyError(f"no seed report {name!r}")
    short = fname[:3]
    text = _data("seeds", fname).read_text(encoding="utf-8")
    expected = {k: v for k, v in _seed_expected()[fname].items() if k not in ("notes", "missing_tables")}
    lines = text.splitlines()
    marker = _BODY_AFTER.get(short)
    start = 1
    if marker:
        start = next(i for i, line in enumerate(lines) if marker in line) + 1
    body = lines[start:]
    options: dict = {}
    missing = _seed_expected()[fname].get("missing_tables") or []
    if missing:
        options["image_sections"] = tuple(missing)
    if short == "001":
        options["label"] = debris_labeler(text)
        options["style"] = {"fullwidth": False}
    if short == "002":
        options["style"] = {"procurement": "wan_suffix"}
    if short in ("003", "004"):
        options["style"] = {"fullwidth": False}
    paragraphs = _strip_tables(body, pipe=short in ("001", "004"))
    if missing:   # image-only sections: the image goes under the section heading
        out = []
        for p in paragraphs:
            out.append(p)
            for key in missing:
                if _heading_no(p) == SECTION_OF[key]:
                    out.append(table_marker(key))
        paragraphs = out
    if short == "001":
        # The page text was converted to traditional characters; a sensible stored title is simplified.
        expected.setdefault("title", "嘉兴市数据局2024年度政府信息公开工作年度报告")
        paragraphs.insert(0, lines[0].strip())
    if short == "004":
        expected.setdefault("title", "黄石市经信局2023年政府信息公开工作年度报告")
    return SeedReport(short, expected, paragraphs, options, text)


def _strip_tables(lines: list[str], *, pipe: bool) -> list[str]:
    """Body paragraphs with each run of table text replaced by a table marker."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if pipe and "|" in line:
            j = i
            while j < len(lines) and "|" in lines[j]:
                j += 1
            run = "".join(lines[i:j])
            key = ("applications" if ("申請" in run or "申请" in run) else
                   "active" if ("信息內" in run or "信息内容" in run) else "review_litigation")
            out.append(table_marker(key))
            i = j
            continue
        key = next((k for k, rx in _TABLE_START if rx.match(line)), None) if not pipe else None
        if key:
            j = i + 1
            while j < len(lines) and not _HEADING.match(lines[j]) and not lines[j].strip().startswith("说明"):
                j += 1
            out.append(table_marker(key))
            i = j
            continue
        if stripped:
            out.append(stripped)
        i += 1
    return out


def debris_labeler(sample: str) -> Callable[[str], str]:
    """Label transform imitating seed 001: traditional characters, pinyin glued after some of them
    (``數(shù)據(jù)``), learnt from the pairs present in ``sample``."""
    import opencc

    pairs = {ch: py for ch, py in re.findall(r"([\u4e00-\u9fff])\(([^()\s\d]{1,8})\)", sample)}
    conv = opencc.OpenCC("s2t.json")

    def label(text: str) -> str:
        trad = conv.convert(text)
        return "".join(f"{ch}({pairs[ch]})" if ch in pairs else ch for ch in trad)

    return label
