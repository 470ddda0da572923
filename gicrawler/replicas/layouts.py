"""The three national tables as printed, built from the template (gicrawler/template.py).

``table_layout(key, tables, template, style=None, label=None)`` gives a table as HTML-style rows
(each row lists the cells that *start* in it, with rowspan/colspan); ``expand_layout`` the same
table with spans expanded by repeating the text into every covered slot (the ``grids`` shape
``parsing.tables.extract_tables`` takes). The writers (writers.py) turn layouts into HTML, PDF
and DOCX.

``style``: ``procurement`` = ``"wan_header"`` (default; header ``采购总金额（万元）``, cell in 万元) |
``"wan_suffix"`` (header ``采购总金额``, cell ``2823.12万``) | ``"yuan"`` (header
``采购总金额（元）``); ``plus_sign`` (default True: a positive 本年增/减 is printed ``+38``);
``fullwidth`` (default True: ``（一）`` rather than ``(一)`` in labels). ``label``: a function
``str -> str`` applied to every label cell (e.g. traditional characters with pinyin debris,
see ``samples.debris_labeler``).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Callable

from gicrawler import template as T

# How the value columns of one 第二十条 item share the table's three value slots.
_ACTIVE_SPANS = {1: (3,), 2: (1, 2), 3: (1, 1, 1)}


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


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


class _Cells:
    """Makes the cells of one table in one style: label cells (headers) and value cells."""

    def __init__(self, style: dict, label: Callable[[str], str] | None):
        self.fullwidth = style.get("fullwidth", True)
        self.label = label

    def header(self, text: str, **spans) -> Cell:
        if not self.fullwidth:
            text = text.replace("（", "(").replace("）", ")").replace("：", ":")
        return Cell(self.label(text) if self.label else text, header=True, **spans)

    @staticmethod
    def value(value, *, sign: bool = False, **spans) -> Cell:
        return Cell(_fmt(value, sign=sign), **spans)


def _wan(amount_yuan) -> float | int:
    value = amount_yuan / 10000
    return int(value) if float(value).is_integer() else round(value, 4)


def _procurement_amount(amount, mode: str) -> tuple[str, str]:
    """(header, cell text) of the 采购总金额 column, stored in yuan, in one of the printed styles."""
    if mode == "yuan":
        return "采购总金额（元）", _fmt(amount)
    if mode == "wan_suffix":
        return "采购总金额", ("" if amount is None else _fmt(_wan(amount)) + "万")
    return "采购总金额（万元）", ("" if amount is None else _fmt(_wan(amount)))


def _active_layout(table: dict, year: str, style: dict, cells: _Cells) -> list[list[Cell]]:
    sign = style.get("plus_sign", True)
    mode = style.get("procurement", "wan_header")
    rows: list[list[Cell]] = []
    printed = [row for row in T.ACTIVE_ROWS if row.in_template(year)]
    for item, item_rows in groupby(printed, key=lambda row: row.group):
        item_rows = list(item_rows)
        columns = item_rows[0].columns[year]           # the rows of one item share their columns
        spans = _ACTIVE_SPANS[len(columns)]
        rows.append([cells.header(T.ACTIVE_ITEM_HEADING.format(item), colspan=4)])
        heads = [c.label for c in columns]
        for i, column in enumerate(columns):
            if column.unit == T.YUAN:
                heads[i] = _procurement_amount(None, mode)[0]
        rows.append([cells.header(T.ACTIVE_ROW_HEADER)]
                    + [cells.header(h, colspan=s) for h, s in zip(heads, spans)])
        for row in item_rows:
            line = [cells.header(row.labels[year])]
            for column, span in zip(columns, spans):
                value = _get(table, row.key, column.key)
                if column.unit == T.YUAN:
                    line.append(Cell(_procurement_amount(value, mode)[1], colspan=span))
                else:
                    line.append(cells.value(value, sign=sign and column.signed, colspan=span))
            rows.append(line)
    return rows


def _applications_layout(table: dict, year: str, style: dict, cells: _Cells) -> list[list[Cell]]:
    applicants = T.APPLICANT_COLUMNS_DECLARED

    def values(key: str) -> list[Cell]:
        return [Cell(_fmt(_get(table, *key.split("."), col))) for col in T.APPLICANT_COLUMNS]

    rows = [
        [cells.header(T.APPLICATIONS_CORNER, rowspan=3, colspan=3),
         cells.header(T.APPLICANTS_HEADING, colspan=len(applicants))],
        [cells.header(applicants[0].label, rowspan=2), cells.header(T.ORGANISATIONS_HEADING, colspan=5),
         cells.header(applicants[-1].label, rowspan=2)],
        [cells.header(c.label) for c in applicants[1:-1]],
    ]
    printed = [row for row in T.APPLICATION_ROWS if row.in_template(year)]
    keys = [row.key for row in printed]
    first, last = keys.index("granted"), keys.index("total")
    group_sizes = {g: sum(1 for row in printed if row.group == g) for g in T.GROUP_LABELS}
    for i, row in enumerate(printed):
        if i < first or i > last:                      # 一、二、 above the results, 四、 below
            rows.append([cells.header(row.labels[year], colspan=3)] + values(row.key))
            continue
        lead = [cells.header(T.RESULTS_HEADING, rowspan=last - first + 1)] if i == first else []
        if row.group is None:
            rows.append(lead + [cells.header(row.labels[year], colspan=2)] + values(row.key))
            continue
        if printed[i - 1].group != row.group:          # the group's heading spans its rows
            lead.append(cells.header(T.GROUP_LABELS[row.group], rowspan=group_sizes[row.group]))
        rows.append(lead + [cells.header(row.labels[year])] + values(row.key))
    return rows


def _review_layout(table: dict, year: str, style: dict, cells: _Cells) -> list[list[Cell]]:
    review, *litigation = T.REVIEW_GROUPS
    width = len(T.REVIEW_COLUMNS)
    heads = [c.label for c in T.REVIEW_COLUMNS_DECLARED]
    return [
        [cells.header(review.labels[year], colspan=width),
         cells.header(litigation[0].group, colspan=width * len(litigation))],
        [cells.header(h, rowspan=2) for h in heads] + [cells.header(g.labels[year], colspan=width) for g in litigation],
        [cells.header(h) for h in heads] * len(litigation),
        [Cell(_fmt(_get(table, group, col))) for group in T.REVIEW_GROUP_KEYS for col in T.REVIEW_COLUMNS],
    ]


_LAYOUTS = {"active": _active_layout, "applications": _applications_layout, "review_litigation": _review_layout}


def table_layout(key: str, tables: dict, template: str | None, style: dict | None = None,
                 label: Callable[[str], str] | None = None) -> list[list[Cell]]:
    """The national table ``key`` filled from ``tables[key]`` (rows of starting cells)."""
    style = style or {}
    return _LAYOUTS[key]((tables or {}).get(key) or {}, template or "2021", style, _Cells(style, label))


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
